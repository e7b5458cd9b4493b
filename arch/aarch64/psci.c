/* SPDX-License-Identifier: MIT */
/*
 * The host's PSCI calls. kcore must run first on every CPU, so CPU_ON is
 * intercepted: the CPU is started at kcore's secondary entry, set up at EL2,
 * and only then enters the host's entry point at EL1. CPU_SUSPEND would wake
 * the CPU straight into the host, past kcore, so it is refused. SYSTEM_OFF,
 * SYSTEM_RESET and SYSTEM_RESET2 reach the firmware only after every other
 * CPU is parked and everything not the host's is zeroed (reset.c);
 * MEM_PROTECT is kcore's alone. The rest is harmless and goes to the
 * firmware as it is.
 *
 * kcore answers the SMCCC Arm Architecture Service itself (a Linux host
 * asks at boot: docs/linux-host.md): SMCCC 1.1, whose ARCH_FEATURES
 * knows only the two mandatory calls. The workarounds (Spectre v2, v4,
 * BHB) and SOC_ID are NOT_SUPPORTED, as on QEMU's firmware-less virt
 * machine: no firmware mitigation exists for kcore to offer, and a CPU that
 * needs one has its own (CSV2, SSBS, ECBHB) or is reported vulnerable by the
 * host. The PSCI_FEATURES query of SMCCC_VERSION says it exists.
 */
#include "psci.h"

#include "core/lib/log.h"
#include "reset.h"

extern char secondary_entry[];

u64 firmware_call(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	return x0;
}

bool is_psci_or_smccc_call(u64 fn)
{
	return PSCI_IS_FN(fn) || SMCCC_IS_ARCH_FN(fn);
}

static s64 smccc_arch_call(u64 fn, u64 a1)
{
	switch (fn) {
	case SMCCC_VERSION:
		return SMCCC_VERSION_1_1;
	case SMCCC_ARCH_FEATURES:
		return a1 == SMCCC_VERSION || a1 == SMCCC_ARCH_FEATURES ? 0 : SMCCC_NOT_SUPPORTED;
	default:
		/* The workarounds, SOC_ID, anything later. */
		return SMCCC_NOT_SUPPORTED;
	}
}

/*
 * Refused, and FEATURES says so: CPU_SUSPEND and SYSTEM_SUSPEND (they
 * would resume the host past kcore, as above), and MEM_PROTECT: it
 * is kcore's (reset.c enables it where the firmware has it), and a host
 * that could turn it off would turn off the firmware's scrub.
 */
static bool refused(u64 fn)
{
	return fn == PSCI_CPU_SUSPEND_32 || fn == PSCI_CPU_SUSPEND_64 ||
	       fn == PSCI_SYSTEM_SUSPEND_32 || fn == PSCI_SYSTEM_SUSPEND_64 ||
	       fn == PSCI_MEM_PROTECT || fn == PSCI_MEM_PROTECT_RANGE_32 ||
	       fn == PSCI_MEM_PROTECT_RANGE_64;
}

static struct cpu *cpu_by_mpidr(u64 mpidr)
{
	for (u32 i = 0; i < nr_cpus; i++) {
		if (cpus[i].present && cpus[i].mpidr == (mpidr & 0xff00ffffffull))
			return &cpus[i];
	}
	return NULL;
}

static s64 cpu_on(u64 mpidr, u64 entry, u64 ctx)
{
	struct cpu *c = cpu_by_mpidr(mpidr);
	s64 ret;

	if (c == NULL || (entry & 3) != 0)
		return PSCI_E_INVALID_PARAMS;
	if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		return PSCI_E_ALREADY_ON;
	c->host_entry = entry;
	c->host_ctx = ctx;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ret =
	    (s64)firmware_call(PSCI_CPU_ON_64, c->mpidr, (u64)(uintptr_t)secondary_entry, c->index);
	return ret;
}

void psci_host_call(struct trap_frame *f)
{
	u64 fn = f->x[0];
	s64 ret;

	if (SMCCC_IS_ARCH_FN(fn)) {
		f->x[0] = (u64)smccc_arch_call(fn, f->x[1]);
		f->x[1] = f->x[2] = f->x[3] = 0;
		return;
	}
	switch (fn) {
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		ret = cpu_on(f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		ret = PSCI_E_NOT_SUPPORTED;
		break;
	case PSCI_FEATURES:
		if (refused(f->x[1])) {
			ret = PSCI_E_NOT_SUPPORTED;
			break;
		}
		if (f->x[1] == SMCCC_VERSION) {
			ret = PSCI_SUCCESS; /* kcore's own: smccc_arch_call */
			break;
		}
		ret = (s64)firmware_call(fn, f->x[1], 0, 0);
		break;
	case PSCI_CPU_OFF:
		__atomic_store_n(&this_cpu()->online, false, __ATOMIC_RELEASE);
		ret = (s64)firmware_call(fn, 0, 0, 0);
		__atomic_store_n(&this_cpu()->online, true, __ATOMIC_RELEASE);
		break;
	case PSCI_VERSION:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
		ret = (s64)firmware_call(fn, f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		reset_scrub_and_call((u32)fn, 0, 0);
	case PSCI_SYSTEM_RESET2_32:
	case PSCI_SYSTEM_RESET2_64:
		/* Only a reset the firmware will do is worth destroying kcore's state for. */
		ret = (s64)firmware_call(PSCI_FEATURES, fn, 0, 0);
		if (ret < 0)
			break;
		reset_scrub_and_call((u32)fn, f->x[1], f->x[2]);
	default:
		ret = PSCI_E_NOT_SUPPORTED;
		break;
	}
	f->x[0] = (u64)ret;
	f->x[1] = f->x[2] = f->x[3] = 0;
}
