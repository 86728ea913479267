/*
 * GLib sources of the system emulator's main loop (system/main-loop.c):
 * the virtual clock's timers, and the run-state requests of
 * include/rove/system.h.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include <stdbool.h>

#include <glib.h>

#include "rove/clock.h"

/*
 * Fires the clock's due timers (clock_run_expired, under the big lock).
 * The wait ends at the earliest deadline with nanosecond precision (a
 * timerfd, since GLib's poll timeout is in milliseconds), and arming an
 * earlier timer from any thread wakes ctx (clock_set_notify).  The clock
 * must only be started and stopped by the main thread (vcpus_start/stop
 * run there), since that changes the timeout without a wake-up.
 */
GSource *clock_source_new(Clock *clock, GMainContext *ctx);

/* Called from the main loop with the requests taken since the last call. */
typedef void (*RunstateHandler)(bool shutdown, int exit_status, bool reset, void *opaque);

/* Dispatches system_request_shutdown / system_request_reset (which wake
 * the default context, so attach it there). */
GSource *runstate_source_new(RunstateHandler handler, void *opaque);

#endif /* SYSTEM_MAIN_LOOP_H */
