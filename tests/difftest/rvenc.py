"""RISC-V RV64GC + Zba/Zbb/Zbs instruction encoder for the differential tester.

Every encoder returns an Insn: the machine word, its size in bytes (2 or 4)
and the text that `riscv64-linux-gnu-objdump -d -M no-aliases,numeric`
(binutils 2.40) prints for it, so rvgen.py --selftest can cross-check the
encodings.  Branch-like encoders take the byte offset to the target and the
instruction's own address (objdump prints absolute targets).

Encodings follow the RISC-V unprivileged ISA specification (20191213) and
the ratified bit-manipulation specification 1.0.0.
"""

RM_NAMES = ["rne", "rtz", "rdn", "rup", "rmm", None, None, "dyn"]
CSR_NAMES = {1: "fflags", 2: "frm", 3: "fcsr"}


class Insn:
    __slots__ = ("word", "size", "text")

    def __init__(self, word, size, text):
        self.word, self.size, self.text = word, size, text

    def bytes(self):
        return self.word.to_bytes(self.size, "little")

    def hex(self):
        return "%0*x" % (self.size * 2, self.word)

    def __repr__(self):
        return "Insn(%s, %r)" % (self.hex(), self.text)


def x(n):
    return "x%d" % n


def f(n):
    return "f%d" % n


def _chk(v, lo, hi, what):
    if not lo <= v <= hi:
        raise ValueError("%s %d out of range [%d, %d]" % (what, v, lo, hi))


# ----------------------------------------------------------------- 32-bit formats
def r_type(opc, f3, f7, rd, rs1, rs2):
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc


def i_type(opc, f3, rd, rs1, imm):
    _chk(imm, -2048, 4095, "imm12")
    return (imm & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc


def s_type(opc, f3, rs1, rs2, imm):
    _chk(imm, -2048, 2047, "store offset")
    imm &= 0xFFF
    return (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 | opc


def b_type(f3, rs1, rs2, off):
    _chk(off, -4096, 4094, "branch offset")
    assert off % 2 == 0
    o = off & 0x1FFF
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | \
        f3 << 12 | ((o >> 1) & 0xF) << 8 | ((o >> 11) & 1) << 7 | 0x63


def u_type(opc, rd, imm20):
    _chk(imm20, 0, 0xFFFFF, "imm20")
    return imm20 << 12 | rd << 7 | opc


def j_type(rd, off):
    _chk(off, -(1 << 20), (1 << 20) - 2, "jal offset")
    o = off & 0x1FFFFF
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3FF) << 21 | ((o >> 11) & 1) << 20 | \
        ((o >> 12) & 0xFF) << 12 | rd << 7 | 0x6F


def ins(word, text):
    return Insn(word, 4, text)


# ----------------------------------------------------------------- RV64I / M / Zb*
# name: (opcode, funct3, funct7)
R_OPS = {
    "add": (0x33, 0, 0), "sub": (0x33, 0, 0x20), "sll": (0x33, 1, 0), "slt": (0x33, 2, 0),
    "sltu": (0x33, 3, 0), "xor": (0x33, 4, 0), "srl": (0x33, 5, 0), "sra": (0x33, 5, 0x20),
    "or": (0x33, 6, 0), "and": (0x33, 7, 0),
    "addw": (0x3B, 0, 0), "subw": (0x3B, 0, 0x20), "sllw": (0x3B, 1, 0),
    "srlw": (0x3B, 5, 0), "sraw": (0x3B, 5, 0x20),
    "mul": (0x33, 0, 1), "mulh": (0x33, 1, 1), "mulhsu": (0x33, 2, 1), "mulhu": (0x33, 3, 1),
    "div": (0x33, 4, 1), "divu": (0x33, 5, 1), "rem": (0x33, 6, 1), "remu": (0x33, 7, 1),
    "mulw": (0x3B, 0, 1), "divw": (0x3B, 4, 1), "divuw": (0x3B, 5, 1), "remw": (0x3B, 6, 1),
    "remuw": (0x3B, 7, 1),
    # Zba
    "sh1add": (0x33, 2, 0x10), "sh2add": (0x33, 4, 0x10), "sh3add": (0x33, 6, 0x10),
    "add.uw": (0x3B, 0, 0x04), "sh1add.uw": (0x3B, 2, 0x10), "sh2add.uw": (0x3B, 4, 0x10),
    "sh3add.uw": (0x3B, 6, 0x10),
    # Zbb
    "andn": (0x33, 7, 0x20), "orn": (0x33, 6, 0x20), "xnor": (0x33, 4, 0x20),
    "max": (0x33, 6, 0x05), "maxu": (0x33, 7, 0x05), "min": (0x33, 4, 0x05),
    "minu": (0x33, 5, 0x05), "rol": (0x33, 1, 0x30), "ror": (0x33, 5, 0x30),
    "rolw": (0x3B, 1, 0x30), "rorw": (0x3B, 5, 0x30),
    # Zbs
    "bclr": (0x33, 1, 0x24), "bext": (0x33, 5, 0x24), "binv": (0x33, 1, 0x34),
    "bset": (0x33, 1, 0x14),
}

# one-source ops with a fixed imm12 field: name: (opcode, funct3, imm12)
UNARY_OPS = {
    "clz": (0x13, 1, 0x600), "ctz": (0x13, 1, 0x601), "cpop": (0x13, 1, 0x602),
    "sext.b": (0x13, 1, 0x604), "sext.h": (0x13, 1, 0x605),
    "clzw": (0x1B, 1, 0x600), "ctzw": (0x1B, 1, 0x601), "cpopw": (0x1B, 1, 0x602),
    "orc.b": (0x13, 5, 0x287), "rev8": (0x13, 5, 0x6B8),
    "zext.h": (0x3B, 4, 0x080),          # R-type with rs2 = 0, funct7 = 0x04
}

I_OPS = {"addi": 0, "slti": 2, "sltiu": 3, "xori": 4, "ori": 6, "andi": 7}

# shift-immediate ops: name: (opcode, funct3, high bits, shamt width)
SHIFT_OPS = {
    "slli": (0x13, 1, 0x00, 6), "srli": (0x13, 5, 0x00, 6), "srai": (0x13, 5, 0x10, 6),
    "slliw": (0x1B, 1, 0x00, 5), "srliw": (0x1B, 5, 0x00, 5), "sraiw": (0x1B, 5, 0x20, 5),
    "rori": (0x13, 5, 0x18, 6), "roriw": (0x1B, 5, 0x30, 5), "slli.uw": (0x1B, 1, 0x02, 6),
    "bclri": (0x13, 1, 0x12, 6), "bexti": (0x13, 5, 0x12, 6), "binvi": (0x13, 1, 0x1A, 6),
    "bseti": (0x13, 1, 0x0A, 6),
}

LOADS = {"lb": (0, 1), "lh": (1, 2), "lw": (2, 4), "ld": (3, 8), "lbu": (4, 1),
         "lhu": (5, 2), "lwu": (6, 4)}
STORES = {"sb": (0, 1), "sh": (1, 2), "sw": (2, 4), "sd": (3, 8)}
BRANCHES = {"beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7}


def r_op(name, rd, rs1, rs2):
    opc, f3, f7 = R_OPS[name]
    return ins(r_type(opc, f3, f7, rd, rs1, rs2), "%s %s,%s,%s" % (name, x(rd), x(rs1), x(rs2)))


def unary_op(name, rd, rs1):
    opc, f3, imm = UNARY_OPS[name]
    return ins(i_type(opc, f3, rd, rs1, imm), "%s %s,%s" % (name, x(rd), x(rs1)))


def i_op(name, rd, rs1, imm):
    _chk(imm, -2048, 2047, "imm12")
    return ins(i_type(0x13, I_OPS[name], rd, rs1, imm), "%s %s,%s,%d" % (name, x(rd), x(rs1), imm))


def addiw(rd, rs1, imm):
    _chk(imm, -2048, 2047, "imm12")
    return ins(i_type(0x1B, 0, rd, rs1, imm), "addiw %s,%s,%d" % (x(rd), x(rs1), imm))


def shift_op(name, rd, rs1, sh):
    opc, f3, hi, width = SHIFT_OPS[name]
    _chk(sh, 0, (1 << width) - 1, "shamt")
    return ins(i_type(opc, f3, rd, rs1, hi << width | sh),
               "%s %s,%s,0x%x" % (name, x(rd), x(rs1), sh))


def lui(rd, imm20):
    return ins(u_type(0x37, rd, imm20), "lui %s,0x%x" % (x(rd), imm20))


def auipc(rd, imm20):
    return ins(u_type(0x17, rd, imm20), "auipc %s,0x%x" % (x(rd), imm20))


def load(name, rd, rs1, off):
    f3, _ = LOADS[name]
    _chk(off, -2048, 2047, "load offset")
    return ins(i_type(0x03, f3, rd, rs1, off), "%s %s,%d(%s)" % (name, x(rd), off, x(rs1)))


def store(name, rs2, rs1, off):
    f3, _ = STORES[name]
    return ins(s_type(0x23, f3, rs1, rs2, off), "%s %s,%d(%s)" % (name, x(rs2), off, x(rs1)))


def branch(name, rs1, rs2, off, pc):
    return ins(b_type(BRANCHES[name], rs1, rs2, off),
               "%s %s,%s,%x" % (name, x(rs1), x(rs2), pc + off))


def jal(rd, off, pc):
    return ins(j_type(rd, off), "jal %s,%x" % (x(rd), pc + off))


def jalr(rd, rs1, off):
    return ins(i_type(0x67, 0, rd, rs1, off), "jalr %s,%d(%s)" % (x(rd), off, x(rs1)))


FENCE_BITS = "iorw"


def _fence_set(v):
    return "".join(c for i, c in enumerate(FENCE_BITS) if v >> (3 - i) & 1)


def fence(pred, succ):
    _chk(pred, 1, 15, "pred")
    _chk(succ, 1, 15, "succ")
    return ins(pred << 24 | succ << 20 | 0x0F, "fence %s,%s" % (_fence_set(pred), _fence_set(succ)))


def fence_tso():
    return ins(0x8330000F, "fence.tso")


def fence_i():
    return ins(0x0000100F, "fence.i")


# ----------------------------------------------------------------- A
AMO_OPS = {"amoswap": 0x01, "amoadd": 0x00, "amoxor": 0x04, "amoand": 0x0C, "amoor": 0x08,
           "amomin": 0x10, "amomax": 0x14, "amominu": 0x18, "amomaxu": 0x1C}
ORDER = ["", ".rl", ".aq", ".aqrl"]       # index = aq << 1 | rl


def _amo_word(f5, width, aqrl, rd, rs1, rs2):
    return f5 << 27 | aqrl << 25 | rs2 << 20 | rs1 << 15 | (2 if width == "w" else 3) << 12 | \
        rd << 7 | 0x2F


def amo(name, width, aqrl, rd, rs2, rs1):
    return ins(_amo_word(AMO_OPS[name], width, aqrl, rd, rs1, rs2),
               "%s.%s%s %s,%s,(%s)" % (name, width, ORDER[aqrl], x(rd), x(rs2), x(rs1)))


def lr(width, aqrl, rd, rs1):
    return ins(_amo_word(0x02, width, aqrl, rd, rs1, 0),
               "lr.%s%s %s,(%s)" % (width, ORDER[aqrl], x(rd), x(rs1)))


def sc(width, aqrl, rd, rs2, rs1):
    return ins(_amo_word(0x03, width, aqrl, rd, rs1, rs2),
               "sc.%s%s %s,%s,(%s)" % (width, ORDER[aqrl], x(rd), x(rs2), x(rs1)))


# ----------------------------------------------------------------- Zicsr (FP CSRs only)
CSR_F3 = {"csrrw": 1, "csrrs": 2, "csrrc": 3, "csrrwi": 5, "csrrsi": 6, "csrrci": 7}


def csr(name, rd, csrno, src):
    return ins(csrno << 20 | src << 15 | CSR_F3[name] << 12 | rd << 7 | 0x73,
               "%s %s,%s,%s" % (name, x(rd), CSR_NAMES[csrno],
                                src if name.endswith("i") else x(src)))


# ----------------------------------------------------------------- F / D
FMT = {"s": 0, "d": 1}
FP_BIN = {"fadd": 0x00, "fsub": 0x04, "fmul": 0x08, "fdiv": 0x0C}
FP_SGNJ = {"fsgnj": 0, "fsgnjn": 1, "fsgnjx": 2}
FP_MINMAX = {"fmin": 0, "fmax": 1}
FP_CMP = {"feq": 2, "flt": 1, "fle": 0}
FMA = {"fmadd": 0x43, "fmsub": 0x47, "fnmsub": 0x4B, "fnmadd": 0x4F}
CVT_INT = {"w": 0, "wu": 1, "l": 2, "lu": 3}


def _rm(rm):
    return "" if rm == 7 else "," + RM_NAMES[rm]


def fp_bin(name, fmt, rd, rs1, rs2, rm):
    return ins(r_type(0x53, rm, FP_BIN[name] | FMT[fmt], rd, rs1, rs2),
               "%s.%s %s,%s,%s%s" % (name, fmt, f(rd), f(rs1), f(rs2), _rm(rm)))


def fsqrt(fmt, rd, rs1, rm):
    return ins(r_type(0x53, rm, 0x2C | FMT[fmt], rd, rs1, 0),
               "fsqrt.%s %s,%s%s" % (fmt, f(rd), f(rs1), _rm(rm)))


def fsgnj(name, fmt, rd, rs1, rs2):
    return ins(r_type(0x53, FP_SGNJ[name], 0x10 | FMT[fmt], rd, rs1, rs2),
               "%s.%s %s,%s,%s" % (name, fmt, f(rd), f(rs1), f(rs2)))


def fminmax(name, fmt, rd, rs1, rs2):
    return ins(r_type(0x53, FP_MINMAX[name], 0x14 | FMT[fmt], rd, rs1, rs2),
               "%s.%s %s,%s,%s" % (name, fmt, f(rd), f(rs1), f(rs2)))


def fcmp(name, fmt, rd, rs1, rs2):
    return ins(r_type(0x53, FP_CMP[name], 0x50 | FMT[fmt], rd, rs1, rs2),
               "%s.%s %s,%s,%s" % (name, fmt, x(rd), f(rs1), f(rs2)))


def fclass(fmt, rd, rs1):
    return ins(r_type(0x53, 1, 0x70 | FMT[fmt], rd, rs1, 0), "fclass.%s %s,%s" % (fmt, x(rd), f(rs1)))


def fmv_x_f(fmt, rd, rs1):
    return ins(r_type(0x53, 0, 0x70 | FMT[fmt], rd, rs1, 0),
               "fmv.x.%s %s,%s" % ("w" if fmt == "s" else "d", x(rd), f(rs1)))


def fmv_f_x(fmt, rd, rs1):
    return ins(r_type(0x53, 0, 0x78 | FMT[fmt], rd, rs1, 0),
               "fmv.%s.x %s,%s" % ("w" if fmt == "s" else "d", f(rd), x(rs1)))


def fcvt_int_fp(kind, fmt, rd, rs1, rm):
    """fcvt.{w,wu,l,lu}.{s,d}: integer rd <- fp rs1."""
    return ins(r_type(0x53, rm, 0x60 | FMT[fmt], rd, rs1, CVT_INT[kind]),
               "fcvt.%s.%s %s,%s%s" % (kind, fmt, x(rd), f(rs1), _rm(rm)))


def fcvt_fp_int(fmt, kind, rd, rs1, rm):
    """fcvt.{s,d}.{w,wu,l,lu}: fp rd <- integer rs1."""
    word = r_type(0x53, rm, 0x68 | FMT[fmt], rd, rs1, CVT_INT[kind])
    if fmt == "d" and kind in ("w", "wu"):
        # exact conversion: binutils prints no rounding mode (and only knows rm=0)
        text = "fcvt.d.%s %s,%s" % (kind, f(rd), x(rs1)) if rm == 0 else ".4byte 0x%x" % word
    else:
        text = "fcvt.%s.%s %s,%s%s" % (fmt, kind, f(rd), x(rs1), _rm(rm))
    return ins(word, text)


def fcvt_s_d(rd, rs1, rm):
    return ins(r_type(0x53, rm, 0x20, rd, rs1, 1), "fcvt.s.d %s,%s%s" % (f(rd), f(rs1), _rm(rm)))


def fcvt_d_s(rd, rs1, rm):
    word = r_type(0x53, rm, 0x21, rd, rs1, 0)
    return ins(word, "fcvt.d.s %s,%s" % (f(rd), f(rs1)) if rm == 0 else ".4byte 0x%x" % word)


def fma(name, fmt, rd, rs1, rs2, rs3, rm):
    return ins(rs3 << 27 | FMT[fmt] << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | FMA[name],
               "%s.%s %s,%s,%s,%s%s" % (name, fmt, f(rd), f(rs1), f(rs2), f(rs3), _rm(rm)))


def fload(fmt, rd, rs1, off):
    return ins(i_type(0x07, 2 if fmt == "s" else 3, rd, rs1, off),
               "%s %s,%d(%s)" % ("flw" if fmt == "s" else "fld", f(rd), off, x(rs1)))


def fstore(fmt, rs2, rs1, off):
    return ins(s_type(0x27, 2 if fmt == "s" else 3, rs1, rs2, off),
               "%s %s,%d(%s)" % ("fsw" if fmt == "s" else "fsd", f(rs2), off, x(rs1)))


# ----------------------------------------------------------------- RVC
def c(word, text):
    return Insn(word, 2, text)


def _cr(r):
    assert 8 <= r <= 15, r
    return r - 8


def _bits(v, hi, lo):
    return (v >> lo) & ((1 << (hi - lo + 1)) - 1)


def c_addi4spn(rd, imm):
    _chk(imm, 4, 1020, "nzuimm")
    assert imm % 4 == 0
    w = _bits(imm, 5, 4) << 11 | _bits(imm, 9, 6) << 7 | _bits(imm, 2, 2) << 6 | \
        _bits(imm, 3, 3) << 5 | _cr(rd) << 2
    return c(w, "c.addi4spn %s,x2,%d" % (x(rd), imm))


def _c_ls8(f3, r1, r2, off):      # c.ld / c.sd / c.fld / c.fsd layout
    _chk(off, 0, 248, "offset")
    assert off % 8 == 0
    return f3 << 13 | _bits(off, 5, 3) << 10 | _cr(r1) << 7 | _bits(off, 7, 6) << 5 | _cr(r2) << 2


def _c_ls4(f3, r1, r2, off):      # c.lw / c.sw layout
    _chk(off, 0, 124, "offset")
    assert off % 4 == 0
    return f3 << 13 | _bits(off, 5, 3) << 10 | _cr(r1) << 7 | _bits(off, 2, 2) << 6 | \
        _bits(off, 6, 6) << 5 | _cr(r2) << 2


def c_ld(rd, rs1, off):
    return c(_c_ls8(3, rs1, rd, off), "c.ld %s,%d(%s)" % (x(rd), off, x(rs1)))


def c_fld(rd, rs1, off):
    return c(_c_ls8(1, rs1, rd, off), "c.fld %s,%d(%s)" % (f(rd), off, x(rs1)))


def c_lw(rd, rs1, off):
    return c(_c_ls4(2, rs1, rd, off), "c.lw %s,%d(%s)" % (x(rd), off, x(rs1)))


def c_sd(rs2, rs1, off):
    return c(_c_ls8(7, rs1, rs2, off), "c.sd %s,%d(%s)" % (x(rs2), off, x(rs1)))


def c_fsd(rs2, rs1, off):
    return c(_c_ls8(5, rs1, rs2, off), "c.fsd %s,%d(%s)" % (f(rs2), off, x(rs1)))


def c_sw(rs2, rs1, off):
    return c(_c_ls4(6, rs1, rs2, off), "c.sw %s,%d(%s)" % (x(rs2), off, x(rs1)))


def _ci(f3, rd, imm, op=1):
    return f3 << 13 | _bits(imm, 5, 5) << 12 | rd << 7 | _bits(imm, 4, 0) << 2 | op


def c_addi(rd, imm):
    _chk(imm, -32, 31, "imm6")
    return c(_ci(0, rd, imm), "c.addi %s,%d" % (x(rd), imm))


def c_nop():
    return c(0x0001, "c.addi x0,0")


def c_addiw(rd, imm):
    assert rd != 0
    _chk(imm, -32, 31, "imm6")
    return c(_ci(1, rd, imm), "c.addiw %s,%d" % (x(rd), imm))


def c_li(rd, imm):
    _chk(imm, -32, 31, "imm6")
    return c(_ci(2, rd, imm), "c.li %s,%d" % (x(rd), imm))


def c_addi16sp(imm):
    _chk(imm, -512, 496, "nzimm")
    assert imm % 16 == 0 and imm != 0
    w = 3 << 13 | _bits(imm, 9, 9) << 12 | 2 << 7 | _bits(imm, 4, 4) << 6 | \
        _bits(imm, 6, 6) << 5 | _bits(imm, 8, 7) << 3 | _bits(imm, 5, 5) << 2 | 1
    return c(w, "c.addi16sp x2,%d" % imm)


def c_lui(rd, imm6):
    """imm6 is the signed 6-bit value of nzimm[17:12] (-32..31, not 0)."""
    assert rd not in (0, 2) and imm6 != 0
    _chk(imm6, -32, 31, "nzimm")
    return c(_ci(3, rd, imm6), "c.lui %s,0x%x" % (x(rd), imm6 & 0xFFFFF))


def c_shift(name, rd, sh):
    _chk(sh, 1, 63, "shamt")
    if name == "c.slli":
        return c(_ci(0, rd, sh, 2), "c.slli %s,0x%x" % (x(rd), sh))
    f2 = {"c.srli": 0, "c.srai": 1}[name]
    w = 4 << 13 | _bits(sh, 5, 5) << 12 | f2 << 10 | _cr(rd) << 7 | _bits(sh, 4, 0) << 2 | 1
    return c(w, "%s %s,0x%x" % (name, x(rd), sh))


def c_andi(rd, imm):
    _chk(imm, -32, 31, "imm6")
    w = 4 << 13 | _bits(imm, 5, 5) << 12 | 2 << 10 | _cr(rd) << 7 | _bits(imm, 4, 0) << 2 | 1
    return c(w, "c.andi %s,%d" % (x(rd), imm))


C_ARITH = {"c.sub": (0, 0), "c.xor": (0, 1), "c.or": (0, 2), "c.and": (0, 3),
           "c.subw": (1, 0), "c.addw": (1, 1)}


def c_arith(name, rd, rs2):
    b12, f2 = C_ARITH[name]
    w = 4 << 13 | b12 << 12 | 3 << 10 | _cr(rd) << 7 | f2 << 5 | _cr(rs2) << 2 | 1
    return c(w, "%s %s,%s" % (name, x(rd), x(rs2)))


def c_j(off, pc):
    _chk(off, -2048, 2046, "c.j offset")
    o = off & 0xFFF
    w = 5 << 13 | _bits(o, 11, 11) << 12 | _bits(o, 4, 4) << 11 | _bits(o, 9, 8) << 9 | \
        _bits(o, 10, 10) << 8 | _bits(o, 6, 6) << 7 | _bits(o, 7, 7) << 6 | \
        _bits(o, 3, 1) << 3 | _bits(o, 5, 5) << 2 | 1
    return c(w, "c.j %x" % (pc + off))


def c_bz(name, rs1, off, pc):
    _chk(off, -256, 254, "c.b offset")
    o = off & 0x1FF
    f3 = 6 if name == "c.beqz" else 7
    w = f3 << 13 | _bits(o, 8, 8) << 12 | _bits(o, 4, 3) << 10 | _cr(rs1) << 7 | \
        _bits(o, 7, 6) << 5 | _bits(o, 2, 1) << 3 | _bits(o, 5, 5) << 2 | 1
    return c(w, "%s %s,%x" % (name, x(rs1), pc + off))


def c_ldsp(rd, off, fp=False):
    _chk(off, 0, 504, "offset")
    assert off % 8 == 0
    w = (1 if fp else 3) << 13 | _bits(off, 5, 5) << 12 | rd << 7 | _bits(off, 4, 3) << 5 | \
        _bits(off, 8, 6) << 2 | 2
    return c(w, "%s %s,%d(x2)" % ("c.fldsp" if fp else "c.ldsp", f(rd) if fp else x(rd), off))


def c_lwsp(rd, off):
    _chk(off, 0, 252, "offset")
    assert off % 4 == 0 and rd != 0
    w = 2 << 13 | _bits(off, 5, 5) << 12 | rd << 7 | _bits(off, 4, 2) << 4 | \
        _bits(off, 7, 6) << 2 | 2
    return c(w, "c.lwsp %s,%d(x2)" % (x(rd), off))


def c_sdsp(rs2, off, fp=False):
    _chk(off, 0, 504, "offset")
    assert off % 8 == 0
    w = (5 if fp else 7) << 13 | _bits(off, 5, 3) << 10 | _bits(off, 8, 6) << 7 | rs2 << 2 | 2
    return c(w, "%s %s,%d(x2)" % ("c.fsdsp" if fp else "c.sdsp", f(rs2) if fp else x(rs2), off))


def c_swsp(rs2, off):
    _chk(off, 0, 252, "offset")
    assert off % 4 == 0
    w = 6 << 13 | _bits(off, 5, 2) << 9 | _bits(off, 7, 6) << 7 | rs2 << 2 | 2
    return c(w, "c.swsp %s,%d(x2)" % (x(rs2), off))


def c_jr(rs1, link=False):
    assert rs1 != 0
    return c(4 << 13 | (1 if link else 0) << 12 | rs1 << 7 | 2,
             "%s %s" % ("c.jalr" if link else "c.jr", x(rs1)))


def c_mv(rd, rs2, add=False):
    assert rs2 != 0
    return c(4 << 13 | (1 if add else 0) << 12 | rd << 7 | rs2 << 2 | 2,
             "%s %s,%s" % ("c.add" if add else "c.mv", x(rd), x(rs2)))
