/*
 * Signal syscalls: the guest-visible side of signal.c.  riscv64's
 * struct sigaction is { handler, flags, mask } (no sa_restorer), sigsets
 * are 8 bytes, stack_t is { sp, flags, size } — all translated here.
 */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux-user/syscall.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

int lu_do_sigaltstack(CpuState *cpu, const uint64_t *ss_in, uint64_t *ss_out);

static int64_t sys_rt_sigaction(CpuState *cpu, const uint64_t *a)
{
    int sig = (int)a[0];
    GuestSigAction act, old;
    if (a[3] != 8) {
        return -EINVAL;
    }
    if (a[1] && lu_copy_from_guest(cpu, &act, a[1], sizeof(act)) < 0) {
        return -EFAULT;
    }
    int r = lu_sigaction(cpu, sig, a[1] ? &act : NULL, &old);
    if (r < 0) {
        return r;
    }
    if (a[2] && lu_copy_to_guest(cpu, a[2], &old, sizeof(old)) < 0) {
        return -EFAULT;
    }
    return 0;
}

static int64_t sys_rt_sigprocmask(CpuState *cpu, const uint64_t *a)
{
    TaskState *ts = lu_task(cpu);
    uint64_t old = ts->sigmask, set;
    if (a[3] != 8) {
        return -EINVAL;
    }
    if (a[1]) {
        if (lu_get_u64(cpu, a[1], &set) < 0) {
            return -EFAULT;
        }
        switch ((int)a[0]) {
        case SIG_BLOCK:
            lu_set_sigmask(ts, ts->sigmask | set);
            break;
        case SIG_UNBLOCK:
            lu_set_sigmask(ts, ts->sigmask & ~set);
            break;
        case SIG_SETMASK:
            lu_set_sigmask(ts, set);
            break;
        default:
            return -EINVAL;
        }
        lu_set_sigmask(ts, ts->sigmask & ~UNBLOCKABLE);
    }
    if (a[2] && lu_put_u64(cpu, a[2], old) < 0) {
        return -EFAULT;
    }
    /* Newly unblocked signals are delivered by the cpu loop on return. */
    return 0;
}

static int64_t sys_rt_sigreturn(CpuState *cpu, const uint64_t *a)
{
    return lu_arch_rt_sigreturn(cpu);
}

static int64_t sys_sigaltstack(CpuState *cpu, const uint64_t *a)
{
    uint64_t in[3], out[3];
    if (a[0]) {
        struct {
            uint64_t sp;
            int32_t flags;
            int32_t pad;
            uint64_t size;
        } g;
        if (lu_copy_from_guest(cpu, &g, a[0], sizeof(g)) < 0) {
            return -EFAULT;
        }
        in[0] = g.sp;
        in[1] = (uint32_t)g.flags;
        in[2] = g.size;
    }
    if (a[1] && !lu_guest_ptr(cpu, a[1], 24, PAGE_WRITE)) {
        return -EFAULT;
    }
    int r = lu_do_sigaltstack(cpu, a[0] ? in : NULL, out);
    if (r < 0) {
        return r;
    }
    if (a[1]) {
        uint8_t *p = g2h(a[1]);
        uint32_t fl = (uint32_t)out[1], zero = 0;
        memcpy(p, &out[0], 8);
        memcpy(p + 8, &fl, 4);
        memcpy(p + 12, &zero, 4);
        memcpy(p + 16, &out[2], 8);
    }
    return 0;
}

static long suspend_fn(void *opaque, const sigset_t *m)
{
    return sigsuspend(m);
}

static int64_t sys_rt_sigsuspend(CpuState *cpu, const uint64_t *a)
{
    uint64_t mask;
    if (a[1] != 8) {
        return -EINVAL;
    }
    if (lu_get_u64(cpu, a[0], &mask) < 0) {
        return -EFAULT;
    }
    return lu_masked_wait(cpu, true, mask, suspend_fn, NULL);
}

static int64_t sys_rt_sigpending(CpuState *cpu, const uint64_t *a)
{
    TaskState *ts = lu_task(cpu);
    if (a[1] > 8) {
        return -EINVAL;
    }
    uint64_t p = (ts->pending | ts->proc->pending) & ts->sigmask;
    return lu_copy_to_guest(cpu, a[0], &p, a[1]);
}

static int64_t sys_rt_sigtimedwait(CpuState *cpu, const uint64_t *a)
{
    uint64_t set;
    struct timespec ts, *tmo = NULL;
    GuestSiginfo info;
    if (a[3] != 8) {
        return -EINVAL;
    }
    if (lu_get_u64(cpu, a[0], &set) < 0) {
        return -EFAULT;
    }
    if (a[2]) {
        if (lu_copy_from_guest(cpu, &ts, a[2], sizeof(ts)) < 0) {
            return -EFAULT;
        }
        tmo = &ts;
    }
    int64_t r = lu_sigtimedwait(cpu, set & ~UNBLOCKABLE, tmo, &info);
    if (r > 0 && a[1] && lu_copy_to_guest(cpu, a[1], &info, sizeof(info)) < 0) {
        return -EFAULT;
    }
    return r;
}

/* A signal sent to ourselves that the host cannot carry (32, 33). */
static bool self_only_signal(int sig)
{
    return sig == 32 || sig == 33;
}

static bool sig_ignored_now(LinuxProc *proc, int sig)
{
    return proc->sigact[sig].handler == GUEST_SIG_IGN;
}

static void queue_self(CpuState *cpu, int sig, int code)
{
    GuestSiginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = code;
    info.u.kill.pid = getpid();
    info.u.kill.uid = getuid();
    lu_queue_signal(cpu, sig, &info);
}

static int64_t sys_kill(CpuState *cpu, const uint64_t *a)
{
    int pid = (int)a[0], sig = (int)a[1];
    if (sig < 0 || sig > LU_NSIG) {
        return -EINVAL;
    }
    if (self_only_signal(sig) && (pid == getpid() || pid == 0 || pid == -1)) {
        queue_self(cpu, sig, SI_USER);
        return 0;
    }
    return lu_host_ret_nores(kill(pid, sig));
}

/*
 * A signal to one of our guest threads is queued here rather than sent by
 * the host (which could not tell the guest's signal 64 from our kick, nor
 * carry 32 and 33).  Returns 1 if tid is ours.
 */
static int thread_kill(CpuState *cpu, int tid, int sig)
{
    LinuxProc *proc = lu_proc(cpu);
    GuestSiginfo info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = SI_TKILL;
    info.u.kill.pid = getpid();
    info.u.kill.uid = getuid();
    if (sig && sig_ignored_now(proc, sig)) {
        sig = 0; /* dropped, as the kernel does */
    }
    return lu_thread_signal(proc, tid, sig, &info);
}

static int64_t sys_tkill(CpuState *cpu, const uint64_t *a)
{
    int tid = (int)a[0], sig = (int)a[1];
    if (sig < 0 || sig > LU_NSIG) {
        return -EINVAL;
    }
    if (thread_kill(cpu, tid, sig)) {
        return 0;
    }
    return lu_host_ret_nores(syscall(SYS_tkill, tid, sig));
}

static int64_t sys_tgkill(CpuState *cpu, const uint64_t *a)
{
    int tgid = (int)a[0], tid = (int)a[1], sig = (int)a[2];
    if (sig < 0 || sig > LU_NSIG) {
        return -EINVAL;
    }
    if (tgid == getpid() && thread_kill(cpu, tid, sig)) {
        return 0;
    }
    return lu_host_ret_nores(syscall(SYS_tgkill, tgid, tid, sig));
}

static int64_t sys_rt_sigqueueinfo(CpuState *cpu, const uint64_t *a)
{
    siginfo_t info;
    if (lu_copy_from_guest(cpu, &info, a[2], sizeof(info)) < 0) {
        return -EFAULT;
    }
    return lu_host_ret_nores(syscall(SYS_rt_sigqueueinfo, (int)a[0], (int)a[1], &info));
}

static int64_t sys_rt_tgsigqueueinfo(CpuState *cpu, const uint64_t *a)
{
    siginfo_t info;
    if (lu_copy_from_guest(cpu, &info, a[3], sizeof(info)) < 0) {
        return -EFAULT;
    }
    return lu_host_ret_nores(syscall(SYS_rt_tgsigqueueinfo, (int)a[0], (int)a[1], (int)a[2],
                                     &info));
}

static const SyscallDef signal_defs[] = {
    { RV_NR_rt_sigaction, "rt_sigaction", sys_rt_sigaction, "Sppu", 0 },
    { RV_NR_rt_sigprocmask, "rt_sigprocmask", sys_rt_sigprocmask, "dppu", 0 },
    { RV_NR_rt_sigreturn, "rt_sigreturn", sys_rt_sigreturn, "", 0 },
    { RV_NR_sigaltstack, "sigaltstack", sys_sigaltstack, "pp", 0 },
    { RV_NR_rt_sigsuspend, "rt_sigsuspend", sys_rt_sigsuspend, "pu", 0 },
    { RV_NR_rt_sigpending, "rt_sigpending", sys_rt_sigpending, "pu", 0 },
    { RV_NR_rt_sigtimedwait, "rt_sigtimedwait", sys_rt_sigtimedwait, "pppu", 0 },
    { RV_NR_kill, "kill", sys_kill, "dS", 0 },
    { RV_NR_tkill, "tkill", sys_tkill, "dS", 0 },
    { RV_NR_tgkill, "tgkill", sys_tgkill, "ddS", 0 },
    { RV_NR_rt_sigqueueinfo, "rt_sigqueueinfo", sys_rt_sigqueueinfo, "dSp", 0 },
    { RV_NR_rt_tgsigqueueinfo, "rt_tgsigqueueinfo", sys_rt_tgsigqueueinfo, "ddSp", 0 },
};

LU_TABLE(lu_signal_syscalls, signal_defs);
