/*
 * Bare-metal riscv64 test programs for the virt machine: devices, CSR
 * helpers and the small run-time in crt0.S and lib.c.
 *
 * A test is main() in M-mode.  It prints with printf() on the UART and its
 * exit status comes from main's return value through the sifive-test
 * finisher (0: pass).  run_in() runs a function in M, S or U mode and comes
 * back with either its return value or the first trap it took.
 */
#ifndef SYS_H
#define SYS_H

/* virt machine */
#define UART0           0x10000000
#define FINISHER        0x100000
#define CLINT           0x2000000
#define CLINT_MSIP(h)   (CLINT + 4 * (h))
#define CLINT_MTIMECMP(h) (CLINT + 0x4000 + 8 * (h))
#define CLINT_MTIME     (CLINT + 0xbff8)
#define PLIC            0xc000000
#define RTC             0x101000
#define RAM_BASE        0x80000000
#define MAX_HARTS       4

/* trap frame: x0..x31, then these (in 8-byte slots) */
#define F_EPC    32
#define F_CAUSE  33
#define F_TVAL   34
#define F_STATUS 35
#define FRAME_WORDS 36
#define FRAME_SIZE (FRAME_WORDS * 8)

/* a7 values of the ecalls that end a run_in() */
#define ECALL_RETURN   0x52455400  /* lower-mode function returned (a0) */
#define ECALL_S_TRAP   0x52455401  /* S handler took a trap: report it */

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define MSTATUS_SIE  (1ul << 1)
#define MSTATUS_MIE  (1ul << 3)
#define MSTATUS_SPIE (1ul << 5)
#define MSTATUS_MPIE (1ul << 7)
#define MSTATUS_SPP  (1ul << 8)
#define MSTATUS_MPP  (3ul << 11)
#define MSTATUS_FS   (3ul << 13)
#define MSTATUS_MPRV (1ul << 17)
#define MSTATUS_SUM  (1ul << 18)
#define MSTATUS_MXR  (1ul << 19)
#define MSTATUS_TVM  (1ul << 20)
#define MSTATUS_TW   (1ul << 21)
#define MSTATUS_TSR  (1ul << 22)
/* the mstatus bits sstatus shows: SIE SPIE UBE SPP VS FS XS SUM MXR UXL SD */
#define SSTATUS_MASK 0x80000003000de762ul

#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11
#define CAUSE_IRQ   (1ul << 63)

#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS     1
#define EXC_ILLEGAL         2
#define EXC_BREAKPOINT      3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS     5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS    7
#define EXC_ECALL_U         8
#define EXC_ECALL_S         9
#define EXC_ECALL_M         11
#define EXC_INSN_PAGE       12
#define EXC_LOAD_PAGE       13
#define EXC_STORE_PAGE      15

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(c) ({ u64 v_; asm volatile("csrr %0, " STR(c) : "=r"(v_) :: "memory"); v_; })
#define csr_write(c, v) asm volatile("csrw " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_set(c, v) asm volatile("csrs " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_clear(c, v) asm volatile("csrc " STR(c) ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_swap(c, v) ({ u64 v_; asm volatile("csrrw %0, " STR(c) ", %1" \
                          : "=r"(v_) : "rK"((u64)(v)) : "memory"); v_; })

static inline u64 mmio_read64(u64 a) { return *(volatile u64 *)a; }
static inline u32 mmio_read32(u64 a) { return *(volatile u32 *)a; }
static inline uint8_t mmio_read8(u64 a) { return *(volatile uint8_t *)a; }
static inline void mmio_write64(u64 a, u64 v) { *(volatile u64 *)a = v; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline void mmio_write8(u64 a, uint8_t v) { *(volatile uint8_t *)a = v; }

/* crt0.S */
extern u64 boot_a0, boot_a1;       /* a0 (hart id) and a1 (fdt) at entry */
extern char __image_end[];
void ret_stub(void);               /* li a7, ECALL_RETURN; ecall */

/* lib.c: output and exit */
void putchar_(int c);
int printf(const char *fmt, ...);
void puts_(const char *s);
__attribute__((noreturn)) void sys_exit(int code);
/* Prints "NAME = GOT" (hex), plus "  FAIL (want WANT)" when they differ;
 * a failure makes main's caller exit with status 1. */
void check(const char *name, u64 got, u64 want);
/* Prints "NAME: yes|no"; FAIL unless it matches want. */
void check_bool(const char *name, int got, int want);
extern int failures, checks;

/* A run in another mode ends with the function's return or a trap. */
enum { RUN_RETURNED, RUN_TRAP_M, RUN_TRAP_S };
typedef struct {
    int how;            /* RUN_* */
    u64 value;          /* return value (RUN_RETURNED) */
    u64 cause, epc, tval;
    u64 status;         /* mstatus (RUN_TRAP_M) or sstatus (RUN_TRAP_S) in the handler */
} run_t;

/* Run fn(arg) in mode PRV_U, PRV_S or PRV_M, entered by mret with the
 * current mstatus (MPP set to mode), on a stack of its own. */
run_t run_in(int mode, void *fn, u64 arg);
/* Same, at code address fn + off (an alias mapping of the image) and stack
 * pointer sp (0: the default lower-mode stack). */
run_t run_in_at(int mode, void *fn, u64 arg, u64 off, u64 sp);
/* Prints one line for a run: "NAME: returned VALUE" or
 * "NAME: trap (M|S) cause=C epc=E tval=T mpp=P|spp=P" with epc and tval
 * as offsets from the addresses passed (0: printed raw) and the previous
 * mode the handler saw. */
void show_run(const char *name, run_t r, void *epc_base, u64 tval_base);
/* show_run plus a check: how (RUN_*), cause (or the return value for
 * RUN_RETURNED) and, for a trap, epc == site (unless site is 0). */
void check_trap(const char *name, run_t r, int how, u64 cause, void *site, u64 tval_base);

/* Trap hooks: called for a trap before the default action; return 1 to
 * resume at frame[F_EPC] (the hook may change it and any register),
 * 0 for the default (M: end the run_in with RUN_TRAP_M; S: end it with
 * RUN_TRAP_S).  Interrupts taken with no hook end the program. */
typedef int (*trap_hook_t)(u64 *frame);
extern trap_hook_t m_hook, s_hook;
void s_install(void);   /* stvec, sscratch for S-mode traps */
int insn_len(u64 addr);  /* 2 or 4, from the instruction at addr */

/* CLINT */
static inline u64 mtime(void) { return mmio_read64(CLINT_MTIME); }
static inline void set_mtimecmp(int hart, u64 v) { mmio_write64(CLINT_MTIMECMP(hart), v); }

/* SMP: other harts call this with a0 and a1 as they were at entry (weak;
 * the default parks them in wfi).  It must not return. */
void secondary_main(u64 a0, u64 a1);
#endif
#endif
