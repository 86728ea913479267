/*
 * Running a machine (system mode): the vCPU threads (system/cpus.c) and
 * the requests devices and vCPUs make of the main loop (system/runstate.c).
 *
 * Threads: the main thread runs the GLib main loop (chardev input, timers
 * of the virtual clock, these requests) and holds the big lock (bql.h)
 * while it touches devices.  Each vCPU has its own host thread (MTTCG), or
 * one thread runs them all in turn (-accel tcg,thread=single).
 */
#ifndef ROVE_SYSTEM_H
#define ROVE_SYSTEM_H

#include <stdbool.h>

#include "rove/clock.h"
#include "rove/exec.h"

/* ---- vCPUs (system/cpus.c) ---- */

/*
 * Hand the machine's vCPUs to the runner (once, before vcpus_start).
 * single_thread: one host thread runs them round-robin.  clock: the
 * virtual clock; it runs while the vCPUs run.
 */
void vcpus_init(CpuState **cpus, int n, bool single_thread, Clock *clock);
/* Start (or resume) every vCPU.  Main thread. */
void vcpus_start(void);
/* Pause every vCPU and return when all are parked outside guest code.
 * Main thread, big lock not held. */
void vcpus_stop(void);
/* Stop the vCPUs for good and join their threads. */
void vcpus_exit(void);
/* Wake cpu if it sleeps in wfi (its interrupt lines changed).  Any thread. */
void vcpu_kick(CpuState *cpu);

/* ---- run state (system/runstate.c) ---- */

/* Any thread, any lock state: ask the main loop to stop the machine and
 * exit with this status (guest poweroff: 0; test finisher fail: its code),
 * or to reset it.  The main loop is woken. */
void system_request_shutdown(int exit_status);
void system_request_reset(void);
/* Main loop: consume a pending request.  Returns true (and *exit_status)
 * for shutdown; *reset true for a reset. */
bool system_take_shutdown(int *exit_status);
bool system_take_reset(void);

#endif /* ROVE_SYSTEM_H */
