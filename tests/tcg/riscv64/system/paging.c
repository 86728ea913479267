/* Sv39 and Sv48 translation from S-mode: 4K, 2M and 1G leaves (also in
 * the negative half), execution through an alias, load/store/fetch page
 * faults with mtval (and with stval when delegated), misaligned superpages and reserved PTEs, canonical
 * addresses, A and D set by the hardware, sfence.vma after a PTE change
 * (made by M, and by S itself), and which satp modes are accepted. */
#include "vm.h"

extern char p_load64[], p_store64[], p_jump[], p_call[], p_ident[],
    p_sfence_load[], p_sfence_va_load[];

#define VA_4K    0x100000000ul
#define VA_NONE  0x100002000ul
#define VA_RO    0x100003000ul
#define VA_AD    0x100005000ul
#define VA_XAD   0x100006000ul
#define VA_WO    0x100007000ul
#define VA_NL    0x100008000ul
#define VA_SF    0x100009000ul
#define VA_2M    0x140000000ul
#define VA_MIS   0x140200000ul
#define VA_1G    0x180000000ul
#define VA_NEG   0xffffffff80000000ul
#define VA_HIGH  0x4000000000ul     /* bit 38: Sv48 only */
#define VA_NONCANON(levels) (1ul << (12 + 9 * (levels) - 1))

#define A_VAL 0xaaaa1111aaaa2222ul
#define B_VAL 0xbbbb3333bbbb4444ul

static u64 page_a[512] __attribute__((aligned(4096)));
static u64 page_b[512] __attribute__((aligned(4096)));
static volatile const u64 marker = 0x600d5eed600d5eedul;
static u64 new_pte;

#define FLAGS (PTE_V | PTE_A | PTE_D)
#define PA(p) ((u64)(p))
#define IN_IMAGE(va, sym) ((va) + ((u64)(sym) - RAM_BASE))

static run_t s(void *fn, u64 arg) { return run_in(PRV_S, fn, arg); }

/* S-mode: replace a PTE itself, sfence.vma, load through it */
static u64 s_remap(u64 pte)
{
    *(volatile u64 *)pte = new_pte;
    sfence_all();
    return *(volatile u64 *)VA_SF;
}

static void sizes(u64 *root, int levels)
{
    check_trap("load 4K", s(p_load64, VA_4K), RUN_RETURNED, A_VAL, 0, 0);
    check_trap("store 4K", s(p_store64, VA_4K + 8), RUN_RETURNED, VA_4K + 9, 0, 0);
    check("  seen at the physical page", page_a[1], VA_4K + 8);
    check_trap("load 2M", s(p_load64, IN_IMAGE(VA_2M, &marker)), RUN_RETURNED, marker, 0, 0);
    check_trap("execute through the 2M alias", run_in_at(PRV_S, p_ident, 0x77, VA_2M - RAM_BASE, 0),
               RUN_RETURNED, 0x77, 0, 0);
    check_trap("load 1G", s(p_load64, IN_IMAGE(VA_1G, &marker)), RUN_RETURNED, marker, 0, 0);
    check_trap("load 1G at 0xffffffff80000000", s(p_load64, IN_IMAGE(VA_NEG, &marker)),
               RUN_RETURNED, marker, 0, 0);
    u64 noncanon = VA_NONCANON(levels);
    check_trap("load from the first non-canonical address", s(p_load64, noncanon),
               RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, noncanon);
    if (levels == 4)
        check_trap("load 4K at bit 38 (Sv48)", s(p_load64, VA_HIGH), RUN_RETURNED, B_VAL, 0, 0);
}

static void faults(void)
{
    check_trap("load unmapped", s(p_load64, VA_NONE), RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, VA_NONE);
    check_trap("store unmapped", s(p_store64, VA_NONE + 16), RUN_TRAP_M, EXC_STORE_PAGE, p_store64, VA_NONE);
    check_trap("fetch unmapped", s(p_jump, VA_NONE + 4), RUN_TRAP_M, EXC_INSN_PAGE, (void *)(VA_NONE + 4), VA_NONE);
    check_trap("load read-only", s(p_load64, VA_RO), RUN_RETURNED, A_VAL, 0, 0);
    check_trap("store read-only", s(p_store64, VA_RO), RUN_TRAP_M, EXC_STORE_PAGE, p_store64, VA_RO);
    check_trap("fetch not executable", s(p_jump, VA_4K), RUN_TRAP_M, EXC_INSN_PAGE, (void *)VA_4K, VA_4K);
    check_trap("load misaligned 2M leaf", s(p_load64, VA_MIS), RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, VA_MIS);
    check_trap("load W-only leaf (reserved)", s(p_load64, VA_WO), RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, VA_WO);
    check_trap("store W-only leaf (reserved)", s(p_store64, VA_WO), RUN_TRAP_M, EXC_STORE_PAGE, p_store64, VA_WO);
    check_trap("load via a pointer PTE at the last level", s(p_load64, VA_NL),
               RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, VA_NL);
}

/* the same faults delegated to the S handler: scause, sepc, stval */
static void delegated(int levels)
{
    csr_write(medeleg, (1u << EXC_INSN_PAGE) | (1u << EXC_LOAD_PAGE) | (1u << EXC_STORE_PAGE));
    check_trap("load unmapped", s(p_load64, VA_NONE + 8), RUN_TRAP_S, EXC_LOAD_PAGE, p_load64, VA_NONE);
    check_trap("store read-only", s(p_store64, VA_RO + 24), RUN_TRAP_S, EXC_STORE_PAGE, p_store64, VA_RO);
    check_trap("fetch not executable", s(p_jump, VA_4K + 2), RUN_TRAP_S, EXC_INSN_PAGE, (void *)(VA_4K + 2), VA_4K);
    check_trap("load from the first non-canonical address", s(p_load64, VA_NONCANON(levels)),
               RUN_TRAP_S, EXC_LOAD_PAGE, p_load64, VA_NONCANON(levels));
    csr_write(medeleg, 0);
}

static void accessed_dirty(u64 *pte_ad, u64 *pte_xad)
{
    check("PTE flags before", *pte_ad & 0xff, PTE_V | PTE_R | PTE_W);
    check_trap("load", s(p_load64, VA_AD), RUN_RETURNED, B_VAL, 0, 0);
    check("PTE flags after the load", *pte_ad & 0xff, PTE_V | PTE_R | PTE_W | PTE_A);
    check_trap("store", s(p_store64, VA_AD + 8), RUN_RETURNED, VA_AD + 9, 0, 0);
    check("PTE flags after the store", *pte_ad & 0xff, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    u64 entry = VA_XAD + ((u64)p_ident & 0xfff);
    run_t r = s(p_call, entry);
    check_bool("call into an execute-only page returns", r.how == RUN_RETURNED && r.value == entry, 1);
    check("PTE flags after the fetch", *pte_xad & 0xff, PTE_V | PTE_X | PTE_A);
}

static void sfence(u64 *pte)
{
    check_trap("load", s(p_load64, VA_SF), RUN_RETURNED, A_VAL, 0, 0);
    *pte = (PA(page_b) >> 12) << 10 | FLAGS | PTE_R;
    check_trap("M changed the PTE; sfence.vma; load", s(p_sfence_load, VA_SF), RUN_RETURNED, B_VAL, 0, 0);
    *pte = (PA(page_a) >> 12) << 10 | FLAGS | PTE_R;
    check_trap("M changed it back; sfence.vma VA; load", s(p_sfence_va_load, VA_SF), RUN_RETURNED, A_VAL, 0, 0);
    new_pte = (PA(page_b) >> 12) << 10 | FLAGS | PTE_R;
    check_trap("S changes the PTE; sfence.vma; load", s(s_remap, (u64)pte), RUN_RETURNED, B_VAL, 0, 0);
}

static void one_mode(int levels)
{
    printf("== Sv%d ==\n", 12 + 9 * levels);
    s_install();
    vm_reset();
    u64 *root = vm_identity_root(levels);
    vm_map(root, levels, VA_4K, PA(page_a), PAGE_4K, FLAGS | PTE_R | PTE_W);
    vm_map(root, levels, VA_RO, PA(page_a), PAGE_4K, FLAGS | PTE_R);
    vm_map(root, levels, VA_2M, RAM_BASE, PAGE_2M, FLAGS | PTE_R | PTE_X);
    vm_map(root, levels, VA_MIS, RAM_BASE + 0x1000, PAGE_2M, FLAGS | PTE_R);
    vm_map(root, levels, VA_1G, RAM_BASE, PAGE_1G, FLAGS | PTE_R);
    vm_map(root, levels, VA_NEG, RAM_BASE, PAGE_1G, FLAGS | PTE_R);
    vm_map(root, levels, VA_WO, PA(page_a), PAGE_4K, FLAGS | PTE_W);
    vm_map(root, levels, VA_NL, PA(page_a), PAGE_4K, PTE_V);
    if (levels == 4)
        vm_map(root, levels, VA_HIGH, PA(page_b), PAGE_4K, FLAGS | PTE_R);
    u64 *pte_ad = vm_map(root, levels, VA_AD, PA(page_b), PAGE_4K, PTE_V | PTE_R | PTE_W);
    u64 *pte_xad = vm_map(root, levels, VA_XAD, (u64)p_ident & ~0xffful, PAGE_4K, PTE_V | PTE_X);
    u64 *pte_sf = vm_map(root, levels, VA_SF, PA(page_a), PAGE_4K, FLAGS | PTE_R);
    page_a[0] = A_VAL;
    page_b[0] = B_VAL;
    csr_write(satp, vm_satp(root, levels));
    sfence_all();
    check("satp.MODE", csr_read(satp) >> 60, levels == 3 ? 8 : 9);
    sizes(root, levels);
    faults();
    printf("delegated to S:\n");
    delegated(levels);
    printf("A and D bits:\n");
    accessed_dirty(pte_ad, pte_xad);
    printf("sfence.vma:\n");
    sfence(pte_sf);
    csr_write(satp, 0);
    sfence_all();
}

static void satp_modes(void)
{
    static const int modes[] = {1, 7, 11, 15};
    csr_write(satp, 8ul << 60 | 0x1234);
    check("satp after writing Sv39", csr_read(satp), 8ul << 60 | 0x1234);
    for (int i = 0; i < 4; i++) {
        csr_write(satp, (u64)modes[i] << 60 | 0x5678);
        printf("mode %d: ", modes[i]);
        check("satp unchanged", csr_read(satp), 8ul << 60 | 0x1234);
    }
    csr_write(satp, 9ul << 60 | 0x4321);
    check("satp after writing Sv48", csr_read(satp), 9ul << 60 | 0x4321);
    csr_write(satp, 0);
    check("satp after writing Bare", csr_read(satp), 0);
}

int main(void)
{
    one_mode(3);
    one_mode(4);
    satp_modes();
    return 0;
}
