#!/bin/sh
# Fetch guest images that tests need from Debian's archive, cached.
#
# Usage: scripts/fetch-images.sh IMAGE...      (IMAGE: busybox, opensbi, u-boot)
#
# Prints the absolute path of each image on stdout, one a line, in the order
# asked.  An image already in the cache is used as it is (no network).
# Otherwise the Debian 13 (trixie) riscv64 package holding it is fetched with
# `apt-get download` on a private apt state and sources list (the host's apt
# configuration and dpkg database are not touched; no root needed).  On any
# failure: one "fetch-images.sh: error: ..." line on stderr, exit status 1.
#
# Cache: ${ROVE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emu-images}/debian13-riscv64/
# Mirror: ${DEBIAN_MIRROR:-http://deb.debian.org/debian}
set -eu
me=fetch-images.sh
die() { echo "$me: error: $*" >&2; exit 1; }
log() { echo "$me: $*" >&2; }

# IMAGE -> "FILE-IN-CACHE PACKAGE PATH-IN-PACKAGE".  To add an image, add a
# line here.  (A kernel will need linux-image-riscv64's dependency resolved
# to the versioned package first.)
image_source() {
    case $1 in
    busybox) echo "busybox busybox-static usr/bin/busybox" ;;
    opensbi) echo "fw_dynamic.bin opensbi usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin" ;;
    u-boot)  echo "u-boot.bin u-boot-qemu usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin" ;;
    *) return 1 ;;
    esac
}

[ $# -gt 0 ] || die "usage: $me IMAGE... (busybox, opensbi, u-boot)"
for img; do image_source "$img" >/dev/null || die "unknown image '$img' (known: busybox, opensbi, u-boot)"; done

CACHE=${ROVE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emu-images}
mkdir -p "$CACHE/debian13-riscv64" || die "cannot create the cache directory $CACHE"
CACHE=$(cd "$CACHE" && pwd)
OUT=$CACHE/debian13-riscv64

apt_ready=
apt_setup() {
    [ -z "$apt_ready" ] || return 0
    for t in apt-get dpkg-deb; do
        command -v $t >/dev/null 2>&1 || die "needs $t (Debian's apt and dpkg)"
    done
    KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -r "$KEYRING" ] || die "needs $KEYRING (package debian-archive-keyring)"
    ST=$CACHE/rove-apt/debian13-riscv64
    mkdir -p "$ST/lists/partial" "$ST/cache/archives/partial" "$ST/sources" "$ST/debs"
    : > "$ST/status"
    cat > "$ST/sources/trixie.sources" <<EOF
Types: deb
URIs: ${DEBIAN_MIRROR:-http://deb.debian.org/debian}
Suites: trixie
Components: main
Signed-By: $KEYRING
EOF
    APT="-q -o APT::Architecture=riscv64 -o APT::Architectures=riscv64
         -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$ST/sources
         -o Dir::State::Lists=$ST/lists -o Dir::Cache=$ST/cache
         -o Dir::State::status=$ST/status -o Acquire::Languages=none
         -o Acquire::Retries=2 -o APT::Sandbox::User=root"
    log "apt-get update (Debian 13 trixie, riscv64)"
    # apt-get update exits 0 when it cannot reach the mirror: look for a
    # fresh riscv64 package list instead.
    rm -f "$ST/lists/"*_Packages*
    # shellcheck disable=SC2086
    apt-get $APT update > "$ST/update.log" 2>&1 || true
    if ! ls "$ST/lists/"*_binary-riscv64_Packages* >/dev/null 2>&1; then
        sed 's/^/    /' "$ST/update.log" >&2
        die "apt-get update got no riscv64 package list (is ${DEBIAN_MIRROR:-http://deb.debian.org/debian} reachable?)"
    fi
    apt_ready=1
}

fetch() {
    img=$1; file=$2; pkg=$3; path=$4
    apt_setup
    log "downloading $pkg:riscv64 for $img"
    rm -f "$ST/debs/${pkg}_"*.deb
    # shellcheck disable=SC2086
    if ! (cd "$ST/debs" && apt-get $APT download "$pkg" > "$ST/download.log" 2>&1); then
        sed 's/^/    /' "$ST/download.log" >&2
        die "download of $pkg failed"
    fi
    deb=$(ls "$ST/debs/${pkg}_"*.deb 2>/dev/null | head -n 1)
    [ -s "$deb" ] || die "apt-get download left no $pkg .deb"
    x=$ST/unpack; rm -rf "$x"; mkdir -p "$x"
    dpkg-deb -x "$deb" "$x" || die "cannot unpack $deb"
    [ -s "$x/$path" ] || die "$deb has no /$path"
    cp "$x/$path" "$OUT/$file.tmp" && chmod 755 "$OUT/$file.tmp" && mv "$OUT/$file.tmp" "$OUT/$file" ||
        die "cannot write $OUT/$file"
    rm -rf "$x"
    log "$img: $(basename "$deb")"
}

# one IMAGE FILE PACKAGE PATH
one() {
    [ -s "$OUT/$2" ] || fetch "$@"
    echo "$OUT/$2"
}
for img; do
    # shellcheck disable=SC2046
    one "$img" $(image_source "$img")
done
