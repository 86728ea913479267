/*
 * Fuzz target for the qcow2 driver (block/qcow2*.c): the input is an image
 * file (in a memfd), opened without its backing file.  A refused image
 * must come with a one-line "qcow2: ..." error.  An opened one gets reads,
 * a check, writes, write-zeroes and a discard at offsets taken from the
 * input; none may crash or touch memory out of bounds (ASan/UBSan in the
 * suite), I/O fails only with a negative errno, and on an image that
 * checked free of corruption every successful write reads back and the
 * image still checks free of corruption afterwards.
 * tests/fuzz/qcow2-seed.bin is a valid image (gen-qcow2-seed.py).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "rove/block.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t input_u64(const uint8_t *data, size_t size, size_t at)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && size; i++) {
        v = v << 8 | data[(at + i) % size];
    }
    return v;
}

static uint64_t check_corruptions(BlockDev *bs)
{
    BlockCheckResult res;
    GError *err = NULL;
    uint64_t corruptions = UINT64_MAX;
    if (block_check(bs, false, &res, &err)) {
        corruptions = res.corruptions + res.check_errors;
    } else {
        g_error_free(err);
    }
    block_check_result_clear(&res);
    return corruptions;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-qcow2", MFD_CLOEXEC);
        if (fd < 0) {
            abort();
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (size > FUZZ_MAX_INPUT || ftruncate(fd, 0) < 0 ||
        pwrite(fd, data, size, 0) != (ssize_t)size) {
        return 0;
    }
    BlockOpenOptions o = { .format = "qcow2", .no_backing = true, .cache = BLOCK_CACHE_UNSAFE };
    GError *err = NULL;
    BlockDev *bs = block_open(path, &o, &err);
    if (!bs) {
        if (!err || strncmp(err->message, "qcow2: ", 7) != 0 || strchr(err->message, '\n')) {
            abort();
        }
        g_error_free(err);
        return 0;
    }
    uint64_t vsize = block_size(bs);
    uint8_t buf[4096], back[4096];
    /* Reads: the start, the end, and two places from the input. */
    uint64_t spots[4] = { 0, vsize > sizeof(buf) ? vsize - sizeof(buf) : 0,
                          input_u64(data, size, 24), input_u64(data, size, 40) };
    for (int i = 0; i < 4 && vsize; i++) {
        uint64_t off = spots[i] % vsize;
        size_t len = (size_t)MIN((uint64_t)sizeof(buf), vsize - off);
        int r = block_pread(bs, off, buf, len);
        if (r > 0 || (r < 0 && r != -EIO && r != -ENOTSUP && r != -ENOMEM)) {
            abort();
        }
    }
    bool clean = check_corruptions(bs) == 0;
    for (int i = 0; i < 3 && vsize; i++) {
        uint64_t off = input_u64(data, size, 8 * (size_t)i + 1) % vsize;
        size_t len = (size_t)MIN((uint64_t)sizeof(buf), vsize - off);
        memset(buf, 0x5a + i, len);
        int r = block_pwrite(bs, off, buf, len);
        if (r > 0) {
            abort();
        }
        if (r == 0 && clean) {
            if (block_pread(bs, off, back, len) != 0 || memcmp(back, buf, len) != 0) {
                abort();  /* a clean image lost a write */
            }
        }
    }
    if (vsize) {
        uint64_t off = input_u64(data, size, 56) % vsize;
        uint64_t len = MIN(vsize - off, 1 + input_u64(data, size, 64) % (256 * 1024));
        int r = block_write_zeroes(bs, off, len, data[0] & 1);
        if (r == 0 && clean && block_pread(bs, off, back, MIN(len, sizeof(back))) == 0) {
            for (size_t i = 0; i < MIN(len, sizeof(back)); i++) {
                if (back[i]) {
                    abort();
                }
            }
        }
        block_discard(bs, input_u64(data, size, 72) % vsize, 65536 > vsize ? 0 : 65536);
    }
    if (clean && check_corruptions(bs) != 0) {
        abort();  /* writing corrupted an image that was clean */
    }
    block_close(bs);
    return 0;
}
