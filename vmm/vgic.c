/* SPDX-License-Identifier: MIT */
#include "vgic.h"

#define GIC_IIDR_ARM	0x0000043bu
#define GIC_PIDR2	0xffe8u
#define GIC_PIDR2_V3	0x30u
#define GICD_CTLR	0x0000u
#define GICD_TYPER	0x0004u
#define GICD_IIDR	0x0008u
#define GICD_CTLR_MASK	0x00000037u /* EnableGrp0/1NS/1S, ARE_S, ARE_NS */
/* 64 INTIDs (ITLinesNumber = 1), 10 interrupt ID bits. */
#define GICD_TYPER_VAL	((9u << 19) | 1u)
#define GICR_IIDR	0x0004u
#define GICR_TYPER	0x0008u
#define GICR_WAKER	0x0014u
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_WAKER_PS	(1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CA	(1u << 2) /* ChildrenAsleep */

u64 vgic_dist_access(struct vmm_gic *gic, u64 off, bool write, u64 value)
{
	if (write) {
		if (off == GICD_CTLR)
			gic->gicd_ctlr = (u32)value & GICD_CTLR_MASK;
		return 0;
	}
	switch (off) {
	case GICD_CTLR:
		return gic->gicd_ctlr; /* RWP (bit 31) is never set: writes take effect at once */
	case GICD_TYPER:
		return GICD_TYPER_VAL;
	case GICD_IIDR:
		return GIC_IIDR_ARM;
	case GIC_PIDR2:
		return GIC_PIDR2_V3;
	default:
		return 0;
	}
}

u64 vgic_redist_access(struct vmm_gic *gic, u32 nr_cpus, u32 cpu, u64 off, u64 size, bool write,
		       u64 value)
{
	u64 typer = ((u64)cpu << 32) | ((u64)cpu << 8) | (cpu + 1 == nr_cpus ? GICR_TYPER_LAST : 0);

	if (cpu >= VGIC_MAX_CPUS)
		return 0;
	if (write) {
		if (off == GICR_WAKER) {
			u32 ps = (u32)value & GICR_WAKER_PS;

			/* The redistributor sleeps or wakes at once. */
			gic->gicr_waker[cpu] = ps | (ps != 0 ? GICR_WAKER_CA : 0);
		}
		return 0;
	}
	switch (off) {
	case GICR_IIDR:
		return GIC_IIDR_ARM;
	case GICR_TYPER:
		return size == 8 ? typer : (u32)typer;
	case GICR_TYPER + 4:
		return typer >> 32;
	case GICR_WAKER:
		return gic->gicr_waker[cpu];
	case GIC_PIDR2:
		return GIC_PIDR2_V3;
	default:
		return 0;
	}
}
