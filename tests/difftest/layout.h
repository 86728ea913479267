/*
 * Memory layout shared by harness.c and trampoline.S (and mirrored by the
 * LO/HI/SP_OFF constants in rvgen.py).  Both the code page and the data
 * page live at fixed guest addresses so that register values derived from
 * addresses (auipc, jal links, base+offset) are identical in every
 * emulator.
 *
 *   CODE_ADDR   preamble (loads initial state) | sequence | epilogue
 *   DATA_ADDR   scratch buffer, 2560 bytes: [BASE - 2048, BASE + 512)
 *               followed by the state areas below, all addressed from BASE
 *               (x9) with 12-bit offsets.
 */
#ifndef DIFFTEST_LAYOUT_H
#define DIFFTEST_LAYOUT_H

#define CODE_ADDR   0x20000000
#define CODE_SIZE   0x10000
#define DATA_ADDR   0x20100000
#define DATA_SIZE   0x2000
#define BASE_ADDR   (DATA_ADDR + 2048)      /* value of x9 */
#define SP_OFF      (-1024)                  /* x2 = BASE + SP_OFF */
#define SCRATCH_LO  (-2048)                  /* scratch = [BASE+LO, BASE+HI) */
#define SCRATCH_HI  512

#define INIT_X      528     /* 32 x 8: initial x registers */
#define INIT_F      784     /* 32 x 8: initial f registers */
#define INIT_FCSR   1040
#define OUT_X       1048    /* 32 x 8: final x registers */
#define OUT_F       1304    /* 32 x 8: final f registers */
#define OUT_FCSR    1560
#define HOST        1568    /* harness ra, sp, gp, tp, s0..s11 */
#define DUMMY       1696    /* target of the reservation-clearing sc.d */

#endif
