/*
 * Liveness: one backward pass over the ops of a TB.
 *
 * For every op it fills op->life:
 *   TCG_LIFE_DEAD_ARG(n)  arg n (input or output) is not needed in a register
 *                         after this op: the allocator frees its register;
 *   TCG_LIFE_SYNC_ARG(n)  output n (a global or local) must be written back
 *                         to its memory slot right after this op, because
 *                         memory is read (TB exit, helper, faulting op,
 *                         block boundary) before the temp is redefined.
 * and it turns ops without side effects whose outputs are all dead into nops.
 *
 * Per temp we track two bits while walking backwards, describing what the
 * code *after* the current point needs:
 *   TS_DEAD  the value is not used again (from a register);
 *   TS_MEM   the memory copy must be up to date.
 *
 * Boundary rules (see docs/ir.md):
 *   - TB exits (goto_tb, exit_tb, goto_ptr): globals dead and in memory,
 *     everything else dead;
 *   - set_label / br: globals and locals dead and in memory (the code at a
 *     label finds every value in its canonical memory slot), normal temps
 *     and constants dead; except that the back edge of a self-loop
 *     (tcg/loop.c) keeps ctx->loop_globals live, and not necessarily in
 *     memory (they are written back at the loop's exits);
 *   - brcond: globals and locals must be in memory for the taken edge, but
 *     stay live in registers on the fall-through; normal temps are left as
 *     the fall-through needs them (a normal temp lives in its extended
 *     basic block, which a brcond does not end: docs/ir.md, tcg/verify.c).  A brcond to an exit label (its
 *     code leaves the TB: tcg_label_is_exit) only needs globals live: the
 *     back end writes the dirty ones back along the branch;
 *   - a call that may write globals kills every global's register copy
 *     (reloaded after the call), one that may only read them needs them in
 *     memory;
 *   - qemu_ld/st need every global live, not in memory: if the access
 *     faults, the back end writes back those only in registers (fault
 *     sites); other ops with TCG_OPF_SIDE_EFFECTS (st, mb) need every
 *     global in memory.
 * Because every "memory needed" point sets TS_MEM and a definition turns
 * that into SYNC_ARG, a global is always clean in memory wherever the
 * rules above require it, and a dying input never needs a store.
 */
#include <string.h>

#include <glib.h>

#include "rove/tcg.h"

enum {
    TS_DEAD = 1,
    TS_MEM = 2,
    /* A global no op after this point names (since the last block end):
     * its state is ug's, taken when an op first names it (la_see). */
    TS_UNSEEN = 0x80,
};

/*
 * The boundary rules touch globals (temps [0, nb_globals)) and locals; all
 * other temps just die.  The two block-end states are made once per TB
 * (their globals part once per context), so a boundary is a memcpy, not a
 * pass over every temp's kind.  Only the state of a temp some op reads or
 * writes is ever looked at, and the rules treat every global alike (but
 * for a self-loop's), so a global's state is kept apart only once an op
 * (walking backwards) has named it: before that it is ug, the state every
 * such global shares, and the rules in the middle of a block visit just
 * the globals seen since the last block end.
 */
typedef struct LaState {
    const TcgContext *ctx;
    uint8_t state[TCG_MAX_TEMPS];
    uint8_t func_end[TCG_MAX_TEMPS]; /* la_func_end's state */
    uint8_t bb_end[TCG_MAX_TEMPS];   /* la_bb_end's state */
    int nb_globals_init;             /* globals part of func_end/bb_end made */
    int nb_locals;
    int16_t locals[TCG_MAX_TEMPS];
    uint8_t ug;                      /* the state of a TS_UNSEEN global */
    int nb_used_globals;             /* TEMP_GLOBALs with their own state */
    int16_t used_globals[TCG_MAX_TEMPS];
} LaState;

/* A label is an exit label if its code is a TB exit (goto_tb or exit_tb). */
static void find_exit_labels(TcgContext *ctx)
{
    memset(ctx->exit_labels, 0, sizeof(ctx->exit_labels));
    for (int i = 0; i < ctx->nb_ops; i++) {
        if (ctx->ops[i].opc != INDEX_op_set_label) {
            continue;
        }
        int j = i + 1;
        while (j < ctx->nb_ops && ctx->ops[j].opc == INDEX_op_nop) {
            j++;
        }
        if (j < ctx->nb_ops &&
            (ctx->ops[j].opc == INDEX_op_goto_tb || ctx->ops[j].opc == INDEX_op_exit_tb)) {
            int l = (int)ctx->ops[i].args[0];
            ctx->exit_labels[l / 64] |= 1ull << (l % 64);
        }
    }
}

static void la_init(LaState *ls, const TcgContext *ctx)
{
    int ng = ctx->nb_globals;
    ls->ctx = ctx;
    ls->nb_locals = 0;
    /* Globals (and the env temp) are made before the first TB and do not
     * change after. */
    if (ng != ls->nb_globals_init) {
        for (int i = 0; i < ng; i++) {
            uint8_t st = ctx->temps[i].kind == TEMP_GLOBAL ? TS_UNSEEN : 0;
            ls->func_end[i] = ls->bb_end[i] = st;
        }
        ls->nb_globals_init = ng;
    }
    /* The TB's own temps (normal, local or constant) are dead at either
     * end; locals are in memory at a block end. */
    memset(ls->func_end + ng, TS_DEAD, (size_t)(ctx->nb_temps - ng));
    memset(ls->bb_end + ng, TS_DEAD, (size_t)(ctx->nb_temps - ng));
    for (int i = ng; i < ctx->nb_temps && ls->nb_locals < ctx->nb_local_temps; i++) {
        if (ctx->temps[i].kind == TEMP_LOCAL) {
            ls->bb_end[i] |= TS_MEM;
            ls->locals[ls->nb_locals++] = (int16_t)i;
        }
    }
}

/* Leaving the TB: only globals matter, and only in memory. */
static void la_func_end(LaState *ls)
{
    memcpy(ls->state, ls->func_end, (size_t)ls->ctx->nb_temps);
    ls->ug = TS_DEAD | TS_MEM;
    ls->nb_used_globals = 0;
}

/* Unconditional block end (br, set_label). */
static void la_bb_end(LaState *ls)
{
    memcpy(ls->state, ls->bb_end, (size_t)ls->ctx->nb_temps);
    ls->ug = TS_DEAD | TS_MEM;
    ls->nb_used_globals = 0;
}

/* An op names global t for the first time since the last block end. */
static uint8_t la_see(LaState *ls, int t)
{
    ls->state[t] = ls->ug;
    ls->used_globals[ls->nb_used_globals++] = (int16_t)t;
    return ls->ug;
}

/* Temp t's state, an unseen global's made its own. */
static inline uint8_t la_get(LaState *ls, int t)
{
    uint8_t st = ls->state[t];
    return __builtin_expect(st & TS_UNSEEN, 0) ? la_see(ls, t) : st;
}

/* Conditional branch: memory for the taken edge, registers kept for the
 * fall-through. */
static void la_bb_sync(LaState *ls)
{
    for (int k = 0; k < ls->nb_used_globals; k++) {
        ls->state[ls->used_globals[k]] |= TS_MEM;
    }
    ls->ug |= TS_MEM;
    for (int k = 0; k < ls->nb_locals; k++) {
        ls->state[ls->locals[k]] |= TS_MEM;
    }
}

/* The back edge of a self-loop (tcg/loop.c): like any br, but the loop's
 * globals stay live in their registers across it (written back at the
 * loop's exits, not every iteration). */
static void la_loop_back(LaState *ls)
{
    la_bb_end(ls);
    for (int k = 0; k < ls->ctx->nb_loop_globals; k++) {
        int t = ls->ctx->loop_globals[k];
        la_get(ls, t);
        ls->state[t] = 0;
    }
}

/* A guest memory access, or a branch to an exit label: every global's
 * current value must exist somewhere (a fault, or the exit, writes back
 * the ones only in registers), but memory may lag behind.  Locals must be
 * in memory at an exit branch. */
static void la_globals_live(LaState *ls, bool locals_mem)
{
    for (int k = 0; k < ls->nb_used_globals; k++) {
        ls->state[ls->used_globals[k]] &= ~TS_DEAD;
    }
    ls->ug &= ~TS_DEAD;
    if (locals_mem) {
        for (int k = 0; k < ls->nb_locals; k++) {
            ls->state[ls->locals[k]] |= TS_MEM;
        }
    }
}

static void la_global_sync(LaState *ls)
{
    for (int k = 0; k < ls->nb_used_globals; k++) {
        ls->state[ls->used_globals[k]] |= TS_MEM;
    }
    ls->ug |= TS_MEM;
}

static void la_global_kill(LaState *ls)
{
    for (int k = 0; k < ls->nb_used_globals; k++) {
        ls->state[ls->used_globals[k]] = TS_DEAD | TS_MEM;
    }
    ls->ug = TS_DEAD | TS_MEM;
}

static void op_remove(TcgOp *op)
{
    op->opc = INDEX_op_nop;
    op->nb_oargs = op->nb_iargs = op->nb_cargs = 0;
    op->life = 0;
}

/* Mark dying inputs, then make them live (two loops: an input used twice
 * gets DEAD_ARG on both uses).  A fixed temp's state is always 0 (never
 * dead, never synced: no rule sets a bit of it), so it needs no test. */
static uint32_t la_inputs(LaState *ls, const TcgOp *op, uint8_t *state, uint32_t life)
{
    int nb_o = op->nb_oargs, nb_i = op->nb_iargs;
    for (int i = nb_o; i < nb_o + nb_i; i++) {
        int t = (int)op->args[i];
        if (la_get(ls, t) & TS_DEAD) {
            life |= TCG_LIFE_DEAD_ARG(i);
        }
    }
    for (int i = nb_o; i < nb_o + nb_i; i++) {
        state[op->args[i]] &= ~TS_DEAD;
    }
    return life;
}

static uint32_t la_outputs(LaState *ls, const TcgOp *op, uint8_t *state)
{
    uint32_t life = 0;
    for (int i = 0; i < op->nb_oargs; i++) {
        int t = (int)op->args[i];
        if (ls->ctx->temps[t].kind == TEMP_FIXED) {
            continue;
        }
        uint8_t st = la_get(ls, t);
        if (st & TS_DEAD) {
            life |= TCG_LIFE_DEAD_ARG(i);
        }
        if (st & TS_MEM) {
            life |= TCG_LIFE_SYNC_ARG(i);
        }
        state[t] = TS_DEAD;
    }
    return life;
}

/* (A fixed temp's state, 0, is not TS_DEAD.) */
static bool outputs_all_dead(LaState *ls, const TcgOp *op)
{
    for (int i = 0; i < op->nb_oargs; i++) {
        if (la_get(ls, (int)op->args[i]) != TS_DEAD) {
            return false;
        }
    }
    return true;
}

void tcg_liveness(TcgContext *ctx)
{
    /* Too big for the stack of a helper thread: kept with the context. */
    if (!ctx->la_tables) {
        ctx->la_tables = g_new0(LaState, 1);
    }
    LaState *lsp = ctx->la_tables;
    uint8_t *state = lsp->state;

    find_exit_labels(ctx);
    la_init(lsp, ctx);
    la_func_end(lsp);

    for (int oi = ctx->nb_ops - 1; oi >= 0; oi--) {
        TcgOp *op = &ctx->ops[oi];
        const TcgOpDef *def = &tcg_op_defs[op->opc];
        uint32_t life;

        switch (op->opc) {
        case INDEX_op_nop:
        case INDEX_op_insn_start:
            op->life = 0;
            continue;

        case INDEX_op_call: {
            const TcgHelperInfo *info =
                (const TcgHelperInfo *)op->args[op->nb_oargs + op->nb_iargs];
            if ((info->flags & TCG_CALL_NO_SIDE_EFFECTS) && op->nb_oargs > 0 &&
                outputs_all_dead(lsp, op)) {
                op_remove(op);
                continue;
            }
            life = la_outputs(lsp, op, state);
            if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                la_global_kill(lsp);
            } else if (!(info->flags & TCG_CALL_NO_READ_GLOBALS)) {
                la_global_sync(lsp);
            }
            op->life = la_inputs(lsp, op, state, life);
            continue;
        }

        default:
            break;
        }

        if (!(def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_BB_EXIT |
                            TCG_OPF_KEEP)) &&
            op->nb_oargs > 0 && outputs_all_dead(lsp, op)) {
            op_remove(op);
            continue;
        }

        life = la_outputs(lsp, op, state);
        if (def->flags & TCG_OPF_BB_EXIT) {
            la_func_end(lsp);
        } else if (def->flags & TCG_OPF_COND_BRANCH) {
            if (op->opc == INDEX_op_brcond && tcg_label_is_exit(ctx, (int)op->args[3])) {
                la_globals_live(lsp, true);
            } else {
                la_bb_sync(lsp);
            }
        } else if (op->opc == INDEX_op_br && (int)op->args[0] == ctx->loop_label) {
            la_loop_back(lsp);
        } else if (def->flags & TCG_OPF_BB_END) {
            la_bb_end(lsp);
        } else if (op->opc == INDEX_op_qemu_ld || op->opc == INDEX_op_qemu_st) {
            la_globals_live(lsp, false);
        } else if (def->flags & TCG_OPF_SIDE_EFFECTS) {
            la_global_sync(lsp);
        }
        op->life = la_inputs(lsp, op, state, life);
    }
}
