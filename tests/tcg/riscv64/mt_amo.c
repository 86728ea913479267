/* AMOs under real concurrency: 4 threads hammer the same words with
 * amoadd.w/.d, amoor/amoand/amoxor on per-thread bit lanes of one shared
 * word, amomin/amomax (signed and unsigned, .w and .d), and amoswap token
 * pools and a swap chain, first through inline asm and then through the
 * __atomic builtins (sub-word ones through libatomic).  Every final value
 * is checked exactly against a sequential replay in main; the values an AMO
 * returns are checked on the fly where the thread can predict them (its own
 * lane, monotonic min/max, one ticket per fetch-add, one link per swap). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include "rvtest.h"

#ifndef ITERS
#define ITERS 200000
#endif
enum { NT = 4, NSLOT = 8, NTOTAL = NT * ITERS };

#define AMO(name, insn, T) \
    static inline uint64_t name(volatile T *p, uint64_t v) { uint64_t r; \
        __asm__ volatile(insn " %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory"); \
        return r; }
AMO(amoadd_w, "amoadd.w.aqrl", uint32_t)
AMO(amoadd_d, "amoadd.d", uint64_t)
AMO(amoor_w, "amoor.w.aq", uint32_t)
AMO(amoand_w, "amoand.w.rl", uint32_t)
AMO(amoxor_w, "amoxor.w", uint32_t)
AMO(amoor_d, "amoor.d.aqrl", uint64_t)
AMO(amoand_d, "amoand.d", uint64_t)
AMO(amoxor_d, "amoxor.d.aq", uint64_t)
AMO(amomax_w, "amomax.w", uint32_t)
AMO(amomin_w, "amomin.w.aqrl", uint32_t)
AMO(amomaxu_w, "amomaxu.w.rl", uint32_t)
AMO(amominu_w, "amominu.w", uint32_t)
AMO(amomax_d, "amomax.d.aq", uint64_t)
AMO(amomin_d, "amomin.d", uint64_t)
AMO(amomaxu_d, "amomaxu.d", uint64_t)
AMO(amominu_d, "amominu.d.aqrl", uint64_t)
AMO(amoswap_w, "amoswap.w.aqrl", uint32_t)
AMO(amoswap_d, "amoswap.d", uint64_t)

static uint64_t sext32(uint64_t x) { return (uint64_t)(int64_t)(int32_t)(uint32_t)x; }

#define K32 0x9e3779b9u
#define KD 0x0000000100000001ull

/* one cache line per group of words, so the threads contend on lines */
static struct {
    volatile uint32_t add_w;
    volatile uint32_t lanes_w;
    volatile uint64_t add_d;
    volatile uint64_t ticket;
    volatile uint64_t lanes_d;
    volatile uint64_t xor_d;
} S __attribute__((aligned(64)));
static struct {
    volatile uint32_t max_w, min_w, maxu_w, minu_w;
    volatile uint64_t max_d, min_d, maxu_d, minu_d;
    volatile uint32_t rmax_w, rminu_w;
    volatile uint64_t rmax_d, rmin_d, rmaxu_d, rminu_d;
} M __attribute__((aligned(64)));
static volatile uint64_t slot_d[NSLOT] __attribute__((aligned(64)));
static volatile uint32_t slot_w[NSLOT] __attribute__((aligned(64)));
static volatile uint64_t chain_tail __attribute__((aligned(64)));

static uint8_t ticket_seen[NTOTAL];
static uint32_t chain_pred[NTOTAL + 1];
static uint64_t held_d[NT];
static uint32_t held_w[NT];
static uint64_t bad_ret[NT], bad_lane[NT], bad_mono[NT], bad_sext[NT];
static uint64_t final_lane_d[NT], final_lane_w[NT];
static pthread_barrier_t bar;

/* the sequence of lane bits a thread flips */
static inline unsigned lane_bit(int t, int i)
{
    return ((uint32_t)i * 0x9e3779b9u + (uint32_t)t * 0x85ebca6bu) >> 28;
}
static inline unsigned lane_bit_w(int t, int i)
{
    return ((uint32_t)i * 0xc2b2ae35u + (uint32_t)t * 0x27d4eb2fu) >> 29;
}
static inline int mm_kind(int i) { return i & 3; }

static void *asm_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t lane_d = 0, lane_w = 0;
    uint64_t seen_max_w = (uint64_t)INT32_MIN, seen_min_w = INT32_MAX;
    uint64_t seen_maxu_d = 0, seen_minu_d = ~0ull;
    uint64_t held = held_d[t];
    uint32_t heldw = held_w[t];
    pthread_barrier_wait(&bar);
    for (int i = 0; i < ITERS; i++) {
        /* wrapping 32-bit add; the old value comes back sign-extended */
        uint64_t r = amoadd_w(&S.add_w, K32);
        bad_sext[t] += r != sext32(r);
        amoadd_d(&S.add_d, (uint64_t)(t + 1) * KD + (uint64_t)i);
        /* one ticket per fetch-add */
        uint64_t tk = amoadd_d(&S.ticket, 1);
        if (tk < NTOTAL) {
            ticket_seen[tk]++;
        } else {
            bad_ret[t]++;
        }

        /* 16-bit lane t of a shared doubleword: flip one bit with or/and */
        unsigned b = lane_bit(t, i) + 16 * t;
        uint64_t bit = 1ull << b, old;
        old = (lane_d & bit) ? amoand_d(&S.lanes_d, ~bit) : amoor_d(&S.lanes_d, bit);
        bad_lane[t] += ((old >> (16 * t)) & 0xffff) != lane_d >> (16 * t);
        lane_d ^= bit;
        /* byte lane t of a shared word: xor, or and and in turn */
        unsigned bw = lane_bit_w(t, i) + 8 * t;
        uint64_t bitw = 1ull << bw;
        switch (i % 3) {
        case 0: old = amoxor_w(&S.lanes_w, bitw); break;
        case 1: old = (lane_w & bitw) ? amoand_w(&S.lanes_w, ~bitw) : amoor_w(&S.lanes_w, bitw); break;
        default: old = (lane_w & bitw) ? amoxor_w(&S.lanes_w, bitw) : amoor_w(&S.lanes_w, bitw); break;
        }
        bad_sext[t] += old != sext32(old);
        bad_lane[t] += ((old >> (8 * t)) & 0xff) != lane_w >> (8 * t);
        lane_w ^= bitw;
        amoxor_d(&S.xor_d, rvt_mix64((uint64_t)t * ITERS + (uint64_t)i));

        /* monotonic min/max: every thread's values move the bound each
         * time, so a non-atomic read-modify-write shows up as a bound going
         * backwards in what a later AMO returns */
        int64_t up = (int64_t)i * NT + t - NTOTAL / 2;
        uint64_t vmax = (uint64_t)up, vmin = (uint64_t)(-up);
        switch (mm_kind(i)) {
        case 0:
            old = amomax_w(&M.max_w, vmax);
            bad_mono[t] += (int64_t)old < (int64_t)seen_max_w;
            seen_max_w = (int64_t)old > up ? old : vmax;
            break;
        case 1:
            old = amomin_w(&M.min_w, vmin);
            bad_mono[t] += (int64_t)old > (int64_t)seen_min_w;
            seen_min_w = (int64_t)old < -up ? old : vmin;
            break;
        case 2:
            old = amomaxu_d(&M.maxu_d, (uint64_t)i * NT + t);
            bad_mono[t] += old < seen_maxu_d;
            seen_maxu_d = old > (uint64_t)i * NT + t ? old : (uint64_t)i * NT + t;
            break;
        default:
            old = amominu_d(&M.minu_d, ~((uint64_t)i * NT + t));
            bad_mono[t] += old > seen_minu_d;
            seen_minu_d = old < ~((uint64_t)i * NT + t) ? old : ~((uint64_t)i * NT + t);
            break;
        }
        /* random values: signedness matters for the result */
        uint64_t rv = rvt_mix64(0x1000000ull + (uint64_t)t * ITERS + (uint64_t)i);
        switch (i & 7) {
        case 0: amomax_d(&M.rmax_d, rv); break;
        case 1: amomin_d(&M.rmin_d, rv); break;
        case 2: amomaxu_d(&M.rmaxu_d, rv); break;
        case 3: amominu_d(&M.rminu_d, rv); break;
        case 4: amomax_w(&M.rmax_w, rv); break;
        case 5: amominu_w(&M.rminu_w, rv); break;
        case 6: amomin_d(&M.min_d, rv); amomax_d(&M.max_d, rv); break;
        default: amomaxu_w(&M.maxu_w, rv); amominu_w(&M.minu_w, rv); break;
        }

        /* token pools: swap the token held for the one in a slot */
        held = amoswap_d(&slot_d[(i * 3 + t * 5) % NSLOT], held);
        uint64_t rw = amoswap_w(&slot_w[(i * 5 + t) % NSLOT], heldw);
        bad_sext[t] += rw != sext32(rw);
        heldw = (uint32_t)rw;
        /* swap chain: every id is swapped in once and names its predecessor */
        uint64_t id = (uint64_t)t * ITERS + (uint64_t)i + 1;
        uint64_t pred = amoswap_d(&chain_tail, id);
        if (pred <= NTOTAL) {
            chain_pred[id] = (uint32_t)pred;
        } else {
            bad_ret[t]++;
        }
    }
    held_d[t] = held;
    held_w[t] = heldw;
    final_lane_d[t] = lane_d;
    final_lane_w[t] = lane_w;
    return NULL;
}

/* the same through the __atomic builtins */
static struct {
    uint64_t add_d;
    uint32_t add_w;
    uint32_t sub_w;
    uint64_t lanes;
    uint64_t xr;
    uint64_t chain;
    uint64_t cas_max;
    uint64_t cas_f;
    uint16_t h[4];
    uint8_t b[8];
} B __attribute__((aligned(64)));
static uint32_t bchain_pred[NTOTAL + 1];
static uint64_t bheld[NT];
static uint64_t bslot[NSLOT] __attribute__((aligned(64)));

static inline uint64_t fstep(uint64_t x) { return x * 6364136223846793005ull + 1442695040888963407ull; }

static void *builtin_worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t lane = 0, held = bheld[t];
    pthread_barrier_wait(&bar);
    for (int i = 0; i < ITERS; i++) {
        __atomic_fetch_add(&B.add_d, (uint64_t)(t + 1) * KD + (uint64_t)i, __ATOMIC_RELAXED);
        __atomic_add_fetch(&B.add_w, K32, __ATOMIC_SEQ_CST);
        __atomic_fetch_sub(&B.sub_w, (uint32_t)(i & 15) + 1, __ATOMIC_ACQ_REL);
        uint64_t bit = 1ull << (lane_bit(t, i) + 16 * t), old;
        if (i & 1) {
            old = __atomic_fetch_xor(&B.lanes, bit, __ATOMIC_RELEASE);
        } else if (lane & bit) {
            old = __atomic_fetch_and(&B.lanes, ~bit, __ATOMIC_ACQUIRE);
        } else {
            old = __atomic_fetch_or(&B.lanes, bit, __ATOMIC_SEQ_CST);
        }
        bad_lane[t] += ((old >> (16 * t)) & 0xffff) != lane >> (16 * t);
        lane ^= bit;
        __atomic_xor_fetch(&B.xr, rvt_mix64(0x2000000ull + (uint64_t)t * ITERS + (uint64_t)i),
                           __ATOMIC_RELAXED);
        held = __atomic_exchange_n(&bslot[(i * 7 + t) % NSLOT], held, __ATOMIC_ACQ_REL);
        uint64_t id = (uint64_t)t * ITERS + (uint64_t)i + 1;
        uint64_t pred = __atomic_exchange_n(&B.chain, id, __ATOMIC_SEQ_CST);
        if (pred <= NTOTAL) {
            bchain_pred[id] = (uint32_t)pred;
        } else {
            bad_ret[t]++;
        }
        /* compare-and-swap loops: a maximum, and an order-independent
         * count of applications of one non-commutative step function */
        uint64_t v = rvt_mix64(0x3000000ull + (uint64_t)t * ITERS + (uint64_t)i) >> 1;
        uint64_t cur = __atomic_load_n(&B.cas_max, __ATOMIC_RELAXED);
        while (cur < v && !__atomic_compare_exchange_n(&B.cas_max, &cur, v, 1,
                                                       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        }
        if ((i & 3) == 0) {
            cur = __atomic_load_n(&B.cas_f, __ATOMIC_RELAXED);
            while (!__atomic_compare_exchange_n(&B.cas_f, &cur, fstep(cur), 0,
                                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            }
        }
        /* sub-word atomics (libatomic: lr/sc on the containing word) on
         * neighbouring halfwords and bytes shared by all threads */
        if ((i & 7) == 0) {
            __atomic_fetch_add(&B.h[(i / 8 + t) & 3], (uint16_t)(t + 1), __ATOMIC_SEQ_CST);
            __atomic_fetch_add(&B.b[(i / 8 + t * 3) & 7], (uint8_t)1, __ATOMIC_SEQ_CST);
        }
    }
    bheld[t] = held;
    final_lane_d[t] = lane;
    return NULL;
}

static void run(void *(*fn)(void *))
{
    pthread_t th[NT];
    pthread_barrier_init(&bar, NULL, NT);
    for (int t = 0; t < NT; t++) {
        pthread_create(&th[t], NULL, fn, (void *)(intptr_t)t);
    }
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
    }
    pthread_barrier_destroy(&bar);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* the multiset of tokens (slots + held) must be the initial one */
static int tokens_conserved(const uint64_t *slots, const uint64_t *held, const uint64_t *init)
{
    uint64_t now[NSLOT + NT], want[NSLOT + NT];
    for (int k = 0; k < NSLOT + NT; k++) {
        now[k] = k < NSLOT ? slots[k] : held[k - NSLOT];
        want[k] = init[k];
    }
    qsort(now, NSLOT + NT, 8, cmp_u64);
    qsort(want, NSLOT + NT, 8, cmp_u64);
    return memcmp(now, want, sizeof(now)) == 0;
}

/* pred[] of a swap chain: every id 0..N appears exactly once as a
 * predecessor, except the final tail which appears nowhere */
static int chain_ok(const uint32_t *pred, uint64_t tail)
{
    static uint8_t used[NTOTAL + 1];
    memset(used, 0, sizeof(used));
    for (uint64_t id = 1; id <= NTOTAL; id++) {
        if (pred[id] > NTOTAL || used[pred[id]]++) {
            return 0;
        }
    }
    for (uint64_t id = 0; id <= NTOTAL; id++) {
        if (used[id] != (id != tail)) {
            return 0;
        }
    }
    /* and following the links from the tail visits every id */
    uint64_t n = 0;
    for (uint64_t id = tail; id != 0; id = pred[id]) {
        if (++n > NTOTAL) {
            return 0;
        }
    }
    return n == NTOTAL;
}

static uint64_t sum_bad(uint64_t *a)
{
    uint64_t s = 0;
    for (int t = 0; t < NT; t++) {
        s += a[t];
        a[t] = 0;
    }
    return s;
}

int main(void)
{
    uint64_t init_tok[NSLOT + NT];
    uint32_t init_tok_w[NSLOT + NT];
    for (int k = 0; k < NSLOT; k++) {
        slot_d[k] = init_tok[k] = 0x100 + k;
        slot_w[k] = init_tok_w[k] = 0x80000000u + 0x100 + k;
    }
    for (int t = 0; t < NT; t++) {
        held_d[t] = init_tok[NSLOT + t] = 0xabc00000000ull + t;
        held_w[t] = init_tok_w[NSLOT + t] = 0xf0000000u + t;
    }
    M.max_w = (uint32_t)INT32_MIN;
    M.min_w = INT32_MAX;
    M.maxu_d = 0;
    M.minu_d = ~0ull;
    M.rmax_d = M.max_d = (uint64_t)INT64_MIN;
    M.rmin_d = M.min_d = INT64_MAX;
    M.rmaxu_d = M.maxu_w = 0;
    M.rminu_d = ~0ull;
    M.rmax_w = (uint32_t)INT32_MIN;
    M.rminu_w = M.minu_w = ~0u;

    run(asm_worker);

    /* sequential replay of what the threads did */
    uint64_t e_add_d = 0, e_xor = 0, e_lanes_d = 0, e_lanes_w = 0;
    int64_t e_rmax_d = INT64_MIN, e_rmin_d = INT64_MAX, e_max_d = INT64_MIN, e_min_d = INT64_MAX;
    uint64_t e_rmaxu_d = 0, e_rminu_d = ~0ull;
    int32_t e_rmax_w = INT32_MIN;
    uint32_t e_rminu_w = ~0u, e_maxu_w = 0, e_minu_w = ~0u;
    for (int t = 0; t < NT; t++) {
        uint64_t ld = 0, lw = 0;
        for (int i = 0; i < ITERS; i++) {
            e_add_d += (uint64_t)(t + 1) * KD + (uint64_t)i;
            e_xor ^= rvt_mix64((uint64_t)t * ITERS + (uint64_t)i);
            ld ^= 1ull << (lane_bit(t, i) + 16 * t);
            lw ^= 1ull << (lane_bit_w(t, i) + 8 * t);
            uint64_t rv = rvt_mix64(0x1000000ull + (uint64_t)t * ITERS + (uint64_t)i);
            int64_t s = (int64_t)rv;
            int32_t sw = (int32_t)rv;
            uint32_t uw = (uint32_t)rv;
            switch (i & 7) {
            case 0: e_rmax_d = s > e_rmax_d ? s : e_rmax_d; break;
            case 1: e_rmin_d = s < e_rmin_d ? s : e_rmin_d; break;
            case 2: e_rmaxu_d = rv > e_rmaxu_d ? rv : e_rmaxu_d; break;
            case 3: e_rminu_d = rv < e_rminu_d ? rv : e_rminu_d; break;
            case 4: e_rmax_w = sw > e_rmax_w ? sw : e_rmax_w; break;
            case 5: e_rminu_w = uw < e_rminu_w ? uw : e_rminu_w; break;
            case 6:
                e_min_d = s < e_min_d ? s : e_min_d;
                e_max_d = s > e_max_d ? s : e_max_d;
                break;
            default:
                e_maxu_w = uw > e_maxu_w ? uw : e_maxu_w;
                e_minu_w = uw < e_minu_w ? uw : e_minu_w;
                break;
            }
        }
        e_lanes_d |= ld;
        e_lanes_w |= lw;
        CHECKQ(rvt_name("asm: thread %d lane of amoor/amoand.d", t), final_lane_d[t], ld);
        CHECKQ(rvt_name("asm: thread %d lane of amo*.w", t), final_lane_w[t], lw);
    }
    CHECK("asm: amoadd.w total (wrapping)", S.add_w, (uint32_t)(K32 * (uint32_t)NTOTAL));
    CHECK("asm: amoadd.d total", S.add_d, e_add_d);
    CHECK("asm: amoadd.d ticket count", S.ticket, NTOTAL);
    int tickets_once = 1;
    for (int k = 0; k < NTOTAL; k++) {
        tickets_once &= ticket_seen[k] == 1;
    }
    CHECK_TRUE("asm: every ticket handed out exactly once", tickets_once);
    CHECK("asm: amoor/amoand.d lanes", S.lanes_d, e_lanes_d);
    CHECK("asm: amoxor/amoor/amoand.w lanes", S.lanes_w, e_lanes_w);
    CHECK("asm: old values of own lane as expected", sum_bad(bad_lane), 0);
    CHECK("asm: amoxor.d accumulation", S.xor_d, e_xor);
    CHECK("asm: .w results sign-extended", sum_bad(bad_sext), 0);
    /* the last iteration of each min/max kind gives the final bound */
    int64_t last[4];
    for (int k = 0; k < 4; k++) {
        int i = (ITERS - 1) - ((ITERS - 1 - k) & 3);
        last[k] = (int64_t)i * NT + (NT - 1);
    }
    CHECK("asm: amomax.w monotonic bound", M.max_w, (uint32_t)(last[0] - NTOTAL / 2));
    CHECK("asm: amomin.w monotonic bound", M.min_w, (uint32_t)-(last[1] - NTOTAL / 2));
    CHECK("asm: amomaxu.d monotonic bound", M.maxu_d, (uint64_t)last[2]);
    CHECK("asm: amominu.d monotonic bound", M.minu_d, ~(uint64_t)last[3]);
    CHECK("asm: min/max bounds never went back", sum_bad(bad_mono), 0);
    CHECK("asm: amomax.d random", M.rmax_d, e_rmax_d);
    CHECK("asm: amomin.d random", M.rmin_d, e_rmin_d);
    CHECK("asm: amomaxu.d random", M.rmaxu_d, e_rmaxu_d);
    CHECK("asm: amominu.d random", M.rminu_d, e_rminu_d);
    CHECK("asm: amomax.w random", M.rmax_w, (uint32_t)e_rmax_w);
    CHECK("asm: amominu.w random", M.rminu_w, e_rminu_w);
    CHECK("asm: amomin.d + amomax.d pair (min)", M.min_d, e_min_d);
    CHECK("asm: amomin.d + amomax.d pair (max)", M.max_d, e_max_d);
    CHECK("asm: amomaxu.w + amominu.w pair (max)", M.maxu_w, e_maxu_w);
    CHECK("asm: amomaxu.w + amominu.w pair (min)", M.minu_w, e_minu_w);
    uint64_t sd[NSLOT], sw[NSLOT], hw[NT], iw[NSLOT + NT];
    for (int k = 0; k < NSLOT; k++) {
        sd[k] = slot_d[k];
        sw[k] = slot_w[k];
    }
    for (int k = 0; k < NSLOT + NT; k++) {
        iw[k] = init_tok_w[k];
    }
    for (int t = 0; t < NT; t++) {
        hw[t] = held_w[t];
    }
    CHECK_TRUE("asm: amoswap.d token pool conserved", tokens_conserved(sd, held_d, init_tok));
    CHECK_TRUE("asm: amoswap.w token pool conserved", tokens_conserved(sw, hw, iw));
    CHECK_TRUE("asm: amoswap.d chain links every id once", chain_ok(chain_pred, chain_tail));
    CHECK("asm: bad returned values", sum_bad(bad_ret), 0);

    /* __atomic builtins */
    for (int k = 0; k < NSLOT; k++) {
        bslot[k] = init_tok[k];
    }
    for (int t = 0; t < NT; t++) {
        bheld[t] = init_tok[NSLOT + t];
    }
    B.sub_w = 0x12345678;
    run(builtin_worker);
    uint64_t e_lanes = 0, e_xr = 0, e_max = 0, e_f = 0;
    uint32_t e_sub = 0x12345678;
    uint16_t e_h[4] = { 0 };
    uint8_t e_b[8] = { 0 };
    for (int t = 0; t < NT; t++) {
        uint64_t l = 0;
        for (int i = 0; i < ITERS; i++) {
            l ^= 1ull << (lane_bit(t, i) + 16 * t);
            e_sub -= (uint32_t)(i & 15) + 1;
            e_xr ^= rvt_mix64(0x2000000ull + (uint64_t)t * ITERS + (uint64_t)i);
            uint64_t v = rvt_mix64(0x3000000ull + (uint64_t)t * ITERS + (uint64_t)i) >> 1;
            e_max = v > e_max ? v : e_max;
            if ((i & 3) == 0) {
                e_f = fstep(e_f);
            }
            if ((i & 7) == 0) {
                e_h[(i / 8 + t) & 3] += (uint16_t)(t + 1);
                e_b[(i / 8 + t * 3) & 7]++;
            }
        }
        e_lanes |= l;
        CHECKQ(rvt_name("builtin: thread %d lane", t), final_lane_d[t], l);
    }
    CHECK("builtin: fetch_add 64 total", B.add_d, e_add_d);
    CHECK("builtin: add_fetch 32 total (wrapping)", B.add_w, (uint32_t)(K32 * (uint32_t)NTOTAL));
    CHECK("builtin: fetch_sub 32 total", B.sub_w, e_sub);
    CHECK("builtin: fetch_or/and/xor lanes", B.lanes, e_lanes);
    CHECK("builtin: old values of own lane as expected", sum_bad(bad_lane), 0);
    CHECK("builtin: xor_fetch accumulation", B.xr, e_xr);
    CHECK_TRUE("builtin: exchange token pool conserved", tokens_conserved(bslot, bheld, init_tok));
    CHECK_TRUE("builtin: exchange chain links every id once", chain_ok(bchain_pred, B.chain));
    CHECK("builtin: bad returned values", sum_bad(bad_ret), 0);
    CHECK("builtin: compare_exchange maximum", B.cas_max, e_max);
    CHECK("builtin: compare_exchange step function", B.cas_f, e_f);
    for (int k = 0; k < 4; k++) {
        CHECK(rvt_name("builtin: 16-bit fetch_add h[%d]", k), B.h[k], e_h[k]);
    }
    for (int k = 0; k < 8; k++) {
        CHECK(rvt_name("builtin: 8-bit fetch_add b[%d]", k), B.b[k], e_b[k]);
    }
    return rvt_done("mt_amo");
}
