/* Interrupts: the CLINT timer (mtimecmp -> MTIP) and software interrupt
 * (msip -> MSIP), wfi waking with MIE=0, priority of pending interrupts,
 * M interrupts preempting S with MIE=0, and interrupts delegated with
 * mideleg: SSIP and STIP set by M in mip, taken in S (and in U with
 * SIE=0), or in M when not delegated. */
#include "sys.h"

#define MIP_SSIP (1ul << IRQ_S_SOFT)
#define MIP_MSIP (1ul << IRQ_M_SOFT)
#define MIP_STIP (1ul << IRQ_S_TIMER)
#define MIP_MTIP (1ul << IRQ_M_TIMER)
#define TICKS_1MS 10000     /* the virt CLINT counts at 10 MHz */
#define TICKS_1S 10000000

static volatile int n_irq;
static u64 irq_cause[4], irq_prev[4];

/* Takes an interrupt, records it and silences its source. */
static int irq_hook(u64 *f, int s_mode)
{
    u64 c = f[F_CAUSE];
    if (!(c & CAUSE_IRQ))
        return 0;
    if (n_irq < 4) {
        irq_cause[n_irq] = c;
        irq_prev[n_irq] = s_mode ? (f[F_STATUS] >> 8) & 1 : (f[F_STATUS] >> 11) & 3;
    }
    switch (c & 0xff) {
    case IRQ_M_TIMER: set_mtimecmp(0, ~0ul); break;
    case IRQ_M_SOFT: mmio_write32(CLINT_MSIP(0), 0); break;
    case IRQ_S_SOFT: if (s_mode) csr_clear(sip, MIP_SSIP); else csr_clear(mip, MIP_SSIP); break;
    case IRQ_S_TIMER: if (s_mode) csr_clear(sie, MIP_STIP); else csr_clear(mip, MIP_STIP); break;
    }
    n_irq++;
    return 1;
}

static int m_irq(u64 *f) { return irq_hook(f, 0); }
static int s_irq(u64 *f) { return irq_hook(f, 1); }

/* Spin (at most 1 s of mtime) until an interrupt was counted; any mode. */
static u64 wait_irq(u64 unused)
{
    u64 end = mtime() + TICKS_1S;
    while (!n_irq && mtime() < end)
        ;
    return n_irq;
}

/* S-mode: set sstatus.SIE, then wait */
static u64 s_wait_sie(u64 unused)
{
    csr_set(sstatus, MSTATUS_SIE);
    return wait_irq(0);
}

static void report(const char *what, int n, u64 c0, u64 prev0)
{
    printf("%s:\n", what);
    check("  interrupts taken", n_irq, n);
    if (n_irq >= 1 && n >= 1) {
        check("  cause", irq_cause[0], c0);
        check("  previous mode", irq_prev[0], prev0);
    }
    n_irq = 0;
}

static void clint(void)
{
    set_mtimecmp(0, ~0ul);
    check_bool("mip.MTIP with mtimecmp = ~0", csr_read(mip) & MIP_MTIP, 0);
    set_mtimecmp(0, 0);
    check_bool("mip.MTIP with mtimecmp = 0", csr_read(mip) & MIP_MTIP, 1);
    set_mtimecmp(0, ~0ul);
    u64 t0 = mtime(), t1 = csr_read(time), t2 = mtime();
    check_bool("mtime <= time CSR <= mtime", t0 <= t1 && t1 <= t2, 1);

    /* wfi wakes for a pending+enabled interrupt even with MIE=0; no trap */
    csr_clear(mstatus, MSTATUS_MIE);
    csr_write(mie, MIP_MTIP);
    u64 cmp = mtime() + TICKS_1MS;
    set_mtimecmp(0, cmp);
    while (!(csr_read(mip) & MIP_MTIP) && mtime() < cmp + TICKS_1S)
        asm volatile("wfi");
    check_bool("wfi with MIE=0 woke up on MTIP", csr_read(mip) & MIP_MTIP, 1);
    check_bool("mtime >= mtimecmp then", mtime() >= cmp, 1);
    report("no trap with MIE=0", 0, 0, 0);

    m_hook = m_irq;
    csr_set(mstatus, MSTATUS_MIE);
    report("MTIP trap in M once MIE=1", 1, CAUSE_IRQ | IRQ_M_TIMER, PRV_M);
    check_bool("mip.MTIP after the handler set mtimecmp = ~0", csr_read(mip) & MIP_MTIP, 0);

    csr_clear(mstatus, MSTATUS_MIE);
    mmio_write32(CLINT_MSIP(0), ~0u);
    check("CLINT msip[0] after writing ~0", mmio_read32(CLINT_MSIP(0)), 1);
    check_bool("mip.MSIP", csr_read(mip) & MIP_MSIP, 1);
    /* MSIP and MTIP both pending: the software interrupt goes first */
    set_mtimecmp(0, 0);
    csr_write(mie, MIP_MSIP | MIP_MTIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    report("MSIP and MTIP pending, then MIE=1", 2, CAUSE_IRQ | IRQ_M_SOFT, PRV_M);
    check("  second cause", irq_cause[1], CAUSE_IRQ | IRQ_M_TIMER);
    check("CLINT msip[0] after the handler", mmio_read32(CLINT_MSIP(0)), 0);

    /* an M interrupt preempts S even with mstatus.MIE=0 */
    csr_clear(mstatus, MSTATUS_MPIE);
    csr_write(mie, MIP_MTIP);
    set_mtimecmp(0, mtime() + TICKS_1MS);
    check_trap("S waits for MTIP", run_in(PRV_S, wait_irq, 0), RUN_RETURNED, 1, 0, 0);
    report("MTIP while in S with MIE=0", 1, CAUSE_IRQ | IRQ_M_TIMER, PRV_S);
    csr_write(mie, 0);
}

static void delegated(void)
{
    s_install();
    s_hook = s_irq;
    csr_write(mideleg, MIP_SSIP | MIP_STIP);
    check("mideleg", csr_read(mideleg) & 0xaaa, MIP_SSIP | MIP_STIP);
    csr_write(mie, MIP_SSIP | MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_set(mip, MIP_SSIP);
    check("sip as seen from M", csr_read(sip) & 0x222, MIP_SSIP);
    report("delegated SSIP pending in M with MIE=1 (not taken in M)", 0, 0, 0);
    csr_clear(mstatus, MSTATUS_MIE);
    check_trap("S sets SIE, waits", run_in(PRV_S, s_wait_sie, 0), RUN_RETURNED, 1, 0, 0);
    report("SSIP taken in S", 1, CAUSE_IRQ | IRQ_S_SOFT, PRV_S);
    check_bool("mip.SSIP after the S handler cleared sip.SSIP", csr_read(mip) & MIP_SSIP, 0);

    csr_clear(mstatus, MSTATUS_SIE);
    csr_set(mip, MIP_SSIP);
    check_trap("U waits (SIE=0)", run_in(PRV_U, wait_irq, 0), RUN_RETURNED, 1, 0, 0);
    report("SSIP taken in U although SIE=0", 1, CAUSE_IRQ | IRQ_S_SOFT, PRV_U);

    csr_set(mip, MIP_STIP);
    check_bool("mip.STIP set by M", csr_read(mip) & MIP_STIP, 1);
    check_trap("S sets SIE, waits", run_in(PRV_S, s_wait_sie, 0), RUN_RETURNED, 1, 0, 0);
    report("STIP (written by M) taken in S", 1, CAUSE_IRQ | IRQ_S_TIMER, PRV_S);
    check_bool("mip.STIP still set (S cannot clear it)", csr_read(mip) & MIP_STIP, 1);
    csr_clear(mip, MIP_STIP);
    check_bool("mip.STIP cleared by M", csr_read(mip) & MIP_STIP, 0);

    /* not delegated: SSIP is taken in M */
    csr_write(mideleg, 0);
    csr_write(mie, MIP_SSIP);
    m_hook = m_irq;
    csr_set(mip, MIP_SSIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    report("SSIP not delegated, MIE=1 in M", 1, CAUSE_IRQ | IRQ_S_SOFT, PRV_M);
    csr_write(mie, 0);
    m_hook = 0;
    s_hook = 0;
}

int main(void)
{
    clint();
    delegated();
    return 0;
}
