/*
 * Loaders (include/rove/loader.h): ELF64 RISC-V executables, raw binaries,
 * initrds and RISC-V Linux Images, from a host file into an AddressSpace.
 *
 * Invariants: nothing is written to guest memory until the whole file has
 * been validated; every file offset is checked as `off <= size && len <=
 * size - off` (never `off + len <= size`, which can wrap); every guest range
 * is checked as `len - 1 <= UINT64_MAX - addr` before its last byte is
 * computed, and then walked with address_space_translate to make sure it is
 * all RAM/ROM.  Header fields are read byte by byte as little-endian, so the
 * host's byte order and the buffer's alignment do not matter.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rove/loader.h"

G_DEFINE_QUARK(rove-loader-error-quark, loader_error)

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

/* [off, off + len) lies inside a buffer of `size` bytes. */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/* ---- Files ---- */

uint8_t *loader_read_file(const char *path, uint64_t max_size, size_t *size, GError **errp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_IO, "%s: cannot open: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_IO, "%s: cannot stat: %s", path,
                    g_strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_IO, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max_size || (uint64_t)st.st_size > SIZE_MAX) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_IO,
                    "%s: too large (%lld bytes, at most %" PRIu64 ")", path,
                    (long long)st.st_size, max_size);
        close(fd);
        return NULL;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = g_try_malloc(len ? len : 1);
    if (!buf) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_IO, "%s: out of memory (%zu bytes)",
                    path, len);
        close(fd);
        return NULL;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_set_error(errp, LOADER_ERROR, LOADER_ERROR_IO, "%s: read failed: %s", path,
                        n < 0 ? g_strerror(errno) : "file shrank while being read");
            g_free(buf);
            close(fd);
            return NULL;
        }
        done += (size_t)n;
    }
    close(fd);
    *size = len;
    return buf;
}

/* ---- Destinations ---- */

uint64_t loader_ram_span(AddressSpace *as, uint64_t addr, uint64_t limit)
{
    uint64_t done = 0;
    /* Each step moves past one flat range, so this ends. */
    while (done < limit) {
        MemoryTranslation t;
        if (!address_space_translate(as, addr + done, &t) || !t.host) {
            break;
        }
        uint64_t step = MIN(t.len, limit - done);
        done += step;
        if (addr + done == 0) {
            break; /* reached the top of the 64-bit space */
        }
    }
    return done;
}

/*
 * Checks that [addr, addr + len) neither wraps past 2^64 nor leaves
 * RAM/ROM.  `what` names the piece in the message ("segment 2").
 */
static bool check_dest(AddressSpace *as, const char *name, const char *what, uint64_t addr,
                       uint64_t len, GError **errp)
{
    if (len == 0) {
        return true;
    }
    if (len - 1 > UINT64_MAX - addr) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s: %s at 0x%" PRIx64 " (0x%" PRIx64 " bytes) wraps past the end of "
                    "the address space", name, what, addr, len);
        return false;
    }
    uint64_t ok = loader_ram_span(as, addr, len);
    if (ok < len) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s: %s [0x%" PRIx64 ", 0x%" PRIx64 "] is not all RAM/ROM "
                    "(0x%" PRIx64 " is not)", name, what, addr, addr + (len - 1), addr + ok);
        return false;
    }
    return true;
}

/* Writes data then `zeros` zero bytes; the range was checked by check_dest. */
static bool write_dest(AddressSpace *as, const char *name, uint64_t addr, const uint8_t *data,
                       uint64_t len, uint64_t zeros, GError **errp)
{
    static const uint8_t zero_page[4096];
    MemTxResult r = address_space_write_rom(as, addr, data, len);
    uint64_t off = len;
    while (r == MEMTX_OK && zeros > 0) {
        uint64_t n = MIN(zeros, sizeof(zero_page));
        r = address_space_write_rom(as, addr + off, zero_page, n);
        off += n;
        zeros -= n;
    }
    if (r != MEMTX_OK) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s: writing guest memory at 0x%" PRIx64 " failed", name, addr);
        return false;
    }
    return true;
}

/* ---- ELF ---- */

enum {
    EHDR_SIZE = 64,
    PHDR_SIZE = 56,
    ELFCLASS64 = 2,
    ELFDATA2LSB = 1,
    EV_CURRENT = 1,
    ET_EXEC = 2,
    ET_DYN = 3,
    EM_RISCV = 243,
    PT_LOAD = 1,
    PN_XNUM = 0xffff,
};

typedef struct Phdr {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz;
} Phdr;

static Phdr read_phdr(const uint8_t *p)
{
    return (Phdr){
        .type = get32(p),
        .offset = get64(p + 8),
        .paddr = get64(p + 24),
        .filesz = get64(p + 32),
        .memsz = get64(p + 40),
    };
}

static bool elf_check_header(const char *name, const uint8_t *d, size_t size, GError **errp)
{
    const char *why = NULL;
    if (size < 4 || memcmp(d, "\177ELF", 4) != 0) {
        why = "not an ELF file (bad magic)";
    } else if (size < EHDR_SIZE) {
        why = "truncated ELF header";
    } else if (d[4] != ELFCLASS64) {
        why = "not a 64-bit ELF file";
    } else if (d[5] != ELFDATA2LSB) {
        why = "not a little-endian ELF file";
    } else if (d[6] != EV_CURRENT || get32(d + 20) != EV_CURRENT) {
        why = "unknown ELF version";
    } else if (get16(d + 16) != ET_EXEC && get16(d + 16) != ET_DYN) {
        why = "not an executable ELF file (e_type is not ET_EXEC or ET_DYN)";
    } else if (get16(d + 18) != EM_RISCV) {
        why = "not a RISC-V ELF file (e_machine is not EM_RISCV)";
    } else if (get16(d + 52) != EHDR_SIZE) {
        why = "bad e_ehsize";
    } else if (get16(d + 54) != PHDR_SIZE) {
        why = "bad e_phentsize";
    } else if (get16(d + 56) == 0) {
        why = "no program headers";
    } else if (get16(d + 56) == PN_XNUM) {
        why = "too many program headers (PN_XNUM is not supported)";
    } else if (!in_file(get64(d + 32), (uint64_t)get16(d + 56) * PHDR_SIZE, size)) {
        why = "program headers (e_phoff, e_phnum) past the end of the file";
    }
    if (why) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT, "%s: %s", name, why);
        return false;
    }
    return true;
}

bool loader_load_elf_buffer(AddressSpace *as, const char *name, const uint8_t *data,
                            size_t size, LoaderElfInfo *info, GError **errp)
{
    if (!elf_check_header(name, data, size, errp)) {
        return false;
    }
    uint64_t phoff = get64(data + 32);
    unsigned phnum = get16(data + 56);
    uint64_t low = UINT64_MAX, high = 0;
    unsigned loads = 0;

    /* Pass 1: validate every segment; nothing is written yet. */
    for (unsigned i = 0; i < phnum; i++) {
        Phdr ph = read_phdr(data + phoff + (uint64_t)i * PHDR_SIZE);
        if (ph.type != PT_LOAD || ph.memsz == 0) {
            continue;
        }
        char what[32];
        g_snprintf(what, sizeof(what), "segment %u", i);
        if (ph.filesz > ph.memsz) {
            g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT,
                        "%s: %s has p_filesz 0x%" PRIx64 " > p_memsz 0x%" PRIx64, name, what,
                        ph.filesz, ph.memsz);
            return false;
        }
        if (!in_file(ph.offset, ph.filesz, size)) {
            g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT,
                        "%s: %s file range (offset 0x%" PRIx64 ", 0x%" PRIx64 " bytes) is past "
                        "the end of the file", name, what, ph.offset, ph.filesz);
            return false;
        }
        if (!check_dest(as, name, what, ph.paddr, ph.memsz, errp)) {
            return false;
        }
        low = MIN(low, ph.paddr);
        /* check_dest made sure paddr + memsz - 1 does not wrap. */
        high = MAX(high, ph.paddr + (ph.memsz - 1));
        loads++;
    }
    if (loads == 0) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT, "%s: no loadable segments", name);
        return false;
    }

    /* Pass 2: copy. */
    for (unsigned i = 0; i < phnum; i++) {
        Phdr ph = read_phdr(data + phoff + (uint64_t)i * PHDR_SIZE);
        if (ph.type != PT_LOAD || ph.memsz == 0) {
            continue;
        }
        if (!write_dest(as, name, ph.paddr, data + ph.offset, ph.filesz,
                        ph.memsz - ph.filesz, errp)) {
            return false;
        }
    }
    if (info) {
        info->entry = get64(data + 24);
        info->low = low;
        info->high = high + 1; /* 0 only if a segment ends at 2^64 - 1 */
    }
    return true;
}

bool loader_load_elf(AddressSpace *as, const char *path, LoaderElfInfo *info, GError **errp)
{
    size_t size;
    uint8_t *data = loader_read_file(path, LOADER_MAX_FILE_SIZE, &size, errp);
    if (!data) {
        return false;
    }
    bool ok = loader_load_elf_buffer(as, path, data, size, info, errp);
    g_free(data);
    return ok;
}

/* ---- Raw images and initrds ---- */

bool loader_load_raw_buffer(AddressSpace *as, const char *name, const uint8_t *data,
                            size_t size, uint64_t addr, GError **errp)
{
    if (!check_dest(as, name, "image", addr, size, errp)) {
        return false;
    }
    return write_dest(as, name, addr, data, size, 0, errp);
}

bool loader_load_raw(AddressSpace *as, const char *path, uint64_t addr, uint64_t *size,
                     GError **errp)
{
    /* Refuse a file larger than the RAM at addr before reading it. */
    uint64_t room = loader_ram_span(as, addr, LOADER_MAX_FILE_SIZE);
    if (room == 0) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s: load address 0x%" PRIx64 " is not RAM/ROM", path, addr);
        return false;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (uint64_t)st.st_size > room) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s: does not fit at 0x%" PRIx64 " (%lld bytes, 0x%" PRIx64 " bytes of "
                    "RAM/ROM there)", path, addr, (long long)st.st_size, room);
        return false;
    }
    size_t len;
    uint8_t *data = loader_read_file(path, room, &len, errp);
    if (!data) {
        return false;
    }
    bool ok = loader_load_raw_buffer(as, path, data, len, addr, errp);
    g_free(data);
    if (ok && size) {
        *size = len;
    }
    return ok;
}

bool loader_load_initrd(AddressSpace *as, const char *path, uint64_t addr, uint64_t *end,
                        GError **errp)
{
    uint64_t size;
    if (!loader_load_raw(as, path, addr, &size, errp)) {
        return false;
    }
    if (end) {
        *end = addr + size; /* check_dest: no wrap below 2^64 */
    }
    return true;
}

/* ---- RISC-V Linux Image ---- */

bool loader_load_linux_image_buffer(AddressSpace *as, const char *name, const uint8_t *data,
                                    size_t size, uint64_t ram_base, LoaderImageInfo *info,
                                    GError **errp)
{
    if (size < RISCV_IMAGE_HEADER_SIZE) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT,
                    "%s: too small for a RISC-V Image header (%zu bytes)", name, size);
        return false;
    }
    /* magic2 replaced the deprecated magic in header 0.2; accept either. */
    if (memcmp(data + 56, "RSC\x05", 4) != 0 && memcmp(data + 48, "RISCV\0\0\0", 8) != 0) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT,
                    "%s: not a RISC-V Linux Image (bad magic)", name);
        return false;
    }
    uint64_t text_offset = get64(data + 8);
    uint64_t image_size = get64(data + 16);
    uint64_t flags = get64(data + 24);
    if (flags & 1) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT,
                    "%s: big-endian kernels are not supported", name);
        return false;
    }
    if (image_size == 0) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_FORMAT,
                    "%s: image_size is 0 (the boot protocol makes it mandatory)", name);
        return false;
    }
    uint64_t mask = RISCV_IMAGE_ALIGN - 1;
    if (text_offset > UINT64_MAX - ram_base || ram_base + text_offset > UINT64_MAX - mask) {
        g_set_error(errp, LOADER_ERROR, LOADER_ERROR_PLACE,
                    "%s: text_offset 0x%" PRIx64 " puts the kernel past the end of the "
                    "address space", name, text_offset);
        return false;
    }
    uint64_t load = (ram_base + text_offset + mask) & ~mask;
    uint64_t span = MAX(image_size, (uint64_t)size);
    if (!check_dest(as, name, "kernel", load, span, errp)) {
        return false;
    }
    if (!write_dest(as, name, load, data, size, 0, errp)) {
        return false;
    }
    if (info) {
        info->load_addr = load;
        info->end = load + span;
        info->text_offset = text_offset;
        info->image_size = image_size;
    }
    return true;
}

bool loader_load_linux_image(AddressSpace *as, const char *path, uint64_t ram_base,
                             LoaderImageInfo *info, GError **errp)
{
    size_t size;
    uint8_t *data = loader_read_file(path, LOADER_MAX_FILE_SIZE, &size, errp);
    if (!data) {
        return false;
    }
    bool ok = loader_load_linux_image_buffer(as, path, data, size, ram_base, info, errp);
    g_free(data);
    return ok;
}
