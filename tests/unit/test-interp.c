/*
 * Unit tests for the interpreter back end (tcg/interp): IR snippets are
 * built with the builder, serialised with gen_code into a g_malloc'd code
 * buffer and executed on a fake env.  Every op is checked at edge values
 * in both widths against a reference written independently here (loops
 * rather than builtins), and again with constant operands folded by the
 * optimiser, which cross-checks tcg/optimize.c too.  Also: branches and
 * TEMP_LOCAL loops, cpu-state and guest memory accesses with every memop,
 * faults and interp_pc, helper calls with 0..6 arguments, chaining through
 * patch_jump and goto_ptr.
 */
#include <glib.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"

typedef struct FakeEnv {
    TcgEnvHeader hdr;
    uint64_t r[8];
    uint32_t w[8];
    uint32_t canary;
    uint8_t bytes[32];
    uintptr_t next_code; /* what the fake lookup helper returns */
    uint64_t seen_pc;    /* interp_pc observed inside a helper */
} FakeEnv;

static TcgContext *ctx;
static CodeBuffer buf;
static TcgTemp *R[8], *W[8];
static const TcgBackend *be = &tcg_backend_interp;

#define BUF_SIZE (1u << 20)

static void setup_once(void)
{
    if (ctx) {
        return;
    }
    ctx = g_new0(TcgContext, 1);
    tcg_context_init(ctx);
    static char rn[8][4], wn[8][4];
    for (int i = 0; i < 8; i++) {
        snprintf(rn[i], sizeof(rn[i]), "r%d", i);
        snprintf(wn[i], sizeof(wn[i]), "w%d", i);
        R[i] = tcg_global_mem_new(ctx, TCG_I64, offsetof(FakeEnv, r[i]), rn[i]);
    }
    for (int i = 0; i < 8; i++) {
        W[i] = tcg_global_mem_new(ctx, TCG_I32, offsetof(FakeEnv, w[i]), wn[i]);
    }
    buf.rw = buf.rx = g_malloc(BUF_SIZE);
    buf.size = BUF_SIZE;
    buf.used = 0;
    be->init(&buf);
}

static void start(void)
{
    setup_once();
    tcg_func_start(ctx);
    ctx->mem.base = 0;
    ctx->mem.addr_bits = 0;
    ctx->mem.fault = NULL;
}

static TbCodeInfo last_info;

/* gen_code the current ops; returns the blob. */
static const void *gen(bool optimize)
{
    if (optimize) {
        tcg_optimize(ctx);
    }
    if (buf.used > BUF_SIZE - 256 * 1024) {
        buf.used = 0; /* tests never keep old blobs across a wrap */
    }
    memset(&last_info, 0, sizeof(last_info));
    const void *code = be->gen_code(ctx, &buf, &last_info);
    g_assert_nonnull(code);
    g_assert_cmpuint((uintptr_t)code % 16, ==, 0);
    buf.used = (size_t)((const uint8_t *)code - buf.rx) + last_info.size;
    return code;
}

static uintptr_t run(FakeEnv *env, bool optimize)
{
    const void *code = gen(optimize);
    uintptr_t r = be->exec(env, code);
    g_assert_cmpuint(env->hdr.interp_pc, ==, 0);
    return r;
}

static void env_init(FakeEnv *env)
{
    memset(env, 0, sizeof(*env));
    env->canary = 0xdeadbeef;
}

/* ---- independent reference semantics ---- */

static uint64_t wmask(int w)
{
    return w == 32 ? 0xffffffffull : ~0ull;
}

static int64_t sx(int w, uint64_t v)
{
    return w == 32 ? (int64_t)(int32_t)v : (int64_t)v;
}

static uint64_t ref_clz(int w, uint64_t a)
{
    uint64_t n = 0;
    for (int i = w - 1; i >= 0 && !((a >> i) & 1); i--) {
        n++;
    }
    return n;
}

static uint64_t ref_ctz(int w, uint64_t a)
{
    uint64_t n = 0;
    for (int i = 0; i < w && !((a >> i) & 1); i++) {
        n++;
    }
    return n;
}

static uint64_t ref_rotl(int w, uint64_t a, unsigned n)
{
    uint64_t r = a & wmask(w);
    for (unsigned i = 0; i < n % (unsigned)w; i++) {
        uint64_t top = (r >> (w - 1)) & 1;
        r = ((r << 1) | top) & wmask(w);
    }
    return r;
}

/* false: result unspecified by the IR (not checked) */
static bool ref_bin(TcgOpcode opc, int w, uint64_t a, uint64_t b, uint64_t *res)
{
    uint64_t m = wmask(w);
    a &= m;
    b &= m;
    int64_t sa = sx(w, a), sb = sx(w, b);
    uint64_t r;
    switch (opc) {
    case INDEX_op_add: r = a + b; break;
    case INDEX_op_sub: r = a - b; break;
    case INDEX_op_mul: r = a * b; break;
    case INDEX_op_mulsh:
        r = (uint64_t)(((__int128)sa * sb) >> w);
        break;
    case INDEX_op_muluh:
        r = (uint64_t)(((unsigned __int128)a * b) >> w);
        break;
    case INDEX_op_div:
    case INDEX_op_rem:
        if (b == 0 || (sb == -1 && sa == (w == 32 ? INT32_MIN : INT64_MIN))) {
            return false;
        }
        r = (uint64_t)(opc == INDEX_op_div ? sa / sb : sa % sb);
        break;
    case INDEX_op_divu:
    case INDEX_op_remu:
        if (b == 0) {
            return false;
        }
        r = opc == INDEX_op_divu ? a / b : a % b;
        break;
    case INDEX_op_and: r = a & b; break;
    case INDEX_op_or: r = a | b; break;
    case INDEX_op_xor: r = a ^ b; break;
    case INDEX_op_andc: r = a & ~b; break;
    case INDEX_op_orc: r = a | ~b; break;
    case INDEX_op_eqv: r = ~(a ^ b); break;
    case INDEX_op_shl: r = a << (b % (unsigned)w); break;
    case INDEX_op_shr: r = a >> (b % (unsigned)w); break;
    case INDEX_op_sar: r = (uint64_t)(sa >> (b % (unsigned)w)); break;
    case INDEX_op_rotl: r = ref_rotl(w, a, (unsigned)(b % (unsigned)w)); break;
    case INDEX_op_rotr: r = ref_rotl(w, a, (unsigned)((w - b % (unsigned)w) % (unsigned)w)); break;
    case INDEX_op_clz: r = a ? ref_clz(w, a) : b; break;
    case INDEX_op_ctz: r = a ? ref_ctz(w, a) : b; break;
    default: g_assert_not_reached();
    }
    *res = r & m;
    return true;
}

static uint64_t ref_un(TcgOpcode opc, int w, uint64_t a)
{
    uint64_t m = wmask(w), r = 0;
    a &= m;
    switch (opc) {
    case INDEX_op_mov: r = a; break;
    case INDEX_op_neg: r = -a; break;
    case INDEX_op_not: r = ~a; break;
    case INDEX_op_ctpop:
        for (int i = 0; i < w; i++) {
            r += (a >> i) & 1;
        }
        break;
    case INDEX_op_bswap:
        for (int i = 0; i < w / 8; i++) {
            r |= ((a >> (8 * i)) & 0xff) << (w - 8 - 8 * i);
        }
        break;
    case INDEX_op_ext8s: r = (uint64_t)(int64_t)(int8_t)a; break;
    case INDEX_op_ext8u: r = a & 0xff; break;
    case INDEX_op_ext16s: r = (uint64_t)(int64_t)(int16_t)a; break;
    case INDEX_op_ext16u: r = a & 0xffff; break;
    case INDEX_op_ext32s: r = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_ext32u: r = a & 0xffffffff; break;
    default: g_assert_not_reached();
    }
    return r & m;
}

static const uint64_t edge[] = {
    0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0xff, 0x80, 0x7fff, 0x8000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x123456789abcdef0ull,
    0x8000000000000000ull, 0x7fffffffffffffffull, 0xfffffffffffffffeull, ~0ull,
    0xfedcba9876543210ull, 0x00000000fffffff0ull,
};

typedef void (*GenBin)(TcgContext *, TcgTemp *, TcgTemp *, TcgTemp *);
typedef void (*GenUn)(TcgContext *, TcgTemp *, TcgTemp *);

static const struct {
    TcgOpcode opc;
    GenBin gen;
} bin_ops[] = {
    { INDEX_op_add, tcg_gen_add },     { INDEX_op_sub, tcg_gen_sub },
    { INDEX_op_mul, tcg_gen_mul },     { INDEX_op_mulsh, tcg_gen_mulsh },
    { INDEX_op_muluh, tcg_gen_muluh }, { INDEX_op_div, tcg_gen_div },
    { INDEX_op_divu, tcg_gen_divu },   { INDEX_op_rem, tcg_gen_rem },
    { INDEX_op_remu, tcg_gen_remu },   { INDEX_op_and, tcg_gen_and },
    { INDEX_op_or, tcg_gen_or },       { INDEX_op_xor, tcg_gen_xor },
    { INDEX_op_andc, tcg_gen_andc },   { INDEX_op_orc, tcg_gen_orc },
    { INDEX_op_eqv, tcg_gen_eqv },     { INDEX_op_shl, tcg_gen_shl },
    { INDEX_op_shr, tcg_gen_shr },     { INDEX_op_sar, tcg_gen_sar },
    { INDEX_op_rotl, tcg_gen_rotl },   { INDEX_op_rotr, tcg_gen_rotr },
    { INDEX_op_clz, tcg_gen_clz },     { INDEX_op_ctz, tcg_gen_ctz },
};

static const struct {
    TcgOpcode opc;
    GenUn gen;
    bool only64;
} un_ops[] = {
    { INDEX_op_mov, tcg_gen_mov, false },       { INDEX_op_neg, tcg_gen_neg, false },
    { INDEX_op_not, tcg_gen_not, false },       { INDEX_op_ctpop, tcg_gen_ctpop, false },
    { INDEX_op_bswap, tcg_gen_bswap, false },   { INDEX_op_ext8s, tcg_gen_ext8s, false },
    { INDEX_op_ext8u, tcg_gen_ext8u, false },   { INDEX_op_ext16s, tcg_gen_ext16s, false },
    { INDEX_op_ext16u, tcg_gen_ext16u, false }, { INDEX_op_ext32s, tcg_gen_ext32s, true },
    { INDEX_op_ext32u, tcg_gen_ext32u, true },
};

/* Mode: 0 = both operands globals, 1 = second a constant, 2 = both constants,
 * optimised (folded by tcg_optimize). */
static uint64_t run_bin(GenBin g, int w, int mode, uint64_t a, uint64_t b)
{
    FakeEnv env;
    env_init(&env);
    start();
    TcgTemp **regs = w == 32 ? W : R;
    TcgType type = w == 32 ? TCG_I32 : TCG_I64;
    env.r[0] = a;
    env.r[1] = b;
    env.w[0] = (uint32_t)a;
    env.w[1] = (uint32_t)b;
    env.w[3] = 0x5a5a5a5a;
    TcgTemp *ta = mode == 2 ? tcg_constant(ctx, type, (int64_t)a) : regs[0];
    TcgTemp *tb = mode >= 1 ? tcg_constant(ctx, type, (int64_t)b) : regs[1];
    g(ctx, regs[2], ta, tb);
    tcg_gen_exit_tb(ctx, 0);
    g_assert_cmpuint(run(&env, mode == 2), ==, 0);
    /* neighbours of an I32 global are untouched */
    g_assert_cmpuint(env.w[3], ==, 0x5a5a5a5a);
    g_assert_cmpuint(env.canary, ==, 0xdeadbeef);
    return w == 32 ? env.w[2] : env.r[2];
}

static void test_binops(void)
{
    for (size_t k = 0; k < G_N_ELEMENTS(bin_ops); k++) {
        for (int w = 32; w <= 64; w += 32) {
            for (size_t i = 0; i < G_N_ELEMENTS(edge); i++) {
                for (size_t j = 0; j < G_N_ELEMENTS(edge); j++) {
                    uint64_t a = edge[i], b = edge[j], want = 0;
                    bool defined = ref_bin(bin_ops[k].opc, w, a, b, &want);
                    for (int mode = 0; mode < 3; mode++) {
                        uint64_t got = run_bin(bin_ops[k].gen, w, mode, a, b);
                        if (defined && got != want) {
                            g_error("%s_i%d mode %d (%#" G_GINT64_MODIFIER "x, %#"
                                    G_GINT64_MODIFIER "x) = %#" G_GINT64_MODIFIER
                                    "x, want %#" G_GINT64_MODIFIER "x",
                                    tcg_op_defs[bin_ops[k].opc].name, w, mode, a, b, got,
                                    want);
                        }
                    }
                }
            }
        }
    }
}

static void test_unops(void)
{
    for (size_t k = 0; k < G_N_ELEMENTS(un_ops); k++) {
        for (int w = 32; w <= 64; w += 32) {
            if (un_ops[k].only64 && w == 32) {
                continue;
            }
            TcgTemp **regs = w == 32 ? W : R;
            TcgType type = w == 32 ? TCG_I32 : TCG_I64;
            for (size_t i = 0; i < G_N_ELEMENTS(edge); i++) {
                uint64_t a = edge[i], want = ref_un(un_ops[k].opc, w, a);
                for (int mode = 0; mode < 2; mode++) {
                    FakeEnv env;
                    env_init(&env);
                    start();
                    env.r[0] = a;
                    env.w[0] = (uint32_t)a;
                    TcgTemp *ta = mode ? tcg_constant(ctx, type, (int64_t)a) : regs[0];
                    un_ops[k].gen(ctx, regs[2], ta);
                    tcg_gen_exit_tb(ctx, 0);
                    run(&env, mode == 1);
                    uint64_t got = w == 32 ? env.w[2] : env.r[2];
                    if (got != want) {
                        g_error("%s_i%d mode %d (%#" G_GINT64_MODIFIER "x) = %#"
                                G_GINT64_MODIFIER "x, want %#" G_GINT64_MODIFIER "x",
                                tcg_op_defs[un_ops[k].opc].name, w, mode, a, got, want);
                    }
                }
            }
        }
    }
}

/* extrl / extu / exts and the clz/ctz "value if zero" input */
static void test_conversions(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(edge); i++) {
        for (int mode = 0; mode < 2; mode++) {
            uint64_t a = edge[i];
            FakeEnv env;
            env_init(&env);
            start();
            env.r[0] = a;
            env.w[0] = (uint32_t)a;
            TcgTemp *a64 = mode ? tcg_constant_i64(ctx, (int64_t)a) : R[0];
            TcgTemp *a32 = mode ? tcg_constant_i32(ctx, (int32_t)a) : W[0];
            tcg_gen_extrl_i64_i32(ctx, W[1], a64);
            tcg_gen_extu_i32_i64(ctx, R[1], a32);
            tcg_gen_exts_i32_i64(ctx, R[2], a32);
            tcg_gen_exit_tb(ctx, 0);
            run(&env, mode);
            g_assert_cmphex(env.w[1], ==, (uint32_t)a);
            g_assert_cmphex(env.r[1], ==, (uint32_t)a);
            g_assert_cmphex(env.r[2], ==, (uint64_t)(int64_t)(int32_t)a);
        }
    }
    /* clz/ctz of zero yield the second input, whatever it is */
    for (int mode = 0; mode < 2; mode++) {
        FakeEnv env;
        env_init(&env);
        start();
        env.r[1] = 0x1234;
        env.w[1] = 77;
        TcgTemp *z64 = mode ? tcg_constant_i64(ctx, 0) : R[0];
        TcgTemp *z32 = mode ? tcg_constant_i32(ctx, 0) : W[0];
        tcg_gen_clz(ctx, R[2], z64, R[1]);
        tcg_gen_ctz(ctx, R[3], z64, tcg_constant_i64(ctx, 64));
        tcg_gen_clz(ctx, W[2], z32, W[1]);
        tcg_gen_ctz(ctx, W[3], z32, tcg_constant_i32(ctx, 32));
        tcg_gen_exit_tb(ctx, 0);
        run(&env, mode);
        g_assert_cmpuint(env.r[2], ==, 0x1234);
        g_assert_cmpuint(env.r[3], ==, 64);
        g_assert_cmpuint(env.w[2], ==, 77);
        g_assert_cmpuint(env.w[3], ==, 32);
    }
}

/* The divide corner cases are unspecified, but must not trap. */
static void test_div_corners(void)
{
    static const TcgOpcode ops[] = { INDEX_op_div, INDEX_op_divu, INDEX_op_rem,
                                     INDEX_op_remu };
    static const GenBin gens[] = { tcg_gen_div, tcg_gen_divu, tcg_gen_rem, tcg_gen_remu };
    for (size_t k = 0; k < G_N_ELEMENTS(ops); k++) {
        run_bin(gens[k], 64, 0, 5, 0);
        run_bin(gens[k], 64, 0, 0x8000000000000000ull, ~0ull);
        run_bin(gens[k], 32, 0, 5, 0);
        run_bin(gens[k], 32, 0, 0x80000000, 0xffffffff);
        run_bin(gens[k], 64, 2, 0x8000000000000000ull, ~0ull);
        run_bin(gens[k], 32, 2, 7, 0);
    }
}

static bool ref_cond(TcgCond c, int w, uint64_t a, uint64_t b)
{
    a &= wmask(w);
    b &= wmask(w);
    int64_t sa = sx(w, a), sb = sx(w, b);
    switch (c) {
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

static const uint64_t cmp_vals[] = {
    0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x8000000000000000ull,
    0x7fffffffffffffffull, ~0ull, 0xffffffff80000000ull,
};

static void test_setcond_movcond_brcond(void)
{
    for (int c = TCG_COND_NEVER; c <= TCG_COND_GTU; c++) {
        for (int w = 32; w <= 64; w += 32) {
            TcgTemp **regs = w == 32 ? W : R;
            TcgType type = w == 32 ? TCG_I32 : TCG_I64;
            for (size_t i = 0; i < G_N_ELEMENTS(cmp_vals); i++) {
                for (size_t j = 0; j < G_N_ELEMENTS(cmp_vals); j++) {
                    uint64_t a = cmp_vals[i], b = cmp_vals[j];
                    bool want = ref_cond((TcgCond)c, w, a, b);
                    for (int mode = 0; mode < 3; mode++) {
                        FakeEnv env;
                        env_init(&env);
                        start();
                        env.r[0] = a;
                        env.r[1] = b;
                        env.w[0] = (uint32_t)a;
                        env.w[1] = (uint32_t)b;
                        env.r[5] = 0x1111;
                        env.w[5] = 0x2222;
                        TcgTemp *ta = mode == 2 ? tcg_constant(ctx, type, (int64_t)a) : regs[0];
                        TcgTemp *tb = mode >= 1 ? tcg_constant(ctx, type, (int64_t)b) : regs[1];
                        int taken = tcg_new_label(ctx), done = tcg_new_label(ctx);
                        if (c != TCG_COND_NEVER && c != TCG_COND_ALWAYS) {
                            tcg_gen_setcond(ctx, (TcgCond)c, regs[2], ta, tb);
                        }
                        tcg_gen_movcond(ctx, (TcgCond)c, regs[3], ta, tb,
                                        tcg_constant(ctx, type, 0x1111), regs[5]);
                        tcg_gen_brcond(ctx, (TcgCond)c, ta, tb, taken);
                        tcg_gen_movi(ctx, R[4], 10);
                        tcg_gen_br(ctx, done);
                        tcg_gen_set_label(ctx, taken);
                        tcg_gen_movi(ctx, R[4], 20);
                        tcg_gen_set_label(ctx, done);
                        tcg_gen_exit_tb(ctx, 0);
                        run(&env, mode == 2);
                        uint64_t sc = w == 32 ? env.w[2] : env.r[2];
                        uint64_t mc = w == 32 ? env.w[3] : env.r[3];
                        uint64_t other = w == 32 ? 0x2222 : 0x1111;
                        if (c != TCG_COND_NEVER && c != TCG_COND_ALWAYS) {
                            g_assert_cmpuint(sc, ==, want);
                        }
                        g_assert_cmphex(mc, ==, want ? 0x1111 : other);
                        g_assert_cmpuint(env.r[4], ==, want ? 20 : 10);
                    }
                }
            }
        }
    }
}

/* sum 1..n in a TEMP_LOCAL across a backward branch */
static void test_local_loop(void)
{
    for (int opt = 0; opt < 2; opt++) {
        FakeEnv env;
        env_init(&env);
        start();
        TcgTemp *i = tcg_temp_new_local(ctx, TCG_I64);
        TcgTemp *sum = tcg_temp_new_local(ctx, TCG_I64);
        int top = tcg_new_label(ctx);
        tcg_gen_movi(ctx, i, 0);
        tcg_gen_movi(ctx, sum, 0);
        tcg_gen_set_label(ctx, top);
        tcg_gen_addi(ctx, i, i, 1);
        tcg_gen_add(ctx, sum, sum, i);
        tcg_gen_brcond(ctx, TCG_COND_LT, i, R[0], top);
        tcg_gen_mov(ctx, R[1], sum);
        tcg_gen_exit_tb(ctx, 0x40);
        env.r[0] = 100;
        g_assert_cmpuint(run(&env, opt), ==, 0x40);
        g_assert_cmpuint(env.r[1], ==, 5050);
    }
}

static const MemOp all_mops[] = {
    MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_SL, MO_UQ,
    MO_UW | MO_BSWAP, MO_SW | MO_BSWAP, MO_UL | MO_BSWAP, MO_SL | MO_BSWAP,
    MO_UQ | MO_BSWAP,
};

static uint64_t ref_load(const uint8_t *p, MemOp mop, int w)
{
    int size = 1 << (mop & MO_SIZE);
    uint64_t v = 0;
    for (int i = 0; i < size; i++) {
        int k = (mop & MO_BSWAP) ? size - 1 - i : i;
        v |= (uint64_t)p[k] << (8 * i); /* host is little-endian in these tests */
    }
    if ((mop & MO_SIGN) && size < 8) {
        int sh = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    return v & wmask(w);
}

static void ref_store(uint8_t *p, uint64_t v, MemOp mop)
{
    int size = 1 << (mop & MO_SIZE);
    for (int i = 0; i < size; i++) {
        int k = (mop & MO_BSWAP) ? size - 1 - i : i;
        p[k] = (uint8_t)(v >> (8 * i));
    }
}

static void test_ld_st_env(void)
{
    for (size_t k = 0; k < G_N_ELEMENTS(all_mops); k++) {
        for (int w = 32; w <= 64; w += 32) {
            MemOp mop = all_mops[k];
            if (w == 32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            for (int off = 0; off < 3; off++) { /* also misaligned host offsets */
                FakeEnv env;
                env_init(&env);
                for (int i = 0; i < 32; i++) {
                    env.bytes[i] = (uint8_t)(0x81 + 0x11 * i);
                }
                start();
                TcgTemp *t = tcg_temp_new(ctx, w == 32 ? TCG_I32 : TCG_I64);
                int32_t o = (int32_t)offsetof(FakeEnv, bytes) + off;
                tcg_gen_ld(ctx, t, ctx->env, o, mop);
                tcg_gen_st(ctx, t, ctx->env, o + 16, mop);
                tcg_gen_mov(ctx, w == 32 ? W[0] : R[0], t);
                tcg_gen_exit_tb(ctx, 0);
                uint8_t expect_bytes[32];
                memcpy(expect_bytes, env.bytes, 32);
                uint64_t want = ref_load(&env.bytes[off], mop, w);
                ref_store(&expect_bytes[off + 16], want, mop);
                run(&env, k & 1);
                uint64_t got = w == 32 ? env.w[0] : env.r[0];
                g_assert_cmphex(got, ==, want);
                g_assert_cmpmem(env.bytes, 32, expect_bytes, 32);
            }
        }
    }
}

/* ---- guest memory ---- */

static sigjmp_buf fault_jmp;
static uint64_t fault_addr;
static uint32_t fault_kind;
static uintptr_t fault_pc;

static void fake_mem_fault(void *env, uint64_t addr, uint32_t kind, uintptr_t pc)
{
    fault_addr = addr;
    fault_kind = kind;
    fault_pc = pc;
    g_assert_cmpuint(((FakeEnv *)env)->hdr.interp_pc, ==, pc);
    siglongjmp(fault_jmp, 1);
}

static uint8_t guest_mem[256];
#define GUEST_BASE_ADDR 0x10000u

static void guest_start(void)
{
    start();
    ctx->mem.base = (uintptr_t)guest_mem - GUEST_BASE_ADDR;
    ctx->mem.addr_bits = 20; /* 1 MiB: 0x10000 is inside, 0x100000 is not */
    ctx->mem.fault = fake_mem_fault;
}

static void test_qemu_ld_st(void)
{
    for (size_t k = 0; k < G_N_ELEMENTS(all_mops); k++) {
        for (int w = 32; w <= 64; w += 32) {
            MemOp mop = all_mops[k];
            if (w == 32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            for (int off = 0; off < 3; off++) {
                FakeEnv env;
                env_init(&env);
                for (int i = 0; i < 256; i++) {
                    guest_mem[i] = (uint8_t)(0x93 + 0x25 * i);
                }
                uint8_t expect[256];
                memcpy(expect, guest_mem, sizeof(expect));
                guest_start();
                TcgTemp *t = tcg_temp_new(ctx, w == 32 ? TCG_I32 : TCG_I64);
                env.r[1] = GUEST_BASE_ADDR + 8 + off;
                env.r[2] = GUEST_BASE_ADDR + 64 + off;
                tcg_gen_qemu_ld(ctx, t, R[1], mop, 0);
                tcg_gen_qemu_st(ctx, t, R[2], mop, 0);
                tcg_gen_mov(ctx, w == 32 ? W[0] : R[0], t);
                tcg_gen_exit_tb(ctx, 0);
                uint64_t want = ref_load(&guest_mem[8 + off], mop, w);
                ref_store(&expect[64 + off], want, mop);
                run(&env, off & 1);
                g_assert_cmphex(w == 32 ? env.w[0] : env.r[0], ==, want);
                g_assert_cmpmem(guest_mem, 256, expect, 256);
            }
        }
    }
}

/* Which insn (index into insn_end) does a blob offset belong to? */
static int insn_of(const TbCodeInfo *info, uint32_t off)
{
    for (int i = 0; i < info->nb_insns; i++) {
        if (off < info->insn_end[i]) {
            return i;
        }
    }
    return -1;
}

static void expect_fault(MemOp mop, bool store, uint64_t addr, uint32_t want_kind)
{
    FakeEnv env;
    env_init(&env);
    guest_start();
    env.r[1] = addr;
    env.r[3] = 5;
    /* insn 0: harmless; insn 1: the access; insn 2: never reached */
    tcg_gen_insn_start(ctx, 0x1000);
    tcg_gen_movi(ctx, R[0], 1);
    tcg_gen_insn_start(ctx, 0x1004);
    tcg_gen_addi(ctx, R[3], R[3], 1);
    if (store) {
        tcg_gen_qemu_st(ctx, R[0], R[1], mop, 0);
    } else {
        tcg_gen_qemu_ld(ctx, R[2], R[1], mop, 0);
    }
    tcg_gen_insn_start(ctx, 0x1008);
    tcg_gen_movi(ctx, R[0], 2);
    tcg_gen_exit_tb(ctx, 0);
    const void *code = gen(true);
    g_assert_cmpint(last_info.nb_insns, ==, 3);
    fault_pc = 0;
    if (sigsetjmp(fault_jmp, 1) == 0) {
        be->exec(&env, code);
        g_assert_not_reached();
    }
    g_assert_cmphex(fault_addr, ==, addr);
    g_assert_cmpuint(fault_kind, ==, want_kind);
    g_assert_cmphex(env.hdr.interp_pc, ==, fault_pc);
    g_assert_cmpuint(fault_pc, >=, (uintptr_t)code);
    g_assert_cmpuint(fault_pc, <, (uintptr_t)code + last_info.size);
    g_assert_cmpint(insn_of(&last_info, (uint32_t)(fault_pc - (uintptr_t)code)), ==, 1);
    /* the globals of the faulting insn's predecessors are in memory */
    g_assert_cmpuint(env.r[0], ==, 1);
    g_assert_cmpuint(env.r[3], ==, 6);
}

static void test_qemu_faults(void)
{
    /* out of the guest address space */
    expect_fault(MO_UQ, false, 1ull << 20, 0);
    expect_fault(MO_UB, true, ~0ull, 1);
    expect_fault(MO_UL | MO_BSWAP, false, 1ull << 40, 0);
    /* MO_ALIGN */
    expect_fault(MO_UL | MO_ALIGN, false, GUEST_BASE_ADDR + 2, 2);
    expect_fault(MO_UQ | MO_ALIGN, true, GUEST_BASE_ADDR + 4, 3);
    expect_fault(MO_UW | MO_ALIGN | MO_BSWAP, false, GUEST_BASE_ADDR + 1, 2);

    /* aligned MO_ALIGN accesses do not fault */
    FakeEnv env;
    env_init(&env);
    guest_start();
    memset(guest_mem, 0, sizeof(guest_mem));
    guest_mem[16] = 0x44;
    env.r[1] = GUEST_BASE_ADDR + 16;
    tcg_gen_qemu_ld(ctx, R[2], R[1], MO_UQ | MO_ALIGN, 0);
    tcg_gen_qemu_st(ctx, R[2], R[1], MO_UL | MO_ALIGN | MO_BSWAP, 0);
    tcg_gen_exit_tb(ctx, 0);
    if (sigsetjmp(fault_jmp, 1) != 0) {
        g_assert_not_reached();
    }
    run(&env, false);
    g_assert_cmpuint(env.r[2], ==, 0x44);
    g_assert_cmpuint(guest_mem[19], ==, 0x44);
}

/* ---- helper calls ---- */

static FakeEnv *cur_env;

static uint64_t h0(void)
{
    cur_env->seen_pc = cur_env->hdr.interp_pc;
    return 0x1234567890ull;
}
static uint64_t h1(uint64_t a)
{
    return a * 3;
}
static uint64_t h2(uint64_t a, uint64_t b)
{
    return a - b;
}
static uint64_t h3(uint64_t a, uint64_t b, uint64_t c)
{
    return a * 100 + b * 10 + c;
}
static uint64_t h4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return a ^ (b << 8) ^ (c << 16) ^ (d << 24);
}
static uint64_t h5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e;
}
static uint64_t h6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}
static uint32_t h32(uint32_t a, int32_t b)
{
    return a + (uint32_t)b;
}
static uint64_t h_sext(uint64_t a)
{
    return a; /* an I32 argument arrives sign-extended */
}
static void hvoid(void *env, uint64_t v)
{
    ((FakeEnv *)env)->r[7] = v; /* writes a global behind the IR's back */
}

#define HELPER(fn, n, ret, r64) \
    static const TcgHelperInfo info_##fn = { (void *)fn, #fn, 0, n, ret, r64 }
HELPER(h0, 0, true, true);
HELPER(h1, 1, true, true);
HELPER(h2, 2, true, true);
HELPER(h3, 3, true, true);
HELPER(h4, 4, true, true);
HELPER(h5, 5, true, true);
HELPER(h6, 6, true, true);
HELPER(h32, 2, true, false);
HELPER(h_sext, 1, true, true);
HELPER(hvoid, 2, false, false);

static void test_calls(void)
{
    for (int opt = 0; opt < 2; opt++) {
        FakeEnv env;
        env_init(&env);
        cur_env = &env;
        start();
        for (int i = 0; i < 8; i++) {
            env.r[i] = (uint64_t)(i + 1);
        }
        env.w[0] = 0xfffffff0; /* -16 */
        env.w[1] = 20;
        TcgTemp *t[7];
        for (int i = 0; i < 7; i++) {
            t[i] = tcg_temp_new_i64(ctx);
        }
        TcgTemp *args[6] = { R[0], R[1], R[2], R[3], R[4], tcg_constant_i64(ctx, 6) };
        tcg_gen_insn_start(ctx, 0x2000);
        tcg_gen_call0(ctx, &info_h0, t[0]);
        tcg_gen_call1(ctx, &info_h1, t[1], R[0]);
        tcg_gen_call2(ctx, &info_h2, t[2], R[0], R[1]);
        tcg_gen_call3(ctx, &info_h3, t[3], R[0], R[1], R[2]);
        tcg_gen_call4(ctx, &info_h4, t[4], R[0], R[1], R[2], R[3]);
        tcg_gen_call5(ctx, &info_h5, t[5], R[0], R[1], R[2], R[3], R[4]);
        tcg_gen_call(ctx, &info_h6, t[6], 6, args);
        TcgTemp *r32 = tcg_temp_new_i32(ctx);
        tcg_gen_call2(ctx, &info_h32, r32, W[0], W[1]);
        tcg_gen_mov(ctx, W[2], r32);
        TcgTemp *sext = tcg_temp_new_i64(ctx);
        TcgTemp *a32[1] = { W[0] };
        /* an I32 argument to a helper declared with a 64-bit parameter */
        tcg_gen_call(ctx, &info_h_sext, sext, 1, a32);
        tcg_gen_call2(ctx, &info_hvoid, NULL, ctx->env, tcg_constant_i64(ctx, 99));
        tcg_gen_add(ctx, R[6], R[7], tcg_constant_i64(ctx, 1)); /* sees hvoid's write */
        for (int i = 0; i < 6; i++) {
            tcg_gen_mov(ctx, R[i], t[i]);
        }
        tcg_gen_mov(ctx, R[7], t[6]);
        TcgTemp *s32 = tcg_temp_new_i32(ctx);
        tcg_gen_extrl_i64_i32(ctx, s32, sext);
        tcg_gen_mov(ctx, W[3], s32);
        TcgTemp *hi = tcg_temp_new_i64(ctx);
        tcg_gen_shri(ctx, hi, sext, 32);
        TcgTemp *hi32 = tcg_temp_new_i32(ctx);
        tcg_gen_extrl_i64_i32(ctx, hi32, hi);
        tcg_gen_mov(ctx, W[4], hi32);
        tcg_gen_exit_tb(ctx, 0);
        const void *code = gen(opt);
        be->exec(&env, code);
        g_assert_cmpuint(env.hdr.interp_pc, ==, 0);
        g_assert_cmphex(env.r[0], ==, 0x1234567890ull);
        g_assert_cmpuint(env.r[1], ==, 3);
        g_assert_cmpuint(env.r[2], ==, (uint64_t)-1);
        g_assert_cmpuint(env.r[3], ==, 123);
        g_assert_cmphex(env.r[4], ==, 1 ^ (2 << 8) ^ (3 << 16) ^ (4 << 24));
        g_assert_cmpuint(env.r[5], ==, 1 + 4 + 9 + 16 + 25);
        g_assert_cmpuint(env.r[7], ==, 1 + 4 + 9 + 16 + 25 + 36);
        g_assert_cmpuint(env.r[6], ==, 100);
        g_assert_cmpuint(env.w[2], ==, 4);
        g_assert_cmphex(env.w[3], ==, 0xfffffff0);
        g_assert_cmphex(env.w[4], ==, 0xffffffff);
        /* h0 saw interp_pc pointing into the blob, inside insn 0 */
        g_assert_cmpuint(env.seen_pc, >=, (uintptr_t)code);
        g_assert_cmpuint(env.seen_pc, <, (uintptr_t)code + last_info.insn_end[0]);
    }
}

/* ---- chaining ---- */

static const void *make_blob_set(uint64_t val, uintptr_t exit_val)
{
    start();
    tcg_gen_movi(ctx, R[1], (int64_t)val);
    tcg_gen_exit_tb(ctx, exit_val);
    return gen(true);
}

static void test_chain(void)
{
    FakeEnv env;
    env_init(&env);
    /* A: r0 += 1; goto_tb 0; exit_tb 0x1000 */
    start();
    tcg_gen_addi(ctx, R[0], R[0], 1);
    tcg_gen_goto_tb(ctx, 0);
    tcg_gen_exit_tb(ctx, 0x1000);
    const void *a = gen(true);
    TbCodeInfo ai = last_info;
    g_assert_cmpuint(ai.jmp_insn_offset[0] % 8, ==, 0);
    g_assert_cmpuint(ai.jmp_insn_offset[1], ==, TCG_NO_JUMP);
    g_assert_cmpuint(ai.jmp_reset_offset[0], ==, ai.jmp_insn_offset[0] + 8);
    const void *b = make_blob_set(42, 0x2000);

    g_assert_cmphex(be->exec(&env, a), ==, 0x1000);
    g_assert_cmpuint(env.r[0], ==, 1);
    g_assert_cmpuint(env.r[1], ==, 0);

    uintptr_t site = (uintptr_t)a + ai.jmp_insn_offset[0];
    be->patch_jump(&buf, site, (uintptr_t)b);
    g_assert_cmphex(be->exec(&env, a), ==, 0x2000);
    g_assert_cmpuint(env.r[0], ==, 2);
    g_assert_cmpuint(env.r[1], ==, 42);

    /* unchain: back to the fall-through */
    be->patch_jump(&buf, site, (uintptr_t)a + ai.jmp_reset_offset[0]);
    env.r[1] = 0;
    g_assert_cmphex(be->exec(&env, a), ==, 0x1000);
    g_assert_cmpuint(env.r[1], ==, 0);

    /* a self-loop through the chain: C: r0 += 1; if r0 >= 10 exit 2; goto_tb 1 */
    start();
    int out = tcg_new_label(ctx);
    tcg_gen_addi(ctx, R[0], R[0], 1);
    tcg_gen_brcondi(ctx, TCG_COND_GE, R[0], 10, out);
    tcg_gen_goto_tb(ctx, 1);
    tcg_gen_exit_tb(ctx, 0x3001);
    tcg_gen_set_label(ctx, out);
    tcg_gen_exit_tb(ctx, 0x3002);
    const void *c = gen(true);
    TbCodeInfo ci = last_info;
    g_assert_cmpuint(ci.jmp_insn_offset[0], ==, TCG_NO_JUMP);
    be->patch_jump(&buf, (uintptr_t)c + ci.jmp_insn_offset[1], (uintptr_t)c);
    env.r[0] = 0;
    g_assert_cmphex(be->exec(&env, c), ==, 0x3002);
    g_assert_cmpuint(env.r[0], ==, 10);
}

static uintptr_t fake_lookup(void *env)
{
    return ((FakeEnv *)env)->next_code;
}
static const TcgHelperInfo info_lookup = {
    (void *)fake_lookup, "lookup_tb_ptr", TCG_CALL_NO_WRITE_GLOBALS, 1, true, true
};

static void test_goto_ptr(void)
{
    FakeEnv env;
    env_init(&env);
    const void *b = make_blob_set(7, 0x5000);
    start();
    ctx->lookup_tb_helper = &info_lookup;
    tcg_gen_movi(ctx, R[2], 3);
    tcg_gen_lookup_and_goto_ptr(ctx);
    const void *a = gen(true);
    ctx->lookup_tb_helper = NULL;

    env.next_code = (uintptr_t)b;
    g_assert_cmphex(be->exec(&env, a), ==, 0x5000);
    g_assert_cmpuint(env.r[1], ==, 7);
    g_assert_cmpuint(env.r[2], ==, 3);
    g_assert_cmpuint(env.hdr.interp_pc, ==, 0);

    env.r[1] = 0;
    env.next_code = (uintptr_t)be->return_to_loop_addr();
    g_assert_cmphex(be->exec(&env, a), ==, 0);
    g_assert_cmpuint(env.r[1], ==, 0);
    g_assert_cmpuint(env.hdr.interp_pc, ==, 0);
}

/* The interpreter's own dead-op removal keeps everything with effects. */
static void test_effects_kept(void)
{
    FakeEnv env;
    env_init(&env);
    cur_env = &env;
    guest_start();
    memset(guest_mem, 0, sizeof(guest_mem));
    env.r[1] = GUEST_BASE_ADDR;
    TcgTemp *unused = tcg_temp_new_i64(ctx);
    tcg_gen_call0(ctx, &info_h0, unused); /* result unused, call stays */
    TcgTemp *ld = tcg_temp_new_i64(ctx);
    tcg_gen_qemu_ld(ctx, ld, R[1], MO_UQ, 0); /* may fault: stays */
    tcg_gen_qemu_st(ctx, tcg_constant_i64(ctx, 0x55), R[1], MO_UB, 0);
    tcg_gen_st(ctx, tcg_constant_i64(ctx, 0x66), ctx->env, offsetof(FakeEnv, r[4]), MO_UQ);
    TcgTemp *dead = tcg_temp_new_i64(ctx);
    tcg_gen_add(ctx, dead, R[1], R[1]);
    tcg_gen_exit_tb(ctx, 0);
    run(&env, false);
    g_assert_cmpuint(env.seen_pc, !=, 0);
    g_assert_cmpuint(guest_mem[0], ==, 0x55);
    g_assert_cmpuint(env.r[4], ==, 0x66);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interp/binops", test_binops);
    g_test_add_func("/interp/unops", test_unops);
    g_test_add_func("/interp/conversions", test_conversions);
    g_test_add_func("/interp/div-corners", test_div_corners);
    g_test_add_func("/interp/setcond-movcond-brcond", test_setcond_movcond_brcond);
    g_test_add_func("/interp/local-loop", test_local_loop);
    g_test_add_func("/interp/ld-st-env", test_ld_st_env);
    g_test_add_func("/interp/qemu-ld-st", test_qemu_ld_st);
    g_test_add_func("/interp/qemu-faults", test_qemu_faults);
    g_test_add_func("/interp/calls", test_calls);
    g_test_add_func("/interp/chain", test_chain);
    g_test_add_func("/interp/goto-ptr", test_goto_ptr);
    g_test_add_func("/interp/effects-kept", test_effects_kept);
    return g_test_run();
}
