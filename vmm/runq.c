/* SPDX-License-Identifier: MIT */
#include "runq.h"

void vmm_runq_reset(struct vmm_runq *q)
{
	q->head = 0;
	q->len = 0;
}

void vmm_runq_push(struct vmm_runq *q, struct guest_vcpu *v)
{
	q->slot[(q->head + q->len) % VMM_RUNQ_CAP] = v;
	q->len++;
}

struct guest_vcpu *vmm_runq_pop_runnable(struct vmm_runq *q, u64 now)
{
	for (u32 i = 0; i < q->len; i++) {
		struct guest_vcpu *v = q->slot[(q->head + i) % VMM_RUNQ_CAP];

		if (v->idle_until > now)
			continue;
		/* Close the gap: the ones before it move up one, in order. */
		for (u32 j = i; j > 0; j--)
			q->slot[(q->head + j) % VMM_RUNQ_CAP] =
			    q->slot[(q->head + j - 1) % VMM_RUNQ_CAP];
		q->head = (q->head + 1) % VMM_RUNQ_CAP;
		q->len--;
		return v;
	}
	return NULL;
}
