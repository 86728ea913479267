/*
 * Zicsr and Zifencei.  Which CSRs exist and which are read-only is known
 * at translation time (csr.c: riscv_csr_lookup), so an illegal access is
 * rejected here and the run-time helpers cannot fail.
 *
 * Write rules (ISA): csrrw/csrrwi always write; csrrs/csrrc write only when
 * rs1 != x0, csrrsi/csrrci only when uimm != 0.  A write to a read-only CSR
 * is illegal; reading one with a non-writing csrrs/csrrc is fine.
 */
#include "target/riscv/fpu_helper.h"
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

typedef enum { CSR_OP_RW, CSR_OP_RS, CSR_OP_RC } CsrOp;

/* rd = csr; csr = f(csr, src) where src is a register or an immediate
 * (`src_is_zero` says whether the operand is x0 / uimm 0). */
static bool gen_csr(DisasContext *ctx, const RvArgs *a, CsrOp op, TcgTemp *src,
                    bool src_is_zero)
{
    TcgContext *c = ctx->tcg;
    bool read_only;
    bool write = op == CSR_OP_RW || !src_is_zero;

    if (!riscv_csr_lookup(a->csr, &read_only) || (write && read_only)) {
        return false;
    }
    TcgTemp *csr = tcg_constant_i64(c, a->csr);
    TcgTemp *old = tcg_temp_new_i64(c);
    if (!write) {
        tcg_gen_call2(c, &helper_info_csr_read, old, c->env, csr);
    } else {
        /* new = (old & ~mask) | (value & mask) */
        TcgTemp *all = tcg_constant_i64(c, -1);
        TcgTemp *value = op == CSR_OP_RW ? src : op == CSR_OP_RS ? all : tcg_constant_i64(c, 0);
        TcgTemp *mask = op == CSR_OP_RW ? all : src;
        tcg_gen_call4(c, &helper_info_csr_modify, old, c->env, csr, value, mask);
    }
    gen_set_gpr(ctx, a->rd, old);
    if (write && (a->csr == RV_CSR_FFLAGS || a->csr == RV_CSR_FRM || a->csr == RV_CSR_FCSR)) {
        /* frm and fflags.NX are part of the TB key (trans_rvf.c): leave
         * the TB if the write changed them. */
        fpu_gen_key_check(ctx, a->csr != RV_CSR_FFLAGS, a->csr != RV_CSR_FRM);
    }
    return true;
}

static bool gen_csr_reg(DisasContext *ctx, const RvArgs *a, CsrOp op)
{
    return gen_csr(ctx, a, op, get_gpr(ctx, a->rs1), a->rs1 == 0);
}

static bool gen_csr_imm(DisasContext *ctx, const RvArgs *a, CsrOp op)
{
    return gen_csr(ctx, a, op, tcg_constant_i64(ctx->tcg, a->imm), a->imm == 0);
}

bool trans_csrrw(DisasContext *ctx, const RvArgs *a) { return gen_csr_reg(ctx, a, CSR_OP_RW); }
bool trans_csrrs(DisasContext *ctx, const RvArgs *a) { return gen_csr_reg(ctx, a, CSR_OP_RS); }
bool trans_csrrc(DisasContext *ctx, const RvArgs *a) { return gen_csr_reg(ctx, a, CSR_OP_RC); }
bool trans_csrrwi(DisasContext *ctx, const RvArgs *a) { return gen_csr_imm(ctx, a, CSR_OP_RW); }
bool trans_csrrsi(DisasContext *ctx, const RvArgs *a) { return gen_csr_imm(ctx, a, CSR_OP_RS); }
bool trans_csrrci(DisasContext *ctx, const RvArgs *a) { return gen_csr_imm(ctx, a, CSR_OP_RC); }

/*
 * fence.i: code written by this hart must be visible to its later fetches.
 * Stores to pages holding TBs already invalidate them (the accel layer
 * write-protects such pages), but stores through another mapping of the
 * same memory are not seen that way, so the helper flushes every TB and
 * restarts the cpu loop at the next insn (see op_helper.c).
 */
bool trans_fence_i(DisasContext *ctx, const RvArgs *a)
{
    gen_update_pc(ctx, ctx->pc_succ_insn);
    tcg_gen_call1(ctx->tcg, &helper_info_fence_i, NULL, ctx->tcg->env);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}
