// SPDX-License-Identifier: MIT
/*
 * Filling the TLB model with everything the tables allow. Hardware may cache
 * any valid translation at any time (speculation, prefetch), so the worst
 * case a test can assume is that it has cached all of them.
 */
#include "arch/sim/sim_internal.h"

struct fill_ctx {
	u32 regime;
};

static int cache_leaf(void *ctx, u64 in, const struct sim_xlate *x)
{
	const struct fill_ctx *f = ctx;
	struct sim_tlb_entry e;

	/* Faulting descriptors (AF clear included) are never cached. */
	if (x->status == SIM_XLATE_OK) {
		sim_tlb_entry_from_xlate(&e, f->regime, in, x);
		sim_tlb_insert(&e);
	}
	return 0;
}

void sim_tlb_fill_regime(u32 regime)
{
	struct fill_ctx f = {.regime = regime};
	paddr_t root;
	u32 ipa_bits;
	u32 domain;
	bool have;

	if (regime == SIM_REGIME_EL2) {
		if (sim_regime_s1(&root))
			sim_walk_leaves(SIM_EL2_STAGE1, root, SIM_S1_VA_BITS, cache_leaf, &f);
		return;
	}
	/* IO tables have the stage-2 format (an SMMUv3 stage-2 context). */
	if (sim_regime_is_io(regime, &domain))
		have = sim_regime_io(domain, &root, &ipa_bits);
	else
		have = sim_regime_s2(regime, &root, &ipa_bits);
	if (have && ipa_bits >= 40 && ipa_bits <= 48)
		sim_walk_leaves(SIM_STAGE2, root, ipa_bits, cache_leaf, &f);
}

void sim_tlb_fill_all(void)
{
	for (u32 vmid = 0; vmid < SIM_NR_VMIDS; vmid++)
		sim_tlb_fill_regime(vmid);
	sim_tlb_fill_regime(SIM_REGIME_EL2);
	for (u32 d = 0; d < SIM_NR_IO_DOMAINS; d++)
		sim_tlb_fill_regime(SIM_REGIME_IO(d));
}

void sim_tlb_fill_from(paddr_t root, u32 vmid, u32 ipa_bits)
{
	sim_use_s2_root(vmid, root, ipa_bits);
	sim_tlb_fill_regime(vmid);
}

void sim_tlb_fill_s1_from(paddr_t root)
{
	sim_use_s1_root(root);
	sim_tlb_fill_regime(SIM_REGIME_EL2);
}
