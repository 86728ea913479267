/*
 * Guest threads, one host thread each.
 *
 * clone with CLONE_VM | CLONE_THREAD | CLONE_SIGHAND makes a new vCPU
 * (sharing the process's translation cache) and a detached host thread
 * that runs the cpu loop on it.  A guest thread's id is its host thread's
 * id, so tids, /proc/self/task and futexes need no translation: guest
 * memory is host memory, and futex(2) goes straight to the host kernel.
 * Blocking system calls block only the calling host thread.
 *
 * The thread list (proc->threads) is guarded by proc->threads_lock.  A
 * TaskState is freed only by its own thread, after it has left the list
 * under the lock, so whoever finds a thread in the list under the lock may
 * use it until it unlocks (lu_thread_signal).
 *
 * Thread exit follows the kernel: the robust futex list is walked (owner
 * died), clear_child_tid is zeroed and woken, and the last thread to leave
 * ends the process with its own exit code.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

void lu_thread_init(CpuState *cpu)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    ts->tid = gettid();
    ts->cpu = cpu;
    ts->next = NULL;
    pthread_mutex_init(&proc->threads_lock, NULL);
    proc->threads = ts;
    proc->nthreads = 1;
}

/* ---- the thread list ---- */

static void list_add(LinuxProc *proc, TaskState *t)
{
    pthread_mutex_lock(&proc->threads_lock);
    t->next = proc->threads;
    proc->threads = t;
    __atomic_store_n(&proc->nthreads, proc->nthreads + 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&proc->threads_lock);
}

/* Under threads_lock; returns the number of threads left. */
static int list_remove_locked(LinuxProc *proc, TaskState *t)
{
    for (TaskState **pp = &proc->threads; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    __atomic_store_n(&proc->nthreads, proc->nthreads - 1, __ATOMIC_RELAXED);
    return proc->nthreads;
}

bool lu_thread_signal(LinuxProc *proc, int tid, int sig, const GuestSiginfo *info)
{
    bool found = false;
    pthread_mutex_lock(&proc->threads_lock);
    for (TaskState *t = proc->threads; t; t = t->next) {
        if (t->tid == tid) {
            if (sig) {
                lu_queue_thread_signal(t, sig, info);
            }
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&proc->threads_lock);
    return found;
}

int lu_thread_count(LinuxProc *proc)
{
    return __atomic_load_n(&proc->nthreads, __ATOMIC_RELAXED);
}

void lu_thread_foreach(LinuxProc *proc, void (*fn)(TaskState *t, void *opaque), void *opaque)
{
    pthread_mutex_lock(&proc->threads_lock);
    for (TaskState *t = proc->threads; t; t = t->next) {
        fn(t, opaque);
    }
    pthread_mutex_unlock(&proc->threads_lock);
}

void lu_thread_kick(TaskState *t)
{
    cpu_exit(t->cpu);
    /* Out of a blocking host call too (safe syscalls see EINTR).  The
     * caller made its signal pending before this: a kick already in
     * flight has its handler run after that, and the thread looks at its
     * pending signals after the handler, so one kick serves both. */
    if (t->cpu != current_cpu && !__atomic_exchange_n(&t->kick_in_flight, 1, __ATOMIC_SEQ_CST)) {
        syscall(SYS_tgkill, getpid(), t->tid, LU_SIG_KICK);
    }
}

/* ---- create ---- */

typedef struct ThreadStart {
    TaskState *t;
    uint64_t flags, ptid, ctid;
    int tid;          /* the child's, for the parent (t may be gone by then) */
    sem_t started;
} ThreadStart;

static void *thread_main(void *arg)
{
    ThreadStart *st = arg;
    TaskState *t = st->t;
    CpuState *cpu = t->cpu;
    t->tid = gettid();
    current_cpu = cpu;
    lu_signal_thread_init(cpu);
    list_add(t->proc, t);
    /* The kernel stores the tids before either side runs on (lu_put_u32
     * is atomic: a reused thread descriptor may be in use elsewhere). */
    if (st->flags & CLONE_PARENT_SETTID) {
        lu_put_u32(cpu, st->ptid, (uint32_t)t->tid);
    }
    if (st->flags & CLONE_CHILD_SETTID) {
        lu_put_u32(cpu, st->ctid, (uint32_t)t->tid);
    }
    st->tid = t->tid;
    sem_post(&st->started); /* st is the parent's: not touched after this */
    lu_signal_thread_start(cpu);
    lu_arch_cpu_loop(cpu);
}

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
    CpuState *ncpu = cpu_create_like(cpu);
    TaskState *t = g_new0(TaskState, 1);
    t->proc = proc;
    t->cpu = ncpu;
    ncpu->opaque = t;
    t->sigmask = cur->sigmask;
    t->altstack_flags = 2; /* SS_DISABLE: a new thread has no altstack */
    if (flags & CLONE_CHILD_CLEARTID) {
        t->clear_child_tid = ctid;
    }
    lu_arch_cpu_clone(ncpu, cpu, newsp, flags & CLONE_SETTLS, tls);

    ThreadStart st = { .t = t, .flags = flags, .ptid = ptid, .ctid = ctid };
    sem_init(&st.started, 0, 0);
    /* The new thread starts with every host signal blocked and opens them
     * once current_cpu is set (lu_signal_thread_start). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    int err = pthread_create(&th, &attr, thread_main, &st);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        sem_destroy(&st.started);
        cpu_destroy(ncpu);
        g_free(t);
        return -EAGAIN;
    }
    while (sem_wait(&st.started) != 0) {
        /* EINTR: a signal for us; it stays pending until the loop */
    }
    sem_destroy(&st.started);
    return st.tid;
}

/* ---- exit ---- */

/* A futex word held by the dying thread: mark it owner-died, wake one. */
static void robust_release(CpuState *cpu, uint64_t uaddr, int tid)
{
    uint32_t *p = lu_guest_ptr(cpu, uaddr, 4, PAGE_READ | PAGE_WRITE);
    if (!p || (uaddr & 3)) {
        return;
    }
    uint32_t v = __atomic_load_n(p, __ATOMIC_RELAXED);
    while ((v & FUTEX_TID_MASK) == (uint32_t)tid) {
        uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if (__atomic_compare_exchange_n(p, &v, nv, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED)) {
            if (v & FUTEX_WAITERS) {
                syscall(SYS_futex, p, FUTEX_WAKE, 1, NULL, NULL, 0);
            }
            break;
        }
    }
}

/*
 * The robust list (set_robust_list): a ring of guest pointers whose head is
 * { next, futex_offset, list_op_pending }; each entry's futex word lies at
 * entry + futex_offset.  Bounded like the kernel's walk.
 */
static void robust_list_exit(CpuState *cpu, TaskState *ts)
{
    uint64_t head[3];
    if (!ts->robust_list || ts->robust_list_len != sizeof(head) ||
        lu_copy_from_guest(cpu, head, ts->robust_list, sizeof(head)) < 0) {
        return;
    }
    int64_t off = (int64_t)head[1];
    uint64_t entry = head[0];
    for (int n = 0; entry != ts->robust_list && n < 2048; n++) {
        uint64_t next;
        if (lu_get_u64(cpu, entry & ~1ull, &next) < 0) {
            break;
        }
        if ((entry & ~1ull) != (head[2] & ~1ull)) {
            robust_release(cpu, (entry & ~1ull) + off, ts->tid);
        }
        entry = next;
    }
    if (head[2]) {
        robust_release(cpu, (head[2] & ~1ull) + off, ts->tid);
    }
}

_Noreturn void lu_thread_exit(CpuState *cpu, int code)
{
    TaskState *ts = lu_task(cpu);
    LinuxProc *proc = ts->proc;
    robust_list_exit(cpu, ts);
    if (ts->clear_child_tid) {
        uint32_t *p = lu_guest_ptr(cpu, ts->clear_child_tid, 4, PAGE_WRITE);
        if (p && !(ts->clear_child_tid & 3)) {
            __atomic_store_n(p, 0, __ATOMIC_SEQ_CST);
            syscall(SYS_futex, p, FUTEX_WAKE, 1, NULL, NULL, 0);
        }
    }
    /* Signals that arrive from now on go to the other threads. */
    lu_signal_thread_stop(cpu);
    pthread_mutex_lock(&proc->threads_lock);
    int left = list_remove_locked(proc, ts);
    /* Signals only this thread could take are lost with it, as in the
     * kernel; process-directed ones stay in proc->pending. */
    pthread_mutex_unlock(&proc->threads_lock);
    if (left == 0) {
        lu_exit(code);
    }
    current_cpu = NULL;
    cpu_destroy(cpu);
    g_free(ts);
    pthread_exit(NULL);
}

/* ---- fork ---- */

void lu_thread_fork_prepare(LinuxProc *proc)
{
    pthread_mutex_lock(&proc->threads_lock);
}

void lu_thread_fork_parent(LinuxProc *proc)
{
    pthread_mutex_unlock(&proc->threads_lock);
}

void lu_thread_fork_child(CpuState *cpu)
{
    TaskState *cur = lu_task(cpu);
    LinuxProc *proc = cur->proc;
    /* Only the forking thread exists in the child. */
    TaskState *t = proc->threads;
    while (t) {
        TaskState *n = t->next;
        if (t != cur) {
            cpu_destroy(t->cpu);
            g_free(t);
        }
        t = n;
    }
    cur->next = NULL;
    cur->tid = gettid();
    proc->threads = cur;
    proc->nthreads = 1;
    /* Held across fork by this thread (lu_thread_fork_prepare). */
    pthread_mutex_unlock(&proc->threads_lock);
}
