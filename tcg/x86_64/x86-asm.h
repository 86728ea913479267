/*
 * x86-64 instruction encoder used by the x86-64 back end.
 *
 * X86Asm is a write cursor over a window of the code buffer: bytes go to the
 * writable view (rw), while anything position-dependent (rel32 branches,
 * RIP-relative operands) is computed against the executable view (rx).
 * Every byte write is bounds-checked: past the end nothing is stored, the
 * position keeps counting, and x86_overflowed() reports it.  That is what
 * lets gen_code() fail cleanly ("buffer full") without ever writing past
 * the buffer, however long the sequence a single op expands to.
 *
 * Opcodes are passed as an int: the low byte is the opcode byte, the high
 * bits (X86_P_*) say which prefixes, escape bytes and REX bits it needs.
 * The named helpers below build on x86_op_modrm()/x86_op_modrm_mem(); the unit
 * test tests/unit/test-x86-encode.c disassembles every form they produce.
 */
#ifndef TCG_X86_64_X86_ASM_H
#define TCG_X86_64_X86_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rove/tcg.h"

enum {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
    X86_NB_REGS,
};

/* Optional host features (bits of X86Asm.features). */
enum {
    X86_FEAT_BMI1 = 1 << 0,   /* andn, tzcnt */
    X86_FEAT_BMI2 = 1 << 1,   /* shlx/shrx/sarx, rorx */
    X86_FEAT_LZCNT = 1 << 2,
    X86_FEAT_POPCNT = 1 << 3,
    X86_FEAT_MOVBE = 1 << 4,
    X86_FEAT_FMA = 1 << 5,    /* FMA3 (with OS support for AVX state) */
    X86_FEAT_ALL = 0x3f,
};

/* Host features, probed once with cpuid; ROVE_X86_FEATURES=baseline
 * (or a comma list such as "bmi1,popcnt") restricts them. */
unsigned x86_host_features(void);
/* Parse a ROVE_X86_FEATURES-style spec against the detected set. */
unsigned x86_parse_features(const char *spec, unsigned detected);

/* Opcode flags. */
#define X86_P_0F      0x100     /* 0x0f escape */
#define X86_P_0F38    0x200     /* 0x0f 0x38 escape */
#define X86_P_0F3A    0x400     /* 0x0f 0x3a escape */
#define X86_P_66      0x800     /* operand-size (16-bit) prefix */
#define X86_P_F3      0x1000
#define X86_P_F2      0x2000
#define X86_P_W       0x4000    /* REX.W: 64-bit operand size */
#define X86_P_BYTE_R  0x8000    /* modrm.reg names a byte register */
#define X86_P_BYTE_RM 0x10000   /* modrm.rm names a byte register */

/* Single-byte opcodes and groups. */
#define X86_OPC_ARITH_EvIz 0x81
#define X86_OPC_ARITH_EvIb 0x83
#define X86_OPC_MOVB_EvGv  0x88
#define X86_OPC_MOVL_EvGv  0x89
#define X86_OPC_MOVL_GvEv  0x8b
#define X86_OPC_LEA        0x8d
#define X86_OPC_MOVB_EvIz  0xc6
#define X86_OPC_MOVL_EvIz  0xc7
#define X86_OPC_SHIFT_Ib   0xc1
#define X86_OPC_SHIFT_1    0xd1
#define X86_OPC_SHIFT_cl   0xd3
#define X86_OPC_GRP3       0xf7
#define X86_OPC_GRP5       0xff
#define X86_OPC_TESTL      0x85
#define X86_OPC_XCHG       0x87
#define X86_OPC_MOVSLQ     (0x63 | X86_P_W)
#define X86_OPC_IMUL_GvEv  (0xaf | X86_P_0F)
#define X86_OPC_IMUL_GvEvIb 0x6b
#define X86_OPC_IMUL_GvEvIz 0x69
#define X86_OPC_MOVZBL     (0xb6 | X86_P_0F)
#define X86_OPC_MOVZWL     (0xb7 | X86_P_0F)
#define X86_OPC_MOVSBL     (0xbe | X86_P_0F)
#define X86_OPC_MOVSWL     (0xbf | X86_P_0F)
#define X86_OPC_BSF        (0xbc | X86_P_0F)
#define X86_OPC_BSR        (0xbd | X86_P_0F)
#define X86_OPC_TZCNT      (0xbc | X86_P_0F | X86_P_F3)
#define X86_OPC_LZCNT      (0xbd | X86_P_0F | X86_P_F3)
#define X86_OPC_POPCNT     (0xb8 | X86_P_0F | X86_P_F3)
#define X86_OPC_MOVBE_GyMy (0xf0 | X86_P_0F38)
#define X86_OPC_MOVBE_MyGy (0xf1 | X86_P_0F38)
#define X86_OPC_CMOVCC     (0x40 | X86_P_0F)
#define X86_OPC_SETCC      (0x90 | X86_P_0F | X86_P_BYTE_RM)

/* ALU ops (the /digit of 0x81/0x83, and opcode = alu << 3 | 1 or 3). */
typedef enum X86Alu {
    X86_ALU_ADD = 0, X86_ALU_OR = 1, X86_ALU_ADC = 2, X86_ALU_SBB = 3,
    X86_ALU_AND = 4, X86_ALU_SUB = 5, X86_ALU_XOR = 6, X86_ALU_CMP = 7,
} X86Alu;

/* Shift group (/digit of 0xc1/0xd1/0xd3). */
typedef enum X86Shift {
    X86_SHIFT_ROL = 0, X86_SHIFT_ROR = 1, X86_SHIFT_SHL = 4, X86_SHIFT_SHR = 5,
    X86_SHIFT_SAR = 7,
} X86Shift;

/* Group 3 (/digit of 0xf7). */
typedef enum X86Grp3 {
    X86_GRP3_TEST = 0, X86_GRP3_NOT = 2, X86_GRP3_NEG = 3, X86_GRP3_MUL = 4,
    X86_GRP3_IMUL = 5, X86_GRP3_DIV = 6, X86_GRP3_IDIV = 7,
} X86Grp3;

/* Condition codes (low nibble of jcc/setcc/cmovcc). */
typedef enum X86Cond {
    X86_CC_O = 0, X86_CC_NO = 1, X86_CC_B = 2, X86_CC_AE = 3, X86_CC_E = 4,
    X86_CC_NE = 5, X86_CC_BE = 6, X86_CC_A = 7, X86_CC_S = 8, X86_CC_NS = 9,
    X86_CC_P = 10, X86_CC_NP = 11, X86_CC_L = 12, X86_CC_GE = 13, X86_CC_LE = 14,
    X86_CC_G = 15,
} X86Cond;

/* The x86 condition testing TcgCond after "cmp a, b". */
X86Cond x86_cond_from_tcg(TcgCond c);

typedef struct X86Asm {
    uint8_t *rw;        /* writable base of the window */
    uintptr_t rx;       /* executable address of rw[0] */
    size_t pos;         /* next byte, relative to rw */
    size_t size;        /* bytes writable from rw */
    unsigned features;  /* X86_FEAT_* the encoder may use */
} X86Asm;

static inline void x86_out8(X86Asm *a, unsigned v)
{
    if (a->pos < a->size) {
        a->rw[a->pos] = (uint8_t)v;
    }
    a->pos++;
}

static inline void x86_out16(X86Asm *a, unsigned v)
{
    x86_out8(a, v);
    x86_out8(a, v >> 8);
}

static inline void x86_out32(X86Asm *a, uint32_t v)
{
    if (a->pos + 4 <= a->size) {
        a->rw[a->pos] = (uint8_t)v;
        a->rw[a->pos + 1] = (uint8_t)(v >> 8);
        a->rw[a->pos + 2] = (uint8_t)(v >> 16);
        a->rw[a->pos + 3] = (uint8_t)(v >> 24);
        a->pos += 4;
    } else {
        for (int i = 0; i < 4; i++) {
            x86_out8(a, v >> (8 * i));
        }
    }
}

static inline void x86_out64(X86Asm *a, uint64_t v)
{
    x86_out32(a, (uint32_t)v);
    x86_out32(a, (uint32_t)(v >> 32));
}

static inline bool x86_overflowed(const X86Asm *a)
{
    return a->pos > a->size;
}

/* Executable address of the next byte. */
static inline uintptr_t x86_rx_here(const X86Asm *a)
{
    return a->rx + a->pos;
}

/* Overwrite a previously emitted 32-bit field (no-op if out of range). */
void x86_patch32(X86Asm *a, size_t pos, uint32_t v);

static inline bool x86_fits_s8(int64_t v)
{
    return v == (int8_t)v;
}
static inline bool x86_fits_s32(int64_t v)
{
    return v == (int32_t)v;
}
static inline bool x86_fits_u32(int64_t v)
{
    return (uint64_t)v == (uint32_t)v;
}

/* ---- generic forms ---- */
/* Prefixes, REX and opcode for reg field r, rm field rm, SIB index x
 * (-1 if none).  Register numbers only feed the REX bits here. */
void x86_opc(X86Asm *a, int opc, int r, int rm, int x);
/* opc with register-direct modrm (mod = 3). */
void x86_op_modrm(X86Asm *a, int opc, int r, int rm);
/* opc with a memory operand [base + index << shift + disp];
 * base or index may be -1 (index must not be rsp). */
void x86_op_modrm_mem(X86Asm *a, int opc, int r, int base, int index, int shift, int32_t disp);
/* opc with a RIP-relative memory operand addressing target_rx; imm_bytes is
 * the size of any immediate that follows the displacement. */
void x86_op_modrm_rip(X86Asm *a, int opc, int r, uintptr_t target_rx, int imm_bytes);
/* VEX-encoded op (BMI): map 2 = 0f38, 3 = 0f3a; pp 0/1/2/3 = none/66/f3/f2. */
void x86_op_vex_modrm(X86Asm *a, int map, int pp, bool w, int opc, int r, int v, int rm);

/* ---- moves ---- */
void x86_mov_rr(X86Asm *a, TcgType type, int dst, int src);
void x86_movi(X86Asm *a, TcgType type, int dst, int64_t val);
/* Load/store of 1/2/4/8 bytes: size is log2, sign-extend into 32/64 bits. */
void x86_load(X86Asm *a, TcgType type, MemOp mop, int dst, int base, int index,
              int32_t disp);
void x86_store(X86Asm *a, MemOp mop, int src, int base, int index, int32_t disp);
/* Store immediate: val truncated to the size; 64-bit values that do not fit
 * a sign-extended imm32 take two 32-bit stores. */
void x86_store_imm(X86Asm *a, MemOp mop, int64_t val, int base, int index, int32_t disp);
void x86_lea(X86Asm *a, TcgType type, int dst, int base, int index, int shift,
             int32_t disp);
void x86_movzx(X86Asm *a, MemOp size, int dst, int src);   /* size MO_8/MO_16 */
void x86_movsx(X86Asm *a, TcgType type, MemOp size, int dst, int src); /* 8/16/32 */
void x86_xchg(X86Asm *a, int r1, int r2);

/* ---- arithmetic ---- */
void x86_alu_rr(X86Asm *a, X86Alu op, TcgType type, int dst, int src);
void x86_alu_ri(X86Asm *a, X86Alu op, TcgType type, int dst, int32_t imm);
void x86_test_rr(X86Asm *a, TcgType type, int r1, int r2);
void x86_grp3(X86Asm *a, X86Grp3 op, TcgType type, int r);
void x86_shift_ri(X86Asm *a, X86Shift op, TcgType type, int dst, int count);
void x86_shift_cl(X86Asm *a, X86Shift op, TcgType type, int dst);
void x86_imul_rr(X86Asm *a, TcgType type, int dst, int src);
void x86_imul_rri(X86Asm *a, TcgType type, int dst, int src, int32_t imm);
void x86_cqo(X86Asm *a, TcgType type);      /* cdq / cqo */
void x86_bswap(X86Asm *a, TcgType type, int r);
void x86_rol16_8(X86Asm *a, int r);         /* rol r16, 8: swap the low 2 bytes */
void x86_bitop(X86Asm *a, int opc, TcgType type, int dst, int src); /* bsf/lzcnt/.. */
void x86_cmov(X86Asm *a, X86Cond cc, TcgType type, int dst, int src);
void x86_setcc(X86Asm *a, X86Cond cc, int dst);
/* BMI */
void x86_andn(X86Asm *a, TcgType type, int dst, int src1, int src2); /* ~src1 & src2 */
void x86_shiftx(X86Asm *a, X86Shift op, TcgType type, int dst, int src, int count);
void x86_rorx(X86Asm *a, TcgType type, int dst, int src, int imm);
void x86_movbe_load(X86Asm *a, MemOp size, int dst, int base, int index, int32_t disp);
void x86_movbe_store(X86Asm *a, MemOp size, int src, int base, int index, int32_t disp);

/* ---- control ---- */
/* Emit jcc/jmp with a rel32 field; returns the position of the field. */
size_t x86_jcc32(X86Asm *a, X86Cond cc);
size_t x86_jmp32(X86Asm *a);
/* Branch to a known rx target, short form when it fits. */
void x86_jcc_to(X86Asm *a, X86Cond cc, uintptr_t target_rx);
void x86_jmp_to(X86Asm *a, uintptr_t target_rx);
void x86_call_to(X86Asm *a, uintptr_t target_rx); /* call rel32 or via rax */
void x86_jmp_reg(X86Asm *a, int r);
void x86_call_reg(X86Asm *a, int r);
void x86_push(X86Asm *a, int r);
void x86_pop(X86Asm *a, int r);
void x86_ret(X86Asm *a);
void x86_mfence(X86Asm *a);
void x86_ud2(X86Asm *a);
/* Pad with multi-byte nops so that pos % align == want. */
void x86_align(X86Asm *a, unsigned align, unsigned want);
void x86_nops(X86Asm *a, unsigned n);

#endif
