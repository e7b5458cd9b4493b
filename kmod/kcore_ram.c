// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * A VM's RAM beyond its images: the pages the module donates when the guest
 * first touches an address of its RAM (KC_EXIT_MEM_FAULT), and their end.
 *
 * A donated page is kcore's until VM_CLEAR_RANGE gives it back (zeroed): the
 * module keeps it in vm->ram, never reads, writes or frees it before then.
 * It is allocated GFP_KERNEL_ACCOUNT from the thread that runs the vCPU, so
 * the memory cgroup of the VMM is charged for its guest's RAM, and zeroed:
 * the guest gets nothing of the host's (kcore does not scrub on donation).
 *
 * Two vCPUs touching the same page both see the fault: the xarray slot is
 * taken before the donation, so the second finds it taken and only runs
 * again (by then, or soon, the page is mapped).
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/xarray.h>

#include "kcore_vm.h"

int kcore_ram_donate(struct kcore_vm *vm, u64 ipa)
{
	unsigned long index;
	struct page *page;
	long err;
	int ret;

	/* kcore says which page; the module still checks it is the VM's RAM before using it. */
	if (ipa < KCORE_GUEST_RAM_BASE || ipa - KCORE_GUEST_RAM_BASE >= vm->ram_size ||
	    (ipa & (KCORE_PAGE_SIZE - 1)) != 0)
		return -EIO;
	index = (unsigned long)((ipa - KCORE_GUEST_RAM_BASE) >> PAGE_SHIFT);
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (page == NULL)
		return -ENOMEM;
	ret = xa_insert(&vm->ram, index, page, GFP_KERNEL_ACCOUNT);
	if (ret != 0) {
		__free_page(page);
		/* -EBUSY: another vCPU is donating it; run again. */
		return ret == -EBUSY ? 0 : ret;
	}
	atomic_long_inc(&kcore_pages_allocated);
	err = kcore_vm_call(vm, "KC_HC_VM_DONATE", KC_HC_VM_DONATE, ipa, page_to_phys(page),
			    KCORE_PAGE_SIZE, NULL);
	if (err != KCORE_OK) {
		/* Still Linux's: kcore refused it before taking it. */
		xa_erase(&vm->ram, index);
		__free_page(page);
		atomic_long_dec(&kcore_pages_allocated);
		return err == KCORE_E_EXIST ? 0 : kcore_errno(err);
	}
	atomic_long_inc(&kcore_pages_held);
	atomic_long_inc(&vm->pages_given);
	return 0;
}

/* After VM_CLEAR_RANGE gave them back; leak: kcore refused, they stay allocated for good. */
void kcore_ram_free_all(struct kcore_vm *vm, bool leak)
{
	unsigned long index;
	struct page *page;

	xa_for_each(&vm->ram, index, page)
	{
		atomic_long_dec(&kcore_pages_held);
		if (leak) {
			atomic_long_inc(&kcore_pages_leaked);
			continue;
		}
		__free_page(page);
		atomic_long_dec(&kcore_pages_allocated);
	}
	xa_destroy(&vm->ram);
}
