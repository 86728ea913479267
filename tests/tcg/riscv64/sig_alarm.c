/* Asynchronous signals: alarm() + pause(), setitimer(ITIMER_REAL) firing
 * repeatedly while the guest spins in a tight compute loop (the emulator
 * must interrupt translated code), sigsuspend, ITIMER_VIRTUAL, and an
 * interrupted nanosleep reporting EINTR. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "rvtest.h"

static volatile sig_atomic_t alrm, vtalrm;

static void h_alrm(int sig)
{
    (void)sig;
    alrm++;
}

static void h_vtalrm(int sig)
{
    (void)sig;
    vtalrm++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = h_alrm;
    sigaction(SIGALRM, &sa, NULL);

    /* alarm + pause */
    alarm(1);
    int r = pause();
    CHECK("pause() returns -1", r, -1);
    CHECK_TRUE("pause() errno EINTR", errno == EINTR);
    CHECK("SIGALRM from alarm(1) delivered once", alrm, 1);
    CHECK("alarm(0) returns 0 remaining", alarm(0), 0);

    /* periodic timer while spinning in a pure compute loop (no syscalls) */
    struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
    alrm = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    uint64_t x = 1, spins = 0;
    while (alrm < 5) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        spins++;
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    CHECK_TRUE("5 timer signals interrupted a compute loop", alrm >= 5);
    CHECK_TRUE("loop made progress", spins > 0 && x != 0);

    /* sigsuspend: block SIGALRM, arm a timer, wait with it unblocked */
    sigset_t block, old, waitmask;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    alrm = 0;
    struct itimerval once = { { 0, 0 }, { 0, 30000 } };
    setitimer(ITIMER_REAL, &once, NULL);
    sigemptyset(&waitmask);
    r = sigsuspend(&waitmask);
    CHECK("sigsuspend returns -1/EINTR", r == -1 && errno == EINTR, 1);
    CHECK("SIGALRM delivered during sigsuspend", alrm, 1);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK("mask restored after sigsuspend", sigismember(&now, SIGALRM), 1);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* nanosleep interrupted by a signal */
    alrm = 0;
    setitimer(ITIMER_REAL, &once, NULL);
    struct timespec req = { 5, 0 }, rem = { 0, 0 };
    r = nanosleep(&req, &rem);
    CHECK("nanosleep interrupted: -1/EINTR", r == -1 && errno == EINTR, 1);
    CHECK_TRUE("remaining time reported", rem.tv_sec > 0 && rem.tv_sec <= 5);
    CHECK("handler ran", alrm, 1);

    /* ITIMER_VIRTUAL counts user CPU time */
    sa.sa_handler = h_vtalrm;
    sigaction(SIGVTALRM, &sa, NULL);
    struct itimerval vt = { { 0, 10000 }, { 0, 10000 } };
    setitimer(ITIMER_VIRTUAL, &vt, NULL);
    while (vtalrm < 3) {
        x = x * 6364136223846793005ull + 1;
    }
    setitimer(ITIMER_VIRTUAL, &off, NULL);
    CHECK_TRUE("ITIMER_VIRTUAL fired 3 times", vtalrm >= 3);
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    CHECK("ITIMER_REAL disarmed", cur.it_value.tv_sec + cur.it_value.tv_usec, 0);
    return rvt_done("sig_alarm");
}
