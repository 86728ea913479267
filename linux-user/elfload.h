/*
 * ELF header parsing for user mode: validates a whole file image held in a
 * buffer and extracts what the loader needs.  Pure (no guest memory, no
 * I/O), so tests/fuzz can feed it arbitrary bytes.
 */
#ifndef LINUX_USER_ELFLOAD_H
#define LINUX_USER_ELFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LU_ELF_MAX_PHNUM 1024   /* more program headers: rejected */
#define LU_ELF_MAX_INTERP 4096  /* PATH_MAX */

typedef struct LuElfSegment {
    uint32_t type;
    uint32_t flags;    /* PF_R/PF_W/PF_X */
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
} LuElfSegment;

typedef struct LuElfInfo {
    uint16_t type;         /* ET_EXEC or ET_DYN */
    uint64_t entry;
    uint64_t phoff;
    uint16_t phnum;
    uint16_t phentsize;
    uint32_t flags;        /* e_flags */
    int nb_load;           /* PT_LOAD segments, in file order, in load[] */
    LuElfSegment *load;    /* g_free()d by lu_elf_info_free */
    uint64_t lo, hi;       /* page-aligned span of the PT_LOAD vaddrs */
    uint64_t align;        /* largest PT_LOAD p_align (power of 2, <= 1 MiB) */
    uint64_t phdr_vaddr;   /* where the phdrs are once loaded (unbiased) */
    bool has_phdr_vaddr;
    bool has_interp;
    char interp[LU_ELF_MAX_INTERP];
    bool exec_stack;       /* PT_GNU_STACK with PF_X, or no PT_GNU_STACK */
} LuElfInfo;

/*
 * Parse and check the ELF file image buf[0..len).  On success fills *info
 * and returns true.  On failure returns false and sets *err to a static
 * human-readable reason ("not an ELF file", "truncated ELF file", ...).
 * Everything the loader later does with the file is checked here: every
 * offset and size against len, every address against the guest space.
 */
bool lu_elf_parse(const uint8_t *buf, size_t len, LuElfInfo *info, const char **err);
void lu_elf_info_free(LuElfInfo *info);

#endif
