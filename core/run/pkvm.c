/* SPDX-License-Identifier: MIT */
/*
 * KVM's vendor hypervisor calls that Linux's pKVM guest driver makes
 * (include/kcore/psci.h, docs/abi.md "KVM's vendor calls"), in the table of
 * core/run/guest_call.h, so that an unmodified Linux guest finds kcore as it
 * finds pKVM: the UID and FEATURES probe, HYP_MEMINFO, and MEM_SHARE and
 * MEM_UNSHARE, which are kcore's own KC_GC_SHARE_PAGE and KC_GC_UNSHARE_PAGE
 * (same checks, same page states) answered in SMCCC's terms, and mainline's
 * MMIO_GUARD (core/vm/mmio_guard.h). Every answer sets x0..x3, as KVM's do:
 * nothing the guest left there stays.
 */
#include "core/lib/addr.h"
#include "core/vm/mmio_guard.h"
#include "guest_call.h"

static enum gc_step answer4(struct gc_call *c, s64 x0, u64 x1, u64 x2, u64 x3)
{
	c->x[0] = (u64)x0;
	c->x[1] = x1;
	c->x[2] = x2;
	c->x[3] = x3;
	return GC_REENTER;
}

enum gc_step kvm_hyp_call_uid(struct gc_call *c)
{
	/* Linux's kvm_init_hyp_services looks for these four words before any other KVM call. */
	return answer4(c, KVM_HYP_UID_0, KVM_HYP_UID_1, KVM_HYP_UID_2, KVM_HYP_UID_3);
}

enum gc_step kvm_hyp_features(struct gc_call *c)
{
	/*
	 * Only what kcore answers: no PTP (the host's clock is not the guest's
	 * business). x1..x3 are the bits 32..127 and stay 0: x2's bits 0 and 1
	 * would offer mainline's DISCOVER_IMPL_VER/CPUS, whose ids are kcore's
	 * KC_GC_VERSION and KC_GC_SHARE_PAGE (docs/abi.md).
	 */
	return answer4(c,
		       KVM_HYP_FEAT_FEATURES | KVM_HYP_FEAT_MEMINFO | KVM_HYP_FEAT_MEM_SHARE |
			   KVM_HYP_FEAT_MEM_UNSHARE | KVM_HYP_FEAT_MMIO_GUARD,
		       0, 0, 0);
}

enum gc_step kvm_hyp_meminfo(struct gc_call *c)
{
	/* pKVM's rule: the reserved arguments must be zero, so a later meaning can be given them.
	 */
	if ((c->x[1] | c->x[2] | c->x[3]) != 0)
		return answer4(c, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	/* The granule of MEM_SHARE and MEM_UNSHARE: one 4 KiB page, kcore's only stage-2 page. */
	return answer4(c, (s64)PAGE_SIZE, 0, 0, 0);
}

/*
 * kcore's status as SMCCC's: the Linux driver tests only for SUCCESS, and
 * pKVM answers every refusal INVALID_PARAMETER; the KCORE_E_* reason is
 * not told (a guest that wants it uses KC_GC_SHARE_PAGE).
 */
static enum gc_step share_answer(struct gc_call *c, int err)
{
	return answer4(c, err == KCORE_OK ? 0 : SMCCC_INVALID_PARAMETER, 0, 0, 0);
}

enum gc_step kvm_hyp_mem_share(struct gc_call *c)
{
	/* x1 the IPA; x2 and x3 reserved (pKVM refuses them nonzero): checked before anything. */
	if ((c->x[2] | c->x[3]) != 0)
		return answer4(c, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	/* kcore's own call on the same registers: one set of checks, one page state. */
	(void)gc_share_page(c);
	return share_answer(c, (int)(s64)c->x[0]);
}

enum gc_step kvm_hyp_mem_unshare(struct gc_call *c)
{
	if ((c->x[2] | c->x[3]) != 0)
		return answer4(c, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	(void)gc_unshare_page(c);
	return share_answer(c, (int)(s64)c->x[0]);
}

enum gc_step kvm_hyp_mmio_guard(struct gc_call *c)
{
	/* x2, x3 reserved: refused before anything, as the share calls do. */
	if ((c->x[2] | c->x[3]) != 0 || c->vm == NULL)
		return answer4(c, SMCCC_INVALID_PARAMETER, 0, 0, 0);
	/* Every refusal (RAM, unaligned, beyond the IPA space, table full) is pKVM's one code. */
	return answer4(c,
		       vm_mmio_guard_map(c->vm, c->x[1]) == KCORE_OK ? 0 : SMCCC_INVALID_PARAMETER,
		       0, 0, 0);
}
