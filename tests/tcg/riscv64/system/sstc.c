/* Sstc (QEMU 7.2's virt CPU has it): stimecmp access from M and S
 * (gated by menvcfg.STCE and mcounteren.TM), STIP driven by stimecmp
 * instead of mip writes, and an S-mode timer interrupt from stimecmp. */
#include "sys.h"

#define CSR_STIMECMP 0x14d
#define CSR_MENVCFG 0x30a
#define MENVCFG_STCE (1ul << 63)
#define MIP_STIP (1ul << IRQ_S_TIMER)

extern char p_rd_stimecmp[], p_wr_stimecmp[];
static volatile int n_irq;
static u64 irq_cause;

static int s_timer(u64 *f)
{
    if (f[F_CAUSE] != (CAUSE_IRQ | IRQ_S_TIMER))
        return 0;
    irq_cause = f[F_CAUSE];
    csr_write(CSR_STIMECMP, ~0ul);
    n_irq++;
    return 1;
}

/* S: arm stimecmp 1 ms ahead, enable STIE and SIE, wait (at most 1 s) */
static u64 s_arm_and_wait(u64 unused)
{
    u64 now = csr_read(time);
    csr_write(CSR_STIMECMP, now + 10000);
    csr_set(sie, MIP_STIP);
    csr_set(sstatus, MSTATUS_SIE);
    while (!n_irq && csr_read(time) < now + 10000000)
        ;
    csr_clear(sstatus, MSTATUS_SIE);
    return n_irq;
}

int main(void)
{
    csr_write(CSR_STIMECMP, 0x1234);
    check("stimecmp written in M", csr_read(CSR_STIMECMP), 0x1234);
    csr_write(CSR_STIMECMP, ~0ul);

    csr_write(CSR_MENVCFG, 0);
    csr_write(mcounteren, 2);
    check_trap("csrr stimecmp S, STCE=0 TM=1", run_in(PRV_S, p_rd_stimecmp, 0),
               RUN_TRAP_M, EXC_ILLEGAL, p_rd_stimecmp, 0);
    csr_write(CSR_MENVCFG, MENVCFG_STCE);
    check("menvcfg.STCE", csr_read(CSR_MENVCFG) >> 63, 1);
    csr_write(mcounteren, 0);
    check_trap("csrr stimecmp S, STCE=1 TM=0", run_in(PRV_S, p_rd_stimecmp, 0),
               RUN_TRAP_M, EXC_ILLEGAL, p_rd_stimecmp, 0);
    csr_write(mcounteren, 2);
    check_trap("csrw stimecmp S, STCE=1 TM=1", run_in(PRV_S, p_wr_stimecmp, 0x5678),
               RUN_RETURNED, 0x5678, 0, 0);
    check("stimecmp read in M", csr_read(CSR_STIMECMP), 0x5678);
    check_trap("csrr stimecmp U", run_in(PRV_U, p_rd_stimecmp, 0),
               RUN_TRAP_M, EXC_ILLEGAL, p_rd_stimecmp, 0);

    /* with STCE=1, STIP follows time >= stimecmp; mip writes do not move it */
    csr_write(CSR_STIMECMP, 0);
    check_bool("mip.STIP with stimecmp in the past", csr_read(mip) & MIP_STIP, 1);
    csr_clear(mip, MIP_STIP);
    check_bool("mip.STIP after clearing it through mip", csr_read(mip) & MIP_STIP, 1);
    csr_write(CSR_STIMECMP, ~0ul);
    check_bool("mip.STIP with stimecmp = ~0", csr_read(mip) & MIP_STIP, 0);
    csr_set(mip, MIP_STIP);
    check_bool("mip.STIP after setting it through mip", csr_read(mip) & MIP_STIP, 0);

    s_install();
    s_hook = s_timer;
    csr_write(mideleg, MIP_STIP);
    check_trap("S arms stimecmp and waits", run_in(PRV_S, s_arm_and_wait, 0), RUN_RETURNED, 1, 0, 0);
    check("scause", irq_cause, CAUSE_IRQ | IRQ_S_TIMER);
    check_bool("mip.STIP after the handler set stimecmp = ~0", csr_read(mip) & MIP_STIP, 0);
    csr_write(mideleg, 0);
    csr_write(mie, 0);
    return 0;
}
