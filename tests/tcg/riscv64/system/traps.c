/* Synchronous exceptions taken to M-mode (nothing delegated): ecall and
 * ebreak from M, S and U, illegal instructions with mtval, CSR and xRET
 * privilege checks, mstatus.TW/TVM/TSR, misaligned accesses and access
 * faults outside RAM. */
#include "sys.h"

extern char p_ecall[], p_ebreak[], p_c_ebreak[], p_custom0[], p_unimp32[],
    p_c_unimp[], p_fadd[], p_rd_mstatus[], p_rd_mscratch[], p_rd_sstatus[],
    p_rd_satp[], p_wr_mhartid[], p_mret[], p_sret[], p_wfi[], p_sfence[],
    p_sstatus_after_sret[], p_sret_insn[], p_load64[], p_load32[], p_store64[],
    p_amoadd_w[], p_lr_d[], p_jump[];

static const int modes[3] = {PRV_M, PRV_S, PRV_U};
static const char *const mode_name[4] = {"U", "S", "?", "M"};
static u64 buf[4] __attribute__((aligned(16)));

static void per_mode(const char *what, void *probe, u64 cause_m, u64 cause_s, u64 cause_u)
{
    u64 causes[3] = {cause_m, cause_s, cause_u};
    char name[48];
    for (int i = 0; i < 3; i++) {
        char *p = name;
        for (const char *s = what; *s; s++)
            *p++ = *s;
        *p++ = ' ';
        *p++ = *mode_name[modes[i]];
        *p = 0;
        run_t r = run_in(modes[i], probe, 0);
        check_trap(name, r, RUN_TRAP_M, causes[i], probe, 0);
        if (r.how == RUN_TRAP_M && ((r.status >> 11) & 3) != (u64)modes[i]) {
            printf("  mpp FAIL\n");
            failures++;
        }
    }
}

static void breakpoints(void)
{
    per_mode("ebreak", p_ebreak, EXC_BREAKPOINT, EXC_BREAKPOINT, EXC_BREAKPOINT);
    run_t r = run_in(PRV_S, p_c_ebreak, 0);
    check_trap("c.ebreak S", r, RUN_TRAP_M, EXC_BREAKPOINT, p_c_ebreak, 0);
    /* mtval is 0 or the address of the ebreak (QEMU 7.2: 0) */
    check_bool("ebreak mtval is 0 or epc", r.tval == 0 || r.tval == r.epc, 1);
}

static void illegal(void)
{
    per_mode("custom-0 opcode", p_custom0, EXC_ILLEGAL, EXC_ILLEGAL, EXC_ILLEGAL);
    per_mode("csrrw x0,cycle,x0", p_unimp32, EXC_ILLEGAL, EXC_ILLEGAL, EXC_ILLEGAL);
    per_mode("c.unimp", p_c_unimp, EXC_ILLEGAL, EXC_ILLEGAL, EXC_ILLEGAL);
    /* floating point with mstatus.FS = Off */
    csr_clear(mstatus, MSTATUS_FS);
    per_mode("fadd.d with FS=Off", p_fadd, EXC_ILLEGAL, EXC_ILLEGAL, EXC_ILLEGAL);
    csr_set(mstatus, 1ul << 13);
    check_trap("fadd.d with FS=Initial S", run_in(PRV_S, p_fadd, 0), RUN_RETURNED, 0, 0, 0);
    check("mstatus.FS after fadd.d in S (Dirty)", (csr_read(mstatus) >> 13) & 3, 3);
    check("mstatus.SD after fadd.d in S", csr_read(mstatus) >> 63, 1);
}

static void privilege(void)
{
    check_trap("csrr mstatus S", run_in(PRV_S, p_rd_mstatus, 0), RUN_TRAP_M, EXC_ILLEGAL, p_rd_mstatus, 0);
    check_trap("csrr mscratch S", run_in(PRV_S, p_rd_mscratch, 0), RUN_TRAP_M, EXC_ILLEGAL, p_rd_mscratch, 0);
    check_trap("csrr mstatus U", run_in(PRV_U, p_rd_mstatus, 0), RUN_TRAP_M, EXC_ILLEGAL, p_rd_mstatus, 0);
    check_trap("csrr sstatus U", run_in(PRV_U, p_rd_sstatus, 0), RUN_TRAP_M, EXC_ILLEGAL, p_rd_sstatus, 0);
    check_trap("csrr satp U", run_in(PRV_U, p_rd_satp, 0), RUN_TRAP_M, EXC_ILLEGAL, p_rd_satp, 0);
    check_trap("csrw mhartid M", run_in(PRV_M, p_wr_mhartid, 5), RUN_TRAP_M, EXC_ILLEGAL, p_wr_mhartid, 0);
    check("mhartid after write attempt", csr_read(mhartid), 0);
    check_trap("csrr sstatus S", run_in(PRV_S, p_rd_sstatus, 0), RUN_RETURNED,
               csr_read(mstatus) & SSTATUS_MASK, 0, 0);
    check_trap("mret S", run_in(PRV_S, p_mret, 0), RUN_TRAP_M, EXC_ILLEGAL, p_mret, 0);
    check_trap("mret U", run_in(PRV_U, p_mret, 0), RUN_TRAP_M, EXC_ILLEGAL, p_mret, 0);
    check_trap("sret U", run_in(PRV_U, p_sret, 0), RUN_TRAP_M, EXC_ILLEGAL, p_sret, 0);
    check_trap("wfi U", run_in(PRV_U, p_wfi, 0), RUN_TRAP_M, EXC_ILLEGAL, p_wfi, 0);
    u64 ss = csr_read(mstatus) & SSTATUS_MASK & ~(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP);
    check_trap("sstatus after sret from S to S (SPP=1 SPIE=1 SIE=0)",
               run_in(PRV_S, p_sstatus_after_sret, MSTATUS_SPP | MSTATUS_SPIE),
               RUN_RETURNED, ss | MSTATUS_SIE | MSTATUS_SPIE, 0, 0);
    check_trap("sstatus after sret from S to S (SPP=1 SPIE=0 SIE=1)",
               run_in(PRV_S, p_sstatus_after_sret, MSTATUS_SPP | MSTATUS_SIE),
               RUN_RETURNED, ss | MSTATUS_SPIE, 0, 0);

    csr_set(mstatus, MSTATUS_TW);
    check_trap("wfi S with TW=1", run_in(PRV_S, p_wfi, 0), RUN_TRAP_M, EXC_ILLEGAL, p_wfi, 0);
    csr_clear(mstatus, MSTATUS_TW);
    csr_set(mstatus, MSTATUS_TVM);
    check_trap("csrr satp S with TVM=1", run_in(PRV_S, p_rd_satp, 0), RUN_TRAP_M, EXC_ILLEGAL, p_rd_satp, 0);
    check_trap("sfence.vma S with TVM=1", run_in(PRV_S, p_sfence, 0), RUN_TRAP_M, EXC_ILLEGAL, p_sfence, 0);
    csr_clear(mstatus, MSTATUS_TVM);
    check_trap("csrr satp S with TVM=0", run_in(PRV_S, p_rd_satp, 0), RUN_RETURNED, 0, 0, 0);
    check_trap("sfence.vma S with TVM=0", run_in(PRV_S, p_sfence, 0), RUN_RETURNED, 0, 0, 0);
    csr_set(mstatus, MSTATUS_TSR);
    check_trap("sret S with TSR=1", run_in(PRV_S, p_sstatus_after_sret, MSTATUS_SPP),
               RUN_TRAP_M, EXC_ILLEGAL, p_sret_insn, 0);
    csr_clear(mstatus, MSTATUS_TSR);
}

static void memory_faults(void)
{
    u64 b = (u64)buf;
    u64 end = RAM_BASE + (128ul << 20);   /* -m 128M */

    buf[0] = 0x0706050403020100ul;
    buf[1] = 0x0f0e0d0c0b0a0908ul;
    /* QEMU performs misaligned loads and stores itself */
    check_trap("ld misaligned +1 S", run_in(PRV_S, p_load64, b + 1), RUN_RETURNED, 0x0807060504030201ul, 0, 0);
    check_trap("lw misaligned +6 U", run_in(PRV_U, p_load32, b + 6), RUN_RETURNED, 0x09080706, 0, 0);
    run_t r = run_in(PRV_M, p_store64, b + 3);
    check("sd misaligned +3 M: returned - buf", r.how == RUN_RETURNED ? r.value - b : ~0ul, 4);
    check("bytes after sd misaligned (low 3 kept)", buf[0] & 0xffffff, 0x020100);
    check("bytes after sd misaligned (stored address - buf)", ((buf[0] >> 24) | (buf[1] << 40)) - b, 3);
    /* An AMO raises store/AMO misaligned (6); QEMU 7.2 says load
     * misaligned (4).  Either is accepted, and the cause is not printed. */
    r = run_in(PRV_S, p_amoadd_w, b + 2);
    check_bool("amoadd.w misaligned S traps to M at the amo (cause 6, or 4)",
               r.how == RUN_TRAP_M && r.epc == (u64)p_amoadd_w &&
               (r.cause == EXC_STORE_MISALIGNED || r.cause == EXC_LOAD_MISALIGNED), 1);
    check("mtval - buf", r.tval - b, 2);
    r = run_in(PRV_M, p_lr_d, b + 4);
    check_bool("lr.d misaligned M traps (load misaligned or access fault)",
               r.how == RUN_TRAP_M && r.epc == (u64)p_lr_d &&
               (r.cause == EXC_LOAD_MISALIGNED || r.cause == EXC_LOAD_ACCESS), 1);
    check("mtval - buf", r.tval - b, 4);

    /* nothing is mapped at the end of RAM */
    r = run_in(PRV_M, p_load64, end);
    check_trap("ld past RAM M", r, RUN_TRAP_M, EXC_LOAD_ACCESS, p_load64, end);
    check("mtval", r.tval, end);
    r = run_in(PRV_S, p_store64, end + 8);
    check_trap("sd past RAM S", r, RUN_TRAP_M, EXC_STORE_ACCESS, p_store64, end);
    check("mtval", r.tval, end + 8);
    r = run_in(PRV_U, p_jump, end + 16);
    check_trap("fetch past RAM U", r, RUN_TRAP_M, EXC_INSN_ACCESS, (void *)(end + 16), end);
    check("mtval", r.tval, end + 16);
    r = run_in(PRV_M, p_load32, 0x00200000);
    check_trap("lw from a hole at 0x200000 M", r, RUN_TRAP_M, EXC_LOAD_ACCESS, p_load32, 0);
}

int main(void)
{
    per_mode("ecall", p_ecall, EXC_ECALL_M, EXC_ECALL_S, EXC_ECALL_U);
    breakpoints();
    illegal();
    privilege();
    memory_faults();
    return 0;
}
