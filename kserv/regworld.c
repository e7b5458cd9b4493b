/* SPDX-License-Identifier: MIT */
#include "regworld.h"

#include <kcore/regworld.h>

#include "console.h"
#include "lock.h"
#include "probe.h"
#include "sysreg.h"

KC_REGWORLD_DEFINE_TABLE(regs);

#define MAX_REPORTS 16u

bool regworld_on;

static struct {
	struct ticket_lock lock;
	u32 cpu; /* the CPU that holds the host's values */
	bool held[KC_REGWORLD_NR];
	u32 held_count, writable;
	u64 checks;
	u32 leaks, lost, reports;
} rw;

void regworld_reset(void)
{
	ticket_lock(&rw.lock);
	__atomic_store_n(&regworld_on, false, __ATOMIC_RELEASE);
	rw.held_count = rw.writable = 0;
	rw.checks = 0;
	rw.leaks = rw.lost = rw.reports = 0;
	for (u32 i = 0; i < KC_REGWORLD_NR; i++)
		rw.held[i] = false;
	ticket_unlock(&rw.lock);
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

u64 regworld_call(void)
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
		kprintf("REGWORLD: host: wrote its values into %u registers on CPU %u (%u keep "
			"them)\n",
			rw.writable, rw.cpu, rw.held_count);
		list_held();
	}
	ticket_unlock(&rw.lock);
	return 0;
}

void regworld_check(void)
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

bool regworld_summary(void)
{
	bool ok;

	if (!regworld_on)
		return true;
	ok = rw.leaks == 0 && rw.lost == 0;
	kprintf("REGWORLD: host: %lu checks, %u leaks, %u lost%s\n", rw.checks, rw.leaks, rw.lost,
		ok ? "" : " (FAILED)");
	return ok;
}
