/*
 * RISC-V front end core: the IR globals, operand access, block exits,
 * exceptions and the TranslatorOps that drive the generated decoder
 * (riscv-decode.c, from the .decode files) one instruction at a time.
 *
 * Instruction handlers live one file per extension (trans_rv*.c); they
 * reach the cpu state only through the helpers here.
 */
#include <stddef.h>

#include <glib.h>

#include "target/riscv/disas.h"
#include "target/riscv/fpu_helper.h"
#include "target/riscv/internal.h"
#include "target/riscv/translate.h"

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const fpr_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
    "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

const RiscvSysHelpers *riscv_sys_helpers;

/* TargetArch.tcg_init: globals are made once per TcgContext, before any TB.
 * The RiscvGlobals block lives as long as the context. */
static void riscv_tcg_init(TcgContext *tcg)
{
    RiscvGlobals *g = g_new0(RiscvGlobals, 1);

    for (int i = 1; i < 32; i++) {
        g->gpr[i] = tcg_global_mem_new(tcg, TCG_I64,
                                       offsetof(RiscvCpu, gpr) + i * sizeof(uint64_t),
                                       gpr_names[i]);
    }
    for (int i = 0; i < 32; i++) {
        g->fpr[i] = tcg_global_mem_new(tcg, TCG_I64,
                                       offsetof(RiscvCpu, fpr) + i * sizeof(uint64_t),
                                       fpr_names[i]);
    }
    g->pc = tcg_global_mem_new(tcg, TCG_I64, offsetof(RiscvCpu, pc), "pc");
    g->load_res = tcg_global_mem_new(tcg, TCG_I64, offsetof(RiscvCpu, load_res), "load_res");
    g->load_val = tcg_global_mem_new(tcg, TCG_I64, offsetof(RiscvCpu, load_val), "load_val");
    tcg->frontend_data = g;
}

/* ---- operand access ---- */

TcgTemp *get_gpr(DisasContext *ctx, int reg)
{
    if (reg == 0) {
        return tcg_constant_i64(ctx->tcg, 0);
    }
    return ctx->g->gpr[reg];
}

void gen_set_gpr(DisasContext *ctx, int reg, TcgTemp *val)
{
    if (reg != 0) {
        tcg_gen_mov(ctx->tcg, ctx->g->gpr[reg], val);
    }
}

TcgTemp *get_fpr(DisasContext *ctx, int reg)
{
    return ctx->g->fpr[reg];
}

void gen_set_fpr(DisasContext *ctx, int reg, TcgTemp *val)
{
    tcg_gen_mov(ctx->tcg, ctx->g->fpr[reg], val);
}

TcgTemp *rvi_gen_addr(DisasContext *ctx, int rs1, int64_t imm)
{
    TcgTemp *addr = tcg_temp_new_i64(ctx->tcg);
    tcg_gen_addi(ctx->tcg, addr, get_gpr(ctx, rs1), imm);
    return addr;
}

/* ---- shared IR shapes ---- */

static void finish_rd(DisasContext *ctx, int rd, TcgTemp *d, bool w)
{
    if (w) {
        tcg_gen_ext32s(ctx->tcg, d, d);
    }
    gen_set_gpr(ctx, rd, d);
}

bool rvi_gen_rrr(DisasContext *ctx, const RvArgs *a, RvGen3 fn, bool w)
{
    TcgTemp *d = tcg_temp_new_i64(ctx->tcg);
    fn(ctx->tcg, d, get_gpr(ctx, a->rs1), get_gpr(ctx, a->rs2));
    finish_rd(ctx, a->rd, d, w);
    return true;
}

bool rvi_gen_rri(DisasContext *ctx, const RvArgs *a, RvGen3 fn, int64_t imm, bool w)
{
    TcgTemp *d = tcg_temp_new_i64(ctx->tcg);
    fn(ctx->tcg, d, get_gpr(ctx, a->rs1), tcg_constant_i64(ctx->tcg, imm));
    finish_rd(ctx, a->rd, d, w);
    return true;
}

bool rvi_gen_rr(DisasContext *ctx, const RvArgs *a, RvGen2 fn, bool w)
{
    TcgTemp *d = tcg_temp_new_i64(ctx->tcg);
    fn(ctx->tcg, d, get_gpr(ctx, a->rs1));
    finish_rd(ctx, a->rd, d, w);
    return true;
}

/* ---- control flow and exceptions ---- */

void gen_update_pc(DisasContext *ctx, uint64_t pc)
{
    tcg_gen_movi(ctx->tcg, ctx->g->pc, (int64_t)pc);
}

/*
 * Leave the TB for guest address dest.  A chainable exit is a goto_tb
 * (patched later to jump straight to the next TB) that falls through, while
 * unpatched, to storing pc and returning this TB and slot to the loop.
 */
void gen_goto_tb(DisasContext *ctx, uint64_t dest)
{
    TcgContext *c = ctx->tcg;

    if (translator_use_goto_tb(&ctx->base, dest) && !fpu_tb_no_chain(ctx)) {
        unsigned slot = translator_goto_tb_slot(&ctx->base);
        tcg_gen_goto_tb(c, slot);
        gen_update_pc(ctx, dest);
        tcg_gen_exit_tb(c, (uintptr_t)ctx->base.tb | slot);
    } else {
        /* Not chainable (system mode: dest is on another page, whose
         * mapping the jump cache lookup checks): probe the jump cache
         * inline with the key known now. */
        gen_update_pc(ctx, dest);
        gen_lookup_and_goto_ptr(ctx);
    }
}

bool gen_follow_jump(DisasContext *ctx, uint64_t dest)
{
    if (!translator_can_follow(&ctx->base, dest, false)) {
        return false;
    }
    translator_follow(&ctx->base, dest);
    return true;
}

/*
 * The next TB's key is this TB's unless FP helpers here may have changed
 * fflags.NX (fpu_tb_no_chain): then the generated code can probe the jump
 * cache itself with the key known now.
 */
void gen_lookup_and_goto_ptr(DisasContext *ctx)
{
    if (fpu_tb_no_chain(ctx)) {
        tcg_gen_lookup_and_goto_ptr(ctx->tcg);
    } else {
        tcg_gen_lookup_and_goto_ptr_key(ctx->tcg, ctx->g->pc, ctx->base.tb->flags);
    }
}

void gen_trap(DisasContext *ctx, uint64_t cause, uint64_t tval)
{
    gen_update_pc(ctx, ctx->pc);
    tcg_gen_call3(ctx->tcg, &riscv_sys_helpers->raise_trap, NULL, ctx->tcg->env,
                  tcg_constant_i64(ctx->tcg, (int64_t)cause),
                  tcg_constant_i64(ctx->tcg, (int64_t)tval));
    ctx->base.is_jmp = DISAS_NORETURN;
}

void gen_exception(DisasContext *ctx, int excp)
{
    if (ctx->system) {
        /* The guest's own exceptions (what user mode hands to the kernel). */
        switch (excp) {
        case EXCP_SYSCALL:
            gen_trap(ctx, ctx->priv == RV_PRIV_M ? RV_EXC_ECALL_M
                          : ctx->priv == RV_PRIV_S ? RV_EXC_ECALL_S : RV_EXC_ECALL_U, 0);
            return;
        case EXCP_BREAKPOINT:
            gen_trap(ctx, RV_EXC_BREAKPOINT, 0); /* tval 0, as QEMU 7.2 */
            return;
        default:
            gen_trap(ctx, RV_EXC_ILLEGAL_INSN, ctx->opcode);
            return;
        }
    }
    gen_update_pc(ctx, ctx->pc);
    tcg_gen_call2(ctx->tcg, &helper_info_raise_exception, NULL, ctx->tcg->env,
                  tcg_constant_i64(ctx->tcg, excp));
    ctx->base.is_jmp = DISAS_NORETURN;
}

void gen_exception_illegal(DisasContext *ctx)
{
    gen_exception(ctx, EXCP_ILLEGAL);
}

/* ---- the translator loop hooks ---- */

static void riscv_tr_init_disas_context(DisasContextBase *db)
{
    DisasContext *ctx = (DisasContext *)db;

    ctx->tcg = db->tcg;
    ctx->g = db->tcg->frontend_data;
    ctx->mem_idx = 0;
    if (riscv_cpu(db->cpu)->system) {
        uint32_t flags = db->tb->flags;
        ctx->system = true;
        ctx->priv = (flags >> RV_TB_PRIV_SHIFT) & 3;
        ctx->mem_idx = (flags >> RV_TB_MMU_SHIFT) & 3;
        ctx->fs = (flags >> RV_TB_FS_SHIFT) & 3;
    }
}

/* Major opcodes of the F and D extensions (and RV64C's c.fld/c.fsd/
 * c.fldsp/c.fsdsp): illegal while mstatus.FS is Off. */
static bool insn_is_fp(uint32_t insn, int len)
{
    if (len == 2) {
        unsigned quadrant = insn & 3, funct3 = (insn >> 13) & 7;
        return quadrant != 1 && (funct3 == 1 || funct3 == 5);
    }
    switch (insn & 0x7f) {
    case 0x07: /* LOAD-FP */
    case 0x27: /* STORE-FP */
    case 0x43: /* MADD */
    case 0x47: /* MSUB */
    case 0x4b: /* NMSUB */
    case 0x4f: /* NMADD */
    case 0x53: /* OP-FP */
        return true;
    default:
        return false;
    }
}

/* The first FP insn of a TB running with FS != Dirty marks it Dirty (and
 * SD): the kernel saves FP registers only of tasks that dirtied them. */
void gen_mark_fs_dirty(DisasContext *ctx)
{
    if (!ctx->system || ctx->fs == 3 || ctx->fs_dirty_done) {
        return;
    }
    TcgContext *c = ctx->tcg;
    TcgTemp *m = tcg_temp_new_i64(c);
    int32_t off = (int32_t)(offsetof(RiscvCpu, priv) + offsetof(RiscvPrivState, mstatus));
    tcg_gen_ld(c, m, c->env, off, MO_UQ);
    tcg_gen_ori(c, m, m, (int64_t)(RV_MSTATUS_FS | RV_MSTATUS_SD));
    tcg_gen_st(c, m, c->env, off, MO_UQ);
    ctx->fs_dirty_done = true;
}

static void riscv_tr_translate_insn(DisasContextBase *db)
{
    DisasContext *ctx = (DisasContext *)db;
    uint64_t pc = db->pc_next;
    /* The low half tells the length; it never crosses a page (pc is even). */
    uint16_t lo = translator_lduw(db, pc);
    int len = (lo & 3) == 3 ? 4 : 2;

    /*
     * Only a TB's first insn may straddle two pages (the translator's fetch
     * fault is raised at pc_first): end the TB before any later one that would.
     */
    if (len == 4 && pc != db->pc_first &&
        (pc & ~TARGET_PAGE_MASK) == TARGET_PAGE_SIZE - 2) {
        db->is_jmp = DISAS_TOO_MANY;
        return;
    }
    uint32_t insn = lo;
    if (len == 4) {
        insn |= (uint32_t)translator_lduw(db, pc + 2) << 16;
    }

    tcg_gen_insn_start(ctx->tcg, pc);
    ctx->pc = pc;
    ctx->pc_succ_insn = pc + len;
    ctx->opcode = insn;
    ctx->insn_len = len;
    db->pc_next = pc + len;

    if (ctx->system && insn_is_fp(insn, len)) {
        if (ctx->fs == 0) {
            gen_exception_illegal(ctx);
            return;
        }
        gen_mark_fs_dirty(ctx);
    }
    bool ok = len == 4 ? riscv_decode32(ctx, insn) : riscv_decode16(ctx, (uint16_t)insn);
    if (!ok) {
        gen_exception_illegal(ctx);
    }
}

static void riscv_tr_tb_stop(DisasContextBase *db)
{
    DisasContext *ctx = (DisasContext *)db;

    switch ((int)db->is_jmp) {
    case DISAS_NEXT:
    case DISAS_TOO_MANY:
        gen_goto_tb(ctx, db->pc_next);
        break;
    case DISAS_NORETURN:
        break;
    case DISAS_RV_LOOKUP:
        gen_lookup_and_goto_ptr(ctx);
        break;
    case DISAS_RV_EXIT:
        tcg_gen_exit_tb(ctx->tcg, 0);
        break;
    default:
        g_assert_not_reached();
    }
    /* The superblock's side exits, out of the way of its main path. */
    for (int i = 0; i < db->nb_side; i++) {
        tcg_gen_set_label(ctx->tcg, db->side_label[i]);
        gen_goto_tb(ctx, db->side_dest[i]);
    }
    db->nb_side = 0;
}

static const TranslatorOps riscv_tr_ops = {
    .init_disas_context = riscv_tr_init_disas_context,
    .translate_insn = riscv_tr_translate_insn,
    .tb_stop = riscv_tr_tb_stop,
};

static void riscv_translate(TcgContext *tcg, CpuState *cpu, TranslationBlock *tb,
                            int max_insns)
{
    DisasContext ctx = { 0 };

    translator_loop(&riscv_tr_ops, &ctx.base, cpu, tcg, tb, max_insns);
}

/* ---- TargetArch ---- */

static void riscv_get_tb_key(CpuState *cs, uint64_t *pc, uint32_t *flags)
{
    *pc = riscv_cpu(cs)->pc;
    /* the FP state the F/D translation specialises on; system mode adds
     * the privilege level, the data mmu_idx and mstatus.FS */
    *flags = fpu_tb_key_flags(riscv_cpu(cs));
    if (riscv_cpu(cs)->system) {
        *flags |= riscv_sys_tb_flags(riscv_cpu(cs));
    }
}

static uint64_t riscv_get_pc(CpuState *cs)
{
    return riscv_cpu(cs)->pc;
}

static void riscv_set_pc(CpuState *cs, uint64_t pc)
{
    riscv_cpu(cs)->pc = pc;
}

const TargetArch target_riscv64 = {
    .name = "riscv64",
    .cpu_size = sizeof(RiscvCpu),
    .cpu_reset = riscv_cpu_reset,
    .tcg_init = riscv_tcg_init,
    .get_tb_key = riscv_get_tb_key,
    .get_pc = riscv_get_pc,
    .set_pc = riscv_set_pc,
    .translate = riscv_translate,
    .dump_state = riscv_cpu_dump_state,
    /* capstone 4.0 has no RISC-V: -d in_asm uses target/riscv/disas.c. */
    .capstone_arch = -1,
    .capstone_mode = 0,
    .disas_insn = riscv_disas_insn,
};
