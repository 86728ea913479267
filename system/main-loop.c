/*
 * The main loop's own sources: virtual-clock timers and run-state
 * requests (main-loop.h).  Character input has its own source
 * (hw/char/chardev-stdio.c); host signals come through g_unix_signal_add.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "rove/bql.h"
#include "rove/system.h"
#include "system/main-loop.h"

/* ---- Clock timers ---- */

typedef struct ClockSource {
    GSource base;
    Clock *clock;
    GMainContext *ctx;    /* woken when a timer is armed earlier */
    int tfd;              /* CLOCK_MONOTONIC timerfd: the next deadline */
    gpointer tag;
} ClockSource;

static void clock_source_wake(void *opaque)
{
    g_main_context_wakeup(opaque);
}

static gboolean clock_source_prepare(GSource *s, gint *timeout)
{
    ClockSource *cs = (ClockSource *)s;
    int64_t ns = clock_timeout_ns(cs->clock);
    *timeout = -1;
    if (ns == 0) {
        return TRUE;
    }
    /* A host-mode clock advances with CLOCK_MONOTONIC, so a relative wait matches. */
    struct itimerspec its = { 0 };
    if (ns > 0) {
        its.it_value.tv_sec = ns / 1000000000;
        its.it_value.tv_nsec = ns % 1000000000;
    }
    timerfd_settime(cs->tfd, 0, &its, NULL); /* ns < 0: disarmed */
    return FALSE;
}

static gboolean clock_source_check(GSource *s)
{
    ClockSource *cs = (ClockSource *)s;
    if (g_source_query_unix_fd(s, cs->tag) & G_IO_IN) {
        uint64_t expirations;
        while (read(cs->tfd, &expirations, sizeof(expirations)) < 0 && errno == EINTR) {
        }
    }
    return clock_timeout_ns(cs->clock) == 0;
}

static gboolean clock_source_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
    ClockSource *cs = (ClockSource *)s;
    /* Timer callbacks touch devices. */
    BqlGuard g = bql_guard_enter();
    clock_run_expired(cs->clock);
    bql_guard_exit(g);
    return G_SOURCE_CONTINUE;
}

static void clock_source_finalize(GSource *s)
{
    ClockSource *cs = (ClockSource *)s;
    clock_set_notify(cs->clock, NULL, NULL);
    close(cs->tfd);
    if (cs->ctx) {
        g_main_context_unref(cs->ctx);
    }
}

static GSourceFuncs clock_source_funcs = {
    .prepare = clock_source_prepare,
    .check = clock_source_check,
    .dispatch = clock_source_dispatch,
    .finalize = clock_source_finalize,
};

GSource *clock_source_new(Clock *clock, GMainContext *ctx)
{
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) {
        g_error("timerfd_create: %s", g_strerror(errno));
    }
    ClockSource *cs = (ClockSource *)g_source_new(&clock_source_funcs, sizeof(ClockSource));
    cs->clock = clock;
    cs->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    cs->tfd = tfd;
    cs->tag = g_source_add_unix_fd(&cs->base, tfd, G_IO_IN);
    g_source_set_name(&cs->base, "virtual clock");
    clock_set_notify(clock, clock_source_wake, cs->ctx);
    return &cs->base;
}

/* ---- Run-state requests ---- */

typedef struct RunstateSource {
    GSource base;
    RunstateHandler handler;
    void *opaque;
    bool shutdown;
    int status;
    bool reset;
} RunstateSource;

/* Moves pending requests into the source; true if there is any. */
static bool runstate_poll(RunstateSource *rs)
{
    int status;
    if (system_take_shutdown(&status) && !rs->shutdown) {
        rs->shutdown = true;
        rs->status = status;
    }
    if (system_take_reset()) {
        rs->reset = true;
    }
    return rs->shutdown || rs->reset;
}

static gboolean runstate_prepare(GSource *s, gint *timeout)
{
    *timeout = -1;
    return runstate_poll((RunstateSource *)s);
}

static gboolean runstate_check(GSource *s)
{
    return runstate_poll((RunstateSource *)s);
}

static gboolean runstate_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
    RunstateSource *rs = (RunstateSource *)s;
    bool shutdown = rs->shutdown, reset = rs->reset;
    int status = rs->status;
    rs->shutdown = rs->reset = false;
    rs->handler(shutdown, status, reset, rs->opaque);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs runstate_funcs = {
    .prepare = runstate_prepare,
    .check = runstate_check,
    .dispatch = runstate_dispatch,
};

GSource *runstate_source_new(RunstateHandler handler, void *opaque)
{
    RunstateSource *rs = (RunstateSource *)g_source_new(&runstate_funcs, sizeof(RunstateSource));
    rs->handler = handler;
    rs->opaque = opaque;
    g_source_set_name(&rs->base, "run state");
    return &rs->base;
}
