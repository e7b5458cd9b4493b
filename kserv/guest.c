/* SPDX-License-Identifier: MIT */
#include "guest.h"

#include <string.h>

#include "console.h"
#include "sched.h"

static struct guest guests[GUEST_MAX];
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

void guest_init(struct guest *g, u32 index)
{
	memset(g, 0, sizeof(*g));
	g->index = index;
	g->state = GUEST_CREATING;
	for (u32 i = 0; i < GUEST_MAX_VCPUS; i++)
		g->vcpus[i] = (struct guest_vcpu){.g = g, .id = i};
}

struct guest *guest_new(void)
{
	struct guest *g;

	if (nr_guests == GUEST_MAX)
		return NULL;
	g = &guests[nr_guests];
	guest_init(g, nr_guests++);
	return g;
}

const char *guest_state_name(enum guest_state s)
{
	static const char *const names[] = {
	    [GUEST_UNUSED] = "unused",	   [GUEST_CREATING] = "creating",
	    [GUEST_VERIFIED] = "verified", [GUEST_RUNNING] = "running",
	    [GUEST_REFUSED] = "refused",   [GUEST_POWERED_OFF] = "powered off",
	    [GUEST_FAILED] = "failed",
	};

	return (u32)s < ARRAY_SIZE(names) ? names[s] : "?";
}

void guest_fail(struct guest *g, const char *why)
{
	bool first;

	ticket_lock(&g->lock);
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
	ticket_unlock(&g->lock);
	/* Its vCPUs inside the guest on other CPUs exit now, and stop. */
	sched_kick_running(g);
}

bool guest_ok(const struct guest *g)
{
	bool expect_refused = (g->flags & KCORE_PAYLOAD_VM_F_EXPECT_REFUSED) != 0;

	if (g->failed)
		return false;
	return expect_refused ? g->state == GUEST_REFUSED : g->state == GUEST_POWERED_OFF;
}
