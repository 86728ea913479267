/* Four harts (-smp 4): every hart starts at the entry with a0 = its hart
 * id and a1 = the device tree; hart 0 wakes the others with CLINT
 * software interrupts (msip), then all four add to shared counters with
 * AMOs and with LR/SC loops. */
#include "sys.h"

#define HARTS 4
#define ROUNDS 20000

static volatile u64 arrived, finished;
static volatile u64 seen_id[HARTS], seen_a1[HARTS], seen_mhartid[HARTS], woken[HARTS];
static volatile u64 amo_sum, lrsc_sum;

static void work(u64 hart)
{
    for (int i = 0; i < ROUNDS; i++) {
        __atomic_fetch_add(&amo_sum, hart + 1, __ATOMIC_RELAXED);
        u64 old, fail;
        do {
            asm volatile("lr.d %0, (%2)\n\tadd %0, %0, %3\n\tsc.d %1, %0, (%2)"
                         : "=&r"(old), "=&r"(fail) : "r"(&lrsc_sum), "r"(1ul) : "memory");
        } while (fail);
    }
}

void secondary_main(u64 a0, u64 a1)
{
    u64 hartid = csr_read(mhartid);
    seen_id[hartid] = a0;
    seen_a1[hartid] = a1;
    seen_mhartid[hartid] = hartid;
    csr_write(mie, 1ul << IRQ_M_SOFT);          /* wfi wakes on MSIP; MIE stays 0 */
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    while (!(csr_read(mip) & (1ul << IRQ_M_SOFT)))
        asm volatile("wfi");
    mmio_write32(CLINT_MSIP(hartid), 0);
    woken[hartid] = 1;
    work(hartid);
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
    for (;;)
        asm volatile("wfi");
}

static int wait_for(volatile u64 *v, u64 n)
{
    u64 end = mtime() + 50000000;               /* 5 s */
    while (*v < n && mtime() < end)
        ;
    return *v >= n;
}

int main(void)
{
    check_bool("the other harts arrived", wait_for(&arrived, HARTS - 1), 1);
    for (int h = 1; h < HARTS; h++) {
        printf("hart %d: ", h);
        check("a0 at entry", seen_id[h], h);
        printf("hart %d: ", h);
        check("mhartid", seen_mhartid[h], h);
        check_bool("  a1 at entry is hart 0's (the device tree)", seen_a1[h] == boot_a1, 1);
        check("  woken before the IPI", woken[h], 0);
    }
    for (int h = 1; h < HARTS; h++)
        mmio_write32(CLINT_MSIP(h), 1);
    work(0);
    check_bool("the other harts finished", wait_for(&finished, HARTS - 1), 1);
    for (int h = 1; h < HARTS; h++) {
        printf("hart %d: ", h);
        check("woken", woken[h], 1);
        printf("hart %d: ", h);
        check("msip cleared", mmio_read32(CLINT_MSIP(h)), 0);
    }
    check("AMO sum", amo_sum, (u64)ROUNDS * (1 + 2 + 3 + 4));
    check("LR/SC sum", lrsc_sum, (u64)ROUNDS * HARTS);
    return 0;
}
