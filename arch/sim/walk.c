// SPDX-License-Identifier: MIT
/*
 * The table walk of one input address: from the root, 9 bits of input address
 * per level, until a leaf or a fault. Tables are read from simulated RAM by
 * physical address, as the MMU's walker does; a table outside RAM is an
 * external abort on the walk (on hardware: whatever the bus makes of it).
 */
#include <string.h>

#include "arch/sim/sim_internal.h"

#define S2_MIN_IPA_BITS 40u /* with a 4 KiB granule, start level 0 needs T0SZ <= 24 */
#define S2_MAX_IPA_BITS 48u

bool sim_read_desc(paddr_t table, u64 index, u64 *desc)
{
	return sim_ram_load_u64(pa_add(table, index * sizeof(u64)), desc);
}

static enum sim_xlate_status stop(struct sim_xlate *out, enum sim_xlate_status status, u32 level,
				  const char *why)
{
	out->status = status;
	out->level = level;
	out->why = why;
	return status;
}

enum sim_xlate_status sim_walk(enum sim_stage stage, paddr_t root, u32 in_bits, u64 in,
			       struct sim_xlate *out)
{
	struct sim_hier hier = {false, false};
	paddr_t table = root;

	memset(out, 0, sizeof(*out));
	/* Outside the range that T0SZ gives: a translation fault at the start level. */
	if (in_bits < 64 && (in >> in_bits) != 0)
		return stop(out, SIM_XLATE_TRANSLATION_FAULT, 0,
			    "input address above the range set by T0SZ");
	if (!is_aligned(pa_addr(root), PAGE_SIZE))
		return stop(out, SIM_XLATE_MALFORMED, 0, "root table not page aligned");

	for (u32 level = 0; level < SIM_LEVELS; level++) {
		u64 index = (in >> sim_level_shift(level)) & (SIM_DESC_PER_PAGE - 1);
		paddr_t next = pa_init(0);
		u64 desc;

		out->desc_pa = pa_add(table, index * sizeof(u64));
		if (!sim_read_desc(table, index, &desc))
			return stop(out, SIM_XLATE_WALK_ABORT, level,
				    "translation table outside RAM");
		switch (sim_decode_desc(stage, desc, out->desc_pa, level, &hier, &next, out)) {
		case SIM_DESC_TABLE:
			table = next;
			continue;
		case SIM_DESC_LEAF:
			out->pa = pa_add(out->pa, in & (out->leaf_size - 1));
			return out->status;
		case SIM_DESC_FAULT:
			return out->status;
		}
	}
	/* Level 3 never yields a table: not reached. */
	return stop(out, SIM_XLATE_MALFORMED, SIM_LEVELS - 1, "walk ran past level 3");
}

enum sim_xlate_status sim_s2_walk(paddr_t root, u32 ipa_bits, ipaddr_t ipa, struct sim_xlate *out)
{
	if (ipa_bits < S2_MIN_IPA_BITS || ipa_bits > S2_MAX_IPA_BITS) {
		memset(out, 0, sizeof(*out));
		return stop(out, SIM_XLATE_MALFORMED, 0, "VTCR_EL2 IPA size outside 40..48 bits");
	}
	return sim_walk(SIM_STAGE2, root, ipa_bits, ipa_addr(ipa), out);
}

enum sim_xlate_status sim_s1_walk(paddr_t root, vaddr_t va, struct sim_xlate *out)
{
	return sim_walk(SIM_EL2_STAGE1, root, SIM_S1_VA_BITS, va_addr(va), out);
}

enum sim_xlate_status sim_xlate_check(const struct sim_xlate *x, bool write)
{
	if (x->status != SIM_XLATE_OK)
		return x->status;
	if (write ? !x->writable : !x->readable)
		return SIM_XLATE_PERMISSION_FAULT;
	return SIM_XLATE_OK;
}

const char *sim_xlate_status_name(enum sim_xlate_status s)
{
	switch (s) {
	case SIM_XLATE_OK:
		return "ok";
	case SIM_XLATE_TRANSLATION_FAULT:
		return "translation fault";
	case SIM_XLATE_ADDR_SIZE_FAULT:
		return "address size fault";
	case SIM_XLATE_ACCESS_FLAG_FAULT:
		return "access flag fault";
	case SIM_XLATE_PERMISSION_FAULT:
		return "permission fault";
	case SIM_XLATE_WALK_ABORT:
		return "external abort on table walk";
	case SIM_XLATE_MALFORMED:
		return "malformed descriptor";
	}
	return "?";
}
