/*
 * Interrupt lines (include/rove/irq.h).  Nothing here keeps state between
 * calls: a line is a function pointer with its argument and number.
 */
#include <glib.h>

#include "rove/irq.h"

void irq_init(IrqLine *irq, IrqHandler handler, void *opaque, int n)
{
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
}

IrqLine *irq_alloc_lines(IrqHandler handler, void *opaque, int count)
{
    g_assert(count >= 0);
    IrqLine *lines = g_new0(IrqLine, count > 0 ? count : 1);
    for (int i = 0; i < count; i++) {
        irq_init(&lines[i], handler, opaque, i);
    }
    return lines;
}

void irq_free_lines(IrqLine *lines)
{
    g_free(lines);
}

void irq_set(IrqLine *irq, int level)
{
    if (irq && irq->handler) {
        irq->handler(irq->opaque, irq->n, level != 0);
    }
}
