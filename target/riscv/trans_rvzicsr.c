/*
 * Zicsr and Zifencei.  Which CSRs exist and which are read-only is known
 * at translation time (csr.c: riscv_csr_lookup), so an illegal access is
 * rejected here and the run-time helpers cannot fail.
 *
 * Write rules (ISA): csrrw/csrrwi always write; csrrs/csrrc write only when
 * rs1 != x0, csrrsi/csrrci only when uimm != 0.  A write to a read-only CSR
 * is illegal; reading one with a non-writing csrrs/csrrc is fine.
 */
#include <stddef.h>

#include "target/riscv/fpu_helper.h"
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

typedef enum { CSR_OP_RW, CSR_OP_RS, CSR_OP_RC } CsrOp;

/*
 * fflags, frm and fcsr live in RiscvCpu.fflags / .frm (not IR globals), so
 * they are read and written with ld/st of the cpu state.  old gets the
 * value before the write, as csrr* return it.
 */
static void gen_fp_csr_inline(DisasContext *ctx, int csr, CsrOp op, TcgTemp *src, bool write,
                              TcgTemp *old)
{
    TcgContext *c = ctx->tcg;
    TcgTemp *fflags = tcg_temp_new_i64(c);
    TcgTemp *frm = tcg_temp_new_i64(c);
    int64_t width_mask = csr == RV_CSR_FFLAGS ? 0x1f : csr == RV_CSR_FRM ? 0x7 : 0xff;

    if (csr != RV_CSR_FRM) {
        tcg_gen_ld(c, fflags, c->env, offsetof(RiscvCpu, fflags), MO_UL);
    }
    if (csr != RV_CSR_FFLAGS) {
        tcg_gen_ld(c, frm, c->env, offsetof(RiscvCpu, frm), MO_UL);
    }
    if (csr == RV_CSR_FFLAGS) {
        tcg_gen_mov(c, old, fflags);
    } else if (csr == RV_CSR_FRM) {
        tcg_gen_mov(c, old, frm);
    } else {
        tcg_gen_shli(c, old, frm, 5);
        tcg_gen_or(c, old, old, fflags);
    }
    if (!write) {
        return;
    }
    TcgTemp *nv = tcg_temp_new_i64(c);
    switch (op) {
    case CSR_OP_RW:
        tcg_gen_mov(c, nv, src);
        break;
    case CSR_OP_RS:
        tcg_gen_or(c, nv, old, src);
        break;
    case CSR_OP_RC:
        tcg_gen_andc(c, nv, old, src);
        break;
    }
    tcg_gen_andi(c, nv, nv, width_mask);
    TcgTemp *v32 = tcg_temp_new_i32(c);
    if (csr == RV_CSR_FFLAGS) {
        tcg_gen_extrl_i64_i32(c, v32, nv);
        tcg_gen_st(c, v32, c->env, offsetof(RiscvCpu, fflags), MO_UL);
    } else if (csr == RV_CSR_FRM) {
        tcg_gen_extrl_i64_i32(c, v32, nv);
        tcg_gen_st(c, v32, c->env, offsetof(RiscvCpu, frm), MO_UL);
    } else {
        TcgTemp *part = tcg_temp_new_i64(c);
        tcg_gen_andi(c, part, nv, 0x1f);
        tcg_gen_extrl_i64_i32(c, v32, part);
        tcg_gen_st(c, v32, c->env, offsetof(RiscvCpu, fflags), MO_UL);
        TcgTemp *part2 = tcg_temp_new_i64(c);
        TcgTemp *v32b = tcg_temp_new_i32(c);
        tcg_gen_shri(c, part2, nv, 5);
        tcg_gen_extrl_i64_i32(c, v32b, part2);
        tcg_gen_st(c, v32b, c->env, offsetof(RiscvCpu, frm), MO_UL);
    }
}

/* CSRs whose writes change nothing the TB was translated for (no TB key
 * bit, no interrupt enable, no mapping): the TB goes on after them. */
static bool csr_write_keeps_tb(int csr)
{
    switch (csr) {
    case RV_CSR_MSCRATCH:
    case RV_CSR_SSCRATCH:
    case RV_CSR_MEPC:
    case RV_CSR_SEPC:
    case RV_CSR_MCAUSE:
    case RV_CSR_SCAUSE:
    case RV_CSR_MTVAL:
    case RV_CSR_STVAL:
    case RV_CSR_MTVEC:
    case RV_CSR_STVEC:
        return true;
    default:
        return false;
    }
}

/*
 * System mode: every CSR but the FP ones goes through helper_csr_sys
 * (priv.c decides what exists and who may touch it, and raises illegal
 * instruction).  The access-level and read-only rules (csr[9:8], csr[11:10])
 * are known now and checked here.  A write ends the TB unless the CSR
 * cannot matter to translation or interrupts.
 */
static bool gen_csr_sys(DisasContext *ctx, const RvArgs *a, CsrOp op, TcgTemp *src,
                        bool write)
{
    TcgContext *c = ctx->tcg;
    if ((((unsigned)a->csr >> 8) & 3) > (unsigned)ctx->priv ||
        (write && (((unsigned)a->csr >> 10) & 3) == 3)) {
        return false;
    }
    TcgTemp *old = tcg_temp_new_i64(c);
    TcgTemp *all = tcg_constant_i64(c, -1);
    TcgTemp *value = op == CSR_OP_RW ? src : op == CSR_OP_RS ? all : tcg_constant_i64(c, 0);
    TcgTemp *mask = write ? (op == CSR_OP_RW ? all : src) : tcg_constant_i64(c, 0);
    uint64_t desc = (uint64_t)a->csr | (write ? RV_CSR_DESC_WRITE : 0) |
                    ((uint64_t)ctx->opcode << 32);
    gen_update_pc(ctx, ctx->pc);
    tcg_gen_call4(c, &riscv_sys_helpers->csr_sys, old, c->env, tcg_constant_i64(c, (int64_t)desc),
                  value, mask);
    gen_set_gpr(ctx, a->rd, old);
    if (write && !csr_write_keeps_tb(a->csr)) {
        gen_update_pc(ctx, ctx->pc_succ_insn);
        ctx->base.is_jmp = (DisasJumpType)DISAS_RV_EXIT;
    }
    return true;
}

/* rd = csr; csr = f(csr, src) where src is a register or an immediate
 * (`src_is_zero` says whether the operand is x0 / uimm 0). */
static bool gen_csr(DisasContext *ctx, const RvArgs *a, CsrOp op, TcgTemp *src,
                    bool src_is_zero)
{
    TcgContext *c = ctx->tcg;
    bool read_only;
    bool write = op == CSR_OP_RW || !src_is_zero;
    bool fp_csr = a->csr == RV_CSR_FFLAGS || a->csr == RV_CSR_FRM || a->csr == RV_CSR_FCSR;

    if (ctx->system && !fp_csr) {
        return gen_csr_sys(ctx, a, op, src, write);
    }
    if (ctx->system && ctx->fs == 0) {
        return false; /* FP CSRs are illegal while mstatus.FS is Off */
    }
    if (!riscv_csr_lookup(a->csr, &read_only) || (write && read_only)) {
        return false;
    }
    if (write) {
        gen_mark_fs_dirty(ctx);
    }
    TcgTemp *old = tcg_temp_new_i64(c);
    if (a->csr == RV_CSR_FFLAGS || a->csr == RV_CSR_FRM || a->csr == RV_CSR_FCSR) {
        /* GCC brackets every inline sqrt/compare with frflags/fsflags:
         * done inline, not through the generic helper (3-5% of FP code). */
        gen_fp_csr_inline(ctx, a->csr, op, src, write, old);
    } else if (!write) {
        tcg_gen_call2(c, &helper_info_csr_read, old, c->env, tcg_constant_i64(c, a->csr));
    } else {
        TcgTemp *csr = tcg_constant_i64(c, a->csr);
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
    if (ctx->system) {
        /* Stores to code pages already dropped their TBs (the soft MMU
         * tracks physical code pages): only leave this TB. */
        gen_goto_tb(ctx, ctx->pc_succ_insn);
        ctx->base.is_jmp = DISAS_NORETURN;
        return true;
    }
    gen_update_pc(ctx, ctx->pc_succ_insn);
    tcg_gen_call1(ctx->tcg, &helper_info_fence_i, NULL, ctx->tcg->env);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}
