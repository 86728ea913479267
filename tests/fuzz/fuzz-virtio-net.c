/*
 * Fuzz target for virtio-net-device (hw/virtio/virtio-net.c) through the
 * virtio-mmio transport: the transmit parser and the receive path on
 * guest rings built from the input.
 *
 * Input: byte 0 = flags (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX negotiated,
 * bit 2 the back end answers each frame inside its receive), bytes 1-2 =
 * queue size (1 + value % 64), byte 3 = frames the back end sends (% 8),
 * bytes 4-5 = their length (1 + value % 2000), then the first bytes of
 * guest RAM (16 KiB at address 0): transmit queue's descriptors at 0,
 * available ring at 0x400, used ring at 0x600; receive queue's at 0x800,
 * 0xc00, 0xe00; buffers after.  An MMIO region right after RAM aborts if
 * it is ever touched, and so does a frame outside 1..NET_MAX_FRAME
 * reaching the back end.  tests/fuzz/virtio-net-seed.bin (made by
 * gen-virtio-net-seed.py) sends two frames and offers two receive buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-net.h"
#include "rove/net.h"
#include "tests/fuzz/fuzz-guest.h"

#define RAM_SIZE 0x4000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool echo;

static void peer_receive(NetClient *nc, const uint8_t *buf, size_t len)
{
    if (len == 0 || len > NET_MAX_FRAME) {
        abort();
    }
    if (echo) {
        net_client_send(nc, buf, len);
    }
}

static const NetClientOps peer_ops = { .kind = "fuzz", .receive = peer_receive };

static FuzzGuest g;
static Device *card;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    static NetClient peer = { .ops = &peer_ops };
    if (!ready) {
        fuzz_guest_init(&g, RAM_SIZE);
        static DeviceRegistry *reg; /* lives as long as the devices made from it */
        reg = device_registry_new();
        virtio_mmio_register_types(reg);
        virtio_net_register_types(reg);
        if (!net_backend_register(&peer, "fuzz", NULL)) {
            abort();
        }
        card = device_new(reg, TYPE_VIRTIO_NET, NULL);
        if (!device_set_prop(card, "netdev", "fuzz", NULL) || !device_realize(card, NULL)) {
            abort();
        }
        fuzz_guest_attach(&g, reg, card);
        ready = true; /* the devices live as long as the process */
    }
    if (size < 6) {
        return 0;
    }
    fuzz_guest_load(&g, data + 6, size - 6);
    echo = data[0] & 4;
    uint16_t num = (uint16_t)(1 + (data[1] | data[2] << 8) % 64);
    uint64_t features = (data[0] & 1 ? UINT64_C(1) << VIRTIO_RING_F_INDIRECT_DESC : 0) |
                        (data[0] & 2 ? UINT64_C(1) << VIRTIO_RING_F_EVENT_IDX : 0) |
                        UINT64_C(1) << VIRTIO_NET_F_MAC | UINT64_C(1) << VIRTIO_NET_F_STATUS |
                        UINT64_C(1) << VIRTIO_F_VERSION_1;

    fuzz_guest_wr(&g, VIRTIO_MMIO_STATUS, 0);
    fuzz_guest_negotiate(&g, features);
    fuzz_guest_queue(&g, VIRTIO_NET_TXQ, num, 0, 0x400, 0x600);
    fuzz_guest_queue(&g, VIRTIO_NET_RXQ, num, 0x800, 0xc00, 0xe00);
    fuzz_guest_driver_ok(&g);

    fuzz_guest_wr(&g, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
    uint8_t frame[2000];
    size_t len = 1 + (data[4] | data[5] << 8) % sizeof(frame);
    memset(frame, 0x5a, len);
    for (unsigned i = 0; i < (data[3] & 7u); i++) {
        net_client_send(&peer, frame, len);
    }
    fuzz_guest_wr(&g, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
    if (getenv("FUZZ_VNET_DEBUG")) {
        const VirtioNetStats *st = virtio_net_stats(card);
        fprintf(stderr, "tx %lu (dropped %lu) rx %lu (dropped %lu) backlog %u\n",
                (unsigned long)st->tx_frames, (unsigned long)st->tx_dropped,
                (unsigned long)st->rx_frames, (unsigned long)st->rx_dropped,
                virtio_net_rx_backlog(card));
    }
    return 0;
}
