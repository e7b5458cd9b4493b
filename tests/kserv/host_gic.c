/* SPDX-License-Identifier: MIT */
/*
 * The host's GIC after timer-using guests ran (issue 16): while a vCPU that
 * uses its timers runs, kcore makes PPIs 26 and 27 reach EL2 in the host's
 * own GIC (arch/aarch64/timers.c: group, group modifier, priority, enable,
 * active in the redistributor's SGI_base frame; ICC_PMR_EL1 and
 * ICC_IGRPEN1_EL1 of the CPU) and must put back exactly what it changed
 * before the host runs again.
 *
 * A guest asks for the check (KC_TEST_HOST_GIC; the timers guest, before it
 * first touches a timer). On that call the driver gives kcore something to
 * put back: both PPIs' priority in every redistributor (SGI_base is the
 * host's own page, readable from any CPU) becomes PRIO_MARK instead of 0,
 * kcore's own value, and, if the call came on the CPU that runs the payload,
 * that CPU's priority mask becomes PMR_MARK instead of fully open (kserv's
 * interrupts have priorities 0 and 0xa0: they still pass). Then it records
 * the state. After the payload, every VM gone, on that same CPU:
 *
 *   HOSTGIC: PASS PPIs 26/27 of N redistributors, ICC_PMR/IGRPEN1 of cpu C as recorded
 *   HOSTGIC: FAIL redistributor i <register> 0x... recorded, 0x... after
 *
 * (a FAIL fails the run), and the driver's marks are undone. The CPU
 * interface's registers are checked only if the guest ran where the payload
 * does: run it on one CPU (kcore-run --cpus 1) for that.
 *
 * On that CPU the driver also arms its own virtual timer, far ahead (as a
 * Linux host always has its tick armed; kserv uses the physical timer): the
 * vCPU's next entries, before its first timer access, then take kcore's
 * host-deadline-only path (timers_enter_host: PPI 26 enabled for the run),
 * and its first CNTP access the full claim on top of it, all of which must
 * be undone too. Disarmed with the marks, before the far deadline comes.
 */

#include <kcore/guest_tests.h>

#include "drivers.h"
#include "kserv/console.h"
#include "kserv/fdt_info.h"
#include "kserv/lock.h"
#include "kserv/sysreg.h"

#define MAX_FRAMES	 KSERV_MAX_CPUS
#define GICR_STRIDE	 0x20000ull
#define GICR_STRIDE_VLPI 0x40000ull
#define GICR_TYPER	 0x0008u
#define GICR_TYPER_VLPIS (1u << 1)
#define GICR_TYPER_LAST	 (1u << 4)
#define GICR_SGI	 0x10000u /* SGI_base, from RD_base */
#define GICR_IGROUPR0	 0x0080u
#define GICR_ISENABLER0	 0x0100u
#define GICR_ISACTIVER0	 0x0300u
#define GICR_IPRIORITYR	 0x0400u
#define GICR_IGRPMODR0	 0x0d00u
#define PPI_HYPTIMER	 26u
#define PPI_VTIMER	 27u
#define PPIS		 ((1u << PPI_HYPTIMER) | (1u << PPI_VTIMER))
#define PRIO_MARK	 0x80u /* the two PPIs' priority while a guest asked */
#define PMR_MARK	 0xf0ull
#define CNTV_ENABLE	 1ull
#define CNTV_AHEAD	 (62500000ull * 600) /* ten minutes of the 62.5 MHz counter */

/* What kcore may change, one redistributor's worth, and the CPU interface's. */
enum { R_IGROUPR0, R_IGRPMODR0, R_ISENABLER0, R_ISACTIVER0, R_IPRIORITY, R_NR };

static const char *const reg_names[R_NR] = {
    [R_IGROUPR0] = "IGROUPR0",
    [R_IGRPMODR0] = "IGRPMODR0",
    [R_ISENABLER0] = "ISENABLER0",
    [R_ISACTIVER0] = "ISACTIVER0",
    [R_IPRIORITY] = "IPRIORITYR (bytes 26, 27)",
};

struct gic_state {
	u32 frames;
	u32 reg[MAX_FRAMES][R_NR];
	u64 frame[MAX_FRAMES]; /* each redistributor's RD_base */
	u32 cpu;
	u64 pmr, igrpen1;
};

/* Only the payload's CPU writes these (its start, its end), and one call of a guest. */
static struct ticket_lock lock;
static struct gic_state recorded;
static u32 payload_cpu;
static bool wanted;
static u32 saved_prio[MAX_FRAMES]; /* the priority word of INTIDs 24..27 before the mark */
static u64 saved_pmr;
static bool pmr_marked; /* and this CPU's virtual timer armed */

static u32 rd32(u64 pa)
{
	return *(volatile u32 *)(uintptr_t)pa;
}

static void wr32(u64 pa, u32 v)
{
	*(volatile u32 *)(uintptr_t)pa = v;
}

static u64 read_pmr(void)
{
	u64 v;

	__asm__ volatile("mrs %0, S3_0_C4_C6_0" : "=r"(v)); /* ICC_PMR_EL1 */
	return v;
}

static void write_pmr(u64 v)
{
	__asm__ volatile("msr S3_0_C4_C6_0, %0; isb" ::"r"(v));
}

static void record(struct gic_state *s)
{
	u64 frame = machine.gicr.base;

	s->frames = 0;
	s->cpu = read_cpu_index();
	s->pmr = read_pmr();
	__asm__ volatile("mrs %0, S3_0_C12_C12_7" : "=r"(s->igrpen1)); /* ICC_IGRPEN1_EL1 */
	if (machine.gicr.size == 0)
		return;
	while (s->frames < MAX_FRAMES && frame + GICR_STRIDE <= range_end(&machine.gicr)) {
		u32 typer = rd32(frame + GICR_TYPER);
		u64 sgi = frame + GICR_SGI;
		u32 *r = s->reg[s->frames];

		s->frame[s->frames++] = frame;
		r[R_IGROUPR0] = rd32(sgi + GICR_IGROUPR0) & PPIS;
		r[R_IGRPMODR0] = rd32(sgi + GICR_IGRPMODR0) & PPIS;
		r[R_ISENABLER0] = rd32(sgi + GICR_ISENABLER0) & PPIS;
		r[R_ISACTIVER0] = rd32(sgi + GICR_ISACTIVER0) & PPIS;
		/* The word of INTIDs 24..27: bytes 2 and 3 are the two PPIs. */
		r[R_IPRIORITY] = rd32(sgi + GICR_IPRIORITYR + 24) & 0xffff0000u;
		if ((typer & GICR_TYPER_LAST) != 0)
			break;
		frame += (typer & GICR_TYPER_VLPIS) != 0 ? GICR_STRIDE_VLPI : GICR_STRIDE;
	}
}

/* The guest's call: mark, then record (on the guest's CPU, its vCPU out of the guest). */
static void mark_and_record(void)
{
	struct gic_state s;

	record(&s);
	for (u32 i = 0; i < s.frames; i++) {
		u64 word = s.frame[i] + GICR_SGI + GICR_IPRIORITYR + 24;

		saved_prio[i] = rd32(word);
		wr32(word, (saved_prio[i] & 0xffffu) | PRIO_MARK << 16 | PRIO_MARK << 24);
	}
	pmr_marked = s.cpu == payload_cpu;
	if (pmr_marked) {
		u64 now;

		saved_pmr = s.pmr;
		write_pmr(PMR_MARK);
		__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
		__asm__ volatile(
		    "msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb" ::"r"(now + CNTV_AHEAD),
		    "r"(CNTV_ENABLE));
	}
	record(&recorded);
}

static void unmark(void)
{
	for (u32 i = 0; i < recorded.frames; i++) {
		u64 word = recorded.frame[i] + GICR_SGI + GICR_IPRIORITYR + 24;

		wr32(word, (rd32(word) & 0xffffu) | (saved_prio[i] & 0xffff0000u));
	}
	if (pmr_marked) {
		write_pmr(saved_pmr);
		__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(0ull));
	}
}

static void on_payload_start(u32 payload_flags)
{
	(void)payload_flags;
	ticket_lock(&lock);
	wanted = false;
	payload_cpu = read_cpu_index();
	ticket_unlock(&lock);
}

/* The comparison, if a guest asked; false if kcore left anything changed. */
static bool on_payload_end(void)
{
	static struct gic_state after;
	u32 wrong = 0;
	bool icc;

	ticket_lock(&lock);
	if (!wanted) {
		ticket_unlock(&lock);
		return true;
	}
	record(&after);
	unmark();
	wanted = false;
	ticket_unlock(&lock);
	if (after.frames != recorded.frames) {
		kprintf("HOSTGIC: FAIL %u redistributors recorded, %u after\n", recorded.frames,
			after.frames);
		return false;
	}
	for (u32 i = 0; i < recorded.frames; i++) {
		for (u32 k = 0; k < R_NR; k++) {
			if (recorded.reg[i][k] == after.reg[i][k])
				continue;
			kprintf("HOSTGIC: FAIL redistributor %u %s 0x%x recorded, 0x%x after\n", i,
				reg_names[k], recorded.reg[i][k], after.reg[i][k]);
			wrong++;
		}
	}
	icc = recorded.cpu == after.cpu;
	if (icc && after.pmr != recorded.pmr) {
		kprintf("HOSTGIC: FAIL cpu %u ICC_PMR_EL1 0x%lx recorded, 0x%lx after\n", after.cpu,
			recorded.pmr, after.pmr);
		wrong++;
	}
	if (icc && after.igrpen1 != recorded.igrpen1) {
		kprintf("HOSTGIC: FAIL cpu %u ICC_IGRPEN1_EL1 0x%lx recorded, 0x%lx after\n",
			after.cpu, recorded.igrpen1, after.igrpen1);
		wrong++;
	}
	if (wrong != 0)
		return false;
	if (icc)
		kprintf("HOSTGIC: PASS PPIs 26/27 of %u redistributors, ICC_PMR/IGRPEN1 of cpu %u "
			"as recorded\n",
			after.frames, after.cpu);
	else
		kprintf(
		    "HOSTGIC: PASS PPIs 26/27 of %u redistributors as recorded (the guest ran on "
		    "another cpu: no ICC check)\n",
		    after.frames);
	return true;
}

static bool on_guest_call(struct guest_vcpu *v, u64 fid, const u64 *args, u64 ret[4])
{
	(void)v;
	(void)args;
	if (fid != KC_TEST_HOST_GIC)
		return false;
	ticket_lock(&lock);
	if (!wanted) { /* the first call of the payload marks and records; any other: nothing */
		wanted = true;
		mark_and_record();
	}
	ticket_unlock(&lock);
	ret[0] = 0;
	return true;
}

const struct vmm_hooks host_gic_hooks = {
    .name = "host-gic",
    .on_payload_start = on_payload_start,
    .on_payload_end = on_payload_end,
    .on_guest_call = on_guest_call,
};
