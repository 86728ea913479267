/*
 * The virtual clock and its timers: guest time in nanoseconds, and
 * callbacks due at absolute points of it (what QEMU calls
 * QEMU_CLOCK_VIRTUAL and QEMUTimer).
 *
 * A Clock runs in one of two modes:
 * - CLOCK_MODE_HOST: follows the host's monotonic clock while running;
 *   clock_stop freezes it (a paused machine sees no time pass) and
 *   clock_start resumes it from where it stopped.
 * - CLOCK_MODE_MANUAL: moves only when told (clock_step, clock_set_ns).
 *   Unit tests use it, and so will an instruction-count mode.
 *
 * Invariants: clock_get_ns never goes backwards; a timer is either idle
 * or armed at one deadline (arming an armed timer moves it); armed timers
 * fire in deadline order, ties in the order they were armed; a timer fires
 * at most once per arming, never before its deadline.
 *
 * Locking: each clock has a mutex that guards its time base and the list
 * of armed timers, so timers may be armed, cancelled and queried from any
 * thread (vCPU threads, writing a device register) while the main loop
 * reads clock_next_deadline.  Callbacks run without that mutex, in the
 * thread that calls clock_run_expired / clock_step, which must hold the
 * machine's big lock (callbacks touch device state); a callback may arm or
 * cancel any timer, itself included.  Cancelling a timer from a thread
 * that does not hold the big lock may race with it firing once.
 */
#ifndef ROVE_CLOCK_H
#define ROVE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* No timer is armed (clock_next_deadline) / never (a deadline). */
#define CLOCK_NO_DEADLINE INT64_MAX

typedef enum ClockMode {
    CLOCK_MODE_HOST,
    CLOCK_MODE_MANUAL,
} ClockMode;

typedef struct Clock Clock;
typedef struct Timer Timer;
typedef void (*TimerCb)(void *opaque);

/* Embed in device state, or get one from timer_new.  Fields are private. */
struct Timer {
    Clock *clock;
    TimerCb cb;
    void *opaque;
    int64_t deadline;   /* while armed */
    uint64_t seq;       /* arming order, for ties and for the run bound */
    bool armed;
    Timer *next;        /* in the clock's sorted list, while armed */
};

/*
 * A new clock at time 0.  A host-mode clock starts stopped (a machine
 * starts it when its vCPUs start); a manual clock is always "running" in
 * the sense that only explicit calls move it.
 */
Clock *clock_new(ClockMode mode);
/* Unlinks any timers still armed (they become idle) and frees the clock. */
void clock_free(Clock *clock);
ClockMode clock_mode(Clock *clock);

/* Current time in ns, >= every earlier answer. */
int64_t clock_get_ns(Clock *clock);

/* Host mode: freeze and resume.  No effect in manual mode. */
void clock_stop(Clock *clock);
void clock_start(Clock *clock);
bool clock_is_running(Clock *clock);

/*
 * Manual mode: move time forward to `ns` (never backwards: an earlier
 * value is ignored) without firing anything; clock_run_expired fires what
 * became due.  Aborts in host mode (programming error).
 */
void clock_set_ns(Clock *clock, int64_t ns);
/*
 * Manual mode: advance by `delta_ns` (>= 0), firing each timer that falls
 * due with the clock set to exactly its deadline, in order; ends with the
 * clock at the old time + delta_ns.  Caller holds the big lock.
 */
void clock_step(Clock *clock, int64_t delta_ns);

/*
 * Fire every timer whose deadline is <= now, in deadline order.  A timer
 * (re)armed by a callback during this call at a deadline that is already
 * due fires in the next call, so one call is bounded by the number of
 * timers.  Returns true if any callback ran.  Caller holds the big lock.
 */
bool clock_run_expired(Clock *clock);

/* Earliest armed deadline (absolute ns), or CLOCK_NO_DEADLINE. */
int64_t clock_next_deadline(Clock *clock);
/*
 * For a main loop's poll timeout: -1 if nothing is armed or the clock
 * does not move by itself (stopped, or manual), 0 if something is due,
 * else the nanoseconds until the earliest deadline.
 */
int64_t clock_timeout_ns(Clock *clock);

/*
 * `fn(opaque)` is called whenever arming a timer makes the earliest
 * deadline earlier, so a sleeping main loop can wake and recompute its
 * timeout.  It runs in the arming thread, outside the clock's mutex.
 */
void clock_set_notify(Clock *clock, void (*fn)(void *opaque), void *opaque);

/* ---- Timers ---- */

void timer_init(Timer *t, Clock *clock, TimerCb cb, void *opaque);
/* Cancels; the Timer's memory may then be reused or freed. */
void timer_deinit(Timer *t);
Timer *timer_new(Clock *clock, TimerCb cb, void *opaque);
void timer_free(Timer *t);

/* Arm (or move) at absolute time `deadline_ns`; a past deadline is due now. */
void timer_arm(Timer *t, int64_t deadline_ns);
void timer_cancel(Timer *t);
bool timer_pending(Timer *t);
/* The armed deadline, or CLOCK_NO_DEADLINE when idle. */
int64_t timer_deadline(Timer *t);

#endif /* ROVE_CLOCK_H */
