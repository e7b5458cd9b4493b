/* SPDX-License-Identifier: MIT */
/*
 * The other side of the consentless IO domain (io_consent_attack.h): a
 * VM's page reaches a device once the VM shares it, and no longer once it
 * takes it back. With the attack suite on and edu present, when a guest
 * (ioshare) asks the host to read a page it shares (KC_TEST_READ_SHARED),
 * kserv makes an IO domain for that VM, maps the page at its IPA and has
 * edu read it through the domain: the bytes must be the page's, with no
 * fault ("DMA-CONSENT: ...: ok"). The mapping is gone before the guest runs
 * again, so its unshare is not BUSY. When the guest asks again after it
 * unshared the page, the same map is an attack and must be refused
 * ("ATTACK: ...").
 */
#ifndef KSERV_IO_CONSENT_SHARE_H
#define KSERV_IO_CONSENT_SHARE_H

#include "kserv/guest.h"

/* KC_TEST_READ_SHARED at ipa (pa) from g; readable: the host could read it (shared). */
void io_consent_shared_read(struct guest *g, u64 ipa, u64 pa, bool readable);

#endif /* KSERV_IO_CONSENT_SHARE_H */
