/* SIGSEGV/SIGBUS from bad accesses, caught by an SA_SIGINFO handler that
 * siglongjmps out: unmapped read (SEGV_MAPERR), write to a read-only page
 * (SEGV_ACCERR), access after munmap, jump to a non-executable page, a
 * misaligned AMO, and repeated faults (signal mask restored by siglongjmp). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "rvtest.h"

static sigjmp_buf env;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_pc;

static void handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    got_pc = uc->uc_mcontext.__gregs[REG_PC];
    siglongjmp(env, 1);
}

#define EXPECT_FAULT(what, stmt, sig, code, addr) do {                        \
    got_sig = 0;                                                              \
    if (sigsetjmp(env, 1) == 0) {                                             \
        stmt;                                                                 \
        CHECK_TRUE(what ": faulted", 0);                                      \
    } else {                                                                  \
        CHECK(what ": signal", got_sig, sig);                                 \
        CHECK(what ": si_code", got_code, code);                              \
        CHECK_TRUE(what ": si_addr", got_addr == (uintptr_t)(addr));          \
    }                                                                         \
} while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    long pgsz = sysconf(_SC_PAGESIZE);

    volatile uint64_t *bad = OPAQUE((volatile uint64_t *)0x10);
    EXPECT_FAULT("load from 0x10", (void)*bad, SIGSEGV, SEGV_MAPERR, 0x10);

    uint8_t *ro = mmap(NULL, pgsz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap read-only page", ro != MAP_FAILED);
    CHECK("read-only page reads zero", ((volatile uint8_t *)ro)[100], 0);
    EXPECT_FAULT("store to read-only page", ((volatile uint8_t *)ro)[123] = 1, SIGSEGV,
                 SEGV_ACCERR, ro + 123);
    EXPECT_FAULT("amoadd.d on read-only page",
                 __asm__ volatile("amoadd.d zero, %1, (%0)" : : "r"(ro + 64), "r"(1L) : "memory"),
                 SIGSEGV, SEGV_ACCERR, ro + 64);

    uint8_t *gone = mmap(NULL, pgsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    gone[0] = 1;
    munmap(gone, pgsz);
    EXPECT_FAULT("load after munmap", (void)((volatile uint8_t *)gone)[8], SIGSEGV,
                 SEGV_MAPERR, gone + 8);

    /* jump into a readable but non-executable page holding valid code */
    uint32_t *nx = mmap(NULL, pgsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    nx[0] = 0x00008067;     /* ret */
    void (*fn)(void) = (void (*)(void))(void *)nx;
    EXPECT_FAULT("call non-executable page", fn(), SIGSEGV, SEGV_ACCERR, nx);
    CHECK_TRUE("  pc == fault address", got_pc == (uintptr_t)nx);

    /* misaligned atomics must not be emulated silently */
    static uint64_t words[4] __attribute__((aligned(16)));
    EXPECT_FAULT("misaligned amoadd.w",
                 __asm__ volatile("amoadd.w zero, %1, (%0)" : : "r"((char *)words + 2), "r"(1L)
                                  : "memory"),
                 SIGBUS, BUS_ADRALN, (char *)words + 2);
    EXPECT_FAULT("misaligned lr.d",
                 __asm__ volatile("lr.d t0, (%0)" : : "r"((char *)words + 4) : "t0", "memory"),
                 SIGBUS, BUS_ADRALN, (char *)words + 4);

    /* fault in a loop: the mask saved by sigsetjmp(env, 1) is restored each time */
    int n = 0;
    for (int i = 0; i < 200; i++) {
        if (sigsetjmp(env, 1) == 0) {
            ((volatile uint8_t *)ro)[i] = (uint8_t)i;
        } else if (got_addr == (uintptr_t)(ro + i)) {
            n++;
        }
    }
    CHECK("200 consecutive faults caught", n, 200);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK("SIGSEGV not left blocked", sigismember(&cur, SIGSEGV), 0);

    /* make the page writable and retry */
    mprotect(ro, pgsz, PROT_READ | PROT_WRITE);
    ((volatile uint8_t *)ro)[123] = 77;
    CHECK("store after mprotect RW", ro[123], 77);
    return rvt_done("sig_segv");
}
