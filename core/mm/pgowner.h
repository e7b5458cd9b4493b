/* SPDX-License-Identifier: MIT */
/*
 * The page ownership table (the seeds' PageIndex/PageManager layers, "s2page"
 * in SeKVM): for every 4 KiB page of RAM, who owns it, how many times it is
 * shared out, and (for a VM's page) the guest frame where the VM maps it.
 * Addresses outside RAM have no entry: they are device memory.
 *
 * Protected by mem_lock (core/lock_order.h).
 *
 * This is the read side. Entries change only in core/mem/ (every ownership
 * transition, by direction), through the write side in pgowner_write.h,
 * which nothing else includes (scripts/check_mem_rules.sh).
 */
#ifndef KCORE_MM_PGOWNER_H
#define KCORE_MM_PGOWNER_H

#include "core/kcore.h"

/* Owners: the host, kcore, or VM n (1..KCORE_MAX_VMS). */
#define OWNER_HOST  0u
#define OWNER_KCORE 0xffffu
#define GFN_NONE    (~0ull)

struct page_info {
	u32 owner;
	/* VM pages: 1 while the VM shares the page with the host, else 0. */
	u32 count;
	/*
	 * Mappings of the page in IO domains, the host's and VMs' (smmu_count):
	 * while it is non-zero a device the host programs can reach the page, so
	 * the page may not leave the host (donation, image) nor a VM take it back
	 * (unshare). Only a shared VM page may be in a domain at all.
	 */
	u32 dma_count;
	/*
	 * Scratch for the invariant checker alone, which counts IO leaves per page
	 * here and puts it back to 0 before it returns; it fills what would
	 * otherwise be padding.
	 */
	u32 check_scratch;
	/* VM pages: the guest frame the VM maps it at; GFN_NONE otherwise. */
	u64 gfn;
};

static inline bool owner_is_vm(u32 owner)
{
	return owner >= 1 && owner <= KCORE_MAX_VMS;
}

/* Bytes of storage the table needs for these RAM banks. */
u64 pgowner_table_bytes(const struct kcore_mem_range *ram, u32 nr_ram);

/*
 * Lays the table out in storage; its entries are written by core/mem
 * (mem_owners_init: every page the host's).
 */
void pgowner_init(void *storage, const struct kcore_mem_range *ram, u32 nr_ram);

/* The entry of a RAM page, or NULL when pa is not RAM. */
const struct page_info *pgowner_get(paddr_t pa);

bool pgowner_is_ram(paddr_t pa);

/* Iteration over every RAM page, for the invariant checker and teardown. */
u64 pgowner_nr_pages(void);
paddr_t pgowner_page_at(u64 index);

#endif /* KCORE_MM_PGOWNER_H */
