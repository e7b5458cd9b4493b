/* SPDX-License-Identifier: MIT */
/*
 * PSCI through the conduit the DTB names (/psci "method"): "smc" or "hvc".
 * kcore intercepts CPU_ON (it sets the CPU up at EL2 first) and forwards
 * PSCI_VERSION and SYSTEM_OFF to the firmware (QEMU's).
 */
#ifndef KSERV_PSCI_H
#define KSERV_PSCI_H

#include <kcore/psci.h>

#include "types.h"

enum psci_conduit {
	PSCI_CONDUIT_NONE,
	PSCI_CONDUIT_SMC,
	PSCI_CONDUIT_HVC,
};

void psci_init(enum psci_conduit conduit);
const char *psci_conduit_name(void);
const char *psci_err_name(s64 err);

/* The PSCI version as major << 16 | minor, or a negative PSCI error. */
s64 psci_version(void);
s64 psci_cpu_on(u64 mpidr, u64 entry_pa, u64 context_id);
/* Returns only if the firmware refused (or there is no PSCI). */
void psci_system_off(void);
/* PSCI SYSTEM_RESET: returns only if the call failed (its error). */
s64 psci_system_reset(void);

/* Powers the machine off; if that fails, stops this CPU for good. */
_Noreturn void kserv_poweroff(void);

#endif /* KSERV_PSCI_H */
