/*
 * Fuzz target for virtio-blk's request parsing (hw/virtio/virtio-blk.c),
 * through the virtio-mmio transport, on a 256 KiB raw disk in a temporary
 * file.
 *
 * Input: byte 0 = flags (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX), byte 1 =
 * queue size - 1 (mod 64), then the first bytes of 16 KiB of guest RAM at
 * address 0: the descriptor table at 0, the available ring at 0x400, the
 * used ring at 0x600 (zeroed), headers, indirect tables and buffers after.  The
 * queue is kicked twice (requests, then whatever the first round left),
 * and every request the I/O thread took is completed.  An MMIO region
 * right after RAM aborts if touched; the target aborts if the used index
 * moves by more than was offered or a written length exceeds RAM.
 * tests/fuzz/virtio-blk-seed.bin (gen-virtio-blk-seed.py) holds a write,
 * a read, a flush, a get-id and a discard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "rove/block.h"

#define RAM_SIZE 0x4000u
#define MMIO_BASE 0x10000000u
#define DISK_SIZE (256 * 1024)

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

static MemoryRegion root, ram, trap;
static AddressSpace as;
static Device *blk, *mmio;

static void wr(uint32_t off, uint32_t v)
{
    address_space_stl(&as, MMIO_BASE + off, v);
}

static uint32_t rd(uint32_t off)
{
    uint32_t v = 0;
    address_space_ldl(&as, MMIO_BASE + off, &v);
    return v;
}

static void setup(void)
{
    memory_region_init_container(&root, "root", 0);
    memory_region_init_ram(&ram, "ram", RAM_SIZE);
    memory_region_init_io(&trap, "trap", &trap_ops, NULL, 0x1000);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion(&root, RAM_SIZE, &trap);
    address_space_init(&as, &root, "fuzz");

    char *path = NULL;
    int fd = g_file_open_tmp("rove-fuzz-blk-XXXXXX", &path, NULL);
    if (fd < 0 || ftruncate(fd, DISK_SIZE) != 0) {
        abort();
    }
    close(fd);
    BlockOpenOptions o = { .format = "raw", .cache = BLOCK_CACHE_UNSAFE };
    BlockDev *bs = block_open(path, &o, NULL);
    unlink(path); /* the open file lives on */
    g_free(path);
    if (!bs || !block_drive_add("fuzz", bs)) {
        abort();
    }
    DeviceRegistry *reg = device_registry_new();
    virtio_mmio_register_types(reg);
    virtio_blk_register_types(reg);
    blk = device_new(reg, TYPE_VIRTIO_BLK, NULL);
    if (!device_set_prop(blk, "drive", "fuzz", NULL) ||
        !device_set_prop(blk, "serial", "fuzz-serial", NULL) || !device_realize(blk, NULL)) {
        abort();
    }
    mmio = device_new(reg, TYPE_VIRTIO_MMIO, NULL);
    device_set_prop_ptr(mmio, "backend", virtio_device_backend(blk), NULL);
    device_set_prop_ptr(mmio, "as", &as, NULL);
    if (!device_realize(mmio, NULL)) {
        abort();
    }
    memory_region_add_subregion(&root, MMIO_BASE, device_mmio(mmio, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    if (size < 2) {
        return 0;
    }
    uint64_t features = (UINT64_C(1) << VIRTIO_F_VERSION_1) |
                        (UINT64_C(1) << VIRTIO_BLK_F_FLUSH) |
                        (UINT64_C(1) << VIRTIO_BLK_F_DISCARD) |
                        (UINT64_C(1) << VIRTIO_BLK_F_WRITE_ZEROES) |
                        ((uint64_t)(data[0] & 1) << 28) | ((uint64_t)(data[0] & 2) << 28);
    uint16_t num = (uint16_t)(1 + data[1] % 64);

    wr(VIRTIO_MMIO_STATUS, 0); /* waits for anything in flight */
    uint8_t *host = memory_region_get_ram_ptr(&ram);
    memset(host, 0, RAM_SIZE);
    memcpy(host, data + 2, MIN(size - 2, (size_t)RAM_SIZE));
    memset(host + 0x600, 0, 0x400); /* the used ring is the device's to write */
    uint16_t offered = (uint16_t)(host[0x402] | host[0x403] << 8);

    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                           VIRTIO_STATUS_FEATURES_OK);
    wr(VIRTIO_MMIO_QUEUE_SEL, 0);
    wr(VIRTIO_MMIO_QUEUE_NUM, num);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x400);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x600);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                           VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
    for (int round = 0; round < 2; round++) {
        wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        virtio_blk_drain(blk);
    }
    uint16_t used = (uint16_t)(host[0x602] | host[0x603] << 8);
    if (used > offered) {
        abort(); /* more completions than requests offered */
    }
    for (unsigned i = 0; i < MIN(used, num); i++) {
        uint32_t len;
        memcpy(&len, host + 0x604 + 8 * i + 4, 4);
        if (GUINT32_FROM_LE(len) > RAM_SIZE) {
            abort(); /* claims to have written more than could be offered */
        }
    }
    if (getenv("FUZZ_BLK_DEBUG")) {
        fprintf(stderr, "offered %u used %u status %#x\n", offered, used,
                rd(VIRTIO_MMIO_STATUS));
    }
    return 0;
}
