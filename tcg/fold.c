/*
 * Constant folding of pure IR ops (tcg/fold.h).
 */
#include "tcg/fold.h"

static int ctz64(uint64_t v)
{
    return v ? __builtin_ctzll(v) : 64;
}

static uint64_t bswap64_(uint64_t v)
{
    return __builtin_bswap64(v);
}

static uint64_t rotl_w(uint64_t x, unsigned n, int w)
{
    if (w == 32) {
        uint32_t v = (uint32_t)x;
        n &= 31;
        return n ? (uint32_t)((v << n) | (v >> (32 - n))) : v;
    }
    n &= 63;
    return n ? (x << n) | (x >> (64 - n)) : x;
}

bool tcg_fold_const(TcgOpcode opc, TcgType type, uint64_t x, uint64_t y, int64_t *res)
{
    int w = type_width(type);
    uint64_t m = type_mask(type);
    uint64_t xm = x & m, ym = y & m;
    int64_t sx = norm_val(type, x), sy = norm_val(type, y);
    uint64_t r;

    switch (opc) {
    case INDEX_op_mov:
        r = x;
        break;
    case INDEX_op_add:
        r = x + y;
        break;
    case INDEX_op_sub:
        r = x - y;
        break;
    case INDEX_op_mul:
        r = x * y;
        break;
    case INDEX_op_mulsh:
        if (w == 32) {
            r = (uint64_t)(((int64_t)(int32_t)sx * (int32_t)sy) >> 32);
        } else {
            r = tcg_muls64_hi((uint64_t)sx, (uint64_t)sy);
        }
        break;
    case INDEX_op_muluh:
        r = w == 32 ? (xm * ym) >> 32 : tcg_mulu64_hi(x, y);
        break;
    case INDEX_op_div:
    case INDEX_op_rem:
        if (ym == 0 || (sy == -1 && sx == (w == 32 ? INT32_MIN : INT64_MIN))) {
            return false;
        }
        r = (uint64_t)(opc == INDEX_op_div ? sx / sy : sx % sy);
        break;
    case INDEX_op_divu:
    case INDEX_op_remu:
        if (ym == 0) {
            return false;
        }
        r = opc == INDEX_op_divu ? xm / ym : xm % ym;
        break;
    case INDEX_op_and:
        r = x & y;
        break;
    case INDEX_op_or:
        r = x | y;
        break;
    case INDEX_op_xor:
        r = x ^ y;
        break;
    case INDEX_op_andc:
        r = x & ~y;
        break;
    case INDEX_op_orc:
        r = x | ~y;
        break;
    case INDEX_op_eqv:
        r = ~(x ^ y);
        break;
    case INDEX_op_shl:
        r = xm << (y & (w - 1));
        break;
    case INDEX_op_shr:
        r = xm >> (y & (w - 1));
        break;
    case INDEX_op_sar:
        r = (uint64_t)(sx >> (y & (w - 1)));
        break;
    case INDEX_op_rotl:
        r = rotl_w(x, (unsigned)(y & (w - 1)), w);
        break;
    case INDEX_op_rotr:
        r = rotl_w(x, (unsigned)(-y & (w - 1)), w);
        break;
    case INDEX_op_clz:
        r = xm ? (uint64_t)(clz64(xm) - (64 - w)) : y;
        break;
    case INDEX_op_ctz:
        r = xm ? (uint64_t)ctz64(xm) : y;
        break;
    case INDEX_op_neg:
        r = -x;
        break;
    case INDEX_op_not:
        r = ~x;
        break;
    case INDEX_op_ctpop:
        r = (uint64_t)__builtin_popcountll(xm);
        break;
    case INDEX_op_bswap:
        r = w == 32 ? bswap64_(xm) >> 32 : bswap64_(x);
        break;
    case INDEX_op_ext8s:
        r = (uint64_t)(int64_t)(int8_t)x;
        break;
    case INDEX_op_ext8u:
        r = (uint8_t)x;
        break;
    case INDEX_op_ext16s:
        r = (uint64_t)(int64_t)(int16_t)x;
        break;
    case INDEX_op_ext16u:
        r = (uint16_t)x;
        break;
    case INDEX_op_ext32s:
        r = (uint64_t)(int64_t)(int32_t)x;
        break;
    case INDEX_op_ext32u:
        r = (uint32_t)x;
        break;
    case INDEX_op_extrl_i64_i32: /* type is the I32 output's */
        r = (uint32_t)x;
        break;
    case INDEX_op_extu_i32_i64:
        r = (uint32_t)x;
        break;
    case INDEX_op_exts_i32_i64:
        r = (uint64_t)(int64_t)(int32_t)x;
        break;
    default:
        return false;
    }
    *res = norm_val(type, r);
    return true;
}
