/*
 * qcow2 (versions 2 and 3): the header, open with every field from the file
 * validated, create, truncate, info, and the driver table.  Guest I/O is in
 * qcow2-cluster.c, refcounts in qcow2-refcount.c, check in qcow2-check.c;
 * docs/block.md describes the layout handled and the write ordering.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "block/qcow2.h"

#define QCOW2_ERROR(errp, bs_name, ...) \
    qcow2_error(errp, bs_name, g_strdup_printf(__VA_ARGS__))

static bool qcow2_error(GError **errp, const char *filename, char *what)
{
    g_set_error(errp, BLOCK_ERROR, EINVAL, "qcow2: %s: %s", filename, what);
    g_free(what);
    return false;
}

static int qcow2_probe(const uint8_t *buf, size_t len)
{
    return len >= 4 && qcow2_be32(buf) == QCOW2_MAGIC ? 100 : 0;
}

int qcow2_mark_corrupt(BlockDev *bs, const char *what, uint64_t offset)
{
    Qcow2State *s = qcow2_state(bs);
    if (!s->corrupt) {
        s->corrupt = true;
        fprintf(stderr, "qcow2: %s: %s 0x%" G_GINT64_MODIFIER "x is invalid; the image is "
                "marked corrupt (rove-img check -r all)\n", bs->filename, what, offset);
        /* The flag on disk stops anyone from writing through bad metadata. */
        if (!bs->read_only && s->version >= 3) {
            uint8_t e[8];
            s->incompat |= QCOW2_INCOMPAT_CORRUPT;
            qcow2_put_be64(e, s->incompat);
            block_file_pwrite(bs->file, QH_INCOMPAT, e, 8);
            block_file_flush(bs->file);
        }
    }
    return -EIO;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

bool qcow2_overlaps_metadata(BlockDev *bs, uint64_t offset, uint64_t len, uint64_t self)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t cs = s->cluster_size;
    if (ranges_overlap(offset, len, 0, cs) ||
        ranges_overlap(offset, len, s->l1_offset, (uint64_t)s->l1_size * 8) ||
        ranges_overlap(offset, len, s->reftable_offset, (uint64_t)s->reftable_clusters * cs)) {
        return true;
    }
    for (uint64_t i = 0; i < s->reftable_entries; i++) {
        uint64_t rb = s->reftable[i] & QCOW2_REFTABLE_OFFSET_MASK;
        if (rb && ranges_overlap(offset, len, rb, cs)) {
            return true;
        }
    }
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2 = s->l1[i] & QCOW2_OFFSET_MASK;
        if (l2 && l2 != self && ranges_overlap(offset, len, l2, cs)) {
            return true;
        }
    }
    return false;
}

int qcow2_sync_before_pointer(BlockDev *bs)
{
    Qcow2State *s = qcow2_state(bs);
    int r = s->sync_metadata ? block_file_flush(bs->file) : 0;
    if (r == 0) {
        s->refcounts_unsynced = false;
    }
    return r;
}

static void qcow2_free_state(Qcow2State *s)
{
    if (!s) {
        return;
    }
    qcow2_cache_free(&s->l2_cache);
    qcow2_cache_free(&s->rb_cache);
    g_free(s->l1);
    g_free(s->reftable);
    g_free(s->backing_file);
    g_free(s->backing_format);
    g_free(s);
}

static void qcow2_close(BlockDev *bs)
{
    Qcow2State *s = qcow2_state(bs);
    if (!bs->read_only && !s->corrupt) {
        qcow2_release_reserve(bs);
    }
    qcow2_free_state(bs->opaque);
    bs->opaque = NULL;
}

/* Reads a table of big-endian u64 into host order. */
static int read_table(BlockFile *f, uint64_t offset, uint64_t entries, uint64_t **out)
{
    uint64_t *t = g_try_new(uint64_t, entries ? entries : 1);
    if (!t) {
        return -ENOMEM;
    }
    int r = block_file_pread(f, offset, t, entries * 8);
    if (r < 0) {
        g_free(t);
        return r;
    }
    for (uint64_t i = 0; i < entries; i++) {
        t[i] = GUINT64_FROM_BE(t[i]);
    }
    *out = t;
    return 0;
}

static const struct {
    uint64_t bit;
    const char *what;
} unsupported_incompat[] = {
    { QCOW2_INCOMPAT_DATA_FILE, "external data files are not supported" },
    { QCOW2_INCOMPAT_EXTL2, "extended L2 entries (subclusters) are not supported" },
};

#define QCOW2_KNOWN_INCOMPAT (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT | \
                              QCOW2_INCOMPAT_DATA_FILE | QCOW2_INCOMPAT_COMPRESSION | \
                              QCOW2_INCOMPAT_EXTL2)

/* The header extensions between the header and `end`. */
static bool parse_extensions(Qcow2State *s, const char *fn, const uint8_t *hc, uint64_t pos,
                             uint64_t end, GError **errp)
{
    while (pos < end) {
        if (end - pos < 8) {
            return QCOW2_ERROR(errp, fn, "header extension at 0x%" G_GINT64_MODIFIER "x is "
                               "truncated", pos);
        }
        uint32_t type = qcow2_be32(hc + pos), len = qcow2_be32(hc + pos + 4);
        if (type == QCOW2_EXT_END) {
            return true;
        }
        if (len > end - pos - 8) {
            return QCOW2_ERROR(errp, fn, "header extension 0x%x at 0x%" G_GINT64_MODIFIER "x "
                               "runs past the header (length %u)", type, pos, len);
        }
        if (type == QCOW2_EXT_BACKING_FORMAT) {
            if (len > QCOW2_MAX_BACKING_NAME || memchr(hc + pos + 8, 0, len)) {
                return QCOW2_ERROR(errp, fn, "backing format name is invalid");
            }
            g_free(s->backing_format);
            s->backing_format = g_strndup((const char *)hc + pos + 8, len);
        }
        pos += 8 + (((uint64_t)len + 7) & ~7ull);
    }
    return true;
}

/* Validates a table [offset, offset + bytes) against the file. */
static bool table_ok(const Qcow2State *s, uint64_t offset, uint64_t bytes, uint64_t file_size)
{
    uint64_t file_end = (file_size + s->cluster_size - 1) & ~(s->cluster_size - 1);
    return !(offset & (s->cluster_size - 1)) && offset >= s->cluster_size &&
           offset <= file_end && bytes <= file_end - offset;
}

static bool parse_header(BlockDev *bs, Qcow2State *s, const BlockOpenOptions *opts,
                         uint64_t file_size, GError **errp)
{
    const char *fn = bs->filename;
    uint8_t h[QCOW2_V3_HEADER_SIZE + 8];
    int r = block_file_pread(bs->file, 0, h, sizeof(h));  /* zeroes past the end */
    if (r < 0) {
        return QCOW2_ERROR(errp, fn, "cannot read the header: %s", g_strerror(-r));
    }
    if (qcow2_be32(h + QH_MAGIC) != QCOW2_MAGIC) {
        return QCOW2_ERROR(errp, fn, "not a qcow2 image (bad magic)");
    }
    if (file_size < QCOW2_V2_HEADER_SIZE) {
        return QCOW2_ERROR(errp, fn, "file is too short for a qcow2 header (%" G_GUINT64_FORMAT
                           " bytes)", file_size);
    }
    s->version = qcow2_be32(h + QH_VERSION);
    if (s->version != 2 && s->version != 3) {
        return QCOW2_ERROR(errp, fn, "unsupported qcow2 version %u", s->version);
    }
    s->cluster_bits = qcow2_be32(h + QH_CLUSTER_BITS);
    if (s->cluster_bits < QCOW2_MIN_CLUSTER_BITS || s->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        return QCOW2_ERROR(errp, fn, "cluster_bits %u is out of range (%d..%d)", s->cluster_bits,
                           QCOW2_MIN_CLUSTER_BITS, QCOW2_MAX_CLUSTER_BITS);
    }
    s->cluster_size = 1ull << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    if (qcow2_be32(h + QH_CRYPT) != 0) {
        return QCOW2_ERROR(errp, fn, "encrypted images are not supported");
    }
    s->refcount_order = 4;
    s->header_length = QCOW2_V2_HEADER_SIZE;
    if (s->version >= 3) {
        if (file_size < QCOW2_V3_HEADER_SIZE) {
            return QCOW2_ERROR(errp, fn, "file is too short for a version 3 header");
        }
        s->incompat = qcow2_be64(h + QH_INCOMPAT);
        s->compat = qcow2_be64(h + QH_COMPAT);
        s->autoclear = qcow2_be64(h + QH_AUTOCLEAR);
        s->refcount_order = qcow2_be32(h + QH_REFCOUNT_ORDER);
        s->header_length = qcow2_be32(h + QH_HEADER_LENGTH);
        if (s->header_length < QCOW2_V3_HEADER_SIZE || s->header_length > s->cluster_size) {
            return QCOW2_ERROR(errp, fn, "header length %u is invalid", s->header_length);
        }
        if (s->refcount_order > 6) {
            return QCOW2_ERROR(errp, fn, "refcount order %u is invalid (0..6)", s->refcount_order);
        }
        if (s->incompat & ~QCOW2_KNOWN_INCOMPAT) {
            return QCOW2_ERROR(errp, fn, "unknown incompatible features 0x%" G_GINT64_MODIFIER "x",
                               (uint64_t)(s->incompat & ~QCOW2_KNOWN_INCOMPAT));
        }
        for (size_t i = 0; i < G_N_ELEMENTS(unsupported_incompat); i++) {
            if (s->incompat & unsupported_incompat[i].bit) {
                return QCOW2_ERROR(errp, fn, "%s", unsupported_incompat[i].what);
            }
        }
        if (!opts->read_only && !opts->for_check && (s->incompat & QCOW2_INCOMPAT_CORRUPT)) {
            return QCOW2_ERROR(errp, fn, "image is marked corrupt; open it read-only or repair "
                               "it with 'rove-img check -r all'");
        }
    }
    s->refcount_bits = 1u << s->refcount_order;
    s->rb_bits = s->cluster_bits + 3 - s->refcount_order;

    bs->size = qcow2_be64(h + QH_SIZE);
    s->l1_size = qcow2_be32(h + QH_L1_SIZE);
    s->l1_offset = qcow2_be64(h + QH_L1_OFFSET);
    s->reftable_offset = qcow2_be64(h + QH_REFTABLE_OFFSET);
    s->reftable_clusters = qcow2_be32(h + QH_REFTABLE_CLUSTERS);
    s->nb_snapshots = qcow2_be32(h + QH_NB_SNAPSHOTS);
    s->snapshots_offset = qcow2_be64(h + QH_SNAPSHOTS_OFFSET);

    uint64_t max_l1 = QCOW2_MAX_L1_BYTES / 8;
    if (bs->size > (1ull << 62) || qcow2_l1_entries_for(s->cluster_bits, bs->size) > max_l1) {
        return QCOW2_ERROR(errp, fn, "virtual size %" G_GUINT64_FORMAT " is too large",
                           bs->size);
    }
    if (s->l1_size > max_l1) {
        return QCOW2_ERROR(errp, fn, "L1 table is too large (%u entries)", s->l1_size);
    }
    if (s->l1_size < qcow2_l1_entries_for(s->cluster_bits, bs->size)) {
        return QCOW2_ERROR(errp, fn, "L1 table (%u entries) is too small for the virtual size",
                           s->l1_size);
    }
    if (s->l1_size && !table_ok(s, s->l1_offset, (uint64_t)s->l1_size * 8, file_size)) {
        return QCOW2_ERROR(errp, fn, "L1 table offset 0x%" G_GINT64_MODIFIER "x is invalid",
                           s->l1_offset);
    }
    if (s->reftable_clusters == 0 ||
        (uint64_t)s->reftable_clusters * s->cluster_size > QCOW2_MAX_REFTABLE_BYTES) {
        return QCOW2_ERROR(errp, fn, "refcount table size (%u clusters) is invalid",
                           s->reftable_clusters);
    }
    uint64_t rt_bytes = (uint64_t)s->reftable_clusters << s->cluster_bits;
    if (!table_ok(s, s->reftable_offset, rt_bytes, file_size)) {
        return QCOW2_ERROR(errp, fn, "refcount table offset 0x%" G_GINT64_MODIFIER "x is invalid",
                           s->reftable_offset);
    }
    if (ranges_overlap(s->l1_offset, (uint64_t)s->l1_size * 8, s->reftable_offset, rt_bytes)) {
        return QCOW2_ERROR(errp, fn, "L1 table and refcount table overlap");
    }
    if (s->nb_snapshots) {
        if (s->nb_snapshots > 65536 || !table_ok(s, s->snapshots_offset, 0, file_size)) {
            return QCOW2_ERROR(errp, fn, "snapshot table (%u at 0x%" G_GINT64_MODIFIER "x) is "
                               "invalid", s->nb_snapshots, s->snapshots_offset);
        }
        if (!opts->read_only && !opts->for_check) {
            return QCOW2_ERROR(errp, fn, "images with internal snapshots can only be opened "
                               "read-only");
        }
    }

    /* The rest of the first cluster: extensions and the backing file name. */
    uint8_t *hc = g_malloc(s->cluster_size);
    r = block_file_pread(bs->file, 0, hc, s->cluster_size);
    if (r < 0) {
        g_free(hc);
        return QCOW2_ERROR(errp, fn, "cannot read the header: %s", g_strerror(-r));
    }
    uint64_t backing_offset = qcow2_be64(h + QH_BACKING_OFFSET);
    uint32_t backing_len = qcow2_be32(h + QH_BACKING_SIZE);
    bool ok = true;
    if (backing_offset) {
        if (backing_len > QCOW2_MAX_BACKING_NAME || backing_offset > s->cluster_size ||
            backing_len > s->cluster_size - backing_offset ||
            backing_offset < s->header_length) {
            ok = QCOW2_ERROR(errp, fn, "backing file name (offset 0x%" G_GINT64_MODIFIER "x, "
                             "length %u) is invalid", backing_offset, backing_len);
        } else if (backing_len) {
            if (memchr(hc + backing_offset, 0, backing_len)) {
                ok = QCOW2_ERROR(errp, fn, "backing file name contains a NUL byte");
            }
            s->backing_file = g_strndup((const char *)hc + backing_offset, backing_len);
        }
    }
    uint64_t ext_end = backing_offset > s->header_length ? backing_offset : s->cluster_size;
    if (ok) {
        ok = parse_extensions(s, fn, hc, s->header_length, ext_end, errp);
    }
    g_free(hc);
    return ok;
}

static bool load_tables(BlockDev *bs, Qcow2State *s, GError **errp)
{
    int r = read_table(bs->file, s->l1_offset, s->l1_size, &s->l1);
    if (r == 0) {
        s->reftable_entries = ((uint64_t)s->reftable_clusters << s->cluster_bits) / 8;
        r = read_table(bs->file, s->reftable_offset, s->reftable_entries, &s->reftable);
    }
    if (r < 0) {
        return QCOW2_ERROR(errp, bs->filename, "cannot read the tables: %s", g_strerror(-r));
    }
    return true;
}

static char *resolve_backing(const char *image, const char *backing)
{
    if (g_path_is_absolute(backing)) {
        return g_strdup(backing);
    }
    char *dir = g_path_get_dirname(image);
    char *path = g_build_filename(dir, backing, NULL);
    g_free(dir);
    return path;
}

/* Writes an 8-byte header field. */
static int write_header_u64(BlockDev *bs, unsigned field, uint64_t v)
{
    uint8_t e[8];
    qcow2_put_be64(e, v);
    return block_file_pwrite(bs->file, field, e, 8);
}

static bool qcow2_open(BlockDev *bs, const BlockOpenOptions *opts, const BlockChain *chain,
                       GError **errp)
{
    Qcow2State *s = g_new0(Qcow2State, 1);
    bs->opaque = s;
    int64_t file_size = block_file_size(bs->file);
    if (file_size < 0) {
        g_set_error(errp, BLOCK_ERROR, (int)-file_size, "qcow2: %s: %s", bs->filename,
                    g_strerror((int)-file_size));
        goto fail;
    }
    if (!parse_header(bs, s, opts, (uint64_t)file_size, errp) || !load_tables(bs, s, errp)) {
        goto fail;
    }
    s->end_cluster = qcow2_size_to_clusters(s, (uint64_t)file_size);
    s->sync_metadata = bs->cache == BLOCK_CACHE_WRITEBACK || bs->cache == BLOCK_CACHE_NONE;
    if (!bs->read_only && s->version >= 3) {
        /* Features we do not keep up to date must not be trusted by others. */
        if (s->autoclear && write_header_u64(bs, QH_AUTOCLEAR, 0) < 0) {
            QCOW2_ERROR(errp, bs->filename, "cannot update the header");
            goto fail;
        }
        s->autoclear = 0;
        if (s->incompat & QCOW2_INCOMPAT_DIRTY) {
            /* Lazy refcounts were in use: rebuild them before writing. */
            BlockCheckResult res = { .messages = g_ptr_array_new_with_free_func(g_free) };
            bool ok = qcow2_check(bs, BLOCK_CHECK_REPAIR_ALL, &res, errp);
            g_ptr_array_free(res.messages, TRUE);
            if (!ok) {
                goto fail;
            }
            s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
            if (write_header_u64(bs, QH_INCOMPAT, s->incompat) < 0 ||
                block_file_flush(bs->file) < 0) {
                QCOW2_ERROR(errp, bs->filename, "cannot update the header");
                goto fail;
            }
        }
    }
    if (s->backing_file && !opts->no_backing) {
        if (chain->backing_override) {
            bs->backing = chain->backing_override;
        } else {
            char *path = resolve_backing(bs->filename, s->backing_file);
            bs->backing = block_open_backing(path, s->backing_format, bs->cache, chain, errp);
            g_free(path);
            if (!bs->backing) {
                goto fail;
            }
        }
    }
    return true;
fail:
    qcow2_free_state(s);
    bs->opaque = NULL;
    return false;
}

static void qcow2_get_info(BlockDev *bs, BlockInfo *info)
{
    Qcow2State *s = qcow2_state(bs);
    info->cluster_size = (uint32_t)s->cluster_size;
    info->qcow2_version = (int)s->version;
    info->backing_file = g_strdup(s->backing_file);
    info->backing_format = g_strdup(s->backing_format);
    info->dirty = (s->incompat & QCOW2_INCOMPAT_DIRTY) != 0;
    info->corrupt = (s->incompat & QCOW2_INCOMPAT_CORRUPT) != 0 || s->corrupt;
    info->refcount_bits = s->refcount_bits;
    info->lazy_refcounts = (s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS) != 0;
}

/* ---- Truncate ---- */

/* A bigger L1 table: the new one is written whole before the header points
 * at it; the old one is freed after. */
static int grow_l1(BlockDev *bs, uint64_t entries)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t bytes = (entries * 8 + s->cluster_size - 1) & ~(s->cluster_size - 1);
    entries = bytes / 8;
    if (entries > QCOW2_MAX_L1_BYTES / 8) {
        return -EFBIG;
    }
    int64_t off = qcow2_alloc_area(bs, bytes >> s->cluster_bits);
    if (off < 0) {
        return (int)off;
    }
    uint8_t *disk = g_malloc0(bytes);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        qcow2_put_be64(disk + 8 * i, s->l1[i]);
    }
    int r = block_file_pwrite(bs->file, (uint64_t)off, disk, bytes);
    g_free(disk);
    if (r == 0) {
        r = qcow2_sync_before_pointer(bs);
    }
    if (r == 0) {
        uint8_t hdr[12];
        qcow2_put_be32(hdr, (uint32_t)entries);
        qcow2_put_be64(hdr + 4, (uint64_t)off);
        r = block_file_pwrite(bs->file, QH_L1_SIZE, hdr, sizeof(hdr));
    }
    if (r < 0) {
        return r;
    }
    uint64_t old_offset = s->l1_offset;
    uint64_t old_clusters = qcow2_size_to_clusters(s, (uint64_t)s->l1_size * 8);
    uint64_t *l1 = g_new0(uint64_t, entries);
    memcpy(l1, s->l1, (size_t)s->l1_size * 8);
    g_free(s->l1);
    s->l1 = l1;
    s->l1_size = (uint32_t)entries;
    s->l1_offset = (uint64_t)off;
    for (uint64_t i = 0; i < old_clusters && r == 0; i++) {
        r = qcow2_free_cluster(bs, old_offset + (i << s->cluster_bits));
    }
    return r;
}

static int qcow2_truncate(BlockDev *bs, uint64_t size)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->corrupt) {
        return -EIO;
    }
    if (size > (1ull << 62)) {
        return -EFBIG;
    }
    int r = 0;
    if (size < bs->size) {
        /* Nothing past the new end may reappear if the image grows again. */
        uint64_t tail_end = MIN(bs->size, (size + s->cluster_size - 1) & ~(s->cluster_size - 1));
        if (tail_end > size) {
            r = qcow2_write_zeroes(bs, size, tail_end - size, false);
        }
        if (r == 0) {
            r = qcow2_unmap_from(bs, size);
        }
    } else {
        uint64_t need = qcow2_l1_entries_for(s->cluster_bits, size);
        if (need > s->l1_size) {
            r = grow_l1(bs, need);
        }
    }
    if (r == 0) {
        r = write_header_u64(bs, QH_SIZE, size);
    }
    if (r == 0) {
        bs->size = size;
    }
    return r;
}

/* ---- Create ---- */

static bool qcow2_create(const char *filename, const BlockCreateOptions *opts, GError **errp)
{
    uint64_t cs = opts->cluster_size ? opts->cluster_size : 65536;
    if (cs < 512 || cs > (2u << 20) || (cs & (cs - 1))) {
        return QCOW2_ERROR(errp, filename, "cluster size %" G_GUINT64_FORMAT " is invalid (a "
                           "power of two from 512 to 2M)", cs);
    }
    uint32_t cluster_bits = (uint32_t)__builtin_ctzll(cs);
    uint64_t size = opts->size;
    char *backing_format = g_strdup(opts->backing_format);
    if (opts->backing_file) {
        if (strlen(opts->backing_file) > QCOW2_MAX_BACKING_NAME ||
            (backing_format && strlen(backing_format) > QCOW2_MAX_BACKING_NAME)) {
            g_free(backing_format);
            return QCOW2_ERROR(errp, filename, "backing file name is too long");
        }
        /* The backing file must exist, and gives the size and format (its
         * own backing chain is not opened). */
        char *path = resolve_backing(filename, opts->backing_file);
        BlockOpenOptions bo = { .format = backing_format, .read_only = true, .no_backing = true };
        BlockDev *base = block_open(path, &bo, errp);
        g_free(path);
        if (!base) {
            g_free(backing_format);
            return false;
        }
        if (!size) {
            size = block_size(base);
        }
        if (!backing_format) {
            backing_format = g_strdup(block_format(base));
        }
        block_close(base);
    }
    uint64_t l1_entries = qcow2_l1_entries_for(cluster_bits, size);
    if (size > (1ull << 62) || l1_entries > QCOW2_MAX_L1_BYTES / 8) {
        g_free(backing_format);
        return QCOW2_ERROR(errp, filename, "size %" G_GUINT64_FORMAT " is too large", size);
    }
    /* Layout: header, refcount table, refcount blocks, L1 table. */
    uint64_t rb_entries = cs * 8 / 16;
    uint64_t l1_clusters = (l1_entries * 8 + cs - 1) / cs;
    uint64_t t = 1, rb = 1;
    for (;;) {
        uint64_t total = 1 + t + rb + l1_clusters;
        uint64_t rbn = (total + rb_entries - 1) / rb_entries;
        uint64_t tn = (rbn * 8 + cs - 1) / cs;
        if (rbn == rb && tn == t) {
            break;
        }
        rb = rbn;
        t = tn;
    }
    uint64_t total = 1 + t + rb + l1_clusters;
    uint8_t *meta = g_malloc0(total * cs);
    uint8_t *h = meta;
    qcow2_put_be32(h + QH_MAGIC, QCOW2_MAGIC);
    qcow2_put_be32(h + QH_VERSION, 3);
    qcow2_put_be32(h + QH_CLUSTER_BITS, cluster_bits);
    qcow2_put_be64(h + QH_SIZE, size);
    qcow2_put_be32(h + QH_L1_SIZE, (uint32_t)l1_entries);
    qcow2_put_be64(h + QH_L1_OFFSET, (1 + t + rb) * cs);
    qcow2_put_be64(h + QH_REFTABLE_OFFSET, cs);
    qcow2_put_be32(h + QH_REFTABLE_CLUSTERS, (uint32_t)t);
    qcow2_put_be32(h + QH_REFCOUNT_ORDER, 4);
    qcow2_put_be32(h + QH_HEADER_LENGTH, 112);  /* with the compression type byte, padded */
    uint64_t pos = 112;
    if (backing_format) {
        size_t n = strlen(backing_format);
        qcow2_put_be32(h + pos, QCOW2_EXT_BACKING_FORMAT);
        qcow2_put_be32(h + pos + 4, (uint32_t)n);
        memcpy(h + pos + 8, backing_format, n);
        pos += 8 + ((n + 7) & ~(size_t)7);
    }
    pos += 8; /* the end-of-extensions marker: zeroes */
    bool fits = true;
    if (opts->backing_file) {
        size_t n = strlen(opts->backing_file);
        fits = pos + n <= cs;
        if (fits) {
            qcow2_put_be64(h + QH_BACKING_OFFSET, pos);
            qcow2_put_be32(h + QH_BACKING_SIZE, (uint32_t)n);
            memcpy(h + pos, opts->backing_file, n);
        }
    }
    g_free(backing_format);
    if (!fits) {
        g_free(meta);
        return QCOW2_ERROR(errp, filename, "backing file name does not fit in one cluster");
    }
    for (uint64_t i = 0; i < rb; i++) {
        qcow2_put_be64(meta + cs + 8 * i, (1 + t + i) * cs);
    }
    for (uint64_t c = 0; c < total; c++) {
        uint8_t *block = meta + (1 + t + c / rb_entries) * cs;
        uint64_t idx = c % rb_entries;
        block[2 * idx + 1] = 1;  /* 16-bit big-endian refcount 1 */
    }
    BlockFile *f = block_file_create(filename, errp);
    if (!f) {
        g_free(meta);
        return false;
    }
    int r = block_file_pwrite(f, 0, meta, total * cs);
    if (r == 0) {
        r = block_file_flush(f);
    }
    block_file_close(f);
    g_free(meta);
    if (r < 0) {
        g_set_error(errp, BLOCK_ERROR, -r, "qcow2: %s: cannot write: %s", filename,
                    g_strerror(-r));
        return false;
    }
    return true;
}

static int qcow2_flush(BlockDev *bs)
{
    /* Metadata is written through as it changes: only the file needs a sync. */
    return qcow2_state(bs)->corrupt ? -EIO : 0;
}

const BlockDriver block_driver_qcow2 = {
    .name = "qcow2",
    .probe = qcow2_probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .pread = qcow2_pread,
    .pwrite = qcow2_pwrite,
    .flush = qcow2_flush,
    .discard = qcow2_discard,
    .write_zeroes = qcow2_write_zeroes,
    .truncate = qcow2_truncate,
    .create = qcow2_create,
    .get_info = qcow2_get_info,
    .check = qcow2_check,
};
