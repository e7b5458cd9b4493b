/* SPDX-License-Identifier: MIT */
/*
 * The simulated end-to-end scenario: two VMs boot from signed images, fault in
 * memory, share a page with the host, are attacked by the host in every way
 * this layer can refuse, power off and are torn down; the invariant checker
 * and the TLB check hold after every step. `make run` runs it with --narrate,
 * which says what happens at each step.
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

#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"

#define SECRET	    0x5ec2e75ec2e75ec2ull
#define A_DATA_IPA  0x90000000ull /* VM A's data page (4 KiB donation) */
#define A_SHARE_IPA 0x90001000ull /* the page VM A shares with the host */
#define B_DATA_IPA  0xa0000000ull /* VM B's 2 MiB block */

static bool narrate;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	if (!narrate)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *err_name(s64 e)
{
	static const char *const names[] = {"OK",    "NOT_SUPPORTED", "INVAL", "STATE",	 "PERM",
					    "NOMEM", "BUSY",	      "EXIST", "VERIFY", "NOENT"};

	return (e <= 0 && e >= -9) ? names[-e] : "?";
}

/* A host attack that must be refused with `expect` and change nothing. */
static void attack(const char *what, s64 expect, u64 id, u64 a1, u64 a2, u64 a3, u64 a4)
{
	fx_expect_refused(expect, id, a1, a2, a3, a4);
	say("  host attack: %-52s -> refused (%s), nothing changed", what, err_name(expect));
}

/* A host access that must be aborted, leaving memory as it was. */
static void host_poke(const char *what, u64 pa)
{
	u64 aborts = sim_host_abort_count();
	const void *mem = sim_ram_ptr(pa_init(pa)); /* NULL for a device */
	u64 before = 0;
	u64 v = 0x41414141;

	if (mem != NULL)
		memcpy(&before, mem, sizeof(before));
	assert_int_equal(sim_host_access(ipa_init(pa), false, &v), SIM_ABORTED);
	assert_int_equal(sim_host_access(ipa_init(pa), true, &v), SIM_ABORTED);
	assert_int_equal(sim_host_access(ipa_init(pa), false, &v), SIM_ABORTED);
	assert_int_equal(sim_host_abort_count(), aborts + 3);
	assert_int_equal(sim_host_abort_last().ipa, pa);
	if (mem != NULL)
		assert_memory_equal(mem, &before, sizeof(before));
	fx_check();
	say("  host attack: %-52s -> aborted every time, memory intact", what);
}

static u64 vm_pa_of(u32 vmid, u64 ipa)
{
	struct pt_leaf leaf;

	assert_true(pgt_lookup(&vm_from_id(vmid)->s2, ipa, &leaf));
	return pa_addr(leaf.pa) + (ipa - leaf.ia);
}

/* A guest access that faults, is served by a host donation, and then succeeds. */
static void fault_in(u32 vmid, u64 ipa, u64 size)
{
	u64 v = 0;
	u64 pa;

	assert_int_equal(sim_vm_access(vmid, ipa_init(ipa), false, &v), SIM_S2_FAULT);
	pa = fx_host_alloc(size, size);
	/* The host prepares the page first, so its stage-2 maps it when it donates. */
	for (u64 off = 0; off < size; off += 4096) {
		v = 0;
		assert_int_equal(sim_host_access(ipa_init(pa + off), true, &v), SIM_OK);
	}
	fx_prime_tlb();
	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, ipa, pa, size, NULL), KCORE_OK);
	fx_check();
	assert_int_equal(fx_owner(pa), vmid);
	assert_false(sim_can_access(0, ipa_init(pa), false));
	assert_int_equal(sim_vm_access(vmid, ipa_init(ipa), false, &v), SIM_OK);
	say("  vm %u faulted at ipa %#llx; the host donated %s at pa %#llx", vmid,
	    (unsigned long long)ipa, size == 4096 ? "a 4 KiB page" : "a 2 MiB block",
	    (unsigned long long)pa);
}

static void test_two_vm_scenario(void **state)
{
	static uint8_t image_a[2 * 4096 + 123], image_b[4096 + 7];
	u32 a, b;
	u64 pc, v, pa_secret, pa_share, pa_b_block, pa_a_image, vmid_c;
	s64 err;

	(void)state;
	memset(image_a, 0xa1, sizeof(image_a));
	memset(image_b, 0xb2, sizeof(image_b));

	say("== boot: a 32 MiB simulated machine; kcore takes its carve-out");
	fx_boot(NULL);

	say("== two VMs boot from images signed with a trusted key");
	a = fx_boot_vm(2, image_a, sizeof(image_a));
	b = fx_boot_vm(1, image_b, sizeof(image_b));
	pa_a_image = vm_pa_of(a, FX_LOAD_IPA);
	say("  vm %u (2 vCPUs) and vm %u (1 vCPU) verified; images mapped at ipa %#llx", a, b,
	    (unsigned long long)FX_LOAD_IPA);

	say("== the VMs run and fault in memory");
	assert_int_equal(vcpu_activate(a, 0, &pc), KCORE_OK);
	assert_int_equal(pc, FX_LOAD_IPA);
	assert_int_equal(vcpu_activate(b, 0, &pc), KCORE_OK);
	fault_in(a, A_DATA_IPA, 4096);
	fault_in(a, A_SHARE_IPA, 4096);
	fault_in(b, B_DATA_IPA, 2ull << 20);
	v = SECRET;
	assert_int_equal(sim_vm_access(a, ipa_init(A_DATA_IPA), true, &v), SIM_OK);
	pa_secret = vm_pa_of(a, A_DATA_IPA);
	pa_share = vm_pa_of(a, A_SHARE_IPA);
	pa_b_block = vm_pa_of(b, B_DATA_IPA);
	say("  vm %u wrote its secret at ipa %#llx", a, (unsigned long long)A_DATA_IPA);

	say("== vm %u shares one page with the host for I/O", a);
	assert_true(fx_guest_call(a, 0, KC_GC_SHARE_PAGE, A_SHARE_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	fx_check();
	v = 0x1111;
	assert_int_equal(sim_vm_access(a, ipa_init(A_SHARE_IPA), true, &v), SIM_OK);
	assert_int_equal(sim_host_access(ipa_init(pa_share), false, &v), SIM_OK);
	assert_int_equal(v, 0x1111);
	v = 0x2222;
	assert_int_equal(sim_host_access(ipa_init(pa_share), true, &v), SIM_OK);
	assert_int_equal(sim_vm_access(a, ipa_init(A_SHARE_IPA), false, &v), SIM_OK);
	assert_int_equal(v, 0x2222);
	fx_check();
	say("  the host read the guest's message and wrote a reply the guest read back");

	say("== the host attacks");
	host_poke("read/write vm A's secret page", pa_secret);
	host_poke("read/write vm A's verified image", pa_a_image);
	host_poke("read/write vm B's 2 MiB block", pa_b_block + 0x1000);
	host_poke("read/write kcore's own image", FX_RAM_BASE);
	host_poke("read/write kcore's carve-out (tables)", FX_RAM_BASE + FX_RAM_SIZE - 4096);
	host_poke("touch kcore's device", FX_KCORE_DEVICE);
	attack("donate vm A's page to vm B", KCORE_E_PERM, KC_HC_VM_DONATE, b, 0xb0000000,
	       pa_secret, 4096);
	attack("donate vm A's shared page to vm B", KCORE_E_PERM, KC_HC_VM_DONATE, b, 0xb0000000,
	       pa_share, 4096);
	attack("donate a kcore page to vm B", KCORE_E_PERM, KC_HC_VM_DONATE, b, 0xb0000000,
	       FX_RAM_BASE + FX_RAM_SIZE - 4096, 4096);
	attack("map RAM into vm B as a device", KCORE_E_INVAL, KC_HC_VM_MAP_IO, b, 0xc0000000,
	       pa_secret, 0);
	attack("map kcore's device into vm B", KCORE_E_PERM, KC_HC_VM_MAP_IO, b, 0xc0000000,
	       FX_KCORE_DEVICE, 0);
	attack("overwrite vm A's mapping with a host page", KCORE_E_EXIST, KC_HC_VM_DONATE, a,
	       A_DATA_IPA, fx_host_page(), 4096);
	attack("add an image to verified vm A", KCORE_E_STATE, KC_HC_SET_BOOT_INFO, a, 0xd0000000,
	       8192, 0);
	attack("reclaim vm A's memory while it runs", KCORE_E_STATE, KC_HC_VM_CLEAR_RANGE, a,
	       A_DATA_IPA, 4096, 0);
	attack("free vm A while it runs", KCORE_E_STATE, KC_HC_VM_FREE, a, 0, 0, 0);
	attack("register a vCPU of verified vm A", KCORE_E_STATE, KC_HC_REGISTER_VCPU, a, 1, 0, 0);
	attack("vm id that truncates to vm A (0x1_0000_0001)", KCORE_E_INVAL, KC_HC_VM_FREE,
	       0x100000000ull | a, 0, 0, 0);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid_c), KCORE_OK);
	fx_check();
	attack("remap a page into an image never declared", KCORE_E_INVAL, KC_HC_REMAP_VM_IMAGE,
	       vmid_c, pa_secret >> 12, 0, 0);
	assert_int_equal(fx_hc(KC_HC_SET_BOOT_INFO, vmid_c, FX_LOAD_IPA, 8192, 0, NULL), KCORE_OK);
	attack("hand vm A's page to a new vm as its image", KCORE_E_PERM, KC_HC_REMAP_VM_IMAGE,
	       vmid_c, pa_secret >> 12, 0, 0);
	attack("power off vm A under its running vCPU", KCORE_E_BUSY, KC_HC_VM_POWEROFF, a, 0, 0,
	       0);
	/* vm B cannot reach vm A's page at any IPA: vm_iso, checked by fx_check too. */
	for (u64 ipa = B_DATA_IPA; ipa < B_DATA_IPA + (2ull << 20); ipa += 4096)
		assert_int_not_equal(vm_pa_of(b, ipa), pa_secret);
	v = 0;
	assert_int_equal(sim_vm_access(b, ipa_init(pa_secret), false, &v), SIM_S2_FAULT);
	say("  vm %u cannot reach vm %u's secret at any IPA", b, a);

	say("== vm %u takes its page back from the host", a);
	assert_true(fx_guest_call(a, 0, KC_GC_UNSHARE_PAGE, A_SHARE_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	fx_check();
	host_poke("read/write the page vm A unshared", pa_share);

	say("== the VMs power off");
	assert_true(fx_guest_call(a, 0, PSCI_SYSTEM_OFF, 0, &err));
	vcpu_deactivate(a, 0);
	assert_int_equal(vm_from_id(a)->state, VM_POWEROFF);
	assert_int_not_equal(vcpu_activate(a, 0, &pc), KCORE_OK);
	vcpu_deactivate(b, 0);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, b, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid_c, 0, 0, 0, NULL), KCORE_OK);
	fx_check();
	say("  vm %u powered itself off (PSCI SYSTEM_OFF); the host powered off vm %u", a, b);

	say("== teardown: each page unmapped from its VM, zeroed, returned to the host");
	attack("free vm A before its memory is reclaimed", KCORE_E_BUSY, KC_HC_VM_FREE, a, 0, 0, 0);
	attack("reclaim half of vm B's 2 MiB block", KCORE_E_INVAL, KC_HC_VM_CLEAR_RANGE, b,
	       B_DATA_IPA, 4096, 0);
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, a, 0, 1ull << 40, 0, NULL), KCORE_OK);
	fx_check();
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, b, 0, 1ull << 39, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, b, 1ull << 39, 1ull << 39, 0, NULL), KCORE_OK);
	fx_check();
	for (u32 id = 1; id <= 3; id++)
		assert_int_equal(fx_hc(KC_HC_VM_FREE, id, 0, 0, 0, NULL), KCORE_OK);
	fx_check();
	assert_int_equal(fx_owner(pa_secret), OWNER_HOST);
	assert_int_equal(fx_owner(pa_a_image), OWNER_HOST);
	assert_int_equal(sim_host_access(ipa_init(pa_secret), false, &v), SIM_OK);
	assert_int_equal(v, 0);
	/* The secret is nowhere in RAM any more. */
	for (u64 off = 0; off < FX_RAM_SIZE; off += 8) {
		u64 w;

		memcpy(&w, (uint8_t *)sim_ram_ptr(pa_init(FX_RAM_BASE)) + off, 8);
		assert_int_not_equal(w, SECRET);
	}
	say("  every page is the host's again and zeroed; the secret is nowhere in RAM");

	say("== a VM slot is reused: its VMID starts clean");
	assert_int_equal(fx_boot_vm(1, image_b, sizeof(image_b)), 1);
	fx_check();
	say("  vm 1 booted again; invariants and TLB checked after every step: all held");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_vm_scenario),
	};

	for (int i = 1; i < argc; i++)
		narrate |= strcmp(argv[i], "--narrate") == 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
