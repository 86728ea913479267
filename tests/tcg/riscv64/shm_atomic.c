/* Atomics between processes on a MAP_SHARED|MAP_ANONYMOUS page: the
 * parent forks 3 children which start together and hammer shared words
 * with amoadd.d/amoadd.w (__atomic_fetch_add), compare-and-swap loops
 * (lr.d/sc.d from __atomic_compare_exchange), a test-and-set spin lock
 * (amoswap.w.aq / amoswap.w.rl) protecting plain counters, and a counter
 * incremented with an inline-asm lr.w/sc.w loop.  The parent waits for
 * them and checks exact totals.  (Once hung under the emulator.) */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rvtest.h"

enum { NCHILD = 3, ITERS = 100000 };

struct shared {
    volatile uint32_t ready, go;
    uint64_t add_d;
    uint32_t add_w;
    uint32_t lrsc_w;
    uint64_t cas_d;
    uint64_t cas_f;
    volatile uint32_t lock;
    uint32_t pad;
    uint64_t plain;             /* only under the lock */
    uint64_t plain_sum;         /* only under the lock */
    uint64_t holders;           /* only under the lock: must stay 0/1 */
    uint64_t holder_bad;
    uint64_t done[NCHILD];
};

static inline uint64_t fstep(uint64_t x) { return x * 6364136223846793005ull + 1442695040888963407ull; }

static void tas_lock(volatile uint32_t *l)
{
    unsigned spins = 0;
    for (;;) {
        uint32_t old;
        __asm__ volatile("amoswap.w.aq %0, %2, (%1)" : "=r"(old) : "r"(l), "r"(1) : "memory");
        if (old == 0) {
            return;
        }
        while (*l) {
            if (++spins % 32 == 0) {
                sched_yield();   /* the holder may be descheduled */
            }
        }
    }
}
static void tas_unlock(volatile uint32_t *l)
{
    __asm__ volatile("amoswap.w.rl zero, zero, (%0)" : : "r"(l) : "memory");
}

static void lrsc_inc(uint32_t *p, uint32_t v)
{
    uint32_t tmp, fail;
    __asm__ volatile("1: lr.w %0, (%2)\n\t"
                     "addw %0, %0, %3\n\t"
                     "sc.w %1, %0, (%2)\n\t"
                     "bnez %1, 1b"
                     : "=&r"(tmp), "=&r"(fail) : "r"(p), "r"(v) : "memory");
}

static void child(struct shared *s, int c)
{
    __atomic_fetch_add(&s->ready, 1, __ATOMIC_ACQ_REL);
    while (!s->go) {
        sched_yield();
    }
    for (int i = 0; i < ITERS; i++) {
        __atomic_fetch_add(&s->add_d, (uint64_t)(c + 1) << 32 | 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&s->add_w, 3, __ATOMIC_SEQ_CST);
        lrsc_inc(&s->lrsc_w, 5);
        uint64_t cur = __atomic_load_n(&s->cas_d, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&s->cas_d, &cur, cur + (uint64_t)i, 1,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        }
        if ((i & 3) == 0) {
            cur = __atomic_load_n(&s->cas_f, __ATOMIC_RELAXED);
            while (!__atomic_compare_exchange_n(&s->cas_f, &cur, fstep(cur), 0,
                                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            }
        }
        if ((i & 1) == 0) {
            tas_lock(&s->lock);
            s->holders++;
            s->plain++;
            s->plain_sum += (uint64_t)c * ITERS + (uint64_t)i;
            s->holder_bad += s->holders != 1;
            s->holders--;
            tas_unlock(&s->lock);
        }
    }
    s->done[c] = 1;
    _exit(10 + c);
}

int main(void)
{
    struct shared *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap MAP_SHARED|MAP_ANONYMOUS", s != MAP_FAILED);
    if (s == MAP_FAILED) {
        return rvt_done("shm_atomic");
    }
    pid_t pid[NCHILD];
    fflush(stdout);
    for (int c = 0; c < NCHILD; c++) {
        pid[c] = fork();
        if (pid[c] == 0) {
            child(s, c);
        }
    }
    while (__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) < NCHILD) {
        sched_yield();
    }
    __atomic_store_n(&s->go, 1, __ATOMIC_RELEASE);
    int status_ok = 1;
    for (int c = 0; c < NCHILD; c++) {
        int st = -1;
        status_ok &= waitpid(pid[c], &st, 0) == pid[c] && WIFEXITED(st) &&
                     WEXITSTATUS(st) == 10 + c;
    }
    CHECK_TRUE("children exited with their status", status_ok);
    uint64_t e_add_d = 0, e_cas = 0, e_f = 0, e_psum = 0;
    for (int c = 0; c < NCHILD; c++) {
        CHECK(rvt_name("child %d finished", c), s->done[c], 1);
        e_add_d += (uint64_t)ITERS * ((uint64_t)(c + 1) << 32 | 1);
        for (int i = 0; i < ITERS; i++) {
            e_cas += (uint64_t)i;
            if ((i & 3) == 0) {
                e_f = fstep(e_f);
            }
            if ((i & 1) == 0) {
                e_psum += (uint64_t)c * ITERS + (uint64_t)i;
            }
        }
    }
    CHECK("amoadd.d total", s->add_d, e_add_d);
    CHECK("amoadd.w total", s->add_w, 3u * NCHILD * ITERS);
    CHECK("lr.w/sc.w counter", s->lrsc_w, 5u * NCHILD * ITERS);
    CHECK("lr.d/sc.d CAS sum", s->cas_d, e_cas);
    CHECK("lr.d/sc.d CAS step function", s->cas_f, e_f);
    CHECK("amoswap lock: plain counter", s->plain, (uint64_t)NCHILD * ITERS / 2);
    CHECK("amoswap lock: plain sum", s->plain_sum, e_psum);
    CHECK("amoswap lock: two holders at once", s->holder_bad, 0);
    CHECK("amoswap lock: released", s->lock, 0);
    munmap(s, 4096);
    return rvt_done("shm_atomic");
}
