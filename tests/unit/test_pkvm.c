/* SPDX-License-Identifier: MIT */
/*
 * KVM's vendor hypervisor calls, the guest ABI of Linux's pKVM guest driver
 * (core/run/pkvm.c, docs/abi.md "KVM's vendor calls"), on the simulated
 * machine: the UID and FEATURES probe, HYP_MEMINFO, MEM_SHARE and
 * MEM_UNSHARE with the host's view of the page after each, every refusal
 * (INVALID_PARAMETER, nothing changed), and all of it answered without
 * an exit to the host; the MMIO guard (core/vm/mmio_guard.h): enrolling,
 * a registered page's MMIO going to the host, an unregistered one's
 * refused with an abort the host never hears of, the table's rules.
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
	answered(1, 0x9d, 0, 0, 0); /* bits 0 (FEATURES), 2, 3, 4, 7 (MMIO_GUARD): not 1 (PTP) */
	answered(2, 4096, 0, 0, 0);
	for (u32 i = 3; i <= 5; i++)
		answered(i, SMCCC_INVALID_PARAMETER, 0, 0, 0);
}

static void test_unoffered_ids_go_to_the_host(void **state)
{
	/*
	 * PTP (1) and Android's older guard calls (5, 6, 8; 7 is mainline's
	 * MMIO_GUARD), and 7's SMC32 form: kcore does not offer them, the host decides.
	 */
	static const u64 ids[] = {0xc6000001, 0x86000001, 0xc6000005,
				  0xc6000006, 0x86000007, 0xc6000008};
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

/*
 * Mainline's DISCOVER_IMPL_VER and DISCOVER_IMPL_CPUS are kcore's
 * KC_GC_VERSION and KC_GC_SHARE_PAGE in value. A guest calls them only if
 * FEATURES' x2 bits 0 and 1 say so: pinned here that they never do, and
 * that the ids keep kcore's meaning.
 */
_Static_assert(KVM_HYP_DISCOVER_IMPL_VER == KC_GC_VERSION, "the collision docs/abi.md tells");
_Static_assert(KVM_HYP_DISCOVER_IMPL_CPUS == KC_GC_SHARE_PAGE, "the collision docs/abi.md tells");

static void test_features_never_offer_discover_impl(void **state)
{
	(void)state;
	gp_call(0, KVM_HYP_FEATURES, 0, 0, 0);
	gp_call(1, KVM_HYP_DISCOVER_IMPL_VER, 0, 0, 0);
	run_calls(2);
	/* x1..x3 (functions 32..127) all 0: x2 bits 0, 1 (functions 64, 65) above all. */
	assert_int_equal(got(0, 2) & 3, 0);
	answered(0, 0x9d, 0, 0, 0);
	/* 0xC6000040 is KC_GC_VERSION: kcore's status and version, not DISCOVER_IMPL_VER's. */
	assert_int_equal((s64)got(1, 0), KCORE_OK);
	assert_int_equal(got(1, 1), KCORE_ABI_VERSION);
}

/* ---- the MMIO guard ---- */

#define GUARD_PAGE GP_MMIO_IPA		   /* the page the guest registers */
#define OTHER_PAGE (GP_MMIO_IPA + 0x10000) /* a device page it never registers */
#define STORED	   0x5ec2e75ec2e7ull	   /* the value the guest stores */
#define STORE_REG  9u

static u64 mmio_ipa;

/* A 4-byte store of x9 = STORED to mmio_ipa. */
static void step_mmio_store(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	r->x[STORE_REG] = STORED;
	*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				.ipa = mmio_ipa,
				.translation = true,
				.isv = true,
				.size = 4,
				.rt = STORE_REG,
				.write = true,
				.reg64 = true};
}

static struct vcpu *vcpu0(void)
{
	return &vm_from_id(gp_vmid)->vcpus[0];
}

static const struct vm_mmio_guard *guard(void)
{
	return &vm_from_id(gp_vmid)->mmio_guard;
}

/* The guest stores to ipa: the host sees the MMIO exit, completes it, the guest goes on. */
static void expect_forwarded(u64 ipa)
{
	struct kcore_vcpu_run *rp = gp_run_page();
	u64 dabts = vcpu0()->arch.dabts;

	mmio_ipa = ipa;
	gp_program(2, step_mmio_store, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	assert_int_equal(rp->out.mmio.ipa, ipa);
	assert_int_equal(rp->out.mmio.is_write, 1);
	assert_int_equal(rp->out.mmio.value, STORED & 0xffffffffull);
	assert_int_equal(gp_run(0, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
	assert_int_equal(vcpu0()->arch.dabts, dabts);
}

/*
 * The guest stores to ipa: no exit for it (the one run ends at the WFI
 * after it), the run page shows nothing of it, and the guest took a data
 * abort, a write's, at ipa, not stepped past the store.
 */
static void expect_refused_unseen(u64 ipa)
{
	struct kcore_vcpu_run *rp = gp_run_page();
	u64 dabts = vcpu0()->arch.dabts, writes = vcpu0()->arch.write_aborts;
	u64 runs = sim_vcpu_runs();

	mmio_ipa = ipa;
	gp_program(2, step_mmio_store, gp_step_wfi);
	/* One VCPU_RUN: the store's exit stayed in kcore, which re-entered the guest for the WFI.
	 */
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(sim_vcpu_runs(), runs + 2);
	assert_int_equal(gp.next, 2);
	/* WFI says nothing else: no timer is armed on the simulated machine. */
	assert_int_equal(rp->out.wfi.deadline, KC_WFI_NO_DEADLINE);
	for (u32 i = 1; i < 8; i++)
		assert_int_equal(rp->out.raw[i], 0);
	assert_int_equal(vcpu0()->arch.dabts, dabts + 1);
	assert_int_equal(vcpu0()->arch.write_aborts, writes + 1);
	assert_int_equal(vcpu0()->arch.last_abort_ipa, ipa);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc);
}

static void test_guard_enrolls_and_refuses_unregistered_mmio(void **state)
{
	(void)state;
	/* Not enrolled: every MMIO goes to the host, as before the guard. */
	expect_forwarded(OTHER_PAGE + 0x20);
	assert_int_equal(guard()->enrolled, 0);

	gp_call(0, KVM_HYP_MMIO_GUARD, GUARD_PAGE, 0, 0);
	run_calls(1);
	answered(0, 0, 0, 0, 0);
	assert_int_equal(guard()->enrolled, 1);
	fx_check();

	/* Registered: the host sees it, any offset in the page. */
	expect_forwarded(GUARD_PAGE + 0x18);
	expect_forwarded(GUARD_PAGE + 0xffc);
	/* Not registered: the guest's abort, and the host never learns the address or the value. */
	expect_refused_unseen(OTHER_PAGE + 0x20);
	expect_refused_unseen(GUARD_PAGE + PAGE_SIZE);
	expect_refused_unseen(GUARD_PAGE - 4);
	fx_check();
}

/* MMIO_GUARD(ipa, x2, x3) through the table, as a vCPU's call: x0. */
static s64 guard_call(u64 ipa, u64 x2, u64 x3)
{
	struct kcore_hvc_regs r = {.x = {KVM_HYP_MMIO_GUARD, ipa, x2, x3}};

	assert_true(vm_hvc_dispatch(gp_vmid, 0, &r));
	assert_int_equal(r.x[1] | r.x[2] | r.x[3], 0);
	return (s64)r.x[0];
}

/* Refused with INVALID_PARAMETER, and nothing of kcore's state changed. */
static void expect_guard_refused(u64 ipa, u64 x2, u64 x3)
{
	struct fx_snapshot *before = fx_snapshot_take(), *after;

	assert_int_equal(guard_call(ipa, x2, x3), SMCCC_INVALID_PARAMETER);
	after = fx_snapshot_take();
	assert_true(fx_snapshot_equal(before, after));
	fx_snapshot_free(before);
	fx_snapshot_free(after);
	fx_check();
}

static void test_guard_refusals(void **state)
{
	(void)state;
	/* RAM is never forwarded: a page of the image, a page of RAM the host never gave. */
	expect_guard_refused(GP_RAM_IPA, 0, 0);
	expect_guard_refused(GP_RAM_IPA + 0x100000, 0, 0);
	expect_guard_refused(GP_RAM_IPA + GP_RAM_SIZE - PAGE_SIZE, 0, 0);
	/* Unaligned, beyond the IPA space, the reserved arguments set. */
	expect_guard_refused(GUARD_PAGE + 8, 0, 0);
	expect_guard_refused(1ull << vm_ipa_bits(), 0, 0);
	expect_guard_refused(1ull << 63 | GUARD_PAGE, 0, 0);
	expect_guard_refused(GUARD_PAGE, 1, 0);
	expect_guard_refused(GUARD_PAGE, 0, 1ull << 40);
	/* None of them enrolled the VM: its MMIO still goes to the host. */
	assert_int_equal(guard()->enrolled, 0);
	expect_forwarded(OTHER_PAGE);
	/* The page just below RAM and the last of the IPA space are not RAM: accepted. */
	assert_int_equal(guard_call(GP_RAM_IPA - PAGE_SIZE, 0, 0), 0);
	assert_int_equal(guard_call((1ull << vm_ipa_bits()) - PAGE_SIZE, 0, 0), 0);
	/* Enrolled, the refusals still change nothing. */
	expect_guard_refused(GP_RAM_IPA, 0, 0);
	expect_guard_refused(GUARD_PAGE, 0, 1);
	expect_refused_unseen(GUARD_PAGE);
}

static void test_guard_twice_and_neighbours_merge(void **state)
{
	(void)state;
	assert_int_equal(guard_call(GUARD_PAGE, 0, 0), 0);
	assert_int_equal(guard_call(GUARD_PAGE, 0, 0), 0); /* idempotent */
	assert_int_equal(guard()->nr, 1);
	/* Two pages apart, then the gap: one range of three pages. */
	assert_int_equal(guard_call(GUARD_PAGE + 2 * PAGE_SIZE, 0, 0), 0);
	assert_int_equal(guard()->nr, 2);
	assert_int_equal(guard_call(GUARD_PAGE + PAGE_SIZE, 0, 0), 0);
	assert_int_equal(guard()->nr, 1);
	/* Below and above it: still one range. */
	assert_int_equal(guard_call(GUARD_PAGE - PAGE_SIZE, 0, 0), 0);
	assert_int_equal(guard_call(GUARD_PAGE + 3 * PAGE_SIZE, 0, 0), 0);
	assert_int_equal(guard()->nr, 1);
	assert_int_equal(guard()->range[0].first, GUARD_PAGE - PAGE_SIZE);
	assert_int_equal(guard()->range[0].end, GUARD_PAGE + 4 * PAGE_SIZE);
	fx_check();
	expect_forwarded(GUARD_PAGE - PAGE_SIZE);
	expect_forwarded(GUARD_PAGE + 3 * PAGE_SIZE + 0xff8);
	expect_refused_unseen(GUARD_PAGE + 4 * PAGE_SIZE);
	expect_refused_unseen(GUARD_PAGE - 2 * PAGE_SIZE);
}

static void test_guard_table_full(void **state)
{
	(void)state;
	/* Every other page: no two merge, so each takes a range. */
	for (u64 i = 0; i < VM_MMIO_GUARD_RANGES; i++)
		assert_int_equal(guard_call(GUARD_PAGE + 2 * i * PAGE_SIZE, 0, 0), 0);
	assert_int_equal(guard()->nr, VM_MMIO_GUARD_RANGES);
	fx_check();
	/* One range too many: refused, nothing changed, and its MMIO stays refused. */
	expect_guard_refused(OTHER_PAGE + 0x100000, 0, 0);
	expect_refused_unseen(OTHER_PAGE + 0x100000);
	/* A page already in, and one that extends a range, need no slot. */
	assert_int_equal(guard_call(GUARD_PAGE, 0, 0), 0);
	assert_int_equal(guard_call(GUARD_PAGE + (2 * VM_MMIO_GUARD_RANGES - 1) * PAGE_SIZE, 0, 0),
			 0);
	/* Filling a gap joins two ranges and frees a slot: the refused page now fits. */
	assert_int_equal(guard_call(GUARD_PAGE + PAGE_SIZE, 0, 0), 0);
	assert_int_equal(guard()->nr, VM_MMIO_GUARD_RANGES - 1);
	assert_int_equal(guard_call(OTHER_PAGE + 0x100000, 0, 0), 0);
	expect_forwarded(OTHER_PAGE + 0x100000);
	fx_check();
}

/* An image outside the VM's RAM regions is the VM's memory too: never MMIO. */
static void test_guard_refuses_an_image_outside_ram(void **state)
{
	static uint8_t payload[8192];
	const u64 image_ipa = 0x40000000ull;
	struct kcore_hvc_regs r;
	size_t size;
	uint8_t *img;
	u64 id;

	(void)state;
	memset(payload, 0x22, sizeof(payload));
	img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, id, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, id, GP_RAM_IPA, GP_RAM_SIZE, 0, NULL), KCORE_OK);
	assert_int_equal(fx_load_image((u32)id, image_ipa, img, size, NULL), KCORE_OK);
	free(img);
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		r = (struct kcore_hvc_regs){.x = {KVM_HYP_MMIO_GUARD, image_ipa + off}};
		assert_true(vm_hvc_dispatch((u32)id, 0, &r));
		assert_int_equal((s64)r.x[0], SMCCC_INVALID_PARAMETER);
	}
	assert_int_equal(vm_from_id(id)->mmio_guard.enrolled, 0);
	/* The page after the image's last is not the VM's: accepted. */
	r = (struct kcore_hvc_regs){
	    .x = {KVM_HYP_MMIO_GUARD, image_ipa + ((size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))}};
	assert_true(vm_hvc_dispatch((u32)id, 0, &r));
	assert_int_equal(r.x[0], 0);
	fx_check();
}

static void test_enrolled_vm_refuses_a_snapshot(void **state)
{
	(void)state;
	assert_int_equal(guard_call(GUARD_PAGE, 0, 0), 0);
	/* The table is not in the snapshot format: STATE, nothing opened. */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, fx_host_page(), 0, 0);
	assert_int_equal(vm_from_id(gp_vmid)->snap.phase, SNAP_NONE);
}

static void test_guard_cleared_when_the_vm_is_freed(void **state)
{
	u64 id;

	(void)state;
	assert_int_equal(guard_call(GUARD_PAGE, 0, 0), 0);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	/* Powered off, not yet freed: the table stays (nothing runs to use it). */
	assert_int_equal(guard()->nr, 1);
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, gp_vmid, GP_RAM_IPA, GP_RAM_SIZE, 0, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_FREE, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(guard()->enrolled, 0);
	assert_int_equal(guard()->nr, 0);
	fx_check();
	/* The slot's next VM starts unenrolled. */
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	assert_int_equal(id, gp_vmid);
	assert_int_equal(vm_from_id(id)->mmio_guard.enrolled, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_uid_features_meminfo, gp_setup),
	    cmocka_unit_test_setup(test_unoffered_ids_go_to_the_host, gp_setup),
	    cmocka_unit_test_setup(test_share_unshare, gp_setup),
	    cmocka_unit_test_setup(test_share_refusals, gp_setup),
	    cmocka_unit_test_setup(test_same_state_as_kcore_calls, gp_setup),
	    cmocka_unit_test_setup(test_features_never_offer_discover_impl, gp_setup),
	    cmocka_unit_test_setup(test_guard_enrolls_and_refuses_unregistered_mmio, gp_setup),
	    cmocka_unit_test_setup(test_guard_refusals, gp_setup),
	    cmocka_unit_test_setup(test_guard_twice_and_neighbours_merge, gp_setup),
	    cmocka_unit_test_setup(test_guard_table_full, gp_setup),
	    cmocka_unit_test_setup(test_guard_refuses_an_image_outside_ram, gp_setup),
	    cmocka_unit_test_setup(test_enrolled_vm_refuses_a_snapshot, gp_setup),
	    cmocka_unit_test_setup(test_guard_cleared_when_the_vm_is_freed, gp_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
