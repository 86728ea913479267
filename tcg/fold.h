/*
 * Constant folding: what a pure IR op computes on constant inputs, shared
 * by the optimiser (tcg/optimize.c) and its tests.  Values are held in
 * 64 bits; I32 values are kept sign-extended (TcgTemp.val's rule).
 */
#ifndef TCG_FOLD_H
#define TCG_FOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "rove/tcg.h"

static inline int type_width(TcgType t)
{
    return t == TCG_I32 ? 32 : 64;
}

static inline uint64_t type_mask(TcgType t)
{
    return t == TCG_I32 ? 0xffffffffull : ~0ull;
}

static inline int64_t norm_val(TcgType t, uint64_t v)
{
    return t == TCG_I32 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
}

/* High 64 bits of the 128-bit product (the interpreter's muluh/mulsh too). */
static inline uint64_t tcg_mulu64_hi(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
#else
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* Signed: the unsigned high half corrected for negative operands. */
static inline uint64_t tcg_muls64_hi(uint64_t a, uint64_t b)
{
    uint64_t h = tcg_mulu64_hi(a, b);
    if ((int64_t)a < 0) {
        h -= b;
    }
    if ((int64_t)b < 0) {
        h -= a;
    }
    return h;
}

/* x's low n bits sign-extended to the width of type (as unsigned) */
static inline uint64_t sext_bits(TcgType type, uint64_t x, int n)
{
    return (uint64_t)((int64_t)(x << (64 - n)) >> (64 - n)) & type_mask(type);
}

static inline int clz64(uint64_t v)
{
    return v ? __builtin_clzll(v) : 64;
}

/*
 * Fold a pure op over constant inputs.  Returns false when the result is
 * unspecified by the IR (division corner cases) or the op is not pure, in
 * which case the op must stay.
 */
bool tcg_fold_const(TcgOpcode opc, TcgType type, uint64_t x, uint64_t y, int64_t *res);

#endif
