/* SPDX-License-Identifier: MIT */
/*
 * A guest's two EL1 timers (docs/guests.md, "Timers"):
 *
 * - the virtual timer (CNTV_*, INTID 27) is the guest's own hardware: its
 *   registers are switched with the vCPU (el1_save/el1_load), its line is
 *   the physical PPI 27 while the guest runs;
 * - the physical timer (CNTP_*, INTID 30 in the guest's DT) stays the host's
 *   (kserv preempts with it): the guest's accesses trap (CNTHCTL_EL2.EL1PCEN
 *   clear) and kcore emulates the registers per vCPU (struct ptimer_state),
 *   backing the deadline with EL2's own timer CNTHP (PPI 26) while the guest
 *   runs, so the hardware raises its line.
 *
 * While a vCPU that uses its timers runs, kcore makes PPIs 26 and 27 reach
 * EL2 on this CPU, whatever the host configured in its GIC (enable, group,
 * priority in its redistributor; the CPU interface's priority mask and
 * group enable), and puts everything back before the host runs again: a
 * firing timer ends the run (an IRQ exit), and the next entry puts the
 * guest's interrupt into a list register as a hardware interrupt (ICH_LR.HW
 * with the physical PPI, which kcore holds active meanwhile), so it is taken
 * once, and fires again only after the guest's deactivation if the level is
 * still high, as on the bare machine.
 *
 * The host's own virtual timer (Linux at EL1 keeps its tick there) is the
 * guest's while the guest runs: its deadline is honoured by CNTHP too, which
 * is loaded with the earlier of the two deadlines, so the host's tick ends
 * the run (an IRQ exit; back in the host, its CNTV_* are its own again and
 * fire). One limit: while the guest's physical timer interrupt sits in a
 * list register, PPI 26 is held active and the host's deadline waits for
 * the guest's deactivation (its handler's first act), as the guest's own
 * second deadline would.
 */
#ifndef KCORE_AARCH64_TIMERS_H
#define KCORE_AARCH64_TIMERS_H

#include "core/lib/types.h"
/* This arch's own, also where host tests compile arch/aarch64 files against arch/sim. */
#include "include/arch/vcpu_state.h"

#define VTIMER_INTID	 27u	    /* the virtual timer's PPI, the guest's and the machine's */
#define PTIMER_INTID	 30u	    /* the guest's physical timer, as its DT says */
#define HYPTIMER_PPI	 26u	    /* EL2's physical timer CNTHP: the guest's CNTP while it runs */
#define GICR_SGI_BASE	 0x10000ull /* SGI_base, from a redistributor's RD_base */
#define TIMER_ENABLE	 (1ull << 0)
#define TIMER_IMASK	 (1ull << 1)
#define TIMER_ISTATUS	 (1ull << 2)
#define HOST_NO_DEADLINE (~0ull) /* the host's virtual timer is off or masked */

/* CNTP_TVAL_EL0, CNTP_CTL_EL0, CNTP_CVAL_EL0 by op2 (op0 3, op1 3, CRn 14, CRm 2). */
#define PTIMER_TVAL 0u
#define PTIMER_CTL  1u
#define PTIMER_CVAL 2u

/* The timer condition: enabled, not masked, the counter at or past the compare value. */
static inline bool timer_fires(u64 ctl, u64 cval, u64 now)
{
	return (ctl & (TIMER_ENABLE | TIMER_IMASK)) == TIMER_ENABLE && now >= cval;
}

/* What the guest reads from CNTP_* register op2 (the counter is now). */
static inline u64 ptimer_read(const struct ptimer_state *t, u32 op2, u64 now)
{
	switch (op2) {
	case PTIMER_CTL:
		return t->ctl |
		       ((t->ctl & TIMER_ENABLE) != 0 && now >= t->cval ? TIMER_ISTATUS : 0);
	case PTIMER_CVAL:
		return t->cval;
	default:
		/* TVAL: CVAL - counter, a signed 32-bit value; bits [63:32] RES0. */
		return (t->cval - now) & 0xffffffffull;
	}
}

/* The guest writes v to CNTP_* register op2. */
static inline void ptimer_write(struct ptimer_state *t, u32 op2, u64 v, u64 now)
{
	switch (op2) {
	case PTIMER_CTL:
		t->ctl = v & (TIMER_ENABLE | TIMER_IMASK); /* ISTATUS is read-only */
		break;
	case PTIMER_CVAL:
		t->cval = v;
		break;
	default:
		/* TVAL: CVAL becomes the counter plus the sign-extended 32-bit value. */
		t->cval = now + (u64)(s64)(s32)(u32)v;
		break;
	}
}

/*
 * The ESR_EL2 ISS of a trapped MSR/MRS of a CNTP_* register, without Rt,
 * direction and op2: op0 3, op1 3, CRn 14, CRm 2.
 */
#define ISS_SYSREG_MASK	  0x31fc1eull /* op0, op1, CRn, CRm */
#define ISS_SYSREG_CNTP	  ((3ull << 20) | (3ull << 14) | (14ull << 10) | (2ull << 1))
#define ISS_SYSREG_OP2(i) ((u32)(((i) >> 17) & 7))

/*
 * Whether the vCPU's entries need timers_enter: it has used a timer before
 * (sticky), or its virtual timer's control is not zero (enabled, or only
 * masked: a false positive that costs nothing but the slow path). A vCPU
 * that never touched its timers (the benchmark guest) pays this one test.
 */
static inline bool timers_in_use(const struct arch_vcpu *s)
{
	return (s->timers_used | s->sysregs[R_CNTV_CTL]) != 0;
}

/*
 * The host's virtual timer deadline, from its CNTV_* saved at entry (the
 * host's CNTVOFF_EL2 is 0, so it is a physical count), or HOST_NO_DEADLINE.
 */
static inline u64 host_vtimer_deadline(const u64 *host_sysregs)
{
	return (host_sysregs[R_CNTV_CTL] & (TIMER_ENABLE | TIMER_IMASK)) == TIMER_ENABLE
		   ? host_sysregs[R_CNTV_CVAL]
		   : HOST_NO_DEADLINE;
}

/*
 * A WFI exit's deadline (arch_vcpu_timer_deadline, core/arch.h): the
 * physical count at which the earlier of the vCPU's two timers fires, of
 * those armed (enabled, not masked) whose PPI the guest enabled (a GIC
 * forwards no disabled PPI, so that timer cannot end the wait), or ~0 (no
 * deadline). The virtual timer fires when CNTPCT - CNTVOFF reaches its
 * CVAL; a CVAL + CNTVOFF past the counter's range never comes.
 */
static inline u64 timers_wfi_deadline(const struct arch_vcpu *s, bool vtimer_enabled,
				      bool ptimer_enabled)
{
	const u64 none = ~0ull;
	const u64 *r = s->sysregs;
	u64 deadline = none;

	if (vtimer_enabled && (r[R_CNTV_CTL] & (TIMER_ENABLE | TIMER_IMASK)) == TIMER_ENABLE &&
	    r[R_CNTV_CVAL] < none - r[R_CNTVOFF])
		deadline = r[R_CNTV_CVAL] + r[R_CNTVOFF];
	if (ptimer_enabled && (s->ptimer.ctl & (TIMER_ENABLE | TIMER_IMASK)) == TIMER_ENABLE &&
	    s->ptimer.cval < deadline)
		deadline = s->ptimer.cval;
	return deadline;
}

/*
 * At entry, before vgic_load: puts a firing timer's interrupt into a list
 * register (or takes back a pending one whose level fell), loads the
 * physical timer's deadline into CNTHP (or the host's, host_deadline, if
 * earlier), and makes PPIs 26 and 27 reach EL2 on this CPU (timers.c says
 * how). Runs when the vCPU uses its timers or the host's is armed. A timer whose PPI the guest
 * disabled (vtimer_enabled, ptimer_enabled: its GICR enables, virq.c) counts as not firing: a GIC
 * forwards no disabled PPI.
 */
void timers_enter(struct arch_vcpu *s, bool vtimer_enabled, bool ptimer_enabled, u64 host_deadline);

/*
 * At entry of a vCPU that does not use its timers (!timers_in_use), when the
 * host's virtual timer is armed: CNTHP at the host's deadline and PPI 26
 * reaching EL2, so the run ends by then; no list register looked at. A
 * timers_emulate in the same run (the guest's first CNTP_* access) then
 * claims the rest; timers_exit undoes both.
 */
void timers_enter_host(u64 host_deadline);

/* At exit: CNTHP off, and the host's GIC as it was before timers_enter(_host). */
void timers_exit(void);

/*
 * A trapped access (ESR_EL2 esr) to CNTP_CTL/CVAL/TVAL_EL0: emulated (the
 * caller steps the PC, as for every emulated register), CNTHP following the new deadline. The
 * vCPU's first use of a timer claims the PPIs at once (timers_enter did not run at this entry).
 * False if esr is not such an access.
 */
bool timers_emulate(struct arch_vcpu *s, u64 *x, u64 esr);

/*
 * timers_exit is due at the end of a run when timers_used is set
 * (timers_enter and timers_emulate set it before they claim anything) or
 * timers_enter_host ran at its entry.
 */

#endif /* KCORE_AARCH64_TIMERS_H */
