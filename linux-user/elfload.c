/*
 * ELF parsing for user mode (see elfload.h).
 *
 * The buffer holds the whole file (the loader maps it read-only), so every
 * check is a plain bounds check against len.  All fields are read with
 * explicit little-endian loads: the buffer may be unaligned (a fuzzer's) and
 * riscv64 ELF files are little-endian whatever the host is.  Sizes are
 * compared with subtraction (x <= len && y <= len - x), never with sums
 * that could wrap.
 */
#include <string.h>

#include <glib.h>

#include "linux-user/elfload.h"
#include "rove/user-mem.h"

enum {
    EHDR_SIZE = 64,
    PHDR_SIZE = 56,
    EM_RISCV_NUM = 243,
    ET_EXEC_NUM = 2,
    ET_DYN_NUM = 3,
    PT_LOAD_NUM = 1,
    PT_INTERP_NUM = 3,
    PT_PHDR_NUM = 6,
    PT_GNU_STACK_NUM = 0x6474e551,
    PF_X_BIT = 1,
    EF_RISCV_RVE_BIT = 8,
    EF_RISCV_FLOAT_ABI_MASK = 6,
    EF_RISCV_FLOAT_ABI_QUAD = 6,
};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* Is [off, off+size) inside a buffer of len bytes? */
static bool in_buf(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

static const char *machine_name(uint16_t m)
{
    switch (m) {
    case 3: return "wrong architecture: i386 (need RISC-V)";
    case 8: return "wrong architecture: MIPS (need RISC-V)";
    case 20: return "wrong architecture: PowerPC (need RISC-V)";
    case 21: return "wrong architecture: PowerPC64 (need RISC-V)";
    case 22: return "wrong architecture: s390 (need RISC-V)";
    case 40: return "wrong architecture: ARM (need RISC-V)";
    case 62: return "wrong architecture: x86-64 (need RISC-V)";
    case 183: return "wrong architecture: AArch64 (need RISC-V)";
    case 258: return "wrong architecture: LoongArch (need RISC-V)";
    default: return "wrong architecture (need RISC-V)";
    }
}

static bool check_ident(const uint8_t *buf, size_t len, const char **err)
{
    if (len < 4 || memcmp(buf, "\177ELF", 4) != 0) {
        *err = "not an ELF file";
        return false;
    }
    if (len < 16) {
        *err = "truncated ELF file";
        return false;
    }
    if (buf[4] == 1) {
        *err = "unsupported ELF class: 32-bit (need 64-bit RISC-V)";
        return false;
    }
    if (buf[4] != 2) {
        *err = "unsupported ELF class";
        return false;
    }
    if (buf[5] != 1) {
        *err = buf[5] == 2 ? "big-endian ELF not supported" : "malformed ELF: bad data encoding";
        return false;
    }
    if (buf[6] != 1) {
        *err = "malformed ELF: bad version";
        return false;
    }
    if (len < EHDR_SIZE) {
        *err = "truncated ELF file";
        return false;
    }
    return true;
}

/* Check one PT_LOAD against the file and the guest space. */
static bool check_load(const LuElfSegment *s, size_t len, const char **err)
{
    if (s->filesz > s->memsz) {
        *err = "malformed ELF: segment file size exceeds memory size";
        return false;
    }
    if (!in_buf(s->offset, s->filesz, len)) {
        *err = "truncated ELF file (segment beyond end of file)";
        return false;
    }
    if ((s->vaddr ^ s->offset) & (TARGET_PAGE_SIZE - 1)) {
        *err = "malformed ELF: segment address and offset not page congruent";
        return false;
    }
    if (!guest_addr_in_space(s->vaddr, s->memsz)) {
        *err = "malformed ELF: segment outside the 40-bit guest address space";
        return false;
    }
    return true;
}

static void parse_segment(const uint8_t *p, LuElfSegment *s)
{
    s->type = rd32(p);
    s->flags = rd32(p + 4);
    s->offset = rd64(p + 8);
    s->vaddr = rd64(p + 16);
    /* p + 24: p_paddr, ignored */
    s->filesz = rd64(p + 32);
    s->memsz = rd64(p + 40);
    s->align = rd64(p + 48);
}

static bool parse_interp(const uint8_t *buf, size_t len, const LuElfSegment *s,
                         LuElfInfo *info, const char **err)
{
    if (!in_buf(s->offset, s->filesz, len)) {
        *err = "truncated ELF file (interpreter path beyond end of file)";
        return false;
    }
    if (s->filesz < 2 || s->filesz > LU_ELF_MAX_INTERP) {
        *err = "malformed ELF: bad interpreter path length";
        return false;
    }
    const uint8_t *str = buf + s->offset;
    if (str[s->filesz - 1] != 0 || memchr(str, 0, s->filesz - 1) != NULL) {
        *err = "malformed ELF: interpreter path not a NUL-terminated string";
        return false;
    }
    memcpy(info->interp, str, s->filesz);
    info->has_interp = true;
    return true;
}

bool lu_elf_parse(const uint8_t *buf, size_t len, LuElfInfo *info, const char **err)
{
    memset(info, 0, sizeof(*info));
    *err = NULL;
    if (!check_ident(buf, len, err)) {
        return false;
    }
    uint16_t machine = rd16(buf + 18);
    if (machine != EM_RISCV_NUM) {
        *err = machine_name(machine);
        return false;
    }
    info->type = rd16(buf + 16);
    if (info->type != ET_EXEC_NUM && info->type != ET_DYN_NUM) {
        *err = info->type == 4 ? "core file, not an executable"
             : info->type == 1 ? "relocatable object, not an executable"
             : "malformed ELF: not an executable";
        return false;
    }
    info->entry = rd64(buf + 24);
    info->phoff = rd64(buf + 32);
    info->flags = rd32(buf + 48);
    info->phentsize = rd16(buf + 54);
    info->phnum = rd16(buf + 56);
    if (info->flags & EF_RISCV_RVE_BIT) {
        *err = "unsupported: RV64E binary";
        return false;
    }
    if ((info->flags & EF_RISCV_FLOAT_ABI_MASK) == EF_RISCV_FLOAT_ABI_QUAD) {
        *err = "unsupported: quad-precision float ABI";
        return false;
    }
    if (info->phentsize != PHDR_SIZE) {
        *err = "malformed ELF: bad program header size";
        return false;
    }
    if (info->phnum == 0 || info->phnum > LU_ELF_MAX_PHNUM) {
        *err = "malformed ELF: bad number of program headers";
        return false;
    }
    if (!in_buf(info->phoff, (uint64_t)info->phnum * PHDR_SIZE, len)) {
        *err = "truncated ELF file (program headers beyond end of file)";
        return false;
    }

    info->load = g_new0(LuElfSegment, info->phnum);
    info->exec_stack = true;
    info->lo = UINT64_MAX;
    info->align = TARGET_PAGE_SIZE;
    bool has_phdr = false;
    for (unsigned i = 0; i < info->phnum; i++) {
        LuElfSegment s;
        parse_segment(buf + info->phoff + (uint64_t)i * PHDR_SIZE, &s);
        switch (s.type) {
        case PT_LOAD_NUM:
            if (!check_load(&s, len, err)) {
                goto fail;
            }
            if (s.memsz == 0) {
                break;
            }
            info->load[info->nb_load++] = s;
            /* A PIE's base honours p_align (e.g. 64 KiB) when it is sane. */
            if (s.align > info->align && s.align <= (1u << 20) &&
                (s.align & (s.align - 1)) == 0) {
                info->align = s.align;
            }
            info->lo = MIN(info->lo, s.vaddr & TARGET_PAGE_MASK);
            /* in space (checked), so the page round-up cannot wrap */
            info->hi = MAX(info->hi, (s.vaddr + s.memsz + TARGET_PAGE_SIZE - 1) &
                                     TARGET_PAGE_MASK);
            break;
        case PT_INTERP_NUM:
            if (info->has_interp) {
                *err = "malformed ELF: more than one PT_INTERP";
                goto fail;
            }
            if (!parse_interp(buf, len, &s, info, err)) {
                goto fail;
            }
            break;
        case PT_PHDR_NUM:
            info->phdr_vaddr = s.vaddr;
            has_phdr = true;
            break;
        case PT_GNU_STACK_NUM:
            info->exec_stack = (s.flags & PF_X_BIT) != 0;
            break;
        default:
            break;
        }
    }
    if (info->nb_load == 0) {
        *err = "malformed ELF: no loadable segments";
        goto fail;
    }
    if (info->type == ET_EXEC_NUM && !guest_addr_in_space(info->entry, 1)) {
        *err = "malformed ELF: entry point outside the guest address space";
        goto fail;
    }
    if (info->type == ET_DYN_NUM && info->entry >= info->hi) {
        *err = "malformed ELF: entry point outside the image";
        goto fail;
    }
    if (!has_phdr) {
        /* No PT_PHDR: find the PT_LOAD whose file bytes hold the headers. */
        uint64_t phsize = (uint64_t)info->phnum * PHDR_SIZE;
        for (int i = 0; i < info->nb_load; i++) {
            const LuElfSegment *s = &info->load[i];
            if (info->phoff >= s->offset && info->phoff - s->offset <= s->filesz &&
                phsize <= s->filesz - (info->phoff - s->offset)) {
                info->phdr_vaddr = s->vaddr + (info->phoff - s->offset);
                has_phdr = true;
                break;
            }
        }
    }
    info->has_phdr_vaddr = has_phdr;
    return true;

fail:
    lu_elf_info_free(info);
    return false;
}

void lu_elf_info_free(LuElfInfo *info)
{
    g_free(info->load);
    info->load = NULL;
    info->nb_load = 0;
}
