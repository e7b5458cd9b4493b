/* SPDX-License-Identifier: MIT */
/*
 * Dispatch through the guest-call table (guest_call.h): the fast path the
 * arch offers each exit before switching worlds back, the slow path of the
 * run loop, and vm_hvc_dispatch (kcore's own calls and KVM's vendor calls
 * on a copy of the registers, for the tests and the model).
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

/*
 * The call did its work; if the VM was powered off meanwhile (by a sibling,
 * or by the call), the run ends: ARCH_FAST_STOP, else ARCH_FAST_REENTER.
 * vm_set_poweroff keeps the answer in each vCPU, so the check is one load
 * of the vCPU (not of its VM), and what it loads is the value returned.
 * Acquire, paired with vm_set_poweroff's release: having seen STOP, the run
 * loop sees VM_POWEROFF.
 */
static inline enum arch_fast fast_answered(const struct vcpu *vcpu)
{
	return (enum arch_fast)__atomic_load_n(&vcpu->fast_answered, __ATOMIC_ACQUIRE);
}

/*
 * The table's other fast entries: out of line, so the hot ones need no
 * frame. The id is classified first and the call built after, so that a
 * call the fast path leaves to the slow path costs only the classifying.
 */
static __attribute__((noinline)) enum arch_fast fast_rest(struct vcpu *vcpu)
{
	enum gc_step (*handler)(struct gc_call *);
	struct gc_call c;

	switch (vcpu->regs.x[0]) {
#define GC_FAST_CASE(fid, handler_, path, form) \
	case fid:                               \
		if ((path) != GC_FAST)          \
			return ARCH_FAST_NO;    \
		handler = handler_;             \
		break;
		GUEST_CALLS_REST(GC_FAST_CASE) /* NOLINT(bugprone-branch-clone) */
#undef GC_FAST_CASE
	default:
		return ARCH_FAST_NO;
	}
	c = (struct gc_call){.vm = vcpu->guest.vm,
			     .vcpu = vcpu,
			     .vcpuid = vcpu->guest.vcpu_index,
			     .x = vcpu->regs.x,
			     .run = NULL};
	(void)handler(&c);
	return fast_answered(vcpu);
}

/*
 * The hottest path of a guest: its HVC, straight from the arch's exit
 * decoding. A leaf for the hot calls (no frame, no call): the vCPU's x0,
 * the answer in its registers, one load for the power-off check.
 */
enum arch_fast vcpu_exit_fast_hvc(struct vcpu *vcpu)
{
	struct gc_call c = {.vcpu = vcpu, .x = vcpu->regs.x};

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
		return fast_rest(vcpu);
	}
	return fast_answered(vcpu);
}

enum arch_fast vcpu_exit_fast(struct vcpu *vcpu, struct arch_exit *exit)
{
	enum arch_fast fast;

	/* Only a call can be answered on the fast path (a trapped SMC is one). */
	if (exit->kind != ARCH_EXIT_HVC)
		return ARCH_FAST_NO;
	fast = vcpu_exit_fast_hvc(vcpu);
	if (fast == ARCH_FAST_STOP)
		exit->kind = ARCH_EXIT_DONE; /* ARCH_FAST_NO: the HVC exit as it is */
	return fast;
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

/* Any other id: SMCCC's own calls (GUEST_CALLS_SMCCC), else the host's. */
static enum gc_step smccc_or_host(struct gc_call *c, u64 fid)
{
	switch (fid) {
		GUEST_CALLS_SMCCC(GC_SLOW_CASE)
	default:
		return to_host(c);
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
			return smccc_or_host(c, fid);
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
		if ((form) == GC_PSCI)           \
			return false;            \
		(void)handler(&c);               \
		return true;
		GUEST_CALLS(GC_STATUS_CASE) /* NOLINT(bugprone-branch-clone) */
#undef GC_STATUS_CASE
	default:
		return false;
	}
}
