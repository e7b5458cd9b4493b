/* SPDX-License-Identifier: MIT */
/*
 * Handing a signed file (image or initrd) to kcore as one of a VM's boot
 * images (docs/abi.md, "Booting a VM"): KC_HC_SET_BOOT_INFO with the whole
 * file's size, then each 4 KiB of the file copied into a fresh host page and
 * given to kcore with KC_HC_REMAP_VM_IMAGE, in order. From that call on the
 * page is kcore's: kserv can no longer change what gets verified.
 */
#ifndef KSERV_VM_IMAGE_H
#define KSERV_VM_IMAGE_H

#include "guest.h"

/*
 * Loads file[0..size) at ipa; every page handed over is recorded in g's gfn
 * map (it comes back at teardown). *first_pa: the file's first page. False,
 * with a line saying why, if any call fails.
 */
bool vm_image_load(struct guest *g, const char *what, const u8 *file, u64 size, u64 ipa,
		   u64 *first_pa);

#endif /* KSERV_VM_IMAGE_H */
