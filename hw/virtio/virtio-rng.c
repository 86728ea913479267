/*
 * The virtio entropy device (virtio 1.x, 5.4): the driver offers writable
 * buffers on queue 0 ("requestq"); the device fills them with random bytes
 * and returns them with the count written.
 *
 * Bytes come from getrandom(2).  A request gets at most
 * VIRTIO_RNG_MAX_REQUEST bytes however large its buffers (the spec lets
 * the device write fewer), so one kick costs at most queue size x that
 * much host work.  A request with readable buffers is a driver error: the
 * queue is marked broken.  If the host cannot supply bytes the request is
 * returned with length 0.
 */
#include <errno.h>
#include <sys/random.h>

#include <glib.h>

#include "hw/virtio/virtio-rng.h"
#include "hw/virtio/virtio.h"

typedef struct VirtioRng {
    VirtioDevice parent;
    uint64_t requests;          /* served so far (tests) */
} VirtioRng;

/* Fills buf from the host; returns the bytes obtained. */
static size_t host_random(uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        got += (size_t)n;
    }
    return got;
}

static void rng_queue_notify(VirtioBackend *be, unsigned q)
{
    VirtioRng *s = (VirtioRng *)((char *)be - offsetof(VirtioDevice, be));
    VirtQueue *vq = virtio_queue(be, q);
    uint8_t buf[VIRTIO_RNG_MAX_REQUEST];
    VirtQueueElement *e;
    bool pushed = false;

    while (vq && (e = virtqueue_pop(vq)) != NULL) {
        if (e->out_num) {
            virtqueue_element_free(e);
            virtqueue_set_broken(vq, "virtio-rng: request with device-readable buffers");
            return;
        }
        size_t want = (size_t)MIN(e->in_len, (uint64_t)sizeof(buf));
        size_t got = host_random(buf, want);
        uint64_t written = virtqueue_write_in(vq, e, 0, buf, got);
        virtqueue_push(vq, e, (uint32_t)written);
        s->requests++;
        pushed = true;
    }
    if (pushed) {
        virtio_notify(be, q);
    }
}

static const VirtioBackendOps rng_ops = {
    .device_id = VIRTIO_ID_RNG,
    .features = 0,
    .num_queues = 1,
    .queue_max = VIRTIO_RNG_QUEUE_SIZE,
    .config_size = 0,
    .queue_notify = rng_queue_notify,
};

static void rng_init(Device *dev)
{
    VirtioRng *s = (VirtioRng *)dev;
    s->parent.be.ops = &rng_ops;
}

static const DeviceType virtio_rng_type = {
    .name = TYPE_VIRTIO_RNG,
    .help = "virtio entropy source (bytes from the host's getrandom)",
    .instance_size = sizeof(VirtioRng),
    .bus = VIRTIO_BUS,
    .init = rng_init,
};

void virtio_rng_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &virtio_rng_type);
}
