/*
 * Run-state requests (include/rove/system.h): a guest poweroff, a test
 * finisher, Ctrl-A x or a host signal asks the main loop to shut the
 * machine down or reset it.  Requests come from any thread (vCPUs under
 * the big lock, the main loop without it), so they are flags under a
 * mutex of their own, and each one wakes GLib's default main context,
 * the one system/main.c runs.  The first shutdown's status wins: a guest
 * that writes "fail 3" and then "pass" exits with 3.
 *
 * Not async-signal-safe (signals reach the main loop through
 * g_unix_signal_add instead).
 */
#include <stdbool.h>

#include <glib.h>

#include "rove/system.h"

static GMutex lock;
static bool shutdown_pending;
static int shutdown_status;
static bool reset_pending;

void system_request_shutdown(int exit_status)
{
    g_mutex_lock(&lock);
    if (!shutdown_pending) {
        shutdown_pending = true;
        shutdown_status = exit_status;
    }
    g_mutex_unlock(&lock);
    cpu_request_stop_all();
    g_main_context_wakeup(g_main_context_default());
}

void system_request_reset(void)
{
    g_mutex_lock(&lock);
    reset_pending = true;
    g_mutex_unlock(&lock);
    cpu_request_stop_all();
    g_main_context_wakeup(g_main_context_default());
}

bool system_take_shutdown(int *exit_status)
{
    g_mutex_lock(&lock);
    bool pending = shutdown_pending;
    if (pending) {
        *exit_status = shutdown_status;
        shutdown_pending = false;
    }
    g_mutex_unlock(&lock);
    return pending;
}

bool system_take_reset(void)
{
    g_mutex_lock(&lock);
    bool pending = reset_pending;
    reset_pending = false;
    g_mutex_unlock(&lock);
    return pending;
}
