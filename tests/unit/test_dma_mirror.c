/* SPDX-License-Identifier: MIT */
/*
 * The host's DMA mirror on the simulated machine (core/mem/dma_mirror.c,
 * core/smmu/iommu.c's iommu_host_mirror): for a host without an IOMMU
 * driver, every stream translates through one IO table that maps exactly
 * the host's pages at iova == pa. A device reaches a host page; the moment
 * the page goes to a VM (donation), to kcore (an image page) or is only
 * shared by a VM, the device's DMA is refused and the page keeps every
 * byte; a page back with the host (teardown) is reachable again, zeroed.
 * The host cannot map, unmap or free the mirror; it may move a stream to a
 * domain of its own and back. The invariant checker (smmu_iso: the mirror's
 * leaves and its completeness) runs after every step, and catches a mirror
 * corrupted behind its back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/arch.h"
#include "core/mm/pgowner.h"
#include "core/smmu/iommu.h"
#include "tests/lib/dma_access.h"
#include "tests/lib/fixture.h"

#define PG	 KCORE_PAGE_SIZE
#define BLK	 KCORE_BLOCK_SIZE
#define SID_NIC	 0x08u
#define SID_LAST (KCORE_MAX_STREAMS - 1u)
#define VM_IPA	 0x10000000ull
#define VM_BLK	 0x40000000ull

#define PAT_HOST 0x11223344aabbccddull
#define PAT_DMA	 0xd3ad0000feedf00dull
#define PAT_VM	 0x5a5a0000c0ffee01ull

static uint8_t payload[4096];
static u32 mirror;

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 5 + 1);
	fx_boot(NULL);
	assert_int_equal(kcore_host_dma_mirror(&mirror), KCORE_OK);
	fx_check();
	return 0;
}

static u64 call_ok(u64 id, u64 a1, u64 a2, u64 a3, u64 a4)
{
	u64 out = 0;

	assert_int_equal(fx_hc(id, a1, a2, a3, a4, &out), KCORE_OK);
	fx_check();
	return out;
}

/* The device's read and write at pa are refused (a translation fault) and pa keeps every byte. */
static void dma_refused_at(u32 sid, u64 pa)
{
	static uint8_t before[PG];
	u64 v = PAT_DMA, events = sim_smmu_event_count();

	memcpy(before, sim_ram_ptr(pa_init(pa)), PG);
	assert_int_equal(sim_dma_access(sid, pa, true, &v), SIM_S2_FAULT);
	v = 0;
	assert_int_equal(sim_dma_access(sid, pa, false, &v), SIM_S2_FAULT);
	assert_int_equal(v, 0);
	assert_int_equal(sim_smmu_event_count(), events + 2);
	assert_memory_equal(before, sim_ram_ptr(pa_init(pa)), PG);
}

/* Every stream is the mirror's; a host page is reachable at its own address, in and out. */
static void test_every_stream_reaches_host_pages(void **state)
{
	u64 pa = host_page_with(PAT_HOST);

	(void)state;
	assert_int_equal(iommu_stream_domain(0), mirror);
	assert_int_equal(iommu_stream_domain(SID_NIC), mirror);
	assert_int_equal(iommu_stream_domain(SID_LAST), mirror);
	assert_int_equal(iommu_domain(mirror)->nr_streams, KCORE_MAX_STREAMS);
	assert_int_equal(dma_read(SID_NIC, pa), PAT_HOST);
	dma_write(SID_LAST, pa + 8, PAT_DMA);
	assert_int_equal(ram_u64(pa + 8), PAT_DMA);
	/* The mirror counts nothing: the page may still leave the host. */
	assert_int_equal(fx_dma_count(pa), 0);
	assert_int_equal(call_ok(KC_HC_IO_IOVA_TO_PHYS, mirror, pa + 0x18, 0, 0), pa + 0x18);
	fx_check();
}

/* kcore's image and carve-out, and device memory, are not in it. */
static void test_kcore_pages_unreachable(void **state)
{
	u64 carve = pa_addr(kcore_params()->carve.base);
	u64 image = pa_addr(kcore_params()->kcore_image.base);

	(void)state;
	dma_refused_at(SID_NIC, carve);
	dma_refused_at(SID_NIC, carve + kcore_params()->carve.size - PG);
	dma_refused_at(SID_NIC, image);
	fx_check();
}

/* A donated page leaves the mirror at once; it comes back zeroed with the VM's teardown. */
static void test_donated_page_leaves_and_returns(void **state)
{
	u64 pa = host_page_with(PAT_HOST), blk = fx_host_alloc(BLK, BLK);
	u32 vm;

	(void)state;
	assert_int_equal(dma_read(SID_NIC, pa), PAT_HOST);
	assert_int_equal(dma_read(SID_NIC, blk + 7 * PG), 0);
	vm = fx_boot_vm(1, payload, sizeof(payload));
	call_ok(KC_HC_VM_DONATE, vm, VM_IPA, pa, PG);
	call_ok(KC_HC_VM_DONATE, vm, VM_BLK, blk, BLK);
	assert_int_equal(sim_vm_access(vm, ipa_init(VM_IPA), true, &(u64){PAT_VM}), SIM_OK);
	dma_refused_at(SID_NIC, pa);
	dma_refused_at(SID_NIC, blk);
	dma_refused_at(SID_NIC, blk + BLK - PG);
	assert_int_equal(ram_u64(pa), PAT_VM);
	/* Shared with the host: its loads may see it, its devices still may not. */
	assert_true(fx_guest_call(vm, 0, KC_GC_SHARE_PAGE, VM_IPA, &(s64){0}));
	assert_int_equal(fx_count(pa), 1);
	dma_refused_at(SID_NIC, pa);
	fx_check();
	call_ok(KC_HC_VM_POWEROFF, vm, 0, 0, 0);
	call_ok(KC_HC_VM_CLEAR_RANGE, vm, 0, 1ull << 40, 0);
	assert_int_equal(fx_owner(pa), OWNER_HOST);
	assert_int_equal(dma_read(SID_NIC, pa), 0);
	assert_int_equal(dma_read(SID_NIC, blk + BLK - PG), 0);
	fx_check();
}

/* An image page given to kcore leaves the mirror before kcore hashes it. */
static void test_image_page_leaves(void **state)
{
	u64 pa = host_page_with(PAT_HOST), vm, idx;

	(void)state;
	vm = call_ok(KC_HC_REGISTER_VM, 0, 0, 0, 0);
	idx = call_ok(KC_HC_SET_BOOT_INFO, vm, FX_LOAD_IPA, PG, 0);
	call_ok(KC_HC_REMAP_VM_IMAGE, vm, pa >> 12, idx, 0);
	assert_int_equal(fx_owner(pa), OWNER_KCORE);
	dma_refused_at(SID_NIC, pa);
	fx_check();
}

/* The host cannot change the mirror; it can move a stream to its own domain and back. */
static void test_host_cannot_edit_the_mirror(void **state)
{
	u64 pa = host_page_with(PAT_HOST), other = host_page_with(PAT_DMA);
	u32 own;

	(void)state;
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, mirror, 0x1000, pa, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_UNMAP, mirror, pa, 0, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_DOMAIN_FREE, mirror, 0, 0, 0);
	/* A second mirror: one is all there is. */
	assert_int_equal(kcore_host_dma_mirror(&own), KCORE_E_EXIST);
	fx_check();

	own = (u32)call_ok(KC_HC_IO_DOMAIN_ALLOC, OWNER_HOST, 0, 0, 0);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_IO_ATTACH, own, SID_NIC, 0, 0);
	call_ok(KC_HC_IO_DETACH, SID_NIC, 0, 0, 0);
	call_ok(KC_HC_IO_ATTACH, own, SID_NIC, 0, 0);
	call_ok(KC_HC_IO_MAP, own, 0x1000, other, 0);
	assert_int_equal(dma_read(SID_NIC, 0x1000), PAT_DMA);
	dma_refused_at(SID_NIC, pa); /* its domain maps only what the host asked for */
	call_ok(KC_HC_IO_DETACH, SID_NIC, 0, 0, 0);
	call_ok(KC_HC_IO_ATTACH, mirror, SID_NIC, 0, 0);
	assert_int_equal(dma_read(SID_NIC, pa), PAT_HOST);
	fx_check();
}

/* Corrupted behind kcore's back, the mirror fails the checker both ways. */
static void test_checker_catches_a_bad_mirror(void **state)
{
	/* The checker's tests corrupt kcore's state on purpose: the const is cast away. */
	struct pgtable *pt = &((struct io_domain *)(uintptr_t)iommu_domain(mirror))->pt;
	u64 carve = pa_addr(kcore_params()->carve.base), pa = fx_host_page();

	(void)state;
	/* A kcore page in it. */
	pgt_map_leaf(pt, carve, pa_init(carve), PG, PT_PROT_RW);
	assert_true(kcore_check_invariants() > 0);
	pgt_unmap_leaf(pt, carve);
	assert_int_equal(kcore_check_invariants(), 0);
	/* A host page missing from it. */
	pgt_unmap_leaf(pt, pa);
	assert_true(kcore_check_invariants() > 0);
	pgt_map_leaf(pt, pa, pa_init(pa), PG, PT_PROT_RW);
	assert_int_equal(kcore_check_invariants(), 0);
}

/* Without room for its tables there is no mirror, and every stream stays blocked. */
static void test_no_room_no_mirror(void **state)
{
	struct fx_config c = fx_default_config();
	u64 pa;
	u32 id = 0xffu;

	(void)state;
	c.io_pool_pages = 4;
	fx_boot(&c);
	pa = host_page_with(PAT_HOST);
	assert_int_equal(kcore_host_dma_mirror(&id), KCORE_E_NOMEM);
	assert_int_equal(iommu_stream_domain(SID_NIC), IO_DOMAIN_NONE);
	assert_int_equal(iommu_domain(0)->state, IO_DOMAIN_FREE);
	assert_int_equal(sim_dma_access(SID_NIC, pa, false, &(u64){0}), SIM_STREAM_FAULT);
	fx_check();
	/* A machine without a mirror (kserv's) keeps the host's own domains as they were. */
	fx_boot(NULL);
	assert_int_equal(iommu_stream_domain(SID_NIC), IO_DOMAIN_NONE);
	fx_check();
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_every_stream_reaches_host_pages),  T(test_kcore_pages_unreachable),
	    T(test_donated_page_leaves_and_returns),  T(test_image_page_leaves),
	    T(test_host_cannot_edit_the_mirror),      T(test_checker_catches_a_bad_mirror),
	    cmocka_unit_test(test_no_room_no_mirror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
