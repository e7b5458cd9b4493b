/* SPDX-License-Identifier: MIT */
#include "vm_attacks_cpu_on.h"

#include "attack_report.h"
#include "format.h"
#include "vm_attacks.h"

void vm_attacks_cpu_on(struct guest *g, u32 vcpuid)
{
	u32 last = g->nr_vcpus - 1;
	char what[128];
	bool last_started;

	if (!vm_attacks_enabled() || vcpuid >= g->nr_vcpus)
		return;
	format_buf(what, sizeof(what),
		   "move where VM %s's vCPU %u starts after its CPU_ON (KC_HC_VCPU_SET_ENTRY)",
		   g->name, vcpuid);
	attack_call(what, KCORE_E_PERM, KC_HC_VCPU_SET_ENTRY, g->vmid, vcpuid, g->lay.load_ipa, 0);

	ticket_lock(&g->lock);
	last_started = g->vcpus[last].started;
	ticket_unlock(&g->lock);
	if (last == vcpuid || last_started)
		return;
	format_buf(
	    what, sizeof(what),
	    "start VM %s's vCPU %u, which its guest has not turned on (KC_HC_VCPU_SET_ENTRY)",
	    g->name, last);
	attack_call(what, KCORE_E_PERM, KC_HC_VCPU_SET_ENTRY, g->vmid, last, g->lay.load_ipa, 0);
}
