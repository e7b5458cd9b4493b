/* SPDX-License-Identifier: MIT */
/*
 * The host's stage-2, built lazily on its faults (docs/abi.md, "Host stage-2
 * faults"): every access goes through the simulated TLB and MMU and traps to
 * host_s2_fault on a miss, as on hardware. What the host may reach is mapped
 * as an identity map (host_flatmap); everything else is refused with an
 * abort injected into the host (host_iso), leaving memory untouched.
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
#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"

#define KiB4	   0x1000ull
#define MiB2	   (2ull << 20)
#define IPA_TOP	   (1ull << 40) /* the fixture's IPA size */
/* A 2 MiB of device space of one class the host may map (the fixture's BEHIND_SMMU window). */
#define DEV_BLOCK  FX_SMMU_WINDOW
#define DONATE_IPA 0x10000000ull

static u8 payload[4096 + 300];

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (u8)(i * 5 + 1);
	fx_boot(NULL);
	return 0;
}

static paddr_t host_root(void)
{
	paddr_t root;

	assert_true(kcore_s2_root(KCORE_HOST_VMID, &root));
	return root;
}

/* The host's stage-2 at ipa, read by the independent walker. */
static struct sim_xlate host_walk(u64 ipa)
{
	struct sim_xlate x;

	sim_s2_walk(host_root(), kcore_ipa_bits(), ipa_init(ipa), &x);
	return x;
}

/*
 * The host touches addr (read, then write) and must be refused each time:
 * SIM_ABORTED, one more abort recorded at exactly that address, nothing
 * read out, RAM unchanged, nothing mapped for the host there, and the
 * invariants and TLB intact.
 */
static void expect_refused_access(u64 addr)
{
	bool ram = sim_is_ram(pa_init(addr));
	u8 *before = NULL;

	if (ram) {
		before = malloc(KiB4);
		assert_non_null(before);
		memcpy(before, sim_ram_ptr(pa_init(addr & ~(KiB4 - 1))), KiB4);
	}
	for (int write = 0; write <= 1; write++) {
		u64 aborts = sim_host_abort_count();
		u64 v = 0xfeedfacecafef00dull;
		enum sim_access_result r = sim_host_access(ipa_init(addr), write != 0, &v);

		if (r != SIM_ABORTED)
			print_error("host %s of %llx: %s, not refused\n", write ? "write" : "read",
				    (unsigned long long)addr, sim_access_result_name(r));
		assert_int_equal(r, SIM_ABORTED);
		assert_int_equal(sim_host_abort_count(), aborts + 1);
		assert_int_equal(ipa_addr(sim_host_abort_last()), addr);
		assert_int_equal(v, 0xfeedfacecafef00dull); /* nothing read out */
		assert_false(sim_can_access(KCORE_HOST_VMID, ipa_init(addr), write != 0));
	}
	if (ram) {
		assert_memory_equal(before, sim_ram_ptr(pa_init(addr & ~(KiB4 - 1))), KiB4);
		free(before);
	}
	if (addr < IPA_TOP)
		assert_int_not_equal(host_walk(addr).status, SIM_XLATE_OK);
	fx_check();
}

/* ---- what the host may use is mapped on first touch, IPA == PA -------------------- */

static void test_host_page_faults_in_identity(void **state)
{
	u64 pa = fx_host_page(), v = 0x0123456789abcdefull, back = 0;
	u64 aborts = sim_host_abort_count();
	struct sim_xlate x;

	(void)state;
	assert_int_equal(host_walk(pa).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_false(sim_can_access(KCORE_HOST_VMID, ipa_init(pa), false));
	assert_int_equal(sim_host_access(ipa_init(pa + 0x10), true, &v), SIM_OK);
	assert_int_equal(sim_host_abort_count(), aborts);
	/* The value is in RAM at the same physical address. */
	memcpy(&back, sim_ram_ptr(pa_init(pa + 0x10)), sizeof(back));
	assert_int_equal(back, v);

	x = host_walk(pa + 0x10);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), pa + 0x10);
	assert_int_equal(x.leaf_size, KiB4);
	assert_int_equal(x.level, 3);
	assert_true(x.readable);
	assert_true(x.writable);
	assert_true(x.executable);
	assert_false(x.device);
	/* Page by page: the neighbour is not mapped until touched. */
	assert_int_equal(host_walk(pa + KiB4).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(host_walk(pa - KiB4).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(sim_host_access(ipa_init(pa + KiB4), false, &back), SIM_OK);
	x = host_walk(pa + KiB4);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), pa + KiB4);
	assert_int_equal(x.leaf_size, KiB4);
	fx_check();
}

static void test_device_block(void **state)
{
	u64 v = 0, aborts = sim_host_abort_count();
	struct sim_xlate x;

	(void)state;
	/* No device model behind it: the translation succeeds, the access finds no RAM. */
	assert_int_equal(sim_host_access(ipa_init(DEV_BLOCK + 0x12340), false, &v), SIM_NOT_RAM);
	assert_int_equal(sim_host_abort_count(), aborts);
	for (u64 off = 0; off < MiB2; off += 0x3f008) {
		x = host_walk(DEV_BLOCK + off);
		assert_int_equal(x.status, SIM_XLATE_OK);
		assert_int_equal(pa_addr(x.pa), DEV_BLOCK + off);
		assert_int_equal(x.leaf_size, MiB2);
		assert_int_equal(x.level, 2);
		assert_true(x.device);
		assert_true(x.readable);
		assert_true(x.writable);
		assert_false(x.executable);
		assert_true(sim_can_access(KCORE_HOST_VMID, ipa_init(DEV_BLOCK + off), true));
	}
	assert_int_equal(host_walk(DEV_BLOCK + MiB2).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(sim_host_abort_count(), aborts);
	fx_check();
	/* The last 2 MiB of the IPA space is in no range of the platform policy: denied. */
	expect_refused_access(IPA_TOP - 8);
}

static void test_device_pages_next_to_kcore_device(void **state)
{
	/* FX_DEVICE_BASE's 2 MiB holds FX_KCORE_DEVICE: no block there, only pages. */
	const u64 pages[] = {FX_DEVICE_BASE, FX_KCORE_DEVICE - KiB4, FX_DEVICE_BASE + 0x1238};
	u64 v = 0, aborts = sim_host_abort_count();

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++) {
		struct sim_xlate x;

		assert_int_equal(sim_host_access(ipa_init(pages[i]), true, &v), SIM_NOT_RAM);
		x = host_walk(pages[i]);
		assert_int_equal(x.status, SIM_XLATE_OK);
		assert_int_equal(pa_addr(x.pa), pages[i]);
		assert_int_equal(x.leaf_size, KiB4);
		assert_true(x.device);
		assert_true(x.writable);
		assert_false(x.executable);
	}
	assert_int_equal(sim_host_abort_count(), aborts);
	/* The kcore device itself stays unmapped. */
	assert_int_equal(host_walk(FX_KCORE_DEVICE).status, SIM_XLATE_TRANSLATION_FAULT);
	fx_check();
	expect_refused_access(FX_KCORE_DEVICE);
	expect_refused_access(FX_KCORE_DEVICE + KiB4 - 8);
	/* Touched after its neighbours were mapped page by page: still refused. */
	assert_int_equal(host_walk(FX_KCORE_DEVICE).status, SIM_XLATE_TRANSLATION_FAULT);
	/* Above it the fixture's policy has no range until FX_DENIED_DEVICE: unknown, denied. */
	expect_refused_access(FX_KCORE_DEVICE + KiB4);
	expect_refused_access((FX_DEVICE_BASE | (MiB2 - 1)) - 7);
}

/* ---- what the host may not reach ----------------------------------------------------- */

static void test_beyond_ipa_space(void **state)
{
	u64 pa = fx_host_page(), v = 7;

	(void)state;
	expect_refused_access(IPA_TOP);
	/* The host's own page, with a bit above the IPA size: no alias of it. */
	expect_refused_access(IPA_TOP | pa);
	expect_refused_access((1ull << 48) | pa);
	expect_refused_access(1ull << 63);
	expect_refused_access(~0ull & ~7ull);
	assert_int_equal(host_walk(pa).status, SIM_XLATE_TRANSLATION_FAULT);
	assert_int_equal(sim_host_access(ipa_init(pa), false, &v), SIM_OK);
}

static void test_kcore_memory(void **state)
{
	const struct kcore_boot_params *p = kcore_params();
	u64 carve = pa_addr(p->carve.base), carve_end = carve + p->carve.size;

	(void)state;
	/* kcore's image: give it recognisable contents first. */
	memset(sim_ram_ptr(pa_init(FX_RAM_BASE)), 0xc3, 2 * KiB4);
	expect_refused_access(FX_RAM_BASE);
	expect_refused_access(FX_RAM_BASE + KiB4 + 0x800);
	expect_refused_access(FX_RAM_BASE + FX_KCORE_IMAGE_SIZE - 8);
	/* The carve-out: the ownership table at its start, pools at its end. */
	assert_int_equal(carve_end, FX_RAM_BASE + FX_RAM_SIZE);
	expect_refused_access(carve);
	expect_refused_access(carve_end - KiB4);
	expect_refused_access(carve_end - 8);
}

static void test_page_table_pages(void **state)
{
	u64 pa = fx_host_page(), v = 0;
	paddr_t root = host_root();
	struct sim_xlate x;

	(void)state;
	/* Give the host's stage-2 some tables below the root, then go after them. */
	assert_int_equal(sim_host_access(ipa_init(pa), false, &v), SIM_OK);
	x = host_walk(pa);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_true(pool_contains(host_pool(), root));
	assert_true(pool_contains(host_pool(), pa_init(pa_addr(x.desc_pa) & ~(KiB4 - 1))));
	expect_refused_access(pa_addr(root));
	expect_refused_access(pa_addr(x.desc_pa) & ~7ull); /* the level-3 table mapping pa */
	/* kcore's own stage-1 root. */
	expect_refused_access(pa_addr(kcore_s1_root()));
	/* A stage-2 root of a VM. */
	{
		u32 vmid = fx_boot_vm(1, payload, sizeof(payload));
		paddr_t vroot;

		assert_true(kcore_s2_root(vmid, &vroot));
		expect_refused_access(pa_addr(vroot));
	}
	/* The mapping of pa is untouched by all this. */
	assert_int_equal(sim_host_access(ipa_init(pa), false, &v), SIM_OK);
}

/* The page a VM maps at ipa, read from its stage-2 by the walker. */
static u64 vm_page_pa(u32 vmid, u64 ipa)
{
	struct sim_xlate x;
	paddr_t root;

	assert_true(kcore_s2_root(vmid, &root));
	assert_int_equal(sim_s2_walk(root, kcore_ipa_bits(), ipa_init(ipa), &x), SIM_XLATE_OK);
	return pa_addr(x.pa);
}

static void test_vm_pages(void **state)
{
	u64 pa = fx_host_page(), v = 0x1111111111111111ull;
	u32 vmid;
	u64 img_pa;

	(void)state;
	vmid = fx_boot_vm(1, payload, sizeof(payload));
	img_pa = vm_page_pa(vmid, FX_LOAD_IPA);
	assert_int_equal(fx_owner(img_pa), vmid);
	expect_refused_access(img_pa);
	expect_refused_access(img_pa + KiB4 + 0x100);
	/* A page the host used (mapped, cached) and then donated: gone at once. */
	assert_int_equal(sim_host_access(ipa_init(pa), true, &v), SIM_OK);
	fx_check();
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, DONATE_IPA, pa, KiB4, NULL), KCORE_OK);
	expect_refused_access(pa);
	/* The VM got what the host wrote; the host keeps no way in. */
	v = 0;
	assert_int_equal(sim_vm_access(vmid, ipa_init(DONATE_IPA), false, &v), SIM_OK);
	assert_int_equal(v, 0x1111111111111111ull);
}

static void test_image_page_waiting_for_verification(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 vmid, pa, idx;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	pa = fx_host_alloc(2 * KiB4, KiB4);
	assert_int_equal(sim_host_access_bytes(ipa_init(pa), img, size, true), SIM_OK);
	fx_check(); /* the host's translations of both pages are cached */
	assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA, size, 0, &idx), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REMAP_VM_IMAGE, vmid, pa >> 12, idx, 0, NULL), KCORE_OK);
	assert_int_equal(fx_owner(pa), OWNER_KCORE);
	expect_refused_access(pa);
	expect_refused_access(pa + KiB4 - 8);
	/* The second page is not handed over yet: still the host's. */
	assert_true(sim_can_access(KCORE_HOST_VMID, ipa_init(pa + KiB4), true));
	free(img);
}

/* ---- pages a VM shares ------------------------------------------------------------------ */

static void test_shared_page_until_unshared(void **state)
{
	u32 vmid = fx_boot_vm(1, payload, sizeof(payload));
	u64 pa = fx_host_page(), v, pc = 0, other, idx;
	s64 err = 1;
	struct sim_xlate x;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, DONATE_IPA, pa, KiB4, NULL), KCORE_OK);
	assert_int_equal(vcpu_activate(vmid, 0, &pc), KCORE_OK);
	v = 0xabcdef0011223344ull;
	assert_int_equal(sim_vm_access(vmid, ipa_init(DONATE_IPA + 0x40), true, &v), SIM_OK);
	expect_refused_access(pa + 0x40);

	assert_true(fx_guest_call(vmid, 0, KC_GC_SHARE_PAGE, DONATE_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	assert_int_equal(fx_count(pa), 1);
	/* The host reads what the VM wrote, and writes what the VM then reads. */
	v = 0;
	assert_int_equal(sim_host_access(ipa_init(pa + 0x40), false, &v), SIM_OK);
	assert_int_equal(v, 0xabcdef0011223344ull);
	v = 0x5555666677778888ull;
	assert_int_equal(sim_host_access(ipa_init(pa + 0x48), true, &v), SIM_OK);
	v = 0;
	assert_int_equal(sim_vm_access(vmid, ipa_init(DONATE_IPA + 0x48), false, &v), SIM_OK);
	assert_int_equal(v, 0x5555666677778888ull);
	/* Identity mapped, data only: never executable by the host. */
	x = host_walk(pa);
	assert_int_equal(x.status, SIM_XLATE_OK);
	assert_int_equal(pa_addr(x.pa), pa);
	assert_int_equal(x.leaf_size, KiB4);
	assert_true(x.readable);
	assert_true(x.writable);
	assert_false(x.executable);
	assert_false(x.device);
	/* A shared page is still the VM's: the host cannot give it away. */
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_DONATE, vmid, DONATE_IPA + KiB4, pa, KiB4);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &other), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, other, FX_LOAD_IPA, 2 * KiB4, 0, &idx),
			 KCORE_OK);
	fx_expect_refused(KCORE_E_PERM, KC_HC_REMAP_VM_IMAGE, other, pa >> 12, idx, 0);
	fx_check(); /* the host's translation of the shared page is cached */

	assert_true(fx_guest_call(vmid, 0, KC_GC_UNSHARE_PAGE, DONATE_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	assert_int_equal(fx_count(pa), 0);
	expect_refused_access(pa + 0x40);
	expect_refused_access(pa + 0x48);
	/* Unsharing twice: STATE, nothing changes. */
	assert_true(fx_guest_call(vmid, 0, KC_GC_UNSHARE_PAGE, DONATE_IPA, &err));
	assert_int_equal(err, KCORE_E_STATE);

	/* Shared again: reachable again, and the contents are what they were. */
	assert_true(fx_guest_call(vmid, 0, KC_GC_SHARE_PAGE, DONATE_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	v = 0;
	assert_int_equal(sim_host_access(ipa_init(pa + 0x48), false, &v), SIM_OK);
	assert_int_equal(v, 0x5555666677778888ull);
	fx_check();
	assert_true(fx_guest_call(vmid, 0, KC_GC_UNSHARE_PAGE, DONATE_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	expect_refused_access(pa);
	vcpu_deactivate(vmid, 0);
	fx_check();
}

/* ---- an exhausted host pool is an abort, not a crash -------------------------------- */

static int setup_small_host_pool(void **state)
{
	struct fx_config c = fx_default_config();

	(void)state;
	c.host_pool_pages = 4; /* a root and one path of three tables */
	fx_boot(&c);
	return 0;
}

static void test_host_pool_exhausted(void **state)
{
	u64 pa = fx_host_page(), v = 0;

	(void)state;
	assert_int_equal(sim_host_access(ipa_init(pa), true, &v), SIM_OK);
	assert_int_equal(pool_nr_free(host_pool()), 0);
	/* Device space in another 1 GiB needs a level-2 table: none left. */
	expect_refused_access(DEV_BLOCK);
	/* The same 2 MiB as pa needs nothing new. */
	assert_int_equal(sim_host_access(ipa_init(pa + KiB4), true, &v), SIM_OK);
	fx_check();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_host_page_faults_in_identity, setup),
	    cmocka_unit_test_setup(test_device_block, setup),
	    cmocka_unit_test_setup(test_device_pages_next_to_kcore_device, setup),
	    cmocka_unit_test_setup(test_beyond_ipa_space, setup),
	    cmocka_unit_test_setup(test_kcore_memory, setup),
	    cmocka_unit_test_setup(test_page_table_pages, setup),
	    cmocka_unit_test_setup(test_vm_pages, setup),
	    cmocka_unit_test_setup(test_image_page_waiting_for_verification, setup),
	    cmocka_unit_test_setup(test_shared_page_until_unshared, setup),
	    cmocka_unit_test_setup(test_host_pool_exhausted, setup_small_host_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
