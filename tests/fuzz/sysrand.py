#!/usr/bin/env python3
"""Random machine code on the virt machine: the emulator must survive it.

Each program is 64 KiB loaded at 0x80000000 with -bios none and run in M
mode (1, 2 or 4 harts, a thread each or all on one, on either back end).
It starts with a trap handler that clears MPRV and resumes after
the faulting word; after a fault on a fetch, every 256th trap, or when
mepc has left the program, it goes back in M mode at a word picked from
mcycle.  The rest is random code biased towards what a hostile kernel
does: CSR reads and writes (satp rooted inside the program, so its words
are page tables; PMP; delegation; timers), MPP changes followed by mret
(so code also runs in S and U), virtio queues set up on the four devices
given (blk on a scratch disk, rng, net with a restricted user network,
console on a null chardev) with the program's own words as descriptors
and rings, then notified, loads, stores and AMOs on RAM, devices
and holes, xRET, fences, sfence.vma, FP/vector/custom opcodes and random
words.

A run ends when the time is up (we kill it: the normal end) or when the
guest stops the machine through the test finisher.  It fails when the
emulator dies of a signal of its own, exits for another reason, or
prints an internal error or a sanitizer report.  Failing programs are
kept (--keep DIR) to be run again with the printed command.

usage: sysrand.py --emu ROVE [--count N] [--seconds S] [--seed K] [--keep DIR]
"""
import argparse
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time

T5, T6 = 30, 31
MRET = 0x30200073
WORDS = 16384                      # 64 KiB
BAD_OUTPUT = ("internal error", "runtime error", "AddressSanitizer",
              "LeakSanitizer", "Assertion", "assertion", "Aborted")


def itype(op, rd, f3, rs1, imm):
    return (imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def rtype(f7, rs2, rs1, f3, rd, op=0x33):
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def stype(f3, rs1, rs2, imm):
    return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | 0x23


def btype(f3, rs1, rs2, off):
    return (((off >> 12) & 1) << 31 | ((off >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 |
            f3 << 12 | ((off >> 1) & 0xf) << 8 | ((off >> 11) & 1) << 7 | 0x63)


def jal(rd, off):
    return (((off >> 20) & 1) << 31 | ((off >> 1) & 0x3ff) << 21 | ((off >> 11) & 1) << 20 |
            ((off >> 12) & 0xff) << 12 | rd << 7 | 0x6f)


def lui(rd, imm20):
    return (imm20 & 0xfffff) << 12 | rd << 7 | 0x37


def addi(rd, rs, imm):
    return itype(0x13, rd, 0, rs, imm)


def slli(rd, rs, n):
    return itype(0x13, rd, 1, rs, n)


def srli(rd, rs, n):
    return itype(0x13, rd, 5, rs, n)


def csrr(rd, csr):
    return itype(0x73, rd, 2, 0, csr)


def csrw(csr, rs):
    return itype(0x73, 0, 1, rs, csr)


def li_upper(rd, imm20):
    """rd = imm20 << 12, zero-extended (lui sign-extends bit 31)."""
    return [lui(rd, imm20), slli(rd, rd, 32), srli(rd, rd, 32)]


def handler():
    """The trap handler at 0x100 (uses t5/t6 only)."""
    h = [lui(T5, 0x20), itype(0x73, 0, 3, T5, 0x300),         # csrc mstatus, MPRV
         csrr(T5, 0x342), addi(T5, T5, -12), None,             # fetch page fault?
         addi(T5, T5, 11), None]                               # fetch access fault?
    branch_to_reenter = [4, 6]
    h += li_upper(T6, 0x80000) + [itype(0x03, T5, 3, T6, 0x80), addi(T5, T5, 1),
                                  stype(3, T6, T5, 0x80), itype(0x13, T5, 7, T5, 255), None]
    branch_to_reenter.append(len(h) - 1)                       # every 256th trap
    h += [csrr(T6, 0x341), addi(T6, T6, 4)] + li_upper(T5, 0x80010) + [None, None]
    in_lo, out = len(h) - 2, len(h) - 1                        # bltu t6, end / j reenter
    lo_check = len(h)
    h += li_upper(T5, 0x80000) + [None]                        # bgeu t6, start -> resume
    resume_br = len(h) - 1
    reenter = len(h)
    h += [lui(T5, 0x2), addi(T5, T5, -0x800), itype(0x73, 0, 2, T5, 0x300),  # MPP = M
          csrr(T6, 0xb00), slli(T6, T6, 48), srli(T6, T6, 50), slli(T6, T6, 2),
          itype(0x13, T6, 6, T6, 0x400)] + li_upper(T5, 0x80000) + [rtype(0, T5, T6, 0, T6)]
    resume = len(h)
    h += [csrw(0x341, T6), MRET]
    for i in branch_to_reenter:
        h[i] = btype(0, T5, 0, (reenter - i) * 4)               # beqz t5, reenter
    h[in_lo] = btype(6, T6, T5, (lo_check - in_lo) * 4)
    h[out] = jal(0, (reenter - out) * 4)
    h[resume_br] = btype(7, T6, T5, (resume - resume_br) * 4)
    return h


DEVICES = [0x10000, 0x0c000, 0x0c200, 0x02000, 0x02004, 0x0200b, 0x10001, 0x10008, 0x00100,
           0x00101, 0x80000, 0x80001, 0x80004, 0x87fff, 0x88000, 0x00000, 0x03000]
CSRS = [0x300, 0x302, 0x303, 0x304, 0x340, 0x342, 0x343, 0x344, 0x180, 0x100, 0x104, 0x105,
        0x141, 0x142, 0x143, 0x144, 0x3a0, 0x3b0, 0x3b1, 0x30a, 0x10a, 0x306, 0x106, 0x14d,
        0xc00, 0xc01, 0xc02, 0xf14, 0x301, 0x7b0, 0x320, 0xb00, 0x5a8, 0x9c0, 0x001, 0x002,
        0x003, 0x7a0, 0x7a1, 0x744]
SYSTEM = [0x10200073, 0x12000073, 0x0000100f, 0x0ff0000f, 0x00000073, 0x00100073,
          0x12050073, MRET, 0x0100000f]  # sret, sfence.vma, fence.i, fence, ecall, ebreak, pause


def sw(base, val, off):
    return stype(2, base, val, off)


def virtio_setup(r, base):
    """A virtio-mmio driver's steps with some random values: reset, feature
    negotiation (VERSION_1, maybe indirect/event-idx), one queue whose
    rings lie in the program or in the RAM after it, DRIVER_OK, a notify.
    The program's own words then serve as descriptors and rings."""
    def li(v):
        return [addi(T5, 0, v)]

    def ram(page_lo, page_hi):
        return li_upper(T5, 0x80000 + r.randrange(page_lo, page_hi)) + \
            [addi(T5, T5, r.randrange(0, 2048) & ~15)]
    slot = 0x10001 + r.randrange(8)
    w = li_upper(base, slot)
    if r.random() < 0.7:
        w += li(0) + [sw(base, T5, 0x70)]                          # reset
    w += li(3) + [sw(base, T5, 0x70)]                              # ACK | DRIVER
    w += li(1) + [sw(base, T5, 0x24)] + li(1 if r.random() < 0.9 else 0) + [sw(base, T5, 0x20)]
    low = r.choice([0, 0x10000000, 0x20000000, 0x30000000]) | r.getrandbits(8)
    w += [lui(T5, low >> 12), addi(T5, T5, low & 0x7ff), sw(base, 0, 0x24), sw(base, T5, 0x20)]
    w += li(0xb) + [sw(base, T5, 0x70)]                            # FEATURES_OK
    q = r.choice([0, 0, 1, 2])
    w += li(q) + [sw(base, T5, 0x30)]                              # QueueSel
    w += li(r.choice([1, 2, 4, 8, 16, 256, r.randrange(1, 2048)])) + [sw(base, T5, 0x38)]
    for reg in (0x80, 0x90, 0xa0):                                 # desc, driver, device
        w += ram(0, 16) if reg != 0xa0 or r.random() < 0.3 else ram(16, 64)
        w += [sw(base, T5, reg), sw(base, 0, reg + 4)]
    w += li(1) + [sw(base, T5, 0x44)]                              # QueueReady
    w += li(r.choice([0xf, 0xf, 0x7, 0x8f])) + [sw(base, T5, 0x70)]  # DRIVER_OK
    w += li(q) + [sw(base, T5, 0x50)]                              # QueueNotify
    return w


def program(seed):
    r = random.Random(seed)
    w = [jal(0, 0x400)] + [addi(0, 0, 0)] * 63 + handler()
    w += [addi(0, 0, 0)] * (0x100 - len(w))
    w += li_upper(T5, 0x80000) + [addi(T5, T5, 0x100), csrw(0x305, T5)]   # mtvec
    while len(w) < WORDS - 1:
        k = r.random()
        rd, rs1, rs2 = r.randrange(1, 30), r.randrange(0, 30), r.randrange(0, 30)
        if k < 0.12:     # a device, RAM or hole address
            w += [lui(rd, r.choice(DEVICES))]
            if r.random() < 0.7:
                w += [slli(rd, rd, 32), srli(rd, rd, 32)]
            w += [addi(rd, rd, r.randrange(-2048, 2048))]
        elif k < 0.14:   # satp: Sv39/Sv48 rooted in one of the program's pages
            w += li_upper(rd, 0x80000) + [srli(rd, rd, 12), addi(rd, rd, r.randrange(16)),
                                          addi(T5, 0, r.choice([8, 9])), slli(T5, T5, 60),
                                          rtype(0, T5, rd, 6, rd), csrw(0x180, rd)]
            if r.random() < 0.5:
                w.append(0x12000073)
        elif k < 0.15:   # set up a virtio device's queue and notify it
            w += virtio_setup(r, rd)
        elif k < 0.16:   # MPP (and sometimes MPRV) then mret to the next word
            w += [lui(rd, r.choice([0x0, 0x1, 0x20, 0x21])), srli(rd, rd, 1), csrw(0x300, rd),
                  0x00000f17, addi(T5, T5, 16), csrw(0x341, T5), MRET]
        elif k < 0.30:
            w.append(itype(0x03, rd, r.choice([0, 1, 2, 3, 4, 5, 6]), rs1, r.randrange(-64, 64)))
        elif k < 0.42:
            w.append(stype(r.choice([0, 1, 2, 3]), rs1, rs2, r.randrange(-64, 64)))
        elif k < 0.53:
            w.append(itype(0x73, rd, r.choice([1, 2, 3, 5, 6, 7]), rs1, r.choice(CSRS)))
        elif k < 0.57:
            w.append(r.choice(SYSTEM))
        elif k < 0.65:   # AMOs, LR, SC
            f5 = r.choice([0, 1, 2, 3, 4, 8, 12, 16, 20, 24, 28])
            w.append(f5 << 27 | r.randrange(4) << 25 | rs2 << 20 | rs1 << 15 |
                     r.choice([2, 3]) << 12 | rd << 7 | 0x2f)
        elif k < 0.69:
            w.append(btype(r.choice([0, 1, 4, 5, 6, 7]), rs1, rs2, r.randrange(1, 32) * 4))
        elif k < 0.70:
            w.append(itype(0x67, rd, 0, rs1, r.randrange(-64, 64)))
        elif k < 0.84:
            w.append(itype(0x13, rd, r.randrange(8), rs1, r.randrange(-2048, 2048)))
        elif k < 0.90:   # FP, vector, custom and 32-bit ALU opcodes
            w.append(r.getrandbits(25) << 7 |
                     r.choice([0x07, 0x27, 0x43, 0x47, 0x53, 0x57, 0x0b, 0x2b, 0x5b, 0x7b,
                               0x3b, 0x1b]))
        elif k < 0.95:   # two compressed instructions, or anything
            w.append(r.getrandbits(32))
        else:
            w.append(r.getrandbits(32) | 3)
    w = w[:WORDS - 1]
    w.append(jal(0, -(len(w) * 4 - 0x400)))
    # (wfi may sleep for good with nothing pending: the time limit ends that)
    return struct.pack('<%dI' % len(w), *[x & 0xffffffff for x in w])


def run_one(emu, path, disk, smp, backend, single, seconds):
    env = dict(os.environ)
    if backend:
        env['ROVE_BACKEND'] = backend
    cmd = [emu, '-M', 'virt', '-bios', 'none', '-m', '128M', '-smp', str(smp), '-nographic',
           '-serial', 'none', '-kernel', path,
           '-drive', 'file=%s,format=raw,if=none,id=d0' % disk, '-device',
           'virtio-blk-device,drive=d0', '-device', 'virtio-rng-device',
           '-netdev', 'user,id=n0,restrict=on', '-device', 'virtio-net-device,netdev=n0',
           '-chardev', 'null,id=c0', '-device', 'virtio-console-device,chardev=c0']
    if single:
        cmd[1:1] = ['-accel', 'tcg,thread=single']
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        _, err = p.communicate(timeout=seconds)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        _, err = p.communicate()
        timed_out = True
    err = err.decode(errors='replace')
    rc = p.returncode
    why = None
    if any(b in err for b in BAD_OUTPUT):
        why = 'stderr: ' + err.strip().splitlines()[0][:200]
    elif not timed_out and rc < 0:
        why = 'killed by signal %d' % -rc
    elif not timed_out and rc != 0 and 'finisher' not in err and err.strip():
        # the finisher's fail code exits non-zero silently; anything else
        # that stops the machine with a message is reported
        why = 'exit %d: %s' % (rc, err.strip().splitlines()[0][:200])
    return cmd, env.get('ROVE_BACKEND', ''), why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--emu', required=True)
    ap.add_argument('--count', type=int, default=8)
    ap.add_argument('--seconds', type=float, default=1.5)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', default=None)
    a = ap.parse_args()
    failed = 0
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.count):
            seed = a.seed + i
            smp = (1, 2, 4)[i % 3]
            backend = ('x86_64', 'interp')[(i // 3) % 2]
            single = (i // 6) % 2 == 1 and smp > 1
            path = os.path.join(tmp, 'prog-%d.bin' % seed)
            with open(path, 'wb') as f:
                f.write(program(seed))
            disk = os.path.join(tmp, 'disk.img')
            with open(disk, 'wb') as f:
                f.truncate(1 << 20)
            cmd, be, why = run_one(a.emu, path, disk, smp, backend, single, a.seconds)
            if why:
                failed += 1
                if a.keep:
                    os.makedirs(a.keep, exist_ok=True)
                    kept = os.path.join(a.keep, 'sysrand-%d.bin' % seed)
                    with open(kept, 'wb') as f:
                        f.write(program(seed))
                    cmd[-1] = kept
                    again = 'ROVE_BACKEND=%s %s' % (be, ' '.join(cmd))
                else:
                    again = 'again: %s --emu %s --seed %d --count 1 --keep DIR' % (
                        sys.argv[0], a.emu, seed)
                print('FAIL seed %d (-smp %d%s, %s back end): %s\n  %s' %
                      (seed, smp, ' thread=single' if single else '', be, why, again))
    print('%d programs (seeds %d-%d), %d failed, %.0f s' %
          (a.count, a.seed, a.seed + a.count - 1, failed, time.time() - start))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
