/* SPDX-License-Identifier: MIT */
/*
 * kserv's page allocator: 4 KiB pages of the RAM kcore leaves to the host,
 * which is every RAM bank minus the /memreserve/ entries (kcore), minus
 * kserv's own image and stacks, minus the DTB. One bit per page (set = free).
 */
#ifndef KSERV_PAGES_H
#define KSERV_PAGES_H

#include "types.h"

/* Capacity: pages beyond this many (4 GiB of RAM) are left unused, and say so. */
#define KSERV_MAX_PAGES (1u << 20)

/* Builds the free page set: RAM minus every range of exclude[]. */
void pages_init(const struct range *ram, u32 nr_ram, const struct range *exclude, u32 nr_exclude);

/* A free page's physical address (not zeroed), or 0 if none is left. */
u64 page_alloc(void);
/*
 * nr physically contiguous free pages starting at a multiple of align (a
 * power of two, at least a page), e.g. a 2 MiB block; 0 if there is no such
 * run. Each page is returned with page_free.
 */
u64 page_alloc_aligned_run(u64 nr, u64 align);
/* Takes the free page at pa out of the set (reset-scan's marker); false if it is not free. */
bool page_take(u64 pa);
/* Returns a page from page_alloc; a page that is not allocated stops kserv. */
void page_free(u64 pa);

/*
 * Zeroes a page kserv wrote, then frees it. kserv keeps every free page zero
 * (docs/kserv.md, "Memory"), so that it can donate pages to VMs without
 * writing them first.
 */
void page_free_zeroed(u64 pa);

/* The page's dense number (0..pages_total()-1), or KSERV_MAX_PAGES if it is not a managed page. */
u64 page_number(u64 pa);

u64 pages_free(void);
u64 pages_total(void);
u32 pages_nr_regions(void);
struct range pages_region(u32 i);

#endif /* KSERV_PAGES_H */
