/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 a guest's DTB names, as the host emulates it (KC_EXIT_MMIO): the
 * distributor (64 KiB at KCORE_GUEST_GICD_BASE) and one redistributor
 * (128 KiB each from KCORE_GUEST_GICR_BASE) per vCPU. Only the
 * identification registers, GICD_CTLR, GICR_TYPER and GICR_WAKER mean
 * anything; the rest read as zero and ignore writes: interrupts reach the
 * guest through kcore's virtual CPU interface, not through these registers.
 * The registers only: who may call, and under which lock, is the caller's.
 */
#ifndef VMM_VGIC_H
#define VMM_VGIC_H

#include "types.h"

#define VGIC_MAX_CPUS	 8u
#define VGIC_GICD_SIZE	 0x10000ull
#define VGIC_GICR_STRIDE 0x20000ull

/* The registers the host keeps for a guest (a snapshot saves and restores them). */
struct vmm_gic {
	u32 gicd_ctlr;
	u32 gicr_waker[VGIC_MAX_CPUS];
};

/* An access at off in the distributor; a read's value (0 for a write). */
u64 vgic_dist_access(struct vmm_gic *gic, u64 off, bool write, u64 value);

/* An access at off in vCPU cpu's redistributor (of nr_cpus), size bytes; a read's value. */
u64 vgic_redist_access(struct vmm_gic *gic, u32 nr_cpus, u32 cpu, u64 off, u64 size, bool write,
		       u64 value);

#endif /* VMM_VGIC_H */
