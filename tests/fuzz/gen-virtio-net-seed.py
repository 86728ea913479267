#!/usr/bin/env python3
"""Writes virtio-net-seed.bin for fuzz-virtio-net.c: flags INDIRECT|EVENT_IDX,
queue size 8, the back end sends 2 frames of 60 bytes.  Transmit: request 0
= a 12-byte header buffer then a 60-byte frame, request 1 = header and a
100-byte frame in one buffer.  Receive: two writable 1530-byte buffers."""
import struct
import sys

ram = bytearray(0x2000)
def desc(base, i, addr, length, flags, nxt):
    struct.pack_into("<QIHH", ram, base + 16 * i, addr, length, flags, nxt)
desc(0, 0, 0x1000, 12, 1, 1)
desc(0, 1, 0x1100, 60, 0, 0)
desc(0, 2, 0x1200, 112, 0, 0)
struct.pack_into("<HHHH", ram, 0x400, 0, 2, 0, 2)    # tx: flags, idx, ring[0], ring[1]
desc(0x800, 0, 0x2000, 1530, 2, 0)
desc(0x800, 1, 0x2800, 1530, 2, 0)
struct.pack_into("<HHHH", ram, 0xc00, 0, 2, 0, 1)    # rx: flags, idx, ring[0], ring[1]
ram[0x1100:0x1100 + 60] = bytes(range(60))
with open(sys.argv[1] if len(sys.argv) > 1 else "virtio-net-seed.bin", "wb") as f:
    f.write(bytes([3]) + struct.pack("<H", 7) + bytes([2]) + struct.pack("<H", 59) + bytes(ram))
