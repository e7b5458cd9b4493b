/* SPDX-License-Identifier: MIT */
#include "vm_attacks_suite.h"

#include <kcore/guest_tests.h>
#include <string.h>

#include "attack_report.h"
#include "io_consent_attack.h"
#include "io_faults.h"
#include "kserv/commands.h"
#include "kserv/console.h"
#include "kserv/edu.h"
#include "kserv/fdt_info.h"
#include "kserv/format.h"
#include "kserv/hvc.h"
#include "kserv/pages.h"
#include "kserv/vm_teardown.h"
#include "platform_attacks.h"

#define B_RAM_SIZE KCORE_BLOCK_SIZE
#define DMA_IOVA   0x100000ull /* where the host maps its own page for edu */
#define DMA_LEN	   256u	       /* bytes per refused transfer (QEMU queues a fault per 4) */

/* What the attacks aim at. */
struct targets {
	u64 secret_pa; /* the page holding the start of its secret */
	u64 block_pa;  /* the 2 MiB block holding it, if it was donated as one */
	u64 image_pa;
	u64 dtb_pa;
	u64 kcore_pa; /* a page of kcore's (the first /memreserve/ range) */
};

static bool setup(const char *what, u64 id, u64 a1, u64 a2, u64 a3, struct kcore_ret *r)
{
	s64 err = kcore_call(id, a1, a2, a3, 0, 0, r);

	if (err != KCORE_OK)
		kprintf("kserv: attacks: setup: %s: %s (%ld)\n", what, kcore_err_name(err), err);
	return err == KCORE_OK;
}

static void find_targets(struct guest *g, struct targets *t)
{
	guest_lock(g);
	t->secret_pa = gfn_map_lookup(&g->map, KC_TEST_SECRET_IPA);
	t->block_pa = gfn_map_block_pa(&g->map, KC_TEST_SECRET_IPA);
	t->dtb_pa = gfn_map_lookup(&g->map, g->lay.dtb_ipa);
	guest_unlock(g);
	t->image_pa = g->image_first_pa;
	t->kcore_pa =
	    machine.nr_reserved > 0 ? align_up(machine.reserved[0].base, KSERV_PAGE_SIZE) : 0;
}

/* The host's probes against the secret VM's memory. */
static void memory_attacks(const struct targets *t)
{
	if (t->secret_pa == 0) {
		kprintf("kserv: attacks: no page at 0x%llx: the guest has not written its secret\n",
			KC_TEST_SECRET_IPA);
	} else {
		attack_read("read the secret VM's memory while it runs", t->secret_pa);
		attack_write("write the secret VM's memory while it runs", t->secret_pa);
	}
	attack_read("read the secret VM's image after verification", t->image_pa);
	attack_write("change the secret VM's image after verification", t->image_pa);
	if (t->dtb_pa != 0) {
		attack_read("read the DTB page donated to the secret VM", t->dtb_pa);
		attack_write("change the DTB page donated to the secret VM", t->dtb_pa);
	}
}

/* Donations and mappings of pages that are not the host's, into a second VM b and into g. */
static void donation_attacks(struct guest *g, u64 b, const struct targets *t)
{
	u64 outside = layout_ram_end(&g->lay); /* unmapped, not an image: only the page decides */

	if (t->secret_pa != 0) {
		attack_call("donate the secret VM's page to a second VM", KCORE_E_PERM,
			    KC_HC_VM_DONATE, b, KCORE_GUEST_RAM_BASE, t->secret_pa,
			    KCORE_PAGE_SIZE);
		attack_call("donate the secret VM's page to itself at a second IPA", KCORE_E_PERM,
			    KC_HC_VM_DONATE, g->vmid, outside, t->secret_pa, KCORE_PAGE_SIZE);
		attack_call("map the secret VM's page into a second VM as a device", KCORE_E_INVAL,
			    KC_HC_VM_MAP_IO, b, KCORE_GUEST_RAM_BASE, t->secret_pa, 0);
	}
	if (t->block_pa != 0)
		attack_call("donate the secret VM's 2 MiB block to a second VM", KCORE_E_PERM,
			    KC_HC_VM_DONATE, b, KCORE_GUEST_RAM_BASE, t->block_pa,
			    KCORE_BLOCK_SIZE);
	attack_call("donate the secret VM's image page to a second VM", KCORE_E_PERM,
		    KC_HC_VM_DONATE, b, KCORE_GUEST_RAM_BASE, t->image_pa, KCORE_PAGE_SIZE);
	if (t->kcore_pa != 0) {
		attack_call("donate a page of kcore's to a second VM", KCORE_E_PERM,
			    KC_HC_VM_DONATE, b, KCORE_GUEST_RAM_BASE, t->kcore_pa, KCORE_PAGE_SIZE);
		attack_call("donate a page of kcore's to the secret VM", KCORE_E_PERM,
			    KC_HC_VM_DONATE, g->vmid, outside, t->kcore_pa, KCORE_PAGE_SIZE);
		attack_call("map a page of kcore's into a second VM as a device", KCORE_E_INVAL,
			    KC_HC_VM_MAP_IO, b, KCORE_GUEST_RAM_BASE, t->kcore_pa, 0);
	}
}

/*
 * An image page of b changed, or handed over twice, after kserv gave it to
 * kcore. Returns that page (kcore's until b is freed), or 0.
 */
static u64 image_swap_attacks(u64 b, const struct targets *t)
{
	struct kcore_ret r;
	u64 pa = page_alloc();

	if (pa == 0 || !setup("KC_HC_SET_BOOT_INFO (second VM)", KC_HC_SET_BOOT_INFO, b,
			      KCORE_GUEST_RAM_BASE, 2 * KSERV_PAGE_SIZE, &r)) {
		if (pa != 0)
			page_free(pa);
		return 0;
	}
	memset((void *)(uintptr_t)pa, 0x5a, KSERV_PAGE_SIZE);
	if (!setup("KC_HC_REMAP_VM_IMAGE (second VM)", KC_HC_REMAP_VM_IMAGE, b,
		   pa >> KSERV_PAGE_SHIFT, r.x[1], NULL)) {
		page_free_zeroed(pa);
		return 0;
	}
	attack_write("change an image page after handing it to kcore, before verification", pa);
	attack_call("hand kcore the same image page again (a swap)", KCORE_E_PERM,
		    KC_HC_REMAP_VM_IMAGE, b, pa >> KSERV_PAGE_SHIFT, r.x[1], 0);
	if (t->secret_pa != 0)
		attack_call("hand kcore the secret VM's page as an image page", KCORE_E_PERM,
			    KC_HC_REMAP_VM_IMAGE, b, t->secret_pa >> KSERV_PAGE_SHIFT, r.x[1], 0);
	return pa;
}

/* Mappings of the secret VM's page for a device that kcore must refuse (smmu_iso). */
static void io_map_attacks(struct guest *g, u64 host_dom, u64 host_pa, const struct targets *t)
{
	struct kcore_ret r;

	attack_call("map the secret VM's page into the host's IO domain", KCORE_E_PERM,
		    KC_HC_IO_MAP, host_dom, DMA_IOVA + KSERV_PAGE_SIZE, t->secret_pa, 0);
	if (!setup("KC_HC_IO_DOMAIN_ALLOC (the secret VM's)", KC_HC_IO_DOMAIN_ALLOC, g->vmid, 0, 0,
		   &r))
		return;
	attack_call("map the secret VM's page into its own IO domain at another IPA", KCORE_E_PERM,
		    KC_HC_IO_MAP, r.x[1], layout_ram_end(&g->lay), t->secret_pa, 0);
	attack_call("map a host page into the secret VM's IO domain", KCORE_E_PERM, KC_HC_IO_MAP,
		    r.x[1], KC_TEST_SECRET_IPA + KSERV_PAGE_SIZE, host_pa, 0);
	setup("KC_HC_IO_DOMAIN_FREE (the secret VM's)", KC_HC_IO_DOMAIN_FREE, r.x[1], 0, 0, &r);
}

/*
 * edu, attached to a domain holding one host page, aimed at the secret VM's
 * page by its PA: the SMMU must refuse the write (the guest's checkpoints
 * find its secret intact) and the read (no secret word reaches the device's
 * buffer, looked at by copying it out to the host's page).
 */
static void dma_transfer_attacks(const struct edu *edu, u64 host_pa, const struct targets *t)
{
	const u64 *words = (const u64 *)(uintptr_t)host_pa;
	char detail[128];
	bool refused, leaked = false;

	for (u32 i = 0; i < DMA_LEN / 8; i++)
		((u64 *)(uintptr_t)host_pa)[i] = ATTACK_VM_POISON;
	if (!edu_dma(edu, false, DMA_IOVA, 0, DMA_LEN) ||
	    !edu_dma(edu, true, t->secret_pa, 0, DMA_LEN)) {
		kprintf("kserv: attacks: edu did not finish a transfer\n");
		return;
	}
	refused = io_faults_expect(edu->sid, KC_IO_FAULT_F_TRANSLATION, t->secret_pa, DMA_LEN,
				   KC_IO_FAULT_ACCESS_WRITE, detail, sizeof(detail));
	attack_report("edu writes the secret VM's page by its PA (host domain)", refused, detail);
	if (!edu_dma(edu, false, t->secret_pa, 0, DMA_LEN) ||
	    !edu_dma(edu, true, DMA_IOVA, 0, DMA_LEN)) {
		kprintf("kserv: attacks: edu did not finish a transfer\n");
		return;
	}
	refused = io_faults_expect(edu->sid, KC_IO_FAULT_F_TRANSLATION, t->secret_pa, DMA_LEN,
				   KC_IO_FAULT_ACCESS_READ, detail, sizeof(detail));
	for (u32 i = 0; i < DMA_LEN / 8; i++)
		leaked = leaked || kc_test_is_secret(words[i]);
	if (leaked)
		format_buf(detail, sizeof(detail), "a secret word reached the host's page");
	attack_report("edu reads the secret VM's page by its PA (host domain)", refused && !leaked,
		      detail);
}

/* The host's DMA engine against the running secret VM, if QEMU has one (kcore-run --edu). */
static void dma_attacks_claimed(struct guest *g, const struct targets *t)
{
	struct edu edu;
	struct kcore_ret r;
	u64 dom, pa;

	if (t->secret_pa == 0 || !edu_probe(&edu)) {
		kprintf("kserv: attacks: no edu device (kcore-run --edu): no DMA attacks\n");
		return;
	}
	pa = page_alloc();
	if (pa == 0 || !setup("KC_HC_IO_DOMAIN_ALLOC", KC_HC_IO_DOMAIN_ALLOC, 0, 0, 0, &r)) {
		if (pa != 0)
			page_free(pa);
		return;
	}
	dom = r.x[1];
	io_map_attacks(g, dom, pa, t);
	if (setup("KC_HC_IO_MAP", KC_HC_IO_MAP, dom, DMA_IOVA, pa, &r)) {
		io_consent_attack(g->vmid, KC_TEST_SECRET_IPA, t->secret_pa, &edu, dom, DMA_IOVA,
				  pa);
		if (setup("KC_HC_IO_ATTACH", KC_HC_IO_ATTACH, dom, edu.sid, 0, &r)) {
			dma_transfer_attacks(&edu, pa, t);
			setup("KC_HC_IO_DETACH", KC_HC_IO_DETACH, edu.sid, 0, 0, &r);
		}
		setup("KC_HC_IO_UNMAP", KC_HC_IO_UNMAP, dom, DMA_IOVA, 0, &r);
	}
	if (setup("KC_HC_IO_DOMAIN_FREE", KC_HC_IO_DOMAIN_FREE, dom, 0, 0, &r))
		page_free_zeroed(pa);
}

/* edu is also used from other VMs' CPUs (io_consent_share.c): one user at a time. */
static void dma_attacks(struct guest *g, const struct targets *t)
{
	edu_claim();
	dma_attacks_claimed(g, t);
	edu_release();
}

/* Calls on the running secret VM that would change it or take it apart. */
static void running_vm_attacks(struct guest *g, struct guest_vcpu *v, const struct targets *t)
{
	attack_call("set the secret VM's registers (KC_HC_VCPU_SET_ENTRY on its vCPU 0)",
		    KCORE_E_STATE, KC_HC_VCPU_SET_ENTRY, g->vmid, 0, g->lay.load_ipa, 0);
	attack_call("clear the secret VM's memory while it runs", KCORE_E_STATE,
		    KC_HC_VM_CLEAR_RANGE, g->vmid, g->lay.ram_base, g->lay.ram_size, 0);
	attack_call("free the secret VM while it runs", KCORE_E_STATE, KC_HC_VM_FREE, g->vmid, 0, 0,
		    0);
	if (t->secret_pa != 0)
		attack_call("run the secret VM with its run page in its own memory", KCORE_E_PERM,
			    KC_HC_VCPU_RUN, g->vmid, v->id, t->secret_pa, 0);
	if (t->kcore_pa != 0)
		attack_call("run the secret VM with its run page in kcore's memory", KCORE_E_PERM,
			    KC_HC_VCPU_RUN, g->vmid, v->id, t->kcore_pa, 0);
}

/* A second VM b: attacks through it, then its teardown. */
static void second_vm_attacks(struct guest *g, const struct targets *t)
{
	struct kcore_ret r;
	u64 b, image_pa = 0, run_pa = page_alloc();

	if (run_pa == 0 || !setup("KC_HC_REGISTER_VM", KC_HC_REGISTER_VM, 0, 0, 0, &r)) {
		if (run_pa != 0)
			page_free(run_pa);
		return;
	}
	b = r.x[1];
	kprintf("kserv: attacks: second VM %lu registered\n", b);
	if (setup("KC_HC_REGISTER_VCPU", KC_HC_REGISTER_VCPU, b, 0, 0, &r) &&
	    setup("KC_HC_VM_SET_RAM", KC_HC_VM_SET_RAM, b, KCORE_GUEST_RAM_BASE, B_RAM_SIZE, &r)) {
		donation_attacks(g, b, t);
		image_pa = image_swap_attacks(b, t);
		attack_call("run a vCPU of a VM that was not verified", KCORE_E_STATE,
			    KC_HC_VCPU_RUN, b, 0, run_pa, 0);
	}
	if (setup("KC_HC_VM_POWEROFF (second VM)", KC_HC_VM_POWEROFF, b, 0, 0, &r))
		attack_call("run a vCPU of a powered-off VM", KCORE_E_STATE, KC_HC_VCPU_RUN, b, 0,
			    run_pa, 0);
	if (setup("KC_HC_VM_CLEAR_RANGE (second VM)", KC_HC_VM_CLEAR_RANGE, b, KCORE_GUEST_RAM_BASE,
		  B_RAM_SIZE, &r) &&
	    setup("KC_HC_VM_FREE (second VM)", KC_HC_VM_FREE, b, 0, 0, &r)) {
		/* Its image page is the host's again, zeroed by kcore. */
		kprintf("kserv: attacks: second VM %lu freed; its image page %s\n", b,
			image_pa == 0 || page_reads_zero(image_pa) ? "reads as zero"
								   : "DOES NOT read as zero");
		if (image_pa != 0)
			page_free(image_pa);
	}
	page_free_zeroed(run_pa);
}

void vm_attacks_suite(struct guest *g, struct guest_vcpu *v)
{
	struct targets t;
	char check[] = "check";

	find_targets(g, &t);
	memory_attacks(&t);
	dma_attacks(g, &t);
	platform_attacks(g);
	second_vm_attacks(g, &t);
	running_vm_attacks(g, v, &t);
	command_run(check);
}
