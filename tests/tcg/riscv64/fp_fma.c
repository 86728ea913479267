/* fmadd/fmsub/fnmadd/fnmsub (.s and .d) under every rounding mode, exact fflags. */
#include "fptest.h"
#include "fp_vec_fma.h"

RM6(T_FFFF, fmadd_s, "fmadd.s")
RM6(T_FFFF, fmsub_s, "fmsub.s")
RM6(T_FFFF, fnmsub_s, "fnmsub.s")
RM6(T_FFFF, fnmadd_s, "fnmadd.s")
RM6(T_FFFF, fmadd_d, "fmadd.d")
RM6(T_FFFF, fmsub_d, "fmsub.d")
RM6(T_FFFF, fnmsub_d, "fnmsub.d")
RM6(T_FFFF, fnmadd_d, "fnmadd.d")

static const fpfn tab[VEC_FMA_NOPS][6] = {
    RM6_ROW(fmadd_s), RM6_ROW(fmsub_s), RM6_ROW(fnmsub_s), RM6_ROW(fnmadd_s),
    RM6_ROW(fmadd_d), RM6_ROW(fmsub_d), RM6_ROW(fnmsub_d), RM6_ROW(fnmadd_d),
};

int main(void)
{
    fp_run_rm(vec_fma_names, VEC_FMA_NOPS, vec_fma,
              sizeof(vec_fma) / sizeof(vec_fma[0]), tab);
    return rvt_done("fp_fma");
}
