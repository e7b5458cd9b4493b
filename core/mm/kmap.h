/* SPDX-License-Identifier: MIT */
/*
 * kcore's own EL2 stage-1 mappings (the seeds' WriteOnceKernelMapping): a
 * non-zero mapping, once made, never changes, and there is deliberately no
 * unmap. The image windows (where kcore reads a VM image the host handed it)
 * are carved from one VA range by a bump allocator, so no two windows ever
 * overlap, and every window page mapped is recorded in a log that the
 * invariant checker compares with the tables.
 *
 * Protected by mem_lock: every call that changes a mapping takes its token.
 */
#ifndef KCORE_MM_KMAP_H
#define KCORE_MM_KMAP_H

#include "mem_lock.h"
#include "pgtable.h"

/* Bookkeeping bytes the window log needs. */
u64 kmap_log_bytes(u64 window_pages);

int kmap_init(struct pt_pool *pool, vaddr_t window_base, u64 window_pages, u64 *window_log);

/*
 * Maps one page. KCORE_E_INVAL for an unaligned address or a VA beyond 48
 * bits, KCORE_E_EXIST when va is already mapped (write-once), KCORE_E_NOMEM
 * when the kcore pool cannot hold the tables; nothing changes then.
 */
int kmap_map_page(struct mem_locked locked, vaddr_t va, paddr_t pa, u32 prot);

/* Maps one 2 MiB block (both addresses 2 MiB aligned); errors as kmap_map_page. */
int kmap_map_block(struct mem_locked locked, vaddr_t va, paddr_t pa, u32 prot);

/* Reserves npages of fresh window VA. KCORE_E_NOMEM when the window range is used up. */
int kmap_window_alloc(struct mem_locked locked, u64 npages, vaddr_t *va);

/* Maps pa read-only at va, which must be a reserved, never-mapped window page. */
int kmap_window_map(struct mem_locked locked, vaddr_t va, paddr_t pa);

/* Table pages a kmap_window_map at va would need (prepare step). */
u32 kmap_window_map_cost(vaddr_t va);

bool kmap_lookup(vaddr_t va, paddr_t *pa);

const struct pgtable *kmap_table(void);
const struct pt_pool *kmap_pool(void);

/* For the invariant checker: the window and its log. */
vaddr_t kmap_window_base(void);
u64 kmap_window_reserved(void);
u64 kmap_window_limit(void);
/* 0 if window page i was never mapped, else its pfn + 1. */
u64 kmap_window_logged(u64 i);

#endif /* KCORE_MM_KMAP_H */
