/*
 * Interrupt controllers (hw/intc/): the RISC-V ACLINT in its CLINT layout
 * and the SiFive PLIC, as QEMU's riscv64 `virt` board places and sizes
 * them.  Both are ordinary device types (include/rove/qdev.h): register
 * them, create, set properties, realize, map device_mmio(dev, 0) and wire
 * the irq outputs.  The numbering of outputs is fixed here so machines and
 * tests agree; see docs/devices.md.
 */
#ifndef ROVE_INTC_H
#define ROVE_INTC_H

#include "rove/qdev.h"

/* ---- riscv-aclint: MSWI + MTIMER in the SiFive CLINT layout ---- */

extern const DeviceType riscv_aclint_type; /* "riscv-aclint" */

#define ACLINT_MSIP_BASE     0x0000  /* 32-bit per hart, bit 0 */
#define ACLINT_MTIMECMP_BASE 0x4000  /* 64-bit per hart */
#define ACLINT_MTIME         0xbff8  /* 64-bit */
#define ACLINT_SIZE          0x10000
#define ACLINT_MAX_HARTS     4095    /* mtimecmp[4095] would overlap mtime */
#define ACLINT_TIMEBASE_FREQ_DEFAULT 10000000 /* 10 MHz, as on QEMU virt */

/*
 * Properties: num_harts (1), timebase_freq (10 MHz), clock (a Clock *,
 * required).  Outputs: 0..num_harts-1 are the harts' MSIP lines,
 * num_harts..2*num_harts-1 their MTIP lines.
 */
static inline int aclint_irq_msip(int hart)
{
    return hart;
}

static inline int aclint_irq_mtip(int num_harts, int hart)
{
    return num_harts + hart;
}

/* ---- sifive-plic ---- */

extern const DeviceType sifive_plic_type; /* "sifive-plic" */

#define PLIC_PRIORITY_BASE   0x000000  /* 32-bit per source */
#define PLIC_PENDING_BASE    0x001000  /* 1 bit per source */
#define PLIC_ENABLE_BASE     0x002000  /* 0x80 bytes of bits per context */
#define PLIC_ENABLE_STRIDE   0x80
#define PLIC_CONTEXT_BASE    0x200000  /* threshold, then claim/complete at +4 */
#define PLIC_CONTEXT_STRIDE  0x1000
#define PLIC_CONTEXT_CLAIM   4
#define PLIC_MAX_SOURCES     1024      /* including the reserved source 0 */
#define PLIC_MAX_CONTEXTS    15872
#define PLIC_SIZE_VIRT       0x600000

/*
 * Properties: num_sources (96, source 0 reserved), num_priorities (7),
 * num_contexts (2), aperture_size (0x600000).  Inputs: one per source
 * (input 0 is ignored).  Outputs: one per context; on virt context 2*h is
 * hart h's M mode (MEIP) and 2*h+1 its S mode (SEIP).
 */
static inline int plic_context_virt(int hart, bool smode)
{
    return 2 * hart + (smode ? 1 : 0);
}

#endif /* ROVE_INTC_H */
