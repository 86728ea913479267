"""Assemble RISC-V text with GNU binutils and read back objdump's listing.

Shared by the vector generators (gen-riscv-decode-vectors.py,
gen-riscv-disas-vectors.py), which need the cross binutils
(binutils-riscv64-linux-gnu); the vectors they write are committed.
"""
import os
import re
import subprocess
import tempfile

AS = "riscv64-linux-gnu-as"
OBJDUMP = "riscv64-linux-gnu-objdump"
MARCH = "rv64gc_zba_zbb_zbs_zicsr_zifencei"


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def disassemble(asm_text, objdump_options):
    """Rows (addr, encoding, length, mnemonic, operands) of asm_text, as
    objdump prints it with `-M objdump_options`."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "v.S")
        obj = os.path.join(d, "v.o")
        with open(src, "w") as f:
            f.write(asm_text)
        run([AS, "-march=" + MARCH, src, "-o", obj])
        out = run([OBJDUMP, "-d", "-M", objdump_options, obj])
    rows = []
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+([0-9a-f]+)\s+(\S+)\s*(.*)$", line)
        if not m:
            continue
        ops = m.group(4).split("#")[0].strip()
        ops = re.sub(r"\s*<[^>]*>", "", ops)
        rows.append((int(m.group(1), 16), int(m.group(2), 16), len(m.group(2)) // 2,
                     m.group(3), ops))
    return rows
