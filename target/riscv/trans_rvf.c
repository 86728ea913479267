/*
 * RISC-V F extension (single precision) translation, plus the IR shapes
 * the D extension (trans_rvd.c) shares.
 *
 * Arithmetic is one helper call per instruction (fpu_helper.c), or, when
 * the TB key says RNE is in effect and fflags.NX is already set, one fpop
 * op that a native back end runs inline with the helper as its slow path
 * (docs/fpu.md).  What is pure bit movement stays in IR: loads/stores,
 * fmv, and sign injection, including the NaN-boxing check of single
 * operands (an operand whose upper 32 bits are not all ones reads as the
 * canonical NaN).
 *
 * Rounding mode: a static rm of 5 or 6 is an illegal instruction.  rm = 7
 * (dyn) uses frm, which is part of the TB key, so a reserved frm (5..7) is
 * rejected at translation time.  The arithmetic helpers never raise, so
 * they are NO_RWG calls and guest registers can stay in host registers
 * across them.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "target/riscv/fpu_helper.h"

#define SIGN_S (1ull << 31)
#define SIGN_D (1ull << 63)
#define BOXED_QNAN_S (FPU_BOX | FPU_QNAN_S)

static TcgTemp *gen_unbox_s(DisasContext *ctx, int reg);

/* ---- the TB key: frm and fflags.NX ---- */

/*
 * riscv_get_tb_key puts frm and fflags.NX into the TB flags (see
 * fpu_tb_key_flags), so both are translation-time constants here:
 *  - a dyn rm with a reserved frm (5..7) is an illegal instruction, known
 *    when translating;
 *  - with RNE in effect and NX already set, arithmetic becomes an fpop op,
 *    which a back end may run inline (docs/fpu.md).
 * The key stays true within a TB because every write of frm/fflags/fcsr
 * is followed by a compare that leaves the TB if the key changed
 * (fpu_gen_key_check, from trans_rvzicsr.c) and the helpers only ever
 * *set* NX.  A TB
 * keyed with NX clear that calls FP helpers may set NX part-way, so it
 * must not chain straight to its successor (which could be keyed with NX
 * set while NX is still clear at run time): fpu_tb_no_chain.
 */
static uint32_t tb_key(const DisasContext *ctx)
{
    return ctx->base.tb->flags;
}

bool fpu_tb_no_chain(DisasContext *ctx)
{
    const TcgContext *t = ctx->tcg;

    if (tb_key(ctx) & FPU_TB_NX) {
        return false;
    }
    /* Asked at every exit: look only at the ops added since last time. */
    for (int i = ctx->fp_ops_seen; i < t->nb_ops && !ctx->fp_call_seen; i++) {
        const TcgOp *op = &t->ops[i];
        if (op->opc == INDEX_op_call &&
            fpu_is_fp_helper((const TcgHelperInfo *)op->args[op->nb_oargs + op->nb_iargs])) {
            ctx->fp_call_seen = true;
        }
    }
    ctx->fp_ops_seen = t->nb_ops;
    return ctx->fp_call_seen;
}

void fpu_gen_key_check(DisasContext *ctx, bool check_frm, bool check_nx)
{
    TcgContext *t = ctx->tcg;
    uint32_t key = tb_key(ctx);
    int ok = tcg_new_label(t);
    int stale = tcg_new_label(t);

    /* Usually the key survives (e.g. fsflags restoring flags saved by
     * frflags), so compare inline rather than always ending the TB. */
    if (check_frm) {
        TcgTemp *f = tcg_temp_new_i32(t);
        tcg_gen_ld(t, f, t->env, offsetof(RiscvCpu, frm), MO_UL);
        tcg_gen_brcondi(t, TCG_COND_NE, f, key & FPU_TB_FRM_MASK, stale);
    }
    if (check_nx) {
        TcgTemp *fl = tcg_temp_new_i32(t);
        tcg_gen_ld(t, fl, t->env, offsetof(RiscvCpu, fflags), MO_UL);
        tcg_gen_andi(t, fl, fl, RV_FFLAG_NX);
        tcg_gen_brcondi(t, TCG_COND_EQ, fl, (key & FPU_TB_NX) ? RV_FFLAG_NX : 0, ok);
    } else {
        tcg_gen_br(t, ok);
    }
    tcg_gen_set_label(t, stale);
    gen_update_pc(ctx, ctx->pc_succ_insn);
    tcg_gen_lookup_and_goto_ptr(t);
    tcg_gen_set_label(t, ok);
}

bool fpu_gen_rm_check(DisasContext *ctx, int rm)
{
    if (rm == 5 || rm == 6) {
        return false;
    }
    return rm != RV_RM_DYN || (tb_key(ctx) & FPU_TB_FRM_MASK) <= RV_RM_RMM;
}

/* ---- fpop: inline-able arithmetic ---- */

/* ROVE_FPOP=0 keeps every operation a plain helper call. */
static bool fpop_on = true;
static pthread_once_t fpop_once = PTHREAD_ONCE_INIT;

static void fpop_read_env(void)
{
    const char *e = getenv("ROVE_FPOP");
    fpop_on = !(e && strcmp(e, "0") == 0);
}

static bool fpop_enabled(void)
{
    pthread_once(&fpop_once, fpop_read_env);
    return fpop_on;
}

/*
 * The fpop fallbacks: the arithmetic helpers with rm fixed to RNE (fpop is
 * only emitted when RNE is in effect, where rm = RNE and rm = dyn agree).
 */
#define FPOP_BIN(n)                                                             \
    static uint64_t fpop_##n(void *env, uint64_t a, uint64_t b)                 \
    {                                                                           \
        return helper_##n(env, a, b, RV_RM_RNE);                                \
    }                                                                           \
    static const TcgHelperInfo fpop_info_##n = {                                \
        .func = (void *)fpop_##n, .name = "fpop_" #n,                           \
        .flags = TCG_CALL_NO_RWG, .nb_args = 3, .has_ret = true,                \
        .ret_i64 = true,                                                        \
    };
#define FPOP_UN(n)                                                              \
    static uint64_t fpop_##n(void *env, uint64_t a)                             \
    {                                                                           \
        return helper_##n(env, a, RV_RM_RNE);                                   \
    }                                                                           \
    static const TcgHelperInfo fpop_info_##n = {                                \
        .func = (void *)fpop_##n, .name = "fpop_" #n,                           \
        .flags = TCG_CALL_NO_RWG, .nb_args = 2, .has_ret = true,                \
        .ret_i64 = true,                                                        \
    };
#define FPOP_FMA(n)                                                             \
    static uint64_t fpop_##n(void *env, uint64_t a, uint64_t b, uint64_t c)     \
    {                                                                           \
        return helper_##n(env, a, b, c, RV_RM_RNE);                             \
    }                                                                           \
    static const TcgHelperInfo fpop_info_##n = {                                \
        .func = (void *)fpop_##n, .name = "fpop_" #n,                           \
        .flags = TCG_CALL_NO_RWG, .nb_args = 4, .has_ret = true,                \
        .ret_i64 = true,                                                        \
    };

FPOP_BIN(fadd_d) FPOP_BIN(fsub_d) FPOP_BIN(fmul_d) FPOP_BIN(fdiv_d) FPOP_UN(fsqrt_d)
FPOP_FMA(fmadd_d) FPOP_FMA(fmsub_d) FPOP_FMA(fnmsub_d) FPOP_FMA(fnmadd_d)
FPOP_BIN(fadd_s) FPOP_BIN(fsub_s) FPOP_BIN(fmul_s) FPOP_BIN(fdiv_s) FPOP_UN(fsqrt_s)
FPOP_FMA(fmadd_s) FPOP_FMA(fmsub_s) FPOP_FMA(fnmsub_s) FPOP_FMA(fnmadd_s)

static const struct {
    const TcgHelperInfo *helper; /* the general helper (with rm) */
    const TcgHelperInfo *fallback;
} fpop_table[FPOP_NB_KINDS] = {
#define E(kind, name) [kind] = { &helper_info_##name, &fpop_info_##name }
    E(FPOP_ADD_D, fadd_d), E(FPOP_SUB_D, fsub_d), E(FPOP_MUL_D, fmul_d),
    E(FPOP_DIV_D, fdiv_d), E(FPOP_SQRT_D, fsqrt_d), E(FPOP_FMADD_D, fmadd_d),
    E(FPOP_FMSUB_D, fmsub_d), E(FPOP_FNMSUB_D, fnmsub_d), E(FPOP_FNMADD_D, fnmadd_d),
    E(FPOP_ADD_S, fadd_s), E(FPOP_SUB_S, fsub_s), E(FPOP_MUL_S, fmul_s),
    E(FPOP_DIV_S, fdiv_s), E(FPOP_SQRT_S, fsqrt_s), E(FPOP_FMADD_S, fmadd_s),
    E(FPOP_FMSUB_S, fmsub_s), E(FPOP_FNMSUB_S, fnmsub_s), E(FPOP_FNMADD_S, fnmadd_s),
#undef E
};

const TcgHelperInfo *fpu_fpop_fallback(TcgFpopKind kind)
{
    return fpop_table[kind].fallback;
}

/*
 * If h may be an fpop here (RNE in effect, NX known set), emit it and
 * return true.
 */
static bool gen_fpop(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h,
                     TcgTemp *d, TcgTemp *s1, TcgTemp *s2, TcgTemp *s3)
{
    uint32_t key = tb_key(ctx);
    int rm = a->rm == RV_RM_DYN ? (int)(key & FPU_TB_FRM_MASK) : a->rm;

    if (rm != RV_RM_RNE || !(key & FPU_TB_NX) || !fpop_enabled()) {
        return false;
    }
    for (int k = 0; k < FPOP_NB_KINDS; k++) {
        if (fpop_table[k].helper == h) {
            tcg_gen_fpop(ctx->tcg, (TcgFpopKind)k, fpop_table[k].fallback, d, s1, s2, s3);
            return true;
        }
    }
    return false;
}

/* ---- arithmetic shapes ---- */

static TcgTemp *rm_const(DisasContext *ctx, const RvArgs *a)
{
    return tcg_constant_i64(ctx->tcg, a->rm);
}

bool fpu_gen_binop(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d;

    if (!fpu_gen_rm_check(ctx, a->rm)) {
        return false;
    }
    d = tcg_temp_new_i64(t);
    if (!gen_fpop(ctx, a, h, d, get_fpr(ctx, a->rs1), get_fpr(ctx, a->rs2), NULL)) {
        tcg_gen_call4(t, h, d, t->env, get_fpr(ctx, a->rs1), get_fpr(ctx, a->rs2),
                      rm_const(ctx, a));
    }
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

bool fpu_gen_unop(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d;

    if (!fpu_gen_rm_check(ctx, a->rm)) {
        return false;
    }
    d = tcg_temp_new_i64(t);
    if (!gen_fpop(ctx, a, h, d, get_fpr(ctx, a->rs1), NULL, NULL)) {
        tcg_gen_call3(t, h, d, t->env, get_fpr(ctx, a->rs1), rm_const(ctx, a));
    }
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

bool fpu_gen_fma(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d;

    if (!fpu_gen_rm_check(ctx, a->rm)) {
        return false;
    }
    d = tcg_temp_new_i64(t);
    if (!gen_fpop(ctx, a, h, d, get_fpr(ctx, a->rs1), get_fpr(ctx, a->rs2),
                  get_fpr(ctx, a->rs3))) {
        tcg_gen_call5(t, h, d, t->env, get_fpr(ctx, a->rs1), get_fpr(ctx, a->rs2),
                      get_fpr(ctx, a->rs3), rm_const(ctx, a));
    }
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

bool fpu_gen_minmax(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d = tcg_temp_new_i64(t);

    tcg_gen_call3(t, h, d, t->env, get_fpr(ctx, a->rs1), get_fpr(ctx, a->rs2));
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

/*
 * feq/flt/fle inline (they are common in loops and a call costs more than
 * the compare).  A single is unboxed and moved to the top half, so both
 * formats share one shape: sign at bit 63, then exponent and fraction.
 *   nan  = |x| > inf for either operand
 *   key  = x ^ (x < 0 ? 0x7fff... : 0): orders like the values, as signed
 *          integers, except -0 < +0, hence the both-zero term
 *   flt  = key(a) < key(b) && !bothzero && !nan;   NV if nan
 *   fle  = (key(a) <= key(b) || bothzero) && !nan;  NV if nan
 *   feq  = (a == b || bothzero) && !nan;           NV if a signalling NaN
 * The NV bit is ORed into fflags unconditionally (a zero is harmless).
 */
static TcgTemp *gen_cmp_operand(DisasContext *ctx, int reg, bool dbl)
{
    TcgTemp *v;

    if (dbl) {
        return get_fpr(ctx, reg);
    }
    v = gen_unbox_s(ctx, reg);
    tcg_gen_shli(ctx->tcg, v, v, 32);
    return v;
}

/* 1 if x (in the shared layout) is a NaN; *abs = |x|. */
static TcgTemp *gen_is_nan(DisasContext *ctx, TcgTemp *x, bool dbl, TcgTemp **abs)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *m = tcg_temp_new_i64(t);
    TcgTemp *n = tcg_temp_new_i64(t);
    uint64_t inf = dbl ? 0x7ff0000000000000ull : 0x7f80000000000000ull;

    tcg_gen_andi(t, m, x, (int64_t)~SIGN_D);
    tcg_gen_setcondi(t, TCG_COND_GTU, n, m, (int64_t)inf);
    *abs = m;
    return n;
}

static TcgTemp *gen_order_key(DisasContext *ctx, TcgTemp *x)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *k = tcg_temp_new_i64(t);

    tcg_gen_sari(t, k, x, 63);
    tcg_gen_shri(t, k, k, 1);
    tcg_gen_xor(t, k, k, x);
    return k;
}

bool fpu_gen_cmp(DisasContext *ctx, const RvArgs *a, bool dbl, TcgCond kind)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *x = gen_cmp_operand(ctx, a->rs1, dbl);
    TcgTemp *y = gen_cmp_operand(ctx, a->rs2, dbl);
    TcgTemp *ax, *ay, *nan, *zero, *r, *nv, *fl;

    nan = gen_is_nan(ctx, x, dbl, &ax);
    nv = gen_is_nan(ctx, y, dbl, &ay);
    zero = tcg_temp_new_i64(t);
    tcg_gen_or(t, zero, ax, ay);
    tcg_gen_setcondi(t, TCG_COND_EQ, zero, zero, 0);
    r = tcg_temp_new_i64(t);
    if (kind == TCG_COND_EQ) {
        /* NV only for a signalling NaN: NaN with the quiet bit clear */
        int qbit = dbl ? 51 : 54;
        TcgTemp *q = tcg_temp_new_i64(t);
        TcgTemp *s = tcg_temp_new_i64(t);

        tcg_gen_shri(t, q, x, qbit);
        tcg_gen_andc(t, s, nan, q);
        tcg_gen_shri(t, q, y, qbit);
        tcg_gen_andc(t, q, nv, q);
        tcg_gen_or(t, s, s, q);
        tcg_gen_andi(t, s, s, 1);
        tcg_gen_or(t, nan, nan, nv);
        nv = s;
        tcg_gen_setcond(t, TCG_COND_EQ, r, x, y);
        tcg_gen_or(t, r, r, zero);
    } else {
        TcgTemp *kx = gen_order_key(ctx, x);
        TcgTemp *ky = gen_order_key(ctx, y);

        tcg_gen_or(t, nan, nan, nv);
        nv = nan;
        tcg_gen_setcond(t, kind, r, kx, ky);
        if (kind == TCG_COND_LT) {
            tcg_gen_andc(t, r, r, zero);
        } else {
            tcg_gen_or(t, r, r, zero);
        }
    }
    tcg_gen_andc(t, r, r, nan);
    gen_set_gpr(ctx, a->rd, r);

    fl = tcg_temp_new_i64(t);
    tcg_gen_ld(t, fl, t->env, offsetof(RiscvCpu, fflags), MO_UL);
    tcg_gen_shli(t, nv, nv, 4); /* RV_FFLAG_NV */
    tcg_gen_or(t, fl, fl, nv);
    tcg_gen_st(t, fl, t->env, offsetof(RiscvCpu, fflags), MO_UL);
    return true;
}

bool fpu_gen_to_int(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d;

    if (!fpu_gen_rm_check(ctx, a->rm)) {
        return false;
    }
    d = tcg_temp_new_i64(t);
    tcg_gen_call3(t, h, d, t->env, get_fpr(ctx, a->rs1), rm_const(ctx, a));
    gen_set_gpr(ctx, a->rd, d);
    return true;
}

bool fpu_gen_from_int(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d;

    if (!fpu_gen_rm_check(ctx, a->rm)) {
        return false;
    }
    d = tcg_temp_new_i64(t);
    tcg_gen_call3(t, h, d, t->env, get_gpr(ctx, a->rs1), rm_const(ctx, a));
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

/* ---- bit movement in IR ---- */

/* The single operand in register `reg`, or the boxed canonical NaN if the
 * register is not properly NaN-boxed (upper half not all ones). */
static TcgTemp *gen_unbox_s(DisasContext *ctx, int reg)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *v = get_fpr(ctx, reg);
    TcgTemp *d = tcg_temp_new_i64(t);

    tcg_gen_movcond(t, TCG_COND_GEU, d, v, tcg_constant_i64(t, (int64_t)FPU_BOX), v,
                    tcg_constant_i64(t, (int64_t)BOXED_QNAN_S));
    return d;
}

bool fpu_gen_sgnj(DisasContext *ctx, const RvArgs *a, bool dbl, int kind)
{
    TcgContext *t = ctx->tcg;
    int64_t sign = (int64_t)(dbl ? SIGN_D : SIGN_S);
    TcgTemp *x = dbl ? get_fpr(ctx, a->rs1) : gen_unbox_s(ctx, a->rs1);
    TcgTemp *y;
    TcgTemp *d = tcg_temp_new_i64(t);
    TcgTemp *m;

    if (a->rs1 == a->rs2) {
        /* fmv / fneg / fabs: no need to look at the operand twice */
        switch (kind) {
        case 0:
            tcg_gen_mov(t, d, x);
            break;
        case 1:
            tcg_gen_xori(t, d, x, sign);
            break;
        default:
            tcg_gen_andi(t, d, x, ~sign);
            break;
        }
        gen_set_fpr(ctx, a->rd, d);
        return true;
    }
    y = dbl ? get_fpr(ctx, a->rs2) : gen_unbox_s(ctx, a->rs2);
    m = tcg_temp_new_i64(t);
    switch (kind) {
    case 0: /* sign of y */
        tcg_gen_andi(t, m, y, sign);
        tcg_gen_andi(t, d, x, ~sign);
        tcg_gen_or(t, d, d, m);
        break;
    case 1: /* opposite sign of y: sign & ~y */
        tcg_gen_andc(t, m, tcg_constant_i64(t, sign), y);
        tcg_gen_andi(t, d, x, ~sign);
        tcg_gen_or(t, d, d, m);
        break;
    default: /* sign of x xor sign of y */
        tcg_gen_andi(t, m, y, sign);
        tcg_gen_xor(t, d, x, m);
        break;
    }
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

static TcgTemp *gen_fp_addr(DisasContext *ctx, int rs1, int64_t imm)
{
    TcgTemp *addr = tcg_temp_new_i64(ctx->tcg);

    tcg_gen_addi(ctx->tcg, addr, get_gpr(ctx, rs1), imm);
    return addr;
}

bool fpu_gen_load(DisasContext *ctx, const RvArgs *a, MemOp size)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *addr = gen_fp_addr(ctx, a->rs1, a->imm);
    TcgTemp *d = tcg_temp_new_i64(t);

    tcg_gen_qemu_ld(t, d, addr, size, ctx->mem_idx);
    if (size == MO_32) {
        tcg_gen_ori(t, d, d, (int64_t)FPU_BOX);
    }
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

bool fpu_gen_store(DisasContext *ctx, const RvArgs *a, MemOp size)
{
    TcgTemp *addr = gen_fp_addr(ctx, a->rs1, a->imm);

    /* fsw stores the low 32 bits whatever the boxing */
    tcg_gen_qemu_st(ctx->tcg, get_fpr(ctx, a->rs2), addr, size, ctx->mem_idx);
    return true;
}

/* ---- F instructions ---- */

bool trans_flw(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_load(ctx, a, MO_32);
}

bool trans_fsw(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_store(ctx, a, MO_32);
}

bool trans_fmadd_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fmadd_s);
}

bool trans_fmsub_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fmsub_s);
}

bool trans_fnmsub_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fnmsub_s);
}

bool trans_fnmadd_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fnmadd_s);
}

bool trans_fadd_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fadd_s);
}

bool trans_fsub_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fsub_s);
}

bool trans_fmul_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fmul_s);
}

bool trans_fdiv_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fdiv_s);
}

bool trans_fsqrt_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_unop(ctx, a, &helper_info_fsqrt_s);
}

bool trans_fsgnj_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_sgnj(ctx, a, false, 0);
}

bool trans_fsgnjn_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_sgnj(ctx, a, false, 1);
}

bool trans_fsgnjx_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_sgnj(ctx, a, false, 2);
}

bool trans_fmin_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_minmax(ctx, a, &helper_info_fmin_s);
}

bool trans_fmax_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_minmax(ctx, a, &helper_info_fmax_s);
}

bool trans_fcvt_w_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_w_s);
}

bool trans_fcvt_wu_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_wu_s);
}

bool trans_fcvt_l_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_l_s);
}

bool trans_fcvt_lu_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_lu_s);
}

/* fmv.x.w: the raw low 32 bits, sign-extended (no NaN-boxing check). */
bool trans_fmv_x_w(DisasContext *ctx, const RvArgs *a)
{
    TcgTemp *d = tcg_temp_new_i64(ctx->tcg);

    tcg_gen_ext32s(ctx->tcg, d, get_fpr(ctx, a->rs1));
    gen_set_gpr(ctx, a->rd, d);
    return true;
}

bool trans_fclass_s(DisasContext *ctx, const RvArgs *a)
{
    TcgTemp *d = tcg_temp_new_i64(ctx->tcg);

    tcg_gen_call1(ctx->tcg, &helper_info_fclass_s, d, get_fpr(ctx, a->rs1));
    gen_set_gpr(ctx, a->rd, d);
    return true;
}

bool trans_feq_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_cmp(ctx, a, false, TCG_COND_EQ);
}

bool trans_flt_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_cmp(ctx, a, false, TCG_COND_LT);
}

bool trans_fle_s(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_cmp(ctx, a, false, TCG_COND_LE);
}

bool trans_fcvt_s_w(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_from_int(ctx, a, &helper_info_fcvt_s_w);
}

bool trans_fcvt_s_wu(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_from_int(ctx, a, &helper_info_fcvt_s_wu);
}

bool trans_fcvt_s_l(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_from_int(ctx, a, &helper_info_fcvt_s_l);
}

bool trans_fcvt_s_lu(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_from_int(ctx, a, &helper_info_fcvt_s_lu);
}

/* fmv.w.x: the low 32 bits of the gpr, NaN-boxed. */
bool trans_fmv_w_x(DisasContext *ctx, const RvArgs *a)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d = tcg_temp_new_i64(t);

    tcg_gen_ori(t, d, get_gpr(ctx, a->rs1), (int64_t)FPU_BOX);
    gen_set_fpr(ctx, a->rd, d);
    return true;
}
