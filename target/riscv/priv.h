/*
 * RISC-V privileged architecture (M, S and U modes; privileged spec 1.12):
 * the machine/supervisor CSR state, CSR access rules, trap entry, xRET,
 * interrupt selection, and (mmu.c) the Sv39/Sv48 page-table walk.
 *
 * This is kept apart from RiscvCpu (cpu.h) until the system emulator
 * exists: nothing here is reached from generated code yet, and user mode
 * does not link it.  The fp CSRs (fflags, frm, fcsr) stay in csr.c.
 * See docs/riscv.md, "Privileged architecture".
 */
#ifndef TARGET_RISCV_PRIV_H
#define TARGET_RISCV_PRIV_H

#include <stdbool.h>
#include <stdint.h>

typedef struct AddressSpace AddressSpace;

/* Privilege levels (spec 1.12 section 1.2, table 1.1). */
enum {
    RV_PRIV_U = 0,
    RV_PRIV_S = 1,
    RV_PRIV_M = 3,
};

/* mstatus / sstatus fields, RV64 (section 3.1.6, figure 3.7). */
#define RV_MSTATUS_SIE (1ull << 1)
#define RV_MSTATUS_MIE (1ull << 3)
#define RV_MSTATUS_SPIE (1ull << 5)
#define RV_MSTATUS_UBE (1ull << 6)
#define RV_MSTATUS_MPIE (1ull << 7)
#define RV_MSTATUS_SPP (1ull << 8)
#define RV_MSTATUS_VS (3ull << 9)
#define RV_MSTATUS_MPP (3ull << 11)
#define RV_MSTATUS_MPP_SHIFT 11
#define RV_MSTATUS_FS (3ull << 13)
#define RV_MSTATUS_XS (3ull << 15)
#define RV_MSTATUS_MPRV (1ull << 17)
#define RV_MSTATUS_SUM (1ull << 18)
#define RV_MSTATUS_MXR (1ull << 19)
#define RV_MSTATUS_TVM (1ull << 20)
#define RV_MSTATUS_TW (1ull << 21)
#define RV_MSTATUS_TSR (1ull << 22)
#define RV_MSTATUS_UXL (3ull << 32)
#define RV_MSTATUS_SXL (3ull << 34)
#define RV_MSTATUS_SBE (1ull << 36)
#define RV_MSTATUS_MBE (1ull << 37)
#define RV_MSTATUS_SD (1ull << 63)

/* Interrupt numbers (mip/mie bits, section 3.1.9) and their masks. */
enum {
    RV_IRQ_SSI = 1,
    RV_IRQ_MSI = 3,
    RV_IRQ_STI = 5,
    RV_IRQ_MTI = 7,
    RV_IRQ_SEI = 9,
    RV_IRQ_MEI = 11,
};
#define RV_MIP_SSIP (1ull << RV_IRQ_SSI)
#define RV_MIP_MSIP (1ull << RV_IRQ_MSI)
#define RV_MIP_STIP (1ull << RV_IRQ_STI)
#define RV_MIP_MTIP (1ull << RV_IRQ_MTI)
#define RV_MIP_SEIP (1ull << RV_IRQ_SEI)
#define RV_MIP_MEIP (1ull << RV_IRQ_MEI)
#define RV_MIP_S_MASK (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP)
#define RV_MIP_M_MASK (RV_MIP_MSIP | RV_MIP_MTIP | RV_MIP_MEIP)

/* Synchronous exception codes (mcause with Interrupt = 0, table 3.6). */
enum {
    RV_EXC_INSN_MISALIGNED = 0,
    RV_EXC_INSN_ACCESS = 1,
    RV_EXC_ILLEGAL_INSN = 2,
    RV_EXC_BREAKPOINT = 3,
    RV_EXC_LOAD_MISALIGNED = 4,
    RV_EXC_LOAD_ACCESS = 5,
    RV_EXC_STORE_MISALIGNED = 6,
    RV_EXC_STORE_ACCESS = 7,
    RV_EXC_ECALL_U = 8,
    RV_EXC_ECALL_S = 9,
    RV_EXC_ECALL_M = 11,
    RV_EXC_INSN_PAGE_FAULT = 12,
    RV_EXC_LOAD_PAGE_FAULT = 13,
    RV_EXC_STORE_PAGE_FAULT = 15,
};
#define RV_CAUSE_INTERRUPT (1ull << 63)

/* satp (section 4.1.11): MODE[63:60], ASID[59:44], PPN[43:0]. */
#define RV_SATP_MODE_SHIFT 60
#define RV_SATP_ASID_SHIFT 44
#define RV_SATP_PPN_MASK ((1ull << 44) - 1)
enum {
    RV_SATP_BARE = 0,
    RV_SATP_SV39 = 8,
    RV_SATP_SV48 = 9,
};

/* menvcfg / senvcfg (section 3.1.18, 4.1.10) */
#define RV_ENVCFG_FIOM (1ull << 0)
#define RV_ENVCFG_STCE (1ull << 63)

/* PMP (section 3.7) */
#define RV_PMP_ENTRIES 16
#define RV_PMP_R 0x01
#define RV_PMP_W 0x02
#define RV_PMP_X 0x04
#define RV_PMP_A 0x18
#define RV_PMP_L 0x80

/* CSR numbers handled here (section 2.2, tables 2.2 - 2.5). */
enum {
    /* cycle 0xc00, time 0xc01, instret 0xc02: see internal.h */
    RV_CSR_HPMCOUNTER3 = 0xc03,
    RV_CSR_HPMCOUNTER31 = 0xc1f,

    RV_CSR_SSTATUS = 0x100,
    RV_CSR_SIE = 0x104,
    RV_CSR_STVEC = 0x105,
    RV_CSR_SCOUNTEREN = 0x106,
    RV_CSR_SENVCFG = 0x10a,
    RV_CSR_SSCRATCH = 0x140,
    RV_CSR_SEPC = 0x141,
    RV_CSR_SCAUSE = 0x142,
    RV_CSR_STVAL = 0x143,
    RV_CSR_SIP = 0x144,
    RV_CSR_STIMECMP = 0x14d,
    RV_CSR_SATP = 0x180,

    RV_CSR_MVENDORID = 0xf11,
    RV_CSR_MARCHID = 0xf12,
    RV_CSR_MIMPID = 0xf13,
    RV_CSR_MHARTID = 0xf14,
    RV_CSR_MCONFIGPTR = 0xf15,
    RV_CSR_MSTATUS = 0x300,
    RV_CSR_MISA = 0x301,
    RV_CSR_MEDELEG = 0x302,
    RV_CSR_MIDELEG = 0x303,
    RV_CSR_MIE = 0x304,
    RV_CSR_MTVEC = 0x305,
    RV_CSR_MCOUNTEREN = 0x306,
    RV_CSR_MENVCFG = 0x30a,
    RV_CSR_MCOUNTINHIBIT = 0x320,
    RV_CSR_MHPMEVENT3 = 0x323,
    RV_CSR_MHPMEVENT31 = 0x33f,
    RV_CSR_MSCRATCH = 0x340,
    RV_CSR_MEPC = 0x341,
    RV_CSR_MCAUSE = 0x342,
    RV_CSR_MTVAL = 0x343,
    RV_CSR_MIP = 0x344,
    RV_CSR_PMPCFG0 = 0x3a0,
    RV_CSR_PMPCFG15 = 0x3af,
    RV_CSR_PMPADDR0 = 0x3b0,
    RV_CSR_PMPADDR63 = 0x3ef,
    RV_CSR_MCYCLE = 0xb00,
    RV_CSR_MINSTRET = 0xb02,
    RV_CSR_MHPMCOUNTER3 = 0xb03,
    RV_CSR_MHPMCOUNTER31 = 0xb1f,
};

/*
 * One hart's privileged state.  Fields hold the architectural values
 * (already legalised); use the functions below to change them the way
 * software would.  Devices change mip through riscv_priv_set_irq.
 */
typedef struct RiscvPrivState {
    unsigned priv;          /* RV_PRIV_* */
    uint64_t mstatus;       /* sstatus is a view of it */
    uint64_t misa;
    uint64_t medeleg, mideleg;
    uint64_t mie, mip;      /* sie/sip are views; mip.SEIP here is the sw bit */
    bool seip_line;         /* external S-level interrupt line (ORed into SEIP) */
    uint64_t mtvec, stvec;
    uint64_t mepc, sepc;
    uint64_t mcause, scause;
    uint64_t mtval, stval;
    uint64_t mscratch, sscratch;
    uint64_t satp;
    uint64_t menvcfg, senvcfg;
    uint32_t mcounteren, scounteren;
    uint32_t mcountinhibit;
    uint64_t mcycle, minstret; /* offsets from get_cycles (the counters' values
                                * are get_cycles() + these) */
    uint64_t mhartid;
    uint8_t pmpcfg[RV_PMP_ENTRIES];
    uint64_t pmpaddr[RV_PMP_ENTRIES];
    uint64_t stimecmp;

    /* Configuration, set before riscv_priv_reset. */
    bool sstc;              /* Sstc: stimecmp and menvcfg.STCE */
    uint64_t (*get_time)(void *opaque); /* mtime; NULL makes `time` illegal */
    /* What cycle and instret count (system mode: virtual ns, as there is
     * no instruction counting); NULL: they stand still. */
    uint64_t (*get_cycles)(void *opaque);
    void *time_opaque;
} RiscvPrivState;

/*
 * Reset (section 3.4): M-mode, MIE = MPRV = 0, misa = RV64IMAFDCSU,
 * mcause = 0, satp Bare, PMP entries off.  Keeps the configuration fields
 * and mhartid.  pc is the platform's reset vector (the caller's business).
 */
void riscv_priv_reset(RiscvPrivState *s);

/* ---- CSRs ---- */

typedef enum RiscvCsrResult {
    RV_CSR_OK = 0,
    RV_CSR_ILLEGAL, /* raise an illegal-instruction exception */
} RiscvCsrResult;

/*
 * A Zicsr access of `csr` from the current privilege level.  `write` says
 * whether the instruction writes (csrrw always; csrrs/c when rs1 != x0...).
 * The written value is (old & ~mask) | (value & mask) -- csrrw passes
 * mask = ~0, csrrs mask = value = rs1, csrrc mask = rs1, value = 0 --
 * legalised per the CSR's WARL rules.  *old (may be NULL) gets the value
 * read.  Nothing changes when RV_CSR_ILLEGAL is returned.
 */
RiscvCsrResult riscv_priv_csr_rmw(RiscvPrivState *s, int csr, bool write, uint64_t value,
                                  uint64_t mask, uint64_t *old);

/* Convenience wrappers: csrr and csrw. */
RiscvCsrResult riscv_priv_csr_read(RiscvPrivState *s, int csr, uint64_t *val);
RiscvCsrResult riscv_priv_csr_write(RiscvPrivState *s, int csr, uint64_t val);

/* ---- traps ---- */

/*
 * Take a trap (section 3.1.6.1, 3.1.8, 4.1.1): `cause` is the exception
 * code or interrupt number (without the Interrupt bit), `pc` the address of
 * the faulting instruction (or of the next one to execute, for an
 * interrupt).  Picks M or S via medeleg/mideleg, updates xepc, xcause,
 * xtval and xstatus, sets priv and returns the handler address.
 */
uint64_t riscv_priv_trap(RiscvPrivState *s, uint64_t cause, bool interrupt, uint64_t tval,
                         uint64_t pc);

/*
 * mret / sret (section 3.3.2).  Return false when the instruction is
 * illegal here (mret below M; sret in U, or in S with mstatus.TSR); else
 * restore the state and set *pc to xepc.
 */
bool riscv_priv_mret(RiscvPrivState *s, uint64_t *pc);
bool riscv_priv_sret(RiscvPrivState *s, uint64_t *pc);

/* Is wfi (3.1.6.5: TW, U mode) / sfence.vma (TVM, U mode) legal here? */
bool riscv_priv_wfi_legal(const RiscvPrivState *s);
bool riscv_priv_sfence_vma_legal(const RiscvPrivState *s);

/* ---- interrupts ---- */

/* Device side: raise or lower one mip bit (MSIP/MTIP/MEIP, SEIP line, STIP). */
void riscv_priv_set_irq(RiscvPrivState *s, int irq, bool level);
/* mip as software reads it (SEIP includes the external line; STIP via Sstc). */
uint64_t riscv_priv_mip(const RiscvPrivState *s);
/* Sstc: recompute mip.STIP from time >= stimecmp when menvcfg.STCE is set. */
void riscv_priv_update_stimer(RiscvPrivState *s);

/*
 * Which interrupt to take now (section 3.1.9): an RV_IRQ_* number, or -1.
 * M-destined interrupts go first, then S; within a level the order is
 * MEI, MSI, MTI, SEI, SSI, STI.
 */
int riscv_priv_pending_irq(const RiscvPrivState *s);

/* ---- address translation (mmu.c) ---- */

typedef enum RiscvAccessType {
    RV_ACCESS_FETCH,
    RV_ACCESS_LOAD,
    RV_ACCESS_STORE,
} RiscvAccessType;

/* prot bits of a translation */
#define RV_PROT_READ 1
#define RV_PROT_WRITE 2
#define RV_PROT_EXEC 4

typedef struct RiscvTranslation {
    uint64_t paddr;      /* physical address of vaddr */
    uint64_t page_size;  /* 4K, 2M, 1G or 512G: the mapping a TLB may cache */
    unsigned prot;       /* RV_PROT_*: what the same privilege/mode may do there;
                          * WRITE only once D is set, so a TLB entry never lets a
                          * store skip the D update */
    bool global;         /* a G bit on the walk (or no translation): the
                          * mapping is the same in every address space */
} RiscvTranslation;

/*
 * Translate vaddr for an access of the given type (section 4.3.2, 4.4,
 * 4.5).  The effective privilege is priv, or mstatus.MPP for loads and
 * stores when mstatus.MPRV is set; M mode and satp Bare map 1:1.  PTEs
 * are read from `as` (physical memory); A and D are set with an atomic
 * compare-and-swap when the PTE is in RAM.  Returns 0, or the exception
 * code to raise (page fault, or access fault when a PTE cannot be read or
 * its A/D update cannot be stored, PMP deciding both for S mode), with
 * tval = vaddr.
 */
int riscv_mmu_translate(const RiscvPrivState *s, AddressSpace *as, uint64_t vaddr,
                        RiscvAccessType type, RiscvTranslation *out);

/* ---- physical memory protection (pmp.c) ---- */

/* RV_PROT_* that the PMP entries allow at paddr for an access from `priv`
 * (the effective privilege: MPRV applied), for the whole 4K page when one
 * entry covers it. */
unsigned riscv_pmp_prot(const RiscvPrivState *s, uint64_t paddr, unsigned priv);

#endif /* TARGET_RISCV_PRIV_H */
