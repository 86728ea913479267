/*
 * Second half of the x86-64 encoding test: every IR op lowered by
 * x86_emit_op() with concrete registers, immediates and memory operands,
 * in the all-features and baseline variants, compared with capstone's
 * disassembly.  Helpers and main() are in test-x86-encode.c.
 */
#include <glib.h>
#include <string.h>

#include "rove/tcg.h"
#include "tcg/x86_64/x86-gen.h"
#include "tests/unit/test-x86-encode.h"

/* ------------------------------------------------------------------ */
/* op lowering */

static X86Gen gen;
static TcgContext *ctx;


static void gen_reset(unsigned features)
{
    x86_gen_free(&gen);
    memset(code, 0xcc, sizeof(code));
    x86_gen_init(&gen, code, BASE_RX, sizeof(code), NULL, NULL, features);
    gen.epilogue_rx = BASE_RX + 0x10000;
    gen.ret0_rx = BASE_RX + 0x10010;
}

typedef struct OpIn {
    TcgArg a[TCG_MAX_OP_ARGS];
    bool c[TCG_MAX_OP_ARGS];
    int8_t scratch[RA_MAX_SCRATCH];
    bool m[TCG_MAX_OP_ARGS];        /* memory operand [mb[i] + a[i]] */
    int8_t mb[TCG_MAX_OP_ARGS];
} OpIn;

static void emit_one(TcgOpcode opc, TcgType type, int nb_o, int nb_i, int nb_c, const OpIn *in)
{
    TcgOp op;
    RaOpArgs args;
    memset(&op, 0, sizeof(op));
    memset(&args, 0, sizeof(args));
    op.opc = opc;
    op.type = type;
    op.nb_oargs = nb_o;
    op.nb_iargs = nb_i;
    op.nb_cargs = nb_c;
    for (int i = 0; i < nb_o + nb_i + nb_c; i++) {
        args.a[i] = in->a[i];
        args.is_const[i] = in->c[i];
        args.is_mem[i] = in->m[i];
        args.mem_base[i] = in->mb[i];
        op.args[i] = in->a[i];
    }
    memcpy(args.scratch, in->scratch, sizeof(args.scratch));
    x86_emit_op(&gen, &op, &args);
}

static void expect_gen(const char *want, const char *what)
{
    g_assert(!x86_overflowed(&gen.a));
    expect_bytes(code, gen.a.pos, BASE_RX, want, what);
    unsigned f = gen.a.features;
    gen_reset(f);
}

/* Register triples (d, a, b): d equal to a, to b, distinct, extended and
 * "quirky" registers. */
static const int triples[][3] = {
    { 0, 0, 1 }, { 1, 0, 1 }, { 2, 0, 1 }, { 3, 3, 3 }, { 8, 9, 10 }, { 9, 9, 8 },
    { 10, 8, 10 }, { 12, 13, 5 }, { 13, 12, 13 }, { 15, 14, 6 }, { 7, 6, 15 },
};

static const char *mov_if(TcgType t, int d, int s)
{
    return d == s ? "" : fmt("mov %s, %s", rn(t, d), rn(t, s));
}

static const char *tname(TcgType t)
{
    return t == TCG_I64 ? "i64" : "i32";
}

static void op_rrr(TcgOpcode opc, TcgType t, int d, int ra, int rb, const char *want)
{
    OpIn in = { .a = { (TcgArg)d, (TcgArg)ra, (TcgArg)rb } };
    emit_one(opc, t, 1, 2, 0, &in);
    expect_gen(want, fmt("%s %s %s,%s,%s", tcg_op_defs[opc].name, tname(t), r64[d], r64[ra],
                         r64[rb]));
}

static void op_rri(TcgOpcode opc, TcgType t, int d, int ra, int64_t imm, const char *want)
{
    OpIn in = { .a = { (TcgArg)d, (TcgArg)ra, (TcgArg)imm }, .c = { false, false, true } };
    emit_one(opc, t, 1, 2, 0, &in);
    expect_gen(want, fmt("%s %s %s,%s,$%lld", tcg_op_defs[opc].name, tname(t), r64[d],
                         r64[ra], (long long)imm));
}

/* What a commutative ALU op becomes for (d, a, b) registers. */
static const char *comm_rr(const char *n, TcgType t, int d, int ra, int rb)
{
    if (d == ra) {
        return fmt("%s %s, %s", n, rn(t, d), rn(t, rb));
    }
    if (d == rb) {
        return fmt("%s %s, %s", n, rn(t, d), rn(t, ra));
    }
    return cat(fmt("mov %s, %s", rn(t, d), rn(t, ra)), fmt("%s %s, %s", n, rn(t, d), rn(t, rb)));
}

static void test_op_arith(void)
{
    static const int64_t imms[] = { 1, -1, 7, 127, 128, -128, -129, 0x12345678, INT32_MIN,
                                    0x40, 0 };
    for (unsigned feat = 0; feat <= X86_FEAT_ALL; feat += X86_FEAT_ALL) {
        gen_reset(feat);
        for (int t = TCG_I32; t <= TCG_I64; t++) {
            TcgType T = (TcgType)t;
            for (size_t k = 0; k < G_N_ELEMENTS(triples); k++) {
                int d = triples[k][0], ra = triples[k][1], rb = triples[k][2];
                /* add */
                const char *w = d == ra   ? fmt("add %s, %s", rn(T, d), rn(T, rb))
                                : d == rb ? fmt("add %s, %s", rn(T, d), rn(T, ra))
                                          : fmt("lea %s, [%s + %s]", rn(T, d), r64[ra], r64[rb]);
                op_rrr(INDEX_op_add, T, d, ra, rb, w);
                /* sub */
                w = d == ra   ? fmt("sub %s, %s", rn(T, d), rn(T, rb))
                    : d == rb ? cat(fmt("neg %s", rn(T, d)), fmt("add %s, %s", rn(T, d), rn(T, ra)))
                              : cat(fmt("mov %s, %s", rn(T, d), rn(T, ra)),
                                    fmt("sub %s, %s", rn(T, d), rn(T, rb)));
                op_rrr(INDEX_op_sub, T, d, ra, rb, w);
                op_rrr(INDEX_op_mul, T, d, ra, rb, comm_rr("imul", T, d, ra, rb));
                op_rrr(INDEX_op_and, T, d, ra, rb, comm_rr("and", T, d, ra, rb));
                op_rrr(INDEX_op_or, T, d, ra, rb, comm_rr("or", T, d, ra, rb));
                op_rrr(INDEX_op_xor, T, d, ra, rb, comm_rr("xor", T, d, ra, rb));
                op_rrr(INDEX_op_eqv, T, d, ra, rb,
                       cat(comm_rr("xor", T, d, ra, rb), fmt("not %s", rn(T, d))));
                if (d != ra && d != rb) {
                    /* '&' forms */
                    const char *nb = cat(fmt("mov %s, %s", rn(T, d), rn(T, rb)),
                                         fmt("not %s", rn(T, d)));
                    op_rrr(INDEX_op_orc, T, d, ra, rb,
                           cat(nb, fmt("or %s, %s", rn(T, d), rn(T, ra))));
                    op_rrr(INDEX_op_andc, T, d, ra, rb,
                           feat & X86_FEAT_BMI1
                               ? fmt("andn %s, %s, %s", rn(T, d), rn(T, rb), rn(T, ra))
                               : cat(nb, fmt("and %s, %s", rn(T, d), rn(T, ra))));
                } else if (feat & X86_FEAT_BMI1) {
                    op_rrr(INDEX_op_andc, T, d, ra, rb,
                           fmt("andn %s, %s, %s", rn(T, d), rn(T, rb), rn(T, ra)));
                }
                for (size_t i = 0; i < G_N_ELEMENTS(imms); i++) {
                    int64_t v = imms[i];
                    const char *iv = imm_alu(T, v);
                    /* add */
                    if (v == 0) {
                        w = mov_if(T, d, ra);
                    } else if (d != ra) {
                        w = fmt("lea %s, %s", rn(T, d), addr(ra, -1, 0, (int32_t)v));
                    } else if (v == 128) {
                        w = fmt("sub %s, -0x80", rn(T, d));
                    } else {
                        w = fmt("add %s, %s", rn(T, d), iv);
                    }
                    op_rri(INDEX_op_add, T, d, ra, v, w);
                    /* sub */
                    if (v == 0) {
                        w = mov_if(T, d, ra);
                    } else if (d != ra && v != INT32_MIN) {
                        w = fmt("lea %s, %s", rn(T, d), addr(ra, -1, 0, (int32_t)-v));
                    } else {
                        w = cat(mov_if(T, d, ra), fmt("sub %s, %s", rn(T, d), iv));
                    }
                    op_rri(INDEX_op_sub, T, d, ra, v, w);
                    /* mul */
                    if (v == 1) {
                        w = mov_if(T, d, ra);
                    } else if (d == ra && v > 0 && (v & (v - 1)) == 0) {
                        w = fmt("shl %s, %s", rn(T, d), imm_s(__builtin_ctzll(v)));
                    } else {
                        w = fmt("imul %s, %s, %s", rn(T, d), rn(T, ra), iv);
                    }
                    op_rri(INDEX_op_mul, T, d, ra, v, w);
                    /* or / xor */
                    w = v == 0 ? mov_if(T, d, ra)
                               : cat(mov_if(T, d, ra), fmt("or %s, %s", rn(T, d), imm_op("or", T, v)));
                    op_rri(INDEX_op_or, T, d, ra, v, w);
                    w = v == -1  ? cat(mov_if(T, d, ra), fmt("not %s", rn(T, d)))
                        : v == 0 ? mov_if(T, d, ra)
                                 : cat(mov_if(T, d, ra),
                                       fmt("xor %s, %s", rn(T, d), imm_op("xor", T, v)));
                    op_rri(INDEX_op_xor, T, d, ra, v, w);
                    /* andc / orc / eqv with constants use the complement */
                    w = ~v == -1 ? mov_if(T, d, ra)
                                 : cat(mov_if(T, d, ra),
                                       fmt("and %s, %s", rn(T, d), imm_op("and", T, ~v)));
                    if (~v != 0xff && ~v != 0xffff) {
                        op_rri(INDEX_op_andc, T, d, ra, v, w);
                    }
                    op_rri(INDEX_op_orc, T, d, ra, v,
                           ~v == 0 ? mov_if(T, d, ra)
                                   : cat(mov_if(T, d, ra),
                                         fmt("or %s, %s", rn(T, d), imm_op("or", T, ~v))));
                    w = ~v == -1  ? cat(mov_if(T, d, ra), fmt("not %s", rn(T, d)))
                        : ~v == 0 ? mov_if(T, d, ra)
                                  : cat(mov_if(T, d, ra),
                                        fmt("xor %s, %s", rn(T, d), imm_op("xor", T, ~v)));
                    op_rri(INDEX_op_eqv, T, d, ra, v, w);
                }
                /* and with the special masks */
                op_rri(INDEX_op_and, T, d, ra, 0xff, fmt("movzx %s, %s", r32[d], r8n[ra]));
                op_rri(INDEX_op_and, T, d, ra, 0xffff, fmt("movzx %s, %s", r32[d], r16[ra]));
                op_rri(INDEX_op_and, T, d, ra, -1, mov_if(T, d, ra));
                op_rri(INDEX_op_and, T, d, ra, 0x7ff0,
                       cat(mov_if(T, d, ra), fmt("and %s, 0x7ff0", rn(T, d))));
                if (T == TCG_I64) {
                    op_rri(INDEX_op_and, T, d, ra, 0xffffffffll,
                           fmt("mov %s, %s", r32[d], r32[ra]));
                    op_rri(INDEX_op_and, T, d, ra, 0xfffff000ll,
                           cat(mov_if(TCG_I32, d, ra), fmt("and %s, 0xfffff000", r32[d])));
                    op_rri(INDEX_op_and, T, d, ra, -16,
                           cat(mov_if(T, d, ra), fmt("and %s, 0xfffffffffffffff0", r64[d])));
                }
            }
        }
    }
}

static void test_op_muldiv(void)
{
    gen_reset(X86_FEAT_ALL);
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        TcgType T = (TcgType)t;
        for (int b = 0; b < 16; b++) {
            if (b == X86_RSP) {
                continue;
            }
            op_rrr(INDEX_op_mulsh, T, X86_RDX, X86_RAX, b, fmt("imul %s", rn(T, b)));
            op_rrr(INDEX_op_muluh, T, X86_RDX, X86_RAX, b, fmt("mul %s", rn(T, b)));
            if (b == X86_RAX || b == X86_RDX) {
                continue;
            }
            const char *sx = T == TCG_I64 ? "cqo" : "cdq";
            op_rrr(INDEX_op_div, T, X86_RAX, X86_RAX, b, cat(sx, fmt("idiv %s", rn(T, b))));
            op_rrr(INDEX_op_rem, T, X86_RDX, X86_RAX, b, cat(sx, fmt("idiv %s", rn(T, b))));
            op_rrr(INDEX_op_divu, T, X86_RAX, X86_RAX, b,
                   cat("xor edx, edx", fmt("div %s", rn(T, b))));
            op_rrr(INDEX_op_remu, T, X86_RDX, X86_RAX, b,
                   cat("xor edx, edx", fmt("div %s", rn(T, b))));
        }
    }
}

static void test_op_shifts(void)
{
    static const struct {
        TcgOpcode opc;
        const char *n;
    } ops[] = {
        { INDEX_op_shl, "shl" }, { INDEX_op_shr, "shr" }, { INDEX_op_sar, "sar" },
        { INDEX_op_rotl, "rol" }, { INDEX_op_rotr, "ror" },
    };
    for (unsigned feat = 0; feat <= X86_FEAT_ALL; feat += X86_FEAT_ALL) {
        gen_reset(feat);
        for (int t = TCG_I32; t <= TCG_I64; t++) {
            TcgType T = (TcgType)t;
            int w = T == TCG_I64 ? 64 : 32;
            for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
                bool rot = ops[i].opc == INDEX_op_rotl || ops[i].opc == INDEX_op_rotr;
                for (size_t k = 0; k < G_N_ELEMENTS(triples); k++) {
                    int d = triples[k][0], ra = triples[k][1], rb = triples[k][2];
                    /* register count: shlx family with BMI2, else cl */
                    if ((feat & X86_FEAT_BMI2) && !rot) {
                        op_rrr(ops[i].opc, T, d, ra, rb,
                               fmt("%sx %s, %s, %s", ops[i].n, rn(T, d), rn(T, ra), rn(T, rb)));
                    }
                    for (int n = 0; n < 2 * w; n += 7) {
                        int m = n & (w - 1);
                        const char *want;
                        if (m == 0) {
                            want = mov_if(T, d, ra);
                        } else if (rot && d != ra && (feat & X86_FEAT_BMI2)) {
                            int r = ops[i].opc == INDEX_op_rotr ? m : w - m;
                            want = fmt("rorx %s, %s, %s", rn(T, d), rn(T, ra), imm_s(r));
                        } else {
                            want = cat(mov_if(T, d, ra),
                                       fmt("%s %s, %s", ops[i].n, rn(T, d), imm_s(m)));
                        }
                        op_rri(ops[i].opc, T, d, ra, n, want);
                    }
                }
                for (int d = 0; d < 16; d++) {
                    if (d != X86_RSP && (rot || !(feat & X86_FEAT_BMI2))) {
                        op_rrr(ops[i].opc, T, d, d, X86_RCX,
                               fmt("%s %s, cl", ops[i].n, rn(T, d)));
                    }
                }
            }
        }
    }
}

static void test_op_bits(void)
{
    for (unsigned feat = 0; feat <= X86_FEAT_ALL; feat += X86_FEAT_ALL) {
        gen_reset(feat);
        for (int t = TCG_I32; t <= TCG_I64; t++) {
            TcgType T = (TcgType)t;
            int w = T == TCG_I64 ? 64 : 32;
            for (size_t k = 0; k < G_N_ELEMENTS(triples); k++) {
                int d = triples[k][0], ra = triples[k][1], rz = triples[k][2];
                if (feat) {
                    op_rrr(INDEX_op_clz, T, d, ra, rz,
                           cat(fmt("lzcnt %s, %s", rn(T, d), rn(T, ra)),
                               fmt("cmovb %s, %s", rn(T, d), rn(T, rz))));
                    op_rrr(INDEX_op_ctz, T, d, ra, rz,
                           cat(fmt("tzcnt %s, %s", rn(T, d), rn(T, ra)),
                               fmt("cmovb %s, %s", rn(T, d), rn(T, rz))));
                    op_rri(INDEX_op_clz, T, d, ra, w, fmt("lzcnt %s, %s", rn(T, d), rn(T, ra)));
                    op_rri(INDEX_op_ctz, T, d, ra, w, fmt("tzcnt %s, %s", rn(T, d), rn(T, ra)));
                    OpIn in = { .a = { (TcgArg)d, (TcgArg)ra } };
                    emit_one(INDEX_op_ctpop, T, 1, 1, 0, &in);
                    expect_gen(fmt("popcnt %s, %s", rn(T, d), rn(T, ra)), "popcnt");
                } else if (d != ra && d != rz) {
                    op_rrr(INDEX_op_clz, T, d, ra, rz,
                           fmt("bsr %s, %s; xor %s, %s; test %s, %s; cmove %s, %s", rn(T, d),
                               rn(T, ra), rn(T, d), imm_s(w - 1), rn(T, ra), rn(T, ra),
                               rn(T, d), rn(T, rz)));
                    op_rrr(INDEX_op_ctz, T, d, ra, rz,
                           fmt("bsf %s, %s; cmove %s, %s", rn(T, d), rn(T, ra), rn(T, d),
                               rn(T, rz)));
                    int s0 = 11, s1 = 4 == rz ? 14 : 4;
                    if (ra == 11 || d == 11 || rz == 11) {
                        s0 = 1 + (d == 1 || ra == 1 ? 1 : 0);
                    }
                    s1 = 14;
                    OpIn in = { .a = { (TcgArg)d, (TcgArg)ra }, .scratch = { (int8_t)s0, (int8_t)s1 } };
                    emit_one(INDEX_op_ctpop, T, 1, 1, 0, &in);
                    const char *D = rn(T, d), *S = rn(T, s0), *M = rn(T, s1);
                    const char *want;
                    if (T == TCG_I64) {
                        want = fmt("mov %s, %s; mov %s, %s; shr %s, 1; "
                                   "movabs %s, 0x5555555555555555; and %s, %s; sub %s, %s; "
                                   "mov %s, %s; movabs %s, 0x3333333333333333; and %s, %s; "
                                   "shr %s, 2; and %s, %s; add %s, %s; mov %s, %s; shr %s, 4; "
                                   "add %s, %s; movabs %s, 0xf0f0f0f0f0f0f0f; and %s, %s; "
                                   "movabs %s, 0x101010101010101; imul %s, %s; shr %s, 0x38",
                                   D, rn(T, ra), S, D, S, M, S, M, D, S, S, D, M, S, M, D, D, M,
                                   D, S, S, D, S, D, S, M, D, M, M, D, M, D);
                    } else {
                        want = fmt("mov %s, %s; mov %s, %s; shr %s, 1; and %s, 0x55555555; "
                                   "sub %s, %s; mov %s, %s; and %s, 0x33333333; shr %s, 2; "
                                   "and %s, 0x33333333; add %s, %s; mov %s, %s; shr %s, 4; "
                                   "add %s, %s; and %s, 0xf0f0f0f; imul %s, %s, 0x1010101; "
                                   "shr %s, 0x18",
                                   D, rn(T, ra), S, D, S, S, D, S, S, D, S, D, D, D, S, S, D, S,
                                   D, S, D, D, D, D);
                    }
                    expect_gen(want, "ctpop swar");
                }
            }
        }
    }
}

static void test_op_unary(void)
{
    gen_reset(X86_FEAT_ALL);
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        TcgType T = (TcgType)t;
        for (int d = 0; d < 16; d++) {
            for (int s = 0; s < 16; s++) {
                if (d == X86_RSP || s == X86_RSP) {
                    continue;
                }
                static const struct {
                    TcgOpcode opc;
                    const char *n;
                } un[] = {
                    { INDEX_op_neg, "neg" }, { INDEX_op_not, "not" }, { INDEX_op_bswap, "bswap" },
                };
                OpIn in = { .a = { (TcgArg)d, (TcgArg)s } };
                for (size_t k = 0; k < G_N_ELEMENTS(un); k++) {
                    emit_one(un[k].opc, T, 1, 1, 0, &in);
                    expect_gen(cat(mov_if(T, d, s), fmt("%s %s", un[k].n, rn(T, d))), un[k].n);
                }
                emit_one(INDEX_op_ext8s, T, 1, 1, 0, &in);
                expect_gen(fmt("movsx %s, %s", rn(T, d), r8n[s]), "ext8s");
                emit_one(INDEX_op_ext8u, T, 1, 1, 0, &in);
                expect_gen(fmt("movzx %s, %s", r32[d], r8n[s]), "ext8u");
                emit_one(INDEX_op_ext16s, T, 1, 1, 0, &in);
                expect_gen(fmt("movsx %s, %s", rn(T, d), r16[s]), "ext16s");
                emit_one(INDEX_op_ext16u, T, 1, 1, 0, &in);
                expect_gen(fmt("movzx %s, %s", r32[d], r16[s]), "ext16u");
                if (T == TCG_I64) {
                    emit_one(INDEX_op_ext32s, T, 1, 1, 0, &in);
                    expect_gen(fmt("movsxd %s, %s", r64[d], r32[s]), "ext32s");
                    emit_one(INDEX_op_ext32u, T, 1, 1, 0, &in);
                    expect_gen(fmt("mov %s, %s", r32[d], r32[s]), "ext32u");
                    emit_one(INDEX_op_exts_i32_i64, T, 1, 1, 0, &in);
                    expect_gen(fmt("movsxd %s, %s", r64[d], r32[s]), "exts");
                    emit_one(INDEX_op_extu_i32_i64, T, 1, 1, 0, &in);
                    expect_gen(fmt("mov %s, %s", r32[d], r32[s]), "extu");
                } else {
                    emit_one(INDEX_op_extrl_i64_i32, T, 1, 1, 0, &in);
                    expect_gen(mov_if(TCG_I32, d, s), "extrl");
                }
            }
        }
    }
}

static const char *cmp_text(TcgType T, int ra, TcgArg b, bool bc)
{
    if (bc && b == 0) {
        return fmt("test %s, %s", rn(T, ra), rn(T, ra));
    }
    if (bc) {
        return fmt("cmp %s, %s", rn(T, ra), imm_alu(T, (int64_t)b));
    }
    return fmt("cmp %s, %s", rn(T, ra), rn(T, (int)b));
}

static void test_op_compare(void)
{
    static const X86Cond xcc[] = {
        [TCG_COND_EQ] = X86_CC_E, [TCG_COND_NE] = X86_CC_NE, [TCG_COND_LT] = X86_CC_L,
        [TCG_COND_GE] = X86_CC_GE, [TCG_COND_LE] = X86_CC_LE, [TCG_COND_GT] = X86_CC_G,
        [TCG_COND_LTU] = X86_CC_B, [TCG_COND_GEU] = X86_CC_AE, [TCG_COND_LEU] = X86_CC_BE,
        [TCG_COND_GTU] = X86_CC_A,
    };
    gen_reset(X86_FEAT_ALL);
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        TcgType T = (TcgType)t;
        for (int cond = TCG_COND_EQ; cond <= TCG_COND_GTU; cond++) {
            const char *cc = ccn[xcc[cond]];
            for (size_t k = 0; k < G_N_ELEMENTS(triples); k++) {
                int d = triples[k][0], ra = triples[k][1], rb = triples[k][2];
                for (int form = 0; form < 3; form++) {
                    bool bc = form > 0;
                    TcgArg b = form == 0 ? (TcgArg)rb : form == 1 ? 0 : (TcgArg)-300;
                    OpIn in = { .a = { (TcgArg)d, (TcgArg)ra, b, (TcgArg)cond },
                                .c = { false, false, bc } };
                    emit_one(INDEX_op_setcond, T, 1, 2, 1, &in);
                    bool zf = d != ra && (bc || d != rb);
                    const char *w = cat(zf ? fmt("xor %s, %s", r32[d], r32[d]) : "",
                                        cat(cmp_text(T, ra, b, bc),
                                            fmt("set%s %s", cc, r8n[d])));
                    if (!zf) {
                        w = cat(w, fmt("movzx %s, %s", r32[d], r8n[d]));
                    }
                    expect_gen(w, "setcond");

                    /* movcond d = (ra cond b) ? v1 : v2 */
                    static const int vv[][2] = { { 6, 7 }, { 6, -1 }, { -1, 7 } };
                    for (int v = 0; v < 3; v++) {
                        int v1 = vv[v][0] < 0 ? d : vv[v][0];
                        int v2 = vv[v][1] < 0 ? d : vv[v][1];
                        if (v1 == v2) {
                            continue;
                        }
                        OpIn m = { .a = { (TcgArg)d, (TcgArg)ra, b, (TcgArg)v1, (TcgArg)v2,
                                          (TcgArg)cond },
                                   .c = { false, false, bc } };
                        emit_one(INDEX_op_movcond, T, 1, 4, 1, &m);
                        const char *mw;
                        if (d == v2) {
                            mw = fmt("cmov%s %s, %s", cc, rn(T, d), rn(T, v1));
                        } else if (d == v1) {
                            mw = fmt("cmov%s %s, %s", ccn[xcc[cond] ^ 1], rn(T, d), rn(T, v2));
                        } else {
                            mw = cat(fmt("mov %s, %s", rn(T, d), rn(T, v2)),
                                     fmt("cmov%s %s, %s", cc, rn(T, d), rn(T, v1)));
                        }
                        expect_gen(cat(cmp_text(T, ra, b, bc), mw), "movcond");
                    }

                    /* brcond to a bound (backward) label and an unbound one */
                    gen.label_pos[0] = 0;
                    OpIn l = { .a = { (TcgArg)ra, b, (TcgArg)cond, 0 }, .c = { false, bc } };
                    x86_nops(&gen.a, 16);
                    emit_one(INDEX_op_brcond, T, 0, 2, 2, &l);
                    const char *cm = cmp_text(T, ra, b, bc);
                    expect_gen(cat("nop word ptr [rax + rax]; nop dword ptr [rax]",
                                   cat(cm, fmt("j%s 0x%lx", cc, BASE_RX))), "brcond back");
                    emit_one(INDEX_op_brcond, T, 0, 2, 2, &l);
                    size_t len = gen.a.pos;
                    g_assert_cmpint(gen.nb_refs, ==, 1);
                    gen.label_pos[0] = 0x40;
                    g_assert(x86_gen_finish(&gen));
                    expect_bytes(code, len, BASE_RX,
                                 cat(cm, fmt("j%s 0x%lx", cc, BASE_RX + 0x40)), "brcond fwd");
                    gen_reset(X86_FEAT_ALL);
                }
            }
        }
    }
}

/* Inputs left in memory ('m' constraints): one operand is [base + disp]. */
static void test_op_memops(void)
{
    static const int bases[] = { X86_RBP, X86_RSP, X86_R12, X86_R13 };
    static const int32_t mdisp[] = { 0, 0x18, 0x208, -8 };
    static const struct {
        TcgOpcode opc;
        const char *n;
    } comm[] = {
        { INDEX_op_add, "add" }, { INDEX_op_and, "and" }, { INDEX_op_or, "or" },
        { INDEX_op_xor, "xor" }, { INDEX_op_mul, "imul" },
    };
    gen_reset(X86_FEAT_ALL);
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        TcgType T = (TcgType)t;
        MemOp msz = T == TCG_I64 ? MO_64 : MO_32;
        for (size_t bi = 0; bi < G_N_ELEMENTS(bases); bi++) {
            int mbase = bases[bi];
            int32_t md = mdisp[bi];
            char M[128]; /* outlives the ring of format buffers */
            snprintf(M, sizeof(M), "%s", mem(msz, mbase, -1, 0, md));
            for (size_t k = 0; k < G_N_ELEMENTS(triples); k++) {
                int d = triples[k][0], r = triples[k][1];
                for (size_t c = 0; c < G_N_ELEMENTS(comm); c++) {
                    const char *w = cat(mov_if(T, d, r), fmt("%s %s, %s", comm[c].n, rn(T, d), M));
                    for (int side = 0; side < 2; side++) {
                        /* register in arg 1 or 2, memory in the other */
                        OpIn in = { .a = { (TcgArg)d } };
                        in.a[1 + side] = (TcgArg)r;
                        in.a[2 - side] = (TcgArg)(intptr_t)md;
                        in.m[2 - side] = true;
                        in.mb[2 - side] = (int8_t)mbase;
                        emit_one(comm[c].opc, T, 1, 2, 0, &in);
                        expect_gen(w, fmt("%s mem side %d", comm[c].n, side));
                    }
                    /* memory op constant */
                    for (int64_t v = -200; v <= 200; v += 100) {
                        OpIn in = { .a = { (TcgArg)d, (TcgArg)(intptr_t)md, (TcgArg)v },
                                    .c = { false, false, true }, .m = { false, true },
                                    .mb = { 0, (int8_t)mbase } };
                        emit_one(comm[c].opc, T, 1, 2, 0, &in);
                        const char *ld = fmt("mov %s, %s", rn(T, d), M);
                        if (comm[c].opc == INDEX_op_mul) {
                            w = fmt("imul %s, %s, %s", rn(T, d), M, imm_alu(T, v));
                        } else if (comm[c].opc == INDEX_op_add && v == 0) {
                            w = ld;
                        } else if ((comm[c].opc == INDEX_op_or || comm[c].opc == INDEX_op_xor) &&
                                   v == 0) {
                            w = ld;
                        } else {
                            w = cat(ld, fmt("%s %s, %s", comm[c].n, rn(T, d),
                                            imm_op(comm[c].n, T, v)));
                        }
                        expect_gen(w, fmt("%s mem imm", comm[c].n));
                    }
                }
                /* sub: only the subtrahend may be memory */
                OpIn sb = { .a = { (TcgArg)d, (TcgArg)r, (TcgArg)(intptr_t)md },
                            .m = { false, false, true }, .mb = { 0, 0, (int8_t)mbase } };
                emit_one(INDEX_op_sub, T, 1, 2, 0, &sb);
                expect_gen(cat(mov_if(T, d, r), fmt("sub %s, %s", rn(T, d), M)), "sub mem");
                /* and with the zero-extending masks loads directly */
                static const int64_t masks[] = { 0xff, 0xffff, 0xffffffffll };
                for (int mi = 0; mi < (T == TCG_I64 ? 3 : 2); mi++) {
                    OpIn in = { .a = { (TcgArg)d, (TcgArg)(intptr_t)md, (TcgArg)masks[mi] },
                                .c = { false, false, true }, .m = { false, true },
                                .mb = { 0, (int8_t)mbase } };
                    emit_one(INDEX_op_and, T, 1, 2, 0, &in);
                    expect_gen(mi == 2 ? fmt("mov %s, %s", r32[d], mem(MO_32, mbase, -1, 0, md))
                                       : fmt("movzx %s, %s", r32[d],
                                             mem(mi ? MO_16 : MO_8, mbase, -1, 0, md)),
                               "and mask mem");
                }
                /* compares: memory on either side, register or constant other */
                static const TcgCond cs[] = { TCG_COND_EQ, TCG_COND_LTU, TCG_COND_GT };
                static const char *const cn[] = { "e", "b", "g" };
                for (int ci = 0; ci < 3; ci++) {
                    for (int form = 0; form < 3; form++) {
                        OpIn in = { .a = { (TcgArg)d, 0, 0, (TcgArg)cs[ci] } };
                        const char *cmp;
                        if (form == 0) { /* mem, reg */
                            in.a[1] = (TcgArg)(intptr_t)md;
                            in.m[1] = true;
                            in.mb[1] = (int8_t)mbase;
                            in.a[2] = (TcgArg)r;
                            cmp = fmt("cmp %s, %s", M, rn(T, r));
                        } else if (form == 1) { /* mem, imm */
                            in.a[1] = (TcgArg)(intptr_t)md;
                            in.m[1] = true;
                            in.mb[1] = (int8_t)mbase;
                            in.a[2] = (TcgArg)(int64_t)(ci ? -300 : 0);
                            in.c[2] = true;
                            cmp = fmt("cmp %s, %s", M, imm_alu(T, ci ? -300 : 0));
                        } else { /* reg, mem */
                            in.a[1] = (TcgArg)r;
                            in.a[2] = (TcgArg)(intptr_t)md;
                            in.m[2] = true;
                            in.mb[2] = (int8_t)mbase;
                            cmp = fmt("cmp %s, %s", rn(T, r), M);
                        }
                        bool zf = !(form != 1 && d == r);
                        emit_one(INDEX_op_setcond, T, 1, 2, 1, &in);
                        const char *w = cat(zf ? fmt("xor %s, %s", r32[d], r32[d]) : "",
                                            cat(cmp, fmt("set%s %s", cn[ci], r8n[d])));
                        expect_gen(zf ? w : cat(w, fmt("movzx %s, %s", r32[d], r8n[d])),
                                   "setcond mem");
                        /* brcond with the same operands, to a bound label */
                        OpIn b = in;
                        for (int q = 0; q < 3; q++) {
                            b.a[q] = in.a[q + 1];
                            b.c[q] = in.c[q + 1];
                            b.m[q] = in.m[q + 1];
                            b.mb[q] = in.mb[q + 1];
                        }
                        b.a[3] = 0;
                        gen.label_pos[0] = 0;
                        emit_one(INDEX_op_brcond, T, 0, 2, 2, &b);
                        expect_gen(cat(cmp, fmt("j%s 0x%lx", cn[ci], BASE_RX)), "brcond mem");
                    }
                }
                /* extensions straight from memory */
                static const struct {
                    TcgOpcode opc;
                    bool i64only;
                    const char *mn;
                    MemOp sz;
                    bool wide; /* destination register is the op's width */
                } ex[] = {
                    { INDEX_op_ext8s, false, "movsx", MO_8, true },
                    { INDEX_op_ext8u, false, "movzx", MO_8, false },
                    { INDEX_op_ext16s, false, "movsx", MO_16, true },
                    { INDEX_op_ext16u, false, "movzx", MO_16, false },
                    { INDEX_op_ext32s, true, "movsxd", MO_32, true },
                    { INDEX_op_ext32u, true, "mov", MO_32, false },
                    { INDEX_op_extu_i32_i64, true, "mov", MO_32, false },
                    { INDEX_op_exts_i32_i64, true, "movsxd", MO_32, true },
                };
                for (size_t e = 0; e < G_N_ELEMENTS(ex); e++) {
                    if (ex[e].i64only && T != TCG_I64) {
                        continue;
                    }
                    OpIn in = { .a = { (TcgArg)d, (TcgArg)(intptr_t)md }, .m = { false, true },
                                .mb = { 0, (int8_t)mbase } };
                    emit_one(ex[e].opc, T, 1, 1, 0, &in);
                    expect_gen(fmt("%s %s, %s", ex[e].mn, ex[e].wide ? rn(T, d) : r32[d],
                                   mem(ex[e].sz, mbase, -1, 0, md)), "ext mem");
                }
                if (T == TCG_I32) {
                    OpIn in = { .a = { (TcgArg)d, (TcgArg)(intptr_t)md }, .m = { false, true },
                                .mb = { 0, (int8_t)mbase } };
                    emit_one(INDEX_op_extrl_i64_i32, T, 1, 1, 0, &in);
                    expect_gen(fmt("mov %s, %s", r32[d], mem(MO_32, mbase, -1, 0, md)),
                               "extrl mem");
                }
            }
            /* mul high / division by a memory operand */
            static const struct {
                TcgOpcode opc;
                int d;
                const char *w;
            } md3[] = {
                { INDEX_op_mulsh, X86_RDX, "imul %s" }, { INDEX_op_muluh, X86_RDX, "mul %s" },
                { INDEX_op_div, X86_RAX, "%s; idiv %s" }, { INDEX_op_rem, X86_RDX, "%s; idiv %s" },
                { INDEX_op_divu, X86_RAX, "xor edx, edx; div %s" },
                { INDEX_op_remu, X86_RDX, "xor edx, edx; div %s" },
            };
            for (size_t i = 0; i < G_N_ELEMENTS(md3); i++) {
                OpIn in = { .a = { (TcgArg)md3[i].d, X86_RAX, (TcgArg)(intptr_t)md },
                            .m = { false, false, true }, .mb = { 0, 0, (int8_t)mbase } };
                emit_one(md3[i].opc, T, 1, 2, 0, &in);
                const char *w = (md3[i].opc == INDEX_op_div || md3[i].opc == INDEX_op_rem)
                                    ? fmt(md3[i].w, T == TCG_I64 ? "cqo" : "cdq", M)
                                    : fmt(md3[i].w, M);
                expect_gen(w, "muldiv mem");
            }
        }
    }
}

static void test_op_memory(void)
{
    static const MemOp mops[] = {
        MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_SL, MO_UQ, MO_UW | MO_BSWAP, MO_SW | MO_BSWAP,
        MO_UL | MO_BSWAP, MO_SL | MO_BSWAP, MO_UQ | MO_BSWAP,
    };
    TcgContext *c = ctx;
    for (unsigned feat = 0; feat <= X86_FEAT_ALL; feat += X86_FEAT_ALL) {
        for (int model = 0; model < 3; model++) {
            /* 0: guest_base in r15 + bounds check; 1: disp, no check; 2: base 0 */
            c->mem.base = model == 0 ? 0x7f0000000000ul : model == 1 ? 0x10000 : 0;
            c->mem.addr_bits = model == 0 ? 40 : 64;
            for (int t = TCG_I32; t <= TCG_I64; t++) {
                TcgType T = (TcgType)t;
                for (size_t m = 0; m < G_N_ELEMENTS(mops); m++) {
                    MemOp mop = mops[m], size = mop & MO_SIZE;
                    if (T == TCG_I32 && size == MO_64) {
                        continue;
                    }
                    for (size_t k = 0; k < G_N_ELEMENTS(triples); k++) {
                        int d = triples[k][0], ra = triples[k][1], sc = triples[k][2];
                        if (d == 15 || ra == 15 || sc == 15 || sc == ra) {
                            continue;
                        }
                        for (int align = 0; align < 2; align++) {
                            MemOp amop = mop | (align ? MO_ALIGN : 0);
                            x86_gen_free(&gen);
                            memset(code, 0xcc, sizeof(code));
                            x86_gen_init(&gen, code, BASE_RX, sizeof(code), c, NULL, feat);
                            gen.limit_rx = LIMIT_RX;
                            const char *chk = "";
                            if (model == 0) {
                                chk = fmt("cmp %s, qword ptr [rip + 0x%lx]; jae 0x%lx", r64[ra],
                                          LIMIT_RX + 8 * 40 - (BASE_RX + 7), BASE_RX + 7 + 6);
                            }
                            size_t chklen = model == 0 ? 13 : 0;
                            if (align && size != MO_8) {
                                chk = cat(chk, fmt("test %s, %s; jne 0x%lx", r8n[ra],
                                                   imm_s((1 << size) - 1),
                                                   BASE_RX + chklen + (ra >= 4 ? 4 : 3) + 6));
                            }
                            int base = model == 0 ? 15 : ra, index = model == 0 ? ra : -1;
                            int32_t disp = model == 1 ? 0x10000 : 0;
                            const char *op = mem(size, base, index, 0, disp);
                            /* load */
                            const char *w;
                            bool sign = mop & MO_SIGN;
                            if (!(mop & MO_BSWAP) || size == MO_8) {
                                if (size <= MO_16) {
                                    w = fmt("%s %s, %s", sign ? "movsx" : "movzx",
                                            sign ? rn(T, d) : r32[d], op);
                                } else if (size == MO_32 && sign && T == TCG_I64) {
                                    w = fmt("movsxd %s, %s", r64[d], op);
                                } else {
                                    w = fmt("mov %s, %s", rsz(size, d), op);
                                }
                            } else if (size == MO_16) {
                                w = cat(fmt("movzx %s, %s", r32[d], op), fmt("rol %s, 8", r16[d]));
                                if (sign) {
                                    w = cat(w, fmt("movsx %s, %s", rn(T, d), r16[d]));
                                }
                            } else {
                                w = feat ? fmt("movbe %s, %s", rsz(size, d), op)
                                         : cat(fmt("mov %s, %s", rsz(size, d), op),
                                               fmt("bswap %s", rsz(size, d)));
                                if (size == MO_32 && sign && T == TCG_I64) {
                                    w = cat(w, fmt("movsxd %s, %s", r64[d], r32[d]));
                                }
                            }
                            OpIn in = { .a = { (TcgArg)d, (TcgArg)ra, tcg_make_oi(amop, 0) },
                                        .scratch = { -1, -1, -1 } };
                            emit_one(INDEX_op_qemu_ld, T, 1, 1, 1, &in);
                            size_t len = gen.a.pos;
                            expect_bytes(code, len, BASE_RX, cat(chk, w), "qemu_ld");
                            g_assert_cmpint(gen.nb_slow, ==, 1);

                            /* store of a register */
                            x86_gen_free(&gen);
                            memset(code, 0xcc, sizeof(code));
                            x86_gen_init(&gen, code, BASE_RX, sizeof(code), c, NULL, feat);
                            gen.limit_rx = LIMIT_RX;
                            OpIn st = { .a = { (TcgArg)d, (TcgArg)ra, tcg_make_oi(amop, 0) },
                                        .scratch = { (int8_t)sc, -1, -1 } };
                            emit_one(INDEX_op_qemu_st, T, 0, 2, 1, &st);
                            if (!(mop & MO_BSWAP) || size == MO_8) {
                                w = fmt("mov %s, %s", op, rsz(size, d));
                            } else if (feat) {
                                w = fmt("movbe %s, %s", op, rsz(size, d));
                            } else {
                                TcgType mt = size == MO_64 ? TCG_I64 : TCG_I32;
                                w = cat(fmt("mov %s, %s", rn(mt, sc), rn(mt, d)),
                                        size == MO_16 ? fmt("rol %s, 8", r16[sc])
                                                      : fmt("bswap %s", rn(mt, sc)));
                                w = cat(w, fmt("mov %s, %s", op, rsz(size, sc)));
                            }
                            expect_bytes(code, gen.a.pos, BASE_RX, cat(chk, w), "qemu_st");

                            /* store of a constant (swapped at translation time) */
                            x86_gen_free(&gen);
                            memset(code, 0xcc, sizeof(code));
                            x86_gen_init(&gen, code, BASE_RX, sizeof(code), c, NULL, feat);
                            gen.limit_rx = LIMIT_RX;
                            int64_t cv = T == TCG_I64 ? 0x1122334455667788ll : 0x55667788;
                            OpIn sc2 = { .a = { (TcgArg)cv, (TcgArg)ra, tcg_make_oi(amop, 0) },
                                         .c = { true }, .scratch = { (int8_t)sc, -1, -1 } };
                            emit_one(INDEX_op_qemu_st, T, 0, 2, 1, &sc2);
                            uint64_t sv = (uint64_t)cv;
                            if ((mop & MO_BSWAP) && size == MO_16) {
                                sv = __builtin_bswap16((uint16_t)sv);
                            } else if ((mop & MO_BSWAP) && size == MO_32) {
                                sv = __builtin_bswap32((uint32_t)sv);
                            } else if ((mop & MO_BSWAP) && size == MO_64) {
                                sv = __builtin_bswap64(sv);
                            }
                            if (size == MO_64) {
                                w = cat(fmt("movabs %s, 0x%llx", r64[sc], (unsigned long long)sv),
                                        fmt("mov %s, %s", op, r64[sc]));
                            } else {
                                w = fmt("mov %s, %s", op, imm_sized(size, (int64_t)sv));
                            }
                            expect_bytes(code, gen.a.pos, BASE_RX, cat(chk, w), "qemu_st imm");

                            /* constant guest address: no checks, a displacement */
                            uint64_t ca = 0x1230 + 8 * k;
                            g_assert(x86_guest_const_addr_ok(&gen, ca, amop));
                            x86_gen_free(&gen);
                            memset(code, 0xcc, sizeof(code));
                            x86_gen_init(&gen, code, BASE_RX, sizeof(code), c, NULL, feat);
                            OpIn cl = { .a = { (TcgArg)d, (TcgArg)ca, tcg_make_oi(amop, 0) },
                                        .c = { false, true }, .scratch = { -1, -1, -1 } };
                            emit_one(INDEX_op_qemu_ld, T, 1, 1, 1, &cl);
                            const char *cop =
                                model == 0 ? mem(size, 15, -1, 0, (int32_t)ca)
                                           : mem(size, -1, -1, 0, (int32_t)(c->mem.base + ca));
                            const char *lw = (!(mop & MO_BSWAP) || size == MO_8)
                                                 ? NULL : "";
                            if (lw == NULL) {
                                if (size <= MO_16) {
                                    lw = fmt("%s %s, %s", sign ? "movsx" : "movzx",
                                             sign ? rn(T, d) : r32[d], cop);
                                } else if (size == MO_32 && sign && T == TCG_I64) {
                                    lw = fmt("movsxd %s, %s", r64[d], cop);
                                } else {
                                    lw = fmt("mov %s, %s", rsz(size, d), cop);
                                }
                                expect_bytes(code, gen.a.pos, BASE_RX, lw, "qemu_ld const");
                            }
                            g_assert_cmpint(gen.nb_slow, ==, 0);
                        }
                    }
                }
            }
        }
    }
    c->mem.base = 0;
    c->mem.addr_bits = 0;
    gen_reset(X86_FEAT_ALL);
}

/* The fault stub emitted after the body, and the control ops. */
static void test_op_control(void)
{
    TcgContext *c = ctx;
    c->mem.base = 0x7f0000000000ul;
    c->mem.addr_bits = 40;
    c->mem.fault = (void (*)(void *, uint64_t, uint32_t, uintptr_t))(BASE_RX + 0x800);
    for (int ra = 0; ra < 16; ra++) {
        if (ra == X86_RSP || ra == X86_RBP || ra == 15) {
            continue;
        }
        x86_gen_free(&gen);
        memset(code, 0xcc, sizeof(code));
        x86_gen_init(&gen, code, BASE_RX, sizeof(code), c, NULL, X86_FEAT_ALL);
        gen.limit_rx = LIMIT_RX;
        OpIn in = { .a = { 0, (TcgArg)ra, tcg_make_oi(MO_UL | MO_ALIGN, 0) },
                    .scratch = { -1, -1, -1 } };
        emit_one(INDEX_op_qemu_ld, TCG_I64, 1, 1, 1, &in);
        size_t body = gen.a.pos;
        size_t access = body - 4;
        g_assert(x86_gen_finish(&gen));
        /* tail, then one stub per check */
        size_t tail = body;
        const char *mv = ra == X86_RSI ? "" : fmt("mov rsi, %s", r64[ra]);
        size_t mvlen = ra == X86_RSI ? 0 : 3;
        size_t stub0 = tail + 3 + 5 + 2;
        size_t stub1 = stub0 + mvlen + 2 + 7 + 2;
        const char *st0 = cat(mv, fmt("xor edx, edx; lea rcx, [rip - 0x%zx]; jmp 0x%lx",
                                      stub0 + mvlen + 2 + 7 - access, BASE_RX + tail));
        const char *st1 = cat(mv, fmt("mov edx, 2; lea rcx, [rip - 0x%zx]; jmp 0x%lx",
                                      stub1 + mvlen + 5 + 7 - access, BASE_RX + tail));
        expect_bytes(code, gen.a.pos, BASE_RX,
                     fmt("cmp %s, qword ptr [rip + 0x%lx]; jae 0x%lx; test %s, 3; jne 0x%lx; "
                         "mov eax, dword ptr [r15 + %s]; mov rdi, rbp; call 0x%lx; ud2; %s; %s",
                         r64[ra], LIMIT_RX + 8 * 40 - (BASE_RX + 7), BASE_RX + stub0,
                         r8n[ra], BASE_RX + stub1, r64[ra], BASE_RX + 0x800, st0, st1),
                     "slow path");
    }
    c->mem.base = 0;
    c->mem.addr_bits = 0;
    c->mem.fault = NULL;

    gen_reset(X86_FEAT_ALL);
    TbCodeInfo info;
    x86_gen_free(&gen);
    x86_gen_init(&gen, code, BASE_RX, sizeof(code), NULL, &info, 0);
    gen.epilogue_rx = BASE_RX + 0x1000;
    gen.ret0_rx = BASE_RX + 0x1010;
    for (int pad = 0; pad < 4; pad++) {
        gen.a.pos = (size_t)pad;
        OpIn in = { .a = { 1 } };
        emit_one(INDEX_op_goto_tb, TCG_I64, 0, 0, 1, &in);
        g_assert_cmpuint((BASE_RX + info.jmp_insn_offset[1]) % 4, ==, 0);
        g_assert_cmpuint(info.jmp_reset_offset[1], ==, info.jmp_insn_offset[1] + 4);
        g_assert_cmpuint(code[info.jmp_insn_offset[1] - 1], ==, 0xe9);
    }
    gen_reset(0);
    OpIn e0 = { .a = { 0 } };
    emit_one(INDEX_op_exit_tb, TCG_I64, 0, 0, 1, &e0);
    expect_gen(fmt("jmp 0x%lx", gen.ret0_rx), "exit_tb 0");
    OpIn e1 = { .a = { 0x12345 } };
    emit_one(INDEX_op_exit_tb, TCG_I64, 0, 0, 1, &e1);
    expect_gen(fmt("mov eax, 0x12345; jmp 0x%lx", gen.epilogue_rx), "exit_tb");
    OpIn e2 = { .a = { 0x5555deadbeefull | 3 } };
    emit_one(INDEX_op_exit_tb, TCG_I64, 0, 0, 1, &e2);
    expect_gen(fmt("movabs rax, 0x5555deadbeef; jmp 0x%lx", gen.epilogue_rx), "exit_tb big");
    for (int r = 0; r < 16; r++) {
        OpIn g = { .a = { (TcgArg)r } };
        emit_one(INDEX_op_goto_ptr, TCG_I64, 0, 1, 0, &g);
        expect_gen(fmt("jmp %s", r64[r]), "goto_ptr");
    }
    OpIn mb1 = { .a = { TCG_MO_ALL } }, mb2 = { .a = { TCG_MO_LD_LD | TCG_MO_ST_ST } };
    emit_one(INDEX_op_mb, TCG_I64, 0, 0, 1, &mb1);
    emit_one(INDEX_op_mb, TCG_I64, 0, 0, 1, &mb2);
    expect_gen("mfence", "mb");
    /* ld/st of the cpu state */
    for (int b = 0; b < 16; b++) {
        OpIn l = { .a = { 3, (TcgArg)b, (TcgArg)-8, MO_SL } };
        emit_one(INDEX_op_ld, TCG_I64, 1, 1, 2, &l);
        expect_gen(fmt("movsxd rbx, %s", mem(MO_32, b, -1, 0, -8)), "ld");
        OpIn s = { .a = { 9, (TcgArg)b, 0x100, MO_16 } };
        emit_one(INDEX_op_st, TCG_I32, 0, 2, 2, &s);
        expect_gen(fmt("mov %s, r9w", mem(MO_16, b, -1, 0, 0x100)), "st");
        OpIn si = { .a = { (TcgArg)-2, (TcgArg)b, 0x100, MO_64 }, .c = { true } };
        emit_one(INDEX_op_st, TCG_I64, 0, 2, 2, &si);
        expect_gen(fmt("mov %s, -2", mem(MO_64, b, -1, 0, 0x100)), "st imm");
    }
    x86_gen_free(&gen);
}

/* Disassembly of the generated code as "mn ops; mn ops; ..." (NULL if some
 * bytes do not decode). */
static char *disasm_text(void)
{
    cs_insn *insn;
    size_t n = cs_disasm(cs, code, gen.a.pos, BASE_RX, 0, &insn);
    GString *str = g_string_new("");
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(str, "%s%s%s%s", i ? "; " : "", insn[i].mnemonic,
                               insn[i].op_str[0] ? " " : "", insn[i].op_str);
        used += insn[i].size;
    }
    cs_free(insn, n);
    if (used != gen.a.pos) {
        g_string_free(str, TRUE);
        return NULL;
    }
    return g_string_free(str, FALSE);
}

static void check_true(bool ok, const char *what, const char *text)
{
    ncheck++;
    if (!ok && nfail++ < 20) {
        g_printerr("MISMATCH %s\n  code: %s\n", what, text ? text : "(undecodable)");
    }
}

/*
 * fpop (x86-fp.c, maintained by the lead): structural checks only, so the
 * test does not pin down the exact sequence; test-regalloc checks results.
 * Every byte decodes; the fast path has the right SSE/FMA3 instruction (not
 * for FMA kinds without FMA3); the slow path saves and restores every
 * call-clobbered register around the helper call with rsp 16-aligned,
 * then reloads xmm0 with the result and jumps back to the fast path's end.
 */
static void test_op_fpop(void)
{
    static const char *const sse[] = { "add", "sub", "mul", "div", "sqrt" };
    static const char *const fmaop[] = { "vfmadd213", "vfmsub213", "vfnmadd213", "vfnmsub213" };
    static const int regs[][5] = { /* out, a, b, c, scratch */
        { 3, 12, 13, 14, 15 }, { 0, 1, 2, 6, 7 }, { 8, 0, 9, 10, 11 },
    };
    static const TcgHelperInfo h = { (void *)(BASE_RX + 0x3000), "h", TCG_CALL_NO_RWG, 4,
                                     true, true };
    static const char *const saved[] = { "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
                                         "r11" };
    for (unsigned feat = 0; feat <= X86_FEAT_ALL; feat += X86_FEAT_ALL) {
        gen_reset(feat);
        for (int kind = 0; kind < FPOP_NB_KINDS; kind++) {
            bool single = tcg_fpop_is_single((TcgFpopKind)kind);
            int base = single ? kind - FPOP_ADD_S : kind;
            int n = tcg_fpop_nb_inputs((TcgFpopKind)kind);
            for (size_t ri = 0; ri < G_N_ELEMENTS(regs); ri++) {
                OpIn in = { .a = { (TcgArg)regs[ri][0] } };
                for (int i = 0; i < n; i++) {
                    in.a[1 + i] = (TcgArg)regs[ri][1 + i];
                }
                in.a[1 + n] = (TcgArg)kind;
                in.a[2 + n] = (TcgArg)&h;
                in.scratch[0] = (int8_t)regs[ri][4];
                in.scratch[1] = in.scratch[2] = -1;
                emit_one(INDEX_op_fpop, TCG_I64, 1, n, 2, &in);
                size_t fast_end = gen.a.pos;
                x86_fp_finish(&gen); /* the out-of-line slow path */
                char *text = disasm_text();
                const char *what = fmt("fpop kind %d regs %zu feat %#x", kind, ri, feat);
                check_true(text != NULL, what, text);
                if (text) {
                    const char *sfx = single ? "ss" : "sd";
                    const char *insn = base >= FPOP_FMADD_D
                                           ? fmt("%s%s xmm", fmaop[base - FPOP_FMADD_D], sfx)
                                       : base == FPOP_SQRT_D ? fmt("sqrt%s xmm", sfx)
                                                             : fmt("%s%s xmm", sse[base], sfx);
                    bool fast = base < FPOP_FMADD_D || (feat & X86_FEAT_FMA);
                    check_true((strstr(text, insn) != NULL) == fast, what, text);
                    check_true(strstr(text, fmt("call 0x%lx", BASE_RX + 0x3000)) != NULL, what,
                               text);
                    /* saves in order, restores in reverse, 8 bytes of padding */
                    const char *pushes = "", *pops = "";
                    for (int i = 0; i < 9; i++) {
                        pushes = cat(pushes, fmt("push %s", saved[i]));
                        pops = cat(pops, fmt("pop %s", saved[8 - i]));
                    }
                    check_true(strstr(text, cat(pushes, "sub rsp, 8")) != NULL, what, text);
                    check_true(strstr(text, cat("add rsp, 8", pops)) != NULL, what, text);
                    if (fast) {
                        /* slow path: the result's mirror (xmm2) = out again, then back */
                        const char *back = fmt("%s xmm2, %s", single ? "movd" : "movq",
                                               single ? r32[regs[ri][0]]
                                                      : r64[regs[ri][0]]);
                        check_true(strstr(text, cat(back, fmt("jmp 0x%lx",
                                                              BASE_RX + fast_end))) != NULL,
                                   what, text);
                    }
                    g_free(text);
                }
                gen_reset(feat);
            }
        }
    }
}

#define T(name, fn) \
    static void name(void) { fn(); check_failures(); }
T(t_op_arith, test_op_arith)
T(t_op_muldiv, test_op_muldiv)
T(t_op_shifts, test_op_shifts)
T(t_op_bits, test_op_bits)
T(t_op_unary, test_op_unary)
T(t_op_compare, test_op_compare)
T(t_op_memory, test_op_memory)
T(t_op_memops, test_op_memops)
T(t_op_control, test_op_control)
T(t_op_fpop, test_op_fpop)

void x86_encode_add_op_tests(void)
{
    ctx = g_new0(TcgContext, 1);
    tcg_context_init(ctx);
    g_test_add_func("/x86-encode/op-arith", t_op_arith);
    g_test_add_func("/x86-encode/op-muldiv", t_op_muldiv);
    g_test_add_func("/x86-encode/op-shifts", t_op_shifts);
    g_test_add_func("/x86-encode/op-bits", t_op_bits);
    g_test_add_func("/x86-encode/op-unary", t_op_unary);
    g_test_add_func("/x86-encode/op-compare", t_op_compare);
    g_test_add_func("/x86-encode/op-memory", t_op_memory);
    g_test_add_func("/x86-encode/op-memops", t_op_memops);
    g_test_add_func("/x86-encode/op-control", t_op_control);
    g_test_add_func("/x86-encode/op-fpop", t_op_fpop);
}
