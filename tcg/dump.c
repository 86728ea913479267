/*
 * The IR dumper (-d op, -d op_opt): one line per op, in a QEMU-like format
 * so logs read the same way:
 *
 *    ---- 0000000000010078               insn_start (guest pc)
 *    add_i64 x5,x5,$0x10                 typed op: name_i32 / name_i64
 *    brcond_i64 tmp3,$0x0,ne,$L1         conds by name, labels as $Ln
 *    qemu_ld_i64 tmp4,tmp2,al+sl,0       memop, then mmu index
 *    call lookup_tb_ptr,$0x2,$1,tmp5,env helper, flags, nb outputs, args
 *
 * Temps: globals and env by name, TEMP_NORMAL as tmpN, TEMP_LOCAL as locN
 * (N = temp index), constants as $0x.. in the width of their type.  When
 * the liveness pass has filled op->life, its dead/sync bits are appended.
 */
#include "rove/tcg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void temp_name(const TcgContext *ctx, TcgArg a, char *buf, size_t len)
{
    if (a >= (TcgArg)TCG_MAX_TEMPS) {
        snprintf(buf, len, "<bad %" PRIuPTR ">", (uintptr_t)a);
        return;
    }
    const TcgTemp *t = &ctx->temps[a];
    switch (t->kind) {
    case TEMP_GLOBAL:
    case TEMP_FIXED:
        if (t->name) {
            snprintf(buf, len, "%s", t->name);
        } else {
            snprintf(buf, len, "g%d", (int)a);
        }
        break;
    case TEMP_CONST:
        if (t->type == TCG_I32) {
            snprintf(buf, len, "$0x%" PRIx32, (uint32_t)t->val);
        } else {
            snprintf(buf, len, "$0x%" PRIx64, (uint64_t)t->val);
        }
        break;
    case TEMP_LOCAL:
        snprintf(buf, len, "loc%d", (int)a);
        break;
    default:
        snprintf(buf, len, "tmp%d", (int)a);
        break;
    }
}

static void memop_name(MemOp mop, char *buf, size_t len)
{
    static const char *const sizes[] = { "b", "w", "l", "q" };
    snprintf(buf, len, "%s%s%s%s", (mop & MO_ALIGN) ? "al+" : "", (mop & MO_BSWAP) ? "bs+" : "",
             (mop & MO_SIGN) ? "s" : "u", sizes[mop & MO_SIZE]);
}

/* A constant argument, by its kind in the op table. */
static void print_carg(TcgCargKind kind, TcgArg c, FILE *f)
{
    char name[32];
    switch (kind) {
    case TCG_CARG_COND:
        fprintf(f, ",%s", tcg_cond_name((TcgCond)c));
        break;
    case TCG_CARG_LABEL:
        fprintf(f, ",$L%d", (int)c);
        break;
    case TCG_CARG_OFFSET: {
        int64_t off = (int64_t)(intptr_t)c;
        fprintf(f, ",$%s0x%" PRIx64, off < 0 ? "-" : "", off < 0 ? (uint64_t)-off : (uint64_t)off);
        break;
    }
    case TCG_CARG_MEMOP:
        memop_name((MemOp)c, name, sizeof(name));
        fprintf(f, ",%s", name);
        break;
    case TCG_CARG_OI:
        memop_name(tcg_oi_memop((uint32_t)c), name, sizeof(name));
        fprintf(f, ",%s,%u", name, tcg_oi_mmu_idx((uint32_t)c));
        break;
    default:
        fprintf(f, ",$0x%" PRIxPTR, (uintptr_t)c);
        break;
    }
}

static void print_life(const TcgOp *op, FILE *f)
{
    if (!op->life) {
        return;
    }
    fprintf(f, "  ");
    int nargs = op->nb_oargs + op->nb_iargs;
    bool any = false;
    for (int i = 0; i < nargs && i < 16; i++) {
        if (tcg_life_dead(op, i)) {
            fprintf(f, "%s%d", any ? " " : " dead: ", i);
            any = true;
        }
    }
    any = false;
    for (int i = 0; i < op->nb_oargs && i < 16; i++) {
        if (tcg_life_sync(op, i)) {
            fprintf(f, "%s%d", any ? " " : " sync: ", i);
            any = true;
        }
    }
}

void tcg_dump_op(const TcgContext *ctx, const TcgOp *op, FILE *f)
{
    char name[64];
    if (op->opc >= INDEX_op_last) {
        fprintf(f, " <bad opcode %u>\n", op->opc);
        return;
    }
    const TcgOpDef *def = &tcg_op_defs[op->opc];
    int nio = op->nb_oargs + op->nb_iargs;
    if (nio + op->nb_cargs > TCG_MAX_OP_ARGS) { /* only in IR the verifier rejects */
        fprintf(f, " %s <bad arg counts %d,%d,%d>\n", def->name, op->nb_oargs, op->nb_iargs,
                op->nb_cargs);
        return;
    }

    switch (op->opc) {
    case INDEX_op_insn_start:
        fprintf(f, " ---- %016" PRIx64 "\n", (uint64_t)op->args[0]);
        return;
    case INDEX_op_set_label:
    case INDEX_op_br:
        fprintf(f, " %s $L%d\n", def->name, (int)op->args[0]);
        return;
    case INDEX_op_goto_tb:
    case INDEX_op_exit_tb:
    case INDEX_op_mb:
        fprintf(f, " %s $0x%" PRIxPTR "\n", def->name, (uintptr_t)op->args[0]);
        return;
    case INDEX_op_call: {
        const TcgHelperInfo *h = (const TcgHelperInfo *)op->args[nio];
        fprintf(f, " call %s,$0x%x,$%d", h && h->name ? h->name : "?", h ? h->flags : 0,
                op->nb_oargs);
        for (int k = 0; k < nio; k++) {
            temp_name(ctx, op->args[k], name, sizeof(name));
            fprintf(f, ",%s", name);
        }
        print_life(op, f);
        fputc('\n', f);
        return;
    }
    default:
        break;
    }

    if (def->flags & TCG_OPF_TYPED) {
        fprintf(f, " %s_%s", def->name, op->type == TCG_I32 ? "i32" : "i64");
    } else {
        fprintf(f, " %s", def->name);
    }
    for (int k = 0; k < nio; k++) {
        temp_name(ctx, op->args[k], name, sizeof(name));
        fprintf(f, "%s%s", k ? "," : " ", name);
    }
    for (int k = 0; k < op->nb_cargs; k++) {
        print_carg(k < def->nb_cargs ? def->carg[k] : TCG_CARG_PC, op->args[nio + k], f);
    }
    print_life(op, f);
    fputc('\n', f);
}

void tcg_dump_ops(const TcgContext *ctx, FILE *f)
{
    for (int i = 0; i < ctx->nb_ops; i++) {
        tcg_dump_op(ctx, &ctx->ops[i], f);
    }
}
