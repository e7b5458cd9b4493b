/* SPDX-License-Identifier: MIT */
/*
 * pkvmabi: kcore seen as Linux's pKVM guest driver sees its hypervisor
 * (docs/abi.md "KVM's vendor calls"). It probes KVM's UID and FEATURES as
 * kvm_init_hyp_services does, asks HYP_MEMINFO for the granule, shares one
 * page with MEM_SHARE and has the host read it (KC_TEST_READ_SHARED, as
 * ioshare does), unshares it with MEM_UNSHARE after which the host must not
 * read it, and checks every refusal: reserved arguments set, an unaligned
 * IPA, a page that is not its RAM, sharing twice and unsharing twice.
 */
#include <kcore/abi.h>
#include <kcore/guest_tests.h>
#include <kcore/payload.h>
#include <kcore/psci.h>

#include "lib/guest.h"

const char guest_name[] = "pkvmabi";

static u8 buffer[KCORE_PAGE_SIZE] __attribute__((aligned(KCORE_PAGE_SIZE)));

/* What Linux's kvm_init_hyp_services checks before it believes it runs on KVM. */
static void probe(void)
{
	struct hvc_res r = hvc_call(KVM_HYP_CALL_UID, 0, 0, 0);

	if (expect_ok((u64)r.x0 == KVM_HYP_UID_0 && r.x1 == KVM_HYP_UID_1 &&
		      r.x2 == KVM_HYP_UID_2 && r.x3 == KVM_HYP_UID_3)) {
		say("CALL_UID: KVM's UID");
	} else {
		say("CALL_UID: %lx %lx %lx %lx, not KVM's", (u64)r.x0, r.x1, r.x2, r.x3);
	}
	r = hvc_call(KVM_HYP_FEATURES, 0, 0, 0);
	say("FEATURES: %lx %lx %lx %lx", (u64)r.x0, r.x1, r.x2, r.x3);
	expect("FEATURES bits 0..31 (FEATURES, HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE)", r.x0, 0x1d);
	r = hvc_call(KVM_HYP_MEMINFO, 0, 0, 0);
	expect("HYP_MEMINFO granule", r.x0, KCORE_PAGE_SIZE);
	expect("HYP_MEMINFO with x1 set", hvc_call(KVM_HYP_MEMINFO, 1, 0, 0).x0,
	       SMCCC_INVALID_PARAMETER);
}

static void refusals(u64 ipa)
{
	expect("MEM_SHARE with x2 set", hvc_call(KVM_HYP_MEM_SHARE, ipa, 1, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("MEM_SHARE with x3 set", hvc_call(KVM_HYP_MEM_SHARE, ipa, 0, 1).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("MEM_SHARE unaligned", hvc_call(KVM_HYP_MEM_SHARE, ipa + 8, 0, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("MEM_SHARE of the UART (not RAM)",
	       hvc_call(KVM_HYP_MEM_SHARE, KCORE_GUEST_UART_BASE, 0, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("MEM_SHARE beyond the IPA space", hvc_call(KVM_HYP_MEM_SHARE, 1ull << 60, 0, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("MEM_UNSHARE of a page never shared", hvc_call(KVM_HYP_MEM_UNSHARE, ipa, 0, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("the host reads the page before MEM_SHARE",
	       hvc_call(KC_TEST_READ_SHARED, ipa, 0, 0).x0, KCORE_E_INVAL);
}

void guest_main(u64 dtb)
{
	u64 ipa = (u64)(uintptr_t)buffer;

	(void)dtb;
	probe();
	refusals(ipa);

	say("sharing the page at IPA 0x%lx with MEM_SHARE", ipa);
	expect("MEM_SHARE", hvc_call(KVM_HYP_MEM_SHARE, ipa, 0, 0).x0, 0);
	expect("MEM_SHARE again", hvc_call(KVM_HYP_MEM_SHARE, ipa, 0, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	/* One state with kcore's own call: the page is shared as KC_GC_SHARE_PAGE sees it. */
	expect("KC_GC_SHARE_PAGE of it", hvc_call(KC_GC_SHARE_PAGE, ipa, 0, 0).x0, KCORE_E_EXIST);
	fill_page(buffer, "Hello, host! This page is shared with pKVM's MEM_SHARE.", 5, 1);
	expect_host_reads(buffer);

	expect("MEM_UNSHARE with x2 set", hvc_call(KVM_HYP_MEM_UNSHARE, ipa, 5, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("MEM_UNSHARE", hvc_call(KVM_HYP_MEM_UNSHARE, ipa, 0, 0).x0, 0);
	expect("MEM_UNSHARE again", hvc_call(KVM_HYP_MEM_UNSHARE, ipa, 0, 0).x0,
	       SMCCC_INVALID_PARAMETER);
	expect("the host reads the page after MEM_UNSHARE",
	       hvc_call(KC_TEST_READ_SHARED, ipa, 0, 0).x0, KCORE_E_INVAL);

	expect_verdict();
}
