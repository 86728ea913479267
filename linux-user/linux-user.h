/*
 * linux-user internals: the state of the emulated process and the helpers
 * the syscall, signal and loader files share.
 *
 * One host process runs one guest process with one guest thread, so the
 * process state (LinuxProc) and the thread state (TaskState) both hang off
 * the CpuState's opaque pointer.  The only true globals are the pointers
 * the host signal handlers need (lu_thread_cpu): a handler has no other way
 * to find the vCPU it must kick.
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
    GuestSigAction sigact[LU_NSIG + 1];
    /* Process-directed signals (bit n-1 = signal n), recorded by the host
     * handlers (atomically) until some thread takes them. */
    volatile uint64_t pending;
    GuestSiginfo pending_info[LU_NSIG + 1];
    volatile uint32_t signal_seq;  /* bumped by every host signal */

    /* Guest threads (thread.c): a ring of TaskStates, `current` runs. */
    TaskState *current;
    int nthreads;
    int next_tid;
    volatile int preempt;  /* set by the ticker: time slice over */
    bool ticker_started;
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

    /* Thread-directed signals (tgkill between guest threads). */
    uint64_t pending;
    GuestSiginfo pending_info[LU_NSIG + 1];
    /* A synchronous fault to deliver before anything else. */
    bool sync_pending;
    GuestSiginfo sync_info;

    /* rt_sigsuspend: the mask to put back once a handler has run. */
    bool in_sigsuspend;
    uint64_t saved_sigmask;
    /* The current syscall returned LU_ERESTARTSYS; pc is at the ecall. */
    bool syscall_restart;

    /* Scheduling (thread.c) */
    TaskState *next;            /* ring of threads */
    int state;                  /* LU_THREAD_* */
    uint64_t futex_addr;
    uint32_t futex_bitset;
    bool has_deadline;
    struct timespec deadline;   /* CLOCK_MONOTONIC */
    struct pollfd *io_fds;      /* g_malloc'd, io_nfds entries */
    int io_nfds;
    bool io_wake_on_signal;
    uint32_t io_signal_seq;
    bool io_rerun;              /* parked before in this same syscall */
    bool io_timed_out;          /* the re-run must not wait any more */
    void *regs;                 /* arch registers while not running */
};

static inline TaskState *lu_task(CpuState *cpu)
{
    return (TaskState *)cpu->opaque;
}
static inline LinuxProc *lu_proc(CpuState *cpu)
{
    return lu_task(cpu)->proc;
}

extern CpuState *volatile lu_thread_cpu;

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
void lu_signal_init(CpuState *cpu);
/* A synchronous guest fault (from cpu_exec's exception). */
void lu_queue_sync_signal(CpuState *cpu, int sig, int code, uint64_t addr);
/* Queue a signal for this process as if sent by the kernel. */
void lu_queue_signal(CpuState *cpu, int sig, const GuestSiginfo *info);
/* Queue a signal for one guest thread (tgkill), waking it. */
void lu_queue_thread_signal(CpuState *cpu, TaskState *ts, int sig, const GuestSiginfo *info);
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

/* ---- riscv64: registers of a thread that is not running ---- */
void *lu_arch_regs_new(void);
void lu_arch_regs_save(CpuState *cpu, void *regs);
void lu_arch_regs_load(CpuState *cpu, const void *regs);
/* A woken thread's syscall result (its pc is already past the ecall). */
void lu_arch_regs_set_retval(void *regs, uint64_t v);
/* Registers of a new thread: a copy of the caller's, returning 0 from
 * clone on stack sp (if non-zero) with tls (if set_tls). */
void lu_arch_regs_clone(CpuState *cpu, void *regs, uint64_t sp, bool set_tls, uint64_t tls);

/* ---- thread.c: guest threads multiplexed on the one host thread ---- */
#define LU_EBLOCK 4097   /* handler blocked the thread: the loop must switch */
void lu_thread_init(CpuState *cpu);
/* Create a thread (clone with CLONE_VM); returns its tid or -errno. */
int64_t lu_thread_create(CpuState *cpu, uint64_t flags, uint64_t newsp, uint64_t ptid,
                         uint64_t tls, uint64_t ctid);
/* The current thread exits (exit(2)); never returns if it was the last. */
void lu_thread_exit(CpuState *cpu, int code);
/* Pick the thread to run next (the current one if it may go on). */
void lu_schedule(CpuState *cpu);
TaskState *lu_thread_by_tid(LinuxProc *proc, int tid);
/* Wake a blocked thread (signal arrival): its syscall returns -EINTR or,
 * for LU_THREAD_IO, is re-run. */
void lu_thread_interrupt(TaskState *ts);
/* futex: FUTEX_WAIT blocks (returns -LU_EBLOCK) when other threads exist. */
int64_t lu_futex(CpuState *cpu, const uint64_t *a);
/* With several threads, a syscall that would block on fd (events POLLIN
 * or POLLOUT; fd -1: wait4) parks the thread and returns true: the
 * handler then returns -LU_EBLOCK and the syscall re-runs later. */
bool lu_thread_would_block(CpuState *cpu, int fd, short events);
/* Generic parking for a re-runnable syscall (see LU_THREAD_IO); the
 * deadline is taken from rel_timeout only on the first park of a syscall.
 * false if single-threaded. */
struct pollfd;
bool lu_thread_park(CpuState *cpu, const struct pollfd *fds, int nfds,
                    const struct timespec *rel_timeout, bool wake_on_signal);
/* rt_sigsuspend with several threads: wait for a signal (pc advances,
 * the result is -EINTR).  false if single-threaded. */
bool lu_thread_sigwait(CpuState *cpu);
/* nanosleep with several threads; false if single-threaded. */
bool lu_thread_sleep(CpuState *cpu, const struct timespec *deadline_mono);
void lu_thread_fork_child(CpuState *cpu);

/* ---- strace.c ---- */
void lu_strace_pre(CpuState *cpu, int nr, const uint64_t *args);
void lu_strace_post(CpuState *cpu, int nr, const uint64_t *args, int64_t ret);

#endif
