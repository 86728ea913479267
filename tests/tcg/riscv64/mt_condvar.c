/* Condition variables under real concurrency:
 *  - a bounded FIFO queue (8 slots) with 4 producers and 3 consumers on
 *    two condvars (not-full / not-empty): every item is consumed exactly
 *    once, per-producer order is preserved, the checksums are exact;
 *  - a barrier built from a mutex, a generation count and
 *    pthread_cond_broadcast, used for 300 rounds by 5 threads, each round
 *    reading what the neighbour wrote before the barrier;
 *  - pthread_cond_timedwait that times out (ETIMEDOUT, CLOCK_REALTIME and
 *    a CLOCK_MONOTONIC condattr) and one that is signalled in time. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include "rvtest.h"

/* ---- bounded queue ---- */
enum { QCAP = 8, NPROD = 4, NCONS = 3, PER_PROD = 4000, NITEMS = NPROD * PER_PROD };

static struct {
    pthread_mutex_t mu;
    pthread_cond_t not_full, not_empty;
    uint32_t buf[QCAP];
    unsigned head, tail, count;
    unsigned max_count;
} Q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER };

static void q_put(uint32_t v)
{
    pthread_mutex_lock(&Q.mu);
    while (Q.count == QCAP) {
        pthread_cond_wait(&Q.not_full, &Q.mu);
    }
    Q.buf[Q.tail] = v;
    Q.tail = (Q.tail + 1) % QCAP;
    Q.count++;
    if (Q.count > Q.max_count) {
        Q.max_count = Q.count;
    }
    pthread_cond_signal(&Q.not_empty);
    pthread_mutex_unlock(&Q.mu);
}

static uint32_t q_get(void)
{
    pthread_mutex_lock(&Q.mu);
    while (Q.count == 0) {
        pthread_cond_wait(&Q.not_empty, &Q.mu);
    }
    uint32_t v = Q.buf[Q.head];
    Q.head = (Q.head + 1) % QCAP;
    Q.count--;
    pthread_cond_signal(&Q.not_full);
    pthread_mutex_unlock(&Q.mu);
    return v;
}

/* item = producer << 16 | (sequence + 1); 0 tells a consumer to stop */
static uint8_t seen[NPROD][PER_PROD];
static uint64_t cons_sum[NCONS], cons_n[NCONS], cons_order_bad[NCONS];

static uint64_t item_weight(uint32_t v)
{
    return (uint64_t)v * 0x9e3779b97f4a7c15ull >> 17;
}

static void *producer(void *arg)
{
    uint32_t p = (uint32_t)(intptr_t)arg;
    for (uint32_t i = 0; i < PER_PROD; i++) {
        q_put(p << 16 | (i + 1));
    }
    return NULL;
}

static void *consumer(void *arg)
{
    int c = (int)(intptr_t)arg;
    uint32_t last[NPROD] = { 0 };
    for (;;) {
        uint32_t v = q_get();
        if (v == 0) {
            break;
        }
        uint32_t p = v >> 16, s = v & 0xffff;
        if (p >= NPROD || s == 0 || s > PER_PROD) {
            cons_order_bad[c]++;
            continue;
        }
        /* a FIFO queue hands one producer's items out in order */
        cons_order_bad[c] += s <= last[p];
        last[p] = s;
        seen[p][s - 1]++;   /* each item is touched by one consumer only */
        cons_sum[c] += item_weight(v);
        cons_n[c]++;
    }
    return NULL;
}

static void test_queue(void)
{
    pthread_t prod[NPROD], cons[NCONS];
    for (int c = 0; c < NCONS; c++) {
        pthread_create(&cons[c], NULL, consumer, (void *)(intptr_t)c);
    }
    for (int p = 0; p < NPROD; p++) {
        pthread_create(&prod[p], NULL, producer, (void *)(intptr_t)p);
    }
    for (int p = 0; p < NPROD; p++) {
        pthread_join(prod[p], NULL);
    }
    for (int c = 0; c < NCONS; c++) {
        q_put(0);
    }
    for (int c = 0; c < NCONS; c++) {
        pthread_join(cons[c], NULL);
    }
    uint64_t sum = 0, n = 0, bad = 0, want = 0;
    for (int c = 0; c < NCONS; c++) {
        sum += cons_sum[c];
        n += cons_n[c];
        bad += cons_order_bad[c];
    }
    int once = 1;
    for (uint32_t p = 0; p < NPROD; p++) {
        for (uint32_t i = 0; i < PER_PROD; i++) {
            once &= seen[p][i] == 1;
            want += item_weight(p << 16 | (i + 1));
        }
    }
    CHECK("queue: items consumed", n, NITEMS);
    CHECK_TRUE("queue: every item consumed exactly once", once);
    CHECK("queue: weighted checksum", sum, want);
    CHECK("queue: per-producer order violations", bad, 0);
    CHECK("queue: empty at the end", Q.count, 0);
    CHECK_TRUE("queue: never above capacity", Q.max_count <= QCAP && Q.max_count >= 1);
}

/* ---- broadcast barrier ---- */
enum { NB = 5, ROUNDS = 300 };

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned waiting, generation;
    uint64_t broadcasts;
} BAR = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

/* returns 1 in the thread that released the others */
static int bar_wait(void)
{
    pthread_mutex_lock(&BAR.mu);
    unsigned gen = BAR.generation;
    int last = ++BAR.waiting == NB;
    if (last) {
        BAR.waiting = 0;
        BAR.generation++;
        BAR.broadcasts++;
        pthread_cond_broadcast(&BAR.cv);
    } else {
        while (gen == BAR.generation) {
            pthread_cond_wait(&BAR.cv, &BAR.mu);
        }
    }
    pthread_mutex_unlock(&BAR.mu);
    return last;
}

static uint64_t slot[2][NB];
static uint64_t bar_bad[NB], bar_acc[NB], bar_last[NB];
static uint64_t round_total;   /* written by the releasing thread only */

static uint64_t bval(int r, int t) { return (uint64_t)r * 1000003u + (uint64_t)t * 7919u + 1; }

static void *bar_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int r = 0; r < ROUNDS; r++) {
        slot[r & 1][t] = bval(r, t);
        if (bar_wait()) {
            uint64_t s = 0;
            for (int k = 0; k < NB; k++) {
                s += slot[r & 1][k];
            }
            round_total += s;
            bar_last[t]++;
        }
        /* everything written before the barrier is visible after it; the
         * slots of this parity are not rewritten before the next barrier */
        int nb = (t + 1) % NB;
        uint64_t v = slot[r & 1][nb];
        bar_bad[t] += v != bval(r, nb);
        bar_acc[t] += v;
        if (r % 3 == t % 3) {
            sched_yield();
        }
    }
    return NULL;
}

static void test_barrier(void)
{
    pthread_t th[NB];
    for (int t = 0; t < NB; t++) {
        pthread_create(&th[t], NULL, bar_worker, (void *)(intptr_t)t);
    }
    for (int t = 0; t < NB; t++) {
        pthread_join(th[t], NULL);
    }
    uint64_t bad = 0, acc = 0, lasts = 0, want = 0;
    for (int t = 0; t < NB; t++) {
        bad += bar_bad[t];
        acc += bar_acc[t];
        lasts += bar_last[t];
    }
    for (int r = 0; r < ROUNDS; r++) {
        for (int t = 0; t < NB; t++) {
            want += bval(r, t);
        }
    }
    CHECK("barrier: broadcasts", BAR.broadcasts, ROUNDS);
    CHECK("barrier: releasing threads", lasts, ROUNDS);
    CHECK("barrier: stale neighbour reads", bad, 0);
    CHECK("barrier: sum of neighbour reads", acc, want);
    CHECK("barrier: sum seen by the releasing thread", round_total, want);
    CHECK("barrier: nobody left waiting", BAR.waiting, 0);
}

/* ---- timed waits ---- */
static int64_t now_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec deadline(clockid_t clk, int64_t ns)
{
    int64_t t = now_ns(clk) + ns;
    struct timespec ts = { t / 1000000000, t % 1000000000 };
    return ts;
}

static pthread_mutex_t tmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tcv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t tcv_mono;
static int flag, waiter_ready, waiter_rc = -1, waiter_flag;

static void *timed_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&tmu);
    waiter_ready = 1;
    pthread_cond_broadcast(&tcv);
    struct timespec ts = deadline(CLOCK_MONOTONIC, 20 * 1000000000ll);
    int rc = 0;
    while (!flag && rc == 0) {
        rc = pthread_cond_timedwait(&tcv_mono, &tmu, &ts);
    }
    waiter_rc = rc;
    waiter_flag = flag;
    pthread_mutex_unlock(&tmu);
    return NULL;
}

static void test_timedwait(void)
{
    /* nobody signals: the wait times out, not before the deadline */
    pthread_mutex_lock(&tmu);
    int64_t t0 = now_ns(CLOCK_REALTIME);
    struct timespec ts = deadline(CLOCK_REALTIME, 50 * 1000000);
    int rc;
    do {
        rc = pthread_cond_timedwait(&tcv, &tmu, &ts);
    } while (rc == 0);
    int64_t dt = now_ns(CLOCK_REALTIME) - t0;
    pthread_mutex_unlock(&tmu);
    CHECK("timedwait (realtime) times out: ETIMEDOUT", rc, ETIMEDOUT);
    CHECK_TRUE("timedwait (realtime) waited >= 50 ms", dt >= 49 * 1000000);

    /* a deadline in the past returns at once */
    pthread_mutex_lock(&tmu);
    ts.tv_sec -= 10;
    rc = pthread_cond_timedwait(&tcv, &tmu, &ts);
    pthread_mutex_unlock(&tmu);
    CHECK("timedwait with past deadline: ETIMEDOUT", rc, ETIMEDOUT);

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    CHECK("condattr_setclock CLOCK_MONOTONIC",
          pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
    pthread_cond_init(&tcv_mono, &ca);
    pthread_condattr_destroy(&ca);

    pthread_mutex_lock(&tmu);
    t0 = now_ns(CLOCK_MONOTONIC);
    ts = deadline(CLOCK_MONOTONIC, 30 * 1000000);
    do {
        rc = pthread_cond_timedwait(&tcv_mono, &tmu, &ts);
    } while (rc == 0);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    pthread_mutex_unlock(&tmu);
    CHECK("timedwait (monotonic) times out: ETIMEDOUT", rc, ETIMEDOUT);
    CHECK_TRUE("timedwait (monotonic) waited >= 30 ms", dt >= 29 * 1000000);

    /* a waiter with a long deadline is woken by a signal */
    pthread_t th;
    pthread_create(&th, NULL, timed_waiter, NULL);
    pthread_mutex_lock(&tmu);
    while (!waiter_ready) {
        pthread_cond_wait(&tcv, &tmu);
    }
    pthread_mutex_unlock(&tmu);
    struct timespec nap = { 0, 20 * 1000000 };
    nanosleep(&nap, NULL);   /* (most likely) asleep in the timed wait now */
    t0 = now_ns(CLOCK_MONOTONIC);
    pthread_mutex_lock(&tmu);
    flag = 1;
    pthread_cond_signal(&tcv_mono);
    pthread_mutex_unlock(&tmu);
    pthread_join(th, NULL);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    CHECK("signalled timedwait returns 0", waiter_rc, 0);
    CHECK("signalled timedwait sees the flag", waiter_flag, 1);
    CHECK_TRUE("signalled timedwait woke well before its deadline", dt < 10 * 1000000000ll);
    pthread_cond_destroy(&tcv_mono);
}

int main(void)
{
    test_queue();
    test_barrier();
    test_timedwait();
    return rvt_done("mt_condvar");
}
