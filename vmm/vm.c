/* SPDX-License-Identifier: MIT */
#include "vm.h"

#include <string.h>

void vm_record_init(struct guest *g, u32 index, struct guest_host *host)
{
	memset(g, 0, sizeof(*g));
	g->host = host;
	g->index = index;
	g->state = GUEST_CREATING;
	for (u32 i = 0; i < GUEST_MAX_VCPUS; i++)
		g->vcpus[i] = (struct guest_vcpu){.g = g, .id = i};
}

const char *guest_state_name(enum guest_state s)
{
	static const char *const names[] = {
	    [GUEST_UNUSED] = "unused",	   [GUEST_CREATING] = "creating",
	    [GUEST_VERIFIED] = "verified", [GUEST_RUNNING] = "running",
	    [GUEST_REFUSED] = "refused",   [GUEST_POWERED_OFF] = "powered off",
	    [GUEST_FAILED] = "failed",
	};

	return (u32)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

bool guest_ok(const struct guest *g)
{
	bool expect_refused = (g->flags & KCORE_PAYLOAD_VM_F_EXPECT_REFUSED) != 0;

	if (g->failed)
		return false;
	return expect_refused ? g->state == GUEST_REFUSED : g->state == GUEST_POWERED_OFF;
}
