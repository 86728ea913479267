#!/usr/bin/env python3
"""Writes virtqueue-seed.bin for fuzz-virtqueue.c: flags INDIRECT|EVENT_IDX,
queue size 8, request 0 = readable 16 bytes -> writable 32 bytes, request
1 = an indirect table at 0x800 with one readable and one writable buffer."""
import struct
import sys

ram = bytearray(0x900)
def desc(base, i, addr, length, flags, nxt):
    struct.pack_into("<QIHH", ram, base + 16 * i, addr, length, flags, nxt)
desc(0, 0, 0x1000, 16, 1, 1)
desc(0, 1, 0x1100, 32, 2, 0)
desc(0, 2, 0x800, 32, 4, 0)
desc(0x800, 0, 0x1200, 8, 1, 1)
desc(0x800, 1, 0x1300, 64, 2, 0)
struct.pack_into("<HHHH", ram, 0x400, 0, 2, 0, 2)   # flags, idx, ring[0], ring[1]
struct.pack_into("<H", ram, 0x400 + 4 + 2 * 8, 1)   # used_event
with open(sys.argv[1] if len(sys.argv) > 1 else "virtqueue-seed.bin", "wb") as f:
    f.write(bytes([3]) + struct.pack("<H", 7) + bytes(ram))
