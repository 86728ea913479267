/* Zbs: bclr bclri bext bexti binv binvi bset bseti.
 * Operands cover boundary values and shift/bit indices 0/31/32/63/64+;
 * expected values computed from the spec definitions when written. */
#include "rvtest.h"

#define ZB ".option push\n\t.option arch, +zba, +zbb, +zbs\n\t"
#define ZE "\n\t.option pop"
#define RR(fn, insn) static uint64_t fn(uint64_t a, uint64_t b) { uint64_t r; \
    __asm__ volatile(ZB insn " %0, %1, %2" ZE : "=r"(r) : "r"(a), "r"(b)); return r; }
#define R1(fn, insn) static uint64_t fn(uint64_t a, uint64_t b) { uint64_t r; (void)b; \
    __asm__ volatile(ZB insn " %0, %1" ZE : "=r"(r) : "r"(a)); return r; }
#define RI(fn, insn, imm) static uint64_t fn(uint64_t a, uint64_t b) { uint64_t r; (void)b; \
    __asm__ volatile(ZB insn " %0, %1, " #imm ZE : "=r"(r) : "r"(a)); return r; }

RR(op2_0, "bclr")
RR(op2_1, "bext")
RR(op2_2, "binv")
RR(op2_3, "bset")
#define NOPS2 4
static uint64_t (*const ops2[NOPS2])(uint64_t, uint64_t) = {
    op2_0, op2_1, op2_2, op2_3,
};
static const char *const names2[NOPS2] = {
    "bclr", "bext", "binv", "bset",
};
RI(op1_0, "bclri", 0)
RI(op1_1, "bclri", 31)
RI(op1_2, "bclri", 32)
RI(op1_3, "bclri", 63)
RI(op1_4, "bexti", 0)
RI(op1_5, "bexti", 31)
RI(op1_6, "bexti", 32)
RI(op1_7, "bexti", 63)
RI(op1_8, "binvi", 0)
RI(op1_9, "binvi", 31)
RI(op1_10, "binvi", 32)
RI(op1_11, "binvi", 63)
RI(op1_12, "bseti", 0)
RI(op1_13, "bseti", 31)
RI(op1_14, "bseti", 32)
RI(op1_15, "bseti", 63)
#define NOPS1 16
static uint64_t (*const ops1[NOPS1])(uint64_t, uint64_t) = {
    op1_0, op1_1, op1_2, op1_3, op1_4, op1_5, op1_6, op1_7,
    op1_8, op1_9, op1_10, op1_11, op1_12, op1_13, op1_14, op1_15,
};
static const char *const names1[NOPS1] = {
    "bclri 0", "bclri 31", "bclri 32", "bclri 63", "bexti 0", "bexti 31",
    "bexti 32", "bexti 63", "binvi 0", "binvi 31", "binvi 32", "binvi 63",
    "bseti 0", "bseti 31", "bseti 32", "bseti 63",
};
static const struct bv2 { uint64_t a, b, r[NOPS2]; } tab2[] = {
  { 0x0ull, 0x0ull, { 0x0ull, 0x0ull, 0x1ull, 0x1ull } },
  { 0x0ull, 0x1ull, { 0x0ull, 0x0ull, 0x2ull, 0x2ull } },
  { 0x0ull, 0x1full, { 0x0ull, 0x0ull, 0x80000000ull, 0x80000000ull } },
  { 0x0ull, 0x20ull, { 0x0ull, 0x0ull, 0x100000000ull, 0x100000000ull } },
  { 0x0ull, 0x21ull, { 0x0ull, 0x0ull, 0x200000000ull, 0x200000000ull } },
  { 0x0ull, 0x3full, { 0x0ull, 0x0ull, 0x8000000000000000ull, 0x8000000000000000ull } },
  { 0x0ull, 0x40ull, { 0x0ull, 0x0ull, 0x1ull, 0x1ull } },
  { 0x0ull, 0x41ull, { 0x0ull, 0x0ull, 0x2ull, 0x2ull } },
  { 0x0ull, 0x7full, { 0x0ull, 0x0ull, 0x8000000000000000ull, 0x8000000000000000ull } },
  { 0x0ull, 0xffffffffffffffffull, { 0x0ull, 0x0ull, 0x8000000000000000ull, 0x8000000000000000ull } },
  { 0x1ull, 0x0ull, { 0x0ull, 0x1ull, 0x0ull, 0x1ull } },
  { 0x1ull, 0x1ull, { 0x1ull, 0x0ull, 0x3ull, 0x3ull } },
  { 0x1ull, 0x1full, { 0x1ull, 0x0ull, 0x80000001ull, 0x80000001ull } },
  { 0x1ull, 0x20ull, { 0x1ull, 0x0ull, 0x100000001ull, 0x100000001ull } },
  { 0x1ull, 0x21ull, { 0x1ull, 0x0ull, 0x200000001ull, 0x200000001ull } },
  { 0x1ull, 0x3full, { 0x1ull, 0x0ull, 0x8000000000000001ull, 0x8000000000000001ull } },
  { 0x1ull, 0x40ull, { 0x0ull, 0x1ull, 0x0ull, 0x1ull } },
  { 0x1ull, 0x41ull, { 0x1ull, 0x0ull, 0x3ull, 0x3ull } },
  { 0x1ull, 0x7full, { 0x1ull, 0x0ull, 0x8000000000000001ull, 0x8000000000000001ull } },
  { 0x1ull, 0xffffffffffffffffull, { 0x1ull, 0x0ull, 0x8000000000000001ull, 0x8000000000000001ull } },
  { 0xffffffffffffffffull, 0x0ull, { 0xfffffffffffffffeull, 0x1ull, 0xfffffffffffffffeull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x1ull, { 0xfffffffffffffffdull, 0x1ull, 0xfffffffffffffffdull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x1full, { 0xffffffff7fffffffull, 0x1ull, 0xffffffff7fffffffull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x20ull, { 0xfffffffeffffffffull, 0x1ull, 0xfffffffeffffffffull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x21ull, { 0xfffffffdffffffffull, 0x1ull, 0xfffffffdffffffffull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x3full, { 0x7fffffffffffffffull, 0x1ull, 0x7fffffffffffffffull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x40ull, { 0xfffffffffffffffeull, 0x1ull, 0xfffffffffffffffeull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x41ull, { 0xfffffffffffffffdull, 0x1ull, 0xfffffffffffffffdull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0x7full, { 0x7fffffffffffffffull, 0x1ull, 0x7fffffffffffffffull, 0xffffffffffffffffull } },
  { 0xffffffffffffffffull, 0xffffffffffffffffull, { 0x7fffffffffffffffull, 0x1ull, 0x7fffffffffffffffull, 0xffffffffffffffffull } },
  { 0x8000000000000000ull, 0x0ull, { 0x8000000000000000ull, 0x0ull, 0x8000000000000001ull, 0x8000000000000001ull } },
  { 0x8000000000000000ull, 0x1ull, { 0x8000000000000000ull, 0x0ull, 0x8000000000000002ull, 0x8000000000000002ull } },
  { 0x8000000000000000ull, 0x1full, { 0x8000000000000000ull, 0x0ull, 0x8000000080000000ull, 0x8000000080000000ull } },
  { 0x8000000000000000ull, 0x20ull, { 0x8000000000000000ull, 0x0ull, 0x8000000100000000ull, 0x8000000100000000ull } },
  { 0x8000000000000000ull, 0x21ull, { 0x8000000000000000ull, 0x0ull, 0x8000000200000000ull, 0x8000000200000000ull } },
  { 0x8000000000000000ull, 0x3full, { 0x0ull, 0x1ull, 0x0ull, 0x8000000000000000ull } },
  { 0x8000000000000000ull, 0x40ull, { 0x8000000000000000ull, 0x0ull, 0x8000000000000001ull, 0x8000000000000001ull } },
  { 0x8000000000000000ull, 0x41ull, { 0x8000000000000000ull, 0x0ull, 0x8000000000000002ull, 0x8000000000000002ull } },
  { 0x8000000000000000ull, 0x7full, { 0x0ull, 0x1ull, 0x0ull, 0x8000000000000000ull } },
  { 0x8000000000000000ull, 0xffffffffffffffffull, { 0x0ull, 0x1ull, 0x0ull, 0x8000000000000000ull } },
  { 0x7fffffffffffffffull, 0x0ull, { 0x7ffffffffffffffeull, 0x1ull, 0x7ffffffffffffffeull, 0x7fffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x1ull, { 0x7ffffffffffffffdull, 0x1ull, 0x7ffffffffffffffdull, 0x7fffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x1full, { 0x7fffffff7fffffffull, 0x1ull, 0x7fffffff7fffffffull, 0x7fffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x20ull, { 0x7ffffffeffffffffull, 0x1ull, 0x7ffffffeffffffffull, 0x7fffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x21ull, { 0x7ffffffdffffffffull, 0x1ull, 0x7ffffffdffffffffull, 0x7fffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x3full, { 0x7fffffffffffffffull, 0x0ull, 0xffffffffffffffffull, 0xffffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x40ull, { 0x7ffffffffffffffeull, 0x1ull, 0x7ffffffffffffffeull, 0x7fffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x41ull, { 0x7ffffffffffffffdull, 0x1ull, 0x7ffffffffffffffdull, 0x7fffffffffffffffull } },
  { 0x7fffffffffffffffull, 0x7full, { 0x7fffffffffffffffull, 0x0ull, 0xffffffffffffffffull, 0xffffffffffffffffull } },
  { 0x7fffffffffffffffull, 0xffffffffffffffffull, { 0x7fffffffffffffffull, 0x0ull, 0xffffffffffffffffull, 0xffffffffffffffffull } },
  { 0x80000000ull, 0x0ull, { 0x80000000ull, 0x0ull, 0x80000001ull, 0x80000001ull } },
  { 0x80000000ull, 0x1ull, { 0x80000000ull, 0x0ull, 0x80000002ull, 0x80000002ull } },
  { 0x80000000ull, 0x1full, { 0x0ull, 0x1ull, 0x0ull, 0x80000000ull } },
  { 0x80000000ull, 0x20ull, { 0x80000000ull, 0x0ull, 0x180000000ull, 0x180000000ull } },
  { 0x80000000ull, 0x21ull, { 0x80000000ull, 0x0ull, 0x280000000ull, 0x280000000ull } },
  { 0x80000000ull, 0x3full, { 0x80000000ull, 0x0ull, 0x8000000080000000ull, 0x8000000080000000ull } },
  { 0x80000000ull, 0x40ull, { 0x80000000ull, 0x0ull, 0x80000001ull, 0x80000001ull } },
  { 0x80000000ull, 0x41ull, { 0x80000000ull, 0x0ull, 0x80000002ull, 0x80000002ull } },
  { 0x80000000ull, 0x7full, { 0x80000000ull, 0x0ull, 0x8000000080000000ull, 0x8000000080000000ull } },
  { 0x80000000ull, 0xffffffffffffffffull, { 0x80000000ull, 0x0ull, 0x8000000080000000ull, 0x8000000080000000ull } },
  { 0x7fffffffull, 0x0ull, { 0x7ffffffeull, 0x1ull, 0x7ffffffeull, 0x7fffffffull } },
  { 0x7fffffffull, 0x1ull, { 0x7ffffffdull, 0x1ull, 0x7ffffffdull, 0x7fffffffull } },
  { 0x7fffffffull, 0x1full, { 0x7fffffffull, 0x0ull, 0xffffffffull, 0xffffffffull } },
  { 0x7fffffffull, 0x20ull, { 0x7fffffffull, 0x0ull, 0x17fffffffull, 0x17fffffffull } },
  { 0x7fffffffull, 0x21ull, { 0x7fffffffull, 0x0ull, 0x27fffffffull, 0x27fffffffull } },
  { 0x7fffffffull, 0x3full, { 0x7fffffffull, 0x0ull, 0x800000007fffffffull, 0x800000007fffffffull } },
  { 0x7fffffffull, 0x40ull, { 0x7ffffffeull, 0x1ull, 0x7ffffffeull, 0x7fffffffull } },
  { 0x7fffffffull, 0x41ull, { 0x7ffffffdull, 0x1ull, 0x7ffffffdull, 0x7fffffffull } },
  { 0x7fffffffull, 0x7full, { 0x7fffffffull, 0x0ull, 0x800000007fffffffull, 0x800000007fffffffull } },
  { 0x7fffffffull, 0xffffffffffffffffull, { 0x7fffffffull, 0x0ull, 0x800000007fffffffull, 0x800000007fffffffull } },
  { 0xffffffff80000000ull, 0x0ull, { 0xffffffff80000000ull, 0x0ull, 0xffffffff80000001ull, 0xffffffff80000001ull } },
  { 0xffffffff80000000ull, 0x1ull, { 0xffffffff80000000ull, 0x0ull, 0xffffffff80000002ull, 0xffffffff80000002ull } },
  { 0xffffffff80000000ull, 0x1full, { 0xffffffff00000000ull, 0x1ull, 0xffffffff00000000ull, 0xffffffff80000000ull } },
  { 0xffffffff80000000ull, 0x20ull, { 0xfffffffe80000000ull, 0x1ull, 0xfffffffe80000000ull, 0xffffffff80000000ull } },
  { 0xffffffff80000000ull, 0x21ull, { 0xfffffffd80000000ull, 0x1ull, 0xfffffffd80000000ull, 0xffffffff80000000ull } },
  { 0xffffffff80000000ull, 0x3full, { 0x7fffffff80000000ull, 0x1ull, 0x7fffffff80000000ull, 0xffffffff80000000ull } },
  { 0xffffffff80000000ull, 0x40ull, { 0xffffffff80000000ull, 0x0ull, 0xffffffff80000001ull, 0xffffffff80000001ull } },
  { 0xffffffff80000000ull, 0x41ull, { 0xffffffff80000000ull, 0x0ull, 0xffffffff80000002ull, 0xffffffff80000002ull } },
  { 0xffffffff80000000ull, 0x7full, { 0x7fffffff80000000ull, 0x1ull, 0x7fffffff80000000ull, 0xffffffff80000000ull } },
  { 0xffffffff80000000ull, 0xffffffffffffffffull, { 0x7fffffff80000000ull, 0x1ull, 0x7fffffff80000000ull, 0xffffffff80000000ull } },
  { 0x100000000ull, 0x0ull, { 0x100000000ull, 0x0ull, 0x100000001ull, 0x100000001ull } },
  { 0x100000000ull, 0x1ull, { 0x100000000ull, 0x0ull, 0x100000002ull, 0x100000002ull } },
  { 0x100000000ull, 0x1full, { 0x100000000ull, 0x0ull, 0x180000000ull, 0x180000000ull } },
  { 0x100000000ull, 0x20ull, { 0x0ull, 0x1ull, 0x0ull, 0x100000000ull } },
  { 0x100000000ull, 0x21ull, { 0x100000000ull, 0x0ull, 0x300000000ull, 0x300000000ull } },
  { 0x100000000ull, 0x3full, { 0x100000000ull, 0x0ull, 0x8000000100000000ull, 0x8000000100000000ull } },
  { 0x100000000ull, 0x40ull, { 0x100000000ull, 0x0ull, 0x100000001ull, 0x100000001ull } },
  { 0x100000000ull, 0x41ull, { 0x100000000ull, 0x0ull, 0x100000002ull, 0x100000002ull } },
  { 0x100000000ull, 0x7full, { 0x100000000ull, 0x0ull, 0x8000000100000000ull, 0x8000000100000000ull } },
  { 0x100000000ull, 0xffffffffffffffffull, { 0x100000000ull, 0x0ull, 0x8000000100000000ull, 0x8000000100000000ull } },
  { 0x123456789abcdefull, 0x0ull, { 0x123456789abcdeeull, 0x1ull, 0x123456789abcdeeull, 0x123456789abcdefull } },
  { 0x123456789abcdefull, 0x1ull, { 0x123456789abcdedull, 0x1ull, 0x123456789abcdedull, 0x123456789abcdefull } },
  { 0x123456789abcdefull, 0x1full, { 0x123456709abcdefull, 0x1ull, 0x123456709abcdefull, 0x123456789abcdefull } },
  { 0x123456789abcdefull, 0x20ull, { 0x123456689abcdefull, 0x1ull, 0x123456689abcdefull, 0x123456789abcdefull } },
  { 0x123456789abcdefull, 0x21ull, { 0x123456589abcdefull, 0x1ull, 0x123456589abcdefull, 0x123456789abcdefull } },
  { 0x123456789abcdefull, 0x3full, { 0x123456789abcdefull, 0x0ull, 0x8123456789abcdefull, 0x8123456789abcdefull } },
  { 0x123456789abcdefull, 0x40ull, { 0x123456789abcdeeull, 0x1ull, 0x123456789abcdeeull, 0x123456789abcdefull } },
  { 0x123456789abcdefull, 0x41ull, { 0x123456789abcdedull, 0x1ull, 0x123456789abcdedull, 0x123456789abcdefull } },
  { 0x123456789abcdefull, 0x7full, { 0x123456789abcdefull, 0x0ull, 0x8123456789abcdefull, 0x8123456789abcdefull } },
  { 0x123456789abcdefull, 0xffffffffffffffffull, { 0x123456789abcdefull, 0x0ull, 0x8123456789abcdefull, 0x8123456789abcdefull } },
  { 0xfedcba9876543210ull, 0x0ull, { 0xfedcba9876543210ull, 0x0ull, 0xfedcba9876543211ull, 0xfedcba9876543211ull } },
  { 0xfedcba9876543210ull, 0x1ull, { 0xfedcba9876543210ull, 0x0ull, 0xfedcba9876543212ull, 0xfedcba9876543212ull } },
  { 0xfedcba9876543210ull, 0x1full, { 0xfedcba9876543210ull, 0x0ull, 0xfedcba98f6543210ull, 0xfedcba98f6543210ull } },
  { 0xfedcba9876543210ull, 0x20ull, { 0xfedcba9876543210ull, 0x0ull, 0xfedcba9976543210ull, 0xfedcba9976543210ull } },
  { 0xfedcba9876543210ull, 0x21ull, { 0xfedcba9876543210ull, 0x0ull, 0xfedcba9a76543210ull, 0xfedcba9a76543210ull } },
  { 0xfedcba9876543210ull, 0x3full, { 0x7edcba9876543210ull, 0x1ull, 0x7edcba9876543210ull, 0xfedcba9876543210ull } },
  { 0xfedcba9876543210ull, 0x40ull, { 0xfedcba9876543210ull, 0x0ull, 0xfedcba9876543211ull, 0xfedcba9876543211ull } },
  { 0xfedcba9876543210ull, 0x41ull, { 0xfedcba9876543210ull, 0x0ull, 0xfedcba9876543212ull, 0xfedcba9876543212ull } },
  { 0xfedcba9876543210ull, 0x7full, { 0x7edcba9876543210ull, 0x1ull, 0x7edcba9876543210ull, 0xfedcba9876543210ull } },
  { 0xfedcba9876543210ull, 0xffffffffffffffffull, { 0x7edcba9876543210ull, 0x1ull, 0x7edcba9876543210ull, 0xfedcba9876543210ull } },
  { 0xff00000000ff00ull, 0x0ull, { 0xff00000000ff00ull, 0x0ull, 0xff00000000ff01ull, 0xff00000000ff01ull } },
  { 0xff00000000ff00ull, 0x1ull, { 0xff00000000ff00ull, 0x0ull, 0xff00000000ff02ull, 0xff00000000ff02ull } },
  { 0xff00000000ff00ull, 0x1full, { 0xff00000000ff00ull, 0x0ull, 0xff00008000ff00ull, 0xff00008000ff00ull } },
  { 0xff00000000ff00ull, 0x20ull, { 0xff00000000ff00ull, 0x0ull, 0xff00010000ff00ull, 0xff00010000ff00ull } },
  { 0xff00000000ff00ull, 0x21ull, { 0xff00000000ff00ull, 0x0ull, 0xff00020000ff00ull, 0xff00020000ff00ull } },
  { 0xff00000000ff00ull, 0x3full, { 0xff00000000ff00ull, 0x0ull, 0x80ff00000000ff00ull, 0x80ff00000000ff00ull } },
  { 0xff00000000ff00ull, 0x40ull, { 0xff00000000ff00ull, 0x0ull, 0xff00000000ff01ull, 0xff00000000ff01ull } },
  { 0xff00000000ff00ull, 0x41ull, { 0xff00000000ff00ull, 0x0ull, 0xff00000000ff02ull, 0xff00000000ff02ull } },
  { 0xff00000000ff00ull, 0x7full, { 0xff00000000ff00ull, 0x0ull, 0x80ff00000000ff00ull, 0x80ff00000000ff00ull } },
  { 0xff00000000ff00ull, 0xffffffffffffffffull, { 0xff00000000ff00ull, 0x0ull, 0x80ff00000000ff00ull, 0x80ff00000000ff00ull } },
};
static const struct bv1 { uint64_t a, r[NOPS1]; } tab1[] = {
  { 0x0ull, {
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x1ull, 0x80000000ull, 0x100000000ull, 0x8000000000000000ull,
      0x1ull, 0x80000000ull, 0x100000000ull, 0x8000000000000000ull,
  } },
  { 0x1ull, {
      0x0ull, 0x1ull, 0x1ull, 0x1ull,
      0x1ull, 0x0ull, 0x0ull, 0x0ull,
      0x0ull, 0x80000001ull, 0x100000001ull, 0x8000000000000001ull,
      0x1ull, 0x80000001ull, 0x100000001ull, 0x8000000000000001ull,
  } },
  { 0xffffffffffffffffull, {
      0xfffffffffffffffeull, 0xffffffff7fffffffull, 0xfffffffeffffffffull, 0x7fffffffffffffffull,
      0x1ull, 0x1ull, 0x1ull, 0x1ull,
      0xfffffffffffffffeull, 0xffffffff7fffffffull, 0xfffffffeffffffffull, 0x7fffffffffffffffull,
      0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull,
  } },
  { 0x8000000000000000ull, {
      0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull, 0x0ull,
      0x0ull, 0x0ull, 0x0ull, 0x1ull,
      0x8000000000000001ull, 0x8000000080000000ull, 0x8000000100000000ull, 0x0ull,
      0x8000000000000001ull, 0x8000000080000000ull, 0x8000000100000000ull, 0x8000000000000000ull,
  } },
  { 0x7fffffffffffffffull, {
      0x7ffffffffffffffeull, 0x7fffffff7fffffffull, 0x7ffffffeffffffffull, 0x7fffffffffffffffull,
      0x1ull, 0x1ull, 0x1ull, 0x0ull,
      0x7ffffffffffffffeull, 0x7fffffff7fffffffull, 0x7ffffffeffffffffull, 0xffffffffffffffffull,
      0x7fffffffffffffffull, 0x7fffffffffffffffull, 0x7fffffffffffffffull, 0xffffffffffffffffull,
  } },
  { 0x80000000ull, {
      0x80000000ull, 0x0ull, 0x80000000ull, 0x80000000ull,
      0x0ull, 0x1ull, 0x0ull, 0x0ull,
      0x80000001ull, 0x0ull, 0x180000000ull, 0x8000000080000000ull,
      0x80000001ull, 0x80000000ull, 0x180000000ull, 0x8000000080000000ull,
  } },
  { 0x7fffffffull, {
      0x7ffffffeull, 0x7fffffffull, 0x7fffffffull, 0x7fffffffull,
      0x1ull, 0x0ull, 0x0ull, 0x0ull,
      0x7ffffffeull, 0xffffffffull, 0x17fffffffull, 0x800000007fffffffull,
      0x7fffffffull, 0xffffffffull, 0x17fffffffull, 0x800000007fffffffull,
  } },
  { 0xffffffff80000000ull, {
      0xffffffff80000000ull, 0xffffffff00000000ull, 0xfffffffe80000000ull, 0x7fffffff80000000ull,
      0x0ull, 0x1ull, 0x1ull, 0x1ull,
      0xffffffff80000001ull, 0xffffffff00000000ull, 0xfffffffe80000000ull, 0x7fffffff80000000ull,
      0xffffffff80000001ull, 0xffffffff80000000ull, 0xffffffff80000000ull, 0xffffffff80000000ull,
  } },
  { 0x100000000ull, {
      0x100000000ull, 0x100000000ull, 0x0ull, 0x100000000ull,
      0x0ull, 0x0ull, 0x1ull, 0x0ull,
      0x100000001ull, 0x180000000ull, 0x0ull, 0x8000000100000000ull,
      0x100000001ull, 0x180000000ull, 0x100000000ull, 0x8000000100000000ull,
  } },
  { 0x123456789abcdefull, {
      0x123456789abcdeeull, 0x123456709abcdefull, 0x123456689abcdefull, 0x123456789abcdefull,
      0x1ull, 0x1ull, 0x1ull, 0x0ull,
      0x123456789abcdeeull, 0x123456709abcdefull, 0x123456689abcdefull, 0x8123456789abcdefull,
      0x123456789abcdefull, 0x123456789abcdefull, 0x123456789abcdefull, 0x8123456789abcdefull,
  } },
  { 0xfedcba9876543210ull, {
      0xfedcba9876543210ull, 0xfedcba9876543210ull, 0xfedcba9876543210ull, 0x7edcba9876543210ull,
      0x0ull, 0x0ull, 0x0ull, 0x1ull,
      0xfedcba9876543211ull, 0xfedcba98f6543210ull, 0xfedcba9976543210ull, 0x7edcba9876543210ull,
      0xfedcba9876543211ull, 0xfedcba98f6543210ull, 0xfedcba9976543210ull, 0xfedcba9876543210ull,
  } },
  { 0xff00000000ff00ull, {
      0xff00000000ff00ull, 0xff00000000ff00ull, 0xff00000000ff00ull, 0xff00000000ff00ull,
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0xff00000000ff01ull, 0xff00008000ff00ull, 0xff00010000ff00ull, 0x80ff00000000ff00ull,
      0xff00000000ff01ull, 0xff00008000ff00ull, 0xff00010000ff00ull, 0x80ff00000000ff00ull,
  } },
  { 0xffffffffull, {
      0xfffffffeull, 0x7fffffffull, 0xffffffffull, 0xffffffffull,
      0x1ull, 0x1ull, 0x0ull, 0x0ull,
      0xfffffffeull, 0x7fffffffull, 0x1ffffffffull, 0x80000000ffffffffull,
      0xffffffffull, 0xffffffffull, 0x1ffffffffull, 0x80000000ffffffffull,
  } },
  { 0x8000000000000001ull, {
      0x8000000000000000ull, 0x8000000000000001ull, 0x8000000000000001ull, 0x1ull,
      0x1ull, 0x0ull, 0x0ull, 0x1ull,
      0x8000000000000000ull, 0x8000000080000001ull, 0x8000000100000001ull, 0x1ull,
      0x8000000000000001ull, 0x8000000080000001ull, 0x8000000100000001ull, 0x8000000000000001ull,
  } },
  { 0x10000ull, {
      0x10000ull, 0x10000ull, 0x10000ull, 0x10000ull,
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x10001ull, 0x80010000ull, 0x100010000ull, 0x8000000000010000ull,
      0x10001ull, 0x80010000ull, 0x100010000ull, 0x8000000000010000ull,
  } },
  { 0x5555555555555555ull, {
      0x5555555555555554ull, 0x5555555555555555ull, 0x5555555455555555ull, 0x5555555555555555ull,
      0x1ull, 0x0ull, 0x1ull, 0x0ull,
      0x5555555555555554ull, 0x55555555d5555555ull, 0x5555555455555555ull, 0xd555555555555555ull,
      0x5555555555555555ull, 0x55555555d5555555ull, 0x5555555555555555ull, 0xd555555555555555ull,
  } },
  { 0x80ull, {
      0x80ull, 0x80ull, 0x80ull, 0x80ull,
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x81ull, 0x80000080ull, 0x100000080ull, 0x8000000000000080ull,
      0x81ull, 0x80000080ull, 0x100000080ull, 0x8000000000000080ull,
  } },
  { 0x8000ull, {
      0x8000ull, 0x8000ull, 0x8000ull, 0x8000ull,
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x8001ull, 0x80008000ull, 0x100008000ull, 0x8000000000008000ull,
      0x8001ull, 0x80008000ull, 0x100008000ull, 0x8000000000008000ull,
  } },
};

int main(void)
{
    int n = sizeof(tab2) / sizeof(tab2[0]);
    for (int op = 0; op < NOPS2; op++) {
        int bad = 0;
        for (int i = 0; i < n; i++) {
            uint64_t got = ops2[op](tab2[i].a, tab2[i].b);
            if (got != tab2[i].r[op]) {
                bad++;
                CHECKQ(rvt_name("%s 0x%" PRIx64 ", 0x%" PRIx64, names2[op], tab2[i].a,
                                tab2[i].b), got, tab2[i].r[op]);
            }
        }
        CHECK(rvt_name("%-12s %d operand pairs: failures", names2[op], n), bad, 0);
    }
    n = sizeof(tab1) / sizeof(tab1[0]);
    for (int op = 0; op < NOPS1; op++) {
        int bad = 0;
        for (int i = 0; i < n; i++) {
            uint64_t got = ops1[op](tab1[i].a, 0);
            if (got != tab1[i].r[op]) {
                bad++;
                CHECKQ(rvt_name("%s 0x%" PRIx64, names1[op], tab1[i].a), got, tab1[i].r[op]);
            }
        }
        CHECK(rvt_name("%-12s %d operands: failures", names1[op], n), bad, 0);
    }
    /* rd == rs1, rd = x0 */
    uint64_t x = 0x00000000000000f0ull, z;
    __asm__ volatile(ZB "bset" " %0, %0, %0\n\t" "bset" " zero, %0, %0\n\tmv %1, zero" ZE
                     : "+r"(x), "=r"(z));
    CHECK("rd==rs1==rs2 " "bset", x, 0x10000000000f0);
    CHECK("x0 destination discarded", z, 0);
    return rvt_done("zbs");
}
