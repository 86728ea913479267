/* Paths that run through several basic blocks, as Rove's superblocks
 * translate them: (1) loops whose body spans blocks (if/else, continue,
 * early exit) with results checked against closed forms; (2) a fault in
 * code reached through a followed backward branch and a followed jump must
 * report that instruction's pc and the state before it; (3) rewriting code
 * that lies *below* the address a block was entered at (reached by a
 * backward branch) must still be seen. */
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

static void fault_on_followed_path(void)
{
    uintptr_t want_pc, after_pc;
    long a4 = 0, a5 = 7;
    __asm__ volatile(
        ".option push\n.option norvc\n"
        "la %[want], 1f\n"
        "la %[after], 3f\n"
        "sd %[after], 0(%[resume])\n"
        "j 2f\n"                    /* followed forward jump */
        "1: ld t0, 0(zero)\n"       /* faults: address 0 is never mapped */
        "li %[a5], 99\n"            /* must not have run */
        "j 3f\n"
        "2: addi %[a4], %[a4], 1\n" /* must have run */
        "bnez %[a4], 1b\n"          /* followed backward branch */
        "3:\n"
        ".option pop\n"
        : [want] "=&r"(want_pc), [after] "=&r"(after_pc), [a4] "+r"(a4), [a5] "+r"(a5)
        : [resume] "r"(&resume_pc)
        : "t0", "memory");
    CHECK("fault pc is the faulting ld", fault_pc == want_pc, 1);
    CHECK("insn before the fault ran", a4, 1);
    CHECK("insn after the fault did not run", a5, 7);
    (void)after_pc;
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
    fault_on_followed_path();

    rewrite_below_entry();
    return rvt_done("superblock");
}
