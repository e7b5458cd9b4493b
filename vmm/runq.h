/* SPDX-License-Identifier: MIT */
/*
 * The host's run queue of vCPUs and its policy (docs/kserv.md, "Running
 * VMs"): round robin in the order vCPUs became runnable, passing over one
 * that sleeps after a WFI exit until its time (guest_vcpu.idle_until) has
 * come. Which vCPU is next is decided here; who runs it, the lock around the
 * queue and the clock are the caller's (kserv/sched.c).
 */
#ifndef VMM_RUNQ_H
#define VMM_RUNQ_H

#include "types.h"
#include "vm.h"

/* Every vCPU of every guest at once: each is queued at most once. */
#define VMM_RUNQ_CAP (GUEST_MAX * GUEST_MAX_VCPUS)

struct vmm_runq {
	struct guest_vcpu *slot[VMM_RUNQ_CAP]; /* a ring from head */
	u32 head;
	u32 len; /* the caller may read it without its lock (atomics): "does one wait?" */
};

/* Empty. */
void vmm_runq_reset(struct vmm_runq *q);

/* v at the tail. v must not be queued already (then the queue cannot overflow). */
void vmm_runq_push(struct vmm_runq *q, struct guest_vcpu *v);

/*
 * The vCPU to run next at time now (ms): the first from the head that is
 * not asleep (idle_until <= now), taken out; the ones before it keep their
 * places and order. NULL (the queue unchanged) if every one sleeps.
 */
struct guest_vcpu *vmm_runq_pop_runnable(struct vmm_runq *q, u64 now);

#endif /* VMM_RUNQ_H */
