#!/bin/sh
# Pack Rove's test initramfs: a static busybox, scripts/initramfs/init and
# udhcpc's default script (scripts/initramfs/udhcpc.script)
# (which prints EMU-BOOT-OK and runs emu.cmd="..." from the kernel command
# line; see that file).
#
# Usage: scripts/make-initramfs.sh [-a DIR] BUSYBOX OUT.cpio.gz
#   -a DIR   also put DIR's contents at the root of the archive
#
# Uses the host's cpio and gzip only.  The output is reproducible: files in
# sorted order, owner 0:0, one fixed modification time (SOURCE_DATE_EPOCH,
# default 0), no inode or device numbers, no name or time in the gzip
# header.  The kernel supplies /dev/console (its built-in initramfs), so
# the archive needs no device nodes.  Errors: one line on stderr, status 1.
set -eu
me=make-initramfs.sh
die() { echo "$me: error: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

add=
if [ "${1:-}" = -a ]; then
    [ $# -ge 2 ] || die "usage: $me [-a DIR] BUSYBOX OUT.cpio.gz"
    add=$2
    shift 2
    [ -d "$add" ] || die "$add is not a directory"
fi
[ $# -eq 2 ] || die "usage: $me [-a DIR] BUSYBOX OUT.cpio.gz"
busybox=$1
out=$2
[ -s "$busybox" ] || die "no busybox at $busybox"
for t in cpio gzip find sort touch; do
    command -v $t >/dev/null 2>&1 || die "needs $t (apt-get install $t)"
done
cpio --help 2>/dev/null | grep -q -- --reproducible || die "host cpio lacks --reproducible (needs cpio >= 2.12)"

umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rove-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
for d in bin sbin usr/bin usr/sbin proc sys dev tmp run root etc; do
    mkdir -p "$root/$d"
done
cp "$busybox" "$root/bin/busybox"
cp "$here/initramfs/init" "$root/init"
mkdir -p "$root/etc/udhcpc"   # Debian's busybox looks for its default script there
cp "$here/initramfs/udhcpc.script" "$root/etc/udhcpc/default.script"
chmod 755 "$root/bin/busybox" "$root/init" "$root/etc/udhcpc/default.script"
if [ -n "$add" ]; then
    cp -R "$add/." "$root/" || die "cannot copy $add"
fi
find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} + || die "cannot set file times"

(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) \
    > "$tmp/out.cpio" || die "cpio failed"
gzip -n -9 < "$tmp/out.cpio" > "$tmp/out.cpio.gz" || die "gzip failed"
mv "$tmp/out.cpio.gz" "$out" || die "cannot write $out"
