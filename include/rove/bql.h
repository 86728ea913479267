/*
 * The big lock (BQL): one process-wide mutex that serialises every touch of
 * device state.  vCPU threads take it around MMIO dispatch and interrupt
 * delivery; main-loop callbacks that reach a device (character input,
 * timers) take it around that call.  Device models never take it.
 *
 * Recursion is an error, not a feature: bql_lock() by a thread that already
 * holds it aborts with a message (in every build type), and so does
 * bql_unlock() by a thread that does not hold it.  Code that may be reached
 * both with and without the lock held (main-loop callbacks, memory
 * listeners called from a tree change) uses the guard pair instead:
 *
 *     BqlGuard g = bql_guard_enter();   // takes it unless already held
 *     ... touch devices ...
 *     bql_guard_exit(g);                // releases it only if enter took it
 *
 * bql_locked() says whether *this* thread holds it (a thread-local flag,
 * so it is cheap enough for assertions on hot paths).
 */
#ifndef ROVE_BQL_H
#define ROVE_BQL_H

#include <stdbool.h>

void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);

typedef struct BqlGuard {
    bool taken; /* bql_guard_enter took the lock (and exit must release it) */
} BqlGuard;

BqlGuard bql_guard_enter(void);
void bql_guard_exit(BqlGuard g);

#endif /* ROVE_BQL_H */
