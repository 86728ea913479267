/*
 * x86-64 instruction encoder (see x86-asm.h for the conventions).
 *
 * Only the forms the back end needs are here; each is exercised register by
 * register by tests/unit/test-x86-encode.c against capstone.
 */
#include "tcg/x86_64/x86-asm.h"

#include <glib.h>
#include <string.h>

X86Cond x86_cond_from_tcg(TcgCond c)
{
    switch (c) {
    case TCG_COND_EQ: return X86_CC_E;
    case TCG_COND_NE: return X86_CC_NE;
    case TCG_COND_LT: return X86_CC_L;
    case TCG_COND_GE: return X86_CC_GE;
    case TCG_COND_LE: return X86_CC_LE;
    case TCG_COND_GT: return X86_CC_G;
    case TCG_COND_LTU: return X86_CC_B;
    case TCG_COND_GEU: return X86_CC_AE;
    case TCG_COND_LEU: return X86_CC_BE;
    case TCG_COND_GTU: return X86_CC_A;
    default:
        g_error("x86: no host condition for %s", tcg_cond_name(c));
    }
}

void x86_patch32(X86Asm *a, size_t pos, uint32_t v)
{
    if (pos + 4 <= a->size) {
        a->rw[pos] = (uint8_t)v;
        a->rw[pos + 1] = (uint8_t)(v >> 8);
        a->rw[pos + 2] = (uint8_t)(v >> 16);
        a->rw[pos + 3] = (uint8_t)(v >> 24);
    }
}

static int opc_wbit(TcgType type)
{
    return type == TCG_I64 ? X86_P_W : 0;
}

/* ---- generic forms ---- */

/*
 * An instruction is put together in a 16-byte buffer on the stack (the
 * longest form here is 16 bytes) through a cursor p that the enc_*
 * functions advance, and stored with one bounds check (bytes_emit): byte
 * stores straight into the code buffer would each reload the X86Asm
 * cursor, since they may alias it.
 */
enum { X86_INSN_MAX = 16 };

static inline uint8_t *put8(uint8_t *p, unsigned v)
{
    *p = (uint8_t)v;
    return p + 1;
}

static inline uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

/* Store buf[0, end - buf). */
static inline void bytes_emit(X86Asm *a, const uint8_t *buf, const uint8_t *end)
{
    size_t n = (size_t)(end - buf);
    if (a->pos + X86_INSN_MAX <= a->size) {
        /* All 16: a fixed-size copy; what lies past n is overwritten by
         * the next instruction, or is free space. */
        memcpy(a->rw + a->pos, buf, X86_INSN_MAX);
        a->pos += n;
    } else {
        for (size_t i = 0; i < n; i++) {
            x86_out8(a, buf[i]);
        }
    }
}

static inline uint8_t *enc_opc(uint8_t *p, int opc, int r, int rm, int x)
{
    int rex = ((opc & X86_P_W) ? 8 : 0) | (r >= 8 ? 4 : 0) | (x >= 8 ? 2 : 0) | (rm >= 8 ? 1 : 0);

    if (!(opc & (X86_P_BYTE_R | X86_P_BYTE_RM | X86_P_66 | X86_P_F3 | X86_P_F2 | X86_P_0F |
                 X86_P_0F38 | X86_P_0F3A))) {
        /* the usual case: at most a REX prefix */
        if (rex) {
            p = put8(p, 0x40 | rex);
        }
        return put8(p, opc & 0xff);
    }
    /* spl/bpl/sil/dil exist only with a REX prefix (else ah/ch/dh/bh). */
    if ((opc & X86_P_BYTE_R) && r >= 4 && r < 8) {
        rex |= 0x40;
    }
    if ((opc & X86_P_BYTE_RM) && rm >= 4 && rm < 8) {
        rex |= 0x40;
    }
    if (opc & (X86_P_66 | X86_P_F3 | X86_P_F2)) {
        if (opc & X86_P_66) {
            p = put8(p, 0x66);
        }
        if (opc & X86_P_F3) {
            p = put8(p, 0xf3);
        } else if (opc & X86_P_F2) {
            p = put8(p, 0xf2);
        }
    }
    if (rex) {
        p = put8(p, 0x40 | (rex & 0xf));
    }
    if (opc & (X86_P_0F | X86_P_0F38 | X86_P_0F3A)) {
        p = put8(p, 0x0f);
        if (opc & X86_P_0F38) {
            p = put8(p, 0x38);
        } else if (opc & X86_P_0F3A) {
            p = put8(p, 0x3a);
        }
    }
    return put8(p, opc & 0xff);
}

static inline uint8_t *enc_op_modrm(uint8_t *p, int opc, int r, int rm)
{
    p = enc_opc(p, opc, r, rm, -1);
    return put8(p, 0xc0 | ((r & 7) << 3) | (rm & 7));
}

static inline uint8_t *enc_op_modrm_mem(uint8_t *p, int opc, int r, int base, int index,
                                        int shift, int32_t disp)
{
    g_assert(index != X86_RSP);
    p = enc_opc(p, opc, r, base, index);
    r &= 7;
    if (index < 0 && base >= 0) {
        /* the usual case, [base + disp], first: */
        int b = base & 7;
        int mod = disp == 0 && b != X86_RBP ? 0 : x86_fits_s8(disp) ? 1 : 2;
        p = put8(p, (mod << 6) | (r << 3) | b);
        if (b == X86_RSP) {
            p = put8(p, 0x24); /* SIB: rsp/r12 as a base, no index */
        }
        return mod == 1 ? put8(p, (uint8_t)disp) : mod == 2 ? put32(p, (uint32_t)disp) : p;
    }
    if (base < 0 && index < 0) {
        /* Absolute [disp32]: SIB with no base and no index. */
        p = put8(p, 0x04 | (r << 3));
        p = put8(p, 0x25);
        return put32(p, (uint32_t)disp);
    }
    int mod;
    if (base < 0) {
        mod = 0; /* base field 101 with mod 00: disp32, no base */
    } else if (disp == 0 && (base & 7) != X86_RBP) {
        mod = 0; /* rbp/r13 in the base field with mod 00 mean "no base" */
    } else if (x86_fits_s8(disp)) {
        mod = 1;
    } else {
        mod = 2;
    }
    if (index < 0 && (base & 7) != X86_RSP) {
        p = put8(p, (mod << 6) | (r << 3) | (base & 7));
    } else {
        /* SIB byte: needed for an index, and for rsp/r12 as a base. */
        p = put8(p, (mod << 6) | (r << 3) | 4);
        int idx = index < 0 ? 4 : (index & 7);
        int b = base < 0 ? 5 : (base & 7);
        p = put8(p, (shift << 6) | (idx << 3) | b);
    }
    if (mod == 1) {
        p = put8(p, (uint8_t)disp);
    } else if (mod == 2 || base < 0) {
        p = put32(p, (uint32_t)disp);
    }
    return p;
}

void x86_opc(X86Asm *a, int opc, int r, int rm, int x)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    bytes_emit(a, buf, enc_opc(buf, opc, r, rm, x));
}

void x86_op_modrm(X86Asm *a, int opc, int r, int rm)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    bytes_emit(a, buf, enc_op_modrm(buf, opc, r, rm));
}

/* opc, register-direct modrm, then an imm8 or imm32. */
static void op_modrm_imm(X86Asm *a, int opc, int r, int rm, bool imm8, uint32_t imm)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    uint8_t *p = enc_op_modrm(buf, opc, r, rm);
    bytes_emit(a, buf, imm8 ? put8(p, imm) : put32(p, imm));
}

void x86_op_modrm_mem(X86Asm *a, int opc, int r, int base, int index, int shift, int32_t disp)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    bytes_emit(a, buf, enc_op_modrm_mem(buf, opc, r, base, index, shift, disp));
}

/* opc with a memory operand, then an immediate of 1, 2 or 4 bytes. */
static void op_modrm_mem_imm(X86Asm *a, int opc, int r, int base, int index, int32_t disp,
                             unsigned imm_bytes, uint32_t imm)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    uint8_t *p = enc_op_modrm_mem(buf, opc, r, base, index, 0, disp);
    for (unsigned i = 0; i < imm_bytes; i++) {
        p = put8(p, imm >> (8 * i));
    }
    bytes_emit(a, buf, p);
}

void x86_op_modrm_rip(X86Asm *a, int opc, int r, uintptr_t target_rx, int imm_bytes)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    uint8_t *p = enc_opc(buf, opc, r, -1, -1);
    p = put8(p, 0x05 | ((r & 7) << 3));
    intptr_t disp = (intptr_t)(target_rx - (x86_rx_here(a) + (size_t)(p - buf) + 4 + imm_bytes));
    g_assert(x86_fits_s32(disp));
    bytes_emit(a, buf, put32(p, (uint32_t)disp));
}

void x86_op_vex_modrm(X86Asm *a, int map, int pp, bool w, int opc, int r, int v, int rm)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    uint8_t *p = put8(buf, 0xc4);
    p = put8(p, ((r < 8) << 7) | (1 << 6) | ((rm < 8) << 5) | map);
    p = put8(p, (w << 7) | ((~v & 15) << 3) | pp);
    p = put8(p, opc);
    bytes_emit(a, buf, put8(p, 0xc0 | ((r & 7) << 3) | (rm & 7)));
}

/* ---- moves ---- */

void x86_mov_rr(X86Asm *a, TcgType type, int dst, int src)
{
    x86_op_modrm(a, X86_OPC_MOVL_GvEv | opc_wbit(type), dst, src);
}

void x86_movi(X86Asm *a, TcgType type, int dst, int64_t val)
{
    if (type == TCG_I32) {
        val = (uint32_t)val;
    }
    if (val == 0) {
        /* xor r32, r32: shortest, and breaks the dependency (clobbers flags). */
        x86_op_modrm(a, (X86_ALU_XOR << 3) | 3, dst, dst);
    } else if (x86_fits_u32(val)) {
        uint8_t buf[X86_INSN_MAX] = { 0 };
        bytes_emit(a, buf, put32(enc_opc(buf, 0xb8 + (dst & 7), 0, dst, -1), (uint32_t)val));
    } else if (x86_fits_s32(val)) {
        op_modrm_imm(a, X86_OPC_MOVL_EvIz | X86_P_W, 0, dst, false, (uint32_t)val);
    } else {
        intptr_t rel = (intptr_t)((uintptr_t)val - (x86_rx_here(a) + 7));
        if (x86_fits_s32(rel)) {
            /* Near the code: lea r, [rip + rel] is 7 bytes instead of 10. */
            x86_op_modrm_rip(a, X86_OPC_LEA | X86_P_W, dst, (uintptr_t)val, 0);
        } else {
            uint8_t buf[X86_INSN_MAX] = { 0 };
            uint8_t *p = enc_opc(buf, (0xb8 + (dst & 7)) | X86_P_W, 0, dst, -1);
            p = put32(p, (uint32_t)val);
            bytes_emit(a, buf, put32(p, (uint32_t)((uint64_t)val >> 32)));
        }
    }
}

void x86_load(X86Asm *a, TcgType type, MemOp mop, int dst, int base, int index, int32_t disp)
{
    int w = opc_wbit(type);
    int opc;

    switch (mop & MO_SIZE) {
    case MO_8:
        opc = (mop & MO_SIGN) ? X86_OPC_MOVSBL | w : X86_OPC_MOVZBL;
        break;
    case MO_16:
        opc = (mop & MO_SIGN) ? X86_OPC_MOVSWL | w : X86_OPC_MOVZWL;
        break;
    case MO_32:
        opc = ((mop & MO_SIGN) && type == TCG_I64) ? X86_OPC_MOVSLQ : X86_OPC_MOVL_GvEv;
        break;
    default:
        opc = X86_OPC_MOVL_GvEv | X86_P_W;
        break;
    }
    x86_op_modrm_mem(a, opc, dst, base, index, 0, disp);
}

void x86_store(X86Asm *a, MemOp mop, int src, int base, int index, int32_t disp)
{
    static const int opc[4] = {
        X86_OPC_MOVB_EvGv | X86_P_BYTE_R,
        X86_OPC_MOVL_EvGv | X86_P_66,
        X86_OPC_MOVL_EvGv,
        X86_OPC_MOVL_EvGv | X86_P_W,
    };
    x86_op_modrm_mem(a, opc[mop & MO_SIZE], src, base, index, 0, disp);
}

void x86_store_imm(X86Asm *a, MemOp mop, int64_t val, int base, int index, int32_t disp)
{
    switch (mop & MO_SIZE) {
    case MO_8:
        op_modrm_mem_imm(a, X86_OPC_MOVB_EvIz, 0, base, index, disp, 1, (uint32_t)val);
        break;
    case MO_16:
        op_modrm_mem_imm(a, X86_OPC_MOVL_EvIz | X86_P_66, 0, base, index, disp, 2,
                         (uint32_t)val);
        break;
    case MO_32:
        op_modrm_mem_imm(a, X86_OPC_MOVL_EvIz, 0, base, index, disp, 4, (uint32_t)val);
        break;
    default:
        if (x86_fits_s32(val)) {
            op_modrm_mem_imm(a, X86_OPC_MOVL_EvIz | X86_P_W, 0, base, index, disp, 4,
                             (uint32_t)val);
        } else {
            /* No register needed: two halves (the allocator relies on it). */
            op_modrm_mem_imm(a, X86_OPC_MOVL_EvIz, 0, base, index, disp, 4, (uint32_t)val);
            op_modrm_mem_imm(a, X86_OPC_MOVL_EvIz, 0, base, index, disp + 4, 4,
                             (uint32_t)((uint64_t)val >> 32));
        }
        break;
    }
}

void x86_lea(X86Asm *a, TcgType type, int dst, int base, int index, int shift, int32_t disp)
{
    x86_op_modrm_mem(a, X86_OPC_LEA | opc_wbit(type), dst, base, index, shift, disp);
}

void x86_movzx(X86Asm *a, MemOp size, int dst, int src)
{
    if (size == MO_8) {
        x86_op_modrm(a, X86_OPC_MOVZBL | X86_P_BYTE_RM, dst, src);
    } else {
        x86_op_modrm(a, X86_OPC_MOVZWL, dst, src);
    }
}

void x86_movsx(X86Asm *a, TcgType type, MemOp size, int dst, int src)
{
    int w = opc_wbit(type);
    if (size == MO_8) {
        x86_op_modrm(a, X86_OPC_MOVSBL | X86_P_BYTE_RM | w, dst, src);
    } else if (size == MO_16) {
        x86_op_modrm(a, X86_OPC_MOVSWL | w, dst, src);
    } else {
        x86_op_modrm(a, X86_OPC_MOVSLQ, dst, src);
    }
}

void x86_xchg(X86Asm *a, int r1, int r2)
{
    x86_op_modrm(a, X86_OPC_XCHG | X86_P_W, r1, r2);
}

/* ---- arithmetic ---- */

void x86_alu_rr(X86Asm *a, X86Alu op, TcgType type, int dst, int src)
{
    x86_op_modrm(a, ((int)op << 3 | 3) | opc_wbit(type), dst, src);
}

void x86_alu_ri(X86Asm *a, X86Alu op, TcgType type, int dst, int32_t imm)
{
    int w = opc_wbit(type);
    if (x86_fits_s8(imm)) {
        op_modrm_imm(a, X86_OPC_ARITH_EvIb | w, op, dst, true, (uint32_t)imm);
    } else if (dst == X86_RAX) {
        uint8_t buf[X86_INSN_MAX] = { 0 };
        bytes_emit(a, buf, put32(enc_opc(buf, ((int)op << 3 | 5) | w, 0, 0, -1), (uint32_t)imm));
    } else {
        op_modrm_imm(a, X86_OPC_ARITH_EvIz | w, op, dst, false, (uint32_t)imm);
    }
}

void x86_test_rr(X86Asm *a, TcgType type, int r1, int r2)
{
    x86_op_modrm(a, X86_OPC_TESTL | opc_wbit(type), r2, r1);
}

void x86_grp3(X86Asm *a, X86Grp3 op, TcgType type, int r)
{
    x86_op_modrm(a, X86_OPC_GRP3 | opc_wbit(type), op, r);
}

void x86_shift_ri(X86Asm *a, X86Shift op, TcgType type, int dst, int count)
{
    int w = opc_wbit(type);
    count &= type == TCG_I64 ? 63 : 31;
    if (count == 0) {
        return;
    }
    if (count == 1) {
        x86_op_modrm(a, X86_OPC_SHIFT_1 | w, op, dst);
    } else {
        op_modrm_imm(a, X86_OPC_SHIFT_Ib | w, op, dst, true, (uint32_t)count);
    }
}

void x86_shift_cl(X86Asm *a, X86Shift op, TcgType type, int dst)
{
    x86_op_modrm(a, X86_OPC_SHIFT_cl | opc_wbit(type), op, dst);
}

void x86_imul_rr(X86Asm *a, TcgType type, int dst, int src)
{
    x86_op_modrm(a, X86_OPC_IMUL_GvEv | opc_wbit(type), dst, src);
}

void x86_imul_rri(X86Asm *a, TcgType type, int dst, int src, int32_t imm)
{
    int w = opc_wbit(type);
    op_modrm_imm(a, (x86_fits_s8(imm) ? X86_OPC_IMUL_GvEvIb : X86_OPC_IMUL_GvEvIz) | w, dst,
                 src, x86_fits_s8(imm), (uint32_t)imm);
}

void x86_cqo(X86Asm *a, TcgType type)
{
    x86_opc(a, 0x99 | opc_wbit(type), 0, 0, -1);
}

void x86_bswap(X86Asm *a, TcgType type, int r)
{
    x86_opc(a, (0xc8 + (r & 7)) | X86_P_0F | opc_wbit(type), 0, r, -1);
}

void x86_rol16_8(X86Asm *a, int r)
{
    op_modrm_imm(a, X86_OPC_SHIFT_Ib | X86_P_66, X86_SHIFT_ROL, r, true, 8);
}

void x86_bitop(X86Asm *a, int opc, TcgType type, int dst, int src)
{
    x86_op_modrm(a, opc | opc_wbit(type), dst, src);
}

void x86_cmov(X86Asm *a, X86Cond cc, TcgType type, int dst, int src)
{
    x86_op_modrm(a, (X86_OPC_CMOVCC + cc) | opc_wbit(type), dst, src);
}

void x86_setcc(X86Asm *a, X86Cond cc, int dst)
{
    x86_op_modrm(a, X86_OPC_SETCC + cc, 0, dst);
}

void x86_andn(X86Asm *a, TcgType type, int dst, int src1, int src2)
{
    x86_op_vex_modrm(a, 2, 0, type == TCG_I64, 0xf2, dst, src1, src2);
}

void x86_shiftx(X86Asm *a, X86Shift op, TcgType type, int dst, int src, int count)
{
    int pp = op == X86_SHIFT_SHL ? 1 : op == X86_SHIFT_SAR ? 2 : 3;
    g_assert(op == X86_SHIFT_SHL || op == X86_SHIFT_SHR || op == X86_SHIFT_SAR);
    x86_op_vex_modrm(a, 2, pp, type == TCG_I64, 0xf7, dst, count, src);
}

void x86_rorx(X86Asm *a, TcgType type, int dst, int src, int imm)
{
    x86_op_vex_modrm(a, 3, 3, type == TCG_I64, 0xf0, dst, 0, src);
    x86_out8(a, imm & (type == TCG_I64 ? 63 : 31));
}

static int movbe_size_flags(MemOp size)
{
    return size == MO_16 ? X86_P_66 : size == MO_64 ? X86_P_W : 0;
}

void x86_movbe_load(X86Asm *a, MemOp size, int dst, int base, int index, int32_t disp)
{
    x86_op_modrm_mem(a, X86_OPC_MOVBE_GyMy | movbe_size_flags(size), dst, base, index, 0, disp);
}

void x86_movbe_store(X86Asm *a, MemOp size, int src, int base, int index, int32_t disp)
{
    x86_op_modrm_mem(a, X86_OPC_MOVBE_MyGy | movbe_size_flags(size), src, base, index, 0, disp);
}

/* ---- control ---- */

/* One or two opcode bytes (op2 < 0: none), then a rel8 or rel32. */
static void op_rel(X86Asm *a, int op1, int op2, bool rel8, uint32_t rel)
{
    uint8_t buf[X86_INSN_MAX] = { 0 };
    uint8_t *p = put8(buf, op1);
    if (op2 >= 0) {
        p = put8(p, op2);
    }
    bytes_emit(a, buf, rel8 ? put8(p, rel) : put32(p, rel));
}

size_t x86_jcc32(X86Asm *a, X86Cond cc)
{
    op_rel(a, 0x0f, 0x80 + cc, false, 0);
    return a->pos - 4;
}

size_t x86_jmp32(X86Asm *a)
{
    op_rel(a, 0xe9, -1, false, 0);
    return a->pos - 4;
}

void x86_jcc_to(X86Asm *a, X86Cond cc, uintptr_t target_rx)
{
    intptr_t d8 = (intptr_t)(target_rx - (x86_rx_here(a) + 2));
    if (x86_fits_s8(d8)) {
        op_rel(a, 0x70 + cc, -1, true, (uint32_t)d8);
        return;
    }
    intptr_t d32 = (intptr_t)(target_rx - (x86_rx_here(a) + 6));
    g_assert(x86_fits_s32(d32));
    op_rel(a, 0x0f, 0x80 + cc, false, (uint32_t)d32);
}

void x86_jmp_to(X86Asm *a, uintptr_t target_rx)
{
    intptr_t d8 = (intptr_t)(target_rx - (x86_rx_here(a) + 2));
    if (x86_fits_s8(d8)) {
        op_rel(a, 0xeb, -1, true, (uint32_t)d8);
        return;
    }
    intptr_t d32 = (intptr_t)(target_rx - (x86_rx_here(a) + 5));
    g_assert(x86_fits_s32(d32));
    op_rel(a, 0xe9, -1, false, (uint32_t)d32);
}

void x86_call_to(X86Asm *a, uintptr_t target_rx)
{
    intptr_t d32 = (intptr_t)(target_rx - (x86_rx_here(a) + 5));
    if (x86_fits_s32(d32)) {
        op_rel(a, 0xe8, -1, false, (uint32_t)d32);
    } else {
        /* rax is call-clobbered and never carries an argument. */
        x86_movi(a, TCG_I64, X86_RAX, (int64_t)target_rx);
        x86_call_reg(a, X86_RAX);
    }
}

void x86_jmp_reg(X86Asm *a, int r)
{
    x86_op_modrm(a, X86_OPC_GRP5, 4, r);
}

void x86_call_reg(X86Asm *a, int r)
{
    x86_op_modrm(a, X86_OPC_GRP5, 2, r);
}

void x86_push(X86Asm *a, int r)
{
    x86_opc(a, 0x50 + (r & 7), 0, r, -1);
}

void x86_pop(X86Asm *a, int r)
{
    x86_opc(a, 0x58 + (r & 7), 0, r, -1);
}

void x86_ret(X86Asm *a)
{
    x86_out8(a, 0xc3);
}

void x86_mfence(X86Asm *a)
{
    x86_out8(a, 0x0f);
    x86_out8(a, 0xae);
    x86_out8(a, 0xf0);
}

void x86_ud2(X86Asm *a)
{
    x86_out8(a, 0x0f);
    x86_out8(a, 0x0b);
}

void x86_nops(X86Asm *a, unsigned n)
{
    /* The recommended multi-byte nop forms (one decoded insn each). */
    static const uint8_t nop[9][9] = {
        { 0x90 },
        { 0x66, 0x90 },
        { 0x0f, 0x1f, 0x00 },
        { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
        { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
    };
    while (n > 0) {
        unsigned k = n > 9 ? 9 : n;
        for (unsigned i = 0; i < k; i++) {
            x86_out8(a, nop[k - 1][i]);
        }
        n -= k;
    }
}

void x86_align(X86Asm *a, unsigned align, unsigned want)
{
    unsigned have = (unsigned)((a->rx + a->pos) % align);
    x86_nops(a, (want + align - have) % align);
}
