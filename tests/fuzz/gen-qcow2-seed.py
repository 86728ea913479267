#!/usr/bin/env python3
"""Writes tests/fuzz/qcow2-seed.bin: a small valid qcow2 v3 image for
fuzz-qcow2.c to mutate.  512-byte clusters, 64 KiB virtual size:
cluster 0 header (backing format extension and backing name), 1 refcount
table, 2 refcount block, 3 L1 table (2 entries), 4-5 L2 tables, 6-7 data;
guest cluster 1 is a zero cluster.  qemu-img check (given a base.raw)
and rove-img check find it clean."""
import struct
import sys

CLUSTER = 512
COPIED = 1 << 63
ZERO = 1


def main(path):
    img = bytearray(8 * CLUSTER)
    backing = b"base.raw"
    ext = struct.pack(">II", 0xE2792ACA, 3) + b"raw" + bytes(5)
    ext += struct.pack(">II", 0, 0)
    backing_offset = 112 + len(ext)
    header = struct.pack(">IIQIIQIIQQIIQQQQII", 0x514649FB, 3, backing_offset, len(backing),
                         9, 64 * 1024, 0, 2, 3 * CLUSTER, 1 * CLUSTER, 1, 0, 0,
                         0, 0, 0, 4, 112)
    img[0:len(header)] = header
    img[112:112 + len(ext)] = ext
    img[backing_offset:backing_offset + len(backing)] = backing
    struct.pack_into(">Q", img, 1 * CLUSTER, 2 * CLUSTER)          # refcount table
    for c in range(8):
        struct.pack_into(">H", img, 2 * CLUSTER + 2 * c, 1)       # refcount block
    struct.pack_into(">QQ", img, 3 * CLUSTER, 4 * CLUSTER | COPIED, 5 * CLUSTER | COPIED)
    struct.pack_into(">QQQ", img, 4 * CLUSTER, 6 * CLUSTER | COPIED, ZERO, 0)
    struct.pack_into(">Q", img, 5 * CLUSTER + 8 * 5, 7 * CLUSTER | COPIED)
    img[6 * CLUSTER:7 * CLUSTER] = bytes(range(256)) * 2
    img[7 * CLUSTER:8 * CLUSTER] = b"rove" * 128
    with open(path, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "qcow2-seed.bin")
