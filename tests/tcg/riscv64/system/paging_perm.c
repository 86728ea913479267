/* Page permissions by privilege, in Sv39 and Sv48: U pages from S with
 * and without mstatus.SUM (never executable from S), U code and data from
 * U (faults also delegated to S), execute-only pages with and without MXR, M-mode loads with MPRV
 * (MPP = S, U, M), switching satp between an Sv39 table, an Sv48
 * table and Bare, and PMP applied to the page walk's own reads (as S). */
#include "vm.h"

extern char p_load64[], p_store64[], p_jump[];

#define VA_U     0x100000000ul   /* page_a, U RW */
#define VA_S     0x100001000ul   /* page_b, S RW */
#define VA_XO    0x100002000ul   /* page_a, S execute-only */
#define VA_UXO   0x100003000ul   /* page_a, U execute-only */
#define VA_SW    0x100004000ul   /* page_a in the Sv39 table, page_b in Sv48 */
#define VA_UCODE 0x140000000ul   /* 2M: the image as U code */
#define VA_PW    0x100005000ul   /* page_b, S RWX: its PTE's page under PMP */

#define A_VAL 0x1111aaaa2222aaaaul
#define B_VAL 0x3333bbbb4444bbbbul
#define F (PTE_V | PTE_A | PTE_D)

static u64 page_a[512] __attribute__((aligned(4096)));
static u64 page_b[512] __attribute__((aligned(4096)));
static u64 fault_cause, fault_tval;
static u64 *pw_leaf[2];      /* VA_PW's leaf PTE in the Sv39 and Sv48 tables */

static run_t s(void *fn, u64 arg) { return run_in(PRV_S, fn, arg); }
#define UALIAS(p) ((void *)(VA_UCODE + ((u64)(p) - RAM_BASE)))
/* runs a probe from the U view of the image */
static run_t u(void *fn, u64 arg) { return run_in_at(PRV_U, fn, arg, VA_UCODE - RAM_BASE, 0); }

static void sum_mxr(void)
{
    check_trap("S load U page, SUM=0", s(p_load64, VA_U), RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, VA_U);
    check_trap("S store U page, SUM=0", s(p_store64, VA_U), RUN_TRAP_M, EXC_STORE_PAGE, p_store64, VA_U);
    csr_set(mstatus, MSTATUS_SUM);
    check_trap("S load U page, SUM=1", s(p_load64, VA_U), RUN_RETURNED, A_VAL, 0, 0);
    check_trap("S store U page, SUM=1", s(p_store64, VA_U + 8), RUN_RETURNED, VA_U + 9, 0, 0);
    check_trap("S executes U code, SUM=1", run_in_at(PRV_S, p_load64, VA_U, VA_UCODE - RAM_BASE, 0),
               RUN_TRAP_M, EXC_INSN_PAGE, UALIAS(p_load64), (u64)UALIAS(p_load64));
    csr_clear(mstatus, MSTATUS_SUM);

    check_trap("U load U page", u(p_load64, VA_U), RUN_RETURNED, A_VAL, 0, 0);
    check_trap("U store U page", u(p_store64, VA_U + 16), RUN_RETURNED, VA_U + 17, 0, 0);
    check_trap("U load S page", u(p_load64, VA_S), RUN_TRAP_M, EXC_LOAD_PAGE, UALIAS(p_load64), VA_S);
    check_trap("U store S page", u(p_store64, VA_S), RUN_TRAP_M, EXC_STORE_PAGE, UALIAS(p_store64), VA_S);
    check_trap("U executes S code", run_in(PRV_U, p_load64, VA_U), RUN_TRAP_M, EXC_INSN_PAGE, p_load64, (u64)p_load64);
    csr_write(medeleg, (1u << EXC_INSN_PAGE) | (1u << EXC_LOAD_PAGE) | (1u << EXC_STORE_PAGE));
    check_trap("U load S page, delegated", u(p_load64, VA_S + 8), RUN_TRAP_S, EXC_LOAD_PAGE, UALIAS(p_load64), VA_S);
    check_trap("U executes S code, delegated", run_in(PRV_U, p_load64, VA_U), RUN_TRAP_S, EXC_INSN_PAGE,
               p_load64, (u64)p_load64);
    csr_write(medeleg, 0);

    check_trap("S load execute-only, MXR=0", s(p_load64, VA_XO), RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, VA_XO);
    check_trap("U load U execute-only, MXR=0", u(p_load64, VA_UXO), RUN_TRAP_M, EXC_LOAD_PAGE, UALIAS(p_load64), VA_UXO);
    csr_set(mstatus, MSTATUS_MXR);
    check_trap("S load execute-only, MXR=1", s(p_load64, VA_XO), RUN_RETURNED, A_VAL, 0, 0);
    check_trap("U load U execute-only, MXR=1", u(p_load64, VA_UXO), RUN_RETURNED, A_VAL, 0, 0);
    check_trap("S store execute-only, MXR=1", s(p_store64, VA_XO), RUN_TRAP_M, EXC_STORE_PAGE, p_store64, VA_XO);
    csr_clear(mstatus, MSTATUS_MXR);
}

static int record_fault(u64 *f)
{
    if (f[F_CAUSE] & CAUSE_IRQ)
        return 0;
    fault_cause = f[F_CAUSE];
    fault_tval = f[F_TVAL];
    f[F_EPC] += insn_len(f[F_EPC]);
    return 1;
}

/* M-mode load from va with MPRV=1 and MPP=mpp (all in one asm block: no
 * other data access may happen while MPRV is set) */
static void mprv_load(const char *name, u64 va, int mpp, u64 want)
{
    u64 v = va;
    u64 set = MSTATUS_MPRV | (u64)mpp << 11;
    fault_cause = 0;
    m_hook = record_fault;
    csr_clear(mstatus, MSTATUS_MPP);
    asm volatile("csrs mstatus, %1\n\tld %0, 0(%0)\n\tcsrc mstatus, %2"
                 : "+r"(v) : "r"(set), "r"(MSTATUS_MPRV) : "memory");
    m_hook = 0;
    printf("%s: ", name);
    if (fault_cause) {
        printf("fault cause=0x%lx", fault_cause);
        check_bool(", a load page fault at the address, as expected",
                   fault_cause == EXC_LOAD_PAGE && fault_tval == va && want == 0, 1);
    } else {
        check("loaded", v, want);
    }
}

static void mprv(void)
{
    mprv_load("MPRV MPP=S, S page", VA_S, PRV_S, B_VAL);
    mprv_load("MPRV MPP=U, S page", VA_S, PRV_U, 0);
    mprv_load("MPRV MPP=U, U page", VA_U, PRV_U, A_VAL);
    mprv_load("MPRV MPP=S, U page, SUM=0", VA_U, PRV_S, 0);
    csr_set(mstatus, MSTATUS_SUM);
    mprv_load("MPRV MPP=S, U page, SUM=1", VA_U, PRV_S, A_VAL);
    csr_clear(mstatus, MSTATUS_SUM);
    mprv_load("MPRV MPP=M: physical page_b", (u64)page_b, PRV_M, B_VAL);
}

static u64 *table(int levels)
{
    u64 *root = vm_identity_root(levels);
    vm_map(root, levels, VA_U, (u64)page_a, PAGE_4K, F | PTE_U | PTE_R | PTE_W);
    vm_map(root, levels, VA_S, (u64)page_b, PAGE_4K, F | PTE_R | PTE_W);
    vm_map(root, levels, VA_XO, (u64)page_a, PAGE_4K, F | PTE_X);
    vm_map(root, levels, VA_UXO, (u64)page_a, PAGE_4K, F | PTE_U | PTE_X);
    vm_map(root, levels, VA_UCODE, RAM_BASE, PAGE_2M, F | PTE_U | PTE_R | PTE_X);
    vm_map(root, levels, VA_SW, levels == 3 ? (u64)page_a : (u64)page_b, PAGE_4K, F | PTE_R);
    pw_leaf[levels - 3] = vm_map(root, levels, VA_PW, (u64)page_b, PAGE_4K,
                                 F | PTE_R | PTE_W | PTE_X);
    return root;
}

/* PMP entry 0: the 4K page of VA_PW's leaf PTE with cfg (NAPOT);
 * entry 1: everything else, RWX. */
static void pmp_table_page(u64 *leaf, u64 cfg)
{
    u64 page = (u64)leaf & ~0xffful;
    csr_write(pmpaddr0, (page >> 2) | 0x1ff);
    csr_write(pmpaddr1, ~0ul);
    csr_write(pmpcfg0, 0x1f00 | cfg);
    sfence_all();
}

/* The walk reads PTEs as S mode does (privileged spec 3.7.1): PMP that
 * denies S the page of a leaf PTE makes every access through it an
 * access fault, M's own accesses to it untouched. */
static void pmp_walk(u64 *root, int levels)
{
    printf("== PMP on the page walk, Sv%d ==\n", 12 + 9 * levels);
    u64 *leaf = pw_leaf[levels - 3];
    csr_write(satp, vm_satp(root, levels));
    sfence_all();
    check_trap("load, PMP off", s(p_load64, VA_PW), RUN_RETURNED, B_VAL, 0, 0);
    pmp_table_page(leaf, 0x18);
    check_trap("load, PTE page no access", s(p_load64, VA_PW), RUN_TRAP_M, EXC_LOAD_ACCESS,
               p_load64, VA_PW);
    check_trap("store, PTE page no access", s(p_store64, VA_PW), RUN_TRAP_M, EXC_STORE_ACCESS,
               p_store64, VA_PW);
    check_trap("fetch, PTE page no access", s(p_jump, VA_PW), RUN_TRAP_M, EXC_INSN_ACCESS,
               (void *)VA_PW, VA_PW);
    check("  M reads the PTE", *leaf & 0xff, F | PTE_R | PTE_W | PTE_X | PTE_V);
    pmp_table_page(leaf, 0x19);
    check_trap("load, PTE page read-only (A, D set)", s(p_load64, VA_PW), RUN_RETURNED, B_VAL, 0, 0);
    /* back to crt0's one entry: everything RWX */
    csr_write(pmpaddr0, ~0ul);
    csr_write(pmpcfg0, 0x1f);
    csr_write(satp, 0);
    sfence_all();
}

static void switching(u64 *sv39, u64 *sv48)
{
    printf("== satp switching ==\n");
    csr_write(satp, vm_satp(sv39, 3));
    sfence_all();
    check_trap("Sv39 load", s(p_load64, VA_SW), RUN_RETURNED, A_VAL, 0, 0);
    csr_write(satp, vm_satp(sv48, 4));
    sfence_all();
    check_trap("Sv48 load", s(p_load64, VA_SW), RUN_RETURNED, B_VAL, 0, 0);
    csr_write(satp, 0);
    sfence_all();
    check_trap("Bare load of page_b", s(p_load64, (u64)page_b), RUN_RETURNED, B_VAL, 0, 0);
    check_trap("Bare load of the Sv48 address", s(p_load64, VA_SW), RUN_TRAP_M, EXC_LOAD_ACCESS, p_load64, VA_SW);
    csr_write(satp, vm_satp(sv39, 3));
    sfence_all();
    check_trap("Sv39 load again", s(p_load64, VA_SW), RUN_RETURNED, A_VAL, 0, 0);
    csr_write(satp, 0);
    sfence_all();
}

int main(void)
{
    u64 *roots[2];
    vm_reset();
    s_install();
    for (int levels = 3; levels <= 4; levels++) {
        printf("== Sv%d ==\n", 12 + 9 * levels);
        u64 *root = roots[levels - 3] = table(levels);
        page_a[0] = A_VAL;
        page_b[0] = B_VAL;
        csr_write(satp, vm_satp(root, levels));
        sfence_all();
        sum_mxr();
        mprv();
    }
    switching(roots[0], roots[1]);
    pmp_walk(roots[0], 3);
    pmp_walk(roots[1], 4);
    return 0;
}
