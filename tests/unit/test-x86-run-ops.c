/*
 * x86-64 back end, every op: each binary and unary op, conversions and
 * conditions in I32 and I64, on edge values, in every operand form
 * (registers, constants, globals, memory operands), compiled with the real
 * allocator and back end and compared with the C reference.
 *
 * Run twice (meson does): with every host feature and with
 * ROVE_X86_FEATURES=baseline.
 */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"
#include "tcg/x86_64/x86-asm.h"
#include "tests/unit/x86-run-harness.h"


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
    for (size_t oi = 0; oi < (size_t)nbinops; oi++) {
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
    for (size_t oi = 0; oi < (size_t)nunops; oi++) {
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
int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    setup();
    if (g_test_verbose()) {
        g_print("host features: %#x\n", x86_host_features());
    }
    g_test_add_func("/x86-run/binops", test_binops);
    g_test_add_func("/x86-run/clz-width", test_clz_width);
    g_test_add_func("/x86-run/unops", test_unops);
    g_test_add_func("/x86-run/conversions", test_conversions);
    g_test_add_func("/x86-run/conditions", test_conditions);
    return g_test_run();
}
