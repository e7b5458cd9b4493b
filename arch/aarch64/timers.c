/* SPDX-License-Identifier: MIT */
/*
 * A guest's timers while it runs (timers.h says what the guest gets).
 *
 * The host owns its GIC: the distributor and each redistributor's SGI_base
 * page are mapped for it, and kserv, say, enables only PPI 30 and SGI 1. So
 * at the entry of a vCPU that uses its timers, kcore itself makes the two
 * PPIs that carry them (27: the virtual timer; 26: CNTHP, which carries the
 * guest's emulated physical timer) reach EL2 on this CPU: in this CPU's
 * redistributor, Group 1 (non-secure), priority 0 (the highest: no running
 * priority but another priority-0 interrupt's blocks it) and enabled; in
 * the CPU interface (physical ICC_* at EL2), the priority mask open and
 * Group 1 enabled. What it changed is written down per CPU, and timers_exit
 * puts back exactly that before the host runs again: the PPIs kcore enabled
 * are disabled (GICR_CTLR.RWP waited for), their active state cleared if
 * kcore set it, group, priority, mask and group enable restored bit by bit
 * (another CPU of the host may change the same registers' other bits
 * meanwhile). The lines are low by then too: CNTHP is off, and el1_load
 * gives the virtual timer back to the host's CNTV_*. So the host never sees
 * an interrupt it did not enable.
 *
 * A PPI whose virtual interrupt is in a list register (the guest has not
 * deactivated it yet) is held active on the physical side for the run: its
 * level cannot end the run again while the guest handles it; the list
 * register is a hardware one (ICH_LR.HW, pINTID = the PPI), so the guest's
 * deactivation deactivates the PPI, which fires again at once if the level
 * is still high (the guest did not move its deadline), ending the run.
 *
 * The distributor's group enables (GICD_CTLR) and the redistributor's
 * WAKER are the host's machine-wide switches of its own interrupts: a host
 * that turns them off stops its own interrupts too, and kcore leaves them.
 */
#include "timers.h"

#include "gicr_mediate.h"
#include "percpu.h"
#include "sysreg.h"
#include "vgic.h"

/* Redistributor registers: RD_base, and SGI_base (RD_base + GICR_SGI_BASE). */
#define GICR_CTLR	0x0000u
#define GICR_CTLR_RWP	(1u << 3)
#define GICR_IGROUPR0	0x0080u
#define GICR_ISENABLER0 0x0100u
#define GICR_ICENABLER0 0x0180u
#define GICR_ISACTIVER0 0x0300u
#define GICR_ICACTIVER0 0x0380u
#define GICR_IPRIORITYR 0x0400u /* byte n: INTID n */
#define GICR_IGRPMODR0	0x0d00u
#define RWP_POLLS	(1u << 20)

#define TIMER_PPIS   ((1u << VTIMER_INTID) | (1u << HYPTIMER_PPI))
#define PPI_PRIORITY 0x00u
#define PMR_OPEN     0xffull

/* What kcore changed in this CPU's GIC for the running guest, to undo at exit. */
struct gic_claim {
	u64 rd;		  /* this CPU's RD_base; 0 until looked up, ~0 if none */
	u64 pmr;	  /* the host's ICC_PMR_EL1, if kcore changed it */
	u32 enabled;	  /* PPIs kcore enabled */
	u32 activated;	  /* PPIs kcore made active */
	u32 group_set;	  /* IGROUPR0 bits kcore set */
	u32 grpmod_clear; /* IGRPMODR0 bits kcore cleared */
	u8 prio[2];	  /* the host's priorities of PPIs 26, 27 */
	bool claimed;
	bool prio_changed;
	bool pmr_changed;
	bool grpen_changed; /* kcore set ICC_IGRPEN1_EL1 */
	u64 host_deadline;  /* the host's virtual timer deadline for this run (HOST_NO_DEADLINE) */
};

static struct gic_claim claims[KCORE_MAX_CPUS];

static u32 rd32(u64 pa)
{
	return *(volatile u32 *)(uintptr_t)pa;
}

static void wr32(u64 pa, u32 v)
{
	*(volatile u32 *)(uintptr_t)pa = v;
}

static u8 rd8(u64 pa)
{
	return *(volatile u8 *)(uintptr_t)pa;
}

static void wr8(u64 pa, u8 v)
{
	*(volatile u8 *)(uintptr_t)pa = v;
}

static struct gic_claim *this_claim(void)
{
	struct gic_claim *g = &claims[this_cpu()->index];

	if (g->rd == 0) {
		u64 rd = gicr_frame_of(read_sysreg(mpidr_el1));

		g->rd = rd != 0 ? rd : ~0ull;
		g->host_deadline = HOST_NO_DEADLINE;
	}
	return g;
}

/*
 * Makes PPIs 26 and 27 reach EL2 on this CPU; active: those to hold active
 * (their virtual interrupt is in a list register). Idempotent within a run
 * for the enables; the active set only grows.
 */
static void gic_claim(u32 active)
{
	struct gic_claim *g = this_claim();
	u64 sgi, pmr;
	u32 v;

	if (g->rd == ~0ull)
		return; /* no redistributor for this CPU: nothing kcore can do */
	sgi = g->rd + GICR_SGI_BASE;
	if (!g->claimed) {
		g->claimed = true;
		v = rd32(sgi + GICR_IGROUPR0);
		g->group_set = TIMER_PPIS & ~v;
		if (g->group_set != 0)
			wr32(sgi + GICR_IGROUPR0, v | g->group_set);
		v = rd32(sgi + GICR_IGRPMODR0);
		g->grpmod_clear = TIMER_PPIS & v;
		if (g->grpmod_clear != 0)
			wr32(sgi + GICR_IGRPMODR0, v & ~g->grpmod_clear);
		g->prio[0] = rd8(sgi + GICR_IPRIORITYR + HYPTIMER_PPI);
		g->prio[1] = rd8(sgi + GICR_IPRIORITYR + VTIMER_INTID);
		g->prio_changed = g->prio[0] != PPI_PRIORITY || g->prio[1] != PPI_PRIORITY;
		if (g->prio_changed) {
			wr8(sgi + GICR_IPRIORITYR + HYPTIMER_PPI, PPI_PRIORITY);
			wr8(sgi + GICR_IPRIORITYR + VTIMER_INTID, PPI_PRIORITY);
		}
		v = rd32(sgi + GICR_ISENABLER0);
		g->enabled |= TIMER_PPIS & ~v; /* PPI 26 may be host_claim's already */
		g->activated = 0;
		pmr = read_sysreg(S3_0_C4_C6_0); /* ICC_PMR_EL1 */
		g->pmr_changed = pmr != PMR_OPEN;
		if (g->pmr_changed) {
			g->pmr = pmr;
			write_sysreg(S3_0_C4_C6_0, PMR_OPEN);
		}
		g->grpen_changed = (read_sysreg(S3_0_C12_C12_7) & 1) == 0; /* ICC_IGRPEN1_EL1 */
		if (g->grpen_changed)
			write_sysreg(S3_0_C12_C12_7, 1);
	}
	/* Active before enabled: a level already high must not end the run it starts. */
	active &= ~g->activated;
	if (active != 0) {
		v = rd32(sgi + GICR_ISACTIVER0);
		active &= ~v; /* already active (the host's own): not kcore's to clear */
		if (active != 0)
			wr32(sgi + GICR_ISACTIVER0, active);
		g->activated |= active;
	}
	if (g->enabled != 0)
		wr32(sgi + GICR_ISENABLER0, g->enabled);
	isb();
}

static void gic_release(void)
{
	struct gic_claim *g = this_claim();
	u64 sgi = g->rd + GICR_SGI_BASE;

	if (g->enabled != 0) { /* gic_claim's or host_claim's */
		wr32(sgi + GICR_ICENABLER0, g->enabled);
		g->enabled = 0;
		/* The disable has taken effect once RWP is clear: no forwarding after it. */
		for (u32 i = 0; i < RWP_POLLS && (rd32(g->rd + GICR_CTLR) & GICR_CTLR_RWP) != 0;
		     i++)
			;
	}
	if (!g->claimed)
		return;
	g->claimed = false;
	if (g->activated != 0)
		wr32(sgi + GICR_ICACTIVER0, g->activated);
	if (g->prio_changed) {
		wr8(sgi + GICR_IPRIORITYR + HYPTIMER_PPI, g->prio[0]);
		wr8(sgi + GICR_IPRIORITYR + VTIMER_INTID, g->prio[1]);
	}
	if (g->grpmod_clear != 0)
		wr32(sgi + GICR_IGRPMODR0, rd32(sgi + GICR_IGRPMODR0) | g->grpmod_clear);
	if (g->group_set != 0)
		wr32(sgi + GICR_IGROUPR0, rd32(sgi + GICR_IGROUPR0) & ~g->group_set);
	if (g->pmr_changed)
		write_sysreg(S3_0_C4_C6_0, g->pmr);
	if (g->grpen_changed)
		write_sysreg(S3_0_C12_C12_7, 0);
	dsb_ish();
	isb();
}

/*
 * CNTHP follows the guest's physical timer while it runs (off: the line
 * low), and fires at the host's own deadline if that comes first: the
 * guest's next entry sees its own timer not firing and takes nothing.
 */
static void cnthp_load(const struct ptimer_state *t)
{
	u64 host = this_claim()->host_deadline;
	bool guest_armed = (t->ctl & (TIMER_ENABLE | TIMER_IMASK)) == TIMER_ENABLE;

	if (host == HOST_NO_DEADLINE) {
		write_sysreg(cnthp_cval_el2, t->cval);
		write_sysreg(cnthp_ctl_el2, t->ctl & (TIMER_ENABLE | TIMER_IMASK));
		return;
	}
	write_sysreg(cnthp_cval_el2, guest_armed && t->cval < host ? t->cval : host);
	write_sysreg(cnthp_ctl_el2, TIMER_ENABLE);
}

/*
 * For the host's deadline alone (the guest uses no timer): only PPI 26 made
 * to reach EL2, by enabling it if the host has not. Its group and priority,
 * the priority mask and the group enable stay the host's, as they are for
 * the host's own timer interrupt: a host that set them so that PPI 26 cannot
 * pass only delays its own deadline, and no guest timer depends on them.
 * Two GIC accesses instead of gic_claim's dozen.
 */
static void host_claim(void)
{
	struct gic_claim *g = this_claim();
	u64 sgi = g->rd + GICR_SGI_BASE;
	u32 ppi = 1u << HYPTIMER_PPI;

	if (g->rd == ~0ull)
		return;
	if ((rd32(sgi + GICR_ISENABLER0) & ppi) == 0) {
		g->enabled |= ppi;
		wr32(sgi + GICR_ISENABLER0, ppi);
	}
	isb();
}

void timers_enter_host(u64 host_deadline)
{
	this_claim()->host_deadline = host_deadline;
	write_sysreg(cnthp_cval_el2, host_deadline);
	write_sysreg(cnthp_ctl_el2, TIMER_ENABLE);
	host_claim();
}

/*
 * One timer at entry: its level now, and its list register. A firing timer
 * with no LR gets a hardware one; a pending (not yet taken) LR whose level
 * fell is taken back. Returns the PPI if the virtual interrupt is in an LR.
 */
static u32 sync_one(struct vgic_state *vgic, u32 vintid, u32 ppi, bool fires)
{
	int lr = vgic_find(vgic, vintid);

	if (lr >= 0 && !fires) {
		vgic_retract(vgic, (u32)lr);
		lr = vgic_find(vgic, vintid);
	}
	if (lr < 0 && fires && vgic_add_hw(vgic, vintid, ppi))
		lr = 0;
	return lr >= 0 ? 1u << ppi : 0;
}

void timers_enter(struct arch_vcpu *s, bool vtimer_enabled, bool ptimer_enabled, u64 host_deadline)
{
	u64 now = read_sysreg(cntpct_el0);
	u64 *r = s->sysregs;
	bool vfires = timer_fires(r[R_CNTV_CTL], r[R_CNTV_CVAL], now - r[R_CNTVOFF]);
	bool pfires = timer_fires(s->ptimer.ctl, s->ptimer.cval, now);
	u32 active;

	s->timers_used = 1;
	this_claim()->host_deadline = host_deadline;
	active = sync_one(&s->vgic, VTIMER_INTID, VTIMER_INTID, vtimer_enabled && vfires);
	active |= sync_one(&s->vgic, PTIMER_INTID, HYPTIMER_PPI, ptimer_enabled && pfires);
	/*
	 * A firing timer whose PPI the guest disabled is not the guest's to take,
	 * but its level is high: held active on the physical side for the run,
	 * so that it cannot end every entry at once (the guest would never run
	 * to enable it).
	 */
	if (vfires && !vtimer_enabled)
		active |= 1u << VTIMER_INTID;
	if (pfires && !ptimer_enabled)
		active |= 1u << HYPTIMER_PPI;
	cnthp_load(&s->ptimer);
	gic_claim(active);
}

void timers_exit(void)
{
	write_sysreg(cnthp_ctl_el2, 0);
	this_claim()->host_deadline = HOST_NO_DEADLINE;
	gic_release();
}

bool timers_emulate(struct arch_vcpu *s, u64 *x, u64 esr)
{
	u64 iss = esr & 0x1ffffffull;
	u32 rt = (u32)((iss >> 5) & 0x1f), op2 = ISS_SYSREG_OP2(iss);
	u64 now = read_sysreg(cntpct_el0);

	if ((iss & ISS_SYSREG_MASK) != ISS_SYSREG_CNTP || op2 > PTIMER_CVAL)
		return false;
	if (s->timers_used == 0) {
		/*
		 * The vCPU's first use of a timer, in this run: its LRs are live, none
		 * is added. timers_enter did not run; timers_enter_host may have (the
		 * host's deadline stays in this_claim()->host_deadline, cnthp_load
		 * below keeps honouring it).
		 */
		s->timers_used = 1;
		gic_claim(0);
	}
	if ((iss & 1) != 0) {
		if (rt != 31)
			x[rt] = ptimer_read(&s->ptimer, op2, now);
	} else {
		ptimer_write(&s->ptimer, op2, rt == 31 ? 0 : x[rt], now);
		cnthp_load(&s->ptimer);
		isb();
	}
	return true;
}
