/* POSIX threads (dynamically linked): create/join with return values,
 * AMO-based and mutex-protected counters, a condition-variable ping-pong,
 * thread-local storage, pthread_once, a barrier, and lr/sc spinlocks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include "rvtest.h"

enum { NT = 4, ITERS = 50000 };

static volatile uint64_t amo_counter;
static uint64_t mutex_counter, spin_counter;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static __thread int tls_value = 5;
static int tls_ok[NT];
static pthread_barrier_t barrier;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_count;
static volatile int spin;

static void once_fn(void) { once_count++; }

static void spin_lock(volatile int *l)
{
    int tmp, one = 1;
    __asm__ volatile("1: lr.w.aq %0, (%1)\n\t"
                     "bnez %0, 1b\n\t"
                     "sc.w %0, %2, (%1)\n\t"
                     "bnez %0, 1b"
                     : "=&r"(tmp) : "r"(l), "r"(one) : "memory");
}
static void spin_unlock(volatile int *l)
{
    __asm__ volatile("amoswap.w.rl zero, zero, (%0)" : : "r"(l) : "memory");
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    tls_value = 100 + id;
    pthread_once(&once, once_fn);
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ITERS; i++) {
        __atomic_fetch_add(&amo_counter, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&mu);
        mutex_counter += 2;
        pthread_mutex_unlock(&mu);
        if ((i & 7) == 0) {
            spin_lock(&spin);
            spin_counter++;
            spin_unlock(&spin);
        }
    }
    sched_yield();
    tls_ok[id] = tls_value == 100 + id;
    return (void *)(intptr_t)(id * 10);
}

static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;
static int turn, rounds_done;

static void *ponger(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&pm);
        while (turn != 1) {
            pthread_cond_wait(&pc, &pm);
        }
        turn = 0;
        rounds_done++;
        pthread_cond_signal(&pc);
        pthread_mutex_unlock(&pm);
    }
    return NULL;
}

static pid_t thread_tid;
static void *get_tid(void *arg)
{
    (void)arg;
    thread_tid = gettid();
    return NULL;
}

int main(void)
{
    pthread_t th[NT];
    pthread_barrier_init(&barrier, NULL, NT);
    for (int i = 0; i < NT; i++) {
        CHECK(rvt_name("pthread_create %d", i), pthread_create(&th[i], NULL, worker,
              (void *)(intptr_t)i), 0);
    }
    int rets_ok = 1;
    for (int i = 0; i < NT; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        rets_ok &= (intptr_t)ret == i * 10;
    }
    CHECK_TRUE("join return values", rets_ok);
    CHECK("atomic counter", amo_counter, (uint64_t)NT * ITERS);
    CHECK("mutex counter", mutex_counter, (uint64_t)NT * ITERS * 2);
    CHECK("lr/sc spinlock counter", spin_counter, (uint64_t)NT * (ITERS / 8));
    int tok = 1;
    for (int i = 0; i < NT; i++) {
        tok &= tls_ok[i];
    }
    CHECK_TRUE("thread-local storage per thread", tok);
    CHECK("main thread TLS untouched", tls_value, 5);
    CHECK("pthread_once ran once", once_count, 1);

    pthread_t p;
    pthread_create(&p, NULL, ponger, NULL);
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&pm);
        turn = 1;
        pthread_cond_signal(&pc);
        while (turn != 0) {
            pthread_cond_wait(&pc, &pm);
        }
        pthread_mutex_unlock(&pm);
    }
    pthread_join(p, NULL);
    CHECK("condvar ping-pong rounds", rounds_done, 1000);
    pthread_t q;
    pthread_create(&q, NULL, get_tid, NULL);
    pthread_join(q, NULL);
    CHECK_TRUE("gettid in a thread differs from pid", thread_tid != getpid() && thread_tid > 0);
    return rvt_done("threads");
}
