/*
 * RISC-V F/D: run-time helpers (fpu_helper.c) and the IR shapes shared by
 * trans_rvf.c and trans_rvd.c.
 *
 * Values travel as raw register bit patterns (uint64_t): a single-precision
 * operand is the whole 64-bit register and the helper does the NaN-boxing
 * check itself; single results come back boxed.  `rm` is the instruction's
 * rounding-mode field (0..4 static, 7 = dyn: use env->frm, which the
 * translator has already validated, see fpu_check_frm).  Every helper that
 * takes env ORs the exception flags it raises into env->fflags.
 *
 * The arithmetic runs on the host's SSE/FMA units (RNE/RTZ/RDN/RUP; with no
 * MXCSR access at all in the common case of RNE with NX already accrued),
 * and on a small exact software path (fpu_soft_*) for RMM and for fused
 * multiply-add on hosts without FMA3.  Design notes and the reasoning
 * behind each corner case: docs/fpu.md.
 */
#ifndef TARGET_RISCV_FPU_HELPER_H
#define TARGET_RISCV_FPU_HELPER_H

#include <stdbool.h>
#include <stdint.h>

#include "rove/tcg.h"
#include "target/riscv/cpu.h"

/* Canonical NaNs and the NaN-box. */
#define FPU_QNAN_S 0x7fc00000u
#define FPU_QNAN_D 0x7ff8000000000000ull
#define FPU_BOX 0xffffffff00000000ull

/* ---- run-time helpers ---- */

/* Raises EXCP_ILLEGAL when env->frm holds a reserved mode (5..7).  The pc
 * global must hold the current insn's address.  `serial` is ignored: it
 * tags the call op so the translator can recognise its own checks. */
void helper_fpu_check_frm(void *env, uint64_t serial);

#define FPU_DECL_BINOP(name) \
    uint64_t helper_##name(void *env, uint64_t a, uint64_t b, uint64_t rm)
#define FPU_DECL_UNOP(name) \
    uint64_t helper_##name(void *env, uint64_t a, uint64_t rm)
#define FPU_DECL_FMA(name) \
    uint64_t helper_##name(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
#define FPU_DECL_CMP(name) \
    uint64_t helper_##name(void *env, uint64_t a, uint64_t b)

FPU_DECL_BINOP(fadd_s);
FPU_DECL_BINOP(fsub_s);
FPU_DECL_BINOP(fmul_s);
FPU_DECL_BINOP(fdiv_s);
FPU_DECL_BINOP(fadd_d);
FPU_DECL_BINOP(fsub_d);
FPU_DECL_BINOP(fmul_d);
FPU_DECL_BINOP(fdiv_d);
FPU_DECL_UNOP(fsqrt_s);
FPU_DECL_UNOP(fsqrt_d);

FPU_DECL_FMA(fmadd_s);
FPU_DECL_FMA(fmsub_s);
FPU_DECL_FMA(fnmsub_s);
FPU_DECL_FMA(fnmadd_s);
FPU_DECL_FMA(fmadd_d);
FPU_DECL_FMA(fmsub_d);
FPU_DECL_FMA(fnmsub_d);
FPU_DECL_FMA(fnmadd_d);

/* min/max return a register value; feq/flt/fle return 0 or 1. */
FPU_DECL_CMP(fmin_s);
FPU_DECL_CMP(fmax_s);
FPU_DECL_CMP(fmin_d);
FPU_DECL_CMP(fmax_d);
FPU_DECL_CMP(feq_s);
FPU_DECL_CMP(flt_s);
FPU_DECL_CMP(fle_s);
FPU_DECL_CMP(feq_d);
FPU_DECL_CMP(flt_d);
FPU_DECL_CMP(fle_d);

uint64_t helper_fclass_s(uint64_t a);
uint64_t helper_fclass_d(uint64_t a);

/* float -> integer: the result as written to rd (32-bit results
 * sign-extended).  Saturating, NV for invalid, NX for inexact. */
FPU_DECL_UNOP(fcvt_w_s);
FPU_DECL_UNOP(fcvt_wu_s);
FPU_DECL_UNOP(fcvt_l_s);
FPU_DECL_UNOP(fcvt_lu_s);
FPU_DECL_UNOP(fcvt_w_d);
FPU_DECL_UNOP(fcvt_wu_d);
FPU_DECL_UNOP(fcvt_l_d);
FPU_DECL_UNOP(fcvt_lu_d);

/* integer (rs1 as held in the gpr) -> float */
FPU_DECL_UNOP(fcvt_s_w);
FPU_DECL_UNOP(fcvt_s_wu);
FPU_DECL_UNOP(fcvt_s_l);
FPU_DECL_UNOP(fcvt_s_lu);
uint64_t helper_fcvt_d_w(uint64_t a);  /* exact: no flags, pure */
uint64_t helper_fcvt_d_wu(uint64_t a); /* exact: no flags, pure */
FPU_DECL_UNOP(fcvt_d_l);
FPU_DECL_UNOP(fcvt_d_lu);

FPU_DECL_UNOP(fcvt_s_d);
uint64_t helper_fcvt_d_s(void *env, uint64_t a); /* exact; NV for sNaN */

#define FPU_HELPERS(X)                                                       \
    X(fpu_check_frm) X(fadd_s) X(fsub_s) X(fmul_s) X(fdiv_s) X(fadd_d)       \
    X(fsub_d) X(fmul_d) X(fdiv_d) X(fsqrt_s) X(fsqrt_d) X(fmadd_s)           \
    X(fmsub_s) X(fnmsub_s) X(fnmadd_s) X(fmadd_d) X(fmsub_d) X(fnmsub_d)     \
    X(fnmadd_d) X(fmin_s) X(fmax_s) X(fmin_d) X(fmax_d) X(feq_s) X(flt_s)    \
    X(fle_s) X(feq_d) X(flt_d) X(fle_d) X(fclass_s) X(fclass_d)              \
    X(fcvt_w_s) X(fcvt_wu_s) X(fcvt_l_s) X(fcvt_lu_s) X(fcvt_w_d)            \
    X(fcvt_wu_d) X(fcvt_l_d) X(fcvt_lu_d) X(fcvt_s_w) X(fcvt_s_wu)           \
    X(fcvt_s_l) X(fcvt_s_lu) X(fcvt_d_w) X(fcvt_d_wu) X(fcvt_d_l)            \
    X(fcvt_d_lu) X(fcvt_s_d) X(fcvt_d_s)

#define FPU_DECL_INFO(name) extern const TcgHelperInfo helper_info_##name;
FPU_HELPERS(FPU_DECL_INFO)
#undef FPU_DECL_INFO

/* True if `h` is one of the helpers above (none of which writes frm). */
bool fpu_is_fp_helper(const TcgHelperInfo *h);

/* ---- the exact software path (exposed for tests/unit/test-fpu.c) ---- */

/* Formats: `dbl` selects binary64, otherwise binary32 (unboxed bits). */
uint64_t fpu_soft_add(uint64_t a, uint64_t b, bool dbl, unsigned rm, uint32_t *fflags);
uint64_t fpu_soft_mul(uint64_t a, uint64_t b, bool dbl, unsigned rm, uint32_t *fflags);
uint64_t fpu_soft_div(uint64_t a, uint64_t b, bool dbl, unsigned rm, uint32_t *fflags);
uint64_t fpu_soft_fma(uint64_t a, uint64_t b, uint64_t c, bool dbl, unsigned rm,
                      uint32_t *fflags);
/* Signed (`is_signed`) or unsigned 64-bit integer -> float. */
uint64_t fpu_soft_from_int(uint64_t v, bool is_signed, bool dbl, unsigned rm,
                           uint32_t *fflags);
/* binary64 -> binary32 */
uint64_t fpu_soft_d_to_s(uint64_t a, unsigned rm, uint32_t *fflags);

/* Test hooks: whether the host FMA3 unit is used (false forces the
 * software fused multiply-add).  fpu_set_host_fma returns the old value. */
bool fpu_host_has_fma(void);
bool fpu_set_host_fma(bool on);

/* ---- translation side (trans_rvf.c), shared with trans_rvd.c ---- */
#include "target/riscv/translate.h"

/* The TB key bits the FP translation depends on (riscv_get_tb_key):
 * frm, and whether fflags.NX is set.  See trans_rvf.c. */
#define FPU_TB_FRM_MASK 7u
#define FPU_TB_NX 8u
/* Inline: it runs on every indirect-jump lookup (helper_lookup_tb_ptr). */
static inline uint32_t fpu_tb_key_flags(const RiscvCpu *cpu)
{
    return (cpu->frm & FPU_TB_FRM_MASK) | ((cpu->fflags & RV_FFLAG_NX) ? FPU_TB_NX : 0);
}
/* True if the TB being translated must not chain directly to another
 * (it is keyed with NX clear and may set NX). */
bool fpu_tb_no_chain(DisasContext *ctx);
/* After a write of frm/fflags/fcsr: if frm (check_frm) or fflags.NX
 * (check_nx) no longer match the TB key, leave the TB for the next insn. */
void fpu_gen_key_check(DisasContext *ctx, bool check_frm, bool check_nx);
/* The fpop fallback helper of kind: helper(env, inputs) with rm = RNE. */
const TcgHelperInfo *fpu_fpop_fallback(TcgFpopKind kind);

/* Validate the rm field: false for a reserved static mode (5, 6), and for
 * dyn when the TB's frm (a key bit) is reserved.  Returns true if usable. */
bool fpu_gen_rm_check(DisasContext *ctx, int rm);
/* fd = h(env, fs1, fs2, rm) */
bool fpu_gen_binop(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h);
/* fd = h(env, fs1, rm) */
bool fpu_gen_unop(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h);
/* fd = h(env, fs1, fs2, fs3, rm) */
bool fpu_gen_fma(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h);
/* fd = h(env, fs1, fs2) (fmin/fmax) */
bool fpu_gen_minmax(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h);
/* feq/flt/fle inline in IR: kind is TCG_COND_EQ, _LT or _LE.  (The
 * helper_feq_* etc. above compute the same and serve as its reference.) */
bool fpu_gen_cmp(DisasContext *ctx, const RvArgs *a, bool dbl, TcgCond kind);
/* xd = h(env, fs1, rm) */
bool fpu_gen_to_int(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h);
/* fd = h(env, xs1, rm) */
bool fpu_gen_from_int(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h);
/* Sign injection: 0 = fsgnj, 1 = fsgnjn, 2 = fsgnjx. */
bool fpu_gen_sgnj(DisasContext *ctx, const RvArgs *a, bool dbl, int kind);
/* Loads and stores: size MO_32 (boxed on load) or MO_64. */
bool fpu_gen_load(DisasContext *ctx, const RvArgs *a, MemOp size);
bool fpu_gen_store(DisasContext *ctx, const RvArgs *a, MemOp size);

#endif
