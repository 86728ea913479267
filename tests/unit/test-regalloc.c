/*
 * Liveness + register allocator + x86-64 back end, end to end: IR snippets
 * are built with the builder, compiled into a real code buffer with the
 * back end's gen_code(), run on a fake cpu state through exec(), and their
 * results compared with C reference implementations.
 *
 * Run it twice (meson does): once with every host feature and once with
 * ROVE_X86_FEATURES=baseline, so both instruction choices are checked.
 */
#include <capstone/capstone.h>
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"
#include "tcg/x86_64/x86-asm.h"

#define NG 16
#define NV 512

typedef struct Env {
    TcgEnvHeader hdr;
    uint64_t g[NG];
    uint32_t w[NG];
    uint64_t in[NV];
    uint64_t out[NV];
} Env;

static CodeBuffer cbuf;
static TcgContext *ctx;
static TcgTemp *G[NG], *W[NG];
static Env env;

static void setup(void)
{
    size_t size = 64 << 20;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    g_assert(p != MAP_FAILED);
    cbuf.rw = cbuf.rx = p;
    cbuf.size = size;
    cbuf.used = 0;
    tcg_backend_x86_64.init(&cbuf);

    ctx = g_new0(TcgContext, 1);
    tcg_context_init(ctx);
    for (int i = 0; i < NG; i++) {
        G[i] = tcg_global_mem_new(ctx, TCG_I64, offsetof(Env, g[i]), "g");
    }
    for (int i = 0; i < NG; i++) {
        W[i] = tcg_global_mem_new(ctx, TCG_I32, offsetof(Env, w[i]), "w");
    }
}

static TbCodeInfo last_info;
static const uint8_t *last_code;
static int count_insns(const char *needle);

/* Compile the ops in ctx (appending exit_tb(ret) if asked) and run them. */
static const void *compile(void)
{
    const void *code = tcg_backend_x86_64.gen_code(ctx, &cbuf, &last_info);
    g_assert(code != NULL);
    cbuf.used += last_info.size;
    last_code = code;
    if (g_getenv("ROVE_TEST_DUMP")) {
        count_insns("");
    }
    return code;
}

static uintptr_t run(void)
{
    const void *code = compile();
    return tcg_backend_x86_64.exec(&env, code);
}

static void start(void)
{
    tcg_func_start(ctx);
    ctx->guest_base = 0;
    ctx->guest_addr_bits = 64;
    ctx->mem_fault_func = NULL;
}

/* Count instructions of the last TB whose text contains needle. */
static int count_insns(const char *needle)
{
    csh h;
    cs_insn *insn;
    int n = 0;
    g_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK);
    size_t cnt = cs_disasm(h, last_code, last_info.size, (uintptr_t)last_code, 0, &insn);
    for (size_t i = 0; i < cnt; i++) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s %s", insn[i].mnemonic, insn[i].op_str);
        if (strstr(buf, needle)) {
            n++;
        }
        if (g_test_verbose() || g_getenv("ROVE_TEST_DUMP")) {
            g_print("  %s\n", buf);
        }
    }
    cs_free(insn, cnt);
    cs_close(&h);
    return n;
}

/* ------------------------------------------------------------------ */
/* reference semantics */

static const TcgOpcode binops[] = {
    INDEX_op_add, INDEX_op_sub, INDEX_op_mul, INDEX_op_mulsh, INDEX_op_muluh,
    INDEX_op_div, INDEX_op_divu, INDEX_op_rem, INDEX_op_remu, INDEX_op_and,
    INDEX_op_or, INDEX_op_xor, INDEX_op_andc, INDEX_op_orc, INDEX_op_eqv,
    INDEX_op_shl, INDEX_op_shr, INDEX_op_sar, INDEX_op_rotl, INDEX_op_rotr,
    INDEX_op_clz, INDEX_op_ctz,
};

static const TcgOpcode unops[] = {
    INDEX_op_neg, INDEX_op_not, INDEX_op_ctpop, INDEX_op_bswap, INDEX_op_ext8s,
    INDEX_op_ext8u, INDEX_op_ext16s, INDEX_op_ext16u, INDEX_op_ext32s, INDEX_op_ext32u,
};

static const uint64_t edge[] = {
    0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 31, 32, 63, 64,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x123456789abcdef0ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0xfffffffffffffffeull, 0xffffffff80000000ull, 0xfedcba9876543210ull, 0x5555,
};
#define NEDGE ((int)G_N_ELEMENTS(edge))

static bool pair_ok(TcgOpcode opc, TcgType type, uint64_t a, uint64_t b)
{
    if (type == TCG_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    uint64_t min = type == TCG_I32 ? 0x80000000ull : 0x8000000000000000ull;
    uint64_t m1 = type == TCG_I32 ? 0xffffffffull : ~0ull;
    switch (opc) {
    case INDEX_op_div:
    case INDEX_op_rem:
        return b != 0 && !(a == min && b == m1);
    case INDEX_op_divu:
    case INDEX_op_remu:
        return b != 0;
    default:
        return true;
    }
}

static uint64_t ref64(TcgOpcode opc, uint64_t a, uint64_t b)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    unsigned n = b & 63;
    switch (opc) {
    case INDEX_op_add: return a + b;
    case INDEX_op_sub: return a - b;
    case INDEX_op_mul: return a * b;
    case INDEX_op_mulsh: return (uint64_t)(((__int128)sa * sb) >> 64);
    case INDEX_op_muluh: return (uint64_t)(((unsigned __int128)a * b) >> 64);
    case INDEX_op_div: return (uint64_t)(sa / sb);
    case INDEX_op_divu: return a / b;
    case INDEX_op_rem: return (uint64_t)(sa % sb);
    case INDEX_op_remu: return a % b;
    case INDEX_op_and: return a & b;
    case INDEX_op_or: return a | b;
    case INDEX_op_xor: return a ^ b;
    case INDEX_op_andc: return a & ~b;
    case INDEX_op_orc: return a | ~b;
    case INDEX_op_eqv: return ~(a ^ b);
    case INDEX_op_shl: return a << n;
    case INDEX_op_shr: return a >> n;
    case INDEX_op_sar: return (uint64_t)(sa >> n);
    case INDEX_op_rotl: return n ? (a << n) | (a >> (64 - n)) : a;
    case INDEX_op_rotr: return n ? (a >> n) | (a << (64 - n)) : a;
    case INDEX_op_clz: return a ? (uint64_t)__builtin_clzll(a) : b;
    case INDEX_op_ctz: return a ? (uint64_t)__builtin_ctzll(a) : b;
    case INDEX_op_neg: return -a;
    case INDEX_op_not: return ~a;
    case INDEX_op_ctpop: return (uint64_t)__builtin_popcountll(a);
    case INDEX_op_bswap: return __builtin_bswap64(a);
    case INDEX_op_ext8s: return (uint64_t)(int8_t)a;
    case INDEX_op_ext8u: return (uint8_t)a;
    case INDEX_op_ext16s: return (uint64_t)(int16_t)a;
    case INDEX_op_ext16u: return (uint16_t)a;
    case INDEX_op_ext32s: return (uint64_t)(int32_t)a;
    case INDEX_op_ext32u: return (uint32_t)a;
    default: g_assert_not_reached();
    }
}

static uint32_t ref32(TcgOpcode opc, uint32_t a, uint32_t b)
{
    int32_t sa = (int32_t)a, sb = (int32_t)b;
    unsigned n = b & 31;
    switch (opc) {
    case INDEX_op_mulsh: return (uint32_t)(((int64_t)sa * sb) >> 32);
    case INDEX_op_muluh: return (uint32_t)(((uint64_t)a * b) >> 32);
    case INDEX_op_div: return (uint32_t)(sa / sb);
    case INDEX_op_rem: return (uint32_t)(sa % sb);
    case INDEX_op_sar: return (uint32_t)(sa >> n);
    case INDEX_op_shr: return a >> n;
    case INDEX_op_shl: return a << n;
    case INDEX_op_rotl: return n ? (a << n) | (a >> (32 - n)) : a;
    case INDEX_op_rotr: return n ? (a >> n) | (a << (32 - n)) : a;
    case INDEX_op_clz: return a ? (uint32_t)__builtin_clz(a) : b;
    case INDEX_op_ctz: return a ? (uint32_t)__builtin_ctz(a) : b;
    case INDEX_op_ctpop: return (uint32_t)__builtin_popcount(a);
    case INDEX_op_bswap: return __builtin_bswap32(a);
    case INDEX_op_ext8s: return (uint32_t)(int8_t)a;
    case INDEX_op_ext16s: return (uint32_t)(int16_t)a;
    case INDEX_op_divu: return a / b;
    case INDEX_op_remu: return a % b;
    default: return (uint32_t)ref64(opc, a, b);
    }
}

static uint64_t ref(TcgOpcode opc, TcgType type, uint64_t a, uint64_t b)
{
    return type == TCG_I64 ? ref64(opc, a, b) : ref32(opc, (uint32_t)a, (uint32_t)b);
}

static void gen_binop(TcgOpcode opc, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgOp *op = tcg_emit_op(ctx, opc, d->type);
    op->args[0] = (TcgArg)tcg_temp_idx(ctx, d);
    op->args[1] = (TcgArg)tcg_temp_idx(ctx, a);
    op->args[2] = (TcgArg)tcg_temp_idx(ctx, b);
}

static void gen_unop(TcgOpcode opc, TcgTemp *d, TcgTemp *a)
{
    TcgOp *op = tcg_emit_op(ctx, opc, d->type);
    op->args[0] = (TcgArg)tcg_temp_idx(ctx, d);
    op->args[1] = (TcgArg)tcg_temp_idx(ctx, a);
}

static MemOp mo_of(TcgType type)
{
    return type == TCG_I64 ? MO_64 : MO_32;
}

static TcgTemp *ld_in(TcgType type, int k)
{
    TcgTemp *t = tcg_temp_new(ctx, type);
    tcg_gen_ld(ctx, t, ctx->env, (int32_t)offsetof(Env, in[k]), mo_of(type));
    return t;
}

static void st_out(TcgTemp *t, int k)
{
    tcg_gen_st(ctx, t, ctx->env, (int32_t)offsetof(Env, out[k]), mo_of(t->type));
}

/*
 * Operand forms.  Each TB evaluates a group of pairs with every input
 * loaded up front, so the group's values are live together (register
 * pressure, spills, fixed-register conflicts).
 */
enum {
    F_RR,       /* d = a op b */
    F_RC,       /* d = a op const */
    F_CR,       /* d = const op b */
    F_INPLACE0, /* a = a op b */
    F_INPLACE1, /* b = a op b */
    F_SAME,     /* d = a op a */
    F_GLOBAL,   /* g0 = g1 op g2, g1/g2 used afterwards */
    F_MEM,      /* d = ga op gb, globals read once: memory operands */
    F_MEM_C,    /* d = ga op const */
    F_C_MEM,    /* d = const op gb */
    F_MEM_SAME, /* d = ga op ga */
    F_NB,
};

static const char *const form_names[F_NB] = {
    "rr", "rc", "cr", "inplace0", "inplace1", "same", "global", "mem", "mem-c", "c-mem",
    "mem-same",
};

static bool form_mem(int form)
{
    return form >= F_MEM;
}

static void set_global(TcgType type, int k, uint64_t v)
{
    if (type == TCG_I64) {
        env.g[k] = v;
    } else {
        env.w[k] = (uint32_t)v;
    }
}

static int check_binop_group(TcgOpcode opc, TcgType type, int form, const uint64_t *pa,
                             const uint64_t *pb, int n)
{
    TcgTemp *ta[16], *tb[16];
    start();
    memset(&env, 0, sizeof(env));
    if (form == F_GLOBAL) {
        for (int i = 0; i < n; i++) {
            TcgTemp *g1 = type == TCG_I64 ? G[1] : W[1];
            TcgTemp *g2 = type == TCG_I64 ? G[2] : W[2];
            TcgTemp *g0 = type == TCG_I64 ? G[0] : W[0];
            TcgTemp *x = tcg_temp_new(ctx, type);
            tcg_gen_ld(ctx, x, ctx->env, (int32_t)offsetof(Env, in[2 * i]), mo_of(type));
            tcg_gen_mov(ctx, g1, x);
            tcg_gen_ld(ctx, x, ctx->env, (int32_t)offsetof(Env, in[2 * i + 1]), mo_of(type));
            tcg_gen_mov(ctx, g2, x);
            gen_binop(opc, g0, g1, g2);
            st_out(g0, i);
            /* keep g1/g2 live: their registers must survive the op */
            TcgTemp *y = tcg_temp_new(ctx, type);
            tcg_gen_xor(ctx, y, g1, g2);
            st_out(y, 32 + i);
            env.in[2 * i] = pa[i];
            env.in[2 * i + 1] = pb[i];
        }
    } else if (form_mem(form)) {
        TcgTemp **gl = type == TCG_I64 ? G : W;
        for (int i = 0; i < n; i++) {
            TcgTemp *a = form == F_C_MEM ? tcg_constant(ctx, type, (int64_t)pa[i]) : gl[2 * i];
            TcgTemp *b = form == F_MEM_C ? tcg_constant(ctx, type, (int64_t)pb[i])
                         : form == F_MEM_SAME ? a : gl[2 * i + 1];
            set_global(type, 2 * i, pa[i]);
            set_global(type, 2 * i + 1, pb[i]);
            TcgTemp *d = tcg_temp_new(ctx, type);
            gen_binop(opc, d, a, b);
            st_out(d, i);
        }
    } else {
        for (int i = 0; i < n; i++) {
            ta[i] = form == F_CR ? tcg_constant(ctx, type, (int64_t)pa[i]) : ld_in(type, 2 * i);
            tb[i] = form == F_RC ? tcg_constant(ctx, type, (int64_t)pb[i])
                                 : ld_in(type, 2 * i + 1);
            env.in[2 * i] = pa[i];
            env.in[2 * i + 1] = form == F_SAME ? pa[i] : pb[i];
        }
        for (int i = 0; i < n; i++) {
            TcgTemp *d;
            switch (form) {
            case F_INPLACE0:
                d = ta[i];
                gen_binop(opc, d, ta[i], tb[i]);
                break;
            case F_INPLACE1:
                d = tb[i];
                gen_binop(opc, d, ta[i], tb[i]);
                break;
            case F_SAME:
                d = tcg_temp_new(ctx, type);
                gen_binop(opc, d, ta[i], ta[i]);
                break;
            default:
                d = tcg_temp_new(ctx, type);
                gen_binop(opc, d, ta[i], tb[i]);
                break;
            }
            st_out(d, i);
        }
    }
    tcg_gen_exit_tb(ctx, 0);
    run();

    int fails = 0;
    for (int i = 0; i < n; i++) {
        uint64_t b = (form == F_SAME || form == F_MEM_SAME) ? pa[i] : pb[i];
        uint64_t want = ref(opc, type, pa[i], b);
        uint64_t got = env.out[i];
        if (type == TCG_I32) {
            got = (uint32_t)got;
        }
        if (got != want) {
            if (fails++ < 5) {
                g_printerr("%s %s form %s: %#llx, %#llx -> %#llx, want %#llx\n",
                           tcg_op_defs[opc].name, type == TCG_I64 ? "i64" : "i32",
                           form_names[form], (unsigned long long)pa[i],
                           (unsigned long long)b, (unsigned long long)got,
                           (unsigned long long)want);
            }
        }
        if (form == F_GLOBAL) {
            uint64_t x = pa[i] ^ pb[i];
            if (type == TCG_I32) {
                x = (uint32_t)x;
            }
            uint64_t gx = type == TCG_I32 ? (uint32_t)env.out[32 + i] : env.out[32 + i];
            if (gx != x && fails++ < 5) {
                g_printerr("%s global form: inputs clobbered\n", tcg_op_defs[opc].name);
            }
        }
    }
    return fails;
}

static void test_binops(void)
{
    int fails = 0;
    for (size_t oi = 0; oi < G_N_ELEMENTS(binops); oi++) {
        TcgOpcode opc = binops[oi];
        for (int type = TCG_I32; type <= TCG_I64; type++) {
            for (int form = 0; form < F_NB; form++) {
                uint64_t pa[16], pb[16];
                int n = 0;
                for (int i = 0; i < NEDGE; i++) {
                    for (int j = 0; j < NEDGE; j++) {
                        uint64_t a = edge[i], b = edge[j];
                        bool same = form == F_SAME || form == F_MEM_SAME;
                        if (same) {
                            b = a;
                        }
                        if (!pair_ok(opc, (TcgType)type, a, b) || (same && j > 0)) {
                            continue;
                        }
                        pa[n] = a;
                        pb[n] = b;
                        if (++n == (form_mem(form) ? NG / 2 : 12)) {
                            fails += check_binop_group(opc, (TcgType)type, form, pa, pb, n);
                            n = 0;
                        }
                    }
                }
                if (n) {
                    fails += check_binop_group(opc, (TcgType)type, form, pa, pb, n);
                }
            }
        }
    }
    g_assert_cmpint(fails, ==, 0);
}

/* clz/ctz with the "value if zero" equal to the width: the tzcnt/lzcnt-only
 * form. */
static void test_clz_width(void)
{
    for (int type = TCG_I32; type <= TCG_I64; type++) {
        int w = type == TCG_I64 ? 64 : 32;
        start();
        memset(&env, 0, sizeof(env));
        for (int i = 0; i < NEDGE; i++) {
            TcgTemp *a = ld_in((TcgType)type, i);
            TcgTemp *d = tcg_temp_new(ctx, (TcgType)type);
            gen_binop(INDEX_op_clz, d, a, tcg_constant(ctx, (TcgType)type, w));
            st_out(d, i);
            TcgTemp *e = tcg_temp_new(ctx, (TcgType)type);
            gen_binop(INDEX_op_ctz, e, a, tcg_constant(ctx, (TcgType)type, w));
            st_out(e, 100 + i);
            env.in[i] = edge[i];
        }
        tcg_gen_exit_tb(ctx, 0);
        run();
        for (int i = 0; i < NEDGE; i++) {
            uint64_t m = type == TCG_I64 ? ~0ull : 0xffffffffull;
            g_assert_cmphex(env.out[i] & m, ==, ref(INDEX_op_clz, (TcgType)type, edge[i], w));
            g_assert_cmphex(env.out[100 + i] & m, ==,
                            ref(INDEX_op_ctz, (TcgType)type, edge[i], w));
        }
    }
}

static void test_unops(void)
{
    for (size_t oi = 0; oi < G_N_ELEMENTS(unops); oi++) {
        TcgOpcode opc = unops[oi];
        for (int type = TCG_I32; type <= TCG_I64; type++) {
            if (type == TCG_I32 && (opc == INDEX_op_ext32s || opc == INDEX_op_ext32u)) {
                continue;
            }
            /* form 0: operands in registers; 1: globals read once (memory) */
            for (int form = 0; form < 2; form++) {
                int n = form ? NG : NEDGE;
                start();
                memset(&env, 0, sizeof(env));
                TcgTemp *t[NEDGE];
                for (int i = 0; i < n; i++) {
                    if (form) {
                        t[i] = (type == TCG_I64 ? G : W)[i];
                        set_global((TcgType)type, i, edge[i]);
                    } else {
                        t[i] = ld_in((TcgType)type, i);
                        env.in[i] = edge[i];
                    }
                }
                for (int i = 0; i < n; i++) {
                    TcgTemp *d = (i & 1) && !form ? t[i] : tcg_temp_new(ctx, (TcgType)type);
                    gen_unop(opc, d, t[i]);
                    st_out(d, i);
                }
                tcg_gen_exit_tb(ctx, 0);
                run();
                for (int i = 0; i < n; i++) {
                    uint64_t m = type == TCG_I64 ? ~0ull : 0xffffffffull;
                    uint64_t want = ref(opc, (TcgType)type, edge[i], 0);
                    if ((env.out[i] & m) != want) {
                        g_error("%s %d form %d: %#llx -> %#llx want %#llx",
                                tcg_op_defs[opc].name, type, form, (unsigned long long)edge[i],
                                (unsigned long long)env.out[i], (unsigned long long)want);
                    }
                }
            }
        }
    }
}

static void test_conversions(void)
{
    start();
    memset(&env, 0, sizeof(env));
    for (int i = 0; i < NEDGE; i++) {
        /* the first few straight from globals in memory */
        TcgTemp *a64 = i < 4 ? G[i] : ld_in(TCG_I64, i);
        TcgTemp *a32 = tcg_temp_new_i32(ctx);
        if (i < 4) {
            env.g[i] = edge[i];
            if (i == 3) {
                a32 = W[3]; /* extu/exts from an I32 global in memory */
                env.w[3] = (uint32_t)edge[i];
            } else {
                tcg_gen_extrl_i64_i32(ctx, a32, a64);
            }
        } else {
            tcg_gen_extrl_i64_i32(ctx, a32, a64);
        }
        TcgTemp *z = tcg_temp_new_i64(ctx), *s = tcg_temp_new_i64(ctx);
        tcg_gen_extu_i32_i64(ctx, z, a32);
        tcg_gen_exts_i32_i64(ctx, s, a32);
        st_out(z, i);
        st_out(s, 100 + i);
        env.in[i] = edge[i];
    }
    tcg_gen_exit_tb(ctx, 0);
    run();
    for (int i = 0; i < NEDGE; i++) {
        g_assert_cmphex(env.out[i], ==, (uint32_t)edge[i]);
        g_assert_cmphex(env.out[100 + i], ==, (uint64_t)(int64_t)(int32_t)edge[i]);
    }
}

/* setcond, movcond and brcond for every condition and operand form. */
static void test_conditions(void)
{
    for (int type = TCG_I32; type <= TCG_I64; type++) {
        for (int cond = TCG_COND_NEVER; cond <= TCG_COND_GTU; cond++) {
            for (int form = 0; form < 5; form++) {
                /* 0: regs, 1: const b, 2: b == 0, 3: globals in memory,
                 * 4: global vs const */
                for (int base = 0; base < NEDGE; base += 4) {
                    start();
                    memset(&env, 0, sizeof(env));
                    int n = 0;
                    uint64_t pa[4 * NEDGE], pb[4 * NEDGE];
                    for (int i = base; i < base + 4 && i < NEDGE; i++) {
                        for (int j = 0; j < NEDGE; j += 3) {
                            if (form >= 3 && n == NG / 4) {
                                break;
                            }
                            pa[n] = edge[i];
                            pb[n] = form == 2 ? 0 : edge[j];
                            n++;
                        }
                    }
                    TcgTemp **gl = type == TCG_I64 ? G : W;
                    for (int k = 0; k < n; k++) {
                        TcgType ty = (TcgType)type;
                        TcgTemp *a, *b;
                        if (form >= 3) {
                            /* each global once per use: setcond, movcond, brcond
                             * read copies kept in four globals per pair */
                            for (int u = 0; u < 2; u++) {
                                set_global(ty, 4 * k + 2 * u, pa[k]);
                                set_global(ty, 4 * k + 2 * u + 1, pb[k]);
                            }
                            a = gl[4 * k];
                            b = form == 3 ? gl[4 * k + 1] : tcg_constant(ctx, ty, (int64_t)pb[k]);
                        } else {
                            a = ld_in(ty, 2 * k);
                            b = form == 0 ? ld_in(ty, 2 * k + 1)
                                          : tcg_constant(ctx, ty, (int64_t)pb[k]);
                        }
                        env.in[2 * k] = pa[k];
                        env.in[2 * k + 1] = pb[k];
                        TcgTemp *d = tcg_temp_new(ctx, ty);
                        tcg_gen_setcond(ctx, (TcgCond)cond, d, a, b);
                        st_out(d, k);
                        TcgTemp *v1 = tcg_constant(ctx, ty, 111);
                        TcgTemp *v2 = ld_in(ty, 300);
                        TcgTemp *m = tcg_temp_new(ctx, ty);
                        if (form >= 3) {
                            a = gl[4 * k + 2];
                            b = form == 3 ? gl[4 * k + 3] : b;
                        }
                        tcg_gen_movcond(ctx, (TcgCond)cond, m, a, b, v1, v2);
                        st_out(m, 100 + k);
                    }
                    env.in[300] = 222;
                    /* brcond: out[200 + k] = cond ? 1 : 2 via branches */
                    for (int k = 0; k < n; k++) {
                        TcgType ty = (TcgType)type;
                        int l_true = tcg_new_label(ctx), l_end = tcg_new_label(ctx);
                        TcgTemp *a = ld_in(ty, 2 * k);
                        TcgTemp *b = form == 0 ? ld_in(ty, 2 * k + 1)
                                               : tcg_constant(ctx, ty, (int64_t)pb[k]);
                        if (form >= 3) {
                            /* globals were read above: brcond on the env copies
                             * in memory would be the same values */
                            a = (type == TCG_I64 ? G : W)[4 * k];
                            b = form == 3 ? (type == TCG_I64 ? G : W)[4 * k + 1] : b;
                        }
                        tcg_gen_brcond(ctx, (TcgCond)cond, a, b, l_true);
                        tcg_gen_st(ctx, tcg_constant_i64(ctx, 2), ctx->env,
                                   (int32_t)offsetof(Env, out[200 + k]), MO_64);
                        tcg_gen_br(ctx, l_end);
                        tcg_gen_set_label(ctx, l_true);
                        tcg_gen_st(ctx, tcg_constant_i64(ctx, 1), ctx->env,
                                   (int32_t)offsetof(Env, out[200 + k]), MO_64);
                        tcg_gen_set_label(ctx, l_end);
                    }
                    tcg_gen_exit_tb(ctx, 0);
                    run();
                    for (int k = 0; k < n; k++) {
                        bool r = tcg_cond_eval((TcgCond)cond, (TcgType)type, pa[k], pb[k]);
                        uint64_t m = type == TCG_I64 ? ~0ull : 0xffffffffull;
                        if ((env.out[k] & m) != r || (env.out[100 + k] & m) != (r ? 111 : 222) ||
                            env.out[200 + k] != (r ? 1u : 2u)) {
                            g_error("cond %s type %d form %d: %#llx %#llx: set %llu mov %llu "
                                    "br %llu", tcg_cond_name((TcgCond)cond), type, form,
                                    (unsigned long long)pa[k], (unsigned long long)pb[k],
                                    (unsigned long long)env.out[k],
                                    (unsigned long long)env.out[100 + k],
                                    (unsigned long long)env.out[200 + k]);
                        }
                    }
                }
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* globals */

static void test_global_kept(void)
{
    start();
    memset(&env, 0, sizeof(env));
    env.g[3] = 1000;
    for (int i = 0; i < 10; i++) {
        tcg_gen_addi(ctx, G[3], G[3], 7);
    }
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpuint(env.g[3], ==, 1070);
    char needle[64];
    snprintf(needle, sizeof(needle), "qword ptr [rbp + 0x%zx]", offsetof(Env, g[3]));
    g_assert_cmpint(count_insns(needle), ==, 2); /* one load, one store */
}

/* Globals stay in registers across a conditional branch's fall-through and
 * are synced (not reloaded) there; the taken edge sees memory. */
static void test_global_branches(void)
{
    start();
    memset(&env, 0, sizeof(env));
    env.g[0] = 5;
    env.g[1] = 0;
    int l = tcg_new_label(ctx);
    tcg_gen_addi(ctx, G[1], G[0], 1);                    /* g1 = 6 */
    tcg_gen_brcondi(ctx, TCG_COND_EQ, G[1], 7, l);       /* not taken */
    tcg_gen_addi(ctx, G[1], G[1], 1);                    /* g1 = 7 */
    tcg_gen_brcondi(ctx, TCG_COND_EQ, G[1], 7, l);       /* taken */
    tcg_gen_movi(ctx, G[2], 99);                         /* skipped */
    tcg_gen_set_label(ctx, l);
    tcg_gen_add(ctx, G[4], G[1], G[0]);                  /* 12 */
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpuint(env.g[1], ==, 7);
    g_assert_cmpuint(env.g[2], ==, 0);
    g_assert_cmpuint(env.g[4], ==, 12);
}

/* A loop with a TEMP_LOCAL counter and accumulator across labels. */
static void test_local_loop(void)
{
    start();
    memset(&env, 0, sizeof(env));
    TcgTemp *i = tcg_temp_new_local(ctx, TCG_I64);
    TcgTemp *sum = tcg_temp_new_local(ctx, TCG_I64);
    TcgTemp *s32 = tcg_temp_new_local(ctx, TCG_I32);
    tcg_gen_movi(ctx, i, 0);
    tcg_gen_movi(ctx, sum, 0);
    tcg_gen_movi(ctx, s32, 0);
    int top = tcg_new_label(ctx), done = tcg_new_label(ctx);
    tcg_gen_set_label(ctx, top);
    tcg_gen_brcondi(ctx, TCG_COND_GE, i, 100, done);
    tcg_gen_addi(ctx, i, i, 1);
    tcg_gen_add(ctx, sum, sum, i);
    TcgTemp *t = tcg_temp_new_i32(ctx);
    tcg_gen_extrl_i64_i32(ctx, t, i);
    tcg_gen_add(ctx, s32, s32, t);
    tcg_gen_add(ctx, G[5], G[5], i);  /* global updated every iteration */
    tcg_gen_br(ctx, top);
    tcg_gen_set_label(ctx, done);
    st_out(sum, 0);
    st_out(s32, 1);
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpuint(env.out[0], ==, 5050);
    g_assert_cmpuint((uint32_t)env.out[1], ==, 5050);
    g_assert_cmpuint(env.g[5], ==, 5050);
}

/* ------------------------------------------------------------------ */
/* calls */

static uint64_t helper6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                        uint64_t f)
{
    /* Check the stack alignment the ABI promises. */
    g_assert(((uintptr_t)__builtin_frame_address(0) & 15) == 0);
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

static uint64_t helper_write_g(void *e)
{
    Env *p = e;
    uint64_t old = p->g[6];
    p->g[6] = old * 2 + 1;
    return old;
}

static uint32_t helper_add32(uint32_t a, uint32_t b)
{
    return a + b;
}

static const TcgHelperInfo h6 = { (void *)helper6, "h6", TCG_CALL_PURE, 6, true, true };
static const TcgHelperInfo hwg = { (void *)helper_write_g, "hwg", 0, 1, true, true };
static const TcgHelperInfo ha32 = { (void *)helper_add32, "ha32", TCG_CALL_NO_RWG, 2, true,
                                    false };

static void test_calls(void)
{
    start();
    memset(&env, 0, sizeof(env));
    /* Many values live across calls (more than the callee-saved registers). */
    TcgTemp *v[12];
    for (int i = 0; i < 12; i++) {
        v[i] = ld_in(TCG_I64, i);
        env.in[i] = 0x1000 * (i + 1) + i;
    }
    /* Arguments in a rotated order so the parallel move sees cycles. */
    TcgTemp *r = tcg_temp_new_i64(ctx);
    TcgTemp *args[6] = { v[5], v[4], v[3], v[2], v[1], v[0] };
    tcg_gen_call(ctx, &h6, r, 6, args);
    st_out(r, 20);
    /* Same temp twice and constants as arguments. */
    TcgTemp *args2[6] = { v[7], v[7], tcg_constant_i64(ctx, 1), v[8],
                          tcg_constant_i64(ctx, 0x123456789ll), ctx->env };
    TcgTemp *r2 = tcg_temp_new_i64(ctx);
    tcg_gen_call(ctx, &h6, r2, 6, args2);
    st_out(r2, 21);
    /* A helper that writes a global: g6 is dirty before, reloaded after. */
    tcg_gen_movi(ctx, G[6], 20);
    tcg_gen_addi(ctx, G[6], G[6], 1);
    TcgTemp *old = tcg_temp_new_i64(ctx);
    tcg_gen_call1(ctx, &hwg, old, ctx->env);
    st_out(old, 22);
    tcg_gen_addi(ctx, G[7], G[6], 1000);
    /* 32-bit helper */
    TcgTemp *a32 = tcg_temp_new_i32(ctx), *r32 = tcg_temp_new_i32(ctx);
    tcg_gen_extrl_i64_i32(ctx, a32, v[9]);
    tcg_gen_call2(ctx, &ha32, r32, a32, tcg_constant_i32(ctx, -5));
    st_out(r32, 23);
    for (int i = 0; i < 12; i++) {
        st_out(v[i], 40 + i);
    }
    tcg_gen_exit_tb(ctx, 0);
    run();
    uint64_t *in = env.in;
    g_assert_cmphex(env.out[20], ==, helper6(in[5], in[4], in[3], in[2], in[1], in[0]));
    g_assert_cmphex(env.out[21], ==,
                    in[7] + 2 * in[7] + 3 + 4 * in[8] + 5 * 0x123456789ull +
                        6 * (uint64_t)(uintptr_t)&env);
    g_assert_cmpuint(env.out[22], ==, 21);
    g_assert_cmpuint(env.g[6], ==, 43);
    g_assert_cmpuint(env.g[7], ==, 1043);
    g_assert_cmphex((uint32_t)env.out[23], ==, (uint32_t)in[9] - 5);
    for (int i = 0; i < 12; i++) {
        g_assert_cmphex(env.out[40 + i], ==, in[i]);
    }
}

/* More live values than registers: spills and reloads. */
static void test_spills(void)
{
    enum { N = 48 };
    start();
    memset(&env, 0, sizeof(env));
    TcgTemp *v[N];
    for (int i = 0; i < N; i++) {
        v[i] = ld_in(i & 1 ? TCG_I32 : TCG_I64, i);
        env.in[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
    }
    /* Use them in reverse, with fixed-register ops in between. */
    TcgTemp *acc = tcg_temp_new_i64(ctx);
    TcgTemp *acc32 = tcg_temp_new_i32(ctx);
    tcg_gen_movi(ctx, acc, 0);
    tcg_gen_movi(ctx, acc32, 0);
    for (int i = N - 1; i >= 0; i--) {
        if (i & 1) {
            tcg_gen_add(ctx, acc32, acc32, v[i]);
            tcg_gen_shl(ctx, acc32, acc32, tcg_constant_i32(ctx, 1));
        } else {
            tcg_gen_xor(ctx, acc, acc, v[i]);
            TcgTemp *q = tcg_temp_new_i64(ctx);
            tcg_gen_divu(ctx, q, acc, tcg_constant_i64(ctx, 3));
            tcg_gen_add(ctx, acc, acc, q);
        }
    }
    st_out(acc, 100);
    st_out(acc32, 101);
    tcg_gen_exit_tb(ctx, 0);
    run();
    uint64_t a = 0;
    uint32_t a32 = 0;
    for (int i = N - 1; i >= 0; i--) {
        if (i & 1) {
            a32 = (a32 + (uint32_t)env.in[i]) << 1;
        } else {
            a ^= env.in[i];
            a += a / 3;
        }
    }
    g_assert_cmphex(env.out[100], ==, a);
    g_assert_cmphex((uint32_t)env.out[101], ==, a32);
}

/* ------------------------------------------------------------------ */
/* guest memory */

static sigjmp_buf fault_jmp;
static struct {
    uint64_t addr;
    uint32_t flags;
    uintptr_t pc;
} fault;

static void fault_func(void *e, uint64_t addr, uint32_t flags, uintptr_t pc)
{
    g_assert(e == &env);
    fault.addr = addr;
    fault.flags = flags;
    fault.pc = pc;
    siglongjmp(fault_jmp, 1);
}

static const MemOp mem_ops[] = {
    MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_SL, MO_UQ,
    MO_UW | MO_BSWAP, MO_SW | MO_BSWAP, MO_UL | MO_BSWAP, MO_SL | MO_BSWAP,
    MO_UQ | MO_BSWAP,
};

static uint64_t ref_load(const uint8_t *p, MemOp mop, TcgType type)
{
    int n = 1 << (mop & MO_SIZE);
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        int k = (mop & MO_BSWAP) ? n - 1 - i : i;
        v |= (uint64_t)p[k] << (8 * i);
    }
    if ((mop & MO_SIGN) && n < 8) {
        v = (uint64_t)((int64_t)(v << (64 - 8 * n)) >> (64 - 8 * n));
    }
    return type == TCG_I32 ? (uint32_t)v : v;
}

/* guest_base variants: 0 (absolute), small (disp32), large (register). */
static void run_guest_mem(uint8_t *host, uintptr_t gbase, uint64_t gaddr, unsigned bits)
{
    for (int type = TCG_I32; type <= TCG_I64; type++) {
        start();
        ctx->guest_base = gbase;
        ctx->guest_addr_bits = bits;
        ctx->mem_fault_func = fault_func;
        memset(&env, 0, sizeof(env));
        for (int i = 0; i < 64; i++) {
            host[i] = (uint8_t)(0x81 + 13 * i);
        }
        int k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            TcgTemp *addr = ld_in(TCG_I64, k);
            env.in[k] = gaddr + (uint64_t)(3 * m + 1);
            TcgTemp *d = tcg_temp_new(ctx, (TcgType)type);
            tcg_gen_qemu_ld(ctx, d, addr, mop, 0);
            st_out(d, k);
            /* store it back byte-swapped or not at +32, through a const addr too */
            TcgTemp *a2 = tcg_temp_new_i64(ctx);
            tcg_gen_addi(ctx, a2, addr, 0x100);
            tcg_gen_qemu_st(ctx, d, a2, mop, 0);
            tcg_gen_qemu_st(ctx, tcg_constant(ctx, (TcgType)type, 0x1122334455667788ll),
                            tcg_constant_i64(ctx, (int64_t)(gaddr + 0x200 + 8 * m)),
                            mop & ~MO_SIGN, 0);
            k++;
        }
        tcg_gen_exit_tb(ctx, 0);
        if (sigsetjmp(fault_jmp, 1)) {
            g_error("unexpected guest fault at %#llx", (unsigned long long)fault.addr);
        }
        run();
        k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            const uint8_t *p = host + 3 * m + 1;
            uint64_t want = ref_load(p, mop, (TcgType)type);
            uint64_t got = type == TCG_I32 ? (uint32_t)env.out[k] : env.out[k];
            g_assert_cmphex(got, ==, want);
            int n = 1 << (mop & MO_SIZE);
            g_assert(memcmp(host + 0x100 + 3 * m + 1, p, n) == 0);
            uint64_t c = type == TCG_I32 ? 0x55667788ull : 0x1122334455667788ull;
            g_assert_cmphex(ref_load(host + 0x200 + 8 * m, mop & ~MO_SIGN, TCG_I64), ==,
                            c & (n == 8 ? ~0ull : (1ull << (8 * n)) - 1));
            k++;
        }
    }
}

static void expect_fault(uintptr_t gbase, unsigned bits, uint64_t addr, MemOp mop,
                         bool store, uint32_t want_flags, bool const_addr)
{
    start();
    ctx->guest_base = gbase;
    ctx->guest_addr_bits = bits;
    ctx->mem_fault_func = fault_func;
    memset(&env, 0, sizeof(env));
    tcg_gen_insn_start(ctx, 0x1000);
    TcgTemp *a = const_addr ? tcg_constant_i64(ctx, (int64_t)addr) : ld_in(TCG_I64, 0);
    env.in[0] = addr;
    tcg_gen_movi(ctx, G[0], 77); /* dirty global: must be in memory at the fault */
    tcg_gen_insn_start(ctx, 0x1004);
    if (store) {
        tcg_gen_qemu_st(ctx, tcg_constant_i64(ctx, 5), a, mop, 0);
    } else {
        TcgTemp *d = tcg_temp_new_i64(ctx);
        tcg_gen_qemu_ld(ctx, d, a, mop, 0);
        st_out(d, 0);
    }
    tcg_gen_insn_start(ctx, 0x1008);
    tcg_gen_movi(ctx, G[0], 78);
    tcg_gen_exit_tb(ctx, 0);
    const void *code = compile();
    memset(&fault, 0, sizeof(fault));
    if (sigsetjmp(fault_jmp, 1) == 0) {
        tcg_backend_x86_64.exec(&env, code);
        g_error("no fault for %#llx", (unsigned long long)addr);
    }
    g_assert_cmphex(fault.addr, ==, addr);
    g_assert_cmpuint(fault.flags, ==, want_flags);
    g_assert_cmpuint(env.g[0], ==, 77);
    /* The reported host pc belongs to the second guest insn. */
    uintptr_t off = fault.pc - (uintptr_t)code;
    g_assert_cmpint(last_info.nb_insns, ==, 3);
    g_assert(off >= last_info.insn_end[0] && off < last_info.insn_end[1]);
}

static void test_guest_mem(void)
{
    size_t size = 1 << 20;
    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(mem != MAP_FAILED);

    /* Large guest_base: in a register. */
    run_guest_mem(mem, (uintptr_t)mem, 0, 20);
    /* guest_base 0, no bounds check: the address is the host address. */
    run_guest_mem(mem, 0, (uintptr_t)mem, 64);
    /* Small guest_base: a displacement. */
    run_guest_mem(mem, 0x1000, (uintptr_t)mem - 0x1000, 64);
    /* Bounds check with a displacement base as well. */
    run_guest_mem(mem, 0x1000, (uintptr_t)mem - 0x1000, 63);

    for (int k = 0; k < 2; k++) {
        /* k = 1: constant addresses, checked at translation time */
        expect_fault((uintptr_t)mem, 20, 1 << 20, MO_UB, false, 0, k);
        expect_fault((uintptr_t)mem, 20, ~0ull, MO_UQ, true, 1, k);
        expect_fault((uintptr_t)mem, 20, 0x1001, MO_UL | MO_ALIGN, false, 2, k);
        expect_fault((uintptr_t)mem, 20, 0x1002, MO_UQ | MO_ALIGN, true, 3, k);
        expect_fault((uintptr_t)mem, 20, 0x1001, MO_UW | MO_ALIGN | MO_BSWAP, true, 3, k);
        expect_fault(0x1000, 32, 0x100000000ull, MO_UL, false, 0, k);
    }

    /* Aligned MO_ALIGN accesses and the top byte of the space pass. */
    start();
    ctx->guest_base = (uintptr_t)mem;
    ctx->guest_addr_bits = 20;
    ctx->mem_fault_func = fault_func;
    mem[size - 1] = 0x5a;
    *(uint64_t *)(mem + 0x2000) = 0x0102030405060708ull;
    TcgTemp *d = tcg_temp_new_i64(ctx), *e = tcg_temp_new_i64(ctx);
    tcg_gen_qemu_ld(ctx, d, tcg_constant_i64(ctx, (int64_t)size - 1), MO_UB, 0);
    tcg_gen_qemu_ld(ctx, e, tcg_constant_i64(ctx, 0x2000), MO_UQ | MO_ALIGN, 0);
    st_out(d, 0);
    st_out(e, 1);
    tcg_gen_exit_tb(ctx, 0);
    if (sigsetjmp(fault_jmp, 1)) {
        g_error("unexpected fault");
    }
    run();
    g_assert_cmphex(env.out[0], ==, 0x5a);
    g_assert_cmphex(env.out[1], ==, 0x0102030405060708ull);
    munmap(mem, size);
}

/* ld/st of the cpu state with every size, sign and byte order. */
static void test_env_ld_st(void)
{
    for (int type = TCG_I32; type <= TCG_I64; type++) {
        start();
        memset(&env, 0, sizeof(env));
        uint8_t *bytes = (uint8_t *)&env.in[0];
        for (int i = 0; i < 64; i++) {
            bytes[i] = (uint8_t)(0x91 + 7 * i);
        }
        int k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            TcgTemp *d = tcg_temp_new(ctx, (TcgType)type);
            tcg_gen_ld(ctx, d, ctx->env, (int32_t)(offsetof(Env, in) + m * 3), mop);
            st_out(d, 10 + k);
            tcg_gen_st(ctx, d, ctx->env, (int32_t)(offsetof(Env, in[32]) + 8 * m), mop);
            tcg_gen_st(ctx, tcg_constant(ctx, (TcgType)type, -0x1234567), ctx->env,
                       (int32_t)(offsetof(Env, in[64]) + 8 * m), mop);
            k++;
        }
        tcg_gen_exit_tb(ctx, 0);
        run();
        k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            uint64_t want = ref_load(bytes + 3 * m, mop, (TcgType)type);
            uint64_t got = type == TCG_I32 ? (uint32_t)env.out[10 + k] : env.out[10 + k];
            g_assert_cmphex(got, ==, want);
            int n = 1 << (mop & MO_SIZE);
            g_assert(memcmp((uint8_t *)&env.in[32] + 8 * m, bytes + 3 * m, n) == 0);
            uint64_t c = type == TCG_I32 ? (uint32_t)-0x1234567 : (uint64_t)-0x1234567;
            uint64_t mask = n == 8 ? ~0ull : (1ull << (8 * n)) - 1;
            g_assert_cmphex(ref_load((uint8_t *)&env.in[64] + 8 * m, mop & ~MO_SIGN, TCG_I64),
                            ==, c & mask);
            k++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* block exits */

static void test_chaining(void)
{
    /* B: g8 += 1, exit 42 */
    start();
    memset(&env, 0, sizeof(env));
    tcg_gen_addi(ctx, G[8], G[8], 1);
    tcg_gen_exit_tb(ctx, 42);
    const void *b = compile();

    /* A: g8 = 10 (dirty), goto_tb 0, exit_tb(0x1000 | 0) */
    start();
    tcg_gen_movi(ctx, G[8], 10);
    tcg_gen_goto_tb(ctx, 0);
    tcg_gen_exit_tb(ctx, 0x1000);
    const void *a = compile();
    TbCodeInfo ia = last_info;
    g_assert_cmpuint(ia.jmp_insn_offset[0], !=, TCG_NO_JUMP);
    g_assert_cmpuint(ia.jmp_insn_offset[1], ==, TCG_NO_JUMP);
    g_assert_cmpuint(((uintptr_t)a + ia.jmp_insn_offset[0]) & 3, ==, 0);

    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 0x1000);
    g_assert_cmpuint(env.g[8], ==, 10);

    uintptr_t site = (uintptr_t)a + ia.jmp_insn_offset[0];
    tcg_backend_x86_64.patch_jump(&cbuf, site, (uintptr_t)b);
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 42);
    g_assert_cmpuint(env.g[8], ==, 11);

    tcg_backend_x86_64.patch_jump(&cbuf, site, (uintptr_t)a + ia.jmp_reset_offset[0]);
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 0x1000);
}

static const void *lookup_target;
static const void *lookup_helper(void *e)
{
    Env *p = e;
    return p->g[9] == 1 ? lookup_target : tcg_backend_x86_64.return_to_loop_addr();
}
static const TcgHelperInfo hlookup = { (void *)lookup_helper, "lookup", 0, 1, true, true };

static void test_goto_ptr(void)
{
    start();
    memset(&env, 0, sizeof(env));
    tcg_gen_movi(ctx, G[10], 5);
    tcg_gen_exit_tb(ctx, 7);
    lookup_target = compile();

    start();
    ctx->lookup_tb_helper = &hlookup;
    tcg_gen_addi(ctx, G[11], G[11], 3);
    tcg_gen_lookup_and_goto_ptr(ctx);
    const void *a = compile();
    ctx->lookup_tb_helper = NULL;

    env.g[9] = 1;
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 7);
    g_assert_cmpuint(env.g[10], ==, 5);
    g_assert_cmpuint(env.g[11], ==, 3);
    env.g[9] = 0;
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 0);
    g_assert_cmpuint(env.g[11], ==, 6);
}

static void test_insn_end(void)
{
    start();
    memset(&env, 0, sizeof(env));
    for (int i = 0; i < 5; i++) {
        tcg_gen_insn_start(ctx, 0x1000 + 4 * i);
        if (i != 2) {
            tcg_gen_addi(ctx, G[i], G[i], i + 1);
        }
    }
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpint(last_info.nb_insns, ==, 5);
    for (int i = 1; i < 5; i++) {
        g_assert_cmpuint(last_info.insn_end[i - 1], <=, last_info.insn_end[i]);
    }
    g_assert_cmpuint(last_info.insn_end[4], <=, last_info.size);
    g_assert_cmpuint(env.g[4], ==, 5);
}

static void test_mb(void)
{
    start();
    tcg_gen_mb(ctx, TCG_MO_LD_LD | TCG_MO_ST_ST | TCG_MO_LD_ST);
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpint(count_insns("mfence"), ==, 0);
    start();
    tcg_gen_mb(ctx, TCG_MO_ALL);
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpint(count_insns("mfence"), ==, 1);
}

/* A buffer too small: NULL, and nothing written past its end. */
static void test_buffer_full(void)
{
    /* Inside the real buffer so exits can reach the epilogue. */
    uint8_t *small = cbuf.rw + cbuf.size - 8192;
    const size_t total = 4096 + 64;
    for (size_t n = 0; n < 600; n += 37) {
        start();
        for (int i = 0; i < 40; i++) {
            tcg_gen_addi(ctx, G[i % NG], G[(i + 1) % NG], i);
        }
        tcg_gen_exit_tb(ctx, 0);
        memset(small, 0xa5, total);
        CodeBuffer b = { small, small, n, 0 };
        TbCodeInfo info;
        const void *p = tcg_backend_x86_64.gen_code(ctx, &b, &info);
        if (p) {
            g_assert_cmpuint(info.size, <=, n);
        }
        for (size_t i = n; i < total; i++) {
            g_assert_cmpuint(small[i], ==, 0xa5);
        }
    }
}

/* Several code buffers (one per vCPU): each works on its own, and
 * unmapping one leaves the others (and exec/return_to_loop) intact. */
static void test_two_buffers(void)
{
    CodeBuffer saved = cbuf;
    for (int round = 0; round < 2; round++) {
        size_t size = 1 << 20;
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        g_assert(p != MAP_FAILED);
        CodeBuffer b2 = { p, p, size, 0 };
        tcg_backend_x86_64.init(&b2);
        cbuf = b2;
        start();
        memset(&env, 0, sizeof(env));
        tcg_gen_movi(ctx, G[12], 1234 + round);
        tcg_gen_exit_tb(ctx, 0x40);
        g_assert_cmpuint(run(), ==, 0x40);
        g_assert_cmpuint(env.g[12], ==, 1234u + round);
        munmap(p, size);
        cbuf = saved;
        /* The first buffer still runs, including goto_ptr's way out. */
        start();
        ctx->lookup_tb_helper = &hlookup;
        env.g[9] = 0;
        tcg_gen_addi(ctx, G[13], G[13], 1);
        tcg_gen_lookup_and_goto_ptr(ctx);
        ctx->lookup_tb_helper = NULL;
        g_assert_cmpuint(run(), ==, 0);
        g_assert_cmpuint(env.g[13], ==, 1);
    }
}

/* A cpu-state load used once by the next op becomes its memory operand
 * (the exit_request check at every TB entry). */
static void test_lazy_ld(void)
{
    for (int flag = 0; flag < 2; flag++) {
        start();
        memset(&env, 0, sizeof(env));
        env.hdr.exit_request = flag;
        int l = tcg_new_label(ctx);
        TcgTemp *t = tcg_temp_new_i32(ctx);
        tcg_gen_ld(ctx, t, ctx->env, (int32_t)offsetof(Env, hdr.exit_request), MO_SL);
        tcg_gen_brcondi(ctx, TCG_COND_NE, t, 0, l);
        /* used by an ALU op with a register: add r, [mem] */
        TcgTemp *u = tcg_temp_new_i64(ctx), *v = ld_in(TCG_I64, 1);
        env.in[0] = 40;
        env.in[1] = 2;
        tcg_gen_ld(ctx, u, ctx->env, (int32_t)offsetof(Env, in[0]), MO_64);
        tcg_gen_add(ctx, v, v, u);
        st_out(v, 0);
        /* used twice: an ordinary load */
        TcgTemp *x = tcg_temp_new_i64(ctx);
        tcg_gen_ld(ctx, x, ctx->env, (int32_t)offsetof(Env, in[0]), MO_64);
        tcg_gen_add(ctx, x, x, x);
        st_out(x, 1);
        /* the load's field is overwritten right after: no laziness across a st */
        TcgTemp *y = tcg_temp_new_i64(ctx);
        tcg_gen_ld(ctx, y, ctx->env, (int32_t)offsetof(Env, in[0]), MO_64);
        tcg_gen_st(ctx, tcg_constant_i64(ctx, 7), ctx->env, (int32_t)offsetof(Env, in[0]),
                   MO_64);
        st_out(y, 2);
        tcg_gen_exit_tb(ctx, 0);
        tcg_gen_set_label(ctx, l);
        tcg_gen_exit_tb(ctx, 3);
        g_assert_cmpuint(run(), ==, flag ? 3 : 0);
        if (!flag) {
            g_assert_cmpuint(env.out[0], ==, 42);
            g_assert_cmpuint(env.out[1], ==, 80);
            g_assert_cmpuint(env.out[2], ==, 40);
            g_assert_cmpuint(env.in[0], ==, 7);
        }
        g_assert_cmpint(count_insns("cmp dword ptr [rbp], 0"), ==, 1);
        g_assert_cmpint(count_insns("add rbx, qword ptr [rbp + 0x"), ==, 1);
    }
}

/* ------------------------------------------------------------------ */
/* fpop: inline SSE/FMA fast path, helper slow path (tcg/x86_64/x86-fp.c) */

static int fp_kind, fp_calls;

static double d_of(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}
static uint64_t bits_d(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}
static float f_of(uint64_t v)
{
    uint32_t w = (uint32_t)v;
    float f;
    memcpy(&f, &w, 4);
    return f;
}
static uint64_t bits_f(float f)
{
    uint32_t w;
    memcpy(&w, &f, 4);
    return 0xffffffff00000000ull | w;
}
static bool boxed(uint64_t v)
{
    return (v >> 32) == 0xffffffffu;
}

/* Reference result of an fpop (host arithmetic in round-to-nearest); an
 * unboxed single input gives a marker so the test sees the helper ran. */
static uint64_t fp_ref(int kind, uint64_t a, uint64_t b, uint64_t c)
{
    bool single = tcg_fpop_is_single((TcgFpopKind)kind);
    int base = single ? kind - FPOP_ADD_S : kind;
    if (single) {
        if (!boxed(a) || !boxed(b) || !boxed(c)) {
            return 0xffffffff7fc00000ull;
        }
        float x = f_of(a), y = f_of(b), z = f_of(c), r;
        switch (base) {
        case FPOP_ADD_D: r = x + y; break;
        case FPOP_SUB_D: r = x - y; break;
        case FPOP_MUL_D: r = x * y; break;
        case FPOP_DIV_D: r = x / y; break;
        case FPOP_SQRT_D: r = sqrtf(x); break;
        case FPOP_FMADD_D: r = fmaf(x, y, z); break;
        case FPOP_FMSUB_D: r = fmaf(x, y, -z); break;
        case FPOP_FNMSUB_D: r = fmaf(-x, y, z); break;
        default: r = fmaf(-x, y, -z); break;
        }
        return bits_f(r);
    }
    double x = d_of(a), y = d_of(b), z = d_of(c), r;
    switch (base) {
    case FPOP_ADD_D: r = x + y; break;
    case FPOP_SUB_D: r = x - y; break;
    case FPOP_MUL_D: r = x * y; break;
    case FPOP_DIV_D: r = x / y; break;
    case FPOP_SQRT_D: r = sqrt(x); break;
    case FPOP_FMADD_D: r = fma(x, y, z); break;
    case FPOP_FMSUB_D: r = fma(x, y, -z); break;
    case FPOP_FNMSUB_D: r = fma(-x, y, z); break;
    default: r = fma(-x, y, -z); break;
    }
    return bits_d(r);
}

/* Would the inline path produce this result itself? */
static bool fp_fast(int kind, uint64_t a, uint64_t b, uint64_t c, uint64_t r)
{
    bool single = tcg_fpop_is_single((TcgFpopKind)kind);
    int base = single ? kind - FPOP_ADD_S : kind;
    if (base >= FPOP_FMADD_D && !(x86_host_features() & X86_FEAT_FMA)) {
        return false;
    }
    if (single) {
        return boxed(a) && boxed(b) && boxed(c) && isnormal(f_of(r));
    }
    return isnormal(d_of(r));
}

static uint64_t fp_helper1(void *e, uint64_t a)
{
    g_assert(e == &env);
    g_assert(((uintptr_t)__builtin_frame_address(0) & 15) == 0);
    fp_calls++;
    return fp_ref(fp_kind, a, bits_f(1), bits_f(1));
}
static uint64_t fp_helper2(void *e, uint64_t a, uint64_t b)
{
    g_assert(e == &env);
    fp_calls++;
    return fp_ref(fp_kind, a, b, bits_f(1));
}
static uint64_t fp_helper3(void *e, uint64_t a, uint64_t b, uint64_t c)
{
    g_assert(e == &env);
    fp_calls++;
    return fp_ref(fp_kind, a, b, c);
}
static const TcgHelperInfo hfp[4] = {
    [1] = { (void *)fp_helper1, "fp1", TCG_CALL_NO_RWG, 2, true, true },
    [2] = { (void *)fp_helper2, "fp2", TCG_CALL_NO_RWG, 3, true, true },
    [3] = { (void *)fp_helper3, "fp3", TCG_CALL_NO_RWG, 4, true, true },
};

static void test_fpop(void)
{
    const uint64_t dv[] = {
        bits_d(1.5), bits_d(-2.25), bits_d(3.0), bits_d(1e300), bits_d(-1e300),
        bits_d(1e-310), bits_d(0.0), bits_d(-0.0), bits_d(INFINITY), bits_d(NAN),
        bits_d(2.0), bits_d(1e-300),
    };
    const uint64_t fv[] = {
        bits_f(1.5f), bits_f(-2.25f), bits_f(3.0f), bits_f(1e38f), bits_f(-1e38f),
        bits_f(1e-40f), bits_f(0.0f), bits_f(-0.0f), bits_f(INFINITY), bits_f(NAN),
        bits_f(2.0f), 0x3fc00000ull /* 1.5f, not boxed */,
    };
    enum { NV_FP = 12 };
    for (int kind = 0; kind < FPOP_NB_KINDS; kind++) {
        bool single = tcg_fpop_is_single((TcgFpopKind)kind);
        const uint64_t *v = single ? fv : dv;
        int n = tcg_fpop_nb_inputs((TcgFpopKind)kind);
        for (int ia = 0; ia < NV_FP; ia += 1) {
            start();
            memset(&env, 0, sizeof(env));
            fp_kind = kind;
            fp_calls = 0;
            /* live values across the op (some in caller-saved registers) */
            TcgTemp *keep[10];
            for (int k = 0; k < 10; k++) {
                keep[k] = ld_in(TCG_I64, 200 + k);
                env.in[200 + k] = 0x1111111111111111ull * (uint64_t)(k + 1);
            }
            int cnt = 0;
            uint64_t want[NV_FP];
            int want_calls = 0;
            for (int ib = 0; ib < NV_FP; ib++) {
                uint64_t a = v[ia], b = v[ib], c = v[(ia + ib) % NV_FP];
                env.in[3 * cnt] = a;
                env.in[3 * cnt + 1] = b;
                env.in[3 * cnt + 2] = c;
                TcgTemp *ta = ld_in(TCG_I64, 3 * cnt), *tb = ld_in(TCG_I64, 3 * cnt + 1);
                TcgTemp *tc = ld_in(TCG_I64, 3 * cnt + 2);
                TcgTemp *d = tcg_temp_new_i64(ctx);
                tcg_gen_fpop(ctx, (TcgFpopKind)kind, &hfp[n], d, ta, n > 1 ? tb : NULL,
                             n > 2 ? tc : NULL);
                st_out(d, cnt);
                uint64_t bb = n > 1 ? b : (single ? bits_f(1) : bits_d(1));
                uint64_t cc = n > 2 ? c : (single ? bits_f(1) : bits_d(1));
                want[cnt] = fp_ref(kind, a, bb, cc);
                want_calls += !fp_fast(kind, a, bb, cc, want[cnt]);
                cnt++;
            }
            for (int k = 0; k < 10; k++) {
                st_out(keep[k], 300 + k);
            }
            tcg_gen_exit_tb(ctx, 0);
            run();
            for (int k = 0; k < cnt; k++) {
                uint64_t got = env.out[k];
                bool nan_ok = single ? isnan(f_of(got)) && isnan(f_of(want[k]))
                                     : isnan(d_of(got)) && isnan(d_of(want[k]));
                if (got != want[k] && !nan_ok) {
                    g_error("fpop kind %d: %#llx %#llx %#llx -> %#llx, want %#llx", kind,
                            (unsigned long long)env.in[3 * k],
                            (unsigned long long)env.in[3 * k + 1],
                            (unsigned long long)env.in[3 * k + 2], (unsigned long long)got,
                            (unsigned long long)want[k]);
                }
            }
            g_assert_cmpint(fp_calls, ==, want_calls);
            for (int k = 0; k < 10; k++) {
                g_assert_cmphex(env.out[300 + k], ==, env.in[200 + k]);
            }
        }
    }
}

/* Dead code is removed by liveness. */
static void test_liveness_dce(void)
{
    start();
    TcgTemp *t = tcg_temp_new_i64(ctx);
    tcg_gen_addi(ctx, t, G[0], 5);          /* dead */
    tcg_gen_mul(ctx, t, t, t);              /* dead */
    tcg_gen_addi(ctx, G[1], G[1], 1);       /* live: global at exit */
    tcg_gen_exit_tb(ctx, 0);
    tcg_liveness(ctx);
    g_assert_cmpint(ctx->ops[0].opc, ==, INDEX_op_nop);
    g_assert_cmpint(ctx->ops[1].opc, ==, INDEX_op_nop);
    g_assert_cmpint(ctx->ops[2].opc, ==, INDEX_op_add);
    g_assert_true(tcg_life_sync(&ctx->ops[2], 0));
    g_assert_true(tcg_life_dead(&ctx->ops[2], 0));
    g_assert_true(tcg_life_dead(&ctx->ops[2], 1));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    setup();
    if (g_test_verbose()) {
        g_print("host features: %#x\n", x86_host_features());
    }
    g_test_add_func("/regalloc/liveness-dce", test_liveness_dce);
    g_test_add_func("/regalloc/binops", test_binops);
    g_test_add_func("/regalloc/clz-width", test_clz_width);
    g_test_add_func("/regalloc/unops", test_unops);
    g_test_add_func("/regalloc/conversions", test_conversions);
    g_test_add_func("/regalloc/conditions", test_conditions);
    g_test_add_func("/regalloc/global-kept", test_global_kept);
    g_test_add_func("/regalloc/global-branches", test_global_branches);
    g_test_add_func("/regalloc/local-loop", test_local_loop);
    g_test_add_func("/regalloc/calls", test_calls);
    g_test_add_func("/regalloc/spills", test_spills);
    g_test_add_func("/regalloc/env-ld-st", test_env_ld_st);
    g_test_add_func("/regalloc/guest-mem", test_guest_mem);
    g_test_add_func("/regalloc/chaining", test_chaining);
    g_test_add_func("/regalloc/goto-ptr", test_goto_ptr);
    g_test_add_func("/regalloc/insn-end", test_insn_end);
    g_test_add_func("/regalloc/mb", test_mb);
    g_test_add_func("/regalloc/buffer-full", test_buffer_full);
    g_test_add_func("/regalloc/two-buffers", test_two_buffers);
    g_test_add_func("/regalloc/lazy-ld", test_lazy_ld);
    g_test_add_func("/regalloc/fpop", test_fpop);
    return g_test_run();
}
