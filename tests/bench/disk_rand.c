/*
 * Random 4 KiB I/O on a block device, for run-disk-bench.py.
 *
 *   disk_rand DEVICE read|write [OPS [SEED]]
 *   disk_rand -t PROGRAM [ARG...]
 *
 * Opens DEVICE with O_DIRECT (the guest's page cache is bypassed: every
 * operation is one virtio request), then does OPS (default 4000) preads
 * or pwrites of 4 KiB at 4 KiB-aligned offsets drawn over the whole device
 * by a fixed-seed xorshift64* generator (the same offsets under every
 * emulator); writes end with one fdatasync, which is counted.  Prints
 *
 *   disk_rand MODE: OPS ops in SECONDS s = IOPS IOPS (guest clock)
 *
 * with the time taken by clock_gettime(CLOCK_MONOTONIC) inside the guest,
 * and a checksum of what was read (reads) so that both emulators can be
 * seen to return the same data.  Exit status 1 on any error.
 *
 * With -t it runs PROGRAM (busybox dd for the sequential workloads, whose
 * dd prints no timing) and prints "elapsed SECONDS s (guest clock)" after
 * it, exiting with its status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * UINT64_C(2685821657736338717);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr, "usage: disk_rand DEVICE read|write [OPS [SEED]] | disk_rand -t PROGRAM [ARG...]\n");
    exit(1);
}

/* -t: PROGRAM's wall time on the guest's clock. */
static int time_program(char **argv)
{
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "disk_rand: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "disk_rand: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0) {
        fprintf(stderr, "disk_rand: waitpid: %s\n", strerror(errno));
        return 1;
    }
    printf("elapsed %.3f s (guest clock)\n", now() - t0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "-t") == 0) {
        return time_program(argv + 2);
    }
    if (argc < 3 || argc > 5) {
        usage();
    }
    const char *dev = argv[1];
    int writing;
    if (strcmp(argv[2], "read") == 0) {
        writing = 0;
    } else if (strcmp(argv[2], "write") == 0) {
        writing = 1;
    } else {
        usage();
    }
    char *end;
    long ops = 4000;
    if (argc > 3) {
        ops = strtol(argv[3], &end, 0);
        if (*end || ops <= 0) {
            fprintf(stderr, "disk_rand: bad operation count '%s'\n", argv[3]);
            return 1;
        }
    }
    rng_state = UINT64_C(0x9e3779b97f4a7c15);
    if (argc > 4) {
        rng_state = strtoull(argv[4], &end, 0);
        if (*end || rng_state == 0) {
            fprintf(stderr, "disk_rand: bad seed '%s' (a non-zero number)\n", argv[4]);
            return 1;
        }
    }

    int fd = open(dev, (writing ? O_RDWR : O_RDONLY) | O_DIRECT);
    if (fd < 0) {
        fprintf(stderr, "disk_rand: %s: %s\n", dev, strerror(errno));
        return 1;
    }
    uint64_t size = 0;
    if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
        off_t s = lseek(fd, 0, SEEK_END);
        size = s > 0 ? (uint64_t)s : 0;
    }
    uint64_t blocks = size / BLOCK;
    if (blocks == 0) {
        fprintf(stderr, "disk_rand: %s: smaller than %d bytes\n", dev, BLOCK);
        return 1;
    }
    unsigned char *buf;
    if (posix_memalign((void **)&buf, BLOCK, BLOCK) != 0) {
        fprintf(stderr, "disk_rand: out of memory\n");
        return 1;
    }
    memset(buf, 0xa5, BLOCK);

    uint64_t sum = 0;
    double t0 = now();
    for (long i = 0; i < ops; i++) {
        off_t off = (off_t)((rng_next() % blocks) * BLOCK);
        ssize_t n;
        if (writing) {
            buf[0] = (unsigned char)i; /* not all blocks alike */
            n = pwrite(fd, buf, BLOCK, off);
        } else {
            n = pread(fd, buf, BLOCK, off);
            for (int j = 0; j < BLOCK; j += 512) {
                sum = sum * 31 + buf[j];
            }
        }
        if (n != BLOCK) {
            fprintf(stderr, "disk_rand: %s at %lld: %s\n", writing ? "pwrite" : "pread",
                    (long long)off, n < 0 ? strerror(errno) : "short transfer");
            return 1;
        }
    }
    if (writing && fdatasync(fd) < 0) {
        fprintf(stderr, "disk_rand: fdatasync: %s\n", strerror(errno));
        return 1;
    }
    double t = now() - t0;
    close(fd);
    printf("disk_rand %s: %ld ops in %.3f s = %.0f IOPS (guest clock)", argv[2], ops, t,
           t > 0 ? (double)ops / t : 0.0);
    if (!writing) {
        printf(", checksum %016" PRIx64, sum);
    }
    printf("\n");
    return 0;
}
