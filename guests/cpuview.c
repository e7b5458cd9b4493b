/* SPDX-License-Identifier: MIT */
/*
 * cpuview: what a guest sees of the CPU. kcore answers its ID register reads
 * with the features it does not switch between worlds hidden (SVE, SME, the
 * PMU), answers debug and PMU register accesses as RAZ/WI (an armed
 * breakpoint or a counter must not reach the host or another VM), and gives
 * the guest its own pointer-authentication keys. Each is checked here.
 */
#include <kcore/abi.h>

#include "lib/guest.h"

const char guest_name[] = "cpuview";

#define FIELD(v, shift) (((v) >> (shift)) & 0xfull)

#define mrs(reg)                                              \
	({                                                    \
		u64 v_;                                       \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
		v_;                                           \
	})
#define msr(reg, v) __asm__ volatile("msr " #reg ", %0; isb" ::"r"((u64)(v)))

static u32 failures;

static void check(bool ok, const char *what, u64 seen)
{
	if (ok) {
		say("%s: ok (0x%lx)", what, seen);
	} else {
		say("FAIL %s: 0x%lx", what, seen);
		failures++;
	}
}

void guest_main(u64 dtb)
{
	u64 pfr0 = mrs(S3_0_C0_C4_0), pfr1 = mrs(S3_0_C0_C4_1), dfr0 = mrs(S3_0_C0_C5_0);
	u64 isar1 = mrs(S3_0_C0_C6_1), mmfr0 = mrs(S3_0_C0_C7_0);

	(void)dtb;
	check(FIELD(pfr0, 32) == 0, "ID_AA64PFR0_EL1.SVE hidden", pfr0);
	check(FIELD(pfr1, 24) == 0 && FIELD(pfr1, 8) == 0, "ID_AA64PFR1_EL1.SME and MTE hidden",
	      pfr1);
	check(FIELD(dfr0, 8) == 0 && FIELD(dfr0, 12) >= 1, "ID_AA64DFR0_EL1: no PMU, breakpoints",
	      dfr0);
	check(mrs(S3_0_C0_C4_4) == 0, "ID_AA64ZFR0_EL1 zero", mrs(S3_0_C0_C4_4));
	/* The real values come through where nothing is hidden: 4 KiB granule, some PA range. */
	check(FIELD(mmfr0, 28) != 0xf && FIELD(mmfr0, 0) != 0, "ID_AA64MMFR0_EL1 passed through",
	      mmfr0);

	/* Debug and PMU registers: RAZ/WI. */
	msr(S2_0_C0_C0_4, 0x80001000ull); /* DBGBVR0_EL1 */
	msr(S2_0_C0_C0_5, 0x1e7ull);	  /* DBGBCR0_EL1: enabled at EL1 and EL0 */
	check(mrs(S2_0_C0_C0_4) == 0 && mrs(S2_0_C0_C0_5) == 0,
	      "a breakpoint written to DBGBVR0/DBGBCR0 reads back as zero", mrs(S2_0_C0_C0_5));
	msr(S3_3_C9_C12_0, 0x1ull); /* PMCR_EL0.E */
	check(mrs(S3_3_C9_C12_0) == 0, "PMCR_EL0 reads as zero (no counters)", mrs(S3_3_C9_C12_0));
	check(mrs(S3_3_C9_C13_0) == 0, "PMCCNTR_EL0 reads as zero", mrs(S3_3_C9_C13_0));

	/* Pointer authentication, when the CPU has it: the keys are the guest's own. */
	if (FIELD(isar1, 4) != 0 || FIELD(isar1, 8) != 0) {
		/* A fresh vCPU's keys are zero: never the host's or another VM's. */
		check(mrs(S3_0_C2_C1_0) == 0, "APIAKeyLo_EL1 starts at zero", mrs(S3_0_C2_C1_0));
		msr(S3_0_C2_C1_0, 0x0123456789abcdefull); /* APIAKeyLo_EL1 */
		check(mrs(S3_0_C2_C1_0) == 0x0123456789abcdefull, "APIAKeyLo_EL1 is the guest's",
		      mrs(S3_0_C2_C1_0));
	} else {
		say("no pointer authentication on this CPU");
	}
	/*
	 * SVE, even enabled at EL1 (CPACR_EL1.ZEN): kcore does not switch the
	 * upper halves of the Z registers, so it must trap every SVE instruction.
	 */
	{
		u64 cpacr = mrs(CPACR_EL1), vl = 0;

		msr(CPACR_EL1, cpacr | (3ull << 16));
		probe_set_quiet(true);
		check(!probe_sve(&vl), "an SVE instruction is undefined (CPTR_EL2.TZ)", vl);
		probe_set_quiet(false);
		msr(CPACR_EL1, cpacr);
	}
	if (failures == 0)
		say("PASS");
}
