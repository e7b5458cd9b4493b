/* SPDX-License-Identifier: MIT */
/* The few system registers and barriers kserv and the guests touch from C. */
#ifndef EL1_SYSREG_H
#define EL1_SYSREG_H

#include "types.h"

/* MPIDR_EL1 affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0): what PSCI and the DTB use. */
#define MPIDR_AFF_MASK 0xff00ffffffull

/* MPIDR_EL1 as it is, RES1 bit 31 and the MT/U bits included. */
static inline u64 read_mpidr_el1(void)
{
	u64 v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v;
}

/* Only the affinity fields. */
static inline u64 read_mpidr(void)
{
	return read_mpidr_el1() & MPIDR_AFF_MASK;
}

/* start.S keeps the logical CPU (or vCPU) index in TPIDR_EL1. */
static inline u32 read_cpu_index(void)
{
	u64 v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return (u32)v;
}

static inline u32 read_current_el(void)
{
	u64 v;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(v));
	return (u32)((v >> 2) & 3);
}

static inline u64 read_sctlr(void)
{
	u64 v;

	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(v));
	return v;
}

/* The virtual counter: readable at EL1 whatever EL2 does with the physical one. */
static inline u64 read_cntvct(void)
{
	u64 v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

/*
 * The virtual counter with an ISB on each side: nothing before it is still
 * under way when it is read, nothing after it started. Two of these around a
 * call measure exactly the call (under QEMU -icount, 16 instructions a tick).
 */
static inline u64 read_cntvct_fenced(void)
{
	u64 v;

	__asm__ volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v)::"memory");
	return v;
}

static inline u64 read_cntfrq(void)
{
	u64 v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static inline void wfe(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline void sev(void)
{
	__asm__ volatile("dsb ish; sev" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

#endif /* EL1_SYSREG_H */
