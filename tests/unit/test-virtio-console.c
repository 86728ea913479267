/*
 * Unit tests for the virtio console (hw/virtio/virtio-console.c), driven
 * through the virtio-mmio transport over a fake RAM, with a fake
 * character back end: guest output reaches the back end (across
 * segments, capped per request); host input lands in the guest's receive
 * buffers in order, is held while there are none (can_receive reports the
 * room left, so the back end stops reading instead of dropping) and
 * delivered when the guest offers buffers; config space (cols/rows,
 * announced by a config-change interrupt at the first kick; emergency
 * write); hostile chains break the queue without touching
 * anything else; QEMU's virtio-serial-device + virtconsole spelling.
 */
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-console.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtqueue.h"
#include "rove/chardev.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x40000ull
#define DEV_BASE 0x10000000ull
#define VIO_BASE 0x10001000ull
#define QN 8
/* Queue q's rings at RAM_BASE + 0x3000 * q; buffers from BUF. */
#define DESC(q) (RAM_BASE + 0x3000ull * (q))
#define AVAIL(q) (DESC(q) + 0x1000)
#define USED(q) (DESC(q) + 0x2000)
#define BUF (RAM_BASE + 0x10000)
#define RXQ VIRTIO_CONSOLE_RX_QUEUE
#define TXQ VIRTIO_CONSOLE_TX_QUEUE
#define F_V1 (UINT64_C(1) << VIRTIO_F_VERSION_1)

typedef struct Fix {
    MemoryRegion root, ram, dev;
    AddressSpace as;
    uint8_t *host;
    int dev_accesses;
    DeviceRegistry *reg;
    Device *con, *mmio;
    IrqLine sink;
    int level;
    /* The fake back end. */
    CharBackend chr;
    GByteArray *out;
    int accept_calls;
    uint16_t avail_idx[2];
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

static void sink_irq(void *opaque, int n, int level)
{
    ((Fix *)opaque)->level = level;
}

static void fake_write(CharBackend *be, const uint8_t *buf, size_t len)
{
    g_byte_array_append(((Fix *)be->opaque)->out, buf, (guint)len);
}

static void fake_accept_input(CharBackend *be)
{
    ((Fix *)be->opaque)->accept_calls++;
}

static void fix_init(Fix *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    memory_region_init_container(&f->root, "root", 0);
    g_assert_true(memory_region_init_ram(&f->ram, "ram", RAM_SIZE));
    memory_region_init_io(&f->dev, "dev", &dev_ops, f, 0x1000);
    memory_region_add_subregion(&f->root, RAM_BASE, &f->ram);
    memory_region_add_subregion(&f->root, DEV_BASE, &f->dev);
    address_space_init(&f->as, &f->root, "test");
    f->host = memory_region_get_ram_ptr(&f->ram);
    f->reg = device_registry_new();
    virtio_mmio_register_types(f->reg);
    virtio_console_register_types(f->reg);
    irq_init(&f->sink, sink_irq, f, 0);
    f->out = g_byte_array_new();
    f->chr.write = fake_write;
    f->chr.accept_input = fake_accept_input;
    f->chr.opaque = f;
}

static void fix_fini(Fix *f, gconstpointer data)
{
    if (f->mmio) {
        memory_region_del_subregion(&f->root, device_mmio(f->mmio, 0));
        device_free(f->mmio);
    }
    if (f->con) {
        device_free(f->con);
    }
    g_assert_null(f->chr.fe_ops); /* the device let go of the back end */
    g_byte_array_unref(f->out);
    device_registry_free(f->reg);
    address_space_destroy(&f->as);
    memory_region_del_subregion(&f->root, &f->ram);
    memory_region_del_subregion(&f->root, &f->dev);
    memory_region_destroy(&f->ram);
    memory_region_destroy(&f->dev);
    memory_region_destroy(&f->root);
}

/* ---- Guest-side helpers ---- */

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

static void put_desc(Fix *f, unsigned q, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    uint8_t *p = gp(f, DESC(q) + 16 * (uint64_t)i);
    uint64_t a = GUINT64_TO_LE(addr);
    uint32_t l = GUINT32_TO_LE(len);
    flags = GUINT16_TO_LE(flags);
    next = GUINT16_TO_LE(next);
    memcpy(p, &a, 8);
    memcpy(p + 8, &l, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
}

/* Makes the chain at head available on queue q. */
static void offer(Fix *f, unsigned q, uint16_t head)
{
    uint16_t slot = f->avail_idx[q]++;
    put16(f, AVAIL(q) + 4 + 2 * (slot % QN), head);
    put16(f, AVAIL(q) + 2, f->avail_idx[q]);
}

/* Used ring entry n of queue q: id and length. */
static uint32_t used_len(Fix *f, unsigned q, unsigned n)
{
    return get32(f, USED(q) + 4 + 8 * (n % QN) + 4);
}

static uint16_t used_idx(Fix *f, unsigned q)
{
    return get16(f, USED(q) + 2);
}

static uint32_t rd(Fix *f, uint64_t off)
{
    uint32_t v = 0xdeadbeef;
    g_assert_cmpint(address_space_ldl(&f->as, VIO_BASE + off, &v), ==, MEMTX_OK);
    return v;
}

static void wr(Fix *f, uint64_t off, uint32_t v)
{
    g_assert_cmpint(address_space_stl(&f->as, VIO_BASE + off, v), ==, MEMTX_OK);
}

static void kick(Fix *f, unsigned q)
{
    wr(f, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* The console (with `props` set, e.g. "cols=80") on the fake back end, behind the transport. */
static void plug_props(Fix *f, const char *const *props)
{
    GError *err = NULL;
    f->con = device_new(f->reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_no_error(err);
    g_assert_true(device_set_prop_ptr(f->con, "chardev", &f->chr, &err));
    for (; props && *props; props += 2) {
        g_assert_true(device_set_prop(f->con, props[0], props[1], &err));
    }
    g_assert_true(device_realize(f->con, &err));
    g_assert_no_error(err);
    f->mmio = device_new(f->reg, TYPE_VIRTIO_MMIO, &err);
    g_assert_true(device_set_prop_ptr(f->mmio, "backend", virtio_device_backend(f->con), &err));
    g_assert_true(device_set_prop_ptr(f->mmio, "as", &f->as, &err));
    g_assert_true(device_realize(f->mmio, &err));
    g_assert_true(device_connect_irq_out(f->mmio, 0, &f->sink, &err));
    memory_region_add_subregion(&f->root, VIO_BASE, device_mmio(f->mmio, 0));
}

static void plug(Fix *f)
{
    plug_props(f, NULL);
}

/* The driver's initialisation: both queues live, DRIVER_OK (no kick yet). */
static void driver_init(Fix *f, uint64_t features)
{
    wr(f, VIRTIO_MMIO_STATUS, 0);
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(f, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                              VIRTIO_STATUS_FEATURES_OK);
    g_assert_true(rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
    for (unsigned q = 0; q < 2; q++) {
        wr(f, VIRTIO_MMIO_QUEUE_SEL, q);
        g_assert_cmpuint(rd(f, VIRTIO_MMIO_QUEUE_NUM_MAX), ==, VIRTIO_CONSOLE_QUEUE_SIZE);
        wr(f, VIRTIO_MMIO_QUEUE_NUM, QN);
        wr(f, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC(q));
        wr(f, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(DESC(q) >> 32));
        wr(f, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL(q));
        wr(f, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
        wr(f, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED(q));
        wr(f, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
        wr(f, VIRTIO_MMIO_QUEUE_READY, 1);
        g_assert_cmpuint(rd(f, VIRTIO_MMIO_QUEUE_READY), ==, 1);
    }
    wr(f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                              VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
    f->avail_idx[0] = f->avail_idx[1] = 0;
}

static void host_send(Fix *f, const char *s)
{
    size_t len = strlen(s);
    g_assert_cmpuint(char_backend_can_receive(&f->chr), >=, len);
    char_backend_receive(&f->chr, (const uint8_t *)s, len);
}

static uint32_t features_low(Fix *f)
{
    wr(f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    return rd(f, VIRTIO_MMIO_DEVICE_FEATURES);
}

static bool needs_reset(Fix *f)
{
    return rd(f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* ---- Identity and config space ---- */

static void test_ids_and_config(Fix *f, gconstpointer data)
{
    static const char *const size[] = { "cols", "132", "rows", "43", NULL };
    plug_props(f, size);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_CONSOLE);
    uint32_t feat = features_low(f);
    g_assert_true(feat & (1u << VIRTIO_CONSOLE_F_SIZE));
    g_assert_true(feat & (1u << VIRTIO_CONSOLE_F_EMERG_WRITE));
    g_assert_false(feat & (1u << VIRTIO_CONSOLE_F_MULTIPORT));
    uint16_t cols = 0, rows = 0;
    address_space_lduw(&f->as, VIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_COLS, &cols);
    address_space_lduw(&f->as, VIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_ROWS, &rows);
    g_assert_cmpuint(cols, ==, 132);
    g_assert_cmpuint(rows, ==, 43);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS), ==, 1);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR), ==, 0);
    /* Beyond the 12 bytes of config: 0, no crash. */
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_SIZE), ==, 0);

    /* Emergency write: the low byte, as a 32-bit or a byte write, even before negotiation. */
    wr(f, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR, 0x41);
    g_assert_cmpint(address_space_stb(&f->as, VIO_BASE + VIRTIO_MMIO_CONFIG +
                                                  VIRTIO_CONSOLE_CFG_EMERG_WR, 'B'), ==, MEMTX_OK);
    /* Bytes 9..11 of emerg_wr and the read-only fields write nothing. */
    address_space_stb(&f->as, VIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR + 1, 'x');
    wr(f, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_COLS, 7);
    g_assert_cmpuint(f->out->len, ==, 2);
    g_assert_cmpint(memcmp(f->out->data, "AB", 2), ==, 0);
    address_space_lduw(&f->as, VIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_COLS, &cols);
    g_assert_cmpuint(cols, ==, 132);
}

static void test_size_announced(Fix *f, gconstpointer data)
{
    static const char *const size[] = { "cols", "100", "rows", "40", NULL };
    plug_props(f, size);
    /* Not negotiated: no config-change interrupt. */
    driver_init(f, F_V1);
    uint32_t gen = rd(f, VIRTIO_MMIO_CONFIG_GENERATION);
    kick(f, RXQ);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_CONFIG_GENERATION), ==, gen);
    /* Negotiated: the first kick after a reset announces cols/rows, once. */
    driver_init(f, F_V1 | (1u << VIRTIO_CONSOLE_F_SIZE));
    g_assert_cmpint(f->level, ==, 0);
    kick(f, RXQ);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_CONFIG_GENERATION), ==, gen + 1);
    g_assert_cmpint(f->level, ==, 1);
    wr(f, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    kick(f, TXQ);
    kick(f, RXQ);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_CONFIG_GENERATION), ==, gen + 1);
    g_assert_false(needs_reset(f));
}

static void test_features_by_property(Fix *f, gconstpointer data)
{
    static const char *const props[] = { "cols", "80", "emergency-write", "off", NULL };
    plug_props(f, props);
    /* Only one of cols/rows: no F_SIZE; emergency write off: no F_EMERG_WRITE, writes ignored. */
    g_assert_cmphex(features_low(f) & 7, ==, 0);
    wr(f, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR, 0x41);
    g_assert_cmpuint(f->out->len, ==, 0);
}

static void test_realize_checks(Fix *f, gconstpointer data)
{
    plug(f);
    GError *err = NULL;
    /* A back end already in use by another front end is refused. */
    Device *second = device_new(f->reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_true(device_set_prop_ptr(second, "chardev", &f->chr, &err));
    g_assert_false(device_realize(second, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZE);
    g_clear_error(&err);
    device_free(second);
    g_assert_true(f->chr.fe_opaque == f->con); /* still the first one's */
    /* cols/rows must fit config space's 16 bits. */
    Device *big = device_new(f->reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_true(device_set_prop(big, "rows", "65536", &err));
    g_assert_false(device_realize(big, &err));
    g_clear_error(&err);
    device_free(big);
    /* No back end at all: output vanishes, nothing arrives, no crash. */
    Device *none = device_new(f->reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_true(device_realize(none, &err));
    device_free(none);
}

/* ---- Guest -> host ---- */

static void test_tx(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    memcpy(gp(f, BUF), "hello, ", 7);
    memcpy(gp(f, BUF + 0x100), "world\n", 6);
    put_desc(f, TXQ, 2, BUF, 7, VRING_DESC_F_NEXT, 5);
    put_desc(f, TXQ, 5, BUF + 0x100, 6, 0, 0);
    offer(f, TXQ, 2);
    kick(f, TXQ);
    g_assert_cmpuint(f->out->len, ==, 13);
    g_assert_cmpint(memcmp(f->out->data, "hello, world\n", 13), ==, 0);
    g_assert_cmpuint(used_idx(f, TXQ), ==, 1);
    g_assert_cmpuint(used_len(f, TXQ, 0), ==, 0);
    g_assert_cmpint(f->level, ==, 1);
    wr(f, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    g_assert_cmpint(f->level, ==, 0);

    /* Two requests in one kick, in order. */
    memcpy(gp(f, BUF + 0x200), "ab", 2);
    put_desc(f, TXQ, 0, BUF + 0x200, 1, 0, 0);
    put_desc(f, TXQ, 1, BUF + 0x201, 1, 0, 0);
    offer(f, TXQ, 0);
    offer(f, TXQ, 1);
    kick(f, TXQ);
    g_assert_cmpuint(f->out->len, ==, 15);
    g_assert_cmpint(memcmp(f->out->data + 13, "ab", 2), ==, 0);
    g_assert_cmpuint(used_idx(f, TXQ), ==, 3);
}

static void test_tx_capped(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    /* Four descriptors over the same 32 KiB: 128 KiB in one request, 64 KiB passed on. */
    memset(gp(f, BUF), 'z', 0x8000);
    for (unsigned i = 0; i < 4; i++) {
        put_desc(f, TXQ, i, BUF, 0x8000, i < 3 ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
    }
    offer(f, TXQ, 0);
    kick(f, TXQ);
    g_assert_cmpuint(f->out->len, ==, VIRTIO_CONSOLE_MAX_TX_REQUEST);
    g_assert_cmpuint(used_idx(f, TXQ), ==, 1);
    g_assert_false(needs_reset(f));
}

/* ---- Host -> guest ---- */

static void test_rx(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    memset(gp(f, BUF), 0, 0x100);
    put_desc(f, RXQ, 0, BUF, 64, VRING_DESC_F_WRITE, 0);
    offer(f, RXQ, 0);
    kick(f, RXQ);
    g_assert_cmpuint(used_idx(f, RXQ), ==, 0); /* nothing to deliver yet */
    host_send(f, "ping\n");
    g_assert_cmpuint(used_idx(f, RXQ), ==, 1);
    g_assert_cmpuint(used_len(f, RXQ, 0), ==, 5);
    g_assert_cmpint(memcmp(gp(f, BUF), "ping\n", 5), ==, 0);
    g_assert_cmpint(f->level, ==, 1);
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, VIRTIO_CONSOLE_RX_HOLD);
}

static void test_rx_held_until_buffers(Fix *f, gconstpointer data)
{
    plug(f);
    /* Before the driver is up: held, and the room left shrinks. */
    host_send(f, "early ");
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, VIRTIO_CONSOLE_RX_HOLD - 6);
    driver_init(f, F_V1);
    /* DRIVER_OK and a live queue, but no kick yet: still nothing used. */
    put_desc(f, RXQ, 0, BUF, 4, VRING_DESC_F_WRITE, 0);
    offer(f, RXQ, 0);
    host_send(f, "bird");
    g_assert_cmpuint(used_idx(f, RXQ), ==, 0);
    /* Fill the hold: the back end is told 0 (it stops reading; nothing dropped). */
    uint8_t fill[VIRTIO_CONSOLE_RX_HOLD];
    size_t room = char_backend_can_receive(&f->chr);
    g_assert_cmpuint(room, ==, VIRTIO_CONSOLE_RX_HOLD - 10);
    memset(fill, '.', room);
    char_backend_receive(&f->chr, fill, room);
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, 0);
    int accepts = f->accept_calls;

    /* The kick: a 4-byte buffer gets the first 4 bytes; room again, the back end is told. */
    kick(f, RXQ);
    g_assert_cmpuint(used_idx(f, RXQ), ==, 1);
    g_assert_cmpuint(used_len(f, RXQ, 0), ==, 4);
    g_assert_cmpint(memcmp(gp(f, BUF), "earl", 4), ==, 0);
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, 4);
    g_assert_cmpint(f->accept_calls, >, accepts);

    /* More buffers (one chain of two segments, then a single one): the rest, in order. */
    put_desc(f, RXQ, 1, BUF + 0x100, 3, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    put_desc(f, RXQ, 2, BUF + 0x200, 3, VRING_DESC_F_WRITE, 0);
    put_desc(f, RXQ, 3, BUF + 0x1000, 0x2000, VRING_DESC_F_WRITE, 0);
    offer(f, RXQ, 1);
    offer(f, RXQ, 3);
    kick(f, RXQ);
    g_assert_cmpuint(used_idx(f, RXQ), ==, 3);
    g_assert_cmpuint(used_len(f, RXQ, 1), ==, 6);
    g_assert_cmpint(memcmp(gp(f, BUF + 0x100), "y b", 3), ==, 0);
    g_assert_cmpint(memcmp(gp(f, BUF + 0x200), "ird", 3), ==, 0);
    g_assert_cmpuint(used_len(f, RXQ, 2), ==, VIRTIO_CONSOLE_RX_HOLD - 10);
    g_assert_cmpint(gp(f, BUF + 0x1000)[0], ==, '.');
    g_assert_cmpint(gp(f, BUF + 0x1000)[VIRTIO_CONSOLE_RX_HOLD - 11], ==, '.');
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, VIRTIO_CONSOLE_RX_HOLD);
}

static void test_rx_survives_reset(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    host_send(f, "kept");
    wr(f, VIRTIO_MMIO_STATUS, 0); /* a driver reset (e.g. a reboot) */
    driver_init(f, F_V1);
    put_desc(f, RXQ, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
    offer(f, RXQ, 0);
    kick(f, RXQ);
    g_assert_cmpuint(used_len(f, RXQ, 0), ==, 4);
    g_assert_cmpint(memcmp(gp(f, BUF), "kept", 4), ==, 0);
}

static void test_overrun(Fix *f, gconstpointer data)
{
    plug(f);
    /* Pushing more than can_receive allowed: the excess is lost, the device is fine. */
    uint8_t big[VIRTIO_CONSOLE_RX_HOLD + 100];
    memset(big, 'o', sizeof(big));
    char_backend_receive(&f->chr, big, sizeof(big));
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, 0);
}

/* ---- Hostile drivers ---- */

static void test_rx_readable_buffer(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    put_desc(f, RXQ, 0, BUF, 16, 0, 0); /* device-readable in the receive queue */
    offer(f, RXQ, 0);
    kick(f, RXQ);
    host_send(f, "x");
    g_assert_cmpuint(used_idx(f, RXQ), ==, 0);
    g_assert_true(needs_reset(f));
    g_assert_cmpuint(rd(f, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, !=, 0);
    /* Later input is held, not written anywhere. */
    host_send(f, "y");
    g_assert_cmpuint(used_idx(f, RXQ), ==, 0);
    g_assert_cmpint(f->dev_accesses, ==, 0);
}

static void test_tx_writable_buffer(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    put_desc(f, TXQ, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
    offer(f, TXQ, 0);
    kick(f, TXQ);
    g_assert_cmpuint(used_idx(f, TXQ), ==, 0);
    g_assert_cmpuint(f->out->len, ==, 0);
    g_assert_true(needs_reset(f));
    /* Kicks of a broken queue do nothing. */
    put_desc(f, TXQ, 1, BUF, 16, 0, 0);
    offer(f, TXQ, 1);
    kick(f, TXQ);
    g_assert_cmpuint(f->out->len, ==, 0);
}

static void test_hostile_chains(Fix *f, gconstpointer data)
{
    /* Buffers on MMIO or outside RAM, loops, bad heads: broken, nothing touched or sent. */
    static const struct {
        unsigned q;
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
    } cases[] = {
        { TXQ, DEV_BASE, 16, 0, 0 },
        { TXQ, RAM_BASE + RAM_SIZE - 8, 16, 0, 0 },
        { TXQ, 0xfffffffffffffff0ull, 0x20, 0, 0 },
        { TXQ, BUF, 16, VRING_DESC_F_NEXT, 0 },         /* a loop to itself */
        { RXQ, DEV_BASE, 16, VRING_DESC_F_WRITE, 0 },
        { RXQ, BUF, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, QN + 3 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (f->con) {
            fix_fini(f, NULL);
            fix_init(f, NULL);
        }
        plug(f);
        driver_init(f, F_V1);
        put_desc(f, cases[i].q, 0, cases[i].addr, cases[i].len, cases[i].flags, cases[i].next);
        offer(f, cases[i].q, 0);
        kick(f, cases[i].q);
        host_send(f, "data");
        g_assert_true(needs_reset(f));
        g_assert_cmpuint(used_idx(f, cases[i].q), ==, 0);
        g_assert_cmpuint(f->out->len, ==, 0);
        g_assert_cmpint(f->dev_accesses, ==, 0);
    }
    /* A head index out of range on the transmit queue. */
    fix_fini(f, NULL);
    fix_init(f, NULL);
    plug(f);
    driver_init(f, F_V1);
    offer(f, TXQ, 200);
    kick(f, TXQ);
    g_assert_true(needs_reset(f));
}

/* ---- QEMU's spelling ---- */

static void test_fold_specs(Fix *f, gconstpointer data)
{
    static const char *const ok[] = {
        "virtio-rng-device", "virtio-serial-device", "virtconsole,chardev=c0,id=con0",
        "virtio-serial-device,cols=80", "virtconsole,chardev=c1", "virtio-console-device",
    };
    size_t n = 0;
    GError *err = NULL;
    char **out = virtio_console_fold_specs(ok, G_N_ELEMENTS(ok), &n, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpstr(out[0], ==, "virtio-rng-device");
    g_assert_cmpstr(out[1], ==, "virtio-serial-device,chardev=c0");
    g_assert_cmpstr(out[2], ==, "virtio-serial-device,cols=80,chardev=c1");
    g_assert_cmpstr(out[3], ==, "virtio-console-device");
    g_assert_null(out[4]);
    g_strfreev(out);

    static const char *const orphan[] = { "virtio-rng-device", "virtconsole,chardev=c0" };
    g_assert_null(virtio_console_fold_specs(orphan, 2, &n, &err));
    g_assert_nonnull(strstr(err->message, "needs a -device virtio-serial-device"));
    g_clear_error(&err);
    static const char *const two[] = { "virtio-serial-device", "virtconsole,chardev=a",
                                       "virtconsole,chardev=b" };
    g_assert_null(virtio_console_fold_specs(two, 3, &n, &err));
    g_assert_nonnull(strstr(err->message, "multiport"));
    g_clear_error(&err);
    /* A virtio-serial-device given its chardev directly already has its port. */
    static const char *const direct[] = { "virtio-serial-device,chardev=a",
                                          "virtconsole,chardev=b" };
    g_assert_null(virtio_console_fold_specs(direct, 2, &n, &err));
    g_assert_nonnull(strstr(err->message, "multiport"));
    g_clear_error(&err);
    /* A type whose name merely starts with "virtconsole" is not the port. */
    static const char *const other[] = { "virtconsolex" };
    out = virtio_console_fold_specs(other, 1, &n, &err);
    g_assert_cmpuint(n, ==, 1);
    g_strfreev(out);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define T(name, fn) g_test_add("/virtio-console/" name, Fix, NULL, fix_init, fn, fix_fini)
    T("ids-and-config", test_ids_and_config);
    T("size-announced", test_size_announced);
    T("features-by-property", test_features_by_property);
    T("realize-checks", test_realize_checks);
    T("tx", test_tx);
    T("tx-capped", test_tx_capped);
    T("rx", test_rx);
    T("rx-held-until-buffers", test_rx_held_until_buffers);
    T("rx-survives-reset", test_rx_survives_reset);
    T("overrun", test_overrun);
    T("hostile/rx-readable-buffer", test_rx_readable_buffer);
    T("hostile/tx-writable-buffer", test_tx_writable_buffer);
    T("hostile/chains", test_hostile_chains);
    T("fold-specs", test_fold_specs);
#undef T
    return g_test_run();
}
