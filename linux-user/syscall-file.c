/*
 * File descriptor I/O syscalls: read/write and friends, open/close, seek,
 * dup, pipes, sync, truncate, and the fd-making odds and ends (memfd,
 * eventfd).  Data layouts here are identical on riscv64 and x86-64, so
 * these are checked pass-throughs.
 *
 * Buffers: a read or write whose buffer is only partly mapped is cut at the
 * first bad page (what the kernel's copy_to_user would do); an entirely
 * bad buffer gives -EFAULT.
 */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

#define SAFE3(nr, a, b, c) lu_safe_syscall(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* Host buffer for a guest read/write; *len is cut to what is accessible. */
static void *io_buf(CpuState *cpu, uint64_t addr, uint64_t *len, int access)
{
    if (*len == 0) {
        return g2h(0);
    }
    uint64_t n = lu_access_prefix(cpu, addr, *len, access);
    if (n == 0) {
        return NULL;
    }
    *len = n;
    return g2h(addr);
}

static int64_t sys_read(CpuState *cpu, const uint64_t *a)
{
    uint64_t len = a[2];
    void *p = io_buf(cpu, a[1], &len, PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(SAFE3(SYS_read, lu_fd(a[0]), p, len));
}

static int64_t sys_write(CpuState *cpu, const uint64_t *a)
{
    uint64_t len = a[2];
    void *p = io_buf(cpu, a[1], &len, PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(SAFE3(SYS_write, lu_fd(a[0]), p, len));
}

static int64_t sys_pread64(CpuState *cpu, const uint64_t *a)
{
    uint64_t len = a[2];
    void *p = io_buf(cpu, a[1], &len, PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(lu_safe_syscall(SYS_pread64, lu_fd(a[0]), (long)p, len, a[3], 0, 0));
}

static int64_t sys_pwrite64(CpuState *cpu, const uint64_t *a)
{
    uint64_t len = a[2];
    void *p = io_buf(cpu, a[1], &len, PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    return lu_host_ret(lu_safe_syscall(SYS_pwrite64, lu_fd(a[0]), (long)p, len, a[3], 0, 0));
}

/* readv/writev/preadv/pwritev/preadv2/pwritev2 */
static int64_t do_vec_io(CpuState *cpu, const uint64_t *a, bool is_write, int mode)
{
    struct iovec *v;
    int r = lu_get_iovec(cpu, a[1], a[2], is_write ? PAGE_READ : PAGE_WRITE, &v);
    if (r < 0) {
        return r;
    }
    long ret;
    int fd = lu_fd(a[0]);
    int cnt = (int)a[2];
    switch (mode) {
    case 0:
        ret = SAFE3(is_write ? SYS_writev : SYS_readv, fd, v, cnt);
        break;
    case 1:
        /* (fd, iov, cnt, pos_l, pos_h): on 64-bit pos_l is the offset */
        ret = lu_safe_syscall(is_write ? SYS_pwritev : SYS_preadv, fd, (long)v, cnt, a[3], 0,
                              0);
        break;
    default:
        /* preadv2/pwritev2(fd, iov, cnt, pos_l, pos_h, flags); pos -1 = current */
        ret = lu_safe_syscall(is_write ? SYS_pwritev2 : SYS_preadv2, fd, (long)v, cnt, a[3], 0,
                              (int)a[5]);
        break;
    }
    g_free(v);
    return lu_host_ret(ret);
}

static int64_t sys_readv(CpuState *cpu, const uint64_t *a)
{
    return do_vec_io(cpu, a, false, 0);
}

static int64_t sys_writev(CpuState *cpu, const uint64_t *a)
{
    return do_vec_io(cpu, a, true, 0);
}

static int64_t sys_preadv(CpuState *cpu, const uint64_t *a)
{
    return do_vec_io(cpu, a, false, 1);
}

static int64_t sys_pwritev(CpuState *cpu, const uint64_t *a)
{
    return do_vec_io(cpu, a, true, 1);
}

static int64_t sys_preadv2(CpuState *cpu, const uint64_t *a)
{
    return do_vec_io(cpu, a, false, 2);
}

static int64_t sys_pwritev2(CpuState *cpu, const uint64_t *a)
{
    return do_vec_io(cpu, a, true, 2);
}

static int64_t sys_openat(CpuState *cpu, const uint64_t *a)
{
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    int r = lu_get_path(cpu, a[1], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    if (lu_is_proc_self_exe(buf)) {
        path = lu_proc(cpu)->exe_path;
    }
    if (buf[0] == '/') {
        int fd = lu_open_special(cpu, buf);
        if (fd != LU_NOT_SPECIAL) {
            if (fd >= 0 && !((int)a[2] & O_CLOEXEC)) {
                fcntl(fd, F_SETFD, 0);
            }
            return fd;
        }
    }
    return lu_host_ret(lu_safe_syscall(SYS_openat, lu_fd(a[0]), (long)path, (int)a[2],
                                       (mode_t)a[3], 0, 0));
}

static int64_t sys_close(CpuState *cpu, const uint64_t *a)
{
    /* close() is not restarted even when interrupted (the fd is gone). */
    return lu_host_ret_nores(close(lu_fd(a[0])));
}

static int64_t sys_close_range(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(syscall(SYS_close_range, (unsigned)a[0], (unsigned)a[1], (unsigned)a[2]));
}

static int64_t sys_lseek(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(lseek(lu_fd(a[0]), (off_t)a[1], (int)a[2]));
}

static int64_t sys_dup(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(dup(lu_fd(a[0])));
}

static int64_t sys_dup3(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(dup3(lu_fd(a[0]), lu_fd(a[1]), (int)a[2]));
}

static int64_t sys_pipe2(CpuState *cpu, const uint64_t *a)
{
    int fds[2];
    if (!lu_guest_ptr(cpu, a[0], sizeof(fds), PAGE_WRITE)) {
        return -EFAULT;
    }
    if (pipe2(fds, (int)a[1]) < 0) {
        return -errno;
    }
    return lu_copy_to_guest(cpu, a[0], fds, sizeof(fds));
}

static int64_t sys_fsync(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(fsync(lu_fd(a[0])));
}

static int64_t sys_fdatasync(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(fdatasync(lu_fd(a[0])));
}

static int64_t sys_sync(CpuState *cpu, const uint64_t *a)
{
    sync();
    return 0;
}

static int64_t sys_syncfs(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(syncfs(lu_fd(a[0])));
}

static int64_t sys_ftruncate(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(ftruncate(lu_fd(a[0]), (off_t)a[1]));
}

static int64_t sys_truncate(CpuState *cpu, const uint64_t *a)
{
    char buf[PATH_MAX], hbuf[PATH_MAX];
    const char *path;
    int r = lu_get_path(cpu, a[0], buf, hbuf, &path);
    if (r < 0) {
        return r;
    }
    return lu_host_ret(truncate(path, (off_t)a[1]));
}

static int64_t sys_fallocate(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(fallocate(lu_fd(a[0]), (int)a[1], (off_t)a[2], (off_t)a[3]));
}

static int64_t sys_fadvise64(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(syscall(SYS_fadvise64, lu_fd(a[0]), (off_t)a[1], (off_t)a[2], (int)a[3]));
}

static int64_t sys_readahead(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(readahead(lu_fd(a[0]), (off_t)a[1], (size_t)a[2]));
}

static int64_t sys_flock(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(SAFE3(SYS_flock, lu_fd(a[0]), (int)a[1], 0));
}

/* An optional loff_t * argument. */
static int get_off_ptr(CpuState *cpu, uint64_t addr, loff_t **p)
{
    *p = NULL;
    if (addr) {
        *p = lu_guest_ptr(cpu, addr, sizeof(loff_t), PAGE_READ | PAGE_WRITE);
        if (!*p) {
            return -EFAULT;
        }
    }
    return 0;
}

static int64_t sys_sendfile(CpuState *cpu, const uint64_t *a)
{
    loff_t *off;
    if (get_off_ptr(cpu, a[2], &off) < 0) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_sendfile, lu_fd(a[0]), lu_fd(a[1]), off, (size_t)a[3]));
}

static int64_t sys_copy_file_range(CpuState *cpu, const uint64_t *a)
{
    loff_t *in, *out;
    if (get_off_ptr(cpu, a[1], &in) < 0 || get_off_ptr(cpu, a[3], &out) < 0) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_copy_file_range, lu_fd(a[0]), in, lu_fd(a[2]), out,
                               (size_t)a[4], (unsigned)a[5]));
}

static int64_t sys_splice(CpuState *cpu, const uint64_t *a)
{
    loff_t *in, *out;
    if (get_off_ptr(cpu, a[1], &in) < 0 || get_off_ptr(cpu, a[3], &out) < 0) {
        return -EFAULT;
    }
    return lu_host_ret(syscall(SYS_splice, lu_fd(a[0]), in, lu_fd(a[2]), out,
                               (size_t)a[4], (unsigned)a[5]));
}

static int64_t sys_tee(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(syscall(SYS_tee, lu_fd(a[0]), lu_fd(a[1]), (size_t)a[2], (unsigned)a[3]));
}

static int64_t sys_memfd_create(CpuState *cpu, const uint64_t *a)
{
    char name[256];
    int r = lu_get_string(cpu, a[0], name, sizeof(name));
    if (r < 0) {
        return r == -ENAMETOOLONG ? -EINVAL : r;
    }
    return lu_host_ret(syscall(SYS_memfd_create, name, (unsigned)a[1]));
}

static int64_t sys_eventfd2(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(syscall(SYS_eventfd2, (unsigned)a[0], (int)a[1]));
}

static const SyscallDef file_defs[] = {
    { RV_NR_read, "read", sys_read, "dpu", 0 },
    { RV_NR_write, "write", sys_write, "dpu", 0 },
    { RV_NR_pread64, "pread64", sys_pread64, "dpul", 0 },
    { RV_NR_pwrite64, "pwrite64", sys_pwrite64, "dpul", 0 },
    { RV_NR_readv, "readv", sys_readv, "dpd", 0 },
    { RV_NR_writev, "writev", sys_writev, "dpd", 0 },
    { RV_NR_preadv, "preadv", sys_preadv, "dpdl", 0 },
    { RV_NR_pwritev, "pwritev", sys_pwritev, "dpdl", 0 },
    { RV_NR_preadv2, "preadv2", sys_preadv2, "dpdllx", 0 },
    { RV_NR_pwritev2, "pwritev2", sys_pwritev2, "dpdllx", 0 },
    { RV_NR_openat, "openat", sys_openat, "fsom", 0 },
    { RV_NR_close, "close", sys_close, "d", 0 },
    { RV_NR_close_range, "close_range", sys_close_range, "uux", 0 },
    { RV_NR_lseek, "lseek", sys_lseek, "dld", 0 },
    { RV_NR_dup, "dup", sys_dup, "d", 0 },
    { RV_NR_dup3, "dup3", sys_dup3, "ddo", 0 },
    { RV_NR_pipe2, "pipe2", sys_pipe2, "po", 0 },
    { RV_NR_fsync, "fsync", sys_fsync, "d", 0 },
    { RV_NR_fdatasync, "fdatasync", sys_fdatasync, "d", 0 },
    { RV_NR_sync, "sync", sys_sync, "", 0 },
    { RV_NR_syncfs, "syncfs", sys_syncfs, "d", 0 },
    { RV_NR_ftruncate, "ftruncate", sys_ftruncate, "dl", 0 },
    { RV_NR_truncate, "truncate", sys_truncate, "sl", 0 },
    { RV_NR_fallocate, "fallocate", sys_fallocate, "dxll", 0 },
    { RV_NR_fadvise64, "fadvise64", sys_fadvise64, "dlld", 0 },
    { RV_NR_readahead, "readahead", sys_readahead, "dlu", 0 },
    { RV_NR_flock, "flock", sys_flock, "dx", 0 },
    { RV_NR_sendfile, "sendfile", sys_sendfile, "ddpu", 0 },
    { RV_NR_copy_file_range, "copy_file_range", sys_copy_file_range, "dpdpux", 0 },
    { RV_NR_splice, "splice", sys_splice, "dpdpux", 0 },
    { RV_NR_tee, "tee", sys_tee, "ddux", 0 },
    { RV_NR_memfd_create, "memfd_create", sys_memfd_create, "sx", 0 },
    { RV_NR_eventfd2, "eventfd2", sys_eventfd2, "ux", 0 },
};

LU_TABLE(lu_file_syscalls, file_defs);
