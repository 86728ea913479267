/*
 * accel/tcg: the per-vCPU jump cache (internal.h) and the slow lookup's
 * victim cache (tb-maint.c: tb_lookup_slow), on fake TBs.
 *
 *  - jmp_cache_clear_page drops exactly the entries whose TB starts in the
 *    page or in the page before it, whether the slots filled since the last
 *    clear are listed or not, and whatever the page filter had seen;
 *  - a TB pushed out of its slot, or cleared by a full flush, is found
 *    again by tb_lookup_slow without the hash, but only if it still passes
 *    a hash hit's checks (flags, invalid, physical page);
 *  - jmp_cache_clear_unless (an address-space switch) keeps exactly the
 *    TBs its predicate accepts, which sees each TB's pc, flags and single
 *    physical page (none for a TB across two pages) without the TB; the
 *    dropped ones stay within reach of the slow lookup, the kept ones are
 *    still cleared by a later page or full clear;
 *  - jmp_cache_reset forgets every TB.
 */
#include <stdio.h>
#include <stdlib.h>

#include "accel/tcg/internal.h"

static int failures;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                    \
            failures++;                                                        \
        }                                                                      \
    } while (0)

#define PHYS_OFFSET 0x80000000ull

/* System mode's code_phys, faked: every page maps PHYS_OFFSET higher,
 * but remapped_page (if set) maps elsewhere. */
static uint64_t remapped_page = UINT64_MAX;

static uint64_t fake_code_phys(CpuState *cpu, uint64_t pc)
{
    (void)cpu;
    uint64_t page = pc & TARGET_PAGE_MASK;
    return page == remapped_page ? 0x1000 : page + PHYS_OFFSET;
}

static const AccelMode fake_system_mode = {
    .system = true,
    .code_phys = fake_code_phys,
};

static TranslationBlock *make_tb(uint64_t pc, uint32_t flags)
{
    TranslationBlock *tb = g_new0(TranslationBlock, 1);
    tb->pc = pc;
    tb->flags = flags;
    tb->page_addr[0] = (pc & TARGET_PAGE_MASK) + PHYS_OFFSET;
    tb->page_addr[1] = (uint64_t)-1;
    return tb;
}

static bool cached(CpuTcg *ct, const TranslationBlock *tb)
{
    return ct->jmp_cache[tb_jmp_cache_hash(tb->pc)] == tb;
}

static CpuState *make_cpu(void)
{
    CpuState *cpu = g_new0(CpuState, 1);
    cpu->exec = g_new0(ExecState, 1); /* an empty hash */
    cpu->tcg_state = g_new0(CpuTcg, 1);
    return cpu;
}

static void free_cpu(CpuState *cpu)
{
    g_free(cpu->tcg_state);
    g_free(cpu->exec);
    g_free(cpu);
}

/* n TBs 0x40 apart from base, each in its own slot; clear `page` and check
 * that exactly those starting in it or the page before are gone. */
static void check_clear_page(unsigned n, uint64_t base, uint64_t page)
{
    CpuState *cpu = make_cpu();
    CpuTcg *ct = cpu_tcg(cpu);
    TranslationBlock **tbs = g_new(TranslationBlock *, n);
    for (unsigned i = 0; i < n; i++) {
        tbs[i] = make_tb(base + 0x40ull * i, 0);
        jmp_cache_set(ct, tbs[i]);
    }
    for (unsigned i = 0; i < n; i++) {
        CHECK(cached(ct, tbs[i]));
    }
    /* A page no TB is near: nothing moves. */
    jmp_cache_clear_page(ct, base + 0x100000000ull);
    for (unsigned i = 0; i < n; i++) {
        CHECK(cached(ct, tbs[i]));
    }
    jmp_cache_clear_page(ct, page);
    for (unsigned i = 0; i < n; i++) {
        uint64_t p = tbs[i]->pc & TARGET_PAGE_MASK;
        bool drop = p == page || p + TARGET_PAGE_SIZE == page;
        CHECK(cached(ct, tbs[i]) == !drop);
    }
    /* After the walk rebuilt the filter: a new TB in a page of its own,
     * then a clear of that page, drops it. */
    TranslationBlock *late = make_tb(base + 0x40ull * n + 3 * TARGET_PAGE_SIZE, 0);
    jmp_cache_set(ct, late);
    CHECK(cached(ct, late));
    jmp_cache_clear_page(ct, late->pc & TARGET_PAGE_MASK);
    CHECK(!cached(ct, late));
    /* And the survivors of the first clear are still dropped by theirs. */
    for (unsigned i = 0; i < n; i++) {
        if (cached(ct, tbs[i])) {
            jmp_cache_clear_page(ct, tbs[i]->pc & TARGET_PAGE_MASK);
            CHECK(!cached(ct, tbs[i]));
        }
    }
    for (unsigned i = 0; i < n; i++) {
        g_free(tbs[i]);
    }
    g_free(tbs);
    g_free(late);
    free_cpu(cpu);
}

static void test_clear_page(void)
{
    /* Few slots (listed), then more than jmp_filled holds (every slot
     * walked); pages from the first, a middle one and the last. */
    check_clear_page(20, 0x10000, 0x10000);
    check_clear_page(20, 0x10fc0, 0x11000); /* a TB in the page before */
    check_clear_page(100, 0x3000, 0x5000);  /* 0x4000's go, 0x3000's stay */
    check_clear_page(3000, 0xffffffff80000000ull, 0xffffffff80010000ull);
    check_clear_page(3000, 0xffffffff80000000ull, 0xffffffff80000000ull);
    check_clear_page(3000, 0x400000, 0x400000 + 0x40ull * 2999 / TARGET_PAGE_SIZE *
                                                 TARGET_PAGE_SIZE);
}

/* Keep: flags 1, one page, that page mapped as it was (a kernel's global
 * mappings, say); the page of pc 0xffffffff80004000 is not. */
static bool keep_global(CpuState *cpu, uint64_t pc, uint32_t flags, uint64_t phys)
{
    (void)cpu;
    uint64_t page = pc & TARGET_PAGE_MASK;
    return flags == 1 && phys != UINT64_MAX && page != 0xffffffff80004000ull &&
           phys == page + PHYS_OFFSET;
}

static void check_clear_unless(unsigned n)
{
    accel_mode = &fake_system_mode;
    CpuState *cpu = make_cpu();
    CpuTcg *ct = cpu_tcg(cpu);
    TranslationBlock **tbs = g_new(TranslationBlock *, n);
    for (unsigned i = 0; i < n; i++) {
        tbs[i] = make_tb(0xffffffff80000000ull + 0x40ull * i, i % 3 == 0 ? 2 : 1);
        if (i % 5 == 0) {
            tbs[i]->page_addr[1] = tbs[i]->page_addr[0] + TARGET_PAGE_SIZE;
        }
        jmp_cache_set(ct, tbs[i]);
    }
    jmp_cache_clear_unless(ct, cpu, keep_global);
    unsigned nkept = 0;
    for (unsigned i = 0; i < n; i++) {
        bool keep = i % 3 != 0 && i % 5 != 0 &&
                    (tbs[i]->pc & TARGET_PAGE_MASK) != 0xffffffff80004000ull;
        CHECK(cached(ct, tbs[i]) == keep);
        nkept += keep;
        /* A dropped one comes back from its victim slot. */
        if (!keep) {
            CHECK(tb_lookup_slow(cpu, tbs[i]->pc, tbs[i]->flags) == tbs[i]);
        }
    }
    CHECK(nkept > 0);
    /* The kept ones are listed again: a clear of one's page drops it, a
     * full clear all. */
    jmp_cache_clear_unless(ct, cpu, keep_global);
    for (unsigned i = 0; i < n; i++) {
        if (cached(ct, tbs[i])) {
            jmp_cache_clear_page(ct, tbs[i]->pc & TARGET_PAGE_MASK);
            CHECK(!cached(ct, tbs[i]));
            jmp_cache_set(ct, tbs[i]);
        }
    }
    jmp_cache_clear(ct);
    for (unsigned i = 0; i < n; i++) {
        CHECK(!cached(ct, tbs[i]));
        g_free(tbs[i]);
    }
    g_free(tbs);
    free_cpu(cpu);
    accel_mode = &accel_user_mode;
}

static void test_clear_unless(void)
{
    check_clear_unless(60);   /* listed slots */
    check_clear_unless(3000); /* more than jmp_filled holds */
}

static void test_victim(const AccelMode *mode)
{
    accel_mode = mode;
    CpuState *cpu = make_cpu();
    CpuTcg *ct = cpu_tcg(cpu);
    /* a and b share a slot: bits 25 and up are outside the hash. */
    TranslationBlock *a = make_tb(0x12344, 3);
    TranslationBlock *b = make_tb(0x12344 + (1ull << 25), 3);
    CHECK(tb_jmp_cache_hash(a->pc) == tb_jmp_cache_hash(b->pc));

    CHECK(tb_lookup_slow(cpu, a->pc, 3) == NULL); /* never seen */
    jmp_cache_set(ct, a);
    jmp_cache_set(ct, b);
    CHECK(cached(ct, b));
    /* a comes back from the victim slot (the hash is empty), b goes there */
    CHECK(tb_lookup_slow(cpu, a->pc, 3) == a);
    CHECK(cached(ct, a));
    CHECK(tb_lookup_slow(cpu, b->pc, 3) == b);
    CHECK(cached(ct, b));
    CHECK(tb_lookup_slow(cpu, a->pc, 4) == NULL); /* other flags */

    /* A full clear keeps what it drops within reach. */
    jmp_cache_clear(ct);
    CHECK(!cached(ct, b));
    CHECK(tb_lookup_slow(cpu, b->pc, 3) == b);

    /* An invalid TB is not taken. */
    jmp_cache_set(ct, a); /* b to the victim slot */
    b->invalid = true;
    CHECK(tb_lookup_slow(cpu, b->pc, 3) == NULL);
    CHECK(cached(ct, a));
    b->invalid = false;

    /* Nor, in system mode, one whose page maps elsewhere now. */
    if (mode->code_phys) {
        jmp_cache_clear(ct); /* a to the victim slot */
        remapped_page = a->pc & TARGET_PAGE_MASK;
        CHECK(tb_lookup_slow(cpu, a->pc, 3) == NULL);
        remapped_page = UINT64_MAX;
        CHECK(tb_lookup_slow(cpu, a->pc, 3) == a);
    }

    /* A reset (TBs about to be freed) forgets them all. */
    jmp_cache_set(ct, b);
    jmp_cache_reset(ct);
    CHECK(!cached(ct, a) && !cached(ct, b));
    CHECK(tb_lookup_slow(cpu, a->pc, 3) == NULL);
    CHECK(tb_lookup_slow(cpu, b->pc, 3) == NULL);

    g_free(a);
    g_free(b);
    free_cpu(cpu);
    accel_mode = &accel_user_mode;
}

int main(void)
{
    test_clear_page();
    test_clear_unless();
    test_victim(&accel_user_mode);
    test_victim(&fake_system_mode);
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("jmp-cache: ok\n");
    return 0;
}
