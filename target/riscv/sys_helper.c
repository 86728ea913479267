/*
 * System-mode run-time helpers of the RISC-V front end: traps, CSR access
 * through the privileged state (priv.c), xRET, wfi, sfence.vma; and the
 * TB key / mmu_idx derived from the privileged state.
 *
 * A helper that traps takes the trap itself (riscv_raise_trap: pc to the
 * handler, privilege and xstatus updated) and restarts the cpu loop there:
 * guest exceptions never leave cpu_exec.
 */
#include "rove/bql.h"
#include "rove/softmmu.h"
#include "target/riscv/hart.h"
#include "target/riscv/internal.h"

_Noreturn void riscv_raise_trap(CpuState *cs, uint64_t cause, uint64_t tval, uintptr_t retaddr)
{
    RiscvCpu *cpu = riscv_cpu(cs);
    if (retaddr) {
        cpu_restore_state(cs, retaddr);
    }
    cpu->pc = riscv_priv_trap(&cpu->priv, cause, false, tval, cpu->pc);
    cs->exception_index = EXCP_NONE; /* go on at the handler */
    cpu_loop_exit(cs);
}

/* pc was stored by gen_trap. */
static void helper_raise_trap(void *env, uint64_t cause, uint64_t tval)
{
    riscv_raise_trap(env, cause, tval, 0);
}


/* After a change that may enable an interrupt: leave generated code at the
 * next TB boundary so the runner can take it. */
static void check_irq(CpuState *cs)
{
    if (riscv_priv_pending_irq(&riscv_cpu(cs)->priv) >= 0) {
        cpu_exit(cs);
    }
}

/* CSRs whose value devices (or the Sstc timer) change too: accessed under
 * the big lock, which every mip writer holds. */
static bool csr_shares_mip(int csr)
{
    return csr == RV_CSR_MIP || csr == RV_CSR_SIP || csr == RV_CSR_STIMECMP ||
           csr == RV_CSR_MENVCFG;
}

static uint64_t helper_csr_sys(void *env, uint64_t desc, uint64_t value, uint64_t mask)
{
    CpuState *cs = env;
    RiscvCpu *cpu = env;
    RiscvPrivState *s = &cpu->priv;
    int csr = (int)(desc & 0xfff);
    bool write = (desc & RV_CSR_DESC_WRITE) != 0;
    uint64_t old = 0;
    uint64_t satp = s->satp, mstatus = s->mstatus;
    RiscvCsrResult r;

    if (csr_shares_mip(csr)) {
        BqlGuard g = bql_guard_enter();
        r = riscv_priv_csr_rmw(s, csr, write, value, mask, &old);
        if (r == RV_CSR_OK && write) {
            riscv_hart_timer_changed(cs);
        }
        bql_guard_exit(g);
    } else {
        r = riscv_priv_csr_rmw(s, csr, write, value, mask, &old);
    }
    if (r != RV_CSR_OK) {
        riscv_raise_trap(cs, RV_EXC_ILLEGAL_INSN, desc >> 32, 0);
    }
    if (write) {
        /* Mappings changed: satp's mode, MXR, which changes what every
         * cached read permission means, or PMP.  Another ASID or root
         * (an address-space switch) keeps the global mappings: the TLB
         * holds no ASIDs, so it drops the others. */
        bool pmp_csr = (csr >= RV_CSR_PMPCFG0 && csr <= RV_CSR_PMPCFG15) ||
                       (csr >= RV_CSR_PMPADDR0 && csr <= RV_CSR_PMPADDR63);
        if (((s->satp ^ satp) >> RV_SATP_MODE_SHIFT) ||
            ((s->mstatus ^ mstatus) & RV_MSTATUS_MXR) || pmp_csr) {
            tlb_flush(cs);
        } else if (s->satp != satp) {
            tlb_flush_nonglobal_by_mmuidx(cs, RV_MMU_PAGED_MASK);
        }
        check_irq(cs);
    }
    return old;
}


static void helper_xret(void *env, uint64_t desc)
{
    CpuState *cs = env;
    RiscvCpu *cpu = env;
    uint64_t pc;
    bool ok = (desc & RV_XRET_MRET) ? riscv_priv_mret(&cpu->priv, &pc)
                                    : riscv_priv_sret(&cpu->priv, &pc);
    if (!ok) {
        riscv_raise_trap(cs, RV_EXC_ILLEGAL_INSN, (uint32_t)desc, 0);
    }
    cpu->pc = pc;
    check_irq(cs);
}


static void helper_wfi(void *env, uint64_t desc)
{
    CpuState *cs = env;
    RiscvCpu *cpu = env;
    if (!riscv_priv_wfi_legal(&cpu->priv)) {
        riscv_raise_trap(cs, RV_EXC_ILLEGAL_INSN, (uint32_t)desc, 0);
    }
    cpu->pc += 4;
    if (!cs->sys->has_work(cs)) {
        /* Sleep: the runner waits for an interrupt (or a kick). */
        cs->halted = true;
        cs->exception_index = EXCP_HALT;
        cpu_loop_exit(cs);
    }
}


static void helper_sfence_vma(void *env, uint64_t desc, uint64_t vaddr, uint64_t all)
{
    CpuState *cs = env;
    RiscvCpu *cpu = env;
    if (!riscv_priv_sfence_vma_legal(&cpu->priv)) {
        riscv_raise_trap(cs, RV_EXC_ILLEGAL_INSN, (uint32_t)desc, 0);
    }
    /* all: bit 0 rs1 = x0 (every address), bit 1 rs2 != x0 (one ASID:
     * global mappings stay; the TLB holds the current ASID's only). */
    if (all == (RV_SFENCE_ALL_ADDRS | RV_SFENCE_ONE_ASID)) {
        tlb_flush_nonglobal_by_mmuidx(cs, RV_MMU_PAGED_MASK);
    } else if (all & RV_SFENCE_ALL_ADDRS) {
        tlb_flush(cs);
    } else {
        tlb_flush_page(cs, vaddr);
    }
    cpu->pc += 4;
}


const RiscvSysHelpers riscv_sys_helper_table = {
    .raise_trap = {
        .func = (void *)helper_raise_trap,
        .name = "raise_trap",
        .flags = 0,
        .nb_args = 3,
        .has_ret = false,
    },
    .csr_sys = {
        .func = (void *)helper_csr_sys,
        .name = "csr_sys",
        .flags = 0,
        .nb_args = 4,
        .has_ret = true,
        .ret_i64 = true,
    },
    .xret = {
        .func = (void *)helper_xret,
        .name = "xret",
        .flags = 0,
        .nb_args = 2,
        .has_ret = false,
    },
    .wfi = {
        .func = (void *)helper_wfi,
        .name = "wfi",
        .flags = 0,
        .nb_args = 2,
        .has_ret = false,
    },
    .sfence_vma = {
        .func = (void *)helper_sfence_vma,
        .name = "sfence_vma",
        .flags = 0,
        .nb_args = 4,
        .has_ret = false,
    },
};
