/*
 * The virtio network card (virtio 1.x, 5.1): queue 0 takes the driver's
 * receive buffers, queue 1 its frames to send; each buffer starts with
 * the 12-byte virtio_net_hdr_v1.  The other end is a NetClient peer
 * (include/rove/net.h), e.g. the slirp back end of -netdev user.
 *
 * Transmit (a kick of queue 1): every request is a device-readable chain
 * of header + frame.  The header is skipped (no offloads are offered, so
 * it carries nothing), the frame goes to the peer and the request back to
 * the driver with 0 bytes written.  A frame longer than NET_MAX_FRAME or
 * empty is dropped; a request shorter than the header, or with writable
 * buffers, is a driver error that breaks the queue.
 *
 * Receive (a frame from the peer): one device-writable chain per frame
 * (no MRG_RXBUF): header (num_buffers = 1) + frame.  A chain too small for
 * the frame gets 0 bytes and the frame is dropped; one with readable
 * buffers breaks the queue.  While the driver is not ready or has no
 * buffers, frames wait in a bounded backlog, delivered in order by the
 * next frame or rx kick; a device reset empties it.
 *
 * Everything runs under the big lock: queue kicks from vCPUs, frames from
 * the peer (net.h).  A frame sent to the peer may come back at once (the
 * peer answers inside net_client_send); only the receive queue is touched
 * then, so the transmit loop is not disturbed.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-net.h"
#include "hw/virtio/virtio.h"

typedef struct VirtioNet {
    VirtioDevice parent;
    char *netdev;               /* property: the -netdev id, or NULL */
    char *mac_prop;             /* property: "52:54:00:12:34:56", or NULL */
    uint8_t mac[6];
    NetClient nc;
    GQueue backlog;             /* GBytes * frames waiting for receive buffers */
    size_t backlog_bytes;
    VirtioNetStats stats;
} VirtioNet;

static VirtioNet *net_of_be(VirtioBackend *be)
{
    return (VirtioNet *)((char *)be - offsetof(VirtioDevice, be));
}

/* ---- Receive ---- */

typedef enum RxResult {
    RX_DONE,        /* written, or dropped for good */
    RX_NO_BUFFER,   /* keep it for later */
} RxResult;

static RxResult rx_deliver(VirtioNet *s, const uint8_t *frame, size_t len)
{
    VirtioBackend *be = &s->parent.be;
    VirtQueue *vq = virtio_queue(be, VIRTIO_NET_RXQ);
    if (!vq || !be->driver_ok) {
        return RX_NO_BUFFER;
    }
    VirtQueueElement *e = virtqueue_pop(vq);
    if (!e) {
        return RX_NO_BUFFER;
    }
    if (e->out_num) {
        virtqueue_element_free(e);
        virtqueue_set_broken(vq, "virtio-net: receive buffer that is device-readable");
        s->stats.rx_dropped++;
        return RX_DONE;
    }
    if (e->in_len < VIRTIO_NET_HDR_SIZE + (uint64_t)len) {
        virtqueue_push(vq, e, 0);
        s->stats.rx_dropped++;
        return RX_DONE;
    }
    uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { 0 };
    hdr[10] = 1; /* num_buffers, little-endian 16 bits */
    uint64_t written = virtqueue_write_in(vq, e, 0, hdr, sizeof(hdr));
    if (written == sizeof(hdr)) {
        written += virtqueue_write_in(vq, e, sizeof(hdr), frame, len);
    }
    virtqueue_push(vq, e, (uint32_t)written);
    s->stats.rx_frames++;
    return RX_DONE;
}

/* Delivers waiting frames while there are buffers; true if any went. */
static bool rx_flush_backlog(VirtioNet *s)
{
    bool any = false;
    GBytes *b;
    while ((b = g_queue_peek_head(&s->backlog)) != NULL) {
        gsize len;
        const uint8_t *data = g_bytes_get_data(b, &len);
        if (rx_deliver(s, data, len) == RX_NO_BUFFER) {
            break;
        }
        g_queue_pop_head(&s->backlog);
        s->backlog_bytes -= len;
        g_bytes_unref(b);
        any = true;
    }
    return any;
}

static void rx_backlog_clear(VirtioNet *s)
{
    GBytes *b;
    while ((b = g_queue_pop_head(&s->backlog)) != NULL) {
        g_bytes_unref(b);
    }
    s->backlog_bytes = 0;
}

static void card_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    VirtioNet *s = nc->opaque;
    if (len > NET_MAX_FRAME) {
        s->stats.rx_dropped++;
        return;
    }
    bool pushed = rx_flush_backlog(s); /* earlier frames first */
    if (g_queue_is_empty(&s->backlog) && rx_deliver(s, buf, len) == RX_DONE) {
        pushed = true;
    } else if (g_queue_get_length(&s->backlog) >= VIRTIO_NET_RX_BACKLOG ||
               s->backlog_bytes + len > VIRTIO_NET_RX_BACKLOG_BYTES) {
        s->stats.rx_dropped++;
    } else {
        g_queue_push_tail(&s->backlog, g_bytes_new(buf, len));
        s->backlog_bytes += len;
    }
    if (pushed) {
        virtio_notify(&s->parent.be, VIRTIO_NET_RXQ);
    }
}

/* ---- Transmit ---- */

static void tx_run(VirtioNet *s, VirtQueue *vq)
{
    VirtQueueElement *e;
    bool pushed = false;
    while ((e = virtqueue_pop(vq)) != NULL) {
        if (e->in_num) {
            virtqueue_element_free(e);
            virtqueue_set_broken(vq, "virtio-net: transmit request with device-writable buffers");
            break;
        }
        if (e->out_len < VIRTIO_NET_HDR_SIZE) {
            virtqueue_element_free(e);
            virtqueue_set_broken(vq, "virtio-net: transmit request shorter than its header");
            break;
        }
        uint64_t len = e->out_len - VIRTIO_NET_HDR_SIZE;
        bool sent = false;
        if (len > 0 && len <= NET_MAX_FRAME) {
            uint8_t *frame = g_malloc(len);
            if (virtqueue_read_out(vq, e, VIRTIO_NET_HDR_SIZE, frame, len) == len) {
                sent = net_client_send(&s->nc, frame, len);
            }
            g_free(frame);
        }
        s->stats.tx_frames++;
        if (!sent) {
            s->stats.tx_dropped++;
        }
        virtqueue_push(vq, e, 0);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(&s->parent.be, VIRTIO_NET_TXQ);
    }
}

/* ---- Back-end interface ---- */

static void net_queue_notify(VirtioBackend *be, unsigned q)
{
    VirtioNet *s = net_of_be(be);
    VirtQueue *vq = virtio_queue(be, q);
    if (!vq) {
        return;
    }
    if (q == VIRTIO_NET_TXQ) {
        tx_run(s, vq);
    } else if (rx_flush_backlog(s)) {
        virtio_notify(be, VIRTIO_NET_RXQ);
    }
}

static void net_config_read(VirtioBackend *be, uint32_t offset, uint8_t *buf, unsigned len)
{
    VirtioNet *s = net_of_be(be);
    uint8_t cfg[VIRTIO_NET_CONFIG_SIZE];
    memcpy(cfg + VIRTIO_NET_CONFIG_MAC, s->mac, 6);
    cfg[VIRTIO_NET_CONFIG_STATUS] = VIRTIO_NET_S_LINK_UP;
    cfg[VIRTIO_NET_CONFIG_STATUS + 1] = 0;
    /* The transport checked offset + len <= VIRTIO_NET_CONFIG_SIZE. */
    memcpy(buf, cfg + offset, len);
}

static void net_reset(VirtioBackend *be)
{
    rx_backlog_clear(net_of_be(be));
}

static const VirtioBackendOps net_ops = {
    .device_id = VIRTIO_ID_NET,
    .features = (UINT64_C(1) << VIRTIO_NET_F_MAC) | (UINT64_C(1) << VIRTIO_NET_F_STATUS),
    .num_queues = 2,
    .queue_max = VIRTIO_NET_QUEUE_SIZE,
    .config_size = VIRTIO_NET_CONFIG_SIZE,
    .config_read = net_config_read,
    .queue_notify = net_queue_notify,
    .reset = net_reset,
};

static const NetClientOps card_ops = {
    .kind = TYPE_VIRTIO_NET,
    .receive = card_receive,
};

/* ---- The device ---- */

/* Cards made without mac= get 52:54:00:12:34:56, :57, ... in creation order. */
static unsigned next_default_mac;

static bool parse_mac(const char *text, uint8_t mac[6])
{
    unsigned v[6];
    char end;
    if (strlen(text) != 17 ||
        sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &end) != 6) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (!g_ascii_isxdigit(text[3 * i]) || !g_ascii_isxdigit(text[3 * i + 1])) {
            return false;
        }
        mac[i] = (uint8_t)v[i];
    }
    return true;
}

static void net_init(Device *dev)
{
    VirtioNet *s = (VirtioNet *)dev;
    s->parent.be.ops = &net_ops;
    s->nc.ops = &card_ops;
    s->nc.opaque = s;
    g_queue_init(&s->backlog);
}

static bool net_realize(Device *dev, GError **errp)
{
    VirtioNet *s = (VirtioNet *)dev;
    if (s->mac_prop) {
        if (!parse_mac(s->mac_prop, s->mac) || (s->mac[0] & 1)) {
            g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_BAD_VALUE,
                        "mac=%s: not a unicast MAC address like 52:54:00:12:34:56",
                        s->mac_prop);
            return false;
        }
    } else {
        static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        memcpy(s->mac, base, 6);
        s->mac[5] = (uint8_t)(base[5] + next_default_mac);
    }
    if (s->netdev && !net_backend_attach(&s->nc, s->netdev, errp)) {
        return false;
    }
    if (!s->mac_prop) {
        next_default_mac++;
    }
    return true;
}

static void net_finalize(Device *dev)
{
    VirtioNet *s = (VirtioNet *)dev;
    net_client_disconnect(&s->nc);
    rx_backlog_clear(s);
}

static const Property net_props[] = {
    DEFINE_PROP_STRING("netdev", VirtioNet, netdev, NULL, "id of the -netdev back end"),
    DEFINE_PROP_STRING("mac", VirtioNet, mac_prop, NULL,
                       "MAC address (default 52:54:00:12:34:56, then :57, ...)"),
    DEFINE_PROP_END,
};

static const DeviceType virtio_net_type = {
    .name = TYPE_VIRTIO_NET,
    .help = "virtio network card (joined to a -netdev back end by netdev=ID)",
    .instance_size = sizeof(VirtioNet),
    .props = net_props,
    .bus = VIRTIO_BUS,
    .init = net_init,
    .realize = net_realize,
    .finalize = net_finalize,
};

void virtio_net_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &virtio_net_type);
}

static VirtioNet *net_of_dev(Device *dev)
{
    g_assert(dev->type == &virtio_net_type);
    return (VirtioNet *)dev;
}

NetClient *virtio_net_client(Device *dev)
{
    return &net_of_dev(dev)->nc;
}

const VirtioNetStats *virtio_net_stats(Device *dev)
{
    return &net_of_dev(dev)->stats;
}

unsigned virtio_net_rx_backlog(Device *dev)
{
    return g_queue_get_length(&net_of_dev(dev)->backlog);
}
