/* A hostile guest's accesses where the virt machine's physical memory
 * attributes decide, and QEMU 7.2 (which has none) does something else;
 * the golden output is the privileged spec's answer, checked by hand:
 *  - devices are not executable: a fetch from the UART is an access
 *    fault (QEMU runs the register bytes: illegal instruction);
 *  - AMOs need RAM: an AMO on a device, or on nothing, is a store/AMO
 *    access fault (QEMU: does it on the device; load access fault on
 *    nothing), and so is an SC on a device; an AMO crossing a page is
 *    store/AMO misaligned (QEMU: load misaligned);
 *  - a page walk that reads a PTE from nothing or from a device (page
 *    tables live in main memory) raises the access fault of the access
 *    (QEMU: reads the device, and a page fault when it must set A there);
 *  - PMP checks the walk's A/D update as an S-mode store: a leaf that
 *    needs A, on a page PMP leaves read-only to S, is an access fault and
 *    stays as it was (QEMU checks only the walk's reads, and sets A);
 *  - a 32-bit instruction in the last halfword of RAM is a fetch access
 *    fault at the instruction with tval = the end of RAM (QEMU 7.2 aborts
 *    on an assertion).
 * Not run under QEMU (tests.txt: no-qemu). */
#include "vm.h"

extern char p_load64[], p_store64[], p_jump[], p_amoadd_w[], p_ident[];
extern char h_amoadd_d[], h_amoswap_w[], h_lr_w[], h_lr_sc_w[];

asm(".text\n.align 2\n"
    ".globl h_amoadd_d\nh_amoadd_d:\n  amoadd.d a0, zero, (a0)\n  ret\n"
    ".globl h_amoswap_w\nh_amoswap_w:\n  amoswap.w a0, a0, (a0)\n  ret\n"
    ".globl h_lr_w\nh_lr_w:\n  lr.w a0, (a0)\n  ret\n"
    /* lr.w then sc.w of 1 at a0; a0 = sc's result */
    ".globl h_lr_sc_w\nh_lr_sc_w:\n  lr.w t0, (a0)\n  li t1, 1\n"
    ".globl h_sc_w\nh_sc_w:\n  sc.w a0, t1, (a0)\n  ret\n");
extern char h_sc_w[];

#define RAM_END (RAM_BASE + (128ul << 20))  /* -m 128M */
#define HOLE 0x200ul
#define PLIC_PRIO(n) (PLIC + 4 * (n))

static run_t m(void *fn, u64 arg) { return run_in(PRV_M, fn, arg); }
static run_t s(void *fn, u64 arg) { return run_in(PRV_S, fn, arg); }

static u64 page_a[512] __attribute__((aligned(4096)));

static void m_mode(void)
{
    printf("== M ==\n");
    check_trap("fetch from the UART", m(p_jump, UART0), RUN_TRAP_M, EXC_INSN_ACCESS,
               (void *)UART0, UART0);
    check_trap("amoadd.w at the end of RAM", m(p_amoadd_w, RAM_END), RUN_TRAP_M,
               EXC_STORE_ACCESS, p_amoadd_w, RAM_END);
    check_trap("amoadd.d in a hole", m(h_amoadd_d, HOLE), RUN_TRAP_M, EXC_STORE_ACCESS,
               h_amoadd_d, HOLE);

    mmio_write32(PLIC_PRIO(3), 2);
    check_trap("amoswap.w on a PLIC priority", m(h_amoswap_w, PLIC_PRIO(3)), RUN_TRAP_M,
               EXC_STORE_ACCESS, h_amoswap_w, PLIC_PRIO(3));
    check("  the priority", mmio_read32(PLIC_PRIO(3)), 2);
    check_trap("amoadd.d on mtimecmp", m(h_amoadd_d, CLINT_MTIMECMP(0)), RUN_TRAP_M,
               EXC_STORE_ACCESS, h_amoadd_d, CLINT_MTIMECMP(0));
    /* lr.w on a device: a load (Rove, QEMU) or a load access fault */
    run_t r = m(h_lr_w, PLIC_PRIO(3));
    check_bool("lr.w on a PLIC priority: 2 or a load access fault",
               (r.how == RUN_RETURNED && r.value == 2) ||
               (r.how == RUN_TRAP_M && r.cause == EXC_LOAD_ACCESS), 1);
    if (r.how == RUN_RETURNED)
        check_trap("  lr.w; sc.w on it", m(h_lr_sc_w, PLIC_PRIO(3)), RUN_TRAP_M,
                   EXC_STORE_ACCESS, h_sc_w, PLIC_PRIO(3));
    else
        printf("  lr.w; sc.w on it: trap M cause=0x7 epc=base+0x0 tval=base+0x0 mpp=3\n");
    check("  the priority", mmio_read32(PLIC_PRIO(3)), 2);
    mmio_write32(PLIC_PRIO(3), 0);

    check_trap("amoadd.w crossing a page", m(p_amoadd_w, (u64)page_a + 4094), RUN_TRAP_M,
               EXC_STORE_MISALIGNED, p_amoadd_w, (u64)page_a + 4094);

    /* the low half of addi x0, x0, 0 in the last halfword of RAM */
    *(volatile uint16_t *)(RAM_END - 2) = 0x0013;
    asm volatile("fence.i" ::: "memory");
    check_trap("32-bit insn in the last halfword of RAM", m(p_jump, RAM_END - 2), RUN_TRAP_M,
               EXC_INSN_ACCESS, (void *)(RAM_END - 2), RAM_END - 2);
}

#define VA_UART  0x100000000ul  /* leaf -> the UART */
#define VA_HOLE  0x100001000ul  /* leaf -> past RAM */
#define VA_BADT  0x140000000ul  /* its last-level table is past RAM */
#define VA_PLICT 0x180000000ul  /* its last-level table is the PLIC */
#define VA_NOA   0x100002000ul  /* leaf without A, its table read-only to S by PMP */
#define F (PTE_V | PTE_A | PTE_D)

static void s_mode(int levels)
{
    printf("== S, Sv%d ==\n", 12 + 9 * levels);
    vm_reset();
    u64 *root = vm_identity_root(levels);
    vm_map(root, levels, VA_UART, UART0, PAGE_4K, F | PTE_R | PTE_W | PTE_X);
    vm_map(root, levels, VA_HOLE, RAM_END, PAGE_4K, F | PTE_R | PTE_W | PTE_X);
    *vm_map(root, levels, VA_BADT, 0, PAGE_2M, 0) = ((RAM_END + 0x100000) >> 12) << 10 | PTE_V;
    *vm_map(root, levels, VA_PLICT, 0, PAGE_2M, 0) = (PLIC >> 12) << 10 | PTE_V;
    u64 *noa = vm_map(root, levels, VA_NOA, (u64)page_a, PAGE_4K, PTE_V | PTE_R);
    csr_write(satp, vm_satp(root, levels));
    sfence_all();

    /* PMP entry 0: the leaf's table page, R only for S; entry 1: the rest */
    csr_write(pmpaddr0, ((u64)noa & ~0xffful) >> 2 | 0x1ff);
    csr_write(pmpaddr1, ~0ul);
    csr_write(pmpcfg0, 0x1f19);
    sfence_all();
    check_trap("load through a leaf that needs A, its page read-only by PMP",
               s(p_load64, VA_NOA), RUN_TRAP_M, EXC_LOAD_ACCESS, p_load64, VA_NOA);
    check("  the PTE's A", *noa & PTE_A, 0);
    csr_write(pmpaddr0, ~0ul);      /* crt0's one entry again: all RWX */
    csr_write(pmpcfg0, 0x1f);
    sfence_all();
    page_a[0] = 0x77;
    check_trap("  the same with PMP open", s(p_load64, VA_NOA), RUN_RETURNED, 0x77, 0, 0);
    check("  the PTE's A", *noa & PTE_A, PTE_A);

    check_trap("fetch through a leaf to the UART", s(p_jump, VA_UART), RUN_TRAP_M,
               EXC_INSN_ACCESS, (void *)VA_UART, VA_UART);
    check_trap("amoadd.w through a leaf to the UART", s(p_amoadd_w, VA_UART + 4), RUN_TRAP_M,
               EXC_STORE_ACCESS, p_amoadd_w, VA_UART);
    check_trap("amoadd.w through a leaf to nothing", s(p_amoadd_w, VA_HOLE), RUN_TRAP_M,
               EXC_STORE_ACCESS, p_amoadd_w, VA_HOLE);
    check_trap("load through a table past RAM", s(p_load64, VA_BADT), RUN_TRAP_M,
               EXC_LOAD_ACCESS, p_load64, VA_BADT);
    check_trap("store through a table past RAM", s(p_store64, VA_BADT), RUN_TRAP_M,
               EXC_STORE_ACCESS, p_store64, VA_BADT);
    check_trap("fetch through a table past RAM", s(p_jump, VA_BADT), RUN_TRAP_M,
               EXC_INSN_ACCESS, (void *)VA_BADT, VA_BADT);
    /* a fetch never reads a PTE from a device (QEMU: priority 2 = 0, invalid: page fault) */
    check_trap("fetch through a table in the PLIC", s(p_jump, VA_PLICT + 0x1000), RUN_TRAP_M,
               EXC_INSN_ACCESS, (void *)(VA_PLICT + 0x1000), VA_PLICT);
    /* priority 2 = 3: PTE 1 of the PLIC table is a V+R leaf without A */
    mmio_write32(PLIC_PRIO(2), 3);
    check_trap("load through a leaf in the PLIC that needs A", s(p_load64, VA_PLICT + 0x1000),
               RUN_TRAP_M, EXC_LOAD_ACCESS, p_load64, VA_PLICT);
    check("  the PTE", mmio_read32(PLIC_PRIO(2)), 3);
    mmio_write32(PLIC_PRIO(2), 0);

    csr_write(satp, (u64)(levels == 3 ? 8 : 9) << 60 | (RAM_END + 0x200000) >> 12);
    sfence_all();
    check_trap("run S with the root table past RAM", s(p_ident, 1), RUN_TRAP_M,
               EXC_INSN_ACCESS, p_ident, (u64)p_ident);
    /* satp's root in a device: S cannot even fetch its first insn (QEMU
     * reads the device: a page fault) */
    csr_write(satp, (u64)(levels == 3 ? 8 : 9) << 60 | UART0 >> 12);
    sfence_all();
    check_trap("run S with the root table in the UART", s(p_ident, 1), RUN_TRAP_M,
               EXC_INSN_ACCESS, p_ident, (u64)p_ident);
    csr_write(satp, (u64)(levels == 3 ? 8 : 9) << 60 | PLIC >> 12);
    sfence_all();
    check_trap("run S with the root table in the PLIC", s(p_ident, 1), RUN_TRAP_M,
               EXC_INSN_ACCESS, p_ident, (u64)p_ident);
    csr_write(satp, 0);
    sfence_all();
}

int main(void)
{
    m_mode();
    s_mode(3);
    s_mode(4);
    return 0;
}
