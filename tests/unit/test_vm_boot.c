/* SPDX-License-Identifier: MIT */
/* VM boot on the simulated machine: images, verification, entry PC, run state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"

static uint8_t payload[3 * 4096 + 100];

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	fx_boot(NULL);
	return 0;
}

static void test_signed_image_boots_and_runs(void **state)
{
	u32 vmid;
	u64 pc = 0;
	uint8_t back[sizeof(payload)];

	(void)state;
	vmid = fx_boot_vm(1, payload, sizeof(payload));
	assert_int_equal(vm_from_id(vmid)->state, VM_VERIFIED);
	assert_int_equal(vcpu_activate(vmid, 0, &pc), KCORE_OK);
	assert_int_equal(pc, FX_LOAD_IPA);
	/* The VM sees its image at the load address, byte for byte. */
	assert_int_equal(sim_vm_read_bytes(vmid, ipa_init(FX_LOAD_IPA), back, sizeof(back)),
			 SIM_OK);
	assert_memory_equal(back, payload, sizeof(payload));
	vcpu_deactivate(vmid, 0);
	fx_check();
}

static void test_image_pages_leave_host_before_verification(void **state)
{
	size_t size;
	uint8_t *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 vmid, pa, v = 0;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	fx_prime_tlb();
	assert_int_equal(fx_load_image((u32)vmid, FX_LOAD_IPA, img, size, &pa), KCORE_OK);
	fx_check();
	/* Not verified yet, but the host can neither read nor write the pages. */
	for (u64 off = 0; off < size; off += 4096) {
		assert_int_equal(fx_owner(pa + off), OWNER_KCORE);
		assert_false(sim_can_access(0, ipa_init(pa + off), false));
		assert_int_equal(sim_host_access(ipa_init(pa + off), true, &v), SIM_ABORTED);
	}
	free(img);
	fx_check();
}

/*
 * The bytes after an image's end in its last page are the host's, unsigned,
 * and that page is mapped executable into the VM: kcore zeroes them once the
 * page has left the host, before hashing. The host fills them with its own
 * "code"; the VM must see zeros there, and the image must still verify.
 */
static void test_bytes_after_the_image_are_not_the_hosts(void **state)
{
	size_t size;
	uint8_t *img = fx_sign(fx_trusted_key(), payload, sizeof(payload), &size);
	u64 vmid, pa, npages = (size + 4095) / 4096, tail = npages * 4096 - size;
	uint8_t junk[4096], back[4096], zero[4096] = {0};

	(void)state;
	assert_true(tail > 0 && tail < 4096);
	memset(junk, 0xd4, sizeof(junk)); /* a page of the host's choosing */
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 0, 0, 0, NULL), KCORE_OK);
	/* The host fills its pages with junk, then writes the signed image over their start. */
	pa = fx_host_alloc(npages * 4096, 4096);
	for (u64 i = 0; i < npages; i++)
		assert_int_equal(
		    sim_host_access_bytes(ipa_init(pa + i * 4096), junk, sizeof(junk), true),
		    SIM_OK);
	assert_int_equal(sim_host_access_bytes(ipa_init(pa), img, size, true), SIM_OK);
	{
		u64 idx;

		assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, vmid, FX_LOAD_IPA, size, 0, &idx),
				 KCORE_OK);
		for (u64 i = 0; i < npages; i++)
			assert_int_equal(
			    fx_hc(KC_HC_REMAP_VM_IMAGE, vmid, (pa >> 12) + i, idx, 0, NULL),
			    KCORE_OK);
	}
	/* Each image page was cleaned to memory after kcore's last write, before hashing. */
	for (u64 i = 0; i < npages; i++)
		assert_true(sim_dcache_is_clean(pa_init(pa + i * 4096), 4096));
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_OK);
	/* Verified and the VM's: no instruction cached from an earlier owner of these pages. */
	for (u64 i = 0; i < npages; i++)
		assert_true(sim_icache_synced_after_clean(pa_init(pa + i * 4096), 4096));
	/* The VM's view: the image, then zeros to the end of the page; none of the host's bytes. */
	assert_int_equal(sim_vm_read_bytes((u32)vmid, ipa_init(FX_LOAD_IPA + size), back, tail),
			 SIM_OK);
	assert_memory_equal(back, zero, tail);
	free(img);
	fx_check();
}

/*
 * A page the host donates is cleaned before the VM may map it; a page that
 * leaves a VM is zeroed and cleaned to memory before the host may map it.
 */
static void test_scrubbed_pages_are_cleaned_to_memory(void **state)
{
	u32 vmid;
	u64 page = fx_host_page();

	(void)state;
	vmid = fx_boot_vm(1, payload, sizeof(payload));
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, 0x10000000ull, page, 4096, NULL), KCORE_OK);
	/* Donated: no dirty line of the host's is left to be written back over the VM's data. */
	assert_true(sim_dcache_is_clean(pa_init(page), 4096));
	assert_true(sim_icache_synced_after_clean(pa_init(page), 4096));
	assert_int_equal(sim_vm_write_bytes(vmid, ipa_init(0x10000000ull), payload, 4096), SIM_OK);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, vmid, 0, 1ull << 32, 0, NULL), KCORE_OK);
	assert_int_equal(fx_owner(page), OWNER_HOST);
	assert_true(sim_dcache_is_clean(pa_init(page), 4096));
	assert_true(sim_icache_synced_after_clean(pa_init(page), 4096));
	fx_check();
}

static void test_key_info_reports_the_trusted_key(void **state)
{
	struct kcore_hvc_regs regs = {{KC_HC_KEY_INFO, 0, 0, 0, 0, 0, 0, 0}};
	uint8_t id[32];

	(void)state;
	host_hvc_dispatch(&regs);
	assert_int_equal(regs.x[0], KCORE_OK);
	assert_int_equal(regs.x[1], 1);
	for (u32 w = 0; w < 4; w++)
		for (u32 b = 0; b < 8; b++)
			id[w * 8 + b] = (uint8_t)(regs.x[2 + w] >> (8 * b));
	assert_memory_equal(id, fx_trusted_key()->key_id, sizeof(id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_signed_image_boots_and_runs, setup),
	    cmocka_unit_test_setup(test_image_pages_leave_host_before_verification, setup),
	    cmocka_unit_test_setup(test_bytes_after_the_image_are_not_the_hosts, setup),
	    cmocka_unit_test_setup(test_scrubbed_pages_are_cleaned_to_memory, setup),
	    cmocka_unit_test_setup(test_key_info_reports_the_trusted_key, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
