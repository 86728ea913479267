/*
 * The block layer: disk images behind one byte-addressed API (block/).
 *
 * A BlockDev is an open image of some format ("raw", "qcow2") on a host
 * file, possibly with a backing chain (qcow2 -b) and, with snapshot=on, a
 * temporary qcow2 overlay that takes every write and is deleted on close.
 * Devices (hw/virtio/virtio-blk.c) and rove-img use only this header.
 *
 * Threading: a BlockDev is used by one thread at a time (the device's I/O
 * thread, or rove-img); calls on different BlockDevs may run in parallel.
 *
 * Errors: calls return 0 or a negative errno; opening and creating report
 * a GError whose message is one line naming the file and what is wrong.
 * Data integrity:
 * - block_flush returns only after everything written before it is on the
 *   host disk (fdatasync of every file in the chain that was written),
 *   except with cache=unsafe;
 * - a process kill at any moment leaves an image whose metadata is
 *   consistent (rove-img check may report leaked clusters, never
 *   corruption) and that holds everything flushed before the kill.
 * Guest-visible sizes are bytes; I/O needs no alignment (the format does
 * read-modify-write where it must).
 */
#ifndef ROVE_BLOCK_H
#define ROVE_BLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <glib.h>

#define BLOCK_ERROR (block_error_quark())
GQuark block_error_quark(void);

typedef struct BlockDev BlockDev;

/* -drive cache=...: what a write and a flush mean for the host file. */
typedef enum BlockCacheMode {
    BLOCK_CACHE_WRITEBACK,    /* default: host page cache; flush = fdatasync */
    BLOCK_CACHE_WRITETHROUGH, /* every write is flushed before it completes */
    BLOCK_CACHE_NONE,         /* O_DIRECT (bounce buffers where unaligned); flush = fdatasync */
    BLOCK_CACHE_DIRECTSYNC,   /* O_DIRECT and writethrough */
    BLOCK_CACHE_UNSAFE,       /* flushes are ignored */
} BlockCacheMode;

typedef struct BlockOpenOptions {
    const char *format;       /* "raw", "qcow2", or NULL: probe (qcow2 magic, else raw) */
    bool read_only;
    bool snapshot;            /* writes go to a temporary overlay, discarded on close */
    BlockCacheMode cache;
    bool no_backing;          /* open a qcow2 without its backing file (rove-img info/check) */
    bool for_check;           /* rove-img check: open even an image marked corrupt or dirty */
    /* Skip the lock (-U, file.locking=off): by default a writable open takes
     * an exclusive lock on the file and a read-only one a shared lock, so a
     * second emulator (or QEMU) cannot write an image while it is in use. */
    bool force_share;
} BlockOpenOptions;

/* "writeback", "none", ...; false on an unknown name. */
bool block_cache_mode_parse(const char *name, BlockCacheMode *mode);

BlockDev *block_open(const char *filename, const BlockOpenOptions *opts, GError **errp);
void block_close(BlockDev *bs);     /* NULL is fine */

/* The guest-visible size in bytes. */
uint64_t block_size(const BlockDev *bs);
bool block_read_only(const BlockDev *bs);
const char *block_format(const BlockDev *bs);     /* "raw" or "qcow2" */
const char *block_filename(const BlockDev *bs);

/* [offset, offset + len) must lie within block_size(); else -EINVAL. */
int block_preadv(BlockDev *bs, uint64_t offset, const struct iovec *iov, int iovcnt);
int block_pwritev(BlockDev *bs, uint64_t offset, const struct iovec *iov, int iovcnt);
int block_pread(BlockDev *bs, uint64_t offset, void *buf, size_t len);
int block_pwrite(BlockDev *bs, uint64_t offset, const void *buf, size_t len);
int block_flush(BlockDev *bs);
/* May free host space; later reads of the range return zeroes or the old data
 * (the range reads as zeroes for qcow2 without a backing file and for raw
 * where the host supports punching holes). */
int block_discard(BlockDev *bs, uint64_t offset, uint64_t len);
/* The range reads as zeroes afterwards; may_unmap lets it free host space. */
int block_write_zeroes(BlockDev *bs, uint64_t offset, uint64_t len, bool may_unmap);
/* Grow or shrink the guest-visible size (rove-img resize). */
int block_truncate(BlockDev *bs, uint64_t size);

/* ---- Images: create, describe, check (rove-img) ---- */

typedef struct BlockCreateOptions {
    const char *format;       /* "raw" or "qcow2" */
    uint64_t size;            /* bytes; 0 with a backing file: the backing file's size */
    const char *backing_file; /* qcow2 only: as written in the header */
    const char *backing_format;
    uint32_t cluster_size;    /* qcow2: 0 means 65536 */
} BlockCreateOptions;

bool block_create(const char *filename, const BlockCreateOptions *opts, GError **errp);

typedef struct BlockInfo {
    char *format;
    uint64_t virtual_size;
    uint64_t actual_size;     /* host bytes allocated (st_blocks * 512) */
    uint32_t cluster_size;    /* qcow2; 0 for raw */
    char *backing_file;       /* NULL when none */
    char *backing_format;
    int qcow2_version;        /* 2 or 3; 0 for raw */
    bool dirty;               /* qcow2 incompatible "dirty" bit */
    bool corrupt;             /* qcow2 incompatible "corrupt" bit */
    uint32_t refcount_bits;   /* qcow2; 0 for raw */
    bool lazy_refcounts;      /* qcow2 compatible "lazy refcounts" bit */
} BlockInfo;

bool block_get_info(BlockDev *bs, BlockInfo *info, GError **errp);
void block_info_clear(BlockInfo *info);

typedef struct BlockCheckResult {
    uint64_t corruptions;     /* refcount too low, bad offsets, overlapping metadata */
    uint64_t leaks;           /* clusters with a refcount but no user */
    uint64_t check_errors;    /* host read errors while checking */
    uint64_t allocated_clusters;
    uint64_t total_clusters;
    uint64_t image_end_offset; /* qcow2: end of the last cluster with a refcount */
    GPtrArray *messages;      /* char *: one line per problem found */
} BlockCheckResult;

/* Checks the image's metadata (raw: nothing to check).  With repair, fixes
 * leaks (and corruptions where it safely can).  Returns false only when the
 * check itself could not run. */
bool block_check(BlockDev *bs, bool repair, BlockCheckResult *res, GError **errp);

/* rove-img check -r leaks|all: what block_check_repair may fix.  The result
 * describes the image after the repair. */
typedef enum BlockCheckRepair {
    BLOCK_CHECK_NO_REPAIR,
    BLOCK_CHECK_REPAIR_LEAKS,
    BLOCK_CHECK_REPAIR_ALL,
} BlockCheckRepair;

bool block_check_repair(BlockDev *bs, BlockCheckRepair repair, BlockCheckResult *res,
                        GError **errp);
void block_check_result_clear(BlockCheckResult *res);

/* ---- Named drives (-drive id=...), for devices to find their back end ---- */

/* Takes ownership of bs; false if the id is taken. */
bool block_drive_add(const char *id, BlockDev *bs);
BlockDev *block_drive_find(const char *id);
/* Marks a drive as attached to a device; false if it already was. */
bool block_drive_claim(const char *id);
void block_drives_close_all(void);

#endif /* ROVE_BLOCK_H */
