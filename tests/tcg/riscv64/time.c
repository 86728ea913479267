/* clock_gettime (several clocks), clock_getres, gettimeofday, time(),
 * nanosleep/clock_nanosleep durations, CPU-time clocks.  Only facts that
 * are deterministic are printed. */
#define _GNU_SOURCE
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "rvtest.h"

static int64_t ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t now(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return ns(&t);
}

int main(void)
{
    struct timespec t0, t1, res;
    int mono = 1;
    int64_t prev = now(CLOCK_MONOTONIC);
    for (int i = 0; i < 20000; i++) {
        int64_t n = now(CLOCK_MONOTONIC);
        if (n < prev) {
            mono = 0;
        }
        prev = n;
    }
    CHECK_TRUE("CLOCK_MONOTONIC monotonic over 20000 reads", mono);
    CHECK("clock_getres(MONOTONIC) ok", clock_getres(CLOCK_MONOTONIC, &res), 0);
    CHECK_TRUE("MONOTONIC resolution <= 1ms", res.tv_sec == 0 && res.tv_nsec <= 1000000);
    CHECK("clock_gettime(REALTIME)", clock_gettime(CLOCK_REALTIME, &t0), 0);
    CHECK_TRUE("REALTIME after 2020", t0.tv_sec > 1577836800);
    CHECK_TRUE("tv_nsec in range", t0.tv_nsec >= 0 && t0.tv_nsec < 1000000000);
    struct timeval tv;
    CHECK("gettimeofday", gettimeofday(&tv, NULL), 0);
    CHECK_TRUE("gettimeofday within 2s of REALTIME", tv.tv_sec - t0.tv_sec <= 2 &&
               tv.tv_sec - t0.tv_sec >= -2);
    CHECK_TRUE("tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    time_t tt = time(NULL);
    CHECK_TRUE("time() within 2s of REALTIME", tt - t0.tv_sec <= 2 && tt - t0.tv_sec >= -2);
    CHECK("clock_gettime(BOOTTIME)", clock_gettime(CLOCK_BOOTTIME, &t1), 0);
    CHECK("clock_gettime(MONOTONIC_RAW)", clock_gettime(CLOCK_MONOTONIC_RAW, &t1), 0);
    CHECK("clock_gettime(REALTIME_COARSE)", clock_gettime(CLOCK_REALTIME_COARSE, &t1), 0);
    CHECK("invalid clock id fails", clock_gettime((clockid_t)12345, &t1), -1);

    /* sleeps last at least as long as requested */
    int64_t a = now(CLOCK_MONOTONIC);
    struct timespec req = { 0, 50 * 1000000 };
    CHECK("nanosleep 50ms", nanosleep(&req, NULL), 0);
    int64_t el = now(CLOCK_MONOTONIC) - a;
    CHECK_TRUE("nanosleep slept >= 50ms", el >= 50000000);
    CHECK_TRUE("nanosleep slept < 5s", el < 5000000000ll);
    a = now(CLOCK_MONOTONIC);
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 30 * 1000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    CHECK("clock_nanosleep TIMER_ABSTIME", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), 0);
    CHECK_TRUE("reached absolute deadline", now(CLOCK_MONOTONIC) >= ns(&abs));
    CHECK("usleep(10ms)", usleep(10000), 0);
    CHECK_TRUE("usleep took >= 10ms", now(CLOCK_MONOTONIC) - a >= 40000000);

    /* CPU time advances with work */
    int64_t c0 = now(CLOCK_PROCESS_CPUTIME_ID), th0 = now(CLOCK_THREAD_CPUTIME_ID);
    volatile uint64_t x = 1;
    while (now(CLOCK_PROCESS_CPUTIME_ID) - c0 < 20000000) {
        for (int i = 0; i < 10000; i++) {
            x = x * 3 + 1;
        }
    }
    CHECK_TRUE("PROCESS_CPUTIME advanced 20ms", now(CLOCK_PROCESS_CPUTIME_ID) - c0 >= 20000000);
    CHECK_TRUE("THREAD_CPUTIME advanced", now(CLOCK_THREAD_CPUTIME_ID) > th0);
    struct tms tm;
    CHECK_TRUE("times() succeeds", times(&tm) != (clock_t)-1);
    CHECK("sysconf(_SC_CLK_TCK)", sysconf(_SC_CLK_TCK), 100);
    /* gmtime/strftime of a fixed instant (no timezone dependence) */
    time_t fixed = 1700000000;
    struct tm g;
    gmtime_r(&fixed, &g);
    char buf[64];
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &g);
    printf("gmtime(1700000000) = %s\n", buf);
    CHECK_TRUE("gmtime/strftime", strcmp(buf, "2023-11-14 22:13:20") == 0);
    return rvt_done("time");
}
