/* SPDX-License-Identifier: MIT */
#include "pool.h"

#include "core/lib/mem.h"

#include "core/arch.h"
#include "core/lib/log.h"

u64 pool_meta_bytes(u32 nr_pages)
{
	return (u64)nr_pages * sizeof(u32);
}

void pool_init(struct pt_pool *pool, paddr_t base, u32 nr_pages, u32 *free_stack)
{
	pool->base = base;
	pool->nr_pages = nr_pages;
	pool->free_stack = free_stack;
	pool->nr_free = nr_pages;
	/* Hand pages out lowest first: the stack top is the lowest index. */
	for (u32 i = 0; i < nr_pages; i++) {
		free_stack[i] = nr_pages - 1 - i;
		memset(arch_pa_to_ptr(pa_add(base, (u64)i * PAGE_SIZE)), 0, PAGE_SIZE);
	}
}

paddr_t pool_alloc(struct pt_pool *pool)
{
	/* Callers count what they need before changing anything; running dry here is a bug. */
	KC_CHECK(pool->nr_free > 0);
	pool->nr_free--;
	return pa_add(pool->base, (u64)pool->free_stack[pool->nr_free] * PAGE_SIZE);
}

bool pool_contains(const struct pt_pool *pool, paddr_t pa)
{
	u64 off = pa_addr(pa) - pa_addr(pool->base);

	return pa_addr(pa) >= pa_addr(pool->base) && off < (u64)pool->nr_pages * PAGE_SIZE &&
	       is_aligned(off, PAGE_SIZE);
}

void pool_free(struct pt_pool *pool, paddr_t pa)
{
	KC_CHECK(pool_contains(pool, pa));
	KC_CHECK(pool->nr_free < pool->nr_pages);
	memset(arch_pa_to_ptr(pa), 0, PAGE_SIZE);
	pool->free_stack[pool->nr_free++] =
	    (u32)((pa_addr(pa) - pa_addr(pool->base)) >> PAGE_SHIFT);
}

bool pool_free_pages_zeroed(const struct pt_pool *pool)
{
	for (u32 i = 0; i < pool->nr_free; i++) {
		const u64 *p =
		    arch_pa_to_ptr(pa_add(pool->base, (u64)pool->free_stack[i] * PAGE_SIZE));

		for (u64 w = 0; w < PAGE_SIZE / sizeof(u64); w++) {
			if (p[w] != 0)
				return false;
		}
	}
	return true;
}
