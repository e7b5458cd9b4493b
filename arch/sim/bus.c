// SPDX-License-Identifier: MIT
/*
 * The simulated machine with several CPUs at once (the race harness,
 * tests/unit/test_race.c): the hardware it models keeps one state for all
 * of them (the TLB, the recorders), so each of their operations is made
 * atomic by one lock, as a real TLB's fill and invalidation are ordered by
 * the hardware. The lock is never held across a call into the core, so it
 * never sits across a sched_point. Also the switch-point hook the core
 * calls (core/lib/sched_point.h).
 */
#include <pthread.h>

#include "arch/sim/sim_internal.h"
#include "core/lib/sched_point.h"

#ifdef KCORE_SCHED_POINTS
void (*sched_point_hook)(enum sched_at at, const void *what);
#endif

static pthread_once_t bus_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t bus;

static void bus_init(void)
{
	pthread_mutexattr_t attr;

	/* Recursive: a TLB walk over every entry may call back into the TLB. */
	if (pthread_mutexattr_init(&attr) != 0 ||
	    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) != 0 ||
	    pthread_mutex_init(&bus, &attr) != 0)
		sim_die("bus lock: %s", "cannot initialise the mutex");
	pthread_mutexattr_destroy(&attr);
}

void sim_bus_lock(void)
{
	pthread_once(&bus_once, bus_init);
	if (pthread_mutex_lock(&bus) != 0)
		sim_die("bus lock: %s", "pthread_mutex_lock failed");
}

void sim_bus_unlock(void)
{
	pthread_mutex_unlock(&bus);
}
