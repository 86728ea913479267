/*
 * Unit tests for the RISC-V Sv39/Sv48 walk (target/riscv/mmu.c) over page
 * tables built in a RAM region of a real AddressSpace: 4K, 2M, 1G and
 * (Sv48) 512G pages, misaligned superpages, U/SUM, MXR, MPRV, the reserved
 * W-without-R encoding and reserved bits, A/D updates (exactly when the
 * spec sets them), non-canonical addresses, access faults for PTEs
 * that cannot be read or updated (unmapped, ROM), and PTEs in a device
 * (read under the big lock, never updated).
 */
#include <glib.h>

#include "rove/bql.h"
#include "rove/memory.h"
#include "target/riscv/priv.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (8ull << 20)
#define ROM_BASE 0x1000ull
#define ROM_SIZE 0x4000ull

#define V (1ull << 0)
#define R (1ull << 1)
#define W (1ull << 2)
#define X (1ull << 3)
#define U (1ull << 4)
#define A (1ull << 6)
#define D (1ull << 7)

typedef struct Fixture {
    MemoryRegion root, ram, rom;
    AddressSpace as;
    uint64_t next_table; /* bump allocator for page tables */
    RiscvPrivState s;
} Fixture;

static Fixture f;

static void fixture_init(unsigned satp_mode)
{
    memory_region_init_container(&f.root, "root", 0);
    g_assert_true(memory_region_init_ram(&f.ram, "ram", RAM_SIZE));
    g_assert_true(memory_region_init_rom(&f.rom, "rom", ROM_SIZE));
    memory_region_add_subregion(&f.root, RAM_BASE, &f.ram);
    memory_region_add_subregion(&f.root, ROM_BASE, &f.rom);
    address_space_init(&f.as, &f.root, "phys");
    f.next_table = RAM_BASE;
    f.s = (RiscvPrivState){0};
    riscv_priv_reset(&f.s);
    f.s.satp = ((uint64_t)satp_mode << 60) | (RAM_BASE >> 12); /* root = first table */
    f.next_table += 0x1000;
    f.s.priv = RV_PRIV_S;
}

static void fixture_fini(void)
{
    address_space_destroy(&f.as);
    memory_region_del_subregion(&f.root, &f.ram);
    memory_region_del_subregion(&f.root, &f.rom);
    memory_region_destroy(&f.ram);
    memory_region_destroy(&f.rom);
    memory_region_destroy(&f.root);
}

static uint64_t new_table(void)
{
    uint64_t t = f.next_table;
    f.next_table += 0x1000;
    g_assert_cmphex(f.next_table, <=, RAM_BASE + RAM_SIZE / 2);
    return t;
}

static uint64_t mkpte(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}

static uint64_t vpn(uint64_t va, int level)
{
    return (va >> (12 + 9 * level)) & 511;
}

static void set_pte(uint64_t table, uint64_t idx, uint64_t pte)
{
    g_assert_cmpint(address_space_stq(&f.as, table + idx * 8, pte), ==, MEMTX_OK);
}

static uint64_t get_pte(uint64_t table, uint64_t idx)
{
    uint64_t v;
    g_assert_cmpint(address_space_ldq(&f.as, table + idx * 8, &v), ==, MEMTX_OK);
    return v;
}

static uint64_t root_table(void)
{
    return (f.s.satp & RV_SATP_PPN_MASK) << 12;
}

/*
 * Map va with a leaf at `level` (0 = 4K) holding `pte`; creates the
 * intermediate tables.  Returns the table address holding the leaf.
 */
static uint64_t map(uint64_t va, int level, uint64_t pte)
{
    int levels = (f.s.satp >> 60) == RV_SATP_SV48 ? 4 : 3;
    uint64_t table = root_table();

    for (int i = levels - 1; i > level; i--) {
        uint64_t e = get_pte(table, vpn(va, i));
        if (!(e & V)) {
            uint64_t t = new_table();
            e = mkpte(t, V);
            set_pte(table, vpn(va, i), e);
        }
        table = (e >> 10) << 12;
    }
    set_pte(table, vpn(va, level), pte);
    return table;
}

static int xlate(uint64_t va, RiscvAccessType type, RiscvTranslation *t)
{
    RiscvTranslation tmp;
    return riscv_mmu_translate(&f.s, &f.as, va, type, t ? t : &tmp);
}

static void expect_pf(uint64_t va, RiscvAccessType type)
{
    static const int codes[] = { 12, 13, 15 };
    g_assert_cmpint(xlate(va, type, NULL), ==, codes[type]);
}

static void expect_ok(uint64_t va, RiscvAccessType type, uint64_t pa, uint64_t size)
{
    RiscvTranslation t;
    g_assert_cmpint(xlate(va, type, &t), ==, 0);
    g_assert_cmphex(t.paddr, ==, pa);
    g_assert_cmphex(t.page_size, ==, size);
}

/* ---- page sizes ---- */

static void test_sv39_sizes(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t rwx = V | R | W | X | A | D;

    /* 4K */
    uint64_t va = (1ull << 30) | (1ull << 21) | (1ull << 12) | 0x234;
    map(va, 0, mkpte(0x80100000, rwx));
    expect_ok(va, RV_ACCESS_LOAD, 0x80100234, 0x1000);
    expect_ok(va, RV_ACCESS_STORE, 0x80100234, 0x1000);
    expect_ok(va, RV_ACCESS_FETCH, 0x80100234, 0x1000);
    RiscvTranslation t;
    g_assert_cmpint(xlate(va, RV_ACCESS_LOAD, &t), ==, 0);
    g_assert_cmpuint(t.prot, ==, RV_PROT_READ | RV_PROT_WRITE | RV_PROT_EXEC);
    /* the neighbouring page is not mapped */
    expect_pf(va + 0x1000, RV_ACCESS_LOAD);

    /* 2M */
    va = (2ull << 30) | (3ull << 21) | 0x12345;
    map(va, 1, mkpte(0x80200000, rwx));
    expect_ok(va, RV_ACCESS_LOAD, 0x80212345, 2ull << 20);
    expect_ok(va + 0x100000, RV_ACCESS_STORE, 0x80312345, 2ull << 20);

    /* 1G */
    va = (3ull << 30) | 0x123456;
    map(va, 2, mkpte(0x80000000, rwx));
    expect_ok(va, RV_ACCESS_FETCH, 0x80123456, 1ull << 30);
    expect_ok(va + 0x3fe00000, RV_ACCESS_LOAD, 0x80000000 + 0x3fe00000 + 0x123456,
              1ull << 30);

    /* the top half: 0xffffffc000000000 is canonical (vpn2 = 256) */
    va = 0xffffffc000000000ull | 0x5000;
    map(va, 0, mkpte(0x80400000, rwx));
    expect_ok(va, RV_ACCESS_LOAD, 0x80400000, 0x1000);
    fixture_fini();
}

static void test_misaligned_superpages(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t rwx = V | R | W | X | A | D;

    uint64_t va = (2ull << 30) | (3ull << 21);
    map(va, 1, mkpte(0x80201000, rwx)); /* ppn[0] != 0 */
    expect_pf(va, RV_ACCESS_LOAD);
    expect_pf(va, RV_ACCESS_STORE);
    expect_pf(va, RV_ACCESS_FETCH);

    va = 3ull << 30;
    map(va, 2, mkpte(0x80200000, rwx)); /* ppn[1] != 0 */
    expect_pf(va, RV_ACCESS_LOAD);
    map(va, 2, mkpte(0x80001000, rwx)); /* ppn[0] != 0 */
    expect_pf(va, RV_ACCESS_LOAD);
    map(va, 2, mkpte(0x40000000, rwx)); /* aligned */
    expect_ok(va + 5, RV_ACCESS_LOAD, 0x40000005, 1ull << 30);
    fixture_fini();
}

static void test_sv48(void)
{
    fixture_init(RV_SATP_SV48);
    uint64_t rwx = V | R | W | X | A | D;

    /* 512G page at vpn3 = 1 -> pa 512G */
    uint64_t va = (1ull << 39) | 0x1234567;
    map(va, 3, mkpte(1ull << 39, rwx));
    expect_ok(va, RV_ACCESS_LOAD, (1ull << 39) | 0x1234567, 1ull << 39);
    /* misaligned 512G page */
    va = 2ull << 39;
    map(va, 3, mkpte((1ull << 39) | (1ull << 30), rwx));
    expect_pf(va, RV_ACCESS_LOAD);

    /* a four-level 4K walk, and 1G / 2M pages one level lower than Sv39 */
    va = (3ull << 39) | (5ull << 30) | (6ull << 21) | (7ull << 12) | 0x89;
    map(va, 0, mkpte(0x80300000, rwx));
    expect_ok(va, RV_ACCESS_STORE, 0x80300089, 0x1000);
    va = (3ull << 39) | (8ull << 30) | 0x42;
    map(va, 2, mkpte(0xc0000000, rwx));
    expect_ok(va, RV_ACCESS_FETCH, 0xc0000042, 1ull << 30);
    va = (3ull << 39) | (9ull << 30) | (1ull << 21);
    map(va, 1, mkpte(0x80200000, rwx));
    expect_ok(va + 7, RV_ACCESS_LOAD, 0x80200007, 2ull << 20);

    /* canonical upper half for Sv48: bits 63:48 copy bit 47 */
    va = 0xffff800000000000ull | 0x3000;
    map(va, 0, mkpte(0x80500000, rwx));
    expect_ok(va, RV_ACCESS_LOAD, 0x80500000, 0x1000);
    fixture_fini();
}

static void test_non_canonical(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t rwx = V | R | W | X | A | D;
    /* map everything the bad addresses would index, so only the check can fail */
    map(0, 2, mkpte(0, rwx));
    map(0xffffffc000000000ull, 2, mkpte(0, rwx));
    map(256ull << 30, 2, mkpte(0, rwx));

    expect_ok(0x1000, RV_ACCESS_LOAD, 0x1000, 1ull << 30);
    uint64_t bad[] = {
        1ull << 38,                  /* bit 38 set, upper clear */
        1ull << 39,                  /* bit 39 set, 38 clear */
        0x8000000000000000ull,
        0xffffffbfffffffffull,       /* upper set, bit 38 clear */
        0x0000008000000000ull,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        expect_pf(bad[i], RV_ACCESS_LOAD);
        expect_pf(bad[i], RV_ACCESS_STORE);
        expect_pf(bad[i], RV_ACCESS_FETCH);
    }
    fixture_fini();

    fixture_init(RV_SATP_SV48);
    map(0, 3, mkpte(0, rwx));
    map(256ull << 39, 3, mkpte(0, rwx));
    expect_ok(1ull << 38, RV_ACCESS_LOAD, 1ull << 38, 1ull << 39); /* fine in Sv48 */
    expect_pf(1ull << 47, RV_ACCESS_LOAD);
    expect_pf(1ull << 48, RV_ACCESS_STORE);
    expect_pf(0xffff7fffffffffffull, RV_ACCESS_FETCH);
    fixture_fini();
}

/* ---- permissions ---- */

static void test_user_sum(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t upage = 0x10000, spage = 0x20000;
    map(upage, 0, mkpte(0x80100000, V | R | W | X | U | A | D));
    map(spage, 0, mkpte(0x80101000, V | R | W | X | A | D));

    /* S without SUM: no access to U pages */
    expect_pf(upage, RV_ACCESS_LOAD);
    expect_pf(upage, RV_ACCESS_STORE);
    expect_pf(upage, RV_ACCESS_FETCH);
    expect_ok(spage, RV_ACCESS_LOAD, 0x80101000, 0x1000);
    /* S with SUM: loads and stores, never fetches */
    f.s.mstatus |= RV_MSTATUS_SUM;
    expect_ok(upage, RV_ACCESS_LOAD, 0x80100000, 0x1000);
    expect_ok(upage, RV_ACCESS_STORE, 0x80100000, 0x1000);
    expect_pf(upage, RV_ACCESS_FETCH);
    RiscvTranslation t;
    g_assert_cmpint(xlate(upage, RV_ACCESS_LOAD, &t), ==, 0);
    g_assert_cmpuint(t.prot, ==, RV_PROT_READ | RV_PROT_WRITE);

    /* U: only U pages, SUM irrelevant */
    f.s.priv = RV_PRIV_U;
    expect_ok(upage, RV_ACCESS_FETCH, 0x80100000, 0x1000);
    expect_ok(upage, RV_ACCESS_STORE, 0x80100000, 0x1000);
    expect_pf(spage, RV_ACCESS_LOAD);
    expect_pf(spage, RV_ACCESS_FETCH);
    f.s.mstatus &= ~RV_MSTATUS_SUM;
    expect_pf(spage, RV_ACCESS_STORE);
    expect_ok(upage, RV_ACCESS_LOAD, 0x80100000, 0x1000);

    /* M ignores satp */
    f.s.priv = RV_PRIV_M;
    expect_ok(upage, RV_ACCESS_LOAD, upage, 0x1000);
    fixture_fini();
}

static void test_mprv(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t upage = 0x10000;
    map(upage, 0, mkpte(0x80100000, V | R | W | U | A | D));
    f.s.priv = RV_PRIV_M;

    f.s.mstatus |= RV_MSTATUS_MPRV; /* MPP = U after reset */
    expect_ok(upage, RV_ACCESS_LOAD, 0x80100000, 0x1000);
    expect_ok(upage, RV_ACCESS_STORE, 0x80100000, 0x1000);
    expect_ok(upage, RV_ACCESS_FETCH, upage, 0x1000); /* fetches: M, no translation */
    /* MPP = S: the U page needs SUM */
    f.s.mstatus |= 1ull << RV_MSTATUS_MPP_SHIFT;
    expect_pf(upage, RV_ACCESS_LOAD);
    f.s.mstatus |= RV_MSTATUS_SUM;
    expect_ok(upage, RV_ACCESS_LOAD, 0x80100000, 0x1000);
    /* MPP = M: no translation */
    f.s.mstatus |= RV_MSTATUS_MPP;
    expect_ok(upage, RV_ACCESS_STORE, upage, 0x1000);
    /* MPRV is ignored below M... is the caller's business (it is cleared by
     * xRET); with MPRV = 0 M accesses are untranslated */
    f.s.mstatus &= ~(RV_MSTATUS_MPRV | RV_MSTATUS_MPP);
    expect_ok(upage, RV_ACCESS_LOAD, upage, 0x1000);
    /* satp Bare: untranslated in S */
    f.s.priv = RV_PRIV_S;
    f.s.satp = 0;
    expect_ok(0x123456789ull, RV_ACCESS_FETCH, 0x123456789ull, 0x1000);
    fixture_fini();
}

static void test_rwx_mxr(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t xo = 0x10000, ro = 0x11000, rw = 0x12000, wo = 0x13000, wx = 0x14000;
    map(xo, 0, mkpte(0x80100000, V | X | A | D));
    map(ro, 0, mkpte(0x80101000, V | R | A | D));
    map(rw, 0, mkpte(0x80102000, V | R | W | A | D));
    map(wo, 0, mkpte(0x80103000, V | W | A | D));
    map(wx, 0, mkpte(0x80104000, V | W | X | A | D));

    expect_ok(xo, RV_ACCESS_FETCH, 0x80100000, 0x1000);
    expect_pf(xo, RV_ACCESS_LOAD);
    expect_pf(xo, RV_ACCESS_STORE);
    expect_pf(ro, RV_ACCESS_FETCH);
    expect_ok(ro, RV_ACCESS_LOAD, 0x80101000, 0x1000);
    expect_pf(ro, RV_ACCESS_STORE);
    expect_ok(rw, RV_ACCESS_STORE, 0x80102000, 0x1000);
    expect_pf(rw, RV_ACCESS_FETCH);
    /* W without R is reserved: a page fault whatever the access */
    for (int type = 0; type < 3; type++) {
        expect_pf(wo, type);
        expect_pf(wx, type);
    }

    /* MXR makes executable pages readable (not writable) */
    f.s.mstatus |= RV_MSTATUS_MXR;
    expect_ok(xo, RV_ACCESS_LOAD, 0x80100000, 0x1000);
    expect_pf(xo, RV_ACCESS_STORE);
    expect_pf(wx, RV_ACCESS_LOAD);
    RiscvTranslation t;
    g_assert_cmpint(xlate(xo, RV_ACCESS_FETCH, &t), ==, 0);
    g_assert_cmpuint(t.prot, ==, RV_PROT_READ | RV_PROT_EXEC);

    /* MXR with a U execute-only page: S needs SUM too */
    uint64_t uxo = 0x15000;
    map(uxo, 0, mkpte(0x80105000, V | X | U | A | D));
    expect_pf(uxo, RV_ACCESS_LOAD);
    f.s.mstatus |= RV_MSTATUS_SUM;
    expect_ok(uxo, RV_ACCESS_LOAD, 0x80105000, 0x1000);
    f.s.priv = RV_PRIV_U;
    expect_ok(uxo, RV_ACCESS_LOAD, 0x80105000, 0x1000);
    f.s.mstatus &= ~RV_MSTATUS_MXR;
    expect_pf(uxo, RV_ACCESS_LOAD);
    fixture_fini();
}

static void test_bad_ptes(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t rwx = V | R | W | X | A | D;
    uint64_t va = 0x10000;
    uint64_t leaf_table = map(va, 0, mkpte(0x80100000, rwx));
    expect_ok(va, RV_ACCESS_LOAD, 0x80100000, 0x1000);

    /* V = 0 */
    set_pte(leaf_table, vpn(va, 0), mkpte(0x80100000, rwx & ~V));
    expect_pf(va, RV_ACCESS_LOAD);
    /* bits 63:54 (N, PBMT, reserved) without Svnapot / Svpbmt */
    for (int bit = 54; bit < 64; bit++) {
        set_pte(leaf_table, vpn(va, 0), mkpte(0x80100000, rwx) | (1ull << bit));
        expect_pf(va, RV_ACCESS_LOAD);
    }
    /* a pointer at level 0 */
    set_pte(leaf_table, vpn(va, 0), mkpte(0x80100000, V));
    expect_pf(va, RV_ACCESS_LOAD);
    set_pte(leaf_table, vpn(va, 0), mkpte(0x80100000, rwx));
    expect_ok(va, RV_ACCESS_LOAD, 0x80100000, 0x1000);

    /* A, D or U in a non-leaf PTE are reserved */
    uint64_t root = root_table();
    uint64_t l1 = get_pte(root, 0);
    for (uint64_t bit = U; bit <= D; bit <<= 1) {
        if (bit == (1ull << 5)) {
            continue; /* G is allowed */
        }
        set_pte(root, 0, l1 | bit);
        expect_pf(va, RV_ACCESS_LOAD);
    }
    set_pte(root, 0, l1 | (1ull << 5));
    expect_ok(va, RV_ACCESS_LOAD, 0x80100000, 0x1000);
    fixture_fini();
}

/* ---- A and D ---- */

static void test_accessed_dirty(void)
{
    fixture_init(RV_SATP_SV39);
    uint64_t va = 0x10000;
    uint64_t base = mkpte(0x80100000, V | R | W | X);
    uint64_t tbl = map(va, 0, base);
    uint64_t idx = vpn(va, 0);
    uint64_t root = root_table();
    uint64_t root_before = get_pte(root, 0);
    RiscvTranslation t;

    /* fetch and load set A only; the TLB may not cache W while D = 0 */
    g_assert_cmpint(xlate(va, RV_ACCESS_FETCH, &t), ==, 0);
    g_assert_cmphex(get_pte(tbl, idx), ==, base | A);
    set_pte(tbl, idx, base);
    g_assert_cmpint(xlate(va, RV_ACCESS_LOAD, &t), ==, 0);
    g_assert_cmphex(get_pte(tbl, idx), ==, base | A);
    g_assert_cmpuint(t.prot, ==, RV_PROT_READ | RV_PROT_EXEC);
    /* a store sets A and D */
    set_pte(tbl, idx, base);
    g_assert_cmpint(xlate(va, RV_ACCESS_STORE, &t), ==, 0);
    g_assert_cmphex(get_pte(tbl, idx), ==, base | A | D);
    g_assert_cmpuint(t.prot, ==, RV_PROT_READ | RV_PROT_WRITE | RV_PROT_EXEC);
    /* with D already set a load reports W */
    g_assert_cmpint(xlate(va, RV_ACCESS_LOAD, &t), ==, 0);
    g_assert_true(t.prot & RV_PROT_WRITE);
    /* non-leaf PTEs are never updated */
    g_assert_cmphex(get_pte(root, 0), ==, root_before);

    /* a faulting access leaves A and D alone */
    uint64_t ro = mkpte(0x80100000, V | R);
    set_pte(tbl, idx, ro);
    expect_pf(va, RV_ACCESS_STORE);
    expect_pf(va, RV_ACCESS_FETCH);
    g_assert_cmphex(get_pte(tbl, idx), ==, ro);
    f.s.priv = RV_PRIV_U;
    expect_pf(va, RV_ACCESS_LOAD); /* not a U page */
    g_assert_cmphex(get_pte(tbl, idx), ==, ro);
    f.s.priv = RV_PRIV_S;
    /* misaligned superpage: no update either */
    uint64_t va2 = 5ull << 21;
    uint64_t tbl2 = map(va2, 1, mkpte(0x80201000, V | R | W));
    expect_pf(va2, RV_ACCESS_STORE);
    g_assert_cmphex(get_pte(tbl2, vpn(va2, 1)), ==, mkpte(0x80201000, V | R | W));
    /* superpage leaves get A/D too */
    set_pte(tbl2, vpn(va2, 1), mkpte(0x80200000, V | R | W));
    expect_ok(va2 + 0x1234, RV_ACCESS_STORE, 0x80201234, 2ull << 20);
    g_assert_cmphex(get_pte(tbl2, vpn(va2, 1)), ==, mkpte(0x80200000, V | R | W | A | D));
    fixture_fini();
}

/* ---- access faults ---- */

static void test_access_faults(void)
{
    static const int codes[] = { 1, 5, 7 };
    fixture_init(RV_SATP_SV39);
    uint64_t va = 0x10000;
    map(va, 0, mkpte(0x80100000, V | R | W | X | A | D));

    /* the root table is outside any region */
    uint64_t satp = f.s.satp;
    f.s.satp = (8ull << 60) | (0x40000000 >> 12);
    for (int type = 0; type < 3; type++) {
        g_assert_cmpint(xlate(va, type, NULL), ==, codes[type]);
    }
    /* a pointer to nowhere at level 1 */
    f.s.satp = satp;
    uint64_t root = root_table();
    uint64_t l1 = get_pte(root, 0);
    set_pte(root, 0, mkpte(0x40000000, V));
    g_assert_cmpint(xlate(va, RV_ACCESS_STORE, NULL), ==, 7);
    set_pte(root, 0, l1);

    /* page tables in ROM: readable, but A/D cannot be set there */
    uint64_t rom_root = ROM_BASE, rom_l1 = ROM_BASE + 0x1000, rom_l0 = ROM_BASE + 0x2000;
    uint64_t e;
    e = mkpte(rom_l1, V);
    g_assert_cmpint(address_space_write_rom(&f.as, rom_root, &e, 8), ==, MEMTX_OK);
    e = mkpte(rom_l0, V);
    g_assert_cmpint(address_space_write_rom(&f.as, rom_l1, &e, 8), ==, MEMTX_OK);
    e = mkpte(0x80100000, V | R | W | A | D);
    g_assert_cmpint(address_space_write_rom(&f.as, rom_l0 + 8 * 1, &e, 8), ==, MEMTX_OK);
    e = mkpte(0x80101000, V | R | W | A);
    g_assert_cmpint(address_space_write_rom(&f.as, rom_l0 + 8 * 2, &e, 8), ==, MEMTX_OK);
    f.s.satp = (8ull << 60) | (rom_root >> 12);
    expect_ok(0x1008, RV_ACCESS_STORE, 0x80100008, 0x1000);
    expect_ok(0x2008, RV_ACCESS_LOAD, 0x80101008, 0x1000);
    g_assert_cmpint(xlate(0x2008, RV_ACCESS_STORE, NULL), ==, 7); /* D needed */
    fixture_fini();
}

/* ---- PTEs in a device ---- */

/* A device whose registers read as one PTE each; it notes whether every
 * read ran under the big lock, as device callbacks must. */
static unsigned dev_reads, dev_reads_unlocked;
static uint64_t dev_pte;

static MemTxResult dev_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    dev_reads++;
    if (!bql_locked()) {
        dev_reads_unlocked++;
    }
    *value = dev_pte;
    return MEMTX_OK;
}

static MemTxResult dev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    return MEMTX_OK;
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .min_access_size = 8,
    .max_access_size = 8,
};

static void test_pte_in_device(void)
{
    MemoryRegion dev;
    fixture_init(RV_SATP_SV39);
    memory_region_init_io(&dev, "pte-dev", &dev_ops, NULL, 0x1000);
    memory_region_add_subregion(&f.root, 0x10000000, &dev);
    uint64_t va = 0x10000;
    /* the last-level table is the device */
    map(va, 1, mkpte(0x10000000, V));

    dev_reads = dev_reads_unlocked = 0;
    dev_pte = mkpte(0x80100000, V | R | W | A | D);
    expect_ok(va + 8, RV_ACCESS_LOAD, 0x80100008, 0x1000);
    expect_ok(va + 8, RV_ACCESS_STORE, 0x80100008, 0x1000);
    /* A must be set, and a device PTE cannot be updated: access fault */
    dev_pte = mkpte(0x80100000, V | R | W);
    g_assert_cmpint(xlate(va, RV_ACCESS_LOAD, NULL), ==, 5);
    /* invalid */
    dev_pte = 0;
    expect_pf(va, RV_ACCESS_LOAD);
    /* a fetch never reads a PTE from a device: access fault */
    dev_pte = mkpte(0x80100000, V | R | X | A);
    g_assert_cmpint(xlate(va, RV_ACCESS_FETCH, NULL), ==, 1);
    g_assert_cmpuint(dev_reads, ==, 4);
    g_assert_cmpuint(dev_reads_unlocked, ==, 0);

    /* a caller that holds the lock already (the guard does not retake it) */
    bql_lock();
    dev_pte = mkpte(0x80100000, V | R | A);
    expect_ok(va, RV_ACCESS_LOAD, 0x80100000, 0x1000);
    bql_unlock();
    g_assert_cmpuint(dev_reads, ==, 5);
    g_assert_cmpuint(dev_reads_unlocked, ==, 0);

    memory_region_del_subregion(&f.root, &dev);
    memory_region_destroy(&dev);
    fixture_fini();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-mmu/sv39-sizes", test_sv39_sizes);
    g_test_add_func("/riscv-mmu/misaligned-superpages", test_misaligned_superpages);
    g_test_add_func("/riscv-mmu/sv48", test_sv48);
    g_test_add_func("/riscv-mmu/non-canonical", test_non_canonical);
    g_test_add_func("/riscv-mmu/user-sum", test_user_sum);
    g_test_add_func("/riscv-mmu/mprv", test_mprv);
    g_test_add_func("/riscv-mmu/rwx-mxr", test_rwx_mxr);
    g_test_add_func("/riscv-mmu/bad-ptes", test_bad_ptes);
    g_test_add_func("/riscv-mmu/accessed-dirty", test_accessed_dirty);
    g_test_add_func("/riscv-mmu/access-faults", test_access_faults);
    g_test_add_func("/riscv-mmu/pte-in-device", test_pte_in_device);
    return g_test_run();
}
