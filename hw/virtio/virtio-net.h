/*
 * The virtio network card (hw/virtio/virtio-net.c), device id 1.
 *
 * Device "virtio-net-device" (QEMU's name), on the virtio bus.  Properties:
 *   netdev=ID   the -netdev back end (include/rove/net.h) it is joined to;
 *               without one, sent frames are dropped and none arrive
 *   mac=MAC     "52:54:00:12:34:56"; default: that, then ...:57, ...:58
 *               for each further card made without one (as QEMU)
 * Queues: 0 receive, 1 transmit, VIRTIO_NET_QUEUE_SIZE entries each.
 * Features: MAC, STATUS (the link is always up).  Every buffer starts with
 * the 12-byte virtio 1.x header (struct virtio_net_hdr_v1).
 */
#ifndef HW_VIRTIO_VIRTIO_NET_H
#define HW_VIRTIO_VIRTIO_NET_H

#include <stdint.h>

#include "rove/net.h"
#include "rove/qdev.h"

#define TYPE_VIRTIO_NET "virtio-net-device"
#define VIRTIO_NET_QUEUE_SIZE 256

enum {
    VIRTIO_NET_RXQ = 0,
    VIRTIO_NET_TXQ = 1,
};

/* Feature bits (virtio 1.x, 5.1.3). */
enum {
    VIRTIO_NET_F_MAC = 5,
    VIRTIO_NET_F_STATUS = 16,
};

/* Config space: u8 mac[6]; le16 status. */
enum {
    VIRTIO_NET_CONFIG_MAC = 0,
    VIRTIO_NET_CONFIG_STATUS = 6,
    VIRTIO_NET_CONFIG_SIZE = 8,
    VIRTIO_NET_S_LINK_UP = 1,
};

/* The header before every frame: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers (all zero but num_buffers = 1 on
 * receive, since no offload features are offered). */
#define VIRTIO_NET_HDR_SIZE 12

/*
 * Frames that arrive while the guest has no receive buffers wait, in
 * order, up to this many (and VIRTIO_NET_RX_BACKLOG_BYTES); more are
 * dropped.  A kick of the receive queue delivers them.
 */
#define VIRTIO_NET_RX_BACKLOG 256
#define VIRTIO_NET_RX_BACKLOG_BYTES (1024 * 1024)

typedef struct VirtioNetStats {
    uint64_t tx_frames;        /* passed to the peer (or dropped for want of one) */
    uint64_t tx_dropped;       /* too long, or no peer */
    uint64_t rx_frames;        /* written into a guest buffer */
    uint64_t rx_dropped;       /* backlog full, too long, or the buffer too small */
} VirtioNetStats;

void virtio_net_register_types(DeviceRegistry *reg);

/* The card's own net client (for tests) and counters; dev must be a virtio-net-device. */
NetClient *virtio_net_client(Device *dev);
const VirtioNetStats *virtio_net_stats(Device *dev);
/* Frames waiting for receive buffers. */
unsigned virtio_net_rx_backlog(Device *dev);

#endif /* HW_VIRTIO_VIRTIO_NET_H */
