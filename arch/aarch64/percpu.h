/* SPDX-License-Identifier: MIT */
/* Per-CPU state of kcore at EL2. */
#ifndef KCORE_AARCH64_PERCPU_H
#define KCORE_AARCH64_PERCPU_H

#include "asm.h"
#include "core/kcore.h"
#include "core/lib/types.h"
/* This arch's own, also where host tests compile arch/aarch64 files against arch/sim. */
#include "include/arch/vcpu_state.h"
#include "sysreg.h"

#define KCORE_MAX_CPUS 8u
_Static_assert(KCORE_MAX_CPUS == KCORE_MAX_CPUS_ASM, "asm.h agrees");

/*
 * The registers a trap saves (vectors.S lays it out; keep in sync). For the
 * host's synchronous traps (handle_host_sync) x19..x29 are not stored: C
 * preserves them, and nothing may read those slots.
 */
struct trap_frame {
	union {
		u64 x[31];
		/* x0..x7 as a host call's arguments and results, for host_hvc_dispatch in place. */
		struct kcore_hvc_regs hvc;
	};
	u64 elr;
	u64 spsr;
	u64 pad;
};

struct cpu {
	/*
	 * The first two fields are used by vectors.S (offsets in asm.h): the
	 * running guest's registers (0 while the host runs), and kcore's own
	 * callee-saved registers x19..x30 and SP while a guest runs.
	 */
	u64 guest_regs;
	u64 kcore_ctx[13];
	u64 mpidr;
	u32 index;
	bool present;
	bool online;
	/* The reset scrub (reset.c): inside kcore on the host's behalf; stopped for good. */
	bool in_kcore;
	bool parked;
	/* Where PSCI CPU_ON asked the host to start on this CPU. */
	u64 host_entry;
	u64 host_ctx;
	struct trap_frame *frame;	  /* the trap being handled, for abort injection */
	struct fp_state fp;		  /* the host's or guest's FP state during kcore's crypto */
	struct fp_state host_fp;	  /* the host's FP state while a guest runs */
	u64 host_sysregs[NR_EL1_SYSREGS]; /* by enum el1_sysreg (<arch/vcpu_state.h>) */
	struct debug_state host_debug;	  /* the host's, while a guest that uses debug runs */
};

extern struct cpu cpus[KCORE_MAX_CPUS];
extern u32 nr_cpus;

/* This CPU, from TPIDR_EL2 (set at entry). */
static inline struct cpu *this_cpu(void)
{
	return (struct cpu *)(uintptr_t)read_sysreg(tpidr_el2);
}

#endif /* KCORE_AARCH64_PERCPU_H */
