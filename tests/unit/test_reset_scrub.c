/* SPDX-License-Identifier: MIT */
/*
 * The scrub before a reset, a power-off or a panic's halt
 * (core/machine_scrub.c), on the simulated machine. VMs hold a
 * secret in every state a VM can be in when the host asks for a reset: one
 * that has run (its vCPU stopped with secrets in every register, a page
 * shared with the host, a device of its own attached), one powered off but
 * not yet cleared, one with a snapshot open, one whose image pages kcore
 * still holds unverified; and one running when kcore panics. Afterwards
 * every RAM page that was not the host's is zero and was cleaned to the
 * point of coherency, except kcore's stage-1 tables (the MMU still walks
 * them), every host page is byte for byte what it was, and the core's own
 * secrets (vCPU registers, snapshot keys and scratch, the sealing key) are
 * gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kcore/snapshot.h>

#include "core/lib/log.h"
#include "core/lib/seal.h"
#include "core/mm/kmap.h"
#include "core/mm/pgowner.h"
#include "core/mm/pool.h"
#include "core/snapshot/record.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/guest_prog.h"

#define PG	      KCORE_PAGE_SIZE
#define EXTRA_IPA     (GP_RAM_IPA + 0x100000)
#define SHARED_IPA    (EXTRA_IPA + PG)
#define IO_SID	      7u
#define HOST_PATTERN  0x5a
#define CHILD_CLEAN   0x40 /* exit status of a panicking child whose RAM was scrubbed */
#define CHILD_DIRTY   0x41 /* ... whose RAM still held the secret or a VM page's data */
#define NR_SEEN_PAGES (FX_RAM_SIZE / PG)

static const char secret[] = "reset-scrub secret: never in RAM after a reset";

/* A payload holding the secret: once verified, the VM's image pages hold it. */
static u8 secret_payload[3 * PG];

static int setup(void **state)
{
	for (size_t i = 0; i < sizeof(secret_payload); i += 512)
		memcpy(secret_payload + i, secret, sizeof(secret));
	return gp_setup(state);
}

/* The host fills fresh pages of its own with a pattern (they must come through unchanged). */
static void host_fill(u32 n)
{
	for (u32 i = 0; i < n; i++)
		memset(sim_ram_ptr(pa_init(fx_host_page())), HOST_PATTERN + (int)i, PG);
}

static u64 donate(u32 vmid, u64 ipa)
{
	u64 pa = fx_host_page();

	assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, ipa, pa, PG, NULL), KCORE_OK);
	return pa;
}

/* A guest store of the secret at ipa, through the VM's stage-2. */
static void guest_writes_secret(u32 vmid, u64 ipa)
{
	assert_int_equal(sim_vm_write_bytes(vmid, ipa_init(ipa), secret, sizeof(secret)), SIM_OK);
}

static bool contains_secret(const u8 *p, size_t len)
{
	for (size_t i = 0; i + sizeof(secret) - 1 <= len; i++) {
		if (memcmp(p + i, secret, sizeof(secret) - 1) == 0)
			return true;
	}
	return false;
}

/* The gp VM's page it shares with the host (vm_that_ran). */
static u64 shared_pa;

/* The gp VM has run: secrets in its registers, its RAM, a page it shares, a device of its own on
 * the page it shares (a VM page reaches a device only with its consent). */
static void vm_that_ran(void)
{
	u64 dom = 0;
	s64 err;

	(void)donate(gp_vmid, EXTRA_IPA);
	shared_pa = donate(gp_vmid, SHARED_IPA);
	guest_writes_secret(gp_vmid, EXTRA_IPA + 100);
	guest_writes_secret(gp_vmid, SHARED_IPA + 200);
	assert_true(fx_guest_call(gp_vmid, 0, KC_GC_SHARE_PAGE, SHARED_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_IO_DOMAIN_ALLOC, gp_vmid, 0, 0, 0, &dom), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_IO_ATTACH, dom, IO_SID, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_IO_MAP, dom, SHARED_IPA, shared_pa, 0, NULL), KCORE_OK);
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
}

static u32 vm_powered_off(void)
{
	u32 vmid = fx_boot_vm(1, secret_payload, sizeof(secret_payload));

	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL), KCORE_OK);
	return vmid;
}

/* A snapshot open, one page of it written: the scratch page has been used. */
static u32 vm_snapshot_open(void)
{
	u32 vmid = fx_boot_vm(1, secret_payload, sizeof(secret_payload));
	u64 rec = fx_host_page();

	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, vmid, rec, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_PAGE, vmid, FX_LOAD_IPA, fx_host_page(),
			       rec + KCORE_SNAP_RECORD_SIZE, NULL),
			 KCORE_OK);
	return vmid;
}

/* Image pages handed over and held by kcore, never verified. */
static u32 vm_image_in_transit(void)
{
	size_t size;
	u8 *img = fx_sign(fx_trusted_key(), secret_payload, sizeof(secret_payload), &size);
	u64 vmid;

	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_load_image((u32)vmid, FX_LOAD_IPA, img, size, NULL), KCORE_OK);
	free(img);
	return (u32)vmid;
}

/* RAM and every page's owner, before the scrub. */
struct before {
	u8 *ram;
	u32 owner[NR_SEEN_PAGES];
};

static struct before *take_before(void)
{
	struct before *b = malloc(sizeof(*b));

	assert_non_null(b);
	b->ram = malloc(FX_RAM_SIZE);
	assert_non_null(b->ram);
	memcpy(b->ram, sim_ram_ptr(pa_init(FX_RAM_BASE)), FX_RAM_SIZE);
	for (u64 i = 0; i < NR_SEEN_PAGES; i++)
		b->owner[i] = fx_owner(FX_RAM_BASE + i * PG);
	return b;
}

static void free_before(struct before *b)
{
	free(b->ram);
	free(b);
}

static bool page_zero(const u8 *p)
{
	for (u32 i = 0; i < PG; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/*
 * Host pages unchanged; every other page zero and cleaned, but kcore's
 * stage-1 tables; the secret nowhere. Returns how many non-host pages there were.
 */
static u64 check_after(const struct before *b)
{
	const u8 *ram = sim_ram_ptr(pa_init(FX_RAM_BASE));
	u64 others = 0;

	for (u64 i = 0; i < NR_SEEN_PAGES; i++) {
		paddr_t pa = pa_init(FX_RAM_BASE + i * PG);

		if (b->owner[i] == OWNER_HOST) {
			if (memcmp(ram + i * PG, b->ram + i * PG, PG) != 0)
				fail_msg("host page %#llx changed",
					 (unsigned long long)pa_addr(pa));
			continue;
		}
		others++;
		if (pool_contains(kmap_pool(), pa))
			continue;
		if (!page_zero(ram + i * PG))
			fail_msg("page %#llx (owner %u) not zeroed",
				 (unsigned long long)pa_addr(pa), b->owner[i]);
		if (!sim_page_cleaned(pa))
			fail_msg("page %#llx (owner %u) zeroed but not cleaned to the PoC",
				 (unsigned long long)pa_addr(pa), b->owner[i]);
	}
	assert_false(contains_secret(ram, FX_RAM_SIZE));
	return others;
}

static bool owned_by(const struct before *b, u32 owner)
{
	for (u64 i = 0; i < NR_SEEN_PAGES; i++) {
		if (b->owner[i] == owner)
			return true;
	}
	return false;
}

static void test_scrub_every_vm_state(void **state)
{
	u32 off, snap, transit;
	struct before *b;
	u64 val = 0;

	(void)state;
	vm_that_ran();
	off = vm_powered_off();
	snap = vm_snapshot_open();
	transit = vm_image_in_transit();
	host_fill(8);
	fx_check();
	assert_int_equal(vm_from_id(off)->state, VM_POWEROFF);
	assert_int_equal(vm_from_id(snap)->snap.phase, SNAP_EXPORTING);
	assert_int_equal(vm_from_id(transit)->state, VM_READY);
	/* The shared page: the VM's, shared, the host reads the secret in it. */
	assert_int_equal(fx_owner(shared_pa), gp_vmid);
	assert_int_equal(fx_count(shared_pa), 1);
	assert_true(contains_secret(sim_ram_ptr(pa_init(shared_pa)), PG));
	assert_int_equal(sim_dma_access(IO_SID, SHARED_IPA, false, &val), SIM_OK);

	b = take_before();
	/* The secret is in RAM, in pages of each kind, before: the test can see it. */
	assert_true(contains_secret(b->ram, FX_RAM_SIZE));
	assert_true(owned_by(b, gp_vmid) && owned_by(b, off) && owned_by(b, snap));
	assert_true(owned_by(b, OWNER_KCORE));
	assert_int_not_equal(vm_from_id(gp_vmid)->vcpus[0].regs.x[5], 0);

	kcore_scrub_revoke();
	assert_true(kcore_scrub_memory(NULL, 0) > 0);

	assert_true(check_after(b) > 0);
	assert_true(page_zero(sim_ram_ptr(pa_init(shared_pa))) &&
		    sim_page_cleaned(pa_init(shared_pa)));
	/* The core's own secrets. */
	for (u32 vmid = 1; vmid <= 4; vmid++) {
		struct vm *vm = vm_from_id(vmid);
		/*
		 * The scrub zeroed the VM's slot, its lock (and the lock's rank) included:
		 * after a reset the machine is gone, so the test reads the scratch page
		 * with a token made by hand rather than taking a lock that no longer is one.
		 */
		const struct vm_locked locked = {.vm = vm};

		assert_true(page_zero((const u8 *)vm->vcpus));
		assert_true(vm->vcpus[0].regs.x[5] == 0 && vm->snap.key[0] == 0);
		assert_true(page_zero(snap_scratch(locked)));
	}
	assert_false(seal_available());
	assert_true(sim_cleaned_elsewhere() >= sizeof(struct vm) * 4 + 4 * PG);
	/* No device reaches anything any more. */
	assert_int_not_equal(sim_dma_access(IO_SID, SHARED_IPA, false, &val), SIM_OK);
	free_before(b);
}

static void test_revoke_stops_every_guest_and_the_host(void **state)
{
	u64 host_pa = fx_host_page();
	u64 val = 0;
	u8 byte = 1;

	(void)state;
	/* The host's stage-2 is built on its faults: the host touches its page first. */
	assert_int_equal(sim_host_access_bytes(ipa_init(host_pa), &byte, 1, true), SIM_OK);
	(void)donate(gp_vmid, EXTRA_IPA);
	guest_writes_secret(gp_vmid, EXTRA_IPA);
	fx_prime_tlb();
	assert_true(sim_can_access(gp_vmid, ipa_init(EXTRA_IPA), true));
	assert_true(sim_can_access(KCORE_HOST_VMID, ipa_init(host_pa), true));

	kcore_scrub_revoke();
	/* Even with every translation cached before: the TLB was invalidated. */
	assert_false(sim_can_access(gp_vmid, ipa_init(EXTRA_IPA), false));
	assert_false(sim_can_access(gp_vmid, ipa_init(GP_RAM_IPA), false));
	assert_false(sim_can_access(KCORE_HOST_VMID, ipa_init(host_pa), false));
	assert_int_not_equal(sim_vm_access(gp_vmid, ipa_init(EXTRA_IPA), true, &val), SIM_OK);
	/* The data is still there until the scrub proper. */
	(void)kcore_scrub_memory(NULL, 0);
	assert_false(contains_secret(sim_ram_ptr(pa_init(FX_RAM_BASE)), FX_RAM_SIZE));
}

/* The forked child's view, before it panics: which pages were not the host's. */
static bool not_host_before[NR_SEEN_PAGES];

/* A panic's halt: in the forked child, after the scrub, before the process ends. */
static void child_checks_ram(void)
{
	const u8 *ram = sim_ram_ptr(pa_init(FX_RAM_BASE));
	bool dirty = contains_secret(ram, FX_RAM_SIZE);

	for (u64 i = 0; i < NR_SEEN_PAGES && !dirty; i++) {
		paddr_t pa = pa_init(FX_RAM_BASE + i * PG);

		/* The owner table is zero too by now, hence the copy taken before. */
		if (not_host_before[i] && !pool_contains(kmap_pool(), pa) &&
		    !page_zero(ram + i * PG))
			dirty = true;
	}
	_exit(dirty ? CHILD_DIRTY : CHILD_CLEAN);
}

static void panic_while_running(struct vcpu_regs *r, struct arch_exit *e)
{
	(void)e;
	gp_fill_secrets(r);
	guest_writes_secret(gp_vmid, EXTRA_IPA + 300);
	/* Another CPU found a broken invariant while this vCPU runs. */
	kc_panic("test: a broken invariant while a vCPU runs");
}

static void test_panic_scrubs_with_a_vcpu_running(void **state)
{
	pid_t pid;
	int status = 0;

	(void)state;
	(void)donate(gp_vmid, EXTRA_IPA);
	(void)vm_snapshot_open();
	(void)vm_image_in_transit();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (u64 i = 0; i < NR_SEEN_PAGES; i++)
			not_host_before[i] = fx_owner(FX_RAM_BASE + i * PG) != OWNER_HOST;
		sim_set_halt_hook(child_checks_ram);
		gp_program(1, panic_while_running);
		(void)gp_run(0, 0);
		_exit(1); /* the panic did not halt */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_CLEAN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_scrub_every_vm_state, setup),
	    cmocka_unit_test_setup(test_revoke_stops_every_guest_and_the_host, setup),
	    cmocka_unit_test_setup(test_panic_scrubs_with_a_vcpu_running, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
