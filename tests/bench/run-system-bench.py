#!/usr/bin/env python3
"""Benchmark rove-system-riscv64 against qemu-system-riscv64: whole boots.

Two measurements, each emulator run --runs times, alternating which goes
first, with the same kernel, initramfs and options (-M virt -m 512M
-nographic -no-reboot -smp 1 (--smp) -bios fw_dynamic.bin -kernel Image
-initrd ... (and --accel); QEMU also gets -nic none):

  boot      seconds from process start to EMU-BOOT-OK on the console, and to
            the process's exit (emu.cmd="true", then poweroff)
  programs  CPU-bound programs of this directory (default bench_int with
            20 rounds and bench_call),
            built statically for riscv64 and put into a second initramfs
            (our initramfs plus /bench), run inside the booted guest by
            emu.cmd; each one's time is taken between the BENCH-START and
            BENCH-DONE lines the guest prints (host clock), so boot time
            does not count

Prints the median (or --stat best) of each, side by side with the ratio
qemu/rove (above 1: Rove is faster).  A program's output must be the same
under both emulators (a warning otherwise).  Without the Rove binary only
QEMU's numbers are shown.  Images come from scripts/fetch-images.sh
(opensbi, linux, initramfs, busybox).

    tests/bench/run-system-bench.py --emu build/rove-system-riscv64 --runs 5
    tests/bench/run-system-bench.py --bench bench_int:20,bench_fp64 --runs 3
    tests/bench/run-system-bench.py --smp 4 [--accel tcg,thread=single] --bench ''
    ninja -C build system-bench
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from benchlib import fetch, run_console  # noqa: E402


def bench_initramfs(a, busybox, builddir, names):
    root = os.path.join(builddir, "bench-root")
    os.makedirs(os.path.join(root, "bench"), exist_ok=True)
    for n in sorted(set(x.split(":")[0] for x in names)):
        src, exe = os.path.join(HERE, n + ".c"), os.path.join(root, "bench", n)
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            subprocess.run([a.cc, "-O2", "-Wall", "-static", "-o", exe, src, "-lm"], check=True)
    with open(os.path.join(root, "bench", "run.sh"), "w") as f:
        f.write('#!/bin/sh\n# run.sh NAME[:ARG]...: each program between markers\n'
                'for p in "$@"; do\n    n=${p%%:*} arg=\n    [ "$n" = "$p" ] || arg=${p#*:}\n'
                '    echo "BENCH-START $p"\n    /bench/$n $arg\n    echo "BENCH-DONE $p rc=$?"\ndone\n')
    os.chmod(os.path.join(root, "bench", "run.sh"), 0o755)
    out = os.path.join(builddir, "initramfs-bench.cpio.gz")
    subprocess.run([os.path.join(TOP, "scripts", "make-initramfs.sh"), "-a", root, busybox, out],
                   check=True)
    return out


def pick(values, stat):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return min(values) if stat == "best" else statistics.median(values)


def row(label, r, q):
    fr = "%9.2f" % r if r is not None else "%9s" % "-"
    fq = "%9.2f" % q if q is not None else "%9s" % "-"
    ratio = "%9.2f" % (q / r) if r and q else "%9s" % "-"
    print("%-34s %s %s %s" % (label, fr, fq, ratio))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--emu", default=os.path.join(TOP, "build", "rove-system-riscv64"),
                    help="rove-system-riscv64 binary")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--cc", default="riscv64-linux-gnu-gcc")
    ap.add_argument("--fetch", default=os.path.join(TOP, "scripts", "fetch-images.sh"))
    ap.add_argument("--runs", type=int, default=5, help="runs per emulator (default 5)")
    ap.add_argument("--stat", choices=["median", "best"], default="median")
    ap.add_argument("--bench", default="bench_int:20,bench_call",
                    help="comma-separated programs, each NAME or NAME:ARG (its size argument)")
    ap.add_argument("--build-dir", help="where to build (default: a temporary directory)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per boot")
    ap.add_argument("--smp", type=int, default=1, help="harts (default 1)")
    ap.add_argument("--accel", help="passed as -accel to both (e.g. tcg,thread=single)")
    a = ap.parse_args(argv)
    names = [n for n in a.bench.split(",") if n]
    for n in names:
        n = n.split(":")[0]
        if not os.path.exists(os.path.join(HERE, n + ".c")):
            sys.exit("run-system-bench: no program %s.c in %s" % (n, HERE))

    emus = []
    if os.path.exists(a.emu):
        emus.append(("rove", [os.path.abspath(a.emu)]))
    else:
        print("rove: %s not built; QEMU only" % a.emu)
    emus.append(("qemu", [a.qemu, "-nic", "none"]))

    fw, kernel, initrd, busybox = fetch(a.fetch, ["opensbi", "linux", "initramfs", "busybox"],
                                        "run-system-bench")
    with tempfile.TemporaryDirectory(prefix="rove-sysbench-") as tmp:
        builddir = a.build_dir or tmp
        os.makedirs(builddir, exist_ok=True)
        bench_rd = bench_initramfs(a, busybox, builddir, names) if names else None
        common = ["-M", "virt", "-m", "512M", "-nographic", "-no-reboot", "-smp", str(a.smp),
                  "-bios", fw, "-kernel", kernel] + (["-accel", a.accel] if a.accel else [])
        boot_args = common + ["-initrd", initrd, "-append",
                              'console=ttyS0 panic=-1 emu.cmd="true"']
        bench_args = common + ["-initrd", bench_rd or initrd, "-append",
                               'console=ttyS0 panic=-1 emu.cmd="/bench/run.sh %s"' % " ".join(names)]
        print("boot:     EMU %s" % " ".join(shlex.quote(x) for x in boot_args))
        if names:
            print("programs: EMU %s" % " ".join(shlex.quote(x) for x in bench_args))

        res = {e: {"boot": [], "exit": [], **{n: [] for n in names}} for e, _ in emus}
        outputs, warnings = {}, []
        for i in range(a.runs):
            order = emus if i % 2 == 0 else emus[::-1]
            for name, emu in order:
                seen, t_exit, status, _ = run_console(emu + boot_args, a.timeout)
                res[name]["boot"].append(seen.get("EMU-BOOT-OK"))
                res[name]["exit"].append(t_exit if status == 0 else None)
                if status != 0 or "EMU-BOOT-OK" not in seen:
                    warnings.append("%s boot run %d: status %s, EMU-BOOT-OK %s" %
                                    (name, i, status, "seen" if "EMU-BOOT-OK" in seen else "missing"))
                if not names:
                    continue
                seen, _, status, out = run_console(emu + bench_args, a.timeout)
                for n in names:
                    t0, t1 = seen.get("BENCH-START " + n), seen.get("BENCH-DONE %s rc=0" % n)
                    res[name][n].append(t1 - t0 if t0 is not None and t1 is not None else None)
                    if t1 is None:
                        warnings.append("%s run %d: %s did not finish with rc=0 (status %s)" %
                                        (name, i, n, status))
                body = re.findall(r"BENCH-START[^\n]*\n(.*?)BENCH-DONE", out, re.S)
                outputs.setdefault(name, body)

    print("\n%-34s %9s %9s %9s" % ("%s of %d runs, seconds" % (a.stat, a.runs), "rove", "qemu", "qemu/rove"))
    get = lambda e, k: pick(res[e][k], a.stat) if e in res else None
    row("start -> EMU-BOOT-OK", get("rove", "boot"), get("qemu", "boot"))
    row("start -> exit (poweroff)", get("rove", "exit"), get("qemu", "exit"))
    for n in names:
        row("%s in the guest" % n, get("rove", n), get("qemu", n))
    for e in outputs:
        print("%s: program output %s" % (e, " | ".join(o.strip().replace("\n", " / ") for o in outputs[e])))
    if "rove" in outputs and outputs["rove"] != outputs["qemu"]:
        warnings.append("program output differs: rove %r, qemu %r" % (outputs["rove"], outputs["qemu"]))
    for w in warnings:
        print("warning:", w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
