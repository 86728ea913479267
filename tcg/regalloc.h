/*
 * The register allocator shared by native back ends (tcg/regalloc.c).
 *
 * It is a one-pass, local allocator integrated with code emission, in the
 * style of QEMU's: ops are visited in order; for each op the allocator
 * brings the inputs into registers that satisfy the op's constraints
 * (or passes constants as immediates where the host accepts them), picks
 * output registers, asks the back end to emit the op with concrete
 * registers, and then updates where every temp lives.  Liveness
 * (tcg/liveness.c) tells it when a value dies and when a global must be
 * written back.
 *
 * The back end describes its registers (RaHostDesc), provides a constraint
 * set per op (RaOpConstraint, normally parsed once from strings such as
 * { "r", "0", "re" }), and a few emit callbacks (RaHostOps).
 */
#ifndef TCG_REGALLOC_H
#define TCG_REGALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "rove/tcg.h"

#define RA_MAX_REGS 32
#define RA_MAX_SCRATCH 3

typedef uint32_t TcgRegSet;

static inline bool ra_set_has(TcgRegSet s, int r)
{
    return (s >> r) & 1;
}

typedef struct RaArgConstraint {
    TcgRegSet regs;     /* registers the arg may live in */
    uint16_t cflags;    /* host-defined constant classes accepted; 0 = none */
    int8_t alias;       /* input: index of the output sharing its register */
    bool newreg;        /* output: must not share a register with any input */
    bool clobbered;     /* input: its register is destroyed by the op */
    bool mem_ok;        /* input: may stay in its memory slot (see 'm') */
} RaArgConstraint;

/*
 * Constraints for one op form.  Strings per arg, in op order (outputs then
 * inputs); generic letters:
 *   '0'..'9'  (input) same register as that output; the input is copied
 *             first if it is still live after the op
 *   '&'       (output) distinct from every input register
 *   '!'       (input) the op destroys this register (copied if live)
 *   'i'       any constant is accepted as an immediate
 *   'm'       (input) a value that dies here and sits clean in its memory
 *             slot may be passed as a memory operand instead of being
 *             loaded (at most one such operand per op)
 * anything else is passed to the host's letter parser.
 */
typedef struct RaOpConstraint {
    RaArgConstraint args[TCG_MAX_OP_ARGS];
    uint8_t nb_oargs, nb_iargs;
    uint8_t nb_scratch;     /* scratch registers the emitter needs */
    TcgRegSet scratch_regs; /* ...chosen from this set */
    TcgRegSet clobber;      /* other registers the op destroys */
    uint8_t in_order[TCG_MAX_OP_ARGS];  /* inputs, most constrained first */
    uint8_t out_order[TCG_MAX_OP_ARGS]; /* outputs, most constrained first */
} RaOpConstraint;

typedef bool (*RaLetterFn)(char c, RaArgConstraint *ct);

/* Parse one constraint; aborts on a malformed table (a back-end bug). */
void ra_constraint_parse(RaOpConstraint *ct, int nb_oargs, int nb_iargs,
                         const char *const *strs, RaLetterFn letter);

/* The concrete operands handed to the emitter.  a[] is set for the op's
 * args (and a[0], a[1] always), mem_base[i] where is_mem[i]. */
typedef struct RaOpArgs {
    TcgArg a[TCG_MAX_OP_ARGS];      /* regs, constant values or memory
                                       displacements; then the cargs */
    bool is_const[TCG_MAX_OP_ARGS];
    bool is_mem[TCG_MAX_OP_ARGS];   /* operand is [mem_base[i] + a[i]] */
    int8_t mem_base[TCG_MAX_OP_ARGS];
    int8_t scratch[RA_MAX_SCRATCH];
    /* Every register the op may write: outputs, scratch registers, inputs
     * it destroys and fixed clobbers (0 for labels and markers). */
    TcgRegSet written;
    /* qemu_ld/st, and brcond to an exit label (tcg_label_is_exit): the
     * globals whose memory is stale, to write back if the access faults or
     * on the way out along the branch. */
    const TcgWriteback *wb;
    int nb_wb;
    /* qemu_ld/st: the registers that hold values when the op runs (not its
     * scratch or outputs): what an out-of-line slow path must preserve. */
    TcgRegSet live;
} RaOpArgs;

typedef struct RaHostDesc {
    int nb_regs;
    TcgRegSet reserved;         /* never allocated (stack pointer, env, ...) */
    TcgRegSet call_clobbered;
    int8_t alloc_order[RA_MAX_REGS];
    int nb_alloc_order;
    int8_t call_arg_regs[TCG_MAX_CALL_IARGS];
    int8_t call_ret_reg;
    int8_t env_reg;             /* holds the TEMP_FIXED env temp */
    int8_t frame_reg;           /* base of the spill area */
    int32_t frame_offset;       /* spill area: [frame_reg + offset, + size) */
    int32_t frame_size;
} RaHostDesc;

typedef struct RaHostOps {
    void (*mov)(void *h, TcgType type, int dst, int src);
    void (*movi)(void *h, TcgType type, int dst, int64_t val);
    void (*ld)(void *h, TcgType type, int dst, int base, int32_t off);
    void (*st)(void *h, TcgType type, int src, int base, int32_t off);
    /* Store a constant without needing a register. */
    void (*sti)(void *h, TcgType type, int64_t val, int base, int32_t off);
    void (*xchg)(void *h, int r1, int r2);
    bool (*const_ok)(void *h, TcgType type, int64_t val, unsigned cflags);
    /* Constraints for this op (may depend on constant operands). */
    const RaOpConstraint *(*constraint)(void *h, const TcgContext *ctx, const TcgOp *op);
    /* Emit one op with allocated operands.  For control ops (labels,
     * insn_start, exits, branches) too: the allocator has already put the
     * register state in the shape the op needs. */
    void (*emit_op)(void *h, const TcgOp *op, const RaOpArgs *args);
    void (*emit_call)(void *h, const TcgHelperInfo *info);
    /* True once the code buffer is exhausted: the pass stops early. */
    bool (*full)(void *h);
    /* insn_start (no operands, no register state to shape): note where
     * the next guest insn's code begins; returns full(h). */
    bool (*insn_start)(void *h);
} RaHostOps;

/*
 * Allocate and emit every op of ctx (liveness must already have run).
 * Returns false if the host reported the buffer full.
 */
bool tcg_regalloc_run(TcgContext *ctx, const RaHostDesc *desc, const RaHostOps *ops,
                      void *h);

#endif
