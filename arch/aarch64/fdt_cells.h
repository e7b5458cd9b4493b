/* SPDX-License-Identifier: MIT */
/*
 * Two questions every DTB reader of kcore's boot asks of a node (dtb.c, the
 * machine; platform_policy.c, the platform policy): what a run of cells says,
 * and whether a reg is a CPU physical address. One copy, so that the two
 * readers cannot come to disagree about an address.
 */
#ifndef ARCH_AARCH64_FDT_CELLS_H
#define ARCH_AARCH64_FDT_CELLS_H

#include <libfdt.h>

#include "core/lib/types.h"

/* The big-endian value of cells (1 or 2) 32-bit cells at p. */
static inline u64 fdt_read_cells(const fdt32_t *p, int cells)
{
	u64 v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/*
 * Whether a reg of a child of parent is a CPU physical address: every bus
 * from parent up to the root maps 1:1 ("ranges;"); a translating or absent
 * ranges anywhere says no.
 */
static inline bool fdt_cpu_physical_below(const void *fdt, int parent)
{
	while (parent > 0) {
		int len;

		if (fdt_getprop(fdt, parent, "ranges", &len) == NULL || len != 0)
			return false;
		parent = fdt_parent_offset(fdt, parent);
	}
	return parent == 0;
}

#endif /* ARCH_AARCH64_FDT_CELLS_H */
