/* Boot state and CSR basics: a0/a1 at entry (hart id, device tree), misa,
 * mhartid, mstatus.UXL/SXL, WARL masks of medeleg/mideleg/mie, mtvec
 * modes, scratch registers, and PMP: CSRs accept a configuration, NAPOT
 * regions limit S and U (not M, until locked). */
#include "sys.h"

extern char p_load64[], p_store64[], p_jump[];

static u64 buf[512] __attribute__((aligned(4096)));

static u32 be32(u64 addr)
{
    volatile uint8_t *p = (volatile uint8_t *)addr;
    return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void boot(void)
{
    check("a0 at entry (hart id)", boot_a0, 0);
    check("device tree magic at a1", be32(boot_a1), 0xd00dfeed);
    check_bool("device tree inside RAM, 8-byte aligned",
               boot_a1 >= RAM_BASE && boot_a1 + be32(boot_a1 + 4) <= RAM_BASE + (128ul << 20) &&
               !(boot_a1 & 7), 1);
    check_bool("device tree after the image", boot_a1 >= (u64)__image_end, 1);
}

static void ids(void)
{
    u64 misa = csr_read(misa);
    u64 want = 0;
    for (const char *e = "IMAFDCSU"; *e; e++)
        want |= 1ul << (*e - 'A');
    check("misa.MXL", misa >> 62, 2);
    check("misa & IMAFDCSU", misa & want, want);
    check("misa: E, Q, N clear", misa & ((1 << ('E' - 'A')) | (1 << ('Q' - 'A')) | (1 << ('N' - 'A'))), 0);
    check("mhartid", csr_read(mhartid), 0);
    check("mstatus.UXL, SXL", (csr_read(mstatus) >> 32) & 0xf, 0xa);
}

static void warl(void)
{
    csr_write(medeleg, ~0ul);
    /* bits 0-9, 12, 13, 15: the delegable exceptions (11, ecall from M,
     * never; 10 and 20-23 belong to the H extension) */
    check("medeleg after ~0, bits 0-15", csr_read(medeleg) & 0xb3ff, 0xb3ff);
    csr_write(medeleg, 0);
    check("medeleg after 0", csr_read(medeleg), 0);
    csr_write(mideleg, ~0ul);
    check("mideleg after ~0, S/M bits", csr_read(mideleg) & 0xaaa, 0x222);
    check("sie with mie=0", csr_read(sie), 0);
    csr_write(mie, ~0ul);
    check("mie after ~0, S/M bits", csr_read(mie) & 0xaaa, 0xaaa);
    check("sie with mie=~0, mideleg=~0", csr_read(sie) & 0xaaa, 0x222);
    csr_write(mie, 0);
    csr_write(mideleg, 0);
    csr_write(sie, ~0ul);
    check("mie after sie=~0 with mideleg=0", csr_read(mie) & 0xaaa, 0);

    u64 old = csr_read(mtvec);
    csr_write(mtvec, 0x80001001ul);
    check("mtvec vectored", csr_read(mtvec), 0x80001001ul);
    csr_write(mtvec, 0x80001004ul);
    check("mtvec direct", csr_read(mtvec), 0x80001004ul);
    csr_write(mtvec, old);
    /* Not checked: m/sepc bit 0 must read 0; QEMU 7.2 keeps it. */
    csr_write(mepc, 0x80001232ul);
    check("mepc", csr_read(mepc), 0x80001232ul);
    csr_write(sepc, 0x80001234ul);
    check("sepc", csr_read(sepc), 0x80001234ul);
    old = csr_swap(mscratch, 0x1122334455667788ul);   /* the M trap stack */
    check("mscratch", csr_swap(mscratch, old), 0x1122334455667788ul);
    csr_write(sscratch, 0x8877665544332211ul);
    check("sscratch", csr_read(sscratch), 0x8877665544332211ul);
}

static void pmp(void)
{
    u64 b = (u64)buf;
    csr_write(pmpaddr2, 0x12345678);
    check("pmpaddr2 read back", csr_read(pmpaddr2), 0x12345678);
    csr_write(pmpaddr2, 0);
    /* entry 0: the 4K page buf, R only (NAPOT); entry 1: everything, RWX */
    csr_write(pmpaddr0, (b >> 2) | 0x1ff);
    csr_write(pmpaddr1, ~0ul);
    csr_write(pmpcfg0, 0x1f19);
    asm volatile("sfence.vma" ::: "memory");
    check("pmpaddr0 read back - buf/4", csr_read(pmpaddr0) - (b >> 2), 0x1ff);
    check("pmpcfg0 read back", csr_read(pmpcfg0), 0x1f19);
    buf[0] = 0x4242;
    check_trap("S load from the R page", run_in(PRV_S, p_load64, b), RUN_RETURNED, 0x4242, 0, 0);
    check_trap("S store to the R page", run_in(PRV_S, p_store64, b + 8), RUN_TRAP_M, EXC_STORE_ACCESS, p_store64, b);
    check_trap("U store to the R page", run_in(PRV_U, p_store64, b + 16), RUN_TRAP_M, EXC_STORE_ACCESS, p_store64, b);
    check_trap("S fetch from the R page", run_in(PRV_S, p_jump, b), RUN_TRAP_M, EXC_INSN_ACCESS, buf, b);
    run_t r = run_in(PRV_M, p_store64, b + 24);
    check("M store to the R page (not locked): returned - buf", r.how == RUN_RETURNED ? r.value - b : ~0ul, 25);
    check("buf[1..3] (only M stored)", buf[1] | buf[2] | (buf[3] - b), 24);
    r = run_in(PRV_S, p_store64, b + 4096);
    check("S store next to the R page: returned - buf", r.how == RUN_RETURNED ? r.value - b : ~0ul, 4097);

    /* lock entry 0: now it binds M too, and its configuration is frozen */
    csr_write(pmpcfg0, 0x1f99);
    check_trap("M store to the locked R page", run_in(PRV_M, p_store64, b + 32), RUN_TRAP_M, EXC_STORE_ACCESS, p_store64, b);
    csr_write(pmpcfg0, 0x1f1f);
    check("pmpcfg0 after rewriting a locked entry", csr_read(pmpcfg0), 0x1f99);
    csr_write(pmpaddr0, ~0ul);
    check("pmpaddr0 after rewriting a locked entry - buf/4", csr_read(pmpaddr0) - (b >> 2), 0x1ff);
}

int main(void)
{
    boot();
    ids();
    warl();
    pmp();
    return 0;
}
