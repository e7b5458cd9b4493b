/* SPDX-License-Identifier: MIT */
/*
 * The host's DMA mirror (mem.h): for a host without an IOMMU driver (a Linux
 * host, which programs its devices with physical addresses), one IO table
 * that maps exactly the host's RAM pages at iova == pa, and follows every
 * ownership transition: a page leaves it, invalidated in the SMMU's TLB,
 * before it becomes a VM's or kcore's (donate.c, next to its leaving the
 * host's stage-2), and comes back once it is the host's again, scrubbed.
 * So a device the host programs reaches what the host's own loads reach,
 * minus pages VMs share with it (the host may read those; its devices may
 * not), and never a page of a VM or of kcore.
 *
 * Its leaves are not counted in dma_count: dma_count is what makes a page
 * unable to leave the host (an explicit mapping the host asked for), and
 * the mirror must never stop a donation, only follow it. The invariant
 * checker holds it to its own rule instead (core/check/invariants.c).
 *
 * The tables it needs are all made at start: one leaf for every page the
 * host owns then. A page that becomes the host's later was the host's at
 * start (kcore's own image and carve-out never are), so its leaf's tables
 * exist and putting it back allocates nothing: the transitions cannot fail.
 */
#include "core/lib/log.h"
#include "core/mm/pgowner_write.h"
#include "mem.h"

static struct pgtable *mirror; /* NULL: the host programs its own domains (kserv) */

/* An upper bound of the table pages a leaf for every host page needs: runs of RAM, each costed. */
static u64 mirror_cost(const struct pgtable *pt)
{
	u64 cost = 0, n = pgowner_nr_pages(), run_start = 0;

	for (u64 i = 1; i <= n; i++) {
		if (i < n &&
		    pa_addr(pgowner_page_at(i)) == pa_addr(pgowner_page_at(i - 1)) + PAGE_SIZE)
			continue;
		cost += pgt_map_cost(pt, pa_addr(pgowner_page_at(run_start)),
				     (i - run_start) * PAGE_SIZE, PAGE_SIZE);
		run_start = i;
	}
	return cost;
}

int dma_mirror_start(struct mem_locked locked, struct pgtable *pt)
{
	(void)locked;
	if (mirror != NULL)
		return KCORE_E_EXIST;
	if (mirror_cost(pt) > pool_nr_free(pt->pool))
		return KCORE_E_NOMEM;
	for (u64 i = 0; i < pgowner_nr_pages(); i++) {
		paddr_t pa = pgowner_page_at(i);

		if (pgowner_get(pa)->owner == OWNER_HOST)
			/* Data only: a device never executes. */
			pgt_map_leaf(pt, pa_addr(pa), pa, PAGE_SIZE, PT_PROT_RW);
	}
	mirror = pt;
	return KCORE_OK;
}

bool dma_mirror_is(const struct pgtable *pt)
{
	return mirror != NULL && pt == mirror;
}

void dma_mirror_leave(struct mem_locked locked, paddr_t pa)
{
	(void)locked;
	if (mirror == NULL)
		return;
	/* Invalidated in the SMMU before this returns (pgt_unmap_leaf): no device reaches it after.
	 */
	KC_CHECK(pgt_unmap_leaf(mirror, pa_addr(pa)) == PAGE_SIZE);
}

void dma_mirror_return(struct mem_locked locked, paddr_t pa)
{
	u32 cost = 0;

	(void)locked;
	if (mirror == NULL)
		return;
	/* The page was the host's at start (above): unmapped, and its tables all there. */
	KC_CHECK(pgt_page_unmapped(mirror, pa_addr(pa), &cost) && cost == 0);
	pgt_map_leaf(mirror, pa_addr(pa), pa, PAGE_SIZE, PT_PROT_RW);
}

void dma_mirror_forget(void)
{
	mirror = NULL;
}
