/* fadd/fsub/fmul/fdiv/fsqrt (.s and .d) under every rounding mode, exact fflags. */
#include "fptest.h"
#include "fp_vec_arith.h"

RM6(T_FFF, fadd_s, "fadd.s")
RM6(T_FFF, fsub_s, "fsub.s")
RM6(T_FFF, fmul_s, "fmul.s")
RM6(T_FFF, fdiv_s, "fdiv.s")
RM6(T_FF, fsqrt_s, "fsqrt.s")
RM6(T_FFF, fadd_d, "fadd.d")
RM6(T_FFF, fsub_d, "fsub.d")
RM6(T_FFF, fmul_d, "fmul.d")
RM6(T_FFF, fdiv_d, "fdiv.d")
RM6(T_FF, fsqrt_d, "fsqrt.d")

static const fpfn tab[VEC_ARITH_NOPS][6] = {
    RM6_ROW(fadd_s), RM6_ROW(fsub_s), RM6_ROW(fmul_s), RM6_ROW(fdiv_s),
    RM6_ROW(fsqrt_s), RM6_ROW(fadd_d), RM6_ROW(fsub_d), RM6_ROW(fmul_d),
    RM6_ROW(fdiv_d), RM6_ROW(fsqrt_d),
};

int main(void)
{
    fp_run_rm(vec_arith_names, VEC_ARITH_NOPS, vec_arith,
              sizeof(vec_arith) / sizeof(vec_arith[0]), tab);
    /* accrued flags: fflags accumulate across instructions until cleared */
    uint64_t one = 0x3ff0000000000000ull, three = 0x4008000000000000ull, zero = 0;
    unsigned fl;
    __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmv.d.x ft2, %3\n\t"
                     "csrw fflags, zero\n\t"
                     "fdiv.d ft3, ft0, ft1\n\t"   /* NX */
                     "fdiv.d ft3, ft0, ft2\n\t"   /* DZ */
                     "fdiv.d ft3, ft2, ft2\n\t"   /* NV */
                     "csrr %0, fflags"
                     : "=r"(fl) : "r"(one), "r"(three), "r"(zero)
                     : "ft0", "ft1", "ft2", "ft3");
    CHECK("accrued fflags NX|DZ|NV", fl, 0x19);
    return rvt_done("fp_arith");
}
