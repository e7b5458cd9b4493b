/* SPDX-License-Identifier: MIT */
#include "gfn_map.h"

#include <string.h>

#include "backend.h"

/* top[] entries: 0 (empty), a leaf page's PA, or a block's PA | TOP_BLOCK. */
#define TOP_BLOCK    1ull
/* leaf entries: 0, or the page's PA | LEAF_PRESENT. */
#define LEAF_PRESENT 1ull
#define ADDR_MASK    (~(VMM_PAGE_SIZE - 1))

static u64 *leaf_of(u64 top)
{
	return (u64 *)(uintptr_t)(top & ADDR_MASK);
}

static bool region_index(const struct gfn_map *m, u64 ipa, u64 *r, u64 *p)
{
	u64 off = ipa - m->base;

	if (ipa < m->base || off >= m->size)
		return false;
	*r = off / GFN_MAP_BLOCK;
	*p = (off % GFN_MAP_BLOCK) >> VMM_PAGE_SHIFT;
	return true;
}

void gfn_map_init(struct gfn_map *m, u64 base, u64 size)
{
	m->base = base;
	m->size =
	    size < GFN_MAP_MAX_REGIONS * GFN_MAP_BLOCK ? size : GFN_MAP_MAX_REGIONS * GFN_MAP_BLOCK;
	memset(m->top, 0, sizeof(m->top));
	m->nr_pages = 0;
}

bool gfn_map_set_page(struct gfn_map *m, u64 ipa, u64 pa)
{
	u64 r, p;
	u64 *leaf;

	if (!region_index(m, ipa, &r, &p) || (m->top[r] & TOP_BLOCK) != 0)
		return false;
	if (m->top[r] == 0) {
		u64 page = vmm_page_alloc();

		if (page == 0)
			return false;
		memset((void *)(uintptr_t)page, 0, VMM_PAGE_SIZE);
		m->top[r] = page;
	}
	leaf = leaf_of(m->top[r]);
	if (leaf[p] != 0)
		return false;
	leaf[p] = (pa & ADDR_MASK) | LEAF_PRESENT;
	m->nr_pages++;
	return true;
}

void gfn_map_set_block(struct gfn_map *m, u64 ipa, u64 pa)
{
	u64 r, p;

	if (region_index(m, ipa, &r, &p) && p == 0 && m->top[r] == 0) {
		m->top[r] = (pa & ADDR_MASK) | TOP_BLOCK;
		m->nr_pages += GFN_MAP_PAGES_PER_LEAF;
	}
}

u64 gfn_map_lookup(const struct gfn_map *m, u64 ipa)
{
	u64 r, p, e;

	if (!region_index(m, ipa, &r, &p) || m->top[r] == 0)
		return 0;
	if ((m->top[r] & TOP_BLOCK) != 0)
		return (m->top[r] & ADDR_MASK) + (ipa % GFN_MAP_BLOCK);
	e = leaf_of(m->top[r])[p];
	return e == 0 ? 0 : (e & ADDR_MASK) + (ipa & (VMM_PAGE_SIZE - 1));
}

u64 gfn_map_block_pa(const struct gfn_map *m, u64 ipa)
{
	u64 r, p;

	if (!region_index(m, ipa, &r, &p) || (m->top[r] & TOP_BLOCK) == 0)
		return 0;
	return m->top[r] & ADDR_MASK;
}

bool gfn_map_region_empty(const struct gfn_map *m, u64 ipa)
{
	u64 r, p;

	return region_index(m, ipa, &r, &p) && m->top[r] == 0;
}

void gfn_map_for_each(const struct gfn_map *m, gfn_map_fn fn, void *ctx)
{
	for (u64 r = 0; r < m->size / GFN_MAP_BLOCK; r++) {
		u64 ipa = m->base + r * GFN_MAP_BLOCK;
		const u64 *leaf;

		if (m->top[r] == 0)
			continue;
		if ((m->top[r] & TOP_BLOCK) != 0) {
			for (u64 p = 0; p < GFN_MAP_PAGES_PER_LEAF; p++)
				fn(ctx, ipa + p * VMM_PAGE_SIZE,
				   (m->top[r] & ADDR_MASK) + p * VMM_PAGE_SIZE);
			continue;
		}
		leaf = leaf_of(m->top[r]);
		for (u64 p = 0; p < GFN_MAP_PAGES_PER_LEAF; p++) {
			if (leaf[p] != 0)
				fn(ctx, ipa + p * VMM_PAGE_SIZE, leaf[p] & ADDR_MASK);
		}
	}
}

void gfn_map_release(struct gfn_map *m)
{
	for (u64 r = 0; r < GFN_MAP_MAX_REGIONS; r++) {
		if (m->top[r] != 0 && (m->top[r] & TOP_BLOCK) == 0)
			vmm_page_free_zeroed(m->top[r] & ADDR_MASK);
		m->top[r] = 0;
	}
	m->nr_pages = 0;
}
