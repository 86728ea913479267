/*
 * The RISC-V `virt` machine (hw/riscv/virt.c): QEMU's memory map, so that
 * unmodified OpenSBI, U-Boot and Linux run on it.  Every address and irq
 * number of the machine is defined once, here; the device tree
 * (virt-fdt.c) and the wiring (virt.c) both read them.  See docs/virt.md.
 */
#ifndef HW_RISCV_VIRT_H
#define HW_RISCV_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "hw/misc/sifive-test.h"
#include "hw/riscv/boot.h"
#include "hw/rtc/goldfish-rtc.h"
#include "rove/chardev.h"
#include "rove/clock.h"
#include "rove/exec.h"
#include "rove/memory.h"
#include "rove/qdev.h"

/* ---- Memory map ---- */

typedef enum VirtRegion {
    VIRT_MROM,     /* reset ROM: the program every hart starts in */
    VIRT_TEST,     /* sifive-test finisher (poweroff / reboot) */
    VIRT_RTC,      /* goldfish RTC */
    VIRT_CLINT,    /* ACLINT MSWI + MTIMER, SiFive CLINT layout */
    VIRT_PLIC,
    VIRT_UART0,    /* ns16550a */
    VIRT_VIRTIO,   /* VIRT_VIRTIO_COUNT virtio-mmio slots of VIRT_VIRTIO_SLOT bytes */
    VIRT_DRAM,     /* size: the -m value, not this table's */
    VIRT_REGION_COUNT,
} VirtRegion;

typedef struct VirtMemMapEntry {
    uint64_t base;
    uint64_t size;
} VirtMemMapEntry;

extern const VirtMemMapEntry virt_memmap[VIRT_REGION_COUNT];

#define VIRT_VIRTIO_COUNT 8
#define VIRT_VIRTIO_SLOT  0x1000

/* PLIC inputs. */
enum {
    VIRT_VIRTIO_IRQ = 1,   /* slot i: VIRT_VIRTIO_IRQ + i (1..8) */
    VIRT_UART0_IRQ = 10,
    VIRT_RTC_IRQ = 11,
};

/* The PLIC's "riscv,ndev": sources 1..96 (QEMU's count); 0 is reserved. */
#define VIRT_PLIC_NDEV 96
#define VIRT_PLIC_PRIORITIES 7

#define VIRT_TIMEBASE_FREQ 10000000   /* mtime and `time`: 10 MHz */
#define VIRT_UART0_CLOCK 3686400
#define VIRT_MAX_CPUS 8
#define VIRT_DEFAULT_RAM_SIZE (UINT64_C(128) << 20)
#define VIRT_MIN_RAM_SIZE (UINT64_C(2) << 20)
#define VIRT_MAX_RAM_SIZE (UINT64_C(1) << 40)

/* ---- The machine ---- */

typedef struct VirtMachineOptions {
    uint64_t ram_size;        /* bytes; 0: VIRT_DEFAULT_RAM_SIZE */
    int smp;                  /* harts, 1..VIRT_MAX_CPUS; 0: 1 */
    CharBackend *serial;      /* the UART's host side; NULL: output dropped */
    /* Boot images (hw/riscv/boot.h): bios path, NULL for none. */
    const char *bios;
    const char *kernel;
    const char *initrd;
    const char *append;
    const char *dtb;          /* use this blob instead of generating one */
    /*
     * -device specs ("TYPE[,PROP=VALUE...]"), in command-line order: each
     * is a virtio back end, put on the free virtio-mmio slot with the
     * highest address (QEMU's order, so guest device names match).
     */
    const char *const *devices;
    size_t ndevices;
    /* -chardev id -> CharBackend *, for -device ...,chardev=ID; may be NULL. */
    GHashTable *chardevs;
} VirtMachineOptions;

typedef struct VirtMachine {
    int ncpus;
    uint64_t ram_size;
    CpuState *cpus[VIRT_MAX_CPUS];

    DeviceRegistry *registry;
    MemoryRegion sysmem;      /* root of the physical address space */
    MemoryRegion ram;
    MemoryRegion mrom;
    AddressSpace as;
    Clock *clock;             /* virtual clock: mtime, RTC, the harts' `time` */

    Device *test;
    Device *rtc;
    Device *aclint;
    Device *plic;
    Device *uart;
    Device *virtio[VIRT_VIRTIO_COUNT];          /* virtio-mmio transport of slot i */
    Device *virtio_backend[VIRT_VIRTIO_COUNT];  /* what is plugged into it, or NULL */
    CharBackend *serial;      /* the UART's host side (not owned) */
    SifiveTestHandlers test_handlers;
    GoldfishRtcClock rtc_clock;
    Timer rtc_timer;

    RiscvBoot boot;           /* images, placement, the final device tree */
} VirtMachine;

/*
 * Builds the machine: regions, devices, harts (riscv_hart_new), wiring,
 * the device tree, and the boot images loaded into memory.  NULL with a
 * one-line error (naming the option, e.g. "-kernel foo: cannot open: ...")
 * on failure.  The clock is created stopped (the vCPU runner starts it).
 */
VirtMachine *virt_machine_new(const VirtMachineOptions *opts, GError **errp);

/*
 * System reset: every device's reset, the boot images, reset ROM and
 * device tree written again, each hart reset.  Caller holds the big lock
 * and has stopped the vCPUs.
 */
void virt_machine_reset(VirtMachine *vm);

/* "-device help": the devices -device accepts, one per line. */
void virt_device_help(GString *out);
/* "-device TYPE,help": TYPE's properties; false if there is no such -device type. */
bool virt_device_type_help(const char *type, GString *out);

/* Frees what virt_machine_new made, except the harts (hart.h has no free). */
void virt_machine_free(VirtMachine *vm);
/* Stops and frees the virtio devices (their I/O threads finish the request
 * they run); before closing the drives at exit, with the vCPUs stopped. */
void virt_machine_free_virtio(VirtMachine *vm);

/*
 * The machine's generated device tree, before boot.c adds /chosen's
 * bootargs and initrd range.  Exposed for tests.  NULL and *errp on error.
 */
void *virt_fdt_build(const VirtMachine *vm, size_t *size, GError **errp);

/* The riscv,isa string of the harts (the DT says what the harts offer). */
#define VIRT_ISA_STRING "rv64imafdc_zicsr_zifencei_zihintpause"
#define VIRT_HART_SSTC true

#endif /* HW_RISCV_VIRT_H */
