/*
 * The riscv64 user-mode cpu loop: run guest code until it needs the
 * "kernel", serve that (system call, fault -> signal), deliver pending
 * signals, repeat.  Never returns: the guest ends through exit_group or a
 * fatal signal.
 *
 * System call ABI: number in a7, arguments a0..a5, result in a0; the pc is
 * at the ecall (4 bytes: ecall has no compressed form) when cpu_exec
 * returns EXCP_SYSCALL.  A syscall to be restarted keeps pc at the ecall
 * and a0 unchanged, so re-executing it is the restart.
 */
#include <signal.h>
#include <string.h>

#include <glib.h>

#include "linux-user/linux-user.h"
#include "target/riscv/cpu.h"

void lu_arch_init_regs(CpuState *cpu, const LuExecInfo *info)
{
    RiscvCpu *rc = riscv_cpu(cpu);
    /* The kernel starts a process with all registers zero but sp; a0 = 0
     * is the rtld_fini pointer _start passes to __libc_start_main. */
    memset(rc->gpr, 0, sizeof(rc->gpr));
    memset(rc->fpr, 0, sizeof(rc->fpr));
    rc->frm = 0;
    rc->fflags = 0;
    rc->load_res = (uint64_t)-1;
    rc->gpr[2] = info->sp;
    rc->pc = info->entry;
}

void lu_arch_cpu_clone(CpuState *ncpu, CpuState *cpu, uint64_t sp, bool set_tls, uint64_t tls)
{
    RiscvCpu *n = riscv_cpu(ncpu);
    const RiscvCpu *rc = riscv_cpu(cpu);
    memcpy(n->gpr, rc->gpr, sizeof(n->gpr));
    memcpy(n->fpr, rc->fpr, sizeof(n->fpr));
    n->frm = rc->frm;
    n->fflags = rc->fflags;
    n->load_res = (uint64_t)-1;
    n->pc = rc->pc + 4;  /* the child starts after its clone ecall */
    n->gpr[10] = 0;      /* ... returning 0 */
    if (sp) {
        n->gpr[2] = sp;
    }
    if (set_tls) {
        n->gpr[4] = tls; /* tp */
    }
}

static void handle_syscall(CpuState *cpu)
{
    RiscvCpu *rc = riscv_cpu(cpu);
    uint64_t args[6];
    memcpy(args, &rc->gpr[10], sizeof(args));
    int64_t ret = lu_do_syscall(cpu, (int)rc->gpr[17], args);
    if (ret == -LU_EJUSTRETURN) {
        return; /* rt_sigreturn set every register */
    }
    if (ret == -LU_ERESTARTSYS) {
        lu_task(cpu)->syscall_restart = true;
        return;
    }
    rc->gpr[10] = (uint64_t)ret;
    rc->pc += 4;
}

_Noreturn void lu_arch_cpu_loop(CpuState *cpu)
{
    RiscvCpu *rc = riscv_cpu(cpu);
    for (;;) {
        int excp = cpu_exec(cpu);
        switch (excp) {
        case EXCP_SYSCALL:
            handle_syscall(cpu);
            break;
        case EXCP_ILLEGAL:
            lu_queue_sync_signal(cpu, SIGILL, ILL_ILLOPC, rc->pc);
            break;
        case EXCP_BREAKPOINT:
            lu_queue_sync_signal(cpu, SIGTRAP, TRAP_BRKPT, rc->pc);
            break;
        case EXCP_SEGV:
            lu_queue_sync_signal(cpu, SIGSEGV, cpu->fault_code ? cpu->fault_code : SEGV_MAPERR,
                                 cpu->fault_addr);
            break;
        case EXCP_BUS:
            lu_queue_sync_signal(cpu, SIGBUS, BUS_ADRALN, cpu->fault_addr);
            break;
        case EXCP_INTERRUPT:
        case EXCP_NONE:
            break;
        default:
            fprintf(stderr, "%s: internal error: unexpected exception 0x%x at pc 0x%llx\n",
                    LU_PROG, excp, (unsigned long long)rc->pc);
            lu_die_by_signal(SIGABRT);
        }
        lu_process_pending_signals(cpu);
    }
}
