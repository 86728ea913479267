#!/usr/bin/env python3
"""Benchmark rove-riscv64 against qemu-riscv64.

Builds the benchmark programs in this directory (riscv64-linux-gnu-gcc -O2
-static) into a build directory, runs each one under both emulators in the
same session (alternating which goes first), takes the median (or best) of
N runs and prints a table with the qemu/rove speed ratio and the geometric
mean of the ratios.  For "hello" it reports start-up wall time and peak
RSS instead.  The output of every program must be identical under both
emulators; a warning is printed otherwise.

bench_parallel runs at 1, 2 and 4 guest threads (wall time, each
emulator's speedup over its own 1-thread run); its checksum must be the
same for every thread count and emulator, or the run fails (exit 1).
--baseline adds a second rove binary (e.g. an older build) to the
single-thread table, run in the same alternation.

    tests/bench/run-bench.py --emu build/rove-riscv64 --runs 3
    tests/bench/run-bench.py --emu build/rove-riscv64 --backend interp --only bench_int
    ninja -C build bench
"""
import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name, description, extra link flags
BENCHES = [
    ("bench_int", "integer: crc32 + sieve + hash mix", []),
    ("bench_branch", "branchy: bytecode interpreter + quicksort", []),
    ("bench_mem", "memory: pointer chasing over 64 MiB", []),
    ("bench_fp64", "double: n-body + matrix multiply", ["-lm"]),
    ("bench_fp32", "single: mandelbrot + convolution", []),
    ("bench_call", "calls: recursive fib + small functions", []),
]
HELLO = ("hello", "static hello: start-up time and peak RSS", [])
PARALLEL = ("bench_parallel", "threads: hash mix + buffer passes, fixed total work",
            ["-pthread"])
THREADS = [1, 2, 4]


def build(cc, outdir, names):
    os.makedirs(outdir, exist_ok=True)
    paths = {}
    for name, _, libs in BENCHES + [HELLO, PARALLEL]:
        if name not in names:
            continue
        src = os.path.join(HERE, name + ".c")
        out = os.path.join(outdir, name)
        if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
            subprocess.run([cc, "-O2", "-Wall", "-static", "-o", out, src] + libs, check=True)
        paths[name] = out
    return paths


class Result:
    __slots__ = ("wall", "cpu", "rss_kb", "out", "status")

    def __init__(self, wall, cpu, rss_kb, out, status):
        self.wall, self.cpu, self.rss_kb, self.out, self.status = wall, cpu, rss_kb, out, status


MEASURE = None  # path of the spawn-measure helper, built at start-up


def run_once(cmd, env, timeout):
    """Run cmd under spawn-measure: wall time, CPU time and the peak RSS of
    the emulator itself (not inherited from this Python process)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as meas:
        full = [MEASURE, meas.name] + cmd if MEASURE else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        wall = time.perf_counter() - t0
        cpu, rss_kb = None, None
        if MEASURE:
            fields = meas.read().split()
            if len(fields) == 3:
                wall, rss_kb, cpu = float(fields[0]), int(fields[1]), float(fields[2])
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace")
        if p.returncode != 0:
            text += "[exit %d] %s" % (p.returncode, err.read().decode("utf-8", "replace")[-300:])
        return Result(wall, cpu, rss_kb, text, p.returncode)


def build_measure(outdir):
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spawn-measure.c")
    exe = os.path.join(outdir, "spawn-measure")
    host_cc = shutil.which("cc") or shutil.which("gcc")
    if host_cc and subprocess.run([host_cc, "-O2", "-o", exe, src]).returncode == 0:
        return exe
    print("warning: cannot build spawn-measure; peak RSS figures unavailable")
    return None


def pick(values, stat):
    return min(values) if stat == "best" else statistics.median(values)


def fmt(v, unit="s"):
    if v is None:
        return "-"
    return "%.3f" % v if unit == "s" else "%d" % v


def run_parallel(a, emus, path):
    """bench_parallel at each thread count: wall time, speedup over the same
    emulator's 1-thread run (wall), CPU time (user + sys: on a shared
    machine, cpu/wall shows how many cores a run got), qemu/rove.  Returns a list of failures (a
    checksum that differs, a non-zero exit)."""
    print("\n%s: %s (wall time)" % PARALLEL[:2])
    hdr = "%-8s" % "threads"
    for ename, _, _ in emus:
        hdr += " %10s %8s %8s" % (ename + " s", "speedup", "cpu s")
    hdr += " %12s" % "qemu/rove"
    print(hdr)
    print("-" * len(hdr))
    failures, sums, t1 = [], {}, {}
    for n in THREADS:
        res = {e[0]: [] for e in emus}
        for r in range(a.runs):
            for ename, cmd, env in (emus if r % 2 == 0 else emus[::-1]):
                x = run_once(cmd + [path, str(n)], env, a.timeout)
                res[ename].append(x)
                m = re.search(r"checksum ([0-9a-f]+)", x.out)
                if x.status != 0 or not m:
                    failures.append("bench_parallel %d thread(s) under %s: exit %d: %s"
                                    % (n, ename, x.status, x.out.strip()[-300:]))
                else:
                    sums.setdefault(m.group(1), []).append("%s/%d" % (ename, n))
        line = "%-8d" % n
        t = {}
        for ename, _, _ in emus:
            t[ename] = pick([x.wall for x in res[ename]], a.stat)
            t1.setdefault(ename, t[ename])
            cpu = [x.cpu for x in res[ename]]
            line += " %10s %7.2fx %8s" % (fmt(t[ename]), t1[ename] / t[ename],
                                          fmt(pick(cpu, a.stat) if None not in cpu else None))
        if "rove" in t and "qemu" in t:
            line += " %11.2fx" % (t["qemu"] / t["rove"])
        print(line, flush=True)
    if len(sums) > 1:
        failures.append("bench_parallel checksums differ: %s"
                        % "; ".join("%s in %s" % (k, " ".join(sorted(set(v))))
                                    for k, v in sums.items()))
    elif sums:
        print("checksum %s in every run" % next(iter(sums)))
    return failures


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--emu", default="build/rove-riscv64", help="rove-riscv64 binary")
    p.add_argument("--backend", help="set ROVE_BACKEND for rove")
    p.add_argument("--baseline", help="another rove binary for the single-thread table")
    p.add_argument("--qemu", default="qemu-riscv64")
    p.add_argument("--cc", default="riscv64-linux-gnu-gcc")
    p.add_argument("--runs", type=int, default=5, help="runs per program and emulator")
    p.add_argument("--stat", choices=["median", "best"], default="median")
    p.add_argument("--build-dir", help="where to build the programs (default: a temp dir)")
    p.add_argument("--only", nargs="*", help="benchmark names to run")
    p.add_argument("--timeout", type=float, default=600)
    a = p.parse_args(argv)

    cc = shutil.which(a.cc)
    if not cc:
        print("run-bench: %s not found; cannot build the benchmarks" % a.cc)
        return 77
    qemu = shutil.which(a.qemu)
    rove = shutil.which(a.emu) or (os.path.abspath(a.emu) if os.path.exists(a.emu) else None)
    if not qemu and not rove:
        print("run-bench: neither %s nor %s found" % (a.emu, a.qemu))
        return 77
    if not rove:
        print("warning: %s not found, running qemu only" % a.emu)
    if not qemu:
        print("warning: %s not found, running rove only" % a.qemu)
    names = set(a.only) if a.only else {b[0] for b in BENCHES + [HELLO, PARALLEL]}
    tmp = None
    outdir = a.build_dir
    if not outdir:
        tmp = tempfile.mkdtemp(prefix="rove-bench-")
        outdir = tmp
    try:
        paths = build(cc, outdir, names)
        global MEASURE
        MEASURE = build_measure(outdir)
        env_rove = dict(os.environ)
        if a.backend:
            env_rove["ROVE_BACKEND"] = a.backend
        emus = []
        if rove:
            emus.append(("rove", [rove], env_rove))
        if qemu:
            emus.append(("qemu", [qemu], dict(os.environ)))
        base = []
        if a.baseline:
            base = [("base", [os.path.abspath(a.baseline)], env_rove)]
        print("rove: %s%s" % (rove or "-", " (ROVE_BACKEND=%s)" % a.backend if a.backend else ""))
        if base:
            print("base: %s (single-thread table only)" % base[0][1][0])
        print("qemu: %s" % (qemu or "-"))
        print("%d run(s) per program and emulator, %s wall time\n" % (a.runs, a.stat))

        bcols = ("%10s %9s " % ("base s", "base/rove")) if base else ""
        hdr = "%-14s %10s %s%10s %12s   %s" % ("benchmark", "rove s", bcols, "qemu s", "qemu/rove",
                                                 "description")
        print(hdr)
        print("-" * len(hdr))
        ratios, warnings = [], []
        for name, desc, _ in BENCHES:
            if name not in paths:
                continue
            allemus = emus + base
            res = {e[0]: [] for e in allemus}
            for r in range(a.runs):
                order = allemus if r % 2 == 0 else allemus[::-1]
                for ename, cmd, env in order:
                    res[ename].append(run_once(cmd + [paths[name]], env, a.timeout))
            t = {e: pick([x.wall for x in v], a.stat) for e, v in res.items()}
            outs = {e: v[0].out for e, v in res.items()}
            ratio = None
            if "rove" in t and "qemu" in t and t["rove"] > 0:
                ratio = t["qemu"] / t["rove"]
                ratios.append(ratio)
            if base:
                bt, rt = t.get("base"), t.get("rove")
                bcols = "%10s %9s " % (fmt(bt), "%.2fx" % (bt / rt) if bt and rt else "-")
            print("%-14s %10s %s%10s %12s   %s" % (name, fmt(t.get("rove")), bcols,
                                                 fmt(t.get("qemu")),
                                                 "%.2fx" % ratio if ratio else "-", desc),
                  flush=True)
            if len(set(outs.values())) > 1:
                warnings.append("%s: output differs between emulators:\n  %s"
                                % (name, "\n  ".join("%s: %s" % (e, o.strip())
                                                     for e, o in outs.items())))
            for e, v in res.items():
                if any(x.status != 0 for x in v):
                    warnings.append("%s: non-zero exit under %s: %s" % (name, e, v[0].out.strip()))
        if ratios:
            gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            print("-" * len(hdr))
            print("%-14s %10s %s%10s %12s" % ("geomean", "", " " * len(bcols), "", "%.2fx" % gm))

        if HELLO[0] in paths:
            n = max(5, a.runs)
            print("\n%-14s %12s %12s" % ("hello", "startup s", "peak RSS KB"))
            res = {e[0]: [] for e in emus}
            for r in range(n):
                for ename, cmd, env in (emus if r % 2 == 0 else emus[::-1]):
                    res[ename].append(run_once(cmd + [paths["hello"]], env, a.timeout))
            for ename, v in res.items():
                print("%-14s %12s %12s" % (ename, fmt(pick([x.wall for x in v], a.stat)),
                                           fmt(max(x.rss_kb for x in v) if v[0].rss_kb else None, "kb")))
            outs = {e: v[0].out for e, v in res.items()}
            if len(set(outs.values())) > 1:
                warnings.append("hello: output differs between emulators: %r" % outs)
        failures = []
        if PARALLEL[0] in paths:
            failures = run_parallel(a, emus, paths[PARALLEL[0]])
        for w in warnings:
            print("WARNING:", w)
        for f in failures:
            print("FAIL:", f)
        return 1 if failures else 0
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
