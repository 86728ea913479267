/*
 * Writes random data through the block layer and checks it afterwards; the
 * helper of test-block-crash.py and test-block-interop.py.
 *
 *   block-stress run IMAGE LOG SEED [OPS]   random writes, zeroes, discards
 *                                           and flushes; forever without OPS
 *                                           (until killed), else OPS then a flush
 *   block-stress verify IMAGE LOG           the image must hold every write
 *                                           the log says was flushed
 *
 * The log gets one line per operation, written (one write(2), O_APPEND)
 * before the operation starts, and "F RUN" after each flush returns:
 *   W RUN SEED OP OFFSET LEN  |  Z RUN OFFSET LEN  |  D RUN OFFSET LEN  |  F RUN
 * Runs may follow each other on one image (each appends with its own RUN
 * number).  verify replays the whole log: a byte last written by an
 * operation whose run flushed after it must read back exactly; bytes whose
 * last writer was not flushed before its run was killed may hold anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "rove/block.h"

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* The data of write OP in a run with SEED: reproducible by verify. */
static void op_data(uint64_t seed, uint64_t op, uint8_t *buf, size_t len)
{
    uint64_t state = mix(seed * 1000003u + op + 1);
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0) {
            state = mix(state + i);
        }
        buf[i] = (uint8_t)(state >> (8 * (i % 8)));
    }
}

static int die(const char *msg, int err)
{
    fprintf(stderr, "block-stress: %s: %s\n", msg, g_strerror(err));
    exit(1);
}

static void log_line(int fd, const char *line)
{
    size_t n = strlen(line);
    if (write(fd, line, n) != (ssize_t)n) {
        die("log write", errno);
    }
}

/* The run number: one more than any in the log so far. */
static unsigned next_run(const char *log_path)
{
    gchar *text = NULL;
    unsigned run = 0;
    if (g_file_get_contents(log_path, &text, NULL, NULL)) {
        char **lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
            unsigned r;
            char kind;
            if (sscanf(*l, "%c %u", &kind, &r) == 2 && r > run) {
                run = r;
            }
        }
        g_strfreev(lines);
        g_free(text);
    }
    return run + 1;
}

static BlockDev *open_image(const char *path, bool read_only)
{
    BlockOpenOptions o = { .read_only = read_only };
    GError *err = NULL;
    BlockDev *bs = block_open(path, &o, &err);
    if (!bs) {
        fprintf(stderr, "block-stress: %s\n", err->message);
        exit(1);
    }
    return bs;
}

static int cmd_run(const char *image, const char *log_path, uint64_t seed, long ops)
{
    unsigned run = next_run(log_path);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log_fd < 0) {
        die(log_path, errno);
    }
    BlockDev *bs = open_image(image, false);
    uint64_t size = block_size(bs);
    GRand *rng = g_rand_new_with_seed((guint32)seed);
    const uint32_t max_len = 256 * 1024;
    uint8_t *buf = g_malloc(max_len);
    char line[128];
    for (long op = 0; ops < 0 || op < ops; op++) {
        uint32_t len = (uint32_t)g_rand_int_range(rng, 1, max_len);
        if (g_rand_boolean(rng)) {
            len = (uint32_t)g_rand_int_range(rng, 1, 8192);
        }
        len = (uint32_t)MIN((uint64_t)len, size);
        uint64_t off = (uint64_t)g_rand_double_range(rng, 0, (double)(size - len));
        int what = g_rand_int_range(rng, 0, 20);
        int r;
        if (what < 16) {
            snprintf(line, sizeof(line), "W %u %" G_GUINT64_FORMAT " %ld %" G_GUINT64_FORMAT
                     " %u\n", run, seed, op, off, len);
            log_line(log_fd, line);
            op_data(seed, (uint64_t)op, buf, len);
            r = block_pwrite(bs, off, buf, len);
        } else if (what < 18) {
            snprintf(line, sizeof(line), "Z %u %" G_GUINT64_FORMAT " %u\n", run, off, len);
            log_line(log_fd, line);
            r = block_write_zeroes(bs, off, len, what == 16);
        } else {
            snprintf(line, sizeof(line), "D %u %" G_GUINT64_FORMAT " %u\n", run, off, len);
            log_line(log_fd, line);
            r = block_discard(bs, off, len);
        }
        if (r < 0) {
            die("I/O", -r);
        }
        if (g_rand_int_range(rng, 0, 8) == 0) {
            r = block_flush(bs);
            if (r < 0) {
                die("flush", -r);
            }
            snprintf(line, sizeof(line), "F %u\n", run);
            log_line(log_fd, line);
        }
    }
    if (block_flush(bs) < 0) {
        die("flush", EIO);
    }
    snprintf(line, sizeof(line), "F %u\n", run);
    log_line(log_fd, line);
    block_close(bs);
    close(log_fd);
    g_free(buf);
    g_rand_free(rng);
    return 0;
}

/* Replays the log into a model of the disk, remembering per byte the log
 * line that last wrote it: the byte is certain when that line's run
 * flushed after it (or nothing ever wrote it). */
static int cmd_verify(const char *image, const char *log_path)
{
    BlockDev *bs = open_image(image, true);
    uint64_t size = block_size(bs);
    BlockInfo info;
    if (!block_get_info(bs, &info, NULL)) {
        return 1;
    }
    uint64_t cluster = info.cluster_size ? info.cluster_size : 1;
    bool has_backing = info.backing_file != NULL;
    block_info_clear(&info);
    uint8_t *model = g_malloc0(size);
    uint32_t *writer = g_new0(uint32_t, size);   /* log line + 1, 0: none */
    gchar *text;
    if (!g_file_get_contents(log_path, &text, NULL, NULL)) {
        die(log_path, ENOENT);
    }
    char **lines = g_strsplit(text, "\n", -1);
    guint nlines = g_strv_length(lines);
    uint32_t *line_run = g_new0(uint32_t, nlines + 1);
    GHashTable *flushed_at = g_hash_table_new(NULL, NULL);  /* run -> last F line + 1 */
    uint64_t writes = 0, flushes = 0;
    for (guint n = 0; n < nlines; n++) {
        const char *l = lines[n];
        unsigned run, len;
        uint64_t seed, off, lo = 0, hi = 0;
        long op;
        if (sscanf(l, "W %u %" G_GUINT64_FORMAT " %ld %" G_GUINT64_FORMAT " %u", &run, &seed,
                   &op, &off, &len) == 5 && off + len <= size) {
            op_data(seed, (uint64_t)op, model + off, len);
            lo = off;
            hi = off + len;
            writes++;
        } else if (sscanf(l, "Z %u %" G_GUINT64_FORMAT " %u", &run, &off, &len) == 3 &&
                   off + len <= size) {
            memset(model + off, 0, len);
            lo = off;
            hi = off + len;
        } else if (sscanf(l, "D %u %" G_GUINT64_FORMAT " %u", &run, &off, &len) == 3 &&
                   off + len <= size) {
            /* Whole clusters read as zeroes (the last one up to the end);
             * the rest is unchanged. */
            lo = (off + cluster - 1) / cluster * cluster;
            hi = off + len == size ? size : (off + len) / cluster * cluster;
            if (has_backing || hi < lo) {
                hi = lo;
            }
            memset(model + lo, 0, hi - lo);
        } else if (sscanf(l, "F %u", &run) == 1) {
            g_hash_table_insert(flushed_at, GUINT_TO_POINTER(run), GUINT_TO_POINTER(n + 1));
            flushes++;
            continue;
        } else {
            continue;
        }
        line_run[n + 1] = run;
        for (uint64_t i = lo; i < hi; i++) {
            writer[i] = n + 1;
        }
    }
    g_strfreev(lines);
    g_free(text);
    uint8_t *disk = g_malloc(size);
    int r = block_pread(bs, 0, disk, size);
    if (r < 0) {
        die("read", -r);
    }
    uint64_t bad = 0, first_bad = 0, uncertain = 0;
    for (uint64_t i = 0; i < size; i++) {
        uint32_t w = writer[i];
        guint flushed = w ? GPOINTER_TO_UINT(g_hash_table_lookup(flushed_at,
                                                                 GUINT_TO_POINTER(line_run[w])))
                          : 0;
        if (w && flushed <= w) {
            uncertain++;
        } else if (disk[i] != model[i]) {
            if (!bad++) {
                first_bad = i;
            }
        }
    }
    printf("%" G_GUINT64_FORMAT " writes, %" G_GUINT64_FORMAT " flushes, %" G_GUINT64_FORMAT
           " bytes unflushed at a kill, %" G_GUINT64_FORMAT " bytes wrong\n", writes, flushes,
           uncertain, bad);
    if (bad) {
        fprintf(stderr, "block-stress: %s: flushed data lost, first at offset %" G_GUINT64_FORMAT
                "\n", image, first_bad);
    }
    block_close(bs);
    g_free(disk);
    g_free(model);
    g_free(writer);
    g_free(line_run);
    g_hash_table_destroy(flushed_at);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "run") == 0) {
        return cmd_run(argv[2], argv[3], g_ascii_strtoull(argv[4], NULL, 10),
                       argc > 5 ? atol(argv[5]) : -1);
    }
    if (argc == 4 && strcmp(argv[1], "verify") == 0) {
        return cmd_verify(argv[2], argv[3]);
    }
    fprintf(stderr, "usage: block-stress run IMAGE LOG SEED [OPS] | verify IMAGE LOG\n");
    return 1;
}
