/* SPDX-License-Identifier: MIT */
#include "psci.h"

#include "console.h"
#include "el1/smccc.h"
#include "sysreg.h"

static enum psci_conduit psci_conduit;

void psci_init(enum psci_conduit conduit)
{
	psci_conduit = conduit;
}

const char *psci_conduit_name(void)
{
	switch (psci_conduit) {
	case PSCI_CONDUIT_SMC:
		return "smc";
	case PSCI_CONDUIT_HVC:
		return "hvc";
	default:
		return "none";
	}
}

const char *psci_err_name(s64 err)
{
	static const char *const names[] = {
	    "SUCCESS",	  "NOT_SUPPORTED",    "INVALID_PARAMETERS", "DENIED",	"ALREADY_ON",
	    "ON_PENDING", "INTERNAL_FAILURE", "NOT_PRESENT",	    "DISABLED", "INVALID_ADDRESS",
	};

	if (err <= 0 && -err < (s64)ARRAY_SIZE(names))
		return names[-err];
	return "?";
}

static s64 psci_call(u64 fn, u64 a1, u64 a2, u64 a3)
{
	struct smccc_regs r = {{fn, a1, a2, a3, 0, 0, 0, 0}};

	switch (psci_conduit) {
	case PSCI_CONDUIT_SMC:
		smccc_smc(&r);
		break;
	case PSCI_CONDUIT_HVC:
		smccc_hvc(&r);
		break;
	default:
		return PSCI_E_NOT_SUPPORTED;
	}
	return (s64)r.x[0];
}

s64 psci_version(void)
{
	/* PSCI_VERSION is an SMC32 call: the result is in w0. */
	s64 v = psci_call(PSCI_VERSION, 0, 0, 0);

	return (s64)(s32)(u32)v;
}

s64 psci_cpu_on(u64 mpidr, u64 entry_pa, u64 context_id)
{
	return psci_call(PSCI_CPU_ON_64, mpidr, entry_pa, context_id);
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

s64 psci_system_reset(void)
{
	return psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}

void kserv_poweroff(void)
{
	psci_system_off();
	kprintf("kserv: PSCI SYSTEM_OFF failed (conduit %s); stopping cpu %u\n",
		psci_conduit_name(), read_cpu_index());
	for (;;)
		wfi();
}
