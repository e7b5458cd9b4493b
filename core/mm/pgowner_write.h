/* SPDX-License-Identifier: MIT */
/*
 * The write side of the page ownership table. Only the files of core/mem/ include
 * this header: every change of a page's owner, share count, DMA count or
 * gfn is an ownership transition there, so the invariant checker and a
 * reader of the security argument find them all in one folder.
 * scripts/check_mem_rules.sh fails on any other includer and on any write
 * to a page_info field outside core/mem/ (tests, which corrupt the table on
 * purpose, are exempt).
 */
#ifndef KCORE_MM_PGOWNER_WRITE_H
#define KCORE_MM_PGOWNER_WRITE_H

#include "pgowner.h"

/* The entry of a RAM page, writable, or NULL when pa is not RAM. Under mem_lock. */
struct page_info *pgowner_get_mut(paddr_t pa);

/*
 * Every entry set to value: boot's first state of the table (core/mem's
 * mem_owners_init). One loop here rather than a call per page: a GiB of RAM
 * is 262,144 entries, filled before the host's first instruction.
 */
void pgowner_fill(struct page_info value);

/* Entry index (0 .. pgowner_nr_pages() - 1), writable: the checker's scratch fields. */
struct page_info *pgowner_entry_at(u64 index);

#endif /* KCORE_MM_PGOWNER_WRITE_H */
