/* SPDX-License-Identifier: MIT */
/*
 * regworld: no system register carries a value from one world to another
 * (issue 14, point 6; include/kcore/regworld.h). Run as two VMs, bootargs
 * "world=2" and "world=3", on one CPU (kcore-run --cpus 1) so that they and
 * the host take turns on it. The guest
 *
 * 1. asks the host to write its values (KC_TEST_REGWORLD), then reads every
 *    register of the list: none may hold the host's or the other VM's value;
 * 2. writes its own value into each (those that stay are "held");
 * 3. ROUNDS times: calls the host (which checks its own registers), waits
 *    (WFI: the other VM gets the CPU), and reads every register again: none
 *    may hold another world's value, and each held one must still hold its
 *    own (kcore switched it back).
 *
 * Prints "leak: <reg> holds world N's value" or "lost: <reg> ..." for each
 * failure, then a summary and PASS.
 */
#include <kcore/regworld.h>

#include "lib/guest.h"

const char guest_name[] = "regworld";

#define ROUNDS 4u

KC_REGWORLD_DEFINE_TABLE(regs);

static u32 world;
static u32 leaks, lost, readable, held_count;
static bool held[KC_REGWORLD_NR];

/* One pass over every register: another world's value is a leak; a held one must be ours. */
static void check_all(const char *when)
{
	readable = 0;
	for (u32 i = 0; i < KC_REGWORLD_NR; i++) {
		const struct kc_regworld_reg *r = &regs[i];
		u64 v = 0;
		u32 owner;

		if (!probe_undef(r->rd, &v))
			continue; /* refused: nothing to read */
		readable++;
		owner = kc_regworld_owner(world, r->flags, r->mask, v);
		if (owner != 0) {
			leaks++;
			say("leak: %s holds world %u's value 0x%lx %s", r->name, owner, v, when);
		} else if (held[i] && (r->flags & KC_RW_VOLATILE) == 0 &&
			   (v & r->mask) != (kc_regworld_value(world, r->flags) & r->mask)) {
			lost++;
			say("lost: %s is 0x%lx %s, not this world's value", r->name, v, when);
		}
	}
}

/* Writes this world's value into every register the guests write; notes which keep it. */
static void write_all(void)
{
	held_count = 0;
	for (u32 i = 0; i < KC_REGWORLD_NR; i++) {
		const struct kc_regworld_reg *r = &regs[i];
		u64 v = 0, mine = kc_regworld_value(world, r->flags) & r->mask;

		if ((r->flags & KC_RW_G) == 0)
			continue;
		if (!probe_undef(r->rd, &v))
			v = 0;
		v = (v & ~r->mask) | mine;
		if (!probe_undef(r->wr, &v))
			continue;
		if (probe_undef(r->rd, &v) && (v & r->mask) == mine) {
			held[i] = true;
			held_count++;
		}
	}
}

/* Which registers hold this world's value, a few names a line (the test's coverage). */
static void list_held(void)
{
	char line[160];
	u32 len = 0;

	for (u32 i = 0; i <= KC_REGWORLD_NR; i++) {
		const char *n = i < KC_REGWORLD_NR && held[i] ? regs[i].name : NULL;
		u32 nl = 0;

		while (n != NULL && n[nl] != '\0')
			nl++;
		if (len > 0 && (n == NULL ? i == KC_REGWORLD_NR : len + nl + 1 >= sizeof(line))) {
			line[len] = '\0';
			say("holds:%s", line);
			len = 0;
		}
		if (n == NULL)
			continue;
		line[len++] = ' ';
		for (u32 k = 0; k < nl; k++)
			line[len++] = n[k];
	}
}

static void ask_host(u64 round)
{
	struct hvc_res res = hvc_call(KC_TEST_REGWORLD, round, 0, 0);

	if (res.x0 != 0) {
		say("FAIL the host does not run the register test (KC_TEST_REGWORLD: %ld)", res.x0);
		psci_system_off();
	}
}

void guest_main(u64 dtb)
{
	u64 w = 0, cpacr;

	if (!bootarg_u64(fdt_bootargs(dtb), "world", &w) || w < 2 || w > KC_REGWORLD_WORLDS) {
		say("FAIL needs bootargs world=2 or world=3");
		return;
	}
	world = (u32)w;
	/* FP, SVE and SME enabled at EL1: their registers are then refused by kcore, if at all. */
	__asm__ volatile("mrs %0, cpacr_el1" : "=r"(cpacr));
	cpacr |= (3ull << 16) | (3ull << 20) | (3ull << 24);
	__asm__ volatile("msr cpacr_el1, %0\n\tisb" ::"r"(cpacr));

	ask_host(0);
	check_all("at the start");
	write_all();
	list_held();
	for (u32 round = 1; round <= ROUNDS; round++) {
		ask_host(round);
		__asm__ volatile("wfi"); /* kserv yields the CPU: the other world runs */
		check_all("after a world switch");
	}
	say("world %lu: %u registers readable, %u of %u hold this world's value, %u leaks, %u "
	    "lost",
	    w, readable, held_count, (u32)KC_REGWORLD_NR, leaks, lost);
	if (leaks == 0 && lost == 0)
		say("PASS");
	else
		say("FAIL %u leaks, %u lost", leaks, lost);
}
