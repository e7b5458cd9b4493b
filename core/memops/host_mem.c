/* SPDX-License-Identifier: MIT */
#include "host_mem.h"

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "platform.h"

bool host_may_map(paddr_t pa)
{
	const struct page_info *page = pgowner_get(pa);

	/* Non-RAM: the platform policy's class decides (unknown space is DENIED). */
	if (page == NULL)
		return platform_host_may_map_class(platform_class(pa));
	if (page->owner == OWNER_HOST)
		return true;
	/* A VM's page is the host's to see only while that VM shares it. */
	return owner_is_vm(page->owner) && page->count > 0;
}

/*
 * A whole 2 MiB of device space can take one block only if all of it is of
 * one class the host may map: a block must never reach into a neighbour the
 * host may not map (RAM lies in no device range, so it fails here too).
 */
static bool device_block_ok(const struct pgtable *host_s2, paddr_t block)
{
	enum kcore_dev_class cls;

	if (!platform_uniform_class(block, BLOCK_SIZE, &cls) || !platform_host_may_map_class(cls))
		return false;
	return pgt_range_unmapped(host_s2, pa_addr(block), BLOCK_SIZE);
}

static int map_for_host(struct mem_locked locked, const struct pgtable *host_s2, paddr_t pa)
{
	const struct page_info *page = pgowner_get(pa);
	paddr_t base = pa_init(pa_addr(pa) & ~(PAGE_SIZE - 1));
	u64 size = PAGE_SIZE;
	u32 prot;

	if (page == NULL) {
		paddr_t block = pa_init(pa_addr(pa) & ~(BLOCK_SIZE - 1));

		if (device_block_ok(host_s2, block)) {
			base = block;
			size = BLOCK_SIZE;
		}
		prot = PT_PROT_RW | PT_PROT_DEVICE;
	} else if (page->owner == OWNER_HOST) {
		prot = PT_PROT_RWX;
	} else {
		/* A page a VM shares: data only, never code. */
		prot = PT_PROT_RW;
	}
	if (pgt_map_cost(host_s2, pa_addr(base), size, size) > pool_nr_free(host_pool())) {
		kc_log("host stage-2 pool exhausted at %lx", pa_addr(pa));
		return KCORE_E_NOMEM;
	}
	host_s2_map(locked, base, size, prot);
	return KCORE_OK;
}

int host_s2_fault(ipaddr_t ipa)
{
	const struct pgtable *host_s2 = host_s2_table();
	paddr_t pa = pa_from_host_ipa(ipa);
	int err;

	/*
	 * A mediated device is never mapped: the arch decodes and emulates the
	 * access instead. The class is fixed at boot, so no lock is needed.
	 */
	if (pgt_ia_valid(host_s2, ipa_addr(ipa)) && !pgowner_is_ram(pa) &&
	    platform_class(pa) == KCORE_DEV_MEDIATED)
		return KCORE_HOST_FAULT_MEDIATED;
	struct mem_locked locked = mem_lock();

	if (!pgt_ia_valid(host_s2, ipa_addr(ipa)) || !host_may_map(pa)) {
		err = KCORE_E_PERM;
	} else if (!pgt_range_unmapped(host_s2, pa_addr(pa) & ~(PAGE_SIZE - 1), PAGE_SIZE)) {
		/* Another CPU mapped it first: the access can simply be retried. */
		err = KCORE_OK;
	} else {
		err = map_for_host(locked, host_s2, pa);
	}
	mem_unlock(locked);

	if (err != KCORE_OK)
		arch_host_inject_abort(ipa);
	return err;
}
