#!/usr/bin/env python3
"""Benchmark disk I/O inside the guest: rove-system-riscv64 against
qemu-system-riscv64, virtio-blk with a raw and a qcow2 image.

Both emulators boot the same Linux 6.1 kernel and a bench initramfs (our
initramfs plus /bench) with the same options (-M virt -m 512M -smp 1
-nographic -no-reboot -bios fw_dynamic.bin -kernel Image -initrd ...; QEMU
also gets -nic none) and one disk on virtio-mmio,

    -drive file=IMG,format=raw|qcow2,if=none,id=disk0,cache=writeback
    -device virtio-blk-device,drive=disk0

(not if=virtio: on QEMU's virt that is virtio-blk-pci, which the kernel of
fetch-images.sh, without PCI, does not see), made afresh (--size-mb, default 128 MiB) before every run.  emu.cmd runs
/bench/disk.sh, which does on /dev/vda, each between BENCH-START and
BENCH-DONE console lines:

  seq-write   dd if=/dev/zero bs=1M count=SIZE oflag=direct conv=fsync
  seq-read    dd of=/dev/null bs=1M count=SIZE iflag=direct
  rand-write  disk_rand write OPS: 4 KiB O_DIRECT pwrites at random aligned
              offsets over the disk (fixed seed), one fdatasync at the end
  rand-read   disk_rand read OPS: the same with preads (the data written
              just before: the checksum must match between the emulators)

The sequential figures are MiB/s, the random ones IOPS, both from the host
clock between the markers (so they include the guest's process start-up,
a few ms); the guest's own figures (dd's seconds, disk_rand's
clock_gettime) are shown on the "(guest clock)" rows.  Each figure is the
median (or --stat best) of --runs runs per emulator, alternating which
goes first.  The ratio is rove/qemu: above 1, Rove is faster.

qcow2 images are made by build/rove-img when it exists, qemu-img
otherwise.  Without qemu-system-riscv64 only Rove's figures are shown;
without Rove's binary only QEMU's.  Images come from
scripts/fetch-images.sh (opensbi, linux, initramfs, busybox).

    tests/bench/run-disk-bench.py --emu build/rove-system-riscv64 --runs 3
    tests/bench/run-disk-bench.py --formats raw --size-mb 128 --rand-ops 8000
    ninja -C build disk-bench
"""
import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from benchlib import fetch, run_console  # noqa: E402
WORKLOADS = ["seq-write", "seq-read", "rand-write", "rand-read"]
DISK_SH = r"""#!/bin/sh
# disk.sh DEV MIB OPS: the disk workloads of run-disk-bench.py, each
# between BENCH-START and BENCH-DONE lines.
dev=$1 mib=$2 ops=$3
run() {
    name=$1
    shift
    echo "BENCH-START $name"
    "$@" 2>&1
    echo "BENCH-DONE $name rc=$?"
}
run seq-write /bench/disk_rand -t dd if=/dev/zero of="$dev" bs=1M count="$mib" oflag=direct conv=fsync
run seq-read /bench/disk_rand -t dd if="$dev" of=/dev/null bs=1M count="$mib" iflag=direct
run rand-write /bench/disk_rand "$dev" write "$ops"
run rand-read /bench/disk_rand "$dev" read "$ops"
"""


def bench_initramfs(cc, busybox, builddir):
    root = os.path.join(builddir, "disk-bench-root")
    os.makedirs(os.path.join(root, "bench"), exist_ok=True)
    src, exe = os.path.join(HERE, "disk_rand.c"), os.path.join(root, "bench", "disk_rand")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        p = subprocess.run([cc, "-O2", "-Wall", "-static", "-o", exe, src])
        if p.returncode != 0:
            sys.exit("run-disk-bench: cannot build disk_rand.c with %s" % cc)
    sh = os.path.join(root, "bench", "disk.sh")
    with open(sh, "w") as f:
        f.write(DISK_SH)
    os.chmod(sh, 0o755)
    out = os.path.join(builddir, "initramfs-disk-bench.cpio.gz")
    subprocess.run([os.path.join(TOP, "scripts", "make-initramfs.sh"), "-a", root, busybox, out],
                   check=True)
    return out


def make_image(path, fmt, size_mb, img_tool):
    if os.path.exists(path):
        os.unlink(path)
    if fmt == "raw":
        with open(path, "wb") as f:
            f.truncate(size_mb << 20)
        return
    p = subprocess.run([img_tool, "create", "-f", "qcow2", path, "%dM" % size_mb],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit("run-disk-bench: %s create -f qcow2 failed: %s" % (img_tool, p.stdout.strip()))


def guest_seconds(workload, body):
    """The guest's own seconds for one workload, from dd's or disk_rand's output."""
    if workload.startswith("seq"):
        m = re.search(r"elapsed ([0-9.]+) s", body)
    else:
        m = re.search(r"ops in ([0-9.]+) s", body)
    return float(m.group(1)) if m else None


def pick(values, stat):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return max(values) if stat == "best" else statistics.median(values)


def row(label, r, q):
    fmt = lambda v: ("%10.0f" % v if v >= 100 else "%10.2f" % v) if v is not None else "%10s" % "-"
    ratio = "%10.2f" % (r / q) if r and q else "%10s" % "-"
    print("%-38s %s %s %s" % (label, fmt(r), fmt(q), ratio))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--emu", default=os.path.join(TOP, "build", "rove-system-riscv64"),
                    help="rove-system-riscv64 binary")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--img", default=os.path.join(TOP, "build", "rove-img"),
                    help="rove-img, to make the qcow2 images (qemu-img when it does not exist)")
    ap.add_argument("--qemu-img", default="qemu-img")
    ap.add_argument("--cc", default="riscv64-linux-gnu-gcc")
    ap.add_argument("--fetch", default=os.path.join(TOP, "scripts", "fetch-images.sh"))
    ap.add_argument("--runs", type=int, default=3, help="runs per emulator and format (default 3)")
    ap.add_argument("--stat", choices=["median", "best"], default="median")
    ap.add_argument("--formats", default="raw,qcow2", help="image formats (default raw,qcow2)")
    ap.add_argument("--size-mb", type=int, default=128,
                    help="disk size in MiB, all of it written then read by dd (default 128)")
    ap.add_argument("--rand-ops", type=int, default=8000,
                    help="4 KiB operations of each random workload (default 8000)")
    ap.add_argument("--cache", default="writeback", help="the -drive cache= mode (default writeback)")
    ap.add_argument("--build-dir", help="where to build (default: a temporary directory)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per boot")
    a = ap.parse_args(argv)
    formats = [f for f in a.formats.split(",") if f]
    for f in formats:
        if f not in ("raw", "qcow2"):
            sys.exit("run-disk-bench: unknown format '%s' (raw, qcow2)" % f)
    if not formats:
        sys.exit("run-disk-bench: --formats is empty (raw, qcow2)")
    if a.runs < 1 or a.size_mb < 1 or a.rand_ops < 1:
        sys.exit("run-disk-bench: --runs, --size-mb and --rand-ops must be at least 1")
    if not shutil.which(a.cc):
        sys.exit("run-disk-bench: no riscv64 C compiler '%s' (--cc)" % a.cc)

    emus = []
    if os.path.exists(a.emu):
        emus.append(("rove", [os.path.abspath(a.emu)]))
    else:
        print("rove: %s not built; QEMU only" % a.emu)
    if shutil.which(a.qemu):
        emus.append(("qemu", [a.qemu, "-nic", "none"]))
    else:
        print("qemu: %s not found; Rove only" % a.qemu)
    if not emus:
        sys.exit("run-disk-bench: neither %s nor %s exists" % (a.emu, a.qemu))
    img_tool = None
    if "qcow2" in formats:
        img_tool = a.img if os.path.exists(a.img) else shutil.which(a.qemu_img)
        if not img_tool:
            sys.exit("run-disk-bench: no rove-img (%s) nor qemu-img to make qcow2 images" % a.img)
        print("qcow2 images made by %s" % img_tool)

    fw, kernel, _, busybox = fetch(a.fetch, ["opensbi", "linux", "initramfs", "busybox"],
                                   "run-disk-bench")
    with tempfile.TemporaryDirectory(prefix="rove-diskbench-") as tmp:
        builddir = a.build_dir or tmp
        os.makedirs(builddir, exist_ok=True)
        rd = bench_initramfs(a.cc, busybox, builddir)
        cmd = "/bench/disk.sh /dev/vda %d %d" % (a.size_mb, a.rand_ops)
        base = ["-M", "virt", "-m", "512M", "-smp", "1", "-nographic", "-no-reboot",
                "-bios", fw, "-kernel", kernel, "-initrd", rd,
                "-append", 'console=ttyS0 panic=-1 emu.cmd="%s"' % cmd]
        print("EMU %s -drive file=IMG,format=FMT,if=none,id=disk0,cache=%s "
              "-device virtio-blk-device,drive=disk0" %
              (" ".join(shlex.quote(x) for x in base), a.cache))

        # res[fmt][emu][workload] = [(host seconds, guest seconds), ...]
        res = {f: {e: {w: [] for w in WORKLOADS} for e, _ in emus} for f in formats}
        checksums, warnings, unsupported = {}, [], set()
        for fmt in formats:
            img = os.path.join(tmp, "disk." + fmt)
            for i in range(a.runs):
                order = emus if i % 2 == 0 else emus[::-1]
                for name, emu in order:
                    if (name, fmt) in unsupported:
                        continue
                    make_image(img, fmt, a.size_mb, img_tool)
                    drive = ["-drive", "file=%s,format=%s,if=none,id=disk0,cache=%s" % (img, fmt, a.cache),
                             "-device", "virtio-blk-device,drive=disk0"]
                    seen, _, status, out = run_console(emu + base + drive, a.timeout)
                    failed = []
                    for w in WORKLOADS:
                        t0, t1 = seen.get("BENCH-START " + w), seen.get("BENCH-DONE %s rc=0" % w)
                        m = re.search(r"BENCH-START %s\r?\n(.*?)BENCH-DONE" % w, out, re.S)
                        body = m.group(1) if m else ""
                        if t0 is None or t1 is None:
                            failed.append(w)
                            continue
                        res[fmt][name][w].append((t1 - t0, guest_seconds(w, body)))
                        c = re.search(r"checksum (\w+)", body)
                        if c:
                            checksums.setdefault((name, c.group(1)), []).append(fmt)
                    if status != 0 and "EMU-BOOT-OK" not in seen and i == 0:
                        # It cannot start with this image (qcow2 before Rove
                        # has it): say why once, and skip its other runs.
                        unsupported.add((name, fmt))
                        why = [ln for ln in out.splitlines() if ln.strip()][-1:]
                        warnings.append("%s cannot run %s images (status %s): %s" %
                                        (name, fmt, status, " ".join(why)))
                        print("  %s %s: cannot start, skipped" % (fmt, name), flush=True)
                        continue
                    if failed:
                        last = [ln for ln in out.splitlines() if ln.strip()][-3:]
                        warnings.append("%s %s run %d: %s did not finish with rc=0 (status %s): %s" %
                                        (name, fmt, i, ",".join(failed), status, " | ".join(last)))
                    print("  %s %s run %d: %s" % (fmt, name, i, "ok" if not failed else "FAILED"),
                          flush=True)

    mib = float(a.size_mb)
    print("\n%s of %d runs; MiB/s and IOPS: higher is better; rove/qemu above 1: Rove is faster" %
          (a.stat, a.runs))
    print("%-38s %10s %10s %10s" % ("workload", "rove", "qemu", "rove/qemu"))
    for fmt in formats:
        for w in WORKLOADS:
            seq = w.startswith("seq")
            amount = mib if seq else float(a.rand_ops)
            unit = "MiB/s" if seq else "IOPS"
            what = {"seq-write": "seq write 1M", "seq-read": "seq read 1M",
                    "rand-write": "rand write 4K", "rand-read": "rand read 4K"}[w]

            def fig(e, k):
                if e not in res[fmt]:
                    return None
                return pick([amount / t[k] if t[k] else None for t in res[fmt][e][w]], a.stat)
            row("%s %s, %s" % (fmt, what, unit), fig("rove", 0), fig("qemu", 0))
            row("  (guest clock)", fig("rove", 1), fig("qemu", 1))
    sums = sorted(set(c for _, c in checksums))
    if len(sums) > 1:
        warnings.append("rand-read checksums differ: %s" %
                        ", ".join("%s %s: %s" % (e, "/".join(sorted(set(f))), c)
                                  for (e, c), f in sorted(checksums.items())))
    elif sums:
        print("rand-read checksum %s (every run)" % sums[0])
    for w in warnings:
        print("warning:", w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
