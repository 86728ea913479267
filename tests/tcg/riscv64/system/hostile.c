/* A hostile guest's accesses outside RAM, each ending in the guest's own
 * exception: fetches from a device and from holes, LR/SC past the end of
 * RAM, loads and stores that cross from RAM into nothing, a compressed
 * instruction in the last halfword of RAM; in S mode (Sv39, Sv48) leaf
 * PTEs pointing at a device, at nothing and at the top of the physical
 * address space, a page-table page in a device, satp's root in a device,
 * accesses and a 32-bit instruction crossing into an unmapped page, a
 * 32-bit instruction across two pages whose second page is remapped or
 * unmapped.  Only what QEMU 7.2 and the spec agree on: hostile_pma has the
 * cases where QEMU has no PMAs. */
#include "vm.h"

extern char p_load64[], p_load32[], p_store64[], p_jump[], p_lr_d[], p_ident[], p_call[];
extern char h_lbu[], h_sb[], h_sc_d[];

asm(".text\n.align 2\n"
    ".globl h_lbu\nh_lbu:\n  lbu a0, 0(a0)\n  ret\n"
    ".globl h_sb\nh_sb:\n  sb a0, 0(a0)\n  ret\n"
    ".globl h_sc_d\nh_sc_d:\n  sc.d a0, a0, (a0)\n  ret\n");

#define RAM_END (RAM_BASE + (128ul << 20))  /* -m 128M */
#define HOLE 0x200ul                        /* nothing mapped there */

static run_t m(void *fn, u64 arg) { return run_in(PRV_M, fn, arg); }
static run_t s(void *fn, u64 arg) { return run_in(PRV_S, fn, arg); }

static void m_mode(void)
{
    printf("== M ==\n");
    check_trap("fetch from the PLIC", m(p_jump, PLIC), RUN_TRAP_M, EXC_INSN_ACCESS,
               (void *)PLIC, PLIC);
    check_trap("fetch from a hole", m(p_jump, HOLE), RUN_TRAP_M, EXC_INSN_ACCESS,
               (void *)HOLE, HOLE);
    check_trap("fetch at the end of RAM", m(p_jump, RAM_END), RUN_TRAP_M, EXC_INSN_ACCESS,
               (void *)RAM_END, RAM_END);
    check_trap("lr.d at the end of RAM", m(p_lr_d, RAM_END), RUN_TRAP_M, EXC_LOAD_ACCESS,
               p_lr_d, RAM_END);
    /* no reservation: it fails without touching memory */
    check_trap("sc.d at the end of RAM", m(h_sc_d, RAM_END), RUN_RETURNED, 1, 0, 0);

    check_trap("ld crossing from RAM into nothing", m(p_load64, RAM_END - 4), RUN_TRAP_M,
               EXC_LOAD_ACCESS, p_load64, RAM_END);
    check_trap("lw crossing from RAM into nothing", m(p_load32, RAM_END - 2), RUN_TRAP_M,
               EXC_LOAD_ACCESS, p_load32, RAM_END);
    check_trap("sd crossing from RAM into nothing", m(p_store64, RAM_END - 2), RUN_TRAP_M,
               EXC_STORE_ACCESS, p_store64, RAM_END);

    /* c.nop in the last halfword: the next fetch is past RAM */
    *(volatile uint16_t *)(RAM_END - 2) = 0x0001;
    asm volatile("fence.i" ::: "memory");
    check_trap("c.nop in the last halfword of RAM", m(p_jump, RAM_END - 2), RUN_TRAP_M,
               EXC_INSN_ACCESS, (void *)RAM_END, RAM_END);
}

static u64 page_a[512] __attribute__((aligned(4096)));

#define VA_UART  0x100000000ul  /* leaf -> the UART */
#define VA_HOLE  0x100001000ul  /* leaf -> past RAM */
#define VA_DATA  0x100002000ul  /* page_a, RWX; the next page is unmapped */
#define VA_NONE  0x100003000ul
#define VA_PLICT 0x140000000ul  /* its last-level table is the PLIC */
#define VA_FAR   0x100004000ul  /* leaf -> PPN all ones (44 bits) */
#define F (PTE_V | PTE_A | PTE_D)

static void s_mode(int levels)
{
    printf("== S, Sv%d ==\n", 12 + 9 * levels);
    vm_reset();
    u64 *root = vm_identity_root(levels);
    vm_map(root, levels, VA_UART, UART0, PAGE_4K, F | PTE_R | PTE_W | PTE_X);
    vm_map(root, levels, VA_HOLE, RAM_END, PAGE_4K, F | PTE_R | PTE_W | PTE_X);
    vm_map(root, levels, VA_DATA, (u64)page_a, PAGE_4K, F | PTE_R | PTE_W | PTE_X);
    *vm_map(root, levels, VA_FAR, 0, PAGE_4K, 0) = ((1ul << 44) - 1) << 10 | F | PTE_R | PTE_W | PTE_X;
    /* a pointer PTE at the 2M level whose table is the PLIC's priority
     * registers: all zero, so the PTE read there is invalid */
    *vm_map(root, levels, VA_PLICT, 0, PAGE_2M, 0) = (PLIC >> 12) << 10 | PTE_V;
    csr_write(satp, vm_satp(root, levels));
    sfence_all();

    check_trap("lbu UART LSR through a leaf", s(h_lbu, VA_UART + 5), RUN_RETURNED, 0x60, 0, 0);
    check_trap("sb UART SCR through a leaf", s(h_sb, VA_UART + 7), RUN_RETURNED, VA_UART + 7, 0, 0);
    check_trap("  lbu SCR", s(h_lbu, VA_UART + 7), RUN_RETURNED, 7, 0, 0);
    check_trap("load through a leaf to nothing", s(p_load64, VA_HOLE), RUN_TRAP_M,
               EXC_LOAD_ACCESS, p_load64, VA_HOLE);
    check_trap("store through a leaf to nothing", s(p_store64, VA_HOLE + 8), RUN_TRAP_M,
               EXC_STORE_ACCESS, p_store64, VA_HOLE);
    check_trap("fetch through a leaf to nothing", s(p_jump, VA_HOLE + 4), RUN_TRAP_M,
               EXC_INSN_ACCESS, (void *)(VA_HOLE + 4), VA_HOLE);
    check_trap("lr.d through a leaf to nothing", s(p_lr_d, VA_HOLE), RUN_TRAP_M,
               EXC_LOAD_ACCESS, p_lr_d, VA_HOLE);
    check_trap("load through a leaf to the highest physical page", s(p_load64, VA_FAR + 8),
               RUN_TRAP_M, EXC_LOAD_ACCESS, p_load64, VA_FAR);
    check_trap("store through a leaf to the highest physical page", s(p_store64, VA_FAR),
               RUN_TRAP_M, EXC_STORE_ACCESS, p_store64, VA_FAR);
    check_trap("fetch through a leaf to the highest physical page", s(p_jump, VA_FAR),
               RUN_TRAP_M, EXC_INSN_ACCESS, (void *)VA_FAR, VA_FAR);
    check_trap("load through a table in the PLIC", s(p_load64, VA_PLICT + 0x1000), RUN_TRAP_M,
               EXC_LOAD_PAGE, p_load64, VA_PLICT);
    /* priority 2 = 1: PTE 1 of that table is a pointer at the last level */
    mmio_write32(PLIC + 4 * 2, 1);
    check_trap("load through a pointer PTE in the PLIC", s(p_load64, VA_PLICT + 0x1000),
               RUN_TRAP_M, EXC_LOAD_PAGE, p_load64, VA_PLICT);
    mmio_write32(PLIC + 4 * 2, 0);

    page_a[511] = 0x8877665544332211ul;
    check_trap("ld crossing into an unmapped page", s(p_load64, VA_NONE - 4), RUN_TRAP_M,
               EXC_LOAD_PAGE, p_load64, VA_NONE);
    check_trap("sd crossing into an unmapped page", s(p_store64, VA_NONE - 2), RUN_TRAP_M,
               EXC_STORE_PAGE, p_store64, VA_NONE);
    check("  nothing stored", page_a[511], 0x8877665544332211ul);
    /* the low half of addi x0, x0, 0 in the page's last halfword */
    *(volatile uint16_t *)((u64)page_a + 4094) = 0x0013;
    asm volatile("fence.i" ::: "memory");
    check_trap("32-bit insn crossing into an unmapped page", s(p_jump, VA_NONE - 2), RUN_TRAP_M,
               EXC_INSN_PAGE, (void *)(VA_NONE - 2), VA_NONE);
    *(volatile uint16_t *)((u64)page_a + 4094) = 0x0001;
    asm volatile("fence.i" ::: "memory");
    check_trap("c.nop before an unmapped page", s(p_jump, VA_NONE - 2), RUN_TRAP_M,
               EXC_INSN_PAGE, (void *)VA_NONE, VA_NONE);

}

/* A 32-bit insn whose halves are in two virtual pages: after the second
 * page is remapped (sfence.vma) the insn is made of the new page's half,
 * and with the second page unmapped it takes the fetch page fault itself.
 * Entered at the insn (an indirect jump) and 4 bytes before it (two
 * c.nops falling through into it). */
static uint16_t cross1[2048] __attribute__((aligned(4096)));
static uint16_t cross_x[2048] __attribute__((aligned(4096)));
static uint16_t cross_y[2048] __attribute__((aligned(4096)));
#define VA_CROSS 0x100010000ul

static void crossing_insn(int levels)
{
    printf("== S, Sv%d: a 32-bit insn across two pages ==\n", 12 + 9 * levels);
    cross1[2045] = 0x0001;                  /* c.nop */
    cross1[2046] = 0x0001;                  /* c.nop */
    cross1[2047] = 0x0513;                  /* addi a0, zero, imm: low half */
    cross_x[0] = 1 << 4;                    /* imm = 1 */
    cross_x[1] = 0x8082;                    /* c.ret */
    cross_y[0] = 2 << 4;                    /* imm = 2 */
    cross_y[1] = 0x8082;
    asm volatile("fence.i" ::: "memory");
    vm_reset();
    u64 *root = vm_identity_root(levels);
    vm_map(root, levels, VA_CROSS, (u64)cross1, PAGE_4K, F | PTE_R | PTE_X);
    u64 *pte2 = vm_map(root, levels, VA_CROSS + 0x1000, (u64)cross_x, PAGE_4K, F | PTE_R | PTE_X);
    csr_write(satp, vm_satp(root, levels));
    sfence_all();
    const u64 insn = VA_CROSS + 0xffe, before = VA_CROSS + 0xffa;
    for (int round = 0; round < 2; round++) {
        check_trap("second half in page X", s(p_call, insn), RUN_RETURNED, 1, 0, 0);
        check_trap("  entered 4 bytes before", s(p_call, before), RUN_RETURNED, 1, 0, 0);
        *pte2 = ((u64)cross_y >> 12) << 10 | F | PTE_R | PTE_X;
        sfence_all();
        check_trap("second page remapped to page Y", s(p_call, insn), RUN_RETURNED, 2, 0, 0);
        check_trap("  entered 4 bytes before", s(p_call, before), RUN_RETURNED, 2, 0, 0);
        *pte2 = 0;
        sfence_all();
        check_trap("second page unmapped", s(p_call, insn), RUN_TRAP_M, EXC_INSN_PAGE,
                   (void *)insn, insn + 2);
        check_trap("  entered 4 bytes before", s(p_call, before), RUN_TRAP_M, EXC_INSN_PAGE,
                   (void *)insn, insn + 2);
        *pte2 = ((u64)cross_x >> 12) << 10 | F | PTE_R | PTE_X;
        sfence_all();
    }
    csr_write(satp, 0);
    sfence_all();
}

int main(void)
{
    m_mode();
    s_mode(3);
    s_mode(4);
    crossing_insn(3);
    crossing_insn(4);
    return 0;
}
