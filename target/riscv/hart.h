/*
 * A RISC-V hart of a system-mode machine (target/riscv/hart.c): a RiscvCpu
 * with the privileged state (priv.h), a soft-MMU TLB over the machine's
 * address space, interrupt inputs for the machine's devices, and `time`
 * read from the machine's virtual clock.
 *
 * The machine (hw/riscv/virt.c) creates one per hart, wires the ACLINT
 * and PLIC outputs to riscv_hart_irq() lines, and hands the harts to the
 * vCPU runner (include/rove/system.h).
 */
#ifndef TARGET_RISCV_HART_H
#define TARGET_RISCV_HART_H

#include <stdbool.h>
#include <stdint.h>

#include "rove/clock.h"
#include "rove/exec.h"
#include "rove/irq.h"
#include "rove/memory.h"

typedef struct RiscvHartConfig {
    unsigned hartid;          /* mhartid */
    uint64_t reset_pc;        /* pc at reset (virt: 0x1000, the reset ROM) */
    AddressSpace *as;         /* the machine's physical address space */
    Clock *clock;             /* the virtual clock mtime counts */
    uint64_t timebase_freq;   /* mtime ticks per second (virt: 10 MHz) */
    bool sstc;                /* offer Sstc (stimecmp); the DT says so in riscv,isa */
    const TcgBackend *backend; /* NULL: x86-64 on x86-64 hosts (ROVE_BACKEND=interp
                                * picks the interpreter), else the interpreter */
} RiscvHartConfig;

/* A new hart, reset (M mode, pc = reset_pc).  Never fails. */
CpuState *riscv_hart_new(const RiscvHartConfig *cfg);
/* Back to the reset state (system reset). */
void riscv_hart_reset(CpuState *cpu);

/*
 * The hart's interrupt inputs, for devices: irq is RV_IRQ_MSI, RV_IRQ_MTI,
 * RV_IRQ_MEI or RV_IRQ_SEI (priv.h).  Level-triggered; any thread may set
 * them (under the big lock, as device callbacks run); a sleeping hart (wfi)
 * wakes.
 */
IrqLine *riscv_hart_irq(CpuState *cpu, int irq);

/* sys_helper.c, under the big lock, after a CSR write that may move the
 * Sstc timer (stimecmp, menvcfg) or mip: re-arm it and wake the hart. */
void riscv_hart_timer_changed(CpuState *cpu);

#endif /* TARGET_RISCV_HART_H */
