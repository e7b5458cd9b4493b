/* SPDX-License-Identifier: MIT */
/*
 * Several CPUs on the simulated machine, as threads (tests/unit/test_race.c).
 *
 * Two ways to run them:
 *  - scheduled (seed != 0): one thread runs at a time; at every switch point
 *    the core reaches (core/lib/sched_point.h: before and after every lock,
 *    while a lock is waited for, each guest step) a generator seeded with
 *    `seed` decides whether to switch (at one point in 1, 2, 4 or 8, by the
 *    seed; always while a lock is waited for) and to which CPU. The same
 *    seed gives the same interleaving, so any finding replays exactly.
 *  - free (seed == 0): real threads, preempted by the OS, as ThreadSanitizer
 *    wants them.
 *
 * After each operation a CPU completes (race_step_done), `quiet` runs at the
 * first point where no CPU holds a lock: the invariant checker goes there.
 */
#ifndef KCORE_TESTS_RACE_SCHED_H
#define KCORE_TESTS_RACE_SCHED_H

#include "core/lib/types.h"

#define RACE_MAX_CPUS 8u

struct race_config {
	u32 nr_cpus;
	u64 seed; /* 0: free-running threads */
	void (*cpu)(u32 cpu, void *arg);
	void (*quiet)(void *arg);
	void *arg;
};

struct race_stats {
	u64 points;   /* switch points reached */
	u64 switches; /* times another CPU was picked */
	u64 quiet;    /* times `quiet` ran */
};

/* Runs cfg->cpu on every CPU until all return. */
void race_run(const struct race_config *cfg, struct race_stats *stats);

/* The calling CPU finished one operation: `quiet` runs once no lock is held. */
void race_step_done(void);

/* The CPU the calling thread plays, or -1 outside race_run's CPUs. */
int race_cpu(void);

#endif /* KCORE_TESTS_RACE_SCHED_H */
