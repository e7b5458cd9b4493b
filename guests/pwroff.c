/* SPDX-License-Identifier: MIT */
/*
 * pwroff: the scheduling and power-off conformance guest (issue 16, point 1;
 * docs/guests.md, "Scheduling and power-off"). Two scenarios, chosen by the
 * bootargs:
 *
 * - default: vCPU 0 starts every other vCPU the DTB lists with PSCI CPU_ON.
 *   Odd ones spin in a tight loop that makes no exits, even ones loop on WFE.
 *   Once all are in their loops, vCPU 0 powers the VM off (SYSTEM_OFF). The
 *   VM must end promptly: every sibling stopped by the host (a kick), not at
 *   an exit it never makes. The check is the host's (the run ends, and does
 *   not time out); the guest's PASS only says every vCPU got to its loop.
 *
 * - "fair=N": vCPU 0 starts vCPU 1, which spins forever without exits; vCPU
 *   0 then does N rounds of work (a count to WORK_LOOP, then a host call and
 *   a check of its answer) and powers off. With one CPU for both vCPUs it
 *   finishes only if the host time-slices them fairly.
 */
#include <kcore/guest_tests.h>

#include "lib/guest.h"

#define WAIT_SECONDS 60u     /* far beyond what any CPU takes to come up */
#define SETTLE_TICKS 200000u /* vCPU 0's pause once all are up (3 ms at 62.5 MHz) */
#define WORK_LOOP    200000u /* one fair round's count */

const char guest_name[] = "pwroff";

static u64 mpidr[GUEST_MAX_CPUS];
static u32 looping; /* secondaries in their loop */

static void spin_forever(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static void wfe_forever(void)
{
	for (;;)
		__asm__ volatile("wfe" ::: "memory");
}

void guest_secondary_main(u32 cpu)
{
	bool wfe = (cpu & 1) == 0;

	say("vCPU %u up, %s", cpu, wfe ? "waiting in a WFE loop" : "spinning (no exits)");
	__atomic_add_fetch(&looping, 1, __ATOMIC_RELEASE);
	if (wfe)
		wfe_forever();
	spin_forever();
}

static bool wait_for_loopers(u32 want)
{
	u64 deadline = read_cntvct() + WAIT_SECONDS * read_cntfrq();

	while (__atomic_load_n(&looping, __ATOMIC_ACQUIRE) < want && read_cntvct() < deadline)
		__asm__ volatile("yield");
	return __atomic_load_n(&looping, __ATOMIC_ACQUIRE) >= want;
}

static bool start(u32 i)
{
	s64 r = psci_cpu_on(mpidr[i], (u64)(uintptr_t)el1_secondary_entry, i);

	if (r != PSCI_SUCCESS) {
		say("FAIL CPU_ON(0x%lx) returned %ld", mpidr[i], r);
		return false;
	}
	return true;
}

/* vCPU 0 works while vCPU 1 spins: every round counts, then calls the host. */
static void fair(u64 rounds)
{
	u64 t0 = read_cntvct(), last, gap = 0;
	struct hvc_res seen;

	if (!start(1))
		return;
	if (!wait_for_loopers(1)) {
		say("FAIL vCPU 1 did not report within %u s", WAIT_SECONDS);
		return;
	}
	last = read_cntvct();
	for (u64 r = 0; r < rounds; r++) {
		volatile u64 n = 0;
		struct hvc_res res;

		while (n < WORK_LOOP)
			n = n + 1;
		res = hvc_call(KC_BENCH_NOP, r, 0, 0);
		if (res.x0 != 0) {
			say("FAIL round %lu: the host's no-op call returned %ld", r, res.x0);
			return;
		}
		/* Information only (a busy host stretches it too): the longest wait for a turn. */
		if (read_cntvct() - last > gap)
			gap = read_cntvct() - last;
		last = read_cntvct();
		if ((r + 1) % 1000 == 0 || r + 1 == rounds)
			say("round %lu of %lu done", r + 1, rounds);
	}
	t0 = (read_cntvct() - t0) / (read_cntfrq() / 1000);
	/* Where the host answered them: its VMM's exit handler (kserv), or its kernel (kcore.ko).
	 */
	seen = hvc_call(KC_TEST_MMIO_EXITS, 0, 0, 0);
	if (seen.x0 != 0) {
		say("FAIL the host does not say how many null calls its VMM saw (x0 %ld)", seen.x0);
		return;
	}
	say("PASS %lu rounds of work (%lu host calls, %lu seen by the VMM) beside a spinning "
	    "vCPU, %lu ms (longest round %lu ms)",
	    rounds, rounds, seen.x3, t0, gap / (read_cntfrq() / 1000));
}

void guest_main(u64 dtb)
{
	u32 nr = fdt_cpus(dtb, mpidr, GUEST_MAX_CPUS);
	u64 rounds = 0, t;

	if (nr > GUEST_MAX_CPUS)
		nr = GUEST_MAX_CPUS;
	if (bootarg_u64(fdt_bootargs(dtb), "fair", &rounds)) {
		if (nr < 2) {
			say("FAIL fair needs 2 vCPUs, the DTB lists %u", nr);
			return;
		}
		fair(rounds);
		return;
	}
	if (nr < 2) {
		say("FAIL needs at least 2 vCPUs, the DTB lists %u", nr);
		return;
	}
	say("vCPU 0 up; starting %u more: odd ones spin, even ones wait in WFE", nr - 1);
	for (u32 i = 1; i < nr; i++) {
		if (!start(i))
			return;
	}
	if (!wait_for_loopers(nr - 1)) {
		say("FAIL only %u of %u secondaries reported within %u s", looping, nr - 1,
		    WAIT_SECONDS);
		return;
	}
	/* Let the last one reach its loop, beyond its report. */
	t = read_cntvct();
	while (read_cntvct() - t < SETTLE_TICKS)
		__asm__ volatile("yield");
	say("PASS %u vCPUs in their loops; powering off from vCPU 0", nr);
}
