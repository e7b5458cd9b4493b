/* SPDX-License-Identifier: MIT */
/*
 * What the arch may call in the memory layer (core/arch.h, "called by the
 * arch"): building kcore's own stage-1 at boot and asking who owns a page.
 * Narrow on purpose: the arch never sees the ownership table, kmap or
 * mem_lock themselves.
 */
#include "core/arch.h"
#include "core/mm/kmap.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"

_Static_assert(KCORE_IO_DOMAIN_MIN_PAGES == PT_LEVELS, "an IO domain's table has PT_LEVELS levels");

static u32 s1_prot(enum kcore_s1_kind kind)
{
	switch (kind) {
	case KCORE_S1_TEXT:
		return PT_PROT_R | PT_PROT_X;
	case KCORE_S1_RODATA:
		return PT_PROT_R;
	case KCORE_S1_DATA:
	case KCORE_S1_RAM:
		return PT_PROT_RW;
	default:
		return PT_PROT_RW | PT_PROT_DEVICE;
	}
}

int kcore_s1_map_identity(paddr_t base, u64 size, enum kcore_s1_kind kind)
{
	u32 prot = s1_prot(kind);
	u64 a = pa_addr(base), end = a + size;
	int err = KCORE_OK;
	struct mem_locked locked = mem_lock();

	while (err == KCORE_OK && a < end) {
		/* RAM in 2 MiB blocks where it can: fewer tables, fewer TLB entries. */
		if (kind == KCORE_S1_RAM && is_aligned(a, BLOCK_SIZE) && end - a >= BLOCK_SIZE) {
			err = kmap_map_block(locked, va_init(a), pa_init(a), prot);
			a += BLOCK_SIZE;
		} else {
			err = kmap_map_page(locked, va_init(a), pa_init(a), prot);
			a += PAGE_SIZE;
		}
	}
	mem_unlock(locked);
	return err;
}

bool kcore_page_is_hosts(paddr_t pa)
{
	const struct page_info *p = pgowner_get(pa);

	return p != NULL && p->owner == OWNER_HOST;
}
