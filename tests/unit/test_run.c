/* SPDX-License-Identifier: MIT */
/*
 * Running vCPUs on the simulated machine (core/run/run.c): entry state, every
 * exit and what the host learns from it, completing MMIO and calls, kcore's
 * own guest calls and PSCI, and the run page rules. The guest is a function
 * (sim_set_guest) acting as the vCPU would.
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

static void test_first_entry_state(void **state)
{
	(void)state;
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[0].pc, GP_RAM_IPA + 0x40);
	assert_int_equal(gp.seen[0].x[0], 0x1234);
	for (u32 i = 1; i < 31; i++)
		assert_int_equal(gp.seen[0].x[i], 0);
	/* The exit says "WFI", and that no timer is armed: nothing else. */
	assert_int_equal(gp_run_page()->out.wfi.deadline, KC_WFI_NO_DEADLINE);
	for (u32 i = 1; i < 8; i++)
		assert_int_equal(gp_run_page()->out.raw[i], 0);
}

static void step_mmio_read(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				.ipa = GP_MMIO_IPA + 0x18,
				.translation = true,
				.isv = true,
				.size = 2,
				.rt = 5,
				.sign_extend = true,
				.reg64 = true};
}

static void test_mmio_read_fills_only_its_register(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(2, step_mmio_read, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	assert_int_equal(rp->out.mmio.ipa, GP_MMIO_IPA + 0x18);
	assert_int_equal(rp->out.mmio.size, 2);
	assert_int_equal(rp->out.mmio.is_write, 0);
	assert_int_equal(rp->out.mmio.value, 0); /* a read shows no register */
	rp->in.mmio_value = 0xabcd8001;
	assert_int_equal(gp_run(0, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
	/* x5 got the halfword, sign-extended; the PC moved past the load; nothing else changed. */
	assert_int_equal(gp.seen[1].x[5], 0xffffffffffff8001ull);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc + 4);
	for (u32 i = 0; i < 31; i++) {
		if (i != 5)
			assert_int_equal(gp.seen[1].x[i], GP_SECRET + i);
	}
}

static void step_mmio_write(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	r->x[7] = 0x1122334455667788ull;
	*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				.ipa = GP_MMIO_IPA,
				.translation = true,
				.isv = true,
				.size = 1,
				.rt = 7,
				.write = true,
				.reg64 = true};
}

static void test_mmio_write_shows_only_the_written_bytes(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(2, step_mmio_write, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	assert_int_equal(rp->out.mmio.is_write, 1);
	assert_int_equal(rp->out.mmio.value, 0x88);
	assert_int_equal(gp_run(0, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc + 4);
	assert_int_equal(gp.seen[1].x[7], 0x1122334455667788ull);
}

static void test_mmio_abort_and_retry(void **state)
{
	struct vcpu *v;

	(void)state;
	gp_program(3, step_mmio_read, step_mmio_read, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	/* Neither done nor refused: the access runs again, unchanged. */
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc);
	v = &vm_from_id(gp_vmid)->vcpus[0];
	assert_int_equal(gp_run(0, KC_RUN_MMIO_ABORT), KC_EXIT_WFI);
	assert_int_equal(v->arch.dabts, 1);
	assert_int_equal(v->arch.write_aborts, 0); /* it was a read */
}

static void test_refused_mmio_write_aborts_as_a_write(void **state)
{
	struct vcpu *v = &vm_from_id(gp_vmid)->vcpus[0];

	(void)state;
	gp_program(2, step_mmio_write, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	assert_int_equal(gp_run(0, KC_RUN_MMIO_ABORT), KC_EXIT_WFI);
	assert_int_equal(v->arch.dabts, 1);
	assert_int_equal(v->arch.write_aborts, 1);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc); /* not stepped: the abort handler decides */
}

static void step_ram_write(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				.ipa = GP_RAM_IPA + 0x200008,
				.translation = true,
				.isv = true,
				.size = 8,
				.rt = 3,
				.write = true,
				.reg64 = true};
}

static void step_ram_check(struct vcpu_regs *r, struct arch_exit *e)
{
	u64 v = GP_SECRET;

	assert_int_equal(sim_vm_access(gp_vmid, ipa_init(GP_RAM_IPA + 0x200008), true, &v), SIM_OK);
	gp_step_wfi(r, e);
}

static void test_ram_fault_shows_the_page_not_the_data(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(2, step_ram_write, step_ram_check);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MEM_FAULT);
	assert_int_equal(rp->out.fault.ipa, GP_RAM_IPA + 0x200000);
	assert_int_equal(rp->out.fault.is_write, 1);
	assert_int_equal(rp->out.fault.is_exec, 0);
	for (u32 i = 3; i < 8; i++)
		assert_int_equal(rp->out.raw[i], 0); /* no value, no register */
	assert_int_equal(
	    fx_hc(KC_HC_VM_DONATE, gp_vmid, GP_RAM_IPA + 0x200000, fx_host_page(), 4096, NULL),
	    KCORE_OK);
	/* The guest retries the same instruction, which now reaches its page. */
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc);
}

static void step_call(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	r->x[0] = 0xc6000080ull;
	for (u32 i = 1; i <= 6; i++)
		r->x[i] = 100 + i;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void test_guest_call_goes_out_with_id_and_args_only(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(3, step_call, step_call, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_GUEST_CALL);
	assert_int_equal(rp->out.call.fid, 0xc6000080ull);
	for (u32 i = 0; i < 6; i++)
		assert_int_equal(rp->out.call.args[i], 101 + i);
	assert_int_equal(rp->out.raw[7], 0);
	rp->in.call_ret[0] = 0;
	rp->in.call_ret[1] = 77;
	rp->in.call_ret[2] = 78;
	rp->in.call_ret[3] = 79;
	assert_int_equal(gp_run(0, KC_RUN_CALL_DONE), KC_EXIT_GUEST_CALL);
	assert_int_equal(gp.seen[1].x[0], 0);
	assert_int_equal(gp.seen[1].x[1], 77);
	assert_int_equal(gp.seen[1].x[3], 79);
	assert_int_equal(gp.seen[1].x[4], 104); /* x4 and up: as the guest left them */
	assert_int_equal(gp.seen[1].x[7], GP_SECRET + 7);
	/* Not completed: the guest gets SMCCC NOT_SUPPORTED, nothing more. */
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[2].x[0], (u64)-1);
	assert_int_equal(gp.seen[2].x[1], 101);
}

static void step_share(struct vcpu_regs *r, struct arch_exit *e)
{
	r->x[0] = KC_GC_SHARE_PAGE;
	r->x[1] = GP_RAM_IPA;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void test_kcore_handles_share_without_an_exit(void **state)
{
	struct pt_leaf leaf;
	u64 v = 0;
	u64 runs = sim_vcpu_runs(), fast = sim_vcpu_fast_exits();

	(void)state;
	assert_true(pgt_lookup(&vm_from_id(gp_vmid)->s2, GP_RAM_IPA, &leaf));
	assert_int_equal(sim_host_access(ipa_init(pa_addr(leaf.pa)), false, &v), SIM_ABORTED);
	gp_program(2, step_share, gp_step_wfi);
	/*
	 * One run call, one world switch, two guest entries: the share was
	 * finished on the fast path and never reached the host.
	 */
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(sim_vcpu_runs(), runs + 1);
	assert_int_equal(sim_vcpu_fast_exits(), fast + 1);
	assert_int_equal(gp.nr, 2);
	assert_int_equal(gp.next, 2);
	assert_int_equal(gp.seen[1].x[0], KCORE_OK);
	/* The image's first page is shared now: the host reads the guest's bytes. */
	assert_int_equal(sim_host_access(ipa_init(pa_addr(leaf.pa)), false, &v), SIM_OK);
	assert_int_equal(v, 0x1111111111111111ull);
}

static void step_wfe(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	e->kind = ARCH_EXIT_WFE;
}

/*
 * WFE traps (HCR_EL2.TWE): the host gets KC_EXIT_YIELD and nothing else, so
 * its scheduler may run another vCPU; the guest goes on past the WFE (a WFE
 * may always end early), with its registers as it left them.
 */
static void test_wfe_yields_to_the_host(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(3, step_wfe, step_wfe, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_YIELD);
	for (u32 i = 0; i < 8; i++)
		assert_int_equal(rp->out.raw[i], 0); /* the reason, nothing more */
	assert_int_equal(gp_run(0, 0), KC_EXIT_YIELD);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc + 4);
	for (u32 i = 0; i < 31; i++)
		assert_int_equal(gp.seen[1].x[i], GP_SECRET + i);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[2].pc, gp.seen[1].pc + 4);
}
/*
 * A WFI exit carries the vCPU's timer deadline (what arch_vcpu_timer_deadline
 * says: the simulated machine's is the test's), and only that: no other word
 * of the exit, and no later exit, shows it.
 */
static void test_wfi_carries_the_timer_deadline_only(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(4, gp_step_wfi, gp_step_wfi, step_wfe, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(rp->out.wfi.deadline, KC_WFI_NO_DEADLINE);
	sim_set_wfi_deadline(0xfedcba9876ull);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(rp->out.wfi.deadline, 0xfedcba9876ull);
	for (u32 i = 1; i < 8; i++)
		assert_int_equal(rp->out.raw[i], 0);
	assert_int_equal(gp_run(0, 0), KC_EXIT_YIELD);
	for (u32 i = 0; i < 8; i++)
		assert_int_equal(rp->out.raw[i], 0);
	sim_set_wfi_deadline(KC_WFI_NO_DEADLINE);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(rp->out.wfi.deadline, KC_WFI_NO_DEADLINE);
}

static void step_off(struct vcpu_regs *r, struct arch_exit *e)
{
	r->x[0] = PSCI_SYSTEM_OFF;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void test_system_off_ends_the_vm(void **state)
{
	u64 reason;

	(void)state;
	gp_program(1, step_off);
	assert_int_equal(gp_run(0, 0), KC_EXIT_POWEROFF);
	assert_int_equal(vm_from_id(gp_vmid)->state, VM_POWEROFF);
	assert_int_equal(fx_hc(KC_HC_VCPU_RUN, gp_vmid, 0, gp_run_pa, 0, &reason), KCORE_E_STATE);
}

static void step_cpu_on_outside(struct vcpu_regs *r, struct arch_exit *e)
{
	r->x[0] = PSCI_CPU_ON_64;
	r->x[1] = 1;
	r->x[2] = 0x90000000ull; /* not in a verified image */
	r->x[3] = 0x77;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void step_cpu_on(struct vcpu_regs *r, struct arch_exit *e)
{
	r->x[0] = PSCI_CPU_ON_64;
	r->x[1] = 1;
	r->x[2] = GP_RAM_IPA + 0x100;
	r->x[3] = 0x77;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void test_cpu_on_starts_a_vcpu_where_the_guest_said(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(4, step_cpu_on_outside, step_cpu_on, gp_step_wfi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_VCPU_START);
	/* The first CPU_ON named a PC outside the verified image: refused in the guest. */
	assert_int_equal(gp.seen[1].x[0], (u64)PSCI_E_INVALID_ADDRESS);
	assert_int_equal(rp->out.start.vcpuid, 1);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[2].x[0], 0);
	assert_int_equal(gp_run(1, 0), KC_EXIT_WFI);
	assert_int_equal(gp.vcpuid[3], 1);
	assert_int_equal(gp.seen[3].pc, GP_RAM_IPA + 0x100);
	assert_int_equal(gp.seen[3].x[0], 0x77);
}

static void test_run_page_must_be_the_hosts(void **state)
{
	u64 reason;
	u64 vm_page = fx_host_page();

	(void)state;
	gp_program(0);
	assert_int_equal(
	    fx_hc(KC_HC_VM_DONATE, gp_vmid, GP_RAM_IPA + 0x300000, vm_page, 4096, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VCPU_RUN, gp_vmid, 0, vm_page, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VCPU_RUN, gp_vmid, 0, FX_RAM_BASE, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_RUN, gp_vmid, 0, FX_DEVICE_BASE,
			  0); /* not RAM */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_RUN, gp_vmid, 0, gp_run_pa + 8, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_RUN, gp_vmid, 8, gp_run_pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_RUN, 0x100000000ull | gp_vmid, 0, gp_run_pa, 0);
	(void)reason;
}

static void test_unverified_vm_never_runs(void **state)
{
	u64 id;
	u64 runs = sim_vcpu_runs();

	(void)state;
	gp_program(0);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, id, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_RUN, id, 0, gp_run_pa, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_RUN, gp_vmid, 2, gp_run_pa, 0);
	assert_int_equal(sim_vcpu_runs(), runs);
}

static u64 stolen_page;

static void step_host_steals_run_page(struct vcpu_regs *r, struct arch_exit *e)
{
	/* Another host CPU gives the run page to the VM while this vCPU runs. */
	assert_int_equal(
	    fx_hc(KC_HC_VM_DONATE, gp_vmid, GP_RAM_IPA + 0x400000, stolen_page, 4096, NULL),
	    KCORE_OK);
	gp_step_wfi(r, e);
}

static void test_exit_is_not_written_into_a_page_that_left_the_host(void **state)
{
	u64 reason = 0;

	(void)state;
	stolen_page = gp_run_pa;
	gp_program(1, step_host_steals_run_page);
	assert_int_equal(fx_hc(KC_HC_VCPU_RUN, gp_vmid, 0, gp_run_pa, 0, &reason), KCORE_OK);
	assert_int_equal(reason, KC_EXIT_WFI);
	/* The page is the VM's now: kcore wrote nothing into it. */
	assert_int_equal(fx_owner(gp_run_pa), gp_vmid);
	assert_int_equal(gp_run_page()->out.reason, 0);
	fx_check();
}

static void test_ram_regions_are_checked(void **state)
{
	u64 id;

	(void)state;
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SET_RAM, gp_vmid, 0xc0000000ull, 4096, 0);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SET_RAM, id, 0x80000800ull, 4096, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SET_RAM, id, 0x80000000ull, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SET_RAM, id, 1ull << 40, 4096, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SET_RAM, id, (1ull << 40) - 4096, 8192, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SET_RAM, 0x100000000ull | id, 0, 4096, 0);
	for (u64 i = 0; i < 4; i++)
		assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, id, i << 30, 1ull << 20, 0, NULL),
				 KCORE_OK);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_VM_SET_RAM, id, 0x100000000ull, 4096, 0);
	assert_true(vm_ipa_is_ram(vm_from_id((u32)id), (2ull << 30) + 0xfffff));
	assert_false(vm_ipa_is_ram(vm_from_id((u32)id), (2ull << 30) + 0x100000));
}

static void test_overlapping_ram_region_refused(void **state)
{
	u64 id;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, id, 0x80000000ull, 1ull << 20, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_EXIST, KC_HC_VM_SET_RAM, id, 0x800ff000ull, 8192, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_first_entry_state, gp_setup),
	    cmocka_unit_test_setup(test_wfi_carries_the_timer_deadline_only, gp_setup),
	    cmocka_unit_test_setup(test_mmio_read_fills_only_its_register, gp_setup),
	    cmocka_unit_test_setup(test_mmio_write_shows_only_the_written_bytes, gp_setup),
	    cmocka_unit_test_setup(test_mmio_abort_and_retry, gp_setup),
	    cmocka_unit_test_setup(test_refused_mmio_write_aborts_as_a_write, gp_setup),
	    cmocka_unit_test_setup(test_ram_fault_shows_the_page_not_the_data, gp_setup),
	    cmocka_unit_test_setup(test_guest_call_goes_out_with_id_and_args_only, gp_setup),
	    cmocka_unit_test_setup(test_kcore_handles_share_without_an_exit, gp_setup),
	    cmocka_unit_test_setup(test_wfe_yields_to_the_host, gp_setup),
	    cmocka_unit_test_setup(test_system_off_ends_the_vm, gp_setup),
	    cmocka_unit_test_setup(test_cpu_on_starts_a_vcpu_where_the_guest_said, gp_setup),
	    cmocka_unit_test_setup(test_run_page_must_be_the_hosts, gp_setup),
	    cmocka_unit_test_setup(test_unverified_vm_never_runs, gp_setup),
	    cmocka_unit_test_setup(test_exit_is_not_written_into_a_page_that_left_the_host,
				   gp_setup),
	    cmocka_unit_test_setup(test_ram_regions_are_checked, gp_setup),
	    cmocka_unit_test_setup(test_overlapping_ram_region_refused, gp_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
