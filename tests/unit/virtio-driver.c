/* The fake virtio driver for device tests: see virtio-driver.h. */
#include <string.h>

#include <glib.h>

#include "tests/unit/virtio-driver.h"

/* Queue q's rings: 4 KiB apart from the bottom of RAM. */
#define VD_RINGS_SIZE 0x10000ull

static void on_irq(void *opaque, int n, int level)
{
    ((VirtioDriver *)opaque)->level = level;
}

void vd_init(VirtioDriver *d, void (*register_types)(DeviceRegistry *reg))
{
    memset(d, 0, sizeof(*d));
    memory_region_init_container(&d->root, "root", 0);
    g_assert_true(memory_region_init_ram(&d->ram, "ram", VD_RAM_SIZE));
    memory_region_add_subregion(&d->root, VD_RAM_BASE, &d->ram);
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
    d->backend = be;
    d->mmio = device_new(d->reg, TYPE_VIRTIO_MMIO, err);
    g_assert_true(device_set_prop_ptr(d->mmio, "backend", virtio_device_backend(be), err));
    g_assert_true(device_set_prop_ptr(d->mmio, "as", &d->as, err));
    g_assert_true(device_realize(d->mmio, err));
    g_assert_true(device_connect_irq_out(d->mmio, 0, &d->irq, err));
    memory_region_add_subregion(&d->root, VD_MMIO_BASE, device_mmio(d->mmio, 0));
    return be;
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
    memory_region_destroy(&d->ram);
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
    g_assert_cmpuint(a, <, VD_RAM_BASE + VD_RAM_SIZE);
    return d->host + (a - VD_RAM_BASE);
}

uint64_t vd_alloc(VirtioDriver *d, uint32_t len)
{
    uint64_t a = d->brk;
    d->brk = (d->brk + len + 15) & ~15ull;
    g_assert_cmpuint(d->brk, <=, VD_RAM_BASE + VD_RAM_SIZE);
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

void vd_start(VirtioDriver *d, uint64_t features, unsigned nq)
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
        vq->desc = VD_RAM_BASE + 0x4000 * (uint64_t)q;
        vq->avail = vq->desc + 0x1000;
        vq->used = vq->desc + 0x2000;
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_SEL, q);
        g_assert_cmpuint(vd_reg(d, VIRTIO_MMIO_QUEUE_NUM_MAX), >=, VD_QUEUE_SIZE);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_NUM, VD_QUEUE_SIZE);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(vq->desc >> 32));
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)vq->avail);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(vq->avail >> 32));
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)vq->used);
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(vq->used >> 32));
        vd_set_reg(d, VIRTIO_MMIO_QUEUE_READY, 1);
        g_assert_cmpuint(vd_reg(d, VIRTIO_MMIO_QUEUE_READY), ==, 1);
    }
    vd_set_reg(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
}

uint16_t vd_submit(VirtioDriver *d, unsigned q, const VdBuf *bufs, unsigned n)
{
    VdQueue *vq = &d->q[q];
    g_assert_cmpuint(n, >, 0);
    g_assert_cmpuint(n, <=, VD_QUEUE_SIZE);
    uint16_t head = vq->next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (uint16_t)((head + i) % VD_QUEUE_SIZE);
        uint16_t next = (uint16_t)((idx + 1) % VD_QUEUE_SIZE);
        uint8_t *p = vd_ptr(d, vq->desc + 16 * (uint64_t)idx);
        uint64_t a = GUINT64_TO_LE(bufs[i].addr);
        uint32_t l = GUINT32_TO_LE(bufs[i].len);
        uint16_t fl = (uint16_t)((i + 1 < n ? VRING_DESC_F_NEXT : 0) |
                                 (bufs[i].writable ? VRING_DESC_F_WRITE : 0));
        fl = GUINT16_TO_LE(fl);
        next = GUINT16_TO_LE(next);
        memcpy(p, &a, 8);
        memcpy(p + 8, &l, 4);
        memcpy(p + 12, &fl, 2);
        memcpy(p + 14, &next, 2);
    }
    vq->next_desc = (uint16_t)((head + n) % VD_QUEUE_SIZE);
    put16(d, vq->avail + 4 + 2 * (uint64_t)(vq->avail_idx % VD_QUEUE_SIZE), head);
    vq->avail_idx++;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    put16(d, vq->avail + 2, vq->avail_idx);
    return head;
}

void vd_kick(VirtioDriver *d, unsigned q)
{
    vd_set_reg(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

bool vd_next_used(VirtioDriver *d, unsigned q, VdUsed *u)
{
    VdQueue *vq = &d->q[q];
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (get16(d, vq->used + 2) == vq->used_seen) {
        return false;
    }
    uint64_t e = vq->used + 4 + 8 * (uint64_t)(vq->used_seen % VD_QUEUE_SIZE);
    u->id = get32(d, e);
    u->len = get32(d, e + 4);
    vq->used_seen++;
    return true;
}
