/* Parallel benchmark: a fixed amount of CPU-bound work split among N
 * guest threads (argument 1: 1, 2 or 4; argument 2: work size, default 1024
 * chunks).  Each chunk fills a per-thread 512 KiB buffer from a 64-bit
 * multiply/rotate hash, runs mixing passes over it (strided loads and
 * stores) and reduces it to one value that depends only on the chunk's
 * index.  The chunks are split into contiguous blocks, one per thread;
 * each thread adds its sum to the total with one atomic add at the end,
 * so the checksum is the same for any thread count.  Prints it. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BUF_WORDS (1u << 16) /* 512 KiB per thread */
#define PASSES 6

static unsigned nchunks;
static unsigned nthreads;
static uint64_t total;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v * 0x9e3779b97f4a7c15ull;
    h = (h << 27 | h >> 37) * 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

static uint64_t chunk(uint64_t *buf, unsigned c)
{
    uint64_t h = 0x243f6a8885a308d3ull ^ c;
    for (unsigned j = 0; j < BUF_WORDS; j++) {
        h = mix(h, j);
        buf[j] = h;
    }
    /* Passes: each word mixed with one a pass-dependent stride away. */
    for (unsigned p = 0; p < PASSES; p++) {
        unsigned stride = (2u * p + 1) * 4099u;
        for (unsigned j = 0; j < BUF_WORDS; j++) {
            uint64_t a = buf[j], b = buf[(j + stride) & (BUF_WORDS - 1)];
            buf[j] = mix(a, b + p);
        }
    }
    uint64_t s = 0;
    for (unsigned j = 0; j < BUF_WORDS; j++) {
        s += buf[j] ^ (s >> 7);
    }
    return s;
}

static void *worker(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    unsigned lo = (unsigned)((uint64_t)nchunks * t / nthreads);
    unsigned hi = (unsigned)((uint64_t)nchunks * (t + 1) / nthreads);
    uint64_t *buf = malloc(BUF_WORDS * sizeof(uint64_t));
    if (!buf) {
        perror("malloc");
        exit(1);
    }
    uint64_t sum = 0;
    for (unsigned c = lo; c < hi; c++) {
        sum += chunk(buf, c);
    }
    free(buf);
    __atomic_fetch_add(&total, sum, __ATOMIC_RELAXED);
    return NULL;
}

int main(int argc, char **argv)
{
    nthreads = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    nchunks = argc > 2 ? (unsigned)atoi(argv[2]) : 1024;
    if (nthreads < 1 || nthreads > 64) {
        fprintf(stderr, "bench_parallel: thread count must be 1..64\n");
        return 2;
    }
    pthread_t tid[64];
    for (unsigned t = 0; t < nthreads; t++) {
        int e = pthread_create(&tid[t], NULL, worker, (void *)(uintptr_t)t);
        if (e) {
            fprintf(stderr, "bench_parallel: pthread_create: error %d\n", e);
            return 1;
        }
    }
    for (unsigned t = 0; t < nthreads; t++) {
        pthread_join(tid[t], NULL);
    }
    printf("bench_parallel: chunks %u checksum %016llx\n", nchunks,
           (unsigned long long)__atomic_load_n(&total, __ATOMIC_RELAXED));
    return 0;
}
