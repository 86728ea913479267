/*
 * Every encoding the x86-64 back end can produce, checked against capstone:
 * each encoder form over every register (REX.R/X/B and byte-register REX
 * cases), every base/index quirk (rsp/r12 need a SIB byte, rbp/r13 need a
 * displacement), every displacement and immediate size class, and then
 * every IR op lowered with concrete registers (output equal to an input,
 * distinct, extended registers, immediate forms) in both the all-features
 * and baseline variants.
 *
 * The expected text is written out independently of the encoder (in
 * capstone 4's Intel syntax).
 */
#include <capstone/capstone.h>
#include <glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rove/tcg.h"
#include "tcg/x86_64/x86-gen.h"

static csh cs;
static uint8_t code[4096];
static int nfail, ncheck;

#define BASE_RX 0x100000ul
#define LIMIT_RX (BASE_RX + 0x2000)

static const char *const r64[] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const r32[] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
};
static const char *const r16[] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
};
static const char *const r8n[] = {
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
};
static const char *const ccn[] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};

static const char *rn(TcgType t, int r)
{
    return t == TCG_I64 ? r64[r] : r32[r];
}

static const char *rsz(MemOp size, int r)
{
    switch (size) {
    case MO_8: return r8n[r];
    case MO_16: return r16[r];
    case MO_32: return r32[r];
    default: return r64[r];
    }
}

static const char *kw(MemOp size)
{
    static const char *const k[] = { "byte", "word", "dword", "qword" };
    return k[size];
}

/* ---- text builders (a ring of static buffers) ---- */

static char *sbuf(void)
{
    static char ring[64][512];
    static int k;
    k = (k + 1) % 64;
    return ring[k];
}

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
    char *s = sbuf();
    va_list ap;
    va_start(ap, f);
    vsnprintf(s, 512, f, ap);
    va_end(ap);
    return s;
}

/* Capstone's immediates: decimal up to 9, else hex; negatives signed. */
static const char *imm_s(int64_t v)
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
static const char *imm_alu(TcgType t, int64_t v)
{
    if (v == (int8_t)v || t == TCG_I64) {
        return imm_s(v);
    }
    return imm_s((uint32_t)v);
}

/* ...except that logical ops print their immediate unsigned in the
 * operand size. */
static const char *imm_op(const char *mn, TcgType t, int64_t v)
{
    if (!strcmp(mn, "and") || !strcmp(mn, "or") || !strcmp(mn, "xor")) {
        uint64_t u = t == TCG_I64 ? (uint64_t)v : (uint32_t)v;
        return u > 9 ? fmt("0x%llx", (unsigned long long)u) : fmt("%llu", (unsigned long long)u);
    }
    return imm_alu(t, v);
}

static const char *imm_sized(MemOp size, int64_t v)
{
    if (size == MO_64) {
        return imm_s(v);
    }
    uint64_t m = size == MO_8 ? 0xff : size == MO_16 ? 0xffff : 0xffffffffu;
    return imm_s((int64_t)((uint64_t)v & m));
}

static const char *addr(int base, int index, int shift, int32_t disp)
{
    char *s = sbuf();
    int n = snprintf(s, 512, "[");
    if (base >= 0) {
        n += snprintf(s + n, 512 - n, "%s", r64[base]);
    }
    if (index >= 0) {
        n += snprintf(s + n, 512 - n, "%s%s", base >= 0 ? " + " : "", r64[index]);
        if (shift) {
            n += snprintf(s + n, 512 - n, "*%d", 1 << shift);
        }
    }
    if (base < 0 && index < 0) {
        n += snprintf(s + n, 512 - n, "%s", imm_s(disp));
    } else if (disp > 0) {
        n += snprintf(s + n, 512 - n, " + %s", imm_s(disp));
    } else if (disp < 0) {
        n += snprintf(s + n, 512 - n, " - %s", imm_s(-(int64_t)disp));
    }
    snprintf(s + n, 512 - n, "]");
    return s;
}

static const char *mem(MemOp size, int base, int index, int shift, int32_t disp)
{
    return fmt("%s ptr %s", kw(size), addr(base, index, shift, disp));
}

static const char *cat(const char *a, const char *b)
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

static void asm_reset(X86Asm *a, unsigned features)
{
    memset(code, 0xcc, sizeof(code));
    a->rw = code;
    a->rx = BASE_RX;
    a->pos = 0;
    a->size = sizeof(code);
    a->features = features;
}

static void expect_bytes(const uint8_t *p, size_t len, uintptr_t rx, const char *want,
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

static void expect(X86Asm *a, const char *want, const char *what)
{
    g_assert(!x86_overflowed(a));
    expect_bytes(code, a->pos, a->rx, want, what);
    asm_reset(a, a->features);
}

static const int32_t disps[] = {
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
            c->guest_base = model == 0 ? 0x7f0000000000ul : model == 1 ? 0x10000 : 0;
            c->guest_addr_bits = model == 0 ? 40 : 64;
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
                                           : mem(size, -1, -1, 0, (int32_t)(c->guest_base + ca));
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
    c->guest_base = 0;
    c->guest_addr_bits = 0;
    gen_reset(X86_FEAT_ALL);
}

/* The fault stub emitted after the body, and the control ops. */
static void test_op_control(void)
{
    TcgContext *c = ctx;
    c->guest_base = 0x7f0000000000ul;
    c->guest_addr_bits = 40;
    c->mem_fault_func = (void (*)(void *, uint64_t, uint32_t, uintptr_t))(BASE_RX + 0x800);
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
    c->guest_base = 0;
    c->guest_addr_bits = 0;
    c->mem_fault_func = NULL;

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

/* The features switch parses as documented. */
static void test_features(void)
{
    g_assert_cmpuint(x86_parse_features("baseline", X86_FEAT_ALL), ==, 0);
    g_assert_cmpuint(x86_parse_features(NULL, X86_FEAT_ALL), ==, X86_FEAT_ALL);
    g_assert_cmpuint(x86_parse_features("bmi1,popcnt", X86_FEAT_ALL), ==,
                     X86_FEAT_BMI1 | X86_FEAT_POPCNT);
    g_assert_cmpuint(x86_parse_features("bmi2,movbe", X86_FEAT_BMI2), ==, X86_FEAT_BMI2);
}

static void check_failures(void)
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
T(t_op_arith, test_op_arith)
T(t_op_muldiv, test_op_muldiv)
T(t_op_shifts, test_op_shifts)
T(t_op_bits, test_op_bits)
T(t_op_unary, test_op_unary)
T(t_op_compare, test_op_compare)
T(t_op_memory, test_op_memory)
T(t_op_control, test_op_control)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK);
    ctx = g_new0(TcgContext, 1);
    tcg_context_init(ctx);
    g_test_add_func("/x86-encode/features", test_features);
    g_test_add_func("/x86-encode/moves", t_moves);
    g_test_add_func("/x86-encode/memory", t_memory);
    g_test_add_func("/x86-encode/alu", t_alu);
    g_test_add_func("/x86-encode/shifts-bits", t_shifts);
    g_test_add_func("/x86-encode/control", t_control);
    g_test_add_func("/x86-encode/op-arith", t_op_arith);
    g_test_add_func("/x86-encode/op-muldiv", t_op_muldiv);
    g_test_add_func("/x86-encode/op-shifts", t_op_shifts);
    g_test_add_func("/x86-encode/op-bits", t_op_bits);
    g_test_add_func("/x86-encode/op-unary", t_op_unary);
    g_test_add_func("/x86-encode/op-compare", t_op_compare);
    g_test_add_func("/x86-encode/op-memory", t_op_memory);
    g_test_add_func("/x86-encode/op-control", t_op_control);
    int rc = g_test_run();
    printf("# %d encodings checked\n", ncheck);
    cs_close(&cs);
    return rc;
}
