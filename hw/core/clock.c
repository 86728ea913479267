/*
 * The virtual clock and timers (include/rove/clock.h).
 *
 * Armed timers sit in one singly linked list sorted by deadline, ties in
 * arming order (a machine has a few dozen timers at most, so a sorted list
 * beats a heap on simplicity and is as fast).  Every field of the clock and
 * the link/deadline/armed fields of its timers are guarded by clock->lock;
 * callbacks are called after the lock is dropped, so they may arm timers.
 *
 * Invariants: the list is sorted; a timer is in the list iff t->armed;
 * the time returned never decreases (`last` clamps it, in case the host
 * clock misbehaves); clock_run_expired fires only timers armed before it
 * started (their seq <= the clock's seq at entry), so a callback that keeps
 * re-arming itself in the past cannot make one call loop forever.
 */
#include <time.h>

#include <glib.h>

#include "rove/clock.h"

struct Clock {
    GMutex lock;
    ClockMode mode;
    bool running;       /* host mode */
    int64_t base_ns;    /* time at the last start/stop (host), or the time (manual) */
    int64_t host_start; /* host ns at the last start */
    int64_t last;       /* largest value returned */
    uint64_t arm_seq;   /* bumped on every arming */
    Timer *head;
    void (*notify)(void *opaque);
    void *notify_opaque;
};

static int64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_locked(Clock *c)
{
    int64_t now = c->base_ns;
    if (c->mode == CLOCK_MODE_HOST && c->running) {
        now += host_ns() - c->host_start;
    }
    if (now < c->last) {
        now = c->last;
    }
    c->last = now;
    return now;
}

Clock *clock_new(ClockMode mode)
{
    Clock *c = g_new0(Clock, 1);
    g_mutex_init(&c->lock);
    c->mode = mode;
    return c;
}

void clock_free(Clock *c)
{
    if (!c) {
        return;
    }
    g_mutex_lock(&c->lock);
    for (Timer *t = c->head, *next; t; t = next) {
        next = t->next;
        t->next = NULL;
        t->armed = false;
    }
    c->head = NULL;
    g_mutex_unlock(&c->lock);
    g_mutex_clear(&c->lock);
    g_free(c);
}

ClockMode clock_mode(Clock *c)
{
    return c->mode;
}

int64_t clock_get_ns(Clock *c)
{
    g_mutex_lock(&c->lock);
    int64_t now = now_locked(c);
    g_mutex_unlock(&c->lock);
    return now;
}

void clock_stop(Clock *c)
{
    g_mutex_lock(&c->lock);
    if (c->mode == CLOCK_MODE_HOST && c->running) {
        c->base_ns = now_locked(c);
        c->running = false;
    }
    g_mutex_unlock(&c->lock);
}

void clock_start(Clock *c)
{
    g_mutex_lock(&c->lock);
    if (c->mode == CLOCK_MODE_HOST && !c->running) {
        c->host_start = host_ns();
        c->running = true;
    }
    g_mutex_unlock(&c->lock);
}

bool clock_is_running(Clock *c)
{
    g_mutex_lock(&c->lock);
    bool r = c->mode == CLOCK_MODE_MANUAL || c->running;
    g_mutex_unlock(&c->lock);
    return r;
}

void clock_set_ns(Clock *c, int64_t ns)
{
    g_mutex_lock(&c->lock);
    if (c->mode != CLOCK_MODE_MANUAL) {
        g_error("clock_set_ns on a host-mode clock");
    }
    if (ns > c->base_ns) {
        c->base_ns = ns;
    }
    g_mutex_unlock(&c->lock);
}

/* Take the first due timer armed no later than seq_limit out of the list. */
static bool pop_due_locked(Clock *c, int64_t now, uint64_t seq_limit, TimerCb *cb,
                           void **opaque)
{
    for (Timer **pp = &c->head; *pp && (*pp)->deadline <= now; pp = &(*pp)->next) {
        Timer *t = *pp;
        if (t->seq <= seq_limit) {
            *pp = t->next;
            t->next = NULL;
            t->armed = false;
            *cb = t->cb;
            *opaque = t->opaque;
            return true;
        }
    }
    return false;
}

bool clock_run_expired(Clock *c)
{
    bool fired = false;
    g_mutex_lock(&c->lock);
    uint64_t seq_limit = c->arm_seq;
    for (;;) {
        TimerCb cb;
        void *opaque;
        if (!pop_due_locked(c, now_locked(c), seq_limit, &cb, &opaque)) {
            break;
        }
        g_mutex_unlock(&c->lock);
        cb(opaque);
        fired = true;
        g_mutex_lock(&c->lock);
    }
    g_mutex_unlock(&c->lock);
    return fired;
}

void clock_step(Clock *c, int64_t delta_ns)
{
    g_assert(delta_ns >= 0);
    g_mutex_lock(&c->lock);
    if (c->mode != CLOCK_MODE_MANUAL) {
        g_error("clock_step on a host-mode clock");
    }
    int64_t target = c->base_ns > INT64_MAX - delta_ns ? INT64_MAX : c->base_ns + delta_ns;
    /*
     * Visit each distinct deadline up to target once, with the clock set to
     * it.  pass_at only grows, so this ends even if callbacks keep arming.
     */
    int64_t pass_at = INT64_MIN;
    bool first = true;
    for (;;) {
        Timer *t = c->head;
        while (t && !first && t->deadline <= pass_at) {
            t = t->next;
        }
        first = false;
        if (!t || t->deadline > target) {
            break;
        }
        if (t->deadline > c->base_ns) {
            c->base_ns = t->deadline;
        }
        pass_at = c->base_ns;
        g_mutex_unlock(&c->lock);
        clock_run_expired(c);
        g_mutex_lock(&c->lock);
    }
    if (target > c->base_ns) {
        c->base_ns = target;
    }
    g_mutex_unlock(&c->lock);
    clock_run_expired(c);
}

int64_t clock_next_deadline(Clock *c)
{
    g_mutex_lock(&c->lock);
    int64_t d = c->head ? c->head->deadline : CLOCK_NO_DEADLINE;
    g_mutex_unlock(&c->lock);
    return d;
}

int64_t clock_timeout_ns(Clock *c)
{
    int64_t r = -1;
    g_mutex_lock(&c->lock);
    if (c->head && c->mode == CLOCK_MODE_HOST && c->running) {
        int64_t now = now_locked(c);
        r = c->head->deadline <= now ? 0 : c->head->deadline - now;
    } else if (c->head && c->head->deadline <= now_locked(c)) {
        r = 0; /* stopped or manual, but something is already due */
    }
    g_mutex_unlock(&c->lock);
    return r;
}

void clock_set_notify(Clock *c, void (*fn)(void *opaque), void *opaque)
{
    g_mutex_lock(&c->lock);
    c->notify = fn;
    c->notify_opaque = opaque;
    g_mutex_unlock(&c->lock);
}

/* ---- Timers ---- */

void timer_init(Timer *t, Clock *clock, TimerCb cb, void *opaque)
{
    *t = (Timer){ .clock = clock, .cb = cb, .opaque = opaque, .deadline = CLOCK_NO_DEADLINE };
}

void timer_deinit(Timer *t)
{
    timer_cancel(t);
}

Timer *timer_new(Clock *clock, TimerCb cb, void *opaque)
{
    Timer *t = g_new(Timer, 1);
    timer_init(t, clock, cb, opaque);
    return t;
}

void timer_free(Timer *t)
{
    if (t) {
        timer_deinit(t);
        g_free(t);
    }
}

static void unlink_locked(Timer *t)
{
    for (Timer **pp = &t->clock->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->armed = false;
}

void timer_arm(Timer *t, int64_t deadline_ns)
{
    Clock *c = t->clock;
    g_mutex_lock(&c->lock);
    int64_t old_first = c->head ? c->head->deadline : CLOCK_NO_DEADLINE;
    if (t->armed) {
        unlink_locked(t);
    }
    t->deadline = deadline_ns;
    t->seq = ++c->arm_seq;
    t->armed = true;
    Timer **pp = &c->head;
    while (*pp && (*pp)->deadline <= deadline_ns) {
        pp = &(*pp)->next;
    }
    t->next = *pp;
    *pp = t;
    void (*notify)(void *) = deadline_ns < old_first ? c->notify : NULL;
    void *notify_opaque = c->notify_opaque;
    g_mutex_unlock(&c->lock);
    if (notify) {
        notify(notify_opaque);
    }
}

void timer_cancel(Timer *t)
{
    if (!t->clock) {
        return;
    }
    g_mutex_lock(&t->clock->lock);
    if (t->armed) {
        unlink_locked(t);
    }
    g_mutex_unlock(&t->clock->lock);
}

bool timer_pending(Timer *t)
{
    g_mutex_lock(&t->clock->lock);
    bool armed = t->armed;
    g_mutex_unlock(&t->clock->lock);
    return armed;
}

int64_t timer_deadline(Timer *t)
{
    g_mutex_lock(&t->clock->lock);
    int64_t d = t->armed ? t->deadline : CLOCK_NO_DEADLINE;
    g_mutex_unlock(&t->clock->lock);
    return d;
}
