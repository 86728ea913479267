/*
 * The big lock (include/rove/bql.h): a plain mutex plus a thread-local
 * "held by me" flag.  The flag is set after the mutex is acquired and
 * cleared before it is released, so it is only ever true in the owner.
 * Misuse (recursion, unlocking a lock not held) aborts in every build:
 * it is a locking bug that would otherwise deadlock or corrupt devices.
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "rove/bql.h"

/*
 * A fair (FIFO, ticket) lock: a vCPU polling a device register takes and
 * drops the lock in a tight loop, and with a plain mutex it could take it
 * back every time before the main loop, waiting to deliver the very input
 * the guest polls for, ever got it.  The tickets are under a small mutex;
 * waiters sleep on a condition variable.
 */
static GMutex bql_mutex;   /* guards the tickets; statically allocated: no init */
static GCond bql_cond;
static unsigned bql_next_ticket, bql_now_serving;
static _Thread_local bool bql_held;

static void bql_misuse(const char *what)
{
    fprintf(stderr, "rove: BQL misuse: %s\n", what);
    abort();
}

void bql_lock(void)
{
    if (bql_held) {
        bql_misuse("bql_lock() while already held by this thread");
    }
    g_mutex_lock(&bql_mutex);
    unsigned ticket = bql_next_ticket++;
    while (ticket != bql_now_serving) {
        g_cond_wait(&bql_cond, &bql_mutex);
    }
    g_mutex_unlock(&bql_mutex);
    bql_held = true;
}

void bql_unlock(void)
{
    if (!bql_held) {
        bql_misuse("bql_unlock() without holding it");
    }
    bql_held = false;
    g_mutex_lock(&bql_mutex);
    bql_now_serving++;
    if (bql_next_ticket != bql_now_serving) {
        g_cond_broadcast(&bql_cond); /* someone waits: the next ticket goes */
    }
    g_mutex_unlock(&bql_mutex);
}

bool bql_locked(void)
{
    return bql_held;
}

BqlGuard bql_guard_enter(void)
{
    BqlGuard g = { .taken = !bql_held };
    if (g.taken) {
        bql_lock();
    }
    return g;
}

void bql_guard_exit(BqlGuard g)
{
    if (g.taken) {
        bql_unlock();
    }
}
