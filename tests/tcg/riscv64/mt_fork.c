/* fork() from a multi-threaded process:
 *  - while 3 worker threads are busy (one spinning on atomics, one in a
 *    malloc/free loop, one taking a mutex), the main thread forks 50
 *    times; every child uses malloc, printf into a pipe and exits with a
 *    status computed from it; the parent checks each line and each status
 *    through waitpid, and the workers' totals afterwards;
 *  - fork while another thread is blocked in read() on a pipe: the child
 *    (which has only the forking thread) writes into that pipe and wakes
 *    the parent's reader;
 *  - after the workers are gone, children create and join their own
 *    threads, and one forks again from one of its threads.
 * (Threads created in a child forked while other threads run are checked
 * in qemu_divergence.c: qemu-riscv64 7.2 aborts there.) */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rvtest.h"

enum { NFORK = 50, CHILD_THREADS = 3 };

static volatile int stop;
static uint64_t atomic_ctr, atomic_iters;
static uint64_t malloc_iters, malloc_bad;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t mutex_ctr, mutex_iters;

static void *spinner(void *arg)
{
    (void)arg;
    uint64_t n = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&atomic_ctr, 3, __ATOMIC_RELAXED);
        uint64_t cur = __atomic_load_n(&atomic_ctr, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&atomic_ctr, &cur, cur + 2, 1,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        }
        if ((++n & 63) == 0) {
            sched_yield();   /* leave the forking thread some CPU */
        }
    }
    atomic_iters = n;
    return NULL;
}

static void *mallocer(void *arg)
{
    (void)arg;
    uint64_t n = 0;
    void *keep[16] = { 0 };
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        size_t sz = 16 + (n * 37) % 3000;
        unsigned k = n % 16;
        free(keep[k]);
        unsigned char *p = malloc(sz);
        memset(p, (int)(n & 0xff), sz);
        malloc_bad += p[sz - 1] != (unsigned char)(n & 0xff);
        keep[k] = p;
        if ((++n & 63) == 0) {
            sched_yield();
        }
    }
    for (int k = 0; k < 16; k++) {
        free(keep[k]);
    }
    malloc_iters = n;
    return NULL;
}

static void *locker(void *arg)
{
    (void)arg;
    uint64_t n = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&mu);
        mutex_ctr += 5;
        pthread_mutex_unlock(&mu);
        n++;
        if ((n & 255) == 0) {
            sched_yield();
        }
    }
    mutex_iters = n;
    return NULL;
}

/* ---- child side ---- */
static uint64_t child_tsum[CHILD_THREADS];

static void *child_thread(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t *v = malloc(1000 * sizeof(*v));
    uint64_t s = 0;
    for (int i = 0; i < 1000; i++) {
        v[i] = (uint64_t)i * (t + 1);
    }
    for (int i = 0; i < 1000; i++) {
        s += v[i];
    }
    free(v);
    child_tsum[t] = s;
    return NULL;
}

static int expected_status(int i)
{
    /* sum over threads of (t+1) * 499500, plus the malloc'd sum */
    uint64_t s = 0;
    for (int t = 0; t < CHILD_THREADS; t++) {
        s += (uint64_t)(t + 1) * 499500;
    }
    s += (uint64_t)i * (i + 1) / 2;
    return (int)((s + (uint64_t)i * 7) % 251);
}

static void child_main(int i, int wfd, int threads)
{
    /* malloc in the child (the parent's mallocer may have held a lock) */
    int n = i + 1;
    uint64_t *a = malloc((size_t)n * sizeof(*a) + 100000);
    uint64_t s = 0;
    for (int k = 0; k < n; k++) {
        a[k] = (uint64_t)k;
    }
    for (int k = 0; k < n; k++) {
        s += a[k];
    }
    free(a);
    /* stdio into the pipe */
    FILE *f = fdopen(wfd, "w");
    if (!f) {
        _exit(252);
    }
    fprintf(f, "child %d: sum %" PRIu64 "\n", i, s);
    /* own threads */
    pthread_t th[CHILD_THREADS];
    for (int t = 0; t < CHILD_THREADS; t++) {
        if (!threads) {
            child_thread((void *)(intptr_t)t);
        } else if (pthread_create(&th[t], NULL, child_thread, (void *)(intptr_t)t) != 0) {
            _exit(253);
        }
    }
    uint64_t ts = 0;
    for (int t = 0; t < CHILD_THREADS; t++) {
        if (threads) {
            pthread_join(th[t], NULL);
        }
        ts += child_tsum[t];
    }
    fprintf(f, "child %d: threads %" PRIu64 "\n", i, ts);
    fclose(f);
    exit((int)((ts + s + (uint64_t)i * 7) % 251));
}

/* fork n children one after the other, check their output and status */
static int fork_children(int n, int threads)
{
    int status_ok = 1, lines_ok = 1, pid_ok = 1;
    for (int i = 0; i < n; i++) {
        int p[2];
        pipe(p);
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            close(p[0]);
            child_main(i, p[1], threads);
        }
        close(p[1]);
        pid_ok &= c > 0;
        char buf[256], want[256];
        size_t got = 0;
        ssize_t r;
        while (got < sizeof(buf) - 1 && (r = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0) {
            got += (size_t)r;
        }
        buf[got] = 0;
        close(p[0]);
        uint64_t ts = 0;
        for (int t = 0; t < CHILD_THREADS; t++) {
            ts += (uint64_t)(t + 1) * 499500;
        }
        snprintf(want, sizeof(want), "child %d: sum %d\nchild %d: threads %" PRIu64 "\n",
                 i, i * (i + 1) / 2, i, ts);
        if (strcmp(buf, want) != 0) {
            lines_ok = 0;
            printf("  child %d wrote: %s", i, buf);
        }
        int st = -1;
        pid_ok &= waitpid(c, &st, 0) == c;
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == expected_status(i))) {
            status_ok = 0;
            printf("  child %d: status 0x%x, want exit %d\n", i, st, expected_status(i));
        }
    }
    return pid_ok << 2 | lines_ok << 1 | status_ok;
}

static void test_fork_busy(void)
{
    pthread_t w[3];
    pthread_create(&w[0], NULL, spinner, NULL);
    pthread_create(&w[1], NULL, mallocer, NULL);
    pthread_create(&w[2], NULL, locker, NULL);
    /* let the workers get going */
    while (__atomic_load_n(&atomic_ctr, __ATOMIC_RELAXED) < 1000) {
        sched_yield();
    }
    int ok = fork_children(NFORK, 0);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int k = 0; k < 3; k++) {
        pthread_join(w[k], NULL);
    }
    CHECK_TRUE("busy fork: fork and waitpid returned the child", ok & 4);
    CHECK_TRUE("busy fork: every child's output through the pipe", ok & 2);
    CHECK_TRUE("busy fork: every child's exit status", ok & 1);
    CHECK("busy fork: no children left", wait(NULL) == -1 && errno == ECHILD, 1);
    CHECK_TRUE("parent spinner: counter == 5 * iterations", atomic_ctr == 5 * atomic_iters);
    CHECK_TRUE("parent mutex: counter == 5 * iterations", mutex_ctr == 5 * mutex_iters);
    CHECK("parent mallocer: bad bytes", malloc_bad, 0);
    CHECK_TRUE("parent workers made progress", atomic_iters > 0 && mutex_iters > 0 &&
               malloc_iters > 0);
}

/* ---- fork while another thread blocks in read() ---- */
static int bp[2];
static volatile int reader_in;
static char rbuf[64];
static ssize_t rlen;

static void *blocked_reader(void *arg)
{
    (void)arg;
    __atomic_store_n(&reader_in, 1, __ATOMIC_RELEASE);
    rlen = read(bp[0], rbuf, sizeof(rbuf) - 1);
    return NULL;
}

static void test_fork_blocked_read(void)
{
    pipe(bp);
    pthread_t th;
    pthread_create(&th, NULL, blocked_reader, NULL);
    struct timespec ms = { 0, 1000000 };
    for (int k = 0; k < 10000 && !__atomic_load_n(&reader_in, __ATOMIC_ACQUIRE); k++) {
        nanosleep(&ms, NULL);
    }
    CHECKQ_TRUE("blocked read: the reader thread started (within 10 s)", reader_in);
    if (!reader_in) {
        return;   /* no join: it may never have existed */
    }
    struct timespec ts = { 0, 20 * 1000000 };
    nanosleep(&ts, NULL);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        /* only this thread exists here; the pipe is shared with the parent */
        const char msg[] = "hello from the child";
        ssize_t w = write(bp[1], msg, sizeof(msg) - 1);
        _exit(w == (ssize_t)sizeof(msg) - 1 ? 33 : 1);
    }
    int st = -1;
    CHECK_TRUE("blocked read: waitpid", waitpid(c, &st, 0) == c);
    CHECK_TRUE("blocked read: child exit status 33", WIFEXITED(st) && WEXITSTATUS(st) == 33);
    pthread_join(th, NULL);
    CHECK("blocked read: parent's reader got the child's bytes", rlen, 20);
    CHECK_TRUE("blocked read: data", memcmp(rbuf, "hello from the child", 20) == 0);
    close(bp[0]);
    close(bp[1]);
}

/* ---- a threaded child forks from one of its threads ---- */
static void *forking_thread(void *arg)
{
    (void)arg;
    pid_t g = fork();
    if (g == 0) {
        char *s = malloc(64);
        snprintf(s, 64, "%d", 4321);
        _exit(atoi(s) % 200);   /* 121 */
    }
    int st = -1;
    if (waitpid(g, &st, 0) != g || !WIFEXITED(st)) {
        return (void *)(intptr_t)-1;
    }
    return (void *)(intptr_t)WEXITSTATUS(st);
}

static void test_fork_from_thread(void)
{
    /* the workers of test_fork_busy have exited: children can have threads */
    int ok = fork_children(10, 1);
    CHECK("threaded children: every child's output and status", ok, 7);

    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        pthread_t th;
        void *ret = NULL;
        pthread_create(&th, NULL, forking_thread, NULL);
        pthread_join(th, &ret);
        _exit((int)(intptr_t)ret == 121 ? 44 : 2);
    }
    int st = -1;
    waitpid(c, &st, 0);
    CHECK_TRUE("fork from a child's thread: grandchild status seen",
               WIFEXITED(st) && WEXITSTATUS(st) == 44);
}

int main(void)
{
    test_fork_busy();
    test_fork_blocked_read();
    test_fork_from_thread();
    return rvt_done("mt_fork");
}
