#!/usr/bin/env python3
"""Run one riscv64 guest test program under an emulator and check it.

The test passes when the exit status equals --status and stdout is
byte-identical to the golden file.  On a mismatch a unified diff (and the
tail of stderr) is printed.  Exit codes follow meson: 0 pass, 1 fail,
77 skip.

    run-test.py --emu build/rove-riscv64 --expect-out tests/tcg/riscv64/auxv.out \
        --emu-args '-E ROVE_TEST_VAR=hello-rove' --args 'first "" last' \
        [--sysroot /usr/riscv64-linux-gnu] [--status 0] PROGRAM

--update rewrites the golden file from the actual output (used by
regen-golden.sh with qemu-riscv64); the exit status is still checked.
"""
import argparse
import difflib
import os
import shlex
import signal
import subprocess
import sys


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


def describe_status(rc):
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = "?"
        return "killed by signal %d (%s)" % (-rc, name)
    return "exit status %d" % rc


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
    print("command:", " ".join(shlex.quote(c) for c in cmd))
    if "ROVE_BACKEND" in env:
        print("ROVE_BACKEND=%s" % env["ROVE_BACKEND"])
    try:
        # own process group, so that a hung guest's forked children can be
        # killed together with the emulator on timeout
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as e:
        print("FAIL: cannot run emulator: %s" % e)
        return 1
    try:
        out, err = p.communicate(timeout=a.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        print("FAIL: timed out after %g s" % a.timeout)
        print("--- stdout so far (last 40 lines) ---")
        print("\n".join(out.decode("utf-8", "replace").splitlines()[-40:]))
        print("--- stderr (last 20 lines) ---")
        print("\n".join(err.decode("utf-8", "replace").splitlines()[-20:]))
        return 1
    r = subprocess.CompletedProcess(cmd, p.returncode, out, err)

    ok = True
    if r.returncode != a.status:
        print("FAIL: %s, expected exit status %d" % (describe_status(r.returncode), a.status))
        ok = False

    if a.update:
        if ok:
            with open(a.expect_out, "wb") as f:
                f.write(r.stdout)
            print("updated", a.expect_out)
    else:
        try:
            with open(a.expect_out, "rb") as f:
                want = f.read()
        except OSError as e:
            print("FAIL: cannot read golden file: %s" % e)
            return 1
        if r.stdout != want:
            ok = False
            print("FAIL: stdout differs from %s" % a.expect_out)
            diff = difflib.unified_diff(
                want.decode("utf-8", "replace").splitlines(),
                r.stdout.decode("utf-8", "replace").splitlines(),
                "expected", "actual", lineterm="")
            lines = list(diff)
            print("\n".join(lines[:300]))
            if len(lines) > 300:
                print("... (%d more diff lines)" % (len(lines) - 300))

    if not ok and r.stderr:
        print("--- stderr (last 30 lines) ---")
        print("\n".join(r.stderr.decode("utf-8", "replace").splitlines()[-30:]))
    if ok:
        print("PASS (%s, %d bytes of stdout)" % (describe_status(r.returncode), len(r.stdout)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
