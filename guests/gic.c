/* SPDX-License-Identifier: MIT */
/*
 * gic: the GICv3 distributor and redistributor registers behave as the
 * architecture says (Arm IHI 0069) for a guest with one security state and
 * affinity routing: what the guest writes it reads back, per register
 * (enables of SPIs and PPIs, priorities byte by byte, configuration,
 * groups, an SPI's routing, an SPI's pending state), and the state of the
 * interrupts kcore delivers is visible: with interrupts masked at the CPU
 * (PSTATE.I) the virtual timer's PPI 27 shows pending in GICR_ISPENDR0 when
 * it is due, active in GICR_ISACTIVER0 while it is handled, and a PPI the
 * guest disabled is not taken until it enables it again; an SGI it sends
 * itself, masked, is pending until it clears it (GICR_ICPENDR0), and then
 * never taken; its timer's interrupt deactivated in its handler by a write
 * to GICR_ICACTIVER0 (the level still high) is no longer active and is
 * taken again once the handler ends. Halfway it asks
 * for a snapshot (KC_TEST_SNAPSHOT): a copy restored from it must read the
 * same registers back, and take its timer interrupt (kcore's copy of the
 * PPI enables came along). Runs alike on plain QEMU (-M virt,gic-version=3),
 * where nobody takes snapshots.
 */
#include <kcore/guest_tests.h>

#include "lib/guest.h"

const char guest_name[] = "gic";

#define GICD 0x08000000ull
#define GICR 0x080a0000ull /* vCPU 0's RD_base; its SGI_base 64 KiB on */
#define SGI  (GICR + 0x10000ull)

#define GICD_CTLR    0x0000u
#define GICD_TYPER   0x0004u
#define GICR_TYPER   0x0008u
#define GICR_WAKER   0x0014u
#define IGROUPR	     0x0080u
#define ISENABLER    0x0100u
#define ICENABLER    0x0180u
#define ISPENDR	     0x0200u
#define ICPENDR	     0x0280u
#define ISACTIVER    0x0300u
#define ICACTIVER    0x0380u
#define IPRIORITYR   0x0400u
#define ICFGR	     0x0c00u
#define GICD_IROUTER 0x6000u
#define CTLR_RWP     (1u << 31)
#define CTLR_ARE     (1u << 4)
#define CTLR_GRP1    (1u << 1)
#define WAKER_CA     (1u << 2)
#define VTIMER	     27u
#define SPI_A	     40u /* SPIs 32..63: the virt machine and kcore both have them */
#define SPI_B	     41u
#define SPI_C	     47u
#define SPI_PENDING  45u /* pending set and cleared while disabled: never taken */
#define PPI_OTHER    20u
#define SGI_SELF     5u
#define BIT(intid)   (1u << ((intid) % 32))
#define WORD(intid)  (4ull * ((intid) / 32))

static u32 read32(u64 addr)
{
	return *(volatile u32 *)(uintptr_t)addr;
}

static volatile u64 irqs;
static volatile u64 last_intid;
static volatile u32 active_seen;
static volatile u32 active_after_clear; /* by_write: ISACTIVER0 after the ICACTIVER0 write */
static volatile bool by_write;		/* the next timer interrupt: deactivated by ICACTIVER0 */
static volatile u64 sgis;

static void on_irq(void)
{
	u64 iar;

	__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar));
	last_intid = iar & 0xffffff;
	if (last_intid == VTIMER) {
		/* Taken, not yet ended: the GIC says active. */
		active_seen = read32(SGI + ISACTIVER);
		irqs++;
		if (by_write) {
			/* Deactivated by the register, the level still high: pending again. */
			by_write = false;
			mmio_write32(SGI + ICACTIVER, BIT(VTIMER));
			active_after_clear = read32(SGI + ISACTIVER);
		} else {
			/* Level-triggered: silence the timer before ending the interrupt. */
			__asm__ volatile("msr cntv_ctl_el0, %0\n\tisb" : : "r"(0ull));
		}
	} else if (last_intid == SGI_SELF) {
		sgis++;
	}
	__asm__ volatile("msr icc_eoir1_el1, %0\n\tisb" : : "r"(iar));
}

static bool failed;

#define CHECK(cond, ...)                          \
	do {                                      \
		if (!(cond) && !failed) {         \
			say("FAIL " __VA_ARGS__); \
			failed = true;            \
		}                                 \
	} while (0)

static void wait_rwp(u64 ctlr)
{
	for (u32 i = 0; i < 1000000 && (read32(ctlr) & CTLR_RWP) != 0; i++)
		;
}

static void check_ids_and_wake(void)
{
	u32 typer = read32(GICD + GICD_TYPER);
	u64 rtyper = read64(GICR + GICR_TYPER);
	u64 mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	/* Enough INTIDs for the SPIs used here: 32 * (ITLinesNumber + 1). */
	CHECK((typer & 0x1f) >= 1, "GICD_TYPER 0x%x: no SPIs up to 63", typer);
	CHECK((rtyper >> 32) == (mpidr & 0xffffff), "GICR_TYPER 0x%lx: not vCPU 0's affinity",
	      rtyper);
	CHECK(((rtyper >> 8) & 0xffff) == 0, "GICR_TYPER 0x%lx: processor number not 0", rtyper);
	mmio_write32(GICR + GICR_WAKER, 0);
	for (u32 i = 0; i < 1000000 && (read32(GICR + GICR_WAKER) & WAKER_CA) != 0; i++)
		;
	CHECK((read32(GICR + GICR_WAKER) & WAKER_CA) == 0, "GICR_WAKER: the redistributor sleeps");
	mmio_write32(GICD + GICD_CTLR, CTLR_ARE | CTLR_GRP1);
	wait_rwp(GICD + GICD_CTLR);
	CHECK((read32(GICD + GICD_CTLR) & (CTLR_ARE | CTLR_GRP1)) == (CTLR_ARE | CTLR_GRP1),
	      "GICD_CTLR 0x%x: ARE and EnableGrp1 not kept", read32(GICD + GICD_CTLR));
}

static void check_enables(void)
{
	u32 spis = BIT(SPI_A) | BIT(SPI_B) | BIT(SPI_C);
	u32 ppis = BIT(VTIMER) | BIT(PPI_OTHER);
	u32 got;

	mmio_write32(GICD + ISENABLER + WORD(SPI_A), spis);
	wait_rwp(GICD + GICD_CTLR);
	got = read32(GICD + ISENABLER + WORD(SPI_A));
	CHECK(got == spis, "GICD_ISENABLER1 0x%x after enabling 0x%x", got, spis);
	mmio_write32(GICD + ICENABLER + WORD(SPI_B), BIT(SPI_B));
	wait_rwp(GICD + GICD_CTLR);
	got = read32(GICD + ICENABLER + WORD(SPI_A));
	CHECK(got == (spis & ~BIT(SPI_B)), "GICD_ICENABLER1 0x%x after disabling SPI %u", got,
	      SPI_B);
	mmio_write32(GICD + ICENABLER + WORD(SPI_A), spis);
	wait_rwp(GICD + GICD_CTLR);
	CHECK(read32(GICD + ISENABLER + WORD(SPI_A)) == 0, "GICD_ISENABLER1: SPIs still enabled");

	/* PPIs: the SGIs' bits are the implementation's to keep, so only bits 16..31. */
	mmio_write32(SGI + ICENABLER, 0xffff0000u);
	mmio_write32(SGI + ISENABLER, ppis);
	got = read32(SGI + ISENABLER) & 0xffff0000u;
	CHECK(got == ppis, "GICR_ISENABLER0 PPIs 0x%x after enabling 0x%x", got, ppis);
	mmio_write32(SGI + ICENABLER, BIT(PPI_OTHER));
	got = read32(SGI + ICENABLER) & 0xffff0000u;
	CHECK(got == BIT(VTIMER), "GICR_ICENABLER0 PPIs 0x%x after disabling PPI %u", got,
	      PPI_OTHER);
	if (!failed)
		say("enables: SPIs %u %u %u and PPIs %u %u read back: ok", SPI_A, SPI_B, SPI_C,
		    VTIMER, PPI_OTHER);
}

static void check_priority_config_group_route(void)
{
	volatile u8 *dprio = (volatile u8 *)(uintptr_t)(GICD + IPRIORITYR);
	volatile u8 *rprio = (volatile u8 *)(uintptr_t)(SGI + IPRIORITYR);
	u32 cfg, got;

	/* Byte by byte; values a 5-bit priority keeps whole. */
	dprio[SPI_A] = 0xa0;
	dprio[SPI_B] = 0x48;
	dprio[SPI_A + 2] = 0x88;
	dprio[SPI_A + 3] = 0x10;
	CHECK(dprio[SPI_B] == 0x48, "IPRIORITYR byte %u: 0x%x", SPI_B, dprio[SPI_B]);
	got = read32(GICD + IPRIORITYR + SPI_A);
	CHECK(got == 0x108848a0u, "GICD_IPRIORITYR%u 0x%x, bytes written 0x108848a0", SPI_A / 4,
	      got);
	rprio[VTIMER] = 0x80;
	got = read32(SGI + IPRIORITYR + (VTIMER & ~3u));
	CHECK((got >> 24) == 0x80, "GICR_IPRIORITYR%u 0x%x: PPI %u not 0x80", VTIMER / 4, got,
	      VTIMER);

	/* Configuration: SGIs are edge-triggered; SPI_B made edge, SPI_A left level. */
	CHECK(read32(SGI + ICFGR) == 0xaaaaaaaau, "GICR_ICFGR0 0x%x: SGIs not edge",
	      read32(SGI + ICFGR));
	cfg = read32(GICD + ICFGR + 4ull * (SPI_B / 16));
	mmio_write32(GICD + ICFGR + 4ull * (SPI_B / 16), cfg | (2u << (2 * (SPI_B % 16))));
	got = read32(GICD + ICFGR + 4ull * (SPI_B / 16));
	CHECK(((got >> (2 * (SPI_B % 16))) & 2) != 0 && ((got >> (2 * (SPI_A % 16))) & 2) == 0,
	      "GICD_ICFGR%u 0x%x: SPI %u not edge or %u not level", SPI_B / 16, got, SPI_B, SPI_A);

	/* Groups: Group 1 for the SPIs used and every SGI/PPI. */
	mmio_write32(GICD + IGROUPR + WORD(SPI_A), BIT(SPI_A) | BIT(SPI_C));
	got = read32(GICD + IGROUPR + WORD(SPI_A));
	CHECK(got == (BIT(SPI_A) | BIT(SPI_C)), "GICD_IGROUPR1 0x%x", got);
	mmio_write32(SGI + IGROUPR, 0xffffffffu);
	CHECK(read32(SGI + IGROUPR) == 0xffffffffu, "GICR_IGROUPR0 0x%x", read32(SGI + IGROUPR));

	/* Routing: SPI_A to affinity 0.0.0.1, then back to vCPU 0. */
	write64(GICD + GICD_IROUTER + 8ull * SPI_A, 1);
	CHECK(read64(GICD + GICD_IROUTER + 8ull * SPI_A) == 1, "GICD_IROUTER%u 0x%lx", SPI_A,
	      read64(GICD + GICD_IROUTER + 8ull * SPI_A));
	write64(GICD + GICD_IROUTER + 8ull * SPI_A, 0);
	CHECK(read64(GICD + GICD_IROUTER + 8ull * SPI_A) == 0, "GICD_IROUTER%u 0x%lx", SPI_A,
	      read64(GICD + GICD_IROUTER + 8ull * SPI_A));
	if (!failed)
		say("priorities, configuration, groups, routing read back: ok");
}

static void check_spi_pending(void)
{
	u32 got;

	/* Disabled: pending without being taken. */
	mmio_write32(GICD + ISPENDR + WORD(SPI_PENDING), BIT(SPI_PENDING));
	got = read32(GICD + ISPENDR + WORD(SPI_PENDING));
	CHECK((got & BIT(SPI_PENDING)) != 0, "GICD_ISPENDR1 0x%x: SPI %u not pending", got,
	      SPI_PENDING);
	got = read32(GICD + ICPENDR + WORD(SPI_PENDING));
	CHECK((got & BIT(SPI_PENDING)) != 0, "GICD_ICPENDR1 0x%x: SPI %u not pending", got,
	      SPI_PENDING);
	mmio_write32(GICD + ICPENDR + WORD(SPI_PENDING), BIT(SPI_PENDING));
	got = read32(GICD + ISPENDR + WORD(SPI_PENDING));
	CHECK((got & BIT(SPI_PENDING)) == 0, "GICD_ISPENDR1 0x%x: SPI %u still pending", got,
	      SPI_PENDING);
	if (!failed)
		say("SPI %u pending set and cleared: ok", SPI_PENDING);
}

/* The registers the snapshot must keep, as this guest left them. */
static const u64 kept[] = {
    GICD + GICD_CTLR,
    GICD + ISENABLER + WORD(SPI_C),
    GICD + IGROUPR + WORD(SPI_A),
    GICD + IPRIORITYR + SPI_A,
    GICD + ICFGR + 4ull * (SPI_B / 16),
    GICD + GICD_IROUTER + 8ull * SPI_A,
    GICR + GICR_WAKER,
    SGI + ISENABLER,
    SGI + IGROUPR,
    SGI + IPRIORITYR + (VTIMER & ~3u),
};

static void check_snapshot(void)
{
	u32 before[sizeof(kept) / sizeof(kept[0])];
	s64 answer;
	u32 bad = 0;

	mmio_write32(GICD + ISENABLER + WORD(SPI_C), BIT(SPI_C)); /* not pending: never taken */
	write64(GICD + GICD_IROUTER + 8ull * SPI_A, 1);
	for (u32 i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		before[i] = read32(kept[i]);
	answer = hvc_call(KC_TEST_SNAPSHOT, 0, 0, 0).x0;
	if (answer != KC_TEST_SNAPSHOT_RESTORED)
		return; /* the original, or no snapshot (plain QEMU answers NOT_SUPPORTED) */
	for (u32 i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		u32 now = read32(kept[i]);

		if (now != before[i]) {
			say("FAIL restored copy: 0x%lx reads 0x%x, 0x%x when the snapshot was "
			    "taken",
			    kept[i], now, before[i]);
			bad++;
		}
	}
	failed = bad != 0;
	if (!failed)
		say("restored from a snapshot: %lu GIC registers read back as they were",
		    (u64)(sizeof(kept) / sizeof(kept[0])));
}

static void arm_timer(u64 ticks)
{
	__asm__ volatile("msr cntv_tval_el0, %0\n\t"
			 "msr cntv_ctl_el0, %1\n\t"
			 "isb"
			 :
			 : "r"(ticks), "r"(1ull));
}

static void check_timer_pending(u64 freq)
{
	u64 ticks = freq / 1000; /* 1 ms */
	u64 start, deadline, seen_at = 0, ctl;

	__asm__ volatile("msr daifset, #2\n\t"
			 "msr icc_pmr_el1, %0\n\t"
			 "msr icc_igrpen1_el1, %1\n\t"
			 "isb"
			 :
			 : "r"(0xffull), "r"(1ull));
	CHECK((read32(SGI + ISPENDR) & BIT(VTIMER)) == 0, "PPI %u pending before the timer ran",
	      VTIMER);
	start = read_cntvct();
	deadline = start + freq; /* give up after a second */
	arm_timer(ticks);
	/* Masked at the CPU: the interrupt stays pending at the GIC, where the guest sees it. */
	while (read_cntvct() < deadline) {
		if ((read32(SGI + ISPENDR) & BIT(VTIMER)) != 0) {
			seen_at = read_cntvct();
			break;
		}
	}
	__asm__ volatile("mrs %0, cntv_ctl_el0" : "=r"(ctl));
	CHECK(seen_at != 0, "GICR_ISPENDR0 never showed PPI %u (CNTV_CTL 0x%lx)", VTIMER, ctl);
	CHECK(seen_at == 0 || seen_at - start >= ticks,
	      "PPI %u pending after %lu ticks, armed for %lu", VTIMER, seen_at - start, ticks);
	CHECK((read32(SGI + ICPENDR) & BIT(VTIMER)) != 0 || failed,
	      "GICR_ICPENDR0 does not show PPI %u", VTIMER);
	if (failed)
		return;
	say("PPI %u pending in GICR_ISPENDR0 with PSTATE.I set, after %lu ticks (armed for %lu)",
	    VTIMER, seen_at - start, ticks);
	__asm__ volatile("msr daifclr, #2\n\tisb");
	while (irqs == 0 && read_cntvct() < deadline)
		;
	__asm__ volatile("msr daifset, #2");
	CHECK(irqs == 1 && last_intid == VTIMER, "unmasked: %lu interrupts, INTID %lu", irqs,
	      last_intid);
	CHECK((active_seen & BIT(VTIMER)) != 0,
	      "GICR_ISACTIVER0 0x%x in the handler: PPI %u not active", active_seen, VTIMER);
	CHECK((read32(SGI + ISPENDR) & BIT(VTIMER)) == 0, "PPI %u still pending after it was taken",
	      VTIMER);
	CHECK((read32(SGI + ISACTIVER) & BIT(VTIMER)) == 0, "PPI %u still active after its EOI",
	      VTIMER);
	if (!failed)
		say("taken once, active while handled: ok");
}

/*
 * GICR_ICACTIVER0 in the handler deactivates the timer's interrupt, which
 * kcore holds in a (hardware) list register: not active any more, and,
 * its level still high, taken a second time after the handler.
 */
static void check_clear_active(u64 freq)
{
	u64 deadline = read_cntvct() + freq, base = irqs;

	active_seen = 0;
	active_after_clear = ~0u;
	by_write = true;
	arm_timer(freq / 1000);
	__asm__ volatile("msr daifclr, #2\n\tisb");
	while (irqs - base < 2 && read_cntvct() < deadline)
		;
	__asm__ volatile("msr daifset, #2");
	CHECK((active_seen & BIT(VTIMER)) != 0, "PPI %u not active in its handler (0x%x)", VTIMER,
	      active_seen);
	CHECK((active_after_clear & BIT(VTIMER)) == 0,
	      "PPI %u still active after GICR_ICACTIVER0 (0x%x)", VTIMER, active_after_clear);
	CHECK(irqs - base == 2,
	      "deactivated by GICR_ICACTIVER0 with its level high: taken %lu times, not twice",
	      irqs - base);
	CHECK((read32(SGI + ISACTIVER) & BIT(VTIMER)) == 0, "PPI %u active after both", VTIMER);
	if (!failed)
		say("deactivated by GICR_ICACTIVER0 in its handler: not active, taken again: ok");
}

static void check_disabled_ppi(u64 freq)
{
	u64 start = read_cntvct();

	/* Disabled at the GIC: a due timer is not taken, whatever PSTATE.I says. */
	mmio_write32(SGI + ICENABLER, BIT(VTIMER));
	arm_timer(freq / 1000);
	__asm__ volatile("msr daifclr, #2\n\tisb");
	while (read_cntvct() - start < freq / 50) /* 20 ms, with exits to the host */
		(void)read32(GICD + GICD_TYPER);
	CHECK(irqs == 1, "PPI %u taken while disabled (%lu interrupts)", VTIMER, irqs);
	/* Enabled again: the still-asserted timer is taken. */
	mmio_write32(SGI + ISENABLER, BIT(VTIMER));
	while (irqs == 1 && read_cntvct() - start < freq)
		(void)read32(GICD + GICD_TYPER);
	__asm__ volatile("msr daifset, #2");
	CHECK(irqs == 2, "PPI %u not taken once enabled again (%lu interrupts)", VTIMER, irqs);
	if (!failed)
		say("PPI %u disabled: not taken; enabled: taken", VTIMER);
}

/* An SGI to itself, masked at the CPU: pending in GICR_ISPENDR0; ICPENDR0 takes it back. */
static void check_sgi_clear_pending(void)
{
	u64 start = read_cntvct(), freq = read_cntfrq();
	u32 pend = 0;

	mmio_write32(SGI + ISENABLER, BIT(SGI_SELF));
	__asm__ volatile("msr daifset, #2\n\t"
			 "msr icc_sgi1r_el1, %0\n\t"
			 "isb"
			 :
			 : "r"(((u64)SGI_SELF << 24) | 1u)); /* TargetList: Aff0 0, this vCPU */
	for (u32 i = 0; i < 1000 && (pend & BIT(SGI_SELF)) == 0; i++)
		pend = read32(SGI + ISPENDR);
	CHECK((pend & BIT(SGI_SELF)) != 0, "GICR_ISPENDR0 0x%x: SGI %u sent to itself not pending",
	      pend, SGI_SELF);
	mmio_write32(SGI + ICPENDR, BIT(SGI_SELF));
	pend = read32(SGI + ISPENDR);
	CHECK((pend & BIT(SGI_SELF)) == 0,
	      "GICR_ISPENDR0 0x%x: SGI %u still pending after ICPENDR0", pend, SGI_SELF);
	__asm__ volatile("msr daifclr, #2\n\tisb");
	while (read_cntvct() - start < freq / 50) /* 20 ms, with exits to the host */
		(void)read32(GICD + GICD_TYPER);
	__asm__ volatile("msr daifset, #2");
	CHECK(sgis == 0, "SGI %u taken %lu times after its pending state was cleared", SGI_SELF,
	      sgis);
	if (!failed)
		say("SGI %u to itself: pending, cleared by GICR_ICPENDR0, never taken: ok",
		    SGI_SELF);
}

void guest_main(u64 dtb)
{
	u64 freq = read_cntfrq();

	(void)dtb;
	guest_irq_handler = on_irq;
	check_ids_and_wake();
	if (!failed)
		check_enables();
	if (!failed)
		check_priority_config_group_route();
	if (!failed)
		check_spi_pending();
	if (!failed)
		check_snapshot();
	if (!failed)
		check_timer_pending(freq);
	if (!failed)
		check_disabled_ppi(freq);
	if (!failed)
		check_clear_active(freq);
	if (!failed)
		check_sgi_clear_pending();
	if (!failed)
		say("PASS");
}
