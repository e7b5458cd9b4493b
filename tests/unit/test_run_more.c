/* SPDX-License-Identifier: MIT */
/*
 * More of running vCPUs (core/run/run.c): PSCI as kcore answers it, every
 * abort kcore injects instead of exiting, IRQ and unknown exits, and MMIO
 * reads of every size and extension. Same guest harness as test_run.c.
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
#include "core/kcore.h"
#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/guest_prog.h"

/* ---- PSCI: a script of calls, each answered by kcore without an exit ---- */

static void test_psci_version_and_features(void **state)
{
	(void)state;
	gp_call(0, 0x84000000, 0, 0, 0);	   /* VERSION */
	gp_call(1, 0x8400000a, 0x84000000, 0, 0);  /* FEATURES(VERSION) */
	gp_call(2, 0x8400000a, 0xc4000001, 0, 0);  /* FEATURES(CPU_SUSPEND) */
	gp_call(3, 0x8400000a, 0xc4000003, 0, 0);  /* FEATURES(CPU_ON_64) */
	gp_call(4, 0x8400000a, 0x84000008, 0, 0);  /* FEATURES(SYSTEM_OFF) */
	gp_call(5, 0x8400000a, 0x84000009, 0, 0);  /* FEATURES(SYSTEM_RESET) */
	gp_call(6, 0x8400000a, 0x84000002, 0, 0);  /* FEATURES(CPU_OFF) */
	gp_call(7, 0x8400000a, 0xc4000004, 0, 0);  /* FEATURES(AFFINITY_INFO_64) */
	gp_call(8, 0x8400000a, 0x8400000a, 0, 0);  /* FEATURES(FEATURES) */
	gp_call(9, 0x8400000a, 0x84000004, 0, 0);  /* FEATURES(AFFINITY_INFO_32) */
	gp_call(10, 0x8400000a, 0x84000003, 0, 0); /* FEATURES(CPU_ON_32) */
	gp_program(12, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc,
		   gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].x[0], PSCI_VERSION_1_1);
	assert_int_equal(gp.seen[2].x[0], 0);
	assert_int_equal(gp.seen[3].x[0], 0); /* CPU_SUSPEND: no flags (original format) */
	assert_int_equal(gp.seen[4].x[0], 0);
	assert_int_equal(gp.seen[5].x[0], 0);
	assert_int_equal(gp.seen[6].x[0], 0);
	assert_int_equal(gp.seen[7].x[0], 0);
	assert_int_equal(gp.seen[8].x[0], 0);
	assert_int_equal(gp.seen[9].x[0], 0);
	assert_int_equal(gp.seen[10].x[0], 0);
	assert_int_equal(gp.seen[11].x[0], 0);
}

static void test_psci_unsupported_calls(void **state)
{
	(void)state;
	gp_call(0, 0xc4000005, 0, 0, 0); /* MIGRATE */
	gp_call(1, 0x84000007, 0, 0, 0); /* MIGRATE_INFO_UP_CPU */
	gp_call(2, 0xc400000e, 0, 0, 0); /* SYSTEM_SUSPEND */
	gp_call(3, 0xc400001f, 0, 0, 0); /* last of the PSCI range */
	gp_program(5, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	for (u32 i = 1; i <= 4; i++)
		assert_int_equal(gp.seen[i].x[0], (u64)PSCI_E_NOT_SUPPORTED);
	/* Just past the PSCI range: a call for the host. */
	gp_call(0, 0x84000020, 5, 0, 0);
	gp_program(1, gp_step_hvc);
	assert_int_equal(gp_run(0, 0), KC_EXIT_GUEST_CALL);
	assert_int_equal(gp_run_page()->out.call.fid, 0x84000020);
	assert_int_equal(gp_run_page()->out.call.args[0], 5);
}

static void test_psci_affinity_info(void **state)
{
	(void)state;
	gp_call(0, 0xc4000004, 0, 0, 0);		 /* vCPU 0: running */
	gp_call(1, 0xc4000004, 1, 0, 0);		 /* vCPU 1: off */
	gp_call(2, 0xc4000004, 1, 1, 0);		 /* level 1: vCPU 0's cluster, on */
	gp_call(3, 0xc4000004, 4, 0, 0);		 /* beyond max_vcpus */
	gp_call(4, 0x84000004, 3, 0, 0);		 /* unregistered: off */
	gp_call(5, 0xc4000003, 1, GP_RAM_IPA + 0x80, 9); /* CPU_ON vCPU 1 */
	gp_program(7, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc,
		   gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_VCPU_START);
	assert_int_equal(gp_run_page()->out.start.vcpuid, 1);
	assert_int_equal(gp.seen[1].x[0], 0);
	assert_int_equal(gp.seen[2].x[0], 1);
	assert_int_equal(gp.seen[3].x[0], 0);
	assert_int_equal(gp.seen[4].x[0], (u64)PSCI_E_INVALID_PARAMS);
	assert_int_equal(gp.seen[5].x[0], 1);
	/* vCPU 1 started but has not run: ON_PENDING, from either width. */
	gp_call(0, 0xc4000004, 1, 0, 0);
	gp_call(1, 0x84000004, 1, 0, 0);
	gp_program(3, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[0].x[0], 0); /* CPU_ON's success */
	assert_int_equal(gp.seen[1].x[0], 2);
	assert_int_equal(gp.seen[2].x[0], 2);
	/* Once it has run: ON, and CPU_ON to it is refused as already on. */
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(1, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[0].pc, GP_RAM_IPA + 0x80);
	assert_int_equal(gp.seen[0].x[0], 9);
	gp_call(0, 0xc4000004, 1, 0, 0);
	gp_call(1, 0xc4000003, 1, GP_RAM_IPA + 0x80, 0);
	gp_program(3, gp_step_hvc, gp_step_hvc, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].x[0], 0);
	assert_int_equal(gp.seen[2].x[0], (u64)PSCI_E_ALREADY_ON);
}

static void test_psci_cpu_on_refusals(void **state)
{
	(void)state;
	gp_call(0, 0xc4000003, 4, GP_RAM_IPA, 0);	       /* beyond max_vcpus */
	gp_call(1, 0xc4000003, 2, GP_RAM_IPA, 0);	       /* not registered */
	gp_call(2, 0xc4000003, 0, GP_RAM_IPA, 0);	       /* itself: already on */
	gp_call(3, 0xc4000003, 1, GP_RAM_IPA + 0x102, 0);      /* unaligned entry */
	gp_call(4, 0x84000003, 0x100000000ull, GP_RAM_IPA, 0); /* 32-bit: target 0, on */
	gp_call(5, 0xc4000003, 0x100000001ull, GP_RAM_IPA, 0); /* 64-bit: no such vCPU */
	gp_program(7, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc, gp_step_hvc,
		   gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].x[0], (u64)PSCI_E_INVALID_PARAMS);
	assert_int_equal(gp.seen[2].x[0], (u64)PSCI_E_INVALID_PARAMS);
	assert_int_equal(gp.seen[3].x[0], (u64)PSCI_E_ALREADY_ON);
	assert_int_equal(gp.seen[4].x[0], (u64)PSCI_E_INVALID_ADDRESS);
	assert_int_equal(gp.seen[5].x[0], (u64)PSCI_E_ALREADY_ON);
	assert_int_equal(gp.seen[6].x[0], (u64)PSCI_E_INVALID_PARAMS);
	/* None of them started anything. */
	assert_false(vm_from_id(gp_vmid)->vcpus[1].entry_set);
}

static void test_system_reset_powers_off(void **state)
{
	(void)state;
	gp_call(0, 0x84000009, 0, 0, 0);
	gp_program(1, gp_step_hvc);
	assert_int_equal(gp_run(0, 0), KC_EXIT_POWEROFF);
	assert_int_equal(gp_run_page()->out.poweroff.reset, 1);
	assert_int_equal(vm_from_id(gp_vmid)->state, VM_POWEROFF);
}

static void test_system_off_is_not_a_reset(void **state)
{
	(void)state;
	gp_call(0, 0x84000008, 0, 0, 0);
	gp_program(1, gp_step_hvc);
	assert_int_equal(gp_run(0, 0), KC_EXIT_POWEROFF);
	assert_int_equal(gp_run_page()->out.poweroff.reset, 0);
}

/* Another vCPU powers the VM off while this one runs: it stops at its next entry. */
static void step_other_vcpu_powers_off(struct vcpu_regs *r, struct arch_exit *e)
{
	vm_guest_poweroff(gp_vmid);
	r->x[0] = 0x84000000; /* PSCI_VERSION: handled, would re-enter */
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void test_poweroff_by_another_vcpu_stops_this_one(void **state)
{
	(void)state;
	gp_program(2, step_other_vcpu_powers_off, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_POWEROFF);
	assert_int_equal(gp.next, 1); /* never entered again */
	assert_int_equal(gp_run_page()->out.poweroff.reset, 0);
}

/* ---- aborts, IRQs, unknown exits ---- */

static struct arch_exit next_exit;

static void step_exit(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	*e = next_exit;
}

static struct vcpu *vcpu0(void)
{
	return &vm_from_id(gp_vmid)->vcpus[0];
}

static void test_instruction_abort_in_ram_is_a_mem_fault(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	next_exit = (struct arch_exit){
	    .kind = ARCH_EXIT_IABT, .ipa = GP_RAM_IPA + 0x305123, .translation = true};
	gp_program(1, step_exit);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MEM_FAULT);
	assert_int_equal(rp->out.fault.ipa, GP_RAM_IPA + 0x305000);
	assert_int_equal(rp->out.fault.is_exec, 1);
	assert_int_equal(rp->out.fault.is_write, 0);
	assert_int_equal(vcpu0()->arch.iabts, 0);
}

static void test_instruction_abort_outside_ram_is_injected(void **state)
{
	(void)state;
	next_exit = (struct arch_exit){
	    .kind = ARCH_EXIT_IABT, .ipa = GP_RAM_IPA + GP_RAM_SIZE + 0x10, .translation = true};
	gp_program(2, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(vcpu0()->arch.iabts, 1);
	assert_int_equal(vcpu0()->arch.dabts, 0);
	assert_int_equal(vcpu0()->arch.last_abort_ipa, GP_RAM_IPA + GP_RAM_SIZE + 0x10);
}

static void test_data_abort_without_isv_is_injected(void **state)
{
	(void)state;
	next_exit = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				       .ipa = GP_MMIO_IPA + 0x20,
				       .translation = true,
				       .isv = false,
				       .write = true,
				       .size = 4};
	gp_program(2, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(vcpu0()->arch.dabts, 1);
	assert_int_equal(vcpu0()->arch.write_aborts, 1);
	assert_int_equal(vcpu0()->arch.last_abort_ipa, GP_MMIO_IPA + 0x20);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc); /* not stepped */
}

static void test_permission_fault_outside_ram_is_injected(void **state)
{
	(void)state;
	next_exit = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				       .ipa = GP_MMIO_IPA + 0x28,
				       .translation = false,
				       .isv = true,
				       .size = 4,
				       .rt = 2};
	gp_program(2, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(vcpu0()->arch.dabts, 1);
	assert_int_equal(vcpu0()->arch.write_aborts, 0);
}

static void test_permission_fault_in_ram_is_injected(void **state)
{
	(void)state;
	next_exit = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				       .ipa = GP_RAM_IPA + 0x10,
				       .translation = false,
				       .isv = true,
				       .write = true,
				       .size = 8,
				       .rt = 1};
	gp_program(2, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(vcpu0()->arch.dabts, 1);
	assert_int_equal(vcpu0()->arch.write_aborts, 1);
	assert_int_equal(vcpu0()->arch.last_abort_ipa, GP_RAM_IPA + 0x10);
	/* An instruction fetch from a page it may not execute: the same. */
	next_exit = (struct arch_exit){
	    .kind = ARCH_EXIT_IABT, .ipa = GP_RAM_IPA + 0x20, .translation = false};
	gp_program(2, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(vcpu0()->arch.iabts, 1);
}

static void test_irq_exit(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	next_exit = (struct arch_exit){.kind = ARCH_EXIT_IRQ};
	gp_program(2, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_IRQ);
	for (u32 i = 0; i < 8; i++)
		assert_int_equal(rp->out.raw[i], 0);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc); /* resumed where it was */
	assert_int_equal(gp.seen[1].x[3], GP_SECRET + 3);
}

static void test_unknown_exit_injects_undef(void **state)
{
	(void)state;
	next_exit = (struct arch_exit){.kind = ARCH_EXIT_UNKNOWN};
	gp_program(3, step_exit, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(vcpu0()->arch.undefs, 2);
	assert_int_equal(vcpu0()->arch.dabts, 0);
	assert_int_equal(gp.next, 3);
}

/*
 * Issue 16, point 7: a trapped access to the registers of a feature kcore
 * hides (the PMU, SPE, the trace unit, MTE, AMU) is an undefined
 * instruction in the guest, never a half-working view: the register named
 * by rt keeps its value, the PC does not move past it (the injection
 * decides where the guest goes), and the host hears nothing of it.
 */
static void test_hidden_feature_sysreg_undefined(void **state)
{
	static const u32 hidden[] = {
	    ARCH_SYSREG(3, 3, 9, 12, 0), /* PMCR_EL0 */
	    ARCH_SYSREG(3, 3, 9, 13, 0), /* PMCCNTR_EL0 */
	    ARCH_SYSREG(3, 0, 9, 14, 1), /* PMINTENSET_EL1 */
	    ARCH_SYSREG(3, 0, 9, 9, 7),	 /* PMSIDR_EL1 (SPE) */
	    ARCH_SYSREG(2, 1, 0, 8, 7),	 /* TRCIDR0 (trace unit) */
	    ARCH_SYSREG(3, 0, 1, 0, 6),	 /* GCR_EL1 (MTE) */
	    ARCH_SYSREG(3, 3, 13, 2, 0), /* AMCR_EL0 (AMU) */
	};

	(void)state;
	for (u32 i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		u64 undefs = vcpu0()->arch.undefs;

		next_exit = (struct arch_exit){
		    .kind = ARCH_EXIT_SYSREG, .sysreg = hidden[i], .rt = 5, .write = false};
		gp_program(2, step_exit, gp_step_wfi);
		assert_int_equal(gp_run(0, 0),
				 KC_EXIT_WFI); /* the first exit never reached the host */
		assert_int_equal(vcpu0()->arch.undefs, undefs + 1);
		assert_int_equal(gp.seen[1].x[5], GP_SECRET + 5); /* no value was "read" */
		assert_int_equal(gp.seen[1].pc, gp.seen[0].pc);	  /* not stepped past */
	}
}

/* ---- MMIO reads: size, sign extension, register width ---- */

static void mmio_read(u32 size, bool sign, bool reg64, u32 rt, u64 value, u64 expect)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	next_exit = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				       .ipa = GP_MMIO_IPA + 0x40,
				       .translation = true,
				       .isv = true,
				       .size = size,
				       .rt = rt,
				       .sign_extend = sign,
				       .reg64 = reg64};
	gp_program(2, step_exit, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	assert_int_equal(rp->out.mmio.size, size);
	assert_int_equal(rp->out.mmio.value, 0);
	rp->in.mmio_value = value;
	assert_int_equal(gp_run(0, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc + 4);
	for (u32 i = 0; i < 31; i++) {
		if (i == rt)
			assert_int_equal(gp.seen[1].x[i], expect);
		else
			assert_int_equal(gp.seen[1].x[i], GP_SECRET + i);
	}
}

static void test_mmio_read_sizes_and_extension(void **state)
{
	(void)state;
	mmio_read(1, false, true, 4, 0xffffff80ull, 0x80);
	mmio_read(1, true, true, 4, 0xffffff80ull, 0xffffffffffffff80ull);
	mmio_read(1, true, true, 4, 0x7full, 0x7f);
	mmio_read(1, true, false, 6, 0x80ull, 0xffffff80ull);
	mmio_read(2, false, false, 0, 0x12348001ull, 0x8001);
	mmio_read(4, false, true, 9, 0xaaaaaaaa80000000ull, 0x80000000ull);
	mmio_read(4, true, true, 9, 0xaaaaaaaa80000000ull, 0xffffffff80000000ull);
	mmio_read(4, true, false, 9, 0xaaaaaaaa80000000ull, 0x80000000ull);
	mmio_read(4, false, false, 30, 0x123456789ull, 0x23456789ull);
	mmio_read(8, false, true, 1, 0x8877665544332211ull, 0x8877665544332211ull);
	mmio_read(8, true, true, 1, 0x8877665544332211ull, 0x8877665544332211ull);
	mmio_read(8, false, false, 2, 0x8877665544332211ull, 0x44332211ull);
}

static void test_mmio_read_into_xzr_is_discarded(void **state)
{
	(void)state;
	/* rt 31 is XZR: no register changes, every secret stays where it was. */
	mmio_read(8, false, true, 31, 0x5555555555555555ull, 0);
}

static void step_write_xzr(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				.ipa = GP_MMIO_IPA + 0x48,
				.translation = true,
				.isv = true,
				.write = true,
				.size = 4,
				.rt = 31,
				.reg64 = false};
}

static void test_mmio_write_of_xzr_is_zero(void **state)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	(void)state;
	gp_program(2, step_write_xzr, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	assert_int_equal(rp->out.mmio.is_write, 1);
	assert_int_equal(rp->out.mmio.value, 0);
	assert_int_equal(gp_run(0, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
	assert_int_equal(gp.seen[1].pc, gp.seen[0].pc + 4);
}

/* ---- the fast path: calls kcore answers without a world switch ---- */

static void step_version(struct vcpu_regs *r, struct arch_exit *e)
{
	r->x[0] = KC_GC_VERSION;
	r->pc += 4;
	e->kind = ARCH_EXIT_HVC;
}

static void step_version_after_sibling_poweroff(struct vcpu_regs *r, struct arch_exit *e)
{
	/* A sibling on another CPU powers the VM off while this vCPU is in the guest. */
	vm_guest_poweroff(gp_vmid);
	step_version(r, e);
}

static void test_fast_path_answers_in_the_guest_world(void **state)
{
	u64 runs = sim_vcpu_runs(), fast = sim_vcpu_fast_exits();

	(void)state;
	/* Three fast calls and a WFI: one world switch, four entries. */
	gp_program(4, step_version, step_version, step_version, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(sim_vcpu_runs(), runs + 1);
	assert_int_equal(sim_vcpu_fast_exits(), fast + 3);
	for (u32 i = 1; i < 4; i++) {
		assert_int_equal(gp.seen[i].x[0], KCORE_OK);
		assert_int_equal(gp.seen[i].x[1], ((u64)KCORE_ABI_MAJOR << 16) | KCORE_ABI_MINOR);
	}
}

static void test_fast_path_stops_at_a_poweroff(void **state)
{
	(void)state;
	/* The call is still answered, but the run ends: the VM is off. */
	gp_program(2, step_version_after_sibling_poweroff, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_POWEROFF);
	assert_int_equal(gp.next, 1);
	assert_int_equal(vm_from_id(gp_vmid)->vcpus[0].regs.x[0], KCORE_OK);
	assert_int_equal(vm_from_id(gp_vmid)->state, VM_POWEROFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_psci_version_and_features, gp_setup),
	    cmocka_unit_test_setup(test_psci_unsupported_calls, gp_setup),
	    cmocka_unit_test_setup(test_psci_affinity_info, gp_setup),
	    cmocka_unit_test_setup(test_psci_cpu_on_refusals, gp_setup),
	    cmocka_unit_test_setup(test_system_reset_powers_off, gp_setup),
	    cmocka_unit_test_setup(test_system_off_is_not_a_reset, gp_setup),
	    cmocka_unit_test_setup(test_poweroff_by_another_vcpu_stops_this_one, gp_setup),
	    cmocka_unit_test_setup(test_instruction_abort_in_ram_is_a_mem_fault, gp_setup),
	    cmocka_unit_test_setup(test_instruction_abort_outside_ram_is_injected, gp_setup),
	    cmocka_unit_test_setup(test_data_abort_without_isv_is_injected, gp_setup),
	    cmocka_unit_test_setup(test_permission_fault_outside_ram_is_injected, gp_setup),
	    cmocka_unit_test_setup(test_permission_fault_in_ram_is_injected, gp_setup),
	    cmocka_unit_test_setup(test_irq_exit, gp_setup),
	    cmocka_unit_test_setup(test_unknown_exit_injects_undef, gp_setup),
	    cmocka_unit_test_setup(test_hidden_feature_sysreg_undefined, gp_setup),
	    cmocka_unit_test_setup(test_mmio_read_sizes_and_extension, gp_setup),
	    cmocka_unit_test_setup(test_mmio_read_into_xzr_is_discarded, gp_setup),
	    cmocka_unit_test_setup(test_mmio_write_of_xzr_is_zero, gp_setup),
	    cmocka_unit_test_setup(test_fast_path_answers_in_the_guest_world, gp_setup),
	    cmocka_unit_test_setup(test_fast_path_stops_at_a_poweroff, gp_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
