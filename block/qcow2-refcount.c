/*
 * qcow2 refcounts and cluster allocation.
 *
 * Every refcount change is written to the file at once (write-through), and
 * always before anything that depends on it: a cluster's refcount becomes 1
 * before an L1/L2 entry or the header points at it, and drops only after the
 * last pointer to it was rewritten.  A kill in between leaves a cluster with
 * a refcount but no user (a leak), never a user without a refcount.
 *
 * When the image grows, refcounts for 1 MiB of clusters are taken at once
 * (the reserve): the fdatasync that must separate a refcount from the L2
 * entry using it (qcow2-cluster.c) is then paid once per batch.  Unused
 * reserved clusters are given back on close; a kill leaks them.
 *
 * New refcount blocks and a grown refcount table go at the end of the image
 * (end_cluster): a block is written whole before the table entry that
 * points at it, and a new table before the header points at it; the old
 * table is freed last.
 */
#include <errno.h>

#include "block/qcow2.h"

#define QCOW2_RESERVE_BYTES (1u << 20)

uint64_t qcow2_refcount_entry(const Qcow2State *s, const uint8_t *block, uint64_t index)
{
    switch (s->refcount_order) {
    case 3:
        return block[index];
    case 4:
        return (uint64_t)block[2 * index] << 8 | block[2 * index + 1];
    case 5:
        return qcow2_be32(block + 4 * index);
    case 6:
        return qcow2_be64(block + 8 * index);
    default: {
        /* Sub-byte widths: entry 0 in the least significant bits. */
        uint32_t bits = s->refcount_bits;
        uint64_t bit = index * bits;
        return (block[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
    }
    }
}

void qcow2_refcount_set_entry(const Qcow2State *s, uint8_t *block, uint64_t index, uint64_t v)
{
    switch (s->refcount_order) {
    case 3:
        block[index] = (uint8_t)v;
        break;
    case 4:
        block[2 * index] = (uint8_t)(v >> 8);
        block[2 * index + 1] = (uint8_t)v;
        break;
    case 5:
        qcow2_put_be32(block + 4 * index, (uint32_t)v);
        break;
    case 6:
        qcow2_put_be64(block + 8 * index, v);
        break;
    default: {
        uint32_t bits = s->refcount_bits;
        uint64_t bit = index * bits;
        uint8_t mask = (uint8_t)(((1u << bits) - 1) << (bit % 8));
        block[bit / 8] = (uint8_t)((block[bit / 8] & ~mask) | ((v << (bit % 8)) & mask));
        break;
    }
    }
}

/* The refcount block covering a cluster: 0 when none, -EIO when the table
 * points somewhere impossible. */
static int64_t refblock_offset(BlockDev *bs, uint64_t rt_index)
{
    Qcow2State *s = qcow2_state(bs);
    if (rt_index >= s->reftable_entries) {
        return 0;
    }
    uint64_t off = s->reftable[rt_index] & QCOW2_REFTABLE_OFFSET_MASK;
    if (off == 0) {
        return 0;
    }
    if ((off & (s->cluster_size - 1)) || (off >> s->cluster_bits) >= s->end_cluster) {
        return qcow2_mark_corrupt(bs, "refcount block offset", off);
    }
    return (int64_t)off;
}

int qcow2_get_refcount(BlockDev *bs, uint64_t cluster, uint64_t *refcount)
{
    Qcow2State *s = qcow2_state(bs);
    int64_t off = refblock_offset(bs, cluster >> s->rb_bits);
    *refcount = 0;
    if (off <= 0) {
        return (int)off;
    }
    int err;
    uint8_t *block = qcow2_cache_get(bs, &s->rb_cache, (uint64_t)off, &err);
    if (!block) {
        return err;
    }
    *refcount = qcow2_refcount_entry(s, block, cluster & ((1ull << s->rb_bits) - 1));
    return 0;
}

int qcow2_set_refcount(BlockDev *bs, uint64_t cluster, uint64_t refcount)
{
    Qcow2State *s = qcow2_state(bs);
    int64_t off = refblock_offset(bs, cluster >> s->rb_bits);
    if (off <= 0) {
        return off < 0 ? (int)off : -EIO;
    }
    if (s->refcount_bits < 64 && refcount >> s->refcount_bits) {
        return -ERANGE;
    }
    int err;
    uint8_t *block = qcow2_cache_get(bs, &s->rb_cache, (uint64_t)off, &err);
    if (!block) {
        return err;
    }
    uint64_t index = cluster & ((1ull << s->rb_bits) - 1);
    qcow2_refcount_set_entry(s, block, index, refcount);
    uint64_t byte = index * s->refcount_bits / 8;
    size_t len = s->refcount_bits >= 8 ? s->refcount_bits / 8 : 1;
    int r = block_file_pwrite(bs->file, (uint64_t)off + byte, block + byte, len);
    if (r < 0) {
        qcow2_cache_drop(&s->rb_cache, (uint64_t)off); /* the file is the truth */
        return r;
    }
    if (refcount == 0 && cluster < s->free_hint) {
        s->free_hint = cluster;
    }
    if (refcount) {
        s->refcounts_unsynced = true;
    }
    return 0;
}

static bool rt_missing(const Qcow2State *s, const uint64_t *table, uint64_t entries, uint64_t rt)
{
    return rt >= entries || (table[rt] & QCOW2_REFTABLE_OFFSET_MASK) == 0;
}

/* How many refcount blocks the clusters [start, start + n + R) lack, R
 * being that number itself (the blocks go right after the n clusters). */
static uint64_t missing_refblocks(const Qcow2State *s, const uint64_t *table, uint64_t entries,
                                  uint64_t start, uint64_t n)
{
    uint64_t r = 0;
    for (;;) {
        uint64_t last = start + n + r - 1, count = 0;
        for (uint64_t rt = start >> s->rb_bits; rt <= last >> s->rb_bits; rt++) {
            count += rt_missing(s, table, entries, rt);
        }
        if (count == r) {
            return r;
        }
        r = count;
    }
}

/* Writes new refcount blocks for the area [start, end) into the clusters
 * from `at`, one per missing table entry, each already counting the area's
 * clusters it covers; records their offsets in table[]. */
static int write_new_refblocks(BlockDev *bs, uint64_t *table, uint64_t entries, uint64_t start,
                               uint64_t end, uint64_t at, const uint64_t *old_table,
                               uint64_t old_entries)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *block = g_malloc(s->cluster_size);
    int r = 0;
    for (uint64_t rt = start >> s->rb_bits; rt <= (end - 1) >> s->rb_bits && r == 0; rt++) {
        if (!rt_missing(s, old_table, old_entries, rt)) {
            continue;
        }
        g_assert(rt < entries);
        memset(block, 0, s->cluster_size);
        uint64_t lo = MAX(start, rt << s->rb_bits), hi = MIN(end, (rt + 1) << s->rb_bits);
        for (uint64_t c = lo; c < hi; c++) {
            qcow2_refcount_set_entry(s, block, c & ((1ull << s->rb_bits) - 1), 1);
        }
        table[rt] = at << s->cluster_bits;
        r = block_file_pwrite(bs->file, at << s->cluster_bits, block, s->cluster_size);
        at++;
    }
    g_free(block);
    return r;
}

/* One refcount for clusters [first, first + n), all under one existing
 * refcount block: one write for the run. */
static int set_refcount_run(BlockDev *bs, uint64_t first, uint64_t n, uint64_t refcount)
{
    Qcow2State *s = qcow2_state(bs);
    int64_t off = refblock_offset(bs, first >> s->rb_bits);
    if (off <= 0) {
        return off < 0 ? (int)off : -EIO;
    }
    int err;
    uint8_t *block = qcow2_cache_get(bs, &s->rb_cache, (uint64_t)off, &err);
    if (!block) {
        return err;
    }
    uint64_t index = first & ((1ull << s->rb_bits) - 1);
    for (uint64_t i = 0; i < n; i++) {
        qcow2_refcount_set_entry(s, block, index + i, refcount);
    }
    uint64_t lo = index * s->refcount_bits / 8;
    uint64_t hi = ((index + n) * s->refcount_bits + 7) / 8;
    int r = block_file_pwrite(bs->file, (uint64_t)off + lo, block + lo, hi - lo);
    if (r < 0) {
        qcow2_cache_drop(&s->rb_cache, (uint64_t)off);
        return r;
    }
    if (refcount) {
        s->refcounts_unsynced = true;
    } else if (first < s->free_hint) {
        s->free_hint = first;
    }
    return 0;
}

/* Counts the area's clusters that fall in refcount blocks that existed. */
static int count_in_old_refblocks(BlockDev *bs, uint64_t start, uint64_t end,
                                  const uint64_t *old_table, uint64_t old_entries)
{
    Qcow2State *s = qcow2_state(bs);
    for (uint64_t c = start; c < end;) {
        uint64_t rt = c >> s->rb_bits;
        uint64_t run_end = MIN(end, (rt + 1) << s->rb_bits);
        if (!rt_missing(s, old_table, old_entries, rt)) {
            int r = set_refcount_run(bs, c, run_end - c, 1);
            if (r < 0) {
                return r;
            }
        }
        c = run_end;
    }
    return 0;
}

static void reftable_to_disk(const uint64_t *table, uint64_t entries, uint8_t *out)
{
    for (uint64_t i = 0; i < entries; i++) {
        qcow2_put_be64(out + 8 * i, table[i]);
    }
}

/* A refcount table of at least min_entries, with its own clusters and the
 * refcount blocks they need at the end of the image. */
static int grow_reftable(BlockDev *bs, uint64_t min_entries)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t per_cluster = s->cluster_size / 8;
    uint64_t max_entries = QCOW2_MAX_REFTABLE_BYTES / 8;
    uint64_t want = MAX(min_entries, MIN(s->reftable_entries * 2, max_entries));
    uint64_t start = s->end_cluster;
    uint64_t t = (want + per_cluster - 1) / per_cluster, rb = 0;
    for (;;) {
        uint64_t last = start + t + rb - 1;
        uint64_t count = 0;
        for (uint64_t rt = start >> s->rb_bits; rt <= last >> s->rb_bits; rt++) {
            count += rt_missing(s, s->reftable, s->reftable_entries, rt);
        }
        uint64_t need = MAX(want, (last >> s->rb_bits) + 1);
        uint64_t tn = (need + per_cluster - 1) / per_cluster;
        if (count == rb && tn == t) {
            break;
        }
        rb = count;
        t = tn;
    }
    if (t * per_cluster > max_entries) {
        return -EFBIG;
    }
    uint64_t entries = t * per_cluster;
    uint64_t *table = g_new0(uint64_t, entries);
    memcpy(table, s->reftable, s->reftable_entries * 8);
    uint64_t end = start + t + rb;
    int r = write_new_refblocks(bs, table, entries, start, end, start + t, s->reftable,
                                s->reftable_entries);
    if (r == 0) {
        r = count_in_old_refblocks(bs, start, end, s->reftable, s->reftable_entries);
    }
    uint8_t *disk = NULL;
    if (r == 0) {
        disk = g_malloc(t << s->cluster_bits);
        reftable_to_disk(table, entries, disk);
        r = block_file_pwrite(bs->file, start << s->cluster_bits, disk, t << s->cluster_bits);
    }
    if (r == 0) {
        r = qcow2_sync_before_pointer(bs);
    }
    if (r == 0) {
        uint8_t hdr[12];
        qcow2_put_be64(hdr, start << s->cluster_bits);
        qcow2_put_be32(hdr + 8, (uint32_t)t);
        r = block_file_pwrite(bs->file, QH_REFTABLE_OFFSET, hdr, sizeof(hdr));
    }
    g_free(disk);
    if (r < 0) {
        g_free(table);
        return r;
    }
    uint64_t old_offset = s->reftable_offset, old_clusters = s->reftable_clusters;
    g_free(s->reftable);
    s->reftable = table;
    s->reftable_entries = entries;
    s->reftable_offset = start << s->cluster_bits;
    s->reftable_clusters = (uint32_t)t;
    s->end_cluster = end;
    /* Only now may the old table's clusters go (a kill before: a leak). */
    for (uint64_t i = 0; i < old_clusters && r == 0; i++) {
        r = qcow2_set_refcount(bs, (old_offset >> s->cluster_bits) + i, 0);
    }
    return r;
}

int64_t qcow2_alloc_area(BlockDev *bs, uint64_t n)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->corrupt) {
        return -EIO;
    }
    for (;;) {
        uint64_t start = s->end_cluster;
        uint64_t rb = missing_refblocks(s, s->reftable, s->reftable_entries, start, n);
        uint64_t end = start + n + rb;
        if (end > (QCOW2_OFFSET_MASK >> s->cluster_bits)) {
            return -EFBIG;
        }
        uint64_t top_rt = (end - 1) >> s->rb_bits;
        if (top_rt >= s->reftable_entries) {
            int r = grow_reftable(bs, top_rt + 1);
            if (r < 0) {
                return r;
            }
            continue;
        }
        int r = 0;
        if (rb) {
            /* The table is big enough: new blocks are recorded in place. */
            uint64_t *old = g_memdup2(s->reftable, s->reftable_entries * 8);
            r = write_new_refblocks(bs, s->reftable, s->reftable_entries, start, end, start + n,
                                    old, s->reftable_entries);
            if (r == 0) {
                r = qcow2_sync_before_pointer(bs);
            }
            for (uint64_t rt = start >> s->rb_bits; rt <= top_rt && r == 0; rt++) {
                if (rt_missing(s, old, s->reftable_entries, rt)) {
                    uint8_t e[8];
                    qcow2_put_be64(e, s->reftable[rt]);
                    r = block_file_pwrite(bs->file, s->reftable_offset + rt * 8, e, 8);
                }
            }
            if (r < 0) {
                memcpy(s->reftable, old, s->reftable_entries * 8);
            }
            if (r == 0) {
                s->end_cluster = end;
                r = count_in_old_refblocks(bs, start, end, old, s->reftable_entries);
            }
            g_free(old);
        } else {
            s->end_cluster = end;
            r = count_in_old_refblocks(bs, start, end, s->reftable, s->reftable_entries);
        }
        if (r < 0) {
            return r;
        }
        return (int64_t)(start << s->cluster_bits);
    }
}

int64_t qcow2_alloc_cluster(BlockDev *bs)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->corrupt) {
        return -EIO;
    }
    /* Reuse a freed cluster inside the image before growing it. */
    for (uint64_t c = s->free_hint; c < s->end_cluster; c++) {
        uint64_t rt = c >> s->rb_bits;
        if (rt_missing(s, s->reftable, s->reftable_entries, rt)) {
            c = ((rt + 1) << s->rb_bits) - 1;  /* no block: nothing here is ours to take */
            continue;
        }
        uint64_t rc;
        int r = qcow2_get_refcount(bs, c, &rc);
        if (r < 0) {
            return r;
        }
        if (rc == 0) {
            r = qcow2_set_refcount(bs, c, 1);
            if (r < 0) {
                return r;
            }
            s->free_hint = c + 1;
            return (int64_t)(c << s->cluster_bits);
        }
    }
    s->free_hint = s->end_cluster;
    if (s->reserve_next < s->reserve_end) {
        return (int64_t)(s->reserve_next++ << s->cluster_bits);
    }
    uint64_t batch = MAX(1, QCOW2_RESERVE_BYTES >> s->cluster_bits);
    int64_t off = qcow2_alloc_area(bs, batch);
    if (off >= 0) {
        s->reserve_next = ((uint64_t)off >> s->cluster_bits) + 1;
        s->reserve_end = ((uint64_t)off >> s->cluster_bits) + batch;
        s->free_hint = s->end_cluster;
    }
    return off;
}

int qcow2_release_reserve(BlockDev *bs)
{
    Qcow2State *s = qcow2_state(bs);
    int r = 0;
    while (s->reserve_next < s->reserve_end && r == 0) {
        uint64_t c = s->reserve_next;
        uint64_t run_end = MIN(s->reserve_end, ((c >> s->rb_bits) + 1) << s->rb_bits);
        r = set_refcount_run(bs, c, run_end - c, 0);
        s->reserve_next = run_end;
    }
    s->reserve_next = s->reserve_end = 0;
    return r;
}

int qcow2_free_cluster(BlockDev *bs, uint64_t offset)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t c = offset >> s->cluster_bits, rc;
    int r = qcow2_get_refcount(bs, c, &rc);
    if (r < 0) {
        return r;
    }
    if (rc == 0) {
        return qcow2_mark_corrupt(bs, "freeing a cluster with refcount 0 at", offset);
    }
    return qcow2_set_refcount(bs, c, rc - 1);
}
