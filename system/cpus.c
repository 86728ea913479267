/*
 * The vCPU runner of system mode (include/rove/system.h): one host thread
 * per vCPU (MTTCG), or one thread that runs them in turn
 * (-accel tcg,thread=single).
 *
 * A vCPU thread loops: park while the machine is stopped; take a pending
 * interrupt (CpuSysOps.exec_interrupt); sleep while halted (wfi) until
 * has_work or a kick; run guest code (cpu_exec) until it returns (an exit
 * request, a halt).  Guest exceptions are taken inside cpu_exec.
 *
 * Locks: `run_lock` guards the run state (running, exiting, parked
 * counts); each vCPU's `lock` guards its wake-up flag.  Neither is held
 * while guest code runs, and neither is taken under the other.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "rove/system.h"

typedef struct Vcpu {
    CpuState *cs;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool kicked;
} Vcpu;

static Vcpu *vcpus;
static int nb_vcpus;
static bool single_thread;
static Clock *vm_clock;

static pthread_t *threads;
static int nb_threads;
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t run_cond = PTHREAD_COND_INITIALIZER;
static bool running, exiting;
static int parked;              /* threads parked (not running guest code) */

/* Single-thread mode: the vCPU now in cpu_exec, for the time-slice kicker. */
static CpuState *volatile rr_current;
static pthread_t rr_kicker;
static Vcpu rr_idle;            /* all halted: the thread sleeps here */

static Vcpu *vcpu_of(CpuState *cs)
{
    for (int i = 0; i < nb_vcpus; i++) {
        if (vcpus[i].cs == cs) {
            return &vcpus[i];
        }
    }
    return NULL;
}

void vcpu_kick(CpuState *cs)
{
    Vcpu *v = single_thread ? &rr_idle : vcpu_of(cs);
    if (!v) {
        return;
    }
    pthread_mutex_lock(&v->lock);
    v->kicked = true;
    pthread_cond_signal(&v->cond);
    pthread_mutex_unlock(&v->lock);
}

/* Park while stopped; false when the runner exits. */
static bool wait_running(void)
{
    pthread_mutex_lock(&run_lock);
    /* A stop request (cpu_stop_request) parks too, until vcpus_stop and
     * vcpus_start have been through. */
    if ((!running || cpu_stop_request) && !exiting) {
        parked++;
        pthread_cond_broadcast(&run_cond);
        while ((!running || __atomic_load_n(&cpu_stop_request, __ATOMIC_ACQUIRE)) &&
               !exiting) {
            pthread_cond_wait(&run_cond, &run_lock);
        }
        parked--;
    }
    bool go = !exiting;
    pthread_mutex_unlock(&run_lock);
    return go;
}

static bool should_run(void)
{
    return __atomic_load_n(&running, __ATOMIC_ACQUIRE) &&
           !__atomic_load_n(&exiting, __ATOMIC_ACQUIRE) &&
           !__atomic_load_n(&cpu_stop_request, __ATOMIC_ACQUIRE);
}

/* Interrupts, then wfi.  True if the vCPU may run guest code now. */
static bool vcpu_ready(CpuState *cs)
{
    if (cs->sys->exec_interrupt(cs)) {
        cs->halted = false;
    }
    if (cs->halted && cs->sys->has_work(cs)) {
        cs->halted = false;
    }
    return !cs->halted;
}

static void run_guest(CpuState *cs)
{
    int r = cpu_exec(cs);
    if (cs->pause_pending) {
        /* A spin-wait (CpuState.pause_yields): on a thread of its own,
         * the vCPU lets the host run another (the lock holder, maybe);
         * in turn, its turn ends here. */
        cs->pause_pending = 0;
        if (!single_thread) {
            sched_yield();
        }
    }
    switch (r) {
    case EXCP_INTERRUPT:
    case EXCP_HALT:
        break;
    default:
        fprintf(stderr, "rove: vCPU %d stopped with exception %d\n", cs->cpu_index, r);
        abort();
    }
}

/* Sleep on v until kicked, has_work, or the machine stops. */
static void idle_wait(Vcpu *v, CpuState **cs, int n)
{
    pthread_mutex_lock(&v->lock);
    for (;;) {
        bool work = false;
        for (int i = 0; i < n; i++) {
            work |= cs[i]->sys->has_work(cs[i]);
        }
        if (work || v->kicked || !should_run()) {
            break;
        }
        pthread_cond_wait(&v->cond, &v->lock);
    }
    v->kicked = false;
    pthread_mutex_unlock(&v->lock);
}

static void *vcpu_thread(void *opaque)
{
    Vcpu *v = opaque;
    CpuState *cs = v->cs;
    tier_sampler_start();
    while (wait_running()) {
        while (should_run()) {
            if (!vcpu_ready(cs)) {
                idle_wait(v, &cs, 1);
                continue;
            }
            run_guest(cs);
        }
    }
    return NULL;
}

static void *rr_thread(void *opaque)
{
    CpuState **all = g_new(CpuState *, nb_vcpus);
    for (int i = 0; i < nb_vcpus; i++) {
        all[i] = vcpus[i].cs;
    }
    tier_sampler_start();
    while (wait_running()) {
        while (should_run()) {
            bool ran = false;
            for (int i = 0; i < nb_vcpus && should_run(); i++) {
                CpuState *cs = all[i];
                if (!vcpu_ready(cs)) {
                    continue;
                }
                ran = true;
                __atomic_store_n(&rr_current, cs, __ATOMIC_RELEASE);
                run_guest(cs);
                __atomic_store_n(&rr_current, NULL, __ATOMIC_RELEASE);
            }
            if (!ran) {
                idle_wait(&rr_idle, all, nb_vcpus);
            }
        }
    }
    g_free(all);
    return NULL;
}

/* Single-thread mode: end each vCPU's turn after a time slice. */
static void *rr_kick_thread(void *opaque)
{
    const struct timespec slice = { 0, 2 * 1000 * 1000 };
    while (!__atomic_load_n(&exiting, __ATOMIC_ACQUIRE)) {
        nanosleep(&slice, NULL);
        CpuState *cs = __atomic_load_n(&rr_current, __ATOMIC_ACQUIRE);
        if (cs && nb_vcpus > 1) {
            cpu_exit(cs);
        }
    }
    return NULL;
}

static void vcpu_init_one(Vcpu *v, CpuState *cs)
{
    v->cs = cs;
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->cond, NULL);
}

void vcpus_init(CpuState **cpus, int n, bool single, Clock *clock)
{
    g_assert(!vcpus && n > 0);
    nb_vcpus = n;
    single_thread = single;
    vm_clock = clock;
    vcpus = g_new0(Vcpu, n);
    for (int i = 0; i < n; i++) {
        vcpu_init_one(&vcpus[i], cpus[i]);
        cpus[i]->pause_yields = single ? n > 1 : n > (int)g_get_num_processors();
    }
    vcpu_init_one(&rr_idle, NULL);
    nb_threads = single ? 1 : n;
    threads = g_new0(pthread_t, nb_threads);
    for (int i = 0; i < nb_threads; i++) {
        int err = single ? pthread_create(&threads[i], NULL, rr_thread, NULL)
                         : pthread_create(&threads[i], NULL, vcpu_thread, &vcpus[i]);
        if (err) {
            fprintf(stderr, "rove: cannot start a vCPU thread\n");
            exit(1);
        }
    }
    if (single && pthread_create(&rr_kicker, NULL, rr_kick_thread, NULL)) {
        fprintf(stderr, "rove: cannot start the vCPU time-slice thread\n");
        exit(1);
    }
}

void vcpus_start(void)
{
    pthread_mutex_lock(&run_lock);
    if (vm_clock) {
        clock_start(vm_clock);
    }
    __atomic_store_n(&cpu_stop_request, false, __ATOMIC_RELEASE);
    __atomic_store_n(&running, true, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&run_cond);
    pthread_mutex_unlock(&run_lock);
}

static void kick_all(void)
{
    for (int i = 0; i < nb_vcpus; i++) {
        cpu_exit(vcpus[i].cs);
        vcpu_kick(vcpus[i].cs);
    }
    vcpu_kick(NULL);
}

void vcpus_stop(void)
{
    pthread_mutex_lock(&run_lock);
    __atomic_store_n(&running, false, __ATOMIC_RELEASE);
    kick_all();
    while (parked < nb_threads) {
        pthread_cond_wait(&run_cond, &run_lock);
    }
    if (vm_clock) {
        clock_stop(vm_clock);
    }
    pthread_mutex_unlock(&run_lock);
}

void vcpus_exit(void)
{
    if (!vcpus) {
        return;
    }
    pthread_mutex_lock(&run_lock);
    __atomic_store_n(&exiting, true, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&run_cond);
    kick_all();
    pthread_mutex_unlock(&run_lock);
    for (int i = 0; i < nb_threads; i++) {
        pthread_join(threads[i], NULL);
    }
    if (single_thread) {
        pthread_join(rr_kicker, NULL);
    }
}
