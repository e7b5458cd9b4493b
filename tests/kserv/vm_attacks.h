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
 * invariant checker once more (kserv/vms.c).
 *
 * All of it through vm_attacks_hooks (drivers.h): the flag turns the suite on
 * at on_payload_start, on_payload_end prints the summary. The CPU_ON attacks
 * are hooks of their own (vm_attacks_cpu_on.h).
 */
#ifndef KSERV_VM_ATTACKS_H
#define KSERV_VM_ATTACKS_H

#include "kserv/types.h"

/* Whether the payload run asked for the suite (KCORE_PAYLOAD_F_ATTACKS). */
bool vm_attacks_enabled(void);

#endif /* KSERV_VM_ATTACKS_H */
