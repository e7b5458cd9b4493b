/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlock on C11 atomics: fair (FIFO) so that no CPU starves while
 * another keeps re-taking a hot lock, and portable, so the simulated machine
 * and aarch64 share it. Every lock has a rank (core/lock_order.h); the host
 * builds check the order on every spin_lock and spin_unlock (lock_check.c).
 */
#ifndef KCORE_LIB_SPINLOCK_H
#define KCORE_LIB_SPINLOCK_H

#include <stdatomic.h>

#include "core/lock_order.h"
#include "sched_point.h"
#include "types.h"

typedef struct {
	_Atomic u32 next;
	_Atomic u32 owner;
#ifdef KCORE_LOCK_CHECK
	u32 rank;  /* enum lock_rank */
	u32 order; /* among locks of one rank that nest: taken in ascending order */
#endif
} spinlock_t;

#ifdef KCORE_LOCK_CHECK
#define SPINLOCK_INIT(r, o)               \
	{                                 \
		.rank = (r), .order = (o) \
	}
/* Called with the lock about to be taken / just released (lock_check.c). */
void lock_check_acquire(const spinlock_t *l);
void lock_check_release(const spinlock_t *l);
/* Locks this CPU holds (or waits for): tests check that a path leaves none. */
u32 lock_check_nr_held(void);
#else
#define SPINLOCK_INIT(r, o) \
	{                   \
		0           \
	}
static inline void lock_check_acquire(const spinlock_t *l)
{
	(void)l;
}
static inline void lock_check_release(const spinlock_t *l)
{
	(void)l;
}
#endif

/* `order` matters only for a rank that nests (LOCK_RANK_VM: the VMID); 0 otherwise. */
static inline void spin_lock_init(spinlock_t *l, enum lock_rank rank, u32 order)
{
	atomic_store_explicit(&l->next, 0, memory_order_relaxed);
	atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
#ifdef KCORE_LOCK_CHECK
	l->rank = (u32)rank;
	l->order = order;
#else
	(void)rank;
	(void)order;
#endif
}

/* The sched_point calls are the race harness's switch points (nothing on aarch64). */
static inline void spin_lock(spinlock_t *l)
{
	u32 ticket;

	/* Before the ticket: a wrong order is reported, not left to deadlock. */
	lock_check_acquire(l);
	sched_point(SCHED_LOCK, l);
	ticket = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
	while (atomic_load_explicit(&l->owner, memory_order_acquire) != ticket)
		sched_point(SCHED_SPIN, l);
	sched_point(SCHED_LOCKED, l);
}

static inline void spin_unlock(spinlock_t *l)
{
	u32 owner = atomic_load_explicit(&l->owner, memory_order_relaxed);

	lock_check_release(l);
	atomic_store_explicit(&l->owner, owner + 1, memory_order_release);
	sched_point(SCHED_UNLOCKED, l);
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return atomic_load_explicit(&l->owner, memory_order_relaxed) !=
	       atomic_load_explicit(&l->next, memory_order_relaxed);
}

#endif /* KCORE_LIB_SPINLOCK_H */
