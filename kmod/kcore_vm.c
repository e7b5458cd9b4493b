// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * Protected VMs of the Linux host (docs/linux-host.md, "VMs"): a VM from a
 * signed image, verified by kcore, behind a file descriptor whose release
 * tears it down. The hypercall sequence is docs/abi.md's "Booting a VM" and
 * its teardown (VM_POWEROFF, VM_CLEAR_RANGE, VM_FREE).
 *
 * The rule for pages: a page handed to kcore (KC_HC_REMAP_VM_IMAGE) is no
 * longer Linux's. kcore has unmapped it from the host's stage-2, so a load or
 * store by Linux would abort. The module keeps it allocated, never reads or
 * writes it and never frees it until kcore has given it back (VM_FREE for an
 * image that was never loaded, VM_CLEAR_RANGE for the VM's mapped pages).
 * If kcore refuses a teardown call, its pages are never freed: a leak is
 * harmless, a page back in the allocator that Linux cannot touch is not.
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/unaligned.h>

#include <kcore/abi.h>
#include <kcore/kcore_ioctl.h>

#include "kcore_mod.h"

/*
 * Where every VM's RAM starts: KCORE_GUEST_RAM_BASE of include/kcore/payload.h
 * (kserv's guests' machine, which kcore-vmm will give them too). That header
 * is not a kernel header (stdint.h), so the value is repeated here.
 */
#define KCORE_GUEST_RAM_BASE 0x80000000ull

/* Signed images carry a 256-byte trailer after the payload (docs/image-format.md). */
#define KCORE_TRAILER_SIZE 256u

/* The arm64 Image header (Linux's Documentation/arm64/booting.rst), little-endian. */
#define ARM64_HDR_SIZE		  64u
#define ARM64_HDR_TEXT_OFFSET	  8u
#define ARM64_HDR_IMAGE_SIZE	  16u
#define ARM64_HDR_MAGIC_OFFSET	  56u
#define ARM64_HDR_MAGIC		  0x644d5241u /* "ARM\x64" */
#define ARM64_HDR_OLD_TEXT_OFFSET 0x80000ull  /* image_size 0: a kernel before 3.17 */

struct kcore_vm {
	u64 vmid; /* 0 until kcore registered it */
	u32 nr_vcpus;
	u64 ram_size;
	u64 load_ipa;
	u64 image_size;
	struct page **pages;	/* the image's pages, in file order */
	unsigned long nr_pages; /* allocated (and filled) */
	unsigned long nr_given; /* pages[0..nr_given) are kcore's (remapped) */
	bool ram_set;		/* KC_HC_VM_SET_RAM done */
	bool powered_off;	/* kcore powered it off (a refused verification does) */
	bool verified;		/* the image pages are the VM's, mapped in its RAM */
};

static atomic_long_t kcore_nr_vms = ATOMIC_LONG_INIT(0);
static atomic_long_t kcore_pages_allocated = ATOMIC_LONG_INIT(0);
static atomic_long_t kcore_pages_held = ATOMIC_LONG_INIT(0);
static atomic_long_t kcore_pages_leaked = ATOMIC_LONG_INIT(0);

void kcore_get_stats(struct kcore_stats *st)
{
	*st = (struct kcore_stats){0};
	st->vms = (u64)atomic_long_read(&kcore_nr_vms);
	st->pages_allocated = (u64)atomic_long_read(&kcore_pages_allocated);
	st->pages_with_kcore = (u64)atomic_long_read(&kcore_pages_held);
	st->pages_leaked = (u64)atomic_long_read(&kcore_pages_leaked);
}

/* kcore's status as an errno for user space (the table in docs/linux-host.md). */
static int kcore_errno(long err)
{
	switch (err) {
	case KCORE_OK:
		return 0;
	case KCORE_E_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case KCORE_E_NOMEM:
		return -ENOSPC;
	case KCORE_E_PERM:
		return -EPERM;
	case KCORE_E_BUSY:
		return -EBUSY;
	case KCORE_E_EXIST:
		return -EEXIST;
	case KCORE_E_VERIFY:
		return -EKEYREJECTED;
	case KCORE_E_NOENT:
		return -ENOENT;
	case KCORE_E_AUTH:
		return -EBADMSG;
	default: /* KCORE_E_INVAL, KCORE_E_STATE and anything kcore may add */
		return -EINVAL;
	}
}

/* One call of a VM's life; a refusal is logged with the call's name. */
static long vm_call(struct kcore_vm *vm, const char *name, unsigned long fid, unsigned long a2,
		    unsigned long a3, unsigned long *x1)
{
	long err = kcore_hvc4(fid, vm->vmid, a2, a3, 0, x1);

	if (err != KCORE_OK)
		pr_info("kcore: VM %llu: %s: kcore error %ld\n", vm->vmid, name, err);
	return err;
}

/* kcore's part of the teardown: true when every page it had is Linux's again. */
static bool vm_release_in_kcore(struct kcore_vm *vm)
{
	if (vm->vmid == 0)
		return true;
	if (!vm->powered_off) {
		if (vm_call(vm, "KC_HC_VM_POWEROFF", KC_HC_VM_POWEROFF, 0, 0, NULL) != KCORE_OK)
			return false;
		vm->powered_off = true;
	}
	/* Only a verified VM has pages mapped in its RAM; VM_FREE returns the rest. */
	if (vm->verified && vm_call(vm, "KC_HC_VM_CLEAR_RANGE", KC_HC_VM_CLEAR_RANGE,
				    KCORE_GUEST_RAM_BASE, vm->ram_size, NULL) != KCORE_OK)
		return false;
	if (vm_call(vm, "KC_HC_VM_FREE", KC_HC_VM_FREE, 0, 0, NULL) != KCORE_OK)
		return false;
	vm->vmid = 0;
	return true;
}

static void vm_destroy(struct kcore_vm *vm)
{
	unsigned long first_free = 0;

	if (vm_release_in_kcore(vm)) {
		atomic_long_sub((long)vm->nr_given, &kcore_pages_held);
	} else {
		/* kcore may still have them: they stay allocated for good. */
		pr_err("kcore: VM %llu: kcore refused its teardown: %lu pages stay out of Linux's "
		       "allocator\n",
		       vm->vmid, vm->nr_given);
		atomic_long_sub((long)vm->nr_given, &kcore_pages_held);
		atomic_long_add((long)vm->nr_given, &kcore_pages_leaked);
		first_free = vm->nr_given;
	}
	for (unsigned long i = first_free; i < vm->nr_pages; i++) {
		__free_page(vm->pages[i]);
		atomic_long_dec(&kcore_pages_allocated);
	}
	kvfree(vm->pages);
	kfree(vm);
	atomic_long_dec(&kcore_nr_vms);
}

static int kcore_vm_release(struct inode *inode, struct file *file)
{
	vm_destroy(file->private_data);
	return 0;
}

static long kcore_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct kcore_vm *vm = file->private_data;
	struct kcore_vm_info info;

	switch (cmd) {
	case KCORE_VM_IOC_INFO:
		info = (struct kcore_vm_info){
		    .vmid = vm->vmid,
		    .state = KCORE_VM_VERIFIED,
		    .nr_vcpus = vm->nr_vcpus,
		    .ram_base = KCORE_GUEST_RAM_BASE,
		    .ram_size = vm->ram_size,
		    .load_ipa = vm->load_ipa,
		    .image_size = vm->image_size,
		    .pages = vm->nr_given,
		};
		if (copy_to_user((void __user *)arg, &info, sizeof(info)) != 0)
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kcore_vm_fops = {
    .owner = THIS_MODULE,
    .release = kcore_vm_release,
    .unlocked_ioctl = kcore_vm_ioctl,
    .compat_ioctl = compat_ptr_ioctl,
    .llseek = noop_llseek,
};

/* The arguments alone, before anything is allocated. */
static int check_create_args(const struct kcore_create_vm *req)
{
	if (req->flags != 0 || req->reserved[0] != 0 || req->reserved[1] != 0 ||
	    req->reserved[2] != 0 || req->reserved[3] != 0)
		return -EINVAL;
	if (req->nr_vcpus == 0 || req->nr_vcpus > KCORE_VM_MAX_VCPUS)
		return -EINVAL;
	if (req->image_size < KCORE_VM_IMAGE_MIN)
		return -EINVAL;
	if (req->ram_size == 0 || (req->ram_size & (KCORE_PAGE_SIZE - 1)) != 0)
		return -EINVAL;
	if (req->image_size > KCORE_VM_IMAGE_MAX || req->ram_size > KCORE_VM_MAX_RAM ||
	    req->image_size > req->ram_size)
		return -E2BIG;
	/* Also refuses a range that wraps or reaches into the kernel's half. */
	if (!access_ok(u64_to_user_ptr(req->image), req->image_size))
		return -EFAULT;
	return 0;
}

/* The image copied into fresh pages: Linux's own until they are handed to kcore. */
static int copy_image(struct kcore_vm *vm, const u8 __user *src)
{
	unsigned long n = (unsigned long)DIV_ROUND_UP(vm->image_size, KCORE_PAGE_SIZE);

	vm->pages = kvcalloc(n, sizeof(*vm->pages), GFP_KERNEL_ACCOUNT);
	if (vm->pages == NULL)
		return -ENOMEM;
	for (unsigned long i = 0; i < n; i++) {
		u64 off = (u64)i * KCORE_PAGE_SIZE;
		u64 len = min_t(u64, KCORE_PAGE_SIZE, vm->image_size - off);
		/* Zeroed: the tail of the last page goes to kcore too. */
		struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

		if (page == NULL)
			return -ENOMEM;
		vm->pages[vm->nr_pages++] = page;
		atomic_long_inc(&kcore_pages_allocated);
		if (copy_from_user(page_address(page), src + off, len) != 0)
			return -EFAULT;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * Where the image goes, from the copy (not from user memory, which could
 * change): the start of RAM, or text_offset above it for an arm64 Image,
 * which must then fit with its image_size as well.
 */
static int place_image(struct kcore_vm *vm)
{
	const u8 *p = page_address(vm->pages[0]);
	u64 text_offset = 0, footprint = vm->image_size, image_size;

	if (vm->image_size - KCORE_TRAILER_SIZE >= ARM64_HDR_SIZE &&
	    get_unaligned_le32(p + ARM64_HDR_MAGIC_OFFSET) == ARM64_HDR_MAGIC) {
		text_offset = get_unaligned_le64(p + ARM64_HDR_TEXT_OFFSET);
		image_size = get_unaligned_le64(p + ARM64_HDR_IMAGE_SIZE);
		if (image_size == 0)
			text_offset = ARM64_HDR_OLD_TEXT_OFFSET;
		if ((text_offset & (KCORE_PAGE_SIZE - 1)) != 0)
			return -EINVAL;
		footprint = max(footprint, image_size);
	}
	/* Compared one by one: text_offset and image_size are the image's, any value. */
	if (text_offset >= vm->ram_size || footprint > vm->ram_size - text_offset)
		return -E2BIG;
	vm->load_ipa = KCORE_GUEST_RAM_BASE + text_offset;
	return 0;
}

/* docs/abi.md "Booting a VM", without an entry point (no vCPU runs yet). */
static int vm_build_in_kcore(struct kcore_vm *vm)
{
	unsigned long x1 = 0, idx;
	long err;

	err = kcore_hvc4(KC_HC_REGISTER_VM, 0, 0, 0, 0, &x1);
	if (err != KCORE_OK) {
		pr_info("kcore: KC_HC_REGISTER_VM: kcore error %ld\n", err);
		return kcore_errno(err);
	}
	vm->vmid = x1;
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		err = vm_call(vm, "KC_HC_REGISTER_VCPU", KC_HC_REGISTER_VCPU, i, 0, NULL);
		if (err != KCORE_OK)
			return kcore_errno(err);
	}
	err = vm_call(vm, "KC_HC_VM_SET_RAM", KC_HC_VM_SET_RAM, KCORE_GUEST_RAM_BASE, vm->ram_size,
		      NULL);
	if (err != KCORE_OK)
		return kcore_errno(err);
	vm->ram_set = true;
	err = vm_call(vm, "KC_HC_SET_BOOT_INFO", KC_HC_SET_BOOT_INFO, vm->load_ipa, vm->image_size,
		      &x1);
	if (err != KCORE_OK)
		return kcore_errno(err);
	idx = x1;
	for (unsigned long i = 0; i < vm->nr_pages; i++) {
		err = vm_call(vm, "KC_HC_REMAP_VM_IMAGE", KC_HC_REMAP_VM_IMAGE,
			      page_to_pfn(vm->pages[i]), idx, NULL);
		if (err != KCORE_OK)
			return kcore_errno(err);
		/* kcore's now: from here on the module does not touch it. */
		vm->nr_given++;
		atomic_long_inc(&kcore_pages_held);
	}
	err = vm_call(vm, "KC_HC_VERIFY_VM", KC_HC_VERIFY_VM, 0, 0, NULL);
	if (err == KCORE_E_VERIFY)
		vm->powered_off = true; /* kcore did it: the VM never runs */
	if (err != KCORE_OK)
		return kcore_errno(err);
	vm->verified = true;
	return 0;
}

long kcore_create_vm(const void __user *uarg)
{
	struct kcore_create_vm req;
	struct kcore_vm *vm;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&req, uarg, sizeof(req)) != 0)
		return -EFAULT;
	ret = check_create_args(&req);
	if (ret != 0)
		return ret;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (vm == NULL)
		return -ENOMEM;
	atomic_long_inc(&kcore_nr_vms);
	vm->nr_vcpus = req.nr_vcpus;
	vm->ram_size = req.ram_size;
	vm->image_size = req.image_size;
	/* Reserved first: once the VM exists, only teardown can fail after it. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		vm_destroy(vm);
		return fd;
	}
	ret = copy_image(vm, u64_to_user_ptr(req.image));
	if (ret == 0)
		ret = place_image(vm);
	if (ret == 0)
		ret = vm_build_in_kcore(vm);
	if (ret != 0) {
		put_unused_fd(fd);
		vm_destroy(vm);
		return ret;
	}
	file = anon_inode_getfile("kcore-vm", &kcore_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		vm_destroy(vm);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}
