/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's arch state on the simulated machine: no registers to switch, so
 * it counts what the core asked the arch to inject (the tests read the
 * counts) and holds the simulated list registers. The core holds one in
 * every struct vcpu (core/vm/vm.h includes this header by the name
 * <arch/vcpu_state.h>; the host build puts this arch's include directory
 * first) and copies it whole into a snapshot: its layout is the format
 * arch_vcpu_state_format() names (hooks.c), so a change here bumps that.
 */
#ifndef KCORE_SIM_ARCH_VCPU_STATE_H
#define KCORE_SIM_ARCH_VCPU_STATE_H

#include "core/lib/types.h"

/*
 * The simulated list registers: at each entry the sim moves pending virtual
 * interrupts (core/vm/virq.c) into free ones, as intid | SIM_LR_VALID; a
 * guest or test takes one by zeroing it (acknowledge and end in one). A test
 * may mark one active (SIM_LR_ACTIVE: taken, not yet deactivated; with
 * SIM_LR_VALID too, active and pending); 0 is a free one.
 */
#define SIM_VCPU_NR_LRS 4u
#define SIM_LR_VALID	(1ull << 32)
#define SIM_LR_ACTIVE	(1ull << 33)
#define SIM_LR_INTID	0xffffffffull

struct arch_vcpu {
	u64 dabts;	    /* data aborts injected */
	u64 iabts;	    /* instruction aborts injected */
	u64 undefs;	    /* undefined-instruction exceptions injected */
	u64 last_abort_ipa; /* the IPA of the last abort injected */
	u64 write_aborts;   /* data aborts injected for a write */
	u64 unused[3];	    /* words 5..7 of snapshot layout 1: always zero */
	u64 lr[SIM_VCPU_NR_LRS];
};

#endif /* KCORE_SIM_ARCH_VCPU_STATE_H */
