/*
 * System call dispatch and the helpers every syscall family uses to touch
 * guest memory safely.
 *
 * Rule: the emulator never dereferences a guest pointer it has not checked
 * with guest_access_ok() for the whole length and the right access, so a
 * bad pointer gives the guest -EFAULT and never faults the emulator.
 * Strings are copied out with a bound (PATH_MAX).
 */
#include <string.h>

#include <glib.h>

#include "linux-user/syscall.h"

static const SyscallDef *syscall_index[RV_NR_SYSCALLS];

static void syscall_index_init(void)
{
    static const SyscallTable *const tables[] = {
        &lu_file_syscalls, &lu_fs_syscalls, &lu_io_syscalls, &lu_mem_syscalls,
        &lu_time_syscalls, &lu_signal_syscalls, &lu_proc_syscalls, &lu_net_syscalls,
    };
    for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
        for (size_t i = 0; i < tables[t]->count; i++) {
            const SyscallDef *d = &tables[t]->defs[i];
            g_assert(d->nr >= 0 && d->nr < RV_NR_SYSCALLS);
            g_assert(syscall_index[d->nr] == NULL); /* one row per call */
            syscall_index[d->nr] = d;
        }
    }
}

const SyscallDef *lu_syscall_def(int nr)
{
    static bool ready;
    if (!ready) {
        syscall_index_init();
        ready = true;
    }
    if (nr < 0 || nr >= RV_NR_SYSCALLS) {
        return NULL;
    }
    return syscall_index[nr];
}

int64_t lu_do_syscall(CpuState *cpu, int nr, const uint64_t *args)
{
    const SyscallDef *d = lu_syscall_def(nr);
    LinuxProc *proc = lu_proc(cpu);
    int64_t ret;

    if (proc->strace) {
        lu_strace_pre(cpu, nr, args);
    }
    if (d && d->fn) {
        ret = d->fn(cpu, args);
    } else {
        if (rove_log_enabled(LOG_UNIMP)) {
            rove_log("Unsupported syscall: %d\n", nr);
        }
        ret = -ENOSYS;
    }
    if (proc->strace) {
        lu_strace_post(cpu, nr, args, ret);
    }
    return ret;
}

/* ---- guest memory ---- */

void *lu_guest_ptr(CpuState *cpu, uint64_t addr, uint64_t len, int access)
{
    if (len == 0) {
        return g2h(addr & (GUEST_ADDR_LIMIT - 1));
    }
    if (!guest_access_ok(cpu, addr, len, access)) {
        return NULL;
    }
    return g2h(addr);
}

int lu_get_string(CpuState *cpu, uint64_t addr, char *buf, size_t bufsz)
{
    size_t n = 0;
    /* Check page by page: a string may end just before an unmapped page. */
    while (n < bufsz) {
        uint64_t a = addr + n;
        size_t chunk = TARGET_PAGE_SIZE - (a & (TARGET_PAGE_SIZE - 1));
        chunk = MIN(chunk, bufsz - n);
        if (a < addr || !guest_access_ok(cpu, a, chunk, PAGE_READ)) {
            return -EFAULT;
        }
        const char *src = g2h(a);
        const char *z = memchr(src, 0, chunk);
        if (z) {
            memcpy(buf + n, src, z - src + 1);
            return 0;
        }
        memcpy(buf + n, src, chunk);
        n += chunk;
    }
    return -ENAMETOOLONG;
}

int lu_copy_from_guest(CpuState *cpu, void *dst, uint64_t addr, size_t len)
{
    void *p = lu_guest_ptr(cpu, addr, len, PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    memcpy(dst, p, len);
    return 0;
}

int lu_copy_to_guest(CpuState *cpu, uint64_t addr, const void *src, size_t len)
{
    void *p = lu_guest_ptr(cpu, addr, len, PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    memcpy(p, src, len);
    return 0;
}

/*
 * Aligned words are read and written single-copy atomically, as the
 * kernel's get_user/put_user do: other guest threads may be using the word
 * at the same time (a tid stored by CLONE_CHILD_SETTID into a reused
 * thread descriptor, a futex word).
 */
int lu_get_u32(CpuState *cpu, uint64_t addr, uint32_t *v)
{
    if (addr & 3) {
        return lu_copy_from_guest(cpu, v, addr, 4);
    }
    uint32_t *p = lu_guest_ptr(cpu, addr, 4, PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    *v = __atomic_load_n(p, __ATOMIC_RELAXED);
    return 0;
}

int lu_put_u32(CpuState *cpu, uint64_t addr, uint32_t v)
{
    if (addr & 3) {
        return lu_copy_to_guest(cpu, addr, &v, 4);
    }
    uint32_t *p = lu_guest_ptr(cpu, addr, 4, PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
    return 0;
}

int lu_get_u64(CpuState *cpu, uint64_t addr, uint64_t *v)
{
    if (addr & 7) {
        return lu_copy_from_guest(cpu, v, addr, 8);
    }
    uint64_t *p = lu_guest_ptr(cpu, addr, 8, PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    *v = __atomic_load_n(p, __ATOMIC_RELAXED);
    return 0;
}

int lu_put_u64(CpuState *cpu, uint64_t addr, uint64_t v)
{
    if (addr & 7) {
        return lu_copy_to_guest(cpu, addr, &v, 8);
    }
    uint64_t *p = lu_guest_ptr(cpu, addr, 8, PAGE_WRITE);
    if (!p) {
        return -EFAULT;
    }
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
    return 0;
}

int lu_get_iovec(CpuState *cpu, uint64_t addr, uint64_t cnt, int access, struct iovec **out)
{
    *out = NULL;
    if (cnt > IOV_MAX) {
        return -EINVAL;
    }
    if (cnt == 0) {
        *out = g_new0(struct iovec, 1);
        return 0;
    }
    const uint8_t *g = lu_guest_ptr(cpu, addr, cnt * 16, PAGE_READ);
    if (!g) {
        return -EFAULT;
    }
    struct iovec *v = g_new0(struct iovec, cnt);
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t base, len;
        /* the guest array may be misaligned: no direct loads */
        memcpy(&base, g + 16 * i, 8);
        memcpy(&len, g + 16 * i + 8, 8);
        if (len > SSIZE_MAX || len > SSIZE_MAX - total) {
            g_free(v);
            return -EINVAL;
        }
        total += len;
        void *p = lu_guest_ptr(cpu, base, len, access);
        if (!p) {
            g_free(v);
            return -EFAULT;
        }
        v[i].iov_base = p;
        v[i].iov_len = len;
    }
    *out = v;
    return 0;
}

int lu_get_path(CpuState *cpu, uint64_t addr, char *buf, char *hbuf, const char **host)
{
    int r = lu_get_string(cpu, addr, buf, PATH_MAX);
    if (r < 0) {
        return r;
    }
    *host = lu_path(lu_proc(cpu), buf, hbuf);
    return 0;
}

uint64_t lu_access_prefix(CpuState *cpu, uint64_t addr, uint64_t len, int access)
{
    uint64_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        uint64_t chunk = TARGET_PAGE_SIZE - (a & (TARGET_PAGE_SIZE - 1));
        chunk = MIN(chunk, len - done);
        if (!guest_access_ok(cpu, a, chunk, access)) {
            break;
        }
        done += chunk;
    }
    return done;
}
