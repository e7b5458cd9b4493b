/* SPDX-License-Identifier: MIT */
/*
 * DMA isolation on the simulated machine (core/smmu/iommu.c, arch/sim/smmu.c):
 * the host creates IO domains, attaches streams (devices) and maps pages, and
 * a test DMAs on a device's behalf through the simulated SMMU. What a device
 * reaches is what the brief's smmu_iso allows, nothing more: the host's
 * pages and pages a VM shares through a host domain, a VM's shared pages at
 * their IPAs through that VM's domain; never a VM's page it does not share
 * (its consent), never kcore's or another VM's, never after an unmap or a
 * detach, and never through a stream that is not attached. Every refused DMA leaves its target
 * unchanged and puts an event in the SMMU's queue; every refused call changes nothing
 * (fx_expect_refused); the invariant checker (smmu_iso, smmu_count), the
 * stream-table cross-check and the TLB stale check run after every step.
 */
#include <kcore/psci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/memops/host_mem.h"
#include "core/mm/pgowner.h"
#include "core/smmu/iommu.h"
#include "core/vm/vm.h"
#include "tests/lib/dma_access.h"
#include "tests/lib/fixture.h"

#define PG	   KCORE_PAGE_SIZE
#define BLK	   KCORE_BLOCK_SIZE
#define IOVA_LIMIT (1ull << 40) /* the fixture's IPA size: the IO address space too */

#define SID_NIC	 0x08u /* 00:01.0: the host's device */
#define SID_DISK 0x10u /* 00:02.0: a device the tests give a VM */
#define SID_IDLE 0x18u /* 00:03.0: never attached */

#define IOVA_A	0x100000ull
#define IOVA_B	0x200000ull
#define VM_IPA	0x10000000ull /* a page donated to the VM */
#define VM_IPA2 0x10001000ull

#define PAT_HOST 0x11223344aabbccddull
#define PAT_DMA	 0xd3ad0000feedf00dull
#define PAT_VM	 0x5a5a0000c0ffee01ull

static uint8_t payload[4096];

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	fx_boot(NULL);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static u64 call_ok(u64 id, u64 a1, u64 a2, u64 a3, u64 a4)
{
	u64 out = 0;
	s64 err = fx_hc(id, a1, a2, a3, a4, &out);

	if (err != KCORE_OK)
		print_error("call %llx(%llx, %llx, %llx, %llx) returned %lld\n",
			    (unsigned long long)id, (unsigned long long)a1, (unsigned long long)a2,
			    (unsigned long long)a3, (unsigned long long)a4, (long long)err);
	assert_int_equal(err, KCORE_OK);
	fx_check();
	return out;
}

static u32 domain_for(u64 owner)
{
	return (u32)call_ok(KC_HC_IO_DOMAIN_ALLOC, owner, 0, 0, 0);
}

static void attach(u32 dom, u32 sid)
{
	call_ok(KC_HC_IO_ATTACH, dom, sid, 0, 0);
}

static void io_map(u32 dom, u64 iova, u64 pa)
{
	call_ok(KC_HC_IO_MAP, dom, iova, pa, 0);
}

static void io_unmap(u32 dom, u64 iova)
{
	call_ok(KC_HC_IO_UNMAP, dom, iova, 0, 0);
}

/*
 * A DMA the SMMU must refuse: a write and a read both fail with `expect`,
 * each queues one event of `type` naming the stream, the address and the
 * direction, and the page the device was after (target; 0 for none) keeps
 * every byte.
 */
static void dma_refused(u32 sid, u64 iova, enum sim_access_result expect,
			enum sim_smmu_event_type type, u64 target)
{
	static uint8_t before[PG];
	u64 events = sim_smmu_event_count();
	struct sim_smmu_event ev;
	u64 v = PAT_DMA;

	if (target != 0)
		memcpy(before, sim_ram_ptr(pa_init(target)), PG);
	assert_int_equal(sim_dma_access(sid, iova, true, &v), expect);
	v = 0;
	assert_int_equal(sim_dma_access(sid, iova, false, &v), expect);
	assert_int_equal(v, 0);
	assert_int_equal(sim_smmu_event_count(), events + 2);
	assert_true(sim_smmu_event_get(events, &ev));
	assert_int_equal(ev.type, type);
	assert_int_equal(ev.sid, sid);
	assert_int_equal(ev.iova, iova);
	assert_true(ev.write);
	assert_true(sim_smmu_event_get(events + 1, &ev));
	assert_int_equal(ev.type, type);
	assert_false(ev.write);
	if (target != 0)
		assert_memory_equal(before, sim_ram_ptr(pa_init(target)), PG);
	fx_check();
}

/* A verified VM with a page holding PAT_VM donated at VM_IPA; its PA in *pa. */
static u32 vm_with_page(u64 *pa)
{
	u32 vm = fx_boot_vm(1, payload, sizeof(payload));

	*pa = fx_host_page();
	call_ok(KC_HC_VM_DONATE, vm, VM_IPA, *pa, PG);
	assert_int_equal(sim_vm_access(vm, ipa_init(VM_IPA), true, &(u64){PAT_VM}), SIM_OK);
	fx_check();
	return vm;
}

static s64 guest_call(u32 vm, u64 id, u64 a1)
{
	s64 err;

	assert_true(fx_guest_call(vm, 0, id, a1, &err));
	fx_check();
	return err;
}

/* ---- the host's own DMA ------------------------------------------------------------- */

/* The host maps its page for its device: DMA in and out works and the data is right. */
static void test_host_dma_into_own_page(void **state)
{
	u64 pa = host_page_with(PAT_HOST), back = 0;
	u32 dom;

	(void)state;
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	io_map(dom, IOVA_A, pa);
	assert_int_equal(fx_dma_count(pa), 1);
	assert_int_equal(fx_owner(pa), OWNER_HOST);
	assert_int_equal(call_ok(KC_HC_IO_IOVA_TO_PHYS, dom, IOVA_A, 0, 0), pa);
	assert_int_equal(call_ok(KC_HC_IO_IOVA_TO_PHYS, dom, IOVA_A + 0x238, 0, 0), pa + 0x238);

	/* Out of memory (the device reads what the host wrote), then into it. */
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
	dma_write(SID_NIC, IOVA_A + 0x10, PAT_DMA);
	assert_int_equal(ram_u64(pa + 0x10), PAT_DMA);
	assert_int_equal(sim_host_access(ipa_init(pa + 0x10), false, &back), SIM_OK);
	assert_int_equal(back, PAT_DMA);
	fx_check();

	/* Only that page: the iova next to it translates to nothing. */
	dma_refused(SID_NIC, IOVA_A + PG, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, pa + PG);
}

/* The host maps a page a VM shares with it: its device reaches that page, and only while shared. */
static void test_host_dma_into_shared_page(void **state)
{
	u64 pa;
	u32 vm, dom;

	(void)state;
	vm = vm_with_page(&pa);
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, IOVA_A, pa, 0);
	assert_int_equal(guest_call(vm, KC_GC_SHARE_PAGE, VM_IPA), KCORE_OK);
	io_map(dom, IOVA_A, pa);
	assert_int_equal(fx_dma_count(pa), 1);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_VM);
	dma_write(SID_NIC, IOVA_A + 8, PAT_DMA);
	assert_int_equal(ram_u64(pa + 8), PAT_DMA);
	fx_check();
}

/* A VM's page, kcore's image, carve-out and tables, device memory: no host domain maps them. */
static void test_host_cannot_map_what_is_not_its(void **state)
{
	u64 vm_pa, carve = pa_addr(kcore_params()->carve.base);
	paddr_t vm_root;
	u32 vm, dom;
	const u64 kcore_pages[] = {FX_RAM_BASE,
				   FX_RAM_BASE + FX_KCORE_IMAGE_SIZE - PG,
				   carve,
				   FX_RAM_BASE + FX_RAM_SIZE - PG,
				   pa_addr(host_s2_table()->root),
				   pa_addr(kcore_s1_root()),
				   pa_addr(iommu_pool()->base),
				   0};

	(void)state;
	vm = vm_with_page(&vm_pa);
	assert_true(kcore_s2_root(vm, &vm_root));
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);

	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, IOVA_A, vm_pa, 0);
	dma_refused(SID_NIC, IOVA_A, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, vm_pa);
	/* The VM's verified image page, and its stage-2 root. */
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, IOVA_A, pa_addr(vm_root), 0);
	for (u32 i = 0; kcore_pages[i] != 0; i++) {
		assert_int_equal(fx_owner(kcore_pages[i]), OWNER_KCORE);
		fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, IOVA_A + i * PG, kcore_pages[i],
				  0);
		dma_refused(SID_NIC, IOVA_A + i * PG, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION,
			    kcore_pages[i]);
	}
	/* Not RAM: a device page, kcore's SMMU-like device, beyond RAM. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_A, FX_DEVICE_BASE, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_A, FX_KCORE_DEVICE, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_A, FX_RAM_BASE + FX_RAM_SIZE, 0);
	assert_int_equal(fx_dma_count(vm_pa), 0);
}

/* An unmapped page is out of the device's reach at once: the IOTLB was invalidated. */
static void test_dma_after_unmap_is_refused(void **state)
{
	u64 pa = host_page_with(PAT_HOST), seq;
	u32 dom;

	(void)state;
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	io_map(dom, IOVA_A, pa);
	/* The SMMU's TLB now holds the translation (the fixture also primed it). */
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
	assert_true(sim_tlb_lookup(SIM_REGIME_IO(dom), IOVA_A, NULL));
	seq = sim_tlbi_count();
	io_unmap(dom, IOVA_A);
	assert_true(sim_tlbi_smmu_covered_since(seq, dom, IOVA_A));
	assert_false(sim_tlb_lookup(SIM_REGIME_IO(dom), IOVA_A, NULL));
	assert_int_equal(fx_dma_count(pa), 0);
	dma_refused(SID_NIC, IOVA_A, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, pa);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_UNMAP, dom, IOVA_A, 0, 0);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_IOVA_TO_PHYS, dom, IOVA_A, 0, 0);
	/* The page is the host's to give away again. */
	call_ok(KC_HC_REGISTER_VM, 0, 0, 0, 0);
	call_ok(KC_HC_VM_DONATE, 1, VM_IPA, pa, PG);
}

/* Streams: blocked until attached, blocked again after detach; unknown ids refused. */
static void test_unattached_stream_is_blocked(void **state)
{
	u64 pa = host_page_with(PAT_HOST), seq;
	u32 dom;

	(void)state;
	dom = domain_for(OWNER_HOST);
	io_map(dom, IOVA_A, pa);
	/* Mapped, but no stream points at the domain: nothing reaches the page. */
	dma_refused(SID_NIC, IOVA_A, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STE, pa);
	dma_refused(SID_IDLE, IOVA_A, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STE, pa);
	dma_refused(KCORE_MAX_STREAMS, IOVA_A, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STREAMID, pa);

	attach(dom, SID_NIC);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
	dma_refused(SID_IDLE, IOVA_A, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STE, pa);

	seq = sim_tlbi_count();
	call_ok(KC_HC_IO_DETACH, SID_NIC, 0, 0, 0);
	assert_false(sim_smmu_stream(SID_NIC).attached);
	assert_true(sim_tlbi_smmu_covered_since(seq, dom, IOVA_A));
	dma_refused(SID_NIC, IOVA_A, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STE, pa);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_DETACH, SID_NIC, 0, 0, 0);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_DETACH, SID_IDLE, 0, 0, 0);
	/* Detaching kept the mapping: the page still counts until unmapped. */
	assert_int_equal(fx_dma_count(pa), 1);
}

/* ---- a VM's domain ------------------------------------------------------------------- */

/* Where vm's stage-2 maps ipa (asserts that it does). */
static u64 vm_pa_of(u32 vm, u64 ipa)
{
	struct sim_xlate x;
	paddr_t root;

	assert_true(kcore_s2_root(vm, &root));
	assert_int_equal(sim_s2_walk(root, 40, ipa_init(ipa), &x), SIM_XLATE_OK);
	return pa_addr(x.pa);
}

/*
 * The consentless IO domain (issue 14): the host alone makes a domain for a
 * VM, attaches a device it drives and maps a page the VM never shared. The
 * map is refused and the device reaches nothing of the VM: neither what is
 * there (read) nor to change it (write).
 */
static void test_vm_domain_needs_the_vms_share(void **state)
{
	u64 vm_pa, img_pa;
	u32 vm, dom;

	(void)state;
	vm = vm_with_page(&vm_pa);
	img_pa = vm_pa_of(vm, FX_LOAD_IPA);
	dom = domain_for(vm);
	attach(dom, SID_NIC);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA, vm_pa, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, FX_LOAD_IPA, img_pa, 0);
	dma_refused(SID_NIC, VM_IPA, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, vm_pa);
	dma_refused(SID_NIC, FX_LOAD_IPA, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, img_pa);
	assert_int_equal(ram_u64(vm_pa), PAT_VM);
	assert_int_equal(fx_dma_count(vm_pa), 0);

	/* Shared, then taken back: the consent goes with the share. */
	assert_int_equal(guest_call(vm, KC_GC_SHARE_PAGE, VM_IPA), KCORE_OK);
	assert_int_equal(guest_call(vm, KC_GC_UNSHARE_PAGE, VM_IPA), KCORE_OK);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA, vm_pa, 0);
	dma_refused(SID_NIC, VM_IPA, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, vm_pa);
}

/* A device given to a VM reaches the pages that VM shares, each at its IPA, and nothing else. */
static void test_vm_device_reaches_only_vm_pages(void **state)
{
	u64 vm_pa, other_pa, img_pa, host_pa = host_page_with(PAT_HOST), v = 0, first;
	u32 vm, other, dom, other_dom;

	(void)state;
	vm = vm_with_page(&vm_pa);
	other = vm_with_page(&other_pa);
	img_pa = vm_pa_of(vm, FX_LOAD_IPA);
	dom = domain_for(vm);
	attach(dom, SID_DISK);

	assert_int_equal(guest_call(vm, KC_GC_SHARE_PAGE, VM_IPA), KCORE_OK);
	assert_int_equal(guest_call(vm, KC_GC_SHARE_PAGE, FX_LOAD_IPA), KCORE_OK);
	io_map(dom, VM_IPA, vm_pa);
	io_map(dom, FX_LOAD_IPA, img_pa);
	/* Every IO mapping counts, a VM domain's too (smmu_count). */
	assert_int_equal(fx_dma_count(vm_pa), 1);
	assert_int_equal(dma_read(SID_DISK, VM_IPA), PAT_VM);
	memcpy(&first, payload, sizeof(first));
	assert_int_equal(dma_read(SID_DISK, FX_LOAD_IPA), first);
	dma_write(SID_DISK, VM_IPA + 16, PAT_DMA);
	assert_int_equal(sim_vm_access(vm, ipa_init(VM_IPA + 16), false, &v), SIM_OK);
	assert_int_equal(v, PAT_DMA);
	fx_check();

	/* Its own page elsewhere, a host page, the other VM's page (even at the same IPA). */
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA2, vm_pa, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA2, host_pa, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA2, other_pa, 0);
	fx_expect_refused(KCORE_E_EXIST, KC_HC_IO_MAP, dom, VM_IPA, vm_pa, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA2, FX_RAM_BASE, 0);
	dma_refused(SID_DISK, VM_IPA2, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, host_pa);
	other_dom = domain_for(other);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, other_dom, VM_IPA, vm_pa, 0);
	/* The other VM shares nothing: its own domain may not map its page either. */
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, other_dom, VM_IPA, other_pa, 0);
	assert_int_equal(guest_call(other, KC_GC_SHARE_PAGE, VM_IPA), KCORE_OK);
	io_map(other_dom, VM_IPA, other_pa);

	/* What the stream reaches, page by page: exactly the two pages mapped. */
	assert_int_equal(call_ok(KC_HC_IO_IOVA_TO_PHYS, dom, VM_IPA + 16, 0, 0), vm_pa + 16);
	assert_int_equal(call_ok(KC_HC_IO_IOVA_TO_PHYS, dom, FX_LOAD_IPA, 0, 0), img_pa);
	assert_int_equal(ram_u64(other_pa), PAT_VM);

	/*
	 * A page a device can reach stays shared: the unshare is BUSY and changes
	 * nothing, and succeeds once the host unmapped it.
	 */
	assert_int_equal(guest_call(vm, KC_GC_UNSHARE_PAGE, VM_IPA), KCORE_E_BUSY);
	assert_int_equal(fx_count(vm_pa), 1);
	assert_int_equal(dma_read(SID_DISK, VM_IPA + 16), PAT_DMA);
	io_unmap(dom, VM_IPA);
	assert_int_equal(fx_dma_count(vm_pa), 0);
	assert_int_equal(guest_call(vm, KC_GC_UNSHARE_PAGE, VM_IPA), KCORE_OK);
	dma_refused(SID_DISK, VM_IPA, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, vm_pa);
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA, vm_pa, 0);
}

/* A domain for a VM needs the VM READY or VERIFIED. */
static void test_vm_domain_needs_live_vm(void **state)
{
	u64 vmid;

	(void)state;
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_DOMAIN_ALLOC, 1, 0, 0, 0);
	vmid = call_ok(KC_HC_REGISTER_VM, 0, 0, 0, 0);
	assert_int_equal(iommu_domain(domain_for(vmid))->owner, vmid);
	call_ok(KC_HC_VM_POWEROFF, vmid, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_DOMAIN_ALLOC, vmid, 0, 0, 0);
	call_ok(KC_HC_VM_FREE, vmid, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_DOMAIN_ALLOC, vmid, 0, 0, 0);
}

/* Power-off takes the VM's devices off its memory: streams blocked, domains gone. */
static void check_vm_domains_gone(u32 vm, u32 dom, u32 dom2, u64 vm_pa, u64 seq)
{
	assert_int_equal(vm_from_id(vm)->state, VM_POWEROFF);
	assert_int_equal(iommu_domain(dom)->state, IO_DOMAIN_FREE);
	assert_int_equal(iommu_domain(dom2)->state, IO_DOMAIN_FREE);
	assert_int_equal(iommu_stream_domain(SID_DISK), IO_DOMAIN_NONE);
	assert_int_equal(iommu_stream_domain(SID_IDLE), IO_DOMAIN_NONE);
	assert_false(sim_smmu_stream(SID_DISK).attached);
	assert_true(sim_tlbi_smmu_covered_since(seq, dom, VM_IPA));
	assert_int_equal(sim_tlb_count_regime(SIM_REGIME_IO(dom)), 0);
	fx_check();
	dma_refused(SID_DISK, VM_IPA, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STE, vm_pa);
	/* Nothing can be given to the dead VM's devices any more. */
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_DOMAIN_ALLOC, vm, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_MAP, dom, VM_IPA, vm_pa, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_ATTACH, dom, SID_DISK, 0, 0);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_DETACH, SID_DISK, 0, 0, 0);
	/* Teardown proceeds: the page comes back to the host, zeroed. */
	call_ok(KC_HC_VM_CLEAR_RANGE, vm, 0, IOVA_LIMIT, 0);
	assert_int_equal(fx_owner(vm_pa), OWNER_HOST);
	assert_int_equal(ram_u64(vm_pa), 0);
	call_ok(KC_HC_VM_FREE, vm, 0, 0, 0);
}

struct vm_with_devices {
	u32 vm, dom, dom2, hdom;
	u64 vm_pa, host_pa;
};

/* A VM with two domains (one stream each, its page mapped), and a host domain beside. */
static void vm_with_devices(struct vm_with_devices *w)
{
	w->vm = vm_with_page(&w->vm_pa);
	w->host_pa = host_page_with(PAT_HOST);
	w->dom = domain_for(w->vm);
	w->dom2 = domain_for(w->vm);
	w->hdom = domain_for(OWNER_HOST);
	attach(w->dom, SID_DISK);
	attach(w->dom2, SID_IDLE);
	attach(w->hdom, SID_NIC);
	assert_int_equal(guest_call(w->vm, KC_GC_SHARE_PAGE, VM_IPA), KCORE_OK);
	io_map(w->dom, VM_IPA, w->vm_pa);
	io_map(w->hdom, IOVA_A, w->host_pa);
	assert_int_equal(dma_read(SID_DISK, VM_IPA), PAT_VM);
}

/* The host's own domain is not the VM's: it survives the VM's power-off. */
static void check_host_domain_survives(const struct vm_with_devices *w, u32 io_free_before)
{
	assert_int_equal(iommu_domain(w->hdom)->state, IO_DOMAIN_LIVE);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
	assert_int_equal(fx_dma_count(w->host_pa), 1);
	/* The VM's tables (two roots, one path of three) went back to the pool. */
	assert_int_equal(iommu_pool()->nr_free, io_free_before + 5);
}

static void test_host_poweroff_frees_vm_domains(void **state)
{
	struct vm_with_devices w;
	u32 io_free;
	u64 seq;

	(void)state;
	vm_with_devices(&w);
	io_free = iommu_pool()->nr_free;
	seq = sim_tlbi_count();
	call_ok(KC_HC_VM_POWEROFF, w.vm, 0, 0, 0);
	check_host_domain_survives(&w, io_free);
	check_vm_domains_gone(w.vm, w.dom, w.dom2, w.vm_pa, seq);
}

static void test_guest_poweroff_frees_vm_domains(void **state)
{
	struct vm_with_devices w;
	u32 io_free;
	u64 seq;

	(void)state;
	vm_with_devices(&w);
	io_free = iommu_pool()->nr_free;
	seq = sim_tlbi_count();
	assert_int_equal(guest_call(w.vm, PSCI_SYSTEM_OFF, 0), KCORE_OK);
	check_host_domain_survives(&w, io_free);
	check_vm_domains_gone(w.vm, w.dom, w.dom2, w.vm_pa, seq);
}

/* An image that fails verification powers the VM off: its domains go as well. */
static void test_failed_verification_frees_vm_domains(void **state)
{
	size_t size;
	uint8_t *img = fx_sign(fx_untrusted_key(), payload, sizeof(payload), &size);
	u64 pa = fx_host_page(), vm;
	u32 dom;

	(void)state;
	vm = call_ok(KC_HC_REGISTER_VM, 0, 0, 0, 0);
	call_ok(KC_HC_REGISTER_VCPU, vm, 0, 0, 0);
	call_ok(KC_HC_VM_DONATE, vm, VM_IPA, pa, PG);
	dom = domain_for(vm);
	attach(dom, SID_DISK);
	/* A VM that never ran shared nothing: its domain maps nothing. */
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, VM_IPA, pa, 0);
	assert_int_equal(fx_load_image((u32)vm, FX_LOAD_IPA, img, size, NULL), KCORE_OK);
	free(img);
	call_ok(KC_HC_VCPU_SET_ENTRY, vm, 0, FX_LOAD_IPA, 0);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vm, 0, 0, 0, NULL), KCORE_E_VERIFY);
	fx_check();
	assert_int_equal(iommu_domain(dom)->state, IO_DOMAIN_FREE);
	assert_false(sim_smmu_stream(SID_DISK).attached);
	dma_refused(SID_DISK, VM_IPA, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STE, pa);
}

/* ---- smmu_count: a page a host device can reach stays where it is ---------------------- */

static void test_dma_mapped_host_page_cannot_leave(void **state)
{
	u64 pa = host_page_with(PAT_HOST), blk = fx_host_alloc(BLK, BLK), idx, vm;
	u32 dom, dom2;

	(void)state;
	vm = call_ok(KC_HC_REGISTER_VM, 0, 0, 0, 0);
	dom = domain_for(OWNER_HOST);
	dom2 = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	/* Three mappings: two in one domain, one in another. */
	io_map(dom, IOVA_A, pa);
	io_map(dom, IOVA_B, pa);
	io_map(dom2, IOVA_A, pa);
	assert_int_equal(fx_dma_count(pa), 3);
	io_map(dom, IOVA_B + PG, blk + 100 * PG);

	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_DONATE, vm, VM_IPA, pa, PG);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_DONATE, vm, 0x40000000ull, blk, BLK);
	idx = call_ok(KC_HC_SET_BOOT_INFO, vm, FX_LOAD_IPA, 2 * PG, 0);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_REMAP_VM_IMAGE, vm, pa >> 12, idx, 0);
	assert_int_equal(fx_owner(pa), OWNER_HOST);

	/* Each unmap drops one; the page is free to go only when the last is gone. */
	io_unmap(dom, IOVA_A);
	io_unmap(dom, IOVA_B);
	assert_int_equal(fx_dma_count(pa), 1);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_DONATE, vm, VM_IPA, pa, PG);
	/* Freeing the (stream-less) domain unmaps what it still maps. */
	call_ok(KC_HC_IO_DOMAIN_FREE, dom2, 0, 0, 0);
	assert_int_equal(fx_dma_count(pa), 0);
	call_ok(KC_HC_REMAP_VM_IMAGE, vm, pa >> 12, idx, 0);
	assert_int_equal(fx_owner(pa), OWNER_KCORE);
	/* Now kcore's: no domain may map it. */
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, IOVA_A, pa, 0);
	io_unmap(dom, IOVA_B + PG);
	call_ok(KC_HC_VM_DONATE, vm, 0x40000000ull, blk, BLK);
}

/* A page the host's device can reach cannot be unshared: the VM would think it private. */
static void test_unshare_of_dma_mapped_page_busy(void **state)
{
	struct fx_snapshot *before, *after;
	u64 pa, v = 0;
	u32 vm, dom;

	(void)state;
	vm = vm_with_page(&pa);
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	assert_int_equal(guest_call(vm, KC_GC_SHARE_PAGE, VM_IPA), KCORE_OK);
	io_map(dom, IOVA_A, pa);

	before = fx_snapshot_take();
	assert_int_equal(guest_call(vm, KC_GC_UNSHARE_PAGE, VM_IPA), KCORE_E_BUSY);
	after = fx_snapshot_take();
	assert_true(fx_snapshot_equal(before, after));
	fx_snapshot_free(before);
	fx_snapshot_free(after);
	assert_int_equal(fx_count(pa), 1);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_VM);

	io_unmap(dom, IOVA_A);
	assert_int_equal(guest_call(vm, KC_GC_UNSHARE_PAGE, VM_IPA), KCORE_OK);
	assert_int_equal(sim_host_access(ipa_init(pa), false, &v), SIM_ABORTED);
	/* Unshared: the host's domain may not map it again. */
	fx_expect_refused(KCORE_E_PERM, KC_HC_IO_MAP, dom, IOVA_A, pa, 0);
	dma_refused(SID_NIC, IOVA_A, SIM_S2_FAULT, SIM_EVT_F_TRANSLATION, pa);
}

/*
 * A shared page still DMA-mapped when its VM is torn down: clearing scrubs it
 * and hands it to the host, whose device then sees zeroes, never the VM's data.
 */
static void test_shared_dma_page_scrubbed_at_teardown(void **state)
{
	u64 pa;
	u32 vm, dom;

	(void)state;
	vm = vm_with_page(&pa);
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	assert_int_equal(guest_call(vm, KC_GC_SHARE_PAGE, VM_IPA), KCORE_OK);
	io_map(dom, IOVA_A, pa);
	call_ok(KC_HC_VM_POWEROFF, vm, 0, 0, 0);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_VM);
	call_ok(KC_HC_VM_CLEAR_RANGE, vm, 0, IOVA_LIMIT, 0);
	assert_int_equal(fx_owner(pa), OWNER_HOST);
	assert_int_equal(fx_count(pa), 0);
	assert_int_equal(fx_dma_count(pa), 1);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), 0);
	call_ok(KC_HC_VM_FREE, vm, 0, 0, 0);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_DONATE, call_ok(KC_HC_REGISTER_VM, 0, 0, 0, 0),
			  VM_IPA, pa, PG);
}

/* ---- domains and streams -------------------------------------------------------------- */

static void test_domain_free(void **state)
{
	u64 pa = host_page_with(PAT_HOST), seq;
	u32 dom, io_free = iommu_pool()->nr_free;

	(void)state;
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	io_map(dom, IOVA_A, pa);
	io_map(dom, IOVA_LIMIT - PG, pa);
	assert_int_equal(dma_read(SID_NIC, IOVA_LIMIT - PG), PAT_HOST);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_IO_DOMAIN_FREE, dom, 0, 0, 0);
	call_ok(KC_HC_IO_DETACH, SID_NIC, 0, 0, 0);
	seq = sim_tlbi_count();
	call_ok(KC_HC_IO_DOMAIN_FREE, dom, 0, 0, 0);
	assert_true(sim_tlbi_smmu_covered_since(seq, dom, IOVA_A));
	assert_true(sim_tlbi_smmu_covered_since(seq, dom, IOVA_LIMIT - PG));
	assert_true(sim_tlbi_count_type(SIM_TLBI_SMMU_DOMAIN) > 0);
	assert_int_equal(fx_dma_count(pa), 0);
	assert_int_equal(iommu_pool()->nr_free, io_free);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_DOMAIN_FREE, dom, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_UNMAP, dom, IOVA_A, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_IOVA_TO_PHYS, dom, IOVA_A, 0, 0);
	/* The id comes back, empty. */
	assert_int_equal(domain_for(OWNER_HOST), dom);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_IOVA_TO_PHYS, dom, IOVA_A, 0, 0);
}

static void test_attach_rules(void **state)
{
	u64 pa = host_page_with(PAT_HOST), pa2 = host_page_with(PAT_DMA);
	u32 d1, d2, d3;

	(void)state;
	d1 = domain_for(OWNER_HOST);
	d2 = domain_for(OWNER_HOST);
	d3 = domain_for(OWNER_HOST);
	io_map(d1, IOVA_A, pa);
	io_map(d2, IOVA_A, pa2);
	attach(d1, SID_NIC);
	assert_int_equal(sim_smmu_attach_count(), 1);
	fx_expect_refused(KCORE_E_EXIST, KC_HC_IO_ATTACH, d1, SID_NIC, 0, 0);
	/* Moving a device is detach, then attach: never two owners at once. */
	fx_expect_refused(KCORE_E_BUSY, KC_HC_IO_ATTACH, d2, SID_NIC, 0, 0);
	call_ok(KC_HC_IO_DOMAIN_FREE, d3, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_ATTACH, d3, SID_IDLE, 0, 0);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
	call_ok(KC_HC_IO_DETACH, SID_NIC, 0, 0, 0);
	attach(d2, SID_NIC);
	assert_int_equal(sim_smmu_detach_count(), 1);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_DMA);
	/* Several streams may share a domain; each detaches alone. */
	attach(d2, SID_IDLE);
	assert_int_equal(iommu_domain(d2)->nr_streams, 2);
	call_ok(KC_HC_IO_DETACH, SID_NIC, 0, 0, 0);
	assert_int_equal(dma_read(SID_IDLE, IOVA_A), PAT_DMA);
	attach(d2, KCORE_MAX_STREAMS - 1);
	assert_int_equal(dma_read(KCORE_MAX_STREAMS - 1, IOVA_A), PAT_DMA);
}

/* Every argument is a whole register; anything out of range is INVAL and changes nothing. */
static void test_whole_register_arguments(void **state)
{
	const u64 hi = 1ull << 32;
	u64 pa = host_page_with(PAT_HOST);
	u32 dom;

	(void)state;
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	io_map(dom, IOVA_A, pa);

	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_ALLOC, 5, 0, 0, 0);  /* > max_vms */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_ALLOC, hi, 0, 0, 0); /* not the host */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_ALLOC, hi | 1, 0, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_ALLOC, OWNER_KCORE, 0, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_ALLOC, ~0ull, 0, 0, 0);

	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_FREE, KCORE_MAX_IO_DOMAINS, 0, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_FREE, hi | dom, 0, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DOMAIN_FREE, ~0ull, 0, 0, 0);

	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_ATTACH, hi | dom, SID_IDLE, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_ATTACH, dom, hi | SID_IDLE, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_ATTACH, dom, KCORE_MAX_STREAMS, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_ATTACH, dom, ~0ull, 0, 0);

	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DETACH, hi | SID_NIC, 0, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_DETACH, KCORE_MAX_STREAMS, 0, 0, 0);

	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, hi | dom, IOVA_B, pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_B + 8, pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_LIMIT, pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_LIMIT | IOVA_B, pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, (1ull << 63) | IOVA_B, pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_B, pa + 0x800, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_B, pa | (1ull << 48), 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_MAP, dom, IOVA_B, pa | (1ull << 63), 0);
	fx_expect_refused(KCORE_E_EXIST, KC_HC_IO_MAP, dom, IOVA_A, pa, 0);

	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_UNMAP, hi | dom, IOVA_A, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_UNMAP, dom, IOVA_A + 8, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_UNMAP, dom, IOVA_LIMIT | IOVA_A, 0, 0);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_UNMAP, dom, IOVA_B, 0, 0);

	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_IOVA_TO_PHYS, hi | dom, IOVA_A, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_IO_IOVA_TO_PHYS, dom, IOVA_LIMIT | IOVA_A, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_IO_IOVA_TO_PHYS, dom + 1, IOVA_A, 0, 0);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
}

/* The IO pool and the domain table run out as NOMEM, never a crash, and nothing changes. */
static void test_io_limits(void **state)
{
	struct fx_config c = fx_default_config();
	u64 pa;
	u32 d0, d1;

	(void)state;
	c.io_pool_pages = 8;
	fx_boot(&c);
	pa = host_page_with(PAT_HOST);
	d0 = domain_for(OWNER_HOST);
	io_map(d0, IOVA_A, pa); /* a root and a path of three tables: 4 pages */
	d1 = domain_for(OWNER_HOST);
	io_map(d1, IOVA_A, pa); /* 4 more: the pool is empty */
	assert_int_equal(iommu_pool()->nr_free, 0);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_IO_MAP, d0, 1ull << 39, pa, 0);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_IO_DOMAIN_ALLOC, OWNER_HOST, 0, 0, 0);
	io_map(d0, IOVA_A + PG, pa); /* no new table needed */
	assert_int_equal(fx_dma_count(pa), 3);

	fx_boot(NULL);
	for (u32 i = 0; i < KCORE_MAX_IO_DOMAINS; i++)
		assert_int_equal(domain_for(OWNER_HOST), i);
	fx_expect_refused(KCORE_E_NOMEM, KC_HC_IO_DOMAIN_ALLOC, OWNER_HOST, 0, 0, 0);
}

/* Without an IO pool kcore offers no IO domains: every IO call is unknown. */
static void test_no_io_pool_no_io_calls(void **state)
{
	struct fx_config c = fx_default_config();
	const u64 ids[] = {KC_HC_IO_DOMAIN_ALLOC, KC_HC_IO_DOMAIN_FREE, KC_HC_IO_ATTACH,
			   KC_HC_IO_DETACH,	  KC_HC_IO_MAP,		KC_HC_IO_UNMAP,
			   KC_HC_IO_IOVA_TO_PHYS, KC_HC_IO_FAULT_POP};
	u64 pa;

	(void)state;
	c.io_pool_pages = 0;
	fx_boot(&c);
	pa = host_page_with(PAT_HOST);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		fx_expect_refused(KCORE_E_NOT_SUPPORTED, ids[i], 0, 0, 0, 0);
		fx_expect_refused(KCORE_E_NOT_SUPPORTED, ids[i], 0, IOVA_A, pa, 0);
	}
	dma_refused(SID_NIC, IOVA_A, SIM_STREAM_FAULT, SIM_EVT_C_BAD_STE, pa);
	/* Powering a VM off finds no domain to tear down. */
	call_ok(KC_HC_REGISTER_VM, 0, 0, 0, 0);
	call_ok(KC_HC_VM_POWEROFF, 1, 0, 0, 0);
}

/* ---- the faults the host reads (KC_HC_IO_FAULT_POP) ---------------------------------- */

/* The next fault the host pops: the call must succeed; x1..x4 describe it. */
static void expect_fault(u32 sid, u64 addr, u32 type, u32 access)
{
	struct kcore_hvc_regs regs = {{KC_HC_IO_FAULT_POP, 0, 0, 0, 0, 0, 0, 0}};

	host_hvc_dispatch(&regs);
	assert_int_equal((s64)regs.x[0], KCORE_OK);
	assert_int_equal(regs.x[1], sid);
	assert_int_equal(regs.x[2], addr);
	assert_int_equal(regs.x[3], type);
	assert_int_equal(regs.x[4], access);
	fx_check();
}

/* Every refused DMA reaches the host as one fault, oldest first; a DMA that worked, none. */
static void test_faults_reach_the_host_in_order(void **state)
{
	u64 pa = host_page_with(PAT_HOST), v = PAT_DMA;
	u32 dom;

	(void)state;
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_FAULT_POP, 0, 0, 0, 0);
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	io_map(dom, IOVA_A, pa);
	assert_int_equal(sim_dma_access(SID_IDLE, IOVA_A, true, &v), SIM_STREAM_FAULT);
	assert_int_equal(sim_dma_access(SID_NIC, IOVA_B, true, &v), SIM_S2_FAULT);
	assert_int_equal(sim_dma_access(SID_NIC, IOVA_B + 8, false, &v), SIM_S2_FAULT);
	assert_int_equal(sim_dma_access(KCORE_MAX_STREAMS, IOVA_A, false, &v), SIM_STREAM_FAULT);
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
	/* A blocked stream's event names no address or direction, as SMMUv3's C_BAD_STE. */
	expect_fault(SID_IDLE, 0, KC_IO_FAULT_C_BAD_STE, KC_IO_FAULT_ACCESS_UNKNOWN);
	expect_fault(SID_NIC, IOVA_B, KC_IO_FAULT_F_TRANSLATION, KC_IO_FAULT_ACCESS_WRITE);
	expect_fault(SID_NIC, IOVA_B + 8, KC_IO_FAULT_F_TRANSLATION, KC_IO_FAULT_ACCESS_READ);
	expect_fault(KCORE_MAX_STREAMS, 0, KC_IO_FAULT_C_BAD_STREAMID, KC_IO_FAULT_ACCESS_UNKNOWN);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_FAULT_POP, 0, 0, 0, 0);
	/* The arguments are ignored: garbage in them changes nothing. */
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_FAULT_POP, ~0ull, ~0ull, ~0ull, ~0ull);
}

/* More faults than the queue holds: as on SMMUv3, those that find it full are lost. */
static void test_fault_queue_full_drops_new_faults(void **state)
{
	const u64 extra = 3;
	u64 v = 0;
	u32 dom;

	(void)state;
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	for (u64 i = 0; i < SIM_SMMU_EVENTQ_SIZE + extra; i++)
		assert_int_equal(sim_dma_access(SID_NIC, IOVA_B + 8 * i, false, &v), SIM_S2_FAULT);
	for (u64 i = 0; i < SIM_SMMU_EVENTQ_SIZE; i++)
		expect_fault(SID_NIC, IOVA_B + 8 * i, KC_IO_FAULT_F_TRANSLATION,
			     KC_IO_FAULT_ACCESS_READ);
	fx_expect_refused(KCORE_E_NOENT, KC_HC_IO_FAULT_POP, 0, 0, 0, 0);
	/* Room again: the next fault is queued. */
	assert_int_equal(sim_dma_access(SID_NIC, IOVA_A, true, &v), SIM_S2_FAULT);
	expect_fault(SID_NIC, IOVA_A, KC_IO_FAULT_F_TRANSLATION, KC_IO_FAULT_ACCESS_WRITE);
}

/* ---- the simulated SMMU's TLB: a forgotten invalidation shows -------------------------- */

static void test_stale_io_translation_is_observable(void **state)
{
	u64 pa = host_page_with(PAT_HOST), desc_saved, desc = 0;
	struct sim_stale stale[2];
	struct sim_xlate x;
	paddr_t root;
	u32 dom;

	(void)state;
	dom = domain_for(OWNER_HOST);
	attach(dom, SID_NIC);
	io_map(dom, IOVA_A, pa);
	io_map(dom, IOVA_B, pa);
	/* fx_check primed the SMMU's TLB with every IO leaf, as hardware may. */
	assert_int_equal(sim_tlb_count_regime(SIM_REGIME_IO(dom)), 2);

	/* Remove a leaf behind the TLB's back, as a core that forgot the TLBI would. */
	assert_true(kcore_io_domain_root(dom, &root));
	assert_int_equal(sim_s2_walk(root, 40, ipa_init(IOVA_A), &x), SIM_XLATE_OK);
	desc_saved = sim_read_u64(x.desc_pa);
	sim_write_u64(x.desc_pa, 0);
	assert_int_equal(sim_tlb_stale(stale, 2), 1);
	assert_int_equal(stale[0].entry.regime, SIM_REGIME_IO(dom));
	assert_int_equal(stale[0].entry.in, IOVA_A);
	assert_int_equal(stale[0].reason, SIM_STALE_UNMAPPED);
	/* The device still gets through on the stale entry: that is the danger. */
	assert_int_equal(dma_read(SID_NIC, IOVA_A), PAT_HOST);
	/* The invalidation the core owes closes it. */
	arch_smmu_tlbi_iova(dom, IOVA_A);
	assert_int_equal(sim_tlb_stale(NULL, 0), 0);
	assert_int_equal(sim_dma_access(SID_NIC, IOVA_A, false, &desc), SIM_S2_FAULT);
	/* The checker sees the page's count no longer matches (smmu_count); restore the leaf. */
	assert_int_equal(kcore_check_invariants(), 1);
	sim_write_u64(x.desc_pa, desc_saved);
	fx_check();
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_host_dma_into_own_page),
	    T(test_host_dma_into_shared_page),
	    T(test_host_cannot_map_what_is_not_its),
	    T(test_dma_after_unmap_is_refused),
	    T(test_unattached_stream_is_blocked),
	    T(test_vm_domain_needs_the_vms_share),
	    T(test_vm_device_reaches_only_vm_pages),
	    T(test_vm_domain_needs_live_vm),
	    T(test_host_poweroff_frees_vm_domains),
	    T(test_guest_poweroff_frees_vm_domains),
	    T(test_failed_verification_frees_vm_domains),
	    T(test_dma_mapped_host_page_cannot_leave),
	    T(test_unshare_of_dma_mapped_page_busy),
	    T(test_shared_dma_page_scrubbed_at_teardown),
	    T(test_domain_free),
	    T(test_attach_rules),
	    T(test_whole_register_arguments),
	    T(test_faults_reach_the_host_in_order),
	    T(test_fault_queue_full_drops_new_faults),
	    T(test_io_limits),
	    T(test_no_io_pool_no_io_calls),
	    T(test_stale_io_translation_is_observable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
