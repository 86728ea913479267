/* Parallel reductions:
 *  - NT threads fill their slice of a large array (integers from a mixing
 *    function, doubles derived from them) and sum it: 64-bit wrapping sum,
 *    xor, sum of squares, a double sum in a fixed order per slice, and a
 *    double sum of exactly representable values; the partial results are
 *    combined in slice order and compared with a sequential computation
 *    (bit-exact) and with closed forms;
 *  - a work queue: threads take chunks through an atomic fetch-add index
 *    until the array is exhausted; every chunk is done exactly once and the
 *    per-chunk results match;
 *  - the same with more threads than CPUs (8) and a parallel max/min with
 *    CAS loops on doubles. */
#define _GNU_SOURCE
#include <pthread.h>
#include "rvtest.h"

enum { N = 1 << 18, CHUNK = 1024, NCHUNK = N / CHUNK, MAXT = 8 };

static uint64_t a[N];
static double d[N];

/* a double in [-1, 1) with 53 significant bits, not exactly summable */
static double to_d(uint64_t x) { return ((double)(x >> 11) - 4503599627370496.0) * 0x1p-52; }
/* exactly representable values whose sums stay exact: k/4, |k| < 2^20 */
static double exact_d(uint64_t i) { return (double)((int64_t)(i % 2001) - 1000) * 0.25; }

struct part {
    uint64_t sum, xr, sq;
    double dsum, esum;
    uint64_t pad[3];
};

static struct part parts[MAXT];
static pthread_barrier_t bar;
static int nthreads;

static void slice(int t, int nt, uint64_t *lo, uint64_t *hi)
{
    *lo = (uint64_t)N * t / nt;
    *hi = (uint64_t)N * (t + 1) / nt;
}

static void *slice_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t lo, hi;
    slice(t, nthreads, &lo, &hi);
    for (uint64_t i = lo; i < hi; i++) {
        a[i] = rvt_mix64(i + 0x5eed);
        d[i] = to_d(a[i]);
    }
    pthread_barrier_wait(&bar);   /* the whole array is written */
    /* sum a slice different from the one this thread wrote */
    slice((t + 1) % nthreads, nthreads, &lo, &hi);
    struct part p = { 0 };
    for (uint64_t i = lo; i < hi; i++) {
        p.sum += a[i];
        p.xr ^= a[i];
        p.sq += a[i] * a[i];
        p.dsum += d[i];
        p.esum += exact_d(i);
    }
    parts[(t + 1) % nthreads] = p;
    return NULL;
}

static void run(int nt, void *(*fn)(void *))
{
    pthread_t th[MAXT];
    nthreads = nt;
    pthread_barrier_init(&bar, NULL, nt);
    for (int t = 0; t < nt; t++) {
        pthread_create(&th[t], NULL, fn, (void *)(intptr_t)t);
    }
    for (int t = 0; t < nt; t++) {
        pthread_join(th[t], NULL);
    }
    pthread_barrier_destroy(&bar);
}

static uint64_t dbits(double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    return u;
}

static void test_slices(int nt)
{
    memset(a, 0, sizeof(a));
    memset(d, 0, sizeof(d));
    memset(parts, 0, sizeof(parts));
    run(nt, slice_worker);
    struct part tot = { 0 };
    for (int t = 0; t < nt; t++) {
        tot.sum += parts[t].sum;
        tot.xr ^= parts[t].xr;
        tot.sq += parts[t].sq;
        tot.dsum += parts[t].dsum;
        tot.esum += parts[t].esum;
    }
    /* sequential replay with the same slices and order */
    struct part want = { 0 };
    int arr_ok = 1;
    for (int t = 0; t < nt; t++) {
        uint64_t lo, hi;
        slice(t, nt, &lo, &hi);
        double ds = 0;
        for (uint64_t i = lo; i < hi; i++) {
            uint64_t v = rvt_mix64(i + 0x5eed);
            arr_ok &= a[i] == v && dbits(d[i]) == dbits(to_d(v));
            want.sum += v;
            want.xr ^= v;
            want.sq += v * v;
            ds += to_d(v);
        }
        want.dsum += ds;
    }
    /* exact values: sum over i of (i % 2001 - 1000) / 4; a full period
     * of 2001 sums to 0, the remaining r terms to r(r-1)/2 - 1000r */
    int64_t r = N % 2001, k = r * (r - 1) / 2 - 1000 * r;
    double e_exact = (double)k * 0.25;
    CHECK_TRUE(rvt_name("%d threads: array filled in parallel", nt), arr_ok);
    CHECK(rvt_name("%d threads: wrapping sum", nt), tot.sum, want.sum);
    CHECK(rvt_name("%d threads: wrapping sum (host value)", nt), tot.sum, 0x4f681922ca3005f8ull);
    CHECK(rvt_name("%d threads: xor", nt), tot.xr, want.xr);
    CHECK(rvt_name("%d threads: sum of squares", nt), tot.sq, want.sq);
    CHECK(rvt_name("%d threads: double sum (bits)", nt), dbits(tot.dsum), dbits(want.dsum));
    CHECK(rvt_name("%d threads: exact double sum (bits)", nt), dbits(tot.esum), dbits(e_exact));
}

/* ---- work queue ---- */
static uint64_t next_chunk;
static uint8_t done[NCHUNK];
static uint64_t chunk_res[NCHUNK];
static uint64_t taken[MAXT];
static uint64_t dmax_bits, dmin_bits;

static void cas_max(uint64_t *p, double v)
{
    uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED), nv = dbits(v);
    double c;
    for (;;) {
        memcpy(&c, &cur, 8);
        if (!(v > c) || __atomic_compare_exchange_n(p, &cur, nv, 1, __ATOMIC_ACQ_REL,
                                                    __ATOMIC_RELAXED)) {
            return;
        }
    }
}
static void cas_min(uint64_t *p, double v)
{
    uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED), nv = dbits(v);
    double c;
    for (;;) {
        memcpy(&c, &cur, 8);
        if (!(v < c) || __atomic_compare_exchange_n(p, &cur, nv, 0, __ATOMIC_SEQ_CST,
                                                    __ATOMIC_SEQ_CST)) {
            return;
        }
    }
}

static uint64_t chunk_work(uint64_t c)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = c * CHUNK; i < (c + 1) * CHUNK; i++) {
        h = (h ^ a[i]) * 0x100000001b3ull;
    }
    return h;
}

static void *queue_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    pthread_barrier_wait(&bar);
    for (;;) {
        uint64_t c = __atomic_fetch_add(&next_chunk, 1, __ATOMIC_RELAXED);
        if (c >= NCHUNK) {
            break;
        }
        chunk_res[c] = chunk_work(c);
        __atomic_fetch_add(&done[c], 1, __ATOMIC_RELAXED);
        double mx = -2, mn = 2;
        for (uint64_t i = c * CHUNK; i < (c + 1) * CHUNK; i += 7) {
            mx = d[i] > mx ? d[i] : mx;
            mn = d[i] < mn ? d[i] : mn;
        }
        cas_max(&dmax_bits, mx);
        cas_min(&dmin_bits, mn);
        taken[t]++;
    }
    return NULL;
}

static void test_queue(int nt)
{
    next_chunk = 0;
    memset(done, 0, sizeof(done));
    memset(chunk_res, 0, sizeof(chunk_res));
    memset(taken, 0, sizeof(taken));
    dmax_bits = dbits(-2.0);
    dmin_bits = dbits(2.0);
    run(nt, queue_worker);
    uint64_t ntaken = 0;
    for (int t = 0; t < nt; t++) {
        ntaken += taken[t];
    }
    int once = 1, res_ok = 1;
    double mx = -2, mn = 2;
    for (uint64_t c = 0; c < NCHUNK; c++) {
        once &= done[c] == 1;
        res_ok &= chunk_res[c] == chunk_work(c);
        for (uint64_t i = c * CHUNK; i < (c + 1) * CHUNK; i += 7) {
            mx = d[i] > mx ? d[i] : mx;
            mn = d[i] < mn ? d[i] : mn;
        }
    }
    uint64_t h = 0;
    for (uint64_t c = 0; c < NCHUNK; c++) {
        h = h * 31 + chunk_res[c];
    }
    CHECK(rvt_name("queue %d threads: chunks taken", nt), ntaken, NCHUNK);
    CHECK(rvt_name("queue %d threads: index overshoot", nt), next_chunk, NCHUNK + nt);
    CHECK_TRUE(rvt_name("queue %d threads: every chunk done once", nt), once);
    CHECK_TRUE(rvt_name("queue %d threads: chunk results", nt), res_ok);
    /* value from a host build of the same C */
    CHECK(rvt_name("queue %d threads: combined hash", nt), h, 0xc05d795deea6943cull);
    CHECK(rvt_name("queue %d threads: CAS max (bits)", nt), dmax_bits, dbits(mx));
    CHECK(rvt_name("queue %d threads: CAS min (bits)", nt), dmin_bits, dbits(mn));
}

int main(void)
{
    test_slices(4);
    test_queue(4);
    test_slices(8);
    test_queue(8);
    test_slices(3);
    return rvt_done("mt_sum");
}
