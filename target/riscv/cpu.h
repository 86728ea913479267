/*
 * RISC-V (RV64GC) cpu state.  The env pointer generated code holds points at
 * a RiscvCpu; IR globals are its fields (offsetof(RiscvCpu, ...)).
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include <stdint.h>

#include "rove/exec.h"
#include "target/riscv/priv.h"

/* fflags bits (fcsr[4:0]) */
enum {
    RV_FFLAG_NX = 1, /* inexact */
    RV_FFLAG_UF = 2, /* underflow */
    RV_FFLAG_OF = 4, /* overflow */
    RV_FFLAG_DZ = 8, /* divide by zero */
    RV_FFLAG_NV = 16 /* invalid */
};

/* rounding modes (frm and the rm field) */
enum {
    RV_RM_RNE = 0,
    RV_RM_RTZ = 1,
    RV_RM_RDN = 2,
    RV_RM_RUP = 3,
    RV_RM_RMM = 4,
    RV_RM_DYN = 7,
};

typedef struct RiscvCpu {
    CpuState parent;    /* must be first */
    uint64_t gpr[32];   /* gpr[0] always 0 */
    uint64_t fpr[32];   /* single values are NaN-boxed (upper 32 bits all 1) */
    uint64_t pc;        /* valid at TB boundaries and exceptions */
    uint64_t load_res;  /* LR reservation address, -1 if none */
    uint64_t load_val;  /* value LR read */
    uint32_t frm;       /* fcsr[7:5] */
    uint32_t fflags;    /* fcsr[4:0], accrued */
    uint64_t instret_base; /* user-mode counters */
    /* System mode only (target/riscv/hart.c): the privileged state and the
     * hart's machine-side data (irq lines, timers). */
    bool system;
    RiscvPrivState priv;
    struct RiscvHart *hart;
} RiscvCpu;

/*
 * System mode's TB flags, above the FPU key bits (fpu_helper.h): the
 * privilege level, the mmu_idx of data accesses, mstatus.FS.
 */
#define RV_TB_PRIV_SHIFT 4
#define RV_TB_MMU_SHIFT 6
#define RV_TB_FS_SHIFT 8

/* Soft-MMU indexes: U, S without and with mstatus.SUM, M (no paging). */
enum {
    RV_MMU_U = 0,
    RV_MMU_S = 1,
    RV_MMU_S_SUM = 2,
    RV_MMU_M = 3,
};
/* The modes that page (satp applies): an address-space switch flushes them. */
#define RV_MMU_PAGED_MASK ((1u << RV_MMU_U) | (1u << RV_MMU_S) | (1u << RV_MMU_S_SUM))

static inline RiscvCpu *riscv_cpu(CpuState *cs)
{
    return (RiscvCpu *)cs;
}

/* System mode: mmu_idx of fetches / data accesses in the current state,
 * and the system-mode part of the TB key. */
static inline unsigned riscv_mmu_index(const RiscvCpu *cpu, bool ifetch)
{
    const RiscvPrivState *s = &cpu->priv;
    unsigned priv = s->priv;
    if (!ifetch && (s->mstatus & RV_MSTATUS_MPRV)) {
        priv = (unsigned)((s->mstatus & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);
    }
    switch (priv) {
    case RV_PRIV_M:
        return RV_MMU_M;
    case RV_PRIV_S:
        return (!ifetch && (s->mstatus & RV_MSTATUS_SUM)) ? RV_MMU_S_SUM : RV_MMU_S;
    default:
        return RV_MMU_U;
    }
}

static inline uint32_t riscv_sys_tb_flags(const RiscvCpu *cpu)
{
    const RiscvPrivState *s = &cpu->priv;
    return (s->priv << RV_TB_PRIV_SHIFT) | (riscv_mmu_index(cpu, false) << RV_TB_MMU_SHIFT) |
           (uint32_t)(((s->mstatus & RV_MSTATUS_FS) >> 13) << RV_TB_FS_SHIFT);
}

/* Take trap `cause` (RV_EXC_*) with tval at the insn retaddr points into
 * (0: cpu->pc is already the insn's), and go on at its handler. */
_Noreturn void riscv_raise_trap(CpuState *cs, uint64_t cause, uint64_t tval, uintptr_t retaddr);

/* cpu.c */
void riscv_cpu_reset(CpuState *cs);
void riscv_cpu_dump_state(CpuState *cs, FILE *f);

#endif
