/*
 * M: multiply and divide.  The IR's div/rem are unspecified for a zero
 * divisor and for INT64_MIN / -1, so the divisor is replaced by 1 in those
 * cases and the RISC-V results are selected with movcond:
 *     x / 0 = -1 (all ones, signed or not),  x % 0 = x,
 *     INT_MIN / -1 = INT_MIN,                INT_MIN % -1 = 0
 * (the last two fall out of dividing by 1, the first two need the select).
 */
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

typedef enum { DIV_Q, DIV_R } DivKind;

/* d = a op b with RISC-V corner cases; `sign` selects signed division.
 * Operands are 64-bit; word forms pass extended 32-bit values, for which
 * INT64_MIN / -1 cannot arise. */
static void gen_div_common(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b,
                           bool sign, DivKind kind)
{
    TcgTemp *zero = tcg_constant_i64(c, 0);
    TcgTemp *one = tcg_constant_i64(c, 1);
    TcgTemp *bad = tcg_temp_new_i64(c);
    TcgTemp *divisor = tcg_temp_new_i64(c);
    TcgTemp *res = tcg_temp_new_i64(c);

    /* bad = (b == 0) [|| (a == INT64_MIN && b == -1)] */
    tcg_gen_setcondi(c, TCG_COND_EQ, bad, b, 0);
    if (sign) {
        TcgTemp *t1 = tcg_temp_new_i64(c);
        TcgTemp *t2 = tcg_temp_new_i64(c);
        tcg_gen_setcondi(c, TCG_COND_EQ, t1, a, INT64_MIN);
        tcg_gen_setcondi(c, TCG_COND_EQ, t2, b, -1);
        tcg_gen_and(c, t1, t1, t2);
        tcg_gen_or(c, bad, bad, t1);
    }
    tcg_gen_movcond(c, TCG_COND_NE, divisor, bad, zero, one, b);
    if (kind == DIV_Q) {
        (sign ? tcg_gen_div : tcg_gen_divu)(c, res, a, divisor);
        tcg_gen_movcond(c, TCG_COND_EQ, d, b, zero, tcg_constant_i64(c, -1), res);
    } else {
        (sign ? tcg_gen_rem : tcg_gen_remu)(c, res, a, divisor);
        tcg_gen_movcond(c, TCG_COND_EQ, d, b, zero, a, res);
    }
}

static void gen_div(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_div_common(c, d, a, b, true, DIV_Q);
}
static void gen_divu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_div_common(c, d, a, b, false, DIV_Q);
}
static void gen_rem(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_div_common(c, d, a, b, true, DIV_R);
}
static void gen_remu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_div_common(c, d, a, b, false, DIV_R);
}

/* Unsigned word forms: divide the zero-extended low halves. */
static void gen_divuw_common(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b, DivKind kind)
{
    TcgTemp *ea = tcg_temp_new_i64(c);
    TcgTemp *eb = tcg_temp_new_i64(c);

    tcg_gen_ext32u(c, ea, a);
    tcg_gen_ext32u(c, eb, b);
    gen_div_common(c, d, ea, eb, false, kind);
}

static void gen_divw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *ea = tcg_temp_new_i64(c);
    TcgTemp *eb = tcg_temp_new_i64(c);

    tcg_gen_ext32s(c, ea, a);
    tcg_gen_ext32s(c, eb, b);
    /* No INT64_MIN / -1 with 32-bit inputs; INT32_MIN / -1 = 2^31, which
     * the final sign-extension turns into INT32_MIN as the ISA wants. */
    gen_div_common(c, d, ea, eb, true, DIV_Q);
}
static void gen_remw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *ea = tcg_temp_new_i64(c);
    TcgTemp *eb = tcg_temp_new_i64(c);

    tcg_gen_ext32s(c, ea, a);
    tcg_gen_ext32s(c, eb, b);
    gen_div_common(c, d, ea, eb, true, DIV_R);
}
static void gen_divuw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_divuw_common(c, d, a, b, DIV_Q);
}
static void gen_remuw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_divuw_common(c, d, a, b, DIV_R);
}

/* mulhsu: high(a * b) with a signed, b unsigned
 *       = muluh(a, b) - (a < 0 ? b : 0). */
static void gen_mulhsu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *hi = tcg_temp_new_i64(c);
    TcgTemp *fix = tcg_temp_new_i64(c);

    tcg_gen_muluh(c, hi, a, b);
    tcg_gen_sari(c, fix, a, 63);
    tcg_gen_and(c, fix, fix, b);
    tcg_gen_sub(c, d, hi, fix);
}

bool trans_mul(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_mul, false); }
bool trans_mulh(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_mulsh, false); }
bool trans_mulhsu(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_mulhsu, false); }
bool trans_mulhu(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_muluh, false); }
bool trans_div(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_div, false); }
bool trans_divu(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_divu, false); }
bool trans_rem(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_rem, false); }
bool trans_remu(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_remu, false); }
bool trans_mulw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_mul, true); }
bool trans_divw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_divw, true); }
bool trans_divuw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_divuw, true); }
bool trans_remw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_remw, true); }
bool trans_remuw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_remuw, true); }
