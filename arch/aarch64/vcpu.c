/* SPDX-License-Identifier: MIT */
/*
 * The world switch (the seeds' CtxtSwitch: save_host, restore_vm, save_vm,
 * restore_host). The host's EL1 state is parked in this CPU's struct cpu, the
 * guest's is loaded from its vCPU, the stage-2 and the EL2 controls switch to
 * the VM's, and __guest_enter runs the guest until it traps. Then everything
 * is switched back and the trap is described to the core in portable terms.
 * The host learns nothing here: only the core decides what leaves kcore.
 */
#include <stddef.h>

#include "asm.h"
#include "core/arch.h"
#include "core/lib/mem.h"
#include "dbgpmu.h"
#include "debug.h"
#include "el2ctl.h"
#include "idregs.h"
#include "percpu.h"
#include "reset.h"
#include "sysreg.h"
#include "timers.h"
#include "vgic.h"

u64 __guest_enter(struct vcpu_regs *regs, struct cpu *cpu);
void fp_save(struct fp_state *fp);
void fp_restore(const struct fp_state *fp);

/*
 * Every offset vectors.S uses, against the C structures (asm.h holds the
 * numbers, since the assembler cannot read C): struct cpu's first fields,
 * struct trap_frame, struct vcpu_regs (x0..x30 by 8 bytes, then pc and
 * pstate) and struct fp_state (q0..q31 by 16 bytes, then fpsr and fpcr).
 */
_Static_assert(offsetof(struct cpu, guest_regs) == CPU_GUEST_REGS, "asm.h offsets");
_Static_assert(offsetof(struct cpu, kcore_ctx) == CPU_KCORE_CTX, "asm.h offsets");
_Static_assert(sizeof(((struct cpu *)0)->kcore_ctx) == 13 * sizeof(u64), "x19..x30, sp");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "asm.h offsets");
_Static_assert(offsetof(struct trap_frame, elr) == FRAME_ELR, "asm.h offsets");
_Static_assert(offsetof(struct trap_frame, spsr) == FRAME_SPSR, "asm.h offsets");
_Static_assert(offsetof(struct trap_frame, x) == 0 &&
		   sizeof(((struct trap_frame *)0)->x) == 31 * sizeof(u64),
	       "asm.h offsets");
_Static_assert(offsetof(struct vcpu_regs, x) == 0 &&
		   sizeof(((struct vcpu_regs *)0)->x) == 31 * sizeof(u64),
	       "vectors.S layout");
_Static_assert(offsetof(struct vcpu_regs, pc) == VCPU_REGS_PC, "asm.h offsets");
_Static_assert(offsetof(struct vcpu_regs, pstate) == VCPU_REGS_PC + 8, "ldp/stp pc, pstate");
_Static_assert(offsetof(struct fp_state, q) == 0 &&
		   sizeof(((struct fp_state *)0)->q) == sizeof(u64) * 2 * 32,
	       "vectors.S layout");
_Static_assert(offsetof(struct fp_state, fpsr) == FP_STATE_FPSR, "asm.h offsets");
_Static_assert(offsetof(struct fp_state, fpcr) == FP_STATE_FPSR + 8, "ldp/stp fpsr, fpcr");

/* vectors.S: r[R_SCTLR..R_CNTV_CVAL] in this order, two registers at a time. */
void el1_save(u64 *r);
void el1_load(const u64 *r);
/* vectors.S: the ten key halves from r[R_APIAKEYLO] on. */
void pauth_save(u64 *keys);
void pauth_load(const u64 *keys);
_Static_assert(R_SCTLR == 0 && R_CPACR == 1 && R_TTBR0 == 2 && R_TTBR1 == 3 && R_TCR == 4 &&
		   R_ESR == 5 && R_AFSR0 == 6 && R_AFSR1 == 7 && R_FAR == 8 && R_MAIR == 9 &&
		   R_VBAR == 10 && R_CONTEXTIDR == 11 && R_AMAIR == 12 && R_CNTKCTL == 13 &&
		   R_PAR == 14 && R_TPIDR_EL1 == 15 && R_TPIDR_EL0 == 16 && R_TPIDRRO_EL0 == 17 &&
		   R_SP_EL0 == 18 && R_SP_EL1 == 19 && R_ELR == 20 && R_SPSR == 21 &&
		   R_CSSELR == 22 && R_MDSCR == 23 && R_CNTV_CTL == 24 && R_CNTV_CVAL == 25,
	       "el1_save/el1_load (vectors.S) lay the registers out in this order");
_Static_assert(R_APIAKEYHI == R_APIAKEYLO + 1 && R_APIBKEYLO == R_APIAKEYLO + 2 &&
		   R_APIBKEYHI == R_APIAKEYLO + 3 && R_APDAKEYLO == R_APIAKEYLO + 4 &&
		   R_APDAKEYHI == R_APIAKEYLO + 5 && R_APDBKEYLO == R_APIAKEYLO + 6 &&
		   R_APDBKEYHI == R_APIAKEYLO + 7 && R_APGAKEYLO == R_APIAKEYLO + 8 &&
		   R_APGAKEYHI == R_APIAKEYLO + 9 && R_APGAKEYHI < NR_EL1_SYSREGS,
	       "pauth_save/pauth_load (vectors.S) lay the keys out in this order");
/* The snapshot layout arch_vcpu_state_format() names (seal.c): bump it when these change. */
_Static_assert(offsetof(struct arch_vcpu, fp) == 0 && offsetof(struct arch_vcpu, sysregs) == 528 &&
		   NR_EL1_SYSREGS == 40 && offsetof(struct arch_vcpu, vgic) == 848 &&
		   sizeof(struct vgic_state) == 200 && offsetof(struct arch_vcpu, ptimer) == 1048 &&
		   offsetof(struct arch_vcpu, timers_used) == 1064 &&
		   offsetof(struct arch_vcpu, debug) == 1072 && sizeof(struct debug_state) == 416 &&
		   sizeof(struct arch_vcpu) == 1568,
	       "vCPU state layout 3");

/*
 * What a world switch must move, and what it need not (the host is
 * untrusted: nothing here may let its values reach a guest, nor a guest's
 * reach the host or another guest):
 *
 * - The 26 EL1 registers of el1_save: the host and the guest may each
 *   change any of them at any time without trapping, so the guest's are
 *   saved at every exit and loaded at every entry, and the host's too.
 * - CNTVOFF_EL2 is an EL2 register: neither a guest nor the host can
 *   change it. A guest's is loaded at entry and never read back (it is
 *   what kcore put there); the host's is always 0 (mmu.c), written back at
 *   exit.
 * - The pointer authentication keys: the host runs with HCR_EL2.APK and API
 *   clear (HCR_HOST), so it cannot read or write a key register, nor use a
 *   key (the PAC instructions trap to kcore, which makes them undefined for
 *   the host). Whatever keys the CPU holds while the host runs are therefore
 *   invisible and useless to it: kcore saves a guest's keys at exit (the
 *   guest may change them) and loads a guest's at entry, but neither saves
 *   nor restores the host's. The next guest on this CPU loads its own before
 *   it runs, so it never sees another's either.
 * - TPIDR2_EL0 (SME): EL0 and EL1 read and write it without trapping
 *   (SCTLR_EL1.EnTP2 is each world's own; without FEAT_FGT nothing at EL2
 *   traps it), so where the CPU has SME it moves like the 26 above: the
 *   host's saved and the guest's loaded at entry, and back at exit. The rest
 *   of SME (SMCR_EL1, SVCR, SMPRI_EL1, ZA) traps (CPTR_EL2.TSM) for guests.
 * - DISR_EL1 (RAS): with HCR_EL2.AMO set a guest's DISR_EL1 is VDISR_EL2,
 *   an EL2 register the host never sees, but each guest writes it: saved
 *   at exit and loaded at entry, so no guest reads another's.
 * - FP/SIMD: lazily, see arch_vcpu_run.
 *
 * Every other register EL0 or EL1 can reach is either one the guest's
 * accesses trap (and kcore answers or refuses) or read-only: the table in
 * docs/security.md, "System registers".
 */
/*
 * The PC past an instruction kcore emulated; for a guest stepping through
 * it (MDSCR_EL1.SS), that instruction was the step: PSTATE.SS cleared, so
 * the step exception is taken right after it, as on hardware.
 */
static __attribute__((noinline)) void step_past(struct vcpu_regs *regs)
{
	regs->pc += 4;
	regs->pstate &= ~PSR_SS;
}

/* ec: ESR_EC(esr), computed once by the caller (one shift on every exit, not two). */
static void decode_sync(struct vcpu_regs *regs, struct arch_vcpu *state, u64 esr, u32 ec,
			struct arch_exit *e)
{
	u64 iss = esr & 0x1ffffffull;
	u64 fsc = esr & FSC_MASK;

	switch (ec) {
	case EC_HVC64:
		e->kind = ARCH_EXIT_HVC;
		break;
	case EC_SMC64:
		/* A trapped SMC returns to itself; treat it as the call it is. */
		step_past(regs);
		e->kind = ARCH_EXIT_HVC;
		break;
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		state->sysregs[R_EXIT_FAR] = read_sysreg(far_el2);
		e->kind = ec == EC_DABT_LOW ? ARCH_EXIT_DABT : ARCH_EXIT_IABT;
		e->ipa = ((read_sysreg(hpfar_el2) >> 4) << 12) | (read_sysreg(far_el2) & 0xfff);
		e->translation = fsc >= 0x04 && fsc <= 0x07;
		if (e->kind == ARCH_EXIT_DABT) {
			e->isv = (iss >> 24) & 1;
			e->size = 1u << ((iss >> 22) & 3);
			e->sign_extend = (iss >> 21) & 1;
			e->rt = (u32)((iss >> 16) & 0x1f);
			e->reg64 = (iss >> 15) & 1;
			e->write = (iss >> 6) & 1;
		}
		break;
	case 0x01: /* WFI/WFE; ISS.TI bit 0: WFE (or WFET) */
		e->kind = (iss & 1) != 0 ? ARCH_EXIT_WFE : ARCH_EXIT_WFX;
		break;
	case EC_SYSREG:
		/* ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] read[0] */
		e->kind = ARCH_EXIT_SYSREG;
		e->sysreg = ARCH_SYSREG((iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 0xf,
					(iss >> 1) & 0xf, (iss >> 17) & 7);
		e->rt = (u32)((iss >> 5) & 0x1f);
		e->write = (iss & 1) == 0;
		break;
	default:
		/*
		 * Not logged: the guest decides when this happens, and kcore's console is
		 * the host's UART, so an EL2 line printed while the host prints one would
		 * interleave with it character by character (and a guest could fill the
		 * host's console). The run loop makes it an UNDEF in the guest.
		 */
		e->kind = ARCH_EXIT_UNKNOWN;
		break;
	}
}

/*
 * A trapped MSR/MRS's ISS without Rt: Op0[21:20] Op2[19:17] Op1[16:14]
 * CRn[13:10] CRm[4:1] and the direction[0] (0: a write); and a write of
 * ICC_SGI1R_EL1 (op0 3, op1 0, CRn 12, CRm 11, op2 5) so described.
 */
#define ISS_SYSREG_ACCESS 0x3ffc1full
#define ISS_SGI1R_WRITE	  ((3ull << 20) | (5ull << 17) | (0ull << 14) | (12ull << 10) | (11ull << 1))

/*
 * A debug register (op0 2): debug.c's. An ID register read, ACTLR_EL1, a RAS
 * record, a PMU access or the physical timer's: answered, the PC stepped.
 * False if none of these.
 */
static bool emulate_sysreg(struct cpu *c, struct arch_vcpu *state, struct vcpu_regs *regs, u64 esr)
{
	u64 value;
	u32 rt = (u32)((esr >> 5) & 0x1f);

	if (((esr >> 20) & 3) == 2) /* op0 2: the debug registers */
		return debug_trap(c, state, regs, esr);
	if (idregs_emulate(esr, &value) || dbgpmu_emulate(esr, &value)) {
		if ((esr & 1) != 0 && rt != 31) /* a read (MRS); a write changes nothing */
			regs->x[rt] = value;
	} else if (!timers_emulate(state, regs->x, esr)) { /* CNTP_*, or none */
		return false;
	}
	step_past(regs);
	return true;
}

u32 arch_vcpu_irq_bits(struct vcpu *vcpu, u32 first, bool active)
{
	return vgic_lr_bits(&vcpu_arch_state(vcpu)->vgic, first, active);
}

void arch_vcpu_irq_unpend(struct vcpu *vcpu, u32 first, u32 bits)
{
	vgic_lr_unpend(&vcpu_arch_state(vcpu)->vgic, first, bits);
}

void arch_vcpu_irq_deactivate(struct vcpu *vcpu, u32 first, u32 bits)
{
	vgic_lr_deactivate(&vcpu_arch_state(vcpu)->vgic, first, bits);
}

/*
 * What a run's end has to do beyond the common switch back, in one word
 * arch_vcpu_run tests once: the guest's FP/SIMD state is in the CPU
 * (EXIT_WORK_FP), or its timers or debug state may need their exit
 * (EXIT_WORK_TIMERS_DEBUG: timers_enter or debug_enter ran at entry, or a
 * register emulation, which may start either, ran since). A guest that does
 * none of these (the benchmark's) pays one test at each exit, not three.
 */
#define EXIT_WORK_FP	       1u
#define EXIT_WORK_TIMERS_DEBUG 2u
#define EXIT_WORK_HOST_TIMER   4u /* timers_enter_host ran at entry */

static __attribute__((noinline, cold)) void exit_work(struct cpu *c, struct arch_vcpu *state,
						      struct vcpu_regs *regs, u32 work)
{
	if ((work & EXIT_WORK_FP) != 0) {
		fp_save(&state->fp);
		fp_restore(&c->host_fp);
	}
	/* timers_enter, timers_emulate or timers_enter_host ran */
	if (state->timers_used != 0 || (work & EXIT_WORK_HOST_TIMER) != 0)
		timers_exit();
	if (state->debug.active != 0)
		debug_exit(c, state, regs);
}

/* Moves the vCPU's pending SGIs and device interrupts into free list registers. */
static void load_pending_virqs(struct vcpu *vcpu, struct vgic_state *vgic)
{
	u32 intid;

	while (virq_pop(vcpu, &intid)) {
		if (!vgic_add_pending(vgic, intid)) {
			virq_raise(vcpu, intid); /* every LR busy: at a later entry */
			break;
		}
	}
}

void arch_vcpu_run(const struct arch_guest *g, struct arch_exit *exit)
{
	struct cpu *c = this_cpu();
	u64 host_vttbr = read_sysreg(vttbr_el2);
	u64 host_vmpidr = read_sysreg(vmpidr_el2);
	/* In locals: the calls below could change *g as far as the compiler knows. */
	struct vcpu *vcpu = g->vcpu;
	struct vcpu_regs *regs = g->regs;
	struct arch_vcpu *state = g->state;
	u64 *guest_sysregs = state->sysregs;
	u32 work = 0; /* EXIT_WORK_*, above */
	u32 lrs_loaded;
	u64 type, host_deadline;

	/* save_host, restore_vm: what moves and why, above el1_save. */
	el1_save(c->host_sysregs);
	el1_load(guest_sysregs);
	if (el2ctl.pauth != 0) {
		if ((el2ctl.pauth & PAUTH_HOST) != 0)
			pauth_save(&c->host_sysregs[R_APIAKEYLO]);
		pauth_load(&guest_sysregs[R_APIAKEYLO]);
	}
	if (el2ctl.tpidr2) {
		c->host_sysregs[R_TPIDR2_EL0] = read_sysreg(S3_3_C13_C0_5);
		write_sysreg(S3_3_C13_C0_5, guest_sysregs[R_TPIDR2_EL0]);
	}
	if (el2ctl.vdisr)
		write_sysreg(S3_4_C12_C1_1, guest_sysregs[R_VDISR]); /* VDISR_EL2 */
	write_sysreg(cntvoff_el2, guest_sysregs[R_CNTVOFF]);
	/*
	 * FP/SIMD is switched lazily: the host's registers stay in the CPU, and
	 * the guest's first FP/SIMD instruction traps (CPTR_EL2.TFP) before it
	 * can read or change them; only then does the guest's state replace the
	 * host's (below). A guest that uses none in a run costs nothing.
	 */
	write_sysreg(cptr_el2, el2ctl.cptr_guest | CPTR_EL2_TFP);
	/*
	 * A GIC forwards no disabled PPI: the guest's enables of its timers'
	 * PPIs (virq.c, from its own GICR writes) gate what timers_enter places.
	 */
	host_deadline = host_vtimer_deadline(c->host_sysregs);
	if (timers_in_use(state)) {
		timers_enter(state, virq_ppi_enabled(vcpu, VTIMER_INTID),
			     virq_ppi_enabled(vcpu, PTIMER_INTID), host_deadline);
		work = EXIT_WORK_TIMERS_DEBUG;
	} else if (host_deadline != HOST_NO_DEADLINE) {
		/* A Linux host's tick: only its deadline (the benchmark guest's case). */
		timers_enter_host(host_deadline);
		work = EXIT_WORK_HOST_TIMER;
	}
	load_pending_virqs(vcpu, &state->vgic);
	lrs_loaded = vgic_load(&state->vgic);
	write_sysreg(vmpidr_el2, (u64)g->vcpu_index | (1ull << 31));
	/* The guest reads the counter; its CNTP_* accesses trap (timers.c): the physical timer
	 * stays the host's. */
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN);
	write_sysreg(vttbr_el2, pa_addr(g->s2_root) | ((u64)g->vmid << 48));
	if (__builtin_expect(state->debug.active != 0, 0)) { /* breakpoints, watchpoints, OS lock */
		debug_enter(c, state, regs);
		work |= EXIT_WORK_TIMERS_DEBUG;
	}
	write_sysreg(mdcr_el2, debug_mdcr(state));
	write_sysreg(hcr_el2, el2ctl.hcr_guest);
	isb();

	/*
	 * Exits that need neither the host nor the core's full attention never
	 * leave the guest's world: ID register reads and debug/PMU accesses are
	 * answered here, guest calls kcore answers itself by the core's fast path
	 * (vcpu_exit_fast, which also says when to stop); then the guest goes
	 * straight back in.
	 */
	for (;;) {
		enum arch_fast fast;
		u64 esr;
		u32 ec;

		/*
		 * A reset's scrub has begun (reset.c): this CPU must not run the
		 * guest again, nor carry what it did into kcore's memory. Its
		 * registers are already in its struct vcpu_regs, which the scrub zeroes.
		 */
		if (reset_scrubbing())
			reset_park();
		type = __guest_enter(regs, c);
		if (reset_scrubbing())
			reset_park();
		if (type != GUEST_EXIT_SYNC) {
			/* IRQ, FIQ, SError: the host's */
			*exit = (struct arch_exit){.kind = ARCH_EXIT_IRQ};
			break;
		}
		esr = read_sysreg(esr_el2);
		/* The exception class once, HVC first: guest calls are the commonest exits. */
		ec = (u32)ESR_EC(esr);
		switch (ec) {
		case EC_FP:
			if ((work & EXIT_WORK_FP) != 0)
				goto decode; /* cannot happen: TFP is clear by now */
			/* EL2's own FP/SIMD instructions trap too while TFP is set. */
			write_sysreg(cptr_el2, el2ctl.cptr_guest);
			isb();
			fp_save(&c->host_fp);
			fp_restore(&state->fp);
			work |= EXIT_WORK_FP;
			continue; /* the instruction runs again, on the guest's registers */
		case EC_HVC64:
			fast = vcpu_exit_fast_hvc(vcpu);
			if (fast != ARCH_FAST_REENTER) {
				/* core/arch.h: the call goes to the slow path, or the run ends. */
				enum arch_exit_kind kind =
				    fast == ARCH_FAST_STOP ? ARCH_EXIT_DONE : ARCH_EXIT_HVC;

				*exit = (struct arch_exit){.kind = kind};
			}
			break;
		case EC_SYSREG:
			/*
			 * The guest's SGIs (ICC_SGI1R_EL1 writes) are the run loop's
			 * (core/run/run.c): straight there, past the emulators, none
			 * of which answers them.
			 */
			if ((esr & ISS_SYSREG_ACCESS) != ISS_SGI1R_WRITE) {
				/* A timer's or debug register's access may start its exit work. */
				work |= EXIT_WORK_TIMERS_DEBUG;
				if (emulate_sysreg(c, state, regs, esr))
					continue;
			}
			/* Not an ID, debug, PMU or timer register: decoded like the rest. */
			__attribute__((fallthrough));
		default:
		decode:
			*exit = (struct arch_exit){.kind = ARCH_EXIT_UNKNOWN};
			decode_sync(regs, state, esr, ec, exit);
			fast = vcpu_exit_fast(vcpu, exit);
			break;
		}
		/* The core decided; the arch only obeys (core/arch.h). */
		if (fast != ARCH_FAST_REENTER)
			break;
	}

	/* save_vm */
	el1_save(guest_sysregs);
	if (el2ctl.pauth != 0) {
		/* kserv's are not reloaded (it has none: above); a Linux host's are. */
		pauth_save(&guest_sysregs[R_APIAKEYLO]);
		if ((el2ctl.pauth & PAUTH_HOST) != 0)
			pauth_load(&c->host_sysregs[R_APIAKEYLO]);
	}
	if (el2ctl.tpidr2) {
		guest_sysregs[R_TPIDR2_EL0] = read_sysreg(S3_3_C13_C0_5);
		write_sysreg(S3_3_C13_C0_5, c->host_sysregs[R_TPIDR2_EL0]);
	}
	if (el2ctl.vdisr)
		guest_sysregs[R_VDISR] = read_sysreg(S3_4_C12_C1_1);
	vgic_save(&state->vgic, lrs_loaded);
	/* The guest's FP/SIMD state, its timers, its debug state (above exit_work). */
	if (__builtin_expect(work != 0, 0))
		exit_work(c, state, regs, work);
	/* restore_host */
	write_sysreg(hcr_el2, el2ctl.hcr_host);
	write_sysreg(vttbr_el2, host_vttbr);
	write_sysreg(vmpidr_el2, host_vmpidr);
	write_sysreg(cnthctl_el2, CNTHCTL_HOST);
	write_sysreg(mdcr_el2, el2ctl.mdcr_host);
	write_sysreg(cptr_el2, CPTR_HOST);
	write_sysreg(cntvoff_el2, 0);
	isb();
	el1_load(c->host_sysregs);
}

static void inject(struct vcpu *vcpu, u64 esr, u64 far)
{
	struct vcpu_regs *regs = vcpu_guest_regs(vcpu);
	u64 *r = vcpu_arch_state(vcpu)->sysregs;
	u64 mode = regs->pstate & PSR_MODE_MASK;
	u64 offset = mode == PSR_MODE_EL0t ? 0x400 : (mode == PSR_MODE_EL1h ? 0x200 : 0x000);

	r[R_ESR] = esr;
	r[R_FAR] = far;
	r[R_ELR] = regs->pc;
	r[R_SPSR] = regs->pstate;
	regs->pc = r[R_VBAR] + offset;
	regs->pstate = PSR_MODE_EL1h | PSR_DAIF_MASK;
}

void arch_vcpu_inject_abort(struct vcpu *vcpu, bool instruction, bool write, u64 ipa)
{
	bool from_el0 = (vcpu_guest_regs(vcpu)->pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
	u64 ec;

	(void)ipa;
	if (instruction)
		ec = from_el0 ? EC_IABT_LOW : EC_IABT_CUR;
	else
		ec = from_el0 ? EC_DABT_LOW : EC_DABT_CUR;
	inject(vcpu,
	       (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SEA | (write && !instruction ? ESR_WNR : 0),
	       vcpu_arch_state(vcpu)->sysregs[R_EXIT_FAR]);
}

void arch_vcpu_inject_undef(struct vcpu *vcpu)
{
	inject(vcpu, ESR_IL, 0);
}

u64 arch_vcpu_timer_deadline(struct vcpu *vcpu)
{
	return timers_wfi_deadline(vcpu_arch_state(vcpu), virq_ppi_enabled(vcpu, VTIMER_INTID),
				   virq_ppi_enabled(vcpu, PTIMER_INTID));
}

void arch_vcpu_reset(struct vcpu *vcpu)
{
	struct arch_vcpu *state = vcpu_arch_state(vcpu);

	memset(state, 0, sizeof(*state)); /* unused too: the whole goes into snapshots */
	*vcpu_guest_regs(vcpu) = (struct vcpu_regs){.pstate = PSR_MODE_EL1h | PSR_DAIF_MASK};
	state->sysregs[R_SCTLR] = SCTLR_EL1_INIT;
}
