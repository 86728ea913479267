#!/usr/bin/env python3
"""Run CPython's own test modules under Rove and under qemu-riscv64.

The guest is Debian 13's riscv64 python3.13 with its test package
(libpython3.13-testsuite), in a root made by scripts/make-riscv64-root.sh
from Debian packages only.  Each module runs as

    EMU -L ROOT ROOT/usr/bin/python3.13 -m test -v MODULE

(serially, in one process, as regrtest does without -j) under both
emulators, with a per-module timeout.  A module's result is pass, fail
(regrtest's own failure), skip (regrtest skipped the whole module), crash
(killed by a signal) or timeout; for fail, the failing test cases are read
from regrtest's verbose output.  The test fails when Rove's result or set of
failing test cases differs from qemu's for any module, and prints a table.
Not counted as a difference: Rove failing a strict subset of qemu's test
cases (qemu-riscv64 7.2's own gaps), and test cases that failed only under
Rove but pass when run again alone (timing tests on a loaded machine;
reported as "flaky").
Exit status 77 (skip) when the root cannot be made or qemu-riscv64 is
missing.

qemu-riscv64 without binfmt_misc cannot execve a riscv64 program, so its
python is started through a host shell wrapper (`-0 WRAPPER`) that becomes
sys.executable and re-enters qemu: tests that run sys.executable in a
subprocess then work there too.  Rove runs the program as a user would
(its execve of a riscv64 ELF re-executes the emulator).

    test-cpython.py --rove build/rove-riscv64 [--qemu qemu-riscv64]
        [--make-root scripts/make-riscv64-root.sh | --root DIR]
        [--timeout SEC] [--jobs N] [--log-dir DIR] [MODULE...]
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# Cheap ones first.
DEFAULT_MODULES = """
test_math test_json test_struct test_re test_float test_long test_bytes
test_str test_fstring test_itertools test_functools test_collections
test_random test_statistics test_pickle test_cmath test_array test_builtin
test_exceptions test_sys test_time test_thread test_queue test_threading
test_threadsignals test_select test_poll test_epoll test_selectors
test_fcntl test_mmap test_resource test_termios test_pty test_signal
test_eintr test_faulthandler test_os test_posix test_fork1 test_wait4
test_tempfile test_shutil test_subprocess test_decimal test_hashlib
test_zlib test_bz2 test_lzma test_ctypes test_sqlite3 test_socket
test_asyncio
""".split()

# regrtest resources (-u) a module needs to run at all.
RESOURCES = {"test_eintr": "walltime"}

EXIT_SKIP = 77


def make_root(script, root):
    cmd = [script] + ([root] if root else [])
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"{script}: {e}"
    if p.returncode != 0:
        msg = (p.stderr.strip().splitlines() or ["exit status %d" % p.returncode])[-1]
        return None, msg
    return p.stdout.strip().splitlines()[-1], None


CASE_RE = re.compile(r"^(FAIL|ERROR|UNEXPECTED SUCCESS): (\S+) \(([^)]*)\)", re.M)
SKIPPED_MODULE_RE = re.compile(r"^\S+ \S+ \[[\d/]+\] (test_\w+) skipped", re.M)


def classify(rc, timed_out, out):
    """(result, failing test cases) from regrtest's exit status and output."""
    cases = sorted(set(f"{m.group(3)} {m.group(1)}" for m in CASE_RE.finditer(out)))
    if timed_out:
        return "timeout", cases
    if rc < 0 or rc >= 128:
        sig = -rc if rc < 0 else rc - 128
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"crash:{name}", cases
    if "Fatal Python error" in out:
        return "crash:fatal", cases
    if rc == 0:
        counts = re.search(r"^Total tests: run=(\d+) skipped=(\d+)$", out, re.M)
        if "1 test skipped" in out or (counts and counts.group(1) == counts.group(2)):
            return "skip", cases
        return "pass", cases
    if rc == 4:          # EXITCODE_NO_TESTS_RAN
        return "no-tests", cases
    return "fail", cases


def run_one(label, argv, env, cwd, timeout, log_path):
    start = time.monotonic()
    timed_out = False
    with open(log_path, "wb") as log:
        log.write((" ".join(argv) + "\n\n").encode())
        log.flush()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT, env=env, cwd=cwd,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            rc = p.wait()
        # Leftover children (a test's hung subprocess) must not outlive us.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elapsed = time.monotonic() - start
    with open(log_path, "rb") as f:
        out = f.read().decode(errors="replace")
    result, cases = classify(rc, timed_out, out)
    return {"result": result, "cases": cases, "time": elapsed, "rc": rc,
            "log": log_path}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rove", required=True)
    ap.add_argument("--qemu", default=shutil.which("qemu-riscv64"))
    ap.add_argument("--make-root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
        "make-riscv64-root.sh"))
    ap.add_argument("--root", help="use (or make) the root here")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="per module and emulator, seconds (default 1800)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="runs at a time (default 2: Rove and qemu side by side)")
    ap.add_argument("--log-dir", default="cpython-test-logs")
    ap.add_argument("--emulators", default="rove,qemu",
                    help="comma list of rove,qemu (one alone only reports)")
    ap.add_argument("modules", nargs="*")
    args = ap.parse_args()

    emus = args.emulators.split(",")
    if "qemu" in emus and not (args.qemu and os.path.exists(args.qemu)):
        print("SKIP: qemu-riscv64 not found")
        return EXIT_SKIP
    root, err = make_root(os.path.abspath(args.make_root), args.root)
    if root is None:
        print(f"SKIP: cannot make the riscv64 root: {err}")
        return EXIT_SKIP
    python = os.path.join(root, "usr/bin/python3.13")
    rove = os.path.abspath(args.rove)
    modules = args.modules or DEFAULT_MODULES
    os.makedirs(args.log_dir, exist_ok=True)
    log_dir = os.path.abspath(args.log_dir)
    print(f"root {root}\nlogs {log_dir}\n", flush=True)

    tmp = tempfile.mkdtemp(prefix="rove-cpython-")
    wrapper = os.path.join(tmp, "qemu-bin", "python3.13")
    os.makedirs(os.path.dirname(wrapper))
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                f"exec '{args.qemu}' -L '{root}' -0 \"$0\" '{python}' \"$@\"\n")
    os.chmod(wrapper, 0o755)

    argv_for = {
        "rove": [rove, "-L", root, python],
        "qemu": [args.qemu, "-L", root, "-0", wrapper, python],
    }
    jobs = [(m, e) for m in modules for e in emus]
    results = {}
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                module, emu = jobs.pop(0)
            work = os.path.join(tmp, f"{emu}-{module}")
            os.makedirs(work)
            env = {"PATH": "/usr/bin:/bin", "HOME": work, "TMPDIR": work,
                   "LANG": "C.UTF-8", "TERM": "dumb"}
            argv = argv_for[emu] + ["-m", "test", "-v", module]
            if module in RESOURCES:
                argv += ["-u", RESOURCES[module]]
            r = run_one(emu, argv, env, work, args.timeout,
                        os.path.join(log_dir, f"{module}.{emu}.log"))
            shutil.rmtree(work, ignore_errors=True)
            with lock:
                results[(module, emu)] = r
                print(f"  {module:<18} {emu:<5} {r['result']:<10} {r['time']:7.1f}s",
                      flush=True)

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def rerun_passes(module, cases):
        """Run only CASES of MODULE under Rove again: do they all pass now?"""
        work = os.path.join(tmp, f"rerun-{module}")
        os.makedirs(work, exist_ok=True)
        env = {"PATH": "/usr/bin:/bin", "HOME": work, "TMPDIR": work,
               "LANG": "C.UTF-8", "TERM": "dumb"}
        argv = argv_for["rove"] + ["-m", "test", "-v", module]
        if module in RESOURCES:
            argv += ["-u", RESOURCES[module]]
        for c in cases:
            argv += ["-m", c.split()[0]]
        r = run_one("rove", argv, env, work, args.timeout,
                    os.path.join(log_dir, f"{module}.rove-rerun.log"))
        shutil.rmtree(work, ignore_errors=True)
        return r["result"] == "pass"

    # Verdicts: same; rove-better (Rove's failing cases a strict subset of
    # qemu's, same kind of result or pass: qemu's problem); flaky (the test
    # cases that failed only under Rove pass when run again alone); DIFFERS.
    verdicts = {}
    for m in modules if len(emus) == 2 else []:
        a, b = results[(m, "rove")], results[(m, "qemu")]
        ra, rb = set(a["cases"]), set(b["cases"])
        if a["result"] == b["result"] and ra == rb:
            verdicts[m] = "same"
        elif ra < rb and a["result"] in ("pass", "fail", b["result"]) and \
                b["result"] in ("fail", "pass"):
            verdicts[m] = "rove-better"
        elif a["result"] == "fail" and b["result"] in ("pass", "fail") and \
                rb <= ra and rerun_passes(m, sorted(ra - rb)):
            verdicts[m] = "flaky"
        else:
            verdicts[m] = "DIFFERS"
    shutil.rmtree(tmp, ignore_errors=True)

    print()
    head = f"{'module':<18}" + "".join(f" {e:>18}" for e in emus) + "  verdict"
    print(head)
    print("-" * len(head))
    for m in modules:
        rs = [results[(m, e)] for e in emus]
        cells = "".join(f" {r['result'] + ' %.0fs' % r['time']:>18}" for r in rs)
        print(f"{m:<18}{cells}  {verdicts.get(m, '')}")
    differ = [m for m in modules if verdicts.get(m) == "DIFFERS"]
    for m in modules:
        if verdicts.get(m, "same") == "same":
            continue
        print(f"\n{m}: {verdicts[m]}: rove {results[(m, 'rove')]['result']}, "
              f"qemu {results[(m, 'qemu')]['result']}")
        a = set(results[(m, "rove")]["cases"])
        b = set(results[(m, "qemu")]["cases"])
        for c in sorted(a - b):
            print(f"  only under rove: {c}")
        for c in sorted(b - a):
            print(f"  only under qemu: {c}")
        print(f"  logs: {results[(m, 'rove')]['log']} {results[(m, 'qemu')]['log']}")
    if len(emus) == 2:
        print(f"\nmodules: {len(modules) - len(differ)} agree, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
