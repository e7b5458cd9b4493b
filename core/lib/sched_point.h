/* SPDX-License-Identifier: MIT */
/*
 * Where a test may switch CPUs: the simulated machine's race harness
 * (tests/lib/race_sched.c) runs several CPUs as threads, one at a time, and
 * chooses who runs next at each of these points: before a lock is taken,
 * while it is waited for, after it is released, and at the few places the
 * core or the simulated arch marks. Only the sim build has the hook
 * (KCORE_SCHED_POINTS, set by the Makefile for host builds); on aarch64
 * every call compiles to nothing.
 */
#ifndef KCORE_LIB_SCHED_POINT_H
#define KCORE_LIB_SCHED_POINT_H

enum sched_at {
	SCHED_LOCK,	/* about to take a lock */
	SCHED_LOCKED,	/* took it (bookkeeping only: no switch here) */
	SCHED_SPIN,	/* waiting for a lock another CPU holds */
	SCHED_UNLOCKED, /* released it */
	SCHED_MARK,	/* a marked point (what: a static string naming it) */
};

#ifdef KCORE_SCHED_POINTS
/* Set by the harness before its CPUs start, cleared after they stop; NULL otherwise. */
extern void (*sched_point_hook)(enum sched_at at, const void *what);

static inline void sched_point(enum sched_at at, const void *what)
{
	void (*hook)(enum sched_at, const void *) = sched_point_hook;

	if (hook != 0)
		hook(at, what);
}
#else
static inline void sched_point(enum sched_at at, const void *what)
{
	(void)at;
	(void)what;
}
#endif

#endif /* KCORE_LIB_SCHED_POINT_H */
