/* SPDX-License-Identifier: MIT */
#include "guest.h"

#include <string.h>

#include "console.h"
#include "preempt.h"
#include "sysreg.h"

static struct guest guests[GUEST_MAX];
static struct guest_host hosts[GUEST_MAX];
static u32 nr_guests;

struct guest *guest_slot(u32 i)
{
	return i < nr_guests ? &guests[i] : NULL;
}

u32 guest_count(void)
{
	return nr_guests;
}

void guests_reset(void)
{
	for (u32 i = 0; i < GUEST_MAX; i++)
		memset(&guests[i], 0, sizeof(guests[i]));
	nr_guests = 0;
}

void guest_init(struct guest *g, u32 index, struct guest_host *host)
{
	vm_record_init(g, index, host);
	memset(host, 0, sizeof(*host));
}

struct guest *guest_new(void)
{
	struct guest *g;

	if (nr_guests == GUEST_MAX)
		return NULL;
	g = &guests[nr_guests];
	guest_init(g, nr_guests, &hosts[nr_guests]);
	nr_guests++;
	return g;
}

void guest_kick_running(struct guest *g)
{
	u32 me = read_cpu_index();

	for (u32 i = 0; i < g->nr_vcpus; i++) {
		bool kick;
		u32 cpu;

		guest_lock(g);
		kick = g->vcpus[i].state == VCPU_RUNNING && g->vcpus[i].cpu != me;
		cpu = g->vcpus[i].cpu;
		guest_unlock(g);
		if (kick)
			preempt_kick(cpu);
	}
}

void guest_fail(struct guest *g, const char *why)
{
	bool first;

	guest_lock(g);
	first = !g->failed;
	g->failed = true;
	if (first)
		g->why = why;
	if (!g->done) {
		g->done = true;
		g->state = GUEST_FAILED;
	}
	if (first)
		kprintf("KSERV: VM %s failed: %s\n", g->name, why);
	guest_unlock(g);
	/* Its vCPUs inside the guest on other CPUs exit now, and stop. */
	guest_kick_running(g);
}
