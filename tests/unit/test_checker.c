/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker (core/check/invariants.c) must notice every kind of
 * broken state: each test builds a clean state (a verified VM with a donated
 * and a shared page, a second VM still loading, a host IO domain mapping a
 * host page and the shared page, and the VM's own IO domain mapping the
 * shared page at its IPA), breaks one property directly through the internal headers,
 * and expects kcore_check_invariants() > 0.
 * The checker logs each violation on the console; that output is expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/memops/host_mem.h"
#include "core/mm/kmap.h"
#include "core/mm/pgowner_write.h"
#include "core/mm/pgtable.h"
#include "core/mm/pool.h"
#include "core/smmu/iommu.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"

#define VM_RAM_SIZE (16ull << 20)
#define DONATED_IPA (FX_LOAD_IPA + 0x100000ull)
#define SHARED_IPA  (FX_LOAD_IPA + 0x101000ull)
#define SPARE_IPA   0x90000000ull /* outside the VM's RAM, never mapped */
#define HOST_DEV    0x0a000000ull /* an IPA the host never touched */
#define IOVA_HOST   0x100000ull	  /* host_pa in the host's IO domain */
#define IOVA_SHARED 0x200000ull	  /* shared_pa in the host's IO domain */
#define IOVA_SPARE  0x300000ull	  /* never mapped */

static uint8_t payload[8192];
static u32 vmid;       /* verified, running state */
static u32 loading;    /* registered, image half loaded */
static u64 donated_pa; /* the VM's page at DONATED_IPA */
static u64 shared_pa;  /* the VM's page at SHARED_IPA, shared with the host */
static u64 host_pa;    /* a plain host page */
static u32 hdom;       /* the host's IO domain, stream 8 attached */
static u32 vdom;       /* vmid's IO domain, stream 16 attached, shared_pa at SHARED_IPA */

static int setup(void **state)
{
	size_t size;
	uint8_t *img;
	u64 id;
	s64 err;

	(void)state;
	fx_boot(NULL);
	memset(payload, 0x5a, sizeof(payload));
	img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	vmid = (u32)id;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, vmid, FX_LOAD_IPA, VM_RAM_SIZE, 0, NULL),
			 KCORE_OK);
	assert_int_equal(fx_load_image(vmid, FX_LOAD_IPA, img, size, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_OK);
	donated_pa = fx_host_page();
	shared_pa = fx_host_page();
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, DONATED_IPA, donated_pa, 4096, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, SHARED_IPA, shared_pa, 4096, NULL), KCORE_OK);
	assert_true(fx_guest_call(vmid, 0, KC_GC_SHARE_PAGE, SHARED_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	assert_int_equal(fx_count(shared_pa), 1);

	/* A second VM, its image only partly handed over: kcore holds waiting pages. */
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	loading = (u32)id;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, loading, 0, 0, 0, NULL), KCORE_OK);
	{
		u64 pa = fx_host_alloc(4096ull * 4, 4096);
		u64 idx;

		assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, loading, FX_LOAD_IPA, size, 0, &idx),
				 KCORE_OK);
		assert_int_equal(fx_hc(KC_HC_REMAP_VM_IMAGE, loading, pa >> 12, idx, 0, NULL),
				 KCORE_OK);
	}
	free(img);
	host_pa = fx_host_page();

	assert_int_equal(fx_hc(KC_HC_IO_DOMAIN_ALLOC, OWNER_HOST, 0, 0, 0, &id), KCORE_OK);
	hdom = (u32)id;
	assert_int_equal(fx_hc(KC_HC_IO_DOMAIN_ALLOC, vmid, 0, 0, 0, &id), KCORE_OK);
	vdom = (u32)id;
	assert_int_equal(fx_hc(KC_HC_IO_ATTACH, hdom, 8, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_IO_ATTACH, vdom, 16, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_IO_MAP, hdom, IOVA_HOST, host_pa, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_IO_MAP, hdom, IOVA_SHARED, shared_pa, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_IO_MAP, vdom, SHARED_IPA, shared_pa, 0, NULL), KCORE_OK);
	fx_check(); /* the clean state passes */
	return 0;
}

static struct pgtable *host_s2(void)
{
	return (struct pgtable *)(uintptr_t)host_s2_table();
}

static struct pgtable *kmap(void)
{
	return (struct pgtable *)(uintptr_t)kmap_table();
}

static struct vm *vm(u32 id)
{
	return vm_from_id(id);
}

/* A VM's state set by hand, and each vCPU's fast-path answer as vm_set_poweroff keeps it. */
static void set_vm_state(struct vm *v, enum vm_state st)
{
	v->state = st;
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++)
		v->vcpus[i].fast_answered = st == VM_POWEROFF ? ARCH_FAST_STOP : ARCH_FAST_REENTER;
}

static struct io_domain *io_domain(u32 id)
{
	return (struct io_domain *)(uintptr_t)iommu_domain(id);
}

static struct page_info *page(u64 pa)
{
	return pgowner_get_mut(pa_init(pa));
}

static void expect_violation(void)
{
	assert_true(kcore_check_invariants() > 0);
}

static void expect_clean(void)
{
	assert_int_equal(kcore_check_invariants(), 0);
}

/* ---- host_flatmap ---- */

static void test_host_non_identity_mapping(void **state)
{
	(void)state;
	pgt_map_leaf(host_s2(), HOST_DEV, pa_init(host_pa), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
	pgt_unmap_leaf(host_s2(), HOST_DEV);
	expect_clean();
}

static void test_host_identity_device_mapping_is_fine(void **state)
{
	(void)state;
	/* The counter-check: an identity map of a device the host may use is allowed. */
	pgt_map_leaf(host_s2(), HOST_DEV, pa_init(HOST_DEV), PAGE_SIZE, PT_PROT_RW);
	expect_clean();
}

/* ---- host_iso ---- */

static void test_host_maps_kcore_image(void **state)
{
	(void)state;
	pgt_map_leaf(host_s2(), FX_RAM_BASE, pa_init(FX_RAM_BASE), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
}

static void test_host_maps_carve_out(void **state)
{
	u64 carve = pa_addr(kcore_params()->carve.base);

	(void)state;
	pgt_map_leaf(host_s2(), carve, pa_init(carve), PAGE_SIZE, PT_PROT_R);
	expect_violation();
}

static void test_host_maps_vm_page(void **state)
{
	(void)state;
	pgt_map_leaf(host_s2(), donated_pa, pa_init(donated_pa), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
}

static void test_host_maps_kcore_device(void **state)
{
	(void)state;
	pgt_map_leaf(host_s2(), FX_KCORE_DEVICE, pa_init(FX_KCORE_DEVICE), PAGE_SIZE,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_violation();
}

/* The platform policy: no host leaf over a MEDIATED, DENIED or unknown device page. */
static void test_host_maps_mediated_device(void **state)
{
	(void)state;
	pgt_map_leaf(host_s2(), FX_MEDIATED_DEVICE, pa_init(FX_MEDIATED_DEVICE), PAGE_SIZE,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_violation();
}

static void test_host_maps_denied_device(void **state)
{
	(void)state;
	pgt_map_leaf(host_s2(), FX_DENIED_DEVICE, pa_init(FX_DENIED_DEVICE), PAGE_SIZE,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_violation();
	pgt_unmap_leaf(host_s2(), FX_DENIED_DEVICE);
	expect_clean();
	pgt_map_leaf(host_s2(), FX_UNKNOWN_DEVICE, pa_init(FX_UNKNOWN_DEVICE), PAGE_SIZE,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_violation();
}

/*
 * A 2 MiB device block is fine inside one class the host may map (the
 * BEHIND_SMMU window), not where HOST_SAFE pages share it with kcore's,
 * denied and unknown ones (FX_DEVICE_BASE's 2 MiB).
 */
static void test_host_block_straddles_classes(void **state)
{
	(void)state;
	pgt_map_leaf(host_s2(), FX_SMMU_WINDOW, pa_init(FX_SMMU_WINDOW), 2ull << 20,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_clean();
	pgt_map_leaf(host_s2(), FX_DEVICE_BASE, pa_init(FX_DEVICE_BASE), 2ull << 20,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_violation();
}

/* ---- vm_iso ---- */

static void test_vm_maps_host_page(void **state)
{
	(void)state;
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(host_pa), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
	pgt_unmap_leaf(&vm(vmid)->s2, SPARE_IPA);
	expect_clean();
}

static void test_vm_maps_kcore_page(void **state)
{
	(void)state;
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(FX_RAM_BASE), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
}

static void test_vm_maps_another_vms_page(void **state)
{
	u64 other = fx_host_page();

	(void)state;
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, loading, FX_LOAD_IPA, VM_RAM_SIZE, 0, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, loading, DONATED_IPA, other, 4096, NULL), KCORE_OK);
	expect_clean();
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(other), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
}

static void test_vm_maps_kcore_device(void **state)
{
	(void)state;
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(FX_KCORE_DEVICE), PAGE_SIZE,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_violation();
}

static void test_vm_maps_other_device_is_fine(void **state)
{
	(void)state;
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(FX_DEVICE_BASE), PAGE_SIZE,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_clean();
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA + PAGE_SIZE, pa_init(FX_SMMU_WINDOW), PAGE_SIZE,
		     PT_PROT_RW | PT_PROT_DEVICE);
	expect_clean();
}

/* The platform policy: no VM leaf over a MEDIATED, DENIED or unknown device page. */
static void test_vm_maps_policy_denied_devices(void **state)
{
	const u64 pages[] = {FX_MEDIATED_DEVICE, FX_DENIED_DEVICE, FX_UNKNOWN_DEVICE};

	(void)state;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(pages[i]), PAGE_SIZE,
			     PT_PROT_RW | PT_PROT_DEVICE);
		expect_violation();
		pgt_unmap_leaf(&vm(vmid)->s2, SPARE_IPA);
		expect_clean();
	}
}

static void test_vm_page_at_wrong_gfn(void **state)
{
	(void)state;
	/* Its own page, mapped a second time where its gfn does not say. */
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(donated_pa), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
}

/* ---- smmu_iso ---- */

/* A leaf added by hand, with the count kcore would keep, so that only smmu_iso breaks. */
static void io_map_by_hand(u32 dom, u64 iova, u64 pa)
{
	pgt_map_leaf(&io_domain(dom)->pt, iova, pa_init(pa), PAGE_SIZE, PT_PROT_RW);
	if (page(pa) != NULL)
		page(pa)->dma_count++;
}

static void test_host_domain_maps_vm_page(void **state)
{
	(void)state;
	io_map_by_hand(hdom, IOVA_SPARE, donated_pa);
	expect_violation();
}

static void test_host_domain_maps_kcore_pages(void **state)
{
	(void)state;
	io_map_by_hand(hdom, IOVA_SPARE, FX_RAM_BASE);
	expect_violation();
	pgt_unmap_leaf(&io_domain(hdom)->pt, IOVA_SPARE);
	page(FX_RAM_BASE)->dma_count--;
	expect_clean();
	io_map_by_hand(hdom, IOVA_SPARE, pa_addr(iommu_pool()->base));
	expect_violation();
}

static void test_host_domain_maps_waiting_image_page(void **state)
{
	paddr_t pa;

	(void)state;
	assert_true(kmap_lookup(vm(loading)->images[0].window, &pa));
	io_map_by_hand(hdom, IOVA_SPARE, pa_addr(pa));
	expect_violation();
}

static void test_host_domain_keeps_unshared_page(void **state)
{
	(void)state;
	/* The VM took its page back, but the host's device can still reach it. */
	page(shared_pa)->count = 0;
	expect_violation();
	page(shared_pa)->count = 1;
	expect_clean();
}

static void test_io_mapping_of_non_ram(void **state)
{
	(void)state;
	io_map_by_hand(hdom, IOVA_SPARE, FX_DEVICE_BASE);
	expect_violation();
}

static void test_io_block_leaf(void **state)
{
	u64 blk = fx_host_alloc(BLOCK_SIZE, BLOCK_SIZE);

	(void)state;
	/* kcore maps IO pages only: a 2 MiB leaf is not something it writes. */
	pgt_map_leaf(&io_domain(hdom)->pt, 0x40000000ull, pa_init(blk), BLOCK_SIZE, PT_PROT_RW);
	for (u64 off = 0; off < BLOCK_SIZE; off += PAGE_SIZE)
		page(blk + off)->dma_count++;
	expect_violation();
}

static void test_vm_domain_maps_host_page(void **state)
{
	(void)state;
	io_map_by_hand(vdom, SPARE_IPA, host_pa);
	expect_violation();
}

static void test_vm_domain_maps_page_at_wrong_iova(void **state)
{
	(void)state;
	/* The VM's own shared page, but where its gfn does not say: the host redirects its DMA. */
	io_map_by_hand(vdom, SPARE_IPA, shared_pa);
	expect_violation();
}

static void test_vm_domain_maps_unshared_page(void **state)
{
	(void)state;
	/* The consentless IO domain: the VM's page at its IPA, but the VM never shared it. */
	io_map_by_hand(vdom, DONATED_IPA, donated_pa);
	expect_violation();
}

static void test_vm_domain_keeps_unshared_page(void **state)
{
	(void)state;
	/* Only the VM's own domain maps the shared page now ... */
	assert_int_equal(fx_hc(KC_HC_IO_UNMAP, hdom, IOVA_SHARED, 0, 0, NULL), KCORE_OK);
	expect_clean();
	/* ... and the VM took it back, but its domain's device can still reach it. */
	page(shared_pa)->count = 0;
	expect_violation();
	page(shared_pa)->count = 1;
	expect_clean();
}

static void test_vm_domain_maps_another_vms_page(void **state)
{
	u64 other = fx_host_page();

	(void)state;
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, loading, FX_LOAD_IPA, VM_RAM_SIZE, 0, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, loading, SHARED_IPA + 0x1000, other, 4096, NULL),
			 KCORE_OK);
	expect_clean();
	io_map_by_hand(vdom, SHARED_IPA + 0x1000, other);
	expect_violation();
}

static void test_domain_of_powered_off_vm(void **state)
{
	(void)state;
	/* A power-off that forgot the VM's devices: they could reach pages teardown hands on. */
	set_vm_state(vm(vmid), VM_POWEROFF);
	expect_violation();
	set_vm_state(vm(vmid), VM_VERIFIED);
	expect_clean();
	io_domain(vdom)->owner = 3; /* a slot never registered */
	expect_violation();
}

static void test_stream_count_disagrees(void **state)
{
	(void)state;
	io_domain(hdom)->nr_streams = 2;
	expect_violation();
	io_domain(hdom)->nr_streams = 1;
	expect_clean();
}

static void test_stream_attached_to_freed_domain(void **state)
{
	(void)state;
	io_domain(vdom)->state = IO_DOMAIN_FREE;
	expect_violation();
}

/* ---- smmu_count ---- */

static void test_dma_count_too_low(void **state)
{
	(void)state;
	page(host_pa)->dma_count = 0;
	expect_violation();
	page(host_pa)->dma_count = 1;
	expect_clean();
	/* A shared VM page counts as well. */
	page(shared_pa)->dma_count = 0;
	expect_violation();
}

static void test_dma_count_too_high(void **state)
{
	(void)state;
	page(host_pa)->dma_count = 2;
	expect_violation();
	page(host_pa)->dma_count = 1;
	expect_clean();
	page(fx_host_page())->dma_count = 1; /* mapped nowhere */
	expect_violation();
}

static void test_vm_domain_leaf_counted(void **state)
{
	(void)state;
	/* Every domain counts: the host's and the VM's both map the shared page. */
	assert_int_equal(page(shared_pa)->dma_count, 2);
	page(shared_pa)->dma_count = 1;
	expect_violation();
	page(shared_pa)->dma_count = 2;
	expect_clean();
	assert_int_equal(fx_hc(KC_HC_IO_UNMAP, vdom, SHARED_IPA, 0, 0, NULL), KCORE_OK);
	assert_int_equal(page(shared_pa)->dma_count, 1);
	expect_clean();
}

/* ---- the IO pool ---- */

static void test_io_table_page_leaked(void **state)
{
	(void)state;
	(void)pool_alloc((struct pt_pool *)(uintptr_t)iommu_pool());
	expect_violation();
}

static void test_io_table_outside_io_pool(void **state)
{
	struct pgtable *pt = &io_domain(hdom)->pt;

	(void)state;
	/* The domain's tables drawn from the host's pool: right count, wrong pool. */
	pt->pool = (struct pt_pool *)(uintptr_t)host_pool();
	io_map_by_hand(hdom, 0x8000000000ull - 2 * PAGE_SIZE, host_pa);
	pt->pool = (struct pt_pool *)(uintptr_t)iommu_pool();
	expect_violation();
}

/* ---- ownership ---- */

static void test_host_page_with_count(void **state)
{
	(void)state;
	pgowner_get_mut(pa_init(host_pa))->count = 1;
	expect_violation();
	pgowner_get_mut(pa_init(host_pa))->count = 0;
	expect_clean();
}

static void test_host_page_with_gfn(void **state)
{
	(void)state;
	pgowner_get_mut(pa_init(host_pa))->gfn = 0x1234;
	expect_violation();
}

static void test_kcore_page_with_count_or_gfn(void **state)
{
	(void)state;
	pgowner_get_mut(pa_init(FX_RAM_BASE))->count = 1;
	expect_violation();
	pgowner_get_mut(pa_init(FX_RAM_BASE))->count = 0;
	expect_clean();
	pgowner_get_mut(kcore_params()->carve.base)->gfn = 7;
	expect_violation();
}

static void test_owner_not_a_live_vm(void **state)
{
	(void)state;
	pgowner_get_mut(pa_init(host_pa))->owner = 3; /* a slot never registered */
	expect_violation();
	pgowner_get_mut(pa_init(host_pa))->owner = KCORE_MAX_VMS + 1; /* no VM at all */
	expect_violation();
	pgowner_get_mut(pa_init(host_pa))->owner = OWNER_HOST;
	expect_clean();
}

static void test_vm_page_shared_twice(void **state)
{
	(void)state;
	pgowner_get_mut(pa_init(shared_pa))->count = 2;
	expect_violation();
}

static void test_vm_page_not_mapped(void **state)
{
	(void)state;
	pgt_unmap_leaf(&vm(vmid)->s2, DONATED_IPA);
	expect_violation();
}

static void test_vm_page_without_gfn(void **state)
{
	(void)state;
	pgowner_get_mut(pa_init(donated_pa))->gfn = GFN_NONE;
	expect_violation();
}

static void test_vm_page_gfn_points_elsewhere(void **state)
{
	(void)state;
	/* The gfn names the shared page's frame: mapped there, but to another page. */
	pgowner_get_mut(pa_init(donated_pa))->gfn = SHARED_IPA >> PAGE_SHIFT;
	expect_violation();
}

static void test_kcore_page_of_no_purpose(void **state)
{
	(void)state;
	pgowner_get_mut(pa_init(host_pa))->owner = OWNER_KCORE;
	expect_violation();
}

static void test_waiting_image_page_given_back(void **state)
{
	const struct vm_image *img = &vm(loading)->images[0];
	paddr_t pa;

	(void)state;
	assert_int_equal(img->nr_remapped, 1);
	assert_true(kmap_lookup(img->window, &pa));
	pgowner_get_mut(pa)->owner = OWNER_HOST;
	expect_violation();
}

/* ---- kcore_own: kcore's image and carve-out, whatever the table says (issue 14.7) ---- */

/* A page in the middle of the carve-out (the ownership table, pools...). */
static u64 carve_page(void)
{
	const struct kcore_mem_range *c = &kcore_params()->carve;

	return pa_addr(c->base) + (c->size / 2 & ~(PAGE_SIZE - 1));
}

static void test_kcore_image_page_owned_by_host(void **state)
{
	(void)state;
	/* What the fw_cfg DMA did: one entry of the table rewritten to "host". */
	page(FX_RAM_BASE + 0x3000)->owner = OWNER_HOST;
	expect_violation();
	page(FX_RAM_BASE + 0x3000)->owner = OWNER_KCORE;
	expect_clean();
}

static void test_carve_out_page_owned_by_host(void **state)
{
	(void)state;
	page(carve_page())->owner = OWNER_HOST;
	expect_violation();
	page(carve_page())->owner = OWNER_KCORE;
	expect_clean();
	page(pa_addr(kcore_params()->carve.base))->owner = OWNER_HOST; /* the table's own page */
	expect_violation();
}

/* Each place the page can be reached from is reported on its own, beyond the ownership. */
static void test_host_maps_kcore_page_marked_host(void **state)
{
	u64 carve = carve_page();
	u32 owned_only;

	(void)state;
	page(carve)->owner = OWNER_HOST;
	owned_only = kcore_check_invariants();
	pgt_map_leaf(host_s2(), carve, pa_init(carve), PAGE_SIZE, PT_PROT_RW);
	assert_true(kcore_check_invariants() > owned_only);
	pgt_unmap_leaf(host_s2(), carve);

	page(FX_RAM_BASE)->owner = OWNER_HOST;
	owned_only = kcore_check_invariants();
	pgt_map_leaf(host_s2(), FX_RAM_BASE, pa_init(FX_RAM_BASE), PAGE_SIZE, PT_PROT_RWX);
	assert_true(kcore_check_invariants() > owned_only);
}

static void test_io_table_maps_kcore_page_marked_host(void **state)
{
	u64 carve = carve_page();
	u32 owned_only;

	(void)state;
	page(carve)->owner = OWNER_HOST;
	owned_only = kcore_check_invariants();
	io_map_by_hand(hdom, IOVA_SPARE, carve);
	assert_true(kcore_check_invariants() > owned_only);
}

static void test_vm_maps_carve_page_given_to_it(void **state)
{
	u64 carve = carve_page();

	(void)state;
	/* Owner, gfn and mapping all agree: only where the page lies gives it away. */
	page(carve)->owner = vmid;
	page(carve)->gfn = SPARE_IPA >> PAGE_SHIFT;
	pgt_map_leaf(&vm(vmid)->s2, SPARE_IPA, pa_init(carve), PAGE_SIZE, PT_PROT_RW);
	expect_violation();
}

/* ---- smmu_hw: the SMMU's own stream table (issue 14.7) ---- */

static void test_ste_in_bypass(void **state)
{
	struct sim_smmu_stream st = sim_smmu_stream(8);
	u64 v = 0;

	(void)state;
	/* A blocked stream turned to bypass: its device reaches kcore's carve-out. */
	sim_smmu_stream_set(20, (struct sim_smmu_stream){.bypass = true});
	assert_int_equal(sim_dma_access(20, carve_page(), false, &v), SIM_OK);
	expect_violation();
	sim_smmu_stream_set(20, (struct sim_smmu_stream){.attached = false});
	expect_clean();
	/* The host's attached stream, in bypass instead of through its domain. */
	st.bypass = true;
	sim_smmu_stream_set(8, st);
	expect_violation();
}

static void test_ste_points_elsewhere(void **state)
{
	struct sim_smmu_stream good = sim_smmu_stream(8);
	struct sim_smmu_stream st = good;

	(void)state;
	assert_true(good.attached && good.domain == hdom);
	/* The right domain, but another table: the VM's. */
	st.root = io_domain(vdom)->pt.root;
	sim_smmu_stream_set(8, st);
	expect_violation();
	/* Another domain altogether. */
	st.domain = vdom;
	sim_smmu_stream_set(8, st);
	expect_violation();
	/* Another input size. */
	st = good;
	st.ia_bits = good.ia_bits - 1;
	sim_smmu_stream_set(8, st);
	expect_violation();
	sim_smmu_stream_set(8, good);
	expect_clean();
	/* A stream the core calls blocked translates in hardware. */
	sim_smmu_stream_set(21, good);
	expect_violation();
	sim_smmu_stream_set(21, (struct sim_smmu_stream){.attached = false});
	expect_clean();
	/* An attached stream the hardware blocks: the core's view is wrong either way. */
	sim_smmu_stream_set(16, (struct sim_smmu_stream){.attached = false});
	expect_violation();
}

static void test_smmu_turned_off(void **state)
{
	(void)state;
	sim_smmu_turn_off();
	expect_violation();
}

/* ---- core_map ---- */

static void test_window_page_unmapped(void **state)
{
	(void)state;
	pgt_unmap_leaf(kmap(), va_addr(vm(vmid)->images[0].window));
	expect_violation();
}

static void test_window_page_remapped(void **state)
{
	u64 va = va_addr(vm(vmid)->images[0].window);

	(void)state;
	pgt_unmap_leaf(kmap(), va);
	pgt_map_leaf(kmap(), va, pa_init(host_pa), PAGE_SIZE, PT_PROT_R);
	expect_violation();
}

static void test_window_page_made_writable(void **state)
{
	u64 va = va_addr(vm(vmid)->images[0].window);
	paddr_t pa;

	(void)state;
	assert_true(kmap_lookup(va_init(va), &pa));
	pgt_unmap_leaf(kmap(), va);
	pgt_map_leaf(kmap(), va, pa, PAGE_SIZE, PT_PROT_RW);
	expect_violation();
	pgt_unmap_leaf(kmap(), va);
	pgt_map_leaf(kmap(), va, pa, PAGE_SIZE, PT_PROT_R);
	expect_clean();
}

static void test_mapping_beyond_the_log(void **state)
{
	u64 va = va_addr(kmap_window_base()) + kmap_window_reserved() * PAGE_SIZE;

	(void)state;
	pgt_map_leaf(kmap(), va, pa_init(host_pa), PAGE_SIZE, PT_PROT_R);
	expect_violation();
}

static void test_windows_overlap(void **state)
{
	(void)state;
	vm(loading)->images[0].window = vm(vmid)->images[0].window;
	expect_violation();
}

static void test_window_outside_reserved_range(void **state)
{
	(void)state;
	vm(vmid)->images[0].window =
	    va_init(va_addr(kmap_window_base()) + kmap_window_reserved() * PAGE_SIZE);
	expect_violation();
}

/* ---- pools ---- */

static paddr_t a_free_page(const struct pt_pool *pool)
{
	assert_true(pool->nr_free > 0);
	return pa_add(pool->base, (u64)pool->free_stack[pool->nr_free - 1] * PAGE_SIZE);
}

static void dirty(paddr_t pa)
{
	uint8_t *p = sim_ram_ptr(pa_add(pa, 0x123));

	*p = 1;
	expect_violation();
	*p = 0;
	expect_clean();
}

static void test_free_pool_page_not_zero(void **state)
{
	(void)state;
	dirty(a_free_page(host_pool()));
	dirty(a_free_page(kmap_pool()));
	dirty(a_free_page(&vm(vmid)->pool));
	dirty(a_free_page(iommu_pool()));
}

static void test_table_page_leaked(void **state)
{
	(void)state;
	(void)pool_alloc((struct pt_pool *)(uintptr_t)host_pool());
	expect_violation();
}

static void test_vm_table_page_leaked(void **state)
{
	(void)state;
	(void)pool_alloc(&vm(vmid)->pool);
	expect_violation();
}

static void test_unused_slot_holds_tables(void **state)
{
	(void)state;
	(void)pool_alloc(&vm(4)->pool);
	expect_violation();
}

static void test_table_outside_its_pool(void **state)
{
	struct pgtable *s2 = &vm(vmid)->s2;

	(void)state;
	/* The VM's tables drawn from the host's pool: right count, wrong pool. */
	s2->pool = (struct pt_pool *)(uintptr_t)host_pool();
	pgt_map_leaf(s2, 0x4000000000ull - PAGE_SIZE, pa_init(FX_DEVICE_BASE), PAGE_SIZE,
		     PT_PROT_R | PT_PROT_DEVICE);
	s2->pool = &vm(vmid)->pool;
	expect_violation();
}

/* ---- states ---- */

static void test_active_vcpu_in_unverified_vm(void **state)
{
	(void)state;
	vm(loading)->vcpus[0].state = VCPU_ACTIVE;
	expect_violation();
	vm(loading)->vcpus[0].state = VCPU_READY;
	expect_clean();
	/* Active in a verified VM is fine. */
	vm(vmid)->vcpus[0].state = VCPU_ACTIVE;
	expect_clean();
}

static void test_vcpu_of_unused_vm(void **state)
{
	(void)state;
	vm(4)->vcpus[0].state = VCPU_READY;
	expect_violation();
}

static void test_vcpu_beyond_the_limit(void **state)
{
	(void)state;
	vm(vmid)->vcpus[vm_max_vcpus()].state = VCPU_READY;
	expect_violation();
}

static void test_fast_path_answer_disagrees_with_poweroff(void **state)
{
	(void)state;
	/* A running VM whose vCPU's fast path would end the run after every call... */
	vm(vmid)->vcpus[0].fast_answered = ARCH_FAST_STOP;
	expect_violation();
	vm(vmid)->vcpus[0].fast_answered = ARCH_FAST_REENTER;
	expect_clean();
	/* ...and a powered-off one whose vCPU would go on running the guest. */
	vm_guest_poweroff(vmid);
	expect_clean();
	vm(vmid)->vcpus[1].fast_answered = ARCH_FAST_REENTER;
	expect_violation();
}

static void test_image_flag_disagrees(void **state)
{
	(void)state;
	vm(vmid)->images[0].loaded = false;
	expect_violation();
	vm(vmid)->images[0].loaded = true;
	expect_clean();
	vm(loading)->images[0].loaded = true;
	expect_violation();
}

/* The MMIO guard (core/vm/mmio_guard.h): a range by hand, then each way it can be wrong. */
static void test_mmio_guard_table(void **state)
{
	struct vm_mmio_guard *g = &vm(vmid)->mmio_guard;

	(void)state;
	g->enrolled = 1;
	g->nr = 1;
	g->range[0] = (struct mmio_guard_range){SPARE_IPA + VM_RAM_SIZE,
						SPARE_IPA + VM_RAM_SIZE + 2 * PAGE_SIZE};
	expect_clean();
	/* Forwarding the VM's RAM (its image's first page, then a page of RAM). */
	g->range[0].first = FX_LOAD_IPA;
	g->range[0].end = FX_LOAD_IPA + PAGE_SIZE;
	expect_violation();
	g->range[0].first = FX_LOAD_IPA + VM_RAM_SIZE - PAGE_SIZE;
	g->range[0].end = FX_LOAD_IPA + VM_RAM_SIZE + PAGE_SIZE;
	expect_violation();
	g->range[0] = (struct mmio_guard_range){HOST_DEV, HOST_DEV + PAGE_SIZE};
	expect_clean();
	/* An image is the VM's memory even outside its RAM regions (the loading VM has none). */
	vm(loading)->mmio_guard = (struct vm_mmio_guard){
	    .enrolled = 1,
	    .nr = 1,
	    .range = {{FX_LOAD_IPA + PAGE_SIZE, FX_LOAD_IPA + 2 * PAGE_SIZE}}};
	expect_violation();
	vm(loading)->mmio_guard.range[0].first += VM_RAM_SIZE;
	vm(loading)->mmio_guard.range[0].end += VM_RAM_SIZE;
	expect_clean();
	/* Two ranges that touch (they should have merged), then overlap. */
	g->nr = 2;
	g->range[1] = (struct mmio_guard_range){HOST_DEV + PAGE_SIZE, HOST_DEV + 2 * PAGE_SIZE};
	expect_violation();
	g->range[1].first = HOST_DEV + 2 * PAGE_SIZE;
	g->range[1].end = HOST_DEV + 3 * PAGE_SIZE;
	expect_clean();
	g->range[1].first = HOST_DEV;
	expect_violation();
	/* Malformed: empty, unaligned, beyond the IPA space. */
	g->nr = 1;
	g->range[0].end = g->range[0].first;
	expect_violation();
	g->range[0].end = HOST_DEV + 0x800;
	expect_violation();
	g->range[0] = (struct mmio_guard_range){HOST_DEV, (1ull << vm_ipa_bits()) + PAGE_SIZE};
	expect_violation();
	/* Enrolled and the count disagree. */
	g->range[0] = (struct mmio_guard_range){HOST_DEV, HOST_DEV + PAGE_SIZE};
	expect_clean();
	g->nr = 0;
	expect_violation();
	g->enrolled = 0;
	expect_clean();
	g->nr = 1;
	expect_violation();
	g->nr = 0;
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_host_non_identity_mapping),
	    T(test_mmio_guard_table),
	    T(test_host_identity_device_mapping_is_fine),
	    T(test_host_maps_kcore_image),
	    T(test_host_maps_carve_out),
	    T(test_host_maps_vm_page),
	    T(test_host_maps_kcore_device),
	    T(test_vm_maps_host_page),
	    T(test_vm_maps_kcore_page),
	    T(test_vm_maps_another_vms_page),
	    T(test_vm_maps_kcore_device),
	    T(test_vm_maps_policy_denied_devices),
	    T(test_host_maps_mediated_device),
	    T(test_host_maps_denied_device),
	    T(test_host_block_straddles_classes),
	    T(test_vm_maps_other_device_is_fine),
	    T(test_vm_page_at_wrong_gfn),
	    T(test_host_domain_maps_vm_page),
	    T(test_host_domain_maps_kcore_pages),
	    T(test_host_domain_maps_waiting_image_page),
	    T(test_host_domain_keeps_unshared_page),
	    T(test_io_mapping_of_non_ram),
	    T(test_io_block_leaf),
	    T(test_vm_domain_maps_host_page),
	    T(test_vm_domain_maps_page_at_wrong_iova),
	    T(test_vm_domain_maps_unshared_page),
	    T(test_vm_domain_keeps_unshared_page),
	    T(test_vm_domain_maps_another_vms_page),
	    T(test_domain_of_powered_off_vm),
	    T(test_stream_count_disagrees),
	    T(test_stream_attached_to_freed_domain),
	    T(test_dma_count_too_low),
	    T(test_dma_count_too_high),
	    T(test_vm_domain_leaf_counted),
	    T(test_io_table_page_leaked),
	    T(test_io_table_outside_io_pool),
	    T(test_host_page_with_count),
	    T(test_host_page_with_gfn),
	    T(test_kcore_page_with_count_or_gfn),
	    T(test_owner_not_a_live_vm),
	    T(test_vm_page_shared_twice),
	    T(test_vm_page_not_mapped),
	    T(test_vm_page_without_gfn),
	    T(test_vm_page_gfn_points_elsewhere),
	    T(test_kcore_page_of_no_purpose),
	    T(test_waiting_image_page_given_back),
	    T(test_kcore_image_page_owned_by_host),
	    T(test_carve_out_page_owned_by_host),
	    T(test_host_maps_kcore_page_marked_host),
	    T(test_io_table_maps_kcore_page_marked_host),
	    T(test_vm_maps_carve_page_given_to_it),
	    T(test_ste_in_bypass),
	    T(test_ste_points_elsewhere),
	    T(test_smmu_turned_off),
	    T(test_window_page_unmapped),
	    T(test_window_page_remapped),
	    T(test_window_page_made_writable),
	    T(test_mapping_beyond_the_log),
	    T(test_windows_overlap),
	    T(test_window_outside_reserved_range),
	    T(test_free_pool_page_not_zero),
	    T(test_table_page_leaked),
	    T(test_vm_table_page_leaked),
	    T(test_unused_slot_holds_tables),
	    T(test_table_outside_its_pool),
	    T(test_active_vcpu_in_unverified_vm),
	    T(test_vcpu_of_unused_vm),
	    T(test_vcpu_beyond_the_limit),
	    T(test_fast_path_answer_disagrees_with_poweroff),
	    T(test_image_flag_disagrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
