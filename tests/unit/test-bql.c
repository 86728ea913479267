/*
 * Unit tests for the big lock (hw/core/bql.c): ownership is per thread,
 * the lock excludes other threads, the guard pair nests on top of a held
 * lock without releasing it, and recursion / unlocking a lock not held
 * abort (checked in subprocesses).
 */
#include <glib.h>
#include <pthread.h>

#include "rove/bql.h"

static void test_basic(void)
{
    g_assert_false(bql_locked());
    bql_lock();
    g_assert_true(bql_locked());
    bql_unlock();
    g_assert_false(bql_locked());
}

static void test_guard(void)
{
    BqlGuard g = bql_guard_enter();
    g_assert_true(g.taken);
    g_assert_true(bql_locked());
    BqlGuard inner = bql_guard_enter();
    g_assert_false(inner.taken);
    bql_guard_exit(inner);
    g_assert_true(bql_locked()); /* the inner exit did not release it */
    bql_guard_exit(g);
    g_assert_false(bql_locked());
}

/* ---- Another thread: its flag, and mutual exclusion ---- */

static volatile int counter;

static void *other_thread(void *arg)
{
    bool *seen_locked = arg;
    *seen_locked = bql_locked(); /* the main thread holds it, not this one */
    for (int i = 0; i < 100000; i++) {
        bql_lock();
        int v = counter;
        counter = v + 1;
        bql_unlock();
    }
    return NULL;
}

static void test_threads(void)
{
    bool seen_locked = true;
    pthread_t t[2];
    counter = 0;
    bql_lock();
    pthread_create(&t[0], NULL, other_thread, &seen_locked);
    g_usleep(20000);
    g_assert_cmpint(counter, ==, 0); /* blocked behind us */
    bql_unlock();
    pthread_create(&t[1], NULL, other_thread, &(bool){ true });
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    g_assert_false(seen_locked);
    g_assert_cmpint(counter, ==, 200000);
}

static void test_recursion_aborts(void)
{
    if (g_test_subprocess()) {
        bql_lock();
        bql_lock();
        return;
    }
    g_test_trap_subprocess(NULL, 2000000, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*already held*");
}

static void test_unlock_unheld_aborts(void)
{
    if (g_test_subprocess()) {
        bql_unlock();
        return;
    }
    g_test_trap_subprocess(NULL, 2000000, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*without holding*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bql/basic", test_basic);
    g_test_add_func("/bql/guard", test_guard);
    g_test_add_func("/bql/threads", test_threads);
    g_test_add_func("/bql/recursion-aborts", test_recursion_aborts);
    g_test_add_func("/bql/unlock-unheld-aborts", test_unlock_unheld_aborts);
    return g_test_run();
}
