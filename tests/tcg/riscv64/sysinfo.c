/* Process/system information syscalls: uname, ids, getcwd/chdir, sysconf,
 * prctl names, rlimits, umask, raw ecall with an unknown number (-ENOSYS),
 * and errno values from failing calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "rvtest.h"

static long raw_syscall(long nr, long a0)
{
    register long a7 __asm__("a7") = nr;
    register long r __asm__("a0") = a0;
    __asm__ volatile("ecall" : "+r"(r) : "r"(a7) : "memory");
    return r;
}

int main(void)
{
    struct utsname u;
    CHECK("uname", uname(&u), 0);
    printf("uname.machine = %s\n", u.machine);
    CHECK_TRUE("uname.sysname == Linux", strcmp(u.sysname, "Linux") == 0);

    pid_t pid = getpid();
    CHECK_TRUE("getpid > 0", pid > 0);
    CHECK_TRUE("gettid == getpid in main thread", syscall(SYS_gettid) == pid);
    CHECK_TRUE("getppid > 0", getppid() > 0);
    CHECK_TRUE("getuid == geteuid", getuid() == geteuid());
    CHECK_TRUE("getgid == getegid", getgid() == getegid());
    CHECK_TRUE("getpgrp > 0", getpgrp() > 0);
    CHECK_TRUE("getsid > 0", getsid(0) > 0);

    char cwd[4096], cwd2[4096];
    CHECK_TRUE("getcwd", getcwd(cwd, sizeof(cwd)) != NULL);
    CHECK("chdir /", chdir("/"), 0);
    CHECK_TRUE("getcwd after chdir is /", getcwd(cwd2, sizeof(cwd2)) && strcmp(cwd2, "/") == 0);
    CHECK("chdir back", chdir(cwd), 0);
    CHECK("chdir to missing dir -> ENOENT", chdir("/nonexistent-rove-dir") == -1 && errno == ENOENT, 1);

    CHECK("sysconf(_SC_PAGESIZE)", sysconf(_SC_PAGESIZE), 4096);
    CHECK_TRUE("sysconf(_SC_NPROCESSORS_ONLN) >= 1", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
    CHECK_TRUE("sysconf(_SC_OPEN_MAX) >= 20", sysconf(_SC_OPEN_MAX) >= 20);

    char name[17] = { 0 };
    CHECK("prctl PR_SET_NAME", prctl(PR_SET_NAME, "rove-sysinfo", 0, 0, 0), 0);
    CHECK("prctl PR_GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0), 0);
    printf("thread name = %s\n", name);

    struct rlimit rl;
    CHECK("getrlimit(RLIMIT_STACK)", getrlimit(RLIMIT_STACK, &rl), 0);
    CHECK_TRUE("stack limit >= 1MiB or unlimited", rl.rlim_cur >= (1 << 20));
    CHECK("getrlimit(RLIMIT_NOFILE)", getrlimit(RLIMIT_NOFILE, &rl), 0);
    struct rusage ru;
    CHECK("getrusage(RUSAGE_SELF)", getrusage(RUSAGE_SELF, &ru), 0);

    mode_t old = umask(027);
    CHECK("umask returns previous then new", umask(old), 027);

    CHECK("ecall with unknown number -> -ENOSYS", raw_syscall(4000, 0), -ENOSYS);
    CHECK_TRUE("ecall getpid", raw_syscall(SYS_getpid, 0) == pid);
    CHECK("close(-1) -> EBADF", close(-1) == -1 && errno == EBADF, 1);
    CHECK("ioctl TIOCGWINSZ on /dev/null -> ENOTTY", ({
        struct winsize ws;
        FILE *f = fopen("/dev/null", "r");
        int r = ioctl(fileno(f), TIOCGWINSZ, &ws);
        int e = errno;
        fclose(f);
        r == -1 && e == ENOTTY; }), 1);
    CHECK_TRUE("isatty(/dev/null) is false", ({
        FILE *f = fopen("/dev/null", "r");
        int r = isatty(fileno(f));
        fclose(f);
        !r; }));
    char host[256];
    CHECK("gethostname", gethostname(host, sizeof(host)), 0);
    return rvt_done("sysinfo");
}
