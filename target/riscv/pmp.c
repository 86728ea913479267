/*
 * Physical memory protection checks (privileged spec 1.12, section 3.7):
 * which of R/W/X the PMP entries allow at a physical address for a
 * privilege level.  The CSRs themselves are priv.c's.
 *
 * Matching: the lowest-numbered active entry that matches decides.  An
 * entry applies to M mode only when locked.  With no entry matching, M
 * mode may do anything and S/U nothing -- except that a hart with no
 * active entry at all allows everything, as QEMU does (firmware that never
 * programs PMP runs its S-mode payload anyway).
 *
 * Granularity: the soft TLB caches whole 4K pages, so the answer is for
 * the page holding paddr when one entry covers all of it; an entry that
 * covers only part of the page decides by paddr itself (regions smaller
 * than a page are approximated; firmware uses page-sized ones).
 */
#include "target/riscv/priv.h"

enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

/* Entry e's byte range [*lo, *hi] (inclusive); false if it is off/empty. */
static bool pmp_range(const RiscvPrivState *s, int e, uint64_t *lo, uint64_t *hi)
{
    uint8_t cfg = s->pmpcfg[e];
    uint64_t a = s->pmpaddr[e];
    switch ((cfg & RV_PMP_A) >> 3) {
    case PMP_TOR: {
        uint64_t base = e > 0 ? s->pmpaddr[e - 1] << 2 : 0;
        uint64_t top = a << 2;
        if (top <= base) {
            return false;
        }
        *lo = base;
        *hi = top - 1;
        return true;
    }
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 3;
        return true;
    case PMP_NAPOT: {
        /* trailing ones of pmpaddr: size 2^(ones + 3) */
        unsigned ones = (unsigned)__builtin_ctzll(~a);
        if (ones >= 61) {
            *lo = 0;
            *hi = UINT64_MAX;
            return true;
        }
        uint64_t size = 8ull << ones;
        *lo = (a << 2) & ~(size - 1);
        *hi = *lo + size - 1;
        return true;
    }
    default:
        return false;
    }
}

unsigned riscv_pmp_prot(const RiscvPrivState *s, uint64_t paddr, unsigned priv)
{
    const unsigned all = RV_PROT_READ | RV_PROT_WRITE | RV_PROT_EXEC;
    uint64_t page_lo = paddr & ~0xfffull, page_hi = page_lo + 0xfff;
    bool any_active = false;

    for (int e = 0; e < RV_PMP_ENTRIES; e++) {
        uint64_t lo, hi;
        if (!pmp_range(s, e, &lo, &hi)) {
            continue;
        }
        any_active = true;
        bool covers_page = lo <= page_lo && hi >= page_hi;
        bool overlaps_page = lo <= page_hi && hi >= page_lo;
        if (!overlaps_page || (!covers_page && (paddr < lo || paddr > hi))) {
            continue;
        }
        uint8_t cfg = s->pmpcfg[e];
        if (priv == RV_PRIV_M && !(cfg & RV_PMP_L)) {
            return all;
        }
        return ((cfg & RV_PMP_R) ? RV_PROT_READ : 0) | ((cfg & RV_PMP_W) ? RV_PROT_WRITE : 0) |
               ((cfg & RV_PMP_X) ? RV_PROT_EXEC : 0);
    }
    return (priv == RV_PRIV_M || !any_active) ? all : 0;
}
