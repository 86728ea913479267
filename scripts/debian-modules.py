#!/usr/bin/env python3
"""Pick the kernel modules the virt machine's virtio devices need out of an
unpacked Debian linux-image package, with everything they depend on.

Usage: debian-modules.py UNPACKED_PACKAGE OUT_DIR

Writes OUT_DIR/lib/modules/VERSION/NAME.ko (decompressed: busybox's insmod
takes plain ELF) and OUT_DIR/lib/modules/VERSION/load-order, one module
name a line, each after the modules it depends on; our initramfs's /init
insmods them in that order when the running kernel is VERSION.  Dependencies
come from each module's .modinfo section ("depends="); those not in the
package are built into the kernel.  Errors: one line on stderr, status 1.
"""
import lzma
import os
import struct
import sys

# virtio-mmio and what sits on it (the console and the rng core are built
# into Debian's kernel), and ext4 for disks, with the crc32c its metadata
# checksums ask the crypto API for (no module dependency names it).
ROOTS = ["virtio_mmio", "virtio_blk", "virtio_net", "virtio_rng", "crc32c_generic", "ext4"]


def die(msg):
    print("debian-modules.py: error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def norm(name):
    return name.replace("-", "_")


def read_module(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        data = lzma.decompress(data)
    elif path.endswith(".zst") or path.endswith(".gz"):
        die("%s: only plain or xz-compressed modules are handled" % path)
    return data


def modinfo_depends(elf, path):
    """The depends= entry of the .modinfo section of a 64-bit little-endian ELF."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die("%s: not a 64-bit little-endian ELF module" % path)
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(i):
        base = shoff + i * shentsize
        name, _type, _flags, _addr, off, size = struct.unpack_from("<IIQQQQ", elf, base)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = elf.index(b"\0", stroff + name)
        if elf[stroff + name:end] == b".modinfo":
            for entry in elf[off:off + size].split(b"\0"):
                if entry.startswith(b"depends="):
                    deps = entry[len(b"depends="):].decode()
                    return [norm(d) for d in deps.split(",") if d]
            return []
    die("%s: no .modinfo section" % path)


def main():
    if len(sys.argv) != 3:
        die("usage: debian-modules.py UNPACKED_PACKAGE OUT_DIR")
    root, out = sys.argv[1], sys.argv[2]
    base = None
    for lib in ("usr/lib/modules", "lib/modules"):
        d = os.path.join(root, lib)
        if os.path.isdir(d) and os.listdir(d):
            base = d
            break
    if base is None:
        die("%s: no lib/modules directory" % root)
    versions = sorted(os.listdir(base))
    if len(versions) != 1:
        die("%s: expected one kernel version, found %s" % (base, versions))
    version = versions[0]
    paths = {}
    for dirpath, _, files in os.walk(os.path.join(base, version, "kernel")):
        for f in files:
            if ".ko" in f:
                paths[norm(f[:f.index(".ko")])] = os.path.join(dirpath, f)

    order, seen, blobs = [], set(), {}

    def visit(name, chain):
        if name in seen or name not in paths:
            return  # done already, or built into the kernel
        if name in chain:
            die("module dependency loop through %s" % name)
        elf = read_module(paths[name])
        for dep in modinfo_depends(elf, paths[name]):
            visit(dep, chain + [name])
        seen.add(name)
        order.append(name)
        blobs[name] = elf

    for name in ROOTS:
        if name not in paths:
            die("the package has no module %s" % name)
        visit(name, [])
    dest = os.path.join(out, "lib", "modules", version)
    os.makedirs(dest, exist_ok=True)
    for name in order:
        with open(os.path.join(dest, name + ".ko"), "wb") as f:
            f.write(blobs[name])
    with open(os.path.join(dest, "load-order"), "w") as f:
        f.write("".join(n + "\n" for n in order))
    print(version)


if __name__ == "__main__":
    main()
