/* SPDX-License-Identifier: MIT */
#include "vms.h"

#include <string.h>

#include "check.h"
#include "console.h"
#include "fdt_info.h"
#include "guest.h"
#include "pages.h"
#include "probe.h"
#include "sched.h"
#include "smp.h"
#include "snapshot.h"
#include "snapshot_file.h"
#include "sysreg.h"
#include "vm.h"
#include "vmm/hooks.h"
#include "vmm/payload.h"

static struct payload payload;
static bool payload_ran;

const struct payload *vms_payload(void)
{
	return &payload;
}

bool vms_payload_present(void)
{
	u64 pa = machine.initrd.base, word;

	if (machine.initrd.size < sizeof(struct kcore_payload_hdr) || (pa & 7) != 0 ||
	    !kserv_probe_read(pa, &word))
		return false;
	return memcmp((const void *)(uintptr_t)pa, KCORE_PAYLOAD_MAGIC, 8) == 0;
}

/* The VM the payload restores from its restore_from file instead of booting it. */
static void create_restored(u32 i)
{
	const struct kcore_payload_vm *rec = &payload.vms[i];
	struct snapshot s;

	if (!snapshot_file_load(rec->name, rec->nr_vcpus, &payload.layout[i], payload.restore_from,
				&s)) {
		struct guest *g = guest_new();

		/* Counted as a VM that failed, under its name. */
		if (g != NULL) {
			memcpy(g->name, rec->name, sizeof(g->name));
			g->name[sizeof(g->name) - 1] = '\0';
			g->rec = &payload.vms[i];
			g->flags = payload.vms[i].flags;
			guest_fail(g, "its snapshot file could not be read");
			g->torn_down = true;
		}
		return;
	}
	snapshot_new_guest(&payload, i, &s);
	snapshot_free(&s);
}

static void create_all(void)
{
	for (u32 i = 0; i < payload.nr_vms; i++) {
		struct guest *g;

		if ((payload.vms[i].flags & KCORE_PAYLOAD_VM_F_RESTORE_FROM_FILE) != 0) {
			create_restored(i);
			continue;
		}
		g = guest_new();
		if (g != NULL)
			vm_create(g, &payload, i);
	}
}

static void run_all(void)
{
	u32 n = 0;

	for (u32 i = 0; i < guest_count(); i++) {
		struct guest *g = guest_slot(i);

		if (g->state != GUEST_VERIFIED)
			continue;
		n++;
		if (g->restored) {
			snapshot_start_vcpus(g);
			continue;
		}
		g->state = GUEST_RUNNING;
		sched_guest_started();
		sched_start_vcpu(g, 0);
	}
	kprintf("kserv: running %u VM%s on %u CPUs\n", n, n == 1 ? "" : "s", smp_nr_online());
	sched_run_all();
}

/*
 * kcore-run --attacks reads each attack target in kcore's memory through
 * QEMU's monitor. It must do so before kserv powers off: kcore zeroes its
 * carve-out on the way to SYSTEM_OFF (docs/security.md, "Reset, power-off and
 * panic"), which would make a landed write and its reference look equal. So
 * kserv holds the machine running for a while after its last marker; kcore-run
 * stops QEMU within that time and refuses a verdict if it came too late.
 */
#define MONITOR_HOLD_MS 3000u

static void hold_for_monitor(void)
{
	u64 start = read_cntvct();

	kprintf("KSERV: holding %u ms for the monitor\n", MONITOR_HOLD_MS);
	while (read_cntvct() - start < read_cntfrq() / 1000u * MONITOR_HOLD_MS)
		;
}

bool vms_run_payload(void)
{
	u32 ok = 0, failed = 0;
	bool attacks_ok = true, attacks;

	if (machine.initrd.size == 0) {
		kprintf("kserv: payload: the DTB names no initrd (QEMU -initrd)\n");
		return false;
	}
	payload_ran = true;
	guests_reset();
	sched_reset();
	if (!payload_parse(machine.initrd.base, machine.initrd.size, &payload)) {
		payload.nr_vms = 0;
		kprintf("KSERV: VMS DONE ok=0 failed=1\n");
		return false;
	}
	attacks = (payload.flags & KCORE_PAYLOAD_F_ATTACKS) != 0;
	vmm_hooks_payload_start(payload.flags);
	kprintf("kserv: payload at 0x%lx, %lu bytes: %u VM%s%s; %lu pages free\n", payload.pa,
		payload.size, payload.nr_vms, payload.nr_vms == 1 ? "" : "s",
		attacks ? ", host attack suite on" : "", pages_free());
	create_all();
	run_all();
	attacks_ok = vmm_hooks_payload_end();
	/*
	 * After every VM is gone: whatever ran (and any attack) must have left
	 * kcore consistent. A release kcore has no checker: nothing to judge.
	 */
	attacks_ok &= check_invariants() != CHECK_FAILED;
	for (u32 i = 0; i < guest_count(); i++) {
		/* A VM restored from its own snapshot counts once: as its copy. */
		if (guest_slot(i)->replaced_by != NULL)
			continue;
		if (guest_ok(guest_slot(i)))
			ok++;
		else
			failed++;
	}
	vms_list();
	/*
	 * Every VM may have ended well while a driver's summary or the
	 * invariant check did not: say so in a marker of its own, before the
	 * last one, so that kcore-run fails the run (the counts stay the VMs').
	 */
	if (!attacks_ok)
		kprintf("KSERV: RUN CHECKS FAILED (a test driver's summary or the invariants)\n");
	kprintf("KSERV: VMS DONE ok=%u failed=%u\n", ok, failed);
	if (attacks)
		hold_for_monitor();
	return failed == 0 && attacks_ok;
}

void vms_list(void)
{
	if (!payload_ran) {
		kprintf("vms: no payload run yet%s\n",
			vms_payload_present() ? " (there is one: run-payload)" : "");
		return;
	}
	kprintf("vms: %u VM%s, %lu pages free\n", guest_count(), guest_count() == 1 ? "" : "s",
		pages_free());
	for (u32 i = 0; i < guest_count(); i++) {
		const struct guest *g = guest_slot(i);
		u64 exits = 0;

		for (u32 c = 0; c < g->nr_vcpus; c++)
			exits += g->vcpus[c].exits;
		kprintf("vms: %-12s vmid %lu, %s%s%s, %u vCPUs, %lu MiB, %lu pages and %lu blocks "
			"donated on faults, %lu exits%s%s\n",
			g->name, g->vmid, guest_state_name(g->state),
			g->torn_down ? ", torn down" : "", guest_ok(g) ? ", ok" : ", FAILED",
			g->nr_vcpus, g->lay.ram_size >> 20, g->pages_donated, g->blocks_donated,
			exits, g->why != NULL ? ": " : "", g->why != NULL ? g->why : "");
	}
}
