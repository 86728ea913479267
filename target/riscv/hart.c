/*
 * A RISC-V hart in a system-mode machine (hart.h): RiscvCpu + privileged
 * state + soft TLB, the interrupt inputs devices drive, `time` from the
 * machine's virtual clock, the Sstc timer, and the soft MMU's callbacks
 * (page walk, faults as guest traps).
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "rove/bql.h"
#include "rove/softmmu.h"
#include "rove/system.h"
#include "target/riscv/hart.h"
#include "target/riscv/internal.h"

#define NS_PER_SEC 1000000000ull

typedef struct RiscvHart {
    RiscvHartConfig cfg;
    CpuState *cs;
    IrqLine irq[RV_IRQ_MEI + 1];
    Timer stimer;       /* Sstc: fires when time reaches stimecmp */
} RiscvHart;

/* cycle and instret: a nominal 1 GHz clock, the virtual clock's ns. */
static uint64_t hart_cycles(void *opaque)
{
    RiscvHart *h = opaque;
    return (uint64_t)clock_get_ns(h->cfg.clock);
}

static uint64_t hart_time(void *opaque)
{
    RiscvHart *h = opaque;
    int64_t ns = clock_get_ns(h->cfg.clock);
    return (uint64_t)((unsigned __int128)(uint64_t)ns * h->cfg.timebase_freq / NS_PER_SEC);
}

/* ---- soft-MMU callbacks ---- */

/* What each soft-MMU access type is to the RISC-V side. */
static const struct {
    RiscvAccessType type;
    unsigned need;              /* RV_PROT_* the access needs */
    uint64_t access_fault;      /* RV_EXC_* */
    uint64_t misaligned;
} access_info[] = {
    [SOFTMMU_LOAD] = { RV_ACCESS_LOAD, RV_PROT_READ, RV_EXC_LOAD_ACCESS,
                       RV_EXC_LOAD_MISALIGNED },
    [SOFTMMU_STORE] = { RV_ACCESS_STORE, RV_PROT_WRITE, RV_EXC_STORE_ACCESS,
                        RV_EXC_STORE_MISALIGNED },
    [SOFTMMU_FETCH] = { RV_ACCESS_FETCH, RV_PROT_EXEC, RV_EXC_INSN_ACCESS,
                        RV_EXC_INSN_MISALIGNED },
};

/* The walk's permissions are the TLB's, bit for bit. */
_Static_assert(RV_PROT_READ == SOFTMMU_PROT_READ && RV_PROT_WRITE == SOFTMMU_PROT_WRITE &&
               RV_PROT_EXEC == SOFTMMU_PROT_EXEC, "prot bits differ");

static bool hart_tlb_fill(CpuState *cs, uint64_t vaddr, SoftMmuAccess access, unsigned mmu_idx,
                          bool probe, TlbFillResult *out, uintptr_t retaddr)
{
    RiscvCpu *cpu = riscv_cpu(cs);
    RiscvTranslation t;
    /* The state matches mmu_idx: TBs are keyed on it, and fetches use the
     * current privilege. */
    int excp = riscv_mmu_translate(&cpu->priv, cs->tlb->as, vaddr, access_info[access].type, &t);
    if (excp) {
        if (probe) {
            return false;
        }
        riscv_raise_trap(cs, (uint64_t)excp, vaddr, retaddr);
    }
    /* Physical memory protection, for the effective privilege of mmu_idx. */
    unsigned eff = mmu_idx == RV_MMU_M ? RV_PRIV_M : mmu_idx == RV_MMU_U ? RV_PRIV_U : RV_PRIV_S;
    unsigned pmp = riscv_pmp_prot(&cpu->priv, t.paddr, eff);
    unsigned need = access_info[access].need;
    if (!(pmp & need)) {
        if (probe) {
            return false;
        }
        riscv_raise_trap(cs, access_info[access].access_fault, vaddr, retaddr);
    }
    out->paddr = t.paddr;
    /* (PMP was decided for this 4K page; the TLB enters one 4K page at a
     * time anyway, and page_size only tells it what a flush must cover.) */
    out->page_size = t.page_size;
    /* The walk answered for this access (prot then has it); loads under
     * MXR may read an X-only page. */
    out->prot = ((t.prot | need) & pmp) | (t.global ? SOFTMMU_PROT_GLOBAL : 0);
    return true;
}

static void hart_misaligned(CpuState *cs, uint64_t vaddr, SoftMmuAccess access,
                            unsigned mmu_idx, uintptr_t retaddr)
{
    riscv_raise_trap(cs, access_info[access].misaligned, vaddr, retaddr);
}

static void hart_access_fault(CpuState *cs, uint64_t vaddr, uint64_t paddr,
                              SoftMmuAccess access, unsigned mmu_idx, MemTxResult res,
                              uintptr_t retaddr)
{
    riscv_raise_trap(cs, access_info[access].access_fault, vaddr, retaddr);
}

static const SoftMmuOps hart_mmu_ops = {
    .tlb_fill = hart_tlb_fill,
    .misaligned = hart_misaligned,
    .access_fault = hart_access_fault,
};

static unsigned hart_mmu_index(CpuState *cs, bool ifetch)
{
    return riscv_mmu_index(riscv_cpu(cs), ifetch);
}

/* ---- interrupts ---- */

static bool hart_has_work(CpuState *cs)
{
    const RiscvPrivState *s = &riscv_cpu(cs)->priv;
    return (riscv_priv_mip(s) & __atomic_load_n(&s->mie, __ATOMIC_RELAXED)) != 0;
}

static bool hart_exec_interrupt(CpuState *cs)
{
    RiscvCpu *cpu = riscv_cpu(cs);
    int irq = riscv_priv_pending_irq(&cpu->priv);
    if (irq < 0) {
        return false;
    }
    cpu->pc = riscv_priv_trap(&cpu->priv, (uint64_t)irq, true, 0, cpu->pc);
    return true;
}

static const CpuSysOps hart_sys_ops = {
    .exec_interrupt = hart_exec_interrupt,
    .has_work = hart_has_work,
};

/* Tell the vCPU: leave generated code, and wake from wfi. */
static void hart_kick(RiscvHart *h)
{
    cpu_exit(h->cs);
    vcpu_kick(h->cs);
}

/* Device lines; under the big lock, like every mip writer. */
static void hart_irq_handler(void *opaque, int irq, int level)
{
    RiscvHart *h = opaque;
    RiscvPrivState *s = &riscv_cpu(h->cs)->priv;
    riscv_priv_set_irq(s, irq, level != 0);
    if (level) {
        hart_kick(h);
    }
}

static void hart_stimer_cb(void *opaque)
{
    RiscvHart *h = opaque;
    riscv_hart_timer_changed(h->cs);
}

void riscv_hart_timer_changed(CpuState *cs)
{
    RiscvHart *h = riscv_cpu(cs)->hart;
    RiscvPrivState *s = &riscv_cpu(cs)->priv;
    riscv_priv_update_stimer(s);
    if (s->sstc && (s->menvcfg & RV_ENVCFG_STCE) && !(s->mip & RV_MIP_STIP) &&
        s->stimecmp != UINT64_MAX) {
        /* Smallest ns whose time reaches stimecmp. */
        unsigned __int128 ns = ((unsigned __int128)s->stimecmp * NS_PER_SEC +
                                h->cfg.timebase_freq - 1) / h->cfg.timebase_freq;
        timer_arm(&h->stimer, ns > INT64_MAX ? INT64_MAX : (int64_t)ns);
    } else {
        timer_cancel(&h->stimer);
    }
    if (riscv_priv_mip(s) & s->mie) {
        hart_kick(h);
    }
}

/* ---- creation ---- */

void riscv_hart_reset(CpuState *cs)
{
    RiscvCpu *cpu = riscv_cpu(cs);
    RiscvHart *h = cpu->hart;
    riscv_cpu_reset(cs);
    cpu->system = true;
    cpu->hart = h;
    cpu->priv.mhartid = h->cfg.hartid;
    cpu->priv.sstc = h->cfg.sstc;
    cpu->priv.get_time = hart_time;
    cpu->priv.get_cycles = hart_cycles;
    cpu->priv.time_opaque = h;
    riscv_priv_reset(&cpu->priv);
    cpu->pc = h->cfg.reset_pc;
    cs->halted = false;
    timer_cancel(&h->stimer);
    tlb_flush(cs);
}

static const TcgBackend *default_backend(void)
{
    const char *e = getenv("ROVE_BACKEND");
#if defined(__x86_64__)
    if (!e || strcmp(e, "interp") != 0) {
        return &tcg_backend_x86_64;
    }
#endif
    return &tcg_backend_interp;
}

CpuState *riscv_hart_new(const RiscvHartConfig *cfg)
{
    accel_system_init(); /* before the first vCPU: system mode's AccelMode */
    CpuState *cs = cpu_create(&target_riscv64, cfg->backend ? cfg->backend : default_backend());
    RiscvHart *h = g_new0(RiscvHart, 1);
    h->cfg = *cfg;
    h->cs = cs;
    for (int i = 0; i <= RV_IRQ_MEI; i++) {
        irq_init(&h->irq[i], hart_irq_handler, h, i);
    }
    timer_init(&h->stimer, cfg->clock, hart_stimer_cb, h);
    riscv_cpu(cs)->hart = h;
    cs->sys = &hart_sys_ops;
    softmmu_init(cs, cfg->as, &hart_mmu_ops);
    cs->tlb->flushed = cpu_flush_jmp_cache;
    softmmu_cpu_mmu_index = hart_mmu_index;
    riscv_sys_helpers = &riscv_sys_helper_table;
    riscv_hart_reset(cs);
    return cs;
}

IrqLine *riscv_hart_irq(CpuState *cs, int irq)
{
    RiscvHart *h = riscv_cpu(cs)->hart;
    g_assert(irq == RV_IRQ_MSI || irq == RV_IRQ_MTI || irq == RV_IRQ_MEI || irq == RV_IRQ_SEI);
    return &h->irq[irq];
}
