/*
 * qcow2 check and repair: count every reference to every host cluster
 * (header, L1 and refcount tables, refcount blocks, L2 tables, data and
 * compressed clusters, the snapshot table and the snapshots' tables) and
 * compare with the stored refcounts.  Stored higher than counted is a leak,
 * lower is a corruption, as are tables or clusters that are unaligned or
 * past the end of the file, and COPIED flags that disagree with refcount 1.
 * Repair rewrites refcounts (and, with "all", clears pointers that point
 * outside the file), then checks again so the result is the image's state.
 */
#include <errno.h>
#include <stdarg.h>

#include "block/qcow2.h"

typedef struct CheckState {
    BlockDev *bs;
    Qcow2State *s;
    BlockCheckResult *res;
    BlockCheckRepair repair;
    uint64_t nb_clusters;     /* clusters in the file */
    uint32_t *refs;           /* references counted per cluster */
    uint64_t repaired;
} CheckState;

static void report(CheckState *cs, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void report(CheckState *cs, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(cs->res->messages, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* One reference to each cluster of [offset, offset + len). */
static bool add_ref(CheckState *cs, uint64_t offset, uint64_t len, const char *what)
{
    Qcow2State *s = cs->s;
    if (len == 0) {
        return true;
    }
    uint64_t first = offset >> s->cluster_bits;
    uint64_t last = (offset + len - 1) >> s->cluster_bits;
    if (offset + len < offset || last >= cs->nb_clusters) {
        cs->res->corruptions++;
        report(cs, "ERROR %s at 0x%" G_GINT64_MODIFIER "x is past the end of the image file",
               what, offset);
        return false;
    }
    for (uint64_t c = first; c <= last; c++) {
        if (cs->refs[c] < UINT32_MAX) {
            cs->refs[c]++;
        }
    }
    return true;
}

static bool aligned(const Qcow2State *s, uint64_t offset)
{
    return (offset & (s->cluster_size - 1)) == 0;
}

static int write_be64(BlockDev *bs, uint64_t offset, uint64_t v)
{
    uint8_t e[8];
    qcow2_put_be64(e, v);
    return block_file_pwrite(bs->file, offset, e, 8);
}

/* Data clusters of one L2 table.  Returns the number of allocated ones. */
static uint64_t check_l2(CheckState *cs, uint64_t l2_offset, bool active)
{
    Qcow2State *s = cs->s;
    uint64_t entries = s->cluster_size / 8, allocated = 0;
    uint8_t *t = g_malloc(s->cluster_size);
    if (block_file_pread(cs->bs->file, l2_offset, t, s->cluster_size) < 0) {
        cs->res->check_errors++;
        report(cs, "ERROR cannot read the L2 table at 0x%" G_GINT64_MODIFIER "x", l2_offset);
        g_free(t);
        return 0;
    }
    for (uint64_t i = 0; i < entries; i++) {
        uint64_t e = qcow2_be64(t + 8 * i);
        Qcow2ClusterKind kind = qcow2_classify(s, e);
        if (kind == QCOW2_COMPRESSED) {
            uint32_t x = 62 - (s->cluster_bits - 8);
            uint64_t host = e & ((1ull << x) - 1);
            uint64_t sectors = ((e >> x) & ((1ull << (s->cluster_bits - 8)) - 1)) + 1;
            add_ref(cs, host & ~511ull, sectors * 512, "compressed cluster");
            allocated++;
            continue;
        }
        if (kind != QCOW2_NORMAL && kind != QCOW2_ZERO_ALLOC) {
            continue;
        }
        uint64_t off = e & QCOW2_OFFSET_MASK;
        bool ok = aligned(s, off);
        if (!ok) {
            cs->res->corruptions++;
            report(cs, "ERROR offset=0x%" G_GINT64_MODIFIER "x: data cluster is not "
                   "cluster-aligned; L2 entry corrupted", off);
        } else {
            ok = add_ref(cs, off, s->cluster_size, "data cluster");
        }
        if (!ok && active && cs->repair == BLOCK_CHECK_REPAIR_ALL) {
            /* Reads as zeroes from now on rather than through a bad pointer. */
            uint64_t fixed = s->version >= 3 ? QCOW2_OFLAG_ZERO : 0;
            if (write_be64(cs->bs, l2_offset + 8 * i, fixed) == 0) {
                cs->repaired++;
            }
            continue;
        }
        allocated += ok;
    }
    g_free(t);
    return allocated;
}

static void check_l1(CheckState *cs, uint64_t l1_offset, const uint64_t *l1, uint32_t l1_size,
                     bool active)
{
    Qcow2State *s = cs->s;
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2 = l1[i] & QCOW2_OFFSET_MASK;
        if (!l2) {
            continue;
        }
        bool ok = aligned(s, l2);
        if (!ok) {
            cs->res->corruptions++;
            report(cs, "ERROR l2_offset=0x%" G_GINT64_MODIFIER "x: L2 table is not "
                   "cluster-aligned; L1 entry corrupted", l2);
        } else {
            ok = add_ref(cs, l2, s->cluster_size, "L2 table");
        }
        if (!ok) {
            if (active && cs->repair == BLOCK_CHECK_REPAIR_ALL &&
                write_be64(cs->bs, l1_offset + 8 * i, 0) == 0) {
                cs->s->l1[i] = 0;
                cs->repaired++;
            }
            continue;
        }
        uint64_t n = check_l2(cs, l2, active);
        if (active) {
            cs->res->allocated_clusters += n;
        }
    }
}

/* Internal snapshots: their table and the tables they keep alive. */
static void check_snapshots(CheckState *cs)
{
    Qcow2State *s = cs->s;
    uint64_t pos = s->snapshots_offset;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint8_t h[40];
        if (block_file_pread(cs->bs->file, pos, h, sizeof(h)) < 0) {
            cs->res->check_errors++;
            break;
        }
        uint64_t l1_offset = qcow2_be64(h);
        uint32_t l1_size = qcow2_be32(h + 8);
        uint32_t id_len = (uint32_t)h[12] << 8 | h[13], name_len = (uint32_t)h[14] << 8 | h[15];
        uint32_t extra = qcow2_be32(h + 36);
        uint64_t entry_len = (40ull + extra + id_len + name_len + 7) & ~7ull;
        pos += entry_len;
        if (l1_size > QCOW2_MAX_L1_BYTES / 8 || !aligned(s, l1_offset)) {
            cs->res->corruptions++;
            report(cs, "ERROR snapshot %u has an invalid L1 table", i);
            continue;
        }
        if (!add_ref(cs, l1_offset, (uint64_t)l1_size * 8, "snapshot L1 table")) {
            continue;
        }
        uint64_t *l1 = g_new(uint64_t, l1_size ? l1_size : 1);
        if (block_file_pread(cs->bs->file, l1_offset, l1, (uint64_t)l1_size * 8) < 0) {
            cs->res->check_errors++;
        } else {
            for (uint32_t j = 0; j < l1_size; j++) {
                l1[j] = GUINT64_FROM_BE(l1[j]);
            }
            check_l1(cs, l1_offset, l1, l1_size, false);
        }
        g_free(l1);
    }
    /* The table is one run of clusters, counted once. */
    add_ref(cs, s->snapshots_offset, pos - s->snapshots_offset, "snapshot table");
}

/* The refcount table and blocks; fills stored[] with the stored refcounts. */
static void check_refcounts(CheckState *cs, uint64_t *stored, bool *has_block)
{
    Qcow2State *s = cs->s;
    add_ref(cs, s->reftable_offset, (uint64_t)s->reftable_clusters << s->cluster_bits,
            "refcount table");
    uint8_t *block = g_malloc(s->cluster_size);
    uint64_t per_block = 1ull << s->rb_bits;
    for (uint64_t rt = 0; rt < s->reftable_entries; rt++) {
        uint64_t off = s->reftable[rt] & QCOW2_REFTABLE_OFFSET_MASK;
        if (!off) {
            continue;
        }
        if (!aligned(s, off)) {
            cs->res->corruptions++;
            report(cs, "ERROR refcount block %" G_GUINT64_FORMAT " is not cluster-aligned", rt);
            continue;
        }
        if (!add_ref(cs, off, s->cluster_size, "refcount block")) {
            continue;
        }
        if (block_file_pread(cs->bs->file, off, block, s->cluster_size) < 0) {
            cs->res->check_errors++;
            continue;
        }
        for (uint64_t i = 0; i < per_block; i++) {
            uint64_t c = (rt << s->rb_bits) + i;
            if (c >= cs->nb_clusters) {
                break;
            }
            stored[c] = qcow2_refcount_entry(s, block, i);
            has_block[c] = true;
        }
    }
    g_free(block);
}

/* COPIED must be set exactly on clusters whose refcount is 1. */
static void check_copied(CheckState *cs)
{
    Qcow2State *s = cs->s;
    uint8_t *t = g_malloc(s->cluster_size);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2 = s->l1[i] & QCOW2_OFFSET_MASK;
        if (!l2 || !aligned(s, l2) || (l2 >> s->cluster_bits) >= cs->nb_clusters) {
            continue;
        }
        bool want = cs->refs[l2 >> s->cluster_bits] == 1;
        if (want != !!(s->l1[i] & QCOW2_OFLAG_COPIED)) {
            cs->res->corruptions++;
            report(cs, "ERROR OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=0x%"
                   G_GINT64_MODIFIER "x", i, s->l1[i]);
            uint64_t fixed = want ? s->l1[i] | QCOW2_OFLAG_COPIED : s->l1[i] & ~QCOW2_OFLAG_COPIED;
            if (cs->repair == BLOCK_CHECK_REPAIR_ALL &&
                write_be64(cs->bs, s->l1_offset + 8 * i, fixed) == 0) {
                s->l1[i] = fixed;
                cs->repaired++;
            }
        }
        if (block_file_pread(cs->bs->file, l2, t, s->cluster_size) < 0) {
            continue;
        }
        for (uint64_t j = 0; j < s->cluster_size / 8; j++) {
            uint64_t e = qcow2_be64(t + 8 * j);
            Qcow2ClusterKind kind = qcow2_classify(s, e);
            uint64_t off = e & QCOW2_OFFSET_MASK;
            if ((kind != QCOW2_NORMAL && kind != QCOW2_ZERO_ALLOC) || !aligned(s, off) ||
                (off >> s->cluster_bits) >= cs->nb_clusters) {
                continue;
            }
            bool want_data = cs->refs[off >> s->cluster_bits] == 1;
            if (want_data != !!(e & QCOW2_OFLAG_COPIED)) {
                cs->res->corruptions++;
                report(cs, "ERROR OFLAG_COPIED data cluster: l2_entry=0x%" G_GINT64_MODIFIER "x",
                       e);
                uint64_t fixed = want_data ? e | QCOW2_OFLAG_COPIED : e & ~QCOW2_OFLAG_COPIED;
                if (cs->repair == BLOCK_CHECK_REPAIR_ALL &&
                    write_be64(cs->bs, l2 + 8 * j, fixed) == 0) {
                    cs->repaired++;
                }
            }
        }
    }
    g_free(t);
}

static void compare_refcounts(CheckState *cs, const uint64_t *stored, const bool *has_block)
{
    Qcow2State *s = cs->s;
    uint64_t max_refcount = s->refcount_bits == 64 ? UINT64_MAX : (1ull << s->refcount_bits) - 1;
    for (uint64_t c = 0; c < cs->nb_clusters; c++) {
        uint64_t want = cs->refs[c];
        if (stored[c] || want) {
            cs->res->image_end_offset = (c + 1) << s->cluster_bits;
        }
        if (stored[c] == want) {
            continue;
        }
        bool leak = stored[c] > want;
        if (leak) {
            cs->res->leaks++;
            report(cs, "Leaked cluster %" G_GUINT64_FORMAT " refcount=%" G_GUINT64_FORMAT
                   " reference=%" G_GUINT64_FORMAT, c, stored[c], want);
        } else {
            cs->res->corruptions++;
            report(cs, "ERROR cluster %" G_GUINT64_FORMAT " refcount=%" G_GUINT64_FORMAT
                   " reference=%" G_GUINT64_FORMAT, c, stored[c], want);
        }
        bool fix = cs->repair == BLOCK_CHECK_REPAIR_ALL ||
                   (leak && cs->repair == BLOCK_CHECK_REPAIR_LEAKS);
        if (fix && has_block[c] && want <= max_refcount &&
            qcow2_set_refcount(cs->bs, c, want) == 0) {
            cs->repaired++;
        }
    }
}

static bool check_once(BlockDev *bs, BlockCheckRepair repair, BlockCheckResult *res,
                       uint64_t *repaired, GError **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int64_t file_size = block_file_size(bs->file);
    if (file_size < 0) {
        g_set_error(errp, BLOCK_ERROR, (int)-file_size, "qcow2: %s: %s", bs->filename,
                    g_strerror((int)-file_size));
        return false;
    }
    CheckState cs = {
        .bs = bs, .s = s, .res = res, .repair = repair,
        .nb_clusters = qcow2_size_to_clusters(s, (uint64_t)file_size),
    };
    cs.refs = g_try_new0(uint32_t, cs.nb_clusters ? cs.nb_clusters : 1);
    uint64_t *stored = g_try_new0(uint64_t, cs.nb_clusters ? cs.nb_clusters : 1);
    bool *has_block = g_try_new0(bool, cs.nb_clusters ? cs.nb_clusters : 1);
    if (!cs.refs || !stored || !has_block) {
        g_free(cs.refs);
        g_free(stored);
        g_free(has_block);
        g_set_error(errp, BLOCK_ERROR, ENOMEM, "qcow2: %s: out of memory for the check",
                    bs->filename);
        return false;
    }
    res->total_clusters = qcow2_size_to_clusters(s, bs->size);
    add_ref(&cs, 0, s->cluster_size, "header");
    add_ref(&cs, s->l1_offset, (uint64_t)s->l1_size * 8, "L1 table");
    check_l1(&cs, s->l1_offset, s->l1, s->l1_size, true);
    if (s->nb_snapshots) {
        check_snapshots(&cs);
    }
    check_refcounts(&cs, stored, has_block);
    check_copied(&cs);
    compare_refcounts(&cs, stored, has_block);
    *repaired = cs.repaired;
    g_free(cs.refs);
    g_free(stored);
    g_free(has_block);
    return true;
}

bool qcow2_check(BlockDev *bs, BlockCheckRepair repair, BlockCheckResult *res, GError **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t repaired = 0;
    if (!bs->read_only && !s->corrupt) {
        qcow2_release_reserve(bs);  /* else they would count as leaks */
    }
    if (!check_once(bs, repair, res, &repaired, errp)) {
        return false;
    }
    if (repair == BLOCK_CHECK_NO_REPAIR) {
        return true;
    }
    /* Check again: the result describes the image as it is now. */
    qcow2_cache_free(&s->l2_cache);
    qcow2_cache_free(&s->rb_cache);
    GPtrArray *messages = res->messages;
    memset(res, 0, sizeof(*res));
    res->messages = messages;
    g_ptr_array_set_size(messages, 0);
    if (repaired) {
        g_ptr_array_add(messages, g_strdup_printf("Repaired %" G_GUINT64_FORMAT
                                                  " inconsistencies", repaired));
    }
    uint64_t again;
    if (!check_once(bs, BLOCK_CHECK_NO_REPAIR, res, &again, errp)) {
        return false;
    }
    if (res->corruptions == 0 && repair == BLOCK_CHECK_REPAIR_ALL &&
        (s->incompat & QCOW2_INCOMPAT_CORRUPT) && s->version >= 3) {
        uint8_t e[8];
        qcow2_put_be64(e, s->incompat & ~QCOW2_INCOMPAT_CORRUPT);
        if (block_file_pwrite(bs->file, QH_INCOMPAT, e, 8) == 0) {
            s->incompat &= ~QCOW2_INCOMPAT_CORRUPT;
            s->corrupt = false;
        }
    }
    if (repaired) {
        block_file_flush(bs->file);
    }
    return true;
}
