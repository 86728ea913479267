/*
 * qcow2 guest I/O through the L1/L2 tables.
 *
 * Write ordering (what keeps a killed process's image consistent):
 *  1. new clusters get refcount 1 (qcow2-refcount.c writes it at once);
 *  2. data is written to its cluster (a partial write copies the rest of
 *     the cluster from the old contents or the backing file first);
 *  3. a new L2 table is written whole;
 *  4. fdatasync when metadata must survive power loss (sync_metadata): the
 *     refcounts, data and new table of steps 1-3 are durable before...
 *  5. ...the L2 entries, or for a new L2 table the L1 entry, that point at
 *     them are written.
 * Unmapping runs the other way: the pointer is rewritten (and synced)
 * before the cluster's refcount drops.  A kill anywhere leaves at worst
 * clusters with a refcount and no user.
 */
#include <errno.h>
#include <stdlib.h>

#include "block/qcow2.h"

/* ---- Metadata cache ---- */

static unsigned cache_slot(BlockDev *bs, uint64_t offset)
{
    return (unsigned)((offset >> qcow2_state(bs)->cluster_bits) % QCOW2_CACHE_SLOTS);
}

uint8_t *qcow2_cache_get(BlockDev *bs, Qcow2Cache *c, uint64_t offset, int *err)
{
    Qcow2State *s = qcow2_state(bs);
    unsigned i = cache_slot(bs, offset);
    if (c->offset[i] == offset && c->data[i]) {
        return c->data[i];
    }
    if (!c->data[i]) {
        c->data[i] = g_malloc(s->cluster_size);
    }
    c->offset[i] = 0;
    int r = block_file_pread(bs->file, offset, c->data[i], s->cluster_size);
    if (r < 0) {
        *err = r;
        return NULL;
    }
    c->offset[i] = offset;
    return c->data[i];
}

void qcow2_cache_insert(BlockDev *bs, Qcow2Cache *c, uint64_t offset, const uint8_t *data)
{
    Qcow2State *s = qcow2_state(bs);
    unsigned i = cache_slot(bs, offset);
    if (!c->data[i]) {
        c->data[i] = g_malloc(s->cluster_size);
    }
    memcpy(c->data[i], data, s->cluster_size);
    c->offset[i] = offset;
}

void qcow2_cache_drop(Qcow2Cache *c, uint64_t offset)
{
    for (unsigned i = 0; i < QCOW2_CACHE_SLOTS; i++) {
        if (c->offset[i] == offset) {
            c->offset[i] = 0;
        }
    }
}

void qcow2_cache_free(Qcow2Cache *c)
{
    for (unsigned i = 0; i < QCOW2_CACHE_SLOTS; i++) {
        g_free(c->data[i]);
        c->data[i] = NULL;
        c->offset[i] = 0;
    }
}

/* ---- Mapping ---- */

Qcow2ClusterKind qcow2_classify(const Qcow2State *s, uint64_t l2_entry)
{
    if (l2_entry & QCOW2_OFLAG_COMPRESSED) {
        return QCOW2_COMPRESSED;
    }
    if (s->version >= 3 && (l2_entry & QCOW2_OFLAG_ZERO)) {
        return (l2_entry & QCOW2_OFFSET_MASK) ? QCOW2_ZERO_ALLOC : QCOW2_ZERO_PLAIN;
    }
    return (l2_entry & QCOW2_OFFSET_MASK) ? QCOW2_NORMAL : QCOW2_UNALLOCATED;
}

typedef struct L2Ref {
    uint64_t l1_index;
    uint64_t l2_offset;     /* 0: no table yet */
    uint8_t *table;         /* cluster-sized, big-endian entries; NULL when none */
} L2Ref;

static uint64_t l1_index_of(const Qcow2State *s, uint64_t guest)
{
    return guest >> (s->cluster_bits + s->l2_bits);
}

static uint64_t l2_index_of(const Qcow2State *s, uint64_t guest)
{
    return (guest >> s->cluster_bits) & ((1ull << s->l2_bits) - 1);
}

/* The L2 table for a guest offset, validated: -EIO when the L1 entry points
 * outside the file or into other metadata. */
static int l2_lookup(BlockDev *bs, uint64_t guest, L2Ref *ref)
{
    Qcow2State *s = qcow2_state(bs);
    ref->l1_index = l1_index_of(s, guest);
    ref->l2_offset = 0;
    ref->table = NULL;
    if (ref->l1_index >= s->l1_size) {
        return 0;
    }
    uint64_t off = s->l1[ref->l1_index] & QCOW2_OFFSET_MASK;
    if (off == 0) {
        return 0;
    }
    if ((off & (s->cluster_size - 1)) || (off >> s->cluster_bits) >= s->end_cluster ||
        qcow2_overlaps_metadata(bs, off, s->cluster_size, off)) {
        return qcow2_mark_corrupt(bs, "L2 table offset", off);
    }
    int err;
    ref->table = qcow2_cache_get(bs, &s->l2_cache, off, &err);
    if (!ref->table) {
        return err;
    }
    ref->l2_offset = off;
    return 0;
}

static uint64_t l2_get(const L2Ref *ref, uint64_t index)
{
    return ref->table ? qcow2_be64(ref->table + 8 * index) : 0;
}

/* A normal cluster's host offset, checked before any I/O goes through it. */
static int64_t data_offset(BlockDev *bs, uint64_t entry, bool for_write)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t off = entry & QCOW2_OFFSET_MASK;
    if ((off & (s->cluster_size - 1)) || (off >> s->cluster_bits) >= s->end_cluster ||
        (for_write && qcow2_overlaps_metadata(bs, off, s->cluster_size, 0))) {
        return qcow2_mark_corrupt(bs, "data cluster offset", off);
    }
    return (int64_t)off;
}

int qcow2_pread(BlockDev *bs, uint64_t offset, void *buf, size_t len)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *out = buf;
    while (len) {
        uint64_t in_cluster = offset & (s->cluster_size - 1);
        size_t n = (size_t)MIN((uint64_t)len, s->cluster_size - in_cluster);
        L2Ref ref;
        int r = l2_lookup(bs, offset, &ref);
        if (r < 0) {
            return r;
        }
        uint64_t entry = l2_get(&ref, l2_index_of(s, offset));
        switch (qcow2_classify(s, entry)) {
        case QCOW2_UNALLOCATED:
            r = block_read_backing(bs, offset, out, n);
            break;
        case QCOW2_ZERO_PLAIN:
        case QCOW2_ZERO_ALLOC:
            memset(out, 0, n);
            break;
        case QCOW2_COMPRESSED:
            r = -ENOTSUP;  /* no zlib in the block layer: see docs/block.md */
            break;
        case QCOW2_NORMAL: {
            int64_t host = data_offset(bs, entry, false);
            r = host < 0 ? (int)host : block_file_pread(bs->file, (uint64_t)host + in_cluster, out, n);
            break;
        }
        }
        if (r < 0) {
            return r;
        }
        offset += n;
        out += n;
        len -= n;
    }
    return 0;
}

/* Makes ref hold a table to write to: an existing one whose L1 entry says
 * it is not shared, or a new zeroed one (its cluster allocated, nothing
 * pointing at it yet: commit_l2 writes it and then the L1 entry). */
static int l2_for_write(BlockDev *bs, uint64_t guest, L2Ref *ref, bool *is_new)
{
    Qcow2State *s = qcow2_state(bs);
    *is_new = false;
    int r = l2_lookup(bs, guest, ref);
    if (r < 0) {
        return r;
    }
    if (ref->l1_index >= s->l1_size) {
        return -EIO;
    }
    if (ref->table) {
        if (!(s->l1[ref->l1_index] & QCOW2_OFLAG_COPIED)) {
            uint64_t rc;
            r = qcow2_get_refcount(bs, ref->l2_offset >> s->cluster_bits, &rc);
            if (r < 0) {
                return r;
            }
            if (rc != 1) {
                return -ENOTSUP;  /* shared with an internal snapshot */
            }
        }
        /* Work on a private copy: allocating may evict the cache slot. */
        ref->table = g_memdup2(ref->table, s->cluster_size);
        return 0;
    }
    int64_t off = qcow2_alloc_cluster(bs);
    if (off >= 0 && qcow2_overlaps_metadata(bs, (uint64_t)off, s->cluster_size, 0)) {
        off = qcow2_mark_corrupt(bs, "newly allocated L2 table", (uint64_t)off);
    }
    if (off < 0) {
        return (int)off;
    }
    ref->l2_offset = (uint64_t)off;
    ref->table = g_malloc0(s->cluster_size);
    *is_new = true;
    return 0;
}

/* Steps 3-5 of the write ordering for the entries [first, last] of ref. */
static int commit_l2(BlockDev *bs, L2Ref *ref, bool is_new, uint64_t first, uint64_t last,
                     bool needs_sync)
{
    Qcow2State *s = qcow2_state(bs);
    int r = 0;
    if (is_new) {
        r = block_file_pwrite(bs->file, ref->l2_offset, ref->table, s->cluster_size);
    }
    if (r == 0 && (needs_sync || is_new)) {
        r = qcow2_sync_before_pointer(bs);
    }
    if (r == 0 && !is_new && first <= last) {
        r = block_file_pwrite(bs->file, ref->l2_offset + 8 * first, ref->table + 8 * first,
                              8 * (last - first + 1));
    }
    uint64_t l1e = ref->l2_offset | QCOW2_OFLAG_COPIED;
    if (r == 0 && s->l1[ref->l1_index] != l1e) {
        uint8_t e[8];
        qcow2_put_be64(e, l1e);
        r = block_file_pwrite(bs->file, s->l1_offset + 8 * ref->l1_index, e, 8);
        if (r == 0) {
            s->l1[ref->l1_index] = l1e;
        }
    }
    /* The cache follows the file: what was written, or nothing. */
    if (r == 0) {
        qcow2_cache_insert(bs, &s->l2_cache, ref->l2_offset, ref->table);
    } else {
        qcow2_cache_drop(&s->l2_cache, ref->l2_offset);
    }
    return r;
}

/* Whether a cluster can be written where it is (not shared, refcount 1). */
static int writable_in_place(BlockDev *bs, uint64_t entry, bool *ok)
{
    Qcow2State *s = qcow2_state(bs);
    *ok = true;
    if (entry & QCOW2_OFLAG_COPIED) {
        return 0;
    }
    uint64_t rc;
    int r = qcow2_get_refcount(bs, (entry & QCOW2_OFFSET_MASK) >> s->cluster_bits, &rc);
    *ok = rc == 1;
    return r;
}

/* Writes [offset, offset + len), which lies within one L2 table. */
static int write_in_l2(BlockDev *bs, uint64_t offset, const uint8_t *buf, uint64_t len)
{
    Qcow2State *s = qcow2_state(bs);
    L2Ref ref;
    bool is_new;
    int r = l2_for_write(bs, offset, &ref, &is_new);
    if (r < 0) {
        return r;
    }
    uint64_t first = UINT64_MAX, last = 0;
    uint8_t *cluster_buf = NULL;
    while (len && r == 0) {
        uint64_t in_cluster = offset & (s->cluster_size - 1);
        uint64_t n = MIN(len, s->cluster_size - in_cluster);
        uint64_t idx = l2_index_of(s, offset);
        uint64_t entry = l2_get(&ref, idx);
        Qcow2ClusterKind kind = qcow2_classify(s, entry);
        bool in_place = false;
        if (kind == QCOW2_COMPRESSED) {
            r = -ENOTSUP;
            break;
        }
        if (kind == QCOW2_NORMAL || kind == QCOW2_ZERO_ALLOC) {
            r = writable_in_place(bs, entry, &in_place);
            if (r < 0) {
                break;
            }
            if (!in_place) {
                r = -ENOTSUP;  /* shared with an internal snapshot */
                break;
            }
        }
        int64_t host;
        if (kind == QCOW2_NORMAL) {
            host = data_offset(bs, entry, true);
            if (host < 0) {
                r = (int)host;
                break;
            }
            r = block_file_pwrite(bs->file, (uint64_t)host + in_cluster, buf, n);
            if (r == 0 && !(entry & QCOW2_OFLAG_COPIED)) {
                qcow2_put_be64(ref.table + 8 * idx, entry | QCOW2_OFLAG_COPIED);
                first = MIN(first, idx);
                last = MAX(last, idx);
            }
        } else {
            if (kind == QCOW2_ZERO_ALLOC) {
                host = data_offset(bs, entry, true);
            } else {
                host = qcow2_alloc_cluster(bs);
                /* Refcount 0 under live metadata means the refcounts lie. */
                if (host >= 0 && qcow2_overlaps_metadata(bs, (uint64_t)host, s->cluster_size, 0)) {
                    host = qcow2_mark_corrupt(bs, "newly allocated cluster", (uint64_t)host);
                }
            }
            if (host < 0) {
                r = (int)host;
                break;
            }
            const uint8_t *src = buf;
            if (n < s->cluster_size) {
                /* Copy-on-write: the rest of the cluster from what it read as. */
                if (!cluster_buf) {
                    cluster_buf = g_malloc(s->cluster_size);
                }
                uint64_t cluster_start = offset - in_cluster;
                if (kind == QCOW2_UNALLOCATED) {
                    r = block_read_backing(bs, cluster_start, cluster_buf, s->cluster_size);
                } else {
                    memset(cluster_buf, 0, s->cluster_size);
                }
                memcpy(cluster_buf + in_cluster, buf, n);
                src = cluster_buf;
            }
            if (r == 0) {
                r = block_file_pwrite(bs->file, (uint64_t)host, src, s->cluster_size);
            }
            qcow2_put_be64(ref.table + 8 * idx, (uint64_t)host | QCOW2_OFLAG_COPIED);
            first = MIN(first, idx);
            last = MAX(last, idx);
        }
        offset += n;
        buf += n;
        len -= n;
    }
    if (r == 0) {
        /* Reserved clusters' refcounts were synced already: only a
         * refcount raised since the last sync needs one now. */
        r = commit_l2(bs, &ref, is_new, first, last, s->refcounts_unsynced);
    } else if (first != UINT64_MAX) {
        qcow2_cache_drop(&s->l2_cache, ref.l2_offset);
    }
    g_free(cluster_buf);
    g_free(ref.table);
    return r;
}

static uint64_t bytes_left_in_l2(const Qcow2State *s, uint64_t offset)
{
    uint64_t span = 1ull << (s->cluster_bits + s->l2_bits);
    return span - (offset & (span - 1));
}

int qcow2_pwrite(BlockDev *bs, uint64_t offset, const void *buf, size_t len)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->corrupt) {
        return -EIO;
    }
    const uint8_t *in = buf;
    while (len) {
        uint64_t n = MIN((uint64_t)len, bytes_left_in_l2(s, offset));
        int r = write_in_l2(bs, offset, in, n);
        if (r < 0) {
            return r;
        }
        offset += n;
        in += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- Unmapping: discard, write-zeroes, shrink ---- */

typedef enum UnmapMode {
    UNMAP_DISCARD,       /* may keep old data (v2 with a backing file) */
    UNMAP_ZERO,          /* must read as zeroes; the host cluster may go */
    UNMAP_ZERO_KEEP,     /* must read as zeroes; keep the host cluster */
    UNMAP_DROP,          /* unallocated whatever the backing (truncate) */
} UnmapMode;

/* The new L2 entry for a whole cluster, and whether its host cluster is
 * then freed.  (v2 zeroing with a backing file never gets here: it has no
 * zero flag, so unmap_request writes zeroes instead.) */
static uint64_t unmapped_entry(const Qcow2State *s, bool has_backing, UnmapMode mode,
                               uint64_t entry, bool *free_host)
{
    Qcow2ClusterKind kind = qcow2_classify(s, entry);
    bool host = kind == QCOW2_NORMAL || kind == QCOW2_ZERO_ALLOC;
    *free_host = false;
    if (mode == UNMAP_DROP || (!has_backing && mode != UNMAP_ZERO_KEEP)) {
        *free_host = host;
        return 0;     /* unallocated reads as zeroes without a backing file */
    }
    if (s->version < 3) {
        return entry; /* v2 discard with a backing file: keep the old data */
    }
    if (mode == UNMAP_ZERO_KEEP) {
        if (host) {
            return (entry & QCOW2_OFFSET_MASK) | QCOW2_OFLAG_COPIED | QCOW2_OFLAG_ZERO;
        }
        return has_backing ? QCOW2_OFLAG_ZERO : entry;
    }
    *free_host = host;
    return QCOW2_OFLAG_ZERO;
}

static int write_zero_bytes(BlockDev *bs, uint64_t offset, uint64_t len)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *zeroes = g_malloc0(s->cluster_size);
    int r = 0;
    while (len && r == 0) {
        uint64_t n = MIN(len, s->cluster_size - (offset & (s->cluster_size - 1)));
        r = qcow2_pwrite(bs, offset, zeroes, n);
        offset += n;
        len -= n;
    }
    g_free(zeroes);
    return r;
}

/* Whole clusters [offset, offset + len) within one L2 table. */
static int unmap_in_l2(BlockDev *bs, uint64_t offset, uint64_t len, UnmapMode mode)
{
    Qcow2State *s = qcow2_state(bs);
    bool has_backing = bs->backing != NULL;
    L2Ref ref;
    int r = l2_lookup(bs, offset, &ref);
    if (r < 0) {
        return r;
    }
    if (!ref.table && (!has_backing || mode == UNMAP_DROP || s->version < 3)) {
        return 0;   /* nothing mapped, and unallocated is what is wanted */
    }
    bool is_new;
    r = l2_for_write(bs, offset, &ref, &is_new);
    if (r < 0) {
        return r;
    }
    uint64_t nclusters = len >> s->cluster_bits;
    uint64_t first_idx = l2_index_of(s, offset);
    uint64_t *to_free = g_new(uint64_t, nclusters);
    uint64_t nfree = 0, first = UINT64_MAX, last = 0;
    for (uint64_t i = 0; i < nclusters && r == 0; i++) {
        uint64_t idx = first_idx + i;
        uint64_t entry = l2_get(&ref, idx);
        bool free_host;
        if (qcow2_classify(s, entry) == QCOW2_COMPRESSED) {
            r = -ENOTSUP;
            break;
        }
        uint64_t new_entry = unmapped_entry(s, has_backing, mode, entry, &free_host);
        if (new_entry == entry) {
            continue;
        }
        if (free_host) {
            to_free[nfree++] = entry & QCOW2_OFFSET_MASK;
        }
        qcow2_put_be64(ref.table + 8 * idx, new_entry);
        first = MIN(first, idx);
        last = MAX(last, idx);
    }
    if (r == 0 && (first != UINT64_MAX || is_new)) {
        /* The pointers go first; only then may the clusters be reused. */
        r = commit_l2(bs, &ref, is_new, first, last, false);
        if (r == 0 && nfree) {
            r = qcow2_sync_before_pointer(bs);
        }
        for (uint64_t i = 0; i < nfree && r == 0; i++) {
            r = qcow2_free_cluster(bs, to_free[i]);
        }
    } else if (r < 0) {
        qcow2_cache_drop(&s->l2_cache, ref.l2_offset);
    }
    g_free(to_free);
    g_free(ref.table);
    return r;
}

static int unmap_range(BlockDev *bs, uint64_t offset, uint64_t len, UnmapMode mode)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->corrupt) {
        return -EIO;
    }
    while (len) {
        uint64_t n = MIN(len, bytes_left_in_l2(s, offset));
        int r = unmap_in_l2(bs, offset, n, mode);
        if (r < 0) {
            return r;
        }
        offset += n;
        len -= n;
    }
    return 0;
}

/* Splits [offset, offset + len) into a partial head, whole clusters and a
 * partial tail; the partial pieces are written as zeroes when zeroing. */
static int unmap_request(BlockDev *bs, uint64_t offset, uint64_t len, UnmapMode mode)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t cs = s->cluster_size;
    uint64_t start = (offset + cs - 1) & ~(cs - 1);
    uint64_t end = (offset + len) & ~(cs - 1);
    /* The last cluster of an image whose size is not cluster-aligned. */
    if (offset + len == bs->size) {
        end = (offset + len + cs - 1) & ~(cs - 1);
    }
    bool zeroing = mode != UNMAP_DISCARD;
    if (s->version < 3 && zeroing) {
        if (bs->backing) {
            return write_zero_bytes(bs, offset, len); /* no zero flag in v2 */
        }
        mode = UNMAP_ZERO;
    }
    if (start >= end) {
        return zeroing ? write_zero_bytes(bs, offset, len) : 0;
    }
    int r = 0;
    if (zeroing && start > offset) {
        r = write_zero_bytes(bs, offset, start - offset);
    }
    if (r == 0) {
        r = unmap_range(bs, start, end - start, mode);
    }
    if (r == 0 && zeroing && offset + len > end) {
        r = write_zero_bytes(bs, end, offset + len - end);
    }
    return r;
}

int qcow2_discard(BlockDev *bs, uint64_t offset, uint64_t len)
{
    return unmap_request(bs, offset, len, UNMAP_DISCARD);
}

int qcow2_write_zeroes(BlockDev *bs, uint64_t offset, uint64_t len, bool may_unmap)
{
    return unmap_request(bs, offset, len, may_unmap ? UNMAP_ZERO : UNMAP_ZERO_KEEP);
}

int qcow2_unmap_from(BlockDev *bs, uint64_t from)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t start = (from + s->cluster_size - 1) & ~(s->cluster_size - 1);
    uint64_t end = (uint64_t)s->l1_size << (s->cluster_bits + s->l2_bits);
    return start < end ? unmap_range(bs, start, end - start, UNMAP_DROP) : 0;
}
