/*
 * Booting a RISC-V machine the way QEMU's boards do, so that firmware runs
 * unchanged (hw/riscv/boot.c, docs/virt.md):
 *
 * - the firmware (-bios; OpenSBI fw_dynamic.bin by default) at the start
 *   of RAM, an ELF at its own addresses;
 * - the kernel (-kernel: ELF, Linux Image or raw) at the first 2 MiB
 *   boundary after the firmware (the start of RAM with -bios none);
 * - the initrd (-initrd) min(RAM / 2, 128 MiB) past the kernel's start,
 *   and at least past its end;
 * - the device tree, with /chosen's bootargs and initrd range set, in the
 *   last 2 MiB-aligned space that holds it below min(end of RAM, 3 GiB);
 * - a reset ROM every hart starts in: a0 = mhartid, a1 = the device tree,
 *   a2 = a struct fw_dynamic_info (OpenSBI's FW_DYNAMIC protocol), then a
 *   jump to the firmware (or the kernel with -bios none).
 *
 * Files are read once (and kept: a reset writes them again); every size
 * and place is checked, and failures are one-line GErrors naming the
 * option and file ("-kernel foo: cannot open: No such file or directory").
 */
#ifndef HW_RISCV_BOOT_H
#define HW_RISCV_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "rove/memory.h"

/* Where -bios default looks, in order, after $ROVE_OPENSBI. */
#define RISCV_BOOT_OPENSBI_PATHS \
    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin", \
    "/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"

#define RISCV_BOOT_KERNEL_ALIGN (UINT64_C(2) << 20)
#define RISCV_BOOT_FDT_ALIGN (UINT64_C(2) << 20)
#define RISCV_BOOT_FDT_LIMIT (UINT64_C(3) << 30)   /* the tree stays below 3 GiB */
#define RISCV_BOOT_INITRD_MAX_OFFSET (UINT64_C(128) << 20)

/* ---- OpenSBI's FW_DYNAMIC hand-over (include/sbi/fw_dynamic.h there) ---- */

#define FW_DYNAMIC_INFO_MAGIC 0x4942534fu   /* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2
#define FW_DYNAMIC_NEXT_MODE_S 1

/* Six XLEN (here 64-bit) little-endian words in guest memory. */
typedef struct FwDynamicInfo {
    uint64_t magic;
    uint64_t version;
    uint64_t next_addr;   /* where the firmware jumps (the kernel) */
    uint64_t next_mode;   /* privilege mode it jumps in */
    uint64_t options;
    uint64_t boot_hart;   /* 0, as QEMU; ~0 would mean "lottery" */
} FwDynamicInfo;

/* Layout of the reset ROM (offsets from its base). */
enum {
    RESET_ROM_CODE = 0x00,       /* six instructions */
    RESET_ROM_START_ADDR = 0x20, /* u64: where the ROM jumps */
    RESET_ROM_FDT_ADDR = 0x28,   /* u64: a1 */
    RESET_ROM_DINFO = 0x30,      /* FwDynamicInfo: a2 points here */
    RESET_ROM_SIZE = 0x60,
};

/*
 * Writes the reset program and its data into buf (at least RESET_ROM_SIZE
 * bytes; the rest of buf is left alone).  The code is position-independent
 * (it finds its data with auipc), so the ROM may live anywhere.  Returns
 * the bytes used, 0 if cap is too small.
 */
size_t riscv_boot_rom_build(uint8_t *buf, size_t cap, uint64_t start_addr, uint64_t fdt_addr,
                            const FwDynamicInfo *info);

/* ---- Placement (pure functions, tested in tests/unit/test-virt.c) ---- */

/* The kernel's address: RAM start with no firmware, else fw_end rounded up to 2 MiB. */
uint64_t riscv_boot_kernel_base(uint64_t ram_base, bool has_fw, uint64_t fw_end);
/*
 * The initrd's address: kernel_base + min(ram_size / 2, 128 MiB), or past
 * kernel_end if that is higher, page-aligned.  False if it would not lie
 * inside RAM.
 */
bool riscv_boot_initrd_place(uint64_t ram_base, uint64_t ram_size, uint64_t kernel_base,
                             uint64_t kernel_end, uint64_t size, uint64_t *addr);
/* The device tree's address (see the top); false if RAM cannot hold it. */
bool riscv_boot_fdt_place(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size,
                          uint64_t *addr);

/*
 * A copy of the blob with /chosen (made if missing) holding bootargs (if
 * not NULL) and linux,initrd-start/-end (if has_initrd; one cell when the
 * value fits, as QEMU writes them, else two).  NULL and *errp on error.
 */
void *riscv_fdt_update_chosen(const void *fdt, size_t size, const char *bootargs,
                              bool has_initrd, uint64_t initrd_start, uint64_t initrd_end,
                              size_t *out_size, GError **errp);

/* ---- The boot of one machine ---- */

typedef struct RiscvBootImage {
    const char *opt;          /* "-bios", "-kernel", "-initrd": for messages */
    char *path;               /* NULL: absent */
    uint8_t *data;
    size_t size;
} RiscvBootImage;

typedef enum RiscvImageFormat {
    RISCV_IMAGE_RAW,
    RISCV_IMAGE_ELF,
    RISCV_IMAGE_LINUX,        /* RISC-V Linux Image header */
} RiscvImageFormat;

RiscvImageFormat riscv_boot_image_format(const uint8_t *data, size_t size);

/* Where everything went (valid after riscv_boot_setup). */
typedef struct RiscvBootLayout {
    bool has_fw;
    uint64_t fw_low, fw_end;          /* [low, end) */
    bool has_kernel;
    uint64_t kernel_low, kernel_end, kernel_entry;
    bool has_initrd;
    uint64_t initrd_start, initrd_end;
    uint64_t fdt_addr;
    uint64_t start_addr;              /* where the reset ROM jumps */
    FwDynamicInfo dinfo;
} RiscvBootLayout;

typedef struct RiscvBootConfig {
    uint64_t ram_base, ram_size;
    uint64_t rom_base, rom_size;
    const char *bios;     /* NULL or "default": OpenSBI; "none": no firmware; else a file */
    const char *kernel;   /* may be NULL */
    const char *initrd;   /* may be NULL */
    const char *append;   /* may be NULL */
} RiscvBootConfig;

typedef struct RiscvBoot {
    RiscvBootConfig cfg;
    char *append;
    RiscvBootImage fw, kernel, initrd;
    void *fdt;                        /* the final blob, as written to RAM */
    size_t fdt_size;
    RiscvBootLayout layout;
} RiscvBoot;

/*
 * Reads the files (-bios default resolved to a path), checks formats.
 * Nothing is written yet.
 */
bool riscv_boot_init(RiscvBoot *b, const RiscvBootConfig *cfg, GError **errp);
/*
 * Places and writes everything: firmware, kernel, initrd, the device tree
 * (fdt, taken over: /chosen gets bootargs and the initrd range), the reset
 * ROM.  Overlaps and anything outside RAM are errors.
 */
bool riscv_boot_setup(RiscvBoot *b, AddressSpace *as, void *fdt, size_t fdt_size,
                      GError **errp);
/* Writes it all again at the same places (machine reset). */
bool riscv_boot_reload(RiscvBoot *b, AddressSpace *as, GError **errp);
void riscv_boot_free(RiscvBoot *b);

/* The path -bios default resolves to, or NULL if none exists. */
const char *riscv_boot_default_firmware(void);

#endif /* HW_RISCV_BOOT_H */
