/* SPDX-License-Identifier: MIT */
/*
 * Where the EL1 library's bring-up (el1/start.S) hands over to C: vCPU 0
 * runs the guest's main and powers the VM off; a secondary vCPU runs
 * guest_secondary_main (if the guest has one) and parks.
 */
#include "guest.h"

void el1_main(u64 dtb, u64 entry_cntvct);
void el1_secondary_main(u64 cpu);

u64 guest_entry_cntvct; /* set once the BSS is clear, from start.S's first read */

__attribute__((weak)) void guest_secondary_main(u32 cpu)
{
	say("vCPU %u started, but this guest has no work for it", cpu);
}

/* entry_cntvct: the counter guests/lib/start.S read first, in x20 (el1/start.S). */
void el1_main(u64 dtb, u64 entry_cntvct)
{
	guest_entry_cntvct = entry_cntvct;
	guest_main(dtb);
	psci_system_off();
}

void el1_secondary_main(u64 cpu)
{
	guest_secondary_main((u32)cpu);
	el1_park();
}
