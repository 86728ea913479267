/*
 * System mode's side of the execution layer (AccelMode, internal.h): guest
 * code is fetched through the vCPU's soft TLB, TBs are tied to physical
 * pages, stores to those pages invalidate them (softmmu.c's code pages),
 * generated code reaches memory through the TLB (TCG_MEM_SOFTMMU), and
 * atomics through softmmu_atomic_host.
 */
#include <string.h>

#include "accel/tcg/internal.h"
#include "rove/softmmu.h"

unsigned (*softmmu_cpu_mmu_index)(CpuState *cpu, bool ifetch);

static unsigned fetch_idx(CpuState *cpu)
{
    return softmmu_cpu_mmu_index(cpu, true);
}

static const void *sys_code_page(CpuState *cpu, uint64_t addr, uint64_t fault_pc,
                                 uint64_t *page)
{
    /* A fetch fault is raised at fault_pc (the TB's first insn: only it
     * may reach a second page). */
    cpu->arch->set_pc(cpu, fault_pc);
    uint64_t paddr;
    const uint8_t *host = softmmu_get_code_page(cpu, addr, fetch_idx(cpu), &paddr);
    *page = paddr & TARGET_PAGE_MASK;
    /* Before the translator reads it: a store from now on is caught. */
    softmmu_set_code_page(*page);
    return host - (addr & ~TARGET_PAGE_MASK);
}

static uint64_t sys_code_phys(CpuState *cpu, uint64_t pc)
{
    void *host;
    uint64_t ppage;
    if (!softmmu_probe(cpu, pc, SOFTMMU_FETCH, fetch_idx(cpu), &host, &ppage) || !host) {
        return (uint64_t)-1;
    }
    return ppage;
}

static size_t sys_peek_code(CpuState *cpu, uint64_t addr, void *buf, size_t len)
{
    size_t n = 0;
    while (n < len) {
        void *host;
        uint64_t a = addr + n;
        if (!softmmu_probe(cpu, a, SOFTMMU_FETCH, fetch_idx(cpu), &host, NULL) || !host) {
            break;
        }
        size_t chunk = TARGET_PAGE_SIZE - (a & ~TARGET_PAGE_MASK);
        chunk = chunk < len - n ? chunk : len - n;
        memcpy((uint8_t *)buf + n, host, chunk);
        n += chunk;
    }
    return n;
}

/* After an address-space switch the jump cache keeps a TB of the mode the
 * vCPU is in, from one page, whose page the fetch TLB still maps globally
 * to the same place (global mappings are the same in every address
 * space).  The mode, taken once per clear: */
static __thread uint32_t keep_flags;
static __thread unsigned keep_idx;

static bool sys_jmp_keep(CpuState *cpu, uint64_t pc, uint32_t flags, uint64_t phys)
{
    uint64_t ppage;
    return flags == keep_flags && phys != UINT64_MAX &&
           softmmu_code_global(cpu, pc, keep_idx, &ppage) && ppage == phys;
}

static void sys_jmp_clear_nonglobal(CpuState *cpu)
{
    uint64_t pc;
    cpu->arch->get_tb_key(cpu, &pc, &keep_flags);
    keep_idx = fetch_idx(cpu);
    jmp_cache_clear_unless(cpu_tcg(cpu), cpu, sys_jmp_keep);
}

static void sys_page_code_added(uint64_t page)
{
    softmmu_set_code_page(page);
}

static void sys_page_code_cleared(uint64_t page)
{
    softmmu_clear_code_page(page);
}

static uint64_t helper_soft_ld(void *env, uint64_t addr, uint32_t oi, uintptr_t host_pc)
{
    return softmmu_ld(env, addr, tcg_oi_memop(oi), tcg_oi_mmu_idx(oi), host_pc);
}

static void helper_soft_st(void *env, uint64_t addr, uint64_t val, uint32_t oi,
                           uintptr_t host_pc)
{
    softmmu_st(env, addr, val, tcg_oi_memop(oi), tcg_oi_mmu_idx(oi), host_pc);
}

static TcgMemModel sys_mem_model(CpuState *cpu)
{
    (void)cpu;
    return (TcgMemModel){
        .kind = TCG_MEM_SOFTMMU,
        .tlb_off = (int32_t)offsetof(CpuState, tlb),
        .ld = helper_soft_ld,
        .st = helper_soft_st,
    };
}

static void *sys_atomic_lookup(CpuState *cpu, uint64_t addr, unsigned size, unsigned mmu_idx,
                               uintptr_t retaddr)
{
    return softmmu_atomic_host(cpu, addr, size, mmu_idx, retaddr);
}

static void sys_atomic_done(void)
{
    softmmu_atomic_done();
}

/* A store hit a code page: drop what it overlaps. */
static void sys_invalidate_code(CpuState *cpu, uint64_t start, uint64_t end)
{
    tb_lock();
    tb_invalidate_phys_range_locked(cpu->exec, start, end);
    tb_unlock();
}

/*
 * A device wrote RAM (memory.h: address_space_dma_written): drop the TBs
 * of the code pages it hit.  Callers may hold the big lock; taking tb_lock
 * under it is safe because the translator never takes the big lock (page
 * tables are read from RAM only).
 */
static void sys_dma_written(uint64_t addr, uint64_t len)
{
    uint64_t last = addr + len - 1 < addr ? UINT64_MAX : addr + len - 1;
    for (uint64_t page = addr & TARGET_PAGE_MASK;; page += TARGET_PAGE_SIZE) {
        if (softmmu_is_code_page(page)) {
            ExecState *es = exec_state_current();
            uint64_t start = page > addr ? page : addr;
            uint64_t end = last - page < TARGET_PAGE_SIZE ? last + 1 : page + TARGET_PAGE_SIZE;
            if (es) {
                tb_lock();
                tb_invalidate_phys_range_locked(es, start, end);
                tb_unlock();
            }
        }
        if (last - page < TARGET_PAGE_SIZE) {
            break;
        }
    }
}

/* A device access asked to stop the machine (exec.h: cpu_stop_request). */
static void sys_io_done(CpuState *cpu, uintptr_t retaddr)
{
    if (__atomic_load_n(&cpu_stop_request, __ATOMIC_ACQUIRE) && cpu->in_exec) {
        cpu_loop_exit_restore(cpu, retaddr, EXCP_INTERRUPT);
    }
}

static const AccelMode accel_system_mode = {
    .system = true,
    .code_page = sys_code_page,
    .code_phys = sys_code_phys,
    .peek_code = sys_peek_code,
    .page_code_added = sys_page_code_added,
    .page_code_cleared = sys_page_code_cleared,
    .mem_model = sys_mem_model,
    .atomic_lookup = sys_atomic_lookup,
    .atomic_done = sys_atomic_done,
    .jmp_clear_nonglobal = sys_jmp_clear_nonglobal,
};

void accel_system_init(void)
{
    accel_mode = &accel_system_mode;
    softmmu_invalidate_code = sys_invalidate_code;
    softmmu_io_done = sys_io_done;
    __atomic_store_n(&memory_dma_written_hook, sys_dma_written, __ATOMIC_RELEASE);
}
