/*
 * qcow2 inside the block layer: on-disk constants and the open image's
 * state, shared by qcow2.c (header, open, create, truncate), qcow2-cluster.c
 * (L1/L2 mapping and guest I/O), qcow2-refcount.c (refcounts and
 * allocation) and qcow2-check.c (check and repair).
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include <string.h>

#include "block/block-int.h"

#define QCOW2_MAGIC 0x514649fbu              /* "QFI\xfb" */
#define QCOW2_V2_HEADER_SIZE 72u
#define QCOW2_V3_HEADER_SIZE 104u
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_MAX_BACKING_NAME 1023u
#define QCOW2_MAX_L1_BYTES (32u << 20)       /* as qemu: larger tables are refused */
#define QCOW2_MAX_REFTABLE_BYTES (8u << 20)

/* Header field offsets (big-endian on disk). */
enum {
    QH_MAGIC = 0, QH_VERSION = 4, QH_BACKING_OFFSET = 8, QH_BACKING_SIZE = 16,
    QH_CLUSTER_BITS = 20, QH_SIZE = 24, QH_CRYPT = 32, QH_L1_SIZE = 36,
    QH_L1_OFFSET = 40, QH_REFTABLE_OFFSET = 48, QH_REFTABLE_CLUSTERS = 56,
    QH_NB_SNAPSHOTS = 60, QH_SNAPSHOTS_OFFSET = 64, QH_INCOMPAT = 72, QH_COMPAT = 80,
    QH_AUTOCLEAR = 88, QH_REFCOUNT_ORDER = 96, QH_HEADER_LENGTH = 100,
    QH_COMPRESSION_TYPE = 104,
};

#define QCOW2_INCOMPAT_DIRTY (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2 (1ull << 4)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ull << 0)

#define QCOW2_EXT_END 0u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau

/* L1/L2 entries. */
#define QCOW2_OFLAG_COPIED (1ull << 63)      /* refcount is exactly 1 */
#define QCOW2_OFLAG_COMPRESSED (1ull << 62)
#define QCOW2_OFLAG_ZERO (1ull << 0)         /* v3 L2: reads as zeroes */
#define QCOW2_OFFSET_MASK 0x00fffffffffffe00ull
#define QCOW2_REFTABLE_OFFSET_MASK 0xfffffffffffffe00ull

typedef enum Qcow2ClusterKind {
    QCOW2_UNALLOCATED,     /* falls through to the backing file (zeroes without one) */
    QCOW2_ZERO_PLAIN,      /* zero flag, no host cluster */
    QCOW2_ZERO_ALLOC,      /* zero flag on a host cluster kept allocated */
    QCOW2_NORMAL,
    QCOW2_COMPRESSED,
} Qcow2ClusterKind;

/* A direct-mapped cache of metadata clusters.  It is write-through: every
 * change is written to the file by the caller as it is made, so the cache
 * never holds anything the file lacks. */
#define QCOW2_CACHE_SLOTS 32
typedef struct Qcow2Cache {
    uint64_t offset[QCOW2_CACHE_SLOTS];    /* 0: empty slot */
    uint8_t *data[QCOW2_CACHE_SLOTS];
} Qcow2Cache;

typedef struct Qcow2State {
    uint32_t version;
    uint32_t cluster_bits;
    uint64_t cluster_size;
    uint32_t l2_bits;             /* log2 of entries per L2 table */
    uint32_t refcount_order;
    uint32_t refcount_bits;
    uint32_t rb_bits;             /* log2 of entries per refcount block */
    uint64_t l1_offset;
    uint32_t l1_size;
    uint64_t *l1;                 /* host order, as on disk (flags included) */
    uint64_t reftable_offset;
    uint32_t reftable_clusters;
    uint64_t reftable_entries;
    uint64_t *reftable;           /* host order */
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint64_t incompat, compat, autoclear;
    uint32_t header_length;
    char *backing_file;
    char *backing_format;
    Qcow2Cache l2_cache, rb_cache;
    uint64_t free_hint;           /* first cluster index that may be free */
    uint64_t end_cluster;         /* every cluster from here on is free */
    uint64_t reserve_next, reserve_end;  /* clusters with refcount 1 (synced), unused yet */
    bool sync_metadata;           /* fdatasync between a refcount and its users */
    bool refcounts_unsynced;      /* a refcount went up since the last fdatasync */
    bool corrupt;                 /* metadata found pointing somewhere wrong */
} Qcow2State;

static inline Qcow2State *qcow2_state(BlockDev *bs)
{
    return bs->opaque;
}

static inline uint64_t qcow2_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return GUINT64_FROM_BE(v);
}

static inline uint32_t qcow2_be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return GUINT32_FROM_BE(v);
}

static inline void qcow2_put_be64(uint8_t *p, uint64_t v)
{
    v = GUINT64_TO_BE(v);
    memcpy(p, &v, 8);
}

static inline void qcow2_put_be32(uint8_t *p, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

static inline uint64_t qcow2_size_to_clusters(const Qcow2State *s, uint64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

/* L1 entries needed for a guest size. */
static inline uint64_t qcow2_l1_entries_for(uint32_t cluster_bits, uint64_t size)
{
    uint32_t shift = cluster_bits + cluster_bits - 3;
    return (size + (1ull << shift) - 1) >> shift;
}

Qcow2ClusterKind qcow2_classify(const Qcow2State *s, uint64_t l2_entry);

/* qcow2.c */
int qcow2_mark_corrupt(BlockDev *bs, const char *what, uint64_t offset);
/* Metadata a data cluster or table must not overlap (header, L1, refcount
 * table and blocks, L2 tables); true when [offset, offset+len) does. */
bool qcow2_overlaps_metadata(BlockDev *bs, uint64_t offset, uint64_t len, uint64_t self);
/* Writes to the file in metadata order: with sync_metadata, preceded by an
 * fdatasync so that what the new pointer depends on is durable first. */
int qcow2_sync_before_pointer(BlockDev *bs);

/* qcow2-cache (in qcow2-cluster.c) */
uint8_t *qcow2_cache_get(BlockDev *bs, Qcow2Cache *c, uint64_t offset, int *err);
void qcow2_cache_insert(BlockDev *bs, Qcow2Cache *c, uint64_t offset, const uint8_t *data);
void qcow2_cache_drop(Qcow2Cache *c, uint64_t offset);
void qcow2_cache_free(Qcow2Cache *c);

/* qcow2-cluster.c */
int qcow2_pread(BlockDev *bs, uint64_t offset, void *buf, size_t len);
int qcow2_pwrite(BlockDev *bs, uint64_t offset, const void *buf, size_t len);
int qcow2_discard(BlockDev *bs, uint64_t offset, uint64_t len);
int qcow2_write_zeroes(BlockDev *bs, uint64_t offset, uint64_t len, bool may_unmap);
/* Unmaps every cluster at or beyond guest offset `from` (truncate shrink). */
int qcow2_unmap_from(BlockDev *bs, uint64_t from);

/* qcow2-refcount.c */
uint64_t qcow2_refcount_entry(const Qcow2State *s, const uint8_t *block, uint64_t index);
void qcow2_refcount_set_entry(const Qcow2State *s, uint8_t *block, uint64_t index, uint64_t v);
int qcow2_get_refcount(BlockDev *bs, uint64_t cluster, uint64_t *refcount);
/* Sets one cluster's refcount (its refcount block must exist; -EIO if not). */
int qcow2_set_refcount(BlockDev *bs, uint64_t cluster, uint64_t refcount);
/* One cluster, refcount 1 written before return; the host offset or -errno. */
int64_t qcow2_alloc_cluster(BlockDev *bs);
/* n contiguous clusters at the end of the image. */
int64_t qcow2_alloc_area(BlockDev *bs, uint64_t n);
int qcow2_free_cluster(BlockDev *bs, uint64_t offset);
/* Gives back the clusters reserved but not used (close, check). */
int qcow2_release_reserve(BlockDev *bs);

/* qcow2-check.c */
bool qcow2_check(BlockDev *bs, BlockCheckRepair repair, BlockCheckResult *res, GError **errp);

#endif /* BLOCK_QCOW2_H */
