/*
 * A: load-reserved / store-conditional and atomic memory operations.
 *
 * User mode runs one guest thread per cpu and nothing else writes guest
 * memory while a TB runs, so atomicity comes for free; what remains is the
 * ISA-visible behaviour:
 *  - LR loads and records the reservation (load_res = address, load_val =
 *    the value read).
 *  - SC succeeds iff load_res == address and memory still holds load_val
 *    (a value check instead of a cache-line monitor: the ABA case succeeds,
 *    which the ISA permits).  rd = 0 on success, 1 on failure, and the
 *    reservation is always cleared.  Without a reservation at the address
 *    SC fails without accessing memory (as QEMU does), except that a
 *    misaligned SC traps.
 *  - AMOs are load, op, store; rd is written only after the store, so a
 *    faulting store leaves rd intact even when rd is rs1 or rs2.
 * All of them use MO_ALIGN: a misaligned LR/SC/AMO traps, unlike plain
 * loads and stores.  aq/rl become full barriers around the access.
 */
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

static void gen_aq_rl_before(DisasContext *ctx, const RvArgs *a)
{
    if (a->rl) {
        tcg_gen_mb(ctx->tcg, TCG_MO_ALL);
    }
}

static void gen_aq_rl_after(DisasContext *ctx, const RvArgs *a)
{
    if (a->aq) {
        tcg_gen_mb(ctx->tcg, TCG_MO_ALL);
    }
}

static bool gen_lr(DisasContext *ctx, const RvArgs *a, MemOp mop)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *addr = get_gpr(ctx, a->rs1);
    TcgTemp *val = tcg_temp_new_i64(c);

    gen_aq_rl_before(ctx, a);
    tcg_gen_qemu_ld(c, val, addr, mop | MO_ALIGN, ctx->mem_idx);
    tcg_gen_mov(c, ctx->g->load_res, addr);
    tcg_gen_mov(c, ctx->g->load_val, val);
    gen_set_gpr(ctx, a->rd, val);
    gen_aq_rl_after(ctx, a);
    return true;
}

static bool gen_sc(DisasContext *ctx, const RvArgs *a, MemOp mop)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *addr = get_gpr(ctx, a->rs1);
    TcgTemp *t = tcg_temp_new_i64(c);
    TcgTemp *res = tcg_temp_new_local(c, TCG_I64);
    int aligned = tcg_new_label(c);
    int fail = tcg_new_label(c);
    int done = tcg_new_label(c);

    gen_aq_rl_before(ctx, a);
    /* A misaligned SC traps even though it could never succeed (LR cannot
     * reserve a misaligned address): a MO_ALIGN load there always faults. */
    tcg_gen_andi(c, t, addr, (1 << (mop & MO_SIZE)) - 1);
    tcg_gen_brcondi(c, TCG_COND_EQ, t, 0, aligned);
    tcg_gen_qemu_ld(c, tcg_temp_new_i64(c), addr, mop | MO_ALIGN, ctx->mem_idx);
    tcg_gen_set_label(c, aligned);

    /* No reservation here: fail without touching memory. */
    tcg_gen_brcond(c, TCG_COND_NE, ctx->g->load_res, addr, fail);
    TcgTemp *cur = tcg_temp_new_i64(c);
    tcg_gen_qemu_ld(c, cur, addr, mop | MO_ALIGN, ctx->mem_idx);
    tcg_gen_brcond(c, TCG_COND_NE, cur, ctx->g->load_val, fail);
    tcg_gen_qemu_st(c, get_gpr(ctx, a->rs2), addr, (mop & ~MO_SIGN) | MO_ALIGN, ctx->mem_idx);
    tcg_gen_movi(c, res, 0);
    tcg_gen_br(c, done);

    tcg_gen_set_label(c, fail);
    tcg_gen_movi(c, res, 1);

    tcg_gen_set_label(c, done);
    gen_set_gpr(ctx, a->rd, res);
    tcg_gen_movi(c, ctx->g->load_res, -1);
    gen_aq_rl_after(ctx, a);
    return true;
}

/*
 * rd = M[rs1]; M[rs1] = op(M[rs1], rs2).  Word forms load sign-extended and
 * sign-extend rs2, so signed and unsigned 64-bit compares order the
 * 32-bit values correctly and the store keeps the low half.
 */
static bool gen_amo(DisasContext *ctx, const RvArgs *a, RvGen3 op, MemOp mop)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *addr = get_gpr(ctx, a->rs1);
    TcgTemp *src = get_gpr(ctx, a->rs2);
    TcgTemp *old = tcg_temp_new_i64(c);
    TcgTemp *val = tcg_temp_new_i64(c);

    if ((mop & MO_SIZE) == MO_32) {
        TcgTemp *s = tcg_temp_new_i64(c);
        tcg_gen_ext32s(c, s, src);
        src = s;
    }
    gen_aq_rl_before(ctx, a);
    tcg_gen_qemu_ld(c, old, addr, mop | MO_ALIGN, ctx->mem_idx);
    op(c, val, old, src);
    tcg_gen_qemu_st(c, val, addr, (mop & ~MO_SIGN) | MO_ALIGN, ctx->mem_idx);
    gen_set_gpr(ctx, a->rd, old);
    gen_aq_rl_after(ctx, a);
    return true;
}

static void gen_swap(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_mov(c, d, b);
}
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

bool trans_lr_w(DisasContext *ctx, const RvArgs *a) { return gen_lr(ctx, a, MO_SL); }
bool trans_sc_w(DisasContext *ctx, const RvArgs *a) { return gen_sc(ctx, a, MO_SL); }
bool trans_lr_d(DisasContext *ctx, const RvArgs *a) { return gen_lr(ctx, a, MO_UQ); }
bool trans_sc_d(DisasContext *ctx, const RvArgs *a) { return gen_sc(ctx, a, MO_UQ); }

#define AMO_PAIR(name, fn)                                              \
    bool trans_##name##_w(DisasContext *ctx, const RvArgs *a)           \
    {                                                                   \
        return gen_amo(ctx, a, fn, MO_SL);                              \
    }                                                                   \
    bool trans_##name##_d(DisasContext *ctx, const RvArgs *a)           \
    {                                                                   \
        return gen_amo(ctx, a, fn, MO_UQ);                              \
    }

AMO_PAIR(amoswap, gen_swap)
AMO_PAIR(amoadd, tcg_gen_add)
AMO_PAIR(amoxor, tcg_gen_xor)
AMO_PAIR(amoand, tcg_gen_and)
AMO_PAIR(amoor, tcg_gen_or)
AMO_PAIR(amomin, gen_min)
AMO_PAIR(amomax, gen_max)
AMO_PAIR(amominu, gen_minu)
AMO_PAIR(amomaxu, gen_maxu)
