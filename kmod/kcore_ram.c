// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * A VM's RAM beyond its images: the memory the module donates when the
 * guest first touches an address of its RAM (KC_EXIT_MEM_FAULT), and its
 * end.
 *
 * A 2 MiB block where it can (the block inside the RAM, nothing of it given
 * yet, no image or DTB page in it, Linux has a free order-9 page, the VM not
 * created with KCORE_VM_SMALL_PAGES): one fault and one stage-2 entry
 * instead of 512, as kserv does. Otherwise a 4 KiB page. Either is kcore's
 * until VM_CLEAR_RANGE gives it back (zeroed): the module keeps it in
 * vm->ram (a block by its first page's index, marked RAM_BLOCK), never
 * reads, writes or frees it before then. It is allocated GFP_KERNEL_ACCOUNT
 * from the thread that runs the vCPU, so the memory cgroup of the VMM is
 * charged for its guest's RAM, and zeroed: the guest gets nothing of the
 * host's (kcore does not scrub on donation).
 *
 * vm->ram_lock serializes donations (two vCPUs touching one page both see
 * the fault: the second finds it given and only runs again). Faults are
 * rare after boot, so one lock per VM costs nothing that matters.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "kcore_vm.h"

#define RAM_BLOCK   XA_MARK_0
#define BLOCK_ORDER 9u
#define BLOCK_PAGES (1ul << BLOCK_ORDER)
#define BLOCK_GFP   (GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY)

static unsigned long ram_index(u64 ipa)
{
	return (unsigned long)((ipa - KCORE_GUEST_RAM_BASE) >> PAGE_SHIFT);
}

static void count_given(struct kcore_vm *vm, long pages)
{
	atomic_long_add(pages, &kcore_pages_allocated);
	atomic_long_add(pages, &kcore_pages_held);
	atomic_long_add(pages, &vm->pages_given);
}

/* Whether [ipa, ipa + size) meets a file kcore maps in the RAM (its pages' ranges). */
static bool meets_file(const struct kcore_file_pages *f, u64 ipa, u64 size)
{
	u64 end = f->ipa + (u64)f->nr_pages * KCORE_PAGE_SIZE;

	return f->nr_pages != 0 && ipa < end && f->ipa < ipa + size;
}

/* Whether the page at index is given already, alone or in a block. */
static bool ram_given(struct kcore_vm *vm, unsigned long index)
{
	unsigned long first = index & ~(BLOCK_PAGES - 1);

	return xa_load(&vm->ram, index) != NULL ||
	       (xa_load(&vm->ram, first) != NULL && xa_get_mark(&vm->ram, first, RAM_BLOCK));
}

/* 0: the block went in; an errno: it could not (a page may still). */
static int donate_block(struct kcore_vm *vm, u64 ipa)
{
	u64 base = ipa & ~(KCORE_BLOCK_SIZE - 1);
	unsigned long first = ram_index(base), i = first;
	struct page *page;
	long err;

	if ((vm->flags & KCORE_VM_SMALL_PAGES) != 0 || base < KCORE_GUEST_RAM_BASE ||
	    base - KCORE_GUEST_RAM_BASE + KCORE_BLOCK_SIZE > vm->ram_size ||
	    xa_find(&vm->ram, &i, first + BLOCK_PAGES - 1, XA_PRESENT) != NULL ||
	    meets_file(&vm->image, base, KCORE_BLOCK_SIZE) ||
	    meets_file(&vm->initrd, base, KCORE_BLOCK_SIZE) ||
	    meets_file(&vm->dtb, base, KCORE_BLOCK_SIZE))
		return -EEXIST;
	page = alloc_pages(BLOCK_GFP, BLOCK_ORDER);
	if (page == NULL)
		return -ENOMEM;
	if (xa_insert(&vm->ram, first, page, GFP_KERNEL_ACCOUNT) != 0) {
		__free_pages(page, BLOCK_ORDER);
		return -ENOMEM;
	}
	xa_set_mark(&vm->ram, first, RAM_BLOCK);
	err = kcore_vm_call(vm, "KC_HC_VM_DONATE (2 MiB)", KC_HC_VM_DONATE, base,
			    page_to_phys(page), KCORE_BLOCK_SIZE, NULL);
	if (err != KCORE_OK) {
		/* Still Linux's: kcore refused it before taking any of it (a pool full, say). */
		xa_erase(&vm->ram, first);
		__free_pages(page, BLOCK_ORDER);
		return kcore_errno(err);
	}
	kcore_pages_taken(page, BLOCK_PAGES);
	count_given(vm, (long)BLOCK_PAGES);
	return 0;
}

static int donate_page(struct kcore_vm *vm, u64 ipa)
{
	unsigned long index = ram_index(ipa);
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	long err;
	int ret;

	if (page == NULL)
		return -ENOMEM;
	ret = xa_insert(&vm->ram, index, page, GFP_KERNEL_ACCOUNT);
	if (ret != 0) {
		__free_page(page);
		return ret;
	}
	err = kcore_vm_call(vm, "KC_HC_VM_DONATE", KC_HC_VM_DONATE, ipa, page_to_phys(page),
			    KCORE_PAGE_SIZE, NULL);
	if (err != KCORE_OK) {
		/* Still Linux's: kcore refused it before taking it. */
		xa_erase(&vm->ram, index);
		__free_page(page);
		return kcore_errno(err);
	}
	kcore_pages_taken(page, 1);
	count_given(vm, 1);
	return 0;
}

int kcore_ram_donate(struct kcore_vm *vm, u64 ipa)
{
	int ret = 0;

	/* kcore says which page; the module still checks it is the VM's RAM before using it. */
	if (ipa < KCORE_GUEST_RAM_BASE || ipa - KCORE_GUEST_RAM_BASE >= vm->ram_size ||
	    (ipa & (KCORE_PAGE_SIZE - 1)) != 0)
		return -EIO;
	mutex_lock(&vm->ram_lock);
	if (!ram_given(vm, ram_index(ipa)) && donate_block(vm, ipa) != 0)
		ret = donate_page(vm, ipa);
	mutex_unlock(&vm->ram_lock);
	return ret;
}

unsigned long kcore_ram_pfn(struct kcore_vm *vm, u64 ipa)
{
	unsigned long index = ram_index(ipa), first = index & ~(BLOCK_PAGES - 1);
	struct page *page = xa_load(&vm->ram, index);

	if (page != NULL)
		return page_to_pfn(page);
	page = xa_load(&vm->ram, first);
	if (page != NULL && xa_get_mark(&vm->ram, first, RAM_BLOCK))
		return page_to_pfn(page) + (index - first);
	return 0;
}

/* Whether the page at index is one of f's kcore holds. */
static bool in_file(const struct kcore_file_pages *f, unsigned long index)
{
	unsigned long first = ram_index(f->ipa);

	return f->nr_given != 0 && index >= first && index - first < f->nr_given;
}

int kcore_ram_ensure(struct kcore_vm *vm, u64 ipa)
{
	unsigned long index;
	int ret = 0;

	if (ipa < KCORE_GUEST_RAM_BASE || ipa - KCORE_GUEST_RAM_BASE >= vm->ram_size ||
	    (ipa & (KCORE_PAGE_SIZE - 1)) != 0)
		return 0;
	index = ram_index(ipa);
	if (in_file(&vm->image, index) || in_file(&vm->initrd, index) || in_file(&vm->dtb, index))
		return 0;
	mutex_lock(&vm->ram_lock);
	if (!ram_given(vm, index) && donate_block(vm, ipa) != 0)
		ret = donate_page(vm, ipa);
	mutex_unlock(&vm->ram_lock);
	return ret;
}

/* The first page of f at or above from, if any, into *best when lower. */
static void file_next(const struct kcore_file_pages *f, unsigned long from, unsigned long *best)
{
	unsigned long first = ram_index(f->ipa), last;

	if (f->nr_given == 0)
		return;
	last = first + f->nr_given - 1;
	if (from <= last)
		*best = min(*best, max(from, first));
}

bool kcore_ram_next(struct kcore_vm *vm, unsigned long from, unsigned long *out)
{
	unsigned long best = ULONG_MAX, block = from & ~(BLOCK_PAGES - 1), i = from;

	file_next(&vm->image, from, &best);
	file_next(&vm->initrd, from, &best);
	file_next(&vm->dtb, from, &best);
	/* Inside a block from's own page is there; else the next entry, a page or a block's first.
	 */
	if (xa_load(&vm->ram, block) != NULL && xa_get_mark(&vm->ram, block, RAM_BLOCK))
		best = min(best, from);
	else if (xa_find(&vm->ram, &i, ULONG_MAX, XA_PRESENT) != NULL)
		best = min(best, i);
	*out = best;
	return best != ULONG_MAX;
}

/* After VM_CLEAR_RANGE gave them back; leak: kcore refused, they stay allocated for good. */
void kcore_ram_free_all(struct kcore_vm *vm, bool leak)
{
	unsigned long index;
	struct page *page;

	xa_for_each(&vm->ram, index, page)
	{
		bool block = xa_get_mark(&vm->ram, index, RAM_BLOCK);
		long pages = block ? (long)BLOCK_PAGES : 1;

		atomic_long_sub(pages, &kcore_pages_held);
		if (leak) {
			atomic_long_add(pages, &kcore_pages_leaked);
			continue;
		}
		kcore_pages_returned(page, (unsigned long)pages);
		if (block)
			__free_pages(page, BLOCK_ORDER);
		else
			__free_page(page);
		atomic_long_sub(pages, &kcore_pages_allocated);
	}
	xa_destroy(&vm->ram);
}
