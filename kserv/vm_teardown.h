/* SPDX-License-Identifier: MIT */
/*
 * Taking a VM apart (docs/abi.md, "Teardown"): KC_HC_VM_POWEROFF unless the
 * guest or kcore powered it off already, KC_HC_VM_CLEAR_RANGE over its whole
 * RAM (image, initrd and DTB included: they lie inside it), KC_HC_VM_FREE;
 * then a check, through the probe, that the first page of its image, which
 * held guest data, reads back as zero; then every page kserv gave it, its
 * run pages and its map's own pages go back to the allocator. If kcore
 * refuses a step, the pages stay out of the allocator (they may still be
 * the VM's) and the guest counts as failed.
 */
#ifndef KSERV_VM_TEARDOWN_H
#define KSERV_VM_TEARDOWN_H

#include "guest.h"

/* Tears g down; no vCPU of it may be running. */
void vm_teardown(struct guest *g);

/* True if every word of the page at pa reads (through the probe) as zero. */
bool page_reads_zero(u64 pa);

#endif /* KSERV_VM_TEARDOWN_H */
