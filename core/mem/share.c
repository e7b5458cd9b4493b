/* SPDX-License-Identifier: MIT */
/*
 * The transitions that change a VM page's share state, not its owner: the
 * VM's own consent to the host's mapping it (KC_GC_SHARE_PAGE) and its
 * withdrawal. The table is in mem.h.
 */
#include "core/lib/log.h"
#include "core/mm/pgowner_write.h"
#include "host_s2.h"
#include "mem.h"

bool vm_ram_page(const struct pgtable *vm_s2, u32 vmid, u64 ipa, paddr_t *pa)
{
	struct pt_leaf leaf;
	const struct page_info *page;

	if (!pgt_lookup(vm_s2, ipa, &leaf))
		return false;
	*pa = pa_add(leaf.pa, (ipa & ~(PAGE_SIZE - 1)) - leaf.ia);
	page = pgowner_get(*pa);
	/* vm_iso: whatever RAM the VM maps, it owns, at that gfn. */
	if (page != NULL)
		KC_CHECK(page->owner == vmid && page->gfn == ipa >> PAGE_SHIFT);
	return page != NULL;
}

static int vm_share_host_check(u32 vmid, const struct pgtable *vm_s2, u64 ipa, paddr_t *pa)
{
	if (!vm_ram_page(vm_s2, vmid, ipa, pa))
		return KCORE_E_NOENT;
	return pgowner_get(*pa)->count != 0 ? KCORE_E_EXIST : KCORE_OK;
}

int vm_share_host(struct mem_locked locked, u32 vmid, const struct pgtable *vm_s2, u64 ipa)
{
	paddr_t pa;
	int err = vm_share_host_check(vmid, vm_s2, ipa, &pa);

	(void)locked;
	/* VM n, unshared -> VM n, shared: the host maps it on its next fault there. */
	if (err == KCORE_OK)
		pgowner_get_mut(pa)->count = 1;
	return err;
}

static int vm_unshare_host_check(u32 vmid, const struct pgtable *vm_s2, u64 ipa, paddr_t *pa)
{
	const struct page_info *page;

	if (!vm_ram_page(vm_s2, vmid, ipa, pa))
		return KCORE_E_NOENT;
	page = pgowner_get(*pa);
	if (page->count == 0)
		return KCORE_E_STATE;
	/* A device (any IO domain) can still reach it: taking it back would be a lie. */
	if (page->dma_count != 0)
		return KCORE_E_BUSY;
	return KCORE_OK;
}

int vm_unshare_host(struct mem_locked locked, u32 vmid, const struct pgtable *vm_s2, u64 ipa)
{
	paddr_t pa;
	int err = vm_unshare_host_check(vmid, vm_s2, ipa, &pa);

	/* VM n, shared, no DMA -> VM n, unshared: out of the host's stage-2 first. */
	if (err == KCORE_OK) {
		host_unmap_page(locked, pa);
		pgowner_get_mut(pa)->count = 0;
	}
	return err;
}
