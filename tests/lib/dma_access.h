/* SPDX-License-Identifier: MIT */
/*
 * The DMA tests' accessors on the simulated machine (test_iommu.c,
 * test_dma_mirror.c): a host page with a known word, a word of RAM read
 * behind everyone's back, and a device's access that must succeed. Include
 * after <cmocka.h> and tests/lib/fixture.h.
 */
#ifndef TESTS_LIB_DMA_ACCESS_H
#define TESTS_LIB_DMA_ACCESS_H

#include <string.h>

#include "core/arch.h"
#include "tests/lib/fixture.h"

/* A host page holding v, written by the host through its stage-2. */
static inline u64 host_page_with(u64 v)
{
	u64 pa = fx_host_page();

	assert_int_equal(sim_host_access(ipa_init(pa), true, &v), SIM_OK);
	return pa;
}

static inline u64 ram_u64(u64 pa)
{
	u64 v;

	memcpy(&v, sim_ram_ptr(pa_init(pa)), sizeof(v));
	return v;
}

static inline u64 dma_read(u32 sid, u64 iova)
{
	u64 v = 0;

	assert_int_equal(sim_dma_access(sid, iova, false, &v), SIM_OK);
	return v;
}

static inline void dma_write(u32 sid, u64 iova, u64 v)
{
	assert_int_equal(sim_dma_access(sid, iova, true, &v), SIM_OK);
}

#endif /* TESTS_LIB_DMA_ACCESS_H */
