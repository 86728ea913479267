/*
 * RV64I: the base integer instructions (and the compressed forms the
 * decoder maps onto them).  Link values use ctx->pc_succ_insn, so 2-byte
 * and 4-byte encodings share every handler.
 */
#include "target/riscv/riscv-decode.h"
#include "target/riscv/internal.h"

/* ---- upper immediates and jumps ---- */

bool trans_lui(DisasContext *ctx, const RvArgs *a)
{
    gen_set_gpr(ctx, a->rd, tcg_constant_i64(ctx->tcg, a->imm));
    return true;
}

bool trans_auipc(DisasContext *ctx, const RvArgs *a)
{
    gen_set_gpr(ctx, a->rd, tcg_constant_i64(ctx->tcg, (int64_t)(ctx->pc + a->imm)));
    return true;
}

bool trans_jal(DisasContext *ctx, const RvArgs *a)
{
    gen_set_gpr(ctx, a->rd, tcg_constant_i64(ctx->tcg, (int64_t)ctx->pc_succ_insn));
    /* A plain jump (not a call) stays in the superblock when it can. */
    if (a->rd == 0 && gen_follow_jump(ctx, ctx->pc + a->imm)) {
        return true;
    }
    gen_goto_tb(ctx, ctx->pc + a->imm);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

/* With C present every target is 2-aligned, so jalr cannot misalign. */
bool trans_jalr(DisasContext *ctx, const RvArgs *a)
{
    TcgContext *c = ctx->tcg;

    /* Target first: rd may be rs1. */
    TcgTemp *t = rvi_gen_addr(ctx, a->rs1, a->imm);
    tcg_gen_andi(c, ctx->g->pc, t, ~(int64_t)1);
    gen_set_gpr(ctx, a->rd, tcg_constant_i64(c, (int64_t)ctx->pc_succ_insn));
    /* Calls, returns and computed jumps alike probe the jump cache inline.
     * (For computed jumps the helper measured faster while every TB was one
     * basic block; since superblocks copy an interpreter's dispatch jump
     * into each handler, the inline probe is 1.5x faster on bench_branch.) */
    gen_lookup_and_goto_ptr(ctx);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

/* ---- conditional branches ---- */

/*
 * A superblock goes on along the likely side of a branch (a backward one,
 * closing a loop, taken; a forward one not) and leaves by a side exit on
 * the other.  A branch back to the TB's own start ends the TB instead, so
 * tcg/loop.c can make it a self-loop.
 */
static bool gen_branch(DisasContext *ctx, const RvArgs *a, TcgCond cond)
{
    TcgContext *c = ctx->tcg;
    uint64_t taken_pc = ctx->pc + a->imm, next_pc = ctx->pc_succ_insn;
    bool backward = taken_pc <= ctx->pc;
    uint64_t likely = backward ? taken_pc : next_pc, other = backward ? next_pc : taken_pc;

    if (other != ctx->base.pc_first && translator_can_follow(&ctx->base, likely, true)) {
        int side = tcg_new_label(c);
        tcg_gen_brcond(c, backward ? tcg_cond_invert(cond) : cond, get_gpr(ctx, a->rs1),
                       get_gpr(ctx, a->rs2), side);
        translator_add_side_exit(&ctx->base, side, other);
        translator_follow(&ctx->base, likely);
        return true;
    }

    int taken = tcg_new_label(c);
    tcg_gen_brcond(c, cond, get_gpr(ctx, a->rs1), get_gpr(ctx, a->rs2), taken);
    gen_goto_tb(ctx, next_pc);
    tcg_gen_set_label(c, taken);
    gen_goto_tb(ctx, taken_pc);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

bool trans_beq(DisasContext *ctx, const RvArgs *a) { return gen_branch(ctx, a, TCG_COND_EQ); }
bool trans_bne(DisasContext *ctx, const RvArgs *a) { return gen_branch(ctx, a, TCG_COND_NE); }
bool trans_blt(DisasContext *ctx, const RvArgs *a) { return gen_branch(ctx, a, TCG_COND_LT); }
bool trans_bge(DisasContext *ctx, const RvArgs *a) { return gen_branch(ctx, a, TCG_COND_GE); }
bool trans_bltu(DisasContext *ctx, const RvArgs *a) { return gen_branch(ctx, a, TCG_COND_LTU); }
bool trans_bgeu(DisasContext *ctx, const RvArgs *a) { return gen_branch(ctx, a, TCG_COND_GEU); }

/* ---- loads and stores (misaligned accesses are allowed in user mode) ---- */

static bool gen_load(DisasContext *ctx, const RvArgs *a, MemOp mop)
{
    TcgTemp *addr = rvi_gen_addr(ctx, a->rs1, a->imm);
    TcgTemp *val = tcg_temp_new_i64(ctx->tcg);

    /* rd == x0 still performs the access: it may fault. */
    tcg_gen_qemu_ld(ctx->tcg, val, addr, mop, ctx->mem_idx);
    gen_set_gpr(ctx, a->rd, val);
    return true;
}

static bool gen_store(DisasContext *ctx, const RvArgs *a, MemOp mop)
{
    TcgTemp *addr = rvi_gen_addr(ctx, a->rs1, a->imm);

    tcg_gen_qemu_st(ctx->tcg, get_gpr(ctx, a->rs2), addr, mop, ctx->mem_idx);
    return true;
}

bool trans_lb(DisasContext *ctx, const RvArgs *a) { return gen_load(ctx, a, MO_SB); }
bool trans_lh(DisasContext *ctx, const RvArgs *a) { return gen_load(ctx, a, MO_SW); }
bool trans_lw(DisasContext *ctx, const RvArgs *a) { return gen_load(ctx, a, MO_SL); }
bool trans_ld(DisasContext *ctx, const RvArgs *a) { return gen_load(ctx, a, MO_UQ); }
bool trans_lbu(DisasContext *ctx, const RvArgs *a) { return gen_load(ctx, a, MO_UB); }
bool trans_lhu(DisasContext *ctx, const RvArgs *a) { return gen_load(ctx, a, MO_UW); }
bool trans_lwu(DisasContext *ctx, const RvArgs *a) { return gen_load(ctx, a, MO_UL); }
bool trans_sb(DisasContext *ctx, const RvArgs *a) { return gen_store(ctx, a, MO_8); }
bool trans_sh(DisasContext *ctx, const RvArgs *a) { return gen_store(ctx, a, MO_16); }
bool trans_sw(DisasContext *ctx, const RvArgs *a) { return gen_store(ctx, a, MO_32); }
bool trans_sd(DisasContext *ctx, const RvArgs *a) { return gen_store(ctx, a, MO_64); }

/* ---- register-immediate ---- */

static void gen_slt(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_setcond(c, TCG_COND_LT, d, a, b);
}

static void gen_sltu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    tcg_gen_setcond(c, TCG_COND_LTU, d, a, b);
}

bool trans_addi(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_add, a->imm, false);
}
bool trans_slti(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, gen_slt, a->imm, false);
}
bool trans_sltiu(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, gen_sltu, a->imm, false);
}
bool trans_xori(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_xor, a->imm, false);
}
bool trans_ori(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_or, a->imm, false);
}
bool trans_andi(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_and, a->imm, false);
}
bool trans_slli(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_shl, a->shamt, false);
}
bool trans_srli(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_shr, a->shamt, false);
}
bool trans_srai(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_sar, a->shamt, false);
}

/* ---- register-register (64-bit shifts: the IR takes counts mod 64) ---- */

bool trans_add(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_add, false); }
bool trans_sub(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_sub, false); }
bool trans_sll(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_shl, false); }
bool trans_slt(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_slt, false); }
bool trans_sltu(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_sltu, false); }
bool trans_xor(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_xor, false); }
bool trans_srl(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_shr, false); }
bool trans_sra(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_sar, false); }
bool trans_or(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_or, false); }
bool trans_and(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_and, false); }

/* ---- RV64 word ops: operate on the low 32 bits, sign-extend the result ---- */

/* Word shifts count mod 32, which the 64-bit IR shift does not do. */
static void gen_sllw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *n = tcg_temp_new_i64(c);
    tcg_gen_andi(c, n, b, 31);
    tcg_gen_shl(c, d, a, n);
}

static void gen_srlw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *n = tcg_temp_new_i64(c);
    tcg_gen_andi(c, n, b, 31);
    tcg_gen_ext32u(c, d, a);
    tcg_gen_shr(c, d, d, n);
}

static void gen_sraw(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgTemp *n = tcg_temp_new_i64(c);
    tcg_gen_andi(c, n, b, 31);
    tcg_gen_ext32s(c, d, a);
    tcg_gen_sar(c, d, d, n);
}

bool trans_addiw(DisasContext *ctx, const RvArgs *a)
{
    return rvi_gen_rri(ctx, a, tcg_gen_add, a->imm, true);
}

/* Immediate word shifts: shamt < 32 is guaranteed by the encoding. */
static bool gen_shiftw_imm(DisasContext *ctx, const RvArgs *a, RvGen2 ext,
                           void (*shift)(TcgContext *, TcgTemp *, TcgTemp *, int64_t))
{
    TcgTemp *t = tcg_temp_new_i64(ctx->tcg);

    if (ext) {
        ext(ctx->tcg, t, get_gpr(ctx, a->rs1));
        shift(ctx->tcg, t, t, a->shamt);
    } else {
        shift(ctx->tcg, t, get_gpr(ctx, a->rs1), a->shamt);
    }
    tcg_gen_ext32s(ctx->tcg, t, t);
    gen_set_gpr(ctx, a->rd, t);
    return true;
}

bool trans_slliw(DisasContext *ctx, const RvArgs *a)
{
    return gen_shiftw_imm(ctx, a, NULL, tcg_gen_shli);
}
bool trans_srliw(DisasContext *ctx, const RvArgs *a)
{
    return gen_shiftw_imm(ctx, a, tcg_gen_ext32u, tcg_gen_shri);
}
bool trans_sraiw(DisasContext *ctx, const RvArgs *a)
{
    return gen_shiftw_imm(ctx, a, tcg_gen_ext32s, tcg_gen_sari);
}
bool trans_addw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_add, true); }
bool trans_subw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, tcg_gen_sub, true); }
bool trans_sllw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_sllw, true); }
bool trans_srlw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_srlw, true); }
bool trans_sraw(DisasContext *ctx, const RvArgs *a) { return rvi_gen_rrr(ctx, a, gen_sraw, true); }

/* ---- system ---- */

/* pause (Zihintpause): fence w, 0 with rs1 = rd = 0.  Linux's cpu_relax()
 * issues it in every spin-wait, whether or not the ISA string has it. */
#define RV_INSN_PAUSE 0x0100000fu

/* Single guest thread: a full barrier is stronger than any pred/succ set
 * and costs nothing when the back end knows there is no other observer. */
bool trans_fence(DisasContext *ctx, const RvArgs *a)
{
    TcgContext *c = ctx->tcg;

    tcg_gen_mb(c, TCG_MO_ALL);
    if (ctx->opcode == RV_INSN_PAUSE && ctx->base.cpu->pause_yields) {
        /* Give way to another vCPU (CpuState.pause_yields): leave for
         * the cpu loop, which sees the request, and the runner. */
        tcg_gen_st(c, tcg_constant_i32(c, 1), c->env, offsetof(RiscvCpu, parent.pause_pending),
                   MO_UB);
        tcg_gen_st(c, tcg_constant_i32(c, 1), c->env, offsetof(TcgEnvHeader, exit_request),
                   MO_UL);
        gen_update_pc(ctx, ctx->pc_succ_insn);
        ctx->base.is_jmp = (DisasJumpType)DISAS_RV_EXIT;
    }
    return true;
}

bool trans_ecall(DisasContext *ctx, const RvArgs *a)
{
    gen_exception(ctx, EXCP_SYSCALL);
    return true;
}

bool trans_ebreak(DisasContext *ctx, const RvArgs *a)
{
    gen_exception(ctx, EXCP_BREAKPOINT);
    return true;
}

/* A pattern for a reserved encoding: raise illegal instruction. */
bool trans_illegal(DisasContext *ctx, const RvArgs *a)
{
    return false;
}
