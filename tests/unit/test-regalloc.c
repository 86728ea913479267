/*
 * Liveness + register allocator + x86-64 back end, whole blocks: globals
 * loaded once and written back once, branches and locals, calls, spills,
 * guest memory and its fault paths, chaining, goto_ptr, insn_end, a full
 * code buffer, fpop.  (Per-op results: test-x86-run-ops.c.)
 *
 * Run twice (meson does): with every host feature and with
 * ROVE_X86_FEATURES=baseline.
 */
#include <capstone/capstone.h>
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"
#include "tcg/x86_64/x86-asm.h"
#include "tests/unit/x86-run-harness.h"


/* ------------------------------------------------------------------ */
/* globals */

static void test_global_kept(void)
{
    start();
    memset(&env, 0, sizeof(env));
    env.g[3] = 1000;
    for (int i = 0; i < 10; i++) {
        tcg_gen_addi(ctx, G[3], G[3], 7);
    }
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpuint(env.g[3], ==, 1070);
    char needle[64];
    snprintf(needle, sizeof(needle), "qword ptr [rbp + 0x%zx]", offsetof(Env, g[3]));
    g_assert_cmpint(count_insns(needle), ==, 2); /* one load, one store */
}

/* Globals stay in registers across a conditional branch's fall-through and
 * are synced (not reloaded) there; the taken edge sees memory. */
static void test_global_branches(void)
{
    start();
    memset(&env, 0, sizeof(env));
    env.g[0] = 5;
    env.g[1] = 0;
    int l = tcg_new_label(ctx);
    tcg_gen_addi(ctx, G[1], G[0], 1);                    /* g1 = 6 */
    tcg_gen_brcondi(ctx, TCG_COND_EQ, G[1], 7, l);       /* not taken */
    tcg_gen_addi(ctx, G[1], G[1], 1);                    /* g1 = 7 */
    tcg_gen_brcondi(ctx, TCG_COND_EQ, G[1], 7, l);       /* taken */
    tcg_gen_movi(ctx, G[2], 99);                         /* skipped */
    tcg_gen_set_label(ctx, l);
    tcg_gen_add(ctx, G[4], G[1], G[0]);                  /* 12 */
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpuint(env.g[1], ==, 7);
    g_assert_cmpuint(env.g[2], ==, 0);
    g_assert_cmpuint(env.g[4], ==, 12);
}

/* A loop with a TEMP_LOCAL counter and accumulator across labels. */
static void test_local_loop(void)
{
    start();
    memset(&env, 0, sizeof(env));
    TcgTemp *i = tcg_temp_new_local(ctx, TCG_I64);
    TcgTemp *sum = tcg_temp_new_local(ctx, TCG_I64);
    TcgTemp *s32 = tcg_temp_new_local(ctx, TCG_I32);
    tcg_gen_movi(ctx, i, 0);
    tcg_gen_movi(ctx, sum, 0);
    tcg_gen_movi(ctx, s32, 0);
    int top = tcg_new_label(ctx), done = tcg_new_label(ctx);
    tcg_gen_set_label(ctx, top);
    tcg_gen_brcondi(ctx, TCG_COND_GE, i, 100, done);
    tcg_gen_addi(ctx, i, i, 1);
    tcg_gen_add(ctx, sum, sum, i);
    TcgTemp *t = tcg_temp_new_i32(ctx);
    tcg_gen_extrl_i64_i32(ctx, t, i);
    tcg_gen_add(ctx, s32, s32, t);
    tcg_gen_add(ctx, G[5], G[5], i);  /* global updated every iteration */
    tcg_gen_br(ctx, top);
    tcg_gen_set_label(ctx, done);
    st_out(sum, 0);
    st_out(s32, 1);
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpuint(env.out[0], ==, 5050);
    g_assert_cmpuint((uint32_t)env.out[1], ==, 5050);
    g_assert_cmpuint(env.g[5], ==, 5050);
}

/* ------------------------------------------------------------------ */
/* calls */

static uint64_t helper6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                        uint64_t f)
{
    /* Check the stack alignment the ABI promises. */
    g_assert(((uintptr_t)__builtin_frame_address(0) & 15) == 0);
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

static uint64_t helper_write_g(void *e)
{
    Env *p = e;
    uint64_t old = p->g[6];
    p->g[6] = old * 2 + 1;
    return old;
}

static uint32_t helper_add32(uint32_t a, uint32_t b)
{
    return a + b;
}

static const TcgHelperInfo h6 = { (void *)helper6, "h6", TCG_CALL_PURE, 6, true, true };
static const TcgHelperInfo hwg = { (void *)helper_write_g, "hwg", 0, 1, true, true };
static const TcgHelperInfo ha32 = { (void *)helper_add32, "ha32", TCG_CALL_NO_RWG, 2, true,
                                    false };

static void test_calls(void)
{
    start();
    memset(&env, 0, sizeof(env));
    /* Many values live across calls (more than the callee-saved registers). */
    TcgTemp *v[12];
    for (int i = 0; i < 12; i++) {
        v[i] = ld_in(TCG_I64, i);
        env.in[i] = 0x1000 * (i + 1) + i;
    }
    /* Arguments in a rotated order so the parallel move sees cycles. */
    TcgTemp *r = tcg_temp_new_i64(ctx);
    TcgTemp *args[6] = { v[5], v[4], v[3], v[2], v[1], v[0] };
    tcg_gen_call(ctx, &h6, r, 6, args);
    st_out(r, 20);
    /* Same temp twice and constants as arguments. */
    TcgTemp *args2[6] = { v[7], v[7], tcg_constant_i64(ctx, 1), v[8],
                          tcg_constant_i64(ctx, 0x123456789ll), ctx->env };
    TcgTemp *r2 = tcg_temp_new_i64(ctx);
    tcg_gen_call(ctx, &h6, r2, 6, args2);
    st_out(r2, 21);
    /* A helper that writes a global: g6 is dirty before, reloaded after. */
    tcg_gen_movi(ctx, G[6], 20);
    tcg_gen_addi(ctx, G[6], G[6], 1);
    TcgTemp *old = tcg_temp_new_i64(ctx);
    tcg_gen_call1(ctx, &hwg, old, ctx->env);
    st_out(old, 22);
    tcg_gen_addi(ctx, G[7], G[6], 1000);
    /* 32-bit helper */
    TcgTemp *a32 = tcg_temp_new_i32(ctx), *r32 = tcg_temp_new_i32(ctx);
    tcg_gen_extrl_i64_i32(ctx, a32, v[9]);
    tcg_gen_call2(ctx, &ha32, r32, a32, tcg_constant_i32(ctx, -5));
    st_out(r32, 23);
    for (int i = 0; i < 12; i++) {
        st_out(v[i], 40 + i);
    }
    tcg_gen_exit_tb(ctx, 0);
    run();
    uint64_t *in = env.in;
    g_assert_cmphex(env.out[20], ==, helper6(in[5], in[4], in[3], in[2], in[1], in[0]));
    g_assert_cmphex(env.out[21], ==,
                    in[7] + 2 * in[7] + 3 + 4 * in[8] + 5 * 0x123456789ull +
                        6 * (uint64_t)(uintptr_t)&env);
    g_assert_cmpuint(env.out[22], ==, 21);
    g_assert_cmpuint(env.g[6], ==, 43);
    g_assert_cmpuint(env.g[7], ==, 1043);
    g_assert_cmphex((uint32_t)env.out[23], ==, (uint32_t)in[9] - 5);
    for (int i = 0; i < 12; i++) {
        g_assert_cmphex(env.out[40 + i], ==, in[i]);
    }
}

/* More live values than registers: spills and reloads. */
static void test_spills(void)
{
    enum { N = 48 };
    start();
    memset(&env, 0, sizeof(env));
    TcgTemp *v[N];
    for (int i = 0; i < N; i++) {
        v[i] = ld_in(i & 1 ? TCG_I32 : TCG_I64, i);
        env.in[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
    }
    /* Use them in reverse, with fixed-register ops in between. */
    TcgTemp *acc = tcg_temp_new_i64(ctx);
    TcgTemp *acc32 = tcg_temp_new_i32(ctx);
    tcg_gen_movi(ctx, acc, 0);
    tcg_gen_movi(ctx, acc32, 0);
    for (int i = N - 1; i >= 0; i--) {
        if (i & 1) {
            tcg_gen_add(ctx, acc32, acc32, v[i]);
            tcg_gen_shl(ctx, acc32, acc32, tcg_constant_i32(ctx, 1));
        } else {
            tcg_gen_xor(ctx, acc, acc, v[i]);
            TcgTemp *q = tcg_temp_new_i64(ctx);
            tcg_gen_divu(ctx, q, acc, tcg_constant_i64(ctx, 3));
            tcg_gen_add(ctx, acc, acc, q);
        }
    }
    st_out(acc, 100);
    st_out(acc32, 101);
    tcg_gen_exit_tb(ctx, 0);
    run();
    uint64_t a = 0;
    uint32_t a32 = 0;
    for (int i = N - 1; i >= 0; i--) {
        if (i & 1) {
            a32 = (a32 + (uint32_t)env.in[i]) << 1;
        } else {
            a ^= env.in[i];
            a += a / 3;
        }
    }
    g_assert_cmphex(env.out[100], ==, a);
    g_assert_cmphex((uint32_t)env.out[101], ==, a32);
}

/* ------------------------------------------------------------------ */
/* guest memory */

static sigjmp_buf fault_jmp;
static struct {
    uint64_t addr;
    uint32_t flags;
    uintptr_t pc;
} fault;

static void fault_func(void *e, uint64_t addr, uint32_t flags, uintptr_t pc)
{
    g_assert(e == &env);
    fault.addr = addr;
    fault.flags = flags;
    fault.pc = pc;
    siglongjmp(fault_jmp, 1);
}

static const MemOp mem_ops[] = {
    MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_SL, MO_UQ,
    MO_UW | MO_BSWAP, MO_SW | MO_BSWAP, MO_UL | MO_BSWAP, MO_SL | MO_BSWAP,
    MO_UQ | MO_BSWAP,
};

static uint64_t ref_load(const uint8_t *p, MemOp mop, TcgType type)
{
    int n = 1 << (mop & MO_SIZE);
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        int k = (mop & MO_BSWAP) ? n - 1 - i : i;
        v |= (uint64_t)p[k] << (8 * i);
    }
    if ((mop & MO_SIGN) && n < 8) {
        v = (uint64_t)((int64_t)(v << (64 - 8 * n)) >> (64 - 8 * n));
    }
    return type == TCG_I32 ? (uint32_t)v : v;
}

/* guest_base variants: 0 (absolute), small (disp32), large (register). */
static void run_guest_mem(uint8_t *host, uintptr_t gbase, uint64_t gaddr, unsigned bits)
{
    for (int type = TCG_I32; type <= TCG_I64; type++) {
        start();
        ctx->mem.base = gbase;
        ctx->mem.addr_bits = bits;
        ctx->mem.fault = fault_func;
        memset(&env, 0, sizeof(env));
        for (int i = 0; i < 64; i++) {
            host[i] = (uint8_t)(0x81 + 13 * i);
        }
        int k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            TcgTemp *addr = ld_in(TCG_I64, k);
            env.in[k] = gaddr + (uint64_t)(3 * m + 1);
            TcgTemp *d = tcg_temp_new(ctx, (TcgType)type);
            tcg_gen_qemu_ld(ctx, d, addr, mop, 0);
            st_out(d, k);
            /* store it back byte-swapped or not at +32, through a const addr too */
            TcgTemp *a2 = tcg_temp_new_i64(ctx);
            tcg_gen_addi(ctx, a2, addr, 0x100);
            tcg_gen_qemu_st(ctx, d, a2, mop, 0);
            tcg_gen_qemu_st(ctx, tcg_constant(ctx, (TcgType)type, 0x1122334455667788ll),
                            tcg_constant_i64(ctx, (int64_t)(gaddr + 0x200 + 8 * m)),
                            mop & ~MO_SIGN, 0);
            k++;
        }
        tcg_gen_exit_tb(ctx, 0);
        if (sigsetjmp(fault_jmp, 1)) {
            g_error("unexpected guest fault at %#llx", (unsigned long long)fault.addr);
        }
        run();
        k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            const uint8_t *p = host + 3 * m + 1;
            uint64_t want = ref_load(p, mop, (TcgType)type);
            uint64_t got = type == TCG_I32 ? (uint32_t)env.out[k] : env.out[k];
            g_assert_cmphex(got, ==, want);
            int n = 1 << (mop & MO_SIZE);
            g_assert(memcmp(host + 0x100 + 3 * m + 1, p, n) == 0);
            uint64_t c = type == TCG_I32 ? 0x55667788ull : 0x1122334455667788ull;
            g_assert_cmphex(ref_load(host + 0x200 + 8 * m, mop & ~MO_SIGN, TCG_I64), ==,
                            c & (n == 8 ? ~0ull : (1ull << (8 * n)) - 1));
            k++;
        }
    }
}

static void expect_fault(uintptr_t gbase, unsigned bits, uint64_t addr, MemOp mop,
                         bool store, uint32_t want_flags, bool const_addr)
{
    start();
    ctx->mem.base = gbase;
    ctx->mem.addr_bits = bits;
    ctx->mem.fault = fault_func;
    memset(&env, 0, sizeof(env));
    tcg_gen_insn_start(ctx, 0x1000);
    TcgTemp *a = const_addr ? tcg_constant_i64(ctx, (int64_t)addr) : ld_in(TCG_I64, 0);
    env.in[0] = addr;
    tcg_gen_movi(ctx, G[0], 77); /* dirty global: must be in memory at the fault */
    tcg_gen_insn_start(ctx, 0x1004);
    if (store) {
        tcg_gen_qemu_st(ctx, tcg_constant_i64(ctx, 5), a, mop, 0);
    } else {
        TcgTemp *d = tcg_temp_new_i64(ctx);
        tcg_gen_qemu_ld(ctx, d, a, mop, 0);
        st_out(d, 0);
    }
    tcg_gen_insn_start(ctx, 0x1008);
    tcg_gen_movi(ctx, G[0], 78);
    tcg_gen_exit_tb(ctx, 0);
    const void *code = compile();
    memset(&fault, 0, sizeof(fault));
    if (sigsetjmp(fault_jmp, 1) == 0) {
        tcg_backend_x86_64.exec(&env, code);
        g_error("no fault for %#llx", (unsigned long long)addr);
    }
    g_assert_cmphex(fault.addr, ==, addr);
    g_assert_cmpuint(fault.flags, ==, want_flags);
    g_assert_cmpuint(env.g[0], ==, 77);
    /* The reported host pc belongs to the second guest insn. */
    uintptr_t off = fault.pc - (uintptr_t)code;
    g_assert_cmpint(last_info.nb_insns, ==, 3);
    g_assert(off >= last_info.insn_end[0] && off < last_info.insn_end[1]);
}

/*
 * A global written before a guest load and again after it is stored once,
 * at the exit, not before the load: the load records it as a fault site,
 * and its bounds-check slow path writes it back if the access faults.
 */
static void test_fault_writeback(void)
{
    size_t size = 1 << 20;
    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(mem != MAP_FAILED);
    mem[0x40] = 5;
    start();
    ctx->mem.base = (uintptr_t)mem;
    ctx->mem.addr_bits = 20;
    ctx->mem.fault = fault_func;
    tcg_gen_insn_start(ctx, 0x1000);
    tcg_gen_addi(ctx, G[0], G[0], 1);
    TcgTemp *a = ld_in(TCG_I64, 0), *d = tcg_temp_new_i64(ctx);
    tcg_gen_insn_start(ctx, 0x1004);
    tcg_gen_qemu_ld(ctx, d, a, MO_UB, 0);
    tcg_gen_insn_start(ctx, 0x1008);
    tcg_gen_add(ctx, G[0], G[0], d);
    tcg_gen_exit_tb(ctx, 0);
    const void *code = compile();

    g_assert_cmpint(last_info.nb_sites, ==, 1);
    const TbFaultSite *fs = &last_info.sites[0];
    g_assert_cmpuint(fs->n, ==, 1);
    const TcgWriteback *wb = &last_info.wbs[fs->first];
    g_assert_cmpint(wb->off, ==, (int32_t)offsetof(Env, g[0]));
    g_assert_cmpint(wb->reg, >=, 0);
    g_assert_cmpint(wb->size, ==, 8);
    uintptr_t off = fs->start;
    g_assert(off >= last_info.insn_end[0] && off < last_info.insn_end[1]);

    memset(&env, 0, sizeof(env));
    env.g[0] = 10;
    env.in[0] = 0x40;
    if (sigsetjmp(fault_jmp, 1)) {
        g_error("unexpected guest fault at %#llx", (unsigned long long)fault.addr);
    }
    tcg_backend_x86_64.exec(&env, code);
    g_assert_cmpuint(env.g[0], ==, 16);

    memset(&env, 0, sizeof(env));
    env.g[0] = 10;
    env.in[0] = 1 << 20; /* out of the guest space: the slow path */
    if (sigsetjmp(fault_jmp, 1) == 0) {
        tcg_backend_x86_64.exec(&env, code);
        g_error("no fault");
    }
    g_assert_cmpuint(env.g[0], ==, 11); /* the first add, written back */
    munmap(mem, size);
}

static void test_guest_mem(void)
{
    size_t size = 1 << 20;
    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(mem != MAP_FAILED);

    /* Large guest_base: in a register. */
    run_guest_mem(mem, (uintptr_t)mem, 0, 20);
    /* guest_base 0, no bounds check: the address is the host address. */
    run_guest_mem(mem, 0, (uintptr_t)mem, 64);
    /* Small guest_base: a displacement. */
    run_guest_mem(mem, 0x1000, (uintptr_t)mem - 0x1000, 64);
    /* Bounds check with a displacement base as well. */
    run_guest_mem(mem, 0x1000, (uintptr_t)mem - 0x1000, 63);

    for (int k = 0; k < 2; k++) {
        /* k = 1: constant addresses, checked at translation time */
        expect_fault((uintptr_t)mem, 20, 1 << 20, MO_UB, false, 0, k);
        expect_fault((uintptr_t)mem, 20, ~0ull, MO_UQ, true, 1, k);
        expect_fault((uintptr_t)mem, 20, 0x1001, MO_UL | MO_ALIGN, false, 2, k);
        expect_fault((uintptr_t)mem, 20, 0x1002, MO_UQ | MO_ALIGN, true, 3, k);
        expect_fault((uintptr_t)mem, 20, 0x1001, MO_UW | MO_ALIGN | MO_BSWAP, true, 3, k);
        expect_fault(0x1000, 32, 0x100000000ull, MO_UL, false, 0, k);
    }

    /* Aligned MO_ALIGN accesses and the top byte of the space pass. */
    start();
    ctx->mem.base = (uintptr_t)mem;
    ctx->mem.addr_bits = 20;
    ctx->mem.fault = fault_func;
    mem[size - 1] = 0x5a;
    *(uint64_t *)(mem + 0x2000) = 0x0102030405060708ull;
    TcgTemp *d = tcg_temp_new_i64(ctx), *e = tcg_temp_new_i64(ctx);
    tcg_gen_qemu_ld(ctx, d, tcg_constant_i64(ctx, (int64_t)size - 1), MO_UB, 0);
    tcg_gen_qemu_ld(ctx, e, tcg_constant_i64(ctx, 0x2000), MO_UQ | MO_ALIGN, 0);
    st_out(d, 0);
    st_out(e, 1);
    tcg_gen_exit_tb(ctx, 0);
    if (sigsetjmp(fault_jmp, 1)) {
        g_error("unexpected fault");
    }
    run();
    g_assert_cmphex(env.out[0], ==, 0x5a);
    g_assert_cmphex(env.out[1], ==, 0x0102030405060708ull);
    munmap(mem, size);
}

/* ld/st of the cpu state with every size, sign and byte order. */
static void test_env_ld_st(void)
{
    for (int type = TCG_I32; type <= TCG_I64; type++) {
        start();
        memset(&env, 0, sizeof(env));
        uint8_t *bytes = (uint8_t *)&env.in[0];
        for (int i = 0; i < 64; i++) {
            bytes[i] = (uint8_t)(0x91 + 7 * i);
        }
        int k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            TcgTemp *d = tcg_temp_new(ctx, (TcgType)type);
            tcg_gen_ld(ctx, d, ctx->env, (int32_t)(offsetof(Env, in) + m * 3), mop);
            st_out(d, 10 + k);
            tcg_gen_st(ctx, d, ctx->env, (int32_t)(offsetof(Env, in[32]) + 8 * m), mop);
            tcg_gen_st(ctx, tcg_constant(ctx, (TcgType)type, -0x1234567), ctx->env,
                       (int32_t)(offsetof(Env, in[64]) + 8 * m), mop);
            k++;
        }
        tcg_gen_exit_tb(ctx, 0);
        run();
        k = 0;
        for (size_t m = 0; m < G_N_ELEMENTS(mem_ops); m++) {
            MemOp mop = mem_ops[m];
            if (type == TCG_I32 && (mop & MO_SIZE) == MO_64) {
                continue;
            }
            uint64_t want = ref_load(bytes + 3 * m, mop, (TcgType)type);
            uint64_t got = type == TCG_I32 ? (uint32_t)env.out[10 + k] : env.out[10 + k];
            g_assert_cmphex(got, ==, want);
            int n = 1 << (mop & MO_SIZE);
            g_assert(memcmp((uint8_t *)&env.in[32] + 8 * m, bytes + 3 * m, n) == 0);
            uint64_t c = type == TCG_I32 ? (uint32_t)-0x1234567 : (uint64_t)-0x1234567;
            uint64_t mask = n == 8 ? ~0ull : (1ull << (8 * n)) - 1;
            g_assert_cmphex(ref_load((uint8_t *)&env.in[64] + 8 * m, mop & ~MO_SIGN, TCG_I64),
                            ==, c & mask);
            k++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* block exits */

static void test_chaining(void)
{
    /* B: g8 += 1, exit 42 */
    start();
    memset(&env, 0, sizeof(env));
    tcg_gen_addi(ctx, G[8], G[8], 1);
    tcg_gen_exit_tb(ctx, 42);
    const void *b = compile();

    /* A: g8 = 10 (dirty), goto_tb 0, exit_tb(0x1000 | 0) */
    start();
    tcg_gen_movi(ctx, G[8], 10);
    tcg_gen_goto_tb(ctx, 0);
    tcg_gen_exit_tb(ctx, 0x1000);
    const void *a = compile();
    TbCodeInfo ia = last_info;
    g_assert_cmpuint(ia.jmp_insn_offset[0], !=, TCG_NO_JUMP);
    g_assert_cmpuint(ia.jmp_insn_offset[1], ==, TCG_NO_JUMP);
    g_assert_cmpuint(((uintptr_t)a + ia.jmp_insn_offset[0]) & 3, ==, 0);

    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 0x1000);
    g_assert_cmpuint(env.g[8], ==, 10);

    uintptr_t site = (uintptr_t)a + ia.jmp_insn_offset[0];
    tcg_backend_x86_64.patch_jump(&cbuf, site, (uintptr_t)b);
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 42);
    g_assert_cmpuint(env.g[8], ==, 11);

    tcg_backend_x86_64.patch_jump(&cbuf, site, (uintptr_t)a + ia.jmp_reset_offset[0]);
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 0x1000);
}

/*
 * Self-loops (tcg/loop.c): g0 counts up to g1 while g2 += g3 * g0 and the
 * guest byte at g4 + g0 is set; the back edge is the taken branch
 * (back_taken) or the fall-through.  With tick, a helper in the body
 * requests an exit in iteration tick_at.
 */
static int tick_calls, tick_at;
static void loop_tick(void *e)
{
    Env *p = e;
    if (++tick_calls == tick_at) {
        p->hdr.exit_request = 1;
    }
}
static const TcgHelperInfo htick = { (void *)loop_tick, "tick", TCG_CALL_NO_RWG, 1, false,
                                     false };

static uint8_t loop_mem[256];

/* "goto_tb slot; mov pc(G15), $pc; exit_tb val", as a front end ends a TB */
static void gen_chained_exit(unsigned slot, uint64_t pc, uintptr_t val)
{
    tcg_gen_goto_tb(ctx, slot);
    tcg_gen_movi(ctx, G[15], (int64_t)pc);
    tcg_gen_exit_tb(ctx, val);
}

/* The loop's end: 0 = back edge on the brcond's fall-through, 1 = on its
 * taken side, 2 = a superblock's: a side exit, then a straight back edge. */
static bool build_loop(int shape, bool tick, uint64_t back_pc)
{
    bool back_taken = shape == 1;
    start();
    ctx->mem.base = (uintptr_t)loop_mem; /* guest addresses 0..255, unchecked */
    int lexit = tcg_new_label(ctx), l1 = tcg_new_label(ctx);
    TcgTemp *req = tcg_temp_new_i32(ctx);
    tcg_gen_ld(ctx, req, ctx->env, (int32_t)offsetof(Env, hdr.exit_request), MO_SL);
    tcg_gen_brcondi(ctx, TCG_COND_NE, req, 0, lexit);
    TcgTemp *t = tcg_temp_new_i64(ctx), *addr = tcg_temp_new_i64(ctx);
    tcg_gen_mul(ctx, t, G[3], G[0]);
    tcg_gen_add(ctx, G[2], G[2], t);
    tcg_gen_add(ctx, addr, G[4], G[0]);
    tcg_gen_qemu_st(ctx, tcg_constant_i64(ctx, 1), addr, MO_UB, 0);
    if (tick) {
        tcg_gen_call(ctx, &htick, NULL, 1, &ctx->env);
    }
    /* (g5, g6) = (g6, g5 + 1); g7 = g5 ^ g6: at the back edge g5 and g6
     * are in each other's registers */
    TcgTemp *sw = tcg_temp_new_i64(ctx);
    tcg_gen_xor(ctx, G[7], G[5], G[6]);
    tcg_gen_mov(ctx, sw, G[5]);
    tcg_gen_mov(ctx, G[5], G[6]);
    tcg_gen_addi(ctx, G[6], sw, 1);
    tcg_gen_addi(ctx, G[0], G[0], 1);
    if (shape == 2) {
        tcg_gen_brcond(ctx, TCG_COND_GEU, G[0], G[1], l1);
        gen_chained_exit(0, back_pc, 0x5000);
        tcg_gen_set_label(ctx, l1);
        gen_chained_exit(1, 0x2000, 0x5001);
        tcg_gen_set_label(ctx, lexit);
        tcg_gen_exit_tb(ctx, 0x5003);
        return tcg_loopify(ctx, 0x1000);
    }
    if (back_taken) {
        tcg_gen_brcond(ctx, TCG_COND_LTU, G[0], G[1], l1);
    } else {
        tcg_gen_brcond(ctx, TCG_COND_GEU, G[0], G[1], l1);
    }
    uint64_t first = back_taken ? 0x2000 : back_pc, second = back_taken ? back_pc : 0x2000;
    gen_chained_exit(1, first, first == 0x2000 ? 0x5001 : 0x5000);
    tcg_gen_set_label(ctx, l1);
    gen_chained_exit(0, second, second == 0x2000 ? 0x5001 : 0x5000);
    tcg_gen_set_label(ctx, lexit);
    tcg_gen_exit_tb(ctx, 0x5003);
    return tcg_loopify(ctx, 0x1000);
}

static void test_self_loop(void)
{
    uint8_t *mem = loop_mem;
    /* not a self-loop: the chained exits go elsewhere */
    g_assert_false(build_loop(1, false, 0x3000));
    g_assert_cmpint(ctx->loop_label, ==, -1);
    g_assert_false(build_loop(2, false, 0x3000));
    g_assert_cmpint(ctx->loop_label, ==, -1);

    for (int v = 0; v < 6; v++) {
        int shape = v % 3;
        bool tick = v >= 3;
        g_assert_true(build_loop(shape, tick, 0x1000));
        g_assert_cmpint(ctx->nb_loop_globals, >=, 3);
        memset(&env, 0, sizeof(env));
        memset(loop_mem, 0, sizeof(loop_mem));
        env.g[1] = 100;
        env.g[3] = 7;
        env.g[5] = 1000;
        env.g[6] = 2000;
        tick_calls = 0;
        tick_at = tick ? 40 : -1;
        uintptr_t ret = run();
        int n = tick ? 40 : 100;
        uint64_t g5 = 1000, g6 = 2000, g7 = 0;
        for (int i = 0; i < n; i++) {
            g7 = g5 ^ g6;
            uint64_t t = g5;
            g5 = g6;
            g6 = t + 1;
        }
        g_assert_cmpuint(env.g[5], ==, g5);
        g_assert_cmpuint(env.g[6], ==, g6);
        g_assert_cmpuint(env.g[7], ==, g7);
        g_assert_cmphex(ret, ==, tick ? 0x5003 : 0x5001);
        g_assert_cmpuint(env.g[0], ==, (uint64_t)n);
        g_assert_cmpuint(env.g[2], ==, 7ull * (uint64_t)(n - 1) * (uint64_t)n / 2);
        g_assert_cmphex(env.g[15], ==, tick ? 0 : 0x2000);
        for (int i = 0; i < 110; i++) {
            g_assert_cmpint(mem[i], ==, i < n);
        }
        if (!tick) {
            /* g3 is only read: loaded once, before the loop head (with the
             * call, its caller-saved register is reloaded after it) */
            char *g3 = g_strdup_printf("qword ptr [rbp + 0x%zx]", offsetof(Env, g[3]));
            g_assert_cmpint(count_insns(g3), ==, 1);
            g_free(g3);
        }
        /* an exit request before the first iteration: nothing done */
        memset(&env, 0, sizeof(env));
        env.hdr.exit_request = 1;
        env.g[1] = 100;
        g_assert_cmphex(tcg_backend_x86_64.exec(&env, last_code), ==, 0x5003);
        g_assert_cmpuint(env.g[0], ==, 0);
    }
}

/* A loop whose back edge needs no register moves: its exit test and back
 * edge ("jcc exit; jmp head") become one conditional branch to the head. */
static void test_loop_branch_fold(void)
{
    for (int shape = 0; shape < 2; shape++) {
        start();
        int lexit = tcg_new_label(ctx), l1 = tcg_new_label(ctx);
        TcgTemp *req = tcg_temp_new_i32(ctx);
        tcg_gen_ld(ctx, req, ctx->env, (int32_t)offsetof(Env, hdr.exit_request), MO_SL);
        tcg_gen_brcondi(ctx, TCG_COND_NE, req, 0, lexit);
        tcg_gen_addi(ctx, G[0], G[0], 1);
        tcg_gen_add(ctx, G[2], G[2], G[0]);
        tcg_gen_brcond(ctx, TCG_COND_GEU, G[0], G[1], l1);
        /* shape 0: the back edge is the brcond's fall-through; shape 1: a
         * superblock's straight back edge, with code after its side exit */
        if (shape == 1) {
            tcg_gen_addi(ctx, G[3], G[3], 2);
        }
        gen_chained_exit(0, 0x1000, 0x5000);
        tcg_gen_set_label(ctx, l1);
        gen_chained_exit(1, 0x2000, 0x5001);
        tcg_gen_set_label(ctx, lexit);
        tcg_gen_exit_tb(ctx, 0x5003);
        g_assert_true(tcg_loopify(ctx, 0x1000));
        memset(&env, 0, sizeof(env));
        env.g[1] = 50;
        g_assert_cmphex(run(), ==, 0x5001);
        g_assert_cmpuint(env.g[0], ==, 50);
        g_assert_cmpuint(env.g[2], ==, 50 * 51 / 2);
        g_assert_cmpuint(env.g[3], ==, shape ? 2 * 49 : 0);
        /* the head is the exit_request check; one branch goes back to it,
         * conditional where it follows the exit test (with code between
         * the side exit and the back edge it stays a jmp) */
        uintptr_t head = find_insn("cmp dword ptr [rbp], 0");
        g_assert_cmphex(head, !=, 0);
        char *to_head = g_strdup_printf("0x%" PRIxPTR, head);
        char *jmp_head = g_strdup_printf("jmp 0x%" PRIxPTR, head);
        g_assert_cmpint(count_insns(to_head), ==, 1);
        g_assert_cmpint(count_insns(jmp_head), ==, shape);
        g_free(to_head);
        g_free(jmp_head);
    }
}

static const void *lookup_target;
static const void *lookup_helper(void *e)
{
    Env *p = e;
    return p->g[9] == 1 ? lookup_target : tcg_backend_x86_64.return_to_loop_addr();
}
static const TcgHelperInfo hlookup = { (void *)lookup_helper, "lookup", 0, 1, true, true };

static void test_goto_ptr(void)
{
    start();
    memset(&env, 0, sizeof(env));
    tcg_gen_movi(ctx, G[10], 5);
    tcg_gen_exit_tb(ctx, 7);
    lookup_target = compile();

    start();
    ctx->lookup_tb_helper = &hlookup;
    tcg_gen_addi(ctx, G[11], G[11], 3);
    tcg_gen_lookup_and_goto_ptr(ctx);
    const void *a = compile();
    ctx->lookup_tb_helper = NULL;

    env.g[9] = 1;
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 7);
    g_assert_cmpuint(env.g[10], ==, 5);
    g_assert_cmpuint(env.g[11], ==, 3);
    env.g[9] = 0;
    g_assert_cmpuint(tcg_backend_x86_64.exec(&env, a), ==, 0);
    g_assert_cmpuint(env.g[11], ==, 6);
}

/* The inline jump-cache probe of tcg_gen_lookup_and_goto_ptr_key: a hit
 * jumps to the cached code without the helper; a NULL entry, another pc,
 * other flags or an invalid TB go to the helper. */
typedef struct FakeTb {
    uint64_t pc;
    uint32_t flags;
    uint8_t invalid;
    const void *code;
} FakeTb;
static int lookup_calls;
static const void *counting_lookup(void *e)
{
    (void)e;
    lookup_calls++;
    return tcg_backend_x86_64.return_to_loop_addr();
}
static const TcgHelperInfo hcount = { (void *)counting_lookup, "lookup", 0, 1, true, true };

static void test_lookup_inline(void)
{
    static void *cache[16];
    static FakeTb tb;

    start();
    tcg_gen_movi(ctx, G[10], 5);
    tcg_gen_exit_tb(ctx, 7);
    tb.code = compile();

    start();
    ctx->lookup_tb_helper = &hcount;
    ctx->lookup_inline.enabled = true;
    ctx->lookup_inline.env_cache_off = (int32_t)offsetof(Env, hdr.jmp_cache);
    ctx->lookup_inline.shift1 = 1;
    ctx->lookup_inline.shift2 = 5;
    ctx->lookup_inline.mask = 15;
    ctx->lookup_inline.tb_pc_off = (int32_t)offsetof(FakeTb, pc);
    ctx->lookup_inline.tb_flags_off = (int32_t)offsetof(FakeTb, flags);
    ctx->lookup_inline.tb_invalid_off = (int32_t)offsetof(FakeTb, invalid);
    ctx->lookup_inline.tb_code_off = (int32_t)offsetof(FakeTb, code);
    tcg_gen_lookup_and_goto_ptr_key(ctx, G[9], 0x55);
    const void *a = compile();
    ctx->lookup_tb_helper = NULL;
    ctx->lookup_inline.enabled = false;

    uint64_t pc = 0x12345678;
    unsigned h = (unsigned)((pc >> 1) ^ (pc >> 5)) & 15;
    for (int k = 0; k < 5; k++) {
        memset(&env, 0, sizeof(env));
        memset(cache, 0, sizeof(cache));
        env.hdr.jmp_cache = cache;
        env.g[9] = pc;
        tb = (FakeTb){ .pc = pc, .flags = 0x55, .invalid = 0, .code = tb.code };
        cache[h] = k == 1 ? NULL : &tb;
        if (k == 2) {
            tb.pc = pc + 2;
        } else if (k == 3) {
            tb.flags = 0x54;
        } else if (k == 4) {
            tb.invalid = 1;
        }
        lookup_calls = 0;
        uintptr_t ret = tcg_backend_x86_64.exec(&env, a);
        if (k == 0) {
            g_assert_cmpuint(ret, ==, 7);
            g_assert_cmpuint(env.g[10], ==, 5);
            g_assert_cmpint(lookup_calls, ==, 0);
        } else {
            g_assert_cmpuint(ret, ==, 0);
            g_assert_cmpuint(env.g[10], ==, 0);
            g_assert_cmpint(lookup_calls, ==, 1);
        }
    }
}

static void test_insn_end(void)
{
    start();
    memset(&env, 0, sizeof(env));
    for (int i = 0; i < 5; i++) {
        tcg_gen_insn_start(ctx, 0x1000 + 4 * i);
        if (i != 2) {
            tcg_gen_addi(ctx, G[i], G[i], i + 1);
        }
    }
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpint(last_info.nb_insns, ==, 5);
    for (int i = 1; i < 5; i++) {
        g_assert_cmpuint(last_info.insn_end[i - 1], <=, last_info.insn_end[i]);
    }
    g_assert_cmpuint(last_info.insn_end[4], <=, last_info.size);
    g_assert_cmpuint(env.g[4], ==, 5);
}

static void test_mb(void)
{
    start();
    tcg_gen_mb(ctx, TCG_MO_LD_LD | TCG_MO_ST_ST | TCG_MO_LD_ST);
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpint(count_insns("mfence"), ==, 0);
    start();
    tcg_gen_mb(ctx, TCG_MO_ALL);
    tcg_gen_exit_tb(ctx, 0);
    run();
    g_assert_cmpint(count_insns("mfence"), ==, 1);
}

/* A buffer too small: NULL, and nothing written past its end. */
static void test_buffer_full(void)
{
    /* Inside the real buffer so exits can reach the epilogue. */
    uint8_t *small = cbuf.rw + cbuf.size - 8192;
    const size_t total = 4096 + 64;
    for (size_t n = 0; n < 600; n += 37) {
        start();
        for (int i = 0; i < 40; i++) {
            tcg_gen_addi(ctx, G[i % NG], G[(i + 1) % NG], i);
        }
        tcg_gen_exit_tb(ctx, 0);
        memset(small, 0xa5, total);
        CodeBuffer b = { .rw = small, .rx = small, .size = n };
        TbCodeInfo info;
        const void *p = tcg_backend_x86_64.gen_code(ctx, &b, &info);
        if (p) {
            g_assert_cmpuint(info.size, <=, n);
        }
        for (size_t i = n; i < total; i++) {
            g_assert_cmpuint(small[i], ==, 0xa5);
        }
    }
}

/* Several code buffers (one per vCPU): each works on its own, and
 * unmapping one leaves the others (and exec/return_to_loop) intact. */
static void test_two_buffers(void)
{
    CodeBuffer saved = cbuf;
    for (int round = 0; round < 2; round++) {
        size_t size = 1 << 20;
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        g_assert(p != MAP_FAILED);
        CodeBuffer b2 = { .rw = p, .rx = p, .size = size };
        tcg_backend_x86_64.init(&b2);
        cbuf = b2;
        start();
        memset(&env, 0, sizeof(env));
        tcg_gen_movi(ctx, G[12], 1234 + round);
        tcg_gen_exit_tb(ctx, 0x40);
        g_assert_cmpuint(run(), ==, 0x40);
        g_assert_cmpuint(env.g[12], ==, 1234u + round);
        munmap(p, size);
        cbuf = saved;
        /* The first buffer still runs, including goto_ptr's way out. */
        start();
        ctx->lookup_tb_helper = &hlookup;
        env.g[9] = 0;
        tcg_gen_addi(ctx, G[13], G[13], 1);
        tcg_gen_lookup_and_goto_ptr(ctx);
        ctx->lookup_tb_helper = NULL;
        g_assert_cmpuint(run(), ==, 0);
        g_assert_cmpuint(env.g[13], ==, 1);
    }
}

/* A cpu-state load used once by the next op becomes its memory operand
 * (the exit_request check at every TB entry). */
static void test_lazy_ld(void)
{
    for (int flag = 0; flag < 2; flag++) {
        start();
        memset(&env, 0, sizeof(env));
        env.hdr.exit_request = flag;
        int l = tcg_new_label(ctx);
        TcgTemp *t = tcg_temp_new_i32(ctx);
        tcg_gen_ld(ctx, t, ctx->env, (int32_t)offsetof(Env, hdr.exit_request), MO_SL);
        tcg_gen_brcondi(ctx, TCG_COND_NE, t, 0, l);
        /* used by an extension: movsxd r, [mem]; then by an ALU op, which
         * takes no memory operand (x86-ops.c: memory renaming) */
        TcgTemp *u = tcg_temp_new_i64(ctx), *w = tcg_temp_new_i64(ctx);
        TcgTemp *v = ld_in(TCG_I64, 1);
        env.in[0] = 40;
        env.in[1] = 2;
        tcg_gen_ld(ctx, u, ctx->env, (int32_t)offsetof(Env, in[0]), MO_64);
        tcg_gen_ext32s(ctx, w, u);
        tcg_gen_add(ctx, v, v, w);
        tcg_gen_ld(ctx, u, ctx->env, (int32_t)offsetof(Env, in[0]), MO_64);
        tcg_gen_add(ctx, v, v, u);
        tcg_gen_subi(ctx, v, v, 40);
        st_out(v, 0);
        /* used twice: an ordinary load */
        TcgTemp *x = tcg_temp_new_i64(ctx);
        tcg_gen_ld(ctx, x, ctx->env, (int32_t)offsetof(Env, in[0]), MO_64);
        tcg_gen_add(ctx, x, x, x);
        st_out(x, 1);
        /* the load's field is overwritten right after: no laziness across a st */
        TcgTemp *y = tcg_temp_new_i64(ctx);
        tcg_gen_ld(ctx, y, ctx->env, (int32_t)offsetof(Env, in[0]), MO_64);
        tcg_gen_st(ctx, tcg_constant_i64(ctx, 7), ctx->env, (int32_t)offsetof(Env, in[0]),
                   MO_64);
        st_out(y, 2);
        tcg_gen_exit_tb(ctx, 0);
        tcg_gen_set_label(ctx, l);
        tcg_gen_exit_tb(ctx, 3);
        g_assert_cmpuint(run(), ==, flag ? 3 : 0);
        if (!flag) {
            g_assert_cmpuint(env.out[0], ==, 42);
            g_assert_cmpuint(env.out[1], ==, 80);
            g_assert_cmpuint(env.out[2], ==, 40);
            g_assert_cmpuint(env.in[0], ==, 7);
        }
        g_assert_cmpint(count_insns("cmp dword ptr [rbp], 0"), ==, 1);
        g_assert_cmpint(count_insns("movsxd r12, dword ptr [rbp + 0x"), ==, 1);
        g_assert_cmpint(count_insns("add rbx, qword ptr [rbp + 0x"), ==, 0);
    }
}

/* ------------------------------------------------------------------ */
/* fpop: inline SSE/FMA fast path, helper slow path (tcg/x86_64/x86-fp.c) */

static int fp_kind, fp_calls;

static double d_of(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}
static uint64_t bits_d(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}
static float f_of(uint64_t v)
{
    uint32_t w = (uint32_t)v;
    float f;
    memcpy(&f, &w, 4);
    return f;
}
static uint64_t bits_f(float f)
{
    uint32_t w;
    memcpy(&w, &f, 4);
    return 0xffffffff00000000ull | w;
}
static bool boxed(uint64_t v)
{
    return (v >> 32) == 0xffffffffu;
}

/* Reference result of an fpop (host arithmetic in round-to-nearest); an
 * unboxed single input gives a marker so the test sees the helper ran. */
static uint64_t fp_ref(int kind, uint64_t a, uint64_t b, uint64_t c)
{
    bool single = tcg_fpop_is_single((TcgFpopKind)kind);
    int base = single ? kind - FPOP_ADD_S : kind;
    if (single) {
        if (!boxed(a) || !boxed(b) || !boxed(c)) {
            return 0xffffffff7fc00000ull;
        }
        float x = f_of(a), y = f_of(b), z = f_of(c), r;
        switch (base) {
        case FPOP_ADD_D: r = x + y; break;
        case FPOP_SUB_D: r = x - y; break;
        case FPOP_MUL_D: r = x * y; break;
        case FPOP_DIV_D: r = x / y; break;
        case FPOP_SQRT_D: r = sqrtf(x); break;
        case FPOP_FMADD_D: r = fmaf(x, y, z); break;
        case FPOP_FMSUB_D: r = fmaf(x, y, -z); break;
        case FPOP_FNMSUB_D: r = fmaf(-x, y, z); break;
        default: r = fmaf(-x, y, -z); break;
        }
        return bits_f(r);
    }
    double x = d_of(a), y = d_of(b), z = d_of(c), r;
    switch (base) {
    case FPOP_ADD_D: r = x + y; break;
    case FPOP_SUB_D: r = x - y; break;
    case FPOP_MUL_D: r = x * y; break;
    case FPOP_DIV_D: r = x / y; break;
    case FPOP_SQRT_D: r = sqrt(x); break;
    case FPOP_FMADD_D: r = fma(x, y, z); break;
    case FPOP_FMSUB_D: r = fma(x, y, -z); break;
    case FPOP_FNMSUB_D: r = fma(-x, y, z); break;
    default: r = fma(-x, y, -z); break;
    }
    return bits_d(r);
}

/* Would the inline path produce this result itself? */
static bool fp_fast(int kind, uint64_t a, uint64_t b, uint64_t c, uint64_t r)
{
    bool single = tcg_fpop_is_single((TcgFpopKind)kind);
    int base = single ? kind - FPOP_ADD_S : kind;
    if (base >= FPOP_FMADD_D && !(x86_host_features() & X86_FEAT_FMA)) {
        return false;
    }
    if (single) {
        return boxed(a) && boxed(b) && boxed(c) && isnormal(f_of(r));
    }
    return isnormal(d_of(r));
}

static uint64_t fp_helper1(void *e, uint64_t a)
{
    g_assert(e == &env);
    g_assert(((uintptr_t)__builtin_frame_address(0) & 15) == 0);
    fp_calls++;
    return fp_ref(fp_kind, a, bits_f(1), bits_f(1));
}
static uint64_t fp_helper2(void *e, uint64_t a, uint64_t b)
{
    g_assert(e == &env);
    fp_calls++;
    return fp_ref(fp_kind, a, b, bits_f(1));
}
static uint64_t fp_helper3(void *e, uint64_t a, uint64_t b, uint64_t c)
{
    g_assert(e == &env);
    fp_calls++;
    return fp_ref(fp_kind, a, b, c);
}
static const TcgHelperInfo hfp[4] = {
    [1] = { (void *)fp_helper1, "fp1", TCG_CALL_NO_RWG, 2, true, true },
    [2] = { (void *)fp_helper2, "fp2", TCG_CALL_NO_RWG, 3, true, true },
    [3] = { (void *)fp_helper3, "fp3", TCG_CALL_NO_RWG, 4, true, true },
};

static void test_fpop(void)
{
    const uint64_t dv[] = {
        bits_d(1.5), bits_d(-2.25), bits_d(3.0), bits_d(1e300), bits_d(-1e300),
        bits_d(1e-310), bits_d(0.0), bits_d(-0.0), bits_d(INFINITY), bits_d(NAN),
        bits_d(2.0), bits_d(1e-300),
    };
    const uint64_t fv[] = {
        bits_f(1.5f), bits_f(-2.25f), bits_f(3.0f), bits_f(1e38f), bits_f(-1e38f),
        bits_f(1e-40f), bits_f(0.0f), bits_f(-0.0f), bits_f(INFINITY), bits_f(NAN),
        bits_f(2.0f), 0x3fc00000ull /* 1.5f, not boxed */,
    };
    enum { NV_FP = 12 };
    for (int kind = 0; kind < FPOP_NB_KINDS; kind++) {
        bool single = tcg_fpop_is_single((TcgFpopKind)kind);
        const uint64_t *v = single ? fv : dv;
        int n = tcg_fpop_nb_inputs((TcgFpopKind)kind);
        for (int ia = 0; ia < NV_FP; ia += 1) {
            start();
            memset(&env, 0, sizeof(env));
            fp_kind = kind;
            fp_calls = 0;
            /* live values across the op (some in caller-saved registers) */
            TcgTemp *keep[10];
            for (int k = 0; k < 10; k++) {
                keep[k] = ld_in(TCG_I64, 200 + k);
                env.in[200 + k] = 0x1111111111111111ull * (uint64_t)(k + 1);
            }
            int cnt = 0;
            uint64_t want[NV_FP];
            int want_calls = 0;
            for (int ib = 0; ib < NV_FP; ib++) {
                uint64_t a = v[ia], b = v[ib], c = v[(ia + ib) % NV_FP];
                env.in[3 * cnt] = a;
                env.in[3 * cnt + 1] = b;
                env.in[3 * cnt + 2] = c;
                TcgTemp *ta = ld_in(TCG_I64, 3 * cnt), *tb = ld_in(TCG_I64, 3 * cnt + 1);
                TcgTemp *tc = ld_in(TCG_I64, 3 * cnt + 2);
                TcgTemp *d = tcg_temp_new_i64(ctx);
                tcg_gen_fpop(ctx, (TcgFpopKind)kind, &hfp[n], d, ta, n > 1 ? tb : NULL,
                             n > 2 ? tc : NULL);
                st_out(d, cnt);
                uint64_t bb = n > 1 ? b : (single ? bits_f(1) : bits_d(1));
                uint64_t cc = n > 2 ? c : (single ? bits_f(1) : bits_d(1));
                want[cnt] = fp_ref(kind, a, bb, cc);
                want_calls += !fp_fast(kind, a, bb, cc, want[cnt]);
                cnt++;
            }
            for (int k = 0; k < 10; k++) {
                st_out(keep[k], 300 + k);
            }
            tcg_gen_exit_tb(ctx, 0);
            run();
            for (int k = 0; k < cnt; k++) {
                uint64_t got = env.out[k];
                bool nan_ok = single ? isnan(f_of(got)) && isnan(f_of(want[k]))
                                     : isnan(d_of(got)) && isnan(d_of(want[k]));
                if (got != want[k] && !nan_ok) {
                    g_error("fpop kind %d: %#llx %#llx %#llx -> %#llx, want %#llx", kind,
                            (unsigned long long)env.in[3 * k],
                            (unsigned long long)env.in[3 * k + 1],
                            (unsigned long long)env.in[3 * k + 2], (unsigned long long)got,
                            (unsigned long long)want[k]);
                }
            }
            g_assert_cmpint(fp_calls, ==, want_calls);
            for (int k = 0; k < 10; k++) {
                g_assert_cmphex(env.out[300 + k], ==, env.in[200 + k]);
            }
        }
    }
}

/*
 * Chains of dependent fpops: each result feeds the next op (as its first
 * or its second input, or both), so the back end takes it from the XMM
 * register that mirrors it rather than from its general register, also
 * with other fpops in between.  Results that leave the fast path
 * (subnormal, infinite, NaN, unboxed singles) run the out-of-line helper,
 * which must reload every mirror; a label, a register copy or a helper
 * call between two ops must make the back end forget them.
 */
static uint64_t chain_call_count;
static volatile double chain_sink;
static uint64_t chain_helper(uint64_t x)
{
    chain_call_count++;
    chain_sink = (double)x * 0.5; /* leaves something else in xmm0 */
    return x;
}
static const TcgHelperInfo hchain = { (void *)chain_helper, "chain", TCG_CALL_NO_RWG, 1,
                                      true, true };

/* The chain's slow path marks its results (low bit flipped), so a stale
 * xmm0 (the SSE result) would show. */
static uint64_t chain_ref(int kind, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t r = fp_ref(kind, a, b, c);
    return fp_fast(kind, a, b, c, r) ? r : r ^ 1;
}
static uint64_t chain_fp1(void *e, uint64_t a)
{
    (void)e;
    return fp_ref(fp_kind, a, bits_f(1), bits_f(1)) ^ 1;
}
static uint64_t chain_fp2(void *e, uint64_t a, uint64_t b)
{
    (void)e;
    return fp_ref(fp_kind, a, b, bits_f(1)) ^ 1;
}
static uint64_t chain_fp3(void *e, uint64_t a, uint64_t b, uint64_t c)
{
    (void)e;
    return fp_ref(fp_kind, a, b, c) ^ 1;
}
static const TcgHelperInfo hchain_fp[4] = {
    [1] = { (void *)chain_fp1, "cfp1", TCG_CALL_NO_RWG, 2, true, true },
    [2] = { (void *)chain_fp2, "cfp2", TCG_CALL_NO_RWG, 3, true, true },
    [3] = { (void *)chain_fp3, "cfp3", TCG_CALL_NO_RWG, 4, true, true },
};

static void test_fpop_chain(void)
{
    /* mostly normal results; a subnormal input (1e-310), a tiny product
     * (1e-300), a zero (step 7), an unboxed single (step 11), an overflow
     * near the end */
    static const double dseq[] = { 1.5, 2.0, 0.75, 1e-310, 3.0, -2.25, 1.25, 0.5,
                                   7.0, 1e-300, 4.0, 9.0, 1.5, 2.5, 1e300, 3.0 };
    static const TcgFpopKind kinds[] = {
        FPOP_ADD_D, FPOP_SUB_D, FPOP_MUL_D, FPOP_DIV_D, FPOP_SQRT_D, FPOP_FMADD_D,
        FPOP_FNMADD_D, FPOP_ADD_S, FPOP_MUL_S, FPOP_DIV_S, FPOP_FMSUB_S,
    };
    enum { NSEQ = 16, NVARIANT = 5 };
    for (size_t ki = 0; ki < G_N_ELEMENTS(kinds); ki++) {
        int kind = kinds[ki];
        bool single = tcg_fpop_is_single((TcgFpopKind)kind);
        int base = single ? kind - FPOP_ADD_S : kind;
        int n = tcg_fpop_nb_inputs((TcgFpopKind)kind);
        for (int variant = 0; variant < NVARIANT; variant++) {
            start();
            memset(&env, 0, sizeof(env));
            fp_kind = kind;
            uint64_t accv = single ? bits_f(1.0f) : bits_d(1.0);
            env.in[0] = accv;
            TcgTemp *acc = ld_in(TCG_I64, 0);
            uint64_t want[NSEQ];
            int slow = 0;
            for (int i = 0; i < NSEQ; i++) {
                uint64_t xv = single ? bits_f((float)dseq[i]) : bits_d(dseq[i]);
                if (single && i == 11) {
                    xv = 0x3fc00000ull; /* unboxed: the helper's NaN */
                }
                if (i == 7) { /* a zero result mid-chain: x + -acc, x - acc, 0 * acc + 0 */
                    xv = base == FPOP_ADD_D   ? accv ^ (single ? 0x80000000u : 1ull << 63)
                         : base == FPOP_SUB_D ? accv
                         : base >= FPOP_FMADD_D ? (single ? bits_f(0.0f) : bits_d(0.0))
                                                : xv;
                }
                env.in[1 + i] = xv;
                TcgTemp *x = ld_in(TCG_I64, 1 + i);
                TcgTemp *d = tcg_temp_new_i64(ctx);
                /* acc first, second, or (i % 3 == 2) both */
                TcgTemp *a = i % 2 ? x : acc, *b = i % 3 == 2 ? acc : i % 2 ? acc : x;
                uint64_t av = i % 2 ? xv : accv, bv = i % 3 == 2 ? accv : i % 2 ? accv : xv;
                tcg_gen_fpop(ctx, (TcgFpopKind)kind, &hchain_fp[n], d, a, n > 1 ? b : NULL,
                             n > 2 ? x : NULL);
                uint64_t b1 = n > 1 ? bv : bits_f(1), c1 = n > 2 ? xv : bits_f(1);
                accv = chain_ref(kind, av, b1, c1);
                slow += accv != fp_ref(kind, av, b1, c1);
                want[i] = accv;
                st_out(d, i);
                if (variant == 1) { /* a copy: the value moves to another register */
                    TcgTemp *c = tcg_temp_new_i64(ctx);
                    tcg_gen_mov(ctx, c, d);
                    d = c;
                } else if (variant == 2) { /* a label: code may arrive from elsewhere */
                    TcgTemp *c = tcg_temp_new_local(ctx, TCG_I64);
                    tcg_gen_mov(ctx, c, d);
                    int l = tcg_new_label(ctx);
                    tcg_gen_br(ctx, l);
                    tcg_gen_set_label(ctx, l);
                    d = c;
                } else if (variant == 4) { /* other fpops in between: d's mirror stays */
                    for (int k = 0; k < 2; k++) {
                        TcgTemp *j = tcg_temp_new_i64(ctx);
                        tcg_gen_fpop(ctx, (TcgFpopKind)kind, &hchain_fp[n], j, x,
                                     n > 1 ? x : NULL, n > 2 ? x : NULL);
                        st_out(j, 200 + 2 * i + k);
                    }
                } else if (variant == 3) { /* a call clobbers xmm0, not d's register */
                    TcgTemp *c = tcg_temp_new_i64(ctx);
                    tcg_gen_call1(ctx, &hchain, c, d);
                    st_out(c, 100 + i);
                }
                acc = d;
            }
            tcg_gen_exit_tb(ctx, 0);
            chain_call_count = 0;
            run();
            g_assert_cmpint(slow, >, 0); /* the chain does exercise the slow path */
            for (int i = 0; i < NSEQ && variant == 4; i++) {
                uint64_t xv = env.in[1 + i];
                uint64_t jw = chain_ref(kind, xv, n > 1 ? xv : bits_f(1), n > 2 ? xv : bits_f(1));
                g_assert_cmphex(env.out[200 + 2 * i], ==, jw);
                g_assert_cmphex(env.out[201 + 2 * i], ==, jw);
            }
            for (int i = 0; i < NSEQ; i++) {
                if (env.out[i] != want[i]) {
                    g_error("fpop chain kind %d variant %d step %d: %#llx, want %#llx", kind,
                            variant, i, (unsigned long long)env.out[i],
                            (unsigned long long)want[i]);
                }
            }
            if (variant == 3) {
                g_assert_cmpuint(chain_call_count, ==, NSEQ);
            }
            if (variant == 0 && n > 1 &&
                (base < FPOP_FMADD_D || (x86_host_features() & X86_FEAT_FMA))) {
                /* the result taken as an input is copied from its mirror */
                g_assert_cmpint(count_insns("movaps"), >, 0);
            }
        }
    }
}

/* Dead code is removed by liveness. */
static void test_liveness_dce(void)
{
    start();
    TcgTemp *t = tcg_temp_new_i64(ctx);
    tcg_gen_addi(ctx, t, G[0], 5);          /* dead */
    tcg_gen_mul(ctx, t, t, t);              /* dead */
    tcg_gen_addi(ctx, G[1], G[1], 1);       /* live: global at exit */
    tcg_gen_exit_tb(ctx, 0);
    tcg_liveness(ctx);
    g_assert_cmpint(ctx->ops[0].opc, ==, INDEX_op_nop);
    g_assert_cmpint(ctx->ops[1].opc, ==, INDEX_op_nop);
    g_assert_cmpint(ctx->ops[2].opc, ==, INDEX_op_add);
    g_assert_true(tcg_life_sync(&ctx->ops[2], 0));
    g_assert_true(tcg_life_dead(&ctx->ops[2], 0));
    g_assert_true(tcg_life_dead(&ctx->ops[2], 1));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    setup();
    if (g_test_verbose()) {
        g_print("host features: %#x\n", x86_host_features());
    }
    g_test_add_func("/regalloc/liveness-dce", test_liveness_dce);
    g_test_add_func("/regalloc/global-kept", test_global_kept);
    g_test_add_func("/regalloc/global-branches", test_global_branches);
    g_test_add_func("/regalloc/local-loop", test_local_loop);
    g_test_add_func("/regalloc/calls", test_calls);
    g_test_add_func("/regalloc/spills", test_spills);
    g_test_add_func("/regalloc/env-ld-st", test_env_ld_st);
    g_test_add_func("/regalloc/guest-mem", test_guest_mem);
    g_test_add_func("/regalloc/chaining", test_chaining);
    g_test_add_func("/regalloc/self-loop", test_self_loop);
    g_test_add_func("/regalloc/fault-writeback", test_fault_writeback);
    g_test_add_func("/regalloc/loop-branch-fold", test_loop_branch_fold);
    g_test_add_func("/regalloc/lookup-inline", test_lookup_inline);
    g_test_add_func("/regalloc/goto-ptr", test_goto_ptr);
    g_test_add_func("/regalloc/insn-end", test_insn_end);
    g_test_add_func("/regalloc/mb", test_mb);
    g_test_add_func("/regalloc/buffer-full", test_buffer_full);
    g_test_add_func("/regalloc/two-buffers", test_two_buffers);
    g_test_add_func("/regalloc/lazy-ld", test_lazy_ld);
    g_test_add_func("/regalloc/fpop", test_fpop);
    g_test_add_func("/regalloc/fpop-chain", test_fpop_chain);
    return g_test_run();
}
