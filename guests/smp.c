/* SPDX-License-Identifier: MIT */
/*
 * smp: vCPU 0 starts every other vCPU the DTB lists with PSCI CPU_ON (target
 * = the cpu node's reg, entry = el1_secondary_entry, context = the vCPU's
 * index). Each secondary checks that its MPIDR is the one the DTB gave it,
 * adds to a shared counter HAMMER times with atomics (exclusive load/store)
 * and reports; vCPU 0 does the same, waits for all of them, checks the total
 * and powers off.
 */
#include "lib/guest.h"

#define HAMMER	     10000u
#define WAIT_SECONDS 10u

const char guest_name[] = "smp";

static u64 mpidr[GUEST_MAX_CPUS];
static u64 seen_mpidr[GUEST_MAX_CPUS];
static u32 reported; /* secondaries that finished */
static u64 hammer;   /* every vCPU adds HAMMER to it, one at a time */

static void add_to_hammer(void)
{
	for (u32 i = 0; i < HAMMER; i++)
		__atomic_add_fetch(&hammer, 1, __ATOMIC_RELAXED);
}

void guest_secondary_main(u32 cpu)
{
	u64 me = read_mpidr();

	say("vCPU %u up, MPIDR 0x%lx", cpu, me);
	seen_mpidr[cpu] = me;
	add_to_hammer();
	__atomic_add_fetch(&reported, 1, __ATOMIC_RELEASE);
}

void guest_main(u64 dtb)
{
	u32 nr = fdt_cpus(dtb, mpidr, GUEST_MAX_CPUS), done, failed = 0;
	u64 deadline;

	if (nr == 0) {
		say("FAIL no vCPUs in the DTB (x0 = 0x%lx)", dtb);
		return;
	}
	if (nr > GUEST_MAX_CPUS) {
		say("the DTB lists %u vCPUs; using the first %u", nr, GUEST_MAX_CPUS);
		nr = GUEST_MAX_CPUS;
	}
	say("vCPU 0 up, MPIDR 0x%lx; starting %u more", read_mpidr(), nr - 1);
	for (u32 i = 1; i < nr; i++) {
		s64 r = psci_cpu_on(mpidr[i], (u64)(uintptr_t)el1_secondary_entry, i);

		if (r != PSCI_SUCCESS) {
			say("FAIL CPU_ON(0x%lx) returned %ld", mpidr[i], r);
			return;
		}
	}
	add_to_hammer();

	deadline = read_cntvct() + WAIT_SECONDS * read_cntfrq();
	while ((done = __atomic_load_n(&reported, __ATOMIC_ACQUIRE)) < nr - 1 &&
	       read_cntvct() < deadline)
		__asm__ volatile("yield");
	if (done < nr - 1) {
		say("FAIL only %u of %u secondary vCPUs reported within %u s", done, nr - 1,
		    WAIT_SECONDS);
		return;
	}
	if (read_mpidr() != mpidr[0]) {
		say("vCPU 0 has MPIDR 0x%lx, the DTB says 0x%lx", read_mpidr(), mpidr[0]);
		failed++;
	}
	for (u32 i = 1; i < nr; i++) {
		if (seen_mpidr[i] != mpidr[i]) {
			say("vCPU %u has MPIDR 0x%lx, the DTB says 0x%lx", i, seen_mpidr[i],
			    mpidr[i]);
			failed++;
		}
	}
	if (__atomic_load_n(&hammer, __ATOMIC_RELAXED) != (u64)nr * HAMMER) {
		say("shared counter %lu, want %lu: an atomic add was lost", hammer,
		    (u64)nr * HAMMER);
		failed++;
	}
	if (failed != 0)
		say("FAIL %u vCPUs, %u problems", nr, failed);
	else
		say("PASS %u vCPUs, shared counter %lu", nr, hammer);
}
