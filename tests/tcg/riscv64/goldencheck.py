"""Shared by run-test.py (user mode) and system/run-system-test.py (the
virt machine): run an emulator command with a timeout and check its exit
status and stdout against a golden file (or rewrite the golden file).
Returns meson's codes: 0 pass, 1 fail."""
import os
import shlex
import signal
import subprocess


def describe(rc):
    if rc < 0:
        try:
            return "killed by signal %d (%s)" % (-rc, signal.Signals(-rc).name)
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


def tail(data, n):
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-n:])


def first_difference(want, got):
    """Index of the first differing line (or len of the shorter), or None."""
    if want == got:
        return None
    for i, (a, b) in enumerate(zip(want, got)):
        if a != b:
            return i
    return min(len(want), len(got))


def run_and_check(cmd, env, timeout, expect_out, status, update):
    print("command:", " ".join(shlex.quote(c) for c in cmd))
    if "ROVE_BACKEND" in env:
        print("ROVE_BACKEND=%s" % env["ROVE_BACKEND"])
    try:
        # own process group, so that a hung guest's children (user mode:
        # forked processes) are killed with the emulator on timeout
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, start_new_session=True)
    except OSError as e:
        print("FAIL: cannot run the emulator: %s" % e)
        return 1
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        print("FAIL: timed out after %g s" % timeout)
        print("--- stdout so far (last 40 lines) ---")
        print(tail(out, 40))
        print("--- stderr (last 20 lines) ---")
        print(tail(err, 20))
        return 1

    ok = True
    if p.returncode != status:
        print("FAIL: %s, expected exit status %d" % (describe(p.returncode), status))
        ok = False
    if update:
        if ok:
            with open(expect_out, "wb") as f:
                f.write(out)
            print("updated", expect_out)
    else:
        try:
            with open(expect_out, "rb") as f:
                want = f.read()
        except OSError as e:
            print("FAIL: cannot read the golden file: %s" % e)
            return 1
        wl = want.decode("utf-8", "replace").splitlines(keepends=True)
        gl = out.decode("utf-8", "replace").splitlines(keepends=True)
        i = first_difference(wl, gl)
        if i is not None:
            ok = False
            print("FAIL: output differs from %s at line %d" % (expect_out, i + 1))
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
