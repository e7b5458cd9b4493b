/* SPDX-License-Identifier: MIT */
#include "vgic.h"

_Static_assert(VGIC_NR_SPIS == 32, "one word of each bit register holds the SPIs");

#define GIC_IIDR_ARM 0x0000043bu
/* ID registers (both frames): PIDR2 says GICv3 (ArchRev 3) and a JEP106 code; CIDR0..3. */
#define GIC_PIDR2    0xffe8u
#define GIC_PIDR2_V3 0x3bu
#define GIC_CIDR0    0xfff0u
static const u8 gic_cidr[4] = {0x0d, 0xf0, 0x05, 0xb1};

#define GICD_CTLR      0x0000u
#define GICD_TYPER     0x0004u
#define GICD_IIDR      0x0008u
#define GICD_CTLR_EN   0x3u	 /* EnableGrp0, EnableGrp1 */
#define GICD_CTLR_ARE  (1u << 4) /* RAO/WI */
#define GICD_CTLR_DS   (1u << 6) /* RAO/WI: one security state */
/* 32 * (ITLinesNumber + 1) INTIDs, 10 interrupt ID bits. */
#define GICD_TYPER_VAL ((9u << 19) | (VGIC_NR_SPIS / 32u))

/* The registers with one bit per INTID: IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER. */
#define REG_BITS_FIRST 0x0080u
#define REG_BITS_END   0x0400u
#define REG_BITS_SPAN  0x80u /* each kind: 32 words */
#define REG_IPRIORITYR 0x0400u
#define REG_ICFGR      0x0c00u
#define PRIO_MASK      0xf8u /* 5 priority bits, as the virtual CPU interface has */
#define ICFGR_SGI      0xaaaaaaaau
#define ICFGR_SPI_MASK 0xaaaaaaaaaaaaaaaaull /* Int_config[1] of each: 1 edge, 0 level */
#define GICD_IROUTER   0x6000u
/* Aff3, Interrupt_Routing_Mode, Aff2, Aff1, Aff0. */
#define IROUTER_MASK   0x000000ff80ffffffull

#define GICR_CTLR	0x0000u
#define GICR_IIDR	0x0004u
#define GICR_TYPER	0x0008u
#define GICR_WAKER	0x0014u
#define GICR_SGI_BASE	0x10000u
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_WAKER_PS	(1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CA	(1u << 2) /* ChildrenAsleep */

enum bits_kind {
	BITS_GROUP,
	BITS_SET_ENABLE,
	BITS_CLEAR_ENABLE,
	BITS_SET_PEND,
	BITS_CLEAR_PEND,
	BITS_SET_ACTIVE,
	BITS_CLEAR_ACTIVE
};

/*
 * One of a bank's bit registers, kind as its offset says; always_on: the
 * enable bits that read 1 and ignore writes (the SGIs').
 */
static u32 bank_bits(struct vgic_bank *b, enum bits_kind kind, bool write, u32 value, u32 always_on)
{
	u32 *word;

	switch (kind) {
	case BITS_GROUP:
		if (write)
			b->group = value;
		return b->group;
	case BITS_SET_ENABLE:
	case BITS_CLEAR_ENABLE:
		word = &b->enabled;
		break;
	case BITS_SET_PEND:
	case BITS_CLEAR_PEND:
		word = &b->pending;
		break;
	default:
		word = &b->active;
		break;
	}
	if (write && (kind == BITS_SET_ENABLE || kind == BITS_SET_PEND || kind == BITS_SET_ACTIVE))
		*word |= value;
	else if (write)
		*word &= ~value;
	if (kind == BITS_SET_ENABLE || kind == BITS_CLEAR_ENABLE)
		return (*word & ~always_on) | always_on;
	return *word;
}

/* IPRIORITYR bytes [first, first + size) of a bank (first + size <= 32). */
static u32 bank_prio(struct vgic_bank *b, u32 first, u32 size, bool write, u64 value)
{
	u32 result = 0;

	for (u32 i = 0; i < size; i++) {
		if (write)
			b->prio[first + i] = (u8)(value >> (8 * i)) & PRIO_MASK;
		result |= (u32)b->prio[first + i] << (8 * i);
	}
	return result;
}

/* The ID registers of both frames at off (32-bit): PIDR2, CIDR0..3; 0 elsewhere. */
static u32 id_register(u64 off)
{
	if (off == GIC_PIDR2)
		return GIC_PIDR2_V3;
	if (off >= GIC_CIDR0 && off < GIC_CIDR0 + 16)
		return gic_cidr[(off - GIC_CIDR0) / 4];
	return 0;
}

/*
 * The registers the distributor and an SGI_base frame share layouts for,
 * on bank b, whose INTIDs are base..base+31 (0 or 32); false if off is
 * none of them. Only 32-bit accesses but IPRIORITYR's bytes.
 */
static bool bank_access(struct vgic_bank *b, u32 base, u64 off, u64 size, bool write, u64 value,
			u32 *result)
{
	u32 always_on = base == 0 ? 0xffffu : 0; /* SGIs */

	if (off >= REG_BITS_FIRST && off < REG_BITS_END) {
		u32 kind = (u32)(off - REG_BITS_FIRST) / REG_BITS_SPAN;
		u32 word = (u32)(off % REG_BITS_SPAN) / 4;

		if (size == 4 && word == base / 32)
			*result = bank_bits(b, (enum bits_kind)kind, write, (u32)value, always_on);
		return true;
	}
	if (off >= REG_IPRIORITYR && off < REG_IPRIORITYR + 0x400) {
		u32 intid = (u32)(off - REG_IPRIORITYR);

		if ((size == 1 || size == 4) && intid >= base && intid < base + 32)
			*result = bank_prio(b, intid - base, (u32)size, write, value);
		return true;
	}
	return false;
}

u64 vgic_dist_access(struct vmm_gic *gic, u64 off, u64 size, bool write, u64 value)
{
	u32 result = 0;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return 0;
	if (off % size != 0 || off >= VGIC_GICD_SIZE)
		return 0; /* unaligned: RAZ/WI */
	if (off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * (32 + VGIC_NR_SPIS)) {
		u64 *route = &gic->spi_route[(off - GICD_IROUTER) / 8 - 32];
		u32 shift = (off % 8) * 8;
		u64 mask = size == 8 ? ~0ull : 0xffffffffull << shift;

		if (size != 8 && size != 4)
			return 0;
		if (write)
			*route = ((*route & ~mask) | ((value << shift) & mask)) & IROUTER_MASK;
		return write ? 0 : (*route & mask) >> shift;
	}
	if (bank_access(&gic->spi, 32, off, size, write, value, &result))
		return write ? 0 : result;
	if (size != 4)
		return 0;
	switch (off) {
	case GICD_CTLR:
		if (write)
			gic->gicd_ctlr = (u32)value & GICD_CTLR_EN;
		/* RWP (bit 31) is never set: writes take effect at once. */
		result = gic->gicd_ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
		break;
	case GICD_TYPER:
		result = GICD_TYPER_VAL;
		break;
	case GICD_IIDR:
		result = GIC_IIDR_ARM;
		break;
	case REG_ICFGR + 8:  /* SPIs 32..47 */
	case REG_ICFGR + 12: /* 48..63 */
	{
		u32 shift = off == REG_ICFGR + 8 ? 0 : 32;

		if (write)
			gic->spi_cfg = (gic->spi_cfg & ~(0xffffffffull << shift)) |
				       (((u64)(u32)value << shift) & ICFGR_SPI_MASK);
		result = (u32)(gic->spi_cfg >> shift);
		break;
	}
	default:
		/* IGRPMODR, NSACR (DS), ITARGETSR, SGIR (ARE), reserved: RAZ/WI. */
		result = id_register(off);
		break;
	}
	return write ? 0 : result;
}

u64 vgic_redist_access(struct vmm_gic *gic, u32 nr_cpus, u32 cpu, u64 off, u64 size, bool write,
		       u64 value)
{
	u64 typer = ((u64)cpu << 32) | ((u64)cpu << 8) | (cpu + 1 == nr_cpus ? GICR_TYPER_LAST : 0);
	struct vgic_cpu *c;
	u32 result = 0;

	if (cpu >= VGIC_MAX_CPUS || cpu >= nr_cpus || off >= VGIC_GICR_STRIDE)
		return 0;
	if ((size != 1 && size != 2 && size != 4 && size != 8) || off % size != 0)
		return 0;
	c = &gic->cpu[cpu];
	if (off == GICR_TYPER && size == 8)
		return write ? 0 : typer;
	if (off >= GICR_SGI_BASE) {
		u64 sgi_off = off - GICR_SGI_BASE;

		if (bank_access(&c->bank, 0, sgi_off, size, write, value, &result))
			return write ? 0 : result;
		if (size != 4)
			return 0;
		if (sgi_off == REG_ICFGR)
			result = ICFGR_SGI; /* SGIs: edge, read-only */
		/* ICFGR1 (PPIs level, read-only), IGRPMODR0, NSACR, reserved: RAZ/WI. */
		return write ? 0 : result;
	}
	if (size != 4)
		return 0;
	switch (off) {
	case GICR_CTLR: /* no LPIs, RWP and UWP never set */
		break;
	case GICR_IIDR:
		result = GIC_IIDR_ARM;
		break;
	case GICR_TYPER:
		result = (u32)typer;
		break;
	case GICR_TYPER + 4:
		result = (u32)(typer >> 32);
		break;
	case GICR_WAKER:
		if (write) {
			u32 ps = (u32)value & GICR_WAKER_PS;

			/* The redistributor sleeps or wakes at once. */
			c->waker = ps | (ps != 0 ? GICR_WAKER_CA : 0);
		}
		result = c->waker;
		break;
	default:
		result = id_register(off); /* PROPBASER, PENDBASER (no LPIs), ...: RAZ/WI */
		break;
	}
	return write ? 0 : result;
}
