/* SPDX-License-Identifier: MIT */
/*
 * A guest's map from guest page (gfn) to the host page the host gave it there:
 * image pages, the DTB and initrd pages, and every page or 2 MiB block
 * donated on a fault. The host needs it to read what a guest shares (its IPA
 * must become a PA) and to take every page back after teardown.
 *
 * Two levels: one entry per 2 MiB of RAM, either a donated block or a host
 * page of 512 page entries (from the host's allocator, vmm_page_alloc).
 */
#ifndef VMM_GFN_MAP_H
#define VMM_GFN_MAP_H

#include "types.h"

#define GFN_MAP_BLOCK	       (2ull << 20)
#define GFN_MAP_MAX_REGIONS    2048u /* 4 GiB of guest RAM */
#define GFN_MAP_PAGES_PER_LEAF (GFN_MAP_BLOCK / VMM_PAGE_SIZE)

struct gfn_map {
	u64 base; /* IPA of the RAM, 2 MiB aligned */
	u64 size; /* bytes, a 2 MiB multiple */
	u64 top[GFN_MAP_MAX_REGIONS];
	u64 nr_pages; /* 4 KiB pages mapped, blocks counting 512 */
};

void gfn_map_init(struct gfn_map *m, u64 base, u64 size);

/* Records pa at the page ipa (inside the RAM, not yet recorded); false if out of memory. */
bool gfn_map_set_page(struct gfn_map *m, u64 ipa, u64 pa);
/* Records a 2 MiB block at ipa (2 MiB aligned, its region empty). */
void gfn_map_set_block(struct gfn_map *m, u64 ipa, u64 pa);

/* The PA the host gave at ipa's page (plus ipa's offset in it), or 0. */
u64 gfn_map_lookup(const struct gfn_map *m, u64 ipa);
/* The PA of the 2 MiB block donated at ipa's region, or 0 if it is not a block. */
u64 gfn_map_block_pa(const struct gfn_map *m, u64 ipa);
/* True if nothing is recorded in the 2 MiB region holding ipa. */
bool gfn_map_region_empty(const struct gfn_map *m, u64 ipa);

/* Calls fn for every recorded page (blocks as their 512 pages), in IPA order. */
typedef void (*gfn_map_fn)(void *ctx, u64 ipa, u64 pa);
void gfn_map_for_each(const struct gfn_map *m, gfn_map_fn fn, void *ctx);

/* Frees the map's own leaf pages and empties it (the recorded pages are the caller's). */
void gfn_map_release(struct gfn_map *m);

#endif /* VMM_GFN_MAP_H */
