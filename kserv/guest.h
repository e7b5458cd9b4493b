/* SPDX-License-Identifier: MIT */
/*
 * kserv's side of the host's VM record (vmm/vm.h): its part of each record
 * (struct guest_host, the lock), and the table of the payload run's guests.
 *
 * Lock order: a guest's lock, then the scheduler's queue lock (sched.c),
 * then the page allocator's, then the console's.
 */
#ifndef KSERV_GUEST_H
#define KSERV_GUEST_H

#include "lock.h"
#include "types.h"
#include "vmm/vm.h"

struct guest_host {
	struct ticket_lock lock; /* vmm/vm.h says what it covers */
};

static inline void guest_lock(struct guest *g)
{
	ticket_lock(&g->host->lock);
}

static inline void guest_unlock(struct guest *g)
{
	ticket_unlock(&g->host->lock);
}

/* The table of guests of the current payload run. */
struct guest *guest_slot(u32 i);
u32 guest_count(void);
void guests_reset(void);
struct guest *guest_new(void);
/*
 * Empties g for a new VM (guest_new does it). kserv's own test VMs outside
 * the table bring their own host part.
 */
void guest_init(struct guest *g, u32 index, struct guest_host *host);

/*
 * Kicks (SGI 1) every CPU other than this one that runs a vCPU of g: each
 * exits its guest and, g being done or paused, does not go back in. Here,
 * not in the scheduler: failing a guest needs it, and the scheduler needs
 * the guests (no include cycle).
 */
void guest_kick_running(struct guest *g);

/*
 * Something went wrong with a guest: prints "KSERV: VM <name> failed: <why>"
 * (the first time), counts it as failed, and ends it if it was still going:
 * no vCPU runs again, and the last one to stop tears it down.
 */
void guest_fail(struct guest *g, const char *why);

#endif /* KSERV_GUEST_H */
