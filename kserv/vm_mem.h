/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM on demand: the first touch of a RAM page exits as
 * KC_EXIT_MEM_FAULT with the page's IPA, and kserv donates memory there with
 * KC_HC_VM_DONATE. A whole 2 MiB block when the IPA's 2 MiB region lies
 * inside the RAM, kserv has given nothing in it yet, and the allocator has
 * an aligned run of 512 free pages; one 4 KiB page otherwise, and always for
 * a VM with KCORE_PAYLOAD_VM_F_SMALL_PAGES (kcore-run's small-pages: each
 * first touch is then one fault, as the benchmarks need). kserv does not
 * write donated memory (that would map it into the host's stage-2 and make
 * kcore unmap it again, TLB invalidation included, page by page): free pages
 * are zero already (pages.h).
 */
#ifndef KSERV_VM_MEM_H
#define KSERV_VM_MEM_H

#include "guest.h"

/* Gives g memory at the faulting page ipa; false (and the guest failed) if it cannot. */
bool vm_mem_fault(struct guest *g, u64 ipa);

/* Donates the host page pa to g at ipa and records it; false, saying why, if kcore refuses. */
bool vm_mem_donate_page(struct guest *g, u64 ipa, u64 pa);

#endif /* KSERV_VM_MEM_H */
