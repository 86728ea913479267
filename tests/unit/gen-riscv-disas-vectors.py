#!/usr/bin/env python3
"""
Regenerate tests/unit/riscv-disas-vectors.h: instruction encodings with the
text GNU objdump (-M no-aliases: ABI register names, c.* mnemonics for
compressed insns) prints for them, for tests/unit/test-riscv-disas.c.

Words: every legal word of tests/unit/riscv-decode-vectors.h (integer, A,
Zicsr, Zifencei, Zb[abs] and all of C), plus F/D templates and random
mutations of them (riscv-decode-vectors.h leaves floating point out).
objdump's spelling is normalised where ours is deliberately different:
  - one space between mnemonic and operands, no `# comments` or `<sym>`;
  - branch/jump targets get a 0x prefix;
  - an empty fence set is "0" (objdump: "unknown");
  - CSRs other than fflags frm fcsr cycle time instret are hex numbers;
  - the shift-by-0 HINTs c.slli64/c.srli64/c.srai64 are c.slli/... rd,0x0.
Left out: words objdump does not know, and fence.tso (our fence pattern
ignores fm, so it prints as a plain fence).

Run by hand when the .decode annotations change (needs the cross binutils):
    python3 tests/unit/gen-riscv-disas-vectors.py > tests/unit/riscv-disas-vectors.h
"""

import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rv_objdump  # noqa: E402

AS, OBJDUMP, MARCH = rv_objdump.AS, rv_objdump.OBJDUMP, rv_objdump.MARCH
HERE = os.path.dirname(os.path.abspath(__file__))

FP_TEMPLATES = r"""
flw ft0, 0(sp)
flw fs11, -2048(a0)
fld fa0, 2047(t6)
fsw ft11, 8(zero)
fsd fs0, -8(s1)
fmadd.s fa0, fa1, fa2, fa3
fmadd.s fa0, fa1, fa2, fa3, rne
fmsub.s ft0, ft1, ft2, ft3, rtz
fnmsub.s fs0, fs1, fs2, fs3, rdn
fnmadd.s ft8, ft9, ft10, ft11, rup
fmadd.d fa0, fa1, fa2, fa3, rmm
fmsub.d fa4, fa5, fa6, fa7
fnmsub.d fs4, fs5, fs6, fs7, rtz
fnmadd.d fs8, fs9, fs10, fs11
fadd.s fa0, fa1, fa2
fsub.s fa0, fa1, fa2, rtz
fmul.s ft0, ft1, ft2, rne
fdiv.s ft3, ft4, ft5, rdn
fsqrt.s ft6, ft7, rup
fsqrt.s ft6, ft7
fsgnj.s fa0, fa1, fa2
fsgnjn.s fa0, fa1, fa2
fsgnjx.s fa0, fa1, fa2
fmin.s fa0, fa1, fa2
fmax.s fa0, fa1, fa2
fcvt.w.s a0, fa0
fcvt.w.s a0, fa0, rtz
fcvt.wu.s t0, ft0, rtz
fcvt.l.s s1, fs1, rmm
fcvt.lu.s zero, ft11
fmv.x.w a0, fa0
fclass.s t6, ft11
feq.s a0, fa0, fa1
flt.s a1, fa2, fa3
fle.s a2, fa4, fa5
fcvt.s.w fa0, a0
fcvt.s.w fa0, a0, rtz
fcvt.s.wu ft0, t0, rne
fcvt.s.l fs0, s0
fcvt.s.lu ft11, t6, rup
fmv.w.x fa0, a0
fadd.d fa0, fa1, fa2
fadd.d fa0, fa1, fa2, rtz
fsub.d fa0, fa1, fa2, rne
fmul.d ft0, ft1, ft2, rdn
fdiv.d ft3, ft4, ft5, rup
fsqrt.d ft6, ft7, rmm
fsgnj.d fa0, fa1, fa2
fsgnjn.d fa0, fa1, fa2
fsgnjx.d fa0, fa1, fa2
fmin.d fa0, fa1, fa2
fmax.d fa0, fa1, fa2
fcvt.s.d fa0, fa1
fcvt.s.d fa0, fa1, rtz
fcvt.d.s fa0, fa1
feq.d a0, fa0, fa1
flt.d a1, fa2, fa3
fle.d a2, fa4, fa5
fclass.d a3, fa6
fcvt.w.d a0, fa0, rtz
fcvt.wu.d a0, fa0
fcvt.l.d a0, fa0, rne
fcvt.lu.d a0, fa0, rdn
fcvt.d.w fa0, a0
fcvt.d.wu fa0, a0
fcvt.d.l fa0, a0
fcvt.d.l fa0, a0, rtz
fcvt.d.lu fa0, a0, rup
fmv.x.d a0, fa0
fmv.d.x fa0, a0
csrrs a0, fflags, zero
csrrw zero, frm, a1
csrrs a0, fcsr, zero
csrrs a0, cycle, zero
csrrs a0, time, zero
csrrs a0, instret, zero
csrrwi a0, frm, 5
csrrsi zero, fflags, 31
csrrci a0, 0x7c0, 1
csrrc a0, 0xc03, a1
lr.w.aqrl a0, (a1)
lr.d.aq a0, (a1)
sc.w.rl a0, a1, (a2)
amoadd.d.aqrl a0, a1, (a2)
amoswap.w.aq t0, t1, (t2)
"""

# FP major opcodes (loads/stores, FMA, OP-FP) for random words.
FP_OPCODES = [0x07, 0x27, 0x43, 0x47, 0x4B, 0x4F, 0x53]
CSR_NAMES = set("fflags frm fcsr cycle time instret".split())
TARGET_MNEMONICS = set("""beq bne blt bge bltu bgeu jal c.j c.jal c.beqz c.bnez""".split())


def disassemble(asm_text):
    return rv_objdump.disassemble(asm_text, "no-aliases")


def normalise(enc, mn, ops):
    if mn in TARGET_MNEMONICS:
        parts = ops.split(",")
        parts[-1] = "0x" + parts[-1]
        ops = ",".join(parts)
    if mn.startswith("csrr"):
        # We name only the CSRs rove implements; objdump knows them all.
        parts = ops.split(",")
        if parts[1] not in CSR_NAMES:
            parts[1] = "0x%x" % (enc >> 20)
        ops = ",".join(parts)
    if mn in ("c.slli64", "c.srli64", "c.srai64"):
        # Shift-by-0 HINTs: we print the pattern's own mnemonic.
        mn, ops = mn[:-2], ops + ",0x0"
    if mn == "fence":
        ops = ",".join("0" if x == "unknown" else x for x in ops.split(","))
    return mn + (" " + ops if ops else "")


def main():
    rng = random.Random(20261124)
    words = []
    with open(os.path.join(HERE, "riscv-decode-vectors.h")) as f:
        for line in f:
            m = re.match(r'^\{ 0x([0-9a-f]+), (\d), "', line)
            if m:
                words.append((int(m.group(1), 16), int(m.group(2))))

    fp = disassemble(".option norvc\n" + FP_TEMPLATES)
    valid_fp = [enc for (_, enc, _, mn, _) in fp if mn.startswith("f")]
    for _ in range(400):
        if rng.random() < 0.7:
            w = rng.choice(valid_fp) ^ (rng.getrandbits(32) & 0xFFFFFF80)
        else:
            w = (rng.getrandbits(25) << 7) | rng.choice(FP_OPCODES)
        words.append((w, 4))

    # Each word keeps its own address so branch targets differ.
    asm = []
    for w, n in words:
        asm.append(".option %s\n.insn %d, 0x%0*x" % ("norvc" if n == 4 else "rvc", n, n * 2, w))
    rows = fp + disassemble("\n".join(asm) + "\n")

    print("/* Generated by tests/unit/gen-riscv-disas-vectors.py from GNU binutils")
    print(" * (%s, objdump -M no-aliases).  Do not edit. */" % MARCH)
    seen = set()
    for addr, enc, length, mn, ops in rows:
        if mn.startswith(".") or (enc, length) in seen:
            continue
        if mn == "fence.tso" or "unknown" in ops and mn != "fence":
            continue
        seen.add((enc, length))
        print('{ 0x%x, 0x%0*x, %d, "%s" },' % (addr, length * 2, enc, length,
                                               normalise(enc, mn, ops)))


if __name__ == "__main__":
    sys.exit(main())
