/*
 * Booting a RISC-V machine: firmware, kernel, initrd and device tree into
 * RAM, and the reset ROM that hands them to the firmware.  The rules are
 * in boot.h and docs/virt.md; they follow QEMU's observable behaviour
 * (where things land, what the harts see in a0-a2) so that OpenSBI's
 * fw_dynamic, U-Boot and Linux need nothing special.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "hw/riscv/boot.h"
#include "rove/fdt.h"
#include "rove/loader.h"

/* ---- The reset ROM ---- */

/* RISC-V base encodings, enough for the reset program. */
enum {
    RV_OP_LOAD = 0x03,
    RV_OP_IMM = 0x13,
    RV_OP_AUIPC = 0x17,
    RV_OP_JALR = 0x67,
    RV_OP_SYSTEM = 0x73,
    RV_F3_LD = 3,
    RV_F3_ADDI = 0,
    RV_F3_CSRRS = 2,
    RV_REG_ZERO = 0,
    RV_REG_T0 = 5,
    RV_REG_A0 = 10,
    RV_REG_A1 = 11,
    RV_REG_A2 = 12,
    RV_CSR_MHARTID = 0xf14,
};

static uint32_t rv_itype(unsigned opcode, unsigned rd, unsigned funct3, unsigned rs1,
                         uint32_t imm12)
{
    return (imm12 & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static uint32_t rv_utype(unsigned opcode, unsigned rd, uint32_t imm20)
{
    return (imm20 & 0xfffff) << 12 | rd << 7 | opcode;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

size_t riscv_boot_rom_build(uint8_t *buf, size_t cap, uint64_t start_addr, uint64_t fdt_addr,
                            const FwDynamicInfo *info)
{
    if (cap < RESET_ROM_SIZE) {
        return 0;
    }
    /*
     * t0 = the ROM's own address; the data follows the code, so nothing
     * here depends on where the ROM is mapped.
     */
    const uint32_t code[] = {
        rv_utype(RV_OP_AUIPC, RV_REG_T0, 0),                                 /* auipc t0, 0 */
        rv_itype(RV_OP_SYSTEM, RV_REG_A0, RV_F3_CSRRS, RV_REG_ZERO,
                 RV_CSR_MHARTID),                                            /* csrr a0, mhartid */
        rv_itype(RV_OP_LOAD, RV_REG_A1, RV_F3_LD, RV_REG_T0, RESET_ROM_FDT_ADDR), /* ld a1 */
        rv_itype(RV_OP_IMM, RV_REG_A2, RV_F3_ADDI, RV_REG_T0, RESET_ROM_DINFO), /* addi a2 */
        rv_itype(RV_OP_LOAD, RV_REG_T0, RV_F3_LD, RV_REG_T0,
                 RESET_ROM_START_ADDR),                                      /* ld t0 */
        rv_itype(RV_OP_JALR, RV_REG_ZERO, 0, RV_REG_T0, 0),                  /* jr t0 */
    };
    _Static_assert(sizeof(code) <= RESET_ROM_START_ADDR - RESET_ROM_CODE, "reset code too long");
    memset(buf, 0, RESET_ROM_SIZE);
    for (size_t i = 0; i < G_N_ELEMENTS(code); i++) {
        put_le32(buf + RESET_ROM_CODE + 4 * i, code[i]);
    }
    put_le64(buf + RESET_ROM_START_ADDR, start_addr);
    put_le64(buf + RESET_ROM_FDT_ADDR, fdt_addr);
    const uint64_t words[6] = {
        info->magic, info->version, info->next_addr, info->next_mode, info->options,
        info->boot_hart,
    };
    _Static_assert(RESET_ROM_DINFO + sizeof(words) == RESET_ROM_SIZE, "ROM layout");
    for (int i = 0; i < 6; i++) {
        put_le64(buf + RESET_ROM_DINFO + 8 * i, words[i]);
    }
    return RESET_ROM_SIZE;
}

/* ---- Placement ---- */

static uint64_t align_down(uint64_t v, uint64_t a)
{
    return v & ~(a - 1);
}

/* v rounded up to a (a power of two); false if that wraps past 2^64. */
static bool align_up(uint64_t v, uint64_t a, uint64_t *out)
{
    if (v > UINT64_MAX - (a - 1)) {
        return false;
    }
    *out = (v + a - 1) & ~(a - 1);
    return true;
}

uint64_t riscv_boot_kernel_base(uint64_t ram_base, bool has_fw, uint64_t fw_end)
{
    uint64_t base;
    if (!has_fw || fw_end <= ram_base || !align_up(fw_end, RISCV_BOOT_KERNEL_ALIGN, &base)) {
        return ram_base;
    }
    return base;
}

bool riscv_boot_initrd_place(uint64_t ram_base, uint64_t ram_size, uint64_t kernel_base,
                             uint64_t kernel_end, uint64_t size, uint64_t *addr)
{
    /*
     * Far enough past the kernel for it to grow into (bss, early
     * allocations), yet low enough in small machines to leave room for
     * the initrd: QEMU's rule.
     */
    uint64_t off = MIN(ram_size / 2, RISCV_BOOT_INITRD_MAX_OFFSET);
    uint64_t start = kernel_base > UINT64_MAX - off ? UINT64_MAX : kernel_base + off;
    start = MAX(start, kernel_end);
    if (!align_up(start, 4096, &start) || start < ram_base) {
        return false;
    }
    uint64_t ram_end = ram_base + ram_size; /* callers' RAM does not wrap */
    if (start > ram_end || size > ram_end - start) {
        return false;
    }
    *addr = start;
    return true;
}

bool riscv_boot_fdt_place(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size,
                          uint64_t *addr)
{
    uint64_t ram_end = ram_base + ram_size;
    /* Below 3 GiB when RAM starts below it (32-bit firmware reaches it). */
    uint64_t top = ram_base < RISCV_BOOT_FDT_LIMIT ? MIN(ram_end, RISCV_BOOT_FDT_LIMIT) : ram_end;
    if (fdt_size == 0 || fdt_size > top - ram_base) {
        return false;
    }
    uint64_t at = align_down(top - fdt_size, RISCV_BOOT_FDT_ALIGN);
    if (at < ram_base) {
        return false;
    }
    *addr = at;
    return true;
}

/* ---- /chosen ---- */

static bool fdt_setprop_addr(void *fdt, int node, const char *name, uint64_t v)
{
    if (v <= UINT32_MAX) {
        return fdt_setprop_u32(fdt, node, name, (uint32_t)v) == 0;
    }
    return fdt_setprop_u64(fdt, node, name, v) == 0;
}

void *riscv_fdt_update_chosen(const void *fdt, size_t size, const char *bootargs,
                              bool has_initrd, uint64_t initrd_start, uint64_t initrd_end,
                              size_t *out_size, GError **errp)
{
    /* Room for the new node, three properties and their names. */
    size_t extra = 512 + (bootargs ? strlen(bootargs) + 1 : 0);
    if (size > DTB_MAX_SIZE || extra > DTB_MAX_SIZE - size) {
        g_set_error(errp, DTB_ERROR, 0, "device tree too large with /chosen (at most %u bytes)",
                    (unsigned)DTB_MAX_SIZE);
        return NULL;
    }
    size_t cap = size + extra;
    void *buf = g_malloc0(cap);
    int r = fdt_open_into(fdt, buf, (int)cap);
    int node = r;
    if (r == 0) {
        node = fdt_path_offset(buf, "/chosen");
        if (node == -FDT_ERR_NOTFOUND) {
            node = fdt_add_subnode(buf, 0, "chosen");
        }
    }
    if (node >= 0 && bootargs) {
        r = fdt_setprop_string(buf, node, "bootargs", bootargs);
    }
    if (node >= 0 && r == 0 && has_initrd) {
        if (!fdt_setprop_addr(buf, node, "linux,initrd-start", initrd_start) ||
            !fdt_setprop_addr(buf, node, "linux,initrd-end", initrd_end)) {
            r = -FDT_ERR_NOSPACE;
        }
    }
    if (node >= 0 && r == 0) {
        r = fdt_pack(buf);
    }
    if (node < 0 || r != 0) {
        g_set_error(errp, DTB_ERROR, 0, "cannot update /chosen in the device tree: %s",
                    fdt_strerror(node < 0 ? node : r));
        g_free(buf);
        return NULL;
    }
    *out_size = fdt_totalsize(buf);
    return buf;
}

/* ---- Images ---- */

RiscvImageFormat riscv_boot_image_format(const uint8_t *data, size_t size)
{
    if (size >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0) {
        return RISCV_IMAGE_ELF;
    }
    /* Either magic of the RISC-V Image header (boot-image-header.rst). */
    if (size >= 64 && (memcmp(data + 56, "RSC\x05", 4) == 0 ||
                       memcmp(data + 48, "RISCV\0\0\0", 8) == 0)) {
        return RISCV_IMAGE_LINUX;
    }
    return RISCV_IMAGE_RAW;
}

const char *riscv_boot_default_firmware(void)
{
    static const char *const paths[] = { RISCV_BOOT_OPENSBI_PATHS };
    const char *env = getenv("ROVE_OPENSBI");
    if (env && *env) {
        return env; /* taken as given: a bad path fails loudly when read */
    }
    for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
        if (access(paths[i], R_OK) == 0) {
            return paths[i];
        }
    }
    return NULL;
}

static bool image_read(RiscvBootImage *img, const char *opt, const char *path, GError **errp)
{
    img->opt = opt;
    img->path = g_strdup(path);
    img->data = loader_read_file(path, LOADER_MAX_FILE_SIZE, &img->size, errp);
    if (!img->data) {
        g_prefix_error(errp, "%s ", opt);
        return false;
    }
    if (img->size == 0) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT, "%s %s: empty file", opt, path);
        return false;
    }
    return true;
}

static void image_free(RiscvBootImage *img)
{
    g_free(img->path);
    g_free(img->data);
    memset(img, 0, sizeof(*img));
}

bool riscv_boot_init(RiscvBoot *b, const RiscvBootConfig *cfg, GError **errp)
{
    memset(b, 0, sizeof(*b));
    b->cfg = *cfg;
    b->cfg.bios = b->cfg.kernel = b->cfg.initrd = b->cfg.append = NULL; /* not kept */
    if (!cfg->kernel && (cfg->initrd || cfg->append)) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT, "%s only allowed with -kernel",
                    cfg->initrd ? "-initrd" : "-append");
        return false;
    }
    b->append = g_strdup(cfg->append);
    const char *bios = cfg->bios ? cfg->bios : "default";
    if (strcmp(bios, "default") == 0) {
        const char *fw = riscv_boot_default_firmware();
        if (!fw) {
            g_set_error(errp, LOADER_ERROR, LOADER_ERROR_IO,
                        "-bios default: no OpenSBI fw_dynamic.bin found (install Debian's "
                        "opensbi package, set ROVE_OPENSBI, or use -bios FILE or -bios none)");
            return false;
        }
        if (!image_read(&b->fw, "-bios", fw, errp)) {
            return false;
        }
    } else if (strcmp(bios, "none") != 0) {
        if (!image_read(&b->fw, "-bios", bios, errp)) {
            return false;
        }
    }
    if (cfg->kernel && !image_read(&b->kernel, "-kernel", cfg->kernel, errp)) {
        return false;
    }
    if (cfg->initrd && !image_read(&b->initrd, "-initrd", cfg->initrd, errp)) {
        return false;
    }
    return true;
}

void riscv_boot_free(RiscvBoot *b)
{
    image_free(&b->fw);
    image_free(&b->kernel);
    image_free(&b->initrd);
    g_free(b->append);
    g_free(b->fdt);
    memset(b, 0, sizeof(*b));
}

/* [lo, hi) ranges. */
static bool ranges_overlap(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
    return lo1 < hi2 && lo2 < hi1;
}

static bool check_clear(const char *what, uint64_t lo, uint64_t hi, const char *other,
                        uint64_t olo, uint64_t ohi, GError **errp)
{
    if (ranges_overlap(lo, hi, olo, ohi)) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps the %s [0x%" PRIx64
                    ", 0x%" PRIx64 ")", what, lo, hi, other, olo, ohi);
        return false;
    }
    return true;
}

static bool load_firmware(RiscvBoot *b, AddressSpace *as, RiscvBootLayout *l, GError **errp)
{
    RiscvBootImage *fw = &b->fw;
    if (!fw->data) {
        return true;
    }
    l->has_fw = true;
    if (riscv_boot_image_format(fw->data, fw->size) == RISCV_IMAGE_ELF) {
        LoaderElfInfo info;
        if (!loader_load_elf_buffer(as, fw->path, fw->data, fw->size, &info, errp)) {
            return false;
        }
        l->fw_low = info.low;
        l->fw_end = info.high;
        l->start_addr = info.entry;
    } else {
        if (!loader_load_raw_buffer(as, fw->path, fw->data, fw->size, b->cfg.ram_base, errp)) {
            return false;
        }
        l->fw_low = b->cfg.ram_base;
        l->fw_end = b->cfg.ram_base + fw->size; /* checked by the load */
        l->start_addr = b->cfg.ram_base;
    }
    return true;
}

static bool load_kernel(RiscvBoot *b, AddressSpace *as, RiscvBootLayout *l, GError **errp)
{
    RiscvBootImage *k = &b->kernel;
    uint64_t base = riscv_boot_kernel_base(b->cfg.ram_base, l->has_fw, l->fw_end);
    l->kernel_low = l->kernel_end = l->kernel_entry = base;
    if (!k->data) {
        return true;
    }
    l->has_kernel = true;
    switch (riscv_boot_image_format(k->data, k->size)) {
    case RISCV_IMAGE_ELF: {
        LoaderElfInfo info;
        if (!loader_load_elf_buffer(as, k->path, k->data, k->size, &info, errp)) {
            return false;
        }
        l->kernel_low = info.low;
        l->kernel_end = info.high;
        l->kernel_entry = info.entry;
        break;
    }
    case RISCV_IMAGE_LINUX: {
        /*
         * The loader puts an Image at ram_base + text_offset rounded up to
         * 2 MiB; asking for the base minus text_offset lands it exactly at
         * `at`, which honours both text_offset and the firmware's end.
         */
        uint64_t text_offset = 0;
        for (int i = 0; i < 8; i++) {
            text_offset |= (uint64_t)k->data[8 + i] << (8 * i);
        }
        uint64_t at;
        if (text_offset > UINT64_MAX - b->cfg.ram_base ||
            !align_up(b->cfg.ram_base + text_offset, RISCV_IMAGE_ALIGN, &at)) {
            g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                        "%s: text_offset 0x%" PRIx64 " is outside RAM", k->path, text_offset);
            return false;
        }
        at = MAX(at, base);
        LoaderImageInfo info;
        if (!loader_load_linux_image_buffer(as, k->path, k->data, k->size, at - text_offset,
                                            &info, errp)) {
            return false;
        }
        l->kernel_low = l->kernel_entry = info.load_addr;
        l->kernel_end = info.end;
        break;
    }
    case RISCV_IMAGE_RAW:
        if (!loader_load_raw_buffer(as, k->path, k->data, k->size, base, errp)) {
            return false;
        }
        l->kernel_end = base + k->size;
        break;
    }
    if (l->has_fw && !check_clear("kernel", l->kernel_low, l->kernel_end, "firmware",
                                  l->fw_low, l->fw_end, errp)) {
        g_prefix_error(errp, "%s: ", k->path);
        return false;
    }
    return true;
}

static bool load_initrd(RiscvBoot *b, AddressSpace *as, RiscvBootLayout *l, GError **errp)
{
    RiscvBootImage *rd = &b->initrd;
    if (!rd->data) {
        return true;
    }
    uint64_t at;
    if (!riscv_boot_initrd_place(b->cfg.ram_base, b->cfg.ram_size, l->kernel_low,
                                 l->kernel_end, rd->size, &at)) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s: %zu bytes do not fit in RAM after the kernel (use a larger -m)",
                    rd->path, rd->size);
        return false;
    }
    if (!loader_load_raw_buffer(as, rd->path, rd->data, rd->size, at, errp)) {
        return false;
    }
    l->has_initrd = true;
    l->initrd_start = at;
    l->initrd_end = at + rd->size;
    if (l->has_fw && !check_clear("initrd", l->initrd_start, l->initrd_end, "firmware",
                                  l->fw_low, l->fw_end, errp)) {
        g_prefix_error(errp, "%s: ", rd->path);
        return false;
    }
    return true;
}

/* The device tree after everything else, so that it can avoid them. */
static bool load_fdt(RiscvBoot *b, AddressSpace *as, RiscvBootLayout *l, void *fdt,
                     size_t fdt_size, GError **errp)
{
    size_t size;
    void *final = riscv_fdt_update_chosen(fdt, fdt_size, b->append, l->has_initrd,
                                          l->initrd_start, l->initrd_end, &size, errp);
    g_free(fdt);
    if (!final) {
        return false;
    }
    g_free(b->fdt);
    b->fdt = final;
    b->fdt_size = size;
    if (!riscv_boot_fdt_place(b->cfg.ram_base, b->cfg.ram_size, size, &l->fdt_addr)) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "no room in RAM for the %zu-byte device tree (use a larger -m)", size);
        return false;
    }
    uint64_t end = l->fdt_addr + size;
    if ((l->has_fw && !check_clear("device tree", l->fdt_addr, end, "firmware", l->fw_low,
                                   l->fw_end, errp)) ||
        (l->has_kernel && !check_clear("device tree", l->fdt_addr, end, "kernel",
                                       l->kernel_low, l->kernel_end, errp)) ||
        (l->has_initrd && !check_clear("device tree", l->fdt_addr, end, "initrd",
                                       l->initrd_start, l->initrd_end, errp))) {
        g_prefix_error(errp, "RAM too small (use a larger -m): ");
        return false;
    }
    return loader_load_raw_buffer(as, "device tree", final, size, l->fdt_addr, errp);
}

static bool load_rom(RiscvBoot *b, AddressSpace *as, RiscvBootLayout *l, GError **errp)
{
    l->dinfo = (FwDynamicInfo){
        .magic = FW_DYNAMIC_INFO_MAGIC,
        .version = FW_DYNAMIC_INFO_VERSION,
        /* No kernel: 0, as QEMU (the firmware has nowhere sensible to go). */
        .next_addr = l->has_kernel ? l->kernel_entry : 0,
        .next_mode = FW_DYNAMIC_NEXT_MODE_S,
        .options = 0,
        .boot_hart = 0,
    };
    if (!l->has_fw) {
        /* -bios none: straight into the kernel (in M mode), or RAM. */
        l->start_addr = l->has_kernel ? l->kernel_entry : b->cfg.ram_base;
    }
    uint8_t rom[RESET_ROM_SIZE];
    if (b->cfg.rom_size < sizeof(rom)) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE, "reset ROM too small");
        return false;
    }
    riscv_boot_rom_build(rom, sizeof(rom), l->start_addr, l->fdt_addr, &l->dinfo);
    return loader_load_raw_buffer(as, "reset ROM", rom, sizeof(rom), b->cfg.rom_base, errp);
}

bool riscv_boot_setup(RiscvBoot *b, AddressSpace *as, void *fdt, size_t fdt_size,
                      GError **errp)
{
    RiscvBootLayout l = { 0 };
    /* Errors of a step name the file; say which option it came from. */
    const RiscvBootImage *failed = NULL;
    if (!load_firmware(b, as, &l, errp)) {
        failed = &b->fw;
    } else if (!load_kernel(b, as, &l, errp)) {
        failed = &b->kernel;
    } else if (!load_initrd(b, as, &l, errp)) {
        failed = &b->initrd;
    }
    if (failed) {
        g_prefix_error(errp, "%s ", failed->opt);
        g_free(fdt);
        return false;
    }
    if (!load_fdt(b, as, &l, fdt, fdt_size, errp) || !load_rom(b, as, &l, errp)) {
        return false;
    }
    b->layout = l;
    return true;
}

bool riscv_boot_reload(RiscvBoot *b, AddressSpace *as, GError **errp)
{
    /* Everything is deterministic, and /chosen already holds its values. */
    return riscv_boot_setup(b, as, g_memdup2(b->fdt, b->fdt_size), b->fdt_size, errp);
}
