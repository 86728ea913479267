/*
 * Two tiers of translation (system mode).
 *
 * A new TB is made plain first (CF_TIER0: one guest basic block, no
 * superblock, no optimiser).  Most TBs of a boot run a few times and never
 * pay back a superblock's or the optimiser's longer translation; the few
 * that turn hot are made again in full, in their place (cpu-exec.c:
 * tier_promote).
 *
 * Hot is found by sampling, so generated code carries no counter.  Each
 * vCPU thread has a timer on its own CPU time (it only runs while the
 * thread does: an idle guest costs nothing); its signal sets the vCPU's
 * exit_request, so the next TB the vCPU enters leaves at its entry check
 * (TB_EXIT_REQUESTED) and cpu_exec learns which TB that was.  A TB is
 * sampled in proportion to the time spent in it and just before it; one
 * sampled hot_samples times (2) is promoted.  Any other exit request (an
 * interrupt, a device) counts as a sample too, which does no harm.
 *
 * The kernel fires thread CPU-time timers on its scheduler tick, so the
 * rate is at most the host's HZ (250 on Debian's kernels): a Linux boot
 * gets about a hundred samples, a program that runs for a second a few
 * hundred -- enough to find its loops within milliseconds.
 *
 * ROVE_TIERS=0 makes every TB a superblock at once (as user mode does:
 * its threads are guest threads, whose system calls a timer signal would
 * interrupt); ROVE_TIER_HOT=N sets hot_samples; ROVE_TIER_PERIOD_US
 * the timer's period.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "accel/tcg/internal.h"

static uint32_t first_cflags;
static unsigned hot_samples = 2;
static long period_us = 1000;
static pthread_once_t tiers_once = PTHREAD_ONCE_INIT;

static void tiers_read_config(void)
{
    const char *e = getenv("ROVE_TIERS");
    bool on = accel_mode->system && superblocks_enabled() && !(e && strcmp(e, "0") == 0);
    first_cflags = on ? CF_TIER0 : 0;
    e = getenv("ROVE_TIER_HOT");
    if (e && atoi(e) > 0 && atoi(e) <= 255) {
        hot_samples = (unsigned)atoi(e);
    }
    e = getenv("ROVE_TIER_PERIOD_US");
    if (e && atol(e) > 0) {
        period_us = atol(e);
    }
}

uint32_t tier_first_cflags(void)
{
    pthread_once(&tiers_once, tiers_read_config);
    return __atomic_load_n(&first_cflags, __ATOMIC_RELAXED);
}

bool tier_sampled(TranslationBlock *tb)
{
    unsigned n = __atomic_add_fetch(&tb->samples, 1, __ATOMIC_RELAXED);
    return n == hot_samples; /* once: a racing vCPU's later sample is not */
}

static void sample_signal(int sig)
{
    (void)sig;
    CpuState *cpu = current_cpu;
    if (cpu) {
        cpu_exit(cpu);
    }
}

void tier_sampler_start(void)
{
    if (!tier_first_cflags()) {
        return;
    }
    int sig = SIGRTMIN;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sample_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    struct sigevent ev;
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = sig;
    ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    struct itimerspec its = {
        .it_interval = { period_us / 1000000, (period_us % 1000000) * 1000 },
        .it_value = { period_us / 1000000, (period_us % 1000000) * 1000 },
    };
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    timer_t timer;
    if (sigaction(sig, &sa, NULL) != 0 || pthread_sigmask(SIG_UNBLOCK, &set, NULL) != 0 ||
        timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &timer) != 0) {
        /* Without samples nothing would be promoted: from now on make
         * superblocks at once (TBs made so far stay as they are). */
        __atomic_store_n(&first_cflags, 0, __ATOMIC_RELAXED);
        return;
    }
    timer_settime(timer, 0, &its, NULL);
}
