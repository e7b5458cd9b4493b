/* SPDX-License-Identifier: MIT */
#include "run.h"

#include "console.h"
#include "format.h"
#include "hvc.h"
#include "preempt.h"
#include "sched.h"
#include "smp.h"
#include "snapshot.h"
#include "sysreg.h"
#include "vm_mem.h"
#include "vmm/exit.h"

/* How long a vCPU whose run failed with STATE waits for its sibling's power-off to be seen. */
#define POWEROFF_RACE_MS 200

/*
 * Again: run it on; yield: to the back of the queue; wait: the same, asleep
 * (WFI); stop; off (PSCI CPU_OFF). AFTER_STOP and AFTER_OFF last:
 * vcpu_run_slice tells both from the rest with one compare.
 */
enum after { AFTER_AGAIN, AFTER_YIELD, AFTER_WAIT, AFTER_STOP, AFTER_OFF };

static struct kcore_vcpu_run *run_page(const struct guest_vcpu *v)
{
	return (struct kcore_vcpu_run *)(uintptr_t)v->run_pa;
}

static void powered_off(struct guest *g, bool reset)
{
	bool first;

	guest_lock(g);
	g->kcore_poweroff = true;
	first = !g->done;
	if (first) {
		g->done = true;
		g->reset = reset;
		g->state = GUEST_POWERED_OFF;
	}
	guest_unlock(g);
	/* Siblings that never exit (a spin, a WFE loop with nothing waiting) must stop too. */
	if (first)
		guest_kick_running(g);
	if (first && reset)
		kprintf(
		    "kserv: VM %s asked for a reset (SYSTEM_RESET); kserv does not restart VMs\n",
		    g->name);
	if (first)
		kprintf("KSERV: VM %s powered off\n", g->name);
}

/* KC_HC_VCPU_RUN refused with STATE: fine if the guest just powered off on another vCPU. */
static bool raced_with_poweroff(struct guest *g)
{
	u64 deadline = time_ms() + POWEROFF_RACE_MS;

	while (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE) && time_ms() < deadline)
		cpu_relax();
	return __atomic_load_n(&g->done, __ATOMIC_ACQUIRE);
}

/* The host's part of the exit is done (vmm/exit.h); what kserv's CPUs and queue do next. */
static enum after after_exit(struct guest_vcpu *v, s64 err, struct vmm_exit ex)
{
	struct guest *g = v->g;

	switch (ex.action) {
	case VMM_EXIT_RUN_ON:
		return AFTER_AGAIN;
	case VMM_EXIT_RAM_FAULT:
		return vm_mem_fault(g, ex.arg) ? AFTER_AGAIN : AFTER_STOP;
	case VMM_EXIT_POWEROFF:
		powered_off(g, ex.arg != 0);
		return AFTER_STOP;
	case VMM_EXIT_WAIT:
		return AFTER_WAIT;
	case VMM_EXIT_SPIN:
		/* WFE: it spins on something; another vCPU's turn if one waits, else on. */
		return sched_waiting() ? AFTER_YIELD : AFTER_AGAIN;
	case VMM_EXIT_HOST_IRQ:
		/*
		 * kserv's own slice timer or a kick (preempt.c): the slice check
		 * decides. The timer is re-armed first, which lowers its (level)
		 * interrupt, so that the acknowledgement leaves nothing pending.
		 */
		preempt_arm(sched_waiting() ? SCHED_SLICE_MS : SCHED_SOLO_MS);
		preempt_ack_all();
		return AFTER_AGAIN;
	case VMM_EXIT_KICK:
		sched_kick(g, ex.arg);
		return AFTER_AGAIN;
	case VMM_EXIT_VCPU_START:
		sched_start_vcpu(g, (u32)ex.arg);
		return AFTER_AGAIN;
	case VMM_EXIT_VCPU_OFF:
		/* PSCI CPU_OFF: it runs again only when a KC_EXIT_VCPU_START names it. */
		return AFTER_OFF;
	case VMM_EXIT_RUN_FAILED:
		if (err == KCORE_E_STATE && raced_with_poweroff(g))
			return AFTER_STOP;
		kprintf("kserv: VM %s: vCPU %u: KC_HC_VCPU_RUN: %s (%ld)\n", g->name, v->id,
			kcore_err_name(err), err);
		guest_fail(g, "KC_HC_VCPU_RUN failed");
		return AFTER_STOP;
	case VMM_EXIT_STOP:
	default:
		return AFTER_STOP;
	}
}

static enum after run_once(struct guest_vcpu *v)
{
	struct guest *g = v->g;
	struct kcore_vcpu_run *run = run_page(v);
	u64 reason = 0;
	s64 err;

	if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE))
		return AFTER_STOP;
	/* Paused for a snapshot: wait outside kcore, completion kept for later. */
	if (!snapshot_may_run(g))
		return AFTER_WAIT;
	run->in.flags = v->next_flags;
	run->in.mmio_value = v->next_mmio_value;
	for (u32 i = 0; i < 4; i++)
		run->in.call_ret[i] = v->next_call_ret[i];
	v->next_flags = 0;
	/* Whatever a sibling sent so far is pending in kcore: this entry delivers it. */
	__atomic_store_n(&v->kicked, false, __ATOMIC_RELEASE);
	err = kcore_vcpu_run(g->vmid, v->id, v->run_pa, &reason);
	snapshot_left_run(g);
	return after_exit(v, err, vmm_exit_handle(v, err, reason, run));
}

void vcpu_run_slice(struct guest_vcpu *v)
{
	u64 start = time_ms();

	/*
	 * The slice timer runs across the slice's entries and exits (nothing
	 * on each entry's path): if it fires while kserv handles an exit, its
	 * interrupt ends the next entry at once. KC_EXIT_IRQ re-arms it.
	 */
	preempt_arm(sched_waiting() ? SCHED_SLICE_MS : SCHED_SOLO_MS);
	for (;;) {
		enum after a = run_once(v);

		if (a >= AFTER_STOP) {
			preempt_disarm();
			if (a == AFTER_STOP)
				sched_vcpu_stopped(v);
			else
				sched_vcpu_off(v);
			return;
		}
		/* Round robin: a vCPU that used its slice goes behind the ones that wait. */
		if (a == AFTER_YIELD || a == AFTER_WAIT ||
		    (sched_waiting() && time_ms() - start >= SCHED_SLICE_MS)) {
			preempt_disarm();
			sched_requeue(v, a == AFTER_WAIT);
			return;
		}
	}
}
