/*
 * Entry/exit glue for the differential-test harness.
 *
 * rv_enter(base, code) saves the harness's callee-saved state in the HOST
 * area, sets x9 = base and jumps to the code page.  The code page starts
 * with a copy of rv_preamble (clears any LR reservation, loads fcsr and
 * all f/x registers from the INIT area) and ends with a copy of
 * rv_epilogue (stores every register to the OUT area, restores the
 * harness state and returns to rv_enter's caller).  Both blobs only use
 * x9-relative addressing, so they are position independent.
 */
#include "layout.h"

    .option norvc
    .text
    .globl rv_enter
    .type rv_enter, @function
rv_enter:
    sd ra, HOST+0(a0)
    sd sp, HOST+8(a0)
    sd gp, HOST+16(a0)
    sd tp, HOST+24(a0)
    sd s0, HOST+32(a0)
    sd s1, HOST+40(a0)
    sd s2, HOST+48(a0)
    sd s3, HOST+56(a0)
    sd s4, HOST+64(a0)
    sd s5, HOST+72(a0)
    sd s6, HOST+80(a0)
    sd s7, HOST+88(a0)
    sd s8, HOST+96(a0)
    sd s9, HOST+104(a0)
    sd s10, HOST+112(a0)
    sd s11, HOST+120(a0)
    mv s1, a0
    jr a1
    .size rv_enter, .-rv_enter

    .section .rodata
    .balign 4
    .globl rv_preamble, rv_preamble_end, rv_epilogue, rv_epilogue_end
rv_preamble:
    addi t0, s1, DUMMY
    sc.d zero, zero, (t0)
    ld t0, INIT_FCSR(s1)
    csrw fcsr, t0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld f\n, INIT_F+8*\n(s1)
    .endr
    .irp n, 1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, INIT_X+8*\n(s1)
    .endr
rv_preamble_end:

rv_epilogue:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, OUT_X+8*\n(s1)
    .endr
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd f\n, OUT_F+8*\n(s1)
    .endr
    csrr t0, fcsr
    sd t0, OUT_FCSR(s1)
    csrw fcsr, zero
    ld ra, HOST+0(s1)
    ld sp, HOST+8(s1)
    ld gp, HOST+16(s1)
    ld tp, HOST+24(s1)
    ld s0, HOST+32(s1)
    ld s2, HOST+48(s1)
    ld s3, HOST+56(s1)
    ld s4, HOST+64(s1)
    ld s5, HOST+72(s1)
    ld s6, HOST+80(s1)
    ld s7, HOST+88(s1)
    ld s8, HOST+96(s1)
    ld s9, HOST+104(s1)
    ld s10, HOST+112(s1)
    ld s11, HOST+120(s1)
    ld s1, HOST+40(s1)
    ret
rv_epilogue_end:
    .section .note.GNU-stack,"",@progbits
