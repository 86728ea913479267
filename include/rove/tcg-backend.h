/*
 * The contract between the execution layer (accel/tcg) and a host back end
 * (tcg/x86_64: machine code; tcg/interp: a portable interpreter of the IR).
 *
 * The execution layer owns the code buffer and the translation blocks.  A
 * back end turns the optimised ops of one TB into "code" placed in the code
 * buffer (machine code, or for the interpreter a self-contained serialised op
 * list), reports where its patchable jumps are, and can enter that code.
 *
 * Every cpu state struct starts with a TcgEnvHeader: generated code reads
 * exit_request through the env pointer and the interpreter publishes the
 * position of the op it is executing in interp_pc (the interpreter's "host
 * pc"), so precise-exception restore works the same for both back ends.
 */
#ifndef ROVE_TCG_BACKEND_H
#define ROVE_TCG_BACKEND_H

#include "rove/tcg.h"

typedef struct TcgEnvHeader {
    /* Non-zero: leave generated code at the next TB entry.  Written by other
     * threads and signal handlers; read by the check at the start of every TB. */
    volatile int32_t exit_request;
    int32_t pad0;
    /* Interpreter only: address inside the running blob of the op being
     * executed; 0 when not interpreting. */
    volatile uintptr_t interp_pc;
    /* The execution layer's jump cache (TcgContext.lookup_inline). */
    void *jmp_cache;
} TcgEnvHeader;

/* Executable memory, mapped twice: written through rw, run through rx. */
typedef struct CodeBuffer {
    uint8_t *rw;        /* writable view */
    uint8_t *rx;        /* executable view (same pages) */
    size_t size;
    size_t used;        /* bytes committed so far */
    size_t populated;   /* bytes faulted in ahead of use (code_buffer_prefault) */
} CodeBuffer;

static inline void *code_rw_from_rx(const CodeBuffer *b, const void *rx)
{
    return b->rw + ((const uint8_t *)rx - b->rx);
}

/* TCG_MAX_INSNS: rove/tcg.h */
#define TCG_NO_JUMP UINT32_MAX

/* A guest memory access whose host instruction may fault while globals
 * live only in host registers: the writebacks wb[first, first + n) of
 * TbCodeInfo apply for host code offsets [start, end). */
typedef struct TbFaultSite {
    uint32_t start, end;
    uint32_t first, n;
} TbFaultSite;

/* What a back end reports about the code it generated for one TB. */
typedef struct TbCodeInfo {
    uint32_t size;                  /* bytes used in the code buffer */
    uint32_t jmp_insn_offset[TCG_MAX_GOTO_TB];  /* goto_tb slot n: patch site, or TCG_NO_JUMP */
    uint32_t jmp_reset_offset[TCG_MAX_GOTO_TB]; /* where slot n goes when not chained */
    int nb_insns;                   /* number of insn_start markers seen */
    int nb_sites, nb_wbs;           /* entries of sites[] and wbs[] below */
    /* Host code offset (from the TB's code start) of the end of each guest
     * instruction: a fault at offset o belongs to the first insn i with
     * o < insn_end[i]. */
    uint32_t insn_end[TCG_MAX_INSNS];
    /* Fault sites and their writebacks: arrays the TbCodeInfo owns and
     * reuses from TB to TB (the fields above are cleared per TB). */
    TbFaultSite *sites;
    int max_sites;
    TcgWriteback *wbs;
    int max_wbs;
} TbCodeInfo;

typedef struct TcgBackend {
    const char *name;
    /* One-time setup: e.g. emit the prologue/epilogue into the buffer. */
    void (*init)(CodeBuffer *buf);
    /*
     * Compile the ops in ctx (already optimised; the back end runs its own
     * liveness/register allocation) into buf at buf->used, aligned as the
     * back end likes.  Returns the entry address (rx view) and fills *info,
     * or returns NULL if the buffer does not have room (caller flushes and
     * retries).  Does not advance buf->used: the caller commits info->size.
     */
    const void *(*gen_code)(TcgContext *ctx, CodeBuffer *buf, TbCodeInfo *info);
    /* Re-point goto_tb patch site `site_rx` at `target_rx` (atomically with
     * respect to a running vCPU). */
    void (*patch_jump)(CodeBuffer *buf, uintptr_t site_rx, uintptr_t target_rx);
    /* Enter code: runs until an exit_tb; returns its value. */
    uintptr_t (*exec)(void *env, const void *code_rx);
    /* Address goto_ptr targets to fall back to the cpu loop (exit value 0). */
    const void *(*return_to_loop_addr)(void);
} TcgBackend;

extern const TcgBackend tcg_backend_x86_64;
extern const TcgBackend tcg_backend_interp;

#endif
