/* SPDX-License-Identifier: MIT */
/*
 * Virtual interrupts (core/vm/virq.c): SGIs a guest sends its own vCPUs by
 * writing ICC_SGI1R_EL1 (trapped), the host's injection of device interrupts
 * (KC_HC_VCPU_INJECT_IRQ) and its refusals, and delivery into the list
 * registers at the next entry, including when they are all busy; and what
 * kcore adds to the guest's GIC registers (core/run/gic_view.c): the pending
 * state it holds in a pending register's read, the guest's PPI enables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/arch.h"
#include "core/vm/virq.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/guest_prog.h"

static u64 sgi_value;
static u32 sgi_reg = ARCH_SYSREG_ICC_SGI1R;
static bool sgi_write = true;

/* A step: write sgi_value to sgi_reg through x7 (an MSR that traps). */
static void step_sgi(struct vcpu_regs *r, struct arch_exit *e)
{
	r->x[7] = sgi_value;
	*e = (struct arch_exit){
	    .kind = ARCH_EXIT_SYSREG, .sysreg = sgi_reg, .rt = 7, .write = sgi_write};
}

/* The intids now in a vCPU's simulated list registers, as a bit mask; and empties them. */
static u64 take_lrs(u32 vcpuid)
{
	struct vcpu *v = &vm_from_id(gp_vmid)->vcpus[vcpuid];
	u64 mask = 0;

	for (u32 i = 0; i < SIM_VCPU_NR_LRS; i++) {
		u64 lr = v->arch.lr[i];

		if (lr != 0) {
			assert_true((lr & SIM_LR_VALID) != 0);
			mask |= 1ull << (lr & 63);
			v->arch.lr[i] = 0;
		}
	}
	return mask;
}

static u64 take_lrs_high(u32 vcpuid, u32 base)
{
	struct vcpu *v = &vm_from_id(gp_vmid)->vcpus[vcpuid];
	u64 mask = 0;

	for (u32 i = 0; i < SIM_VCPU_NR_LRS; i++) {
		u64 lr = v->arch.lr[i];

		if (lr != 0) {
			u32 intid = (u32)(lr & 0xffff);

			assert_true(intid >= base && intid < base + 64);
			mask |= 1ull << (intid - base);
			v->arch.lr[i] = 0;
		}
	}
	return mask;
}

static int setup(void **state)
{
	gp_setup(state);
	/* vCPU 1 may run too: the guest's vCPU 0 turns it on (PSCI CPU_ON). */
	assert_int_equal(fx_guest_cpu_on(gp_vmid, 0, 1, GP_RAM_IPA + 0x80, 0), 0);
	sgi_reg = ARCH_SYSREG_ICC_SGI1R;
	sgi_write = true;
	return 0;
}

static void test_sgi_to_another_vcpu_kicks_the_host(void **state)
{
	u64 pc;

	(void)state;
	sgi_value = (5ull << 24) | (1u << 1); /* SGI 5 to vCPU 1 */
	gp_program(2, step_sgi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_KICK);
	assert_int_equal(gp_run_page()->out.kick.vcpus, 1u << 1);
	/* The host learns which vCPUs, nothing of the sender's registers. */
	for (u32 i = 1; i < 8; i++)
		assert_int_equal(gp_run_page()->out.raw[i], 0);
	pc = vm_from_id(gp_vmid)->vcpus[0].regs.pc;
	assert_int_equal(take_lrs(0), 0);

	/* vCPU 1 finds SGI 5 in a list register at its next entry. */
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(1, 0), KC_EXIT_WFI);
	assert_int_equal(take_lrs(1), 1u << 5);

	/* The sender resumes after its MSR. */
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.seen[0].pc, pc);
}

static void test_sgi_broadcast_and_self(void **state)
{
	(void)state;
	/* IRM: every other vCPU. */
	sgi_value = (1ull << 40) | (3ull << 24);
	gp_program(2, step_sgi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_KICK);
	assert_int_equal(gp_run_page()->out.kick.vcpus, 1u << 1);
	assert_int_equal(take_lrs(0), 0);

	/* To itself only: no exit, delivered at the very next entry of the same run. */
	sgi_value = (9ull << 24) | 1u;
	gp_program(2, step_sgi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(gp.nr, 2);
	assert_int_equal(take_lrs(0), 1u << 9);

	gp_program(1, gp_step_wfi);
	gp_run(1, 0);
	assert_int_equal(take_lrs(1), 1u << 3);
}

static void test_sgi_to_nobody(void **state)
{
	(void)state;
	/* vCPU 5 is not registered; a target with Aff1 != 0 does not exist. */
	sgi_value = (2ull << 24) | (1u << 5);
	gp_program(2, step_sgi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	sgi_value = (2ull << 24) | (1ull << 16) | (1u << 1);
	gp_program(2, step_sgi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++) {
		struct vcpu *v = &vm_from_id(gp_vmid)->vcpus[i];

		for (u32 w = 0; w < VIRQ_WORDS; w++)
			assert_int_equal(v->virq_pending[w], 0);
	}
	assert_int_equal(take_lrs(0) | take_lrs(1), 0);
}

static void test_other_sysregs_are_undefined(void **state)
{
	struct vcpu *v;

	(void)state;
	v = &vm_from_id(gp_vmid)->vcpus[0];
	/* A read of ICC_SGI1R_EL1 (write-only), and some other trapped register. */
	sgi_write = false;
	sgi_value = (1u << 1);
	gp_program(2, step_sgi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(v->arch.undefs, 1);
	sgi_write = true;
	sgi_reg = ARCH_SYSREG(3, 0, 12, 11, 6); /* ICC_ASGI1R_EL1 */
	gp_program(2, step_sgi, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	assert_int_equal(v->arch.undefs, 2);
	assert_int_equal(take_lrs(1), 0);
}

static void test_host_injects_device_interrupts(void **state)
{
	(void)state;
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 33, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 33, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 23, 0, NULL), KCORE_OK);
	fx_check();
	gp_program(1, gp_step_wfi);
	gp_run(0, 0);
	/* Twice pending is pending once; a PPI the host emulates is allowed. */
	assert_int_equal(take_lrs_high(0, 0), (1ull << 33) | (1ull << 23));
}

static void test_busy_list_registers_keep_the_rest(void **state)
{
	(void)state;
	for (u32 i = 0; i < 6; i++)
		assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 1, 64 + i, 0, NULL),
				 KCORE_OK);
	gp_program(1, gp_step_wfi);
	gp_run(1, 0);
	assert_int_equal(take_lrs_high(1, 64), 0x0f); /* four list registers: the lowest four */
	gp_program(1, gp_step_wfi);
	gp_run(1, 0);
	assert_int_equal(take_lrs_high(1, 64), 0x30);
}

static void test_inject_refused(void **state)
{
	u64 other;

	(void)state;
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, 0, 0, 40, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid + (1ull << 32), 0, 40, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid, KCORE_MAX_VCPUS, 40, 0);
	/* SGIs are the guest's, the two timers are kcore's, 1020.. are not interrupts. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 1, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 15, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 27, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 30, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 1020, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 40 + (1ull << 32), 0);
	/* A vCPU that is not registered, a VM that is not verified, one powered off. */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 2, 40, 0);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &other), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, other, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_INJECT_IRQ, other, 0, 40, 0);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 40, 0);
}

static void test_reregistered_vcpu_starts_clean(void **state)
{
	u64 vmid;
	u64 pending = 0;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 1, 50, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, gp_vmid, 0, 1ull << 40, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_FREE, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	assert_int_equal(vmid, gp_vmid);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 1, 0, 0, NULL), KCORE_OK);
	for (u32 w = 0; w < VIRQ_WORDS; w++)
		pending |= vm_from_id(vmid)->vcpus[1].virq_pending[w];
	assert_int_equal(pending, 0);
	fx_check();
}

/* ---- the guest's view of its GIC (core/run/gic_view.c) ---------------------------- */

#define GICD	      0x08000000ull
#define GICR(cpu)     (0x080a0000ull + 0x20000ull * (cpu))
#define GICR_SGI(cpu) (GICR(cpu) + 0x10000ull)

static u64 gic_ipa;
static u32 gic_size = 4;
static u64 gic_write_value;

/* A step: a 32-bit read of gic_ipa into x5. */
static void step_gic_read(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				.ipa = gic_ipa,
				.translation = true,
				.isv = true,
				.size = gic_size,
				.rt = 5};
}

/* A step: a write of gic_write_value to gic_ipa from x6. */
static void step_gic_write(struct vcpu_regs *r, struct arch_exit *e)
{
	gp_fill_secrets(r);
	r->x[6] = gic_write_value;
	*e = (struct arch_exit){.kind = ARCH_EXIT_DABT,
				.ipa = gic_ipa,
				.translation = true,
				.isv = true,
				.size = gic_size,
				.rt = 6,
				.write = true};
}

/* vCPU vcpuid reads gic_ipa, the host answers host_value: what the guest got. */
static u64 guest_reads(u32 vcpuid, u64 ipa, u64 host_value)
{
	struct kcore_vcpu_run *rp = gp_run_page();

	gic_ipa = ipa;
	gp_program(2, step_gic_read, gp_step_wfi);
	assert_int_equal(gp_run(vcpuid, 0), KC_EXIT_MMIO);
	/* The host learns the access, nothing of what kcore will add. */
	assert_int_equal(rp->out.mmio.ipa, ipa);
	assert_int_equal(rp->out.mmio.value, 0);
	rp->in.mmio_value = host_value;
	assert_int_equal(gp_run(vcpuid, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
	return gp.seen[1].x[5];
}

static void guest_writes(u32 vcpuid, u64 ipa, u64 value)
{
	gic_ipa = ipa;
	gic_write_value = value;
	gp_program(2, step_gic_write, gp_step_wfi);
	assert_int_equal(gp_run(vcpuid, 0), KC_EXIT_MMIO);
	assert_int_equal(gp_run(vcpuid, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
}

static void test_gic_pending_reads_show_what_kcore_holds(void **state)
{
	(void)state;
	/* PPI 23 and SPI 33 go into vCPU 0's list registers at its next entry. */
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 23, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 33, 0, NULL), KCORE_OK);
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	/* SPI 35 waits in the pending set (raised while vCPU 0 is out). */
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 35, 0, NULL), KCORE_OK);
	/* Its own GICR_ISPENDR0 and ICPENDR0: the host's bits and the held PPI. */
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x200, 0x2), 0x2 | (1u << 23));
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x280, 0), 1u << 23);
	/* GICD_ISPENDR1: SPI 33 (in an LR) and 35 (in the set); ICPENDR1 alike. */
	assert_int_equal(guest_reads(0, GICD + 0x204, 0), (1u << 1) | (1u << 3));
	assert_int_equal(guest_reads(0, GICD + 0x284, 0x10), 0x10 | (1u << 1) | (1u << 3));
	/* Nothing is active (the sim's LRs are pending only): the host's value alone. */
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x300, 0x4), 0x4);
	assert_int_equal(guest_reads(0, GICD + 0x384, 0), 0);
	/* Another vCPU's redistributor, GICD word 0 (banked: RAZ under ARE), word 2: as is. */
	assert_int_equal(guest_reads(0, GICR_SGI(1) + 0x200, 0x8), 0x8);
	assert_int_equal(guest_reads(1, GICR_SGI(1) + 0x200, 0), 0);
	assert_int_equal(guest_reads(0, GICD + 0x200, 0), 0);
	assert_int_equal(guest_reads(0, GICD + 0x208, 0), 0);
	/* Registers next to them, a byte read: as the host says. */
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x100, 0x77), 0x77);
	gic_size = 1;
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x200, 0x1), 0x1);
	gic_size = 4;
	/*
	 * Clear-pending writes: another vCPU's frame, GICD word 0 and writing 0 change
	 * nothing; its own GICR_ICPENDR0 takes PPI 23 out of the LRs, GICD_ICPENDR1 SPI 35
	 * out of the set.
	 */
	guest_writes(0, GICR_SGI(1) + 0x280, ~0u);
	guest_writes(0, GICD + 0x280, ~0u);
	guest_writes(0, GICD + 0x284, 0);
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x200, 0), 1u << 23);
	assert_int_equal(guest_reads(0, GICD + 0x204, 0), (1u << 1) | (1u << 3));
	guest_writes(0, GICR_SGI(0) + 0x280, 1u << 23);
	guest_writes(0, GICD + 0x284, 1u << 3);
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x200, 0), 0);
	assert_int_equal(guest_reads(0, GICD + 0x204, 0), 1u << 1);
	assert_int_equal(take_lrs_high(0, 0), 1ull << 33); /* 23 and 35 gone */
}

/* Marks the LR of intid in vCPU vcpuid active (taken, not yet deactivated), pending or not. */
static void lr_make_active(u32 vcpuid, u32 intid, bool still_pending)
{
	struct vcpu *v = &vm_from_id(gp_vmid)->vcpus[vcpuid];

	for (u32 i = 0; i < SIM_VCPU_NR_LRS; i++) {
		if ((v->arch.lr[i] & SIM_LR_INTID) == intid && v->arch.lr[i] != 0) {
			v->arch.lr[i] = intid | SIM_LR_ACTIVE | (still_pending ? SIM_LR_VALID : 0);
			return;
		}
	}
	fail_msg("INTID %u is in no list register", intid);
}

/*
 * Clear-active writes deactivate what kcore holds active in its list
 * registers (the timer's hardware LR on aarch64), as the guest's own
 * deactivation would: its own GICR_ICACTIVER0 and GICD_ICACTIVERn (n >= 1);
 * another vCPU's frame, GICD word 0 and a write of 0 change nothing.
 */
static void test_gic_clear_active_deactivates_what_kcore_holds(void **state)
{
	(void)state;
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 23, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 0, 33, 0, NULL), KCORE_OK);
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	lr_make_active(0, 23, false); /* active */
	lr_make_active(0, 33, true);  /* active and pending (the level came again) */
	/* GICR_ISACTIVER0/ICACTIVER0, GICD_ISACTIVER1: the host's bits and kcore's. */
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x300, 0x4), 0x4 | (1u << 23));
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x380, 0), 1u << 23);
	assert_int_equal(guest_reads(0, GICD + 0x304, 0), 1u << 1);
	assert_int_equal(guest_reads(0, GICD + 0x204, 0), 1u << 1);
	guest_writes(0, GICR_SGI(1) + 0x380, ~0u);
	guest_writes(0, GICD + 0x380, ~0u);
	guest_writes(0, GICD + 0x384, 0);
	guest_writes(0, GICR_SGI(0) + 0x280, 0); /* clear-pending of nothing */
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x300, 0), 1u << 23);
	assert_int_equal(guest_reads(0, GICD + 0x384, 0), 1u << 1);
	/* Its own: PPI 23 deactivated (its LR free), SPI 33 only pending now. */
	guest_writes(0, GICR_SGI(0) + 0x380, 1u << 23);
	assert_int_equal(guest_reads(0, GICR_SGI(0) + 0x300, 0), 0);
	guest_writes(0, GICD + 0x384, (1u << 1) | (1u << 5));
	assert_int_equal(guest_reads(0, GICD + 0x304, 0), 0);
	assert_int_equal(guest_reads(0, GICD + 0x204, 0), 1u << 1);
	assert_int_equal(take_lrs_high(0, 0), 1ull << 33); /* 23 gone, 33 still there */
}

static void test_gic_ppi_enables_are_the_guests(void **state)
{
	struct vcpu *v0 = &vm_from_id(gp_vmid)->vcpus[0];
	struct vcpu *v1 = &vm_from_id(gp_vmid)->vcpus[1];

	(void)state;
	/* At reset every PPI is disabled: kcore's timer interrupt waits. */
	assert_false(virq_ppi_enabled(v0, 27));
	/* GICR_ISENABLER0: the PPIs' bits; an SGI's and another vCPU's frame change nothing. */
	guest_writes(0, GICR_SGI(0) + 0x100, (1u << 27) | (1u << 3));
	assert_true(virq_ppi_enabled(v0, 27));
	assert_false(virq_ppi_enabled(v0, 3));
	assert_false(virq_ppi_enabled(v0, 15)); /* an SGI: not the PPIs' */
	assert_false(virq_ppi_enabled(v1, 27));
	guest_writes(0, GICR_SGI(1) + 0x100, 1u << 26);
	assert_false(virq_ppi_enabled(v1, 26));
	assert_int_equal(v0->ppi_enabled, 1u << 27);
	/* A byte write, a write to ISPENDR0: not an enable. */
	gic_size = 1;
	guest_writes(0, GICR_SGI(0) + 0x180, 0xff);
	gic_size = 4;
	guest_writes(0, GICR_SGI(0) + 0x200, 1u << 26);
	assert_int_equal(v0->ppi_enabled, 1u << 27);
	/* GICR_ICENABLER0 disables; writing 0 changes nothing. */
	guest_writes(0, GICR_SGI(0) + 0x180, 0);
	assert_true(virq_ppi_enabled(v0, 27));
	guest_writes(0, GICR_SGI(0) + 0x180, 1u << 27);
	assert_false(virq_ppi_enabled(v0, 27));
	/* The host cannot: what it completes a write with is not the guest's value. */
	gic_ipa = GICR_SGI(0) + 0x100;
	gic_write_value = 0;
	gp_program(2, step_gic_write, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_MMIO);
	gp_run_page()->in.mmio_value = ~0ull;
	assert_int_equal(gp_run(0, KC_RUN_MMIO_DONE), KC_EXIT_WFI);
	assert_int_equal(v0->ppi_enabled, 0);
	/* Nor an INTID outside the PPIs. */
	assert_false(virq_ppi_enabled(v0, 32));
	assert_false(virq_ppi_enabled(v0, 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_sgi_to_another_vcpu_kicks_the_host, setup),
	    cmocka_unit_test_setup(test_sgi_broadcast_and_self, setup),
	    cmocka_unit_test_setup(test_sgi_to_nobody, setup),
	    cmocka_unit_test_setup(test_other_sysregs_are_undefined, setup),
	    cmocka_unit_test_setup(test_host_injects_device_interrupts, setup),
	    cmocka_unit_test_setup(test_busy_list_registers_keep_the_rest, setup),
	    cmocka_unit_test_setup(test_inject_refused, setup),
	    cmocka_unit_test_setup(test_reregistered_vcpu_starts_clean, setup),
	    cmocka_unit_test_setup(test_gic_pending_reads_show_what_kcore_holds, setup),
	    cmocka_unit_test_setup(test_gic_clear_active_deactivates_what_kcore_holds, setup),
	    cmocka_unit_test_setup(test_gic_ppi_enables_are_the_guests, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
