/*
 * Unit tests for the system emulator's main-loop sources
 * (system/main-loop.c) and run-state requests (system/runstate.c):
 *
 * - a virtual-clock timer fires from the GLib loop, never before its
 *   deadline, with the big lock held;
 * - a timer armed from another thread while the loop sleeps with nothing
 *   to wait for wakes it (clock_set_notify), and so does a stopped clock
 *   that never fires;
 * - shutdown and reset requests from another thread reach the handler
 *   once, the first shutdown status winning.
 *
 * No timing is asserted beyond "not before the deadline"; a watchdog
 * turns a missed wake-up into a failure instead of a hang.
 */
#include <glib.h>

#include "rove/bql.h"
#include "rove/clock.h"
#include "rove/system.h"
#include "system/main-loop.h"


/* runstate.c stops the vCPUs on every request; counted here. */
static int stop_requests;
void cpu_request_stop_all(void)
{
    g_atomic_int_inc(&stop_requests);
}

static gboolean watchdog(gpointer data)
{
    g_error("%s: the main loop was not woken", (const char *)data);
    return G_SOURCE_REMOVE;
}

typedef struct TimerCtx {
    Clock *clock;
    int fired;
    int64_t fired_at;
    bool had_bql;
} TimerCtx;

static void timer_cb(void *opaque)
{
    TimerCtx *t = opaque;
    t->fired++;
    t->fired_at = clock_get_ns(t->clock);
    t->had_bql = bql_locked();
}

static void test_clock_timer(void)
{
    Clock *clock = clock_new(CLOCK_MODE_HOST);
    GSource *src = clock_source_new(clock, NULL);
    g_source_attach(src, NULL);
    TimerCtx t = { .clock = clock };
    Timer timer;
    timer_init(&timer, clock, timer_cb, &t);
    guint wd = g_timeout_add_seconds(20, watchdog, "timer");

    clock_start(clock);
    int64_t deadline = clock_get_ns(clock) + 3000000; /* 3 ms */
    timer_arm(&timer, deadline);
    while (!t.fired) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_cmpint(t.fired, ==, 1);
    g_assert_cmpint(t.fired_at, >=, deadline);
    g_assert_true(t.had_bql);
    g_assert_false(bql_locked());

    /* A stopped clock fires nothing, however long the loop runs. */
    timer_arm(&timer, clock_get_ns(clock) + 1000000);
    clock_stop(clock);
    g_usleep(3000);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_cmpint(t.fired, ==, 1);
    g_assert_true(timer_pending(&timer));
    clock_start(clock); /* main thread: the next prepare sees the new timeout */
    while (t.fired < 2) {
        g_main_context_iteration(NULL, TRUE);
    }

    g_source_remove(wd);
    timer_deinit(&timer);
    g_source_destroy(src);
    g_source_unref(src);
    clock_free(clock);
}

typedef struct Armer {
    Timer *timer;
    Clock *clock;
} Armer;

static gpointer arm_later(gpointer data)
{
    Armer *a = data;
    g_usleep(50000);
    timer_arm(a->timer, clock_get_ns(a->clock) + 1000000);
    return NULL;
}

static void test_clock_wakeup(void)
{
    Clock *clock = clock_new(CLOCK_MODE_HOST);
    GSource *src = clock_source_new(clock, NULL);
    g_source_attach(src, NULL);
    TimerCtx t = { .clock = clock };
    Timer timer;
    timer_init(&timer, clock, timer_cb, &t);
    clock_start(clock);
    guint wd = g_timeout_add_seconds(20, watchdog, "timer armed by another thread");

    /* Nothing armed: the loop sleeps with no timeout until the thread arms one. */
    Armer a = { &timer, clock };
    GThread *th = g_thread_new("armer", arm_later, &a);
    while (!t.fired) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_thread_join(th);
    g_assert_cmpint(t.fired, ==, 1);

    g_source_remove(wd);
    timer_deinit(&timer);
    g_source_destroy(src);
    g_source_unref(src);
    clock_free(clock);
}

typedef struct Requests {
    int calls;
    bool shutdown;
    int status;
    bool reset;
} Requests;

static void on_request(bool shutdown, int status, bool reset, void *opaque)
{
    Requests *r = opaque;
    r->calls++;
    if (shutdown && !r->shutdown) {
        r->status = status;
    }
    r->shutdown |= shutdown;
    r->reset |= reset;
}

static gpointer request_later(gpointer data)
{
    g_usleep(50000);
    int stops = g_atomic_int_get(&stop_requests);
    system_request_shutdown(3);
    g_assert_cmpint(g_atomic_int_get(&stop_requests), ==, stops + 1);
    system_request_shutdown(0); /* the first status wins */
    system_request_reset();
    return NULL;
}

static void test_runstate(void)
{
    Requests r = { 0 };
    GSource *src = runstate_source_new(on_request, &r);
    g_source_attach(src, NULL);
    guint wd = g_timeout_add_seconds(20, watchdog, "run-state request");

    GThread *th = g_thread_new("requester", request_later, NULL);
    g_thread_join(th); /* all three made before the loop looks */
    while (r.calls == 0) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_cmpint(r.calls, ==, 1);
    g_assert_true(r.shutdown);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_true(r.reset);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_cmpint(r.calls, ==, 1); /* consumed */

    /* A request while the loop sleeps wakes it (the handler may be called
     * once or twice, depending on how the wake-up interleaves). */
    r = (Requests){ 0 };
    th = g_thread_new("requester", request_later, NULL);
    while (r.calls == 0) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_thread_join(th);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_true(r.shutdown && r.reset);
    g_assert_cmpint(r.status, ==, 3);

    g_source_remove(wd);
    g_source_destroy(src);
    g_source_unref(src);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/main-loop/clock-timer", test_clock_timer);
    g_test_add_func("/main-loop/clock-wakeup", test_clock_wakeup);
    g_test_add_func("/main-loop/runstate", test_runstate);
    return g_test_run();
}
