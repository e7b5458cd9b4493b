/* SPDX-License-Identifier: MIT */
/*
 * cpuview: what a guest sees of the CPU. kcore answers its ID register reads
 * with the features it does not give guests hidden (docs/guests.md, "Hidden
 * on purpose"), and each hidden feature is hidden consistently: its ID field
 * says absent, the DT the host writes has no node for it, and an access to
 * its registers or instructions is undefined, never a half-working view.
 * What a guest does get is checked too: its own debug registers (they read
 * back what it wrote) and its own pointer-authentication keys.
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

/* One read of a register, for probe_undef: refused (undefined) or not. */
#define RD(name, reg)                                         \
	static void rd_##name(u64 *v)                         \
	{                                                     \
		__asm__ volatile("mrs %0, " #reg : "=r"(*v)); \
	}
RD(pmcr, S3_3_C9_C12_0)	      /* PMCR_EL0 */
RD(pmccntr, S3_3_C9_C13_0)    /* PMCCNTR_EL0 */
RD(pmuserenr, S3_3_C9_C14_0)  /* PMUSERENR_EL0 */
RD(pmintenset, S3_0_C9_C14_1) /* PMINTENSET_EL1 */
RD(zcr, S3_0_C1_C2_0)	      /* ZCR_EL1 (SVE) */
RD(smcr, S3_0_C1_C2_6)	      /* SMCR_EL1 (SME) */
RD(gcr, S3_0_C1_C0_6)	      /* GCR_EL1 (MTE) */
RD(tfsr, S3_0_C5_C6_0)	      /* TFSR_EL1 (MTE) */
RD(amcr, S3_3_C13_C2_0)	      /* AMCR_EL0 (AMU) */
RD(pmsidr, S3_0_C9_C9_7)      /* PMSIDR_EL1 (SPE) */
RD(trbidr, S3_0_C9_C11_7)     /* TRBIDR_EL1 (TRBE) */
RD(trcidr0, S2_1_C0_C8_7)     /* TRCIDR0 (the trace unit) */
RD(trfcr, S3_0_C1_C2_1)	      /* TRFCR_EL1 (trace filtering) */
RD(mpam1, S3_0_C10_C5_0)      /* MPAM1_EL1 (MPAM) */

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

/* Whether reading through fn is undefined (quietly). */
static bool undefined(void (*fn)(u64 *))
{
	u64 v = 0;
	bool ran;

	probe_set_quiet(true);
	ran = probe_undef(fn, &v);
	probe_set_quiet(false);
	return !ran;
}

/*
 * A hidden feature: its ID field(s) zero, no DT node whose compatible
 * contains dt (NULL: none to look for), and each register read undefined.
 */
static void hidden(const char *name, u64 id_fields, u64 dtb, const char *dt,
		   void (*const *regs)(u64 *), u32 nregs)
{
	u32 undef = 0;

	for (u32 i = 0; i < nregs; i++)
		undef += undefined(regs[i]) ? 1 : 0;
	say("%s hidden: ID fields 0x%lx, DT nodes %u, %u of %u registers undefined", name,
	    id_fields, dt != NULL ? fdt_count_compatible(dtb, dt) : 0, undef, nregs);
	check(id_fields == 0, name, id_fields);
	if (dt != NULL)
		check(fdt_count_compatible(dtb, dt) == 0, "  no DT node", 0);
	check(undef == nregs, "  its registers undefined", undef);
}

void guest_main(u64 dtb)
{
	u64 pfr0 = mrs(S3_0_C0_C4_0), pfr1 = mrs(S3_0_C0_C4_1), dfr0 = mrs(S3_0_C0_C5_0);
	u64 isar1 = mrs(S3_0_C0_C6_1), mmfr0 = mrs(S3_0_C0_C7_0);
	static void (*const pmu[])(u64 *) = {rd_pmcr, rd_pmccntr, rd_pmuserenr, rd_pmintenset};
	static void (*const sve[])(u64 *) = {rd_zcr};
	static void (*const sme[])(u64 *) = {rd_smcr};
	static void (*const mte[])(u64 *) = {rd_gcr, rd_tfsr};
	static void (*const amu[])(u64 *) = {rd_amcr};
	static void (*const spe[])(u64 *) = {rd_pmsidr};
	static void (*const trbe[])(u64 *) = {rd_trbidr};
	static void (*const trace[])(u64 *) = {rd_trcidr0, rd_trfcr};
	static void (*const mpam[])(u64 *) = {rd_mpam1};

	check(fdt_valid(dtb), "the host passed a DTB", dtb);
	check(fdt_count_compatible(dtb, "arm,gic-v3") >= 1,
	      "the DT search finds what is there (the GIC)", 0);

	/* Hidden on purpose (docs/guests.md): ID register, DT and traps agree. */
	hidden("PMU (ID_AA64DFR0_EL1.PMUVer, MTPMU)", (dfr0 >> 8 & 0xf) | (dfr0 >> 48 & 0xf), dtb,
	       "pmu", pmu, 4);
	hidden("SVE (ID_AA64PFR0_EL1.SVE, ID_AA64ZFR0_EL1)", FIELD(pfr0, 32) | mrs(S3_0_C0_C4_4),
	       dtb, NULL, sve, 1);
	hidden("SME (ID_AA64PFR1_EL1.SME, ID_AA64SMFR0_EL1)", FIELD(pfr1, 24) | mrs(S3_0_C0_C4_5),
	       dtb, NULL, sme, 1);
	hidden("MTE (ID_AA64PFR1_EL1.MTE)", FIELD(pfr1, 8), dtb, NULL, mte, 2);
	hidden("AMU (ID_AA64PFR0_EL1.AMU)", FIELD(pfr0, 44), dtb, NULL, amu, 1);
	hidden("SPE (ID_AA64DFR0_EL1.PMSVer)", FIELD(dfr0, 32), dtb, "statistical-profiling", spe,
	       1);
	hidden("TRBE (ID_AA64DFR0_EL1.TraceBuffer)", FIELD(dfr0, 44), dtb, "trbe", trbe, 1);
	hidden("trace (ID_AA64DFR0_EL1.TraceVer, TraceFilt)", FIELD(dfr0, 4) | FIELD(dfr0, 40), dtb,
	       "coresight", trace, 2);
	hidden("MPAM (ID_AA64PFR0_EL1.MPAM, ID_AA64PFR1_EL1.MPAM_frac)",
	       FIELD(pfr0, 40) | FIELD(pfr1, 16), dtb, NULL, mpam, 1);
	check(FIELD(dfr0, 52) == 0, "BRBE hidden (ID_AA64DFR0_EL1.BRBE)", dfr0);
	check(fdt_count_compatible(dtb, "gic-v3-its") == 0 &&
		  (*(volatile u32 *)(uintptr_t)0x08000004ull & (1u << 17)) == 0,
	      "no ITS: none in the DT, GICD_TYPER.LPIS 0", 0);
	check(fdt_count_compatible(dtb, "pci") == 0, "no PCI host bridge in the DT", 0);

	/* The real values come through where nothing is hidden: 4 KiB granule, some PA range. */
	check(FIELD(mmfr0, 28) != 0xf && FIELD(mmfr0, 0) != 0, "ID_AA64MMFR0_EL1 passed through",
	      mmfr0);
	check(FIELD(dfr0, 12) >= 1 && FIELD(dfr0, 0) >= 6,
	      "ID_AA64DFR0_EL1: breakpoints and the debug architecture passed through", dfr0);

	/* Debug registers: the guest's own (guests/debug.c checks them in use). */
	msr(S2_0_C0_C0_4, 0x80001000ull); /* DBGBVR0_EL1 */
	msr(S2_0_C0_C0_5, 0x1e6ull);	  /* DBGBCR0_EL1: EL1 and EL0, not enabled */
	check(mrs(S2_0_C0_C0_4) == 0x80001000ull && (mrs(S2_0_C0_C0_5) & 0x1e7) == 0x1e6,
	      "a breakpoint written to DBGBVR0/DBGBCR0 reads back", mrs(S2_0_C0_C0_4));
	msr(S2_0_C0_C0_5, 0);

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
