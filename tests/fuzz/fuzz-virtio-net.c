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

#define RAM_SIZE 0x4000u
#define VIO_BASE 0x10000000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static MemTxResult trap_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    abort(); /* a ring or buffer reached MMIO */
}

static MemTxResult trap_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    abort();
}

static const MemoryRegionOps trap_ops = {
    .read = trap_read, .write = trap_write, .min_access_size = 1, .max_access_size = 8,
};

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

static AddressSpace as;
static Device *card;

static void wr(uint64_t off, uint32_t v)
{
    address_space_stl(&as, VIO_BASE + off, v);
}

static void queue(unsigned q, uint16_t num, uint32_t desc, uint32_t avail, uint32_t used)
{
    wr(VIRTIO_MMIO_QUEUE_SEL, q);
    wr(VIRTIO_MMIO_QUEUE_NUM, num);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, used);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    static MemoryRegion root, ram, trap;
    static NetClient peer = { .ops = &peer_ops };
    if (!ready) {
        memory_region_init_container(&root, "root", 0);
        memory_region_init_ram(&ram, "ram", RAM_SIZE);
        memory_region_init_io(&trap, "trap", &trap_ops, NULL, 0x1000);
        memory_region_add_subregion(&root, 0, &ram);
        memory_region_add_subregion(&root, RAM_SIZE, &trap);
        address_space_init(&as, &root, "fuzz");
        DeviceRegistry *reg = device_registry_new();
        virtio_mmio_register_types(reg);
        virtio_net_register_types(reg);
        if (!net_backend_register(&peer, "fuzz", NULL)) {
            abort();
        }
        card = device_new(reg, TYPE_VIRTIO_NET, NULL);
        Device *mmio = device_new(reg, TYPE_VIRTIO_MMIO, NULL);
        if (!device_set_prop(card, "netdev", "fuzz", NULL) || !device_realize(card, NULL) ||
            !device_set_prop_ptr(mmio, "backend", virtio_device_backend(card), NULL) ||
            !device_set_prop_ptr(mmio, "as", &as, NULL) || !device_realize(mmio, NULL)) {
            abort();
        }
        memory_region_add_subregion(&root, VIO_BASE, device_mmio(mmio, 0));
        ready = true; /* the devices live as long as the process */
    }
    if (size < 6) {
        return 0;
    }
    uint8_t *host = memory_region_get_ram_ptr(&ram);
    memset(host, 0, RAM_SIZE);
    memcpy(host, data + 6, MIN(size - 6, (size_t)RAM_SIZE));
    echo = data[0] & 4;
    uint16_t num = (uint16_t)(1 + (data[1] | data[2] << 8) % 64);
    uint32_t features = (data[0] & 1 ? 1u << VIRTIO_RING_F_INDIRECT_DESC : 0) |
                        (data[0] & 2 ? 1u << VIRTIO_RING_F_EVENT_IDX : 0) |
                        1u << VIRTIO_NET_F_MAC | 1u << VIRTIO_NET_F_STATUS;

    wr(VIRTIO_MMIO_STATUS, 0);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, features);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                           VIRTIO_STATUS_FEATURES_OK);
    queue(VIRTIO_NET_TXQ, num, 0, 0x400, 0x600);
    queue(VIRTIO_NET_RXQ, num, 0x800, 0xc00, 0xe00);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                           VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);

    wr(VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
    uint8_t frame[2000];
    size_t len = 1 + (data[4] | data[5] << 8) % sizeof(frame);
    memset(frame, 0x5a, len);
    for (unsigned i = 0; i < (data[3] & 7u); i++) {
        net_client_send(&peer, frame, len);
    }
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
    if (getenv("FUZZ_VNET_DEBUG")) {
        const VirtioNetStats *st = virtio_net_stats(card);
        fprintf(stderr, "tx %lu (dropped %lu) rx %lu (dropped %lu) backlog %u\n",
                (unsigned long)st->tx_frames, (unsigned long)st->tx_dropped,
                (unsigned long)st->rx_frames, (unsigned long)st->rx_dropped,
                virtio_net_rx_backlog(card));
    }
    return 0;
}
