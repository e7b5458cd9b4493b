/* SPDX-License-Identifier: MIT */
#include "host_s2.h"

#include "core/lib/log.h"

static struct pgtable host_s2;
const struct pgtable *const host_s2_readonly = &host_s2;

int host_s2_init(struct pt_pool *p, u32 ipa_bits)
{
	return pgt_init(&host_s2, p, PT_STAGE2, ipa_bits, KCORE_HOST_VMID);
}

void host_s2_map(struct mem_locked locked, paddr_t base, u64 size, u32 prot)
{
	(void)locked;
	pgt_map_leaf(&host_s2, pa_addr(base), base, size, prot);
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
