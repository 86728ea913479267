/*
 * The interpreter back end's "code generator": serialises the optimised
 * ops of one TB into a blob (format in interp.h) in the code buffer, and
 * the TcgBackend glue (patch_jump, exec, return_to_loop_addr).
 *
 * Steps in gen_code:
 *  1. drop ops whose only effect is to write a temp nobody reads (the
 *     interpreter runs no liveness pass, and the optimiser leaves such ops
 *     behind, e.g. the "mov t, $c" whose uses it replaced by the constant);
 *  2. give every constant used a pool entry (the pool precedes the code so
 *     operand words are final when written);
 *  3. encode op by op, choosing a specialised handler per type/memop/cond,
 *     recording label positions, insn ends and goto_tb fields;
 *  4. patch forward branch targets and copy the blob into the buffer.
 */
#include <glib.h>
#include <string.h>

#include "tcg/interp/interp.h"

typedef struct GenState {
    TcgContext *ctx;
    uint32_t *code;        /* instruction words */
    size_t n, cap;
    uint32_t code_off;     /* byte offset of code[0] in the blob */
    int *pool_idx;         /* temp index -> pool entry, -1 if none */
    int *pool_temp;        /* pool entry -> temp index */
    int nb_pool;
    uint32_t *label_pos;   /* byte offset of each label, UINT32_MAX if unset */
    GArray *fixups;        /* (word index, label) pairs */
} GenState;

typedef struct Fixup {
    size_t word;
    int label;
} Fixup;

static void emit(GenState *g, uint32_t w)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->code = g_renew(uint32_t, g->code, g->cap);
    }
    g->code[g->n++] = w;
}

static void emit64(GenState *g, uint64_t v)
{
    emit(g, (uint32_t)v);
    emit(g, (uint32_t)(v >> 32));
}

static void emit_op(GenState *g, InterpHandler h, unsigned aux)
{
    g_assert(aux <= 0xffff);
    emit(g, (uint32_t)h | (uint32_t)aux << 16);
}

static uint32_t cur_offset(const GenState *g)
{
    return g->code_off + (uint32_t)(g->n * 4);
}

/* Operand word for temp a. */
static uint32_t opnd(GenState *g, TcgArg a)
{
    const TcgTemp *t = &g->ctx->temps[a];
    uint32_t off, base;
    switch (t->kind) {
    case TEMP_GLOBAL:
        if (t->mem_offset < 0 || (uint32_t)t->mem_offset > INTERP_MAX_OPND_OFFSET) {
            g_error("tcg/interp: global %s at unsupported offset %d",
                    t->name ? t->name : "?", t->mem_offset);
        }
        off = (uint32_t)t->mem_offset;
        base = INTERP_BASE_ENV;
        break;
    case TEMP_CONST:
        g_assert(g->pool_idx[a] >= 0);
        off = (uint32_t)sizeof(InterpBlobHeader) + 8u * (uint32_t)g->pool_idx[a];
        base = INTERP_BASE_BLOB;
        break;
    default: /* fixed (env), normal, local: the frame slot of the temp */
        off = (uint32_t)a * 8u;
        base = INTERP_BASE_FRAME;
        break;
    }
    return off << 2 | base;
}

static void emit_label_ref(GenState *g, int label)
{
    Fixup f = { g->n, label };
    g_array_append_val(g->fixups, f);
    emit(g, 0);
}

/* ---- dead temp writes ---- */

static bool op_removable(const TcgContext *ctx, const TcgOp *op)
{
    if (op->nb_oargs != 1) {
        return false;
    }
    /* a global output is a store to env: never dead */
    TcgTempKind k = ctx->temps[op->args[0]].kind;
    if (k != TEMP_NORMAL && k != TEMP_LOCAL) {
        return false;
    }
    if (op->opc == INDEX_op_call) {
        const TcgHelperInfo *h = (const TcgHelperInfo *)op->args[op->nb_oargs + op->nb_iargs];
        return (h->flags & TCG_CALL_NO_SIDE_EFFECTS) != 0;
    }
    uint16_t f = tcg_op_defs[op->opc].flags;
    return !(f & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT |
                  TCG_OPF_KEEP));
}

/*
 * keep[i] = false for ops that only write temps nobody reads anywhere in
 * the TB.  Counting reads over the whole TB is blind to order, which keeps
 * it safe across labels and loops.
 */
static void mark_dead_ops(const TcgContext *ctx, bool *keep)
{
    int *uses = g_new0(int, ctx->nb_temps);
    for (int i = 0; i < ctx->nb_ops; i++) {
        const TcgOp *op = &ctx->ops[i];
        keep[i] = true;
        for (int k = op->nb_oargs; k < op->nb_oargs + op->nb_iargs; k++) {
            uses[op->args[k]]++;
        }
    }
    for (int pass = 0; pass < 4; pass++) {
        bool changed = false;
        for (int i = ctx->nb_ops - 1; i >= 0; i--) {
            const TcgOp *op = &ctx->ops[i];
            if (!keep[i] || !op_removable(ctx, op) || uses[op->args[0]] != 0) {
                continue;
            }
            keep[i] = false;
            changed = true;
            for (int k = op->nb_oargs; k < op->nb_oargs + op->nb_iargs; k++) {
                uses[op->args[k]]--;
            }
        }
        if (!changed) {
            break;
        }
    }
    g_free(uses);
}

/* ---- handler selection ---- */

/* The _i32 handler of a typed data op (the _i64 one follows it). */
static InterpHandler typed_handler(TcgOpcode opc)
{
    switch (opc) {
    case INDEX_op_mov: return H_mov_i32;
    case INDEX_op_add: return H_add_i32;
    case INDEX_op_sub: return H_sub_i32;
    case INDEX_op_mul: return H_mul_i32;
    case INDEX_op_mulsh: return H_mulsh_i32;
    case INDEX_op_muluh: return H_muluh_i32;
    case INDEX_op_div: return H_div_i32;
    case INDEX_op_divu: return H_divu_i32;
    case INDEX_op_rem: return H_rem_i32;
    case INDEX_op_remu: return H_remu_i32;
    case INDEX_op_and: return H_and_i32;
    case INDEX_op_or: return H_or_i32;
    case INDEX_op_xor: return H_xor_i32;
    case INDEX_op_andc: return H_andc_i32;
    case INDEX_op_orc: return H_orc_i32;
    case INDEX_op_eqv: return H_eqv_i32;
    case INDEX_op_shl: return H_shl_i32;
    case INDEX_op_shr: return H_shr_i32;
    case INDEX_op_sar: return H_sar_i32;
    case INDEX_op_rotl: return H_rotl_i32;
    case INDEX_op_rotr: return H_rotr_i32;
    case INDEX_op_clz: return H_clz_i32;
    case INDEX_op_ctz: return H_ctz_i32;
    case INDEX_op_neg: return H_neg_i32;
    case INDEX_op_not: return H_not_i32;
    case INDEX_op_ctpop: return H_ctpop_i32;
    case INDEX_op_bswap: return H_bswap_i32;
    case INDEX_op_ext8s: return H_ext8s_i32;
    case INDEX_op_ext8u: return H_ext8u_i32;
    case INDEX_op_ext16s: return H_ext16s_i32;
    case INDEX_op_ext16u: return H_ext16u_i32;
    case INDEX_op_setcond: return H_setcond_i32;
    case INDEX_op_movcond: return H_movcond_i32;
    default: g_error("tcg/interp: no handler for %s", tcg_op_defs[opc].name);
    }
}

/* ld/qemu_ld handlers for an access without bswap (and, for qemu_ld,
 * without an alignment check). */
static InterpHandler load_handler(bool guest, MemOp mop, TcgType type)
{
    static const InterpHandler env_ld[] = {
        [MO_UB] = H_ld8u_i32, [MO_SB] = H_ld8s_i32, [MO_UW] = H_ld16u_i32,
        [MO_SW] = H_ld16s_i32, [MO_UL] = H_ld32u_i32, [MO_SL] = H_ld32s_i32,
    };
    static const InterpHandler guest_ld[] = {
        [MO_UB] = H_qld8u_i32, [MO_SB] = H_qld8s_i32, [MO_UW] = H_qld16u_i32,
        [MO_SW] = H_qld16s_i32, [MO_UL] = H_qld32u_i32, [MO_SL] = H_qld32s_i32,
    };
    unsigned key = mop & (MO_SIZE | MO_SIGN);
    if ((mop & MO_SIZE) == MO_64) {
        return guest ? H_qld64_i64 : H_ld64_i64;
    }
    return (InterpHandler)((guest ? guest_ld : env_ld)[key] + (type == TCG_I64));
}

static InterpHandler store_handler(bool guest, MemOp mop, TcgType type)
{
    static const InterpHandler env_st[] = { H_st8_i32, H_st16_i32, H_st32_i32 };
    static const InterpHandler guest_st[] = { H_qst8_i32, H_qst16_i32, H_qst32_i32 };
    if ((mop & MO_SIZE) == MO_64) {
        return guest ? H_qst64_i64 : H_st64_i64;
    }
    return (InterpHandler)((guest ? guest_st : env_st)[mop & MO_SIZE] + (type == TCG_I64));
}

static void encode_op(GenState *g, const TcgOp *op, uintptr_t blob_rx, TbCodeInfo *info)
{
    TcgContext *ctx = g->ctx;
    TcgOpcode opc = (TcgOpcode)op->opc;
    unsigned t64 = op->type == TCG_I64;

    switch (opc) {
    case INDEX_op_nop:
    case INDEX_op_insn_start:
    case INDEX_op_set_label:
        return; /* handled by the caller */

    case INDEX_op_br:
        emit_op(g, H_br, 0);
        emit_label_ref(g, (int)op->args[0]);
        return;

    case INDEX_op_brcond: {
        TcgCond c = (TcgCond)op->args[2];
        if (c == TCG_COND_NEVER) {
            return;
        }
        if (c == TCG_COND_ALWAYS) {
            emit_op(g, H_br, 0);
        } else {
            emit_op(g, (InterpHandler)(H_brcond_eq_i32 + (c - TCG_COND_EQ) * 2 + t64), 0);
            emit(g, opnd(g, op->args[0]));
            emit(g, opnd(g, op->args[1]));
        }
        emit_label_ref(g, (int)op->args[3]);
        return;
    }

    case INDEX_op_goto_tb: {
        unsigned slot = (unsigned)op->args[0];
        /* the 8-byte field must be 8-aligned: code_off is, so pick an even
         * word index for it */
        unsigned aux = (g->n + 1) % 2 == 0 ? 1 : 2;
        emit_op(g, H_goto_tb, aux);
        if (aux == 2) {
            emit(g, 0);
        }
        uint32_t field_off = cur_offset(g);
        uint32_t reset_off = field_off + 8;
        uint64_t init = 0;
        uintptr_t reset_rx = blob_rx + reset_off;
        memcpy(&init, &reset_rx, sizeof(reset_rx));
        uint32_t w[2];
        memcpy(w, &init, sizeof(w));
        emit(g, w[0]);
        emit(g, w[1]);
        if (slot < TCG_MAX_GOTO_TB) {
            info->jmp_insn_offset[slot] = field_off;
            info->jmp_reset_offset[slot] = reset_off;
        }
        return;
    }

    case INDEX_op_exit_tb:
        emit_op(g, H_exit_tb, 0);
        emit64(g, (uint64_t)op->args[0]);
        return;

    case INDEX_op_goto_ptr:
        emit_op(g, H_goto_ptr, 0);
        emit(g, opnd(g, op->args[0]));
        return;

    case INDEX_op_mb:
        emit_op(g, H_mb, 0);
        return;

    case INDEX_op_fpop: {
        /* the interpreter has no fast path: out = helper(env, inputs) */
        TcgOp call = { .opc = INDEX_op_call, .type = TCG_I64, .nb_oargs = 1,
                       .nb_iargs = (uint8_t)(op->nb_iargs + 1), .nb_cargs = 1 };
        call.args[0] = op->args[0];
        call.args[1] = (TcgArg)tcg_temp_idx(ctx, ctx->env);
        for (int i = 0; i < op->nb_iargs; i++) {
            call.args[2 + i] = op->args[1 + i];
        }
        call.args[2 + op->nb_iargs] = op->args[2 + op->nb_iargs];
        encode_op(g, &call, blob_rx, info);
        return;
    }

    case INDEX_op_call: {
        const TcgHelperInfo *h = (const TcgHelperInfo *)op->args[op->nb_oargs + op->nb_iargs];
        unsigned aux = op->nb_iargs;
        g_assert(op->nb_iargs <= TCG_MAX_CALL_IARGS && op->nb_oargs <= 1);
        if (op->nb_oargs) {
            aux |= INTERP_CALL_RET;
            if (ctx->temps[op->args[0]].type == TCG_I64) {
                aux |= INTERP_CALL_RET64;
            }
        }
        for (int i = 0; i < op->nb_iargs; i++) {
            if (ctx->temps[op->args[op->nb_oargs + i]].type == TCG_I32) {
                aux |= 1u << (INTERP_CALL_ARG32_SHIFT + i);
            }
        }
        emit_op(g, H_call, aux);
        emit64(g, (uint64_t)(uintptr_t)h->func);
        for (int i = 0; i < op->nb_oargs + op->nb_iargs; i++) {
            emit(g, opnd(g, op->args[i]));
        }
        return;
    }

    case INDEX_op_ext32s:
    case INDEX_op_ext32u:
    case INDEX_op_extrl_i64_i32:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_exts_i32_i64: {
        static const InterpHandler conv[] = {
            [INDEX_op_ext32s - INDEX_op_ext32s] = H_ext32s_i64,
            [INDEX_op_ext32u - INDEX_op_ext32s] = H_ext32u_i64,
            [INDEX_op_extrl_i64_i32 - INDEX_op_ext32s] = H_extrl,
            [INDEX_op_extu_i32_i64 - INDEX_op_ext32s] = H_extu,
            [INDEX_op_exts_i32_i64 - INDEX_op_ext32s] = H_exts,
        };
        emit_op(g, conv[opc - INDEX_op_ext32s], 0);
        emit(g, opnd(g, op->args[0]));
        emit(g, opnd(g, op->args[1]));
        return;
    }

    case INDEX_op_setcond:
        emit_op(g, (InterpHandler)(H_setcond_i32 + t64), (unsigned)op->args[3]);
        for (int i = 0; i < 3; i++) {
            emit(g, opnd(g, op->args[i]));
        }
        return;

    case INDEX_op_movcond:
        emit_op(g, (InterpHandler)(H_movcond_i32 + t64), (unsigned)op->args[5]);
        for (int i = 0; i < 5; i++) {
            emit(g, opnd(g, op->args[i]));
        }
        return;

    case INDEX_op_ld:
    case INDEX_op_st: {
        MemOp mop = (MemOp)(op->args[3] & ~MO_ALIGN); /* cpu state never traps */
        bool is_ld = opc == INDEX_op_ld;
        if (mop & MO_BSWAP) {
            emit_op(g, is_ld ? H_ld_slow : H_st_slow, mop | (t64 ? INTERP_AUX_I64 : 0));
        } else if (is_ld) {
            emit_op(g, load_handler(false, mop, (TcgType)op->type), 0);
        } else {
            emit_op(g, store_handler(false, mop, (TcgType)op->type), 0);
        }
        emit(g, opnd(g, op->args[0]));
        emit(g, opnd(g, op->args[1]));
        emit(g, (uint32_t)(int32_t)(intptr_t)op->args[2]);
        return;
    }

    case INDEX_op_qemu_ld:
    case INDEX_op_qemu_st: {
        MemOp mop = tcg_oi_memop((uint32_t)op->args[2]);
        bool is_ld = opc == INDEX_op_qemu_ld;
        if (g->ctx->mem.kind == TCG_MEM_SOFTMMU) {
            /* [op][val][addr][oi] */
            emit_op(g, is_ld ? H_qld_soft : H_qst_soft, t64 ? INTERP_AUX_I64 : 0);
            emit(g, opnd(g, op->args[0]));
            emit(g, opnd(g, op->args[1]));
            emit(g, (uint32_t)op->args[2]);
            return;
        }
        if (mop & (MO_BSWAP | MO_ALIGN)) {
            emit_op(g, is_ld ? H_qld_slow : H_qst_slow, mop | (t64 ? INTERP_AUX_I64 : 0));
        } else if (is_ld) {
            emit_op(g, load_handler(true, mop, (TcgType)op->type), 0);
        } else {
            emit_op(g, store_handler(true, mop, (TcgType)op->type), 0);
        }
        emit(g, opnd(g, op->args[0]));
        emit(g, opnd(g, op->args[1]));
        return;
    }

    default:
        /* typed data ops with one output and one or two inputs */
        emit_op(g, (InterpHandler)(typed_handler(opc) + t64), 0);
        for (int i = 0; i < op->nb_oargs + op->nb_iargs; i++) {
            emit(g, opnd(g, op->args[i]));
        }
        return;
    }
}

static const void *interp_gen_code(TcgContext *ctx, CodeBuffer *buf, TbCodeInfo *info)
{
    size_t start = (buf->used + 15) & ~(size_t)15;
    uintptr_t blob_rx = (uintptr_t)(buf->rx + start);
    GenState g = { .ctx = ctx };
    bool *keep = g_new(bool, ctx->nb_ops ? ctx->nb_ops : 1);
    const void *result = NULL;

    for (int s = 0; s < TCG_MAX_GOTO_TB; s++) {
        info->jmp_insn_offset[s] = info->jmp_reset_offset[s] = TCG_NO_JUMP;
    }
    info->nb_insns = 0;

    mark_dead_ops(ctx, keep);

    /* constant pool */
    g.pool_idx = g_new(int, ctx->nb_temps);
    memset(g.pool_idx, -1, sizeof(int) * (size_t)ctx->nb_temps);
    g.pool_temp = g_new(int, ctx->nb_temps);
    for (int i = 0; i < ctx->nb_ops; i++) {
        const TcgOp *op = &ctx->ops[i];
        if (!keep[i] || op->opc == INDEX_op_insn_start || op->opc == INDEX_op_set_label) {
            continue;
        }
        for (int k = 0; k < op->nb_oargs + op->nb_iargs; k++) {
            TcgArg a = op->args[k];
            if (ctx->temps[a].kind == TEMP_CONST && g.pool_idx[a] < 0) {
                g.pool_idx[a] = g.nb_pool;
                g.pool_temp[g.nb_pool++] = (int)a;
            }
        }
    }
    g.code_off = (uint32_t)sizeof(InterpBlobHeader) + 8u * (uint32_t)g.nb_pool;

    g.label_pos = g_new(uint32_t, ctx->nb_labels ? ctx->nb_labels : 1);
    memset(g.label_pos, 0xff, sizeof(uint32_t) * (size_t)(ctx->nb_labels ? ctx->nb_labels : 1));
    g.fixups = g_array_new(FALSE, FALSE, sizeof(Fixup));

    for (int i = 0; i < ctx->nb_ops; i++) {
        const TcgOp *op = &ctx->ops[i];
        if (!keep[i]) {
            continue;
        }
        if (op->opc == INDEX_op_insn_start) {
            if (info->nb_insns > 0 && info->nb_insns <= TCG_MAX_INSNS) {
                info->insn_end[info->nb_insns - 1] = cur_offset(&g);
            }
            if (info->nb_insns < TCG_MAX_INSNS) {
                info->nb_insns++;
            }
            continue;
        }
        if (op->opc == INDEX_op_set_label) {
            g.label_pos[op->args[0]] = cur_offset(&g);
            continue;
        }
        encode_op(&g, op, blob_rx, info);
    }
    if (info->nb_insns > 0) {
        info->insn_end[info->nb_insns - 1] = cur_offset(&g);
    }
    /* A TB always ends in an exit; this guard only keeps a malformed one
     * from running into whatever follows it in the buffer. */
    emit_op(&g, H_exit_tb, 0);
    emit64(&g, 0);

    for (guint i = 0; i < g.fixups->len; i++) {
        Fixup *f = &g_array_index(g.fixups, Fixup, i);
        uint32_t pos = g.label_pos[f->label];
        if (pos == UINT32_MAX) {
            g_error("tcg/interp: branch to label %d which is never set", f->label);
        }
        g.code[f->word] = pos;
    }

    size_t size = g.code_off + g.n * 4;
    if (start <= buf->size && size <= buf->size - start) {
        uint8_t *rw = buf->rw + start;
        InterpBlobHeader h = {
            .magic = INTERP_MAGIC,
            .code_off = g.code_off,
            .env_slot = (uint32_t)tcg_temp_idx(ctx, ctx->env),
            .size = (uint32_t)size,
            .addr_mask = (ctx->mem.addr_bits == 0 || ctx->mem.addr_bits >= 64)
                             ? 0
                             : ~0ull << ctx->mem.addr_bits,
            .guest_base = ctx->mem.base,
            .mem_fault = ctx->mem.fault,
            .lookup_tb = ctx->lookup_tb_helper,
            .soft_ld = ctx->mem.ld,
            .soft_st = ctx->mem.st,
            .tlb_off = ctx->mem.tlb_off,
        };
        memcpy(rw, &h, sizeof(h));
        for (int k = 0; k < g.nb_pool; k++) {
            const TcgTemp *t = &ctx->temps[g.pool_temp[k]];
            uint8_t entry[8] = { 0 };
            if (t->type == TCG_I32) {
                uint32_t v = (uint32_t)t->val;
                memcpy(entry, &v, 4);
            } else {
                uint64_t v = (uint64_t)t->val;
                memcpy(entry, &v, 8);
            }
            memcpy(rw + sizeof(h) + 8 * (size_t)k, entry, 8);
        }
        if (g.n) {
            memcpy(rw + g.code_off, g.code, g.n * 4);
        }
        info->size = (uint32_t)size;
        result = buf->rx + start;
    }

    g_free(keep);
    g_free(g.code);
    g_free(g.pool_idx);
    g_free(g.pool_temp);
    g_free(g.label_pos);
    g_array_free(g.fixups, TRUE);
    return result;
}

static void interp_init(CodeBuffer *buf)
{
    (void)buf; /* no prologue: exec is ordinary C */
}

static void interp_patch_jump(CodeBuffer *buf, uintptr_t site_rx, uintptr_t target_rx)
{
    uintptr_t *p = code_rw_from_rx(buf, (const void *)site_rx);
    __atomic_store_n(p, target_rx, __ATOMIC_RELEASE);
}

const TcgBackend tcg_backend_interp = {
    .name = "interp",
    .init = interp_init,
    .gen_code = interp_gen_code,
    .patch_jump = interp_patch_jump,
    .exec = interp_exec,
    .return_to_loop_addr = interp_return_to_loop_addr,
};
