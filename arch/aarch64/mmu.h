/* SPDX-License-Identifier: MIT */
/* kcore's EL2 stage-1 and the host's stage-2 switched on. */
#ifndef KCORE_AARCH64_MMU_H
#define KCORE_AARCH64_MMU_H

#include "machine.h"

/* Builds kcore's stage-1 (once, on the boot CPU, after kcore_init). */
void mmu_build(const struct machine *m);

/* Turns kcore's stage-1 on for this CPU. */
void mmu_enable(void);

/* Points this CPU's stage-2 at the host's table and sets the host's EL2 controls. */
void host_stage2_enable(void);

#endif /* KCORE_AARCH64_MMU_H */
