/* SPDX-License-Identifier: MIT */
#include "dbgpmu.h"

#include "sysreg.h"

/* The trap's ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] read[0]. */
#define ISS_OP0(iss) (((iss) >> 20) & 3u)
#define ISS_OP1(iss) (((iss) >> 14) & 7u)
#define ISS_CRN(iss) (((iss) >> 10) & 0xfu)
#define ISS_CRM(iss) (((iss) >> 1) & 0xfu)
#define ISS_OP2(iss) (((iss) >> 17) & 7u)

/* ACTLR_EL1: op0 3, op1 0, CRn 1, CRm 0, op2 1. */
static bool is_actlr(u32 iss)
{
	return ISS_OP0(iss) == 3 && ISS_OP1(iss) == 0 && ISS_CRN(iss) == 1 && ISS_CRM(iss) == 0 &&
	       ISS_OP2(iss) == 1;
}

/* ERRIDR_EL1, ERRSELR_EL1, ERX*_EL1: op0 3, op1 0, CRn 5, CRm 3..5. */
static bool is_err_record(u32 iss)
{
	return ISS_OP0(iss) == 3 && ISS_OP1(iss) == 0 && ISS_CRN(iss) == 5 && ISS_CRM(iss) >= 3 &&
	       ISS_CRM(iss) <= 5;
}

bool dbgpmu_emulate(u64 esr, u64 *value)
{
	u32 iss = (u32)(esr & 0x1ffffffu);

	if (ESR_EC(esr) != EC_SYSREG)
		return false;
	if (!is_actlr(iss) && !is_err_record(iss))
		return false; /* a PMU register among them: undefined (the core's answer) */
	*value = 0;
	return true;
}
