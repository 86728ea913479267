/* The PLIC with the UART (source 10) as the interrupt source (the UART in
 * loopback with the RX-data interrupt enabled): priorities, pending bits,
 * enables, thresholds, claim/complete, MEIP to hart 0's M context and SEIP
 * to its S context (delegated, taken in S). */
#include "sys.h"

#define UART_IRQ 10
#define PRIO(n)          (PLIC + 4 * (n))
#define PENDING          (PLIC + 0x1000)
#define ENABLE(ctx)      (PLIC + 0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx)   (PLIC + 0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx)       (PLIC + 0x200004 + 0x1000 * (ctx))
#define CTX_M 0     /* hart 0 M-mode */
#define CTX_S 1     /* hart 0 S-mode */
#define MIP_SEIP (1ul << IRQ_S_EXT)
#define MIP_MEIP (1ul << IRQ_M_EXT)

static volatile int n_irq;
static u64 irq_cause, irq_claim, irq_byte;

/* UART in loopback: sending a byte raises its RX interrupt */
static void uart_raise(uint8_t c)
{
    mmio_write8(UART0 + 4, 0x10);   /* MCR: loopback */
    mmio_write8(UART0 + 1, 0x01);   /* IER: RX data */
    mmio_write8(UART0, c);
}

static void uart_normal(void)
{
    mmio_write8(UART0 + 1, 0);
    mmio_write8(UART0 + 4, 0x08);
}

static int ext_hook(u64 *f, int ctx)
{
    if (f[F_CAUSE] != (CAUSE_IRQ | (ctx == CTX_M ? IRQ_M_EXT : IRQ_S_EXT)))
        return 0;
    irq_cause = f[F_CAUSE];
    irq_claim = mmio_read32(CLAIM(ctx));
    irq_byte = mmio_read8(UART0);            /* clears the UART's RX interrupt */
    mmio_write32(CLAIM(ctx), irq_claim);      /* complete */
    n_irq++;
    return 1;
}

static int m_ext(u64 *f) { return ext_hook(f, CTX_M); }
static int s_ext(u64 *f) { return ext_hook(f, CTX_S); }

static u64 s_wait(u64 unused)
{
    csr_set(sstatus, MSTATUS_SIE);
    u64 end = mtime() + 10000000;
    while (!n_irq && mtime() < end)
        ;
    return n_irq;
}

int main(void)
{
    mmio_write32(PRIO(UART_IRQ), ~0u);
    check("priority 10 after writing ~0 (7 levels)", mmio_read32(PRIO(UART_IRQ)), 7);
    mmio_write32(PRIO(UART_IRQ), 1);
    check("priority 10", mmio_read32(PRIO(UART_IRQ)), 1);
    check("claim with nothing pending", mmio_read32(CLAIM(CTX_M)), 0);

    mmio_write32(ENABLE(CTX_M), 1u << UART_IRQ);
    mmio_write32(THRESHOLD(CTX_M), 0);
    uart_raise('x');
    u32 pend = mmio_read32(PENDING);
    u64 mip1 = csr_read(mip);
    mmio_write32(THRESHOLD(CTX_M), 1);
    u64 mip2 = csr_read(mip);
    mmio_write32(THRESHOLD(CTX_M), 0);
    u64 mip3 = csr_read(mip);
    m_hook = m_ext;
    csr_write(mie, MIP_MEIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, 0);
    m_hook = 0;
    uart_normal();
    check("pending bit 10", (pend >> UART_IRQ) & 1, 1);
    check_bool("mip.MEIP, threshold 0", mip1 & MIP_MEIP, 1);
    check_bool("mip.MEIP, threshold 1 (= priority)", mip2 & MIP_MEIP, 0);
    check_bool("mip.MEIP, threshold 0 again", mip3 & MIP_MEIP, 1);
    check("M external interrupts taken", n_irq, 1);
    check("mcause", irq_cause, CAUSE_IRQ | IRQ_M_EXT);
    check("claimed", irq_claim, UART_IRQ);
    check("byte received", irq_byte, 'x');
    check("pending after complete", (mmio_read32(PENDING) >> UART_IRQ) & 1, 0);
    check_bool("mip.MEIP after complete", csr_read(mip) & MIP_MEIP, 0);

    /* the same source to the S context, delegated */
    n_irq = 0;
    mmio_write32(ENABLE(CTX_M), 0);
    mmio_write32(ENABLE(CTX_S), 1u << UART_IRQ);
    mmio_write32(THRESHOLD(CTX_S), 0);
    s_install();
    s_hook = s_ext;
    csr_write(mideleg, MIP_SEIP);
    csr_write(mie, MIP_SEIP);
    uart_raise('y');
    u64 mip4 = csr_read(mip);
    run_t r = run_in(PRV_S, s_wait, 0);
    uart_normal();
    csr_write(mie, 0);
    csr_write(mideleg, 0);
    s_hook = 0;
    check_bool("mip.SEIP from the S context, not MEIP", (mip4 & (MIP_SEIP | MIP_MEIP)) == MIP_SEIP, 1);
    check_trap("S waits with SIE=1", r, RUN_RETURNED, 1, 0, 0);
    check("scause", irq_cause, CAUSE_IRQ | IRQ_S_EXT);
    check("claimed from the S context", irq_claim, UART_IRQ);
    check("byte received", irq_byte, 'y');
    check_bool("mip.SEIP after complete", csr_read(mip) & MIP_SEIP, 0);
    return 0;
}
