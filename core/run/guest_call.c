/* SPDX-License-Identifier: MIT */
/*
 * Dispatch through the guest-call table (guest_call.h): the fast path the
 * arch offers each exit before switching worlds back, the slow path of the
 * run loop, and vm_hvc_dispatch (kcore's own calls on a copy of the
 * registers, for the tests and the model).
 */
#include "guest_call.h"

#include "core/arch.h"
#include "core/kcore.h"

/* The versions depend on nothing: defined here so that the fast path inlines them. */
enum gc_step gc_version(struct gc_call *c)
{
	c->x[0] = KCORE_OK;
	c->x[1] = KCORE_ABI_VERSION;
	return GC_REENTER;
}

enum gc_step psci_version(struct gc_call *c)
{
	c->x[0] = PSCI_VERSION_1_1;
	return GC_REENTER;
}

/*
 * The table's two AFFINITY_INFO ids share one handler, so each switch built
 * from it has two identical cases in a row: on purpose (NOLINT below).
 */
bool gc_listed(u64 fid)
{
	switch (fid) {
#define GC_LISTED(fid, handler, path, form) case fid:
		GUEST_CALLS(GC_LISTED)
#undef GC_LISTED
		return true;
	default:
		return false;
	}
}

static bool vm_powered_off(const struct vm *vm)
{
	/* Atomic: a sibling vCPU powers the VM off under vm->lock, this one does not hold it. */
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_POWEROFF;
}

static enum arch_fast fast_answered(const struct vm *vm, struct arch_exit *exit)
{
	/* The call did its work; if a sibling powered the VM off meanwhile, the run ends. */
	if (vm_powered_off(vm)) {
		exit->kind = ARCH_EXIT_DONE;
		return ARCH_FAST_STOP;
	}
	return ARCH_FAST_REENTER;
}

/* The table's other fast entries: out of line, so the hot ones need no frame. */
static __attribute__((noinline)) enum arch_fast fast_rest(struct vm *vm, struct vcpu *vcpu,
							  struct arch_exit *exit)
{
	struct gc_call c = {.vm = vm, .vcpu = vcpu, .x = vcpu->regs.x, .run = NULL};

	switch (c.x[0]) {
#define GC_FAST_CASE(fid, handler, path, form) \
	case fid:                              \
		if ((path) != GC_FAST)         \
			break;                 \
		(void)handler(&c);             \
		return fast_answered(vm, exit);
		GUEST_CALLS_REST(GC_FAST_CASE) /* NOLINT(bugprone-branch-clone) */
#undef GC_FAST_CASE
	default:
		break;
	}
	*exit = (struct arch_exit){.kind = ARCH_EXIT_HVC};
	return ARCH_FAST_NO;
}

enum arch_fast vcpu_exit_fast_hvc(struct vm *vm, struct vcpu *vcpu, struct arch_exit *exit)
{
	struct gc_call c = {.vm = vm, .vcpu = vcpu, .x = vcpu->regs.x};

	/* The commonest calls (drivers probe the versions) answered inline; the rest out of line.
	 */
	switch (c.x[0]) {
#define GC_HOT_CASE(fid, handler, path, form) \
	case fid:                             \
		(void)handler(&c);            \
		break;
		GUEST_CALLS_HOT(GC_HOT_CASE)
#undef GC_HOT_CASE
	default:
		return fast_rest(vm, vcpu, exit);
	}
	return fast_answered(vm, exit);
}

enum arch_fast vcpu_exit_fast(struct vm *vm, struct vcpu *vcpu, struct arch_exit *exit)
{
	/* Only a call can be answered on the fast path (a trapped SMC is one). */
	if (exit->kind != ARCH_EXIT_HVC)
		return ARCH_FAST_NO;
	return vcpu_exit_fast_hvc(vm, vcpu, exit);
}

/* The host's part of a call kcore does not answer: its id and arguments, nothing else. */
static enum gc_step to_host(struct gc_call *c)
{
	c->run->out.reason = KC_EXIT_GUEST_CALL;
	c->run->out.call.fid = c->x[0];
	for (u32 i = 0; i < 6; i++)
		c->run->out.call.args[i] = c->x[1 + i];
	c->vcpu->pending = PENDING_CALL;
	return GC_TO_HOST;
}

#define GC_SLOW_CASE(fid, handler, path, form) \
	case fid:                              \
		return handler(c);

/* A PSCI id the fast path's table does not list (GUEST_CALLS_PSCI); NOT_SUPPORTED if none. */
static enum gc_step psci_slow(struct gc_call *c, u64 fid)
{
	switch (fid) {
		GUEST_CALLS_PSCI(GC_SLOW_CASE) /* NOLINT(bugprone-branch-clone) */
	default:
		return psci_not_supported(c);
	}
}
#undef GC_SLOW_CASE

enum gc_step guest_call_slow(struct gc_call *c)
{
	u64 fid = c->x[0];
	enum gc_step step;

	switch (fid) {
#define GC_SLOW_STEP(fid, handler, path, form) \
	case fid:                              \
		step = handler(c);             \
		break;
		GUEST_CALLS_HOT(GC_SLOW_STEP)
		GUEST_CALLS_REST(GC_SLOW_STEP) /* NOLINT(bugprone-branch-clone) */
#undef GC_SLOW_STEP
	default:
		if (!PSCI_IS_FN(fid))
			return to_host(c);
		step = psci_slow(c, fid);
		break;
	}
	if (step == GC_REENTER && vm_powered_off(c->vm)) {
		/* By this call (SYSTEM_OFF/RESET) or a sibling's meanwhile. */
		c->run->out.reason = KC_EXIT_POWEROFF;
		c->run->out.poweroff.reset = fid == PSCI_SYSTEM_RESET ||
					     fid == PSCI_SYSTEM_RESET2_32 ||
					     fid == PSCI_SYSTEM_RESET2_64;
		return GC_TO_HOST;
	}
	return step;
}

bool vm_hvc_dispatch(u32 vmid, u32 vcpuid, struct kcore_hvc_regs *regs)
{
	/* The caller's ids as they come: a handler that needs the VM checks it (gc_vmid). */
	struct gc_call c = {.vm = vm_from_id(vmid), .vcpu = NULL, .x = regs->x, .run = NULL};

	(void)vcpuid;
	switch (regs->x[0]) {
#define GC_STATUS_CASE(fid, handler, path, form) \
	case fid:                                \
		if ((form) != GC_STATUS)         \
			return false;            \
		(void)handler(&c);               \
		return true;
		GUEST_CALLS(GC_STATUS_CASE) /* NOLINT(bugprone-branch-clone) */
#undef GC_STATUS_CASE
	default:
		return false;
	}
}
