/*
 * One-pass local register allocator, integrated with code emission.
 *
 * State: for every temp, where its value is (a register, its memory slot, a
 * known constant, or nowhere), and whether the memory slot is up to date
 * ("coherent"); for every host register, which temp owns it.
 *
 * Policy (docs/backend-x86_64.md has the long version):
 *  - Globals start each TB in memory and are loaded on first use; they then
 *    stay in their register until a call may overwrite them, a label or
 *    unconditional branch needs the canonical memory state, or register
 *    pressure evicts them.  Stores happen where liveness says so
 *    (SYNC_ARG), i.e. once after the last definition before memory is read.
 *    At a guest memory access or a branch to an exit label the dirty ones
 *    are handed to the emitter instead (RaOpArgs.wb), which writes them
 *    back only if the access faults or the branch is taken.
 *  - A mov to a temp from a constant only records the constant; it becomes
 *    an immediate at the use (or a store at a sync) if the host allows,
 *    else it is materialised into a register and cached there.
 *  - A mov whose source dies hands the source's register to the
 *    destination instead of copying.
 *  - When a register is needed and none is free, the cheapest victim is
 *    chosen (a cached constant, then a value already clean in memory, then
 *    one that must be spilled).  A victim is moved to another free register
 *    rather than spilled whenever one exists.
 *  - At calls, live values in call-clobbered registers move to free
 *    callee-saved registers (else spill); arguments are placed with a
 *    parallel move (cycles broken with xchg).
 *  - TEMP_LOCAL temps and spilled temps live in the frame area the host
 *    reserves (RaHostDesc.frame_*).
 */
#include "tcg/regalloc.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

#define RA_CONST_ANY 0x8000 /* cflags bit for the generic 'i' letter */

enum {
    VAL_DEAD,
    VAL_REG,
    VAL_MEM,
    VAL_CONST,
};

typedef struct RaTemp {
    uint8_t val;
    int8_t reg;
    bool coherent;      /* memory slot holds the current value */
    bool mem_alloc;     /* has a memory slot */
    bool borrowed;      /* the "slot" is a cpu-state field lent by a lazy ld */
    int8_t mem_base;
    int32_t mem_off;
    int64_t cval;       /* VAL_CONST: the value */
} RaTemp;

/* Spill slots the allocator can track (RaHostDesc.frame_size / 8). */
#define RA_MAX_SLOTS 1024

/*
 * Per-context storage, allocated at the context's first translation and
 * kept (ctx->ra_tables, one block: tcg_context_destroy frees it): no
 * allocation per TB, and the globals' start state is copied, not rebuilt.
 */
typedef struct RaTables {
    RaTemp t[TCG_MAX_TEMPS];
    uint64_t maybe_dirty[TCG_MAX_TEMPS / 64];
    uint64_t active[TCG_MAX_TEMPS / 64];
    uint64_t slot_used[RA_MAX_SLOTS / 64];
    /* globals0[0, nb_globals0): the globals at the start of a TB, made
     * for env_reg0 (ra_init_state); room for max_globals0. */
    int nb_globals0, max_globals0;
    int8_t env_reg0;
    RaTemp globals0[];
} RaTables;

typedef struct RaState {
    TcgContext *ctx;
    const RaHostDesc *d;
    const RaHostOps *o;
    void *h;
    RaTemp *t;
    int16_t reg_temp[RA_MAX_REGS]; /* owning temp or -1 (ra_reg_own/ra_reg_drop) */
    TcgRegSet owned;               /* the registers with reg_temp >= 0 */
    uint32_t reg_stamp[RA_MAX_REGS]; /* op count when last assigned or read */
    uint32_t now;                  /* ops processed */
    TcgRegSet locked;              /* not to be chosen for allocation now */
    TcgRegSet busy;                /* read by the current op: never a move target */
    TcgRegSet all;                 /* every allocatable register */
    uint64_t *slot_used;
    int nb_slots;
    /* Globals and locals whose memory slot may be stale (a superset of
     * those with !coherent): ra_sync_dirty visits only these. */
    uint64_t *maybe_dirty;
    /* Temps that may be away from their resting state (a superset): in a
     * register, a known constant, or a normal temp with a memory slot.
     * Resting is: globals in memory, locals in memory or dead, normal temps
     * dead, constants just constants.  The block-boundary walks
     * (ra_save_all, ra_reset_all, calls) visit only these. */
    uint64_t *active;
    bool warned_dead;
    int8_t loop_reg[TCG_MAX_LOOP_GLOBALS]; /* register of ctx->loop_globals[k] */
    /* Last: not cleared when a TB starts (tcg_regalloc_run). */
    TcgWriteback wb[TCG_MAX_WRITEBACK];
} RaState;

/* ------------------------------------------------------------------ */
/* constraint parsing */

void ra_constraint_parse(RaOpConstraint *ct, int nb_oargs, int nb_iargs,
                         const char *const *strs, RaLetterFn letter)
{
    memset(ct, 0, sizeof(*ct));
    ct->nb_oargs = nb_oargs;
    ct->nb_iargs = nb_iargs;
    for (int i = 0; i < nb_oargs + nb_iargs; i++) {
        RaArgConstraint *a = &ct->args[i];
        a->alias = -1;
        for (const char *p = strs[i]; *p; p++) {
            if (*p >= '0' && *p <= '9') {
                int o = *p - '0';
                if (i < nb_oargs || o >= nb_oargs) {
                    g_error("regalloc: bad alias constraint '%s'", strs[i]);
                }
                a->alias = o;
                a->regs = ct->args[o].regs;
                ct->args[o].alias = i;
            } else if (*p == '&') {
                a->newreg = true;
            } else if (*p == '!') {
                a->clobbered = true;
            } else if (*p == 'i') {
                a->cflags |= RA_CONST_ANY;
            } else if (*p == 'm') {
                a->mem_ok = true;
            } else if (!letter(*p, a)) {
                g_error("regalloc: unknown constraint letter '%c'", *p);
            }
        }
        if ((a->alias >= 0 || a->clobbered) && i >= nb_oargs) {
            /* The op rewrites this input's register: it must be one. */
            a->cflags = 0;
            a->mem_ok = false;
        }
    }
    /* Most constrained first, so a fixed register is never taken by an
     * operand that could have gone anywhere (stable order otherwise). */
    for (int pass = 0; pass < 2; pass++) {
        int base = pass ? nb_oargs : 0, n = pass ? nb_iargs : nb_oargs;
        uint8_t *order = pass ? ct->in_order : ct->out_order;
        for (int i = 0; i < n; i++) {
            order[i] = (uint8_t)(base + i);
        }
        for (int i = 1; i < n; i++) {
            uint8_t v = order[i];
            int pv = __builtin_popcount(ct->args[v].regs);
            int j = i - 1;
            while (j >= 0 && __builtin_popcount(ct->args[order[j]].regs) > pv) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = v;
        }
    }
}

/* ------------------------------------------------------------------ */
/* temp state helpers */

static inline TcgType temp_type(RaState *s, int ti)
{
    return s->ctx->temps[ti].type;
}

static inline TcgTempKind temp_kind(RaState *s, int ti)
{
    return s->ctx->temps[ti].kind;
}

/* t's memory slot no longer holds its value. */
static inline void ra_set_incoherent(RaState *s, int ti)
{
    s->t[ti].coherent = false;
    TcgTempKind k = temp_kind(s, ti);
    if (k == TEMP_GLOBAL || k == TEMP_LOCAL) {
        s->maybe_dirty[ti / 64] |= 1ull << (ti % 64);
    }
}

static void ra_mem_alloc(RaState *s, int ti)
{
    RaTemp *t = &s->t[ti];
    for (int i = 0; i < s->nb_slots; i++) {
        if (!(s->slot_used[i / 64] & (1ull << (i % 64)))) {
            s->slot_used[i / 64] |= 1ull << (i % 64);
            t->mem_alloc = true;
            t->mem_base = s->d->frame_reg;
            t->mem_off = s->d->frame_offset + 8 * i;
            return;
        }
    }
    g_error("regalloc: spill area exhausted (%d slots)", s->nb_slots);
}

static void ra_mem_release(RaState *s, int ti)
{
    RaTemp *t = &s->t[ti];
    if (t->borrowed) {
        t->borrowed = false;
        t->mem_alloc = false;
    } else if (t->mem_alloc && temp_kind(s, ti) == TEMP_NORMAL) {
        int i = (t->mem_off - s->d->frame_offset) / 8;
        s->slot_used[i / 64] &= ~(1ull << (i % 64));
        t->mem_alloc = false;
    }
}

static inline void ra_reg_own(RaState *s, int r, int ti)
{
    s->reg_temp[r] = (int16_t)ti;
    s->owned |= 1u << r;
}

static inline void ra_reg_drop(RaState *s, int r)
{
    s->reg_temp[r] = -1;
    s->owned &= ~(1u << r);
}

static inline void ra_mark_active(RaState *s, int ti)
{
    s->active[ti / 64] |= 1ull << (ti % 64);
}

static inline void ra_clear_active(RaState *s, int ti)
{
    s->active[ti / 64] &= ~(1ull << (ti % 64));
}

/* The first active temp in [i, hi), or hi.  Walks go up by index like the
 * full loops they replace, so code comes out in the same order. */
static int ra_next_active(const RaState *s, int i, int hi)
{
    while (i < hi) {
        uint64_t w = s->active[i / 64] >> (i % 64);
        if (w) {
            i += __builtin_ctzll(w);
            return i < hi ? i : hi;
        }
        i = (i / 64 + 1) * 64;
    }
    return hi;
}

static void ra_assign(RaState *s, int ti, int r)
{
    RaTemp *t = &s->t[ti];
    ra_mark_active(s, ti);
    t->val = VAL_REG;
    t->reg = (int8_t)r;
    ra_reg_own(s, r, ti);
    s->reg_stamp[r] = s->now;
}

/* Make the temp's memory slot current (keeps any register copy). */
static void ra_temp_sync(RaState *s, int ti)
{
    RaTemp *t = &s->t[ti];
    TcgTempKind k = temp_kind(s, ti);

    if (k == TEMP_FIXED || k == TEMP_CONST || t->coherent) {
        return;
    }
    if (t->val != VAL_REG && t->val != VAL_CONST) {
        return;
    }
    if (!t->mem_alloc) {
        ra_mem_alloc(s, ti);
    }
    if (t->val == VAL_REG) {
        s->o->st(s->h, temp_type(s, ti), t->reg, t->mem_base, t->mem_off);
    } else {
        s->o->sti(s->h, temp_type(s, ti), t->cval, t->mem_base, t->mem_off);
    }
    t->coherent = true;
}

/*
 * Drop the temp's register.  dead: the value is not needed any more (for
 * globals and locals liveness guarantees memory is already current);
 * otherwise the caller has synced it and it now lives in memory.
 */
static void ra_temp_free(RaState *s, int ti, bool dead)
{
    RaTemp *t = &s->t[ti];
    TcgTempKind k = temp_kind(s, ti);

    if (k == TEMP_FIXED) {
        return;
    }
    if (t->val == VAL_REG && s->reg_temp[t->reg] == ti) {
        ra_reg_drop(s, t->reg);
    }
    switch (k) {
    case TEMP_CONST:
        t->val = VAL_CONST;
        t->cval = s->ctx->temps[ti].val;
        break;
    case TEMP_GLOBAL:
        t->val = VAL_MEM;
        t->coherent = true;
        break;
    case TEMP_LOCAL:
        t->val = t->mem_alloc ? VAL_MEM : VAL_DEAD;
        t->coherent = true;
        break;
    default:
        if (dead) {
            t->val = VAL_DEAD;
            ra_mem_release(s, ti);
        } else {
            t->val = t->mem_alloc ? VAL_MEM : VAL_DEAD;
        }
        t->coherent = true;
        break;
    }
}

static void ra_temp_save(RaState *s, int ti)
{
    ra_temp_sync(s, ti);
    ra_temp_free(s, ti, false);
}

/* A free register in set (outside locked/reserved), trying prefer first. */
static int ra_find_free(RaState *s, TcgRegSet set, TcgRegSet prefer)
{
    set &= ~(s->d->reserved | s->locked | s->owned);
    for (int pass = 0; pass < 2; pass++) {
        TcgRegSet want = pass ? set : (set & prefer);
        if (!want) {
            continue;
        }
        for (int k = 0; k < s->d->nb_alloc_order; k++) {
            int r = s->d->alloc_order[k];
            if (ra_set_has(want, r)) {
                return r;
            }
        }
    }
    return -1;
}

/* Empty register r: move its temp to a free register (preferring `prefer`)
 * if there is one, else write it back and leave it in memory. */
static void ra_reg_evict(RaState *s, int r, TcgRegSet prefer)
{
    int ti = s->reg_temp[r];
    if (ti < 0) {
        return;
    }
    if (temp_kind(s, ti) == TEMP_CONST) {
        ra_temp_free(s, ti, false);
        return;
    }
    TcgRegSet saved = s->locked;
    s->locked |= s->busy | (1u << r);
    int r2 = ra_find_free(s, s->all, prefer);
    s->locked = saved;
    if (r2 >= 0) {
        s->o->mov(s->h, temp_type(s, ti), r2, r);
        ra_reg_drop(s, r);
        ra_assign(s, ti, r2);
    } else {
        ra_temp_save(s, ti);
    }
}

/* A register from set, evicting its occupant if none is free. */
static int ra_reg_alloc(RaState *s, TcgRegSet set, TcgRegSet prefer)
{
    int r = ra_find_free(s, set, prefer);
    if (r >= 0) {
        return r;
    }
    /* Victim: a cached constant if any (free to rematerialise), else the
     * least recently used value, with a small bias towards values already
     * clean in memory (no store needed). */
    set &= ~(s->d->reserved | s->locked);
    int best = -1;
    int64_t best_score = INT64_MIN;
    for (int k = 0; k < s->d->nb_alloc_order; k++) {
        int c = s->d->alloc_order[k];
        if (!ra_set_has(set, c)) {
            continue;
        }
        int ti = s->reg_temp[c];
        int64_t score = (int64_t)(s->now - s->reg_stamp[c]);
        if (temp_kind(s, ti) == TEMP_CONST) {
            score += 1 << 20;
        } else if (s->t[ti].coherent) {
            score += 8;
        }
        if (score > best_score) {
            best = c;
            best_score = score;
        }
    }
    if (best < 0) {
        g_error("regalloc: no register available (constraint too tight)");
    }
    ra_reg_evict(s, best, 0);
    return best;
}

/* Is the temp's value a known constant right now? */
static bool ra_temp_const(RaState *s, int ti, int64_t *val)
{
    if (temp_kind(s, ti) == TEMP_CONST) {
        *val = s->ctx->temps[ti].val;
        return true;
    }
    if (s->t[ti].val == VAL_CONST) {
        *val = s->t[ti].cval;
        return true;
    }
    return false;
}

/* A read of a temp with no value: a front-end bug the IR verifier should
 * have caught, or a liveness bug.  No code is emitted for the read. */
static void ra_warn_dead(RaState *s, int ti)
{
    if (ROVE_VERIFY_IR) {
        tcg_dump_ops(s->ctx, stderr);
        g_error("regalloc: temp %d used while dead (see the IR above)", ti);
    }
    if (!s->warned_dead) {
        s->warned_dead = true;
        g_warning("regalloc: temp %d used while dead (front-end bug: a normal temp "
                  "used across a basic-block boundary?)", ti);
    }
}

/* Emit code putting temp ti's value into register r; bookkeeping unchanged. */
static void ra_copy_to_reg(RaState *s, int ti, int r)
{
    RaTemp *t = &s->t[ti];
    TcgType type = temp_type(s, ti);
    switch (t->val) {
    case VAL_REG:
        if (t->reg != r) {
            s->o->mov(s->h, type, r, t->reg);
        }
        break;
    case VAL_MEM:
        s->o->ld(s->h, type, r, t->mem_base, t->mem_off);
        break;
    case VAL_CONST:
        s->o->movi(s->h, type, r, t->cval);
        break;
    default:
        ra_warn_dead(s, ti);
        break;
    }
}

/* Bring temp ti into a register of set, owned by the temp; returns it. */
static int ra_temp_load(RaState *s, int ti, TcgRegSet set, TcgRegSet prefer)
{
    RaTemp *t = &s->t[ti];
    if (t->val == VAL_REG && ra_set_has(set, t->reg)) {
        return t->reg;
    }
    int r = ra_reg_alloc(s, set, prefer);
    ra_copy_to_reg(s, ti, r);
    if (temp_kind(s, ti) == TEMP_FIXED) {
        return r; /* a copy: the fixed temp stays in its register */
    }
    if (t->val == VAL_REG) {
        ra_reg_drop(s, t->reg);
    } else if (t->val == VAL_MEM) {
        t->coherent = true;
    } else if (t->val == VAL_DEAD) {
        ra_set_incoherent(s, ti);
    }
    ra_assign(s, ti, r);
    return r;
}

/* The globals whose memory slot is stale, as writebacks (RaOpArgs.wb);
 * past TCG_MAX_WRITEBACK of them, the rest are stored now. */
static int ra_writebacks(RaState *s)
{
    int n = 0;
    int nw = (s->ctx->nb_globals + 63) / 64;
    for (int w = 0; w < nw; w++) {
        uint64_t bits = s->maybe_dirty[w];
        while (bits) {
            int i = w * 64 + __builtin_ctzll(bits);
            bits &= bits - 1;
            const RaTemp *t = &s->t[i];
            if (i >= s->ctx->nb_globals || t->coherent ||
                (t->val != VAL_REG && t->val != VAL_CONST)) {
                continue;
            }
            if (n == TCG_MAX_WRITEBACK) {
                ra_temp_sync(s, i);
                continue;
            }
            TcgWriteback *wb = &s->wb[n++];
            wb->off = t->mem_off;
            wb->size = temp_type(s, i) == TCG_I64 ? 8 : 4;
            wb->reg = t->val == VAL_REG ? t->reg : -1;
            wb->val = t->val == VAL_CONST ? t->cval : 0;
        }
    }
    return n;
}

/* Store the stale globals (if globals) and locals (if locals). */
static void ra_sync_dirty(RaState *s, bool globals, bool locals)
{
    int nw = (s->ctx->nb_temps + 63) / 64;
    for (int w = 0; w < nw; w++) {
        uint64_t bits = s->maybe_dirty[w];
        while (bits) {
            int i = w * 64 + __builtin_ctzll(bits);
            bits &= bits - 1;
            if (!(i < s->ctx->nb_globals ? globals : locals)) {
                continue;
            }
            ra_temp_sync(s, i);
            const RaTemp *t = &s->t[i];
            if (t->coherent || (t->val != VAL_REG && t->val != VAL_CONST)) {
                s->maybe_dirty[w] &= ~(1ull << (i % 64));
            }
        }
    }
}

/* Canonical state at a label / unconditional branch: everything in memory,
 * no register holds anything. */
static void ra_save_all(RaState *s)
{
    int n = s->ctx->nb_temps;
    for (int i = ra_next_active(s, 0, n); i < n; i = ra_next_active(s, i + 1, n)) {
        TcgTempKind k = temp_kind(s, i);
        if (k == TEMP_GLOBAL || k == TEMP_LOCAL) {
            if (s->t[i].val != VAL_MEM) { /* in memory is canonical already */
                ra_temp_save(s, i);
            }
        } else if (k != TEMP_FIXED && s->t[i].val != VAL_DEAD) {
            ra_temp_free(s, i, true);
        }
        ra_clear_active(s, i);
    }
}

/* After leaving the TB (globals are clean): forget every register and
 * every known constant of a global.  (Other temps are dead here; what is
 * left of them is cleared at the next label, the only way code after an
 * exit is reached.) */
static void ra_reset_all(RaState *s)
{
    for (TcgRegSet m = s->owned; m; m &= m - 1) {
        int r = __builtin_ctz(m);
        int ti = s->reg_temp[r];
        if (temp_kind(s, ti) != TEMP_FIXED) {
            ra_temp_free(s, ti, true);
            ra_reg_drop(s, r);
        }
    }
    int n = s->ctx->nb_globals;
    for (int i = ra_next_active(s, 0, n); i < n; i = ra_next_active(s, i + 1, n)) {
        if (s->t[i].val != VAL_MEM && temp_kind(s, i) == TEMP_GLOBAL) {
            ra_temp_free(s, i, true);
        }
        ra_clear_active(s, i);
    }
}

/* ------------------------------------------------------------------ */
/* ops */

static void ra_output_done(RaState *s, const TcgOp *op, int i, int r)
{
    int ti = (int)op->args[i];
    RaTemp *t = &s->t[ti];
    if (temp_kind(s, ti) == TEMP_FIXED) {
        g_error("regalloc: op writes a fixed temp");
    }
    if (t->val == VAL_REG && t->reg != r && s->reg_temp[t->reg] == ti) {
        ra_reg_drop(s, t->reg);
    }
    if (s->reg_temp[r] >= 0 && s->reg_temp[r] != ti) {
        /* Only happens if an output shares a register with a live input
         * that was not evicted: a constraint-table bug. */
        g_error("regalloc: output register %d still owned by temp %d", r, s->reg_temp[r]);
    }
    if (t->borrowed) {
        ra_mem_release(s, ti); /* a new value: the lent field is not its slot */
    }
    ra_assign(s, ti, r);
    ra_set_incoherent(s, ti);
    if (tcg_life_sync(op, i)) {
        ra_temp_sync(s, ti);
    }
    if (tcg_life_dead(op, i)) {
        ra_temp_free(s, ti, true);
    }
}

static void ra_mov(RaState *s, const TcgOp *op)
{
    int to = (int)op->args[0], ti = (int)op->args[1];
    RaTemp *o = &s->t[to], *in = &s->t[ti];
    TcgType type = temp_type(s, to);
    bool in_dead = tcg_life_dead(op, 1) && temp_kind(s, ti) != TEMP_FIXED;

    int64_t cval;

    if (to == ti) {
        return;
    }
    if (ra_temp_const(s, ti, &cval)) {
        /* Record the constant; it becomes an immediate where used. */
        if (o->val == VAL_REG && s->reg_temp[o->reg] == to) {
            ra_reg_drop(s, o->reg);
        }
        o->val = VAL_CONST;
        o->cval = type == TCG_I32 ? (int32_t)cval : cval;
        ra_mark_active(s, to);
        ra_set_incoherent(s, to);
        if (tcg_life_sync(op, 0)) {
            ra_temp_sync(s, to);
        }
        if (tcg_life_dead(op, 0)) {
            ra_temp_free(s, to, true);
        }
        if (in_dead) {
            ra_temp_free(s, ti, true);
        }
        return;
    }
    if (in->val == VAL_REG && tcg_life_sync(op, 0) && tcg_life_dead(op, 0)) {
        /* Only the memory copy of the output is wanted: store directly. */
        if (o->val == VAL_REG && s->reg_temp[o->reg] == to) {
            ra_reg_drop(s, o->reg);
        }
        if (!o->mem_alloc) {
            ra_mem_alloc(s, to);
        }
        s->o->st(s->h, type, in->reg, o->mem_base, o->mem_off);
        o->val = VAL_MEM;
        o->coherent = true;
        ra_mark_active(s, to); /* a normal temp keeps the slot */
        if (in_dead) {
            ra_temp_free(s, ti, true);
        }
        return;
    }
    if (in->val != VAL_REG) {
        ra_temp_load(s, ti, s->all, 0);
    }
    int r;
    if (in_dead) {
        r = in->reg;
        ra_temp_free(s, ti, true);
    } else {
        s->locked = 1u << in->reg;
        if (o->val == VAL_REG && s->reg_temp[o->reg] == to) {
            r = o->reg;
        } else {
            r = ra_reg_alloc(s, s->all, 0);
        }
        s->locked = 0;
        s->o->mov(s->h, type, r, in->reg);
    }
    ra_output_done(s, op, 0, r);
}

static bool ra_const_ok(RaState *s, TcgType type, int64_t val, unsigned cflags)
{
    if (cflags & RA_CONST_ANY) {
        return true;
    }
    return cflags && s->o->const_ok(s->h, type, val, cflags);
}

/* An input whose register the op overwrites (alias or '!'). */
static int ra_input_scratch(RaState *s, int ti, TcgRegSet set, bool dies)
{
    RaTemp *t = &s->t[ti];
    int64_t cval;
    int r;

    if (ra_temp_const(s, ti, &cval)) {
        if (t->val == VAL_REG && ra_set_has(set, t->reg) && !ra_set_has(s->locked, t->reg)) {
            /* A cached constant: give the register up to the op. */
            r = t->reg;
            ra_temp_free(s, ti, false);
            return r;
        }
        r = ra_reg_alloc(s, set, 0);
        s->o->movi(s->h, temp_type(s, ti), r, cval);
        return r;
    }
    if (t->val != VAL_REG && temp_kind(s, ti) != TEMP_FIXED) {
        ra_temp_load(s, ti, set, 0);
    }
    int cur = t->reg;
    if (ra_set_has(set, cur) && !ra_set_has(s->locked, cur) &&
        temp_kind(s, ti) != TEMP_FIXED) {
        if (dies) {
            return cur;
        }
        /* Keep the value in cur for the op; the temp moves elsewhere. */
        s->locked |= 1u << cur;
        int r2 = ra_reg_alloc(s, s->all, 0);
        s->locked &= ~(1u << cur);
        s->o->mov(s->h, temp_type(s, ti), r2, cur);
        ra_reg_drop(s, cur);
        ra_assign(s, ti, r2);
        return cur;
    }
    if (dies && ra_set_has(set, cur) && s->reg_temp[cur] == ti) {
        return cur; /* same dying temp already locked by another input */
    }
    r = ra_reg_alloc(s, set, 0);
    s->o->mov(s->h, temp_type(s, ti), r, cur);
    return r;
}

/* Clear what the emitter may read of any op (not the whole struct: the
 * per-arg values are set for the op's args, mem_base where is_mem). */
static inline void ra_args_init(RaOpArgs *args)
{
    args->a[0] = args->a[1] = 0;
    memset(args->is_const, 0, sizeof(args->is_const));
    memset(args->is_mem, 0, sizeof(args->is_mem));
    memset(args->scratch, -1, sizeof(args->scratch));
    args->written = 0;
    args->wb = NULL;
    args->nb_wb = 0;
    args->live = 0;
}

static void ra_op(RaState *s, const TcgOp *op)
{
    const TcgOpDef *def = &tcg_op_defs[op->opc];
    const RaOpConstraint *ct = s->o->constraint(s->h, s->ctx, op);
    int nb_o = op->nb_oargs, nb_i = op->nb_iargs;
    RaOpArgs args;
    TcgRegSet i_locked = 0, i_scratch = 0, o_locked = 0;

    g_assert(ct->nb_oargs == nb_o && ct->nb_iargs == nb_i);
    ra_args_init(&args);
    /* The cargs (the temps' places are overwritten below): one fixed-size
     * copy is cheaper than a loop that becomes a memcpy call. */
    memcpy(args.a, op->args, sizeof(args.a));

    /* Inputs. */
    s->locked = 0;
    bool mem_used = false;
    for (int k = 0; k < nb_i; k++) {
        int i = ct->in_order[k];
        int ti = (int)op->args[i];
        const RaArgConstraint *ac = &ct->args[i];
        RaTemp *t = &s->t[ti];
        TcgType type = temp_type(s, ti);
        bool dies = tcg_life_dead(op, i) && temp_kind(s, ti) != TEMP_FIXED;
        int64_t cval;
        int r;

        if (ra_temp_const(s, ti, &cval) && ra_const_ok(s, type, cval, ac->cflags)) {
            args.a[i] = (TcgArg)cval;
            args.is_const[i] = true;
            continue;
        }
        if (ac->mem_ok && !mem_used && dies && t->val == VAL_MEM && t->mem_alloc) {
            /* Used for the last time and clean in memory: no load. */
            args.a[i] = (TcgArg)(intptr_t)t->mem_off;
            args.is_mem[i] = true;
            args.mem_base[i] = t->mem_base;
            mem_used = true;
            continue;
        }
        if (t->val == VAL_DEAD && temp_kind(s, ti) != TEMP_FIXED) {
            ra_warn_dead(s, ti);
        }
        if (ac->alias >= 0 || ac->clobbered) {
            r = ra_input_scratch(s, ti, ac->regs, dies);
            i_scratch |= 1u << r;
        } else if (t->val == VAL_REG && ra_set_has(ac->regs, t->reg)) {
            r = t->reg;
        } else if (temp_kind(s, ti) == TEMP_FIXED) {
            r = ra_reg_alloc(s, ac->regs, 0);
            s->o->mov(s->h, type, r, t->reg);
        } else {
            r = ra_temp_load(s, ti, ac->regs, 0);
        }
        args.a[i] = (TcgArg)r;
        i_locked |= 1u << r;
        s->locked = i_locked;
        s->reg_stamp[r] = s->now;
    }

    /* Dying inputs release their registers (the op still reads them).  A
     * memory operand keeps its slot until after the op: a spill during
     * output allocation must not reuse it. */
    s->busy = i_locked;
    for (int i = nb_o; i < nb_o + nb_i; i++) {
        if (tcg_life_dead(op, i) && !args.is_mem[i]) {
            ra_temp_free(s, (int)op->args[i], true);
        }
    }

    /* Memory state the op needs.  A guest memory access or a branch to an
     * exit label leaves globals in registers: the back end writes them
     * back if it faults / along the branch (args.wb below). */
    bool exit_branch = op->opc == INDEX_op_brcond && tcg_label_is_exit(s->ctx, (int)op->args[3]);
    bool mem_access = op->opc == INDEX_op_qemu_ld || op->opc == INDEX_op_qemu_st;
    if (def->flags & TCG_OPF_BB_EXIT) {
        ra_sync_dirty(s, true, false);
    } else if (exit_branch) {
        ra_sync_dirty(s, false, true); /* writebacks cover the globals */
    } else if (def->flags & TCG_OPF_COND_BRANCH) {
        ra_sync_dirty(s, true, true);
    } else if ((def->flags & TCG_OPF_SIDE_EFFECTS) && !mem_access) {
        ra_sync_dirty(s, true, false);
    }

    /* Registers the op destroys. */
    s->locked = i_locked | ct->clobber;
    for (TcgRegSet m = ct->clobber; m; m &= m - 1) {
        int r = __builtin_ctz(m);
        if (s->reg_temp[r] >= 0) {
            ra_reg_evict(s, r, 0);
        }
    }

    /* Outputs: may reuse a dying input's register, never a scratch copy. */
    for (int k = 0; k < nb_o; k++) {
        int i = ct->out_order[k];
        const RaArgConstraint *oc = &ct->args[i];
        int r;
        if (oc->alias >= 0) {
            r = (int)args.a[oc->alias];
        } else {
            s->locked = o_locked | i_scratch | ct->clobber | (oc->newreg ? i_locked : 0);
            r = ra_reg_alloc(s, oc->regs, 0);
            if (s->reg_temp[r] >= 0) {
                ra_reg_evict(s, r, 0);
            }
        }
        args.a[i] = (TcgArg)r;
        o_locked |= 1u << r;
        s->busy |= 1u << r;
    }

    /* Scratch registers for multi-instruction sequences. */
    for (int k = 0; k < ct->nb_scratch; k++) {
        s->locked = i_locked | o_locked | ct->clobber;
        int r = ra_reg_alloc(s, ct->scratch_regs, 0);
        args.scratch[k] = (int8_t)r;
        o_locked |= 1u << r;
        s->busy |= 1u << r;
    }
    s->locked = 0;
    s->busy = 0;

    args.written = o_locked | i_scratch | ct->clobber;
    if (exit_branch || mem_access) {
        /* After every register move the op needed: where values are now. */
        args.nb_wb = ra_writebacks(s);
        args.wb = s->wb;
    }
    if (mem_access) {
        args.live = s->owned;
    }
    s->o->emit_op(s->h, op, &args);

    for (int i = nb_o; i < nb_o + nb_i; i++) {
        if (args.is_mem[i]) {
            ra_temp_free(s, (int)op->args[i], true);
        }
    }
    for (int i = 0; i < nb_o; i++) {
        ra_output_done(s, op, i, (int)args.a[i]);
    }
    if (def->flags & TCG_OPF_BB_EXIT) {
        ra_reset_all(s);
    }
}

/* ---- calls ---- */

typedef struct RaMove {
    int8_t dst, src;
} RaMove;

/* Register-to-register parallel move (every dst distinct). */
static void ra_parallel_move(RaState *s, RaMove *m, int n)
{
    while (n > 0) {
        bool progress = false;
        for (int i = 0; i < n; i++) {
            bool blocked = false;
            for (int j = 0; j < n; j++) {
                if (j != i && m[j].src == m[i].dst) {
                    blocked = true;
                    break;
                }
            }
            if (!blocked) {
                s->o->mov(s->h, TCG_I64, m[i].dst, m[i].src);
                m[i] = m[--n];
                progress = true;
                break;
            }
        }
        if (!progress) {
            /* Only cycles left: swap one pair, redirect readers. */
            int d = m[0].dst, sr = m[0].src;
            s->o->xchg(s->h, d, sr);
            m[0] = m[--n];
            for (int j = 0; j < n; j++) {
                if (m[j].src == d) {
                    m[j].src = (int8_t)sr;
                } else if (m[j].src == sr) {
                    m[j].src = (int8_t)d;
                }
            }
            /* Drop moves that became no-ops. */
            for (int j = 0; j < n; j++) {
                if (m[j].src == m[j].dst) {
                    m[j--] = m[--n];
                }
            }
        }
    }
}

static bool ra_is_dying_arg(const TcgOp *op, int ti)
{
    for (int i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        if ((int)op->args[i] == ti && tcg_life_dead(op, i)) {
            return true;
        }
    }
    return false;
}

static bool ra_is_arg(const TcgOp *op, int ti)
{
    for (int i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        if ((int)op->args[i] == ti) {
            return true;
        }
    }
    return false;
}

static void ra_call(RaState *s, const TcgOp *op)
{
    int nb_o = op->nb_oargs, nb_i = op->nb_iargs;
    const TcgHelperInfo *info = (const TcgHelperInfo *)op->args[nb_o + nb_i];
    const RaHostDesc *d = s->d;
    TcgRegSet callee_saved = s->all & ~d->call_clobbered;

    /* Globals: the helper may read the cpu state (and maybe write it). */
    int ng = s->ctx->nb_globals;
    if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        /* (a resting global is clean in memory: nothing to do for it) */
        for (int i = ra_next_active(s, 0, ng); i < ng; i = ra_next_active(s, i + 1, ng)) {
            if (temp_kind(s, i) != TEMP_GLOBAL) {
                continue;
            }
            if (ra_is_arg(op, i)) {
                ra_temp_sync(s, i);
            } else {
                ra_temp_save(s, i);
            }
        }
    } else if (!(info->flags & TCG_CALL_NO_READ_GLOBALS)) {
        ra_sync_dirty(s, true, false);
    }

    /* Values that outlive the call leave the call-clobbered registers. */
    s->locked = 0;
    for (int r = 0; r < d->nb_regs; r++) {
        int ti = s->reg_temp[r];
        if (ra_set_has(d->call_clobbered, r) && ti >= 0 && !ra_is_dying_arg(op, ti)) {
            s->locked = d->call_clobbered;
            ra_reg_evict(s, r, callee_saved);
            s->locked = 0;
        }
    }

    /* Arguments: registers first (parallel move), then memory/constants. */
    RaMove moves[TCG_MAX_CALL_IARGS];
    int nb_moves = 0;
    for (int i = 0; i < nb_i; i++) {
        int ti = (int)op->args[nb_o + i];
        RaTemp *t = &s->t[ti];
        int dst = d->call_arg_regs[i];
        if (t->val == VAL_REG && t->reg != dst) {
            moves[nb_moves].dst = (int8_t)dst;
            moves[nb_moves].src = t->reg;
            nb_moves++;
        }
    }
    ra_parallel_move(s, moves, nb_moves);
    for (int i = 0; i < nb_i; i++) {
        int ti = (int)op->args[nb_o + i];
        if (s->t[ti].val != VAL_REG) {
            ra_copy_to_reg(s, ti, d->call_arg_regs[i]);
        }
    }

    for (int i = nb_o; i < nb_o + nb_i; i++) {
        if (tcg_life_dead(op, i)) {
            ra_temp_free(s, (int)op->args[i], true);
        }
    }
    /* Anything still in a clobbered register (should be nothing). */
    for (int r = 0; r < d->nb_regs; r++) {
        if (ra_set_has(d->call_clobbered, r) && s->reg_temp[r] >= 0) {
            ra_temp_save(s, s->reg_temp[r]);
        }
    }
    if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        for (int i = ra_next_active(s, 0, ng); i < ng; i = ra_next_active(s, i + 1, ng)) {
            if (temp_kind(s, i) == TEMP_GLOBAL && s->t[i].val != VAL_MEM) {
                ra_temp_save(s, i);
            }
            ra_clear_active(s, i);
        }
    }

    s->o->emit_call(s->h, info);

    if (nb_o) {
        ra_output_done(s, op, 0, d->call_ret_reg);
    }
}

/*
 * "ld t, env, off" whose result dies as an input of the very next op that
 * may take it from memory: emit nothing and lend the cpu-state field as t's
 * memory slot, so that op reads it directly (e.g. the exit_request test at
 * every TB entry becomes "cmp dword ptr [env], 0").  Nothing runs between
 * the two ops, so the field cannot change in between.
 */
static bool ra_lazy_ld(RaState *s, const TcgOp *op, const TcgOp *next)
{
    int to = (int)op->args[0], tb = (int)op->args[1];
    MemOp mop = (MemOp)op->args[3];
    TcgType type = temp_type(s, to);
    MemOp natural = type == TCG_I64 ? MO_64 : MO_32;

    if (!next || temp_kind(s, tb) != TEMP_FIXED || temp_kind(s, to) != TEMP_NORMAL ||
        (mop & (MO_SIZE | MO_BSWAP)) != natural || (type == TCG_I64 && (mop & MO_SIGN)) ||
        tcg_life_dead(op, 0) || tcg_life_sync(op, 0)) {
        return false;
    }
    switch (next->opc) {
    case INDEX_op_mov:
    case INDEX_op_call:
    case INDEX_op_set_label:
    case INDEX_op_br:
    case INDEX_op_insn_start:
    case INDEX_op_nop:
        return false;
    default:
        break;
    }
    const RaOpConstraint *ct = s->o->constraint(s->h, s->ctx, next);
    int uses = 0, at = -1;
    for (int i = next->nb_oargs; i < next->nb_oargs + next->nb_iargs; i++) {
        if ((int)next->args[i] == to) {
            uses++;
            at = i;
        }
    }
    if (uses != 1 || !ct->args[at].mem_ok || !tcg_life_dead(next, at)) {
        return false;
    }
    RaTemp *t = &s->t[to];
    if (t->val == VAL_REG && s->reg_temp[t->reg] == to) {
        ra_reg_drop(s, t->reg);
    }
    ra_mem_release(s, to);
    t->val = VAL_MEM;
    t->coherent = true;
    t->mem_alloc = true;
    t->borrowed = true;
    ra_mark_active(s, to);
    t->mem_base = s->d->env_reg;
    t->mem_off = (int32_t)(intptr_t)op->args[2];
    return true;
}

/* ------------------------------------------------------------------ */

/* ---- self-loops (tcg/loop.c) ---- */

/* Emit an op whose only argument is a constant (label, br). */
static void ra_emit_label_op(RaState *s, const TcgOp *op)
{
    RaOpArgs args;
    ra_args_init(&args);
    args.a[0] = op->args[0];
    s->o->emit_op(s->h, op, &args);
}

/* "set_label head": load the loop's globals into their registers before
 * the label, so the label finds them there whichever way it is reached. */
static void ra_loop_head(RaState *s, const TcgOp *op)
{
    const TcgContext *ctx = s->ctx;
    ra_save_all(s);
    for (int k = 0; k < ctx->nb_loop_globals; k++) {
        int g = ctx->loop_globals[k];
        s->o->ld(s->h, temp_type(s, g), s->loop_reg[k], s->t[g].mem_base, s->t[g].mem_off);
    }
    ra_emit_label_op(s, op);
    /* From the back edge they may be newer than memory (they are written
     * back at the loop's exits), so: not coherent. */
    for (int k = 0; k < ctx->nb_loop_globals; k++) {
        int g = ctx->loop_globals[k];
        ra_assign(s, g, s->loop_reg[k]);
        if (ctx->loop_written >> k & 1) {
            ra_set_incoherent(s, g);
        } else {
            s->t[g].coherent = true; /* only read: memory stays right */
        }
    }
}

static bool ra_is_loop_global(const RaState *s, int ti)
{
    for (int k = 0; k < s->ctx->nb_loop_globals; k++) {
        if (s->ctx->loop_globals[k] == ti) {
            return true;
        }
    }
    return false;
}

/* "br head": memory made canonical (as at any br) except for the loop's
 * globals, which are put back into their registers without a store:
 * moved if in another register, else loaded (or set, if a constant). */
static void ra_loop_back(RaState *s, const TcgOp *op)
{
    const TcgContext *ctx = s->ctx;
    RaMove m[TCG_MAX_LOOP_GLOBALS];
    int n = 0;

    int nt = ctx->nb_temps;
    for (int i = ra_next_active(s, 0, nt); i < nt; i = ra_next_active(s, i + 1, nt)) {
        TcgTempKind k = temp_kind(s, i);
        if ((k == TEMP_GLOBAL || k == TEMP_LOCAL) && !ra_is_loop_global(s, i)) {
            ra_temp_sync(s, i);
        }
    }
    for (int k = 0; k < ctx->nb_loop_globals; k++) {
        int g = ctx->loop_globals[k];
        const RaTemp *t = &s->t[g];
        if (t->val == VAL_REG && s->reg_temp[t->reg] == g && t->reg != s->loop_reg[k]) {
            m[n++] = (RaMove){ .dst = s->loop_reg[k], .src = t->reg };
        }
    }
    ra_parallel_move(s, m, n);
    for (int k = 0; k < ctx->nb_loop_globals; k++) {
        int g = ctx->loop_globals[k];
        RaTemp *t = &s->t[g];
        if (t->val == VAL_CONST) {
            s->o->movi(s->h, temp_type(s, g), s->loop_reg[k], t->cval);
        } else if (!(t->val == VAL_REG && s->reg_temp[t->reg] == g)) {
            s->o->ld(s->h, temp_type(s, g), s->loop_reg[k], t->mem_base, t->mem_off);
        }
        /* Handed over in loop_reg[k]: forget it here without a store (the
         * head takes it from there). */
        if (t->val == VAL_REG && s->reg_temp[t->reg] == g) {
            ra_reg_drop(s, t->reg);
        }
        t->val = VAL_MEM;
        t->coherent = true;
    }
    ra_save_all(s); /* everything else is clean: only forgets the registers */
    ra_emit_label_op(s, op);
}

/* The loop's registers: the first allocatable ones (callee-saved first). */
static void ra_loop_regs(RaState *s)
{
    int k = 0;
    for (int i = 0; i < s->d->nb_alloc_order && k < s->ctx->nb_loop_globals; i++) {
        int r = s->d->alloc_order[i];
        if (ra_set_has(s->all, r)) {
            s->loop_reg[k++] = (int8_t)r;
        }
    }
    g_assert(k == s->ctx->nb_loop_globals);
}

/* The start-of-TB state of a temp. */
static void ra_temp_init(const RaState *s, const TcgTemp *tt, RaTemp *t)
{
    memset(t, 0, sizeof(*t));
    t->reg = -1;
    switch (tt->kind) {
    case TEMP_GLOBAL:
        t->val = VAL_MEM;
        t->coherent = true;
        t->mem_alloc = true;
        t->mem_base = s->d->env_reg;
        t->mem_off = tt->mem_offset;
        break;
    case TEMP_FIXED:
        t->val = VAL_REG;
        t->reg = s->d->env_reg;
        break;
    case TEMP_CONST:
        t->val = VAL_CONST;
        t->cval = tt->val;
        t->coherent = true;
        break;
    default:
        t->val = VAL_DEAD;
        t->coherent = true;
        break;
    }
}

static void ra_init_state(RaState *s, RaTables *tab)
{
    TcgContext *ctx = s->ctx;
    memset(s->reg_temp, -1, sizeof(s->reg_temp));
    s->owned = 0;
    s->all = 0;
    for (int k = 0; k < s->d->nb_alloc_order; k++) {
        s->all |= 1u << s->d->alloc_order[k];
    }
    s->all &= ~s->d->reserved;

    /* Globals are made before the first TB and do not change after: their
     * start state is made once. */
    if (tab->nb_globals0 != ctx->nb_globals || tab->env_reg0 != s->d->env_reg) {
        for (int i = 0; i < ctx->nb_globals; i++) {
            ra_temp_init(s, &ctx->temps[i], &tab->globals0[i]);
        }
        tab->nb_globals0 = ctx->nb_globals;
        tab->env_reg0 = s->d->env_reg;
    }
    memcpy(s->t, tab->globals0, sizeof(RaTemp) * (size_t)ctx->nb_globals);
    /* The TB's own temps are normal, local or constant: dead, or their
     * value (ra_temp_init, without the switch). */
    static const RaTemp dead = { .val = VAL_DEAD, .reg = -1, .coherent = true };
    for (int i = ctx->nb_globals; i < ctx->nb_temps; i++) {
        const TcgTemp *tt = &ctx->temps[i];
        s->t[i] = dead;
        if (tt->kind == TEMP_CONST) {
            s->t[i].val = VAL_CONST;
            s->t[i].cval = tt->val;
        }
    }
    size_t words = (size_t)(ctx->nb_temps + 63) / 64;
    memset(s->maybe_dirty, 0, sizeof(uint64_t) * words);
    memset(s->active, 0, sizeof(uint64_t) * words);
    memset(s->slot_used, 0, sizeof(uint64_t) * (size_t)((s->nb_slots + 63) / 64));
}

bool tcg_regalloc_run(TcgContext *ctx, const RaHostDesc *desc, const RaHostOps *ops, void *h)
{
    RaState s;
    memset(&s, 0, offsetof(RaState, wb));
    s.ctx = ctx;
    s.d = desc;
    s.o = ops;
    s.h = h;
    RaTables *tab = ctx->ra_tables;
    if (!tab || tab->max_globals0 < ctx->nb_globals) {
        /* (g_realloc keeps the contents: only the globals' state is redone) */
        size_t size = sizeof(RaTables) + sizeof(RaTemp) * (size_t)ctx->nb_globals;
        tab = g_realloc(tab, size);
        if (!ctx->ra_tables) {
            memset(tab, 0, size);
        }
        tab->max_globals0 = ctx->nb_globals;
        tab->nb_globals0 = -1;
        ctx->ra_tables = tab;
    }
    s.nb_slots = desc->frame_size / 8;
    if (s.nb_slots > RA_MAX_SLOTS) {
        g_error("regalloc: frame of %d slots, at most %d", s.nb_slots, RA_MAX_SLOTS);
    }
    s.t = tab->t;
    s.slot_used = tab->slot_used;
    s.maybe_dirty = tab->maybe_dirty;
    s.active = tab->active;
    ra_init_state(&s, tab);
    ra_loop_regs(&s);

    for (int oi = 0; oi < ctx->nb_ops; oi++) {
        const TcgOp *op = &ctx->ops[oi];
        s.now++;
        switch (op->opc) {
        case INDEX_op_nop:
            continue;
        case INDEX_op_set_label:
        case INDEX_op_br:
            if ((int)op->args[0] == ctx->loop_label) {
                if (op->opc == INDEX_op_set_label) {
                    ra_loop_head(&s, op);
                } else {
                    ra_loop_back(&s, op);
                }
                break;
            }
            /* A block boundary: every global back in memory. */
            ra_save_all(&s);
            ra_emit_label_op(&s, op);
            break;
        case INDEX_op_insn_start:
            /* Emitting past the end is safe (nothing is stored there), so
             * asking once per guest insn is enough to stop early. */
            if (ops->insn_start(h)) {
                return false;
            }
            break;
        case INDEX_op_mov:
            ra_mov(&s, op);
            break;
        case INDEX_op_call:
            ra_call(&s, op);
            break;
        case INDEX_op_ld:
            if (!ra_lazy_ld(&s, op, oi + 1 < ctx->nb_ops ? &ctx->ops[oi + 1] : NULL)) {
                ra_op(&s, op);
            }
            break;
        default:
            ra_op(&s, op);
            break;
        }
    }
    return !ops->full(h);
}
