/*
 * The list of vCPUs and exclusive sections.
 *
 * An exclusive section (start_exclusive .. end_exclusive) runs while no
 * other vCPU is in generated code: a whole-cache flush needs that, since
 * it frees TBs other threads could be running or about to chain to.
 *
 * Every vCPU marks itself `running` for the length of a cpu_exec call
 * (cpu_exec_start/end; a vCPU in a system call is not running).  The
 * requester counts the running vCPUs into pending_cpus, kicks them out of
 * generated code (exit_request) and sleeps until each has passed
 * cpu_exec_end; a vCPU that reaches cpu_exec_start meanwhile waits for the
 * section to end.  The fast path of cpu_exec_start/end is one store, a full
 * barrier and one load: the lock is taken only while a section is pending.
 * (The same handshake as QEMU's cpus-common.c, written for this engine.)
 */
#include <string.h>

#include "accel/tcg/internal.h"

__thread CpuState *current_cpu;

static pthread_mutex_t cpu_list_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exclusive_cond = PTHREAD_COND_INITIALIZER; /* requester waits */
static pthread_cond_t exclusive_resume = PTHREAD_COND_INITIALIZER; /* others wait */
static CpuState *cpu_list;
static int next_cpu_index;
/* 0: no section; otherwise 1 + the running vCPUs the requester waits for. */
static int pending_cpus;

void cpu_list_add(CpuState *cpu)
{
    pthread_mutex_lock(&cpu_list_lock);
    /* No section may be in progress while the list changes. */
    while (pending_cpus) {
        pthread_cond_wait(&exclusive_resume, &cpu_list_lock);
    }
    cpu->cpu_index = next_cpu_index++;
    cpu->next_cpu = cpu_list;
    cpu_list = cpu;
    pthread_mutex_unlock(&cpu_list_lock);
}

void cpu_list_remove(CpuState *cpu)
{
    pthread_mutex_lock(&cpu_list_lock);
    while (pending_cpus) {
        pthread_cond_wait(&exclusive_resume, &cpu_list_lock);
    }
    for (CpuState **pp = &cpu_list; *pp; pp = &(*pp)->next_cpu) {
        if (*pp == cpu) {
            *pp = cpu->next_cpu;
            break;
        }
    }
    pthread_mutex_unlock(&cpu_list_lock);
}

void cpu_list_exit_all(void)
{
    pthread_mutex_lock(&cpu_list_lock);
    for (CpuState *c = cpu_list; c; c = c->next_cpu) {
        cpu_exit(c);
    }
    pthread_mutex_unlock(&cpu_list_lock);
}

void cpu_list_clear_jmp_caches(void)
{
    for (CpuState *c = cpu_list; c; c = c->next_cpu) {
        jmp_cache_reset(cpu_tcg(c));
    }
}

void start_exclusive(void)
{
    pthread_mutex_lock(&cpu_list_lock);
    while (pending_cpus) {
        pthread_cond_wait(&exclusive_resume, &cpu_list_lock);
    }
    /* pending_cpus before reading `running`: pairs with cpu_exec_start's
     * store of running before its read of pending_cpus. */
    __atomic_store_n(&pending_cpus, 1, __ATOMIC_SEQ_CST);
    int n = 0;
    for (CpuState *c = cpu_list; c; c = c->next_cpu) {
        if (__atomic_load_n(&c->running, __ATOMIC_SEQ_CST)) {
            c->has_waiter = true;
            n++;
            cpu_exit(c);
        }
    }
    __atomic_store_n(&pending_cpus, 1 + n, __ATOMIC_SEQ_CST);
    while (pending_cpus > 1) {
        pthread_cond_wait(&exclusive_cond, &cpu_list_lock);
    }
    pthread_mutex_unlock(&cpu_list_lock);
}

void end_exclusive(void)
{
    pthread_mutex_lock(&cpu_list_lock);
    __atomic_store_n(&pending_cpus, 0, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&exclusive_resume);
    pthread_mutex_unlock(&cpu_list_lock);
}

void cpu_exec_start(CpuState *cpu)
{
    __atomic_store_n(&cpu->running, true, __ATOMIC_SEQ_CST);
    if (__builtin_expect(__atomic_load_n(&pending_cpus, __ATOMIC_SEQ_CST) != 0, 0)) {
        pthread_mutex_lock(&cpu_list_lock);
        if (!cpu->has_waiter) {
            /* The section started without counting us: stay out of
             * generated code until it ends. */
            __atomic_store_n(&cpu->running, false, __ATOMIC_SEQ_CST);
            while (pending_cpus) {
                pthread_cond_wait(&exclusive_resume, &cpu_list_lock);
            }
            __atomic_store_n(&cpu->running, true, __ATOMIC_SEQ_CST);
        }
        /* else: counted as running; cpu_exec_end will report to the
         * requester as soon as we leave (exit_request is set). */
        pthread_mutex_unlock(&cpu_list_lock);
    }
}

void cpu_exec_end(CpuState *cpu)
{
    __atomic_store_n(&cpu->running, false, __ATOMIC_SEQ_CST);
    if (__builtin_expect(__atomic_load_n(&pending_cpus, __ATOMIC_SEQ_CST) != 0, 0)) {
        pthread_mutex_lock(&cpu_list_lock);
        if (cpu->has_waiter) {
            cpu->has_waiter = false;
            /* Under the lock, but read outside it: an atomic store. */
            int left = pending_cpus - 1;
            __atomic_store_n(&pending_cpus, left, __ATOMIC_SEQ_CST);
            if (left == 1) {
                pthread_cond_signal(&exclusive_cond);
            }
        }
        pthread_mutex_unlock(&cpu_list_lock);
    }
}

/* fork: no section may be half done in the child; the child keeps cpu only. */
void cpus_fork_prepare(void)
{
    pthread_mutex_lock(&cpu_list_lock);
    while (pending_cpus) {
        pthread_cond_wait(&exclusive_resume, &cpu_list_lock);
    }
}

void cpus_fork_parent(void)
{
    pthread_mutex_unlock(&cpu_list_lock);
}

void cpus_fork_child(CpuState *cpu)
{
    /* cpu_list_lock: held across fork by this thread (cpus_fork_prepare);
     * the condition variables may have had waiters that are gone. */
    pthread_cond_init(&exclusive_cond, NULL);
    pthread_cond_init(&exclusive_resume, NULL);
    /* The other vCPUs' threads do not exist here; their states are left
     * allocated (their owners' data may still point at them). */
    cpu_list = cpu;
    cpu->next_cpu = NULL;
    cpu->running = false;
    cpu->has_waiter = false;
    __atomic_store_n(&pending_cpus, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&cpu_list_lock);
}
