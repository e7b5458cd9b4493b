/* SPDX-License-Identifier: MIT */
/*
 * Reset, power-off and panic on aarch64 (docs/security.md, "Reset,
 * power-off and panic"): before the firmware resets or stops the machine,
 * every other CPU is parked with its registers wiped and everything that is
 * not the host's is zeroed (core/machine_scrub.c) and cleaned to the
 * point of coherency.
 */
#ifndef KCORE_AARCH64_RESET_H
#define KCORE_AARCH64_RESET_H

#include "percpu.h"

/*
 * Every entry into kcore from a lower EL (the host's traps, a CPU started by
 * CPU_ON) says so first; once a scrub has begun the CPU parks instead.
 * reset_leave_kcore goes with each return to the host.
 */
void reset_enter_kcore(void);
void reset_leave_kcore(void);

/* True once a scrub has begun: a CPU that sees it parks (arch_vcpu_run, around each guest entry).
 */
bool reset_scrubbing(void);

/* Wipes this CPU's registers and its stack and stops it for good; the scrub waits for this. */
_Noreturn void reset_park(void);

/*
 * Parks every other CPU, scrubs, then makes PSCI call fn (SYSTEM_OFF,
 * SYSTEM_RESET or SYSTEM_RESET2 with a1, a2). Never returns: should the
 * firmware come back, kcore's state is gone, so the CPU powers off or stops.
 */
_Noreturn void reset_scrub_and_call(u32 fn, u64 a1, u64 a2);

/* At boot: asks the firmware for PSCI MEM_PROTECT and enables it if offered (logged). */
void reset_enable_mem_protect(void);

#endif /* KCORE_AARCH64_RESET_H */
