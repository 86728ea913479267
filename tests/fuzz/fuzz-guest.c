/* The virtio fuzz targets' shared guest: see fuzz-guest.h. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "tests/fuzz/fuzz-guest.h"

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

void fuzz_guest_init(FuzzGuest *g, uint64_t ram_size)
{
    memset(g, 0, sizeof(*g));
    g->ram_size = ram_size;
    memory_region_init_container(&g->root, "root", 0);
    if (!memory_region_init_ram(&g->ram, "ram", ram_size)) {
        abort();
    }
    memory_region_init_io(&g->trap, "trap", &trap_ops, NULL, 0x1000);
    memory_region_add_subregion(&g->root, 0, &g->ram);
    memory_region_add_subregion(&g->root, ram_size, &g->trap);
    address_space_init(&g->as, &g->root, "fuzz");
    g->host = memory_region_get_ram_ptr(&g->ram);
}

void fuzz_guest_load(FuzzGuest *g, const uint8_t *data, size_t size)
{
    memset(g->host, 0, g->ram_size);
    memcpy(g->host, data, MIN(size, (size_t)g->ram_size));
}

void fuzz_guest_attach(FuzzGuest *g, DeviceRegistry *reg, Device *backend)
{
    Device *mmio = device_new(reg, TYPE_VIRTIO_MMIO, NULL);
    if (!mmio || !device_set_prop_ptr(mmio, "backend", virtio_device_backend(backend), NULL) ||
        !device_set_prop_ptr(mmio, "as", &g->as, NULL) || !device_realize(mmio, NULL)) {
        abort();
    }
    memory_region_add_subregion(&g->root, FUZZ_MMIO_BASE, device_mmio(mmio, 0));
}

void fuzz_guest_wr(FuzzGuest *g, uint32_t off, uint32_t v)
{
    address_space_stl(&g->as, FUZZ_MMIO_BASE + off, v);
}

uint32_t fuzz_guest_rd(FuzzGuest *g, uint32_t off)
{
    uint32_t v = 0;
    address_space_ldl(&g->as, FUZZ_MMIO_BASE + off, &v);
    return v;
}

void fuzz_guest_negotiate(FuzzGuest *g, uint64_t features)
{
    fuzz_guest_wr(g, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    fuzz_guest_wr(g, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    fuzz_guest_wr(g, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    fuzz_guest_wr(g, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    fuzz_guest_wr(g, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    fuzz_guest_wr(g, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                                             VIRTIO_STATUS_FEATURES_OK);
}

void fuzz_guest_queue(FuzzGuest *g, unsigned q, uint16_t num, uint32_t desc, uint32_t avail,
                      uint32_t used)
{
    fuzz_guest_wr(g, VIRTIO_MMIO_QUEUE_SEL, q);
    fuzz_guest_wr(g, VIRTIO_MMIO_QUEUE_NUM, num);
    fuzz_guest_wr(g, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
    fuzz_guest_wr(g, VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail);
    fuzz_guest_wr(g, VIRTIO_MMIO_QUEUE_DEVICE_LOW, used);
    fuzz_guest_wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
}

void fuzz_guest_driver_ok(FuzzGuest *g)
{
    fuzz_guest_wr(g, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                                             VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}
