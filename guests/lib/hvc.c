/* SPDX-License-Identifier: MIT */
/*
 * Calls out of the VM: SMCCC over HVC #0. kcore answers its own guest calls
 * (KC_GC_*) and PSCI SYSTEM_OFF/RESET/VERSION/FEATURES; every other call
 * (PSCI CPU_ON, the test calls of include/kcore/guest_tests.h) reaches the
 * host as its function id and arguments, and the host's answer comes back
 * in x0..x3.
 */
#include "guest.h"

struct hvc_res hvc_call(u64 fid, u64 a1, u64 a2, u64 a3)
{
	struct smccc_regs r = {{fid, a1, a2, a3, 0, 0, 0, 0}};

	smccc_hvc(&r);
	return (struct hvc_res){(s64)r.x[0], r.x[1], r.x[2], r.x[3]};
}

_Noreturn void psci_system_off(void)
{
	hvc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	/* Only reached if nobody took the call: nothing else to do. */
	el1_park();
}

s64 psci_cpu_on(u64 mpidr, u64 entry, u64 context)
{
	return hvc_call(PSCI_CPU_ON_64, mpidr, entry, context).x0;
}
