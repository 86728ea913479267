/*
 * Bit manipulation: Zba (address generation), Zbb (basic bit ops) and Zbs
 * (single-bit ops), RV64 forms.
 */
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

/* ---- Zba: rd = (rs1 [zero-extended from 32 bits]) << n + rs2 ---- */

static bool gen_shadd(DisasContext *ctx, const RvArgs *a, int shift, bool uw)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *t = tcg_temp_new_i64(c);

    if (uw) {
        tcg_gen_ext32u(c, t, get_gpr(ctx, a->rs1));
        tcg_gen_shli(c, t, t, shift);
    } else {
        tcg_gen_shli(c, t, get_gpr(ctx, a->rs1), shift);
    }
    tcg_gen_add(c, t, t, get_gpr(ctx, a->rs2));
    gen_set_gpr(ctx, a->rd, t);
    return true;
}

bool trans_sh1add(DisasContext *ctx, const RvArgs *a) { return gen_shadd(ctx, a, 1, false); }
bool trans_sh2add(DisasContext *ctx, const RvArgs *a) { return gen_shadd(ctx, a, 2, false); }
bool trans_sh3add(DisasContext *ctx, const RvArgs *a) { return gen_shadd(ctx, a, 3, false); }
bool trans_add_uw(DisasContext *ctx, const RvArgs *a) { return gen_shadd(ctx, a, 0, true); }
bool trans_sh1add_uw(DisasContext *ctx, const RvArgs *a) { return gen_shadd(ctx, a, 1, true); }
bool trans_sh2add_uw(DisasContext *ctx, const RvArgs *a) { return gen_shadd(ctx, a, 2, true); }
bool trans_sh3add_uw(DisasContext *ctx, const RvArgs *a) { return gen_shadd(ctx, a, 3, true); }

bool trans_slli_uw(DisasContext *ctx, const RvArgs *a)
{
    TcgTemp *t = tcg_temp_new_i64(ctx->tcg);

    tcg_gen_ext32u(ctx->tcg, t, get_gpr(ctx, a->rs1));
    tcg_gen_shli(ctx->tcg, t, t, a->shamt);
    gen_set_gpr(ctx, a->rd, t);
    return true;
}

/* ---- Zbb ---- */

static void gen_min(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_movcond(c, TCG_COND_LT, d, a, b, a, b);
}
static void gen_max(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_movcond(c, TCG_COND_GT, d, a, b, a, b);
}
static void gen_minu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_movcond(c, TCG_COND_LTU, d, a, b, a, b);
}
static void gen_maxu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_movcond(c, TCG_COND_GTU, d, a, b, a, b);
}

bool trans_andn(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_andc, false); }
bool trans_orn(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_orc, false); }
bool trans_xnor(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_eqv, false); }
bool trans_min(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_min, false); }
bool trans_max(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_max, false); }
bool trans_minu(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_minu, false); }
bool trans_maxu(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_maxu, false); }
bool trans_rol(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_rotl, false); }
bool trans_ror(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_rotr, false); }

bool trans_rori(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_rotr, a->shamt, false);
}

/* Word rotates: rotate the low 32 bits as an I32 value (the IR takes I32
 * rotate counts mod 32), then sign-extend. */
static void gen_rotw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b, bool left)
{
    TcgTemp *a32 = tcg_temp_new_i32(c);
    TcgTemp *b32 = tcg_temp_new_i32(c);

    tcg_gen_extrl_i64_i32(c, a32, a);
    tcg_gen_extrl_i64_i32(c, b32, b);
    (left ? tcg_gen_rotl : tcg_gen_rotr)(c, a32, a32, b32);
    tcg_gen_exts_i32_i64(c, d, a32);
}
static void gen_rolw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_rotw(c, d, a, b, true);
}
static void gen_rorw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_rotw(c, d, a, b, false);
}

bool trans_rolw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_rolw, false); }
bool trans_rorw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_rorw, false); }
bool trans_roriw(DisasContext *ctx, const RvArgs *a)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *t32 = tcg_temp_new_i32(c);
    TcgTemp *t = tcg_temp_new_i64(c);

    tcg_gen_extrl_i64_i32(c, t32, get_gpr(ctx, a->rs1));
    tcg_gen_rotri(c, t32, t32, a->shamt);
    tcg_gen_exts_i32_i64(c, t, t32);
    gen_set_gpr(ctx, a->rd, t);
    return true;
}

static void gen_clz(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    tcg_gen_clz(c, d, a, tcg_constant_i64(c, 64));
}
static void gen_ctz(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    tcg_gen_ctz(c, d, a, tcg_constant_i64(c, 64));
}
/* clz of the low word: move it to the top; an all-zero word gives 32. */
static void gen_clzw(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    tcg_gen_shli(c, d, a, 32);
    tcg_gen_clz(c, d, d, tcg_constant_i64(c, 32));
}
/* ctz of the low word: a set bit 32 caps the count at 32. */
static void gen_ctzw(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    tcg_gen_ori(c, d, a, INT64_C(1) << 32);
    tcg_gen_ctz(c, d, d, tcg_constant_i64(c, 64));
}
static void gen_cpopw(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    tcg_gen_ext32u(c, d, a);
    tcg_gen_ctpop(c, d, d);
}

/*
 * orc.b: bytes that are non-zero become 0xff.  Adding 0x7f to the low seven
 * bits of each byte sets its top bit iff those bits are non-zero (no carry
 * leaves the byte); or-ing in the byte itself covers bit 7.  The per-byte
 * 0x01 this leaves, times 0xff, is the answer.
 */
static void gen_orc_b(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    const int64_t low7 = 0x7f7f7f7f7f7f7f7fll;
    TcgTemp *t = tcg_temp_new_i64(c);

    tcg_gen_andi(c, t, a, low7);
    tcg_gen_addi(c, t, t, low7);
    tcg_gen_or(c, t, t, a);
    tcg_gen_andi(c, t, t, (int64_t)0x8080808080808080ull);
    tcg_gen_shri(c, t, t, 7);
    tcg_gen_muli(c, d, t, 0xff);
}

bool trans_clz(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, gen_clz, false); }
bool trans_ctz(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, gen_ctz, false); }
bool trans_cpop(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, tcg_gen_ctpop, false); }
bool trans_clzw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, gen_clzw, false); }
bool trans_ctzw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, gen_ctzw, false); }
bool trans_cpopw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, gen_cpopw, false); }
bool trans_sext_b(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, tcg_gen_ext8s, false); }
bool trans_sext_h(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, tcg_gen_ext16s, false); }
bool trans_zext_h(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, tcg_gen_ext16u, false); }
bool trans_orc_b(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, gen_orc_b, false); }
bool trans_rev8(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rr(ctx, a, tcg_gen_bswap, false); }

/* ---- Zbs: single-bit ops; the bit index is taken mod 64 ---- */

static void gen_bit(TcgContext *c, TcgTemp *d, TcgTemp *idx)
{
    tcg_gen_shl(c, d, tcg_constant_i64(c, 1), idx);
}
static void gen_bclr(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *m = tcg_temp_new_i64(c);
    gen_bit(c, m, b);
    tcg_gen_andc(c, d, a, m);
}
static void gen_bset(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *m = tcg_temp_new_i64(c);
    gen_bit(c, m, b);
    tcg_gen_or(c, d, a, m);
}
static void gen_binv(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *m = tcg_temp_new_i64(c);
    gen_bit(c, m, b);
    tcg_gen_xor(c, d, a, m);
}
static void gen_bext(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_shr(c, d, a, b);
    tcg_gen_andi(c, d, d, 1);
}

bool trans_bclr(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_bclr, false); }
bool trans_bset(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_bset, false); }
bool trans_binv(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_binv, false); }
bool trans_bext(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_bext, false); }

/* Immediate forms: the mask is known now. */
static bool gen_bit_imm(DisasContext *ctx, const RvArgs *a, RvGen3 fn)
{
    return rvi_gen_rri(ctx, a, fn, (int64_t)(UINT64_C(1) << a->shamt), false);
}

bool trans_bclri(DisasContext *ctx, const RvArgs *a) { return gen_bit_imm(ctx, a, tcg_gen_andc); }
bool trans_bseti(DisasContext *ctx, const RvArgs *a) { return gen_bit_imm(ctx, a, tcg_gen_or); }
bool trans_binvi(DisasContext *ctx, const RvArgs *a) { return gen_bit_imm(ctx, a, tcg_gen_xor); }

bool trans_bexti(DisasContext *ctx, const RvArgs *a)
{
    TcgTemp *t = tcg_temp_new_i64(ctx->tcg);

    tcg_gen_shri(ctx->tcg, t, get_gpr(ctx, a->rs1), a->shamt);
    tcg_gen_andi(ctx->tcg, t, t, 1);
    gen_set_gpr(ctx, a->rd, t);
    return true;
}
