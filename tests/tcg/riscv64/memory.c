/* brk/sbrk growth and shrink, anonymous and file-backed mmap (shared and
 * private), munmap, mprotect, MAP_FIXED, mremap, madvise(DONTNEED) and a
 * large sparse reservation. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "rvtest.h"

static uint64_t sum(const uint8_t *p, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s = s * 31 + p[i];
    }
    return s;
}

int main(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    CHECK("page size", pg, 4096);

    /* brk */
    char *b0 = sbrk(0);
    CHECK_TRUE("sbrk(0) non-null", b0 != (char *)-1 && b0 != NULL);
    char *b1 = sbrk(1 << 20);
    CHECK_TRUE("sbrk(+1MiB) returns old break", b1 == b0);
    memset(b1, 0xab, 1 << 20);
    CHECK("grown heap writable", (uint8_t)b1[(1 << 20) - 1], 0xab);
    CHECK_TRUE("break moved by 1MiB", (char *)sbrk(0) == b0 + (1 << 20));
    sbrk(-(1 << 19));
    CHECK_TRUE("sbrk(-512KiB) shrinks", (char *)sbrk(0) == b0 + (1 << 19));
    CHECK("brk(b0) restores", brk(b0), 0);
    CHECK_TRUE("break restored", (char *)sbrk(0) == b0);
    sbrk(pg);
    CHECK("re-grown page is zero", (uint8_t)b0[100], 0);
    sbrk(-pg);

    /* anonymous mmap */
    size_t len = 4 << 20;
    uint8_t *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_TRUE("mmap 4MiB", a != MAP_FAILED);
    CHECK_TRUE("page aligned", ((uintptr_t)a & (pg - 1)) == 0);
    CHECK("fresh anonymous memory is zero", sum(a, len), 0);
    for (size_t i = 0; i < len; i += 4093) {
        a[i] = (uint8_t)(i >> 7);
    }
    CHECK("pattern checksum", sum(a, len), 0x44c4eacee34fdf08ull);

    /* munmap a hole in the middle, remap it with MAP_FIXED */
    CHECK("munmap middle page", munmap(a + 8 * pg, pg), 0);
    uint8_t *f = mmap(a + 8 * pg, pg, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK_TRUE("MAP_FIXED at the hole", f == a + 8 * pg);
    CHECK("hole page is zero again", sum(f, pg), 0);
    uint8_t *g = mmap(a, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK_TRUE("MAP_FIXED over existing mapping", g == a);
    CHECK("replaced page reads zero", a[0], 0);

    /* mremap grow with move; contents preserved */
    uint8_t *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(m, 0x5c, 2 * pg);
    uint8_t *m2 = mremap(m, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
    CHECK_TRUE("mremap grow", m2 != MAP_FAILED);
    CHECK("mremap preserved data", m2[2 * pg - 1], 0x5c);
    CHECK("mremap new tail zero", m2[63 * pg], 0);
    munmap(m2, 64 * pg);

    /* madvise(MADV_DONTNEED) on private anonymous memory zero-fills */
    a[20 * pg] = 9;
    CHECK("madvise DONTNEED", madvise(a + 20 * pg, pg, MADV_DONTNEED), 0);
    CHECK("page reads zero after DONTNEED", a[20 * pg], 0);

    /* mprotect round trip */
    CHECK("mprotect PROT_READ", mprotect(a + pg, pg, PROT_READ), 0);
    CHECK("mprotect PROT_READ|PROT_WRITE", mprotect(a + pg, pg, PROT_READ | PROT_WRITE), 0);
    a[pg + 5] = 5;
    CHECK("writable again", a[pg + 5], 5);
    CHECK("mprotect unaligned fails EINVAL", mprotect(a + 1, pg, PROT_READ) == -1 && errno == EINVAL, 1);
    CHECK("munmap whole", munmap(a, len), 0);

    /* file-backed: shared writes reach the file, private ones do not */
    char path[] = "/tmp/rove-memory-XXXXXX";
    int fd = mkstemp(path);
    CHECK_TRUE("mkstemp", fd >= 0);
    unlink(path);
    CHECK("ftruncate 3 pages", ftruncate(fd, 3 * pg), 0);
    uint8_t *sh = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK_TRUE("mmap MAP_SHARED", sh != MAP_FAILED);
    memcpy(sh + pg + 10, "shared!", 7);
    CHECK("msync", msync(sh, 3 * pg, MS_SYNC), 0);
    char rb[8] = { 0 };
    pread(fd, rb, 7, pg + 10);
    CHECK_TRUE("MAP_SHARED write visible via pread", memcmp(rb, "shared!", 7) == 0);
    pwrite(fd, "FILE", 4, 2 * pg);
    CHECK_TRUE("pwrite visible in shared mapping", memcmp(sh + 2 * pg, "FILE", 4) == 0);
    uint8_t *pv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, pg);
    CHECK_TRUE("mmap MAP_PRIVATE with offset", pv != MAP_FAILED);
    CHECK_TRUE("private mapping sees file data", memcmp(pv + 10, "shared!", 7) == 0);
    pv[10] = 'X';
    pread(fd, rb, 1, pg + 10);
    CHECK("private write not in file", rb[0], 's');
    CHECK("shared mapping unaffected", sh[pg + 10], 's');
    munmap(pv, pg);
    munmap(sh, 3 * pg);
    close(fd);

    /* large sparse reservation: 1 GiB PROT_NONE, commit a few pages */
    size_t big = 1ull << 30;
    uint8_t *r = mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK_TRUE("reserve 1GiB PROT_NONE", r != MAP_FAILED);
    CHECK("commit last page", mprotect(r + big - pg, pg, PROT_READ | PROT_WRITE), 0);
    r[big - 1] = 0x77;
    CHECK("write at end of reservation", r[big - 1], 0x77);
    CHECK("munmap reservation", munmap(r, big), 0);
    CHECK("munmap of unaligned address fails EINVAL", munmap((void *)0x1001, pg) == -1 &&
          errno == EINVAL, 1);
    return rvt_done("memory");
}
