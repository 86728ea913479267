/*
 * Unit tests for the loaders (hw/core/loader.c) and the device tree
 * builder and -dtb loading (hw/core/fdt.c).  ELF files and Linux Images
 * are made here byte by byte, then broken one field at a time: every
 * broken file must be refused with a LOADER_ERROR naming it, and must not
 * have written anything (guest RAM is poisoned first and checked after).
 * Buffers are exactly as long as the "file", so ASan sees any overread.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <libfdt.h>
#include <string.h>

#include "rove/fdt.h"
#include "rove/loader.h"
#include "rove/memory.h"

#define RAM_BASE UINT64_C(0x80000000)
#define RAM_SIZE (UINT64_C(8) << 20)
#define ROM_BASE UINT64_C(0x1000)
#define ROM_SIZE UINT64_C(0x1000)
#define MMIO_BASE UINT64_C(0x10000000)
#define POISON 0xa5

/* ---- A small machine: ROM, RAM and one MMIO page ---- */

typedef struct Mach {
    MemoryRegion sys, ram, rom, mmio;
    AddressSpace as;
    unsigned mmio_writes;
} Mach;

static MemTxResult mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ((Mach *)opaque)->mmio_writes++;
    return MEMTX_OK;
}

static const MemoryRegionOps mmio_ops = { .write = mmio_write, .max_access_size = 8 };

static Mach *mach_new(void)
{
    Mach *m = g_new0(Mach, 1);
    memory_region_init_container(&m->sys, "system", 0);
    g_assert_true(memory_region_init_ram(&m->ram, "ram", RAM_SIZE));
    g_assert_true(memory_region_init_rom(&m->rom, "rom", ROM_SIZE));
    memory_region_init_io(&m->mmio, "mmio", &mmio_ops, m, 0x1000);
    memory_region_add_subregion(&m->sys, RAM_BASE, &m->ram);
    memory_region_add_subregion(&m->sys, ROM_BASE, &m->rom);
    memory_region_add_subregion(&m->sys, MMIO_BASE, &m->mmio);
    address_space_init(&m->as, &m->sys, "memory");
    memset(memory_region_get_ram_ptr(&m->ram), POISON, RAM_SIZE);
    memset(memory_region_get_ram_ptr(&m->rom), POISON, ROM_SIZE);
    return m;
}

static void mach_free(Mach *m)
{
    address_space_destroy(&m->as);
    memory_region_del_subregion(&m->sys, &m->ram);
    memory_region_del_subregion(&m->sys, &m->rom);
    memory_region_del_subregion(&m->sys, &m->mmio);
    memory_region_destroy(&m->ram);
    memory_region_destroy(&m->rom);
    memory_region_destroy(&m->mmio);
    memory_region_destroy(&m->sys);
    g_free(m);
}

/* Guest memory still all poison (nothing was written)? */
static bool mach_untouched(Mach *m)
{
    const uint8_t *r = memory_region_get_ram_ptr(&m->ram);
    for (uint64_t i = 0; i < RAM_SIZE; i++) {
        if (r[i] != POISON) {
            return false;
        }
    }
    const uint8_t *o = memory_region_get_ram_ptr(&m->rom);
    for (uint64_t i = 0; i < ROM_SIZE; i++) {
        if (o[i] != POISON) {
            return false;
        }
    }
    return m->mmio_writes == 0;
}

static uint8_t *guest(Mach *m, uint64_t addr)
{
    MemoryTranslation t;
    g_assert_true(address_space_translate(&m->as, addr, &t));
    g_assert_nonnull(t.host);
    return t.host;
}

/* ---- ELF images made by hand ---- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

enum { EH = 64, PH = 56, NPH = 3, DATA_OFF = EH + NPH * PH, ELF_SIZE = DATA_OFF + 24 };
#define ENTRY UINT64_C(0x80001000)

/* Offsets of fields in the file, for the tests that break them. */
#define PHDR(i) (EH + (i) * PH)
#define P_TYPE 0
#define P_OFFSET 8
#define P_PADDR 24
#define P_FILESZ 32
#define P_MEMSZ 40

/*
 * Three program headers: a PT_LOAD of 16 file bytes and 64 in memory at
 * ENTRY, a PT_NOTE (ignored), a PT_LOAD of 8 bytes into ROM at 0x1100.
 * File data: 16 bytes 0x11.. then 8 bytes 0xc0...
 */
static uint8_t *make_elf(void)
{
    uint8_t *f = g_malloc0(ELF_SIZE);
    memcpy(f, "\177ELF", 4);
    f[4] = 2;                 /* ELFCLASS64 */
    f[5] = 1;                 /* ELFDATA2LSB */
    f[6] = 1;                 /* EV_CURRENT */
    put16(f + 16, 2);         /* ET_EXEC */
    put16(f + 18, 243);       /* EM_RISCV */
    put32(f + 20, 1);
    put64(f + 24, ENTRY);
    put64(f + 32, EH);        /* e_phoff */
    put16(f + 52, EH);
    put16(f + 54, PH);
    put16(f + 56, NPH);

    uint8_t *p = f + PHDR(0);
    put32(p + P_TYPE, 1);
    put64(p + P_OFFSET, DATA_OFF);
    put64(p + P_PADDR, ENTRY);
    put64(p + 16, ENTRY);     /* p_vaddr: not used */
    put64(p + P_FILESZ, 16);
    put64(p + P_MEMSZ, 64);

    p = f + PHDR(1);
    put32(p + P_TYPE, 4);     /* PT_NOTE: skipped however bad it is */
    put64(p + P_OFFSET, UINT64_MAX);
    put64(p + P_FILESZ, UINT64_MAX);
    put64(p + P_MEMSZ, UINT64_MAX);

    p = f + PHDR(2);
    put32(p + P_TYPE, 1);
    put64(p + P_OFFSET, DATA_OFF + 16);
    put64(p + P_PADDR, ROM_BASE + 0x100);
    put64(p + P_FILESZ, 8);
    put64(p + P_MEMSZ, 8);

    for (int i = 0; i < 16; i++) {
        f[DATA_OFF + i] = (uint8_t)(0x11 + i);
    }
    for (int i = 0; i < 8; i++) {
        f[DATA_OFF + 16 + i] = (uint8_t)(0xc0 + i);
    }
    return f;
}

static void test_elf_valid(void)
{
    Mach *m = mach_new();
    uint8_t *f = make_elf();
    LoaderElfInfo info;
    GError *err = NULL;
    g_assert_true(loader_load_elf_buffer(&m->as, "test.elf", f, ELF_SIZE, &info, &err));
    g_assert_no_error(err);
    g_assert_cmphex(info.entry, ==, ENTRY);
    g_assert_cmphex(info.low, ==, ROM_BASE + 0x100);
    g_assert_cmphex(info.high, ==, ENTRY + 64);

    const uint8_t *g = guest(m, ENTRY);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(g[i], ==, 0x11 + i);
    }
    for (int i = 16; i < 64; i++) {
        g_assert_cmphex(g[i], ==, 0);           /* zero-filled up to p_memsz */
    }
    g_assert_cmphex(g[64], ==, POISON);         /* and no further */
    g_assert_cmphex(guest(m, ENTRY - 1)[0], ==, POISON);
    const uint8_t *r = guest(m, ROM_BASE + 0x100);   /* ROM is written by loaders */
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(r[i], ==, 0xc0 + i);
    }
    g_free(f);
    mach_free(m);
}

/* One broken field: at `off`, `width` bytes (1, 2, 4 or 8) get `value`. */
typedef struct ElfBreak {
    const char *what;
    size_t off;
    unsigned width;
    uint64_t value;
} ElfBreak;

static const ElfBreak elf_breaks[] = {
    { "magic", 1, 1, 'X' },
    { "class 32", 4, 1, 1 },
    { "class none", 4, 1, 0 },
    { "big-endian", 5, 1, 2 },
    { "ident version", 6, 1, 2 },
    { "e_version", 20, 4, 0 },
    { "ET_REL", 16, 2, 1 },
    { "ET_CORE", 16, 2, 4 },
    { "machine x86-64", 18, 2, 62 },
    { "machine 0", 18, 2, 0 },
    { "e_ehsize", 52, 2, 52 },
    { "e_phentsize small", 54, 2, 32 },
    { "e_phentsize large", 54, 2, 0xffff },
    { "e_phnum 0", 56, 2, 0 },
    { "e_phnum PN_XNUM", 56, 2, 0xffff },
    { "e_phnum past the end", 56, 2, 0x7fff },
    { "e_phoff past the end", 32, 8, ELF_SIZE },
    { "e_phoff half past", 32, 8, ELF_SIZE - PH },
    { "e_phoff huge", 32, 8, UINT64_MAX - 8 },
    { "e_phoff wraps with phnum", 32, 8, UINT64_MAX - PH + 1 },
    { "p_offset past the end", PHDR(0) + P_OFFSET, 8, ELF_SIZE },
    { "p_offset end overlaps", PHDR(0) + P_OFFSET, 8, ELF_SIZE - 8 },
    { "p_offset wraps", PHDR(0) + P_OFFSET, 8, UINT64_MAX - 4 },
    { "p_filesz past the end", PHDR(2) + P_FILESZ, 8, 9 },
    { "p_filesz huge", PHDR(0) + P_FILESZ, 8, UINT64_MAX },
    { "p_filesz > p_memsz", PHDR(0) + P_MEMSZ, 8, 8 },
    { "p_paddr outside RAM", PHDR(0) + P_PADDR, 8, RAM_BASE + RAM_SIZE },
    { "p_paddr straddles the end of RAM", PHDR(0) + P_PADDR, 8, RAM_BASE + RAM_SIZE - 32 },
    { "p_paddr straddles into RAM", PHDR(0) + P_PADDR, 8, RAM_BASE - 8 },
    { "p_paddr at 0", PHDR(0) + P_PADDR, 8, 0 },
    { "p_paddr in MMIO", PHDR(0) + P_PADDR, 8, MMIO_BASE },
    { "p_paddr wraps", PHDR(0) + P_PADDR, 8, UINT64_MAX - 8 },
    { "p_memsz past the ROM", PHDR(2) + P_MEMSZ, 8, ROM_SIZE },
    { "p_memsz huge", PHDR(0) + P_MEMSZ, 8, UINT64_MAX },
    { "p_memsz wraps from RAM", PHDR(0) + P_MEMSZ, 8, UINT64_MAX - ENTRY + 2 },
    { "only the note loads", PHDR(0) + P_TYPE, 4, 6 },
};

static void put_width(uint8_t *p, unsigned width, uint64_t v)
{
    switch (width) {
    case 1:
        p[0] = (uint8_t)v;
        break;
    case 2:
        put16(p, (uint16_t)v);
        break;
    case 4:
        put32(p, (uint32_t)v);
        break;
    default:
        put64(p, v);
        break;
    }
}

static void test_elf_broken(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(elf_breaks); i++) {
        const ElfBreak *b = &elf_breaks[i];
        if (g_test_verbose()) {
            g_test_message("breaking %s", b->what);
        }
        Mach *m = mach_new();
        uint8_t *f = make_elf();
        if (i == G_N_ELEMENTS(elf_breaks) - 1) {
            put32(f + PHDR(2) + P_TYPE, 6);  /* PT_PHDR: no PT_LOAD left */
        }
        put_width(f + b->off, b->width, b->value);
        GError *err = NULL;
        LoaderElfInfo info;
        gboolean ok = loader_load_elf_buffer(&m->as, "broken.elf", f, ELF_SIZE, &info, &err);
        if (ok) {
            g_error("ELF with %s was accepted", b->what);
        }
        g_assert_error(err, LOADER_ERROR, err->code);
        g_assert_nonnull(strstr(err->message, "broken.elf"));
        g_assert_null(strchr(err->message, '\n'));
        if (!mach_untouched(m)) {
            g_error("ELF with %s wrote guest memory before being refused", b->what);
        }
        g_error_free(err);
        g_free(f);
        mach_free(m);
    }
}

static void test_elf_truncated(void)
{
    Mach *m = mach_new();
    uint8_t *full = make_elf();
    /* Every proper prefix misses at least the last segment's data. */
    for (size_t len = 0; len < ELF_SIZE; len++) {
        uint8_t *f = g_memdup2(full, len ? len : 1);
        GError *err = NULL;
        g_assert_false(loader_load_elf_buffer(&m->as, "cut.elf", f, len, NULL, &err));
        g_assert_error(err, LOADER_ERROR, LOADER_ERROR_FORMAT);
        g_error_free(err);
        g_free(f);
    }
    g_assert_true(mach_untouched(m));
    g_free(full);
    mach_free(m);
}

/* Random corruption of the headers: refused or loaded, never a crash. */
static void test_elf_fuzz(void)
{
    Mach *m = mach_new();
    uint8_t *full = make_elf();
    unsigned accepted = 0;
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t *f = g_memdup2(full, ELF_SIZE);
        int flips = g_test_rand_int_range(1, 6);
        for (int k = 0; k < flips; k++) {
            f[g_test_rand_int_range(0, DATA_OFF)] = (uint8_t)g_test_rand_int();
        }
        GError *err = NULL;
        LoaderElfInfo info;
        if (loader_load_elf_buffer(&m->as, "fuzz.elf", f, ELF_SIZE, &info, &err)) {
            accepted++;
            g_assert_cmphex(info.low, >=, ROM_BASE);
        } else {
            g_assert_nonnull(err);
            g_error_free(err);
        }
        g_free(f);
    }
    g_test_message("%u of 3000 corrupted ELF files still loaded", accepted);
    g_free(full);
    mach_free(m);
}

static char *write_tmp(const char *tmpl, const void *data, size_t len)
{
    GError *err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp(tmpl, &path, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_true(g_file_set_contents(path, data, (gssize)len, &err));
    g_assert_no_error(err);
    return path;
}

static void test_elf_file(void)
{
    Mach *m = mach_new();
    uint8_t *f = make_elf();
    char *path = write_tmp("rove-XXXXXX.elf", f, ELF_SIZE);
    LoaderElfInfo info;
    GError *err = NULL;
    g_assert_true(loader_load_elf(&m->as, path, &info, &err));
    g_assert_no_error(err);
    g_assert_cmphex(info.entry, ==, ENTRY);
    g_assert_cmphex(guest(m, ENTRY)[15], ==, 0x11 + 15);
    g_unlink(path);

    g_assert_false(loader_load_elf(&m->as, path, &info, &err));
    g_assert_error(err, LOADER_ERROR, LOADER_ERROR_IO);
    g_assert_nonnull(strstr(err->message, path));
    g_clear_error(&err);

    /* A directory is not a file. */
    g_assert_false(loader_load_elf(&m->as, g_get_tmp_dir(), &info, &err));
    g_assert_error(err, LOADER_ERROR, LOADER_ERROR_IO);
    g_clear_error(&err);

    /* An empty file. */
    g_free(path);
    path = write_tmp("rove-XXXXXX.elf", "", 0);
    g_assert_false(loader_load_elf(&m->as, path, &info, &err));
    g_assert_error(err, LOADER_ERROR, LOADER_ERROR_FORMAT);
    g_clear_error(&err);
    g_unlink(path);
    g_free(path);
    g_free(f);
    mach_free(m);
}

/* ---- Raw binaries and initrds ---- */

static void test_raw(void)
{
    Mach *m = mach_new();
    uint8_t data[100];
    for (int i = 0; i < 100; i++) {
        data[i] = (uint8_t)i;
    }
    char *path = write_tmp("rove-XXXXXX.bin", data, sizeof(data));
    GError *err = NULL;
    uint64_t size = 0, end = 0;

    g_assert_true(loader_load_raw(&m->as, path, RAM_BASE + 0x10, &size, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(size, ==, 100);
    g_assert_cmpmem(guest(m, RAM_BASE + 0x10), 100, data, 100);
    g_assert_cmphex(guest(m, RAM_BASE + 0x10 + 100)[0], ==, POISON);

    g_assert_true(loader_load_initrd(&m->as, path, RAM_BASE + RAM_SIZE - 100, &end, &err));
    g_assert_no_error(err);
    g_assert_cmphex(end, ==, RAM_BASE + RAM_SIZE);

    /* Into ROM. */
    g_assert_true(loader_load_raw(&m->as, path, ROM_BASE, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(guest(m, ROM_BASE), 100, data, 100);

    /* One byte past the end of RAM, outside everything, in MMIO, at the top. */
    const uint64_t bad[] = { RAM_BASE + RAM_SIZE - 99, RAM_BASE + RAM_SIZE, 0,
                             MMIO_BASE, UINT64_MAX - 10, ROM_BASE + ROM_SIZE - 50 };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(loader_load_initrd(&m->as, path, bad[i], &end, &err));
        g_assert_error(err, LOADER_ERROR, LOADER_ERROR_PLACE);
        g_assert_nonnull(strstr(err->message, path));
        g_clear_error(&err);
    }
    g_assert_cmpuint(m->mmio_writes, ==, 0);

    g_assert_false(loader_load_raw_buffer(&m->as, "wrap", data, 100, UINT64_MAX - 10, &err));
    g_assert_error(err, LOADER_ERROR, LOADER_ERROR_PLACE);
    g_clear_error(&err);

    g_unlink(path);
    g_assert_false(loader_load_raw(&m->as, path, RAM_BASE, NULL, &err));
    g_assert_error(err, LOADER_ERROR, LOADER_ERROR_IO);
    g_clear_error(&err);
    g_free(path);
    mach_free(m);
}

static void test_ram_span(void)
{
    Mach *m = mach_new();
    g_assert_cmphex(loader_ram_span(&m->as, RAM_BASE, UINT64_MAX), ==, RAM_SIZE);
    g_assert_cmphex(loader_ram_span(&m->as, RAM_BASE + 5, 10), ==, 10);
    g_assert_cmphex(loader_ram_span(&m->as, MMIO_BASE, 10), ==, 0);
    g_assert_cmphex(loader_ram_span(&m->as, 0, 10), ==, 0);
    g_assert_cmphex(loader_ram_span(&m->as, ROM_BASE, UINT64_MAX), ==, ROM_SIZE);
    mach_free(m);
}

/* ---- RISC-V Linux Image ---- */

enum { IMG_SIZE = 256 };

static uint8_t *make_image(uint64_t text_offset, uint64_t image_size)
{
    uint8_t *f = g_malloc0(IMG_SIZE);
    put32(f, 0x0000006f);               /* code0: a jump, not looked at */
    put64(f + 8, text_offset);
    put64(f + 16, image_size);
    put32(f + 32, 2);                   /* version 0.2 */
    memcpy(f + 48, "RISCV\0\0\0", 8);
    memcpy(f + 56, "RSC\x05", 4);
    for (int i = 64; i < IMG_SIZE; i++) {
        f[i] = (uint8_t)i;
    }
    return f;
}

static void test_image(void)
{
    Mach *m = mach_new();
    GError *err = NULL;
    LoaderImageInfo info;
    uint8_t *f = make_image(0x200000, 0x300000);

    g_assert_true(loader_load_linux_image_buffer(&m->as, "Image", f, IMG_SIZE, RAM_BASE,
                                                 &info, &err));
    g_assert_no_error(err);
    g_assert_cmphex(info.load_addr, ==, RAM_BASE + 0x200000);
    g_assert_cmphex(info.end, ==, RAM_BASE + 0x500000);
    g_assert_cmphex(info.image_size, ==, 0x300000);
    g_assert_cmpmem(guest(m, info.load_addr), IMG_SIZE, f, IMG_SIZE);
    g_free(f);

    /* A text_offset that is not 2 MiB aligned is rounded up. */
    f = make_image(0x1000, 0x80);
    g_assert_true(loader_load_linux_image_buffer(&m->as, "Image", f, IMG_SIZE, RAM_BASE,
                                                 &info, &err));
    g_assert_cmphex(info.load_addr, ==, RAM_BASE + 0x200000);
    g_assert_cmphex(info.end, ==, RAM_BASE + 0x200000 + IMG_SIZE);  /* file > image_size */
    g_free(f);

    /* Only the deprecated magic (header 0.1): still an Image. */
    f = make_image(0, 0x1000);
    memset(f + 56, 0, 4);
    g_assert_true(loader_load_linux_image_buffer(&m->as, "Image", f, IMG_SIZE, RAM_BASE,
                                                 &info, &err));
    g_assert_cmphex(info.load_addr, ==, RAM_BASE);
    g_free(f);

    /* From a file. */
    f = make_image(0x200000, 0x1000);
    char *path = write_tmp("rove-XXXXXX-Image", f, IMG_SIZE);
    g_assert_true(loader_load_linux_image(&m->as, path, RAM_BASE, &info, &err));
    g_assert_no_error(err);
    g_assert_cmphex(info.load_addr, ==, RAM_BASE + 0x200000);
    g_unlink(path);
    g_free(path);
    g_free(f);
    mach_free(m);
}

static void test_image_broken(void)
{
    struct {
        const char *what;
        uint64_t text_offset, image_size;
        size_t size;
        int magic;  /* 0 keep, 1 break both magics, 2 set the big-endian flag */
        int code;
    } cases[] = {
        { "no magic", 0x200000, 0x1000, IMG_SIZE, 1, LOADER_ERROR_FORMAT },
        { "big-endian", 0x200000, 0x1000, IMG_SIZE, 2, LOADER_ERROR_FORMAT },
        { "image_size 0", 0x200000, 0, IMG_SIZE, 0, LOADER_ERROR_FORMAT },
        { "truncated header", 0x200000, 0x1000, 63, 0, LOADER_ERROR_FORMAT },
        { "empty", 0x200000, 0x1000, 0, 0, LOADER_ERROR_FORMAT },
        { "image_size past RAM", 0x200000, RAM_SIZE, IMG_SIZE, 0, LOADER_ERROR_PLACE },
        { "image_size huge", 0x200000, UINT64_MAX, IMG_SIZE, 0, LOADER_ERROR_PLACE },
        { "text_offset past RAM", RAM_SIZE, 0x1000, IMG_SIZE, 0, LOADER_ERROR_PLACE },
        { "text_offset wraps", UINT64_MAX - 0x1000, 0x1000, IMG_SIZE, 0, LOADER_ERROR_PLACE },
        { "text_offset rounds past 2^64", UINT64_MAX - RAM_BASE - 0x100, 0x10, IMG_SIZE, 0,
          LOADER_ERROR_PLACE },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Mach *m = mach_new();
        uint8_t *full = make_image(cases[i].text_offset, cases[i].image_size);
        if (cases[i].magic == 1) {
            full[56] = 'X';
            full[48] = 'X';
        } else if (cases[i].magic == 2) {
            full[24] = 1;
        }
        uint8_t *f = g_memdup2(full, cases[i].size ? cases[i].size : 1);
        GError *err = NULL;
        LoaderImageInfo info;
        if (loader_load_linux_image_buffer(&m->as, "bad-Image", f, cases[i].size, RAM_BASE,
                                           &info, &err)) {
            g_error("Image with %s was accepted", cases[i].what);
        }
        g_assert_error(err, LOADER_ERROR, cases[i].code);
        g_assert_nonnull(strstr(err->message, "bad-Image"));
        g_assert_true(mach_untouched(m));
        g_error_free(err);
        g_free(f);
        g_free(full);
        mach_free(m);
    }
}

/* ---- Device trees ---- */

static void *build_tree(size_t *size, int extra_nodes)
{
    DtbBuilder *b = dtb_new();
    dtb_add_reserve(b, 0x80000000, 0x10000);
    dtb_begin_node(b, "");
    dtb_prop_u32(b, "#address-cells", 2);
    dtb_prop_u32(b, "#size-cells", 2);
    const char *compat[] = { "riscv-virtio", "rove,virt" };
    dtb_prop_strings(b, "compatible", compat, 2);
    dtb_prop_string(b, "model", "rove,virt");

    dtb_begin_node_addr(b, "memory", 0x80000000);
    dtb_prop_string(b, "device_type", "memory");
    const uint64_t reg[] = { 0x80000000, 0x200000000 };
    dtb_prop_reg(b, "reg", 2, 2, reg, 1);
    dtb_end_node(b);

    uint32_t intc = dtb_alloc_phandle(b);
    dtb_begin_node_addr(b, "plic", 0xc000000);
    dtb_prop_phandle(b, intc);
    dtb_prop_empty(b, "interrupt-controller");
    dtb_prop_u64(b, "big", UINT64_C(0x123456789abcdef0));
    const uint32_t cells[] = { 1, 0xb, 1, 9 };
    dtb_prop_cells(b, "interrupts-extended", cells, 4);
    dtb_end_node(b);

    dtb_begin_node(b, "soc");
    dtb_prop_u32(b, "interrupt-parent", intc);
    for (int i = 0; i < extra_nodes; i++) {
        dtb_begin_node_addr(b, "dev", 0x10000000 + (uint64_t)i * 0x1000);
        const uint64_t r[] = { 0x10000000 + (uint64_t)i * 0x1000, 0x1000 };
        dtb_prop_reg(b, "reg", 2, 2, r, 1);
        dtb_prop_string(b, "status", "okay");
        dtb_end_node(b);
    }
    dtb_end_node(b);
    dtb_end_node(b);
    GError *err = NULL;
    void *blob = dtb_finish(b, size, &err);
    g_assert_no_error(err);
    g_assert_nonnull(blob);
    return blob;
}

static const void *getprop(const void *fdt, const char *path, const char *name, int *len)
{
    int node = fdt_path_offset(fdt, path);
    g_assert_cmpint(node, >=, 0);
    const void *v = fdt_getprop(fdt, node, name, len);
    g_assert_nonnull(v);
    return v;
}

static void test_fdt_build(void)
{
    size_t size;
    void *fdt = build_tree(&size, 0);
    g_assert_cmpint(fdt_check_full(fdt, size), ==, 0);
    g_assert_cmpuint(fdt_totalsize(fdt), ==, size);

    int len;
    const fdt32_t *c = getprop(fdt, "/", "#address-cells", &len);
    g_assert_cmpint(len, ==, 4);
    g_assert_cmpuint(fdt32_to_cpu(*c), ==, 2);
    g_assert_cmpint(fdt_stringlist_count(fdt, 0, "compatible"), ==, 2);
    g_assert_cmpstr(fdt_stringlist_get(fdt, 0, "compatible", 1, NULL), ==, "rove,virt");
    g_assert_cmpstr(getprop(fdt, "/", "model", &len), ==, "rove,virt");

    const fdt32_t *r = getprop(fdt, "/memory@80000000", "reg", &len);
    g_assert_cmpint(len, ==, 16);
    g_assert_cmphex(fdt32_to_cpu(r[0]), ==, 0);
    g_assert_cmphex(fdt32_to_cpu(r[1]), ==, 0x80000000);
    g_assert_cmphex(fdt32_to_cpu(r[2]), ==, 2);
    g_assert_cmphex(fdt32_to_cpu(r[3]), ==, 0);

    int plic = fdt_path_offset(fdt, "/plic@c000000");
    g_assert_cmpint(plic, >=, 0);
    g_assert_cmpuint(fdt_get_phandle(fdt, plic), ==, 1);
    const fdt32_t *ip = getprop(fdt, "/soc", "interrupt-parent", &len);
    g_assert_cmpint(fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ip)), ==, plic);
    getprop(fdt, "/plic@c000000", "interrupt-controller", &len);
    g_assert_cmpint(len, ==, 0);
    const fdt64_t *big = getprop(fdt, "/plic@c000000", "big", &len);
    g_assert_cmpint(len, ==, 8);
    g_assert_cmphex(fdt64_to_cpu(*big), ==, UINT64_C(0x123456789abcdef0));
    const fdt32_t *ie = getprop(fdt, "/plic@c000000", "interrupts-extended", &len);
    g_assert_cmpint(len, ==, 16);
    g_assert_cmphex(fdt32_to_cpu(ie[1]), ==, 0xb);

    uint64_t addr, rsize;
    g_assert_cmpint(fdt_num_mem_rsv(fdt), ==, 1);
    g_assert_cmpint(fdt_get_mem_rsv(fdt, 0, &addr, &rsize), ==, 0);
    g_assert_cmphex(addr, ==, 0x80000000);
    g_assert_cmphex(rsize, ==, 0x10000);

    GError *err = NULL;
    g_assert_true(dtb_check_blob("built", fdt, size, &err));
    g_assert_no_error(err);
    g_free(fdt);

    /* Big enough to make the builder grow its buffer several times. */
    fdt = build_tree(&size, 2000);
    g_assert_cmpuint(size, >, 64 * 1024);
    g_assert_cmpint(fdt_check_full(fdt, size), ==, 0);
    r = getprop(fdt, "/soc/dev@107cf000", "reg", &len);
    g_assert_cmphex(fdt32_to_cpu(r[1]), ==, 0x107cf000);
    g_free(fdt);
}

static void test_fdt_builder_errors(void)
{
    GError *err = NULL;
    size_t size;

    DtbBuilder *b = dtb_new();
    dtb_begin_node(b, "");
    dtb_begin_node(b, "open");
    dtb_end_node(b);
    g_assert_null(dtb_finish(b, &size, &err));   /* root never ended */
    g_assert_error(err, DTB_ERROR, 0);
    g_clear_error(&err);

    b = dtb_new();
    dtb_begin_node(b, "");
    const uint64_t reg[] = { 0x100000000, 0x1000 };
    dtb_prop_reg(b, "reg", 1, 1, reg, 1);         /* address needs 2 cells */
    dtb_end_node(b);
    g_assert_null(dtb_finish(b, &size, &err));
    g_assert_error(err, DTB_ERROR, 0);
    g_assert_nonnull(strstr(err->message, "reg"));
    g_clear_error(&err);

    b = dtb_new();
    dtb_prop_u32(b, "orphan", 1);                 /* outside any node */
    g_assert_null(dtb_finish(b, &size, &err));
    g_assert_error(err, DTB_ERROR, 0);
    g_clear_error(&err);

    b = dtb_new();
    dtb_begin_node(b, "");
    dtb_end_node(b);
    dtb_end_node(b);                              /* one end too many */
    g_assert_null(dtb_finish(b, &size, &err));
    g_assert_error(err, DTB_ERROR, 0);
    g_clear_error(&err);

    b = dtb_new();
    dtb_begin_node(b, "");
    dtb_end_node(b);
    dtb_begin_node(b, "second-root");
    g_assert_null(dtb_finish(b, &size, &err));
    g_assert_error(err, DTB_ERROR, 0);
    g_clear_error(&err);

    b = dtb_new();
    dtb_begin_node(b, "");
    dtb_prop_phandle(b, 0);
    dtb_end_node(b);
    g_assert_null(dtb_finish(b, &size, &err));
    g_assert_error(err, DTB_ERROR, 0);
    g_clear_error(&err);

    b = dtb_new();
    dtb_begin_node(b, "");
    dtb_end_node(b);
    dtb_add_reserve(b, 0, 1);                     /* after the first node */
    g_assert_null(dtb_finish(b, &size, &err));
    g_assert_error(err, DTB_ERROR, 0);
    g_clear_error(&err);
}

static void expect_dtb_refused(const char *what, const void *data, size_t len)
{
    char *path = write_tmp("rove-XXXXXX.dtb", data, len);
    GError *err = NULL;
    size_t size;
    void *blob = dtb_load_file(path, &size, &err);
    if (blob) {
        g_error("dtb with %s was accepted", what);
    }
    g_assert_error(err, DTB_ERROR, 0);
    g_assert_nonnull(strstr(err->message, path));
    g_assert_null(strchr(err->message, '\n'));
    g_clear_error(&err);
    g_unlink(path);
    g_free(path);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_fdt_load(void)
{
    size_t size;
    uint8_t *fdt = build_tree(&size, 3);
    char *path = write_tmp("rove-XXXXXX.dtb", fdt, size);
    GError *err = NULL;
    size_t got;
    void *blob = dtb_load_file(path, &got, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(got, ==, size);
    g_assert_cmpmem(blob, got, fdt, size);
    g_free(blob);
    g_unlink(path);

    g_assert_null(dtb_load_file(path, &got, &err));   /* gone */
    g_assert_error(err, LOADER_ERROR, LOADER_ERROR_IO);
    g_clear_error(&err);
    g_free(path);

    expect_dtb_refused("nothing", "", 0);
    expect_dtb_refused("a truncated header", fdt, 20);
    expect_dtb_refused("a truncated body", fdt, size - 8);

    uint8_t *bad = g_memdup2(fdt, size);
    bad[0] ^= 0xff;
    expect_dtb_refused("bad magic", bad, size);
    memcpy(bad, fdt, size);
    put_be32(bad + 4, 0xfffffff0);                    /* totalsize */
    expect_dtb_refused("a huge totalsize", bad, size);
    memcpy(bad, fdt, size);
    put_be32(bad + 8, 0xfffffff0);                    /* off_dt_struct */
    expect_dtb_refused("a wild struct offset", bad, size);
    memcpy(bad, fdt, size);
    put_be32(bad + 12, (uint32_t)size - 2);           /* off_dt_strings */
    expect_dtb_refused("a wild strings offset", bad, size);
    memcpy(bad, fdt, size);
    put_be32(bad + fdt_off_dt_struct(fdt), 0x77);     /* the first tag */
    expect_dtb_refused("a bad tag", bad, size);
    g_free(bad);

    /* Random corruption of a valid blob: refused or accepted, never a crash. */
    for (int iter = 0; iter < 2000; iter++) {
        bad = g_memdup2(fdt, size);
        bad[g_test_rand_int_range(0, (gint32)size)] = (uint8_t)g_test_rand_int();
        if (dtb_check_blob("fuzz", bad, size, &err)) {
            g_assert_cmpint(fdt_check_full(bad, size), ==, 0);
        } else {
            g_clear_error(&err);
        }
        g_free(bad);
    }
    g_free(fdt);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loader/elf/valid", test_elf_valid);
    g_test_add_func("/loader/elf/broken", test_elf_broken);
    g_test_add_func("/loader/elf/truncated", test_elf_truncated);
    g_test_add_func("/loader/elf/fuzz", test_elf_fuzz);
    g_test_add_func("/loader/elf/file", test_elf_file);
    g_test_add_func("/loader/raw", test_raw);
    g_test_add_func("/loader/ram-span", test_ram_span);
    g_test_add_func("/loader/image", test_image);
    g_test_add_func("/loader/image/broken", test_image_broken);
    g_test_add_func("/fdt/build", test_fdt_build);
    g_test_add_func("/fdt/builder-errors", test_fdt_builder_errors);
    g_test_add_func("/fdt/load", test_fdt_load);
    return g_test_run();
}
