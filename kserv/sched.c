/* SPDX-License-Identifier: MIT */
#include "sched.h"

#include <stdatomic.h>

#include "console.h"
#include "preempt.h"
#include "run.h"
#include "smp.h"
#include "snapshot.h"
#include "sysreg.h"
#include "vm_teardown.h"
#include "vmm/runq.h"

static struct ticket_lock queue_lock;
/* Which vCPU runs next is vmm/'s policy; the lock and the workers are kserv's. */
struct vmm_runq sched_runq;
static _Atomic u32 live_guests;
/* Workers asleep in WFI (worker()): a vCPU that becomes runnable wakes one with SGI 1. */
static _Atomic bool cpu_idle[KSERV_MAX_CPUS];

void sched_reset(void)
{
	ticket_lock(&queue_lock);
	vmm_runq_reset(&sched_runq);
	ticket_unlock(&queue_lock);
	atomic_store(&live_guests, 0);
}

void sched_guest_started(void)
{
	atomic_fetch_add(&live_guests, 1);
}

void sched_guest_finished(void)
{
	atomic_fetch_sub(&live_guests, 1);
	sev();
}

/* Caller holds v->g's lock. */
static void enqueue(struct guest_vcpu *v)
{
	v->state = VCPU_QUEUED;
	ticket_lock(&queue_lock);
	vmm_runq_push(&sched_runq, v); /* each vCPU is queued at most once */
	ticket_unlock(&queue_lock);
	sev();
}

/* The first vCPU of the queue that is not sleeping after a WFI; NULL if none. */
static struct guest_vcpu *dequeue(void)
{
	u64 now = time_ms();
	struct guest_vcpu *v;

	ticket_lock(&queue_lock);
	v = vmm_runq_pop_runnable(&sched_runq, now);
	ticket_unlock(&queue_lock);
	return v;
}

/*
 * A vCPU in the queue can run now: wake a worker that sleeps in WFI, if any
 * (it would otherwise look again only after SCHED_IDLE_MS). The worker's own
 * CPU is busy running the caller's vCPU.
 */
static void wake_idle_worker(void)
{
	u32 me = read_cpu_index();

	for (u32 cpu = 0; cpu < smp_nr_cpus() && cpu < KSERV_MAX_CPUS; cpu++) {
		if (cpu != me && atomic_load(&cpu_idle[cpu])) {
			preempt_kick(cpu);
			return;
		}
	}
}

void sched_start_vcpu(struct guest *g, u32 id)
{
	struct guest_vcpu *v;

	if (id >= g->nr_vcpus) {
		kprintf("kserv: VM %s: kcore started vCPU %u of %u\n", g->name, id, g->nr_vcpus);
		return;
	}
	v = &g->vcpus[id];
	guest_lock(g);
	if (!v->started && !g->done) {
		v->started = true;
		g->active++;
		enqueue(v);
	} else if (v->started && v->state == VCPU_RUNNING) {
		/*
		 * kcore starts only a vCPU that is OFF: this one turned itself off
		 * and its worker has not handled that exit yet (sched_vcpu_off).
		 */
		v->restart = true;
	}
	guest_unlock(g);
	wake_idle_worker();
}

void sched_vcpu_off(struct guest_vcpu *v)
{
	struct guest *g = v->g;
	bool again, off;

	guest_lock(g);
	again = v->restart && !g->done;
	v->restart = false;
	/* kcore powers the VM off at its last vCPU's CPU_OFF: active > 1 here unless it ends. */
	off = !again && !g->done && g->active > 1;
	if (again) {
		enqueue(v); /* started again meanwhile (sched_start_vcpu) */
	} else if (off) {
		v->state = VCPU_OFF;
		v->started = false;
		g->active--;
	}
	guest_unlock(g);
	if (!again && !off)
		sched_vcpu_stopped(v);
}

void sched_kick(struct guest *g, u64 vcpus)
{
	u32 me = read_cpu_index();

	for (u32 id = 0; id < g->nr_vcpus; id++) {
		struct guest_vcpu *v = &g->vcpus[id];
		bool kick, queued;

		if ((vcpus & (1ull << id)) == 0)
			continue;
		guest_lock(g);
		/*
		 * A vCPU asleep after WFI runs at once (an idle worker is woken for it);
		 * one inside a guest elsewhere exits.
		 */
		v->idle_until = 0;
		/* Its worker may be about to requeue it after a WFI exit: do not let it sleep. */
		__atomic_store_n(&v->kicked, true, __ATOMIC_RELEASE);
		kick = v->state == VCPU_RUNNING && v->cpu != me;
		queued = v->state == VCPU_QUEUED;
		guest_unlock(g);
		if (kick)
			preempt_kick(v->cpu);
		if (queued)
			wake_idle_worker();
	}
	sev();
}

void sched_requeue(struct guest_vcpu *v, bool waits)
{
	struct guest *g = v->g;
	bool done;

	guest_lock(g);
	/* A sibling's SGI that came while it ran means there is no reason to wait. */
	v->idle_until =
	    waits && !__atomic_load_n(&v->kicked, __ATOMIC_ACQUIRE) ? time_ms() + SCHED_WFI_MS : 0;
	done = g->done;
	if (!done)
		enqueue(v);
	guest_unlock(g);
	if (done)
		sched_vcpu_stopped(v);
}

void sched_vcpu_stopped(struct guest_vcpu *v)
{
	struct guest *g = v->g;
	bool last, stuck;

	guest_lock(g);
	v->state = VCPU_STOPPED;
	g->active--;
	last = g->active == 0;
	stuck = last && !g->done;
	guest_unlock(g);
	if (stuck)
		guest_fail(g, "every vCPU stopped, but the guest did not power off");
	if (last) {
		vm_teardown(g);
		/* Before this guest stops counting, so the workers never see none left. */
		snapshot_after_teardown(g);
		sched_guest_finished();
	}
}

static void worker(void *arg)
{
	u32 me = read_cpu_index() % KSERV_MAX_CPUS;

	(void)arg;
	preempt_init_this_cpu();
	for (;;) {
		struct guest_vcpu *v = sched_waiting() ? dequeue() : NULL;

		if (v == NULL && atomic_load(&live_guests) == 0)
			return;
		if (v == NULL) {
			/*
			 * Idle until a vCPU becomes runnable (wake_idle_worker's SGI) or
			 * SCHED_IDLE_MS pass. Idle is announced before the queue is looked
			 * at again, so a vCPU queued meanwhile is not missed.
			 */
			atomic_store(&cpu_idle[me], true);
			v = sched_waiting() ? dequeue() : NULL;
			if (v == NULL)
				preempt_idle(SCHED_IDLE_MS);
			atomic_store(&cpu_idle[me], false);
			/* The wake-up SGI, so that it does not cut the next guest entry short. */
			preempt_ack_all();
			if (v == NULL)
				continue;
		}
		v->cpu = read_cpu_index();
		v->state = VCPU_RUNNING;
		vcpu_run_slice(v);
	}
}

void sched_run_all(void)
{
	bool posted[KSERV_MAX_CPUS] = {false};
	u32 me = read_cpu_index();

	for (u32 cpu = 0; cpu < smp_nr_cpus(); cpu++) {
		if (cpu != me && smp_cpu_online(cpu))
			posted[cpu] = smp_post(cpu, worker, NULL);
	}
	worker(NULL);
	for (u32 cpu = 0; cpu < smp_nr_cpus(); cpu++) {
		if (posted[cpu])
			smp_wait(cpu, SMP_WAIT_FOREVER);
	}
}
