/*
 * User-mode guest memory: the reservation at guest_base, the page-flag
 * table, write protection of pages holding translated code (self-modifying
 * code detection), and the host-fault path that turns a bad guest access
 * inside generated code into a precise guest exception.
 *
 * The flag table has one byte per guest page of the 2^GUEST_ADDR_BITS space,
 * in a MAP_NORESERVE mapping: untouched parts cost nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "accel/tcg/internal.h"
#include "rove/user-mem.h"

uintptr_t guest_base;
static uint8_t *page_flags_table;

#define NB_PAGES (GUEST_ADDR_LIMIT >> TARGET_PAGE_BITS)
#define GUEST_GUARD_SIZE (1ul << 16) /* PROT_NONE after the guest space */

static bool page_table_init(void)
{
    void *t = mmap(NULL, NB_PAGES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (t == MAP_FAILED) {
        fprintf(stderr, "rove: cannot allocate the guest page table\n");
        return false;
    }
    page_flags_table = t;
    return true;
}

bool guest_mem_init(void)
{
    /* Align guest_base to 1 GiB so guest huge-page-aligned ranges are
     * huge-page aligned on the host too (transparent huge pages cut TLB
     * misses on large working sets). */
    const size_t align = 1ul << 30;
    const size_t guard = GUEST_GUARD_SIZE;
    /* First choice: guest_base == GUEST_ADDR_LIMIT, so generated code can
     * compare a guest address with the guest-base register itself for its
     * bounds check (tcg/x86_64/x86-ops.c, emit_guest_checks). */
    void *want = (void *)(uintptr_t)GUEST_ADDR_LIMIT;
    void *p = mmap(want, GUEST_ADDR_LIMIT + guard, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == want) {
        guest_base = (uintptr_t)p;
        return page_table_init();
    }
    if (p != MAP_FAILED) {
        munmap(p, GUEST_ADDR_LIMIT + guard); /* an old kernel ignored NOREPLACE */
    }
    const size_t total = GUEST_ADDR_LIMIT + align + guard;
    p = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "rove: cannot reserve %llu GiB of address space for the guest\n",
                (unsigned long long)(GUEST_ADDR_LIMIT >> 30));
        return false;
    }
    uintptr_t start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
    if (start > (uintptr_t)p) {
        munmap(p, start - (uintptr_t)p);
    }
    /* Keep a PROT_NONE guard after the space: generated code checks only
     * an access's first byte against the limit, so an 8-byte access that
     * starts just below it must fault here, not touch a host mapping. */
    uintptr_t end = start + GUEST_ADDR_LIMIT + guard;
    if ((uintptr_t)p + total > end) {
        munmap((void *)end, (uintptr_t)p + total - end);
    }
    guest_base = start;
    return page_table_init();
}

int page_flags_to_host_prot(int flags)
{
    int prot = PROT_NONE;
    if (flags & (PAGE_READ | PAGE_EXEC)) {
        prot |= PROT_READ;
    }
    if ((flags & PAGE_WRITE) && !(flags & PAGE_CODE)) {
        prot |= PROT_WRITE;
    }
    return prot;
}

/* The table is written under tb_lock and read without it (syscalls, the
 * fault handler): byte-sized atomic accesses keep both sides well defined. */
static inline uint8_t flags_load(uint64_t page_index)
{
    return __atomic_load_n(&page_flags_table[page_index], __ATOMIC_RELAXED);
}

static inline void flags_store(uint64_t page_index, uint8_t f)
{
    __atomic_store_n(&page_flags_table[page_index], f, __ATOMIC_RELAXED);
}

int page_get_flags(uint64_t addr)
{
    if (addr >= GUEST_ADDR_LIMIT || !page_flags_table) {
        return 0;
    }
    return flags_load(addr >> TARGET_PAGE_BITS);
}

void page_set_flags(CpuState *cpu, uint64_t start, uint64_t end, int flags)
{
    if (start >= end || start >= GUEST_ADDR_LIMIT) {
        return;
    }
    if (end > GUEST_ADDR_LIMIT) {
        end = GUEST_ADDR_LIMIT;
    }
    tb_lock();
    if (cpu) {
        tb_invalidate_range_locked(cpu->exec, start, end, 0);
    }
    uint64_t first = start >> TARGET_PAGE_BITS;
    uint64_t last = (end - 1) >> TARGET_PAGE_BITS;
    if (flags) {
        flags |= PAGE_VALID;
    }
    for (uint64_t i = first; i <= last; i++) {
        flags_store(i, (uint8_t)(flags & ~PAGE_CODE));
    }
    tb_unlock();
}

bool user_code_page_ok(uint64_t addr, size_t len)
{
    for (uint64_t a = addr & TARGET_PAGE_MASK; a < addr + len; a += TARGET_PAGE_SIZE) {
        int f = page_get_flags(a);
        if (!(f & PAGE_VALID) || !(f & PAGE_EXEC)) {
            return false;
        }
    }
    return true;
}

static void user_protect_code_page(uint64_t page);

static const void *user_code_page(CpuState *cpu, uint64_t addr, uint64_t fault_pc,
                                  uint64_t *page)
{
    if (!user_code_page_ok(addr, 1)) {
        /* Only a TB's first insn can reach a page that is not the TB's
         * first: raising at its pc is precise. */
        cpu->arch->set_pc(cpu, fault_pc);
        cpu->exception_index = EXCP_SEGV;
        cpu->fault_addr = addr;
        cpu->fault_is_write = false;
        cpu->fault_code = (page_get_flags(addr) & PAGE_VALID) ? SEGV_ACCERR : SEGV_MAPERR;
        cpu_loop_exit(cpu);
    }
    *page = addr & TARGET_PAGE_MASK;
    /* Write-protect before the translator reads (tb_lock is held): a store
     * by another thread is then either seen by it or caught afterwards. */
    user_protect_code_page(*page);
    return g2h(*page);
}

static size_t user_peek_code(CpuState *cpu, uint64_t addr, void *buf, size_t len)
{
    (void)cpu;
    size_t n = 0;
    while (n < len && user_code_page_ok(addr + n, 1)) {
        size_t chunk = TARGET_PAGE_SIZE - ((addr + n) & ~TARGET_PAGE_MASK);
        chunk = chunk < len - n ? chunk : len - n;
        memcpy((uint8_t *)buf + n, g2h(addr + n), chunk);
        n += chunk;
    }
    return n;
}

static void page_reprotect(uint64_t page)
{
    int f = page_get_flags(page);
    if (f & PAGE_VALID) {
        mprotect(g2h(page), TARGET_PAGE_SIZE, page_flags_to_host_prot(f));
    }
}

/* Both under tb_lock. */
static void user_protect_code_page(uint64_t page)
{
    if (page >= GUEST_ADDR_LIMIT) {
        return;
    }
    uint64_t i = page >> TARGET_PAGE_BITS;
    uint8_t f = flags_load(i);
    if (!(f & PAGE_CODE)) {
        flags_store(i, f | PAGE_CODE);
        if (f & PAGE_WRITE) {
            page_reprotect(page);
        }
    }
}

static void user_page_code_cleared(uint64_t page)
{
    if (page >= GUEST_ADDR_LIMIT) {
        return;
    }
    uint64_t i = page >> TARGET_PAGE_BITS;
    uint8_t f = flags_load(i);
    if (f & PAGE_CODE) {
        flags_store(i, f & ~PAGE_CODE);
        if (f & PAGE_WRITE) {
            page_reprotect(page);
        }
    }
}

bool guest_access_ok(CpuState *cpu, uint64_t addr, uint64_t len, int access)
{
    if (len == 0) {
        return true;
    }
    if (!guest_addr_in_space(addr, len)) {
        return false;
    }
    uint64_t end = addr + len;
    for (uint64_t p = addr & TARGET_PAGE_MASK; p < end; p += TARGET_PAGE_SIZE) {
        int f = page_get_flags(p);
        if (!(f & PAGE_VALID)) {
            return false;
        }
        if ((access & PAGE_READ) && !(f & PAGE_READ)) {
            return false;
        }
        if ((access & PAGE_WRITE) && !(f & PAGE_WRITE)) {
            return false;
        }
        if ((access & PAGE_WRITE) && (f & PAGE_CODE) && cpu) {
            /* The emulator writes here for the guest (read(2) into a code
             * page, say): drop the TBs and make the page writable again.
             * (Another thread may translate from it again before the
             * write: the host call then fails with EFAULT.) */
            tb_lock();
            tb_invalidate_range_locked(cpu->exec, p, p + TARGET_PAGE_SIZE, 0);
            user_page_code_cleared(p);
            tb_unlock();
        }
    }
    return true;
}

uint64_t guest_find_free(uint64_t hint, uint64_t len)
{
    const uint64_t default_base = 0x4000000000ull;
    if (len == 0 || len > GUEST_ADDR_LIMIT) {
        return (uint64_t)-1;
    }
    len = (len + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
    uint64_t npages = len >> TARGET_PAGE_BITS;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t start = (pass == 0 && hint) ? hint : default_base;
        if (pass == 1 && hint == 0) {
            start = TARGET_PAGE_SIZE * 16;
        }
        uint64_t p = (start & TARGET_PAGE_MASK) >> TARGET_PAGE_BITS;
        uint64_t run = 0;
        for (; p < NB_PAGES; p++) {
            if (flags_load(p) & PAGE_VALID) {
                run = 0;
                continue;
            }
            if (++run == npages) {
                return (p + 1 - npages) << TARGET_PAGE_BITS;
            }
        }
    }
    return (uint64_t)-1;
}

__thread uintptr_t helper_retaddr;

static void *user_atomic_lookup(CpuState *cpu, uint64_t addr, unsigned size, unsigned mmu_idx,
                                uintptr_t retaddr)
{
    (void)mmu_idx;
    if (addr & (size - 1)) {
        user_mem_fault(cpu, addr, 1 | 2, retaddr);
    }
    if (!guest_addr_in_space(addr, size)) {
        user_mem_fault(cpu, addr, 1, retaddr);
    }
    helper_retaddr = retaddr;
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* set before the access */
    return g2h(addr);
}

static void user_atomic_done(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    helper_retaddr = 0;
}

static TcgMemModel user_mem_model(CpuState *cpu)
{
    (void)cpu;
    return (TcgMemModel){
        .kind = TCG_MEM_DIRECT,
        .base = guest_base,
        .addr_bits = GUEST_ADDR_BITS,
        .fault = user_mem_fault,
    };
}

void user_mem_fault(void *env, uint64_t addr, uint32_t kind, uintptr_t host_pc)
{
    CpuState *cpu = env;
    cpu_restore_state(cpu, host_pc);
    cpu->fault_addr = addr;
    cpu->fault_is_write = kind & 1;
    cpu->fault_code = (kind & 2) ? BUS_ADRALN : SEGV_MAPERR;
    cpu->exception_index = (kind & 2) ? EXCP_BUS : EXCP_SEGV;
    cpu_loop_exit(cpu);
}

bool user_handle_host_fault(CpuState *cpu, uintptr_t host_pc, uintptr_t host_addr,
                            bool is_write, const uint64_t *host_regs)
{
    /* The guard after the space counts as guest memory that is unmapped. */
    bool in_guest = host_addr >= guest_base &&
                    host_addr - guest_base < GUEST_ADDR_LIMIT + GUEST_GUARD_SIZE;
    uint64_t addr = in_guest ? h2g((void *)host_addr) : 0;
    uintptr_t code_pc = host_pc;
    ExecState *es = cpu->exec;
    uintptr_t base = (uintptr_t)es->buf.rx;
    bool in_code = code_pc >= base && code_pc < base + es->buf.size;
    if (!in_code && cpu->tcg.interp_pc) {
        code_pc = cpu->tcg.interp_pc; /* the interpreter (or a helper it called) */
    } else if (!in_code && helper_retaddr) {
        /* A helper's access on behalf of generated code (atomics); the
         * call stored the globals, so the registers are not needed. */
        code_pc = helper_retaddr;
        host_regs = NULL;
    }

    if (in_guest && is_write) {
        int f = page_get_flags(addr);
        if ((f & PAGE_VALID) && (f & PAGE_WRITE)) {
            /* A store to a page we translated code from (or one that
             * another thread has just made writable again: retry). */
            uint64_t page = addr & TARGET_PAGE_MASK;
            tb_lock();
            bool hit = false;
            if (page_get_flags(page) & PAGE_CODE) {
                hit = tb_invalidate_range_locked(es, page, page + TARGET_PAGE_SIZE,
                                                 cpu->in_exec ? code_pc : 0);
                user_page_code_cleared(page);
            }
            tb_unlock();
            if (hit && cpu_restore_state_regs(cpu, code_pc, host_regs)) {
                /* The running TB changed under us: redo the store in a TB
                 * of one instruction that is not cached, then carry on. */
                helper_retaddr = 0;
                cpu->cflags_next = 1 | CF_NO_CACHE;
                cpu->exception_index = EXCP_NONE;
                cpu_loop_exit(cpu);
            }
            return true;
        }
    }
    int f = in_guest ? page_get_flags(addr) : 0;
    if (!cpu->in_exec || !in_guest) {
        return false;
    }
    if (!cpu_restore_state_regs(cpu, code_pc, host_regs)) {
        return false;
    }
    helper_retaddr = 0;
    cpu->fault_addr = addr;
    cpu->fault_is_write = is_write;
    cpu->fault_code = (f & PAGE_VALID) ? SEGV_ACCERR : SEGV_MAPERR;
    cpu->exception_index = EXCP_SEGV;
    cpu_loop_exit(cpu);
}

const AccelMode accel_user_mode = {
    .system = false,
    .code_page = user_code_page,
    .peek_code = user_peek_code,
    .page_code_added = user_protect_code_page,
    .page_code_cleared = user_page_code_cleared,
    .mem_model = user_mem_model,
    .atomic_lookup = user_atomic_lookup,
    .atomic_done = user_atomic_done,
};
