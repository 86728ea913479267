#!/bin/sh
# Build the small Linux 6.1 riscv64 kernel the system tests boot when no
# prebuilt one is shared (scripts/fetch-images.sh linux calls this).
#
# Usage: scripts/build-linux-riscv64.sh OUTDIR
#   Writes OUTDIR/Image (uncompressed, with the RISC-V boot header) and
#   OUTDIR/linux.config; builds in OUTDIR/work (kept: a rerun is
#   incremental).  JOBS (default 2) parallel jobs.
#
# Recipe: Debian 12's linux-source-6.1 (fetched by fetch-images.sh),
# riscv64-linux-gnu-gcc, `make tinyconfig`, then the options below, then
# `make olddefconfig`: RV64GC, MMU, SMP (8 CPUs), the virt platform (PLIC,
# SBI timer), tickless idle with high-resolution timers, SLUB, SBI v0.1
# console and earlycon, the 8250 UART from the device tree, virtio-mmio
# block/net/console/rng, ext4 (also for ext2), devtmpfs, gzip initramfs,
# proc/sys/tmpfs, goldfish RTC, syscon poweroff/reboot, printk times,
# kallsyms, EFI stub; no PCI, modules, IPv6, VT, input or wireless.
# 4 to 12 minutes on 2 cores.  Errors: one line on stderr, status 1.
set -eu
me=build-linux-riscv64.sh
die() { echo "$me: error: $*" >&2; exit 1; }
log() { echo "$me: $*" >&2; }
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || die "usage: $me OUTDIR"
for t in make riscv64-linux-gnu-gcc flex bison bc tar xz perl; do
    command -v $t >/dev/null 2>&1 || die "needs $t (apt-get install make gcc-riscv64-linux-gnu flex bison bc xz-utils perl)"
done
mkdir -p "$1" || die "cannot create $1"
out=$(cd "$1" && pwd)
src=$out/work/linux

tarball=$("$here/fetch-images.sh" linux-source) || exit 1
if [ ! -f "$src/Makefile" ]; then
    log "unpacking $(basename "$tarball")"
    rm -rf "$out/work" && mkdir -p "$out/work"
    tar -C "$out/work" -xJf "$tarball" || die "cannot unpack $tarball"
    mv "$out/work/linux-source-6.1" "$src" || die "unexpected layout in $tarball"
fi

# Options on top of tinyconfig; every "=y" line must survive olddefconfig.
cat > "$out/work/rove.config" <<'EOF'
CONFIG_ARCH_RV64I=y
CONFIG_CMODEL_MEDANY=y
CONFIG_RISCV_ISA_C=y
CONFIG_FPU=y
CONFIG_MMU=y
CONFIG_SMP=y
CONFIG_NR_CPUS=8
CONFIG_SOC_VIRT=y
CONFIG_SIFIVE_PLIC=y
CONFIG_RISCV_SBI_V01=y
CONFIG_HVC_RISCV_SBI=y
CONFIG_SERIAL_EARLYCON_RISCV_SBI=y
CONFIG_PRINTK=y
CONFIG_PRINTK_TIME=y
CONFIG_BUG=y
CONFIG_SLUB=y
CONFIG_HIGH_RES_TIMERS=y
CONFIG_NO_HZ_IDLE=y
CONFIG_AIO=y
CONFIG_KALLSYMS=y
CONFIG_TTY=y
CONFIG_UNIX98_PTYS=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SERIAL_OF_PLATFORM=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_BINFMT_ELF=y
CONFIG_BINFMT_SCRIPT=y
CONFIG_MULTIUSER=y
CONFIG_FUTEX=y
CONFIG_EPOLL=y
CONFIG_SIGNALFD=y
CONFIG_TIMERFD=y
CONFIG_EVENTFD=y
CONFIG_POSIX_TIMERS=y
CONFIG_FILE_LOCKING=y
CONFIG_SHMEM=y
CONFIG_TMPFS=y
CONFIG_PROC_FS=y
CONFIG_SYSFS=y
CONFIG_DEVTMPFS=y
CONFIG_DEVTMPFS_MOUNT=y
CONFIG_BLOCK=y
CONFIG_EXT4_FS=y
CONFIG_EXT4_USE_FOR_EXT2=y
CONFIG_NET=y
CONFIG_INET=y
CONFIG_UNIX=y
CONFIG_PACKET=y
CONFIG_NETDEVICES=y
CONFIG_NET_CORE=y
CONFIG_VIRTIO_MENU=y
CONFIG_VIRTIO_MMIO=y
CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_CONSOLE=y
CONFIG_HW_RANDOM=y
CONFIG_HW_RANDOM_VIRTIO=y
CONFIG_RTC_CLASS=y
CONFIG_RTC_DRV_GOLDFISH=y
CONFIG_POWER_RESET=y
CONFIG_POWER_RESET_SYSCON=y
CONFIG_POWER_RESET_SYSCON_POWEROFF=y
CONFIG_EFI=y
# CONFIG_PCI is not set
# CONFIG_MODULES is not set
# CONFIG_IPV6 is not set
# CONFIG_VT is not set
# CONFIG_INPUT is not set
# CONFIG_LEGACY_PTYS is not set
# CONFIG_WIRELESS is not set
# CONFIG_WLAN is not set
EOF

export ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-
export KBUILD_BUILD_USER=rove KBUILD_BUILD_HOST=rove KBUILD_BUILD_TIMESTAMP="2024-01-01 00:00:00 UTC"
cd "$src"
log "configuring (tinyconfig + $out/work/rove.config)"
make -s tinyconfig > "$out/work/config.log" 2>&1 || die "make tinyconfig failed (see $out/work/config.log)"
scripts/kconfig/merge_config.sh -m .config "$out/work/rove.config" >> "$out/work/config.log" 2>&1 ||
    die "merge_config.sh failed (see $out/work/config.log)"
make -s olddefconfig >> "$out/work/config.log" 2>&1 || die "make olddefconfig failed (see $out/work/config.log)"
missing=$(grep '=y$' "$out/work/rove.config" | while read -r l; do grep -qx "$l" .config || echo "${l%=y}"; done)
[ -z "$missing" ] || die "options that did not stick:" $missing
grep -qx 'CONFIG_NR_CPUS=8' .config || die "CONFIG_NR_CPUS is not 8"

log "building the Image with ${JOBS:-2} jobs (log: $out/work/build.log)"
make -j"${JOBS:-2}" Image > "$out/work/build.log" 2>&1 || die "the kernel build failed (see $out/work/build.log)"
cp arch/riscv/boot/Image "$out/Image.tmp" && mv "$out/Image.tmp" "$out/Image" || die "cannot write $out/Image"
cp .config "$out/linux.config" || die "cannot write $out/linux.config"
log "done: $out/Image"
