/* SPDX-License-Identifier: MIT */
#include "vm_image.h"

#include "console.h"
#include "hvc.h"
#include "pages.h"
#include "sysreg.h"

bool vm_image_load(struct guest *g, const char *what, const u8 *file, u64 size, u64 ipa,
		   u64 *first_pa)
{
	struct kcore_ret r;
	s64 err = kcore_call(KC_HC_SET_BOOT_INFO, g->vmid, ipa, size, 0, 0, &r);
	u64 idx = r.x[1], t0;

	if (err != KCORE_OK) {
		kprintf("kserv: VM %s: KC_HC_SET_BOOT_INFO(%s at 0x%lx, %lu bytes): %s (%ld)\n",
			g->name, what, ipa, size, kcore_err_name(err), err);
		return false;
	}
	for (u64 off = 0; off < size; off += KSERV_PAGE_SIZE) {
		u64 pa = guest_image_page(file, size, off);

		if (pa == 0) {
			kprintf("kserv: VM %s: out of host memory loading its %s\n", g->name, what);
			return false;
		}
		t0 = read_cntvct_fenced();
		err = kcore_call(KC_HC_REMAP_VM_IMAGE, g->vmid, pa >> KSERV_PAGE_SHIFT, idx, 0, 0,
				 &r);
		g->remap_ticks += read_cntvct_fenced() - t0;
		if (err != KCORE_OK) {
			kprintf("kserv: VM %s: KC_HC_REMAP_VM_IMAGE(%s page %lu, pa 0x%lx): %s "
				"(%ld)\n",
				g->name, what, off >> KSERV_PAGE_SHIFT, pa, kcore_err_name(err),
				err);
			page_free_zeroed(pa);
			return false;
		}
		/* kcore's now; it comes back to the host when the VM is cleared or freed. */
		if (!gfn_map_set_page(&g->map, ipa + off, pa)) {
			kprintf("kserv: VM %s: no host memory for its page map\n", g->name);
			return false;
		}
		if (off == 0)
			*first_pa = pa;
	}
	g->image_bytes += size;
	kprintf("kserv: VM %s: %s: %lu bytes at IPA 0x%lx handed to kcore (image %lu)\n", g->name,
		what, size, ipa, idx);
	return true;
}
