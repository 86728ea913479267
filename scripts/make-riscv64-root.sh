#!/bin/sh
# Build (or reuse) a Debian 13 (trixie) riscv64 root holding CPython 3.13
# and its own test suite, made only from Debian packages (mmdebstrap
# --variant=extract: nothing is run inside the root).  Prints the root's
# path on stdout.  On failure prints one line "make-riscv64-root: ..." on
# stderr and exits 1.
#
#   scripts/make-riscv64-root.sh [DIR]
#
# DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/rove/debian13-riscv64-root.
# A root whose stamp file names the same package list is reused as is.
# dash is there so that /bin/sh under -L is a riscv64 program: a host shell
# cannot exec riscv64 programs (no binfmt_misc), so #! /bin/sh scripts that
# run sys.executable must be emulated too.
set -u

PACKAGES="python3.13,dash,libpython3.13-testsuite,libpython3.13-stdlib,libmpdec4,zlib1g,libbz2-1.0,liblzma5,libffi8,libssl3t64,libexpat1,libsqlite3-0,tzdata,netbase,ca-certificates"
MIRROR="${ROVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

die() { echo "make-riscv64-root: $*" >&2; exit 1; }

cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}"
dir="${1:-$cache/rove/debian13-riscv64-root}"
stamp="$dir/.rove-root-stamp"
want="trixie riscv64 merged-usr no-dev $PACKAGES"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$dir/usr/bin/python3.13" ]; then
    echo "$dir"
    exit 0
fi

command -v mmdebstrap >/dev/null 2>&1 ||
    die "mmdebstrap not found (apt-get install mmdebstrap)"

tmp="$dir.tmp.$$"
log="$dir.log"
mkdir -p "$(dirname "$dir")" || die "cannot create $(dirname "$dir")"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
# --variant=extract only unpacks the listed packages (and their
# dependencies): no maintainer script runs, so no riscv64 emulation is
# needed on the host.
if ! mmdebstrap --quiet --variant=extract --arch=riscv64 \
        --include="$PACKAGES" trixie "$tmp" "$MIRROR" >"$log" 2>&1; then
    die "mmdebstrap failed (see $log): $(grep -i 'error\|^E:' "$log" | tail -n 1)"
fi
# The extract variant does not merge /usr: add trixie's top-level links
# (PT_INTERP is /lib/ld-linux-riscv64-lp64d.so.1).
for d in bin sbin lib; do
    [ -e "$tmp/$d" ] || [ -L "$tmp/$d" ] || ln -s "usr/$d" "$tmp/$d" ||
        die "cannot create the $d link in $tmp"
done
# mmdebstrap leaves device nodes in dev/; under -L they would shadow the
# host's /dev (dev/ptmx opens a pty whose dev/pts/N is not there), so the
# root has no dev/ and /dev is the host's.
rm -rf "$tmp/dev" || die "cannot remove $tmp/dev"
[ -x "$tmp/usr/bin/python3.13" ] || die "no usr/bin/python3.13 in the new root (see $log)"
[ -d "$tmp/usr/lib/python3.13/test" ] || die "no usr/lib/python3.13/test in the new root (see $log)"
echo "$want" > "$tmp/.rove-root-stamp"
rm -rf "$dir"
mv "$tmp" "$dir" || die "cannot move $tmp to $dir"
trap - EXIT INT TERM
echo "$dir"
