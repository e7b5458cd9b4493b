/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlock on C11 atomics: fair (FIFO) so that no CPU starves while
 * another keeps re-taking a hot lock, and portable, so the simulated machine
 * and aarch64 share it. The lock order is written down in core/lock_order.h.
 */
#ifndef KCORE_LIB_SPINLOCK_H
#define KCORE_LIB_SPINLOCK_H

#include <stdatomic.h>

#include "sched_point.h"
#include "types.h"

typedef struct {
	_Atomic u32 next;
	_Atomic u32 owner;
} spinlock_t;

static inline void spin_lock_init(spinlock_t *l)
{
	atomic_store_explicit(&l->next, 0, memory_order_relaxed);
	atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
}

/* The sched_point calls are the race harness's switch points (nothing on aarch64). */
static inline void spin_lock(spinlock_t *l)
{
	u32 ticket;

	sched_point(SCHED_LOCK, l);
	ticket = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
	while (atomic_load_explicit(&l->owner, memory_order_acquire) != ticket)
		sched_point(SCHED_SPIN, l);
	sched_point(SCHED_LOCKED, l);
}

static inline void spin_unlock(spinlock_t *l)
{
	u32 owner = atomic_load_explicit(&l->owner, memory_order_relaxed);

	atomic_store_explicit(&l->owner, owner + 1, memory_order_release);
	sched_point(SCHED_UNLOCKED, l);
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return atomic_load_explicit(&l->owner, memory_order_relaxed) !=
	       atomic_load_explicit(&l->next, memory_order_relaxed);
}

#endif /* KCORE_LIB_SPINLOCK_H */
