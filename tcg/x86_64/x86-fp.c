/*
 * x86-64 lowering of INDEX_op_fpop: guest floating-point arithmetic done
 * inline with one SSE (or FMA3) instruction, with the op's helper as the
 * slow path.
 *
 * The front end only emits fpop where the guest rounding mode is
 * round-to-nearest-even and the inexact flag is already accrued (docs/ir.md,
 * docs/fpu.md).  Then a host result that is a normal finite number is the
 * guest's result and raises no flag the guest has not got already, so the
 * helper is not needed.  Every other case (zero, subnormal, infinite, NaN
 * results, or an input single that is not NaN-boxed) calls the helper with
 * the original inputs, which computes the exact result and flags.
 *
 * Shape of the code for one op:
 *      [single: both/all inputs boxed? else -> slow]
 *      movq xmm0, a; movq xmm1, b; [movq xmm2, c]
 *      op xmm0, xmm1 [, xmm2]
 *      movq out, xmm0
 *      exponent of out in 1 .. max-1? else -> slow     (via the scratch)
 *      [single: box out]
 *      jmp done
 *  slow:
 *      save the caller-saved GPRs, out = helper(env, a, b[, c]), restore
 *  done:
 * The slow path saves every register a call clobbers itself, so for the
 * register allocator the op is an ordinary data op: inputs in registers,
 * a distinct output and one scratch register.  XMM registers never hold
 * allocator values, so xmm0..xmm2 are free.  The fast path needs MXCSR in
 * the host default (RNE, exceptions masked, no DAZ/FTZ), which is what
 * generated code runs with (the helpers put it back after any change).
 */
#include "tcg/x86_64/x86-gen.h"

#include <glib.h>
#include <string.h>

/* SSE opcodes (scalar double with F2; scalar single with F3). */
enum {
    SSE_SQRT = 0x51,
    SSE_ADD = 0x58,
    SSE_MUL = 0x59,
    SSE_SUB = 0x5c,
    SSE_DIV = 0x5e,
};
#define OPC_MOVQ_XMM_GPR (0x6e | X86_P_0F | X86_P_66) /* | X86_P_W for movq */
#define OPC_MOVQ_GPR_XMM (0x7e | X86_P_0F | X86_P_66) /* modrm.reg is the xmm */
#define OPC_MOVAPS (0x28 | X86_P_0F)

#define BOX 0xffffffff00000000ull

#define CALLER_SAVED_NB 9
static const int8_t caller_saved[CALLER_SAVED_NB] = {
    X86_RAX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R10, X86_R11,
};
static const int8_t arg_regs[3] = { X86_RSI, X86_RDX, X86_RCX };

static RaOpConstraint fp_ct[4]; /* by number of inputs */

static bool fp_letter(char c, RaArgConstraint *ct)
{
    if (c == 'r') {
        ct->regs |= 0xffffu & ~(1u << X86_RSP);
        return true;
    }
    return false;
}

const RaOpConstraint *x86_fp_constraint(X86Gen *g, const TcgOp *op)
{
    static gsize once;

    (void)g;
    if (g_once_init_enter(&once)) {
        static const char *const strs[] = { "&r", "r", "r", "r" };
        for (int n = 1; n <= 3; n++) {
            ra_constraint_parse(&fp_ct[n], 1, n, strs, fp_letter);
            fp_ct[n].nb_scratch = 1;
            fp_ct[n].scratch_regs = 0xffffu & ~(1u << X86_RSP);
            fp_ct[n].clobber = 0;
        }
        g_once_init_leave(&once, 1);
    }
    g_assert(op->nb_iargs >= 1 && op->nb_iargs <= 3);
    return &fp_ct[op->nb_iargs];
}

static void movq_to_xmm(X86Asm *a, bool dbl, int xmm, int gpr)
{
    x86_op_modrm(a, OPC_MOVQ_XMM_GPR | (dbl ? X86_P_W : 0), xmm, gpr);
}

static void movq_from_xmm(X86Asm *a, bool dbl, int gpr, int xmm)
{
    x86_op_modrm(a, OPC_MOVQ_GPR_XMM | (dbl ? X86_P_W : 0), xmm, gpr);
}

/* Slot of a pushed caller-saved register once the slow path has pushed all
 * of them and aligned the stack by 8 more bytes. */
static int32_t saved_slot(int reg)
{
    for (int i = 0; i < CALLER_SAVED_NB; i++) {
        if (caller_saved[i] == reg) {
            return 8 + 8 * (CALLER_SAVED_NB - 1 - i);
        }
    }
    return -1;
}

/* out = helper(env, inputs...), preserving every other register. */
static void emit_slow_call(X86Asm *a, const TcgHelperInfo *h, int out, const int *in, int n)
{
    for (int i = 0; i < CALLER_SAVED_NB; i++) {
        x86_push(a, caller_saved[i]);
    }
    /* 9 pushes: 8 more bytes keep rsp 16-byte aligned at the call. */
    x86_alu_ri(a, X86_ALU_SUB, TCG_I64, X86_RSP, 8);
    /* Caller-saved inputs come from their saved copies and callee-saved
     * ones are never argument registers: no ordering problem. */
    for (int i = 0; i < n; i++) {
        int32_t slot = saved_slot(in[i]);
        if (slot >= 0) {
            x86_load(a, TCG_I64, MO_64, arg_regs[i], X86_RSP, -1, slot);
        } else {
            x86_mov_rr(a, TCG_I64, arg_regs[i], in[i]);
        }
    }
    x86_mov_rr(a, TCG_I64, X86_RDI, X86_ENV_REG);
    x86_call_to(a, (uintptr_t)h->func);
    int32_t oslot = saved_slot(out);
    if (oslot >= 0) {
        x86_store(a, MO_64, X86_RAX, X86_RSP, -1, oslot);
    } else {
        x86_mov_rr(a, TCG_I64, out, X86_RAX);
    }
    x86_alu_ri(a, X86_ALU_ADD, TCG_I64, X86_RSP, 8);
    for (int i = CALLER_SAVED_NB - 1; i >= 0; i--) {
        x86_pop(a, caller_saved[i]);
    }
}

static void patch_here(X86Asm *a, size_t field)
{
    x86_patch32(a, field, (uint32_t)(int32_t)(a->pos - (field + 4)));
}

/* VEX 0F38 opcodes of the 213 forms: xmm0 = xmm0 * xmm1 +- xmm2. */
static int fma_opc(int base)
{
    switch (base) {
    case FPOP_FMADD_D:
        return 0xa9; /* vfmadd213 */
    case FPOP_FMSUB_D:
        return 0xab; /* vfmsub213 */
    case FPOP_FNMSUB_D:
        return 0xad; /* vfnmadd213: -(a*b) + c */
    default:
        return 0xaf; /* vfnmsub213: -(a*b) - c */
    }
}

static X86FpSlow *fp_slow_new(X86Gen *g)
{
    if (g->nb_fp_slow == g->max_fp_slow) {
        g->max_fp_slow = g->max_fp_slow ? g->max_fp_slow * 2 : 16;
        g->fp_slow = g_renew(X86FpSlow, g->fp_slow, g->max_fp_slow);
    }
    X86FpSlow *sp = &g->fp_slow[g->nb_fp_slow++];
    memset(sp, 0, sizeof(*sp));
    return sp;
}

/* The xmm register mirroring gpr's value with this width, or -1. */
static int mirror_of(const X86Gen *g, int gpr, bool dbl)
{
    for (int i = 0; i < X86_FP_NB_MIRRORS; i++) {
        if (g->mirror[i].gpr == gpr && g->mirror[i].dbl == dbl) {
            return X86_FP_MIRROR0 + i;
        }
    }
    return -1;
}

/* A mirror register for a result, not one of the op's inputs (busy). */
static int mirror_pick(X86Gen *g, unsigned busy)
{
    for (int tries = 0; tries < X86_FP_NB_MIRRORS; tries++) {
        int i = g->next_mirror;
        g->next_mirror = (g->next_mirror + 1) % X86_FP_NB_MIRRORS;
        if (!(busy & (1u << (X86_FP_MIRROR0 + i)))) {
            g->mirror[i].gpr = -1;
            return X86_FP_MIRROR0 + i;
        }
    }
    g_assert_not_reached(); /* at most three inputs are busy */
}

static void movaps(X86Asm *a, int dst, int src)
{
    if (dst != src) {
        x86_op_modrm(a, OPC_MOVAPS, dst, src);
    }
}

/*
 * Result registers: each fpop computes into an xmm register (a mirror,
 * picked round robin) and copies the result to its allocated general
 * register.  While that general register is not written, the mirror still
 * holds its value, and a later fpop reading it takes the mirror instead of
 * moving the value from the general register again (3+ cycles of latency
 * each way on current x86 cores).  Inputs without a mirror go through
 * xmm0/xmm1 (xmm1 and xmm0 for the second and third).
 */
void x86_fp_emit(X86Gen *g, const TcgOp *op, const RaOpArgs *args)
{
    X86Asm *a = &g->a;
    TcgFpopKind kind = (TcgFpopKind)op->args[1 + op->nb_iargs];
    const TcgHelperInfo *h = (const TcgHelperInfo *)op->args[2 + op->nb_iargs];
    bool single = tcg_fpop_is_single(kind);
    bool dbl = !single;
    int base = single ? (int)(kind - FPOP_ADD_S) : (int)kind;
    int n = op->nb_iargs;
    int out = (int)args->a[0];
    int s = args->scratch[0];
    int in[3], xin[3];
    unsigned busy = 0;

    for (int i = 0; i < n; i++) {
        in[i] = (int)args->a[1 + i];
        xin[i] = mirror_of(g, in[i], dbl);
        if (xin[i] >= 0) {
            busy |= 1u << xin[i];
        }
    }
    if (base >= FPOP_FMADD_D && !(a->features & X86_FEAT_FMA)) {
        emit_slow_call(a, h, out, in, n); /* no FMA3: the helper does it */
        x86_fp_forget(g);
        return;
    }

    X86FpSlow *sp = fp_slow_new(g);
    sp->h = h;
    sp->out = (int8_t)out;
    sp->n = (int8_t)n;
    for (int i = 0; i < n; i++) {
        sp->in[i] = (int8_t)in[i];
    }
    if (single) {
        /* unboxed input (upper half not all ones) -> helper */
        x86_movi(a, TCG_I64, s, (int64_t)BOX);
        for (int i = 0; i < n; i++) {
            x86_alu_rr(a, X86_ALU_CMP, TCG_I64, in[i], s);
            sp->jcc_pos[sp->nb_jcc++] = (uint32_t)x86_jcc32(a, X86_CC_B);
        }
    }
    int d = mirror_pick(g, busy);
    /* the first input into d; the others where they are, or xmm1, xmm0 */
    if (xin[0] >= 0) {
        movaps(a, d, xin[0]);
    } else {
        movq_to_xmm(a, dbl, d, in[0]);
    }
    for (int i = 1; i < n; i++) {
        if (xin[i] < 0) {
            xin[i] = i == 1 ? 1 : 0;
            movq_to_xmm(a, dbl, xin[i], in[i]);
        }
    }
    int pfx = single ? X86_P_F3 : X86_P_F2;
    switch (base) {
    case FPOP_ADD_D:
        x86_op_modrm(a, SSE_ADD | X86_P_0F | pfx, d, xin[1]);
        break;
    case FPOP_SUB_D:
        x86_op_modrm(a, SSE_SUB | X86_P_0F | pfx, d, xin[1]);
        break;
    case FPOP_MUL_D:
        x86_op_modrm(a, SSE_MUL | X86_P_0F | pfx, d, xin[1]);
        break;
    case FPOP_DIV_D:
        x86_op_modrm(a, SSE_DIV | X86_P_0F | pfx, d, xin[1]);
        break;
    case FPOP_SQRT_D:
        /* d, d: sqrtsd merges into its destination, so no other source */
        x86_op_modrm(a, SSE_SQRT | X86_P_0F | pfx, d, d);
        break;
    default:
        /* 213 form: d = xin[1] * d + xin[2] */
        x86_op_vex_modrm(a, 2, 1, dbl, fma_opc(base), d, xin[1], xin[2]);
        break;
    }
    movq_from_xmm(a, dbl, out, d);

    /* normal iff 1 <= exponent <= max - 1, i.e. exponent - 1 <= max - 2
     * (unsigned); doubling (lea s, [out + out]) drops the sign */
    x86_lea(a, single ? TCG_I32 : TCG_I64, s, out, out, 0, 0);
    x86_shift_ri(a, X86_SHIFT_SHR, single ? TCG_I32 : TCG_I64, s, single ? 24 : 53);
    x86_alu_ri(a, X86_ALU_SUB, TCG_I32, s, 1);
    x86_alu_ri(a, X86_ALU_CMP, TCG_I32, s, single ? 0xfd : 0x7fd);
    sp->jcc_pos[sp->nb_jcc++] = (uint32_t)x86_jcc32(a, X86_CC_A);
    if (single) {
        x86_movi(a, TCG_I64, s, (int64_t)BOX);
        x86_alu_rr(a, X86_ALU_OR, TCG_I64, out, s);
    }
    sp->resume_pos = (uint32_t)a->pos;
    /* out and s were written; d now mirrors out */
    x86_fp_regs_written(g, (1u << out) | (1u << s));
    g->mirror[d - X86_FP_MIRROR0] = (X86FpMirror){ .gpr = (int8_t)out, .dbl = dbl };
    g->mirrored |= 1u << out;
    memcpy(sp->mirror, g->mirror, sizeof(sp->mirror));
}

/*
 * The slow paths, after the TB's code: out = helper(inputs), then every
 * mirror the fast path leaves valid is reloaded from its general register
 * (the call clobbered them; the general registers survive it), and back.
 */
void x86_fp_finish(X86Gen *g)
{
    X86Asm *a = &g->a;
    for (int i = 0; i < g->nb_fp_slow; i++) {
        const X86FpSlow *sp = &g->fp_slow[i];
        for (int k = 0; k < sp->nb_jcc; k++) {
            patch_here(a, sp->jcc_pos[k]);
        }
        int in[3] = { sp->in[0], sp->in[1], sp->in[2] };
        emit_slow_call(a, sp->h, sp->out, in, sp->n);
        for (int m = 0; m < X86_FP_NB_MIRRORS; m++) {
            if (sp->mirror[m].gpr >= 0) {
                movq_to_xmm(a, sp->mirror[m].dbl, X86_FP_MIRROR0 + m, sp->mirror[m].gpr);
            }
        }
        x86_jmp_to(a, a->rx + sp->resume_pos);
    }
}
