/* SPDX-License-Identifier: MIT */
/*
 * The platform policy (docs/security.md, "Platform policy"; core/memops/
 * platform.c): every non-RAM page is in one class, and the class alone
 * decides whether the host's stage-2 may map it (HOST_SAFE, BEHIND_SMMU) and
 * whether KC_HC_VM_MAP_IO may give it to a VM (the same two; PERM for KCORE,
 * MEDIATED, DENIED and space no range covers). A MEDIATED page never enters
 * the host's stage-2: the fault is reported for the arch to emulate. The
 * fixture's table (tests/lib/fixture.c) has one range of each class.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/memops/host_mem.h"
#include "core/memops/platform.h"
#include "tests/lib/fixture.h"

#define KiB4	 0x1000ull
#define MiB2	 (2ull << 20)
#define VM_IPA	 0x20000000ull /* outside the test VM's image: free for device pages */
#define NO_VALUE 0xfeedfacecafef00dull

static u8 payload[4096];

static int setup(void **state)
{
	(void)state;
	fx_boot(NULL);
	return 0;
}

static struct sim_xlate host_walk(u64 ipa)
{
	paddr_t root;
	struct sim_xlate x;

	assert_true(kcore_s2_root(KCORE_HOST_VMID, &root));
	sim_s2_walk(root, kcore_ipa_bits(), ipa_init(ipa), &x);
	return x;
}

/* The class of each of the fixture's ranges, and of space no range covers. */
static void test_classes(void **state)
{
	(void)state;
	assert_int_equal(platform_class(pa_init(FX_GICD_LIKE_BASE)), KCORE_DEV_HOST_SAFE);
	assert_int_equal(platform_class(pa_init(FX_DEVICE_BASE + 0x1234)), KCORE_DEV_HOST_SAFE);
	assert_int_equal(platform_class(pa_init(FX_KCORE_DEVICE)), KCORE_DEV_KCORE);
	assert_int_equal(platform_class(pa_init(FX_MEDIATED_DEVICE + 0xff8)), KCORE_DEV_MEDIATED);
	assert_int_equal(platform_class(pa_init(FX_MEDIATED_DEVICE + KiB4)), KCORE_DEV_DENIED);
	assert_int_equal(platform_class(pa_init(FX_DENIED_DEVICE)), KCORE_DEV_DENIED);
	assert_int_equal(platform_class(pa_init(FX_SMMU_WINDOW + FX_SMMU_WINDOW_SIZE - 8)),
			 KCORE_DEV_BEHIND_SMMU);
	assert_int_equal(platform_class(pa_init(FX_SMMU_WINDOW + FX_SMMU_WINDOW_SIZE)),
			 KCORE_DEV_DENIED);
	assert_int_equal(platform_class(pa_init(FX_UNKNOWN_DEVICE)), KCORE_DEV_DENIED);
	assert_int_equal(platform_class(pa_init(0)), KCORE_DEV_DENIED);
}

/* A block is one class only if all of it is: no range boundary, no uncovered gap. */
static void test_uniform_class(void **state)
{
	enum kcore_dev_class c;

	(void)state;
	assert_true(platform_uniform_class(pa_init(FX_SMMU_WINDOW), MiB2, &c));
	assert_int_equal(c, KCORE_DEV_BEHIND_SMMU);
	assert_false(platform_uniform_class(pa_init(FX_SMMU_WINDOW + FX_SMMU_WINDOW_SIZE - KiB4),
					    2 * KiB4, &c));
	/* FX_DEVICE_BASE's 2 MiB: HOST_SAFE, then kcore's page, a denied one, gaps. */
	assert_false(platform_uniform_class(pa_init(FX_DEVICE_BASE), MiB2, &c));
	assert_true(platform_uniform_class(pa_init(FX_DEVICE_BASE), 4 * KiB4, &c));
	assert_int_equal(c, KCORE_DEV_HOST_SAFE);
	/* Wholly uncovered: uniformly DENIED. */
	assert_true(platform_uniform_class(pa_init(FX_UNKNOWN_DEVICE), MiB2, &c));
	assert_int_equal(c, KCORE_DEV_DENIED);
}

/* host_may_map by class. */
static void test_host_may_map(void **state)
{
	(void)state;
	assert_true(host_may_map(pa_init(FX_DEVICE_BASE)));
	assert_true(host_may_map(pa_init(FX_SMMU_WINDOW + 0x10000)));
	assert_false(host_may_map(pa_init(FX_KCORE_DEVICE)));
	assert_false(host_may_map(pa_init(FX_MEDIATED_DEVICE)));
	assert_false(host_may_map(pa_init(FX_DENIED_DEVICE)));
	assert_false(host_may_map(pa_init(FX_UNKNOWN_DEVICE)));
}

/* The host's accesses: mapped (device memory, no RAM behind in the sim), aborted, or mediated. */
static void test_host_access_by_class(void **state)
{
	const u64 refused[] = {FX_KCORE_DEVICE, FX_DENIED_DEVICE, FX_UNKNOWN_DEVICE,
			       FX_MEDIATED_DEVICE + KiB4};
	u64 v = NO_VALUE, aborts;

	(void)state;
	assert_int_equal(sim_host_access(ipa_init(FX_DEVICE_BASE), true, &v), SIM_NOT_RAM);
	assert_int_equal(host_walk(FX_DEVICE_BASE).leaf_size, KiB4);
	/* The whole window is one class: a 2 MiB block. */
	assert_int_equal(sim_host_access(ipa_init(FX_SMMU_WINDOW + 0x12340), false, &v),
			 SIM_NOT_RAM);
	assert_int_equal(host_walk(FX_SMMU_WINDOW).leaf_size, MiB2);
	/* The GICD-like range shares its 2 MiB with the mediated page: pages only. */
	assert_int_equal(sim_host_access(ipa_init(FX_GICD_LIKE_BASE), false, &v), SIM_NOT_RAM);
	assert_int_equal(host_walk(FX_GICD_LIKE_BASE).leaf_size, KiB4);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		aborts = sim_host_abort_count();
		assert_int_equal(sim_host_access(ipa_init(refused[i]), true, &v), SIM_ABORTED);
		assert_int_equal(sim_host_abort_count(), aborts + 1);
		assert_int_not_equal(host_walk(refused[i]).status, SIM_XLATE_OK);
	}
	fx_check();
}

/* The mediated page: reported, never mapped, never aborted - however often it is touched. */
static void test_mediated_never_mapped(void **state)
{
	u64 v = NO_VALUE, aborts = sim_host_abort_count();

	(void)state;
	/* Its neighbours mapped first, so no table or block could take it in by accident. */
	assert_int_equal(sim_host_access(ipa_init(FX_GICD_LIKE_BASE), false, &v), SIM_NOT_RAM);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(host_s2_fault(ipa_init(FX_MEDIATED_DEVICE + 8 * (u64)i)),
				 KCORE_HOST_FAULT_MEDIATED);
		assert_int_equal(sim_host_access(ipa_init(FX_MEDIATED_DEVICE + 0x70), i & 1, &v),
				 SIM_MEDIATED);
		assert_int_equal(v, NO_VALUE);
		assert_int_equal(host_walk(FX_MEDIATED_DEVICE).status, SIM_XLATE_TRANSLATION_FAULT);
	}
	assert_int_equal(sim_host_abort_count(), aborts);
	fx_check();
}

/* KC_HC_VM_MAP_IO by class: PERM for every class but HOST_SAFE and BEHIND_SMMU. */
static void test_vm_map_io_by_class(void **state)
{
	const struct {
		u64 pa;
		s64 want;
	} rows[] = {
	    {FX_DEVICE_BASE, KCORE_OK},
	    {FX_SMMU_WINDOW + KiB4, KCORE_OK},
	    {FX_KCORE_DEVICE, KCORE_E_PERM},
	    {FX_MEDIATED_DEVICE, KCORE_E_PERM},
	    {FX_DENIED_DEVICE, KCORE_E_PERM},
	    {FX_UNKNOWN_DEVICE, KCORE_E_PERM},
	    {FX_RAM_BASE + FX_RAM_SIZE, KCORE_E_PERM}, /* the first page after RAM: unknown */
	    {FX_RAM_BASE + 0x200000, KCORE_E_INVAL},   /* RAM */
	};
	u32 vm;

	(void)state;
	vm = fx_boot_vm(1, payload, sizeof(payload));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		u64 ipa = VM_IPA + i * KiB4;
		u64 v = NO_VALUE;

		assert_int_equal(fx_hc(KC_HC_VM_MAP_IO, vm, ipa, rows[i].pa, 0, NULL),
				 rows[i].want);
		/* Refused: nothing mapped in the VM's stage-2. */
		if (rows[i].want != KCORE_OK)
			assert_int_equal(sim_vm_access(vm, ipa_init(ipa), false, &v), SIM_S2_FAULT);
		else
			assert_int_equal(sim_vm_access(vm, ipa_init(ipa), false, &v), SIM_NOT_RAM);
		fx_check();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_classes, setup),
	    cmocka_unit_test_setup(test_uniform_class, setup),
	    cmocka_unit_test_setup(test_host_may_map, setup),
	    cmocka_unit_test_setup(test_host_access_by_class, setup),
	    cmocka_unit_test_setup(test_mediated_never_mapped, setup),
	    cmocka_unit_test_setup(test_vm_map_io_by_class, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
