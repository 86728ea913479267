/*
 * Stand-alone driver for a fuzz target (no libFuzzer needed):
 *   fuzz-driver ITERATIONS SEED FILE...
 * runs every FILE as is, then ITERATIONS random mutations of them (bit
 * flips, byte overwrites with interesting values, truncation, insertion of
 * random runs), deterministic for a given SEED.  Meant to run under
 * AddressSanitizer/UBSan in the test suite; a crash is the failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(buf, 1, n > 0 ? (size_t)n : 0, f);
    fclose(f);
    return buf;
}

static void mutate(uint8_t *buf, size_t *len, size_t cap)
{
    static const uint64_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff,
                                            0xffffffff, 0x8000000000000000ull, ~0ull, 56, 64 };
    int n = 1 + (int)(rng() % 8);
    for (int k = 0; k < n && *len; k++) {
        size_t pos = rng() % *len;
        /* Bias towards the headers, where the parser looks most. */
        if (rng() % 2) {
            pos %= (*len < 256 ? *len : 256);
        }
        switch (rng() % 5) {
        case 0:
            buf[pos] ^= (uint8_t)(1u << (rng() % 8));
            break;
        case 1:
            buf[pos] = (uint8_t)rng();
            break;
        case 2: {
            uint64_t v = interesting[rng() % (sizeof(interesting) / sizeof(interesting[0]))];
            size_t w = (size_t)1 << (rng() % 4);
            if (pos + w <= *len) {
                memcpy(buf + pos, &v, w);
            }
            break;
        }
        case 3:
            *len = pos;
            break;
        default:
            if (*len < cap) {
                size_t add = rng() % (cap - *len + 1);
                memmove(buf + pos + add, buf + pos, *len - pos);
                for (size_t i = 0; i < add; i++) {
                    buf[pos + i] = (uint8_t)rng();
                }
                *len += add;
            }
            break;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: fuzz-driver ITERATIONS SEED FILE...\n");
        return 2;
    }
    long iters = strtol(argv[1], NULL, 0);
    rng_state = strtoull(argv[2], NULL, 0) | 1;
    int nfiles = argc - 3;
    uint8_t **files = calloc(nfiles, sizeof(*files));
    size_t *lens = calloc(nfiles, sizeof(*lens));
    for (int i = 0; i < nfiles; i++) {
        files[i] = read_file(argv[3 + i], &lens[i]);
        if (!files[i]) {
            fprintf(stderr, "fuzz-driver: cannot read %s\n", argv[3 + i]);
            return 2;
        }
        LLVMFuzzerTestOneInput(files[i], lens[i]);
    }
    for (long it = 0; it < iters; it++) {
        int f = (int)(rng() % nfiles);
        size_t cap = lens[f] + 4096;
        uint8_t *buf = malloc(cap);
        size_t len = lens[f];
        memcpy(buf, files[f], len);
        mutate(buf, &len, cap);
        /* An exact-size copy so ASan catches reads past the end. */
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, buf, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        free(buf);
    }
    printf("%ld mutated inputs, no crash\n", iters);
    for (int i = 0; i < nfiles; i++) {
        free(files[i]);
    }
    free(files);
    free(lens);
    return 0;
}
