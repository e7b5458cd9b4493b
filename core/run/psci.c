/* SPDX-License-Identifier: MIT */
/*
 * Guest PSCI (in the table of core/run/guest_call.h). PSCI is kcore's: the
 * host never learns or chooses where a vCPU starts; it learns only that one
 * was started (KC_EXIT_VCPU_START), or that the VM powered off. Offered:
 * VERSION (its answer in guest_call.c, for the fast path), FEATURES,
 * AFFINITY_INFO, CPU_ON, SYSTEM_OFF and SYSTEM_RESET (which is power-off: a
 * protected VM restarts only by being loaded again). CPU_OFF, CPU_SUSPEND,
 * MIGRATE...: NOT_SUPPORTED, and FEATURES says so.
 */
#include "core/kcore.h"
#include "guest_call.h"

static enum gc_step psci_answer(struct gc_call *c, s64 ret)
{
	c->x[0] = (u64)ret;
	return GC_REENTER;
}

enum gc_step psci_not_supported(struct gc_call *c)
{
	return psci_answer(c, PSCI_E_NOT_SUPPORTED);
}

enum gc_step psci_features(struct gc_call *c)
{
	u64 fid = c->x[1];

	return psci_answer(c,
			   PSCI_IS_FN(fid) && gc_listed(fid) ? PSCI_SUCCESS : PSCI_E_NOT_SUPPORTED);
}

enum gc_step psci_affinity_info(struct gc_call *c)
{
	struct vm *vm = c->vm;
	struct vm_locked locked;
	const struct vcpu *t;
	u64 target = c->x[1];
	s64 ret;

	if (target >= vm_max_vcpus() || c->x[2] != 0)
		return psci_answer(c, PSCI_E_INVALID_PARAMS);
	t = &vm->vcpus[target];
	/* has_run and entry_set change under vm->lock (a sibling's CPU_ON, a first run). */
	locked = vm_lock(vm);
	if (t->has_run)
		ret = PSCI_AFF_ON;
	else
		ret = t->entry_set ? PSCI_AFF_ON_PENDING : PSCI_AFF_OFF;
	vm_unlock(&locked);
	return psci_answer(c, ret);
}

enum gc_step psci_cpu_on(struct gc_call *c)
{
	struct vm *vm = c->vm;
	u64 target = c->x[0] == PSCI_CPU_ON_32 ? (c->x[1] & 0xffffffffu) : c->x[1];
	u64 entry = c->x[2];
	struct vm_locked locked;
	struct vcpu *t;
	s64 ret = PSCI_SUCCESS;

	/* vCPU n has MPIDR n (Aff0 only), as the guest's DTB says. */
	if (target >= vm_max_vcpus() || (entry & 3) != 0)
		return psci_answer(c, PSCI_E_INVALID_PARAMS);
	t = &vm->vcpus[target];
	locked = vm_lock(vm);
	if (t->state == VCPU_UNUSED || !vm_search_load_info(locked, entry)) {
		/* A started vCPU, like the first, begins in a verified image. */
		ret = PSCI_E_INVALID_PARAMS;
	} else if (t->has_run || t->state == VCPU_ACTIVE) {
		ret = PSCI_E_ALREADY_ON;
	} else {
		t->entry_pc = entry;
		t->entry_x0 = c->x[3];
		t->entry_set = true;
	}
	vm_unlock(&locked);
	if (ret != PSCI_SUCCESS)
		return psci_answer(c, ret);
	/* The host runs the new vCPU when it likes; where it starts is already set. */
	c->x[0] = PSCI_SUCCESS;
	c->run->out.reason = KC_EXIT_VCPU_START;
	c->run->out.start.vcpuid = (u32)target;
	return GC_TO_HOST;
}

enum gc_step psci_system_off(struct gc_call *c)
{
	/* Reset is power-off too; answered as kcore's calls are (x0 = 0, x1 = 0). */
	vm_guest_poweroff(gc_vmid(c));
	c->x[0] = KCORE_OK;
	c->x[1] = 0;
	return GC_REENTER;
}
