/*
 * accel/tcg private state: one ExecState per vCPU holds its TcgContext, the
 * code buffer, the TB hash and the per-page TB lists.  Single-threaded by
 * design for now (user mode runs one guest thread); when vCPU threads
 * arrive, the TB structures need a lock (tb_lock) and this comment must say
 * which fields it guards.
 */
#ifndef ACCEL_TCG_INTERNAL_H
#define ACCEL_TCG_INTERNAL_H

#include <glib.h>

#include "rove/exec.h"

#define TB_HASH_BITS 16
#define TB_JMP_CACHE_BITS 12

struct ExecState {
    TcgContext tcg;
    const TcgBackend *backend;
    CodeBuffer buf;
    size_t code_start;       /* first byte after the prologue */
    TranslationBlock *hash[1u << TB_HASH_BITS];
    TranslationBlock *jmp_cache[1u << TB_JMP_CACHE_BITS];
    GPtrArray *tbs;          /* every TB made since the last flush, in code order */
    GHashTable *page_tbs;    /* guest page -> GPtrArray of TBs made from it */
    TcgHelperInfo lookup_helper;
    TbCodeInfo info;         /* scratch for gen_code */
    TranslationBlock *building; /* TB under translation (freed if it aborts) */
    uint64_t nb_translations, nb_flushes;
};

static inline unsigned tb_hash(uint64_t pc, uint32_t flags)
{
    uint64_t h = (pc ^ ((uint64_t)flags << 32)) * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h >> (64 - TB_HASH_BITS));
}
/* Generated code computes the same hash (cpu_create: ctx->lookup_inline). */
static inline unsigned tb_jmp_cache_hash(uint64_t pc)
{
    return (unsigned)((pc >> 1) ^ (pc >> (TB_JMP_CACHE_BITS + 1))) &
           ((1u << TB_JMP_CACHE_BITS) - 1);
}

/* code-buffer.c */
bool code_buffer_init(CodeBuffer *buf, size_t size);
void code_buffer_destroy(CodeBuffer *buf);
bool code_buffer_fork_child(CodeBuffer *buf);

/* tb-maint.c */
void tb_maint_init(ExecState *es);
TranslationBlock *tb_lookup_slow(ExecState *es, uint64_t pc, uint32_t flags);

/* Jump cache first (inline: it is on every indirect jump), then the hash. */
static inline TranslationBlock *tb_lookup(ExecState *es, uint64_t pc, uint32_t flags)
{
    TranslationBlock *tb = es->jmp_cache[tb_jmp_cache_hash(pc)];
    if (tb && tb->pc == pc && tb->flags == flags && !tb->invalid) {
        return tb;
    }
    return tb_lookup_slow(es, pc, flags);
}
void tb_insert(CpuState *cpu, TranslationBlock *tb);
void tb_add_jump(ExecState *es, TranslationBlock *from, int slot, TranslationBlock *to);
TranslationBlock *tb_find_by_host_pc(ExecState *es, uintptr_t host_pc);
/* Invalidate TBs overlapping guest [start, end); returns true if the TB
 * containing cur_host_pc (if any) was among them. */
bool tb_invalidate_range_cur(CpuState *cpu, uint64_t start, uint64_t end, uintptr_t cur_host_pc);
void tb_free_all(ExecState *es);

/* translate-all.c */
TranslationBlock *tb_gen_code(CpuState *cpu, uint64_t pc, uint32_t flags, uint32_t cflags);

/* user-exec.c: hooks the translator calls in user mode */
bool user_code_page_ok(uint64_t addr, size_t len);
void user_protect_code_page(CpuState *cpu, uint64_t page);
void user_mem_fault(void *env, uint64_t addr, uint32_t kind, uintptr_t host_pc);
void user_page_code_cleared(uint64_t page);

#endif
