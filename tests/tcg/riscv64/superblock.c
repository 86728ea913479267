/* Paths that run through several basic blocks, as Rove's superblocks
 * translate them: (1) loops whose body spans blocks (if/else, continue,
 * early exit) with results checked against closed forms; (2) a fault in
 * code reached through a followed backward branch and a followed jump must
 * report that instruction's pc and the state before it, for an unmapped
 * low address and for one beyond the address space; (3) rewriting code
 * that lies *below* the address a block was entered at (reached by a
 * backward branch) must still be seen; (4) a timer signal interrupting a
 * loop whose registers Rove keeps out of memory between iterations must
 * see, and return to, the loop's exact state. */
#include <sys/time.h>
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "rvtest.h"

#define FENCE_I() __asm__ volatile("fence.i" ::: "memory")

/* ---- (1) multi-block loop bodies ---- */

static __attribute__((noinline)) long collatz_steps(long n)
{
    long steps = 0;
    while (n != 1) {
        if (n & 1) {
            n = 3 * n + 1;
        } else {
            n >>= 1;
        }
        steps++;
    }
    return steps;
}

static __attribute__((noinline)) long sum_skipping(const volatile int *v, int n)
{
    long s = 0;
    for (int i = 0; i < n; i++) {
        if (v[i] % 3 == 0) {
            continue;
        }
        if (v[i] > 1000) {
            break;
        }
        s += v[i];
    }
    return s;
}

static __attribute__((noinline)) unsigned count_bits_branchy(uint64_t x)
{
    unsigned c = 0;
    while (x) {
        if (x & 1) {
            c++;
        }
        x >>= 1;
    }
    return c;
}

/* ---- (2) a fault on a followed path ---- */

static volatile uintptr_t fault_pc, resume_pc;

static void segv_handler(int sig, siginfo_t *si, void *uc_)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = uc_;
    fault_pc = uc->uc_mcontext.__gregs[REG_PC];
    uc->uc_mcontext.__gregs[REG_PC] = resume_pc;
}

/* The faulting load's offset from x0: 0 is an unmapped low page (a host
 * fault in Rove), -8 an address beyond any address space (Rove's bounds
 * check). */
#define FAULT_ON_FOLLOWED_PATH(name, offset)                                          \
    static void name(void)                                                            \
    {                                                                                 \
        uintptr_t want_pc, after_pc;                                                  \
        long a4 = 0, a5 = 7, a6 = 40;                                                 \
        fault_pc = 0;                                                                 \
        __asm__ volatile(".option push\n.option norvc\n"                              \
                         "la %[want], 1f\n"                                           \
                         "la %[after], 3f\n"                                          \
                         "sd %[after], 0(%[resume])\n"                                \
                         "j 2f\n"                /* followed forward jump */          \
                         "1: ld t0, " #offset "(zero)\n" /* faults */                 \
                         "li %[a5], 99\n"        /* must not have run */              \
                         "j 3f\n"                                                     \
                         "2: addi %[a4], %[a4], 1\n" /* must have run */              \
                         "addi %[a6], %[a6], 2\n"    /* so must this */               \
                         "bnez %[a4], 1b\n"      /* followed backward branch */       \
                         "3:\n"                                                       \
                         ".option pop\n"                                              \
                         : [want] "=&r"(want_pc), [after] "=&r"(after_pc),            \
                           [a4] "+r"(a4), [a5] "+r"(a5), [a6] "+r"(a6)                \
                         : [resume] "r"(&resume_pc)                                   \
                         : "t0", "memory");                                           \
        CHECK(#name ": fault pc is the faulting ld", fault_pc == want_pc, 1);        \
        CHECK(#name ": insns before the fault ran", a4 * 100 + a6, 142);              \
        CHECK(#name ": insn after the fault did not run", a5, 7);                     \
        (void)after_pc;                                                               \
    }
FAULT_ON_FOLLOWED_PATH(fault_low, 0)
FAULT_ON_FOLLOWED_PATH(fault_beyond, -8)

/* ---- (4) a timer signal in a register-resident loop ---- */

static volatile int timer_ticks;
static volatile long seen_bad, seen_a2;

/* The loop keeps a1 == 2 * a2 + 1 at every instruction boundary except
 * between its two additions, and a2 only grows; the handler checks the
 * interrupted state (a loop restarted from stale state would show a2
 * going back). */
static void tick_handler(int sig, siginfo_t *si, void *uc_)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = uc_;
    long a1 = (long)uc->uc_mcontext.__gregs[11], a2 = (long)uc->uc_mcontext.__gregs[12];
    long d = a1 - (2 * a2 + 1);
    if ((d != 0 && d != 2) || a2 <= seen_a2) {
        seen_bad++;
    }
    seen_a2 = a2;
    timer_ticks++;
}

static void signal_in_loop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = tick_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    register long a1 __asm__("a1") = 1;
    register long a2 __asm__("a2") = 0;
    __asm__ volatile(".option push\n.option norvc\n"
                     "1: addi a1, a1, 2\n"
                     "addi a2, a2, 1\n"
                     "lw t0, 0(%[ticks])\n"
                     "slti t0, t0, 4\n"
                     "bnez t0, 1b\n"
                     ".option pop\n"
                     : "+r"(a1), "+r"(a2)
                     : [ticks] "r"(&timer_ticks)
                     : "t0", "memory");
    long end_diff = a1 - 2 * a2, end_n = a2;
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    CHECK_TRUE("timer signals interrupted the loop", timer_ticks >= 4);
    CHECK("handler saw the loop's registers consistent", seen_bad, 0);
    CHECK("loop state after the signals", end_diff, 1);
    CHECK_TRUE("the loop went on from where each signal left it", end_n > seen_a2);
}

/* ---- (3) code below the block's entry rewritten ---- */

/* addi a0, zero, imm (imm in -2048..2047) */
static uint32_t li_a0(int imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | 10 << 7 | 0x13;
}

typedef long (*fn_t)(void);

static void rewrite_below_entry(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint32_t *c = mmap(NULL, pg, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap RWX", c != MAP_FAILED);
    c[0] = li_a0(1);      /* L: the instruction we rewrite */
    c[1] = 0x00008067;    /*    ret */
    c[2] = 0x00100593;    /* E: addi a1, zero, 1 */
    c[3] = 0xfe059ae3;    /*    bnez a1, L (c[0], 12 bytes back): always taken */
    c[4] = 0x00008067;    /*    ret (never) */
    FENCE_I();
    fn_t e = (fn_t)(void *)&c[2];
    CHECK("entry above, code below: first", e(), 1);
    CHECK("entry above, code below: cached", e(), 1);
    int bad = 0;
    for (int i = 2; i < 200; i++) {
        c[0] = li_a0(i);
        FENCE_I();
        bad += e() != i;
        bad += e() != i;
    }
    CHECK("rewritten below the entry: wrong results", bad, 0);
    munmap(c, pg);
}

int main(void)
{
    long total = 0;
    for (long n = 1; n <= 3000; n++) {
        total += collatz_steps(n);
    }
    CHECK("collatz steps 1..3000", total, 215063); /* computed on the host */
    CHECK("collatz 27", collatz_steps(27), 111);

    static volatile int v[64];
    long want = 0;
    for (int i = 0; i < 64; i++) {
        v[i] = i * 37 % 101 + (i == 50 ? 2000 : 0);
    }
    /* the same sum, written without the loop's branches */
    for (int i = 0; i < 50; i++) {
        int x = i * 37 % 101;
        want += (x % 3 != 0) * x;
    }
    CHECK("continue/break loop", sum_skipping(v, 64), want);

    unsigned bits = 0;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 1000; i++) {
        bits += count_bits_branchy(x);
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    unsigned pc_bits = 0;
    x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 1000; i++) {
        pc_bits += (unsigned)__builtin_popcountll(x);
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    CHECK("branchy popcount = popcount", bits, pc_bits);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    fault_low();
    fault_beyond();

    rewrite_below_entry();
    signal_in_loop();
    return rvt_done("superblock");
}
