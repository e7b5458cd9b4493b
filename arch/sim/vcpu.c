/* SPDX-License-Identifier: MIT */
/*
 * Running a vCPU on the simulated machine: there is no CPU to run guest code,
 * so a test supplies the guest as a function that acts on the vCPU's
 * registers and memory (through the VM's stage-2, sim_vm_access) and ends
 * each step with an exit, as hardware would. Injected exceptions are counted
 * in its struct arch_vcpu (<arch/vcpu_state.h>) so tests can see them.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/sim/sim.h"
#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/sched_point.h"

/* The snapshot layout arch_vcpu_state_format() names (hooks.c): bump it when this changes. */
_Static_assert(offsetof(struct arch_vcpu, write_aborts) == 4 * sizeof(u64) &&
		   offsetof(struct arch_vcpu, lr) == 8 * sizeof(u64) &&
		   sizeof(struct arch_vcpu) == 12 * sizeof(u64),
	       "vCPU state layout 1");

static sim_guest_fn guest_fn;
static void *guest_ctx;
static u64 nr_runs;
static u64 nr_fast_exits;

void sim_set_guest(sim_guest_fn fn, void *ctx)
{
	guest_fn = fn;
	guest_ctx = ctx;
}

u64 sim_vcpu_runs(void)
{
	return __atomic_load_n(&nr_runs, __ATOMIC_RELAXED);
}

void arch_vcpu_run(const struct arch_guest *g, struct arch_exit *exit)
{
	struct arch_vcpu *state = g->state;

	if (guest_fn == NULL) {
		fputs("sim: a vCPU ran but the test gave no guest (sim_set_guest)\n", stderr);
		abort();
	}
	__atomic_fetch_add(&nr_runs, 1, __ATOMIC_RELAXED); /* CPUs may be threads (test_race) */
	for (u32 i = 0; i < SIM_VCPU_NR_LRS; i++) {
		u32 intid;

		if (state->lr[i] == 0 && virq_pop(g->vcpu, &intid))
			state->lr[i] = intid | SIM_LR_VALID;
	}
	/* As on hardware: exits the core finishes on the fast path re-enter at once. */
	for (;;) {
		enum arch_fast fast;

		/* Another CPU may run meanwhile: each guest step is a switch point. */
		sched_point(SCHED_MARK, "guest step");
		*exit = (struct arch_exit){.kind = ARCH_EXIT_UNKNOWN};
		guest_fn(guest_ctx, g->vmid, g->vcpu_index, g->regs, exit);
		fast = vcpu_exit_fast(g->vcpu, exit);
		if (fast == ARCH_FAST_NO)
			return;
		__atomic_fetch_add(&nr_fast_exits, 1, __ATOMIC_RELAXED);
		if (fast == ARCH_FAST_STOP)
			return; /* the core set ARCH_EXIT_DONE: the VM powered off */
	}
}

u64 sim_vcpu_fast_exits(void)
{
	return __atomic_load_n(&nr_fast_exits, __ATOMIC_RELAXED);
}

void arch_vcpu_inject_abort(struct vcpu *vcpu, bool instruction, bool write, u64 ipa)
{
	struct arch_vcpu *state = vcpu_arch_state(vcpu);

	if (write)
		state->write_aborts++;
	if (instruction)
		state->iabts++;
	else
		state->dabts++;
	state->last_abort_ipa = ipa;
}

/* The simulated list registers: pending (SIM_LR_VALID), active if a test made one so. */
u32 arch_vcpu_irq_bits(struct vcpu *vcpu, u32 first, bool active)
{
	const struct arch_vcpu *state = vcpu_arch_state(vcpu);
	u64 want = active ? SIM_LR_ACTIVE : SIM_LR_VALID;
	u32 bits = 0;

	for (u32 i = 0; i < SIM_VCPU_NR_LRS; i++) {
		u64 intid = state->lr[i] & SIM_LR_INTID;

		if ((state->lr[i] & want) != 0 && intid >= first && intid - first < 32)
			bits |= 1u << (intid - first);
	}
	return bits;
}

/* Drops state (SIM_LR_VALID or SIM_LR_ACTIVE) from the LRs of those INTIDs; none left: free. */
static void lr_drop(struct vcpu *vcpu, u64 state_bit, u32 first, u32 bits)
{
	struct arch_vcpu *state = vcpu_arch_state(vcpu);

	for (u32 i = 0; i < SIM_VCPU_NR_LRS; i++) {
		u64 lr = state->lr[i];
		u64 intid = lr & SIM_LR_INTID;

		if ((lr & state_bit) == 0 || intid < first || intid - first >= 32 ||
		    ((bits >> (intid - first)) & 1) == 0)
			continue;
		lr &= ~state_bit;
		state->lr[i] = (lr & (SIM_LR_VALID | SIM_LR_ACTIVE)) == 0 ? 0 : lr;
	}
}

void arch_vcpu_irq_unpend(struct vcpu *vcpu, u32 first, u32 bits)
{
	lr_drop(vcpu, SIM_LR_VALID, first, bits);
}

void arch_vcpu_irq_deactivate(struct vcpu *vcpu, u32 first, u32 bits)
{
	lr_drop(vcpu, SIM_LR_ACTIVE, first, bits);
}

void arch_vcpu_inject_undef(struct vcpu *vcpu)
{
	vcpu_arch_state(vcpu)->undefs++;
}

/* The simulated machine has no timers: the deadline is whatever the test set (sim.h). */
static u64 wfi_deadline = KC_WFI_NO_DEADLINE;

void sim_set_wfi_deadline(u64 deadline)
{
	wfi_deadline = deadline;
}

u64 arch_vcpu_timer_deadline(struct vcpu *vcpu)
{
	(void)vcpu;
	return wfi_deadline;
}

void arch_vcpu_reset(struct vcpu *vcpu)
{
	*vcpu_guest_regs(vcpu) = (struct vcpu_regs){.pstate = 0x3c5};
	*vcpu_arch_state(vcpu) = (struct arch_vcpu){0};
}
