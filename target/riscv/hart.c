/* PLACEHOLDER: replaced by the real implementation at merge */
#include <glib.h>

#include "target/riscv/hart.h"

typedef struct PlaceholderHart {
    CpuState cs;
    IrqLine irq[16];
} PlaceholderHart;

static void placeholder_irq(void *opaque, int n, int level)
{
}

CpuState *riscv_hart_new(const RiscvHartConfig *cfg)
{
    PlaceholderHart *h = g_new0(PlaceholderHart, 1);
    for (int i = 0; i < 16; i++) {
        irq_init(&h->irq[i], placeholder_irq, h, i);
    }
    return &h->cs;
}

void riscv_hart_reset(CpuState *cpu)
{
}

IrqLine *riscv_hart_irq(CpuState *cpu, int irq)
{
    return &((PlaceholderHart *)cpu)->irq[irq & 15];
}
