/* fcvt in every direction (int<->s/d, s<->d) under every rounding mode:
 * saturation of out-of-range values and NaN, sign-extension of W results,
 * exact fflags. */
#include "fptest.h"
#include "fp_vec_cvt.h"

RM6(T_XF, fcvt_w_s, "fcvt.w.s")
RM6(T_XF, fcvt_wu_s, "fcvt.wu.s")
RM6(T_XF, fcvt_l_s, "fcvt.l.s")
RM6(T_XF, fcvt_lu_s, "fcvt.lu.s")
RM6(T_XF, fcvt_w_d, "fcvt.w.d")
RM6(T_XF, fcvt_wu_d, "fcvt.wu.d")
RM6(T_XF, fcvt_l_d, "fcvt.l.d")
RM6(T_XF, fcvt_lu_d, "fcvt.lu.d")
RM6(T_FX, fcvt_s_w, "fcvt.s.w")
RM6(T_FX, fcvt_s_wu, "fcvt.s.wu")
RM6(T_FX, fcvt_s_l, "fcvt.s.l")
RM6(T_FX, fcvt_s_lu, "fcvt.s.lu")
RM6(T_FX, fcvt_d_l, "fcvt.d.l")
RM6(T_FX, fcvt_d_lu, "fcvt.d.lu")
RM6(T_FF, fcvt_s_d, "fcvt.s.d")

/* The assembler refuses an rm operand on the exact conversions
 * fcvt.d.w/fcvt.d.wu/fcvt.d.s, so encode them with .insn (rm in funct3). */
#define T_INSN(fn, f7, rs1, rs2, rmn)                                         \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)     \
    {                                                                        \
        uint64_t r, f;                                                       \
        __asm__ volatile(FP_PRE ".insn r 0x53, " #rmn ", " #f7 ", ft3, "     \
                         rs1 ", " rs2 "\n\t"                                 \
                         "csrr %1, fflags\n\tfmv.x.d %0, ft3"                \
                         : "=&r"(r), "=&r"(f) : FP_IN : FP_CLOB);            \
        *fl = f;                                                             \
        return r;                                                            \
    }
#define INSN6(name, f7, rs1, rs2)                                            \
    T_INSN(name##_0, f7, rs1, rs2, 0) T_INSN(name##_1, f7, rs1, rs2, 1)      \
    T_INSN(name##_2, f7, rs1, rs2, 2) T_INSN(name##_3, f7, rs1, rs2, 3)      \
    T_INSN(name##_4, f7, rs1, rs2, 4) T_INSN(name##_5, f7, rs1, rs2, 7)

INSN6(fcvt_d_w, 0x69, "%2", "x0")
INSN6(fcvt_d_wu, 0x69, "%2", "x1")
INSN6(fcvt_d_s, 0x21, "ft0", "x0")

static const fpfn tab[VEC_CVT_NOPS][6] = {
    RM6_ROW(fcvt_w_s), RM6_ROW(fcvt_wu_s), RM6_ROW(fcvt_l_s), RM6_ROW(fcvt_lu_s),
    RM6_ROW(fcvt_w_d), RM6_ROW(fcvt_wu_d), RM6_ROW(fcvt_l_d), RM6_ROW(fcvt_lu_d),
    RM6_ROW(fcvt_s_w), RM6_ROW(fcvt_s_wu), RM6_ROW(fcvt_s_l), RM6_ROW(fcvt_s_lu),
    RM6_ROW(fcvt_d_w), RM6_ROW(fcvt_d_wu), RM6_ROW(fcvt_d_l), RM6_ROW(fcvt_d_lu),
    RM6_ROW(fcvt_s_d), RM6_ROW(fcvt_d_s),
};

int main(void)
{
    fp_run_rm(vec_cvt_names, VEC_CVT_NOPS, vec_cvt,
              sizeof(vec_cvt) / sizeof(vec_cvt[0]), tab);
    return rvt_done("fp_cvt");
}
