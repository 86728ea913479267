#!/bin/sh
# Install dependencies, build Rove, fetch the default riscv64 guest and boot
# it on the `virt` machine to an interactive shell on this terminal:
# OpenSBI -> Debian 13's stock Linux kernel -> our busybox initramfs.
# Ctrl-A x quits (or `poweroff -f` in the guest).
#
# Extra arguments go to rove-system-riscv64 (e.g. -smp 4).  The images come
# from Debian's archive through scripts/fetch-images.sh and are cached under
# ~/.cache/emu-images (see docs/testing.md); ROVE_KERNEL=linux boots the
# Linux 6.1 kernel of ../shared/images (built when it is not there) instead.
set -e
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -d build/meson-private ] || ./configure build
ninja -C build
kernel=$(scripts/fetch-images.sh "${ROVE_KERNEL:-linux-debian}")
if [ "${ROVE_KERNEL:-linux-debian}" = linux-debian ]; then
    initrd=$(scripts/fetch-images.sh initramfs-debian) # with its virtio modules
else
    initrd=$(scripts/fetch-images.sh initramfs)
fi
bios=$(scripts/fetch-images.sh opensbi)
echo "== booting riscv64 Linux under Rove (Ctrl-A x quits) =="
exec build/rove-system-riscv64 -M virt -m 1G -smp 2 -nographic \
    -bios "$bios" -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0" "$@"
