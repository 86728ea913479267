/*
 * Guest threads, multiplexed on the one host thread that runs guest code.
 *
 * accel/tcg runs one vCPU on one host thread, so a guest thread
 * (clone with CLONE_VM) is a saved register set here and the cpu loop
 * switches between them: when the running thread blocks (futex wait, a
 * sleep, I/O that would block), exits, yields, or its time slice ends.
 * Guest code therefore never runs concurrently, which makes every guest
 * atomic trivially atomic; an LR reservation is dropped at each switch.
 *
 * Time slices: a host "ticker" thread (started with the second guest
 * thread, all signals blocked so host signals still reach the main thread)
 * sets proc->preempt and kicks the vCPU out of generated code every 10 ms.
 *
 * futex: with one guest thread the host futex is used directly (guest
 * memory is host memory); with more, FUTEX_WAIT/WAKE/REQUEUE/WAKE_OP are
 * emulated here on the wait queue formed by the blocked threads.
 *
 * Blocking: a thread whose syscall would block is parked with the fd it
 * waits for and re-runs the syscall when the fd is ready; when no thread can
 * run, the scheduler sleeps in one ppoll() over every parked fd, the
 * earliest deadline, and (atomically unblocked) host signals.  Syscalls not
 * converted this way (ppoll, epoll_wait, ...) still block the whole
 * process: see docs/linux-user.md.
 *
 * Guest thread ids: the first thread has the host pid; later ones get ids
 * from 0x400000 up, above any host pid (PID_MAX_LIMIT is 2^22), so a tkill
 * to one is recognisably ours and handled here.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

#define LU_FIRST_THREAD_ID 0x400000
#define LU_TIME_SLICE_NS 10000000

static int64_t ts_to_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static struct timespec ns_to_ts(int64_t ns)
{
    struct timespec t = { ns / 1000000000, ns % 1000000000 };
    return t;
}

static int64_t now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return ts_to_ns(&t);
}

void lu_thread_init(CpuState *cpu)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    ts->tid = getpid();
    ts->next = ts;
    ts->state = LU_THREAD_RUNNABLE;
    ts->regs = lu_arch_regs_new();
    proc->current = ts;
    proc->nthreads = 1;
    proc->next_tid = LU_FIRST_THREAD_ID;
}

TaskState *lu_thread_by_tid(LinuxProc *proc, int tid)
{
    TaskState *t = proc->current;
    for (int i = 0; t && i < proc->nthreads; i++, t = t->next) {
        if (t->tid == tid) {
            return t;
        }
    }
    return NULL;
}

static void make_runnable(TaskState *t, bool set_ret, int64_t ret)
{
    if (set_ret) {
        lu_arch_regs_set_retval(t->regs, (uint64_t)ret);
    }
    t->state = LU_THREAD_RUNNABLE;
}

void lu_thread_interrupt(TaskState *t)
{
    switch (t->state) {
    case LU_THREAD_FUTEX:
    case LU_THREAD_SLEEP:
    case LU_THREAD_SIGWAIT:
        make_runnable(t, true, -EINTR);
        break;
    case LU_THREAD_IO:
        make_runnable(t, false, 0); /* re-runs its syscall */
        break;
    default:
        break;
    }
}

/* ---- the ticker ---- */

static void *ticker_main(void *arg)
{
    LinuxProc *proc = arg;
    struct timespec slice = ns_to_ts(LU_TIME_SLICE_NS);
    for (;;) {
        nanosleep(&slice, NULL);
        if (__atomic_load_n(&proc->nthreads, __ATOMIC_RELAXED) > 1) {
            proc->preempt = 1;
            CpuState *cpu = lu_thread_cpu;
            if (cpu) {
                cpu_exit(cpu);
            }
        }
    }
    return NULL;
}

static void start_ticker(LinuxProc *proc)
{
    if (proc->ticker_started) {
        return;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    if (pthread_create(&th, &attr, ticker_main, proc) == 0) {
        proc->ticker_started = true;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- create / exit ---- */

int64_t lu_thread_create(CpuState *cpu, uint64_t flags, uint64_t newsp, uint64_t ptid,
                         uint64_t tls, uint64_t ctid)
{
    TaskState *cur = lu_task(cpu);
    LinuxProc *proc = cur->proc;
    const uint64_t need = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
    if ((flags & need) != need || (flags & CLONE_VFORK)) {
        /* A CLONE_VM child that is not a thread (a process sharing our
         * memory) cannot be had with one host process. */
        return -EINVAL;
    }
    if ((flags & CLONE_PARENT_SETTID) && !lu_guest_ptr(cpu, ptid, 4, PAGE_WRITE)) {
        return -EFAULT;
    }
    if ((flags & CLONE_CHILD_SETTID) && !lu_guest_ptr(cpu, ctid, 4, PAGE_WRITE)) {
        return -EFAULT;
    }
    if (proc->next_tid >= INT32_MAX - 1) {
        return -EAGAIN;
    }
    TaskState *t = g_new0(TaskState, 1);
    t->proc = proc;
    t->tid = ++proc->next_tid;
    t->sigmask = cur->sigmask;
    t->altstack_flags = 2; /* SS_DISABLE: a new thread has no altstack */
    t->state = LU_THREAD_RUNNABLE;
    t->regs = lu_arch_regs_new();
    lu_arch_regs_clone(cpu, t->regs, newsp, flags & CLONE_SETTLS, tls);
    if (flags & CLONE_CHILD_CLEARTID) {
        t->clear_child_tid = ctid;
    }
    if (flags & CLONE_PARENT_SETTID) {
        lu_put_u32(cpu, ptid, t->tid);
    }
    if (flags & CLONE_CHILD_SETTID) {
        lu_put_u32(cpu, ctid, t->tid);
    }
    /* Run after the current thread in the ring. */
    t->next = cur->next;
    cur->next = t;
    __atomic_add_fetch(&proc->nthreads, 1, __ATOMIC_RELAXED);
    start_ticker(proc);
    return t->tid;
}

static int futex_wake(LinuxProc *proc, uint64_t addr, int n, uint32_t bitset);

void lu_thread_exit(CpuState *cpu, int code)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    if (proc->nthreads <= 1) {
        lu_exit(code);
    }
    if (ts->clear_child_tid && lu_put_u32(cpu, ts->clear_child_tid, 0) == 0) {
        futex_wake(proc, ts->clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY);
    }
    ts->state = LU_THREAD_DEAD;
}

void lu_thread_fork_child(CpuState *cpu)
{
    TaskState *cur = lu_task(cpu);
    LinuxProc *proc = cur->proc;
    TaskState *t = cur->next;
    while (t != cur) {
        TaskState *n = t->next;
        g_free(t->io_fds);
        g_free(t->regs);
        g_free(t);
        t = n;
    }
    cur->next = cur;
    cur->tid = getpid();
    proc->nthreads = 1;
    proc->ticker_started = false; /* fork copies no other host thread */
    proc->preempt = 0;
}

/* ---- scheduling ---- */

/* May t run now?  Wakes it up if its wait is over. */
static bool thread_ready(LinuxProc *proc, TaskState *t, int64_t now)
{
    switch (t->state) {
    case LU_THREAD_RUNNABLE:
        return true;
    case LU_THREAD_SIGWAIT:
        return false; /* only lu_thread_interrupt wakes it */
    case LU_THREAD_FUTEX:
    case LU_THREAD_SLEEP:
        if (t->has_deadline && ts_to_ns(&t->deadline) <= now) {
            make_runnable(t, true, t->state == LU_THREAD_FUTEX ? -ETIMEDOUT : 0);
            return true;
        }
        return false;
    case LU_THREAD_IO:
        if (t->has_deadline && ts_to_ns(&t->deadline) <= now) {
            t->io_timed_out = true;
        } else if (!(t->io_wake_on_signal && proc->signal_seq != t->io_signal_seq) &&
                   !(t->io_nfds && poll(t->io_fds, t->io_nfds, 0) != 0)) {
            return false;
        }
        make_runnable(t, false, 0);
        return true;
    default:
        return false;
    }
}

static bool sig_ignored(LinuxProc *proc, int sig)
{
    uint64_t h = proc->sigact[sig].handler;
    if (h == GUEST_SIG_IGN) {
        return true;
    }
    return h == GUEST_SIG_DFL &&
           (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT);
}

/* A process signal some blocked thread could take: wake that thread. */
static bool wake_for_signal(LinuxProc *proc)
{
    uint64_t p = proc->pending;
    for (int sig = 1; p && sig <= LU_NSIG; sig++) {
        if (!(p & (1ull << (sig - 1))) || sig_ignored(proc, sig)) {
            continue;
        }
        TaskState *t = proc->current;
        for (int i = 0; i < proc->nthreads; i++, t = t->next) {
            if (t->state != LU_THREAD_DEAD && !(t->sigmask & (1ull << (sig - 1)))) {
                lu_thread_interrupt(t);
                return true;
            }
        }
    }
    return false;
}

/* Nobody can run: sleep until an fd, a deadline or a host signal. */
static void idle_wait(LinuxProc *proc, uint32_t seq)
{
    sigset_t blocked, saved, empty;
    sigfillset(&blocked);
    sigdelset(&blocked, SIGSEGV);
    sigdelset(&blocked, SIGBUS);
    sigemptyset(&empty);
    pthread_sigmask(SIG_BLOCK, &blocked, &saved);
    if (proc->signal_seq == seq) {
        GArray *fds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
        int64_t deadline = INT64_MAX;
        TaskState *t = proc->current;
        for (int i = 0; i < proc->nthreads; i++, t = t->next) {
            if (t->state == LU_THREAD_IO) {
                g_array_append_vals(fds, t->io_fds, t->io_nfds);
            }
            if ((t->state == LU_THREAD_FUTEX || t->state == LU_THREAD_SLEEP ||
                 t->state == LU_THREAD_IO) && t->has_deadline) {
                deadline = MIN(deadline, ts_to_ns(&t->deadline));
            }
        }
        struct timespec tmo, *ptmo = NULL;
        if (deadline != INT64_MAX) {
            tmo = ns_to_ts(MAX(deadline - now_mono(), 0));
            ptmo = &tmo;
        }
        ppoll((struct pollfd *)fds->data, fds->len, ptmo, &empty);
        g_array_free(fds, TRUE);
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

static void unlink_thread(LinuxProc *proc, TaskState *dead)
{
    TaskState *prev = dead;
    while (prev->next != dead) {
        prev = prev->next;
    }
    prev->next = dead->next;
    __atomic_sub_fetch(&proc->nthreads, 1, __ATOMIC_RELAXED);
    g_free(dead->io_fds);
    g_free(dead->regs);
    g_free(dead);
}

void lu_schedule(CpuState *cpu)
{
    TaskState *cur = lu_task(cpu);
    LinuxProc *proc = cur->proc;
    TaskState *start = cur->next;

    proc->preempt = 0;
    if (cur->state == LU_THREAD_DEAD) {
        unlink_thread(proc, cur);
        cur = NULL;
    } else {
        lu_arch_regs_save(cpu, cur->regs);
    }
    for (;;) {
        uint32_t seq = proc->signal_seq;
        int64_t now = now_mono();
        TaskState *t = start;
        for (int i = 0; i < proc->nthreads; i++, t = t->next) {
            if (thread_ready(proc, t, now)) {
                proc->current = t;
                cpu->opaque = t;
                lu_arch_regs_load(cpu, t->regs);
                return;
            }
        }
        if (wake_for_signal(proc)) {
            continue;
        }
        idle_wait(proc, seq);
    }
}

/* ---- futex ---- */

static int futex_wake(LinuxProc *proc, uint64_t addr, int n, uint32_t bitset)
{
    int woken = 0;
    TaskState *t = proc->current;
    for (int i = 0; i < proc->nthreads && woken < n; i++, t = t->next) {
        if (t->state == LU_THREAD_FUTEX && t->futex_addr == addr && (t->futex_bitset & bitset)) {
            make_runnable(t, true, 0);
            woken++;
        }
    }
    return woken;
}

static int futex_requeue(LinuxProc *proc, uint64_t from, uint64_t to, int nwake, int nmove)
{
    int woken = futex_wake(proc, from, nwake, FUTEX_BITSET_MATCH_ANY);
    int moved = 0;
    TaskState *t = proc->current;
    for (int i = 0; i < proc->nthreads && moved < nmove; i++, t = t->next) {
        if (t->state == LU_THREAD_FUTEX && t->futex_addr == from) {
            t->futex_addr = to;
            moved++;
        }
    }
    return woken + moved;
}

static int32_t sext12(uint32_t v)
{
    return (int32_t)(v << 20) >> 20;
}

static int64_t futex_wake_op(CpuState *cpu, LinuxProc *proc, uint64_t uaddr, int n,
                             uint64_t uaddr2, int n2, uint32_t val3)
{
    uint32_t *p2 = lu_guest_ptr(cpu, uaddr2, 4, PAGE_READ | PAGE_WRITE);
    if (!p2 || (uaddr2 & 3)) {
        return -EFAULT;
    }
    int op = (val3 >> 28) & 7;
    int cmp = (val3 >> 24) & 15;
    int32_t oparg = sext12(val3 >> 12);
    int32_t cmparg = sext12(val3);
    if ((val3 >> 28) & 8) {
        oparg = 1 << (oparg & 31);
    }
    uint32_t old = *p2, v;
    switch (op) {
    case FUTEX_OP_SET: v = oparg; break;
    case FUTEX_OP_ADD: v = old + oparg; break;
    case FUTEX_OP_OR: v = old | oparg; break;
    case FUTEX_OP_ANDN: v = old & ~oparg; break;
    case FUTEX_OP_XOR: v = old ^ oparg; break;
    default: return -ENOSYS;
    }
    bool c;
    switch (cmp) {
    case FUTEX_OP_CMP_EQ: c = (int32_t)old == cmparg; break;
    case FUTEX_OP_CMP_NE: c = (int32_t)old != cmparg; break;
    case FUTEX_OP_CMP_LT: c = (int32_t)old < cmparg; break;
    case FUTEX_OP_CMP_LE: c = (int32_t)old <= cmparg; break;
    case FUTEX_OP_CMP_GT: c = (int32_t)old > cmparg; break;
    case FUTEX_OP_CMP_GE: c = (int32_t)old >= cmparg; break;
    default: return -ENOSYS;
    }
    *p2 = v;
    int r = futex_wake(proc, uaddr, n, FUTEX_BITSET_MATCH_ANY);
    if (c) {
        r += futex_wake(proc, uaddr2, n2, FUTEX_BITSET_MATCH_ANY);
    }
    return r;
}

/* The deadline of a FUTEX_WAIT(_BITSET) timeout, as CLOCK_MONOTONIC. */
static int futex_deadline(CpuState *cpu, int op, uint64_t addr, struct timespec *out)
{
    struct timespec t;
    if (lu_copy_from_guest(cpu, &t, addr, sizeof(t)) < 0) {
        return -EFAULT;
    }
    if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000) {
        return -EINVAL;
    }
    int64_t ns = ts_to_ns(&t);
    if ((op & FUTEX_CMD_MASK) == FUTEX_WAIT) {
        ns += now_mono();                   /* relative */
    } else if (op & FUTEX_CLOCK_REALTIME) {
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        ns = ns - ts_to_ns(&rt) + now_mono();
    }
    *out = ns_to_ts(MAX(ns, 0));
    return 0;
}

int64_t lu_futex(CpuState *cpu, const uint64_t *a)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    int op = (int)a[1];
    int cmd = op & FUTEX_CMD_MASK;
    uint64_t uaddr = a[0];
    if (uaddr & 3) {
        return -EINVAL;
    }
    uint32_t *hu = lu_guest_ptr(cpu, uaddr, 4, PAGE_READ);
    if (!hu) {
        return -EFAULT;
    }
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5];
        if (!bitset) {
            return -EINVAL;
        }
        ts->has_deadline = false;
        if (a[3]) {
            int r = futex_deadline(cpu, op, a[3], &ts->deadline);
            if (r < 0) {
                return r;
            }
            ts->has_deadline = true;
        }
        if (*hu != (uint32_t)a[2]) {
            return -EAGAIN;
        }
        ts->state = LU_THREAD_FUTEX;
        ts->futex_addr = uaddr;
        ts->futex_bitset = bitset;
        return -LU_EBLOCK;
    }
    case FUTEX_WAKE:
        return futex_wake(proc, uaddr, (int)a[2], FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAKE_BITSET:
        if (!(uint32_t)a[5]) {
            return -EINVAL;
        }
        return futex_wake(proc, uaddr, (int)a[2], (uint32_t)a[5]);
    case FUTEX_CMP_REQUEUE:
        if (*hu != (uint32_t)a[5]) {
            return -EAGAIN;
        }
        /* fall through */
    case FUTEX_REQUEUE:
        if (a[4] & 3) {
            return -EINVAL;
        }
        return futex_requeue(proc, uaddr, a[4], (int)a[2], (int)a[3]);
    case FUTEX_WAKE_OP:
        return futex_wake_op(cpu, proc, uaddr, (int)a[2], a[4], (int)a[3], (uint32_t)a[5]);
    default:
        /* PI futexes need an owner-aware kernel implementation */
        return -ENOSYS;
    }
}

/* ---- blocking syscalls ---- */

bool lu_thread_park(CpuState *cpu, const struct pollfd *fds, int nfds,
                    const struct timespec *rel_timeout, bool wake_on_signal)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    if (proc->nthreads <= 1) {
        return false;
    }
    if (!ts->io_rerun) {
        ts->has_deadline = rel_timeout != NULL;
        if (rel_timeout) {
            ts->deadline = ns_to_ts(now_mono() + ts_to_ns(rel_timeout));
        }
    }
    g_free(ts->io_fds);
    ts->io_fds = g_memdup2(fds, sizeof(*fds) * nfds);
    ts->io_nfds = nfds;
    ts->io_wake_on_signal = wake_on_signal;
    ts->io_signal_seq = proc->signal_seq;
    ts->io_rerun = true;
    ts->io_timed_out = false;
    ts->state = LU_THREAD_IO;
    return true;
}

bool lu_thread_would_block(CpuState *cpu, int fd, short events)
{
    if (lu_proc(cpu)->nthreads <= 1) {
        return false;
    }
    struct pollfd p = { .fd = fd, .events = events };
    if (fd >= 0) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || (fl & O_NONBLOCK)) {
            return false;
        }
        if (poll(&p, 1, 0) != 0) {
            return false;
        }
    }
    return lu_thread_park(cpu, &p, fd >= 0, NULL, fd < 0);
}

bool lu_thread_sigwait(CpuState *cpu)
{
    TaskState *ts = lu_task(cpu);
    if (ts->proc->nthreads <= 1) {
        return false;
    }
    ts->state = LU_THREAD_SIGWAIT;
    ts->has_deadline = false;
    return true;
}

bool lu_thread_sleep(CpuState *cpu, const struct timespec *deadline_mono)
{
    TaskState *ts = lu_task(cpu);
    if (ts->proc->nthreads <= 1) {
        return false;
    }
    ts->state = LU_THREAD_SLEEP;
    ts->has_deadline = true;
    ts->deadline = *deadline_mono;
    return true;
}
