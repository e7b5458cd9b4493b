/* SPDX-License-Identifier: MIT */
#include "host_s2.h"

#include "core/lib/log.h"

static struct pgtable host_s2;
static struct pt_pool *pool;

int host_s2_init(struct pt_pool *p, u32 ipa_bits)
{
	pool = p;
	return pgt_init(&host_s2, p, PT_STAGE2, ipa_bits, KCORE_HOST_VMID);
}

int host_s2_map(struct mem_locked locked, paddr_t base, u64 size, u32 prot)
{
	(void)locked;
	if (pgt_map_cost(&host_s2, pa_addr(base), size, size) > pool_nr_free(pool))
		return KCORE_E_NOMEM;
	pgt_map_leaf(&host_s2, pa_addr(base), base, size, prot);
	return KCORE_OK;
}

void host_unmap_page(struct mem_locked locked, paddr_t pa)
{
	u64 size;

	(void)locked;
	KC_CHECK(mem_lock_held());
	size = pgt_unmap_leaf(&host_s2, pa_addr(pa));
	/*
	 * RAM is only ever mapped for the host page by page, so no block needs
	 * splitting (a block here is a kcore bug, and the check halts the machine).
	 */
	KC_CHECK(size == 0 || size == PAGE_SIZE);
}

const struct pgtable *host_s2_table(void)
{
	return &host_s2;
}

const struct pt_pool *host_pool(void)
{
	return pool;
}
