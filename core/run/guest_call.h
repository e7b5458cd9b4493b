/* SPDX-License-Identifier: MIT */
/*
 * Guest calls (an HVC or SMC from a running vCPU): what kcore answers
 * itself, and on which path. GUEST_CALLS below is the one table — function
 * id, handler, path — and both paths dispatch through it:
 *
 *   fast: vcpu_exit_fast (core/run/guest_call.c) answers before the arch switches
 *         worlds back, and the guest is re-entered at once;
 *   slow: the run loop's exit handling (guest_call_slow) answers the rest.
 *
 * A PSCI id the table does not list gets NOT_SUPPORTED; any other id goes
 * to the host as function id and arguments only (KC_EXIT_GUEST_CALL).
 * Handlers: guest PSCI in core/run/psci.c, kcore's own calls in
 * core/run/vm_hvc.c, KVM's vendor calls (pKVM's guest ABI) in core/run/pkvm.c, the two version
 * calls (answers only, inlined into the fast path) in core/run/guest_call.c.
 */
#ifndef KCORE_RUN_GUEST_CALL_H
#define KCORE_RUN_GUEST_CALL_H

#include <kcore/abi.h>
#include <kcore/psci.h>

#include "core/vm/vm.h"

/* What answering a call decided. */
enum gc_step {
	GC_REENTER, /* answered in the vCPU's registers: run the guest again */
	GC_TO_HOST  /* answered, and the host must learn something: run->out says what */
};

/* One call being answered; x is the vCPU's x0..x7. */
struct gc_call {
	struct vm *vm;
	struct vcpu *vcpu;
	u32 vcpuid;
	u64 *x;
	struct kcore_vcpu_run *run; /* NULL on the fast path: nothing may go to the host */
};

/* The VM's id for a handler (0, which no VM has, for vm_hvc_dispatch's unknown id). */
static inline u32 gc_vmid(const struct gc_call *c)
{
	return c->vm != NULL ? c->vm->vmid : 0;
}

enum gc_path { GC_FAST, GC_SLOW };

/*
 * How a call answers: GC_STATUS as kcore's own calls (x0 a KCORE_E_* status,
 * x1 the result or 0), GC_PSCI as PSCI (x0 the PSCI result), GC_SMCCC as
 * KVM's vendor calls (core/run/pkvm.c: x0 an SMCCC result, x1..x3 set).
 */
enum gc_form { GC_STATUS, GC_PSCI, GC_SMCCC };

/*
 *  X(function id,          handler,            path,    form)
 * Fast calls never go to the host (their run is NULL) and inject nothing.
 * The two version calls come first: they are a guest's commonest.
 */
#define GUEST_CALLS(X) \
	GUEST_CALLS_HOT(X) GUEST_CALLS_REST(X) GUEST_CALLS_PSCI(X) GUEST_CALLS_SMCCC(X)
/* Answered from the registers alone; the fast path tests these first, before anything else. */
#define GUEST_CALLS_HOT(X)                              \
	X(PSCI_VERSION, psci_version, GC_FAST, GC_PSCI) \
	X(KC_GC_VERSION, gc_version, GC_FAST, GC_STATUS)
#define GUEST_CALLS_REST(X)                                            \
	X(KC_GC_SHARE_PAGE, gc_share_page, GC_FAST, GC_STATUS)         \
	X(KC_GC_UNSHARE_PAGE, gc_unshare_page, GC_FAST, GC_STATUS)     \
	X(PSCI_FEATURES, psci_features, GC_FAST, GC_PSCI)              \
	X(PSCI_AFFINITY_INFO_32, psci_affinity_info, GC_FAST, GC_PSCI) \
	X(PSCI_AFFINITY_INFO_64, psci_affinity_info, GC_FAST, GC_PSCI) \
	X(KVM_HYP_MEM_SHARE, kvm_hyp_mem_share, GC_FAST, GC_SMCCC)     \
	X(KVM_HYP_MEM_UNSHARE, kvm_hyp_mem_unshare, GC_FAST, GC_SMCCC) \
	X(KVM_HYP_MMIO_GUARD, kvm_hyp_mmio_guard, GC_FAST, GC_SMCCC)   \
	X(KVM_HYP_MEMINFO, kvm_hyp_meminfo, GC_FAST, GC_SMCCC)         \
	X(KVM_HYP_CALL_UID, kvm_hyp_call_uid, GC_FAST, GC_SMCCC)       \
	X(KVM_HYP_FEATURES, kvm_hyp_features, GC_FAST, GC_SMCCC)
/*
 * The rest of PSCI: slow path only, and looked up only for an id in PSCI's
 * range (guest_call_slow), so that the switches every other call goes
 * through (the host's calls, above all) stay as short as they were.
 */
#define GUEST_CALLS_PSCI(X)                                                 \
	X(PSCI_CPU_ON_32, psci_cpu_on, GC_SLOW, GC_PSCI)                    \
	X(PSCI_CPU_ON_64, psci_cpu_on, GC_SLOW, GC_PSCI)                    \
	X(PSCI_CPU_OFF, psci_cpu_off, GC_SLOW, GC_PSCI)                     \
	X(PSCI_CPU_SUSPEND_32, psci_cpu_suspend, GC_SLOW, GC_PSCI)          \
	X(PSCI_CPU_SUSPEND_64, psci_cpu_suspend, GC_SLOW, GC_PSCI)          \
	X(PSCI_MIGRATE_INFO_TYPE, psci_migrate_info_type, GC_SLOW, GC_PSCI) \
	X(PSCI_SYSTEM_OFF, psci_system_off, GC_SLOW, GC_STATUS)             \
	X(PSCI_SYSTEM_RESET, psci_system_off, GC_SLOW, GC_STATUS)           \
	X(PSCI_SYSTEM_RESET2_32, psci_system_reset2, GC_SLOW, GC_PSCI)      \
	X(PSCI_SYSTEM_RESET2_64, psci_system_reset2, GC_SLOW, GC_PSCI)
/*
 * SMCCC v1.1's two mandatory calls (core/run/psci.c): slow path only, looked
 * up last, after PSCI's range, for the same reason; any other id of the Arm
 * architecture range goes to the host as before.
 */
#define GUEST_CALLS_SMCCC(X)                              \
	X(SMCCC_VERSION, smccc_version, GC_SLOW, GC_PSCI) \
	X(SMCCC_ARCH_FEATURES, smccc_arch_features, GC_SLOW, GC_PSCI)

#define GC_DECLARE(fid, handler, path, form) enum gc_step handler(struct gc_call *c);
GUEST_CALLS(GC_DECLARE)
#undef GC_DECLARE

/* Every PSCI id the table does not list (core/run/psci.c). */
enum gc_step psci_not_supported(struct gc_call *c);
/* PSCI FEATURES: does the table list fid? */
bool gc_listed(u64 fid);

/*
 * The slow path: answers any guest call (the table, then PSCI's
 * NOT_SUPPORTED, then the host's). GC_TO_HOST with run->out set otherwise.
 */
enum gc_step guest_call_slow(struct gc_call *c);

#endif /* KCORE_RUN_GUEST_CALL_H */
