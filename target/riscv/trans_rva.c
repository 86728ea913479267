/*
 * A: load-reserved / store-conditional and atomic memory operations.
 *
 * Guest threads run in parallel on host threads, so atomicity is real:
 *  - LR is an ordinary (single-copy atomic) load that records the
 *    reservation (load_res = address, load_val = the value read).
 *  - SC fails without touching memory unless load_res == address (as QEMU
 *    does; a misaligned SC still traps); otherwise it is a host
 *    compare-and-swap of load_val for rs2 (helper_sc), so it fails when
 *    anyone, another thread or process, changed the word since the LR.
 *    rd = 0 on success, 1 on failure; the reservation is always cleared.
 *  - AMOs are one host atomic read-modify-write each (helper_amo); rd is
 *    written after it, so a faulting AMO leaves rd intact.
 * All of them trap when misaligned, unlike plain loads and stores.  The
 * host atomics are full barriers, so aq/rl need nothing more; LR.aq is an
 * acquire barrier after its load (free on x86-64), LR.rl a full one before.
 */
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

static bool gen_lr(DisasContext *ctx, const RvArgs *a, MemOp mop)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *addr = get_gpr(ctx, a->rs1);
    TcgTemp *val = tcg_temp_new_i64(c);

    if (a->rl) {
        tcg_gen_mb(c, TCG_MO_ALL);
    }
    tcg_gen_qemu_ld(c, val, addr, mop | MO_ALIGN, ctx->mem_idx);
    tcg_gen_mov(c, ctx->g->load_res, addr);
    tcg_gen_mov(c, ctx->g->load_val, val);
    gen_set_gpr(ctx, a->rd, val);
    if (a->aq) {
        /* acquire: later loads and stores stay after this load */
        tcg_gen_mb(c, TCG_MO_LD_LD | TCG_MO_LD_ST);
    }
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
    bool is64 = (mop & MO_SIZE) == MO_64;

    /* A misaligned SC traps even though it could never succeed (LR cannot
     * reserve a misaligned address): a MO_ALIGN load there always faults. */
    tcg_gen_andi(c, t, addr, (1 << (mop & MO_SIZE)) - 1);
    tcg_gen_brcondi(c, TCG_COND_EQ, t, 0, aligned);
    tcg_gen_qemu_ld(c, tcg_temp_new_i64(c), addr, mop | MO_ALIGN, ctx->mem_idx);
    tcg_gen_set_label(c, aligned);

    /* No reservation here: fail without touching memory. */
    tcg_gen_brcond(c, TCG_COND_NE, ctx->g->load_res, addr, fail);
    tcg_gen_call4(c, &helper_info_sc, res, c->env, addr, get_gpr(ctx, a->rs2),
                  tcg_constant_i64(c, (int64_t)is64 | (ctx->mem_idx << RV_AMO_MMU_SHIFT)));
    tcg_gen_br(c, done);

    tcg_gen_set_label(c, fail);
    tcg_gen_movi(c, res, 1);

    tcg_gen_set_label(c, done);
    gen_set_gpr(ctx, a->rd, res);
    tcg_gen_movi(c, ctx->g->load_res, -1);
    return true;
}

/* rd = M[rs1]; M[rs1] = op(M[rs1], rs2), as one host atomic operation. */
static bool gen_amo(DisasContext *ctx, const RvArgs *a, int op, MemOp mop)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *old = tcg_temp_new_i64(c);
    int desc = op | ((mop & MO_SIZE) == MO_64 ? RV_AMO_64 : 0) |
               (ctx->mem_idx << RV_AMO_MMU_SHIFT);
    tcg_gen_call4(c, &helper_info_amo, old, c->env, get_gpr(ctx, a->rs1),
                  get_gpr(ctx, a->rs2), tcg_constant_i64(c, desc));
    gen_set_gpr(ctx, a->rd, old);
    return true;
}

bool trans_lr_w(DisasContext *ctx, const RvArgs *a) { return gen_lr(ctx, a, MO_SL); }
bool trans_sc_w(DisasContext *ctx, const RvArgs *a) { return gen_sc(ctx, a, MO_SL); }
bool trans_lr_d(DisasContext *ctx, const RvArgs *a) { return gen_lr(ctx, a, MO_UQ); }
bool trans_sc_d(DisasContext *ctx, const RvArgs *a) { return gen_sc(ctx, a, MO_UQ); }

#define AMO_PAIR(name, op)                                              \
    bool trans_##name##_w(DisasContext *ctx, const RvArgs *a)           \
    {                                                                   \
        return gen_amo(ctx, a, op, MO_SL);                              \
    }                                                                   \
    bool trans_##name##_d(DisasContext *ctx, const RvArgs *a)           \
    {                                                                   \
        return gen_amo(ctx, a, op, MO_UQ);                              \
    }

AMO_PAIR(amoswap, RV_AMO_SWAP)
AMO_PAIR(amoadd, RV_AMO_ADD)
AMO_PAIR(amoxor, RV_AMO_XOR)
AMO_PAIR(amoand, RV_AMO_AND)
AMO_PAIR(amoor, RV_AMO_OR)
AMO_PAIR(amomin, RV_AMO_MIN)
AMO_PAIR(amomax, RV_AMO_MAX)
AMO_PAIR(amominu, RV_AMO_MINU)
AMO_PAIR(amomaxu, RV_AMO_MAXU)
