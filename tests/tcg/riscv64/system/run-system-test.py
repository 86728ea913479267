#!/usr/bin/env python3
"""Run one bare-metal test program on the riscv64 virt machine and check it.

    run-system-test.py --emu build/rove-system-riscv64 \\
        --expect-out tests/tcg/riscv64/system/traps.out [--status 0] \\
        [--emu-args '-smp 4'] [--timeout 60] [--update] PROGRAM

The emulator (Rove's rove-system-riscv64 or qemu-system-riscv64, the
oracle) runs `-M virt -bios none -nographic -m 128M EMU-ARGS -kernel
PROGRAM` with stdin from /dev/null.  The test passes when the exit status
equals --status and the serial output (stdout) is byte-identical to the
golden file.  Otherwise it prints the first differing line (with a few
lines of context) and the tail of stderr.  Exit codes follow meson: 0 pass,
1 fail, 77 skip.  --update writes the golden file from the output (used by
regen-golden.sh with qemu-system-riscv64); the exit status is still checked.
"""
import argparse
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import goldencheck  # noqa: E402  (tests/tcg/riscv64/goldencheck.py)

MACHINE = ["-M", "virt", "-bios", "none", "-nographic", "-m", "128M"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--emu", required=True, help="rove-system-riscv64 or qemu-system-riscv64")
    p.add_argument("--expect-out", required=True, help="golden output file")
    p.add_argument("--status", type=int, default=0, help="expected exit status")
    p.add_argument("--emu-args", default="", help="extra emulator arguments (shell words)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    p.add_argument("--update", action="store_true", help="write the golden file")
    p.add_argument("--skip", metavar="REASON", help="report the test as skipped")
    p.add_argument("--backend", help="set ROVE_BACKEND for the emulator")
    p.add_argument("program")
    return p.parse_args(argv)


def main(argv):
    a = parse_args(argv)
    if a.skip:
        print("SKIP:", a.skip)
        return 77
    if not os.path.exists(a.program):
        print("SKIP: test program %s was not built" % a.program)
        return 77
    # "@PROG@" in the emulator args is the program's own path (a test may
    # use its ELF file as a disk image).
    emu_args = [w.replace("@PROG@", a.program) for w in shlex.split(a.emu_args)]
    cmd = [a.emu] + MACHINE + emu_args + ["-kernel", a.program]
    env = dict(os.environ)
    if a.backend:
        env["ROVE_BACKEND"] = a.backend
    return goldencheck.run_and_check(cmd, env, a.timeout, a.expect_out, a.status, a.update)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
