/*
 * The virtio block device (hw/virtio/virtio-blk.c), device id 2.
 *
 * Device "virtio-blk-device" (QEMU's name), on the virtio bus, serving a
 * drive of the block layer (rove/block.h) named by its "drive" property:
 * read, write, flush, get-id (the "serial" property), discard and
 * write-zeroes; a read-only drive refuses writes.  One request queue.
 *
 * Requests run on the device's own I/O thread, so a slow disk never stalls
 * a vCPU: the vCPU that kicks the queue only parses the requests and hands
 * them over; the main loop pushes the finished ones back (under the big
 * lock) and interrupts the driver.
 */
#ifndef HW_VIRTIO_VIRTIO_BLK_H
#define HW_VIRTIO_VIRTIO_BLK_H

#include <stdbool.h>

#include <glib.h>

#include "rove/qdev.h"

#define TYPE_VIRTIO_BLK "virtio-blk-device"
#define VIRTIO_BLK_QUEUE_SIZE 256
#define VIRTIO_BLK_SECTOR 512
#define VIRTIO_BLK_ID_BYTES 20

/* Request types and status values (virtio 1.x, 5.2.6). */
enum {
    VIRTIO_BLK_T_IN = 0,
    VIRTIO_BLK_T_OUT = 1,
    VIRTIO_BLK_T_FLUSH = 4,
    VIRTIO_BLK_T_GET_ID = 8,
    VIRTIO_BLK_T_DISCARD = 11,
    VIRTIO_BLK_T_WRITE_ZEROES = 13,
    VIRTIO_BLK_S_OK = 0,
    VIRTIO_BLK_S_IOERR = 1,
    VIRTIO_BLK_S_UNSUPP = 2,
};

/* Feature bits (5.2.3). */
enum {
    VIRTIO_BLK_F_SEG_MAX = 2,
    VIRTIO_BLK_F_RO = 5,
    VIRTIO_BLK_F_BLK_SIZE = 6,
    VIRTIO_BLK_F_FLUSH = 9,
    VIRTIO_BLK_F_DISCARD = 13,
    VIRTIO_BLK_F_WRITE_ZEROES = 14,
};

void virtio_blk_register_types(DeviceRegistry *reg);

/*
 * Pushes the requests the I/O thread has finished and interrupts the
 * driver; the main loop does it when the thread signals.  For tests that
 * run no main loop: wait (up to timeout_ms) until at least one request is
 * finished, then complete them all.  Returns how many were completed.
 */
unsigned virtio_blk_complete(Device *dev, unsigned timeout_ms);
/* Waits until the I/O thread has run every queued request, then completes
 * them (tests and fuzzing).  Returns how many were completed. */
unsigned virtio_blk_drain(Device *dev);
/* Tests: the I/O thread leaves queued requests alone while paused, as a
 * disk that does not answer would (a reset still drops them). */
void virtio_blk_set_paused(Device *dev, bool paused);

#endif /* HW_VIRTIO_VIRTIO_BLK_H */
