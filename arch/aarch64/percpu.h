/* SPDX-License-Identifier: MIT */
/* Per-CPU state of kcore at EL2. */
#ifndef KCORE_AARCH64_PERCPU_H
#define KCORE_AARCH64_PERCPU_H

#include "core/lib/types.h"

#define KCORE_MAX_CPUS	 8u
#define KCORE_STACK_SIZE 16384u

/* The registers a trap saves (vectors.S lays it out; keep in sync). */
struct trap_frame {
	u64 x[31];
	u64 elr;
	u64 spsr;
	u64 pad;
};

/* FP/SIMD state kept aside while kcore runs BearSSL on this CPU. */
struct fp_state {
	__uint128_t q[32];
	u64 fpsr;
	u64 fpcr;
};

struct cpu {
	u64 mpidr;
	u32 index;
	bool present;
	bool online;
	/* Where PSCI CPU_ON asked the host to start on this CPU. */
	u64 host_entry;
	u64 host_ctx;
	struct trap_frame *frame; /* the trap being handled, for abort injection */
	struct fp_state fp;
};

extern struct cpu cpus[KCORE_MAX_CPUS];
extern u32 nr_cpus;

/* This CPU, from TPIDR_EL2 (set at entry). */
struct cpu *this_cpu(void);

#endif /* KCORE_AARCH64_PERCPU_H */
