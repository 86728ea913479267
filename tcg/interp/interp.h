/*
 * The portable interpreter back end: the format of the "blob" gen_code
 * writes into the code buffer and exec runs.  Private to tcg/interp.
 *
 * A blob is self-contained and position-dependent only through the rx
 * addresses stored in its goto_tb fields:
 *
 *   [InterpBlobHeader][constant pool: 8 bytes per entry][code: uint32 words]
 *
 * Code is a dense sequence of instructions.  Word 0 of each is
 * handler | aux << 16 (aux: condition, memop, call shape, ...), followed by
 * operand words and immediates.  An operand word is (offset << 2) | base:
 *   base 0: the frame (slot = temp index, 8 bytes each; the env temp's slot
 *           holds the env pointer),
 *   base 1: env (a global's mem_offset),
 *   base 2: the blob (a constant pool entry).
 * An I32 value occupies the first 4 bytes of its location (so I32 globals
 * are their 4-byte fields); an I64 value all 8.  Branch targets are byte
 * offsets from the blob start.
 *
 * goto_tb owns an 8-byte aligned field holding an rx address: the address
 * of the next instruction ("unchained": fall through) or the start of
 * another blob (chained).  patch_jump stores it atomically.
 */
#ifndef TCG_INTERP_H
#define TCG_INTERP_H

#include <stdint.h>

#include "rove/tcg-backend.h"

#define INTERP_MAGIC 0x52564931u /* "RVI1" */

typedef struct InterpBlobHeader {
    uint32_t magic;
    uint32_t code_off;  /* byte offset of the first instruction */
    uint32_t env_slot;  /* frame slot of the env temp */
    uint32_t size;      /* whole blob */
    uint64_t addr_mask; /* guest addresses with any of these bits set fault */
    uint64_t guest_base;
    void (*mem_fault)(void *env, uint64_t addr, uint32_t kind, uintptr_t host_pc);
    const TcgHelperInfo *lookup_tb; /* informational: goto_ptr gets its result */
    /* TCG_MEM_SOFTMMU: every qemu_ld/st calls these (the TLB is C's). */
    uint64_t (*soft_ld)(void *env, uint64_t addr, uint32_t oi, uintptr_t host_pc);
    void (*soft_st)(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t host_pc);
    int32_t tlb_off;    /* TCG_MEM_SOFTMMU: env offset of the SoftTlb pointer */
} InterpBlobHeader;

enum { INTERP_BASE_FRAME = 0, INTERP_BASE_ENV = 1, INTERP_BASE_BLOB = 2 };

/* Largest byte offset an operand word can address (30 bits). */
#define INTERP_MAX_OPND_OFFSET ((1u << 30) - 1)

/* Frame slots: one per temp index. */
#define INTERP_FRAME_SLOTS TCG_MAX_TEMPS

/* call aux: nargs | has_ret << 3 | ret_i64 << 4 | (arg i is I32) << (5 + i) */
enum { INTERP_CALL_RET = 1 << 3, INTERP_CALL_RET64 = 1 << 4, INTERP_CALL_ARG32_SHIFT = 5 };

/* slow ld/st/qemu_ld/qemu_st aux: memop | (type == I64) << 8 */
enum { INTERP_AUX_I64 = 1 << 8 };

#define X2(X, n) X(n##_i32) X(n##_i64)

/*
 * Every handler.  Typed pairs are adjacent (i32 then i64) so a handler is
 * base + type; brcond handlers follow TcgCond order from EQ to GTU.
 */
#define INTERP_HANDLERS(X) \
    X(nop) X(br) X(goto_tb) X(exit_tb) X(goto_ptr) X(call) X(mb) \
    X2(X, brcond_eq) X2(X, brcond_ne) X2(X, brcond_lt) X2(X, brcond_ge) \
    X2(X, brcond_le) X2(X, brcond_gt) X2(X, brcond_ltu) X2(X, brcond_geu) \
    X2(X, brcond_leu) X2(X, brcond_gtu) \
    X2(X, mov) X2(X, add) X2(X, sub) X2(X, mul) X2(X, mulsh) X2(X, muluh) \
    X2(X, div) X2(X, divu) X2(X, rem) X2(X, remu) X2(X, and) X2(X, or) X2(X, xor) \
    X2(X, andc) X2(X, orc) X2(X, eqv) X2(X, shl) X2(X, shr) X2(X, sar) X2(X, rotl) \
    X2(X, rotr) X2(X, clz) X2(X, ctz) X2(X, neg) X2(X, not) X2(X, ctpop) X2(X, bswap) \
    X2(X, ext8s) X2(X, ext8u) X2(X, ext16s) X2(X, ext16u) \
    X(ext32s_i64) X(ext32u_i64) X(extrl) X(extu) X(exts) \
    X2(X, setcond) X2(X, movcond) \
    X2(X, ld8u) X2(X, ld8s) X2(X, ld16u) X2(X, ld16s) X2(X, ld32u) X2(X, ld32s) \
    X(ld64_i64) X(ld_slow) \
    X2(X, st8) X2(X, st16) X2(X, st32) X(st64_i64) X(st_slow) \
    X2(X, qld8u) X2(X, qld8s) X2(X, qld16u) X2(X, qld16s) X2(X, qld32u) X2(X, qld32s) \
    X(qld64_i64) X(qld_slow) \
    X2(X, qst8) X2(X, qst16) X2(X, qst32) X(qst64_i64) X(qst_slow) \
    X(qld_soft) X(qst_soft)

#define INTERP_ENUM(n) H_##n,
typedef enum InterpHandler {
    INTERP_HANDLERS(INTERP_ENUM)
    H__count
} InterpHandler;
#undef INTERP_ENUM

/* tcg/interp/exec.c */
uintptr_t interp_exec(void *env, const void *code_rx);
const void *interp_return_to_loop_addr(void);

#endif
