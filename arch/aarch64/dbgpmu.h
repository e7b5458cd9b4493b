/* SPDX-License-Identifier: MIT */
/*
 * The debug and performance-monitor registers are not a guest's: kcore does
 * not switch them between worlds, so a guest's breakpoints, watchpoints or
 * counters would reach the host and other VMs (and their counts would leak
 * what those ran). While a guest runs, MDCR_EL2 traps every access to them
 * and kcore answers RAZ/WI: reads are zero (no counters, nothing armed),
 * writes are ignored. The ID registers say there is no PMU (idregs.c).
 *
 * Two more kinds of register kcore does not switch are answered the same way
 * when a guest's access traps: ACTLR_EL1 (HCR_EL2.TACR: IMPLEMENTATION
 * DEFINED controls, writable on some CPUs) and the RAS error records
 * (HCR_EL2.TERR: ERRIDR_EL1 reads zero, so a guest sees no record).
 */
#ifndef KCORE_AARCH64_DBGPMU_H
#define KCORE_AARCH64_DBGPMU_H

#include "core/lib/types.h"

/* MDCR_EL2 while a guest runs: HPMN kept, and TPMCR, TPM, TDA, TDOSA, TDRA. */
#define MDCR_HPMN_MASK 0x1full
#define MDCR_GUEST     ((1ull << 5) | (1ull << 6) | (1ull << 9) | (1ull << 10) | (1ull << 11))

/*
 * If the trap with this ESR is an access to a debug or PMU register, ACTLR_EL1
 * or a RAS error record register, returns
 * true with *value the result of a read (0): the caller completes it.
 */
bool dbgpmu_emulate(u64 esr, u64 *value);

#endif /* KCORE_AARCH64_DBGPMU_H */
