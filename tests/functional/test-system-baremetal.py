#!/usr/bin/env python3
"""Bare-metal programs on rove-system-riscv64 -M virt -bios none.

usage: test-system-baremetal.py ROVE_SYSTEM [QEMU_SYSTEM]

Small M-mode programs, assembled here (a few RV64I encodings), run from
0x80000000 and finish through the sifive-test device:

- pass / fail with a code: the exit status is the finisher's;
- UART output reaches stdout, a byte on stdin reaches the UART;
- the reset ROM's hand-over: a0 = mhartid, a1 -> the device tree (magic),
  a2 -> fw_dynamic_info (magic, version 2);
- mtime advances;
- a guest reset re-runs the program with RAM kept (exit 7 on the second
  run), and -no-reboot turns that reset into exit 0;
- -serial chardev:ID: UART output into a -chardev file, and a byte sent
  through a -chardev unix socket (server=on,wait=off) reaching the UART;
- a loop run long enough to turn hot gives the right sum, and Rove's
  `-d tier` log shows its blocks made again as a superblock.

With QEMU_SYSTEM every program first runs under qemu-system-riscv64, which
checks the programs themselves, then under Rove.
"""
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

rove = sys.argv[1]
qemu = sys.argv[2] if len(sys.argv) > 2 and os.path.exists(sys.argv[2]) else None
failures = 0

# ---- A tiny RV64I assembler: just what the programs below use ----

REG = {"zero": 0, "ra": 1, "sp": 2, "t0": 5, "t1": 6, "t2": 7, "a0": 10, "a1": 11, "a2": 12,
       "a3": 13, "t3": 28, "t4": 29}


def i_type(op, f3, rd, rs1, imm):
    assert -2048 <= imm < 2048
    return (imm & 0xfff) << 20 | REG[rs1] << 15 | f3 << 12 | REG[rd] << 7 | op


def s_type(f3, rs2, rs1, imm):
    assert -2048 <= imm < 2048
    imm &= 0xfff
    return (imm >> 5) << 25 | REG[rs2] << 20 | REG[rs1] << 15 | f3 << 12 | (imm & 31) << 7 | 0x23


def b_type(f3, rs1, rs2, off):
    assert -4096 <= off < 4096 and off % 2 == 0
    o = off & 0x1fff
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | REG[rs2] << 20 | REG[rs1] << 15 | \
        f3 << 12 | ((o >> 1) & 0xf) << 8 | ((o >> 11) & 1) << 7 | 0x63


def j_type(rd, off):
    o = off & 0x1fffff
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 | ((o >> 11) & 1) << 20 | \
        ((o >> 12) & 0xff) << 12 | REG[rd] << 7 | 0x6f


class Asm:
    def __init__(self):
        self.items, self.labels = [], {}

    def label(self, name):
        self.labels[name] = 4 * len(self.items)

    def emit(self, fn):
        self.items.append(fn)

    def lui(self, rd, imm20):
        self.emit(lambda pc: (imm20 & 0xfffff) << 12 | REG[rd] << 7 | 0x37)

    def auipc(self, rd, imm20):
        self.emit(lambda pc: (imm20 & 0xfffff) << 12 | REG[rd] << 7 | 0x17)

    def addi(self, rd, rs1, imm):
        self.emit(lambda pc: i_type(0x13, 0, rd, rs1, imm))

    def li32(self, rd, value):
        """rd = value sign-extended from 32 bits (lui + addi)."""
        value &= 0xffffffff
        lo = value & 0xfff
        lo = lo - 0x1000 if lo >= 0x800 else lo
        self.lui(rd, ((value - lo) >> 12) & 0xfffff)
        self.addi(rd, rd, lo)

    def load(self, width, rd, rs1, imm):
        f3 = {"lb": 0, "lw": 2, "ld": 3, "lbu": 4, "lwu": 6}[width]
        self.emit(lambda pc: i_type(0x03, f3, rd, rs1, imm))

    def store(self, width, rs2, rs1, imm):
        f3 = {"sb": 0, "sw": 2, "sd": 3}[width]
        self.emit(lambda pc: s_type(f3, rs2, rs1, imm))

    def csrr(self, rd, csr):
        self.emit(lambda pc: i_type(0x73, 2, rd, "zero", csr - 0x1000 if csr >= 0x800 else csr))

    def branch(self, cond, rs1, rs2, label):
        f3 = {"beq": 0, "bne": 1, "bltu": 6, "bgeu": 7}[cond]
        self.emit(lambda pc: b_type(f3, rs1, rs2, self.labels[label] - pc))

    def j(self, label):
        self.emit(lambda pc: j_type("zero", self.labels[label] - pc))

    def andi(self, rd, rs1, imm):
        self.emit(lambda pc: i_type(0x13, 7, rd, rs1, imm))

    def slli(self, rd, rs1, shamt):
        self.emit(lambda pc: i_type(0x13, 1, rd, rs1, shamt))

    def or_(self, rd, rs1, rs2):
        self.emit(lambda pc: REG[rs2] << 20 | REG[rs1] << 15 | 6 << 12 | REG[rd] << 7 | 0x33)

    def sub(self, rd, rs1, rs2):
        self.emit(lambda pc: 0x20 << 25 | REG[rs2] << 20 | REG[rs1] << 15 | REG[rd] << 7 | 0x33)

    def code(self):
        return b"".join(struct.pack("<I", fn(4 * i)) for i, fn in enumerate(self.items))


def finisher(a, value):
    """Write value to the sifive-test device (0x100000) and spin."""
    a.lui("t3", 0x100)
    a.li32("t4", value)
    a.store("sw", "t4", "t3", 0)
    spin = f"spin{len(a.items)}"
    a.label(spin)
    a.j(spin)


def fail(code):
    return code << 16 | 0x3333


def prog_pass():
    a = Asm()
    finisher(a, 0x5555)
    return a.code()


def prog_fail5():
    a = Asm()
    finisher(a, fail(5))
    return a.code()


def prog_hello(text=b"hello from bare metal\n"):
    a = Asm()
    a.lui("t0", 0x10000)                       # UART THR at 0x10000000
    for ch in text:
        a.addi("t1", "zero", ch)
        a.store("sb", "t1", "t0", 0)
    finisher(a, 0x5555)
    return a.code()


def prog_echo_code():
    """Wait for a byte on the UART (LSR.DR), exit with fail code = the byte."""
    a = Asm()
    a.lui("t0", 0x10000)
    a.label("wait")
    a.load("lbu", "t1", "t0", 5)               # LSR
    a.andi("t1", "t1", 1)                      # DR: data ready
    a.branch("beq", "t1", "zero", "wait")
    a.load("lbu", "t1", "t0", 0)               # RBR
    a.slli("t1", "t1", 16)                     # t4 = byte << 16 | 0x3333: "fail byte"
    a.li32("t2", 0x3333)
    a.or_("t4", "t1", "t2")
    a.lui("t3", 0x100)
    a.store("sw", "t4", "t3", 0)
    a.label("spin")
    a.j("spin")
    return a.code()


def prog_boot_args():
    """a0 == mhartid, *a1 == FDT magic, a2 -> fw_dynamic_info magic and version."""
    a = Asm()
    a.csrr("t0", 0xf14)
    a.branch("bne", "a0", "t0", "f1")
    a.load("lw", "t1", "a1", 0)
    a.li32("t2", 0xedfe0dd0)                   # 0xd00dfeed big-endian, read little-endian
    a.branch("bne", "t1", "t2", "f2")
    a.load("lw", "t1", "a2", 0)
    a.li32("t2", 0x4942534f)
    a.branch("bne", "t1", "t2", "f3")
    a.load("ld", "t1", "a2", 8)
    a.addi("t2", "zero", 2)
    a.branch("bne", "t1", "t2", "f4")
    finisher(a, 0x5555)
    for n in range(1, 5):
        a.label(f"f{n}")
        finisher(a, fail(n))
    return a.code()


def prog_mtime():
    """mtime (0x200bff8) must advance by 100000 ticks (10 ms) within 2^26 polls."""
    a = Asm()
    a.lui("t0", 0x200c)
    a.addi("t0", "t0", -8)                     # t0 = 0x200bff8
    a.load("ld", "t1", "t0", 0)                # start
    a.lui("a3", 0x4000)                        # poll budget 2^26
    a.li32("t4", 100000)
    a.label("poll")
    a.addi("a3", "a3", -1)
    a.branch("beq", "a3", "zero", "timeout")
    a.load("ld", "t2", "t0", 0)
    a.sub("t2", "t2", "t1")
    a.branch("bltu", "t2", "t4", "poll")
    finisher(a, 0x5555)
    a.label("timeout")
    finisher(a, fail(9))
    return a.code()


def prog_reset_then_fail7():
    """First run: mark RAM at 0x80100000 and reset; second run: exit 7."""
    a = Asm()
    a.auipc("t0", 0x100)                       # 0x80100000 (pc-relative, no sign games)
    a.load("lw", "t1", "t0", 0)
    a.branch("bne", "t1", "zero", "second")
    a.addi("t1", "zero", 1)
    a.store("sw", "t1", "t0", 0)
    finisher(a, 0x7777)
    a.label("second")
    finisher(a, fail(7))
    return a.code()


def prog_hot_loop(iterations=100_000_000):
    """A loop of three blocks (odd/even sides) run long enough to turn hot;
    exits through the finisher with pass only if the sum is right."""
    a = Asm()
    a.li32("t0", iterations)
    a.addi("t1", "zero", 0)
    a.label("loop")
    a.andi("t2", "t0", 1)
    a.branch("beq", "t2", "zero", "even")
    a.addi("t1", "t1", 3)
    a.j("next")
    a.label("even")
    a.addi("t1", "t1", 5)
    a.label("next")
    a.addi("t0", "t0", -1)
    a.branch("bne", "t0", "zero", "loop")
    a.li32("t2", 4 * iterations)               # half the iterations add 3, half 5
    a.branch("bne", "t1", "t2", "bad")
    finisher(a, 0x5555)
    a.label("bad")
    finisher(a, fail(9))
    return a.code()


def run(tool, name, image, args=(), want_status=0, stdin=b"", want_out=None, timeout=60):
    global failures
    cmd = [tool, "-M", "virt", "-bios", "none", "-kernel", image, "-nographic"] + list(args)
    if tool == qemu:
        cmd += ["-display", "none"]
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
        ok = p.returncode == want_status and (want_out is None or want_out in p.stdout)
        detail = f"status {p.returncode}, stdout {p.stdout[:200]!r}, stderr {p.stderr[:300]!r}"
    except subprocess.TimeoutExpired:
        ok, detail = False, f"no exit within {timeout} s"
    who = "qemu" if tool == qemu else "rove"
    print(f"{'ok  ' if ok else 'FAIL'} {who}: {name}" + ("" if ok else f": {detail}"))
    failures += not ok


tools = ([qemu] if qemu else []) + [rove]

with tempfile.TemporaryDirectory() as d:
    def img(name, code):
        path = os.path.join(d, name + ".bin")
        with open(path, "wb") as f:
            f.write(code)
        return path

    cases = [
        ("pass", img("pass", prog_pass()), [], 0, b"", None),
        ("fail 5", img("fail5", prog_fail5()), [], 5, b"", None),
        ("uart output", img("hello", prog_hello()), [], 0, b"", b"hello from bare metal"),
        ("uart input", img("echo", prog_echo_code()), [], ord("A"), b"A", None),
        ("reset ROM hand-over", img("args", prog_boot_args()), [], 0, b"", None),
        ("mtime advances", img("mtime", prog_mtime()), [], 0, b"", None),
        ("guest reset re-runs with RAM kept", img("reset", prog_reset_then_fail7()), [], 7,
         b"", None),
        ("-no-reboot: a reset exits 0", img("reset", prog_reset_then_fail7()), ["-no-reboot"], 0,
         b"", None),
        ("-smp 2 -accel tcg,thread=single", img("pass", prog_pass()),
         ["-smp", "2", "-accel", "tcg,thread=single"], 0, b"", None),
    ]
    for tool in tools:
        for name, image, args, status, stdin, out in cases:
            run(tool, name, image, args, status, stdin, out)

    # The UART on -chardev back ends (-serial chardev:ID wins over -nographic).
    for tool in tools:
        who = "qemu" if tool == qemu else "rove"
        out_path = os.path.join(d, who + "-uart.out")
        run(tool, "uart output into -chardev file", img("hello", prog_hello()),
            ["-chardev", f"file,id=f,path={out_path}", "-serial", "chardev:f"], 0)
        with open(out_path, "rb") as f:
            got = f.read()
        ok = b"hello from bare metal" in got
        print(f"{'ok  ' if ok else 'FAIL'} {who}: the file holds the UART output"
              + ("" if ok else f": {got[:200]!r}"))
        failures += not ok

        sock_path = os.path.join(d, who + "-uart.sock")
        cmd = [tool, "-M", "virt", "-bios", "none", "-kernel", img("echo", prog_echo_code()),
               "-nographic", "-chardev", f"socket,id=s,path={sock_path},server=on,wait=off",
               "-serial", "chardev:s"] + (["-display", "none"] if tool == qemu else [])
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            for _ in range(600):        # until the socket exists (a hang guard, not a timing check)
                try:
                    c.connect(sock_path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if p.poll() is not None:
                        break
                    time.sleep(0.05)
            c.sendall(b"B")
            status = p.wait(timeout=60)
            ok = status == ord("B")
            detail = f"status {status}, stderr {p.stderr.read()[:300]!r}"
        except (OSError, subprocess.TimeoutExpired) as e:
            p.kill()
            p.wait()
            ok, detail = False, str(e)
        finally:
            c.close()
        print(f"{'ok  ' if ok else 'FAIL'} {who}: a byte through a -chardev socket reaches the UART"
              + ("" if ok else f": {detail}"))
        failures += not ok

    # Two tiers (docs/architecture.md): the hot loop's blocks are made again
    # as a superblock, which -d tier reports; the sum must still be right.
    for tool in tools:
        who = "qemu" if tool == qemu else "rove"
        log_path = os.path.join(d, "tier.log")
        args = ["-d", "tier", "-D", log_path] if tool == rove else []
        run(tool, "a hot loop", img("hot", prog_hot_loop()), args, 0, b"", None)
        if tool == rove:
            with open(log_path) as f:
                log = f.read()
            pcs = [int(w, 16) for w in re.findall(r"^Tier: (0x[0-9a-f]+)", log, re.M)]
            ok = any(0x80000000 <= pc < 0x80000000 + len(prog_hot_loop()) for pc in pcs)
            print(f"{'ok  ' if ok else 'FAIL'} rove: the hot loop was made again as a superblock"
                  + ("" if ok else f": -d tier log {log[:300]!r}"))
            failures += not ok

print(f"{failures} failure(s)")
if failures:
    sys.exit(1)
