/*
 * RISC-V F/D run-time helpers: RISC-V's exact results, canonical NaNs and
 * fflags, computed on the host FPU.
 *
 * Each operation runs one SSE (or FMA3) instruction.  IEEE 754 fixes the
 * value of every correctly rounded operation, and x86 SSE agrees with
 * RISC-V on everything that is left to the implementation except NaNs:
 *  - tininess is detected after rounding on both, and a masked underflow
 *    sets UE only when the result is also inexact, which is RISC-V's UF;
 *  - IE/ZE/OE/UE/PE map one to one onto NV/DZ/OF/UF/NX (DE is ignored,
 *    DAZ/FTZ stay off);
 *  - x86 returns the first NaN operand (quieted) or its negative default
 *    NaN; RISC-V always returns the canonical NaN, so a NaN result is
 *    replaced, which is cheap because it only needs a test of the result;
 *  - x86 FMA raises no IE for 0 * inf + qNaN, RISC-V raises NV: fixed up on
 *    the (rare) NaN-result path.
 *
 * Two ways to run it (details at HOST_RUN and fast_ok):
 *  - fast: RNE and NX already accrued in fflags and an ordinary result (a
 *    normal number strictly inside the range; some exact zeros): no other
 *    flag is possible and NX is already set, so the operation runs with no
 *    MXCSR access at all.  This is nearly every operation of a program;
 *  - general: load MXCSR with the mode and clear flags, compute, read the
 *    flags, load the host default back -- all in one asm statement so the
 *    compiler cannot move floating-point work across the switch.  Reading
 *    MXCSR (STMXCSR) is slow on some hosts, hence the fast path.
 *
 * RMM (ties away from zero) has no x86 mode.  It goes to the exact
 * software path below (fpu_soft_*: unpack, exact 128-bit integer
 * arithmetic with a sticky bit, one rounding in round_pack), which also
 * implements fused multiply-add on hosts without FMA3.  Square root never
 * needs it: a square root is never exactly half-way between two floats
 * (the square of a midpoint has more significant bits than the format)
 * and is never subnormal, so RMM and RNE give the same result and flags.
 *
 * Conversions to integer, min/max, compares and fclass are plain integer C
 * code: RISC-V's saturation rules have nothing in common with x86's
 * "integer indefinite".  See docs/fpu.md.
 */
#include <string.h>

#include "target/riscv/fpu_helper.h"

/* FPU_PORTABLE forces the <fenv.h> fallback (used to test it on x86). */
#if defined(__x86_64__) && !defined(FPU_PORTABLE)
#define FPU_HOST_X86 1
#else
#define FPU_HOST_X86 0
#include <fenv.h>
#include <math.h>
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

typedef unsigned __int128 u128;

enum { FPC_ZERO, FPC_FINITE, FPC_INF, FPC_QNAN, FPC_SNAN };

static inline double u2d(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}
static inline uint64_t d2u(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}
static inline float u2f(uint32_t v)
{
    float f;
    memcpy(&f, &v, 4);
    return f;
}
static inline uint32_t f2u(float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    return v;
}

/* A single operand: the low half of a properly NaN-boxed register, else
 * the canonical NaN. */
static inline uint32_t unbox_s(uint64_t r)
{
    return likely((r >> 32) == 0xffffffffu) ? (uint32_t)r : FPU_QNAN_S;
}

static inline bool is_nan_s(uint32_t v)
{
    return (v & 0x7fffffffu) > 0x7f800000u;
}
static inline bool is_nan_d(uint64_t v)
{
    return (v & ~(1ull << 63)) > 0x7ff0000000000000ull;
}
static inline bool is_snan_s(uint32_t v)
{
    return is_nan_s(v) && !(v & 0x00400000u);
}
static inline bool is_snan_d(uint64_t v)
{
    return is_nan_d(v) && !(v & 0x0008000000000000ull);
}
static inline bool is_inf_s(uint32_t v)
{
    return (v & 0x7fffffffu) == 0x7f800000u;
}
static inline bool is_inf_d(uint64_t v)
{
    return (v & ~(1ull << 63)) == 0x7ff0000000000000ull;
}
static inline bool is_zero_s(uint32_t v)
{
    return (v & 0x7fffffffu) == 0;
}
static inline bool is_zero_d(uint64_t v)
{
    return (v & ~(1ull << 63)) == 0;
}

static inline unsigned fpu_rm(void *env, uint64_t rm)
{
    /* frm was validated by helper_fpu_check_frm earlier in the TB. */
    return rm == RV_RM_DYN ? ((RiscvCpu *)env)->frm & 7 : (unsigned)rm;
}

static inline void fpu_raise(void *env, uint32_t fl)
{
    if (fl) {
        ((RiscvCpu *)env)->fflags |= fl;
    }
}

/* ================= host fast path ================= */

static bool host_fma;

#if FPU_HOST_X86

/*
 * MXCSR for RNE, RTZ, RDN, RUP: all exceptions masked, flags clear; RC is
 * bits 13-14 (0 nearest, 1 down, 2 up, 3 toward zero).  5..7 never reach
 * here (RMM is handled in software, reserved modes are rejected).
 *
 * Invariant: outside these asm statements MXCSR holds MX_HOST (the Linux
 * default: RNE, everything masked, no DAZ/FTZ; its sticky flags are
 * ignored).  The emulator never changes it elsewhere, so an RNE operation
 * that needs no flags runs with no MXCSR access at all, and the others
 * load their mode and put MX_HOST back instead of saving the old value
 * (STMXCSR is slow on some hosts: ~35 cycles on AMD Zen).
 */
#define MX_HOST 0x1f80u
static const uint32_t rm_mxcsr[8] = {
    0x1f80, 0x7f80, 0x3f80, 0x5f80, 0x1f80, 0x1f80, 0x1f80, 0x1f80,
};
static const uint32_t mx_host = MX_HOST;

/* MXCSR flags IE DE ZE OE UE PE (bits 0..5) -> NV DZ OF UF NX; DE has no
 * RISC-V counterpart. */
#define MX2RV(m) ((((m) & 1) << 4) | (((m) & 4) << 1) | (((m) & 8) >> 1) |   \
                  (((m) & 16) >> 3) | (((m) & 32) >> 5))
#define X4(M, b) M(b), M(b + 1), M(b + 2), M(b + 3)
#define X16(M, b) X4(M, b), X4(M, b + 4), X4(M, b + 8), X4(M, b + 12)
static const uint8_t mx2rv[64] = { X16(MX2RV, 0), X16(MX2RV, 16), X16(MX2RV, 32),
                                   X16(MX2RV, 48) };

#define UNPAREN(...) __VA_ARGS__

/*
 * Run `insn` (asm text) under rounding mode rm.  With fl != NULL, MXCSR is
 * loaded with clear flags and the RISC-V flags the insn raised are stored
 * to *fl; with fl == NULL the flags are not wanted (see FAST_PATH) and RNE
 * needs no MXCSR switch.  One asm statement each, so the compiler cannot
 * move the arithmetic across the mode switch.
 */
#define HOST_RUN(rm, fl, insn, outs, ins)                                     \
    do {                                                                      \
        uint32_t mx_ = rm_mxcsr[(rm) & 7];                                    \
        if (fl) {                                                             \
            uint32_t f_;                                                      \
            __asm__ volatile("ldmxcsr %[mx]\n\t" insn "\n\t"                  \
                             "stmxcsr %[f]\n\tldmxcsr %[host]"                \
                             : UNPAREN outs, [f] "=m"(f_)                     \
                             : UNPAREN ins, [mx] "m"(mx_), [host] "m"(mx_host)); \
            *(fl) = mx2rv[f_ & 0x3f];                                         \
        } else if ((rm) == RV_RM_RNE) {                                       \
            __asm__ volatile(insn : UNPAREN outs : UNPAREN ins);              \
        } else {                                                              \
            __asm__ volatile("ldmxcsr %[mx]\n\t" insn "\n\tldmxcsr %[host]"   \
                             : UNPAREN outs                                   \
                             : UNPAREN ins, [mx] "m"(mx_), [host] "m"(mx_host)); \
        }                                                                     \
    } while (0)

/* x = x OP y */
#define HOST_BINOP(fn, T, insn)                                               \
    static inline T fn(T x, T y, unsigned rm, uint32_t *fl)                   \
    {                                                                         \
        HOST_RUN(rm, fl, insn " %[y], %[x]", ([x] "+x"(x)), ([y] "x"(y)));    \
        return x;                                                             \
    }
HOST_BINOP(host_add_s, float, "addss")
HOST_BINOP(host_sub_s, float, "subss")
HOST_BINOP(host_mul_s, float, "mulss")
HOST_BINOP(host_div_s, float, "divss")
HOST_BINOP(host_add_d, double, "addsd")
HOST_BINOP(host_sub_d, double, "subsd")
HOST_BINOP(host_mul_d, double, "mulsd")
HOST_BINOP(host_div_d, double, "divsd")

#define HOST_UNOP(fn, TI, TO, insn, cons)                                     \
    static inline TO fn(TI x, unsigned rm, uint32_t *fl)                      \
    {                                                                         \
        TO y;                                                                 \
        HOST_RUN(rm, fl, insn " %[x], %[y]", ([y] "=x"(y)), ([x] cons(x)));   \
        return y;                                                             \
    }
HOST_UNOP(host_sqrt_s, float, float, "sqrtss", "x")
HOST_UNOP(host_sqrt_d, double, double, "sqrtsd", "x")
HOST_UNOP(host_d_to_s, double, float, "cvtsd2ss", "x")
HOST_UNOP(host_i32_to_s, int32_t, float, "cvtsi2ssl", "r")
HOST_UNOP(host_i64_to_s, int64_t, float, "cvtsi2ssq", "r")
HOST_UNOP(host_i64_to_d, int64_t, double, "cvtsi2sdq", "r")

/* Unsigned 64-bit -> float with the top bit set: convert (v >> 1) with the
 * lost bit kept as a sticky bit, then double the (exactly) rounded value.
 * The sticky bit sits far below the rounding point, so the rounding and
 * the inexact flag are those of the full value; doubling is exact. */
#define HOST_U64_HIGH(fn, T, cvt, add)                                        \
    static inline T fn(uint64_t v, unsigned rm, uint32_t *fl)                 \
    {                                                                         \
        int64_t h = (int64_t)((v >> 1) | (v & 1));                            \
        T y;                                                                  \
        HOST_RUN(rm, fl, cvt " %[h], %[y]\n\t" add " %[y], %[y]",             \
                 ([y] "=&x"(y)), ([h] "r"(h)));                               \
        return y;                                                             \
    }
HOST_U64_HIGH(host_u64h_to_s, float, "cvtsi2ssq", "addss")
HOST_U64_HIGH(host_u64h_to_d, double, "cvtsi2sdq", "addsd")

/* c = a * b + c, one rounding (FMA3, VEX encoded). */
#define HOST_FMA(fn, T, insn)                                                 \
    static inline T fn(T a, T b, T c, unsigned rm, uint32_t *fl)              \
    {                                                                         \
        HOST_RUN(rm, fl, insn " %[b], %[a], %[c]", ([c] "+x"(c)),             \
                 ([a] "x"(a), [b] "x"(b)));                                   \
        return c;                                                             \
    }
HOST_FMA(host_fma_s, float, "vfmadd231ss")
HOST_FMA(host_fma_d, double, "vfmadd231sd")

__attribute__((constructor)) static void fpu_host_init(void)
{
    __builtin_cpu_init();
    host_fma = __builtin_cpu_supports("fma");
}

#else /* !FPU_HOST_X86: portable fallback through <fenv.h> */

/*
 * Only the interpreter back end runs on such hosts.  Results are correctly
 * rounded, but the host decides when tininess is detected (AArch64 detects
 * it before rounding), so UF may differ from RISC-V in rare cases.
 */
static const int rm_fenv[8] = {
    FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD,
    FE_TONEAREST, FE_TONEAREST, FE_TONEAREST, FE_TONEAREST,
};

static uint32_t fenv_flags(void)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    return (e & FE_INVALID ? RV_FFLAG_NV : 0) | (e & FE_DIVBYZERO ? RV_FFLAG_DZ : 0) |
           (e & FE_OVERFLOW ? RV_FFLAG_OF : 0) | (e & FE_UNDERFLOW ? RV_FFLAG_UF : 0) |
           (e & FE_INEXACT ? RV_FFLAG_NX : 0);
}

/* `expr` over volatile vx, vy so it is evaluated under the new mode. */
#define FENV_RUN(TI, TO, expr)                                                \
    do {                                                                      \
        volatile TI vx = x, vy = y;                                           \
        volatile TO r;                                                        \
        (void)vy;                                                             \
        fesetround(rm_fenv[rm & 7]);                                          \
        feclearexcept(FE_ALL_EXCEPT);                                         \
        r = (expr);                                                           \
        if (fl) {                                                             \
            *fl = fenv_flags();                                               \
        }                                                                     \
        fesetround(FE_TONEAREST);                                             \
        return r;                                                             \
    } while (0)

#define FENV_BINOP(fn, T, expr)                                               \
    static T fn(T x, T y, unsigned rm, uint32_t *fl)                          \
    {                                                                         \
        FENV_RUN(T, T, expr);                                                 \
    }
#define FENV_UNOP(fn, TI, TO, expr)                                           \
    static TO fn(TI x, unsigned rm, uint32_t *fl)                             \
    {                                                                         \
        TI y = 0;                                                             \
        FENV_RUN(TI, TO, expr);                                               \
    }
FENV_BINOP(host_add_s, float, vx + vy)
FENV_BINOP(host_sub_s, float, vx - vy)
FENV_BINOP(host_mul_s, float, vx * vy)
FENV_BINOP(host_div_s, float, vx / vy)
FENV_BINOP(host_add_d, double, vx + vy)
FENV_BINOP(host_sub_d, double, vx - vy)
FENV_BINOP(host_mul_d, double, vx * vy)
FENV_BINOP(host_div_d, double, vx / vy)
FENV_UNOP(host_sqrt_s, float, float, sqrtf(vx))
FENV_UNOP(host_sqrt_d, double, double, sqrt(vx))
FENV_UNOP(host_d_to_s, double, float, (float)vx)
FENV_UNOP(host_i32_to_s, int32_t, float, (float)vx)
FENV_UNOP(host_i64_to_s, int64_t, float, (float)vx)
FENV_UNOP(host_i64_to_d, int64_t, double, (double)vx)
FENV_UNOP(host_u64h_to_s, uint64_t, float, (float)vx)
FENV_UNOP(host_u64h_to_d, uint64_t, double, (double)vx)

/* Never called: host_fma stays false and the software FMA is used. */
static inline float host_fma_s(float a, float b, float c, unsigned rm, uint32_t *fl)
{
    (void)a, (void)b, (void)c, (void)rm, (void)fl;
    return 0;
}
static inline double host_fma_d(double a, double b, double c, unsigned rm, uint32_t *fl)
{
    (void)a, (void)b, (void)c, (void)rm, (void)fl;
    return 0;
}

#endif

bool fpu_host_has_fma(void)
{
    return host_fma;
}

bool fpu_set_host_fma(bool on)
{
    bool old = host_fma;

#if FPU_HOST_X86
    host_fma = on && __builtin_cpu_supports("fma");
#else
    host_fma = false;
#endif
    return old;
}

/* ================= exact software path ================= */

typedef struct FpParts {
    int cls;      /* FPC_* */
    bool sign;
    int32_t exp;  /* FPC_FINITE: value = sig * 2^(exp - 63) */
    uint64_t sig; /* FPC_FINITE: normalised, bit 63 set */
} FpParts;

static inline int fmt_fb(bool dbl)
{
    return dbl ? 52 : 23;
}
static inline int fmt_bias(bool dbl)
{
    return dbl ? 1023 : 127;
}
static inline uint64_t fmt_sign(bool dbl)
{
    return dbl ? 1ull << 63 : 1ull << 31;
}
static inline uint64_t fmt_inf(bool dbl)
{
    return dbl ? 0x7ff0000000000000ull : 0x7f800000u;
}
static inline uint64_t fmt_qnan(bool dbl)
{
    return dbl ? FPU_QNAN_D : FPU_QNAN_S;
}

static FpParts unpack(uint64_t bits, bool dbl)
{
    int fb = fmt_fb(dbl), bias = fmt_bias(dbl);
    uint64_t frac = bits & ((1ull << fb) - 1);
    uint32_t emask = dbl ? 0x7ff : 0xff;
    uint32_t be = (uint32_t)(bits >> fb) & emask;
    FpParts p = { .sign = (bits & fmt_sign(dbl)) != 0 };

    if (be == emask) {
        if (frac == 0) {
            p.cls = FPC_INF;
        } else {
            p.cls = (frac >> (fb - 1)) & 1 ? FPC_QNAN : FPC_SNAN;
        }
    } else if (be == 0) {
        if (frac == 0) {
            p.cls = FPC_ZERO;
        } else {
            int s = __builtin_clzll(frac);
            p.cls = FPC_FINITE;
            p.sig = frac << s;
            p.exp = (1 - bias) - fb + (63 - s);
        }
    } else {
        p.cls = FPC_FINITE;
        p.sig = (frac | (1ull << fb)) << (63 - fb);
        p.exp = (int32_t)be - bias;
    }
    return p;
}

/*
 * Drop the low `d` bits of sig (d >= 0, any size), rounding the rest per
 * rm for a value of the given sign.  *inexact tells whether bits were lost.
 */
static uint64_t round_shift(uint64_t sig, int d, bool sign, unsigned rm, bool *inexact)
{
    uint64_t kept, rem, half;
    bool inc;

    if (d <= 0) {
        *inexact = false;
        return sig;
    }
    if (d > 64) {
        /* Everything is below the half point (sig < 2^64 <= half). */
        kept = 0;
        rem = sig != 0;
        half = 2;
    } else if (d == 64) {
        kept = 0;
        rem = sig;
        half = 1ull << 63;
    } else {
        kept = sig >> d;
        rem = sig & ((1ull << d) - 1);
        half = 1ull << (d - 1);
    }
    *inexact = rem != 0;
    switch (rm) {
    case RV_RM_RNE:
        inc = rem > half || (rem == half && (kept & 1));
        break;
    case RV_RM_RMM:
        inc = rem >= half;
        break;
    case RV_RM_RDN:
        inc = sign && rem;
        break;
    case RV_RM_RUP:
        inc = !sign && rem;
        break;
    default: /* RTZ */
        inc = false;
        break;
    }
    return kept + inc;
}

/*
 * Round sign * sig * 2^(exp - 63) (sig != 0, bit 63 set) to the format and
 * encode it, raising NX/UF/OF like RISC-V (tininess after rounding).
 */
static uint64_t round_pack(bool sign, int32_t exp, uint64_t sig, bool dbl, unsigned rm,
                           uint32_t *fl)
{
    int fb = fmt_fb(dbl), p = fb + 1, bias = fmt_bias(dbl);
    int32_t emin = 1 - bias, emax = bias;
    uint64_t s = sign ? fmt_sign(dbl) : 0;
    bool inexact, tiny;
    uint64_t m = round_shift(sig, 64 - p, sign, rm, &inexact);
    int32_t e = exp;

    if (m >> p) { /* rounded up to the next power of two */
        m >>= 1;
        e++;
    }
    if (e > emax) {
        bool to_inf = rm == RV_RM_RNE || rm == RV_RM_RMM || (rm == RV_RM_RDN && sign) ||
                      (rm == RV_RM_RUP && !sign);
        *fl |= RV_FFLAG_OF | RV_FFLAG_NX;
        return s | (to_inf ? fmt_inf(dbl) : fmt_inf(dbl) - 1);
    }
    if (exp >= emin) {
        if (inexact) {
            *fl |= RV_FFLAG_NX;
        }
        return s | ((uint64_t)(e + bias) << fb) | (m & ((1ull << fb) - 1));
    }
    /* Subnormal range: tiny if even the unbounded-exponent result is. */
    tiny = e < emin;
    m = round_shift(sig, 64 - p + (emin - exp), sign, rm, &inexact);
    if (inexact) {
        *fl |= RV_FFLAG_NX | (tiny ? RV_FFLAG_UF : 0);
    }
    /* A carry into bit fb yields the smallest normal's encoding. */
    return s | m;
}

static inline u128 shr_jam128(u128 v, int n)
{
    if (n <= 0) {
        return v;
    }
    if (n >= 128) {
        return v != 0;
    }
    return (v >> n) | ((v << (128 - n)) != 0);
}

static inline int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

/* Round sign * v * 2^(e - 127) (v != 0). */
static uint64_t round_pack128(bool sign, int32_t e, u128 v, bool dbl, unsigned rm,
                              uint32_t *fl)
{
    int lz = clz128(v);
    uint64_t sig;

    v <<= lz;
    sig = (uint64_t)(v >> 64) | ((uint64_t)v != 0);
    return round_pack(sign, e - lz, sig, dbl, rm, fl);
}

static inline uint64_t signed_zero(bool sign, bool dbl)
{
    return sign ? fmt_sign(dbl) : 0;
}

/* NaN operands: canonical NaN, NV if any is signalling. */
static inline bool nan_in(const FpParts *x, const FpParts *y, uint32_t *fl)
{
    if (x->cls >= FPC_QNAN || y->cls >= FPC_QNAN) {
        if (x->cls == FPC_SNAN || y->cls == FPC_SNAN) {
            *fl |= RV_FFLAG_NV;
        }
        return true;
    }
    return false;
}

uint64_t fpu_soft_add(uint64_t a, uint64_t b, bool dbl, unsigned rm, uint32_t *fl)
{
    FpParts x = unpack(a, dbl), y = unpack(b, dbl);
    u128 big, small, sum;

    if (nan_in(&x, &y, fl)) {
        return fmt_qnan(dbl);
    }
    if (x.cls == FPC_INF || y.cls == FPC_INF) {
        if (x.cls == FPC_INF && y.cls == FPC_INF && x.sign != y.sign) {
            *fl |= RV_FFLAG_NV;
            return fmt_qnan(dbl);
        }
        return x.cls == FPC_INF ? a : b;
    }
    if (x.cls == FPC_ZERO && y.cls == FPC_ZERO) {
        return signed_zero(x.sign == y.sign ? x.sign : rm == RV_RM_RDN, dbl);
    }
    if (x.cls == FPC_ZERO) {
        return b;
    }
    if (y.cls == FPC_ZERO) {
        return a;
    }
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
        FpParts t = x;
        x = y;
        y = t;
    }
    /* Both at bit 125: two bits of headroom for the carry. */
    big = (u128)x.sig << 62;
    small = shr_jam128((u128)y.sig << 62, x.exp - y.exp);
    if (x.sign == y.sign) {
        sum = big + small;
    } else {
        sum = big - small;
        if (sum == 0) {
            return signed_zero(rm == RV_RM_RDN, dbl);
        }
    }
    return round_pack128(x.sign, x.exp + 2, sum, dbl, rm, fl);
}

uint64_t fpu_soft_mul(uint64_t a, uint64_t b, bool dbl, unsigned rm, uint32_t *fl)
{
    FpParts x = unpack(a, dbl), y = unpack(b, dbl);
    bool sign = x.sign ^ y.sign;

    if (nan_in(&x, &y, fl)) {
        return fmt_qnan(dbl);
    }
    if (x.cls == FPC_INF || y.cls == FPC_INF) {
        if (x.cls == FPC_ZERO || y.cls == FPC_ZERO) {
            *fl |= RV_FFLAG_NV;
            return fmt_qnan(dbl);
        }
        return (sign ? fmt_sign(dbl) : 0) | fmt_inf(dbl);
    }
    if (x.cls == FPC_ZERO || y.cls == FPC_ZERO) {
        return signed_zero(sign, dbl);
    }
    return round_pack128(sign, x.exp + y.exp + 1, (u128)x.sig * y.sig, dbl, rm, fl);
}

uint64_t fpu_soft_div(uint64_t a, uint64_t b, bool dbl, unsigned rm, uint32_t *fl)
{
    FpParts x = unpack(a, dbl), y = unpack(b, dbl);
    bool sign = x.sign ^ y.sign;
    u128 n;
    uint64_t q, r;

    if (nan_in(&x, &y, fl)) {
        return fmt_qnan(dbl);
    }
    if (x.cls == FPC_INF) {
        if (y.cls == FPC_INF) {
            *fl |= RV_FFLAG_NV;
            return fmt_qnan(dbl);
        }
        return (sign ? fmt_sign(dbl) : 0) | fmt_inf(dbl);
    }
    if (y.cls == FPC_INF) {
        return signed_zero(sign, dbl);
    }
    if (y.cls == FPC_ZERO) {
        if (x.cls == FPC_ZERO) {
            *fl |= RV_FFLAG_NV;
            return fmt_qnan(dbl);
        }
        *fl |= RV_FFLAG_DZ;
        return (sign ? fmt_sign(dbl) : 0) | fmt_inf(dbl);
    }
    if (x.cls == FPC_ZERO) {
        return signed_zero(sign, dbl);
    }
    /* x.sig / y.sig is in (1/2, 2): a quotient of 63..64 bits plus a
     * sticky bit for the remainder is plenty for one rounding. */
    n = (u128)x.sig << 63;
    q = (uint64_t)(n / y.sig);
    r = (uint64_t)(n % y.sig);
    return round_pack128(sign, x.exp - y.exp + 63, ((u128)q << 1) | (r != 0), dbl, rm, fl);
}

uint64_t fpu_soft_fma(uint64_t a, uint64_t b, uint64_t c, bool dbl, unsigned rm,
                      uint32_t *fl)
{
    FpParts x = unpack(a, dbl), y = unpack(b, dbl), z = unpack(c, dbl);
    bool ps = x.sign ^ y.sign;
    bool inf_times_zero = (x.cls == FPC_INF && y.cls == FPC_ZERO) ||
                          (x.cls == FPC_ZERO && y.cls == FPC_INF);
    u128 p, zz, sum;
    int32_t ep, ez, e;
    bool sign;

    if (x.cls >= FPC_QNAN || y.cls >= FPC_QNAN || z.cls >= FPC_QNAN) {
        /* RISC-V: inf * 0 is invalid even when the addend is a quiet NaN. */
        if (x.cls == FPC_SNAN || y.cls == FPC_SNAN || z.cls == FPC_SNAN || inf_times_zero) {
            *fl |= RV_FFLAG_NV;
        }
        return fmt_qnan(dbl);
    }
    if (inf_times_zero) {
        *fl |= RV_FFLAG_NV;
        return fmt_qnan(dbl);
    }
    if (x.cls == FPC_INF || y.cls == FPC_INF) {
        if (z.cls == FPC_INF && z.sign != ps) {
            *fl |= RV_FFLAG_NV;
            return fmt_qnan(dbl);
        }
        return (ps ? fmt_sign(dbl) : 0) | fmt_inf(dbl);
    }
    if (z.cls == FPC_INF) {
        return c;
    }
    if (x.cls == FPC_ZERO || y.cls == FPC_ZERO) {
        if (z.cls == FPC_ZERO) {
            return signed_zero(ps == z.sign ? ps : rm == RV_RM_RDN, dbl);
        }
        return c;
    }
    /* The exact product: value = p * 2^(ep - 127). */
    p = (u128)x.sig * y.sig;
    ep = x.exp + y.exp + 1;
    if (z.cls == FPC_ZERO) {
        return round_pack128(ps, ep, p, dbl, rm, fl);
    }
    /* Make headroom for the carry (the product's low 20+ bits are zero, so
     * this loses nothing), then align both to the larger exponent. */
    p = shr_jam128(p, 2);
    ep += 2;
    zz = (u128)z.sig << 62;
    ez = z.exp + 2;
    e = ep > ez ? ep : ez;
    p = shr_jam128(p, e - ep);
    zz = shr_jam128(zz, e - ez);
    if (ps == z.sign) {
        sum = p + zz;
        sign = ps;
    } else if (p > zz) {
        sum = p - zz;
        sign = ps;
    } else if (zz > p) {
        sum = zz - p;
        sign = z.sign;
    } else {
        return signed_zero(rm == RV_RM_RDN, dbl);
    }
    return round_pack128(sign, e, sum, dbl, rm, fl);
}

uint64_t fpu_soft_from_int(uint64_t v, bool is_signed, bool dbl, unsigned rm, uint32_t *fl)
{
    bool sign = is_signed && (int64_t)v < 0;
    uint64_t mag = sign ? -v : v;
    int lz;

    if (mag == 0) {
        return 0;
    }
    lz = __builtin_clzll(mag);
    return round_pack(sign, 63 - lz, mag << lz, dbl, rm, fl);
}

uint64_t fpu_soft_d_to_s(uint64_t a, unsigned rm, uint32_t *fl)
{
    FpParts x = unpack(a, true);

    switch (x.cls) {
    case FPC_SNAN:
        *fl |= RV_FFLAG_NV;
        /* fall through */
    case FPC_QNAN:
        return FPU_QNAN_S;
    case FPC_INF:
        return (x.sign ? fmt_sign(false) : 0) | fmt_inf(false);
    case FPC_ZERO:
        return signed_zero(x.sign, false);
    default:
        return round_pack(x.sign, x.exp, x.sig, false, rm, fl);
    }
}

/* ================= helpers: arithmetic ================= */

void helper_fpu_check_frm(void *env, uint64_t serial)
{
    RiscvCpu *cpu = env;

    (void)serial;
    if (cpu->frm > RV_RM_RMM) {
        cpu->parent.exception_index = EXCP_ILLEGAL;
        cpu_loop_exit(&cpu->parent);
    }
}

/*
 * The fast path.  An operation whose result is finite, normal and strictly
 * between the smallest normal and the largest finite magnitude can raise
 * no flag but NX: NV gives a NaN, DZ an infinity, OF an infinity or the
 * largest finite, and UF a result of at most the smallest normal (which a
 * tiny exact value can round up to).  Once NX has accrued in fflags, which
 * it does with the first inexact operation of nearly every program, such
 * an operation needs no flags at all and runs without touching MXCSR (RNE)
 * or with just the mode switch.  Anything else is computed again with
 * flags (HOST_RUN with fl != NULL), which also covers programs that clear
 * fflags.  Recomputing is cheaper than reading MXCSR every time.
 */
static inline bool nx_accrued(void *env)
{
    return ((RiscvCpu *)env)->fflags & RV_FFLAG_NX;
}
static inline bool plain_s(uint32_t v)
{
    return (v & 0x7fffffffu) - 0x00800001u < 0x7f7fffffu - 0x00800001u;
}
static inline bool plain_d(uint64_t v)
{
    return (v & ~(1ull << 63)) - 0x0010000000000001ull <
           0x7fefffffffffffffull - 0x0010000000000001ull;
}

/* Slow-path ending: canonical NaN, flags into fflags. */
static inline uint64_t finish_s(void *env, uint32_t v, uint32_t fl)
{
    if (unlikely(is_nan_s(v))) {
        v = FPU_QNAN_S;
    }
    fpu_raise(env, fl);
    return v | FPU_BOX;
}

static inline uint64_t finish_d(void *env, uint64_t v, uint32_t fl)
{
    if (unlikely(is_nan_d(v))) {
        v = FPU_QNAN_D;
    }
    fpu_raise(env, fl);
    return v;
}

/* return fn(args..., flags pointer) the fast way when possible */
#define HOST_S(env, fn, ...)                                                  \
    do {                                                                      \
        uint32_t fl_ = 0, v_;                                                 \
        if (likely(nx_accrued(env))) {                                        \
            v_ = f2u(fn(__VA_ARGS__, NULL));                                  \
            if (likely(plain_s(v_))) {                                        \
                return v_ | FPU_BOX;                                          \
            }                                                                 \
        }                                                                     \
        v_ = f2u(fn(__VA_ARGS__, &fl_));                                      \
        return finish_s(env, v_, fl_);                                        \
    } while (0)

#define HOST_D(env, fn, ...)                                                  \
    do {                                                                      \
        uint32_t fl_ = 0;                                                     \
        uint64_t v_;                                                          \
        if (likely(nx_accrued(env))) {                                        \
            v_ = d2u(fn(__VA_ARGS__, NULL));                                  \
            if (likely(plain_d(v_))) {                                        \
                return v_;                                                    \
            }                                                                 \
        }                                                                     \
        v_ = d2u(fn(__VA_ARGS__, &fl_));                                      \
        return finish_d(env, v_, fl_);                                        \
    } while (0)

static inline uint64_t soft_done(void *env, uint64_t v, uint32_t fl, bool dbl)
{
    fpu_raise(env, fl);
    return dbl ? v : v | FPU_BOX;
}

/*
 * Each arithmetic helper is a small leaf function for the common case (RNE
 * with NX accrued, a plain result: see above), which needs no stack frame,
 * and a tail call to the general version (*_slow) for everything else.
 */
static inline bool fast_ok(void *env, uint64_t rm)
{
    RiscvCpu *cpu = env;
    unsigned r = rm == RV_RM_DYN ? cpu->frm : (unsigned)rm;

    return FPU_HOST_X86 && r == RV_RM_RNE && (cpu->fflags & RV_FFLAG_NX);
}

/*
 * A zero result needs no flag either when it is exact: always for add/sub
 * (a sum that rounds to zero is zero: subnormal sums are exact), and for
 * mul/div when an operand is a zero (magnitudes shifted out of the sign).
 */
#define ZERO_OK_ADD(ma, mb) true
#define ZERO_OK_MUL(ma, mb) ((ma) == 0 || (mb) == 0)
#define ZERO_OK_DIV(ma, mb) ((ma) == 0)

/* `neg_b` turns the software add into a subtract (b's sign flipped; a NaN
 * stays a NaN of the same kind). */
#define FPU_ARITH(op, hostop, softcall, neg_b, cop, zero_ok)                  \
    static __attribute__((noinline)) uint64_t                                 \
    op##_s_slow(void *env, uint64_t a, uint64_t b, uint64_t rm)               \
    {                                                                         \
        uint32_t x = unbox_s(a), y = unbox_s(b), fl = 0;                      \
        unsigned r = fpu_rm(env, rm);                                         \
        uint64_t v;                                                           \
        if (likely(r != RV_RM_RMM)) {                                         \
            HOST_S(env, host_##hostop##_s, u2f(x), u2f(y), r);                \
        }                                                                     \
        v = softcall(x, y ^ ((neg_b) ? 1u << 31 : 0), false, r, &fl);         \
        return soft_done(env, v, fl, false);                                  \
    }                                                                         \
    uint64_t helper_##op##_s(void *env, uint64_t a, uint64_t b, uint64_t rm)  \
    {                                                                         \
        if (likely(fast_ok(env, rm) && (a >> 32) == 0xffffffffu &&            \
                   (b >> 32) == 0xffffffffu)) {                               \
            uint32_t v = f2u(u2f((uint32_t)a) cop u2f((uint32_t)b));          \
            if (likely(plain_s(v) || (!(v << 1) && zero_ok((uint32_t)a << 1,  \
                                                          (uint32_t)b << 1)))) { \
                return v | FPU_BOX;                                           \
            }                                                                 \
        }                                                                     \
        return op##_s_slow(env, a, b, rm);                                    \
    }                                                                         \
    static __attribute__((noinline)) uint64_t                                 \
    op##_d_slow(void *env, uint64_t a, uint64_t b, uint64_t rm)               \
    {                                                                         \
        uint32_t fl = 0;                                                      \
        unsigned r = fpu_rm(env, rm);                                         \
        uint64_t v;                                                           \
        if (likely(r != RV_RM_RMM)) {                                         \
            HOST_D(env, host_##hostop##_d, u2d(a), u2d(b), r);                \
        }                                                                     \
        v = softcall(a, b ^ ((neg_b) ? 1ull << 63 : 0), true, r, &fl);        \
        return soft_done(env, v, fl, true);                                   \
    }                                                                         \
    uint64_t helper_##op##_d(void *env, uint64_t a, uint64_t b, uint64_t rm)  \
    {                                                                         \
        if (likely(fast_ok(env, rm))) {                                       \
            uint64_t v = d2u(u2d(a) cop u2d(b));                              \
            if (likely(plain_d(v) || (!(v << 1) && zero_ok(a << 1, b << 1)))) { \
                return v;                                                     \
            }                                                                 \
        }                                                                     \
        return op##_d_slow(env, a, b, rm);                                    \
    }
FPU_ARITH(fadd, add, fpu_soft_add, false, +, ZERO_OK_ADD)
FPU_ARITH(fsub, sub, fpu_soft_add, true, -, ZERO_OK_ADD)
FPU_ARITH(fmul, mul, fpu_soft_mul, false, *, ZERO_OK_MUL)
FPU_ARITH(fdiv, div, fpu_soft_div, false, /, ZERO_OK_DIV)

/* RMM square roots are computed as RNE: they can never tie (see top). */
static __attribute__((noinline)) uint64_t fsqrt_s_slow(void *env, uint64_t a, uint64_t rm)
{
    unsigned r = fpu_rm(env, rm);

    HOST_S(env, host_sqrt_s, u2f(unbox_s(a)), r == RV_RM_RMM ? RV_RM_RNE : r);
}

uint64_t helper_fsqrt_s(void *env, uint64_t a, uint64_t rm)
{
    if (likely(fast_ok(env, rm) && (a >> 32) == 0xffffffffu)) {
        uint32_t v = f2u(host_sqrt_s(u2f((uint32_t)a), RV_RM_RNE, NULL));
        if (likely(plain_s(v))) {
            return v | FPU_BOX;
        }
    }
    return fsqrt_s_slow(env, a, rm);
}

static __attribute__((noinline)) uint64_t fsqrt_d_slow(void *env, uint64_t a, uint64_t rm)
{
    unsigned r = fpu_rm(env, rm);

    HOST_D(env, host_sqrt_d, u2d(a), r == RV_RM_RMM ? RV_RM_RNE : r);
}

uint64_t helper_fsqrt_d(void *env, uint64_t a, uint64_t rm)
{
    if (likely(fast_ok(env, rm))) {
        uint64_t v = d2u(host_sqrt_d(u2d(a), RV_RM_RNE, NULL));
        if (likely(plain_d(v))) {
            return v;
        }
    }
    return fsqrt_d_slow(env, a, rm);
}

/*
 * Fused multiply-add family as sign flips of a * b + c: fmsub negates c,
 * fnmsub negates a (the product), fnmadd both.  Negation is exact and
 * keeps NaNs NaNs, and the NaN result is canonical anyway.  x86 raises no
 * IE for inf * 0 + qNaN, RISC-V raises NV: fixed up on the slow path, which
 * every NaN result takes.
 */
static inline bool inf_times_zero_s(uint32_t a, uint32_t b)
{
    return (is_inf_s(a) && is_zero_s(b)) || (is_zero_s(a) && is_inf_s(b));
}
static inline bool inf_times_zero_d(uint64_t a, uint64_t b)
{
    return (is_inf_d(a) && is_zero_d(b)) || (is_zero_d(a) && is_inf_d(b));
}

static __attribute__((noinline)) uint64_t
fma_s_slow(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t rm, uint32_t neg_a,
           uint32_t neg_c)
{
    uint32_t x = unbox_s(a) ^ neg_a, y = unbox_s(b), z = unbox_s(c) ^ neg_c, fl = 0, v;
    unsigned r = fpu_rm(env, rm);

    if (likely(host_fma && r != RV_RM_RMM)) {
        if (likely(nx_accrued(env))) {
            v = f2u(host_fma_s(u2f(x), u2f(y), u2f(z), r, NULL));
            if (likely(plain_s(v))) {
                return v | FPU_BOX;
            }
        }
        v = f2u(host_fma_s(u2f(x), u2f(y), u2f(z), r, &fl));
        if (unlikely(is_nan_s(v)) && inf_times_zero_s(x, y)) {
            fl |= RV_FFLAG_NV;
        }
        return finish_s(env, v, fl);
    }
    v = (uint32_t)fpu_soft_fma(x, y, z, false, r, &fl);
    return soft_done(env, v, fl, false);
}

static __attribute__((noinline)) uint64_t
fma_d_slow(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t rm, uint64_t neg_a,
           uint64_t neg_c)
{
    uint64_t x = a ^ neg_a, z = c ^ neg_c, v;
    uint32_t fl = 0;
    unsigned r = fpu_rm(env, rm);

    if (likely(host_fma && r != RV_RM_RMM)) {
        if (likely(nx_accrued(env))) {
            v = d2u(host_fma_d(u2d(x), u2d(b), u2d(z), r, NULL));
            if (likely(plain_d(v))) {
                return v;
            }
        }
        v = d2u(host_fma_d(u2d(x), u2d(b), u2d(z), r, &fl));
        if (unlikely(is_nan_d(v)) && inf_times_zero_d(x, b)) {
            fl |= RV_FFLAG_NV;
        }
        return finish_d(env, v, fl);
    }
    v = fpu_soft_fma(x, b, z, true, r, &fl);
    return soft_done(env, v, fl, true);
}

#define FPU_FMA(name, na, nc)                                                 \
    uint64_t helper_##name##_s(void *env, uint64_t a, uint64_t b, uint64_t c, \
                               uint64_t rm)                                   \
    {                                                                         \
        uint32_t sa = (na) ? 1u << 31 : 0, sc = (nc) ? 1u << 31 : 0;          \
        if (likely(fast_ok(env, rm) && host_fma && (a >> 32) == 0xffffffffu && \
                   (b >> 32) == 0xffffffffu && (c >> 32) == 0xffffffffu)) {   \
            uint32_t v = f2u(host_fma_s(u2f((uint32_t)a ^ sa), u2f((uint32_t)b), \
                                        u2f((uint32_t)c ^ sc), RV_RM_RNE, NULL)); \
            if (likely(plain_s(v))) {                                         \
                return v | FPU_BOX;                                           \
            }                                                                 \
        }                                                                     \
        return fma_s_slow(env, a, b, c, rm, sa, sc);                          \
    }                                                                         \
    uint64_t helper_##name##_d(void *env, uint64_t a, uint64_t b, uint64_t c, \
                               uint64_t rm)                                   \
    {                                                                         \
        uint64_t sa = (na) ? 1ull << 63 : 0, sc = (nc) ? 1ull << 63 : 0;      \
        if (likely(fast_ok(env, rm) && host_fma)) {                           \
            uint64_t v = d2u(host_fma_d(u2d(a ^ sa), u2d(b), u2d(c ^ sc),     \
                                        RV_RM_RNE, NULL));                    \
            if (likely(plain_d(v))) {                                         \
                return v;                                                     \
            }                                                                 \
        }                                                                     \
        return fma_d_slow(env, a, b, c, rm, sa, sc);                          \
    }
FPU_FMA(fmadd, false, false)
FPU_FMA(fmsub, false, true)
FPU_FMA(fnmsub, true, false)
FPU_FMA(fnmadd, true, true)

/* ================= helpers: min/max, compares, fclass ================= */

/*
 * fmin/fmax (RISC-V 2.2+, IEEE 754-2019 minimumNumber/maximumNumber with
 * -0 < +0): a NaN operand is ignored, two NaNs give the canonical NaN, and
 * a signalling NaN raises NV either way.
 */
#define FPU_MINMAX(sfx, T, U, unbox, box, isnan, issnan, qnan, toT)           \
    static inline uint64_t minmax_##sfx(void *env, U x, U y, bool is_max)     \
    {                                                                         \
        T fx, fy;                                                             \
        if (unlikely(isnan(x) || isnan(y))) {                                 \
            if (issnan(x) || issnan(y)) {                                     \
                fpu_raise(env, RV_FFLAG_NV);                                  \
            }                                                                 \
            if (isnan(x) && isnan(y)) {                                       \
                return box(qnan);                                             \
            }                                                                 \
            return box(isnan(x) ? y : x);                                     \
        }                                                                     \
        fx = toT(x);                                                          \
        fy = toT(y);                                                          \
        if (fx == fy) {                                                       \
            /* equal, or +0 and -0: the sign bits decide */                   \
            return box(is_max ? (x & y) : (x | y));                           \
        }                                                                     \
        return box((fx < fy) != is_max ? x : y);                              \
    }                                                                         \
    uint64_t helper_fmin_##sfx(void *env, uint64_t a, uint64_t b)             \
    {                                                                         \
        return minmax_##sfx(env, unbox(a), unbox(b), false);                  \
    }                                                                         \
    uint64_t helper_fmax_##sfx(void *env, uint64_t a, uint64_t b)             \
    {                                                                         \
        return minmax_##sfx(env, unbox(a), unbox(b), true);                   \
    }

static inline uint64_t box_s(uint32_t v)
{
    return v | FPU_BOX;
}
static inline uint64_t id_d(uint64_t v)
{
    return v;
}
FPU_MINMAX(s, float, uint32_t, unbox_s, box_s, is_nan_s, is_snan_s, FPU_QNAN_S, u2f)
FPU_MINMAX(d, double, uint64_t, id_d, id_d, is_nan_d, is_snan_d, FPU_QNAN_D, u2d)

/* feq is a quiet compare (NV only for sNaN); flt/fle signal on any NaN. */
#define FPU_CMP(sfx, U, unbox, isnan, issnan, toT)                            \
    uint64_t helper_feq_##sfx(void *env, uint64_t a, uint64_t b)              \
    {                                                                         \
        U x = unbox(a), y = unbox(b);                                         \
        if (unlikely(isnan(x) || isnan(y))) {                                 \
            if (issnan(x) || issnan(y)) {                                     \
                fpu_raise(env, RV_FFLAG_NV);                                  \
            }                                                                 \
            return 0;                                                         \
        }                                                                     \
        return toT(x) == toT(y);                                              \
    }                                                                         \
    uint64_t helper_flt_##sfx(void *env, uint64_t a, uint64_t b)              \
    {                                                                         \
        U x = unbox(a), y = unbox(b);                                         \
        if (unlikely(isnan(x) || isnan(y))) {                                 \
            fpu_raise(env, RV_FFLAG_NV);                                      \
            return 0;                                                         \
        }                                                                     \
        return toT(x) < toT(y);                                               \
    }                                                                         \
    uint64_t helper_fle_##sfx(void *env, uint64_t a, uint64_t b)              \
    {                                                                         \
        U x = unbox(a), y = unbox(b);                                         \
        if (unlikely(isnan(x) || isnan(y))) {                                 \
            fpu_raise(env, RV_FFLAG_NV);                                      \
            return 0;                                                         \
        }                                                                     \
        return toT(x) <= toT(y);                                              \
    }
FPU_CMP(s, uint32_t, unbox_s, is_nan_s, is_snan_s, u2f)
FPU_CMP(d, uint64_t, id_d, is_nan_d, is_snan_d, u2d)

static uint64_t fclass(uint64_t bits, bool dbl)
{
    FpParts p = unpack(bits, dbl);
    int fb = fmt_fb(dbl);
    bool sub = p.cls == FPC_FINITE && ((bits >> fb) & (dbl ? 0x7ff : 0xff)) == 0;

    switch (p.cls) {
    case FPC_SNAN:
        return 1 << 8;
    case FPC_QNAN:
        return 1 << 9;
    case FPC_INF:
        return p.sign ? 1 << 0 : 1 << 7;
    case FPC_ZERO:
        return p.sign ? 1 << 3 : 1 << 4;
    default:
        if (sub) {
            return p.sign ? 1 << 2 : 1 << 5;
        }
        return p.sign ? 1 << 1 : 1 << 6;
    }
}

uint64_t helper_fclass_s(uint64_t a)
{
    return fclass(unbox_s(a), false);
}

uint64_t helper_fclass_d(uint64_t a)
{
    return fclass(a, true);
}

/* ================= helpers: conversions ================= */

/*
 * float -> integer of `width` bits (32 or 64), signed or not, RISC-V
 * style: round per rm, NX if inexact; out of range (after rounding), NaN
 * and infinities saturate and raise NV only.  Returns the value as rd holds
 * it: 32-bit results are sign-extended (also for the unsigned forms).
 */
static uint64_t to_int(void *env, uint64_t bits, bool dbl, unsigned rm, bool is_signed,
                       int width)
{
    FpParts p = unpack(bits, dbl);
    uint64_t max = is_signed ? (1ull << (width - 1)) - 1 : ~0ull >> (64 - width);
    uint64_t min = is_signed ? -(1ull << (width - 1)) : 0;
    uint64_t neg_lim = is_signed ? 1ull << (width - 1) : 0; /* largest |negative| */
    uint64_t m, res;
    bool inexact = false;

    switch (p.cls) {
    case FPC_ZERO:
        return 0;
    case FPC_QNAN:
    case FPC_SNAN:
        res = max;
        goto invalid;
    case FPC_INF:
        res = p.sign ? min : max;
        goto invalid;
    default:
        break;
    }
    if (p.exp >= 64) {
        res = p.sign ? min : max;
        goto invalid;
    }
    m = round_shift(p.sig, 63 - p.exp, p.sign, rm, &inexact);
    if (!p.sign) {
        if (m > max) {
            res = max;
            goto invalid;
        }
        res = m;
    } else {
        if (m > neg_lim) {
            res = min;
            goto invalid;
        }
        res = -m;
    }
    if (inexact) {
        fpu_raise(env, RV_FFLAG_NX);
    }
    goto out;
invalid:
    fpu_raise(env, RV_FFLAG_NV);
out:
    return width == 32 ? (uint64_t)(int64_t)(int32_t)res : res;
}

/*
 * Fast path for the usual case, a value well inside the range converted
 * with RTZ (C casts) or RNE: x86 CVTTSD2SI truncates, CVTSD2SI rounds per
 * MXCSR, which is RNE outside the asm statements above.  The bounds are
 * exclusive and leave room for rounding up, so the result is in range; a
 * NaN fails the compares.  Everything else goes to to_int().
 */
static inline bool to_int_fast(void *env, double x, unsigned rm, double lo, double hi,
                               int64_t *out)
{
    int64_t r;

    if (!FPU_HOST_X86 || !(x > lo && x < hi) || rm > RV_RM_RTZ) {
        return false;
    }
#if FPU_HOST_X86
    if (rm == RV_RM_RTZ) {
        __asm__("cvttsd2si %1, %0" : "=r"(r) : "x"(x));
    } else {
        __asm__("cvtsd2si %1, %0" : "=r"(r) : "x"(x));
    }
#else
    r = (int64_t)x;
#endif
    if ((double)r != x) {
        fpu_raise(env, RV_FFLAG_NX);
    }
    *out = r;
    return true;
}

#define FPU_TO_INT(name, dbl, is_signed, width, lim)                         \
    uint64_t helper_##name(void *env, uint64_t a, uint64_t rm)                \
    {                                                                         \
        uint64_t v = (dbl) ? a : unbox_s(a);                                  \
        unsigned r = fpu_rm(env, rm);                                         \
        int64_t i;                                                            \
        if (likely(to_int_fast(env, (dbl) ? u2d(v) : (double)u2f((uint32_t)v), \
                               r, lim, &i))) {                                \
            return (width) == 32 ? (uint64_t)(int64_t)(int32_t)i : (uint64_t)i; \
        }                                                                     \
        return to_int(env, v, dbl, r, is_signed, width);                      \
    }
#define LIM_W -2147483648.0, 2147483647.0
#define LIM_WU -0.5, 4294967295.0
#define LIM_L -4611686018427387904.0, 4611686018427387904.0
#define LIM_LU -0.5, 9223372036854775808.0
FPU_TO_INT(fcvt_w_s, false, true, 32, LIM_W)
FPU_TO_INT(fcvt_wu_s, false, false, 32, LIM_WU)
FPU_TO_INT(fcvt_l_s, false, true, 64, LIM_L)
FPU_TO_INT(fcvt_lu_s, false, false, 64, LIM_LU)
FPU_TO_INT(fcvt_w_d, true, true, 32, LIM_W)
FPU_TO_INT(fcvt_wu_d, true, false, 32, LIM_WU)
FPU_TO_INT(fcvt_l_d, true, true, 64, LIM_L)
FPU_TO_INT(fcvt_lu_d, true, false, 64, LIM_LU)

/* integer -> single: v is the 64-bit value (already sign- or zero-extended
 * from 32 bits where the insn says so), `is_signed` its interpretation. */
static uint64_t from_int_s(void *env, uint64_t v, bool is_signed, uint64_t rm)
{
    unsigned r = fpu_rm(env, rm);
    uint32_t fl = 0;

    if (unlikely(r == RV_RM_RMM)) {
        v = fpu_soft_from_int(v, is_signed, false, r, &fl);
        return soft_done(env, v, fl, false);
    }
    if (is_signed || (int64_t)v >= 0) {
        HOST_S(env, host_i64_to_s, (int64_t)v, r);
    }
    HOST_S(env, host_u64h_to_s, v, r);
}

static uint64_t from_int_d(void *env, uint64_t v, bool is_signed, uint64_t rm)
{
    unsigned r = fpu_rm(env, rm);
    uint32_t fl = 0;

    if (unlikely(r == RV_RM_RMM)) {
        v = fpu_soft_from_int(v, is_signed, true, r, &fl);
        return soft_done(env, v, fl, true);
    }
    if (is_signed || (int64_t)v >= 0) {
        HOST_D(env, host_i64_to_d, (int64_t)v, r);
    }
    HOST_D(env, host_u64h_to_d, v, r);
}

uint64_t helper_fcvt_s_w(void *env, uint64_t a, uint64_t rm)
{
    unsigned r = fpu_rm(env, rm);

    if (unlikely(r == RV_RM_RMM)) {
        return from_int_s(env, (uint64_t)(int64_t)(int32_t)a, true, rm);
    }
    HOST_S(env, host_i32_to_s, (int32_t)a, r);
}

uint64_t helper_fcvt_s_wu(void *env, uint64_t a, uint64_t rm)
{
    return from_int_s(env, (uint32_t)a, true, rm);
}

uint64_t helper_fcvt_s_l(void *env, uint64_t a, uint64_t rm)
{
    return from_int_s(env, a, true, rm);
}

uint64_t helper_fcvt_s_lu(void *env, uint64_t a, uint64_t rm)
{
    return from_int_s(env, a, false, rm);
}

uint64_t helper_fcvt_d_w(uint64_t a)
{
    return d2u((double)(int32_t)a);
}

uint64_t helper_fcvt_d_wu(uint64_t a)
{
    return d2u((double)(uint32_t)a);
}

uint64_t helper_fcvt_d_l(void *env, uint64_t a, uint64_t rm)
{
    return from_int_d(env, a, true, rm);
}

uint64_t helper_fcvt_d_lu(void *env, uint64_t a, uint64_t rm)
{
    return from_int_d(env, a, false, rm);
}

uint64_t helper_fcvt_s_d(void *env, uint64_t a, uint64_t rm)
{
    unsigned r = fpu_rm(env, rm);
    uint32_t fl = 0;

    if (unlikely(r == RV_RM_RMM)) {
        uint64_t v = fpu_soft_d_to_s(a, r, &fl);
        return soft_done(env, v, fl, false);
    }
    HOST_S(env, host_d_to_s, u2d(a), r);
}

uint64_t helper_fcvt_d_s(void *env, uint64_t a)
{
    uint32_t x = unbox_s(a);

    if (unlikely(is_nan_s(x))) {
        if (is_snan_s(x)) {
            fpu_raise(env, RV_FFLAG_NV);
        }
        return FPU_QNAN_D;
    }
    return d2u((double)u2f(x)); /* exact */
}

/* ================= helper descriptors ================= */

#define FPU_INFO(fn, nargs, fl)                                               \
    const TcgHelperInfo helper_info_##fn = {                                  \
        .func = (void *)helper_##fn,                                          \
        .name = #fn,                                                          \
        .flags = (fl),                                                        \
        .nb_args = (nargs),                                                   \
        .has_ret = true,                                                      \
        .ret_i64 = true,                                                      \
    };

/* Raises an exception: reads globals (the state it unwinds to), writes none. */
const TcgHelperInfo helper_info_fpu_check_frm = {
    .func = (void *)helper_fpu_check_frm,
    .name = "fpu_check_frm",
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .nb_args = 2,
    .has_ret = false,
};

/* The rest touch only fflags/frm, which are not IR globals, and never
 * raise: NO_RWG, but not removable (they update fflags). */
#define NRWG TCG_CALL_NO_RWG
FPU_INFO(fadd_s, 4, NRWG)
FPU_INFO(fsub_s, 4, NRWG)
FPU_INFO(fmul_s, 4, NRWG)
FPU_INFO(fdiv_s, 4, NRWG)
FPU_INFO(fadd_d, 4, NRWG)
FPU_INFO(fsub_d, 4, NRWG)
FPU_INFO(fmul_d, 4, NRWG)
FPU_INFO(fdiv_d, 4, NRWG)
FPU_INFO(fsqrt_s, 3, NRWG)
FPU_INFO(fsqrt_d, 3, NRWG)
FPU_INFO(fmadd_s, 5, NRWG)
FPU_INFO(fmsub_s, 5, NRWG)
FPU_INFO(fnmsub_s, 5, NRWG)
FPU_INFO(fnmadd_s, 5, NRWG)
FPU_INFO(fmadd_d, 5, NRWG)
FPU_INFO(fmsub_d, 5, NRWG)
FPU_INFO(fnmsub_d, 5, NRWG)
FPU_INFO(fnmadd_d, 5, NRWG)
FPU_INFO(fmin_s, 3, NRWG)
FPU_INFO(fmax_s, 3, NRWG)
FPU_INFO(fmin_d, 3, NRWG)
FPU_INFO(fmax_d, 3, NRWG)
FPU_INFO(feq_s, 3, NRWG)
FPU_INFO(flt_s, 3, NRWG)
FPU_INFO(fle_s, 3, NRWG)
FPU_INFO(feq_d, 3, NRWG)
FPU_INFO(flt_d, 3, NRWG)
FPU_INFO(fle_d, 3, NRWG)
FPU_INFO(fclass_s, 1, TCG_CALL_PURE)
FPU_INFO(fclass_d, 1, TCG_CALL_PURE)
FPU_INFO(fcvt_w_s, 3, NRWG)
FPU_INFO(fcvt_wu_s, 3, NRWG)
FPU_INFO(fcvt_l_s, 3, NRWG)
FPU_INFO(fcvt_lu_s, 3, NRWG)
FPU_INFO(fcvt_w_d, 3, NRWG)
FPU_INFO(fcvt_wu_d, 3, NRWG)
FPU_INFO(fcvt_l_d, 3, NRWG)
FPU_INFO(fcvt_lu_d, 3, NRWG)
FPU_INFO(fcvt_s_w, 3, NRWG)
FPU_INFO(fcvt_s_wu, 3, NRWG)
FPU_INFO(fcvt_s_l, 3, NRWG)
FPU_INFO(fcvt_s_lu, 3, NRWG)
FPU_INFO(fcvt_d_w, 1, TCG_CALL_PURE)
FPU_INFO(fcvt_d_wu, 1, TCG_CALL_PURE)
FPU_INFO(fcvt_d_l, 3, NRWG)
FPU_INFO(fcvt_d_lu, 3, NRWG)
FPU_INFO(fcvt_s_d, 3, NRWG)
FPU_INFO(fcvt_d_s, 2, NRWG)

bool fpu_is_fp_helper(const TcgHelperInfo *h)
{
#define FPU_PTR(name) &helper_info_##name,
    static const TcgHelperInfo *const all[] = { FPU_HELPERS(FPU_PTR) };
#undef FPU_PTR

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (all[i] == h) {
            return true;
        }
    }
    return false;
}
