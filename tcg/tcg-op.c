/*
 * The IR builder: the functions front ends call to append ops.  Every
 * function checks that operand types agree (a mismatch is a front-end bug
 * and aborts at translation time, never silently miscompiles).
 */
#include "rove/tcg.h"

#include <glib.h>

#define IDX(t) ((TcgArg)tcg_temp_idx(c, (t)))

static void check_same(const TcgTemp *a, const TcgTemp *b)
{
    if (a->type != b->type) {
        g_error("tcg: operand type mismatch");
    }
}

static void gen_rr(TcgContext *c, TcgOpcode opc, TcgTemp *d, TcgTemp *a)
{
    check_same(d, a);
    TcgOp *op = tcg_emit_op(c, opc, d->type);
    op->args[0] = IDX(d);
    op->args[1] = IDX(a);
}

static void gen_rrr(TcgContext *c, TcgOpcode opc, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    check_same(d, a);
    check_same(d, b);
    TcgOp *op = tcg_emit_op(c, opc, d->type);
    op->args[0] = IDX(d);
    op->args[1] = IDX(a);
    op->args[2] = IDX(b);
}

void tcg_gen_mov(TcgContext *c, TcgTemp *d, TcgTemp *s)
{
    if (d != s) {
        gen_rr(c, INDEX_op_mov, d, s);
    }
}

void tcg_gen_movi(TcgContext *c, TcgTemp *d, int64_t v)
{
    tcg_gen_mov(c, d, tcg_constant(c, d->type, v));
}

void tcg_gen_add(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_add, d, a, b); }
void tcg_gen_sub(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_sub, d, a, b); }
void tcg_gen_mul(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_mul, d, a, b); }
void tcg_gen_mulsh(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_mulsh, d, a, b); }
void tcg_gen_muluh(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_muluh, d, a, b); }
void tcg_gen_div(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_div, d, a, b); }
void tcg_gen_divu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_divu, d, a, b); }
void tcg_gen_rem(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_rem, d, a, b); }
void tcg_gen_remu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_remu, d, a, b); }
void tcg_gen_and(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_and, d, a, b); }
void tcg_gen_or(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_or, d, a, b); }
void tcg_gen_xor(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_xor, d, a, b); }
void tcg_gen_andc(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_andc, d, a, b); }
void tcg_gen_orc(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_orc, d, a, b); }
void tcg_gen_eqv(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_eqv, d, a, b); }
void tcg_gen_shl(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_shl, d, a, b); }
void tcg_gen_shr(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_shr, d, a, b); }
void tcg_gen_sar(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_sar, d, a, b); }
void tcg_gen_rotl(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_rotl, d, a, b); }
void tcg_gen_rotr(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b) { gen_rrr(c, INDEX_op_rotr, d, a, b); }
void tcg_gen_clz(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *z) { gen_rrr(c, INDEX_op_clz, d, a, z); }
void tcg_gen_ctz(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *z) { gen_rrr(c, INDEX_op_ctz, d, a, z); }

static TcgTemp *k(TcgContext *c, const TcgTemp *like, int64_t v)
{
    return tcg_constant(c, like->type, v);
}

void tcg_gen_addi(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b)
{
    if (b == 0) {
        tcg_gen_mov(c, d, a);
    } else {
        tcg_gen_add(c, d, a, k(c, d, b));
    }
}
void tcg_gen_subi(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_addi(c, d, a, -(uint64_t)b); }
void tcg_gen_muli(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_mul(c, d, a, k(c, d, b)); }
void tcg_gen_andi(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_and(c, d, a, k(c, d, b)); }
void tcg_gen_ori(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_or(c, d, a, k(c, d, b)); }
void tcg_gen_xori(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_xor(c, d, a, k(c, d, b)); }
void tcg_gen_shli(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_shl(c, d, a, k(c, d, b)); }
void tcg_gen_shri(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_shr(c, d, a, k(c, d, b)); }
void tcg_gen_sari(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_sar(c, d, a, k(c, d, b)); }
void tcg_gen_rotli(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_rotl(c, d, a, k(c, d, b)); }
void tcg_gen_rotri(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b) { tcg_gen_rotr(c, d, a, k(c, d, b)); }

void tcg_gen_neg(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_neg, d, a); }
void tcg_gen_not(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_not, d, a); }
void tcg_gen_ctpop(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_ctpop, d, a); }
void tcg_gen_bswap(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_bswap, d, a); }
void tcg_gen_ext8s(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_ext8s, d, a); }
void tcg_gen_ext8u(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_ext8u, d, a); }
void tcg_gen_ext16s(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_ext16s, d, a); }
void tcg_gen_ext16u(TcgContext *c, TcgTemp *d, TcgTemp *a) { gen_rr(c, INDEX_op_ext16u, d, a); }

static void need_i64(const TcgTemp *t)
{
    if (t->type != TCG_I64) {
        g_error("tcg: operand must be I64");
    }
}
static void need_i32(const TcgTemp *t)
{
    if (t->type != TCG_I32) {
        g_error("tcg: operand must be I32");
    }
}

void tcg_gen_ext32s(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    need_i64(d);
    gen_rr(c, INDEX_op_ext32s, d, a);
}
void tcg_gen_ext32u(TcgContext *c, TcgTemp *d, TcgTemp *a)
{
    need_i64(d);
    gen_rr(c, INDEX_op_ext32u, d, a);
}

static void gen_conv(TcgContext *c, TcgOpcode opc, TcgTemp *d, TcgTemp *a)
{
    TcgOp *op = tcg_emit_op(c, opc, d->type);
    op->args[0] = IDX(d);
    op->args[1] = IDX(a);
}
void tcg_gen_extrl_i64_i32(TcgContext *c, TcgTemp *d32, TcgTemp *a64)
{
    need_i32(d32);
    need_i64(a64);
    gen_conv(c, INDEX_op_extrl_i64_i32, d32, a64);
}
void tcg_gen_extu_i32_i64(TcgContext *c, TcgTemp *d64, TcgTemp *a32)
{
    need_i64(d64);
    need_i32(a32);
    gen_conv(c, INDEX_op_extu_i32_i64, d64, a32);
}
void tcg_gen_exts_i32_i64(TcgContext *c, TcgTemp *d64, TcgTemp *a32)
{
    need_i64(d64);
    need_i32(a32);
    gen_conv(c, INDEX_op_exts_i32_i64, d64, a32);
}

void tcg_gen_setcond(TcgContext *c, TcgCond cond, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    gen_rrr(c, INDEX_op_setcond, d, a, b);
    c->ops[c->nb_ops - 1].args[3] = cond;
}
void tcg_gen_setcondi(TcgContext *c, TcgCond cond, TcgTemp *d, TcgTemp *a, int64_t b)
{
    tcg_gen_setcond(c, cond, d, a, k(c, a, b));
}

void tcg_gen_movcond(TcgContext *c, TcgCond cond, TcgTemp *d, TcgTemp *c1, TcgTemp *c2,
                     TcgTemp *v1, TcgTemp *v2)
{
    check_same(d, c1);
    check_same(d, c2);
    check_same(d, v1);
    check_same(d, v2);
    TcgOp *op = tcg_emit_op(c, INDEX_op_movcond, d->type);
    op->args[0] = IDX(d);
    op->args[1] = IDX(c1);
    op->args[2] = IDX(c2);
    op->args[3] = IDX(v1);
    op->args[4] = IDX(v2);
    op->args[5] = cond;
}

void tcg_gen_set_label(TcgContext *c, int label)
{
    TcgOp *op = tcg_emit_op(c, INDEX_op_set_label, TCG_I64);
    op->args[0] = label;
}
void tcg_gen_br(TcgContext *c, int label)
{
    TcgOp *op = tcg_emit_op(c, INDEX_op_br, TCG_I64);
    op->args[0] = label;
}
void tcg_gen_brcond(TcgContext *c, TcgCond cond, TcgTemp *a, TcgTemp *b, int label)
{
    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_br(c, label);
        return;
    }
    if (cond == TCG_COND_NEVER) {
        return;
    }
    check_same(a, b);
    TcgOp *op = tcg_emit_op(c, INDEX_op_brcond, a->type);
    op->args[0] = IDX(a);
    op->args[1] = IDX(b);
    op->args[2] = cond;
    op->args[3] = label;
}
void tcg_gen_brcondi(TcgContext *c, TcgCond cond, TcgTemp *a, int64_t b, int label)
{
    tcg_gen_brcond(c, cond, a, k(c, a, b), label);
}

static void check_mop_type(const TcgTemp *t, MemOp mop)
{
    if ((mop & MO_SIZE) == MO_64 && t->type != TCG_I64) {
        g_error("tcg: 64-bit memory access needs an I64 temp");
    }
}

void tcg_gen_ld(TcgContext *c, TcgTemp *d, TcgTemp *base, int32_t offset, MemOp mop)
{
    check_mop_type(d, mop);
    TcgOp *op = tcg_emit_op(c, INDEX_op_ld, d->type);
    op->args[0] = IDX(d);
    op->args[1] = IDX(base);
    op->args[2] = (TcgArg)(intptr_t)offset;
    op->args[3] = mop;
}
void tcg_gen_st(TcgContext *c, TcgTemp *v, TcgTemp *base, int32_t offset, MemOp mop)
{
    check_mop_type(v, mop);
    TcgOp *op = tcg_emit_op(c, INDEX_op_st, v->type);
    op->args[0] = IDX(v);
    op->args[1] = IDX(base);
    op->args[2] = (TcgArg)(intptr_t)offset;
    op->args[3] = mop;
}

void tcg_gen_qemu_ld(TcgContext *c, TcgTemp *d, TcgTemp *addr, MemOp mop, unsigned mmu_idx)
{
    check_mop_type(d, mop);
    need_i64(addr);
    TcgOp *op = tcg_emit_op(c, INDEX_op_qemu_ld, d->type);
    op->args[0] = IDX(d);
    op->args[1] = IDX(addr);
    op->args[2] = tcg_make_oi(mop, mmu_idx);
}
void tcg_gen_qemu_st(TcgContext *c, TcgTemp *v, TcgTemp *addr, MemOp mop, unsigned mmu_idx)
{
    check_mop_type(v, mop);
    need_i64(addr);
    TcgOp *op = tcg_emit_op(c, INDEX_op_qemu_st, v->type);
    op->args[0] = IDX(v);
    op->args[1] = IDX(addr);
    op->args[2] = tcg_make_oi(mop, mmu_idx);
}

void tcg_gen_call(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, int nargs,
                  TcgTemp *const *args)
{
    if (nargs != h->nb_args || nargs > TCG_MAX_CALL_IARGS || (ret != NULL) > h->has_ret) {
        g_error("tcg: bad call to helper %s", h->name);
    }
    TcgOp *op = tcg_emit_op(c, INDEX_op_call, TCG_I64);
    int n = 0;
    op->nb_oargs = ret != NULL;
    if (ret) {
        if ((ret->type == TCG_I64) != h->ret_i64) {
            g_error("tcg: helper %s return type mismatch", h->name);
        }
        op->args[n++] = IDX(ret);
    }
    op->nb_iargs = nargs;
    for (int i = 0; i < nargs; i++) {
        op->args[n++] = IDX(args[i]);
    }
    op->nb_cargs = 1;
    op->args[n] = (TcgArg)h;
}

void tcg_gen_fpop(TcgContext *c, TcgFpopKind kind, const TcgHelperInfo *h, TcgTemp *out,
                  TcgTemp *a, TcgTemp *b, TcgTemp *cc)
{
    int n = tcg_fpop_nb_inputs(kind);
    TcgTemp *in[3] = { a, b, cc };

    if (h->nb_args != n + 1 || !h->has_ret || !h->ret_i64 || out->type != TCG_I64 ||
        (h->flags & TCG_CALL_NO_RWG) != TCG_CALL_NO_RWG) {
        g_error("tcg: bad fpop helper %s", h->name);
    }
    TcgOp *op = tcg_emit_op(c, INDEX_op_fpop, TCG_I64);
    op->nb_oargs = 1;
    op->nb_iargs = (uint8_t)n;
    op->nb_cargs = 2;
    op->args[0] = IDX(out);
    for (int i = 0; i < n; i++) {
        if (in[i] == NULL || in[i]->type != TCG_I64) {
            g_error("tcg: bad fpop input %d", i);
        }
        op->args[1 + i] = IDX(in[i]);
    }
    op->args[1 + n] = (TcgArg)kind;
    op->args[2 + n] = (TcgArg)h;
}

void tcg_gen_call0(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret)
{
    tcg_gen_call(c, h, ret, 0, NULL);
}
void tcg_gen_call1(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1)
{
    TcgTemp *a[] = { a1 };
    tcg_gen_call(c, h, ret, 1, a);
}
void tcg_gen_call2(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1, TcgTemp *a2)
{
    TcgTemp *a[] = { a1, a2 };
    tcg_gen_call(c, h, ret, 2, a);
}
void tcg_gen_call3(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1, TcgTemp *a2,
                   TcgTemp *a3)
{
    TcgTemp *a[] = { a1, a2, a3 };
    tcg_gen_call(c, h, ret, 3, a);
}
void tcg_gen_call4(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1, TcgTemp *a2,
                   TcgTemp *a3, TcgTemp *a4)
{
    TcgTemp *a[] = { a1, a2, a3, a4 };
    tcg_gen_call(c, h, ret, 4, a);
}
void tcg_gen_call5(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1, TcgTemp *a2,
                   TcgTemp *a3, TcgTemp *a4, TcgTemp *a5)
{
    TcgTemp *a[] = { a1, a2, a3, a4, a5 };
    tcg_gen_call(c, h, ret, 5, a);
}

void tcg_gen_mb(TcgContext *c, unsigned kind)
{
    TcgOp *op = tcg_emit_op(c, INDEX_op_mb, TCG_I64);
    op->args[0] = kind;
}

void tcg_gen_insn_start(TcgContext *c, uint64_t guest_pc)
{
    TcgOp *op = tcg_emit_op(c, INDEX_op_insn_start, TCG_I64);
    op->args[0] = (TcgArg)guest_pc;
    if (c->nb_insn_pcs < TCG_MAX_INSNS) {
        c->insn_pcs[c->nb_insn_pcs++] = guest_pc;
    }
}

void tcg_gen_goto_tb(TcgContext *c, unsigned slot)
{
    g_assert(slot < TCG_MAX_GOTO_TB);
    TcgOp *op = tcg_emit_op(c, INDEX_op_goto_tb, TCG_I64);
    op->args[0] = slot;
}

void tcg_gen_exit_tb(TcgContext *c, uintptr_t value)
{
    TcgOp *op = tcg_emit_op(c, INDEX_op_exit_tb, TCG_I64);
    op->args[0] = value;
}

void tcg_gen_lookup_and_goto_ptr(TcgContext *c)
{
    if (!c->lookup_tb_helper) {
        tcg_gen_exit_tb(c, 0);
        return;
    }
    TcgTemp *ptr = tcg_temp_new_i64(c);
    tcg_gen_call1(c, c->lookup_tb_helper, ptr, c->env);
    TcgOp *op = tcg_emit_op(c, INDEX_op_goto_ptr, TCG_I64);
    op->args[0] = IDX(ptr);
}

void tcg_gen_lookup_and_goto_ptr_key(TcgContext *c, TcgTemp *pc, uint32_t flags)
{
    if (!c->lookup_tb_helper || !c->lookup_inline.enabled) {
        tcg_gen_lookup_and_goto_ptr(c);
        return;
    }
    int miss = tcg_new_label(c);
    TcgTemp *h = tcg_temp_new_i64(c), *x = tcg_temp_new_i64(c);
    TcgTemp *tb = tcg_temp_new_i64(c), *f = tcg_temp_new_i32(c);

    /* tb = cache[hash(pc)] */
    tcg_gen_shri(c, h, pc, c->lookup_inline.shift1);
    tcg_gen_shri(c, x, pc, c->lookup_inline.shift2);
    tcg_gen_xor(c, h, h, x);
    tcg_gen_andi(c, h, h, (int64_t)c->lookup_inline.mask);
    tcg_gen_shli(c, h, h, 3);
    tcg_gen_ld(c, x, c->env, c->lookup_inline.env_cache_off, MO_64);
    tcg_gen_add(c, x, x, h);
    tcg_gen_ld(c, tb, x, 0, MO_64);
    /* hit: same pc, same flags, still valid */
    tcg_gen_brcondi(c, TCG_COND_EQ, tb, 0, miss);
    tcg_gen_ld(c, x, tb, c->lookup_inline.tb_pc_off, MO_64);
    tcg_gen_brcond(c, TCG_COND_NE, x, pc, miss);
    tcg_gen_ld(c, f, tb, c->lookup_inline.tb_flags_off, MO_UL);
    tcg_gen_brcondi(c, TCG_COND_NE, f, (int32_t)flags, miss);
    tcg_gen_ld(c, f, tb, c->lookup_inline.tb_invalid_off, MO_UB);
    tcg_gen_brcondi(c, TCG_COND_NE, f, 0, miss);
    tcg_gen_ld(c, x, tb, c->lookup_inline.tb_code_off, MO_64);
    TcgOp *op = tcg_emit_op(c, INDEX_op_goto_ptr, TCG_I64);
    op->args[0] = IDX(x);
    tcg_gen_set_label(c, miss);
    tcg_gen_lookup_and_goto_ptr(c);
}
