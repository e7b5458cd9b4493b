/* SPDX-License-Identifier: MIT */
/*
 * Regression tests for the defects of SeKVM's public implementation that the
 * brief lists ("SeKVM's public implementation: defects we must not repeat").
 * Each test performs the attack the defect allowed and checks kcore refuses
 * it and that nothing changed. Defects 2 and 7 (encryption of VM state) have
 * no code yet (issue 9) and so no test here.
 */
#include <kcore/psci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/lib/log.h"
#include "core/memops/host_mem.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/lib/child.h"
#include "tests/lib/fixture.h"

#define KiB4	   0x1000ull
#define MiB2	   (2ull << 20)
#define IPA_TOP	   (1ull << 40) /* the fixture's IPA size */
#define DONATE_IPA 0x10000000ull
#define BLOCK_IPA  0x10200000ull
#define IO_IPA	   0x20000000ull

static u8 payload[2 * 4096 + 100];

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (u8)(i * 13 + 7);
	fx_boot(NULL);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static u64 pages_of(size_t size)
{
	return ((u64)size + KiB4 - 1) / KiB4;
}

static u64 new_vm(u32 nr_vcpus)
{
	u64 vmid = 0;

	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	for (u32 i = 0; i < nr_vcpus; i++)
		assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, i, 0, 0, NULL), KCORE_OK);
	return vmid;
}

/* The host writes bytes into fresh pages of its own, through its stage-2. */
static u64 host_write_fresh(const void *bytes, size_t size)
{
	u64 pa = fx_host_alloc(pages_of(size) * KiB4, KiB4);

	assert_int_equal(sim_host_access_bytes(ipa_init(pa), (void *)(uintptr_t)bytes, size, true),
			 SIM_OK);
	return pa;
}

static u64 set_boot_info(u64 vmid, u64 ipa, u64 size)
{
	u64 idx = ~0ull;

	assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, vmid, ipa, size, 0, &idx), KCORE_OK);
	return idx;
}

static void remap_pages(u64 vmid, u64 pa, u64 first, u64 n, u64 idx)
{
	for (u64 i = first; i < first + n; i++)
		assert_int_equal(fx_hc(KC_HC_REMAP_VM_IMAGE, vmid, (pa >> 12) + i, idx, 0, NULL),
				 KCORE_OK);
}

/* Registers a VM, hands it `declared` bytes of img (which may differ from its size). */
static u64 vm_with_image(const u8 *img, size_t declared, u64 *pa)
{
	u64 vmid = new_vm(1);
	u64 idx;

	*pa = host_write_fresh(img, declared);
	idx = set_boot_info(vmid, FX_LOAD_IPA, declared);
	remap_pages(vmid, *pa, 0, pages_of(declared), idx);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	fx_check();
	return vmid;
}

/* A host access that must be refused: abort injected, memory unchanged. */
static void expect_host_aborted(u64 pa, bool write)
{
	u8 before[8];
	u64 aborts = sim_host_abort_count();
	u64 v = 0x0badc0de0badc0deull;

	memcpy(before, sim_ram_ptr(pa_init(pa)), sizeof(before));
	assert_int_equal(sim_host_access(ipa_init(pa), write, &v), SIM_ABORTED);
	assert_int_equal(sim_host_abort_count(), aborts + 1);
	assert_int_equal(ipa_addr(sim_host_abort_last()), pa);
	assert_int_equal(v, 0x0badc0de0badc0deull); /* nothing read out */
	assert_memory_equal(before, sim_ram_ptr(pa_init(pa)), sizeof(before));
}

static bool page_is_zero(u64 pa)
{
	const u8 *p = sim_ram_ptr(pa_init(pa));

	for (size_t i = 0; i < KiB4; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/* A page back with the host: owned by it, zero, and readable by it (as zeros). */
static void expect_returned_to_host(u64 pa)
{
	u64 v = 0xffff;

	assert_int_equal(fx_owner(pa), OWNER_HOST);
	assert_int_equal(fx_count(pa), 0);
	assert_int_equal(fx_gfn(pa), GFN_NONE);
	assert_true(page_is_zero(pa));
	assert_int_equal(sim_host_access(ipa_init(pa + KiB4 - 8), false, &v), SIM_OK);
	assert_int_equal(v, 0);
}

/*
 * What must follow any failed verification: KCORE_E_VERIFY, the VM is not
 * VERIFIED and no vCPU of it runs, it can never be verified (or given
 * anything) again, the pages stay out of the host's reach until VM_FREE, and
 * VM_FREE gives them back zeroed.
 */
static void expect_verification_refused(u64 vmid, u64 pa, u64 npages)
{
	u64 pc = 0x1234;

	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_E_VERIFY);
	assert_int_not_equal(vm_from_id(vmid)->state, VM_VERIFIED);
	assert_int_equal(vm_from_id(vmid)->state, VM_POWEROFF);
	assert_int_equal(vcpu_activate((u32)vmid, 0, &pc), KCORE_E_STATE);
	assert_int_equal(pc, 0x1234);
	fx_check();
	for (u64 i = 0; i < npages; i++) {
		assert_int_equal(fx_owner(pa + i * KiB4), OWNER_KCORE);
		expect_host_aborted(pa + i * KiB4, true);
	}
	/* Never again: not by retrying, not by adding images, memory or entry points. */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VERIFY_VM, vmid, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + (16ull << 20),
			  KiB4, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REMAP_VM_IMAGE, vmid, fx_host_page() >> 12, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_DONATE, vmid, DONATE_IPA, fx_host_page(), KiB4);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REGISTER_VCPU, vmid, 1, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_POWEROFF, vmid, 0, 0, 0);
	assert_int_equal(vcpu_activate((u32)vmid, 0, &pc), KCORE_E_STATE);

	assert_int_equal(fx_hc(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_check();
	for (u64 i = 0; i < npages; i++)
		expect_returned_to_host(pa + i * KiB4);
	assert_int_equal(vm_from_id(vmid)->state, VM_UNUSED);
	assert_int_not_equal(vcpu_activate((u32)vmid, 0, &pc), KCORE_OK);
	fx_check();
}

/* ---- defect 1 ----------------------------------------------------------------------- */
/*
 * Defect 1: "Image verification ignored the signature result (always
 * "verified"), with a key and signature hard-coded."
 */

/* Defect 1: an image signed with a key kcore does not trust. */
static void test_defect1_untrusted_key(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_untrusted_key(), payload, sizeof(payload), &size);
	u64 pa, vmid;

	(void)state;
	vmid = vm_with_image(img, size, &pa);
	expect_verification_refused(vmid, pa, pages_of(size));
	free(img);
}

/*
 * Defect 1: signed by an untrusted key but naming the trusted key's id, so
 * the key is found and only the signature check itself can refuse: a
 * verifier that ignores its ECDSA result accepts this one.
 */
static void test_defect1_forged_key_id(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_untrusted_key(), payload, sizeof(payload), &size);
	u64 pa, vmid;

	(void)state;
	memcpy(img + size - KCORE_IMG_TRAILER_SIZE + offsetof(struct kcore_img_trailer, key_id),
	       fx_trusted_key()->key_id, KCORE_IMG_KEYID_SIZE);
	vmid = vm_with_image(img, size, &pa);
	expect_verification_refused(vmid, pa, pages_of(size));
	free(img);
}

/* Defect 1: one payload byte flipped after signing (and, separately, one signature byte). */
static void test_defect1_flipped_byte(void **state)
{
	const size_t flips[] = {0, 4096 + 17, sizeof(payload) - 1};
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 pa, vmid;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flips); i++) {
		img[flips[i]] ^= 0x01;
		vmid = vm_with_image(img, size, &pa);
		expect_verification_refused(vmid, pa, pages_of(size));
		img[flips[i]] ^= 0x01;
	}
	img[size - 1] ^= 0x80; /* the last byte of s */
	vmid = vm_with_image(img, size, &pa);
	expect_verification_refused(vmid, pa, pages_of(size));
	img[size - 1] ^= 0x80;
	/* The untouched image still boots: the refusals above were for the flips. */
	vmid = vm_with_image(img, size, &pa);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(vm_from_id(vmid)->state, VM_VERIFIED);
	fx_check();
	free(img);
}

/*
 * Defect 1: a truncated trailer, a missing trailer, bytes appended after the
 * trailer, and unsigned bytes slipped in between payload and trailer (the
 * signature still covers exactly the payload: only the size rule refuses it).
 */
static void test_defect1_truncated_trailer(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u8 *longer = calloc(1, size + KiB4);
	u8 *stuffed = calloc(1, size + KiB4);
	u64 pa, vmid;

	(void)state;
	assert_non_null(longer);
	assert_non_null(stuffed);
	memcpy(longer, img, size);
	memcpy(stuffed, payload, sizeof(payload));
	memset(stuffed + sizeof(payload), 0xee, KiB4);
	memcpy(stuffed + sizeof(payload) + KiB4, img + sizeof(payload), KCORE_IMG_TRAILER_SIZE);

	vmid = vm_with_image(img, size - 16, &pa);
	expect_verification_refused(vmid, pa, pages_of(size - 16));
	vmid = vm_with_image(img, size - KCORE_IMG_SIG_SIZE, &pa);
	expect_verification_refused(vmid, pa, pages_of(size - KCORE_IMG_SIG_SIZE));
	vmid = vm_with_image(img, sizeof(payload), &pa);
	expect_verification_refused(vmid, pa, pages_of(sizeof(payload)));
	vmid = vm_with_image(longer, size + 64, &pa);
	expect_verification_refused(vmid, pa, pages_of(size + 64));
	vmid = vm_with_image(stuffed, size + KiB4, &pa);
	expect_verification_refused(vmid, pa, pages_of(size + KiB4));
	free(stuffed);
	free(longer);
	free(img);
}

/* Defect 1: a valid image the host changes after SET_BOOT_INFO, before the page is remapped. */
static void test_defect1_host_change_before_remap(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 n = pages_of(size), vmid = new_vm(1);
	u64 pa = host_write_fresh(img, size);
	u64 idx = set_boot_info(vmid, FX_LOAD_IPA, size), v = 0;

	(void)state;
	/* Page 0 and 1 go to kcore; the host then changes page 2, which it still owns. */
	remap_pages(vmid, pa, 0, 2, idx);
	expect_host_aborted(pa, true);
	assert_int_equal(sim_host_access(ipa_init(pa + 2 * KiB4 + 8), false, &v), SIM_OK);
	v ^= 1ull << 40;
	assert_int_equal(sim_host_access(ipa_init(pa + 2 * KiB4 + 8), true, &v), SIM_OK);
	remap_pages(vmid, pa, 2, n - 2, idx);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	fx_check();
	expect_verification_refused(vmid, pa, n);
	free(img);
}

/*
 * Defect 1: after REMAP the host's writes to the image pages abort (the TLB
 * held the host's translations: the remap must have invalidated them), and
 * the signed image, unchanged, verifies and is what the VM sees.
 */
static void test_defect1_host_write_after_remap(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 n = pages_of(size), vmid = new_vm(1);
	u64 pa = host_write_fresh(img, size);
	u64 idx, pc = 0;
	u8 back[sizeof(payload)];

	(void)state;
	fx_check(); /* every host translation of the image pages is now cached */
	idx = set_boot_info(vmid, FX_LOAD_IPA, size);
	remap_pages(vmid, pa, 0, n, idx);
	for (u64 i = 0; i < n; i++) {
		expect_host_aborted(pa + i * KiB4, true);
		expect_host_aborted(pa + i * KiB4 + 0x800, true);
		expect_host_aborted(pa + i * KiB4, false);
		assert_false(sim_can_access(KCORE_HOST_VMID, ipa_init(pa + i * KiB4), false));
	}
	fx_check();
	assert_memory_equal(sim_ram_ptr(pa_init(pa)), img, size);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(vm_from_id(vmid)->state, VM_VERIFIED);
	assert_int_equal(sim_vm_read_bytes((u32)vmid, ipa_init(FX_LOAD_IPA), back, sizeof(back)),
			 SIM_OK);
	assert_memory_equal(back, payload, sizeof(payload));
	/* Now the VM's: still out of the host's reach. */
	expect_host_aborted(pa, true);
	assert_int_equal(vcpu_activate((u32)vmid, 0, &pc), KCORE_OK);
	assert_int_equal(pc, FX_LOAD_IPA);
	vcpu_deactivate((u32)vmid, 0);
	fx_check();
	free(img);
}

/* ---- defect 3 ----------------------------------------------------------------------- */
/* Defect 3: ""panic" only printed and carried on." */

static u64 child_vmid;

static void expect_halted(const struct fx_child *res, const char *why)
{
	if (strstr(res->err, why) == NULL)
		print_error("child's output lacks \"%s\":\n%s\n", why, res->err);
	assert_true(WIFEXITED(res->status));
	assert_int_equal(WEXITSTATUS(res->status), SIM_HALT_EXIT_CODE);
	assert_int_equal(res->after, 0); /* EOF: the code after the panic never ran */
	assert_non_null(strstr(res->err, "PANIC"));
	assert_non_null(strstr(res->err, why));
}

static void child_kc_panic(void)
{
	kc_panic("defect 3 regression: %d", 3);
}

static void child_deactivate_inactive_vcpu(void)
{
	vcpu_deactivate((u32)child_vmid, 0);
}

static void child_guest_poweroff_unverified(void)
{
	vm_guest_poweroff((u32)child_vmid);
}

static void child_host_unmap_without_lock(void)
{
	/* A forged token (only a test can make one: scripts/check_mem_rules.sh). */
	host_unmap_page((struct mem_locked){}, pa_init(FX_RAM_BASE + FX_KCORE_IMAGE_SIZE));
}

/* Defect 3: kc_panic halts; nothing after it runs. */
static void test_defect3_panic_halts(void **state)
{
	struct fx_child res;

	(void)state;
	fx_run_child(child_kc_panic, &res);
	expect_halted(&res, "defect 3 regression: 3");
	assert_non_null(strstr(res.err, "halted"));
}

/* Defect 3: a broken internal invariant (KC_CHECK) halts too, instead of carrying on. */
static void test_defect3_broken_invariant_halts(void **state)
{
	struct fx_child res;

	(void)state;
	/* vCPU 0 of a verified VM is READY, not ACTIVE: deactivating it is a kcore bug. */
	child_vmid = fx_boot_vm(1, payload, sizeof(payload));
	fx_run_child(child_deactivate_inactive_vcpu, &res);
	expect_halted(&res, "check failed");
	/* In the parent nothing happened: the vCPU is still READY. */
	assert_int_equal(vm_from_id(child_vmid)->vcpus[0].state, VCPU_READY);

	/* A guest power-off can only come from a running, hence verified, VM. */
	child_vmid = new_vm(1);
	fx_run_child(child_guest_poweroff_unverified, &res);
	expect_halted(&res, "check failed");
	assert_int_equal(vm_from_id(child_vmid)->state, VM_READY);

	/* The host's stage-2 is changed only under mem_lock. */
	assert_false(mem_lock_held());
	fx_run_child(child_host_unmap_without_lock, &res);
	expect_halted(&res, "check failed");
	fx_check();
}

/* ---- defect 4 ----------------------------------------------------------------------- */
/*
 * Defect 4: "The hypercall dispatcher indexed arrays with host-given
 * vmid/vcpuid/load_idx without range checks." Every id is a raw 64-bit
 * register; out of range is KCORE_E_INVAL whatever its low 32 bits say.
 */

static u64 bad_vmids[10];

static void init_bad_vmids(void)
{
	const u64 v[] = {0,
			 (u64)vm_max_vms() + 1,
			 KCORE_MAX_VMS,
			 KCORE_MAX_VMS + 1,
			 0xffffffffull,
			 0x100000000ull,
			 0x100000001ull, /* VM 1 if truncated to 32 bits */
			 1ull << 63,
			 (1ull << 63) | 1,
			 ~0ull};

	memcpy(bad_vmids, v, sizeof(v));
}

static void refuse_bad_vmids(u64 id, u64 a2, u64 a3, u64 a4)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_vmids); i++)
		fx_expect_refused(KCORE_E_INVAL, id, bad_vmids[i], a2, a3, a4);
}

/*
 * Defect 4: every call of abi.md that takes a vmid, through a VM's whole life:
 * before each real call, the same call with each bad vmid is refused and
 * changes nothing; the real call (vmid 1) then succeeds, so the refusals were
 * for the vmid alone.
 */
static void test_defect4_vmid_range_every_call(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 vmid, idx, pa, donated = fx_host_page();

	(void)state;
	init_bad_vmids();
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	assert_int_equal(vmid, 1);

	refuse_bad_vmids(KC_HC_REGISTER_VCPU, 0, 0, 0);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 0, 0, 0, NULL), KCORE_OK);

	pa = host_write_fresh(img, size);
	refuse_bad_vmids(KC_HC_SET_BOOT_INFO, FX_LOAD_IPA, size, 0);
	idx = set_boot_info(vmid, FX_LOAD_IPA, size);

	refuse_bad_vmids(KC_HC_REMAP_VM_IMAGE, pa >> 12, idx, 0);
	remap_pages(vmid, pa, 0, pages_of(size), idx);

	refuse_bad_vmids(KC_HC_VCPU_SET_ENTRY, 0, FX_LOAD_IPA, 0);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);

	refuse_bad_vmids(KC_HC_VM_DONATE, DONATE_IPA, donated, KiB4);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, DONATE_IPA, donated, KiB4, NULL), KCORE_OK);

	refuse_bad_vmids(KC_HC_VM_MAP_IO, IO_IPA, FX_DEVICE_BASE, 0);
	assert_int_equal(fx_hc(KC_HC_VM_MAP_IO, vmid, IO_IPA, FX_DEVICE_BASE, 0, NULL), KCORE_OK);

	refuse_bad_vmids(KC_HC_VERIFY_VM, 0, 0, 0);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_OK);

	refuse_bad_vmids(KC_HC_VM_POWEROFF, 0, 0, 0);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);

	refuse_bad_vmids(KC_HC_VM_CLEAR_RANGE, 0, IPA_TOP, 0);
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, vmid, 0, IPA_TOP, 0, NULL), KCORE_OK);

	refuse_bad_vmids(KC_HC_VM_FREE, 0, 0, 0);
	assert_int_equal(fx_hc(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_check();
	free(img);
}

/* Defect 4: vcpuid out of range, including values whose low 32 bits are a real vCPU. */
static void test_defect4_vcpuid_range(void **state)
{
	const u64 bad[] = {vm_max_vcpus(), KCORE_MAX_VCPUS, KCORE_MAX_VCPUS + 1, 0x100000000ull,
			   0x100000001ull, 0xffffffffull,   1ull << 63,		 ~0ull};
	u64 vmid = new_vm(1);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fx_expect_refused(KCORE_E_INVAL, KC_HC_REGISTER_VCPU, vmid, bad[i], 0, 0);
		fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_SET_ENTRY, vmid, bad[i], FX_LOAD_IPA,
				  0);
	}
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 1, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, vm_max_vcpus() - 1, 0, 0, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	fx_check();
}

/* Defect 4: load_idx out of range, or naming an image never declared. */
static void test_defect4_load_idx_range(void **state)
{
	const u64 bad[] = {1,
			   KCORE_MAX_LOAD_IMAGES,
			   KCORE_MAX_LOAD_IMAGES + 1,
			   0x100000000ull, /* image 0 if truncated */
			   0x100000001ull,
			   1ull << 63,
			   ~0ull};
	u64 vmid = new_vm(1), pa = fx_host_page();
	u64 idx = set_boot_info(vmid, FX_LOAD_IPA, 3 * KiB4);

	(void)state;
	assert_int_equal(idx, 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		fx_expect_refused(KCORE_E_INVAL, KC_HC_REMAP_VM_IMAGE, vmid, pa >> 12, bad[i], 0);
	assert_int_equal(fx_owner(pa), OWNER_HOST);
	assert_int_equal(fx_hc(KC_HC_REMAP_VM_IMAGE, vmid, pa >> 12, idx, 0, NULL), KCORE_OK);
	assert_int_equal(fx_owner(pa), OWNER_KCORE);
	fx_check();
}

/* Defect 4: frame numbers and addresses out of range, including ones that wrap onto RAM. */
static void test_defect4_pfn_and_address_range(void **state)
{
	u64 vmid = new_vm(1), pa = fx_host_page(), pfn = pa >> 12;
	const u64 bad_pfns[] = {1ull << 36, /* PA 2^48 */
				(1ull << 36) | pfn,
				(1ull << 52) | pfn, /* pfn << 12 wraps to pa */
				1ull << 63,
				~0ull,
				0,
				FX_DEVICE_BASE >> 12,
				(FX_RAM_BASE + FX_RAM_SIZE) >> 12};
	const u64 bad_pas[] = {(1ull << 48) | pa, (1ull << 63) | pa, pa + 8, pa + 0x800, 0,
			       FX_DEVICE_BASE};
	const u64 bad_ipas[] = {IPA_TOP, IPA_TOP | DONATE_IPA, ~0ull & ~(KiB4 - 1), DONATE_IPA + 8,
				1ull << 63};
	const u64 bad_sizes[] = {0, 8, 2 * KiB4, KiB4 + 1, (1ull << 32) | KiB4, MiB2 + KiB4, ~0ull};
	u64 idx = set_boot_info(vmid, FX_LOAD_IPA, 3 * KiB4);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_pfns); i++)
		fx_expect_refused(KCORE_E_INVAL, KC_HC_REMAP_VM_IMAGE, vmid, bad_pfns[i], idx, 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad_pas); i++)
		fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_DONATE, vmid, DONATE_IPA, bad_pas[i],
				  KiB4);
	for (size_t i = 0; i < ARRAY_SIZE(bad_ipas); i++) {
		fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_DONATE, vmid, bad_ipas[i], pa, KiB4);
		fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_MAP_IO, vmid, bad_ipas[i], FX_DEVICE_BASE,
				  0);
		fx_expect_refused(KCORE_E_INVAL, KC_HC_SET_BOOT_INFO, vmid, bad_ipas[i], KiB4, 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++)
		fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_DONATE, vmid, DONATE_IPA, pa,
				  bad_sizes[i]);
	/* A 2 MiB donation needs both addresses 2 MiB aligned. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_DONATE, vmid, DONATE_IPA + KiB4,
			  fx_host_alloc(MiB2, MiB2), MiB2);
	/* MAP_IO takes device pages only: RAM, or a PA beyond 48 bits, is malformed. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_MAP_IO, vmid, IO_IPA, pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_MAP_IO, vmid, IO_IPA,
			  (1ull << 48) | FX_DEVICE_BASE, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_MAP_IO, vmid, IO_IPA, FX_KCORE_DEVICE, 0);
	/* SET_BOOT_INFO: sizes that are no image, and ranges past the IPA space. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + MiB2, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + MiB2,
			  KCORE_IMG_TRAILER_SIZE, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + MiB2, 1ull << 63,
			  0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA + MiB2, ~0ull, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_SET_BOOT_INFO, vmid, IPA_TOP - KiB4, KiB4 + 1, 0);
	/* VCPU_SET_ENTRY: an instruction address is 4-byte aligned. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA + 2, 0);
	/* CLEAR_RANGE of a powered-off VM: empty, unaligned, wrapping or outside ranges. */
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, 0, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, 8, KiB4, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, 0, KiB4 + 8, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, KiB4, ~0ull & ~(KiB4 - 1), 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, IPA_TOP, KiB4, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, 0, IPA_TOP + KiB4, 0);
	assert_int_equal(fx_owner(pa), OWNER_HOST);
}

/* Defect 4: function ids kcore does not know, including a guest call sent by the host. */
static void test_defect4_unknown_function_ids(void **state)
{
	const u64 ids[] = {KC_HC_VERSION | (1ull << 32),
			   KC_HC_REGISTER_VM | (1ull << 63),
			   KCORE_HC(0x21),
			   KCORE_HC(0x3e),
			   KC_GC_SHARE_PAGE,
			   KC_GC_UNSHARE_PAGE,
			   PSCI_SYSTEM_OFF,
			   0,
			   ~0ull};
	u32 vmid = fx_boot_vm(1, payload, sizeof(payload));

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		fx_expect_refused(KCORE_E_NOT_SUPPORTED, ids[i], FX_LOAD_IPA, vmid, 0, 0);
	assert_int_equal(vm_from_id(vmid)->state, VM_VERIFIED);
}

/* ---- defect 5 ----------------------------------------------------------------------- */
/*
 * Defect 5: "register_vcpu accepted `vm_state == READY || vcpu_state ==
 * UNUSED` where the spec requires both."
 */

/* Defect 5: VM VERIFIED, vCPU UNUSED: refused (|| would accept it). */
static void test_defect5_verified_vm_unused_vcpu(void **state)
{
	u32 vmid = fx_boot_vm(1, payload, sizeof(payload));
	u64 pc = 0;

	(void)state;
	assert_int_equal(vm_from_id(vmid)->vcpus[1].state, VCPU_UNUSED);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REGISTER_VCPU, vmid, 1, 0, 0);
	/* So no unregistered vCPU of a running VM can ever be started. */
	assert_int_equal(vcpu_activate(vmid, 1, &pc), KCORE_E_STATE);
}

/* Defect 5: VM READY, vCPU already READY: refused (|| would reset it). */
static void test_defect5_ready_vm_ready_vcpu(void **state)
{
	u64 vmid = new_vm(1);

	(void)state;
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REGISTER_VCPU, vmid, 0, 0, 0);
	/* The entry point the host set stands: re-registering did not wipe the vCPU. */
	assert_true(vm_from_id(vmid)->vcpus[0].entry_set);
	assert_int_equal(vm_from_id(vmid)->vcpus[0].entry_pc, FX_LOAD_IPA);
	/* Both conditions hold: accepted. */
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 1, 0, 0, NULL), KCORE_OK);
	fx_check();
}

/* Defect 5: a VM slot that is UNUSED (never registered, or freed), and a POWEROFF VM. */
static void test_defect5_unused_or_poweroff_vm(void **state)
{
	u64 vmid = new_vm(1), freed = new_vm(1);

	(void)state;
	assert_int_equal(vm_from_id(3)->state, VM_UNUSED);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REGISTER_VCPU, 3, 0, 0, 0);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, freed, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_FREE, freed, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REGISTER_VCPU, freed, 0, 0, 0);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REGISTER_VCPU, vmid, 1, 0, 0);
}

/* ---- defect 6 ----------------------------------------------------------------------- */
/*
 * Defect 6: "The VM power-off flag was never set, so teardown checks passed
 * vacuously, and page clearing did not unmap the page from the VM."
 */

/* Defect 6: CLEAR_RANGE and FREE of a VM that is not powered off are refused. */
static void test_defect6_teardown_of_running_vm_refused(void **state)
{
	u32 vmid = fx_boot_vm(2, payload, sizeof(payload));
	u64 pa = fx_host_page(), pc = 0;
	s64 err = 1;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, DONATE_IPA, pa, KiB4, NULL), KCORE_OK);
	fx_check();
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_CLEAR_RANGE, vmid, 0, IPA_TOP, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_CLEAR_RANGE, vmid, DONATE_IPA, KiB4, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_FREE, vmid, 0, 0, 0);

	/* A running vCPU: the host may not power the VM off under it. */
	assert_int_equal(vcpu_activate(vmid, 0, &pc), KCORE_OK);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_POWEROFF, vmid, 0, 0, 0);
	/* The guest powers itself off: the flag is set at once... */
	assert_true(fx_guest_call(vmid, 0, PSCI_SYSTEM_OFF, 0, &err));
	assert_int_equal(err, KCORE_OK);
	assert_int_equal(vm_from_id(vmid)->state, VM_POWEROFF);
	/* ...no other vCPU starts, and nothing is reclaimed while vCPU 0 is still running. */
	assert_int_equal(vcpu_activate(vmid, 1, &pc), KCORE_E_STATE);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_CLEAR_RANGE, vmid, 0, IPA_TOP, 0);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_FREE, vmid, 0, 0, 0);
	assert_int_equal(fx_owner(pa), vmid);
	vcpu_deactivate(vmid, 0);
	assert_int_equal(vcpu_activate(vmid, 0, &pc), KCORE_E_STATE);
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, vmid, 0, IPA_TOP, 0, NULL), KCORE_OK);
	expect_returned_to_host(pa);
	assert_int_equal(fx_hc(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_check();
}

/* Defect 6: the host's power-off sets the flag: a loaded, unverified VM then never runs. */
static void test_defect6_host_poweroff_is_final(void **state)
{
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 pa, vmid = vm_with_image(img, size, &pa), pc = 0;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(vm_from_id(vmid)->state, VM_POWEROFF);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VERIFY_VM, vmid, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_POWEROFF, vmid, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_DONATE, vmid, DONATE_IPA, fx_host_page(), KiB4);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_MAP_IO, vmid, IO_IPA, FX_DEVICE_BASE, 0);
	assert_int_equal(vcpu_activate((u32)vmid, 0, &pc), KCORE_E_STATE);
	/* Its image pages come back to the host zeroed with VM_FREE. */
	assert_int_equal(fx_hc(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL), KCORE_OK);
	for (u64 i = 0; i < pages_of(size); i++)
		expect_returned_to_host(pa + i * KiB4);
	fx_check();

	/* The same for an image handed over only in part. */
	vmid = new_vm(1);
	pa = host_write_fresh(img, size);
	remap_pages(vmid, pa, 0, 2, set_boot_info(vmid, FX_LOAD_IPA, size));
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_REMAP_VM_IMAGE, vmid, (pa >> 12) + 2, 0, 0);
	assert_int_equal(fx_hc(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL), KCORE_OK);
	for (u64 i = 0; i < 2; i++)
		expect_returned_to_host(pa + i * KiB4);
	/* The page never handed over was the host's all along, contents and all. */
	assert_int_equal(fx_owner(pa + 2 * KiB4), OWNER_HOST);
	assert_memory_equal(sim_ram_ptr(pa_init(pa + 2 * KiB4)), img + 2 * KiB4, size - 2 * KiB4);
	fx_check();
	free(img);
}

static u32 child_vcpu;

static void child_guest_poweroff_again(void)
{
	s64 err = 1;

	/* Handled by kcore either way; the state must stay POWEROFF. */
	if (!fx_guest_call((u32)child_vmid, child_vcpu, PSCI_SYSTEM_OFF, 0, &err) ||
	    vm_from_id(child_vmid)->state != VM_POWEROFF)
		_exit(3);
}

/*
 * Defect 6, the other way round: now that power-off sets the flag, a second
 * PSCI SYSTEM_OFF must not trip over it. vCPU 0 powers the VM off while
 * vCPU 1 is still running (on another CPU) and then calls SYSTEM_OFF too; or
 * the single vCPU that powered off calls it again before it is descheduled
 * (vm_hvc_dispatch says "handled", so the arch resumes it). Guest input must
 * never reach a KC_CHECK: a VM that can halt kcore halts every other VM.
 */
static void test_defect6_second_guest_poweroff_does_not_halt(void **state)
{
	struct fx_child res;
	u64 pc = 0;
	s64 err = 1;

	(void)state;
	child_vmid = fx_boot_vm(2, payload, sizeof(payload));
	/* vCPU 1 starts as the guest starts it: vCPU 0's CPU_ON. */
	assert_int_equal(fx_guest_cpu_on((u32)child_vmid, 0, 1, FX_LOAD_IPA, 0), 0);
	assert_int_equal(vcpu_activate((u32)child_vmid, 0, &pc), KCORE_OK);
	assert_int_equal(vcpu_activate((u32)child_vmid, 1, &pc), KCORE_OK);
	assert_true(fx_guest_call((u32)child_vmid, 0, PSCI_SYSTEM_OFF, 0, &err));
	assert_int_equal(err, KCORE_OK);
	assert_int_equal(vm_from_id(child_vmid)->state, VM_POWEROFF);

	child_vcpu = 1;
	fx_run_child(child_guest_poweroff_again, &res);
	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0)
		print_error("second SYSTEM_OFF from the other vCPU: %s\n", res.err);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 0);
	assert_int_equal(res.after, 1); /* it returned */

	child_vcpu = 0;
	fx_run_child(child_guest_poweroff_again, &res);
	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0)
		print_error("second SYSTEM_OFF from the same vCPU: %s\n", res.err);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 0);
	assert_int_equal(res.after, 1); /* it returned */
}

/* The page a VM maps at ipa, read from its stage-2 by the independent walker. */
static u64 vm_page_pa(u32 vmid, u64 ipa)
{
	struct sim_xlate x;
	paddr_t root;

	assert_true(kcore_s2_root(vmid, &root));
	assert_int_equal(sim_s2_walk(root, kcore_ipa_bits(), ipa_init(ipa), &x), SIM_XLATE_OK);
	return pa_addr(x.pa);
}

/* After clearing: unmapped from the VM (TLB included), zero, the host's, readable by it. */
static void expect_cleared(u32 vmid, u64 ipa, u64 pa)
{
	u64 v = 0;

	assert_int_equal(sim_vm_access(vmid, ipa_init(ipa), false, &v), SIM_S2_FAULT);
	assert_int_equal(sim_vm_access(vmid, ipa_init(ipa), true, &v), SIM_S2_FAULT);
	assert_false(sim_can_access(vmid, ipa_init(ipa), false));
	expect_returned_to_host(pa);
}

/*
 * Defect 6: after power-off, clearing unmaps each page from the VM (with
 * invalidation: the TLB held the VM's translations), zeroes it and only then
 * gives it to the host. Image pages, donated pages, a donated block, a page
 * the VM shared with the host, and a device page.
 */
static void test_defect6_clear_unmaps_scrubs_returns(void **state)
{
	u32 vmid = fx_boot_vm(1, payload, sizeof(payload));
	u64 n_img = pages_of(sizeof(payload) + KCORE_IMG_TRAILER_SIZE);
	u64 img_pa[4], pa[2] = {fx_host_page(), fx_host_page()};
	u64 block = fx_host_alloc(MiB2, MiB2);
	u8 *fill = malloc(MiB2);
	s64 err = 1;
	u64 v = 0, seq;
	paddr_t root;

	(void)state;
	assert_non_null(fill);
	memset(fill, 0x5a, MiB2);
	assert_true(n_img <= ARRAY_SIZE(img_pa));
	for (u64 i = 0; i < n_img; i++)
		img_pa[i] = vm_page_pa(vmid, FX_LOAD_IPA + i * KiB4);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, DONATE_IPA, pa[0], KiB4, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, DONATE_IPA + KiB4, pa[1], KiB4, NULL),
			 KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, BLOCK_IPA, block, MiB2, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_MAP_IO, vmid, IO_IPA, FX_DEVICE_BASE, 0, NULL), KCORE_OK);
	/* The guest fills its memory; it shares one page, which the host then reads. */
	assert_int_equal(sim_vm_write_bytes(vmid, ipa_init(DONATE_IPA), fill, 2 * KiB4), SIM_OK);
	assert_int_equal(sim_vm_write_bytes(vmid, ipa_init(BLOCK_IPA), fill, MiB2), SIM_OK);
	assert_true(fx_guest_call(vmid, 0, KC_GC_SHARE_PAGE, DONATE_IPA + KiB4, &err));
	assert_int_equal(err, KCORE_OK);
	assert_int_equal(sim_host_access(ipa_init(pa[1]), false, &v), SIM_OK);
	assert_int_equal(v, 0x5a5a5a5a5a5a5a5aull);
	fx_check(); /* every translation, the VM's and the host's, is now cached */

	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);
	/* A range cutting the block is refused; pages still mapped keep FREE away. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, BLOCK_IPA, MiB2 / 2, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, vmid, BLOCK_IPA + KiB4, MiB2, 0);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_FREE, vmid, 0, 0, 0);

	/* The image first: only it is cleared. */
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, vmid, FX_LOAD_IPA, n_img * KiB4, 0, NULL),
			 KCORE_OK);
	for (u64 i = 0; i < n_img; i++)
		expect_cleared(vmid, FX_LOAD_IPA + i * KiB4, img_pa[i]);
	assert_int_equal(fx_owner(pa[0]), vmid);
	assert_int_equal(sim_vm_access(vmid, ipa_init(DONATE_IPA), false, &v), SIM_OK);
	assert_int_equal(v, 0x5a5a5a5a5a5a5a5aull);
	fx_check();

	/* Then everything else, in one call over the whole IPA space. */
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, vmid, 0, IPA_TOP, 0, NULL), KCORE_OK);
	expect_cleared(vmid, DONATE_IPA, pa[0]);
	expect_cleared(vmid, DONATE_IPA + KiB4, pa[1]);
	for (u64 off = 0; off < MiB2; off += KiB4)
		expect_cleared(vmid, BLOCK_IPA + off, block + off);
	assert_int_equal(sim_vm_access(vmid, ipa_init(IO_IPA), false, &v), SIM_S2_FAULT);
	assert_true(pgt_range_unmapped(&vm_from_id(vmid)->s2, 0, IPA_TOP));
	fx_check();

	/* The slot will be reused: its whole VMID is invalidated. */
	seq = sim_tlbi_count();
	assert_int_equal(fx_hc(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_true(sim_tlbi_s2_covered_since(seq, vmid, ipa_init(0x7654321000ull)));
	assert_false(kcore_s2_root(vmid, &root));
	assert_int_equal(sim_tlb_count_regime(vmid), 0);
	fx_check();
	free(fill);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_defect1_untrusted_key, setup),
	    cmocka_unit_test_setup(test_defect1_forged_key_id, setup),
	    cmocka_unit_test_setup(test_defect1_flipped_byte, setup),
	    cmocka_unit_test_setup(test_defect1_truncated_trailer, setup),
	    cmocka_unit_test_setup(test_defect1_host_change_before_remap, setup),
	    cmocka_unit_test_setup(test_defect1_host_write_after_remap, setup),
	    cmocka_unit_test_setup(test_defect3_panic_halts, setup),
	    cmocka_unit_test_setup(test_defect3_broken_invariant_halts, setup),
	    cmocka_unit_test_setup(test_defect4_vmid_range_every_call, setup),
	    cmocka_unit_test_setup(test_defect4_vcpuid_range, setup),
	    cmocka_unit_test_setup(test_defect4_load_idx_range, setup),
	    cmocka_unit_test_setup(test_defect4_pfn_and_address_range, setup),
	    cmocka_unit_test_setup(test_defect4_unknown_function_ids, setup),
	    cmocka_unit_test_setup(test_defect5_verified_vm_unused_vcpu, setup),
	    cmocka_unit_test_setup(test_defect5_ready_vm_ready_vcpu, setup),
	    cmocka_unit_test_setup(test_defect5_unused_or_poweroff_vm, setup),
	    cmocka_unit_test_setup(test_defect6_teardown_of_running_vm_refused, setup),
	    cmocka_unit_test_setup(test_defect6_host_poweroff_is_final, setup),
	    cmocka_unit_test_setup(test_defect6_clear_unmaps_scrubs_returns, setup),
	    cmocka_unit_test_setup(test_defect6_second_guest_poweroff_does_not_halt, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
