/*
 * Self-loops: a TB whose chained exit leads back to its own start (the
 * body of a tight guest loop) branches back inside its own code instead,
 * and the guest registers the body reads stay in host registers across
 * the back edge.
 *
 * The front end ends such a TB with
 *       brcond c, L1
 *       goto_tb j; mov pc, $next; exit_tb        (leave the loop)
 *   L1: goto_tb k; mov pc, $tb_pc; exit_tb       (back edge)
 * (or with the two exits the other way round), or, when a superblock's
 * path comes back to its start, with just the back edge.  This pass makes
 * that
 *   Lhead: [exit_request check] ... body ...
 *       brcond !c, L1
 *       br Lhead                                  (back edge)
 *   L1: goto_tb j; mov pc, $next; exit_tb
 * (the back edge becomes "br Lhead" wherever it is).  Side exits of a
 * superblock body stay branches to their exit stubs.
 * and names the loop's globals in ctx->loop_globals.  Liveness keeps them
 * live (and stored) at the back edge; the register allocator loads them
 * once before Lhead into fixed registers and moves them back into those
 * registers at "br Lhead", so an iteration no longer reloads them.
 *
 * Still once per iteration: the exit_request check (signals, thread
 * switches and the cpu loop's requests stop a loop as they stop chained
 * blocks), and every store the rules of liveness ask for (the guest state
 * is in memory wherever a fault or an exit may see it).  At the exit
 * request, pc = tb_pc and the state is exactly that of a TB entry.
 */
#include "rove/tcg.h"

#include <string.h>

/* "goto_tb; mov G, $target; exit_tb" at ops[i]: the target, else false. */
static bool chained_exit(const TcgContext *ctx, int i, uint64_t *target)
{
    if (i + 2 >= ctx->nb_ops) {
        return false;
    }
    const TcgOp *g = &ctx->ops[i], *m = &ctx->ops[i + 1], *e = &ctx->ops[i + 2];
    if (g->opc != INDEX_op_goto_tb || m->opc != INDEX_op_mov || e->opc != INDEX_op_exit_tb) {
        return false;
    }
    const TcgTemp *src = &ctx->temps[m->args[1]];
    if (ctx->temps[m->args[0]].kind != TEMP_GLOBAL || src->kind != TEMP_CONST) {
        return false;
    }
    *target = (uint64_t)src->val;
    return true;
}

static void make_nop(TcgOp *op)
{
    memset(op, 0, sizeof(*op));
    op->opc = INDEX_op_nop;
}

static void make_br(TcgOp *op, int label)
{
    memset(op, 0, sizeof(*op));
    op->opc = INDEX_op_br;
    op->nb_cargs = 1;
    op->args[0] = (TcgArg)label;
}

/* The globals the loop reads before writing them, most read first; then
 * the ones it only writes (kept in registers, they are stored at the
 * loop's exits instead of every iteration). */
static void pick_globals(TcgContext *ctx)
{
    int reads[TCG_MAX_TEMPS];
    bool written[TCG_MAX_TEMPS];
    memset(reads, 0, sizeof(int) * (size_t)ctx->nb_globals);
    memset(written, 0, sizeof(bool) * (size_t)ctx->nb_globals);

    for (int i = 0; i < ctx->nb_ops; i++) {
        const TcgOp *op = &ctx->ops[i];
        if (op->opc == INDEX_op_goto_tb) {
            break; /* the loop's exits */
        }
        for (int k = op->nb_oargs; k < op->nb_oargs + op->nb_iargs; k++) {
            int t = (int)op->args[k];
            if (t < ctx->nb_globals && ctx->temps[t].kind == TEMP_GLOBAL && !written[t]) {
                reads[t]++;
            }
        }
        for (int k = 0; k < op->nb_oargs; k++) {
            int t = (int)op->args[k];
            if (t < ctx->nb_globals) {
                written[t] = true;
            }
        }
    }
    ctx->nb_loop_globals = 0;
    ctx->loop_written = 0;
    while (ctx->nb_loop_globals < TCG_MAX_LOOP_GLOBALS) {
        int best = -1;
        for (int t = 0; t < ctx->nb_globals; t++) {
            if (reads[t] > 0 && (best < 0 || reads[t] > reads[best])) {
                best = t;
            }
        }
        if (best < 0) {
            break;
        }
        ctx->loop_written |= (uint8_t)(written[best] << ctx->nb_loop_globals);
        ctx->loop_globals[ctx->nb_loop_globals++] = (int16_t)best;
        reads[best] = -1; /* picked */
    }
    for (int t = 0; t < ctx->nb_globals && ctx->nb_loop_globals < TCG_MAX_LOOP_GLOBALS; t++) {
        if (written[t] && reads[t] == 0 && ctx->temps[t].kind == TEMP_GLOBAL) {
            ctx->loop_written |= (uint8_t)(1u << ctx->nb_loop_globals);
            ctx->loop_globals[ctx->nb_loop_globals++] = (int16_t)t;
        }
    }
}

bool tcg_loopify(TcgContext *ctx, uint64_t tb_pc)
{
    ctx->loop_label = -1;
    ctx->nb_loop_globals = 0;
    ctx->loop_written = 0;
    /* The TB must start with its exit_request check (translator_loop) and
     * have room for the head label. */
    if (ctx->nb_ops < 2 || ctx->nb_ops >= TCG_MAX_OPS || ctx->ops[0].opc != INDEX_op_ld ||
        ctx->ops[1].opc != INDEX_op_brcond) {
        return false;
    }
    /* Find the chained exit back to tb_pc. */
    for (int b = 2; b + 2 < ctx->nb_ops; b++) {
        uint64_t target, other;
        if (!chained_exit(ctx, b, &target) || target != tb_pc) {
            continue;
        }
        int head = tcg_new_label(ctx);
        int bc = b - 5; /* the brcond of "brcond c, L1; exit A; L1: exit(b)" */
        if (bc >= 2 && ctx->ops[b - 1].opc == INDEX_op_set_label &&
            ctx->ops[bc].opc == INDEX_op_brcond && ctx->ops[bc].args[3] == ctx->ops[b - 1].args[0] &&
            chained_exit(ctx, bc + 1, &other)) {
            /* back edge taken: invert, fall through to it, exit at L1 */
            TcgOp *br = &ctx->ops[bc];
            br->args[2] = (TcgArg)tcg_cond_invert((TcgCond)br->args[2]);
            TcgOp exit_ops[3];
            memcpy(exit_ops, &ctx->ops[bc + 1], sizeof(exit_ops));
            make_br(&ctx->ops[bc + 1], head);
            make_nop(&ctx->ops[bc + 2]);
            make_nop(&ctx->ops[bc + 3]);
            memcpy(&ctx->ops[b], exit_ops, sizeof(exit_ops));
        } else {
            /* the back edge is a fall-through or the end of a straight path */
            make_br(&ctx->ops[b], head);
            make_nop(&ctx->ops[b + 1]);
            make_nop(&ctx->ops[b + 2]);
        }
        /* Lhead before everything, the exit_request check included. */
        memmove(&ctx->ops[1], &ctx->ops[0], sizeof(TcgOp) * (size_t)ctx->nb_ops);
        ctx->nb_ops++;
        memset(&ctx->ops[0], 0, sizeof(TcgOp));
        ctx->ops[0].opc = INDEX_op_set_label;
        ctx->ops[0].nb_cargs = 1;
        ctx->ops[0].args[0] = (TcgArg)head;
        ctx->loop_label = head;
        pick_globals(ctx);
        return true;
    }
    return false;
}
