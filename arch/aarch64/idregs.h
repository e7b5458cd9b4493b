/* SPDX-License-Identifier: MIT */
/*
 * What a guest sees of the CPU's ID registers. kcore traps the guest's reads
 * of them (HCR_EL2.TID3) and answers with the real value minus the features
 * it does not switch between worlds: SVE and SME (their register files are
 * not saved, and CPTR_EL2 keeps them trapped), MTE tags, the activity
 * monitors, MPAM, the PMU and SPE (dbgpmu.h). A guest that uses one anyway gets UNDEF; without the
 * masking an unmodified Linux would try and fail at boot.
 */
#ifndef KCORE_AARCH64_IDREGS_H
#define KCORE_AARCH64_IDREGS_H

#include "core/lib/types.h"

/*
 * If the trap with this ESR is a read of an ID register, puts the guest's
 * view of it in *value and returns true.
 */
bool idregs_emulate(u64 esr, u64 *value);

/* Whether the CPU has pointer authentication (its keys are switched per vCPU). */
bool idregs_cpu_has_pauth(void);

#endif /* KCORE_AARCH64_IDREGS_H */
