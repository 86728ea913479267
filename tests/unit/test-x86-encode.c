/*
 * Every encoding the x86-64 back end can produce, checked against capstone.
 * This file: the encoder forms over every register (REX.R/X/B and
 * byte-register REX cases), every base/index quirk (rsp/r12 need a SIB
 * byte, rbp/r13 need a displacement), every displacement and immediate
 * size class; plus the shared text builders and main().
 * test-x86-encode-ops.c: every IR op lowered with concrete registers
 * (output equal to an input, distinct, extended registers, immediate and
 * memory forms) in both the all-features and baseline variants.
 *
 * The expected text is written out independently of the encoder (in
 * capstone 4's Intel syntax).
 */
#include <glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rove/tcg.h"
#include "tcg/x86_64/x86-gen.h"
#include "tests/unit/test-x86-encode.h"

csh cs;
uint8_t code[4096];
int nfail, ncheck;


const char *const r64[] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
const char *const r32[] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
};
const char *const r16[] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
};
const char *const r8n[] = {
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
};
const char *const ccn[] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};

const char *rn(TcgType t, int r)
{
    return t == TCG_I64 ? r64[r] : r32[r];
}

const char *rsz(MemOp size, int r)
{
    switch (size) {
    case MO_8: return r8n[r];
    case MO_16: return r16[r];
    case MO_32: return r32[r];
    default: return r64[r];
    }
}

const char *kw(MemOp size)
{
    static const char *const k[] = { "byte", "word", "dword", "qword" };
    return k[size];
}

/* ---- text builders (a ring of static buffers) ---- */

char *sbuf(void)
{
    static char ring[64][SBUF_LEN];
    static int k;
    k = (k + 1) % 64;
    return ring[k];
}

const char *fmt(const char *f, ...)
{
    char *s = sbuf();
    va_list ap;
    va_start(ap, f);
    vsnprintf(s, SBUF_LEN, f, ap);
    va_end(ap);
    return s;
}

/* Capstone's immediates: decimal up to 9, else hex; negatives signed. */
const char *imm_s(int64_t v)
{
    if (v >= 0) {
        return v > 9 ? fmt("0x%llx", (unsigned long long)v) : fmt("%lld", (long long)v);
    }
    if ((uint64_t)v == 0x8000000000000000ull) {
        return "0x8000000000000000";
    }
    return v < -9 ? fmt("-0x%llx", (unsigned long long)-v) : fmt("-%lld", (long long)-v);
}

/* Immediate of an ALU op: imm8 forms print signed, imm32 forms of 32-bit
 * (and narrower) ops print as unsigned in the operand size. */
const char *imm_alu(TcgType t, int64_t v)
{
    if (v == (int8_t)v || t == TCG_I64) {
        return imm_s(v);
    }
    return imm_s((uint32_t)v);
}

/* ...except that logical ops print their immediate unsigned in the
 * operand size. */
const char *imm_op(const char *mn, TcgType t, int64_t v)
{
    if (!strcmp(mn, "and") || !strcmp(mn, "or") || !strcmp(mn, "xor")) {
        uint64_t u = t == TCG_I64 ? (uint64_t)v : (uint32_t)v;
        return u > 9 ? fmt("0x%llx", (unsigned long long)u) : fmt("%llu", (unsigned long long)u);
    }
    return imm_alu(t, v);
}

const char *imm_sized(MemOp size, int64_t v)
{
    if (size == MO_64) {
        return imm_s(v);
    }
    uint64_t m = size == MO_8 ? 0xff : size == MO_16 ? 0xffff : 0xffffffffu;
    return imm_s((int64_t)((uint64_t)v & m));
}

const char *addr(int base, int index, int shift, int32_t disp)
{
    char *s = sbuf();
    int n = snprintf(s, SBUF_LEN, "[");
    if (base >= 0) {
        n += snprintf(s + n, SBUF_LEN - n, "%s", r64[base]);
    }
    if (index >= 0) {
        n += snprintf(s + n, SBUF_LEN - n, "%s%s", base >= 0 ? " + " : "", r64[index]);
        if (shift) {
            n += snprintf(s + n, SBUF_LEN - n, "*%d", 1 << shift);
        }
    }
    if (base < 0 && index < 0) {
        n += snprintf(s + n, SBUF_LEN - n, "%s", imm_s(disp));
    } else if (disp > 0) {
        n += snprintf(s + n, SBUF_LEN - n, " + %s", imm_s(disp));
    } else if (disp < 0) {
        n += snprintf(s + n, SBUF_LEN - n, " - %s", imm_s(-(int64_t)disp));
    }
    snprintf(s + n, SBUF_LEN - n, "]");
    return s;
}

const char *mem(MemOp size, int base, int index, int shift, int32_t disp)
{
    return fmt("%s ptr %s", kw(size), addr(base, index, shift, disp));
}

const char *cat(const char *a, const char *b)
{
    if (!*a) {
        return b;
    }
    if (!*b) {
        return a;
    }
    return fmt("%s; %s", a, b);
}

/* ---- checking ---- */

void asm_reset(X86Asm *a, unsigned features)
{
    memset(code, 0xcc, sizeof(code));
    a->rw = code;
    a->rx = BASE_RX;
    a->pos = 0;
    a->size = sizeof(code);
    a->features = features;
}

void expect_bytes(const uint8_t *p, size_t len, uintptr_t rx, const char *want,
                         const char *what)
{
    cs_insn *insn;
    size_t n = cs_disasm(cs, p, len, rx, 0, &insn);
    char got[2048] = "";
    size_t used = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
        char one[256];
        if (insn[i].op_str[0]) {
            snprintf(one, sizeof(one), "%s %s", insn[i].mnemonic, insn[i].op_str);
        } else {
            snprintf(one, sizeof(one), "%s", insn[i].mnemonic);
        }
        at += snprintf(got + at, sizeof(got) - at, "%s%s", i ? "; " : "", one);
        used += insn[i].size;
    }
    cs_free(insn, n);
    ncheck++;
    if (used != len || strcmp(got, want) != 0) {
        if (nfail++ < (g_getenv("NFAIL") ? atoi(g_getenv("NFAIL")) : 40)) {
            g_printerr("MISMATCH %s\n  want: %s\n  got:  %s%s\n  bytes:", what, want, got,
                       used != len ? " (undecoded bytes)" : "");
            for (size_t i = 0; i < len; i++) {
                g_printerr(" %02x", p[i]);
            }
            g_printerr("\n");
        }
    }
}

void expect(X86Asm *a, const char *want, const char *what)
{
    g_assert(!x86_overflowed(a));
    expect_bytes(code, a->pos, a->rx, want, what);
    asm_reset(a, a->features);
}

const int32_t disps[] = {
    0, 1, -1, 8, 0x7f, 0x80, -0x80, -0x81, 0x1234, 0x12345678, -0x12345678,
};

/* ------------------------------------------------------------------ */
/* encoder forms */

static void test_moves(void)
{
    X86Asm a;
    asm_reset(&a, 0);
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        for (int d = 0; d < 16; d++) {
            for (int s = 0; s < 16; s++) {
                x86_mov_rr(&a, (TcgType)t, d, s);
                expect(&a, fmt("mov %s, %s", rn(t, d), rn(t, s)), "mov_rr");
            }
        }
    }
    static const int64_t vals[] = {
        0, 1, 9, 10, 0x7fffffff, 0x80000000ll, 0xffffffffll, -1, -0x80000000ll,
        -0x80000001ll, 0x100000000ll, 0x123456789abcdef0ll, INT64_MIN,
    };
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        for (int d = 0; d < 16; d++) {
            for (size_t k = 0; k < G_N_ELEMENTS(vals); k++) {
                int64_t v = t == TCG_I32 ? (int64_t)(uint32_t)vals[k] : vals[k];
                const char *w;
                if (v == 0) {
                    w = fmt("xor %s, %s", r32[d], r32[d]);
                } else if ((uint64_t)v <= 0xffffffffu) {
                    w = fmt("mov %s, %s", r32[d], imm_s(v));
                } else if (v == (int32_t)v) {
                    w = fmt("mov %s, %s", r64[d], imm_s(v));
                } else {
                    w = fmt("movabs %s, 0x%llx", r64[d], (unsigned long long)v);
                }
                x86_movi(&a, (TcgType)t, d, vals[k]);
                expect(&a, w, "movi");
            }
            /* A value near the code (which is high up here): lea rip-relative. */
            a.rx = 0x7f0000000000ul;
            x86_movi(&a, (TcgType)t, d, (int64_t)(a.rx + 0x12345678));
            expect_bytes(code, a.pos, a.rx,
                         t == TCG_I64 ? fmt("lea %s, [rip + 0x12345671]", r64[d])
                                      : fmt("mov %s, 0x12345678", r32[d]), "movi rip");
            asm_reset(&a, 0);
        }
    }
    for (int r1 = 0; r1 < 16; r1++) {
        for (int r2 = 0; r2 < 16; r2++) {
            x86_xchg(&a, r1, r2);
            expect(&a, fmt("xchg %s, %s", r64[r2], r64[r1]), "xchg");
        }
    }
}

static void test_memory(void)
{
    X86Asm a;
    asm_reset(&a, X86_FEAT_ALL);
    static const MemOp lmops[] = { MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_SL, MO_UQ };
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        for (size_t m = 0; m < G_N_ELEMENTS(lmops); m++) {
            MemOp mop = lmops[m], size = mop & MO_SIZE;
            if (t == TCG_I32 && size == MO_64) {
                continue;
            }
            for (int d = 0; d < 16; d++) {
                for (int b = 0; b < 16; b++) {
                    for (size_t k = 0; k < G_N_ELEMENTS(disps); k++) {
                        const char *op = mem(size, b, -1, 0, disps[k]);
                        const char *w;
                        if (size == MO_8 || size == MO_16) {
                            w = fmt("%s %s, %s", (mop & MO_SIGN) ? "movsx" : "movzx",
                                    (mop & MO_SIGN) ? rn(t, d) : r32[d], op);
                        } else if (size == MO_32 && (mop & MO_SIGN) && t == TCG_I64) {
                            w = fmt("movsxd %s, %s", r64[d], op);
                        } else {
                            w = fmt("mov %s, %s", rsz(size, d), op);
                        }
                        x86_load(&a, (TcgType)t, mop, d, b, -1, disps[k]);
                        expect(&a, w, "load");
                    }
                }
            }
        }
    }
    /* SIB forms: every base (or none) x every index x every scale. */
    for (int b = -1; b < 16; b++) {
        for (int x = -1; x < 16; x++) {
            if (x == X86_RSP) {
                continue;
            }
            for (int sh = 0; sh < 4; sh++) {
                if (x < 0 && sh) {
                    continue;
                }
                for (size_t k = 0; k < G_N_ELEMENTS(disps); k++) {
                    int d = (b + x + sh + 16) & 15;
                    if (b < 0 && x < 0 && disps[k] < 0) {
                        continue; /* capstone prints these as unsigned addresses */
                    }
                    x86_lea(&a, TCG_I64, d, b, x, sh, disps[k]);
                    expect(&a, fmt("lea %s, %s", r64[d], addr(b, x, sh, disps[k])), "lea");
                    x86_lea(&a, TCG_I32, d, b, x, sh, disps[k]);
                    expect(&a, fmt("lea %s, %s", r32[d], addr(b, x, sh, disps[k])), "lea32");
                    if (sh == 0) {
                        x86_load(&a, TCG_I64, MO_64, d, b, x, disps[k]);
                        expect(&a, fmt("mov %s, %s", r64[d], mem(MO_64, b, x, 0, disps[k])),
                               "load sib");
                    }
                }
            }
        }
    }
    for (int size = MO_8; size <= MO_64; size++) {
        for (int s = 0; s < 16; s++) {
            for (int b = 0; b < 16; b++) {
                for (size_t k = 0; k < G_N_ELEMENTS(disps); k += 2) {
                    x86_store(&a, (MemOp)size, s, b, -1, disps[k]);
                    expect(&a, fmt("mov %s, %s", mem(size, b, -1, 0, disps[k]), rsz(size, s)),
                           "store");
                    if (size != MO_8) {
                        x86_movbe_store(&a, (MemOp)size, s, b, -1, disps[k]);
                        expect(&a, fmt("movbe %s, %s", mem(size, b, -1, 0, disps[k]),
                                       rsz(size, s)), "movbe store");
                        x86_movbe_load(&a, (MemOp)size, s, b, -1, disps[k]);
                        expect(&a, fmt("movbe %s, %s", rsz(size, s),
                                       mem(size, b, -1, 0, disps[k])), "movbe load");
                    }
                }
                x86_store(&a, (MemOp)size, s, b, s == X86_RSP ? -1 : s, 8);
                expect(&a, fmt("mov %s, %s", mem(size, b, s == X86_RSP ? -1 : s, 0, 8),
                               rsz(size, s)), "store sib");
            }
        }
    }
    static const int64_t ivals[] = { 0, 5, -1, 0x7f, 0x80, 0x7fff, -0x8000, 0x12345678,
                                     -0x80000000ll, 0x123456789ll, -0x123456789ll };
    for (int size = MO_8; size <= MO_64; size++) {
        for (int b = 0; b < 16; b++) {
            for (size_t k = 0; k < G_N_ELEMENTS(ivals); k++) {
                int64_t v = ivals[k];
                const char *w;
                if (size == MO_64 && v != (int32_t)v) {
                    w = cat(fmt("mov %s, %s", mem(MO_32, b, -1, 0, 16), imm_sized(MO_32, v)),
                            fmt("mov %s, %s", mem(MO_32, b, -1, 0, 20),
                                imm_sized(MO_32, v >> 32)));
                } else {
                    w = fmt("mov %s, %s", mem(size, b, -1, 0, 16), imm_sized(size, v));
                }
                x86_store_imm(&a, (MemOp)size, v, b, -1, 16);
                expect(&a, w, "store imm");
            }
        }
    }
    /* Absolute and RIP-relative operands. */
    x86_load(&a, TCG_I64, MO_64, 3, -1, -1, 0x1234);
    expect(&a, "mov rbx, qword ptr [0x1234]", "abs");
    x86_op_modrm_rip(&a, X86_OPC_MOVL_GvEv | X86_P_W, X86_R15, BASE_RX - 0x40, 0);
    expect(&a, "mov r15, qword ptr [rip - 0x47]", "rip");
}

static const char *const alu_names[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };

static void test_alu(void)
{
    X86Asm a;
    asm_reset(&a, X86_FEAT_ALL);
    static const int32_t imms[] = { 0, 1, -1, 9, 10, 0x7f, -0x80, 0x80, -0x81, 0x12345678,
                                    INT32_MIN, INT32_MAX, (int32_t)0xffff0000 };
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        for (int op = 0; op < 8; op++) {
            for (int d = 0; d < 16; d++) {
                for (int s = 0; s < 16; s++) {
                    x86_alu_rr(&a, (X86Alu)op, (TcgType)t, d, s);
                    expect(&a, fmt("%s %s, %s", alu_names[op], rn(t, d), rn(t, s)), "alu_rr");
                }
                for (size_t k = 0; k < G_N_ELEMENTS(imms); k++) {
                    x86_alu_ri(&a, (X86Alu)op, (TcgType)t, d, imms[k]);
                    expect(&a, fmt("%s %s, %s", alu_names[op], rn(t, d),
                                   imm_op(alu_names[op], (TcgType)t, imms[k])), "alu_ri");
                }
            }
        }
        static const char *const g3[] = { "test", NULL, "not", "neg", "mul", "imul", "div",
                                          "idiv" };
        for (int r = 0; r < 16; r++) {
            for (int op = 2; op < 8; op++) {
                x86_grp3(&a, (X86Grp3)op, (TcgType)t, r);
                expect(&a, fmt("%s %s", g3[op], rn(t, r)), "grp3");
            }
            for (int s = 0; s < 16; s++) {
                x86_test_rr(&a, (TcgType)t, r, s);
                expect(&a, fmt("test %s, %s", rn(t, r), rn(t, s)), "test");
                x86_imul_rr(&a, (TcgType)t, r, s);
                expect(&a, fmt("imul %s, %s", rn(t, r), rn(t, s)), "imul");
                for (size_t k = 0; k < G_N_ELEMENTS(imms); k += 3) {
                    x86_imul_rri(&a, (TcgType)t, r, s, imms[k]);
                    expect(&a, fmt("imul %s, %s, %s", rn(t, r), rn(t, s),
                                   imm_alu((TcgType)t, imms[k])), "imul3");
                }
            }
            x86_bswap(&a, (TcgType)t, r);
            expect(&a, fmt("bswap %s", rn(t, r)), "bswap");
        }
        x86_cqo(&a, (TcgType)t);
        expect(&a, t == TCG_I64 ? "cqo" : "cdq", "cqo");
    }
}

static void test_shifts_bits(void)
{
    X86Asm a;
    asm_reset(&a, X86_FEAT_ALL);
    static const struct {
        X86Shift k;
        const char *n;
    } sh[] = {
        { X86_SHIFT_ROL, "rol" }, { X86_SHIFT_ROR, "ror" }, { X86_SHIFT_SHL, "shl" },
        { X86_SHIFT_SHR, "shr" }, { X86_SHIFT_SAR, "sar" },
    };
    for (int t = TCG_I32; t <= TCG_I64; t++) {
        for (size_t i = 0; i < G_N_ELEMENTS(sh); i++) {
            for (int r = 0; r < 16; r++) {
                for (int n = 1; n < (t == TCG_I64 ? 64 : 32); n += 5) {
                    x86_shift_ri(&a, sh[i].k, (TcgType)t, r, n);
                    expect(&a, fmt("%s %s, %s", sh[i].n, rn(t, r), imm_s(n)), "shift_ri");
                }
                x86_shift_ri(&a, sh[i].k, (TcgType)t, r, 0);
                expect(&a, "", "shift 0");
                x86_shift_cl(&a, sh[i].k, (TcgType)t, r);
                expect(&a, fmt("%s %s, cl", sh[i].n, rn(t, r)), "shift_cl");
                if (i >= 2) {
                    for (int s = 0; s < 16; s++) {
                        int c = (r * 7 + s) & 15;
                        x86_shiftx(&a, sh[i].k, (TcgType)t, r, s, c);
                        expect(&a, fmt("%sx %s, %s, %s", sh[i].n, rn(t, r), rn(t, s), rn(t, c)),
                               "shiftx");
                    }
                }
            }
        }
        for (int r = 0; r < 16; r++) {
            for (int s = 0; s < 16; s++) {
                x86_rorx(&a, (TcgType)t, r, s, 13);
                expect(&a, fmt("rorx %s, %s, 0xd", rn(t, r), rn(t, s)), "rorx");
                int v = (r + 5 * s) & 15;
                x86_andn(&a, (TcgType)t, r, s, v);
                expect(&a, fmt("andn %s, %s, %s", rn(t, r), rn(t, s), rn(t, v)), "andn");
                static const struct {
                    int opc;
                    const char *n;
                } bo[] = {
                    { X86_OPC_BSF, "bsf" }, { X86_OPC_BSR, "bsr" }, { X86_OPC_LZCNT, "lzcnt" },
                    { X86_OPC_TZCNT, "tzcnt" }, { X86_OPC_POPCNT, "popcnt" },
                };
                for (size_t k = 0; k < G_N_ELEMENTS(bo); k++) {
                    x86_bitop(&a, bo[k].opc, (TcgType)t, r, s);
                    expect(&a, fmt("%s %s, %s", bo[k].n, rn(t, r), rn(t, s)), "bitop");
                }
                for (int cc = 0; cc < 16; cc++) {
                    x86_cmov(&a, (X86Cond)cc, (TcgType)t, r, s);
                    expect(&a, fmt("cmov%s %s, %s", ccn[cc], rn(t, r), rn(t, s)), "cmov");
                }
                x86_movsx(&a, (TcgType)t, MO_8, r, s);
                expect(&a, fmt("movsx %s, %s", rn(t, r), r8n[s]), "movsx8");
                x86_movsx(&a, (TcgType)t, MO_16, r, s);
                expect(&a, fmt("movsx %s, %s", rn(t, r), r16[s]), "movsx16");
            }
        }
    }
    for (int r = 0; r < 16; r++) {
        for (int s = 0; s < 16; s++) {
            x86_movzx(&a, MO_8, r, s);
            expect(&a, fmt("movzx %s, %s", r32[r], r8n[s]), "movzx8");
            x86_movzx(&a, MO_16, r, s);
            expect(&a, fmt("movzx %s, %s", r32[r], r16[s]), "movzx16");
            x86_movsx(&a, TCG_I64, MO_32, r, s);
            expect(&a, fmt("movsxd %s, %s", r64[r], r32[s]), "movsxd");
        }
        for (int cc = 0; cc < 16; cc++) {
            x86_setcc(&a, (X86Cond)cc, r);
            expect(&a, fmt("set%s %s", ccn[cc], r8n[r]), "setcc");
        }
        x86_rol16_8(&a, r);
        expect(&a, fmt("rol %s, 8", r16[r]), "rol16");
    }
}

static void test_control(void)
{
    X86Asm a;
    asm_reset(&a, 0);
    for (int cc = 0; cc < 16; cc++) {
        x86_jcc_to(&a, (X86Cond)cc, BASE_RX + 0x40);
        expect(&a, fmt("j%s 0x%lx", ccn[cc], BASE_RX + 0x40), "jcc short");
        x86_jcc_to(&a, (X86Cond)cc, BASE_RX - 0x1000);
        expect(&a, fmt("j%s 0x%lx", ccn[cc], BASE_RX - 0x1000), "jcc long");
        size_t at = x86_jcc32(&a, (X86Cond)cc);
        g_assert_cmpuint(at, ==, 2);
        expect(&a, fmt("j%s 0x%lx", ccn[cc], BASE_RX + 6), "jcc32");
    }
    x86_jmp_to(&a, BASE_RX + 0x7f);
    expect(&a, fmt("jmp 0x%lx", BASE_RX + 0x7f), "jmp short");
    x86_jmp_to(&a, BASE_RX + 0x100000);
    expect(&a, fmt("jmp 0x%lx", BASE_RX + 0x100000), "jmp long");
    x86_jmp32(&a);
    expect(&a, fmt("jmp 0x%lx", BASE_RX + 5), "jmp32");
    x86_call_to(&a, BASE_RX + 0x1234);
    expect(&a, fmt("call 0x%lx", BASE_RX + 0x1234), "call near");
    x86_call_to(&a, 0x7f0012345678ul);
    expect(&a, "movabs rax, 0x7f0012345678; call rax", "call far");
    for (int r = 0; r < 16; r++) {
        x86_jmp_reg(&a, r);
        expect(&a, fmt("jmp %s", r64[r]), "jmp reg");
        x86_call_reg(&a, r);
        expect(&a, fmt("call %s", r64[r]), "call reg");
        x86_push(&a, r);
        expect(&a, fmt("push %s", r64[r]), "push");
        x86_pop(&a, r);
        expect(&a, fmt("pop %s", r64[r]), "pop");
    }
    x86_ret(&a);
    x86_mfence(&a);
    x86_ud2(&a);
    expect(&a, "ret; mfence; ud2", "misc");
    for (unsigned n = 1; n <= 20; n++) {
        x86_nops(&a, n);
        /* Every byte decodes as part of a nop. */
        cs_insn *insn;
        size_t cnt = cs_disasm(cs, code, a.pos, a.rx, 0, &insn);
        size_t used = 0;
        for (size_t i = 0; i < cnt; i++) {
            g_assert_cmpstr(insn[i].mnemonic, ==, "nop");
            used += insn[i].size;
        }
        cs_free(insn, cnt);
        g_assert_cmpuint(used, ==, n);
        g_assert_cmpuint(cnt, ==, (n + 8) / 9);
        asm_reset(&a, 0);
    }
    for (unsigned al = 0; al < 16; al++) {
        a.pos = al;
        x86_align(&a, 16, 3);
        g_assert_cmpuint((a.rx + a.pos) % 16, ==, 3);
        asm_reset(&a, 0);
    }
}

/* The features switch parses as documented. */
static void test_features(void)
{
    g_assert_cmpuint(x86_parse_features("baseline", X86_FEAT_ALL), ==, 0);
    g_assert_cmpuint(x86_parse_features(NULL, X86_FEAT_ALL), ==, X86_FEAT_ALL);
    g_assert_cmpuint(x86_parse_features("bmi1,popcnt", X86_FEAT_ALL), ==,
                     X86_FEAT_BMI1 | X86_FEAT_POPCNT);
    g_assert_cmpuint(x86_parse_features("bmi2,movbe", X86_FEAT_BMI2), ==, X86_FEAT_BMI2);
}

void check_failures(void)
{
    if (nfail) {
        g_error("%d of %d encodings differ", nfail, ncheck);
    }
}

#define T(name, fn) \
    static void name(void) { fn(); check_failures(); }
T(t_moves, test_moves)
T(t_memory, test_memory)
T(t_alu, test_alu)
T(t_shifts, test_shifts_bits)
T(t_control, test_control)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK);
    g_test_add_func("/x86-encode/features", test_features);
    g_test_add_func("/x86-encode/moves", t_moves);
    g_test_add_func("/x86-encode/memory", t_memory);
    g_test_add_func("/x86-encode/alu", t_alu);
    g_test_add_func("/x86-encode/shifts-bits", t_shifts);
    g_test_add_func("/x86-encode/control", t_control);
    x86_encode_add_op_tests();
    int rc = g_test_run();
    printf("# %d encodings checked\n", ncheck);
    cs_close(&cs);
    return rc;
}
