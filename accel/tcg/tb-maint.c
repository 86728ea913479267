/*
 * Translation-block bookkeeping: the (pc, flags) hash, the per-vCPU jump
 * caches, per-guest-page TB lists, chaining and unchaining, invalidation and
 * flush.  internal.h says what tb_lock guards and which reads go without it.
 *
 * Invariants:
 *  - es->tbs holds TBs in code-buffer order, so a host pc maps to its TB by
 *    binary search (precise exceptions).
 *  - A chained jump A.slot -> B is recorded both in A->jmp_dest[slot] and in
 *    B->jmp_incoming, so invalidating B can point A's jump back at its
 *    unchained exit.
 *  - Invalid TBs stay allocated until the next flush (stale pointers in
 *    the jump caches are rejected by the `invalid` flag).
 */
#include <stddef.h>
#include <string.h>

#include "accel/tcg/internal.h"

static pthread_mutex_t tb_mutex = PTHREAD_MUTEX_INITIALIZER;
static __thread int tb_lock_depth;

/* Recursive per thread: mmap_lock holders call into code that takes it. */
void tb_lock(void)
{
    if (tb_lock_depth++ == 0) {
        pthread_mutex_lock(&tb_mutex);
    }
}

void tb_unlock(void)
{
    g_assert(tb_lock_depth > 0);
    if (--tb_lock_depth == 0) {
        pthread_mutex_unlock(&tb_mutex);
    }
}

bool tb_lock_held(void)
{
    return tb_lock_depth != 0;
}

void tb_lock_reset(void)
{
    if (tb_lock_depth) {
        tb_lock_depth = 0;
        pthread_mutex_unlock(&tb_mutex);
    }
}

void mmap_lock(void)
{
    tb_lock();
}

void mmap_unlock(void)
{
    tb_unlock();
}

void tb_lock_fork_child(void)
{
    /* The forking thread held it across fork (cpu_fork_prepare) and is the
     * child's only thread: it gives it back as the parent does. */
    tb_unlock();
}

static void page_list_free(gpointer p)
{
    g_ptr_array_free(p, TRUE);
}

void tb_maint_init(ExecState *es)
{
    /* Never reallocated (see internal.h): untouched entries cost nothing. */
    es->max_tbs = es->buf.size / TB_MIN_CODE_SIZE;
    es->tbs = g_new0(TranslationBlock *, es->max_tbs);
    es->page_tbs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, page_list_free);
}

/* System mode: a TB whose first insn runs into the next page is only good
 * while that virtual page still maps the physical page it was made from
 * (the hash is keyed on the first page alone). */
static bool tb_second_page_ok(CpuState *cpu, const TranslationBlock *tb)
{
    if (tb->page_addr[1] == (uint64_t)-1 || !accel_mode->code_phys) {
        return true;
    }
    uint64_t next = (tb->pc & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE;
    return accel_mode->code_phys(cpu, next) == tb->page_addr[1];
}

/* What a TB must match to run at pc (see tb_hash_lookup). */
static bool tb_key_match(CpuState *cpu, const TranslationBlock *tb, uint64_t pc,
                         uint32_t flags, uint32_t cflags, uint64_t phys_page)
{
    return tb->pc == pc && tb->flags == flags && (tb->cflags & CF_KEY_MASK) == cflags &&
           (phys_page == (uint64_t)-1 || tb->page_addr[0] == phys_page) &&
           !tb_is_invalid(tb) && tb_second_page_ok(cpu, tb);
}

TranslationBlock *tb_hash_lookup(CpuState *cpu, uint64_t pc, uint32_t flags,
                                 uint32_t cflags, uint64_t phys_page)
{
    ExecState *es = cpu->exec;
    TranslationBlock *tb = __atomic_load_n(&es->hash[tb_hash(pc, flags)], __ATOMIC_ACQUIRE);
    for (; tb; tb = __atomic_load_n(&tb->hash_next, __ATOMIC_ACQUIRE)) {
        if (tb_key_match(cpu, tb, pc, flags, cflags, phys_page)) {
            return tb;
        }
    }
    return NULL;
}

/* Starts loading the lines a lookup of tb will read (tb_key_match). */
static inline void tb_prefetch(const TranslationBlock *tb)
{
    __builtin_prefetch(tb);
    __builtin_prefetch((const char *)tb + offsetof(TranslationBlock, tc_ptr));
}

TranslationBlock *tb_lookup_slow(CpuState *cpu, uint64_t pc, uint32_t flags)
{
    CpuTcg *ct = cpu_tcg(cpu);
    /* The victim slot first: it matches the hash's TB (or an equal one).
     * The loads of its TB, or of the hash bucket, are started before
     * code_phys, whose TLB lookup (a page walk after a flush) hides them. */
    unsigned h = tb_jmp_cache_hash(pc);
    TranslationBlock *tb = ct->jmp_victim[h].pc == pc ? ct->jmp_victim[h].tb : NULL;
    if (tb) {
        tb_prefetch(tb);
    } else {
        __builtin_prefetch(&cpu->exec->hash[tb_hash(pc, flags)]);
    }
    uint64_t phys = (uint64_t)-1;
    if (accel_mode->code_phys) {
        phys = accel_mode->code_phys(cpu, pc);
        if (phys == (uint64_t)-1) {
            return NULL; /* not mapped now: translating raises the fault */
        }
    }
    if (!tb || !tb_key_match(cpu, tb, pc, flags, cpu->tcg_cflags, phys)) {
        tb = tb_hash_lookup(cpu, pc, flags, cpu->tcg_cflags, phys);
    }
    if (tb) {
        jmp_cache_set(ct, tb);
    }
    return tb;
}

void tb_record(ExecState *es, TranslationBlock *tb)
{
    __atomic_store_n(&tb->published, true, __ATOMIC_RELEASE);
    g_assert(es->nb_tbs < es->max_tbs);
    es->tbs[es->nb_tbs] = tb;
    __atomic_store_n(&es->nb_tbs, es->nb_tbs + 1, __ATOMIC_RELEASE);
}

static void page_add_tb(ExecState *es, uint64_t page, TranslationBlock *tb)
{
    GPtrArray *list = g_hash_table_lookup(es->page_tbs, &page);
    if (!list) {
        uint64_t *key = g_new(uint64_t, 1);
        *key = page;
        list = g_ptr_array_new();
        g_hash_table_insert(es->page_tbs, key, list);
    }
    g_ptr_array_add(list, tb);
}

void tb_insert(CpuState *cpu, TranslationBlock *tb)
{
    ExecState *es = cpu->exec;
    unsigned h = tb_hash(tb->pc, tb->flags);
    for (int i = 0; i < 2; i++) {
        if (tb->page_addr[i] != (uint64_t)-1) {
            page_add_tb(es, tb->page_addr[i], tb);
            accel_mode->page_code_added(tb->page_addr[i]); /* idempotent */
        }
    }
    tb->hash_next = es->hash[h];
    /* Publish: a lock-free reader that finds tb sees it complete. */
    __atomic_store_n(&es->hash[h], tb, __ATOMIC_RELEASE);
    jmp_cache_set(cpu_tcg(cpu), tb);
}

void tb_add_jump(ExecState *es, TranslationBlock *from, int slot, TranslationBlock *to)
{
    if (__atomic_load_n(&from->jmp_dest[slot], __ATOMIC_RELAXED) ||
        from->jmp_insn_offset[slot] == TCG_NO_JUMP) {
        return; /* already chained (the common case: no lock) */
    }
    tb_lock();
    if (tb_is_invalid(from) || tb_is_invalid(to) || from->jmp_dest[slot]) {
        tb_unlock();
        return;
    }
    es->backend->patch_jump(&es->buf, (uintptr_t)from->tc_ptr + from->jmp_insn_offset[slot],
                            (uintptr_t)to->tc_ptr);
    __atomic_store_n(&from->jmp_dest[slot], to, __ATOMIC_RELAXED);
    if (!to->jmp_incoming) {
        to->jmp_incoming = g_ptr_array_new();
    }
    g_ptr_array_add(to->jmp_incoming, (gpointer)((uintptr_t)from | (uintptr_t)slot));
    tb_unlock();
}

static void tb_unchain_incoming(ExecState *es, TranslationBlock *tb)
{
    GPtrArray *in = tb->jmp_incoming;
    if (!in) {
        return;
    }
    for (guint i = 0; i < in->len; i++) {
        uintptr_t v = (uintptr_t)g_ptr_array_index(in, i);
        TranslationBlock *src = (TranslationBlock *)(v & ~(uintptr_t)TB_EXIT_MASK);
        int slot = (int)(v & TB_EXIT_MASK);
        if (src->jmp_dest[slot] == tb) {
            es->backend->patch_jump(&es->buf,
                                    (uintptr_t)src->tc_ptr + src->jmp_insn_offset[slot],
                                    (uintptr_t)src->tc_ptr + src->jmp_reset_offset[slot]);
            __atomic_store_n(&src->jmp_dest[slot], NULL, __ATOMIC_RELAXED);
        }
    }
    g_ptr_array_set_size(in, 0);
}

static void tb_invalidate_one(ExecState *es, TranslationBlock *tb)
{
    if (tb->invalid) {
        return;
    }
    __atomic_store_n(&tb->invalid, true, __ATOMIC_RELEASE);
    /* Out of the hash.  A reader walking the chain may still be on tb:
     * its hash_next stays as it was, so the walk goes on correctly. */
    TranslationBlock **pp = &es->hash[tb_hash(tb->pc, tb->flags)];
    while (*pp && *pp != tb) {
        pp = &(*pp)->hash_next;
    }
    if (*pp) {
        __atomic_store_n(pp, tb->hash_next, __ATOMIC_RELEASE);
    }
    /* Jump caches keep pointing at tb until they are overwritten; every
     * reader checks `invalid`. */
    tb_unchain_incoming(es, tb);
    /* Our own outgoing jumps: drop us from the targets' incoming lists. */
    for (int s = 0; s < TCG_MAX_GOTO_TB; s++) {
        TranslationBlock *dst = tb->jmp_dest[s];
        if (dst && dst->jmp_incoming) {
            g_ptr_array_remove(dst->jmp_incoming, (gpointer)((uintptr_t)tb | (uintptr_t)s));
        }
        __atomic_store_n(&tb->jmp_dest[s], NULL, __ATOMIC_RELAXED);
    }
}

void tb_retire_locked(ExecState *es, TranslationBlock *tb)
{
    if (!tb_is_invalid(tb)) {
        tb_invalidate_one(es, tb);
    }
}

static bool tb_contains_host_pc(const TranslationBlock *tb, uintptr_t pc)
{
    return pc >= (uintptr_t)tb->tc_ptr && pc < (uintptr_t)tb->tc_ptr + tb->tc_size;
}

bool tb_invalidate_range_locked(ExecState *es, uint64_t start, uint64_t end,
                                uintptr_t cur_host_pc)
{
    bool hit_current = false;
    uint64_t first = start & TARGET_PAGE_MASK;
    uint64_t last = (end - 1) & TARGET_PAGE_MASK;
    if (end <= start) {
        return false;
    }
    GPtrArray *pages = g_ptr_array_new();
    if ((last - first) / TARGET_PAGE_SIZE < 4096) {
        for (uint64_t p = first;; p += TARGET_PAGE_SIZE) {
            if (g_hash_table_contains(es->page_tbs, &p)) {
                uint64_t *k = g_new(uint64_t, 1);
                *k = p;
                g_ptr_array_add(pages, k);
            }
            if (p == last) {
                break;
            }
        }
    } else {
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, es->page_tbs);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            uint64_t p = *(uint64_t *)key;
            if (p >= first && p <= last) {
                uint64_t *k = g_new(uint64_t, 1);
                *k = p;
                g_ptr_array_add(pages, k);
            }
        }
    }
    for (guint i = 0; i < pages->len; i++) {
        uint64_t *p = g_ptr_array_index(pages, i);
        GPtrArray *list = g_hash_table_lookup(es->page_tbs, p);
        for (guint j = 0; list && j < list->len; j++) {
            TranslationBlock *tb = g_ptr_array_index(list, j);
            if (tb->invalid) {
                continue;
            }
            /* A TB listed on this page covers part of it; be conservative
             * and drop it whole when its code range overlaps the range. */
            if (tb->code_hi > start && tb->code_lo < end) {
                if (cur_host_pc && tb_contains_host_pc(tb, cur_host_pc)) {
                    hit_current = true;
                }
                tb_invalidate_one(es, tb);
            } else if (tb->page_addr[1] == *p && tb->page_addr[1] >= start) {
                tb_invalidate_one(es, tb);
            }
        }
        /* Keep the list only if something on the page survives. */
        bool any = false;
        for (guint j = 0; list && j < list->len; j++) {
            if (!((TranslationBlock *)g_ptr_array_index(list, j))->invalid) {
                any = true;
            }
        }
        if (!any) {
            g_hash_table_remove(es->page_tbs, p);
            accel_mode->page_code_cleared(*p);
        }
        g_free(p);
    }
    g_ptr_array_free(pages, TRUE);
    return hit_current;
}

/* The part of tb's code on physical page `page` (one of its page_addr),
 * as physical [*lo, *hi).  Superblock gaps count as code (conservative). */
static void tb_phys_extent(const TranslationBlock *tb, uint64_t page, uint64_t *lo,
                           uint64_t *hi)
{
    uint64_t first_off = tb->code_lo & ~TARGET_PAGE_MASK;
    uint64_t len = tb->code_hi - tb->code_lo;
    if (page == tb->page_addr[0]) {
        *lo = page + first_off;
        *hi = page + (first_off + len < TARGET_PAGE_SIZE ? first_off + len : TARGET_PAGE_SIZE);
    } else {
        *lo = page;
        *hi = page + (first_off + len - TARGET_PAGE_SIZE);
    }
}

void tb_invalidate_phys_range_locked(ExecState *es, uint64_t start, uint64_t end)
{
    for (uint64_t p = start & TARGET_PAGE_MASK; p < end; p += TARGET_PAGE_SIZE) {
        GPtrArray *list = g_hash_table_lookup(es->page_tbs, &p);
        if (!list) {
            /* Marked as code by a translation that made no TB there (it
             * faulted, or its TB was not kept): under tb_lock nobody is
             * translating it now, so the mark is stale.  Without this the
             * page's stores would take the slow path for good. */
            accel_mode->page_code_cleared(p);
            continue;
        }
        bool any = false;
        for (guint j = 0; j < list->len; j++) {
            TranslationBlock *tb = g_ptr_array_index(list, j);
            if (tb->invalid) {
                continue;
            }
            uint64_t lo, hi;
            tb_phys_extent(tb, p, &lo, &hi);
            if (hi > start && lo < end) {
                tb_invalidate_one(es, tb);
            } else {
                any = true;
            }
        }
        if (!any) {
            uint64_t key = p;
            g_hash_table_remove(es->page_tbs, &key);
            accel_mode->page_code_cleared(key);
        }
    }
}

void tb_invalidate_range(CpuState *cpu, uint64_t start, uint64_t end)
{
    if (!cpu) {
        return;
    }
    tb_lock();
    tb_invalidate_range_locked(cpu->exec, start, end, 0);
    tb_unlock();
}

TranslationBlock *tb_find_by_host_pc(ExecState *es, uintptr_t host_pc)
{
    size_t lo = 0, hi = __atomic_load_n(&es->nb_tbs, __ATOMIC_ACQUIRE);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        TranslationBlock *tb = es->tbs[mid];
        if (host_pc < (uintptr_t)tb->tc_ptr) {
            hi = mid;
        } else if (host_pc >= (uintptr_t)tb->tc_ptr + tb->tc_size) {
            lo = mid + 1;
        } else {
            return tb;
        }
    }
    return NULL;
}

static void tb_free(TranslationBlock *tb)
{
    if (tb->jmp_incoming) {
        g_ptr_array_free(tb->jmp_incoming, TRUE);
    }
    /* insn_pc is in the block with insn_end and the fault tables: the
     * block starts at fault_wbs if there are any (tb_gen_code). */
    g_free(tb->fault_wbs ? (void *)tb->fault_wbs : (void *)tb->insn_pc);
    g_free(tb);
}

void tb_free_all(ExecState *es)
{
    for (size_t i = 0; i < es->nb_tbs; i++) {
        tb_free(es->tbs[i]);
        es->tbs[i] = NULL;
    }
    es->nb_tbs = 0;
    memset(es->hash, 0, sizeof(es->hash));
    cpu_list_clear_jmp_caches();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, es->page_tbs);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        accel_mode->page_code_cleared(*(uint64_t *)key);
    }
    g_hash_table_remove_all(es->page_tbs);
}
