/* malloc/free/realloc/calloc stress (dynamically linked): 100000 random
 * operations over 4096 slots with sizes from 1 byte to 1 MiB (mmap-backed
 * chunks included), each block filled with a pattern that is verified
 * before it is freed or resized; aligned allocations. */
#include <malloc.h>
#include "rvtest.h"

static uint64_t st = 88172645463325252ull;
static uint64_t rnd(void)
{
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return st;
}

struct slot { uint8_t *p; size_t n; uint8_t tag; };

static int verify(const struct slot *s)
{
    for (size_t i = 0; i < s->n; i += 1 + i / 64) {
        if (s->p[i] != (uint8_t)(s->tag + i)) {
            return 0;
        }
    }
    return 1;
}

static void fill(struct slot *s)
{
    for (size_t i = 0; i < s->n; i++) {
        s->p[i] = (uint8_t)(s->tag + i);
    }
}

static size_t pick_size(void)
{
    uint64_t r = rnd() % 1000;
    if (r < 700) {
        return 1 + rnd() % 128;
    }
    if (r < 950) {
        return 1 + rnd() % 8192;
    }
    if (r < 995) {
        return 1 + rnd() % 200000;
    }
    return 1 + rnd() % (1 << 20);
}

int main(void)
{
    enum { SLOTS = 4096, OPS = 100000 };
    static struct slot s[SLOTS];
    int bad = 0, allocs = 0, frees = 0, reallocs = 0, callocs = 0;
    size_t peak = 0, live = 0;
    for (int op = 0; op < OPS; op++) {
        struct slot *x = &s[rnd() % SLOTS];
        uint64_t what = rnd() % 10;
        if (x->p && what < 4) {
            bad += !verify(x);
            free(x->p);
            live -= x->n;
            x->p = NULL;
            frees++;
        } else if (x->p && what < 7) {
            size_t old = x->n, nn = pick_size();
            uint8_t *q = realloc(x->p, nn);
            if (!q) {
                bad++;
                continue;
            }
            x->p = q;
            /* the common prefix must survive */
            struct slot tmp = { q, old < nn ? old : nn, x->tag };
            bad += !verify(&tmp);
            x->n = nn;
            live += nn - old;
            fill(x);
            reallocs++;
        } else if (!x->p) {
            x->n = pick_size();
            x->tag = (uint8_t)rnd();
            if (what == 9) {
                x->p = calloc(1, x->n);
                for (size_t i = 0; x->p && i < x->n; i += 97) {
                    bad += x->p[i] != 0;
                }
                callocs++;
            } else {
                x->p = malloc(x->n);
            }
            if (!x->p) {
                bad++;
                continue;
            }
            fill(x);
            live += x->n;
            allocs++;
        }
        if (live > peak) {
            peak = live;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (s[i].p) {
            bad += !verify(&s[i]);
            free(s[i].p);
        }
    }
    printf("allocs %d, callocs %d, reallocs %d, frees %d\n", allocs, callocs, reallocs, frees);
    CHECK("corrupted blocks", bad, 0);
    CHECK_TRUE("peak live bytes > 16MiB", peak > (16u << 20));

    int aligned_ok = 1;
    for (size_t al = 16; al <= 65536; al <<= 1) {
        void *p = NULL;
        if (posix_memalign(&p, al, 1000) != 0 || ((uintptr_t)p & (al - 1))) {
            aligned_ok = 0;
        }
        free(p);
        p = aligned_alloc(al, al * 2);
        if (!p || ((uintptr_t)p & (al - 1))) {
            aligned_ok = 0;
        }
        free(p);
    }
    CHECK_TRUE("posix_memalign/aligned_alloc alignment 16..64K", aligned_ok);
    void *big = malloc(64 << 20);
    CHECK_TRUE("malloc 64MiB", big != NULL);
    memset(big, 1, 64 << 20);
    free(big);
    CHECK_TRUE("malloc_usable_size >= request", ({ void *p = malloc(100);
        size_t u = malloc_usable_size(p); free(p); u >= 100; }));
    return rvt_done("malloc_stress");
}
