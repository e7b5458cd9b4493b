/* SPDX-License-Identifier: MIT */
/*
 * The host's accesses to the GICv3 redistributors' RD_base page 0, which
 * kcore never maps for it (the platform policy's MEDIATED class): decoded
 * from the stage-2 abort, checked and performed by kcore (gicr_mediate.c).
 */
#ifndef KCORE_AARCH64_GICR_MEDIATE_H
#define KCORE_AARCH64_GICR_MEDIATE_H

#include "machine.h"
#include "percpu.h"

/* GICR_TYPER of the redistributor frame at frame (a physical access: kcore's MMU still off). */
u64 gicr_read_typer(u64 frame);

/*
 * The RD_base of the redistributor of the PE with this MPIDR (by
 * GICR_TYPER's affinity), 0 if none: kcore maps its page 0 and its SGI_base
 * page (mmu.c); timers.c uses them.
 */
u64 gicr_frame_of(u64 mpidr);

/* Remembers the frames (from the platform policy); checks LPIs are off in each. */
void gicr_mediate_init(const struct machine *m);

/*
 * Emulates the host's trapped data access at pa (ESR_EL2 esr) and steps its
 * PC; false if it cannot be (not a redistributor page 0, no syndrome): the
 * caller then injects an abort.
 */
bool gicr_mediate(struct trap_frame *f, u64 esr, u64 pa);

#endif /* KCORE_AARCH64_GICR_MEDIATE_H */
