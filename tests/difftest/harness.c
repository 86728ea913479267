/*
 * Differential-test harness (riscv64 guest program, built static).
 *
 *   harness FILE [--dump] [--first N] [--count M]
 *
 * FILE is a sequence file written by rvgen.py.  For every sequence the
 * harness derives the initial state from the sequence's seed (all x and f
 * registers, fcsr, the scratch buffer), copies preamble + sequence +
 * epilogue into the code page at CODE_ADDR, executes fence.i and runs it.
 * It prints one line per sequence:
 *
 *   <index> <64-bit FNV-1a hash of final x0-x31, f0-f31, fcsr, scratch>
 *   <index> FAULT sig=<n> code=<n> pc=+<offset> addr=<address>
 *
 * With --dump it also prints the initial and final register files, fcsr
 * and a scratch checksum.  The initial-state derivation must stay stable:
 * saved regressions are replayed from their seed alone.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "layout.h"

extern void rv_enter(uint64_t base, void *code);
extern const char rv_preamble[], rv_preamble_end[], rv_epilogue[], rv_epilogue_end[];

static uint64_t rng_state;

static uint64_t next(void)      /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const uint64_t int_special[] = {
    0, 1, ~0ull, 2, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull,
    0x7fffffffull, 0xffffffffull, 0xffffffff80000000ull, 0x100000000ull, 31, 32, 63, 64,
    (uint64_t)-2048, 2047, 0x8000000000000001ull, 0xffff8000ull, 0x5555555555555555ull,
    0xaaaaaaaaaaaaaaaaull, 0xffffffff00000000ull, 0x00000000fffffffeull, 0x7ff0000000000000ull,
};
static const uint32_t sp_special[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000,
    0x7fc00001, 0x7f800001, 0xff800005, 0x00000001, 0x007fffff, 0x00800000, 0x7f7fffff,
    0x3f000000, 0x40400000, 0x3eaaaaab, 0x4b800000, 0x4f000000, 0xcf000000, 0x5f000000,
    0x4f800000, 0xdf000000, 0x3fc00000, 0xbfc00000, 0x40200000, 0x00400000,
};
static const uint64_t dp_special[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff8000000000001ull,
    0x7ff0000000000001ull, 0xfff0000000000005ull, 0x0000000000000001ull, 0x000fffffffffffffull,
    0x0010000000000000ull, 0x7fefffffffffffffull, 0x3fe0000000000000ull, 0x3fd5555555555555ull,
    0x43e0000000000000ull, 0xc3e0000000000000ull, 0x43f0000000000000ull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0x41f0000000000000ull, 0x3ff8000000000000ull, 0xbff8000000000000ull,
    0x4004000000000000ull, 0x3ff0000000000001ull, 0x36a0000000000000ull, 0x47efffffe0000000ull,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t pick_int(void)
{
    uint64_t k = next() % 100, r = next();
    if (k < 40) {
        return int_special[r % N(int_special)];
    }
    if (k < 60) {
        return (uint64_t)((int64_t)(r % 512) - 256);
    }
    if (k < 80) {
        return (uint64_t)(int64_t)(int32_t)r;
    }
    return r;
}

static uint64_t pick_fp(void)
{
    uint64_t k = next() % 100, r = next();
    if (k < 35) {
        return 0xffffffff00000000ull | sp_special[r % N(sp_special)];
    }
    if (k < 70) {
        return dp_special[r % N(dp_special)];
    }
    if (k < 85) {   /* boxed single, exponent within +-40 of 1.0 */
        uint32_t e = 127 - 40 + (uint32_t)(r >> 32) % 81;
        return 0xffffffff00000000ull | (r & 0x807fffffull) | e << 23;
    }
    if (k < 95) {   /* double, exponent within +-70 of 1.0 */
        uint64_t e = 1023 - 70 + (r >> 52) % 141;
        return (r & 0x800fffffffffffffull) | e << 52;
    }
    return r;       /* raw bits: an improperly boxed single */
}

static uint8_t *const data = (uint8_t *)DATA_ADDR;
#define AT(off) ((uint64_t *)(data + 2048 + (off)))

static void init_state(uint64_t seed)
{
    rng_state = seed;
    uint64_t *x = AT(INIT_X), *f = AT(INIT_F);
    for (int i = 0; i < 32; i++) {
        x[i] = pick_int();
    }
    x[0] = 0;
    x[2] = BASE_ADDR + SP_OFF;
    x[9] = BASE_ADDR;
    for (int i = 0; i < 32; i++) {
        f[i] = pick_fp();
    }
    *AT(INIT_FCSR) = (next() % 5) << 5 | (next() & 31);
    uint64_t *s = AT(SCRATCH_LO);
    for (int i = 0; i < (SCRATCH_HI - SCRATCH_LO) / 8; i++) {
        uint64_t k = next() % 8;
        s[i] = k == 0 ? pick_int() : k == 1 ? pick_fp() : next();
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ull;
    }
    return h;
}

static const char *const xnames[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
    "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "t3", "t4", "t5", "t6",
};

static void dump_regs(const char *what, const uint64_t *x, const uint64_t *f, uint64_t fcsr)
{
    for (int i = 0; i < 32; i++) {
        printf("%s x%d %016" PRIx64 " %s\n", what, i, x[i], xnames[i]);
    }
    for (int i = 0; i < 32; i++) {
        printf("%s f%d %016" PRIx64 "\n", what, i, f[i]);
    }
    printf("%s fcsr %016" PRIx64 " frm=%" PRIu64 " fflags=%02" PRIx64 "\n", what, fcsr,
           fcsr >> 5 & 7, fcsr & 31);
}

static sigjmp_buf jb;
static volatile int fault_sig, fault_code;
static volatile uint64_t fault_pc, fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc_)
{
    /* gp and tp may hold sequence values: restore the harness's first */
    __asm__ volatile("li t0, %0\n\tld gp, 16(t0)\n\tld tp, 24(t0)\n\tcsrw fcsr, zero"
                     : : "i"(BASE_ADDR + HOST) : "t0", "memory");
    ucontext_t *uc = uc_;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_pc = uc->uc_mcontext.__gregs[REG_PC];
    fault_addr = (uint64_t)si->si_addr;
    siglongjmp(jb, 1);
}

static void *map_fixed(uintptr_t addr, size_t len, int prot)
{
    void *p = mmap((void *)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p != (void *)addr) {
        fprintf(stderr, "harness: cannot map %#lx (got %p)\n", (unsigned long)addr, p);
        exit(2);
    }
    return p;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int dump = 0;
    long first = 0, count = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dump")) {
            dump = 1;
        } else if (!strcmp(argv[i], "--first") && i + 1 < argc) {
            first = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            count = atol(argv[++i]);
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "usage: harness FILE [--dump] [--first N] [--count M]\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: harness FILE [--dump] [--first N] [--count M]\n");
        return 2;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 2;
    }
    char magic[4];
    uint32_t ver, n;
    if (fread(magic, 1, 4, fp) != 4 || memcmp(magic, "RVDT", 4) || fread(&ver, 4, 1, fp) != 1 ||
        ver != 1 || fread(&n, 4, 1, fp) != 1) {
        fprintf(stderr, "%s: not a version-1 sequence file\n", path);
        return 2;
    }

    uint8_t *code = map_fixed(CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE);
    size_t pre = (size_t)(rv_preamble_end - rv_preamble);
    size_t epi = (size_t)(rv_epilogue_end - rv_epilogue);

    stack_t ss = { .ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
    for (unsigned i = 0; i < N(sigs); i++) {
        sigaction(sigs[i], &sa, NULL);
    }

    static uint8_t buf[CODE_SIZE];
    for (uint32_t i = 0; i < n; i++) {
        uint64_t seed;
        uint32_t len;
        if (fread(&seed, 8, 1, fp) != 1 || fread(&len, 4, 1, fp) != 1 ||
            len > CODE_SIZE - pre - epi || fread(buf, 1, len, fp) != len) {
            fprintf(stderr, "%s: truncated at sequence %u\n", path, i);
            return 2;
        }
        if (i < first || (count >= 0 && i >= first + count)) {
            continue;
        }
        init_state(seed);
        memcpy(code, rv_preamble, pre);
        memcpy(code + pre, buf, len);
        memcpy(code + pre + len, rv_epilogue, epi);
        __asm__ volatile("fence.i" ::: "memory");
        if (sigsetjmp(jb, 1) == 0) {
            rv_enter(BASE_ADDR, code);
        } else {
            printf("%u FAULT sig=%d code=%d pc=+%" PRIx64 " addr=%#" PRIx64 "\n", i, fault_sig,
                   fault_code, fault_pc - (CODE_ADDR + pre), fault_addr);
            continue;
        }
        uint64_t h = 0xcbf29ce484222325ull;
        h = fnv(h, AT(OUT_X), 32 * 8);
        h = fnv(h, AT(OUT_F), 32 * 8);
        h = fnv(h, AT(OUT_FCSR), 8);
        uint64_t hs = fnv(0xcbf29ce484222325ull, AT(SCRATCH_LO), SCRATCH_HI - SCRATCH_LO);
        h = fnv(h, &hs, 8);
        printf("%u %016" PRIx64 "\n", i, h);
        if (dump) {
            printf("seq %u seed %016" PRIx64 " code %u bytes at %#x\n", i, seed, len,
                   (unsigned)(CODE_ADDR + pre));
            dump_regs("in ", AT(INIT_X), AT(INIT_F), *AT(INIT_FCSR));
            dump_regs("out", AT(OUT_X), AT(OUT_F), *AT(OUT_FCSR));
            printf("out scratch %016" PRIx64 " fnv\n", hs);
            /* re-derive the initial scratch to list changed qwords */
            uint64_t saved[(SCRATCH_HI - SCRATCH_LO) / 8];
            memcpy(saved, AT(SCRATCH_LO), sizeof(saved));
            init_state(seed);
            for (int k = 0; k < (SCRATCH_HI - SCRATCH_LO) / 8; k++) {
                if (saved[k] != AT(SCRATCH_LO)[k]) {
                    printf("out mem[base%+d] %016" PRIx64 " was %016" PRIx64 "\n",
                           SCRATCH_LO + 8 * k, saved[k], AT(SCRATCH_LO)[k]);
                }
            }
        }
        fflush(stdout);
    }
    return 0;
}
