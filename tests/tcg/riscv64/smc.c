/* Self-modifying code: (1) an RWX page rewritten and re-run many times,
 * (2) RW -> RX via mprotect, rewritten after going back to RW, (3) code that
 * patches an instruction later in its own block and executes it after
 * fence.i, (4) patching a function in the program's own text segment after
 * mprotect.  (Executing through a second virtual alias of a rewritten page
 * is checked in qemu_divergence.c; qemu-riscv64 7.2 gets it wrong.) */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>
#include "rvtest.h"

#define FENCE_I() __asm__ volatile("fence.i" ::: "memory")

/* addi a0, zero, imm (imm in -2048..2047) */
static uint32_t li_a0(int imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | 10 << 7 | 0x13;
}
static const uint32_t RET = 0x00008067;

typedef long (*fn_t)(void);

/* A function in .text with a known layout: li a0, 11; ret (uncompressed). */
__asm__(".pushsection .text\n"
        ".balign 4096\n"
        ".globl patchme\n"
        "patchme:\n"
        ".option push\n.option norvc\n"
        "addi a0, zero, 11\n"
        "ret\n"
        ".option pop\n"
        ".balign 4096\n"
        ".popsection\n");
extern long patchme(void);

int main(void)
{
    long pg = sysconf(_SC_PAGESIZE);

    /* (1) RWX page */
    uint32_t *rwx = mmap(NULL, pg, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap RWX", rwx != MAP_FAILED);
    fn_t f = (fn_t)(void *)rwx;
    rwx[0] = li_a0(1);
    rwx[1] = RET;
    FENCE_I();
    CHECK("RWX first version", f(), 1);
    rwx[0] = li_a0(2);
    FENCE_I();
    CHECK("RWX rewritten", f(), 2);
    int bad = 0;
    for (int i = 0; i < 500; i++) {
        rwx[0] = li_a0(i - 250);
        FENCE_I();
        bad += f() != i - 250;
        bad += f() != i - 250;     /* executed twice: cached translation */
    }
    CHECK("500 rewrite/execute rounds: wrong results", bad, 0);
    /* rewrite at a different offset of the same page, then the old one again */
    rwx[64] = li_a0(64);
    rwx[65] = RET;
    FENCE_I();
    CHECK("second function in same page", ((fn_t)(void *)&rwx[64])(), 64);
    CHECK("first function still intact", f(), 249);

    /* (2) RW -> RX */
    uint32_t *rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    rw[0] = li_a0(100);
    rw[1] = RET;
    CHECK("mprotect RX", mprotect(rw, pg, PROT_READ | PROT_EXEC), 0);
    FENCE_I();
    f = (fn_t)(void *)rw;
    CHECK("RX version 1", f(), 100);
    mprotect(rw, pg, PROT_READ | PROT_WRITE);
    rw[0] = li_a0(200);
    mprotect(rw, pg, PROT_READ | PROT_EXEC);
    FENCE_I();
    CHECK("RX version 2 after RW round trip", f(), 200);
    munmap(rw, pg);
    /* map a new page (likely at the same address) with different code */
    rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    rw[0] = li_a0(300);
    rw[1] = RET;
    mprotect(rw, pg, PROT_READ | PROT_EXEC);
    FENCE_I();
    CHECK("fresh mapping after munmap", ((fn_t)(void *)rw)(), 300);
    munmap(rw, pg);

    /* (3) patch a later instruction of the running block */
    uint32_t *c = rwx + 128;
    c[0] = 0x00000297;                 /* auipc t0, 0 */
    c[1] = 0x0062a823;                 /* sw t1, 16(t0)  -> overwrites c[4] */
    c[2] = 0x0000100f;                 /* fence.i */
    c[3] = 0x00000013;                 /* nop */
    c[4] = li_a0(1);                   /* replaced before it runs */
    c[5] = RET;
    FENCE_I();
    long r;
    for (int i = 0; i < 3; i++) {
        c[4] = li_a0(1);
        FENCE_I();
        register long t1 __asm__("t1") = li_a0(99 + i);
        register long a0 __asm__("a0");
        __asm__ volatile("jalr ra, 0(%2)" : "=r"(a0), "+r"(t1) : "r"(c)
                         : "ra", "t0", "memory");
        r = a0;
        CHECK(rvt_name("in-block patch round %d", i), r, 99 + i);
    }

    /* (4) patch our own text page */
    CHECK("patchme original", patchme(), 11);
    uintptr_t page = (uintptr_t)patchme & ~(uintptr_t)(pg - 1);
    CHECK("mprotect text RWX", mprotect((void *)page, pg, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
    *(volatile uint32_t *)(void *)patchme = li_a0(-7);
    FENCE_I();
    CHECK("patchme after patch", patchme(), -7);
    *(volatile uint32_t *)(void *)patchme = li_a0(11);
    FENCE_I();
    mprotect((void *)page, pg, PROT_READ | PROT_EXEC);
    CHECK("patchme restored", patchme(), 11);
    munmap(rwx, pg);
    return rvt_done("smc");
}
