/* fmv.x.w/fmv.w.x/fmv.x.d/fmv.d.x, flw/fsw/fld/fsd bit transparency,
 * NaN-boxing of single-precision values and canonical NaN results. */
#include "rvtest.h"

#define CANON_S 0xffffffff7fc00000ull
#define CANON_D 0x7ff8000000000000ull

static inline unsigned rdflags(void)
{
    unsigned v;
    __asm__ volatile("csrr %0, fflags" : "=r"(v));
    return v;
}
static inline void clrflags(void)
{
    __asm__ volatile("csrw fflags, zero");
}

/* Apply a single-operand op to a raw 64-bit f register image. */
#define F1(insn, x) ({ uint64_t _r; \
    __asm__ volatile("fmv.d.x ft0, %1\n\t" insn " ft1, ft0\n\tfmv.x.d %0, ft1" \
                     : "=r"(_r) : "r"((uint64_t)(x)) : "ft0", "ft1"); _r; })
#define F2(insn, x, y) ({ uint64_t _r; \
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " ft2, ft0, ft1\n\t" \
                     "fmv.x.d %0, ft2" : "=r"(_r) : "r"((uint64_t)(x)), "r"((uint64_t)(y)) \
                     : "ft0", "ft1", "ft2"); _r; })
#define X1(insn, x) ({ uint64_t _r; \
    __asm__ volatile("fmv.d.x ft0, %1\n\t" insn " %0, ft0" \
                     : "=r"(_r) : "r"((uint64_t)(x)) : "ft0"); _r; })
#define X2(insn, x, y) ({ uint64_t _r; \
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " %0, ft0, ft1" \
                     : "=r"(_r) : "r"((uint64_t)(x)), "r"((uint64_t)(y)) : "ft0", "ft1"); _r; })

int main(void)
{
    uint64_t r;
    volatile uint64_t mem64[2];
    volatile uint32_t mem32[2];

    /* fmv.w.x boxes, fmv.x.w sign-extends the low 32 bits (no box check) */
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r)
                     : "r"(0xdeadbeef3f800000ull) : "ft0");
    CHECK("fmv.w.x boxes low 32 bits", r, 0xffffffff3f800000ull);
    CHECK("fmv.x.w non-boxed (sext low word)", X1("fmv.x.w", 0x12345678bf800000ull),
          0xffffffffbf800000ull);
    CHECK("fmv.x.w positive", X1("fmv.x.w", 0xffffffff40490fdbull), 0x40490fdbull);
    CHECK("fmv.x.d/fmv.d.x keep sNaN bits", X1("fmv.x.d", 0x7ff0000000000001ull),
          0x7ff0000000000001ull);

    /* loads/stores are bit-transparent */
    mem32[0] = 0x7f800001; /* sNaN */
    __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(r)
                     : "r"(mem32) : "ft0", "memory");
    CHECK("flw sNaN boxed, unchanged", r, 0xffffffff7f800001ull);
    __asm__ volatile("fmv.d.x ft0, %0\n\tfsw ft0, 4(%1)" : : "r"(0xabcdef0112345678ull),
                     "r"(mem32) : "ft0", "memory");
    CHECK("fsw of non-boxed stores low word", mem32[1], 0x12345678);
    mem64[0] = 0xfff0000000000abcull;
    __asm__ volatile("fld ft0, 0(%1)\n\tfsd ft0, 8(%1)\n\tfmv.x.d %0, ft0" : "=r"(r)
                     : "r"(mem64) : "ft0", "memory");
    CHECK("fld/fsd -sNaN payload round trip", mem64[1], 0xfff0000000000abcull);

    /* non-boxed single inputs read as the canonical NaN (quiet: no NV) */
    clrflags();
    CHECK("fadd.s non-boxed -> canonical NaN", F2("fadd.s", 0x000000003f800000ull,
          0xffffffff3f800000ull), CANON_S);
    CHECK("  fflags", rdflags(), 0);
    clrflags();
    CHECK("fadd.s boxed sNaN -> canonical NaN", F2("fadd.s", 0xffffffff7f800001ull,
          0xffffffff3f800000ull), CANON_S);
    CHECK("  fflags NV", rdflags(), 0x10);
    clrflags();
    CHECK("fmul.d qNaN payload -> canonical", F2("fmul.d", 0xfff8000000012345ull,
          0x3ff0000000000000ull), CANON_D);
    CHECK("  fflags", rdflags(), 0);
    CHECK("fsgnj.s (fmv.s) non-boxed", F2("fsgnj.s", 0x3f800000ull, 0x3f800000ull), CANON_S);
    CHECK("fsgnjn.s non-boxed", F2("fsgnjn.s", 0x3f800000ull, 0x3f800000ull),
          0xffffffffffc00000ull);
    CHECK("fsgnj.s boxed keeps payload", F2("fsgnj.s", 0xffffffff7f800123ull,
          0xffffffffbf800000ull), 0xffffffffff800123ull);
    CHECK("fsgnjx.d keeps NaN payload", F2("fsgnjx.d", 0x7ff0000000000777ull,
          0x8000000000000000ull), 0xfff0000000000777ull);
    CHECK("fclass.s non-boxed = qNaN", X1("fclass.s", 0x00000000ff800001ull), 0x200);
    CHECK("fclass.s boxed sNaN", X1("fclass.s", 0xffffffffff800001ull), 0x100);
    clrflags();
    CHECK("feq.s non-boxed", X2("feq.s", 0x12ull, 0x12ull), 0);
    CHECK("  fflags (quiet)", rdflags(), 0);
    clrflags();
    CHECK("flt.s non-boxed", X2("flt.s", 0x12ull, 0xffffffff3f800000ull), 0);
    CHECK("  fflags NV (signalling)", rdflags(), 0x10);
    clrflags();
    CHECK("fcvt.d.s non-boxed", F1("fcvt.d.s", 0x3f800000ull), CANON_D);
    CHECK("  fflags", rdflags(), 0);
    CHECK("fcvt.s.d boxes result", F1("fcvt.s.d", 0x3ff0000000000000ull),
          0xffffffff3f800000ull);
    CHECK("fmin.s non-boxed vs 2.0", F2("fmin.s", 0x3f800000ull, 0xffffffff40000000ull),
          0xffffffff40000000ull);
    CHECK("fmax.s both non-boxed", F2("fmax.s", 1, 2), CANON_S);
    CHECK("fsqrt.s(-1) canonical", F1("fsqrt.s", 0xffffffffbf800000ull), CANON_S);
    CHECK("fsqrt.d(-inf) canonical", F1("fsqrt.d", 0xfff0000000000000ull), CANON_D);
    CHECK("fcvt.s.d of -qNaN payload", F1("fcvt.s.d", 0xfff8000000000001ull), CANON_S);
    CHECK("fcvt.w.s non-boxed = INT_MAX", X1("fcvt.w.s", 0xbf800000ull), 0x7fffffffull);
    /* double ops ignore the upper/lower split entirely */
    CHECK("fadd.d on boxed single bits", F2("fadd.d", 0xffffffff3f800000ull, 0),
          CANON_D);
    return rvt_done("fp_nanbox");
}
