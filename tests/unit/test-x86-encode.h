/*
 * Shared helpers of the two x86-64 encoding test files: capstone text
 * builders (capstone 4 Intel syntax conventions) and the checking routines.
 */
#ifndef TESTS_UNIT_TEST_X86_ENCODE_H
#define TESTS_UNIT_TEST_X86_ENCODE_H

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rove/tcg.h"
#include "tcg/x86_64/x86-asm.h"

#define BASE_RX 0x100000ul
#define SBUF_LEN 4096 /* each text buffer of the ring used by fmt() */
#define LIMIT_RX (BASE_RX + 0x2000)

extern csh cs;
extern uint8_t code[4096];
extern int nfail, ncheck;
extern const char *const r64[16], *const r32[16], *const r16[16], *const r8n[16];
extern const char *const ccn[16];
extern const int32_t disps[11];

const char *rn(TcgType t, int r);
const char *rsz(MemOp size, int r);
const char *kw(MemOp size);
char *sbuf(void);
const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
const char *imm_s(int64_t v);
const char *imm_alu(TcgType t, int64_t v);
const char *imm_op(const char *mn, TcgType t, int64_t v);
const char *imm_sized(MemOp size, int64_t v);
const char *addr(int base, int index, int shift, int32_t disp);
const char *mem(MemOp size, int base, int index, int shift, int32_t disp);
const char *cat(const char *a, const char *b);
void asm_reset(X86Asm *a, unsigned features);
void expect_bytes(const uint8_t *p, size_t len, uintptr_t rx, const char *want,
                  const char *what);
void expect(X86Asm *a, const char *want, const char *what);
void check_failures(void);
void x86_encode_add_op_tests(void);

#endif
