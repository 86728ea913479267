/*
 * The x86-64 host back end: prologue/epilogue, per-TB code generation glue
 * (liveness -> register allocation + emission -> slow paths and label
 * fixups), jump patching for TB chaining, and entry into generated code.
 *
 * The prologue and the "return 0" epilogue are assembled into the binary
 * (below), so exec() and return_to_loop_addr() are valid for every code
 * buffer and never dangle.  init() puts what TB code must reach with
 * rip-relative operands or rel32 jumps into each buffer:
 *     limit table:  2^n for n = 0..63 (guest address bounds checks)
 *     ret0:         xor eax, eax
 *     epilogue:     release the frame; pop callee-saved; ret
 * A small registry maps a buffer to those addresses.  Generated code runs
 * with rsp 16-byte aligned.  See docs/backend-x86_64.md.
 */
#include "tcg/x86_64/x86-gen.h"

#include <glib.h>
#include <string.h>

static const int saved_regs[] = {
    X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Bytes subtracted from rsp after the pushes: the frame, plus 8 to bring
 * rsp (8 mod 16 after call + 6 pushes) to a 16-byte boundary. */
#define X86_FRAME_ADJUST 4104
#define X86_STR_(x) #x
#define X86_STR(x) X86_STR_(x)
_Static_assert(X86_FRAME_ADJUST == X86_FRAME_SIZE + 8, "frame size mismatch");

/* guest_base for r15, read by the prologue (process-wide in user mode). */
__attribute__((visibility("hidden"))) uint64_t rove_x86_guest_base;

/* uintptr_t prologue(void *env, const void *code): enter generated code. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl rove_x86_prologue\n"
        ".hidden rove_x86_prologue\n"
        ".type rove_x86_prologue, @function\n"
        "rove_x86_prologue:\n"
        "    push %rbp\n"
        "    push %rbx\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    mov %rdi, %rbp\n"
        "    mov rove_x86_guest_base(%rip), %r15\n"
        "    sub $" X86_STR(X86_FRAME_ADJUST) ", %rsp\n"
        "    jmp *%rsi\n"
        ".size rove_x86_prologue, .-rove_x86_prologue\n"
        ".p2align 4\n"
        ".globl rove_x86_ret0\n"
        ".hidden rove_x86_ret0\n"
        ".type rove_x86_ret0, @function\n"
        "rove_x86_ret0:\n"
        "    xor %eax, %eax\n"
        "    add $" X86_STR(X86_FRAME_ADJUST) ", %rsp\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbx\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size rove_x86_ret0, .-rove_x86_ret0\n");
extern const uint8_t rove_x86_prologue[] __attribute__((visibility("hidden")));
extern const uint8_t rove_x86_ret0[] __attribute__((visibility("hidden")));

/* What init() placed in one code buffer. */
typedef struct X86BufInfo {
    uintptr_t rx;           /* buffer range [rx, rx + size) */
    size_t size;
    uintptr_t limit_rx;
    uintptr_t ret0_rx;
    uintptr_t epilogue_rx;
} X86BufInfo;

static GMutex bufs_lock;
static X86BufInfo *bufs;
static int nb_bufs;

static bool buf_lookup(uintptr_t rx, X86BufInfo *out)
{
    bool found = false;
    g_mutex_lock(&bufs_lock);
    for (int i = nb_bufs - 1; i >= 0; i--) {
        if (rx >= bufs[i].rx && rx - bufs[i].rx < bufs[i].size) {
            *out = bufs[i];
            found = true;
            break;
        }
    }
    g_mutex_unlock(&bufs_lock);
    return found;
}

static void buf_register(const X86BufInfo *bi)
{
    g_mutex_lock(&bufs_lock);
    int i;
    for (i = 0; i < nb_bufs; i++) {
        if (bufs[i].rx == bi->rx) {
            break; /* re-initialised (or a new mapping at the same place) */
        }
    }
    if (i == nb_bufs) {
        bufs = g_renew(X86BufInfo, bufs, nb_bufs + 1);
        nb_bufs++;
    }
    bufs[i] = *bi;
    g_mutex_unlock(&bufs_lock);
}

/* ------------------------------------------------------------------ */
/* allocator glue */

static void cb_mov(void *h, TcgType type, int dst, int src)
{
    X86Gen *g = h;
    if (dst != src) {
        x86_fp_regs_written(g, 1u << dst);
        x86_mov_rr(&g->a, type, dst, src);
    }
}

static void cb_movi(void *h, TcgType type, int dst, int64_t val)
{
    X86Gen *g = h;
    x86_fp_regs_written(g, 1u << dst);
    x86_movi(&g->a, type, dst, val);
}

static void cb_ld(void *h, TcgType type, int dst, int base, int32_t off)
{
    X86Gen *g = h;
    x86_fp_regs_written(g, 1u << dst);
    x86_load(&g->a, type, type == TCG_I64 ? MO_64 : MO_32, dst, base, -1, off);
}

static void cb_st(void *h, TcgType type, int src, int base, int32_t off)
{
    X86Gen *g = h;
    x86_store(&g->a, type == TCG_I64 ? MO_64 : MO_32, src, base, -1, off);
}

static void cb_sti(void *h, TcgType type, int64_t val, int base, int32_t off)
{
    X86Gen *g = h;
    x86_store_imm(&g->a, type == TCG_I64 ? MO_64 : MO_32, val, base, -1, off);
}

static void cb_xchg(void *h, int r1, int r2)
{
    X86Gen *g = h;
    x86_fp_regs_written(g, (1u << r1) | (1u << r2));
    x86_xchg(&g->a, r1, r2);
}

static bool cb_full(void *h)
{
    X86Gen *g = h;
    return x86_overflowed(&g->a);
}

const RaHostOps x86_ra_ops = {
    .mov = cb_mov,
    .movi = cb_movi,
    .ld = cb_ld,
    .st = cb_st,
    .sti = cb_sti,
    .xchg = cb_xchg,
    .const_ok = x86_const_ok,
    .constraint = x86_op_constraint,
    .emit_op = x86_emit_op,
    .emit_call = x86_emit_call,
    .full = cb_full,
    .insn_start = x86_insn_start,
};

void x86_host_desc(RaHostDesc *desc, bool guest_base_reg)
{
    /* Callee-saved first: values there survive helper calls for free.
     * rcx/rdx/rax last: shifts, division and returns want them. */
    static const int8_t order[] = {
        X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15, X86_R10, X86_R11, X86_R9,
        X86_R8, X86_RDI, X86_RSI, X86_RCX, X86_RDX, X86_RAX,
    };
    static const int8_t args[] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9 };

    memset(desc, 0, sizeof(*desc));
    desc->nb_regs = X86_NB_REGS;
    desc->reserved = (1u << X86_RSP) | (1u << X86_ENV_REG);
    if (guest_base_reg) {
        desc->reserved |= 1u << X86_GUEST_BASE_REG;
    }
    desc->call_clobbered = (1u << X86_RAX) | (1u << X86_RCX) | (1u << X86_RDX) |
                           (1u << X86_RSI) | (1u << X86_RDI) | (1u << X86_R8) |
                           (1u << X86_R9) | (1u << X86_R10) | (1u << X86_R11);
    memcpy(desc->alloc_order, order, sizeof(order));
    desc->nb_alloc_order = (int)sizeof(order);
    memcpy(desc->call_arg_regs, args, sizeof(args));
    desc->call_ret_reg = X86_RAX;
    desc->env_reg = X86_ENV_REG;
    desc->frame_reg = X86_RSP;
    desc->frame_offset = 0;
    desc->frame_size = X86_FRAME_SIZE;
}

/* ------------------------------------------------------------------ */
/* per-TB state */

/* Everything before the arrays (cleared already), for ctx. */
static void gen_setup(X86Gen *g, uint8_t *rw, uintptr_t rx, size_t size, TcgContext *ctx,
                      TbCodeInfo *info, unsigned features)
{
    g->a.rw = rw;
    g->a.rx = rx;
    g->a.size = size;
    g->a.features = features;
    g->ctx = ctx;
    g->info = info;
    g->cur_insn = -1;
    g->last_jcc_ref = -1;
    g->last_jcc_stub = -1;
    x86_fp_forget(g);
    g->addr_bits = 64;
    g->gb_reg = -1;
    if (ctx) {
        if (ctx->mem.kind == TCG_MEM_SOFTMMU) {
            g->softmmu = true;
            g->tlb_off = ctx->mem.tlb_off;
            g->soft_ld = (void *)ctx->mem.ld;
            g->soft_st = (void *)ctx->mem.st;
        }
        g->guest_base = ctx->mem.base;
        if (ctx->mem.addr_bits > 0 && ctx->mem.addr_bits < 64) {
            g->addr_bits = ctx->mem.addr_bits;
        }
        if (!x86_fits_s32((int64_t)ctx->mem.base)) {
            g->gb_reg = X86_GUEST_BASE_REG;
        }
        g->fault_func = (void *)ctx->mem.fault;
    }
    if (info) {
        memset(info, 0, offsetof(TbCodeInfo, insn_end));
        for (int s = 0; s < TCG_MAX_GOTO_TB; s++) {
            info->jmp_insn_offset[s] = info->jmp_reset_offset[s] = TCG_NO_JUMP;
        }
    }
}

void x86_gen_init(X86Gen *g, uint8_t *rw, uintptr_t rx, size_t size, TcgContext *ctx,
                  TbCodeInfo *info, unsigned features)
{
    memset(g, 0, sizeof(*g));
    memset(g->label_pos, -1, sizeof(g->label_pos));
    gen_setup(g, rw, rx, size, ctx, info, features);
}

void x86_gen_reset(X86Gen *g, uint8_t *rw, uintptr_t rx, size_t size, TcgContext *ctx,
                   TbCodeInfo *info, unsigned features)
{
    memset(g, 0, offsetof(X86Gen, refs));
    memset(g->label_pos, -1, sizeof(g->label_pos[0]) * (size_t)ctx->nb_labels);
    gen_setup(g, rw, rx, size, ctx, info, features);
}

void x86_gen_free(X86Gen *g)
{
    g_free(g->refs);
    g_free(g->slow);
    g_free(g->soft);
    g_free(g->fp_slow);
    g_free(g->wb_pool);
    g_free(g->exit_stubs);
    g->refs = NULL;
    g->slow = NULL;
    g->soft = NULL;
    g->fp_slow = NULL;
    g->wb_pool = NULL;
    g->exit_stubs = NULL;
}

uint32_t x86_wb_pool_add(X86Gen *g, const TcgWriteback *wb, int n)
{
    if (n <= 0) {
        /* wb and the pool may both be NULL: memcpy must not see them */
        return (uint32_t)g->nb_wb_pool;
    }
    int max = g->max_wb_pool;
    while (g->nb_wb_pool + n > max) {
        max = max ? max * 2 : 64;
    }
    if (max != g->max_wb_pool) {
        g->max_wb_pool = max;
        g->wb_pool = g_renew(TcgWriteback, g->wb_pool, max);
    }
    uint32_t first = (uint32_t)g->nb_wb_pool;
    memcpy(&g->wb_pool[first], wb, sizeof(TcgWriteback) * (size_t)n);
    g->nb_wb_pool += n;
    return first;
}

void x86_emit_writebacks(X86Gen *g, uint32_t first, uint32_t n)
{
    for (uint32_t i = first; i < first + n; i++) {
        const TcgWriteback *w = &g->wb_pool[i];
        MemOp mop = w->size == 8 ? MO_64 : MO_32;
        if (w->reg >= 0) {
            x86_store(&g->a, mop, w->reg, X86_ENV_REG, -1, w->off);
        } else {
            x86_store_imm(&g->a, mop, w->val, X86_ENV_REG, -1, w->off);
        }
    }
}

/* Exit stubs (x86-ops.c, brcond to an exit label with writebacks).  False
 * if one's label was never set. */
static bool emit_exit_stubs(X86Gen *g)
{
    X86Asm *a = &g->a;
    for (int i = 0; i < g->nb_exit_stubs; i++) {
        const X86ExitStub *st = &g->exit_stubs[i];
        if (st->jcc_pos == UINT32_MAX) {
            continue; /* emitted inline by the jump fold */
        }
        if (g->label_pos[st->label] < 0) {
            g_warning("x86: branch to a label that was never set");
            return false;
        }
        x86_patch32(a, st->jcc_pos, (uint32_t)(a->pos - (st->jcc_pos + 4)));
        x86_emit_writebacks(g, st->wb_first, st->wb_n);
        x86_jmp_to(a, a->rx + (size_t)g->label_pos[st->label]);
    }
    return true;
}

/*
 * Out of line, after the TB body: one stub per failing check, all ending in
 * a shared tail that calls ctx->mem.fault(env, addr, is_store | misaligned
 * << 1, host pc of the access), which does not return.
 *     tail:   mov rdi, rbp; call fault_func; ud2
 *     stub:   mov rsi, addr; mov edx, flags; lea rcx, [rip + access]; jmp tail
 */
static void emit_slow_paths(X86Gen *g)
{
    X86Asm *a = &g->a;
    if (g->nb_slow == 0) {
        return;
    }
    uintptr_t tail = x86_rx_here(a);
    x86_mov_rr(a, TCG_I64, X86_RDI, X86_ENV_REG);
    if (g->fault_func) {
        x86_call_to(a, (uintptr_t)g->fault_func);
    }
    x86_ud2(a);
    for (int i = 0; i < g->nb_slow; i++) {
        const X86SlowPath *sp = &g->slow[i];
        for (int k = 0; k < 2; k++) {
            if (sp->jcc_pos[k] == UINT32_MAX) {
                continue;
            }
            x86_patch32(a, sp->jcc_pos[k], (uint32_t)(a->pos - (sp->jcc_pos[k] + 4)));
            x86_emit_writebacks(g, sp->wb_first, sp->wb_n); /* the state at the fault */
            if (sp->addr_reg != X86_RSI) {
                x86_mov_rr(a, TCG_I64, X86_RSI, sp->addr_reg);
            }
            x86_movi(a, TCG_I32, X86_RDX, (sp->is_store ? 1 : 0) | (k ? 2 : 0));
            x86_op_modrm_rip(a, X86_OPC_LEA | X86_P_W, X86_RCX, a->rx + sp->access_pos, 0);
            x86_jmp_to(a, tail);
        }
    }
}

bool x86_gen_finish(X86Gen *g)
{
    X86Asm *a = &g->a;

    emit_slow_paths(g);
    x86_soft_finish(g);
    x86_fp_finish(g);
    if (!emit_exit_stubs(g)) {
        return false;
    }
    for (int i = 0; i < g->nb_refs; i++) {
        const X86LabelRef *r = &g->refs[i];
        int32_t target = g->label_pos[r->label];
        if (target < 0) {
            g_warning("x86: branch to a label that was never set");
            return false;
        }
        x86_patch32(a, r->pos, (uint32_t)(target - (int64_t)(r->pos + 4)));
    }
    if (g->info && g->cur_insn >= 0 && g->cur_insn < TCG_MAX_INSNS) {
        /* The last insn owns everything to the end, stubs included. */
        g->info->insn_end[g->cur_insn] = (uint32_t)(a->pos - g->start);
    }
    return !x86_overflowed(a);
}

/* ------------------------------------------------------------------ */
/* TcgBackend */

static void x86_init(CodeBuffer *buf)
{
    size_t used = (buf->used + 15) & ~(size_t)15;
    X86Asm a = {
        .rw = buf->rw + used,
        .rx = (uintptr_t)buf->rx + used,
        .size = buf->size > used ? buf->size - used : 0,
        .features = x86_host_features(),
    };
    X86BufInfo bi = { .rx = (uintptr_t)buf->rx, .size = buf->size };

    bi.limit_rx = x86_rx_here(&a);
    for (int n = 0; n < 64; n++) {
        x86_out64(&a, 1ull << n);
    }
    /* A copy of the epilogue in reach of rel32 jumps from the TBs. */
    bi.ret0_rx = x86_rx_here(&a);
    x86_movi(&a, TCG_I32, X86_RAX, 0);
    bi.epilogue_rx = x86_rx_here(&a);
    x86_alu_ri(&a, X86_ALU_ADD, TCG_I64, X86_RSP, X86_FRAME_ADJUST);
    for (int i = (int)G_N_ELEMENTS(saved_regs) - 1; i >= 0; i--) {
        x86_pop(&a, saved_regs[i]);
    }
    x86_ret(&a);
    x86_align(&a, 16, 0);

    if (x86_overflowed(&a)) {
        g_error("x86: code buffer too small for the prologue");
    }
    buf_register(&bi);
    buf->used = used + a.pos;
}

static void gen_tables_free(void *p)
{
    x86_gen_free(p);
    g_free(p);
}

static const void *x86_gen_code(TcgContext *ctx, CodeBuffer *buf, TbCodeInfo *info)
{
    X86BufInfo bi;
    if (!buf_lookup((uintptr_t)buf->rx, &bi)) {
        g_error("x86: gen_code on a buffer init() has not seen");
    }
    tcg_liveness(ctx);

    /* The generator and its arrays are the context's, kept between TBs. */
    X86Gen *g = ctx->backend_tables;
    size_t used = buf->used;
    size_t room = buf->size > used ? buf->size - used : 0;
    if (!g) {
        g = g_new(X86Gen, 1);
        x86_gen_init(g, buf->rw + used, (uintptr_t)buf->rx + used, room, ctx, info,
                     x86_host_features());
        ctx->backend_tables = g;
        ctx->backend_tables_free = gen_tables_free;
    } else {
        x86_gen_reset(g, buf->rw + used, (uintptr_t)buf->rx + used, room, ctx, info,
                      x86_host_features());
    }
    g->limit_rx = bi.limit_rx;
    g->ret0_rx = bi.ret0_rx;
    g->epilogue_rx = bi.epilogue_rx;

    x86_align(&g->a, 16, 0);
    g->start = g->a.pos;

    if (g->gb_reg >= 0 &&
        __atomic_load_n(&rove_x86_guest_base, __ATOMIC_RELAXED) != ctx->mem.base) {
        /* Process-wide: every context of a process shares guest_base. */
        __atomic_store_n(&rove_x86_guest_base, (uint64_t)ctx->mem.base, __ATOMIC_RELEASE);
    }

    RaHostDesc desc;
    x86_host_desc(&desc, g->gb_reg >= 0);
    bool ok = tcg_regalloc_run(ctx, &desc, &x86_ra_ops, g) && x86_gen_finish(g);
    const void *entry = NULL;
    if (ok) {
        /* Pad so the next TB starts 16-aligned; int3 is never reached. */
        while ((g->a.rx + g->a.pos) & 15) {
            x86_out8(&g->a, 0xcc);
        }
        if (!x86_overflowed(&g->a)) {
            info->size = (uint32_t)(g->a.pos - g->start);
            entry = (const void *)(g->a.rx + g->start);
        }
    }
    return entry;
}

static void x86_patch_jump(CodeBuffer *buf, uintptr_t site_rx, uintptr_t target_rx)
{
    intptr_t disp = (intptr_t)(target_rx - (site_rx + 4));
    if (!x86_fits_s32(disp) || (site_rx & 3)) {
        g_error("x86: bad jump patch %#lx -> %#lx", (unsigned long)site_rx,
                (unsigned long)target_rx);
    }
    uint32_t *p = code_rw_from_rx(buf, (const void *)site_rx);
    __atomic_store_n(p, (uint32_t)disp, __ATOMIC_RELEASE);
}

static uintptr_t x86_exec(void *env, const void *code_rx)
{
    uintptr_t (*entry)(void *, const void *) =
        (uintptr_t (*)(void *, const void *))(uintptr_t)rove_x86_prologue;
    return entry(env, code_rx);
}

static const void *x86_return_to_loop_addr(void)
{
    return rove_x86_ret0;
}

const TcgBackend tcg_backend_x86_64 = {
    .name = "x86_64",
    .init = x86_init,
    .gen_code = x86_gen_code,
    .patch_jump = x86_patch_jump,
    .exec = x86_exec,
    .return_to_loop_addr = x86_return_to_loop_addr,
};
