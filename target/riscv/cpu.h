/*
 * RISC-V (RV64GC) cpu state.  The env pointer generated code holds points at
 * a RiscvCpu; IR globals are its fields (offsetof(RiscvCpu, ...)).
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include <stdint.h>

#include "rove/exec.h"

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
} RiscvCpu;

static inline RiscvCpu *riscv_cpu(CpuState *cs)
{
    return (RiscvCpu *)cs;
}

/* cpu.c */
void riscv_cpu_reset(CpuState *cs);
void riscv_cpu_dump_state(CpuState *cs, FILE *f);

#endif
