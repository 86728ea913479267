/* Self-modifying code, made visible with fence.i as the ISA requires:
 * M-mode stores over code that has run (plain, AMO, a misaligned store
 * crossing into the code's page), code that patches its own next
 * instruction before a fence.i, and S-mode stores through a writable
 * alias of a page that runs through an executable mapping.  A patch
 * without fence.i may show either instruction, but must not break
 * anything. */
#include "vm.h"

#define LI_A0(v)   (0x00000513u | ((u32)(v) << 20))  /* addi a0, zero, v */
#define RET        0x00008067u                        /* jalr zero, 0(ra) */
#define NOP        0x00000013u
#define FENCE_I    0x0000100fu
#define SW_A1_8_A0 0x00b52423u                        /* sw a1, 8(a0) */

/* Two pages of code, written by the program (RAM is RWX for M and S). */
static u32 code[2048] __attribute__((aligned(4096)));
#define PAGE2 (&code[1024])

#define VA_X 0x100000000ul      /* code's first page, R+X */
#define VA_W 0x100001000ul      /* the same page, R+W */
#define F (PTE_V | PTE_A | PTE_D)

extern char p_store64[];

typedef u64 (*fn2_t)(u64, u64);

static inline void fence_i(void)
{
    asm volatile("fence.i" ::: "memory");
}

static u64 call(volatile u32 *p, u64 a0, u64 a1)
{
    return ((fn2_t)p)(a0, a1);
}

static void m_mode(void)
{
    printf("== M ==\n");
    code[0] = LI_A0(1);
    code[1] = RET;
    fence_i();
    check("fresh code", call(code, 0, 0), 1);
    code[0] = LI_A0(2);
    fence_i();
    check("store over code that ran, fence.i", call(code, 0, 0), 2);

    u64 sum = 0;
    for (int i = 0; i < 100; i++) {
        code[0] = LI_A0(i);
        fence_i();
        sum += call(code, 0, 0);
    }
    check("100 patch + fence.i + call rounds, sum", sum, 4950);

    u32 old;
    asm volatile("amoswap.w %0, %2, (%1)" : "=r"(old) : "r"(code), "r"(LI_A0(3)) : "memory");
    check("  amoswap.w over code: old insn", old, LI_A0(99));
    fence_i();
    check("amoswap.w over code, fence.i", call(code, 0, 0), 3);

    /* the new insn at the start of page 2 is the high half of an 8-byte
     * store that begins 4 bytes before it */
    PAGE2[0] = LI_A0(4);
    PAGE2[1] = RET;
    fence_i();
    check("code at a page start", call(PAGE2, 0, 0), 4);
    u64 v = (u64)LI_A0(5) << 32 | 0xdeadbeef;
    asm volatile("sd %1, 0(%0)" :: "r"((u64)PAGE2 - 4), "r"(v) : "memory");
    fence_i();
    check("misaligned sd crossing into the code page, fence.i", call(PAGE2, 0, 0), 5);
    check("  the word before it", code[1023], 0xdeadbeef);

    /* sw a1, 8(a0); fence.i; <patched>; ret */
    code[0] = SW_A1_8_A0;
    code[1] = FENCE_I;
    code[2] = LI_A0(1);
    code[3] = RET;
    fence_i();
    for (int i = 0; i < 3; i++) {
        printf("patch own next insn with li a0, %d; fence.i: ", 40 + i);
        check("returned", call(code, (u64)code, LI_A0(40 + i)), 40 + i);
    }

    /* the same without fence.i: old or new, never anything else */
    code[1] = NOP;
    fence_i();
    int ok = 1;
    for (int i = 0; i < 200; i++) {
        u64 want = 50 + (i & 1), prev = 50 + !(i & 1);
        u64 r = call(code, (u64)code, LI_A0(want));
        if (i > 0 && r != want && r != prev)
            ok = 0;
    }
    check_bool("patch own next insn without fence.i, 200 times: old or new value", ok, 1);
    static u32 scratch[4];
    fence_i();
    check("  after a fence.i (the patch stores elsewhere)", call(code, (u64)scratch, LI_A0(60)), 51);
}

/* S mode: patch through VA_W, fence.i, run through VA_X */
static u64 s_patch_run(u64 v)
{
    *(volatile u32 *)VA_W = LI_A0(v);
    fence_i();
    return call((volatile u32 *)VA_X, 0, 0);
}

static void s_mode(int levels)
{
    printf("== S, Sv%d ==\n", 12 + 9 * levels);
    vm_reset();
    u64 *root = vm_identity_root(levels);
    vm_map(root, levels, VA_X, (u64)code, PAGE_4K, F | PTE_R | PTE_X);
    vm_map(root, levels, VA_W, (u64)code, PAGE_4K, F | PTE_R | PTE_W);
    code[0] = LI_A0(10);
    code[1] = RET;
    fence_i();
    csr_write(satp, vm_satp(root, levels));
    sfence_all();
    check_trap("run through the X mapping", run_in(PRV_S, (void *)call, VA_X), RUN_RETURNED, 10, 0, 0);
    for (int i = 11; i <= 13; i++) {
        printf("store li a0, %d through the W alias, fence.i, run", i);
        check_trap("", run_in(PRV_S, s_patch_run, i), RUN_RETURNED, i, 0, 0);
    }
    check_trap("store through the X mapping", run_in(PRV_S, p_store64, VA_X),
               RUN_TRAP_M, EXC_STORE_PAGE, p_store64, VA_X);
    csr_write(satp, 0);
    sfence_all();
    check("  M sees the last patch", code[0], LI_A0(13));
}

int main(void)
{
    m_mode();
    s_mode(3);
    s_mode(4);
    return 0;
}
