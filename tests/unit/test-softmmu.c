/*
 * Unit tests for the soft MMU (accel/tcg/softmmu.c): a fake vCPU whose
 * physical address space holds RAM, ROM and a logging MMIO device, and a
 * fake tlb_fill over a table of virtual mappings.  Checks hits and misses
 * (also through the inline compare back ends will emit), permissions,
 * MMIO routing and device errors, page-crossing and misaligned accesses,
 * flushes of one page, of all and per mmu_idx, large-page flushes, ROM
 * writes, probes and code fetch.  Faults longjmp back to the test.
 */
#include <glib.h>
#include <setjmp.h>
#include <string.h>

#include "rove/softmmu.h"

/* ---- Physical memory ---- */

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (4ull << 20)
#define ROM_BASE 0x1000ull
#define ROM_SIZE 0x2000ull
#define DEV_BASE 0x10000000ull
#define DEV_SIZE 0x1000ull
#define DEV_FAIL 0x40          /* device offset that returns MEMTX_ERROR */
#define HOLE 0x20000000ull     /* nothing mapped */

typedef struct DevAccess {
    bool is_write;
    uint64_t offset;
    unsigned size;
    uint64_t value;
} DevAccess;

static DevAccess dev_log[64];
static unsigned dev_n;
static uint8_t dev_regs[DEV_SIZE];

static MemTxResult dev_read(void *opaque, uint64_t offset, uint64_t *value, unsigned size)
{
    (void)opaque;
    if (offset == DEV_FAIL) {
        return MEMTX_ERROR;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)dev_regs[offset + i] << (8 * i);
    }
    *value = v;
    g_assert_cmpuint(dev_n, <, 64);
    dev_log[dev_n++] = (DevAccess){ false, offset, size, v };
    return MEMTX_OK;
}

static MemTxResult dev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)opaque;
    if (offset == DEV_FAIL) {
        return MEMTX_ERROR;
    }
    for (unsigned i = 0; i < size; i++) {
        dev_regs[offset + i] = (uint8_t)(value >> (8 * i));
    }
    g_assert_cmpuint(dev_n, <, 64);
    dev_log[dev_n++] = (DevAccess){ true, offset, size, value };
    return MEMTX_OK;
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .min_access_size = 1,
    .max_access_size = 8,
};

/* ---- The fake target ---- */

typedef struct Mapping {
    uint64_t vaddr, paddr, size;
    unsigned prot;
    unsigned idxmask;
} Mapping;

static Mapping maps[32];
static unsigned nb_maps;

static unsigned fills, faults, misaligns, access_faults;
static SoftMmuAccess last_fill_access, last_fault_access;
static uint64_t last_fault_vaddr, last_fault_paddr;
static MemTxResult last_fault_res;
static sigjmp_buf fault_jmp;

enum { JMP_PAGE = 1, JMP_MISALIGNED, JMP_ACCESS };

static unsigned access_prot(SoftMmuAccess a)
{
    return a == SOFTMMU_LOAD ? SOFTMMU_PROT_READ
         : a == SOFTMMU_STORE ? SOFTMMU_PROT_WRITE : SOFTMMU_PROT_EXEC;
}

static bool fake_fill(CpuState *cpu, uint64_t vaddr, SoftMmuAccess access, unsigned mmu_idx,
                      bool probe, TlbFillResult *out, uintptr_t retaddr)
{
    (void)cpu;
    (void)retaddr;
    fills++;
    last_fill_access = access;
    for (unsigned i = 0; i < nb_maps; i++) {
        const Mapping *m = &maps[i];
        if ((m->idxmask & (1u << mmu_idx)) && vaddr - m->vaddr < m->size) {
            if (!(m->prot & access_prot(access))) {
                break;
            }
            out->paddr = m->paddr + (vaddr - m->vaddr);
            out->prot = m->prot;
            out->page_size = m->size;
            return true;
        }
    }
    faults++;
    last_fault_access = access;
    last_fault_vaddr = vaddr;
    if (probe) {
        return false;
    }
    siglongjmp(fault_jmp, JMP_PAGE);
}

static void fake_misaligned(CpuState *cpu, uint64_t vaddr, SoftMmuAccess access,
                            unsigned mmu_idx, uintptr_t retaddr)
{
    (void)cpu;
    (void)mmu_idx;
    (void)retaddr;
    misaligns++;
    last_fault_access = access;
    last_fault_vaddr = vaddr;
    siglongjmp(fault_jmp, JMP_MISALIGNED);
}

static void fake_access_fault(CpuState *cpu, uint64_t vaddr, uint64_t paddr,
                              SoftMmuAccess access, unsigned mmu_idx, MemTxResult res,
                              uintptr_t retaddr)
{
    (void)cpu;
    (void)mmu_idx;
    (void)retaddr;
    access_faults++;
    last_fault_access = access;
    last_fault_vaddr = vaddr;
    last_fault_paddr = paddr;
    last_fault_res = res;
    siglongjmp(fault_jmp, JMP_ACCESS);
}

static const SoftMmuOps fake_ops = {
    .tlb_fill = fake_fill,
    .misaligned = fake_misaligned,
    .access_fault = fake_access_fault,
};

/* ---- Fixture ---- */

static MemoryRegion sysmem, ram, rom, dev;
static AddressSpace as;
static CpuState cpu;
static uint8_t *ram_host, *rom_host;

static void map(uint64_t vaddr, uint64_t paddr, uint64_t size, unsigned prot, unsigned idxmask)
{
    g_assert_cmpuint(nb_maps, <, G_N_ELEMENTS(maps));
    maps[nb_maps++] = (Mapping){ vaddr, paddr, size, prot, idxmask };
}

static void setup(void)
{
    memory_region_init_container(&sysmem, "system", 0);
    g_assert_true(memory_region_init_ram(&ram, "ram", RAM_SIZE));
    g_assert_true(memory_region_init_rom(&rom, "rom", ROM_SIZE));
    memory_region_init_io(&dev, "dev", &dev_ops, NULL, DEV_SIZE);
    memory_region_add_subregion(&sysmem, RAM_BASE, &ram);
    memory_region_add_subregion(&sysmem, ROM_BASE, &rom);
    memory_region_add_subregion(&sysmem, DEV_BASE, &dev);
    address_space_init(&as, &sysmem, "cpu-memory");
    ram_host = memory_region_get_ram_ptr(&ram);
    rom_host = memory_region_get_ram_ptr(&rom);
    memset(&cpu, 0, sizeof(cpu));
    softmmu_init(&cpu, &as, &fake_ops);
    nb_maps = 0;
    fills = faults = misaligns = access_faults = 0;
    dev_n = 0;
    memset(dev_regs, 0, sizeof(dev_regs));
}

static void teardown(void)
{
    softmmu_destroy(&cpu);
    g_assert_null(cpu.tlb);
    address_space_destroy(&as);
    memory_region_del_subregion(&sysmem, &ram);
    memory_region_del_subregion(&sysmem, &rom);
    memory_region_del_subregion(&sysmem, &dev);
    memory_region_destroy(&ram);
    memory_region_destroy(&rom);
    memory_region_destroy(&dev);
    memory_region_destroy(&sysmem);
}

/* Run stmt, expecting it to fault with `code` (it must not return). */
#define EXPECT_FAULT(code, stmt)                                   \
    do {                                                           \
        int jr_ = sigsetjmp(fault_jmp, 0);                         \
        if (jr_ == 0) {                                            \
            stmt;                                                  \
            g_assert_not_reached();                                \
        }                                                          \
        g_assert_cmpint(jr_, ==, (code));                          \
    } while (0)

/*
 * The inline probe back ends will emit, written from the header's layout
 * description: host address on a hit, NULL when the slow path is needed.
 */
static void *inline_probe(uint64_t v, unsigned size, SoftMmuAccess access, unsigned idx,
                          bool align)
{
    const SoftTlbEntry *e =
        &cpu.tlb->table[idx][(v >> TARGET_PAGE_BITS) & (SOFTMMU_TLB_SIZE - 1)];
    uint64_t tag = access == SOFTMMU_LOAD ? e->addr_read
                 : access == SOFTMMU_STORE ? e->addr_write : e->addr_code;
    uint64_t cmp = align ? v & (TARGET_PAGE_MASK | (size - 1))
                         : (v + size - 1) & TARGET_PAGE_MASK;
    return tag == cmp ? (void *)(uintptr_t)(v + e->addend) : NULL;
}

/* ---- Tests ---- */

static void test_ram(void)
{
    setup();
    map(0x4000, RAM_BASE + 0x1000, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1);

    g_assert_null(inline_probe(0x4000, 8, SOFTMMU_LOAD, 0, true));
    softmmu_st(&cpu, 0x4008, 0x1122334455667788ull, MO_64, 0, 0);
    g_assert_cmpuint(fills, ==, 1);
    g_assert_cmpint(last_fill_access, ==, SOFTMMU_STORE);
    g_assert_cmpuint(cpu.tlb->nb_fills, ==, 1);
    g_assert_cmphex(ram_host[0x1008], ==, 0x88);
    g_assert_cmphex(ram_host[0x100f], ==, 0x11);

    /* The same fill entered read permission: no second walk. */
    g_assert_cmphex(softmmu_ld(&cpu, 0x4008, MO_64, 0, 0), ==, 0x1122334455667788ull);
    g_assert_cmphex(softmmu_ld(&cpu, 0x4008, MO_UL, 0, 0), ==, 0x55667788);
    g_assert_cmphex(softmmu_ld(&cpu, 0x400c, MO_UW, 0, 0), ==, 0x3344);
    g_assert_cmphex(softmmu_ld(&cpu, 0x400f, MO_UB, 0, 0), ==, 0x11);
    g_assert_cmpuint(fills, ==, 1);

    /* Sign extension, byte swap, stores of each size. */
    softmmu_st(&cpu, 0x4010, 0xffffff80, MO_8, 0, 0);
    g_assert_cmphex(ram_host[0x1011], ==, 0);
    g_assert_cmphex(softmmu_ld(&cpu, 0x4010, MO_SB, 0, 0), ==, 0xffffffffffffff80ull);
    softmmu_st(&cpu, 0x4020, 0x8001, MO_16, 0, 0);
    g_assert_cmphex(softmmu_ld(&cpu, 0x4020, MO_SW, 0, 0), ==, 0xffffffffffff8001ull);
    softmmu_st(&cpu, 0x4024, 0x80000001u, MO_32, 0, 0);
    g_assert_cmphex(softmmu_ld(&cpu, 0x4024, MO_SL, 0, 0), ==, 0xffffffff80000001ull);
    g_assert_cmphex(softmmu_ld(&cpu, 0x4024, MO_UL | MO_BSWAP, 0, 0), ==, 0x01000080);
    softmmu_st(&cpu, 0x4028, 0x0102, MO_16 | MO_BSWAP, 0, 0);
    g_assert_cmphex(ram_host[0x1028], ==, 0x01);
    g_assert_cmphex(ram_host[0x1029], ==, 0x02);
    g_assert_cmpuint(fills, ==, 1);

    /* The documented inline compare hits this entry. */
    const SoftTlbEntry *e = &cpu.tlb->table[0][4];
    g_assert_cmphex(e->addr_read, ==, 0x4000);
    g_assert_cmphex(e->addr_write, ==, 0x4000);
    g_assert_cmphex(e->addr_code, ==, SOFTTLB_EMPTY);
    g_assert_true(inline_probe(0x4008, 8, SOFTMMU_LOAD, 0, true) == ram_host + 0x1008);
    g_assert_true(inline_probe(0x4ff8, 8, SOFTMMU_STORE, 0, true) == ram_host + 0x1ff8);
    g_assert_null(inline_probe(0x4004, 8, SOFTMMU_LOAD, 0, true));  /* misaligned */
    g_assert_true(inline_probe(0x4004, 8, SOFTMMU_LOAD, 0, false) == ram_host + 0x1004);
    g_assert_null(inline_probe(0x4ffc, 8, SOFTMMU_LOAD, 0, false)); /* crosses */
    g_assert_null(inline_probe(0x4008, 8, SOFTMMU_FETCH, 0, true));
    g_assert_null(inline_probe(0x4008, 8, SOFTMMU_LOAD, 1, true));
    /* Another page at the same index misses. */
    g_assert_null(inline_probe(0x4008 + SOFTMMU_TLB_SIZE * TARGET_PAGE_SIZE, 8,
                               SOFTMMU_LOAD, 0, true));
    teardown();
}

static void test_permissions(void)
{
    setup();
    map(0x5000, RAM_BASE + 0x2000, 0x1000, SOFTMMU_PROT_READ, 1);
    map(0x6000, RAM_BASE + 0x3000, 0x1000, SOFTMMU_PROT_EXEC, 1);
    ram_host[0x2000] = 0x5a;

    g_assert_cmphex(softmmu_ld(&cpu, 0x5000, MO_UB, 0, 0), ==, 0x5a);
    g_assert_cmphex(cpu.tlb->table[0][5].addr_write, ==, SOFTTLB_EMPTY);
    EXPECT_FAULT(JMP_PAGE, softmmu_st(&cpu, 0x5000, 1, MO_8, 0, 0));
    g_assert_cmpuint(fills, ==, 2);
    g_assert_cmpint(last_fill_access, ==, SOFTMMU_STORE);
    g_assert_cmpint(last_fault_access, ==, SOFTMMU_STORE);
    g_assert_cmphex(last_fault_vaddr, ==, 0x5000);
    g_assert_cmphex(ram_host[0x2000], ==, 0x5a);
    /* The failed store did not spoil the read entry. */
    g_assert_cmphex(softmmu_ld(&cpu, 0x5000, MO_UB, 0, 0), ==, 0x5a);
    g_assert_cmpuint(fills, ==, 2);

    /* Execute-only: fetch works, a load faults. */
    uint64_t pa = 0;
    g_assert_true(softmmu_get_code_page(&cpu, 0x6010, 0, &pa) == ram_host + 0x3010);
    g_assert_cmphex(pa, ==, RAM_BASE + 0x3010);
    EXPECT_FAULT(JMP_PAGE, softmmu_ld(&cpu, 0x6010, MO_UB, 0, 0));
    g_assert_cmpint(last_fault_access, ==, SOFTMMU_LOAD);

    /* Unmapped: the fault carries the address. */
    EXPECT_FAULT(JMP_PAGE, softmmu_ld(&cpu, 0xdead0123, MO_32, 0, 0));
    g_assert_cmphex(last_fault_vaddr, ==, 0xdead0123);
    g_assert_cmpuint(faults, ==, 3);
    teardown();
}

static void test_mmio(void)
{
    setup();
    map(0x7000, DEV_BASE, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE | SOFTMMU_PROT_EXEC, 1);
    map(0x8000, HOLE, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1);

    softmmu_st(&cpu, 0x7008, 0xcafef00d, MO_32, 0, 0);
    g_assert_cmpuint(dev_n, ==, 1);
    g_assert_true(dev_log[0].is_write);
    g_assert_cmphex(dev_log[0].offset, ==, 8);
    g_assert_cmpuint(dev_log[0].size, ==, 4);
    g_assert_cmphex(dev_log[0].value, ==, 0xcafef00d);
    g_assert_cmphex(softmmu_ld(&cpu, 0x700a, MO_SW, 0, 0), ==, 0xffffffffffffcafeull);
    g_assert_cmpuint(dev_n, ==, 2);
    g_assert_false(dev_log[1].is_write);
    g_assert_cmphex(dev_log[1].offset, ==, 0xa);
    g_assert_cmpuint(dev_log[1].size, ==, 2);
    softmmu_st(&cpu, 0x7010, 0x0102030405060708ull, MO_64, 0, 0);
    g_assert_cmpuint(dev_log[2].size, ==, 8);
    g_assert_cmphex(softmmu_ld(&cpu, 0x7010, MO_8, 0, 0), ==, 0x08);
    g_assert_cmpuint(dev_log[3].size, ==, 1);
    /* Every access went through the device, with one walk. */
    g_assert_cmpuint(fills, ==, 1);
    const SoftTlbEntry *e = &cpu.tlb->table[0][7];
    g_assert_cmphex(e->addr_read, ==, 0x7000 | SOFTTLB_IO);
    g_assert_cmphex(e->addr_write, ==, 0x7000 | SOFTTLB_IO);
    g_assert_null(inline_probe(0x7008, 4, SOFTMMU_LOAD, 0, true));
    g_assert_null(inline_probe(0x7008, 4, SOFTMMU_STORE, 0, false));

    /* A device error is the target's access fault, with the physical address. */
    EXPECT_FAULT(JMP_ACCESS, softmmu_ld(&cpu, 0x7000 + DEV_FAIL, MO_32, 0, 0));
    g_assert_cmpint(last_fault_res, ==, MEMTX_ERROR);
    g_assert_cmphex(last_fault_paddr, ==, DEV_BASE + DEV_FAIL);
    g_assert_cmpint(last_fault_access, ==, SOFTMMU_LOAD);
    EXPECT_FAULT(JMP_ACCESS, softmmu_st(&cpu, 0x7000 + DEV_FAIL, 1, MO_8, 0, 0));
    g_assert_cmpint(last_fault_access, ==, SOFTMMU_STORE);
    /* No code from MMIO. */
    EXPECT_FAULT(JMP_ACCESS, softmmu_get_code_page(&cpu, 0x7000, 0, NULL));
    g_assert_cmpint(last_fault_access, ==, SOFTMMU_FETCH);
    /* Nothing at the physical address. */
    EXPECT_FAULT(JMP_ACCESS, softmmu_ld(&cpu, 0x8004, MO_32, 0, 0));
    g_assert_cmpint(last_fault_res, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(last_fault_paddr, ==, HOLE + 4);
    g_assert_cmpuint(access_faults, ==, 4);
    teardown();
}

static void test_page_cross(void)
{
    setup();
    /* Two virtual neighbours on physical pages far apart. */
    map(0x9000, RAM_BASE + 0x10000, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1);
    map(0xa000, RAM_BASE + 0x20000, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1);
    map(0xb000, RAM_BASE + 0x30000, 0x1000, SOFTMMU_PROT_READ, 1);
    map(0xc000, DEV_BASE, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1);

    softmmu_st(&cpu, 0x9ffd, 0x1122334455667788ull, MO_64, 0, 0);
    g_assert_cmphex(ram_host[0x10ffd], ==, 0x88);
    g_assert_cmphex(ram_host[0x10fff], ==, 0x66);
    g_assert_cmphex(ram_host[0x20000], ==, 0x55);
    g_assert_cmphex(ram_host[0x20004], ==, 0x11);
    g_assert_cmphex(softmmu_ld(&cpu, 0x9ffd, MO_64, 0, 0), ==, 0x1122334455667788ull);
    g_assert_cmphex(softmmu_ld(&cpu, 0x9fff, MO_SW, 0, 0), ==, 0x5566);
    g_assert_cmphex(softmmu_ld(&cpu, 0x9ffe, MO_UL | MO_BSWAP, 0, 0), ==, 0x77665544);
    g_assert_cmpuint(fills, ==, 2);

    /* Second page read-only: the store faults before the first byte lands. */
    ram_host[0x20ffe] = 0xaa;
    EXPECT_FAULT(JMP_PAGE, softmmu_st(&cpu, 0xaffe, 0xffffffff, MO_32, 0, 0));
    g_assert_cmphex(last_fault_vaddr, ==, 0xb000);
    g_assert_cmphex(ram_host[0x20ffe], ==, 0xaa);

    /* RAM then MMIO: the device sees the bytes of its page, one at a time. */
    ram_host[0x30ffe] = 0xb0;
    ram_host[0x30fff] = 0xb1;
    dev_regs[0] = 0xc0;
    dev_regs[1] = 0xc1;
    EXPECT_FAULT(JMP_PAGE, softmmu_st(&cpu, 0xbffe, 0x1234, MO_32, 0, 0));
    g_assert_cmpuint(dev_n, ==, 0);
    g_assert_cmphex(softmmu_ld(&cpu, 0xbffe, MO_UL, 0, 0), ==, 0xc1c0b1b0);
    g_assert_cmpuint(dev_n, ==, 2);
    g_assert_cmphex(dev_log[0].offset, ==, 0);
    g_assert_cmphex(dev_log[1].offset, ==, 1);
    teardown();
}

static void test_misaligned(void)
{
    setup();
    map(0x4000, RAM_BASE, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1);
    ram_host[3] = 0x33;
    ram_host[4] = 0x44;
    g_assert_cmphex(softmmu_ld(&cpu, 0x4003, MO_UW, 0, 0), ==, 0x4433);
    EXPECT_FAULT(JMP_MISALIGNED, softmmu_ld(&cpu, 0x4003, MO_UW | MO_ALIGN, 0, 0));
    g_assert_cmpint(last_fault_access, ==, SOFTMMU_LOAD);
    g_assert_cmphex(last_fault_vaddr, ==, 0x4003);
    EXPECT_FAULT(JMP_MISALIGNED, softmmu_st(&cpu, 0x4004, 0, MO_64 | MO_ALIGN, 0, 0));
    g_assert_cmpint(last_fault_access, ==, SOFTMMU_STORE);
    g_assert_cmphex(ram_host[4], ==, 0x44);
    /* Aligned MO_ALIGN accesses go through; misalignment beats a page fault. */
    g_assert_cmphex(softmmu_ld(&cpu, 0x4002, MO_UW | MO_ALIGN, 0, 0), ==, 0x3300);
    EXPECT_FAULT(JMP_MISALIGNED, softmmu_ld(&cpu, 0x123451, MO_32 | MO_ALIGN, 0, 0));
    g_assert_cmpuint(misaligns, ==, 3);
    g_assert_cmpuint(faults, ==, 0);
    teardown();
}

static void test_flush(void)
{
    setup();
    uint64_t far = 0x4000 + SOFTMMU_TLB_SIZE * TARGET_PAGE_SIZE; /* same index as 0x4000 */
    map(0x4000, RAM_BASE, 0x1000, SOFTMMU_PROT_READ, 3);
    map(0x5000, RAM_BASE + 0x1000, 0x1000, SOFTMMU_PROT_READ, 3);
    map(far, RAM_BASE + 0x2000, 0x1000, SOFTMMU_PROT_READ, 1);

    softmmu_ld(&cpu, 0x4000, MO_8, 0, 0);
    softmmu_ld(&cpu, 0x5000, MO_8, 0, 0);
    softmmu_ld(&cpu, 0x4000, MO_8, 1, 0);
    g_assert_cmpuint(fills, ==, 3);

    /* A page at the same index that is not cached leaves the entry alone. */
    tlb_flush_page(&cpu, far);
    softmmu_ld(&cpu, 0x4000, MO_8, 0, 0);
    g_assert_cmpuint(fills, ==, 3);

    /* One page, every mmu_idx; its neighbour stays. */
    tlb_flush_page(&cpu, 0x4abc);
    g_assert_null(inline_probe(0x4000, 1, SOFTMMU_LOAD, 0, true));
    g_assert_null(inline_probe(0x4000, 1, SOFTMMU_LOAD, 1, true));
    g_assert_nonnull(inline_probe(0x5000, 1, SOFTMMU_LOAD, 0, true));
    softmmu_ld(&cpu, 0x5000, MO_8, 0, 0);
    g_assert_cmpuint(fills, ==, 3);
    softmmu_ld(&cpu, 0x4000, MO_8, 0, 0);
    softmmu_ld(&cpu, 0x4000, MO_8, 1, 0);
    g_assert_cmpuint(fills, ==, 5);

    /* By mmu_idx: idx 1 only. */
    tlb_flush_by_mmuidx(&cpu, 1u << 1);
    softmmu_ld(&cpu, 0x4000, MO_8, 0, 0);
    g_assert_cmpuint(fills, ==, 5);
    softmmu_ld(&cpu, 0x4000, MO_8, 1, 0);
    g_assert_cmpuint(fills, ==, 6);

    /* A page flush limited to idx 0. */
    tlb_flush_page_by_mmuidx(&cpu, 0x4000, 1u << 0);
    g_assert_nonnull(inline_probe(0x4000, 1, SOFTMMU_LOAD, 1, true));
    g_assert_null(inline_probe(0x4000, 1, SOFTMMU_LOAD, 0, true));

    /* Everything. */
    uint64_t flushes = cpu.tlb->nb_flushes;
    tlb_flush(&cpu);
    g_assert_cmpuint(cpu.tlb->nb_flushes, ==, flushes + 1);
    for (unsigned idx = 0; idx < SOFTMMU_NB_MMU_MODES; idx++) {
        for (unsigned i = 0; i < SOFTMMU_TLB_SIZE; i++) {
            const SoftTlbEntry *e = &cpu.tlb->table[idx][i];
            g_assert_cmphex(e->addr_read & e->addr_write & e->addr_code, ==, SOFTTLB_EMPTY);
        }
    }
    softmmu_ld(&cpu, 0x5000, MO_8, 0, 0);
    softmmu_ld(&cpu, 0x4000, MO_8, 1, 0);
    g_assert_cmpuint(fills, ==, 8);
    teardown();
}

static void test_mmu_idx(void)
{
    setup();
    /* The same virtual page means different memory per mmu_idx. */
    map(0x4000, RAM_BASE + 0x1000, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1u << 0);
    map(0x4000, RAM_BASE + 0x2000, 0x1000, SOFTMMU_PROT_READ, 1u << 1);
    map(0x4000, ROM_BASE, 0x1000, SOFTMMU_PROT_READ, 1u << 3);
    ram_host[0x1000] = 0x10;
    ram_host[0x2000] = 0x20;
    rom_host[0] = 0x30;

    g_assert_cmphex(softmmu_ld(&cpu, 0x4000, MO_8, 0, 0), ==, 0x10);
    g_assert_cmphex(softmmu_ld(&cpu, 0x4000, MO_8, 1, 0), ==, 0x20);
    g_assert_cmphex(softmmu_ld(&cpu, 0x4000, MO_8, 3, 0), ==, 0x30);
    EXPECT_FAULT(JMP_PAGE, softmmu_ld(&cpu, 0x4000, MO_8, 2, 0));
    softmmu_st(&cpu, 0x4000, 0x11, MO_8, 0, 0);
    EXPECT_FAULT(JMP_PAGE, softmmu_st(&cpu, 0x4000, 0x21, MO_8, 1, 0));
    g_assert_cmphex(ram_host[0x1000], ==, 0x11);
    g_assert_cmphex(ram_host[0x2000], ==, 0x20);
    g_assert_cmpuint(fills, ==, 5);
    teardown();
}

static void test_large_page(void)
{
    setup();
    uint64_t big = 0x40000000, size = 2ull << 20;
    map(big, RAM_BASE + size, size, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 3);
    map(0x4000, RAM_BASE, 0x1000, SOFTMMU_PROT_READ, 3);

    softmmu_st(&cpu, big + 0x1234, 0xab, MO_8, 0, 0);
    g_assert_cmphex(ram_host[size + 0x1234], ==, 0xab);
    softmmu_ld(&cpu, big + 0x7000, MO_8, 0, 0);
    softmmu_ld(&cpu, big + 0x100000, MO_8, 0, 0);
    softmmu_ld(&cpu, big, MO_8, 1, 0);
    softmmu_ld(&cpu, 0x4000, MO_8, 1, 0);
    g_assert_cmpuint(fills, ==, 5);
    g_assert_cmpuint(cpu.tlb->full[0][((big + 0x1234) >> 12) & (SOFTMMU_TLB_SIZE - 1)].page_size, ==, size);

    /* Flushing a never-touched 4K page of the mapping drops all its pages. */
    tlb_flush_page_by_mmuidx(&cpu, big + 0x1ff000, 1u << 0);
    g_assert_null(inline_probe(big + 0x1234, 1, SOFTMMU_LOAD, 0, true));
    g_assert_null(inline_probe(big + 0x7000, 1, SOFTMMU_LOAD, 0, true));
    g_assert_null(inline_probe(big + 0x100000, 1, SOFTMMU_LOAD, 0, true));
    /* ... but not in the other mmu_idx. */
    g_assert_nonnull(inline_probe(big, 1, SOFTMMU_LOAD, 1, true));
    softmmu_ld(&cpu, big + 0x7000, MO_8, 0, 0);
    g_assert_cmpuint(fills, ==, 6);

    /* A page outside the large range flushes only itself. */
    softmmu_ld(&cpu, 0x4000, MO_8, 0, 0);
    tlb_flush_page(&cpu, 0x4000);
    g_assert_nonnull(inline_probe(big + 0x7000, 1, SOFTMMU_LOAD, 0, true));
    g_assert_null(inline_probe(0x4000, 1, SOFTMMU_LOAD, 1, true));

    /* A second large page far away widens the range; a full flush resets it. */
    map(0x80000000ull, RAM_BASE, size, SOFTMMU_PROT_READ, 1);
    softmmu_ld(&cpu, 0x80000000ull, MO_8, 0, 0);
    tlb_flush_page(&cpu, 0x60000000); /* between the two: inside the range */
    g_assert_null(inline_probe(big + 0x7000, 1, SOFTMMU_LOAD, 0, true));
    tlb_flush(&cpu);
    softmmu_ld(&cpu, 0x4000, MO_8, 0, 0);
    tlb_flush_page(&cpu, 0x60000000);
    g_assert_nonnull(inline_probe(0x4000, 1, SOFTMMU_LOAD, 0, true));
    teardown();
}

static void test_rom(void)
{
    setup();
    unsigned rwx = SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE | SOFTMMU_PROT_EXEC;
    map(0xa000, ROM_BASE, 0x1000, rwx, 1);
    rom_host[0x10] = 0x13;
    rom_host[0x11] = 0x05;

    g_assert_cmphex(softmmu_ld(&cpu, 0xa010, MO_UW, 0, 0), ==, 0x0513);
    softmmu_st(&cpu, 0xa010, 0xffff, MO_16, 0, 0); /* dropped, no fault */
    g_assert_cmphex(softmmu_ld(&cpu, 0xa010, MO_UW, 0, 0), ==, 0x0513);
    g_assert_cmpuint(access_faults + faults, ==, 0);
    const SoftTlbEntry *e = &cpu.tlb->table[0][0xa];
    g_assert_cmphex(e->addr_read, ==, 0xa000);
    g_assert_cmphex(e->addr_code, ==, 0xa000);
    g_assert_cmphex(e->addr_write, ==, 0xa000 | SOFTTLB_IO);
    g_assert_true(inline_probe(0xa010, 2, SOFTMMU_LOAD, 0, true) == rom_host + 0x10);
    g_assert_null(inline_probe(0xa010, 2, SOFTMMU_STORE, 0, true));
    uint64_t pa;
    g_assert_true(softmmu_get_code_page(&cpu, 0xa010, 0, &pa) == rom_host + 0x10);
    g_assert_cmphex(pa, ==, ROM_BASE + 0x10);
    g_assert_cmpuint(fills, ==, 1);
    teardown();
}

static void test_probe(void)
{
    setup();
    map(0x4000, RAM_BASE + 0x5000, 0x1000, SOFTMMU_PROT_READ, 1);
    map(0x7000, DEV_BASE, 0x1000, SOFTMMU_PROT_READ, 1);
    void *host = (void *)1;

    g_assert_false(softmmu_probe(&cpu, 0x9000, SOFTMMU_LOAD, 0, &host, NULL));
    g_assert_null(host);
    g_assert_false(softmmu_probe(&cpu, 0x4000, SOFTMMU_STORE, 0, NULL, NULL));
    g_assert_cmpuint(faults, ==, 2);
    g_assert_true(softmmu_probe(&cpu, 0x4008, SOFTMMU_LOAD, 0, &host, NULL));
    g_assert_true(host == ram_host + 0x5008);
    g_assert_true(softmmu_probe(&cpu, 0x7008, SOFTMMU_LOAD, 0, &host, NULL));
    g_assert_null(host);
    g_assert_cmpuint(dev_n, ==, 0);
    teardown();
}

/* A RAM page with TBs: stores to it go through the invalidation hook
 * (here: one TB on the page's first 16 bytes, dropped when written);
 * once its mark is gone they go inline again.  Marks of neighbouring
 * pages (the same bitmap word) are left alone. */
static unsigned invalidations;
static uint64_t tb_lo, tb_hi; /* the fake TB's code; tb_hi == 0: none */

static void fake_invalidate(CpuState *c, uint64_t start, uint64_t end)
{
    (void)c;
    invalidations++;
    if (tb_hi && start < tb_hi && end > tb_lo) {
        tb_hi = 0;
        softmmu_clear_code_page(tb_lo & TARGET_PAGE_MASK);
    }
}

static void test_code_page(void)
{
    setup();
    map(0x8000, RAM_BASE + 0x5000, 0x1000, SOFTMMU_PROT_READ | SOFTMMU_PROT_WRITE, 1);
    softmmu_invalidate_code = fake_invalidate;
    invalidations = 0;
    tb_lo = RAM_BASE + 0x5000;
    tb_hi = tb_lo + 16;
    softmmu_set_code_page(RAM_BASE + 0x4000);
    softmmu_set_code_page(RAM_BASE + 0x5000);
    softmmu_set_code_page(RAM_BASE + 0x6000);
    g_assert_true(softmmu_is_code_page(RAM_BASE + 0x5000));

    /* Outside the TB: still a code page, the entry stays marked. */
    softmmu_st(&cpu, 0x8100, 0x11, MO_8, 0, 0);
    g_assert_cmpuint(invalidations, ==, 1);
    g_assert_true(softmmu_is_code_page(RAM_BASE + 0x5000));
    g_assert_true(cpu.tlb->table[0][8].addr_write & SOFTTLB_NOTDIRTY);
    /* Over the TB: the mark goes, and with it the entry's flag. */
    softmmu_st(&cpu, 0x8008, 0x22, MO_32, 0, 0);
    g_assert_cmpuint(invalidations, ==, 2);
    g_assert_false(softmmu_is_code_page(RAM_BASE + 0x5000));
    g_assert_cmphex(cpu.tlb->table[0][8].addr_write, ==, 0x8000);
    g_assert_nonnull(inline_probe(0x8010, 8, SOFTMMU_STORE, 0, true));
    softmmu_st(&cpu, 0x8010, 0x33, MO_8, 0, 0);
    g_assert_cmpuint(invalidations, ==, 2);
    g_assert_cmphex(ram_host[0x5008], ==, 0x22);
    g_assert_cmphex(ram_host[0x5010], ==, 0x33);
    /* The neighbours keep theirs. */
    g_assert_true(softmmu_is_code_page(RAM_BASE + 0x4000));
    g_assert_true(softmmu_is_code_page(RAM_BASE + 0x6000));
    softmmu_clear_code_page(RAM_BASE + 0x4000);
    softmmu_clear_code_page(RAM_BASE + 0x6000);
    g_assert_false(softmmu_is_code_page(RAM_BASE + 0x4000));
    g_assert_false(softmmu_is_code_page(RAM_BASE + 0x6000));
    softmmu_invalidate_code = NULL;
    teardown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/softmmu/ram", test_ram);
    g_test_add_func("/softmmu/permissions", test_permissions);
    g_test_add_func("/softmmu/mmio", test_mmio);
    g_test_add_func("/softmmu/page-cross", test_page_cross);
    g_test_add_func("/softmmu/misaligned", test_misaligned);
    g_test_add_func("/softmmu/flush", test_flush);
    g_test_add_func("/softmmu/mmu-idx", test_mmu_idx);
    g_test_add_func("/softmmu/large-page", test_large_page);
    g_test_add_func("/softmmu/rom", test_rom);
    g_test_add_func("/softmmu/probe", test_probe);
    g_test_add_func("/softmmu/code-page", test_code_page);
    return g_test_run();
}
