/*
 * Private to the integer side of the RISC-V front end: run-time helpers
 * (called from generated code) and the small IR-emitting shapes the
 * trans_rv*.c files share.  The FP files use only translate.h.
 */
#ifndef TARGET_RISCV_INTERNAL_H
#define TARGET_RISCV_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "target/riscv/translate.h"

/* CSR numbers the user-mode cpu implements. */
enum {
    RV_CSR_FFLAGS = 0x001,
    RV_CSR_FRM = 0x002,
    RV_CSR_FCSR = 0x003,
    RV_CSR_CYCLE = 0xc00,
    RV_CSR_TIME = 0xc01,
    RV_CSR_INSTRET = 0xc02,
};

/* ---- run-time helpers (op_helper.c, csr.c) ---- */
_Noreturn void helper_raise_exception(void *env, uint64_t excp);
_Noreturn void helper_fence_i(void *env);
uint64_t helper_csr_read(void *env, uint64_t csr);
/* new = (old & ~mask) | (value & mask); returns old. */
uint64_t helper_csr_modify(void *env, uint64_t csr, uint64_t value, uint64_t mask);

/* sys_helper.c (system mode).  helper_csr_sys's desc: csr number,
 * | RV_CSR_DESC_WRITE, | the insn's encoding << 32 (tval if illegal).
 * helper_xret's / helper_wfi's / helper_sfence_vma's desc: the insn's
 * encoding (helper_xret: | RV_XRET_MRET << 32 for mret). */
#define RV_CSR_DESC_WRITE (1ull << 12)
/* sfence_vma helper's `all` operand: rs1 = x0 / rs2 != x0. */
#define RV_SFENCE_ALL_ADDRS 1
#define RV_SFENCE_ONE_ASID 2
#define RV_XRET_MRET (1ull << 32)
typedef struct RiscvSysHelpers {
    TcgHelperInfo raise_trap, csr_sys, xret, wfi, sfence_vma;
} RiscvSysHelpers;
/* Set by the system emulator (hart.c) to sys_helper.c's table; NULL in
 * user mode, which never translates a privileged instruction, so that
 * rove-riscv64 does not link the privileged architecture. */
extern const RiscvSysHelpers *riscv_sys_helpers;
extern const RiscvSysHelpers riscv_sys_helper_table;

/* atomic_helper.c: helper_amo's desc is an RV_AMO_* op, | RV_AMO_64 for
 * the doubleword forms; helper_sc's last argument is 1 for sc.d.  Both
 * carry the access's mmu_idx << RV_AMO_MMU_SHIFT. */
enum {
    RV_AMO_SWAP,
    RV_AMO_ADD,
    RV_AMO_XOR,
    RV_AMO_AND,
    RV_AMO_OR,
    RV_AMO_MIN,
    RV_AMO_MAX,
    RV_AMO_MINU,
    RV_AMO_MAXU,
    RV_AMO_64 = 16,
    RV_AMO_MMU_SHIFT = 8,
};
uint64_t helper_amo(void *env, uint64_t addr, uint64_t val, uint64_t desc);
uint64_t helper_sc(void *env, uint64_t addr, uint64_t val, uint64_t is64);
extern const TcgHelperInfo helper_info_amo;
extern const TcgHelperInfo helper_info_sc;
extern const TcgHelperInfo helper_info_raise_exception;
extern const TcgHelperInfo helper_info_fence_i;
extern const TcgHelperInfo helper_info_csr_read;
extern const TcgHelperInfo helper_info_csr_modify;

/* csr.c: does `csr` exist for a user-mode program, and is it read-only? */
bool riscv_csr_lookup(int csr, bool *read_only);
/* Direct access for C code (dump, signal frames): value of a CSR. */
uint64_t riscv_csr_get(RiscvCpu *cpu, int csr);

/* ---- IR shapes shared by trans_rvi/rvm/rvb.c (translate.c) ---- */
typedef void (*RvGen3)(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
typedef void (*RvGen2)(TcgContext *c, TcgTemp *d, TcgTemp *a);

/* rd = fn(rs1, rs2); `w`: then sign-extend the low 32 bits (RV64 *W ops). */
bool rvi_gen_rrr(DisasContext *ctx, const RvArgs *a, RvGen3 fn, bool w);
/* rd = fn(rs1, constant) */
bool rvi_gen_rri(DisasContext *ctx, const RvArgs *a, RvGen3 fn, int64_t imm, bool w);
/* rs1 + imm as a fresh I64 temp: the address of a load/store. */
TcgTemp *rvi_gen_addr(DisasContext *ctx, int rs1, int64_t imm);

/* rd = fn(rs1) */
bool rvi_gen_rr(DisasContext *ctx, const RvArgs *a, RvGen2 fn, bool w);

#endif
