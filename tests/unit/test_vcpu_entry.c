/* SPDX-License-Identifier: MIT */
/*
 * Who chooses where a vCPU starts (issue 14, point 5): the host sets the
 * boot vCPU's entry (vCPU 0) and only until the VM first runs; every other
 * vCPU starts only where the guest's PSCI CPU_ON says. Each test performs
 * the host's attack, checks it is refused and changes nothing, and that the
 * guest's vCPU still starts where the guest chose.
 */
#include <kcore/psci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/arch.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/guest_prog.h"

#define GUEST_PC  (GP_RAM_IPA + 0x100) /* where the guest starts vCPU 1 */
#define GUEST_CTX 0x600dc0de
#define HOST_PC	  (GP_RAM_IPA + 0x200) /* where the host would like it to start */
#define HOST_X0	  0xbad

/* vCPU 0's step: PSCI CPU_ON(1, GUEST_PC, GUEST_CTX). */
static void step_cpu_on(struct vcpu_regs *r, struct arch_exit *e)
{
	r->x[0] = PSCI_CPU_ON_64;
	r->x[1] = 1;
	r->x[2] = GUEST_PC;
	r->x[3] = GUEST_CTX;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

/* The guest turned vCPU 1 on; the host tries to move its start. */
static void test_host_cannot_override_cpu_on(void **state)
{
	(void)state;
	gp_program(1, step_cpu_on);
	assert_int_equal(gp_run(0, 0), KC_EXIT_VCPU_START);
	assert_int_equal(gp_run_page()->out.start.vcpuid, 1);

	fx_expect_refused(KCORE_E_PERM, KC_HC_VCPU_SET_ENTRY, gp_vmid, 1, HOST_PC, HOST_X0);

	/* vCPU 1 starts where its guest said, with the guest's context in x0. */
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(1, 0), KC_EXIT_WFI);
	assert_int_equal(gp.vcpuid[0], 1);
	assert_int_equal(gp.seen[0].pc, GUEST_PC);
	assert_int_equal(gp.seen[0].x[0], GUEST_CTX);
}

/* The host starts a vCPU the guest never turned on: refused, and it still cannot run. */
static void test_host_cannot_start_a_secondary(void **state)
{
	(void)state;
	fx_expect_refused(KCORE_E_PERM, KC_HC_VCPU_SET_ENTRY, gp_vmid, 1, HOST_PC, HOST_X0);
	/* Even once the boot vCPU has run. */
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VCPU_SET_ENTRY, gp_vmid, 1, HOST_PC, HOST_X0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VCPU_RUN, gp_vmid, 1, gp_run_pa, 0);
}

/* The boot vCPU's entry is the host's only until the VM first runs. */
static void test_boot_entry_only_before_the_first_run(void **state)
{
	(void)state;
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[0].pc, GP_RAM_IPA + 0x40);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_SET_ENTRY, gp_vmid, 0, HOST_PC, HOST_X0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_host_cannot_override_cpu_on, gp_setup),
	    cmocka_unit_test_setup(test_host_cannot_start_a_secondary, gp_setup),
	    cmocka_unit_test_setup(test_boot_entry_only_before_the_first_run, gp_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
