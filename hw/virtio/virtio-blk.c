/*
 * The virtio block device (virtio 1.x, 5.2): see virtio-blk.h.
 *
 * A request is a chain: a 16-byte header the device reads (type, reserved,
 * sector), the data (read for writes, written for reads), and one status
 * byte the device writes last.  The path of one request:
 *   1. vCPU thread, big lock held (queue_notify): pop, read the header,
 *      check what can be checked without the disk, map the data buffers to
 *      host iovecs, hand the request to the I/O thread;
 *   2. I/O thread, no lock: the block layer call, the status byte, and
 *      address_space_dma_written for what it wrote into guest RAM (it may
 *      have overwritten translated code); then onto the finished list and
 *      a write to the eventfd;
 *   3. main loop, big lock taken: push the used element, notify.
 * Requests run one at a time, in the order the driver queued them.
 *
 * A driver reset (or a machine reset) under the big lock bumps the
 * generation: requests of an older generation that the I/O thread has not
 * started are skipped, the one it is running is waited for, and finished
 * ones are dropped without touching the (now reset) rings.
 *
 * Guest mistakes: a chain without room for the header or the status byte
 * breaks the queue (the spec's "device needs reset"); a request past the
 * end of the disk, with a length not a multiple of 512 bytes, or writing a
 * read-only drive gets VIRTIO_BLK_S_IOERR; unknown types get UNSUPP.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>

#include "hw/virtio/virtio-blk.h"
#include "hw/virtio/virtio.h"
#include "rove/block.h"
#include "rove/bql.h"

#define BLK_HEADER_SIZE 16
#define BLK_SEG_MAX (VIRTIO_BLK_QUEUE_SIZE - 2)
/* One discard / write-zeroes range per request (config max_*_seg = 1). */
#define BLK_MAX_RANGE_SECTORS 0x3fffffu
#define BLK_RANGE_SIZE 16

typedef struct BlkRequest {
    VirtQueueElement *elem;
    unsigned queue;
    uint64_t gen;
    uint32_t type;
    uint64_t sector;
    uint8_t status;          /* decided at parse time, or by the I/O */
    bool ready;              /* status is final: no I/O needed */
    uint8_t *status_host;    /* the status byte in guest RAM */
    uint64_t data_len;       /* data bytes (reads/writes) */
    uint32_t written;        /* bytes written into the in part */
    struct iovec *iov;
    int niov;
    uint64_t range_sector;   /* discard / write-zeroes */
    uint32_t range_sectors;
    uint32_t range_flags;
} BlkRequest;

typedef struct VirtioBlk {
    VirtioDevice parent;
    char *drive;             /* properties */
    char *serial;
    BlockDev *bs;
    bool read_only;

    GThread *thread;
    GMutex lock;             /* guards what follows */
    GCond cond;
    GQueue todo;             /* BlkRequest *, for the I/O thread */
    GQueue done;             /* BlkRequest *, for the main loop */
    BlkRequest *running;
    uint64_t gen;
    bool stop;
    bool paused;             /* virtio_blk_set_paused: a disk that does not answer */
    int event_fd;            /* the I/O thread -> the main loop */
    guint source_id;

    uint64_t requests;       /* completed so far (tests) */
} VirtioBlk;

static VirtioBlk *blk_of(VirtioBackend *be)
{
    return (VirtioBlk *)((char *)be - offsetof(VirtioDevice, be));
}

static void request_free(BlkRequest *r)
{
    if (r->elem) {
        virtqueue_element_free(r->elem);
    }
    g_free(r->iov);
    g_free(r);
}

/* ---- The I/O thread ---- */

static bool in_range(VirtioBlk *s, uint64_t sector, uint64_t len)
{
    uint64_t size = block_size(s->bs);
    return sector <= size / VIRTIO_BLK_SECTOR && len <= size - sector * VIRTIO_BLK_SECTOR;
}

static uint8_t blk_status(int ret)
{
    return ret == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

static void request_run(VirtioBlk *s, BlkRequest *r)
{
    uint64_t off = r->sector * VIRTIO_BLK_SECTOR;
    switch (r->type) {
    case VIRTIO_BLK_T_IN:
        r->status = blk_status(block_preadv(s->bs, off, r->iov, r->niov));
        if (r->status == VIRTIO_BLK_S_OK) {
            r->written = (uint32_t)r->data_len;
        }
        break;
    case VIRTIO_BLK_T_OUT:
        r->status = blk_status(block_pwritev(s->bs, off, r->iov, r->niov));
        break;
    case VIRTIO_BLK_T_FLUSH:
        r->status = blk_status(block_flush(s->bs));
        break;
    case VIRTIO_BLK_T_DISCARD:
        r->status = blk_status(block_discard(s->bs, r->range_sector * VIRTIO_BLK_SECTOR,
                                             (uint64_t)r->range_sectors * VIRTIO_BLK_SECTOR));
        break;
    case VIRTIO_BLK_T_WRITE_ZEROES:
        r->status = blk_status(block_write_zeroes(s->bs, r->range_sector * VIRTIO_BLK_SECTOR,
                                                  (uint64_t)r->range_sectors * VIRTIO_BLK_SECTOR,
                                                  r->range_flags & 1));
        break;
    default:
        r->status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
}

static gpointer io_thread(gpointer opaque)
{
    VirtioBlk *s = opaque;
    g_mutex_lock(&s->lock);
    for (;;) {
        while (!s->stop && (s->paused || g_queue_is_empty(&s->todo))) {
            g_cond_wait(&s->cond, &s->lock);
        }
        if (s->stop) {
            break;
        }
        BlkRequest *r = g_queue_pop_head(&s->todo);
        if (r->gen != s->gen) {
            request_free(r); /* reset since it was queued */
            g_cond_broadcast(&s->cond); /* virtio_blk_drain may wait for an empty list */
            continue;
        }
        s->running = r;
        g_mutex_unlock(&s->lock);

        if (!r->ready) {
            request_run(s, r);
        }
        VirtQueue *vq = virtio_queue(&s->parent.be, r->queue);
        if (r->written) {
            virtqueue_dma_written(vq, r->elem, 0, r->written);
        }
        *r->status_host = r->status;
        virtqueue_dma_written(vq, r->elem, r->elem->in_len - 1, 1);

        g_mutex_lock(&s->lock);
        s->running = NULL;
        g_cond_broadcast(&s->cond); /* a reset may wait for it */
        g_queue_push_tail(&s->done, r);
        uint64_t one = 1;
        if (write(s->event_fd, &one, sizeof(one)) < 0) {
            /* The counter is saturated: the main loop is already due. */
        }
    }
    g_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- Completion, under the big lock ---- */

static unsigned complete_finished(VirtioBlk *s)
{
    GQueue done = G_QUEUE_INIT;
    g_mutex_lock(&s->lock);
    uint64_t gen = s->gen;
    done = s->done;
    g_queue_init(&s->done);
    g_mutex_unlock(&s->lock);

    unsigned n = 0;
    bool pushed[VIRTIO_MAX_QUEUES] = { false };
    BlkRequest *r;
    while ((r = g_queue_pop_head(&done)) != NULL) {
        if (r->gen == gen) {
            VirtQueue *vq = virtio_queue(&s->parent.be, r->queue);
            virtqueue_push(vq, r->elem, r->written + 1);
            r->elem = NULL;
            pushed[r->queue] = true;
            s->requests++;
            n++;
        }
        request_free(r);
    }
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
        if (pushed[q]) {
            virtio_notify(&s->parent.be, q);
        }
    }
    return n;
}

static gboolean on_event(gint fd, GIOCondition cond, gpointer opaque)
{
    VirtioBlk *s = opaque;
    uint64_t count;
    if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
        return G_SOURCE_CONTINUE;
    }
    BqlGuard g = bql_guard_enter();
    complete_finished(s);
    bql_guard_exit(g);
    return G_SOURCE_CONTINUE;
}

unsigned virtio_blk_complete(Device *dev, unsigned timeout_ms)
{
    VirtioBlk *s = (VirtioBlk *)dev;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    g_mutex_lock(&s->lock);
    while (g_queue_is_empty(&s->done) &&
           g_cond_wait_until(&s->cond, &s->lock, deadline)) {
    }
    g_mutex_unlock(&s->lock);
    BqlGuard g = bql_guard_enter();
    unsigned n = complete_finished(s);
    bql_guard_exit(g);
    return n;
}

void virtio_blk_set_paused(Device *dev, bool paused)
{
    VirtioBlk *s = (VirtioBlk *)dev;
    g_mutex_lock(&s->lock);
    s->paused = paused;
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

unsigned virtio_blk_drain(Device *dev)
{
    VirtioBlk *s = (VirtioBlk *)dev;
    g_mutex_lock(&s->lock);
    while (!g_queue_is_empty(&s->todo) || s->running) {
        g_cond_wait(&s->cond, &s->lock);
    }
    g_mutex_unlock(&s->lock);
    BqlGuard g = bql_guard_enter();
    unsigned n = complete_finished(s);
    bql_guard_exit(g);
    return n;
}

/* ---- Parsing, on the vCPU that kicked the queue ---- */

/* Fills r from its header and buffers; false: the chain is malformed. */
static bool request_parse(VirtioBlk *s, VirtQueue *vq, BlkRequest *r)
{
    VirtQueueElement *e = r->elem;
    uint8_t hdr[BLK_HEADER_SIZE];
    if (e->out_len < BLK_HEADER_SIZE || e->in_len < 1 ||
        virtqueue_read_out(vq, e, 0, hdr, sizeof(hdr)) != sizeof(hdr)) {
        return false;
    }
    r->type = GUINT32_FROM_LE(*(uint32_t *)hdr);
    r->sector = GUINT64_FROM_LE(*(uint64_t *)(hdr + 8));
    struct iovec st;
    if (virtqueue_map(vq, e, true, e->in_len - 1, 1, &st, 1) != 1) {
        return false;
    }
    r->status_host = st.iov_base;

    uint64_t out_data = e->out_len - BLK_HEADER_SIZE;
    uint64_t in_data = e->in_len - 1;
    r->status = VIRTIO_BLK_S_IOERR;
    r->ready = true;
    switch (r->type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT: {
        bool in = r->type == VIRTIO_BLK_T_IN;
        r->data_len = in ? in_data : out_data;
        if (r->data_len % VIRTIO_BLK_SECTOR || !in_range(s, r->sector, r->data_len) ||
            (!in && s->read_only) || r->data_len > UINT32_MAX - 1) {
            return true;
        }
        /* Each buffer is one piece of RAM (checked when popped): one iovec. */
        int max = (int)(in ? e->in_num : e->out_num);
        r->iov = g_new(struct iovec, max ? max : 1);
        r->niov = virtqueue_map(vq, e, in, in ? 0 : BLK_HEADER_SIZE, r->data_len, r->iov, max);
        if (r->niov < 0) {
            return false;
        }
        r->ready = r->data_len == 0;
        r->status = VIRTIO_BLK_S_OK;
        return true;
    }
    case VIRTIO_BLK_T_FLUSH:
        r->ready = false;
        return true;
    case VIRTIO_BLK_T_GET_ID: {
        char id[VIRTIO_BLK_ID_BYTES] = { 0 };
        if (s->serial) {
            memcpy(id, s->serial, MIN(strlen(s->serial), sizeof(id)));
        }
        r->written = (uint32_t)virtqueue_write_in(vq, e, 0, id, MIN(in_data, sizeof(id)));
        r->status = VIRTIO_BLK_S_OK;
        return true;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES: {
        uint8_t range[BLK_RANGE_SIZE];
        if (out_data != BLK_RANGE_SIZE ||
            virtqueue_read_out(vq, e, BLK_HEADER_SIZE, range, sizeof(range)) != sizeof(range)) {
            return true; /* more than max_*_seg ranges, or none: an error */
        }
        r->range_sector = GUINT64_FROM_LE(*(uint64_t *)range);
        r->range_sectors = GUINT32_FROM_LE(*(uint32_t *)(range + 8));
        r->range_flags = GUINT32_FROM_LE(*(uint32_t *)(range + 12));
        bool discard = r->type == VIRTIO_BLK_T_DISCARD;
        if (s->read_only || r->range_sectors > BLK_MAX_RANGE_SECTORS ||
            !in_range(s, r->range_sector, (uint64_t)r->range_sectors * VIRTIO_BLK_SECTOR)) {
            return true;
        }
        if (r->range_flags & (discard ? ~0u : ~1u)) {
            r->status = VIRTIO_BLK_S_UNSUPP; /* unknown flags */
            return true;
        }
        r->ready = false;
        return true;
    }
    default:
        r->status = VIRTIO_BLK_S_UNSUPP;
        return true;
    }
}

static void blk_queue_notify(VirtioBackend *be, unsigned q)
{
    VirtioBlk *s = blk_of(be);
    VirtQueue *vq = virtio_queue(be, q);
    VirtQueueElement *e;
    GQueue batch = G_QUEUE_INIT;

    while (vq && (e = virtqueue_pop(vq)) != NULL) {
        BlkRequest *r = g_new0(BlkRequest, 1);
        r->elem = e;
        r->queue = q;
        if (!request_parse(s, vq, r)) {
            request_free(r);
            virtqueue_set_broken(vq, "virtio-blk: a request without header or status byte");
            break;
        }
        g_queue_push_tail(&batch, r);
    }
    if (g_queue_is_empty(&batch)) {
        return;
    }
    g_mutex_lock(&s->lock);
    BlkRequest *r;
    while ((r = g_queue_pop_head(&batch)) != NULL) {
        r->gen = s->gen;
        g_queue_push_tail(&s->todo, r);
    }
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

/* ---- Config space, reset, life cycle ---- */

/* struct virtio_blk_config up to write_zeroes_may_unmap (5.2.4). */
enum {
    CFG_CAPACITY = 0,
    CFG_SEG_MAX = 12,
    CFG_BLK_SIZE = 20,
    CFG_NUM_QUEUES = 34,
    CFG_MAX_DISCARD_SECTORS = 36,
    CFG_MAX_DISCARD_SEG = 40,
    CFG_DISCARD_ALIGNMENT = 44,
    CFG_MAX_WRITE_ZEROES_SECTORS = 48,
    CFG_MAX_WRITE_ZEROES_SEG = 52,
    CFG_WRITE_ZEROES_MAY_UNMAP = 56,
    CFG_SIZE = 60,
};

static void put_le(uint8_t *cfg, unsigned off, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        cfg[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static void blk_config_read(VirtioBackend *be, uint32_t offset, uint8_t *buf, unsigned len)
{
    VirtioBlk *s = blk_of(be);
    uint8_t cfg[CFG_SIZE] = { 0 };
    put_le(cfg, CFG_CAPACITY, block_size(s->bs) / VIRTIO_BLK_SECTOR, 8);
    put_le(cfg, CFG_SEG_MAX, BLK_SEG_MAX, 4);
    put_le(cfg, CFG_BLK_SIZE, VIRTIO_BLK_SECTOR, 4);
    put_le(cfg, CFG_NUM_QUEUES, 1, 2);
    put_le(cfg, CFG_MAX_DISCARD_SECTORS, BLK_MAX_RANGE_SECTORS, 4);
    put_le(cfg, CFG_MAX_DISCARD_SEG, 1, 4);
    put_le(cfg, CFG_DISCARD_ALIGNMENT, 1, 4);
    put_le(cfg, CFG_MAX_WRITE_ZEROES_SECTORS, BLK_MAX_RANGE_SECTORS, 4);
    put_le(cfg, CFG_MAX_WRITE_ZEROES_SEG, 1, 4);
    put_le(cfg, CFG_WRITE_ZEROES_MAY_UNMAP, 1, 1);
    memcpy(buf, cfg + offset, len);
}

/* Forgets every request: the rings they belong to are being reset. */
static void blk_reset(VirtioBackend *be)
{
    VirtioBlk *s = blk_of(be);
    g_mutex_lock(&s->lock);
    s->gen++;
    while (s->running) {
        g_cond_wait(&s->cond, &s->lock);
    }
    BlkRequest *r;
    while ((r = g_queue_pop_head(&s->todo)) != NULL) {
        request_free(r);
    }
    while ((r = g_queue_pop_head(&s->done)) != NULL) {
        request_free(r);
    }
    g_mutex_unlock(&s->lock);
}

static const VirtioBackendOps blk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .features = (UINT64_C(1) << VIRTIO_BLK_F_SEG_MAX) | (UINT64_C(1) << VIRTIO_BLK_F_BLK_SIZE) |
                (UINT64_C(1) << VIRTIO_BLK_F_FLUSH) | (UINT64_C(1) << VIRTIO_BLK_F_DISCARD) |
                (UINT64_C(1) << VIRTIO_BLK_F_WRITE_ZEROES),
    .num_queues = 1,
    .queue_max = VIRTIO_BLK_QUEUE_SIZE,
    .config_size = CFG_SIZE,
    .config_read = blk_config_read,
    .queue_notify = blk_queue_notify,
    .reset = blk_reset,
};

/* The read-only variant offers VIRTIO_BLK_F_RO and no discard. */
static const VirtioBackendOps blk_ro_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .features = (UINT64_C(1) << VIRTIO_BLK_F_SEG_MAX) | (UINT64_C(1) << VIRTIO_BLK_F_BLK_SIZE) |
                (UINT64_C(1) << VIRTIO_BLK_F_FLUSH) | (UINT64_C(1) << VIRTIO_BLK_F_RO),
    .num_queues = 1,
    .queue_max = VIRTIO_BLK_QUEUE_SIZE,
    .config_size = CFG_SIZE,
    .config_read = blk_config_read,
    .queue_notify = blk_queue_notify,
    .reset = blk_reset,
};

static void blk_init(Device *dev)
{
    VirtioBlk *s = (VirtioBlk *)dev;
    s->parent.be.ops = &blk_ops;
    s->event_fd = -1;
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    g_queue_init(&s->todo);
    g_queue_init(&s->done);
}

static bool blk_realize(Device *dev, GError **errp)
{
    VirtioBlk *s = (VirtioBlk *)dev;
    if (!s->drive || !*s->drive) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "%s: the drive property is required (drive=ID of a -drive)", TYPE_VIRTIO_BLK);
        return false;
    }
    if (s->serial && strlen(s->serial) > VIRTIO_BLK_ID_BYTES) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "%s: serial '%s' is longer than %d bytes", TYPE_VIRTIO_BLK, s->serial,
                    VIRTIO_BLK_ID_BYTES);
        return false;
    }
    s->bs = block_drive_find(s->drive);
    if (!s->bs) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE, "%s: no drive with id '%s'",
                    TYPE_VIRTIO_BLK, s->drive);
        return false;
    }
    s->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->event_fd < 0) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE, "%s: eventfd: %s",
                    TYPE_VIRTIO_BLK, g_strerror(errno));
        return false;
    }
    /* Last: nothing after it can fail. */
    if (!block_drive_claim(s->drive)) {
        g_set_error(errp, DEVICE_ERROR, DEVICE_ERROR_REALIZE,
                    "%s: drive '%s' is already in use by another device", TYPE_VIRTIO_BLK,
                    s->drive);
        return false;
    }
    s->read_only = block_read_only(s->bs);
    s->parent.be.ops = s->read_only ? &blk_ro_ops : &blk_ops;
    s->source_id = g_unix_fd_add(s->event_fd, G_IO_IN, on_event, s);
    s->thread = g_thread_new("virtio-blk", io_thread, s);
    return true;
}

static void blk_finalize(Device *dev)
{
    VirtioBlk *s = (VirtioBlk *)dev;
    if (s->thread) {
        g_mutex_lock(&s->lock);
        s->stop = true;
        g_cond_broadcast(&s->cond);
        g_mutex_unlock(&s->lock);
        g_thread_join(s->thread);
    }
    BlkRequest *r;
    while ((r = g_queue_pop_head(&s->todo)) != NULL) {
        request_free(r);
    }
    while ((r = g_queue_pop_head(&s->done)) != NULL) {
        request_free(r);
    }
    if (s->source_id) {
        g_source_remove(s->source_id);
    }
    if (s->event_fd >= 0) {
        close(s->event_fd);
    }
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
}

static const Property blk_props[] = {
    DEFINE_PROP_STRING("drive", VirtioBlk, drive, NULL, "the -drive id it serves"),
    DEFINE_PROP_STRING("serial", VirtioBlk, serial, NULL,
                       "the disk's serial number (up to 20 bytes; /sys/block/vdX/serial)"),
    DEFINE_PROP_END,
};

static const DeviceType virtio_blk_type = {
    .name = TYPE_VIRTIO_BLK,
    .help = "virtio block device (a -drive: raw or qcow2 image)",
    .instance_size = sizeof(VirtioBlk),
    .props = blk_props,
    .bus = VIRTIO_BUS,
    .init = blk_init,
    .realize = blk_realize,
    .finalize = blk_finalize,
};

void virtio_blk_register_types(DeviceRegistry *reg)
{
    device_type_register(reg, &virtio_blk_type);
}
