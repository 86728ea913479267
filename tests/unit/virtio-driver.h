/*
 * A fake virtio driver for device tests (tests/unit/test-virtio-*.c): a
 * small machine (RAM at VD_RAM_BASE, one virtio-mmio transport at
 * VD_MMIO_BASE with the back end under test), and the driver's side of
 * the protocol: feature negotiation, queues at fixed places in RAM,
 * descriptor chains, kicks, and reading the used ring back.
 *
 *   VirtioDriver d;
 *   vd_init(&d, virtio_blk_register_types);
 *   Device *blk = vd_plug(&d, "virtio-blk-device", "drive=d0");
 *   vd_start(&d, features, 1);                 // up to DRIVER_OK
 *   uint64_t buf = vd_alloc(&d, 512);
 *   vd_submit(&d, 0, (VdBuf[]){ { hdr, 16, false }, { buf, 512, true } }, 2);
 *   vd_kick(&d, 0);
 *   VdUsed u; vd_next_used(&d, 0, &u);
 *
 * For hostile drivers and tests of ring details: vd_setup + vd_driver_ok
 * (vd_start in two steps), vd_set_queue_size (small queues wrap and make
 * out-of-range indices easy), vd_put_desc (a raw descriptor, any flags and
 * next), vd_offer (any head), vd_used_idx/vd_used (the used ring as it
 * is).  A 4 KiB MMIO region at VD_DEV_BASE counts every access in
 * d->dev_accesses: a buffer placed there must never be touched.
 *
 * Everything asserts: a test fails at the first unexpected answer.
 */
#ifndef TESTS_UNIT_VIRTIO_DRIVER_H
#define TESTS_UNIT_VIRTIO_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "rove/memory.h"
#include "rove/qdev.h"

#define VD_RAM_BASE 0x80000000ull
#define VD_RAM_SIZE 0x400000ull      /* 4 MiB: rings at the bottom, buffers above */
#define VD_RINGS_SIZE 0x10000ull     /* the rings' part: vd_alloc starts above it */
#define VD_DEV_BASE 0x10000000ull    /* the counting MMIO region */
#define VD_MMIO_BASE 0x10001000ull
#define VD_QUEUE_SIZE 64         /* descriptors are reused round-robin: keep fewer in flight */
#define VD_MAX_QUEUE_SIZE 256
#define VD_MAX_QUEUES 4

typedef struct VdQueue {
    uint64_t desc, avail, used;
    uint16_t num;                /* the queue size given to the device */
    uint16_t avail_idx;          /* the driver's next available index */
    uint16_t used_seen;          /* used entries read so far */
    uint16_t next_desc;          /* descriptors are handed out round-robin */
} VdQueue;

typedef struct VirtioDriver {
    MemoryRegion root, ram, dev;
    AddressSpace as;
    uint8_t *host;
    uint64_t ram_size;
    int dev_accesses;            /* accesses to the region at VD_DEV_BASE */
    uint16_t queue_size;         /* what vd_setup gives each queue */
    DeviceRegistry *reg;
    Device *backend, *mmio;
    IrqLine irq;
    int level;                   /* the transport's interrupt line */
    uint64_t brk;                /* vd_alloc's next free byte */
    VdQueue q[VD_MAX_QUEUES];
} VirtioDriver;

/* One buffer of a chain: guest address, length, device-writable or not. */
typedef struct VdBuf {
    uint64_t addr;
    uint32_t len;
    bool writable;
} VdBuf;

typedef struct VdUsed {
    uint32_t id;
    uint32_t len;
} VdUsed;

void vd_init(VirtioDriver *d, void (*register_types)(DeviceRegistry *reg));
/* vd_init with ram_size bytes of RAM (at least VD_RINGS_SIZE) instead of VD_RAM_SIZE. */
void vd_init_ram(VirtioDriver *d, void (*register_types)(DeviceRegistry *reg),
                 uint64_t ram_size);
/* Creates, configures ("PROP=VAL,..." or NULL) and realizes the back end and its transport. */
Device *vd_plug(VirtioDriver *d, const char *type, const char *props);
/* Puts a back end the test realized itself (e.g. with pointer properties) behind the
 * transport; vd_fini frees it. */
void vd_attach(VirtioDriver *d, Device *backend);
/* Like vd_plug, but the back end's realize must fail; returns its message (g_free). */
char *vd_plug_fails(VirtioDriver *d, const char *type, const char *props);
void vd_fini(VirtioDriver *d);

/* Reset, negotiate `features` (asserting FEATURES_OK sticks), set up queues 0..nq-1, DRIVER_OK. */
void vd_start(VirtioDriver *d, uint64_t features, unsigned nq);
/* vd_start without DRIVER_OK (rings zeroed, queues ready), and DRIVER_OK after it. */
void vd_setup(VirtioDriver *d, uint64_t features, unsigned nq);
void vd_driver_ok(VirtioDriver *d);
/* The size vd_setup gives every queue from now on (VD_QUEUE_SIZE until set). */
void vd_set_queue_size(VirtioDriver *d, uint16_t num);
uint64_t vd_device_features(VirtioDriver *d);
uint32_t vd_status(VirtioDriver *d);
uint32_t vd_reg(VirtioDriver *d, uint32_t off);
/* QueueNumMax of queue q (it selects the queue). */
uint32_t vd_queue_num_max(VirtioDriver *d, unsigned q);
void vd_set_reg(VirtioDriver *d, uint32_t off, uint32_t v);
/* Device config space, little-endian, `size` bytes at `off`. */
uint64_t vd_config(VirtioDriver *d, uint32_t off, unsigned size);

/* Guest RAM: a zeroed, 16-byte aligned buffer; a host pointer to guest address a. */
uint64_t vd_alloc(VirtioDriver *d, uint32_t len);
uint8_t *vd_ptr(VirtioDriver *d, uint64_t a);

/* Writes the chain into queue q's table and makes it available; returns its head. */
uint16_t vd_submit(VirtioDriver *d, unsigned q, const VdBuf *bufs, unsigned n);
void vd_kick(VirtioDriver *d, unsigned q);
/* The next used element of queue q, if the device has published one. */
bool vd_next_used(VirtioDriver *d, unsigned q, VdUsed *u);

/* Raw ring access: descriptor i of queue q exactly as given (i < the queue size); head
 * made available whatever it is; the used ring's index and its element n (mod size). */
void vd_put_desc(VirtioDriver *d, unsigned q, uint16_t i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next);
void vd_offer(VirtioDriver *d, unsigned q, uint16_t head);
uint16_t vd_used_idx(VirtioDriver *d, unsigned q);
VdUsed vd_used(VirtioDriver *d, unsigned q, uint16_t n);

#endif /* TESTS_UNIT_VIRTIO_DRIVER_H */
