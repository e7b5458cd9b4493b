/* SPDX-License-Identifier: MIT */
/*
 * Mediation of the GICv3 redistributors' RD_base page 0 for the host
 * (docs/security.md, "Platform policy"). That page holds GICR_PROPBASER and
 * GICR_PENDBASER - physical addresses the redistributor's LPI table walker
 * reads and writes - and GICR_CTLR.EnableLPIs, which starts that walker. A
 * host that programs them makes the GIC write wherever it likes, kcore's
 * memory included. So the host gets no LPIs, consistently - the view the
 * GICv3 architecture gives of a redistributor without physical LPIs:
 *   - GICR_TYPER.PLPIS reads as 0;
 *   - GICR_CTLR.EnableLPIs cannot be set (the write goes through without it);
 *   - PROPBASER, PENDBASER and the LPI registers (SETLPIR, CLRLPIR, INVLPIR,
 *     INVALLR, SYNCR) are RAZ/WI, as they are RES0 without PLPIS.
 * The registers the host needs pass through: CTLR (its other bits), IIDR,
 * TYPER, WAKER, each only with an access size the architecture defines for
 * it. STATUSR and every reserved offset are RAZ/WI, and any other access
 * (a byte, a halfword, a 64-bit access to a 32-bit register) gets an abort:
 * kcore never forwards an access the GIC might answer with an external abort
 * at EL2. GICD_TYPER.LPIS is not hidden: see docs/security.md.
 */
#include "gicr_mediate.h"

#include "core/lib/log.h"
#include "sysreg.h"

#define GICR_CTLR	      0x00u
#define GICR_CTLR_ENABLE_LPIS (1ull << 0)
#define GICR_IIDR	      0x04u
#define GICR_TYPER	      0x08u
#define GICR_TYPER_HI	      0x0cu
#define GICR_TYPER_PLPIS      (1ull << 0)
#define GICR_STATUSR	      0x10u
#define GICR_WAKER	      0x14u
/* ESR_EL2 for a data abort (ISS): valid syndrome, access size, sign extension, register. */
#define ESR_ISV		      (1ull << 24)
#define ESR_SAS(esr)	      (((esr) >> 22) & 3u)
#define ESR_SSE		      (1ull << 21)
#define ESR_SRT(esr)	      ((u32)((esr) >> 16) & 31u)
#define ESR_SF		      (1ull << 15)
#define ESR_S1PTW	      (1ull << 7)
#define XZR		      31u

static u64 frames[KCORE_MAX_CPUS];
static u32 nr_frames;

static u64 mmio_read(u64 pa, u32 size)
{
	switch (size) {
	case 1:
		return *(volatile u8 *)(uintptr_t)pa;
	case 2:
		return *(volatile u16 *)(uintptr_t)pa;
	case 4:
		return *(volatile u32 *)(uintptr_t)pa;
	default:
		return *(volatile u64 *)(uintptr_t)pa;
	}
}

static void mmio_write(u64 pa, u32 size, u64 v)
{
	switch (size) {
	case 1:
		*(volatile u8 *)(uintptr_t)pa = (u8)v;
		break;
	case 2:
		*(volatile u16 *)(uintptr_t)pa = (u16)v;
		break;
	case 4:
		*(volatile u32 *)(uintptr_t)pa = (u32)v;
		break;
	default:
		*(volatile u64 *)(uintptr_t)pa = v;
		break;
	}
}

u64 gicr_read_typer(u64 frame)
{
	return mmio_read(frame + GICR_TYPER, 8);
}

void gicr_mediate_init(const struct machine *m)
{
	nr_frames = m->nr_gicr_frames;
	for (u32 i = 0; i < nr_frames; i++) {
		frames[i] = m->gicr_frames[i];
		/*
		 * LPIs switched on before kcore ran would have tables kcore never
		 * chose, and EnableLPIs may not be clearable: nothing kcore can police.
		 */
		if ((mmio_read(frames[i] + GICR_CTLR, 4) & GICR_CTLR_ENABLE_LPIS) != 0)
			kc_panic("GICR at %lx: LPIs already enabled before kcore", frames[i]);
	}
}

u64 gicr_frame_of(u64 mpidr)
{
	/* GICR_TYPER[63:32]: Aff3.Aff2.Aff1.Aff0 of the redistributor's PE. */
	u64 aff = ((mpidr >> 8) & 0xff000000ull) | (mpidr & 0xffffffull);

	for (u32 i = 0; i < nr_frames; i++) {
		if (gicr_read_typer(frames[i]) >> 32 == aff)
			return frames[i];
	}
	return 0;
}

static bool in_page0(u64 pa)
{
	for (u32 i = 0; i < nr_frames; i++) {
		if (pa >= frames[i] && pa - frames[i] < PAGE_SIZE)
			return true;
	}
	return false;
}

/* What kcore does with one access of the host's. */
enum gicr_action {
	GICR_ABORT,	/* no such access: the host gets an abort */
	GICR_RAZ_WI,	/* reads 0, writes ignored */
	GICR_FORWARD,	/* performed on the redistributor (through filter_*) */
	GICR_READ_ONLY, /* reads forwarded, writes ignored */
};

static enum gicr_action action_for(u32 off, u32 size)
{
	if (size != 4 && size != 8)
		return GICR_ABORT;
	if (size == 8) {
		/* CTLR+IIDR and STATUSR+WAKER are 32-bit registers: no 64-bit access. */
		if (off == GICR_CTLR || off == GICR_STATUSR)
			return GICR_ABORT;
		return off == GICR_TYPER ? GICR_READ_ONLY : GICR_RAZ_WI;
	}
	switch (off) {
	case GICR_CTLR:
	case GICR_WAKER:
		return GICR_FORWARD;
	case GICR_IIDR:
	case GICR_TYPER:
	case GICR_TYPER_HI:
		return GICR_READ_ONLY;
	default:
		/* STATUSR, PROPBASER, PENDBASER, the LPI registers, reserved space. */
		return GICR_RAZ_WI;
	}
}

static u64 filter_write(u32 off, u64 v)
{
	if (off == GICR_CTLR)
		v &= ~GICR_CTLR_ENABLE_LPIS;
	return v;
}

static u64 filter_read(u32 off, u64 v)
{
	if (off == GICR_TYPER)
		v &= ~GICR_TYPER_PLPIS;
	return v;
}

bool gicr_mediate(struct trap_frame *f, u64 esr, u64 pa)
{
	u32 size = 1u << ESR_SAS(esr), rt = ESR_SRT(esr);
	u32 off = (u32)(pa & (PAGE_SIZE - 1));
	enum gicr_action act = action_for(off, size);
	u64 v;

	/* Only a data access with a full syndrome can be emulated; never a walk or a fetch. */
	if (ESR_EC(esr) != EC_DABT_LOW || (esr & ESR_ISV) == 0 || (esr & ESR_S1PTW) != 0 ||
	    !in_page0(pa) || (pa & (size - 1)) != 0 || act == GICR_ABORT)
		return false;
	if ((esr & ESR_WNR) != 0) {
		v = rt == XZR ? 0 : f->x[rt];
		if (size < 8)
			v &= (1ull << (8 * size)) - 1;
		if (act == GICR_FORWARD)
			mmio_write(pa, size, filter_write(off, v));
	} else {
		v = act == GICR_RAZ_WI ? 0 : filter_read(off, mmio_read(pa, size));
		if ((esr & ESR_SSE) != 0 && size < 8 && (v & (1ull << (8 * size - 1))) != 0)
			v |= ~((1ull << (8 * size)) - 1);
		if ((esr & ESR_SF) == 0)
			v &= 0xffffffffull;
		if (rt != XZR)
			f->x[rt] = v;
	}
	/* ISV is only ever set for a 32-bit instruction: step over it. */
	f->elr += 4;
	return true;
}
