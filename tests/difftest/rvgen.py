#!/usr/bin/env python3
"""Random RISC-V instruction-sequence generator for the differential tester.

Produces valid RV64IMAFDC + Zicsr + Zba/Zbb/Zbs sequences as raw machine
code (see rvenc.py), weighted towards tricky cases: x0 destinations,
boundary immediates, shifts by 0/31/32/63, division by zero and by -1,
special integer and NaN/infinity/subnormal values, every rounding mode
including dynamic, AMOs and LR/SC on aligned scratch addresses, misaligned
plain loads/stores, forward branches and jumps inside the sequence only.

Register conventions shared with harness.c / trampoline.S:
  x9  (s1)  BASE, points into the scratch buffer; never written
  x2  (sp)  BASE - 1024, second base for sp-relative compressed forms;
            only moved by balanced c.addi16sp pairs
Every memory access stays in [BASE - 2048, BASE + 512).

Sequences are made of "groups" (one instruction, or a short pattern such
as auipc+jalr or addi+amo that must run as a unit); branch targets are
always group boundaries or the end of the sequence.

    rvgen.py --count 1000 --seed 1 -o seqs.bin     # write a sequence file
    rvgen.py --selftest                            # cross-check against objdump

Sequence file format (little-endian): b"RVDT", u32 version (1), u32 count,
then per sequence: u64 seed (harness derives initial registers, fcsr and
scratch contents from it), u32 code length in bytes, code bytes.
"""
import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rvenc as E  # noqa: E402

MAGIC, VERSION = b"RVDT", 1
BASE_REG, SP_REG = 9, 2
LO, HI = -2048, 512                  # valid data range relative to BASE
SP_OFF = -1024                       # sp = BASE + SP_OFF
WRITABLE = [r for r in range(1, 32) if r not in (BASE_REG, SP_REG)]
CW = [8, 10, 11, 12, 13, 14, 15]     # writable compressed registers
CR = list(range(8, 16))              # readable compressed registers
RMS = [0, 1, 2, 3, 4, 7]

# --------------------------------------------------------------- sequence model


class Fix:
    """A control-transfer instruction whose encoding depends on its address
    and on the address of a later group."""
    __slots__ = ("size", "make", "target")

    def __init__(self, size, make, target):
        self.size, self.make, self.target = size, make, target


def layout(groups, base_pc=0):
    """Resolve Fix items; returns the list of Insn."""
    starts, pc = [], base_pc
    for g in groups:
        starts.append(pc)
        pc += sum(it.size for it in g)
    starts.append(pc)
    out, pc = [], base_pc
    for gi, g in enumerate(groups):
        for it in g:
            if isinstance(it, Fix):
                tgt = starts[min(gi + it.target, len(groups))]
                insn = it.make(pc, tgt)
                assert insn.size == it.size
            else:
                insn = it
            out.append(insn)
            pc += insn.size
    return out


class Gen:
    def __init__(self, rng, qemu_workarounds=True):
        self.r = rng
        self.qemu_workarounds = qemu_workarounds
        self.cats = [
            (self.g_alu_r, 14), (self.g_alu_i, 10), (self.g_shift_i, 6), (self.g_upper, 3),
            (self.g_muldiv, 8), (self.g_zb, 10), (self.g_load, 6), (self.g_store, 5),
            (self.g_branch, 5), (self.g_jump, 3), (self.g_fp_arith, 10), (self.g_fma, 4),
            (self.g_fcvt, 6), (self.g_fp_misc, 6), (self.g_fp_mem, 4), (self.g_amo, 4),
            (self.g_lrsc, 2), (self.g_csr, 3), (self.g_fence, 1), (self.g_rvc, 12),
            (self.g_rvc_ctl, 2), (self.g_special, 4),
        ]
        self.funcs = [c[0] for c in self.cats]
        self.weights = [c[1] for c in self.cats]

    # ---- random helpers
    def chance(self, p):
        return self.r.random() < p

    def rd(self):
        return 0 if self.chance(0.06) else self.r.choice(WRITABLE)

    def rs(self):
        return 0 if self.chance(0.06) else self.r.randrange(32)

    def fr(self):
        return self.r.randrange(32)

    def rm(self):
        return 7 if self.chance(0.3) else self.r.randrange(5)

    def imm12(self):
        if self.chance(0.3):
            return self.r.choice([0, 1, -1, 2047, -2048, 31, 32, 63, 64, -2, 0x7F, 0x80])
        return self.r.randint(-2048, 2047)

    def shamt(self, width):
        if self.chance(0.5):
            return self.r.choice([0, 1, 31, 32, 63] if width == 6 else [0, 1, 15, 31])
        return self.r.randrange(1 << width)

    def imm20(self):
        if self.chance(0.3):
            return self.r.choice([0, 1, 0x80000, 0xFFFFF, 0x7FFFF, 0x7FF00, 0x7F800, 0xFFF80])
        return self.r.randrange(1 << 20)

    def addr(self, size, align_prob=0.7):
        """(base register, offset, prefix group items) for a size-byte access."""
        k = self.r.random()
        if k < 0.65:
            base, bias, pre = BASE_REG, 0, []
        elif k < 0.85:
            base, bias, pre = SP_REG, SP_OFF, []
        else:
            base = self.r.choice(WRITABLE)
            bias = self.r.randint(LO, HI - 1)
            pre = [E.i_op("addi", base, BASE_REG, bias)]
        a = self.r.randint(max(LO, bias - 2048), min(HI - size, bias + 2047))
        if self.chance(align_prob) and a - a % size >= max(LO, bias - 2048):
            a -= a % size
        off = a - bias
        assert -2048 <= off <= 2047
        return base, off, pre

    def aligned_addr_reg(self, size):
        """A register holding an aligned scratch address: (reg, prefix)."""
        k = self.r.random()
        if k < 0.25:
            return BASE_REG, []
        if k < 0.35:
            return SP_REG, []
        t = self.r.choice(WRITABLE)
        a = self.r.randrange(LO, HI - size, size)
        return t, [E.i_op("addi", t, BASE_REG, a)]

    # ---- categories; each returns a group (list of Insn/Fix)
    def g_alu_r(self):
        name = self.r.choice(["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or",
                              "and", "addw", "subw", "sllw", "srlw", "sraw"])
        a = self.rs()
        return [E.r_op(name, self.rd(), a, a if self.chance(0.1) else self.rs())]

    def g_alu_i(self):
        if self.chance(0.15):
            return [E.addiw(self.rd(), self.rs(), self.imm12())]
        return [E.i_op(self.r.choice(list(E.I_OPS)), self.rd(), self.rs(), self.imm12())]

    def g_shift_i(self):
        name = self.r.choice(["slli", "srli", "srai", "slliw", "srliw", "sraiw"])
        return [E.shift_op(name, self.rd(), self.rs(), self.shamt(E.SHIFT_OPS[name][3]))]

    def g_upper(self):
        if self.chance(0.5):
            return [E.lui(self.rd(), self.imm20())]
        return [E.auipc(self.rd(), self.imm20())]

    def g_muldiv(self):
        name = self.r.choice(["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
                              "mulw", "divw", "divuw", "remw", "remuw"])
        k = self.r.random()
        if k < 0.15:                                   # divide by zero
            return [E.r_op(name, self.rd(), self.rs(), 0)]
        if k < 0.3:                                    # by -1, often INT_MIN / -1
            t = self.r.choice(WRITABLE)
            pre = [E.i_op("addi", t, 0, -1)]
            a = self.rs()
            if self.chance(0.5):
                a = self.r.choice([r for r in WRITABLE if r != t])
                pre.append(E.i_op("addi", a, 0, 1))
                pre.append(E.shift_op("slli", a, a, 63 if name[-1] != "w" else 31))
            return pre + [E.r_op(name, self.rd(), a, t)]
        return [E.r_op(name, self.rd(), self.rs(), self.rs())]

    def g_zb(self):
        k = self.r.random()
        if k < 0.45:
            name = self.r.choice(["sh1add", "sh2add", "sh3add", "add.uw", "sh1add.uw",
                                  "sh2add.uw", "sh3add.uw", "andn", "orn", "xnor", "max",
                                  "maxu", "min", "minu", "rol", "ror", "rolw", "rorw", "bclr",
                                  "bext", "binv", "bset"])
            return [E.r_op(name, self.rd(), self.rs(), self.rs())]
        if k < 0.75:
            name = self.r.choice(list(E.UNARY_OPS))
            rd, rs = self.rd(), self.rs()
            if name == "ctzw" and self.qemu_workarounds and rd != 0:
                # qemu 7.2 returns ctz(x) instead of 32 when the low word is
                # zero but higher bits are set; sign-extend first so both
                # agree (see tests/tcg/riscv64/qemu_divergence.c)
                return [E.addiw(rd, rs, 0), E.unary_op(name, rd, rd)]
            if name == "ctzw" and self.qemu_workarounds:
                return [E.unary_op("ctz", rd, rs)]
            return [E.unary_op(name, rd, rs)]
        name = self.r.choice(["rori", "roriw", "slli.uw", "bclri", "bexti", "binvi", "bseti"])
        return [E.shift_op(name, self.rd(), self.rs(), self.shamt(E.SHIFT_OPS[name][3]))]

    def g_load(self):
        name = self.r.choice(list(E.LOADS))
        base, off, pre = self.addr(E.LOADS[name][1])
        return pre + [E.load(name, self.rd(), base, off)]

    def g_store(self):
        name = self.r.choice(list(E.STORES))
        base, off, pre = self.addr(E.STORES[name][1])
        return pre + [E.store(name, self.rs(), base, off)]

    def g_branch(self):
        name = self.r.choice(list(E.BRANCHES))
        a = self.rs()
        b = a if self.chance(0.2) else self.rs()
        t = self.r.randint(1, 5)
        return [Fix(4, lambda pc, tgt: E.branch(name, a, b, tgt - pc, pc), t)]

    def g_jump(self):
        t = self.r.randint(1, 4)
        rd = self.r.choice([0, 1, self.rd()])
        if self.chance(0.5):
            return [Fix(4, lambda pc, tgt: E.jal(rd, tgt - pc, pc), t)]
        tmp = self.r.choice(WRITABLE)
        odd = 1 if self.chance(0.2) else 0           # jalr ignores bit 0 of the target
        holder = {}

        def mk_auipc(pc, tgt):
            holder["pc"] = pc
            return E.auipc(tmp, 0)
        return [Fix(4, mk_auipc, t),
                Fix(4, lambda pc, tgt: E.jalr(rd, tmp, tgt - holder["pc"] + odd), t)]

    def g_fp_arith(self):
        fmt = self.r.choice("sd")
        if self.chance(0.2):
            return [E.fsqrt(fmt, self.fr(), self.fr(), self.rm())]
        a = self.fr()
        return [E.fp_bin(self.r.choice(list(E.FP_BIN)), fmt, self.fr(), a,
                         a if self.chance(0.1) else self.fr(), self.rm())]

    def g_fma(self):
        return [E.fma(self.r.choice(list(E.FMA)), self.r.choice("sd"), self.fr(), self.fr(),
                      self.fr(), self.fr(), self.rm())]

    def g_fcvt(self):
        k = self.r.random()
        fmt = self.r.choice("sd")
        kind = self.r.choice(list(E.CVT_INT))
        if k < 0.4:
            return [E.fcvt_int_fp(kind, fmt, self.rd(), self.fr(), self.rm())]
        if k < 0.75:
            return [E.fcvt_fp_int(fmt, kind, self.fr(), self.rs(), self.rm())]
        if k < 0.9:
            return [E.fcvt_s_d(self.fr(), self.fr(), self.rm())]
        return [E.fcvt_d_s(self.fr(), self.fr(), self.rm())]

    def g_fp_misc(self):
        fmt = self.r.choice("sd")
        k = self.r.randrange(6)
        if k == 0:
            a = self.fr()
            return [E.fsgnj(self.r.choice(list(E.FP_SGNJ)), fmt, self.fr(), a,
                            a if self.chance(0.3) else self.fr())]
        if k == 1:
            return [E.fminmax(self.r.choice(list(E.FP_MINMAX)), fmt, self.fr(), self.fr(),
                              self.fr())]
        if k == 2:
            a = self.fr()
            return [E.fcmp(self.r.choice(list(E.FP_CMP)), fmt, self.rd(), a,
                           a if self.chance(0.2) else self.fr())]
        if k == 3:
            return [E.fclass(fmt, self.rd(), self.fr())]
        if k == 4:
            return [E.fmv_x_f(fmt, self.rd(), self.fr())]
        return [E.fmv_f_x(fmt, self.fr(), self.rs())]

    def g_fp_mem(self):
        fmt = self.r.choice("sd")
        base, off, pre = self.addr(4 if fmt == "s" else 8)
        if self.chance(0.5):
            return pre + [E.fload(fmt, self.fr(), base, off)]
        return pre + [E.fstore(fmt, self.fr(), base, off)]

    def g_amo(self):
        w = self.r.choice("wd")
        reg, pre = self.aligned_addr_reg(4 if w == "w" else 8)
        return pre + [E.amo(self.r.choice(list(E.AMO_OPS)), w, self.r.randrange(4), self.rd(),
                            self.rs(), reg)]

    def g_lrsc(self):
        w = self.r.choice("wd")
        size = 4 if w == "w" else 8
        t = self.r.choice(WRITABLE)
        a = self.r.randrange(LO, HI - size, size)
        g = [E.i_op("addi", t, BASE_REG, a)]
        k = self.r.random()
        if k < 0.75:                      # lr ... sc to the same address: succeeds
            rd1 = self.r.choice([0] + [r for r in WRITABLE if r != t])
            g.append(E.lr(w, self.r.randrange(4), rd1, t))
            for _ in range(self.r.randrange(4)):
                rd = self.r.choice([r for r in WRITABLE if r != t])
                g.append(E.r_op(self.r.choice(["add", "xor", "sltu", "mulw", "sub"]), rd,
                                self.rs(), self.rs()))
        elif k < 0.9:                     # lr here, sc far away: fails
            t2 = self.r.choice([r for r in WRITABLE if r != t])
            g.append(E.lr(w, self.r.randrange(4), self.r.choice([r for r in WRITABLE if r != t]),
                          t))
            a2 = a + 256 if a + 256 < HI - size else a - 256
            g.append(E.i_op("addi", t2, BASE_REG, a2))
            t = t2
        # else: sc with no reservation: fails
        g.append(E.sc(w, self.r.randrange(4), self.rd(), self.rs(), t))
        return g

    def g_csr(self):
        k = self.r.randrange(8)
        rd = self.rd()
        if k == 0:
            return [E.csr(self.r.choice(["csrrw", "csrrs", "csrrc"]), rd, 1, self.rs())]
        if k == 1:
            return [E.csr("csrrc", rd, self.r.choice([2, 3]), self.rs())]
        if k == 2:
            return [E.csr("csrrs", rd, self.r.choice([1, 2, 3]), 0)]
        if k == 3:
            return [E.csr("csrrwi", rd, 2, self.r.randrange(5))]
        if k == 4:
            return [E.csr("csrrwi", rd, 3, self.r.randrange(32))]
        if k == 5:
            return [E.csr("csrrsi", rd, self.r.choice([1, 3]), self.r.randrange(32))]
        if k == 6:
            return [E.csr("csrrci", rd, self.r.choice([1, 2, 3]), self.r.randrange(32))]
        return [E.csr("csrrwi", rd, 1, self.r.randrange(32))]

    def g_fence(self):
        k = self.r.randrange(3)
        if k == 0:
            return [E.fence(self.r.randint(1, 15), self.r.randint(1, 15))]
        return [E.fence_tso() if k == 1 else E.fence_i()]

    def g_rvc(self):
        r, k = self.r, self.r.randrange(22)
        if k == 0:
            return [E.c_addi4spn(r.choice(CW), 4 * r.randint(1, 255))]
        if k in (1, 2, 3):
            fn = [E.c_ld, E.c_lw, E.c_fld][k - 1]
            off = r.randrange(0, 249, 8) if fn is not E.c_lw else r.randrange(0, 125, 4)
            return [fn(r.choice(CR) if fn is E.c_fld else r.choice(CW), BASE_REG, off)]
        if k in (4, 5, 6):
            fn = [E.c_sd, E.c_sw, E.c_fsd][k - 4]
            off = r.randrange(0, 249, 8) if fn is not E.c_sw else r.randrange(0, 125, 4)
            return [fn(r.choice(CR), BASE_REG, off)]
        if k == 7:
            return [E.c_nop()]
        if k == 8:
            return [E.c_addi(r.choice(WRITABLE), r.choice([i for i in range(-32, 32) if i]))]
        if k == 9:
            return [E.c_addiw(r.choice(WRITABLE), r.randint(-32, 31))]
        if k == 10:
            return [E.c_li(r.choice(WRITABLE), r.randint(-32, 31))]
        if k == 11:
            return [E.c_lui(r.choice(WRITABLE), r.choice([i for i in range(-32, 32) if i]))]
        if k in (12, 13):
            name = r.choice(["c.srli", "c.srai"]) if k == 12 else "c.slli"
            rd = r.choice(CW) if k == 12 else r.choice(WRITABLE)
            return [E.c_shift(name, rd, r.choice([1, 31, 32, 63, r.randint(1, 63)]))]
        if k == 14:
            return [E.c_andi(r.choice(CW), r.randint(-32, 31))]
        if k in (15, 16):
            return [E.c_arith(r.choice(list(E.C_ARITH)), r.choice(CW), r.choice(CR))]
        if k == 17:
            return [E.c_mv(r.choice(WRITABLE), r.randint(1, 31), add=r.random() < 0.5)]
        if k == 18:
            if r.random() < 0.5:
                return [E.c_ldsp(r.choice(WRITABLE), r.randrange(0, 505, 8))]
            return [E.c_lwsp(r.choice(WRITABLE), r.randrange(0, 253, 4))]
        if k == 19:
            return [E.c_ldsp(self.fr(), r.randrange(0, 505, 8), fp=True)]
        if k == 20:
            if r.random() < 0.5:
                return [E.c_sdsp(r.randrange(32), r.randrange(0, 505, 8), fp=r.random() < 0.3)]
            return [E.c_swsp(r.randrange(32), r.randrange(0, 253, 4))]
        # balanced sp adjustment around an sp-relative access
        n = 16 * r.choice([i for i in range(-31, 32) if i])
        mid = r.choice([E.c_ldsp(r.choice(WRITABLE), r.randrange(0, 505, 8)),
                        E.c_sdsp(r.randrange(32), r.randrange(0, 505, 8)),
                        E.c_ldsp(self.fr(), r.randrange(0, 505, 8), fp=True)])
        return [E.c_addi16sp(n), mid, E.c_addi16sp(-n)]

    def g_rvc_ctl(self):
        r, k = self.r, self.r.randrange(4)
        t = r.randint(1, 4)
        if k == 0:
            return [Fix(2, lambda pc, tgt: E.c_j(tgt - pc, pc), t)]
        if k == 1:
            name, reg = r.choice(["c.beqz", "c.bnez"]), r.choice(CR)
            return [Fix(2, lambda pc, tgt: E.c_bz(name, reg, tgt - pc, pc), t)]
        tmp = r.choice(WRITABLE)
        link = k == 3
        holder = {}

        def mk_auipc(pc, tgt):
            holder["pc"] = pc
            return E.auipc(tmp, 0)
        return [Fix(4, mk_auipc, t),
                Fix(4, lambda pc, tgt: E.i_op("addi", tmp, tmp, tgt - holder["pc"]), t),
                E.c_jr(tmp, link=link)]

    def g_special(self):
        """Put an interesting value into a register."""
        r, t = self.r, self.r.choice(WRITABLE)
        k = r.randrange(8)
        if k == 0:
            return [E.i_op("addi", t, 0, -1)]
        if k == 1:
            return [E.i_op("addi", t, 0, 1), E.shift_op("slli", t, t, 63)]
        if k == 2:
            return [E.lui(t, r.choice([0x80000, 0x7FFFF, 0xFFFFF]))]
        if k == 3:      # double qNaN / -inf / +inf
            return [E.lui(t, r.choice([0x7FF80, 0xFFF00, 0x7FF00])), E.shift_op("slli", t, t, 32),
                    E.fmv_f_x("d", self.fr(), t)]
        if k == 4:      # single sNaN / qNaN with payload / inf, properly boxed
            return [E.lui(t, r.choice([0x7F800, 0x7FC00, 0xFF800])), E.addiw(t, t, r.choice([0, 1])),
                    E.fmv_f_x("s", self.fr(), t)]
        if k == 5:      # double sNaN
            return [E.lui(t, 0x7FF00), E.shift_op("slli", t, t, 32), E.i_op("addi", t, t, 1),
                    E.fmv_f_x("d", self.fr(), t)]
        if k == 6:      # smallest subnormal double / single
            fmt = r.choice("sd")
            return [E.i_op("addi", t, 0, 1), E.fmv_f_x(fmt, self.fr(), t)]
        return [E.fmv_f_x("d", self.fr(), t)]   # raw (usually not NaN-boxed) bits

    def sequence(self, ngroups):
        return [self.r.choices(self.funcs, self.weights)[0]() for _ in range(ngroups)]


# --------------------------------------------------------------- file I/O


def encode_code(insns):
    return b"".join(i.bytes() for i in insns)


def write_file(path, records):
    """records: list of (seed, code bytes)."""
    with open(path, "wb") as fh:
        fh.write(MAGIC + struct.pack("<II", VERSION, len(records)))
        for seed, code in records:
            fh.write(struct.pack("<QI", seed, len(code)) + code)


def read_file(path):
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:4] != MAGIC:
        raise ValueError("%s: not a sequence file" % path)
    ver, n = struct.unpack_from("<II", data, 4)
    if ver != VERSION:
        raise ValueError("%s: version %d" % (path, ver))
    pos, out = 12, []
    for _ in range(n):
        seed, ln = struct.unpack_from("<QI", data, pos)
        pos += 12
        out.append((seed, data[pos:pos + ln]))
        pos += ln
    return out


def generate(count, seed, max_groups=20, qemu_workarounds=True):
    rng = random.Random(seed)
    gen = Gen(rng, qemu_workarounds)
    recs = []
    for _ in range(count):
        groups = gen.sequence(rng.randint(1, max_groups))
        recs.append((rng.getrandbits(64), encode_code(layout(groups))))
    return recs


def split_parcels(code):
    """Split machine code into instruction words (ints) with their sizes."""
    out, i = [], 0
    while i < len(code):
        lo = code[i] | code[i + 1] << 8
        if lo & 3 == 3:
            out.append((int.from_bytes(code[i:i + 4], "little"), 4))
            i += 4
        else:
            out.append((lo, 2))
            i += 2
    return out


def tool(name, cc=None):
    """Find a binutils tool next to the cross compiler."""
    prefix = "riscv64-linux-gnu-"
    if cc:
        base = os.path.basename(cc)
        if base.endswith("gcc"):
            cand = os.path.join(os.path.dirname(cc), base[:-3] + name)
            if os.path.exists(cand):
                return cand
    return shutil.which(prefix + name)


def disassemble(code, base_pc=0, cc=None):
    """objdump text for raw code, one line per instruction; or raw hex."""
    as_, od = tool("as", cc), tool("objdump", cc)
    parcels = split_parcels(code)
    if not as_ or not od:
        return ["%8x:  %0*x" % (0, s * 2, w) for w, s in parcels]
    return objdump_words(parcels, as_, od, base_pc)


def objdump_words(parcels, as_, od, base_pc=0):
    with tempfile.TemporaryDirectory() as td:
        src, obj = os.path.join(td, "a.s"), os.path.join(td, "a.o")
        with open(src, "w") as fh:
            fh.write(".option arch, +zba, +zbb, +zbs\n.text\n")
            if base_pc:
                fh.write(".skip %d\n" % base_pc)
            for w, _ in parcels:
                fh.write(".insn 0x%x\n" % w)
        subprocess.run([as_, "-march=rv64gc_zba_zbb_zbs", src, "-o", obj], check=True)
        out = subprocess.run([od, "-d", "-M", "no-aliases,numeric", obj], check=True,
                             capture_output=True, text=True).stdout
    lines = []
    for ln in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+(.*)$", ln)
        if m and int(m.group(1), 16) >= base_pc:
            lines.append("%6x:  %-8s  %s" % (int(m.group(1), 16), m.group(2),
                                            " ".join(m.group(3).split())))
    return lines


# --------------------------------------------------------------- self-test


def normalize(text):
    text = re.sub(r"<[^>]*>", "", text.split("#")[0])
    return " ".join(text.replace("\t", " ").split())


def selftest(n, seed, cc=None):
    as_, od = tool("as", cc), tool("objdump", cc)
    if not as_ or not od:
        print("SKIP: riscv64 binutils (as/objdump) not found")
        return 77
    rng = random.Random(seed)
    gen = Gen(rng)
    insns, pc = [], 0
    seen = set()
    # every category many times, then random sequences with branches
    for fn in gen.funcs:
        for _ in range(n // len(gen.funcs) + 20):
            lst = layout([fn()], pc)
            insns += lst
            pc += sum(i.size for i in lst)
    for _ in range(n // 20):
        lst = layout(gen.sequence(rng.randint(1, 20)), pc)
        insns += lst
        pc += sum(i.size for i in lst)
    parcels = [(i.word, i.size) for i in insns]
    for i in insns:
        if (i.word & 3 == 3) != (i.size == 4):
            print("FAIL: size/encoding mismatch", i)
            return 1
    dis = objdump_words(parcels, as_, od)
    bad = 0
    if len(dis) != len(insns):
        print("FAIL: objdump produced %d lines for %d instructions" % (len(dis), len(insns)))
        return 1
    for i, d in zip(insns, dis):
        got = normalize(d.split(None, 2)[2])
        want = normalize(i.text)
        seen.add(want.split()[0])
        if got != want:
            bad += 1
            if bad <= 20:
                print("MISMATCH %s: encoder says %-40r objdump says %r" % (i.hex(), want, got))
    print("checked %d instructions (%d distinct mnemonics) against objdump: %d mismatches"
          % (len(insns), len(seen), bad))
    missing = expected_mnemonics() - seen
    if missing:
        print("FAIL: mnemonics never generated:", " ".join(sorted(missing)))
        bad += 1
    return 1 if bad else 0


def expected_mnemonics():
    m = set(E.R_OPS) | set(E.UNARY_OPS) | set(E.I_OPS) | set(E.SHIFT_OPS) | set(E.LOADS) | \
        set(E.STORES) | set(E.BRANCHES)
    m |= {"addiw", "lui", "auipc", "jal", "jalr", "fence", "fence.tso", "fence.i"}
    for o in E.ORDER:
        for w in "wd":
            m |= {"%s.%s%s" % (a, w, o) for a in E.AMO_OPS} | {"lr.%s%s" % (w, o),
                                                              "sc.%s%s" % (w, o)}
    m |= set(E.CSR_F3) | {"flw", "fld", "fsw", "fsd", "fmv.x.w", "fmv.x.d", "fmv.w.x", "fmv.d.x",
                          "fcvt.s.d", "fcvt.d.s"}
    for fmt in "sd":
        m |= {"%s.%s" % (n, fmt) for n in list(E.FP_BIN) + list(E.FP_SGNJ) + list(E.FP_MINMAX) +
              list(E.FP_CMP) + list(E.FMA) + ["fsqrt", "fclass"]}
        for k in E.CVT_INT:
            m |= {"fcvt.%s.%s" % (k, fmt), "fcvt.%s.%s" % (fmt, k)}
    m |= {"c.addi4spn", "c.fld", "c.lw", "c.ld", "c.fsd", "c.sw", "c.sd", "c.addi", "c.addiw",
          "c.li", "c.addi16sp", "c.lui", "c.srli", "c.srai", "c.andi", "c.sub", "c.xor", "c.or",
          "c.and", "c.subw", "c.addw", "c.j", "c.beqz", "c.bnez", "c.slli", "c.fldsp", "c.lwsp",
          "c.ldsp", "c.jr", "c.mv", "c.jalr", "c.add", "c.fsdsp", "c.swsp", "c.sdsp"}
    return m


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-groups", type=int, default=20)
    p.add_argument("-o", "--output")
    p.add_argument("--no-qemu-workarounds", action="store_true",
                   help="also generate forms where qemu 7.2 is known to be wrong")
    p.add_argument("--selftest", action="store_true")
    p.add_argument("--cc", help="cross compiler (to locate as/objdump)")
    p.add_argument("--dump", action="store_true", help="print the generated code as text")
    a = p.parse_args(argv)
    if a.selftest:
        return selftest(max(a.count, 20000), a.seed, a.cc)
    recs = generate(a.count, a.seed, a.max_groups, not a.no_qemu_workarounds)
    if a.dump:
        for i, (s, code) in enumerate(recs):
            print("# sequence %d seed 0x%016x" % (i, s))
            print("\n".join(disassemble(code, 0, a.cc)))
    if a.output:
        write_file(a.output, recs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
