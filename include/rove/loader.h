/*
 * Loaders: put a firmware, kernel or initrd from a host file into guest
 * memory before the machine starts (rules and rationale: docs/memory.md,
 * "Loaders").
 *
 * Every loader reads the whole file first, validates every header field
 * and offset against the file's size (no sum may wrap), checks that every
 * destination byte lands in RAM or ROM of the address space, and only then
 * writes (through address_space_write_rom, so ROM is filled too).  A bad
 * file therefore writes nothing and fails with a one-line GError in the
 * LOADER_ERROR domain that names the file and the reason.
 *
 * Each loader has a _buffer variant that takes the file's bytes and a name
 * to use in messages (for tests, and for images already in memory).
 */
#ifndef ROVE_LOADER_H
#define ROVE_LOADER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rove/memory.h"

#define LOADER_ERROR (loader_error_quark())
GQuark loader_error_quark(void);

typedef enum LoaderErrorCode {
    LOADER_ERROR_IO,      /* the file cannot be opened or read */
    LOADER_ERROR_FORMAT,  /* the contents are not what the loader accepts */
    LOADER_ERROR_PLACE,   /* part of the destination is not RAM or ROM */
} LoaderErrorCode;

/* Files larger than this are refused before they are read. */
#define LOADER_MAX_FILE_SIZE (UINT64_C(1) << 31)

/*
 * Reads a whole regular file of at most max_size bytes into a new buffer
 * (g_free it).  An empty file gives a non-NULL buffer and *size 0.
 */
uint8_t *loader_read_file(const char *path, uint64_t max_size, size_t *size, GError **errp);

/*
 * The number of bytes from addr onwards, at most `limit`, that are backed
 * by RAM or ROM without a gap (0 if addr itself is not).
 */
uint64_t loader_ram_span(AddressSpace *as, uint64_t addr, uint64_t limit);

/* ---- ELF ---- */

typedef struct LoaderElfInfo {
    uint64_t entry;   /* e_entry */
    uint64_t low;     /* lowest p_paddr of a loaded segment */
    uint64_t high;    /* one past the highest byte (p_paddr + p_memsz) loaded */
} LoaderElfInfo;

/*
 * An ELF64 little-endian RISC-V executable (ET_EXEC, or ET_DYN such as a
 * position-independent OpenSBI, which is not relocated): every PT_LOAD
 * segment goes to its physical address p_paddr, p_filesz bytes from the
 * file and zeros up to p_memsz.  Segments with p_memsz 0 are skipped.
 */
bool loader_load_elf(AddressSpace *as, const char *path, LoaderElfInfo *info, GError **errp);
bool loader_load_elf_buffer(AddressSpace *as, const char *name, const uint8_t *data,
                            size_t size, LoaderElfInfo *info, GError **errp);

/* ---- Raw images ---- */

/* The file's bytes at addr; *size (may be NULL) gets how many. */
bool loader_load_raw(AddressSpace *as, const char *path, uint64_t addr, uint64_t *size,
                     GError **errp);
bool loader_load_raw_buffer(AddressSpace *as, const char *name, const uint8_t *data,
                            size_t size, uint64_t addr, GError **errp);

/* An initrd at addr; *end gets addr + its size (where the DT's initrd-end goes). */
bool loader_load_initrd(AddressSpace *as, const char *path, uint64_t addr, uint64_t *end,
                        GError **errp);

/* ---- RISC-V Linux Image (Documentation/arch/riscv/boot-image-header.rst) ---- */

#define RISCV_IMAGE_HEADER_SIZE 64
#define RISCV_IMAGE_ALIGN (UINT64_C(2) << 20)   /* rv64 kernels need 2 MiB */

typedef struct LoaderImageInfo {
    uint64_t load_addr;   /* where the Image starts (also its entry point) */
    uint64_t end;         /* load_addr + max(image_size, file size) */
    uint64_t text_offset; /* from the header */
    uint64_t image_size;  /* from the header: what the kernel occupies, bss included */
} LoaderImageInfo;

/*
 * A RISC-V Linux Image: loaded at ram_base + text_offset rounded up to
 * RISCV_IMAGE_ALIGN.  The whole of image_size (not only the file) must be
 * RAM, since the kernel uses it for its bss before it knows the memory map.
 */
bool loader_load_linux_image(AddressSpace *as, const char *path, uint64_t ram_base,
                             LoaderImageInfo *info, GError **errp);
bool loader_load_linux_image_buffer(AddressSpace *as, const char *name, const uint8_t *data,
                                    size_t size, uint64_t ram_base, LoaderImageInfo *info,
                                    GError **errp);

#endif /* ROVE_LOADER_H */
