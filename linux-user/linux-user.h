/*
 * linux-user internals: the state of the emulated process and the helpers
 * the syscall, signal and loader files share.
 *
 * One host process runs one guest process; each guest thread runs on a host
 * thread of its own with its own vCPU.  The thread state (TaskState) hangs
 * off the CpuState's opaque pointer and points at the shared process state
 * (LinuxProc).  Host signal handlers find the vCPU of the thread they
 * interrupt through accel/tcg's thread-local current_cpu.
 *
 * Guest ABI notes (riscv64 Linux): errno values, signal numbers, open/mmap
 * flags, termios, struct timespec/timeval/rusage/statfs/siginfo all have the
 * same numbers and layout as on an x86-64 host, so most syscalls pass
 * through; struct stat, struct sigaction, struct epoll_event and the signal
 * frame differ and are translated.
 */
#ifndef LINUX_USER_LINUX_USER_H
#define LINUX_USER_LINUX_USER_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <time.h>

#include <glib.h>

#include "rove/exec.h"
#include "rove/user-mem.h"

#define LU_PROG "rove-riscv64"

/* Guest signal numbers run 1..64 (asm-generic: same as x86-64). */
#define LU_NSIG 64

/* Internal "errno" values a handler may return; never reach the guest. */
#define LU_ERESTARTSYS 512   /* host call interrupted: restart or -EINTR */
#define LU_EJUSTRETURN 4096  /* registers already set (rt_sigreturn) */

/* Guest struct sigaction as riscv64's rt_sigaction sees it (no restorer). */
typedef struct GuestSigAction {
    uint64_t handler;
    uint64_t flags;
    uint64_t mask;
} GuestSigAction;

#define GUEST_SIG_DFL 0
#define GUEST_SIG_IGN 1

/* Guest siginfo: 128 bytes, generic 64-bit layout (same as the host's). */
typedef struct GuestSiginfo {
    int32_t si_signo;
    int32_t si_errno;
    int32_t si_code;
    int32_t pad0;
    union {
        uint8_t raw[112];
        struct {
            int32_t pid;
            uint32_t uid;
            uint64_t value; /* sigval (rt), or status+utime for SIGCHLD */
        } kill;
        struct {
            uint64_t addr;
        } fault;
    } u;
} GuestSiginfo;

typedef struct TaskState TaskState;

/* Further pending instances of real-time signals (which queue, unlike
 * standard ones), oldest first; the first instance of each is in the
 * pending_info array beside it.  Full: later instances are dropped, as
 * when the kernel hits RLIMIT_SIGPENDING. */
#define LU_RTQ_MAX 64
typedef struct LuRtQueue {
    int n;
    GuestSiginfo info[LU_RTQ_MAX];
} LuRtQueue;

/* Process-wide state. */
typedef struct LinuxProc {
    char *exe_path;        /* absolute host path of the guest program */
    char *sysroot;         /* -L, or NULL */
    char *rove_path;       /* our own binary, for execve */
    const char *backend_name;
    bool strace;
    bool singlestep;
    char *log_spec;        /* -d, passed on across execve */
    bool log_to_file;      /* -D given */

    uint64_t brk_start;    /* first byte of the heap */
    uint64_t brk_cur;      /* guest-visible break */
    uint64_t brk_mapped;   /* page-aligned end of what is mapped */

    uint64_t stack_lo, stack_hi; /* the initial stack, for /proc/self/maps */
    uint64_t *auxv;        /* copy of the guest's auxv, for /proc/self/auxv */
    size_t auxv_len;       /* bytes */
    GByteArray *cmdline;   /* argv, NUL-separated, for /proc/self/cmdline */

    uint64_t sigtramp;     /* guest address of the rt_sigreturn trampoline */
    /* Dispositions and process-directed pending signals (bit n-1 = signal
     * n) are guarded by signal.c's sig_lock, taken with host signals
     * blocked (or from a handler, where they are). */
    GuestSigAction sigact[LU_NSIG + 1];
    volatile uint64_t pending;
    GuestSiginfo pending_info[LU_NSIG + 1];
    LuRtQueue pending_rt;

    /* Guest threads (thread.c), guarded by threads_lock. */
    pthread_mutex_t threads_lock;
    TaskState *threads;    /* list through TaskState.next */
    int nthreads;
} LinuxProc;

/* Why a guest thread is not running (thread.c). */
enum {
    LU_THREAD_RUNNABLE,
    LU_THREAD_FUTEX,   /* FUTEX_WAIT on futex_addr (until deadline if set) */
    LU_THREAD_SLEEP,   /* nanosleep until deadline */
    LU_THREAD_IO,      /* its syscall would block: re-run it when one of
                        * io_fds is ready, at the deadline, or (with
                        * io_wake_on_signal) after the next host signal */
    LU_THREAD_SIGWAIT, /* rt_sigsuspend: until a signal it takes arrives */
    LU_THREAD_DEAD,    /* exited; the scheduler frees it */
};

/* Per-thread state. */
struct TaskState {
    LinuxProc *proc;
    int tid;
    uint64_t sigmask;           /* guest blocked set (bit n-1 = signal n) */
    uint64_t altstack_sp;
    uint64_t altstack_size;
    int altstack_flags;
    uint64_t clear_child_tid;
    uint64_t robust_list, robust_list_len;

    /* Thread-directed signals (tgkill, SIGPIPE...), under sig_lock.  Other
     * threads read sigmask (routing) without the lock. */
    volatile uint64_t pending;
    GuestSiginfo pending_info[LU_NSIG + 1];
    LuRtQueue pending_rt;
    /* A synchronous fault to deliver before anything else (own thread). */
    bool sync_pending;
    GuestSiginfo sync_info;

    /* rt_sigsuspend: the mask to put back once a handler has run. */
    bool in_sigsuspend;
    uint64_t saved_sigmask;
    /* The current syscall returned LU_ERESTARTSYS; pc is at the ecall. */
    bool syscall_restart;

    /* A kick (LU_SIG_KICK) is on its way to this thread and its handler
     * has not run yet: further kicks need no signal of their own.  The
     * kick is a real-time signal, and those queue: kicked faster than it
     * can take them, a thread would spend all its time in the handler. */
    int kick_in_flight;

    CpuState *cpu;              /* the vCPU this thread runs */
    TaskState *next;            /* proc->threads */
};

static inline TaskState *lu_task(CpuState *cpu)
{
    return (TaskState *)cpu->opaque;
}
/* Only the thread itself changes its sigmask; others read it (routing). */
static inline void lu_set_sigmask(TaskState *ts, uint64_t mask)
{
    __atomic_store_n(&ts->sigmask, mask, __ATOMIC_RELAXED);
}

static inline LinuxProc *lu_proc(CpuState *cpu)
{
    return lu_task(cpu)->proc;
}

/* ---- main.c ---- */
_Noreturn void lu_exit(int code);
FILE *lu_log_stream(void);

/* ---- path.c: -L sysroot lookups ---- */
/* Host path to use for guest path `p`: sysroot/p when p is absolute and
 * that exists, else p.  Returns p or buf (size PATH_MAX). */
const char *lu_path(LinuxProc *proc, const char *p, char *buf);
/* The guest's path names the emulated program itself (/proc/self/exe)? */
bool lu_is_proc_self_exe(const char *p);

/* ---- guest memory access for syscalls (syscall.c) ---- */
/* Host pointer for [addr, addr+len) if the guest may access it, else NULL.
 * len 0 gives a non-NULL pointer for any addr. */
void *lu_guest_ptr(CpuState *cpu, uint64_t addr, uint64_t len, int access);
/* Copy a NUL-terminated guest string into buf (size bufsz).  Returns 0,
 * -EFAULT or -ENAMETOOLONG. */
int lu_get_string(CpuState *cpu, uint64_t addr, char *buf, size_t bufsz);
int lu_copy_from_guest(CpuState *cpu, void *dst, uint64_t addr, size_t len);
int lu_copy_to_guest(CpuState *cpu, uint64_t addr, const void *src, size_t len);

/* Turn a host return (-1 with errno) into a guest one (-errno); EINTR
 * becomes a restart request. */
static inline int64_t lu_host_ret(long r)
{
    if (r == -1) {
        return errno == EINTR ? -LU_ERESTARTSYS : -errno;
    }
    return r;
}
/* Same, for calls that must report EINTR rather than restart. */
static inline int64_t lu_host_ret_nores(long r)
{
    return r == -1 ? -errno : r;
}

/*
 * A host syscall that blocks, made safe against the signal race: if a host
 * signal arrives after the last pending-signal check but before the kernel
 * is entered, the call returns EINTR instead of sleeping (the handler
 * rewinds an interrupted call that has not yet entered the kernel; see
 * signal.c).  Returns like syscall(2): -1 with errno set.
 */
long lu_safe_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
static inline long lu_safe_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
                                   long a6)
{
    long r = lu_safe_syscall6(nr, a1, a2, a3, a4, a5, a6);
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

/* ---- procfs.c ---- */
#define LU_NOT_SPECIAL INT_MIN
/* Open an emulated /proc file (maps, auxv, cpuinfo): an fd, -errno, or
 * LU_NOT_SPECIAL when p is an ordinary path. */
int lu_open_special(CpuState *cpu, const char *p);

/* ---- syscall.c ---- */
int64_t lu_do_syscall(CpuState *cpu, int nr, const uint64_t *args);

/* ---- loader.c ---- */
typedef struct LuImage {
    uint64_t load_bias;
    uint64_t entry;
    uint64_t phdr;         /* guest address of the program headers */
    uint16_t phnum, phent;
    uint64_t start, end;   /* guest span of the loaded segments */
    bool exec_stack;
} LuImage;

typedef struct LuExecInfo {
    LuImage prog;
    LuImage interp;
    bool has_interp;
    uint64_t entry;        /* where to start: interpreter entry or program */
    uint64_t sp;
} LuExecInfo;

/* Load `path` (host path), its interpreter, build the stack.  On failure
 * prints "rove-riscv64: PROG: reason" and returns false. */
bool lu_load_program(CpuState *cpu, const char *path, const char *display_name,
                     char **argv, char **envp, LuExecInfo *out);
/* How execve should run the file at host path: LU_EXEC_EMULATE (a riscv64
 * ELF, or a #! script whose interpreter is one), LU_EXEC_HOST (anything
 * else: the host kernel runs or refuses it), or a negative errno. */
enum { LU_EXEC_EMULATE = 0, LU_EXEC_HOST = 1 };
int lu_check_exec(LinuxProc *proc, const char *path);

/* ---- syscall-mem.c ---- */
int lu_host_prot(int guest_prot);
int64_t lu_mmap(CpuState *cpu, uint64_t addr, uint64_t len, int prot, int flags,
                int fd, uint64_t off);
int64_t lu_munmap(CpuState *cpu, uint64_t addr, uint64_t len);
void lu_brk_init(LinuxProc *proc, uint64_t start);

/* ---- signal.c ---- */
/*
 * The host signal that kicks one of our threads out of generated code and
 * out of a blocking host call (sent by tgkill from our own process).  The
 * guest's own signal of that number still works: from another process it
 * arrives with another sender, and within the process it is emulated.
 */
#define LU_SIG_KICK 64
/* Process-wide set-up, on the first thread (installs the host handlers). */
void lu_signal_init(CpuState *cpu);
/* A new thread: its own fault-handler stack (on the thread, before it
 * runs guest code); then host signals open (lu_signal_thread_start).  A
 * leaving thread blocks them again and frees the stack (..._stop). */
void lu_signal_thread_init(CpuState *cpu);
void lu_signal_thread_start(CpuState *cpu);
void lu_signal_thread_stop(CpuState *cpu);
/* A synchronous guest fault (from cpu_exec's exception). */
void lu_queue_sync_signal(CpuState *cpu, int sig, int code, uint64_t addr);
/* Queue a signal for this process as if sent by the kernel. */
void lu_queue_signal(CpuState *cpu, int sig, const GuestSiginfo *info);
/* Queue a signal for one guest thread (tgkill), waking it.  The caller
 * keeps t alive (threads_lock, or t is its own thread). */
void lu_queue_thread_signal(TaskState *t, int sig, const GuestSiginfo *info);
/* fork: sig_lock must not be held by a thread that does not survive. */
void lu_signal_fork_prepare(void);
void lu_signal_fork_parent(void);
void lu_signal_fork_child(CpuState *cpu);
/* Deliver pending signals (called by the cpu loop after each exit). */
void lu_process_pending_signals(CpuState *cpu);
/* Default action of a fatal signal: exit the host process with it. */
_Noreturn void lu_die_by_signal(int sig);
bool lu_signal_pending_unblocked(CpuState *cpu);
/* rt_sigaction's core (act/old may be NULL); returns 0 or -errno. */
int lu_sigaction(CpuState *cpu, int sig, const GuestSigAction *act, GuestSigAction *old);
/* rt_sigtimedwait's core: a signal number, -EAGAIN or -EINTR. */
struct timespec;
int64_t lu_sigtimedwait(CpuState *cpu, uint64_t set, struct timespec *tmo,
                        GuestSiginfo *info);
/*
 * Run a blocking host call (ppoll, pselect, epoll_pwait...) that takes a
 * host signal mask: host async signals are blocked while we look for a
 * deliverable guest signal and unblocked atomically by the call itself, so
 * a signal cannot slip in between the check and the sleep.  With has_mask,
 * the guest mask is `mask` for the wait (and for the handler a signal that
 * ends it runs, like rt_sigsuspend).  Host EINTRs for signals the guest
 * does not see are retried.  Returns the result or -errno (EINTR included).
 */
#include <signal.h>
typedef long LuWaitFn(void *opaque, const sigset_t *hostmask);
int64_t lu_masked_wait(CpuState *cpu, bool has_mask, uint64_t mask, LuWaitFn *fn,
                       void *opaque);
/* Host signal mask helpers for fork/exec paths. */
void lu_signal_reset_for_exec(void);
/*
 * execve(2) of a host path with the guest's signal state carried across
 * (blocked mask, blocked pending signals).  A guest signal that arrives
 * before the exec happens is delivered first: -LU_ERESTARTSYS, and the
 * execve re-runs after it (a fatal one never gets there).  Returns -errno
 * when the exec fails.
 */
int64_t lu_execve(CpuState *cpu, const char *path, char **argv, char **envp);
/* main.c: the guest's environment for a new emulator process (execve):
 * G_SLICE=always-malloc unless the guest sets G_SLICE (main.c explains). */
void lu_slice_env_for_exec(GPtrArray *envp);
void lu_signal_restore_after_exec_failure(void);

/* ---- riscv64/signal.c (the arch part of delivery) ---- */
void lu_arch_setup_frame(CpuState *cpu, int sig, const GuestSigAction *ka,
                         const GuestSiginfo *info, uint64_t old_mask);
int64_t lu_arch_rt_sigreturn(CpuState *cpu);
/* Map the rt_sigreturn trampoline; returns its guest address or 0. */
uint64_t lu_arch_setup_sigtramp(CpuState *cpu);

/* ---- riscv64/cpu-loop.c ---- */
void lu_arch_init_regs(CpuState *cpu, const LuExecInfo *info);
_Noreturn void lu_arch_cpu_loop(CpuState *cpu);
/* The syscall argument/return registers, for fork/execve/sigreturn. */
uint64_t lu_arch_get_sp(CpuState *cpu);
void lu_arch_set_retval(CpuState *cpu, uint64_t v);

/* A new thread's registers: a copy of the parent's, returning 0 from
 * clone on stack sp (if non-zero) with tls (if set_tls). */
void lu_arch_cpu_clone(CpuState *ncpu, CpuState *cpu, uint64_t sp, bool set_tls, uint64_t tls);

/* ---- thread.c: guest threads, one host thread each ---- */
void lu_thread_init(CpuState *cpu);
/* Create a thread (clone with CLONE_VM); returns its tid or -errno. */
int64_t lu_thread_create(CpuState *cpu, uint64_t flags, uint64_t newsp, uint64_t ptid,
                         uint64_t tls, uint64_t ctid);
/* The calling thread exits (exit(2)); the last one ends the process. */
_Noreturn void lu_thread_exit(CpuState *cpu, int code);
/* Queue sig (info) for our thread tid and wake it; sig 0 only checks
 * that it exists.  false if tid is not one of ours. */
bool lu_thread_signal(LinuxProc *proc, int tid, int sig, const GuestSiginfo *info);
int lu_thread_count(LinuxProc *proc);
/* fn on every thread, under threads_lock (fn must not take it). */
void lu_thread_foreach(LinuxProc *proc, void (*fn)(TaskState *t, void *opaque), void *opaque);
/* Make thread t look at its pending signals soon: out of generated code
 * and out of a blocking host call. */
void lu_thread_kick(TaskState *t);
/* fork(2) from a threaded process: the caller's thread is the child's only one. */
void lu_thread_fork_prepare(LinuxProc *proc);
void lu_thread_fork_parent(LinuxProc *proc);
void lu_thread_fork_child(CpuState *cpu);

/* ---- strace.c ---- */
void lu_strace_pre(CpuState *cpu, int nr, const uint64_t *args);
void lu_strace_post(CpuState *cpu, int nr, const uint64_t *args, int64_t ret);

#endif
