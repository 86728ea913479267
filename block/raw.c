/*
 * The raw format: the guest sees the host file byte for byte.
 */
#include <errno.h>

#include "block/block-int.h"

static int raw_probe(const uint8_t *buf, size_t len)
{
    return 1; /* anything is a raw image; other formats score higher */
}

static bool raw_open(BlockDev *bs, const BlockOpenOptions *opts, const BlockChain *chain,
                     GError **errp)
{
    int64_t size = block_file_size(bs->file);
    if (size < 0) {
        g_set_error(errp, BLOCK_ERROR, (int)-size, "%s: %s", bs->filename,
                    g_strerror((int)-size));
        return false;
    }
    bs->size = (uint64_t)size;
    return true;
}

static int raw_pread(BlockDev *bs, uint64_t offset, void *buf, size_t len)
{
    return block_file_pread(bs->file, offset, buf, len);
}

static int raw_pwrite(BlockDev *bs, uint64_t offset, const void *buf, size_t len)
{
    return block_file_pwrite(bs->file, offset, buf, len);
}

static int raw_discard(BlockDev *bs, uint64_t offset, uint64_t len)
{
    int r = block_file_discard(bs->file, offset, len);
    return r == -ENOTSUP ? 0 : r; /* discard is only a hint */
}

static int raw_write_zeroes(BlockDev *bs, uint64_t offset, uint64_t len, bool may_unmap)
{
    return block_file_write_zeroes(bs->file, offset, len, may_unmap);
}

static int raw_truncate(BlockDev *bs, uint64_t size)
{
    int r = block_file_truncate(bs->file, size);
    if (r == 0) {
        bs->size = size;
    }
    return r;
}

static bool raw_create(const char *filename, const BlockCreateOptions *opts, GError **errp)
{
    BlockFile *f = block_file_create(filename, errp);
    if (!f) {
        return false;
    }
    int r = block_file_truncate(f, opts->size);
    block_file_close(f);
    if (r < 0) {
        g_set_error(errp, BLOCK_ERROR, -r, "%s: cannot set the size: %s", filename,
                    g_strerror(-r));
        return false;
    }
    return true;
}

const BlockDriver block_driver_raw = {
    .name = "raw",
    .probe = raw_probe,
    .open = raw_open,
    .pread = raw_pread,
    .pwrite = raw_pwrite,
    .discard = raw_discard,
    .write_zeroes = raw_write_zeroes,
    .truncate = raw_truncate,
    .create = raw_create,
};
