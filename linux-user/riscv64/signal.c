/*
 * riscv64 signal frames, laid out as the kernel's arch/riscv/kernel/
 * signal.c does (struct rt_sigframe = siginfo + ucontext):
 *
 *   rt_sigframe   0: siginfo (128 bytes)
 *               128: ucontext (960 bytes, 16-aligned)
 *   ucontext      0: uc_flags, 8: uc_link, 16: uc_stack (24 bytes),
 *                40: uc_sigmask (8 bytes + 120 bytes of padding to 1024 bits),
 *               176: uc_mcontext = struct sigcontext (aligned 16 by the
 *                    q-extension member of the fp union):
 *                    sc_regs[32] (pc in [0], x1..x31), then at +256 the fp
 *                    state: f[32] as u64, fcsr u32, padding to the 528-byte
 *                    q-ext size (the padding must read as zero: newer kernels
 *                    keep extension headers there, and zero ends the list)
 *
 * Handlers return through ra = the rt_sigreturn trampoline
 * (`li a7, 139; ecall`), mapped read+exec in the guest at start-up, as the
 * kernel's vDSO provides __vdso_rt_sigreturn.  riscv has no sa_restorer.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include <glib.h>

#include "linux-user/linux-user.h"
#include "target/riscv/cpu.h"

typedef struct GuestStackT {
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t pad;
    uint64_t ss_size;
} GuestStackT;

typedef struct GuestSigcontext {
    uint64_t regs[32];        /* pc, x1..x31 */
    uint64_t fpr[32];
    uint32_t fcsr;
    uint32_t reserved[3];
    uint64_t q_pad[32];       /* rest of union __riscv_fp_state (q ext) */
} __attribute__((aligned(16))) GuestSigcontext;

typedef struct GuestUcontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    GuestStackT uc_stack;
    uint64_t uc_sigmask;
    uint8_t unused[120];
    GuestSigcontext uc_mcontext;
} GuestUcontext;

typedef struct GuestRtSigframe {
    GuestSiginfo info;
    GuestUcontext uc;
} GuestRtSigframe;

G_STATIC_ASSERT(sizeof(GuestSiginfo) == 128);
G_STATIC_ASSERT(offsetof(GuestUcontext, uc_sigmask) == 40);
G_STATIC_ASSERT(offsetof(GuestUcontext, uc_mcontext) == 176);
G_STATIC_ASSERT(offsetof(GuestUcontext, uc_mcontext.fpr) == 432);
G_STATIC_ASSERT(sizeof(GuestUcontext) == 960);
G_STATIC_ASSERT(offsetof(GuestRtSigframe, uc) == 128);

#define RV_NR_RT_SIGRETURN 139
#define GUEST_SS_ONSTACK 1
#define GUEST_SS_DISABLE 2
#define GUEST_SS_AUTODISARM (1u << 31)

static bool on_altstack(TaskState *ts, uint64_t sp)
{
    return ts->altstack_size && sp - ts->altstack_sp <= ts->altstack_size;
}

static int altstack_flags(TaskState *ts, uint64_t sp)
{
    if (!ts->altstack_size) {
        return GUEST_SS_DISABLE;
    }
    return (on_altstack(ts, sp) ? GUEST_SS_ONSTACK : 0) |
           (ts->altstack_flags & GUEST_SS_AUTODISARM);
}

uint64_t lu_arch_get_sp(CpuState *cpu)
{
    return riscv_cpu(cpu)->gpr[2];
}

void lu_arch_set_retval(CpuState *cpu, uint64_t v)
{
    RiscvCpu *rc = riscv_cpu(cpu);
    rc->gpr[10] = v;
    /* The syscall is done: step over the ecall (never compressed). */
    rc->pc += 4;
}

void lu_arch_setup_frame(CpuState *cpu, int sig, const GuestSigAction *ka,
                         const GuestSiginfo *info, uint64_t old_mask)
{
    RiscvCpu *rc = riscv_cpu(cpu);
    TaskState *ts = lu_task(cpu);
    uint64_t sp = rc->gpr[2];

    if ((ka->flags & SA_ONSTACK) && ts->altstack_size && !on_altstack(ts, sp)) {
        sp = ts->altstack_sp + ts->altstack_size;
    }
    uint64_t frame_addr = (sp - sizeof(GuestRtSigframe)) & ~15ull;
    GuestRtSigframe *f = lu_guest_ptr(cpu, frame_addr, sizeof(*f), PAGE_WRITE);
    if (!f) {
        /* No room for the frame (stack overflow): the kernel kills with
         * SIGSEGV. */
        lu_die_by_signal(SIGSEGV);
    }
    memset(f, 0, sizeof(*f));
    f->info = *info;
    f->info.si_signo = sig;
    f->uc.uc_stack.ss_sp = ts->altstack_sp;
    f->uc.uc_stack.ss_flags = altstack_flags(ts, rc->gpr[2]);
    f->uc.uc_stack.ss_size = ts->altstack_size;
    f->uc.uc_sigmask = old_mask;
    f->uc.uc_mcontext.regs[0] = rc->pc;
    for (int i = 1; i < 32; i++) {
        f->uc.uc_mcontext.regs[i] = rc->gpr[i];
    }
    memcpy(f->uc.uc_mcontext.fpr, rc->fpr, sizeof(rc->fpr));
    f->uc.uc_mcontext.fcsr = (rc->frm << 5) | rc->fflags;

    if ((ts->altstack_flags & GUEST_SS_AUTODISARM) && on_altstack(ts, frame_addr)) {
        ts->altstack_sp = 0;
        ts->altstack_size = 0;
        ts->altstack_flags = GUEST_SS_DISABLE;
    }
    rc->gpr[1] = lu_proc(cpu)->sigtramp;   /* ra */
    rc->gpr[2] = frame_addr;               /* sp */
    rc->gpr[10] = sig;                     /* a0 */
    rc->gpr[11] = frame_addr + offsetof(GuestRtSigframe, info);
    rc->gpr[12] = frame_addr + offsetof(GuestRtSigframe, uc);
    rc->pc = ka->handler;
    /* A handler may start mid-reservation: drop any LR reservation. */
    rc->load_res = (uint64_t)-1;
}

/* sigaltstack(2) core, shared with rt_sigreturn's restore. */
int lu_do_sigaltstack(CpuState *cpu, const uint64_t *ss_in, uint64_t *ss_out)
{
    TaskState *ts = lu_task(cpu);
    uint64_t sp = lu_arch_get_sp(cpu);
    if (ss_out) {
        ss_out[0] = ts->altstack_sp;
        ss_out[1] = (uint32_t)altstack_flags(ts, sp);
        ss_out[2] = ts->altstack_size;
    }
    if (ss_in) {
        uint64_t base = ss_in[0], size = ss_in[2];
        uint32_t flags = (uint32_t)ss_in[1];
        if (on_altstack(ts, sp)) {
            return -EPERM;
        }
        uint32_t mode = flags & ~GUEST_SS_AUTODISARM;
        if (mode != 0 && mode != GUEST_SS_DISABLE && mode != GUEST_SS_ONSTACK) {
            return -EINVAL;
        }
        if (mode == GUEST_SS_DISABLE) {
            ts->altstack_sp = 0;
            ts->altstack_size = 0;
            ts->altstack_flags = GUEST_SS_DISABLE;
        } else {
            if (size < 2048) { /* MINSIGSTKSZ */
                return -ENOMEM;
            }
            ts->altstack_sp = base;
            ts->altstack_size = size;
            ts->altstack_flags = flags & GUEST_SS_AUTODISARM;
        }
    }
    return 0;
}

int64_t lu_arch_rt_sigreturn(CpuState *cpu)
{
    RiscvCpu *rc = riscv_cpu(cpu);
    TaskState *ts = lu_task(cpu);
    uint64_t frame_addr = rc->gpr[2];
    GuestRtSigframe frame, *f = &frame;
    const void *gf = lu_guest_ptr(cpu, frame_addr, sizeof(frame), PAGE_READ);
    if (gf) {
        memcpy(&frame, gf, sizeof(frame)); /* sp may be misaligned */
    } else {
        /* A bad frame: the kernel sends SIGSEGV (force_sig). */
        lu_queue_sync_signal(cpu, SIGSEGV, SI_KERNEL, 0);
        return -LU_EJUSTRETURN;
    }
    lu_set_sigmask(ts,
                   f->uc.uc_sigmask & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1))));
    rc->pc = f->uc.uc_mcontext.regs[0];
    for (int i = 1; i < 32; i++) {
        rc->gpr[i] = f->uc.uc_mcontext.regs[i];
    }
    memcpy(rc->fpr, f->uc.uc_mcontext.fpr, sizeof(rc->fpr));
    rc->frm = (f->uc.uc_mcontext.fcsr >> 5) & 7;
    rc->fflags = f->uc.uc_mcontext.fcsr & 0x1f;
    uint64_t ss[3] = { f->uc.uc_stack.ss_sp, (uint32_t)f->uc.uc_stack.ss_flags,
                       f->uc.uc_stack.ss_size };
    lu_do_sigaltstack(cpu, ss, NULL); /* errors ignored, as the kernel */
    rc->load_res = (uint64_t)-1;
    return -LU_EJUSTRETURN;
}

uint64_t lu_arch_setup_sigtramp(CpuState *cpu)
{
    static const uint32_t code[] = {
        0x00000893 | (RV_NR_RT_SIGRETURN << 20), /* li a7, 139 (addi a7, x0, 139) */
        0x00000073,                               /* ecall */
    };
    int64_t addr = lu_mmap(cpu, 0, TARGET_PAGE_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr < 0) {
        return 0;
    }
    memcpy(g2h(addr), code, sizeof(code));
    if (mprotect(g2h(addr), TARGET_PAGE_SIZE, PROT_READ) < 0) {
        return 0;
    }
    page_set_flags(cpu, addr, addr + TARGET_PAGE_SIZE, PAGE_READ | PAGE_EXEC | PAGE_VALID);
    return addr;
}
