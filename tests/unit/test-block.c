/*
 * Unit tests for the block layer (block/): raw images through every call
 * of include/rove/block.h, cache modes (cache=none with unaligned buffers
 * and offsets), bounds and read-only errors, the named drive registry.
 * Every write is checked against a model of the disk kept in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
    /* ext4, xfs and tmpfs punch holes: the discarded range reads as zeroes. */
    for (int i = 655360; i < 655360 + 65536; i++) {
        g_assert_cmpint(back[i], ==, 0);
    }
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
    char *path2 = tmp_path("drive2.img");
    create_ok(path, "raw", 512);
    create_ok(path2, "raw", 512);
    BlockDev *a = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    BlockDev *b = open_ok(path2, NULL, BLOCK_CACHE_WRITEBACK);
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
    g_unlink(path2);
    g_free(path2);
}

/* The image lock: one writer, or any number of readers; force_share skips it. */
static void test_locking(void)
{
    char *path = tmp_path("locked.img");
    create_ok(path, "raw", 4096);
    BlockOpenOptions rw = { 0 }, ro = { .read_only = true }, shared = { .read_only = true,
                                                                      .force_share = true };
    GError *err = NULL;
    BlockDev *w = block_open(path, &rw, &err);
    g_assert_no_error(err);
    g_assert_null(block_open(path, &rw, &err));
    g_assert_error(err, BLOCK_ERROR, EBUSY);
    g_assert_nonnull(strstr(err->message, "in use by another process"));
    g_clear_error(&err);
    g_assert_null(block_open(path, &ro, &err));
    g_assert_error(err, BLOCK_ERROR, EBUSY);
    g_clear_error(&err);
    BlockDev *peek = block_open(path, &shared, &err);
    g_assert_no_error(err);
    block_close(peek);
    block_close(w);
    /* Readers share; a writer waits for them all to go. */
    BlockDev *r1 = block_open(path, &ro, &err);
    BlockDev *r2 = block_open(path, &ro, &err);
    g_assert_no_error(err);
    g_assert_null(block_open(path, &rw, &err));
    g_assert_error(err, BLOCK_ERROR, EBUSY);
    g_clear_error(&err);
    block_close(r1);
    g_assert_null(block_open(path, &rw, &err));
    g_clear_error(&err);
    block_close(r2);
    w = block_open(path, &rw, &err);
    g_assert_no_error(err);
    block_close(w);
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

/* ---- qcow2 ---- */

static void create_qcow2(const char *path, uint64_t size, uint32_t cluster_size,
                         const char *backing, const char *backing_fmt)
{
    BlockCreateOptions c = {
        .format = "qcow2", .size = size, .cluster_size = cluster_size,
        .backing_file = backing, .backing_format = backing_fmt,
    };
    GError *err = NULL;
    g_assert_true(block_create(path, &c, &err));
    g_assert_no_error(err);
}

static void patch_file(const char *path, uint64_t offset, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, data, len, (off_t)offset), ==, (ssize_t)len);
    close(fd);
}

static void patch_be32(const char *path, uint64_t offset, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);
    patch_file(path, offset, &be, 4);
}

static void patch_be64(const char *path, uint64_t offset, uint64_t v)
{
    uint64_t be = GUINT64_TO_BE(v);
    patch_file(path, offset, &be, 8);
}

static uint64_t read_be64(const char *path, uint64_t offset)
{
    uint64_t be = 0;
    int fd = open(path, O_RDONLY);
    g_assert_cmpint(pread(fd, &be, 8, (off_t)offset), ==, 8);
    close(fd);
    return GUINT64_FROM_BE(be);
}

static void assert_check_clean(BlockDev *bs)
{
    BlockCheckResult res;
    GError *err = NULL;
    g_assert_true(block_check(bs, false, &res, &err));
    g_assert_no_error(err);
    for (guint i = 0; i < res.messages->len; i++) {
        g_test_message("check: %s", (char *)res.messages->pdata[i]);
    }
    g_assert_cmpuint(res.corruptions, ==, 0);
    g_assert_cmpuint(res.leaks, ==, 0);
    g_assert_cmpuint(res.check_errors, ==, 0);
    block_check_result_clear(&res);
}

/* Random writes, zeroes, discards and reads of a qcow2 image against a
 * model, reopened now and then; the refcounts must check clean after. */
static void qcow2_random_io(uint32_t cluster_size, uint64_t size, int version,
                            BlockCacheMode cache, int ops)
{
    char *path = tmp_path("random.qcow2");
    create_qcow2(path, size, cluster_size, NULL, NULL);
    if (version == 2) {
        patch_be32(path, 4, 2);  /* v3's extra fields then read as the end marker */
    }
    BlockDev *bs = open_ok(path, NULL, cache);
    g_assert_cmpstr(block_format(bs), ==, "qcow2");
    uint8_t *model = g_malloc0(size);
    uint8_t *buf = g_malloc(3 * (size_t)cluster_size + 2);
    GRand *rng = g_rand_new_with_seed(cluster_size + version);
    for (int i = 0; i < ops; i++) {
        uint64_t len = g_rand_int_range(rng, 1, 3 * cluster_size);
        uint64_t off = g_rand_int_range(rng, 0, (gint32)(size - len));
        int what = g_rand_int_range(rng, 0, 10);
        if (what < 6) {
            uint8_t *p = buf + (what & 1);  /* unaligned half the time */
            fill_random(rng, p, len);
            g_assert_cmpint(block_pwrite(bs, off, p, len), ==, 0);
            memcpy(model + off, p, len);
        } else if (what < 8) {
            g_assert_cmpint(block_write_zeroes(bs, off, len, what == 6), ==, 0);
            memset(model + off, 0, len);
        } else if (what == 8) {
            /* Without a backing file, whole clusters read as zeroes after. */
            g_assert_cmpint(block_discard(bs, off, len), ==, 0);
            uint64_t a = (off + cluster_size - 1) / cluster_size * cluster_size;
            uint64_t b = (off + len) / cluster_size * cluster_size;
            if (b > a) {
                memset(model + a, 0, b - a);
            }
        } else {
            g_assert_cmpint(block_pread(bs, off, buf, len), ==, 0);
            g_assert_cmpmem(buf, len, model + off, len);
        }
        if (i % 97 == 0) {
            g_assert_cmpint(block_flush(bs), ==, 0);
            block_close(bs);
            bs = open_ok(path, "qcow2", cache);
        }
    }
    assert_reads(bs, model, size);
    assert_check_clean(bs);
    BlockInfo info;
    g_assert_true(block_get_info(bs, &info, NULL));
    g_assert_cmpint(info.qcow2_version, ==, version);
    g_assert_cmpuint(info.cluster_size, ==, cluster_size);
    g_assert_cmpuint(info.virtual_size, ==, size);
    block_info_clear(&info);
    block_close(bs);
    g_rand_free(rng);
    g_free(buf);
    g_free(model);
    g_unlink(path);
    g_free(path);
}

static void test_qcow2_io_64k(void)
{
    qcow2_random_io(65536, 8 << 20, 3, BLOCK_CACHE_WRITEBACK, 400);
}

/* 512-byte clusters: an L2 table covers 32 KiB and a refcount block 128
 * KiB, so the image outgrows its first refcount table several times. */
static void test_qcow2_io_512(void)
{
    qcow2_random_io(512, 24 << 20, 3, BLOCK_CACHE_UNSAFE, 1500);
}

static void test_qcow2_io_v2(void)
{
    qcow2_random_io(4096, 4 << 20, 2, BLOCK_CACHE_WRITEBACK, 400);
}

/* writethrough: O_DSYNC writes, metadata without the extra syncs. */
static void test_qcow2_io_writethrough(void)
{
    qcow2_random_io(65536, 2 << 20, 3, BLOCK_CACHE_WRITETHROUGH, 100);
}

static void test_qcow2_io_cache_none(void)
{
    if (!direct_io_supported()) {
        g_test_skip("the temporary directory's file system has no O_DIRECT");
        return;
    }
    qcow2_random_io(65536, 4 << 20, 3, BLOCK_CACHE_NONE, 200);
    qcow2_random_io(4096, 1 << 20, 3, BLOCK_CACHE_DIRECTSYNC, 100);
}

/* The whole image written sequentially with 512-byte clusters: every
 * refcount block and table growth path, then checked. */
static void test_qcow2_fill(void)
{
    char *path = tmp_path("fill.qcow2");
    const uint64_t size = 40 << 20;
    create_qcow2(path, size, 512, NULL, NULL);
    BlockDev *bs = open_ok(path, NULL, BLOCK_CACHE_UNSAFE);
    uint8_t *buf = g_malloc(1 << 20);
    for (uint64_t off = 0; off < size; off += 1 << 20) {
        memset(buf, (int)(off >> 20) + 1, 1 << 20);
        g_assert_cmpint(block_pwrite(bs, off, buf, 1 << 20), ==, 0);
    }
    block_close(bs);
    bs = open_ok(path, NULL, BLOCK_CACHE_UNSAFE);
    for (uint64_t off = 0; off < size; off += 1 << 20) {
        g_assert_cmpint(block_pread(bs, off, buf, 1 << 20), ==, 0);
        g_assert_cmpint(buf[0], ==, (int)(off >> 20) + 1);
        g_assert_cmpint(buf[(1 << 20) - 1], ==, (int)(off >> 20) + 1);
    }
    assert_check_clean(bs);
    /* Freeing everything and writing again reuses the freed clusters. */
    struct stat st1, st2;
    g_assert_cmpint(g_stat(path, &st1), ==, 0);
    g_assert_cmpint(block_discard(bs, 0, size), ==, 0);
    g_assert_cmpint(block_pwrite(bs, 0, buf, 1 << 20), ==, 0);
    g_assert_cmpint(g_stat(path, &st2), ==, 0);
    g_assert_cmpint(st2.st_size, ==, st1.st_size);
    assert_check_clean(bs);
    block_close(bs);
    g_free(buf);
    g_unlink(path);
    g_free(path);
}

static void test_qcow2_truncate(void)
{
    char *path = tmp_path("trunc.qcow2");
    create_qcow2(path, 1 << 20, 512, NULL, NULL);
    BlockDev *bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    uint8_t buf[4096];
    memset(buf, 0x77, sizeof(buf));
    g_assert_cmpint(block_pwrite(bs, (1 << 20) - 4096, buf, 4096), ==, 0);
    /* Growing past what the L1 table covers moves the table. */
    g_assert_cmpint(block_truncate(bs, 64 << 20), ==, 0);
    g_assert_cmpuint(block_size(bs), ==, 64 << 20);
    g_assert_cmpint(block_pwrite(bs, (64 << 20) - 4096, buf, 4096), ==, 0);
    assert_check_clean(bs);
    block_close(bs);
    bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    g_assert_cmpuint(block_size(bs), ==, 64 << 20);
    uint8_t back[4096];
    g_assert_cmpint(block_pread(bs, (64 << 20) - 4096, back, 4096), ==, 0);
    g_assert_cmpmem(back, 4096, buf, 4096);
    g_assert_cmpint(block_pread(bs, (1 << 20) - 4096, back, 4096), ==, 0);
    g_assert_cmpmem(back, 4096, buf, 4096);
    /* Shrinking drops the data beyond; growing again shows zeroes. */
    g_assert_cmpint(block_truncate(bs, (1 << 20) - 1000), ==, 0);
    g_assert_cmpint(block_truncate(bs, 2 << 20), ==, 0);
    g_assert_cmpint(block_pread(bs, (1 << 20) - 4096, back, 4096), ==, 0);
    g_assert_cmpmem(back, 4096 - 1000, buf, 4096 - 1000);
    for (int i = 4096 - 1000; i < 4096; i++) {
        g_assert_cmpint(back[i], ==, 0);
    }
    assert_check_clean(bs);
    block_close(bs);
    g_unlink(path);
    g_free(path);
}

static uint8_t *file_contents(const char *path, gsize *len)
{
    gchar *c;
    g_assert_true(g_file_get_contents(path, &c, len, NULL));
    return (uint8_t *)c;
}

/* raw base <- qcow2 mid <- qcow2 top: reads fall through, partial writes
 * copy the rest of the cluster from below, and the lower images never change. */
static void test_qcow2_backing(void)
{
    const uint64_t size = 2 << 20;
    char *base = tmp_path("base.raw"), *mid = tmp_path("mid.qcow2"), *top = tmp_path("top.qcow2");
    create_ok(base, "raw", size);
    uint8_t *model = g_malloc(size);
    GRand *rng = g_rand_new_with_seed(7);
    fill_random(rng, model, size);
    g_assert_true(g_file_set_contents(base, (char *)model, size, NULL));
    create_qcow2(mid, 0, 4096, "base.raw", NULL);   /* relative, size from the base */
    BlockDev *bs = open_ok(mid, NULL, BLOCK_CACHE_WRITEBACK);
    g_assert_cmpuint(block_size(bs), ==, size);
    memset(model + 10000, 0x11, 5000);
    g_assert_cmpint(block_pwrite(bs, 10000, model + 10000, 5000), ==, 0);
    BlockInfo info;
    g_assert_true(block_get_info(bs, &info, NULL));
    g_assert_cmpstr(info.backing_file, ==, "base.raw");
    g_assert_cmpstr(info.backing_format, ==, "raw");
    block_info_clear(&info);
    assert_check_clean(bs);
    block_close(bs);

    create_qcow2(top, size, 65536, mid, "qcow2");
    bs = open_ok(top, NULL, BLOCK_CACHE_WRITEBACK);
    assert_reads(bs, model, size);
    uint8_t *buf = g_malloc(200000);
    for (int i = 0; i < 100; i++) {
        uint64_t len = g_rand_int_range(rng, 1, 200000);
        uint64_t off = g_rand_int_range(rng, 0, (gint32)(size - len));
        if (i % 4 == 3) {
            g_assert_cmpint(block_write_zeroes(bs, off, len, i % 8 == 3), ==, 0);
            memset(model + off, 0, len);
        } else {
            fill_random(rng, buf, len);
            g_assert_cmpint(block_pwrite(bs, off, buf, len), ==, 0);
            memcpy(model + off, buf, len);
        }
    }
    /* v3 discard with a backing file leaves zero clusters, not the base. */
    g_assert_cmpint(block_discard(bs, 65536, 131072), ==, 0);
    memset(model + 65536, 0, 131072);
    assert_reads(bs, model, size);
    assert_check_clean(bs);
    block_close(bs);
    bs = open_ok(top, NULL, BLOCK_CACHE_WRITEBACK);
    assert_reads(bs, model, size);
    block_close(bs);

    /* The base is exactly as written; mid still reads its one write. */
    gsize blen;
    uint8_t *bc = file_contents(base, &blen);
    g_assert_cmpuint(blen, ==, size);
    bs = open_ok(mid, NULL, BLOCK_CACHE_WRITEBACK);
    uint8_t *mc = g_malloc(size);
    g_assert_cmpint(block_pread(bs, 0, mc, size), ==, 0);
    g_assert_cmpmem(mc, 10000, bc, 10000);
    g_assert_cmpint(mc[10000], ==, 0x11);
    g_assert_cmpint(mc[14999], ==, 0x11);
    g_assert_cmpmem(mc + 15000, size - 15000, bc + 15000, size - 15000);
    block_close(bs);
    g_free(mc);
    g_free(bc);
    g_free(buf);
    g_free(model);
    g_rand_free(rng);
    g_unlink(top);
    g_unlink(mid);
    g_unlink(base);
    g_free(top);
    g_free(mid);
    g_free(base);
}

static void assert_open_fails(const char *path, const BlockOpenOptions *o, const char *what)
{
    GError *err = NULL;
    BlockDev *bs = block_open(path, o, &err);
    if (bs) {
        g_error("%s: opened, expected \"%s\"", path, what);
    }
    g_assert_nonnull(err);
    g_test_message("%s", err->message);
    if (!strstr(err->message, what)) {
        g_error("error \"%s\" lacks \"%s\"", err->message, what);
    }
    g_assert_null(strchr(err->message, '\n'));
    g_error_free(err);
}

static void test_qcow2_chain_errors(void)
{
    char *a = tmp_path("loop-a.qcow2"), *b = tmp_path("loop-b.qcow2");
    create_qcow2(a, 1 << 20, 0, NULL, NULL);
    create_qcow2(b, 1 << 20, 0, "loop-a.qcow2", "qcow2");
    /* Now point a at b: a -> b -> a. */
    create_qcow2(a, 1 << 20, 0, "loop-b.qcow2", "qcow2");
    assert_open_fails(a, NULL, "loops back");
    /* A missing backing file is named. */
    char *c = tmp_path("orphan.qcow2"), *gone = tmp_path("gone.raw");
    create_ok(gone, "raw", 4096);
    create_qcow2(c, 0, 0, "gone.raw", "raw");
    g_unlink(gone);
    assert_open_fails(c, NULL, "gone.raw");
    BlockOpenOptions nb = { .no_backing = true, .read_only = true };
    BlockDev *bs = block_open(c, &nb, NULL);
    g_assert_nonnull(bs);
    block_close(bs);
    /* A chain deeper than the limit. */
    char *prev = g_strdup("chain-0.raw"), *p0 = tmp_path(prev);
    create_ok(p0, "raw", 4096);
    char *last = NULL;
    for (int i = 1; i <= 20; i++) {
        char *name = g_strdup_printf("chain-%d.qcow2", i);
        g_free(last);
        last = tmp_path(name);
        create_qcow2(last, 0, 0, prev, NULL);
        g_free(prev);
        prev = name;
    }
    assert_open_fails(last, NULL, "deeper than");
    for (int i = 1; i <= 20; i++) {
        char *name = g_strdup_printf("chain-%d.qcow2", i);
        char *p = tmp_path(name);
        g_unlink(p);
        g_free(p);
        g_free(name);
    }
    g_unlink(p0);
    g_unlink(a);
    g_unlink(b);
    g_unlink(c);
    g_free(p0);
    g_free(prev);
    g_free(last);
    g_free(a);
    g_free(b);
    g_free(c);
    g_free(gone);
}

/* snapshot=on: writes land in a temporary overlay, nothing reaches the
 * image, and nothing is left in $TMPDIR. */
static void test_snapshot(void)
{
    for (int fmt = 0; fmt < 2; fmt++) {
        char *path = tmp_path(fmt ? "snap.qcow2" : "snap.raw");
        if (fmt) {
            create_qcow2(path, 1 << 20, 0, NULL, NULL);
        } else {
            create_ok(path, "raw", 1 << 20);
        }
        gsize before_len, after_len;
        uint8_t *before = file_contents(path, &before_len);
        BlockOpenOptions o = { .snapshot = true };
        GError *err = NULL;
        BlockDev *bs = block_open(path, &o, &err);
        g_assert_no_error(err);
        g_assert_false(block_read_only(bs));
        g_assert_cmpstr(block_filename(bs), ==, path);
        g_assert_cmpuint(block_size(bs), ==, 1 << 20);
        uint8_t buf[70000], back[70000];
        memset(buf, 0x3c, sizeof(buf));
        g_assert_cmpint(block_pwrite(bs, 1000, buf, sizeof(buf)), ==, 0);
        g_assert_cmpint(block_flush(bs), ==, 0);
        g_assert_cmpint(block_pread(bs, 1000, back, sizeof(back)), ==, 0);
        g_assert_cmpmem(back, sizeof(back), buf, sizeof(buf));
        block_close(bs);
        uint8_t *after = file_contents(path, &after_len);
        g_assert_cmpmem(after, after_len, before, before_len);
        g_free(before);
        g_free(after);
        g_unlink(path);
        g_free(path);
    }
    GDir *d = g_dir_open(g_get_tmp_dir(), 0, NULL);
    g_assert_nonnull(d);
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
}

/* One header field damaged at a time: each open fails with a one-line
 * "qcow2: FILE: ..." error. */
static void test_qcow2_malformed(void)
{
    static const struct {
        unsigned offset, width;
        uint64_t value;
        const char *error;
    } damage[] = {
        { 4, 4, 1, "unsupported qcow2 version 1" },
        { 4, 4, 4, "unsupported qcow2 version 4" },
        { 20, 4, 8, "cluster_bits 8 is out of range" },
        { 20, 4, 22, "cluster_bits 22 is out of range" },
        { 20, 4, 0xffffffff, "cluster_bits" },
        { 24, 8, UINT64_MAX, "virtual size" },
        { 24, 8, 1ull << 40, "L1 table (1 entries) is too small" },
        { 32, 4, 1, "encrypted" },
        { 36, 4, 0xffffffff, "L1 table is too large" },
        { 40, 8, 0x10001, "L1 table offset" },
        { 40, 8, 1ull << 50, "L1 table offset" },
        { 40, 8, 0, "L1 table offset" },
        { 48, 8, 0, "refcount table offset" },
        { 48, 8, 0xffffffffffff0000ull, "refcount table offset" },
        { 48, 8, 0x30000, "overlap" },
        { 56, 4, 0, "refcount table size" },
        { 56, 4, 0x7fffffff, "refcount table size" },
        { 8, 8, 0x20000, "backing file name" },
        { 8, 8, 0xfff0, "backing file name" },
        { 8, 8, 16, "backing file name" },
        { 60, 4, 1, "internal snapshots" },
        { 60, 4, 1000000, "snapshot table" },
        { 72, 8, 1ull << 20, "unknown incompatible features" },
        { 72, 8, 1ull << 2, "external data files" },
        { 72, 8, 1ull << 4, "extended L2" },
        { 72, 8, 1ull << 1, "marked corrupt" },
        { 96, 4, 7, "refcount order 7" },
        { 100, 4, 50, "header length" },
        { 100, 4, 0x20000, "header length" },
        { 112, 4, 0xe2792aca, "header extension" },
    };
    char *path = tmp_path("bad.qcow2");
    for (size_t i = 0; i < G_N_ELEMENTS(damage); i++) {
        create_qcow2(path, 1 << 20, 0, NULL, NULL);
        if (damage[i].offset == 8) {
            patch_be32(path, 16, 100);  /* a backing name length to go with the offset */
        }
        if (damage[i].offset == 60) {
            patch_be64(path, 64, 0x10000);  /* a plausible snapshot table offset */
        }
        if (damage[i].offset == 112) {
            patch_be32(path, 116, 0x10000);  /* an extension longer than the header cluster */
        }
        if (damage[i].width == 4) {
            patch_be32(path, damage[i].offset, (uint32_t)damage[i].value);
        } else {
            patch_be64(path, damage[i].offset, damage[i].value);
        }
        BlockOpenOptions o = { .format = "qcow2" };
        assert_open_fails(path, &o, damage[i].error);
        assert_open_fails(path, &o, "qcow2: ");
    }
    /* A qcow2 too short for its header; bad magic when forced to qcow2. */
    g_assert_true(g_file_set_contents(path, "QFI\xfb\0\0\0\3", 8, NULL));
    assert_open_fails(path, NULL, "too short");
    g_assert_true(g_file_set_contents(path, "hello, world", 12, NULL));
    BlockOpenOptions q = { .format = "qcow2" };
    assert_open_fails(path, &q, "not a qcow2 image");
    g_unlink(path);
    g_free(path);
}

/* An L2 entry damaged to point past the end of the file: I/O through it
 * fails with -EIO, the image is marked corrupt, check counts it, and
 * check -r all repairs it. */
static void test_qcow2_corrupt_io(void)
{
    char *path = tmp_path("corrupt.qcow2");
    create_qcow2(path, 1 << 20, 0, NULL, NULL);
    BlockDev *bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    uint8_t buf[512];
    memset(buf, 0x42, sizeof(buf));
    g_assert_cmpint(block_pwrite(bs, 0, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(block_pwrite(bs, 65536, buf, sizeof(buf)), ==, 0);
    block_close(bs);
    uint64_t l1_offset = read_be64(path, 40);
    uint64_t l2_offset = read_be64(path, l1_offset) & 0x00fffffffffffe00ull;
    patch_be64(path, l2_offset, (1ull << 63) | (1ull << 40));
    bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    g_assert_cmpint(block_pread(bs, 0, buf, sizeof(buf)), ==, -EIO);
    g_assert_cmpint(block_pwrite(bs, 0, buf, sizeof(buf)), ==, -EIO);
    /* Other clusters still read; no more writes anywhere. */
    g_assert_cmpint(block_pread(bs, 65536, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x42);
    g_assert_cmpint(block_pwrite(bs, 65536, buf, sizeof(buf)), ==, -EIO);
    block_close(bs);
    assert_open_fails(path, NULL, "marked corrupt");
    BlockOpenOptions ro = { .read_only = true };
    bs = block_open(path, &ro, NULL);
    g_assert_nonnull(bs);
    BlockCheckResult res;
    g_assert_true(block_check(bs, false, &res, NULL));
    g_assert_cmpuint(res.corruptions, >=, 1);
    block_check_result_clear(&res);
    block_close(bs);
    BlockOpenOptions rw = { .for_check = true };
    bs = block_open(path, &rw, NULL);
    g_assert_nonnull(bs);
    g_assert_true(block_check_repair(bs, BLOCK_CHECK_REPAIR_ALL, &res, NULL));
    g_assert_cmpuint(res.corruptions, ==, 0);
    block_check_result_clear(&res);
    block_close(bs);
    bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    g_assert_cmpint(block_pread(bs, 0, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(buf[0], ==, 0);
    assert_check_clean(bs);
    block_close(bs);
    g_unlink(path);
    g_free(path);
}

/* A leaked cluster (refcount without user) is a leak, fixed by -r leaks;
 * a refcount dropped to 0 under a data cluster is a corruption. */
static void test_qcow2_check_refcounts(void)
{
    char *path = tmp_path("leak.qcow2");
    create_qcow2(path, 1 << 20, 0, NULL, NULL);
    BlockDev *bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    uint8_t buf[512] = { 1 };
    g_assert_cmpint(block_pwrite(bs, 0, buf, sizeof(buf)), ==, 0);
    block_close(bs);
    uint64_t l1_offset = read_be64(path, 40);
    uint64_t l2_offset = read_be64(path, l1_offset) & 0x00fffffffffffe00ull;
    uint64_t data = read_be64(path, l2_offset) & 0x00fffffffffffe00ull;
    uint64_t rb = read_be64(path, read_be64(path, 48));
    uint16_t one = GUINT16_TO_BE(1), zero = 0;
    /* Cluster 40 (inside the file: stretch it) gets a refcount nobody uses. */
    g_assert_cmpint(truncate(path, 41 << 16), ==, 0);
    patch_file(path, rb + 2 * 40, &one, 2);
    BlockOpenOptions ro = { .read_only = true };
    bs = block_open(path, &ro, NULL);
    BlockCheckResult res;
    g_assert_true(block_check(bs, false, &res, NULL));
    g_assert_cmpuint(res.leaks, ==, 1);
    g_assert_cmpuint(res.corruptions, ==, 0);
    block_check_result_clear(&res);
    block_close(bs);
    bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    g_assert_true(block_check_repair(bs, BLOCK_CHECK_REPAIR_LEAKS, &res, NULL));
    g_assert_cmpuint(res.leaks, ==, 0);
    block_check_result_clear(&res);
    /* Now the data cluster's refcount is lost. */
    block_close(bs);
    patch_file(path, rb + 2 * (data >> 16), &zero, 2);
    bs = block_open(path, &ro, NULL);
    g_assert_true(block_check(bs, false, &res, NULL));
    g_assert_cmpuint(res.corruptions, >=, 1);
    block_check_result_clear(&res);
    block_close(bs);
    bs = open_ok(path, NULL, BLOCK_CACHE_WRITEBACK);
    g_assert_true(block_check_repair(bs, BLOCK_CHECK_REPAIR_ALL, &res, NULL));
    g_assert_cmpuint(res.corruptions, ==, 0);
    block_check_result_clear(&res);
    g_assert_cmpint(block_pread(bs, 0, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(buf[0], ==, 1);
    block_close(bs);
    g_unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    /* Made without GLib, which fixes its idea of $TMPDIR on first use. */
    const char *env_tmp = g_getenv("TMPDIR");
    tmp_dir = g_build_filename(env_tmp && *env_tmp ? env_tmp : "/tmp", "rove-test-block-XXXXXX",
                               NULL);
    g_assert_nonnull(mkdtemp(tmp_dir));
    /* snapshot=on's overlays go to $TMPDIR: a directory of our own, so the
     * test can see that nothing is left there. */
    char *snap_tmp = g_build_filename(tmp_dir, "tmp", NULL);
    g_assert_cmpint(g_mkdir(snap_tmp, 0700), ==, 0);
    g_setenv("TMPDIR", snap_tmp, TRUE);
    g_test_init(&argc, &argv, NULL);
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
    g_test_add_func("/block/locking", test_locking);
    g_test_add_func("/block/qcow2/io-64k", test_qcow2_io_64k);
    g_test_add_func("/block/qcow2/io-512", test_qcow2_io_512);
    g_test_add_func("/block/qcow2/io-v2", test_qcow2_io_v2);
    g_test_add_func("/block/qcow2/io-writethrough", test_qcow2_io_writethrough);
    g_test_add_func("/block/qcow2/io-cache-none", test_qcow2_io_cache_none);
    g_test_add_func("/block/qcow2/fill", test_qcow2_fill);
    g_test_add_func("/block/qcow2/truncate", test_qcow2_truncate);
    g_test_add_func("/block/qcow2/backing", test_qcow2_backing);
    g_test_add_func("/block/qcow2/chain-errors", test_qcow2_chain_errors);
    g_test_add_func("/block/qcow2/malformed", test_qcow2_malformed);
    g_test_add_func("/block/qcow2/corrupt-io", test_qcow2_corrupt_io);
    g_test_add_func("/block/qcow2/check-refcounts", test_qcow2_check_refcounts);
    g_test_add_func("/block/snapshot", test_snapshot);
    int r = g_test_run();
    g_rmdir(snap_tmp);
    g_free(snap_tmp);
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return r;
}
