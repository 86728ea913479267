/*
 * Unit tests for the IR verifier (tcg/verify.c): well-formed TBs made with
 * the builder pass, and each kind of malformed TB (built, then broken by
 * hand where the builder would refuse) is rejected with the right error
 * kind at the right op.  tcg_verify_check() returns the error instead of
 * aborting, so every case runs in one process.
 */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "rove/tcg.h"

typedef struct FakeEnv {
    uint64_t pad[4];
    uint64_t r[4];
    uint32_t w[4];
} FakeEnv;

#define TB ((uintptr_t)0x10000) /* a fake TB pointer for exit values */

static TcgContext *ctx;
static TcgTemp *R[4], *W[4];

static uint64_t helper1(uint64_t a)
{
    return a + 1;
}
static const TcgHelperInfo h_ret64 = { (void *)helper1, "ret64", 0, 1, true, true };
static const TcgHelperInfo h_fpop = { (void *)helper1, "fpop", TCG_CALL_NO_RWG, 2, true, true };
static const TcgHelperInfo h_lookup = { (void *)helper1, "lookup", 0, 1, true, true };

static void start(void)
{
    if (!ctx) {
        ctx = g_new0(TcgContext, 1);
        tcg_context_init(ctx);
        static char rn[4][4], wn[4][4];
        for (int i = 0; i < 4; i++) {
            snprintf(rn[i], sizeof(rn[i]), "r%d", i);
            snprintf(wn[i], sizeof(wn[i]), "w%d", i);
            R[i] = tcg_global_mem_new(ctx, TCG_I64, offsetof(FakeEnv, r[i]), rn[i]);
        }
        for (int i = 0; i < 4; i++) {
            W[i] = tcg_global_mem_new(ctx, TCG_I32, offsetof(FakeEnv, w[i]), wn[i]);
        }
    }
    tcg_func_start(ctx);
    ctx->lookup_tb_helper = NULL;
    ctx->lookup_inline.enabled = false;
}

static TcgOp *last_op(void)
{
    return &ctx->ops[ctx->nb_ops - 1];
}

static void expect_ok(void)
{
    TcgVerifyError err;
    if (!tcg_verify_check(ctx, &err)) {
        tcg_dump_ops(ctx, stderr);
        g_printerr("unexpected: op %d: %s: %s\n", err.op, tcg_verify_error_name(err.kind),
                   err.msg);
        g_assert_not_reached();
    }
}

static void expect_err(TcgVerifyErrorKind kind, int op)
{
    TcgVerifyError err;
    bool ok = tcg_verify_check(ctx, &err);
    if (ok || err.kind != kind || err.op != op) {
        tcg_dump_ops(ctx, stderr);
        g_printerr("want %s at op %d, got %s at op %d: %s\n", tcg_verify_error_name(kind), op,
                   ok ? "ok" : tcg_verify_error_name(err.kind), err.op, err.msg);
        g_assert_not_reached();
    }
}

/* The usual chained exit: goto_tb s; mov r0, $pc; exit_tb tb|s. */
static void chained_exit(unsigned slot, uint64_t pc)
{
    tcg_gen_goto_tb(ctx, slot);
    tcg_gen_movi(ctx, R[0], (int64_t)pc);
    tcg_gen_exit_tb(ctx, TB | slot);
}

/* A TB like the front end's: exit_request check, a branch with a normal
 * temp, a local loop, a call, a guest load, two chained exits. */
static void build_good_tb(void)
{
    int exit_req = tcg_new_label(ctx), loop = tcg_new_label(ctx), taken = tcg_new_label(ctx);
    TcgTemp *er = tcg_temp_new_i32(ctx);
    tcg_gen_ld(ctx, er, ctx->env, 0, MO_SL);
    tcg_gen_brcondi(ctx, TCG_COND_NE, er, 0, exit_req);
    tcg_gen_insn_start(ctx, 0x1000);
    TcgTemp *n = tcg_temp_new_local(ctx, TCG_I64);
    tcg_gen_movi(ctx, n, 10);
    tcg_gen_set_label(ctx, loop);
    TcgTemp *t = tcg_temp_new_i64(ctx);
    tcg_gen_addi(ctx, t, R[1], 3);
    tcg_gen_qemu_ld(ctx, t, t, MO_UL, 0);
    tcg_gen_add(ctx, R[1], R[1], t);
    tcg_gen_subi(ctx, n, n, 1);
    tcg_gen_brcondi(ctx, TCG_COND_NE, n, 0, loop);
    tcg_gen_insn_start(ctx, 0x1004);
    TcgTemp *ret = tcg_temp_new_i64(ctx);
    tcg_gen_call1(ctx, &h_ret64, ret, R[2]);
    TcgTemp *w = tcg_temp_new_i32(ctx);
    tcg_gen_extrl_i64_i32(ctx, w, ret);
    tcg_gen_mov(ctx, W[0], w);
    tcg_gen_brcondi(ctx, TCG_COND_LTU, ret, 5, taken);
    chained_exit(0, 0x1008);
    tcg_gen_set_label(ctx, taken);
    chained_exit(1, 0x2000);
    tcg_gen_set_label(ctx, exit_req);
    tcg_gen_exit_tb(ctx, TB | 7);
}

static void test_accepts_good(void)
{
    start();
    build_good_tb();
    expect_ok();
    tcg_optimize(ctx);
    expect_ok();
}

/* Extended basic blocks: a normal temp written before a brcond is still
 * live on its fall-through (the builder's own jump-cache probe does this),
 * and dies at the next set_label. */
static void test_ebb(void)
{
    start();
    int l = tcg_new_label(ctx);
    TcgTemp *t = tcg_temp_new_i64(ctx);
    tcg_gen_addi(ctx, t, R[0], 1);
    tcg_gen_brcondi(ctx, TCG_COND_EQ, R[1], 0, l);
    tcg_gen_add(ctx, R[2], t, t); /* fall-through: live */
    tcg_gen_set_label(ctx, l);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();

    start();
    l = tcg_new_label(ctx);
    t = tcg_temp_new_i64(ctx);
    tcg_gen_addi(ctx, t, R[0], 1);
    tcg_gen_brcondi(ctx, TCG_COND_EQ, R[1], 0, l);
    tcg_gen_set_label(ctx, l);
    tcg_gen_add(ctx, R[2], t, R[2]); /* op 3: after the label: dead */
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_DEAD_READ, 3);

    /* even a label nothing branches to ends the block */
    start();
    l = tcg_new_label(ctx);
    t = tcg_temp_new_i64(ctx);
    tcg_gen_movi(ctx, t, 1);
    tcg_gen_set_label(ctx, l);
    tcg_gen_mov(ctx, R[0], t);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_DEAD_READ, 2);

    /* the builder's inline jump-cache probe */
    start();
    ctx->lookup_tb_helper = &h_lookup;
    ctx->lookup_inline.enabled = true;
    ctx->lookup_inline.shift1 = 2;
    ctx->lookup_inline.shift2 = 12;
    ctx->lookup_inline.mask = 0xfff;
    ctx->lookup_inline.env_cache_off = 16;
    TcgTemp *pc = tcg_temp_new_i64(ctx);
    tcg_gen_addi(ctx, pc, R[1], 8);
    tcg_gen_mov(ctx, R[0], pc);
    tcg_gen_lookup_and_goto_ptr_key(ctx, pc, 0);
    expect_ok();
    tcg_optimize(ctx);
    expect_ok();
}

static void test_dead_reads(void)
{
    /* never written */
    start();
    TcgTemp *t = tcg_temp_new_i64(ctx);
    tcg_gen_add(ctx, R[0], R[0], t);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_DEAD_READ, 0);

    /* inputs are read before outputs are written */
    start();
    t = tcg_temp_new_i64(ctx);
    tcg_gen_addi(ctx, t, t, 1);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_DEAD_READ, 0);

    /* across an exit into unreachable code */
    start();
    int l = tcg_new_label(ctx);
    t = tcg_temp_new_i64(ctx);
    tcg_gen_movi(ctx, t, 5);
    tcg_gen_brcondi(ctx, TCG_COND_EQ, R[0], 0, l);
    tcg_gen_br(ctx, l);
    tcg_gen_mov(ctx, R[1], t);
    tcg_gen_set_label(ctx, l);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_DEAD_READ, 3);

    /* a backward branch: the loop head is a label, so a normal temp from
     * before the loop is dead inside it */
    start();
    l = tcg_new_label(ctx);
    t = tcg_temp_new_i64(ctx);
    tcg_gen_movi(ctx, t, 5);
    tcg_gen_set_label(ctx, l);
    tcg_gen_sub(ctx, R[0], R[0], t);
    tcg_gen_brcondi(ctx, TCG_COND_NE, R[0], 0, l);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_DEAD_READ, 2);
}

static void test_locals(void)
{
    /* written after its first read in program order, before it on every
     * path (the loop is entered at its test) */
    start();
    int head = tcg_new_label(ctx), test = tcg_new_label(ctx);
    TcgTemp *n = tcg_temp_new_local(ctx, TCG_I64);
    tcg_gen_br(ctx, test);
    tcg_gen_set_label(ctx, head);
    tcg_gen_add(ctx, R[0], R[0], n);
    tcg_gen_subi(ctx, n, n, 1);
    tcg_gen_set_label(ctx, test);
    tcg_gen_mov(ctx, n, R[1]);
    tcg_gen_brcondi(ctx, TCG_COND_NE, n, 0, head);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();

    start();
    n = tcg_temp_new_local(ctx, TCG_I64);
    tcg_gen_mov(ctx, R[0], n);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_LOCAL_UNSET, 0);
}

/* A small valid TB "add r0, r1, r2; exit_tb 0" to break. */
static TcgOp *simple_add(void)
{
    start();
    tcg_gen_add(ctx, R[0], R[1], R[2]);
    tcg_gen_exit_tb(ctx, 0);
    return &ctx->ops[0];
}

static void test_shape(void)
{
    simple_add()->opc = INDEX_op_last;
    expect_err(TCG_VERIFY_OPCODE, 0);

    simple_add()->nb_iargs = 1;
    expect_err(TCG_VERIFY_ARG_COUNT, 0);

    simple_add()->nb_cargs = 1;
    expect_err(TCG_VERIFY_ARG_COUNT, 0);

    simple_add()->type = 7;
    expect_err(TCG_VERIFY_OP_TYPE, 0);

    /* ext32s is I64 only */
    start();
    tcg_gen_ext8s(ctx, W[0], W[1]);
    tcg_gen_exit_tb(ctx, 0);
    ctx->ops[0].opc = INDEX_op_ext32s;
    expect_err(TCG_VERIFY_OP_TYPE, 0);

    /* call: counts must match the helper, the result its type */
    start();
    TcgTemp *r = tcg_temp_new_i64(ctx);
    tcg_gen_call1(ctx, &h_ret64, r, R[0]);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();
    ctx->ops[0].nb_iargs = 0;
    ctx->ops[0].args[1] = (TcgArg)&h_ret64;
    expect_err(TCG_VERIFY_ARG_COUNT, 0);
    start();
    tcg_gen_call1(ctx, &h_ret64, R[1], R[0]);
    tcg_gen_exit_tb(ctx, 0);
    ctx->ops[0].args[0] = (TcgArg)tcg_temp_idx(ctx, W[1]); /* the builder refuses this */
    expect_err(TCG_VERIFY_TEMP_TYPE, 0);

    /* fpop: input count per kind */
    start();
    r = tcg_temp_new_i64(ctx);
    tcg_gen_fpop(ctx, FPOP_SQRT_D, &h_fpop, r, R[0], NULL, NULL);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();
    ctx->ops[0].args[2] = FPOP_ADD_D; /* wants two inputs */
    expect_err(TCG_VERIFY_ARG_COUNT, 0);
    ctx->ops[0].args[2] = FPOP_SQRT_D;
    ctx->ops[0].args[3] = (TcgArg)&h_ret64; /* may write globals, no env arg */
    expect_err(TCG_VERIFY_CARG, 0);
}

static void test_temps(void)
{
    TcgOp *op = simple_add();
    op->args[2] = (TcgArg)ctx->nb_temps;
    expect_err(TCG_VERIFY_TEMP, 0);

    /* a per-TB temp claiming to be a global */
    start();
    TcgTemp *t = tcg_temp_new_i64(ctx);
    tcg_gen_mov(ctx, t, R[0]);
    tcg_gen_mov(ctx, R[1], t);
    tcg_gen_exit_tb(ctx, 0);
    t->kind = TEMP_GLOBAL;
    expect_err(TCG_VERIFY_TEMP, 0);

    /* an I32 temp in an I64 op */
    simple_add()->args[2] = (TcgArg)tcg_temp_idx(ctx, W[0]);
    expect_err(TCG_VERIFY_TEMP_TYPE, 0);

    /* conversions have fixed types; ld's base is I64 */
    start();
    TcgTemp *w = tcg_temp_new_i32(ctx);
    tcg_gen_extrl_i64_i32(ctx, w, R[0]);
    tcg_gen_mov(ctx, W[0], w);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();
    ctx->ops[0].args[1] = (TcgArg)tcg_temp_idx(ctx, W[1]);
    expect_err(TCG_VERIFY_TEMP_TYPE, 0);
    start();
    tcg_gen_ld(ctx, W[0], ctx->env, 8, MO_UL);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();
    ctx->ops[0].args[1] = (TcgArg)tcg_temp_idx(ctx, W[1]);
    expect_err(TCG_VERIFY_TEMP_TYPE, 0);

    /* no writes to constants or env */
    op = simple_add();
    op->args[0] = (TcgArg)tcg_temp_idx(ctx, tcg_constant_i64(ctx, 3));
    expect_err(TCG_VERIFY_WRITE_CONST, 0);
    op = simple_add();
    op->args[0] = (TcgArg)tcg_temp_idx(ctx, ctx->env);
    expect_err(TCG_VERIFY_WRITE_CONST, 0);
}

static void test_cargs(void)
{
    start();
    int l = tcg_new_label(ctx);
    tcg_gen_brcondi(ctx, TCG_COND_EQ, R[0], 0, l);
    tcg_gen_set_label(ctx, l);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();
    ctx->ops[0].args[2] = 99;
    expect_err(TCG_VERIFY_CARG, 0);
    ctx->ops[0].args[2] = TCG_COND_ALWAYS;
    expect_err(TCG_VERIFY_CARG, 0);

    start();
    tcg_gen_ld(ctx, W[0], ctx->env, 8, MO_UL);
    tcg_gen_st(ctx, R[0], ctx->env, 16, MO_64);
    tcg_gen_mb(ctx, TCG_MO_ALL);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();
    ctx->ops[0].args[3] = MO_64; /* 64-bit access into an I32 temp */
    expect_err(TCG_VERIFY_CARG, 0);
    ctx->ops[0].args[3] = 0x80; /* unknown memop bit */
    expect_err(TCG_VERIFY_CARG, 0);
    ctx->ops[0].args[3] = MO_UL;
    ctx->ops[1].args[2] = (TcgArg)((intptr_t)1 << 40);
    expect_err(TCG_VERIFY_CARG, 1);
    ctx->ops[1].args[2] = 16;
    ctx->ops[2].args[0] = 0;
    expect_err(TCG_VERIFY_CARG, 2);

    start();
    TcgTemp *w = tcg_temp_new_i32(ctx);
    tcg_gen_qemu_ld(ctx, w, R[0], MO_UL, 1);
    tcg_gen_mov(ctx, W[0], w);
    tcg_gen_exit_tb(ctx, 0);
    expect_ok();
    ctx->ops[0].args[2] = tcg_make_oi(MO_64, 1);
    expect_err(TCG_VERIFY_CARG, 0);
}

static void test_labels(void)
{
    /* target never set */
    start();
    int l = tcg_new_label(ctx);
    tcg_gen_brcondi(ctx, TCG_COND_EQ, R[0], 0, l);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_LABEL, 0);

    /* set twice */
    start();
    l = tcg_new_label(ctx);
    tcg_gen_set_label(ctx, l);
    tcg_gen_set_label(ctx, l);
    tcg_gen_exit_tb(ctx, 0);
    expect_err(TCG_VERIFY_LABEL, 1);

    /* not a label */
    start();
    tcg_gen_br(ctx, 0);
    expect_err(TCG_VERIFY_LABEL, 0);
}

static void test_exits(void)
{
    start();
    chained_exit(2, 0x40);
    expect_ok();

    /* exit_tb value of another slot */
    start();
    chained_exit(2, 0x40);
    last_op()->args[0] = TB | 1;
    expect_err(TCG_VERIFY_GOTO_TB, 2);

    /* a chain exit without its goto_tb */
    start();
    tcg_gen_exit_tb(ctx, TB | 1);
    expect_err(TCG_VERIFY_GOTO_TB, 0);

    /* goto_tb never closed */
    start();
    tcg_gen_goto_tb(ctx, 0);
    tcg_gen_movi(ctx, R[0], 4);
    tcg_gen_br(ctx, tcg_new_label(ctx));
    tcg_gen_set_label(ctx, 0);
    tcg_gen_exit_tb(ctx, TB);
    expect_err(TCG_VERIFY_GOTO_TB, 2);

    /* only data ops between goto_tb and exit_tb */
    start();
    tcg_gen_goto_tb(ctx, 0);
    tcg_gen_call1(ctx, &h_ret64, R[1], R[0]);
    tcg_gen_exit_tb(ctx, TB);
    expect_err(TCG_VERIFY_GOTO_TB, 1);

    /* one goto_tb per slot */
    start();
    int l = tcg_new_label(ctx);
    tcg_gen_brcondi(ctx, TCG_COND_EQ, R[0], 0, l);
    chained_exit(0, 0x40);
    tcg_gen_set_label(ctx, l);
    chained_exit(0, 0x80);
    expect_err(TCG_VERIFY_GOTO_TB, 5);

    /* slot out of range */
    start();
    chained_exit(0, 0x40);
    ctx->ops[0].args[0] = TCG_MAX_GOTO_TB;
    expect_err(TCG_VERIFY_CARG, 0);

    /* control must not run off the end */
    start();
    tcg_gen_mov(ctx, R[0], R[1]);
    expect_err(TCG_VERIFY_FALLS_OFF, -1);
    start();
    l = tcg_new_label(ctx);
    tcg_gen_brcondi(ctx, TCG_COND_EQ, R[0], 0, l);
    tcg_gen_exit_tb(ctx, 0);
    tcg_gen_set_label(ctx, l);
    expect_err(TCG_VERIFY_FALLS_OFF, -1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/verify/accepts-good", test_accepts_good);
    g_test_add_func("/verify/extended-basic-blocks", test_ebb);
    g_test_add_func("/verify/dead-reads", test_dead_reads);
    g_test_add_func("/verify/locals", test_locals);
    g_test_add_func("/verify/shape", test_shape);
    g_test_add_func("/verify/temps", test_temps);
    g_test_add_func("/verify/const-args", test_cargs);
    g_test_add_func("/verify/labels", test_labels);
    g_test_add_func("/verify/exits", test_exits);
    return g_test_run();
}
