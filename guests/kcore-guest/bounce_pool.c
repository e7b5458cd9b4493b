// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * The bounce pool (kcore_guest.h): the only memory this guest ever shares.
 *
 * Allocated once at load, zeroed first (kcore shares only a page the VM
 * already has: zeroing touches each page, so each is mapped in the VM's
 * stage-2 before MEM_SHARE names it), then shared page by page. It is never
 * unshared or freed: the module cannot be unloaded, because a device may
 * hold any address in it until the guest powers off.
 *
 * Slots are whole pages. A bitmap under a spinlock hands out runs of them
 * (the DMA API maps from atomic context: virtio's queue_rq holds a lock);
 * each slot of a run records the run's first slot, and the first slot the
 * private buffer and size, so an unmap or sync at any address in the run
 * finds them.
 */
#include <linux/arm-smccc.h>
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kcore_guest.h"

/* pKVM's MEM_SHARE: SMC64, vendor hypervisor service, function 3 (x1 the IPA). */
#define KVM_MEM_SHARE_FUNC_ID \
	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64, ARM_SMCCC_OWNER_VENDOR_HYP, 3)

struct slot {
	unsigned long first; /* the run this slot belongs to */
	void *orig;	     /* first slot only: the private buffer, NULL if coherent */
	size_t size;	     /* first slot only: bytes mapped */
	unsigned long len;   /* first slot only: slots in the run */
};

static struct page *pool_page;
static phys_addr_t pool_phys;
static void *pool_va;
static unsigned long pool_slots;
static unsigned long pool_free;
static unsigned long *pool_map;
static struct slot *slots;
static DEFINE_SPINLOCK(pool_lock);

static int share_page(phys_addr_t ipa)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(KVM_MEM_SHARE_FUNC_ID, ipa, 0, 0, &res);
	return res.a0 == SMCCC_RET_SUCCESS ? 0 : -EPERM;
}

int bounce_pool_create(unsigned long pages)
{
	unsigned int order = get_order(pages << PAGE_SHIFT);
	unsigned long i;
	int err;

	if (pages == 0 || order > MAX_ORDER - 1 || (1ul << order) != pages)
		return -EINVAL;
	pool_map = bitmap_zalloc(pages, GFP_KERNEL);
	slots = kcalloc(pages, sizeof(*slots), GFP_KERNEL);
	pool_page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (pool_map == NULL || slots == NULL || pool_page == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	pool_phys = page_to_phys(pool_page);
	pool_va = page_address(pool_page);
	for (i = 0; i < pages; i++) {
		phys_addr_t ipa = pool_phys + (i << PAGE_SHIFT);

		err = share_page(ipa);
		if (err != 0) {
			/*
			 * The pages already shared stay shared and are never
			 * given back to Linux: the host may still write them.
			 */
			pr_err("kcore-guest: MEM_SHARE of pool page %lu (IPA %pa) refused\n", i,
			       &ipa);
			pool_page = NULL;
			goto fail;
		}
	}
	pool_slots = pages;
	pool_free = pages;
	return 0;
fail:
	if (pool_page != NULL)
		__free_pages(pool_page, order);
	kfree(slots);
	bitmap_free(pool_map);
	slots = NULL;
	pool_map = NULL;
	return err;
}

long bounce_pool_take(unsigned long n, void *orig, size_t size)
{
	unsigned long flags, first, i;

	if (n == 0 || n > pool_slots)
		return -ENOMEM;
	spin_lock_irqsave(&pool_lock, flags);
	first = bitmap_find_next_zero_area(pool_map, pool_slots, 0, n, 0);
	if (first >= pool_slots) {
		spin_unlock_irqrestore(&pool_lock, flags);
		return -ENOMEM;
	}
	bitmap_set(pool_map, first, n);
	pool_free -= n;
	for (i = first; i < first + n; i++)
		slots[i].first = first;
	slots[first].orig = orig;
	slots[first].size = size;
	slots[first].len = n;
	spin_unlock_irqrestore(&pool_lock, flags);
	return (long)first;
}

void bounce_pool_give(unsigned long first)
{
	unsigned long flags, n;

	spin_lock_irqsave(&pool_lock, flags);
	n = slots[first].len;
	slots[first].orig = NULL;
	slots[first].size = 0;
	slots[first].len = 0;
	bitmap_clear(pool_map, first, n);
	pool_free += n;
	spin_unlock_irqrestore(&pool_lock, flags);
}

long bounce_pool_lookup(dma_addr_t addr, unsigned long *first)
{
	unsigned long flags, slot;
	long ret = -EINVAL;

	if (addr < pool_phys || addr - pool_phys >= (pool_slots << PAGE_SHIFT))
		return -EINVAL;
	slot = (unsigned long)((addr - pool_phys) >> PAGE_SHIFT);
	spin_lock_irqsave(&pool_lock, flags);
	if (test_bit(slot, pool_map)) {
		*first = slots[slot].first;
		ret = 0;
	}
	spin_unlock_irqrestore(&pool_lock, flags);
	return ret;
}

void *bounce_pool_va(unsigned long slot)
{
	return (u8 *)pool_va + (slot << PAGE_SHIFT);
}

dma_addr_t bounce_pool_dma(unsigned long slot)
{
	/* A virtio-mmio device sees guest physical addresses: no dma-ranges, no IOMMU. */
	return (dma_addr_t)(pool_phys + (slot << PAGE_SHIFT));
}

void *bounce_pool_orig(unsigned long first, size_t *size)
{
	*size = slots[first].size;
	return slots[first].orig;
}

unsigned long bounce_pool_slots(void)
{
	return pool_slots;
}

unsigned long bounce_pool_free_slots(void)
{
	return READ_ONCE(pool_free);
}
