/* Memory-bound benchmark: dependent loads chasing a random cyclic
 * permutation (Sattolo's algorithm) over a 64 MiB array of 64-bit
 * indices, so nearly every load misses the caches and the TLB. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 6000000;
    size_t n = (64u << 20) / sizeof(uint64_t);
    uint64_t *next = malloc(n * sizeof(uint64_t));
    if (!next) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        next[i] = i;
    }
    uint64_t x = 88172645463325252ull;
    for (size_t i = n - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t j = x % i;
        uint64_t t = next[i];
        next[i] = next[j];
        next[j] = t;
    }
    uint64_t p = 0, sum = 0;
    for (long s = 0; s < steps; s++) {
        p = next[p];
        sum += p;
    }
    printf("bench_mem: %zu MiB, %ld steps, end %llu sum %llu\n", (n * 8) >> 20, steps,
           (unsigned long long)p, (unsigned long long)sum);
    return 0;
}
