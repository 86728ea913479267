/*
 * Transport-independent virtio helpers (hw/virtio/virtio.h).
 */
#include <string.h>

#include "hw/virtio/virtio.h"

VirtioBackend *virtio_device_backend(Device *dev)
{
    if (!dev || !dev->type->bus || strcmp(dev->type->bus, VIRTIO_BUS) != 0 ||
        dev->type->instance_size < sizeof(VirtioDevice)) {
        return NULL;
    }
    return &((VirtioDevice *)dev)->be;
}

void virtio_config_changed(VirtioBackend *be)
{
    if (be->config_changed) {
        be->config_changed(be);
    }
}

void virtio_notify(VirtioBackend *be, unsigned q)
{
    VirtQueue *vq = virtio_queue(be, q);
    if (vq && be->notify && virtqueue_should_notify(vq)) {
        be->notify(be, q);
    }
}
