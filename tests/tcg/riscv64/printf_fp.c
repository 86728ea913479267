/* Floating-point through libc/libm (dynamically linked): printf/strtod
 * round trips, libm functions checked against identities, <fenv.h>
 * rounding modes and exception flags, float and long double (binary128,
 * soft-float) arithmetic.  Printed values come from the golden run. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include "rvtest.h"

static volatile double vd[] = { 0.1, 1.0 / 3.0, 2.5, -0.0, 1e308, 4.9e-324, 123456.789 };

int main(void)
{
    char buf[128];
    int rt = 1;
    for (unsigned i = 0; i < sizeof(vd) / sizeof(vd[0]); i++) {
        snprintf(buf, sizeof(buf), "%.17g", vd[i]);
        double back = strtod(buf, NULL);
        rt &= memcmp(&back, (const void *)&vd[i], sizeof(double)) == 0;
        printf("%%.17g: %s   %%a: %a\n", buf, vd[i]);
    }
    CHECK_TRUE("printf %.17g / strtod round trip is exact", rt);

    double worst = 0;
    for (int i = -200; i <= 200; i++) {
        double x = i * 0.173;
        double e = fabs(sin(x) * sin(x) + cos(x) * cos(x) - 1.0);
        worst = e > worst ? e : worst;
    }
    CHECK_TRUE("sin^2 + cos^2 == 1 within 4 ulp", worst <= 4 * DBL_EPSILON);
    CHECK_TRUE("exp(log(x)) ~ x", fabs(exp(log(12345.678)) - 12345.678) < 1e-9);
    CHECK_TRUE("pow(2, 0.5) == sqrt(2)", fabs(pow(2.0, 0.5) - sqrt(2.0)) <= DBL_EPSILON);
    CHECK("sqrt(2) bits", ({ double s = sqrt(vd[2] - 0.5); uint64_t u; memcpy(&u, &s, 8); u; }),
          0x3ff6a09e667f3bcdull);
    printf("sin(1) = %.17g, exp(1) = %.17g, log(10) = %.17g, atan2(1,2) = %.17g\n",
           sin(1.0), exp(1.0), log(10.0), atan2(1.0, 2.0));
    printf("tanh(0.5) = %.17g, cbrt(27.5) = %.17g, hypot(3,4.5) = %.17g, erf(0.3) = %.17g\n",
           tanh(0.5), cbrt(27.5), hypot(3.0, 4.5), erf(0.3));
    printf("sinf(1) = %.9g, expf(2) = %.9g, powf(1.5, 7.25) = %.9g\n", sinf(1.0f), expf(2.0f),
           powf(1.5f, 7.25f));
    CHECK("fma(0.1, 10, -1) exact residual", ({ double r = fma(vd[0], 10.0, -1.0); uint64_t u;
          memcpy(&u, &r, 8); u; }), 0x3c90000000000000ull);  /* 2^-54 */
    int ex;
    double m = frexp(48.0, &ex);
    CHECK_TRUE("frexp(48) = 0.75 * 2^6", m == 0.75 && ex == 6);
    CHECK_TRUE("ldexp(0.75, 6) == 48", ldexp(0.75, 6) == 48.0);
    CHECK_TRUE("remainder(10, 3) == 1", remainder(10.0, 3.0) == 1.0);
    CHECK_TRUE("fmod(-10, 3) == -1", fmod(-10.0, 3.0) == -1.0);

    /* rounding modes via fenv */
    static const int modes[] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };
    static const char *const mnames[] = { "nearest", "toward-zero", "downward", "upward" };
    for (int i = 0; i < 4; i++) {
        fesetround(modes[i]);
        volatile double third = vd[1] * 0 + 1.0;
        third /= 3.0;
        printf("%-11s: 1/3 = %a  lrint(-2.5) = %ld  nearbyint(2.5) = %g  rint(-0.5) = %g\n",
               mnames[i], third, lrint(-2.5), nearbyint(2.5), rint(-0.5));
        CHECK(rvt_name("fegetround %s", mnames[i]), fegetround(), modes[i]);
    }
    fesetround(FE_TONEAREST);

    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0, one = 1.0;
    volatile double q = one / z;
    CHECK_TRUE("1/0 = inf", isinf(q));
    CHECK_TRUE("FE_DIVBYZERO raised", fetestexcept(FE_DIVBYZERO));
    CHECK_TRUE("FE_INVALID not raised", !fetestexcept(FE_INVALID));
    q = z / z;
    CHECK_TRUE("0/0 raises FE_INVALID", fetestexcept(FE_INVALID) && isnan(q));
    feclearexcept(FE_ALL_EXCEPT);
    q = DBL_MAX * one * 2.0;
    CHECK_TRUE("overflow raises FE_OVERFLOW|FE_INEXACT",
               fetestexcept(FE_OVERFLOW) && fetestexcept(FE_INEXACT));
    feclearexcept(FE_ALL_EXCEPT);
    q = DBL_MIN * one / 3.0;
    CHECK_TRUE("tiny inexact result raises FE_UNDERFLOW", fetestexcept(FE_UNDERFLOW));
    feclearexcept(FE_ALL_EXCEPT);

    /* float and long double (IEEE binary128 in software) */
    volatile float f = 16777216.0f;
    f += 1.0f;
    CHECK("float 2^24 + 1 rounds to even", (uint64_t)f, 16777216);
    volatile long double l = 1.0L;
    l /= 3.0L;
    snprintf(buf, sizeof(buf), "%.33Lg", l);
    printf("1/3 as long double = %s\n", buf);
    CHECK_TRUE("long double 1/3 has 33 good digits",
               strncmp(buf, "0.333333333333333333333333333333333", 35) == 0);
    long double s2 = sqrtl(2.0L);
    snprintf(buf, sizeof(buf), "%.30Lf", s2 * s2);
    printf("sqrtl(2)^2 = %s\n", buf);
    CHECK_TRUE("LDBL_MANT_DIG == 113", LDBL_MANT_DIG == 113);
    printf("DBL_MAX = %g, DBL_TRUE_MIN = %g, FLT_MAX = %g, LDBL_MAX = %Lg\n", DBL_MAX,
           4.9406564584124654e-324, (double)FLT_MAX, LDBL_MAX);
    return rvt_done("printf_fp");
}
