/* SPDX-License-Identifier: MIT */
/*
 * Guest PSCI 1.1 (core/run/psci.c, Arm DEN0022) on the simulated machine:
 * every function kcore offers, CPU_OFF/CPU_ON cycles with a fresh context
 * each time, the last vCPU's CPU_OFF, and the CPU_ON race (two CPUs of the
 * sim start one vCPU at once: exactly one succeeds, the other is told
 * ALREADY_ON or ON_PENDING, and the winner's entry point stands).
 */
#include <kcore/psci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/guest_prog.h"
#include "tests/lib/race_sched.h"

/* ---- a script of HVCs, one per entry (gp's steps), each with its x0..x3 ---- */

/* What the guest found in x0 at step i: the answer to step i - 1's call. */
static s64 answer(u32 i)
{
	return (s64)gp.seen[i].x[0];
}

#define ENTRY(n) (GP_RAM_IPA + 0x100 + 0x40 * (u64)(n))

static void test_version_features_migrate_info(void **state)
{
	static const u32 offered[] = {
	    PSCI_VERSION,	   PSCI_CPU_SUSPEND_32,	  PSCI_CPU_SUSPEND_64,
	    PSCI_CPU_OFF,	   PSCI_CPU_ON_32,	  PSCI_CPU_ON_64,
	    PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64, PSCI_MIGRATE_INFO_TYPE,
	    PSCI_SYSTEM_OFF,	   PSCI_SYSTEM_RESET,	  PSCI_FEATURES,
	    PSCI_SYSTEM_RESET2_32, PSCI_SYSTEM_RESET2_64, SMCCC_VERSION};
	static const u32 not_offered[] = {PSCI_MIGRATE_32,
					  PSCI_MIGRATE_64,
					  PSCI_MIGRATE_INFO_UP_CPU_32,
					  PSCI_MIGRATE_INFO_UP_CPU_64,
					  PSCI_MEM_PROTECT,
					  0x8400000c /* CPU_FREEZE */,
					  0xc400000e /* SYSTEM_SUSPEND */,
					  0xc4000000 /* VERSION has no SMC64 form */,
					  0xc4000002 /* nor CPU_OFF */,
					  0x8400001f,
					  SMCCC_ARCH_FEATURES /* no PSCI function */,
					  0x86000000};

	(void)state;
	gp_call(0, PSCI_VERSION, 0, 0, 0);
	gp_call(1, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
	gp_call(2, PSCI_MIGRATE_INFO_UP_CPU_64, 0, 0, 0);
	gp_call(3, PSCI_MIGRATE_64, 1, 0, 0);
	gp_call(4, 0xc400001f, 0, 0, 0); /* unknown PSCI id */
	gp_program(6, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(answer(1), PSCI_VERSION_1_1);
	assert_int_equal(answer(2), PSCI_MIGRATE_INFO_NOT_PRESENT);
	assert_int_equal(answer(3), PSCI_E_NOT_SUPPORTED);
	assert_int_equal(answer(4), PSCI_E_NOT_SUPPORTED);
	assert_int_equal(answer(5), PSCI_E_NOT_SUPPORTED);

	for (u32 k = 0; k < ARRAY_SIZE(offered) + ARRAY_SIZE(not_offered); k++) {
		bool yes = k < ARRAY_SIZE(offered);
		u32 fid = yes ? offered[k] : not_offered[k - ARRAY_SIZE(offered)];

		/* The upper half of x1 is not part of the 32-bit function id. */
		gp_call(0, PSCI_FEATURES, (0xabcdull << 32) | fid, 0, 0);
		gp_program(2, gp_step_hvc, gp_step_wfi);
		assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
		if (answer(1) != (yes ? PSCI_SUCCESS : PSCI_E_NOT_SUPPORTED))
			fail_msg("PSCI_FEATURES(%#x) = %" PRId64, fid, answer(1));
	}
}

/*
 * SMCCC v1.1 (DEN0028), which PSCI_FEATURES(SMCCC_VERSION) promises: its two
 * mandatory calls answered by kcore (no exit to the host), the
 * architecture workarounds (and v1.2's SOC_ID) not offered.
 */
static void test_smccc_version_and_arch_features(void **state)
{
	(void)state;
	gp_call(0, SMCCC_VERSION, 0, 0, 0);
	gp_call(1, SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0);
	gp_call(2, SMCCC_ARCH_FEATURES, (0xabcdull << 32) | SMCCC_ARCH_FEATURES, 0, 0);
	gp_call(3, SMCCC_ARCH_FEATURES, 0x80008000 /* ARCH_WORKAROUND_1 */, 0, 0);
	gp_call(4, SMCCC_ARCH_FEATURES, 0x80007fff /* ARCH_WORKAROUND_2 */, 0, 0);
	gp_call(5, SMCCC_ARCH_FEATURES, 0x80000002 /* SOC_ID: SMCCC v1.2 */, 0, 0);
	gp_call(6, PSCI_FEATURES, SMCCC_VERSION, 0, 0);
	gp_program(8, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc,
		   gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(answer(1), SMCCC_VERSION_1_1);
	assert_int_equal(answer(2), PSCI_SUCCESS);
	assert_int_equal(answer(3), PSCI_SUCCESS);
	assert_int_equal(answer(4), SMCCC_NOT_SUPPORTED);
	assert_int_equal(answer(5), SMCCC_NOT_SUPPORTED);
	assert_int_equal(answer(6), SMCCC_NOT_SUPPORTED);
	assert_int_equal(answer(7), PSCI_SUCCESS);
}

/* ---- CPU_ON ---- */

static void test_cpu_on_errors_and_pending(void **state)
{
	(void)state;
	gp_call(0, PSCI_CPU_ON_64, 1ull << 8, ENTRY(0), 0);	 /* Aff1 set: no such CPU */
	gp_call(1, PSCI_CPU_ON_64, 1ull << 32, ENTRY(0), 0);	 /* Aff3 set */
	gp_call(2, PSCI_CPU_ON_64, 1, GP_RAM_IPA + 0x100000, 0); /* outside the image */
	gp_call(3, PSCI_CPU_ON_64, 1, ENTRY(0) + 2, 0);		 /* unaligned */
	gp_call(4, PSCI_CPU_ON_64, 0, ENTRY(0), 0);		 /* itself */
	gp_call(5, PSCI_CPU_ON_64, 1, ENTRY(1), 0x11);		 /* started */
	gp_program(7, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc,
		   gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_VCPU_START);
	assert_int_equal(answer(1), PSCI_E_INVALID_PARAMS);
	assert_int_equal(answer(2), PSCI_E_INVALID_PARAMS);
	assert_int_equal(answer(3), PSCI_E_INVALID_ADDRESS);
	assert_int_equal(answer(4), PSCI_E_INVALID_ADDRESS);
	assert_int_equal(answer(5), PSCI_E_ALREADY_ON);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(answer(6), PSCI_SUCCESS);

	/* Pending: a second CPU_ON (either width) is ON_PENDING and changes nothing. */
	gp_call(0, PSCI_CPU_ON_64, 1, ENTRY(2), 0x22);
	gp_call(1, PSCI_CPU_ON_32, 0xffffffff00000001ull, ENTRY(3), 0x33);
	gp_call(2, PSCI_AFFINITY_INFO_64, 1, 0, 0);
	gp_program(4, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(answer(1), PSCI_E_ON_PENDING);
	assert_int_equal(answer(2), PSCI_E_ON_PENDING);
	assert_int_equal(answer(3), PSCI_AFF_ON_PENDING);
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(1, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[0].pc, ENTRY(1));
	assert_int_equal(gp.seen[0].x[0], 0x11);
}

/* ---- CPU_OFF and CPU_ON cycles ---- */

static void step_cpu_off(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r); /* what the next start must not find */
	r->x[0] = PSCI_CPU_OFF;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void test_cpu_off_on_cycles(void **state)
{
	u64 reason;

	(void)state;
	for (u32 n = 1; n <= 4; n++) {
		/* vCPU 0 starts vCPU 1 at a new entry with a new context. */
		gp_call(0, PSCI_CPU_ON_64, 1, ENTRY(n), 0xc0de00 + n);
		gp_program(2, gp_step_hvc, gp_step_wfi);
		assert_int_equal(gp_run(0, 0), KC_EXIT_VCPU_START);
		assert_int_equal(gp_run_page()->out.start.vcpuid, 1);
		assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
		assert_int_equal(answer(1), PSCI_SUCCESS);

		/* vCPU 1 enters there, afresh, then turns itself off. */
		gp_program(1, step_cpu_off);
		assert_int_equal(gp_run(1, 0), KC_EXIT_VCPU_OFF);
		assert_int_equal(gp.seen[0].pc, ENTRY(n));
		assert_int_equal(gp.seen[0].x[0], 0xc0de00 + n);
		for (u32 i = 1; i < 31; i++)
			assert_int_equal(gp.seen[0].x[i], 0);
		assert_int_equal(gp.seen[0].pstate, 0x3c5); /* the sim's reset: EL1h, DAIF masked */

		/* It is OFF: AFFINITY_INFO says so, the host cannot run it, nor set an entry. */
		gp_call(0, PSCI_AFFINITY_INFO_64, 1, 0, 0);
		gp_call(1, PSCI_AFFINITY_INFO_32, 0, 1, 0); /* the cluster: vCPU 0 is on */
		gp_program(3, gp_step_hvc, gp_step_hvc, gp_step_wfi);
		assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
		assert_int_equal(answer(1), PSCI_AFF_OFF);
		assert_int_equal(answer(2), PSCI_AFF_ON);
		assert_int_equal(fx_hc(KC_HC_VCPU_RUN, gp_vmid, 1, gp_run_pa, 0, &reason),
				 KCORE_E_PERM);
		fx_expect_refused(KCORE_E_PERM, KC_HC_VCPU_SET_ENTRY, gp_vmid, 1, ENTRY(9), 0);
	}
}

/* vCPU 0 turns itself off while vCPU 1 runs; vCPU 1 restarts it, then goes off: not the last. */
static void test_boot_vcpu_off_and_back(void **state)
{
	u64 reason;

	(void)state;
	gp_call(0, PSCI_CPU_ON_64, 1, ENTRY(1), 1);
	gp_program(2, gp_step_hvc, step_cpu_off);
	assert_int_equal(gp_run(0, 0), KC_EXIT_VCPU_START);
	assert_int_equal(gp_run(0, 0), KC_EXIT_VCPU_OFF);
	assert_int_equal(vm_from_id(gp_vmid)->state, VM_VERIFIED);
	/*
	 * The boot vCPU is off, vCPU 1 pending, none has has_run: still the host
	 * may not choose vCPU 0's entry, nor restore a snapshot into the VM.
	 */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_SET_ENTRY, gp_vmid, 0, ENTRY(9), 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_RESTORE_BEGIN, gp_vmid, fx_host_page(), 0, 0);
	assert_int_equal(fx_hc(KC_HC_VCPU_RUN, gp_vmid, 0, gp_run_pa, 0, &reason), KCORE_E_PERM);

	gp_call(1, PSCI_CPU_ON_64, 0, ENTRY(5), 5);
	gp_program(3, gp_step_wfi, gp_step_hvc, step_cpu_off);
	assert_int_equal(gp_run(1, 0), KC_EXIT_WFI);
	assert_int_equal(gp_run(1, 0), KC_EXIT_VCPU_START);
	assert_int_equal(gp_run_page()->out.start.vcpuid, 0);
	/* vCPU 1 goes off with vCPU 0 pending: the VM lives on. */
	assert_int_equal(gp_run(1, 0), KC_EXIT_VCPU_OFF);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_SET_ENTRY, gp_vmid, 0, ENTRY(9), 0);
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[0].pc, ENTRY(5));
	assert_int_equal(gp.seen[0].x[0], 5);
}

/* The last vCPU's CPU_OFF: nothing could start a vCPU again, so the VM powers off. */
static void test_last_cpu_off_powers_off(void **state)
{
	u64 reason;

	(void)state;
	gp_program(1, step_cpu_off);
	assert_int_equal(gp_run(0, 0), KC_EXIT_POWEROFF);
	assert_int_equal(gp_run_page()->out.poweroff.reset, 0);
	assert_int_equal(vm_from_id(gp_vmid)->state, VM_POWEROFF);
	assert_int_equal(fx_hc(KC_HC_VCPU_RUN, gp_vmid, 0, gp_run_pa, 0, &reason), KCORE_E_STATE);
}

/* ---- CPU_SUSPEND ---- */

static void test_cpu_suspend(void **state)
{
	(void)state;
	gp_call(0, PSCI_CPU_SUSPEND_64, 0, 0, 0); /* standby */
	gp_call(1, PSCI_CPU_SUSPEND_32, PSCI_POWER_STATE_TYPE_POWERDOWN | (1u << 24), ENTRY(1), 7);
	gp_call(2, PSCI_CPU_SUSPEND_64, 1u << 17, 0, 0); /* a reserved bit */
	gp_program(4, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	/*
	 * Each suspend is a WFI: the host runs the vCPU again when it likes, and
	 * at the latest at the deadline of the vCPU's armed timer, which the exit
	 * carries as a WFI's does.
	 */
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.next, 1);
	assert_int_equal(gp_run_page()->out.wfi.deadline, KC_WFI_NO_DEADLINE);
	sim_set_wfi_deadline(0x123456789ull);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp_run_page()->out.wfi.deadline, 0x123456789ull);
	sim_set_wfi_deadline(KC_WFI_NO_DEADLINE);
	assert_int_equal(answer(1), PSCI_SUCCESS);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	/* The powerdown state returned SUCCESS where it was called, context kept. */
	assert_int_equal(answer(2), PSCI_SUCCESS);
	assert_int_equal(gp.seen[2].pc, gp.seen[1].pc + 4);
	assert_int_equal(gp.seen[2].x[3], 7);
	assert_int_equal(answer(3), PSCI_E_INVALID_PARAMS);
}

/* ---- AFFINITY_INFO ---- */

static void test_affinity_info_levels(void **state)
{
	(void)state;
	gp_call(0, PSCI_AFFINITY_INFO_64, 1, 4, 0);	     /* no level 4 */
	gp_call(1, PSCI_AFFINITY_INFO_64, 1ull << 31, 0, 0); /* a reserved MPIDR bit */
	gp_call(2, PSCI_AFFINITY_INFO_64, 1ull << 8, 1, 0);  /* no cluster 1 */
	gp_call(3, PSCI_AFFINITY_INFO_64, 1, 1, 0);	     /* vCPU 1's cluster: vCPU 0 on */
	gp_call(4, PSCI_AFFINITY_INFO_64, 0xff, 2, 0);	     /* Aff0 ignored at level 2 */
	gp_call(5, PSCI_AFFINITY_INFO_64, 0, 3, 0);
	gp_call(6, PSCI_AFFINITY_INFO_64, 1ull << 32, 3, 0); /* no Aff3 1 */
	gp_program(8, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc,
		   gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(answer(1), PSCI_E_INVALID_PARAMS);
	assert_int_equal(answer(2), PSCI_E_INVALID_PARAMS);
	assert_int_equal(answer(3), PSCI_E_INVALID_PARAMS);
	assert_int_equal(answer(4), PSCI_AFF_ON);
	assert_int_equal(answer(5), PSCI_AFF_ON);
	assert_int_equal(answer(6), PSCI_AFF_ON);
	assert_int_equal(answer(7), PSCI_E_INVALID_PARAMS);
}

/* ---- SYSTEM_RESET2 ---- */

static void test_system_reset2(void **state)
{
	(void)state;
	gp_call(0, PSCI_SYSTEM_RESET2_64, 1, 0, 0); /* no architectural type 1 */
	gp_call(1, PSCI_SYSTEM_RESET2_32, PSCI_RESET2_TYPE_VENDOR | 3, 0, 0); /* vendor */
	gp_call(2, PSCI_SYSTEM_RESET2_64, PSCI_RESET2_TYPE_WARM_RESET, 0x1234, 0);
	gp_program(4, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_POWEROFF);
	assert_int_equal(answer(1), PSCI_E_INVALID_PARAMS);
	assert_int_equal(answer(2), PSCI_E_NOT_SUPPORTED);
	assert_int_equal(gp.next, 3); /* never entered again */
	assert_int_equal(gp_run_page()->out.poweroff.reset, 1);
	assert_int_equal(vm_from_id(gp_vmid)->state, VM_POWEROFF);
}

/* ---- the CPU_ON race: two CPUs of the sim start vCPU 1 at once ---- */

#define RACE_VCPUS 3u
#define RACE_SEEDS 200u

static struct {
	u32 vmid;
	u64 run_pa[2];
	s64 err[2];
	u64 reason[2];
	s64 refused[2]; /* the loser's answer, as the guest found it */
	u32 steps[RACE_VCPUS];
	bool armed; /* the race is on: vCPUs 0 and 2 call */
} rc;

/* vCPUs 0 and 2 each ask for vCPU 1 once, at their own entry; then wait. */
static void race_guest(void *ctx, u32 vmid, u32 vcpuid, struct vcpu_regs *r, struct arch_exit *e)
{
	u32 step = rc.steps[vcpuid]++;

	(void)ctx;
	(void)vmid;
	if (!rc.armed) {
		e->kind = ARCH_EXIT_WFX;
		return;
	}
	if (vcpuid != 1 && step == 0) {
		r->x[0] = PSCI_CPU_ON_64;
		r->x[1] = 1;
		r->x[2] = ENTRY(vcpuid);
		r->x[3] = 0xc0de00 + vcpuid;
		r->pc += 4;
		e->kind = ARCH_EXIT_HVC;
		return;
	}
	if (vcpuid != 1 && step == 1)
		rc.refused[vcpuid / 2] = (s64)r->x[0];
	e->kind = ARCH_EXIT_WFX;
}

static void race_cpu_main(u32 cpu, void *arg)
{
	u32 vcpu = cpu == 0 ? 0 : 2;

	(void)arg;
	/* No cmocka assertion on a race CPU's thread: the test checks after race_run. */
	rc.err[cpu] = fx_hc(KC_HC_VCPU_RUN, rc.vmid, vcpu, rc.run_pa[cpu], 0, &rc.reason[cpu]);
	race_step_done();
}

static u32 race_violations;

static void race_quiet(void *arg)
{
	(void)arg;
	race_violations += kcore_check_invariants();
}

static void test_cpu_on_race(void **state)
{
	static u8 payload[8192];
	u32 wins[2] = {0, 0};

	(void)state;
	memset(payload, 0x11, sizeof(payload));
	for (u64 seed = 1; seed <= RACE_SEEDS; seed++) {
		struct race_config cfg = {
		    .nr_cpus = 2, .seed = seed, .cpu = race_cpu_main, .quiet = race_quiet};
		struct race_stats st;
		u64 reason = 0;
		u32 winner;
		struct vm *vm;

		fx_boot(NULL);
		memset(&rc, 0, sizeof(rc));
		rc.vmid = fx_boot_vm(RACE_VCPUS, payload, sizeof(payload));
		vm = vm_from_id(rc.vmid);
		for (u32 c = 0; c < 2; c++) {
			rc.run_pa[c] = fx_host_page();
			memset(sim_ram_ptr(pa_init(rc.run_pa[c])), 0, 4096);
		}
		sim_set_guest(race_guest, NULL);
		/* vCPU 2 must run to call: vCPU 0 starts it first, and it runs once. */
		assert_int_equal(fx_guest_cpu_on(rc.vmid, 0, 2, ENTRY(7), 0), 0);
		sim_set_guest(race_guest, NULL);
		assert_int_equal(fx_hc(KC_HC_VCPU_RUN, rc.vmid, 2, rc.run_pa[1], 0, &reason),
				 KCORE_OK);
		assert_int_equal(reason, KC_EXIT_WFI);
		memset(rc.steps, 0, sizeof(rc.steps));
		rc.armed = true;

		race_run(&cfg, &st);
		assert_int_equal(race_violations, 0);
		assert_int_equal(rc.err[0], KCORE_OK);
		assert_int_equal(rc.err[1], KCORE_OK);
		/* Exactly one start: that CPU's run ended with it, the other's guest was refused.
		 */
		if ((rc.reason[0] == KC_EXIT_VCPU_START) == (rc.reason[1] == KC_EXIT_VCPU_START))
			fail_msg("seed %" PRIu64 ": exits %" PRIu64 " and %" PRIu64, seed,
				 rc.reason[0], rc.reason[1]);
		winner = rc.reason[0] == KC_EXIT_VCPU_START ? 0 : 1;
		wins[winner]++;
		assert_int_equal(rc.reason[1 - winner], KC_EXIT_WFI);
		if (rc.refused[1 - winner] != PSCI_E_ON_PENDING &&
		    rc.refused[1 - winner] != PSCI_E_ALREADY_ON)
			fail_msg("seed %" PRIu64 ": the loser got %" PRId64, seed,
				 rc.refused[1 - winner]);
		/* The winner's entry and context stand. */
		assert_int_equal(vm->vcpus[1].entry_pc, ENTRY(winner * 2));
		assert_int_equal(vm->vcpus[1].entry_x0, 0xc0de00 + winner * 2);
		assert_int_equal(vm->vcpus[(size_t)winner * 2].regs.x[0], PSCI_SUCCESS);
		assert_int_equal(kcore_check_invariants(), 0);
	}
	/* The seeds interleave both ways. */
	assert_true(wins[0] > 0 && wins[1] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_version_features_migrate_info, gp_setup),
	    cmocka_unit_test_setup(test_smccc_version_and_arch_features, gp_setup),
	    cmocka_unit_test_setup(test_cpu_on_errors_and_pending, gp_setup),
	    cmocka_unit_test_setup(test_cpu_off_on_cycles, gp_setup),
	    cmocka_unit_test_setup(test_boot_vcpu_off_and_back, gp_setup),
	    cmocka_unit_test_setup(test_last_cpu_off_powers_off, gp_setup),
	    cmocka_unit_test_setup(test_cpu_suspend, gp_setup),
	    cmocka_unit_test_setup(test_affinity_info_levels, gp_setup),
	    cmocka_unit_test_setup(test_system_reset2, gp_setup),
	    cmocka_unit_test(test_cpu_on_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
