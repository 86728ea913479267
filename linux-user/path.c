/*
 * -L SYSROOT path lookups.
 *
 * Like the kernel's binfmt prefix and QEMU's -L: an absolute guest path P
 * is served from SYSROOT/P when that exists, else from the host's P.  So
 * the dynamic loader finds riscv64 libraries under the sysroot while the
 * program still sees the host's /etc, /tmp, /proc and so on.  "/" itself is
 * never redirected (a shell's "ls /" shows the host root).  No caching: the
 * lookup is one lstat, and caching would go stale when the guest creates
 * files.
 */
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux-user/linux-user.h"

const char *lu_path(LinuxProc *proc, const char *p, char *buf)
{
    if (!proc->sysroot || p[0] != '/') {
        return p;
    }
    /* Skip "/", "//", "/." and the like: they all name the root. */
    const char *q = p;
    while (*q == '/' || (q[0] == '.' && (q[1] == '/' || q[1] == 0))) {
        q++;
    }
    if (*q == 0) {
        return p;
    }
    size_t n = strlen(proc->sysroot);
    size_t m = strlen(p);
    if (n + m + 1 > PATH_MAX) {
        return p;
    }
    memcpy(buf, proc->sysroot, n);
    memcpy(buf + n, p, m + 1);
    struct stat st;
    if (lstat(buf, &st) == 0) {
        return buf;
    }
    return p;
}

bool lu_is_proc_self_exe(const char *p)
{
    static const char *const names[] = { "/proc/self/exe", "/proc/thread-self/exe" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(p, names[i]) == 0) {
            return true;
        }
    }
    /* /proc/<our pid>/exe */
    char own[64];
    snprintf(own, sizeof(own), "/proc/%d/exe", (int)getpid());
    return strcmp(p, own) == 0;
}
