/*
 * The IR verifier: checks one TB against the contract in docs/ir.md.
 *
 * Builds with ROVE_VERIFY_IR (meson -Dverify_ir, on by default in debug
 * builds) run it on every TB after the front end and after the optimiser
 * (accel/tcg/translate-all.c); tcg_verify_check() is always built, so unit
 * tests can feed it malformed TBs.  What it checks, in one forward pass:
 *
 *  - shape: a known opcode; argument counts as in the op table (call and
 *    fpop: as their helper or kind says); op->type valid for typed ops;
 *  - temps: every index names an existing temp of a kind allowed where it
 *    is (globals and env below nb_globals, per-TB kinds above); types as
 *    the table's type letters say; no write to a constant or env;
 *  - constant args, by their kind in the table: labels exist, conditions,
 *    slots, memops (size fits the type), offsets, barriers, fpop kinds;
 *  - control: every label is set at most once and every branch target is
 *    set; brcond is never "never"/"always"; a goto_tb is closed, with only
 *    data ops in between, by exit_tb tb|slot, each slot at most once; any
 *    other exit_tb value is 0 or tb|7; control cannot run off the end;
 *  - lifetimes: a TEMP_NORMAL is read only after a write in the same
 *    extended basic block (set_label, br, exit_tb and goto_ptr end one; a
 *    brcond's fall-through does not); a TEMP_LOCAL that is read is written
 *    somewhere in the TB.
 * Inputs are read before outputs are written, so "add t, t, 1" with a dead
 * t is a dead read.
 */
#include "rove/tcg.h"

#include <glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const err_names[] = {
    [TCG_VERIFY_OK] = "ok",
    [TCG_VERIFY_OPCODE] = "bad opcode",
    [TCG_VERIFY_ARG_COUNT] = "bad argument count",
    [TCG_VERIFY_OP_TYPE] = "bad op type",
    [TCG_VERIFY_TEMP] = "bad temp",
    [TCG_VERIFY_TEMP_TYPE] = "temp type mismatch",
    [TCG_VERIFY_WRITE_CONST] = "write to a constant or env",
    [TCG_VERIFY_CARG] = "bad constant argument",
    [TCG_VERIFY_LABEL] = "label error",
    [TCG_VERIFY_GOTO_TB] = "goto_tb/exit_tb pairing",
    [TCG_VERIFY_FALLS_OFF] = "control runs off the end",
    [TCG_VERIFY_DEAD_READ] = "read of a dead temp",
    [TCG_VERIFY_LOCAL_UNSET] = "local read but never written",
};

const char *tcg_verify_error_name(TcgVerifyErrorKind kind)
{
    return (unsigned)kind < G_N_ELEMENTS(err_names) ? err_names[kind] : "?";
}

typedef struct VerifyState {
    const TcgContext *ctx;
    TcgVerifyError *err;
    int op;                             /* index of the op being checked */
    uint32_t epoch;                     /* current extended basic block */
    uint32_t born[TCG_MAX_TEMPS];       /* normal temp: epoch of its last write */
    uint8_t local_written[TCG_MAX_TEMPS];
    int local_read_at[TCG_MAX_TEMPS];   /* local: first read (op index + 1) */
    uint8_t label_set[TCG_MAX_LABELS];
    int label_used_at[TCG_MAX_LABELS];  /* first branch to it (op index + 1) */
    int open_slot;                      /* goto_tb awaiting its exit_tb, or -1 */
    uint8_t slot_used[TCG_MAX_GOTO_TB];
} VerifyState;

static bool fail(VerifyState *s, TcgVerifyErrorKind kind, int op, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bool fail(VerifyState *s, TcgVerifyErrorKind kind, int op, const char *fmt, ...)
{
    va_list ap;
    s->err->kind = kind;
    s->err->op = op;
    va_start(ap, fmt);
    vsnprintf(s->err->msg, sizeof(s->err->msg), fmt, ap);
    va_end(ap);
    return false;
}

static const char *type_name(TcgType t)
{
    return t == TCG_I32 ? "i32" : "i64";
}

/* Arg k is a temp index of the right kind and type. */
static bool check_temp(VerifyState *s, const TcgOp *op, int k, char want)
{
    const TcgContext *ctx = s->ctx;
    TcgArg a = op->args[k];
    if (a >= (TcgArg)ctx->nb_temps) {
        return fail(s, TCG_VERIFY_TEMP, s->op, "arg %d: temp %lu does not exist (%d temps)", k,
                    (unsigned long)a, ctx->nb_temps);
    }
    const TcgTemp *t = &ctx->temps[a];
    bool kind_ok = (int)a < ctx->nb_globals
                       ? t->kind == TEMP_GLOBAL || t->kind == TEMP_FIXED
                       : t->kind == TEMP_NORMAL || t->kind == TEMP_LOCAL || t->kind == TEMP_CONST;
    if (!kind_ok || (t->type != TCG_I32 && t->type != TCG_I64)) {
        return fail(s, TCG_VERIFY_TEMP, s->op, "arg %d: temp %lu has kind %d, type %d", k,
                    (unsigned long)a, (int)t->kind, (int)t->type);
    }
    TcgType need = want == 'T' ? (TcgType)op->type : want == 'l' ? TCG_I32 : TCG_I64;
    if (want != 0 && t->type != need) {
        return fail(s, TCG_VERIFY_TEMP_TYPE, s->op, "arg %d: temp %lu is %s, the op needs %s",
                    k, (unsigned long)a, type_name(t->type), type_name(need));
    }
    return true;
}

static bool check_memop(VerifyState *s, int k, unsigned mop, TcgType type)
{
    if (mop & ~(unsigned)(MO_SIZE | MO_SIGN | MO_BSWAP | MO_ALIGN)) {
        return fail(s, TCG_VERIFY_CARG, s->op, "arg %d: memop 0x%x has unknown bits", k, mop);
    }
    if ((mop & MO_SIZE) == MO_64 && type != TCG_I64) {
        return fail(s, TCG_VERIFY_CARG, s->op, "arg %d: a 64-bit memop on an i32 op", k);
    }
    return true;
}

/* Constant arg k (absolute index), of the kind the table gives it. */
static bool check_carg(VerifyState *s, const TcgOp *op, int k, TcgCargKind kind)
{
    TcgArg c = op->args[k];
    TcgType type = (TcgType)op->type;
    switch (kind) {
    case TCG_CARG_LABEL:
        if (c >= (TcgArg)s->ctx->nb_labels) {
            return fail(s, TCG_VERIFY_LABEL, s->op, "label %lu does not exist (%d labels)",
                        (unsigned long)c, s->ctx->nb_labels);
        }
        return true;
    case TCG_CARG_COND:
        if (c > TCG_COND_GTU) {
            return fail(s, TCG_VERIFY_CARG, s->op, "arg %d: condition %lu", k, (unsigned long)c);
        }
        if (op->opc == INDEX_op_brcond && (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS)) {
            return fail(s, TCG_VERIFY_CARG, s->op, "brcond %s (the builder makes br or nothing)",
                        tcg_cond_name((TcgCond)c));
        }
        return true;
    case TCG_CARG_SLOT:
        if (c >= TCG_MAX_GOTO_TB) {
            return fail(s, TCG_VERIFY_CARG, s->op, "goto_tb slot %lu", (unsigned long)c);
        }
        return true;
    case TCG_CARG_HELPER:
        if (!c) {
            return fail(s, TCG_VERIFY_CARG, s->op, "arg %d: no helper", k);
        }
        return true;
    case TCG_CARG_BARRIER:
        if (c == 0 || (c & ~(TcgArg)TCG_MO_ALL)) {
            return fail(s, TCG_VERIFY_CARG, s->op, "barrier kind 0x%lx", (unsigned long)c);
        }
        return true;
    case TCG_CARG_OFFSET:
        if ((intptr_t)c != (int32_t)(intptr_t)c) {
            return fail(s, TCG_VERIFY_CARG, s->op, "arg %d: offset does not fit 32 bits", k);
        }
        return true;
    case TCG_CARG_MEMOP:
        return check_memop(s, k, (unsigned)c, type);
    case TCG_CARG_OI:
        if (c > UINT32_MAX) {
            return fail(s, TCG_VERIFY_CARG, s->op, "arg %d: oi 0x%lx", k, (unsigned long)c);
        }
        return check_memop(s, k, tcg_oi_memop((uint32_t)c), type);
    case TCG_CARG_FPOP:
        if (c >= FPOP_NB_KINDS) {
            return fail(s, TCG_VERIFY_CARG, s->op, "fpop kind %lu", (unsigned long)c);
        }
        return true;
    case TCG_CARG_PC:
    case TCG_CARG_EXIT: /* checked with the goto_tb pairing */
        return true;
    }
    return fail(s, TCG_VERIFY_CARG, s->op, "arg %d: unknown kind %d in the op table", k, kind);
}

/* Argument counts, op type and the per-op rules of call and fpop. */
static bool check_shape(VerifyState *s, const TcgOp *op, const TcgOpDef *def)
{
    int nio = op->nb_oargs + op->nb_iargs;
    if (nio + op->nb_cargs > TCG_MAX_OP_ARGS || op->nb_cargs != def->nb_cargs ||
        (!(def->flags & TCG_OPF_VAR_ARGS) &&
         (op->nb_oargs != def->nb_oargs || op->nb_iargs != def->nb_iargs))) {
        return fail(s, TCG_VERIFY_ARG_COUNT, s->op, "%s with %d,%d,%d args (table: %d,%d,%d)",
                    def->name, op->nb_oargs, op->nb_iargs, op->nb_cargs, def->nb_oargs,
                    def->nb_iargs, def->nb_cargs);
    }
    if ((def->flags & TCG_OPF_TYPED) &&
        (op->type > TCG_I64 || ((def->flags & TCG_OPF_I64_ONLY) && op->type != TCG_I64))) {
        return fail(s, TCG_VERIFY_OP_TYPE, s->op, "%s with type %d", def->name, op->type);
    }
    if (op->opc == INDEX_op_call) {
        const TcgHelperInfo *h = (const TcgHelperInfo *)op->args[nio];
        if (!h) {
            return fail(s, TCG_VERIFY_CARG, s->op, "call without a helper");
        }
        if (op->nb_iargs != h->nb_args || h->nb_args > TCG_MAX_CALL_IARGS ||
            op->nb_oargs != (h->has_ret ? 1 : 0)) {
            return fail(s, TCG_VERIFY_ARG_COUNT, s->op, "call %s with %d,%d args (helper: %d,%d)",
                        h->name ? h->name : "?", op->nb_oargs, op->nb_iargs, h->has_ret ? 1 : 0,
                        h->nb_args);
        }
        if (op->nb_oargs && op->args[0] < (TcgArg)s->ctx->nb_temps &&
            s->ctx->temps[op->args[0]].type != (h->ret_i64 ? TCG_I64 : TCG_I32)) {
            return fail(s, TCG_VERIFY_TEMP_TYPE, s->op, "call %s: result temp type",
                        h->name ? h->name : "?");
        }
    } else if (op->opc == INDEX_op_fpop) {
        TcgArg kind = op->args[nio];
        if (kind >= FPOP_NB_KINDS || op->nb_oargs != 1 ||
            op->nb_iargs != tcg_fpop_nb_inputs((TcgFpopKind)kind)) {
            return fail(s, TCG_VERIFY_ARG_COUNT, s->op, "fpop kind %lu with %d,%d args",
                        (unsigned long)kind, op->nb_oargs, op->nb_iargs);
        }
        const TcgHelperInfo *h = (const TcgHelperInfo *)op->args[nio + 1];
        if (!h || h->nb_args != op->nb_iargs + 1 || !h->has_ret || !h->ret_i64 ||
            (h->flags & TCG_CALL_NO_RWG) != TCG_CALL_NO_RWG) {
            return fail(s, TCG_VERIFY_CARG, s->op,
                        "fpop helper must take env + the inputs, return i64, be NO_RWG");
        }
    }
    return true;
}

/* Reading temp arg k: a normal temp must be live, a local written somewhere. */
static bool note_read(VerifyState *s, const TcgOp *op, int k)
{
    TcgArg a = op->args[k];
    const TcgTemp *t = &s->ctx->temps[a];
    if (t->kind == TEMP_NORMAL && s->born[a] != s->epoch) {
        return fail(s, TCG_VERIFY_DEAD_READ, s->op,
                    "arg %d: tmp%lu is dead here (not written since the last set_label, br "
                    "or exit)", k, (unsigned long)a);
    }
    if (t->kind == TEMP_LOCAL && !s->local_read_at[a]) {
        s->local_read_at[a] = s->op + 1;
    }
    return true;
}

static bool note_write(VerifyState *s, const TcgOp *op, int k)
{
    TcgArg a = op->args[k];
    const TcgTemp *t = &s->ctx->temps[a];
    switch (t->kind) {
    case TEMP_NORMAL:
        s->born[a] = s->epoch;
        return true;
    case TEMP_LOCAL:
        s->local_written[a] = 1;
        return true;
    case TEMP_GLOBAL:
        return true;
    default:
        return fail(s, TCG_VERIFY_WRITE_CONST, s->op, "arg %d: temp %lu is written", k,
                    (unsigned long)a);
    }
}

/* Labels, goto_tb/exit_tb pairing and the end of extended basic blocks. */
static bool check_control(VerifyState *s, const TcgOp *op, const TcgOpDef *def)
{
    TcgArg c0 = op->nb_cargs ? op->args[op->nb_oargs + op->nb_iargs] : 0;
    if (s->open_slot >= 0 && op->opc != INDEX_op_exit_tb &&
        ((def->flags & TCG_OPF_BB_END) || op->opc == INDEX_op_call ||
         op->opc == INDEX_op_qemu_ld || op->opc == INDEX_op_qemu_st)) {
        return fail(s, TCG_VERIFY_GOTO_TB, s->op,
                    "%s between goto_tb %d and its exit_tb (only data ops may be)", def->name,
                    s->open_slot);
    }
    switch (op->opc) {
    case INDEX_op_set_label:
        if (s->label_set[c0]) {
            return fail(s, TCG_VERIFY_LABEL, s->op, "label L%lu set twice", (unsigned long)c0);
        }
        s->label_set[c0] = 1;
        s->epoch++;
        break;
    case INDEX_op_br:
    case INDEX_op_brcond: {
        TcgArg l = op->opc == INDEX_op_br ? c0 : op->args[op->nb_oargs + op->nb_iargs + 1];
        if (!s->label_used_at[l]) {
            s->label_used_at[l] = s->op + 1;
        }
        if (op->opc == INDEX_op_br) {
            s->epoch++;
        }
        break;
    }
    case INDEX_op_goto_tb:
        if (s->open_slot >= 0) {
            return fail(s, TCG_VERIFY_GOTO_TB, s->op, "goto_tb inside goto_tb %d", s->open_slot);
        }
        if (s->slot_used[c0]) {
            return fail(s, TCG_VERIFY_GOTO_TB, s->op, "goto_tb slot %lu used twice",
                        (unsigned long)c0);
        }
        s->slot_used[c0] = 1;
        s->open_slot = (int)c0;
        break;
    case INDEX_op_exit_tb: {
        unsigned low = (unsigned)(c0 & 7);
        if (s->open_slot >= 0) {
            if (low != (unsigned)s->open_slot || (c0 & ~(TcgArg)7) == 0) {
                return fail(s, TCG_VERIFY_GOTO_TB, s->op,
                            "exit_tb $0x%lx after goto_tb %d (must be tb|%d)", (unsigned long)c0,
                            s->open_slot, s->open_slot);
            }
            s->open_slot = -1;
        } else if (c0 != 0 && low != 7) {
            return fail(s, TCG_VERIFY_GOTO_TB, s->op,
                        "exit_tb $0x%lx without goto_tb %u (must be 0 or tb|7)",
                        (unsigned long)c0, low);
        }
        s->epoch++;
        break;
    }
    case INDEX_op_goto_ptr:
        s->epoch++;
        break;
    default:
        break;
    }
    return true;
}

static bool check_op(VerifyState *s, const TcgOp *op)
{
    if (op->opc >= INDEX_op_last) {
        return fail(s, TCG_VERIFY_OPCODE, s->op, "opcode %u", op->opc);
    }
    const TcgOpDef *def = &tcg_op_defs[op->opc];
    if (!check_shape(s, op, def)) {
        return false;
    }
    int nio = op->nb_oargs + op->nb_iargs;
    size_t nt = strlen(def->types);
    for (int k = 0; k < nio; k++) {
        char want = (size_t)k < nt ? def->types[k] : 0;
        if (!check_temp(s, op, k, want)) {
            return false;
        }
    }
    for (int k = 0; k < op->nb_cargs; k++) {
        if (!check_carg(s, op, nio + k, (TcgCargKind)def->carg[k])) {
            return false;
        }
    }
    for (int k = op->nb_oargs; k < nio; k++) {
        if (!note_read(s, op, k)) {
            return false;
        }
    }
    for (int k = 0; k < op->nb_oargs; k++) {
        if (!note_write(s, op, k)) {
            return false;
        }
    }
    return check_control(s, op, def);
}

/* Facts about the whole TB, once every op has been seen. */
static bool check_end(VerifyState *s)
{
    const TcgContext *ctx = s->ctx;
    if (s->open_slot >= 0) {
        return fail(s, TCG_VERIFY_GOTO_TB, -1, "goto_tb %d without its exit_tb", s->open_slot);
    }
    for (int l = 0; l < ctx->nb_labels; l++) {
        if (s->label_used_at[l] && !s->label_set[l]) {
            return fail(s, TCG_VERIFY_LABEL, s->label_used_at[l] - 1,
                        "branch to label L%d, which is never set", l);
        }
    }
    if (ctx->loop_label >= ctx->nb_labels ||
        (ctx->loop_label >= 0 && !s->label_set[ctx->loop_label])) {
        return fail(s, TCG_VERIFY_LABEL, -1, "loop label L%d is not set", ctx->loop_label);
    }
    for (int t = ctx->nb_globals; t < ctx->nb_temps; t++) {
        if (s->local_read_at[t] && !s->local_written[t]) {
            return fail(s, TCG_VERIFY_LOCAL_UNSET, s->local_read_at[t] - 1,
                        "loc%d is read but never written", t);
        }
    }
    /* The last op that can run must leave: br, exit_tb or goto_ptr (after
     * which only unreachable code may follow, up to the next label). */
    bool reachable = true;
    for (int i = 0; i < ctx->nb_ops; i++) {
        TcgOpcode opc = (TcgOpcode)ctx->ops[i].opc;
        if (opc == INDEX_op_set_label) {
            reachable = true;
        } else if (opc == INDEX_op_br || opc == INDEX_op_exit_tb || opc == INDEX_op_goto_ptr) {
            reachable = false;
        }
    }
    if (reachable) {
        return fail(s, TCG_VERIFY_FALLS_OFF, -1,
                    "the TB does not end with br, exit_tb or goto_ptr");
    }
    return true;
}

bool tcg_verify_check(const TcgContext *ctx, TcgVerifyError *err)
{
    VerifyState *s = g_new0(VerifyState, 1);
    TcgVerifyError dummy;
    s->ctx = ctx;
    s->err = err ? err : &dummy;
    s->epoch = 1;
    s->open_slot = -1;
    s->err->kind = TCG_VERIFY_OK;
    s->err->op = -1;
    s->err->msg[0] = 0;

    bool ok = true;
    if (ctx->nb_ops < 0 || ctx->nb_ops > TCG_MAX_OPS || ctx->nb_temps > TCG_MAX_TEMPS ||
        ctx->nb_labels > TCG_MAX_LABELS || ctx->nb_globals > ctx->nb_temps) {
        ok = fail(s, TCG_VERIFY_ARG_COUNT, -1, "context counts out of range");
    }
    for (int i = 0; ok && i < ctx->nb_ops; i++) {
        s->op = i;
        ok = check_op(s, &ctx->ops[i]);
    }
    if (ok) {
        ok = check_end(s);
    }
    g_free(s);
    return ok;
}

void tcg_verify(const TcgContext *ctx, const char *stage)
{
    TcgVerifyError err;
    if (tcg_verify_check(ctx, &err)) {
        return;
    }
    fprintf(stderr, "IR verifier: TB after %s breaks docs/ir.md:\n", stage);
    tcg_dump_ops(ctx, stderr);
    if (err.op >= 0 && err.op < ctx->nb_ops) {
        fprintf(stderr, "at op %d:\n", err.op);
        tcg_dump_op(ctx, &ctx->ops[err.op], stderr);
    }
    fprintf(stderr, "%s: %s\n", tcg_verify_error_name(err.kind), err.msg);
    abort();
}
