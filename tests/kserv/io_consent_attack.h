/* SPDX-License-Identifier: MIT */
/*
 * The consentless IO domain (issue 14, point 2), one attack of the host
 * attack suite (vm_attacks.h): the host alone makes an IO domain for a VM,
 * attaches a device it drives (edu) and maps the VM's page at its IPA, so
 * that the device reads and writes the VM's memory for the host. kcore must
 * refuse the map (docs/abi.md, DMA isolation: a VM's page reaches a device
 * only while the VM shares it), and the device, attached to that domain,
 * must reach nothing of the VM.
 */
#ifndef KSERV_IO_CONSENT_ATTACK_H
#define KSERV_IO_CONSENT_ATTACK_H

#include "kserv/edu.h"

/*
 * Attacks VM vmid's page pa, which it maps at ipa and has never shared (the
 * secret guest's first secret page). edu must be attached to no domain;
 * host_dom is a host domain that maps host_pa at host_iova (where edu's
 * buffer is copied out to look at it); edu is attached nowhere afterwards.
 * Reports three attempts: the map, edu's read (no secret word may reach
 * its buffer) and edu's write (the guest's own checks find its secret
 * intact).
 */
void io_consent_attack(u64 vmid, u64 ipa, u64 pa, const struct edu *edu, u64 host_dom,
		       u64 host_iova, u64 host_pa);

#endif /* KSERV_IO_CONSENT_ATTACK_H */
