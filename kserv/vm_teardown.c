/* SPDX-License-Identifier: MIT */
#include "vm_teardown.h"

#include "console.h"
#include "hvc.h"
#include "pages.h"
#include "probe.h"
#include "vmm/exit.h"
#include "vmm/hooks.h"

bool page_reads_zero(u64 pa)
{
	for (u64 off = 0; off < KSERV_PAGE_SIZE; off += 8) {
		u64 w;

		if (!kserv_probe_read(pa + off, &w) || w != 0)
			return false;
	}
	return true;
}

static bool teardown_call(struct guest *g, const char *name, u64 id, u64 a1, u64 a2, u64 a3)
{
	s64 err = kcore_call(id, a1, a2, a3, 0, 0, NULL);

	if (err == KCORE_OK)
		return true;
	kprintf("kserv: VM %s: %s: %s (%ld); its pages stay out of the allocator\n", g->name, name,
		kcore_err_name(err), err);
	guest_fail(g, "kcore refused a teardown call");
	return false;
}

static void free_one(void *ctx, u64 ipa, u64 pa)
{
	u64 *n = ctx;

	(void)ipa;
	page_free(pa);
	(*n)++;
}

/* kcore's part: false if the VM's pages may not be the host's yet. */
static bool release_in_kcore(struct guest *g)
{
	if (!g->kcore_poweroff) {
		if (!teardown_call(g, "KC_HC_VM_POWEROFF", KC_HC_VM_POWEROFF, g->vmid, 0, 0))
			return false;
		g->kcore_poweroff = true;
	}
	vmm_hooks_teardown(g, VMM_TEARDOWN_POWERED_OFF);
	if (!teardown_call(g, "KC_HC_VM_CLEAR_RANGE", KC_HC_VM_CLEAR_RANGE, g->vmid,
			   g->lay.ram_base, g->lay.ram_size))
		return false;
	return teardown_call(g, "KC_HC_VM_FREE", KC_HC_VM_FREE, g->vmid, 0, 0);
}

void vm_teardown(struct guest *g)
{
	u64 returned = 0;

	vmm_uart_flush(g);
	if (g->vmid != 0 && !release_in_kcore(g))
		return;
	if (g->image_first_pa != 0) {
		if (page_reads_zero(g->image_first_pa)) {
			kprintf("kserv: VM %s: its image's first page (0x%lx) reads back as zero\n",
				g->name, g->image_first_pa);
		} else {
			kprintf("kserv: VM %s: its image's first page (0x%lx) was not scrubbed\n",
				g->name, g->image_first_pa);
			guest_fail(g, "a page that held its data was not zero after teardown");
		}
	}
	vmm_hooks_teardown(g, VMM_TEARDOWN_FREED);
	gfn_map_for_each(&g->map, free_one, &returned);
	gfn_map_release(&g->map);
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		if (g->vcpus[i].run_pa != 0) {
			page_free_zeroed(g->vcpus[i].run_pa);
			g->vcpus[i].run_pa = 0;
		}
	}
	g->torn_down = true;
	kprintf("kserv: VM %s torn down: %lu pages back with the host (%lu donated on faults, %lu "
		"2 MiB blocks); %lu pages free\n",
		g->name, returned, g->pages_donated, g->blocks_donated, pages_free());
}
