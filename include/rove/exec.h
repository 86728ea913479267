/*
 * Execution layer (accel/tcg): the vCPU common state, translation blocks,
 * the generic translator loop front ends plug into, and the cpu loop.
 *
 * Layout rule: every guest cpu struct begins with a CpuState, and the env
 * pointer generated code holds is the CpuState pointer itself, so IR globals
 * use offsetof(<ArchCpu>, field) as their mem_offset.
 */
#ifndef ROVE_EXEC_H
#define ROVE_EXEC_H

#include <setjmp.h>
#include <stdio.h>

#include "rove/tcg-backend.h"
#include "rove/tcg.h"

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ull << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

/* Why cpu_exec() returned (cpu->exception_index). */
enum {
    EXCP_NONE = -1,
    EXCP_INTERRUPT = 0x10000, /* exit_request was set (host signal etc.) */
    EXCP_SYSCALL,             /* guest system call instruction; pc at the insn */
    EXCP_ILLEGAL,             /* illegal instruction; pc at the insn */
    EXCP_BREAKPOINT,          /* ebreak/brk; pc at the insn */
    EXCP_SEGV,                /* bad guest access; fault_addr, fault_code */
    EXCP_BUS,                 /* misaligned access that must trap */
    EXCP_HALT,
};

typedef struct TranslationBlock TranslationBlock;
typedef struct CpuSysOps CpuSysOps;
typedef struct ExecState ExecState;
typedef struct TargetArch TargetArch;

typedef struct CpuState {
    TcgEnvHeader tcg;          /* must be first: generated code reads it */
    int32_t exception_index;   /* EXCP_* when cpu_exec returns */
    int32_t fault_code;        /* EXCP_SEGV: SEGV_MAPERR / SEGV_ACCERR */
    uint64_t fault_addr;       /* EXCP_SEGV/EXCP_BUS: guest address */
    bool fault_is_write;
    const TargetArch *arch;
    ExecState *exec;           /* the process's translation cache (shared) */
    void *tcg_state;           /* this vCPU's translation state (accel/tcg) */
    void *opaque;              /* owner's data (linux-user: task state) */
    sigjmp_buf jmp_env;        /* cpu_loop_exit() lands here */
    bool in_exec;              /* jmp_env is valid */
    uint32_t cflags_next;      /* CF_* for the next TB only (e.g. one insn) */
    uint32_t tcg_cflags;       /* CF_KEY_MASK bits of every TB this vCPU runs */
    /* accel/tcg/cpus.c: the vCPU list and exclusive sections */
    struct CpuState *next_cpu;
    int cpu_index;
    bool running;              /* between cpu_exec_start and cpu_exec_end */
    bool has_waiter;           /* an exclusive section waits for it */
    /* System mode: the soft-MMU TLB (rove/softmmu.h); NULL in user mode. */
    struct SoftTlb *tlb;
    const CpuSysOps *sys;      /* system mode: what the vCPU runner asks */
    bool halted;               /* system mode: asleep in wfi until has_work */
    /* System mode, set by the runner before the vCPU first runs: a
     * spin-wait hint (RISC-V pause) leaves generated code with
     * pause_pending set, and the runner gives way to another vCPU: the
     * next one in turn on a single thread, or another host thread when
     * there are more vCPU threads than host CPUs.  A hart spinning on a
     * lock then lets the one holding it run.  Otherwise pause is a fence. */
    bool pause_yields;
    uint8_t pause_pending;
} CpuState;

/* A system-mode vCPU, for the runner (system/cpus.c). */
struct CpuSysOps {
    /* Take a pending, enabled interrupt (set pc to its handler); true if
     * one was taken.  Called between cpu_exec runs, on the vCPU's thread. */
    bool (*exec_interrupt)(CpuState *cpu);
    /* Would an interrupt wake the vCPU from wfi now? (any thread) */
    bool (*has_work)(CpuState *cpu);
};

/* The vCPU this host thread runs (NULL on other threads).  Signal
 * handlers use it to find the vCPU they must kick. */
extern __thread CpuState *current_cpu;

/* ---- Translation blocks ---- */

enum {
    CF_COUNT_MASK = 0x1ff, /* max insns, 0 = default */
    CF_NO_CACHE = 0x1000,  /* translate, run once, discard */
    CF_SINGLE_STEP = 0x2000, /* one guest insn per TB */
    CF_NO_CHAIN = 0x4000,    /* no goto_tb chaining, no inline lookup */
    /* First tier (accel/tcg/tiers.c): one guest basic block, no superblock,
     * no optimiser; made again in full when sampled hot. */
    CF_TIER0 = 0x8000,
    /* The bits a TB must share with the vCPU that runs it (tcg_cflags). */
    CF_KEY_MASK = CF_SINGLE_STEP | CF_NO_CHAIN,
};

/* exit_tb values: a TB pointer (malloc'd, so 8-aligned) with the goto_tb
 * slot (0 .. TCG_MAX_GOTO_TB-1) in the low bits. */
enum {
    TB_EXIT_MASK = 7,
    TB_EXIT_IDX0 = 0,
    TB_EXIT_IDX1 = 1,
    TB_EXIT_REQUESTED = 7, /* exit_request seen at TB entry; pc = tb->pc */
};
_Static_assert(TCG_MAX_GOTO_TB <= TB_EXIT_REQUESTED, "goto_tb slots must fit the exit value");

struct TranslationBlock {
    uint64_t pc;             /* guest virtual address of the first insn */
    uint32_t flags;          /* cpu mode flags (TargetArch.get_tb_key) */
    uint32_t cflags;
    uint64_t code_lo;        /* guest code it was made from lies in */
    uint64_t code_hi;        /*   [code_lo, code_hi) (superblocks: with gaps) */
    uint16_t icount;
    bool invalid;
    /* Set (release) once the TB is complete.  A vCPU that reaches a TB
     * another thread made through generated code (a chained jump, whose
     * patch is not a C-visible release) reads it with acquire before using
     * the TB's fields: that is the fence the C memory model wants, and what
     * lets ThreadSanitizer see the hand-off. */
    bool published;
    uint8_t samples;         /* CF_TIER0: times the tier sampler found it */
    uint64_t page_addr[2];   /* guest pages it was made from ([1] = -1 if one) */
    const void *tc_ptr;      /* host code (rx) */
    uint32_t tc_size;
    uint32_t jmp_insn_offset[TCG_MAX_GOTO_TB];
    uint32_t jmp_reset_offset[TCG_MAX_GOTO_TB];
    TranslationBlock *jmp_dest[TCG_MAX_GOTO_TB]; /* TB slot n is chained to, or NULL */
    void *jmp_incoming;      /* GPtrArray of (tb|slot) chained into this TB */
    uint64_t *insn_pc;       /* guest pc of insn i */
    uint32_t *insn_end;      /* host end offset of insn i */
    TbFaultSite *fault_sites; /* TbCodeInfo's, copied (NULL if none) */
    TcgWriteback *fault_wbs;
    int nb_fault_sites;
    TranslationBlock *hash_next;
};

/* ---- Front-end interface ---- */

typedef enum DisasJumpType {
    DISAS_NEXT,     /* keep translating */
    DISAS_TOO_MANY, /* stop; tb_stop must emit a jump to pc_next */
    DISAS_NORETURN, /* the insn already ended the TB (branch, exception) */
    DISAS_TARGET_0, /* front-end specific reasons start here */
    DISAS_TARGET_1,
    DISAS_TARGET_2,
    DISAS_TARGET_3,
} DisasJumpType;

#define TRANSLATOR_MAX_SEGS 8 /* guest code ranges one superblock may join */

typedef struct DisasContextBase {
    TranslationBlock *tb;
    TcgContext *tcg;
    CpuState *cpu;
    uint64_t pc_first;
    uint64_t pc_next;       /* translate_insn advances it past the insn */
    DisasJumpType is_jmp;
    int num_insns;
    int max_insns;
    /*
     * Superblocks: at a branch or direct jump the front end may go on
     * translating at one target (translator_follow) and leave by a side
     * exit to the other.  The guest code ranges already translated are
     * [seg_lo[i], seg_hi[i]) and [seg_start, pc_next).
     */
    int nb_goto_tb;          /* goto_tb slots handed out (translator_goto_tb_slot) */
    int nb_side;             /* side exits waiting for tb_stop */
    int side_label[TCG_MAX_GOTO_TB];
    uint64_t side_dest[TCG_MAX_GOTO_TB];
    int nb_segs;
    uint64_t seg_lo[TRANSLATOR_MAX_SEGS], seg_hi[TRANSLATOR_MAX_SEGS];
    uint64_t seg_start;
    /* The last guest page code was fetched from and its host address
     * (translator_fetch): the page's mapping cannot change while the TB is
     * translated, so only the first fetch from a page looks it up. */
    uint64_t fetch_vpage;
    const uint8_t *fetch_host;
} DisasContextBase;

/*
 * translate_insn must begin with tcg_gen_insn_start(db->tcg, db->pc_next)
 * when it translates an instruction.  It may instead set DISAS_TOO_MANY
 * without emitting anything (e.g. the next insn would cross a page).
 */
typedef struct TranslatorOps {
    void (*init_disas_context)(DisasContextBase *db);
    void (*translate_insn)(DisasContextBase *db);
    void (*tb_stop)(DisasContextBase *db);
} TranslatorOps;

/* Runs the generic loop; the front end's DisasContext begins with db. */
void translator_loop(const TranslatorOps *ops, DisasContextBase *db, CpuState *cpu,
                     TcgContext *tcg, TranslationBlock *tb, int max_insns);

/* Guest code fetch during translation (faults raise EXCP_SEGV at the insn). */
uint16_t translator_lduw(DisasContextBase *db, uint64_t pc);
uint32_t translator_ldl(DisasContextBase *db, uint64_t pc);

/* May a direct, chainable jump go from this TB to dest? */
bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest);
/* The next free goto_tb slot (the front end numbers its exits with it). */
unsigned translator_goto_tb_slot(DisasContextBase *db);
/*
 * Superblocks.  translator_can_follow: may the TB go on at dest, the likely
 * target of the branch or jump being translated (with a side exit to the
 * other target if side_exit)?  Not when dest is the TB's start (that is a
 * self-loop: end the TB, tcg/loop.c closes it), already translated here,
 * on another page, or when the TB is out of room or chaining is off.
 * translator_follow: go on at dest (pc_next = dest).
 * translator_add_side_exit: the branch to `label` leaves for dest; the
 * front end's tb_stop emits "set_label; exit to dest" for each pending one.
 */
bool translator_can_follow(DisasContextBase *db, uint64_t dest, bool side_exit);
void translator_follow(DisasContextBase *db, uint64_t dest);
void translator_add_side_exit(DisasContextBase *db, int label, uint64_t dest);

/* ---- Target description ---- */

struct TargetArch {
    const char *name;        /* "riscv64" */
    size_t cpu_size;         /* sizeof the arch cpu struct (CpuState first) */
    void (*cpu_reset)(CpuState *cpu);
    void (*tcg_init)(TcgContext *ctx); /* create globals; may set frontend_data */
    void (*get_tb_key)(CpuState *cpu, uint64_t *pc, uint32_t *flags);
    uint64_t (*get_pc)(CpuState *cpu);
    void (*set_pc)(CpuState *cpu, uint64_t pc);
    void (*translate)(TcgContext *ctx, CpuState *cpu, TranslationBlock *tb, int max_insns);
    void (*dump_state)(CpuState *cpu, FILE *f); /* -d cpu */
    int capstone_arch, capstone_mode;        /* for -d in_asm */
    /* -d in_asm when capstone_arch < 0: text of the insn at pc; returns insn length or 0 */
    int (*disas_insn)(uint64_t pc, const uint8_t *code, size_t avail, char *buf,
                      size_t bufsize);
};

extern const TargetArch target_riscv64;

/* ---- cpu loop and exits (accel/tcg/cpu-exec.c) ---- */

/*
 * A new vCPU.  The first one creates the process's translation cache;
 * later ones (guest threads) share it and must use the same back end.
 * Each vCPU is run by one host thread at a time.
 */
CpuState *cpu_create(const TargetArch *arch, const TcgBackend *backend);
/* Another vCPU of the same kind (a new guest thread), reset. */
CpuState *cpu_create_like(CpuState *cpu);
void cpu_destroy(CpuState *cpu);
/*
 * fork(2) from a process whose other vCPU threads may be running:
 * cpu_fork_prepare() right before fork (stops translation and chaining and
 * snapshots the code buffer), then cpu_fork_parent() in the parent, or
 * cpu_fork_child(cpu) in the child, where cpu (the forking thread's vCPU)
 * is the only one left.  cpu_fork_child returns false if the child cannot
 * get its own copy of the generated code (it must exit).
 */
void cpu_fork_prepare(void);
void cpu_fork_parent(void);
bool cpu_fork_child(CpuState *cpu);
/*
 * Exclusive sections: start_exclusive() returns once every other vCPU is
 * outside generated code (they are kicked and wait at their next
 * cpu_exec entry until end_exclusive()).  The caller must not be inside
 * cpu_exec and must not hold tb_lock.
 */
void start_exclusive(void);
void end_exclusive(void);
/* Run guest code until something the caller must handle; returns EXCP_*. */
int cpu_exec(CpuState *cpu);
/* From a helper or signal handler: abandon the TB, return to cpu_exec. */
_Noreturn void cpu_loop_exit(CpuState *cpu);
/* Restore guest pc from a host pc inside generated code (or interp_pc),
 * then exit with exception `excp`.  host_pc 0: pc is already correct. */
_Noreturn void cpu_loop_exit_restore(CpuState *cpu, uintptr_t host_pc, int excp);
/* Map host pc to guest state; false if host_pc is not in generated code. */
bool cpu_restore_state(CpuState *cpu, uintptr_t host_pc);
/* The same for a host fault at host_pc, whose general registers were
 * host_regs (back-end numbering): the guest registers generated code held
 * only in host registers there (its TbFaultSite) are stored too. */
bool cpu_restore_state_regs(CpuState *cpu, uintptr_t host_pc, const uint64_t *host_regs);
/* System mode, on each vCPU thread before it runs guest code: start the
 * sampler that finds hot first-tier TBs (accel/tcg/tiers.c). */
void tier_sampler_start(void);
/* Ask a running vCPU to come back to its loop (async-signal-safe). */
static inline void cpu_exit(CpuState *cpu)
{
    __atomic_store_n(&cpu->tcg.exit_request, 1, __ATOMIC_RELAXED);
}

/* Forget the vCPU's jump cache (system mode: its TLB changed, so TBs found
 * by virtual pc may no longer be the ones mapped there): all of it
 * (UINT64_MAX), the TBs the TLB no longer maps through a global mapping
 * (CPU_JMP_CACHE_NONGLOBAL: an address-space switch kept those), or the
 * TBs whose code may lie in virtual page `page`. */
#define CPU_JMP_CACHE_NONGLOBAL (UINT64_MAX - 1)
void cpu_flush_jmp_cache(CpuState *cpu, uint64_t page);

/*
 * System mode: the machine is going down or being reset (a device asked,
 * usually from inside a vCPU's MMIO access).  Every vCPU leaves generated
 * code at once -- right after the device access that asked, so nothing the
 * guest does after a poweroff or finisher write is seen -- and stays out
 * until the runner restarts the machine (cpu_stop_request cleared).
 */
extern bool cpu_stop_request;
void cpu_request_stop_all(void);

/* Drop every TB made from guest range [start, end) (SMC, munmap, fence.i).
 * Other vCPUs may still finish a TB they are running. */
void tb_invalidate_range(CpuState *cpu, uint64_t start, uint64_t end);

/*
 * Guest atomics (helpers called from generated code, whose return address
 * is retaddr): the host address of the naturally aligned size-byte object
 * at guest addr, or the guest's fault (misaligned: EXCP_BUS; outside the
 * guest: EXCP_SEGV) raised precisely.  A host fault between this and
 * cpu_atomic_done() is the guest's, raised at the same insn.  mmu_idx is
 * the access's (system mode; user mode ignores it).  User mode:
 * accel/tcg/user-exec.c; system mode's soft TLB implements it too.
 */
void *cpu_atomic_lookup(CpuState *cpu, uint64_t addr, unsigned size, unsigned mmu_idx,
                        uintptr_t retaddr);
void cpu_atomic_done(void);
/* Drop every TB of the process (in an exclusive section).  cpu is the
 * caller's vCPU (or NULL); from a helper, never return into generated code
 * afterwards: cpu_loop_exit. */
void tb_flush(CpuState *cpu);

/* Logging (-d ...) */
enum {
    LOG_IN_ASM = 1 << 0,
    LOG_OP = 1 << 1,
    LOG_OP_OPT = 1 << 2,
    LOG_OUT_ASM = 1 << 3,
    LOG_EXEC = 1 << 4,
    LOG_CPU = 1 << 5,
    LOG_UNIMP = 1 << 6,
    LOG_NOCHAIN = 1 << 7,
    LOG_SINGLESTEP = 1 << 8, /* one guest insn per TB */
    LOG_TIER = 1 << 9,
};
extern unsigned rove_log_mask;
extern FILE *rove_log_file;
/* Parse "in_asm,op,..." ; returns false (and prints the valid names) on error. */
bool rove_log_parse(const char *spec);
bool rove_log_set_file(const char *path);
#define rove_log_enabled(m) (rove_log_mask & (m))
void rove_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -perfmap: /tmp/perf-PID.map lines ("host-start size name") so that
 * `perf report` names translated blocks by guest pc.  NULL when off. */
extern FILE *rove_perfmap;
bool rove_perfmap_open(void);

#endif
