/*
 * Virtio devices independent of the transport: status and feature bits,
 * device ids, and the interface between a transport (virtio-mmio.c) and a
 * device back end (virtio-rng.c, ...).
 *
 * A back end is a qdev type with .bus = "virtio" whose instance starts
 * with a VirtioDevice.  The transport owns the queues and the feature
 * negotiation; the back end sees only its queues, the negotiated features
 * and these calls, all under the big lock:
 *   - ops->queue_notify(be, q): the driver kicked queue q (the transport
 *     checks q < num_queues and that the queue is ready and not broken);
 *   - ops->config_read/write(be, offset, buf, len): device config space,
 *     offset + len <= config_size (checked by the transport);
 *   - ops->reset(be): the driver wrote status 0, or the machine reset.
 * and calls back virtio_notify(be, q) after pushing used buffers, and
 * virtio_config_changed(be) when its config space changed.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/virtio/virtqueue.h"
#include "rove/qdev.h"

#define VIRTIO_BUS "virtio"

/* Device status (virtio 1.x, 2.1). */
enum {
    VIRTIO_STATUS_ACKNOWLEDGE = 1,
    VIRTIO_STATUS_DRIVER = 2,
    VIRTIO_STATUS_DRIVER_OK = 4,
    VIRTIO_STATUS_FEATURES_OK = 8,
    VIRTIO_STATUS_DEVICE_NEEDS_RESET = 64,
    VIRTIO_STATUS_FAILED = 128,
};

/* Transport-level feature bits (2.2, 6). */
enum {
    VIRTIO_F_VERSION_1 = 32,
};

/* Device ids (5). */
enum {
    VIRTIO_ID_NONE = 0,     /* an empty transport slot */
    VIRTIO_ID_NET = 1,
    VIRTIO_ID_BLOCK = 2,
    VIRTIO_ID_CONSOLE = 3,
    VIRTIO_ID_RNG = 4,
};

#define VIRTIO_MAX_QUEUES 8

typedef struct VirtioBackend VirtioBackend;

typedef struct VirtioBackendOps {
    uint32_t device_id;
    uint64_t features;        /* device-specific bits offered (the transport adds its own) */
    unsigned num_queues;      /* 1..VIRTIO_MAX_QUEUES */
    uint16_t queue_max;       /* QueueNumMax, 1..VIRTQUEUE_MAX_SIZE */
    uint32_t config_size;     /* bytes of device config space (<= 0x100) */
    void (*config_read)(VirtioBackend *be, uint32_t offset, uint8_t *buf, unsigned len);
    void (*config_write)(VirtioBackend *be, uint32_t offset, const uint8_t *buf, unsigned len);
    void (*queue_notify)(VirtioBackend *be, unsigned q);
    void (*reset)(VirtioBackend *be);
} VirtioBackendOps;

struct VirtioBackend {
    const VirtioBackendOps *ops;    /* set by the back end's init */
    /* Set by the transport when the back end is plugged in. */
    VirtQueue *queues;              /* ops->num_queues of them */
    uint64_t features;              /* what the driver accepted (valid once FEATURES_OK) */
    bool driver_ok;                 /* Status has DRIVER_OK: the device may use the queues */
    void (*notify)(VirtioBackend *be, unsigned q);   /* raise the used-buffer interrupt */
    void (*config_changed)(VirtioBackend *be);       /* raise the config-change interrupt */
    void *transport;
};

/* The common start of every back end instance (DeviceType.bus == "virtio"). */
typedef struct VirtioDevice {
    Device parent;
    VirtioBackend be;
} VirtioDevice;

/* The back end of dev, or NULL when dev's type is not on the virtio bus. */
VirtioBackend *virtio_device_backend(Device *dev);

static inline VirtQueue *virtio_queue(VirtioBackend *be, unsigned q)
{
    return q < be->ops->num_queues && be->queues ? &be->queues[q] : NULL;
}

static inline bool virtio_has_feature(const VirtioBackend *be, unsigned bit)
{
    return bit < 64 && (be->features >> bit) & 1;
}

/* After pushing to queue q: interrupt the driver if it asked for it. */
void virtio_notify(VirtioBackend *be, unsigned q);
/* The device changed its config space: tell the driver (once it is DRIVER_OK). */
void virtio_config_changed(VirtioBackend *be);

#endif /* HW_VIRTIO_VIRTIO_H */
