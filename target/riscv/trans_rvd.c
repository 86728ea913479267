/*
 * RISC-V D extension (double precision) translation.  The shapes (helper
 * calls, rm checks, sign injection, loads/stores) are shared with the F
 * extension in trans_rvf.c; the helpers are in fpu_helper.c.
 */
#include "target/riscv/fpu_helper.h"

/* Also the target of c.fld / c.fldsp and c.fsd / c.fsdsp. */
bool trans_fld(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_load(ctx, a, MO_64);
}

bool trans_fsd(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_store(ctx, a, MO_64);
}

bool trans_fmadd_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fmadd_d);
}

bool trans_fmsub_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fmsub_d);
}

bool trans_fnmsub_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fnmsub_d);
}

bool trans_fnmadd_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_fma(ctx, a, &helper_info_fnmadd_d);
}

bool trans_fadd_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fadd_d);
}

bool trans_fsub_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fsub_d);
}

bool trans_fmul_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fmul_d);
}

bool trans_fdiv_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_binop(ctx, a, &helper_info_fdiv_d);
}

bool trans_fsqrt_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_unop(ctx, a, &helper_info_fsqrt_d);
}

bool trans_fsgnj_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_sgnj(ctx, a, true, 0);
}

bool trans_fsgnjn_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_sgnj(ctx, a, true, 1);
}

bool trans_fsgnjx_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_sgnj(ctx, a, true, 2);
}

bool trans_fmin_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_minmax(ctx, a, &helper_info_fmin_d);
}

bool trans_fmax_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_minmax(ctx, a, &helper_info_fmax_d);
}

bool trans_fcvt_s_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_unop(ctx, a, &helper_info_fcvt_s_d);
}

/* Exact, but the rm field is still checked like QEMU and hardware do. */
bool trans_fcvt_d_s(DisasContext *ctx, const RvArgs *a)
{
    TcgContext *t = ctx->tcg;
    TcgTemp *d;

    if (!fpu_gen_rm_check(ctx, a->rm)) {
        return false;
    }
    d = tcg_temp_new_i64(t);
    tcg_gen_call2(t, &helper_info_fcvt_d_s, d, t->env, get_fpr(ctx, a->rs1));
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

bool trans_feq_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_cmp(ctx, a, true, TCG_COND_EQ);
}

bool trans_flt_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_cmp(ctx, a, true, TCG_COND_LT);
}

bool trans_fle_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_cmp(ctx, a, true, TCG_COND_LE);
}

bool trans_fclass_d(DisasContext *ctx, const RvArgs *a)
{
    TcgTemp *d = tcg_temp_new_i64(ctx->tcg);

    tcg_gen_call1(ctx->tcg, &helper_info_fclass_d, d, get_fpr(ctx, a->rs1));
    gen_set_gpr(ctx, a->rd, d);
    return true;
}

bool trans_fcvt_w_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_w_d);
}

bool trans_fcvt_wu_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_wu_d);
}

bool trans_fcvt_l_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_l_d);
}

bool trans_fcvt_lu_d(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_to_int(ctx, a, &helper_info_fcvt_lu_d);
}

/* int32 -> double is exact: a pure helper, only the rm field is checked. */
static bool gen_exact_from_int(DisasContext *ctx, const RvArgs *a, const TcgHelperInfo *h)
{
    TcgTemp *d;

    if (!fpu_gen_rm_check(ctx, a->rm)) {
        return false;
    }
    d = tcg_temp_new_i64(ctx->tcg);
    tcg_gen_call1(ctx->tcg, h, d, get_gpr(ctx, a->rs1));
    gen_set_fpr(ctx, a->rd, d);
    return true;
}

bool trans_fcvt_d_w(DisasContext *ctx, const RvArgs *a)
{
    return gen_exact_from_int(ctx, a, &helper_info_fcvt_d_w);
}

bool trans_fcvt_d_wu(DisasContext *ctx, const RvArgs *a)
{
    return gen_exact_from_int(ctx, a, &helper_info_fcvt_d_wu);
}

bool trans_fcvt_d_l(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_from_int(ctx, a, &helper_info_fcvt_d_l);
}

bool trans_fcvt_d_lu(DisasContext *ctx, const RvArgs *a)
{
    return fpu_gen_from_int(ctx, a, &helper_info_fcvt_d_lu);
}

bool trans_fmv_x_d(DisasContext *ctx, const RvArgs *a)
{
    gen_set_gpr(ctx, a->rd, get_fpr(ctx, a->rs1));
    return true;
}

bool trans_fmv_d_x(DisasContext *ctx, const RvArgs *a)
{
    gen_set_fpr(ctx, a->rd, get_gpr(ctx, a->rs1));
    return true;
}
