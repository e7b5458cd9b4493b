/* SPDX-License-Identifier: MIT */
#include "preempt.h"

#include <stdatomic.h>

#include "console.h"
#include "fdt_info.h"
#include "layout.h"
#include "smp.h"
#include "sysreg.h"

#define GICD_CTLR	 0x0000u
#define GICD_CTLR_RWP	 (1u << 31)
#define GICD_CTLR_ENABLE 0x13u /* ARE, Group 1 (and Group 0 if security is disabled) */
#define GICR_STRIDE	 0x20000ull
#define GICR_STRIDE_VLPI 0x40000ull
#define GICR_TYPER	 0x0008u
#define GICR_TYPER_VLPIS (1u << 1)
#define GICR_TYPER_LAST	 (1u << 4)
#define GICR_WAKER	 0x0014u
#define GICR_WAKER_PS	 (1u << 1)
#define GICR_WAKER_CA	 (1u << 2)
#define GICR_SGI	 0x10000u /* SGI_base, from RD_base */
#define GICR_IGROUPR0	 0x0080u
#define GICR_ISENABLER0	 0x0100u
#define GICR_IPRIORITYR	 0x0400u
#define TIMER_PPI	 30u /* the EL1 physical timer */
#define KICK_SGI	 1u  /* another CPU wants this one out of its guest */
#define INTID_SPURIOUS	 1023u
#define TIMER_PRIORITY	 0xa0u
#define MAX_FRAMES	 64u
#define WAIT_MS		 100u
#define CNTP_CTL_ENABLE	 1u

static _Atomic bool gicd_done;
static bool cpu_ready[KSERV_MAX_CPUS];

static u32 rd32(u64 pa)
{
	return *(volatile u32 *)(uintptr_t)pa;
}

static void wr32(u64 pa, u32 v)
{
	*(volatile u32 *)(uintptr_t)pa = v;
}

static bool wait_clear(u64 pa, u32 bits)
{
	u64 deadline = time_ms() + WAIT_MS;

	while ((rd32(pa) & bits) != 0) {
		if (time_ms() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

/* This CPU's redistributor (RD_base), found by its affinity; 0 if none. */
static u64 find_redistributor(void)
{
	u64 mpidr = read_mpidr();
	u32 aff = (u32)((mpidr >> 8) & 0xff000000u) | (u32)(mpidr & 0xffffffu);
	u64 frame = machine.gicr.base;

	for (u32 i = 0; i < MAX_FRAMES && frame + GICR_STRIDE <= range_end(&machine.gicr); i++) {
		u32 typer_lo = rd32(frame + GICR_TYPER), typer_hi = rd32(frame + GICR_TYPER + 4);

		if (typer_hi == aff)
			return frame;
		if ((typer_lo & GICR_TYPER_LAST) != 0)
			break;
		frame += (typer_lo & GICR_TYPER_VLPIS) != 0 ? GICR_STRIDE_VLPI : GICR_STRIDE;
	}
	return 0;
}

static void icc_setup(void)
{
	u64 sre;

	__asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre)); /* ICC_SRE_EL1 */
	sre |= 1;						/* SRE */
	__asm__ volatile("msr S3_0_C12_C12_5, %0; isb" ::"r"(sre));
	__asm__ volatile("msr S3_0_C4_C6_0, %0" ::"r"(0xffull));     /* ICC_PMR_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0; isb" ::"r"(1ull)); /* ICC_IGRPEN1_EL1 */
}

bool preempt_init_this_cpu(void)
{
	u32 cpu = read_cpu_index() % KSERV_MAX_CPUS;
	u64 rd, sgi;

	if (cpu_ready[cpu])
		return true;
	if (machine.gicd.size == 0 || machine.gicr.size == 0)
		return false;
	if (!atomic_exchange(&gicd_done, true)) {
		wr32(machine.gicd.base + GICD_CTLR,
		     rd32(machine.gicd.base + GICD_CTLR) | GICD_CTLR_ENABLE);
		wait_clear(machine.gicd.base + GICD_CTLR, GICD_CTLR_RWP);
	}
	rd = find_redistributor();
	if (rd == 0) {
		kprintf("kserv: cpu %u: no GICv3 redistributor for MPIDR 0x%lx: no preemption\n",
			cpu, read_mpidr());
		return false;
	}
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
	if (!wait_clear(rd + GICR_WAKER, GICR_WAKER_CA)) {
		kprintf("kserv: cpu %u: the GIC redistributor did not wake: no preemption\n", cpu);
		return false;
	}
	sgi = rd + GICR_SGI;
	wr32(sgi + GICR_IGROUPR0, rd32(sgi + GICR_IGROUPR0) | (1u << TIMER_PPI));
	wr32(sgi + GICR_IPRIORITYR + (TIMER_PPI & ~3u),
	     (rd32(sgi + GICR_IPRIORITYR + (TIMER_PPI & ~3u)) & ~(0xffu << (8 * (TIMER_PPI & 3)))) |
		 (TIMER_PRIORITY << (8 * (TIMER_PPI & 3))));
	wr32(sgi + GICR_IGROUPR0, rd32(sgi + GICR_IGROUPR0) | (1u << KICK_SGI));
	wr32(sgi + GICR_ISENABLER0, (1u << TIMER_PPI) | (1u << KICK_SGI));
	icc_setup();
	preempt_disarm();
	cpu_ready[cpu] = true;
	return true;
}

void preempt_arm(u64 ms)
{
	u64 freq = read_cntfrq();
	u64 ticks = ms * (freq >= 1000 ? freq / 1000 : 62500);

	if (!cpu_ready[read_cpu_index() % KSERV_MAX_CPUS])
		return;
	__asm__ volatile("msr cntp_tval_el0, %0; msr cntp_ctl_el0, %1; isb" ::"r"(ticks),
			 "r"((u64)CNTP_CTL_ENABLE));
}

void preempt_disarm(void)
{
	__asm__ volatile("msr cntp_ctl_el0, %0; isb" ::"r"(0ull));
}

void preempt_idle(u64 ms)
{
	if (!cpu_ready[read_cpu_index() % KSERV_MAX_CPUS]) {
		cpu_relax();
		return;
	}
	preempt_arm(ms);
	/* A pending interrupt ends WFI even with PSTATE.I set. */
	wfi();
	preempt_disarm();
}

void preempt_kick(u32 cpu)
{
	u64 mpidr = smp_cpu_mpidr(cpu);
	/* ICC_SGI1R_EL1: Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1 [23:16], TargetList. */
	u64 v = (((mpidr >> 32) & 0xff) << 48) | (((mpidr >> 16) & 0xff) << 32) |
		((u64)KICK_SGI << 24) | (((mpidr >> 8) & 0xff) << 16) | (1ull << (mpidr & 0xf));

	if (!cpu_ready[cpu % KSERV_MAX_CPUS])
		return;
	__asm__ volatile("dsb ishst; msr S3_0_C12_C11_5, %0; isb" ::"r"(v));
}

void preempt_ack_all(void)
{
	if (!cpu_ready[read_cpu_index() % KSERV_MAX_CPUS])
		return;
	/* With interrupts masked, acknowledge and end whatever is pending (kicks, a stale tick). */
	for (u32 i = 0; i < 8; i++) {
		u64 intid;

		__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(intid)); /* ICC_IAR1_EL1 */
		if ((intid & 0xffffff) >= INTID_SPURIOUS)
			return;
		__asm__ volatile("msr S3_0_C12_C12_1, %0; isb" ::"r"(intid)); /* ICC_EOIR1_EL1 */
	}
}
