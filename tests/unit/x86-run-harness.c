/*
 * Shared harness of the x86-64 back-end execution tests (test-x86-run-ops.c,
 * test-regalloc.c): a code buffer, a TcgContext with 16 I64 and 16 I32
 * globals over a fake cpu state, compile-and-run, a capstone instruction
 * counter, and C reference implementations of the binary/unary ops.
 */
#include <capstone/capstone.h>
#include <glib.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "tests/unit/x86-run-harness.h"

CodeBuffer cbuf;
TcgContext *ctx;
TcgTemp *G[NG], *W[NG];
Env env;
TbCodeInfo last_info;
const uint8_t *last_code;


void setup(void)
{
    size_t size = 64 << 20;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    g_assert(p != MAP_FAILED);
    cbuf.rw = cbuf.rx = p;
    cbuf.size = size;
    cbuf.used = 0;
    tcg_backend_x86_64.init(&cbuf);

    ctx = g_new0(TcgContext, 1);
    tcg_context_init(ctx);
    for (int i = 0; i < NG; i++) {
        G[i] = tcg_global_mem_new(ctx, TCG_I64, offsetof(Env, g[i]), "g");
    }
    for (int i = 0; i < NG; i++) {
        W[i] = tcg_global_mem_new(ctx, TCG_I32, offsetof(Env, w[i]), "w");
    }
}

/* Compile the ops in ctx into the code buffer. */
const void *compile(void)
{
    const void *code = tcg_backend_x86_64.gen_code(ctx, &cbuf, &last_info);
    g_assert(code != NULL);
    cbuf.used += last_info.size;
    last_code = code;
    if (g_getenv("ROVE_TEST_DUMP")) {
        count_insns("");
    }
    return code;
}

uintptr_t run(void)
{
    const void *code = compile();
    return tcg_backend_x86_64.exec(&env, code);
}

void start(void)
{
    tcg_func_start(ctx);
    ctx->mem.base = 0;
    ctx->mem.addr_bits = 64;
    ctx->mem.fault = NULL;
}

/* Count instructions of the last TB whose text contains needle. */
/* Instructions of the last TB whose text contains needle: how many, and
 * the address of the first (0 if none).  Prints them all when verbose. */
static int scan_insns(const char *needle, uintptr_t *first)
{
    csh h;
    cs_insn *insn;
    int n = 0;
    *first = 0;
    g_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK);
    size_t cnt = cs_disasm(h, last_code, last_info.size, (uintptr_t)last_code, 0, &insn);
    for (size_t i = 0; i < cnt; i++) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s %s", insn[i].mnemonic, insn[i].op_str);
        if (strstr(buf, needle)) {
            if (n++ == 0) {
                *first = (uintptr_t)insn[i].address;
            }
        }
        if (g_test_verbose() || g_getenv("ROVE_TEST_DUMP")) {
            g_print("  %s\n", buf);
        }
    }
    cs_free(insn, cnt);
    cs_close(&h);
    return n;
}

int count_insns(const char *needle)
{
    uintptr_t first;
    return scan_insns(needle, &first);
}

uintptr_t find_insn(const char *needle)
{
    uintptr_t first;
    scan_insns(needle, &first);
    return first;
}

/* ------------------------------------------------------------------ */
/* reference semantics */

const TcgOpcode binops[] = {
    INDEX_op_add, INDEX_op_sub, INDEX_op_mul, INDEX_op_mulsh, INDEX_op_muluh,
    INDEX_op_div, INDEX_op_divu, INDEX_op_rem, INDEX_op_remu, INDEX_op_and,
    INDEX_op_or, INDEX_op_xor, INDEX_op_andc, INDEX_op_orc, INDEX_op_eqv,
    INDEX_op_shl, INDEX_op_shr, INDEX_op_sar, INDEX_op_rotl, INDEX_op_rotr,
    INDEX_op_clz, INDEX_op_ctz,
};

const TcgOpcode unops[] = {
    INDEX_op_neg, INDEX_op_not, INDEX_op_ctpop, INDEX_op_bswap, INDEX_op_ext8s,
    INDEX_op_ext8u, INDEX_op_ext16s, INDEX_op_ext16u, INDEX_op_ext32s, INDEX_op_ext32u,
};

const uint64_t edge[] = {
    0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 31, 32, 63, 64,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x123456789abcdef0ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0xfffffffffffffffeull, 0xffffffff80000000ull, 0xfedcba9876543210ull, 0x5555,
};

bool pair_ok(TcgOpcode opc, TcgType type, uint64_t a, uint64_t b)
{
    if (type == TCG_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    uint64_t min = type == TCG_I32 ? 0x80000000ull : 0x8000000000000000ull;
    uint64_t m1 = type == TCG_I32 ? 0xffffffffull : ~0ull;
    switch (opc) {
    case INDEX_op_div:
    case INDEX_op_rem:
        return b != 0 && !(a == min && b == m1);
    case INDEX_op_divu:
    case INDEX_op_remu:
        return b != 0;
    default:
        return true;
    }
}

uint64_t ref64(TcgOpcode opc, uint64_t a, uint64_t b)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    unsigned n = b & 63;
    switch (opc) {
    case INDEX_op_add: return a + b;
    case INDEX_op_sub: return a - b;
    case INDEX_op_mul: return a * b;
    case INDEX_op_mulsh: return (uint64_t)(((__int128)sa * sb) >> 64);
    case INDEX_op_muluh: return (uint64_t)(((unsigned __int128)a * b) >> 64);
    case INDEX_op_div: return (uint64_t)(sa / sb);
    case INDEX_op_divu: return a / b;
    case INDEX_op_rem: return (uint64_t)(sa % sb);
    case INDEX_op_remu: return a % b;
    case INDEX_op_and: return a & b;
    case INDEX_op_or: return a | b;
    case INDEX_op_xor: return a ^ b;
    case INDEX_op_andc: return a & ~b;
    case INDEX_op_orc: return a | ~b;
    case INDEX_op_eqv: return ~(a ^ b);
    case INDEX_op_shl: return a << n;
    case INDEX_op_shr: return a >> n;
    case INDEX_op_sar: return (uint64_t)(sa >> n);
    case INDEX_op_rotl: return n ? (a << n) | (a >> (64 - n)) : a;
    case INDEX_op_rotr: return n ? (a >> n) | (a << (64 - n)) : a;
    case INDEX_op_clz: return a ? (uint64_t)__builtin_clzll(a) : b;
    case INDEX_op_ctz: return a ? (uint64_t)__builtin_ctzll(a) : b;
    case INDEX_op_neg: return -a;
    case INDEX_op_not: return ~a;
    case INDEX_op_ctpop: return (uint64_t)__builtin_popcountll(a);
    case INDEX_op_bswap: return __builtin_bswap64(a);
    case INDEX_op_ext8s: return (uint64_t)(int8_t)a;
    case INDEX_op_ext8u: return (uint8_t)a;
    case INDEX_op_ext16s: return (uint64_t)(int16_t)a;
    case INDEX_op_ext16u: return (uint16_t)a;
    case INDEX_op_ext32s: return (uint64_t)(int32_t)a;
    case INDEX_op_ext32u: return (uint32_t)a;
    default: g_assert_not_reached();
    }
}

uint32_t ref32(TcgOpcode opc, uint32_t a, uint32_t b)
{
    int32_t sa = (int32_t)a, sb = (int32_t)b;
    unsigned n = b & 31;
    switch (opc) {
    case INDEX_op_mulsh: return (uint32_t)(((int64_t)sa * sb) >> 32);
    case INDEX_op_muluh: return (uint32_t)(((uint64_t)a * b) >> 32);
    case INDEX_op_div: return (uint32_t)(sa / sb);
    case INDEX_op_rem: return (uint32_t)(sa % sb);
    case INDEX_op_sar: return (uint32_t)(sa >> n);
    case INDEX_op_shr: return a >> n;
    case INDEX_op_shl: return a << n;
    case INDEX_op_rotl: return n ? (a << n) | (a >> (32 - n)) : a;
    case INDEX_op_rotr: return n ? (a >> n) | (a << (32 - n)) : a;
    case INDEX_op_clz: return a ? (uint32_t)__builtin_clz(a) : b;
    case INDEX_op_ctz: return a ? (uint32_t)__builtin_ctz(a) : b;
    case INDEX_op_ctpop: return (uint32_t)__builtin_popcount(a);
    case INDEX_op_bswap: return __builtin_bswap32(a);
    case INDEX_op_ext8s: return (uint32_t)(int8_t)a;
    case INDEX_op_ext16s: return (uint32_t)(int16_t)a;
    case INDEX_op_divu: return a / b;
    case INDEX_op_remu: return a % b;
    default: return (uint32_t)ref64(opc, a, b);
    }
}

uint64_t ref(TcgOpcode opc, TcgType type, uint64_t a, uint64_t b)
{
    return type == TCG_I64 ? ref64(opc, a, b) : ref32(opc, (uint32_t)a, (uint32_t)b);
}

void gen_binop(TcgOpcode opc, TcgTemp *d, TcgTemp *a, TcgTemp *b)
{
    TcgOp *op = tcg_emit_op(ctx, opc, d->type);
    op->args[0] = (TcgArg)tcg_temp_idx(ctx, d);
    op->args[1] = (TcgArg)tcg_temp_idx(ctx, a);
    op->args[2] = (TcgArg)tcg_temp_idx(ctx, b);
}

void gen_unop(TcgOpcode opc, TcgTemp *d, TcgTemp *a)
{
    TcgOp *op = tcg_emit_op(ctx, opc, d->type);
    op->args[0] = (TcgArg)tcg_temp_idx(ctx, d);
    op->args[1] = (TcgArg)tcg_temp_idx(ctx, a);
}

MemOp mo_of(TcgType type)
{
    return type == TCG_I64 ? MO_64 : MO_32;
}

TcgTemp *ld_in(TcgType type, int k)
{
    TcgTemp *t = tcg_temp_new(ctx, type);
    tcg_gen_ld(ctx, t, ctx->env, (int32_t)offsetof(Env, in[k]), mo_of(type));
    return t;
}

void st_out(TcgTemp *t, int k)
{
    tcg_gen_st(ctx, t, ctx->env, (int32_t)offsetof(Env, out[k]), mo_of(t->type));
}

const int nedge = (int)G_N_ELEMENTS(edge);
const int nbinops = (int)G_N_ELEMENTS(binops);
const int nunops = (int)G_N_ELEMENTS(unops);
