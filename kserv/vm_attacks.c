/* SPDX-License-Identifier: MIT */
#include "vm_attacks.h"

#include <kcore/guest_tests.h>
#include <string.h>

#include "attack_report.h"
#include "console.h"
#include "format.h"
#include "io_consent_share.h"
#include "probe.h"
#include "reset_scan.h"
#include "run.h"
#include "vm_attacks_suite.h"

static bool enabled;
static bool unshare_attacked;

void vm_attacks_reset(bool on)
{
	enabled = on;
	unshare_attacked = false;
	attack_counts_reset();
}

bool vm_attacks_enabled(void)
{
	return enabled;
}

static bool is_victim(const struct guest *g)
{
	return enabled && strcmp(g->name, GUEST_SECRET_NAME) == 0;
}

u64 vm_attacks_checkpoint(struct guest_vcpu *v, u64 n)
{
	struct guest *g = v->g;

	g->checkpoints++;
	reset_scan_checkpoint(g, n);
	/* Without the suite kserv does not drive checkpoints: the guest decides when to stop. */
	if (!is_victim(g))
		return (u64)(s64)KCORE_E_NOT_SUPPORTED;
	if (g->attacks_run)
		return KC_TEST_CHECKPOINT_STOP;
	g->attacks_run = true;
	kprintf("kserv: attacks: VM %s is at checkpoint %lu; attacking it\n", g->name, n);
	vm_attacks_suite(g, v);
	/*
	 * The call's completion may write x0..x3 only. Ask for more: an MMIO
	 * read's register write and an injected abort. The guest checks its
	 * registers after the call and says so; vm_attacks_after_teardown reads
	 * its verdict.
	 */
	v->next_flags = KC_RUN_MMIO_DONE | KC_RUN_MMIO_ABORT;
	v->next_mmio_value = ATTACK_VM_POISON;
	g->regs_attacked = true;
	return KC_TEST_CHECKPOINT_GO_ON;
}

/* vm_attacks_check_exit for the victim: apart, so other VMs' exits pay only for the test. */
static __attribute__((noinline)) void check_victim_exit(struct guest *g,
							const struct kcore_vcpu_run *run)
{
	/* A guest call's x1..x6 are the host's to see (the checkpoint's x4..x6 are secret). */
	u32 first = run->out.reason == KC_EXIT_GUEST_CALL ? 7 : 0;
	bool leak = false;

	for (u32 i = first; i < ARRAY_SIZE(run->out.raw); i++)
		leak |= kc_test_is_secret(run->out.raw[i]) != 0;
	__atomic_add_fetch(&g->exits_checked, 1, __ATOMIC_RELAXED);
	if (leak) {
		__atomic_add_fetch(&g->exits_leaking, 1, __ATOMIC_RELAXED);
		kprintf("kserv: attacks: VM %s: a %s exit record carries a secret\n", g->name,
			exit_reason_name(run->out.reason));
	}
}

void vm_attacks_check_exit(struct guest *g, const struct kcore_vcpu_run *run)
{
	if (is_victim(g))
		check_victim_exit(g, run);
}

static bool contains(const char *s, const char *what)
{
	size_t n = strlen(what);

	for (; *s != '\0'; s++) {
		if (strncmp(s, what, n) == 0)
			return true;
	}
	return false;
}

void vm_attacks_guest_line(struct guest *g, const char *line)
{
	if (!is_victim(g))
		return;
	if (contains(line, "CORRUPTED"))
		g->verdict = VERDICT_CORRUPTED;
	else if (contains(line, "intact after") && g->verdict != VERDICT_CORRUPTED)
		g->verdict = VERDICT_INTACT;
}

void vm_attacks_shared_read(struct guest *g, u64 ipa, u64 pa, bool readable)
{
	char what[96];

	if (!enabled)
		return;
	io_consent_shared_read(g, ipa, pa, readable);
	if (readable) {
		g->shared_ipa = ipa;
		g->shared_pa = pa;
		return;
	}
	if (g->shared_ipa != ipa || g->shared_pa == 0)
		return;
	/* Readable before, not now: the guest unshared it. The read just made was the attack. */
	format_buf(what, sizeof(what), "read VM %s's page at IPA 0x%lx after it unshared it",
		   g->name, ipa);
	attack_report(what, true, "aborted");
	format_buf(what, sizeof(what), "write VM %s's page at IPA 0x%lx after it unshared it",
		   g->name, ipa);
	attack_write(what, pa);
	unshare_attacked = true;
	g->shared_pa = 0;
}

void vm_attacks_during_teardown(struct guest *g)
{
	u64 pa = gfn_map_lookup(&g->map, KC_TEST_SECRET_IPA);

	if (!is_victim(g) || pa == 0)
		return;
	attack_read("read the secret VM's memory after its power-off, before it is cleared", pa);
	attack_write("write the secret VM's memory after its power-off, before it is cleared", pa);
}

struct scan {
	u64 pages;
	u64 found;
	u64 first_pa;
};

static void scan_page(void *ctx, u64 ipa, u64 pa)
{
	struct scan *s = ctx;

	(void)ipa;
	s->pages++;
	for (u64 off = 0; off < KSERV_PAGE_SIZE; off += 8) {
		u64 w;

		if (kserv_probe_read(pa + off, &w) && w != 0 && kc_test_is_secret(w) != 0) {
			if (s->found++ == 0)
				s->first_pa = pa + off;
		}
	}
}

void vm_attacks_after_teardown(struct guest *g)
{
	struct scan s = {0};
	char detail[96];

	if (!is_victim(g))
		return;
	gfn_map_for_each(&g->map, scan_page, &s);
	format_buf(detail, sizeof(detail), "%lu pages scanned, %lu secret words found%s", s.pages,
		   s.found, s.found != 0 ? ", e.g. at a PA below" : "");
	attack_report("read the secret VM's memory after teardown", s.found == 0, detail);
	if (s.found != 0)
		kprintf("kserv: attacks: a secret word at 0x%lx\n", s.first_pa);

	format_buf(detail, sizeof(detail), "%lu exit records, %lu with a secret", g->exits_checked,
		   g->exits_leaking);
	attack_report("read the secret VM's registers or memory in its exit records",
		      g->exits_checked > 0 && g->exits_leaking == 0, detail);

	if (g->regs_attacked)
		attack_report("write the secret VM's registers through the run page (MMIO_DONE "
			      "and MMIO_ABORT on a guest call)",
			      g->verdict == VERDICT_INTACT,
			      g->verdict == VERDICT_INTACT	? "the guest says: intact"
			      : g->verdict == VERDICT_CORRUPTED ? "the guest says: CORRUPTED"
								: "the guest gave no verdict");
}

bool vm_attacks_summary(void)
{
	u32 attempted, refused, succeeded, odd;
	bool victim = false;

	for (u32 i = 0; i < guest_count(); i++)
		victim |= guest_slot(i)->attacks_run;
	if (!victim)
		kprintf("kserv: attacks: no VM named '%s' reached a checkpoint: the suite did not "
			"run\n",
			GUEST_SECRET_NAME);
	if (!unshare_attacked)
		kprintf("kserv: attacks: no guest asked the host to read a page it had unshared "
			"(the ioshare guest does): that attack did not run\n");
	attack_counts(&attempted, &refused, &succeeded, &odd);
	if (odd != 0)
		kprintf("kserv: attacks: %u refused with another error than the documented one\n",
			odd);
	kprintf("ATTACKS: %u attempted, %u refused, %u succeeded\n", attempted, refused, succeeded);
	return victim && succeeded == 0 && attempted == refused;
}
