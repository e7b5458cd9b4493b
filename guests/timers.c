/* SPDX-License-Identifier: MIT */
/*
 * timers: both EL1 timers, as a guest sees them on a bare machine or under
 * KVM (issue 16, points 2 and 3).
 *
 * (a) The virtual timer's deadline is met while the guest polls a flag its
 *     interrupt handler sets, with interrupts unmasked and nothing that
 *     exits (no WFI, no MMIO, no call): kcore must arrange the exit itself.
 *     Round 0 waits in WFI (the guest's first use of its timer, seen by kcore
 *     at that exit); rounds 1..3 poll.
 * (b) The physical timer: CNTP_CTL/CVAL/TVAL_EL0 read back what was
 *     written, TVAL counts down, ISTATUS follows the condition, a masked
 *     timer raises nothing, and an unmasked one interrupts as INTID 30 (the
 *     DT's non-secure physical timer PPI 14), no earlier than its deadline,
 *     once; three rounds, polling.
 * (c) Both at once: each interrupt once, each on time.
 *
 * It sets up the GIC as a bare-metal program must (distributor, its
 * redistributor, the CPU interface), so it runs on plain QEMU too.
 *
 * bootargs "snapshot=1" (qemu_snapshot.sh, with kcore-run's snapshot-restore):
 * instead, both timers armed (10 and 500 ms) and a hardware breakpoint and
 * watchpoint programmed, then "snapshot me now" (KC_TEST_SNAPSHOT). The copy
 * restored from the snapshot must read all of them back, take each timer's
 * interrupt once (polling, no exits) no earlier than its deadline, hit the
 * breakpoint and the watchpoint once each, and still pass (c).
 *
 * First it asks the host to check its own GIC once the payload is over
 * (KC_TEST_HOST_GIC; kserv's "HOSTGIC:" line): kcore claims PPIs 26/27 of
 * the host's GIC while this guest runs and must have given them back.
 */
#include <kcore/guest_tests.h>

#include "el1/exc_frame.h"
#include "lib/guest.h"

const char guest_name[] = "timers";

#define VTIMER_INTID 27u
#define PTIMER_INTID 30u
#define ENABLE	     1ull
#define IMASK	     2ull
#define ISTATUS	     4ull
#define GICD_BASE    0x08000000ull
#define GICR_BASE    0x080a0000ull /* vCPU 0's redistributor */
#define GICR_SGI     0x10000ull

enum { VT, PT };

static volatile u64 irqs[2];
static volatile u64 fired_at[2];
static volatile u64 other_irqs;

static u64 cntpct(void)
{
	u64 v;

	__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(v));
	return v;
}

#define read_reg(name)                                         \
	({                                                     \
		u64 __v;                                       \
		__asm__ volatile("mrs %0, " name : "=r"(__v)); \
		__v;                                           \
	})
#define write_reg(name, v) __asm__ volatile("msr " name ", %0\n\tisb" : : "r"((u64)(v)))

static void on_irq(void)
{
	u64 iar = read_reg("icc_iar1_el1");
	u64 id = iar & 0xffffff;

	if (id == VTIMER_INTID) {
		fired_at[VT] = read_cntvct();
		write_reg("cntv_ctl_el0", 0); /* level-triggered: silence it first */
		irqs[VT]++;
	} else if (id == PTIMER_INTID) {
		fired_at[PT] = cntpct();
		write_reg("cntp_ctl_el0", 0);
		irqs[PT]++;
	} else if (id < 1020) {
		other_irqs++;
	}
	if (id < 1020)
		write_reg("icc_eoir1_el1", iar);
}

static void gic_setup(void)
{
	u32 bits = (1u << VTIMER_INTID) | (1u << PTIMER_INTID);

	mmio_write32(GICD_BASE, 0x12);			  /* ARE, Group 1 */
	mmio_write32(GICR_BASE + 0x14, 0);		  /* GICR_WAKER: awake */
	mmio_write32(GICR_BASE + GICR_SGI + 0x80, bits);  /* IGROUPR0: Group 1 */
	mmio_write32(GICR_BASE + GICR_SGI + 0x100, bits); /* ISENABLER0 */
	write_reg("icc_pmr_el1", 0xff);
	write_reg("icc_igrpen1_el1", 1);
}

/*
 * Waits, interrupts unmasked, until the interrupts of the timers in mask
 * have each come once more than before, or a second has passed. wfi: wait
 * in WFI (an exit under a hypervisor) rather than polling.
 */
static bool wait_irqs(u32 mask, const u64 before[2], bool wfi)
{
	u64 limit = read_cntvct() + read_cntfrq();
	bool done;

	__asm__ volatile("msr daifclr, #2" ::: "memory");
	for (;;) {
		done = ((mask & (1u << VT)) == 0 || irqs[VT] != before[VT]) &&
		       ((mask & (1u << PT)) == 0 || irqs[PT] != before[PT]);
		if (done || read_cntvct() >= limit)
			break;
		if (wfi)
			__asm__ volatile("wfi");
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	return done;
}

/* (a) */
static bool vtimer_rounds(u64 ticks)
{
	u64 start[4], late[4];

	for (u32 round = 0; round < 4; round++) {
		u64 before[2] = {irqs[VT], irqs[PT]};

		start[round] = read_cntvct();
		write_reg("cntv_tval_el0", ticks);
		write_reg("cntv_ctl_el0", ENABLE);
		if (!wait_irqs(1u << VT, before, round == 0)) {
			write_reg("cntv_ctl_el0", 0);
			say("FAIL vtimer round %u (%s): no interrupt within a second", round,
			    round == 0 ? "WFI" : "polling, no exits");
			return false;
		}
		late[round] = fired_at[VT] - start[round];
		if (irqs[VT] != before[VT] + 1 || late[round] < ticks) {
			say("FAIL vtimer round %u: %lu interrupts, after %lu ticks (armed for %lu)",
			    round, irqs[VT] - before[VT], late[round], ticks);
			return false;
		}
	}
	for (u32 round = 0; round < 4; round++)
		say("vtimer round %u (%s): INTID 27 after %lu ticks (armed for %lu)", round,
		    round == 0 ? "WFI" : "polling, no exits", late[round], ticks);
	return true;
}

static bool check(bool ok, const char *what, u64 value)
{
	say("%s: %s (0x%lx)", what, ok ? "ok" : "FAILED", value);
	return ok;
}

/* (b), the registers */
static bool ptimer_registers(void)
{
	u64 v, t1, t2, now;
	bool ok = true;

	v = read_reg("cntp_ctl_el0");
	ok &= check((v & (ENABLE | IMASK)) == 0, "CNTP_CTL_EL0 starts disabled", v);
	write_reg("cntp_cval_el0", 0x123456789abcull);
	v = read_reg("cntp_cval_el0");
	ok &= check(v == 0x123456789abcull, "CNTP_CVAL_EL0 reads back", v);
	write_reg("cntp_ctl_el0", ENABLE | IMASK);
	now = cntpct();
	write_reg("cntp_tval_el0", 1ull << 30);
	v = read_reg("cntp_cval_el0");
	ok &= check(v >= now + (1ull << 30) && v <= cntpct() + (1ull << 30),
		    "CNTP_TVAL_EL0 write sets CVAL to the counter + TVAL", v - now);
	t1 = read_reg("cntp_tval_el0");
	for (u64 until = cntpct() + 1000; cntpct() < until;)
		;
	t2 = read_reg("cntp_tval_el0");
	ok &= check(t2 < t1 && t1 <= (1ull << 30) && t1 - t2 >= 1000, "CNTP_TVAL_EL0 counts down",
		    t1 - t2);
	v = read_reg("cntp_ctl_el0");
	ok &= check(v == (ENABLE | IMASK), "CNTP_CTL_EL0 reads back, ISTATUS clear", v);
	/* Due but masked: ISTATUS set, no interrupt. */
	write_reg("cntp_cval_el0", cntpct() - 1);
	v = read_reg("cntp_ctl_el0");
	ok &= check(v == (ENABLE | IMASK | ISTATUS), "a due timer sets ISTATUS", v);
	{
		u64 before = irqs[PT], until = cntpct() + read_cntfrq() / 100;

		__asm__ volatile("msr daifclr, #2" ::: "memory");
		while (cntpct() < until)
			;
		__asm__ volatile("msr daifset, #2" ::: "memory");
		ok &= check(irqs[PT] == before, "masked (IMASK), it raises no interrupt",
			    irqs[PT] - before);
	}
	t1 = read_reg("cntp_tval_el0");
	ok &= check((s32)(u32)t1 < 0, "TVAL of a past deadline is negative", t1);
	write_reg("cntp_ctl_el0", 0);
	v = read_reg("cntp_ctl_el0");
	ok &= check(v == 0, "disabled: CNTP_CTL_EL0 reads 0", v);
	return ok;
}

/* (b), the interrupt */
static bool ptimer_rounds(u64 ticks)
{
	for (u32 round = 0; round < 3; round++) {
		u64 before[2] = {irqs[VT], irqs[PT]};
		u64 start = cntpct(), cval;

		write_reg("cntp_tval_el0", ticks);
		cval = read_reg("cntp_cval_el0");
		write_reg("cntp_ctl_el0", ENABLE);
		if (!wait_irqs(1u << PT, before, false)) {
			write_reg("cntp_ctl_el0", 0);
			say("FAIL ptimer round %u: no interrupt within a second (polling)", round);
			return false;
		}
		if (irqs[PT] != before[PT] + 1 || fired_at[PT] < cval) {
			say("FAIL ptimer round %u: %lu interrupts, %lu ticks before its deadline",
			    round, irqs[PT] - before[PT], cval - fired_at[PT]);
			return false;
		}
		say("ptimer round %u (polling, no exits): INTID 30 after %lu ticks (armed for "
		    "%lu)",
		    round, fired_at[PT] - start, ticks);
	}
	return true;
}

/* (c) */
static bool both(u64 ticks)
{
	u64 before[2] = {irqs[VT], irqs[PT]};
	u64 vstart = read_cntvct(), pstart = cntpct();

	write_reg("cntv_tval_el0", ticks);
	write_reg("cntp_tval_el0", ticks + ticks / 2);
	write_reg("cntv_ctl_el0", ENABLE);
	write_reg("cntp_ctl_el0", ENABLE);
	if (!wait_irqs((1u << VT) | (1u << PT), before, false)) {
		write_reg("cntv_ctl_el0", 0);
		write_reg("cntp_ctl_el0", 0);
		say("FAIL both timers: %lu virtual, %lu physical interrupts within a second",
		    irqs[VT] - before[VT], irqs[PT] - before[PT]);
		return false;
	}
	if (irqs[VT] != before[VT] + 1 || irqs[PT] != before[PT] + 1 ||
	    fired_at[VT] - vstart < ticks || fired_at[PT] - pstart < ticks + ticks / 2) {
		say("FAIL both timers: %lu and %lu interrupts, after %lu and %lu ticks",
		    irqs[VT] - before[VT], irqs[PT] - before[PT], fired_at[VT] - vstart,
		    fired_at[PT] - pstart);
		return false;
	}
	say("both timers: INTID 27 after %lu ticks (armed for %lu), INTID 30 after %lu (armed "
	    "for %lu)",
	    fired_at[VT] - vstart, ticks, fired_at[PT] - pstart, ticks + ticks / 2);
	return true;
}

/* ---- snapshot=1 ---- */

#define EC_BKPT_CUR  0x31u
#define EC_WATCH_CUR 0x35u
#define MDSCR_KDE    (1ull << 13)
#define MDSCR_MDE    (1ull << 15)
/* DBGBCR: BAS 0b1111 [8:5], PMC 0b11 [2:1] (EL1 and EL0), E [0]. */
#define BCR_ARM	     ((0xfull << 5) | (3ull << 1) | 1ull)
/* DBGWCR: BAS 0xff [12:5], LSC 0b11 [4:3] (loads and stores), PAC 0b11 [2:1], E [0]. */
#define WCR_ARM	     ((0xffull << 5) | (3ull << 3) | (3ull << 1) | 1ull)

static volatile u64 watched __attribute__((aligned(8)));
static volatile u32 bp_hits, wp_hits;

__attribute__((noinline)) static u64 target_fn(u64 x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}
static u64 (*volatile target)(u64) = target_fn;

/* A debug exception at this EL: counted, and its breakpoint or watchpoint disarmed. */
static bool on_debug(struct exc_frame *f)
{
	u32 ec = (u32)((f->esr >> 26) & 0x3f);

	if (ec == EC_BKPT_CUR && f->elr == (u64)(uintptr_t)target_fn) {
		bp_hits++;
		write_reg("S2_0_C0_C0_5", 0); /* DBGBCR0_EL1: the instruction runs again */
		return true;
	}
	if (ec == EC_WATCH_CUR && f->far == (u64)(uintptr_t)&watched) {
		wp_hits++;
		write_reg("S2_0_C0_C0_7", 0); /* DBGWCR0_EL1: the access runs again */
		return true;
	}
	return false;
}

/* After the restore: what was armed reads back, fires once, on time. */
static bool check_restored(u64 vcval, u64 pcval)
{
	u64 before[2] = {irqs[VT], irqs[PT]};
	u64 now_v = read_cntvct(), now_p = cntpct(), v, r;
	bool ok = true;

	ok &= check(read_reg("cntv_cval_el0") == vcval, "CNTV_CVAL_EL0 kept",
		    read_reg("cntv_cval_el0"));
	ok &= check((read_reg("cntv_ctl_el0") & (ENABLE | IMASK)) == ENABLE, "CNTV_CTL_EL0 kept",
		    read_reg("cntv_ctl_el0"));
	ok &= check(read_reg("cntp_cval_el0") == pcval, "CNTP_CVAL_EL0 kept",
		    read_reg("cntp_cval_el0"));
	ok &= check((read_reg("cntp_ctl_el0") & (ENABLE | IMASK)) == ENABLE, "CNTP_CTL_EL0 kept",
		    read_reg("cntp_ctl_el0"));
	ok &= check(read_reg("S2_0_C0_C0_4") == (u64)(uintptr_t)target_fn &&
			read_reg("S2_0_C0_C0_5") == BCR_ARM,
		    "DBGBVR0/DBGBCR0_EL1 kept", read_reg("S2_0_C0_C0_4"));
	ok &= check(read_reg("S2_0_C0_C0_6") == (u64)(uintptr_t)&watched &&
			read_reg("S2_0_C0_C0_7") == WCR_ARM,
		    "DBGWVR0/DBGWCR0_EL1 kept", read_reg("S2_0_C0_C0_6"));
	ok &= check((read_reg("mdscr_el1") & (MDSCR_MDE | MDSCR_KDE)) == (MDSCR_MDE | MDSCR_KDE),
		    "MDSCR_EL1 kept", read_reg("mdscr_el1"));
	if (!ok)
		return false;
	say("after the restore: the virtual timer %s, the physical timer %s",
	    now_v >= vcval ? "was due" : "is ahead", now_p >= pcval ? "was due" : "is ahead");
	if (!wait_irqs((1u << VT) | (1u << PT), before, false)) {
		say("FAIL restored: %lu virtual, %lu physical interrupts within a second",
		    irqs[VT] - before[VT], irqs[PT] - before[PT]);
		return false;
	}
	if (irqs[VT] != before[VT] + 1 || irqs[PT] != before[PT] + 1 || fired_at[VT] < vcval ||
	    fired_at[PT] < pcval) {
		say("FAIL restored: %lu and %lu interrupts, early by %ld and %ld ticks",
		    irqs[VT] - before[VT], irqs[PT] - before[PT], (s64)(vcval - fired_at[VT]),
		    (s64)(pcval - fired_at[PT]));
		return false;
	}
	say("restored: INTID 27 and INTID 30 taken once each, none before its deadline");
	r = target(5);
	ok &= check(bp_hits == 1 && r == 16, "restored: the breakpoint on target_fn hit once",
		    bp_hits);
	v = watched;
	ok &= check(wp_hits == 1 && v == 7, "restored: the watchpoint on a read hit once", wp_hits);
	return ok;
}

static bool snapshot_mode(u64 ticks)
{
	u64 vcval, pcval;
	s64 answer;
	bool ok;

	watched = 7;
	guest_sync_handler = on_debug;
	write_reg("S2_0_C1_C0_4", 0);			      /* OSLAR_EL1: the OS lock open */
	write_reg("S2_0_C0_C0_4", (u64)(uintptr_t)target_fn); /* DBGBVR0_EL1 */
	write_reg("S2_0_C0_C0_5", BCR_ARM);
	write_reg("S2_0_C0_C0_6", (u64)(uintptr_t)&watched); /* DBGWVR0_EL1 */
	write_reg("S2_0_C0_C0_7", WCR_ARM);
	write_reg("mdscr_el1", MDSCR_MDE | MDSCR_KDE);
	__asm__ volatile("msr daifclr, #8; isb"); /* PSTATE.D clear: EL1 to EL1 */
	vcval = read_cntvct() + ticks;
	pcval = cntpct() + 50 * ticks;
	write_reg("cntv_cval_el0", vcval);
	write_reg("cntp_cval_el0", pcval);
	write_reg("cntv_ctl_el0", ENABLE);
	write_reg("cntp_ctl_el0", ENABLE);
	say("armed: both timers (10 and 500 ms), a breakpoint and a watchpoint; snapshot");
	answer = hvc_call(KC_TEST_SNAPSHOT, 0, 0, 0).x0;
	if (answer == KC_TEST_SNAPSHOT_RESTORED)
		say("restored from a snapshot");
	else
		say("no snapshot (answer %ld): checking in place", answer);
	ok = check_restored(vcval, pcval);
	__asm__ volatile("msr daifset, #8; isb");
	write_reg("mdscr_el1", 0);
	write_reg("S2_0_C0_C0_5", 0);
	write_reg("S2_0_C0_C0_7", 0);
	return ok && both(ticks);
}

void guest_main(u64 dtb)
{
	u64 ticks = read_cntfrq() / 100; /* 10 ms */
	u64 snapshot = 0;
	bool ok;

	if (dtb != 0 && fdt_valid(dtb))
		bootarg_u64(fdt_bootargs(dtb), "snapshot", &snapshot);
	if (snapshot != 0) {
		guest_irq_handler = on_irq;
		gic_setup();
		if (snapshot_mode(ticks) && other_irqs == 0)
			say("PASS both timers and debug across a snapshot");
		else
			say("FAIL");
		return;
	}
	/* Before any timer is used: the host records its GIC as kcore must leave it. */
	(void)hvc_call(KC_TEST_HOST_GIC, 0, 0, 0);
	guest_irq_handler = on_irq;
	gic_setup();
	ok = vtimer_rounds(ticks);
	ok &= ptimer_registers();
	ok = ok && ptimer_rounds(ticks);
	ok = ok && both(ticks);
	if (ok && other_irqs != 0) {
		say("FAIL %lu other interrupts", other_irqs);
		ok = false;
	}
	if (ok)
		say("PASS virtual and physical timers");
	else
		say("FAIL");
}
