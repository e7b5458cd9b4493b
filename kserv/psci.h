/* SPDX-License-Identifier: MIT */
/*
 * PSCI through the conduit the DTB names (/psci "method"): "smc" or "hvc".
 * kcore intercepts CPU_ON (it sets the CPU up at EL2 first) and forwards
 * PSCI_VERSION and SYSTEM_OFF to the firmware (QEMU's).
 */
#ifndef KSERV_PSCI_H
#define KSERV_PSCI_H

#include "types.h"

#define PSCI_VERSION	  0x84000000u
#define PSCI_CPU_OFF	  0x84000002u
#define PSCI_SYSTEM_OFF	  0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_CPU_ON_64	  0xC4000003u

#define PSCI_SUCCESS		0
#define PSCI_E_NOT_SUPPORTED	(-1)
#define PSCI_E_INVALID_PARAMS	(-2)
#define PSCI_E_DENIED		(-3)
#define PSCI_E_ALREADY_ON	(-4)
#define PSCI_E_ON_PENDING	(-5)
#define PSCI_E_INTERNAL_FAILURE (-6)
#define PSCI_E_NOT_PRESENT	(-7)
#define PSCI_E_DISABLED		(-8)
#define PSCI_E_INVALID_ADDRESS	(-9)

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
