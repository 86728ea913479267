#!/usr/bin/env python3
"""Generate the floating-point test vector headers (fp_vec_*.h).

The expected results are computed by an independent, exact reference model of
RISC-V F/D arithmetic written here with Python Fractions (IEEE 754-2008 with
the RISC-V specifics: canonical NaN results, tininess detected after rounding,
saturating float->int conversions, NaN-boxing of single-precision values).
It is NOT derived from any emulator.  The generated headers are committed, so
building the tests does not need Python; re-run this script only when the
vector selection changes:

    python3 gen-fp-vectors.py          # writes fp_vec_*.h next to this script
"""
import os
import random
from fractions import Fraction

NV, DZ, OF, UF, NX = 16, 8, 4, 2, 1
RNE, RTZ, RDN, RUP, RMM = range(5)
RM_NAMES = ["rne", "rtz", "rdn", "rup", "rmm"]
BOX = 0xFFFFFFFF00000000
M64 = (1 << 64) - 1


class Fmt:
    def __init__(self, name, ebits, p):
        self.name, self.ebits, self.p = name, ebits, p
        self.bias = (1 << (ebits - 1)) - 1
        self.emax = self.bias
        self.emin = 1 - self.bias
        self.width = ebits + p
        self.qnan = ((1 << ebits) - 1) << (p - 1) | 1 << (p - 2)


S = Fmt("s", 8, 24)
D = Fmt("d", 11, 53)


# ---- value representation: ('nan', snan) | ('inf', sign) | ('num', sign, Fraction)
def unbox(bits, f):
    """Register bits (64) -> format bits, applying the NaN-boxing check."""
    if f is S:
        if (bits >> 32) != 0xFFFFFFFF:
            return S.qnan
        return bits & 0xFFFFFFFF
    return bits


def box(v, f):
    return (v | BOX) if f is S else v


def decode(b, f):
    sign = b >> (f.width - 1)
    e = (b >> (f.p - 1)) & ((1 << f.ebits) - 1)
    m = b & ((1 << (f.p - 1)) - 1)
    if e == (1 << f.ebits) - 1:
        if m == 0:
            return ("inf", sign)
        return ("nan", not (m >> (f.p - 2)) & 1)
    if e == 0:
        mag = Fraction(m) * Fraction(2) ** (f.emin - (f.p - 1))
    else:
        mag = Fraction(m + (1 << (f.p - 1))) * Fraction(2) ** (e - f.bias - (f.p - 1))
    return ("num", sign, mag)


def enc_inf(sign, f):
    return sign << (f.width - 1) | ((1 << f.ebits) - 1) << (f.p - 1)


def enc_maxfinite(sign, f):
    return sign << (f.width - 1) | ((1 << f.ebits) - 2) << (f.p - 1) | ((1 << (f.p - 1)) - 1)


def enc_zero(sign, f):
    return sign << (f.width - 1)


def round_int(x, rm, sign):
    """Round non-negative Fraction x (magnitude of a value with `sign`) to int."""
    fl = x.numerator // x.denominator
    fr = x - fl
    if fr == 0:
        return fl
    if rm == RNE:
        if fr > Fraction(1, 2) or (fr == Fraction(1, 2) and fl & 1):
            return fl + 1
        return fl
    if rm == RTZ:
        return fl
    if rm == RDN:
        return fl + 1 if sign else fl
    if rm == RUP:
        return fl if sign else fl + 1
    if rm == RMM:
        return fl + 1 if fr >= Fraction(1, 2) else fl
    raise ValueError(rm)


def ilog2(x):
    """floor(log2(x)) for positive Fraction x."""
    e = x.numerator.bit_length() - x.denominator.bit_length()
    if Fraction(2) ** e > x:
        e -= 1
    elif Fraction(2) ** (e + 1) <= x:
        e += 1
    return e


def round_to(sign, mag, f, rm, exact=True):
    """Round sign*mag to format f.  exact=False means mag is a proxy for an
    irrational value lying strictly between representable neighbours (always
    inexact).  Returns (bits, flags)."""
    if mag == 0:
        return enc_zero(sign, f), 0
    e = ilog2(mag)
    # tininess after rounding: round with unbounded exponent range
    q_unb = e - (f.p - 1)
    n_unb = round_int(mag / Fraction(2) ** q_unb, rm, sign)
    tiny = n_unb * Fraction(2) ** q_unb < Fraction(2) ** f.emin
    q = max(e, f.emin) - (f.p - 1)
    n = round_int(mag / Fraction(2) ** q, rm, sign)
    val = n * Fraction(2) ** q
    inexact = (val != mag) or not exact
    flags = NX if inexact else 0
    if val >= Fraction(2) ** (f.emax + 1):
        flags = OF | NX
        if rm in (RNE, RMM) or (rm == RUP and not sign) or (rm == RDN and sign):
            return enc_inf(sign, f), flags
        return enc_maxfinite(sign, f), flags
    if tiny and inexact:
        flags |= UF
    if val == 0:
        return enc_zero(sign, f), flags
    if val < Fraction(2) ** f.emin:
        return sign << (f.width - 1) | n, flags
    ev = ilog2(val)
    mant = val / Fraction(2) ** (ev - (f.p - 1))
    assert mant.denominator == 1
    m = int(mant) - (1 << (f.p - 1))
    return sign << (f.width - 1) | (ev + f.bias) << (f.p - 1) | m, flags


def is_snan(v):
    return v[0] == "nan" and v[1]


def any_nan(*vs):
    return any(v[0] == "nan" for v in vs)


def nan_result(f, *vs):
    return f.qnan, (NV if any(is_snan(v) for v in vs) else 0)


def signed(v):
    return -v[2] if v[1] else v[2]


def from_exact(val, f, rm, zero_sign):
    if val == 0:
        return enc_zero(zero_sign, f), 0
    return round_to(1 if val < 0 else 0, abs(val), f, rm)


def op_add(a, b, f, rm):
    if any_nan(a, b):
        return nan_result(f, a, b)
    if a[0] == "inf" and b[0] == "inf":
        if a[1] != b[1]:
            return f.qnan, NV
        return enc_inf(a[1], f), 0
    if a[0] == "inf":
        return enc_inf(a[1], f), 0
    if b[0] == "inf":
        return enc_inf(b[1], f), 0
    s = signed(a) + signed(b)
    if s == 0:
        if a[2] == 0 and b[2] == 0 and a[1] == b[1]:
            zs = a[1]
        else:
            zs = 1 if rm == RDN else 0
        return enc_zero(zs, f), 0
    return from_exact(s, f, rm, 0)


def neg(v):
    if v[0] == "nan":
        return v
    if v[0] == "inf":
        return ("inf", 1 - v[1])
    return ("num", 1 - v[1], v[2])


def op_mul(a, b, f, rm):
    if any_nan(a, b):
        return nan_result(f, a, b)
    sg = a[1] ^ b[1]
    if a[0] == "inf" or b[0] == "inf":
        if (a[0] == "num" and a[2] == 0) or (b[0] == "num" and b[2] == 0):
            return f.qnan, NV
        return enc_inf(sg, f), 0
    p = a[2] * b[2]
    if p == 0:
        return enc_zero(sg, f), 0
    return round_to(sg, p, f, rm)


def op_div(a, b, f, rm):
    if any_nan(a, b):
        return nan_result(f, a, b)
    sg = a[1] ^ b[1]
    if a[0] == "inf":
        if b[0] == "inf":
            return f.qnan, NV
        return enc_inf(sg, f), 0
    if b[0] == "inf":
        return enc_zero(sg, f), 0
    if b[2] == 0:
        if a[2] == 0:
            return f.qnan, NV
        return enc_inf(sg, f), DZ
    if a[2] == 0:
        return enc_zero(sg, f), 0
    return round_to(sg, a[2] / b[2], f, rm)


def isqrt(n):
    x = int(n ** 0.5) if n < (1 << 100) else 1 << ((n.bit_length() + 1) // 2)
    while True:
        y = (x + n // x) // 2 if x else 0
        if y >= x:
            break
        x = y
    while x * x > n:
        x -= 1
    while (x + 1) * (x + 1) <= n:
        x += 1
    return x


def op_sqrt(a, f, rm):
    if a[0] == "nan":
        return nan_result(f, a)
    if a[0] == "inf":
        return (f.qnan, NV) if a[1] else (enc_inf(0, f), 0)
    if a[2] == 0:
        return enc_zero(a[1], f), 0
    if a[1]:
        return f.qnan, NV
    k = 1200
    num = a[2].numerator << (2 * k)
    s = isqrt(num // a[2].denominator)
    if Fraction(s * s) == a[2] * (Fraction(2) ** (2 * k)):
        return round_to(0, Fraction(s, 1 << k), f, rm)
    return round_to(0, Fraction(2 * s + 1, 1 << (k + 1)), f, rm, exact=False)


def op_fma(a, b, c, f, rm, negprod, negc):
    """(+/-)(a*b) (+/-) c with a single rounding."""
    if any_nan(a, b, c):
        r, fl = nan_result(f, a, b, c)
        zero_inf = ((a[0] == "inf" and b[0] == "num" and b[2] == 0) or
                    (b[0] == "inf" and a[0] == "num" and a[2] == 0))
        if zero_inf:
            fl |= NV
        return r, fl
    psign = a[1] ^ b[1] ^ negprod
    if negc:
        c = neg(c)
    if a[0] == "inf" or b[0] == "inf":
        if (a[0] == "num" and a[2] == 0) or (b[0] == "num" and b[2] == 0):
            return f.qnan, NV
        if c[0] == "inf" and c[1] != psign:
            return f.qnan, NV
        return enc_inf(psign, f), 0
    if c[0] == "inf":
        return enc_inf(c[1], f), 0
    p = a[2] * b[2]
    total = (-p if psign else p) + signed(c)
    if total == 0:
        if p == 0 and c[2] == 0 and psign == c[1]:
            zs = psign
        else:
            zs = 1 if rm == RDN else 0
        return enc_zero(zs, f), 0
    return from_exact(total, f, rm, 0)


def op_minmax(a, b, f, is_max):
    fl = NV if (is_snan(a) or is_snan(b)) else 0
    if a[0] == "nan" and b[0] == "nan":
        return f.qnan, fl
    if a[0] == "nan":
        return None, fl  # caller returns b
    if b[0] == "nan":
        return "a", fl

    def key(v):
        if v[0] == "inf":
            return (Fraction(-1 if v[1] else 1) * Fraction(10) ** 400, 0)
        return (signed(v), 0 if v[1] else 1)
    ka, kb = key(a), key(b)
    if is_max:
        return ("a" if ka >= kb else None), fl
    return ("a" if ka <= kb else None), fl


def cmp_key(v):
    if v[0] == "inf":
        return Fraction(-1 if v[1] else 1) * Fraction(10) ** 400
    return signed(v)


def op_cmp(a, b, kind):
    if any_nan(a, b):
        if kind == "eq":
            return 0, NV if (is_snan(a) or is_snan(b)) else 0
        return 0, NV
    ka, kb = cmp_key(a), cmp_key(b)
    return int({"eq": ka == kb, "lt": ka < kb, "le": ka <= kb}[kind]), 0


def op_class(a, f):
    if a[0] == "nan":
        return 1 << (8 if a[1] else 9)
    if a[0] == "inf":
        return 1 << (0 if a[1] else 7)
    if a[2] == 0:
        return 1 << (3 if a[1] else 4)
    sub = a[2] < Fraction(2) ** f.emin
    if a[1]:
        return 1 << (2 if sub else 1)
    return 1 << (5 if sub else 6)


INT_RANGES = {"w": (-(1 << 31), (1 << 31) - 1), "wu": (0, (1 << 32) - 1),
              "l": (-(1 << 63), (1 << 63) - 1), "lu": (0, (1 << 64) - 1)}


def sext32(x):
    x &= 0xFFFFFFFF
    return x | 0xFFFFFFFF00000000 if x >> 31 else x


def op_f2i(a, kind, rm):
    lo, hi = INT_RANGES[kind]
    if a[0] == "nan" or (a[0] == "inf" and not a[1]):
        r, fl = hi, NV
    elif a[0] == "inf":
        r, fl = lo, NV
    else:
        n = round_int(a[2], rm, a[1])
        v = -n if a[1] else n
        if v < lo:
            r, fl = lo, NV
        elif v > hi:
            r, fl = hi, NV
        else:
            r, fl = v, (NX if Fraction(n) != a[2] else 0)
    r &= M64
    if kind in ("w", "wu"):
        r = sext32(r)
    return r, fl


def op_i2f(x, kind, f, rm):
    if kind == "w":
        v = sext32(x)
        v = v - (1 << 64) if v >> 63 else v
    elif kind == "wu":
        v = x & 0xFFFFFFFF
    elif kind == "l":
        v = x - (1 << 64) if x >> 63 else x
    else:
        v = x
    return from_exact(Fraction(v), f, rm, 0)


def op_cvt_ff(a, fin, fout, rm):
    if a[0] == "nan":
        return nan_result(fout, a)
    if a[0] == "inf":
        return enc_inf(a[1], fout), 0
    if a[2] == 0:
        return enc_zero(a[1], fout), 0
    return round_to(a[1], a[2], fout, rm)


def sgnj(a_bits, b_bits, f, mode):
    sb = f.width - 1
    sa, sbit = a_bits >> sb, b_bits >> sb
    ns = {"j": sbit, "jn": 1 - sbit, "jx": sa ^ sbit}[mode]
    return (a_bits & ~(1 << sb)) | ns << sb


# ---------------------------------------------------------------- operand pools
def specials(f):
    w = f.width
    sgn = 1 << (w - 1)
    one = f.bias << (f.p - 1)
    vals = [0, sgn, one, one | sgn, enc_inf(0, f), enc_inf(1, f), f.qnan,
            f.qnan | 1 | sgn,                                  # qNaN w/ payload
            ((1 << f.ebits) - 1) << (f.p - 1) | 1,             # sNaN
            ((1 << f.ebits) - 1) << (f.p - 1) | 5 | sgn,       # -sNaN payload
            1, (1 << (f.p - 1)) - 1, 1 << (f.p - 1),           # min sub, max sub, min norm
            enc_maxfinite(0, f), enc_maxfinite(1, f),
            (f.bias + 1) << (f.p - 1) | 1 << (f.p - 2),        # 3.0
            (f.bias - 1) << (f.p - 1),                          # 0.5
            (f.bias - 2) << (f.p - 1) | 0x555 | sgn]
    return vals


def rnd_val(rng, f, lo_e=-10, hi_e=10):
    e = rng.randint(lo_e, hi_e) + f.bias
    return rng.getrandbits(1) << (f.width - 1) | e << (f.p - 1) | rng.getrandbits(f.p - 1)


def pick(rng, f, spec_prob=0.35):
    if rng.random() < spec_prob:
        return rng.choice(specials(f))
    r = rng.random()
    if r < 0.1:     # near overflow
        return rnd_val(rng, f, f.emax - 2, f.emax)
    if r < 0.2:     # near underflow
        return rnd_val(rng, f, f.emin, f.emin + 3)
    return rnd_val(rng, f)


def reg(v, f, rng=None):
    """Format bits -> register image (NaN-boxed for S)."""
    return box(v, f)


# ---------------------------------------------------------------- generation
def fmt_row(op, a, b, c, rs, fs):
    r = ", ".join("0x%016xull" % x for x in rs)
    fl = ", ".join("%d" % x for x in fs)
    return "  { %2d, 0x%016xull, 0x%016xull, 0x%016xull, { %s }, { %s } }," % (
        op, a, b, c, r, fl)


def header(name, ops, rows, note):
    out = ["/* Generated by gen-fp-vectors.py -- do not edit. %s */" % note,
           "#define %s_NOPS %d" % (name.upper(), len(ops)),
           "static const char *const %s_names[] = {" % name]
    out += ['  "%s",' % o for o in ops]
    out += ["};", "static const struct fpvec %s[] = {" % name]
    out += rows
    out += ["};", ""]
    return "\n".join(out)


def all_rm(fn):
    rs, fs = [], []
    for rm in range(5):
        r, fl = fn(rm)
        rs.append(r)
        fs.append(fl)
    return rs, fs


def gen_arith(rng):
    ops = []
    rows = []
    for f in (S, D):
        for name in ("fadd", "fsub", "fmul", "fdiv", "fsqrt"):
            op = len(ops)
            ops.append("%s.%s" % (name, f.name))
            pairs = []
            one = f.bias << (f.p - 1)
            if name in ("fadd", "fsub"):   # exact halfway / sticky cases
                pairs.append((one, (f.bias - f.p) << (f.p - 1)))
                pairs.append((one | 1, (f.bias - f.p) << (f.p - 1)))
                pairs.append((one, ((f.bias - f.p) << (f.p - 1)) | 1 << (f.width - 1)))
                pairs.append((one, one | 1 << (f.width - 1)))      # x - x
            if name == "fdiv":
                pairs.append((one, (f.bias + 1) << (f.p - 1) | 1 << (f.p - 2)))  # 1/3
                pairs.append((one | 1 << (f.width - 1), 0))          # -1/+0
            if name == "fmul":
                pairs.append((1 << (f.p - 1), (f.bias - 1) << (f.p - 1)))  # minnorm*0.5
                pairs.append((enc_maxfinite(0, f), (f.bias + 1) << (f.p - 1)))
            while len(pairs) < 20:
                pairs.append((pick(rng, f), pick(rng, f)))
            for a_, b_ in pairs:
                a, b = box(a_, f), box(b_, f)
                if rng.random() < 0.05 and f is S:
                    a = a_ & 0xFFFFFFFF        # not NaN-boxed
                va, vb = decode(unbox(a, f), f), decode(unbox(b, f), f)
                if name == "fadd":
                    fn = lambda rm: op_add(va, vb, f, rm)
                elif name == "fsub":
                    fn = lambda rm: op_add(va, neg(vb), f, rm)
                elif name == "fmul":
                    fn = lambda rm: op_mul(va, vb, f, rm)
                elif name == "fdiv":
                    fn = lambda rm: op_div(va, vb, f, rm)
                else:
                    b = 0
                    fn = lambda rm: op_sqrt(va, f, rm)
                rs, fs = all_rm(fn)
                rows.append(fmt_row(op, a, b, 0, [box(x, f) for x in rs], fs))
    return header("vec_arith", ops, rows, "add/sub/mul/div/sqrt")


def gen_fma(rng):
    ops, rows = [], []
    kinds = {"fmadd": (0, 0), "fmsub": (0, 1), "fnmsub": (1, 0), "fnmadd": (1, 1)}
    for f in (S, D):
        zero, inf = 0, enc_inf(0, f)
        one = f.bias << (f.p - 1)
        for name, (np_, nc) in kinds.items():
            op = len(ops)
            ops.append("%s.%s" % (name, f.name))
            trip = [(zero, inf, f.qnan), (one, one, one | 1 << (f.width - 1)),
                    (one | 1, one | 1, one | 1 << (f.width - 1))]
            while len(trip) < 16:
                trip.append((pick(rng, f), pick(rng, f), pick(rng, f)))
            for a_, b_, c_ in trip:
                a, b, c = box(a_, f), box(b_, f), box(c_, f)
                va, vb, vc = (decode(unbox(x, f), f) for x in (a, b, c))
                rs, fs = all_rm(lambda rm: op_fma(va, vb, vc, f, rm, np_, nc))
                rows.append(fmt_row(op, a, b, c, [box(x, f) for x in rs], fs))
    return header("vec_fma", ops, rows, "fused multiply-add")


INT_SPECIALS = [0, 1, M64, 1 << 63, (1 << 63) - 1, 0x7FFFFFFF, 0x80000000,
                0xFFFFFFFF, 0xFFFFFFFF80000000, 0x1000001, 0xFFFFFFFFFEFFFFFF,
                0x20000000000001, 0x123456789ABCDEF1, 0x0000000100000001]


def gen_cvt(rng):
    ops, rows = [], []
    for f in (S, D):
        for kind in ("w", "wu", "l", "lu"):
            op = len(ops)
            ops.append("fcvt.%s.%s" % (kind, f.name))
            one = f.bias << (f.p - 1)
            vals = [one | 1 << (f.p - 2),                          # 1.5
                    one | 1 << (f.p - 2) | 1 << (f.width - 1),     # -1.5
                    (f.bias - 1) << (f.p - 1) | 1 << (f.width - 1),  # -0.5
                    (f.bias + 31) << (f.p - 1),                    # 2^31
                    (f.bias + 31) << (f.p - 1) | 1 << (f.width - 1),  # -2^31
                    (f.bias + 32) << (f.p - 1),                    # 2^32
                    (f.bias + 63) << (f.p - 1) | 1 << (f.width - 1),  # -2^63
                    (f.bias + 64) << (f.p - 1),                    # 2^64
                    (f.bias + 30) << (f.p - 1) | ((1 << (f.p - 1)) - 1),
                    f.qnan, enc_inf(0, f), enc_inf(1, f),
                    ((1 << f.ebits) - 1) << (f.p - 1) | 1 | 1 << (f.width - 1)]
            while len(vals) < 18:
                vals.append(rnd_val(rng, f, -2, 66) if rng.random() < 0.7 else pick(rng, f))
            for v in vals:
                a = box(v, f)
                va = decode(v, f)
                rs, fs = all_rm(lambda rm: op_f2i(va, kind, rm))
                rows.append(fmt_row(op, a, 0, 0, rs, fs))
    for f in (S, D):
        for kind in ("w", "wu", "l", "lu"):
            op = len(ops)
            ops.append("fcvt.%s.%s" % (f.name, kind))
            vals = list(INT_SPECIALS)
            while len(vals) < 18:
                vals.append(rng.getrandbits(64) >> rng.randint(0, 40))
            for x in vals:
                rs, fs = all_rm(lambda rm: op_i2f(x, kind, f, rm))
                rows.append(fmt_row(op, x, 0, 0, [box(r, f) for r in rs], fs))
    for fin, fout in ((D, S), (S, D)):
        op = len(ops)
        ops.append("fcvt.%s.%s" % (fout.name, fin.name))
        vals = specials(fin) + [(D.bias - 130) << 52 | 0x8000000000001,
                                (D.bias + 127) << 52 | ((1 << 52) - 1),
                                (D.bias - 149) << 52 | 1 << 51]
        if fin is S:
            vals = specials(S)
        while len(vals) < 24:
            vals.append(pick(rng, fin) if fin is S else rnd_val(rng, D, -160, 130))
        for v in vals:
            a = box(v, fin)
            va = decode(v, fin)
            rs, fs = all_rm(lambda rm: op_cvt_ff(va, fin, fout, rm))
            rows.append(fmt_row(op, a, 0, 0, [box(r, fout) for r in rs], fs))
    return header("vec_cvt", ops, rows, "conversions")


def gen_misc(rng):
    """Non-rounding ops: result in r[0], flags in f[0]."""
    ops, rows = [], []
    for f in (S, D):
        sp = specials(f)
        for name in ("fmin", "fmax", "feq", "flt", "fle", "fsgnj", "fsgnjn",
                     "fsgnjx", "fclass"):
            op = len(ops)
            ops.append("%s.%s" % (name, f.name))
            pairs = []
            for i in range(22):
                a_, b_ = rng.choice(sp), rng.choice(sp)
                if rng.random() < 0.3:
                    a_ = pick(rng, f, 0)
                pairs.append((box(a_, f), box(b_, f)))
            if f is S:   # NaN-boxing: improperly boxed inputs
                pairs.append((0x000000003F800000, box(0x40000000, S)))
                pairs.append((box(0x3F800000, S), 0x12345678BF800000))
            pairs.append((box(0, f), box(1 << (f.width - 1), f)))
            pairs.append((box(1 << (f.width - 1), f), box(0, f)))
            for a, b in pairs:
                ua, ub = unbox(a, f), unbox(b, f)
                va, vb = decode(ua, f), decode(ub, f)
                if name in ("fmin", "fmax"):
                    w, fl = op_minmax(va, vb, f, name == "fmax")
                    r = ua if w == "a" else ub if w is None else w
                    r = box(r, f)
                elif name in ("feq", "flt", "fle"):
                    r, fl = op_cmp(va, vb, name[1:])
                elif name == "fclass":
                    r, fl, b = op_class(va, f), 0, 0
                else:
                    r, fl = box(sgnj(ua, ub, f, name[4:]), f), 0
                rows.append(fmt_row(op, a, b, 0, [r, 0, 0, 0, 0], [fl, 0, 0, 0, 0]))
    return header("vec_misc", ops, rows, "min/max/compare/sign-inject/classify")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, gen, seed in (("arith", gen_arith, 1), ("fma", gen_fma, 2),
                            ("cvt", gen_cvt, 3), ("misc", gen_misc, 4)):
        text = gen(random.Random(seed))
        path = os.path.join(here, "fp_vec_%s.h" % name)
        with open(path, "w") as fh:
            fh.write(text)
        print("wrote", path, text.count("\n"), "lines")


if __name__ == "__main__":
    main()
