/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 a guest's DTB names, as the host emulates it (KC_EXIT_MMIO): the
 * distributor (64 KiB at KCORE_GUEST_GICD_BASE) and one redistributor
 * (128 KiB each from KCORE_GUEST_GICR_BASE: RD_base, then SGI_base) per
 * vCPU, for a guest with no ITS and no LPIs. The GIC has one security state
 * (GICD_CTLR.DS reads 1) and affinity routing always on (ARE RAO/WI), as a
 * KVM or QEMU guest sees it:
 *   - enable, pending, active and group (IS/IC{ENABLE,PEND,ACTIVE}R,
 *     IGROUPR) of the 32 SPIs (INTID 32..63: GICD_TYPER.ITLinesNumber 1) in
 *     the distributor, of each vCPU's SGIs and PPIs in its redistributor;
 *     SGIs are always enabled (an implementation may choose so: kcore
 *     delivers them whatever the guest writes), PPIs reset disabled;
 *   - priorities (IPRIORITYR, byte or word accesses, 5 bits kept as the
 *     virtual CPU interface has), configuration (ICFGR: SGIs edge and PPIs
 *     level, read-only; SPIs edge or level), SPI routing (GICD_IROUTER,
 *     64-bit or either half);
 *   - with DS and ARE: IGRPMODR, NSACR, ITARGETSR, GICD_SGIR and the
 *     distributor's SGI/PPI (banked) registers are RAZ/WI; no LPIs:
 *     GICR_CTLR, PROPBASER and PENDBASER are RAZ/WI;
 *   - GICD_CTLR keeps EnableGrp0/EnableGrp1; RWP (there and in GICR_CTLR)
 *     is never set: writes take effect at once; GICR_WAKER sleeps and wakes
 *     at once; GICR_TYPER gives the processor number, the affinity (Aff0 =
 *     the vCPU's index, as its MPIDR) and Last.
 * Registers are 32-bit; an access of another size (IPRIORITYR may take
 * bytes, IROUTER and GICR_TYPER doublewords) or unaligned is RAZ/WI, as is
 * any offset that names no register.
 *
 * Interrupts reach the guest through kcore's virtual CPU interface, not
 * through this state: the pending and active bits here are what the guest
 * (and the host's own injections it records) set; kcore ORs the
 * pending/active state of the interrupts it holds for the reading vCPU into
 * the value of a GICR_ISPENDR0/ICPENDR0/ISACTIVER0/ICACTIVER0 read (and the
 * distributor's for the SPIs it holds), and keeps its own copy of the
 * guest's PPI enables (core/run/gic_view.c). The registers only: who may
 * call, and under which lock, is the caller's.
 */
#ifndef VMM_VGIC_H
#define VMM_VGIC_H

#include "types.h"

#define VGIC_MAX_CPUS	 8u
#define VGIC_GICD_SIZE	 0x10000ull
#define VGIC_GICR_STRIDE 0x20000ull
#define VGIC_NR_SPIS	 32u /* INTIDs 32..63: one word of each bit register */

/* The state of 32 interrupts: a vCPU's SGIs and PPIs, or the SPIs. */
struct vgic_bank {
	u32 group; /* 1: Group 1 */
	u32 enabled;
	u32 pending;
	u32 active;
	u8 prio[32];
};

struct vgic_cpu {
	struct vgic_bank bank; /* INTIDs 0..31 */
	u32 waker;
	u32 reserved; /* zero */
};

/* The registers the host keeps for a guest (a snapshot saves and restores them). */
struct vmm_gic {
	u32 gicd_ctlr; /* EnableGrp0, EnableGrp1 */
	u32 reserved;  /* zero */
	struct vgic_bank spi;
	u64 spi_cfg; /* GICD_ICFGR2..3: bit 2n+1 set: SPI 32+n is edge-triggered */
	u64 spi_route[VGIC_NR_SPIS];
	struct vgic_cpu cpu[VGIC_MAX_CPUS];
};

/* An access of size bytes at off in the distributor; a read's value (0 for a write). */
u64 vgic_dist_access(struct vmm_gic *gic, u64 off, u64 size, bool write, u64 value);

/* An access at off in vCPU cpu's redistributor (of nr_cpus), size bytes; a read's value. */
u64 vgic_redist_access(struct vmm_gic *gic, u32 nr_cpus, u32 cpu, u64 off, u64 size, bool write,
		       u64 value);

#endif /* VMM_VGIC_H */
