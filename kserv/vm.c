/* SPDX-License-Identifier: MIT */
#include "vm.h"

#include <string.h>

#include "console.h"
#include "hvc.h"
#include "pages.h"
#include "sysreg.h"
#include "vm_image.h"
#include "vm_mem.h"
#include "vm_teardown.h"
#include "vmm/guest_dtb.h"

/* One hypercall of the boot sequence; a refusal fails the guest, saying which call. */
static bool boot_call(struct guest *g, const char *name, u64 id, u64 a1, u64 a2, u64 a3, u64 a4,
		      struct kcore_ret *r)
{
	s64 err = kcore_call(id, a1, a2, a3, a4, 0, r);

	if (err == KCORE_OK)
		return true;
	kprintf("kserv: VM %s: %s: %s (%ld)\n", g->name, name, kcore_err_name(err), err);
	guest_fail(g, "kcore refused a call of its boot sequence");
	return false;
}

static bool register_vm(struct guest *g)
{
	struct kcore_ret r;

	/*
	 * The counter just before the first call that creates the VM (kcore gives
	 * the host and VMs no counter offset): with QEMU -icount, instructions / 16
	 * since boot; a guest's counter at its first instruction minus this is its
	 * boot cost (docs/guests.md, Linux; docs/bench/README.md, "Boot cost").
	 */
	g->created_at = read_cntvct_fenced();
	if (!boot_call(g, "KC_HC_REGISTER_VM", KC_HC_REGISTER_VM, 0, 0, 0, 0, &r))
		return false;
	g->vmid = r.x[1];
	kprintf("kserv: VM %s: registered as vmid %lu at counter %lu\n", g->name, g->vmid,
		g->created_at);
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		if (!boot_call(g, "KC_HC_REGISTER_VCPU", KC_HC_REGISTER_VCPU, g->vmid, i, 0, 0, &r))
			return false;
	}
	return boot_call(g, "KC_HC_VM_SET_RAM", KC_HC_VM_SET_RAM, g->vmid, g->lay.ram_base,
			 g->lay.ram_size, 0, &r);
}

static bool load_images(struct guest *g, const struct payload *p)
{
	const struct kcore_payload_vm *rec = g->rec;
	u64 first;

	if (!vm_image_load(g, "image", payload_file(p, &rec->image), rec->image.size,
			   g->lay.load_ipa, &g->image_first_pa)) {
		guest_fail(g, "its image could not be handed to kcore");
		return false;
	}
	if (g->lay.initrd_ipa != 0 && !vm_image_load(g, "initrd", payload_file(p, &rec->initrd),
						     rec->initrd.size, g->lay.initrd_ipa, &first)) {
		guest_fail(g, "its initrd could not be handed to kcore");
		return false;
	}
	return true;
}

/* The DTB goes into a fresh host page, which is then donated: donation keeps the contents. */
static bool give_dtb(struct guest *g)
{
	const struct guest_dtb_desc d = {.name = g->name,
					 .ram_base = g->lay.ram_base,
					 .ram_size = g->lay.ram_size,
					 .nr_vcpus = g->nr_vcpus,
					 .bootargs = g->rec->cmdline,
					 .initrd_start = g->lay.initrd_ipa,
					 .initrd_end = g->lay.initrd_ipa + g->lay.initrd_payload};
	u64 pa = page_alloc();

	if (pa == 0) {
		guest_fail(g, "no host page for its DTB");
		return false;
	}
	if (guest_dtb_write((void *)(uintptr_t)pa, (u32)GUEST_DTB_SIZE, &d) != GUEST_DTB_OK) {
		page_free_zeroed(pa);
		guest_fail(g, "its DTB does not fit in a page");
		return false;
	}
	if (!vm_mem_donate_page(g, g->lay.dtb_ipa, pa)) {
		page_free_zeroed(pa);
		guest_fail(g, "kcore refused its DTB page");
		return false;
	}
	return true;
}

static bool make_run_pages(struct guest *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		u64 pa = page_alloc();

		if (pa == 0) {
			guest_fail(g, "no host page for a run page");
			return false;
		}
		g->vcpus[i].run_pa = pa; /* free pages are zero (pages.h) */
	}
	return true;
}

static bool verify(struct guest *g)
{
	u64 t0 = read_cntvct_fenced();
	s64 err = kcore_call(KC_HC_VERIFY_VM, g->vmid, 0, 0, 0, 0, NULL);

	g->verify_ticks = read_cntvct_fenced() - t0;
	if (err == KCORE_OK) {
		g->state = GUEST_VERIFIED;
		kprintf("KSERV: VM %s verified\n", g->name);
		/* Counter ticks; x16 = instructions under QEMU -icount (bench/bench.sh reads it).
		 */
		kprintf("kserv: VM %s: image %lu bytes: remap %lu ticks, verify %lu ticks\n",
			g->name, g->image_bytes, g->remap_ticks, g->verify_ticks);
		if ((g->flags & KCORE_PAYLOAD_VM_F_EXPECT_REFUSED) != 0)
			guest_fail(g, "verified, but the payload says its verification must fail");
		return !g->failed;
	}
	if (err == KCORE_E_VERIFY) {
		/* kcore has powered it off for good: it never runs. */
		g->state = GUEST_REFUSED;
		g->done = true;
		g->kcore_poweroff = true;
		kprintf("KSERV: VM %s refused: verification failed\n", g->name);
		return false;
	}
	kprintf("kserv: VM %s: KC_HC_VERIFY_VM: %s (%ld)\n", g->name, kcore_err_name(err), err);
	guest_fail(g, "KC_HC_VERIFY_VM failed");
	return false;
}

static bool boot(struct guest *g, const struct payload *p)
{
	struct kcore_ret r;

	if (!register_vm(g) || !load_images(g, p) || !give_dtb(g))
		return false;
	if (!boot_call(g, "KC_HC_VCPU_SET_ENTRY", KC_HC_VCPU_SET_ENTRY, g->vmid, 0, g->lay.load_ipa,
		       g->lay.dtb_ipa, &r))
		return false;
	if (!make_run_pages(g))
		return false;
	return verify(g);
}

bool vm_create(struct guest *g, const struct payload *p, u32 i)
{
	return vm_create_named(g, p, i, p->vms[i].name);
}

bool vm_create_named(struct guest *g, const struct payload *p, u32 i, const char *name)
{
	const struct kcore_payload_vm *rec = &p->vms[i];

	memcpy(g->name, name, sizeof(g->name));
	g->name[sizeof(g->name) - 1] = '\0';
	g->rec = rec;
	g->nr_vcpus = rec->nr_vcpus;
	g->flags = rec->flags;
	g->lay = p->layout[i];
	gfn_map_init(&g->map, g->lay.ram_base, g->lay.ram_size);
	kprintf("kserv: VM %s: %u vCPU%s, %lu MiB of RAM at 0x%lx, image at 0x%lx (%s), "
		"DTB at 0x%lx%s\n",
		g->name, g->nr_vcpus, g->nr_vcpus == 1 ? "" : "s", g->lay.ram_size >> 20,
		g->lay.ram_base, g->lay.load_ipa,
		g->lay.has_header ? "arm64 Image header" : "no Image header: RAM base",
		g->lay.dtb_ipa, g->lay.initrd_ipa != 0 ? ", initrd below it" : "");
	if (boot(g, p))
		return true;
	vm_teardown(g);
	return false;
}
