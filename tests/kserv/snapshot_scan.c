/* SPDX-License-Identifier: MIT */
#include "snapshot_scan.h"

#include <kcore/guest_tests.h>

#include "drivers.h"
#include "kserv/console.h"
#include "kserv/fdt_info.h"
#include "kserv/pages.h"
#include "kserv/probe.h"

static bool in_reserved(u64 pa)
{
	for (u32 i = 0; i < machine.nr_reserved; i++) {
		if (pa >= machine.reserved[i].base &&
		    pa - machine.reserved[i].base < machine.reserved[i].size)
			return true;
	}
	return false;
}

/* The first secret word of the page at pa (readable: its first word was), or 0. */
static u64 secret_in_page(u64 pa)
{
	const volatile u64 *w = (const volatile u64 *)(uintptr_t)pa;

	for (u64 i = 0; i < KSERV_PAGE_SIZE / 8; i++) {
		if (kc_test_is_secret(w[i]))
			return pa + 8 * i;
	}
	return 0;
}

/* The scan must be able to fail: a secret word planted in a host page must be found. */
static bool scan_finds_planted(void)
{
	u64 pa = page_alloc(), at = 0;

	if (pa == 0)
		return false;
	*(volatile u64 *)(uintptr_t)(pa + 0x7f8) = kc_test_secret_word(KC_TEST_SECRET_IPA);
	at = secret_in_page(pa);
	page_free_zeroed(pa);
	return at == pa + 0x7f8;
}

bool snapshot_scan_host(struct guest *g, const char *when)
{
	u64 read = 0, unreadable = 0, found = 0;

	if (!scan_finds_planted()) {
		kprintf("SNAPSCAN: %s %s: the scan missed a secret planted for it: FAILED\n",
			g->name, when);
		guest_fail(g, "the host memory scan does not work");
		return false;
	}

	/* A VM's page aborts: that is kcore's job, not worth a line each. */
	kserv_probe_set_quiet(true);
	for (u32 r = 0; r < machine.nr_ram && found == 0; r++) {
		u64 base = align_up(machine.ram[r].base, KSERV_PAGE_SIZE);
		u64 end = machine.ram[r].base + machine.ram[r].size;

		for (u64 pa = base; pa + KSERV_PAGE_SIZE <= end && found == 0;
		     pa += KSERV_PAGE_SIZE) {
			u64 first;

			if (in_reserved(pa))
				continue;
			/* kcore maps the host's memory in 4 KiB pages at least: one probe a page.
			 */
			if (!kserv_probe_read(pa, &first)) {
				unreadable++;
				continue;
			}
			read++;
			found = secret_in_page(pa);
		}
	}
	kserv_probe_set_quiet(false);
	if (found != 0) {
		kprintf("SNAPSCAN: %s %s: a secret word at PA 0x%lx FOUND\n", g->name, when, found);
		guest_fail(g, "the host found its secret in clear");
		return false;
	}
	kprintf("SNAPSCAN: %s %s: %lu pages read, %lu unreadable, no secret\n", g->name, when, read,
		unreadable);
	return true;
}

/* With the payload's SNAPSHOT_SCAN flag on g: after each snapshot of it and its restore. */
static void on_snapshot(struct guest *g, enum vmm_snapshot_event ev, struct snapshot *s)
{
	(void)s;
	if ((g->flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_SCAN) == 0)
		return;
	snapshot_scan_host(g, ev == VMM_SNAPSHOT_RESTORED ? "after a restore" : "after a snapshot");
}

const struct vmm_hooks snapshot_scan_hooks = {
    .name = "snapshot_scan",
    .on_snapshot = on_snapshot,
};
