#!/bin/sh
# Fetch (or make) the guest images tests need, cached.
#
# Usage: scripts/fetch-images.sh IMAGE...
#
#   busybox       Debian 13's static riscv64 busybox (busybox-static)
#   opensbi       OpenSBI fw_dynamic.bin, generic platform (opensbi)
#   u-boot        U-Boot qemu-riscv64_smode, run by OpenSBI (u-boot-qemu)
#   linux-debian  Debian 13's stock riscv64 kernel as a bootable Image (the
#                 versioned package linux-image-riscv64 depends on)
#   linux         a Linux 6.1 riscv64 Image: the prebuilt shared one in
#                 $ROVE_SHARED_IMAGES/riscv64/ (default: ../shared/images
#                 beside the repository; empty: none), else the one that
#                 scripts/build-linux-riscv64.sh builds into the cache
#                 (4-12 min on 2 cores; ROVE_NO_BUILD=1 refuses instead)
#   initramfs     our initramfs: busybox + scripts/initramfs/init
#                 (scripts/make-initramfs.sh), remade when either changes
#   initramfs-debian
#                 the same plus linux-debian's virtio and ext4 modules
#                 (scripts/debian-modules.py), loaded by /init under it
#   linux-source  Debian 12's linux-source-6.1 tarball (for the build)
#
# Prints the absolute path of each image on stdout, one a line, in the order
# asked.  An image already in the cache is used as it is (no network).
# Otherwise the Debian package holding it is fetched with `apt-get download`
# on a private apt state and sources list (the host's apt configuration and
# dpkg database are not touched; no root needed); a .deb already somewhere
# in the cache is reused when its SHA256 matches the archive's index.  On
# any failure: one "fetch-images.sh: error: ..." line on stderr, status 1.
#
# Cache: ${ROVE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emu-images}/debian13-riscv64/
# Mirror: ${DEBIAN_MIRROR:-http://deb.debian.org/debian}
set -eu
me=fetch-images.sh
die() { echo "$me: error: $*" >&2; exit 1; }
log() { echo "$me: $*" >&2; }
here=$(cd "$(dirname "$0")" && pwd)
KNOWN="busybox, opensbi, u-boot, linux-debian, linux, initramfs, initramfs-debian, linux-source"

[ $# -gt 0 ] || die "usage: $me IMAGE... ($KNOWN)"
for img; do
    case $img in
    busybox|opensbi|u-boot|linux-debian|linux|initramfs|initramfs-debian|linux-source) ;;
    *) die "unknown image '$img' (known: $KNOWN)" ;;
    esac
done

CACHE=${ROVE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emu-images}
mkdir -p "$CACHE/debian13-riscv64" || die "cannot create the cache directory $CACHE"
CACHE=$(cd "$CACHE" && pwd)
OUT=$CACHE/debian13-riscv64

# apt_setup SUITE ARCH: a private apt state for Debian SUITE, ARCH packages
# (plus arch all); sets APT and ST.  Updates the index once per run.
apt_done=
apt_setup() {
    for t in apt-get apt-cache dpkg-deb sha256sum; do
        command -v $t >/dev/null 2>&1 || die "needs $t (Debian's apt and dpkg)"
    done
    KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -r "$KEYRING" ] || die "needs $KEYRING (package debian-archive-keyring)"
    ST=$CACHE/rove-apt/$1-$2
    APT="-q -o APT::Architecture=$2 -o APT::Architectures=$2
         -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$ST/sources
         -o Dir::State::Lists=$ST/lists -o Dir::Cache=$ST/cache
         -o Dir::State::status=$ST/status -o Acquire::Languages=none
         -o Acquire::Retries=2 -o APT::Sandbox::User=root"
    case " $apt_done " in *" $1-$2 "*) return 0 ;; esac
    mkdir -p "$ST/lists/partial" "$ST/cache/archives/partial" "$ST/sources" "$ST/debs"
    : > "$ST/status"
    cat > "$ST/sources/$1.sources" <<EOF
Types: deb
URIs: ${DEBIAN_MIRROR:-http://deb.debian.org/debian}
Suites: $1
Components: main
Signed-By: $KEYRING
EOF
    log "apt-get update (Debian $1, $2)"
    # apt-get update exits 0 when it cannot reach the mirror: look for a
    # fresh package list instead.
    rm -f "$ST/lists/"*_Packages*
    # shellcheck disable=SC2086
    apt-get $APT update > "$ST/update.log" 2>&1 || true
    if ! ls "$ST/lists/"*"_binary-$2_Packages"* >/dev/null 2>&1; then
        sed 's/^/    /' "$ST/update.log" >&2
        die "apt-get update got no $1 $2 package list (is ${DEBIAN_MIRROR:-http://deb.debian.org/debian} reachable?)"
    fi
    apt_done="$apt_done $1-$2"
}

# find_deb PACKAGE SHA256 DIR...: sets DEB to a PACKAGE_*.deb in one of the
# directories whose checksum is SHA256 (apt names files with the epoch as
# %3a, the index without it).  (sh has no local variables: the names used
# here start with fd_.)
find_deb() {
    fd_pkg=$1 fd_sum=$2
    shift 2
    for fd_dir; do
        for fd_deb in "$fd_dir/${fd_pkg}_"*.deb; do
            if [ -s "$fd_deb" ] && echo "$fd_sum  $fd_deb" | sha256sum -c --status 2>/dev/null; then
                DEB=$fd_deb
                return 0
            fi
        done
    done
    return 1
}

# fetch_deb PACKAGE: sets DEB to a verified .deb of its candidate version
fetch_deb() {
    # shellcheck disable=SC2086
    sha=$(apt-cache $APT show --no-all-versions "$1" 2>/dev/null | sed -n 's/^SHA256: //p' | head -n 1)
    [ -n "$sha" ] || die "no package $1 (or no SHA256 for it) in the index"
    ! find_deb "$1" "$sha" "$ST/debs" "$CACHE/debs" "$CACHE"/*/debs || return 0
    log "downloading $1"
    rm -f "$ST/debs/${1}_"*.deb
    # shellcheck disable=SC2086
    if ! (cd "$ST/debs" && apt-get $APT download "$1" > "$ST/download.log" 2>&1); then
        sed 's/^/    /' "$ST/download.log" >&2
        die "download of $1 failed"
    fi
    find_deb "$1" "$sha" "$ST/debs" || die "the downloaded $1 does not match the index's SHA256"
}

# unpack_deb: unpack DEB into a fresh $X
unpack_deb() {
    X=$ST/unpack
    rm -rf "$X" && mkdir -p "$X"
    dpkg-deb -x "$DEB" "$X" || die "cannot unpack $DEB"
}

# drop_deb: delete DEB if this script downloaded it (big kernel packages
# are not kept once their file is in the cache)
drop_deb() {
    case $DEB in "$ST/debs/"*) rm -f "$DEB" ;; esac
}

# install_file SRC DEST: copy atomically (readable, executable)
install_file() {
    cp "$1" "$2.tmp.$$" && chmod 755 "$2.tmp.$$" && mv "$2.tmp.$$" "$2" || die "cannot write $2"
}

# from_package FILE PACKAGE PATH-IN-PACKAGE (Debian 13, riscv64)
from_package() {
    [ ! -s "$OUT/$1" ] || return 0
    apt_setup trixie riscv64
    fetch_deb "$2"
    unpack_deb
    [ -s "$X/$3" ] || die "$DEB has no /$3"
    install_file "$X/$3" "$OUT/$1"
    rm -rf "$X"
    log "$1: $(basename "$DEB")"
}

# is_image FILE: a RISC-V Linux Image ("RSC\x05" at offset 56)
is_image() {
    [ "$(dd if="$1" bs=1 skip=56 count=3 2>/dev/null)" = RSC ]
}

linux_debian() {
    ld_out=$OUT/linux-debian.Image
    ldm_out=$OUT/linux-debian-modules
    [ ! -s "$ld_out" ] || [ ! -s "$ldm_out.version" ] || return 0
    apt_setup trixie riscv64
    # shellcheck disable=SC2086
    pkg=$(apt-cache $APT depends linux-image-riscv64 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
    [ -n "$pkg" ] || die "cannot resolve linux-image-riscv64 to a versioned kernel package"
    fetch_deb "$pkg"
    unpack_deb
    k=$(ls "$X"/boot/vmlinux-* "$X"/boot/vmlinuz-* 2>/dev/null | head -n 1)
    [ -n "$k" ] || die "$DEB has no /boot/vmlinux-* or vmlinuz-*"
    if [ "$(od -An -tx1 -N2 "$k" | tr -d ' ')" = 1f8b ]; then
        gzip -dc < "$k" > "$X/Image" || die "cannot gunzip $k"
        k=$X/Image
    fi
    is_image "$k" || die "$(basename "$k") from $pkg is not a RISC-V Linux Image"
    # The virtio and ext4 modules, for initramfs-debian.
    rm -rf "$ldm_out"
    python3 "$here/debian-modules.py" "$X" "$ldm_out" > "$ldm_out.version.tmp.$$" ||
        die "cannot take the virtio modules out of $pkg"
    mv "$ldm_out.version.tmp.$$" "$ldm_out.version" || die "cannot write $ldm_out.version"
    install_file "$k" "$ld_out"
    rm -rf "$X"
    drop_deb
    log "linux-debian: $(basename "$DEB")"
}

linux_source() {
    ls_out=$CACHE/linux-source-6.1.tar.xz
    [ ! -s "$ls_out" ] || return 0
    apt_setup bookworm amd64
    fetch_deb linux-source-6.1
    unpack_deb
    t=$(ls "$X"/usr/src/linux-source-6.1.tar.xz 2>/dev/null) || die "$DEB has no /usr/src/linux-source-6.1.tar.xz"
    cp "$t" "$ls_out.tmp.$$" && mv "$ls_out.tmp.$$" "$ls_out" || die "cannot write $ls_out"
    rm -rf "$X"
    drop_deb
    log "linux-source: $(basename "$DEB")"
}

# prints the path of a Linux 6.1 Image
linux_61() {
    d=${ROVE_SHARED_IMAGES-$here/../../shared/images}
    if [ -n "$d" ] && [ -s "$d/riscv64/Image" ]; then
        echo "$(cd "$d/riscv64" && pwd)/Image"
        return 0
    fi
    l61_out=$CACHE/linux-6.1-riscv64/Image
    if [ ! -s "$l61_out" ]; then
        [ "${ROVE_NO_BUILD:-0}" != 1 ] || die "no Linux 6.1 Image (no shared one, none built; ROVE_NO_BUILD=1)"
        log "building Linux 6.1 (4-12 minutes on 2 cores): scripts/build-linux-riscv64.sh"
        "$here/build-linux-riscv64.sh" "$CACHE/linux-6.1-riscv64" >&2 || die "the Linux 6.1 build failed"
    fi
    echo "$l61_out"
}

# pack_initramfs OUT [DIR [FILE...]]: our initramfs (plus DIR's contents)
# into OUT, remade when its inputs (the FILEs too) change
pack_initramfs() {
    pi_out=$1
    pi_add=${2:-}
    shift
    [ $# -eq 0 ] || shift
    from_package busybox busybox-static usr/bin/busybox
    stamp=$(cat "$here/initramfs/init" "$here/initramfs/udhcpc.script" "$here/make-initramfs.sh" \
                "$OUT/busybox" "$@" | sha256sum | cut -c1-64)
    if [ ! -s "$pi_out" ] || [ "$(cat "$pi_out.stamp" 2>/dev/null)" != "$stamp" ]; then
        "$here/make-initramfs.sh" ${pi_add:+-a "$pi_add"} "$OUT/busybox" "$pi_out.tmp.$$" || exit 1
        mv "$pi_out.tmp.$$" "$pi_out" && echo "$stamp" > "$pi_out.stamp" || die "cannot write $pi_out"
        log "$(basename "$pi_out"): made from $OUT/busybox${pi_add:+ and $pi_add}"
    fi
}

initramfs() {
    pack_initramfs "$OUT/initramfs.cpio.gz"
}

# initramfs-debian: initramfs plus the virtio and ext4 modules of Debian's
# kernel (linux-debian), which its /init loads when that kernel runs.
initramfs_debian() {
    linux_debian
    pack_initramfs "$OUT/initramfs-debian.cpio.gz" "$ldm_out" "$ldm_out.version" \
        "$ldm_out"/lib/modules/*/load-order
}

for img; do
    case $img in
    busybox) from_package busybox busybox-static usr/bin/busybox; echo "$OUT/busybox" ;;
    opensbi) from_package fw_dynamic.bin opensbi usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
             echo "$OUT/fw_dynamic.bin" ;;
    u-boot) from_package u-boot.bin u-boot-qemu usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
            echo "$OUT/u-boot.bin" ;;
    linux-debian) linux_debian; echo "$OUT/linux-debian.Image" ;;
    linux) linux_61 ;;
    initramfs) initramfs; echo "$OUT/initramfs.cpio.gz" ;;
    initramfs-debian) initramfs_debian; echo "$OUT/initramfs-debian.cpio.gz" ;;
    linux-source) linux_source; echo "$CACHE/linux-source-6.1.tar.xz" ;;
    esac
done
