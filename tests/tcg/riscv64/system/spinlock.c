/* Four harts (-smp 4) contend for a ticket spin lock whose wait loop
 * issues pause, as Linux's cpu_relax() does: each takes it 3000 times and
 * does 300 plain (non-atomic) increments of a shared counter inside.  The
 * counter must come out exact and the tickets balanced, however the harts
 * are scheduled: run with one host thread per hart and with
 * -accel tcg,thread=single (spinlock_rr), where pause gives the turn away. */
#include "sys.h"

#define HARTS 4
#define ROUNDS 3000
#define INNER 300

static volatile u64 next_ticket, now_serving, counter, finished;
static volatile u64 rounds_done[HARTS];

static inline void pause_hint(void)
{
    asm volatile(".4byte 0x0100000f" ::: "memory");   /* pause */
}

static void lock(void)
{
    u64 me = __atomic_fetch_add(&next_ticket, 1, __ATOMIC_ACQUIRE);
    while (__atomic_load_n(&now_serving, __ATOMIC_ACQUIRE) != me)
        pause_hint();
}

static void unlock(void)
{
    __atomic_store_n(&now_serving, now_serving + 1, __ATOMIC_RELEASE);
}

static void work(u64 hart)
{
    for (int i = 0; i < ROUNDS; i++) {
        lock();
        for (int k = 0; k < INNER; k++)
            counter = counter + 1;
        rounds_done[hart]++;
        unlock();
    }
}

void secondary_main(u64 a0, u64 a1)
{
    u64 hartid = csr_read(mhartid);
    (void)a0;
    (void)a1;
    csr_write(mie, 1ul << IRQ_M_SOFT);          /* wfi wakes on MSIP; MIE stays 0 */
    while (!(csr_read(mip) & (1ul << IRQ_M_SOFT)))
        asm volatile("wfi");
    mmio_write32(CLINT_MSIP(hartid), 0);
    work(hartid);
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
    for (;;)
        asm volatile("wfi");
}

int main(void)
{
    for (int h = 1; h < HARTS; h++)
        mmio_write32(CLINT_MSIP(h), 1);
    work(0);
    u64 end = mtime() + 600000000;               /* 60 s */
    while (finished < HARTS - 1 && mtime() < end)
        pause_hint();
    check("harts done", finished, HARTS - 1);
    for (int h = 0; h < HARTS; h++) {
        printf("hart %d: ", h);
        check("rounds", rounds_done[h], ROUNDS);
    }
    check("counter", counter, (u64)HARTS * ROUNDS * INNER);
    check("tickets taken", next_ticket, (u64)HARTS * ROUNDS);
    check("tickets served", now_serving, (u64)HARTS * ROUNDS);
    return 0;
}
