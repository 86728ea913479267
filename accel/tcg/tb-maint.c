/*
 * Translation-block bookkeeping: the (pc, flags) hash, the per-vCPU jump
 * cache, per-guest-page TB lists, chaining and unchaining, invalidation and
 * flush.
 *
 * Invariants:
 *  - es->tbs holds TBs in code-buffer order, so a host pc maps to its TB by
 *    binary search (precise exceptions).
 *  - A chained jump A.slot -> B is recorded both in A->jmp_dest[slot] and in
 *    B->jmp_incoming, so invalidating B can point A's jump back at its
 *    unchained exit.
 *  - Invalid TBs stay allocated until the next flush (stale pointers in
 *    the jump cache are rejected by the `invalid` flag).
 */
#include <string.h>

#include "accel/tcg/internal.h"

static void page_list_free(gpointer p)
{
    g_ptr_array_free(p, TRUE);
}

void tb_maint_init(ExecState *es)
{
    es->tbs = g_ptr_array_new();
    es->page_tbs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, page_list_free);
}

TranslationBlock *tb_lookup_slow(ExecState *es, uint64_t pc, uint32_t flags)
{
    unsigned j = tb_jmp_cache_hash(pc);
    TranslationBlock *tb;
    for (tb = es->hash[tb_hash(pc, flags)]; tb; tb = tb->hash_next) {
        if (tb->pc == pc && tb->flags == flags) {
            es->jmp_cache[j] = tb;
            return tb;
        }
    }
    return NULL;
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
    tb->hash_next = es->hash[h];
    es->hash[h] = tb;
    es->jmp_cache[tb_jmp_cache_hash(tb->pc)] = tb;
    for (int i = 0; i < 2; i++) {
        if (tb->page_addr[i] != (uint64_t)-1) {
            page_add_tb(es, tb->page_addr[i], tb);
            user_protect_code_page(cpu, tb->page_addr[i]);
        }
    }
}

void tb_add_jump(ExecState *es, TranslationBlock *from, int slot, TranslationBlock *to)
{
    if (from->invalid || to->invalid || from->jmp_dest[slot] ||
        from->jmp_insn_offset[slot] == TCG_NO_JUMP) {
        return;
    }
    es->backend->patch_jump(&es->buf, (uintptr_t)from->tc_ptr + from->jmp_insn_offset[slot],
                            (uintptr_t)to->tc_ptr);
    from->jmp_dest[slot] = to;
    if (!to->jmp_incoming) {
        to->jmp_incoming = g_ptr_array_new();
    }
    g_ptr_array_add(to->jmp_incoming, (gpointer)((uintptr_t)from | (uintptr_t)slot));
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
            src->jmp_dest[slot] = NULL;
        }
    }
    g_ptr_array_set_size(in, 0);
}

static void tb_invalidate_one(ExecState *es, TranslationBlock *tb)
{
    if (tb->invalid) {
        return;
    }
    tb->invalid = true;
    /* out of the hash */
    TranslationBlock **pp = &es->hash[tb_hash(tb->pc, tb->flags)];
    while (*pp && *pp != tb) {
        pp = &(*pp)->hash_next;
    }
    if (*pp) {
        *pp = tb->hash_next;
    }
    unsigned j = tb_jmp_cache_hash(tb->pc);
    if (es->jmp_cache[j] == tb) {
        es->jmp_cache[j] = NULL;
    }
    tb_unchain_incoming(es, tb);
    /* Our own outgoing jumps: drop us from the targets' incoming lists. */
    for (int s = 0; s < TCG_MAX_GOTO_TB; s++) {
        TranslationBlock *dst = tb->jmp_dest[s];
        if (dst && dst->jmp_incoming) {
            g_ptr_array_remove(dst->jmp_incoming, (gpointer)((uintptr_t)tb | (uintptr_t)s));
        }
        tb->jmp_dest[s] = NULL;
    }
}

static bool tb_contains_host_pc(const TranslationBlock *tb, uintptr_t pc)
{
    return pc >= (uintptr_t)tb->tc_ptr && pc < (uintptr_t)tb->tc_ptr + tb->tc_size;
}

bool tb_invalidate_range_cur(CpuState *cpu, uint64_t start, uint64_t end, uintptr_t cur_host_pc)
{
    ExecState *es = cpu->exec;
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
            user_page_code_cleared(*p);
        }
        g_free(p);
    }
    g_ptr_array_free(pages, TRUE);
    return hit_current;
}

void tb_invalidate_range(CpuState *cpu, uint64_t start, uint64_t end)
{
    tb_invalidate_range_cur(cpu, start, end, 0);
}

TranslationBlock *tb_find_by_host_pc(ExecState *es, uintptr_t host_pc)
{
    GPtrArray *a = es->tbs;
    guint lo = 0, hi = a->len;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        TranslationBlock *tb = g_ptr_array_index(a, mid);
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
    g_free(tb->insn_pc);
    g_free(tb->insn_end);
    g_free(tb->fault_sites);
    g_free(tb->fault_wbs);
    g_free(tb);
}

void tb_free_all(ExecState *es)
{
    for (guint i = 0; i < es->tbs->len; i++) {
        tb_free(g_ptr_array_index(es->tbs, i));
    }
    g_ptr_array_set_size(es->tbs, 0);
    memset(es->hash, 0, sizeof(es->hash));
    memset(es->jmp_cache, 0, sizeof(es->jmp_cache));
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, es->page_tbs);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        user_page_code_cleared(*(uint64_t *)key);
    }
    g_hash_table_remove_all(es->page_tbs);
}
