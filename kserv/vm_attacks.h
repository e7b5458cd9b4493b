/* SPDX-License-Identifier: MIT */
/*
 * The host attack suite (payload flag KCORE_PAYLOAD_F_ATTACKS; docs/kserv.md
 * lists every attack). kserv, the untrusted host, attacks the VM named
 * "secret" (guests/secret.c) for real, through the same probes and
 * hypercalls it uses for everything else, and reports each attempt as
 * "ATTACK: <what> (<detail>): refused" or "... SUCCEEDED". Where it happens:
 *
 * - at the secret guest's first checkpoint: its memory, image and DTB read
 *   and written through the probe, its pages donated to a second VM, to
 *   itself and as a device, kcore's pages donated, an image page written and
 *   handed over twice before verification, vCPUs of an unverified and of a
 *   powered-off VM run, its registers set, its memory cleared and the VM freed
 *   while it runs, a run page in its memory; with edu, DMA at its page through
 *   the host's domain and through a domain the host made for it without its
 *   consent (io_consent_attack.h); then the invariant checker; the
 *   checkpoint's completion also asks kcore for an MMIO completion and an
 *   abort (a register write and an exception the host may not make); at the
 *   second checkpoint kserv answers STOP and the guest checks itself;
 * - on every exit of the secret guest: no secret value in the exit record
 *   beyond the arguments of a guest call;
 * - at its teardown: its memory read after power-off, before it is cleared,
 *   and every page it had scanned for its secret after it was cleared;
 * - when a guest (ioshare) asks the host to read a page it shared and then
 *   unshared: the host's read and a write of that page must abort, and its
 *   map into an IO domain of that VM is refused; while it still shares it,
 *   edu reaches it through such a domain (io_consent_share.h).
 *
 * The summary: "ATTACKS: N attempted, N refused, 0 succeeded", then the
 * invariant checker once more (vms.c).
 */
#ifndef KSERV_VM_ATTACKS_H
#define KSERV_VM_ATTACKS_H

#include "guest.h"

void vm_attacks_reset(bool enabled);
bool vm_attacks_enabled(void);

/* KC_TEST_CHECKPOINT(n) from v: attacks if it is time; returns the answer (x0). */
u64 vm_attacks_checkpoint(struct guest_vcpu *v, u64 n);
/* Every exit: the exit record must not carry a secret. */
void vm_attacks_check_exit(struct guest *g, const struct kcore_vcpu_run *run);
/* A line of the guest's console output (the secret guest's verdict). */
void vm_attacks_guest_line(struct guest *g, const char *line);
/* KC_TEST_READ_SHARED at ipa (pa): readable or not; after unshare, attacks the page. */
void vm_attacks_shared_read(struct guest *g, u64 ipa, u64 pa, bool readable);
/* Teardown: after power-off, before KC_HC_VM_CLEAR_RANGE; and after KC_HC_VM_FREE. */
void vm_attacks_during_teardown(struct guest *g);
void vm_attacks_after_teardown(struct guest *g);

/* Prints "ATTACKS: ..." (and what did not happen); true if nothing succeeded. */
bool vm_attacks_summary(void);

#endif /* KSERV_VM_ATTACKS_H */
