/*
 * qemu_ld/qemu_st for the soft-MMU memory model (TCG_MEM_SOFTMMU, system
 * mode): an inline probe of the vCPU's TLB, and an out-of-line slow path
 * per access that calls the model's ld/st helper.
 *
 * Fast path, address in A, scratch registers S0 and S1 (rove/softmmu.h
 * gives the entry layout; 32-byte entries, SOFTMMU_TLB_SIZE per mmu_idx):
 *     mov  S0, A
 *     shr  S0, PAGE_BITS - 5
 *     and  S0, (TLB_SIZE - 1) << 5
 *     add  S0, [env + tlb_off]            ; &table[0][index]
 *     lea  S1, [A + size - 1]             ; (mov S1, A when aligned/byte)
 *     and  S1, PAGE_MASK | align_bits     ; sign-extended imm32
 *     cmp  S1, [S0 + idx * TLB_SIZE * 32 + read/write tag]
 *     jne  slow
 *     mov  S0, [S0 + idx * TLB_SIZE * 32 + 24] ; addend
 *     op   [S0 + A]
 *   resume:
 * A flagged tag (MMIO, a page holding TBs, invalid) never compares equal,
 * so those accesses always take the slow path.
 *
 * Slow path: write back the globals generated code keeps in registers (the
 * helper may raise a guest exception from this insn), save the
 * caller-saved registers that hold live values or the call's arguments
 * (RaOpArgs.live), call ld(env, addr, oi, retaddr) or
 * st(env, addr, val, oi, retaddr) with retaddr = the host pc of the access
 * (cpu_restore_state maps it to the guest insn), restore, put a load's
 * result in place, jump back.
 */
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "rove/softmmu.h"
#include "tcg/x86_64/x86-gen.h"

/* The caller-saved registers of the SysV ABI: rax, rcx, rdx, rsi, rdi,
 * r8-r11.  Each has a save slot, in register order. */
static const int8_t soft_slot_of[X86_NB_REGS] = {
    [X86_RAX] = 0, [X86_RCX] = 1, [X86_RDX] = 2, [X86_RBX] = -1, [X86_RSP] = -1,
    [X86_RBP] = -1, [X86_RSI] = 3, [X86_RDI] = 4, [X86_R8] = 5, [X86_R9] = 6,
    [X86_R10] = 7, [X86_R11] = 8, [X86_R12] = -1, [X86_R13] = -1, [X86_R14] = -1,
    [X86_R15] = -1,
};
#define SOFT_SAVE_BYTES 80 /* 9 slots, rounded up to keep rsp 16-aligned */

static int soft_slot(int reg)
{
    return soft_slot_of[reg];
}

static uint32_t soft_caller_saved(void)
{
    return (1u << X86_RAX) | (1u << X86_RCX) | (1u << X86_RDX) | (1u << X86_RSI) |
           (1u << X86_RDI) | (1u << X86_R8) | (1u << X86_R9) | (1u << X86_R10) |
           (1u << X86_R11);
}

static X86SoftSlow *soft_new(X86Gen *g)
{
    if (g->nb_soft == g->max_soft) {
        g->max_soft = g->max_soft ? g->max_soft * 2 : 16;
        g->soft = g_renew(X86SoftSlow, g->soft, g->max_soft);
    }
    X86SoftSlow *sp = &g->soft[g->nb_soft++];
    memset(sp, 0, sizeof(*sp));
    return sp;
}

/* The probe; returns the slow-path record with its jne to patch. */
static X86SoftSlow *emit_tlb_probe(X86Gen *g, int addr, uint32_t oi, bool is_store, int s0,
                                   int s1, const RaOpArgs *args)
{
    X86Asm *a = &g->a;
    MemOp mop = tcg_oi_memop(oi);
    unsigned size = 1u << (mop & MO_SIZE);
    int32_t base = (int32_t)(tcg_oi_mmu_idx(oi) * SOFTMMU_TLB_SIZE * sizeof(SoftTlbEntry));
    int32_t tag = base + (int32_t)(is_store ? offsetof(SoftTlbEntry, addr_write)
                                             : offsetof(SoftTlbEntry, addr_read));
    X86SoftSlow *sp = soft_new(g);

    x86_mov_rr(a, TCG_I64, s0, addr);
    x86_shift_ri(a, X86_SHIFT_SHR, TCG_I64, s0, TARGET_PAGE_BITS - 5);
    x86_alu_ri(a, X86_ALU_AND, TCG_I64, s0, (int32_t)((SOFTMMU_TLB_SIZE - 1) << 5));
    x86_op_modrm_mem(a, (X86_ALU_ADD << 3) | 3 | X86_P_W, s0, X86_ENV_REG, -1, 0, g->tlb_off);
    bool align = (mop & MO_ALIGN) != 0;
    if (size > 1 && !align) {
        x86_lea(a, TCG_I64, s1, addr, -1, 0, (int32_t)(size - 1));
    } else {
        x86_mov_rr(a, TCG_I64, s1, addr);
    }
    x86_alu_ri(a, X86_ALU_AND, TCG_I64, s1,
               (int32_t)(TARGET_PAGE_MASK | (align ? size - 1 : 0)));
    x86_op_modrm_mem(a, (X86_ALU_CMP << 3) | 3 | X86_P_W, s1, s0, -1, 0, tag);
    sp->jcc_pos = (uint32_t)x86_jcc32(a, X86_CC_NE);
    x86_load(a, TCG_I64, MO_64, s0, s0, -1, base + (int32_t)offsetof(SoftTlbEntry, addend));
    sp->addr_reg = (int8_t)addr;
    sp->oi = oi;
    sp->is_store = is_store;
    sp->wb_first = x86_wb_pool_add(g, args->wb, args->nb_wb);
    sp->wb_n = (uint32_t)args->nb_wb;
    sp->saved = ((uint32_t)args->live | 1u << addr) & soft_caller_saved();
    return sp;
}

void x86_soft_qemu_ld(X86Gen *g, TcgType type, int d, int addr, uint32_t oi, int s0, int s1,
                      const RaOpArgs *args)
{
    X86Asm *a = &g->a;
    MemOp mop = tcg_oi_memop(oi);
    g_assert(!(mop & MO_BSWAP) || (mop & MO_SIZE) == MO_8);
    X86SoftSlow *sp = emit_tlb_probe(g, addr, oi, false, s0, s1, args);
    sp->access_pos = (uint32_t)a->pos;
    x86_load(a, type, mop & (MO_SIZE | MO_SIGN), d, s0, addr, 0);
    sp->resume_pos = (uint32_t)a->pos;
    sp->val_reg = (int8_t)d;
    sp->type = type;
}

void x86_soft_qemu_st(X86Gen *g, int v, int addr, uint32_t oi, int s0, int s1,
                      const RaOpArgs *args)
{
    X86Asm *a = &g->a;
    MemOp mop = tcg_oi_memop(oi);
    g_assert(!(mop & MO_BSWAP) || (mop & MO_SIZE) == MO_8);
    X86SoftSlow *sp = emit_tlb_probe(g, addr, oi, true, s0, s1, args);
    sp->access_pos = (uint32_t)a->pos;
    x86_store(a, mop & MO_SIZE, v, s0, addr, 0);
    sp->resume_pos = (uint32_t)a->pos;
    sp->val_reg = (int8_t)v;
    sp->saved |= (1u << v) & soft_caller_saved();
}

static bool soft_is_saved(const X86SoftSlow *sp, int reg)
{
    return (sp->saved >> reg) & 1;
}

/* Load argument register dst with the value register src had before the
 * save (from its slot: the call arguments may have overwritten it).  An
 * argument's register, if caller-saved, is always saved. */
static void soft_arg(X86Asm *a, int dst, int src)
{
    int slot = soft_slot(src);
    if (slot >= 0) {
        x86_load(a, TCG_I64, MO_64, dst, X86_RSP, -1, slot * 8);
    } else {
        x86_mov_rr(a, TCG_I64, dst, src);
    }
}

void x86_soft_finish(X86Gen *g)
{
    X86Asm *a = &g->a;
    for (int i = 0; i < g->nb_soft; i++) {
        const X86SoftSlow *sp = &g->soft[i];
        x86_patch32(a, sp->jcc_pos, (uint32_t)(a->pos - (sp->jcc_pos + 4)));
        x86_emit_writebacks(g, sp->wb_first, sp->wb_n);
        x86_alu_ri(a, X86_ALU_SUB, TCG_I64, X86_RSP, SOFT_SAVE_BYTES);
        /* (slots are in register order: this is slot order) */
        for (uint32_t m = sp->saved; m; m &= m - 1) {
            int r = __builtin_ctz(m);
            x86_store(a, MO_64, r, X86_RSP, -1, soft_slot(r) * 8);
        }
        /* Arguments from the saved copies: no ordering hazards. */
        soft_arg(a, X86_RSI, sp->addr_reg);
        if (sp->is_store) {
            soft_arg(a, X86_RDX, sp->val_reg);
            x86_movi(a, TCG_I32, X86_RCX, sp->oi);
            x86_op_modrm_rip(a, X86_OPC_LEA | X86_P_W, X86_R8, a->rx + sp->access_pos, 0);
        } else {
            x86_movi(a, TCG_I32, X86_RDX, sp->oi);
            x86_op_modrm_rip(a, X86_OPC_LEA | X86_P_W, X86_RCX, a->rx + sp->access_pos, 0);
        }
        x86_mov_rr(a, TCG_I64, X86_RDI, X86_ENV_REG);
        x86_call_to(a, (uintptr_t)(sp->is_store ? g->soft_st : g->soft_ld));
        bool result_in_slot = !sp->is_store && soft_is_saved(sp, sp->val_reg);
        if (!sp->is_store) {
            /* The helper returns the value extended to 64 bits.  Into the
             * destination's slot if the restore below would overwrite it. */
            if (result_in_slot) {
                x86_store(a, MO_64, X86_RAX, X86_RSP, -1, soft_slot(sp->val_reg) * 8);
            } else {
                x86_mov_rr(a, sp->type, sp->val_reg, X86_RAX);
            }
        }
        for (uint32_t m = sp->saved; m; m &= m - 1) {
            int r = __builtin_ctz(m);
            x86_load(a, TCG_I64, MO_64, r, X86_RSP, -1, soft_slot(r) * 8);
        }
        if (result_in_slot && sp->type == TCG_I32) {
            x86_mov_rr(a, TCG_I32, sp->val_reg, sp->val_reg); /* zero the high half */
        }
        x86_alu_ri(a, X86_ALU_ADD, TCG_I64, X86_RSP, SOFT_SAVE_BYTES);
        x86_jmp_to(a, a->rx + sp->resume_pos);
    }
}
