/*
 * Start-up and trap entry for the bare-metal tests (see sys.h).
 *
 * Hart 0 clears .bss, opens PMP for S/U (all memory RWX, if PMP exists),
 * sets mtvec and mscratch (its M trap stack) and calls c_start.  Other
 * harts (up to MAX_HARTS) wait for .bss to be cleared and call
 * secondary_main(a0, a1) with a0 and a1 as they were at entry.
 */
#include "sys.h"

#define STACK_SIZE 16384
#define TRAP_STACK_SIZE 8192

    .section .text.init, "ax"
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, secondary
    la t1, boot_a0
    sd a0, 0(t1)
    sd a1, 8(t1)
    la sp, stacks + STACK_SIZE
    /* floating point usable (mstatus.FS = Initial) */
    li t0, 1 << 13
    csrs mstatus, t0
    call pmp_open
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  fence
    la t0, bss_ready
    li t1, 1
    sw t1, 0(t0)
    la t0, m_trap_entry
    csrw mtvec, t0
    la t0, m_trap_stacks + TRAP_STACK_SIZE
    csrw mscratch, t0
    call c_start
3:  wfi
    j 3b

secondary:
    li t1, MAX_HARTS
    bgeu t0, t1, park
    mv s0, a0
    mv s1, a1
    addi t1, t0, 1
    li t2, STACK_SIZE
    mul t2, t1, t2
    la sp, stacks
    add sp, sp, t2
    li t2, TRAP_STACK_SIZE
    mul t2, t1, t2
    la t1, m_trap_stacks
    add t1, t1, t2
    csrw mscratch, t1
    li t0, 1 << 13
    csrs mstatus, t0
    call pmp_open
    la t0, bss_ready
1:  lw t1, 0(t0)
    beqz t1, 1b
    fence
    la t0, m_trap_entry
    csrw mtvec, t0
    mv a0, s0
    mv a1, s1
    call secondary_main
park:
    wfi
    j park

/* pmpaddr0 = all ones, pmpcfg0 = NAPOT RWX; skipped if PMP traps */
pmp_open:
    la t0, skip_insn
    csrw mtvec, t0
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    ret

    .align 2
skip_insn:
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    mret

/* Trap entries: save every register in a frame on the trap stack (in
 * m/sscratch), call m_trap_c / s_trap_c (frame), restore and return. */
.macro SAVE_REGS
    sd x1, 8(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
    sd zero, 0(sp)
.endm
.macro RESTORE_REGS
    ld x1, 8(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(sp)
    .endr
    ld x2, 16(sp)
.endm

    .align 2
    .globl m_trap_entry
m_trap_entry:
    csrrw sp, mscratch, sp
    addi sp, sp, -FRAME_SIZE
    SAVE_REGS
    csrr t0, mscratch
    sd t0, 16(sp)
    addi t0, sp, FRAME_SIZE
    csrw mscratch, t0
    csrr t0, mepc
    sd t0, F_EPC*8(sp)
    csrr t0, mcause
    sd t0, F_CAUSE*8(sp)
    csrr t0, mtval
    sd t0, F_TVAL*8(sp)
    csrr t0, mstatus
    sd t0, F_STATUS*8(sp)
    mv a0, sp
    call m_trap_c
    ld t0, F_EPC*8(sp)
    csrw mepc, t0
    ld t0, F_STATUS*8(sp)
    csrw mstatus, t0
    RESTORE_REGS
    mret

    .align 2
    .globl s_trap_entry
s_trap_entry:
    csrrw sp, sscratch, sp
    addi sp, sp, -FRAME_SIZE
    SAVE_REGS
    csrr t0, sscratch
    sd t0, 16(sp)
    addi t0, sp, FRAME_SIZE
    csrw sscratch, t0
    csrr t0, sepc
    sd t0, F_EPC*8(sp)
    csrr t0, scause
    sd t0, F_CAUSE*8(sp)
    csrr t0, stval
    sd t0, F_TVAL*8(sp)
    csrr t0, sstatus
    sd t0, F_STATUS*8(sp)
    mv a0, sp
    call s_trap_c
    ld t0, F_EPC*8(sp)
    csrw sepc, t0
    ld t0, F_STATUS*8(sp)
    csrw sstatus, t0
    RESTORE_REGS
    sret

/* u64 run_in_asm(entry, arg, return address, sp): save the callee-saved
 * registers, mret to entry with a0 = arg.  ctx_return(value) comes back. */
    .globl run_in_asm
run_in_asm:
    la t0, m_ctx
    sd ra, 0(t0)
    sd sp, 8(t0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd s\n, (16 + \n*8)(t0)
    .endr
    csrw mepc, a0
    mv ra, a2
    mv sp, a3
    mv a0, a1
    .irp r, a1,a2,a3,a4,a5,a6,a7,t0,t1,t2,t3,t4,t5,t6
    li \r, 0
    .endr
    mret

    .globl ctx_return
ctx_return:
    la t0, m_ctx
    ld ra, 0(t0)
    ld sp, 8(t0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld s\n, (16 + \n*8)(t0)
    .endr
    ret

    .align 2
    .globl ret_stub
ret_stub:
    li a7, ECALL_RETURN
    ecall
1:  j 1b

    .data
    .align 3
    .globl boot_a0, boot_a1
boot_a0: .dword 0
boot_a1: .dword 0
bss_ready: .word 0

    .bss
    .align 4
m_ctx: .space 8 * 14
    .align 12
stacks: .space STACK_SIZE * MAX_HARTS
m_trap_stacks: .space TRAP_STACK_SIZE * MAX_HARTS
