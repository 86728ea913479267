/* Address spaces told apart by ASID (Sv39 and Sv48), switched from S-mode
 * by writing satp alone, with no sfence.vma, as an OS with ASIDs does:
 * one virtual page of data and one of code map to different physical
 * pages in each space, and each load and call must see its own space's,
 * in a loop hot enough to be translated in full.  The code that switches
 * runs through a global mapping (the same in both spaces, as a kernel's
 * is).  Then sfence.vma x0, ASID after a PTE change.  (How many ASID
 * bits satp keeps is the implementation's choice: QEMU 7.2 keeps none,
 * Rove 16, so it is not printed.) */
#include "vm.h"

#define VA_DATA 0x100000000ul
#define VA_CODE 0x100001000ul
#define ASID_SHIFT 44

static u64 page_a[512] __attribute__((aligned(4096)));
static u64 page_b[512] __attribute__((aligned(4096)));
static u32 code_a[1024] __attribute__((aligned(4096)));
static u32 code_b[1024] __attribute__((aligned(4096)));

#define LI_A0(v) (0x00000513u | ((u32)(v) << 20))   /* addi a0, zero, v */
#define RET      0x00008067u

static u64 satp1, satp2;
static u64 *pte1_data;

typedef u64 (*fn0_t)(void);

/* S-mode: n rounds of (space 1: load + call, space 2: load + call);
 * returns the sum, each space's values weighed differently. */
static u64 s_switch(u64 n)
{
    u64 sum = 0;
    for (u64 i = 0; i < n; i++) {
        csr_write(satp, satp1);
        sum += *(volatile u64 *)VA_DATA + ((fn0_t)VA_CODE)();
        csr_write(satp, satp2);
        sum += 1000 * (*(volatile u64 *)VA_DATA + ((fn0_t)VA_CODE)());
    }
    csr_write(satp, 0);
    return sum;
}

/* S-mode: remap space 1's data page to page_b, flush ASID 1 only. */
static u64 s_remap_asid(u64 asid)
{
    csr_write(satp, satp1);
    *(volatile u64 *)pte1_data = ((u64)page_b >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    asm volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
    u64 v = *(volatile u64 *)VA_DATA;
    csr_write(satp, 0);
    return v;
}

static void space(int levels)
{
    printf("== Sv%d ==\n", 12 + 9 * levels);
    vm_reset();
    u64 *r1 = vm_table(), *r2 = vm_table();
    /* The image (RAM) global in both, devices too: the same mappings. */
    u64 g = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G;
    vm_map(r1, levels, RAM_BASE, RAM_BASE, PAGE_1G, g);
    vm_map(r2, levels, RAM_BASE, RAM_BASE, PAGE_1G, g);
    vm_map(r1, levels, 0, 0, PAGE_1G, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
    vm_map(r2, levels, 0, 0, PAGE_1G, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
    u64 d = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, x = PTE_V | PTE_R | PTE_X | PTE_A;
    pte1_data = vm_map(r1, levels, VA_DATA, (u64)page_a, PAGE_4K, d);
    vm_map(r2, levels, VA_DATA, (u64)page_b, PAGE_4K, d);
    vm_map(r1, levels, VA_CODE, (u64)code_a, PAGE_4K, x);
    vm_map(r2, levels, VA_CODE, (u64)code_b, PAGE_4K, x);
    satp1 = vm_satp(r1, levels) | 1ul << ASID_SHIFT;
    satp2 = vm_satp(r2, levels) | 2ul << ASID_SHIFT;
    page_a[0] = 10;
    page_b[0] = 20;
    sfence_all();

    check_trap("one switch each way", run_in(PRV_S, s_switch, 1), RUN_RETURNED,
               (10 + 1) + 1000 * (20 + 2), 0, 0);
    check_trap("100000 switches each way", run_in(PRV_S, s_switch, 100000), RUN_RETURNED,
               100000ul * ((10 + 1) + 1000 * (20 + 2)), 0, 0);
    check_trap("sfence.vma x0, ASID 1 after a remap", run_in(PRV_S, s_remap_asid, 1),
               RUN_RETURNED, 20, 0, 0);
    check_trap("space 1 now sees page_b", run_in(PRV_S, s_switch, 1), RUN_RETURNED,
               (20 + 1) + 1000 * (20 + 2), 0, 0);
    sfence_all();
}

int main(void)
{
    code_a[0] = LI_A0(1);
    code_a[1] = RET;
    code_b[0] = LI_A0(2);
    code_b[1] = RET;
    asm volatile("fence.i" ::: "memory");

    space(3);
    space(4);
    return 0;
}
