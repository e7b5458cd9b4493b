/* SPDX-License-Identifier: MIT */
/*
 * Reset, power-off and panic (docs/security.md, "Reset, power-off and
 * panic"). Firmware may keep RAM across a reset (QEMU does), and in the next
 * boot every page outside kcore's carve-out is the host's: before kcore
 * lets the firmware reset or stop the machine, nothing that is not the
 * host's may be left in RAM, and nothing may write it again.
 *
 * The order, and why:
 *  1. One CPU takes the scrub (scrub_owner); from then on every CPU that
 *     enters kcore parks instead: the host's traps (reset_enter_kcore), a
 *     CPU just started by CPU_ON, a vCPU at every guest entry and exit
 *     (arch_vcpu_run), a second reset or panic.
 *  2. Every stage-2 root is emptied and every VMID invalidated (the core,
 *     kcore_scrub_revoke), then TLBI ALLE1IS, DSB ISH: a guest, or the host,
 *     cannot translate one more access, so a CPU running either traps into
 *     kcore at its next instruction, and parks.
 *  3. Wait, bounded, until no other CPU is inside kcore unparked: each is
 *     parked (registers wiped, spinning in WFE with no stack), off, or at
 *     EL1 in the host with no stage-2 left, where it cannot reach anything.
 *  4. The core zeroes what is not the host's (kcore_scrub_memory), every
 *     parked CPU's stack and each CPU's saved FP/SIMD state, then this CPU's
 *     own dead stack; each cleaned to the point of coherency.
 *  5. Only then the firmware call.
 * A CPU that parks or is waited for holds no lock, so nothing the scrub
 * waits for can wait on it; the scrub itself takes none (a panic may hold
 * any). Step 1's flag and each CPU's in_kcore are written and read
 * sequentially consistent (STLR/LDAR), so of a CPU entering kcore and the
 * scrub starting, at least one sees the other.
 */
#include "reset.h"

#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/lib/seal.h"
#include "idregs.h"
#include "psci.h"
#include "sysreg.h"
#include "vgic.h"

#define NO_CPU		 0xffffffffu
/* How long the scrub waits for the CPUs inside kcore to leave or park, and then for the rest. */
#define WAIT_IN_KCORE_MS 1000u
#define WAIT_IN_HOST_MS	 10u

extern char _start_image[], _end[], kcore_stacks[];

void fp_restore(const struct fp_state *fp);
void el1_load(const u64 *r);
void pauth_load(const u64 *keys);
/* reset_asm.S */
_Noreturn void reset_park_forever(bool *parked);
void reset_wipe_below_sp(u64 stack_bottom);

static u32 scrub_owner = NO_CPU;

static const struct fp_state zero_fp;
static const u64 zero_regs[NR_EL1_SYSREGS];

bool reset_scrubbing(void)
{
	return __atomic_load_n(&scrub_owner, __ATOMIC_SEQ_CST) != NO_CPU;
}

void reset_enter_kcore(void)
{
	__atomic_store_n(&this_cpu()->in_kcore, true, __ATOMIC_SEQ_CST);
	if (reset_scrubbing())
		reset_park();
}

void reset_leave_kcore(void)
{
	__atomic_store_n(&this_cpu()->in_kcore, false, __ATOMIC_RELEASE);
}

/* What a guest (or the host) left in this CPU's registers, but the general ones. */
static void wipe_cpu_state(void)
{
	/* A guest's FP trap may still be armed (CPTR_EL2.TFP traps EL2's own FP use too). */
	write_sysreg(cptr_el2, CPTR_HOST);
	isb();
	/* What a guest (or the host) left in this CPU: FP/SIMD, EL1 state, keys, list registers. */
	fp_restore(&zero_fp);
	el1_load(zero_regs);
	if (idregs_cpu_has_pauth())
		pauth_load(zero_regs);
	vgic_reset_lrs();
	write_sysreg(elr_el2, 0);
	write_sysreg(far_el2, 0);
	isb();
}

_Noreturn void reset_park(void)
{
	wipe_cpu_state();
	/* Wipes the general registers, then says so; uses no stack from here on. */
	reset_park_forever(&this_cpu()->parked);
}

void arch_clean_to_poc(const void *p, size_t len)
{
	u64 line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf); /* DminLine, bytes */
	u64 end = (u64)(uintptr_t)p + len;

	for (u64 a = (u64)(uintptr_t)p & ~(line - 1); a < end; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

static u64 ms_to_ticks(u32 ms)
{
	return read_sysreg(cntfrq_el0) / 1000u * ms;
}

static bool quiet(const struct cpu *c)
{
	return __atomic_load_n(&c->parked, __ATOMIC_SEQ_CST) ||
	       !__atomic_load_n(&c->online, __ATOMIC_SEQ_CST) ||
	       !__atomic_load_n(&c->in_kcore, __ATOMIC_SEQ_CST);
}

static bool parked_or_off(const struct cpu *c)
{
	return __atomic_load_n(&c->parked, __ATOMIC_SEQ_CST) ||
	       !__atomic_load_n(&c->online, __ATOMIC_SEQ_CST);
}

/* Waits until every other CPU passes ok, or ms run out; false then. */
static bool wait_others(u32 me, bool (*ok)(const struct cpu *), u32 ms)
{
	u64 start = read_sysreg(cntpct_el0), limit = ms_to_ticks(ms);

	for (;;) {
		bool all = true;

		for (u32 i = 0; i < nr_cpus; i++) {
			if (i != me && cpus[i].present && !ok(&cpus[i]))
				all = false;
		}
		if (all)
			return true;
		if (read_sysreg(cntpct_el0) - start > limit)
			return false;
	}
}

/* Each CPU's saved FP/SIMD state (kcore's crypto, a guest's run), and the stacks no CPU runs on. */
static void wipe_cpus(u32 me)
{
	for (u32 i = 0; i < nr_cpus; i++) {
		struct cpu *c = &cpus[i];
		char *stack = kcore_stacks + (size_t)i * KCORE_STACK_SIZE;

		seal_wipe(&c->fp, sizeof(c->fp));
		seal_wipe(&c->host_fp, sizeof(c->host_fp));
		arch_clean_to_poc(&c->fp, sizeof(c->fp));
		arch_clean_to_poc(&c->host_fp, sizeof(c->host_fp));
		if (i != me && parked_or_off(c)) {
			seal_wipe(stack, KCORE_STACK_SIZE);
			arch_clean_to_poc(stack, KCORE_STACK_SIZE);
		}
	}
}

static _Noreturn void stop(void)
{
	firmware_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("msr daifset, #0xf\n\twfi");
}

_Noreturn void reset_scrub_and_call(u32 fn, u64 a1, u64 a2)
{
	struct kcore_mem_range image = {pa_init((u64)(uintptr_t)_start_image),
					(u64)(uintptr_t)_end - (u64)(uintptr_t)_start_image};
	u32 me, expected = NO_CPU;
	u64 start, zeroing, zeroed;
	bool all_left, all_parked;

	if (nr_cpus == 0)
		stop(); /* a panic before kcore knew its CPUs: nothing given to anyone yet */
	me = this_cpu()->index;
	if (!__atomic_compare_exchange_n(&scrub_owner, &expected, me, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		if (expected == me)
			stop(); /* a panic inside the scrub itself */
		reset_park();	/* another CPU scrubs and makes the call */
	}
	start = read_sysreg(cntpct_el0);
	kcore_scrub_revoke();
	__asm__ volatile("tlbi alle1is" ::: "memory");
	dsb_ish();
	isb();
	all_left = wait_others(me, quiet, WAIT_IN_KCORE_MS);
	/* CPUs in the host trap at their next instruction; one idling in WFI may not. */
	all_parked = all_left && wait_others(me, parked_or_off, WAIT_IN_HOST_MS);
	zeroing = read_sysreg(cntpct_el0);
	zeroed = kcore_scrub_memory(&image, 1);
	wipe_cpus(me);
	/* The cost bench/bench.sh scrub measures: the zeroing (the wait is the other CPUs'). */
	kc_log("scrub: %lu bytes zeroed in %lu counter ticks (%lu before, stopping the CPUs); "
	       "other CPUs %s",
	       zeroed, read_sysreg(cntpct_el0) - zeroing, zeroing - start,
	       all_parked ? "parked" : (all_left ? "parked or in the host" : "NOT ALL STOPPED"));
	/* A panic may come while this CPU holds a guest's registers. */
	wipe_cpu_state();
	reset_wipe_below_sp((u64)(uintptr_t)kcore_stacks + (u64)me * KCORE_STACK_SIZE);
	firmware_call(fn, a1, a2, 0);
	stop();
}

void reset_enable_mem_protect(void)
{
	s64 features = (s64)firmware_call(PSCI_FEATURES, PSCI_MEM_PROTECT, 0, 0);
	s64 ret;

	if (features < 0) {
		kc_log("PSCI MEM_PROTECT: not offered by the firmware (%ld); kcore scrubs before "
		       "every reset",
		       features);
		return;
	}
	ret = (s64)firmware_call(PSCI_MEM_PROTECT, 1, 0, 0);
	kc_log("PSCI MEM_PROTECT: %s (%ld); kcore scrubs before every reset as well",
	       ret >= 0 ? "enabled" : "refused", ret);
}
