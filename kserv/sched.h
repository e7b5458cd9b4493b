/* SPDX-License-Identifier: MIT */
/*
 * Which CPU runs which vCPU (docs/kserv.md, "Running VMs"). One run queue
 * for all guests; every online CPU, the boot CPU included, runs a worker
 * that takes the vCPU at the head, runs it until it yields (a WFI exit, a
 * WFE exit while another vCPU waits, or after SCHED_SLICE_MS at any exit,
 * the slice timer's included, while another vCPU waits) or stops, and
 * puts it back at the tail if it yielded. A vCPU is in the queue or in one
 * worker's hands, never both, so it never runs on two CPUs at once. The
 * workers end when every guest is finished (torn down). A worker with
 * nothing to run sleeps (WFI) for SCHED_IDLE_MS at a time, or until a vCPU
 * becomes runnable (sched_start_vcpu, sched_kick) and wakes it with SGI 1.
 *
 * Round robin with time slices: a vCPU that makes no exits is still
 * preempted by kserv's timer (preempt.h: always armed while a guest runs),
 * so more vCPUs than CPUs share them fairly, and a WFE exit (KC_EXIT_YIELD)
 * lets a waiting vCPU run at once. When a VM is done (powered off, or failed
 * on kserv's side), the CPUs running its other vCPUs are kicked
 * (guest_kick_running, guest.h), so each stops at once rather than at its next exit.
 */
#ifndef KSERV_SCHED_H
#define KSERV_SCHED_H

#include "guest.h"

#include "preempt.h"
#include "vmm/runq.h"

#define SCHED_IDLE_MS 1 /* how long an idle worker sleeps before it looks again */
#define SCHED_WFI_MS  1 /* a vCPU that waits for an interrupt (WFI) sleeps this long */

/* Forgets every queued vCPU and guest (before a payload run). */
void sched_reset(void);

/* A guest whose vCPUs are about to run: the workers wait for it to finish. */
void sched_guest_started(void);
/* The guest is finished (torn down). */
void sched_guest_finished(void);

/* Starts vCPU id of g (its first run, or after PSCI CPU_ON): queues it. */
void sched_start_vcpu(struct guest *g, u32 id);
/*
 * The worker's vCPU yields: back to the tail of the queue (or stopped, if the
 * guest is done). One that waits for an interrupt (WFI) is not taken from the
 * queue again for SCHED_WFI_MS (unless sched_kick wakes it): running it at
 * once would only make it exit again.
 */
void sched_requeue(struct guest_vcpu *v, bool waits);
/*
 * The guest sent SGIs to these vCPUs (KC_EXIT_KICK): one asleep after a WFI
 * may run at once, one inside the guest on another CPU is kicked out so it
 * re-enters and finds the SGI kcore made pending.
 */
void sched_kick(struct guest *g, u64 vcpus);
/* The worker's vCPU will not run again; the last one of a finished guest tears it down. */
void sched_vcpu_stopped(struct guest_vcpu *v);
/*
 * The worker's vCPU turned itself off (KC_EXIT_VCPU_OFF): out of the queue
 * until sched_start_vcpu names it again (at once if that came meanwhile).
 */
void sched_vcpu_off(struct guest_vcpu *v);

/* The run queue (sched.c; its policy is vmm/runq.h's); read through sched_waiting. */
extern struct vmm_runq sched_runq;

/* True if some vCPU waits in the queue. Inline: the run loop asks at every exit. */
static inline bool sched_waiting(void)
{
	return __atomic_load_n(&sched_runq.len, __ATOMIC_RELAXED) != 0;
}

/* Runs workers on every online CPU until every started guest is finished. */
void sched_run_all(void);

#endif /* KSERV_SCHED_H */
