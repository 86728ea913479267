/* Exception delegation (medeleg) to an S-mode handler, and the mstatus
 * fields that traps, mret and sret move: MPP/MPIE/MIE, SPP/SPIE/SIE.
 * Handlers that resume (mret/sret after skipping an instruction). */
#include "sys.h"

extern char p_ecall[], p_ebreak[], p_custom0[], p_rd_mstatus[],
    p_two_illegal[], p_sret_to_u[], p_c_unimp[];

#define MPP_OF(s) (((s) >> 11) & 3)

static void mret_fields(void)
{
    u64 mask = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV;
    /* mret: MIE <- MPIE, MPIE <- 1, MPP <- U (least privileged) */
    csr_clear(mstatus, MSTATUS_MIE);
    csr_set(mstatus, MSTATUS_MPIE);
    run_t r = run_in(PRV_M, p_rd_mstatus, 0);
    check("mstatus in M after mret with MPIE=1 (MIE|MPIE|MPP)", r.value & mask,
          MSTATUS_MIE | MSTATUS_MPIE);
    csr_clear(mstatus, MSTATUS_MPIE);
    r = run_in(PRV_M, p_rd_mstatus, 0);
    check("mstatus in M after mret with MPIE=0 (MIE|MPIE|MPP)", r.value & mask, MSTATUS_MPIE);

    /* trap from S: MPP <- S, MPIE <- MIE (as set by mret), MIE <- 0 */
    csr_set(mstatus, MSTATUS_MPIE);
    r = run_in(PRV_S, p_ecall, 0);
    check("mstatus at ecall from S after mret with MPIE=1 (MIE|MPIE|MPP)",
          r.status & mask, MSTATUS_MPIE | (1ul << 11));
    csr_clear(mstatus, MSTATUS_MPIE);
    r = run_in(PRV_U, p_ecall, 0);
    check("mstatus at ecall from U after mret with MPIE=0 (MIE|MPIE|MPP)", r.status & mask, 0);
    /* Not checked: priv 1.12 has mret to S/U clear MPRV; QEMU 7.2 does not. */
}

static void delegated(void)
{
    csr_write(medeleg, (1u << EXC_ECALL_U) | (1u << EXC_ILLEGAL) | (1u << EXC_BREAKPOINT));
    csr_set(mstatus, MSTATUS_SIE);
    run_t r = run_in(PRV_U, p_ecall, 0);
    check_trap("delegated ecall U", r, RUN_TRAP_S, EXC_ECALL_U, p_ecall, 0);
    check("sstatus at the S handler (SIE|SPIE|SPP)", r.status & 0x122, MSTATUS_SPIE);
    r = run_in(PRV_U, p_custom0, 0);
    check_trap("delegated illegal U", r, RUN_TRAP_S, EXC_ILLEGAL, p_custom0, 0);
    check("stval", r.tval, 0xb);
    csr_clear(mstatus, MSTATUS_SIE);
    r = run_in(PRV_S, p_c_unimp, 0);
    check_trap("delegated illegal S (stays in S)", r, RUN_TRAP_S, EXC_ILLEGAL, p_c_unimp, 0);
    check("sstatus at the S handler (SIE|SPIE|SPP)", r.status & 0x122, MSTATUS_SPP);
    check_trap("delegated ebreak S", run_in(PRV_S, p_ebreak, 0), RUN_TRAP_S, EXC_BREAKPOINT, p_ebreak, 0);
    check_trap("ecall S (not delegated)", run_in(PRV_S, p_ecall, 0), RUN_TRAP_M, EXC_ECALL_S, p_ecall, 0);
    check_trap("illegal M (never delegated)", run_in(PRV_M, p_custom0, 0), RUN_TRAP_M, EXC_ILLEGAL, p_custom0, 0);
    /* sret from S to U, then a delegated ecall from U */
    r = run_in(PRV_S, p_sret_to_u, (u64)p_ecall);
    check_trap("sret S->U, ecall U", r, RUN_TRAP_S, EXC_ECALL_U, p_ecall, 0);
    check("sstatus.SPP at the S handler", (r.status >> 8) & 1, 0);
    csr_write(medeleg, 0);
    check_trap("ecall U with medeleg=0", run_in(PRV_U, p_ecall, 0), RUN_TRAP_M, EXC_ECALL_U, p_ecall, 0);
}

static int skipped;

static int skip_hook(u64 *f)
{
    if (f[F_CAUSE] != EXC_ILLEGAL)
        return 0;
    skipped++;
    f[F_EPC] += insn_len(f[F_EPC]);
    return 1;
}

static void resuming(void)
{
    s_hook = skip_hook;
    csr_write(medeleg, 1u << EXC_ILLEGAL);
    skipped = 0;
    check_trap("S handler skips two illegal insns in U (sret)", run_in(PRV_U, p_two_illegal, 0),
               RUN_RETURNED, 5, 0, 0);
    check("S handler calls", skipped, 2);
    csr_write(medeleg, 0);
    s_hook = 0;
    m_hook = skip_hook;
    skipped = 0;
    check_trap("M handler skips two illegal insns in S (mret)", run_in(PRV_S, p_two_illegal, 0),
               RUN_RETURNED, 5, 0, 0);
    check("M handler calls", skipped, 2);
    m_hook = 0;
}

int main(void)
{
    s_install();
    mret_fields();
    delegated();
    resuming();
    return 0;
}
