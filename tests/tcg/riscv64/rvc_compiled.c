/* Ordinary C compiled twice: with -march=rv64gc (compiler emits compressed
 * instructions) and with -march=rv64g (no compressed code in this unit).
 * Checks results of a mixed workload and reports whether main() contains
 * 16-bit instructions.  Expected values were computed with a host build
 * of the same portable code. */
#include "rvtest.h"

#ifndef VARIANT
#define VARIANT "rvc_compiled"
#endif

struct item { uint32_t key; int16_t small; uint8_t tag; double w; };

static __attribute__((noinline)) uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        }
    }
    return ~c;
}

static __attribute__((noinline)) int classify(int x)
{
    switch (x % 11) {        /* jump table */
    case 0: return 7;
    case 1: return x * 3;
    case 2: return -x;
    case 3: return x >> 2;
    case 4: return x ^ 0x55;
    case 5: return 100;
    case 6: return x & 12;
    case 7: return x | 1;
    case 8: return x - 9;
    case 9: return x * x;
    default: return 42;
    }
}

static __attribute__((noinline)) void isort(struct item *it, int n)
{
    for (int i = 1; i < n; i++) {
        struct item t = it[i];
        int j = i - 1;
        while (j >= 0 && it[j].key > t.key) {
            it[j + 1] = it[j];
            j--;
        }
        it[j + 1] = t;
    }
}

static uint32_t mix32(uint32_t a, uint32_t b) { return (a * 31u + b) ^ (uint32_t)((int32_t)a >> 3); }
static int (*const fptrs[3])(int) = { classify, abs, classify };

static int count_compressed(const void *fn, int ninsn)
{
    const uint16_t *p = fn;
    int c = 0;
    for (int i = 0; i < ninsn; i++) {
        if ((*p & 3) != 3) {
            c++;
            p += 1;
        } else {
            p += 2;
        }
    }
    return c;
}

int main(void)
{
    static uint8_t buf[4096];
    static struct item items[200];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof(buf); i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (uint8_t)(seed >> 16);
    }
    CHECK("crc32 of LCG buffer", crc32(buf, sizeof(buf)), 0xc39b3ffau);

    int64_t acc = 0;
    for (int i = -500; i < 500; i++) {
        acc += fptrs[(i + 600) % 3](i);
    }
    CHECK("switch/function-pointer sum", acc, 2558973);

    for (int i = 0; i < 200; i++) {
        seed = seed * 1103515245u + 12345u;
        items[i].key = seed >> 8;
        items[i].small = (int16_t)(seed & 0xffff);
        items[i].tag = (uint8_t)i;
        items[i].w = (double)(int32_t)seed / 65536.0;
    }
    isort(items, 200);
    uint64_t h = 0;
    double wsum = 0;
    int sorted = 1;
    for (int i = 0; i < 200; i++) {
        h = h * 1000003u + items[i].tag + (uint64_t)(int64_t)items[i].small;
        wsum += items[i].w;
        if (i && items[i - 1].key > items[i].key) {
            sorted = 0;
        }
    }
    CHECK_TRUE("insertion sort ordered", sorted);
    CHECK("sorted permutation hash", h, 0xdd03f421edb56a40ull);
    CHECK("double sum (as int)", (int64_t)(wsum * 16.0), 578928);

    uint32_t m = 1;
    for (int i = 0; i < 1000; i++) {
        m = mix32(m, (uint32_t)i);
    }
    CHECK("int32 mix", (uint32_t)m, 0x769bd55bu);

    char s[64];
    snprintf(s, sizeof(s), "%s|%d|%x|%.3f", "rvc", -77, 0xbeefu, 2.0 / 3.0);
    CHECK_TRUE("snprintf formatting", strcmp(s, "rvc|-77|beef|0.667") == 0);
    printf("%s: compressed instructions in main: %s\n", VARIANT,
           count_compressed((const void *)main, 24) ? "yes" : "no");
    return rvt_done(VARIANT);
}
