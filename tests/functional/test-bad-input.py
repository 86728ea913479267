#!/usr/bin/env python3
"""Bad input to rove-riscv64 must give one clear line on stderr and exit 1.

Covers: no program, unknown option, bad option argument, missing file, a
directory, an empty file, a text file, a host (x86-64) ELF, a truncated
riscv64 ELF, and ELF headers corrupted field by field.  Any crash (death by
signal, sanitizer report) or a multi-line/empty message is a failure.
"""
import os
import struct
import subprocess
import sys
import tempfile

emu = sys.argv[1]
good_elf = sys.argv[2] if len(sys.argv) > 2 else None
failures = 0


def run(args, name, want_status=1, must_contain="rove"):
    global failures
    p = subprocess.run([emu] + args, capture_output=True, timeout=30)
    err = p.stderr.decode(errors="replace").strip()
    lines = [l for l in err.splitlines() if l.strip()]
    ok = (p.returncode == want_status and len(lines) == 1 and "rove" in lines[0]
          and must_contain in lines[0])
    print(f"{'ok  ' if ok else 'FAIL'} {name}: status {p.returncode}: {lines[0] if lines else '<no message>'}")
    if not ok:
        failures += 1
        if len(lines) != 1:
            print("     stderr was:\n     " + "\n     ".join(lines[:10]))


with tempfile.TemporaryDirectory() as d:
    run([], "no program")
    run(["-no-such-option", "x"], "unknown option")
    run(["-accel", "tcg,backend=nosuch", "x"], "unknown back end")
    run(["-d", "nosuchitem", "x"], "unknown log item", want_status=1)
    run([os.path.join(d, "missing")], "missing file")
    run([d], "a directory")
    empty = os.path.join(d, "empty")
    open(empty, "wb").close()
    run([empty], "empty file")
    text = os.path.join(d, "text")
    with open(text, "w") as f:
        f.write("this is not an ELF\n" * 10)
    run([text], "text file")
    script = os.path.join(d, "script")
    with open(script, "w") as f:
        f.write("#!/no/such/interpreter -x\necho hi\n")
    run([script], "script with a missing #! interpreter", must_contain="/no/such/interpreter")
    run(["/bin/true"], "host x86-64 ELF")
    if good_elf and os.path.exists(good_elf):
        data = open(good_elf, "rb").read()
        for cut in (16, 63, 64, 200, 1000):
            p = os.path.join(d, f"trunc{cut}")
            with open(p, "wb") as f:
                f.write(data[:cut])
            run([p], f"truncated to {cut} bytes")
        # Corrupt single header fields: class, data, version, machine, phoff,
        # phentsize, phnum, e_entry outside any segment is legal, so skip it.
        fields = {
            "EI_CLASS=1": (4, b"\x01"),
            "EI_DATA=2": (5, b"\x02"),
            "e_type=4": (16, struct.pack("<H", 4)),
            "e_machine=62": (18, struct.pack("<H", 62)),
            "e_phoff huge": (32, struct.pack("<Q", 1 << 62)),
            "e_phentsize=7": (54, struct.pack("<H", 7)),
            "e_phnum=65535": (56, struct.pack("<H", 65535)),
        }
        for name, (off, val) in fields.items():
            b = bytearray(data)
            b[off:off + len(val)] = val
            p = os.path.join(d, "corrupt")
            with open(p, "wb") as f:
                f.write(b)
            run([p], f"corrupt {name}")
        # A PT_LOAD whose file range lies beyond the end of the file.
        b = bytearray(data)
        phoff = struct.unpack_from("<Q", b, 32)[0]
        phnum = struct.unpack_from("<H", b, 56)[0]
        for i in range(phnum):
            o = phoff + i * 56
            if struct.unpack_from("<I", b, o)[0] == 1:
                struct.pack_into("<Q", b, o + 8, len(b) + 0x100000)
                break
        p = os.path.join(d, "badload")
        with open(p, "wb") as f:
            f.write(b)
        run([p], "PT_LOAD beyond end of file")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
