/*
 * Host feature detection for the x86-64 back end: the one place that runs
 * cpuid.  ROVE_X86_FEATURES narrows the set (never widens it), so tests can
 * exercise the baseline code paths on any host:
 *   ROVE_X86_FEATURES=baseline          no optional instructions
 *   ROVE_X86_FEATURES=bmi1,lzcnt,...    only these (if the host has them)
 *   (names: bmi1 bmi2 lzcnt popcnt movbe fma)
 */
#include "tcg/x86_64/x86-asm.h"

#include <cpuid.h>
#include <glib.h>
#include <string.h>

static unsigned detect(void)
{
    unsigned a, b, c, d, max;
    unsigned f = 0;

    max = __get_cpuid_max(0, NULL);
    if (max >= 1) {
        __cpuid_count(1, 0, a, b, c, d);
        if (c & (1u << 23)) {
            f |= X86_FEAT_POPCNT;
        }
        if (c & (1u << 22)) {
            f |= X86_FEAT_MOVBE;
        }
        /* FMA3 (bit 12) is VEX-encoded: also needs OSXSAVE (bit 27) and the
         * OS saving SSE and AVX state (XCR0 bits 1 and 2). */
        if ((c & (1u << 12)) && (c & (1u << 27))) {
            unsigned lo, hi;
            __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            if ((lo & 6) == 6) {
                f |= X86_FEAT_FMA;
            }
        }
    }
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (b & (1u << 3)) {
            f |= X86_FEAT_BMI1;
        }
        if (b & (1u << 8)) {
            f |= X86_FEAT_BMI2;
        }
    }
    if ((unsigned)__get_cpuid_max(0x80000000, NULL) >= 0x80000001u) {
        __cpuid(0x80000001, a, b, c, d);
        if (c & (1u << 5)) {
            f |= X86_FEAT_LZCNT; /* "ABM" */
        }
    }
    return f;
}

unsigned x86_parse_features(const char *spec, unsigned detected)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        { "bmi1", X86_FEAT_BMI1 }, { "bmi2", X86_FEAT_BMI2 },
        { "lzcnt", X86_FEAT_LZCNT }, { "popcnt", X86_FEAT_POPCNT },
        { "movbe", X86_FEAT_MOVBE }, { "fma", X86_FEAT_FMA },
    };
    if (spec == NULL || *spec == '\0' || strcmp(spec, "all") == 0) {
        return detected;
    }
    unsigned want = 0;
    gchar **parts = g_strsplit(spec, ",", -1);
    for (int i = 0; parts[i]; i++) {
        const char *p = g_strstrip(parts[i]);
        if (strcmp(p, "baseline") == 0 || *p == '\0') {
            continue;
        }
        bool found = false;
        for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
            if (strcmp(p, names[k].name) == 0) {
                want |= names[k].bit;
                found = true;
            }
        }
        if (!found) {
            g_warning("ROVE_X86_FEATURES: unknown feature '%s'", p);
        }
    }
    g_strfreev(parts);
    return want & detected;
}

unsigned x86_host_features(void)
{
    static gsize once;
    static unsigned features;

    if (g_once_init_enter(&once)) {
        features = x86_parse_features(g_getenv("ROVE_X86_FEATURES"), detect());
        g_once_init_leave(&once, 1);
    }
    return features;
}
