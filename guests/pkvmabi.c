/* SPDX-License-Identifier: MIT */
/*
 * pkvmabi: kcore seen as Linux's pKVM guest driver sees its hypervisor
 * (docs/abi.md "KVM's vendor calls"). It probes KVM's UID and FEATURES as
 * kvm_init_hyp_services does, asks HYP_MEMINFO for the granule, shares one
 * page with MEM_SHARE and has the host read it (KC_TEST_READ_SHARED, as
 * ioshare does), unshares it with MEM_UNSHARE after which the host must not
 * read it, and checks every refusal: reserved arguments set, an unaligned
 * IPA, a page that is not its RAM, sharing twice and unsharing twice. Then
 * the MMIO guard, as mainline's ioremap hook uses it: its refusals (not
 * enrolling), the UART's page registered (enrolled: it still prints through
 * it), a store and a load to the benchmark device's page, which it did not
 * register, refused with an external abort while the host saw no MMIO exit
 * (KC_TEST_MMIO_EXITS), then that page registered and read through the host.
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
	expect("FEATURES bits 0..31 (FEATURES, HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE, MMIO_GUARD)",
	       r.x0, 0x9d);
	/* x2 bits 0, 1 would offer DISCOVER_IMPL_*, whose ids are kcore's own calls. */
	expect("FEATURES bits 32..127", (s64)(r.x1 | r.x2 | r.x3), 0);
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

/* The host's count of this VM's MMIO exits, and the last one's IPA. */
static u64 host_mmio_exits(u64 *last_ipa)
{
	struct hvc_res r = hvc_call(KC_TEST_MMIO_EXITS, 0, 0, 0);

	*last_ipa = r.x2;
	return r.x0 == 0 ? r.x1 : ~0ull;
}

static s64 mmio_guard(u64 ipa, u64 x2, u64 x3)
{
	return hvc_call(KVM_HYP_MMIO_GUARD, ipa, x2, x3).x0;
}

/*
 * A store and a load at the benchmark device's page, which the host would
 * complete: each must abort (a synchronous external abort, at that address),
 * and the host must have seen no MMIO exit meanwhile. Nothing is printed
 * between the two counts: the UART's own exits would count.
 */
static void expect_unregistered_refused(void)
{
	const u64 bench = KCORE_GUEST_BENCH_BASE;
	u64 before, after, last, v = 0;
	bool stored, loaded;
	struct probe_abort ab;

	before = host_mmio_exits(&last);
	probe_set_quiet(true);
	stored = probe_write32(bench + KCORE_GUEST_BENCH_WRITE, 0x5ec2e7u);
	ab = probe_last_abort();
	loaded = probe_read64(bench + KCORE_GUEST_BENCH_READ, &v);
	probe_set_quiet(false);
	after = host_mmio_exits(&last);
	expect("a store to the unregistered page completed", stored, 0);
	expect("a load from the unregistered page completed", loaded, 0);
	say("the store's abort: ESR 0x%lx FAR 0x%lx", ab.esr, ab.far);
	expect("its exception class (data abort, same EL)", (s64)esr_ec(ab.esr), ESR_EC_DABT_CUR);
	expect("its fault status (synchronous external abort)", (s64)(ab.esr & 0x3f), 0x10);
	expect("its WnR (a write)", (s64)((ab.esr >> 6) & 1), 1);
	expect("its FAR (the store's address)", (s64)ab.far,
	       (s64)(bench + KCORE_GUEST_BENCH_WRITE));
	expect("MMIO exits the host saw meanwhile", (s64)(after - before), 0);
}

static void guard(u64 ram_ipa)
{
	const u64 uart = KCORE_GUEST_UART_BASE, bench = KCORE_GUEST_BENCH_BASE;
	u64 last = 0, v = 0, n;
	bool read_ok;

	/* Refused, and none of these enrolls: MMIO still goes to the host. */
	expect("MMIO_GUARD of a RAM page", mmio_guard(ram_ipa, 0, 0), SMCCC_INVALID_PARAMETER);
	expect("MMIO_GUARD of its image's first page", mmio_guard(image_start(), 0, 0),
	       SMCCC_INVALID_PARAMETER);
	expect("MMIO_GUARD unaligned", mmio_guard(uart + 8, 0, 0), SMCCC_INVALID_PARAMETER);
	expect("MMIO_GUARD with x2 set", mmio_guard(uart, 1, 0), SMCCC_INVALID_PARAMETER);
	expect("MMIO_GUARD with x3 set", mmio_guard(uart, 0, 1), SMCCC_INVALID_PARAMETER);
	expect("MMIO_GUARD beyond the IPA space", mmio_guard(1ull << 60, 0, 0),
	       SMCCC_INVALID_PARAMETER);
	expect("the benchmark device before enrolling",
	       probe_read64(bench + KCORE_GUEST_BENCH_READ, &v) ? (s64)v : -1,
	       KCORE_GUEST_BENCH_MAGIC);

	/* The first accepted call enrolls: from here on, only the UART's page is MMIO. */
	expect("MMIO_GUARD of the UART's page (enrolls)", mmio_guard(uart, 0, 0), 0);
	say("enrolled in the MMIO guard; this line came through the registered UART page");
	expect("MMIO_GUARD of the UART's page again", mmio_guard(uart, 0, 0), 0);
	expect("MMIO_GUARD of a RAM page, enrolled", mmio_guard(ram_ipa, 0, 0),
	       SMCCC_INVALID_PARAMETER);
	expect_unregistered_refused();

	/* Registered, the same page is the host's device again. */
	expect("MMIO_GUARD of the benchmark device's page", mmio_guard(bench, 0, 0), 0);
	/* Nothing printed between the counts: one exit, the read's. */
	n = host_mmio_exits(&last);
	read_ok = probe_read64(bench + KCORE_GUEST_BENCH_READ, &v);
	n = host_mmio_exits(&last) - n;
	expect("the benchmark device, registered", read_ok ? (s64)v : -1, KCORE_GUEST_BENCH_MAGIC);
	expect("MMIO exits the host saw for it", (s64)n, 1);
	expect("the last one's IPA", (s64)last, (s64)(bench + KCORE_GUEST_BENCH_READ));
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

	guard(ipa);
	expect_verdict();
}
