/* Rove demo: a riscv64 Linux program that does a little real work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_prime(unsigned n)
{
    if (n < 2) {
        return 0;
    }
    for (unsigned d = 2; d * d <= n; d++) {
        if (n % d == 0) {
            return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    const char *who = argc > 1 ? argv[1] : "world";
    unsigned count = 0, last = 0;
    for (unsigned n = 0; n < 100000; n++) {
        if (is_prime(n)) {
            count++;
            last = n;
        }
    }
    double x = 1.0;
    for (int i = 0; i < 20; i++) {
        x = x / 2 + 1 / x; /* Newton's iteration for sqrt(2) */
    }
    printf("Hello, %s, from riscv64!\n", who);
    printf("%u primes below 100000, the largest %u; sqrt(2) = %.15f\n", count, last, x);
    return strcmp(who, "fail") == 0;
}
