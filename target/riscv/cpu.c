/*
 * RISC-V cpu state: reset and the -d cpu register dump.  The dump is
 * byte-for-byte the layout of `qemu-riscv64 -d cpu,fpu` (7.2) so traces of
 * the two can be diffed directly (QEMU prints no fcsr in user mode, so
 * neither do we: see docs/riscv.md).
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "target/riscv/cpu.h"

static const char *const dump_gpr_names[32] = {
    "x0/zero", "x1/ra", "x2/sp", "x3/gp", "x4/tp", "x5/t0", "x6/t1", "x7/t2",
    "x8/s0", "x9/s1", "x10/a0", "x11/a1", "x12/a2", "x13/a3", "x14/a4", "x15/a5",
    "x16/a6", "x17/a7", "x18/s2", "x19/s3", "x20/s4", "x21/s5", "x22/s6", "x23/s7",
    "x24/s8", "x25/s9", "x26/s10", "x27/s11", "x28/t3", "x29/t4", "x30/t5", "x31/t6",
};

static const char *const dump_fpr_names[32] = {
    "f0/ft0", "f1/ft1", "f2/ft2", "f3/ft3", "f4/ft4", "f5/ft5", "f6/ft6", "f7/ft7",
    "f8/fs0", "f9/fs1", "f10/fa0", "f11/fa1", "f12/fa2", "f13/fa3", "f14/fa4", "f15/fa5",
    "f16/fa6", "f17/fa7", "f18/fs2", "f19/fs3", "f20/fs4", "f21/fs5", "f22/fs6", "f23/fs7",
    "f24/fs8", "f25/fs9", "f26/fs10", "f27/fs11", "f28/ft8", "f29/ft9", "f30/ft10",
    "f31/ft11",
};

void riscv_cpu_reset(CpuState *cs)
{
    RiscvCpu *cpu = riscv_cpu(cs);

    /* Everything after the common header belongs to the architecture. */
    memset((char *)cpu + sizeof(CpuState), 0, sizeof(RiscvCpu) - sizeof(CpuState));
    cpu->load_res = (uint64_t)-1;
}

static void dump_regs(FILE *f, const char *const *names, const uint64_t *regs)
{
    for (int i = 0; i < 32; i++) {
        fprintf(f, " %-8s %016" PRIx64, names[i], regs[i]);
        if ((i & 3) == 3) {
            fputc('\n', f);
        }
    }
}

void riscv_cpu_dump_state(CpuState *cs, FILE *f)
{
    RiscvCpu *cpu = riscv_cpu(cs);

    fprintf(f, " %-8s %016" PRIx64 "\n", "pc", cpu->pc);
    if (cpu->system) {
        /* System mode: the privileged state that decides what runs next. */
        const RiscvPrivState *s = &cpu->priv;
        fprintf(f, " %-8s %c        mstatus  %016" PRIx64 " satp     %016" PRIx64 "\n", "priv",
                "US?M"[s->priv & 3], s->mstatus, s->satp);
        fprintf(f, " %-8s %016" PRIx64 " mie      %016" PRIx64 " mideleg  %016" PRIx64
                " medeleg  %016" PRIx64 "\n", "mip", s->mip, s->mie, s->mideleg, s->medeleg);
        fprintf(f, " %-8s %016" PRIx64 " mcause   %016" PRIx64 " mtval    %016" PRIx64
                " mtvec    %016" PRIx64 "\n", "mepc", s->mepc, s->mcause, s->mtval, s->mtvec);
        fprintf(f, " %-8s %016" PRIx64 " scause   %016" PRIx64 " stval    %016" PRIx64
                " stvec    %016" PRIx64 "\n", "sepc", s->sepc, s->scause, s->stval, s->stvec);
    }
    dump_regs(f, dump_gpr_names, cpu->gpr);
    dump_regs(f, dump_fpr_names, cpu->fpr);
}
