/* Behaviour where qemu-riscv64 7.2 (our golden-output oracle) is known to
 * deviate from the RISC-V specification / Linux.  The expected values here
 * follow the spec, so this test FAILS under qemu-riscv64 7.2; its golden
 * file qemu_divergence.out is maintained by hand (regen-golden.sh leaves it
 * alone) and describes a correct implementation.
 *
 *  1. ctzw: counts trailing zeros of the low word only, so any value whose
 *     low 32 bits are zero gives 32 (qemu returns ctz of the 64-bit value).
 *  2. sa_mask: a signal listed in sa_mask and raised inside the handler
 *     stays pending until the handler returns (qemu delivers it nested).
 *  3. fence.i orders stores before later instruction fetches of the same
 *     hart at any virtual address: code written through one mapping of a
 *     shared page must be seen when executed through another mapping
 *     (qemu keeps running the stale translation).
 *  4. a child forked while other threads of the parent run can create
 *     threads of its own (qemu aborts in the child: assertion in
 *     qemu_plugin_vcpu_init_hook / cpu_exec, exit status 127). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rvtest.h"

static uint64_t ctzw(uint64_t x)
{
    uint64_t r;
    __asm__ volatile(".option push\n\t.option arch, +zbb\n\tctzw %0, %1\n\t.option pop"
                     : "=r"(r) : "r"(x));
    return r;
}

static char trace[16];
static int tpos, calls;
static void inner(int s)
{
    (void)s;
    trace[tpos++] = 'b';
}
static void outer(int s)
{
    (void)s;
    trace[tpos++] = '(';
    kill(getpid(), SIGUSR2);
    if (calls++ == 0) {
        kill(getpid(), SIGUSR1);
    }
    trace[tpos++] = ')';
}

static uint32_t li_a0(int imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | 10 << 7 | 0x13;
}

/* 4: busy parent threads (atomics, malloc, a mutex), threaded children */
static volatile int busy_stop;
static uint64_t busy_ctr;
static pthread_mutex_t busy_mu = PTHREAD_MUTEX_INITIALIZER;
static void *busy(void *arg)
{
    int kind = (int)(intptr_t)arg;
    void *keep = NULL;
    for (uint64_t n = 1; !__atomic_load_n(&busy_stop, __ATOMIC_ACQUIRE); n++) {
        if (kind == 0) {
            __atomic_fetch_add(&busy_ctr, 1, __ATOMIC_RELAXED);
        } else if (kind == 1) {
            free(keep);
            keep = malloc(16 + (n * 37) % 3000);
        } else {
            pthread_mutex_lock(&busy_mu);
            busy_ctr += 0;
            pthread_mutex_unlock(&busy_mu);
        }
        if ((n & 63) == 0) {
            sched_yield();
        }
    }
    free(keep);
    return NULL;
}
static uint64_t kid_sum[3];
static void *kid_thread(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t *v = malloc(1000 * sizeof(*v)), s = 0;
    for (int i = 0; i < 1000; i++) {
        v[i] = (uint64_t)i * (t + 1);
        s += v[i];
    }
    free(v);
    kid_sum[t] = s;
    return NULL;
}
static int threaded_children_of_busy_parent(int n)
{
    pthread_t w[3];
    for (int k = 0; k < 3; k++) {
        pthread_create(&w[k], NULL, busy, (void *)(intptr_t)k);
    }
    int good = 0;
    for (int i = 0; i < n; i++) {
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            pthread_t th[3];
            uint64_t s = 0;
            for (int t = 0; t < 3; t++) {
                if (pthread_create(&th[t], NULL, kid_thread, (void *)(intptr_t)t) != 0) {
                    _exit(250);
                }
            }
            for (int t = 0; t < 3; t++) {
                pthread_join(th[t], NULL);
                s += kid_sum[t];
            }
            _exit((int)((s + (uint64_t)i) % 199));   /* 6 * 499500 + i */
        }
        int st = -1;
        waitpid(c, &st, 0);
        good += WIFEXITED(st) && WEXITSTATUS(st) == (int)((2997000u + i) % 199);
    }
    __atomic_store_n(&busy_stop, 1, __ATOMIC_RELEASE);
    for (int k = 0; k < 3; k++) {
        pthread_join(w[k], NULL);
    }
    return good;
}

int main(void)
{
    CHECK("ctzw 0x8000000000000000", ctzw(0x8000000000000000ull), 32);
    CHECK("ctzw 0x0000800000000000", ctzw(0x0000800000000000ull), 32);
    CHECK("ctzw 0xc000000000000000", ctzw(0xc000000000000000ull), 32);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = inner;
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = outer;
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("sa_mask trace: %s\n", trace);
    CHECK_TRUE("sa_mask keeps SIGUSR2 pending; SIGUSR1 then SIGUSR2 delivered after return",
               strcmp(trace, "()()b") == 0);

    int fd = memfd_create("rove-alias", 0);
    CHECK("ftruncate memfd", ftruncate(fd, 4096), 0);
    uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint32_t *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    CHECK_TRUE("two mappings of one memfd", w != MAP_FAILED && x != MAP_FAILED && w != x);
    long (*f)(void) = (long (*)(void))(void *)x;
    int bad = 0;
    for (int i = 0; i < 5; i++) {
        w[0] = li_a0(i);
        w[1] = 0x00008067;
        __asm__ volatile("fence.i" ::: "memory");
        long r = f();
        printf("alias round %d: %ld\n", i, r);
        bad += r != i;
    }
    CHECK("code rewritten via RW alias runs via RX alias", bad, 0);

    CHECK("children forked from a busy threaded process run threads",
          threaded_children_of_busy_parent(20), 20);
    return rvt_done("qemu_divergence");
}
