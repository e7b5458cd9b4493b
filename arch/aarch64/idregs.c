/* SPDX-License-Identifier: MIT */
#include "idregs.h"

#include "sysreg.h"

/* The trap's ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] read[0]. */
#define ISS_OP0(iss)  (((iss) >> 20) & 3u)
#define ISS_OP2(iss)  (((iss) >> 17) & 7u)
#define ISS_OP1(iss)  (((iss) >> 14) & 7u)
#define ISS_CRN(iss)  (((iss) >> 10) & 0xfu)
#define ISS_CRM(iss)  (((iss) >> 1) & 0xfu)
#define ISS_READ(iss) ((iss)&1u)

#define FIELD(shift) (0xfull << (shift))

/*
 * ID_AA64DFR0_EL1, what is hidden (docs/guests.md, "Hidden on purpose"):
 * TraceVer [7:4] (the trace unit: CPTR_EL2.TTA), PMUVer [11:8] (no PMU:
 * dbgpmu.h), PMSVer [35:32] (no SPE: MDCR_EL2.TPMS), TraceFilt [43:40]
 * (MDCR_EL2.TTRF), TraceBuffer [47:44] (no TRBE: MDCR_EL2.E2TB 0 traps it),
 * MTPMU [51:48], BRBE [55:52]. The breakpoint and watchpoint counts and the
 * debug architecture version pass through (debug.c switches them).
 */
#define DFR0_HIDDEN \
	(FIELD(4) | FIELD(8) | FIELD(32) | FIELD(40) | FIELD(44) | FIELD(48) | FIELD(52))
/* ID_DFR0_EL1 (AArch32 view): PerfMon [27:24]. */
#define DFR0_32_HIDDEN FIELD(24)

/* ID_AA64PFR0_EL1: SVE [35:32], MPAM [43:40], AMU [47:44]. */
#define PFR0_HIDDEN	     (FIELD(32) | FIELD(40) | FIELD(44))
/* ID_AA64PFR1_EL1: MTE [11:8], MPAM_frac [19:16], SME [27:24]. */
#define PFR1_HIDDEN	     (FIELD(8) | FIELD(16) | FIELD(24))
/*
 * SCXTNUM_EL0/EL1 exist with FEAT_CSV2_2 (ID_AA64PFR0_EL1.CSV2 [59:56] = 2)
 * or FEAT_CSV2_1p2 (CSV2 1, ID_AA64PFR1_EL1.CSV2_frac [35:32] = 2). kcore
 * leaves HCR_EL2.EnSCXT clear, so they trap and are undefined for a guest:
 * it is told CSV2 1 with CSV2_frac at most 1 (the branch-prediction
 * guarantees CSV2 stands for still hold; only the registers are hidden).
 */
#define PFR0_CSV2_SHIFT	     56
#define PFR1_CSV2_FRAC_SHIFT 32
/* ID_AA64MMFR1_EL1: LO [19:16] (LORegions: their registers trap, HCR_EL2.TLOR). */
#define MMFR1_HIDDEN	     FIELD(16)

/* ID_AA64ISAR1_EL1: APA [7:4], API [11:8], GPA [27:24], GPI [31:28]; ISAR2: GPA3, APA3. */
#define ISAR1_PAUTH (FIELD(4) | FIELD(8) | FIELD(24) | FIELD(28))
#define ISAR2_PAUTH (FIELD(8) | FIELD(12))

/* MRS of S3_0_C0_C<crm>_<op2>: the encodings are fixed, so one case each. */
#define ID_CASE(crm, op2)     \
	case (crm)*8 + (op2): \
		return read_sysreg(S3_0_C0_C##crm##_##op2)
#define ID_ROW(crm)      \
	ID_CASE(crm, 0); \
	ID_CASE(crm, 1); \
	ID_CASE(crm, 2); \
	ID_CASE(crm, 3); \
	ID_CASE(crm, 4); \
	ID_CASE(crm, 5); \
	ID_CASE(crm, 6); \
	ID_CASE(crm, 7)

/* The real register (reserved encodings of this space read as zero). */
static u64 read_id(u32 crm, u32 op2)
{
	switch (crm * 8 + op2) {
		ID_ROW(1);
		ID_ROW(2);
		ID_ROW(3);
		ID_ROW(4);
		ID_ROW(5);
		ID_ROW(6);
		ID_ROW(7);
	default:
		return 0;
	}
}

bool idregs_cpu_has_pauth(void)
{
	return (read_id(6, 1) & ISAR1_PAUTH) != 0 || (read_id(6, 2) & ISAR2_PAUTH) != 0;
}

/* v with its unsigned 4-bit field at shift lowered to at most max. */
static u64 cap_field(u64 v, u32 shift, u64 max)
{
	if (((v >> shift) & 0xf) <= max)
		return v;
	return (v & ~FIELD(shift)) | (max << shift);
}

bool idregs_emulate(u64 esr, u64 *value)
{
	u32 iss = (u32)(esr & 0x1ffffffu);
	u32 crm = ISS_CRM(iss), op2 = ISS_OP2(iss);

	if (ESR_EC(esr) != EC_SYSREG || !ISS_READ(iss) || ISS_OP0(iss) != 3 || ISS_OP1(iss) != 0 ||
	    ISS_CRN(iss) != 0 || crm < 1 || crm > 7)
		return false;
	*value = read_id(crm, op2);
	if (crm == 4 && op2 == 0)
		*value = cap_field(*value & ~PFR0_HIDDEN, PFR0_CSV2_SHIFT, 1);
	else if (crm == 4 && op2 == 1)
		*value = cap_field(*value & ~PFR1_HIDDEN, PFR1_CSV2_FRAC_SHIFT, 1);
	else if (crm == 7 && op2 == 1)
		*value &= ~MMFR1_HIDDEN;
	else if (crm == 5 && op2 == 0)
		*value &= ~DFR0_HIDDEN;
	else if (crm == 1 && op2 == 2)
		*value &= ~DFR0_32_HIDDEN;
	else if (crm == 4 && (op2 == 4 || op2 == 5))
		*value = 0; /* ID_AA64ZFR0_EL1, ID_AA64SMFR0_EL1: no SVE, no SME */
	return true;
}
