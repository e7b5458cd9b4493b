/* SPDX-License-Identifier: MIT */
/*
 * KVM's vendor hypervisor calls, the guest ABI of Linux's pKVM guest driver
 * (core/run/pkvm.c, docs/abi.md "KVM's vendor calls"), on the simulated
 * machine: the UID and FEATURES probe, HYP_MEMINFO, MEM_SHARE and
 * MEM_UNSHARE with the host's view of the page after each, every refusal
 * (INVALID_PARAMETER, nothing changed), and all of it answered without
 * an exit to the host.
 */
#include <kcore/psci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/guest_prog.h"

/* ---- a script of HVCs, one per entry, each with its x0..x3 (gp_call) ---- */

/* gp_step_hvc, with secrets in x4 and up, which no answer may touch. */
static void step_hvc(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	gp_step_hvc(r, e);
}

/* Runs calls 0..n-1 then a WFI, all in one run (no exit to the host between them). */
static void run_calls(u32 n)
{
	u64 runs = sim_vcpu_runs();

	assert_true(n + 1 <= GP_MAX_STEPS);
	gp_program(0); /* clears the trace and gives the sim its guest; the steps follow */
	for (u32 i = 0; i < n; i++)
		gp.steps[i] = step_hvc;
	gp.steps[n] = gp_step_wfi;
	gp.nr = n + 1;
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(sim_vcpu_runs(), runs + 1);
	assert_int_equal(gp.next, n + 1);
}

/* x0..x3 as the guest found them after call i. */
static u64 got(u32 i, u32 reg)
{
	return gp.seen[i + 1].x[reg];
}

/* The answer to call i was exactly (x0, x1, x2, x3), and x4 was left alone. */
static void answered(u32 i, s64 x0, u64 x1, u64 x2, u64 x3)
{
	assert_int_equal((s64)got(i, 0), x0);
	assert_int_equal(got(i, 1), x1);
	assert_int_equal(got(i, 2), x2);
	assert_int_equal(got(i, 3), x3);
	assert_int_equal(gp.seen[i + 1].x[4], GP_SECRET + 4);
}

/* The host-physical address of the VM's page at ipa. */
static u64 pa_at(u64 ipa)
{
	struct pt_leaf leaf;

	assert_true(pgt_lookup(&vm_from_id(gp_vmid)->s2, ipa, &leaf));
	return pa_addr(leaf.pa);
}

static bool host_reads(u64 pa, u64 *v)
{
	return sim_host_access(ipa_init(pa), false, v) == SIM_OK;
}

static void test_uid_features_meminfo(void **state)
{
	(void)state;
	gp_call(0, KVM_HYP_CALL_UID, 0, 0, 0);
	gp_call(1, KVM_HYP_FEATURES, 0, 0, 0);
	gp_call(2, KVM_HYP_MEMINFO, 0, 0, 0);
	/* Reserved arguments nonzero: refused, each one. */
	gp_call(3, KVM_HYP_MEMINFO, 1, 0, 0);
	gp_call(4, KVM_HYP_MEMINFO, 0, 1ull << 63, 0);
	gp_call(5, KVM_HYP_MEMINFO, 0, 0, 4096);
	run_calls(6);
	answered(0, KVM_HYP_UID_0, KVM_HYP_UID_1, KVM_HYP_UID_2, KVM_HYP_UID_3);
	answered(1, 0x1d, 0, 0, 0); /* bits 0 (FEATURES), 2, 3, 4: not 1 (PTP), not 5.. */
	answered(2, 4096, 0, 0, 0);
	for (u32 i = 3; i <= 5; i++)
		answered(i, SMCCC_INVALID_PARAMETER, 0, 0, 0);
}

static void test_unoffered_ids_go_to_the_host(void **state)
{
	/* PTP (1) and the MMIO guard's (5..8): kcore does not offer them, the host decides. */
	static const u64 ids[] = {0xc6000001, 0x86000001, 0xc6000005,
				  0xc6000006, 0xc6000007, 0xc6000008};
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	for (u32 k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		gp_call(0, ids[k], 0, 0, 0);
		gp_program(2, step_hvc, gp_step_wfi);
		assert_int_equal(gp_run(0, 0), KC_EXIT_GUEST_CALL);
		assert_int_equal(rp->out.call.fid, ids[k]);
		assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
		assert_int_equal((s64)gp.seen[1].x[0], SMCCC_NOT_SUPPORTED);
	}
}

static void test_share_unshare(void **state)
{
	u64 pa = pa_at(GP_RAM_IPA), v = 0;

	(void)state;
	assert_false(host_reads(pa, &v));
	gp_call(0, KVM_HYP_MEM_SHARE, GP_RAM_IPA, 0, 0);
	run_calls(1);
	answered(0, 0, 0, 0, 0);
	/* Shared: the host reads the guest's bytes (the image's first page). */
	assert_true(host_reads(pa, &v));
	assert_int_equal(v, 0x1111111111111111ull);
	fx_check();

	/* Shared twice: refused, and still shared. */
	gp_call(0, KVM_HYP_MEM_SHARE, GP_RAM_IPA, 0, 0);
	/* Unshare with a reserved argument set: refused before anything, still shared. */
	gp_call(1, KVM_HYP_MEM_UNSHARE, GP_RAM_IPA, 0, 1);
	gp_call(2, KVM_HYP_MEM_UNSHARE, GP_RAM_IPA, 7, 0);
	run_calls(3);
	for (u32 i = 0; i < 3; i++)
		answered(i, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	assert_true(host_reads(pa, &v));

	gp_call(0, KVM_HYP_MEM_UNSHARE, GP_RAM_IPA, 0, 0);
	run_calls(1);
	answered(0, 0, 0, 0, 0);
	assert_false(host_reads(pa, &v));
	fx_check();

	/* Unshared twice: refused; KC_GC_UNSHARE_PAGE agrees (STATE). */
	gp_call(0, KVM_HYP_MEM_UNSHARE, GP_RAM_IPA, 0, 0);
	gp_call(1, KC_GC_UNSHARE_PAGE, GP_RAM_IPA, 0, 0);
	run_calls(2);
	answered(0, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	assert_int_equal((s64)got(1, 0), KCORE_E_STATE);
	assert_false(host_reads(pa, &v));
}

static void test_share_refusals(void **state)
{
	u64 pa = pa_at(GP_RAM_IPA), v = 0;

	(void)state;
	/* Reserved arguments set: refused, even for a page it could share. */
	gp_call(0, KVM_HYP_MEM_SHARE, GP_RAM_IPA, 1, 0);
	gp_call(1, KVM_HYP_MEM_SHARE, GP_RAM_IPA, 0, 1ull << 40);
	/* Unaligned: not rounded down (pKVM refuses it too). */
	gp_call(2, KVM_HYP_MEM_SHARE, GP_RAM_IPA + 8, 0, 0);
	/* Not the VM's RAM: the device window, an IPA beyond the IPA space, an unmapped one. */
	gp_call(3, KVM_HYP_MEM_SHARE, GP_MMIO_IPA, 0, 0);
	gp_call(4, KVM_HYP_MEM_SHARE, 1ull << 63 | GP_RAM_IPA, 0, 0);
	gp_call(5, KVM_HYP_MEM_SHARE, 0x1000, 0, 0);
	/* Unshare of pages never shared. */
	gp_call(6, KVM_HYP_MEM_UNSHARE, GP_RAM_IPA, 0, 0);
	gp_call(7, KVM_HYP_MEM_UNSHARE, GP_MMIO_IPA, 0, 0);
	run_calls(8);
	for (u32 i = 0; i < 8; i++)
		answered(i, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	assert_false(host_reads(pa, &v));
	fx_check();
}

/* MEM_SHARE and KC_GC_SHARE_PAGE are one state: either call's share is undone by the other's. */
static void test_same_state_as_kcore_calls(void **state)
{
	u64 pa = pa_at(GP_RAM_IPA), v = 0;

	(void)state;
	gp_call(0, KC_GC_SHARE_PAGE, GP_RAM_IPA, 0, 0);
	gp_call(1, KVM_HYP_MEM_SHARE, GP_RAM_IPA, 0, 0);
	run_calls(2);
	assert_int_equal((s64)got(0, 0), KCORE_OK);
	answered(1, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	assert_true(host_reads(pa, &v));
	gp_call(0, KVM_HYP_MEM_UNSHARE, GP_RAM_IPA, 0, 0);
	gp_call(1, KC_GC_UNSHARE_PAGE, GP_RAM_IPA, 0, 0);
	run_calls(2);
	answered(0, 0, 0, 0, 0);
	assert_int_equal((s64)got(1, 0), KCORE_E_STATE);
	assert_false(host_reads(pa, &v));
	fx_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_uid_features_meminfo, gp_setup),
	    cmocka_unit_test_setup(test_unoffered_ids_go_to_the_host, gp_setup),
	    cmocka_unit_test_setup(test_share_unshare, gp_setup),
	    cmocka_unit_test_setup(test_share_refusals, gp_setup),
	    cmocka_unit_test_setup(test_same_state_as_kcore_calls, gp_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
