/*
 * The op table, made from the op list in rove/tcg-opc.h (which also makes
 * enum TcgOpcode, so the two cannot disagree).  The builder, optimiser,
 * liveness pass, dumper, verifier and both back ends read it.
 */
#include "rove/tcg.h"

#define C0 0, { 0, 0 }
#define C1(a) 1, { TCG_CARG_##a, 0 }
#define C2(a, b) 2, { TCG_CARG_##a, TCG_CARG_##b }
#define DEF(name, oargs, iargs, cargs, flags, types) \
    [INDEX_op_##name] = { #name, oargs, iargs, cargs, flags, types },

const TcgOpDef tcg_op_defs[INDEX_op_last] = {
#include "rove/tcg-opc.h"
};

#undef DEF
#undef C0
#undef C1
#undef C2
