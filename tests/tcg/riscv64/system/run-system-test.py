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
import signal
import subprocess
import sys

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


def describe(rc):
    if rc < 0:
        try:
            return "killed by signal %d (%s)" % (-rc, signal.Signals(-rc).name)
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


def first_difference(want, got):
    """Index of the first differing line (or len of the shorter), or None."""
    if want == got:
        return None
    for i, (a, b) in enumerate(zip(want, got)):
        if a != b:
            return i
    return min(len(want), len(got))


def tail(data, n):
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-n:])


def main(argv):
    a = parse_args(argv)
    if a.skip:
        print("SKIP:", a.skip)
        return 77
    if not os.path.exists(a.program):
        print("SKIP: test program %s was not built" % a.program)
        return 77
    cmd = [a.emu] + MACHINE + shlex.split(a.emu_args) + ["-kernel", a.program]
    env = dict(os.environ)
    if a.backend:
        env["ROVE_BACKEND"] = a.backend
    print("command:", " ".join(shlex.quote(c) for c in cmd))
    try:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, start_new_session=True)
    except OSError as e:
        print("FAIL: cannot run the emulator: %s" % e)
        return 1
    try:
        out, err = p.communicate(timeout=a.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        print("FAIL: timed out after %g s; output so far (last 30 lines):" % a.timeout)
        print(tail(out, 30))
        print("--- stderr (last 10 lines) ---")
        print(tail(err, 10))
        return 1

    ok = True
    if p.returncode != a.status:
        print("FAIL: %s, expected exit status %d" % (describe(p.returncode), a.status))
        ok = False
    if a.update:
        if ok:
            with open(a.expect_out, "wb") as f:
                f.write(out)
            print("updated", a.expect_out)
    else:
        try:
            with open(a.expect_out, "rb") as f:
                want = f.read()
        except OSError as e:
            print("FAIL: cannot read the golden file: %s" % e)
            return 1
        wl = want.decode("utf-8", "replace").splitlines(keepends=True)
        gl = out.decode("utf-8", "replace").splitlines(keepends=True)
        i = first_difference(wl, gl)
        if i is not None:
            ok = False
            print("FAIL: output differs from %s at line %d" % (a.expect_out, i + 1))
            for j in range(max(0, i - 3), i):
                print("      %s" % wl[j].rstrip("\n"))
            print("want: %s" % (wl[i].rstrip("\n") if i < len(wl) else "(end of output)"))
            print("got:  %s" % (gl[i].rstrip("\n") if i < len(gl) else "(end of output)"))
            print("(%d lines wanted, %d lines got)" % (len(wl), len(gl)))
    if not ok and err:
        print("--- stderr (last 20 lines) ---")
        print(tail(err, 20))
    if ok:
        print("PASS (%s, %d bytes of output)" % (describe(p.returncode), len(out)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
