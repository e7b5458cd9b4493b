/* SPDX-License-Identifier: MIT */
/*
 * Where start.S hands over to C: vCPU 0 runs the guest's main and powers the
 * VM off; a secondary vCPU runs guest_secondary_main (if the guest has one)
 * and parks.
 */
#include "guest.h"

void guest_boot(u64 dtb);
void guest_secondary_boot(u32 cpu);

u64 guest_entry_cntvct; /* start.S stores it once the BSS is clear */

__attribute__((weak)) void guest_secondary_main(u32 cpu)
{
	say("vCPU %u started, but this guest has no work for it", cpu);
}

void guest_boot(u64 dtb)
{
	guest_main(dtb);
	psci_system_off();
}

void guest_secondary_boot(u32 cpu)
{
	guest_secondary_main(cpu);
	guest_park();
}
