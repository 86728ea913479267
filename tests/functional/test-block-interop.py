#!/usr/bin/env python3
"""rove's block layer and rove-img against Debian's qemu-img (QEMU 7.2).

- qcow2 images qemu-img makes (v3 and v2, clusters of 512 bytes to 2 MiB,
  refcounts of 1 to 64 bits), with data from qemu-io or qemu-img convert,
  read by rove byte for byte as qemu reads them; compressed clusters are
  refused with a clear error;
- the same kinds of image written by rove (block-stress): qemu-img check
  clean, and qemu reads what rove reads;
- rove-img create/convert (also -B) and resize: qemu-img check clean and
  qemu-img compare equal; rove-img info --output=json agrees with
  qemu-img's on virtual-size, format, cluster-size, backing-filename;
- damaged images: rove-img check exits 3 on a leak, 2 on a refcount too
  low or an L2 entry past the end of the file (as qemu-img check does), and
  -r all repairs;
- internal snapshots (shared clusters) read and checked right, writes
  refused; a dirty image repaired when opened for writing.

usage: test-block-interop.py ROVE_IMG BLOCK_STRESS [QEMU_IMG]
Exits 77 (skipped) without qemu-img.
"""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

ROVE_IMG = STRESS = QEMU_IMG = QEMU_IO = None
failures = []


def run(cmd, codes=(0,), what=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in codes:
        failures.append(f"{what or ' '.join(cmd)}: exit {p.returncode} (wanted {codes})\n"
                        f"{p.stdout}{p.stderr}")
    return p


def expect(cond, what):
    if not cond:
        failures.append(what)
    return cond


def same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def rove_reads_like_qemu(image, tmp, what):
    """Both tools convert the image to raw; the bytes must match."""
    q, r = os.path.join(tmp, "q.raw"), os.path.join(tmp, "r.raw")
    run([QEMU_IMG, "convert", "-O", "raw", image, q], what=f"{what}: qemu-img convert")
    run([ROVE_IMG, "convert", "-O", "raw", image, r], what=f"{what}: rove-img convert")
    expect(os.path.exists(r) and same_file(q, r), f"{what}: rove reads differently from qemu")
    for f in (q, r):
        if os.path.exists(f):
            os.unlink(f)


def info_agrees(image, what):
    q = json.loads(run([QEMU_IMG, "info", "--output=json", image]).stdout or "{}")
    p = run([ROVE_IMG, "info", "--output=json", image], what=f"{what}: rove-img info")
    try:
        r = json.loads(p.stdout)
    except json.JSONDecodeError:
        return expect(False, f"{what}: rove-img info --output=json is not JSON:\n{p.stdout}")
    for key in ("virtual-size", "format", "cluster-size", "backing-filename",
                "backing-filename-format", "filename"):
        expect(q.get(key) == r.get(key), f"{what}: info {key}: qemu {q.get(key)!r}, "
               f"rove {r.get(key)!r}")
    qd = q.get("format-specific", {}).get("data", {})
    rd = r.get("format-specific", {}).get("data", {})
    for key in ("compat", "refcount-bits", "corrupt", "lazy-refcounts"):
        expect(qd.get(key) == rd.get(key), f"{what}: info {key}: qemu {qd.get(key)!r}, "
               f"rove {rd.get(key)!r}")


QEMU_VARIANTS = [
    "compat=1.1",
    "compat=0.10",
    "cluster_size=512",
    "cluster_size=2M",
    "refcount_bits=1",
    "refcount_bits=8",
    "refcount_bits=64,cluster_size=4096",
]


def test_qemu_images(tmp):
    for opts in QEMU_VARIANTS:
        what = f"qemu-img -o {opts}"
        img = os.path.join(tmp, "q.qcow2")
        run([QEMU_IMG, "create", "-q", "-f", "qcow2", "-o", opts, img, "8M"], what=what)
        if QEMU_IO:
            for cmd in ("write -P 0x11 0 100k", "write -P 0x22 1000000 5000",
                        "write -z 65536 65536", "write -P 0x33 7M 1M", "discard 7M 64k",
                        "write -P 0x44 3000000 70000"):
                run([QEMU_IO, "-c", cmd, img], what=f"{what}: qemu-io {cmd}")
        rove_reads_like_qemu(img, tmp, what)
        run([ROVE_IMG, "check", img], what=f"{what}: rove-img check")
        info_agrees(img, what)
        # rove writes into a fresh image of the same kind; qemu must agree.
        os.unlink(img)
        run([QEMU_IMG, "create", "-q", "-f", "qcow2", "-o", opts, img, "8M"], what=what)
        log = os.path.join(tmp, "q.log")
        run([STRESS, "run", img, log, "7", "300"], what=f"{what}: block-stress run")
        run([STRESS, "verify", img, log], what=f"{what}: block-stress verify")
        run([QEMU_IMG, "check", img], what=f"{what}: qemu-img check after rove wrote")
        rove_reads_like_qemu(img, tmp, f"{what}, written by rove")
        os.unlink(img)
        os.unlink(log)


def test_snapshots_and_dirty(tmp):
    """Internal snapshots (qemu-img snapshot -c): clusters shared with a
    snapshot have refcount 2 and no COPIED flag; rove must read and check
    such an image right, and refuse to write it.  A dirty (lazy refcounts)
    image is repaired when opened for writing."""
    if not QEMU_IO:
        return
    img = os.path.join(tmp, "snap.qcow2")
    run([QEMU_IMG, "create", "-q", "-f", "qcow2", img, "4M"])
    run([QEMU_IO, "-c", "write -P 0x55 0 1M", img])
    run([QEMU_IMG, "snapshot", "-c", "first", img])
    run([QEMU_IO, "-c", "write -P 0x66 512k 1M", img])
    run([QEMU_IMG, "snapshot", "-c", "second", img])
    run([QEMU_IO, "-c", "discard 0 64k", img])
    run([ROVE_IMG, "check", img], what="rove-img check of an image with snapshots")
    rove_reads_like_qemu(img, tmp, "image with internal snapshots")
    p = run([STRESS, "run", img, os.path.join(tmp, "snap.log"), "1", "10"], codes=(1,),
            what="writing an image with internal snapshots")
    expect("internal snapshots" in p.stderr, f"snapshots: unclear refusal {p.stderr!r}")
    run([QEMU_IMG, "check", img], what="qemu-img check after rove refused to write")

    img = os.path.join(tmp, "dirty.qcow2")
    run([ROVE_IMG, "create", "-f", "qcow2", img, "4M"])
    log = os.path.join(tmp, "dirty.log")
    run([STRESS, "run", img, log, "9", "50"])
    cs, _, rt = header(img)
    size = os.path.getsize(img)
    os.truncate(img, size + cs)
    write_at(img, read_u64(img, rt) + 2 * (size // cs), struct.pack(">H", 1))   # a leak
    write_at(img, 72, struct.pack(">Q", 1))                                      # dirty
    info = json.loads(run([ROVE_IMG, "info", "--output=json", img]).stdout or "{}")
    expect(info.get("dirty-flag") is True, f"dirty image: info says {info.get('dirty-flag')}")
    run([STRESS, "run", img, log, "10", "50"], what="writing a dirty image")
    run([STRESS, "verify", img, log], what="data of a repaired dirty image")
    run([ROVE_IMG, "check", img], what="rove-img check after the dirty image was repaired")
    run([QEMU_IMG, "check", img], what="qemu-img check after the dirty image was repaired")
    info = json.loads(run([ROVE_IMG, "info", "--output=json", img]).stdout or "{}")
    expect(info.get("dirty-flag") is False, "the dirty bit stayed set")


def make_source(path, size, rng):
    """Random data with holes and zero runs."""
    with open(path, "wb") as f:
        f.truncate(size)
        for _ in range(40):
            off = rng.randrange(size - 200000)
            f.seek(off)
            f.write(rng.randbytes(rng.randrange(1, 200000)))


def test_qemu_convert_in(tmp, rng):
    src = os.path.join(tmp, "src.raw")
    make_source(src, 12 << 20, rng)
    img = os.path.join(tmp, "conv.qcow2")
    for opts in ("compat=1.1", "compat=0.10,cluster_size=4096"):
        run([QEMU_IMG, "convert", "-O", "qcow2", "-o", opts, src, img])
        out = os.path.join(tmp, "back.raw")
        run([ROVE_IMG, "convert", "-O", "raw", img, out], what=f"rove-img convert ({opts})")
        expect(os.path.exists(out) and same_file(src, out),
               f"qemu-img convert -o {opts}: rove reads differently")
    # Compressed clusters: refused with a clear error, not garbage.
    run([QEMU_IMG, "convert", "-c", "-O", "qcow2", src, img])
    p = run([ROVE_IMG, "convert", "-O", "raw", img, os.path.join(tmp, "c.raw")], codes=(1,),
            what="rove-img convert of a compressed image")
    expect("not supported" in p.stderr and p.stderr.count("\n") == 1,
           f"compressed image: want one line saying 'not supported', got {p.stderr!r}")


def test_rove_images(tmp, rng):
    src = os.path.join(tmp, "src.raw")
    make_source(src, 10 << 20, rng)
    out = os.path.join(tmp, "out.qcow2")
    for cluster in ("65536", "512", "2M"):
        run([ROVE_IMG, "convert", "-O", "qcow2", "-o", f"cluster_size={cluster}", src, out])
        run([QEMU_IMG, "check", out], what=f"qemu-img check of rove-img convert ({cluster})")
        run([QEMU_IMG, "compare", src, out], what=f"qemu-img compare ({cluster})")
        info_agrees(out, f"rove-img convert ({cluster})")
        if cluster == "65536":
            used = os.stat(out).st_blocks * 512
            expect(used < 8 << 20, f"convert output is not sparse ({used} bytes used)")
    # -B: only what differs from the backing file is stored.
    base = os.path.join(tmp, "base.raw")
    shutil.copy(src, base)
    with open(src, "r+b") as f:
        f.seek(3 << 20)
        f.write(rng.randbytes(100000))
        f.seek(5 << 20)
        f.write(bytes(200000))
    run([ROVE_IMG, "convert", "-O", "qcow2", "-B", "base.raw", "-F", "raw", src, out])
    run([QEMU_IMG, "check", out], what="qemu-img check of convert -B")
    run([QEMU_IMG, "compare", src, out], what="qemu-img compare of convert -B")
    info_agrees(out, "rove-img convert -B")
    expect(os.stat(out).st_size < 2 << 20, "convert -B stored more than the differences")
    # An overlay made by rove-img create, written by rove, read by qemu.
    ov = os.path.join(tmp, "ov.qcow2")
    run([ROVE_IMG, "create", "-f", "qcow2", "-b", "out.qcow2", "-F", "qcow2", ov])
    info_agrees(ov, "rove-img create -b")
    run([QEMU_IMG, "check", ov], what="qemu-img check of rove-img create -b")
    # Resize: grow and --shrink.
    r = os.path.join(tmp, "resize.qcow2")
    run([ROVE_IMG, "create", "-f", "qcow2", "-o", "cluster_size=4096", r, "1M"])
    log = os.path.join(tmp, "resize.log")
    run([STRESS, "run", r, log, "3", "100"])
    run([ROVE_IMG, "resize", r, "+3G"])
    run([QEMU_IMG, "check", r], what="qemu-img check after rove-img resize +3G")
    run([ROVE_IMG, "resize", r, "512K"], codes=(1,), what="rove-img resize shrink without --shrink")
    run([ROVE_IMG, "resize", "--shrink", r, "512K"])
    run([QEMU_IMG, "check", r], what="qemu-img check after rove-img resize --shrink")
    info_agrees(r, "after resize")
    q = json.loads(run([QEMU_IMG, "info", "--output=json", r]).stdout or "{}")
    expect(q.get("virtual-size") == 512 << 10, f"resize: qemu sees {q.get('virtual-size')}")


def header(path):
    with open(path, "rb") as f:
        h = f.read(104)
    cluster_bits, = struct.unpack(">I", h[20:24])
    l1_offset, reftable_offset = struct.unpack(">Q", h[40:48])[0], struct.unpack(">Q", h[48:56])[0]
    return 1 << cluster_bits, l1_offset, reftable_offset


def read_u64(path, off):
    with open(path, "rb") as f:
        f.seek(off)
        return struct.unpack(">Q", f.read(8))[0]


def write_at(path, off, data):
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


def test_damaged(tmp):
    img = os.path.join(tmp, "damaged.qcow2")
    mask = 0x00fffffffffffe00

    def fresh():
        run([ROVE_IMG, "create", "-f", "qcow2", img, "4M"])
        log = os.path.join(tmp, "damaged.log")
        if os.path.exists(log):
            os.unlink(log)
        run([STRESS, "run", img, log, "5", "20"])
        cs, l1, rt = header(img)
        l2 = read_u64(img, l1) & mask
        data = read_u64(img, l2) & mask
        if not data:      # the first cluster may have been discarded
            data = next(read_u64(img, l2 + 8 * i) & mask for i in range(cs // 8)
                        if read_u64(img, l2 + 8 * i) & mask)
        return cs, l1, l2, data, read_u64(img, rt)

    def both_check(code, what):
        p = run([ROVE_IMG, "check", img], codes=(code,), what=f"rove-img check: {what}")
        run([QEMU_IMG, "check", img], codes=(code,), what=f"qemu-img check: {what}")
        return p

    cs, l1, l2, data, rb = fresh()
    size = os.path.getsize(img)
    os.truncate(img, size + cs)
    write_at(img, rb + 2 * (size // cs), struct.pack(">H", 1))
    both_check(3, "leaked cluster")
    p = run([ROVE_IMG, "check", "--output=json", img], codes=(3,))
    expect(json.loads(p.stdout or "{}").get("leaks") == 1, f"check json leaks: {p.stdout}")
    run([ROVE_IMG, "check", "-r", "leaks", img])
    both_check(0, "after -r leaks")

    cs, l1, l2, data, rb = fresh()
    write_at(img, rb + 2 * (data // cs), struct.pack(">H", 0))
    both_check(2, "refcount too low")
    run([ROVE_IMG, "check", "-r", "all", img])
    both_check(0, "after -r all")

    cs, l1, l2, data, rb = fresh()
    write_at(img, l2, struct.pack(">Q", (1 << 63) | (1 << 40)))
    both_check(2, "L2 entry past the end of the file")
    p = run([ROVE_IMG, "check", "--output=json", img], codes=(2,))
    expect(json.loads(p.stdout or "{}").get("corruptions", 0) >= 1, f"check json: {p.stdout}")

    raw = os.path.join(tmp, "plain.raw")
    run([ROVE_IMG, "create", raw, "1M"])
    run([ROVE_IMG, "check", raw], codes=(63,), what="rove-img check of a raw image")
    p = run([ROVE_IMG, "info", os.path.join(tmp, "missing.qcow2")], codes=(1,))
    expect(p.stderr.startswith("rove-img: ") and p.stderr.count("\n") == 1,
           f"missing file: want one 'rove-img: ' line, got {p.stderr!r}")


def main():
    global ROVE_IMG, STRESS, QEMU_IMG, QEMU_IO
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ROVE_IMG, STRESS = sys.argv[1], sys.argv[2]
    QEMU_IMG = sys.argv[3] if len(sys.argv) > 3 else shutil.which("qemu-img")
    if not QEMU_IMG:
        print("SKIP: qemu-img is not installed")
        sys.exit(77)
    QEMU_IO = shutil.which("qemu-io", path=os.path.dirname(QEMU_IMG)) or shutil.which("qemu-io")
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="rove-block-interop-") as tmp:
        for test in (lambda: test_qemu_images(tmp), lambda: test_qemu_convert_in(tmp, rng),
                     lambda: test_rove_images(tmp, rng), lambda: test_damaged(tmp),
                     lambda: test_snapshots_and_dirty(tmp)):
            test()
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
