/*
 * Unit tests for virtio-net-device (hw/virtio/virtio-net.c) and the net
 * layer's peers and registry (net/net.c): the card on a virtio-mmio
 * transport over a fake RAM, driven through its registers as a driver
 * would, joined to a fake back end that records what it receives and can
 * send frames (or answer inside its receive, as slirp does).
 *
 * Checked: frames sent by the driver reach the peer without the header;
 * frames from the peer land in the driver's buffers after a header with
 * num_buffers = 1; frames wait (in order, bounded) while there are no
 * buffers and go at the next kick; too-small buffers and oversized frames
 * drop; hostile chains break the queue without a crash or a frame; config
 * space, MACs, and the netdev= errors.
 */
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-net.h"
#include "rove/net.h"
#include "tests/unit/virtio-driver.h"

#define RAM_SIZE 0x40000ull
#define QN 8
#define RXQ VIRTIO_NET_RXQ
#define TXQ VIRTIO_NET_TXQ
#define BUF (VD_RAM_BASE + VD_RINGS_SIZE)
#define BIG (VD_RAM_BASE + 0x20000)   /* 128 KiB for oversized frames */

typedef struct FakePeer {
    NetClient nc;
    GPtrArray *got;             /* GBytes * frames received from the card */
    bool echo;                  /* answer each frame at once with its reverse */
} FakePeer;

typedef struct Fix {
    VirtioDriver d;
    Device *net;
    FakePeer peer;
} Fix;

static void fake_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    FakePeer *p = nc->opaque;
    g_ptr_array_add(p->got, g_bytes_new(buf, len));
    if (p->echo) {
        uint8_t *r = g_malloc(len);
        for (size_t i = 0; i < len; i++) {
            r[i] = buf[len - 1 - i];
        }
        net_client_send(nc, r, len);
        g_free(r);
    }
}

static const NetClientOps fake_ops = { .kind = "fake", .receive = fake_receive };

static void fix_init(Fix *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    vd_init_ram(&f->d, virtio_net_register_types, RAM_SIZE);
    vd_set_queue_size(&f->d, QN);
    f->peer.nc.ops = &fake_ops;
    f->peer.nc.opaque = &f->peer;
    f->peer.got = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    GError *err = NULL;
    g_assert_true(net_backend_register(&f->peer.nc, "fake", &err));
}

static void fix_fini(Fix *f, gconstpointer data)
{
    vd_fini(&f->d); /* frees the card */
    net_backends_free();
    g_assert_null(f->peer.nc.peer);
    g_ptr_array_unref(f->peer.got);
}

static Device *new_card(Fix *f, const char *netdev, const char *mac, GError **errp)
{
    Device *dev = device_new(f->d.reg, TYPE_VIRTIO_NET, errp);
    g_assert_nonnull(dev);
    if ((netdev && !device_set_prop(dev, "netdev", netdev, errp)) ||
        (mac && !device_set_prop(dev, "mac", mac, errp)) || !device_realize(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

static void plug(Fix *f)
{
    GError *err = NULL;
    f->net = new_card(f, "fake", NULL, &err);
    g_assert_no_error(err);
    g_assert_true(f->peer.nc.peer == virtio_net_client(f->net));
    vd_attach(&f->d, f->net);
}

#define F_V1 (UINT64_C(1) << VIRTIO_F_VERSION_1)
#define F_NET ((UINT64_C(1) << VIRTIO_NET_F_MAC) | (UINT64_C(1) << VIRTIO_NET_F_STATUS))

/* Up to FEATURES_OK and both queues ready; DRIVER_OK only if asked. */
static void driver_init(Fix *f, bool driver_ok)
{
    vd_setup(&f->d, F_NET | F_V1, 2);
    g_assert_cmpuint(vd_queue_num_max(&f->d, RXQ), ==, VIRTIO_NET_QUEUE_SIZE);
    g_assert_cmpuint(vd_queue_num_max(&f->d, TXQ), ==, VIRTIO_NET_QUEUE_SIZE);
    if (driver_ok) {
        vd_driver_ok(&f->d);
    }
}

static void frame_fill(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed + i * 7);
    }
}

static void peer_send(Fix *f, size_t len, uint8_t seed)
{
    uint8_t *frame = g_malloc(len);
    frame_fill(frame, len, seed);
    g_assert_true(net_client_send(&f->peer.nc, frame, len));
    g_free(frame);
}

/* Descriptor i of the rx queue: a writable buffer of len bytes at BUF + i * 0x800. */
static void rx_offer(Fix *f, unsigned i, uint32_t len)
{
    vd_put_desc(&f->d, RXQ, i, BUF + i * 0x800, len, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, RXQ, (uint16_t)i);
}

/* Used element `n` of rx holds descriptor i with a len-byte frame made from seed. */
static void check_rx(Fix *f, unsigned n, unsigned i, size_t len, uint8_t seed)
{
    g_assert_cmpuint(vd_used(&f->d, RXQ, n).id, ==, i);
    g_assert_cmpuint(vd_used(&f->d, RXQ, n).len, ==, VIRTIO_NET_HDR_SIZE + len);
    const uint8_t *p = vd_ptr(&f->d, BUF + i * 0x800);
    static const uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { [10] = 1 };
    g_assert_cmpmem(p, VIRTIO_NET_HDR_SIZE, hdr, sizeof(hdr));
    uint8_t *want = g_malloc(len);
    frame_fill(want, len, seed);
    g_assert_cmpmem(p + VIRTIO_NET_HDR_SIZE, len, want, len);
    g_free(want);
}

/* ---- Tests ---- */

static void test_config(Fix *f, gconstpointer data)
{
    plug(f);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_NET);
    g_assert_cmphex(vd_device_features(&f->d) & F_NET, ==, F_NET);
    uint8_t b[8];
    for (unsigned i = 0; i < 8; i++) {
        b[i] = (uint8_t)vd_config(&f->d, i, 1);
    }
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34 };
    g_assert_cmpmem(b, 5, mac, 5); /* the last byte depends on the cards made before */
    g_assert_cmpuint(vd_config(&f->d, 6, 2), ==, VIRTIO_NET_S_LINK_UP);
    /* Past the config space: 0. */
    g_assert_cmpuint(vd_config(&f->d, 8, 4), ==, 0);
}

static void test_macs(Fix *f, gconstpointer data)
{
    GError *err = NULL;
    /* Default MACs count up from ...:56 per card; mac= is taken as it is. */
    Device *a = new_card(f, NULL, NULL, &err);
    Device *b = new_card(f, NULL, NULL, &err);
    Device *c = new_card(f, NULL, "02:00:00:aa:bb:0c", &err);
    g_assert_no_error(err);
    uint8_t ma[8], mb[8], mc[8];
    VirtioBackend *bes[] = { virtio_device_backend(a), virtio_device_backend(b),
                             virtio_device_backend(c) };
    bes[0]->ops->config_read(bes[0], 0, ma, 4);
    bes[0]->ops->config_read(bes[0], 4, ma + 4, 4);
    bes[1]->ops->config_read(bes[1], 0, mb, 4);
    bes[1]->ops->config_read(bes[1], 4, mb + 4, 4);
    bes[2]->ops->config_read(bes[2], 0, mc, 4);
    bes[2]->ops->config_read(bes[2], 4, mc + 4, 4);
    g_assert_cmpmem(ma, 5, mb, 5);
    g_assert_cmpuint(mb[5], ==, (uint8_t)(ma[5] + 1));
    static const uint8_t want_c[6] = { 0x02, 0x00, 0x00, 0xaa, 0xbb, 0x0c };
    g_assert_cmpmem(mc, 6, want_c, 6);
    device_free(a);
    device_free(b);
    device_free(c);

    /* Bad MACs and netdevs are realize errors with a message. */
    static const char *const bad_macs[] = { "52:54:00:12:34", "52:54:00:12:34:5g",
                                            "52-54-00-12-34-56", "01:00:5e:00:00:01",
                                            "52:54:00:12:34:56:78", " 2:54:00:12:34:56" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_macs); i++) {
        g_assert_null(new_card(f, NULL, bad_macs[i], &err));
        g_assert_nonnull(strstr(err->message, "mac="));
        g_clear_error(&err);
    }
    g_assert_null(new_card(f, "missing", NULL, &err));
    g_assert_nonnull(strstr(err->message, "netdev 'missing' not found"));
    g_clear_error(&err);
    a = new_card(f, "fake", NULL, &err);
    g_assert_nonnull(a);
    g_assert_null(new_card(f, "fake", NULL, &err)); /* one card per back end */
    g_assert_nonnull(strstr(err->message, "already used"));
    g_clear_error(&err);
    device_free(a);
    g_assert_null(f->peer.nc.peer); /* freeing the card unjoins it */
    a = new_card(f, "fake", NULL, &err);
    g_assert_nonnull(a);
    device_free(a);
}

static void test_tx(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, true);
    /* Frame 1: header and frame in separate buffers; the header's bytes are ignored. */
    memset(vd_ptr(&f->d, BUF), 0xee, VIRTIO_NET_HDR_SIZE);
    frame_fill(vd_ptr(&f->d, BUF + 0x100), 60, 1);
    vd_put_desc(&f->d, TXQ, 0, BUF, VIRTIO_NET_HDR_SIZE, VRING_DESC_F_NEXT, 1);
    vd_put_desc(&f->d, TXQ, 1, BUF + 0x100, 60, 0, 0);
    vd_offer(&f->d, TXQ, 0);
    /* Frame 2: one buffer, frame split in the middle across a second one. */
    memset(vd_ptr(&f->d, BUF + 0x200), 0, VIRTIO_NET_HDR_SIZE);
    frame_fill(vd_ptr(&f->d, BUF + 0x200 + VIRTIO_NET_HDR_SIZE), 100, 2);
    frame_fill(vd_ptr(&f->d, BUF + 0x400), 1414, 102);
    vd_put_desc(&f->d, TXQ, 2, BUF + 0x200, VIRTIO_NET_HDR_SIZE + 100, VRING_DESC_F_NEXT, 3);
    vd_put_desc(&f->d, TXQ, 3, BUF + 0x400, 1414, 0, 0);
    vd_offer(&f->d, TXQ, 2);
    g_assert_cmpint(f->d.level, ==, 0);
    vd_kick(&f->d, TXQ);

    g_assert_cmpuint(f->peer.got->len, ==, 2);
    uint8_t want[1514];
    frame_fill(want, 60, 1);
    gsize len;
    const void *got = g_bytes_get_data(f->peer.got->pdata[0], &len);
    g_assert_cmpmem(got, len, want, 60);
    frame_fill(want, 100, 2);
    frame_fill(want + 100, 1414, 102);
    got = g_bytes_get_data(f->peer.got->pdata[1], &len);
    g_assert_cmpmem(got, len, want, 1514);
    /* Both returned with nothing written; the driver is interrupted. */
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 2);
    g_assert_cmpuint(vd_used(&f->d, TXQ, 0).id, ==, 0);
    g_assert_cmpuint(vd_used(&f->d, TXQ, 0).len, ==, 0);
    g_assert_cmpuint(vd_used(&f->d, TXQ, 1).id, ==, 2);
    g_assert_cmpint(f->d.level, ==, 1);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_VRING);
    g_assert_cmpuint(virtio_net_stats(f->net)->tx_frames, ==, 2);
    g_assert_cmpuint(virtio_net_stats(f->net)->tx_dropped, ==, 0);
}

static void test_tx_drops(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, true);
    /* A header with no frame, and a frame one byte over NET_MAX_FRAME: returned, not sent. */
    vd_put_desc(&f->d, TXQ, 0, BUF, VIRTIO_NET_HDR_SIZE, 0, 0);
    vd_offer(&f->d, TXQ, 0);
    vd_put_desc(&f->d, TXQ, 1, BIG, VIRTIO_NET_HDR_SIZE + NET_MAX_FRAME + 1, 0, 0);
    vd_offer(&f->d, TXQ, 1);
    /* Exactly NET_MAX_FRAME goes. */
    vd_put_desc(&f->d, TXQ, 2, BIG, VIRTIO_NET_HDR_SIZE + NET_MAX_FRAME, 0, 0);
    vd_offer(&f->d, TXQ, 2);
    vd_kick(&f->d, TXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 3);
    g_assert_cmpuint(f->peer.got->len, ==, 1);
    g_assert_cmpuint(g_bytes_get_size(f->peer.got->pdata[0]), ==, NET_MAX_FRAME);
    g_assert_cmpuint(virtio_net_stats(f->net)->tx_dropped, ==, 2);
    g_assert_false(vd_reg(&f->d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void test_rx(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, true);
    rx_offer(f, 0, VIRTIO_NET_HDR_SIZE + 1514);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 0); /* nothing to deliver yet */
    peer_send(f, 1514, 9);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 1);
    check_rx(f, 0, 0, 1514, 9);
    g_assert_cmpint(f->d.level, ==, 1);

    /* A buffer split in three, the split inside the header. */
    vd_set_reg(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    vd_put_desc(&f->d, RXQ, 1, BUF + 0x1000, 5, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
    vd_put_desc(&f->d, RXQ, 2, BUF + 0x1005, 10, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
    vd_put_desc(&f->d, RXQ, 3, BUF + 0x100f, 100, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, RXQ, 1);
    peer_send(f, 64, 3);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 2);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 1).id, ==, 1);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 1).len, ==, VIRTIO_NET_HDR_SIZE + 64);
    uint8_t want[64];
    frame_fill(want, 64, 3);
    const uint8_t *num_buffers = vd_ptr(&f->d, BUF + 0x1000 + 10);
    g_assert_cmpuint(num_buffers[0] | num_buffers[1] << 8, ==, 1);
    g_assert_cmpmem(vd_ptr(&f->d, BUF + 0x1000 + VIRTIO_NET_HDR_SIZE), 64, want, 64);
    g_assert_cmpint(f->d.level, ==, 1);
    g_assert_cmpuint(virtio_net_stats(f->net)->rx_frames, ==, 2);
}

static void test_rx_backlog(Fix *f, gconstpointer data)
{
    plug(f);
    /* Before DRIVER_OK, even with buffers offered, frames wait. */
    driver_init(f, false);
    rx_offer(f, 0, 2048);
    peer_send(f, 100, 1);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 0);
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, 1);
    vd_driver_ok(&f->d);
    /* Ready but buffers run out: two more wait behind the first. */
    peer_send(f, 200, 2);  /* delivers frame 1, keeps 2 */
    peer_send(f, 300, 3);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 1);
    check_rx(f, 0, 0, 100, 1);
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, 2);
    g_assert_cmpint(f->d.level, ==, 1);
    vd_set_reg(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);

    /* One buffer and a kick: the oldest goes. */
    rx_offer(f, 1, 2048);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 2);
    check_rx(f, 1, 1, 200, 2);
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, 1);
    g_assert_cmpint(f->d.level, ==, 1);
    /* Two buffers, a kick: the last waiting frame, then a new one straight in. */
    rx_offer(f, 2, 2048);
    rx_offer(f, 3, 2048);
    vd_kick(&f->d, RXQ);
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, 0);
    peer_send(f, 400, 4);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 4);
    check_rx(f, 2, 2, 300, 3);
    check_rx(f, 3, 3, 400, 4);

    /* The backlog is bounded; a reset empties it. */
    for (unsigned i = 0; i < VIRTIO_NET_RX_BACKLOG + 5; i++) {
        peer_send(f, 60, (uint8_t)i);
    }
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, VIRTIO_NET_RX_BACKLOG);
    g_assert_cmpuint(virtio_net_stats(f->net)->rx_dropped, ==, 5);
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, 0);
    /* The byte bound: 64 KiB frames, 15 fit in 1 MiB. */
    for (unsigned i = 0; i < 20; i++) {
        peer_send(f, NET_MAX_FRAME, 0);
    }
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==,
                     VIRTIO_NET_RX_BACKLOG_BYTES / NET_MAX_FRAME);
    g_assert_cmpuint(virtio_net_stats(f->net)->rx_dropped, ==,
                     5 + 20 - VIRTIO_NET_RX_BACKLOG_BYTES / NET_MAX_FRAME);
    vd_set_reg(&f->d, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, 0);
}

static void test_rx_small_buffer(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, true);
    rx_offer(f, 0, VIRTIO_NET_HDR_SIZE + 99);
    rx_offer(f, 1, VIRTIO_NET_HDR_SIZE + 100);
    peer_send(f, 100, 5); /* too big for buffer 0: dropped, the buffer returned empty */
    peer_send(f, 100, 6);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 2);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 0).id, ==, 0);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 0).len, ==, 0);
    check_rx(f, 1, 1, 100, 6);
    g_assert_cmpuint(virtio_net_stats(f->net)->rx_dropped, ==, 1);
    g_assert_false(vd_reg(&f->d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static void test_echo(Fix *f, gconstpointer data)
{
    /* A peer that answers inside its receive (slirp does, for ARP and DHCP). */
    plug(f);
    driver_init(f, true);
    f->peer.echo = true;
    rx_offer(f, 0, 2048);
    vd_put_desc(&f->d, TXQ, 0, BUF + 0x4000, VIRTIO_NET_HDR_SIZE + 3, 0, 0);
    memcpy(vd_ptr(&f->d, BUF + 0x4000 + VIRTIO_NET_HDR_SIZE), "abc", 3);
    vd_offer(&f->d, TXQ, 0);
    vd_kick(&f->d, TXQ);
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 1);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 1);
    g_assert_cmpuint(vd_used(&f->d, RXQ, 0).len, ==, VIRTIO_NET_HDR_SIZE + 3);
    g_assert_cmpmem(vd_ptr(&f->d, BUF + VIRTIO_NET_HDR_SIZE), 3, "cba", 3);
}

/* The transport's NEEDS_RESET and the peer untouched. */
static void expect_broken(Fix *f)
{
    g_assert_true(vd_reg(&f->d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    g_assert_cmpuint(vd_reg(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, ==,
                     VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpuint(f->peer.got->len, ==, 0);
}

static void test_hostile_tx_writable(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, true);
    vd_put_desc(&f->d, TXQ, 0, BUF, VIRTIO_NET_HDR_SIZE + 60, VRING_DESC_F_NEXT, 1);
    vd_put_desc(&f->d, TXQ, 1, BUF + 0x100, 16, VRING_DESC_F_WRITE, 0);
    vd_offer(&f->d, TXQ, 0);
    vd_kick(&f->d, TXQ);
    expect_broken(f);
    g_assert_cmpuint(vd_used_idx(&f->d, TXQ), ==, 0);
}

static void test_hostile_tx_short(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, true);
    vd_put_desc(&f->d, TXQ, 0, BUF, VIRTIO_NET_HDR_SIZE - 1, 0, 0);
    vd_offer(&f->d, TXQ, 0);
    vd_kick(&f->d, TXQ);
    expect_broken(f);
    /* Broken stays broken: more kicks do nothing. */
    vd_put_desc(&f->d, TXQ, 1, BUF, VIRTIO_NET_HDR_SIZE + 60, 0, 0);
    vd_offer(&f->d, TXQ, 1);
    vd_kick(&f->d, TXQ);
    g_assert_cmpuint(f->peer.got->len, ==, 0);
}

static void test_hostile_tx_chains(Fix *f, gconstpointer data)
{
    /* The ring layer's rules hold for the card: a loop, a buffer outside RAM. */
    plug(f);
    driver_init(f, true);
    vd_put_desc(&f->d, TXQ, 0, BUF, 64, VRING_DESC_F_NEXT, 1);
    vd_put_desc(&f->d, TXQ, 1, BUF, 64, VRING_DESC_F_NEXT, 0);
    vd_offer(&f->d, TXQ, 0);
    vd_kick(&f->d, TXQ);
    expect_broken(f);

    driver_init(f, true);
    g_assert_false(vd_reg(&f->d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    vd_put_desc(&f->d, TXQ, 0, VD_RAM_BASE + RAM_SIZE - 8, 64, 0, 0);
    vd_offer(&f->d, TXQ, 0);
    vd_kick(&f->d, TXQ);
    expect_broken(f);
}

static void test_hostile_rx_readable(Fix *f, gconstpointer data)
{
    plug(f);
    driver_init(f, true);
    vd_put_desc(&f->d, RXQ, 0, BUF, 2048, 0, 0);
    vd_offer(&f->d, RXQ, 0);
    peer_send(f, 60, 0);
    g_assert_cmpuint(vd_used_idx(&f->d, RXQ), ==, 0);
    g_assert_true(vd_reg(&f->d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    /* Later frames wait (bounded) for a reset that never comes; no crash. */
    peer_send(f, 60, 1);
    g_assert_cmpuint(virtio_net_rx_backlog(f->net), ==, 1);
}

static void test_random_chains(Fix *f, gconstpointer data)
{
    /* Garbage in both queues' descriptor tables, kicks and frames: always returns. */
    plug(f);
    GRand *r = g_rand_new_with_seed(1234);
    for (int round = 0; round < 300; round++) {
        driver_init(f, true);
        for (uint64_t a = 0; a < 16 * QN; a += 4) { /* offsets in both tables */
            uint32_t v = g_rand_int(r);
            bool wild = g_rand_int_range(r, 0, 8) == 0;
            if (a % 16 == 0 && !wild) {        /* addr: around RAM */
                v = (uint32_t)(VD_RAM_BASE +
                               g_rand_int_range(r, -0x1000, (gint32)RAM_SIZE + 0x1000));
            } else if (a % 16 == 4 && !wild) {
                v = 0;
            } else if (a % 16 == 8 && !wild) { /* len */
                v = (uint32_t)g_rand_int_range(r, 0, 3000);
            } else if (a % 16 == 12 && !wild) { /* flags, next */
                v = (v & 7) | (uint32_t)g_rand_int_range(r, 0, QN + 1) << 16;
            }
            memcpy(vd_ptr(&f->d, f->d.q[RXQ].desc + a), &v, 4);
            memcpy(vd_ptr(&f->d, f->d.q[TXQ].desc + a), &v, 4);
        }
        for (int k = 0; k < 4; k++) {
            vd_offer(&f->d, RXQ, (uint16_t)g_rand_int_range(r, 0, QN + 1));
            vd_offer(&f->d, TXQ, (uint16_t)g_rand_int_range(r, 0, QN + 1));
        }
        vd_kick(&f->d, TXQ);
        peer_send(f, (size_t)g_rand_int_range(r, 1, 2000), 0);
        vd_kick(&f->d, RXQ);
    }
    g_rand_free(r);
}

static void test_registry(Fix *f, gconstpointer data)
{
    GError *err = NULL;
    FakePeer other = { .nc = { .ops = &fake_ops } };
    other.nc.opaque = &other;
    g_assert_false(net_backend_register(&other.nc, "fake", &err));
    g_assert_nonnull(strstr(err->message, "already"));
    g_clear_error(&err);
    g_assert_false(net_backend_register(&other.nc, "", &err));
    g_clear_error(&err);
    g_assert_true(net_backend_find("fake") == &f->peer.nc);
    g_assert_null(net_backend_find("nosuch"));
    /* Peers: one each; unjoined sends are refused. */
    g_assert_false(net_client_send(&other.nc, (const uint8_t *)"x", 1));
    g_assert_true(net_client_connect(&other.nc, &f->peer.nc));
    g_assert_false(net_client_connect(&other.nc, &f->peer.nc));
    other.got = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_assert_true(net_client_send(&f->peer.nc, (const uint8_t *)"x", 1));
    g_assert_false(net_client_send(&f->peer.nc, (const uint8_t *)"x", 0));
    g_assert_cmpuint(other.got->len, ==, 1);
    net_client_disconnect(&other.nc);
    g_assert_null(f->peer.nc.peer);
    g_ptr_array_unref(other.got);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define T(name, fn) g_test_add("/virtio-net/" name, Fix, NULL, fix_init, fn, fix_fini)
    T("config", test_config);
    T("macs-and-netdev", test_macs);
    T("registry", test_registry);
    T("tx", test_tx);
    T("tx-drops", test_tx_drops);
    T("rx", test_rx);
    T("rx-backlog", test_rx_backlog);
    T("rx-small-buffer", test_rx_small_buffer);
    T("echo", test_echo);
    T("hostile/tx-writable", test_hostile_tx_writable);
    T("hostile/tx-short", test_hostile_tx_short);
    T("hostile/tx-chains", test_hostile_tx_chains);
    T("hostile/rx-readable", test_hostile_rx_readable);
    T("hostile/random-chains", test_random_chains);
#undef T
    return g_test_run();
}
