/* SPDX-License-Identifier: MIT */
/*
 * The host's attacks through devices that write memory without the SMMU
 * (issue 14, point 1; docs/security.md, "Platform policy"): fw_cfg's DMA
 * interface, the GICv3 ITS, the redistributors' LPI tables and a virtio-mmio
 * transport, each aimed at kcore's page-ownership table in its carve-out.
 * Each names its target on the console ("attack-target: ADDR same-as REF"):
 * tools/kcore-run reads both through QEMU's monitor after the run, and they
 * must still be equal (two entries of kcore pages that nothing may change).
 */
#ifndef KSERV_PLATFORM_ATTACKS_H
#define KSERV_PLATFORM_ATTACKS_H

#include "kserv/guest.h"

/* Runs them all; g (the victim) is the VM the VM_MAP_IO attempts aim at. */
void platform_attacks(struct guest *g);

#endif /* KSERV_PLATFORM_ATTACKS_H */
