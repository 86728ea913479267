/* The page walker's own store, over code: a leaf PTE that is also an
 * instruction.  V|R|U with A clear reads as an OP-IMM instruction (opcode
 * 0x13; D, RSW and the PPN's low bits, all 0 here, make it "addi x0, ...",
 * a no-op); setting A (bit 6) makes opcode 0x53, an FP instruction, which
 * is illegal with FS off.  The PTE's high word is 0, an illegal
 * instruction.  M runs the PTE: a trap at +4 before S loads through it, at
 * +0 after (with fence.i: the walker's store is a store this hart sees,
 * the load of the PTE shows it).  QEMU 7.2 keeps running the old
 * translation, so the golden output is written by hand (no-qemu). */
#include "vm.h"

extern char p_load64[];

#define VA 0x100002000ul
/* 128 KiB aligned: PPN bits 0-4 (rd bit 4 and funct3 in the PTE) clear */
static u64 data[512] __attribute__((aligned(0x20000)));

/* M runs the PTE: where its illegal-instruction trap was, from the PTE */
static void run_pte(const char *name, u64 *pte, u64 want)
{
    run_t r = run_in(PRV_M, pte, 0);
    check(name, r.how == RUN_TRAP_M && r.cause == EXC_ILLEGAL ? r.epc - (u64)pte : ~0ul, want);
}

static void walker_sets_a(int levels)
{
    printf("== Sv%d ==\n", 12 + 9 * levels);
    vm_reset();
    u64 *root = vm_identity_root(levels);
    u64 *pte = vm_map(root, levels, VA, (u64)data, PAGE_4K, PTE_V | PTE_R | PTE_U);
    data[0] = 0x5a5a;
    csr_clear(mstatus, MSTATUS_FS);
    asm volatile("fence.i" ::: "memory");
    run_pte("run the PTE, A clear: illegal instruction at PTE +", pte, 4);
    run_pte("run it again: at PTE +", pte, 4);
    csr_write(satp, vm_satp(root, levels));
    sfence_all();
    csr_set(mstatus, MSTATUS_SUM);
    check_trap("S loads through it", run_in(PRV_S, p_load64, VA), RUN_RETURNED, 0x5a5a, 0, 0);
    csr_clear(mstatus, MSTATUS_SUM);
    csr_write(satp, 0);
    sfence_all();
    check("  A and D in the PTE", *pte & (PTE_A | PTE_D), PTE_A);
    asm volatile("fence.i" ::: "memory");
    run_pte("run the PTE after fence.i: at PTE +", pte, 0);
}

int main(void)
{
    walker_sets_a(3);
    walker_sets_a(4);
    return 0;
}
