/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's arch state on aarch64: what the world switch (vcpu.c, vectors.S)
 * keeps of a guest besides its general registers. The core holds one in
 * every struct vcpu (core/vm/vm.h includes this header by the name
 * <arch/vcpu_state.h>; the build puts this arch's include directory first)
 * and copies it whole into a snapshot: its layout is the snapshot format
 * arch_vcpu_state_format() names (seal.c), so a change here bumps that.
 * vcpu.c asserts every offset the assembly uses.
 */
#ifndef KCORE_AARCH64_ARCH_VCPU_STATE_H
#define KCORE_AARCH64_ARCH_VCPU_STATE_H

#include "core/lib/types.h"

/* FP/SIMD registers: a guest's (switched lazily), the host's, or kept aside for crypto. */
struct fp_state {
	__uint128_t q[32];
	u64 fpsr; /* FP_STATE_FPSR (asm.h), then fpcr */
	u64 fpcr;
};

/*
 * The EL1 system registers and timer state switched between host and guest,
 * by their index in struct arch_vcpu's sysregs (and in struct cpu's
 * host_sysregs). el1_save/el1_load (vectors.S) move R_SCTLR..R_CNTV_CVAL in
 * this order, pauth_save/pauth_load the ten key halves from R_APIAKEYLO on:
 * vcpu.c asserts both orders.
 */
enum el1_sysreg {
	R_SCTLR,
	R_CPACR,
	R_TTBR0,
	R_TTBR1,
	R_TCR,
	R_ESR,
	R_AFSR0,
	R_AFSR1,
	R_FAR,
	R_MAIR,
	R_VBAR,
	R_CONTEXTIDR,
	R_AMAIR,
	R_CNTKCTL,
	R_PAR,
	R_TPIDR_EL1,
	R_TPIDR_EL0,
	R_TPIDRRO_EL0,
	R_SP_EL0,
	R_SP_EL1,
	R_ELR,
	R_SPSR,
	R_CSSELR,
	R_MDSCR,
	R_CNTV_CTL,
	R_CNTV_CVAL,
	R_CNTVOFF,
	R_APIAKEYLO, /* the pointer authentication keys, when the CPU has them */
	R_APIAKEYHI,
	R_APIBKEYLO,
	R_APIBKEYHI,
	R_APDAKEYLO,
	R_APDAKEYHI,
	R_APDBKEYLO,
	R_APDBKEYHI,
	R_APGAKEYLO,
	R_APGAKEYHI,
	R_TPIDR2_EL0, /* SME's, when the CPU has it */
	R_VDISR,      /* the guest's DISR_EL1 (VDISR_EL2), when the CPU has RAS */
	R_EXIT_FAR,   /* not a register: FAR_EL2 of the last exit, for injection */
	NR_EL1_SYSREGS
};

/* The GICv3 virtual CPU interface of a vCPU (vgic.c): its ICH_* state. */
#define VGIC_MAX_LRS 16u

struct vgic_state {
	u64 vmcr;
	u64 ap0r[4]; /* the active-priority registers AP0R0..3 */
	u64 ap1r[4]; /* and AP1R0..3 */
	u64 lr[VGIC_MAX_LRS];
};

/*
 * The guest's EL1 physical timer (CNTP_*), which kcore emulates (timers.c):
 * its accesses trap, and while the vCPU runs EL2's own timer CNTHP carries
 * its deadline. ctl holds ENABLE and IMASK (ISTATUS is computed at a read).
 */
struct ptimer_state {
	u64 ctl;
	u64 cval;
};

/*
 * The self-hosted debug state of a vCPU (debug.c), or the host's while a
 * guest that uses debug runs: every breakpoint and watchpoint the
 * architecture allows (the CPU has at most 16 of each; only its own number
 * are moved), the DCC's interrupt enable and the OS lock. MDSCR_EL1 is in sysregs
 * (R_MDSCR).
 */
#define DBG_MAX_BPS 16u

struct debug_state {
	u64 bvr[DBG_MAX_BPS]; /* DBGBVR<n>_EL1 */
	u64 wvr[DBG_MAX_BPS]; /* DBGWVR<n>_EL1 */
	u32 bcr[DBG_MAX_BPS]; /* DBGBCR<n>_EL1 (32 bits) */
	u32 wcr[DBG_MAX_BPS]; /* DBGWCR<n>_EL1 */
	u64 mdccint;	      /* MDCCINT_EL1 */
	u64 oslk; /* OSLSR_EL1.OSLK: the OS lock, as the guest set it (resets unlocked) */
	/*
	 * Non-zero once the guest touched a debug register, for as long as its
	 * MDSCR_EL1 enables debug events (MDE, KDE or SS; checked at each exit):
	 * its debug state is switched at every entry and exit, and its accesses
	 * do not trap (MDCR_EL2.TDA clear). Zero: they trap, nothing is switched.
	 */
	u64 active;
	u64 exit_pc; /* the PC at the last exit, while active (single step: debug.c) */
};

struct arch_vcpu {
	struct fp_state fp;	     /* loaded at the guest's first FP/SIMD use in a run */
	u64 sysregs[NR_EL1_SYSREGS]; /* by enum el1_sysreg */
	struct vgic_state vgic;
	struct ptimer_state ptimer;
	/*
	 * Non-zero once the vCPU has used a timer (timers.c): from then on every
	 * entry makes the timers' interrupts reach EL2 while it runs.
	 */
	u64 timers_used;
	struct debug_state debug;
	/*
	 * Padding, named so that it is always zero: to 16 bytes, and to a
	 * struct vcpu of 129 * 16 bytes, whose index the core scales with one
	 * shifted add (vcpus[i] is on every entry's path).
	 */
	u64 unused[10];
};

#endif /* KCORE_AARCH64_ARCH_VCPU_STATE_H */
