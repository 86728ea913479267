/*
 * Internal interface of the x86-64 back end: the per-TB code generation
 * state shared by the op lowering (x86-ops.c) and the TB/prologue glue
 * (x86-backend.c).  Tests use it to drive single ops with chosen registers.
 */
#ifndef TCG_X86_64_X86_GEN_H
#define TCG_X86_64_X86_GEN_H

#include "rove/tcg-backend.h"
#include "rove/tcg.h"
#include "tcg/regalloc.h"
#include "tcg/x86_64/x86-asm.h"

/* Register roles. */
#define X86_ENV_REG X86_RBP        /* the cpu state pointer, always */
#define X86_GUEST_BASE_REG X86_R15 /* guest_base, when it needs a register */

/* Spill area at [rsp, rsp + X86_FRAME_SIZE) inside generated code. */
#define X86_FRAME_SIZE 4096

/* Constant classes for RaArgConstraint.cflags. */
enum {
    X86_CT_S32 = 1 << 0,     /* 'e': sign-extended imm32 */
    X86_CT_U32 = 1 << 1,     /* 'Z': zero-extended imm32 (32-bit op form) */
    X86_CT_NOT_S32 = 1 << 2, /* 'I': ~value fits a sign-extended imm32 */
};

typedef struct X86LabelRef {
    uint32_t pos;   /* rel32 field */
    uint32_t label;
} X86LabelRef;

typedef struct X86SlowPath {
    uint32_t jcc_pos[2];   /* rel32 fields of the bounds / alignment checks */
    uint32_t access_pos;   /* the guest access instruction (its host pc) */
    int8_t addr_reg;
    bool is_store;
    uint32_t wb_first, wb_n; /* writebacks in X86Gen.wb_pool before the call */
} X86SlowPath;

/* The slow path of a soft-MMU access (x86-softmmu.c). */
typedef struct X86SoftSlow {
    uint32_t jcc_pos;      /* rel32 of the jne on a TLB miss */
    uint32_t access_pos;   /* the inline access (its host pc: retaddr) */
    uint32_t resume_pos;   /* after it */
    uint32_t oi;
    int8_t addr_reg;
    int8_t val_reg;        /* load: destination; store: value */
    bool is_store;
    TcgType type;          /* of a load's destination */
    uint32_t wb_first, wb_n;
    uint32_t saved;        /* caller-saved registers the slow path preserves */
} X86SoftSlow;

/* A branch to an exit label with globals to write back on the way
 * (RaOpArgs.wb): "jcc stub" ... "stub: stores; jmp label". */
typedef struct X86ExitStub {
    uint32_t jcc_pos;        /* rel32 field of the jcc; UINT32_MAX once emitted */
    int label;
    uint32_t wb_first, wb_n;
} X86ExitStub;

/* fpop results stay in XMM registers as mirrors of the general registers
 * the allocator put them in: xmm[X86_FP_MIRROR0 ..] (x86-fp.c). */
#define X86_FP_MIRROR0 2
#define X86_FP_NB_MIRRORS 8

typedef struct X86FpMirror {
    int8_t gpr;   /* general register whose value the xmm register holds, or -1 */
    bool dbl;     /* as a double (else a single in the low 32 bits) */
} X86FpMirror;

/* The out-of-line helper call of one fpop (x86-fp.c). */
typedef struct X86FpSlow {
    uint32_t jcc_pos[4];   /* rel32 fields of the branches to it */
    uint32_t resume_pos;   /* where the fast path continues */
    const TcgHelperInfo *h;
    int8_t nb_jcc, out, n, in[3];
    /* the mirrors after the op: the call clobbers them, so reload them */
    X86FpMirror mirror[X86_FP_NB_MIRRORS];
} X86FpSlow;

typedef struct X86Gen {
    X86Asm a;
    TcgContext *ctx;
    TbCodeInfo *info;
    size_t start;            /* TB start within a */
    int cur_insn;            /* index of the current guest insn, -1 before */
    int nb_refs;             /* entries used in the arrays at the end */
    int nb_slow;
    /* user-mode memory model */
    uintptr_t guest_base;
    unsigned addr_bits;      /* >= 64: no bounds check */
    int gb_reg;              /* X86_GUEST_BASE_REG, or -1: guest_base is a disp */
    void *fault_func;
    uintptr_t limit_rx;      /* table of 2^n for n = 0..63 (bounds checks) */
    /* soft-MMU memory model (system mode) */
    bool softmmu;
    int32_t tlb_off;
    void *soft_ld, *soft_st;
    int nb_soft;
    /* epilogue entries */
    uintptr_t epilogue_rx;   /* return with rax as set */
    uintptr_t ret0_rx;       /* return 0 */
    /* fpop: out-of-line slow paths, and the XMM mirrors of fpop results */
    int nb_fp_slow;
    X86FpMirror mirror[X86_FP_NB_MIRRORS];
    TcgRegSet mirrored;      /* a superset of the mirror[].gpr in use */
    int next_mirror;         /* round-robin victim */
    /* The last forward jcc to a label (or to an exit stub) and the last
     * backward jmp (x86-ops.c: "jcc L; jmp back; L:" becomes "j!cc back; L:") */
    size_t last_jcc_end, last_jmp_start, last_jmp_end;
    int last_jcc_ref, last_jcc_stub, last_jcc_cc;
    uintptr_t last_jmp_target;
    /* writebacks of slow paths and exit stubs */
    int nb_wb_pool;
    int nb_exit_stubs;

    /* From here on kept by x86_gen_reset: the arrays (grown as needed,
     * nb_* entries used), and label_pos (-1: not bound yet), of which a
     * reset clears only the TB's labels. */
    X86LabelRef *refs;
    int max_refs;
    X86SlowPath *slow;
    int max_slow;
    X86SoftSlow *soft;
    int max_soft;
    X86FpSlow *fp_slow;
    int max_fp_slow;
    TcgWriteback *wb_pool;
    int max_wb_pool;
    X86ExitStub *exit_stubs;
    int max_exit_stubs;
    int32_t label_pos[TCG_MAX_LABELS];
} X86Gen;

/* Set up g over [rw, rw + size) (executable at rx) for ctx (may be NULL in
 * encoding tests: then no memory model). */
void x86_gen_init(X86Gen *g, uint8_t *rw, uintptr_t rx, size_t size, TcgContext *ctx,
                  TbCodeInfo *info, unsigned features);
/* The same for a g set up before (and not freed since): keeps its arrays,
 * and unbinds only the labels of ctx (ctx must not be NULL). */
void x86_gen_reset(X86Gen *g, uint8_t *rw, uintptr_t rx, size_t size, TcgContext *ctx,
                   TbCodeInfo *info, unsigned features);
void x86_gen_free(X86Gen *g);
/* After the last op: slow paths, label fixups.  False if a label was never
 * bound or the buffer overflowed. */
bool x86_gen_finish(X86Gen *g);
/* Store writebacks wb[first, first + n) of the pool to the cpu state. */
void x86_emit_writebacks(X86Gen *g, uint32_t first, uint32_t n);
/* Copy n writebacks into the pool; returns the index of the first. */
uint32_t x86_wb_pool_add(X86Gen *g, const TcgWriteback *wb, int n);

/* x86-softmmu.c: soft-MMU qemu_ld/st (two scratch registers) and their
 * slow paths, emitted by x86_gen_finish. */
void x86_soft_qemu_ld(X86Gen *g, TcgType type, int d, int addr, uint32_t oi, int s0, int s1,
                      const RaOpArgs *args);
void x86_soft_qemu_st(X86Gen *g, int v, int addr, uint32_t oi, int s0, int s1,
                      const RaOpArgs *args);
void x86_soft_finish(X86Gen *g);

/* An allocated operand: register, immediate or [base + disp]. */
typedef enum X86OpndKind {
    X86_OPND_REG,
    X86_OPND_IMM,
    X86_OPND_MEM,
} X86OpndKind;

typedef struct X86Opnd {
    X86OpndKind kind;
    int reg;
    int64_t imm;
    int base;
    int32_t disp;
} X86Opnd;

X86Opnd x86_opnd(const RaOpArgs *args, int i);

/* Can a constant guest address be a plain displacement (no checks)? */
bool x86_guest_const_addr_ok(const X86Gen *g, uint64_t addr, MemOp mop);

/* RaHostOps callbacks (h is an X86Gen *). */
const RaOpConstraint *x86_op_constraint(void *h, const TcgContext *ctx, const TcgOp *op);
void x86_emit_op(void *h, const TcgOp *op, const RaOpArgs *args);
void x86_emit_call(void *h, const TcgHelperInfo *info);
bool x86_const_ok(void *h, TcgType type, int64_t val, unsigned cflags);

/* INDEX_op_fpop (x86-fp.c). */
const RaOpConstraint *x86_fp_constraint(X86Gen *g, const TcgOp *op);
void x86_fp_emit(X86Gen *g, const TcgOp *op, const RaOpArgs *args);
/* Emit the slow paths recorded by x86_fp_emit (from x86_gen_finish). */
void x86_fp_finish(X86Gen *g);
/* The registers in set are about to be overwritten: no xmm register
 * mirrors them any more. */
static inline void x86_fp_regs_written(X86Gen *g, TcgRegSet set)
{
    if (!(set & g->mirrored)) {
        return; /* every op gets here: usually no mirror at all */
    }
    g->mirrored = 0;
    for (int i = 0; i < X86_FP_NB_MIRRORS; i++) {
        if (g->mirror[i].gpr >= 0 && (set & (1u << g->mirror[i].gpr))) {
            g->mirror[i].gpr = -1;
        }
        if (g->mirror[i].gpr >= 0) {
            g->mirrored |= 1u << g->mirror[i].gpr;
        }
    }
}
/* Control may arrive from elsewhere, or a call clobbered the xmm registers. */
static inline void x86_fp_forget(X86Gen *g)
{
    for (int i = 0; i < X86_FP_NB_MIRRORS; i++) {
        g->mirror[i].gpr = -1;
    }
    g->mirrored = 0;
}

/* Fill desc for the current memory model (reserves r15 if needed). */
void x86_host_desc(RaHostDesc *desc, bool guest_base_reg);
bool x86_insn_start(void *h);
extern const RaHostOps x86_ra_ops;

#endif
