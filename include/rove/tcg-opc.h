/*
 * The list of IR opcodes: the one place an op is declared.  Included twice,
 * and only twice: by include/rove/tcg.h to make enum TcgOpcode
 * (INDEX_op_<name>) and by tcg/ops.c to make tcg_op_defs[].  Everything else
 * reads the table.  Semantics: docs/ir.md.
 *
 * DEF(name, oargs, iargs, cargs, flags, types)
 *   oargs, iargs  number of output and input temps (call and fpop:
 *                 TCG_OPF_VAR_ARGS, the builder sets the real counts);
 *   cargs         the constant args: C0, C1(kind) or C2(kind, kind), kinds
 *                 from TcgCargKind without the TCG_CARG_ prefix;
 *   flags         TCG_OPF_*;
 *   types         one letter per temp arg, outputs then inputs: T the op's
 *                 type (op->type), l I32, q I64.  Empty for call (its
 *                 helper describes it); fpop lists its largest form.
 *
 * Adding an op: one line here, then docs/ir.md, the builder, both back ends
 * (tests/unit/test-op-table.c compiles every op listed here with each back
 * end, so a missing emitter fails there) and, if it is PURE, tcg/fold.c.
 */

/* control */
DEF(nop, 0, 0, C0, TCG_OPF_NOT_PRESENT, "")
DEF(insn_start, 0, 0, C1(PC), TCG_OPF_NOT_PRESENT, "")
DEF(set_label, 0, 0, C1(LABEL), TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT, "")
DEF(br, 0, 0, C1(LABEL), TCG_OPF_BB_END, "")
DEF(brcond, 0, 2, C2(COND, LABEL), TCG_OPF_TYPED | TCG_OPF_BB_END | TCG_OPF_COND_BRANCH, "TT")
DEF(goto_tb, 0, 0, C1(SLOT), TCG_OPF_BB_EXIT | TCG_OPF_BB_END, "")
DEF(exit_tb, 0, 0, C1(EXIT), TCG_OPF_BB_EXIT | TCG_OPF_BB_END, "")
DEF(goto_ptr, 0, 1, C0, TCG_OPF_BB_EXIT | TCG_OPF_BB_END, "q")
DEF(call, 0, 0, C1(HELPER), TCG_OPF_SIDE_EFFECTS | TCG_OPF_VAR_ARGS, "")
DEF(mb, 0, 0, C1(BARRIER), TCG_OPF_SIDE_EFFECTS, "")

/* moves and arithmetic */
DEF(mov, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(add, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(sub, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(mul, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(mulsh, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(muluh, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(div, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(divu, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(rem, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(remu, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(and, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(or, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(xor, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(andc, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(orc, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(eqv, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_COMMUTATIVE, "TTT")
DEF(shl, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(shr, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(sar, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(rotl, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(rotr, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(clz, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT") /* i: a, value if a == 0 */
DEF(ctz, 1, 2, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TTT") /* i: a, value if a == 0 */

/* unary */
DEF(neg, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(not, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(ctpop, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(bswap, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT") /* all W/8 bytes */
DEF(ext8s, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(ext8u, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(ext16s, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(ext16u, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE, "TT")
DEF(ext32s, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_I64_ONLY, "TT")
DEF(ext32u, 1, 1, C0, TCG_OPF_TYPED | TCG_OPF_PURE | TCG_OPF_I64_ONLY, "TT")

/* conversions: untyped, the types are fixed */
DEF(extrl_i64_i32, 1, 1, C0, TCG_OPF_PURE, "lq")
DEF(extu_i32_i64, 1, 1, C0, TCG_OPF_PURE, "ql")
DEF(exts_i32_i64, 1, 1, C0, TCG_OPF_PURE, "ql")

/* compare: d = (a cond b) ? 1 : 0;  d = (c1 cond c2) ? v1 : v2 */
DEF(setcond, 1, 2, C1(COND), TCG_OPF_TYPED | TCG_OPF_PURE, "TTT")
DEF(movcond, 1, 4, C1(COND), TCG_OPF_TYPED | TCG_OPF_PURE, "TTTTT")

/* cpu-state access: ld d, base; st v, base (base: an I64 pointer) */
DEF(ld, 1, 1, C2(OFFSET, MEMOP), TCG_OPF_TYPED, "Tq")
DEF(st, 0, 2, C2(OFFSET, MEMOP), TCG_OPF_TYPED | TCG_OPF_SIDE_EFFECTS, "Tq")

/* guest memory: qemu_ld d, addr; qemu_st v, addr */
DEF(qemu_ld, 1, 1, C1(OI), TCG_OPF_TYPED | TCG_OPF_SIDE_EFFECTS, "Tq")
DEF(qemu_st, 0, 2, C1(OI), TCG_OPF_TYPED | TCG_OPF_SIDE_EFFECTS, "Tq")

/* floating point: d = helper(env, a[, b[, c]]), inputs per TcgFpopKind */
DEF(fpop, 1, 2, C2(FPOP, HELPER), TCG_OPF_KEEP | TCG_OPF_VAR_ARGS, "qqqq")
