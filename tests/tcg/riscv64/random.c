/* getrandom(): sizes, flags, distinct outputs and a coarse uniformity check;
 * /dev/urandom reads.  Prints only deterministic facts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "rvtest.h"

int main(void)
{
    uint8_t a[64], b[64];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    CHECK("getrandom 64 bytes", getrandom(a, sizeof(a), 0), 64);
    CHECK("getrandom GRND_NONBLOCK", getrandom(b, sizeof(b), GRND_NONBLOCK), 64);
    CHECK_TRUE("two draws differ", memcmp(a, b, sizeof(a)) != 0);
    int nz = 0;
    for (int i = 0; i < 64; i++) {
        nz += a[i] != 0;
    }
    CHECK_TRUE("not all zero", nz > 32);
    CHECK("getrandom 0 bytes", getrandom(a, 0, 0), 0);
    CHECK("raw syscall getrandom 16", syscall(SYS_getrandom, a, 16, 0), 16);
    CHECK("invalid flags -> EINVAL", getrandom(a, 8, 0x4000) == -1 && errno == EINVAL, 1);

    /* 256 KiB: every byte value should appear roughly 1024 times */
    static uint8_t big[1 << 18];
    size_t got = 0;
    while (got < sizeof(big)) {
        ssize_t r = getrandom(big + got, sizeof(big) - got, 0);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    CHECK("filled 256KiB", got, sizeof(big));
    static int hist[256];
    for (size_t i = 0; i < sizeof(big); i++) {
        hist[big[i]]++;
    }
    int lo = 1 << 30, hi = 0;
    for (int i = 0; i < 256; i++) {
        lo = hist[i] < lo ? hist[i] : lo;
        hi = hist[i] > hi ? hist[i] : hi;
    }
    CHECK_TRUE("byte histogram within [700, 1400]", lo > 700 && hi < 1400);

    int fd = open("/dev/urandom", O_RDONLY);
    CHECK_TRUE("open /dev/urandom", fd >= 0);
    CHECK("read /dev/urandom 32 bytes", read(fd, a, 32), 32);
    close(fd);
    return rvt_done("random");
}
