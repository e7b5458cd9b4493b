// SPDX-License-Identifier: MIT
/*
 * VMSAv8-64 descriptors, 4 KiB granule, 48-bit output addresses, decoded as
 * the MMU does, for the two formats kcore writes: the stage-2 format (host and
 * VMs) and the stage-1 format of the EL2 regime without VHE. Written from the
 * Arm ARM, not from the core, so that an encoding mistake in the core shows up
 * as a disagreement. Reserved encodings and set RES0 bits are reported as
 * malformed rather than accepted, except where the Arm ARM says the PE
 * ignores them (those are ignored here too).
 */
#include "arch/sim/sim_internal.h"

#define BIT64(n) (1ull << (n))

/* bits[1:0]: valid, and table/page (1) versus block (0). */
#define D_VALID BIT64(0)
#define D_TYPE	BIT64(1)

/* Next-level table or output address: bits[47:12] (no FEAT_LPA/LPA2). */
#define D_ADDR SIM_BITS(47, 12)

/* Table descriptors: bits[51:48] are the (absent) upper address bits. */
#define T_ADDR_HI	SIM_BITS(51, 48)
/* Stage-2 table descriptors: no hierarchical attributes, bits[63:59] RES0. */
#define T_S2_RES0	SIM_BITS(63, 59)
/* Stage-1 table descriptors of the EL2 regime: APTable[1] and XNTable. */
#define T_S1_APTABLE_RO BIT64(62)
#define T_S1_XNTABLE	BIT64(60)
/*
 * NSTable (63) is ignored in Non-secure state; APTable[0] (61) and PXNTable
 * (59) are RES0 and ignored in a regime with one privilege level (EL2 without
 * VHE): treated as 0, as the PE does.
 */

/* Leaf (block or page) fields common to both formats. */
#define L_ATTR_SHIFT 2u /* stage-2 MemAttr[3:0] (5:2); stage-1 AttrIndx[2:0] (4:2) */
#define L_AP_SHIFT   6u /* stage-2 S2AP[1:0]; stage-1 AP[2:1] */
#define L_SH_SHIFT   8u
#define L_AF	     BIT64(10)
#define L_ADDR_HI    SIM_BITS(49, 48) /* 51 is DBM, 50 GP: attributes, not address */
#define L_CONTIG     BIT64(52)
#define L_S2_XN	     SIM_BITS(54, 53) /* XN[1:0] with FEAT_XNX; bit 54 alone without */
#define L_S1_AP2_RO  BIT64(7)	      /* AP[1] (bit 6) is RES1 and ignored at EL2 */
#define L_S1_XN	     BIT64(54)	      /* PXN (53) is RES0 and ignored at EL2 */
#define L_SOFTWARE   SIM_BITS(58, 55)

#define SH_RESERVED 1u /* SH = 0b01 is a reserved encoding */

/* A contiguous range is 16 adjacent entries with the 4 KiB granule. */
#define CONTIG_ENTRIES 16u

static enum sim_desc_kind fault(struct sim_xlate *out, enum sim_xlate_status status,
				const char *why)
{
	out->status = status;
	out->why = why;
	return SIM_DESC_FAULT;
}

static enum sim_desc_kind decode_table(enum sim_stage stage, u64 desc, struct sim_hier *hier,
				       paddr_t *next, struct sim_xlate *out)
{
	if (stage == SIM_STAGE2 && (desc & T_S2_RES0))
		return fault(out, SIM_XLATE_MALFORMED,
			     "stage-2 table descriptor with RES0 bits[63:59] set");
	if (desc & T_ADDR_HI)
		return fault(out, SIM_XLATE_ADDR_SIZE_FAULT,
			     "table address above the 48-bit PA space (bits[51:48])");
	if (stage == SIM_EL2_STAGE1) {
		hier->read_only = hier->read_only || (desc & T_S1_APTABLE_RO);
		hier->no_exec = hier->no_exec || (desc & T_S1_XNTABLE);
	}
	*next = pa_init(desc & D_ADDR);
	return SIM_DESC_TABLE;
}

/*
 * With the contiguous hint the TLB may cache the 16 aligned entries as one, so
 * the architecture requires them to be alike but for the output address, which
 * must be contiguous and aligned to the whole range. Anything else is a
 * misprogramming that hardware would punish unpredictably.
 */
static bool contig_group_consistent(u64 desc, paddr_t desc_pa, u64 size)
{
	u64 group_bytes = CONTIG_ENTRIES * sizeof(u64);
	paddr_t first = pa_init(pa_addr(desc_pa) & ~(group_bytes - 1));
	u64 same_mask = ~(D_ADDR | L_SOFTWARE);
	u64 base;

	if (!sim_read_desc(first, 0, &base))
		return false;
	if (!is_aligned(base & D_ADDR, CONTIG_ENTRIES * size) ||
	    (base & same_mask) != (desc & same_mask))
		return false;
	for (u64 i = 1; i < CONTIG_ENTRIES; i++) {
		u64 d;

		if (!sim_read_desc(first, i, &d))
			return false;
		if ((d & same_mask) != (base & same_mask) ||
		    (d & D_ADDR) != (base & D_ADDR) + i * size)
			return false;
	}
	return true;
}

static void decode_s2_attrs(u64 desc, struct sim_xlate *out)
{
	u32 s2ap = (u32)(desc >> L_AP_SHIFT) & 3u;

	out->attr = (u8)((desc >> L_ATTR_SHIFT) & 0xfu);
	/* MemAttr[3:2] == 0b00: Device, [1:0] its type; otherwise Normal, outer:inner. */
	out->device = (out->attr >> 2) == 0;
	/* S2AP: 00 none, 01 read-only, 10 write-only, 11 read/write. */
	out->readable = (s2ap & 1u) != 0;
	out->writable = (s2ap & 2u) != 0;
	/* Any non-zero XN[1:0] forbids execution at some EL: count it as no-execute. */
	out->executable = (desc & L_S2_XN) == 0;
}

static void decode_s1_attrs(u64 desc, const struct sim_hier *hier, struct sim_xlate *out)
{
	out->attr = (u8)((desc >> L_ATTR_SHIFT) & 7u);
	out->device = false;
	/* EL2 always has read access; AP[2] or an APTable[1] above take write away. */
	out->readable = true;
	out->writable = !(desc & L_S1_AP2_RO) && !hier->read_only;
	out->executable = !(desc & L_S1_XN) && !hier->no_exec;
}

static enum sim_desc_kind decode_leaf(enum sim_stage stage, u64 desc, paddr_t desc_pa, u32 level,
				      const struct sim_hier *hier, struct sim_xlate *out)
{
	u64 size = 1ull << sim_level_shift(level);

	out->leaf_size = size;
	out->pa = pa_init(desc & D_ADDR & ~(size - 1));
	out->sh = (u8)((desc >> L_SH_SHIFT) & 3u);
	if (stage == SIM_STAGE2)
		decode_s2_attrs(desc, out);
	else
		decode_s1_attrs(desc, hier, out);

	if (desc & D_ADDR & (size - 1))
		return fault(out, SIM_XLATE_MALFORMED,
			     "block output address not aligned to the block size");
	if (stage == SIM_STAGE2 && !out->device && (out->attr & 3u) == 0)
		return fault(out, SIM_XLATE_MALFORMED,
			     "stage-2 MemAttr Normal with inner cacheability 0b00 (reserved)");
	if (out->sh == SH_RESERVED)
		return fault(out, SIM_XLATE_MALFORMED, "SH = 0b01 (reserved)");
	if ((desc & L_CONTIG) && !contig_group_consistent(desc, desc_pa, size))
		return fault(out, SIM_XLATE_MALFORMED,
			     "contiguous bit set but the 16-entry group is inconsistent");
	if (desc & L_ADDR_HI)
		return fault(out, SIM_XLATE_ADDR_SIZE_FAULT,
			     "output address above the 48-bit PA space (bits[49:48])");
	/* No FEAT_HAFDBS in the model: software must set AF before first use. */
	if (!(desc & L_AF)) {
		/* Still a leaf: the fault is the access's, the translation is known. */
		out->status = SIM_XLATE_ACCESS_FLAG_FAULT;
		out->why = "access flag clear";
		return SIM_DESC_LEAF;
	}
	out->status = SIM_XLATE_OK;
	out->why = NULL;
	return SIM_DESC_LEAF;
}

enum sim_desc_kind sim_decode_desc(enum sim_stage stage, u64 desc, paddr_t desc_pa, u32 level,
				   struct sim_hier *hier, paddr_t *next, struct sim_xlate *out)
{
	out->level = level;
	out->desc = desc;
	out->desc_pa = desc_pa;

	if (!(desc & D_VALID))
		return fault(out, SIM_XLATE_TRANSLATION_FAULT, "invalid descriptor");
	if (desc & D_TYPE) {
		if (level < SIM_LEVELS - 1)
			return decode_table(stage, desc, hier, next, out);
		return decode_leaf(stage, desc, desc_pa, level, hier, out);
	}
	/* Blocks exist at levels 1 and 2 only; 0b01 elsewhere is reserved (invalid). */
	if (level == 0)
		return fault(out, SIM_XLATE_TRANSLATION_FAULT,
			     "block descriptor at level 0 (reserved encoding)");
	if (level == SIM_LEVELS - 1)
		return fault(out, SIM_XLATE_TRANSLATION_FAULT,
			     "level-3 descriptor with bits[1:0] = 0b01 (reserved encoding)");
	return decode_leaf(stage, desc, desc_pa, level, hier, out);
}
