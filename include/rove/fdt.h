/*
 * Device trees: a small builder over libfdt's sequential-write API, which
 * a machine uses to describe itself to firmware and kernel, and loading of
 * a user-supplied blob (-dtb FILE).  See docs/memory.md, "Device trees".
 *
 * The builder keeps a sticky error: after the first failure (libfdt error,
 * a blob that would pass DTB_MAX_SIZE, a value that does not fit its cells,
 * nodes not balanced) every call does nothing, and dtb_finish reports that
 * first error.  So a machine can emit its whole tree and check once.
 * Names here are dtb_* so they never collide with libfdt's fdt_*.
 */
#ifndef ROVE_FDT_H
#define ROVE_FDT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTB_ERROR (dtb_error_quark())
GQuark dtb_error_quark(void);

/* A blob (built or loaded) may not be larger than this. */
#define DTB_MAX_SIZE (UINT32_C(1) << 24)

typedef struct DtbBuilder DtbBuilder;

DtbBuilder *dtb_new(void);
/* Frees a builder that will not be finished (dtb_finish frees it too). */
void dtb_free(DtbBuilder *b);

/* Nodes: the first node begun is the root, named "". */
void dtb_begin_node(DtbBuilder *b, const char *name);
/* "name@<addr in lower-case hex>", e.g. dtb_begin_node_addr(b, "memory", 0x80000000). */
void dtb_begin_node_addr(DtbBuilder *b, const char *name, uint64_t addr);
void dtb_end_node(DtbBuilder *b);

/* Properties of the node begun last.  Cells are stored big-endian. */
void dtb_prop_empty(DtbBuilder *b, const char *name);
void dtb_prop_bytes(DtbBuilder *b, const char *name, const void *data, size_t len);
void dtb_prop_u32(DtbBuilder *b, const char *name, uint32_t value);
void dtb_prop_u64(DtbBuilder *b, const char *name, uint64_t value);
void dtb_prop_cells(DtbBuilder *b, const char *name, const uint32_t *cells, size_t n);
void dtb_prop_string(DtbBuilder *b, const char *name, const char *value);
/* A string list ("compatible"): n strings, each with its NUL. */
void dtb_prop_strings(DtbBuilder *b, const char *name, const char *const *list, size_t n);
/*
 * (address, size) pairs, each value in addr_cells / size_cells cells
 * (1 or 2; size_cells may be 0 for "reg" of CPUs).  A value that does not
 * fit its cells is an error.
 */
void dtb_prop_reg(DtbBuilder *b, const char *name, unsigned addr_cells, unsigned size_cells,
                  const uint64_t *pairs, size_t npairs);

/* A fresh phandle (1, 2, ...) for a node that others will reference. */
uint32_t dtb_alloc_phandle(DtbBuilder *b);
/* The node's "phandle" property. */
void dtb_prop_phandle(DtbBuilder *b, uint32_t phandle);

/* Reserve-map entries must come before the first node. */
void dtb_add_reserve(DtbBuilder *b, uint64_t addr, uint64_t size);

/*
 * Ends the tree and frees the builder.  Returns the blob (g_free it) and
 * its size, or NULL with the builder's first error.
 */
void *dtb_finish(DtbBuilder *b, size_t *size, GError **errp);

/*
 * A device tree blob from a file: at most DTB_MAX_SIZE bytes, passing
 * fdt_check_header, its totalsize no larger than the file.  Errors name
 * the file.  The returned buffer (g_free it) is the file's contents.
 */
void *dtb_load_file(const char *path, size_t *size, GError **errp);
/* The same checks on bytes in memory. */
bool dtb_check_blob(const char *name, const void *blob, size_t size, GError **errp);

#endif /* ROVE_FDT_H */
