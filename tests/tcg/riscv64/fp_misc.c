/* fmin/fmax, feq/flt/fle (quiet vs signalling NaN flag behaviour), fsgnj*,
 * fclass for .s and .d, including improperly NaN-boxed single inputs. */
#include "fptest.h"
#include "fp_vec_misc.h"

T_FFF(fmin_s, "fmin.s", "")
T_FFF(fmax_s, "fmax.s", "")
T_XFF(feq_s, "feq.s", "")
T_XFF(flt_s, "flt.s", "")
T_XFF(fle_s, "fle.s", "")
T_FFF(fsgnj_s, "fsgnj.s", "")
T_FFF(fsgnjn_s, "fsgnjn.s", "")
T_FFF(fsgnjx_s, "fsgnjx.s", "")
T_XF(fclass_s, "fclass.s", "")
T_FFF(fmin_d, "fmin.d", "")
T_FFF(fmax_d, "fmax.d", "")
T_XFF(feq_d, "feq.d", "")
T_XFF(flt_d, "flt.d", "")
T_XFF(fle_d, "fle.d", "")
T_FFF(fsgnj_d, "fsgnj.d", "")
T_FFF(fsgnjn_d, "fsgnjn.d", "")
T_FFF(fsgnjx_d, "fsgnjx.d", "")
T_XF(fclass_d, "fclass.d", "")

static const fpfn tab[VEC_MISC_NOPS] = {
    fmin_s, fmax_s, feq_s, flt_s, fle_s, fsgnj_s, fsgnjn_s, fsgnjx_s, fclass_s,
    fmin_d, fmax_d, feq_d, flt_d, fle_d, fsgnj_d, fsgnjn_d, fsgnjx_d, fclass_d,
};

int main(void)
{
    fp_run_norm(vec_misc_names, VEC_MISC_NOPS, vec_misc,
                sizeof(vec_misc) / sizeof(vec_misc[0]), tab);
    return rvt_done("fp_misc");
}
