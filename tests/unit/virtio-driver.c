/* The fake virtio driver for device tests: see virtio-driver.h. */
#include <string.h>

#include <glib.h>

#include "tests/unit/virtio-driver.h"

static void on_irq(void *opaque, int n, int level)
{
    ((VirtioDriver *)opaque)->level = level;
}

static MemTxResult dev_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    ((VirtioDriver *)opaque)->dev_accesses++;
    *value = 0;
    return MEMTX_OK;
}

static MemTxResult dev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ((VirtioDriver *)opaque)->dev_accesses++;
    return MEMTX_OK;
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read, .write = dev_write, .min_access_size = 1, .max_access_size = 8,
};

void vd_init(VirtioDriver *d, void (*register_types)(DeviceRegistry *reg))
{
    vd_init_ram(d, register_types, VD_RAM_SIZE);
}

void vd_init_ram(VirtioDriver *d, void (*register_types)(DeviceRegistry *reg),
                 uint64_t ram_size)
{
    g_assert_cmpuint(ram_size, >=, VD_RINGS_SIZE);
    memset(d, 0, sizeof(*d));
    d->ram_size = ram_size;
    d->queue_size = VD_QUEUE_SIZE;
    memory_region_init_container(&d->root, "root", 0);
    g_assert_true(memory_region_init_ram(&d->ram, "ram", ram_size));
    memory_region_init_io(&d->dev, "dev", &dev_ops, d, 0x1000);
    memory_region_add_subregion(&d->root, VD_RAM_BASE, &d->ram);
    memory_region_add_subregion(&d->root, VD_DEV_BASE, &d->dev);
    address_space_init(&d->as, &d->root, "virtio-driver");
    d->host = memory_region_get_ram_ptr(&d->ram);
    d->reg = device_registry_new();
    virtio_mmio_register_types(d->reg);
    register_types(d->reg);
    irq_init(&d->irq, on_irq, d, 0);
    d->brk = VD_RAM_BASE + VD_RINGS_SIZE;
}

static Device *plug(VirtioDriver *d, const char *type, const char *props, GError **err)
{
    Device *be = device_new(d->reg, type, err);
    g_assert_nonnull(be);
    if (props) {
        char **items = g_strsplit(props, ",", -1);
        for (char **p = items; *p; p++) {
            char *eq = strchr(*p, '=');
            g_assert_nonnull(eq);
            *eq = 0;
            g_assert_true(device_set_prop(be, *p, eq + 1, err));
        }
        g_strfreev(items);
    }
    if (!device_realize(be, err)) {
        device_free(be);
        return NULL;
    }
    vd_attach(d, be);
    return be;
}

void vd_attach(VirtioDriver *d, Device *backend)
{
    GError *err = NULL;
    g_assert_null(d->backend);
    g_assert_nonnull(virtio_device_backend(backend));
    d->backend = backend;
    d->mmio = device_new(d->reg, TYPE_VIRTIO_MMIO, &err);
    g_assert_no_error(err);
    g_assert_true(device_set_prop_ptr(d->mmio, "backend", virtio_device_backend(backend), &err));
    g_assert_true(device_set_prop_ptr(d->mmio, "as", &d->as, &err));
    g_assert_true(device_realize(d->mmio, &err));
    g_assert_true(device_connect_irq_out(d->mmio, 0, &d->irq, &err));
    g_assert_no_error(err);
    memory_region_add_subregion(&d->root, VD_MMIO_BASE, device_mmio(d->mmio, 0));
}

Device *vd_plug(VirtioDriver *d, const char *type, const char *props)
{
    GError *err = NULL;
    Device *be = plug(d, type, props, &err);
    g_assert_no_error(err);
    return be;
}

char *vd_plug_fails(VirtioDriver *d, const char *type, const char *props)
{
    GError *err = NULL;
    g_assert_null(plug(d, type, props, &err));
    g_assert_nonnull(err);
    char *msg = g_strdup(err->message);
    g_error_free(err);
    return msg;
}

void vd_fini(VirtioDriver *d)
{
    if (d->mmio) {
        memory_region_del_subregion(&d->root, device_mmio(d->mmio, 0));
        device_free(d->mmio);
    }
    if (d->backend) {
        device_free(d->backend);
    }
    device_registry_free(d->reg);
    address_space_destroy(&d->as);
    memory_region_del_subregion(&d->root, &d->ram);
    memory_region_del_subregion(&d->root, &d->dev);
    memory_region_destroy(&d->ram);
    memory_region_destroy(&d->dev);
    memory_region_destroy(&d->root);
}

uint32_t vd_reg(VirtioDriver *d, uint32_t off)
{
    uint32_t v = 0xdeadbeef;
    g_assert_cmpint(address_space_ldl(&d->as, VD_MMIO_BASE + off, &v), ==, MEMTX_OK);
    return v;
}

void vd_set_reg(VirtioDriver *d, uint32_t off, uint32_t v)
{
    g_assert_cmpint(address_space_stl(&d->as, VD_MMIO_BASE + off, v), ==, MEMTX_OK);
}

uint32_t vd_queue_num_max(VirtioDriver *d, unsigned q)
{
    vd_set_reg(d, VIRTIO_MMIO_QUEUE_SEL, q);
    return vd_reg(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

uint32_t vd_status(VirtioDriver *d)
{
    return vd_reg(d, VIRTIO_MMIO_STATUS);
}

uint64_t vd_device_features(VirtioDriver *d)
{
    vd_set_reg(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint64_t lo = vd_reg(d, VIRTIO_MMIO_DEVICE_FEATURES);
    vd_set_reg(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    return lo | (uint64_t)vd_reg(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

uint64_t vd_config(VirtioDriver *d, uint32_t off, unsigned size)
{
    uint64_t v = 0;
    g_assert_cmpint(address_space_ld(&d->as, VD_MMIO_BASE + VIRTIO_MMIO_CONFIG + off, size, &v),
                    ==, MEMTX_OK);
    return v;
}

uint8_t *vd_ptr(VirtioDriver *d, uint64_t a)
{
    g_assert_cmpuint(a, >=, VD_RAM_BASE);
    g_assert_cmpuint(a, <, VD_RAM_BASE + d->ram_size);
    return d->host + (a - VD_RAM_BASE);
}

uint64_t vd_alloc(VirtioDriver *d, uint32_t len)
{
    uint64_t a = d->brk;
    d->brk = (d->brk + len + 15) & ~15ull;
    g_assert_cmpuint(d->brk, <=, VD_RAM_BASE + d->ram_size);
    memset(vd_ptr(d, a), 0, len);
    return a;
}

static void put16(VirtioDriver *d, uint64_t a, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    memcpy(vd_ptr(d, a), &v, 2);
}

static uint16_t get16(VirtioDriver *d, uint64_t a)
{
    uint16_t v;
    memcpy(&v, vd_ptr(d, a), 2);
    return GUINT16_FROM_LE(v);
}

static uint32_t get32(VirtioDriver *d, uint64_t a)
{
    uint32_t v;
    memcpy(&v, vd_ptr(d, a), 4);
    return GUINT32_FROM_LE(v);
}

void vd_set_queue_size(VirtioDriver *d, uint16_t num)
{
    g_assert_cmpuint(num, >, 0);
    g_assert_cmpuint(num, <=, VD_MAX_QUEUE_SIZE);
    d->queue_size = num;
}

void vd_setup(VirtioDriver *d, uint64_t features, unsigned nq)
{
    g_assert_cmpuint(nq, <=, VD_MAX_QUEUES);
    vd_set_reg(d, VIRTIO_MMIO_STATUS, 0);
    uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    vd_set_reg(d, VIRTIO_MMIO_STATUS, st);
    vd_set_reg(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    vd_set_reg(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    vd_set_reg(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    vd_set_reg(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    st |= VIRTIO_STATUS_FEATURES_OK;
    vd_set_reg(d, VIRTIO_MMIO_STATUS, st);
    g_assert_true(vd_status(d) & VIRTIO_STATUS_FEATURES_OK);
    memset(d->host, 0, VD_RINGS_SIZE);
    for (unsigned q = 0; q < nq; q++) {
        VdQueue *vq = &d->q[q];
        memset(vq, 0, sizeof(*vq));
        vq->num = d->queue_size;
        vq->desc = VD_RAM_BASE + 0x4000 * (uint64_t)q;
        vq->avail = vq->desc + 0x1000;
        vq->used = vq->desc + 0x2000;
        g_assert_cmpuint(vd_queue_num_max(d, q), >=, vq->num);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_NUM, vq->num);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(vq->desc >> 32));
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)vq->avail);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(vq->avail >> 32));
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)vq->used);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(vq->used >> 32));
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_READY, 1);
        g_assert_cmpuint(vd_reg(d, VIRTIO_MMIO_QUEUE_READY), ==, 1);
    }
}

void vd_driver_ok(VirtioDriver *d)
{
    vd_set_reg(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                                      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

void vd_start(VirtioDriver *d, uint64_t features, unsigned nq)
{
    vd_setup(d, features, nq);
    vd_driver_ok(d);
}

void vd_put_desc(VirtioDriver *d, unsigned q, uint16_t i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next)
{
    VdQueue *vq = &d->q[q];
    g_assert_cmpuint(i, <, vq->num);
    uint8_t *p = vd_ptr(d, vq->desc + 16 * (uint64_t)i);
    uint64_t a = GUINT64_TO_LE(addr);
    uint32_t l = GUINT32_TO_LE(len);
    flags = GUINT16_TO_LE(flags);
    next = GUINT16_TO_LE(next);
    memcpy(p, &a, 8);
    memcpy(p + 8, &l, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
}

void vd_offer(VirtioDriver *d, unsigned q, uint16_t head)
{
    VdQueue *vq = &d->q[q];
    put16(d, vq->avail + 4 + 2 * (uint64_t)(vq->avail_idx % vq->num), head);
    vq->avail_idx++;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    put16(d, vq->avail + 2, vq->avail_idx);
}

uint16_t vd_submit(VirtioDriver *d, unsigned q, const VdBuf *bufs, unsigned n)
{
    VdQueue *vq = &d->q[q];
    g_assert_cmpuint(n, >, 0);
    g_assert_cmpuint(n, <=, vq->num);
    uint16_t head = vq->next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (uint16_t)((head + i) % vq->num);
        uint16_t fl = (uint16_t)((i + 1 < n ? VRING_DESC_F_NEXT : 0) |
                                 (bufs[i].writable ? VRING_DESC_F_WRITE : 0));
        vd_put_desc(d, q, idx, bufs[i].addr, bufs[i].len, fl, (uint16_t)((idx + 1) % vq->num));
    }
    vq->next_desc = (uint16_t)((head + n) % vq->num);
    vd_offer(d, q, head);
    return head;
}

void vd_kick(VirtioDriver *d, unsigned q)
{
    vd_set_reg(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

uint16_t vd_used_idx(VirtioDriver *d, unsigned q)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return get16(d, d->q[q].used + 2);
}

VdUsed vd_used(VirtioDriver *d, unsigned q, uint16_t n)
{
    VdQueue *vq = &d->q[q];
    uint64_t e = vq->used + 4 + 8 * (uint64_t)(n % vq->num);
    return (VdUsed){ .id = get32(d, e), .len = get32(d, e + 4) };
}

bool vd_next_used(VirtioDriver *d, unsigned q, VdUsed *u)
{
    VdQueue *vq = &d->q[q];
    if (vd_used_idx(d, q) == vq->used_seen) {
        return false;
    }
    *u = vd_used(d, q, vq->used_seen++);
    return true;
}
