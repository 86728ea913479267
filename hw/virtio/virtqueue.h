/*
 * Split virtqueues (virtio 1.x, "Split Virtqueues"): the device side of a
 * descriptor table, an available ring and a used ring in guest RAM.
 *
 * A device pops requests (a chain of guest buffers split into the
 * device-readable "out" part and the device-writable "in" part), does the
 * work, pushes the used element with the number of bytes it wrote, and
 * asks virtqueue_should_notify() whether the driver wants an interrupt.
 *
 * Safety rules (the guest owns every byte of the rings and may change them
 * at any time, from another hart, while we read):
 * - Guest memory is reached only through the machine's AddressSpace, and
 *   only where it is RAM: a ring, table or buffer that is (even partly)
 *   unmapped, MMIO or ROM is refused.  No host pointer outlives one call.
 * - Every ring field is read once into a local before it is checked, so a
 *   value cannot change between check and use.
 * - A malformed queue (a head or next index >= the queue size, a chain
 *   longer than the queue size or a loop, an indirect table that is empty,
 *   not a multiple of 16 bytes, not 8-byte aligned, larger than
 *   VIRTQUEUE_MAX_SIZE entries, nested, or combined with NEXT, a readable
 *   buffer after a writable one, a buffer outside RAM, the available index
 *   moving by more than the queue size, rings outside RAM) makes the queue
 *   broken: it answers no more requests and reports it once through
 *   on_broken (the transport sets DEVICE_NEEDS_RESET) until reset.
 * Work per call is bounded by the queue size, never by guest values.
 */
#ifndef HW_VIRTIO_VIRTQUEUE_H
#define HW_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "rove/memory.h"

/* The largest queue size and indirect table this implementation accepts. */
#define VIRTQUEUE_MAX_SIZE 1024

/* Descriptor flags and ring flags (virtio 1.x, 2.7). */
enum {
    VRING_DESC_F_NEXT = 1,
    VRING_DESC_F_WRITE = 2,
    VRING_DESC_F_INDIRECT = 4,
    VRING_AVAIL_F_NO_INTERRUPT = 1,
    VRING_USED_F_NO_NOTIFY = 1,
};

/* Feature bits the ring layer implements. */
enum {
    VIRTIO_RING_F_INDIRECT_DESC = 28,
    VIRTIO_RING_F_EVENT_IDX = 29,
};

/* One guest buffer: [addr, addr + len), checked to be RAM when popped. */
typedef struct VirtQueueSeg {
    uint64_t addr;
    uint32_t len;
} VirtQueueSeg;

/* A popped request.  Free with virtqueue_element_free (or push it). */
typedef struct VirtQueueElement {
    uint16_t head;          /* the chain's first descriptor (the used id) */
    unsigned out_num;       /* device-readable buffers, in order */
    unsigned in_num;        /* device-writable buffers, in order */
    uint64_t out_len;       /* their total sizes */
    uint64_t in_len;
    VirtQueueSeg *out;
    VirtQueueSeg *in;
} VirtQueueElement;

typedef struct VirtQueue VirtQueue;

struct VirtQueue {
    AddressSpace *as;
    /* Set by the transport from the driver's registers. */
    uint16_t num;           /* queue size; 0: not configured */
    uint64_t desc;          /* descriptor table, available and used ring addresses */
    uint64_t avail;
    uint64_t used;
    bool ready;
    bool event_idx;         /* VIRTIO_RING_F_EVENT_IDX negotiated */
    bool indirect;          /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
    /* Called once when the queue turns broken (may be NULL). */
    void (*on_broken)(void *opaque, VirtQueue *vq);
    void *opaque;

    /* Private state. */
    uint16_t last_avail;    /* next available ring slot to consume */
    uint16_t used_idx;      /* our copy of used->idx */
    uint16_t signalled_used;/* used_idx when the driver was last notified */
    bool signalled_valid;
    bool broken;
    const char *why;        /* first reason for broken (a static string) */
};

/* A fresh, unconfigured queue reading guest memory through as. */
void virtqueue_init(VirtQueue *vq, AddressSpace *as);
/* Back to the state after init (keeps as, on_broken, opaque). */
void virtqueue_reset(VirtQueue *vq);

/*
 * Checks the rings lie in RAM and starts using the queue (QueueReady = 1).
 * Returns false and breaks the queue when they do not.
 */
bool virtqueue_start(VirtQueue *vq);

bool virtqueue_is_broken(const VirtQueue *vq);
/* Marks the queue broken (devices may use it for their own protocol errors). */
void virtqueue_set_broken(VirtQueue *vq, const char *why);

/*
 * The next request, or NULL when there is none or the queue is (or just
 * turned) broken.  Also publishes avail_event when EVENT_IDX is in use,
 * asking to be notified of the next new buffer.
 */
VirtQueueElement *virtqueue_pop(VirtQueue *vq);
/* Returns elem to the used ring with `written` bytes and frees it. */
void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, uint32_t written);
void virtqueue_element_free(VirtQueueElement *elem);
/* Whether the driver asked to be interrupted for what was pushed since last time. */
bool virtqueue_should_notify(VirtQueue *vq);

/*
 * Copy between a request's buffers and the host, starting `offset` bytes
 * into the in (writable) or out (readable) part.  Return the bytes copied
 * (short at the end of the buffers or if the memory map changed).
 */
uint64_t virtqueue_write_in(VirtQueue *vq, const VirtQueueElement *elem, uint64_t offset,
                            const void *buf, uint64_t len);
uint64_t virtqueue_read_out(VirtQueue *vq, const VirtQueueElement *elem, uint64_t offset,
                            void *buf, uint64_t len);

/*
 * Host addresses of `len` bytes of a request's in (writable, in = true) or
 * out part, from byte `offset`, as at most `max` iovecs.  Returns how many
 * it filled, or -1 when the part is shorter, a buffer is no longer RAM, or
 * more iovecs would be needed.  The pointers stay valid while the RAM stays
 * mapped (a machine's RAM never moves while it runs), so a device may hand
 * them to an I/O thread; who writes through them calls
 * address_space_dma_written(vq->as, ...) afterwards.
 */
int virtqueue_map(VirtQueue *vq, const VirtQueueElement *elem, bool in, uint64_t offset,
                  uint64_t len, struct iovec *iov, int max);
/* address_space_dma_written for `len` bytes of the in part from `offset`. */
void virtqueue_dma_written(VirtQueue *vq, const VirtQueueElement *elem, uint64_t offset,
                           uint64_t len);

#endif /* HW_VIRTIO_VIRTQUEUE_H */
