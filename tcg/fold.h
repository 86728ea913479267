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
