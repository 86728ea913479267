/*
 * rove-img: create, describe, check, convert and resize disk images
 * through the block layer (include/rove/block.h), with qemu-img's command
 * lines, JSON keys and check exit codes where it has the same feature.
 * Errors are one line "rove-img: ..." and exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "rove/block.h"

#define CONVERT_CHUNK (1u << 20)

static const char usage_text[] =
    "usage: rove-img COMMAND [options]\n"
    "  create [-f fmt] [-b backing [-F backing_fmt]] [-o cluster_size=N] FILE [SIZE]\n"
    "  info [--output=human|json] [-f fmt] [-U] FILE\n"
    "  check [-r leaks|all] [--output=human|json] [-f fmt] [-U] FILE\n"
    "  convert [-f fmt] [-O fmt] [-B backing [-F backing_fmt]] [-o cluster_size=N] [-U] SRC DST\n"
    "  resize [-f fmt] [--shrink] FILE [+|-]SIZE\n"
    "Formats: raw, qcow2.  SIZE takes the suffixes K, M, G, T, P, E (powers of 1024).\n"
    "check exits 0 when clean, 2 on corruption, 3 on leaks only, 1 when it could not run.\n"
    "Images are locked while open (shared for reading, exclusive for writing); -U\n"
    "(--force-share) reads an image another process has open (info, check, convert's source).\n";

static int G_GNUC_PRINTF(1, 2) fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "rove-img: %s\n", msg);
    g_free(msg);
    return 1;
}

static int fail_gerror(GError *err)
{
    int r = fail("%s", err->message);
    g_error_free(err);
    return r;
}

static const struct {
    char suffix;
    unsigned shift;
} size_suffixes[] = {
    { 'b', 0 }, { 'k', 10 }, { 'm', 20 }, { 'g', 30 }, { 't', 40 }, { 'p', 50 }, { 'e', 60 },
};

/* "64M", "1G", "1.5G", "65536": bytes; false when malformed or too big. */
static bool parse_size(const char *text, uint64_t *out)
{
    if (!*text || !g_ascii_isdigit(*text)) {
        return false;
    }
    char *end;
    errno = 0;
    double v = g_ascii_strtod(text, &end);
    if (errno || end == text) {
        return false;
    }
    unsigned shift = 0;
    if (*end) {
        size_t i;
        for (i = 0; i < G_N_ELEMENTS(size_suffixes); i++) {
            if (g_ascii_tolower(*end) == size_suffixes[i].suffix) {
                break;
            }
        }
        if (i == G_N_ELEMENTS(size_suffixes) || end[1]) {
            return false;
        }
        shift = size_suffixes[i].shift;
    }
    double bytes = v * (double)(1ull << shift);
    if (bytes >= 18446744073709551615.0 || bytes != (double)(uint64_t)bytes) {
        return false;
    }
    *out = (uint64_t)bytes;
    return true;
}

/* qemu-img's human sizes: three significant digits and a binary unit. */
static char *human_size(uint64_t v)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    unsigned i = 0;
    double d = (double)v;
    while (d >= 1024 && i + 1 < G_N_ELEMENTS(units)) {
        d /= 1024;
        i++;
    }
    return g_strdup_printf("%0.3g %s", d, units[i]);
}

static void json_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            g_string_append_printf(out, "\\%c", c);
        } else if (c < 0x20) {
            g_string_append_printf(out, "\\u%04x", c);
        } else {
            g_string_append_c(out, (char)c);
        }
    }
    g_string_append_c(out, '"');
}

/* -o key=value[,key=value]: only what the block layer can do. */
static bool parse_create_options(const char *text, BlockCreateOptions *c, char **backing,
                                 char **backing_fmt)
{
    bool ok = true;
    char **items = g_strsplit(text, ",", -1);
    for (char **it = items; *it && ok; it++) {
        char *eq = strchr(*it, '=');
        if (!eq) {
            ok = !fail("-o: '%s' is not key=value", *it);
            break;
        }
        *eq = 0;
        const char *key = *it, *val = eq + 1;
        uint64_t n;
        if (strcmp(key, "cluster_size") == 0) {
            ok = parse_size(val, &n) && n <= UINT32_MAX;
            if (!ok) {
                fail("-o: invalid cluster_size '%s'", val);
            }
            c->cluster_size = (uint32_t)n;
        } else if (strcmp(key, "backing_file") == 0) {
            g_free(*backing);
            *backing = g_strdup(val);
        } else if (strcmp(key, "backing_fmt") == 0) {
            g_free(*backing_fmt);
            *backing_fmt = g_strdup(val);
        } else if (strcmp(key, "compat") == 0) {
            ok = strcmp(val, "1.1") == 0 || strcmp(val, "v3") == 0;
            if (!ok) {
                fail("-o: compat=%s is not supported (only 1.1)", val);
            }
        } else if (strcmp(key, "refcount_bits") == 0) {
            ok = strcmp(val, "16") == 0;
            if (!ok) {
                fail("-o: refcount_bits=%s is not supported (only 16)", val);
            }
        } else {
            ok = !fail("-o: unknown option '%s'", key);
        }
    }
    g_strfreev(items);
    return ok;
}

enum { OPT_OUTPUT = 256, OPT_SHRINK, OPT_HELP };

static const struct option long_options[] = {
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "shrink", no_argument, NULL, OPT_SHRINK },
    { "force-share", no_argument, NULL, 'U' },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

/* -U (--force-share): open images without taking their lock (read-only uses). */
static bool force_share;

typedef struct Args {
    const char *format, *out_format, *backing, *backing_format, *options, *repair;
    bool json, shrink;
    int nfiles;
    char **files;
} Args;

/* Options common to the commands; false (message printed) on a bad one. */
static bool parse_args(int argc, char **argv, const char *optstring, Args *a)
{
    memset(a, 0, sizeof(*a));
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, optstring, long_options, NULL)) != -1) {
        switch (c) {
        case 'f': a->format = optarg; break;
        case 'O': a->out_format = optarg; break;
        case 'b': case 'B': a->backing = optarg; break;
        case 'F': a->backing_format = optarg; break;
        case 'o': a->options = optarg; break;
        case 'r': a->repair = optarg; break;
        case 'U': force_share = true; break;
        case OPT_SHRINK: a->shrink = true; break;
        case OPT_OUTPUT:
            if (strcmp(optarg, "json") == 0) {
                a->json = true;
            } else if (strcmp(optarg, "human") != 0) {
                return !fail("--output must be human or json, not '%s'", optarg);
            }
            break;
        case OPT_HELP:
            fputs(usage_text, stdout);
            exit(0);
        case ':':
            return !fail("%s: option %s needs an argument", argv[0], argv[optind - 1]);
        default:
            return !fail("%s: unknown option '%s'", argv[0], argv[optind - 1]);
        }
    }
    a->files = argv + optind;
    a->nfiles = argc - optind;
    return true;
}

static bool known_format(const char *fmt)
{
    return !fmt || strcmp(fmt, "raw") == 0 || strcmp(fmt, "qcow2") == 0;
}

static int cmd_create(int argc, char **argv)
{
    Args a;
    if (!parse_args(argc, argv, ":f:b:F:o:", &a)) {
        return 1;
    }
    if (a.nfiles < 1 || a.nfiles > 2) {
        return fail("create: expected FILE [SIZE] (rove-img --help)");
    }
    BlockCreateOptions c = { .format = a.format ? a.format : "raw" };
    char *backing = g_strdup(a.backing), *backing_fmt = g_strdup(a.backing_format);
    int ret = 0;
    if (a.options && !parse_create_options(a.options, &c, &backing, &backing_fmt)) {
        ret = 1;
    } else if (a.nfiles == 2 && !parse_size(a.files[1], &c.size)) {
        ret = fail("create: invalid size '%s'", a.files[1]);
    } else if (a.nfiles == 1 && !backing) {
        ret = fail("create: a size is needed without a backing file");
    } else if (!known_format(c.format)) {
        ret = fail("create: unknown format '%s'", c.format);
    } else {
        c.backing_file = backing;
        c.backing_format = backing_fmt;
        GError *err = NULL;
        if (!block_create(a.files[0], &c, &err)) {
            ret = fail_gerror(err);
        }
    }
    g_free(backing);
    g_free(backing_fmt);
    return ret;
}

static BlockDev *open_image(const char *file, const char *format, bool read_only,
                            bool no_backing, bool for_check, BlockCacheMode cache)
{
    if (!known_format(format)) {
        fail("unknown format '%s'", format);
        return NULL;
    }
    BlockOpenOptions o = {
        .format = format, .read_only = read_only, .no_backing = no_backing,
        .for_check = for_check, .cache = cache, .force_share = force_share && read_only,
    };
    GError *err = NULL;
    BlockDev *bs = block_open(file, &o, &err);
    if (!bs) {
        fail_gerror(err);
    }
    return bs;
}

static char *full_backing_name(const char *image, const char *backing)
{
    if (g_path_is_absolute(backing)) {
        return g_strdup(backing);
    }
    char *dir = g_path_get_dirname(image);
    char *p = g_build_filename(dir, backing, NULL);
    g_free(dir);
    return p;
}

static void info_json(const char *file, const BlockInfo *info)
{
    GString *o = g_string_new("{\n");
    g_string_append_printf(o, "    \"virtual-size\": %" G_GUINT64_FORMAT ",\n", info->virtual_size);
    g_string_append(o, "    \"filename\": ");
    json_string(o, file);
    g_string_append(o, ",\n");
    if (info->cluster_size) {
        g_string_append_printf(o, "    \"cluster-size\": %u,\n", info->cluster_size);
    }
    g_string_append(o, "    \"format\": ");
    json_string(o, info->format);
    g_string_append_printf(o, ",\n    \"actual-size\": %" G_GUINT64_FORMAT ",\n", info->actual_size);
    if (info->qcow2_version) {
        /* As qemu-img: version 2 has no feature bits to show. */
        g_string_append_printf(o,
            "    \"format-specific\": {\n"
            "        \"type\": \"qcow2\",\n"
            "        \"data\": {\n"
            "            \"compat\": \"%s\",\n"
            "            \"compression-type\": \"zlib\",\n",
            info->qcow2_version >= 3 ? "1.1" : "0.10");
        if (info->qcow2_version >= 3) {
            g_string_append_printf(o,
                "            \"lazy-refcounts\": %s,\n"
                "            \"refcount-bits\": %u,\n"
                "            \"corrupt\": %s,\n"
                "            \"extended-l2\": false\n",
                info->lazy_refcounts ? "true" : "false", info->refcount_bits,
                info->corrupt ? "true" : "false");
        } else {
            g_string_append_printf(o, "            \"refcount-bits\": %u\n",
                                   info->refcount_bits);
        }
        g_string_append(o, "        }\n    },\n");
    }
    if (info->backing_file) {
        char *full = full_backing_name(file, info->backing_file);
        g_string_append(o, "    \"full-backing-filename\": ");
        json_string(o, full);
        g_string_append(o, ",\n    \"backing-filename\": ");
        json_string(o, info->backing_file);
        g_string_append(o, ",\n");
        if (info->backing_format) {
            g_string_append(o, "    \"backing-filename-format\": ");
            json_string(o, info->backing_format);
            g_string_append(o, ",\n");
        }
        g_free(full);
    }
    g_string_append_printf(o, "    \"dirty-flag\": %s\n}\n", info->dirty ? "true" : "false");
    fputs(o->str, stdout);
    g_string_free(o, TRUE);
}

static void info_human(const char *file, const BlockInfo *info)
{
    char *vs = human_size(info->virtual_size), *as = human_size(info->actual_size);
    printf("image: %s\nfile format: %s\nvirtual size: %s (%" G_GUINT64_FORMAT " bytes)\n"
           "disk size: %s\n", file, info->format, vs, info->virtual_size, as);
    if (info->cluster_size) {
        printf("cluster_size: %u\n", info->cluster_size);
    }
    if (info->backing_file) {
        printf("backing file: %s\n", info->backing_file);
        if (info->backing_format) {
            printf("backing file format: %s\n", info->backing_format);
        }
    }
    if (info->qcow2_version >= 3) {
        printf("Format specific information:\n    compat: 1.1\n    compression type: zlib\n"
               "    lazy refcounts: %s\n    refcount bits: %u\n    corrupt: %s\n"
               "    extended l2: false\n", info->lazy_refcounts ? "true" : "false",
               info->refcount_bits, info->corrupt ? "true" : "false");
    } else if (info->qcow2_version) {
        printf("Format specific information:\n    compat: 0.10\n    compression type: zlib\n"
               "    refcount bits: %u\n", info->refcount_bits);
    }
    g_free(vs);
    g_free(as);
}

static int cmd_info(int argc, char **argv)
{
    Args a;
    if (!parse_args(argc, argv, ":f:U", &a)) {
        return 1;
    }
    if (a.nfiles != 1) {
        return fail("info: expected one FILE (rove-img --help)");
    }
    BlockDev *bs = open_image(a.files[0], a.format, true, true, true, BLOCK_CACHE_WRITEBACK);
    if (!bs) {
        return 1;
    }
    BlockInfo info;
    GError *err = NULL;
    int ret = 0;
    if (!block_get_info(bs, &info, &err)) {
        ret = fail_gerror(err);
    } else {
        (a.json ? info_json : info_human)(a.files[0], &info);
        block_info_clear(&info);
    }
    block_close(bs);
    return ret;
}

static void check_json(const char *file, const char *format, const BlockCheckResult *r)
{
    GString *o = g_string_new("{\n");
    g_string_append_printf(o, "    \"image-end-offset\": %" G_GUINT64_FORMAT ",\n"
                           "    \"total-clusters\": %" G_GUINT64_FORMAT ",\n"
                           "    \"check-errors\": %" G_GUINT64_FORMAT ",\n",
                           r->image_end_offset, r->total_clusters, r->check_errors);
    if (r->leaks) {
        g_string_append_printf(o, "    \"leaks\": %" G_GUINT64_FORMAT ",\n", r->leaks);
    }
    if (r->corruptions) {
        g_string_append_printf(o, "    \"corruptions\": %" G_GUINT64_FORMAT ",\n", r->corruptions);
    }
    g_string_append(o, "    \"filename\": ");
    json_string(o, file);
    g_string_append(o, ",\n    \"format\": ");
    json_string(o, format);
    g_string_append_printf(o, ",\n    \"allocated-clusters\": %" G_GUINT64_FORMAT ",\n"
                           "    \"fragmented-clusters\": 0\n}\n", r->allocated_clusters);
    fputs(o->str, stdout);
    g_string_free(o, TRUE);
}

static void check_human(const BlockCheckResult *r)
{
    for (guint i = 0; i < r->messages->len; i++) {
        printf("%s\n", (const char *)r->messages->pdata[i]);
    }
    if (!r->corruptions && !r->leaks && !r->check_errors) {
        printf("No errors were found on the image.\n");
    }
    if (r->corruptions) {
        printf("\n%" G_GUINT64_FORMAT " errors were found on the image.\nData may be corrupted, "
               "or further writes to the image may corrupt it.\n", r->corruptions);
    }
    if (r->leaks) {
        printf("\n%" G_GUINT64_FORMAT " leaked clusters were found on the image.\nThis means "
               "waste of disk space, but no harm to data.\n", r->leaks);
    }
    if (r->check_errors) {
        printf("\n%" G_GUINT64_FORMAT " internal errors have occurred during the check.\n",
               r->check_errors);
    }
    if (r->total_clusters) {
        printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " = %0.2f%% allocated, 0.00%% "
               "fragmented, 0.00%% compressed clusters\nImage end offset: %" G_GUINT64_FORMAT "\n",
               r->allocated_clusters, r->total_clusters,
               100.0 * (double)r->allocated_clusters / (double)r->total_clusters,
               r->image_end_offset);
    }
}

static int cmd_check(int argc, char **argv)
{
    Args a;
    if (!parse_args(argc, argv, ":f:r:U", &a)) {
        return 1;
    }
    if (a.nfiles != 1) {
        return fail("check: expected one FILE (rove-img --help)");
    }
    BlockCheckRepair repair = BLOCK_CHECK_NO_REPAIR;
    if (a.repair && strcmp(a.repair, "leaks") == 0) {
        repair = BLOCK_CHECK_REPAIR_LEAKS;
    } else if (a.repair && strcmp(a.repair, "all") == 0) {
        repair = BLOCK_CHECK_REPAIR_ALL;
    } else if (a.repair) {
        return fail("check: -r must be leaks or all, not '%s'", a.repair);
    }
    BlockDev *bs = open_image(a.files[0], a.format, repair == BLOCK_CHECK_NO_REPAIR, true, true,
                              BLOCK_CACHE_WRITEBACK);
    if (!bs) {
        return 1;
    }
    if (strcmp(block_format(bs), "qcow2") != 0) {
        fail("%s: format %s does not support checks", a.files[0], block_format(bs));
        block_close(bs);
        return 63;
    }
    BlockCheckResult res;
    GError *err = NULL;
    int ret;
    if (!block_check_repair(bs, repair, &res, &err)) {
        ret = fail_gerror(err);
    } else {
        if (a.json) {
            check_json(a.files[0], block_format(bs), &res);
        } else {
            check_human(&res);
        }
        ret = res.corruptions ? 2 : res.leaks ? 3 : res.check_errors ? 1 : 0;
    }
    block_check_result_clear(&res);
    block_close(bs);
    return ret;
}

/* Copies src into the fresh image dst, leaving out what already reads the
 * same there (zeroes, or the -B backing file's data) so dst stays sparse. */
static int copy_image(BlockDev *src, BlockDev *dst, BlockDev *backing, const char *src_name,
                      const char *dst_name)
{
    uint64_t size = block_size(src);
    uint8_t *buf = g_malloc(CONVERT_CHUNK), *base = g_malloc(CONVERT_CHUNK);
    const size_t grain = 65536;
    int r = 0;
    for (uint64_t off = 0; off < size && r == 0; off += CONVERT_CHUNK) {
        size_t n = (size_t)MIN((uint64_t)CONVERT_CHUNK, size - off);
        if ((r = block_pread(src, off, buf, n)) < 0) {
            fail("%s: read at offset %" G_GUINT64_FORMAT " failed: %s", src_name, off,
                 g_strerror(-r));
            break;
        }
        uint64_t backing_n = 0;
        if (backing && off < block_size(backing)) {
            backing_n = MIN((uint64_t)n, block_size(backing) - off);
            if ((r = block_pread(backing, off, base, backing_n)) < 0) {
                fail("%s: read failed: %s", block_filename(backing), g_strerror(-r));
                break;
            }
        }
        memset(base + backing_n, 0, n - backing_n);
        for (size_t g = 0; g < n && r == 0; g += grain) {
            size_t gn = MIN(grain, n - g);
            if (memcmp(buf + g, base + g, gn) == 0) {
                continue;   /* reads the same already */
            }
            bool zero = true;
            for (size_t i = 0; i < gn && zero; i++) {
                zero = buf[g + i] == 0;
            }
            r = zero ? block_write_zeroes(dst, off + g, gn, true)
                     : block_pwrite(dst, off + g, buf + g, gn);
            if (r < 0) {
                fail("%s: write at offset %" G_GUINT64_FORMAT " failed: %s", dst_name, off + g,
                     g_strerror(-r));
            }
        }
    }
    g_free(buf);
    g_free(base);
    return r;
}

static int cmd_convert(int argc, char **argv)
{
    Args a;
    if (!parse_args(argc, argv, ":f:O:B:F:o:U", &a)) {
        return 1;
    }
    if (a.nfiles != 2) {
        return fail("convert: expected SRC DST (rove-img --help)");
    }
    const char *out_fmt = a.out_format ? a.out_format : "raw";
    if (!known_format(out_fmt)) {
        return fail("convert: unknown output format '%s'", out_fmt);
    }
    BlockDev *src = open_image(a.files[0], a.format, true, false, false, BLOCK_CACHE_WRITEBACK);
    if (!src) {
        return 1;
    }
    BlockCreateOptions c = { .format = out_fmt, .size = block_size(src) };
    char *backing = g_strdup(a.backing), *backing_fmt = g_strdup(a.backing_format);
    int ret = 0;
    BlockDev *dst = NULL, *base = NULL;
    GError *err = NULL;
    if (a.options && !parse_create_options(a.options, &c, &backing, &backing_fmt)) {
        ret = 1;
        goto out;
    }
    c.backing_file = backing;
    c.backing_format = backing_fmt;
    if (!block_create(a.files[1], &c, &err)) {
        ret = fail_gerror(err);
        goto out;
    }
    /* Written with cache=unsafe and flushed once at the end. */
    dst = open_image(a.files[1], out_fmt, false, false, false, BLOCK_CACHE_UNSAFE);
    if (!dst) {
        ret = 1;
        goto out;
    }
    if (backing) {
        char *path = full_backing_name(a.files[1], backing);
        base = open_image(path, backing_fmt, true, false, false, BLOCK_CACHE_WRITEBACK);
        g_free(path);
        if (!base) {
            ret = 1;
            goto out;
        }
    }
    if (copy_image(src, dst, base, a.files[0], a.files[1]) < 0) {
        ret = 1;
        goto out;
    }
    /* The real flush: reopen the file with the default cache mode. */
    block_close(dst);
    dst = open_image(a.files[1], out_fmt, false, true, false, BLOCK_CACHE_WRITEBACK);
    int r = dst ? block_flush(dst) : -EIO;
    if (r < 0) {
        ret = dst ? fail("%s: flush failed: %s", a.files[1], g_strerror(-r)) : 1;
    }
out:
    block_close(base);
    block_close(dst);
    block_close(src);
    g_free(backing);
    g_free(backing_fmt);
    return ret;
}

static int cmd_resize(int argc, char **argv)
{
    /* The size goes first: "-1G" must not be read as an option. */
    if (argc < 3) {
        return fail("resize: expected FILE [+|-]SIZE (rove-img --help)");
    }
    const char *size_arg = argv[--argc];
    Args a;
    if (!parse_args(argc, argv, ":f:", &a)) {
        return 1;
    }
    if (a.nfiles != 1) {
        return fail("resize: expected FILE [+|-]SIZE (rove-img --help)");
    }
    int sign = 0;
    if (*size_arg == '+' || *size_arg == '-') {
        sign = *size_arg == '+' ? 1 : -1;
        size_arg++;
    }
    uint64_t n;
    if (!parse_size(size_arg, &n)) {
        return fail("resize: invalid size '%s'", size_arg);
    }
    BlockDev *bs = open_image(a.files[0], a.format, false, true, false, BLOCK_CACHE_WRITEBACK);
    if (!bs) {
        return 1;
    }
    uint64_t old = block_size(bs), size = n;
    int ret = 0;
    if (sign > 0) {
        size = old + n;
        if (size < old) {
            ret = fail("resize: size overflows");
        }
    } else if (sign < 0) {
        if (n > old) {
            ret = fail("resize: cannot shrink below 0");
        }
        size = old - n;
    }
    if (ret == 0 && size < old && !a.shrink) {
        ret = fail("%s: use the --shrink option to shrink the image (data past the new end "
                   "is lost)", a.files[0]);
    }
    if (ret == 0) {
        int r = block_truncate(bs, size);
        if (r == 0) {
            r = block_flush(bs);
        }
        if (r < 0) {
            ret = fail("%s: resize failed: %s", a.files[0], g_strerror(-r));
        } else {
            printf("Image resized.\n");
        }
    }
    block_close(bs);
    return ret;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    { "create", cmd_create },
    { "info", cmd_info },
    { "check", cmd_check },
    { "convert", cmd_convert },
    { "resize", cmd_resize },
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    return fail("unknown command '%s' (rove-img --help)", argv[1]);
}
