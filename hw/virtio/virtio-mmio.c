/*
 * The virtio-mmio transport, version 2 (virtio 1.x, 4.2.2): the register
 * window through which a driver discovers a device, negotiates features,
 * describes its queues and kicks them, and the interrupt line through
 * which the device reports used buffers and configuration changes.
 *
 * Registers below 0x100 are 32-bit (other sizes read 0 and are ignored);
 * device config space at 0x100 takes 1-, 2- and 4-byte accesses.  Reads of
 * write-only registers and of unassigned offsets return 0.
 *
 * Behaviour worth knowing:
 * - An empty slot (no back end) answers magic, version, vendor and device
 *   id 0, which drivers take as "nothing here"; everything else is 0.
 * - Features: the back end's bits plus VERSION_1, INDIRECT_DESC and
 *   EVENT_IDX.  FEATURES_OK sticks only if the driver accepted a subset
 *   that includes VERSION_1 (the driver then sees it clear and gives up).
 * - Queue registers are written into the selected queue only while it is
 *   not ready; QueueNum must be 1..QueueNumMax.  QueueReady = 1 checks
 *   the rings (virtqueue_start); a bad layout breaks the queue.
 * - A queue that breaks (virtqueue.h) sets DEVICE_NEEDS_RESET in Status
 *   and, once DRIVER_OK, raises a configuration-change interrupt.
 * - Writing Status 0 resets the device: queues, features, selectors,
 *   interrupt status (the line drops), and the back end's reset.
 * - virtio_config_changed from the back end bumps the config generation
 *   and, once DRIVER_OK, raises a configuration-change interrupt.
 * - The irq line is high while InterruptStatus is non-zero.
 */
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtio-mmio.h"

typedef struct VirtioMmio {
    Device parent;
    VirtioBackend *be;          /* "backend" link; NULL: empty slot */
    AddressSpace *as;           /* "as" link */
    MemoryRegion mmio;
    IrqLine *irq;

    VirtQueue queues[VIRTIO_MAX_QUEUES];
    uint32_t status;
    uint32_t int_status;
    uint32_t config_gen;
    uint32_t dev_features_sel;
    uint32_t drv_features_sel;
    uint64_t drv_features;
    uint32_t queue_sel;
} VirtioMmio;

static uint64_t mmio_offered(const VirtioMmio *s)
{
    return s->be->ops->features | (UINT64_C(1) << VIRTIO_F_VERSION_1) |
           (UINT64_C(1) << VIRTIO_RING_F_INDIRECT_DESC) | (UINT64_C(1) << VIRTIO_RING_F_EVENT_IDX);
}

static void mmio_update_irq(VirtioMmio *s)
{
    irq_set(s->irq, s->int_status != 0);
}

static void mmio_notify(VirtioBackend *be, unsigned q)
{
    VirtioMmio *s = be->transport;
    s->int_status |= VIRTIO_MMIO_INT_VRING;
    mmio_update_irq(s);
}

/* A config-change interrupt with a new generation; drivers are told only once DRIVER_OK. */
static void mmio_config_changed(VirtioBackend *be)
{
    VirtioMmio *s = be->transport;
    s->config_gen++;
    if (s->status & VIRTIO_STATUS_DRIVER_OK) {
        s->int_status |= VIRTIO_MMIO_INT_CONFIG;
        mmio_update_irq(s);
    }
}

static void mmio_queue_broken(void *opaque, VirtQueue *vq)
{
    VirtioMmio *s = opaque;
    s->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    if (s->status & VIRTIO_STATUS_DRIVER_OK) {
        s->config_gen++;
        s->int_status |= VIRTIO_MMIO_INT_CONFIG;
        mmio_update_irq(s);
    }
}

static unsigned mmio_num_queues(const VirtioMmio *s)
{
    return s->be ? s->be->ops->num_queues : 0;
}

static VirtQueue *mmio_cur_queue(VirtioMmio *s)
{
    return s->queue_sel < mmio_num_queues(s) ? &s->queues[s->queue_sel] : NULL;
}

static void mmio_reset_state(VirtioMmio *s)
{
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        virtqueue_reset(&s->queues[i]);
    }
    s->status = 0;
    s->int_status = 0;
    s->dev_features_sel = 0;
    s->drv_features_sel = 0;
    s->drv_features = 0;
    s->queue_sel = 0;
    if (s->be) {
        s->be->features = 0;
        s->be->driver_ok = false;
        if (s->be->ops->reset) {
            s->be->ops->reset(s->be);
        }
    }
    mmio_update_irq(s);
}

static void mmio_write_status(VirtioMmio *s, uint32_t v)
{
    if (v == 0) {
        mmio_reset_state(s);
        return;
    }
    v &= 0xff;
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(s->status & VIRTIO_STATUS_FEATURES_OK)) {
        uint64_t offered = mmio_offered(s);
        bool ok = !(s->drv_features & ~offered) &&
                  (s->drv_features >> VIRTIO_F_VERSION_1) & 1;
        if (ok) {
            s->be->features = s->drv_features;
            bool event_idx = (s->drv_features >> VIRTIO_RING_F_EVENT_IDX) & 1;
            bool indirect = (s->drv_features >> VIRTIO_RING_F_INDIRECT_DESC) & 1;
            for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
                s->queues[i].event_idx = event_idx;
                s->queues[i].indirect = indirect;
            }
        } else {
            v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
        }
    }
    /* NEEDS_RESET is the device's to set; only a reset clears it. */
    s->status = v | (s->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    s->be->driver_ok = (s->status & VIRTIO_STATUS_DRIVER_OK) != 0;
}

static uint32_t mmio_read_reg(VirtioMmio *s, uint64_t offset)
{
    VirtQueue *vq = mmio_cur_queue(s);
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION_REG:
        return VIRTIO_MMIO_VERSION;
    case VIRTIO_MMIO_DEVICE_ID:
        return s->be ? s->be->ops->device_id : VIRTIO_ID_NONE;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    }
    if (!s->be) {
        return 0;
    }
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return s->dev_features_sel < 2 ? (uint32_t)(mmio_offered(s) >> (32 * s->dev_features_sel))
                                       : 0;
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return vq ? s->be->ops->queue_max : 0;
    case VIRTIO_MMIO_QUEUE_READY:
        return vq ? vq->ready : 0;
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return s->int_status;
    case VIRTIO_MMIO_STATUS:
        return s->status;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
        return vq ? (uint32_t)vq->desc : 0;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        return vq ? (uint32_t)(vq->desc >> 32) : 0;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        return vq ? (uint32_t)vq->avail : 0;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        return vq ? (uint32_t)(vq->avail >> 32) : 0;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
        return vq ? (uint32_t)vq->used : 0;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        return vq ? (uint32_t)(vq->used >> 32) : 0;
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
        return UINT32_MAX; /* no shared memory regions */
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return s->config_gen;
    default:
        return 0;
    }
}

static void set_low(uint64_t *x, uint32_t v)
{
    *x = (*x & ~(uint64_t)UINT32_MAX) | v;
}

static void set_high(uint64_t *x, uint32_t v)
{
    *x = (*x & UINT32_MAX) | ((uint64_t)v << 32);
}

static void mmio_write_queue_reg(VirtioMmio *s, VirtQueue *vq, uint64_t offset, uint32_t v)
{
    if (vq->ready && offset != VIRTIO_MMIO_QUEUE_READY) {
        return; /* the driver must not change a live queue */
    }
    switch (offset) {
    case VIRTIO_MMIO_QUEUE_NUM:
        vq->num = v >= 1 && v <= s->be->ops->queue_max ? (uint16_t)v : 0;
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        if (v & 1) {
            if (!vq->ready && !vq->broken) {
                virtqueue_start(vq);
            }
        } else if (vq->ready) {
            /* Stop using the queue; its configuration stays readable. */
            uint16_t num = vq->num;
            uint64_t desc = vq->desc, avail = vq->avail, used = vq->used;
            bool ev = vq->event_idx, ind = vq->indirect;
            virtqueue_reset(vq);
            vq->num = num;
            vq->desc = desc;
            vq->avail = avail;
            vq->used = used;
            vq->event_idx = ev;
            vq->indirect = ind;
        }
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
        set_low(&vq->desc, v);
        break;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        set_high(&vq->desc, v);
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        set_low(&vq->avail, v);
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        set_high(&vq->avail, v);
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
        set_low(&vq->used, v);
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        set_high(&vq->used, v);
        break;
    default:
        break;
    }
}

static void mmio_write_reg(VirtioMmio *s, uint64_t offset, uint32_t v)
{
    if (!s->be) {
        return;
    }
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        s->dev_features_sel = v;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (s->status & VIRTIO_STATUS_FEATURES_OK) {
            break; /* negotiation is over */
        }
        if (s->drv_features_sel == 0) {
            set_low(&s->drv_features, v);
        } else if (s->drv_features_sel == 1) {
            set_high(&s->drv_features, v);
        }
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        s->drv_features_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        s->queue_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
    case VIRTIO_MMIO_QUEUE_READY:
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: {
        VirtQueue *vq = mmio_cur_queue(s);
        if (vq) {
            mmio_write_queue_reg(s, vq, offset, v);
        }
        break;
    }
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (v < mmio_num_queues(s) && (s->status & VIRTIO_STATUS_DRIVER_OK) &&
            s->queues[v].ready && !s->queues[v].broken && s->be->ops->queue_notify) {
            s->be->ops->queue_notify(s->be, v);
        }
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        s->int_status &= ~v;
        mmio_update_irq(s);
        break;
    case VIRTIO_MMIO_STATUS:
        mmio_write_status(s, v);
        break;
    default:
        break; /* read-only and unassigned registers */
    }
}

static MemTxResult mmio_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    VirtioMmio *s = opaque;
    *value = 0;
    if (offset < VIRTIO_MMIO_CONFIG) {
        if (size == 4) {
            *value = mmio_read_reg(s, offset);
        }
        return MEMTX_OK;
    }
    uint64_t off = offset - VIRTIO_MMIO_CONFIG;
    if (s->be && s->be->ops->config_read && off + size <= s->be->ops->config_size) {
        uint8_t buf[4] = { 0 };
        s->be->ops->config_read(s->be, (uint32_t)off, buf, size);
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= (uint32_t)buf[i] << (8 * i);
        }
        *value = v;
    }
    return MEMTX_OK;
}

static MemTxResult mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    VirtioMmio *s = opaque;
    if (offset < VIRTIO_MMIO_CONFIG) {
        if (size == 4) {
            mmio_write_reg(s, offset, (uint32_t)value);
        }
        return MEMTX_OK;
    }
    uint64_t off = offset - VIRTIO_MMIO_CONFIG;
    if (s->be && s->be->ops->config_write && off + size <= s->be->ops->config_size) {
        uint8_t buf[4];
        for (unsigned i = 0; i < size; i++) {
            buf[i] = (uint8_t)(value >> (8 * i));
        }
        s->be->ops->config_write(s->be, (uint32_t)off, buf, size);
    }
    return MEMTX_OK;
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .min_access_size = 1,
    .max_access_size = 4,
    .unaligned = false,
};

static void mmio_init(Device *dev)
{
    VirtioMmio *s = (VirtioMmio *)dev;
    memory_region_init_io(&s->mmio, TYPE_VIRTIO_MMIO, &mmio_ops, s, VIRTIO_MMIO_SIZE);
    device_init_mmio(dev, &s->mmio);
    device_init_irqs_out(dev, &s->irq, 1);
}

static bool mmio_realize(Device *dev, GError **errp)
{
    VirtioMmio *s = (VirtioMmio *)dev;
    if (!s->be) {
        return true;
    }
    const VirtioBackendOps *ops = s->be->ops;
    if (!s->as || !ops || ops->num_queues < 1 || ops->num_queues > VIRTIO_MAX_QUEUES ||
        ops->queue_max < 1 || ops->queue_max > VIRTQUEUE_MAX_SIZE ||
        ops->config_size > VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "virtio-mmio: back end or address space missing or out of range");
        return false;
    }
    if (s->be->transport) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "virtio-mmio: the back end is plugged into another transport");
        return false;
    }
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
        virtqueue_init(&s->queues[i], s->as);
        s->queues[i].on_broken = mmio_queue_broken;
        s->queues[i].opaque = s;
    }
    s->be->queues = s->queues;
    s->be->notify = mmio_notify;
    s->be->config_changed = mmio_config_changed;
    s->be->transport = s;
    return true;
}

static void mmio_reset(Device *dev)
{
    mmio_reset_state((VirtioMmio *)dev);
}

static void mmio_finalize(Device *dev)
{
    VirtioMmio *s = (VirtioMmio *)dev;
    if (dev->realized && s->be && s->be->transport == s) {
        s->be->queues = NULL;
        s->be->notify = NULL;
        s->be->config_changed = NULL;
        s->be->transport = NULL;
    }
    memory_region_destroy(&s->mmio);
}

static const Property mmio_props[] = {
    DEFINE_PROP_PTR("backend", VirtioMmio, be, "VirtioBackend * (NULL: an empty slot)"),
    DEFINE_PROP_PTR("as", VirtioMmio, as, "AddressSpace * the queues live in"),
    DEFINE_PROP_END,
};

static const DeviceType virtio_mmio_type = {
    .name = TYPE_VIRTIO_MMIO,
    .help = "virtio-mmio transport (version 2)",
    .instance_size = sizeof(VirtioMmio),
    .props = mmio_props,
    .init = mmio_init,
    .realize = mmio_realize,
    .reset = mmio_reset,
    .finalize = mmio_finalize,
};

void virtio_mmio_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &virtio_mmio_type);
}
