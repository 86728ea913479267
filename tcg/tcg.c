/*
 * TcgContext: temporaries, labels and the op buffer of the TB being built.
 * Globals and the env temp occupy temps [0, nb_globals) and persist for the
 * life of the context; tcg_func_start() drops everything else.
 */
#include "rove/tcg.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/*
 * Zero the context.  Most of it is the temps array, which a vCPU that
 * never translates never uses: chunks already zero (a fresh g_new0, whose
 * untouched pages are not resident) are only read, so they stay that way.
 */
static void zero_context(TcgContext *ctx)
{
    uint8_t *p = (uint8_t *)ctx;
    const size_t chunk = 4096;
    for (size_t off = 0; off < sizeof(*ctx); off += chunk) {
        size_t n = sizeof(*ctx) - off < chunk ? sizeof(*ctx) - off : chunk;
        for (size_t i = 0; i < n; i += sizeof(uint64_t)) {
            uint64_t w = 0;
            memcpy(&w, p + off + i, n - i < sizeof(w) ? n - i : sizeof(w));
            if (w) {
                memset(p + off, 0, n);
                break;
            }
        }
    }
}

void tcg_context_init(TcgContext *ctx)
{
    zero_context(ctx);
    ctx->ops = g_new0(TcgOp, TCG_MAX_OPS);
    TcgTemp *env = &ctx->temps[0];
    env->type = TCG_I64;
    env->kind = TEMP_FIXED;
    env->name = "env";
    ctx->env = env;
    ctx->nb_globals = 1;
    ctx->nb_temps = 1;
}

void tcg_context_destroy(TcgContext *ctx)
{
    g_free(ctx->ops);
    ctx->ops = NULL;
    g_free(ctx->opt_tables);
    ctx->opt_tables = NULL;
    g_free(ctx->la_tables);
    ctx->la_tables = NULL;
    g_free(ctx->ra_tables);
    ctx->ra_tables = NULL;
    if (ctx->backend_tables) {
        ctx->backend_tables_free(ctx->backend_tables);
        ctx->backend_tables = NULL;
    }
}

void tcg_func_start(TcgContext *ctx)
{
    ctx->nb_temps = ctx->nb_globals;
    ctx->nb_ops = 0;
    ctx->nb_labels = 0;
    ctx->nb_insn_pcs = 0;
    ctx->nb_local_temps = 0;
    ctx->loop_label = -1;
    ctx->nb_loop_globals = 0;
}

bool tcg_op_buf_full(const TcgContext *ctx)
{
    /* Leave room for the largest single guest instruction plus the exit. */
    return ctx->nb_ops > TCG_MAX_OPS - 256 || ctx->nb_temps > TCG_MAX_TEMPS - 128 ||
           ctx->nb_labels > TCG_MAX_LABELS - 16;
}

static TcgTemp *temp_alloc(TcgContext *ctx)
{
    if (ctx->nb_temps >= TCG_MAX_TEMPS) {
        /* The translator stops at tcg_op_buf_full(); reaching this is a bug. */
        g_error("tcg: out of temporaries");
    }
    TcgTemp *t = &ctx->temps[ctx->nb_temps++];
    memset(t, 0, sizeof(*t));
    return t;
}

TcgTemp *tcg_global_mem_new(TcgContext *ctx, TcgType type, int32_t offset, const char *name)
{
    g_assert(ctx->nb_temps == ctx->nb_globals); /* globals before any TB */
    TcgTemp *t = temp_alloc(ctx);
    t->type = type;
    t->kind = TEMP_GLOBAL;
    t->mem_offset = offset;
    t->name = name;
    ctx->nb_globals++;
    return t;
}

TcgTemp *tcg_temp_new(TcgContext *ctx, TcgType type)
{
    TcgTemp *t = temp_alloc(ctx);
    t->type = type;
    t->kind = TEMP_NORMAL;
    return t;
}

TcgTemp *tcg_temp_new_local(TcgContext *ctx, TcgType type)
{
    TcgTemp *t = temp_alloc(ctx);
    t->type = type;
    t->kind = TEMP_LOCAL;
    ctx->nb_local_temps++;
    return t;
}

TcgTemp *tcg_constant(TcgContext *ctx, TcgType type, int64_t val)
{
    if (type == TCG_I32) {
        val = (int32_t)val;
    }
    /*
     * Reuse a recent identical constant (among the last 32 temps): keeps
     * temp counts low in long TBs without stretching a constant's life
     * across the whole TB.  One hashed slot remembers where it was.
     */
    unsigned slot = (unsigned)(((uint64_t)val * 0x9e3779b97f4a7c15ull + type) >> 58);
    int i = ctx->const_slot[slot];
    if (i >= ctx->nb_globals && i < ctx->nb_temps && i >= ctx->nb_temps - 32) {
        TcgTemp *c = &ctx->temps[i];
        if (c->kind == TEMP_CONST && c->type == type && c->val == val) {
            return c;
        }
    }
    TcgTemp *t = temp_alloc(ctx);
    t->type = type;
    t->kind = TEMP_CONST;
    t->val = val;
    ctx->const_slot[slot] = (int)(t - ctx->temps);
    return t;
}

int tcg_new_label(TcgContext *ctx)
{
    if (ctx->nb_labels >= TCG_MAX_LABELS) {
        g_error("tcg: out of labels");
    }
    return ctx->nb_labels++;
}

TcgOp *tcg_emit_op(TcgContext *ctx, TcgOpcode opc, TcgType type)
{
    if (ctx->nb_ops >= TCG_MAX_OPS) {
        g_error("tcg: op buffer overflow");
    }
    TcgOp *op = &ctx->ops[ctx->nb_ops++];
    const TcgOpDef *def = &tcg_op_defs[opc];
    /* Not cleared whole: nothing reads args past the op's counts (the
     * caller fills those), and the op buffer is reused TB after TB. */
    op->life = 0;
    op->opc = opc;
    op->type = type;
    op->nb_oargs = def->nb_oargs;
    op->nb_iargs = def->nb_iargs;
    op->nb_cargs = def->nb_cargs;
    return op;
}

/* ---- conditions ---- */

static const char *const cond_names[] = {
    [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always", [TCG_COND_EQ] = "eq",
    [TCG_COND_NE] = "ne",       [TCG_COND_LT] = "lt",         [TCG_COND_GE] = "ge",
    [TCG_COND_LE] = "le",       [TCG_COND_GT] = "gt",         [TCG_COND_LTU] = "ltu",
    [TCG_COND_GEU] = "geu",     [TCG_COND_LEU] = "leu",       [TCG_COND_GTU] = "gtu",
};

const char *tcg_cond_name(TcgCond cond)
{
    return (unsigned)cond < G_N_ELEMENTS(cond_names) ? cond_names[cond] : "?";
}

TcgCond tcg_cond_invert(TcgCond c)
{
    static const TcgCond inv[] = {
        [TCG_COND_NEVER] = TCG_COND_ALWAYS, [TCG_COND_ALWAYS] = TCG_COND_NEVER,
        [TCG_COND_EQ] = TCG_COND_NE,        [TCG_COND_NE] = TCG_COND_EQ,
        [TCG_COND_LT] = TCG_COND_GE,        [TCG_COND_GE] = TCG_COND_LT,
        [TCG_COND_LE] = TCG_COND_GT,        [TCG_COND_GT] = TCG_COND_LE,
        [TCG_COND_LTU] = TCG_COND_GEU,      [TCG_COND_GEU] = TCG_COND_LTU,
        [TCG_COND_LEU] = TCG_COND_GTU,      [TCG_COND_GTU] = TCG_COND_LEU,
    };
    return inv[c];
}

/* The condition that holds for (b, a) whenever c holds for (a, b). */
TcgCond tcg_cond_swap(TcgCond c)
{
    static const TcgCond swp[] = {
        [TCG_COND_NEVER] = TCG_COND_NEVER, [TCG_COND_ALWAYS] = TCG_COND_ALWAYS,
        [TCG_COND_EQ] = TCG_COND_EQ,       [TCG_COND_NE] = TCG_COND_NE,
        [TCG_COND_LT] = TCG_COND_GT,       [TCG_COND_GE] = TCG_COND_LE,
        [TCG_COND_LE] = TCG_COND_GE,       [TCG_COND_GT] = TCG_COND_LT,
        [TCG_COND_LTU] = TCG_COND_GTU,     [TCG_COND_GEU] = TCG_COND_LEU,
        [TCG_COND_LEU] = TCG_COND_GEU,     [TCG_COND_GTU] = TCG_COND_LTU,
    };
    return swp[c];
}

bool tcg_cond_eval(TcgCond cond, TcgType type, uint64_t a, uint64_t b)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    if (type == TCG_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
        sa = (int32_t)a;
        sb = (int32_t)b;
    }
    switch (cond) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
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
    }
    return false;
}
