/* SPDX-License-Identifier: MIT */
/*
 * psci: PSCI 1.1 (Arm DEN0022) as a guest sees it, on 4 vCPUs.
 *
 *  - PSCI_VERSION is 1.1; PSCI_FEATURES says SUCCESS for every mandatory
 *    function and for what kcore offers, NOT_SUPPORTED for the rest, and a
 *    function FEATURES calls offered behaves so (MIGRATE, SYSTEM_RESET2);
 *  - MIGRATE_INFO_TYPE is 2 (no Trusted OS to migrate);
 *  - PSCI_FEATURES(SMCCC_VERSION) is SUCCESS under kcore (SMCCC v1.1 is
 *    offered), and where it is, SMCCC_VERSION says 1.1 or later and
 *    SMCCC_ARCH_FEATURES says itself is there (PSCI 1.1, section 5.1.14);
 *  - CPU_ON of an MPIDR that is no CPU is INVALID_PARAMETERS; of an entry
 *    outside the verified image INVALID_ADDRESS (under kcore only: a bare
 *    machine would start the CPU there);
 *  - the CPU_ON race: vCPUs 0, 1 and 2 turn vCPU 3 on at the same moment,
 *    each with its own entry and context. Exactly one gets SUCCESS, the
 *    others ALREADY_ON or ON_PENDING, and vCPU 3 enters at the winner's entry
 *    with the winner's context, DAIF masked, MMU off and none of what it set
 *    before its last CPU_OFF (TPIDR_EL1). vCPU 3 then turns itself off
 *    (CPU_OFF) and AFFINITY_INFO sees it OFF; ROUNDS rounds, so vCPU 3 is
 *    offlined and restarted ROUNDS times, entries alternating;
 *  - AFFINITY_INFO across those states, and at level 1;
 *  - SYSTEM_RESET2 with a reserved architectural type is INVALID_PARAMETERS;
 *  - at the end vCPUs 1 and 2 turn themselves off, vCPU 0 sees them OFF and
 *    powers the VM off (SYSTEM_OFF).
 */
#include <kcore/abi.h>

#include "lib/guest.h"

#define NR_CPUS	     4u
#define TARGET	     3u
#define ROUNDS	     6u
#define WAIT_SECONDS 20u
#define OLD_TPIDR    0x0dead0ffull /* what vCPU 3 leaves in TPIDR_EL1 before CPU_OFF */

const char guest_name[] = "psci";

extern const char psci_entry_a[], psci_entry_b[];

/* Written by psci_entry.S, 64 bytes a vCPU. */
struct psci_seen {
	u64 entry; /* 1: psci_entry_a, 2: psci_entry_b */
	u64 x0;
	u64 daif;
	u64 sctlr;
	u64 tpidr;
	u64 pad[3];
};
struct psci_seen psci_seen[GUEST_MAX_CPUS];

static u64 mpidr[GUEST_MAX_CPUS];
static u32 go;		       /* the round the racers may start (0: none yet) */
static u32 called;	       /* racers done with this round's CPU_ON */
static s64 result[NR_CPUS];    /* this round's CPU_ON answers, by caller */
static u32 target_round;       /* the round vCPU 3 last reported */
static u32 release_round;      /* vCPU 3 may turn itself off in this round */
static u32 racers_up;	       /* vCPUs 1 and 2 that arrived */
static u32 finish;	       /* set: vCPUs 1 and 2 turn themselves off */
static struct psci_seen found; /* vCPU 3's record, copied in its own round */
static u32 failures;

#define check(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			say("FAIL " __VA_ARGS__);                           \
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED); \
		}                                                           \
	} while (0)

static s64 psci(u64 fid, u64 a1, u64 a2, u64 a3)
{
	return hvc_call(fid, a1, a2, a3).x0;
}

static bool wait_until(const u32 *word, u32 value)
{
	u64 deadline = read_cntvct() + WAIT_SECONDS * read_cntfrq();

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) < value) {
		if (read_cntvct() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

static u64 entry_of(u32 caller, u32 round)
{
	return (u64)(uintptr_t)((caller + round) % 2 == 0 ? psci_entry_a : psci_entry_b);
}

static u64 context_of(u32 caller, u32 round)
{
	return TARGET | (u64)caller << 8 | (u64)round << 16;
}

/* This round's CPU_ON of vCPU 3, by caller (0, 1 or 2). */
static void race_call(u32 caller, u32 round)
{
	result[caller] =
	    psci(PSCI_CPU_ON_64, mpidr[TARGET], entry_of(caller, round), context_of(caller, round));
	__atomic_add_fetch(&called, 1, __ATOMIC_RELEASE);
}

static void racer(u32 cpu)
{
	u32 round = 1;

	__atomic_add_fetch(&racers_up, 1, __ATOMIC_RELEASE);
	for (;;) {
		while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) < round &&
		       !__atomic_load_n(&finish, __ATOMIC_ACQUIRE))
			cpu_relax();
		if (__atomic_load_n(&finish, __ATOMIC_ACQUIRE))
			break;
		race_call(cpu, round++);
	}
	/* Never returns; the vCPU can be started again only by CPU_ON. */
	psci(PSCI_CPU_OFF, 0, 0, 0);
	say("FAIL vCPU %u: CPU_OFF returned", cpu);
}

void guest_secondary_main(u32 cpu)
{
	if (cpu != TARGET) {
		racer(cpu);
		return;
	}
	/* The target: what it found at entry goes to vCPU 0; then it is off again. */
	found = psci_seen[TARGET];
	__atomic_store_n(&target_round, (u32)(found.x0 >> 16), __ATOMIC_RELEASE);
	/* On until every racer called: a CPU_ON after its CPU_OFF would rightly succeed. */
	if (!wait_until(&release_round, (u32)(found.x0 >> 16)))
		say("FAIL vCPU 3: never told to turn off");
	__asm__ volatile("msr tpidr_el1, %0" ::"r"(OLD_TPIDR));
	psci(PSCI_CPU_OFF, 0, 0, 0);
	say("FAIL vCPU 3: CPU_OFF returned");
}

static s64 affinity(u32 cpu, u32 level)
{
	return psci(PSCI_AFFINITY_INFO_64, mpidr[cpu], level, 0);
}

/* Polls AFFINITY_INFO until cpu is OFF: a CPU_OFF completes some time after it is made. */
static bool wait_off(u32 cpu)
{
	u64 deadline = read_cntvct() + WAIT_SECONDS * read_cntfrq();
	s64 s;

	while ((s = affinity(cpu, 0)) != PSCI_AFF_OFF) {
		if (s != PSCI_AFF_ON || read_cntvct() > deadline) {
			say("FAIL vCPU %u: AFFINITY_INFO %ld, waiting for OFF", cpu, s);
			failures++;
			return false;
		}
		cpu_relax();
	}
	return true;
}

static void race_round(u32 round)
{
	u32 wins = 0, winner = 0;
	u64 want_entry;

	__atomic_store_n(&called, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&go, round, __ATOMIC_RELEASE);
	race_call(0, round);
	if (!wait_until(&called, 3)) {
		check(false, "round %u: the racers did not call within %u s", round, WAIT_SECONDS);
		return;
	}
	for (u32 c = 0; c < 3; c++) {
		if (result[c] == PSCI_SUCCESS) {
			wins++;
			winner = c;
		} else {
			check(result[c] == PSCI_E_ALREADY_ON || result[c] == PSCI_E_ON_PENDING,
			      "round %u: vCPU %u's CPU_ON returned %ld", round, c, result[c]);
		}
	}
	check(wins == 1, "round %u: %u of 3 racing CPU_ONs succeeded (%ld %ld %ld)", round, wins,
	      result[0], result[1], result[2]);
	if (wins != 1)
		return;
	if (!wait_until(&target_round, round)) {
		check(false, "round %u: vCPU 3 never came up with this round's context", round);
		return;
	}
	want_entry = (winner + round) % 2 == 0 ? 1 : 2;
	check(found.entry == want_entry && found.x0 == context_of(winner, round),
	      "round %u: vCPU 3 entered at entry %lu with x0 0x%lx; the winner (vCPU %u) gave "
	      "entry %lu, 0x%lx",
	      round, found.entry, found.x0, winner, want_entry, context_of(winner, round));
	check((found.daif & 0x3c0) == 0x3c0, "round %u: vCPU 3 entered with DAIF 0x%lx", round,
	      found.daif);
	check((found.sctlr & 1) == 0, "round %u: vCPU 3 entered with the MMU on", round);
	check(found.tpidr != OLD_TPIDR,
	      "round %u: vCPU 3 entered with TPIDR_EL1 from before its CPU_OFF", round);
	check(affinity(TARGET, 0) == PSCI_AFF_ON, "round %u: vCPU 3 runs, AFFINITY_INFO not ON",
	      round);
	__atomic_store_n(&release_round, round, __ATOMIC_RELEASE);
	wait_off(TARGET);
}

static const struct {
	u32 fid;
	const char *name;
} optional[] = {
    {PSCI_MIGRATE_32, "MIGRATE_32"},
    {PSCI_MIGRATE_64, "MIGRATE_64"},
    {PSCI_MIGRATE_INFO_TYPE, "MIGRATE_INFO_TYPE"},
    {PSCI_MIGRATE_INFO_UP_CPU_32, "MIGRATE_INFO_UP_CPU_32"},
    {PSCI_MIGRATE_INFO_UP_CPU_64, "MIGRATE_INFO_UP_CPU_64"},
    {0x8400000bu, "CPU_FREEZE"},
    {0xc400000cu, "CPU_DEFAULT_SUSPEND_64"},
    {0xc400000du, "NODE_HW_STATE_64"},
    {0xc400000eu, "SYSTEM_SUSPEND_64"},
    {0x8400000fu, "PSCI_SET_SUSPEND_MODE"},
    {0xc4000010u, "PSCI_STAT_RESIDENCY_64"},
    {0xc4000011u, "PSCI_STAT_COUNT_64"},
    {PSCI_SYSTEM_RESET2_32, "SYSTEM_RESET2_32"},
    {PSCI_SYSTEM_RESET2_64, "SYSTEM_RESET2_64"},
    {PSCI_MEM_PROTECT, "MEM_PROTECT"},
    {PSCI_MEM_PROTECT_RANGE_64, "MEM_PROTECT_CHECK_RANGE_64"},
};

static bool offered(u32 fid)
{
	s64 r = psci(PSCI_FEATURES, fid, 0, 0);

	check(r >= 0 || r == PSCI_E_NOT_SUPPORTED, "PSCI_FEATURES(0x%x) = %ld", fid, r);
	return r >= 0;
}

static void features(void)
{
	static const u32 mandatory[] = {
	    PSCI_VERSION,    PSCI_CPU_SUSPEND_32, PSCI_CPU_SUSPEND_64,	 PSCI_CPU_OFF,
	    PSCI_CPU_ON_32,  PSCI_CPU_ON_64,	  PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64,
	    PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET,	  PSCI_FEATURES};
	char list[512];
	u32 n = 0;

	for (u32 i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++)
		check(offered(mandatory[i]), "PSCI_FEATURES says mandatory 0x%x is not supported",
		      mandatory[i]);
	/* CPU_SUSPEND's flags: bit 1 the power_state format, bit 0 OS-initiated mode. */
	check((psci(PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0) & ~3) == 0,
	      "CPU_SUSPEND's feature flags have reserved bits set");
	/* No such function: neither offered nor callable. */
	check(!offered(0x8400001fu) && psci(0x8400001fu, 0, 0, 0) == PSCI_E_NOT_SUPPORTED,
	      "PSCI function 0x1f is offered or answered");
	check(!offered(0xc4000000u), "PSCI_VERSION has an SMC64 form");
	for (u32 i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		const char *p = optional[i].name;

		if (!offered(optional[i].fid) || n + strlen(p) + 2 > sizeof(list))
			continue;
		list[n++] = ' ';
		while (*p != '\0')
			list[n++] = *p++;
	}
	list[n] = '\0';
	say("optional functions offered:%s", list);
	/* What FEATURES says is so. */
	if (!offered(PSCI_MIGRATE_64))
		check(psci(PSCI_MIGRATE_64, mpidr[1], 0, 0) == PSCI_E_NOT_SUPPORTED,
		      "MIGRATE answered though not offered");
	if (offered(PSCI_MIGRATE_INFO_TYPE)) {
		s64 t = psci(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);

		check(t == PSCI_MIGRATE_INFO_NOT_PRESENT,
		      "MIGRATE_INFO_TYPE %ld (a VM has no Trusted OS to migrate: 2)", t);
		say("MIGRATE_INFO_TYPE %ld", t);
	}
}

/* SMCCC v1.1, promised by PSCI_FEATURES(SMCCC_VERSION); kcore offers it. */
static void smccc(bool kcore)
{
	s64 v, f;

	if (!offered(SMCCC_VERSION)) {
		check(!kcore, "PSCI_FEATURES(SMCCC_VERSION) is NOT_SUPPORTED under kcore");
		say("SMCCC v1.1 not offered");
		return;
	}
	v = psci(SMCCC_VERSION, 0, 0, 0);
	f = psci(SMCCC_ARCH_FEATURES, SMCCC_ARCH_FEATURES, 0, 0);
	check(v >= SMCCC_VERSION_1_1, "SMCCC_VERSION 0x%lx though PSCI_FEATURES offered it", v);
	check(f == 0, "SMCCC_ARCH_FEATURES(SMCCC_ARCH_FEATURES) = %ld", f);
	say("SMCCC version %ld.%ld", v >> 16, v & 0xffff);
}

static void reset2(void)
{
	s64 bad, vendor;

	if (!offered(PSCI_SYSTEM_RESET2_64)) {
		check(psci(PSCI_SYSTEM_RESET2_64, 1, 0, 0) == PSCI_E_NOT_SUPPORTED,
		      "SYSTEM_RESET2 answered though not offered");
		return;
	}
	bad = psci(PSCI_SYSTEM_RESET2_64, 1, 0, 0); /* a reserved architectural type */
	vendor = psci(PSCI_SYSTEM_RESET2_32, PSCI_RESET2_TYPE_VENDOR | 0x5a, 0, 0);
	check(bad == PSCI_E_INVALID_PARAMS, "SYSTEM_RESET2(type 1) returned %ld", bad);
	check(vendor == PSCI_E_NOT_SUPPORTED || vendor == PSCI_E_INVALID_PARAMS,
	      "SYSTEM_RESET2(vendor type) returned %ld", vendor);
	say("SYSTEM_RESET2: reserved type %ld, unknown vendor type %ld", bad, vendor);
}

void guest_main(u64 dtb)
{
	u32 nr = fdt_cpus(dtb, mpidr, GUEST_MAX_CPUS);
	bool kcore = hvc_call(KC_GC_VERSION, 0, 0, 0).x0 == KCORE_OK;
	s64 v, r;

	if (nr < NR_CPUS) {
		say("FAIL %u vCPUs in the DTB, this guest needs %u", nr, NR_CPUS);
		return;
	}
	v = psci(PSCI_VERSION, 0, 0, 0);
	say("PSCI version %ld.%ld", v >> 16, v & 0xffff);
	check(v == PSCI_VERSION_1_1, "PSCI_VERSION 0x%lx, want 1.1", v);
	features();
	smccc(kcore);

	/* CPU_ON's refusals: no such CPU, itself, an entry kcore did not verify. */
	r = psci(PSCI_CPU_ON_64, mpidr[TARGET] | 1u << 8, (u64)(uintptr_t)psci_entry_a, 0);
	check(r == PSCI_E_INVALID_PARAMS, "CPU_ON(Aff1 = 1) returned %ld", r);
	r = psci(PSCI_CPU_ON_64, mpidr[TARGET] | 1ull << 40, (u64)(uintptr_t)psci_entry_a, 0);
	check(r == PSCI_E_INVALID_PARAMS, "CPU_ON(a reserved MPIDR bit) returned %ld", r);
	r = psci(PSCI_CPU_ON_64, mpidr[0], (u64)(uintptr_t)psci_entry_a, 0);
	check(r == PSCI_E_ALREADY_ON, "CPU_ON(itself) returned %ld", r);
	if (kcore) {
		r = psci(PSCI_CPU_ON_64, mpidr[TARGET], (image_end() + 0x100000) & ~0xfffull, 0);
		check(r == PSCI_E_INVALID_ADDRESS, "CPU_ON(entry outside the image) returned %ld",
		      r);
	} else {
		say("not under kcore: no CPU_ON outside the image (a machine would start it)");
	}
	r = affinity(TARGET, 0);
	check(r == PSCI_AFF_OFF, "AFFINITY_INFO(vCPU 3) before any CPU_ON: %ld", r);
	r = affinity(0, 1);
	say("AFFINITY_INFO level 1: %ld", r);
	check(r == PSCI_AFF_ON || r == PSCI_E_INVALID_PARAMS, "AFFINITY_INFO level 1: %ld", r);
	/* Levels are 0..3 (DEN0022); QEMU 7.2's own PSCI does not check the level. */
	r = affinity(0, 4);
	if (kcore)
		check(r == PSCI_E_INVALID_PARAMS, "AFFINITY_INFO level 4: %ld", r);
	else
		say("AFFINITY_INFO level 4: %ld", r);

	/* The racers. */
	for (u32 i = 1; i < TARGET; i++) {
		r = psci_cpu_on(mpidr[i], (u64)(uintptr_t)el1_secondary_entry, i);
		check(r == PSCI_SUCCESS, "CPU_ON(vCPU %u) returned %ld", i, r);
	}
	if (!wait_until(&racers_up, TARGET - 1)) {
		say("FAIL vCPUs 1 and 2 did not come up");
		return;
	}
	check(affinity(1, 0) == PSCI_AFF_ON, "AFFINITY_INFO(vCPU 1) running: not ON");
	for (u32 round = 1; round <= ROUNDS && failures == 0; round++)
		race_round(round);

	/* vCPUs 1 and 2 turn themselves off; then the VM powers off. */
	__atomic_store_n(&finish, 1, __ATOMIC_RELEASE);
	wait_off(1);
	wait_off(2);
	reset2();
	if (failures != 0)
		say("FAIL %u problems", failures);
	else
		say("PASS %u CPU_ON races, vCPU 3 off and on %u times", ROUNDS, ROUNDS);
}
