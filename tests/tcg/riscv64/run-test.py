#!/usr/bin/env python3
"""Run one riscv64 guest test program under an emulator and check it.

The test passes when the exit status equals --status and stdout is
byte-identical to the golden file.  On a mismatch the first differing line
(with context) and the tail of stderr are printed (goldencheck.py).  Exit codes follow meson: 0 pass, 1 fail,
77 skip.

    run-test.py --emu build/rove-riscv64 --expect-out tests/tcg/riscv64/auxv.out \
        --emu-args '-E ROVE_TEST_VAR=hello-rove' --args 'first "" last' \
        [--sysroot /usr/riscv64-linux-gnu] [--status 0] PROGRAM

--update rewrites the golden file from the actual output (used by
regen-golden.sh with qemu-riscv64); the exit status is still checked.
"""
import argparse
import os
import shlex
import sys

import goldencheck


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--emu", help="emulator binary (rove-riscv64 or qemu-riscv64)")
    p.add_argument("--sysroot", help="pass -L SYSROOT to the emulator (dynamic programs)")
    p.add_argument("--emu-args", default="", help="extra emulator arguments (shell words)")
    p.add_argument("--args", default="", help="program arguments (shell words)")
    p.add_argument("--expect-out", help="golden stdout file")
    p.add_argument("--status", type=int, default=0, help="expected exit status")
    p.add_argument("--timeout", type=float, default=270.0,
                   help="seconds (default 270, below the meson timeout of 300)")
    p.add_argument("--update", action="store_true", help="write the golden file")
    p.add_argument("--skip", metavar="REASON", help="report the test as skipped (exit 77)")
    p.add_argument("--backend", help="set ROVE_BACKEND for the emulator")
    p.add_argument("program", nargs="?")
    return p.parse_args(argv)


def main(argv):
    a = parse_args(argv)
    if a.skip:
        print("SKIP:", a.skip)
        return 77
    if not a.emu or not a.program or not a.expect_out:
        print("error: --emu, --expect-out and PROGRAM are required", file=sys.stderr)
        return 2
    if not os.path.exists(a.program):
        print("SKIP: test program %s was not built" % a.program)
        return 77
    if a.sysroot and not os.path.isdir(a.sysroot):
        print("SKIP: sysroot %s not found" % a.sysroot)
        return 77

    cmd = [a.emu]
    if a.sysroot:
        cmd += ["-L", a.sysroot]
    cmd += shlex.split(a.emu_args) + [a.program] + shlex.split(a.args)
    env = dict(os.environ)
    if a.backend:
        env["ROVE_BACKEND"] = a.backend
    return goldencheck.run_and_check(cmd, env, a.timeout, a.expect_out, a.status, a.update)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
