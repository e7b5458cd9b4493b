/* SPDX-License-Identifier: MIT */
/*
 * mem_lock guards everything shared between principals: the page ownership
 * table, the host's stage-2 and its pool, and kcore's own stage-1 with its
 * pool and image windows. See core/lock_order.h for where it sits.
 */
#ifndef KCORE_MM_MEM_LOCK_H
#define KCORE_MM_MEM_LOCK_H

#include "core/lib/spinlock.h"
#include "core/lib/types.h"

/*
 * The proof that mem_lock is held (as Hafnium's struct vm_locked is for a
 * VM's lock): mem_lock() returns one, mem_unlock() takes it back, and every
 * function that needs the lock takes one by value, so a call made without
 * the lock does not compile. It is empty: passing it costs no register and
 * no instruction. Only mem_lock() and mem_locked_sole_cpu() make one
 * (scripts/check_mem_rules.sh fails on any other).
 */
struct mem_locked {
};

/* The lock (mem_lock.c); inline below because every exit and donation takes it. */
extern spinlock_t mem_lock_word;

static inline struct mem_locked mem_lock(void)
{
	spin_lock(&mem_lock_word);
	return (struct mem_locked){};
}

static inline void mem_unlock(struct mem_locked locked)
{
	(void)locked;
	spin_unlock(&mem_lock_word);
}

/*
 * The reset, power-off and panic path alone (core/memops/machine_scrub.c):
 * every other CPU is parked, so nothing can race, and the lock itself cannot
 * be trusted (a panic may come with it held). Not a lock: a statement that
 * this CPU is the only one left in kcore.
 */
static inline struct mem_locked mem_locked_sole_cpu(void)
{
	return (struct mem_locked){};
}

/* For the run-time checks that back the type (KC_CHECK) and the tests; inline: donation asks. */
static inline bool mem_lock_held(void)
{
	return spin_is_locked(&mem_lock_word);
}

#endif /* KCORE_MM_MEM_LOCK_H */
