#!/usr/bin/env python3
"""
Regenerate tests/unit/riscv-decode-vectors.h: instruction encodings paired
with the handler and operand fields the RISC-V decoder must produce.

The expectations come from GNU binutils, not from our decoder: every word
is assembled with riscv64-linux-gnu-as and disassembled with objdump
(-M no-aliases,numeric), and the printed mnemonic and operands are turned
into the handler name and RvArgs fields our .decode files should yield
(compressed forms map onto their 32-bit expansions).  Words are:
  - templates: every supported instruction with edge-case operands;
  - random 16-bit words over the whole compressed space;
  - random 32-bit words with one of our major opcodes, half of them
    mutations of valid encodings.
Words binutils does not decode, and reserved encodings, are expected to be
illegal.

Run by hand when the decode files change (needs the cross binutils):
    python3 tests/unit/gen-riscv-decode-vectors.py > tests/unit/riscv-decode-vectors.h
"""

import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rv_objdump  # noqa: E402

AS, OBJDUMP, MARCH = rv_objdump.AS, rv_objdump.OBJDUMP, rv_objdump.MARCH

R3 = set("""add sub sll slt sltu xor srl sra or and addw subw sllw srlw sraw
mul mulh mulhsu mulhu div divu rem remu mulw divw divuw remw remuw
sh1add sh2add sh3add add.uw sh1add.uw sh2add.uw sh3add.uw
andn orn xnor max maxu min minu rol ror rolw rorw bclr bext binv bset""".split())
IARITH = set("addi slti sltiu xori ori andi addiw".split())
SHIFTI = set("""slli srli srai slliw srliw sraiw rori roriw bclri bexti binvi bseti
slli.uw""".split())
UNARY = set("clz ctz cpop clzw ctzw cpopw sext.b sext.h zext.h orc.b rev8".split())
LOADS = set("lb lh lw ld lbu lhu lwu".split())
STORES = set("sb sh sw sd".split())
BRANCHES = set("beq bne blt bge bltu bgeu".split())
AMOS = set("amoswap amoadd amoxor amoand amoor amomin amomax amominu amomaxu".split())
CSRS = set("csrrw csrrs csrrc".split())
CSRIS = set("csrrwi csrrsi csrrci".split())
# (mret, sret, wfi decode here; their handlers refuse them in user mode)
NOARGS = set("ecall ebreak fence.i mret sret wfi".split())
# Not implemented at all: expect illegal.
USER_ILLEGAL = set("""uret dret sfence.vma sinval.vma sfence.w.inval
sfence.inval.ir hfence.vvma hfence.gvma c.unimp""".split())

CSR_NUMBERS = {"fflags": 1, "frm": 2, "fcsr": 3, "cycle": 0xC00, "time": 0xC01,
               "instret": 0xC02}

TEMPLATES_32 = r"""
lui x5, 0xfffff
lui x31, 0x80000
lui x1, 0x7ffff
auipc x6, 0x12345
auipc x0, 0xfffff
jal x1, .+2048
jal x0, .-1048576
jal x31, .+1048574
jalr x1, -4(x10)
jalr x0, 2047(x31)
jalr x5, -2048(x0)
beq x1, x2, .-4096
bne x31, x0, .+4094
blt x3, x4, .+8
bge x5, x6, .-2
bltu x7, x8, .+2048
bgeu x9, x10, .-2048
lb x1, 0(x2)
lh x3, -2048(x4)
lw x5, 2047(x6)
ld x7, -1(x8)
lbu x9, 100(x10)
lhu x11, -100(x12)
lwu x31, 8(x31)
sb x1, 0(x2)
sh x3, -2048(x4)
sw x5, 2047(x6)
sd x31, -8(x0)
addi x0, x0, 0
addi x1, x2, -2048
slti x3, x4, 2047
sltiu x5, x6, -1
xori x7, x8, 1365
ori x9, x10, -1366
andi x11, x12, 255
slli x1, x2, 63
slli x1, x2, 0
srli x3, x4, 32
srai x5, x6, 1
add x1, x2, x3
sub x4, x5, x6
sll x7, x8, x9
slt x10, x11, x12
sltu x13, x14, x15
xor x16, x17, x18
srl x19, x20, x21
sra x22, x23, x24
or x25, x26, x27
and x28, x29, x30
addiw x1, x2, -2048
slliw x3, x4, 31
srliw x5, x6, 0
sraiw x7, x8, 17
addw x1, x2, x3
subw x4, x5, x6
sllw x7, x8, x9
srlw x10, x11, x12
sraw x13, x14, x15
fence iorw, iorw
fence iorw, ow
fence r, w
fence.tso
fence.i
ecall
ebreak
csrrw x1, fflags, x2
csrrs x10, frm, x0
csrrc x11, fcsr, x31
csrrs x10, cycle, x0
csrrs x10, time, x0
csrrs x10, instret, x0
csrrw x1, 0x7c0, x2
csrrwi x10, frm, 3
csrrsi x0, fflags, 31
csrrci x5, fcsr, 0
mul x1, x2, x3
mulh x4, x5, x6
mulhsu x7, x8, x9
mulhu x10, x11, x12
div x13, x14, x15
divu x16, x17, x18
rem x19, x20, x21
remu x22, x23, x24
mulw x25, x26, x27
divw x28, x29, x30
divuw x31, x1, x2
remw x3, x4, x5
remuw x6, x7, x8
lr.w x1, (x2)
lr.w.aqrl x3, (x4)
lr.d.aq x5, (x6)
sc.w x1, x3, (x2)
sc.d.rl x1, x3, (x2)
amoswap.w x1, x2, (x3)
amoadd.w.aq x4, x5, (x6)
amoxor.w.rl x7, x8, (x9)
amoand.w.aqrl x10, x11, (x12)
amoor.w x13, x14, (x15)
amomin.w x16, x17, (x18)
amomax.w x19, x20, (x21)
amominu.w x22, x23, (x24)
amomaxu.w x25, x26, (x27)
amoswap.d x1, x2, (x3)
amoadd.d x4, x5, (x6)
amoxor.d x7, x8, (x9)
amoand.d x10, x11, (x12)
amoor.d x13, x14, (x15)
amomin.d x16, x17, (x18)
amomax.d x19, x20, (x21)
amominu.d x22, x23, (x24)
amomaxu.d.aqrl x0, x26, (x27)
sh1add x1, x2, x3
sh2add x4, x5, x6
sh3add x7, x8, x9
add.uw x10, x11, x12
add.uw x10, x11, x0
sh1add.uw x13, x14, x15
sh2add.uw x16, x17, x18
sh3add.uw x19, x20, x21
slli.uw x22, x23, 63
andn x1, x2, x3
orn x4, x5, x6
xnor x7, x8, x9
clz x10, x11
clzw x12, x13
ctz x14, x15
ctzw x16, x17
cpop x18, x19
cpopw x20, x21
max x22, x23, x24
maxu x25, x26, x27
min x28, x29, x30
minu x31, x1, x2
sext.b x3, x4
sext.h x5, x6
zext.h x7, x8
rol x9, x10, x11
rolw x12, x13, x14
ror x15, x16, x17
rori x18, x19, 63
roriw x20, x21, 31
rorw x22, x23, x24
orc.b x25, x26
rev8 x27, x28
bclr x1, x2, x3
bclri x4, x5, 63
bext x6, x7, x8
bexti x9, x10, 0
binv x11, x12, x13
binvi x14, x15, 32
bset x16, x17, x18
bseti x19, x20, 1
"""

# Raw 32-bit words that must be illegal (or decode to something specific)
# and are easier to state as numbers.
EXTRA_32 = [
    0x30200073, 0x10500073, 0x10200073,
    0x0420100B,  # custom-0
    0x02001013,  # slli with funct6 000001
    0x1001202F,  # lr.w with rs2 = 1
    0x0000701B,  # OP-IMM-32 funct3 7
]

# Words binutils cannot take as a 32-bit .insn; all illegal for us.
RAW_ILLEGAL_32 = [0xFFFFFFFF, 0x0000001F, 0x0000003F, 0x0000007F]

MAJOR_OPCODES = [0x03, 0x13, 0x17, 0x1B, 0x23, 0x2F, 0x33, 0x37, 0x3B, 0x63, 0x67, 0x6F,
                 0x73]


def disassemble(asm_text):
    return rv_objdump.disassemble(asm_text, "no-aliases,numeric")


def reg(s):
    m = re.match(r"^[xf](\d+)$", s)
    if not m:
        raise ValueError("not a register: " + s)
    return int(m.group(1))


def num(s):
    return int(s, 0)


def mem(s):
    m = re.match(r"^(-?\w*)\((x\d+)\)$", s)
    if not m:
        raise ValueError("not a memory operand: " + s)
    off = int(m.group(1), 0) if m.group(1) else 0
    return off, reg(m.group(2))


def sext(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def target(addr, s):
    return sext(int(s, 16) - addr, 64)


def fence_bits(s):
    if s == "unknown":
        return 0
    return sum({"i": 8, "o": 4, "r": 2, "w": 1}[ch] for ch in s)


def split_aqrl(mn):
    aq = rl = 0
    if mn.endswith(".aqrl"):
        return mn[:-5], 1, 1
    if mn.endswith(".aq"):
        return mn[:-3], 1, 0
    if mn.endswith(".rl"):
        return mn[:-3], 0, 1
    return mn, aq, rl


def handler(mn):
    return mn.replace(".", "_")


def expect32(addr, enc, mn, ops):
    """(handler, {field: value}) or None for illegal."""
    o = [x.strip() for x in ops.split(",")] if ops else []
    if mn in USER_ILLEGAL or mn.startswith(".") or mn.startswith("0x"):
        return None
    if mn in R3:
        return handler(mn), dict(rd=reg(o[0]), rs1=reg(o[1]), rs2=reg(o[2]))
    if mn in IARITH:
        return handler(mn), dict(rd=reg(o[0]), rs1=reg(o[1]), imm=num(o[2]))
    if mn in SHIFTI:
        return handler(mn), dict(rd=reg(o[0]), rs1=reg(o[1]), shamt=num(o[2]))
    if mn in UNARY:
        return handler(mn), dict(rd=reg(o[0]), rs1=reg(o[1]))
    if mn in LOADS:
        off, base = mem(o[1])
        return handler(mn), dict(rd=reg(o[0]), rs1=base, imm=off)
    if mn in STORES:
        off, base = mem(o[1])
        return handler(mn), dict(rs2=reg(o[0]), rs1=base, imm=off)
    if mn in BRANCHES:
        return handler(mn), dict(rs1=reg(o[0]), rs2=reg(o[1]), imm=target(addr, o[2]))
    if mn in ("lui", "auipc"):
        return mn, dict(rd=reg(o[0]), imm=sext(num(o[1]) << 12, 32))
    if mn == "jal":
        return mn, dict(rd=reg(o[0]), imm=target(addr, o[1]))
    if mn == "jalr":
        off, base = mem(o[1])
        return mn, dict(rd=reg(o[0]), rs1=base, imm=off)
    base, aq, rl = split_aqrl(mn)
    if base in ("lr.w", "lr.d"):
        return handler(base), dict(rd=reg(o[0]), rs1=mem(o[1])[1], aq=aq, rl=rl)
    if base in ("sc.w", "sc.d") or base[:-2] in AMOS:
        return handler(base), dict(rd=reg(o[0]), rs2=reg(o[1]), rs1=mem(o[2])[1], aq=aq, rl=rl)
    if mn in CSRS or mn in CSRIS:
        # objdump names every CSR it knows; the number is bits 31:20.
        csr = enc >> 20
        if o[1] in CSR_NUMBERS:
            assert CSR_NUMBERS[o[1]] == csr
        elif re.match(r"^(0x)?[0-9a-f]+$", o[1]):
            assert num(o[1]) == csr
        f = dict(rd=reg(o[0]), csr=csr)
        if mn in CSRS:
            f["rs1"] = reg(o[2])
        else:
            f["imm"] = num(o[2])
        return handler(mn), f
    if mn == "fence":
        return "fence", dict(pred=fence_bits(o[0]), succ=fence_bits(o[1]))
    if mn == "fence.tso":
        return "fence", dict(pred=3, succ=3)
    if mn in NOARGS:
        return handler(mn), {}
    raise KeyError(mn)


def expect16(addr, enc, mn, ops):
    o = [x.strip() for x in ops.split(",")] if ops else []
    if mn in USER_ILLEGAL or mn.startswith(".") or mn.startswith("0x"):
        return None
    if mn == "c.addi4spn":
        if num(o[2]) == 0:
            return None
        return "addi", dict(rd=reg(o[0]), rs1=2, imm=num(o[2]))
    if mn in ("c.fld", "c.lw", "c.ld", "c.fldsp", "c.lwsp", "c.ldsp"):
        off, base = mem(o[1])
        name = mn[2:].replace("sp", "")
        return name, dict(rd=reg(o[0]), rs1=base, imm=off)
    if mn in ("c.fsd", "c.sw", "c.sd", "c.fsdsp", "c.swsp", "c.sdsp"):
        off, base = mem(o[1])
        name = mn[2:].replace("sp", "")
        return name, dict(rs2=reg(o[0]), rs1=base, imm=off)
    if mn == "c.nop":
        return "addi", dict(rd=0, rs1=0, imm=num(o[0]) if o else 0)
    if mn in ("c.addi", "c.addiw"):
        return mn[2:], dict(rd=reg(o[0]), rs1=reg(o[0]), imm=num(o[1]))
    if mn == "c.li":
        return "addi", dict(rd=reg(o[0]), rs1=0, imm=num(o[1]))
    if mn == "c.addi16sp":
        if num(o[1]) == 0:
            return None
        return "addi", dict(rd=2, rs1=2, imm=num(o[1]))
    if mn == "c.lui":
        v = num(o[1])
        if v == 0:
            return None
        return "lui", dict(rd=reg(o[0]), imm=sext(v, 20) << 12)
    if mn in ("c.srli", "c.srai", "c.slli"):
        return mn[2:], dict(rd=reg(o[0]), rs1=reg(o[0]), shamt=num(o[1]))
    if mn in ("c.srli64", "c.srai64", "c.slli64"):
        return mn[2:-2], dict(rd=reg(o[0]), rs1=reg(o[0]), shamt=0)
    if mn == "c.andi":
        return "andi", dict(rd=reg(o[0]), rs1=reg(o[0]), imm=num(o[1]))
    if mn in ("c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw", "c.add"):
        return mn[2:], dict(rd=reg(o[0]), rs1=reg(o[0]), rs2=reg(o[1]))
    if mn == "c.mv":
        return "add", dict(rd=reg(o[0]), rs1=0, rs2=reg(o[1]))
    if mn == "c.j":
        return "jal", dict(rd=0, imm=target(addr, o[0]))
    if mn in ("c.beqz", "c.bnez"):
        return ("beq" if mn == "c.beqz" else "bne"), dict(rs1=reg(o[0]), rs2=0,
                                                          imm=target(addr, o[1]))
    if mn in ("c.jr", "c.jalr"):
        return "jalr", dict(rd=0 if mn == "c.jr" else 1, rs1=reg(o[0]), imm=0)
    if mn == "c.ebreak":
        return "ebreak", {}
    raise KeyError(mn)


def main():
    rng = random.Random(20241124)
    asm = [".option norvc"]
    asm += [t for t in TEMPLATES_32.strip().splitlines()]
    for w in EXTRA_32:
        asm.append(".insn 4, 0x%08x" % w)
    rows = disassemble("\n".join(asm) + "\n")
    valid = [enc for (_, enc, _, mn, _) in rows if not mn.startswith(".")]

    words = []
    for _ in range(1500):
        if rng.random() < 0.5:
            # Mutate the operand fields of a valid encoding.
            w = rng.choice(valid)
            w ^= rng.getrandbits(32) & 0x01FFFF80
            if w & 0x7F == 0x0F:
                # fence/fence.i ignore fields binutils insists on: the
                # templates cover them.
                continue
        else:
            w = (rng.getrandbits(25) << 7) | rng.choice(MAJOR_OPCODES)
        words.append(w)
    rows += disassemble(".option norvc\n" + "".join(".insn 4, 0x%08x\n" % w for w in words))

    halves = set()
    while len(halves) < 2500:
        h = rng.getrandbits(16)
        if h & 3 != 3:
            halves.add(h)
    special = [0x0000, 0x0004, 0x6501, 0x6101, 0x8002, 0x4002, 0x6002, 0x2001, 0x8000, 0x9C41,
               0x9C61, 0x0002, 0x8001, 0x8401, 0x0001, 0x0101, 0x1000, 0x2000, 0xA000,
               0x9002, 0x8082, 0x9082, 0x4501, 0x6105, 0x7101, 0x0ffc, 0x1ffc]
    halves = special + sorted(halves - set(special))
    rows += disassemble(".option rvc\n" + "".join(".insn 2, 0x%04x\n" % h for h in halves))

    print("/* Generated by tests/unit/gen-riscv-decode-vectors.py from GNU binutils")
    print(" * (%s, -M no-aliases,numeric).  Do not edit. */" % MARCH)
    seen = set()
    n = 0
    for w in RAW_ILLEGAL_32:
        print('{ 0x%08x, 4, NULL, "" }, /* longer than 32 bits */' % w)
        seen.add((w, 4))
        n += 1
    for addr, enc, length, mn, ops in rows:
        if (enc, length) in seen:
            continue
        seen.add((enc, length))
        # Floating-point ops beyond c.fld/c.fsd belong to the FP decoder.
        if length == 4 and mn.startswith("f") and not mn.startswith("fence"):
            continue
        try:
            exp = (expect32 if length == 4 else expect16)(addr, enc, mn, ops)
        except KeyError:
            print("gen: no rule for '%s %s'" % (mn, ops), file=sys.stderr)
            continue
        text = ("%s %s" % (mn, ops)).strip().replace("*/", "")
        if exp is None:
            print('{ 0x%08x, %d, NULL, "" }, /* %s */' % (enc, length, text))
        else:
            name, fields = exp
            f = " ".join("%s=%d" % kv for kv in fields.items())
            print('{ 0x%08x, %d, "%s", "%s" }, /* %s */' % (enc, length, name, f, text))
        n += 1
    print("gen: %d vectors" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
