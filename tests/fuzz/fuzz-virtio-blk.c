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
#include "tests/fuzz/fuzz-guest.h"

#define RAM_SIZE 0x4000u
#define DISK_SIZE (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FuzzGuest g;
static Device *blk;

static void setup(void)
{
    fuzz_guest_init(&g, RAM_SIZE);
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
    static DeviceRegistry *reg; /* lives as long as the devices made from it */
    reg = device_registry_new();
    virtio_mmio_register_types(reg);
    virtio_blk_register_types(reg);
    blk = device_new(reg, TYPE_VIRTIO_BLK, NULL);
    if (!device_set_prop(blk, "drive", "fuzz", NULL) ||
        !device_set_prop(blk, "serial", "fuzz-serial", NULL) || !device_realize(blk, NULL)) {
        abort();
    }
    fuzz_guest_attach(&g, reg, blk);
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

    fuzz_guest_wr(&g, VIRTIO_MMIO_STATUS, 0); /* waits for anything in flight */
    uint8_t *host = g.host;
    fuzz_guest_load(&g, data + 2, size - 2);
    memset(host + 0x600, 0, 0x400); /* the used ring is the device's to write */
    uint16_t offered = (uint16_t)(host[0x402] | host[0x403] << 8);

    fuzz_guest_negotiate(&g, features);
    fuzz_guest_queue(&g, 0, num, 0, 0x400, 0x600);
    fuzz_guest_driver_ok(&g);
    for (int round = 0; round < 2; round++) {
        fuzz_guest_wr(&g, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
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
                fuzz_guest_rd(&g, VIRTIO_MMIO_STATUS));
    }
    return 0;
}
