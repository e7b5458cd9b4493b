/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 descriptor encodings for the 4 KiB granule (Arm ARM D8.3):
 * what the MMU reads. Kept apart from the walking code so the bit layout is
 * in one place; arch/sim decodes the same bits independently.
 */
#ifndef KCORE_MM_PT_DESC_H
#define KCORE_MM_PT_DESC_H

#include "pgtable.h"

#define DESC_VALID		(1ull << 0)
#define DESC_TABLE		(1ull << 1) /* levels 0..2: table; level 3: page */
#define DESC_TYPE_MASK		3ull
#define DESC_TYPE_BLOCK		1ull
#define DESC_TYPE_TABLE_OR_PAGE 3ull
#define DESC_OA_MASK		0x0000fffffffff000ull /* output address bits [47:12] */

#define DESC_AF	      (1ull << 10)
#define DESC_SH_INNER (3ull << 8)
#define DESC_XN	      (1ull << 54)

/* Stage-2 leaf: MemAttr[5:2], S2AP[7:6]. */
#define S2_MEMATTR_SHIFT	 2
#define S2_MEMATTR_MASK		 (0xfull << S2_MEMATTR_SHIFT)
#define S2_MEMATTR_NORMAL_WB	 (0xfull << S2_MEMATTR_SHIFT)
#define S2_MEMATTR_DEVICE_nGnRE	 (0x1ull << S2_MEMATTR_SHIFT)
/* With HCR_EL2.FWB (FEAT_S2FWB): Normal Write-Back whatever stage 1 says. */
#define S2_MEMATTR_FWB_NORMAL_WB (0x6ull << S2_MEMATTR_SHIFT)
#define S2AP_R			 (1ull << 6)
#define S2AP_W			 (1ull << 7)

/* EL2 stage-1 leaf: AttrIndx[4:2] into MAIR_EL2, AP[2] read-only, AP[1] RES1. */
#define S1_ATTRIDX_SHIFT  2
#define S1_ATTRIDX_MASK	  (7ull << S1_ATTRIDX_SHIFT)
#define S1_ATTRIDX_NORMAL (0ull << S1_ATTRIDX_SHIFT) /* MAIR_EL2 Attr0: Normal WB */
#define S1_ATTRIDX_DEVICE (1ull << S1_ATTRIDX_SHIFT) /* MAIR_EL2 Attr1: Device-nGnRE */
#define S1_AP_RO	  (1ull << 7)
#define S1_AP1_RES1	  (1ull << 6)

/*
 * An SMMU's stage-1 leaf (PT_IO_S1), an EL1&0-style regime: AP[1] grants
 * unprivileged access too (a device's transaction may be either), nG tags the
 * entry with the domain's ASID (a global entry would match every domain's),
 * and both execute-never bits are set. AttrIndx as above: the context
 * descriptor's MAIR is MAIR_EL2's.
 */
#define S1_AP_ANY_EL (1ull << 6)
#define S1_NG	     (1ull << 11)
#define S1_PXN	     (1ull << 53)

static inline bool desc_is_valid(u64 d)
{
	return (d & DESC_VALID) != 0;
}

static inline bool desc_is_table(u64 d, u32 level)
{
	return level < 3 && (d & DESC_TYPE_MASK) == DESC_TYPE_TABLE_OR_PAGE;
}

static inline paddr_t desc_oa(u64 d)
{
	return pa_init(d & DESC_OA_MASK);
}

static inline u64 desc_make_table(paddr_t table)
{
	return pa_addr(table) | DESC_TYPE_TABLE_OR_PAGE;
}

/*
 * desc_s2_force_write_back (the CPU forces Write-Back on stage-2 Normal
 * memory from now on; IO tables, for an SMMU with its own FWB, unchanged)
 * is the arch's to call: declared in core/arch.h.
 */

u64 desc_make_leaf(enum pt_regime regime, u32 level, paddr_t pa, u32 prot);
u32 desc_leaf_prot(enum pt_regime regime, u64 d);

#endif /* KCORE_MM_PT_DESC_H */
