/*
 * Process syscalls: exit, ids, limits, fork/clone, execve, wait, futex,
 * scheduling, uname and friends.
 *
 * clone without CLONE_VM is a host fork (the child inherits the whole
 * emulator, guest memory included, with only the calling thread); clone
 * with CLONE_VM | CLONE_THREAD | CLONE_SIGHAND is a new guest thread on a
 * host thread of its own (thread.c); a CLONE_VM process that is not a
 * thread gets -EINVAL.  vfork (and posix_spawn's CLONE_VM | CLONE_VFORK)
 * is done as fork.  execve re-executes this very emulator (the path found at start-up) on the new program, passing on the
 * options that matter; the guest's blocked mask and ignored signals go
 * across in the host's own signal state (signal.c).
 */
#include <inttypes.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"
#include "target/riscv/cpu.h"

/* ---- exit ---- */

static int64_t sys_exit_group(CpuState *cpu, const uint64_t *a)
{
    lu_exit((int)a[0]);
}

static int64_t sys_exit(CpuState *cpu, const uint64_t *a)
{
    /* The last thread leaving ends the process (lu_thread_exit exits). */
    lu_thread_exit(cpu, (int)a[0]);
}

/* ---- ids ---- */

static int64_t sys_getpid(CpuState *cpu, const uint64_t *a)
{
    return getpid();
}

static int64_t sys_getppid(CpuState *cpu, const uint64_t *a)
{
    return getppid();
}

static int64_t sys_gettid(CpuState *cpu, const uint64_t *a)
{
    return lu_task(cpu)->tid;
}

static int64_t sys_getuid(CpuState *cpu, const uint64_t *a)
{
    return getuid();
}

static int64_t sys_geteuid(CpuState *cpu, const uint64_t *a)
{
    return geteuid();
}

static int64_t sys_getgid(CpuState *cpu, const uint64_t *a)
{
    return getgid();
}

static int64_t sys_getegid(CpuState *cpu, const uint64_t *a)
{
    return getegid();
}

/* set*id and process-group calls: same numbers, raw pass-through (the
 * glibc wrappers would broadcast to threads we do not have). */
static int64_t sys_passthrough3(CpuState *cpu, const uint64_t *a, long host_nr)
{
    return lu_host_ret(syscall(host_nr, a[0], a[1], a[2]));
}

#define PASS3(name) \
    static int64_t sys_##name(CpuState *cpu, const uint64_t *a) \
    { \
        return sys_passthrough3(cpu, a, SYS_##name); \
    }

PASS3(setuid)
PASS3(setgid)
PASS3(setreuid)
PASS3(setregid)
PASS3(setresuid)
PASS3(setresgid)
PASS3(setfsuid)
PASS3(setfsgid)
PASS3(setpgid)
PASS3(getpgid)
PASS3(getsid)
PASS3(setsid)
PASS3(getpriority)
PASS3(setpriority)
PASS3(sched_getscheduler)
PASS3(sched_get_priority_max)
PASS3(sched_get_priority_min)
PASS3(personality)

static int64_t do_getres(CpuState *cpu, const uint64_t *a, bool uid)
{
    unsigned r, e, s;
    if (uid ? getresuid(&r, &e, &s) : getresgid(&r, &e, &s)) {
        return -errno;
    }
    if (lu_put_u32(cpu, a[0], r) < 0 || lu_put_u32(cpu, a[1], e) < 0 ||
        lu_put_u32(cpu, a[2], s) < 0) {
        return -EFAULT;
    }
    return 0;
}

static int64_t sys_getresuid(CpuState *cpu, const uint64_t *a)
{
    return do_getres(cpu, a, true);
}

static int64_t sys_getresgid(CpuState *cpu, const uint64_t *a)
{
    return do_getres(cpu, a, false);
}

static int64_t sys_getgroups(CpuState *cpu, const uint64_t *a)
{
    int n = (int)a[0];
    if (n < 0) {
        return -EINVAL;
    }
    void *list = lu_guest_ptr(cpu, a[1], (uint64_t)n * 4, PAGE_WRITE);
    if (!list) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_getgroups, n, list));
}

static int64_t sys_setgroups(CpuState *cpu, const uint64_t *a)
{
    int n = (int)a[0];
    if (n < 0 || n > 65536) {
        return -EINVAL;
    }
    void *list = lu_guest_ptr(cpu, a[1], (uint64_t)n * 4, PAGE_READ);
    if (!list) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_setgroups, n, list));
}

static int64_t sys_capget(CpuState *cpu, const uint64_t *a)
{
    void *hdr = lu_guest_ptr(cpu, a[0], 8, PAGE_READ | PAGE_WRITE);
    void *data = a[1] ? lu_guest_ptr(cpu, a[1], 24, PAGE_WRITE) : NULL;
    if (!hdr || (a[1] && !data)) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_capget, hdr, data));
}

static int64_t sys_capset(CpuState *cpu, const uint64_t *a)
{
    void *hdr = lu_guest_ptr(cpu, a[0], 8, PAGE_READ | PAGE_WRITE);
    void *data = lu_guest_ptr(cpu, a[1], 24, PAGE_READ);
    if (!hdr || !data) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_capset, hdr, data));
}

/* ---- thread bookkeeping ---- */

static int64_t sys_set_tid_address(CpuState *cpu, const uint64_t *a)
{
    lu_task(cpu)->clear_child_tid = a[0];
    return lu_task(cpu)->tid;
}

static int64_t sys_set_robust_list(CpuState *cpu, const uint64_t *a)
{
    TaskState *ts = lu_task(cpu);
    if (a[1] != 24) {
        return -EINVAL;
    }
    ts->robust_list = a[0];
    ts->robust_list_len = a[1];
    return 0;
}

static int64_t sys_get_robust_list(CpuState *cpu, const uint64_t *a)
{
    TaskState *ts = lu_task(cpu);
    if (a[0] != 0 && (int)a[0] != gettid()) {
        return -ESRCH;
    }
    if (lu_put_u64(cpu, a[1], ts->robust_list) < 0 ||
        lu_put_u64(cpu, a[2], ts->robust_list_len) < 0) {
        return -EFAULT;
    }
    return 0;
}

static int64_t sys_futex(CpuState *cpu, const uint64_t *a)
{
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
    const struct timespec *tmo = NULL;
    uint32_t *hu2 = NULL;
    uint64_t val2 = a[3];
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
    case FUTEX_WAIT_REQUEUE_PI:
        if (a[3]) {
            tmo = lu_guest_ptr(cpu, a[3], sizeof(struct timespec), PAGE_READ);
            if (!tmo) {
                return -EFAULT;
            }
        }
        val2 = (uintptr_t)tmo;
        break;
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
    case FUTEX_TRYLOCK_PI:
    case FUTEX_UNLOCK_PI:
        break;
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_WAKE_OP:
    case FUTEX_CMP_REQUEUE_PI:
        break;
    default:
        return -ENOSYS;
    }
    if (cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_WAKE_OP ||
        cmd == FUTEX_CMP_REQUEUE_PI || cmd == FUTEX_WAIT_REQUEUE_PI) {
        if (a[4] & 3) {
            return -EINVAL;
        }
        hu2 = lu_guest_ptr(cpu, a[4], 4, PAGE_READ | PAGE_WRITE);
        if (!hu2) {
            return -EFAULT;
        }
    }
    if (cmd == FUTEX_WAKE_OP && !lu_guest_ptr(cpu, a[4], 4, PAGE_WRITE)) {
        return -EFAULT;
    }
    /* Guest memory is host memory: the host futex does the real work. */
    return lu_host_ret(lu_safe_syscall(SYS_futex, (long)hu, op, (uint32_t)a[2], (long)val2,
                                       (long)hu2, (uint32_t)a[5]));
}

/* ---- fork / exec / wait ---- */

static int64_t sys_clone(CpuState *cpu, const uint64_t *a)
{
    uint64_t flags = a[0], newsp = a[1], ptid = a[2], tls = a[3], ctid = a[4];
    TaskState *ts = lu_task(cpu);

    if (flags & CLONE_VFORK) {
        /* vfork's shared memory cannot be had; a fork behaves the same
         * for any program that follows vfork's rules. */
        flags &= ~(uint64_t)(CLONE_VFORK | CLONE_VM);
    }
    if (flags & (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)) {
        int64_t r = lu_thread_create(cpu, flags, newsp, ptid, tls, ctid);
        if (r < 0 && rove_log_enabled(LOG_UNIMP)) {
            rove_log("Unsupported clone flags 0x%" PRIx64 "\n", flags);
        }
        return r;
    }
    if ((flags & CLONE_PARENT_SETTID) && !lu_guest_ptr(cpu, ptid, 4, PAGE_WRITE)) {
        return -EFAULT;
    }
    if (rove_log_file) {
        fflush(rove_log_file);
    }
    fflush(stderr);
    pid_t pid;
    int exit_sig = flags & CSIGNAL;
    /* Other threads may be translating, chaining or queueing signals:
     * their locks are taken across the fork so the child gets consistent
     * copies (lock order: threads, cpu list, tb, signals). */
    lu_thread_fork_prepare(ts->proc);
    cpu_fork_prepare();
    lu_signal_fork_prepare();
    if (exit_sig == SIGCHLD) {
        pid = fork();
    } else {
        pid = syscall(SYS_clone, (unsigned long)exit_sig, 0, NULL, NULL, 0);
    }
    int err = errno;
    if (pid != 0) {
        lu_signal_fork_parent();
        cpu_fork_parent();
        lu_thread_fork_parent(ts->proc);
        if (pid < 0) {
            return -err;
        }
        if (flags & CLONE_PARENT_SETTID) {
            lu_put_u32(cpu, ptid, pid);
        }
        return pid;
    }
    /* child: host signals stay blocked until its state is its own (a
     * signal sent to it right away is queued after the pending sets were
     * emptied, not lost) */
    bool code_ok = cpu_fork_child(cpu);
    lu_thread_fork_child(cpu);
    lu_signal_fork_child(cpu);
    if (!code_ok) {
        fprintf(stderr, "%s: cannot copy the code buffer after fork\n", LU_PROG);
        _exit(127);
    }
    RiscvCpu *rc = riscv_cpu(cpu);
    if (newsp) {
        rc->gpr[2] = newsp;
    }
    if (flags & CLONE_SETTLS) {
        rc->gpr[4] = tls;
    }
    if (flags & CLONE_CHILD_SETTID) {
        lu_put_u32(cpu, ctid, gettid());
    }
    if (flags & CLONE_CHILD_CLEARTID) {
        ts->clear_child_tid = ctid;
    }
    return 0;
}

/* Read a NULL-terminated guest array of strings (argv/envp). */
static int get_strv(CpuState *cpu, uint64_t addr, GPtrArray *out)
{
    enum { MAX_STRINGS = 1 << 16, MAX_STRLEN = 128 * 1024 };
    char *buf = g_malloc(MAX_STRLEN);
    int r = 0;
    for (int i = 0; addr; i++) {
        uint64_t p;
        if (i >= MAX_STRINGS) {
            r = -E2BIG;
            break;
        }
        if (lu_get_u64(cpu, addr + 8ull * i, &p) < 0) {
            r = -EFAULT;
            break;
        }
        if (!p) {
            break;
        }
        r = lu_get_string(cpu, p, buf, MAX_STRLEN);
        if (r < 0) {
            r = r == -ENAMETOOLONG ? -E2BIG : r;
            break;
        }
        g_ptr_array_add(out, g_strdup(buf));
    }
    g_free(buf);
    g_ptr_array_add(out, NULL);
    return r;
}

static int64_t sys_execve(CpuState *cpu, const uint64_t *a)
{
    LinuxProc *proc = lu_proc(cpu);
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    int r = lu_get_path(cpu, a[0], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    if (lu_is_proc_self_exe(buf)) {
        path = proc->exe_path;
    }
    if (access(path, X_OK) < 0) {
        return -errno;
    }
    int kind = lu_check_exec(proc, path);
    if (kind < 0) {
        return kind;
    }
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *envp = g_ptr_array_new_with_free_func(g_free);
    r = get_strv(cpu, a[1], argv);
    if (r == 0) {
        r = get_strv(cpu, a[2], envp);
    }
    if (r < 0) {
        g_ptr_array_free(argv, TRUE);
        g_ptr_array_free(envp, TRUE);
        return r;
    }
    if (kind == LU_EXEC_HOST) {
        /* Not ours (a host binary, a host script): like qemu-user, let the
         * host kernel run it. */
        if (rove_log_file) {
            fflush(rove_log_file);
        }
        fflush(stderr);
        int64_t ret = lu_execve(cpu, path, (char **)argv->pdata, (char **)envp->pdata);
        g_ptr_array_free(argv, TRUE);
        g_ptr_array_free(envp, TRUE);
        return ret;
    }
    /* rove [options] -0 argv0 -- path argv[1..] */
    GPtrArray *h = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(h, g_strdup(proc->rove_path));
    if (proc->sysroot) {
        g_ptr_array_add(h, g_strdup("-L"));
        g_ptr_array_add(h, g_strdup(proc->sysroot));
    }
    g_ptr_array_add(h, g_strdup("-accel"));
    g_ptr_array_add(h, g_strdup_printf("tcg,backend=%s", proc->backend_name));
    if (proc->strace) {
        g_ptr_array_add(h, g_strdup("-strace"));
    }
    if (proc->singlestep) {
        g_ptr_array_add(h, g_strdup("-singlestep"));
    }
    if (proc->log_spec && !proc->log_to_file) {
        g_ptr_array_add(h, g_strdup("-d"));
        g_ptr_array_add(h, g_strdup(proc->log_spec));
    }
    unsigned argc = argv->len - 1;
    if (argc > 0) {
        g_ptr_array_add(h, g_strdup("-0"));
        g_ptr_array_add(h, g_strdup(g_ptr_array_index(argv, 0)));
    }
    g_ptr_array_add(h, g_strdup("--"));
    g_ptr_array_add(h, g_strdup(path));
    for (unsigned i = 1; i < argc; i++) {
        g_ptr_array_add(h, g_strdup(g_ptr_array_index(argv, i)));
    }
    g_ptr_array_add(h, NULL);

    if (rove_log_file) {
        fflush(rove_log_file);
    }
    fflush(stderr);
    lu_slice_env_for_exec(envp);
    int64_t ret = lu_execve(cpu, proc->rove_path, (char **)h->pdata, (char **)envp->pdata);
    g_ptr_array_free(h, TRUE);
    g_ptr_array_free(argv, TRUE);
    g_ptr_array_free(envp, TRUE);
    return ret;
}

static int64_t sys_wait4(CpuState *cpu, const uint64_t *a)
{
    int *status = NULL;
    struct rusage *ru = NULL;
    if (a[1] && !(status = lu_guest_ptr(cpu, a[1], sizeof(int), PAGE_WRITE))) {
        return -EFAULT;
    }
    /* struct rusage: same layout (all longs) */
    if (a[3] && !(ru = lu_guest_ptr(cpu, a[3], sizeof(struct rusage), PAGE_WRITE))) {
        return -EFAULT;
    }
    return lu_host_ret(lu_safe_syscall(SYS_wait4, (pid_t)a[0], (long)status, (int)a[2], (long)ru,
                                       0, 0));
}

static int64_t sys_waitid(CpuState *cpu, const uint64_t *a)
{
    void *info = NULL;
    struct rusage *ru = NULL;
    if (a[2] && !(info = lu_guest_ptr(cpu, a[2], sizeof(siginfo_t), PAGE_WRITE))) {
        return -EFAULT;
    }
    if (a[4] && !(ru = lu_guest_ptr(cpu, a[4], sizeof(struct rusage), PAGE_WRITE))) {
        return -EFAULT;
    }
    return lu_host_ret(lu_safe_syscall(SYS_waitid, (int)a[0], (int)a[1], (long)info, (int)a[3],
                                       (long)ru, 0));
}

/* ---- limits, usage, system info ---- */

/* Limits the emulator itself lives by: the guest may read them, but
 * lowering them would break the 1 TiB guest reservation, the code buffer
 * or the emulator's stack. */
static bool rlimit_protected(int res)
{
    return res == RLIMIT_AS || res == RLIMIT_DATA || res == RLIMIT_STACK;
}

static int64_t do_prlimit(CpuState *cpu, int pid, int res, uint64_t new_addr,
                          uint64_t old_addr)
{
    struct rlimit nl, ol;
    struct rlimit *pn = NULL;
    if (new_addr) {
        if (lu_copy_from_guest(cpu, &nl, new_addr, sizeof(nl)) < 0) {
            return -EFAULT;
        }
        pn = &nl;
        if ((pid == 0 || pid == getpid()) && rlimit_protected(res)) {
            pn = NULL;
        }
    }
    if (old_addr && !lu_guest_ptr(cpu, old_addr, sizeof(ol), PAGE_WRITE)) {
        return -EFAULT;
    }
    if (prlimit(pid, res, pn, &ol) < 0) {
        return -errno;
    }
    if (old_addr) {
        lu_copy_to_guest(cpu, old_addr, &ol, sizeof(ol));
    }
    return 0;
}

static int64_t sys_prlimit64(CpuState *cpu, const uint64_t *a)
{
    return do_prlimit(cpu, (int)a[0], (int)a[1], a[2], a[3]);
}

static int64_t sys_getrlimit(CpuState *cpu, const uint64_t *a)
{
    return do_prlimit(cpu, 0, (int)a[0], 0, a[1]);
}

static int64_t sys_setrlimit(CpuState *cpu, const uint64_t *a)
{
    return do_prlimit(cpu, 0, (int)a[0], a[1], 0);
}

static int64_t sys_getrusage(CpuState *cpu, const uint64_t *a)
{
    struct rusage ru;
    if (getrusage((int)a[0], &ru) < 0) {
        return -errno;
    }
    return lu_copy_to_guest(cpu, a[1], &ru, sizeof(ru));
}

static int64_t sys_sysinfo(CpuState *cpu, const uint64_t *a)
{
    struct sysinfo si;
    if (sysinfo(&si) < 0) {
        return -errno;
    }
    return lu_copy_to_guest(cpu, a[0], &si, sizeof(si));
}

static int64_t sys_uname(CpuState *cpu, const uint64_t *a)
{
    struct utsname u;
    if (uname(&u) < 0) {
        return -errno;
    }
    snprintf(u.machine, sizeof(u.machine), "riscv64");
    return lu_copy_to_guest(cpu, a[0], &u, sizeof(u));
}

static int64_t sys_getrandom(CpuState *cpu, const uint64_t *a)
{
    void *p = lu_guest_ptr(cpu, a[0], a[1], PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(getrandom(p, a[1], (unsigned)a[2]));
}

/* ---- scheduling ---- */

static int64_t sys_sched_getaffinity(CpuState *cpu, const uint64_t *a)
{
    void *mask = lu_guest_ptr(cpu, a[2], a[1], PAGE_WRITE);
    if (!mask) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_sched_getaffinity, (pid_t)a[0], (size_t)a[1], mask));
}

static int64_t sys_sched_setaffinity(CpuState *cpu, const uint64_t *a)
{
    void *mask = lu_guest_ptr(cpu, a[2], a[1], PAGE_READ);
    if (!mask) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_sched_setaffinity, (pid_t)a[0], (size_t)a[1], mask));
}

static int64_t sys_sched_getparam(CpuState *cpu, const uint64_t *a)
{
    void *p = lu_guest_ptr(cpu, a[1], sizeof(struct sched_param), PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_sched_getparam, (pid_t)a[0], p));
}

static int64_t sys_sched_setscheduler(CpuState *cpu, const uint64_t *a)
{
    void *p = lu_guest_ptr(cpu, a[2], sizeof(struct sched_param), PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_sched_setscheduler, (pid_t)a[0], (int)a[1], p));
}

static int64_t sys_sched_setparam(CpuState *cpu, const uint64_t *a)
{
    void *p = lu_guest_ptr(cpu, a[1], sizeof(struct sched_param), PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_sched_setparam, (pid_t)a[0], p));
}

/* struct timespec: the same layout on both sides. */
static int64_t sys_sched_rr_get_interval(CpuState *cpu, const uint64_t *a)
{
    void *p = lu_guest_ptr(cpu, a[1], sizeof(struct timespec), PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_sched_rr_get_interval, (pid_t)a[0], p));
}

/* sethostname/setdomainname: the host's (in a UTS namespace of our own
 * when there is one; otherwise EPERM unless privileged, as natively). */
static int64_t do_set_uts_name(CpuState *cpu, const uint64_t *a, long nr)
{
    if ((int64_t)a[1] < 0) {
        return -EINVAL;
    }
    void *p = lu_guest_ptr(cpu, a[0], a[1], PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(nr, p, (size_t)a[1]));
}

static int64_t sys_sethostname(CpuState *cpu, const uint64_t *a)
{
    return do_set_uts_name(cpu, a, SYS_sethostname);
}

static int64_t sys_setdomainname(CpuState *cpu, const uint64_t *a)
{
    return do_set_uts_name(cpu, a, SYS_setdomainname);
}

static int64_t sys_getcpu(CpuState *cpu, const uint64_t *a)
{
    unsigned c, n;
    if (syscall(SYS_getcpu, &c, &n, NULL) < 0) {
        return -errno;
    }
    if ((a[0] && lu_put_u32(cpu, a[0], c) < 0) || (a[1] && lu_put_u32(cpu, a[1], n) < 0)) {
        return -EFAULT;
    }
    return 0;
}

static int64_t sys_prctl(CpuState *cpu, const uint64_t *a)
{
    int opt = (int)a[0];
    void *p;
    switch (opt) {
    case PR_SET_NAME:
    case PR_GET_NAME:
        p = lu_guest_ptr(cpu, a[1], 16, opt == PR_SET_NAME ? PAGE_READ : PAGE_WRITE);
        if (!p) {
            return -EFAULT;
        }
        return lu_host_ret(prctl(opt, p, 0, 0, 0));
    case PR_GET_PDEATHSIG:
    case PR_GET_CHILD_SUBREAPER:
        p = lu_guest_ptr(cpu, a[1], 4, PAGE_WRITE);
        if (!p) {
            return -EFAULT;
        }
        return lu_host_ret(prctl(opt, p, 0, 0, 0));
    case PR_SET_PDEATHSIG:
    case PR_GET_DUMPABLE:
    case PR_SET_DUMPABLE:
    case PR_SET_NO_NEW_PRIVS:
    case PR_GET_NO_NEW_PRIVS:
    case PR_SET_CHILD_SUBREAPER:
    case PR_CAPBSET_READ:
    case PR_GET_TIMERSLACK:
    case PR_SET_TIMERSLACK:
    case PR_GET_KEEPCAPS:
    case PR_SET_KEEPCAPS:
        return lu_host_ret(prctl(opt, a[1], a[2], a[3], a[4]));
    default:
        /* seccomp filters, PR_SET_MM and the like would act on the
         * emulator, not the guest. */
        if (rove_log_enabled(LOG_UNIMP)) {
            rove_log("Unsupported prctl: %d\n", opt);
        }
        return -EINVAL;
    }
}

static int64_t sys_sched_yield(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(sched_yield());
}

static int64_t sys_enosys(CpuState *cpu, const uint64_t *a)
{
    return -ENOSYS;
}

static const SyscallDef proc_defs[] = {
    { RV_NR_exit, "exit", sys_exit, "d", LU_SC_NORETURN },
    { RV_NR_exit_group, "exit_group", sys_exit_group, "d", LU_SC_NORETURN },
    { RV_NR_getpid, "getpid", sys_getpid, "", 0 },
    { RV_NR_getppid, "getppid", sys_getppid, "", 0 },
    { RV_NR_gettid, "gettid", sys_gettid, "", 0 },
    { RV_NR_getuid, "getuid", sys_getuid, "", 0 },
    { RV_NR_geteuid, "geteuid", sys_geteuid, "", 0 },
    { RV_NR_getgid, "getgid", sys_getgid, "", 0 },
    { RV_NR_getegid, "getegid", sys_getegid, "", 0 },
    { RV_NR_setuid, "setuid", sys_setuid, "d", 0 },
    { RV_NR_setgid, "setgid", sys_setgid, "d", 0 },
    { RV_NR_setreuid, "setreuid", sys_setreuid, "dd", 0 },
    { RV_NR_setregid, "setregid", sys_setregid, "dd", 0 },
    { RV_NR_setresuid, "setresuid", sys_setresuid, "ddd", 0 },
    { RV_NR_setresgid, "setresgid", sys_setresgid, "ddd", 0 },
    { RV_NR_getresuid, "getresuid", sys_getresuid, "ppp", 0 },
    { RV_NR_getresgid, "getresgid", sys_getresgid, "ppp", 0 },
    { RV_NR_setfsuid, "setfsuid", sys_setfsuid, "d", 0 },
    { RV_NR_setfsgid, "setfsgid", sys_setfsgid, "d", 0 },
    { RV_NR_getgroups, "getgroups", sys_getgroups, "dp", 0 },
    { RV_NR_setgroups, "setgroups", sys_setgroups, "dp", 0 },
    { RV_NR_setpgid, "setpgid", sys_setpgid, "dd", 0 },
    { RV_NR_getpgid, "getpgid", sys_getpgid, "d", 0 },
    { RV_NR_getsid, "getsid", sys_getsid, "d", 0 },
    { RV_NR_setsid, "setsid", sys_setsid, "", 0 },
    { RV_NR_capget, "capget", sys_capget, "pp", 0 },
    { RV_NR_capset, "capset", sys_capset, "pp", 0 },
    { RV_NR_personality, "personality", sys_personality, "x", 0 },
    { RV_NR_set_tid_address, "set_tid_address", sys_set_tid_address, "p", 0 },
    { RV_NR_set_robust_list, "set_robust_list", sys_set_robust_list, "pu", 0 },
    { RV_NR_get_robust_list, "get_robust_list", sys_get_robust_list, "dpp", 0 },
    { RV_NR_rseq, "rseq", sys_enosys, "puxx", 0 },
    { RV_NR_futex, "futex", sys_futex, "pxuppx", 0 },
    { RV_NR_clone, "clone", sys_clone, "xpppp", 0 },
    { RV_NR_clone3, "clone3", sys_enosys, "pu", 0 },
    { RV_NR_execve, "execve", sys_execve, "sAp", 0 },
    { RV_NR_wait4, "wait4", sys_wait4, "dpxp", 0 },
    { RV_NR_waitid, "waitid", sys_waitid, "ddpxp", 0 },
    { RV_NR_prlimit64, "prlimit64", sys_prlimit64, "ddpp", 0 },
    { RV_NR_getrlimit, "getrlimit", sys_getrlimit, "dp", 0 },
    { RV_NR_setrlimit, "setrlimit", sys_setrlimit, "dp", 0 },
    { RV_NR_getrusage, "getrusage", sys_getrusage, "dp", 0 },
    { RV_NR_sysinfo, "sysinfo", sys_sysinfo, "p", 0 },
    { RV_NR_uname, "uname", sys_uname, "p", 0 },
    { RV_NR_getrandom, "getrandom", sys_getrandom, "pux", 0 },
    { RV_NR_sched_yield, "sched_yield", sys_sched_yield, "", 0 },
    { RV_NR_sched_getaffinity, "sched_getaffinity", sys_sched_getaffinity, "dup", 0 },
    { RV_NR_sched_setaffinity, "sched_setaffinity", sys_sched_setaffinity, "dup", 0 },
    { RV_NR_sched_getparam, "sched_getparam", sys_sched_getparam, "dp", 0 },
    { RV_NR_sched_setscheduler, "sched_setscheduler", sys_sched_setscheduler, "ddp", 0 },
    { RV_NR_sched_setparam, "sched_setparam", sys_sched_setparam, "dp", 0 },
    { RV_NR_sched_rr_get_interval, "sched_rr_get_interval", sys_sched_rr_get_interval, "dp",
      0 },
    { RV_NR_sethostname, "sethostname", sys_sethostname, "pu", 0 },
    { RV_NR_setdomainname, "setdomainname", sys_setdomainname, "pu", 0 },
    { RV_NR_sched_getscheduler, "sched_getscheduler", sys_sched_getscheduler, "d", 0 },
    { RV_NR_sched_get_priority_max, "sched_get_priority_max", sys_sched_get_priority_max,
      "d", 0 },
    { RV_NR_sched_get_priority_min, "sched_get_priority_min", sys_sched_get_priority_min,
      "d", 0 },
    { RV_NR_getpriority, "getpriority", sys_getpriority, "dd", 0 },
    { RV_NR_setpriority, "setpriority", sys_setpriority, "ddd", 0 },
    { RV_NR_getcpu, "getcpu", sys_getcpu, "ppp", 0 },
    { RV_NR_prctl, "prctl", sys_prctl, "dxxxx", 0 },
    { RV_NR_riscv_hwprobe, "riscv_hwprobe", sys_enosys, "pupux", 0 },
};

LU_TABLE(lu_proc_syscalls, proc_defs);
