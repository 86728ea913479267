/* Cross-modifying code (-smp 4): hart 0 patches an instruction over and
 * over (sw, amoswap.w, sd) while harts 1-3 run it in a loop with fence.i.
 * The writer must see each patch after its own fence.i, however busy the
 * other harts are translating the same page; the readers only ever see
 * values that were written, and the last one once the writer has said so
 * and they have executed fence.i.  (QEMU 7.2 fails the writer's check:
 * no-qemu in tests.txt.) */
#include "sys.h"

#define HARTS 4
#define ROUNDS 2000                 /* < 2048: an addi immediate */
#define LI_A0(v) (0x00000513u | ((u32)(v) << 20))   /* addi a0, zero, v */
#define RET 0x00008067u

static u32 code[1024] __attribute__((aligned(4096)));
static volatile u64 phase, running, finished;
static volatile u64 reader_bad, reader_last_bad;

typedef u64 (*fn_t)(void);

static inline void fence_i(void)
{
    asm volatile("fence.i" ::: "memory");
}

void secondary_main(u64 a0, u64 a1)
{
    u64 h = csr_read(mhartid);
    if (h >= HARTS)
        for (;;)
            asm volatile("wfi");
    while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == 0)
        ;
    int counted = 0;
    while (__atomic_load_n(&phase, __ATOMIC_ACQUIRE) == 1) {
        fence_i();
        u64 v = ((fn_t)code)();
        if (v > ROUNDS)
            __atomic_fetch_add(&reader_bad, 1, __ATOMIC_RELAXED);
        if (!counted) {
            counted = 1;
            __atomic_fetch_add(&running, 1, __ATOMIC_SEQ_CST);
        }
    }
    fence_i();
    if (((fn_t)code)() != ROUNDS)
        __atomic_fetch_add(&reader_last_bad, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
    for (;;)
        asm volatile("wfi");
}

static int wait_for(volatile u64 *v, u64 n)
{
    u64 end = mtime() + 100000000;  /* 10 s */
    while (*v < n && mtime() < end)
        ;
    return *v >= n;
}

int main(void)
{
    code[0] = LI_A0(0);
    code[1] = RET;
    fence_i();
    __atomic_store_n(&phase, 1, __ATOMIC_RELEASE);
    check_bool("harts 1-3 run the code", wait_for(&running, HARTS - 1), 1);

    int writer_bad = 0;
    for (int i = 1; i <= ROUNDS; i++) {
        switch (i % 3) {
        case 0:
            *(volatile u32 *)&code[0] = LI_A0(i);
            break;
        case 1:
            asm volatile("amoswap.w zero, %1, (%0)" :: "r"(code), "r"(LI_A0(i)) : "memory");
            break;
        default:
            asm volatile("sd %1, 0(%0)" :: "r"(code), "r"((u64)RET << 32 | LI_A0(i)) : "memory");
            break;
        }
        fence_i();
        if (((fn_t)code)() != (u64)i)
            writer_bad++;
    }
    check_bool("the writer runs its own patch after fence.i, every round", writer_bad == 0, 1);

    __atomic_store_n(&phase, 2, __ATOMIC_RELEASE);
    check_bool("harts 1-3 finished", wait_for(&finished, HARTS - 1), 1);
    check_bool("the readers ran only values written", reader_bad == 0, 1);
    check_bool("after fence.i the readers run the last patch", reader_last_bad == 0, 1);
    return 0;
}
