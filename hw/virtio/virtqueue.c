/*
 * Split virtqueues, device side (virtio 1.x, 2.7).  Layout in guest RAM,
 * all little-endian, for a queue of `num` entries:
 *
 *   descriptor table  num x { u64 addr; u32 len; u16 flags; u16 next; }
 *   available ring    u16 flags; u16 idx; u16 ring[num]; u16 used_event;
 *   used ring         u16 flags; u16 idx; { u32 id; u32 len; } ring[num];
 *                     u16 avail_event;
 *
 * The safety rules are in virtqueue.h; every guest access goes through
 * vq_ram(), which answers a host pointer only for a range that lies
 * entirely inside one RAM region of the address space.
 */
#include <string.h>

#include <glib.h>

#include "hw/virtio/virtqueue.h"

enum {
    DESC_SIZE = 16,
    RING_HDR = 4,           /* flags + idx of either ring */
    USED_ELEM_SIZE = 8,
};

typedef struct VringDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VringDesc;

/* Host pointer to guest [addr, addr + len), all RAM, or NULL. len > 0. */
static uint8_t *vq_ram(const VirtQueue *vq, uint64_t addr, uint64_t len)
{
    MemoryTranslation t;
    if (len == 0 || addr + len < addr || !address_space_translate(vq->as, addr, &t)) {
        return NULL;
    }
    if (!t.mr || t.mr->kind != MR_RAM || !t.host || t.readonly || t.len < len) {
        return NULL;
    }
    return t.host;
}

void virtqueue_set_broken(VirtQueue *vq, const char *why)
{
    if (vq->broken) {
        return;
    }
    vq->broken = true;
    vq->why = why;
    if (vq->on_broken) {
        vq->on_broken(vq->opaque, vq);
    }
}

bool virtqueue_is_broken(const VirtQueue *vq)
{
    return vq->broken;
}

void virtqueue_init(VirtQueue *vq, AddressSpace *as)
{
    memset(vq, 0, sizeof(*vq));
    vq->as = as;
}

void virtqueue_reset(VirtQueue *vq)
{
    AddressSpace *as = vq->as;
    void (*on_broken)(void *, VirtQueue *) = vq->on_broken;
    void *opaque = vq->opaque;
    virtqueue_init(vq, as);
    vq->on_broken = on_broken;
    vq->opaque = opaque;
}

/* 16-bit ring fields: read once, atomically (the driver writes them concurrently). */
static bool vq_load16(VirtQueue *vq, uint64_t addr, uint16_t *v)
{
    uint16_t *p = (uint16_t *)vq_ram(vq, addr, 2);
    if (!p || (addr & 1)) {
        virtqueue_set_broken(vq, "ring field outside RAM");
        return false;
    }
    *v = GUINT16_FROM_LE(__atomic_load_n(p, __ATOMIC_RELAXED));
    return true;
}

static bool vq_store16(VirtQueue *vq, uint64_t addr, uint16_t v)
{
    uint16_t *p = (uint16_t *)vq_ram(vq, addr, 2);
    if (!p || (addr & 1)) {
        virtqueue_set_broken(vq, "ring field outside RAM");
        return false;
    }
    __atomic_store_n(p, GUINT16_TO_LE(v), __ATOMIC_RELAXED);
    address_space_dma_written(vq->as, addr, 2);
    return true;
}

bool virtqueue_start(VirtQueue *vq)
{
    uint64_t n = vq->num;
    if (n == 0 || n > VIRTQUEUE_MAX_SIZE) {
        virtqueue_set_broken(vq, "queue size out of range");
        return false;
    }
    /* Alignment from the spec's table (2.7 "Virtqueue alignment"). */
    if ((vq->desc & 15) || (vq->avail & 1) || (vq->used & 3)) {
        virtqueue_set_broken(vq, "misaligned ring");
        return false;
    }
    if (!vq_ram(vq, vq->desc, DESC_SIZE * n) ||
        !vq_ram(vq, vq->avail, RING_HDR + 2 * n + 2) ||
        !vq_ram(vq, vq->used, RING_HDR + USED_ELEM_SIZE * n + 2)) {
        virtqueue_set_broken(vq, "ring outside RAM");
        return false;
    }
    vq->ready = true;
    return true;
}

static bool vq_read_desc(VirtQueue *vq, uint64_t table, uint32_t i, VringDesc *d)
{
    uint8_t raw[DESC_SIZE];
    const uint8_t *p = vq_ram(vq, table + (uint64_t)i * DESC_SIZE, DESC_SIZE);
    if (!p) {
        virtqueue_set_broken(vq, "descriptor outside RAM");
        return false;
    }
    memcpy(raw, p, DESC_SIZE); /* one copy: checks below see what we use */
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
    memcpy(&addr, raw, 8);
    memcpy(&len, raw + 8, 4);
    memcpy(&flags, raw + 12, 2);
    memcpy(&next, raw + 14, 2);
    d->addr = GUINT64_FROM_LE(addr);
    d->len = GUINT32_FROM_LE(len);
    d->flags = GUINT16_FROM_LE(flags);
    d->next = GUINT16_FROM_LE(next);
    return true;
}

void virtqueue_element_free(VirtQueueElement *elem)
{
    g_free(elem);
}

/* Walks the chain at head into segs/writable; returns the count or -1 (broken). */
static int vq_walk(VirtQueue *vq, uint16_t head, VirtQueueSeg *segs, bool *writable)
{
    uint64_t table = vq->desc;
    uint32_t size = vq->num;
    uint32_t idx = head;
    uint32_t seen = 0;
    bool indirect = false;
    bool any_in = false;
    int n = 0;

    for (;;) {
        VringDesc d;
        if (seen >= size) {
            virtqueue_set_broken(vq, "descriptor chain longer than its table (a loop?)");
            return -1;
        }
        if (!vq_read_desc(vq, table, idx, &d)) {
            return -1;
        }
        seen++;
        if (d.flags & VRING_DESC_F_INDIRECT) {
            if (!vq->indirect) {
                virtqueue_set_broken(vq, "indirect descriptor not negotiated");
                return -1;
            }
            if (indirect || n > 0 || seen > 1) {
                virtqueue_set_broken(vq, "indirect descriptor not at the head of a chain");
                return -1;
            }
            if (d.flags & VRING_DESC_F_NEXT) {
                virtqueue_set_broken(vq, "indirect descriptor with NEXT");
                return -1;
            }
            if (d.len == 0 || d.len % DESC_SIZE || d.len / DESC_SIZE > VIRTQUEUE_MAX_SIZE ||
                (d.addr & 7)) {
                virtqueue_set_broken(vq, "bad indirect table size or alignment");
                return -1;
            }
            if (!vq_ram(vq, d.addr, d.len)) {
                virtqueue_set_broken(vq, "indirect table outside RAM");
                return -1;
            }
            indirect = true;
            table = d.addr;
            size = d.len / DESC_SIZE;
            idx = 0;
            seen = 0;
            continue;
        }
        bool w = d.flags & VRING_DESC_F_WRITE;
        if (!w && any_in) {
            virtqueue_set_broken(vq, "readable buffer after a writable one");
            return -1;
        }
        if (d.len && !vq_ram(vq, d.addr, d.len)) {
            virtqueue_set_broken(vq, "buffer outside RAM");
            return -1;
        }
        any_in |= w;
        segs[n] = (VirtQueueSeg){ d.addr, d.len };
        writable[n] = w;
        n++;
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            return n;
        }
        if (d.next >= size) {
            virtqueue_set_broken(vq, "next index out of range");
            return -1;
        }
        idx = d.next;
    }
}

VirtQueueElement *virtqueue_pop(VirtQueue *vq)
{
    if (vq->broken || !vq->ready) {
        return NULL;
    }
    uint16_t avail_idx;
    if (!vq_load16(vq, vq->avail + 2, &avail_idx)) {
        return NULL;
    }
    uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
    if (pending > vq->num) {
        virtqueue_set_broken(vq, "available index moved by more than the queue size");
        return NULL;
    }
    if (pending == 0 && vq->event_idx) {
        /*
         * Ask for a notification at the next buffer, then look again: a
         * buffer the driver added before it could see avail_event would
         * otherwise wait for a notification that never comes.
         */
        if (!vq_store16(vq, vq->used + RING_HDR + USED_ELEM_SIZE * (uint64_t)vq->num,
                        vq->last_avail)) {
            return NULL;
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!vq_load16(vq, vq->avail + 2, &avail_idx)) {
            return NULL;
        }
        pending = (uint16_t)(avail_idx - vq->last_avail);
        if (pending > vq->num) {
            virtqueue_set_broken(vq, "available index moved by more than the queue size");
            return NULL;
        }
    }
    if (pending == 0) {
        return NULL;
    }
    /* The ring entries and descriptors were written before idx. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint16_t head;
    if (!vq_load16(vq, vq->avail + RING_HDR + 2 * (uint64_t)(vq->last_avail % vq->num),
                   &head)) {
        return NULL;
    }
    if (head >= vq->num) {
        virtqueue_set_broken(vq, "head index out of range");
        return NULL;
    }

    /* At most one indirect table's or one queue's worth of segments. */
    VirtQueueSeg *segs = g_new(VirtQueueSeg, VIRTQUEUE_MAX_SIZE);
    bool *writable = g_new(bool, VIRTQUEUE_MAX_SIZE);
    int n = vq_walk(vq, head, segs, writable);
    if (n < 0) {
        g_free(segs);
        g_free(writable);
        return NULL;
    }
    VirtQueueElement *e = g_malloc0(sizeof(*e) + (size_t)n * sizeof(VirtQueueSeg));
    VirtQueueSeg *all = (VirtQueueSeg *)(e + 1);
    e->head = head;
    for (int i = 0; i < n; i++) {
        if (!writable[i]) {
            all[e->out_num++] = segs[i];
            e->out_len += segs[i].len;
        }
    }
    e->out = all;
    e->in = all + e->out_num;
    for (int i = 0; i < n; i++) {
        if (writable[i]) {
            e->in[e->in_num++] = segs[i];
            e->in_len += segs[i].len;
        }
    }
    g_free(segs);
    g_free(writable);

    vq->last_avail++;
    if (vq->event_idx) {
        vq_store16(vq, vq->used + RING_HDR + USED_ELEM_SIZE * (uint64_t)vq->num,
                   vq->last_avail);
    }
    return e;
}

void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, uint32_t written)
{
    uint16_t head = elem->head;
    uint64_t in_len = elem->in_len;
    virtqueue_element_free(elem);
    if (vq->broken || !vq->ready) {
        return;
    }
    if (written > in_len) {
        written = (uint32_t)in_len; /* a device bug, but never claim more than offered */
    }
    uint64_t at = vq->used + RING_HDR + USED_ELEM_SIZE * (uint64_t)(vq->used_idx % vq->num);
    uint8_t *p = vq_ram(vq, at, USED_ELEM_SIZE);
    if (!p) {
        virtqueue_set_broken(vq, "used ring outside RAM");
        return;
    }
    uint32_t le[2] = { GUINT32_TO_LE((uint32_t)head), GUINT32_TO_LE(written) };
    memcpy(p, le, sizeof(le));
    address_space_dma_written(vq->as, at, sizeof(le));
    /* The element before the index that publishes it. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    vq->used_idx++;
    vq_store16(vq, vq->used + 2, vq->used_idx);
}

bool virtqueue_should_notify(VirtQueue *vq)
{
    if (vq->broken || !vq->ready) {
        return false;
    }
    /* Our used index store before the driver's flag / event loads. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!vq->event_idx) {
        uint16_t flags;
        return vq_load16(vq, vq->avail, &flags) && !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    uint16_t old = vq->signalled_used;
    uint16_t now = vq->used_idx;
    bool valid = vq->signalled_valid;
    vq->signalled_used = now;
    vq->signalled_valid = true;
    uint16_t used_event;
    if (!vq_load16(vq, vq->avail + RING_HDR + 2 * (uint64_t)vq->num, &used_event)) {
        return false;
    }
    if (!valid) {
        return true;
    }
    /* Notify when used_event lies in [old, now): the spec's vring_need_event. */
    return (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
}

/* Copies between the host and the segments of one part, from byte `offset`. */
static uint64_t vq_copy(VirtQueue *vq, const VirtQueueSeg *segs, unsigned nsegs,
                        uint64_t offset, uint8_t *buf, uint64_t len, bool to_guest)
{
    uint64_t done = 0;
    for (unsigned i = 0; i < nsegs && done < len; i++) {
        uint64_t seg_len = segs[i].len;
        if (offset >= seg_len) {
            offset -= seg_len;
            continue;
        }
        uint64_t chunk = MIN(seg_len - offset, len - done);
        uint8_t *p = vq_ram(vq, segs[i].addr + offset, chunk);
        if (!p) {
            break; /* the map changed since pop: stop short */
        }
        if (to_guest) {
            memcpy(p, buf + done, chunk);
            address_space_dma_written(vq->as, segs[i].addr + offset, chunk);
        } else {
            memcpy(buf + done, p, chunk);
        }
        done += chunk;
        offset = 0;
    }
    return done;
}

uint64_t virtqueue_write_in(VirtQueue *vq, const VirtQueueElement *elem, uint64_t offset,
                            const void *buf, uint64_t len)
{
    return vq_copy(vq, elem->in, elem->in_num, offset, (uint8_t *)buf, len, true);
}

uint64_t virtqueue_read_out(VirtQueue *vq, const VirtQueueElement *elem, uint64_t offset,
                            void *buf, uint64_t len)
{
    return vq_copy(vq, elem->out, elem->out_num, offset, buf, len, false);
}

int virtqueue_map(VirtQueue *vq, const VirtQueueElement *elem, bool in, uint64_t offset,
                  uint64_t len, struct iovec *iov, int max)
{
    const VirtQueueSeg *segs = in ? elem->in : elem->out;
    unsigned nsegs = in ? elem->in_num : elem->out_num;
    int n = 0;
    for (unsigned i = 0; i < nsegs && len > 0; i++) {
        uint64_t seg_len = segs[i].len;
        if (offset >= seg_len) {
            offset -= seg_len;
            continue;
        }
        uint64_t chunk = MIN(seg_len - offset, len);
        uint8_t *p = vq_ram(vq, segs[i].addr + offset, chunk);
        if (!p || n == max) {
            return -1;
        }
        iov[n].iov_base = p;
        iov[n].iov_len = (size_t)chunk;
        n++;
        len -= chunk;
        offset = 0;
    }
    return len == 0 ? n : -1;
}

void virtqueue_dma_written(VirtQueue *vq, const VirtQueueElement *elem, uint64_t offset,
                           uint64_t len)
{
    for (unsigned i = 0; i < elem->in_num && len > 0; i++) {
        uint64_t seg_len = elem->in[i].len;
        if (offset >= seg_len) {
            offset -= seg_len;
            continue;
        }
        uint64_t chunk = MIN(seg_len - offset, len);
        address_space_dma_written(vq->as, elem->in[i].addr + offset, chunk);
        len -= chunk;
        offset = 0;
    }
}
