/*
 * Unit tests for hw/virtio: split virtqueues (virtqueue.c) over a fake
 * machine (RAM at 0x80000000, a ROM, a counting MMIO device), and, through
 * the fake driver (virtio-driver.h), the virtio-mmio transport's registers
 * and feature negotiation and virtio-rng served through them.
 *
 * Every hostile ring the brief lists is built by hand and must leave the
 * queue broken (on_broken called once, pop answering NULL), the MMIO
 * device untouched and host memory outside RAM unread; a randomised pass
 * throws garbage rings at pop and checks it always returns.
 */
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-rng.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtqueue.h"
#include "tests/unit/virtio-driver.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x20000ull
#define ROM_BASE 0x1000ull
#define DEV_BASE 0x10000000ull
#define VIO_BASE 0x10001000ull
#define DESC (RAM_BASE + 0x0000)
#define AVAIL (RAM_BASE + 0x1000)
#define USED (RAM_BASE + 0x2000)
#define TABLE (RAM_BASE + 0x3000)
#define BUF (RAM_BASE + 0x8000)
#define QN 8

typedef struct Fix {
    MemoryRegion root, ram, rom, dev;
    AddressSpace as;
    uint8_t *host;
    int dev_accesses;
    VirtQueue vq;
    int broken_calls;
} Fix;

static MemTxResult dev_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    ((Fix *)opaque)->dev_accesses++;
    *value = 0;
    return MEMTX_OK;
}

static MemTxResult dev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ((Fix *)opaque)->dev_accesses++;
    return MEMTX_OK;
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read, .write = dev_write, .min_access_size = 1, .max_access_size = 8,
};

static void on_broken(void *opaque, VirtQueue *vq)
{
    ((Fix *)opaque)->broken_calls++;
}

static void fix_init(Fix *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    memory_region_init_container(&f->root, "root", 0);
    g_assert_true(memory_region_init_ram(&f->ram, "ram", RAM_SIZE));
    g_assert_true(memory_region_init_rom(&f->rom, "rom", 0x1000));
    memory_region_init_io(&f->dev, "dev", &dev_ops, f, 0x1000);
    memory_region_add_subregion(&f->root, RAM_BASE, &f->ram);
    memory_region_add_subregion(&f->root, ROM_BASE, &f->rom);
    memory_region_add_subregion(&f->root, DEV_BASE, &f->dev);
    address_space_init(&f->as, &f->root, "test");
    f->host = memory_region_get_ram_ptr(&f->ram);

    virtqueue_init(&f->vq, &f->as);
    f->vq.on_broken = on_broken;
    f->vq.opaque = f;
    f->vq.num = QN;
    f->vq.desc = DESC;
    f->vq.avail = AVAIL;
    f->vq.used = USED;
}

static void fix_fini(Fix *f, gconstpointer data)
{
    address_space_destroy(&f->as);
    memory_region_del_subregion(&f->root, &f->ram);
    memory_region_del_subregion(&f->root, &f->rom);
    memory_region_del_subregion(&f->root, &f->dev);
    memory_region_destroy(&f->ram);
    memory_region_destroy(&f->rom);
    memory_region_destroy(&f->dev);
    memory_region_destroy(&f->root);
}

/* ---- Guest-side helpers: write rings into the fake RAM ---- */

static uint8_t *gp(Fix *f, uint64_t addr)
{
    g_assert_cmpuint(addr, >=, RAM_BASE);
    g_assert_cmpuint(addr, <, RAM_BASE + RAM_SIZE);
    return f->host + (addr - RAM_BASE);
}

static void put16(Fix *f, uint64_t a, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    memcpy(gp(f, a), &v, 2);
}

static uint16_t get16(Fix *f, uint64_t a)
{
    uint16_t v;
    memcpy(&v, gp(f, a), 2);
    return GUINT16_FROM_LE(v);
}

static uint32_t get32(Fix *f, uint64_t a)
{
    uint32_t v;
    memcpy(&v, gp(f, a), 4);
    return GUINT32_FROM_LE(v);
}

static void put_desc(Fix *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    uint8_t *p = gp(f, table + 16 * (uint64_t)i);
    uint64_t a = GUINT64_TO_LE(addr);
    uint32_t l = GUINT32_TO_LE(len);
    flags = GUINT16_TO_LE(flags);
    next = GUINT16_TO_LE(next);
    memcpy(p, &a, 8);
    memcpy(p + 8, &l, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
}

/* Makes head available as ring entry number `slot` and sets avail idx to slot + 1. */
static void offer(Fix *f, uint16_t slot, uint16_t head)
{
    put16(f, AVAIL + 4 + 2 * (slot % QN), head);
    put16(f, AVAIL + 2, (uint16_t)(slot + 1));
}

static void start(Fix *f)
{
    g_assert_true(virtqueue_start(&f->vq));
}

/* pop must fail and leave the queue broken, having told on_broken once. */
static void expect_broken(Fix *f, const char *why)
{
    g_assert_null(virtqueue_pop(&f->vq));
    g_assert_true(virtqueue_is_broken(&f->vq));
    g_assert_cmpint(f->broken_calls, ==, 1);
    g_assert_nonnull(strstr(f->vq.why, why));
    g_assert_null(virtqueue_pop(&f->vq)); /* stays broken, no second report */
    g_assert_cmpint(f->broken_calls, ==, 1);
    g_assert_cmpint(f->dev_accesses, ==, 0);
}

/* ---- Normal operation ---- */

static void test_chain(Fix *f, gconstpointer data)
{
    start(f);
    g_assert_null(virtqueue_pop(&f->vq)); /* nothing offered */
    memcpy(gp(f, BUF), "hello, ", 7);
    memcpy(gp(f, BUF + 0x100), "world", 5);
    put_desc(f, DESC, 3, BUF, 7, VRING_DESC_F_NEXT, 5);
    put_desc(f, DESC, 5, BUF + 0x100, 5, VRING_DESC_F_NEXT, 0);
    put_desc(f, DESC, 0, BUF + 0x200, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 7);
    put_desc(f, DESC, 7, BUF + 0x300, 4, VRING_DESC_F_WRITE, 0);
    offer(f, 0, 3);

    VirtQueueElement *e = virtqueue_pop(&f->vq);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->head, ==, 3);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_cmpuint(e->out_len, ==, 12);
    g_assert_cmpuint(e->in_len, ==, 20);
    g_assert_cmpuint(e->out[1].addr, ==, BUF + 0x100);
    g_assert_cmpuint(e->in[1].len, ==, 4);

    char text[32] = { 0 };
    g_assert_cmpuint(virtqueue_read_out(&f->vq, e, 0, text, sizeof(text)), ==, 12);
    g_assert_cmpstr(text, ==, "hello, world");
    g_assert_cmpuint(virtqueue_read_out(&f->vq, e, 9, text, 3), ==, 3);
    g_assert_cmpint(memcmp(text, "rld", 3), ==, 0);
    /* Writes spill from the first writable buffer into the second. */
    g_assert_cmpuint(virtqueue_write_in(&f->vq, e, 14, "ABCDEFGH", 8), ==, 6);
    g_assert_cmpint(memcmp(gp(f, BUF + 0x200 + 14), "AB", 2), ==, 0);
    g_assert_cmpint(memcmp(gp(f, BUF + 0x300), "CDEF", 4), ==, 0);

    virtqueue_push(&f->vq, e, 20);
    g_assert_cmpuint(get16(f, USED + 2), ==, 1);
    g_assert_cmpuint(get32(f, USED + 4), ==, 3);
    g_assert_cmpuint(get32(f, USED + 8), ==, 20);
    g_assert_null(virtqueue_pop(&f->vq));

    /* A second request through the ring's next slot; `written` is capped. */
    put_desc(f, DESC, 1, BUF, 8, VRING_DESC_F_WRITE, 0);
    offer(f, 1, 1);
    e = virtqueue_pop(&f->vq);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->out_num, ==, 0);
    virtqueue_push(&f->vq, e, 1000);
    g_assert_cmpuint(get16(f, USED + 2), ==, 2);
    g_assert_cmpuint(get32(f, USED + 12), ==, 1);
    g_assert_cmpuint(get32(f, USED + 16), ==, 8);
    g_assert_false(virtqueue_is_broken(&f->vq));
    g_assert_cmpint(f->broken_calls, ==, 0);
}

static void test_wraparound(Fix *f, gconstpointer data)
{
    /* Indexes are free-running 16-bit counters: start just below the wrap. */
    start(f);
    f->vq.last_avail = 0xfffe;
    f->vq.used_idx = 0xfffe;
    for (unsigned i = 0; i < 4; i++) {
        uint16_t slot = (uint16_t)(0xfffe + i);
        put_desc(f, DESC, i, BUF + 64 * i, 64, VRING_DESC_F_WRITE, 0);
        offer(f, slot, (uint16_t)i);
        VirtQueueElement *e = virtqueue_pop(&f->vq);
        g_assert_nonnull(e);
        g_assert_cmpuint(e->head, ==, i);
        virtqueue_push(&f->vq, e, 64);
        g_assert_cmpuint(get16(f, USED + 2), ==, (uint16_t)(slot + 1));
    }
    g_assert_false(virtqueue_is_broken(&f->vq));
}

static void test_indirect(Fix *f, gconstpointer data)
{
    f->vq.indirect = true;
    start(f);
    put_desc(f, TABLE, 0, BUF, 10, VRING_DESC_F_NEXT, 2);
    put_desc(f, TABLE, 2, BUF + 0x100, 20, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    put_desc(f, TABLE, 1, BUF + 0x200, 30, VRING_DESC_F_WRITE, 0);
    put_desc(f, DESC, 4, TABLE, 3 * 16, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0, 4);
    VirtQueueElement *e = virtqueue_pop(&f->vq);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->head, ==, 4);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_cmpuint(e->in[0].addr, ==, BUF + 0x100);
    g_assert_cmpuint(e->in[1].addr, ==, BUF + 0x200);
    g_assert_cmpuint(e->in_len, ==, 50);
    virtqueue_push(&f->vq, e, 50);
    g_assert_cmpuint(get32(f, USED + 4), ==, 4);

    /* A table bigger than the queue is fine (up to VIRTQUEUE_MAX_SIZE entries). */
    for (unsigned i = 0; i < 32; i++) {
        put_desc(f, TABLE, i, BUF + 16 * i, 16, VRING_DESC_F_WRITE | (i < 31 ? VRING_DESC_F_NEXT : 0),
                 (uint16_t)(i + 1));
    }
    put_desc(f, DESC, 2, TABLE, 32 * 16, VRING_DESC_F_INDIRECT, 0);
    offer(f, 1, 2);
    e = virtqueue_pop(&f->vq);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->in_num, ==, 32);
    virtqueue_element_free(e);
    g_assert_false(virtqueue_is_broken(&f->vq));
}

/* Event index: avail_event published, used_event honoured. */
static void test_event_idx(Fix *f, gconstpointer data)
{
    f->vq.event_idx = true;
    start(f);
    uint64_t avail_event = USED + 4 + 8 * QN;
    uint64_t used_event = AVAIL + 4 + 2 * QN;
    put16(f, avail_event, 0xbeef);
    g_assert_null(virtqueue_pop(&f->vq));
    g_assert_cmpuint(get16(f, avail_event), ==, 0); /* empty: "tell me at 0" */

    put16(f, used_event, 2); /* interrupt me once used idx passes 2 */
    for (unsigned i = 0; i < 5; i++) {
        put_desc(f, DESC, i, BUF + 64 * i, 64, VRING_DESC_F_WRITE, 0);
        offer(f, (uint16_t)i, (uint16_t)i);
        VirtQueueElement *e = virtqueue_pop(&f->vq);
        g_assert_nonnull(e);
        g_assert_cmpuint(get16(f, avail_event), ==, i + 1);
        virtqueue_push(&f->vq, e, 1);
        bool n = virtqueue_should_notify(&f->vq);
        /* The first decision always notifies; then only the push making idx 3. */
        g_assert_true(n == (i == 0 || i == 2));
    }
    /* Several pushes then one decision: notify iff used_event was crossed. */
    put16(f, used_event, 6);
    for (unsigned i = 5; i < 8; i++) {
        put_desc(f, DESC, i, BUF + 64 * i, 64, VRING_DESC_F_WRITE, 0);
        offer(f, (uint16_t)i, (uint16_t)i);
        virtqueue_push(&f->vq, virtqueue_pop(&f->vq), 1);
    }
    g_assert_true(virtqueue_should_notify(&f->vq));   /* idx 5 -> 8 crosses 6 */
    g_assert_false(virtqueue_should_notify(&f->vq));  /* nothing new */
}

static void test_no_interrupt_flag(Fix *f, gconstpointer data)
{
    start(f);
    put_desc(f, DESC, 0, BUF, 8, VRING_DESC_F_WRITE, 0);
    offer(f, 0, 0);
    virtqueue_push(&f->vq, virtqueue_pop(&f->vq), 8);
    g_assert_true(virtqueue_should_notify(&f->vq));
    put16(f, AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    g_assert_false(virtqueue_should_notify(&f->vq));
}

/* ---- Hostile rings ---- */

static void test_loop(Fix *f, gconstpointer data)
{
    start(f);
    put_desc(f, DESC, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
    put_desc(f, DESC, 1, BUF, 8, VRING_DESC_F_NEXT, 2);
    put_desc(f, DESC, 2, BUF, 8, VRING_DESC_F_NEXT, 0);
    offer(f, 0, 0);
    expect_broken(f, "longer than its table");
}

static void test_self_loop(Fix *f, gconstpointer data)
{
    start(f);
    put_desc(f, DESC, 5, BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 5);
    offer(f, 0, 5);
    expect_broken(f, "longer than its table");
}

static void test_head_out_of_range(Fix *f, gconstpointer data)
{
    start(f);
    offer(f, 0, QN);
    expect_broken(f, "head index");
}

static void test_next_out_of_range(Fix *f, gconstpointer data)
{
    start(f);
    put_desc(f, DESC, 0, BUF, 8, VRING_DESC_F_NEXT, 0xffff);
    offer(f, 0, 0);
    expect_broken(f, "next index");
}

static void test_avail_jump(Fix *f, gconstpointer data)
{
    start(f);
    put16(f, AVAIL + 2, QN + 1);
    expect_broken(f, "available index moved");
}

static void test_avail_jump_event_idx(Fix *f, gconstpointer data)
{
    /* The re-check after publishing avail_event is checked too. */
    f->vq.event_idx = true;
    start(f);
    put16(f, AVAIL + 2, 0x8000);
    expect_broken(f, "available index moved");
}

static void test_write_then_read(Fix *f, gconstpointer data)
{
    start(f);
    put_desc(f, DESC, 0, BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    put_desc(f, DESC, 1, BUF, 8, 0, 0);
    offer(f, 0, 0);
    expect_broken(f, "readable buffer after a writable");
}

/* One buffer address per case: none of them may be used. */
static const struct {
    uint64_t addr;
    uint32_t len;
    const char *what;
} bad_buffers[] = {
    { 0x40000000ull, 16, "unmapped" },
    { DEV_BASE, 16, "MMIO" },
    { VIO_BASE, 16, "unmapped (no transport here)" },
    { ROM_BASE, 16, "ROM" },
    { RAM_BASE + RAM_SIZE - 8, 16, "straddling the end of RAM" },
    { RAM_BASE - 8, 16, "straddling the start of RAM" },
    { RAM_BASE, 0xffffffffu, "longer than RAM" },
    { 0xfffffffffffffff0ull, 0x100, "wrapping past 2^64" },
};

static void test_bad_buffers(Fix *f, gconstpointer data)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_buffers); i++) {
        f->broken_calls = 0;
        virtqueue_reset(&f->vq);
        f->vq.num = QN;
        f->vq.desc = DESC;
        f->vq.avail = AVAIL;
        f->vq.used = USED;
        start(f);
        put16(f, AVAIL + 2, 0);
        put_desc(f, DESC, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
        put_desc(f, DESC, 1, bad_buffers[i].addr, bad_buffers[i].len, VRING_DESC_F_WRITE, 0);
        offer(f, 0, 0);
        if (g_test_verbose()) {
            g_test_message("buffer %s", bad_buffers[i].what);
        }
        expect_broken(f, "buffer outside RAM");
    }
}

static void test_zero_length_buffer(Fix *f, gconstpointer data)
{
    /* A zero-length buffer touches nothing, wherever it points. */
    start(f);
    put_desc(f, DESC, 0, DEV_BASE, 0, VRING_DESC_F_WRITE, 0);
    offer(f, 0, 0);
    VirtQueueElement *e = virtqueue_pop(&f->vq);
    g_assert_nonnull(e);
    g_assert_cmpuint(virtqueue_write_in(&f->vq, e, 0, "x", 1), ==, 0);
    virtqueue_push(&f->vq, e, 0);
    g_assert_cmpint(f->dev_accesses, ==, 0);
}

static void test_bad_rings(Fix *f, gconstpointer data)
{
    static const struct {
        uint64_t desc, avail, used;
        uint16_t num;
        const char *why;
    } cases[] = {
        { DESC, AVAIL, USED, 0, "queue size" },
        { DESC, AVAIL, USED, VIRTQUEUE_MAX_SIZE + 1, "queue size" },
        { DESC + 8, AVAIL, USED, QN, "misaligned" },
        { DESC, AVAIL + 1, USED, QN, "misaligned" },
        { DESC, AVAIL, USED + 2, QN, "misaligned" },
        { DEV_BASE, AVAIL, USED, QN, "outside RAM" },
        { DESC, DEV_BASE, USED, QN, "outside RAM" },
        { DESC, AVAIL, ROM_BASE, QN, "outside RAM" },
        { DESC, AVAIL, RAM_BASE + RAM_SIZE - 16, QN, "outside RAM" },
        { 0xfffffffffffffff0ull, AVAIL, USED, QN, "outside RAM" },
        { DESC, AVAIL, USED, VIRTQUEUE_MAX_SIZE, "outside RAM" }, /* desc runs into... fine; used past RAM? */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        f->broken_calls = 0;
        virtqueue_reset(&f->vq);
        f->vq.desc = cases[i].desc;
        f->vq.avail = cases[i].avail;
        f->vq.used = cases[i].used;
        f->vq.num = cases[i].num;
        if (i == G_N_ELEMENTS(cases) - 1) {
            f->vq.used = RAM_BASE + RAM_SIZE - 0x1000; /* 1024 used entries do not fit */
        }
        g_assert_false(virtqueue_start(&f->vq));
        g_assert_true(virtqueue_is_broken(&f->vq));
        g_assert_nonnull(strstr(f->vq.why, cases[i].why));
        g_assert_cmpint(f->broken_calls, ==, 1);
        g_assert_null(virtqueue_pop(&f->vq));
    }
    g_assert_cmpint(f->dev_accesses, ==, 0);
}

typedef struct IndirectCase {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    const char *why;
} IndirectCase;

static void test_bad_indirect(Fix *f, gconstpointer data)
{
    const IndirectCase cases[] = {
        { TABLE + 4, 32, 0, "alignment" },
        { TABLE, 24, 0, "alignment" },
        { TABLE, 0, 0, "alignment" },
        { TABLE, (VIRTQUEUE_MAX_SIZE + 1) * 16, 0, "alignment" },
        { TABLE, 32, VRING_DESC_F_NEXT, "with NEXT" },
        { DEV_BASE, 32, 0, "indirect table outside RAM" },
        { RAM_BASE + RAM_SIZE - 16, 32, 0, "indirect table outside RAM" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        f->broken_calls = 0;
        virtqueue_reset(&f->vq);
        f->vq.num = QN;
        f->vq.desc = DESC;
        f->vq.avail = AVAIL;
        f->vq.used = USED;
        f->vq.indirect = true;
        start(f);
        put16(f, AVAIL + 2, 0);
        put_desc(f, TABLE, 0, BUF, 8, 0, 0);
        put_desc(f, TABLE, 1, BUF, 8, 0, 0);
        put_desc(f, DESC, 0, cases[i].addr, cases[i].len,
                 VRING_DESC_F_INDIRECT | cases[i].flags, 1);
        put_desc(f, DESC, 1, BUF, 8, 0, 0);
        offer(f, 0, 0);
        expect_broken(f, cases[i].why);
    }
}

static void test_indirect_not_negotiated(Fix *f, gconstpointer data)
{
    start(f);
    put_desc(f, TABLE, 0, BUF, 8, 0, 0);
    put_desc(f, DESC, 0, TABLE, 16, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0, 0);
    expect_broken(f, "not negotiated");
}

static void test_indirect_nested(Fix *f, gconstpointer data)
{
    f->vq.indirect = true;
    start(f);
    put_desc(f, TABLE, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
    put_desc(f, TABLE, 1, TABLE, 32, VRING_DESC_F_INDIRECT, 0);
    put_desc(f, DESC, 0, TABLE, 32, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0, 0);
    expect_broken(f, "not at the head");
}

static void test_indirect_after_direct(Fix *f, gconstpointer data)
{
    f->vq.indirect = true;
    start(f);
    put_desc(f, TABLE, 0, BUF, 8, 0, 0);
    put_desc(f, DESC, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
    put_desc(f, DESC, 1, TABLE, 16, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0, 0);
    expect_broken(f, "not at the head");
}

static void test_indirect_loop(Fix *f, gconstpointer data)
{
    f->vq.indirect = true;
    start(f);
    put_desc(f, TABLE, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
    put_desc(f, TABLE, 1, BUF, 8, VRING_DESC_F_NEXT, 0);
    put_desc(f, DESC, 0, TABLE, 32, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0, 0);
    expect_broken(f, "longer than its table");
}

static void test_indirect_next_out_of_table(Fix *f, gconstpointer data)
{
    f->vq.indirect = true;
    start(f);
    put_desc(f, TABLE, 0, BUF, 8, VRING_DESC_F_NEXT, 2); /* the table has 2 entries */
    put_desc(f, DESC, 0, TABLE, 32, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0, 0);
    expect_broken(f, "next index");
}

static void test_reset_clears_broken(Fix *f, gconstpointer data)
{
    start(f);
    offer(f, 0, QN);
    expect_broken(f, "head index");
    virtqueue_reset(&f->vq);
    g_assert_false(virtqueue_is_broken(&f->vq));
    f->vq.num = QN;
    f->vq.desc = DESC;
    f->vq.avail = AVAIL;
    f->vq.used = USED;
    start(f);
    put16(f, AVAIL + 2, 0);
    put_desc(f, DESC, 0, BUF, 8, VRING_DESC_F_WRITE, 0);
    offer(f, 0, 0);
    VirtQueueElement *e = virtqueue_pop(&f->vq);
    g_assert_nonnull(e);
    virtqueue_element_free(e);
}

/* Garbage rings: pop must always return, and never touch the MMIO device. */
static void test_random_rings(Fix *f, gconstpointer data)
{
    GRand *r = g_rand_new_with_seed(12345);
    uint64_t addrs[] = { BUF, TABLE, DESC, DEV_BASE, ROM_BASE, RAM_BASE + RAM_SIZE - 8, 0 };
    unsigned popped = 0, broken = 0;
    for (unsigned round = 0; round < 3000; round++) {
        virtqueue_reset(&f->vq);
        f->vq.num = QN;
        f->vq.desc = DESC;
        f->vq.avail = AVAIL;
        f->vq.used = USED;
        f->vq.indirect = g_rand_boolean(r);
        f->vq.event_idx = g_rand_boolean(r);
        start(f);
        for (unsigned t = 0; t < 2; t++) {
            uint64_t table = t ? TABLE : DESC;
            for (unsigned i = 0; i < 16; i++) {
                uint64_t a = addrs[g_rand_int_range(r, 0, G_N_ELEMENTS(addrs))] +
                             (g_rand_boolean(r) ? 0 : (uint64_t)g_rand_int_range(r, 0, 64));
                uint32_t len = g_rand_boolean(r) ? (uint32_t)g_rand_int_range(r, 0, 512)
                                                 : g_rand_int(r);
                put_desc(f, table, i, a, len, (uint16_t)g_rand_int_range(r, 0, 8),
                         (uint16_t)g_rand_int_range(r, 0, t ? 20 : 10));
            }
        }
        for (unsigned i = 0; i < QN + 2; i++) {
            put16(f, AVAIL + 4 + 2 * i, (uint16_t)g_rand_int_range(r, 0, 10));
        }
        put16(f, AVAIL + 2, (uint16_t)g_rand_int_range(r, 0, 12));
        VirtQueueElement *e;
        unsigned n = 0;
        while ((e = virtqueue_pop(&f->vq)) != NULL) {
            g_assert_cmpuint(++n, <=, QN);
            uint8_t junk[64] = { 0 };
            virtqueue_read_out(&f->vq, e, 0, junk, sizeof(junk));
            virtqueue_write_in(&f->vq, e, 0, junk, sizeof(junk));
            virtqueue_push(&f->vq, e, g_rand_int(r));
            popped++;
        }
        broken += virtqueue_is_broken(&f->vq);
    }
    g_assert_cmpint(f->dev_accesses, ==, 0);
    g_assert_cmpuint(popped, >, 0);
    g_assert_cmpuint(broken, >, 0);
    g_rand_free(r);
}

/* ---- The virtio-mmio transport and virtio-rng, through the fake driver ---- */

#define EMPTY_BASE (VD_MMIO_BASE + 0x1000) /* a transport with no back end */

typedef struct DevFix {
    VirtioDriver d;
    Device *rng, *empty;
} DevFix;

static void dev_fix_init(DevFix *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    vd_init(&f->d, virtio_rng_register_types);
    vd_set_queue_size(&f->d, QN);
}

static void dev_fix_fini(DevFix *f, gconstpointer data)
{
    if (f->empty) {
        memory_region_del_subregion(&f->d.root, device_mmio(f->empty, 0));
        device_free(f->empty);
    }
    vd_fini(&f->d);
}

static void plug(DevFix *f)
{
    f->rng = vd_plug(&f->d, TYPE_VIRTIO_RNG, NULL);
    g_assert_nonnull(virtio_device_backend(f->rng));
    g_assert_null(virtio_device_backend(f->d.mmio));
}

/* The empty slot's registers. */
static uint32_t empty_rd(DevFix *f, uint32_t off)
{
    uint32_t v = 0xdeadbeef;
    g_assert_cmpint(address_space_ldl(&f->d.as, EMPTY_BASE + off, &v), ==, MEMTX_OK);
    return v;
}

static void empty_wr(DevFix *f, uint32_t off, uint32_t v)
{
    g_assert_cmpint(address_space_stl(&f->d.as, EMPTY_BASE + off, v), ==, MEMTX_OK);
}

/* Writes `features` after a reset and ACKNOWLEDGE | DRIVER, then asks for FEATURES_OK. */
static void offer_features(DevFix *f, uint64_t features)
{
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 3);
    vd_set_reg(&f->d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    vd_set_reg(&f->d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    vd_set_reg(&f->d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
}

/* The driver's side of initialisation, up to DRIVER_OK with queue 0 of QN entries. */
static void driver_init(DevFix *f, uint64_t features)
{
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_SEL, 0);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_QUEUE_READY), ==, 0); /* a reset unreadies it */
    g_assert_cmpuint(vd_queue_num_max(&f->d, 0), ==, VIRTIO_RNG_QUEUE_SIZE);
    vd_start(&f->d, features, 1);
}

#define F_V1 (UINT64_C(1) << VIRTIO_F_VERSION_1)

static void test_mmio_ids(DevFix *f, gconstpointer data)
{
    plug(f);
    GError *err = NULL;
    f->empty = device_new(f->d.reg, TYPE_VIRTIO_MMIO, &err);
    g_assert_true(device_realize(f->empty, &err));
    memory_region_add_subregion(&f->d.root, EMPTY_BASE, device_mmio(f->empty, 0));

    g_assert_cmphex(vd_reg(&f->d, VIRTIO_MMIO_MAGIC_VALUE), ==, 0x74726976);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_VERSION_REG), ==, 2);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_RNG);
    g_assert_cmphex(vd_reg(&f->d, VIRTIO_MMIO_VENDOR_ID), ==, VIRTIO_MMIO_VENDOR);
    /* Device features: VERSION_1 in the high word; ring features in the low one. */
    vd_set_reg(&f->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    g_assert_cmphex(vd_reg(&f->d, VIRTIO_MMIO_DEVICE_FEATURES), ==, 1);
    vd_set_reg(&f->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    g_assert_cmphex(vd_reg(&f->d, VIRTIO_MMIO_DEVICE_FEATURES), ==,
                    (1u << VIRTIO_RING_F_INDIRECT_DESC) | (1u << VIRTIO_RING_F_EVENT_IDX));
    vd_set_reg(&f->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 7);
    g_assert_cmphex(vd_reg(&f->d, VIRTIO_MMIO_DEVICE_FEATURES), ==, 0);
    /* No shared memory; no config space (reads 0 at any size). */
    g_assert_cmphex(vd_reg(&f->d, VIRTIO_MMIO_SHM_LEN_LOW), ==, UINT32_MAX);
    g_assert_cmpuint(vd_config(&f->d, 0, 1), ==, 0);
    /* Registers take 32-bit accesses only; others read 0 and do nothing. */
    uint16_t h = 0xffff;
    g_assert_cmpint(address_space_lduw(&f->d.as, VD_MMIO_BASE, &h), ==, MEMTX_OK);
    g_assert_cmpuint(h, ==, 0);

    /* The empty slot: magic, version 2, vendor, device id 0, nothing else. */
    g_assert_cmphex(empty_rd(f, VIRTIO_MMIO_MAGIC_VALUE), ==, 0x74726976);
    g_assert_cmpuint(empty_rd(f, VIRTIO_MMIO_VERSION_REG), ==, 2);
    g_assert_cmpuint(empty_rd(f, VIRTIO_MMIO_DEVICE_ID), ==, 0);
    empty_wr(f, VIRTIO_MMIO_STATUS, 0xf);
    empty_wr(f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    g_assert_cmpuint(empty_rd(f, VIRTIO_MMIO_STATUS), ==, 0);
    g_assert_cmpuint(empty_rd(f, VIRTIO_MMIO_QUEUE_NUM_MAX), ==, 0);
}

static void test_mmio_features(DevFix *f, gconstpointer data)
{
    plug(f);
    /* Without VERSION_1, or with a bit not offered, FEATURES_OK does not stick. */
    uint64_t bad[] = { 0, F_V1 | (UINT64_C(1) << 5), F_V1 | (UINT64_C(1) << 40) };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        offer_features(f, bad[i]);
        g_assert_cmpuint(vd_status(&f->d), ==, 3);
    }
    driver_init(f, F_V1 | (UINT64_C(1) << VIRTIO_RING_F_EVENT_IDX));
    VirtioBackend *be = virtio_device_backend(f->rng);
    g_assert_true(virtio_has_feature(be, VIRTIO_RING_F_EVENT_IDX));
    g_assert_false(virtio_has_feature(be, VIRTIO_RING_F_INDIRECT_DESC));
    g_assert_true(be->queues[0].event_idx);
    /* Once FEATURES_OK is set the features are frozen. */
    vd_set_reg(&f->d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_DRIVER_FEATURES, 0);
    g_assert_true(virtio_has_feature(be, VIRTIO_RING_F_EVENT_IDX));
    /* A live queue's registers do not change. */
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_SEL, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1234);
    g_assert_cmphex(vd_reg(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW), ==, (uint32_t)f->d.q[0].desc);
    /* Queues past the device's count read as absent. */
    g_assert_cmpuint(vd_queue_num_max(&f->d, 1), ==, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_READY, 1);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_QUEUE_READY), ==, 0);
}

static void test_rng_request(DevFix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    uint64_t buf = vd_alloc(&f->d, 0x8000);
    vd_put_desc(&f->d, 0, 0, buf, 64, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, 0, 0);
    g_assert_cmpint(f->d.level, ==, 0);
    vd_kick(&f->d, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, 0), ==, 1);
    g_assert_cmpuint(vd_used(&f->d, 0, 0).id, ==, 0);
    g_assert_cmpuint(vd_used(&f->d, 0, 0).len, ==, 64);
    uint8_t zero[64] = { 0 };
    /* 2^-512 odds of a false failure */
    g_assert_cmpint(memcmp(vd_ptr(&f->d, buf), zero, 64), !=, 0);
    g_assert_cmpint(f->d.level, ==, 1);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_VRING);
    vd_set_reg(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    g_assert_cmpint(f->d.level, ==, 0);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);

    /* A huge buffer gets at most VIRTIO_RNG_MAX_REQUEST bytes. */
    vd_put_desc(&f->d, 0, 1, buf, 0x8000, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, 0, 1);
    vd_kick(&f->d, 0);
    g_assert_cmpuint(vd_used(&f->d, 0, 1).len, ==, VIRTIO_RNG_MAX_REQUEST);

    /* Kicks of missing queues are ignored. */
    vd_kick(&f->d, 1);
    vd_kick(&f->d, 0xffffffff);
    g_assert_cmpuint(vd_used_idx(&f->d, 0), ==, 2);

    /* Reset: everything back to zero, the line low. */
    f->d.level = 1;
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpint(f->d.level, ==, 0);
    g_assert_cmpuint(vd_status(&f->d), ==, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_SEL, 0);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW), ==, 0);
    /* A kick before DRIVER_OK does nothing (avail slot 2). */
    vd_offer(&f->d, 0, 0);
    vd_kick(&f->d, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, 0), ==, 2);
}

static void test_rng_broken(DevFix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    uint64_t buf = vd_alloc(&f->d, 64);
    /* A readable buffer is a protocol error for the entropy device. */
    vd_put_desc(&f->d, 0, 0, buf, 64, 0, 0);
    vd_offer(&f->d, 0, 0);
    vd_kick(&f->d, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, 0), ==, 0);
    g_assert_true(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), ==, 1);
    g_assert_cmpint(f->d.level, ==, 1);
    /* The driver cannot clear NEEDS_RESET except by resetting. */
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0xf);
    g_assert_true(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    /* Further kicks do nothing. */
    vd_put_desc(&f->d, 0, 1, buf, 64, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, 0, 1);
    vd_kick(&f->d, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, 0), ==, 0);
    /* After a reset and a new initialisation (rings zeroed) it works again. */
    driver_init(f, F_V1);
    g_assert_false(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    vd_put_desc(&f->d, 0, 0, buf, 64, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, 0, 0);
    vd_kick(&f->d, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, 0), ==, 1);
}

static void test_mmio_rings_on_itself(DevFix *f, gconstpointer data)
{
    /* Rings placed on the transport's own registers or bad sizes: refused, no recursion. */
    plug(f);
    offer_features(f, F_V1);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_NUM, QN);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)VD_MMIO_BASE);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_DRIVER_LOW,
               (uint32_t)(VD_MMIO_BASE + VIRTIO_MMIO_QUEUE_NOTIFY));
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_READY, 1);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    g_assert_true(vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    /* Not DRIVER_OK yet: no interrupt. */
    g_assert_cmpint(f->d.level, ==, 0);

    /* QueueNum above QueueNumMax is not taken. */
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_NUM, VIRTIO_RNG_QUEUE_SIZE + 1);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED);
    vd_set_reg(&f->d, VIRTIO_MMIO_QUEUE_READY, 1);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_QUEUE_READY), ==, 0);
}

static void test_mmio_realize_checks(DevFix *f, gconstpointer data)
{
    plug(f);
    GError *err = NULL;
    /* A back end plugged in twice, or without an address space, is refused. */
    Device *again = device_new(f->d.reg, TYPE_VIRTIO_MMIO, &err);
    g_assert_true(device_set_prop_ptr(again, "backend", virtio_device_backend(f->rng), &err));
    g_assert_true(device_set_prop_ptr(again, "as", &f->d.as, &err));
    g_assert_false(device_realize(again, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZE);
    g_clear_error(&err);
    device_free(again);
    Device *rng2 = device_new(f->d.reg, TYPE_VIRTIO_RNG, &err);
    g_assert_true(device_realize(rng2, &err));
    Device *noas = device_new(f->d.reg, TYPE_VIRTIO_MMIO, &err);
    g_assert_true(device_set_prop_ptr(noas, "backend", virtio_device_backend(rng2), &err));
    g_assert_false(device_realize(noas, &err));
    g_clear_error(&err);
    device_free(noas);
    device_free(rng2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define T(name, fn) g_test_add("/virtio/" name, Fix, NULL, fix_init, fn, fix_fini)
    T("vq/chain", test_chain);
    T("vq/wraparound", test_wraparound);
    T("vq/indirect", test_indirect);
    T("vq/event-idx", test_event_idx);
    T("vq/no-interrupt-flag", test_no_interrupt_flag);
    T("vq/zero-length-buffer", test_zero_length_buffer);
    T("vq/hostile/loop", test_loop);
    T("vq/hostile/self-loop", test_self_loop);
    T("vq/hostile/head-out-of-range", test_head_out_of_range);
    T("vq/hostile/next-out-of-range", test_next_out_of_range);
    T("vq/hostile/avail-jump", test_avail_jump);
    T("vq/hostile/avail-jump-event-idx", test_avail_jump_event_idx);
    T("vq/hostile/write-then-read", test_write_then_read);
    T("vq/hostile/bad-buffers", test_bad_buffers);
    T("vq/hostile/bad-rings", test_bad_rings);
    T("vq/hostile/bad-indirect", test_bad_indirect);
    T("vq/hostile/indirect-not-negotiated", test_indirect_not_negotiated);
    T("vq/hostile/indirect-nested", test_indirect_nested);
    T("vq/hostile/indirect-after-direct", test_indirect_after_direct);
    T("vq/hostile/indirect-loop", test_indirect_loop);
    T("vq/hostile/indirect-next-out-of-table", test_indirect_next_out_of_table);
    T("vq/hostile/random-rings", test_random_rings);
    T("vq/reset-clears-broken", test_reset_clears_broken);
#undef T
#define T(name, fn) g_test_add("/virtio/" name, DevFix, NULL, dev_fix_init, fn, dev_fix_fini)
    T("mmio/ids-and-empty-slot", test_mmio_ids);
    T("mmio/features", test_mmio_features);
    T("mmio/rings-on-itself", test_mmio_rings_on_itself);
    T("mmio/realize-checks", test_mmio_realize_checks);
    T("rng/request", test_rng_request);
    T("rng/broken", test_rng_broken);
#undef T
    return g_test_run();
}
