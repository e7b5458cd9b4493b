/* SPDX-License-Identifier: MIT */
/*
 * Self-hosted debug for guests: what moves and when, debug.h. The Arm ARM
 * facts this rests on: DBGB{V,C}R<n>_EL1 are S2_0_C0_C<n>_{4,5},
 * DBGW{V,C}R<n>_EL1 S2_0_C0_C<n>_{6,7}; ID_AA64DFR0_EL1.BRPs [15:12] and
 * WRPs [23:20] count them less one; OSLSR_EL1.OSLM 0b10 (bit 3) says the OS
 * lock is implemented, OSLK (bit 1) that it is locked; with the OS lock
 * locked no breakpoint, watchpoint or step exception is generated.
 */
#include "debug.h"

#include "core/arch.h"
#include "dbgpmu.h"
#include "el2ctl.h"
#include "percpu.h"
#include "sysreg.h"

/* The trap's ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] read[0]. */
#define ISS_OP0(iss)		    (((iss) >> 20) & 3u)
#define ISS_OP2(iss)		    (((iss) >> 17) & 7u)
#define ISS_OP1(iss)		    (((iss) >> 14) & 7u)
#define ISS_CRN(iss)		    (((iss) >> 10) & 0xfu)
#define ISS_CRM(iss)		    (((iss) >> 1) & 0xfu)
#define ISS_RT(iss)		    (((iss) >> 5) & 0x1fu)
#define ISS_READ(iss)		    ((iss)&1u)
/* op1, CRn, CRm, op2 of an op0-2 register, as one number. */
#define DBG_REG(op1, crn, crm, op2) (((op1) << 12) | ((crn) << 8) | ((crm) << 4) | (op2))

#define MDSCR_SS	       (1ull << 0)
#define MDSCR_KDE	       (1ull << 13)
#define MDSCR_MDE	       (1ull << 15)
#define OSLSR_OSLM_IMPLEMENTED (1ull << 3)
#define OSLSR_OSLK	       (1ull << 1)

/* The registers of breakpoint or watchpoint n, moved one way or the other (n a constant). */
#define SAVE_BP(s, n)                                             \
	do {                                                      \
		(s)->bvr[n] = read_sysreg(S2_0_C0_C##n##_4);      \
		(s)->bcr[n] = (u32)read_sysreg(S2_0_C0_C##n##_5); \
	} while (0)
#define LOAD_BP(s, n)                                        \
	do {                                                 \
		write_sysreg(S2_0_C0_C##n##_4, (s)->bvr[n]); \
		write_sysreg(S2_0_C0_C##n##_5, (s)->bcr[n]); \
	} while (0)
#define SAVE_WP(s, n)                                             \
	do {                                                      \
		(s)->wvr[n] = read_sysreg(S2_0_C0_C##n##_6);      \
		(s)->wcr[n] = (u32)read_sysreg(S2_0_C0_C##n##_7); \
	} while (0)
#define LOAD_WP(s, n)                                        \
	do {                                                 \
		write_sysreg(S2_0_C0_C##n##_6, (s)->wvr[n]); \
		write_sysreg(S2_0_C0_C##n##_7, (s)->wcr[n]); \
	} while (0)

/* OP(s, n) for n = count - 1 down to 0 (count 1..16, the CPU's number). */
#define FOR_EACH(OP, s, count)                \
	switch ((count)-1u) {                 \
	case 15:                              \
		OP(s, 15);                    \
		__attribute__((fallthrough)); \
	case 14:                              \
		OP(s, 14);                    \
		__attribute__((fallthrough)); \
	case 13:                              \
		OP(s, 13);                    \
		__attribute__((fallthrough)); \
	case 12:                              \
		OP(s, 12);                    \
		__attribute__((fallthrough)); \
	case 11:                              \
		OP(s, 11);                    \
		__attribute__((fallthrough)); \
	case 10:                              \
		OP(s, 10);                    \
		__attribute__((fallthrough)); \
	case 9:                               \
		OP(s, 9);                     \
		__attribute__((fallthrough)); \
	case 8:                               \
		OP(s, 8);                     \
		__attribute__((fallthrough)); \
	case 7:                               \
		OP(s, 7);                     \
		__attribute__((fallthrough)); \
	case 6:                               \
		OP(s, 6);                     \
		__attribute__((fallthrough)); \
	case 5:                               \
		OP(s, 5);                     \
		__attribute__((fallthrough)); \
	case 4:                               \
		OP(s, 4);                     \
		__attribute__((fallthrough)); \
	case 3:                               \
		OP(s, 3);                     \
		__attribute__((fallthrough)); \
	case 2:                               \
		OP(s, 2);                     \
		__attribute__((fallthrough)); \
	case 1:                               \
		OP(s, 1);                     \
		__attribute__((fallthrough)); \
	default:                              \
		OP(s, 0);                     \
	}

/* The CPU's debug state into *s (the OS lock from OSLSR_EL1). */
static void save(struct debug_state *s)
{
	FOR_EACH(SAVE_BP, s, el2ctl.nbrp);
	FOR_EACH(SAVE_WP, s, el2ctl.nwrp);
	s->mdccint = read_sysreg(S2_0_C0_C2_0);			 /* MDCCINT_EL1 */
	s->oslk = (read_sysreg(S2_0_C1_C1_4) & OSLSR_OSLK) != 0; /* OSLSR_EL1 */
}

/* *s into the CPU: every breakpoint and watchpoint the CPU has, so none of the last world's stays.
 */
static void load(const struct debug_state *s)
{
	FOR_EACH(LOAD_BP, s, el2ctl.nbrp);
	FOR_EACH(LOAD_WP, s, el2ctl.nwrp);
	write_sysreg(S2_0_C0_C2_0, s->mdccint);
	write_sysreg(S2_0_C1_C0_4, s->oslk); /* OSLAR_EL1 */
}

void debug_enter(struct cpu *c, struct arch_vcpu *state, struct vcpu_regs *regs)
{
	/*
	 * kcore stepped the PC past an instruction it emulated (an MMIO
	 * access, a system register): for a guest stepping through it that
	 * instruction is the step, so the step exception comes right after
	 * (PSTATE.SS 0: active-pending), as if the CPU had run it.
	 */
	if (regs->pc != state->debug.exit_pc)
		regs->pstate &= ~PSR_SS;
	save(&c->host_debug);
	load(&state->debug);
	isb();
}

void debug_exit(struct cpu *c, struct arch_vcpu *state, const struct vcpu_regs *regs)
{
	save(&state->debug);
	state->debug.exit_pc = regs->pc;
	load(&c->host_debug);
	isb();
	/*
	 * With MDSCR_EL1 (saved by el1_save before this) enabling no debug
	 * event, none of the guest's breakpoints, watchpoints or steps can
	 * fire: the next run needs none of its state in the CPU, and traps
	 * again at its next debug access (which also catches the write that
	 * sets MDE, KDE or SS). So a guest that only set its debug registers
	 * up once (Linux does at boot) goes back to paying nothing.
	 */
	if ((state->sysregs[R_MDSCR] & (MDSCR_MDE | MDSCR_KDE | MDSCR_SS)) == 0)
		state->debug.active = 0;
}

/* An answered access: a read's value into Rt, the PC past it (its step done, above). */
static bool answer(struct vcpu_regs *regs, u32 iss, u64 value)
{
	u32 rt = ISS_RT(iss);

	if (ISS_READ(iss) && rt != 31)
		regs->x[rt] = value;
	regs->pc += 4;
	regs->pstate &= ~PSR_SS;
	return true;
}

bool debug_trap(struct cpu *c, struct arch_vcpu *state, struct vcpu_regs *regs, u64 esr)
{
	u32 iss = (u32)(esr & 0x1ffffffu);
	u32 reg = DBG_REG(ISS_OP1(iss), ISS_CRN(iss), ISS_CRM(iss), ISS_OP2(iss));

	if (ESR_EC(esr) != EC_SYSREG || ISS_OP0(iss) != 2)
		return false;
	switch (reg) {
	case DBG_REG(0, 1, 0, 4): /* OSLAR_EL1: the guest's OS lock (hardware's while active) */
		if (!ISS_READ(iss)) {
			state->debug.oslk = (ISS_RT(iss) == 31 ? 0 : regs->x[ISS_RT(iss)]) & 1;
			if (state->debug.active != 0)
				write_sysreg(S2_0_C1_C0_4, state->debug.oslk);
		}
		return answer(regs, iss, 0);
	case DBG_REG(0, 1, 1, 4): /* OSLSR_EL1 */
		return answer(regs, iss,
			      OSLSR_OSLM_IMPLEMENTED | (state->debug.oslk != 0 ? OSLSR_OSLK : 0));
	case DBG_REG(0, 1, 3, 4): /* OSDLR_EL1: the double lock is never set */
	case DBG_REG(0, 1, 4, 4): /* DBGPRCR_EL1: no power-down request to honour */
	case DBG_REG(0, 1, 0, 0): /* MDRAR_EL1: no memory-mapped debug components */
	case DBG_REG(0, 0, 6, 2): /* OSECCR_EL1: no external debugger to catch for */
		return answer(regs, iss, 0);
	default:
		break;
	}
	/* The trace unit's registers (op1 1): no trace for guests (CPTR_EL2.TTA). */
	if (ISS_OP1(iss) == 1)
		return false;
	if (state->debug.active == 0) {
		/* The first debug access: switch in, stop trapping, run it again. */
		state->debug.active = 1;
		state->debug.exit_pc = regs->pc;
		debug_enter(c, state, regs);
		write_sysreg(mdcr_el2, debug_mdcr(state));
		isb();
		return true;
	}
	/* Still trapped while active: the DCC under MDCR_EL2.TDCC. Nothing to talk to. */
	return answer(regs, iss, 0);
}
