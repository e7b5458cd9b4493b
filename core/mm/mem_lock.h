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

/* The lock (mem_lock.c); inline below because every exit and donation takes it. */
extern spinlock_t mem_lock_word;

static inline void mem_lock(void)
{
	spin_lock(&mem_lock_word);
}

static inline void mem_unlock(void)
{
	spin_unlock(&mem_lock_word);
}

bool mem_lock_held(void);

#endif /* KCORE_MM_MEM_LOCK_H */
