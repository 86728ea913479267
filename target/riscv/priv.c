/*
 * RISC-V privileged architecture, spec 1.12 (M, S, U; no H, no N): CSR
 * access rules and WARL legalisation, trap entry and delegation, mret /
 * sret, wfi / sfence.vma legality and interrupt selection.  Section
 * numbers below refer to "The RISC-V Instruction Set Manual, Volume II:
 * Privileged Architecture", version 20211203 (priv 1.12), and the Sstc
 * extension for stimecmp.
 *
 * Where the spec leaves a choice (WARL fields), the choice mirrors QEMU's
 * riscv virt cpu so that firmware sees the same machine:
 * - an illegal mstatus.MPP value (2) leaves MPP unchanged;
 * - an mtvec/stvec write with a reserved MODE (>= 2) is ignored;
 * - a pmpcfg byte with the reserved R=0 W=1 combination is ignored;
 * - misa is read-only (RV64IMAFDCSU).
 */
#include <stddef.h>

#include "target/riscv/priv.h"

/* Counters (section 2.2, table 2.2; internal.h has the same numbers). */
enum {
    CSR_CYCLE = 0xc00,
    CSR_TIME = 0xc01,
    CSR_INSTRET = 0xc02,
};

#define MISA_RV64 (2ull << 62)
#define MISA_EXT(c) (1ull << ((c) - 'A'))
#define MISA_VALUE (MISA_RV64 | MISA_EXT('A') | MISA_EXT('C') | MISA_EXT('D') | \
                    MISA_EXT('F') | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('S') | \
                    MISA_EXT('U'))

/* UXL = SXL = 2 (64-bit), read-only (section 3.1.6.2). */
#define MSTATUS_XL64 ((2ull << 32) | (2ull << 34))

/* What M-mode may write in mstatus; VS, XS, UBE, SBE, MBE are zero. */
#define MSTATUS_W_MASK (RV_MSTATUS_SIE | RV_MSTATUS_MIE | RV_MSTATUS_SPIE | RV_MSTATUS_MPIE | \
                        RV_MSTATUS_SPP | RV_MSTATUS_MPP | RV_MSTATUS_FS | RV_MSTATUS_MPRV | \
                        RV_MSTATUS_SUM | RV_MSTATUS_MXR | RV_MSTATUS_TVM | RV_MSTATUS_TW | \
                        RV_MSTATUS_TSR)
/* sstatus, section 4.1.1: what S-mode sees and what it may write. */
#define SSTATUS_R_MASK (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_UBE | RV_MSTATUS_SPP | \
                        RV_MSTATUS_VS | RV_MSTATUS_FS | RV_MSTATUS_XS | RV_MSTATUS_SUM | \
                        RV_MSTATUS_MXR | RV_MSTATUS_UXL | RV_MSTATUS_SD)
#define SSTATUS_W_MASK (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_SPP | RV_MSTATUS_FS | \
                        RV_MSTATUS_SUM | RV_MSTATUS_MXR)

/*
 * medeleg: every exception that can occur below M (section 3.1.8): not
 * ecall from M (11, hardwired zero) nor the reserved codes 10 and 14.
 */
#define MEDELEG_MASK (0x3ffull | (1ull << 12) | (1ull << 13) | (1ull << 15))
/* mideleg: only S-level interrupts can be delegated (no M-level bits). */
#define MIDELEG_MASK RV_MIP_S_MASK
#define MIE_MASK (RV_MIP_S_MASK | RV_MIP_M_MASK)

/* pmpaddr holds bits 55:2 of an address (56-bit physical addresses). */
#define PMPADDR_MASK ((1ull << 54) - 1)
#define PMP_A_TOR 0x08

/* The counters' free-running part (mcycle/minstret hold offsets from it). */
static uint64_t cycles_now(const RiscvPrivState *s)
{
    return s->get_cycles ? s->get_cycles(s->time_opaque) : 0;
}

static uint64_t mstatus_with_sd(uint64_t m)
{
    bool dirty = (m & RV_MSTATUS_FS) == RV_MSTATUS_FS || (m & RV_MSTATUS_XS) == RV_MSTATUS_XS ||
                 (m & RV_MSTATUS_VS) == RV_MSTATUS_VS;

    m &= ~RV_MSTATUS_SD;
    return dirty ? m | RV_MSTATUS_SD : m;
}

void riscv_priv_reset(RiscvPrivState *s)
{
    bool sstc = s->sstc;
    uint64_t (*get_time)(void *) = s->get_time;
    uint64_t (*get_cycles)(void *) = s->get_cycles;
    void *time_opaque = s->time_opaque;
    uint64_t hartid = s->mhartid;

    *s = (RiscvPrivState){0};
    s->sstc = sstc;
    s->get_time = get_time;
    s->get_cycles = get_cycles;
    s->time_opaque = time_opaque;
    s->mhartid = hartid;
    s->priv = RV_PRIV_M;
    s->misa = MISA_VALUE;
    s->mstatus = MSTATUS_XL64;
    s->stimecmp = UINT64_MAX;
}

/* ---- interrupts ---- */

uint64_t riscv_priv_mip(const RiscvPrivState *s)
{
    /* Section 3.1.9: SEIP reads as the software bit OR the external line. */
    return s->mip | (s->seip_line ? RV_MIP_SEIP : 0);
}

static bool stce(const RiscvPrivState *s)
{
    return s->sstc && (s->menvcfg & RV_ENVCFG_STCE);
}

void riscv_priv_update_stimer(RiscvPrivState *s)
{
    /* Sstc: with STCE, STIP is read-only and reflects time >= stimecmp. */
    if (!stce(s) || !s->get_time) {
        return;
    }
    if (s->get_time(s->time_opaque) >= s->stimecmp) {
        s->mip |= RV_MIP_STIP;
    } else {
        s->mip &= ~RV_MIP_STIP;
    }
}

void riscv_priv_set_irq(RiscvPrivState *s, int irq, bool level)
{
    if (irq == RV_IRQ_SEI) {
        s->seip_line = level;
        return;
    }
    if (irq < 0 || irq > 11 || !((MIE_MASK >> irq) & 1)) {
        return;
    }
    if (level) {
        s->mip |= 1ull << irq;
    } else {
        s->mip &= ~(1ull << irq);
    }
}

/* Section 3.1.9: MEI, MSI, MTI, SEI, SSI, STI. */
static int highest_irq(uint64_t set)
{
    static const int order[] = {
        RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI, RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI,
    };

    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (set & (1ull << order[i])) {
            return order[i];
        }
    }
    return -1;
}

int riscv_priv_pending_irq(const RiscvPrivState *s)
{
    uint64_t pending = riscv_priv_mip(s) & s->mie;
    uint64_t to_m = pending & ~s->mideleg;
    uint64_t to_s = pending & s->mideleg;
    /*
     * Section 3.1.9: an interrupt for M is enabled when running below M,
     * or in M with mstatus.MIE; one delegated to S when running in U, or
     * in S with mstatus.SIE, never in M.  Interrupts for the higher mode
     * are taken first.
     */
    bool m_enabled = s->priv < RV_PRIV_M || (s->mstatus & RV_MSTATUS_MIE);
    bool s_enabled = s->priv < RV_PRIV_S ||
                     (s->priv == RV_PRIV_S && (s->mstatus & RV_MSTATUS_SIE));

    if (m_enabled && to_m) {
        return highest_irq(to_m);
    }
    if (s_enabled && to_s) {
        return highest_irq(to_s);
    }
    return -1;
}

/* ---- traps ---- */

static uint64_t tvec_target(uint64_t tvec, uint64_t cause, bool interrupt)
{
    uint64_t base = tvec & ~3ull;

    /* Section 3.1.7: Vectored mode sends interrupts to BASE + 4 * cause. */
    if ((tvec & 3) == 1 && interrupt) {
        return base + 4 * cause;
    }
    return base;
}

uint64_t riscv_priv_trap(RiscvPrivState *s, uint64_t cause, bool interrupt, uint64_t tval,
                         uint64_t pc)
{
    uint64_t deleg = interrupt ? s->mideleg : s->medeleg;
    uint64_t xcause = cause | (interrupt ? RV_CAUSE_INTERRUPT : 0);
    uint64_t m = s->mstatus;

    /*
     * Section 3.1.8: a trap delegated in medeleg/mideleg is taken in S
     * when it occurs in S or U; traps never go to a less privileged mode,
     * so in M everything is handled in M.
     */
    if (s->priv <= RV_PRIV_S && cause < 64 && ((deleg >> cause) & 1)) {
        /* Section 4.1.1: SPIE = SIE, SIE = 0, SPP = previous mode. */
        m = (m & RV_MSTATUS_SIE) ? m | RV_MSTATUS_SPIE : m & ~RV_MSTATUS_SPIE;
        m &= ~RV_MSTATUS_SIE;
        m = s->priv == RV_PRIV_S ? m | RV_MSTATUS_SPP : m & ~RV_MSTATUS_SPP;
        s->mstatus = m;
        s->scause = xcause;
        s->sepc = pc & ~1ull;
        s->stval = tval;
        s->priv = RV_PRIV_S;
        return tvec_target(s->stvec, cause, interrupt);
    }
    /* Section 3.1.6.1: MPIE = MIE, MIE = 0, MPP = previous mode. */
    m = (m & RV_MSTATUS_MIE) ? m | RV_MSTATUS_MPIE : m & ~RV_MSTATUS_MPIE;
    m &= ~(RV_MSTATUS_MIE | RV_MSTATUS_MPP);
    m |= (uint64_t)s->priv << RV_MSTATUS_MPP_SHIFT;
    s->mstatus = m;
    s->mcause = xcause;
    s->mepc = pc & ~1ull;
    s->mtval = tval;
    s->priv = RV_PRIV_M;
    return tvec_target(s->mtvec, cause, interrupt);
}

bool riscv_priv_mret(RiscvPrivState *s, uint64_t *pc)
{
    uint64_t m = s->mstatus;
    unsigned mpp = (unsigned)((m & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);

    /* Section 3.3.2: mret only in M. */
    if (s->priv != RV_PRIV_M) {
        return false;
    }
    /* MIE = MPIE, MPIE = 1, priv = MPP, MPP = U; MPRV = 0 if MPP != M. */
    m = (m & RV_MSTATUS_MPIE) ? m | RV_MSTATUS_MIE : m & ~RV_MSTATUS_MIE;
    m |= RV_MSTATUS_MPIE;
    m &= ~RV_MSTATUS_MPP;
    if (mpp != RV_PRIV_M) {
        m &= ~RV_MSTATUS_MPRV;
    }
    s->mstatus = m;
    s->priv = mpp;
    *pc = s->mepc;
    return true;
}

bool riscv_priv_sret(RiscvPrivState *s, uint64_t *pc)
{
    uint64_t m = s->mstatus;

    /*
     * Section 3.3.2: sret is illegal in U, and in S when mstatus.TSR = 1
     * (section 3.1.6.5).
     */
    if (s->priv == RV_PRIV_U || (s->priv == RV_PRIV_S && (m & RV_MSTATUS_TSR))) {
        return false;
    }
    s->priv = (m & RV_MSTATUS_SPP) ? RV_PRIV_S : RV_PRIV_U;
    m = (m & RV_MSTATUS_SPIE) ? m | RV_MSTATUS_SIE : m & ~RV_MSTATUS_SIE;
    m |= RV_MSTATUS_SPIE;
    m &= ~RV_MSTATUS_SPP;
    /* The new mode (S or U) is never M, so MPRV is cleared. */
    m &= ~RV_MSTATUS_MPRV;
    s->mstatus = m;
    *pc = s->sepc;
    return true;
}

bool riscv_priv_wfi_legal(const RiscvPrivState *s)
{
    /*
     * Section 3.1.6.5: with TW = 1, wfi below M traps (we use a time limit
     * of zero, as QEMU does); with S-mode implemented wfi in U traps.
     */
    if (s->priv == RV_PRIV_U) {
        return false;
    }
    return !(s->priv == RV_PRIV_S && (s->mstatus & RV_MSTATUS_TW));
}

bool riscv_priv_sfence_vma_legal(const RiscvPrivState *s)
{
    /* Section 3.1.6.5 (TVM) and 4.2.1 (not in U). */
    if (s->priv == RV_PRIV_U) {
        return false;
    }
    return !(s->priv == RV_PRIV_S && (s->mstatus & RV_MSTATUS_TVM));
}

/* ---- CSRs ---- */

static uint64_t pmpcfg_read(const RiscvPrivState *s, int index)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        int e = index * 4 + i;
        if (e < RV_PMP_ENTRIES) {
            v |= (uint64_t)s->pmpcfg[e] << (8 * i);
        }
    }
    return v;
}

static void pmpcfg_write(RiscvPrivState *s, int index, uint64_t val)
{
    for (int i = 0; i < 8; i++) {
        int e = index * 4 + i;
        uint8_t b = (uint8_t)(val >> (8 * i));

        /* Section 3.7.1: entries past RV_PMP_ENTRIES are read-only zero. */
        if (e >= RV_PMP_ENTRIES) {
            continue;
        }
        /* Section 3.7.3: a locked entry ignores writes until reset. */
        if (s->pmpcfg[e] & RV_PMP_L) {
            continue;
        }
        /* R = 0, W = 1 is reserved (section 3.7.1): keep the old byte. */
        if ((b & RV_PMP_W) && !(b & RV_PMP_R)) {
            continue;
        }
        /* bits 6:5 are reserved, read-only zero */
        s->pmpcfg[e] = b & (RV_PMP_R | RV_PMP_W | RV_PMP_X | RV_PMP_A | RV_PMP_L);
    }
}

static void pmpaddr_write(RiscvPrivState *s, int e, uint64_t val)
{
    if (e >= RV_PMP_ENTRIES || (s->pmpcfg[e] & RV_PMP_L)) {
        return;
    }
    /* Section 3.7.3: a locked TOR entry also locks the pmpaddr below it. */
    if (e + 1 < RV_PMP_ENTRIES && (s->pmpcfg[e + 1] & RV_PMP_L) &&
        (s->pmpcfg[e + 1] & RV_PMP_A) == PMP_A_TOR) {
        return;
    }
    s->pmpaddr[e] = val & PMPADDR_MASK;
}

/*
 * Existence and the extra access conditions beyond the number's privilege
 * bits; also the read.  Returns false for an illegal instruction.
 */
static bool csr_read(RiscvPrivState *s, int csr, uint64_t *val)
{
    if (csr >= CSR_CYCLE && csr <= RV_CSR_HPMCOUNTER31) {
        /* Sections 3.1.11 and 4.1.4: counter access below M is gated by
         * mcounteren, and in U also by scounteren. */
        uint32_t bit = 1u << (csr - CSR_CYCLE);
        if (s->priv < RV_PRIV_M && !(s->mcounteren & bit)) {
            return false;
        }
        if (s->priv < RV_PRIV_S && !(s->scounteren & bit)) {
            return false;
        }
        switch (csr) {
        case CSR_CYCLE:
            *val = s->mcycle + cycles_now(s);
            return true;
        case CSR_INSTRET:
            *val = s->minstret + cycles_now(s);
            return true;
        case CSR_TIME:
            /* No time source: like QEMU, the CSR does not exist (M-mode
             * firmware then emulates it). */
            if (!s->get_time) {
                return false;
            }
            *val = s->get_time(s->time_opaque);
            return true;
        default:
            *val = 0; /* hpmcounter3..31: hardwired zero */
            return true;
        }
    }
    if (csr >= RV_CSR_MHPMCOUNTER3 && csr <= RV_CSR_MHPMCOUNTER31) {
        *val = 0;
        return true;
    }
    if (csr >= RV_CSR_MHPMEVENT3 && csr <= RV_CSR_MHPMEVENT31) {
        *val = 0;
        return true;
    }
    if (csr >= RV_CSR_PMPCFG0 && csr <= RV_CSR_PMPCFG15) {
        /* Section 3.7.1: the odd pmpcfg registers do not exist on RV64. */
        if (csr & 1) {
            return false;
        }
        *val = pmpcfg_read(s, csr - RV_CSR_PMPCFG0);
        return true;
    }
    if (csr >= RV_CSR_PMPADDR0 && csr <= RV_CSR_PMPADDR63) {
        int e = csr - RV_CSR_PMPADDR0;
        *val = e < RV_PMP_ENTRIES ? s->pmpaddr[e] : 0;
        return true;
    }

    switch (csr) {
    case RV_CSR_SSTATUS:
        *val = mstatus_with_sd(s->mstatus) & SSTATUS_R_MASK;
        return true;
    case RV_CSR_SIE:
        *val = s->mie & s->mideleg;
        return true;
    case RV_CSR_STVEC:
        *val = s->stvec;
        return true;
    case RV_CSR_SCOUNTEREN:
        *val = s->scounteren;
        return true;
    case RV_CSR_SENVCFG:
        *val = s->senvcfg;
        return true;
    case RV_CSR_SSCRATCH:
        *val = s->sscratch;
        return true;
    case RV_CSR_SEPC:
        *val = s->sepc;
        return true;
    case RV_CSR_SCAUSE:
        *val = s->scause;
        return true;
    case RV_CSR_STVAL:
        *val = s->stval;
        return true;
    case RV_CSR_SIP:
        *val = riscv_priv_mip(s) & s->mideleg;
        return true;
    case RV_CSR_STIMECMP:
        /* Sstc: below M, needs mcounteren.TM and menvcfg.STCE. */
        if (!s->sstc) {
            return false;
        }
        if (s->priv < RV_PRIV_M && (!(s->mcounteren & 2) || !stce(s))) {
            return false;
        }
        *val = s->stimecmp;
        return true;
    case RV_CSR_SATP:
        /* Section 3.1.6.5: TVM = 1 makes satp illegal in S. */
        if (s->priv == RV_PRIV_S && (s->mstatus & RV_MSTATUS_TVM)) {
            return false;
        }
        *val = s->satp;
        return true;
    case RV_CSR_MVENDORID:
    case RV_CSR_MARCHID:
    case RV_CSR_MIMPID:
    case RV_CSR_MCONFIGPTR:
        *val = 0;
        return true;
    case RV_CSR_MHARTID:
        *val = s->mhartid;
        return true;
    case RV_CSR_MSTATUS:
        *val = mstatus_with_sd(s->mstatus);
        return true;
    case RV_CSR_MISA:
        *val = s->misa;
        return true;
    case RV_CSR_MEDELEG:
        *val = s->medeleg;
        return true;
    case RV_CSR_MIDELEG:
        *val = s->mideleg;
        return true;
    case RV_CSR_MIE:
        *val = s->mie;
        return true;
    case RV_CSR_MTVEC:
        *val = s->mtvec;
        return true;
    case RV_CSR_MCOUNTEREN:
        *val = s->mcounteren;
        return true;
    case RV_CSR_MENVCFG:
        *val = s->menvcfg;
        return true;
    case RV_CSR_MCOUNTINHIBIT:
        *val = s->mcountinhibit;
        return true;
    case RV_CSR_MSCRATCH:
        *val = s->mscratch;
        return true;
    case RV_CSR_MEPC:
        *val = s->mepc;
        return true;
    case RV_CSR_MCAUSE:
        *val = s->mcause;
        return true;
    case RV_CSR_MTVAL:
        *val = s->mtval;
        return true;
    case RV_CSR_MIP:
        *val = riscv_priv_mip(s);
        return true;
    case RV_CSR_MCYCLE:
        *val = s->mcycle + cycles_now(s);
        return true;
    case RV_CSR_MINSTRET:
        *val = s->minstret + cycles_now(s);
        return true;
    default:
        return false;
    }
}

/* xtvec, section 3.1.7: MODE >= 2 is reserved; such a write is dropped. */
static void tvec_write(uint64_t *tvec, uint64_t val)
{
    if ((val & 3) < 2) {
        *tvec = val;
    }
}

static void mstatus_write(RiscvPrivState *s, uint64_t val, uint64_t wmask)
{
    uint64_t old = s->mstatus;
    unsigned mpp = (unsigned)((val & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);

    /* MPP is WARL over {U, S, M}; 2 keeps the old value (as QEMU). */
    if ((wmask & RV_MSTATUS_MPP) && mpp == 2) {
        val = (val & ~RV_MSTATUS_MPP) | (old & RV_MSTATUS_MPP);
    }
    s->mstatus = mstatus_with_sd((old & ~wmask) | (val & wmask));
}

/* The write half of an access csr_read accepted; legalises `val`. */
static void csr_write(RiscvPrivState *s, int csr, uint64_t val)
{
    if (csr >= RV_CSR_PMPCFG0 && csr <= RV_CSR_PMPCFG15) {
        pmpcfg_write(s, csr - RV_CSR_PMPCFG0, val);
        return;
    }
    if (csr >= RV_CSR_PMPADDR0 && csr <= RV_CSR_PMPADDR63) {
        pmpaddr_write(s, csr - RV_CSR_PMPADDR0, val);
        return;
    }

    switch (csr) {
    case RV_CSR_SSTATUS:
        mstatus_write(s, val, SSTATUS_W_MASK);
        break;
    case RV_CSR_SIE: {
        /* Section 4.1.3: only delegated interrupts are visible in sie. */
        uint64_t m = s->mideleg & RV_MIP_S_MASK;
        s->mie = (s->mie & ~m) | (val & m);
        break;
    }
    case RV_CSR_STVEC:
        tvec_write(&s->stvec, val);
        break;
    case RV_CSR_SCOUNTEREN:
        s->scounteren = (uint32_t)val;
        break;
    case RV_CSR_SENVCFG:
        s->senvcfg = val & RV_ENVCFG_FIOM;
        break;
    case RV_CSR_SSCRATCH:
        s->sscratch = val;
        break;
    case RV_CSR_SEPC:
        s->sepc = val & ~1ull; /* IALIGN = 16 (C): only bit 0 is zero */
        break;
    case RV_CSR_SCAUSE:
        s->scause = val;
        break;
    case RV_CSR_STVAL:
        s->stval = val;
        break;
    case RV_CSR_SIP: {
        /* Section 4.1.3: of sip only SSIP is writable (if delegated). */
        uint64_t m = s->mideleg & RV_MIP_SSIP;
        s->mip = (s->mip & ~m) | (val & m);
        break;
    }
    case RV_CSR_STIMECMP:
        s->stimecmp = val;
        riscv_priv_update_stimer(s);
        break;
    case RV_CSR_SATP: {
        /* Section 4.1.11: a write with an unsupported MODE has no effect. */
        unsigned mode = (unsigned)(val >> RV_SATP_MODE_SHIFT);
        if (mode == RV_SATP_BARE || mode == RV_SATP_SV39 || mode == RV_SATP_SV48) {
            s->satp = val;
        }
        break;
    }
    case RV_CSR_MSTATUS:
        mstatus_write(s, val, MSTATUS_W_MASK);
        break;
    case RV_CSR_MISA:
        break; /* read-only: a legal WARL implementation */
    case RV_CSR_MEDELEG:
        s->medeleg = val & MEDELEG_MASK;
        break;
    case RV_CSR_MIDELEG:
        s->mideleg = val & MIDELEG_MASK;
        break;
    case RV_CSR_MIE:
        s->mie = val & MIE_MASK;
        break;
    case RV_CSR_MTVEC:
        tvec_write(&s->mtvec, val);
        break;
    case RV_CSR_MCOUNTEREN:
        s->mcounteren = (uint32_t)val;
        break;
    case RV_CSR_MENVCFG: {
        uint64_t m = RV_ENVCFG_FIOM | (s->sstc ? RV_ENVCFG_STCE : 0);
        s->menvcfg = val & m;
        riscv_priv_update_stimer(s);
        break;
    }
    case RV_CSR_MCOUNTINHIBIT:
        s->mcountinhibit = (uint32_t)val & ~2u; /* bit 1 (TM) is zero */
        break;
    case RV_CSR_MSCRATCH:
        s->mscratch = val;
        break;
    case RV_CSR_MEPC:
        s->mepc = val & ~1ull;
        break;
    case RV_CSR_MCAUSE:
        s->mcause = val;
        break;
    case RV_CSR_MTVAL:
        s->mtval = val;
        break;
    case RV_CSR_MIP: {
        /*
         * Section 3.1.9: MEIP, MTIP, MSIP are read-only (set by the
         * interrupt controllers); SSIP, STIP, SEIP are writable by M, except
         * that STIP is read-only under Sstc with menvcfg.STCE.
         */
        uint64_t m = RV_MIP_SSIP | RV_MIP_SEIP | (stce(s) ? 0 : RV_MIP_STIP);
        s->mip = (s->mip & ~m) | (val & m);
        break;
    }
    case RV_CSR_MCYCLE:
        s->mcycle = val - cycles_now(s);
        break;
    case RV_CSR_MINSTRET:
        s->minstret = val - cycles_now(s);
        break;
    default:
        break; /* mhpmcounter/mhpmevent: hardwired zero */
    }
}

RiscvCsrResult riscv_priv_csr_rmw(RiscvPrivState *s, int csr, bool write, uint64_t value,
                                  uint64_t mask, uint64_t *old)
{
    uint64_t cur;

    if (csr < 0 || csr > 0xfff) {
        return RV_CSR_ILLEGAL;
    }
    /*
     * Section 2.1: csr[9:8] is the lowest privilege that may access it;
     * csr[11:10] = 3 marks it read-only.  Either violation is an illegal
     * instruction (as is a CSR that does not exist).
     */
    if (((unsigned)csr >> 8 & 3) > s->priv) {
        return RV_CSR_ILLEGAL;
    }
    if (write && ((unsigned)csr >> 10 & 3) == 3) {
        return RV_CSR_ILLEGAL;
    }
    if (!csr_read(s, csr, &cur)) {
        return RV_CSR_ILLEGAL;
    }
    if (old) {
        *old = cur;
    }
    if (write) {
        /*
         * Section 3.1.9: a read-modify-write of mip/sip works on the
         * software-writable SEIP bit, not the OR with the external line.
         */
        if (csr == RV_CSR_MIP || csr == RV_CSR_SIP) {
            uint64_t sw_seip = s->mip & RV_MIP_SEIP;
            if (csr == RV_CSR_SIP) {
                sw_seip &= s->mideleg;
            }
            cur = (cur & ~RV_MIP_SEIP) | sw_seip;
        }
        csr_write(s, csr, (cur & ~mask) | (value & mask));
    }
    return RV_CSR_OK;
}

RiscvCsrResult riscv_priv_csr_read(RiscvPrivState *s, int csr, uint64_t *val)
{
    return riscv_priv_csr_rmw(s, csr, false, 0, 0, val);
}

RiscvCsrResult riscv_priv_csr_write(RiscvPrivState *s, int csr, uint64_t val)
{
    return riscv_priv_csr_rmw(s, csr, true, val, ~0ull, NULL);
}
