/* SPDX-License-Identifier: MIT */
#include "vm_mem.h"

#include <string.h>

#include "console.h"
#include "hvc.h"
#include "pages.h"

#define BLOCK_PAGES (KCORE_BLOCK_SIZE / KSERV_PAGE_SIZE)

static void free_run(u64 pa, u64 pages)
{
	for (u64 i = 0; i < pages; i++)
		page_free(pa + i * KSERV_PAGE_SIZE);
}

/* Caller holds g's lock. True if a block went in; false: try a page instead. */
static bool donate_block(struct guest *g, u64 ipa)
{
	u64 base = align_down(ipa, KCORE_BLOCK_SIZE), pa;
	s64 err;

	/* A VM whose payload record asks for 4 KiB pages gets nothing larger (benchmarks). */
	if ((g->flags & KCORE_PAYLOAD_VM_F_SMALL_PAGES) != 0 || base < g->lay.ram_base ||
	    base + KCORE_BLOCK_SIZE > layout_ram_end(&g->lay) ||
	    !gfn_map_region_empty(&g->map, base))
		return false;
	pa = page_alloc_aligned_run(BLOCK_PAGES, KCORE_BLOCK_SIZE);
	if (pa == 0)
		return false;
	err = kcore_call(KC_HC_VM_DONATE, g->vmid, base, pa, KCORE_BLOCK_SIZE, 0, NULL);
	if (err != KCORE_OK) {
		/* e.g. NOMEM in the VM's page-table pool: a page may still go in. */
		kprintf("kserv: VM %s: KC_HC_VM_DONATE(2 MiB at 0x%lx): %s; donating a page\n",
			g->name, base, kcore_err_name(err));
		free_run(pa, BLOCK_PAGES);
		return false;
	}
	gfn_map_set_block(&g->map, base, pa);
	g->blocks_donated++;
	return true;
}

/* Caller holds g's lock. */
static bool donate_page_locked(struct guest *g, u64 ipa, u64 pa)
{
	s64 err = kcore_call(KC_HC_VM_DONATE, g->vmid, ipa, pa, KSERV_PAGE_SIZE, 0, NULL);

	if (err != KCORE_OK) {
		kprintf("kserv: VM %s: KC_HC_VM_DONATE(0x%lx at IPA 0x%lx): %s (%ld)\n", g->name,
			pa, ipa, kcore_err_name(err), err);
		return false;
	}
	/* Only fails for lack of memory for the map; the page is the VM's either way. */
	if (!gfn_map_set_page(&g->map, ipa, pa))
		kprintf("kserv: VM %s: no memory to record IPA 0x%lx: its page will not come "
			"back\n",
			g->name, ipa);
	return true;
}

bool vm_mem_donate_page(struct guest *g, u64 ipa, u64 pa)
{
	bool ok;

	guest_lock(g);
	ok = donate_page_locked(g, ipa, pa);
	guest_unlock(g);
	return ok;
}

bool vm_mem_fault(struct guest *g, u64 ipa)
{
	const char *why = NULL;
	u64 pa;

	if ((ipa & (KSERV_PAGE_SIZE - 1)) != 0 || ipa < g->lay.ram_base ||
	    ipa >= layout_ram_end(&g->lay)) {
		kprintf("kserv: VM %s: memory fault at 0x%lx, outside its RAM\n", g->name, ipa);
		guest_fail(g, "kcore reported a memory fault outside the VM's RAM");
		return false;
	}
	guest_lock(g);
	/* Another vCPU may have faulted on the same page and been served first. */
	if (gfn_map_lookup(&g->map, ipa) != 0 || donate_block(g, ipa)) {
		guest_unlock(g);
		return true;
	}
	pa = page_alloc();
	if (pa == 0) {
		why = "the host is out of memory for it";
	} else {
		if (!donate_page_locked(g, ipa, pa)) {
			page_free(pa);
			why = "KC_HC_VM_DONATE failed";
		} else {
			g->pages_donated++;
			if (g->fault_first_ipa == 0)
				g->fault_first_ipa = ipa;
		}
	}
	guest_unlock(g);
	if (why != NULL) {
		guest_fail(g, why);
		return false;
	}
	return true;
}
