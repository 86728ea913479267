/*
 * x86-64 lowering of every IR op: the per-op register constraints handed
 * to the allocator, and the instruction sequences emitted once registers
 * are known.  docs/backend-x86_64.md lists what each op becomes.
 *
 * Constraints are data: strings per operand (see tcg/regalloc.h for the
 * generic letters), parsed once.  Host letters:
 *   r  any general register      a/c/d  rax/rcx/rdx only
 *   B  any but rax/rdx (divisor) e  sign-extended imm32
 *   Z  zero-extended imm32       I  a constant whose complement fits 'e'
 * Where the best instruction depends on the operands (a constant shift
 * count, an optional host feature) the constraint picks the form, and the
 * emitter handles every register overlap that form allows.
 */
#include "tcg/x86_64/x86-gen.h"

#include <glib.h>
#include <string.h>

#define ALL_REGS (0xffffu & ~(1u << X86_RSP))
#define REG(r) (1u << (r))

/* ------------------------------------------------------------------ */
/* constraints */

/*
 * Arithmetic never reads a guest register straight from the cpu state
 * ("add r, [env + x]"): such a value is often one the previous block
 * stored, and AMD's Zen forwards a stored value to a plain "mov r, [m]"
 * load at rename time (memory renaming), but not to a load folded into an
 * ALU op, which then waits for full store forwarding on the loop-carried
 * path.  A separate load costs one uop and was 1.8x faster on a multiply-
 * xorshift loop (bench_int).  Compares ("rm" in brcond) and extensions
 * still may take memory: the exit_request test is "cmp dword [env], 0".
 */

typedef enum {
    C_NONE,
    C_R,            /* goto_ptr */
    C_I_RM_REM,     /* brcond */
    C_R_R,
    C_R_RM,         /* extensions: the source may stay in memory */
    C_NR_R_POPCNT,  /* baseline ctpop: &r, r + 2 scratch */
    C_R_R_RE,       /* add, sub, mul, or, xor, setcond */
    C_R_R_REZ,      /* and */
    C_R_R_RI,       /* r, r, rI: andc/orc by a constant, eqv */
    C_R_R_I,
    C_R_R_R,
    C_NR_R_R,
    C_R_0_C,
    C_MULH,
    C_DIV,
    C_REM,
    C_MOVCOND,
    /* stores: value form x address form ("r" base, or "i" constant guest
     * address); keep the order of store_value_form() */
    C_ST_RE,
    C_ST_RI,
    C_ST_R,
    C_ST_R_SCRATCH,
    C_ST_RE_I,
    C_ST_RI_I,
    C_ST_R_I,
    C_ST_R_SCRATCH_I,
    C_QLD,
    C_QLD_I,
    C_QLD_SOFT,     /* soft MMU: two scratch registers for the TLB probe */
    C_QST_SOFT,
    C_NB,
} X86CtId;

typedef struct X86CtDef {
    uint8_t nb_o, nb_i, nb_scratch;
    const char *args[6];
    TcgRegSet clobber;
} X86CtDef;

static const X86CtDef ct_defs[C_NB] = {
    [C_NONE] = { 0, 0, 0, { NULL }, 0 },
    [C_R] = { 0, 1, 0, { "r" }, 0 },
    [C_I_RM_REM] = { 0, 2, 0, { "rm", "rem" }, 0 },
    [C_R_R] = { 1, 1, 0, { "r", "r" }, 0 },
    [C_R_RM] = { 1, 1, 0, { "r", "rm" }, 0 },
    [C_NR_R_POPCNT] = { 1, 1, 2, { "&r", "r" }, 0 },
    [C_R_R_RE] = { 1, 2, 0, { "r", "r", "re" }, 0 },
        [C_R_R_REZ] = { 1, 2, 0, { "r", "r", "reZ" }, 0 },
    [C_R_R_RI] = { 1, 2, 0, { "r", "r", "rI" }, 0 },
    [C_R_R_I] = { 1, 2, 0, { "r", "r", "i" }, 0 },
    [C_R_R_R] = { 1, 2, 0, { "r", "r", "r" }, 0 },
    [C_NR_R_R] = { 1, 2, 0, { "&r", "r", "r" }, 0 },
    [C_R_0_C] = { 1, 2, 0, { "r", "0", "c" }, 0 },
    [C_MULH] = { 1, 2, 0, { "d", "a!", "r" }, REG(X86_RAX) },
    [C_DIV] = { 1, 2, 0, { "a", "0", "B" }, REG(X86_RDX) },
    [C_REM] = { 1, 2, 0, { "d", "a!", "B" }, REG(X86_RAX) },
    [C_MOVCOND] = { 1, 4, 0, { "r", "r", "re", "r", "r" }, 0 },
    [C_ST_RE] = { 0, 2, 0, { "re", "r" }, 0 },
    [C_ST_RI] = { 0, 2, 0, { "ri", "r" }, 0 },
    [C_ST_R] = { 0, 2, 0, { "r", "r" }, 0 },
    [C_ST_R_SCRATCH] = { 0, 2, 1, { "r", "r" }, 0 },
    [C_ST_RE_I] = { 0, 2, 0, { "re", "i" }, 0 },
    [C_ST_RI_I] = { 0, 2, 0, { "ri", "i" }, 0 },
    [C_ST_R_I] = { 0, 2, 0, { "r", "i" }, 0 },
    [C_ST_R_SCRATCH_I] = { 0, 2, 1, { "r", "i" }, 0 },
    [C_QLD] = { 1, 1, 0, { "r", "r" }, 0 },
    [C_QLD_I] = { 1, 1, 0, { "r", "i" }, 0 },
    [C_QLD_SOFT] = { 1, 1, 2, { "r", "r" }, 0 },
    [C_QST_SOFT] = { 0, 2, 2, { "r", "r" }, 0 },
};

static RaOpConstraint ct_parsed[C_NB];

static bool x86_letter(char c, RaArgConstraint *ct)
{
    switch (c) {
    case 'r': ct->regs |= ALL_REGS; return true;
    case 'a': ct->regs |= REG(X86_RAX); return true;
    case 'c': ct->regs |= REG(X86_RCX); return true;
    case 'd': ct->regs |= REG(X86_RDX); return true;
    case 'B': ct->regs |= ALL_REGS & ~(REG(X86_RAX) | REG(X86_RDX)); return true;
    case 'e': ct->cflags |= X86_CT_S32; return true;
    case 'Z': ct->cflags |= X86_CT_U32; return true;
    case 'I': ct->cflags |= X86_CT_NOT_S32; return true;
    default: return false;
    }
}

static void ct_init(void)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        for (int i = 0; i < C_NB; i++) {
            const X86CtDef *d = &ct_defs[i];
            ra_constraint_parse(&ct_parsed[i], d->nb_o, d->nb_i, d->args, x86_letter);
            ct_parsed[i].nb_scratch = d->nb_scratch;
            ct_parsed[i].scratch_regs = ALL_REGS;
            ct_parsed[i].clobber = d->clobber;
        }
        g_once_init_leave(&once, 1);
    }
}

bool x86_const_ok(void *h, TcgType type, int64_t val, unsigned cflags)
{
    if (type == TCG_I32) {
        return true; /* every I32 constant is an imm32 */
    }
    if ((cflags & X86_CT_S32) && x86_fits_s32(val)) {
        return true;
    }
    if ((cflags & X86_CT_U32) && x86_fits_u32(val)) {
        return true;
    }
    if ((cflags & X86_CT_NOT_S32) && x86_fits_s32(~val)) {
        return true;
    }
    return false;
}

static bool arg_const(const TcgContext *ctx, const TcgOp *op, int i, int64_t *val)
{
    const TcgTemp *t = &ctx->temps[op->args[i]];
    if (t->kind != TEMP_CONST) {
        return false;
    }
    *val = t->val;
    return true;
}

static int type_bits(TcgType type)
{
    return type == TCG_I64 ? 64 : 32;
}

/* Value operand of a store: immediates where the store can take them, a
 * scratch register when a byte swap needs one. */
static X86CtId store_value_form(unsigned f, MemOp mop, bool const_addr)
{
    bool swap = (mop & MO_BSWAP) && (mop & MO_SIZE) != MO_8;
    X86CtId id;
    if (swap && !(f & X86_FEAT_MOVBE)) {
        id = C_ST_R_SCRATCH;
    } else if ((mop & MO_SIZE) == MO_64) {
        id = swap ? C_ST_R : C_ST_RE; /* a swapped constant may not fit */
    } else {
        id = C_ST_RI;
    }
    return const_addr ? (X86CtId)(id + (C_ST_RE_I - C_ST_RE)) : id;
}

/*
 * A constant guest address that needs no run-time check (inside the guest
 * space, aligned if it must be) and can be a displacement: the access
 * becomes [guest_base_reg + addr] or [guest_base + addr].
 */
bool x86_guest_const_addr_ok(const X86Gen *g, uint64_t addr, MemOp mop)
{
    if (g->addr_bits < 64 && (addr >> g->addr_bits) != 0) {
        return false;
    }
    if ((mop & MO_ALIGN) && (addr & ((1u << (mop & MO_SIZE)) - 1))) {
        return false;
    }
    if (g->gb_reg >= 0) {
        return x86_fits_s32((int64_t)addr);
    }
    return x86_fits_s32((int64_t)(g->guest_base + addr));
}

const RaOpConstraint *x86_op_constraint(void *h, const TcgContext *ctx, const TcgOp *op)
{
    X86Gen *g = h;
    unsigned f = g->a.features;
    TcgType type = (TcgType)op->type;
    int64_t v;
    X86CtId id;

    ct_init();
    switch (op->opc) {
    case INDEX_op_fpop:
        return x86_fp_constraint(g, op);
    case INDEX_op_goto_ptr:
        id = C_R;
        break;
    case INDEX_op_brcond:
        id = C_I_RM_REM;
        break;
    case INDEX_op_add:
    case INDEX_op_mul:
    case INDEX_op_or:
    case INDEX_op_xor:
    case INDEX_op_setcond:
    case INDEX_op_sub:
        id = C_R_R_RE;
        break;
    case INDEX_op_and:
        id = C_R_R_REZ;
        break;
    case INDEX_op_andc:
        if (arg_const(ctx, op, 2, &v) && x86_const_ok(h, type, v, X86_CT_NOT_S32)) {
            id = C_R_R_RI;
        } else {
            id = (f & X86_FEAT_BMI1) ? C_R_R_R : C_NR_R_R;
        }
        break;
    case INDEX_op_orc:
        if (arg_const(ctx, op, 2, &v) && x86_const_ok(h, type, v, X86_CT_NOT_S32)) {
            id = C_R_R_RI;
        } else {
            id = C_NR_R_R;
        }
        break;
    case INDEX_op_eqv:
        id = C_R_R_RI;
        break;
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
        if (arg_const(ctx, op, 2, &v)) {
            id = C_R_R_I;
        } else {
            id = (f & X86_FEAT_BMI2) ? C_R_R_R : C_R_0_C;
        }
        break;
    case INDEX_op_rotl:
    case INDEX_op_rotr:
        id = arg_const(ctx, op, 2, &v) ? C_R_R_I : C_R_0_C;
        break;
    case INDEX_op_clz:
        id = ((f & X86_FEAT_LZCNT) && arg_const(ctx, op, 2, &v) && v == type_bits(type))
                 ? C_R_R_I : C_NR_R_R;
        break;
    case INDEX_op_ctz:
        id = ((f & X86_FEAT_BMI1) && arg_const(ctx, op, 2, &v) && v == type_bits(type))
                 ? C_R_R_I : C_NR_R_R;
        break;
    case INDEX_op_ctpop:
        id = (f & X86_FEAT_POPCNT) ? C_R_R : C_NR_R_POPCNT;
        break;
    case INDEX_op_mulsh:
    case INDEX_op_muluh:
        id = C_MULH;
        break;
    case INDEX_op_div:
    case INDEX_op_divu:
        id = C_DIV;
        break;
    case INDEX_op_rem:
    case INDEX_op_remu:
        id = C_REM;
        break;
    case INDEX_op_neg:
    case INDEX_op_not:
    case INDEX_op_bswap:
    case INDEX_op_ld:
        id = C_R_R;
        break;
    case INDEX_op_ext8s:
    case INDEX_op_ext8u:
    case INDEX_op_ext16s:
    case INDEX_op_ext16u:
    case INDEX_op_ext32s:
    case INDEX_op_ext32u:
    case INDEX_op_extrl_i64_i32:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_exts_i32_i64:
        id = C_R_RM;
        break;
    case INDEX_op_movcond:
        id = C_MOVCOND;
        break;
    case INDEX_op_st:
        id = store_value_form(f, (MemOp)op->args[3], false);
        break;
    case INDEX_op_qemu_ld:
    case INDEX_op_qemu_st:
        if (g->softmmu) {
            id = op->opc == INDEX_op_qemu_ld ? C_QLD_SOFT : C_QST_SOFT;
            break;
        }
        {
            MemOp mop = tcg_oi_memop((uint32_t)op->args[2]);
            bool const_addr = arg_const(ctx, op, 1, &v) &&
                              x86_guest_const_addr_ok(g, (uint64_t)v, mop);
            if (op->opc == INDEX_op_qemu_st) {
                id = store_value_form(f, mop, const_addr);
            } else {
                id = const_addr ? C_QLD_I : C_QLD;
            }
        }
        break;
    default:
        id = C_NONE;
        break;
    }
    return &ct_parsed[id];
}

/* ------------------------------------------------------------------ */
/* helpers */

static void mov_if(X86Asm *a, TcgType type, int d, int s)
{
    if (d != s) {
        x86_mov_rr(a, type, d, s);
    }
}

static int64_t typed(TcgType type, int64_t v)
{
    return type == TCG_I32 ? (int32_t)v : v;
}

X86Opnd x86_opnd(const RaOpArgs *args, int i)
{
    X86Opnd o = { .kind = X86_OPND_REG };
    if (args->is_const[i]) {
        o.kind = X86_OPND_IMM;
        o.imm = (int64_t)args->a[i];
    } else if (args->is_mem[i]) {
        o.kind = X86_OPND_MEM;
        o.base = args->mem_base[i];
        o.disp = (int32_t)(intptr_t)args->a[i];
    } else {
        o.reg = (int)args->a[i];
    }
    return o;
}

static X86Opnd opnd_imm(int64_t v)
{
    X86Opnd o = { .kind = X86_OPND_IMM, .imm = v };
    return o;
}

static bool is_reg(X86Opnd o, int r)
{
    return o.kind == X86_OPND_REG && o.reg == r;
}

/* d = operand (any kind), full width of type. */
static void emit_mov_opnd(X86Asm *a, TcgType type, int d, X86Opnd o)
{
    switch (o.kind) {
    case X86_OPND_REG:
        mov_if(a, type, d, o.reg);
        break;
    case X86_OPND_IMM:
        x86_movi(a, type, d, o.imm);
        break;
    default:
        x86_load(a, type, type == TCG_I64 ? MO_64 : MO_32, d, o.base, -1, o.disp);
        break;
    }
}

/* op d, src (register, imm32 or memory source). */
static void emit_alu_opnd(X86Asm *a, X86Alu op, TcgType type, int d, X86Opnd src)
{
    switch (src.kind) {
    case X86_OPND_REG:
        x86_alu_rr(a, op, type, d, src.reg);
        break;
    case X86_OPND_IMM:
        x86_alu_ri(a, op, type, d, (int32_t)src.imm);
        break;
    default:
        x86_op_modrm_mem(a, ((int)op << 3 | 3) | (type == TCG_I64 ? X86_P_W : 0), d, src.base,
                         -1, 0, src.disp);
        break;
    }
}

/* Compare a with b for a following jcc/setcc/cmov; at most one is memory. */
static void emit_cmp(X86Asm *a, TcgType type, X86Opnd A, X86Opnd B)
{
    int w = type == TCG_I64 ? X86_P_W : 0;
    if (A.kind == X86_OPND_MEM) {
        if (B.kind == X86_OPND_IMM) {
            int32_t imm = (int32_t)B.imm;
            bool s8 = x86_fits_s8(imm);
            x86_op_modrm_mem(a, (s8 ? X86_OPC_ARITH_EvIb : X86_OPC_ARITH_EvIz) | w,
                             X86_ALU_CMP, A.base, -1, 0, A.disp);
            if (s8) {
                x86_out8(a, (uint8_t)imm);
            } else {
                x86_out32(a, (uint32_t)imm);
            }
        } else {
            x86_op_modrm_mem(a, (X86_ALU_CMP << 3 | 1) | w, B.reg, A.base, -1, 0, A.disp);
        }
    } else if (B.kind == X86_OPND_IMM && B.imm == 0) {
        x86_test_rr(a, type, A.reg, A.reg);
    } else {
        emit_alu_opnd(a, X86_ALU_CMP, type, A.reg, B);
    }
}

/* d = a <op> b for commutative ALU ops; a may be memory if b is not. */
static void emit_alu_comm(X86Asm *a, X86Alu op, TcgType type, int d, X86Opnd A, X86Opnd B)
{
    if (A.kind != X86_OPND_REG && B.kind == X86_OPND_REG) {
        X86Opnd t = A; /* commutative: keep the register first */
        A = B;
        B = t;
    }
    if (A.kind != X86_OPND_REG) {
        /* memory op imm */
        emit_mov_opnd(a, type, d, A);
        emit_alu_opnd(a, op, type, d, B);
    } else if (is_reg(B, d) && d != A.reg) {
        x86_alu_rr(a, op, type, d, A.reg);
    } else {
        mov_if(a, type, d, A.reg);
        emit_alu_opnd(a, op, type, d, B);
    }
}

static void emit_add(X86Asm *a, TcgType type, int d, X86Opnd A, X86Opnd B)
{
    if (A.kind != X86_OPND_REG && B.kind == X86_OPND_REG) {
        X86Opnd t = A; /* commutative: keep the register first */
        A = B;
        B = t;
    }
    if (A.kind != X86_OPND_REG) {
        emit_mov_opnd(a, type, d, A);
        if (B.imm) {
            x86_alu_ri(a, X86_ALU_ADD, type, d, (int32_t)B.imm);
        }
    } else if (B.kind == X86_OPND_IMM) {
        int32_t imm = (int32_t)B.imm;
        if (imm == 0) {
            mov_if(a, type, d, A.reg);
        } else if (d != A.reg) {
            x86_lea(a, type, d, A.reg, -1, 0, imm);
        } else if (imm == 128) {
            x86_alu_ri(a, X86_ALU_SUB, type, d, -128); /* imm8 form */
        } else {
            x86_alu_ri(a, X86_ALU_ADD, type, d, imm);
        }
    } else if (B.kind == X86_OPND_MEM || d == A.reg || d == B.reg) {
        emit_alu_comm(a, X86_ALU_ADD, type, d, A, B);
    } else {
        x86_lea(a, type, d, A.reg, B.reg, 0, 0);
    }
}

static void emit_sub(X86Asm *a, TcgType type, int d, int ra, X86Opnd B)
{
    if (B.kind == X86_OPND_IMM) {
        int32_t imm = (int32_t)B.imm;
        if (imm == 0) {
            mov_if(a, type, d, ra);
        } else if (d != ra && imm != INT32_MIN) {
            x86_lea(a, type, d, ra, -1, 0, -imm);
        } else {
            mov_if(a, type, d, ra);
            x86_alu_ri(a, X86_ALU_SUB, type, d, imm);
        }
    } else if (is_reg(B, d) && d != ra) {
        x86_grp3(a, X86_GRP3_NEG, type, d);
        x86_alu_rr(a, X86_ALU_ADD, type, d, ra);
    } else {
        mov_if(a, type, d, ra);
        emit_alu_opnd(a, X86_ALU_SUB, type, d, B);
    }
}

static void emit_and(X86Asm *a, TcgType type, int d, X86Opnd A, X86Opnd B)
{
    if (B.kind != X86_OPND_IMM) {
        emit_alu_comm(a, X86_ALU_AND, type, d, A, B);
        return;
    }
    int64_t v = typed(type, B.imm);
    if (A.kind == X86_OPND_MEM) {
        if (v == 0xff || v == 0xffff || (type == TCG_I64 && v == 0xffffffffll)) {
            x86_load(a, type, v == 0xff ? MO_UB : v == 0xffff ? MO_UW : MO_UL, d, A.base, -1,
                     A.disp);
            return;
        }
        emit_mov_opnd(a, type, d, A);
        A.kind = X86_OPND_REG;
        A.reg = d;
    }
    int ra = A.reg;
    if (v == 0xff) {
        x86_movzx(a, MO_8, d, ra);
    } else if (v == 0xffff) {
        x86_movzx(a, MO_16, d, ra);
    } else if (v == -1) {
        mov_if(a, type, d, ra);
    } else if (type == TCG_I64 && v == 0xffffffffll) {
        x86_mov_rr(a, TCG_I32, d, ra);
    } else if (type == TCG_I64 && !x86_fits_s32(v)) {
        /* A 32-bit and zero-extends: exactly "and with a u32 mask". */
        mov_if(a, TCG_I32, d, ra);
        x86_alu_ri(a, X86_ALU_AND, TCG_I32, d, (int32_t)v);
    } else {
        mov_if(a, type, d, ra);
        x86_alu_ri(a, X86_ALU_AND, type, d, (int32_t)v);
    }
}

static void emit_or(X86Asm *a, TcgType type, int d, X86Opnd A, X86Opnd B)
{
    if (B.kind == X86_OPND_IMM && typed(type, B.imm) == 0) {
        emit_mov_opnd(a, type, d, A);
    } else {
        emit_alu_comm(a, X86_ALU_OR, type, d, A, B);
    }
}

static void emit_xor(X86Asm *a, TcgType type, int d, X86Opnd A, X86Opnd B)
{
    if (B.kind == X86_OPND_IMM && typed(type, B.imm) == 0) {
        emit_mov_opnd(a, type, d, A);
    } else if (B.kind == X86_OPND_IMM && typed(type, B.imm) == -1) {
        emit_mov_opnd(a, type, d, A);
        x86_grp3(a, X86_GRP3_NOT, type, d);
    } else {
        emit_alu_comm(a, X86_ALU_XOR, type, d, A, B);
    }
}

static void emit_mul(X86Asm *a, TcgType type, int d, X86Opnd A, X86Opnd B)
{
    int w = type == TCG_I64 ? X86_P_W : 0;
    if (A.kind != X86_OPND_REG && B.kind == X86_OPND_REG) {
        X86Opnd t = A; /* commutative: keep the register first */
        A = B;
        B = t;
    }
    if (B.kind == X86_OPND_IMM && A.kind == X86_OPND_MEM) {
        /* imul d, [m], imm */
        int32_t imm = (int32_t)B.imm;
        bool s8 = x86_fits_s8(imm);
        x86_op_modrm_mem(a, (s8 ? X86_OPC_IMUL_GvEvIb : X86_OPC_IMUL_GvEvIz) | w, d, A.base,
                         -1, 0, A.disp);
        if (s8) {
            x86_out8(a, (uint8_t)imm);
        } else {
            x86_out32(a, (uint32_t)imm);
        }
    } else if (B.kind == X86_OPND_IMM) {
        int32_t imm = (int32_t)B.imm;
        int ra = A.reg;
        if (imm == 1) {
            mov_if(a, type, d, ra);
        } else if (d == ra && imm > 0 && (imm & (imm - 1)) == 0) {
            x86_shift_ri(a, X86_SHIFT_SHL, type, d, __builtin_ctz((uint32_t)imm));
        } else {
            x86_imul_rri(a, type, d, ra, imm);
        }
    } else if (B.kind == X86_OPND_MEM) {
        mov_if(a, type, d, A.reg);
        x86_op_modrm_mem(a, X86_OPC_IMUL_GvEv | w, d, B.base, -1, 0, B.disp);
    } else if (d == B.reg && d != A.reg) {
        x86_imul_rr(a, type, d, A.reg);
    } else {
        mov_if(a, type, d, A.reg);
        x86_imul_rr(a, type, d, B.reg);
    }
}

/* mul/imul/div/idiv with a register or memory operand (rdx:rax implicit). */
static void emit_grp3_opnd(X86Asm *a, X86Grp3 op, TcgType type, X86Opnd o)
{
    if (o.kind == X86_OPND_MEM) {
        x86_op_modrm_mem(a, X86_OPC_GRP3 | (type == TCG_I64 ? X86_P_W : 0), op, o.base, -1, 0,
                         o.disp);
    } else {
        x86_grp3(a, op, type, o.reg);
    }
}

/* Extensions: from a register, or straight from memory with a load. */
static void emit_ext(X86Asm *a, TcgOpcode opc, TcgType type, int d, X86Opnd s)
{
    static const MemOp load_mop[] = {
        [INDEX_op_ext8s] = MO_SB, [INDEX_op_ext8u] = MO_UB, [INDEX_op_ext16s] = MO_SW,
        [INDEX_op_ext16u] = MO_UW, [INDEX_op_ext32s] = MO_SL, [INDEX_op_ext32u] = MO_UL,
        [INDEX_op_extrl_i64_i32] = MO_UL, [INDEX_op_extu_i32_i64] = MO_UL,
        [INDEX_op_exts_i32_i64] = MO_SL,
    };
    if (s.kind == X86_OPND_MEM) {
        x86_load(a, opc == INDEX_op_extrl_i64_i32 ? TCG_I32 : type, load_mop[opc], d, s.base, -1,
                 s.disp);
        return;
    }
    int r = s.reg;
    switch (opc) {
    case INDEX_op_ext8s:
        x86_movsx(a, type, MO_8, d, r);
        break;
    case INDEX_op_ext8u:
        x86_movzx(a, MO_8, d, r);
        break;
    case INDEX_op_ext16s:
        x86_movsx(a, type, MO_16, d, r);
        break;
    case INDEX_op_ext16u:
        x86_movzx(a, MO_16, d, r);
        break;
    case INDEX_op_ext32s:
    case INDEX_op_exts_i32_i64:
        x86_movsx(a, TCG_I64, MO_32, d, r);
        break;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
        x86_mov_rr(a, TCG_I32, d, r); /* writing r32 clears bits 63..32 */
        break;
    default: /* extrl: I32 values ignore bits 63..32, nothing to do in place */
        mov_if(a, TCG_I32, d, r);
        break;
    }
}

static X86Shift shift_kind(TcgOpcode opc)
{
    switch (opc) {
    case INDEX_op_shl: return X86_SHIFT_SHL;
    case INDEX_op_shr: return X86_SHIFT_SHR;
    case INDEX_op_sar: return X86_SHIFT_SAR;
    case INDEX_op_rotl: return X86_SHIFT_ROL;
    default: return X86_SHIFT_ROR;
    }
}

static void emit_shift(X86Asm *a, TcgOpcode opc, TcgType type, int d, int ra, TcgArg b,
                       bool bconst)
{
    X86Shift k = shift_kind(opc);
    int w = type_bits(type);

    if (bconst) {
        int n = (int)(b & (w - 1));
        if (n == 0) {
            mov_if(a, type, d, ra);
        } else if ((k == X86_SHIFT_ROL || k == X86_SHIFT_ROR) && d != ra &&
                   (a->features & X86_FEAT_BMI2)) {
            x86_rorx(a, type, d, ra, k == X86_SHIFT_ROR ? n : w - n);
        } else {
            mov_if(a, type, d, ra);
            x86_shift_ri(a, k, type, d, n);
        }
    } else if ((a->features & X86_FEAT_BMI2) && k != X86_SHIFT_ROL && k != X86_SHIFT_ROR) {
        /* One uop, no flags: better than "shl r, cl" even in place. */
        x86_shiftx(a, k, type, d, ra, (int)b);
    } else {
        /* "r, 0, c" form: count already in cl */
        g_assert((int)b == X86_RCX && d == ra);
        x86_shift_cl(a, k, type, d);
    }
}

static void emit_clz_ctz(X86Asm *a, bool clz, TcgType type, int d, int ra, TcgArg z,
                         bool zconst)
{
    int w = type_bits(type);
    bool native = clz ? (a->features & X86_FEAT_LZCNT) : (a->features & X86_FEAT_BMI1);

    if (native) {
        x86_bitop(a, clz ? X86_OPC_LZCNT : X86_OPC_TZCNT, type, d, ra);
        if (!zconst) {
            /* CF is set when the source was zero. */
            x86_cmov(a, X86_CC_B, type, d, (int)z);
        }
        return;
    }
    g_assert(!zconst && d != ra && d != (int)z);
    if (clz) {
        x86_bitop(a, X86_OPC_BSR, type, d, ra);
        x86_alu_ri(a, X86_ALU_XOR, type, d, w - 1);
        x86_test_rr(a, type, ra, ra);
    } else {
        x86_bitop(a, X86_OPC_BSF, type, d, ra);
    }
    x86_cmov(a, X86_CC_E, type, d, (int)z);
}

/* Population count without popcnt: the SWAR sum of bits. */
static void emit_ctpop_swar(X86Asm *a, TcgType type, int d, int s, int t, int m)
{
    bool q = type == TCG_I64;
    x86_mov_rr(a, type, d, s);
    x86_mov_rr(a, type, t, d);
    x86_shift_ri(a, X86_SHIFT_SHR, type, t, 1);
    if (q) {
        x86_movi(a, type, m, 0x5555555555555555ll);
        x86_alu_rr(a, X86_ALU_AND, type, t, m);
    } else {
        x86_alu_ri(a, X86_ALU_AND, type, t, 0x55555555);
    }
    x86_alu_rr(a, X86_ALU_SUB, type, d, t);
    x86_mov_rr(a, type, t, d);
    if (q) {
        x86_movi(a, type, m, 0x3333333333333333ll);
        x86_alu_rr(a, X86_ALU_AND, type, t, m);
        x86_shift_ri(a, X86_SHIFT_SHR, type, d, 2);
        x86_alu_rr(a, X86_ALU_AND, type, d, m);
    } else {
        x86_alu_ri(a, X86_ALU_AND, type, t, 0x33333333);
        x86_shift_ri(a, X86_SHIFT_SHR, type, d, 2);
        x86_alu_ri(a, X86_ALU_AND, type, d, 0x33333333);
    }
    x86_alu_rr(a, X86_ALU_ADD, type, d, t);
    x86_mov_rr(a, type, t, d);
    x86_shift_ri(a, X86_SHIFT_SHR, type, t, 4);
    x86_alu_rr(a, X86_ALU_ADD, type, d, t);
    if (q) {
        x86_movi(a, type, m, 0x0f0f0f0f0f0f0f0fll);
        x86_alu_rr(a, X86_ALU_AND, type, d, m);
        x86_movi(a, type, m, 0x0101010101010101ll);
        x86_imul_rr(a, type, d, m);
        x86_shift_ri(a, X86_SHIFT_SHR, type, d, 56);
    } else {
        x86_alu_ri(a, X86_ALU_AND, type, d, 0x0f0f0f0f);
        x86_imul_rri(a, type, d, d, 0x01010101);
        x86_shift_ri(a, X86_SHIFT_SHR, type, d, 24);
    }
}

static void emit_setcond(X86Asm *a, TcgType type, TcgCond cond, int d, X86Opnd A, X86Opnd B)
{
    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        x86_movi(a, TCG_I32, d, cond == TCG_COND_ALWAYS);
        return;
    }
    /* Zeroing first avoids a partial-register merge, but only when d is
     * not an input (the xor would destroy it before the compare). */
    bool zero_first = !is_reg(A, d) && !is_reg(B, d);
    if (zero_first) {
        x86_movi(a, TCG_I32, d, 0);
    }
    emit_cmp(a, type, A, B);
    x86_setcc(a, x86_cond_from_tcg(cond), d);
    if (!zero_first) {
        x86_movzx(a, MO_8, d, d);
    }
}

static void emit_movcond(X86Asm *a, TcgType type, TcgCond cond, int d, X86Opnd c1, X86Opnd c2,
                         int v1, int v2)
{
    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        mov_if(a, type, d, cond == TCG_COND_ALWAYS ? v1 : v2);
        return;
    }
    X86Cond cc = x86_cond_from_tcg(cond);
    emit_cmp(a, type, c1, c2);
    if (d == v2) {
        x86_cmov(a, cc, type, d, v1);
    } else if (d == v1) {
        x86_cmov(a, (X86Cond)(cc ^ 1), type, d, v2);
    } else {
        x86_mov_rr(a, type, d, v2); /* mov leaves the flags alone */
        x86_cmov(a, cc, type, d, v1);
    }
}

/* Load with any MemOp, including byte-swapped forms. */
static void emit_load(X86Asm *a, TcgType type, MemOp mop, int d, int base, int index,
                      int32_t disp)
{
    MemOp size = mop & MO_SIZE;
    bool sign = mop & MO_SIGN;

    if (!(mop & MO_BSWAP) || size == MO_8) {
        x86_load(a, type, mop & (MO_SIZE | MO_SIGN), d, base, index, disp);
    } else if (size == MO_16) {
        x86_load(a, type, MO_16, d, base, index, disp);
        x86_rol16_8(a, d);
        if (sign) {
            x86_movsx(a, type, MO_16, d, d);
        }
    } else if (a->features & X86_FEAT_MOVBE) {
        x86_movbe_load(a, size, d, base, index, disp);
        if (size == MO_32 && sign && type == TCG_I64) {
            x86_movsx(a, TCG_I64, MO_32, d, d);
        }
    } else {
        x86_load(a, size == MO_64 ? TCG_I64 : TCG_I32, size, d, base, index, disp);
        x86_bswap(a, size == MO_64 ? TCG_I64 : TCG_I32, d);
        if (size == MO_32 && sign && type == TCG_I64) {
            x86_movsx(a, TCG_I64, MO_32, d, d);
        }
    }
}

static uint64_t bswap_size(uint64_t v, MemOp size)
{
    switch (size) {
    case MO_16: return __builtin_bswap16((uint16_t)v);
    case MO_32: return __builtin_bswap32((uint32_t)v);
    case MO_64: return __builtin_bswap64(v);
    default: return (uint8_t)v;
    }
}

/* Store with any MemOp; scratch may be -1 when the form needs none. */
static void emit_store(X86Asm *a, MemOp mop, TcgArg v, bool vconst, int base, int index,
                       int32_t disp, int scratch)
{
    MemOp size = mop & MO_SIZE;
    bool swap = (mop & MO_BSWAP) && size != MO_8;

    if (vconst) {
        int64_t val = (int64_t)v;
        if (swap) {
            val = (int64_t)bswap_size((uint64_t)val, size);
        }
        if (size == MO_64 && !x86_fits_s32(val) && scratch >= 0) {
            /* One 64-bit store (single-copy atomic), not two halves.  The
             * constraints only let such constants here with a scratch. */
            x86_movi(a, TCG_I64, scratch, val);
            x86_store(a, size, scratch, base, index, disp);
        } else {
            x86_store_imm(a, size, val, base, index, disp);
        }
    } else if (!swap) {
        x86_store(a, size, (int)v, base, index, disp);
    } else if (a->features & X86_FEAT_MOVBE) {
        x86_movbe_store(a, size, (int)v, base, index, disp);
    } else {
        g_assert(scratch >= 0);
        x86_mov_rr(a, size == MO_64 ? TCG_I64 : TCG_I32, scratch, (int)v);
        if (size == MO_16) {
            x86_rol16_8(a, scratch);
        } else {
            x86_bswap(a, size == MO_64 ? TCG_I64 : TCG_I32, scratch);
        }
        x86_store(a, size, scratch, base, index, disp);
    }
}

/* ------------------------------------------------------------------ */
/* control flow */

static void label_ref(X86Gen *g, size_t pos, int label)
{
    if (g->nb_refs == g->max_refs) {
        g->max_refs = g->max_refs ? g->max_refs * 2 : 32;
        g->refs = g_renew(X86LabelRef, g->refs, g->max_refs);
    }
    g->refs[g->nb_refs].pos = (uint32_t)pos;
    g->refs[g->nb_refs].label = (uint32_t)label;
    g->nb_refs++;
}

static void emit_jump_label(X86Gen *g, int cc, int label)
{
    X86Asm *a = &g->a;
    if (g->label_pos[label] >= 0) {
        uintptr_t target = a->rx + (size_t)g->label_pos[label];
        if (cc < 0) {
            g->last_jmp_start = a->pos;
            x86_jmp_to(a, target);
            g->last_jmp_end = a->pos;
            g->last_jmp_target = target;
        } else {
            x86_jcc_to(a, (X86Cond)cc, target);
        }
        return;
    }
    size_t at = cc < 0 ? x86_jmp32(a) : x86_jcc32(a, (X86Cond)cc);
    label_ref(g, at, label);
    if (cc >= 0) {
        g->last_jcc_end = at + 4;
        g->last_jcc_ref = g->nb_refs - 1;
        g->last_jcc_stub = -1;
        g->last_jcc_cc = cc;
    }
}

/* jcc to an out-of-line stub that writes back args->wb, then jumps to the
 * exit label (x86-backend.c: emit_exit_stubs). */
static void emit_jump_exit_stub(X86Gen *g, int cc, int label, const RaOpArgs *args)
{
    if (g->nb_exit_stubs == g->max_exit_stubs) {
        g->max_exit_stubs = g->max_exit_stubs ? g->max_exit_stubs * 2 : 16;
        g->exit_stubs = g_renew(X86ExitStub, g->exit_stubs, g->max_exit_stubs);
    }
    X86ExitStub *st = &g->exit_stubs[g->nb_exit_stubs];
    st->jcc_pos = (uint32_t)x86_jcc32(&g->a, (X86Cond)cc);
    st->label = label;
    st->wb_first = x86_wb_pool_add(g, args->wb, args->nb_wb);
    st->wb_n = (uint32_t)args->nb_wb;
    g->last_jcc_end = st->jcc_pos + 4;
    g->last_jcc_ref = -1;
    g->last_jcc_stub = g->nb_exit_stubs;
    g->last_jcc_cc = cc;
    g->nb_exit_stubs++;
}

/*
 * Binding label L right after "jcc L; jmp back" (a loop's exit test and
 * its back edge, tcg/loop.c): emit "j!cc back" instead, one branch an
 * iteration rather than two.  Only when nothing else refers to the code
 * being rewritten: the jcc is the last label reference made and the jmp
 * follows it directly.
 */
static void fold_jump_over_jump(X86Gen *g, int label)
{
    X86Asm *a = &g->a;
    if (g->last_jmp_end != a->pos || g->last_jcc_end != g->last_jmp_start ||
        g->last_jcc_end < 6) {
        return;
    }
    X86ExitStub *st = NULL;
    if (g->last_jcc_stub >= 0) {
        /* "jcc stub; jmp back; L:" with the stub writing back and going to L:
         * "j!cc back; <the stub's stores>; L:" */
        st = &g->exit_stubs[g->last_jcc_stub];
        if (st->label != label || st->jcc_pos + 4 != g->last_jcc_end) {
            return;
        }
    } else if (g->nb_refs == 0 || g->last_jcc_ref != g->nb_refs - 1 ||
               g->refs[g->last_jcc_ref].label != (uint32_t)label) {
        return;
    }
    a->pos = g->last_jcc_end - 6; /* the jcc rel32 is 6 bytes */
    x86_jcc_to(a, (X86Cond)(g->last_jcc_cc ^ 1), g->last_jmp_target);
    if (st) {
        x86_emit_writebacks(g, st->wb_first, st->wb_n);
        st->jcc_pos = UINT32_MAX;
    } else {
        g->nb_refs--;
    }
    g->last_jmp_end = 0;
}

static X86SlowPath *slow_new(X86Gen *g, int addr, bool is_store)
{
    if (g->nb_slow == g->max_slow) {
        g->max_slow = g->max_slow ? g->max_slow * 2 : 16;
        g->slow = g_renew(X86SlowPath, g->slow, g->max_slow);
    }
    X86SlowPath *sp = &g->slow[g->nb_slow++];
    sp->jcc_pos[0] = sp->jcc_pos[1] = UINT32_MAX;
    sp->addr_reg = (int8_t)addr;
    sp->is_store = is_store;
    sp->access_pos = 0;
    sp->wb_first = sp->wb_n = 0;
    return sp;
}

/*
 * Globals the allocator left only in registers at a guest access
 * (args->wb): its slow path stores them before reporting the fault, and a
 * fault site records them for a host fault in [start, end) (the signal
 * handler writes them back from the saved registers).
 */
static void note_fault_site(X86Gen *g, X86SlowPath *sp, const RaOpArgs *args, size_t start,
                            size_t end)
{
    if (args->nb_wb == 0) {
        return;
    }
    if (sp) {
        sp->wb_first = x86_wb_pool_add(g, args->wb, args->nb_wb);
        sp->wb_n = (uint32_t)args->nb_wb;
    }
    TbCodeInfo *info = g->info;
    if (!info) {
        return;
    }
    if (info->nb_sites == info->max_sites) {
        info->max_sites = info->max_sites ? info->max_sites * 2 : 64;
        info->sites = g_renew(TbFaultSite, info->sites, info->max_sites);
    }
    while (info->nb_wbs + args->nb_wb > info->max_wbs) {
        info->max_wbs = info->max_wbs ? info->max_wbs * 2 : 256;
        info->wbs = g_renew(TcgWriteback, info->wbs, info->max_wbs);
    }
    TbFaultSite *fs = &info->sites[info->nb_sites++];
    fs->start = (uint32_t)(start - g->start);
    fs->end = (uint32_t)(end - g->start);
    fs->first = (uint32_t)info->nb_wbs;
    fs->n = (uint32_t)args->nb_wb;
    memcpy(&info->wbs[info->nb_wbs], args->wb, sizeof(TcgWriteback) * (size_t)args->nb_wb);
    info->nb_wbs += args->nb_wb;
}

/*
 * Guest address checks: out of the guest space, or misaligned under
 * MO_ALIGN, branch to an out-of-line call of ctx->mem.fault.  The bounds
 * check needs no scratch register.  When the guest space sits at
 * guest_base == 2^addr_bits (user mode arranges that when the host address
 * is free), the guest-base register is also the limit: `cmp addr, r15;
 * jae` is one fused register compare.  Otherwise the limit comes from a
 * table next to the prologue (`cmp addr, [rip + x]`: a load, and AMD does
 * not fuse a rip-relative compare with the branch; 13% on bench_int).
 * Returns the slow-path record; the caller sets access_pos.
 */
static X86SlowPath *emit_guest_checks(X86Gen *g, int addr, MemOp mop, bool is_store)
{
    X86Asm *a = &g->a;
    X86SlowPath *sp = slow_new(g, addr, is_store);
    if (g->addr_bits < 64) {
        if (g->gb_reg >= 0 && g->guest_base == (uintptr_t)1 << g->addr_bits) {
            x86_alu_rr(a, X86_ALU_CMP, TCG_I64, addr, g->gb_reg);
        } else {
            x86_op_modrm_rip(a, ((X86_ALU_CMP << 3) | 3) | X86_P_W, addr,
                             g->limit_rx + 8 * g->addr_bits, 0);
        }
        sp->jcc_pos[0] = (uint32_t)x86_jcc32(a, X86_CC_AE);
    }
    if ((mop & MO_ALIGN) && (mop & MO_SIZE) != MO_8) {
        x86_op_modrm(a, 0xf6 | X86_P_BYTE_RM, 0, addr); /* test addr8, imm8 */
        x86_out8(a, (1u << (mop & MO_SIZE)) - 1);
        sp->jcc_pos[1] = (uint32_t)x86_jcc32(a, X86_CC_NE);
    }
    return sp;
}

/* The host operand for a guest address in a register or a constant one
 * (already validated by x86_guest_const_addr_ok). */
static void guest_operand(X86Gen *g, TcgArg addr, bool is_const, int *base, int *index,
                          int32_t *disp)
{
    if (is_const) {
        *index = -1;
        if (g->gb_reg >= 0) {
            *base = g->gb_reg;
            *disp = (int32_t)addr;
        } else {
            *base = -1;
            *disp = (int32_t)(g->guest_base + addr);
        }
    } else if (g->gb_reg >= 0) {
        *base = g->gb_reg;
        *index = (int)addr;
        *disp = 0;
    } else {
        *base = (int)addr;
        *index = -1;
        *disp = (int32_t)g->guest_base;
    }
}

static void emit_qemu_ld(X86Gen *g, TcgType type, int d, TcgArg addr, bool aconst, uint32_t oi,
                         const RaOpArgs *args)
{
    MemOp mop = tcg_oi_memop(oi);
    int base, index;
    int32_t disp;
    X86SlowPath *sp = aconst ? NULL : emit_guest_checks(g, (int)addr, mop, false);
    guest_operand(g, addr, aconst, &base, &index, &disp);
    size_t start = g->a.pos;
    if (sp) {
        sp->access_pos = (uint32_t)start;
    }
    emit_load(&g->a, type, mop, d, base, index, disp);
    note_fault_site(g, sp, args, start, g->a.pos);
}

static void emit_qemu_st(X86Gen *g, TcgArg v, bool vconst, TcgArg addr, bool aconst,
                         uint32_t oi, int scratch, const RaOpArgs *args)
{
    MemOp mop = tcg_oi_memop(oi);
    int base, index;
    int32_t disp;
    X86SlowPath *sp = aconst ? NULL : emit_guest_checks(g, (int)addr, mop, true);
    guest_operand(g, addr, aconst, &base, &index, &disp);
    size_t start = g->a.pos;
    if (sp) {
        sp->access_pos = (uint32_t)start;
    }
    emit_store(&g->a, mop, v, vconst, base, index, disp, scratch);
    note_fault_site(g, sp, args, start, g->a.pos);
}

/* RaHostOps.insn_start, all an insn_start emits: where the previous guest
 * insn's code ended.  Returns whether the buffer is exhausted. */
bool x86_insn_start(void *h)
{
    X86Gen *g = h;
    TbCodeInfo *info = g->info;
    if (info) {
        if (g->cur_insn >= 0 && g->cur_insn < TCG_MAX_INSNS) {
            info->insn_end[g->cur_insn] = (uint32_t)(g->a.pos - g->start);
        }
        g->cur_insn++;
        if (g->cur_insn < TCG_MAX_INSNS) {
            info->nb_insns = g->cur_insn + 1;
        }
    }
    return x86_overflowed(&g->a);
}

static void emit_goto_tb(X86Gen *g, unsigned slot)
{
    X86Asm *a = &g->a;
    /* The rel32 must be 4-aligned so patch_jump can store it atomically. */
    x86_align(a, 4, 3);
    x86_out8(a, 0xe9);
    size_t field = a->pos;
    x86_out32(a, 0); /* falls through until chained */
    if (g->info && slot < TCG_MAX_GOTO_TB) {
        g->info->jmp_insn_offset[slot] = (uint32_t)(field - g->start);
        g->info->jmp_reset_offset[slot] = (uint32_t)(a->pos - g->start);
    }
}

static void emit_exit_tb(X86Gen *g, uintptr_t val)
{
    X86Asm *a = &g->a;
    if (val == 0) {
        x86_jmp_to(a, g->ret0_rx);
    } else {
        x86_movi(a, TCG_I64, X86_RAX, (int64_t)val);
        x86_jmp_to(a, g->epilogue_rx);
    }
}

/* ------------------------------------------------------------------ */

void x86_emit_call(void *h, const TcgHelperInfo *info)
{
    X86Gen *g = h;
    x86_fp_forget(g); /* helpers clobber every xmm register */
    x86_call_to(&g->a, (uintptr_t)info->func);
}

void x86_emit_op(void *h, const TcgOp *op, const RaOpArgs *args)
{
    X86Gen *g = h;
    X86Asm *a = &g->a;
    TcgType type = (TcgType)op->type;
    const TcgArg *x = args->a;
    const bool *c = args->is_const;
    int d = (int)x[0], r1 = (int)x[1]; /* r1: only where arg 1 is a register */

    /* XMM mirrors of fpop results (x86-fp.c) stay valid in straight-line
     * code while their general register is not written; after a label or
     * a block exit control may come from elsewhere.  (Helper calls forget
     * them in x86_emit_call.) */
    if (tcg_op_defs[op->opc].flags & TCG_OPF_BB_EXIT || op->opc == INDEX_op_set_label ||
        op->opc == INDEX_op_br) {
        x86_fp_forget(g);
    } else if (op->opc != INDEX_op_fpop) {
        x86_fp_regs_written(g, args->written);
    }
    switch (op->opc) {
    case INDEX_op_fpop:
        x86_fp_emit(g, op, args);
        break;
    case INDEX_op_set_label:
        fold_jump_over_jump(g, (int)x[0]);
        g->label_pos[x[0]] = (int32_t)a->pos;
        break;
    case INDEX_op_br:
        emit_jump_label(g, -1, (int)x[0]);
        break;
    case INDEX_op_brcond: {
        TcgCond cond = (TcgCond)x[2];
        if (cond == TCG_COND_NEVER) {
            break;
        }
        if (cond == TCG_COND_ALWAYS) {
            emit_jump_label(g, -1, (int)x[3]);
            break;
        }
        emit_cmp(a, type, x86_opnd(args, 0), x86_opnd(args, 1));
        if (args->nb_wb > 0) {
            emit_jump_exit_stub(g, x86_cond_from_tcg(cond), (int)x[3], args);
        } else {
            emit_jump_label(g, x86_cond_from_tcg(cond), (int)x[3]);
        }
        break;
    }
    case INDEX_op_goto_tb:
        emit_goto_tb(g, (unsigned)x[0]);
        break;
    case INDEX_op_exit_tb:
        emit_exit_tb(g, (uintptr_t)x[0]);
        break;
    case INDEX_op_goto_ptr:
        x86_jmp_reg(a, (int)x[0]);
        break;
    case INDEX_op_mb:
        /* x86 is TSO: only store->load ordering needs a fence. */
        if (x[0] & TCG_MO_ST_LD) {
            x86_mfence(a);
        }
        break;

    case INDEX_op_add:
        emit_add(a, type, d, x86_opnd(args, 1), x86_opnd(args, 2));
        break;
    case INDEX_op_sub:
        emit_sub(a, type, d, r1, x86_opnd(args, 2));
        break;
    case INDEX_op_mul:
        emit_mul(a, type, d, x86_opnd(args, 1), x86_opnd(args, 2));
        break;
    case INDEX_op_mulsh:
    case INDEX_op_muluh:
        /* rdx:rax = rax * x[2] */
        emit_grp3_opnd(a, op->opc == INDEX_op_mulsh ? X86_GRP3_IMUL : X86_GRP3_MUL, type,
                       x86_opnd(args, 2));
        break;
    case INDEX_op_div:
    case INDEX_op_rem:
        x86_cqo(a, type);
        emit_grp3_opnd(a, X86_GRP3_IDIV, type, x86_opnd(args, 2));
        break;
    case INDEX_op_divu:
    case INDEX_op_remu:
        x86_movi(a, TCG_I32, X86_RDX, 0);
        emit_grp3_opnd(a, X86_GRP3_DIV, type, x86_opnd(args, 2));
        break;
    case INDEX_op_and:
        emit_and(a, type, d, x86_opnd(args, 1), x86_opnd(args, 2));
        break;
    case INDEX_op_or:
        emit_or(a, type, d, x86_opnd(args, 1), x86_opnd(args, 2));
        break;
    case INDEX_op_xor:
        emit_xor(a, type, d, x86_opnd(args, 1), x86_opnd(args, 2));
        break;
    case INDEX_op_andc:
        if (c[2]) {
            emit_and(a, type, d, x86_opnd(args, 1), opnd_imm(~(int64_t)x[2]));
        } else if (a->features & X86_FEAT_BMI1) {
            x86_andn(a, type, d, (int)x[2], r1);
        } else {
            /* '&' output: d is neither input */
            x86_mov_rr(a, type, d, (int)x[2]);
            x86_grp3(a, X86_GRP3_NOT, type, d);
            x86_alu_rr(a, X86_ALU_AND, type, d, r1);
        }
        break;
    case INDEX_op_orc:
        if (c[2]) {
            emit_or(a, type, d, x86_opnd(args, 1), opnd_imm(~(int64_t)x[2]));
        } else {
            x86_mov_rr(a, type, d, (int)x[2]);
            x86_grp3(a, X86_GRP3_NOT, type, d);
            x86_alu_rr(a, X86_ALU_OR, type, d, r1);
        }
        break;
    case INDEX_op_eqv:
        if (c[2]) {
            emit_xor(a, type, d, x86_opnd(args, 1), opnd_imm(~(int64_t)x[2]));
        } else {
            emit_alu_comm(a, X86_ALU_XOR, type, d, x86_opnd(args, 1), x86_opnd(args, 2));
            x86_grp3(a, X86_GRP3_NOT, type, d);
        }
        break;
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
    case INDEX_op_rotl:
    case INDEX_op_rotr:
        emit_shift(a, (TcgOpcode)op->opc, type, d, r1, x[2], c[2]);
        break;
    case INDEX_op_clz:
    case INDEX_op_ctz:
        emit_clz_ctz(a, op->opc == INDEX_op_clz, type, d, r1, x[2], c[2]);
        break;
    case INDEX_op_ctpop:
        if (a->features & X86_FEAT_POPCNT) {
            x86_bitop(a, X86_OPC_POPCNT, type, d, r1);
        } else {
            emit_ctpop_swar(a, type, d, r1, args->scratch[0], args->scratch[1]);
        }
        break;
    case INDEX_op_neg:
        mov_if(a, type, d, r1);
        x86_grp3(a, X86_GRP3_NEG, type, d);
        break;
    case INDEX_op_not:
        mov_if(a, type, d, r1);
        x86_grp3(a, X86_GRP3_NOT, type, d);
        break;
    case INDEX_op_bswap:
        mov_if(a, type, d, r1);
        x86_bswap(a, type, d);
        break;
    case INDEX_op_ext8s:
    case INDEX_op_ext8u:
    case INDEX_op_ext16s:
    case INDEX_op_ext16u:
    case INDEX_op_ext32s:
    case INDEX_op_ext32u:
    case INDEX_op_extrl_i64_i32:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_exts_i32_i64:
        emit_ext(a, (TcgOpcode)op->opc, type, d, x86_opnd(args, 1));
        break;
    case INDEX_op_setcond:
        emit_setcond(a, type, (TcgCond)x[3], d, x86_opnd(args, 1), x86_opnd(args, 2));
        break;
    case INDEX_op_movcond:
        emit_movcond(a, type, (TcgCond)x[5], d, x86_opnd(args, 1), x86_opnd(args, 2),
                     (int)x[3], (int)x[4]);
        break;
    case INDEX_op_ld:
        emit_load(a, type, (MemOp)x[3], d, r1, -1, (int32_t)(intptr_t)x[2]);
        break;
    case INDEX_op_st:
        emit_store(a, (MemOp)x[3], x[0], c[0], r1, -1, (int32_t)(intptr_t)x[2],
                   args->scratch[0]);
        break;
    case INDEX_op_qemu_ld:
        if (g->softmmu) {
            x86_soft_qemu_ld(g, type, d, (int)x[1], (uint32_t)x[2], args->scratch[0],
                             args->scratch[1], args);
            break;
        }
        emit_qemu_ld(g, type, d, x[1], c[1], (uint32_t)x[2], args);
        break;
    case INDEX_op_qemu_st:
        if (g->softmmu) {
            x86_soft_qemu_st(g, (int)x[0], (int)x[1], (uint32_t)x[2], args->scratch[0],
                             args->scratch[1], args);
            break;
        }
        emit_qemu_st(g, x[0], c[0], x[1], c[1], (uint32_t)x[2], args->scratch[0], args);
        break;
    default:
        g_error("x86: cannot emit op %s", tcg_op_defs[op->opc].name);
    }
}
