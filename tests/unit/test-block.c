/*
 * Unit tests for the block layer (block/): raw images through every call
 * of include/rove/block.h, cache modes (cache=none with unaligned buffers
 * and offsets), bounds and read-only errors, the named drive registry.
 * Every write is checked against a model of the disk kept in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "rove/block.h"

static char *tmp_dir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmp_dir, name, NULL);
}

static void fill_random(GRand *rng, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)g_rand_int(rng);
    }
}

static void assert_reads(BlockDev *bs, const uint8_t *model, uint64_t size)
{
    uint8_t *buf = g_malloc(size);
    g_assert_cmpint(block_pread(bs, 0, buf, size), ==, 0);
    g_assert_cmpmem(buf, size, model, size);
    g_free(buf);
}

static BlockDev *open_ok(const char *path, const char *format, BlockCacheMode cache)
{
    BlockOpenOptions o = { .format = format, .cache = cache };
    GError *err = NULL;
    BlockDev *bs = block_open(path, &o, &err);
    g_assert_no_error(err);
    g_assert_nonnull(bs);
    return bs;
}

static void create_ok(const char *path, const char *format, uint64_t size)
{
    BlockCreateOptions c = { .format = format, .size = size };
    GError *err = NULL;
    g_assert_true(block_create(path, &c, &err));
    g_assert_no_error(err);
}

static void test_cache_mode_parse(void)
{
    BlockCacheMode m;
    g_assert_true(block_cache_mode_parse("none", &m));
    g_assert_cmpint(m, ==, BLOCK_CACHE_NONE);
    g_assert_true(block_cache_mode_parse("unsafe", &m));
    g_assert_cmpint(m, ==, BLOCK_CACHE_UNSAFE);
    g_assert_true(block_cache_mode_parse("writethrough", &m));
    g_assert_cmpint(m, ==, BLOCK_CACHE_WRITETHROUGH);
    g_assert_false(block_cache_mode_parse("fast", &m));
}

/* Random writes (some scattered through iovecs) against a model, with each
 * cache mode; reopened afterwards to see the data reached the file. */
static void raw_random_io(BlockCacheMode cache)
{
    const uint64_t size = 1 << 20;
    char *path = tmp_path("raw-io.img");
    create_ok(path, "raw", size);
    BlockDev *bs = open_ok(path, NULL, cache);
    g_assert_cmpstr(block_format(bs), ==, "raw");
    g_assert_cmpuint(block_size(bs), ==, size);
    uint8_t *model = g_malloc0(size);
    GRand *rng = g_rand_new_with_seed(cache + 1);
    /* Deliberately misaligned heap buffer for cache=none's bounce path. */
    uint8_t *raw_buf = g_malloc(70000 + 1);
    uint8_t *buf = raw_buf + 1;
    for (int i = 0; i < 200; i++) {
        uint64_t len = g_rand_int_range(rng, 1, 70000);
        uint64_t off = g_rand_int_range(rng, 0, (gint32)(size - len));
        fill_random(rng, buf, len);
        if (i % 3 == 0) {
            struct iovec iov[3] = {
                { buf, len / 3 }, { buf + len / 3, len / 3 }, { buf + 2 * (len / 3), len - 2 * (len / 3) },
            };
            g_assert_cmpint(block_pwritev(bs, off, iov, 3), ==, 0);
        } else {
            g_assert_cmpint(block_pwrite(bs, off, buf, len), ==, 0);
        }
        memcpy(model + off, buf, len);
        if (i % 50 == 0) {
            g_assert_cmpint(block_flush(bs), ==, 0);
        }
        /* A scattered read of a random range. */
        uint64_t roff = g_rand_int_range(rng, 0, (gint32)(size - 3000));
        uint8_t a[1000], b[2000];
        struct iovec riov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
        g_assert_cmpint(block_preadv(bs, roff, riov, 2), ==, 0);
        g_assert_cmpmem(a, sizeof(a), model + roff, sizeof(a));
        g_assert_cmpmem(b, sizeof(b), model + roff + sizeof(a), sizeof(b));
    }
    assert_reads(bs, model, size);
    g_assert_cmpint(block_flush(bs), ==, 0);
    block_close(bs);
    bs = open_ok(path, "raw", BLOCK_CACHE_WRITEBACK);
    assert_reads(bs, model, size);
    block_close(bs);
    /* The file holds exactly the model and did not grow. */
    gchar *contents;
    gsize clen;
    g_assert_true(g_file_get_contents(path, &contents, &clen, NULL));
    g_assert_cmpuint(clen, ==, size);
    g_assert_cmpmem(contents, clen, model, size);
    g_free(contents);
    g_rand_free(rng);
    g_free(raw_buf);
    g_free(model);
    g_unlink(path);
    g_free(path);
}

static void test_raw_writeback(void)
{
    raw_random_io(BLOCK_CACHE_WRITEBACK);
}

static void test_raw_writethrough(void)
{
    raw_random_io(BLOCK_CACHE_WRITETHROUGH);
}

static void test_raw_unsafe(void)
{
    raw_random_io(BLOCK_CACHE_UNSAFE);
}

static bool direct_io_supported(void)
{
    char *path = tmp_path("direct-probe");
    int fd = open(path, O_CREAT | O_RDWR | O_DIRECT, 0644);
    if (fd >= 0) {
        close(fd);
    }
    g_unlink(path);
    g_free(path);
    return fd >= 0;
}

static void test_raw_cache_none(void)
{
    if (!direct_io_supported()) {
        g_test_skip("the temporary directory's file system has no O_DIRECT");
        return;
    }
    raw_random_io(BLOCK_CACHE_NONE);
    raw_random_io(BLOCK_CACHE_DIRECTSYNC);
}

/* An unaligned write at the end of a file whose size is not a multiple of
 * the direct-I/O block must not grow the file (the bounce block is cut). */
static void test_raw_cache_none_odd_size(void)
{
    if (!direct_io_supported()) {
        g_test_skip("the temporary directory's file system has no O_DIRECT");
        return;
    }
    char *path = tmp_path("odd.img");
    create_ok(path, "raw", 10000);
    BlockDev *bs = open_ok(path, "raw", BLOCK_CACHE_NONE);
    uint8_t buf[100];
    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpint(block_pwrite(bs, 9900, buf, 100), ==, 0);
    uint8_t back[101];
    g_assert_cmpint(block_pread(bs, 9899, back, 101), ==, 0);
    g_assert_cmpint(back[0], ==, 0);
    g_assert_cmpmem(back + 1, 100, buf, 100);
    block_close(bs);
    struct stat st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 10000);
    g_unlink(path);
    g_free(path);
}

static void test_raw_bounds_and_read_only(void)
{
    char *path = tmp_path("bounds.img");
    create_ok(path, "raw", 4096);
    BlockDev *bs = open_ok(path, "raw", BLOCK_CACHE_WRITEBACK);
    uint8_t buf[16] = { 1 };
    g_assert_cmpint(block_pwrite(bs, 4090, buf, 16), ==, -EINVAL);
    g_assert_cmpint(block_pread(bs, 4096, buf, 1), ==, -EINVAL);
    g_assert_cmpint(block_pread(bs, UINT64_MAX - 4, buf, 16), ==, -EINVAL);
    g_assert_cmpint(block_discard(bs, 4000, 97), ==, -EINVAL);
    g_assert_cmpint(block_write_zeroes(bs, 1, 4096, false), ==, -EINVAL);
    g_assert_cmpint(block_pwrite(bs, 4080, buf, 16), ==, 0);
    g_assert_cmpint(block_pread(bs, 4096, buf, 0), ==, 0);
    block_close(bs);

    BlockOpenOptions ro = { .read_only = true };
    bs = block_open(path, &ro, NULL);
    g_assert_nonnull(bs);
    g_assert_true(block_read_only(bs));
    g_assert_cmpint(block_pwrite(bs, 0, buf, 1), ==, -EROFS);
    g_assert_cmpint(block_write_zeroes(bs, 0, 1, true), ==, -EROFS);
    g_assert_cmpint(block_truncate(bs, 8192), ==, -EROFS);
    g_assert_cmpint(block_pread(bs, 4080, buf, 16), ==, 0);
    g_assert_cmpint(buf[0], ==, 1);
    block_close(bs);
    g_unlink(path);
    g_free(path);
}

static void test_raw_zeroes_discard_truncate(void)
{
    char *path = tmp_path("zero.img");
    create_ok(path, "raw", 1 << 20);
    BlockDev *bs = open_ok(path, "raw", BLOCK_CACHE_WRITEBACK);
    uint8_t *buf = g_malloc(1 << 20);
    memset(buf, 0xee, 1 << 20);
    g_assert_cmpint(block_pwrite(bs, 0, buf, 1 << 20), ==, 0);
    g_assert_cmpint(block_write_zeroes(bs, 1000, 300000, false), ==, 0);
    g_assert_cmpint(block_write_zeroes(bs, 500000, 65536, true), ==, 0);
    /* Discard of whole host blocks punches a hole (ext4, tmpfs, xfs). */
    g_assert_cmpint(block_discard(bs, 655360, 65536), ==, 0);
    memset(buf + 1000, 0, 300000);
    memset(buf + 500000, 0, 65536);
    uint8_t *back = g_malloc(1 << 20);
    g_assert_cmpint(block_pread(bs, 0, back, 1 << 20), ==, 0);
    g_assert_cmpmem(back, 655360, buf, 655360);
    g_assert_cmpmem(back + 655360 + 65536, (1 << 20) - 655360 - 65536, buf + 655360 + 65536,
                    (1 << 20) - 655360 - 65536);
    g_assert_cmpint(block_truncate(bs, 3 << 20), ==, 0);
    g_assert_cmpuint(block_size(bs), ==, 3 << 20);
    g_assert_cmpint(block_pread(bs, 2 << 20, back, 4096), ==, 0);
    g_assert_true(back[0] == 0 && back[4095] == 0);
    g_assert_cmpint(block_truncate(bs, 4096), ==, 0);
    g_assert_cmpint(block_pread(bs, 4096, back, 1), ==, -EINVAL);
    g_assert_cmpint(block_pread(bs, 0, back, 4096), ==, 0);
    g_assert_cmpmem(back, 1000, buf, 1000);
    block_close(bs);
    g_free(buf);
    g_free(back);
    g_unlink(path);
    g_free(path);
}

static void test_open_errors(void)
{
    GError *err = NULL;
    char *path = tmp_path("does-not-exist.img");
    g_assert_null(block_open(path, NULL, &err));
    g_assert_error(err, BLOCK_ERROR, ENOENT);
    g_assert_nonnull(strstr(err->message, "does-not-exist.img"));
    g_assert_null(strchr(err->message, '\n'));
    g_clear_error(&err);
    BlockOpenOptions bad = { .format = "vmdk" };
    create_ok(path, "raw", 512);
    g_assert_null(block_open(path, &bad, &err));
    g_assert_nonnull(strstr(err->message, "unknown image format 'vmdk'"));
    g_clear_error(&err);
    g_assert_null(block_open(tmp_dir, NULL, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    BlockCreateOptions c = { .format = "vmdk", .size = 1 };
    g_assert_false(block_create(path, &c, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_unlink(path);
    g_free(path);
}

static void test_drive_registry(void)
{
    char *path = tmp_path("drive.img");
    create_ok(path, "raw", 512);
    BlockDev *a = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    BlockDev *b = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    g_assert_true(block_drive_add("hd0", a));
    g_assert_false(block_drive_add("hd0", b));
    block_close(b);
    g_assert_true(block_drive_find("hd0") == a);
    g_assert_null(block_drive_find("hd1"));
    g_assert_true(block_drive_claim("hd0"));
    g_assert_false(block_drive_claim("hd0"));
    g_assert_false(block_drive_claim("hd1"));
    block_drives_close_all();
    g_assert_null(block_drive_find("hd0"));
    g_unlink(path);
    g_free(path);
}

static void test_raw_info(void)
{
    char *path = tmp_path("info.img");
    create_ok(path, "raw", 123456);
    BlockDev *bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    BlockInfo info;
    g_assert_true(block_get_info(bs, &info, NULL));
    g_assert_cmpstr(info.format, ==, "raw");
    g_assert_cmpuint(info.virtual_size, ==, 123456);
    g_assert_cmpuint(info.cluster_size, ==, 0);
    g_assert_null(info.backing_file);
    block_info_clear(&info);
    BlockCheckResult res;
    g_assert_true(block_check(bs, false, &res, NULL));
    g_assert_cmpuint(res.corruptions + res.leaks, ==, 0);
    block_check_result_clear(&res);
    block_close(bs);
    g_unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmp_dir = g_dir_make_tmp("rove-test-block-XXXXXX", NULL);
    g_assert_nonnull(tmp_dir);
    g_test_add_func("/block/cache-mode-parse", test_cache_mode_parse);
    g_test_add_func("/block/raw/writeback", test_raw_writeback);
    g_test_add_func("/block/raw/writethrough", test_raw_writethrough);
    g_test_add_func("/block/raw/unsafe", test_raw_unsafe);
    g_test_add_func("/block/raw/cache-none", test_raw_cache_none);
    g_test_add_func("/block/raw/cache-none-odd-size", test_raw_cache_none_odd_size);
    g_test_add_func("/block/raw/bounds-and-read-only", test_raw_bounds_and_read_only);
    g_test_add_func("/block/raw/zeroes-discard-truncate", test_raw_zeroes_discard_truncate);
    g_test_add_func("/block/raw/info", test_raw_info);
    g_test_add_func("/block/open-errors", test_open_errors);
    g_test_add_func("/block/drive-registry", test_drive_registry);
    int r = g_test_run();
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return r;
}
