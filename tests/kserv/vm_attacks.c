/* SPDX-License-Identifier: MIT */
#include "vm_attacks.h"

#include <kcore/guest_tests.h>
#include <kcore/payload.h>
#include <string.h>

#include "attack_report.h"
#include "drivers.h"
#include "io_consent_share.h"
#include "kserv/console.h"
#include "kserv/format.h"
#include "kserv/lock.h"
#include "kserv/probe.h"
#include "vm_attacks_suite.h"
#include "vmm/exit.h"

/* What the secret guest said about itself last. */
#define VERDICT_NONE	  0u
#define VERDICT_INTACT	  1u
#define VERDICT_CORRUPTED 2u

/* The suite's record of one guest (struct guest knows nothing of it). */
struct attacked {
	const struct guest *g;
	bool attacks_run;   /* the suite ran against it */
	bool regs_attacked; /* ... including the register write through the run page */
	u32 verdict;	    /* secret guest: VERDICT_* from its console */
	u64 exits_checked;  /* exit records searched for its secrets */
	u64 exits_leaking;  /* ... and found holding one */
	u64 shared_ipa;	    /* the last page the host read at its request (KC_TEST_READ_SHARED) */
	u64 shared_pa;
};

static bool enabled;
static bool unshare_attacked;
/* Every guest of a payload run has a slot (guest.c); the lock only guards adding one. */
static struct ticket_lock attacked_lock;
static struct attacked attacked[GUEST_MAX];
static u32 nr_attacked;

static void vm_attacks_reset(bool on)
{
	enabled = on;
	unshare_attacked = false;
	ticket_lock(&attacked_lock);
	memset(attacked, 0, sizeof(attacked));
	nr_attacked = 0;
	ticket_unlock(&attacked_lock);
	attack_counts_reset();
	/* The victim's exits are searched, and only with the suite on. */
	vmm_hooks_watch_exits(&vm_attacks_hooks, on);
}

/* g's record, made on first use; NULL only if more guests than slots (never: see above). */
static struct attacked *attacked_of(const struct guest *g)
{
	struct attacked *a = NULL;

	ticket_lock(&attacked_lock);
	for (u32 i = 0; i < nr_attacked && a == NULL; i++) {
		if (attacked[i].g == g)
			a = &attacked[i];
	}
	if (a == NULL && nr_attacked < GUEST_MAX) {
		a = &attacked[nr_attacked++];
		a->g = g;
	}
	ticket_unlock(&attacked_lock);
	return a;
}

bool vm_attacks_enabled(void)
{
	return enabled;
}

static bool is_victim(const struct guest *g)
{
	return enabled && strcmp(g->name, GUEST_SECRET_NAME) == 0;
}

/* KC_TEST_CHECKPOINT(n) from v: attacks if it is time; returns the answer (x0). */
static u64 checkpoint(struct guest_vcpu *v, struct attacked *a, u64 n)
{
	struct guest *g = v->g;

	if (a->attacks_run)
		return KC_TEST_CHECKPOINT_STOP;
	a->attacks_run = true;
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
	a->regs_attacked = true;
	return KC_TEST_CHECKPOINT_GO_ON;
}

static bool on_guest_call(struct guest_vcpu *v, u64 fid, const u64 *args, u64 ret[4])
{
	struct attacked *a;

	/* Without the suite kserv does not drive checkpoints: the guest decides when to stop. */
	if (fid != KC_TEST_CHECKPOINT || !is_victim(v->g))
		return false;
	a = attacked_of(v->g);
	if (a == NULL)
		return false;
	ret[0] = checkpoint(v, a, args[0]);
	return true;
}

/* Every exit of the victim: the exit record must not carry a secret. */
static void check_victim_exit(struct guest *g, const struct kcore_vcpu_run *run)
{
	struct attacked *a = attacked_of(g);
	/* A guest call's x1..x6 are the host's to see (the checkpoint's x4..x6 are secret). */
	u32 first = run->out.reason == KC_EXIT_GUEST_CALL ? 7 : 0;
	bool leak = false;

	for (u32 i = first; i < ARRAY_SIZE(run->out.raw); i++)
		leak |= kc_test_is_secret(run->out.raw[i]) != 0;
	if (a == NULL)
		return;
	__atomic_add_fetch(&a->exits_checked, 1, __ATOMIC_RELAXED);
	if (leak) {
		__atomic_add_fetch(&a->exits_leaking, 1, __ATOMIC_RELAXED);
		kprintf("kserv: attacks: VM %s: a %s exit record carries a secret\n", g->name,
			vmm_exit_reason_name(run->out.reason));
	}
}

/* Right after KC_HC_VCPU_RUN (only while the suite is on): what run.c checks first, then ours. */
static void on_exit(struct guest_vcpu *v, s64 err, u64 reason, const struct kcore_vcpu_run *run)
{
	if (err == KCORE_OK && reason == run->out.reason && is_victim(v->g))
		check_victim_exit(v->g, run);
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

/* A line of the guest's console output (the secret guest's verdict). */
static void on_console_line(struct guest *g, const char *line)
{
	struct attacked *a;

	if (!is_victim(g) || (a = attacked_of(g)) == NULL)
		return;
	if (contains(line, "CORRUPTED"))
		a->verdict = VERDICT_CORRUPTED;
	else if (contains(line, "intact after") && a->verdict != VERDICT_CORRUPTED)
		a->verdict = VERDICT_INTACT;
}

/* KC_TEST_READ_SHARED at ipa (pa): readable or not; after unshare, attacks the page. */
static void on_shared_read(struct guest *g, u64 ipa, u64 pa, bool readable)
{
	struct attacked *a;
	char what[96];

	if (!enabled || (a = attacked_of(g)) == NULL)
		return;
	io_consent_shared_read(g, ipa, pa, readable);
	if (readable) {
		a->shared_ipa = ipa;
		a->shared_pa = pa;
		return;
	}
	if (a->shared_ipa != ipa || a->shared_pa == 0)
		return;
	/* Readable before, not now: the guest unshared it. The read just made was the attack. */
	format_buf(what, sizeof(what), "read VM %s's page at IPA 0x%lx after it unshared it",
		   g->name, ipa);
	attack_report(what, true, "aborted");
	format_buf(what, sizeof(what), "write VM %s's page at IPA 0x%lx after it unshared it",
		   g->name, ipa);
	attack_write(what, pa);
	unshare_attacked = true;
	a->shared_pa = 0;
}

/* After power-off, before KC_HC_VM_CLEAR_RANGE. */
static void during_teardown(struct guest *g)
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

/* After KC_HC_VM_FREE. */
static void after_teardown(struct guest *g)
{
	struct scan s = {0};
	struct attacked *a;
	char detail[96];

	if (!is_victim(g) || (a = attacked_of(g)) == NULL)
		return;
	gfn_map_for_each(&g->map, scan_page, &s);
	format_buf(detail, sizeof(detail), "%lu pages scanned, %lu secret words found%s", s.pages,
		   s.found, s.found != 0 ? ", e.g. at a PA below" : "");
	attack_report("read the secret VM's memory after teardown", s.found == 0, detail);
	if (s.found != 0)
		kprintf("kserv: attacks: a secret word at 0x%lx\n", s.first_pa);

	format_buf(detail, sizeof(detail), "%lu exit records, %lu with a secret", a->exits_checked,
		   a->exits_leaking);
	attack_report("read the secret VM's registers or memory in its exit records",
		      a->exits_checked > 0 && a->exits_leaking == 0, detail);

	if (a->regs_attacked)
		attack_report("write the secret VM's registers through the run page (MMIO_DONE "
			      "and MMIO_ABORT on a guest call)",
			      a->verdict == VERDICT_INTACT,
			      a->verdict == VERDICT_INTACT	? "the guest says: intact"
			      : a->verdict == VERDICT_CORRUPTED ? "the guest says: CORRUPTED"
								: "the guest gave no verdict");
}

static void on_teardown(struct guest *g, enum vmm_teardown_phase phase)
{
	if (phase == VMM_TEARDOWN_POWERED_OFF)
		during_teardown(g);
	else
		after_teardown(g);
}

/* Prints "ATTACKS: ..." (and what did not happen); true if nothing succeeded. */
static bool summary(void)
{
	u32 attempted, refused, succeeded, odd;
	bool victim = false;

	for (u32 i = 0; i < nr_attacked; i++)
		victim |= attacked[i].attacks_run;
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

static void on_payload_start(u32 payload_flags)
{
	vm_attacks_reset((payload_flags & KCORE_PAYLOAD_F_ATTACKS) != 0);
}

static bool on_payload_end(void)
{
	return enabled ? summary() : true;
}

const struct vmm_hooks vm_attacks_hooks = {
    .name = "vm_attacks",
    .on_payload_start = on_payload_start,
    .on_payload_end = on_payload_end,
    .on_exit = on_exit,
    .on_guest_call = on_guest_call,
    .on_console_line = on_console_line,
    .on_shared_read = on_shared_read,
    .on_teardown = on_teardown,
};
