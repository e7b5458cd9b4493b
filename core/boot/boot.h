/* SPDX-License-Identifier: MIT */
/*
 * VM boot (the seeds' BootOps layer): the host declares each image
 * (set_boot_info), hands its pages to kcore one by one (remap_vm_image: the
 * page leaves the host's reach and appears in a kcore window), then asks for
 * verification (verify_and_load_images). Only when every image of the VM
 * verified do its pages become the VM's, mapped at their load addresses.
 */
#ifndef KCORE_VM_BOOT_H
#define KCORE_VM_BOOT_H

#include "core/vm/vm.h"

int vm_set_boot_info(u64 vmid, u64 load_ipa, u64 size, u32 *load_idx);
int vm_remap_image_page(u64 vmid, u64 pfn, u64 load_idx);
int vm_verify_and_load_images(u64 vmid);

/* search_load_info (is pc in a verified image's payload?) is the registry's: core/vm/vm.h. */

/* Largest image kcore accepts (bytes, trailer included). */
#define KCORE_MAX_IMAGE_SIZE (512ull * 1024 * 1024)

#endif /* KCORE_VM_BOOT_H */
