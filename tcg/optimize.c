/*
 * The IR optimiser: one forward pass over the ops of a TB.
 *
 * What it does, per op:
 *  - copy propagation: every input is replaced by the best equal value it
 *    knows (a constant, else a global/fixed temp, else a local, else the
 *    temp itself).  Temps that hold the same value form a "copy class" (a
 *    circular list); writing a temp takes it out of its class.
 *  - constant folding of every pure op whose inputs are all constants,
 *    including setcond/movcond/brcond (a brcond becomes br or disappears).
 *  - algebraic simplification (x+0, x*1, x&-1, x^x, ...), tracking of
 *    which bits may be non-zero (z_mask) and how many high bits are copies
 *    of the sign (sext), so redundant extensions and masks become movs.
 *  - small "facts" about how a temp was computed (not/neg/setcond/ext of
 *    which source), validated by a per-temp write generation, for double
 *    not/neg, ext of ext and setcond of a setcond result.
 *  - unreachable code after br/exit_tb/goto_ptr is dropped up to the next
 *    label somebody still branches to; labels nobody branches to vanish,
 *    which also lets knowledge flow through them.
 *
 * Knowledge lifetime: everything is forgotten at a live label (several
 * predecessors).  On the fall-through of a brcond, TEMP_NORMAL temps are
 * forgotten (they are dead at a basic-block boundary, so they must not be
 * used as copy sources afterwards) but constants, globals and locals are
 * kept.  A helper call that may write globals forgets all globals, and a
 * `st` through env that overlaps a global's field forgets that global.
 *
 * The pass never removes or reorders an op with side effects; ops whose
 * results are unused are left to the liveness pass (x86-64 back end) or to
 * the interpreter's own clean-up.  I32 constants stay sign-extended, as
 * TcgTemp.val requires.
 */
#include "rove/tcg.h"
#include "tcg/fold.h"

#include <glib.h>
#include <string.h>

typedef struct TempInfo {
    uint32_t stamp;    /* the info is valid iff stamp == OptState.epoch */
    bool is_const;
    int64_t val;       /* is_const: normalised value (I32 sign-extended) */
    int prev, next;    /* copy class: circular list of temp indices */
    uint64_t z_mask;   /* bits that may be 1 (within the type's width) */
    uint8_t sext;      /* value == sign_extend(value, sext bits) */
    /* "fact": this temp == fact_opc(fact_src[0], fact_src[1]) [fact_cond],
     * valid while the sources still have the write generations recorded. */
    uint16_t fact_opc; /* INDEX_op_nop: none */
    uint8_t fact_cond;
    int fact_src[2];
    uint32_t fact_gen[2];
} TempInfo;

typedef struct OptState {
    TcgContext *ctx;
    TempInfo *info;    /* [nb_info]; temps made by the pass are constants */
    uint32_t *gen;     /* per-temp write generation (never reset) */
    int nb_info;
    uint32_t epoch;
    /* TEMP_NORMAL temps given info since the last forget_normals (for
     * brcond), each once: touched_stamp[t] == epoch while t is listed. */
    int *touched;
    uint32_t *touched_stamp;
    int nb_touched;
    int *label_refs;   /* live branches to each label */
    bool unrefs;       /* some label's count fell to 0 (label_unref) */
    int *ctab;         /* (type, value) -> TEMP_CONST temp, open addressing */
    unsigned cmask;    /* table size - 1 (a power of two), kept at most half full */
    unsigned ccount;   /* entries in ctab */
} OptState;

enum { NO_TEMP = -1 };

/* A branch to label went away. */
static void label_unref(OptState *s, int label)
{
    if (--s->label_refs[label] <= 0) {
        s->unrefs = true;
    }
}

/* ---- temp knowledge ---- */

static inline TcgTemp *tp(const OptState *s, TcgArg a)
{
    return &s->ctx->temps[a];
}

/* (No t < nb_info test: a temp the pass made is a constant, never given
 * info, so its stamp, if any, is from an earlier TB's epoch.) */
static inline bool info_valid(const OptState *s, int t)
{
    return s->info[t].stamp == s->epoch;
}

static inline uint32_t gen_of(const OptState *s, int t)
{
    return t < s->nb_info ? s->gen[t] : 0;
}

/* Once is enough: forget_normals only acts on temps whose info is valid,
 * and a later entry for the same temp would find it forgotten. */
static void touched_push(OptState *s, int t)
{
    if (s->ctx->temps[t].kind == TEMP_NORMAL && s->touched_stamp[t] != s->epoch) {
        s->touched_stamp[t] = s->epoch;
        s->touched[s->nb_touched++] = t;
    }
}

/* Default knowledge for temp t in the current epoch: nothing known. */
static TempInfo *info_init(OptState *s, int t)
{
    TempInfo *i = &s->info[t];
    TcgType type = s->ctx->temps[t].type;
    i->stamp = s->epoch;
    i->is_const = false;
    i->val = 0;
    i->prev = i->next = t;
    i->z_mask = type_mask(type);
    i->sext = (uint8_t)type_width(type);
    i->fact_opc = INDEX_op_nop;
    touched_push(s, t);
    return i;
}

static TempInfo *info_get(OptState *s, int t)
{
    g_assert(t < s->nb_info);
    return info_valid(s, t) ? &s->info[t] : info_init(s, t);
}

/* Constant value of temp a, if known. */
static inline bool get_const(const OptState *s, TcgArg a, int64_t *v)
{
    const TcgTemp *t = tp(s, a);
    if (t->kind == TEMP_CONST) {
        *v = norm_val(t->type, (uint64_t)t->val);
        return true;
    }
    if (info_valid(s, (int)a) && s->info[a].is_const) {
        *v = s->info[a].val;
        return true;
    }
    return false;
}

static bool is_const_val(const OptState *s, TcgArg a, int64_t want)
{
    int64_t v;
    return get_const(s, a, &v) && v == norm_val(tp(s, a)->type, (uint64_t)want);
}

static uint64_t z_mask_of(const OptState *s, TcgArg a)
{
    int64_t v;
    TcgType type = tp(s, a)->type;
    if (get_const(s, a, &v)) {
        return (uint64_t)v & type_mask(type);
    }
    if (info_valid(s, (int)a)) {
        return s->info[a].z_mask & type_mask(type);
    }
    return type_mask(type);
}

/* sext_of for the constant v of a w-bit type: the fewest low bits that
 * sign-extend back to v, one more than the bits below its run of leading
 * sign bits. */
static int const_sext(int64_t v, int w)
{
    int64_t sv = (int64_t)sext_bits(TCG_I64, (uint64_t)v, w);
    int k = 65 - clz64(sv < 0 ? ~(uint64_t)sv : (uint64_t)sv);
    return k < w ? k : w;
}

/* Smallest n such that the value equals its low n bits sign-extended. */
static int sext_of(const OptState *s, TcgArg a)
{
    TcgType type = tp(s, a)->type;
    int w = type_width(type);
    int64_t v;
    if (get_const(s, a, &v)) {
        return const_sext(v, w);
    }
    /* not a constant: z_mask_of(s, a), without asking get_const again */
    uint64_t z = type_mask(type);
    int n = w;
    if (info_valid(s, (int)a)) {
        z &= s->info[a].z_mask;
        n = s->info[a].sext;
    }
    if (!(z >> (w - 1) & 1)) {
        int bits = 64 - clz64(z); /* highest possibly-set bit + 1 */
        if (bits + 1 < n) {
            n = bits + 1;
        }
    }
    return n;
}

/* Take t out of its copy class and forget what is known about it. */
static void temp_forget(OptState *s, int t)
{
    if (t >= s->nb_info) {
        return;
    }
    if (info_valid(s, t)) {
        TempInfo *i = &s->info[t];
        s->info[i->prev].next = i->next;
        s->info[i->next].prev = i->prev;
        i->stamp = 0;
    }
    s->gen[t]++;
}

/* t is about to be written: returns its fresh (empty) info. */
static TempInfo *temp_written(OptState *s, int t)
{
    temp_forget(s, t);
    return info_init(s, t);
}

/*
 * The per-temp tables live as long as the context (ctx->opt_tables) and
 * are never cleared between TBs: an entry counts only if its stamp is the
 * current epoch, and epochs keep counting up from TB to TB.  (Zeroing them
 * for every TB cost more than the rest of the optimiser on short TBs.)
 * Write generations are only ever compared with ones recorded in the same
 * TB.
 */
/* The constant table's largest size: 4 slots per temp, rounded up to a
 * power of two, is never more than half full. */
#define OPT_MAX_CTAB (4 * TCG_MAX_TEMPS)

typedef struct OptTables {
    TempInfo info[TCG_MAX_TEMPS];
    uint32_t gen[TCG_MAX_TEMPS];
    uint32_t epoch;
    /* Per-TB scratch, kept to spare an allocation per TB. */
    int touched[TCG_MAX_TEMPS];
    uint32_t touched_stamp[TCG_MAX_TEMPS];
    int label_refs[TCG_MAX_LABELS];
    int ctab[OPT_MAX_CTAB];
} OptTables;

static void forget_all(OptState *s)
{
    s->epoch++;
    if (s->epoch == 0) { /* wrapped: clear stale stamps for real */
        for (int i = 0; i < TCG_MAX_TEMPS; i++) {
            s->info[i].stamp = 0;
            s->touched_stamp[i] = 0;
        }
        s->epoch = 1;
    }
    s->nb_touched = 0;
}

static void forget_globals(OptState *s)
{
    for (int t = 0; t < s->ctx->nb_globals; t++) {
        if (s->ctx->temps[t].kind == TEMP_GLOBAL) {
            temp_forget(s, t);
        }
    }
}

/* brcond fall-through: TEMP_NORMAL temps are dead past the boundary. */
static void forget_normals(OptState *s)
{
    /* All of them forgotten (or already so): the list starts again. */
    for (int k = 0; k < s->nb_touched; k++) {
        int t = s->touched[k];
        if (info_valid(s, t)) {
            temp_forget(s, t);
        }
        s->touched_stamp[t] = 0;
    }
    s->nb_touched = 0;
}

/* A st through env to [off, off + size) may overwrite a global's field. */
static void forget_globals_overlapping(OptState *s, int64_t off, int size)
{
    for (int t = 0; t < s->ctx->nb_globals; t++) {
        const TcgTemp *g = &s->ctx->temps[t];
        if (g->kind != TEMP_GLOBAL) {
            continue;
        }
        int gsize = g->type == TCG_I32 ? 4 : 8;
        if (off < g->mem_offset + gsize && g->mem_offset < off + size) {
            temp_forget(s, t);
        }
    }
}

/* ---- constants ---- */

static unsigned const_hash(TcgType type, int64_t v)
{
    uint64_t h = ((uint64_t)v ^ ((uint64_t)type << 63)) * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h >> 40);
}

static void const_insert(OptState *s, int t);

/* A table of `size` slots (a power of two) holding every constant temp. */
static void const_table_init(OptState *s, unsigned size)
{
    g_assert(size <= OPT_MAX_CTAB);
    s->cmask = size - 1;
    s->ccount = 0;
    memset(s->ctab, -1, sizeof(int) * size);
    for (int t = s->ctx->nb_globals; t < s->ctx->nb_temps; t++) {
        if (s->ctx->temps[t].kind == TEMP_CONST) {
            const_insert(s, t);
        }
    }
}

static void const_insert(OptState *s, int t)
{
    const TcgTemp *c = &s->ctx->temps[t];
    unsigned h = const_hash(c->type, c->val) & s->cmask;
    while (s->ctab[h] >= 0) {
        const TcgTemp *o = &s->ctx->temps[s->ctab[h]];
        if (o->type == c->type && o->val == c->val) {
            return;
        }
        h = (h + 1) & s->cmask;
    }
    s->ctab[h] = t;
    if (2 * ++s->ccount > s->cmask + 1) {
        const_table_init(s, 2 * (s->cmask + 1)); /* t is a temp already: re-added */
    }
}

/* The TEMP_CONST temp for (type, v), made if needed; NO_TEMP if full. */
static int const_temp(OptState *s, TcgType type, int64_t v)
{
    v = norm_val(type, (uint64_t)v);
    unsigned h = const_hash(type, v) & s->cmask;
    while (s->ctab[h] >= 0) {
        const TcgTemp *o = &s->ctx->temps[s->ctab[h]];
        if (o->type == type && o->val == v) {
            return s->ctab[h];
        }
        h = (h + 1) & s->cmask;
    }
    if (s->ctx->nb_temps >= TCG_MAX_TEMPS) {
        return NO_TEMP;
    }
    TcgTemp *t = tcg_constant(s->ctx, type, v);
    int idx = tcg_temp_idx(s->ctx, t);
    const_insert(s, idx);
    return idx;
}

/* ---- copies ---- */

static int kind_rank(TcgTempKind k)
{
    switch (k) {
    case TEMP_CONST:
        return 0;
    case TEMP_FIXED:
    case TEMP_GLOBAL:
        return 1;
    case TEMP_LOCAL:
        return 2;
    default:
        return 3;
    }
}

/* The best stand-in for input a: a constant, else the best-ranked copy. */
static TcgArg subst_input(OptState *s, TcgArg a)
{
    TcgTemp *t = tp(s, a);
    if (t->kind == TEMP_CONST || !info_valid(s, (int)a)) {
        return a;
    }
    TempInfo *i = &s->info[a];
    if (i->is_const) {
        int c = const_temp(s, t->type, i->val);
        return c == NO_TEMP ? a : (TcgArg)c;
    }
    int best = (int)a, rank = kind_rank(t->kind);
    for (int m = i->next; m != (int)a; m = s->info[m].next) {
        int r = kind_rank(s->ctx->temps[m].kind);
        if (r < rank) {
            best = m;
            rank = r;
        }
    }
    return (TcgArg)best;
}

static bool same_value(const OptState *s, TcgArg a, TcgArg b)
{
    if (a == b) {
        return true;
    }
    int64_t va, vb;
    if (get_const(s, a, &va)) {
        return get_const(s, b, &vb) && va == vb && tp(s, a)->type == tp(s, b)->type;
    }
    if (!info_valid(s, (int)a) || !info_valid(s, (int)b)) {
        return false;
    }
    for (int m = s->info[a].next; m != (int)a; m = s->info[m].next) {
        if (m == (int)b) {
            return true;
        }
    }
    return false;
}

/* Record "d = copy of src" (d is written). */
static void record_copy(OptState *s, int d, TcgArg src)
{
    int64_t v;
    if (get_const(s, src, &v)) {
        TempInfo *di = temp_written(s, d);
        di->is_const = true;
        di->val = v;
        di->z_mask = (uint64_t)v & type_mask(tp(s, d)->type);
        di->sext = (uint8_t)const_sext(v, type_width(tp(s, src)->type));
        return;
    }
    /* src's info first: writing d (d != src) unlinks d from its class and
     * resets d's info, which leaves these fields of src as they are. */
    TempInfo *sp = info_get(s, (int)src);
    TempInfo *di = temp_written(s, d);
    di->z_mask = sp->z_mask;
    di->sext = sp->sext;
    di->fact_opc = sp->fact_opc;
    di->fact_cond = sp->fact_cond;
    memcpy(di->fact_src, sp->fact_src, sizeof(di->fact_src));
    memcpy(di->fact_gen, sp->fact_gen, sizeof(di->fact_gen));
    /* link d after src */
    di->next = sp->next;
    di->prev = (int)src;
    s->info[sp->next].prev = d;
    sp->next = d;
}

/* The fact recorded for temp a, if its sources have not been rewritten. */
static const TempInfo *valid_fact(const OptState *s, TcgArg a, TcgOpcode opc)
{
    if (!info_valid(s, (int)a)) {
        return NULL;
    }
    const TempInfo *i = &s->info[a];
    if (i->fact_opc == INDEX_op_nop || (opc != INDEX_op_last && i->fact_opc != opc)) {
        return NULL;
    }
    int n = i->fact_opc == INDEX_op_setcond ? 2 : 1;
    for (int k = 0; k < n; k++) {
        if (gen_of(s, i->fact_src[k]) != i->fact_gen[k]) {
            return NULL;
        }
        /* A TEMP_NORMAL source forgotten at a brcond is dead. */
        if (tp(s, i->fact_src[k])->kind == TEMP_NORMAL && !info_valid(s, i->fact_src[k])) {
            return NULL;
        }
    }
    return i;
}

/* ---- op rewriting ---- */

static void set_opc(TcgOp *op, TcgOpcode opc, TcgType type)
{
    const TcgOpDef *def = &tcg_op_defs[opc];
    op->opc = opc;
    op->type = type;
    op->nb_oargs = def->nb_oargs;
    op->nb_iargs = def->nb_iargs;
    op->nb_cargs = def->nb_cargs;
}

static void make_mov(OptState *s, TcgOp *op, TcgArg src)
{
    TcgArg d = op->args[0];
    set_opc(op, INDEX_op_mov, tp(s, d)->type);
    op->args[1] = src;
}

/* Turn op into "mov d, $v"; false if no constant temp could be made. */
static bool make_movi(OptState *s, TcgOp *op, int64_t v)
{
    TcgArg d = op->args[0];
    int c = const_temp(s, tp(s, d)->type, v);
    if (c == NO_TEMP) {
        return false;
    }
    make_mov(s, op, (TcgArg)c);
    return true;
}

static void make_unary(OptState *s, TcgOp *op, TcgOpcode opc, TcgArg a)
{
    TcgArg d = op->args[0];
    set_opc(op, opc, tp(s, d)->type);
    op->args[1] = a;
}

static bool is_commutative(TcgOpcode opc)
{
    return tcg_op_defs[opc].flags & TCG_OPF_COMMUTATIVE;
}

/* Outcome of "a cond b": 1 true, 0 false, -1 unknown. */
static int eval_cond(const OptState *s, TcgType type, TcgArg a, TcgArg b, TcgCond cond)
{
    int64_t va, vb;
    if (cond == TCG_COND_ALWAYS) {
        return 1;
    }
    if (cond == TCG_COND_NEVER) {
        return 0;
    }
    if (get_const(s, a, &va) && get_const(s, b, &vb)) {
        return tcg_cond_eval(cond, type, (uint64_t)va, (uint64_t)vb);
    }
    if (same_value(s, a, b)) {
        switch (cond) {
        case TCG_COND_EQ:
        case TCG_COND_GE:
        case TCG_COND_LE:
        case TCG_COND_GEU:
        case TCG_COND_LEU:
            return 1;
        default:
            return 0;
        }
    }
    if (is_const_val(s, b, 0)) {
        if (cond == TCG_COND_LTU) {
            return 0;
        }
        if (cond == TCG_COND_GEU) {
            return 1;
        }
    }
    return -1;
}

/*
 * Canonical form of a comparison: constant second, unsigned compares with
 * zero as eq/ne, and "setcond result ==/!= 0" as the original compare.
 * Updates *a, *b, *cond in place.
 */
static void canon_cond(const OptState *s, TcgArg *a, TcgArg *b, TcgCond *cond)
{
    int64_t v;
    if (get_const(s, *a, &v) && !get_const(s, *b, &v)) {
        TcgArg t = *a;
        *a = *b;
        *b = t;
        *cond = tcg_cond_swap(*cond);
    }
    if (is_const_val(s, *b, 0)) {
        if (*cond == TCG_COND_GTU) {
            *cond = TCG_COND_NE;
        } else if (*cond == TCG_COND_LEU) {
            *cond = TCG_COND_EQ;
        }
        if (*cond == TCG_COND_EQ || *cond == TCG_COND_NE) {
            const TempInfo *f = valid_fact(s, *a, INDEX_op_setcond);
            if (f) {
                TcgCond c = (TcgCond)f->fact_cond;
                *cond = *cond == TCG_COND_NE ? c : tcg_cond_invert(c);
                *a = (TcgArg)f->fact_src[0];
                *b = (TcgArg)f->fact_src[1];
            }
        }
    }
}

static bool is_unconditional_exit(TcgOpcode opc)
{
    return opc == INDEX_op_br || opc == INDEX_op_exit_tb || opc == INDEX_op_goto_ptr;
}

/* Knowledge about the output of a memory load with memop mop. */
static void note_load(OptState *s, int d, MemOp mop)
{
    TempInfo *di = temp_written(s, d);
    int bits = 8 << (mop & MO_SIZE);
    int w = type_width(tp(s, d)->type);
    if (bits >= w) {
        return;
    }
    if (mop & MO_SIGN) {
        di->sext = (uint8_t)bits;
    } else {
        di->z_mask = (1ull << bits) - 1;
    }
}

static int ext_bits(TcgOpcode opc)
{
    switch (opc) {
    case INDEX_op_ext8s:
    case INDEX_op_ext8u:
        return 8;
    case INDEX_op_ext16s:
    case INDEX_op_ext16u:
        return 16;
    case INDEX_op_ext32s:
    case INDEX_op_ext32u:
        return 32;
    default:
        return 0;
    }
}

static bool ext_signed(TcgOpcode opc)
{
    return opc == INDEX_op_ext8s || opc == INDEX_op_ext16s || opc == INDEX_op_ext32s;
}

/* Result knowledge for an op that was not simplified away. */
static void note_result(OptState *s, TcgOp *op, const uint32_t *in_gen)
{
    TcgOpcode opc = op->opc;
    int d = (int)op->args[0];
    TcgType type = tp(s, d)->type;
    int w = type_width(type);
    uint64_t m = type_mask(type);
    uint64_t za = 0, zb = 0;
    int64_t cb = 0;
    bool b_const = false;
    if (op->nb_iargs >= 1) {
        za = z_mask_of(s, op->args[1]);
    }
    if (op->nb_iargs >= 2) {
        zb = z_mask_of(s, op->args[2]);
        b_const = get_const(s, op->args[2], &cb);
    }
    int sa = op->nb_iargs >= 1 ? sext_of(s, op->args[1]) : w;
    int sb = op->nb_iargs >= 2 ? sext_of(s, op->args[2]) : w;
    uint64_t z = m;
    int sx = w;
    uint16_t fopc = INDEX_op_nop;

    switch (opc) {
    case INDEX_op_and:
        z = za & zb;
        sx = sa > sb ? sa : sb;
        break;
    case INDEX_op_or:
    case INDEX_op_xor:
        z = za | zb;
        sx = sa > sb ? sa : sb;
        break;
    case INDEX_op_andc:
        z = b_const ? za & ~(uint64_t)cb : za;
        break;
    case INDEX_op_shl:
        if (b_const) {
            z = (za << (cb & (w - 1))) & m;
            fopc = opc; /* for shr/sar by the same amount */
        }
        break;
    case INDEX_op_shr:
        if (b_const && (cb & (w - 1))) {
            z = za >> (cb & (w - 1));
        }
        break;
    case INDEX_op_sar:
        if (b_const) {
            int n = sa - (int)(cb & (w - 1));
            sx = n < 1 ? 1 : n;
        }
        break;
    case INDEX_op_ctpop:
        z = w == 32 ? 0x3f : 0x7f;
        break;
    case INDEX_op_clz:
    case INDEX_op_ctz:
        z = (w == 32 ? 0x3f : 0x7f) | zb;
        break;
    case INDEX_op_ext8u:
    case INDEX_op_ext16u:
    case INDEX_op_ext32u:
        z = za & ((1ull << ext_bits(opc)) - 1);
        fopc = opc;
        break;
    case INDEX_op_ext8s:
    case INDEX_op_ext16s:
    case INDEX_op_ext32s: {
        int bits = ext_bits(opc);
        sx = sa < bits ? sa : bits;
        if (!(za >> (bits - 1) & 1)) {
            z = za & ((1ull << (bits - 1)) - 1);
        }
        fopc = opc;
        break;
    }
    case INDEX_op_not:
    case INDEX_op_neg:
        if (opc == INDEX_op_not) {
            sx = sa;
        }
        fopc = opc;
        break;
    case INDEX_op_extu_i32_i64:
        z = za & 0xffffffffull;
        fopc = opc;
        break;
    case INDEX_op_exts_i32_i64:
        sx = sa < 32 ? sa : 32;
        z = (za >> 31 & 1) ? (za | 0xffffffff00000000ull) : za;
        fopc = opc;
        break;
    case INDEX_op_extrl_i64_i32:
        z = za & 0xffffffffull;
        sx = sa < 32 ? sa : 32;
        break;
    case INDEX_op_setcond:
        z = 1;
        fopc = opc;
        break;
    case INDEX_op_movcond: {
        z = z_mask_of(s, op->args[3]) | z_mask_of(s, op->args[4]);
        int s3 = sext_of(s, op->args[3]), s4 = sext_of(s, op->args[4]);
        sx = s3 > s4 ? s3 : s4;
        break;
    }
    default:
        break;
    }

    TempInfo *di = temp_written(s, d);
    di->z_mask = z & m;
    di->sext = (uint8_t)(sx < 1 ? 1 : sx);
    if (fopc != INDEX_op_nop) {
        di->fact_opc = fopc;
        di->fact_src[0] = (int)op->args[1];
        di->fact_gen[0] = in_gen[0];
        if (opc == INDEX_op_setcond) {
            di->fact_src[1] = (int)op->args[2];
            di->fact_gen[1] = in_gen[1];
            di->fact_cond = (uint8_t)op->args[3];
        } else if (opc == INDEX_op_shl) {
            di->fact_cond = (uint8_t)(cb & (w - 1)); /* the shift count */
        }
    }
}

/*
 * shr/sar of (y << n) by the same n: a zero or sign extension of y's low
 * w - n bits, as RISC-V code without Zba/Zbb writes zext.w, sext.b and
 * friends (slli + srli/srai).  shr becomes "and y, mask" when the mask
 * fits an immediate (w - n <= 32), sar an ext8s/16s/32s.
 */
static bool simplify_shl_shr(OptState *s, TcgOp *op, int64_t count)
{
    TcgType type = tp(s, op->args[0])->type;
    int w = type_width(type);
    int n = (int)(count & (w - 1));
    const TempInfo *f = valid_fact(s, op->args[1], INDEX_op_shl);
    if (!f || n == 0 || f->fact_cond != n || tp(s, f->fact_src[0])->type != type) {
        return false;
    }
    TcgArg y = (TcgArg)f->fact_src[0];
    if (op->opc == INDEX_op_shr) {
        if (w - n > 32) {
            return false;
        }
        int c = const_temp(s, type, norm_val(type, type_mask(type) >> n));
        if (c == NO_TEMP) {
            return false;
        }
        set_opc(op, INDEX_op_and, type);
        op->args[1] = y;
        op->args[2] = (TcgArg)c;
        return true;
    }
    TcgOpcode e = w - n == 8    ? INDEX_op_ext8s
                  : w - n == 16 ? INDEX_op_ext16s
                  : w - n == 32 && w == 64 ? INDEX_op_ext32s
                                           : INDEX_op_nop;
    if (e == INDEX_op_nop) {
        return false;
    }
    make_unary(s, op, e, y);
    return true;
}

/*
 * Simplify a typed data op with one output (after input substitution).
 * Returns true if the op was rewritten (the caller re-runs the analysis on
 * the new form).
 */
static bool simplify_data(OptState *s, TcgOp *op)
{
    TcgOpcode opc = op->opc;
    TcgArg d = op->args[0];
    TcgType type = tp(s, d)->type;
    int w = type_width(type);
    int64_t va = 0, vb = 0; /* (set where ca/cb say so; gcc cannot tell) */

    if (op->nb_iargs == 1) {
        TcgArg a = op->args[1];
        if (get_const(s, a, &va)) {
            int64_t r;
            if (opc != INDEX_op_mov && tcg_fold_const(opc, type, (uint64_t)va, 0, &r)) {
                return make_movi(s, op, r);
            }
            return false;
        }
        int bits = ext_bits(opc);
        switch (opc) {
        case INDEX_op_not:
        case INDEX_op_neg: {
            const TempInfo *f = valid_fact(s, a, opc);
            if (f && tp(s, f->fact_src[0])->type == type) {
                make_mov(s, op, (TcgArg)f->fact_src[0]);
                return true;
            }
            return false;
        }
        case INDEX_op_ext8s:
        case INDEX_op_ext16s:
        case INDEX_op_ext32s:
        case INDEX_op_ext8u:
        case INDEX_op_ext16u:
        case INDEX_op_ext32u: {
            if (ext_signed(opc) ? sext_of(s, a) <= bits
                                : (z_mask_of(s, a) & ~((1ull << bits) - 1)) == 0) {
                make_mov(s, op, a);
                return true;
            }
            /* ext of a wider-or-equal ext of y: only y's low bits matter */
            const TempInfo *f = valid_fact(s, a, INDEX_op_last);
            if (f && ext_bits(f->fact_opc) >= bits) {
                op->args[1] = (TcgArg)f->fact_src[0];
                return true;
            }
            return false;
        }
        case INDEX_op_extrl_i64_i32: {
            const TempInfo *f = valid_fact(s, a, INDEX_op_last);
            if (f && (f->fact_opc == INDEX_op_extu_i32_i64 ||
                      f->fact_opc == INDEX_op_exts_i32_i64)) {
                make_mov(s, op, (TcgArg)f->fact_src[0]);
                return true;
            }
            if (f && ext_bits(f->fact_opc) == 32) {
                op->args[1] = (TcgArg)f->fact_src[0];
                return true;
            }
            return false;
        }
        default:
            return false;
        }
    }

    /* binary ops */
    TcgArg a = op->args[1], b = op->args[2];
    bool ca = get_const(s, a, &va), cb = get_const(s, b, &vb);
    if (ca && !cb && is_commutative(opc)) {
        op->args[1] = b;
        op->args[2] = a;
        return true;
    }
    if (ca && cb) {
        int64_t r;
        if (tcg_fold_const(opc, type, (uint64_t)va, (uint64_t)vb, &r)) {
            return make_movi(s, op, r);
        }
        return false;
    }
    if ((opc == INDEX_op_shr || opc == INDEX_op_sar) && cb && simplify_shl_shr(s, op, vb)) {
        return true;
    }
    if ((opc == INDEX_op_clz || opc == INDEX_op_ctz) && ca) {
        if ((uint64_t)va & type_mask(type)) {
            int64_t r;
            tcg_fold_const(opc, type, (uint64_t)va, 0, &r);
            return make_movi(s, op, r);
        }
        make_mov(s, op, b);
        return true;
    }
    if (same_value(s, a, b)) {
        switch (opc) {
        case INDEX_op_sub:
        case INDEX_op_xor:
        case INDEX_op_andc:
            return make_movi(s, op, 0);
        case INDEX_op_and:
        case INDEX_op_or:
            make_mov(s, op, a);
            return true;
        case INDEX_op_orc:
        case INDEX_op_eqv:
            return make_movi(s, op, -1);
        default:
            break;
        }
    }
    if (ca) {
        /* constant first operand of a non-commutative op */
        if (va == 0) {
            switch (opc) {
            case INDEX_op_sub:
                make_unary(s, op, INDEX_op_neg, b);
                return true;
            case INDEX_op_shl:
            case INDEX_op_shr:
            case INDEX_op_sar:
            case INDEX_op_rotl:
            case INDEX_op_rotr:
            case INDEX_op_andc:
                return make_movi(s, op, 0);
            default:
                break;
            }
        } else if (va == -1) {
            switch (opc) {
            case INDEX_op_sar:
            case INDEX_op_rotl:
            case INDEX_op_rotr:
                return make_movi(s, op, -1);
            default:
                break;
            }
        }
        return false;
    }
    if (!cb) {
        return false;
    }

    /* constant second operand */
    switch (opc) {
    case INDEX_op_add:
    case INDEX_op_sub:
    case INDEX_op_or:
    case INDEX_op_xor:
        if (vb == 0) {
            make_mov(s, op, a);
            return true;
        }
        if (vb == -1 && opc == INDEX_op_or) {
            return make_movi(s, op, -1);
        }
        if (vb == -1 && opc == INDEX_op_xor) {
            make_unary(s, op, INDEX_op_not, a);
            return true;
        }
        break;
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
    case INDEX_op_rotl:
    case INDEX_op_rotr:
        if ((vb & (w - 1)) == 0) {
            make_mov(s, op, a);
            return true;
        }
        break;
    case INDEX_op_mul:
        if (vb == 0) {
            return make_movi(s, op, 0);
        }
        if (vb == 1) {
            make_mov(s, op, a);
            return true;
        }
        if (vb == -1) {
            make_unary(s, op, INDEX_op_neg, a);
            return true;
        }
        break;
    case INDEX_op_mulsh:
    case INDEX_op_muluh:
        if (vb == 0 || (vb == 1 && opc == INDEX_op_muluh)) {
            return make_movi(s, op, 0);
        }
        break;
    case INDEX_op_div:
    case INDEX_op_divu:
        if (vb == 1) {
            make_mov(s, op, a);
            return true;
        }
        break;
    case INDEX_op_rem:
    case INDEX_op_remu:
        if (vb == 1) {
            return make_movi(s, op, 0);
        }
        break;
    case INDEX_op_and: {
        uint64_t z = z_mask_of(s, a);
        uint64_t c = (uint64_t)vb & type_mask(type);
        if ((z & c) == 0) {
            return make_movi(s, op, 0);
        }
        if ((z & ~c) == 0) {
            make_mov(s, op, a);
            return true;
        }
        break;
    }
    case INDEX_op_andc:
        if (vb == 0) {
            make_mov(s, op, a);
            return true;
        }
        if (vb == -1) {
            return make_movi(s, op, 0);
        }
        break;
    case INDEX_op_orc:
        if (vb == 0) {
            return make_movi(s, op, -1);
        }
        if (vb == -1) {
            make_mov(s, op, a);
            return true;
        }
        break;
    case INDEX_op_eqv:
        if (vb == -1) {
            make_mov(s, op, a);
            return true;
        }
        if (vb == 0) {
            make_unary(s, op, INDEX_op_not, a);
            return true;
        }
        break;
    default:
        break;
    }
    return false;
}

static bool simplify_setcond(OptState *s, TcgOp *op)
{
    TcgArg a = op->args[1], b = op->args[2];
    TcgCond cond = (TcgCond)op->args[3];
    TcgType type = (TcgType)op->type;
    int r = eval_cond(s, type, a, b, cond);
    if (r >= 0) {
        return make_movi(s, op, r);
    }
    /* "x != 0" of a 0/1 value is x: a copy beats recomputing a compare */
    if (cond == TCG_COND_NE && is_const_val(s, b, 0) && (z_mask_of(s, a) & ~1ull) == 0) {
        make_mov(s, op, a);
        return true;
    }
    canon_cond(s, &a, &b, &cond);
    if (a != op->args[1] || b != op->args[2] || cond != (TcgCond)op->args[3]) {
        op->args[1] = a;
        op->args[2] = b;
        op->args[3] = cond;
        return true;
    }
    /* "x == 0" of a 0/1 value (not from a setcond canon_cond could see) */
    if (is_const_val(s, b, 0) && (z_mask_of(s, a) & ~1ull) == 0) {
        if (cond == TCG_COND_EQ) {
            int one = const_temp(s, type, 1);
            if (one != NO_TEMP) {
                set_opc(op, INDEX_op_xor, type);
                op->args[1] = a;
                op->args[2] = (TcgArg)one;
                return true;
            }
        }
    }
    return false;
}

static bool simplify_movcond(OptState *s, TcgOp *op)
{
    TcgArg c1 = op->args[1], c2 = op->args[2], v1 = op->args[3], v2 = op->args[4];
    TcgCond cond = (TcgCond)op->args[5];
    TcgType type = (TcgType)op->type;
    int r = eval_cond(s, type, c1, c2, cond);
    if (r >= 0) {
        make_mov(s, op, r ? v1 : v2);
        return true;
    }
    if (same_value(s, v1, v2)) {
        make_mov(s, op, v1);
        return true;
    }
    canon_cond(s, &c1, &c2, &cond);
    if (c1 != op->args[1] || c2 != op->args[2] || cond != (TcgCond)op->args[5]) {
        op->args[1] = c1;
        op->args[2] = c2;
        op->args[5] = cond;
        return true;
    }
    if (is_const_val(s, v1, 1) && is_const_val(s, v2, 0)) {
        set_opc(op, INDEX_op_setcond, type);
        op->args[3] = cond;
        return true;
    }
    if (is_const_val(s, v1, 0) && is_const_val(s, v2, 1)) {
        set_opc(op, INDEX_op_setcond, type);
        op->args[3] = tcg_cond_invert(cond);
        return true;
    }
    return false;
}

/*
 * Optimise one reachable op in place.  Returns false if the op disappears.
 */
static bool optimize_op(OptState *s, TcgOp *op)
{
    /* copy propagation into every input */
    for (int i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        op->args[i] = subst_input(s, op->args[i]);
    }

    for (int round = 0; round < 8; round++) {
        TcgOpcode opc = op->opc;
        switch (opc) {
        case INDEX_op_mov:
            if (same_value(s, op->args[0], op->args[1])) {
                return false;
            }
            record_copy(s, (int)op->args[0], op->args[1]);
            return true;

        case INDEX_op_brcond: {
            TcgArg a = op->args[0], b = op->args[1];
            TcgCond cond = (TcgCond)op->args[2];
            int label = (int)op->args[3];
            int r = eval_cond(s, (TcgType)op->type, a, b, cond);
            if (r == 0) {
                label_unref(s, label);
                return false;
            }
            if (r == 1) {
                set_opc(op, INDEX_op_br, TCG_I64);
                op->args[0] = (TcgArg)label;
                return true;
            }
            canon_cond(s, &a, &b, &cond);
            if (a != op->args[0] || b != op->args[1] || cond != (TcgCond)op->args[2]) {
                op->args[0] = a;
                op->args[1] = b;
                op->args[2] = cond;
                continue;
            }
            forget_normals(s);
            return true;
        }

        case INDEX_op_setcond:
            if (simplify_setcond(s, op)) {
                continue;
            }
            goto plain_result;

        case INDEX_op_movcond:
            if (simplify_movcond(s, op)) {
                continue;
            }
            goto plain_result;

        case INDEX_op_call: {
            const TcgHelperInfo *h = (const TcgHelperInfo *)op->args[op->nb_oargs +
                                                                     op->nb_iargs];
            if (!(h->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                forget_globals(s);
            }
            for (int i = 0; i < op->nb_oargs; i++) {
                temp_written(s, (int)op->args[i]);
            }
            return true;
        }

        case INDEX_op_fpop:
            /* never folded: the helper also accrues fflags; reads no globals */
            temp_written(s, (int)op->args[0]);
            return true;

        case INDEX_op_ld:
            note_load(s, (int)op->args[0], (MemOp)op->args[3]);
            return true;

        case INDEX_op_qemu_ld:
            note_load(s, (int)op->args[0], tcg_oi_memop((uint32_t)op->args[2]));
            return true;

        case INDEX_op_st:
            if (tp(s, op->args[1])->kind == TEMP_FIXED) {
                int size = 1 << (op->args[3] & MO_SIZE);
                forget_globals_overlapping(s, (int64_t)(intptr_t)op->args[2], size);
            }
            return true;

        case INDEX_op_insn_start:
        case INDEX_op_set_label:
        case INDEX_op_br:
        case INDEX_op_goto_tb:
        case INDEX_op_exit_tb:
        case INDEX_op_goto_ptr:
        case INDEX_op_mb:
        case INDEX_op_qemu_st:
            return true;

        default:
            if ((tcg_op_defs[op->opc].flags & TCG_OPF_PURE) && op->nb_oargs == 1 &&
                simplify_data(s, op)) {
                continue;
            }
            goto plain_result;
        }
    }
plain_result:
    if (op->opc == INDEX_op_brcond) {
        forget_normals(s); /* only if the rewrite loop ran out of rounds */
    } else if (op->nb_oargs == 1) {
        uint32_t in_gen[2] = { 0, 0 };
        for (int k = 0; k < 2 && k < op->nb_iargs; k++) {
            in_gen[k] = gen_of(s, (int)op->args[1 + k]);
        }
        if (op->opc == INDEX_op_mov) {
            /* reached only if the rewrite loop ran out of rounds */
            if (same_value(s, op->args[0], op->args[1])) {
                return false;
            }
            record_copy(s, (int)op->args[0], op->args[1]);
        } else {
            note_result(s, op, in_gen);
        }
    } else {
        for (int i = 0; i < op->nb_oargs; i++) {
            temp_written(s, (int)op->args[i]);
        }
    }
    return true;
}

/* Op r stays, as op w (w <= r: ops are rewritten in place). */
static inline void keep_op(TcgContext *ctx, int *w, int r)
{
    if (*w != r) {
        ctx->ops[*w] = ctx->ops[r];
    }
    (*w)++;
}

/* Remove set_label ops of labels nobody branches to any more. */
static void drop_unused_labels(TcgContext *ctx, const int *refs)
{
    int w = 0;
    for (int r = 0; r < ctx->nb_ops; r++) {
        TcgOp *op = &ctx->ops[r];
        if (op->opc == INDEX_op_set_label && refs[op->args[0]] <= 0) {
            continue;
        }
        keep_op(ctx, &w, r);
    }
    ctx->nb_ops = w;
}

void tcg_optimize(TcgContext *ctx)
{
    OptState s = { .ctx = ctx };
    s.nb_info = ctx->nb_temps;
    if (!ctx->opt_tables) {
        ctx->opt_tables = g_new0(OptTables, 1);
    }
    OptTables *tables = ctx->opt_tables;
    s.info = tables->info;
    s.gen = tables->gen;
    s.epoch = tables->epoch;
    s.touched = tables->touched;
    s.touched_stamp = tables->touched_stamp;
    s.label_refs = tables->label_refs;
    s.ctab = tables->ctab;
    forget_all(&s); /* a fresh epoch: nothing known */
    memset(s.label_refs, 0, sizeof(int) * (size_t)ctx->nb_labels);
    /* Sized for the constants the TB has (it grows if folding makes many
     * more): clearing a table for TCG_MAX_TEMPS cost more than the rest of
     * the optimiser on short TBs. */
    unsigned size = 64;
    while (size < 4u * (unsigned)(ctx->nb_temps - ctx->nb_globals)) {
        size *= 2;
    }
    const_table_init(&s, size);
    for (int i = 0; i < ctx->nb_ops; i++) {
        const TcgOp *op = &ctx->ops[i];
        if (op->opc == INDEX_op_br) {
            s.label_refs[op->args[0]]++;
        } else if (op->opc == INDEX_op_brcond) {
            s.label_refs[op->args[3]]++;
        }
    }

    bool dead = false;
    int w = 0;
    for (int r = 0; r < ctx->nb_ops; r++) {
        TcgOp *op = &ctx->ops[r];
        switch (op->opc) {
        case INDEX_op_nop:
            continue;
        case INDEX_op_insn_start:
            /* kept even when unreachable: the insn count and the mapping of
             * later ops to guest insns depend on every marker */
            keep_op(ctx, &w, r);
            continue;
        case INDEX_op_set_label: {
            int label = (int)op->args[0];
            if (s.label_refs[label] <= 0) {
                continue; /* nobody jumps here: not a block boundary */
            }
            /* "br L" (then only markers) right before "L:" is a no-op */
            int j = w - 1;
            while (j >= 0 && ctx->ops[j].opc == INDEX_op_insn_start) {
                j--;
            }
            if (j >= 0 && ctx->ops[j].opc == INDEX_op_br && (int)ctx->ops[j].args[0] == label) {
                memmove(&ctx->ops[j], &ctx->ops[j + 1], sizeof(TcgOp) * (size_t)(w - j - 1));
                w--;
                label_unref(&s, label);
            }
            forget_all(&s);
            dead = false;
            if (s.label_refs[label] > 0) {
                keep_op(ctx, &w, r);
            }
            continue;
        }
        default:
            break;
        }
        if (dead) {
            if (op->opc == INDEX_op_br) {
                label_unref(&s, (int)op->args[0]);
            } else if (op->opc == INDEX_op_brcond) {
                label_unref(&s, (int)op->args[3]);
            }
            continue;
        }
        if (!optimize_op(&s, op)) {
            continue;
        }
        keep_op(ctx, &w, r);
        if (is_unconditional_exit((TcgOpcode)op->opc)) {
            dead = true;
            forget_all(&s);
        } else if (op->opc == INDEX_op_goto_tb) {
            forget_all(&s);
        }
    }
    ctx->nb_ops = w;
    if (s.unrefs) { /* else every label kept is still branched to */
        drop_unused_labels(ctx, s.label_refs);
    }

    tables->epoch = s.epoch;
}
