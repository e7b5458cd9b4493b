/* SPDX-License-Identifier: MIT */
#include "el2ctl.h"

#include "asm.h"
#include "core/arch.h"
#include "dbgpmu.h"
#include "debug.h"
#include "idregs.h"
#include "sysreg.h"

struct el2ctl el2ctl;

_Static_assert(CPTR_EL2_HOST_VALUE == CPTR_HOST, "head.S and sysreg.h agree on CPTR_EL2");

#define FIELD(v, shift) (((v) >> (shift)) & 0xfull)

void el2ctl_probe(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1), mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	u64 mmfr2 = read_sysreg(id_aa64mmfr2_el1), mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	struct el2ctl c = {
	    .hcr_host = HCR_HOST,
	    .hcr_guest = HCR_GUEST,
	    .cptr_guest = CPTR_GUEST,
	    .mdcr_guest = MDCR_GUEST,
	    .mdcr_host = MDCR_HOST,
	};

	c.pauth = idregs_cpu_has_pauth() ? PAUTH_GUEST : 0;
	if (c.pauth != 0)
		c.hcr_guest |= HCR_API | HCR_APK;
	c.tpidr2 = FIELD(pfr1, 24) != 0; /* ID_AA64PFR1_EL1.SME */
	/* ID_AA64PFR0_EL1.RAS: error records trap (answered RAZ/WI), DISR is VDISR_EL2. */
	if (FIELD(pfr0, 28) != 0) {
		c.vdisr = true;
		c.hcr_guest |= HCR_TERR;
	}
	if (FIELD(mmfr1, 16) != 0) /* ID_AA64MMFR1_EL1.LO: LORegions, hidden from guests */
		c.hcr_guest |= HCR_TLOR;
	c.hcx = FIELD(mmfr1, 40) != 0; /* ID_AA64MMFR1_EL1.HCX */
	if (FIELD(pfr0, 44) != 0)      /* ID_AA64PFR0_EL1.AMU */
		c.cptr_guest |= CPTR_EL2_TAM;
	if (FIELD(dfr0, 32) != 0) /* ID_AA64DFR0_EL1.PMSVer: SPE */
		c.mdcr_guest |= MDCR_TPMS;
	/* Self-hosted debug (debug.c): the CPU's breakpoints and watchpoints. */
	c.nbrp = (u32)FIELD(dfr0, 12) + 1;
	c.nwrp = (u32)FIELD(dfr0, 20) + 1;
	c.trf = FIELD(dfr0, 40) != 0; /* ID_AA64DFR0_EL1.TraceFilt */
	if (c.trf) {
		c.mdcr_guest |= MDCR_TTRF;
		c.mdcr_host |= MDCR_TTRF;
	}
	/*
	 * ID_AA64MMFR2_EL1.FWB: every Normal stage-2 leaf of the host's and the
	 * VMs' tables forces Write-Back, so no world touches RAM uncached and
	 * no page changes hands behind a stale or dirty cache line (donations
	 * need no cleaning, arch_dcache_hand_over).
	 */
	c.fwb = FIELD(mmfr2, 40) != 0;
	if (c.fwb) {
		c.hcr_host |= HCR_FWB;
		c.hcr_guest |= HCR_FWB;
		desc_s2_force_write_back();
	}
	/*
	 * Once a vCPU's debug state is active its debug registers no longer
	 * trap (TDA clear); the DCC's still do where FEAT_FGT has MDCR_EL2.TDCC
	 * (ID_AA64MMFR0_EL1.FGT).
	 */
	c.mdcr_guest_run = (c.mdcr_host & MDCR_HPMN_MASK) | c.mdcr_guest;
	c.mdcr_guest_debug = c.mdcr_guest_run & ~MDCR_TDA;
	if (FIELD(mmfr0, 56) != 0)
		c.mdcr_guest_debug |= MDCR_TDCC;
	el2ctl = c;
}

void el2ctl_host_pauth(void)
{
	if (el2ctl.pauth == 0)
		return;
	el2ctl.pauth |= PAUTH_HOST;
	el2ctl.hcr_host |= HCR_API | HCR_APK;
}

void el2ctl_init_cpu(void)
{
	/*
	 * HCRX_EL2 resets to an UNKNOWN value, and its bits enable features
	 * (TCR2_EL1, SCTLR2_EL1, FPMR, LS64, ...) whose registers kcore does
	 * not switch: all off, for the host and every guest.
	 */
	if (el2ctl.hcx)
		write_sysreg(S3_4_C1_C2_2, 0); /* HCRX_EL2 */
	/*
	 * Trace filtering: nothing is traced at EL2 (TRFCR_EL2.E2TRE clear), at
	 * EL1 or EL0 (TRFCR_EL1 clear, and MDCR_EL2.TTRF traps every later
	 * access to it from the host and guests alike).
	 */
	if (el2ctl.trf) {
		write_sysreg(S3_4_C1_C2_1, 0); /* TRFCR_EL2 */
		write_sysreg(S3_0_C1_C2_1, 0); /* TRFCR_EL1 */
	}
	isb();
}
