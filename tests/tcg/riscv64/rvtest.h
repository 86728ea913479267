/*
 * Tiny self-checking helpers shared by the riscv64 guest tests.
 *
 * Every check prints one deterministic line ("ok ..." or "FAIL ...") unless
 * it is a quiet check (CHECKQ*), which prints only on failure.  rvt_done()
 * prints a summary and returns the process exit status (0 = all passed).
 */
#ifndef RVTEST_H
#define RVTEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rvt_checks, rvt_failures;

static inline void rvt_check_u64(const char *what, uint64_t got, uint64_t want,
                                 int quiet)
{
    rvt_checks++;
    if (got == want) {
        if (!quiet) {
            printf("ok   %-44s = 0x%016" PRIx64 "\n", what, got);
        }
    } else {
        rvt_failures++;
        printf("FAIL %-44s got 0x%016" PRIx64 " want 0x%016" PRIx64 "\n",
               what, got, want);
    }
}

static inline void rvt_check_true(const char *what, int cond, int quiet)
{
    rvt_checks++;
    if (cond) {
        if (!quiet) {
            printf("ok   %s\n", what);
        }
    } else {
        rvt_failures++;
        printf("FAIL %s\n", what);
    }
}

#define CHECK(what, got, want) \
    rvt_check_u64((what), (uint64_t)(got), (uint64_t)(want), 0)
#define CHECKQ(what, got, want) \
    rvt_check_u64((what), (uint64_t)(got), (uint64_t)(want), 1)
#define CHECK_TRUE(what, cond) rvt_check_true((what), !!(cond), 0)
#define CHECKQ_TRUE(what, cond) rvt_check_true((what), !!(cond), 1)

/* Format a check name into a static buffer (handy inside loops). */
static inline const char *rvt_name(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static inline const char *rvt_name(const char *fmt, ...)
{
    static char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return buf;
}

static inline int rvt_done(const char *test)
{
    printf("%s: %d checks, %d failures\n", test, rvt_checks, rvt_failures);
    fflush(stdout);
    return rvt_failures ? 1 : 0;
}

/* Prevent the compiler from constant-folding a value. */
#define OPAQUE(x) ({ __typeof__(x) _v = (x); __asm__("" : "+r"(_v)); _v; })

/* A 64-bit mixing function for deterministic pseudo-random data. */
static inline uint64_t rvt_mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    x ^= x >> 33;
    return x;
}

#endif
