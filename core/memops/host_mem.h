/* SPDX-License-Identifier: MIT */
/*
 * The host's stage-2 (the seeds' MemHandler/FaultHandler for the host side):
 * an identity map (host_flatmap) built lazily on faults. A fault on a page
 * the host may reach maps it; any other fault is refused and the arch injects
 * an abort into the host. Pages leave the host's stage-2 (with invalidation)
 * when they become kcore's or a VM's.
 *
 * Protected by mem_lock.
 */
#ifndef KCORE_MEMOPS_HOST_MEM_H
#define KCORE_MEMOPS_HOST_MEM_H

#include "core/kcore.h"
#include "core/mm/pgtable.h"

int host_mem_init(struct pt_pool *pool, u32 ipa_bits);

/*
 * May the host map this address right now? (host_iso as a predicate.) RAM by
 * its owner; anything else by its class in the platform policy (HOST_SAFE and
 * BEHIND_SMMU only: never KCORE, MEDIATED, DENIED or unknown space).
 */
bool host_may_map(paddr_t pa);

/* Removes the host's mapping of one RAM page, if any, invalidating the TLB. */
void host_unmap_page(paddr_t pa);

const struct pgtable *host_s2_table(void);
const struct pt_pool *host_pool(void);

#endif /* KCORE_MEMOPS_HOST_MEM_H */
