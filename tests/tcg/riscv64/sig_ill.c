/* SIGILL from illegal instructions (all-zero parcel, write to a read-only
 * CSR, unknown/privileged CSR, dynamic rounding with an invalid frm) and
 * SIGTRAP from ebreak/c.ebreak.  The handler checks si_addr/si_code, then
 * edits the ucontext (advances pc, sets a0, changes fcsr) and returns, so
 * the sigreturn path must restore the modified context. */
#define _GNU_SOURCE
#include <signal.h>
#include <ucontext.h>
#include "rvtest.h"

static volatile int hits, last_sig, last_code, addr_ok, len;
static volatile uintptr_t expect_addr;

static void handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    uintptr_t pc = uc->uc_mcontext.__gregs[REG_PC];
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    addr_ok = (uintptr_t)si->si_addr == expect_addr && pc == expect_addr;
    /* length of the trapping instruction */
    len = ((*(uint16_t *)pc) & 3) == 3 ? 4 : 2;
    uc->uc_mcontext.__gregs[REG_PC] = pc + len;
    uc->uc_mcontext.__gregs[REG_A0] = 0x1234;
    uc->uc_mcontext.__fpregs.__d.__fcsr = 0x20;   /* frm = 1 (rtz) on return */
}

/* Execute one trapping instruction labelled 1: with a0 = 7 and s2..s4 set.
 * Returns a0 after the instruction (0x1234 if the handler ran). */
#define TRAP(insn) ({                                                        \
    uint64_t _a0, _s2, _s3;                                                  \
    __asm__ volatile("lla t0, 1f\n\tsd t0, 0(%3)\n\t"                        \
                     "li a0, 7\n\tli s2, 0x5555\n\tli s3, -3\n"              \
                     "1:\t" insn "\n\t"                                      \
                     "mv %0, a0\n\tmv %1, s2\n\tmv %2, s3"                   \
                     : "=r"(_a0), "=r"(_s2), "=r"(_s3)                       \
                     : "r"(&expect_addr)                                     \
                     : "t0", "a0", "s2", "s3", "memory");                    \
    regs_ok = _s2 == 0x5555 && _s3 == (uint64_t)-3;                          \
    _a0; })

int main(void)
{
    struct sigaction sa;
    int regs_ok = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);

    static const struct { const char *name; int sig, code, len; } exp[] = {
        { "all-zero 16-bit parcel", SIGILL, ILL_ILLOPC, 2 },
        { "csrw to read-only cycle", SIGILL, ILL_ILLOPC, 4 },
        { "csrr of privileged mstatus", SIGILL, ILL_ILLOPC, 4 },
        { "fadd.d dyn with frm=5", SIGILL, ILL_ILLOPC, 4 },
        { "custom-2 opcode (unimplemented)", SIGILL, ILL_ILLOPC, 4 },
        { "ebreak", SIGTRAP, TRAP_BRKPT, 4 },
        { "c.ebreak", SIGTRAP, TRAP_BRKPT, 2 },
    };
    uint64_t r[5];
    r[0] = TRAP(".2byte 0x0000");
    int ok0 = regs_ok;
    r[1] = TRAP("csrw cycle, a0");
    int ok1 = regs_ok;
    r[2] = TRAP("csrr a0, mstatus");
    int ok2 = regs_ok;
    __asm__ volatile("csrwi frm, 5");
    r[3] = TRAP("fadd.d ft0, ft1, ft2, dyn");
    int ok3 = regs_ok;
    unsigned frm;
    __asm__ volatile("csrr %0, frm" : "=r"(frm));
    r[4] = TRAP(".4byte 0x0000505b");
    int ok4 = regs_ok;
    for (int i = 0; i < 5; i++) {
        CHECK(rvt_name("%s: handler set a0", exp[i].name), r[i], 0x1234);
    }
    CHECK_TRUE("callee registers preserved across SIGILL", ok0 && ok1 && ok2 && ok3 && ok4);
    CHECK("frm after handler edited fcsr", frm, 1);

    int h0 = hits;
    uint64_t t0 = TRAP(".4byte 0x00100073");  /* ebreak, never compressed */
    int sig0 = last_sig, code0 = last_code, len0 = len, a0ok = addr_ok;
    uint64_t t1 = TRAP("c.ebreak");
    CHECK("ebreak: handler set a0", t0, 0x1234);
    CHECK("ebreak: signal", sig0, SIGTRAP);
    CHECK("ebreak: si_code TRAP_BRKPT", code0, TRAP_BRKPT);
    CHECK("ebreak: length", len0, 4);
    CHECK_TRUE("ebreak: si_addr and pc", a0ok);
    CHECK("c.ebreak: handler set a0", t1, 0x1234);
    CHECK("c.ebreak: length", len, 2);
    CHECK_TRUE("c.ebreak: si_addr and pc", addr_ok);
    CHECK("handler invocations", hits - h0, 2);

    /* per-case signal/code/address, re-run one at a time */
    hits = 0;
    TRAP(".2byte 0x0000");
    CHECK("zero parcel: SIGILL", last_sig, SIGILL);
    CHECK("zero parcel: ILL_ILLOPC", last_code, ILL_ILLOPC);
    CHECK("zero parcel: length 2", len, 2);
    CHECK_TRUE("zero parcel: si_addr == pc == insn", addr_ok);
    TRAP("csrr a0, mstatus");
    CHECK("mstatus: SIGILL", last_sig, SIGILL);
    CHECK_TRUE("mstatus: si_addr == pc == insn", addr_ok);
    CHECK("total", hits, 2);
    return rvt_done("sig_ill");
}
