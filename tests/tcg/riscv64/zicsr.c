/* Zicsr: fcsr/frm/fflags reads and writes with every csr instruction form,
 * accrual of flags from FP ops, and rdcycle/rdtime/rdinstret monotonicity. */
#include "rvtest.h"

#define CSRR(csr) ({ uint64_t _v; __asm__ volatile("csrr %0, " csr : "=r"(_v)); _v; })

int main(void)
{
    uint64_t old, v;

    __asm__ volatile("csrw fcsr, %0" : : "r"(0xffull));
    CHECK("fcsr after csrw 0xff", CSRR("fcsr"), 0xff);
    CHECK("frm view", CSRR("frm"), 7);
    CHECK("fflags view", CSRR("fflags"), 0x1f);
    __asm__ volatile("csrrw %0, fcsr, %1" : "=r"(old) : "r"(0x41ull));
    CHECK("csrrw fcsr old", old, 0xff);
    CHECK("fcsr = 0x41", CSRR("fcsr"), 0x41);
    CHECK("frm = 2", CSRR("frm"), 2);
    CHECK("fflags = 1", CSRR("fflags"), 1);
    __asm__ volatile("csrrs %0, fflags, %1" : "=r"(old) : "r"(0x12ull));
    CHECK("csrrs fflags old", old, 1);
    CHECK("fcsr after csrrs", CSRR("fcsr"), 0x53);
    __asm__ volatile("csrrc %0, fcsr, %1" : "=r"(old) : "r"(0x43ull));
    CHECK("csrrc fcsr old", old, 0x53);
    CHECK("fcsr after csrrc", CSRR("fcsr"), 0x10);
    __asm__ volatile("csrrwi %0, frm, 4" : "=r"(old));
    CHECK("csrrwi frm old", old, 0);
    CHECK("fcsr after frm=4", CSRR("fcsr"), 0x90);
    __asm__ volatile("csrrsi %0, fflags, 5" : "=r"(old));
    CHECK("csrrsi fflags old", old, 0x10);
    __asm__ volatile("csrrci %0, fflags, 0x11" : "=r"(old));
    CHECK("csrrci fflags old", old, 0x15);
    CHECK("fcsr now", CSRR("fcsr"), 0x84);
    __asm__ volatile("csrrsi %0, fcsr, 0" : "=r"(v));    /* read only */
    CHECK("csrrsi x,fcsr,0 reads", v, 0x84);
    __asm__ volatile("csrrc %0, frm, zero" : "=r"(v));   /* read only */
    CHECK("csrrc x,frm,zero reads", v, 4);
    __asm__ volatile("csrw fflags, %0" : : "r"(0xffull));
    CHECK("fflags write masks to 5 bits", CSRR("fflags"), 0x1f);
    CHECK("  frm untouched", CSRR("frm"), 4);
    __asm__ volatile("fsflags zero\n\tfsrm %0" : : "r"(0ull));
    CHECK("fcsr cleared", CSRR("fcsr"), 0);

    /* accrual from an FP op, frm used by dyn rounding */
    double one = OPAQUE(1.0), three = OPAQUE(3.0), q;
    __asm__ volatile("fdiv.d %0, %1, %2" : "=f"(q) : "f"(one), "f"(three));
    CHECK("fdiv 1/3 sets NX", CSRR("fflags"), 1);
    union { double d; uint64_t u; } a, b;
    a.d = q;
    __asm__ volatile("csrwi frm, 3\n\tfdiv.d %0, %1, %2, dyn\n\tcsrwi frm, 0"
                     : "=f"(b.d) : "f"(one), "f"(three));
    CHECK("1/3 rne", a.u, 0x3fd5555555555555ull);
    CHECK("1/3 dyn frm=rup", b.u, 0x3fd5555555555556ull);
    __asm__ volatile("csrw fcsr, zero");

    /* counters */
    uint64_t c0 = CSRR("cycle"), t0 = CSRR("time"), i0 = CSRR("instret");
    uint64_t c1 = 0, t1 = 0, i1 = 0, prev_t = t0;
    int mono = 1;
    volatile uint64_t sink = 0;
    for (int i = 0; i < 200000; i++) {
        sink += (uint64_t)i * 7;
        if ((i & 1023) == 0) {
            uint64_t t;
            __asm__ volatile("rdtime %0" : "=r"(t));
            if (t < prev_t) {
                mono = 0;
            }
            prev_t = t;
        }
    }
    __asm__ volatile("rdcycle %0\n\trdtime %1\n\trdinstret %2"
                     : "=r"(c1), "=r"(t1), "=r"(i1));
    CHECK_TRUE("rdtime monotonic", mono && t1 >= t0);
    CHECK_TRUE("rdtime advanced", t1 > t0);
    CHECK_TRUE("rdcycle monotonic", c1 >= c0);
    CHECK_TRUE("rdinstret monotonic", i1 >= i0);
    return rvt_done("zicsr");
}
