#!/usr/bin/env python3
"""Disks on the riscv64 virt machine: virtio-blk under Linux 6.1 + our
initramfs, with raw and qcow2 images made on the host.

Usage: test-disk-riscv64.py [--img ROVE_IMG] [--qemu-img QEMU_IMG]
                            [--fetch FETCH_SCRIPT] [--timeout S]
                            [--only CASE,...] EMULATOR

  persist     an ext4 raw image: the guest mounts it, writes a file, syncs,
              powers off; a second boot reads the file back; e2fsck on the
              host finds the file system clean
  overlay     a qcow2 overlay (rove-img create -b) on that raw base: the
              guest's writes land in the overlay, the base is unchanged byte
              for byte, a second boot of the overlay sees them, the overlay
              checks clean (rove-img check and qemu-img check)
  sigkill     the guest writes a file into an ext4 qcow2 image, syncs,
              prints its md5 and goes on writing; the emulator gets SIGKILL
              right then: the image checks with no corruption (leaked
              clusters allowed), and a second boot reads the synced file
              with the same md5
  readonly    readonly=on: the guest sees a read-only disk
              (/sys/block/vda/ro), a raw write fails, the image is unchanged
  snapshot    snapshot=on: the guest writes and syncs, yet the image is
              unchanged after the poweroff
  if-none     -drive if=none,id=... -device virtio-blk-device,drive=...,
              serial=...: /sys/block/vda/serial, the capacity, discard
              (blkdiscard) and a sector written with dd and read back
  locked      while a guest runs on an image, a second emulator cannot
              open it (one line, status 1), qemu-io cannot write it (when
              installed); rove-img info -U still reads it

Images come from scripts/fetch-images.sh (the Linux 6.1 kernel is the
shared prebuilt one: ROVE_NO_BUILD=1); the file systems are made with the
host's mkfs.ext4.  A case that cannot run (no image, no mkfs.ext4, no
rove-img for qcow2) is skipped with the reason; exit status 77 when every
case was skipped, 1 when one failed.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import Failure, Machine, fetch, linux_argv, marker, run_linux  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FETCH = os.path.join(HERE, "..", "..", "scripts", "fetch-images.sh")
TOKEN = "rove-disk-token-7f3a"


class Skip(Exception):
    pass


def find_tool(name):
    path = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not path:
        raise Skip("%s is not installed" % name)
    return path


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_ext4(path, size_mb=64, files=None):
    mkfs = find_tool("mkfs.ext4")
    src = tempfile.mkdtemp()
    try:
        for name, text in (files or {}).items():
            with open(os.path.join(src, name), "w") as f:
                f.write(text)
        with open(path, "wb") as f:
            f.truncate(size_mb << 20)
        subprocess.run([mkfs, "-q", "-F", "-d", src, path], check=True)
    finally:
        shutil.rmtree(src)


def fsck_clean(path):
    fsck = find_tool("e2fsck")
    p = subprocess.run([fsck, "-fn", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise Failure("e2fsck -fn %s: status %d\n%s" % (path, p.returncode, p.stdout))


def img_check(ctx, path, who="rove"):
    """rove-img / qemu-img check: no corruption; returns the exit status (0 or 3 = leaks)."""
    tool = ctx.img if who == "rove" else ctx.qemu_img
    p = subprocess.run([tool, "check", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode not in (0, 3):
        raise Failure("%s check %s: status %d\n%s" % (tool, path, p.returncode, p.stdout))
    print("  %s check: status %d (%s)" % (who, p.returncode, p.stdout.strip().splitlines()[-1]
                                          if p.stdout.strip() else ""), flush=True)
    return p.returncode


def need_img(ctx):
    if not ctx.img:
        raise Skip("no rove-img given (--img)")


def drive(path, fmt, extra=""):
    return ["-drive", "file=%s,format=%s,if=virtio%s" % (path, fmt, extra)]


MOUNT = "mkdir -p /mnt; mount /dev/vda /mnt"


def case_persist(ctx):
    disk = os.path.join(ctx.tmp, "persist.raw")
    make_ext4(disk, files={"hello": "from the host\n"})
    out = run_linux(ctx.emu, ctx.images, MOUNT + " && cat /mnt/hello && echo %s > /mnt/token && "
                    "sync && umount /mnt && echo written" % TOKEN, ctx.limit, drive(disk, "raw"))
    if out != ["from the host", "written"]:
        raise Failure("first boot printed %r" % out)
    out = run_linux(ctx.emu, ctx.images, MOUNT + " && cat /mnt/token && umount /mnt", ctx.limit,
                    drive(disk, "raw"))
    if out != [TOKEN]:
        raise Failure("second boot read %r, expected %r" % (out, [TOKEN]))
    fsck_clean(disk)


def case_overlay(ctx):
    need_img(ctx)
    base = os.path.join(ctx.tmp, "base.raw")
    ov = os.path.join(ctx.tmp, "overlay.qcow2")
    make_ext4(base, files={"hello": "from the base\n"})
    before = sha256(base)
    subprocess.run([ctx.img, "create", "-f", "qcow2", "-b", base, "-F", "raw", ov], check=True,
                   stdout=subprocess.DEVNULL)
    out = run_linux(ctx.emu, ctx.images, MOUNT + " && cat /mnt/hello && echo %s > /mnt/new && "
                    "dd if=/dev/zero of=/mnt/zeros bs=64k count=40 2>/dev/null && sync && "
                    "umount /mnt && echo written" % TOKEN, ctx.limit, drive(ov, "qcow2"))
    if out != ["from the base", "written"]:
        raise Failure("first boot printed %r" % out)
    if sha256(base) != before:
        raise Failure("the base image changed under its overlay")
    img_check(ctx, ov)
    if ctx.qemu_img:
        img_check(ctx, ov, "qemu")
    out = run_linux(ctx.emu, ctx.images, MOUNT + " && cat /mnt/new /mnt/hello && umount /mnt",
                    ctx.limit, drive(ov, "qcow2"))
    if out != [TOKEN, "from the base"]:
        raise Failure("second boot read %r" % out)
    # The base on its own still has only the old file.
    out = run_linux(ctx.emu, ctx.images, MOUNT + " && ls /mnt && umount /mnt", ctx.limit,
                    drive(base, "raw", ",readonly=on"))
    if "new" in " ".join(out).split():
        raise Failure("the base shows the overlay's file: %r" % out)


def case_sigkill(ctx):
    need_img(ctx)
    raw = os.path.join(ctx.tmp, "kill.raw")
    disk = os.path.join(ctx.tmp, "kill.qcow2")
    make_ext4(raw)
    subprocess.run([ctx.img, "convert", "-f", "raw", "-O", "qcow2", raw, disk], check=True)
    os.unlink(raw)
    # 3 MiB of data with a known md5, synced; then more writes, never synced.
    cmd = (MOUNT + " && dd if=/dev/urandom of=/mnt/data bs=64k count=48 2>/dev/null && sync && "
           "echo SYNCED $(md5sum < /mnt/data) && "
           "while true; do dd if=/dev/zero of=/mnt/junk bs=64k count=64 2>/dev/null; sync; done")
    m = Machine(linux_argv(ctx.emu, ctx.images, cmd, drive(disk, "qcow2")))
    try:
        hit = marker(m, "synced", r"SYNCED ([0-9a-f]{32})", ctx.limit)
        md5 = hit.group(1)
        # Let the unsynced writes get going, then kill the emulator itself.
        m.wait_for(r"\n", ctx.limit, hit.end())
        m.sigkill()
        print("  %6.2f s  SIGKILL" % m.elapsed(), flush=True)
    finally:
        m.kill()
    img_check(ctx, disk)
    if ctx.qemu_img:
        img_check(ctx, disk, "qemu")
    out = run_linux(ctx.emu, ctx.images, MOUNT + " && md5sum < /mnt/data && umount /mnt",
                    ctx.limit, drive(disk, "qcow2"))
    if not out or out[-1].split()[0] != md5:
        raise Failure("after the kill the file's md5 is %r, expected %s" % (out, md5))


def case_readonly(ctx):
    disk = os.path.join(ctx.tmp, "ro.raw")
    make_ext4(disk, files={"hello": "read only\n"})
    before = sha256(disk)
    out = run_linux(ctx.emu, ctx.images,
                    "cat /sys/block/vda/ro; mkdir -p /mnt; mount -o ro /dev/vda /mnt && cat /mnt/hello; "
                    "dd if=/dev/zero of=/dev/vda bs=512 count=1 conv=fsync 2>/dev/null && echo wrote || echo refused",
                    ctx.limit, drive(disk, "raw", ",readonly=on"))
    lines = [l for l in out if not l.startswith("[")]
    if lines[:1] != ["1"] or "read only" not in lines or "refused" not in lines:
        raise Failure("the guest printed %r" % out)
    if sha256(disk) != before:
        raise Failure("a read-only image changed")


def case_snapshot(ctx):
    disk = os.path.join(ctx.tmp, "snap.raw")
    make_ext4(disk)
    before = sha256(disk)
    out = run_linux(ctx.emu, ctx.images, MOUNT + " && echo x > /mnt/f && sync && cat /mnt/f && "
                    "umount /mnt", ctx.limit, drive(disk, "raw", ",snapshot=on"))
    if out != ["x"]:
        raise Failure("the guest printed %r" % out)
    if sha256(disk) != before:
        raise Failure("snapshot=on: the image changed")


def case_if_none(ctx):
    disk = os.path.join(ctx.tmp, "none.raw")
    with open(disk, "wb") as f:
        f.truncate(8 << 20)
    cmd = ("echo $(cat /sys/block/vda/serial); cat /sys/block/vda/size /sys/block/vda/queue/discard_max_bytes; "
           "echo %s | dd of=/dev/vda bs=512 seek=100 conv=sync,fsync 2>/dev/null; "
           "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 skip=100 count=1 2>/dev/null | head -n1; "
           "blkdiscard -o 1048576 -l 1048576 /dev/vda && echo discarded" % TOKEN)
    out = run_linux(ctx.emu, ctx.images, cmd, ctx.limit,
                    ["-drive", "file=%s,format=raw,if=none,id=disk0" % disk,
                     "-device", "virtio-blk-device,drive=disk0,serial=ROVE-SN-42"])
    if out[:2] != ["ROVE-SN-42", str(8 << 20 >> 9)] or int(out[2]) == 0 or \
            TOKEN not in out or "discarded" not in out:
        raise Failure("the guest printed %r" % out)
    with open(disk, "rb") as f:
        f.seek(100 * 512)
        if not f.read(len(TOKEN)).decode(errors="replace") == TOKEN:
            raise Failure("sector 100 of the image does not hold what the guest wrote")


def case_locked(ctx):
    """An image in use is locked: a second emulator (or qemu-img) cannot open
    it for writing while the guest runs; rove-img -U can still read it."""
    disk = os.path.join(ctx.tmp, "locked.raw")
    make_ext4(disk)
    m = Machine(linux_argv(ctx.emu, ctx.images, "echo RUNNING; sleep 30", drive(disk, "raw")))
    try:
        marker(m, "guest running", r"RUNNING", ctx.limit)
        p = subprocess.run([ctx.emu, "-M", "virt", "-nographic", "-drive",
                            "file=%s,format=raw,if=virtio" % disk],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        if p.returncode != 1 or "in use by another process" not in p.stderr:
            raise Failure("a second emulator on the image: status %d, %r" % (p.returncode, p.stderr))
        qemu_io = shutil.which("qemu-io")
        if qemu_io:
            q = subprocess.run([qemu_io, "-f", "raw", "-c", "write 0 512", disk],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if q.returncode == 0 or "lock" not in q.stdout:
                raise Failure("qemu-io wrote to an image Rove has open: %r" % q.stdout)
        if ctx.img:
            r = subprocess.run([ctx.img, "info", "-U", disk], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0 or "file format: raw" not in r.stdout:
                raise Failure("rove-img info -U: status %d, %r" % (r.returncode, r.stdout))
        print("  second emulator refused: %s" % p.stderr.strip(), flush=True)
    finally:
        m.kill()


CASES = [("persist", case_persist), ("overlay", case_overlay), ("sigkill", case_sigkill),
         ("readonly", case_readonly), ("snapshot", case_snapshot), ("if-none", case_if_none),
         ("locked", case_locked)]


class Ctx:
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("emulator")
    ap.add_argument("--img", help="rove-img (for the qcow2 cases)")
    ap.add_argument("--qemu-img", help="qemu-img, to check images a second way")
    ap.add_argument("--fetch", default=DEFAULT_FETCH, help="scripts/fetch-images.sh")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per marker")
    ap.add_argument("--only", metavar="CASE,...", help="run only these cases")
    a = ap.parse_args()
    ctx = Ctx()
    ctx.emu = os.path.abspath(a.emulator)
    ctx.img = os.path.abspath(a.img) if a.img else None
    ctx.qemu_img = a.qemu_img
    ctx.limit = a.timeout
    images, why = fetch(a.fetch, ["opensbi", "linux", "initramfs"])
    if images is None:
        print("SKIP: cannot fetch the images: %s" % why)
        return 77
    ctx.images = images
    ran = failed = 0
    for name, fn in CASES:
        if a.only and name not in a.only.split(","):
            continue
        ctx.tmp = tempfile.mkdtemp(prefix="rove-disk-")
        print("%s:" % name, flush=True)
        try:
            fn(ctx)
            ran += 1
            print("ok   %s" % name, flush=True)
        except Skip as e:
            print("SKIP %s: %s" % (name, e), flush=True)
        except (Failure, subprocess.CalledProcessError) as e:
            ran += 1
            failed += 1
            print("FAIL %s: %s" % (name, e), flush=True)
        finally:
            shutil.rmtree(ctx.tmp, ignore_errors=True)
    if ran == 0:
        print("SKIP: no case could run")
        return 77
    print("%d ran, %d failed" % (ran, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
