/* LR/SC under real concurrency (4 threads):
 *  - a spin lock taken with lr.w.aq/sc.w and released with sc.w.rl-free
 *    amoswap.w.rl, protecting a plain counter and a multi-word invariant
 *    (two fields with a constant sum, an array whose words are all equal,
 *    an owner field) that readers check under the lock;
 *  - a second lock on a doubleword taken with lr.d.aq/sc.d.rl holding the
 *    owner id, released with a fence + plain store;
 *  - compare-and-swap built from lr.w/sc.w and lr.d/sc.d: fetch-add, an
 *    order-independent step function, a packed (count, sum) pair, and
 *    byte/halfword fetch-add through masked lr.w/sc.w on a shared word;
 *  - a seqlock-style publication checked by readers.
 * Every total is exact. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include "rvtest.h"

#ifndef ITERS
#define ITERS 100000
#endif
enum { NT = 4, NARR = 6, TOTAL_AB = 1000000 };

static inline void cpu_relax(unsigned *spins)
{
    /* give the lock holder a chance when it is not running */
    if (++*spins % 64 == 0) {
        sched_yield();
    }
}

static void lock_w(volatile uint32_t *l)
{
    unsigned spins = 0;
    for (;;) {
        uint32_t old, fail;
        __asm__ volatile("lr.w.aq %0, (%2)\n\t"
                         "bnez %0, 1f\n\t"
                         "sc.w %1, %3, (%2)\n\t"
                         "j 2f\n"
                         "1: li %1, 1\n"
                         "2:"
                         : "=&r"(old), "=&r"(fail) : "r"(l), "r"(1) : "memory");
        if (!fail) {
            return;
        }
        while (*l) {
            cpu_relax(&spins);
        }
    }
}
static void unlock_w(volatile uint32_t *l)
{
    __asm__ volatile("amoswap.w.rl zero, zero, (%0)" : : "r"(l) : "memory");
}

/* doubleword lock holding owner+1; returns the number of failed sc.d */
static void lock_d(volatile uint64_t *l, uint64_t me)
{
    unsigned spins = 0;
    for (;;) {
        uint64_t old, fail;
        __asm__ volatile("1: lr.d.aq %0, (%2)\n\t"
                         "bnez %0, 2f\n\t"
                         "sc.d.rl %1, %3, (%2)\n\t"
                         "bnez %1, 1b\n\t"
                         "j 3f\n"
                         "2: li %1, 1\n"
                         "3:"
                         : "=&r"(old), "=&r"(fail) : "r"(l), "r"(me) : "memory");
        if (!fail) {
            return;
        }
        while (*l) {
            cpu_relax(&spins);
        }
    }
}
static void unlock_d(volatile uint64_t *l)
{
    __asm__ volatile("fence rw, w\n\tsd zero, 0(%0)" : : "r"(l) : "memory");
}

/* CAS: returns the value seen; stores desired only if it equals expect */
static uint64_t cas_d(volatile uint64_t *p, uint64_t expect, uint64_t desired)
{
    uint64_t old, fail;
    __asm__ volatile("1: lr.d.aqrl %0, (%2)\n\t"
                     "bne %0, %3, 2f\n\t"
                     "sc.d.aqrl %1, %4, (%2)\n\t"
                     "bnez %1, 1b\n"
                     "2:"
                     : "=&r"(old), "=&r"(fail) : "r"(p), "r"(expect), "r"(desired) : "memory");
    return old;
}
static uint64_t cas_w(volatile uint32_t *p, uint32_t expect, uint32_t desired)
{
    uint64_t old, fail;
    __asm__ volatile("1: lr.w %0, (%2)\n\t"
                     "bne %0, %3, 2f\n\t"
                     "sc.w %1, %4, (%2)\n\t"
                     "bnez %1, 1b\n"
                     "2:"
                     : "=&r"(old), "=&r"(fail)
                     : "r"(p), "r"((uint64_t)(int64_t)(int32_t)expect), "r"(desired)
                     : "memory");
    return old;
}
/* fetch-add on a byte or halfword: masked lr.w/sc.w on the aligned word */
static uint32_t subword_add(volatile void *p, unsigned size, uint32_t inc)
{
    uintptr_t a = (uintptr_t)p;
    volatile uint32_t *w = (volatile uint32_t *)(a & ~(uintptr_t)3);
    unsigned sh = (unsigned)(a & 3) * 8;
    uint32_t mask = (size == 1 ? 0xffu : 0xffffu) << sh;
    uint32_t incs = inc << sh;
    uint64_t old, tmp, fail;
    __asm__ volatile("1: lr.w.aq %0, (%3)\n\t"
                     "add %1, %0, %4\n\t"
                     "xor %1, %1, %0\n\t"
                     "and %1, %1, %5\n\t"
                     "xor %1, %1, %0\n\t"
                     "sc.w.rl %2, %1, (%3)\n\t"
                     "bnez %2, 1b"
                     : "=&r"(old), "=&r"(tmp), "=&r"(fail)
                     : "r"(w), "r"(incs), "r"(mask) : "memory");
    return ((uint32_t)old & mask) >> sh;
}

static inline uint64_t fstep(uint64_t x) { return x * 0x5851f42d4c957f2dull + 0x14057b7ef767814full; }

/* state protected by lock A */
static volatile uint32_t lock_a __attribute__((aligned(64)));
static struct {
    uint64_t counter;
    int64_t a, b;               /* a + b == TOTAL_AB */
    uint64_t arr[NARR];         /* all equal */
    int owner;
    uint64_t writes;
} A __attribute__((aligned(64)));
/* state protected by lock D */
static volatile uint64_t lock_dw __attribute__((aligned(64)));
static struct {
    uint64_t hash;              /* order-independent: sum of mixes */
    uint64_t n;
    uint64_t seen_owner_bad;
} D __attribute__((aligned(64)));
/* lock-free state */
static volatile uint64_t cas_sum __attribute__((aligned(64)));
static volatile uint64_t cas_f;
static volatile uint64_t cas_pair;          /* count:24 | sum:40 */
static volatile uint32_t cas_w_ctr __attribute__((aligned(64)));
static volatile uint32_t cas_w_hi;          /* counts down from 0xffffffff */
static volatile uint8_t bytes[8] __attribute__((aligned(64)));
static volatile uint16_t halves[4] __attribute__((aligned(64)));
/* seqlock: writer threads publish (x, ~x, x*3) under an odd sequence */
static volatile uint64_t seq __attribute__((aligned(64)));
static volatile uint64_t pub[3];

static uint64_t bad_inv[NT], bad_sext[NT], bad_seq[NT], reads_done[NT], seq_reads[NT];
static pthread_barrier_t bar;

static void *worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    pthread_barrier_wait(&bar);
    for (int i = 0; i < ITERS; i++) {
        uint64_t r = rvt_mix64((uint64_t)t * ITERS + (uint64_t)i);

        /* lock A: update (writers) or check (readers) the invariants */
        lock_w(&lock_a);
        A.owner = t;
        A.counter++;
        if ((i & 1) == 0 || t == 0) {
            int64_t move = (int64_t)(r % 2001) - 1000;
            A.a -= move;
            A.b += move;
            uint64_t v = A.arr[0] + 1;
            for (int k = 0; k < NARR; k++) {
                A.arr[k] = v;
            }
            A.writes++;
        } else {
            int ok = A.a + A.b == TOTAL_AB;
            for (int k = 1; k < NARR; k++) {
                ok &= A.arr[k] == A.arr[0];
            }
            ok &= A.arr[0] == A.writes;
            bad_inv[t] += !ok;
            reads_done[t]++;
        }
        bad_inv[t] += A.owner != t;
        unlock_w(&lock_a);

        /* lock D (lr.d/sc.d), held owner id checked inside */
        if ((i & 3) == t) {
            lock_d(&lock_dw, (uint64_t)t + 1);
            D.hash += r;
            D.n++;
            D.seen_owner_bad += lock_dw != (uint64_t)t + 1;
            unlock_d(&lock_dw);
        }

        /* CAS loops */
        uint64_t cur = cas_sum, seen;
        while ((seen = cas_d(&cas_sum, cur, cur + (r & 0xffff))) != cur) {
            cur = seen;
        }
        if ((i & 1) == 0) {
            cur = cas_f;
            while ((seen = cas_d(&cas_f, cur, fstep(cur))) != cur) {
                cur = seen;
            }
        }
        uint64_t add = (uint64_t)(t + 1) * 3 + (uint64_t)(i & 7);
        cur = cas_pair;
        while ((seen = cas_d(&cas_pair, cur, ((cur >> 40) + 1) << 40 |
                             ((cur + add) & 0xffffffffffull))) != cur) {
            cur = seen;
        }
        uint32_t cw = cas_w_ctr;
        for (;;) {
            uint64_t s = cas_w(&cas_w_ctr, cw, cw + 0x10001u);
            bad_sext[t] += s != (uint64_t)(int64_t)(int32_t)s;
            if ((uint32_t)s == cw) {
                break;
            }
            cw = (uint32_t)s;
        }
        cw = cas_w_hi;
        for (;;) {
            uint64_t s = cas_w(&cas_w_hi, cw, cw - 1);
            bad_sext[t] += s != (uint64_t)(int64_t)(int32_t)s;
            if ((uint32_t)s == cw) {
                break;
            }
            cw = (uint32_t)s;
        }

        /* sub-word fetch-add on neighbours shared by all threads */
        subword_add(&bytes[(i + t) & 7], 1, 1);
        if ((i & 1) == 0) {
            subword_add(&halves[(i / 2 + t) & 3], 2, (uint32_t)t + 1);
        }

        /* seqlock: thread 0 writes every 4th iteration, others read */
        if (t == 0 && (i & 3) == 0) {
            uint64_t s0 = seq;
            cas_d(&seq, s0, s0 + 1);                /* odd: writing */
            uint64_t x = r;
            pub[0] = x;
            pub[1] = ~x;
            pub[2] = x * 3;
            __asm__ volatile("fence rw, w" ::: "memory");
            seq = s0 + 2;
        } else if (t != 0 && (i & 15) == 0) {
            for (;;) {
                uint64_t s0 = seq;
                __asm__ volatile("fence r, r" ::: "memory");
                if (s0 & 1) {
                    continue;
                }
                uint64_t x = pub[0], y = pub[1], z = pub[2];
                __asm__ volatile("fence r, r" ::: "memory");
                if (seq == s0) {
                    bad_seq[t] += y != ~x || z != x * 3;
                    seq_reads[t]++;
                    break;
                }
            }
        }
    }
    return NULL;
}

int main(void)
{
    A.a = TOTAL_AB;
    cas_w_hi = 0xffffffffu;
    pub[1] = ~0ull;
    pthread_t th[NT];
    pthread_barrier_init(&bar, NULL, NT);
    for (int t = 0; t < NT; t++) {
        pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
    }
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
    }

    uint64_t e_hash = 0, e_n = 0, e_sum = 0, e_f = 0, e_pair_n = 0, e_pair_s = 0;
    uint64_t e_writes = 0, e_reads = 0, e_seq_reads = 0;
    uint8_t e_bytes[8] = { 0 };
    uint16_t e_halves[4] = { 0 };
    int64_t e_a = TOTAL_AB;
    for (int t = 0; t < NT; t++) {
        for (int i = 0; i < ITERS; i++) {
            uint64_t r = rvt_mix64((uint64_t)t * ITERS + (uint64_t)i);
            if ((i & 1) == 0 || t == 0) {
                e_writes++;
                e_a -= (int64_t)(r % 2001) - 1000;
            } else {
                e_reads++;
            }
            if ((i & 3) == t) {
                e_hash += r;
                e_n++;
            }
            e_sum += r & 0xffff;
            if ((i & 1) == 0) {
                e_f = fstep(e_f);
                e_halves[(i / 2 + t) & 3] += (uint16_t)(t + 1);
            }
            e_pair_n++;
            e_pair_s += (uint64_t)(t + 1) * 3 + (uint64_t)(i & 7);
            e_bytes[(i + t) & 7]++;
            e_seq_reads += t != 0 && (i & 15) == 0;
        }
    }
    uint64_t bi = 0, bs = 0, bq = 0, rd = 0, sr = 0;
    for (int t = 0; t < NT; t++) {
        bi += bad_inv[t];
        bs += bad_sext[t];
        bq += bad_seq[t];
        rd += reads_done[t];
        sr += seq_reads[t];
    }
    CHECK("lr.w/sc.w lock: counter", A.counter, (uint64_t)NT * ITERS);
    CHECK("lr.w/sc.w lock: writes", A.writes, e_writes);
    CHECK("lr.w/sc.w lock: reads under the lock", rd, e_reads);
    CHECK("lr.w/sc.w lock: invariant violations seen", bi, 0);
    CHECK("lr.w/sc.w lock: a", A.a, e_a);
    CHECK("lr.w/sc.w lock: a + b", A.a + A.b, TOTAL_AB);
    int arr_ok = 1;
    for (int k = 0; k < NARR; k++) {
        arr_ok &= A.arr[k] == e_writes;
    }
    CHECK_TRUE("lr.w/sc.w lock: array words all equal to writes", arr_ok);
    CHECK("lr.w/sc.w lock: released", lock_a, 0);
    CHECK("lr.d/sc.d lock: entries", D.n, e_n);
    CHECK("lr.d/sc.d lock: hash of protected sums", D.hash, e_hash);
    CHECK("lr.d/sc.d lock: lock word held owner", D.seen_owner_bad, 0);
    CHECK("lr.d/sc.d lock: released", lock_dw, 0);
    CHECK("lr.d/sc.d CAS: fetch-add sum", cas_sum, e_sum);
    CHECK("lr.d/sc.d CAS: step function", cas_f, e_f);
    CHECK("lr.d/sc.d CAS: packed pair count", cas_pair >> 40, e_pair_n);
    CHECK("lr.d/sc.d CAS: packed pair sum", cas_pair & 0xffffffffffull, e_pair_s & 0xffffffffffull);
    CHECK("lr.w/sc.w CAS: counter", cas_w_ctr, (uint32_t)(0x10001u * (uint32_t)(NT * ITERS)));
    CHECK("lr.w/sc.w CAS: count-down across bit 31", cas_w_hi, 0xffffffffu - NT * ITERS);
    CHECK("lr.w results sign-extended", bs, 0);
    for (int k = 0; k < 8; k++) {
        CHECK(rvt_name("masked lr.w/sc.w byte %d", k), bytes[k], e_bytes[k]);
    }
    for (int k = 0; k < 4; k++) {
        CHECK(rvt_name("masked lr.w/sc.w halfword %d", k), halves[k], e_halves[k]);
    }
    CHECK("seqlock: sequence", seq, 2 * (uint64_t)((ITERS + 3) / 4));
    CHECK("seqlock: consistent reads", sr, e_seq_reads);
    CHECK("seqlock: torn reads", bq, 0);
    return rvt_done("mt_lrsc");
}
