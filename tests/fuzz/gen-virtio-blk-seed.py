#!/usr/bin/env python3
"""Writes tests/fuzz/virtio-blk-seed.bin: the input layout of
fuzz-virtio-blk.c (flags, queue size - 1, guest RAM from address 0) with
a 16-entry queue holding five requests: write sector 2, read it back,
flush, get-id and a one-range discard."""
import os
import struct
import sys

RAM = bytearray(0x1800)
DESC, AVAIL = 0x000, 0x400
NEXT, WRITE = 1, 2


def desc(i, addr, length, flags, nxt=0):
    struct.pack_into("<QIHH", RAM, DESC + 16 * i, addr, length, flags, nxt)


def header(addr, typ, sector):
    struct.pack_into("<IIQ", RAM, addr, typ, 0, sector)


# write: header, 512 bytes of 0xab, status
header(0x1000, 1, 2)
RAM[0x1100:0x1300] = b"\xab" * 512
desc(0, 0x1000, 16, NEXT, 1)
desc(1, 0x1100, 512, NEXT, 2)
desc(2, 0x1300, 1, WRITE)
# read: header, 512 writable bytes, status
header(0x1010, 0, 2)
desc(3, 0x1010, 16, NEXT, 4)
desc(4, 0x1400, 512, NEXT | WRITE, 5)
desc(5, 0x1301, 1, WRITE)
# flush: header, status
header(0x1020, 4, 0)
desc(6, 0x1020, 16, NEXT, 7)
desc(7, 0x1302, 1, WRITE)
# get-id: header, 20 writable bytes, status
header(0x1030, 8, 0)
desc(8, 0x1030, 16, NEXT, 9)
desc(9, 0x1700, 20, NEXT | WRITE, 10)
desc(10, 0x1303, 1, WRITE)
# discard: header, one range (sector 0, 8 sectors, flags 0), status
header(0x1040, 11, 0)
struct.pack_into("<QII", RAM, 0x1050, 0, 8, 0)
desc(11, 0x1040, 16, NEXT, 12)
desc(12, 0x1050, 16, NEXT, 13)
desc(13, 0x1304, 1, WRITE)
heads = [0, 3, 6, 8, 11]
struct.pack_into("<HH", RAM, AVAIL, 0, len(heads))
for k, h in enumerate(heads):
    struct.pack_into("<H", RAM, AVAIL + 4 + 2 * k, h)

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "virtio-blk-seed.bin")
with open(out, "wb") as f:
    f.write(bytes([0, 15]) + bytes(RAM))
