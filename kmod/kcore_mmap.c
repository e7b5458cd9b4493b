// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * mmap() of a VM's file: the VMM's window on its guest's RAM (offset 0 =
 * KCORE_GUEST_RAM_BASE, at most ram_size bytes, MAP_SHARED only), through
 * which its devices read and write what the guest shares with them
 * (docs/linux-host.md, "Guest RAM in the VMM").
 *
 * The mapping is VM_PFNMAP: no struct page is reference-counted for it, so
 * nothing of it reaches Linux's page cache, reclaim or GUP. A fault inserts
 * the frame the module gave kcore at that address (a donated RAM page or
 * block, or a page of an image or the DTB), or is SIGBUS when there is none
 * yet: the VMM never makes the module donate, only the guest's first touch
 * does. Every such frame is kcore's. While the guest shares it, kcore maps
 * it in the host's stage-2 and the VMM's loads and stores reach it; while
 * it does not, kcore's abort makes the VMM's own load or store a SIGBUS.
 * There is no .access operation, so ptrace and /proc/<pid>/mem cannot make
 * the kernel touch such a page for someone else. The one way left for the
 * kernel to touch one is a system call the VMM hands a pointer into the
 * mapping (write() from a private page, say): that uaccess takes kcore's
 * abort in the kernel, which Linux 6.1 treats as an oops of the calling
 * task (do_sea: no exception fixup for an external abort). kcore-vmm never
 * does that (its devices copy through their own buffers); docs/virtio.md.
 *
 * The frames go back to Linux only in the VM file's release (vm_destroy),
 * which runs after the last mapping is gone, since every mapping holds a
 * reference to the file. No zap is needed before that; an
 * unmap_mapping_range() on the file's mapping would in fact be wrong: every
 * anon_inode file shares one inode, so it would reach other files' mappings.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "kcore_vm.h"

/* The frame of a file's page at ipa if kcore has it (given), else 0. */
static unsigned long file_pfn(const struct kcore_file_pages *f, u64 ipa)
{
	u64 index;

	if (f->nr_given == 0 || ipa < f->ipa)
		return 0;
	index = (ipa - f->ipa) >> PAGE_SHIFT;
	return index < f->nr_given ? page_to_pfn(f->pages[index]) : 0;
}

static vm_fault_t kcore_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct kcore_vm *vm = vma->vm_file->private_data;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT, ipa = KCORE_GUEST_RAM_BASE + off;
	unsigned long pfn;

	if (off >= vm->ram_size)
		return VM_FAULT_SIGBUS;
	mutex_lock(&vm->ram_lock);
	pfn = kcore_ram_pfn(vm, ipa);
	mutex_unlock(&vm->ram_lock);
	/* The images' and DTB's pages are fixed once the VM exists: no lock. */
	if (pfn == 0)
		pfn = file_pfn(&vm->image, ipa);
	if (pfn == 0)
		pfn = file_pfn(&vm->initrd, ipa);
	if (pfn == 0)
		pfn = file_pfn(&vm->dtb, ipa);
	if (pfn == 0)
		return VM_FAULT_SIGBUS; /* nothing there yet: never donated from here */
	return vmf_insert_pfn(vma, vmf->address, pfn);
}

static const struct vm_operations_struct kcore_vm_mmap_ops = {
    .fault = kcore_vm_fault,
};

int kcore_vm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kcore_vm *vm = file->private_data;
	u64 len = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;

	/* MAP_PRIVATE would give copy-on-write pages of Linux's own: the guest would not see them.
	 */
	if ((vma->vm_flags & VM_MAYSHARE) == 0)
		return -EINVAL;
	if (vma->vm_pgoff > (vm->ram_size >> PAGE_SHIFT) || len > vm->ram_size - off)
		return -EINVAL;
	vma->vm_flags |= VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY;
	vma->vm_ops = &kcore_vm_mmap_ops;
	return 0;
}
