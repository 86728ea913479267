/* Integer benchmark: table-driven CRC-32, a sieve of Eratosthenes and a
 * 64-bit multiply/rotate hash mix.  Prints checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        }
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t c)
{
    c = ~c;
    while (n--) {
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return ~c;
}

static unsigned sieve(uint8_t *comp, unsigned n)
{
    memset(comp, 0, n);
    unsigned count = 0;
    for (unsigned i = 2; i < n; i++) {
        if (!comp[i]) {
            count++;
            for (unsigned j = i * 2; j < n; j += i) {
                comp[j] = 1;
            }
        }
    }
    return count;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v * 0x9e3779b97f4a7c15ull;
    h = (h << 27 | h >> 37) * 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 60;
    size_t n = 1 << 20;
    uint8_t *buf = malloc(n), *comp = malloc(2000000);
    uint64_t x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(x >> 56);
    }
    crc_init();
    uint32_t crc = 0;
    unsigned primes = 0;
    uint64_t h = 0;
    for (int r = 0; r < rounds; r++) {
        crc = crc32(buf, n, crc);
        primes += sieve(comp, 2000000);
        for (uint64_t i = 0; i < 1000000; i++) {
            h = mix(h, i ^ (uint64_t)r);
        }
    }
    printf("bench_int: crc %08x primes %u hash %016llx\n", crc, primes, (unsigned long long)h);
    return 0;
}
