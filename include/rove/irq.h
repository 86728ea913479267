/*
 * Interrupt lines between devices: an IrqLine is {handler, opaque, n}, and
 * setting its level calls handler(opaque, n, level) at once, in the
 * caller's thread (TinyEMU's shape).  A line keeps no state of its own: a
 * receiver that cares about edges or levels remembers the last one.
 *
 * Invariants: irq_set on NULL (a line nobody connected) does nothing, so a
 * device can drive its outputs without knowing whether a machine wired
 * them.  Levels are 0 or 1 (anything non-zero is passed as 1).  Like MMIO
 * callbacks, handlers run under the big lock held by whoever raised the
 * line.
 */
#ifndef ROVE_IRQ_H
#define ROVE_IRQ_H

typedef void (*IrqHandler)(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler handler;
    void *opaque;
    int n;
} IrqLine;

void irq_init(IrqLine *irq, IrqHandler handler, void *opaque, int n);
/* count lines numbered 0..count-1, all calling handler; free with irq_free_lines. */
IrqLine *irq_alloc_lines(IrqHandler handler, void *opaque, int count);
void irq_free_lines(IrqLine *lines);

void irq_set(IrqLine *irq, int level);

static inline void irq_raise(IrqLine *irq)
{
    irq_set(irq, 1);
}

static inline void irq_lower(IrqLine *irq)
{
    irq_set(irq, 0);
}

/* A 1-then-0 pulse, for edge-triggered receivers. */
static inline void irq_pulse(IrqLine *irq)
{
    irq_set(irq, 1);
    irq_set(irq, 0);
}

#endif /* ROVE_IRQ_H */
