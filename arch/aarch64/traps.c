/* SPDX-License-Identifier: MIT */
/*
 * What the host's traps to EL2 become: hypercalls go to the core's
 * dispatcher (or PSCI), stage-2 faults to host_s2_fault, and anything kcore
 * does not handle becomes an undefined-instruction exception in the host.
 * The host's registers other than the results are never changed.
 */
#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/log.h"
#include "gicr_mediate.h"
#include "psci.h"
#include "reset.h"
#include "sysreg.h"

/* Makes the host take an exception with this syndrome at its own vector. */
static void inject_into_host(struct trap_frame *f, u64 esr_el1, u64 far)
{
	u64 mode = f->spsr & PSR_MODE_MASK;
	u64 offset;

	if (mode == PSR_MODE_EL0t)
		offset = 0x400; /* lower EL, AArch64 */
	else if (mode == PSR_MODE_EL1h)
		offset = 0x200; /* current EL, SP_EL1 */
	else
		offset = 0x000; /* current EL, SP_EL0 */
	write_sysreg(esr_el1, esr_el1);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, f->elr);
	write_sysreg(spsr_el1, f->spsr);
	f->elr = read_sysreg(vbar_el1) + offset;
	f->spsr = PSR_MODE_EL1h | PSR_DAIF_MASK;
}

void arch_host_inject_abort(ipaddr_t ipa)
{
	struct trap_frame *f = this_cpu()->frame;
	u64 esr = read_sysreg(esr_el2);
	bool from_el0 = (f->spsr & PSR_MODE_MASK) == PSR_MODE_EL0t;
	bool iabt = ESR_EC(esr) == EC_IABT_LOW;
	u64 ec;

	(void)ipa;
	/* Only a host abort being handled on this CPU can be turned into an injected one. */
	KC_CHECK(f != NULL && (iabt || ESR_EC(esr) == EC_DABT_LOW));
	if (iabt)
		ec = from_el0 ? EC_IABT_LOW : EC_IABT_CUR;
	else
		ec = from_el0 ? EC_DABT_LOW : EC_DABT_CUR;
	/* A synchronous external abort, with the direction of the original access. */
	inject_into_host(f, (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SEA | (iabt ? 0 : (esr & ESR_WNR)),
			 read_sysreg(far_el2));
}

static void host_call(struct trap_frame *f)
{
	/* kcore's own calls first: one test on the host's busiest path (VCPU_RUN). */
	if (__builtin_expect((f->x[0] >> 24) == (KCORE_HC_BASE >> 24), 1)) {
		host_hvc_dispatch(&f->hvc);
		return;
	}
	if (is_psci_or_smccc_call(f->x[0])) {
		psci_host_call(f);
		return;
	}
	/* On the saved registers themselves: x0..x5 become the results, x6 on stay the host's. */
	host_hvc_dispatch(&f->hvc);
}

static bool is_translation_fault(u64 esr)
{
	u64 fsc = esr & FSC_MASK;

	return fsc >= 0x04 && fsc <= 0x07;
}

static void host_abort(struct trap_frame *f, u64 esr)
{
	u64 far = read_sysreg(far_el2);
	u64 ipa = ((read_sysreg(hpfar_el2) >> 4) << 12) | (far & 0xfff);

	/*
	 * A translation fault is the lazy identity map, or a MEDIATED device the
	 * arch emulates (host IPA == PA); anything else is refused.
	 */
	if (is_translation_fault(esr)) {
		/* Mapped, or refused (host_s2_fault injected the abort), or emulated. */
		if (host_s2_fault(ipa_init(ipa)) != KCORE_HOST_FAULT_MEDIATED ||
		    gicr_mediate(f, esr, ipa))
			return;
	}
	arch_host_inject_abort(ipa_init(ipa));
}

void handle_host_sync(struct trap_frame *f);
void handle_host_sync(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	u64 esr;

	/* Before anything else: once a reset's scrub has begun, no host call runs. */
	reset_enter_kcore();
	esr = read_sysreg(esr_el2);
	c->frame = f;
	switch (ESR_EC(esr)) {
	case EC_HVC64:
		host_call(f);
		break;
	case EC_SMC64:
		/* A trapped SMC returns to the instruction itself: step over it. */
		host_call(f);
		f->elr += 4;
		break;
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		host_abort(f, esr);
		break;
	default:
		/* Unknown reason (EC 0): the host sees an undefined instruction. */
		inject_into_host(f, ESR_IL, 0);
		break;
	}
	c->frame = NULL;
	reset_leave_kcore();
}

void handle_host_unexpected(struct trap_frame *f);
void handle_host_unexpected(struct trap_frame *f)
{
	/* IRQ, FIQ and SError are not routed to EL2 (HCR_EL2.IMO/FMO/AMO clear). */
	kc_panic("unexpected asynchronous exception from the host, ELR %lx ESR %lx", f->elr,
		 read_sysreg(esr_el2));
}

void handle_kcore_fault(struct trap_frame *f, u64 kind);
void handle_kcore_fault(struct trap_frame *f, u64 kind)
{
	kc_panic("%s exception in kcore: ESR %lx FAR %lx ELR %lx",
		 kind == 0 ? "synchronous" : "asynchronous", read_sysreg(esr_el2),
		 read_sysreg(far_el2), f->elr);
}
