/* SPDX-License-Identifier: MIT */
#include "pt_desc.h"

#include "core/arch.h"

/* MemAttr of a Normal leaf of the CPU's stage-2 tables (desc_s2_force_write_back). */
static u64 s2_normal = S2_MEMATTR_NORMAL_WB;

void desc_s2_force_write_back(void)
{
	s2_normal = S2_MEMATTR_FWB_NORMAL_WB;
}

static u64 normal_attr(enum pt_regime regime)
{
	return regime == PT_STAGE2 ? s2_normal : S2_MEMATTR_NORMAL_WB;
}

u64 desc_make_leaf(enum pt_regime regime, u32 level, paddr_t pa, u32 prot)
{
	bool device = (prot & PT_PROT_DEVICE) != 0;
	u64 d = pa_addr(pa) | DESC_AF;

	d |= level == 3 ? DESC_TYPE_TABLE_OR_PAGE : DESC_TYPE_BLOCK;
	/* Device memory: shareability is ignored by the architecture; leave it 0. */
	if (!device)
		d |= DESC_SH_INNER;
	if ((prot & PT_PROT_X) == 0)
		d |= DESC_XN;

	/* An SMMUv3 stage-2 (STE.S2TTB) reads the CPU's VMSAv8-64 stage-2 format. */
	if (regime == PT_STAGE2 || regime == PT_IO) {
		d |= device ? S2_MEMATTR_DEVICE_nGnRE : normal_attr(regime);
		if (prot & PT_PROT_R)
			d |= S2AP_R;
		if (prot & PT_PROT_W)
			d |= S2AP_W;
	} else if (regime == PT_IO_S1) {
		/* Stage-1 has no "no access" either: an IO mapping is always readable. */
		d |= device ? S1_ATTRIDX_DEVICE : S1_ATTRIDX_NORMAL;
		d |= S1_AP_ANY_EL | S1_NG;
		if ((prot & PT_PROT_W) == 0)
			d |= S1_AP_RO;
		if ((prot & PT_PROT_X) == 0)
			d |= S1_PXN;
	} else {
		/* EL2 stage-1 has no "no access": every mapping is readable. */
		d |= device ? S1_ATTRIDX_DEVICE : S1_ATTRIDX_NORMAL;
		d |= S1_AP1_RES1;
		if ((prot & PT_PROT_W) == 0)
			d |= S1_AP_RO;
	}
	return d;
}

u32 desc_leaf_prot(enum pt_regime regime, u64 d)
{
	u32 prot = 0;

	if ((d & DESC_XN) == 0)
		prot |= PT_PROT_X;
	if (regime == PT_STAGE2 || regime == PT_IO) {
		if ((d & S2_MEMATTR_MASK) != normal_attr(regime))
			prot |= PT_PROT_DEVICE;
		if (d & S2AP_R)
			prot |= PT_PROT_R;
		if (d & S2AP_W)
			prot |= PT_PROT_W;
	} else {
		if ((d & S1_ATTRIDX_MASK) == S1_ATTRIDX_DEVICE)
			prot |= PT_PROT_DEVICE;
		prot |= PT_PROT_R;
		if ((d & S1_AP_RO) == 0)
			prot |= PT_PROT_W;
	}
	return prot;
}
