/* SPDX-License-Identifier: MIT */
/*
 * Creating a VM from a payload record, the host's half of docs/abi.md's
 * "Booting a VM": KC_HC_REGISTER_VM, KC_HC_REGISTER_VCPU for each vCPU,
 * KC_HC_VM_SET_RAM for its RAM, the image (and initrd) handed to kcore page
 * by page (vm_image.c), the DTB written into a host page donated at the top
 * of the RAM, KC_HC_VCPU_SET_ENTRY for vCPU 0 (the image's first byte, x0 =
 * the DTB's IPA), a run page per vCPU, and KC_HC_VERIFY_VM.
 *
 * Markers: "KSERV: VM <name> verified", or "KSERV: VM <name> refused:
 * verification failed" (KCORE_E_VERIFY: kcore powered the VM off; kserv
 * tears it down), or "KSERV: VM <name> failed: <why>".
 */
#ifndef KSERV_VM_H
#define KSERV_VM_H

#include "guest.h"
#include "vmm/payload.h"

/*
 * Creates guest g from record i of p. Returns true if it is verified and
 * ready to run; otherwise it is refused or failed, and already torn down.
 */
bool vm_create(struct guest *g, const struct payload *p, u32 i);
/* The same under another name (name[GUEST_NAME_MAX]): kserv's own VMs for tests. */
bool vm_create_named(struct guest *g, const struct payload *p, u32 i, const char *name);

#endif /* KSERV_VM_H */
