/* LR/SC: success, failure after a consumed reservation, failure on a
 * different address, sign extension of lr.w, ordering variants, and an
 * lr/sc compare-and-swap loop. */
#include <sys/mman.h>
#include "rvtest.h"

static volatile uint64_t cell[4] __attribute__((aligned(64)));

static uint64_t lr_d(volatile uint64_t *p)
{
    uint64_t v;
    __asm__ volatile("lr.d %0, (%1)" : "=r"(v) : "r"(p) : "memory");
    return v;
}
static uint64_t sc_d(volatile uint64_t *p, uint64_t v)
{
    uint64_t r;
    __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
    return r;
}

static uint64_t cas_add(volatile uint64_t *p, uint64_t inc)
{
    uint64_t old, tmp, fail;
    __asm__ volatile("1: lr.d.aq %0, (%3)\n\t"
                     "add %1, %0, %4\n\t"
                     "sc.d.rl %2, %1, (%3)\n\t"
                     "bnez %2, 1b"
                     : "=&r"(old), "=&r"(tmp), "=&r"(fail) : "r"(p), "r"(inc) : "memory");
    return old;
}
static uint32_t cas_w(volatile uint32_t *p, uint32_t expect, uint32_t desired)
{
    uint64_t old, fail;
    __asm__ volatile("1: lr.w.aqrl %0, (%2)\n\t"
                     "bne %0, %3, 2f\n\t"
                     "sc.w.aqrl %1, %4, (%2)\n\t"
                     "bnez %1, 1b\n"
                     "2:"
                     : "=&r"(old), "=&r"(fail) : "r"(p), "r"((uint64_t)(int32_t)expect),
                       "r"(desired) : "memory");
    return (uint32_t)old;
}

int main(void)
{
    uint64_t v, r, r2;

    cell[0] = 0x1111222233334444ull;
    v = lr_d(&cell[0]);
    r = sc_d(&cell[0], 0x5555);
    CHECK("lr.d value", v, 0x1111222233334444ull);
    CHECK("sc.d after lr.d succeeds (0)", r, 0);
    CHECK("  memory written", cell[0], 0x5555);
    r = sc_d(&cell[0], 0x6666);
    CHECK("second sc.d fails (1)", r, 1);
    CHECK("  memory unchanged", cell[0], 0x5555);

    /* reservation on one page, sc to another page must fail */
    volatile uint64_t *other = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    other[0] = 9;
    (void)lr_d(&cell[0]);
    r = sc_d(other, 10);
    CHECK("sc.d to a different page fails", r, 1);
    CHECK("  other memory unchanged", other[0], 9);
    r = sc_d(&cell[0], 11);
    CHECK("sc.d after failed sc fails too", r, 1);

    /* lr.w sign extension, sc.w writes only 32 bits */
    cell[1] = 0x12345678876543f0ull;
    __asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)" : "=&r"(v), "=&r"(r)
                     : "r"(&cell[1]), "r"(0xaaaaaaaabbbbbbbbull) : "memory");
    CHECK("lr.w sign-extends", v, 0xffffffff876543f0ull);
    CHECK("sc.w succeeds", r, 0);
    CHECK("sc.w writes low word only", cell[1], 0x12345678bbbbbbbbull);
    __asm__ volatile("lr.w.aq %0, (%2)\n\tsc.w.rl %1, %3, (%2)" : "=&r"(v), "=&r"(r)
                     : "r"((volatile uint32_t *)&cell[1] + 1), "r"(0x7fffffffull) : "memory");
    CHECK("lr.w.aq high word", v, 0x12345678);
    CHECK("sc.w.rl succeeds", r, 0);
    CHECK("  memory", cell[1], 0x7fffffffbbbbbbbbull);
    __asm__ volatile("lr.d.aqrl %0, (%2)\n\tsc.d.aqrl %1, zero, (%2)" : "=&r"(v), "=&r"(r)
                     : "r"(&cell[1]) : "memory");
    CHECK("sc.d.aqrl of x0", r, 0);
    CHECK("  memory zero", cell[1], 0);
    /* sc with rd == rs2 */
    r2 = 0x42;
    __asm__ volatile("lr.d zero, (%1)\n\tsc.d %0, %0, (%1)" : "+r"(r2) : "r"(&cell[2]) : "memory");
    CHECK("sc.d rd==rs2 status", r2, 0);
    CHECK("  stored old rs2", cell[2], 0x42);

    cell[3] = 0;
    for (int i = 0; i < 10000; i++) {
        cas_add(&cell[3], (uint64_t)i);
    }
    CHECK("lr/sc add loop sum", cell[3], 49995000);
    volatile uint32_t w = 5;
    CHECK("cas.w mismatch returns current", cas_w(&w, 4, 9), 5);
    CHECK("  unchanged", w, 5);
    CHECK("cas.w match returns old", cas_w(&w, 5, 0x80000000u), 5);
    CHECK("  swapped", w, 0x80000000u);
    CHECK("cas.w negative expect", cas_w(&w, 0x80000000u, 1), 0x80000000u);
    CHECK("  swapped", w, 1);
    return rvt_done("atomic_lrsc");
}
