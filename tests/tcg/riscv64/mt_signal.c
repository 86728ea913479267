/* Signals in a multi-threaded process:
 *  - pthread_kill to each of 4 threads (one spinning in a pure compute
 *    loop, one in nanosleep, one in a futex wait, one polling sched_yield)
 *    runs the handler on that thread (gettid inside the handler), SI_TKILL;
 *  - per-thread masks: with SIGUSR1 blocked everywhere but in one thread,
 *    kill(getpid()) is handled by that thread, every time;
 *  - a dedicated thread takes SIGUSR2 with sigwait and a real-time signal
 *    with sigwaitinfo/sigtimedwait (queued values in order, timeout EAGAIN)
 *    while every other thread blocks them;
 *  - a thread blocked in read() on a pipe: interrupted by a handler without
 *    SA_RESTART (EINTR), resumed with SA_RESTART (gets the data);
 *  - tgkill/tkill through syscall(), tgkill with a wrong tgid (ESRCH).
 * Every handler delivery is counted exactly. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "rvtest.h"

static volatile int sigs_handled;
static volatile pid_t handler_tid[64];
static volatile int handler_code[64];
static volatile int handler_pid_ok[64];

static void h_record(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    int n = __atomic_load_n(&sigs_handled, __ATOMIC_RELAXED);
    if (n < 64) {
        handler_tid[n] = gettid();
        handler_code[n] = si->si_code;
        handler_pid_ok[n] = si->si_pid == getpid();
    }
    __atomic_store_n(&sigs_handled, n + 1, __ATOMIC_RELEASE);
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void nap_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* wait (bounded) until the handler count reaches n */
static int wait_handled(int n)
{
    for (int i = 0; i < 20000; i++) {
        if (__atomic_load_n(&sigs_handled, __ATOMIC_ACQUIRE) >= n) {
            return 1;
        }
        if (i > 100) {
            nap_ms(1);
        } else {
            sched_yield();
        }
    }
    return 0;
}

static int sigset_has(int how_sig)
{
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, how_sig);
}

/* ---- 1: pthread_kill to specific threads ---- */
enum { NT = 4 };
static volatile int stop;
static volatile pid_t tids[NT];
static volatile int started;
static volatile uint32_t futex_word;
static volatile uint64_t spin_work;

static void *target(void *arg)
{
    int t = (int)(intptr_t)arg;
    tids[t] = gettid();
    __atomic_fetch_add(&started, 1, __ATOMIC_ACQ_REL);
    switch (t) {
    case 0: {   /* pure compute loop: the signal must get into translated code */
        uint64_t x = 1;
        while (!stop) {
            x = x * 6364136223846793005ull + 1;
        }
        spin_work = x;
        break;
    }
    case 1:
        while (!stop) {
            struct timespec ts = { 0, 2000000 };
            nanosleep(&ts, NULL);
        }
        break;
    case 2:
        while (!stop) {
            struct timespec ts = { 0, 5000000 };
            syscall(SYS_futex, &futex_word, 0 /* FUTEX_WAIT */, 0, &ts, NULL, 0);
        }
        break;
    default:
        while (!stop) {
            sched_yield();
        }
        break;
    }
    return NULL;
}

static void start_targets(pthread_t *th)
{
    stop = 0;
    started = 0;
    for (int t = 0; t < NT; t++) {
        pthread_create(&th[t], NULL, target, (void *)(intptr_t)t);
    }
    while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < NT) {
        sched_yield();
    }
}

static void stop_targets(pthread_t *th)
{
    stop = 1;
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
    }
}

static void test_pthread_kill(void)
{
    pthread_t th[NT];
    sigs_handled = 0;
    set_handler(SIGUSR1, h_record, 0);
    start_targets(th);
    int tid_ok = 1, code_ok = 1, arrived = 1;
    const int rounds = 3;
    for (int r = 0; r < rounds; r++) {
        for (int t = 0; t < NT; t++) {
            int n = sigs_handled;
            pthread_kill(th[t], SIGUSR1);
            arrived &= wait_handled(n + 1);
            tid_ok &= handler_tid[n] == tids[t];
            code_ok &= handler_code[n] == SI_TKILL && handler_pid_ok[n];
        }
    }
    CHECK("pthread_kill(thread, 0) on a live thread", pthread_kill(th[2], 0), 0);
    stop_targets(th);
    CHECK_TRUE("pthread_kill: every signal arrived", arrived);
    CHECK("pthread_kill: deliveries", sigs_handled, rounds * NT);
    CHECK_TRUE("pthread_kill: handler ran on the target thread", tid_ok);
    CHECK_TRUE("pthread_kill: si_code SI_TKILL, si_pid our pid", code_ok);
}

/* ---- 2: per-thread masks route a process-directed signal ---- */
static volatile int mask_ready;
static void *mask_thread(void *arg)
{
    int t = (int)(intptr_t)arg;
    tids[t] = gettid();
    if (t == 2) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    }
    __atomic_fetch_add(&mask_ready, 1, __ATOMIC_ACQ_REL);
    uint64_t x = 7;
    while (!stop) {
        if (t == 2) {          /* the receiver computes */
            x = x * 3 + 1;
        } else if (t == 3) {
            sched_yield();
        } else {
            struct timespec ts = { 0, 1000000 };
            nanosleep(&ts, NULL);
        }
    }
    spin_work += x;
    return NULL;
}

static void test_masks(void)
{
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, &old);   /* inherited by the threads */
    sigs_handled = 0;
    stop = 0;
    mask_ready = 0;
    pthread_t th[NT];
    for (int t = 0; t < NT; t++) {
        pthread_create(&th[t], NULL, mask_thread, (void *)(intptr_t)t);
    }
    while (__atomic_load_n(&mask_ready, __ATOMIC_ACQUIRE) < NT) {
        sched_yield();
    }
    const int rounds = 20;
    int tid_ok = 1, code_ok = 1, arrived = 1;
    for (int r = 0; r < rounds; r++) {
        int n = sigs_handled;
        kill(getpid(), SIGUSR1);
        arrived &= wait_handled(n + 1);
        tid_ok &= handler_tid[n] == tids[2];
        code_ok &= handler_code[n] == SI_USER && handler_pid_ok[n];
    }
    /* a signal raised while only the main thread could take it stays
     * pending (blocked in main) until main unblocks it */
    stop = 1;
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
    }
    int n = sigs_handled;
    kill(getpid(), SIGUSR1);
    nap_ms(20);
    sigset_t pend;
    sigpending(&pend);
    CHECK_TRUE("masks: only main left, SIGUSR1 pending", sigismember(&pend, SIGUSR1));
    CHECK("masks: not delivered while blocked", sigs_handled, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    CHECK("masks: delivered to main on unblock", sigs_handled, n + 1);
    CHECK_TRUE("masks: ... on the main thread", handler_tid[n] == getpid());
    CHECK_TRUE("masks: every kill() arrived", arrived);
    CHECK("masks: deliveries", n, rounds);
    CHECK_TRUE("masks: handled by the one thread not blocking SIGUSR1", tid_ok);
    CHECK_TRUE("masks: si_code SI_USER, si_pid our pid", code_ok);
}

/* ---- 3: sigwait / sigwaitinfo / sigtimedwait in a dedicated thread ---- */
#define SIGRT (SIGRTMIN + 2)
static volatile int waited_usr2, waited_rt, rt_order_bad, rt_sum;
static volatile int timed_rc, timed_errno, waiter_go;
static volatile int waiter_wrong_tid;
static volatile pid_t waiter_tid;

static void h_never(int sig)
{
    (void)sig;
    __atomic_fetch_add(&waiter_wrong_tid, 1, __ATOMIC_RELAXED);
}

static void *sigwaiter(void *arg)
{
    (void)arg;
    waiter_tid = gettid();
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    for (int i = 0; i < 10; i++) {
        int sig = 0;
        if (sigwait(&s, &sig) == 0 && sig == SIGUSR2) {
            __atomic_store_n(&waited_usr2, waited_usr2 + 1, __ATOMIC_RELEASE);
        }
    }
    /* the real-time signals were queued before we got here */
    while (!waiter_go) {
        sched_yield();
    }
    sigemptyset(&s);
    sigaddset(&s, SIGRT);
    for (int i = 1; i <= 8; i++) {
        siginfo_t si;
        /* all 8 are pending already: a lost one would block sigwaitinfo
         * for good, so wait for the later ones with a timeout */
        struct timespec lim = { 3, 0 };
        int sig = i == 1 ? sigwaitinfo(&s, &si) : sigtimedwait(&s, &si, &lim);
        if (sig < 0) {
            break;
        }
        if (sig == SIGRT && si.si_code == SI_QUEUE) {
            rt_order_bad += si.si_value.sival_int != i * 11;
            rt_sum += si.si_value.sival_int;
            waited_rt++;
        }
    }
    struct timespec ts = { 0, 30 * 1000000 };
    errno = 0;
    timed_rc = sigtimedwait(&s, NULL, &ts);
    timed_errno = errno;
    /* one more, sent after the timeout */
    ts.tv_sec = 20;
    siginfo_t si;
    if (sigtimedwait(&s, &si, &ts) == SIGRT && si.si_value.sival_int == 999) {
        waited_rt++;
    }
    return NULL;
}

static void test_sigwait(void)
{
    /* a handler that must never run: the signals are blocked everywhere */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = h_never;
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGRT, &sa, NULL);
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRT);
    pthread_sigmask(SIG_BLOCK, &s, &old);
    pthread_t bystander[NT], w;
    start_targets(bystander);   /* inherit the blocked mask */
    pthread_create(&w, NULL, sigwaiter, NULL);
    for (int i = 0; i < 10; i++) {
        kill(getpid(), SIGUSR2);
        for (int k = 0; k < 20000 && __atomic_load_n(&waited_usr2, __ATOMIC_ACQUIRE) <= i; k++) {
            k > 100 ? nap_ms(1) : (void)sched_yield();
        }
    }
    for (int i = 1; i <= 8; i++) {
        union sigval v = { .sival_int = i * 11 };
        sigqueue(getpid(), SIGRT, v);
    }
    waiter_go = 1;
    /* wait until the waiter has timed out, then send the last one */
    for (int k = 0; k < 20000 && timed_errno == 0; k++) {
        k > 100 ? nap_ms(1) : (void)sched_yield();
    }
    union sigval v = { .sival_int = 999 };
    sigqueue(getpid(), SIGRT, v);
    pthread_join(w, NULL);
    stop_targets(bystander);
    sigset_t pend;
    sigpending(&pend);
    CHECK_TRUE("sigwait: nothing left pending",
               !sigismember(&pend, SIGUSR2) && !sigismember(&pend, SIGRT));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    CHECK("sigwait: SIGUSR2 taken 10 times", waited_usr2, 10);
    CHECK("sigwaitinfo: queued real-time signals", waited_rt, 9);
    CHECK("sigwaitinfo: values in queue order", rt_order_bad, 0);
    CHECK("sigwaitinfo: sum of values", rt_sum, 11 * 36);
    CHECK("sigtimedwait timeout returns -1", timed_rc, -1);
    CHECK("sigtimedwait timeout errno EAGAIN", timed_errno, EAGAIN);
    CHECK("sigwait: handler never ran", waiter_wrong_tid, 0);
}

/* ---- 4: blocking read interrupted, with and without SA_RESTART ---- */
static int rp[2];
static volatile int reader_state;   /* 1 about to read, 2 returned */
static volatile ssize_t read_ret;
static volatile int read_errno;
static char read_buf[16];

static void *reader(void *arg)
{
    (void)arg;
    tids[0] = gettid();
    __atomic_store_n(&reader_state, 1, __ATOMIC_RELEASE);
    errno = 0;
    read_ret = read(rp[0], read_buf, sizeof(read_buf));
    read_errno = errno;
    __atomic_store_n(&reader_state, 2, __ATOMIC_RELEASE);
    return NULL;
}

static void test_read_eintr(int restart)
{
    const char *what = restart ? "SA_RESTART" : "no SA_RESTART";
    set_handler(SIGUSR1, h_record, restart ? SA_RESTART : 0);
    sigs_handled = 0;
    reader_state = 0;
    read_errno = 0;
    memset(read_buf, 0, sizeof(read_buf));
    pipe(rp);
    pthread_t th;
    pthread_create(&th, NULL, reader, NULL);
    while (__atomic_load_n(&reader_state, __ATOMIC_ACQUIRE) == 0) {
        sched_yield();
    }
    nap_ms(30);   /* let it block in read() */
    int sent = 0, tid_ok = 1;
    if (!restart) {
        /* a signal may (rarely) land before read() started; then send
         * another one; every signal sent is delivered */
        while (__atomic_load_n(&reader_state, __ATOMIC_ACQUIRE) != 2 && sent < 50) {
            pthread_kill(th, SIGUSR1);
            sent++;
            wait_handled(sent);
            tid_ok &= handler_tid[sent - 1] == tids[0];
            nap_ms(10);
        }
    } else {
        for (; sent < 3; sent++) {
            pthread_kill(th, SIGUSR1);
            wait_handled(sent + 1);
            tid_ok &= handler_tid[sent] == tids[0];
            nap_ms(10);
        }
        CHECK_TRUE(rvt_name("read, %s: still blocked after 3 signals", what),
                   reader_state == 1);
        write(rp[1], "resumed", 7);
    }
    pthread_join(th, NULL);
    CHECK_TRUE(rvt_name("read, %s: deliveries == signals sent", what), sigs_handled == sent);
    CHECK_TRUE(rvt_name("read, %s: handler on the reader thread", what), tid_ok);
    if (restart) {
        CHECK(rvt_name("read, %s: read returns the data", what), read_ret, 7);
        CHECK_TRUE(rvt_name("read, %s: data", what), memcmp(read_buf, "resumed", 7) == 0);
    } else {
        CHECK(rvt_name("read, %s: read returns -1", what), read_ret, -1);
        CHECK(rvt_name("read, %s: errno EINTR", what), read_errno, EINTR);
        /* the pipe is still usable */
        write(rp[1], "x", 1);
        char c = 0;
        CHECK(rvt_name("read, %s: pipe still readable", what), read(rp[0], &c, 1), 1);
    }
    close(rp[0]);
    close(rp[1]);
}

/* ---- 5: tgkill / tkill ---- */
static void test_tgkill(void)
{
    pthread_t th[NT];
    set_handler(SIGUSR1, h_record, SA_RESTART);
    sigs_handled = 0;
    start_targets(th);
    int tid_ok = 1, code_ok = 1, rc_ok = 1;
    for (int r = 0; r < 2; r++) {
        for (int t = NT - 1; t >= 0; t--) {
            int n = sigs_handled;
            rc_ok &= syscall(SYS_tgkill, getpid(), tids[t], SIGUSR1) == 0;
            wait_handled(n + 1);
            tid_ok &= handler_tid[n] == tids[t];
            code_ok &= handler_code[n] == SI_TKILL && handler_pid_ok[n];
            n++;
            rc_ok &= syscall(SYS_tkill, tids[t], SIGUSR1) == 0;
            wait_handled(n + 1);
            tid_ok &= handler_tid[n] == tids[t];
            code_ok &= handler_code[n] == SI_TKILL;
        }
    }
    /* to ourselves: delivered before tgkill returns */
    int n = sigs_handled;
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    CHECK("tgkill to self: handled before return", sigs_handled, n + 1);
    CHECK_TRUE("tgkill to self: on the main thread", handler_tid[n] == getpid());
    errno = 0;
    long rc = syscall(SYS_tgkill, getpid() + 100000, tids[1], SIGUSR1);
    CHECK_TRUE("tgkill with a wrong tgid: ESRCH", rc == -1 && errno == ESRCH);
    errno = 0;
    rc = syscall(SYS_tgkill, getpid(), tids[1], 0);
    CHECK("tgkill signal 0 to a live thread", rc, 0);
    stop_targets(th);
    CHECK_TRUE("tgkill/tkill: return values", rc_ok);
    CHECK("tgkill/tkill: deliveries", sigs_handled, 2 * 2 * NT + 1);
    CHECK_TRUE("tgkill/tkill: handler on the target thread", tid_ok);
    CHECK_TRUE("tgkill/tkill: si_code SI_TKILL", code_ok);
}

int main(void)
{
    CHECK("SIGUSR1 not blocked at start", sigset_has(SIGUSR1), 0);
    test_pthread_kill();
    test_masks();
    test_sigwait();
    test_read_eintr(0);
    test_read_eintr(1);
    test_tgkill();
    CHECK("nothing blocked at the end", sigset_has(SIGUSR1) | sigset_has(SIGUSR2), 0);
    return rvt_done("mt_signal");
}
