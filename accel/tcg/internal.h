/*
 * accel/tcg private state.
 *
 * One translation cache per process (ExecState), shared by every vCPU: the
 * code buffer, the TB hash, the list of TBs in code order and the per-page
 * TB lists.  Each vCPU has its own CpuTcg: its IR context (translation
 * happens on the thread that needs the block), the scratch the back end
 * fills, and its jump cache.
 *
 * Locking (docs/architecture.md, "Threads"):
 *  - tb_lock guards everything that changes the cache: translation and the
 *    code buffer's `used`, hash insertion and removal, per-page lists,
 *    chaining and unchaining, the page-flag table and host protections of
 *    code pages.  Generated code never holds it.
 *  - Lookups take no lock: hash chains are published with release stores
 *    and TBs are never freed except by a flush, which runs only when every
 *    vCPU is outside generated code (start_exclusive, cpus.c).  A stale
 *    TB found in a jump cache is rejected by its `invalid` flag.
 *  - tb_find_by_host_pc (signal handlers) reads the TB array without the
 *    lock: entries are appended with a release store of the count and the
 *    array is never reallocated.
 */
#ifndef ACCEL_TCG_INTERNAL_H
#define ACCEL_TCG_INTERNAL_H

#include <glib.h>
#include <pthread.h>
#include <string.h>

#include "rove/exec.h"

#define TB_HASH_BITS 16
#define TB_JMP_CACHE_BITS 12
#define JMP_PAGE_FILTER_BITS 12
/* Smallest TB the back ends emit is well over 32 bytes: the TB array needs
 * at most code size / 32 entries. */
#define TB_MIN_CODE_SIZE 32

struct ExecState {
    const TcgBackend *backend;
    CodeBuffer buf;
    size_t code_start;       /* first byte after the prologue */
    TranslationBlock *hash[1u << TB_HASH_BITS];
    TranslationBlock **tbs;  /* every TB made since the last flush, in code order */
    size_t nb_tbs, max_tbs;
    GHashTable *page_tbs;    /* guest page -> GPtrArray of TBs made from it */
    uint64_t nb_translations, nb_flushes;
};

/* Per-vCPU translation state. */
typedef struct CpuTcg {
    TcgContext tcg;          /* this vCPU's IR context */
    TcgHelperInfo lookup_helper;
    TbCodeInfo info;         /* scratch for gen_code */
    TranslationBlock *building; /* TB under translation (freed if it aborts) */
    TranslationBlock *jmp_cache[1u << TB_JMP_CACHE_BITS];
    uint64_t jmp_pc[1u << TB_JMP_CACHE_BITS]; /* jmp_cache[h]->pc, if set */
    /* What an address-space switch checks without loading the TB
     * (jmp_cache_clear_unless): its flags, and its one physical page
     * (UINT64_MAX if it spans two). */
    struct {
        uint64_t phys;
        uint32_t flags;
    } jmp_key[1u << TB_JMP_CACHE_BITS];
    /* The jmp_cache slots filled since the last clear (each listed when it
     * goes from empty to set), so that a clear (every TLB flush in system
     * mode) touches only those; past the array's size the whole cache is
     * walked.  A Linux boot fills a few hundred between flushes. */
    uint16_t jmp_filled[1024];
    unsigned nb_jmp_filled;
    /* A bit per hash of a virtual page (jmp_page_bit): set while the jump
     * cache may hold a TB starting in a page with that hash.  Linux issues
     * many sfence.vma for single pages, nearly all of them data pages: a
     * clear of such a page looks at two bits instead of every entry. */
    uint64_t jmp_pages[(1u << JMP_PAGE_FILTER_BITS) / 64];
    /* What jmp_cache held before: the entry a set replaced, and every
     * entry a full clear dropped.  Generated code never reads it; the slow
     * lookup (tb_lookup_slow) tries it before the hash, checking what a
     * hash hit must match (the physical page included), so nothing needs
     * to leave it but freed TBs (jmp_cache_reset).  After a full TLB flush
     * (every satp switch) most TBs come back from here without a cache
     * miss in the big hash table; the pc beside the pointer spares a load
     * of a cold TB when the slot holds another one. */
    struct {
        uint64_t pc;
        TranslationBlock *tb;
    } jmp_victim[1u << TB_JMP_CACHE_BITS];
} CpuTcg;

static inline CpuTcg *cpu_tcg(CpuState *cpu)
{
    return (CpuTcg *)cpu->tcg_state;
}

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

static inline unsigned jmp_page_bit(uint64_t page)
{
    uint64_t vpn = page >> TARGET_PAGE_BITS;
    return (unsigned)(vpn ^ (vpn >> JMP_PAGE_FILTER_BITS)) & ((1u << JMP_PAGE_FILTER_BITS) - 1);
}

static inline bool jmp_page_maybe(const CpuTcg *ct, uint64_t page)
{
    unsigned b = jmp_page_bit(page);
    return (ct->jmp_pages[b / 64] >> (b % 64)) & 1;
}

static inline void jmp_page_mark(CpuTcg *ct, uint64_t pc)
{
    unsigned b = jmp_page_bit(pc & TARGET_PAGE_MASK);
    ct->jmp_pages[b / 64] |= 1ull << (b % 64);
}

/* jmp_cache[h] is about to be replaced or dropped: keep it as the victim. */
static inline void jmp_victim_keep(CpuTcg *ct, unsigned h)
{
    if (ct->jmp_cache[h]) {
        ct->jmp_victim[h].pc = ct->jmp_pc[h];
        ct->jmp_victim[h].tb = ct->jmp_cache[h];
    }
}

static inline void jmp_cache_set(CpuTcg *ct, TranslationBlock *tb)
{
    unsigned h = tb_jmp_cache_hash(tb->pc);
    if (!ct->jmp_cache[h]) {
        if (ct->nb_jmp_filled < G_N_ELEMENTS(ct->jmp_filled)) {
            ct->jmp_filled[ct->nb_jmp_filled] = (uint16_t)h;
        }
        if (ct->nb_jmp_filled <= G_N_ELEMENTS(ct->jmp_filled)) {
            ct->nb_jmp_filled++;
        }
    } else if (ct->jmp_cache[h] != tb) {
        jmp_victim_keep(ct, h);
    }
    jmp_page_mark(ct, tb->pc);
    ct->jmp_cache[h] = tb;
    ct->jmp_pc[h] = tb->pc;
    ct->jmp_key[h].phys = tb->page_addr[1] == (uint64_t)-1 ? tb->page_addr[0] : UINT64_MAX;
    ct->jmp_key[h].flags = tb->flags;
}

/* Drops the entries whose TB starts in page or in the page before it (a
 * TB's first insn may reach into the next page).  Returns at once when
 * the filter says neither page has entries; otherwise walks only the
 * slots set since the last clear when it knows them, every slot when
 * not, and rebuilds the filter from the entries that stay (every entry
 * that may be set is among those walked). */
static inline void jmp_cache_clear_page(CpuTcg *ct, uint64_t page)
{
    if (!jmp_page_maybe(ct, page) && !jmp_page_maybe(ct, page - TARGET_PAGE_SIZE)) {
        return;
    }
    bool listed = ct->nb_jmp_filled <= G_N_ELEMENTS(ct->jmp_filled);
    unsigned n = listed ? ct->nb_jmp_filled : G_N_ELEMENTS(ct->jmp_cache);
    memset(ct->jmp_pages, 0, sizeof(ct->jmp_pages));
    for (unsigned i = 0; i < n; i++) {
        unsigned h = listed ? ct->jmp_filled[i] : i;
        if (!ct->jmp_cache[h]) {
            continue;
        }
        uint64_t tb_page = ct->jmp_pc[h] & TARGET_PAGE_MASK;
        if (tb_page == page || tb_page + TARGET_PAGE_SIZE == page) {
            ct->jmp_cache[h] = NULL;
        } else {
            jmp_page_mark(ct, ct->jmp_pc[h]);
        }
    }
}

/* Empties the jump cache (a full TLB flush); its entries stay reachable
 * through jmp_victim. */
static inline void jmp_cache_clear(CpuTcg *ct)
{
    bool listed = ct->nb_jmp_filled <= G_N_ELEMENTS(ct->jmp_filled);
    unsigned n = listed ? ct->nb_jmp_filled : G_N_ELEMENTS(ct->jmp_cache);
    for (unsigned i = 0; i < n; i++) {
        unsigned h = listed ? ct->jmp_filled[i] : i;
        jmp_victim_keep(ct, h);
        ct->jmp_cache[h] = NULL;
    }
    ct->nb_jmp_filled = 0;
    memset(ct->jmp_pages, 0, sizeof(ct->jmp_pages));
}

/* Drops the TBs keep() refuses (an address-space switch kept the global
 * mappings: keep says whether the TB at pc, of those flags, from physical
 * page phys, is still mapped so); they stay reachable through jmp_victim.
 * The list of filled slots is rebuilt. */
static inline void jmp_cache_clear_unless(CpuTcg *ct, CpuState *cpu,
                                          bool (*keep)(CpuState *cpu, uint64_t pc,
                                                       uint32_t flags, uint64_t phys))
{
    bool listed = ct->nb_jmp_filled <= G_N_ELEMENTS(ct->jmp_filled);
    unsigned n = listed ? ct->nb_jmp_filled : G_N_ELEMENTS(ct->jmp_cache);
    unsigned kept = 0;
    memset(ct->jmp_pages, 0, sizeof(ct->jmp_pages));
    for (unsigned i = 0; i < n; i++) {
        unsigned h = listed ? ct->jmp_filled[i] : i;
        TranslationBlock *tb = ct->jmp_cache[h];
        if (!tb) {
            continue;
        }
        if (keep(cpu, ct->jmp_pc[h], ct->jmp_key[h].flags, ct->jmp_key[h].phys)) {
            jmp_page_mark(ct, ct->jmp_pc[h]);
            if (kept < G_N_ELEMENTS(ct->jmp_filled)) {
                ct->jmp_filled[kept] = (uint16_t)h; /* kept <= i: not yet read */
            }
            kept++;
        } else {
            jmp_victim_keep(ct, h);
            ct->jmp_cache[h] = NULL;
        }
    }
    ct->nb_jmp_filled = kept <= G_N_ELEMENTS(ct->jmp_filled) ? kept
                                                             : G_N_ELEMENTS(ct->jmp_filled) + 1;
}

/* Forgets every TB, touching none (they may be freed already). */
static inline void jmp_cache_reset(CpuTcg *ct)
{
    memset(ct->jmp_cache, 0, sizeof(ct->jmp_cache));
    memset(ct->jmp_victim, 0, sizeof(ct->jmp_victim));
    ct->nb_jmp_filled = 0;
    memset(ct->jmp_pages, 0, sizeof(ct->jmp_pages));
}

static inline bool tb_is_invalid(const TranslationBlock *tb)
{
    return __atomic_load_n(&tb->invalid, __ATOMIC_ACQUIRE);
}

/* ---- Tiers (tiers.c) ---- */
/* The cflags of a new TB: CF_TIER0 when tiers are on (system mode). */
uint32_t tier_first_cflags(void);
/* The sampler found tb (a CF_TIER0 TB) about to run: true once, when it
 * has become hot and should be made again as a superblock. */
bool tier_sampled(TranslationBlock *tb);
/* Superblocks on (ROVE_SUPERBLOCKS is not 0; translator.c). */
bool superblocks_enabled(void);

/* ---- tb_lock (tb-maint.c) ---- */
void tb_lock(void);
void tb_unlock(void);
bool tb_lock_held(void);        /* by this thread */
/* tb_lock held: tb is dropped (out of the hash, jumps to it unchained) so
 * that another translation can take its place. */
void tb_retire_locked(ExecState *es, TranslationBlock *tb);
/* After a siglongjmp out of code that may have held it (a fetch fault
 * during translation): release it if this thread holds it. */
void tb_lock_reset(void);
void tb_lock_fork_child(void);

/* code-buffer.c */
bool code_buffer_init(CodeBuffer *buf, size_t size);
void code_buffer_destroy(CodeBuffer *buf);
/* Faults in the next chunk of the buffer once use comes near it (tb_lock held). */
void code_buffer_prefault(CodeBuffer *buf);
/* fork: a private copy of [0, used) made before the fork (under tb_lock),
 * mapped over the buffer in the child; closed in the parent. */
int code_buffer_fork_prepare(const CodeBuffer *buf);
bool code_buffer_fork_child(CodeBuffer *buf, int fd);

/* tb-maint.c */
void tb_maint_init(ExecState *es);
TranslationBlock *tb_lookup_slow(CpuState *cpu, uint64_t pc, uint32_t flags);

/* Jump cache first (inline: it is on every indirect jump), then the hash. */
static inline TranslationBlock *tb_lookup(CpuState *cpu, uint64_t pc, uint32_t flags)
{
    TranslationBlock *tb = cpu_tcg(cpu)->jmp_cache[tb_jmp_cache_hash(pc)];
    if (tb && tb->pc == pc && tb->flags == flags && !tb_is_invalid(tb)) {
        return tb;
    }
    return tb_lookup_slow(cpu, pc, flags);
}
/* Hash lookup alone (tb_lock held or not) in cpu's ExecState; phys_page
 * (system mode) must be the TB's first page, or -1 for any, and a TB
 * whose first insn crosses into the next page must still find that page
 * mapped where it was (code_phys). */
TranslationBlock *tb_hash_lookup(CpuState *cpu, uint64_t pc, uint32_t flags,
                                 uint32_t cflags, uint64_t phys_page);
void tb_insert(CpuState *cpu, TranslationBlock *tb);          /* tb_lock held */
void tb_record(ExecState *es, TranslationBlock *tb);          /* tb_lock held */
void tb_add_jump(ExecState *es, TranslationBlock *from, int slot, TranslationBlock *to);
TranslationBlock *tb_find_by_host_pc(ExecState *es, uintptr_t host_pc);
/* Invalidate TBs overlapping guest [start, end); returns true if the TB
 * containing cur_host_pc (if any) was among them.  tb_lock held. */
bool tb_invalidate_range_locked(ExecState *es, uint64_t start, uint64_t end,
                                uintptr_t cur_host_pc);
/* Free every TB; the code buffer starts over.  Exclusive section only. */
void tb_free_all(ExecState *es);

/* translate-all.c: NULL when the code buffer is full (the caller flushes
 * and retries).  Takes tb_lock. */
TranslationBlock *tb_gen_code(CpuState *cpu, uint64_t pc, uint32_t flags, uint32_t cflags);

/* cpus.c */
void cpu_list_add(CpuState *cpu);
void cpu_list_remove(CpuState *cpu);
/* cpu_exit() on every vCPU. */
void cpu_list_exit_all(void);
/* Every vCPU's jump cache forgets every TB (inside an exclusive section). */
void cpu_list_clear_jmp_caches(void);
/* cpu_exec brackets: a vCPU between them may be in generated code. */
void cpu_exec_start(CpuState *cpu);
void cpu_exec_end(CpuState *cpu);
void cpus_fork_prepare(void);
void cpus_fork_parent(void);
void cpus_fork_child(CpuState *cpu);

/*
 * What differs between user mode (user-exec.c) and system mode
 * (system-exec.c): how guest code and memory are reached.  The program
 * picks one before its first vCPU (accel_mode; user mode by default).
 *
 * code_page: the host address of the page that holds guest code at addr;
 *   *page gets the page key the TB is tied to (the guest page in user
 *   mode, the physical one in system mode), and writes to it must
 *   invalidate TBs from now on.  If addr cannot be executed it raises the
 *   guest's fetch fault with the pc at fault_pc.  tb_lock held.
 * code_phys: system mode's key of pc's page without faulting (or -1): a
 *   TB found by virtual pc must also come from that physical page.
 * peek_code: up to len bytes of code for logging; never faults.
 * page_code_added/cleared: a page key got its first TB / lost its last
 *   (tb_lock held).
 * mem_model: how the vCPU's generated code reaches memory.
 * atomic_lookup/done: cpu_atomic_lookup (exec.h).
 */
typedef struct AccelMode {
    bool system;
    const void *(*code_page)(CpuState *cpu, uint64_t addr, uint64_t fault_pc, uint64_t *page);
    uint64_t (*code_phys)(CpuState *cpu, uint64_t pc);
    size_t (*peek_code)(CpuState *cpu, uint64_t addr, void *buf, size_t len);
    void (*page_code_added)(uint64_t page);
    void (*page_code_cleared)(uint64_t page);
    TcgMemModel (*mem_model)(CpuState *cpu);
    void *(*atomic_lookup)(CpuState *cpu, uint64_t addr, unsigned size, unsigned mmu_idx,
                           uintptr_t retaddr);
    void (*atomic_done)(void);
    /* System mode, after an address-space switch that kept the global
     * mappings: drop from the jump cache the TBs that may no longer be
     * what runs at their pc (jmp_cache_clear_unless). */
    void (*jmp_clear_nonglobal)(CpuState *cpu);
} AccelMode;

extern const AccelMode *accel_mode;
extern const AccelMode accel_user_mode;   /* user-exec.c */

static inline const void *cpu_code_page(CpuState *cpu, uint64_t addr, uint64_t fault_pc,
                                        uint64_t *page)
{
    return accel_mode->code_page(cpu, addr, fault_pc, page);
}

static inline size_t cpu_peek_code(CpuState *cpu, uint64_t addr, void *buf, size_t len)
{
    return accel_mode->peek_code(cpu, addr, buf, len);
}

/* user-exec.c: user mode's code-page bookkeeping (tb_lock held) */
bool user_code_page_ok(uint64_t addr, size_t len);
void user_mem_fault(void *env, uint64_t addr, uint32_t kind, uintptr_t host_pc);

/* tb-maint.c, system mode: invalidate the TBs whose code overlaps
 * physical [start, end).  tb_lock held. */
void tb_invalidate_phys_range_locked(ExecState *es, uint64_t start, uint64_t end);

/* cpu-exec.c: the process's translation cache, NULL before the first vCPU. */
ExecState *exec_state_current(void);

#endif
