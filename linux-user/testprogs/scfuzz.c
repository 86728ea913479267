/* Random guest syscalls with hostile arguments, for sanitizer runs (see README.md).
 * Leaves out calls that could change the host (chroot, setitimer, prlimit64 on
 * other pids, connect/sendto: no network traffic) or kill the fuzzer itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/time.h>
static void onalrm(int s) { (void)s; }
static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }
static long sc(long n, long a, long b, long c, long d, long e, long f) {
    register long a7 asm("a7") = n; register long a0 asm("a0") = a; register long a1 asm("a1") = b;
    register long a2 asm("a2") = c; register long a3 asm("a3") = d; register long a4 asm("a4") = e; register long a5 asm("a5") = f;
    asm volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5) : "memory");
    return a0;
}
static const int allowed[] = { 17, 19, 20, 21, 22, 23, 24, 29, 32, 43, 44, 46, 47, 48, 56, 57, 59, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 76, 77, 78, 79, 80, 81, 82, 83, 85, 86, 87, 88, 96, 98, 99, 100, 101, 102, 113, 114, 115, 123, 124, 132, 136, 137, 153, 155, 156, 158, 160, 163, 165, 166, 167, 168, 169, 172, 173, 174, 175, 176, 177, 178, 179, 198, 199, 200, 201, 202, 204, 205, 207, 208, 209, 210, 212, 222, 227, 232, 242, 259, 260, 278, 279, 285, 286, 287, 291, 293, 424, 435, 436, 439, 441, 258, 1000, -5 };
static char *buf;
static long arg(void) {
    switch (rnd() % 10) {
    case 0: return 0;
    case 1: return -1;
    case 2: return rnd() % 8;
    case 3: return (long)rnd();
    case 4: case 5: return (long)(buf + rnd() % 8000);
    case 6: return (long)(buf + 8192 + rnd() % 4096);  /* PROT_NONE page */
    case 7: return -100;
    case 8: return (long)(rnd() & 0xffffffffff);
    default: return rnd() % 4096;
    }
}
int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 100000;
    rs += argc > 2 ? atol(argv[2]) : 0;
    struct sigaction sa = { 0 }; sa.sa_handler = onalrm; sigaction(SIGALRM, &sa, 0);
    struct itimerval it = { { 0, 20000 }, { 0, 20000 } }; setitimer(ITIMER_REAL, &it, 0);
    buf = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(buf + 8192, 4096, PROT_NONE);
    for (long i = 0; i < iters; i++) {
        for (int k = 0; k < 8192; k += 8) *(uint64_t *)(buf + k) = rnd();
        for (int k = 0; k < 8192; k += 1 + rnd() % 64) buf[k] = 0;
        int n = allowed[rnd() % (sizeof allowed / sizeof allowed[0])];
        long a[6]; for (int j = 0; j < 6; j++) a[j] = arg();
        if (n == 56) a[2] &= ~(0100 | 01000 | 020000000 | 0200000); /* no O_CREAT/TRUNC/TMPFILE */
        if (n == 222) a[3] &= ~(0x10 | 0x100000);                  /* no MAP_FIXED(_NOREPLACE) */
        sc(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    printf("done %ld\n", iters);
    return 0;
}
