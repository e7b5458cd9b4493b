/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker's look at the SMMU itself. smmu_iso holds for the IO
 * tables the core keeps, but a device obeys the SMMU's stream table, not the
 * core's bookkeeping: a stream table entry left in bypass, or naming a table
 * other than its domain's, opens memory no IO table maps. So the arch reads
 * each entry back from the hardware (arch_smmu_read_ste) and this file
 * compares it with what the core says the stream is attached to.
 */
#include "core/arch.h"
#include "core/check/check.h"
#include "core/kcore.h"
#include "core/smmu/iommu.h"

static void check_stream(u32 sid)
{
	struct arch_smmu_ste_view hw;
	u32 id = iommu_stream_domain(sid);
	const struct io_domain *d;

	arch_smmu_read_ste(sid, &hw);
	switch (hw.kind) {
	case ARCH_STE_BLOCKED:
		if (id != IO_DOMAIN_NONE)
			check_violation("smmu_hw: attached stream blocked in hardware", sid, id);
		return;
	case ARCH_STE_BYPASS:
		check_violation("smmu_hw: stream in bypass", sid, id);
		return;
	case ARCH_STE_FOREIGN:
		check_violation("smmu_hw: stream entry kcore did not write", sid, id);
		return;
	case ARCH_STE_TRANSLATE:
		break;
	}
	if (id == IO_DOMAIN_NONE) {
		check_violation("smmu_hw: blocked stream translates in hardware", sid, hw.domain);
		return;
	}
	if (hw.domain != id) {
		check_violation("smmu_hw: stream translates for another domain", sid, hw.domain);
		return;
	}
	/* A stream attached to a dead domain is reported by check_iommu already. */
	if (id >= KCORE_MAX_IO_DOMAINS)
		return;
	d = iommu_domain(id);
	if (pa_addr(hw.root) != pa_addr(d->pt.root) || hw.ia_bits != d->pt.ia_bits)
		check_violation("smmu_hw: stream walks a table not its domain's", sid,
				pa_addr(hw.root));
}

void check_smmu_hw(void)
{
	if (!arch_smmu_present())
		return;
	if (!arch_smmu_config_intact()) {
		check_violation("smmu_hw: SMMU off or its stream table not kcore's", 0, 0);
		return;
	}
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++)
		check_stream(sid);
}
