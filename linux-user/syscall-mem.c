/*
 * Guest memory management syscalls: brk, mmap, munmap, mprotect, mremap,
 * madvise and friends, and riscv_flush_icache.
 *
 * The guest space [0, 2^40) is one host reservation (guest_mem_init).  A
 * guest mapping is a host mmap(MAP_FIXED) inside it, and "unmapping" maps
 * PROT_NONE reserve pages back, so the reservation never gets holes that
 * the host's malloc could fill.  The page-flag table (page_set_flags)
 * records what the guest mapped; guest_find_free picks addresses.
 *
 * Host protections: guest PROT_EXEC needs host PROT_READ (the translator
 * reads the code) and never host PROT_EXEC.  The host page size must be the
 * guest's (4 KiB): main() checks.
 */
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "linux-user/syscall.h"

#define PAGE_ALIGNED(x) (((x) & (TARGET_PAGE_SIZE - 1)) == 0)

int lu_host_prot(int guest_prot)
{
    int prot = PROT_NONE;
    if (guest_prot & (PROT_READ | PROT_EXEC)) {
        prot |= PROT_READ;
    }
    if (guest_prot & PROT_WRITE) {
        prot |= PROT_WRITE;
    }
    return prot;
}

static int prot_to_page_flags(int prot)
{
    return ((prot & PROT_READ) ? PAGE_READ : 0) | ((prot & PROT_WRITE) ? PAGE_WRITE : 0) |
           ((prot & PROT_EXEC) ? PAGE_EXEC : 0) | PAGE_VALID;
}

/* Round len up to pages; 0 if it overflows or leaves the guest space. */
static uint64_t page_len(uint64_t len)
{
    if (len > GUEST_ADDR_LIMIT) {
        return 0;
    }
    return (len + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
}

static bool range_all(uint64_t start, uint64_t len, bool valid)
{
    for (uint64_t a = start; a < start + len; a += TARGET_PAGE_SIZE) {
        if (((page_get_flags(a) & PAGE_VALID) != 0) != valid) {
            return false;
        }
    }
    return true;
}

/* Give [start, start+len) back to the reservation. */
static void reserve_range(CpuState *cpu, uint64_t start, uint64_t len)
{
    mmap(g2h(start), len, PROT_NONE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    page_set_flags(cpu, start, start + len, 0);
}

static int64_t mmap_locked(CpuState *cpu, uint64_t addr, uint64_t len, int prot, int flags,
                           int fd, uint64_t off)
{
    uint64_t alen = page_len(len);
    uint64_t start;
    int type = flags & MAP_TYPE;

    if (len == 0 || !PAGE_ALIGNED(off)) {
        return -EINVAL;
    }
    if (alen == 0) {
        return -ENOMEM;
    }
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) {
        return -EINVAL;
    }
    prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) {
        return -EINVAL;
    }
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (!PAGE_ALIGNED(addr)) {
            return -EINVAL;
        }
        if (!guest_addr_in_space(addr, alen)) {
            return -ENOMEM;
        }
        if (!(flags & MAP_FIXED) && !range_all(addr, alen, false)) {
            return -EEXIST;
        }
        start = addr;
    } else {
        uint64_t hint = addr & TARGET_PAGE_MASK;
        if (hint && guest_addr_in_space(hint, alen) && range_all(hint, alen, false)) {
            start = hint;
        } else {
            start = guest_find_free(guest_addr_in_space(hint, alen) ? hint : 0, alen);
            if (start == (uint64_t)-1) {
                return -ENOMEM;
            }
        }
    }
    int hflags = type | MAP_FIXED |
                 (flags & (MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK));
    void *p = mmap(g2h(start), alen, lu_host_prot(prot), hflags,
                   (flags & MAP_ANONYMOUS) ? -1 : fd, (off_t)off);
    if (p == MAP_FAILED) {
        return -errno;
    }
    if ((flags & MAP_ANONYMOUS) && alen >= (2u << 20)) {
        /* Large anonymous areas (malloc arenas, big arrays): ask for huge
         * pages, as a native process would get them; it cuts TLB misses on
         * large working sets (bench_mem) by a third. */
        madvise(p, alen, MADV_HUGEPAGE);
    }
    page_set_flags(cpu, start, start + alen, prot_to_page_flags(prot));
    return start;
}

/*
 * Threads: picking a free range and mapping it, or changing a mapping and
 * its page flags, happen under mmap_lock, so two threads cannot be given
 * the same range and the translator (which holds the same lock) never
 * reads code from a mapping that is half changed.
 */
int64_t lu_mmap(CpuState *cpu, uint64_t addr, uint64_t len, int prot, int flags, int fd,
                uint64_t off)
{
    mmap_lock();
    int64_t r = mmap_locked(cpu, addr, len, prot, flags, fd, off);
    mmap_unlock();
    return r;
}

int64_t lu_munmap(CpuState *cpu, uint64_t addr, uint64_t len)
{
    uint64_t alen = page_len(len);
    if (!PAGE_ALIGNED(addr) || len == 0 || alen == 0 || !guest_addr_in_space(addr, alen)) {
        return -EINVAL;
    }
    mmap_lock();
    reserve_range(cpu, addr, alen);
    mmap_unlock();
    return 0;
}

void lu_brk_init(LinuxProc *proc, uint64_t start)
{
    start = (start + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
    proc->brk_start = proc->brk_cur = proc->brk_mapped = start;
}

static int64_t brk_locked(CpuState *cpu, const uint64_t *a)
{
    LinuxProc *proc = lu_proc(cpu);
    uint64_t want = a[0];
    if (want < proc->brk_start || !guest_addr_in_space(want, TARGET_PAGE_SIZE)) {
        return proc->brk_cur;
    }
    uint64_t top = (want + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
    if (top > proc->brk_mapped) {
        uint64_t len = top - proc->brk_mapped;
        if (!range_all(proc->brk_mapped, len, false)) {
            return proc->brk_cur; /* ran into another mapping */
        }
        if (mmap(g2h(proc->brk_mapped), len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
            return proc->brk_cur;
        }
        page_set_flags(cpu, proc->brk_mapped, top, PAGE_READ | PAGE_WRITE | PAGE_VALID);
    } else if (top < proc->brk_mapped) {
        reserve_range(cpu, top, proc->brk_mapped - top);
    }
    proc->brk_mapped = top;
    proc->brk_cur = want;
    return want;
}

static int64_t sys_brk(CpuState *cpu, const uint64_t *a)
{
    mmap_lock();
    int64_t r = brk_locked(cpu, a);
    mmap_unlock();
    return r;
}

static int64_t sys_mmap(CpuState *cpu, const uint64_t *a)
{
    return lu_mmap(cpu, a[0], a[1], (int)a[2], (int)a[3], lu_fd(a[4]), a[5]);
}

static int64_t sys_munmap(CpuState *cpu, const uint64_t *a)
{
    return lu_munmap(cpu, a[0], a[1]);
}

static int64_t sys_mprotect(CpuState *cpu, const uint64_t *a)
{
    uint64_t addr = a[0];
    uint64_t alen = page_len(a[1]);
    int prot = (int)a[2] & ~(PROT_GROWSDOWN | PROT_GROWSUP);
    if (!PAGE_ALIGNED(addr) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))) {
        return -EINVAL;
    }
    if (a[1] == 0) {
        return 0;
    }
    mmap_lock();
    int64_t r = 0;
    if (alen == 0 || !guest_addr_in_space(addr, alen) || !range_all(addr, alen, true)) {
        r = -ENOMEM;
    } else if (mprotect(g2h(addr), alen, lu_host_prot(prot)) < 0) {
        r = -errno;
    } else {
        page_set_flags(cpu, addr, addr + alen, prot_to_page_flags(prot));
    }
    mmap_unlock();
    return r;
}

static int64_t mremap_locked(CpuState *cpu, const uint64_t *a)
{
    uint64_t old = a[0];
    uint64_t old_len = page_len(a[1]);
    uint64_t new_len = page_len(a[2]);
    int flags = (int)a[3];
    uint64_t new_addr = a[4];

    if (!PAGE_ALIGNED(old) || new_len == 0 || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))) {
        return -EINVAL;
    }
    /* old_len 0 means "duplicate a shared mapping": not supported */
    if (old_len == 0 || !guest_addr_in_space(old, old_len) || !range_all(old, old_len, true)) {
        return old_len == 0 ? -EINVAL : -EFAULT;
    }
    int pflags = page_get_flags(old) & ~PAGE_CODE;
    if (!(flags & MREMAP_FIXED)) {
        if (new_len <= old_len) {
            if (new_len < old_len) {
                reserve_range(cpu, old + new_len, old_len - new_len);
            }
            return old;
        }
        /* Grow in place if the guest pages after it are free. */
        uint64_t ext = old + old_len;
        uint64_t ext_len = new_len - old_len;
        if (guest_addr_in_space(ext, ext_len) && range_all(ext, ext_len, false)) {
            munmap(g2h(ext), ext_len);
            if (mremap(g2h(old), old_len, new_len, 0) != MAP_FAILED) {
                page_set_flags(cpu, ext, ext + ext_len, pflags);
                return old;
            }
            reserve_range(cpu, ext, ext_len);
        }
        if (!(flags & MREMAP_MAYMOVE)) {
            return -ENOMEM;
        }
        new_addr = guest_find_free(0, new_len);
        if (new_addr == (uint64_t)-1) {
            return -ENOMEM;
        }
    } else if (!PAGE_ALIGNED(new_addr) || !guest_addr_in_space(new_addr, new_len) ||
               (new_addr < old + old_len && old < new_addr + new_len)) {
        return -EINVAL;
    }
    void *p = mremap(g2h(old), old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(new_addr));
    if (p == MAP_FAILED) {
        return -errno;
    }
    /* The host unmapped the old range: give it back to the reservation. */
    reserve_range(cpu, old, old_len);
    page_set_flags(cpu, new_addr, new_addr + new_len, pflags);
    return new_addr;
}

static int64_t sys_mremap(CpuState *cpu, const uint64_t *a)
{
    mmap_lock();
    int64_t r = mremap_locked(cpu, a);
    mmap_unlock();
    return r;
}

static int64_t sys_madvise(CpuState *cpu, const uint64_t *a)
{
    uint64_t addr = a[0];
    uint64_t alen = page_len(a[1]);
    if (!PAGE_ALIGNED(addr)) {
        return -EINVAL;
    }
    if (a[1] == 0) {
        return 0;
    }
    if (alen == 0 || !guest_addr_in_space(addr, alen) || !range_all(addr, alen, true)) {
        return -ENOMEM;
    }
    if ((int)a[2] == MADV_DONTNEED) {
        /* Contents really go (private anonymous memory reads back zero),
         * so code translated from it goes too. */
        if (madvise(g2h(addr), alen, MADV_DONTNEED) < 0) {
            return -errno;
        }
        tb_invalidate_range(cpu, addr, addr + alen);
    }
    /* Other advice is only a hint: accept it. */
    return 0;
}

static int64_t sys_msync(CpuState *cpu, const uint64_t *a)
{
    uint64_t alen = page_len(a[1]);
    if (!PAGE_ALIGNED(a[0])) {
        return -EINVAL;
    }
    if (a[1] && (alen == 0 || !guest_addr_in_space(a[0], alen) ||
                 !range_all(a[0], alen, true))) {
        return -ENOMEM;
    }
    return lu_host_ret(msync(g2h(a[0]), alen, (int)a[2]));
}

static int64_t sys_mincore(CpuState *cpu, const uint64_t *a)
{
    uint64_t alen = page_len(a[1]);
    if (!PAGE_ALIGNED(a[0])) {
        return -EINVAL;
    }
    if (alen == 0 || !guest_addr_in_space(a[0], alen) || !range_all(a[0], alen, true)) {
        return -ENOMEM;
    }
    void *vec = lu_guest_ptr(cpu, a[2], alen >> TARGET_PAGE_BITS, PAGE_WRITE);
    if (!vec) {
        return -EFAULT;
    }
    return lu_host_ret(mincore(g2h(a[0]), alen, vec));
}

/* mlock & co: memory is not locked, but the calls succeed. */
static int64_t sys_mlock_nop(CpuState *cpu, const uint64_t *a)
{
    return 0;
}

static int64_t sys_riscv_flush_icache(CpuState *cpu, const uint64_t *a)
{
    uint64_t start = a[0], end = a[1];
    if (a[2] & ~1ull) {
        return -EINVAL;
    }
    /* Stores to translated pages are caught anyway; this matters for code
     * written through another mapping of the same memory. */
    if (start < end && end - start <= (1ull << 30) && guest_addr_in_space(start, end - start)) {
        tb_invalidate_range(cpu, start & TARGET_PAGE_MASK, end);
    } else {
        tb_flush(cpu);
    }
    return 0;
}

static const SyscallDef mem_defs[] = {
    { RV_NR_brk, "brk", sys_brk, "p", LU_SC_RET_PTR },
    { RV_NR_mmap, "mmap", sys_mmap, "puPMdx", LU_SC_RET_PTR },
    { RV_NR_munmap, "munmap", sys_munmap, "pu", 0 },
    { RV_NR_mprotect, "mprotect", sys_mprotect, "puP", 0 },
    { RV_NR_mremap, "mremap", sys_mremap, "puuxp", LU_SC_RET_PTR },
    { RV_NR_madvise, "madvise", sys_madvise, "pud", 0 },
    { RV_NR_msync, "msync", sys_msync, "pux", 0 },
    { RV_NR_mincore, "mincore", sys_mincore, "pup", 0 },
    { RV_NR_mlock, "mlock", sys_mlock_nop, "pu", 0 },
    { RV_NR_mlock2, "mlock2", sys_mlock_nop, "pux", 0 },
    { RV_NR_munlock, "munlock", sys_mlock_nop, "pu", 0 },
    { RV_NR_mlockall, "mlockall", sys_mlock_nop, "x", 0 },
    { RV_NR_munlockall, "munlockall", sys_mlock_nop, "", 0 },
    { RV_NR_riscv_flush_icache, "riscv_flush_icache", sys_riscv_flush_icache, "ppx", 0 },
};

LU_TABLE(lu_mem_syscalls, mem_defs);
