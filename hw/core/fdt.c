/*
 * Device tree builder and -dtb loading (include/rove/fdt.h) over libfdt.
 *
 * The blob is written with libfdt's sequential-write calls into a buffer
 * that starts small and doubles (fdt_resize) whenever libfdt answers
 * -FDT_ERR_NOSPACE, up to DTB_MAX_SIZE.  libfdt checks space before it
 * changes anything, so a call that failed for space is simply retried.
 * The first error of any kind sticks (b->err) and turns every later call
 * into a no-op; dtb_finish reports it.
 */
#include <inttypes.h>
#include <libfdt.h>
#include <string.h>

#include "rove/fdt.h"
#include "rove/loader.h"

G_DEFINE_QUARK(rove-dtb-error-quark, dtb_error)

#define DTB_INITIAL_SIZE 4096u

struct DtbBuilder {
    uint8_t *fdt;
    size_t size;           /* bytes allocated at fdt */
    GError *err;           /* the first error, or NULL */
    bool reserve_done;     /* fdt_finish_reservemap has been called */
    bool root_done;        /* the root node has been ended */
    unsigned depth;        /* nodes begun and not ended */
    uint32_t last_phandle;
};

static void dtb_fail(DtbBuilder *b, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void dtb_fail(DtbBuilder *b, const char *fmt, ...)
{
    if (b->err) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    b->err = g_error_new_literal(DTB_ERROR, 0, msg);
    g_free(msg);
}

/*
 * Called with a libfdt result: true means "grown, call again".  Any other
 * error is recorded.
 */
static bool dtb_retry(DtbBuilder *b, int r, const char *what, const char *name)
{
    if (r == 0) {
        return false;
    }
    if (r != -FDT_ERR_NOSPACE) {
        dtb_fail(b, "device tree: %s '%s': %s", what, name, fdt_strerror(r));
        return false;
    }
    if (b->size >= DTB_MAX_SIZE) {
        dtb_fail(b, "device tree: larger than %" PRIu32 " bytes at %s '%s'", DTB_MAX_SIZE,
                 what, name);
        return false;
    }
    size_t nsize = MIN(b->size * 2, (size_t)DTB_MAX_SIZE);
    uint8_t *nbuf = g_malloc0(nsize);
    r = fdt_resize(b->fdt, nbuf, (int)nsize);
    if (r != 0) {
        g_free(nbuf);
        dtb_fail(b, "device tree: resize failed: %s", fdt_strerror(r));
        return false;
    }
    g_free(b->fdt);
    b->fdt = nbuf;
    b->size = nsize;
    return true;
}

DtbBuilder *dtb_new(void)
{
    DtbBuilder *b = g_new0(DtbBuilder, 1);
    b->size = DTB_INITIAL_SIZE;
    b->fdt = g_malloc0(b->size);
    int r = fdt_create(b->fdt, (int)b->size);
    if (r != 0) {
        dtb_fail(b, "device tree: create failed: %s", fdt_strerror(r));
    }
    return b;
}

void dtb_free(DtbBuilder *b)
{
    if (b) {
        g_free(b->fdt);
        g_clear_error(&b->err);
        g_free(b);
    }
}

void dtb_add_reserve(DtbBuilder *b, uint64_t addr, uint64_t size)
{
    if (b->err) {
        return;
    }
    if (b->reserve_done) {
        dtb_fail(b, "device tree: reserve-map entry added after the first node");
        return;
    }
    while (dtb_retry(b, fdt_add_reservemap_entry(b->fdt, addr, size), "reserve", "map")) {
    }
}

void dtb_begin_node(DtbBuilder *b, const char *name)
{
    if (b->err) {
        return;
    }
    if (!b->reserve_done) {
        while (dtb_retry(b, fdt_finish_reservemap(b->fdt), "reserve", "map")) {
        }
        b->reserve_done = true;
    }
    if (b->depth == 0 && b->root_done) {
        dtb_fail(b, "device tree: node '%s' begun after the root node ended", name);
        return;
    }
    while (dtb_retry(b, fdt_begin_node(b->fdt, name), "node", name)) {
    }
    if (!b->err) {
        b->depth++;
    }
}

void dtb_begin_node_addr(DtbBuilder *b, const char *name, uint64_t addr)
{
    char *full = g_strdup_printf("%s@%" PRIx64, name, addr);
    dtb_begin_node(b, full);
    g_free(full);
}

void dtb_end_node(DtbBuilder *b)
{
    if (b->err) {
        return;
    }
    if (b->depth == 0) {
        dtb_fail(b, "device tree: end of a node that was not begun");
        return;
    }
    while (dtb_retry(b, fdt_end_node(b->fdt), "end of", "node")) {
    }
    if (!b->err && --b->depth == 0) {
        b->root_done = true;
    }
}

void dtb_prop_bytes(DtbBuilder *b, const char *name, const void *data, size_t len)
{
    if (b->err) {
        return;
    }
    if (b->depth == 0) {
        dtb_fail(b, "device tree: property '%s' outside a node", name);
        return;
    }
    if (len > DTB_MAX_SIZE) {
        dtb_fail(b, "device tree: property '%s' is too large (%zu bytes)", name, len);
        return;
    }
    while (dtb_retry(b, fdt_property(b->fdt, name, data, (int)len), "property", name)) {
    }
}

void dtb_prop_empty(DtbBuilder *b, const char *name)
{
    dtb_prop_bytes(b, name, NULL, 0);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void dtb_prop_u32(DtbBuilder *b, const char *name, uint32_t value)
{
    dtb_prop_cells(b, name, &value, 1);
}

void dtb_prop_u64(DtbBuilder *b, const char *name, uint64_t value)
{
    uint32_t cells[2] = { (uint32_t)(value >> 32), (uint32_t)value };
    dtb_prop_cells(b, name, cells, 2);
}

void dtb_prop_cells(DtbBuilder *b, const char *name, const uint32_t *cells, size_t n)
{
    if (b->err) {
        return;
    }
    if (n > DTB_MAX_SIZE / 4) {
        dtb_fail(b, "device tree: property '%s' has too many cells (%zu)", name, n);
        return;
    }
    uint8_t *buf = g_malloc(n ? n * 4 : 1);
    for (size_t i = 0; i < n; i++) {
        put_be32(buf + 4 * i, cells[i]);
    }
    dtb_prop_bytes(b, name, buf, n * 4);
    g_free(buf);
}

void dtb_prop_string(DtbBuilder *b, const char *name, const char *value)
{
    dtb_prop_bytes(b, name, value, strlen(value) + 1);
}

void dtb_prop_strings(DtbBuilder *b, const char *name, const char *const *list, size_t n)
{
    if (b->err) {
        return;
    }
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        g_string_append_len(s, list[i], (gssize)strlen(list[i]) + 1);
    }
    dtb_prop_bytes(b, name, s->str, s->len);
    g_string_free(s, TRUE);
}

void dtb_prop_reg(DtbBuilder *b, const char *name, unsigned addr_cells, unsigned size_cells,
                  const uint64_t *pairs, size_t npairs)
{
    if (b->err) {
        return;
    }
    if (addr_cells < 1 || addr_cells > 2 || size_cells > 2) {
        dtb_fail(b, "device tree: property '%s': unsupported #address-cells %u / "
                 "#size-cells %u", name, addr_cells, size_cells);
        return;
    }
    if (npairs > DTB_MAX_SIZE / 16) {
        dtb_fail(b, "device tree: property '%s' has too many entries (%zu)", name, npairs);
        return;
    }
    unsigned per = addr_cells + size_cells;
    uint32_t *cells = g_new(uint32_t, npairs * per + 1);
    size_t n = 0;
    for (size_t i = 0; i < npairs; i++) {
        for (unsigned part = 0; part < 2; part++) {
            uint64_t v = pairs[2 * i + part];
            unsigned nc = part == 0 ? addr_cells : size_cells;
            if (nc < 2 && v >> (32 * nc) != 0) {
                dtb_fail(b, "device tree: property '%s': 0x%" PRIx64 " does not fit in %u "
                         "cell(s)", name, v, nc);
                g_free(cells);
                return;
            }
            if (nc == 2) {
                cells[n++] = (uint32_t)(v >> 32);
            }
            if (nc >= 1) {
                cells[n++] = (uint32_t)v;
            }
        }
    }
    dtb_prop_cells(b, name, cells, n);
    g_free(cells);
}

uint32_t dtb_alloc_phandle(DtbBuilder *b)
{
    if (b->last_phandle >= FDT_MAX_PHANDLE) {
        dtb_fail(b, "device tree: out of phandles");
        return 0;
    }
    return ++b->last_phandle;
}

void dtb_prop_phandle(DtbBuilder *b, uint32_t phandle)
{
    if (phandle == 0 || phandle > FDT_MAX_PHANDLE) {
        dtb_fail(b, "device tree: invalid phandle 0x%" PRIx32, phandle);
        return;
    }
    dtb_prop_u32(b, "phandle", phandle);
}

void *dtb_finish(DtbBuilder *b, size_t *size, GError **errp)
{
    if (!b->err && (!b->root_done || b->depth != 0)) {
        dtb_fail(b, "device tree: %u node(s) not ended, or no root node", b->depth);
    }
    if (!b->err) {
        while (dtb_retry(b, fdt_finish(b->fdt), "finish", "tree")) {
        }
    }
    if (b->err) {
        g_propagate_error(errp, b->err);
        b->err = NULL;
        dtb_free(b);
        return NULL;
    }
    size_t total = fdt_totalsize(b->fdt);
    g_assert(total <= b->size);
    void *blob = g_realloc(b->fdt, total);
    b->fdt = NULL;
    dtb_free(b);
    *size = total;
    return blob;
}

/* ---- Loading ---- */

bool dtb_check_blob(const char *name, const void *blob, size_t size, GError **errp)
{
    if (size < sizeof(struct fdt_header)) {
        g_set_error(errp, DTB_ERROR, 0, "%s: too small for a device tree (%zu bytes)", name,
                    size);
        return false;
    }
    if (size > DTB_MAX_SIZE) {
        g_set_error(errp, DTB_ERROR, 0, "%s: device tree larger than %" PRIu32 " bytes",
                    name, DTB_MAX_SIZE);
        return false;
    }
    /* fdt_check_header reads totalsize; it must not claim more than we have. */
    if (fdt_totalsize(blob) > size) {
        g_set_error(errp, DTB_ERROR, 0, "%s: device tree header claims %" PRIu32 " bytes, "
                    "file has %zu", name, (uint32_t)fdt_totalsize(blob), size);
        return false;
    }
    int r = fdt_check_header(blob);
    if (r != 0) {
        g_set_error(errp, DTB_ERROR, 0, "%s: not a valid device tree: %s", name,
                    fdt_strerror(r));
        return false;
    }
    /* Walk the whole structure block so a corrupt body is caught here. */
    r = fdt_check_full(blob, size);
    if (r != 0) {
        g_set_error(errp, DTB_ERROR, 0, "%s: corrupt device tree: %s", name,
                    fdt_strerror(r));
        return false;
    }
    return true;
}

void *dtb_load_file(const char *path, size_t *size, GError **errp)
{
    size_t len;
    uint8_t *data = loader_read_file(path, DTB_MAX_SIZE, &len, errp);
    if (!data) {
        return NULL;
    }
    if (!dtb_check_blob(path, data, len, errp)) {
        g_free(data);
        return NULL;
    }
    *size = len;
    return data;
}
