/*
 * The interpreter's execution loop: runs blobs made by gen.c (format in
 * interp.h) until an exit_tb, following chained goto_tb fields and goto_ptr
 * targets from one blob to the next without returning to the cpu loop.
 *
 * Speed: instructions are pre-decoded words dispatched through a table of
 * label addresses (GNU computed goto).  An operand is
 * one load of its base from a 3-entry table plus one load of the value.
 * The frame (temps) lives on this function's stack; nothing is allocated,
 * so a helper or fault handler may siglongjmp out at any point.
 *
 * Precise exceptions: before every qemu_ld/qemu_st and helper call, the rx
 * address of the instruction is published in TcgEnvHeader.interp_pc (and
 * passed to mem_fault), which the execution layer maps back to a guest insn
 * with the TB's insn_end[] offsets, exactly like a machine pc.
 */
#include <stdlib.h>
#include <string.h>

#include "rove/exec.h"
#include "rove/softmmu.h"
#include "tcg/fold.h"
#include "tcg/interp/interp.h"

/* goto_ptr to this address returns 0 to the cpu loop. */
static const uint32_t interp_loop_marker = 0;

const void *interp_return_to_loop_addr(void)
{
    return &interp_loop_marker;
}

/* ---- value access ---- */

static inline uint64_t rd64(uintptr_t p)
{
    uint64_t v;
    memcpy(&v, (const void *)p, sizeof(v));
    return v;
}

static inline uint32_t rd32(uintptr_t p)
{
    uint32_t v;
    memcpy(&v, (const void *)p, sizeof(v));
    return v;
}

static inline void wr64(uintptr_t p, uint64_t v)
{
    memcpy((void *)p, &v, sizeof(v));
}

static inline void wr32(uintptr_t p, uint32_t v)
{
    memcpy((void *)p, &v, sizeof(v));
}

/* ---- arithmetic with the IR's edge rules ---- */

/* Division corner cases are unspecified by the IR; these never trap. */
/* Soft-MMU fast path, as generated code has it (tcg/x86_64/x86-softmmu.c):
 * the host address of a guest access whose TLB entry maps RAM for it, or
 * NULL (miss, MMIO, a page with TBs, misalignment: the model's helper). */
static inline uintptr_t soft_tlb_hit(void *env, int32_t tlb_off, uint64_t addr, uint32_t oi,
                                     bool store)
{
    MemOp mop = tcg_oi_memop(oi);
    uint64_t size = 1u << (mop & MO_SIZE);
    bool align = (mop & MO_ALIGN) != 0;
    const SoftTlbEntry *e = *(SoftTlbEntry *const *)((const uint8_t *)env + tlb_off);
    e += (size_t)tcg_oi_mmu_idx(oi) * SOFTMMU_TLB_SIZE +
         ((addr >> TARGET_PAGE_BITS) & (SOFTMMU_TLB_SIZE - 1));
    uint64_t probe = (align ? addr : addr + size - 1) &
                     ((uint64_t)TARGET_PAGE_MASK | (align ? size - 1 : 0));
    if (probe != (store ? e->addr_write : e->addr_read)) {
        return 0;
    }
    return (uintptr_t)(e->addend + addr);
}

static inline uint64_t soft_load_host(uintptr_t p, MemOp mop)
{
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_8: return *(const uint8_t *)p;
    case MO_SB: return (uint64_t)(int64_t)*(const int8_t *)p;
    case MO_16: { uint16_t v; memcpy(&v, (const void *)p, 2); return v; }
    case MO_SW: { int16_t v; memcpy(&v, (const void *)p, 2); return (uint64_t)(int64_t)v; }
    case MO_32: { uint32_t v; memcpy(&v, (const void *)p, 4); return v; }
    case MO_SL: { int32_t v; memcpy(&v, (const void *)p, 4); return (uint64_t)(int64_t)v; }
    default: { uint64_t v; memcpy(&v, (const void *)p, 8); return v; }
    }
}

static inline void soft_store_host(uintptr_t p, MemOp mop, uint64_t v)
{
    switch (mop & MO_SIZE) {
    case MO_8: *(uint8_t *)p = (uint8_t)v; break;
    case MO_16: { uint16_t x = (uint16_t)v; memcpy((void *)p, &x, 2); break; }
    case MO_32: { uint32_t x = (uint32_t)v; memcpy((void *)p, &x, 4); break; }
    default: memcpy((void *)p, &v, 8); break;
    }
}

static inline uint32_t div32(int32_t a, int32_t b)
{
    if (b == 0) {
        return UINT32_MAX;
    }
    if (a == INT32_MIN && b == -1) {
        return (uint32_t)a;
    }
    return (uint32_t)(a / b);
}

static inline uint32_t rem32(int32_t a, int32_t b)
{
    if (b == 0) {
        return (uint32_t)a;
    }
    if (b == -1) {
        return 0;
    }
    return (uint32_t)(a % b);
}

static inline uint64_t div64(int64_t a, int64_t b)
{
    if (b == 0) {
        return UINT64_MAX;
    }
    if (a == INT64_MIN && b == -1) {
        return (uint64_t)a;
    }
    return (uint64_t)(a / b);
}

static inline uint64_t rem64(int64_t a, int64_t b)
{
    if (b == 0) {
        return (uint64_t)a;
    }
    if (b == -1) {
        return 0;
    }
    return (uint64_t)(a % b);
}

static inline uint32_t rotl32(uint32_t x, unsigned n)
{
    n &= 31;
    return n ? (x << n) | (x >> (32 - n)) : x;
}

static inline uint64_t rotl64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? (x << n) | (x >> (64 - n)) : x;
}

static inline bool cond32(unsigned c, uint32_t a, uint32_t b)
{
    switch (c) {
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return (int32_t)a < (int32_t)b;
    case TCG_COND_GE: return (int32_t)a >= (int32_t)b;
    case TCG_COND_LE: return (int32_t)a <= (int32_t)b;
    case TCG_COND_GT: return (int32_t)a > (int32_t)b;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

static inline bool cond64(unsigned c, uint64_t a, uint64_t b)
{
    switch (c) {
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return (int64_t)a < (int64_t)b;
    case TCG_COND_GE: return (int64_t)a >= (int64_t)b;
    case TCG_COND_LE: return (int64_t)a <= (int64_t)b;
    case TCG_COND_GT: return (int64_t)a > (int64_t)b;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

/* Sign/zero-extend a loaded value of memop's size to 64 bits. */
static inline uint64_t mem_extend(uint64_t v, MemOp mop)
{
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_UB: return (uint8_t)v;
    case MO_SB: return (uint64_t)(int64_t)(int8_t)v;
    case MO_UW: return (uint16_t)v;
    case MO_SW: return (uint64_t)(int64_t)(int16_t)v;
    case MO_UL: return (uint32_t)v;
    case MO_SL: return (uint64_t)(int64_t)(int32_t)v;
    default: return v;
    }
}

/* Host-order load/store of 1 << (mop & MO_SIZE) bytes, with MO_BSWAP. */
static uint64_t mem_load(const void *p, MemOp mop)
{
    switch (mop & MO_SIZE) {
    case MO_8: {
        uint8_t v;
        memcpy(&v, p, 1);
        return mem_extend(v, mop);
    }
    case MO_16: {
        uint16_t v;
        memcpy(&v, p, 2);
        if (mop & MO_BSWAP) {
            v = __builtin_bswap16(v);
        }
        return mem_extend(v, mop);
    }
    case MO_32: {
        uint32_t v;
        memcpy(&v, p, 4);
        if (mop & MO_BSWAP) {
            v = __builtin_bswap32(v);
        }
        return mem_extend(v, mop);
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        if (mop & MO_BSWAP) {
            v = __builtin_bswap64(v);
        }
        return v;
    }
    }
}

static void mem_store(void *p, uint64_t val, MemOp mop)
{
    switch (mop & MO_SIZE) {
    case MO_8: {
        uint8_t v = (uint8_t)val;
        memcpy(p, &v, 1);
        break;
    }
    case MO_16: {
        uint16_t v = (uint16_t)val;
        if (mop & MO_BSWAP) {
            v = __builtin_bswap16(v);
        }
        memcpy(p, &v, 2);
        break;
    }
    case MO_32: {
        uint32_t v = (uint32_t)val;
        if (mop & MO_BSWAP) {
            v = __builtin_bswap32(v);
        }
        memcpy(p, &v, 4);
        break;
    }
    default: {
        uint64_t v = val;
        if (mop & MO_BSWAP) {
            v = __builtin_bswap64(v);
        }
        memcpy(p, &v, 8);
        break;
    }
    }
}

/* Calls a helper as a function of nargs uint64_t parameters. */
static uint64_t call_helper(void *fn, unsigned nargs, const uint64_t *a)
{
    switch (nargs) {
    case 0:
        return ((uint64_t (*)(void))fn)();
    case 1:
        return ((uint64_t (*)(uint64_t))fn)(a[0]);
    case 2:
        return ((uint64_t (*)(uint64_t, uint64_t))fn)(a[0], a[1]);
    case 3:
        return ((uint64_t (*)(uint64_t, uint64_t, uint64_t))fn)(a[0], a[1], a[2]);
    case 4:
        return ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t))fn)(a[0], a[1], a[2],
                                                                         a[3]);
    case 5:
        return ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t))fn)(
            a[0], a[1], a[2], a[3], a[4]);
    default:
        return ((uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t))fn)(
            a[0], a[1], a[2], a[3], a[4], a[5]);
    }
}

typedef void (*InterpFaultFn)(void *env, uint64_t addr, uint32_t kind, uintptr_t host_pc);

static _Noreturn void mem_fault(InterpFaultFn fn, void *env, uint64_t addr, uint32_t kind,
                                uintptr_t pc)
{
    if (fn) {
        fn(env, addr, kind, pc);
    }
    abort(); /* ctx->mem.fault must not return */
}

/* ---- the loop ---- */

/* Dispatch uses GNU C labels-as-values (gcc and clang). */
#ifndef __GNUC__
#error "the interpreter needs GNU C computed goto"
#endif

uintptr_t interp_exec(void *env, const void *code_rx)
{
    uint64_t frame[INTERP_FRAME_SLOTS];
    uintptr_t bases[4];
    TcgEnvHeader *eh = env;
    const uint8_t *blob;
    const uint32_t *ip;
    uint64_t addr_mask;
    uintptr_t gbase;
    InterpFaultFn fault;
    const InterpBlobHeader *hdr;

#define INTERP_LABEL(n) [H_##n] = &&L_##n,
    static const void *const labels[H__count] = { INTERP_HANDLERS(INTERP_LABEL) };
#undef INTERP_LABEL
#define CASE(n) L_##n:
#define DISPATCH() goto *labels[*ip & 0xffff]
#define NEXT(nw) do { ip += (nw); DISPATCH(); } while (0)
#define AUX (*ip >> 16)
#define OPA(w) (bases[(w) & 3] + ((w) >> 2))
#define R32(n) rd32(OPA(ip[n]))
#define R64(n) rd64(OPA(ip[n]))
#define W32(n, v) wr32(OPA(ip[n]), (uint32_t)(v))
#define W64(n, v) wr64(OPA(ip[n]), (uint64_t)(v))
#define SET_PC() do { eh->interp_pc = (uintptr_t)ip; __atomic_signal_fence(__ATOMIC_SEQ_CST); } \
    while (0)
#define ENTER(addr) do { \
        blob = (const uint8_t *)(addr); \
        const InterpBlobHeader *h_ = (const InterpBlobHeader *)blob; \
        bases[INTERP_BASE_BLOB] = (uintptr_t)blob; \
        addr_mask = h_->addr_mask; \
        gbase = (uintptr_t)h_->guest_base; \
        fault = h_->mem_fault; \
        hdr = h_; \
        frame[h_->env_slot] = (uint64_t)(uintptr_t)env; \
        ip = (const uint32_t *)(blob + h_->code_off); \
        DISPATCH(); \
    } while (0)

    bases[INTERP_BASE_FRAME] = (uintptr_t)frame;
    bases[INTERP_BASE_ENV] = (uintptr_t)env;
    bases[3] = 0;
    ENTER(code_rx);

    CASE(nop) NEXT(1);
    CASE(mb) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        NEXT(1);
    }
    CASE(br) {
        ip = (const uint32_t *)(blob + ip[1]);
        DISPATCH();
    }
    CASE(goto_tb) {
        const uint32_t *field = ip + AUX;
        const uint32_t *next = field + 2;
        uintptr_t tgt = __atomic_load_n((const uintptr_t *)field, __ATOMIC_ACQUIRE);
        if (tgt == (uintptr_t)next) {
            ip = next;
            DISPATCH();
        }
        ENTER(tgt);
    }
    CASE(exit_tb) {
        eh->interp_pc = 0;
        return (uintptr_t)(ip[1] | (uint64_t)ip[2] << 32);
    }
    CASE(goto_ptr) {
        uintptr_t tgt = (uintptr_t)R64(1);
        if (tgt == (uintptr_t)&interp_loop_marker || tgt == 0) {
            eh->interp_pc = 0;
            return 0;
        }
        ENTER(tgt);
    }
    CASE(call) {
        unsigned aux = AUX;
        unsigned nargs = aux & 7;
        void *fn = (void *)(uintptr_t)(ip[1] | (uint64_t)ip[2] << 32);
        const uint32_t *ret = ip + 3;
        const uint32_t *args = ret + ((aux & INTERP_CALL_RET) ? 1 : 0);
        uint64_t a[TCG_MAX_CALL_IARGS];
        for (unsigned i = 0; i < nargs; i++) {
            if (aux >> (INTERP_CALL_ARG32_SHIFT + i) & 1) {
                a[i] = (uint64_t)(int64_t)(int32_t)rd32(OPA(args[i]));
            } else {
                a[i] = rd64(OPA(args[i]));
            }
        }
        SET_PC();
        uint64_t r = call_helper(fn, nargs, a);
        if (aux & INTERP_CALL_RET) {
            if (aux & INTERP_CALL_RET64) {
                wr64(OPA(*ret), r);
            } else {
                wr32(OPA(*ret), (uint32_t)r);
            }
        }
        ip = args + nargs;
        DISPATCH();
    }

#define BRCOND(c, op)                                                   \
    CASE(brcond_##c##_i32) {                                            \
        uint32_t a_ = R32(1), b_ = R32(2);                              \
        if (op) {                                                       \
            ip = (const uint32_t *)(blob + ip[3]);                      \
            DISPATCH();                                                 \
        }                                                               \
        NEXT(4);                                                        \
    }                                                                   \
    CASE(brcond_##c##_i64) {                                            \
        uint64_t a_ = R64(1), b_ = R64(2);                              \
        if (op) {                                                       \
            ip = (const uint32_t *)(blob + ip[3]);                      \
            DISPATCH();                                                 \
        }                                                               \
        NEXT(4);                                                        \
    }
    BRCOND(eq, a_ == b_)
    BRCOND(ne, a_ != b_)
    BRCOND(ltu, a_ < b_)
    BRCOND(geu, a_ >= b_)
    BRCOND(leu, a_ <= b_)
    BRCOND(gtu, a_ > b_)
#undef BRCOND
    /* signed: compare as the signed type of the width */
    CASE(brcond_lt_i32) {
        if ((int32_t)R32(1) < (int32_t)R32(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }
    CASE(brcond_lt_i64) {
        if ((int64_t)R64(1) < (int64_t)R64(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }
    CASE(brcond_ge_i32) {
        if ((int32_t)R32(1) >= (int32_t)R32(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }
    CASE(brcond_ge_i64) {
        if ((int64_t)R64(1) >= (int64_t)R64(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }
    CASE(brcond_le_i32) {
        if ((int32_t)R32(1) <= (int32_t)R32(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }
    CASE(brcond_le_i64) {
        if ((int64_t)R64(1) <= (int64_t)R64(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }
    CASE(brcond_gt_i32) {
        if ((int32_t)R32(1) > (int32_t)R32(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }
    CASE(brcond_gt_i64) {
        if ((int64_t)R64(1) > (int64_t)R64(2)) {
            ip = (const uint32_t *)(blob + ip[3]);
            DISPATCH();
        }
        NEXT(4);
    }

    /* ---- data ops: d = f(a) / f(a, b); a, b of the op's width ---- */
#define UN(n, expr32, expr64)                                           \
    CASE(n##_i32) {                                                     \
        uint32_t a = R32(2);                                            \
        W32(1, expr32);                                                 \
        NEXT(3);                                                        \
    }                                                                   \
    CASE(n##_i64) {                                                     \
        uint64_t a = R64(2);                                            \
        W64(1, expr64);                                                 \
        NEXT(3);                                                        \
    }
#define BIN(n, expr32, expr64)                                          \
    CASE(n##_i32) {                                                     \
        uint32_t a = R32(2), b = R32(3);                                \
        W32(1, expr32);                                                 \
        NEXT(4);                                                        \
    }                                                                   \
    CASE(n##_i64) {                                                     \
        uint64_t a = R64(2), b = R64(3);                                \
        W64(1, expr64);                                                 \
        NEXT(4);                                                        \
    }

    UN(mov, a, a)
    UN(neg, -a, -a)
    UN(not, ~a, ~a)
    UN(ctpop, __builtin_popcount(a), __builtin_popcountll(a))
    UN(bswap, __builtin_bswap32(a), __builtin_bswap64(a))
    UN(ext8s, (int32_t)(int8_t)a, (int64_t)(int8_t)a)
    UN(ext8u, (uint8_t)a, (uint8_t)a)
    UN(ext16s, (int32_t)(int16_t)a, (int64_t)(int16_t)a)
    UN(ext16u, (uint16_t)a, (uint16_t)a)

    BIN(add, a + b, a + b)
    BIN(sub, a - b, a - b)
    BIN(mul, a * b, a * b)
    BIN(mulsh, (uint64_t)((int64_t)(int32_t)a * (int32_t)b) >> 32, tcg_muls64_hi(a, b))
    BIN(muluh, ((uint64_t)a * b) >> 32, tcg_mulu64_hi(a, b))
    BIN(div, div32((int32_t)a, (int32_t)b), div64((int64_t)a, (int64_t)b))
    BIN(divu, b ? a / b : UINT32_MAX, b ? a / b : UINT64_MAX)
    BIN(rem, rem32((int32_t)a, (int32_t)b), rem64((int64_t)a, (int64_t)b))
    BIN(remu, b ? a % b : a, b ? a % b : a)
    BIN(and, a & b, a & b)
    BIN(or, a | b, a | b)
    BIN(xor, a ^ b, a ^ b)
    BIN(andc, a & ~b, a & ~b)
    BIN(orc, a | ~b, a | ~b)
    BIN(eqv, ~(a ^ b), ~(a ^ b))
    BIN(shl, a << (b & 31), a << (b & 63))
    BIN(shr, a >> (b & 31), a >> (b & 63))
    BIN(sar, (uint32_t)((int32_t)a >> (b & 31)), (uint64_t)((int64_t)a >> (b & 63)))
    BIN(rotl, rotl32(a, b), rotl64(a, (unsigned)b))
    BIN(rotr, rotl32(a, -b), rotl64(a, (unsigned)-b))
    BIN(clz, a ? (uint32_t)__builtin_clz(a) : b, a ? (uint64_t)__builtin_clzll(a) : b)
    BIN(ctz, a ? (uint32_t)__builtin_ctz(a) : b, a ? (uint64_t)__builtin_ctzll(a) : b)
#undef UN
#undef BIN

    CASE(ext32s_i64) {
        W64(1, (int64_t)(int32_t)R64(2));
        NEXT(3);
    }
    CASE(ext32u_i64) {
        W64(1, (uint32_t)R64(2));
        NEXT(3);
    }
    CASE(extrl) {
        W32(1, (uint32_t)R64(2));
        NEXT(3);
    }
    CASE(extu) {
        W64(1, (uint64_t)R32(2));
        NEXT(3);
    }
    CASE(exts) {
        W64(1, (int64_t)(int32_t)R32(2));
        NEXT(3);
    }
    CASE(setcond_i32) {
        W32(1, cond32(AUX, R32(2), R32(3)));
        NEXT(4);
    }
    CASE(setcond_i64) {
        W64(1, cond64(AUX, R64(2), R64(3)));
        NEXT(4);
    }
    CASE(movcond_i32) {
        W32(1, cond32(AUX, R32(2), R32(3)) ? R32(4) : R32(5));
        NEXT(6);
    }
    CASE(movcond_i64) {
        W64(1, cond64(AUX, R64(2), R64(3)) ? R64(4) : R64(5));
        NEXT(6);
    }

    /* ---- cpu-state access: [op][val][base][offset] ---- */
#define LDP() ((uintptr_t)R64(2) + (uintptr_t)(intptr_t)(int32_t)ip[3])
#define LD(n, ctype, cast32, cast64)                                    \
    CASE(n##_i32) {                                                     \
        ctype v_;                                                       \
        memcpy(&v_, (const void *)LDP(), sizeof(v_));                   \
        W32(1, cast32 v_);                                              \
        NEXT(4);                                                        \
    }                                                                   \
    CASE(n##_i64) {                                                     \
        ctype v_;                                                       \
        memcpy(&v_, (const void *)LDP(), sizeof(v_));                   \
        W64(1, cast64 v_);                                              \
        NEXT(4);                                                        \
    }
    LD(ld8u, uint8_t, (uint32_t), (uint64_t))
    LD(ld8s, int8_t, (uint32_t)(int32_t), (uint64_t)(int64_t))
    LD(ld16u, uint16_t, (uint32_t), (uint64_t))
    LD(ld16s, int16_t, (uint32_t)(int32_t), (uint64_t)(int64_t))
    LD(ld32u, uint32_t, (uint32_t), (uint64_t))
    LD(ld32s, int32_t, (uint32_t), (uint64_t)(int64_t))
#undef LD
    CASE(ld64_i64) {
        W64(1, rd64(LDP()));
        NEXT(4);
    }
    CASE(ld_slow) {
        uint64_t v = mem_load((const void *)LDP(), (MemOp)(AUX & 0xff));
        if (AUX & INTERP_AUX_I64) {
            W64(1, v);
        } else {
            W32(1, v);
        }
        NEXT(4);
    }
#define ST(n, ctype)                                                    \
    CASE(n##_i32) {                                                     \
        ctype v_ = (ctype)R32(1);                                       \
        memcpy((void *)LDP(), &v_, sizeof(v_));                         \
        NEXT(4);                                                        \
    }                                                                   \
    CASE(n##_i64) {                                                     \
        ctype v_ = (ctype)R64(1);                                       \
        memcpy((void *)LDP(), &v_, sizeof(v_));                         \
        NEXT(4);                                                        \
    }
    ST(st8, uint8_t)
    ST(st16, uint16_t)
    ST(st32, uint32_t)
#undef ST
    CASE(st64_i64) {
        wr64(LDP(), R64(1));
        NEXT(4);
    }
    CASE(st_slow) {
        uint64_t v = (AUX & INTERP_AUX_I64) ? R64(1) : R32(1);
        mem_store((void *)LDP(), v, (MemOp)(AUX & 0xff));
        NEXT(4);
    }
#undef LDP

    /* ---- guest memory: [op][val][addr] ---- */
#define GADDR(is_store)                                                 \
    ({                                                                  \
        uint64_t ga_ = R64(2);                                          \
        SET_PC();                                                       \
        if (__builtin_expect((ga_ & addr_mask) != 0, 0)) {              \
            mem_fault(fault, env, ga_, (is_store), (uintptr_t)ip);      \
        }                                                               \
        gbase + (uintptr_t)ga_;                                         \
    })
#define QLD(n, ctype, cast32, cast64)                                   \
    CASE(n##_i32) {                                                     \
        ctype v_;                                                       \
        memcpy(&v_, (const void *)GADDR(0), sizeof(v_));                \
        W32(1, cast32 v_);                                              \
        NEXT(3);                                                        \
    }                                                                   \
    CASE(n##_i64) {                                                     \
        ctype v_;                                                       \
        memcpy(&v_, (const void *)GADDR(0), sizeof(v_));                \
        W64(1, cast64 v_);                                              \
        NEXT(3);                                                        \
    }
    QLD(qld8u, uint8_t, (uint32_t), (uint64_t))
    QLD(qld8s, int8_t, (uint32_t)(int32_t), (uint64_t)(int64_t))
    QLD(qld16u, uint16_t, (uint32_t), (uint64_t))
    QLD(qld16s, int16_t, (uint32_t)(int32_t), (uint64_t)(int64_t))
    QLD(qld32u, uint32_t, (uint32_t), (uint64_t))
    QLD(qld32s, int32_t, (uint32_t), (uint64_t)(int64_t))
#undef QLD
    CASE(qld64_i64) {
        W64(1, rd64(GADDR(0)));
        NEXT(3);
    }
#define QST(n, ctype)                                                   \
    CASE(n##_i32) {                                                     \
        ctype v_ = (ctype)R32(1);                                       \
        memcpy((void *)GADDR(1), &v_, sizeof(v_));                      \
        NEXT(3);                                                        \
    }                                                                   \
    CASE(n##_i64) {                                                     \
        ctype v_ = (ctype)R64(1);                                       \
        memcpy((void *)GADDR(1), &v_, sizeof(v_));                      \
        NEXT(3);                                                        \
    }
    QST(qst8, uint8_t)
    QST(qst16, uint16_t)
    QST(qst32, uint32_t)
#undef QST
    CASE(qst64_i64) {
        wr64(GADDR(1), R64(1));
        NEXT(3);
    }
    CASE(qld_slow) {
        MemOp mop = (MemOp)(AUX & 0xff);
        uintptr_t p = GADDR(0);
        uint64_t ga = p - gbase;
        if ((mop & MO_ALIGN) && (ga & ((1u << (mop & MO_SIZE)) - 1))) {
            mem_fault(fault, env, ga, 2, (uintptr_t)ip);
        }
        uint64_t v = mem_load((const void *)p, mop);
        if (AUX & INTERP_AUX_I64) {
            W64(1, v);
        } else {
            W32(1, v);
        }
        NEXT(3);
    }
    CASE(qst_slow) {
        MemOp mop = (MemOp)(AUX & 0xff);
        uintptr_t p = GADDR(1);
        uint64_t ga = p - gbase;
        if ((mop & MO_ALIGN) && (ga & ((1u << (mop & MO_SIZE)) - 1))) {
            mem_fault(fault, env, ga, 1 | 2, (uintptr_t)ip);
        }
        uint64_t v = (AUX & INTERP_AUX_I64) ? R64(1) : R32(1);
        mem_store((void *)p, v, mop);
        NEXT(3);
    }
#undef GADDR
    /* soft MMU: [op][val][addr][oi], the C slow path does it all */
    CASE(qld_soft) {
        uint64_t addr = R64(2), v;
        uintptr_t host = soft_tlb_hit(env, hdr->tlb_off, addr, ip[3], false);
        if (host) {
            v = soft_load_host(host, tcg_oi_memop(ip[3]));
        } else {
            SET_PC();
            v = hdr->soft_ld(env, addr, ip[3], (uintptr_t)ip);
        }
        if (AUX & INTERP_AUX_I64) {
            W64(1, v);
        } else {
            W32(1, v);
        }
        NEXT(4);
    }
    CASE(qst_soft) {
        uint64_t addr = R64(2);
        uint64_t v = (AUX & INTERP_AUX_I64) ? R64(1) : R32(1);
        uintptr_t host = soft_tlb_hit(env, hdr->tlb_off, addr, ip[3], true);
        if (host) {
            soft_store_host(host, tcg_oi_memop(ip[3]), v);
        } else {
            SET_PC();
            hdr->soft_st(env, addr, v, ip[3], (uintptr_t)ip);
        }
        NEXT(4);
    }

    abort(); /* not reached: every handler dispatches or returns */

#undef CASE
#undef DISPATCH
#undef NEXT
#undef AUX
#undef OPA
#undef R32
#undef R64
#undef W32
#undef W64
#undef SET_PC
#undef ENTER
}
