/* SPDX-License-Identifier: MIT */
#include "race_sched.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/lib/sched_point.h"

/*
 * The scheduled mode's state. Only the running CPU touches it; handing over
 * goes through the semaphores, which order everything one CPU did before
 * the next starts.
 */
static struct {
	const struct race_config *cfg;
	u64 rng;
	bool done[RACE_MAX_CPUS];
	u32 alive;
	u32 stay; /* switch at one point in 2^stay: 0..3, from the seed */
	int held; /* locks held or waited for (ticket taken), all CPUs together */
	bool step_pending;
	sem_t go[RACE_MAX_CPUS];
	sem_t finished;
	struct race_stats stats;
} rs;

static pthread_mutex_t free_lock = PTHREAD_MUTEX_INITIALIZER; /* free mode: quiet and stats */
static pthread_barrier_t free_start; /* free mode: every CPU starts at once */
static _Thread_local int my_cpu = -1;
static _Thread_local int in_quiet;

int race_cpu(void)
{
	return my_cpu;
}

static u64 next_random(void)
{
	u64 z = (rs.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The CPU to run next: any live one; never `self` if it waits for a lock and others can run. */
static u32 pick(int self, bool spinning)
{
	u32 cand[RACE_MAX_CPUS], n = 0;

	for (u32 i = 0; i < rs.cfg->nr_cpus; i++) {
		if (!rs.done[i] && !(spinning && (int)i == self && rs.alive > 1))
			cand[n++] = i;
	}
	if (n == 0) {
		fputs("race: no CPU left to run\n", stderr);
		abort();
	}
	return cand[next_random() % n];
}

static void run_quiet_if_due(void)
{
	if (!rs.step_pending || rs.held != 0)
		return;
	rs.step_pending = false;
	rs.stats.quiet++;
	in_quiet++; /* the checker takes every lock: no switching inside it */
	rs.cfg->quiet(rs.cfg->arg);
	in_quiet--;
}

static void hand_over(u32 next)
{
	u32 self = (u32)my_cpu;

	if (next == self)
		return;
	rs.stats.switches++;
	sem_post(&rs.go[next]);
	while (sem_wait(&rs.go[self]) != 0)
		;
}

static void hook(enum sched_at at, const void *what)
{
	(void)what;
	if (my_cpu < 0 || in_quiet != 0 || at == SCHED_LOCKED)
		return;
	if (at == SCHED_UNLOCKED)
		rs.held--;
	rs.stats.points++;
	run_quiet_if_due();
	/*
	 * Switch at one point in 2^stay (a waiter always): long runs of one CPU
	 * between switches let another's whole operation fit into a window of
	 * this one, which is how most races look.
	 */
	if (at == SCHED_SPIN || next_random() % (1ull << rs.stay) == 0)
		hand_over(pick(my_cpu, at == SCHED_SPIN));
	/*
	 * Counted from the ticket on, not from the acquisition: a CPU waiting
	 * with a ticket blocks a later taker (the checker) as a holder does.
	 */
	if (at == SCHED_LOCK)
		rs.held++;
}

void race_step_done(void)
{
	if (rs.cfg->seed == 0) {
		pthread_mutex_lock(&free_lock);
		rs.stats.quiet++;
		pthread_mutex_unlock(&free_lock);
		/* Real threads: the checker takes every lock itself and waits its turn. */
		rs.cfg->quiet(rs.cfg->arg);
		return;
	}
	rs.step_pending = true;
	run_quiet_if_due();
}

static void *cpu_thread(void *arg)
{
	u32 cpu = (u32)(uintptr_t)arg;

	my_cpu = (int)cpu;
	if (rs.cfg->seed != 0) {
		while (sem_wait(&rs.go[cpu]) != 0)
			;
	} else {
		pthread_barrier_wait(&free_start);
	}
	rs.cfg->cpu(cpu, rs.cfg->arg);
	if (rs.cfg->seed != 0) {
		rs.done[cpu] = true;
		rs.alive--;
		run_quiet_if_due();
		if (rs.alive > 0)
			sem_post(&rs.go[pick(-1, false)]);
		else
			sem_post(&rs.finished);
	}
	my_cpu = -1;
	return NULL;
}

void race_run(const struct race_config *cfg, struct race_stats *stats)
{
	pthread_t threads[RACE_MAX_CPUS];
	u32 n = cfg->nr_cpus;

	if (n == 0 || n > RACE_MAX_CPUS) {
		fputs("race: bad number of CPUs\n", stderr);
		abort();
	}
	rs.cfg = cfg;
	rs.rng = cfg->seed;
	rs.stay = (u32)(cfg->seed % 4);
	rs.alive = n;
	rs.held = 0;
	rs.step_pending = false;
	rs.stats = (struct race_stats){0};
	for (u32 i = 0; i < n; i++) {
		rs.done[i] = false;
		sem_init(&rs.go[i], 0, 0);
	}
	sem_init(&rs.finished, 0, 0);
	if (cfg->seed != 0)
		sched_point_hook = hook;
	else
		pthread_barrier_init(&free_start, NULL, n);
	for (u32 i = 0; i < n; i++) {
		if (pthread_create(&threads[i], NULL, cpu_thread, (void *)(uintptr_t)i) != 0) {
			fputs("race: cannot start a CPU thread\n", stderr);
			abort();
		}
	}
	if (cfg->seed != 0) {
		sem_post(&rs.go[pick(-1, false)]);
		while (sem_wait(&rs.finished) != 0)
			;
	}
	for (u32 i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	sched_point_hook = NULL;
	if (cfg->seed == 0)
		pthread_barrier_destroy(&free_start);
	for (u32 i = 0; i < n; i++)
		sem_destroy(&rs.go[i]);
	sem_destroy(&rs.finished);
	if (stats != NULL)
		*stats = rs.stats;
}
