/*
 * Privileged instructions (system mode): sret, mret, wfi, sfence.vma.
 * In user mode they are illegal.  Each may trap (illegal in this mode), so
 * the pc of the insn is stored first; the helpers do the work and the TB
 * ends, back to the cpu loop, whose next lookup sees the new privilege
 * level, mapping or pending interrupt.
 */
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

static bool gen_priv_helper(DisasContext *ctx, const TcgHelperInfo *h, uint64_t desc,
                            TcgTemp *arg2, TcgTemp *arg3)
{
    TcgContext *c = ctx->tcg;
    if (!ctx->system) {
        return false;
    }
    gen_update_pc(ctx, ctx->pc);
    TcgTemp *d = tcg_constant_i64(c, (int64_t)desc);
    if (h->nb_args == 2) {
        tcg_gen_call2(c, h, NULL, c->env, d);
    } else {
        tcg_gen_call4(c, h, NULL, c->env, d, arg2, arg3);
    }
    /* The helper left pc at where to go on. */
    ctx->base.is_jmp = (DisasJumpType)DISAS_RV_EXIT;
    return true;
}

bool trans_sret(DisasContext *ctx, const RvArgs *a)
{
    return gen_priv_helper(ctx, &riscv_sys_helpers->xret, ctx->opcode, NULL, NULL);
}

bool trans_mret(DisasContext *ctx, const RvArgs *a)
{
    return gen_priv_helper(ctx, &riscv_sys_helpers->xret, ctx->opcode | RV_XRET_MRET, NULL, NULL);
}

bool trans_wfi(DisasContext *ctx, const RvArgs *a)
{
    return gen_priv_helper(ctx, &riscv_sys_helpers->wfi, ctx->opcode, NULL, NULL);
}

bool trans_sfence_vma(DisasContext *ctx, const RvArgs *a)
{
    TcgContext *c = ctx->tcg;
    if (!ctx->system) {
        return false;
    }
    /* rs1 = x0: every address; rs2 != x0: one ASID's mappings, not the
     * global ones (the ASID's value does not matter: the TLB holds only
     * the current one's). */
    int64_t all = (a->rs1 == 0 ? RV_SFENCE_ALL_ADDRS : 0) | (a->rs2 != 0 ? RV_SFENCE_ONE_ASID : 0);
    return gen_priv_helper(ctx, &riscv_sys_helpers->sfence_vma, ctx->opcode, get_gpr(ctx, a->rs1),
                           tcg_constant_i64(c, all));
}
