/* SPDX-License-Identifier: MIT */
/*
 * The transitions of a page's DMA count (smmu_count): how many IO domains'
 * leaves map it. While it is non-zero a device the host programs can reach
 * the page, so it may not leave the host nor be unshared (donate.c,
 * share.c). The IO tables themselves are core/smmu's. The table is in mem.h.
 */
#include "core/lib/log.h"
#include "core/mm/pgowner_write.h"
#include "mem.h"

/*
 * smmu_iso as a predicate. A VM's page reaches a device only with the VM's
 * consent, which is its share (count > 0), whoever owns the domain: the host
 * programs every device, including one attached to a VM's domain, so a
 * device may reach no more of a VM than the host's own loads may.
 */
static bool domain_may_map(u32 domain_owner, const struct page_info *page, u64 iova)
{
	bool vm_consents = owner_is_vm(page->owner) && page->count > 0;

	if (domain_owner == OWNER_HOST)
		return page->owner == OWNER_HOST || vm_consents;
	return vm_consents && page->owner == domain_owner && page->gfn == iova >> PAGE_SHIFT;
}

int host_dma_map_check(struct mem_locked locked, u32 domain_owner, paddr_t pa, u64 iova)
{
	const struct page_info *page = pgowner_get(pa);

	(void)locked;
	if (page == NULL) /* RAM only: peer-to-peer DMA into device memory is not offered */
		return KCORE_E_INVAL;
	return domain_may_map(domain_owner, page, iova) ? KCORE_OK : KCORE_E_PERM;
}

/* DMA k -> k + 1; owner and share state unchanged. */
void host_dma_map(struct mem_locked locked, paddr_t pa)
{
	struct page_info *page = pgowner_get_mut(pa);

	(void)locked;
	/* Bounded by the pool (KCORE_MAX_IO_POOL_PAGES): cannot wrap. */
	KC_CHECK(page != NULL && page->dma_count < 0xffffffffu);
	page->dma_count++;
}

/* DMA k > 0 -> k - 1, after the leaf is unmapped and invalidated. */
void host_dma_unmap(struct mem_locked locked, paddr_t pa)
{
	struct page_info *page = pgowner_get_mut(pa);

	(void)locked;
	KC_CHECK(page != NULL && page->dma_count > 0);
	page->dma_count--;
}

void mem_check_scratch_clear(void)
{
	for (u64 i = 0; i < pgowner_nr_pages(); i++)
		pgowner_entry_at(i)->check_scratch = 0;
}

void mem_check_scratch_count(paddr_t pa)
{
	struct page_info *page = pgowner_get_mut(pa);

	if (page != NULL)
		page->check_scratch++;
}
