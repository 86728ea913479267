/*
 * Unit tests for the memory API (hw/core/memory.c): RAM, ROM, MMIO and
 * alias accesses at their edges; priorities, overlaps and clipping in the
 * flattened view; accesses that straddle regions, leave the mapped space
 * or wrap past 2^64; MMIO access-size splitting and rejection; view
 * rebuilds; and readers racing a thread that keeps replacing the view.
 */
#include <glib.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "rove/bql.h"
#include "rove/memory.h"

/* ---- A logging MMIO device ---- */

typedef struct Access {
    bool is_write;
    uint64_t offset;
    unsigned size;
    uint64_t value;
} Access;

typedef struct LogDev {
    Access log[64];
    unsigned n;
    uint64_t fail_offset; /* accesses here return MEMTX_ERROR */
    uint8_t regs[256];
} LogDev;

static MemTxResult logdev_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    LogDev *d = opaque;
    if (offset == d->fail_offset) {
        return MEMTX_ERROR;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->regs[(offset + i) & 255] << (8 * i);
    }
    /* Garbage above `size` bytes must be masked off by the core. */
    *value = v | (size < 8 ? ~UINT64_C(0) << (8 * size) : 0);
    g_assert_cmpuint(d->n, <, 64);
    d->log[d->n++] = (Access){ false, offset, size, v };
    return MEMTX_OK;
}

static MemTxResult logdev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    LogDev *d = opaque;
    if (offset == d->fail_offset) {
        return MEMTX_ERROR;
    }
    for (unsigned i = 0; i < size; i++) {
        d->regs[(offset + i) & 255] = (uint8_t)(value >> (8 * i));
    }
    g_assert_cmpuint(d->n, <, 64);
    d->log[d->n++] = (Access){ true, offset, size, value };
    return MEMTX_OK;
}

static void check_access(const LogDev *d, unsigned i, bool w, uint64_t off, unsigned size)
{
    g_assert_cmpuint(i, <, d->n);
    g_assert_cmpint(d->log[i].is_write, ==, w);
    g_assert_cmphex(d->log[i].offset, ==, off);
    g_assert_cmpuint(d->log[i].size, ==, size);
}

/* ---- A small machine: RAM, ROM, one device, in a 2^64 container ---- */

enum {
    RAM_BASE = 0x80000000,
    RAM_SIZE = 0x10000,
    ROM_BASE = 0x1000,
    ROM_SIZE = 0x1000,
    DEV_BASE = 0x10000000,
    DEV_SIZE = 0x100,
};

typedef struct Fixture {
    MemoryRegion sys, ram, rom, dev;
    MemoryRegionOps ops;
    LogDev logdev;
    AddressSpace as;
} Fixture;

static void fixture_setup(Fixture *f, unsigned min, unsigned max, bool unaligned)
{
    memset(f, 0, sizeof(*f));
    f->logdev.fail_offset = UINT64_MAX;
    f->ops = (MemoryRegionOps){ logdev_read, logdev_write, min, max, unaligned };
    memory_region_init_container(&f->sys, "system", 0);
    g_assert_true(memory_region_init_ram(&f->ram, "ram", RAM_SIZE));
    g_assert_true(memory_region_init_rom(&f->rom, "rom", ROM_SIZE));
    memory_region_init_io(&f->dev, "dev", &f->ops, &f->logdev, DEV_SIZE);
    memory_region_add_subregion(&f->sys, RAM_BASE, &f->ram);
    memory_region_add_subregion(&f->sys, ROM_BASE, &f->rom);
    memory_region_add_subregion(&f->sys, DEV_BASE, &f->dev);
    address_space_init(&f->as, &f->sys, "memory");
}

static void fixture_teardown(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_del_subregion(&f->sys, &f->ram);
    memory_region_del_subregion(&f->sys, &f->rom);
    memory_region_del_subregion(&f->sys, &f->dev);
    memory_region_destroy(&f->ram);
    memory_region_destroy(&f->rom);
    memory_region_destroy(&f->dev);
    memory_region_destroy(&f->sys);
}

/* ---- RAM and ROM ---- */

static void test_ram_edges(void)
{
    Fixture f;
    fixture_setup(&f, 1, 8, false);
    uint64_t q;
    uint32_t l;

    g_assert_cmpint(address_space_stq(&f.as, RAM_BASE, 0x1122334455667788), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&f.as, RAM_BASE + 4, &l), ==, MEMTX_OK);
    g_assert_cmphex(l, ==, 0x11223344);
    g_assert_cmphex(memory_region_get_ram_ptr(&f.ram)[0], ==, 0x88); /* little-endian */

    /* The last 8 bytes, and one byte past. */
    g_assert_cmpint(address_space_stq(&f.as, RAM_BASE + RAM_SIZE - 8, 42), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldq(&f.as, RAM_BASE + RAM_SIZE - 8, &q), ==, MEMTX_OK);
    g_assert_cmpuint(q, ==, 42);
    q = 99;
    g_assert_cmpint(address_space_ldq(&f.as, RAM_BASE + RAM_SIZE - 4, &q), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(q, ==, 0);
    g_assert_cmpint(address_space_stq(&f.as, RAM_BASE + RAM_SIZE - 4, 1), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_ldq(&f.as, RAM_BASE - 1, &q), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_ldq(&f.as, RAM_BASE + RAM_SIZE, &q), ==, MEMTX_DECODE_ERROR);

    /* Buffers: exactly the whole block, then one byte more. */
    uint8_t *buf = g_malloc(RAM_SIZE + 1);
    memset(buf, 0x5a, RAM_SIZE + 1);
    g_assert_cmpint(address_space_write(&f.as, RAM_BASE, buf, RAM_SIZE), ==, MEMTX_OK);
    memset(buf, 0, RAM_SIZE + 1);
    g_assert_cmpint(address_space_read(&f.as, RAM_BASE, buf, RAM_SIZE), ==, MEMTX_OK);
    g_assert_cmphex(buf[0], ==, 0x5a);
    g_assert_cmphex(buf[RAM_SIZE - 1], ==, 0x5a);
    g_assert_cmpint(address_space_read(&f.as, RAM_BASE, buf, RAM_SIZE + 1), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(buf[0], ==, 0); /* a failed read leaves zeros */
    g_assert_cmpint(address_space_read(&f.as, RAM_BASE, buf, 0), ==, MEMTX_OK);
    g_free(buf);

    /* Every size at every alignment near the end. */
    for (unsigned size = 1; size <= 8; size *= 2) {
        for (uint64_t a = RAM_BASE + RAM_SIZE - 9; a < RAM_BASE + RAM_SIZE + 1; a++) {
            bool fits = a + size <= RAM_BASE + RAM_SIZE;
            g_assert_cmpint(address_space_ld(&f.as, a, size, &q), ==,
                            fits ? MEMTX_OK : MEMTX_DECODE_ERROR);
        }
    }
    fixture_teardown(&f);
}

static void test_rom(void)
{
    Fixture f;
    fixture_setup(&f, 1, 8, false);
    uint32_t l;
    const uint8_t image[4] = { 0x13, 0x05, 0x00, 0x00 };

    g_assert_cmpint(address_space_write_rom(&f.as, ROM_BASE + ROM_SIZE - 4, image, 4), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&f.as, ROM_BASE + ROM_SIZE - 4, &l), ==, MEMTX_OK);
    g_assert_cmphex(l, ==, 0x513);
    /* Guest writes are dropped without an error, as on real flash. */
    g_assert_cmpint(address_space_stl(&f.as, ROM_BASE + ROM_SIZE - 4, 0xdeadbeef), ==, MEMTX_OK);
    g_assert_cmpint(address_space_write(&f.as, ROM_BASE + ROM_SIZE - 4, "abcd", 4), ==,
                    MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&f.as, ROM_BASE + ROM_SIZE - 4, &l), ==, MEMTX_OK);
    g_assert_cmphex(l, ==, 0x513);
    g_assert_cmpint(address_space_write_rom(&f.as, ROM_BASE + ROM_SIZE - 2, image, 4), ==,
                    MEMTX_DECODE_ERROR);

    MemoryTranslation t;
    g_assert_true(address_space_translate(&f.as, ROM_BASE + 0x10, &t));
    g_assert_true(t.mr == &f.rom && t.readonly);
    g_assert_cmphex(t.offset, ==, 0x10);
    g_assert_cmpuint(t.len, ==, ROM_SIZE - 0x10);
    g_assert_true(t.host == memory_region_get_ram_ptr(&f.rom) + 0x10);
    fixture_teardown(&f);
}

/* ---- MMIO sizes ---- */

static void test_mmio_exact(void)
{
    Fixture f;
    fixture_setup(&f, 4, 4, false);
    uint32_t l;
    uint64_t q;
    uint8_t b;

    g_assert_cmpint(address_space_stl(&f.as, DEV_BASE + 8, 0xcafef00d), ==, MEMTX_OK);
    check_access(&f.logdev, 0, true, 8, 4);
    g_assert_cmphex(f.logdev.log[0].value, ==, 0xcafef00d);
    g_assert_cmpint(address_space_ldl(&f.as, DEV_BASE + 8, &l), ==, MEMTX_OK);
    g_assert_cmphex(l, ==, 0xcafef00d); /* the device's garbage high bits were masked */

    /* Wider than max: two 4-byte accesses, low half first. */
    f.logdev.n = 0;
    g_assert_cmpint(address_space_stq(&f.as, DEV_BASE + 16, 0x0102030405060708), ==, MEMTX_OK);
    g_assert_cmpuint(f.logdev.n, ==, 2);
    check_access(&f.logdev, 0, true, 16, 4);
    check_access(&f.logdev, 1, true, 20, 4);
    g_assert_cmphex(f.logdev.log[0].value, ==, 0x05060708);
    g_assert_cmpint(address_space_ldq(&f.as, DEV_BASE + 16, &q), ==, MEMTX_OK);
    g_assert_cmphex(q, ==, 0x0102030405060708);

    /* Narrower than min, or misaligned: rejected, the device never sees it. */
    f.logdev.n = 0;
    g_assert_cmpint(address_space_ldub(&f.as, DEV_BASE + 8, &b), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_ldl(&f.as, DEV_BASE + 10, &l), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_stw(&f.as, DEV_BASE + 8, 1), ==, MEMTX_ERROR);
    g_assert_cmpuint(f.logdev.n, ==, 0);

    /* Buffers: aligned 4-byte pieces; a 2-byte tail is refused. */
    uint8_t buf[8];
    g_assert_cmpint(address_space_read(&f.as, DEV_BASE + 16, buf, 8), ==, MEMTX_OK);
    g_assert_cmpuint(f.logdev.n, ==, 2);
    g_assert_cmphex(buf[0], ==, 0x08);
    g_assert_cmphex(buf[7], ==, 0x01);
    g_assert_cmpint(address_space_read(&f.as, DEV_BASE + 16, buf, 6), ==, MEMTX_ERROR);

    /* Device errors come back as they are. */
    f.logdev.fail_offset = 0x20;
    g_assert_cmpint(address_space_ldl(&f.as, DEV_BASE + 0x20, &l), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_ldq(&f.as, DEV_BASE + 0x1c, &q), ==, MEMTX_ERROR);
    g_assert_cmpuint(q, ==, 0);
    /* The last word of the device, and past its end. */
    g_assert_cmpint(address_space_ldl(&f.as, DEV_BASE + DEV_SIZE - 4, &l), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldq(&f.as, DEV_BASE + DEV_SIZE - 4, &q), ==,
                    MEMTX_DECODE_ERROR);
    fixture_teardown(&f);
}

static void test_mmio_split(void)
{
    Fixture f;
    fixture_setup(&f, 1, 4, false);

    /* 7 bytes at offset 1 of an aligned-only device: 1 @1, 2 @2, 4 @4. */
    uint8_t buf[7] = { 1, 2, 3, 4, 5, 6, 7 };
    g_assert_cmpint(address_space_write(&f.as, DEV_BASE + 1, buf, 7), ==, MEMTX_OK);
    g_assert_cmpuint(f.logdev.n, ==, 3);
    check_access(&f.logdev, 0, true, 1, 1);
    check_access(&f.logdev, 1, true, 2, 2);
    check_access(&f.logdev, 2, true, 4, 4);
    g_assert_cmphex(f.logdev.log[1].value, ==, 0x0302);
    g_assert_cmphex(f.logdev.log[2].value, ==, 0x07060504);

    /* A misaligned sized access is rejected even though pieces would do. */
    uint32_t l;
    g_assert_cmpint(address_space_ldl(&f.as, DEV_BASE + 1, &l), ==, MEMTX_ERROR);
    uint16_t w;
    g_assert_cmpint(address_space_lduw(&f.as, DEV_BASE + 2, &w), ==, MEMTX_OK);
    g_assert_cmphex(w, ==, 0x0302);
    fixture_teardown(&f);

    /* A device that takes unaligned accesses gets them whole. */
    fixture_setup(&f, 1, 8, true);
    uint64_t q;
    g_assert_cmpint(address_space_ldl(&f.as, DEV_BASE + 1, &l), ==, MEMTX_OK);
    check_access(&f.logdev, 0, false, 1, 4);
    g_assert_cmpint(address_space_ldq(&f.as, DEV_BASE + 3, &q), ==, MEMTX_OK);
    check_access(&f.logdev, 1, false, 3, 8);
    fixture_teardown(&f);

    /* Missing callbacks are device errors. */
    static const MemoryRegionOps read_only = { logdev_read, NULL, 4, 4, false };
    MemoryRegion sys, ro;
    LogDev d = { .fail_offset = UINT64_MAX };
    AddressSpace as;
    memory_region_init_container(&sys, "sys", 0);
    memory_region_init_io(&ro, "ro", &read_only, &d, 0x10);
    memory_region_add_subregion(&sys, 0, &ro);
    address_space_init(&as, &sys, "as");
    g_assert_cmpint(address_space_ldl(&as, 0, &l), ==, MEMTX_OK);
    g_assert_cmpint(address_space_stl(&as, 0, 1), ==, MEMTX_ERROR);
    address_space_destroy(&as);
    memory_region_del_subregion(&sys, &ro);
    memory_region_destroy(&ro);
    memory_region_destroy(&sys);
}

/* ---- Straddling, holes, wrapping ---- */

static void test_straddle(void)
{
    Fixture f;
    fixture_setup(&f, 1, 8, false);
    MemoryRegion ram2;
    g_assert_true(memory_region_init_ram(&ram2, "ram2", 0x1000));
    memory_region_add_subregion(&f.sys, RAM_BASE + RAM_SIZE, &ram2);

    uint64_t q;
    g_assert_cmpint(address_space_stq(&f.as, RAM_BASE + RAM_SIZE - 3, 0x8877665544332211), ==,
                    MEMTX_OK);
    g_assert_cmphex(memory_region_get_ram_ptr(&f.ram)[RAM_SIZE - 1], ==, 0x33);
    g_assert_cmphex(memory_region_get_ram_ptr(&ram2)[0], ==, 0x44);
    g_assert_cmpint(address_space_ldq(&f.as, RAM_BASE + RAM_SIZE - 3, &q), ==, MEMTX_OK);
    g_assert_cmphex(q, ==, 0x8877665544332211);
    MemoryTranslation t;
    g_assert_true(address_space_translate(&f.as, RAM_BASE + RAM_SIZE - 3, &t));
    g_assert_true(t.mr == &f.ram);
    g_assert_cmpuint(t.len, ==, 3);

    /* RAM followed by the device: the MMIO part is split for the device. */
    MemoryRegion ram3;
    g_assert_true(memory_region_init_ram(&ram3, "ram3", 0x1000));
    memory_region_add_subregion(&f.sys, DEV_BASE - 0x1000, &ram3);
    f.logdev.n = 0;
    g_assert_cmpint(address_space_stq(&f.as, DEV_BASE - 2, 0x8877665544332211), ==, MEMTX_OK);
    g_assert_cmpuint(f.logdev.n, ==, 2);
    check_access(&f.logdev, 0, true, 0, 4);
    check_access(&f.logdev, 1, true, 4, 2);
    g_assert_cmphex(f.logdev.log[0].value, ==, 0x66554433);

    /* A buffer running from RAM into a hole: the RAM part is written. */
    uint8_t buf[16];
    memset(buf, 0xee, sizeof(buf));
    g_assert_cmpint(address_space_write(&f.as, RAM_BASE + RAM_SIZE + 0x1000 - 8, buf, 16), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(memory_region_get_ram_ptr(&ram2)[0xfff], ==, 0xee);

    memory_region_del_subregion(&f.sys, &ram2);
    memory_region_del_subregion(&f.sys, &ram3);
    memory_region_destroy(&ram2);
    memory_region_destroy(&ram3);
    fixture_teardown(&f);
}

static void test_wrap(void)
{
    MemoryRegion sys, top, low;
    AddressSpace as;
    memory_region_init_container(&sys, "sys", 0);
    g_assert_true(memory_region_init_ram(&top, "top", 0x1000));
    g_assert_true(memory_region_init_ram(&low, "low", 0x1000));
    memory_region_add_subregion(&sys, UINT64_MAX - 0xfff, &top);
    memory_region_add_subregion(&sys, 0, &low);
    address_space_init(&as, &sys, "as");

    uint64_t q;
    uint8_t buf[16];
    g_assert_cmpint(address_space_stq(&as, UINT64_MAX - 7, 0x1234), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldq(&as, UINT64_MAX - 7, &q), ==, MEMTX_OK);
    g_assert_cmphex(q, ==, 0x1234);
    /* Accesses that would wrap into the RAM at 0 are refused whole. */
    for (uint64_t back = 0; back < 7; back++) {
        g_assert_cmpint(address_space_ldq(&as, UINT64_MAX - back, &q), ==, MEMTX_DECODE_ERROR);
        g_assert_cmpint(address_space_stq(&as, UINT64_MAX - back, 1), ==, MEMTX_DECODE_ERROR);
    }
    memcpy(buf, "0123456789abcdef", 16);
    g_assert_cmpint(address_space_write(&as, UINT64_MAX - 7, buf, 16), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(memory_region_get_ram_ptr(&low)[0], ==, 0);
    g_assert_cmpint(address_space_read(&as, UINT64_MAX, buf, 1), ==, MEMTX_OK);
    g_assert_cmpint(address_space_read(&as, UINT64_MAX, buf, 2), ==, MEMTX_DECODE_ERROR);
    /* A huge length that wraps is refused before anything is touched. */
    g_assert_cmpint(address_space_read(&as, 2, buf, UINT64_MAX), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_write(&as, 0x10, buf, UINT64_MAX - 8), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_ld(&as, 0, 3, &q), ==, MEMTX_ERROR);

    MemoryTranslation t;
    g_assert_true(address_space_translate(&as, UINT64_MAX, &t));
    g_assert_cmpuint(t.len, ==, 1);
    g_assert_cmphex(t.offset, ==, 0xfff);
    g_assert_false(address_space_translate(&as, 0x1000, &t));
    g_assert_null(t.mr);

    address_space_destroy(&as);
    memory_region_del_subregion(&sys, &top);
    memory_region_del_subregion(&sys, &low);
    memory_region_destroy(&top);
    memory_region_destroy(&low);
    memory_region_destroy(&sys);
}

/* ---- Priorities, overlaps, clipping, aliases ---- */

static void check_range(const FlatView *v, unsigned i, uint64_t start, uint64_t last,
                        const MemoryRegion *mr, uint64_t off)
{
    g_assert_cmpuint(i, <, v->nb_ranges);
    g_assert_cmphex(v->ranges[i].start, ==, start);
    g_assert_cmphex(v->ranges[i].last, ==, last);
    g_assert_cmpstr(v->ranges[i].mr->name, ==, mr->name);
    g_assert_cmphex(v->ranges[i].mr_offset, ==, off);
}

static void test_priority(void)
{
    MemoryRegion sys, lo, hi, same, inner, deep;
    AddressSpace as;
    AsReadSection s;
    const FlatView *v;
    memory_region_init_container(&sys, "sys", 0);
    g_assert_true(memory_region_init_ram(&lo, "lo", 0x2000));
    g_assert_true(memory_region_init_ram(&hi, "hi", 0x100));
    g_assert_true(memory_region_init_ram(&same, "same", 0x100));
    memory_region_add_subregion_overlap(&sys, 0x1000, &hi, 1);
    memory_region_add_subregion(&sys, 0, &lo); /* added later, lower priority */
    address_space_init(&as, &sys, "as");

    v = address_space_read_begin(&as, &s);
    g_assert_cmpuint(v->nb_ranges, ==, 3);
    check_range(v, 0, 0, 0xfff, &lo, 0);
    check_range(v, 1, 0x1000, 0x10ff, &hi, 0);
    check_range(v, 2, 0x1100, 0x1fff, &lo, 0x1100);
    address_space_read_end(&s);

    /* Equal priority: the later-added region wins. */
    memory_region_add_subregion(&sys, 0x1f80, &same);
    v = address_space_read_begin(&as, &s);
    g_assert_cmpuint(v->nb_ranges, ==, 4);
    check_range(v, 2, 0x1100, 0x1f7f, &lo, 0x1100);
    check_range(v, 3, 0x1f80, 0x207f, &same, 0);
    address_space_read_end(&s);

    /* Disabling the high region shows the low one (merged back into one range). */
    memory_region_del_subregion(&sys, &same);
    memory_region_set_enabled(&hi, false);
    v = address_space_read_begin(&as, &s);
    g_assert_cmpuint(v->nb_ranges, ==, 1);
    check_range(v, 0, 0, 0x1fff, &lo, 0);
    address_space_read_end(&s);
    memory_region_set_enabled(&hi, true);

    /*
     * A container of 0x800 bytes at 0x3000 holding a RAM that overhangs
     * its end: clipped to the container.  Inside, a 0x100 RAM at +0x10.
     */
    memory_region_init_container(&inner, "inner", 0x800);
    g_assert_true(memory_region_init_ram(&deep, "deep", 0x1000));
    memory_region_add_subregion(&inner, 0x400, &same);
    memory_region_add_subregion_overlap(&inner, 0x10, &deep, -1);
    memory_region_add_subregion(&sys, 0x3000, &inner);
    v = address_space_read_begin(&as, &s);
    g_assert_cmpuint(v->nb_ranges, ==, 6);
    check_range(v, 3, 0x3010, 0x33ff, &deep, 0);
    check_range(v, 4, 0x3400, 0x34ff, &same, 0);
    check_range(v, 5, 0x3500, 0x37ff, &deep, 0x4f0);
    address_space_read_end(&s);
    uint32_t l;
    g_assert_cmpint(address_space_ldl(&as, 0x37fc, &l), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&as, 0x3800, &l), ==, MEMTX_DECODE_ERROR);

    /* Moving the container rebuilds the view. */
    unsigned before = as.rebuilds;
    memory_region_set_address(&inner, 0x5000);
    g_assert_cmpuint(as.rebuilds, ==, before + 1);
    g_assert_cmpint(address_space_ldl(&as, 0x3400, &l), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_stl(&as, 0x5400, 0xabcd), ==, MEMTX_OK);
    g_assert_cmphex(memory_region_get_ram_ptr(&same)[0], ==, 0xcd);
    /* A change deep inside propagates up. */
    memory_region_del_subregion(&inner, &same);
    g_assert_cmpuint(as.rebuilds, ==, before + 2);
    g_assert_cmpint(address_space_stl(&as, 0x5400, 0x1111), ==, MEMTX_OK);
    g_assert_cmphex(memory_region_get_ram_ptr(&deep)[0x3f0], ==, 0x11);

    address_space_destroy(&as);
    memory_region_del_subregion(&inner, &deep);
    memory_region_del_subregion(&sys, &inner);
    memory_region_del_subregion(&sys, &lo);
    memory_region_del_subregion(&sys, &hi);
    memory_region_destroy(&deep);
    memory_region_destroy(&inner);
    memory_region_destroy(&lo);
    memory_region_destroy(&hi);
    memory_region_destroy(&same);
    memory_region_destroy(&sys);
}

static void test_alias(void)
{
    Fixture f;
    fixture_setup(&f, 1, 8, false);
    MemoryRegion win, big, far, devwin;
    uint32_t l;

    /* 0x100 bytes of RAM from offset 0x100, seen at 0x90000000. */
    memory_region_init_alias(&win, "win", &f.ram, 0x100, 0x100);
    memory_region_add_subregion(&f.sys, 0x90000000, &win);
    g_assert_cmpint(address_space_stl(&f.as, 0x90000000, 0x600d), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&f.as, RAM_BASE + 0x100, &l), ==, MEMTX_OK);
    g_assert_cmphex(l, ==, 0x600d);
    g_assert_cmpint(address_space_ldl(&f.as, 0x900000fc, &l), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&f.as, 0x900000fe, &l), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_ldl(&f.as, 0x90000100, &l), ==, MEMTX_DECODE_ERROR);

    /* Moving the window's offset into the target. */
    memory_region_set_alias_offset(&win, 0);
    g_assert_cmpint(address_space_stl(&f.as, 0x90000000, 0x1234), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&f.as, RAM_BASE, &l), ==, MEMTX_OK);
    g_assert_cmphex(l, ==, 0x1234);

    /* A window larger than its target is clipped to the target. */
    memory_region_init_alias(&big, "big", &f.ram, RAM_SIZE - 0x10, 0x1000);
    memory_region_add_subregion(&f.sys, 0xa0000000, &big);
    g_assert_cmpint(address_space_ldl(&f.as, 0xa000000c, &l), ==, MEMTX_OK);
    g_assert_cmpint(address_space_ldl(&f.as, 0xa0000010, &l), ==, MEMTX_DECODE_ERROR);
    MemoryTranslation t;
    g_assert_true(address_space_translate(&f.as, 0xa0000000, &t));
    g_assert_true(t.mr == &f.ram && t.host == memory_region_get_ram_ptr(&f.ram) + RAM_SIZE - 0x10);
    g_assert_cmpuint(t.len, ==, 0x10);

    /* An offset near 2^64 and a 2^64-sized window: nothing there, no crash. */
    memory_region_init_alias(&far, "far", &f.ram, UINT64_MAX - 4, 0);
    memory_region_add_subregion_overlap(&f.sys, 0xb0000000, &far, -1);
    g_assert_cmpint(address_space_ldl(&f.as, 0xb0000000, &l), ==, MEMTX_DECODE_ERROR);

    /* A window onto part of a device. */
    memory_region_init_alias(&devwin, "devwin", &f.dev, 0x10, 0x10);
    memory_region_add_subregion(&f.sys, 0xc0000000, &devwin);
    f.logdev.n = 0;
    g_assert_cmpint(address_space_ldl(&f.as, 0xc0000004, &l), ==, MEMTX_OK);
    check_access(&f.logdev, 0, false, 0x14, 4);
    g_assert_true(address_space_translate(&f.as, 0xc0000004, &t));
    g_assert_true(t.mr == &f.dev && t.host == NULL);
    g_assert_cmphex(t.offset, ==, 0x14);

    memory_region_del_subregion(&f.sys, &win);
    memory_region_del_subregion(&f.sys, &big);
    memory_region_del_subregion(&f.sys, &far);
    memory_region_del_subregion(&f.sys, &devwin);
    memory_region_destroy(&win);
    memory_region_destroy(&big);
    memory_region_destroy(&far);
    memory_region_destroy(&devwin);
    fixture_teardown(&f);
}

/* Changes to an alias's target reach the address spaces that see the alias. */
static void test_alias_propagation(void)
{
    MemoryRegion sys, bank, r1, win;
    AddressSpace as;
    uint32_t l;
    memory_region_init_container(&sys, "sys", 0);
    memory_region_init_container(&bank, "bank", 0x10000);
    memory_region_init_alias(&win, "win", &bank, 0, 0x10000);
    memory_region_add_subregion(&sys, 0x40000, &win);
    address_space_init(&as, &sys, "as");
    g_assert_cmpint(address_space_ldl(&as, 0x40000, &l), ==, MEMTX_DECODE_ERROR);
    g_assert_true(memory_region_init_ram(&r1, "r1", 0x1000));
    memory_region_add_subregion(&bank, 0, &r1); /* bank itself is in no address space */
    g_assert_cmpint(address_space_ldl(&as, 0x40000, &l), ==, MEMTX_OK);

    address_space_destroy(&as);
    memory_region_del_subregion(&bank, &r1);
    memory_region_del_subregion(&sys, &win);
    memory_region_destroy(&r1);
    memory_region_destroy(&win);
    memory_region_destroy(&bank);
    memory_region_destroy(&sys);
}

static void test_cycle_refused(void)
{
    if (g_test_subprocess()) {
        MemoryRegion sys, win;
        memory_region_init_container(&sys, "sys", 0);
        memory_region_init_alias(&win, "win", &sys, 0, 0x1000);
        memory_region_add_subregion(&sys, 0, &win);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*cycle*");
}

/* ---- Readers against a writer ---- */

enum { READERS = 3, SWAPS = 300 };
#define PAT_A UINT64_C(0xaaaaaaaaaaaaaaaa)
#define PAT_B UINT64_C(0xbbbbbbbbbbbbbbbb)

typedef struct Race {
    AddressSpace as;
    MemoryRegion sys, a, b;
    atomic_bool stop;
    atomic_int started;
    atomic_long reads;
    atomic_int bad;
} Race;

static void *race_reader(void *arg)
{
    Race *r = arg;
    long n = 0;
    atomic_fetch_add(&r->started, 1);
    while (!atomic_load(&r->stop) || n < 1000) {
        uint64_t q = 0, buf[4];
        MemTxResult res = address_space_ldq(&r->as, 0x1000 + 8 * (n & 7), &q);
        if (res != MEMTX_OK || (q != PAT_A && q != PAT_B)) {
            atomic_fetch_add(&r->bad, 1);
        }
        /* A buffer inside one range is read from one view: all words agree. */
        res = address_space_read(&r->as, 0x1000, buf, sizeof(buf));
        if (res != MEMTX_OK || buf[0] != buf[3] || (buf[0] != PAT_A && buf[0] != PAT_B)) {
            atomic_fetch_add(&r->bad, 1);
        }
        /*
         * A view held in a read section must not change under the reader
         * (a writer freeing it early lets the allocator reuse it for the
         * next view, or scribble on it).
         */
        AsReadSection s;
        const FlatView *v = address_space_read_begin(&r->as, &s);
        const FlatRange *fr = flatview_lookup(v, 0x1000);
        const MemoryRegion *m1 = fr ? fr->mr : NULL;
        for (volatile int k = 0; k < 100; k++) {
        }
        fr = flatview_lookup(v, 0x1000);
        if (!fr || fr->mr != m1 || (m1 != &r->a && m1 != &r->b) || v->nb_ranges != 1) {
            atomic_fetch_add(&r->bad, 1);
        }
        address_space_read_end(&s);
        MemoryTranslation t;
        if (!address_space_translate(&r->as, 0x1008, &t) || (t.mr != &r->a && t.mr != &r->b) ||
            t.len != 0xff8) {
            atomic_fetch_add(&r->bad, 1);
        }
        n++;
    }
    atomic_fetch_add(&r->reads, n);
    return NULL;
}

static void test_concurrent_readers(void)
{
    Race *r = g_new0(Race, 1);
    memory_region_init_container(&r->sys, "sys", 0);
    g_assert_true(memory_region_init_ram(&r->a, "a", 0x1000));
    g_assert_true(memory_region_init_ram(&r->b, "b", 0x1000));
    memset(memory_region_get_ram_ptr(&r->a), 0xaa, 0x1000);
    memset(memory_region_get_ram_ptr(&r->b), 0xbb, 0x1000);
    memory_region_add_subregion(&r->sys, 0x1000, &r->a);
    address_space_init(&r->as, &r->sys, "race");

    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++) {
        g_assert_cmpint(pthread_create(&th[i], NULL, race_reader, r), ==, 0);
    }
    while (atomic_load(&r->started) < READERS) {
        sched_yield();
    }
    /* Alternate: b mapped over a (new views), then b removed again. */
    for (int i = 0; i < SWAPS; i++) {
        if (i & 1) {
            memory_region_del_subregion(&r->sys, &r->b);
        } else {
            memory_region_add_subregion_overlap(&r->sys, 0x1000, &r->b, 1);
        }
    }
    atomic_store(&r->stop, true);
    for (int i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
    }
    g_assert_cmpint(atomic_load(&r->bad), ==, 0);
    g_assert_cmpuint(r->as.rebuilds, ==, SWAPS + 1);
    g_assert_cmpint(atomic_load(&r->as.readers[0]) + atomic_load(&r->as.readers[1]), ==, 0);
    g_test_message("%ld reads during %d view swaps", atomic_load(&r->reads), SWAPS);

    address_space_destroy(&r->as);
    memory_region_del_subregion(&r->sys, &r->a);
    memory_region_destroy(&r->a);
    memory_region_destroy(&r->b);
    memory_region_destroy(&r->sys);
    g_free(r);
}

/* ---- Listeners ---- */

typedef struct Watch {
    MemoryListener l;
    unsigned calls;
    bool had_bql;
    bool saw_new_view;   /* the probe address was mapped when called */
    uint64_t probe;
    bool unregister_self;
    unsigned *order;     /* shared call counter, to check ordering */
    unsigned my_turn;
} Watch;

static void watch_changed(MemoryListener *l, AddressSpace *as)
{
    Watch *w = l->opaque;
    MemoryTranslation t;
    g_assert_true(as == l->as);
    w->calls++;
    w->had_bql = bql_locked();
    w->saw_new_view = address_space_translate(as, w->probe, &t);
    if (w->order) {
        w->my_turn = (*w->order)++;
    }
    if (w->unregister_self) {
        memory_listener_unregister(l);
    }
}

static void watch_init(Watch *w, uint64_t probe)
{
    memset(w, 0, sizeof(*w));
    w->l.view_changed = watch_changed;
    w->l.opaque = w;
    w->probe = probe;
}

static void test_listeners(void)
{
    MemoryRegion sys, other_root, ram, ram2, alias;
    AddressSpace as, other;
    Watch w, w2, wo;
    unsigned order = 0;
    memory_region_init_container(&sys, "sys", 0);
    memory_region_init_container(&other_root, "other", 0);
    g_assert_true(memory_region_init_ram(&ram, "ram", 0x1000));
    g_assert_true(memory_region_init_ram(&ram2, "ram2", 0x1000));
    address_space_init(&as, &sys, "as");
    address_space_init(&other, &other_root, "other");
    watch_init(&w, 0x5000);
    watch_init(&wo, 0x5000);
    memory_listener_register(&as, &w.l);
    memory_listener_register(&other, &wo.l);
    g_assert_cmpuint(w.calls, ==, 0); /* not called for the current view */

    /* A change: called once, under the BQL, after the new view is visible. */
    memory_region_add_subregion(&sys, 0x5000, &ram);
    g_assert_cmpuint(w.calls, ==, 1);
    g_assert_true(w.had_bql);
    g_assert_true(w.saw_new_view);
    g_assert_false(bql_locked()); /* and released again */
    g_assert_cmpuint(wo.calls, ==, 0); /* another address space: not told */

    /* Caller already holding the BQL: still called, lock kept. */
    bql_lock();
    memory_region_set_enabled(&ram, false);
    g_assert_true(bql_locked());
    bql_unlock();
    g_assert_cmpuint(w.calls, ==, 2);
    g_assert_false(w.saw_new_view);
    memory_region_set_enabled(&ram, true);
    g_assert_cmpuint(w.calls, ==, 3);

    /* A change reaching the space through an alias in the other tree. */
    memory_region_init_alias(&alias, "alias", &ram2, 0, 0x1000);
    memory_region_add_subregion(&sys, 0x8000, &alias);
    memory_region_add_subregion(&other_root, 0, &ram2);
    g_assert_cmpuint(wo.calls, ==, 1);
    unsigned before = w.calls;
    memory_region_set_address(&ram2, 0x100); /* ram2's container is other_root */
    g_assert_cmpuint(wo.calls, ==, 2);
    g_assert_cmpuint(w.calls, ==, before);
    memory_region_set_alias_offset(&alias, 0x10);
    g_assert_cmpuint(w.calls, ==, before + 1);

    /* Registration order; a listener unregistering itself. */
    watch_init(&w2, 0x5000);
    w.order = w2.order = &order;
    memory_listener_register(&as, &w2.l);
    w.unregister_self = true;
    memory_region_set_address(&ram, 0x6000);
    g_assert_cmpuint(w.my_turn, ==, 0);
    g_assert_cmpuint(w2.my_turn, ==, 1);
    g_assert_null(w.l.as);
    before = w.calls;
    memory_region_set_address(&ram, 0x5000);
    g_assert_cmpuint(w.calls, ==, before);
    g_assert_cmpuint(w2.calls, ==, 2);
    g_assert_true(w2.saw_new_view);

    /* Unregister; destroy detaches what is left. */
    memory_listener_unregister(&w2.l);
    memory_listener_unregister(&w2.l); /* twice is harmless */
    memory_region_set_address(&ram, 0x7000);
    g_assert_cmpuint(w2.calls, ==, 2);
    memory_region_del_subregion(&sys, &alias);
    memory_region_del_subregion(&sys, &ram);
    memory_region_del_subregion(&other_root, &ram2);
    address_space_destroy(&as);
    address_space_destroy(&other);
    g_assert_null(wo.l.as);
    memory_region_destroy(&alias);
    memory_region_destroy(&ram);
    memory_region_destroy(&ram2);
    memory_region_destroy(&sys);
    memory_region_destroy(&other_root);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/ram-edges", test_ram_edges);
    g_test_add_func("/memory/rom", test_rom);
    g_test_add_func("/memory/mmio-exact", test_mmio_exact);
    g_test_add_func("/memory/mmio-split", test_mmio_split);
    g_test_add_func("/memory/straddle", test_straddle);
    g_test_add_func("/memory/wrap", test_wrap);
    g_test_add_func("/memory/priority", test_priority);
    g_test_add_func("/memory/alias", test_alias);
    g_test_add_func("/memory/alias-propagation", test_alias_propagation);
    g_test_add_func("/memory/cycle-refused", test_cycle_refused);
    g_test_add_func("/memory/concurrent-readers", test_concurrent_readers);
    g_test_add_func("/memory/listeners", test_listeners);
    return g_test_run();
}
