/*
 * The op table: the single description of every IR opcode.  The builder,
 * optimiser, liveness pass, dumper and both back ends read it; the
 * designated initializers tie each row to its enum value.
 */
#include "rove/tcg.h"

#define CTRL(n, o, i, c, f) { n, o, i, c, f }
#define DATA(n, o, i, c, f) { n, o, i, c, (f) | TCG_OPF_TYPED }

const TcgOpDef tcg_op_defs[INDEX_op_last] = {
    [INDEX_op_nop] = CTRL("nop", 0, 0, 0, TCG_OPF_NOT_PRESENT),
    [INDEX_op_insn_start] = CTRL("insn_start", 0, 0, 1, TCG_OPF_NOT_PRESENT),
    [INDEX_op_set_label] = CTRL("set_label", 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT),
    [INDEX_op_br] = CTRL("br", 0, 0, 1, TCG_OPF_BB_END),
    [INDEX_op_brcond] = DATA("brcond", 0, 2, 2, TCG_OPF_BB_END | TCG_OPF_COND_BRANCH),
    [INDEX_op_goto_tb] = CTRL("goto_tb", 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END),
    [INDEX_op_exit_tb] = CTRL("exit_tb", 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END),
    [INDEX_op_goto_ptr] = CTRL("goto_ptr", 0, 1, 0, TCG_OPF_BB_EXIT | TCG_OPF_BB_END),
    /* call: argument counts vary, the builder fills them per op */
    [INDEX_op_call] = CTRL("call", 0, 0, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS),
    [INDEX_op_mb] = CTRL("mb", 0, 0, 1, TCG_OPF_SIDE_EFFECTS),

    [INDEX_op_mov] = DATA("mov", 1, 1, 0, 0),

    [INDEX_op_add] = DATA("add", 1, 2, 0, 0),
    [INDEX_op_sub] = DATA("sub", 1, 2, 0, 0),
    [INDEX_op_mul] = DATA("mul", 1, 2, 0, 0),
    [INDEX_op_mulsh] = DATA("mulsh", 1, 2, 0, 0),
    [INDEX_op_muluh] = DATA("muluh", 1, 2, 0, 0),
    [INDEX_op_div] = DATA("div", 1, 2, 0, 0),
    [INDEX_op_divu] = DATA("divu", 1, 2, 0, 0),
    [INDEX_op_rem] = DATA("rem", 1, 2, 0, 0),
    [INDEX_op_remu] = DATA("remu", 1, 2, 0, 0),
    [INDEX_op_and] = DATA("and", 1, 2, 0, 0),
    [INDEX_op_or] = DATA("or", 1, 2, 0, 0),
    [INDEX_op_xor] = DATA("xor", 1, 2, 0, 0),
    [INDEX_op_andc] = DATA("andc", 1, 2, 0, 0),
    [INDEX_op_orc] = DATA("orc", 1, 2, 0, 0),
    [INDEX_op_eqv] = DATA("eqv", 1, 2, 0, 0),
    [INDEX_op_shl] = DATA("shl", 1, 2, 0, 0),
    [INDEX_op_shr] = DATA("shr", 1, 2, 0, 0),
    [INDEX_op_sar] = DATA("sar", 1, 2, 0, 0),
    [INDEX_op_rotl] = DATA("rotl", 1, 2, 0, 0),
    [INDEX_op_rotr] = DATA("rotr", 1, 2, 0, 0),
    [INDEX_op_clz] = DATA("clz", 1, 2, 0, 0),
    [INDEX_op_ctz] = DATA("ctz", 1, 2, 0, 0),

    [INDEX_op_neg] = DATA("neg", 1, 1, 0, 0),
    [INDEX_op_not] = DATA("not", 1, 1, 0, 0),
    [INDEX_op_ctpop] = DATA("ctpop", 1, 1, 0, 0),
    [INDEX_op_bswap] = DATA("bswap", 1, 1, 0, 0),
    [INDEX_op_ext8s] = DATA("ext8s", 1, 1, 0, 0),
    [INDEX_op_ext8u] = DATA("ext8u", 1, 1, 0, 0),
    [INDEX_op_ext16s] = DATA("ext16s", 1, 1, 0, 0),
    [INDEX_op_ext16u] = DATA("ext16u", 1, 1, 0, 0),
    [INDEX_op_ext32s] = DATA("ext32s", 1, 1, 0, 0),
    [INDEX_op_ext32u] = DATA("ext32u", 1, 1, 0, 0),
    [INDEX_op_extrl_i64_i32] = CTRL("extrl_i64_i32", 1, 1, 0, 0),
    [INDEX_op_extu_i32_i64] = CTRL("extu_i32_i64", 1, 1, 0, 0),
    [INDEX_op_exts_i32_i64] = CTRL("exts_i32_i64", 1, 1, 0, 0),

    [INDEX_op_setcond] = DATA("setcond", 1, 2, 1, 0),
    [INDEX_op_movcond] = DATA("movcond", 1, 4, 1, 0),

    [INDEX_op_ld] = DATA("ld", 1, 1, 2, 0),
    [INDEX_op_st] = DATA("st", 0, 2, 2, TCG_OPF_SIDE_EFFECTS),

    [INDEX_op_qemu_ld] = DATA("qemu_ld", 1, 1, 1, TCG_OPF_SIDE_EFFECTS),
    [INDEX_op_qemu_st] = DATA("qemu_st", 0, 2, 1, TCG_OPF_SIDE_EFFECTS),

    /* fpop: input count varies with the kind, the builder fills it */
    [INDEX_op_fpop] = CTRL("fpop", 1, 2, 2, TCG_OPF_KEEP),
};
