/* Zba: sh1add sh2add sh3add add.uw sh1add.uw sh2add.uw sh3add.uw slli.uw.
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

RR(op2_0, "sh1add")
RR(op2_1, "sh2add")
RR(op2_2, "sh3add")
RR(op2_3, "add.uw")
RR(op2_4, "sh1add.uw")
RR(op2_5, "sh2add.uw")
RR(op2_6, "sh3add.uw")
#define NOPS2 7
static uint64_t (*const ops2[NOPS2])(uint64_t, uint64_t) = {
    op2_0, op2_1, op2_2, op2_3, op2_4, op2_5, op2_6,
};
static const char *const names2[NOPS2] = {
    "sh1add", "sh2add", "sh3add", "add.uw", "sh1add.uw", "sh2add.uw",
    "sh3add.uw",
};
RI(op1_0, "slli.uw", 0)
RI(op1_1, "slli.uw", 1)
RI(op1_2, "slli.uw", 31)
RI(op1_3, "slli.uw", 32)
RI(op1_4, "slli.uw", 63)
#define NOPS1 5
static uint64_t (*const ops1[NOPS1])(uint64_t, uint64_t) = {
    op1_0, op1_1, op1_2, op1_3, op1_4,
};
static const char *const names1[NOPS1] = {
    "slli.uw 0", "slli.uw 1", "slli.uw 31", "slli.uw 32", "slli.uw 63",
};
static const struct bv2 { uint64_t a, b, r[NOPS2]; } tab2[] = {
  { 0x0ull, 0x0ull, {
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x0ull, 0x0ull, 0x0ull,
  } },
  { 0x0ull, 0x1ull, {
      0x1ull, 0x1ull, 0x1ull, 0x1ull,
      0x1ull, 0x1ull, 0x1ull,
  } },
  { 0x0ull, 0x1full, {
      0x1full, 0x1full, 0x1full, 0x1full,
      0x1full, 0x1full, 0x1full,
  } },
  { 0x0ull, 0x20ull, {
      0x20ull, 0x20ull, 0x20ull, 0x20ull,
      0x20ull, 0x20ull, 0x20ull,
  } },
  { 0x0ull, 0x3full, {
      0x3full, 0x3full, 0x3full, 0x3full,
      0x3full, 0x3full, 0x3full,
  } },
  { 0x0ull, 0x40ull, {
      0x40ull, 0x40ull, 0x40ull, 0x40ull,
      0x40ull, 0x40ull, 0x40ull,
  } },
  { 0x0ull, 0xffffffffffffffffull, {
      0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull,
      0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull,
  } },
  { 0x0ull, 0x8000000000000001ull, {
      0x8000000000000001ull, 0x8000000000000001ull, 0x8000000000000001ull, 0x8000000000000001ull,
      0x8000000000000001ull, 0x8000000000000001ull, 0x8000000000000001ull,
  } },
  { 0x1ull, 0x0ull, {
      0x2ull, 0x4ull, 0x8ull, 0x1ull,
      0x2ull, 0x4ull, 0x8ull,
  } },
  { 0x1ull, 0x1ull, {
      0x3ull, 0x5ull, 0x9ull, 0x2ull,
      0x3ull, 0x5ull, 0x9ull,
  } },
  { 0x1ull, 0x1full, {
      0x21ull, 0x23ull, 0x27ull, 0x20ull,
      0x21ull, 0x23ull, 0x27ull,
  } },
  { 0x1ull, 0x20ull, {
      0x22ull, 0x24ull, 0x28ull, 0x21ull,
      0x22ull, 0x24ull, 0x28ull,
  } },
  { 0x1ull, 0x3full, {
      0x41ull, 0x43ull, 0x47ull, 0x40ull,
      0x41ull, 0x43ull, 0x47ull,
  } },
  { 0x1ull, 0x40ull, {
      0x42ull, 0x44ull, 0x48ull, 0x41ull,
      0x42ull, 0x44ull, 0x48ull,
  } },
  { 0x1ull, 0xffffffffffffffffull, {
      0x1ull, 0x3ull, 0x7ull, 0x0ull,
      0x1ull, 0x3ull, 0x7ull,
  } },
  { 0x1ull, 0x8000000000000001ull, {
      0x8000000000000003ull, 0x8000000000000005ull, 0x8000000000000009ull, 0x8000000000000002ull,
      0x8000000000000003ull, 0x8000000000000005ull, 0x8000000000000009ull,
  } },
  { 0xffffffffffffffffull, 0x0ull, {
      0xfffffffffffffffeull, 0xfffffffffffffffcull, 0xfffffffffffffff8ull, 0xffffffffull,
      0x1fffffffeull, 0x3fffffffcull, 0x7fffffff8ull,
  } },
  { 0xffffffffffffffffull, 0x1ull, {
      0xffffffffffffffffull, 0xfffffffffffffffdull, 0xfffffffffffffff9ull, 0x100000000ull,
      0x1ffffffffull, 0x3fffffffdull, 0x7fffffff9ull,
  } },
  { 0xffffffffffffffffull, 0x1full, {
      0x1dull, 0x1bull, 0x17ull, 0x10000001eull,
      0x20000001dull, 0x40000001bull, 0x800000017ull,
  } },
  { 0xffffffffffffffffull, 0x20ull, {
      0x1eull, 0x1cull, 0x18ull, 0x10000001full,
      0x20000001eull, 0x40000001cull, 0x800000018ull,
  } },
  { 0xffffffffffffffffull, 0x3full, {
      0x3dull, 0x3bull, 0x37ull, 0x10000003eull,
      0x20000003dull, 0x40000003bull, 0x800000037ull,
  } },
  { 0xffffffffffffffffull, 0x40ull, {
      0x3eull, 0x3cull, 0x38ull, 0x10000003full,
      0x20000003eull, 0x40000003cull, 0x800000038ull,
  } },
  { 0xffffffffffffffffull, 0xffffffffffffffffull, {
      0xfffffffffffffffdull, 0xfffffffffffffffbull, 0xfffffffffffffff7ull, 0xfffffffeull,
      0x1fffffffdull, 0x3fffffffbull, 0x7fffffff7ull,
  } },
  { 0xffffffffffffffffull, 0x8000000000000001ull, {
      0x7fffffffffffffffull, 0x7ffffffffffffffdull, 0x7ffffffffffffff9ull, 0x8000000100000000ull,
      0x80000001ffffffffull, 0x80000003fffffffdull, 0x80000007fffffff9ull,
  } },
  { 0x8000000000000000ull, 0x0ull, {
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x0ull, 0x0ull, 0x0ull,
  } },
  { 0x8000000000000000ull, 0x1ull, {
      0x1ull, 0x1ull, 0x1ull, 0x1ull,
      0x1ull, 0x1ull, 0x1ull,
  } },
  { 0x8000000000000000ull, 0x1full, {
      0x1full, 0x1full, 0x1full, 0x1full,
      0x1full, 0x1full, 0x1full,
  } },
  { 0x8000000000000000ull, 0x20ull, {
      0x20ull, 0x20ull, 0x20ull, 0x20ull,
      0x20ull, 0x20ull, 0x20ull,
  } },
  { 0x8000000000000000ull, 0x3full, {
      0x3full, 0x3full, 0x3full, 0x3full,
      0x3full, 0x3full, 0x3full,
  } },
  { 0x8000000000000000ull, 0x40ull, {
      0x40ull, 0x40ull, 0x40ull, 0x40ull,
      0x40ull, 0x40ull, 0x40ull,
  } },
  { 0x8000000000000000ull, 0xffffffffffffffffull, {
      0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull,
      0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull,
  } },
  { 0x8000000000000000ull, 0x8000000000000001ull, {
      0x8000000000000001ull, 0x8000000000000001ull, 0x8000000000000001ull, 0x8000000000000001ull,
      0x8000000000000001ull, 0x8000000000000001ull, 0x8000000000000001ull,
  } },
  { 0x7fffffffffffffffull, 0x0ull, {
      0xfffffffffffffffeull, 0xfffffffffffffffcull, 0xfffffffffffffff8ull, 0xffffffffull,
      0x1fffffffeull, 0x3fffffffcull, 0x7fffffff8ull,
  } },
  { 0x7fffffffffffffffull, 0x1ull, {
      0xffffffffffffffffull, 0xfffffffffffffffdull, 0xfffffffffffffff9ull, 0x100000000ull,
      0x1ffffffffull, 0x3fffffffdull, 0x7fffffff9ull,
  } },
  { 0x7fffffffffffffffull, 0x1full, {
      0x1dull, 0x1bull, 0x17ull, 0x10000001eull,
      0x20000001dull, 0x40000001bull, 0x800000017ull,
  } },
  { 0x7fffffffffffffffull, 0x20ull, {
      0x1eull, 0x1cull, 0x18ull, 0x10000001full,
      0x20000001eull, 0x40000001cull, 0x800000018ull,
  } },
  { 0x7fffffffffffffffull, 0x3full, {
      0x3dull, 0x3bull, 0x37ull, 0x10000003eull,
      0x20000003dull, 0x40000003bull, 0x800000037ull,
  } },
  { 0x7fffffffffffffffull, 0x40ull, {
      0x3eull, 0x3cull, 0x38ull, 0x10000003full,
      0x20000003eull, 0x40000003cull, 0x800000038ull,
  } },
  { 0x7fffffffffffffffull, 0xffffffffffffffffull, {
      0xfffffffffffffffdull, 0xfffffffffffffffbull, 0xfffffffffffffff7ull, 0xfffffffeull,
      0x1fffffffdull, 0x3fffffffbull, 0x7fffffff7ull,
  } },
  { 0x7fffffffffffffffull, 0x8000000000000001ull, {
      0x7fffffffffffffffull, 0x7ffffffffffffffdull, 0x7ffffffffffffff9ull, 0x8000000100000000ull,
      0x80000001ffffffffull, 0x80000003fffffffdull, 0x80000007fffffff9ull,
  } },
  { 0x80000000ull, 0x0ull, {
      0x100000000ull, 0x200000000ull, 0x400000000ull, 0x80000000ull,
      0x100000000ull, 0x200000000ull, 0x400000000ull,
  } },
  { 0x80000000ull, 0x1ull, {
      0x100000001ull, 0x200000001ull, 0x400000001ull, 0x80000001ull,
      0x100000001ull, 0x200000001ull, 0x400000001ull,
  } },
  { 0x80000000ull, 0x1full, {
      0x10000001full, 0x20000001full, 0x40000001full, 0x8000001full,
      0x10000001full, 0x20000001full, 0x40000001full,
  } },
  { 0x80000000ull, 0x20ull, {
      0x100000020ull, 0x200000020ull, 0x400000020ull, 0x80000020ull,
      0x100000020ull, 0x200000020ull, 0x400000020ull,
  } },
  { 0x80000000ull, 0x3full, {
      0x10000003full, 0x20000003full, 0x40000003full, 0x8000003full,
      0x10000003full, 0x20000003full, 0x40000003full,
  } },
  { 0x80000000ull, 0x40ull, {
      0x100000040ull, 0x200000040ull, 0x400000040ull, 0x80000040ull,
      0x100000040ull, 0x200000040ull, 0x400000040ull,
  } },
  { 0x80000000ull, 0xffffffffffffffffull, {
      0xffffffffull, 0x1ffffffffull, 0x3ffffffffull, 0x7fffffffull,
      0xffffffffull, 0x1ffffffffull, 0x3ffffffffull,
  } },
  { 0x80000000ull, 0x8000000000000001ull, {
      0x8000000100000001ull, 0x8000000200000001ull, 0x8000000400000001ull, 0x8000000080000001ull,
      0x8000000100000001ull, 0x8000000200000001ull, 0x8000000400000001ull,
  } },
  { 0x7fffffffull, 0x0ull, {
      0xfffffffeull, 0x1fffffffcull, 0x3fffffff8ull, 0x7fffffffull,
      0xfffffffeull, 0x1fffffffcull, 0x3fffffff8ull,
  } },
  { 0x7fffffffull, 0x1ull, {
      0xffffffffull, 0x1fffffffdull, 0x3fffffff9ull, 0x80000000ull,
      0xffffffffull, 0x1fffffffdull, 0x3fffffff9ull,
  } },
  { 0x7fffffffull, 0x1full, {
      0x10000001dull, 0x20000001bull, 0x400000017ull, 0x8000001eull,
      0x10000001dull, 0x20000001bull, 0x400000017ull,
  } },
  { 0x7fffffffull, 0x20ull, {
      0x10000001eull, 0x20000001cull, 0x400000018ull, 0x8000001full,
      0x10000001eull, 0x20000001cull, 0x400000018ull,
  } },
  { 0x7fffffffull, 0x3full, {
      0x10000003dull, 0x20000003bull, 0x400000037ull, 0x8000003eull,
      0x10000003dull, 0x20000003bull, 0x400000037ull,
  } },
  { 0x7fffffffull, 0x40ull, {
      0x10000003eull, 0x20000003cull, 0x400000038ull, 0x8000003full,
      0x10000003eull, 0x20000003cull, 0x400000038ull,
  } },
  { 0x7fffffffull, 0xffffffffffffffffull, {
      0xfffffffdull, 0x1fffffffbull, 0x3fffffff7ull, 0x7ffffffeull,
      0xfffffffdull, 0x1fffffffbull, 0x3fffffff7ull,
  } },
  { 0x7fffffffull, 0x8000000000000001ull, {
      0x80000000ffffffffull, 0x80000001fffffffdull, 0x80000003fffffff9ull, 0x8000000080000000ull,
      0x80000000ffffffffull, 0x80000001fffffffdull, 0x80000003fffffff9ull,
  } },
  { 0xffffffff80000000ull, 0x0ull, {
      0xffffffff00000000ull, 0xfffffffe00000000ull, 0xfffffffc00000000ull, 0x80000000ull,
      0x100000000ull, 0x200000000ull, 0x400000000ull,
  } },
  { 0xffffffff80000000ull, 0x1ull, {
      0xffffffff00000001ull, 0xfffffffe00000001ull, 0xfffffffc00000001ull, 0x80000001ull,
      0x100000001ull, 0x200000001ull, 0x400000001ull,
  } },
  { 0xffffffff80000000ull, 0x1full, {
      0xffffffff0000001full, 0xfffffffe0000001full, 0xfffffffc0000001full, 0x8000001full,
      0x10000001full, 0x20000001full, 0x40000001full,
  } },
  { 0xffffffff80000000ull, 0x20ull, {
      0xffffffff00000020ull, 0xfffffffe00000020ull, 0xfffffffc00000020ull, 0x80000020ull,
      0x100000020ull, 0x200000020ull, 0x400000020ull,
  } },
  { 0xffffffff80000000ull, 0x3full, {
      0xffffffff0000003full, 0xfffffffe0000003full, 0xfffffffc0000003full, 0x8000003full,
      0x10000003full, 0x20000003full, 0x40000003full,
  } },
  { 0xffffffff80000000ull, 0x40ull, {
      0xffffffff00000040ull, 0xfffffffe00000040ull, 0xfffffffc00000040ull, 0x80000040ull,
      0x100000040ull, 0x200000040ull, 0x400000040ull,
  } },
  { 0xffffffff80000000ull, 0xffffffffffffffffull, {
      0xfffffffeffffffffull, 0xfffffffdffffffffull, 0xfffffffbffffffffull, 0x7fffffffull,
      0xffffffffull, 0x1ffffffffull, 0x3ffffffffull,
  } },
  { 0xffffffff80000000ull, 0x8000000000000001ull, {
      0x7fffffff00000001ull, 0x7ffffffe00000001ull, 0x7ffffffc00000001ull, 0x8000000080000001ull,
      0x8000000100000001ull, 0x8000000200000001ull, 0x8000000400000001ull,
  } },
  { 0x100000000ull, 0x0ull, {
      0x200000000ull, 0x400000000ull, 0x800000000ull, 0x0ull,
      0x0ull, 0x0ull, 0x0ull,
  } },
  { 0x100000000ull, 0x1ull, {
      0x200000001ull, 0x400000001ull, 0x800000001ull, 0x1ull,
      0x1ull, 0x1ull, 0x1ull,
  } },
  { 0x100000000ull, 0x1full, {
      0x20000001full, 0x40000001full, 0x80000001full, 0x1full,
      0x1full, 0x1full, 0x1full,
  } },
  { 0x100000000ull, 0x20ull, {
      0x200000020ull, 0x400000020ull, 0x800000020ull, 0x20ull,
      0x20ull, 0x20ull, 0x20ull,
  } },
  { 0x100000000ull, 0x3full, {
      0x20000003full, 0x40000003full, 0x80000003full, 0x3full,
      0x3full, 0x3full, 0x3full,
  } },
  { 0x100000000ull, 0x40ull, {
      0x200000040ull, 0x400000040ull, 0x800000040ull, 0x40ull,
      0x40ull, 0x40ull, 0x40ull,
  } },
  { 0x100000000ull, 0xffffffffffffffffull, {
      0x1ffffffffull, 0x3ffffffffull, 0x7ffffffffull, 0xffffffffffffffffull,
      0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull,
  } },
  { 0x100000000ull, 0x8000000000000001ull, {
      0x8000000200000001ull, 0x8000000400000001ull, 0x8000000800000001ull, 0x8000000000000001ull,
      0x8000000000000001ull, 0x8000000000000001ull, 0x8000000000000001ull,
  } },
  { 0x123456789abcdefull, 0x0ull, {
      0x2468acf13579bdeull, 0x48d159e26af37bcull, 0x91a2b3c4d5e6f78ull, 0x89abcdefull,
      0x113579bdeull, 0x226af37bcull, 0x44d5e6f78ull,
  } },
  { 0x123456789abcdefull, 0x1ull, {
      0x2468acf13579bdfull, 0x48d159e26af37bdull, 0x91a2b3c4d5e6f79ull, 0x89abcdf0ull,
      0x113579bdfull, 0x226af37bdull, 0x44d5e6f79ull,
  } },
  { 0x123456789abcdefull, 0x1full, {
      0x2468acf13579bfdull, 0x48d159e26af37dbull, 0x91a2b3c4d5e6f97ull, 0x89abce0eull,
      0x113579bfdull, 0x226af37dbull, 0x44d5e6f97ull,
  } },
  { 0x123456789abcdefull, 0x20ull, {
      0x2468acf13579bfeull, 0x48d159e26af37dcull, 0x91a2b3c4d5e6f98ull, 0x89abce0full,
      0x113579bfeull, 0x226af37dcull, 0x44d5e6f98ull,
  } },
  { 0x123456789abcdefull, 0x3full, {
      0x2468acf13579c1dull, 0x48d159e26af37fbull, 0x91a2b3c4d5e6fb7ull, 0x89abce2eull,
      0x113579c1dull, 0x226af37fbull, 0x44d5e6fb7ull,
  } },
  { 0x123456789abcdefull, 0x40ull, {
      0x2468acf13579c1eull, 0x48d159e26af37fcull, 0x91a2b3c4d5e6fb8ull, 0x89abce2full,
      0x113579c1eull, 0x226af37fcull, 0x44d5e6fb8ull,
  } },
  { 0x123456789abcdefull, 0xffffffffffffffffull, {
      0x2468acf13579bddull, 0x48d159e26af37bbull, 0x91a2b3c4d5e6f77ull, 0x89abcdeeull,
      0x113579bddull, 0x226af37bbull, 0x44d5e6f77ull,
  } },
  { 0x123456789abcdefull, 0x8000000000000001ull, {
      0x82468acf13579bdfull, 0x848d159e26af37bdull, 0x891a2b3c4d5e6f79ull, 0x8000000089abcdf0ull,
      0x8000000113579bdfull, 0x8000000226af37bdull, 0x800000044d5e6f79ull,
  } },
  { 0xfedcba9876543210ull, 0x0ull, {
      0xfdb97530eca86420ull, 0xfb72ea61d950c840ull, 0xf6e5d4c3b2a19080ull, 0x76543210ull,
      0xeca86420ull, 0x1d950c840ull, 0x3b2a19080ull,
  } },
  { 0xfedcba9876543210ull, 0x1ull, {
      0xfdb97530eca86421ull, 0xfb72ea61d950c841ull, 0xf6e5d4c3b2a19081ull, 0x76543211ull,
      0xeca86421ull, 0x1d950c841ull, 0x3b2a19081ull,
  } },
  { 0xfedcba9876543210ull, 0x1full, {
      0xfdb97530eca8643full, 0xfb72ea61d950c85full, 0xf6e5d4c3b2a1909full, 0x7654322full,
      0xeca8643full, 0x1d950c85full, 0x3b2a1909full,
  } },
  { 0xfedcba9876543210ull, 0x20ull, {
      0xfdb97530eca86440ull, 0xfb72ea61d950c860ull, 0xf6e5d4c3b2a190a0ull, 0x76543230ull,
      0xeca86440ull, 0x1d950c860ull, 0x3b2a190a0ull,
  } },
  { 0xfedcba9876543210ull, 0x3full, {
      0xfdb97530eca8645full, 0xfb72ea61d950c87full, 0xf6e5d4c3b2a190bfull, 0x7654324full,
      0xeca8645full, 0x1d950c87full, 0x3b2a190bfull,
  } },
  { 0xfedcba9876543210ull, 0x40ull, {
      0xfdb97530eca86460ull, 0xfb72ea61d950c880ull, 0xf6e5d4c3b2a190c0ull, 0x76543250ull,
      0xeca86460ull, 0x1d950c880ull, 0x3b2a190c0ull,
  } },
  { 0xfedcba9876543210ull, 0xffffffffffffffffull, {
      0xfdb97530eca8641full, 0xfb72ea61d950c83full, 0xf6e5d4c3b2a1907full, 0x7654320full,
      0xeca8641full, 0x1d950c83full, 0x3b2a1907full,
  } },
  { 0xfedcba9876543210ull, 0x8000000000000001ull, {
      0x7db97530eca86421ull, 0x7b72ea61d950c841ull, 0x76e5d4c3b2a19081ull, 0x8000000076543211ull,
      0x80000000eca86421ull, 0x80000001d950c841ull, 0x80000003b2a19081ull,
  } },
  { 0xff00000000ff00ull, 0x0ull, {
      0x1fe00000001fe00ull, 0x3fc00000003fc00ull, 0x7f800000007f800ull, 0xff00ull,
      0x1fe00ull, 0x3fc00ull, 0x7f800ull,
  } },
  { 0xff00000000ff00ull, 0x1ull, {
      0x1fe00000001fe01ull, 0x3fc00000003fc01ull, 0x7f800000007f801ull, 0xff01ull,
      0x1fe01ull, 0x3fc01ull, 0x7f801ull,
  } },
  { 0xff00000000ff00ull, 0x1full, {
      0x1fe00000001fe1full, 0x3fc00000003fc1full, 0x7f800000007f81full, 0xff1full,
      0x1fe1full, 0x3fc1full, 0x7f81full,
  } },
  { 0xff00000000ff00ull, 0x20ull, {
      0x1fe00000001fe20ull, 0x3fc00000003fc20ull, 0x7f800000007f820ull, 0xff20ull,
      0x1fe20ull, 0x3fc20ull, 0x7f820ull,
  } },
  { 0xff00000000ff00ull, 0x3full, {
      0x1fe00000001fe3full, 0x3fc00000003fc3full, 0x7f800000007f83full, 0xff3full,
      0x1fe3full, 0x3fc3full, 0x7f83full,
  } },
  { 0xff00000000ff00ull, 0x40ull, {
      0x1fe00000001fe40ull, 0x3fc00000003fc40ull, 0x7f800000007f840ull, 0xff40ull,
      0x1fe40ull, 0x3fc40ull, 0x7f840ull,
  } },
  { 0xff00000000ff00ull, 0xffffffffffffffffull, {
      0x1fe00000001fdffull, 0x3fc00000003fbffull, 0x7f800000007f7ffull, 0xfeffull,
      0x1fdffull, 0x3fbffull, 0x7f7ffull,
  } },
  { 0xff00000000ff00ull, 0x8000000000000001ull, {
      0x81fe00000001fe01ull, 0x83fc00000003fc01ull, 0x87f800000007f801ull, 0x800000000000ff01ull,
      0x800000000001fe01ull, 0x800000000003fc01ull, 0x800000000007f801ull,
  } },
};
static const struct bv1 { uint64_t a, r[NOPS1]; } tab1[] = {
  { 0x0ull, {
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x0ull,
  } },
  { 0x1ull, {
      0x1ull, 0x2ull, 0x80000000ull, 0x100000000ull,
      0x8000000000000000ull,
  } },
  { 0xffffffffffffffffull, {
      0xffffffffull, 0x1fffffffeull, 0x7fffffff80000000ull, 0xffffffff00000000ull,
      0x8000000000000000ull,
  } },
  { 0x8000000000000000ull, {
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x0ull,
  } },
  { 0x7fffffffffffffffull, {
      0xffffffffull, 0x1fffffffeull, 0x7fffffff80000000ull, 0xffffffff00000000ull,
      0x8000000000000000ull,
  } },
  { 0x80000000ull, {
      0x80000000ull, 0x100000000ull, 0x4000000000000000ull, 0x8000000000000000ull,
      0x0ull,
  } },
  { 0x7fffffffull, {
      0x7fffffffull, 0xfffffffeull, 0x3fffffff80000000ull, 0x7fffffff00000000ull,
      0x8000000000000000ull,
  } },
  { 0xffffffff80000000ull, {
      0x80000000ull, 0x100000000ull, 0x4000000000000000ull, 0x8000000000000000ull,
      0x0ull,
  } },
  { 0x100000000ull, {
      0x0ull, 0x0ull, 0x0ull, 0x0ull,
      0x0ull,
  } },
  { 0x123456789abcdefull, {
      0x89abcdefull, 0x113579bdeull, 0x44d5e6f780000000ull, 0x89abcdef00000000ull,
      0x8000000000000000ull,
  } },
  { 0xfedcba9876543210ull, {
      0x76543210ull, 0xeca86420ull, 0x3b2a190800000000ull, 0x7654321000000000ull,
      0x0ull,
  } },
  { 0xff00000000ff00ull, {
      0xff00ull, 0x1fe00ull, 0x7f8000000000ull, 0xff0000000000ull,
      0x0ull,
  } },
  { 0xffffffffull, {
      0xffffffffull, 0x1fffffffeull, 0x7fffffff80000000ull, 0xffffffff00000000ull,
      0x8000000000000000ull,
  } },
  { 0x8000000000000001ull, {
      0x1ull, 0x2ull, 0x80000000ull, 0x100000000ull,
      0x8000000000000000ull,
  } },
  { 0x10000ull, {
      0x10000ull, 0x20000ull, 0x800000000000ull, 0x1000000000000ull,
      0x0ull,
  } },
  { 0x5555555555555555ull, {
      0x55555555ull, 0xaaaaaaaaull, 0x2aaaaaaa80000000ull, 0x5555555500000000ull,
      0x8000000000000000ull,
  } },
  { 0x80ull, {
      0x80ull, 0x100ull, 0x4000000000ull, 0x8000000000ull,
      0x0ull,
  } },
  { 0x8000ull, {
      0x8000ull, 0x10000ull, 0x400000000000ull, 0x800000000000ull,
      0x0ull,
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
    __asm__ volatile(ZB "sh3add" " %0, %0, %0\n\t" "sh3add" " zero, %0, %0\n\tmv %1, zero" ZE
                     : "+r"(x), "=r"(z));
    CHECK("rd==rs1==rs2 " "sh3add", x, 0x870);
    CHECK("x0 destination discarded", z, 0);
    return rvt_done("zba");
}
