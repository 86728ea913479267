/*
 * The op table (rove/tcg-opc.h, tcg/ops.c) against its consumers.
 *
 *  - /op-table/consistent: every row is complete and its columns agree
 *    (type letters and counts, flags that imply each other).
 *  - /op-table/back-ends: every op in the list, in each type it allows, is
 *    built generically from its row (temps by type letter, constant args
 *    by kind), passes the IR verifier, and is compiled by the interpreter
 *    and (on x86-64 hosts) the x86-64 back end.  An op added to the list
 *    without an interpreter handler or an x86 constraint and emitter fails
 *    here: both back ends abort on an op they do not know.
 */
#include <glib.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"

typedef struct FakeEnv {
    TcgEnvHeader hdr;
    uint64_t r[8];
    uint32_t w[8];
} FakeEnv;

#define TB ((uintptr_t)0x10000)

static TcgContext *ctx;
static TcgTemp *R[8], *W[8];
static CodeBuffer buf;

static uint64_t dummy_helper(uint64_t a, uint64_t b, uint64_t c)
{
    return a + b + c;
}

static void dummy_fault(void *env, uint64_t addr, uint32_t kind, uintptr_t host_pc)
{
    g_assert_not_reached();
}

static void test_consistent(void)
{
    for (int opc = 0; opc < INDEX_op_last; opc++) {
        const TcgOpDef *d = &tcg_op_defs[opc];
        g_assert_nonnull(d->name);
        g_assert_nonnull(d->types);
        g_test_message("%s", d->name);
        int nio = d->nb_oargs + d->nb_iargs;
        g_assert_cmpint(d->nb_cargs, <=, TCG_MAX_CARGS);
        g_assert_cmpint(nio + d->nb_cargs, <=, TCG_MAX_OP_ARGS);
        bool has_t = strchr(d->types, 'T') != NULL;
        for (const char *p = d->types; *p; p++) {
            g_assert_nonnull(strchr("Tlq", *p));
        }
        if (!(d->flags & TCG_OPF_VAR_ARGS)) {
            g_assert_cmpint((int)strlen(d->types), ==, nio);
            g_assert_cmpint(has_t, ==, !!(d->flags & TCG_OPF_TYPED));
        }
        if (d->flags & TCG_OPF_COMMUTATIVE) {
            g_assert_true(d->flags & TCG_OPF_PURE);
            g_assert_cmpint(d->nb_iargs, ==, 2);
        }
        if (d->flags & TCG_OPF_PURE) {
            g_assert_false(d->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_KEEP | TCG_OPF_BB_END |
                                       TCG_OPF_VAR_ARGS));
            g_assert_cmpint(d->nb_oargs, ==, 1);
        }
        if (d->flags & TCG_OPF_I64_ONLY) {
            g_assert_true(d->flags & TCG_OPF_TYPED);
        }
        for (int k = 0; k < d->nb_cargs; k++) {
            g_assert_cmpint(d->carg[k], <=, TCG_CARG_FPOP);
        }
    }
}

static void setup(void)
{
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
    size_t size = 16 << 20;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    g_assert(p != MAP_FAILED);
    buf.rw = buf.rx = p;
    buf.size = size;
}

/*
 * One TB holding op opc of type t, every argument made from the op's row:
 * temp args are globals of the letter's type (outputs r0.., inputs r4..,
 * so the result is live), constant args a valid value of their kind.
 */
static void build_op(TcgOpcode opc, TcgType t, TcgHelperInfo *helper)
{
    const TcgOpDef *d = &tcg_op_defs[opc];
    int nio = d->nb_oargs + d->nb_iargs;
    int label = -1;
    bool open_goto_tb = false, ends = false;

    tcg_func_start(ctx);
    ctx->mem.base = 0;
    ctx->mem.addr_bits = 0;
    ctx->mem.fault = dummy_fault;
    tcg_gen_insn_start(ctx, 0x1000);

    TcgOp *op = tcg_emit_op(ctx, opc, t);
    for (int k = 0; k < nio; k++) {
        char c = d->types[k];
        TcgType kt = c == 'T' ? t : c == 'l' ? TCG_I32 : TCG_I64;
        int slot = k < d->nb_oargs ? k : 4 + k - d->nb_oargs;
        op->args[k] = (TcgArg)tcg_temp_idx(ctx, kt == TCG_I64 ? R[slot] : W[slot]);
    }
    for (int k = 0; k < d->nb_cargs; k++) {
        TcgArg *a = &op->args[nio + k];
        switch ((TcgCargKind)d->carg[k]) {
        case TCG_CARG_PC:
            *a = 0x1000;
            break;
        case TCG_CARG_LABEL:
            if (label < 0) {
                label = tcg_new_label(ctx);
            }
            *a = (TcgArg)label;
            break;
        case TCG_CARG_COND:
            *a = TCG_COND_LT;
            break;
        case TCG_CARG_SLOT:
            *a = 0;
            open_goto_tb = true;
            break;
        case TCG_CARG_EXIT:
            *a = 0;
            ends = true;
            break;
        case TCG_CARG_HELPER:
            helper->func = (void *)dummy_helper;
            helper->name = "dummy";
            /* an fpop helper also takes env, and touches no globals */
            helper->flags = opc == INDEX_op_fpop ? TCG_CALL_NO_RWG : 0;
            helper->nb_args = (uint8_t)(d->nb_iargs + (opc == INDEX_op_fpop));
            helper->has_ret = d->nb_oargs > 0;
            helper->ret_i64 = true;
            *a = (TcgArg)helper;
            break;
        case TCG_CARG_BARRIER:
            *a = TCG_MO_ALL;
            break;
        case TCG_CARG_OFFSET:
            *a = offsetof(FakeEnv, r[7]);
            break;
        case TCG_CARG_MEMOP:
            *a = t == TCG_I64 ? MO_64 : MO_UL;
            break;
        case TCG_CARG_OI:
            *a = tcg_make_oi(t == TCG_I64 ? MO_64 : MO_UL, 0);
            break;
        case TCG_CARG_FPOP:
            *a = FPOP_ADD_D; /* two inputs, as the row says */
            break;
        }
    }
    if (opc == INDEX_op_set_label) {
        label = -1; /* placed by the op itself */
    }
    if (opc == INDEX_op_goto_ptr) {
        ends = true;
    }
    if (open_goto_tb) {
        tcg_gen_exit_tb(ctx, TB | 0);
        ends = true;
    }
    if (label >= 0) {
        tcg_gen_set_label(ctx, label);
        ends = false;
    }
    if (!ends) {
        tcg_gen_exit_tb(ctx, 0);
    }
}

static void compile(const TcgBackend *be, const char *what)
{
    TbCodeInfo info;
    memset(&info, 0, sizeof(info));
    if (buf.used > buf.size / 2) {
        buf.used = 0;
        be->init(&buf);
    }
    g_test_message("%s on %s", what, be->name);
    const void *code = be->gen_code(ctx, &buf, &info);
    g_assert_nonnull(code);
    buf.used = (size_t)((const uint8_t *)code - buf.rx) + info.size;
}

static void test_back_ends(void)
{
    const TcgBackend *backends[2] = { &tcg_backend_interp, NULL };
#if defined(__x86_64__)
    backends[1] = &tcg_backend_x86_64;
#endif
    setup();
    for (int b = 0; b < 2 && backends[b]; b++) {
        buf.used = 0;
        backends[b]->init(&buf);
        for (int opc = 0; opc < INDEX_op_last; opc++) {
            const TcgOpDef *d = &tcg_op_defs[opc];
            for (int t = TCG_I32; t <= TCG_I64; t++) {
                bool both = (d->flags & TCG_OPF_TYPED) && !(d->flags & TCG_OPF_I64_ONLY);
                if (t == TCG_I32 && !both) {
                    continue;
                }
                TcgHelperInfo helper;
                char what[64];
                snprintf(what, sizeof(what), "%s_%s", d->name, t == TCG_I64 ? "i64" : "i32");
                build_op((TcgOpcode)opc, (TcgType)t, &helper);
                TcgVerifyError err;
                if (!tcg_verify_check(ctx, &err)) {
                    tcg_dump_ops(ctx, stderr);
                    g_error("%s: op %d: %s", what, err.op, err.msg);
                }
                compile(backends[b], what);
            }
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/op-table/consistent", test_consistent);
    g_test_add_func("/op-table/back-ends", test_back_ends);
    return g_test_run();
}
