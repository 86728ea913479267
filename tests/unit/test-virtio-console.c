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
#include "rove/chardev.h"
#include "tests/unit/virtio-driver.h"

#define RAM_SIZE 0x40000ull
#define QN 8
#define BUF (VD_RAM_BASE + VD_RINGS_SIZE)
#define RXQ VIRTIO_CONSOLE_RX_QUEUE
#define TXQ VIRTIO_CONSOLE_TX_QUEUE
#define F_V1 (UINT64_C(1) << VIRTIO_F_VERSION_1)

typedef struct Fix {
    VirtioDriver d;
    Device *con;
    /* The fake back end. */
    CharBackend chr;
    GByteArray *out;
    int accept_calls;
} Fix;

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
    vd_init_ram(&f->d, virtio_console_register_types, RAM_SIZE);
    vd_set_queue_size(&f->d, QN);
    f->out = g_byte_array_new();
    f->chr.write = fake_write;
    f->chr.accept_input = fake_accept_input;
    f->chr.opaque = f;
}

static void fix_fini(Fix *f, gconstpointer data)
{
    vd_fini(&f->d); /* frees the console */
    g_assert_null(f->chr.fe_ops); /* the device let go of the back end */
    g_byte_array_unref(f->out);
}

/* The console (with `props` set, e.g. "cols=80") on the fake back end, behind the transport. */
static void plug_props(Fix *f, const char *const *props)
{
    GError *err = NULL;
    f->con = device_new(f->d.reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_no_error(err);
    g_assert_true(device_set_prop_ptr(f->con, "chardev", &f->chr, &err));
    for (; props && *props; props += 2) {
        g_assert_true(device_set_prop(f->con, props[0], props[1], &err));
    }
    g_assert_true(device_realize(f->con, &err));
    g_assert_no_error(err);
    vd_attach(&f->d, f->con);
}

static void plug(Fix *f)
{
    plug_props(f, NULL);
}

/* The driver's initialisation: both queues live, DRIVER_OK (no kick yet). */
static void driver_init(Fix *f, uint64_t features)
{
    vd_setup(&f->d, features, 2);
    for (unsigned q = 0; q < 2; q++) {
        g_assert_cmpuint(vd_queue_num_max(&f->d, q), ==, VIRTIO_CONSOLE_QUEUE_SIZE);
    }
    vd_driver_ok(&f->d);
}

static void host_send(Fix *f, const char *s)
{
    size_t len = strlen(s);
    g_assert_cmpuint(char_backend_can_receive(&f->chr), >=, len);
    char_backend_receive(&f->chr, (const uint8_t *)s, len);
}

static uint32_t features_low(Fix *f)
{
    return (uint32_t)vd_device_features(&f->d);
}

static bool needs_reset(Fix *f)
{
    return vd_status(&f->d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* ---- Identity and config space ---- */

static void test_ids_and_config(Fix *f, gconstpointer data)
{
    static const char *const size[] = { "cols", "132", "rows", "43", NULL };
    plug_props(f, size);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_CONSOLE);
    uint32_t feat = features_low(f);
    g_assert_true(feat & (1u << VIRTIO_CONSOLE_F_SIZE));
    g_assert_true(feat & (1u << VIRTIO_CONSOLE_F_EMERG_WRITE));
    g_assert_false(feat & (1u << VIRTIO_CONSOLE_F_MULTIPORT));
    uint16_t cols = (uint16_t)vd_config(&f->d, VIRTIO_CONSOLE_CFG_COLS, 2);
    uint16_t rows = (uint16_t)vd_config(&f->d, VIRTIO_CONSOLE_CFG_ROWS, 2);
    g_assert_cmpuint(cols, ==, 132);
    g_assert_cmpuint(rows, ==, 43);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS), ==, 1);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR), ==, 0);
    /* Beyond the 12 bytes of config: 0, no crash. */
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_SIZE), ==, 0);

    /* Emergency write: the low byte, as a 32-bit or a byte write, even before negotiation. */
    vd_set_reg(&f->d, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR, 0x41);
    const uint64_t emerg_wr = VD_MMIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR;
    g_assert_cmpint(address_space_stb(&f->d.as, emerg_wr, 'B'), ==, MEMTX_OK);
    /* Bytes 9..11 of emerg_wr and the read-only fields write nothing. */
    address_space_stb(&f->d.as, emerg_wr + 1, 'x');
    vd_set_reg(&f->d, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_COLS, 7);
    g_assert_cmpuint(f->out->len, ==, 2);
    g_assert_cmpint(memcmp(f->out->data, "AB", 2), ==, 0);
    cols = (uint16_t)vd_config(&f->d, VIRTIO_CONSOLE_CFG_COLS, 2);
    g_assert_cmpuint(cols, ==, 132);
}

static void test_size_announced(Fix *f, gconstpointer data)
{
    static const char *const size[] = { "cols", "100", "rows", "40", NULL };
    plug_props(f, size);
    /* Not negotiated: no config-change interrupt. */
    driver_init(f, F_V1);
    uint32_t gen = vd_reg(&f->d, VIRTIO_MMIO_CONFIG_GENERATION);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), ==, gen);
    /* Negotiated: the first kick after a reset announces cols/rows, once. */
    driver_init(f, F_V1 | (1u << VIRTIO_CONSOLE_F_SIZE));
    g_assert_cmpint(f->d.level, ==, 0);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), ==, gen + 1);
    g_assert_cmpint(f->d.level, ==, 1);
    vd_set_reg(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    vd_kick(&f->d, TXQ);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), ==, gen + 1);
    g_assert_false(needs_reset(f));
}

static void test_features_by_property(Fix *f, gconstpointer data)
{
    static const char *const props[] = { "cols", "80", "emergency-write", "off", NULL };
    plug_props(f, props);
    /* Only one of cols/rows: no F_SIZE; emergency write off: no F_EMERG_WRITE, writes ignored. */
    g_assert_cmphex(features_low(f) & 7, ==, 0);
    vd_set_reg(&f->d, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_EMERG_WR, 0x41);
    g_assert_cmpuint(f->out->len, ==, 0);
}

static void test_realize_checks(Fix *f, gconstpointer data)
{
    plug(f);
    GError *err = NULL;
    /* A back end already in use by another front end is refused. */
    Device *second = device_new(f->d.reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_true(device_set_prop_ptr(second, "chardev", &f->chr, &err));
    g_assert_false(device_realize(second, &err));
    g_assert_error(err, DEVICE_ERROR, DEVICE_ERROR_REALIZE);
    g_clear_error(&err);
    device_free(second);
    g_assert_true(f->chr.fe_opaque == f->con); /* still the first one's */
    /* cols/rows must fit config space's 16 bits. */
    Device *big = device_new(f->d.reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_true(device_set_prop(big, "rows", "65536", &err));
    g_assert_false(device_realize(big, &err));
    g_clear_error(&err);
    device_free(big);
    /* No back end at all: output vanishes, nothing arrives, no crash. */
    Device *none = device_new(f->d.reg, TYPE_VIRTIO_CONSOLE, &err);
    g_assert_true(device_realize(none, &err));
    device_free(none);
}

/* ---- Guest -> host ---- */

static void test_tx(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    memcpy(vd_ptr(&f->d, BUF), "hello, ", 7);
    memcpy(vd_ptr(&f->d, BUF + 0x100), "world\n", 6);
    vd_put_desc(&f->d, TXQ, 2, BUF, 7, VRING_DESC_F_NEXT, 5);
    vd_put_desc(&f->d, TXQ, 5, BUF + 0x100, 6, 0, 0);
    vd_offer(&f->d, TXQ, 2);
    vd_kick(&f->d, TXQ);
    g_assert_cmpuint(f->out->len, ==, 13);
    g_assert_cmpint(memcmp(f->out->data, "hello, world\n", 13), ==, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 1);
    g_assert_cmpuint(vd_used(&f->d, TXQ, 0).len, ==, 0);
    g_assert_cmpint(f->d.level, ==, 1);
    vd_set_reg(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    g_assert_cmpint(f->d.level, ==, 0);

    /* Two requests in one kick, in order. */
    memcpy(vd_ptr(&f->d, BUF + 0x200), "ab", 2);
    vd_put_desc(&f->d, TXQ, 0, BUF + 0x200, 1, 0, 0);
    vd_put_desc(&f->d, TXQ, 1, BUF + 0x201, 1, 0, 0);
    vd_offer(&f->d, TXQ, 0);
    vd_offer(&f->d, TXQ, 1);
    vd_kick(&f->d, TXQ);
    g_assert_cmpuint(f->out->len, ==, 15);
    g_assert_cmpint(memcmp(f->out->data + 13, "ab", 2), ==, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 3);
}

static void test_tx_capped(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    /* Four descriptors over the same 32 KiB: 128 KiB in one request, 64 KiB passed on. */
    memset(vd_ptr(&f->d, BUF), 'z', 0x8000);
    for (unsigned i = 0; i < 4; i++) {
        vd_put_desc(&f->d, TXQ, i, BUF, 0x8000, i < 3 ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
    }
    vd_offer(&f->d, TXQ, 0);
    vd_kick(&f->d, TXQ);
    g_assert_cmpuint(f->out->len, ==, VIRTIO_CONSOLE_MAX_TX_REQUEST);
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 1);
    g_assert_false(needs_reset(f));
}

/* ---- Host -> guest ---- */

static void test_rx(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    memset(vd_ptr(&f->d, BUF), 0, 0x100);
    vd_put_desc(&f->d, RXQ, 0, BUF, 64, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, RXQ, 0);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 0); /* nothing to deliver yet */
    host_send(f, "ping\n");
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 1);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 0).len, ==, 5);
    g_assert_cmpint(memcmp(vd_ptr(&f->d, BUF), "ping\n", 5), ==, 0);
    g_assert_cmpint(f->d.level, ==, 1);
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
    vd_put_desc(&f->d, RXQ, 0, BUF, 4, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, RXQ, 0);
    host_send(f, "bird");
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 0);
    /* Fill the hold: the back end is told 0 (it stops reading; nothing dropped). */
    uint8_t fill[VIRTIO_CONSOLE_RX_HOLD];
    size_t room = char_backend_can_receive(&f->chr);
    g_assert_cmpuint(room, ==, VIRTIO_CONSOLE_RX_HOLD - 10);
    memset(fill, '.', room);
    char_backend_receive(&f->chr, fill, room);
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, 0);
    int accepts = f->accept_calls;

    /* The kick: a 4-byte buffer gets the first 4 bytes; room again, the back end is told. */
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 1);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 0).len, ==, 4);
    g_assert_cmpint(memcmp(vd_ptr(&f->d, BUF), "earl", 4), ==, 0);
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, 4);
    g_assert_cmpint(f->accept_calls, >, accepts);

    /* More buffers (one chain of two segments, then a single one): the rest, in order. */
    vd_put_desc(&f->d, RXQ, 1, BUF + 0x100, 3, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    vd_put_desc(&f->d, RXQ, 2, BUF + 0x200, 3, VRING_DESC_F_WRITE, 0);
    vd_put_desc(&f->d, RXQ, 3, BUF + 0x1000, 0x2000, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, RXQ, 1);
    vd_offer(&f->d, RXQ, 3);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 3);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 1).len, ==, 6);
    g_assert_cmpint(memcmp(vd_ptr(&f->d, BUF + 0x100), "y b", 3), ==, 0);
    g_assert_cmpint(memcmp(vd_ptr(&f->d, BUF + 0x200), "ird", 3), ==, 0);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 2).len, ==, VIRTIO_CONSOLE_RX_HOLD - 10);
    g_assert_cmpint(vd_ptr(&f->d, BUF + 0x1000)[0], ==, '.');
    g_assert_cmpint(vd_ptr(&f->d, BUF + 0x1000)[VIRTIO_CONSOLE_RX_HOLD - 11], ==, '.');
    g_assert_cmpuint(char_backend_can_receive(&f->chr), ==, VIRTIO_CONSOLE_RX_HOLD);
}

static void test_rx_survives_reset(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    host_send(f, "kept");
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0); /* a driver reset (e.g. a reboot) */
    driver_init(f, F_V1);
    vd_put_desc(&f->d, RXQ, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, RXQ, 0);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 0).len, ==, 4);
    g_assert_cmpint(memcmp(vd_ptr(&f->d, BUF), "kept", 4), ==, 0);
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
    vd_put_desc(&f->d, RXQ, 0, BUF, 16, 0, 0); /* device-readable in the receive queue */
    vd_offer(&f->d, RXQ, 0);
    vd_kick(&f->d, RXQ);
    host_send(f, "x");
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 0);
    g_assert_true(needs_reset(f));
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, !=, 0);
    /* Later input is held, not written anywhere. */
    host_send(f, "y");
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 0);
    g_assert_cmpint(f->d.dev_accesses, ==, 0);
}

static void test_tx_writable_buffer(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, F_V1);
    vd_put_desc(&f->d, TXQ, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, TXQ, 0);
    vd_kick(&f->d, TXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 0);
    g_assert_cmpuint(f->out->len, ==, 0);
    g_assert_true(needs_reset(f));
    /* Kicks of a broken queue do nothing. */
    vd_put_desc(&f->d, TXQ, 1, BUF, 16, 0, 0);
    vd_offer(&f->d, TXQ, 1);
    vd_kick(&f->d, TXQ);
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
        { TXQ, VD_DEV_BASE, 16, 0, 0 },
        { TXQ, VD_RAM_BASE + RAM_SIZE - 8, 16, 0, 0 },
        { TXQ, 0xfffffffffffffff0ull, 0x20, 0, 0 },
        { TXQ, BUF, 16, VRING_DESC_F_NEXT, 0 },         /* a loop to itself */
        { RXQ, VD_DEV_BASE, 16, VRING_DESC_F_WRITE, 0 },
        { RXQ, BUF, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, QN + 3 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (f->con) {
            fix_fini(f, NULL);
            fix_init(f, NULL);
        }
        plug(f);
        driver_init(f, F_V1);
        vd_put_desc(&f->d, cases[i].q, 0, cases[i].addr, cases[i].len, cases[i].flags,
                    cases[i].next);
        vd_offer(&f->d, cases[i].q, 0);
        vd_kick(&f->d, cases[i].q);
        host_send(f, "data");
        g_assert_true(needs_reset(f));
        g_assert_cmpuint(vd_used_idx(&f->d, cases[i].q), ==, 0);
        g_assert_cmpuint(f->out->len, ==, 0);
        g_assert_cmpint(f->d.dev_accesses, ==, 0);
    }
    /* A head index out of range on the transmit queue. */
    fix_fini(f, NULL);
    fix_init(f, NULL);
    plug(f);
    driver_init(f, F_V1);
    vd_offer(&f->d, TXQ, 200);
    vd_kick(&f->d, TXQ);
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
