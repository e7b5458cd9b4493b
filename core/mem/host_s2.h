/* SPDX-License-Identifier: MIT */
/*
 * The host's stage-2 table (host_flatmap: IPA == PA) and its pool. The
 * ownership transitions unmap pages from it (a page leaves the host before
 * anyone else may see it); the host's fault path (core/memops/host_mem.c)
 * decides what the host may map and maps it through host_s2_map.
 *
 * Protected by mem_lock: every call that changes the table takes its token.
 */
#ifndef KCORE_MEM_HOST_S2_H
#define KCORE_MEM_HOST_S2_H

#include "core/kcore.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgtable.h"

int host_s2_init(struct pt_pool *pool, u32 ipa_bits);

/*
 * Maps [base, base + size) for the host with prot; the caller checked the
 * range is unmapped and the host's pool can hold its tables (pgt_map_cost).
 */
void host_s2_map(struct mem_locked locked, paddr_t base, u64 size, u32 prot);

/* Removes the host's mapping of one RAM page, if any, invalidating the TLB. */
void host_unmap_page(struct mem_locked locked, paddr_t pa);

/* The table, read-only (host_s2.c holds the writable one); inline: every host fault reads it. */
extern const struct pgtable *const host_s2_readonly;

static inline const struct pgtable *host_s2_table(void)
{
	return host_s2_readonly;
}

static inline const struct pt_pool *host_pool(void)
{
	return host_s2_readonly->pool;
}

#endif /* KCORE_MEM_HOST_S2_H */
