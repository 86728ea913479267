/*
 * Unit tests for the RISC-V privileged state (target/riscv/priv.c): CSR
 * privilege and read-only checks, WARL legalisation (mstatus, satp, xtvec,
 * delegation and interrupt masks, PMP, Sstc), trap entry with delegation
 * and vectoring, mret/sret, wfi/sfence.vma legality, and interrupt
 * selection order.  Expected values are worked out from the spec (1.12).
 */
#include <glib.h>

#include "target/riscv/priv.h"

static uint64_t fake_time;

static uint64_t get_fake_time(void *opaque)
{
    return *(uint64_t *)opaque;
}

static void init(RiscvPrivState *s, bool sstc)
{
    *s = (RiscvPrivState){0};
    s->sstc = sstc;
    s->mhartid = 3;
    s->get_time = get_fake_time;
    s->time_opaque = &fake_time;
    riscv_priv_reset(s);
}

static uint64_t rd(RiscvPrivState *s, int csr)
{
    uint64_t v = 0xdeadbeef;
    g_assert_cmpint(riscv_priv_csr_read(s, csr, &v), ==, RV_CSR_OK);
    return v;
}

static void wr(RiscvPrivState *s, int csr, uint64_t v)
{
    g_assert_cmpint(riscv_priv_csr_write(s, csr, v), ==, RV_CSR_OK);
}

static bool legal_read(RiscvPrivState *s, int csr)
{
    uint64_t v;
    return riscv_priv_csr_read(s, csr, &v) == RV_CSR_OK;
}

static bool legal_write(RiscvPrivState *s, int csr, uint64_t v)
{
    return riscv_priv_csr_write(s, csr, v) == RV_CSR_OK;
}

/* ---- CSR access rules ---- */

static void test_reset(void)
{
    RiscvPrivState s;
    init(&s, false);
    g_assert_cmpuint(s.priv, ==, RV_PRIV_M);
    g_assert_cmphex(rd(&s, RV_CSR_MHARTID), ==, 3);
    uint64_t misa = rd(&s, RV_CSR_MISA);
    g_assert_cmphex(misa >> 62, ==, 2);
    g_assert_true(misa & (1u << ('S' - 'A')));
    g_assert_true(misa & (1u << ('U' - 'A')));
    g_assert_true(misa & (1u << ('C' - 'A')));
    g_assert_false(misa & (1u << ('H' - 'A')));
    uint64_t ms = rd(&s, RV_CSR_MSTATUS);
    g_assert_cmphex(ms, ==, (2ull << 32) | (2ull << 34));
    g_assert_cmphex(rd(&s, RV_CSR_SATP), ==, 0);
}

static void test_csr_privilege(void)
{
    RiscvPrivState s;
    init(&s, false);

    /* M reaches everything */
    g_assert_true(legal_read(&s, RV_CSR_MSTATUS));
    g_assert_true(legal_read(&s, RV_CSR_SSTATUS));
    g_assert_true(legal_read(&s, RV_CSR_MVENDORID));

    s.priv = RV_PRIV_S;
    g_assert_true(legal_read(&s, RV_CSR_SSTATUS));
    g_assert_true(legal_read(&s, RV_CSR_SATP));
    g_assert_false(legal_read(&s, RV_CSR_MSTATUS));
    g_assert_false(legal_read(&s, RV_CSR_MHARTID));
    g_assert_false(legal_read(&s, RV_CSR_MSCRATCH));
    /* an illegal write changes nothing */
    g_assert_false(legal_write(&s, RV_CSR_MSCRATCH, 42));
    g_assert_cmphex(s.mscratch, ==, 0);
    g_assert_false(legal_write(&s, RV_CSR_MSTATUS, RV_MSTATUS_MIE));
    g_assert_cmphex(s.mstatus & RV_MSTATUS_MIE, ==, 0);

    s.priv = RV_PRIV_U;
    g_assert_false(legal_read(&s, RV_CSR_SSTATUS));
    g_assert_false(legal_read(&s, RV_CSR_SSCRATCH));
    g_assert_false(legal_read(&s, RV_CSR_SATP));

    /* read-only by number (csr[11:10] = 3), even in M */
    s.priv = RV_PRIV_M;
    g_assert_false(legal_write(&s, RV_CSR_MHARTID, 7));
    g_assert_cmphex(rd(&s, RV_CSR_MHARTID), ==, 3);
    g_assert_false(legal_write(&s, RV_CSR_MVENDORID, 7));
    g_assert_false(legal_write(&s, 0xc00, 7));
    /* csrrs with rs1 = x0 is a read: fine on a read-only CSR */
    uint64_t v;
    g_assert_cmpint(riscv_priv_csr_rmw(&s, RV_CSR_MHARTID, false, 0, 0, &v), ==, RV_CSR_OK);

    /* unknown numbers, odd pmpcfg on RV64, hypervisor CSRs */
    g_assert_false(legal_read(&s, 0x7c0));
    g_assert_false(legal_read(&s, RV_CSR_PMPCFG0 + 1));
    g_assert_false(legal_read(&s, 0x600)); /* hstatus */
    g_assert_false(legal_read(&s, 0x200)); /* vsstatus */
    g_assert_false(legal_read(&s, -1));
    g_assert_false(legal_read(&s, 0x1000));
}

static void test_counter_gating(void)
{
    RiscvPrivState s;
    init(&s, false);
    s.mcycle = 1234;
    fake_time = 99;

    g_assert_cmphex(rd(&s, 0xc00), ==, 1234);
    g_assert_cmphex(rd(&s, 0xc01), ==, 99);
    s.priv = RV_PRIV_S;
    g_assert_false(legal_read(&s, 0xc00));
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MCOUNTEREN, 1 | 2);
    s.priv = RV_PRIV_S;
    g_assert_true(legal_read(&s, 0xc00));
    g_assert_true(legal_read(&s, 0xc01));
    g_assert_false(legal_read(&s, 0xc02));
    s.priv = RV_PRIV_U;
    g_assert_false(legal_read(&s, 0xc01)); /* scounteren.TM = 0 */
    s.priv = RV_PRIV_S;
    wr(&s, RV_CSR_SCOUNTEREN, 2);
    s.priv = RV_PRIV_U;
    g_assert_true(legal_read(&s, 0xc01));
    g_assert_false(legal_read(&s, 0xc00));
    /* no time source: time does not exist */
    s.priv = RV_PRIV_M;
    s.get_time = NULL;
    g_assert_false(legal_read(&s, 0xc01));
}

static void test_mstatus_warl(void)
{
    RiscvPrivState s;
    init(&s, false);
    uint64_t xl = (2ull << 32) | (2ull << 34);

    /* SXL/UXL fixed, VS/XS/endianness bits read-only zero */
    wr(&s, RV_CSR_MSTATUS, ~0ull);
    uint64_t m = rd(&s, RV_CSR_MSTATUS);
    g_assert_cmphex(m & (RV_MSTATUS_UXL | RV_MSTATUS_SXL), ==, xl);
    g_assert_cmphex(m & (RV_MSTATUS_VS | RV_MSTATUS_XS | RV_MSTATUS_UBE | RV_MSTATUS_SBE |
                         RV_MSTATUS_MBE), ==, 0);
    g_assert_cmphex(m & RV_MSTATUS_MPP, ==, RV_MSTATUS_MPP);
    /* FS = Dirty sets SD */
    g_assert_true(m & RV_MSTATUS_SD);
    wr(&s, RV_CSR_MSTATUS, 0);
    m = rd(&s, RV_CSR_MSTATUS);
    g_assert_cmphex(m, ==, xl);

    /* MPP: 2 is reserved and leaves the field as it was */
    wr(&s, RV_CSR_MSTATUS, 1ull << RV_MSTATUS_MPP_SHIFT);
    g_assert_cmphex(s.mstatus & RV_MSTATUS_MPP, ==, 1ull << RV_MSTATUS_MPP_SHIFT);
    wr(&s, RV_CSR_MSTATUS, (2ull << RV_MSTATUS_MPP_SHIFT) | RV_MSTATUS_MIE);
    g_assert_cmphex(s.mstatus & RV_MSTATUS_MPP, ==, 1ull << RV_MSTATUS_MPP_SHIFT);
    g_assert_true(s.mstatus & RV_MSTATUS_MIE); /* the rest of the write happened */
    wr(&s, RV_CSR_MSTATUS, 0);
    g_assert_cmphex(s.mstatus & RV_MSTATUS_MPP, ==, 0);

    /* sstatus: a view; S can't touch M fields */
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_MIE | RV_MSTATUS_MPP | RV_MSTATUS_TVM | RV_MSTATUS_SIE);
    s.priv = RV_PRIV_S;
    uint64_t ss = rd(&s, RV_CSR_SSTATUS);
    g_assert_cmphex(ss, ==, RV_MSTATUS_SIE | (2ull << 32));
    wr(&s, RV_CSR_SSTATUS, ~0ull);
    g_assert_true(s.mstatus & RV_MSTATUS_SUM);
    g_assert_true(s.mstatus & RV_MSTATUS_MXR);
    g_assert_true(s.mstatus & RV_MSTATUS_SPP);
    g_assert_cmphex(s.mstatus & RV_MSTATUS_FS, ==, RV_MSTATUS_FS);
    g_assert_true(s.mstatus & RV_MSTATUS_MIE);
    g_assert_true(s.mstatus & RV_MSTATUS_TVM);
    g_assert_false(s.mstatus & (RV_MSTATUS_TSR | RV_MSTATUS_TW | RV_MSTATUS_MPRV));
    g_assert_true(rd(&s, RV_CSR_SSTATUS) & RV_MSTATUS_SD);
    wr(&s, RV_CSR_SSTATUS, 0);
    g_assert_cmphex(s.mstatus, ==, RV_MSTATUS_MIE | RV_MSTATUS_MPP | RV_MSTATUS_TVM | xl);
    /* csrrs / csrrc on sstatus */
    g_assert_cmpint(riscv_priv_csr_rmw(&s, RV_CSR_SSTATUS, true, RV_MSTATUS_SUM,
                                       RV_MSTATUS_SUM, NULL), ==, RV_CSR_OK);
    g_assert_true(s.mstatus & RV_MSTATUS_SUM);
    g_assert_cmpint(riscv_priv_csr_rmw(&s, RV_CSR_SSTATUS, true, 0, RV_MSTATUS_SUM, NULL),
                    ==, RV_CSR_OK);
    g_assert_false(s.mstatus & RV_MSTATUS_SUM);
}

static void test_satp_warl(void)
{
    RiscvPrivState s;
    init(&s, false);
    uint64_t sv39 = (8ull << 60) | (5ull << 44) | 0x80123;
    uint64_t sv48 = (9ull << 60) | 0x80456;

    wr(&s, RV_CSR_SATP, sv39);
    g_assert_cmphex(rd(&s, RV_CSR_SATP), ==, sv39);
    /* Sv57, Sv64 and the reserved modes: the whole write is dropped */
    for (unsigned mode = 1; mode < 16; mode++) {
        if (mode == 8 || mode == 9) {
            continue;
        }
        wr(&s, RV_CSR_SATP, ((uint64_t)mode << 60) | 0x1234);
        g_assert_cmphex(rd(&s, RV_CSR_SATP), ==, sv39);
    }
    wr(&s, RV_CSR_SATP, sv48);
    g_assert_cmphex(rd(&s, RV_CSR_SATP), ==, sv48);
    wr(&s, RV_CSR_SATP, 0);
    g_assert_cmphex(rd(&s, RV_CSR_SATP), ==, 0);

    /* TVM: illegal from S, fine from M */
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_TVM);
    s.priv = RV_PRIV_S;
    g_assert_false(legal_write(&s, RV_CSR_SATP, sv39));
    g_assert_false(legal_read(&s, RV_CSR_SATP));
    g_assert_false(riscv_priv_sfence_vma_legal(&s));
    s.priv = RV_PRIV_M;
    g_assert_true(legal_write(&s, RV_CSR_SATP, sv39));
    g_assert_true(riscv_priv_sfence_vma_legal(&s));
}

static void test_tvec_epc_warl(void)
{
    RiscvPrivState s;
    init(&s, false);

    wr(&s, RV_CSR_MTVEC, 0x80001000);
    g_assert_cmphex(rd(&s, RV_CSR_MTVEC), ==, 0x80001000);
    wr(&s, RV_CSR_MTVEC, 0x80002001);
    g_assert_cmphex(rd(&s, RV_CSR_MTVEC), ==, 0x80002001);
    wr(&s, RV_CSR_MTVEC, 0x80003002); /* reserved mode: ignored */
    g_assert_cmphex(rd(&s, RV_CSR_MTVEC), ==, 0x80002001);
    wr(&s, RV_CSR_MTVEC, 0x80003003);
    g_assert_cmphex(rd(&s, RV_CSR_MTVEC), ==, 0x80002001);
    wr(&s, RV_CSR_STVEC, 0xffffffff80000002ull);
    g_assert_cmphex(rd(&s, RV_CSR_STVEC), ==, 0);
    wr(&s, RV_CSR_STVEC, 0xffffffff80000001ull);
    g_assert_cmphex(rd(&s, RV_CSR_STVEC), ==, 0xffffffff80000001ull);

    wr(&s, RV_CSR_MEPC, 0x1003);
    g_assert_cmphex(rd(&s, RV_CSR_MEPC), ==, 0x1002);
    wr(&s, RV_CSR_SEPC, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_SEPC), ==, ~1ull);
    wr(&s, RV_CSR_MCAUSE, RV_CAUSE_INTERRUPT | 7);
    g_assert_cmphex(rd(&s, RV_CSR_MCAUSE), ==, RV_CAUSE_INTERRUPT | 7);
    wr(&s, RV_CSR_MISA, 0);
    g_assert_cmphex(rd(&s, RV_CSR_MISA), ==, s.misa);
    g_assert_cmphex(s.misa >> 62, ==, 2);
}

static void test_deleg_ie_ip_warl(void)
{
    RiscvPrivState s;
    init(&s, false);

    wr(&s, RV_CSR_MEDELEG, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_MEDELEG), ==, 0xb3ff); /* not 10, 11, 14, >15 */
    wr(&s, RV_CSR_MIDELEG, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_MIDELEG), ==, 0x222);
    wr(&s, RV_CSR_MIE, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_MIE), ==, 0xaaa);

    /* mip: M bits are read-only to software, S bits writable by M */
    wr(&s, RV_CSR_MIP, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_MIP), ==, 0x222);
    riscv_priv_set_irq(&s, RV_IRQ_MTI, true);
    wr(&s, RV_CSR_MIP, 0);
    g_assert_cmphex(rd(&s, RV_CSR_MIP), ==, RV_MIP_MTIP);
    riscv_priv_set_irq(&s, RV_IRQ_MTI, false);

    /* SEIP = software bit | external line; rmw uses the software bit */
    riscv_priv_set_irq(&s, RV_IRQ_SEI, true);
    g_assert_cmphex(rd(&s, RV_CSR_MIP), ==, RV_MIP_SEIP);
    g_assert_cmpint(riscv_priv_csr_rmw(&s, RV_CSR_MIP, true, RV_MIP_SSIP, RV_MIP_SSIP, NULL),
                    ==, RV_CSR_OK);
    g_assert_cmphex(s.mip, ==, RV_MIP_SSIP); /* the line did not stick */
    riscv_priv_set_irq(&s, RV_IRQ_SEI, false);
    g_assert_cmphex(rd(&s, RV_CSR_MIP), ==, RV_MIP_SSIP);

    /* sie/sip: only delegated bits; in sip only SSIP is writable */
    wr(&s, RV_CSR_MIDELEG, RV_MIP_SSIP | RV_MIP_STIP);
    wr(&s, RV_CSR_MIE, 0);
    wr(&s, RV_CSR_MIP, RV_MIP_STIP | RV_MIP_SEIP);
    s.priv = RV_PRIV_S;
    g_assert_cmphex(rd(&s, RV_CSR_SIP), ==, RV_MIP_STIP);
    wr(&s, RV_CSR_SIE, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_SIE), ==, RV_MIP_SSIP | RV_MIP_STIP);
    g_assert_cmphex(s.mie, ==, RV_MIP_SSIP | RV_MIP_STIP);
    wr(&s, RV_CSR_SIP, ~0ull);
    g_assert_cmphex(s.mip, ==, RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP);
    wr(&s, RV_CSR_SIP, 0);
    g_assert_cmphex(s.mip, ==, RV_MIP_STIP | RV_MIP_SEIP);
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MIDELEG, 0);
    s.priv = RV_PRIV_S;
    wr(&s, RV_CSR_SIP, RV_MIP_SSIP);
    g_assert_cmphex(s.mip, ==, RV_MIP_STIP | RV_MIP_SEIP);
    g_assert_cmphex(rd(&s, RV_CSR_SIE), ==, 0);
}

static void test_pmp_warl(void)
{
    RiscvPrivState s;
    init(&s, false);

    /* entry 0: R=0 W=1 reserved -> ignored; entry 1 RWX NAPOT; bits 6:5 dropped */
    wr(&s, RV_CSR_PMPCFG0, 0x02 | (0x7full << 8) | (0x0full << 16));
    g_assert_cmphex(rd(&s, RV_CSR_PMPCFG0), ==, (0x1full << 8) | (0x0full << 16));
    wr(&s, RV_CSR_PMPADDR0, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0), ==, (1ull << 54) - 1);
    /* entries 16..63 are read-only zero */
    wr(&s, RV_CSR_PMPCFG0 + 4, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_PMPCFG0 + 4), ==, 0);
    wr(&s, RV_CSR_PMPADDR0 + 20, 123);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0 + 20), ==, 0);
    wr(&s, RV_CSR_PMPADDR0 + 15, 456);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0 + 15), ==, 456);
    g_assert_cmphex(rd(&s, RV_CSR_PMPCFG0 + 2), ==, 0);

    /* lock entry 3 as TOR: cfg3 and pmpaddr3 and pmpaddr2 are frozen */
    wr(&s, RV_CSR_PMPADDR0 + 2, 0x100);
    wr(&s, RV_CSR_PMPADDR0 + 3, 0x200);
    wr(&s, RV_CSR_PMPCFG0, (0x1full << 8) | (0x89ull << 24));
    g_assert_cmphex(rd(&s, RV_CSR_PMPCFG0) >> 24 & 0xff, ==, 0x89);
    wr(&s, RV_CSR_PMPCFG0, 0);
    g_assert_cmphex(rd(&s, RV_CSR_PMPCFG0), ==, 0x89ull << 24);
    wr(&s, RV_CSR_PMPADDR0 + 3, 0x300);
    wr(&s, RV_CSR_PMPADDR0 + 2, 0x300);
    wr(&s, RV_CSR_PMPADDR0 + 1, 0x300);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0 + 3), ==, 0x200);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0 + 2), ==, 0x100);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0 + 1), ==, 0x300);
    /* reset unlocks */
    riscv_priv_reset(&s);
    wr(&s, RV_CSR_PMPADDR0 + 3, 0x300);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0 + 3), ==, 0x300);

    /* a locked NAPOT entry does not lock the address below it */
    wr(&s, RV_CSR_PMPCFG0, 0x99ull << 8);
    wr(&s, RV_CSR_PMPADDR0, 0x55);
    g_assert_cmphex(rd(&s, RV_CSR_PMPADDR0), ==, 0x55);
    s.priv = RV_PRIV_S;
    g_assert_false(legal_read(&s, RV_CSR_PMPADDR0));
}

static void test_sstc(void)
{
    RiscvPrivState s;
    init(&s, false);
    g_assert_false(legal_read(&s, RV_CSR_STIMECMP));
    wr(&s, RV_CSR_MENVCFG, ~0ull);
    g_assert_cmphex(rd(&s, RV_CSR_MENVCFG), ==, RV_ENVCFG_FIOM);

    init(&s, true);
    fake_time = 1000;
    g_assert_cmphex(rd(&s, RV_CSR_STIMECMP), ==, UINT64_MAX);
    s.priv = RV_PRIV_S;
    g_assert_false(legal_read(&s, RV_CSR_STIMECMP)); /* STCE = 0, TM = 0 */
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MENVCFG, RV_ENVCFG_STCE);
    s.priv = RV_PRIV_S;
    g_assert_false(legal_read(&s, RV_CSR_STIMECMP)); /* TM = 0 */
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MCOUNTEREN, 2);
    s.priv = RV_PRIV_S;
    g_assert_false(riscv_priv_mip(&s) & RV_MIP_STIP);
    wr(&s, RV_CSR_STIMECMP, 1000);
    g_assert_true(riscv_priv_mip(&s) & RV_MIP_STIP);
    wr(&s, RV_CSR_STIMECMP, 1001);
    g_assert_false(riscv_priv_mip(&s) & RV_MIP_STIP);
    fake_time = 1001;
    riscv_priv_update_stimer(&s);
    g_assert_true(riscv_priv_mip(&s) & RV_MIP_STIP);
    /* STIP is read-only to software with STCE */
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MIP, 0);
    g_assert_true(riscv_priv_mip(&s) & RV_MIP_STIP);
    s.priv = RV_PRIV_U;
    g_assert_false(legal_read(&s, RV_CSR_STIMECMP));
}

/* ---- traps ---- */

static void test_trap_delegation(void)
{
    static const unsigned privs[] = { RV_PRIV_U, RV_PRIV_S, RV_PRIV_M };

    for (int interrupt = 0; interrupt < 2; interrupt++) {
        uint64_t cause = interrupt ? RV_IRQ_STI : RV_EXC_LOAD_PAGE_FAULT;
        for (int deleg = 0; deleg < 2; deleg++) {
            for (size_t p = 0; p < 3; p++) {
                RiscvPrivState s;
                init(&s, false);
                wr(&s, RV_CSR_MTVEC, 0x1000);
                wr(&s, RV_CSR_STVEC, 0x2000);
                if (deleg) {
                    wr(&s, interrupt ? RV_CSR_MIDELEG : RV_CSR_MEDELEG, 1ull << cause);
                    /* another bit must not matter */
                } else {
                    wr(&s, interrupt ? RV_CSR_MIDELEG : RV_CSR_MEDELEG,
                       interrupt ? RV_MIP_SSIP : 1ull << RV_EXC_STORE_PAGE_FAULT);
                }
                wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_MIE | RV_MSTATUS_SIE);
                s.priv = privs[p];
                uint64_t pc = riscv_priv_trap(&s, cause, interrupt, 0xbad, 0x4444);
                uint64_t xcause = cause | (interrupt ? RV_CAUSE_INTERRUPT : 0);
                bool to_s = deleg && privs[p] != RV_PRIV_M;
                if (to_s) {
                    g_assert_cmphex(pc, ==, 0x2000);
                    g_assert_cmpuint(s.priv, ==, RV_PRIV_S);
                    g_assert_cmphex(s.scause, ==, xcause);
                    g_assert_cmphex(s.sepc, ==, 0x4444);
                    g_assert_cmphex(s.stval, ==, 0xbad);
                    g_assert_cmphex(s.mcause, ==, 0);
                    g_assert_false(s.mstatus & RV_MSTATUS_SIE);
                    g_assert_true(s.mstatus & RV_MSTATUS_SPIE);
                    g_assert_true(s.mstatus & RV_MSTATUS_MIE); /* untouched */
                    g_assert_cmpint(!!(s.mstatus & RV_MSTATUS_SPP), ==,
                                    privs[p] == RV_PRIV_S);
                } else {
                    g_assert_cmphex(pc, ==, 0x1000);
                    g_assert_cmpuint(s.priv, ==, RV_PRIV_M);
                    g_assert_cmphex(s.mcause, ==, xcause);
                    g_assert_cmphex(s.mepc, ==, 0x4444);
                    g_assert_cmphex(s.mtval, ==, 0xbad);
                    g_assert_cmphex(s.scause, ==, 0);
                    g_assert_false(s.mstatus & RV_MSTATUS_MIE);
                    g_assert_true(s.mstatus & RV_MSTATUS_MPIE);
                    g_assert_true(s.mstatus & RV_MSTATUS_SIE); /* untouched */
                    g_assert_cmphex((s.mstatus & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT,
                                    ==, privs[p]);
                }
            }
        }
    }
}

static void test_trap_ie_chain(void)
{
    RiscvPrivState s;
    init(&s, false);
    /* xIE = 0 before the trap: xPIE becomes 0 */
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_MPIE | RV_MSTATUS_MPP);
    s.priv = RV_PRIV_U;
    riscv_priv_trap(&s, RV_EXC_ECALL_U, false, 0, 0x100);
    g_assert_false(s.mstatus & (RV_MSTATUS_MPIE | RV_MSTATUS_MIE | RV_MSTATUS_MPP));
    /* medeleg[11] is hardwired zero: ecall from M stays in M */
    wr(&s, RV_CSR_MEDELEG, ~0ull);
    riscv_priv_trap(&s, RV_EXC_ECALL_M, false, 0, 0x100);
    g_assert_cmpuint(s.priv, ==, RV_PRIV_M);
    g_assert_cmphex(s.mcause, ==, RV_EXC_ECALL_M);
}

static void test_trap_vectored(void)
{
    RiscvPrivState s;
    init(&s, false);

    wr(&s, RV_CSR_MTVEC, 0x80000100 | 1);
    g_assert_cmphex(riscv_priv_trap(&s, RV_IRQ_MTI, true, 0, 0), ==, 0x80000100 + 4 * 7);
    g_assert_cmphex(riscv_priv_trap(&s, RV_IRQ_MEI, true, 0, 0), ==, 0x80000100 + 4 * 11);
    /* exceptions always go to BASE */
    g_assert_cmphex(riscv_priv_trap(&s, RV_EXC_ILLEGAL_INSN, false, 0, 0), ==, 0x80000100);
    g_assert_cmphex(riscv_priv_trap(&s, RV_EXC_STORE_PAGE_FAULT, false, 0, 0), ==,
                    0x80000100);
    wr(&s, RV_CSR_MTVEC, 0x80000100);
    g_assert_cmphex(riscv_priv_trap(&s, RV_IRQ_MTI, true, 0, 0), ==, 0x80000100);

    wr(&s, RV_CSR_MIDELEG, RV_MIP_S_MASK);
    wr(&s, RV_CSR_STVEC, 0xffffffff80200001ull);
    s.priv = RV_PRIV_S;
    g_assert_cmphex(riscv_priv_trap(&s, RV_IRQ_SEI, true, 0, 0), ==,
                    0xffffffff80200000ull + 4 * 9);
    g_assert_cmphex(s.scause, ==, RV_CAUSE_INTERRUPT | RV_IRQ_SEI);
    s.priv = RV_PRIV_U;
    g_assert_cmphex(riscv_priv_trap(&s, RV_EXC_ECALL_U, false, 0, 0), ==, 0x80000100);
    s.priv = RV_PRIV_S;
    wr(&s, RV_CSR_STVEC, 0xffffffff80200000ull);
    g_assert_cmphex(riscv_priv_trap(&s, RV_IRQ_STI, true, 0, 0), ==, 0xffffffff80200000ull);
}

static void test_mret(void)
{
    RiscvPrivState s;
    uint64_t pc = 0;
    init(&s, false);

    wr(&s, RV_CSR_MEPC, 0x80200000);
    wr(&s, RV_CSR_MSTATUS, (1ull << RV_MSTATUS_MPP_SHIFT) | RV_MSTATUS_MPIE | RV_MSTATUS_MPRV);
    g_assert_true(riscv_priv_mret(&s, &pc));
    g_assert_cmphex(pc, ==, 0x80200000);
    g_assert_cmpuint(s.priv, ==, RV_PRIV_S);
    g_assert_true(s.mstatus & RV_MSTATUS_MIE);
    g_assert_true(s.mstatus & RV_MSTATUS_MPIE);
    g_assert_cmphex(s.mstatus & RV_MSTATUS_MPP, ==, 0);
    g_assert_false(s.mstatus & RV_MSTATUS_MPRV);

    /* mret below M is illegal and changes nothing */
    uint64_t before = s.mstatus;
    pc = 7;
    g_assert_false(riscv_priv_mret(&s, &pc));
    g_assert_cmphex(pc, ==, 7);
    g_assert_cmphex(s.mstatus, ==, before);
    s.priv = RV_PRIV_U;
    g_assert_false(riscv_priv_mret(&s, &pc));

    /* returning to M keeps MPRV; MPIE = 0 gives MIE = 0 */
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_MPP | RV_MSTATUS_MPRV | RV_MSTATUS_MIE);
    g_assert_true(riscv_priv_mret(&s, &pc));
    g_assert_cmpuint(s.priv, ==, RV_PRIV_M);
    g_assert_true(s.mstatus & RV_MSTATUS_MPRV);
    g_assert_false(s.mstatus & RV_MSTATUS_MIE);
    g_assert_true(s.mstatus & RV_MSTATUS_MPIE);

    /* MPP = U */
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_MPRV);
    g_assert_true(riscv_priv_mret(&s, &pc));
    g_assert_cmpuint(s.priv, ==, RV_PRIV_U);
    g_assert_false(s.mstatus & RV_MSTATUS_MPRV);

    /* a trap then mret round-trips */
    init(&s, false);
    s.priv = RV_PRIV_S;
    s.mstatus |= RV_MSTATUS_MIE;
    riscv_priv_trap(&s, RV_EXC_ECALL_S, false, 0, 0x1234);
    g_assert_true(riscv_priv_mret(&s, &pc));
    g_assert_cmphex(pc, ==, 0x1234);
    g_assert_cmpuint(s.priv, ==, RV_PRIV_S);
    g_assert_true(s.mstatus & RV_MSTATUS_MIE);
}

static void test_sret(void)
{
    RiscvPrivState s;
    uint64_t pc = 0;
    init(&s, false);

    wr(&s, RV_CSR_SEPC, 0x10000);
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_SPIE | RV_MSTATUS_MPRV | RV_MSTATUS_MPP);
    s.priv = RV_PRIV_S;
    g_assert_true(riscv_priv_sret(&s, &pc));
    g_assert_cmphex(pc, ==, 0x10000);
    g_assert_cmpuint(s.priv, ==, RV_PRIV_U);
    g_assert_true(s.mstatus & RV_MSTATUS_SIE);
    g_assert_true(s.mstatus & RV_MSTATUS_SPIE);
    g_assert_false(s.mstatus & RV_MSTATUS_MPRV);
    g_assert_cmphex(s.mstatus & RV_MSTATUS_MPP, ==, RV_MSTATUS_MPP); /* untouched */

    /* sret in U: illegal */
    g_assert_false(riscv_priv_sret(&s, &pc));

    /* SPP = S, SPIE = 0 */
    s.priv = RV_PRIV_S;
    s.mstatus = (s.mstatus & ~(RV_MSTATUS_SPIE | RV_MSTATUS_SIE)) | RV_MSTATUS_SPP;
    g_assert_true(riscv_priv_sret(&s, &pc));
    g_assert_cmpuint(s.priv, ==, RV_PRIV_S);
    g_assert_false(s.mstatus & RV_MSTATUS_SIE);
    g_assert_false(s.mstatus & RV_MSTATUS_SPP);

    /* TSR: illegal in S, legal in M (from M, sret with SPP=S) */
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_TSR | RV_MSTATUS_SPP | RV_MSTATUS_MPRV);
    s.priv = RV_PRIV_S;
    uint64_t before = s.mstatus;
    g_assert_false(riscv_priv_sret(&s, &pc));
    g_assert_cmphex(s.mstatus, ==, before);
    s.priv = RV_PRIV_M;
    g_assert_true(riscv_priv_sret(&s, &pc));
    g_assert_cmpuint(s.priv, ==, RV_PRIV_S);
    g_assert_false(s.mstatus & RV_MSTATUS_MPRV);
}

static void test_wfi(void)
{
    RiscvPrivState s;
    init(&s, false);
    g_assert_true(riscv_priv_wfi_legal(&s));
    s.priv = RV_PRIV_S;
    g_assert_true(riscv_priv_wfi_legal(&s));
    g_assert_true(riscv_priv_sfence_vma_legal(&s));
    s.priv = RV_PRIV_U;
    g_assert_false(riscv_priv_wfi_legal(&s));
    g_assert_false(riscv_priv_sfence_vma_legal(&s));
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_TW);
    g_assert_true(riscv_priv_wfi_legal(&s));
    s.priv = RV_PRIV_S;
    g_assert_false(riscv_priv_wfi_legal(&s));
}

/* ---- interrupts ---- */

static void test_irq_priority(void)
{
    static const int order[] = {
        RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI, RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI,
    };
    RiscvPrivState s;
    init(&s, false);

    /* everything for M, in M with MIE */
    wr(&s, RV_CSR_MIE, 0xaaa);
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, -1);
    for (size_t i = 0; i < 6; i++) {
        riscv_priv_set_irq(&s, order[i], true);
    }
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, -1); /* MIE = 0 */
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_MIE);
    for (size_t i = 0; i < 6; i++) {
        g_assert_cmpint(riscv_priv_pending_irq(&s), ==, order[i]);
        riscv_priv_set_irq(&s, order[i], false);
    }
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, -1);
    /* same order when set in reverse, and a disabled bit is skipped */
    for (int i = 5; i >= 0; i--) {
        riscv_priv_set_irq(&s, order[i], true);
    }
    wr(&s, RV_CSR_MIE, 0xaaa & ~RV_MIP_MEIP);
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, RV_IRQ_MSI);
    wr(&s, RV_CSR_MIE, RV_MIP_STIP | RV_MIP_SSIP);
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, RV_IRQ_SSI);
}

static void test_irq_modes(void)
{
    RiscvPrivState s;
    init(&s, false);
    wr(&s, RV_CSR_MIE, 0xaaa);
    wr(&s, RV_CSR_MIDELEG, RV_MIP_S_MASK);

    /* delegated STI: never in M, in S only with SIE, in U always */
    riscv_priv_set_irq(&s, RV_IRQ_STI, true);
    wr(&s, RV_CSR_MSTATUS, RV_MSTATUS_MIE | RV_MSTATUS_SIE);
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, -1);
    s.priv = RV_PRIV_S;
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, RV_IRQ_STI);
    s.mstatus &= ~RV_MSTATUS_SIE;
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, -1);
    s.priv = RV_PRIV_U;
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, RV_IRQ_STI);

    /* an M interrupt below M is taken whatever MIE says, before S ones */
    s.mstatus &= ~RV_MSTATUS_MIE;
    riscv_priv_set_irq(&s, RV_IRQ_MTI, true);
    s.priv = RV_PRIV_S;
    s.mstatus |= RV_MSTATUS_SIE;
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, RV_IRQ_MTI);
    /* a delegated SEI loses to a non-delegated (M) SSI */
    riscv_priv_set_irq(&s, RV_IRQ_MTI, false);
    riscv_priv_set_irq(&s, RV_IRQ_STI, false);
    s.priv = RV_PRIV_M;
    wr(&s, RV_CSR_MIDELEG, RV_MIP_SEIP);
    s.priv = RV_PRIV_S;
    riscv_priv_set_irq(&s, RV_IRQ_SEI, true);
    s.mip |= RV_MIP_SSIP;
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, RV_IRQ_SSI);
    s.mip &= ~RV_MIP_SSIP;
    g_assert_cmpint(riscv_priv_pending_irq(&s), ==, RV_IRQ_SEI);
    /* the SEI line is visible through sip when delegated */
    g_assert_cmphex(rd(&s, RV_CSR_SIP), ==, RV_MIP_SEIP);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-priv/reset", test_reset);
    g_test_add_func("/riscv-priv/csr-privilege", test_csr_privilege);
    g_test_add_func("/riscv-priv/counter-gating", test_counter_gating);
    g_test_add_func("/riscv-priv/mstatus-warl", test_mstatus_warl);
    g_test_add_func("/riscv-priv/satp-warl", test_satp_warl);
    g_test_add_func("/riscv-priv/tvec-epc-warl", test_tvec_epc_warl);
    g_test_add_func("/riscv-priv/deleg-ie-ip-warl", test_deleg_ie_ip_warl);
    g_test_add_func("/riscv-priv/pmp-warl", test_pmp_warl);
    g_test_add_func("/riscv-priv/sstc", test_sstc);
    g_test_add_func("/riscv-priv/trap-delegation", test_trap_delegation);
    g_test_add_func("/riscv-priv/trap-ie-chain", test_trap_ie_chain);
    g_test_add_func("/riscv-priv/trap-vectored", test_trap_vectored);
    g_test_add_func("/riscv-priv/mret", test_mret);
    g_test_add_func("/riscv-priv/sret", test_sret);
    g_test_add_func("/riscv-priv/wfi-sfence", test_wfi);
    g_test_add_func("/riscv-priv/irq-priority", test_irq_priority);
    g_test_add_func("/riscv-priv/irq-modes", test_irq_modes);
    return g_test_run();
}
