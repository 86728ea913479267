/*
 * The virtio entropy device (hw/virtio/virtio-rng.c), device id 4.
 *
 * Device "virtio-rng-device" (QEMU's name), on the virtio bus: one queue
 * of up to VIRTIO_RNG_QUEUE_SIZE entries whose writable buffers it fills
 * with bytes from the host's getrandom(2), at most VIRTIO_RNG_MAX_REQUEST
 * bytes per request.  No features, no config space.
 */
#ifndef HW_VIRTIO_VIRTIO_RNG_H
#define HW_VIRTIO_VIRTIO_RNG_H

#include "rove/qdev.h"

#define TYPE_VIRTIO_RNG "virtio-rng-device"
#define VIRTIO_RNG_QUEUE_SIZE 256
#define VIRTIO_RNG_MAX_REQUEST 4096

void virtio_rng_register_types(DeviceRegistry *reg);

#endif /* HW_VIRTIO_VIRTIO_RNG_H */
