/*
 * Rove IR ("TCG"): the intermediate representation every guest front end
 * emits and every host back end consumes.
 *
 * Shape:
 *  - A TcgContext holds the ops of one translation block (TB) being built,
 *    its temporaries and labels.  Globals (guest registers backed by fields
 *    of the cpu state) are created once per context and survive between TBs;
 *    everything else is reset by tcg_func_start().
 *  - Ops live in a flat array in program order.  Each op has an opcode, a
 *    type (TCG_I32 or TCG_I64, meaningful for typed data ops), and args laid
 *    out as: outputs, then inputs (temp indices), then constant args.
 *  - Every opcode is one line of rove/tcg-opc.h, which makes both enum
 *    TcgOpcode and tcg_op_defs[] (tcg/ops.c): name, argument counts, kinds
 *    of the constant args, flags and temp types.  The builder, optimiser,
 *    dumper, verifier, the interpreter and the x86-64 back end read it.
 *
 * Semantics at the edges are written down in docs/ir.md.  In short:
 *  - shifts/rotates: count is taken modulo the type width by the back ends
 *    (front ends must not rely on anything else);
 *  - div/divu/rem/remu: result unspecified for a zero divisor and for
 *    INT_MIN / -1 (signed); the front end guards those cases;
 *  - clz/ctz: second input is the result when the first input is zero;
 *  - a TEMP_NORMAL temp lives in one extended basic block: it survives the
 *    fall-through of a brcond but not a set_label (nor br or an exit); use
 *    a TEMP_LOCAL temp for values that must.  tcg/verify.c checks this.
 */
#ifndef ROVE_TCG_H
#define ROVE_TCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TcgType {
    TCG_I32 = 0,
    TCG_I64 = 1,
} TcgType;

typedef enum TcgTempKind {
    TEMP_NORMAL, /* lives in one extended basic block: dead at set_label */
    TEMP_LOCAL,  /* survives labels/branches within one TB */
    TEMP_GLOBAL, /* backed by cpu-state field at mem_offset from env */
    TEMP_FIXED,  /* lives in a fixed host register: only the env pointer */
    TEMP_CONST,  /* compile-time constant 'val' */
} TcgTempKind;

typedef struct TcgTemp {
    TcgType type;
    TcgTempKind kind;
    int64_t val;        /* TEMP_CONST: the value (I32 constants sign-extended) */
    int32_t mem_offset; /* TEMP_GLOBAL: byte offset of the field from env */
    const char *name;   /* globals and fixed temps; NULL otherwise */
} TcgTemp;

typedef enum TcgCond {
    TCG_COND_NEVER,
    TCG_COND_ALWAYS,
    TCG_COND_EQ,
    TCG_COND_NE,
    TCG_COND_LT, /* signed */
    TCG_COND_GE,
    TCG_COND_LE,
    TCG_COND_GT,
    TCG_COND_LTU, /* unsigned */
    TCG_COND_GEU,
    TCG_COND_LEU,
    TCG_COND_GTU,
} TcgCond;

/* Memory operation descriptor for guest and cpu-state loads/stores. */
typedef enum MemOp {
    MO_8 = 0,
    MO_16 = 1,
    MO_32 = 2,
    MO_64 = 3,
    MO_SIZE = 3,      /* mask: log2 of the access size */
    MO_SIGN = 4,      /* sign-extend the loaded value */
    MO_BSWAP = 8,     /* access is in the opposite of host byte order */
    MO_ALIGN = 16,    /* misaligned access must fault (guest alignment trap) */
    MO_UB = MO_8,
    MO_UW = MO_16,
    MO_UL = MO_32,
    MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN,
    MO_SW = MO_16 | MO_SIGN,
    MO_SL = MO_32 | MO_SIGN,
} MemOp;

/* qemu_ld/qemu_st carry one constant "oi" = memop | mmu_idx << 8. */
static inline uint32_t tcg_make_oi(MemOp mop, unsigned mmu_idx)
{
    return (uint32_t)mop | (mmu_idx << 8);
}
static inline MemOp tcg_oi_memop(uint32_t oi) { return (MemOp)(oi & 0xff); }
static inline unsigned tcg_oi_mmu_idx(uint32_t oi) { return oi >> 8; }

/* Memory barrier kinds (constant arg of mb). */
enum {
    TCG_MO_LD_LD = 1,
    TCG_MO_ST_LD = 2,
    TCG_MO_LD_ST = 4,
    TCG_MO_ST_ST = 8,
    TCG_MO_ALL = 15,
};

/* Op flags (TcgOpDef.flags). */
enum {
    TCG_OPF_BB_END = 1 << 0,       /* ends a basic block */
    TCG_OPF_BB_EXIT = 1 << 1,      /* leaves the TB: globals must be in memory */
    TCG_OPF_SIDE_EFFECTS = 1 << 2, /* never removed; globals synced before it */
    TCG_OPF_VAR_ARGS = 1 << 3,     /* arg counts set per op (call; fpop inputs) */
    TCG_OPF_COND_BRANCH = 1 << 4,
    TCG_OPF_TYPED = 1 << 5,        /* op->type selects 32 or 64-bit behaviour */
    TCG_OPF_NOT_PRESENT = 1 << 6,  /* marker, emits no code (nop, insn_start) */
    TCG_OPF_KEEP = 1 << 7,         /* never removed, but no global sync (fpop) */
    TCG_OPF_PURE = 1 << 8,         /* result depends on the inputs only: no
                                      memory access, no side effect, foldable */
    TCG_OPF_COMMUTATIVE = 1 << 9,  /* the two inputs may be swapped */
    TCG_OPF_I64_ONLY = 1 << 10,    /* typed, but op->type must be TCG_I64 */
};

/* What a constant argument is (TcgOpDef.carg). */
typedef enum TcgCargKind {
    TCG_CARG_PC,      /* insn_start: guest pc */
    TCG_CARG_LABEL,   /* from tcg_new_label() */
    TCG_CARG_COND,    /* TcgCond */
    TCG_CARG_SLOT,    /* goto_tb slot, 0 .. TCG_MAX_GOTO_TB - 1 */
    TCG_CARG_EXIT,    /* exit_tb value: 0, tb | slot or tb | 7 */
    TCG_CARG_HELPER,  /* const TcgHelperInfo * */
    TCG_CARG_BARRIER, /* TCG_MO_* */
    TCG_CARG_OFFSET,  /* signed 32-bit byte offset */
    TCG_CARG_MEMOP,   /* MemOp */
    TCG_CARG_OI,      /* tcg_make_oi(memop, mmu_idx) */
    TCG_CARG_FPOP,    /* TcgFpopKind */
} TcgCargKind;

#define TCG_MAX_CARGS 2

/* Opcodes, from the list in rove/tcg-opc.h (as is tcg_op_defs[]). */
typedef enum TcgOpcode {
#define DEF(name, oargs, iargs, cargs, flags, types) INDEX_op_##name,
#include "rove/tcg-opc.h"
#undef DEF
    INDEX_op_last
} TcgOpcode;

/*
 * fpop kinds.  The op may only be emitted when the guest rounding mode is
 * round-to-nearest-even and the inexact flag is already accrued, so a back
 * end may replace the helper by the bare host SSE operation whenever that
 * yields a normal finite number (then it is the same value and no new
 * flag).  _S kinds take NaN-boxed singles (upper 32 bits all ones; anything
 * else goes to the helper) and return a boxed single.
 */
typedef enum TcgFpopKind {
    FPOP_ADD_D,
    FPOP_SUB_D,
    FPOP_MUL_D,
    FPOP_DIV_D,
    FPOP_SQRT_D,   /* one input */
    FPOP_FMADD_D,  /* a * b + c */
    FPOP_FMSUB_D,  /* a * b - c */
    FPOP_FNMSUB_D, /* -(a * b) + c */
    FPOP_FNMADD_D, /* -(a * b) - c */
    FPOP_ADD_S,
    FPOP_SUB_S,
    FPOP_MUL_S,
    FPOP_DIV_S,
    FPOP_SQRT_S,
    FPOP_FMADD_S,
    FPOP_FMSUB_S,
    FPOP_FNMSUB_S,
    FPOP_FNMADD_S,
    FPOP_NB_KINDS,
} TcgFpopKind;

static inline bool tcg_fpop_is_single(TcgFpopKind k) { return k >= FPOP_ADD_S; }
static inline int tcg_fpop_nb_inputs(TcgFpopKind k)
{
    int base = tcg_fpop_is_single(k) ? (int)(k - FPOP_ADD_S) : (int)k;
    return base == FPOP_SQRT_D ? 1 : base >= FPOP_FMADD_D ? 3 : 2;
}

typedef struct TcgOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint8_t carg[TCG_MAX_CARGS]; /* TcgCargKind of each constant arg */
    uint16_t flags;
    const char *types; /* per temp arg, outputs then inputs: T op type, l I32, q I64 */
} TcgOpDef;

extern const TcgOpDef tcg_op_defs[INDEX_op_last];

#define TCG_MAX_OP_ARGS 10
#define TCG_MAX_CALL_IARGS 6

typedef uintptr_t TcgArg;

typedef struct TcgOp {
    uint16_t opc;   /* TcgOpcode */
    uint8_t type;   /* TcgType, for TCG_OPF_TYPED ops */
    uint8_t nb_oargs, nb_iargs, nb_cargs; /* copied from the def; call varies */
    uint32_t life;  /* liveness, owned by the pass that computes it */
    TcgArg args[TCG_MAX_OP_ARGS]; /* temps are TcgContext.temps indices */
} TcgOp;

/* Helper call flags. */
enum {
    TCG_CALL_NO_READ_GLOBALS = 1 << 0,  /* helper never reads guest globals */
    TCG_CALL_NO_WRITE_GLOBALS = 1 << 1, /* helper never writes guest globals */
    TCG_CALL_NO_SIDE_EFFECTS = 1 << 2,  /* pure: removable if result unused */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    /* no globals touched, cannot raise, no side effects: a pure function */
    TCG_CALL_PURE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS,
};

/*
 * A helper is a C function taking 0..6 integer arguments (each <= 64 bits,
 * pointers included: pass the env as a pointer) and returning void or one
 * integer <= 64 bits.  Never float/double parameters: floats travel as bit
 * patterns.  A helper that may raise a guest exception must not be
 * NO_READ_GLOBALS (the state it unwinds to must be in memory).
 */
typedef struct TcgHelperInfo {
    void *func;
    const char *name;
    uint8_t flags;   /* TCG_CALL_* */
    uint8_t nb_args; /* 0..TCG_MAX_CALL_IARGS */
    bool has_ret;
    bool ret_i64;    /* return type is 64-bit (otherwise 32-bit) */
} TcgHelperInfo;

#define TCG_MAX_TEMPS 4096
#define TCG_MAX_INSNS 512  /* guest instructions per TB (upper bound) */
#define TCG_MAX_LABELS 1024
#define TCG_MAX_OPS 8192
#define TCG_MAX_LOOP_GLOBALS 8
/* goto_tb slots per TB: a superblock's side exits plus its final two */
#define TCG_MAX_GOTO_TB 6

/*
 * Write-back of a global that generated code keeps only in a host register
 * (or as a known constant) where the guest state may be looked at: the
 * back end stores it on the way out of the TB, and records it for a host
 * fault at a guest memory access (TbFaultSite).
 */
typedef struct TcgWriteback {
    int32_t off;      /* its field in the cpu state (from env) */
    int8_t reg;       /* host register holding it, or -1: val */
    uint8_t size;     /* bytes: 4 or 8 */
    int64_t val;
} TcgWriteback;

#define TCG_MAX_WRITEBACK 24

/*
 * The memory-access interface between accel/tcg and the back ends: how
 * generated code turns a guest address into a host access.  Each back end
 * implements every kind; accel/tcg chooses one per vCPU.
 *
 * TCG_MEM_DIRECT (user mode): host address = base + guest address.  A
 *   guest address at or above 2^addr_bits (addr_bits 0 or 64: no check),
 *   and a misaligned MO_ALIGN access, call fault(env, addr, kind, host_pc),
 *   which does not return (kind: 1 = store, | 2 = misaligned).  A host
 *   fault on the access itself is the guest's (accel/tcg/user-exec.c).
 *
 * TCG_MEM_SOFTMMU (system mode): the vCPU's soft TLB (rove/softmmu.h) is
 *   probed inline: the entry for the address's page in the op's mmu_idx,
 *   reached through the pointer at env + tlb_off, is compared with the
 *   page (and alignment bits); a hit accesses host address + addend.  A
 *   miss calls ld(env, addr, oi, host_pc) / st(env, addr, val, oi,
 *   host_pc), which walk the page tables, do MMIO and raise faults (they
 *   return only on success).  Globals are written back before the call, so
 *   the slow path sees the guest state of the insn; the call preserves
 *   every host register but the load's result.
 *
 * Atomics reach guest memory through cpu_atomic_lookup (rove/exec.h), the
 * same interface's helper side.
 */
typedef enum TcgMemKind {
    TCG_MEM_DIRECT,
    TCG_MEM_SOFTMMU,
} TcgMemKind;

typedef struct TcgMemModel {
    TcgMemKind kind;
    /* TCG_MEM_DIRECT */
    uintptr_t base;
    unsigned addr_bits;
    void (*fault)(void *env, uint64_t addr, uint32_t kind, uintptr_t host_pc);
    /* TCG_MEM_SOFTMMU */
    int32_t tlb_off;          /* env offset of the SoftTlb pointer */
    uint64_t (*ld)(void *env, uint64_t addr, uint32_t oi, uintptr_t host_pc);
    void (*st)(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t host_pc);
} TcgMemModel;

typedef struct TcgContext {
    TcgTemp temps[TCG_MAX_TEMPS];
    int nb_globals; /* temps [0, nb_globals) are globals and the env temp */
    int nb_temps;
    /* tcg_constant's memory of recent constants: a temp index per hash slot
     * (checked before use, so stale slots from earlier TBs are harmless). */
    int const_slot[64];

    TcgOp *ops;     /* ops of the TB being built */
    int nb_ops;
    int nb_labels;

    TcgTemp *env;   /* the cpu state pointer (TEMP_FIXED) */
    void *frontend_data; /* the front end's per-context data (its globals) */

    /*
     * Hooks the execution layer installs (accel/tcg); the builder and back
     * ends use them, front ends never touch them.
     */
    const TcgHelperInfo *lookup_tb_helper; /* (env) -> host code address */
    /* How generated code can probe the execution layer's jump cache itself
     * (tcg_gen_lookup_and_goto_ptr_key); !enabled: always call the helper.
     * Entry = *(void **)(env + env_cache_off) + 8 * hash, with hash =
     * ((pc >> shift1) ^ (pc >> shift2)) & mask; an entry is a TB (or NULL)
     * with the fields at the tb_*_off offsets. */
    struct {
        bool enabled;
        int32_t env_cache_off;
        unsigned shift1, shift2;
        uint64_t mask;
        int32_t tb_pc_off, tb_flags_off, tb_invalid_off, tb_code_off;
    } lookup_inline;

    /* How qemu_ld/st reach guest memory (set by accel/tcg per vCPU). */
    TcgMemModel mem;

    /* Set by tcg_loopify (tcg/loop.c): the label at the TB's start that a
     * self-loop's back edge branches to (-1: none), and the globals to keep
     * in host registers across it. */
    int loop_label;
    int nb_loop_globals;
    int16_t loop_globals[TCG_MAX_LOOP_GLOBALS];
    uint8_t loop_written;   /* bit k: the body writes loop_globals[k] */
    /* Labels whose code only leaves the TB (set by tcg_liveness): a
     * conditional branch there writes dirty globals back on its way out
     * instead of storing them before the branch. */
    uint64_t exit_labels[TCG_MAX_LABELS / 64];
    /* The guest pcs of the TB's insn_start ops in order (the first
     * TCG_MAX_INSNS of them), as tcg_gen_insn_start emits them. */
    int nb_insn_pcs;
    int nb_local_temps;     /* TEMP_LOCALs among the TB's temps */
    uint64_t insn_pcs[TCG_MAX_INSNS];

    /* Per-temp tables of the optimiser, of liveness and of the register
     * allocator (their own types, each one block), allocated at the
     * context's first translation and kept: a vCPU that never translates
     * (a guest thread running code others translated) costs no memory for
     * them.  Freed by tcg_context_destroy. */
    void *opt_tables;
    void *la_tables;
    void *ra_tables;
    /* The same for the back end, with its own destructor. */
    void *backend_tables;
    void (*backend_tables_free)(void *);
} TcgContext;

/* ---- context and temporaries (tcg/tcg.c) ---- */
void tcg_context_init(TcgContext *ctx);
void tcg_context_destroy(TcgContext *ctx);
void tcg_func_start(TcgContext *ctx); /* reset per-TB state */
bool tcg_op_buf_full(const TcgContext *ctx); /* stop translating at an insn boundary */

TcgTemp *tcg_global_mem_new(TcgContext *ctx, TcgType type, int32_t offset,
                            const char *name);
TcgTemp *tcg_temp_new(TcgContext *ctx, TcgType type);
TcgTemp *tcg_temp_new_local(TcgContext *ctx, TcgType type);
TcgTemp *tcg_constant(TcgContext *ctx, TcgType type, int64_t val);
static inline TcgTemp *tcg_temp_new_i32(TcgContext *c) { return tcg_temp_new(c, TCG_I32); }
static inline TcgTemp *tcg_temp_new_i64(TcgContext *c) { return tcg_temp_new(c, TCG_I64); }
static inline TcgTemp *tcg_constant_i32(TcgContext *c, int32_t v) { return tcg_constant(c, TCG_I32, v); }
static inline TcgTemp *tcg_constant_i64(TcgContext *c, int64_t v) { return tcg_constant(c, TCG_I64, v); }

static inline int tcg_temp_idx(const TcgContext *ctx, const TcgTemp *t)
{
    return (int)(t - ctx->temps);
}
static inline TcgTemp *tcg_arg_temp(TcgContext *ctx, TcgArg a)
{
    return &ctx->temps[a];
}

int tcg_new_label(TcgContext *ctx);

/* Append a raw op; returns it (args filled by caller).  Used by the builder. */
TcgOp *tcg_emit_op(TcgContext *ctx, TcgOpcode opc, TcgType type);

/* ---- builder (tcg/tcg-op.c): the only API front ends use ---- */
/* Names follow the ops; type comes from the operands (all must agree). */
void tcg_gen_mov(TcgContext *c, TcgTemp *d, TcgTemp *s);
void tcg_gen_movi(TcgContext *c, TcgTemp *d, int64_t v);
void tcg_gen_add(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_sub(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_mul(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_mulsh(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_muluh(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_div(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_divu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_rem(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_remu(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_and(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_or(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_xor(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_andc(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_orc(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_eqv(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_shl(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_shr(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_sar(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_rotl(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_rotr(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_clz(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *if_zero);
void tcg_gen_ctz(TcgContext *c, TcgTemp *d, TcgTemp *a, TcgTemp *if_zero);
/* immediate forms: b is a constant of d's type */
void tcg_gen_addi(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_subi(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_muli(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_andi(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_ori(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_xori(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_shli(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_shri(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_sari(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_rotli(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_rotri(TcgContext *c, TcgTemp *d, TcgTemp *a, int64_t b);

void tcg_gen_neg(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_not(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_ctpop(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_bswap(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_ext8s(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_ext8u(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_ext16s(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_ext16u(TcgContext *c, TcgTemp *d, TcgTemp *a);
void tcg_gen_ext32s(TcgContext *c, TcgTemp *d, TcgTemp *a); /* I64 */
void tcg_gen_ext32u(TcgContext *c, TcgTemp *d, TcgTemp *a); /* I64 */
void tcg_gen_extrl_i64_i32(TcgContext *c, TcgTemp *d32, TcgTemp *a64);
void tcg_gen_extu_i32_i64(TcgContext *c, TcgTemp *d64, TcgTemp *a32);
void tcg_gen_exts_i32_i64(TcgContext *c, TcgTemp *d64, TcgTemp *a32);

void tcg_gen_setcond(TcgContext *c, TcgCond cond, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void tcg_gen_setcondi(TcgContext *c, TcgCond cond, TcgTemp *d, TcgTemp *a, int64_t b);
void tcg_gen_movcond(TcgContext *c, TcgCond cond, TcgTemp *d, TcgTemp *c1,
                     TcgTemp *c2, TcgTemp *v1, TcgTemp *v2);

void tcg_gen_set_label(TcgContext *c, int label);
void tcg_gen_br(TcgContext *c, int label);
void tcg_gen_brcond(TcgContext *c, TcgCond cond, TcgTemp *a, TcgTemp *b, int label);
void tcg_gen_brcondi(TcgContext *c, TcgCond cond, TcgTemp *a, int64_t b, int label);

/* cpu-state access relative to a base temp (normally c->env) */
void tcg_gen_ld(TcgContext *c, TcgTemp *d, TcgTemp *base, int32_t offset, MemOp mop);
void tcg_gen_st(TcgContext *c, TcgTemp *v, TcgTemp *base, int32_t offset, MemOp mop);

/* guest memory */
void tcg_gen_qemu_ld(TcgContext *c, TcgTemp *d, TcgTemp *addr, MemOp mop, unsigned mmu_idx);
void tcg_gen_qemu_st(TcgContext *c, TcgTemp *v, TcgTemp *addr, MemOp mop, unsigned mmu_idx);

/* helper calls: ret may be NULL when the helper returns nothing */
void tcg_gen_call(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret,
                  int nargs, TcgTemp *const *args);
void tcg_gen_call0(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret);
void tcg_gen_call1(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1);
void tcg_gen_call2(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1,
                   TcgTemp *a2);
void tcg_gen_call3(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1,
                   TcgTemp *a2, TcgTemp *a3);
void tcg_gen_call4(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1,
                   TcgTemp *a2, TcgTemp *a3, TcgTemp *a4);
void tcg_gen_call5(TcgContext *c, const TcgHelperInfo *h, TcgTemp *ret, TcgTemp *a1,
                   TcgTemp *a2, TcgTemp *a3, TcgTemp *a4, TcgTemp *a5);

/* out = h(env, a[, b[, c]]): see INDEX_op_fpop.  h must take env plus
 * tcg_fpop_nb_inputs(kind) I64 bit patterns, return I64, be NO_RWG and
 * never raise.  b/c are NULL when the kind takes fewer inputs. */
void tcg_gen_fpop(TcgContext *c, TcgFpopKind kind, const TcgHelperInfo *h, TcgTemp *out,
                  TcgTemp *a, TcgTemp *b, TcgTemp *cc);

void tcg_gen_mb(TcgContext *c, unsigned kind);
void tcg_gen_insn_start(TcgContext *c, uint64_t guest_pc);

/* Block exits. */
void tcg_gen_goto_tb(TcgContext *c, unsigned slot);
void tcg_gen_exit_tb(TcgContext *c, uintptr_t value);
/* Jump to the TB for the guest pc the front end stored in the cpu state
 * (falls back to the cpu loop when none is translated yet). */
void tcg_gen_lookup_and_goto_ptr(TcgContext *c);
/* The same when the front end knows the next TB's key: guest pc (in the
 * temp, also already stored where the helper reads it) and flags.  The
 * jump cache is probed inline; the helper is only the miss path. */
void tcg_gen_lookup_and_goto_ptr_key(TcgContext *c, TcgTemp *pc, uint32_t flags);

/* ---- passes (tcg/optimize.c, tcg/loop.c, tcg/liveness.c) ---- */
void tcg_optimize(TcgContext *ctx);
/* Turn a TB whose chained exit returns to its own start (tb_pc) into an
 * internal loop (tcg/loop.c); true if it did.  After tcg_optimize. */
bool tcg_loopify(TcgContext *ctx, uint64_t tb_pc);
/* Backward liveness: fills op->life (see tcg/liveness.c) and removes dead ops. */
void tcg_liveness(TcgContext *ctx);
/* After tcg_liveness: is the label's code a TB exit (ctx->exit_labels)? */
static inline bool tcg_label_is_exit(const TcgContext *ctx, int label)
{
    return ctx->exit_labels[label / 64] >> (label % 64) & 1;
}
#define TCG_LIFE_DEAD_ARG(n) (1u << (n))           /* input/output arg n dies here */
#define TCG_LIFE_SYNC_ARG(n) (1u << ((n) + 16))    /* output global n must be stored */
static inline bool tcg_life_dead(const TcgOp *op, int n) { return op->life & TCG_LIFE_DEAD_ARG(n); }
static inline bool tcg_life_sync(const TcgOp *op, int n) { return op->life & TCG_LIFE_SYNC_ARG(n); }

/* ---- IR verifier (tcg/verify.c) ---- */
/* Builds with ROVE_VERIFY_IR set (meson -Dverify_ir; on in debug builds)
 * verify every TB after the front end and after the optimiser. */
#ifndef ROVE_VERIFY_IR
#define ROVE_VERIFY_IR 0
#endif
typedef enum TcgVerifyErrorKind {
    TCG_VERIFY_OK,
    TCG_VERIFY_OPCODE,       /* not an opcode */
    TCG_VERIFY_ARG_COUNT,    /* counts differ from the table / helper / fpop kind */
    TCG_VERIFY_OP_TYPE,      /* op->type of a typed op */
    TCG_VERIFY_TEMP,         /* no such temp, or a kind not allowed there */
    TCG_VERIFY_TEMP_TYPE,    /* temp type differs from the table's letter */
    TCG_VERIFY_WRITE_CONST,  /* output is a constant or env */
    TCG_VERIFY_CARG,         /* constant arg invalid for its kind */
    TCG_VERIFY_LABEL,        /* label missing, set twice, or a target never set */
    TCG_VERIFY_GOTO_TB,      /* goto_tb / exit_tb pairing or exit value */
    TCG_VERIFY_FALLS_OFF,    /* control reaches the end of the TB */
    TCG_VERIFY_DEAD_READ,    /* TEMP_NORMAL read outside its extended basic block */
    TCG_VERIFY_LOCAL_UNSET,  /* TEMP_LOCAL read but never written */
} TcgVerifyErrorKind;
typedef struct TcgVerifyError {
    TcgVerifyErrorKind kind;
    int op;        /* offending op, or -1 for the TB as a whole */
    char msg[160];
} TcgVerifyError;
/* Does the TB in ctx keep docs/ir.md?  If not, false and *err says why. */
bool tcg_verify_check(const TcgContext *ctx, TcgVerifyError *err);
const char *tcg_verify_error_name(TcgVerifyErrorKind kind);
/* tcg_verify_check, and on a violation print the error and the TB's IR
 * (stage names the pass that made it) to stderr and abort. */
void tcg_verify(const TcgContext *ctx, const char *stage);

/* ---- dumper (tcg/dump.c) ---- */
#include <stdio.h>
void tcg_dump_ops(const TcgContext *ctx, FILE *f);
void tcg_dump_op(const TcgContext *ctx, const TcgOp *op, FILE *f); /* one line */
const char *tcg_cond_name(TcgCond cond);

/* Condition helpers. */
TcgCond tcg_cond_invert(TcgCond cond);
TcgCond tcg_cond_swap(TcgCond cond);
bool tcg_cond_eval(TcgCond cond, TcgType type, uint64_t a, uint64_t b);

#endif
