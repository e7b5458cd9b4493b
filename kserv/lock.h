/* SPDX-License-Identifier: MIT */
/*
 * A ticket lock on C11 atomics: first come, first served, so no CPU starves.
 *
 * kserv runs with its stage-1 MMU off, so every access, the lock words'
 * included, is Device-nGnRnE. Exclusive loads and stores to Device memory are
 * not guaranteed to work on every implementation; they do under QEMU (TCG),
 * which is where kserv runs. A kserv for real hardware would turn on its MMU.
 */
#ifndef KSERV_LOCK_H
#define KSERV_LOCK_H

#include <stdatomic.h>

#include "sysreg.h"
#include "types.h"

struct ticket_lock {
	_Atomic u32 next;
	_Atomic u32 serving;
};

static inline void ticket_lock(struct ticket_lock *l)
{
	u32 me = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);

	while (atomic_load_explicit(&l->serving, memory_order_acquire) != me)
		cpu_relax();
}

static inline void ticket_unlock(struct ticket_lock *l)
{
	u32 s = atomic_load_explicit(&l->serving, memory_order_relaxed);

	atomic_store_explicit(&l->serving, s + 1, memory_order_release);
}

#endif /* KSERV_LOCK_H */
