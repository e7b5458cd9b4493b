/* SPDX-License-Identifier: MIT */
/*
 * Guest PSCI 1.1 (Arm DEN0022), in the table of core/run/guest_call.h.
 * PSCI is kcore's: the host never learns or chooses where a vCPU starts; it
 * learns only that one was started (KC_EXIT_VCPU_START), that one turned
 * itself off (KC_EXIT_VCPU_OFF), that one waits (CPU_SUSPEND: KC_EXIT_WFI),
 * or that the VM powered off.
 *
 * Offered (docs/guests.md, "PSCI"): VERSION (1.1, answered in guest_call.c
 * for the fast path), FEATURES, CPU_ON, CPU_OFF, CPU_SUSPEND, AFFINITY_INFO,
 * MIGRATE_INFO_TYPE (2: no Trusted OS to migrate), SYSTEM_OFF, SYSTEM_RESET
 * and SYSTEM_RESET2 (warm reset: a reset is a power-off, as a protected VM
 * restarts only by being loaded again). MIGRATE, MIGRATE_INFO_UP_CPU and the
 * rest of the PSCI range: NOT_SUPPORTED, and FEATURES says so.
 *
 * SMCCC v1.1 (Arm DEN0028) too, as PSCI 1.1 expects of a caller that offers
 * PSCI_FEATURES(SMCCC_VERSION): SMCCC_VERSION and SMCCC_ARCH_FEATURES, its
 * two mandatory calls. kcore keeps v1.1's rule for every guest call: only
 * x0..x3 change (the world switch restores every other register). No
 * architecture workaround call is offered (ARCH_FEATURES says
 * NOT_SUPPORTED for them, as before this when the host answered -1 to
 * everything in the range): a guest learns of no firmware mitigation.
 *
 * vCPU n has MPIDR n (Aff0 only, as the guest's DTB says). Its power state
 * is kept in entry_set and has_run under vm->lock (core/vm/vm.h): each call
 * below reads and changes it under one hold of the lock, so of several
 * CPU_ONs for one vCPU exactly one succeeds.
 */
#include "core/kcore.h"
#include "guest_call.h"

static enum gc_step psci_answer(struct gc_call *c, s64 ret)
{
	c->x[0] = (u64)ret;
	return GC_REENTER;
}

/* The SMC32 forms take 32-bit arguments: the upper halves of the registers are ignored. */
static u64 psci_arg(const struct gc_call *c, u32 n)
{
	return (c->x[0] & 0x40000000u) != 0 ? c->x[n] : (c->x[n] & 0xffffffffu);
}

enum gc_step psci_not_supported(struct gc_call *c)
{
	return psci_answer(c, PSCI_E_NOT_SUPPORTED);
}

enum gc_step psci_features(struct gc_call *c)
{
	u32 fid = (u32)c->x[1];

	/*
	 * CPU_SUSPEND's flags: 0 (original power_state format, no OS-initiated
	 * mode). SMCCC_VERSION: SUCCESS says SMCCC v1.1 or later is offered.
	 */
	return psci_answer(c, (PSCI_IS_FN(fid) && gc_listed(fid)) || fid == SMCCC_VERSION
				  ? PSCI_SUCCESS
				  : PSCI_E_NOT_SUPPORTED);
}

enum gc_step smccc_version(struct gc_call *c)
{
	c->x[0] = SMCCC_VERSION_1_1;
	return GC_REENTER;
}

enum gc_step smccc_arch_features(struct gc_call *c)
{
	u32 fid = (u32)c->x[1]; /* an SMC32 call: the upper half of x1 is not the id */

	return psci_answer(c, fid == SMCCC_VERSION || fid == SMCCC_ARCH_FEATURES
				  ? PSCI_SUCCESS
				  : SMCCC_NOT_SUPPORTED);
}

enum gc_step psci_migrate_info_type(struct gc_call *c)
{
	return psci_answer(c, PSCI_MIGRATE_INFO_NOT_PRESENT);
}

/* The AFFINITY_INFO state of vCPU i: entry_set and has_run change only under vm->lock. */
static s64 aff_state(struct vm_locked locked, u32 i)
{
	const struct vcpu *t = &locked.vm->vcpus[i];

	if (!t->entry_set) /* OFF once stopped: one that called CPU_OFF may still be leaving */
		return t->state == VCPU_ACTIVE ? PSCI_AFF_ON : PSCI_AFF_OFF;
	return t->has_run ? PSCI_AFF_ON : PSCI_AFF_ON_PENDING;
}

enum gc_step psci_affinity_info(struct gc_call *c)
{
	struct vm *vm = c->vm;
	struct vm_locked locked;
	u64 target = psci_arg(c, 1);
	u64 level = psci_arg(c, 2);
	u64 mask;
	s64 ret = PSCI_AFF_OFF;
	bool any = false;

	if (level > 3 || (target & ~PSCI_MPIDR_AFF_MASK) != 0)
		return psci_answer(c, PSCI_E_INVALID_PARAMS);
	if (level == 0) {
		if (target >= vm_max_vcpus())
			return psci_answer(c, PSCI_E_INVALID_PARAMS);
		locked = vm_lock(vm);
		ret = aff_state(locked, (u32)target);
		vm_unlock(&locked);
		return psci_answer(c, ret);
	}
	/*
	 * A higher level names the affinity instance holding target, the
	 * affinity fields below the level ignored: ON if any of its CPUs is on,
	 * else ON_PENDING if one is about to be, else OFF.
	 */
	mask = PSCI_MPIDR_AFF_MASK & ~((1ull << (level == 3 ? 32 : 8 * level)) - 1);
	locked = vm_lock(vm);
	for (u32 i = 0; i < vm_max_vcpus(); i++) {
		s64 s;

		if ((i & mask) != (target & mask) || vm->vcpus[i].state == VCPU_UNUSED)
			continue;
		any = true;
		s = aff_state(locked, i);
		if (s == PSCI_AFF_ON || (s == PSCI_AFF_ON_PENDING && ret == PSCI_AFF_OFF))
			ret = s;
	}
	vm_unlock(&locked);
	return psci_answer(c, any ? ret : PSCI_E_INVALID_PARAMS);
}

enum gc_step psci_cpu_on(struct gc_call *c)
{
	struct vm *vm = c->vm;
	u64 target = psci_arg(c, 1);
	u64 entry = psci_arg(c, 2);
	u64 context = psci_arg(c, 3);
	struct vm_locked locked;
	struct vcpu *t;
	s64 ret = PSCI_SUCCESS;

	if (target >= vm_max_vcpus()) /* also any bit beyond Aff0 */
		return psci_answer(c, PSCI_E_INVALID_PARAMS);
	t = &vm->vcpus[target];
	/* The check and the start under one hold of the lock: exactly one caller wins. */
	locked = vm_lock(vm);
	if (t->state == VCPU_UNUSED) {
		ret = PSCI_E_INVALID_PARAMS; /* the host did not give the VM that vCPU */
	} else if (t->entry_set) {
		ret = t->has_run ? PSCI_E_ALREADY_ON : PSCI_E_ON_PENDING;
	} else if (t->state == VCPU_ACTIVE) {
		ret = PSCI_E_ALREADY_ON; /* it called CPU_OFF and has not stopped yet */
	} else if ((entry & 3) != 0 || !vm_search_load_info(locked, entry)) {
		/* A started vCPU, like the first, begins in a verified image. */
		ret = PSCI_E_INVALID_ADDRESS;
	} else {
		/* OFF (never ran, or CPU_OFF): its next run is a first run, afresh, here. */
		t->entry_pc = entry;
		t->entry_x0 = context;
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

enum gc_step psci_cpu_off(struct gc_call *c)
{
	struct vm *vm = c->vm;
	struct vm_locked locked = vm_lock(vm);
	bool last = true;

	/*
	 * Never returns: the run ends, and the vCPU is OFF (core/vm/vm.h), so
	 * no run can resume it. Until the run has returned it is still ACTIVE,
	 * which AFFINITY_INFO and CPU_ON count as on. Its registers stay as
	 * they are; the run after a CPU_ON resets them.
	 */
	c->vcpu->entry_set = false;
	c->vcpu->has_run = false;
	for (u32 i = 0; i < vm_max_vcpus(); i++) {
		if (vm->vcpus[i].entry_set)
			last = false; /* another vCPU is on or about to be */
	}
	vm_unlock(&locked);
	if (last) {
		/*
		 * Nothing could start a vCPU again (only the guest's CPU_ON does,
		 * and the host may not): the VM powers off, as with SYSTEM_OFF.
		 */
		vm_guest_poweroff(vm->vmid);
		c->run->out.reason = KC_EXIT_POWEROFF;
		c->run->out.poweroff.reset = 0;
		return GC_TO_HOST;
	}
	c->run->out.reason = KC_EXIT_VCPU_OFF;
	return GC_TO_HOST;
}

enum gc_step psci_cpu_suspend(struct gc_call *c)
{
	u32 power_state = (u32)c->x[1];

	if ((power_state & PSCI_POWER_STATE_RESERVED) != 0)
		return psci_answer(c, PSCI_E_INVALID_PARAMS);
	/*
	 * Standby: a WFI. A powerdown state too, as under KVM: the spec lets the
	 * call return SUCCESS with the context kept (as after a wake-up before
	 * the power went down), and the entry point is then never used.
	 */
	c->x[0] = PSCI_SUCCESS;
	c->run->out.reason = KC_EXIT_WFI;
	c->run->out.wfi.deadline = arch_vcpu_timer_deadline(c->vcpu);
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

enum gc_step psci_system_reset2(struct gc_call *c)
{
	u32 type = (u32)c->x[1];

	if ((type & PSCI_RESET2_TYPE_VENDOR) != 0)
		return psci_answer(c, PSCI_E_NOT_SUPPORTED); /* kcore defines no vendor reset */
	if (type != PSCI_RESET2_TYPE_WARM_RESET)
		return psci_answer(c, PSCI_E_INVALID_PARAMS);
	/* A warm reset is SYSTEM_RESET: the VM powers off, the host learns it asked for a reset. */
	vm_guest_poweroff(gc_vmid(c));
	return GC_REENTER;
}
