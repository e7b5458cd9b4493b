/* SPDX-License-Identifier: MIT */
/*
 * Page-table page pools (the seeds' PTAlloc layer). kcore reserves one pool
 * per principal at boot, inside its own carve-out, so a stage-2 table never
 * lives in memory the host can map, and one VM exhausting its pool cannot
 * starve another. Free pages are kept zeroed: a table page handed out holds
 * no stale descriptors.
 *
 * A pool is protected by the lock of the principal whose tables it holds:
 * the host's and kcore's by mem_lock, a VM's by vm->lock.
 */
#ifndef KCORE_MM_POOL_H
#define KCORE_MM_POOL_H

#include "core/lib/addr.h"

struct pt_pool {
	paddr_t base;
	u32 nr_pages;
	u32 nr_free;
	/* Free pages, as indexes from base: a stack stored in kcore memory. */
	u32 *free_stack;
};

/* Bytes of bookkeeping (the free stack) a pool of nr_pages needs. */
u64 pool_meta_bytes(u32 nr_pages);

/* Zeroes the pages and makes them all free. */
void pool_init(struct pt_pool *pool, paddr_t base, u32 nr_pages, u32 *free_stack);

/* A zeroed page. The caller has checked nr_free first (prepare, then commit). */
paddr_t pool_alloc(struct pt_pool *pool);

/* Returns a page, zeroing it. */
void pool_free(struct pt_pool *pool, paddr_t pa);

static inline u32 pool_nr_free(const struct pt_pool *pool)
{
	return pool->nr_free;
}

bool pool_contains(const struct pt_pool *pool, paddr_t pa);

/* True when every free page of the pool is zero (checked by the invariant checker). */
bool pool_free_pages_zeroed(const struct pt_pool *pool);

#endif /* KCORE_MM_POOL_H */
