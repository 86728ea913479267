/*
 * The generic block layer: opening an image (format probe, backing chains,
 * snapshot=on overlays), bounds checks, iovec gathering, and the named
 * drive registry.  Formats are drivers (BlockDriver in block-int.h): raw.c
 * and qcow2*.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/block-int.h"

G_DEFINE_QUARK(rove-block-error-quark, block_error)

static const BlockDriver *const drivers[] = {
    &block_driver_qcow2,
    &block_driver_raw,
};

const BlockDriver *block_driver_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(drivers); i++) {
        if (strcmp(drivers[i]->name, name) == 0) {
            return drivers[i];
        }
    }
    return NULL;
}

static const struct {
    const char *name;
    BlockCacheMode mode;
} cache_modes[] = {
    { "writeback", BLOCK_CACHE_WRITEBACK },
    { "writethrough", BLOCK_CACHE_WRITETHROUGH },
    { "none", BLOCK_CACHE_NONE },
    { "directsync", BLOCK_CACHE_DIRECTSYNC },
    { "unsafe", BLOCK_CACHE_UNSAFE },
};

bool block_cache_mode_parse(const char *name, BlockCacheMode *mode)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cache_modes); i++) {
        if (strcmp(cache_modes[i].name, name) == 0) {
            *mode = cache_modes[i].mode;
            return true;
        }
    }
    return false;
}

bool block_buffer_is_zero(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    /* Compare the buffer with itself shifted by 16 once the head is zero. */
    for (size_t i = 0; i < len && i < 16; i++) {
        if (p[i]) {
            return false;
        }
    }
    return len <= 16 || memcmp(p, p + 16, len - 16) == 0;
}

/* The driver with the highest probe score; raw always answers 1. */
static const BlockDriver *probe_format(BlockFile *file, GError **errp)
{
    uint8_t head[512];
    int r = block_file_pread(file, 0, head, sizeof(head));
    if (r < 0) {
        g_set_error(errp, BLOCK_ERROR, -r, "%s: cannot read: %s", file->filename,
                    g_strerror(-r));
        return NULL;
    }
    const BlockDriver *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(drivers); i++) {
        int score = drivers[i]->probe ? drivers[i]->probe(head, sizeof(head)) : 0;
        if (score > best_score) {
            best = drivers[i];
            best_score = score;
        }
    }
    return best;
}

static BlockDev *open_in_chain(const char *filename, const BlockOpenOptions *opts,
                               const BlockChain *chain, GError **errp)
{
    if (chain->depth > BLOCK_MAX_CHAIN) {
        g_set_error(errp, BLOCK_ERROR, ELOOP, "%s: backing chain is deeper than %d images",
                    filename, BLOCK_MAX_CHAIN);
        return NULL;
    }
    const BlockDriver *drv = NULL;
    if (opts->format) {
        drv = block_driver_find(opts->format);
        if (!drv) {
            g_set_error(errp, BLOCK_ERROR, EINVAL, "%s: unknown image format '%s'", filename,
                        opts->format);
            return NULL;
        }
    }
    BlockFile *file = block_file_open(filename, opts->read_only, opts->cache, errp);
    if (!file) {
        return NULL;
    }
    BlockChain next = *chain;
    uint64_t dev, ino;
    if (block_file_identity(file, &dev, &ino)) {
        for (int i = 0; i < chain->depth; i++) {
            if (chain->dev[i] == dev && chain->ino[i] == ino) {
                g_set_error(errp, BLOCK_ERROR, ELOOP, "%s: backing chain loops back to this file",
                            filename);
                block_file_close(file);
                return NULL;
            }
        }
        next.dev[next.depth] = dev;
        next.ino[next.depth] = ino;
    }
    next.depth++;
    /* After the loop check: a chain through this file again must be
     * reported as the loop it is, not as a lock held by ourselves. */
    if (!opts->force_share && !block_file_lock(file, errp)) {
        block_file_close(file);
        return NULL;
    }
    if (!drv && !(drv = probe_format(file, errp))) {
        block_file_close(file);
        return NULL;
    }
    BlockDev *bs = g_new0(BlockDev, 1);
    bs->drv = drv;
    bs->filename = g_strdup(filename);
    bs->file = file;
    bs->read_only = opts->read_only;
    bs->cache = opts->cache;
    if (!drv->open(bs, opts, &next, errp)) {
        block_file_close(file);
        g_free(bs->filename);
        g_free(bs);
        return NULL;
    }
    return bs;
}

BlockDev *block_open_backing(const char *filename, const char *format, BlockCacheMode cache,
                             const BlockChain *chain, GError **errp)
{
    BlockOpenOptions opts = { .format = format, .read_only = true, .cache = cache };
    BlockChain next = *chain;
    next.backing_override = NULL;
    return open_in_chain(filename, &opts, &next, errp);
}

BlockDev *block_open_with_backing(const char *filename, BlockDev *backing,
                                  BlockCacheMode cache, GError **errp)
{
    BlockOpenOptions opts = { .format = "qcow2", .cache = cache };
    BlockChain chain = { .backing_override = backing };
    return open_in_chain(filename, &opts, &chain, errp);
}

/* snapshot=on: the image read-only under a qcow2 overlay in $TMPDIR that
 * is unlinked as soon as it is open, so nothing is left behind. */
static BlockDev *open_snapshot(const char *filename, const BlockOpenOptions *opts,
                               GError **errp)
{
    BlockOpenOptions base_opts = *opts;
    base_opts.read_only = true;
    base_opts.snapshot = false;
    BlockChain chain = { 0 };
    BlockDev *base = open_in_chain(filename, &base_opts, &chain, errp);
    if (!base) {
        return NULL;
    }
    char *tmp_path = NULL;
    GError *err = NULL;
    int fd = g_file_open_tmp("rove-snapshot-XXXXXX.qcow2", &tmp_path, &err);
    if (fd < 0) {
        g_set_error(errp, BLOCK_ERROR, EIO, "%s: snapshot=on: %s", filename, err->message);
        g_error_free(err);
        block_close(base);
        return NULL;
    }
    close(fd);
    char *abs_base = g_canonicalize_filename(filename, NULL);
    BlockCreateOptions copts = {
        .format = "qcow2",
        .size = base->size,
        .backing_file = abs_base,
        .backing_format = block_format(base),
    };
    BlockDev *bs = NULL;
    /* The overlay is a private temporary: its flushes need not reach the disk. */
    if (block_create(tmp_path, &copts, errp)) {
        bs = block_open_with_backing(tmp_path, base, BLOCK_CACHE_UNSAFE, errp);
    }
    unlink(tmp_path);
    g_free(tmp_path);
    g_free(abs_base);
    if (!bs) {
        block_close(base);
        return NULL;
    }
    /* Devices see the image's name, not the temporary's. */
    g_free(bs->filename);
    bs->filename = g_strdup(filename);
    return bs;
}

BlockDev *block_open(const char *filename, const BlockOpenOptions *opts, GError **errp)
{
    BlockOpenOptions defaults = { 0 };
    if (!opts) {
        opts = &defaults;
    }
    if (opts->snapshot && !opts->read_only) {
        return open_snapshot(filename, opts, errp);
    }
    BlockChain chain = { 0 };
    return open_in_chain(filename, opts, &chain, errp);
}

void block_close(BlockDev *bs)
{
    if (!bs) {
        return;
    }
    if (bs->drv->close) {
        bs->drv->close(bs);
    }
    block_close(bs->backing);
    block_file_close(bs->file);
    g_free(bs->filename);
    g_free(bs);
}

uint64_t block_size(const BlockDev *bs)
{
    return bs->size;
}

bool block_read_only(const BlockDev *bs)
{
    return bs->read_only;
}

const char *block_format(const BlockDev *bs)
{
    return bs->drv->name;
}

const char *block_filename(const BlockDev *bs)
{
    return bs->filename;
}

static bool in_bounds(const BlockDev *bs, uint64_t offset, uint64_t len)
{
    return offset <= bs->size && len <= bs->size - offset;
}

int block_read_backing(BlockDev *bs, uint64_t offset, void *buf, size_t len)
{
    uint64_t avail = 0;
    if (bs->backing && offset < bs->backing->size) {
        avail = MIN((uint64_t)len, bs->backing->size - offset);
        int r = bs->backing->drv->pread(bs->backing, offset, buf, (size_t)avail);
        if (r < 0) {
            return r;
        }
    }
    memset((uint8_t *)buf + avail, 0, len - (size_t)avail);
    return 0;
}

static size_t iov_total(const struct iovec *iov, int iovcnt, bool *overflow)
{
    size_t total = 0;
    *overflow = false;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len > SIZE_MAX - total) {
            *overflow = true;
        }
        total += iov[i].iov_len;
    }
    return total;
}

int block_pread(BlockDev *bs, uint64_t offset, void *buf, size_t len)
{
    if (!in_bounds(bs, offset, len)) {
        return -EINVAL;
    }
    return len ? bs->drv->pread(bs, offset, buf, len) : 0;
}

int block_pwrite(BlockDev *bs, uint64_t offset, const void *buf, size_t len)
{
    if (bs->read_only) {
        return -EROFS;
    }
    if (!in_bounds(bs, offset, len)) {
        return -EINVAL;
    }
    return len ? bs->drv->pwrite(bs, offset, buf, len) : 0;
}

/*
 * Drivers work on flat buffers: a scattered request goes through one.
 * Checks the request and allocates the buffer; 0 or -errno.
 */
static int bounce_new(BlockDev *bs, uint64_t offset, const struct iovec *iov, int iovcnt,
                      uint8_t **buf, size_t *total)
{
    bool overflow;
    *total = iov_total(iov, iovcnt, &overflow);
    if (overflow || iovcnt < 0 || !in_bounds(bs, offset, *total)) {
        return -EINVAL;
    }
    *buf = g_try_malloc(*total ? *total : 1);
    return *buf ? 0 : -ENOMEM;
}

int block_preadv(BlockDev *bs, uint64_t offset, const struct iovec *iov, int iovcnt)
{
    if (iovcnt == 1) {
        return block_pread(bs, offset, iov[0].iov_base, iov[0].iov_len);
    }
    uint8_t *buf = NULL;
    size_t total;
    int r = bounce_new(bs, offset, iov, iovcnt, &buf, &total);
    if (r == 0) {
        r = block_pread(bs, offset, buf, total);
    }
    for (size_t pos = 0, i = 0; r == 0 && i < (size_t)iovcnt; i++) {
        memcpy(iov[i].iov_base, buf + pos, iov[i].iov_len);
        pos += iov[i].iov_len;
    }
    g_free(buf);
    return r;
}

int block_pwritev(BlockDev *bs, uint64_t offset, const struct iovec *iov, int iovcnt)
{
    if (iovcnt == 1) {
        return block_pwrite(bs, offset, iov[0].iov_base, iov[0].iov_len);
    }
    uint8_t *buf = NULL;
    size_t total;
    int r = bounce_new(bs, offset, iov, iovcnt, &buf, &total);
    for (size_t pos = 0, i = 0; r == 0 && i < (size_t)iovcnt; i++) {
        memcpy(buf + pos, iov[i].iov_base, iov[i].iov_len);
        pos += iov[i].iov_len;
    }
    if (r == 0) {
        r = block_pwrite(bs, offset, buf, total);
    }
    g_free(buf);
    return r;
}

int block_flush(BlockDev *bs)
{
    if (bs->read_only) {
        return 0;
    }
    int r = bs->drv->flush ? bs->drv->flush(bs) : 0;
    return r < 0 ? r : block_file_flush(bs->file);
}

int block_discard(BlockDev *bs, uint64_t offset, uint64_t len)
{
    if (bs->read_only) {
        return -EROFS;
    }
    if (!in_bounds(bs, offset, len)) {
        return -EINVAL;
    }
    return len && bs->drv->discard ? bs->drv->discard(bs, offset, len) : 0;
}

int block_write_zeroes(BlockDev *bs, uint64_t offset, uint64_t len, bool may_unmap)
{
    if (bs->read_only) {
        return -EROFS;
    }
    if (!in_bounds(bs, offset, len)) {
        return -EINVAL;
    }
    return len ? bs->drv->write_zeroes(bs, offset, len, may_unmap) : 0;
}

int block_truncate(BlockDev *bs, uint64_t size)
{
    if (bs->read_only) {
        return -EROFS;
    }
    if (!bs->drv->truncate) {
        return -ENOTSUP;
    }
    return bs->drv->truncate(bs, size);
}

/* ---- Images: create, describe, check ---- */

bool block_create(const char *filename, const BlockCreateOptions *opts, GError **errp)
{
    const char *format = opts->format ? opts->format : "raw";
    const BlockDriver *drv = block_driver_find(format);
    if (!drv || !drv->create) {
        g_set_error(errp, BLOCK_ERROR, EINVAL, "%s: cannot create images of format '%s'",
                    filename, format);
        return false;
    }
    if (opts->backing_file && strcmp(format, "qcow2") != 0) {
        g_set_error(errp, BLOCK_ERROR, EINVAL, "%s: format '%s' has no backing files",
                    filename, format);
        return false;
    }
    return drv->create(filename, opts, errp);
}

bool block_get_info(BlockDev *bs, BlockInfo *info, GError **errp)
{
    memset(info, 0, sizeof(*info));
    info->format = g_strdup(bs->drv->name);
    info->virtual_size = bs->size;
    int64_t allocated = block_file_allocated(bs->file);
    if (allocated < 0) {
        g_set_error(errp, BLOCK_ERROR, (int)-allocated, "%s: %s", bs->filename,
                    g_strerror((int)-allocated));
        g_free(info->format);
        info->format = NULL;
        return false;
    }
    info->actual_size = (uint64_t)allocated;
    if (bs->drv->get_info) {
        bs->drv->get_info(bs, info);
    }
    return true;
}

void block_info_clear(BlockInfo *info)
{
    g_free(info->format);
    g_free(info->backing_file);
    g_free(info->backing_format);
    memset(info, 0, sizeof(*info));
}

bool block_check_repair(BlockDev *bs, BlockCheckRepair repair, BlockCheckResult *res,
                        GError **errp)
{
    memset(res, 0, sizeof(*res));
    res->messages = g_ptr_array_new_with_free_func(g_free);
    if (repair != BLOCK_CHECK_NO_REPAIR && bs->read_only) {
        g_set_error(errp, BLOCK_ERROR, EROFS, "%s: cannot repair a read-only image",
                    bs->filename);
        return false;
    }
    if (!bs->drv->check) {
        return true;
    }
    return bs->drv->check(bs, repair, res, errp);
}

bool block_check(BlockDev *bs, bool repair, BlockCheckResult *res, GError **errp)
{
    return block_check_repair(bs, repair ? BLOCK_CHECK_REPAIR_ALL : BLOCK_CHECK_NO_REPAIR, res,
                              errp);
}

void block_check_result_clear(BlockCheckResult *res)
{
    if (res->messages) {
        g_ptr_array_free(res->messages, TRUE);
    }
    memset(res, 0, sizeof(*res));
}

/* ---- Named drives ---- */

typedef struct NamedDrive {
    BlockDev *bs;
    bool claimed;
} NamedDrive;

static GHashTable *named_drives;

static void named_drive_free(gpointer p)
{
    NamedDrive *d = p;
    block_close(d->bs);
    g_free(d);
}

bool block_drive_add(const char *id, BlockDev *bs)
{
    if (!named_drives) {
        named_drives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, named_drive_free);
    }
    if (g_hash_table_contains(named_drives, id)) {
        return false;
    }
    NamedDrive *d = g_new0(NamedDrive, 1);
    d->bs = bs;
    g_hash_table_insert(named_drives, g_strdup(id), d);
    return true;
}

BlockDev *block_drive_find(const char *id)
{
    NamedDrive *d = named_drives ? g_hash_table_lookup(named_drives, id) : NULL;
    return d ? d->bs : NULL;
}

bool block_drive_claim(const char *id)
{
    NamedDrive *d = named_drives ? g_hash_table_lookup(named_drives, id) : NULL;
    if (!d || d->claimed) {
        return false;
    }
    d->claimed = true;
    return true;
}

void block_drives_close_all(void)
{
    if (named_drives) {
        g_hash_table_destroy(named_drives);
        named_drives = NULL;
    }
}
