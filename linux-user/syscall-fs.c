/*
 * File-system syscalls that take paths: stat and friends, access,
 * readlink, directory listing and manipulation, permissions, cwd.
 *
 * Paths that look things up (open, stat, access, readlink, exec) honour -L;
 * paths that create or remove things do not, so a guest never writes into
 * the sysroot by accident.  /proc/self/exe names the guest program.
 *
 * struct stat is the one layout that differs from the host here: riscv64
 * uses asm-generic's (32-bit mode/nlink/uid/gid, int blksize), x86-64 its
 * own, so fstat/newfstatat translate field by field.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

/* riscv64 (asm-generic) struct stat */
typedef struct GuestStat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint64_t pad1;
    int64_t st_size;
    int32_t st_blksize;
    int32_t pad2;
    int64_t st_blocks;
    int64_t st_atime_sec;
    uint64_t st_atime_nsec;
    int64_t st_mtime_sec;
    uint64_t st_mtime_nsec;
    int64_t st_ctime_sec;
    uint64_t st_ctime_nsec;
    uint32_t unused4;
    uint32_t unused5;
} GuestStat;

G_STATIC_ASSERT(sizeof(GuestStat) == 128);
G_STATIC_ASSERT(offsetof(GuestStat, st_size) == 48);
G_STATIC_ASSERT(offsetof(GuestStat, st_atime_sec) == 72);

static int put_stat(CpuState *cpu, uint64_t addr, const struct stat *h)
{
    GuestStat g = {
        .st_dev = h->st_dev,
        .st_ino = h->st_ino,
        .st_mode = h->st_mode,
        .st_nlink = (uint32_t)h->st_nlink,
        .st_uid = h->st_uid,
        .st_gid = h->st_gid,
        .st_rdev = h->st_rdev,
        .st_size = h->st_size,
        .st_blksize = (int32_t)h->st_blksize,
        .st_blocks = h->st_blocks,
        .st_atime_sec = h->st_atim.tv_sec,
        .st_atime_nsec = h->st_atim.tv_nsec,
        .st_mtime_sec = h->st_mtim.tv_sec,
        .st_mtime_nsec = h->st_mtim.tv_nsec,
        .st_ctime_sec = h->st_ctim.tv_sec,
        .st_ctime_nsec = h->st_ctim.tv_nsec,
    };
    return lu_copy_to_guest(cpu, addr, &g, sizeof(g));
}

/*
 * A path argument of a lookup syscall: -L applied, /proc/self/exe mapped
 * to the program.  An empty path (AT_EMPTY_PATH) stays empty.
 */
static int lookup_path(CpuState *cpu, uint64_t addr, char *buf, char *hbuf, const char **host)
{
    int r = lu_get_path(cpu, addr, buf, hbuf, host);
    if (r == 0 && lu_is_proc_self_exe(buf)) {
        *host = lu_proc(cpu)->exe_path;
    }
    return r;
}

static int64_t sys_fstat(CpuState *cpu, const uint64_t *a)
{
    struct stat st;
    if (fstat(lu_fd(a[0]), &st) < 0) {
        return -errno;
    }
    return put_stat(cpu, a[1], &st);
}

static int64_t sys_newfstatat(CpuState *cpu, const uint64_t *a)
{
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    struct stat st;
    int r = lookup_path(cpu, a[1], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    if (!lu_guest_ptr(cpu, a[2], sizeof(GuestStat), PAGE_WRITE)) {
        return -EFAULT;
    }
    if (fstatat(lu_fd(a[0]), path, &st, (int)a[3]) < 0) {
        return -errno;
    }
    return put_stat(cpu, a[2], &st);
}

static int64_t sys_statx(CpuState *cpu, const uint64_t *a)
{
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    int r = lookup_path(cpu, a[1], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    /* struct statx has one layout on every architecture. */
    void *out = lu_guest_ptr(cpu, a[4], 256, PAGE_WRITE);
    if (!out) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_statx, lu_fd(a[0]), path, (int)a[2], (unsigned)a[3], out));
}

static int64_t sys_statfs(CpuState *cpu, const uint64_t *a)
{
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    int r = lookup_path(cpu, a[0], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    /* asm-generic statfs on a 64-bit target == x86-64's struct statfs */
    void *out = lu_guest_ptr(cpu, a[1], sizeof(struct statfs), PAGE_WRITE);
    if (!out) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_statfs, path, out));
}

static int64_t sys_fstatfs(CpuState *cpu, const uint64_t *a)
{
    void *out = lu_guest_ptr(cpu, a[1], sizeof(struct statfs), PAGE_WRITE);
    if (!out) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_fstatfs, lu_fd(a[0]), out));
}

static int64_t do_faccessat(CpuState *cpu, const uint64_t *a, int flags)
{
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    int r = lookup_path(cpu, a[1], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    long ret = syscall(SYS_faccessat2, lu_fd(a[0]), path, (int)a[2], flags);
    if (ret < 0 && errno == ENOSYS) {
        ret = faccessat(lu_fd(a[0]), path, (int)a[2], flags);
    }
    return lu_host_ret(ret);
}

static int64_t sys_faccessat(CpuState *cpu, const uint64_t *a)
{
    return do_faccessat(cpu, a, 0);
}

static int64_t sys_faccessat2(CpuState *cpu, const uint64_t *a)
{
    return do_faccessat(cpu, a, (int)a[3]);
}

static int64_t sys_readlinkat(CpuState *cpu, const uint64_t *a)
{
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    int r = lu_get_path(cpu, a[1], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    if ((int64_t)a[3] <= 0) {
        return -EINVAL;
    }
    uint64_t len = MIN(a[3], (uint64_t)PATH_MAX);
    char *out = lu_guest_ptr(cpu, a[2], len, PAGE_WRITE);
    if (!out) {
        return -EFAULT;
    }
    if (lu_is_proc_self_exe(buf)) {
        const char *exe = lu_proc(cpu)->exe_path;
        size_t n = MIN(strlen(exe), len);
        memcpy(out, exe, n);
        return n;
    }
    return lu_host_ret(readlinkat(lu_fd(a[0]), path, out, len));
}

static int64_t sys_getdents64(CpuState *cpu, const uint64_t *a)
{
    /* struct linux_dirent64 is the same everywhere */
    void *out = lu_guest_ptr(cpu, a[1], a[2], PAGE_WRITE);
    if (!out) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_getdents64, lu_fd(a[0]), out, (unsigned)a[2]));
}

/* Syscalls whose path argument is used as given (no -L). */
static int raw_path(CpuState *cpu, uint64_t addr, char *buf)
{
    return lu_get_string(cpu, addr, buf, PATH_MAX);
}

static int64_t sys_mkdirat(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    int r = raw_path(cpu, a[1], p);
    return r < 0 ? r : lu_host_ret(mkdirat(lu_fd(a[0]), p, (mode_t)a[2]));
}

static int64_t sys_mknodat(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    int r = raw_path(cpu, a[1], p);
    return r < 0 ? r : lu_host_ret(mknodat(lu_fd(a[0]), p, (mode_t)a[2], (dev_t)a[3]));
}

static int64_t sys_unlinkat(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    int r = raw_path(cpu, a[1], p);
    return r < 0 ? r : lu_host_ret(unlinkat(lu_fd(a[0]), p, (int)a[2]));
}

static int64_t sys_symlinkat(CpuState *cpu, const uint64_t *a)
{
    char target[PATH_MAX], p[PATH_MAX];
    int r = raw_path(cpu, a[0], target);
    if (r == 0) {
        r = raw_path(cpu, a[2], p);
    }
    return r < 0 ? r : lu_host_ret(symlinkat(target, lu_fd(a[1]), p));
}

static int64_t sys_linkat(CpuState *cpu, const uint64_t *a)
{
    char from[PATH_MAX], to[PATH_MAX];
    int r = raw_path(cpu, a[1], from);
    if (r == 0) {
        r = raw_path(cpu, a[3], to);
    }
    return r < 0 ? r : lu_host_ret(linkat(lu_fd(a[0]), from, lu_fd(a[2]), to, (int)a[4]));
}

static int64_t sys_renameat2(CpuState *cpu, const uint64_t *a)
{
    char from[PATH_MAX], to[PATH_MAX];
    int r = raw_path(cpu, a[1], from);
    if (r == 0) {
        r = raw_path(cpu, a[3], to);
    }
    if (r < 0) {
        return r;
    }
    return lu_host_ret(syscall(SYS_renameat2, lu_fd(a[0]), from, lu_fd(a[2]), to,
                               (unsigned)a[4]));
}

static int64_t sys_fchmod(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(fchmod(lu_fd(a[0]), (mode_t)a[1]));
}

static int64_t sys_fchmodat(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    int r = raw_path(cpu, a[1], p);
    /* the syscall has no flags argument (glibc emulates AT_SYMLINK_NOFOLLOW) */
    return r < 0 ? r : lu_host_ret(syscall(SYS_fchmodat, lu_fd(a[0]), p, (mode_t)a[2]));
}

static int64_t sys_fchown(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(fchown(lu_fd(a[0]), (uid_t)a[1], (gid_t)a[2]));
}

static int64_t sys_fchownat(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    int r = raw_path(cpu, a[1], p);
    return r < 0 ? r : lu_host_ret(fchownat(lu_fd(a[0]), p, (uid_t)a[2], (gid_t)a[3],
                                            (int)a[4]));
}

static int64_t sys_utimensat(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    const char *path = NULL;
    if (a[1]) {
        int r = raw_path(cpu, a[1], p);
        if (r < 0) {
            return r;
        }
        path = p;
    }
    const struct timespec *ts = NULL;
    if (a[2]) {
        ts = lu_guest_ptr(cpu, a[2], 2 * sizeof(struct timespec), PAGE_READ);
        if (!ts) {
            return -EFAULT;
        }
    }
    return lu_host_ret(syscall(SYS_utimensat, lu_fd(a[0]), path, ts, (int)a[3]));
}

static int64_t sys_getcwd(CpuState *cpu, const uint64_t *a)
{
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof(buf))) {
        return -errno;
    }
    size_t n = strlen(buf) + 1;
    if (n > a[1]) {
        return -ERANGE;
    }
    int r = lu_copy_to_guest(cpu, a[0], buf, n);
    return r < 0 ? r : (int64_t)n;
}

static int64_t sys_chdir(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    int r = raw_path(cpu, a[0], p);
    return r < 0 ? r : lu_host_ret(chdir(p));
}

static int64_t sys_fchdir(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(fchdir(lu_fd(a[0])));
}

static int64_t sys_chroot(CpuState *cpu, const uint64_t *a)
{
    char p[PATH_MAX];
    int r = raw_path(cpu, a[0], p);
    return r < 0 ? r : lu_host_ret(chroot(p));
}

static int64_t sys_umask(CpuState *cpu, const uint64_t *a)
{
    return umask((mode_t)a[0] & 0777);
}

/* ---- extended attributes: pass-through ---- */

static int64_t do_getxattr(CpuState *cpu, const uint64_t *a, int kind)
{
    char p[PATH_MAX], name[256];
    int r = 0;
    if (kind != 2) {
        r = raw_path(cpu, a[0], p);
    }
    if (r == 0) {
        r = lu_get_string(cpu, a[1], name, sizeof(name));
    }
    if (r < 0) {
        return r == -ENAMETOOLONG ? -ERANGE : r;
    }
    void *v = lu_guest_ptr(cpu, a[2], a[3], PAGE_WRITE);
    if (!v) {
        return -EFAULT;
    }
    switch (kind) {
    case 0:
        return lu_host_ret(getxattr(p, name, v, a[3]));
    case 1:
        return lu_host_ret(lgetxattr(p, name, v, a[3]));
    default:
        return lu_host_ret(fgetxattr(lu_fd(a[0]), name, v, a[3]));
    }
}

static int64_t sys_getxattr(CpuState *cpu, const uint64_t *a)
{
    return do_getxattr(cpu, a, 0);
}

static int64_t sys_lgetxattr(CpuState *cpu, const uint64_t *a)
{
    return do_getxattr(cpu, a, 1);
}

static int64_t sys_fgetxattr(CpuState *cpu, const uint64_t *a)
{
    return do_getxattr(cpu, a, 2);
}

static int64_t do_listxattr(CpuState *cpu, const uint64_t *a, int kind)
{
    char p[PATH_MAX];
    if (kind != 2) {
        int r = raw_path(cpu, a[0], p);
        if (r < 0) {
            return r;
        }
    }
    void *v = lu_guest_ptr(cpu, a[1], a[2], PAGE_WRITE);
    if (!v) {
        return -EFAULT;
    }
    switch (kind) {
    case 0:
        return lu_host_ret(listxattr(p, v, a[2]));
    case 1:
        return lu_host_ret(llistxattr(p, v, a[2]));
    default:
        return lu_host_ret(flistxattr(lu_fd(a[0]), v, a[2]));
    }
}

static int64_t sys_listxattr(CpuState *cpu, const uint64_t *a)
{
    return do_listxattr(cpu, a, 0);
}

static int64_t sys_llistxattr(CpuState *cpu, const uint64_t *a)
{
    return do_listxattr(cpu, a, 1);
}

static int64_t sys_flistxattr(CpuState *cpu, const uint64_t *a)
{
    return do_listxattr(cpu, a, 2);
}

static const SyscallDef fs_defs[] = {
    { RV_NR_fstat, "fstat", sys_fstat, "dp", 0 },
    { RV_NR_newfstatat, "newfstatat", sys_newfstatat, "fspx", 0 },
    { RV_NR_statx, "statx", sys_statx, "fsxxp", 0 },
    { RV_NR_statfs, "statfs", sys_statfs, "sp", 0 },
    { RV_NR_fstatfs, "fstatfs", sys_fstatfs, "dp", 0 },
    { RV_NR_faccessat, "faccessat", sys_faccessat, "fsx", 0 },
    { RV_NR_faccessat2, "faccessat2", sys_faccessat2, "fsxx", 0 },
    { RV_NR_readlinkat, "readlinkat", sys_readlinkat, "fspu", 0 },
    { RV_NR_getdents64, "getdents64", sys_getdents64, "dpu", 0 },
    { RV_NR_mkdirat, "mkdirat", sys_mkdirat, "fsm", 0 },
    { RV_NR_mknodat, "mknodat", sys_mknodat, "fsmx", 0 },
    { RV_NR_unlinkat, "unlinkat", sys_unlinkat, "fsx", 0 },
    { RV_NR_symlinkat, "symlinkat", sys_symlinkat, "sfs", 0 },
    { RV_NR_linkat, "linkat", sys_linkat, "fsfsx", 0 },
    { RV_NR_renameat2, "renameat2", sys_renameat2, "fsfsx", 0 },
    { RV_NR_fchmod, "fchmod", sys_fchmod, "dm", 0 },
    { RV_NR_fchmodat, "fchmodat", sys_fchmodat, "fsm", 0 },
    { RV_NR_fchown, "fchown", sys_fchown, "ddd", 0 },
    { RV_NR_fchownat, "fchownat", sys_fchownat, "fsddx", 0 },
    { RV_NR_utimensat, "utimensat", sys_utimensat, "fspx", 0 },
    { RV_NR_getcwd, "getcwd", sys_getcwd, "pu", 0 },
    { RV_NR_chdir, "chdir", sys_chdir, "s", 0 },
    { RV_NR_fchdir, "fchdir", sys_fchdir, "d", 0 },
    { RV_NR_chroot, "chroot", sys_chroot, "s", 0 },
    { RV_NR_umask, "umask", sys_umask, "m", 0 },
    { RV_NR_getxattr, "getxattr", sys_getxattr, "sspu", 0 },
    { RV_NR_lgetxattr, "lgetxattr", sys_lgetxattr, "sspu", 0 },
    { RV_NR_fgetxattr, "fgetxattr", sys_fgetxattr, "dspu", 0 },
    { RV_NR_listxattr, "listxattr", sys_listxattr, "spu", 0 },
    { RV_NR_llistxattr, "llistxattr", sys_llistxattr, "spu", 0 },
    { RV_NR_flistxattr, "flistxattr", sys_flistxattr, "dpu", 0 },
};

LU_TABLE(lu_fs_syscalls, fs_defs);
