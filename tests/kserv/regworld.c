/* SPDX-License-Identifier: MIT */
/*
 * The host's side of the register-isolation test (include/kcore/regworld.h,
 * guests/regworld.c). At the first KC_TEST_REGWORLD call kserv writes the
 * host's value (world 1) into every register of the list it can write, on
 * the CPU that takes the call; from then on it reads every register after
 * every exit of every VM, on whichever CPU, and reports a VM's value it finds:
 *
 *   REGWORLD: host: leak: <reg> holds world N's value 0x...
 *   REGWORLD: host: lost: <reg> is 0x..., not the host's value
 *
 * ("lost": on the CPU that wrote, a register kcore switches no longer holds
 * the host's value). At the end of the payload: "REGWORLD: host: <n> checks,
 * <l> leaks, <m> lost". Nothing happens until a guest asks: the test costs
 * other payloads nothing: its check of every exit (on_exit) is on from the
 * first KC_TEST_REGWORLD to the next payload run (vmm_hooks_watch_exits).
 */

#include <kcore/regworld.h>

#include "drivers.h"
#include "kserv/console.h"
#include "kserv/lock.h"
#include "kserv/probe.h"
#include "kserv/sysreg.h"

KC_REGWORLD_DEFINE_TABLE(regs);

#define MAX_REPORTS 16u

/* Whether a guest started the test (set once, by regworld_call). */
static bool regworld_on;

static struct {
	struct ticket_lock lock;
	u32 cpu; /* the CPU that holds the host's values */
	bool held[KC_REGWORLD_NR];
	u32 held_count, writable;
	u64 checks;
	u32 leaks, lost, reports;
} rw;

/* Forgets the test (before a payload run). */
static void regworld_reset(void)
{
	ticket_lock(&rw.lock);
	__atomic_store_n(&regworld_on, false, __ATOMIC_RELEASE);
	rw.held_count = rw.writable = 0;
	rw.checks = 0;
	rw.leaks = rw.lost = rw.reports = 0;
	for (u32 i = 0; i < KC_REGWORLD_NR; i++)
		rw.held[i] = false;
	ticket_unlock(&rw.lock);
	vmm_hooks_watch_exits(&regworld_hooks, false);
}

/* Which registers hold the host's value, a few names a line (the test's coverage). */
static void list_held(void)
{
	u32 on_line = 0;

	for (u32 i = 0; i < KC_REGWORLD_NR; i++) {
		if (!rw.held[i])
			continue;
		kprintf("%s %s", on_line == 0 ? "REGWORLD: host: keeps:" : "", regs[i].name);
		if (++on_line == 8) {
			kprintf("\n");
			on_line = 0;
		}
	}
	if (on_line != 0)
		kprintf("\n");
}

/* KC_TEST_REGWORLD: writes the host's values once. Returns the call's x0 (0). */
static u64 regworld_call(void)
{
	ticket_lock(&rw.lock);
	if (!regworld_on) {
		rw.cpu = read_cpu_index();
		for (u32 i = 0; i < KC_REGWORLD_NR; i++) {
			const struct kc_regworld_reg *r = &regs[i];
			u64 v = 0, mine = kc_regworld_value(KC_REGWORLD_HOST, r->flags) & r->mask;

			if ((r->flags & KC_RW_H) == 0)
				continue;
			if (!kserv_probe_undef(r->rd, &v))
				continue;
			v = (v & ~r->mask) | mine;
			if (!kserv_probe_undef(r->wr, &v))
				continue;
			rw.writable++;
			if (kserv_probe_undef(r->rd, &v) && (v & r->mask) == mine &&
			    (r->flags & KC_RW_VOLATILE) == 0) {
				rw.held[i] = true;
				rw.held_count++;
			}
		}
		__atomic_store_n(&regworld_on, true, __ATOMIC_RELEASE);
		vmm_hooks_watch_exits(&regworld_hooks, true);
		kprintf("REGWORLD: host: wrote its values into %u registers on CPU %u (%u keep "
			"them)\n",
			rw.writable, rw.cpu, rw.held_count);
		list_held();
	}
	ticket_unlock(&rw.lock);
	return 0;
}

/* After every exit of every vCPU, once the test is on: the host's registers. */
static void regworld_check(void)
{
	bool here;

	ticket_lock(&rw.lock);
	here = read_cpu_index() == rw.cpu;
	rw.checks++;
	for (u32 i = 0; i < KC_REGWORLD_NR; i++) {
		const struct kc_regworld_reg *r = &regs[i];
		u64 v = 0;
		u32 owner;

		if (!kserv_probe_undef(r->rd, &v))
			continue;
		owner = kc_regworld_owner(KC_REGWORLD_HOST, r->flags, r->mask, v);
		if (owner != 0) {
			rw.leaks++;
			if (rw.reports++ < MAX_REPORTS)
				kprintf("REGWORLD: host: leak: %s holds world %u's value 0x%lx\n",
					r->name, owner, v);
		} else if (here && rw.held[i] &&
			   (v & r->mask) !=
			       (kc_regworld_value(KC_REGWORLD_HOST, r->flags) & r->mask)) {
			rw.lost++;
			if (rw.reports++ < MAX_REPORTS)
				kprintf("REGWORLD: host: lost: %s is 0x%lx, not the host's value\n",
					r->name, v);
		}
	}
	ticket_unlock(&rw.lock);
}

/* The summary line, if the test ran; true if it found nothing. */
static bool regworld_summary(void)
{
	bool ok;

	if (!regworld_on)
		return true;
	ok = rw.leaks == 0 && rw.lost == 0;
	kprintf("REGWORLD: host: %lu checks, %u leaks, %u lost%s\n", rw.checks, rw.leaks, rw.lost,
		ok ? "" : " (FAILED)");
	return ok;
}

static void on_payload_start(u32 payload_flags)
{
	(void)payload_flags;
	regworld_reset();
}

static void on_exit(struct guest_vcpu *v, s64 err, u64 reason, const struct kcore_vcpu_run *run)
{
	(void)v;
	(void)err;
	(void)reason;
	(void)run;
	regworld_check();
}

static bool on_guest_call(struct guest_vcpu *v, u64 fid, const u64 *args, u64 ret[4])
{
	(void)v;
	(void)args;
	if (fid != KC_TEST_REGWORLD)
		return false;
	ret[0] = regworld_call();
	return true;
}

const struct vmm_hooks regworld_hooks = {
    .name = "regworld",
    .on_payload_start = on_payload_start,
    .on_payload_end = regworld_summary,
    .on_exit = on_exit,
    .on_guest_call = on_guest_call,
};
