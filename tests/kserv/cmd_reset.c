/* SPDX-License-Identifier: MIT */
/*
 * reset-scan (issue 14, point 3): does a VM's secret survive a reset? In
 * the first boot kserv runs the payload and, once the VM named "secret" has
 * written its secret (its first checkpoint), calls PSCI SYSTEM_RESET. QEMU
 * keeps RAM across the reset and boots kcore and kserv again; a marker kserv
 * left in a page of its own says this is the second boot, and kserv reads
 * every RAM page it can for the secret's words (docs/kserv.md).
 */

#include <kcore/guest_tests.h>
#include <string.h>

#include "drivers.h"
#include "kserv/commands.h"
#include "kserv/console.h"
#include "kserv/fdt_info.h"
#include "kserv/guest.h"
#include "kserv/pages.h"
#include "kserv/probe.h"
#include "kserv/psci.h"
#include "kserv/sysreg.h"

/* The marker's two words: "rst scan", and its complement. */
#define MARKER_MAGIC 0x6e61637320747372ull
/* How long the secret VM's CPU waits before the reset, so the other VMs' vCPUs are running. */
#define SETTLE_TICKS (62500000ull / 20) /* 50 ms of the 62.5 MHz counter */

static bool reset_armed;

/*
 * The marker: the last page kserv's allocator manages. The same in both
 * boots (the same machine, kcore's carve-out in the same place), never the
 * kernel, DTB or initrd QEMU reloads, and taken out of the allocator so no
 * VM is given it.
 */
static u64 marker_page(void)
{
	u32 n = pages_nr_regions();
	struct range r;

	if (n == 0)
		return 0;
	r = pages_region(n - 1);
	return r.base + r.size - KSERV_PAGE_SIZE;
}

static bool in_reserved(u64 pa)
{
	for (u32 i = 0; i < machine.nr_reserved; i++) {
		if (pa - machine.reserved[i].base < machine.reserved[i].size)
			return true;
	}
	return false;
}

/* A word of the secret VM's 1 MiB (not a register value: a guest call hands the host x4..x6). */
static bool is_secret_memory_word(u64 v)
{
	return kc_test_is_secret(v) && !((v & 0xffffffffffff8000ull) == 0x5345435245540000ull &&
					 v == kc_test_secret_reg((u32)(v >> 8) & 0x7f));
}

struct scan {
	u64 read, unreadable, words, pages, first;
};

static void scan_page(u64 pa, struct scan *s)
{
	const volatile u64 *w = (const volatile u64 *)(uintptr_t)pa;
	u64 here = 0;

	for (u64 i = 0; i < KSERV_PAGE_SIZE / 8; i++) {
		if (is_secret_memory_word(w[i])) {
			if (s->first == 0)
				s->first = pa + 8 * i;
			here++;
		}
	}
	s->words += here;
	s->pages += here != 0;
}

/* Every RAM page the host can read, but kcore's reserved ranges (those abort anyway). */
static void scan_ram(u64 marker, struct scan *s)
{
	kserv_probe_set_quiet(true);
	for (u32 r = 0; r < machine.nr_ram; r++) {
		u64 base = align_up(machine.ram[r].base, KSERV_PAGE_SIZE);
		u64 end = machine.ram[r].base + machine.ram[r].size;

		for (u64 pa = base; pa + KSERV_PAGE_SIZE <= end; pa += KSERV_PAGE_SIZE) {
			u64 first;

			if (pa == marker || in_reserved(pa))
				continue;
			if (!kserv_probe_read(pa, &first)) {
				s->unreadable++;
				continue;
			}
			s->read++;
			scan_page(pa, s);
		}
	}
	kserv_probe_set_quiet(false);
}

static int second_boot(u64 marker)
{
	struct scan s = {0};
	u64 planted = page_alloc();

	/* The scan must be able to fail: a secret word planted in a page must be found. */
	if (planted == 0)
		return 1;
	*(volatile u64 *)(uintptr_t)(planted + 0x7f8) = kc_test_secret_word(KC_TEST_SECRET_IPA);
	scan_page(planted, &s);
	page_free_zeroed(planted);
	if (s.words != 1) {
		kprintf("RESET-SCAN: FAILED: the scan missed a secret word planted for it\n");
		return 1;
	}
	s = (struct scan){0};
	scan_ram(marker, &s);
	if (s.words != 0) {
		kprintf("RESET-SCAN: boot 2: %lu pages read, %lu unreadable: the secret FOUND: %lu "
			"words in %lu pages, the first at PA 0x%lx\n",
			s.read, s.unreadable, s.words, s.pages, s.first);
		return 1;
	}
	kprintf("RESET-SCAN: boot 2: %lu pages read, %lu unreadable: no secret word: CLEAN\n",
		s.read, s.unreadable);
	return 0;
}

int cmd_reset_scan(int argc, char **argv)
{
	u64 marker = marker_page();
	volatile u64 *m = (volatile u64 *)(uintptr_t)marker;
	int rc;

	(void)argc;
	(void)argv;
	if (marker == 0 || !page_take(marker)) {
		kprintf("RESET-SCAN: FAILED: no page for the marker\n");
		return 1;
	}
	if (m[0] == MARKER_MAGIC && m[1] == ~MARKER_MAGIC) {
		m[0] = m[1] = 0;
		kprintf("RESET-SCAN: boot 2 (the marker at PA 0x%lx survived the reset)\n", marker);
		rc = second_boot(marker);
		page_free_zeroed(marker);
		return rc;
	}
	m[0] = MARKER_MAGIC;
	m[1] = ~MARKER_MAGIC;
	kprintf("RESET-SCAN: boot 1: marker at PA 0x%lx; SYSTEM_RESET at the secret VM's first "
		"checkpoint\n",
		marker);
	reset_armed = true;
	cmd_run_payload(0, NULL);
	reset_armed = false;
	m[0] = m[1] = 0;
	page_free_zeroed(marker);
	kprintf("RESET-SCAN: FAILED: the payload ended and no VM named %s reached a checkpoint\n",
		GUEST_SECRET_NAME);
	return 1;
}

/* At a guest's checkpoint n: resets the machine if reset-scan asked for it and g is the secret VM.
 */
static void reset_scan_checkpoint(const struct guest *g, u64 n)
{
	u64 start;
	s64 err;

	if (!reset_armed || strcmp(g->name, GUEST_SECRET_NAME) != 0)
		return;
	kprintf("RESET-SCAN: VM %s at checkpoint %lu, its secret written; PSCI SYSTEM_RESET\n",
		g->name, n);
	start = read_cntvct();
	while (read_cntvct() - start < SETTLE_TICKS)
		;
	err = psci_system_reset();
	kprintf("RESET-SCAN: FAILED: SYSTEM_RESET returned %s (%ld)\n", psci_err_name(err), err);
}

/* KC_TEST_CHECKPOINT: never answered here (the attack suite may answer it), only looked at. */
static bool on_guest_call(struct guest_vcpu *v, u64 fid, const u64 *args, u64 ret[4])
{
	(void)ret;
	if (fid == KC_TEST_CHECKPOINT)
		reset_scan_checkpoint(v->g, args[0]);
	return false;
}

const struct vmm_hooks reset_scan_hooks = {
    .name = "reset_scan",
    .on_guest_call = on_guest_call,
};
