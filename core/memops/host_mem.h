/* SPDX-License-Identifier: MIT */
/*
 * The host's stage-2 faults (the seeds' MemHandler/FaultHandler for the host
 * side): the identity map (host_flatmap, core/mem/host_s2.c) is built lazily
 * on faults. A fault on a page the host may reach maps it; any other fault is
 * refused and the arch injects an abort into the host. Pages leave the
 * host's stage-2 (with invalidation) in the ownership transitions of
 * core/mem when they become kcore's or a VM's.
 *
 * Protected by mem_lock.
 */
#ifndef KCORE_MEMOPS_HOST_MEM_H
#define KCORE_MEMOPS_HOST_MEM_H

#include "core/kcore.h"
#include "core/mem/host_s2.h"

/*
 * May the host map this address right now? (host_iso as a predicate.) RAM by
 * its owner; anything else by its class in the platform policy (HOST_SAFE and
 * BEHIND_SMMU only: never KCORE, MEDIATED, DENIED or unknown space).
 */
bool host_may_map(paddr_t pa);

#endif /* KCORE_MEMOPS_HOST_MEM_H */
