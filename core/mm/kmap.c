/* SPDX-License-Identifier: MIT */
#include "kmap.h"

#include "core/lib/log.h"
#include "mem_lock.h"

#define KMAP_VA_BITS 48u

static struct pgtable table;
static struct pt_pool *pool;
static vaddr_t window_base;
static u64 window_pages;
static u64 window_next; /* pages reserved so far: the bump pointer */
static u64 *window_log;

u64 kmap_log_bytes(u64 pages)
{
	return pages * sizeof(u64);
}

int kmap_init(struct pt_pool *p, vaddr_t base, u64 pages, u64 *log)
{
	int err;

	pool = p;
	window_base = base;
	window_pages = pages;
	window_next = 0;
	window_log = log;
	for (u64 i = 0; i < pages; i++)
		log[i] = 0;
	err = pgt_init(&table, p, PT_EL2_STAGE1, KMAP_VA_BITS, 0);
	return err;
}

static int map_leaf(vaddr_t va, paddr_t pa, u64 size, u32 prot)
{
	KC_CHECK(mem_lock_held());
	if (!is_aligned(va_addr(va), size) || !is_aligned(pa_addr(pa), size) ||
	    !pgt_ia_valid(&table, va_addr(va)) || !pgt_ia_valid(&table, va_addr(va) + size - 1))
		return KCORE_E_INVAL;
	/* Write-once: whatever is mapped stays as it is. */
	if (!pgt_range_unmapped(&table, va_addr(va), size))
		return KCORE_E_EXIST;
	if (pgt_map_cost(&table, va_addr(va), size, size) > pool_nr_free(pool))
		return KCORE_E_NOMEM;
	pgt_map_leaf(&table, va_addr(va), pa, size, prot);
	return KCORE_OK;
}

int kmap_map_page(struct mem_locked locked, vaddr_t va, paddr_t pa, u32 prot)
{
	(void)locked;
	return map_leaf(va, pa, PAGE_SIZE, prot);
}

int kmap_map_block(struct mem_locked locked, vaddr_t va, paddr_t pa, u32 prot)
{
	(void)locked;
	return map_leaf(va, pa, BLOCK_SIZE, prot);
}

int kmap_window_alloc(struct mem_locked locked, u64 npages, vaddr_t *va)
{
	(void)locked;
	KC_CHECK(mem_lock_held());
	if (npages == 0 || npages > window_pages - window_next)
		return KCORE_E_NOMEM;
	*va = va_add(window_base, window_next * PAGE_SIZE);
	window_next += npages;
	return KCORE_OK;
}

static bool window_index(vaddr_t va, u64 *index)
{
	u64 off = va_addr(va) - va_addr(window_base);

	if (va_addr(va) < va_addr(window_base) || !is_aligned(off, PAGE_SIZE))
		return false;
	*index = off >> PAGE_SHIFT;
	return *index < window_next;
}

u32 kmap_window_map_cost(vaddr_t va)
{
	return pgt_map_cost(&table, va_addr(va), PAGE_SIZE, PAGE_SIZE);
}

int kmap_window_map(struct mem_locked locked, vaddr_t va, paddr_t pa)
{
	u64 index;
	int err;

	if (!window_index(va, &index))
		return KCORE_E_INVAL;
	if (window_log[index] != 0)
		return KCORE_E_EXIST;
	/* Read-only and never executable: kcore only hashes and copies images. */
	err = kmap_map_page(locked, va, pa, PT_PROT_R);
	if (err == KCORE_OK)
		window_log[index] = pa_pfn(pa) + 1;
	return err;
}

bool kmap_lookup(vaddr_t va, paddr_t *pa)
{
	struct pt_leaf leaf;

	if (!pgt_lookup(&table, va_addr(va), &leaf))
		return false;
	*pa = pa_add(leaf.pa, va_addr(va) - leaf.ia);
	return true;
}

const struct pgtable *kmap_table(void)
{
	return &table;
}
const struct pt_pool *kmap_pool(void)
{
	return pool;
}
vaddr_t kmap_window_base(void)
{
	return window_base;
}
u64 kmap_window_reserved(void)
{
	return window_next;
}
u64 kmap_window_limit(void)
{
	return window_pages;
}
u64 kmap_window_logged(u64 i)
{
	return i < window_next ? window_log[i] : 0;
}
