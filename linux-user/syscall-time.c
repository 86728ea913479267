/*
 * Time syscalls: clocks, sleeps, interval timers, timerfd, times.
 * struct timespec/timeval/itimerval/itimerspec/tms have identical 64-bit
 * layouts on riscv64 and x86-64.
 *
 * Sleeps interrupted by a host signal report -EINTR to the guest only when
 * a guest-visible signal is pending; otherwise they resume with the time
 * left (the kernel never wakes a sleeper for an ignored signal).
 */
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "linux-user/syscall.h"

static int64_t sys_clock_gettime(CpuState *cpu, const uint64_t *a)
{
    struct timespec ts;
    if (clock_gettime((clockid_t)a[0], &ts) < 0) {
        return -errno;
    }
    return lu_copy_to_guest(cpu, a[1], &ts, sizeof(ts));
}

static int64_t sys_clock_getres(CpuState *cpu, const uint64_t *a)
{
    struct timespec ts;
    if (clock_getres((clockid_t)a[0], &ts) < 0) {
        return -errno;
    }
    return a[1] ? lu_copy_to_guest(cpu, a[1], &ts, sizeof(ts)) : 0;
}

static int64_t sys_clock_settime(CpuState *cpu, const uint64_t *a)
{
    struct timespec ts;
    if (lu_copy_from_guest(cpu, &ts, a[1], sizeof(ts)) < 0) {
        return -EFAULT;
    }
    return lu_host_ret(clock_settime((clockid_t)a[0], &ts));
}

static int64_t sys_gettimeofday(CpuState *cpu, const uint64_t *a)
{
    struct timeval tv;
    struct timezone tz;
    if (gettimeofday(&tv, &tz) < 0) {
        return -errno;
    }
    if (a[0] && lu_copy_to_guest(cpu, a[0], &tv, sizeof(tv)) < 0) {
        return -EFAULT;
    }
    if (a[1] && lu_copy_to_guest(cpu, a[1], &tz, sizeof(tz)) < 0) {
        return -EFAULT;
    }
    return 0;
}

typedef struct SleepArgs {
    struct timespec ts;   /* time left, updated by the kernel */
} SleepArgs;

static long sleep_fn(void *opaque, const sigset_t *m)
{
    SleepArgs *s = opaque;
    long r = syscall(SYS_ppoll, NULL, 0, &s->ts, m, 8);
    return r > 0 ? 0 : r;
}

/*
 * Relative sleeps go through ppoll so that lu_masked_wait closes the race
 * with signals; absolute ones use clock_nanosleep (restarted on host
 * EINTRs the guest does not see).
 */
static int64_t do_sleep(CpuState *cpu, clockid_t clock, int flags, uint64_t req_addr,
                        uint64_t rem_addr)
{
    struct timespec req, rem;
    if (lu_copy_from_guest(cpu, &req, req_addr, sizeof(req)) < 0) {
        return -EFAULT;
    }
    if (req.tv_nsec < 0 || req.tv_nsec >= 1000000000 || req.tv_sec < 0) {
        return -EINVAL;
    }
    if (!(flags & TIMER_ABSTIME) &&
        (clock == CLOCK_MONOTONIC || clock == CLOCK_REALTIME)) {
        SleepArgs s = { .ts = req };
        int64_t r = lu_masked_wait(cpu, false, 0, sleep_fn, &s);
        if (r == -EINTR && rem_addr) {
            lu_copy_to_guest(cpu, rem_addr, &s.ts, sizeof(s.ts));
        }
        return r;
    }
    for (;;) {
        int r = clock_nanosleep(clock, flags, &req, &rem);
        if (r == 0) {
            return 0;
        }
        if (r != EINTR) {
            return -r;
        }
        if (lu_signal_pending_unblocked(cpu)) {
            if (rem_addr && !(flags & TIMER_ABSTIME)) {
                lu_copy_to_guest(cpu, rem_addr, &rem, sizeof(rem));
            }
            return -EINTR;
        }
        if (!(flags & TIMER_ABSTIME)) {
            req = rem;
        }
    }
}

static int64_t sys_nanosleep(CpuState *cpu, const uint64_t *a)
{
    return do_sleep(cpu, CLOCK_MONOTONIC, 0, a[0], a[1]);
}

static int64_t sys_clock_nanosleep(CpuState *cpu, const uint64_t *a)
{
    return do_sleep(cpu, (clockid_t)a[0], (int)a[1], a[2], a[3]);
}

static int64_t sys_getitimer(CpuState *cpu, const uint64_t *a)
{
    struct itimerval v;
    if (getitimer((int)a[0], &v) < 0) {
        return -errno;
    }
    return lu_copy_to_guest(cpu, a[1], &v, sizeof(v));
}

static int64_t sys_setitimer(CpuState *cpu, const uint64_t *a)
{
    struct itimerval v, old;
    if (a[1]) {
        if (lu_copy_from_guest(cpu, &v, a[1], sizeof(v)) < 0) {
            return -EFAULT;
        }
    } else {
        memset(&v, 0, sizeof(v));
    }
    if (setitimer((int)a[0], &v, &old) < 0) {
        return -errno;
    }
    return a[2] ? lu_copy_to_guest(cpu, a[2], &old, sizeof(old)) : 0;
}

static int64_t sys_times(CpuState *cpu, const uint64_t *a)
{
    struct tms t;
    clock_t r = times(&t);
    if (r == (clock_t)-1) {
        return -errno;
    }
    if (a[0] && lu_copy_to_guest(cpu, a[0], &t, sizeof(t)) < 0) {
        return -EFAULT;
    }
    return r;
}

static int64_t sys_timerfd_create(CpuState *cpu, const uint64_t *a)
{
    return lu_host_ret(timerfd_create((int)a[0], (int)a[1]));
}

static int64_t sys_timerfd_settime(CpuState *cpu, const uint64_t *a)
{
    struct itimerspec v, old;
    if (lu_copy_from_guest(cpu, &v, a[2], sizeof(v)) < 0) {
        return -EFAULT;
    }
    if (timerfd_settime(lu_fd(a[0]), (int)a[1], &v, &old) < 0) {
        return -errno;
    }
    return a[3] ? lu_copy_to_guest(cpu, a[3], &old, sizeof(old)) : 0;
}

static int64_t sys_timerfd_gettime(CpuState *cpu, const uint64_t *a)
{
    struct itimerspec v;
    if (timerfd_gettime(lu_fd(a[0]), &v) < 0) {
        return -errno;
    }
    return lu_copy_to_guest(cpu, a[1], &v, sizeof(v));
}

static const SyscallDef time_defs[] = {
    { RV_NR_clock_gettime, "clock_gettime", sys_clock_gettime, "dp", 0 },
    { RV_NR_clock_getres, "clock_getres", sys_clock_getres, "dp", 0 },
    { RV_NR_clock_settime, "clock_settime", sys_clock_settime, "dp", 0 },
    { RV_NR_gettimeofday, "gettimeofday", sys_gettimeofday, "pp", 0 },
    { RV_NR_nanosleep, "nanosleep", sys_nanosleep, "pp", 0 },
    { RV_NR_clock_nanosleep, "clock_nanosleep", sys_clock_nanosleep, "dxpp", 0 },
    { RV_NR_getitimer, "getitimer", sys_getitimer, "dp", 0 },
    { RV_NR_setitimer, "setitimer", sys_setitimer, "dpp", 0 },
    { RV_NR_times, "times", sys_times, "p", 0 },
    { RV_NR_timerfd_create, "timerfd_create", sys_timerfd_create, "dx", 0 },
    { RV_NR_timerfd_settime, "timerfd_settime", sys_timerfd_settime, "dxpp", 0 },
    { RV_NR_timerfd_gettime, "timerfd_gettime", sys_timerfd_gettime, "dp", 0 },
};

LU_TABLE(lu_time_syscalls, time_defs);
