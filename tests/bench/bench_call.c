/* Call-heavy benchmark: naive recursive Fibonacci plus many small
 * non-inlined functions called directly and through function pointers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

static NOINLINE uint64_t fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static NOINLINE uint64_t f_add(uint64_t a, uint64_t b) { return a + b; }
static NOINLINE uint64_t f_xor(uint64_t a, uint64_t b) { return a ^ (b << 1); }
static NOINLINE uint64_t f_mul(uint64_t a, uint64_t b) { return a * (b | 1); }
static NOINLINE uint64_t f_rot(uint64_t a, uint64_t b) { return a << (b & 7) | a >> (64 - (b & 7) - 1); }
static uint64_t (*const table[4])(uint64_t, uint64_t) = { f_add, f_xor, f_mul, f_rot };

static NOINLINE uint64_t leaf(uint64_t x, int depth)
{
    if (depth == 0) {
        return x + 1;
    }
    return leaf(x * 3 + (uint64_t)depth, depth - 1) ^ x;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 35;
    uint64_t r = fib(n);
    uint64_t acc = 1;
    for (uint64_t i = 0; i < 10000000; i++) {
        acc = table[(acc ^ i) & 3](acc, i);
        acc = f_add(acc, i);
    }
    uint64_t l = 0;
    for (int i = 0; i < 600000; i++) {
        l += leaf((uint64_t)i, 8);
    }
    printf("bench_call: fib(%u) = %llu, dispatch %016llx, leaf %llu\n", n, (unsigned long long)r,
           (unsigned long long)acc, (unsigned long long)l);
    return 0;
}
