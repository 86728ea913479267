/*
 * One-instruction probes, run with run_in() in M, S or U mode.  The
 * instruction of interest is the first one (at the symbol), so a trap's
 * epc is reported relative to the symbol.  a0 is the argument and the
 * result; none of them touches the stack.
 */
#include "sys.h"

.macro PROBE name
    .text
    .align 2
    .globl \name
\name:
.endm

PROBE p_ecall
    ecall
    ret
PROBE p_ebreak
    ebreak
    ret
PROBE p_c_ebreak
    c.ebreak
    ret
PROBE p_custom0            /* custom-0 major opcode: nothing there */
    .4byte 0x0000000b
    ret
PROBE p_unimp32            /* csrrw x0, cycle, x0: write to a read-only CSR */
    .4byte 0xc0001073
    ret
PROBE p_c_unimp            /* 16-bit all zeros: defined illegal */
    .2byte 0
    ret
PROBE p_fadd               /* fadd.d: illegal while mstatus.FS is Off */
    fadd.d fa0, fa0, fa0
    ret
PROBE p_load64
    ld a0, 0(a0)
    ret
PROBE p_load32
    lw a0, 0(a0)
    ret
PROBE p_store64            /* stores its own address + 1 */
    sd a0, 0(a0)
    addi a0, a0, 1
    ret
PROBE p_amoadd_w
    amoadd.w a0, zero, (a0)
    ret
PROBE p_lr_d
    lr.d a0, (a0)
    ret
PROBE p_jump               /* jumps to a0: a fetch at a0 */
    jr a0
PROBE p_call               /* calls a0: the callee returns to us */
    addi sp, sp, -16
    sd ra, 0(sp)
    jalr a0
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
PROBE p_mret
    mret
    ret
PROBE p_sret
    sret
    ret
PROBE p_wfi
    wfi
    li a0, 0x77
    ret
PROBE p_sfence
    sfence.vma
    ret
PROBE p_rd_mstatus
    csrr a0, mstatus
    ret
PROBE p_rd_mscratch
    csrr a0, mscratch
    ret
PROBE p_rd_sstatus
    csrr a0, sstatus
    ret
PROBE p_rd_satp
    csrr a0, satp
    ret
PROBE p_wr_mhartid
    csrw mhartid, a0
    ret
PROBE p_rd_cycle
    csrr a0, cycle
    li a0, 1
    ret
PROBE p_rd_time
    csrr a0, time
    li a0, 1
    ret
PROBE p_rd_instret
    csrr a0, instret
    li a0, 1
    ret
PROBE p_rd_stimecmp
    csrr a0, 0x14d
    ret
PROBE p_wr_stimecmp
    csrw 0x14d, a0
    ret
/* reads sstatus; for checking SPP/SPIE/SIE after an sret */
PROBE p_sstatus_after_sret   /* a0: SIE, SPIE and SPP to set before sret */
    li t0, 0x122            /* SIE, SPIE, SPP */
    csrc sstatus, t0
    csrs sstatus, a0
    la t0, 1f
    csrw sepc, t0
    .globl p_sret_insn
p_sret_insn:
    sret
1:  csrr a0, sstatus
    ret
PROBE p_two_illegal        /* two illegal instructions, then returns 5 */
    .4byte 0x0000000b
    .2byte 0
    li a0, 5
    ret
PROBE p_sret_to_u          /* S: sret to a0 in U-mode */
    csrw sepc, a0
    li t0, 0x100            /* SPP */
    csrc sstatus, t0
    sret
PROBE p_ident              /* returns its argument */
    ret
PROBE p_sfence_load        /* sfence.vma, then a load from a0 */
    sfence.vma
    ld a0, 0(a0)
    ret
PROBE p_sfence_va_load     /* sfence.vma a0, then a load from a0 */
    sfence.vma a0
    ld a0, 0(a0)
    ret
