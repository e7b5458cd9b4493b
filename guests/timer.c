/* SPDX-License-Identifier: MIT */
/*
 * timer: the virtual timer's interrupt reaches the guest through the GICv3
 * virtual CPU interface. kcore puts it in a list register when the guest's
 * timer has expired; the host is never asked. The guest arms its timer three
 * times, waits in WFI with interrupts unmasked, and checks that each
 * interrupt is INTID 27, comes no earlier than programmed, and is taken once.
 */
#include "lib/guest.h"

const char guest_name[] = "timer";

#define VTIMER_INTID 27u
#define ROUNDS	     3u

static volatile u64 irqs;
static volatile u64 last_intid;
static volatile u64 fired_at;

static void on_irq(void)
{
	u64 iar;

	__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar));
	last_intid = iar & 0xffffff;
	if (last_intid == VTIMER_INTID) {
		fired_at = read_cntvct();
		/* Level-triggered: silence the timer before ending the interrupt. */
		__asm__ volatile("msr cntv_ctl_el0, %0\n\tisb" : : "r"(0ull));
		irqs++;
	}
	__asm__ volatile("msr icc_eoir1_el1, %0\n\tisb" : : "r"(iar));
}

void guest_main(u64 dtb)
{
	u64 freq = read_cntfrq();
	u64 ticks = freq / 100; /* 10 ms */

	(void)dtb;
	guest_irq_handler = on_irq;
	/* The timer's PPI, enabled in this vCPU's redistributor (GICR_ISENABLER0), as on a GIC. */
	mmio_write32(0x080a0000ull + 0x10000ull + 0x100u, 1u << VTIMER_INTID);
	__asm__ volatile("msr icc_pmr_el1, %0\n\t"
			 "msr icc_igrpen1_el1, %1\n\t"
			 "isb"
			 :
			 : "r"(0xffull), "r"(1ull));
	for (u64 round = 0; round < ROUNDS; round++) {
		u64 start = read_cntvct();
		u64 deadline = start + freq; /* give up after a second */

		__asm__ volatile("msr cntv_tval_el0, %0\n\t"
				 "msr cntv_ctl_el0, %1\n\t"
				 "isb\n\t"
				 "msr daifclr, #2"
				 :
				 : "r"(ticks), "r"(1ull));
		while (irqs == round && read_cntvct() < deadline)
			__asm__ volatile("wfi");
		__asm__ volatile("msr daifset, #2");
		if (irqs != round + 1) {
			say("FAIL round %lu: %lu interrupts (INTID %lu)", round, irqs - round,
			    last_intid);
			return;
		}
		if (last_intid != VTIMER_INTID || fired_at - start < ticks) {
			say("FAIL round %lu: INTID %lu after %lu ticks (armed for %lu)", round,
			    last_intid, fired_at - start, ticks);
			return;
		}
		say("round %lu: INTID %lu after %lu ticks (armed for %lu)", round, last_intid,
		    fired_at - start, ticks);
	}
	say("PASS %u timer interrupts", ROUNDS);
}
