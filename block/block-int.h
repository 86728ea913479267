/*
 * Inside the block layer: the host file (file-posix.c), the format driver
 * table and the BlockDev that block.c hands out.  Only block/ includes this.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "rove/block.h"

/* ---- The host file (file-posix.c) ---- */

/* O_DIRECT needs buffers, offsets and lengths aligned to the logical block
 * size of the device; 4096 covers 512-byte and 4K-sector disks alike. */
#define BLOCK_DIRECT_ALIGN 4096u

typedef struct BlockFile {
    int fd;
    char *filename;
    bool read_only;
    bool direct;         /* O_DIRECT: I/O goes through aligned bounce buffers when needed */
    bool ignore_flush;   /* cache=unsafe */
    bool sync_writes;    /* writethrough: opened O_DSYNC */
} BlockFile;

BlockFile *block_file_open(const char *filename, bool read_only, BlockCacheMode cache,
                           GError **errp);
/* Creates (or truncates) a file for block_create. */
/* The image lock (file-posix.c): shared for a read-only file, exclusive for
 * a writable one; false with a one-line error when another holds it. */
bool block_file_lock(BlockFile *f, GError **errp);
BlockFile *block_file_create(const char *filename, GError **errp);
void block_file_close(BlockFile *f);
/* Whole-length I/O: 0 or -errno.  Reading past the end of the file gives zeroes. */
int block_file_pread(BlockFile *f, uint64_t offset, void *buf, size_t len);
int block_file_pwrite(BlockFile *f, uint64_t offset, const void *buf, size_t len);
int block_file_flush(BlockFile *f);
int64_t block_file_size(BlockFile *f);              /* or -errno */
int64_t block_file_allocated(BlockFile *f);         /* host bytes in use, or -errno */
int block_file_truncate(BlockFile *f, uint64_t size);
/* Frees host space (punching a hole); -ENOTSUP when the host cannot. */
int block_file_discard(BlockFile *f, uint64_t offset, uint64_t len);
/* The range reads as zeroes afterwards (zero-range, hole, or written zeroes). */
int block_file_write_zeroes(BlockFile *f, uint64_t offset, uint64_t len, bool may_unmap);
/* (st_dev, st_ino): to recognise a backing chain that loops. */
bool block_file_identity(BlockFile *f, uint64_t *dev, uint64_t *ino);

/* ---- Format drivers ---- */

typedef struct BlockDriver BlockDriver;

struct BlockDev {
    const BlockDriver *drv;
    char *filename;
    BlockFile *file;
    BlockDev *backing;      /* qcow2 backing file, or the image under a snapshot overlay */
    bool read_only;
    BlockCacheMode cache;
    uint64_t size;          /* guest-visible size */
    void *opaque;           /* the driver's state */
};

/* How block.c opens a backing file for a driver: with the chain so far, so
 * that depth and loops can be refused. */
typedef struct BlockChain {
    BlockDev *backing_override;  /* snapshot=on: the backing is this, already open */
    int depth;
    uint64_t dev[17], ino[17];
} BlockChain;

#define BLOCK_MAX_CHAIN 16

struct BlockDriver {
    const char *name;
    /* Confidence that the first bytes of a file are this format (0 = no). */
    int (*probe)(const uint8_t *buf, size_t len);
    /* bs->file, filename, read_only and cache are set; fills size and opaque,
     * and for a backing file calls block_open_backing. */
    bool (*open)(BlockDev *bs, const BlockOpenOptions *opts, const BlockChain *chain,
                 GError **errp);
    void (*close)(BlockDev *bs);
    /* Bounds are checked by block.c; flat buffers (block.c gathers iovecs). */
    int (*pread)(BlockDev *bs, uint64_t offset, void *buf, size_t len);
    int (*pwrite)(BlockDev *bs, uint64_t offset, const void *buf, size_t len);
    int (*flush)(BlockDev *bs);          /* the driver's metadata; block.c syncs files */
    int (*discard)(BlockDev *bs, uint64_t offset, uint64_t len);
    int (*write_zeroes)(BlockDev *bs, uint64_t offset, uint64_t len, bool may_unmap);
    int (*truncate)(BlockDev *bs, uint64_t size);
    bool (*create)(const char *filename, const BlockCreateOptions *opts, GError **errp);
    void (*get_info)(BlockDev *bs, BlockInfo *info);
    bool (*check)(BlockDev *bs, BlockCheckRepair repair, BlockCheckResult *res, GError **errp);
};

extern const BlockDriver block_driver_raw;
extern const BlockDriver block_driver_qcow2;

const BlockDriver *block_driver_find(const char *name);

/* Opens a backing file read-only (the chain refuses depth and loops);
 * format NULL probes.  Used by drivers' open. */
BlockDev *block_open_backing(const char *filename, const char *format, BlockCacheMode cache,
                             const BlockChain *chain, GError **errp);
/* Opens filename as an overlay whose backing BlockDev is given (snapshot=on). */
BlockDev *block_open_with_backing(const char *filename, BlockDev *backing,
                                  BlockCacheMode cache, GError **errp);

/* Reads from the backing file, zeroes beyond its end (or with none). */
int block_read_backing(BlockDev *bs, uint64_t offset, void *buf, size_t len);

bool block_buffer_is_zero(const void *buf, size_t len);

#endif /* BLOCK_BLOCK_INT_H */
