/*
 * Unit tests for the virtual clock and timers (hw/core/clock.c): firing
 * order (deadlines, ties in arming order), cancel, re-arm, the manual
 * mode's step (each timer sees the clock at exactly its deadline),
 * run_expired's bound on self-re-arming callbacks, next_deadline/timeout,
 * the wake-up notifier, host mode's stop/start, and arming from threads.
 */
#include <glib.h>

#include "rove/clock.h"

typedef struct Log {
    Clock *clock;
    int order[16];
    int64_t at[16];
    int n;
} Log;

typedef struct Probe {
    Log *log;
    int id;
    Timer timer;
    int64_t period; /* > 0: re-arm at deadline + period */
    int rearm_past; /* re-arm this many times at a past deadline */
} Probe;

static void probe_cb(void *opaque)
{
    Probe *p = opaque;
    Log *log = p->log;
    int64_t now = clock_get_ns(log->clock);
    if (log->n < 16) {
        log->order[log->n] = p->id;
        log->at[log->n] = now;
    }
    log->n++;
    if (p->period > 0) {
        timer_arm(&p->timer, now + p->period);
    } else if (p->rearm_past > 0) {
        p->rearm_past--;
        timer_arm(&p->timer, 0);
    }
}

static void probe_init(Probe *p, Log *log, int id)
{
    *p = (Probe){ .log = log, .id = id };
    timer_init(&p->timer, log->clock, probe_cb, p);
}

static void test_manual_time(void)
{
    Clock *c = clock_new(CLOCK_MODE_MANUAL);
    g_assert_cmpint(clock_mode(c), ==, CLOCK_MODE_MANUAL);
    g_assert_cmpint(clock_get_ns(c), ==, 0);
    g_assert_true(clock_is_running(c));
    clock_set_ns(c, 500);
    g_assert_cmpint(clock_get_ns(c), ==, 500);
    clock_set_ns(c, 100); /* never backwards */
    g_assert_cmpint(clock_get_ns(c), ==, 500);
    clock_step(c, 25);
    g_assert_cmpint(clock_get_ns(c), ==, 525);
    clock_stop(c); /* no effect on a manual clock */
    clock_step(c, 5);
    g_assert_cmpint(clock_get_ns(c), ==, 530);
    clock_free(c);
}

static void test_order(void)
{
    Log log = { .clock = clock_new(CLOCK_MODE_MANUAL) };
    Probe p[5];
    for (int i = 0; i < 5; i++) {
        probe_init(&p[i], &log, i);
    }
    timer_arm(&p[0].timer, 30);
    timer_arm(&p[1].timer, 10);
    timer_arm(&p[2].timer, 20);
    timer_arm(&p[3].timer, 20); /* tie: after p[2], armed earlier */
    timer_arm(&p[4].timer, 1000);
    g_assert_cmpint(clock_next_deadline(log.clock), ==, 10);
    g_assert_true(timer_pending(&p[2].timer));
    g_assert_cmpint(timer_deadline(&p[0].timer), ==, 30);

    clock_set_ns(log.clock, 100);
    g_assert_true(clock_run_expired(log.clock));
    g_assert_cmpint(log.n, ==, 4);
    static const int want[] = { 1, 2, 3, 0 };
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(log.order[i], ==, want[i]);
    }
    g_assert_false(timer_pending(&p[1].timer));
    g_assert_cmpint(timer_deadline(&p[1].timer), ==, CLOCK_NO_DEADLINE);
    g_assert_true(timer_pending(&p[4].timer));
    g_assert_cmpint(clock_next_deadline(log.clock), ==, 1000);
    g_assert_false(clock_run_expired(log.clock)); /* nothing due: fires nothing */
    g_assert_cmpint(log.n, ==, 4);
    for (int i = 0; i < 5; i++) {
        timer_deinit(&p[i].timer);
    }
    g_assert_cmpint(clock_next_deadline(log.clock), ==, CLOCK_NO_DEADLINE);
    clock_free(log.clock);
}

static void test_cancel_rearm(void)
{
    Log log = { .clock = clock_new(CLOCK_MODE_MANUAL) };
    Probe a, b;
    probe_init(&a, &log, 1);
    probe_init(&b, &log, 2);
    timer_cancel(&a.timer); /* idle: a no-op */
    timer_arm(&a.timer, 10);
    timer_arm(&b.timer, 20);
    timer_cancel(&a.timer);
    g_assert_false(timer_pending(&a.timer));
    g_assert_cmpint(clock_next_deadline(log.clock), ==, 20);

    /* Re-arming moves: b fires once, at its new deadline. */
    timer_arm(&b.timer, 50);
    timer_arm(&b.timer, 40);
    clock_step(log.clock, 45);
    g_assert_cmpint(log.n, ==, 1);
    g_assert_cmpint(log.order[0], ==, 2);
    g_assert_cmpint(log.at[0], ==, 40);
    clock_step(log.clock, 100);
    g_assert_cmpint(log.n, ==, 1);

    /* A timer moved later is not fired at its old deadline. */
    timer_arm(&a.timer, 150);
    timer_arm(&a.timer, 300);
    clock_step(log.clock, 100); /* to 245 */
    g_assert_cmpint(log.n, ==, 1);
    clock_step(log.clock, 55);
    g_assert_cmpint(log.n, ==, 2);
    g_assert_cmpint(log.at[1], ==, 300);

    /* A deadline in the past is due at once. */
    timer_arm(&a.timer, 5);
    g_assert_true(clock_run_expired(log.clock));
    g_assert_cmpint(log.n, ==, 3);
    g_assert_cmpint(log.at[2], ==, 300);
    timer_deinit(&a.timer);
    timer_deinit(&b.timer);
    clock_free(log.clock);
}

static void test_step(void)
{
    Log log = { .clock = clock_new(CLOCK_MODE_MANUAL) };
    Probe a, per;
    probe_init(&a, &log, 1);
    probe_init(&per, &log, 2);
    timer_arm(&a.timer, 10);
    clock_step(log.clock, 9);
    g_assert_cmpint(log.n, ==, 0);
    clock_step(log.clock, 1);
    g_assert_cmpint(log.n, ==, 1);
    g_assert_cmpint(log.at[0], ==, 10);

    /* A periodic timer fires at each period, seeing the exact time. */
    per.period = 7;
    timer_arm(&per.timer, 17);
    clock_step(log.clock, 30); /* 10 -> 40: fires at 17, 24, 31, 38 */
    g_assert_cmpint(log.n, ==, 5);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(log.order[1 + i], ==, 2);
        g_assert_cmpint(log.at[1 + i], ==, 17 + 7 * i);
    }
    g_assert_cmpint(clock_get_ns(log.clock), ==, 40);
    g_assert_cmpint(clock_next_deadline(log.clock), ==, 45);
    timer_deinit(&a.timer);
    timer_deinit(&per.timer);
    clock_free(log.clock);
}

/* A callback that re-arms itself in the past fires once per call, not forever. */
static void test_run_bounded(void)
{
    Log log = { .clock = clock_new(CLOCK_MODE_MANUAL) };
    Probe p;
    probe_init(&p, &log, 1);
    p.rearm_past = 3;
    timer_arm(&p.timer, 0);
    g_assert_true(clock_run_expired(log.clock));
    g_assert_cmpint(log.n, ==, 1);
    g_assert_true(clock_run_expired(log.clock));
    g_assert_cmpint(log.n, ==, 2);
    clock_step(log.clock, 10); /* also bounded */
    g_assert_cmpint(log.n, ==, 4);
    g_assert_false(timer_pending(&p.timer));
    timer_deinit(&p.timer);
    clock_free(log.clock);
}

static void count_notify(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_deadline_notify(void)
{
    Log log = { .clock = clock_new(CLOCK_MODE_MANUAL) };
    int notified = 0;
    clock_set_notify(log.clock, count_notify, &notified);
    Probe a, b;
    probe_init(&a, &log, 1);
    probe_init(&b, &log, 2);
    g_assert_cmpint(clock_timeout_ns(log.clock), ==, -1);
    timer_arm(&a.timer, 100);
    g_assert_cmpint(notified, ==, 1);
    timer_arm(&b.timer, 200); /* later than the first: no wake-up needed */
    g_assert_cmpint(notified, ==, 1);
    timer_arm(&b.timer, 50);
    g_assert_cmpint(notified, ==, 2);
    g_assert_cmpint(clock_next_deadline(log.clock), ==, 50);
    /* A manual clock does not move by itself: no timeout until due. */
    g_assert_cmpint(clock_timeout_ns(log.clock), ==, -1);
    clock_set_ns(log.clock, 50);
    g_assert_cmpint(clock_timeout_ns(log.clock), ==, 0);
    timer_deinit(&a.timer);
    timer_deinit(&b.timer);
    clock_free(log.clock);
}

static void test_host_mode(void)
{
    Log log = { .clock = clock_new(CLOCK_MODE_HOST) };
    Clock *c = log.clock;
    g_assert_false(clock_is_running(c));
    g_usleep(2000);
    g_assert_cmpint(clock_get_ns(c), ==, 0); /* stopped: time does not pass */
    clock_start(c);
    g_assert_true(clock_is_running(c));
    g_usleep(2000);
    int64_t t1 = clock_get_ns(c);
    g_assert_cmpint(t1, >=, 2000000);
    clock_stop(c);
    int64_t t2 = clock_get_ns(c);
    g_assert_cmpint(t2, >=, t1);
    g_usleep(2000);
    g_assert_cmpint(clock_get_ns(c), ==, t2);

    Probe p;
    probe_init(&p, &log, 1);
    timer_arm(&p.timer, t2 + 1000000);
    g_assert_cmpint(clock_timeout_ns(c), ==, -1); /* stopped */
    clock_start(c);
    int64_t to = clock_timeout_ns(c);
    g_assert_cmpint(to, >, 0);
    g_assert_cmpint(to, <=, 1000000);
    while (!clock_run_expired(c)) {
        g_usleep(200);
    }
    g_assert_cmpint(log.n, ==, 1);
    g_assert_cmpint(log.at[0], >=, t2 + 1000000);
    g_assert_cmpint(clock_timeout_ns(c), ==, -1);
    timer_deinit(&p.timer);
    clock_free(c);
}

/* Threads arm and cancel their own timers while the main thread fires. */
typedef struct ArmThread {
    Clock *clock;
    Timer timers[8];
    int fired;
} ArmThread;

static void arm_thread_cb(void *opaque)
{
    g_atomic_int_inc((int *)opaque);
}

static gpointer arm_thread(gpointer opaque)
{
    ArmThread *at = opaque;
    for (int i = 0; i < 20000; i++) {
        Timer *t = &at->timers[i % 8];
        if (i % 3 == 2) {
            timer_cancel(t);
        } else {
            timer_arm(t, clock_get_ns(at->clock) + i % 5);
        }
    }
    return NULL;
}

static void test_threads(void)
{
    Clock *c = clock_new(CLOCK_MODE_MANUAL);
    ArmThread at[2];
    GThread *th[2];
    for (int i = 0; i < 2; i++) {
        at[i].clock = c;
        at[i].fired = 0;
        for (int j = 0; j < 8; j++) {
            timer_init(&at[i].timers[j], c, arm_thread_cb, &at[i].fired);
        }
        th[i] = g_thread_new("arm", arm_thread, &at[i]);
    }
    for (int i = 0; i < 2000; i++) {
        clock_step(c, 1);
        int64_t d = clock_next_deadline(c);
        g_assert_true(d == CLOCK_NO_DEADLINE || d >= 0);
    }
    for (int i = 0; i < 2; i++) {
        g_thread_join(th[i]);
    }
    clock_step(c, 10);
    g_assert_cmpint(clock_next_deadline(c), ==, CLOCK_NO_DEADLINE);
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 8; j++) {
            g_assert_false(timer_pending(&at[i].timers[j]));
            timer_deinit(&at[i].timers[j]);
        }
    }
    clock_free(c);
}

static void test_new_free(void)
{
    Log log = { .clock = clock_new(CLOCK_MODE_MANUAL) };
    Probe p = { .log = &log, .id = 7 };
    Timer *t = timer_new(log.clock, probe_cb, &p);
    timer_arm(t, 3);
    timer_free(t);
    clock_step(log.clock, 10);
    g_assert_cmpint(log.n, ==, 0);
    /* Freeing a clock leaves its armed timers idle. */
    Timer t2;
    timer_init(&t2, log.clock, probe_cb, &p);
    timer_arm(&t2, 100);
    clock_free(log.clock);
    g_assert_false(t2.armed);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/clock/manual-time", test_manual_time);
    g_test_add_func("/clock/order", test_order);
    g_test_add_func("/clock/cancel-rearm", test_cancel_rearm);
    g_test_add_func("/clock/step", test_step);
    g_test_add_func("/clock/run-bounded", test_run_bounded);
    g_test_add_func("/clock/deadline-notify", test_deadline_notify);
    g_test_add_func("/clock/host-mode", test_host_mode);
    g_test_add_func("/clock/threads", test_threads);
    g_test_add_func("/clock/new-free", test_new_free);
    return g_test_run();
}
