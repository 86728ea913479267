#!/bin/sh
# Install what building and testing Rove needs on Debian 12 (bookworm).
# Runs apt-get through sudo when not root.  Safe to run again.
set -e
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
PKGS="build-essential meson ninja-build pkg-config python3 libglib2.0-dev libcapstone-dev libfdt-dev libslirp-dev
      gcc-riscv64-linux-gnu libc6-dev-riscv64-cross binutils-riscv64-linux-gnu qemu-user
       opensbi device-tree-compiler qemu-system-misc cpio u-boot-qemu qemu-utils e2fsprogs"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "Installing:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
