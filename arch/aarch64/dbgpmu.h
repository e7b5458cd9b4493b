/* SPDX-License-Identifier: MIT */
/*
 * The traps of the debug and performance-monitor registers while a guest
 * runs (MDCR_EL2), and two more kinds of register kcore does not switch.
 *
 * - Debug registers: the guest's own, switched lazily (debug.c).
 * - The PMU is hidden (docs/guests.md, "Hidden on purpose"): the ID
 *   registers say there is none (idregs.c), MDCR_EL2.TPM and TPMCR trap
 *   every PMU register, and such an access is undefined in the guest (its
 *   counters would count what the host and other VMs run).
 * - ACTLR_EL1 (HCR_EL2.TACR: IMPLEMENTATION DEFINED controls, writable on
 *   some CPUs) and the RAS error records (HCR_EL2.TERR: ERRIDR_EL1 reads
 *   zero, so a guest sees no record) are answered RAZ/WI here.
 */
#ifndef KCORE_AARCH64_DBGPMU_H
#define KCORE_AARCH64_DBGPMU_H

#include "core/lib/types.h"

/*
 * MDCR_EL2 while a guest runs: HPMN kept, and TPMCR, TPM, TDA (until the
 * vCPU's first debug access: debug.c), TDOSA, TDRA.
 */
#define MDCR_HPMN_MASK 0x1full
#define MDCR_GUEST     ((1ull << 5) | (1ull << 6) | (1ull << 9) | (1ull << 10) | (1ull << 11))

/*
 * If the trap with this ESR is an access to ACTLR_EL1 or a RAS error record
 * register, returns true with *value the result of a read (0): the caller
 * completes it.
 */
bool dbgpmu_emulate(u64 esr, u64 *value);

#endif /* KCORE_AARCH64_DBGPMU_H */
