/* SPDX-License-Identifier: MIT */
/*
 * Encrypted snapshots on the simulated machine (core/snapshot): a VM that
 * has run, with a secret in its memory and its registers, is saved into host
 * pages and restored into a new VM built from the same image, which then
 * holds the same pages and vCPU state and goes on exactly as the original
 * does. The host never finds the secret or a register in clear in any page
 * it owns. Every attack on the blobs (a flipped byte anywhere, swapped,
 * replayed, dropped or moved pages, another VM's or another snapshot's
 * records) is refused with AUTH and leaves the new VM powered off for good;
 * every refused call with bad arguments changes nothing (fx_expect_refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <kcore/snapshot.h>

#include "core/arch.h"
#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/lib/fixture.h"
#include "tests/lib/guest_prog.h"

#define PG	    KCORE_PAGE_SIZE
#define BLK	    KCORE_BLOCK_SIZE
#define IMAGE_PAGES 3u /* gp's 8 KiB payload and its trailer */
#define EXTRA_IPA   (GP_RAM_IPA + 0x100000)
#define EXTRA_PAGES 3u
#define BLOCK_IPA   (GP_RAM_IPA + 0x400000)
#define MAX_PAGES   (IMAGE_PAGES + EXTRA_PAGES + 512u)

static const char secret[] = "the guest's secret: never in clear on the host side";

struct blob {
	u64 data;
	u64 rec;
};

struct snap {
	u64 header;
	u64 trailer;
	u32 nr_pages;
	u64 ipa[MAX_PAGES];
	struct blob page[MAX_PAGES];
	struct blob vcpu[2];
};

static u64 rec_page, rec_next;

/* 128-byte record slots, 32 to a host page. */
static u64 new_record(void)
{
	if (rec_page == 0 || rec_next == PG) {
		rec_page = fx_host_page();
		rec_next = 0;
	}
	rec_next += KCORE_SNAP_RECORD_SIZE;
	return rec_page + rec_next - KCORE_SNAP_RECORD_SIZE;
}

static struct kcore_snap_record *record(u64 pa)
{
	return sim_ram_ptr(pa_init(pa));
}

static u8 *host_bytes(u64 pa)
{
	return sim_ram_ptr(pa_init(pa));
}

/* The bytes of a VM's page at ipa, through kcore's own stage-2 of the VM. */
static u8 *vm_page(u32 vmid, u64 ipa)
{
	struct pt_leaf leaf;

	assert_true(pgt_lookup(&vm_from_id(vmid)->s2, ipa, &leaf));
	return sim_ram_ptr(pa_add(leaf.pa, ipa - leaf.ia));
}

static void donate_pages(u32 vmid, u64 ipa, u32 n, u8 fill)
{
	for (u32 i = 0; i < n; i++) {
		u64 pa = fx_host_page();

		memset(host_bytes(pa), fill, PG);
		assert_int_equal(fx_hc(KC_HC_VM_DONATE, vmid, ipa + i * PG, pa, PG, NULL),
				 KCORE_OK);
	}
}

/* Every IPA the gp VM has a page at, in increasing order; with_block adds the 2 MiB block. */
static u32 vm_ipas(u64 *ipa, bool with_block)
{
	u32 n = 0;

	for (u32 i = 0; i < IMAGE_PAGES; i++)
		ipa[n++] = GP_RAM_IPA + i * PG;
	for (u32 i = 0; i < EXTRA_PAGES; i++)
		ipa[n++] = EXTRA_IPA + i * PG;
	for (u32 i = 0; with_block && i < 512; i++)
		ipa[n++] = BLOCK_IPA + i * PG;
	return n;
}

/* The gp VM, with extra pages holding the secret, and vCPU 0 stopped in WFI with secrets in
 * x0..x30. */
static void setup_victim(bool with_block)
{
	donate_pages(gp_vmid, EXTRA_IPA, EXTRA_PAGES, 0);
	if (with_block) {
		u64 pa = fx_host_alloc(BLK, BLK);

		assert_int_equal(fx_hc(KC_HC_VM_DONATE, gp_vmid, BLOCK_IPA, pa, BLK, NULL),
				 KCORE_OK);
		memcpy(vm_page(gp_vmid, BLOCK_IPA + 7 * PG) + 100, secret, sizeof(secret));
	}
	for (u32 i = 0; i < EXTRA_PAGES; i++) {
		u8 *p = vm_page(gp_vmid, EXTRA_IPA + i * PG);

		memcpy(p + 64 * (size_t)i, secret, sizeof(secret));
		p[PG - 1] = (u8)(0xa0 + i);
	}
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
}

static int setup(void **state)
{
	rec_page = 0;
	return gp_setup(state);
}

static void snapshot_into(u32 vmid, struct snap *s, bool with_block)
{
	s->header = new_record();
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, vmid, s->header, 0, 0, NULL), KCORE_OK);
	s->nr_pages = vm_ipas(s->ipa, with_block);
	for (u32 i = 0; i < s->nr_pages; i++) {
		s->page[i] = (struct blob){fx_host_page(), new_record()};
		assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_PAGE, vmid, s->ipa[i], s->page[i].data,
				       s->page[i].rec, NULL),
				 KCORE_OK);
	}
	for (u32 v = 0; v < 2; v++) {
		s->vcpu[v] = (struct blob){fx_host_page(), new_record()};
		assert_int_equal(
		    fx_hc(KC_HC_VM_SNAPSHOT_VCPU, vmid, v, s->vcpu[v].data, s->vcpu[v].rec, NULL),
		    KCORE_OK);
	}
	s->trailer = new_record();
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_END, vmid, s->trailer, 0, 0, NULL), KCORE_OK);
	fx_check();
}

/* A verified VM with nr_vcpus vCPUs whose image is len bytes of `byte` at GP_RAM_IPA. */
static u32 build_vm(uint8_t byte, size_t len, u32 nr_vcpus)
{
	static uint8_t payload[8192];
	size_t size;
	uint8_t *img;
	u64 id;

	memset(payload, byte, len);
	img = fx_sign(fx_trusted_key(), payload, len, &size);
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	for (u32 v = 0; v < nr_vcpus; v++)
		assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, id, v, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SET_RAM, id, GP_RAM_IPA, GP_RAM_SIZE, 0, NULL), KCORE_OK);
	assert_int_equal(fx_load_image((u32)id, GP_RAM_IPA, img, size, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, id, 0, 0, 0, NULL), KCORE_OK);
	free(img);
	return (u32)id;
}

/* A new VM built like gp's (same image: the same measurement), with pages where s has them. */
static u32 twin_vm(const struct snap *s, uint8_t fill)
{
	u32 id = build_vm(0x11, 8192, 2);

	for (u32 i = 0; s != NULL && i < s->nr_pages; i++) {
		if (s->ipa[i] >= EXTRA_IPA && s->ipa[i] < BLOCK_IPA)
			donate_pages(id, s->ipa[i], 1, fill);
		if (s->ipa[i] == BLOCK_IPA) {
			u64 pa = fx_host_alloc(BLK, BLK);

			memset(host_bytes(pa), fill, BLK);
			assert_int_equal(fx_hc(KC_HC_VM_DONATE, id, BLOCK_IPA, pa, BLK, NULL),
					 KCORE_OK);
		}
	}
	fx_check();
	return id;
}

/*
 * After RESTORE_BEGIN: pages [from, to) of s, both vCPUs, then the trailer
 * at `trailer`; the first error, or KCORE_OK.
 */
static s64 restore_rest(u32 vmid, const struct snap *s, u32 from, u32 to, u64 trailer)
{
	s64 err = KCORE_OK;

	for (u32 i = from; i < to && err == KCORE_OK; i++)
		err = fx_hc(KC_HC_VM_RESTORE_PAGE, vmid, s->page[i].data, s->page[i].rec, 0, NULL);
	for (u32 v = 0; v < 2 && err == KCORE_OK; v++)
		err = fx_hc(KC_HC_VM_RESTORE_VCPU, vmid, s->vcpu[v].data, s->vcpu[v].rec, 0, NULL);
	if (err == KCORE_OK)
		err = fx_hc(KC_HC_VM_RESTORE_END, vmid, trailer, 0, 0, NULL);
	return err;
}

static void restore_from(u32 vmid, const struct snap *s)
{
	assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, vmid, s->header, 0, 0, NULL), KCORE_OK);
	assert_int_equal(restore_rest(vmid, s, 0, s->nr_pages, s->trailer), KCORE_OK);
	fx_check();
}

static bool string_in(const u8 *hay, size_t len, const char *needle, size_t n)
{
	for (const u8 *p = hay; (p = memchr(p, needle[0], len - (size_t)(p - hay))) != NULL; p++) {
		if ((size_t)(p - hay) + n <= len && memcmp(p, needle, n) == 0)
			return true;
	}
	return false;
}

/*
 * Every page the host owns, searched for the secret and for every register
 * value (a register would be stored as an aligned word).
 */
static void assert_host_sees_no_secret(void)
{
	for (u64 pa = FX_RAM_BASE; pa < FX_RAM_BASE + FX_RAM_SIZE; pa += PG) {
		const u8 *p = host_bytes(pa);

		if (fx_owner(pa) != OWNER_HOST)
			continue;
		assert_false(string_in(p, PG, secret, sizeof(secret) - 1));
		for (u32 w = 0; w < PG / 8; w++) {
			u64 v;

			memcpy(&v, p + 8 * (size_t)w, sizeof(v));
			assert_false(v >= GP_SECRET && v < GP_SECRET + 31);
		}
	}
}

static void assert_vcpus_equal(u32 a, u32 b)
{
	for (u32 v = 0; v < 2; v++) {
		const struct vcpu *x = &vm_from_id(a)->vcpus[v];
		const struct vcpu *y = &vm_from_id(b)->vcpus[v];

		assert_memory_equal(&x->regs, &y->regs, sizeof(x->regs));
		assert_memory_equal(&x->arch, &y->arch, sizeof(x->arch));
		assert_memory_equal(x->virq_pending, y->virq_pending, sizeof(x->virq_pending));
		assert_int_equal(x->has_run, y->has_run);
		assert_int_equal(x->entry_set, y->entry_set);
		assert_int_equal(x->entry_pc, y->entry_pc);
		assert_int_equal(x->pending, y->pending);
		assert_int_equal(x->ppi_enabled, y->ppi_enabled);
		assert_int_equal(x->mmio.gic_read, y->mmio.gic_read);
	}
}

static s64 run_status(u32 vmid, u32 vcpu)
{
	u64 reason;

	return fx_hc(KC_HC_VCPU_RUN, vmid, vcpu, gp_run_pa, 0, &reason);
}

/* ---- the round trip ------------------------------------------------------ */

static struct snap snap_a, snap_b;

static void test_restore_continues_where_the_snapshot_was_taken(void **state)
{
	struct vcpu_regs seen_original, seen_restored;
	u32 twin;

	(void)state;
	setup_victim(true);
	/* A pending interrupt travels with its vCPU. */
	assert_int_equal(fx_hc(KC_HC_VCPU_INJECT_IRQ, gp_vmid, 1, 40, 0, NULL), KCORE_OK);
	/* So do the guest's PPI enables and an open GIC read (core/run/gic_view.h). */
	vm_from_id(gp_vmid)->vcpus[1].ppi_enabled = 1u << 27;
	vm_from_id(gp_vmid)->vcpus[0].mmio.gic_read = 0x81;
	snapshot_into(gp_vmid, &snap_a, true);
	assert_host_sees_no_secret();

	twin = twin_vm(&snap_a, 0xee);
	restore_from(twin, &snap_a);
	for (u32 i = 0; i < snap_a.nr_pages; i++) {
		struct pt_leaf leaf;

		assert_memory_equal(vm_page(twin, snap_a.ipa[i]), vm_page(gp_vmid, snap_a.ipa[i]),
				    PG);
		/* Decrypted into the page, then cleaned to memory: the VM may read it uncached. */
		assert_true(pgt_lookup(&vm_from_id(twin)->s2, snap_a.ipa[i], &leaf));
		assert_true(sim_dcache_is_clean(pa_add(leaf.pa, snap_a.ipa[i] - leaf.ia), PG));
		assert_true(
		    sim_icache_synced_after_clean(pa_add(leaf.pa, snap_a.ipa[i] - leaf.ia), PG));
	}
	assert_vcpus_equal(gp_vmid, twin);
	assert_int_equal(vm_from_id(twin)->vcpus[1].ppi_enabled, 1u << 27);
	assert_int_equal(vm_from_id(twin)->vcpus[0].mmio.gic_read, 0x81);
	vm_from_id(gp_vmid)->vcpus[0].mmio.gic_read = 0;
	vm_from_id(twin)->vcpus[0].mmio.gic_read = 0;
	assert_host_sees_no_secret();

	/* Both go on from the same state: the guest finds the same registers in each. */
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	seen_original = gp.seen[0];
	gp_program(1, gp_step_wfi);
	gp_vmid = twin;
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
	seen_restored = gp.seen[0];
	assert_memory_equal(&seen_original, &seen_restored, sizeof(seen_original));
	assert_int_equal(seen_restored.x[5], GP_SECRET + 5);
}

static void test_snapshot_of_a_vcpu_that_never_ran_keeps_its_entry(void **state)
{
	u32 twin;

	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);
	twin = twin_vm(&snap_a, 0);
	restore_from(twin, &snap_a);
	/* vCPU 1 never ran: it still waits for CPU_ON; vCPU 0 goes on from its WFI. */
	assert_false(vm_from_id(twin)->vcpus[1].has_run);
	assert_false(vm_from_id(twin)->vcpus[1].entry_set);
	assert_int_equal(vm_from_id(twin)->vcpus[0].regs.pc, vm_from_id(gp_vmid)->vcpus[0].regs.pc);
}

static void test_two_snapshots_differ(void **state)
{
	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);
	snapshot_into(gp_vmid, &snap_b, false);
	/* A fresh id and key each time: the same page never encrypts the same way twice. */
	assert_memory_not_equal(record(snap_a.header)->snapshot_id,
				record(snap_b.header)->snapshot_id, KCORE_SNAP_ID_SIZE);
	for (u32 i = 0; i < snap_a.nr_pages; i++)
		assert_memory_not_equal(host_bytes(snap_a.page[i].data),
					host_bytes(snap_b.page[i].data), 64);
	assert_memory_equal(record(snap_a.header)->measurement, record(snap_b.header)->measurement,
			    KCORE_SNAP_MEAS_SIZE);
}

/* ---- taking a snapshot: the rules ----------------------------------------- */

static void test_vm_is_paused_until_end_or_cancel(void **state)
{
	u64 rec = new_record(), data = fx_host_page();

	(void)state;
	setup_victim(false);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, rec, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_RUN, gp_vmid, 0, gp_run_pa, 0);
	/* One open at a time, and no restore of a VM being saved. */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, new_record(), 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_RESTORE_BEGIN, gp_vmid, rec, 0, 0);
	assert_int_equal(
	    fx_hc(KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, GP_RAM_IPA, data, new_record(), NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_CANCEL, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_CANCEL, gp_vmid, 0, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_END, gp_vmid, new_record(), 0, 0);
	gp_program(1, gp_step_wfi);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
}

static void test_end_needs_every_page_and_vcpu(void **state)
{
	u64 ipa[MAX_PAGES];
	u32 n;

	(void)state;
	setup_victim(false);
	n = vm_ipas(ipa, false);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, new_record(), 0, 0, NULL),
			 KCORE_OK);
	/* The last page left out: END refuses and the snapshot stays open. */
	for (u32 i = 0; i + 1 < n; i++)
		assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, ipa[i], fx_host_page(),
				       new_record(), NULL),
				 KCORE_OK);
	for (u32 v = 0; v < 2; v++)
		assert_int_equal(
		    fx_hc(KC_HC_VM_SNAPSHOT_VCPU, gp_vmid, v, fx_host_page(), new_record(), NULL),
		    KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_END, gp_vmid, new_record(), 0, 0);
	/* Out of order, twice, or nothing there. */
	fx_expect_refused(KCORE_E_EXIST, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, ipa[0], fx_host_page(),
			  new_record());
	fx_expect_refused(KCORE_E_EXIST, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, ipa[n - 2],
			  fx_host_page(), new_record());
	fx_expect_refused(KCORE_E_NOENT, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, ipa[n - 1] + 0x10000,
			  fx_host_page(), new_record());
	fx_expect_refused(KCORE_E_EXIST, KC_HC_VM_SNAPSHOT_VCPU, gp_vmid, 1, fx_host_page(),
			  new_record());
	assert_int_equal(
	    fx_hc(KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, ipa[n - 1], fx_host_page(), new_record(), NULL),
	    KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_END, gp_vmid, new_record(), 0, 0, NULL), KCORE_OK);
}

static void test_a_page_donated_meanwhile_must_be_in_it(void **state)
{
	u64 ipa[MAX_PAGES];
	u32 n;

	(void)state;
	setup_victim(false);
	n = vm_ipas(ipa, false);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, new_record(), 0, 0, NULL),
			 KCORE_OK);
	for (u32 i = 0; i < n; i++)
		assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, ipa[i], fx_host_page(),
				       new_record(), NULL),
				 KCORE_OK);
	for (u32 v = 0; v < 2; v++)
		assert_int_equal(
		    fx_hc(KC_HC_VM_SNAPSHOT_VCPU, gp_vmid, v, fx_host_page(), new_record(), NULL),
		    KCORE_OK);
	/* Below the last page written: it can no longer be added, so END never succeeds. */
	donate_pages(gp_vmid, GP_RAM_IPA + 0x8000, 1, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_END, gp_vmid, new_record(), 0, 0);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_CANCEL, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
}

static void test_begin_refusals(void **state)
{
	u64 rec = new_record();
	s64 err;

	(void)state;
	setup_victim(false);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_BEGIN, 0, rec, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_BEGIN, 99, rec, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, rec + 8, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, FX_DEVICE_BASE, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, 1ull << 52, 0, 0);
	/* kcore's own page, and a VM's page, are not the host's to receive a record. */
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, FX_RAM_BASE, 0, 0);
	{
		struct pt_leaf leaf;

		assert_true(pgt_lookup(&vm_from_id(gp_vmid)->s2, EXTRA_IPA, &leaf));
		fx_expect_refused(KCORE_E_PERM, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, pa_addr(leaf.pa),
				  0, 0);
	}
	/* A VM sharing a page: its shared state is not part of a snapshot. */
	assert_true(fx_guest_call(gp_vmid, 0, KC_GC_SHARE_PAGE, EXTRA_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	fx_expect_refused(KCORE_E_BUSY, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, rec, 0, 0);
	assert_true(fx_guest_call(gp_vmid, 0, KC_GC_UNSHARE_PAGE, EXTRA_IPA, &err));
	assert_int_equal(err, KCORE_OK);
	/* No random numbers, no snapshot (and nothing changes). */
	sim_random_reset(0, true);
	fx_expect_refused(KCORE_E_NOT_SUPPORTED, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, rec, 0, 0);
	sim_random_reset(0, false);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, rec, 0, 0, NULL), KCORE_OK);
}

static void step_snapshot_while_running(struct vcpu_regs *r, struct arch_exit *e)
{
	/* The host, on another CPU, while this vCPU runs. */
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, new_record(), 0, 0, NULL),
			 KCORE_E_BUSY);
	gp_step_wfi(r, e);
}

static void test_begin_while_a_vcpu_runs_is_busy(void **state)
{
	(void)state;
	setup_victim(false);
	gp_program(1, step_snapshot_while_running);
	assert_int_equal(gp_run(0, 0), KC_EXIT_WFI);
}

static void test_begin_needs_a_verified_vm(void **state)
{
	u64 id;

	(void)state;
	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &id), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_BEGIN, id, new_record(), 0, 0);
	assert_int_equal(fx_hc(KC_HC_VM_POWEROFF, gp_vmid, 0, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, new_record(), 0, 0);
}

static void test_blob_argument_refusals(void **state)
{
	u64 rec = new_record(), data = fx_host_page();

	(void)state;
	setup_victim(false);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, GP_RAM_IPA, data, rec);
	assert_int_equal(fx_hc(KC_HC_VM_SNAPSHOT_BEGIN, gp_vmid, new_record(), 0, 0, NULL),
			 KCORE_OK);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, GP_RAM_IPA + 8, data,
			  rec);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, 1ull << 40, data, rec);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, GP_RAM_IPA, data + 128,
			  rec);
	/* The record inside the data page it describes. */
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, GP_RAM_IPA, data,
			  data + 256);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_PAGE, 0, GP_RAM_IPA, data, rec);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, GP_RAM_IPA, FX_RAM_BASE,
			  rec);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_SNAPSHOT_PAGE, gp_vmid, GP_RAM_IPA, data,
			  FX_RAM_BASE + 128);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_VCPU, gp_vmid, 4, data, rec);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_VCPU, gp_vmid, 2, data, rec);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_VCPU, gp_vmid, 0, data + 8, rec);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_SNAPSHOT_VCPU, gp_vmid, 0, data,
			  FX_RAM_BASE + 128);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_END, gp_vmid, rec + 1, 0, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_SNAPSHOT_CANCEL, 77, 0, 0, 0);
}

static void test_without_a_sealing_secret_nothing_is_supported(void **state)
{
	struct fx_config c = fx_default_config();

	(void)state;
	c.seal_secret = NULL;
	c.seal_secret_len = 0;
	fx_boot(&c);
	fx_expect_refused(KCORE_E_NOT_SUPPORTED, KC_HC_VM_SNAPSHOT_BEGIN, 1, fx_host_page(), 0, 0);
	fx_expect_refused(KCORE_E_NOT_SUPPORTED, KC_HC_VM_RESTORE_BEGIN, 1, fx_host_page(), 0, 0);
}

/* ---- restoring: every attack refused, the VM never runs ------------------- */

/* The restore failed: the VM never runs, and tearing it down shows the host nothing. */
static void assert_dead(u32 vmid)
{
	assert_int_equal(vm_from_id(vmid)->state, VM_POWEROFF);
	assert_int_equal(run_status(vmid, 0), KCORE_E_STATE);
	fx_check();
	assert_int_equal(fx_hc(KC_HC_VM_CLEAR_RANGE, vmid, 0, 1ull << 40, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL), KCORE_OK);
	assert_host_sees_no_secret();
	fx_check();
}

/* A twin with the header and pages 0..k-1 of s restored. */
static u32 restore_prefix(const struct snap *s, u32 k)
{
	u32 twin = twin_vm(s, 0);

	assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, twin, s->header, 0, 0, NULL), KCORE_OK);
	for (u32 i = 0; i < k; i++)
		assert_int_equal(
		    fx_hc(KC_HC_VM_RESTORE_PAGE, twin, s->page[i].data, s->page[i].rec, 0, NULL),
		    KCORE_OK);
	return twin;
}

static void flip(u64 pa, u64 off)
{
	host_bytes(pa)[off] ^= 0x01;
}

static void test_a_flipped_byte_anywhere_is_refused(void **state)
{
	static const u64 record_offsets[] = {0, 8, 12, 16, 24, 32, 40, 48, 64, 96, 112, 127};
	const u64 data_offsets[] = {0, 1000, PG - 1};

	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);

	for (u32 i = 0; i < ARRAY_SIZE(record_offsets); i++) {
		u32 twin = twin_vm(&snap_a, 0);

		flip(snap_a.header, record_offsets[i]);
		assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0, NULL),
				 KCORE_E_AUTH);
		flip(snap_a.header, record_offsets[i]);
		assert_dead(twin);
	}
	/* A page's record or data, a vCPU's record or blob, the trailer. */
	for (u32 what = 0; what < 5; what++) {
		for (u32 k = 0; k < 3; k++) {
			u32 twin = twin_vm(&snap_a, 0);
			u64 pa = what == 0   ? snap_a.page[4].rec + record_offsets[(size_t)k * 5]
				 : what == 1 ? snap_a.page[4].data + data_offsets[k]
				 : what == 2 ? snap_a.vcpu[0].rec + record_offsets[(size_t)k * 5]
				 : what == 3 ? snap_a.vcpu[0].data + data_offsets[k] % 2048
					     : snap_a.trailer + record_offsets[(size_t)k * 5];
			s64 err;

			flip(pa, 0);
			assert_int_equal(
			    fx_hc(KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0, NULL),
			    KCORE_OK);
			err = restore_rest(twin, &snap_a, 0, snap_a.nr_pages, snap_a.trailer);
			flip(pa, 0);
			assert_int_equal(err, KCORE_E_AUTH);
			assert_dead(twin);
		}
	}
}

static void test_swapped_replayed_or_dropped_pages_are_refused(void **state)
{
	u32 twin;

	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);

	/* Page 4 in page 3's place. */
	twin = restore_prefix(&snap_a, 3);
	assert_int_equal(
	    fx_hc(KC_HC_VM_RESTORE_PAGE, twin, snap_a.page[4].data, snap_a.page[4].rec, 0, NULL),
	    KCORE_E_AUTH);
	assert_dead(twin);

	/* Page 4's data under page 3's record: the tag covers the ciphertext. */
	twin = restore_prefix(&snap_a, 3);
	assert_int_equal(
	    fx_hc(KC_HC_VM_RESTORE_PAGE, twin, snap_a.page[4].data, snap_a.page[3].rec, 0, NULL),
	    KCORE_E_AUTH);
	assert_dead(twin);

	/* Page 2 twice. */
	twin = restore_prefix(&snap_a, 3);
	assert_int_equal(
	    fx_hc(KC_HC_VM_RESTORE_PAGE, twin, snap_a.page[2].data, snap_a.page[2].rec, 0, NULL),
	    KCORE_E_AUTH);
	assert_dead(twin);

	/* The last page dropped: the trailer counts them. */
	twin = restore_prefix(&snap_a, snap_a.nr_pages - 1);
	assert_int_equal(
	    restore_rest(twin, &snap_a, snap_a.nr_pages - 1, snap_a.nr_pages - 1, snap_a.trailer),
	    KCORE_E_AUTH);
	assert_dead(twin);

	/* A vCPU twice. */
	twin = twin_vm(&snap_a, 0);
	assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0, NULL), KCORE_OK);
	assert_int_equal(
	    fx_hc(KC_HC_VM_RESTORE_VCPU, twin, snap_a.vcpu[1].data, snap_a.vcpu[1].rec, 0, NULL),
	    KCORE_OK);
	assert_int_equal(
	    fx_hc(KC_HC_VM_RESTORE_VCPU, twin, snap_a.vcpu[1].data, snap_a.vcpu[1].rec, 0, NULL),
	    KCORE_E_AUTH);
	assert_dead(twin);
}

static void test_two_snapshots_cannot_be_mixed(void **state)
{
	u32 twin;

	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);
	snapshot_into(gp_vmid, &snap_b, false);

	/* Header of one, first page of the other. */
	twin = twin_vm(&snap_a, 0);
	assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0, NULL), KCORE_OK);
	assert_int_equal(
	    fx_hc(KC_HC_VM_RESTORE_PAGE, twin, snap_b.page[0].data, snap_b.page[0].rec, 0, NULL),
	    KCORE_E_AUTH);
	assert_dead(twin);

	/* Everything of one, the other's trailer. */
	twin = restore_prefix(&snap_a, snap_a.nr_pages);
	assert_int_equal(
	    restore_rest(twin, &snap_a, snap_a.nr_pages, snap_a.nr_pages, snap_b.trailer),
	    KCORE_E_AUTH);
	assert_dead(twin);
}

/* Another image (another measurement), or the same image with other vCPUs. */
static void test_a_snapshot_fits_only_its_kind_of_vm(void **state)
{
	static const struct {
		uint8_t byte;
		size_t len;
		u32 nr_vcpus;
	} others[] = {{0x22, 4096, 2}, {0x11, 8192, 1}};

	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);
	for (u32 i = 0; i < ARRAY_SIZE(others); i++) {
		u32 other = build_vm(others[i].byte, others[i].len, others[i].nr_vcpus);

		assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, other, snap_a.header, 0, 0, NULL),
				 KCORE_E_AUTH);
		assert_dead(other);
	}
}

static void test_restore_state_rules(void **state)
{
	u32 twin;

	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);
	/* Not into a VM whose vCPU ran (the original itself, here). */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_RESTORE_BEGIN, gp_vmid, snap_a.header, 0, 0);
	twin = twin_vm(&snap_a, 0);
	/* Nothing open yet. */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_RESTORE_PAGE, twin, snap_a.page[0].data,
			  snap_a.page[0].rec, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_RESTORE_END, twin, snap_a.trailer, 0, 0);
	/* Bad arguments: nothing changes and the restore can go on. */
	assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0, NULL), KCORE_OK);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VCPU_RUN, twin, 0, gp_run_pa, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_RESTORE_PAGE, twin, snap_a.page[0].data + 8,
			  snap_a.page[0].rec, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_RESTORE_PAGE, twin, snap_a.page[0].data,
			  snap_a.page[0].rec + 4, 0);
	fx_expect_refused(KCORE_E_INVAL, KC_HC_VM_RESTORE_PAGE, 0, snap_a.page[0].data,
			  snap_a.page[0].rec, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_RESTORE_PAGE, twin, FX_RAM_BASE,
			  snap_a.page[0].rec, 0);
	/* Not the host's page, with a record out of order: PERM, not AUTH (found by the model). */
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_RESTORE_PAGE, twin, FX_RAM_BASE,
			  snap_a.page[4].rec, 0);
	fx_expect_refused(KCORE_E_PERM, KC_HC_VM_RESTORE_VCPU, twin, snap_a.vcpu[0].data,
			  FX_RAM_BASE + 128, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0);
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_SNAPSHOT_BEGIN, twin, new_record(), 0, 0);
	assert_int_equal(restore_rest(twin, &snap_a, 0, snap_a.nr_pages, snap_a.trailer), KCORE_OK);
	/* Once restored, never again. */
	fx_expect_refused(KCORE_E_STATE, KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0);
	assert_vcpus_equal(gp_vmid, twin);
}

static void test_a_page_the_new_vm_lacks_ends_the_restore(void **state)
{
	u32 twin;

	(void)state;
	setup_victim(false);
	snapshot_into(gp_vmid, &snap_a, false);
	twin = twin_vm(NULL, 0); /* the image's pages only */
	assert_int_equal(fx_hc(KC_HC_VM_RESTORE_BEGIN, twin, snap_a.header, 0, 0, NULL), KCORE_OK);
	assert_int_equal(restore_rest(twin, &snap_a, 0, IMAGE_PAGES + 1, snap_a.trailer),
			 KCORE_E_NOENT);
	assert_dead(twin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_restore_continues_where_the_snapshot_was_taken, setup),
	    cmocka_unit_test_setup(test_snapshot_of_a_vcpu_that_never_ran_keeps_its_entry, setup),
	    cmocka_unit_test_setup(test_two_snapshots_differ, setup),
	    cmocka_unit_test_setup(test_vm_is_paused_until_end_or_cancel, setup),
	    cmocka_unit_test_setup(test_end_needs_every_page_and_vcpu, setup),
	    cmocka_unit_test_setup(test_a_page_donated_meanwhile_must_be_in_it, setup),
	    cmocka_unit_test_setup(test_begin_refusals, setup),
	    cmocka_unit_test_setup(test_begin_while_a_vcpu_runs_is_busy, setup),
	    cmocka_unit_test_setup(test_begin_needs_a_verified_vm, setup),
	    cmocka_unit_test_setup(test_blob_argument_refusals, setup),
	    cmocka_unit_test_setup(test_without_a_sealing_secret_nothing_is_supported, setup),
	    cmocka_unit_test_setup(test_a_flipped_byte_anywhere_is_refused, setup),
	    cmocka_unit_test_setup(test_swapped_replayed_or_dropped_pages_are_refused, setup),
	    cmocka_unit_test_setup(test_two_snapshots_cannot_be_mixed, setup),
	    cmocka_unit_test_setup(test_a_snapshot_fits_only_its_kind_of_vm, setup),
	    cmocka_unit_test_setup(test_restore_state_rules, setup),
	    cmocka_unit_test_setup(test_a_page_the_new_vm_lacks_ends_the_restore, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
