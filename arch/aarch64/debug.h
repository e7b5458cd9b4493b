/* SPDX-License-Identifier: MIT */
/*
 * Self-hosted debug for guests (debug.c): a vCPU's breakpoints, watchpoints,
 * single step and OS lock are its own, switched lazily. Until the guest
 * first touches a debug register every access traps (MDCR_EL2.TDA) and
 * nothing is switched, so a guest that never debugs pays nothing; that first
 * access makes the vCPU's debug state "active": it is switched in at once,
 * and then loaded at every entry and saved at every exit, the host's saved
 * and restored around it, the guest's accesses untrapped, for as long as
 * the guest's MDSCR_EL1 enables debug events (as KVM does: an exit with
 * MDE, KDE and SS clear makes it inactive again). Debug exceptions are the
 * guest's own (MDCR_EL2.TDE clear: taken at its EL1). External debug stays
 * off: the OS lock, double lock, power-down and external-debug registers
 * trap (TDOSA, TDRA) and are answered here.
 */
#ifndef KCORE_AARCH64_DEBUG_H
#define KCORE_AARCH64_DEBUG_H

#include <arch/vcpu_state.h>

#include "core/lib/types.h"
#include "el2ctl.h"

struct cpu;
struct vcpu_regs;

/* MDCR_EL2.TDA, and TDCC (FEAT_FGT: the DCC registers alone). */
#define MDCR_TDA  (1ull << 9)
#define MDCR_TDCC (1ull << 27)

/* SPSR.SS: the software-step state of the interrupted context. */
#define PSR_SS (1ull << 21)

/* MDCR_EL2 for this vCPU's run: el2ctl's, without TDA once its debug state is active. */
static inline u64 debug_mdcr(const struct arch_vcpu *state)
{
	return state->debug.active != 0 ? el2ctl.mdcr_guest_debug : el2ctl.mdcr_guest_run;
}

/* Entry of an active vCPU: the host's debug state saved in *c, the guest's loaded. */
__attribute__((cold)) void debug_enter(struct cpu *c, struct arch_vcpu *state,
				       struct vcpu_regs *regs);

/* Exit of an active vCPU: the guest's saved, the host's loaded back. */
__attribute__((cold)) void debug_exit(struct cpu *c, struct arch_vcpu *state,
				      const struct vcpu_regs *regs);

/*
 * A trapped access (ESR esr) to a debug register (op0 2): the vCPU's debug
 * state activated and switched in, the access left to run again untrapped;
 * or an OS lock / external debug register answered (regs->pc stepped).
 * False if esr is not such an access.
 */
__attribute__((cold)) bool debug_trap(struct cpu *c, struct arch_vcpu *state,
				      struct vcpu_regs *regs, u64 esr);

#endif /* KCORE_AARCH64_DEBUG_H */
