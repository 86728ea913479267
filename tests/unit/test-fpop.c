/*
 * INDEX_op_fpop through both back ends: every kind on edge values.  The
 * fallback helper here is a C model (host arithmetic) that also counts its
 * calls and marks a flag word in the fake cpu state, so the test checks
 *  - the result always equals the helper's (fast or slow path);
 *  - the x86-64 back end calls the helper exactly when the result is not a
 *    normal number or a single input is not NaN-boxed (the interpreter
 *    always calls it), and FMA kinds always call it without FMA3;
 *  - values living in caller-saved registers survive the slow path.
 * Run twice by meson: all host features, and ROVE_X86_FEATURES=baseline.
 */
#include <float.h>
#include <glib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"
#include "tcg/x86_64/x86-asm.h"

#define NLIVE 8

typedef struct Env {
    TcgEnvHeader hdr;
    uint64_t in[3];
    uint64_t out;
    uint64_t live[NLIVE];
    uint64_t live_out[NLIVE];
    uint64_t flags;
} Env;

static Env env;
static int slow_calls;

static double u2d(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static uint64_t d2u(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }
static float u2f(uint32_t v) { float f; memcpy(&f, &v, 4); return f; }
static uint32_t f2u(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }

#define BOX 0xffffffff00000000ull

/* The model: host arithmetic, canonical NaNs, unboxed singles read as NaN. */
static uint64_t model(TcgFpopKind k, uint64_t a, uint64_t b, uint64_t c)
{
    if (tcg_fpop_is_single(k)) {
        uint64_t in[3] = { a, b, c };
        float x[3];
        for (int i = 0; i < 3; i++) {
            x[i] = (in[i] & BOX) == BOX ? u2f((uint32_t)in[i]) : NAN;
        }
        float r;
        switch ((int)(k - FPOP_ADD_S)) {
        case FPOP_ADD_D: r = x[0] + x[1]; break;
        case FPOP_SUB_D: r = x[0] - x[1]; break;
        case FPOP_MUL_D: r = x[0] * x[1]; break;
        case FPOP_DIV_D: r = x[0] / x[1]; break;
        case FPOP_SQRT_D: r = sqrtf(x[0]); break;
        case FPOP_FMADD_D: r = fmaf(x[0], x[1], x[2]); break;
        case FPOP_FMSUB_D: r = fmaf(x[0], x[1], -x[2]); break;
        case FPOP_FNMSUB_D: r = fmaf(-x[0], x[1], x[2]); break;
        default: r = fmaf(-x[0], x[1], -x[2]); break;
        }
        return BOX | (isnan(r) ? 0x7fc00000u : f2u(r));
    }
    double x = u2d(a), y = u2d(b), z = u2d(c), r;
    switch ((int)k) {
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
    return isnan(r) ? 0x7ff8000000000000ull : d2u(r);
}

static TcgFpopKind cur_kind;

static uint64_t fb3(void *e, uint64_t a, uint64_t b, uint64_t c)
{
    slow_calls++;
    ((Env *)e)->flags |= 1;
    return model(cur_kind, a, b, c);
}
static uint64_t fb2(void *e, uint64_t a, uint64_t b) { return fb3(e, a, b, 0); }
static uint64_t fb1(void *e, uint64_t a) { return fb3(e, a, 0, 0); }

static const TcgHelperInfo fb_info[4] = {
    [1] = { (void *)fb1, "fb1", TCG_CALL_NO_RWG, 2, true, true },
    [2] = { (void *)fb2, "fb2", TCG_CALL_NO_RWG, 3, true, true },
    [3] = { (void *)fb3, "fb3", TCG_CALL_NO_RWG, 4, true, true },
};

static bool is_normal(TcgFpopKind k, uint64_t r)
{
    if (tcg_fpop_is_single(k)) {
        unsigned e = ((uint32_t)r >> 23) & 0xff;
        return e != 0 && e != 0xff;
    }
    unsigned e = (r >> 52) & 0x7ff;
    return e != 0 && e != 0x7ff;
}

typedef struct Backend {
    const TcgBackend *be;
    CodeBuffer buf;
} Backend;

static Backend backends[2];
static TcgContext *ctx;
static TcgTemp *IN[3], *OUT, *LIVE[NLIVE], *LIVE_OUT[NLIVE];

static void setup(void)
{
    const TcgBackend *bes[2] = { &tcg_backend_x86_64, &tcg_backend_interp };
    for (int i = 0; i < 2; i++) {
        size_t size = 16 << 20;
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        g_assert(p != MAP_FAILED);
        backends[i].be = bes[i];
        backends[i].buf.rw = backends[i].buf.rx = p;
        backends[i].buf.size = size;
        bes[i]->init(&backends[i].buf);
    }
    ctx = g_new0(TcgContext, 1);
    tcg_context_init(ctx);
    for (int i = 0; i < 3; i++) {
        IN[i] = tcg_global_mem_new(ctx, TCG_I64, offsetof(Env, in[i]), "in");
    }
    OUT = tcg_global_mem_new(ctx, TCG_I64, offsetof(Env, out), "out");
    for (int i = 0; i < NLIVE; i++) {
        LIVE[i] = tcg_global_mem_new(ctx, TCG_I64, offsetof(Env, live[i]), "live");
        LIVE_OUT[i] = tcg_global_mem_new(ctx, TCG_I64, offsetof(Env, live_out[i]), "lo");
    }
}

/* Run out = fpop(kind, in...) on backend be; returns the number of helper
 * calls, checks the result and the live values. */
static int run_one(Backend *b, TcgFpopKind k, const uint64_t *in)
{
    int n = tcg_fpop_nb_inputs(k);

    tcg_func_start(ctx);
    ctx->mem.base = 0;
    ctx->mem.addr_bits = 64;
    /* values live across the op, likely in caller-saved registers */
    TcgTemp *t[NLIVE];
    for (int i = 0; i < NLIVE; i++) {
        t[i] = tcg_temp_new_i64(ctx);
        tcg_gen_addi(ctx, t[i], LIVE[i], i + 1);
    }
    TcgTemp *a = tcg_temp_new_i64(ctx), *bb = tcg_temp_new_i64(ctx);
    TcgTemp *c = tcg_temp_new_i64(ctx), *d = tcg_temp_new_i64(ctx);
    tcg_gen_mov(ctx, a, IN[0]);
    tcg_gen_mov(ctx, bb, IN[1]);
    tcg_gen_mov(ctx, c, IN[2]);
    tcg_gen_fpop(ctx, k, &fb_info[n], d, a, n > 1 ? bb : NULL, n > 2 ? c : NULL);
    for (int i = 0; i < NLIVE; i++) {
        tcg_gen_mov(ctx, LIVE_OUT[i], t[i]);
    }
    tcg_gen_mov(ctx, OUT, d);
    tcg_gen_exit_tb(ctx, 0);
    tcg_optimize(ctx);

    TbCodeInfo info;
    const void *code = b->be->gen_code(ctx, &b->buf, &info);
    g_assert(code != NULL);
    b->buf.used += info.size;
    if (b->buf.used > b->buf.size - (1 << 20)) {
        b->buf.used = 0;
        b->be->init(&b->buf);
    }

    memset(&env, 0, sizeof(env));
    for (int i = 0; i < 3; i++) {
        env.in[i] = in[i];
    }
    for (int i = 0; i < NLIVE; i++) {
        env.live[i] = 0x1000 * (uint64_t)i + 7;
    }
    cur_kind = k;
    slow_calls = 0;
    b->be->exec(&env, code);

    uint64_t want = model(k, in[0], in[1], in[2]);
    if (env.out != want) {
        g_error("%s kind %d in %016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER "x "
                "%016" G_GINT64_MODIFIER "x: got %016" G_GINT64_MODIFIER "x want %016"
                G_GINT64_MODIFIER "x", b->be->name, k, in[0], in[1], in[2], env.out, want);
    }
    for (int i = 0; i < NLIVE; i++) {
        g_assert_cmphex(env.live_out[i], ==, env.live[i] + (uint64_t)i + 1);
    }
    g_assert_cmpint(env.flags, ==, slow_calls > 0);
    return slow_calls;
}

static void check(TcgFpopKind k, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t in[3] = { a, b, c };
    int n = tcg_fpop_nb_inputs(k);
    bool single = tcg_fpop_is_single(k);
    bool boxed = true;
    for (int i = 0; i < n; i++) {
        boxed &= !single || (in[i] & BOX) == BOX;
    }
    int base = single ? (int)(k - FPOP_ADD_S) : (int)k;
    bool fma_inline = base < FPOP_FMADD_D || (x86_host_features() & X86_FEAT_FMA);
    bool want_slow = !boxed || !is_normal(k, model(k, a, b, c)) || !fma_inline;

    g_assert_cmpint(run_one(&backends[0], k, in), ==, want_slow ? 1 : 0);
    g_assert_cmpint(run_one(&backends[1], k, in), ==, 1);
}

#define D(x) d2u(x)
#define S(x) (BOX | f2u(x))

static void test_double(void)
{
    const uint64_t v[] = {
        D(1.5), D(2.25), D(-3.0), D(0.1), D(1e300), D(1e-300), D(0.0), D(-0.0),
        D(DBL_MIN), D(DBL_MIN / 4), D(DBL_MAX), D(INFINITY), D(-INFINITY), D(NAN),
        0x7ff0000000000001ull, D(-1.0), D(1.0), D(3.0),
    };
    int nv = (int)G_N_ELEMENTS(v);
    for (int k = FPOP_ADD_D; k <= FPOP_FNMADD_D; k++) {
        for (int i = 0; i < nv; i++) {
            for (int j = 0; j < nv; j++) {
                check((TcgFpopKind)k, v[i], v[j], v[(i + j) % nv]);
                check((TcgFpopKind)k, v[i], v[j], v[(i * 7 + 3) % nv]);
            }
        }
    }
}

static void test_single(void)
{
    const uint64_t v[] = {
        S(1.5f), S(2.25f), S(-3.0f), S(0.1f), S(1e30f), S(1e-30f), S(0.0f), S(-0.0f),
        S(FLT_MIN), S(FLT_MIN / 4), S(FLT_MAX), S(INFINITY), S(-INFINITY), S(NAN),
        BOX | 0x7f800001u, S(-1.0f), S(1.0f), S(3.0f),
        f2u(1.5f), 0x7fffffff3fc00000ull, D(2.0),
    };
    int nv = (int)G_N_ELEMENTS(v);
    for (int k = FPOP_ADD_S; k <= FPOP_FNMADD_S; k++) {
        for (int i = 0; i < nv; i++) {
            for (int j = 0; j < nv; j++) {
                check((TcgFpopKind)k, v[i], v[j], v[(i + j) % nv]);
                check((TcgFpopKind)k, v[i], v[j], v[(i * 7 + 3) % nv]);
            }
        }
    }
}

/* Random normal operands: the fast path must agree bit for bit. */
static void test_random(void)
{
    GRand *r = g_rand_new_with_seed(1234);
    for (int it = 0; it < 3000; it++) {
        TcgFpopKind k = (TcgFpopKind)g_rand_int_range(r, 0, FPOP_NB_KINDS);
        uint64_t in[3];
        for (int i = 0; i < 3; i++) {
            double x = g_rand_double_range(r, -1e6, 1e6);
            in[i] = tcg_fpop_is_single(k) ? S((float)x) : D(x);
        }
        check(k, in[0], in[1], in[2]);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    setup();
    g_test_add_func("/fpop/double", test_double);
    g_test_add_func("/fpop/single", test_single);
    g_test_add_func("/fpop/random", test_random);
    return g_test_run();
}
