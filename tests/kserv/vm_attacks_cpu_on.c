/* SPDX-License-Identifier: MIT */
/*
 * The CPU_ON override (issue 14, point 5), part of the host attack suite.
 * When a guest turns a vCPU on, kcore tells the host which one to run
 * (KC_EXIT_VCPU_START). With the suite on, kserv first tries to move where
 * that vCPU starts (KC_HC_VCPU_SET_ENTRY at the image's first byte with
 * x0 = 0: the guest's boot path, run again on a secondary) and to set the
 * start of a vCPU the guest has not turned on yet. kcore must refuse both
 * (KCORE_E_PERM); the smp guest then checks each secondary came up where it
 * said, with the context it gave, and says PASS.
 */

#include "kserv/guest.h"

#include "attack_report.h"
#include "drivers.h"
#include "kserv/format.h"
#include "vm_attacks.h"

static void cpu_on(struct guest *g, u32 vcpuid)
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

	guest_lock(g);
	last_started = g->vcpus[last].started;
	guest_unlock(g);
	if (last == vcpuid || last_started)
		return;
	format_buf(
	    what, sizeof(what),
	    "start VM %s's vCPU %u, which its guest has not turned on (KC_HC_VCPU_SET_ENTRY)",
	    g->name, last);
	attack_call(what, KCORE_E_PERM, KC_HC_VCPU_SET_ENTRY, g->vmid, last, g->lay.load_ipa, 0);
}

/* KC_EXIT_VCPU_START, before kserv runs the vCPU (run.c then starts it). */
static void on_exit(struct guest_vcpu *v, s64 err, u64 reason, const struct kcore_vcpu_run *run)
{
	if (err != KCORE_OK || reason != run->out.reason || reason != KC_EXIT_VCPU_START)
		return;
	cpu_on(v->g, (u32)(run->out.start.vcpuid < GUEST_MAX_VCPUS ? run->out.start.vcpuid
								   : GUEST_MAX_VCPUS));
}

static void on_payload_start(u32 payload_flags)
{
	(void)payload_flags;
	vmm_hooks_watch_exits(&vm_attacks_cpu_on_hooks, vm_attacks_enabled());
}

const struct vmm_hooks vm_attacks_cpu_on_hooks = {
    .name = "vm_attacks_cpu_on",
    .on_payload_start = on_payload_start,
    .on_exit = on_exit,
};
