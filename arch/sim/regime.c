// SPDX-License-Identifier: MIT
/*
 * The translation regimes of the machine and where their tables are: what
 * VTTBR_EL2/VTCR_EL2 would hold while each VMID runs, TTBR0_EL2, and each IO
 * domain's table (the SMMU's stage-2 contexts). The core owns these
 * (kcore_s2_root, kcore_s1_root, kcore_io_domain_root); tests that build
 * tables by hand register CPU regimes here instead.
 */
#include "arch/sim/sim_internal.h"
#include "core/kcore.h"

struct regimes {
	bool manual;
	bool s2_set[SIM_NR_VMIDS];
	paddr_t s2_root[SIM_NR_VMIDS];
	u32 s2_ipa_bits[SIM_NR_VMIDS];
	bool s1_set;
	paddr_t s1_root;
};

static struct regimes regimes;

void sim_regime_reset(bool manual)
{
	regimes = (struct regimes){.manual = manual};
}

bool sim_regime_manual(void)
{
	return regimes.manual;
}

void sim_use_s2_root(u32 vmid, paddr_t root, u32 ipa_bits)
{
	if (vmid < SIM_NR_VMIDS) {
		regimes.s2_set[vmid] = true;
		regimes.s2_root[vmid] = root;
		regimes.s2_ipa_bits[vmid] = ipa_bits;
		return;
	}
	sim_die("sim_use_s2_root: VMID %u beyond the %u modelled", vmid, SIM_NR_VMIDS);
}

void sim_forget_s2_root(u32 vmid)
{
	if (vmid < SIM_NR_VMIDS)
		regimes.s2_set[vmid] = false;
}

void sim_use_s1_root(paddr_t root)
{
	regimes.s1_set = true;
	regimes.s1_root = root;
}

bool sim_regime_s2(u32 vmid, paddr_t *root, u32 *ipa_bits)
{
	if (vmid >= SIM_NR_VMIDS)
		return false;
	if (regimes.s2_set[vmid]) {
		*root = regimes.s2_root[vmid];
		*ipa_bits = regimes.s2_ipa_bits[vmid];
		return true;
	}
	if (regimes.manual || !kcore_s2_root(vmid, root))
		return false;
	*ipa_bits = kcore_ipa_bits();
	return true;
}

/* The core reports "no stage-1 yet" as PA 0, which is never a table of ours. */
bool sim_regime_s1(paddr_t *root)
{
	if (regimes.s1_set) {
		*root = regimes.s1_root;
		return true;
	}
	if (regimes.manual)
		return false;
	*root = kcore_s1_root();
	return pa_addr(*root) != 0;
}

bool sim_regime_is_io(u32 regime, u32 *domain)
{
	if (regime <= SIM_REGIME_EL2 || regime >= SIM_NR_REGIMES)
		return false;
	*domain = regime - SIM_REGIME_IO(0);
	return true;
}

bool sim_regime_io(u32 domain, paddr_t *root, u32 *ia_bits)
{
	if (regimes.manual || domain >= SIM_NR_IO_DOMAINS || !kcore_io_domain_root(domain, root))
		return false;
	/* Every IO domain has the IPA size as its input size. */
	*ia_bits = kcore_ipa_bits();
	return true;
}

bool sim_regime_walk(u32 regime, u64 addr, struct sim_xlate *out)
{
	paddr_t root;
	u32 ipa_bits;
	u32 domain;

	if (regime == SIM_REGIME_EL2) {
		if (!sim_regime_s1(&root))
			return false;
		sim_s1_walk(root, va_init(addr), out);
		return true;
	}
	if (sim_regime_is_io(regime, &domain)) {
		if (!sim_regime_io(domain, &root, &ipa_bits))
			return false;
		sim_s2_walk(root, ipa_bits, ipa_init(addr), out);
		return true;
	}
	if (!sim_regime_s2(regime, &root, &ipa_bits))
		return false;
	sim_s2_walk(root, ipa_bits, ipa_init(addr), out);
	return true;
}
