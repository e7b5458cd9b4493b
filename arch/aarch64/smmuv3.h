/* SPDX-License-Identifier: MIT */
/* kcore's SMMUv3 driver (arch/aarch64/smmuv3.c): the arch_smmu_* hooks of core/arch.h. */
#ifndef KCORE_AARCH64_SMMUV3_H
#define KCORE_AARCH64_SMMUV3_H

#include "core/kcore.h"

/*
 * Takes the SMMU whose register window is regs (mapped for kcore as device
 * memory, never for the host): every stream blocked, queues on, translation
 * on. Once on the boot CPU, before the host runs. Panics on an SMMU kcore
 * cannot drive rather than leave DMA open.
 */
void smmuv3_init(const struct kcore_mem_range *regs);

#endif /* KCORE_AARCH64_SMMUV3_H */
