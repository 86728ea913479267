#!/usr/bin/env python3
"""Differential tester: run random RISC-V instruction sequences under
qemu-riscv64 (the oracle) and under the emulator being tested, and compare
the final architectural state of every sequence.

    difftest.py --emu build/rove-riscv64 --count 3000 --seed 1
    difftest.py --emu build/rove-riscv64 --backend interp --regressions tests/difftest/regressions
    difftest.py --emu build/rove-riscv64 --replay saved.seq

On a difference it prints the sequence (disassembled with objdump), the
initial state, every register that differs under both emulators (first
one highlighted) and saves the sequence as a regression file (see
README.md) when --save-failures is given.  Exit status: 0 all equal,
1 differences found, 77 skipped (no cross compiler, qemu or emulator),
2 usage/setup error.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rvgen  # noqa: E402


def log(*a):
    print(*a, flush=True)


# --------------------------------------------------------------- regression files


def parse_seq(path):
    """Parse a .seq regression file into [(seed, code bytes)]."""
    recs, seed, code = [], None, b""
    with open(path) as fh:
        for lineno, ln in enumerate(fh, 1):
            ln = ln.split("#")[0].strip()
            if not ln:
                continue
            key, _, rest = ln.partition(" ")
            if key == "seed":
                if seed is not None:
                    recs.append((seed, code))
                seed, code = int(rest.strip(), 0), b""
            elif key == "code" and seed is not None:
                for tok in rest.split():
                    if len(tok) not in (4, 8):
                        raise ValueError("%s:%d: bad instruction %r" % (path, lineno, tok))
                    code += int(tok, 16).to_bytes(len(tok) // 2, "little")
            else:
                raise ValueError("%s:%d: expected 'seed' or 'code'" % (path, lineno))
    if seed is not None:
        recs.append((seed, code))
    return recs


def format_seq(seed, code, comments, cc=None):
    words = ["%0*x" % (s * 2, w) for w, s in rvgen.split_parcels(code)]
    out = ["# " + c for c in comments]
    out += ["# disassembly:"] + ["#   " + d for d in rvgen.disassemble(code, 0, cc)]
    out.append("seed 0x%016x" % seed)
    for i in range(0, len(words), 8):
        out.append("code " + " ".join(words[i:i + 8]))
    return "\n".join(out) + "\n"


def load_batch(path):
    if path.endswith(".seq"):
        return parse_seq(path)
    return rvgen.read_file(path)


# --------------------------------------------------------------- running


class Runner:
    def __init__(self, name, cmd, env, timeout):
        self.name, self.cmd, self.env, self.timeout = name, cmd, env, timeout

    def start(self, harness, seqfile, extra):
        return subprocess.Popen(self.cmd + [harness, seqfile] + extra, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=self.env)

    def finish(self, p):
        try:
            out, err = p.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), "timeout"
        return out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), p.returncode


def parse_results(text):
    res = {}
    for ln in text.splitlines():
        idx, _, rest = ln.partition(" ")
        if idx.isdigit() and rest and not rest.startswith(("in ", "out ", "seed ")):
            res[int(idx)] = rest
    return res


def run_all(runners, harness, seqfile, n, max_restarts=20):
    """Run every runner over all n sequences, restarting after crashes.
    Returns per runner: dict index -> result text ('CRASH ...' for a crash)."""
    results = [dict() for _ in runners]
    start = [0] * len(runners)
    restarts = [0] * len(runners)
    while True:
        active = [i for i in range(len(runners)) if start[i] < n]
        if not active:
            return results
        procs = {i: runners[i].start(harness, seqfile, ["--first", str(start[i])]) for i in active}
        for i in active:
            out, err, rc = runners[i].finish(procs[i])
            got = parse_results(out)
            results[i].update(got)
            if rc == 0 and all(k in got for k in range(start[i], n)):
                start[i] = n
                continue
            crash = start[i]
            while crash in got:
                crash += 1
            tail = " | ".join(err.strip().splitlines()[-3:])
            results[i][crash] = "CRASH rc=%s %s" % (rc, tail)
            restarts[i] += 1
            start[i] = crash + 1 if restarts[i] <= max_restarts else n
            if restarts[i] > max_restarts:
                log("%s: too many crashes, giving up at sequence %d" % (runners[i].name, crash))
                for k in range(crash + 1, n):
                    results[i].setdefault(k, "NOT RUN")


def parse_dump(text):
    """harness --dump output -> {'in': {reg: value}, 'out': {...}, 'mem': [lines]}"""
    d = {"in": {}, "out": {}, "mem": [], "result": None}
    for ln in text.splitlines():
        parts = ln.split()
        if len(parts) >= 3 and parts[0] in ("in", "out") and not parts[1].startswith("mem["):
            d[parts[0]][parts[1]] = parts[2] + (" " + parts[3] if parts[1] == "fcsr" else "")
        elif len(parts) >= 2 and parts[0] == "out":
            d["mem"].append(" ".join(parts[1:]))
        elif parts and parts[0].isdigit() and d["result"] is None:
            d["result"] = " ".join(parts[1:])
    return d


REG_ORDER = ["x%d" % i for i in range(32)] + ["f%d" % i for i in range(32)] + ["fcsr", "scratch"]


def report(idx, seed, code, runners, harness, workdir, cc, save_dir, label):
    single = os.path.join(workdir, "single-%d.bin" % idx)
    rvgen.write_file(single, [(seed, code)])
    dumps = []
    for r in runners:
        p = r.start(harness, single, ["--dump"])
        out, err, rc = r.finish(p)
        dumps.append((parse_dump(out), rc, err))
    log("=" * 78)
    log("MISMATCH in %s, sequence %d (seed 0x%016x, %d bytes of code)" % (label, idx, seed,
                                                                      len(code)))
    log("-- code (at +0 after the preamble):")
    for ln in rvgen.disassemble(code, 0, cc):
        log("   " + ln)
    (qd, qrc, qerr), (ed, erc, eerr) = dumps
    for name, (d, rc, err) in zip((runners[0].name, runners[1].name), dumps):
        if rc != 0 or d["result"] is None or d["result"].startswith("FAULT"):
            log("-- %s: exit %s, result %s; stderr: %s" % (name, rc, d["result"],
                                                          " | ".join(err.splitlines()[-3:])))
    log("-- initial state:")
    ins = qd["in"] or ed["in"]
    regs = [r for r in REG_ORDER if r in ins]
    for i in range(0, len(regs), 4):
        log("   " + "  ".join("%-4s %s" % (r, ins[r]) for r in regs[i:i + 4]))
    first = None
    rows = []
    for r in REG_ORDER:
        a, b = qd["out"].get(r), ed["out"].get(r)
        if a != b:
            first = first or r
            rows.append("   %-7s %-24s %-24s" % (r, a, b))
    if rows:
        log("-- final state differences (first differing: %s):" % first)
        log("   %-7s %-24s %-24s" % ("reg", runners[0].name, runners[1].name))
        for row in rows:
            log(row)
    if qd["mem"] != ed["mem"]:
        log("-- scratch memory changes, %s:" % runners[0].name)
        for m in qd["mem"]:
            log("     " + m)
        log("-- scratch memory changes, %s:" % runners[1].name)
        for m in ed["mem"]:
            log("     " + m)
    if save_dir:
        os.makedirs(save_dir, exist_ok=True)
        path = os.path.join(save_dir, "seq-%016x.seq" % seed)
        comments = ["difftest regression: %s sequence %d" % (label, idx),
                    "emulator: %s" % runners[1].name,
                    "first difference: %s %s=%s %s=%s" % (first, runners[0].name,
                                                           qd["out"].get(first),
                                                           runners[1].name,
                                                           ed["out"].get(first))]
        with open(path, "w") as fh:
            fh.write(format_seq(seed, code, comments, cc))
        log("-- saved as %s" % path)


# --------------------------------------------------------------- main


def build_harness(cc, outdir):
    out = os.path.join(outdir, "difftest-harness")
    srcs = [os.path.join(HERE, "harness.c"), os.path.join(HERE, "trampoline.S")]
    subprocess.run([cc, "-O2", "-Wall", "-static", "-o", out] + srcs, check=True)
    return out


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--emu", required=False, help="emulator under test (rove-riscv64)")
    p.add_argument("--backend", help="ROVE_BACKEND for the emulator under test")
    p.add_argument("--qemu", default="qemu-riscv64", help="oracle (default: qemu-riscv64)")
    p.add_argument("--cc", default="riscv64-linux-gnu-gcc", help="riscv64 cross compiler")
    p.add_argument("--harness", help="prebuilt harness binary (else built from source)")
    p.add_argument("--count", type=int, default=1000, help="random sequences (0: none)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-groups", type=int, default=20, help="max groups per sequence")
    p.add_argument("--regressions", metavar="DIR", help="also replay every DIR/*.seq")
    p.add_argument("--replay", nargs="*", default=[], metavar="FILE",
                   help="replay .seq or .bin files")
    p.add_argument("--save-failures", metavar="DIR", help="write failing sequences here")
    p.add_argument("--max-report", type=int, default=3, help="detailed reports per batch")
    p.add_argument("--timeout", type=float, default=0, help="seconds per emulator run")
    p.add_argument("--no-qemu-workarounds", action="store_true")
    p.add_argument("--skip", metavar="REASON", help="report skipped (exit 77)")
    a = p.parse_args(argv)

    if a.skip:
        log("SKIP:", a.skip)
        return 77
    qemu = shutil.which(a.qemu)
    if not qemu:
        log("SKIP: %s not found" % a.qemu)
        return 77
    if not a.emu:
        log("error: --emu is required")
        return 2
    emu = shutil.which(a.emu) or (a.emu if os.path.exists(a.emu) else None)
    if not emu:
        log("SKIP: emulator %s not found" % a.emu)
        return 77
    cc = shutil.which(a.cc)
    workdir = tempfile.mkdtemp(prefix="rove-difftest-")
    try:
        harness = a.harness
        if not harness or not os.path.exists(harness):
            if not cc:
                log("SKIP: %s not found (needed to build the harness)" % a.cc)
                return 77
            harness = build_harness(cc, workdir)

        batches = []
        if a.count > 0:
            t0 = time.time()
            recs = rvgen.generate(a.count, a.seed, a.max_groups, not a.no_qemu_workarounds)
            log("generated %d sequences (seed %d) in %.1f s" % (len(recs), a.seed,
                                                              time.time() - t0))
            batches.append(("random seed %d" % a.seed, recs))
        if a.regressions and os.path.isdir(a.regressions):
            recs = []
            for fn in sorted(os.listdir(a.regressions)):
                if fn.endswith(".seq"):
                    recs += parse_seq(os.path.join(a.regressions, fn))
            if recs:
                batches.append(("regressions", recs))
            log("loaded %d regression sequences from %s" % (len(recs), a.regressions))
        for path in a.replay:
            batches.append((os.path.basename(path), load_batch(path)))

        env = dict(os.environ)
        if a.backend:
            env["ROVE_BACKEND"] = a.backend
        total = sum(len(b[1]) for b in batches)
        timeout = a.timeout or max(120.0, total * 0.02)
        ename = os.path.basename(emu) + ("[%s]" % a.backend if a.backend else "")
        runners = [Runner("qemu", [qemu], dict(os.environ), timeout),
                   Runner(ename, [emu], env, timeout)]
        bad = 0
        for label, recs in batches:
            seqfile = os.path.join(workdir, "batch.bin")
            rvgen.write_file(seqfile, recs)
            t0 = time.time()
            (qres, eres) = run_all(runners, harness, seqfile, len(recs))
            diffs = [i for i in range(len(recs)) if qres.get(i) != eres.get(i)]
            log("%s: %d sequences, %d differ (%.1f s)" % (label, len(recs), len(diffs),
                                                         time.time() - t0))
            for i in diffs[:a.max_report]:
                log("   sequence %d: qemu %s / %s %s" % (i, qres.get(i), ename, eres.get(i)))
            for i in diffs[:a.max_report]:
                report(i, recs[i][0], recs[i][1], runners, harness, workdir, cc,
                       a.save_failures, label)
            if len(diffs) > a.max_report:
                log("... %d more differing sequences: %s" % (
                    len(diffs) - a.max_report, " ".join(map(str, diffs[a.max_report:][:50]))))
            bad += len(diffs)
        log("TOTAL: %d sequences, %d differ" % (total, bad))
        return 1 if bad else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
