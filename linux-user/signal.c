/*
 * Guest signals: host handlers, the pending set, delivery, default actions.
 *
 * Host side.  Every catchable host signal the guest has not ignored gets a
 * handler that records it as pending for the guest (with its siginfo: the
 * host and riscv64 siginfo layouts are the same) and asks the vCPU of the
 * thread it interrupted to leave generated code (cpu_exit).  The cpu loop
 * delivers pending signals after every cpu_exec return and every syscall.
 * Host signals are never blocked to mirror the guest mask: the guest mask
 * is applied here, at delivery.
 *
 * Threads.  The kernel hands a process-directed host signal to any of our
 * threads; a tgkill'd one (si_code SI_TKILL) is that thread's own.  Pending
 * sets and dispositions are guarded by sig_lock, a spin lock taken either
 * inside a handler (async handlers run with every async signal blocked) or
 * with host signals blocked, so it is never taken twice on one thread.  A
 * process-directed signal that the thread which sees it blocks is left in
 * proc->pending and the threads that do not block it are kicked
 * (LU_SIG_KICK); the first to look takes it, as in the kernel.
 * Handlers are installed without SA_RESTART, so a blocking host syscall
 * returns EINTR and the syscall layer decides between restarting and
 * -EINTR (LU_ERESTARTSYS) once it knows what the guest handler wants.
 * A guest SIG_IGN is mirrored as host SIG_IGN (so it survives execve, and
 * an ignored SIGCHLD auto-reaps).  A host EINTR caused by a signal the
 * guest ends up ignoring just restarts the syscall.
 *
 * SIGSEGV/SIGBUS from the kernel are faults: in generated code they become
 * guest exceptions (user_handle_host_fault); anywhere else the emulator
 * itself crashed.  That handler runs on an alternate stack.
 *
 * Host signals 32 and 33 are glibc's own: guest uses of them are emulated
 * within the process only.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/linux-user.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

enum { DFL_TERM, DFL_CORE, DFL_IGN, DFL_STOP };

static int default_action(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
    case SIGCONT:
        return DFL_IGN;
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return DFL_STOP;
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
        return DFL_CORE;
    default:
        return DFL_TERM;
    }
}

/* Host signals we may not or need not take over. */
static bool host_sig_reserved(int sig)
{
    return sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33;
}

/* ---- host handlers ---- */

/* The process the handlers record signals for (set once, at init). */
static LinuxProc *sig_proc;
static pid_t sig_pid; /* getpid(), for handlers */

static int sig_lock_word;
static __thread sigset_t sig_lock_saved_mask;

static void sig_spin_lock(void)
{
    while (__atomic_exchange_n(&sig_lock_word, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&sig_lock_word, __ATOMIC_RELAXED)) {
            __builtin_ia32_pause();
        }
    }
}

static void sig_spin_unlock(void)
{
    __atomic_store_n(&sig_lock_word, 0, __ATOMIC_RELEASE);
}

static void async_sigset(sigset_t *set)
{
    sigfillset(set);
    sigdelset(set, SIGSEGV);
    sigdelset(set, SIGBUS);
}

/* sig_lock from ordinary code: host signals blocked while it is held.
 * SIGSEGV/SIGBUS too: one sent by kill(2) is handled as an async signal
 * (and nothing under the lock touches guest memory). */
static void sig_lock(void)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &sig_lock_saved_mask);
    sig_spin_lock();
}

static void sig_unlock(void)
{
    sig_spin_unlock();
    pthread_sigmask(SIG_SETMASK, &sig_lock_saved_mask, NULL);
}

void lu_signal_fork_prepare(void)
{
    sig_lock();
}

void lu_signal_fork_parent(void)
{
    sig_unlock();
}

void lu_signal_fork_child(CpuState *cpu)
{
    /* A child starts with no pending signals; ones sent to it from now on
     * arrive once sig_unlock opens the host mask again. */
    TaskState *ts = lu_task(cpu);
    ts->pending = 0;
    ts->proc->pending = 0;
    ts->pending_rt.n = 0;
    ts->proc->pending_rt.n = 0;
    ts->sync_pending = false;
    ts->kick_in_flight = 0;     /* a kick sent to the parent is not ours */
    sig_pid = getpid();
    sig_unlock();
}

/*
 * Safe blocking syscalls.  lu_sig_flag is set by every host signal handler
 * and cleared when the cpu loop looks at pending signals.  lu_safe_syscall6
 * tests it right before the syscall instruction; a signal landing between
 * that test and the instruction makes the handler move the pc to the
 * "interrupted" exit.  A signal inside the syscall makes the kernel return
 * EINTR (handlers have no SA_RESTART).  Either way the syscall layer sees
 * EINTR, and the guest sees its signal and a restart or -EINTR.
 */
__thread volatile int lu_sig_flag __attribute__((visibility("hidden")));

#if defined(__x86_64__)
extern const char lu_safe_syscall_start[], lu_safe_syscall_end[], lu_safe_syscall_intr[];
__asm__(".text\n"
        ".globl lu_safe_syscall6\n"
        ".type lu_safe_syscall6, @function\n"
        "lu_safe_syscall6:\n"
        "    mov %rdi, %rax\n"          /* nr */
        "    mov %rsi, %rdi\n"
        "    mov %rdx, %rsi\n"
        "    mov %rcx, %rdx\n"
        "    mov %r8, %r10\n"
        "    mov %r9, %r8\n"
        "    mov 8(%rsp), %r9\n"
        "lu_safe_syscall_start:\n"
        "    cmpl $0, %fs:lu_sig_flag@tpoff\n"
        "    jnz lu_safe_syscall_intr\n"
        "    syscall\n"
        "lu_safe_syscall_end:\n"
        "    ret\n"
        "lu_safe_syscall_intr:\n"
        "    mov $-4, %rax\n"           /* -EINTR */
        "    ret\n"
        ".size lu_safe_syscall6, .-lu_safe_syscall6\n");

static void safe_syscall_rewind(void *puc)
{
    ucontext_t *uc = puc;
    uintptr_t pc = uc->uc_mcontext.gregs[REG_RIP];
    if (pc > (uintptr_t)lu_safe_syscall_start && pc < (uintptr_t)lu_safe_syscall_end) {
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)lu_safe_syscall_intr;
    }
}
#else
long lu_safe_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
    /* Portable fallback: the race described above stays open. */
    if (lu_sig_flag) {
        return -EINTR;
    }
    long r = syscall(nr, a1, a2, a3, a4, a5, a6);
    return r == -1 ? -errno : r;
}

static void safe_syscall_rewind(void *puc)
{
}
#endif

#define SIGRTMIN_GUEST 32

/* Add sig to a pending set (proc's or a thread's); sig_lock held.  A
 * real-time signal already pending queues another instance. */
static void add_pending_locked(volatile uint64_t *pending, GuestSiginfo *infos, LuRtQueue *q,
                               int sig, const GuestSiginfo *info)
{
    if (!(*pending & SIGBIT(sig))) {
        infos[sig] = *info;
        infos[sig].si_signo = sig;
    } else if (sig >= SIGRTMIN_GUEST && q->n < LU_RTQ_MAX) {
        q->info[q->n] = *info;
        q->info[q->n].si_signo = sig;
        q->n++;
    }
    __atomic_or_fetch(pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
}

/* Take sig out of a pending set; sig_lock held.  The next queued instance
 * of a real-time signal, if any, keeps it pending. */
static GuestSiginfo take_pending_locked(volatile uint64_t *pending, GuestSiginfo *infos,
                                        LuRtQueue *q, int sig)
{
    GuestSiginfo taken = infos[sig];
    for (int i = 0; i < q->n; i++) {
        if (q->info[i].si_signo == sig) {
            infos[sig] = q->info[i];
            memmove(&q->info[i], &q->info[i + 1], (size_t)(q->n - i - 1) * sizeof(q->info[0]));
            q->n--;
            return taken;
        }
    }
    __atomic_and_fetch(pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
    return taken;
}

static void write_str(const char *s)
{
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static void host_async_handler(int sig, siginfo_t *si, void *puc)
{
    CpuState *cpu = current_cpu;
    int saved = errno;
    if ((sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) && si->si_code > 0) {
        /* Raised by the kernel for an instruction of ours: returning would
         * re-run it forever.  Guest traps never reach the host this way. */
        char buf[128];
        snprintf(buf, sizeof(buf), "rove: internal error: host signal %d (code %d)\n", sig,
                 si->si_code);
        write_str(buf);
        signal(SIGABRT, SIG_DFL);
        abort();
    }
    lu_sig_flag = 1;
    safe_syscall_rewind(puc);
    if (sig == LU_SIG_KICK && si->si_code == SI_TKILL && si->si_pid == sig_pid) {
        /* Our own kick: only look at the pending signals.  From here on
         * a new kick needs a signal of its own (lu_thread_kick). */
        if (cpu) {
            (void)__atomic_exchange_n(&lu_task(cpu)->kick_in_flight, 0, __ATOMIC_SEQ_CST);
        }
    } else if (sig_proc) {
        G_STATIC_ASSERT(sizeof(siginfo_t) == sizeof(GuestSiginfo));
        GuestSiginfo info;
        memcpy(&info, si, sizeof(info));
        TaskState *ts = cpu ? lu_task(cpu) : NULL;
        sig_spin_lock();
        if (ts && si->si_code == SI_TKILL) {
            add_pending_locked(&ts->pending, ts->pending_info, &ts->pending_rt, sig, &info);
        } else {
            add_pending_locked(&sig_proc->pending, sig_proc->pending_info,
                               &sig_proc->pending_rt, sig, &info);
        }
        sig_spin_unlock();
    }
    if (cpu) {
        cpu_exit(cpu);
    }
    errno = saved;
}

static void host_fault_handler(int sig, siginfo_t *si, void *puc)
{
    CpuState *cpu = current_cpu;
    uintptr_t pc = 0;
    bool is_write = false;

    if (si->si_code <= 0) {
        /* kill(2)/tgkill(2) from someone: an ordinary guest signal */
        host_async_handler(sig, si, puc);
        return;
    }
    const uint64_t *host_regs = NULL;
#if defined(__x86_64__)
    ucontext_t *uc = puc;
    pc = uc->uc_mcontext.gregs[REG_RIP];
    is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
    /* in the x86 back end's register numbering */
    static const int greg_of[16] = {
        REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
        REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
    };
    uint64_t regs[16];
    for (int i = 0; i < 16; i++) {
        regs[i] = (uint64_t)uc->uc_mcontext.gregs[greg_of[i]];
    }
    host_regs = regs;
#elif defined(__aarch64__)
    ucontext_t *uc = puc;
    pc = uc->uc_mcontext.pc;
    /* ESR is in the __reserved area's esr_context; approximate: */
    is_write = false;
#endif
    if (cpu && user_handle_host_fault(cpu, pc, (uintptr_t)si->si_addr, is_write, host_regs)) {
        return;
    }
    char buf[160];
    snprintf(buf, sizeof(buf), "rove: internal error: host %s at pc 0x%lx, address 0x%lx\n",
             sig == SIGSEGV ? "SIGSEGV" : "SIGBUS", (unsigned long)pc,
             (unsigned long)(uintptr_t)si->si_addr);
    write_str(buf);
    signal(SIGABRT, SIG_DFL);
    abort();
}

/* Make the host disposition of sig follow the guest's. */
static void update_host_action(LinuxProc *proc, int sig)
{
    if (host_sig_reserved(sig) || sig == SIGSEGV || sig == SIGBUS) {
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    uint64_t h = proc->sigact[sig].handler;
    if (h == GUEST_SIG_IGN && sig != LU_SIG_KICK) {
        sa.sa_handler = SIG_IGN;
    } else {
        /* Even a default-ignored signal is caught: while the guest blocks
         * it, it must stay pending (sigtimedwait, signalfd-like use). */
        sa.sa_sigaction = host_async_handler;
        sa.sa_flags = SA_SIGINFO;
        /* No other async handler on this thread meanwhile (sig_lock). */
        async_sigset(&sa.sa_mask);
    }
    sigaction(sig, &sa, NULL);
}

/* The fault handler's stack: one per thread. */
static __thread void *fault_stack;
#define FAULT_STACK_SIZE (256 * 1024)

void lu_signal_thread_init(CpuState *cpu)
{
    (void)cpu;
    /* The fault handler needs a stack of its own (guest stack overflow
     * cannot happen on the host stack, but an emulator one can). */
    stack_t ss = { .ss_size = FAULT_STACK_SIZE };
    fault_stack = g_malloc(FAULT_STACK_SIZE);
    ss.ss_sp = fault_stack;
    sigaltstack(&ss, NULL);
}

void lu_signal_thread_start(CpuState *cpu)
{
    (void)cpu;
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
}

void lu_signal_thread_stop(CpuState *cpu)
{
    (void)cpu;
    sigset_t all;
    async_sigset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    stack_t ss = { .ss_flags = SS_DISABLE };
    sigaltstack(&ss, NULL);
    g_free(fault_stack);
    fault_stack = NULL;
}

void lu_signal_init(CpuState *cpu)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    sig_proc = proc;
    sig_pid = getpid();
    lu_signal_thread_init(cpu);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = host_fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    /* No async handler inside it (a kill(2)'d SIGSEGV takes sig_lock); the
     * mask comes back with siglongjmp (sigsetjmp saved it). */
    async_sigset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    /* Inherit ignored signals and the blocked mask across execve. */
    sigset_t old;
    sigprocmask(SIG_SETMASK, NULL, &old);
    for (int sig = 1; sig <= LU_NSIG; sig++) {
        struct sigaction cur;
        if (sigismember(&old, sig) == 1 && !(UNBLOCKABLE & SIGBIT(sig))) {
            lu_set_sigmask(ts, ts->sigmask | SIGBIT(sig));
        }
        if (host_sig_reserved(sig)) {
            continue;
        }
        if (sigaction(sig, NULL, &cur) == 0 && cur.sa_handler == SIG_IGN &&
            sig != SIGSEGV && sig != SIGBUS) {
            proc->sigact[sig].handler = GUEST_SIG_IGN;
        }
        update_host_action(proc, sig);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

void lu_signal_reset_for_exec(void)
{
    CpuState *cpu = current_cpu;
    sigset_t set;
    sigemptyset(&set);
    for (int sig = 1; sig <= LU_NSIG; sig++) {
        if ((lu_task(cpu)->sigmask & SIGBIT(sig)) && !host_sig_reserved(sig)) {
            sigaddset(&set, sig);
        }
    }
    /* The new rove reads the guest's blocked mask from the host mask. */
    sigprocmask(SIG_SETMASK, &set, NULL);
    /* Blocked signals still pending survive exec, as in the kernel: send
     * them back to the host, where they stay pending (blocked) across the
     * execve and reach the new rove's handlers.  If execve fails they are
     * delivered to ours again. */
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    pid_t tid = gettid();
    for (int sig = 1; sig <= LU_NSIG; sig++) {
        if (!sigismember(&set, sig) || sig == LU_SIG_KICK) {
            continue;
        }
        for (;;) {
            GuestSiginfo info;
            bool have = false;
            sig_lock();
            if (ts->pending & SIGBIT(sig)) {
                info = take_pending_locked(&ts->pending, ts->pending_info, &ts->pending_rt, sig);
                have = true;
            } else if (proc->pending & SIGBIT(sig)) {
                info = take_pending_locked(&proc->pending, proc->pending_info,
                                           &proc->pending_rt, sig);
                have = true;
            }
            sig_unlock();
            if (!have) {
                break;
            }
            /* With its siginfo when the kernel accepts it (sent to
             * ourselves), else plainly. */
            if (syscall(SYS_rt_tgsigqueueinfo, sig_pid, tid, sig, &info) < 0) {
                syscall(SYS_tgkill, sig_pid, tid, sig);
            }
        }
    }
}

int64_t lu_execve(CpuState *cpu, const char *path, char **argv, char **envp)
{
    lu_signal_reset_for_exec();
    if (lu_signal_pending_unblocked(cpu)) {
        /* It arrived first: deliver it, then run the execve again. */
        lu_signal_restore_after_exec_failure();
        return -LU_ERESTARTSYS;
    }
    /* A signal from here on makes the safe syscall return EINTR instead
     * of execing with the signal only in our (then lost) pending set. */
    long r = lu_safe_syscall6(SYS_execve, (long)path, (long)argv, (long)envp, 0, 0, 0);
    lu_signal_restore_after_exec_failure();
    return r == -EINTR ? -LU_ERESTARTSYS : r;
}

void lu_signal_restore_after_exec_failure(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---- guest-side state ---- */

/* lu_thread_foreach callback: drop signal *opaque from t and the process. */
static void drop_queued_locked(LuRtQueue *q, int sig)
{
    int k = 0;
    for (int i = 0; i < q->n; i++) {
        if (q->info[i].si_signo != sig) {
            q->info[k++] = q->info[i];
        }
    }
    q->n = k;
}

static void discard_pending(TaskState *t, void *opaque)
{
    int sig = *(int *)opaque;
    sig_lock();
    __atomic_and_fetch(&t->pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
    __atomic_and_fetch(&t->proc->pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
    drop_queued_locked(&t->pending_rt, sig);
    drop_queued_locked(&t->proc->pending_rt, sig);
    sig_unlock();
}

int lu_sigaction(CpuState *cpu, int sig, const GuestSigAction *act, GuestSigAction *old)
{
    LinuxProc *proc = lu_proc(cpu);
    if (sig < 1 || sig > LU_NSIG) {
        return -EINVAL;
    }
    if (act && (sig == SIGKILL || sig == SIGSTOP)) {
        return -EINVAL;
    }
    sig_lock();
    if (old) {
        *old = proc->sigact[sig];
    }
    if (act) {
        proc->sigact[sig] = *act;
        proc->sigact[sig].mask &= ~UNBLOCKABLE;
        update_host_action(proc, sig);
    }
    sig_unlock();
    if (act && (act->handler == GUEST_SIG_IGN ||
                (act->handler == GUEST_SIG_DFL && default_action(sig) == DFL_IGN))) {
        /* POSIX: setting SIG_IGN discards a pending instance. */
        lu_thread_foreach(proc, discard_pending, &sig);
    }
    return 0;
}

static bool sig_is_ignored(LinuxProc *proc, int sig)
{
    uint64_t h = proc->sigact[sig].handler;
    return h == GUEST_SIG_IGN || (h == GUEST_SIG_DFL && default_action(sig) == DFL_IGN);
}

bool lu_signal_pending_unblocked(CpuState *cpu)
{
    TaskState *ts = lu_task(cpu);
    uint64_t p = (__atomic_load_n(&ts->pending, __ATOMIC_SEQ_CST) |
                  __atomic_load_n(&ts->proc->pending, __ATOMIC_SEQ_CST)) &
                 ~ts->sigmask;
    if (ts->sync_pending) {
        return true;
    }
    for (int sig = 1; p; sig++, p >>= 1) {
        if ((p & 1) && !sig_is_ignored(ts->proc, sig)) {
            return true;
        }
    }
    return false;
}

void lu_queue_signal(CpuState *cpu, int sig, const GuestSiginfo *info)
{
    LinuxProc *proc = lu_proc(cpu);
    sig_lock();
    add_pending_locked(&proc->pending, proc->pending_info, &proc->pending_rt, sig, info);
    sig_unlock();
    /* This thread looks first, and kicks another if it blocks sig. */
    cpu_exit(cpu);
}

void lu_queue_thread_signal(TaskState *t, int sig, const GuestSiginfo *info)
{
    sig_lock();
    add_pending_locked(&t->pending, t->pending_info, &t->pending_rt, sig, info);
    sig_unlock();
    lu_thread_kick(t);
}

/* lu_thread_foreach callback: kick t if it takes one of the signals *opaque. */
static void kick_if_unblocked(TaskState *t, void *opaque)
{
    uint64_t sigs = *(uint64_t *)opaque;
    if (sigs & ~__atomic_load_n(&t->sigmask, __ATOMIC_RELAXED)) {
        lu_thread_kick(t);
    }
}

/*
 * Process-directed signals this thread blocks: wake the threads that do
 * not (the signal stays in proc->pending for whichever looks first).
 */
static void route_blocked_signals(CpuState *cpu)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    uint64_t p = __atomic_load_n(&proc->pending, __ATOMIC_SEQ_CST) & ts->sigmask;
    uint64_t route = 0;
    for (int sig = 1; p && sig <= LU_NSIG; sig++, p >>= 1) {
        if ((p & 1) && !sig_is_ignored(proc, sig)) {
            route |= SIGBIT(sig);
        }
    }
    if (route && lu_thread_count(proc) > 1) {
        lu_thread_foreach(proc, kick_if_unblocked, &route);
    }
}

void lu_queue_sync_signal(CpuState *cpu, int sig, int code, uint64_t addr)
{
    TaskState *ts = lu_task(cpu);
    memset(&ts->sync_info, 0, sizeof(ts->sync_info));
    ts->sync_info.si_signo = sig;
    ts->sync_info.si_code = code;
    ts->sync_info.u.fault.addr = addr;
    ts->sync_pending = true;
}

_Noreturn void lu_die_by_signal(int sig)
{
    if (rove_log_file) {
        fflush(rove_log_file);
    }
    fflush(stdout);
    fflush(stderr);
    if (default_action(sig) == DFL_CORE) {
        /* A core of the emulator would only mislead: the wait status
         * still says "killed by sig". */
        struct rlimit rl = { 0, 0 };
        setrlimit(RLIMIT_CORE, &rl);
    }
    if (!host_sig_reserved(sig)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_DFL;
        sigaction(sig, &sa, NULL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), sig);
    }
    _exit(128 + sig);
}

/* Default stop: stop the host process with the same signal. */
static void do_stop(LinuxProc *proc, int sig)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(sig, &sa, &old);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), sig);
    sigaction(sig, &old, NULL);
}

static void deliver(CpuState *cpu, int sig, const GuestSiginfo *info, bool sync)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    sig_lock();
    GuestSigAction act = proc->sigact[sig];
    if (act.handler > GUEST_SIG_IGN && (act.flags & SA_RESETHAND)) {
        proc->sigact[sig].handler = GUEST_SIG_DFL;
        proc->sigact[sig].flags &= ~SA_SIGINFO;
        update_host_action(proc, sig);
    }
    sig_unlock();
    const GuestSigAction *ka = &act;

    if (sync && ((ts->sigmask & SIGBIT(sig)) || ka->handler == GUEST_SIG_IGN)) {
        /* A fault the guest cannot take: the kernel forces the default. */
        lu_die_by_signal(sig);
    }
    if (ka->handler == GUEST_SIG_IGN) {
        return;
    }
    if (ka->handler == GUEST_SIG_DFL) {
        switch (default_action(sig)) {
        case DFL_IGN:
            return;
        case DFL_STOP:
            do_stop(proc, sig);
            return;
        default:
            lu_die_by_signal(sig);
        }
    }
    if (ts->syscall_restart) {
        /* The interrupted syscall is at pc with its a0 intact: restart it
         * after the handler, or make it return -EINTR. */
        if (!(ka->flags & SA_RESTART)) {
            lu_arch_set_retval(cpu, -EINTR);
        }
        ts->syscall_restart = false;
    }
    uint64_t old_mask = ts->in_sigsuspend ? ts->saved_sigmask : ts->sigmask;
    ts->in_sigsuspend = false;
    lu_arch_setup_frame(cpu, sig, &act, info, old_mask);
    lu_set_sigmask(ts, old_mask | act.mask);
    if (!(act.flags & SA_NODEFER)) {
        lu_set_sigmask(ts, ts->sigmask | SIGBIT(sig));
    }
    lu_set_sigmask(ts, ts->sigmask & ~UNBLOCKABLE);
}

void lu_process_pending_signals(CpuState *cpu)
{
    TaskState *ts = lu_task(cpu);

    /* Signals that arrived so far are looked at now: later safe syscalls
     * need not be interrupted for them. */
    lu_sig_flag = 0;

    if (ts->sync_pending) {
        GuestSiginfo info = ts->sync_info;
        ts->sync_pending = false;
        deliver(cpu, info.si_signo, &info, true);
    }
    LinuxProc *proc = ts->proc;
    while ((__atomic_load_n(&ts->pending, __ATOMIC_SEQ_CST) |
            __atomic_load_n(&proc->pending, __ATOMIC_SEQ_CST)) & ~ts->sigmask) {
        GuestSiginfo info;
        int sig = 0;
        sig_lock();
        uint64_t tp = ts->pending & ~ts->sigmask;
        uint64_t pp = proc->pending & ~ts->sigmask;
        if (tp) {
            sig = __builtin_ctzll(tp) + 1;
            info = take_pending_locked(&ts->pending, ts->pending_info, &ts->pending_rt, sig);
        } else if (pp) {
            /* Another thread may have taken it meanwhile. */
            sig = __builtin_ctzll(pp) + 1;
            info = take_pending_locked(&proc->pending, proc->pending_info, &proc->pending_rt, sig);
        }
        sig_unlock();
        if (sig) {
            deliver(cpu, sig, &info, false);
        }
    }
    route_blocked_signals(cpu);
    if (ts->in_sigsuspend) {
        /* Woken without a handler running: the old mask comes back now. */
        lu_set_sigmask(ts, ts->saved_sigmask);
        ts->in_sigsuspend = false;
    }
    if (ts->syscall_restart) {
        /* No handler ran: the syscall simply restarts (pc is at it). */
        ts->syscall_restart = false;
    }
}

/* ---- blocking waits (see linux-user.h) ---- */

int64_t lu_masked_wait(CpuState *cpu, bool has_mask, uint64_t mask, LuWaitFn *fn, void *opaque)
{
    TaskState *ts = lu_task(cpu);
    uint64_t old = ts->sigmask;
    sigset_t blocked, empty;
    async_sigset(&blocked);
    sigemptyset(&empty);
    sigset_t saved;
    sigprocmask(SIG_BLOCK, &blocked, &saved);
    if (has_mask) {
        lu_set_sigmask(ts, mask & ~UNBLOCKABLE);
    }
    long r;
    int e = 0;
    for (;;) {
        if (lu_signal_pending_unblocked(cpu)) {
            r = -1;
            e = EINTR;
            break;
        }
        r = fn(opaque, &empty);
        e = errno;
        /* A host signal the guest does not see must not end the wait. */
        if (!(r < 0 && e == EINTR) || lu_signal_pending_unblocked(cpu)) {
            break;
        }
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (has_mask) {
        if (r < 0 && e == EINTR && lu_signal_pending_unblocked(cpu)) {
            /* The handler runs with the wait's mask; the old one after. */
            ts->in_sigsuspend = true;
            ts->saved_sigmask = old;
        } else {
            lu_set_sigmask(ts, old);
        }
    }
    return r < 0 ? -e : r;
}

/* rt_sigtimedwait: take a pending signal from `set`, waiting up to ts. */
int64_t lu_sigtimedwait(CpuState *cpu, uint64_t set, struct timespec *tmo, GuestSiginfo *info)
{
    TaskState *ts = lu_task(cpu);
    /* As in the kernel, the awaited signals are unblocked for the wait, so
     * that another thread that sees one routes it here. */
    uint64_t old_mask = ts->sigmask;
    __atomic_store_n(&ts->sigmask, old_mask & ~set, __ATOMIC_SEQ_CST);
    sigset_t blocked, empty;
    async_sigset(&blocked);
    sigemptyset(&empty);
    sigset_t saved;
    sigprocmask(SIG_BLOCK, &blocked, &saved);
    int64_t ret;
    for (;;) {
        int sig = 0;
        /* Host signals are blocked here: the spin lock alone will do. */
        sig_spin_lock();
        uint64_t tp = ts->pending & set;
        uint64_t pp = ts->proc->pending & set;
        if (tp) {
            sig = __builtin_ctzll(tp) + 1;
            *info = take_pending_locked(&ts->pending, ts->pending_info, &ts->pending_rt, sig);
        } else if (pp) {
            sig = __builtin_ctzll(pp) + 1;
            *info = take_pending_locked(&ts->proc->pending, ts->proc->pending_info,
                                        &ts->proc->pending_rt, sig);
        }
        sig_spin_unlock();
        if (sig) {
            ret = sig;
            break;
        }
        __atomic_store_n(&ts->sigmask, old_mask, __ATOMIC_SEQ_CST);
        bool other = lu_signal_pending_unblocked(cpu);
        __atomic_store_n(&ts->sigmask, old_mask & ~set, __ATOMIC_SEQ_CST);
        if (other) {
            ret = -EINTR;
            break;
        }
        /* ppoll updates tmo with the time left */
        long r = syscall(SYS_ppoll, NULL, 0, tmo, &empty, 8);
        if (r == 0) {
            ret = -EAGAIN;
            break;
        }
        if (r < 0 && errno != EINTR) {
            ret = -errno;
            break;
        }
    }
    __atomic_store_n(&ts->sigmask, old_mask, __ATOMIC_SEQ_CST);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return ret;
}
