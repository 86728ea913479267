/* Self-modifying code in a loop run long enough to turn hot, so that an
 * emulator with tiers (Rove: docs/architecture.md) has made it again as a
 * superblock: patches with fence.i to each of the loop's blocks (the
 * odd side, the even side, the loop's closing branch) and to the code
 * after it must all show in the next run, and each run's result must be
 * exact. */
#include "sys.h"

#define N 4000000ul /* iterations per run: hot within the first */

static u32 code[64] __attribute__((aligned(4096)));

static u32 i_type(u32 op, u32 f3, u32 rd, u32 rs1, int imm)
{
    return ((u32)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static u32 b_type(u32 f3, u32 rs1, u32 rs2, int off)
{
    u32 o = (u32)off & 0x1fff;
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 |
           f3 << 12 | ((o >> 1) & 0xf) << 8 | ((o >> 11) & 1) << 7 | 0x63;
}

static u32 jal_zero(int off)
{
    u32 o = (u32)off & 0x1fffff;
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 | ((o >> 11) & 1) << 20 |
           ((o >> 12) & 0xff) << 12 | 0x6f;
}

#define ADDI(rd, rs, imm) i_type(0x13, 0, rd, rs, imm)
#define ANDI(rd, rs, imm) i_type(0x13, 7, rd, rs, imm)
#define A0 10
#define A1 11
#define T0 5
#define RA 1

/* a0 = n: for n down to 1, a1 += (n odd ? odd : even), n -= step;
 * returns a1 + tail. */
enum { ODD = 3, EVEN = 5, STEP = 6, TAIL = 8 };

static void write_loop(int odd, int even, int step, int tail)
{
    code[0] = ADDI(A1, 0, 0);
    code[1] = ANDI(T0, A0, 1);             /* loop: */
    code[2] = b_type(0, T0, 0, 12);        /* beq t0, zero, even */
    code[ODD] = ADDI(A1, A1, odd);
    code[4] = jal_zero(8);                 /* j next */
    code[EVEN] = ADDI(A1, A1, even);       /* even: */
    code[STEP] = ADDI(A0, A0, -step);      /* next: */
    code[7] = b_type(1, A0, 0, -24);       /* bne a0, zero, loop (step 1) */
    code[TAIL] = ADDI(A0, A1, tail);
    code[9] = i_type(0x67, 0, 0, RA, 0);   /* ret */
}

static inline void fence_i(void)
{
    asm volatile("fence.i" ::: "memory");
}

static u64 run(u64 n)
{
    return ((u64 (*)(u64))(void *)code)(n);
}

int main(void)
{
    write_loop(3, 5, 1, 0);
    fence_i();
    check("odd +3, even +5", run(N), N / 2 * 3 + N / 2 * 5);
    check("again (hot by now)", run(N), N / 2 * 3 + N / 2 * 5);
    code[ODD] = ADDI(A1, A1, 7);
    fence_i();
    check("odd side patched to +7", run(N), N / 2 * 7 + N / 2 * 5);
    code[EVEN] = ADDI(A1, A1, -1);
    fence_i();
    check("even side patched to -1", run(N), N / 2 * 7 - N / 2);
    code[TAIL] = ADDI(A0, A1, 100);
    fence_i();
    check("code after the loop patched", run(N), N / 2 * 7 - N / 2 + 100);
    /* Count down by 2 from an even n: only the even side runs. */
    code[STEP] = ADDI(A0, A0, -2);
    fence_i();
    check("step patched to 2", run(N), N / 2 * (u64)-1 + 100);
    u64 sum = 0;
    for (int i = 0; i < 50; i++) {
        code[EVEN] = ADDI(A1, A1, i);
        fence_i();
        sum += run(N / 100);
    }
    /* each run: N/200 even iterations adding i, then + 100 */
    check("50 patch + fence.i + run rounds, sum", sum, (N / 200) * (49 * 50 / 2) + 50 * 100);
    return 0;
}
