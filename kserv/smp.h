/* SPDX-License-Identifier: MIT */
/*
 * CPUs. Logical CPU 0 is the one kcore entered first; the others are the
 * DTB's remaining CPUs in DTB order, numbered 1..n-1. Each is started with
 * PSCI CPU_ON at el1_secondary_entry with its number as the context id,
 * says "kserv: cpu N up" and then waits (WFE) for work the boot CPU posts.
 */
#ifndef KSERV_SMP_H
#define KSERV_SMP_H

#include "fdt_info.h"
#include "types.h"

typedef void (*smp_fn)(void *arg);

/* Numbers the CPUs from the DTB; the calling CPU becomes CPU 0. */
void smp_init(const struct machine *m);
/* CPU_ON for every other CPU; waits (bounded) until each says it is up. */
void smp_start_secondaries(void);

u32 smp_nr_cpus(void);
u64 smp_cpu_mpidr(u32 cpu);
bool smp_cpu_online(u32 cpu);
u32 smp_nr_online(void);
/* The PSCI CPU_ON result for a secondary (0 on success). */
s64 smp_cpu_on_result(u32 cpu);

/* Runs fn(arg) on an online CPU (the caller's too) and waits for it; false on timeout. */
bool smp_call(u32 cpu, smp_fn fn, void *arg);

/*
 * Starts fn(arg) on another online CPU that has no work, and returns at once
 * (false if the CPU is down, busy, or the caller's). For long work, such as
 * running vCPUs; smp_wait waits for it to finish (SMP_WAIT_FOREVER: no limit).
 */
bool smp_post(u32 cpu, smp_fn fn, void *arg);
#define SMP_WAIT_FOREVER 0
bool smp_wait(u32 cpu, u64 timeout_ms);

/* Milliseconds of the virtual counter. */
u64 time_ms(void);

_Noreturn void kserv_secondary(u64 cpu);

#endif /* KSERV_SMP_H */
