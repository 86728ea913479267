/*
 * accel/tcg/cpus.c: exclusive sections against vCPU threads.
 *
 * Three vCPU threads loop "entering generated code" (cpu_exec_start, then
 * spinning until exit_request or a while has passed, then cpu_exec_end),
 * now and then "in a system call" (outside the brackets).  The main thread
 * runs many exclusive sections; inside each it checks that no vCPU is
 * between its brackets, and each vCPU checks on entry and all the while it
 * runs that no section is active.  A fourth thread keeps adding and
 * removing a vCPU (a guest thread coming and going) meanwhile.  Any
 * overlap is counted as a violation; a deadlock ends in meson's timeout.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/tcg/internal.h"

enum { NCPU = 3, SECTIONS = 300 };

static CpuState cpus[NCPU];
static int inside[NCPU];
static long entries[NCPU];
static int section_active;
static int stop;
static int violations;

static void note_violation(const char *what)
{
    if (__atomic_fetch_add(&violations, 1, __ATOMIC_SEQ_CST) < 5) {
        fprintf(stderr, "violation: %s\n", what);
    }
}

static void *vcpu_thread(void *arg)
{
    int i = (int)(intptr_t)arg;
    CpuState *cpu = &cpus[i];
    unsigned seed = (unsigned)i * 7919u + 1;
    while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
        cpu_exec_start(cpu);
        __atomic_store_n(&inside[i], 1, __ATOMIC_SEQ_CST);
        entries[i]++;
        /* "generated code": runs until kicked, checking the invariant */
        for (int n = 0; n < 20000; n++) {
            if (__atomic_load_n(&section_active, __ATOMIC_SEQ_CST)) {
                note_violation("a vCPU ran during an exclusive section");
            }
            if (__atomic_load_n(&cpu->tcg.exit_request, __ATOMIC_SEQ_CST)) {
                break;
            }
        }
        __atomic_store_n(&cpu->tcg.exit_request, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&inside[i], 0, __ATOMIC_SEQ_CST);
        cpu_exec_end(cpu);
        if (rand_r(&seed) % 4 == 0) {
            /* "a system call": not running, not waited for */
            struct timespec ts = { 0, 20000 };
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static void *churn_thread(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
        CpuState *c = g_new0(CpuState, 1);
        cpu_list_add(c);
        cpu_exec_start(c);
        cpu_exec_end(c);
        cpu_list_remove(c);
        g_free(c);
    }
    return NULL;
}

int main(void)
{
    pthread_t th[NCPU], churn;
    for (int i = 0; i < NCPU; i++) {
        cpu_list_add(&cpus[i]);
    }
    for (int i = 0; i < NCPU; i++) {
        pthread_create(&th[i], NULL, vcpu_thread, (void *)(intptr_t)i);
    }
    pthread_create(&churn, NULL, churn_thread, NULL);

    for (int s = 0; s < SECTIONS; s++) {
        start_exclusive();
        __atomic_store_n(&section_active, 1, __ATOMIC_SEQ_CST);
        for (int i = 0; i < NCPU; i++) {
            if (__atomic_load_n(&inside[i], __ATOMIC_SEQ_CST)) {
                note_violation("an exclusive section began with a vCPU inside");
            }
        }
        for (volatile int n = 0; n < 2000; n++) {
        }
        __atomic_store_n(&section_active, 0, __ATOMIC_SEQ_CST);
        end_exclusive();
        struct timespec ts = { 0, 50000 };
        nanosleep(&ts, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < NCPU; i++) {
        pthread_join(th[i], NULL);
    }
    pthread_join(churn, NULL);

    int failed = violations != 0;
    for (int i = 0; i < NCPU; i++) {
        if (entries[i] == 0) {
            fprintf(stderr, "vCPU %d never ran\n", i);
            failed = 1;
        }
    }
    printf("%d exclusive sections, vCPU entries %ld/%ld/%ld, %d violations\n", SECTIONS,
           entries[0], entries[1], entries[2], violations);
    return failed;
}
