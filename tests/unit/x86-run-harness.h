/*
 * Shared harness of the x86-64 back-end execution tests; see
 * x86-run-harness.c.
 */
#ifndef TESTS_UNIT_X86_RUN_HARNESS_H
#define TESTS_UNIT_X86_RUN_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"

#define NG 16
#define NV 512

typedef struct Env {
    TcgEnvHeader hdr;
    uint64_t g[NG];
    uint32_t w[NG];
    uint64_t in[NV];
    uint64_t out[NV];
} Env;

extern CodeBuffer cbuf;
extern TcgContext *ctx;
extern TcgTemp *G[NG], *W[NG];
extern Env env;
extern TbCodeInfo last_info;
extern const uint8_t *last_code;

void setup(void);
const void *compile(void); /* compile ctx's ops into cbuf */
uintptr_t run(void);       /* compile and execute on env */
void start(void);          /* begin a new TB */
int count_insns(const char *needle); /* in the last TB, by text */
uintptr_t find_insn(const char *needle); /* address of the first match, or 0 */

/* Ops with C reference implementations, and edge values to feed them. */
extern const TcgOpcode binops[], unops[];
extern const int nbinops, nunops;
extern const uint64_t edge[];
extern const int nedge;
#define NEDGE nedge
bool pair_ok(TcgOpcode opc, TcgType type, uint64_t a, uint64_t b);
uint64_t ref64(TcgOpcode opc, uint64_t a, uint64_t b);
uint32_t ref32(TcgOpcode opc, uint32_t a, uint32_t b);
uint64_t ref(TcgOpcode opc, TcgType type, uint64_t a, uint64_t b);
void gen_binop(TcgOpcode opc, TcgTemp *d, TcgTemp *a, TcgTemp *b);
void gen_unop(TcgOpcode opc, TcgTemp *d, TcgTemp *a);
MemOp mo_of(TcgType type);
TcgTemp *ld_in(TcgType type, int k);
void st_out(TcgTemp *t, int k);

#endif
