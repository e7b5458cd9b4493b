// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * Protected VMs of the Linux host (docs/linux-host.md, "VMs"): a VM from a
 * signed kernel image, an optional signed initrd and an optional DTB,
 * verified by kcore, behind a file descriptor whose release tears it down
 * (its vCPUs run through the same descriptor: kcore_vcpu.c; snapshots: kcore_snap.c). The hypercall
 * sequence is docs/abi.md's "Booting a VM" and its teardown (VM_POWEROFF, VM_CLEAR_RANGE, VM_FREE).
 *
 * The rule for pages: a page handed to kcore (KC_HC_REMAP_VM_IMAGE) is no
 * longer Linux's (KC_HC_REMAP_VM_IMAGE, KC_HC_VM_DONATE: the DTB here, RAM in
 * kcore_ram.c). kcore has unmapped it from the host's stage-2, so a load or
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
#include "kcore_vm.h"

/* Signed images carry a 256-byte trailer after the payload (docs/image-format.md). */
#define KCORE_TRAILER_SIZE 256u

/* The arm64 Image header (Linux's Documentation/arm64/booting.rst), little-endian. */
#define ARM64_HDR_SIZE		  64u
#define ARM64_HDR_TEXT_OFFSET	  8u
#define ARM64_HDR_IMAGE_SIZE	  16u
#define ARM64_HDR_MAGIC_OFFSET	  56u
#define ARM64_HDR_MAGIC		  0x644d5241u /* "ARM\x64" */
#define ARM64_HDR_OLD_TEXT_OFFSET 0x80000ull  /* image_size 0: a kernel before 3.17 */

static atomic_long_t kcore_nr_vms = ATOMIC_LONG_INIT(0);
atomic_long_t kcore_pages_allocated = ATOMIC_LONG_INIT(0);
atomic_long_t kcore_pages_held = ATOMIC_LONG_INIT(0);
atomic_long_t kcore_pages_leaked = ATOMIC_LONG_INIT(0);

void kcore_get_stats(struct kcore_stats *st)
{
	*st = (struct kcore_stats){0};
	st->vms = (u64)atomic_long_read(&kcore_nr_vms);
	st->pages_allocated = (u64)atomic_long_read(&kcore_pages_allocated);
	st->pages_with_kcore = (u64)atomic_long_read(&kcore_pages_held);
	st->pages_leaked = (u64)atomic_long_read(&kcore_pages_leaked);
}

/* kcore's status as an errno for user space (the table in docs/linux-host.md). */
int kcore_errno(long err)
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

long kcore_vm_call(struct kcore_vm *vm, const char *name, unsigned long fid, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long *x1)
{
	long err = kcore_hvc4(fid, vm->vmid, a2, a3, a4, x1);

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
		if (kcore_vm_call(vm, "KC_HC_VM_POWEROFF", KC_HC_VM_POWEROFF, 0, 0, 0, NULL) !=
		    KCORE_OK)
			return false;
		vm->powered_off = true;
	}
	/*
	 * Everything mapped in its RAM (images, DTB, donated pages) comes back
	 * zeroed; VM_FREE returns the rest (images never loaded). A VM kcore
	 * refused has nothing mapped but a DTB page it may hold: cleared too.
	 */
	if ((vm->verified || vm->dtb.nr_given != 0 || !xa_empty(&vm->ram)) &&
	    kcore_vm_call(vm, "KC_HC_VM_CLEAR_RANGE", KC_HC_VM_CLEAR_RANGE, KCORE_GUEST_RAM_BASE,
			  vm->ram_size, 0, NULL) != KCORE_OK)
		return false;
	if (kcore_vm_call(vm, "KC_HC_VM_FREE", KC_HC_VM_FREE, 0, 0, 0, NULL) != KCORE_OK)
		return false;
	vm->vmid = 0;
	return true;
}

void kcore_pages_taken(struct page *page, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++)
		__SetPageOffline(page + i);
}

void kcore_pages_returned(struct page *page, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++)
		__ClearPageOffline(page + i);
}

/* A file's pages: those kcore had are freed only if it gave them back (!leak). */
static void file_pages_free(struct kcore_file_pages *f, bool leak)
{
	unsigned long first_free = 0;

	atomic_long_sub((long)f->nr_given, &kcore_pages_held);
	if (leak) {
		atomic_long_add((long)f->nr_given, &kcore_pages_leaked);
		first_free = f->nr_given;
	}
	for (unsigned long i = first_free; i < f->nr_pages; i++) {
		if (i < f->nr_given)
			kcore_pages_returned(f->pages[i], 1);
		__free_page(f->pages[i]);
		atomic_long_dec(&kcore_pages_allocated);
	}
	kvfree(f->pages);
	f->pages = NULL;
}

static void vm_destroy(struct kcore_vm *vm)
{
	bool leak = !vm_release_in_kcore(vm);

	if (leak)
		/* kcore may still have them: they stay allocated for good. */
		pr_err("kcore: VM %llu: kcore refused its teardown: its pages stay out of Linux's "
		       "allocator\n",
		       vm->vmid);
	file_pages_free(&vm->image, leak);
	file_pages_free(&vm->initrd, leak);
	file_pages_free(&vm->dtb, leak);
	kcore_ram_free_all(vm, leak);
	kcore_vcpus_free(vm);
	kfree(vm);
	atomic_long_dec(&kcore_nr_vms);
}

static int kcore_vm_release(struct inode *inode, struct file *file)
{
	vm_destroy(file->private_data);
	return 0;
}

static long vm_info(struct kcore_vm *vm, void __user *uarg)
{
	struct kcore_vm_info info = {
	    .vmid = vm->vmid,
	    .state = READ_ONCE(vm->state),
	    .nr_vcpus = vm->nr_vcpus,
	    .ram_base = KCORE_GUEST_RAM_BASE,
	    .ram_size = vm->ram_size,
	    .load_ipa = vm->load_ipa,
	    .image_size = vm->image.size,
	    .pages = (u64)atomic_long_read(&vm->pages_given),
	};

	if (copy_to_user(uarg, &info, sizeof(info)) != 0)
		return -EFAULT;
	return 0;
}

static long kcore_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kcore_vm *vm = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KCORE_VM_IOC_INFO:
		return vm_info(vm, uarg);
	case KCORE_VM_IOC_RUN:
		return kcore_vcpu_run(vm, uarg);
	case KCORE_VM_IOC_IRQ:
		return kcore_vcpu_irq(vm, uarg);
	case KCORE_VM_IOC_SNAPSHOT:
		return kcore_vm_snapshot(vm, uarg);
	case KCORE_VM_IOC_RESTORE:
		return kcore_vm_restore(vm, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kcore_vm_fops = {
    .owner = THIS_MODULE,
    .release = kcore_vm_release,
    .unlocked_ioctl = kcore_vm_ioctl,
    .mmap = kcore_vm_mmap,
    .compat_ioctl = compat_ptr_ioctl,
    .llseek = noop_llseek,
};

/* [ipa, ipa + size) inside the RAM; size > 0. */
static bool in_ram(const struct kcore_vm *vm, u64 ipa, u64 size)
{
	return ipa >= KCORE_GUEST_RAM_BASE && ipa - KCORE_GUEST_RAM_BASE < vm->ram_size &&
	       size <= vm->ram_size - (ipa - KCORE_GUEST_RAM_BASE);
}

static bool overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* The arguments alone, before anything is allocated. */
static int check_create_args(const struct kcore_create_vm *req)
{
	if ((req->flags & ~KCORE_VM_SMALL_PAGES) != 0 || req->reserved[0] != 0 ||
	    req->reserved[1] != 0)
		return -EINVAL;
	if (req->nr_vcpus == 0 || req->nr_vcpus > KCORE_VM_MAX_VCPUS)
		return -EINVAL;
	if (req->image_size < KCORE_VM_IMAGE_MIN)
		return -EINVAL;
	if (req->ram_size == 0 || (req->ram_size & (KCORE_PAGE_SIZE - 1)) != 0)
		return -EINVAL;
	/* An optional file is all zero (none) or has a size. */
	if (req->initrd_size == 0 ? req->initrd != 0 || req->initrd_ipa != 0
				  : req->initrd_size < KCORE_VM_IMAGE_MIN)
		return -EINVAL;
	if (req->dtb_size == 0 && (req->dtb != 0 || req->dtb_ipa != 0))
		return -EINVAL;
	if (((req->initrd_ipa | req->dtb_ipa) & (KCORE_PAGE_SIZE - 1)) != 0)
		return -EINVAL;
	if (req->image_size > KCORE_VM_IMAGE_MAX || req->initrd_size > KCORE_VM_IMAGE_MAX ||
	    req->dtb_size > KCORE_VM_DTB_MAX || req->ram_size > KCORE_VM_MAX_RAM ||
	    req->image_size > req->ram_size)
		return -E2BIG;
	/* Also refuses a range that wraps or reaches into the kernel's half. */
	if (!access_ok(u64_to_user_ptr(req->image), req->image_size) ||
	    !access_ok(u64_to_user_ptr(req->initrd), req->initrd_size) ||
	    !access_ok(u64_to_user_ptr(req->dtb), req->dtb_size))
		return -EFAULT;
	return 0;
}

/* A file copied into fresh pages: Linux's own until they are handed to kcore. */
static int copy_file(struct kcore_file_pages *f, const u8 __user *src, u64 size)
{
	unsigned long n = (unsigned long)DIV_ROUND_UP(size, KCORE_PAGE_SIZE);

	f->size = size;
	if (n == 0)
		return 0;
	f->pages = kvcalloc(n, sizeof(*f->pages), GFP_KERNEL_ACCOUNT);
	if (f->pages == NULL)
		return -ENOMEM;
	for (unsigned long i = 0; i < n; i++) {
		u64 off = (u64)i * KCORE_PAGE_SIZE;
		u64 len = min_t(u64, KCORE_PAGE_SIZE, size - off);
		/* Zeroed: the tail of the last page goes to kcore too. */
		struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

		if (page == NULL)
			return -ENOMEM;
		f->pages[f->nr_pages++] = page;
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
 * Where the kernel goes, from the copy (not from user memory, which could
 * change): the start of RAM, or text_offset above it for an arm64 Image,
 * which must then fit with its image_size as well. Then the initrd and the
 * DTB, where user space put them: inside the RAM, overlapping nothing.
 */
static int place_files(struct kcore_vm *vm, const struct kcore_create_vm *req)
{
	const u8 *p = page_address(vm->image.pages[0]);
	u64 text_offset = 0, footprint = vm->image.size, image_size;

	if (vm->image.size - KCORE_TRAILER_SIZE >= ARM64_HDR_SIZE &&
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
	vm->image.ipa = vm->load_ipa;
	footprint = round_up(footprint, KCORE_PAGE_SIZE);
	vm->initrd.ipa = req->initrd_ipa;
	vm->dtb.ipa = req->dtb_ipa;
	if (vm->initrd.size != 0 &&
	    (!in_ram(vm, vm->initrd.ipa, vm->initrd.size) ||
	     overlap(vm->initrd.ipa, vm->initrd.size, vm->load_ipa, footprint)))
		return -EINVAL;
	if (vm->dtb.size != 0 &&
	    (!in_ram(vm, vm->dtb.ipa, vm->dtb.size) ||
	     overlap(vm->dtb.ipa, vm->dtb.size, vm->load_ipa, footprint) ||
	     (vm->initrd.size != 0 && overlap(vm->dtb.ipa, vm->dtb.size, vm->initrd.ipa,
					      round_up(vm->initrd.size, KCORE_PAGE_SIZE)))))
		return -EINVAL;
	return 0;
}

/* One signed image: its boot slot, then every page in order (each kcore's on success). */
static int give_image(struct kcore_vm *vm, struct kcore_file_pages *f)
{
	unsigned long idx;
	long err;

	err =
	    kcore_vm_call(vm, "KC_HC_SET_BOOT_INFO", KC_HC_SET_BOOT_INFO, f->ipa, f->size, 0, &idx);
	if (err != KCORE_OK)
		return kcore_errno(err);
	for (unsigned long i = 0; i < f->nr_pages; i++) {
		err = kcore_vm_call(vm, "KC_HC_REMAP_VM_IMAGE", KC_HC_REMAP_VM_IMAGE,
				    page_to_pfn(f->pages[i]), idx, 0, NULL);
		if (err != KCORE_OK)
			return kcore_errno(err);
		/* kcore's now: from here on the module does not touch it. */
		kcore_pages_taken(f->pages[i], 1);
		f->nr_given++;
		atomic_long_inc(&kcore_pages_held);
		atomic_long_inc(&vm->pages_given);
	}
	return 0;
}

/* The DTB: not signed, donated page by page with its contents (the host describes the machine). */
static int give_dtb(struct kcore_vm *vm)
{
	for (unsigned long i = 0; i < vm->dtb.nr_pages; i++) {
		long err = kcore_vm_call(vm, "KC_HC_VM_DONATE", KC_HC_VM_DONATE,
					 vm->dtb.ipa + (u64)i * KCORE_PAGE_SIZE,
					 page_to_phys(vm->dtb.pages[i]), KCORE_PAGE_SIZE, NULL);

		if (err != KCORE_OK)
			return kcore_errno(err);
		kcore_pages_taken(vm->dtb.pages[i], 1);
		vm->dtb.nr_given++;
		atomic_long_inc(&kcore_pages_held);
		atomic_long_inc(&vm->pages_given);
	}
	return 0;
}

/* docs/abi.md "Booting a VM". */
static int vm_build_in_kcore(struct kcore_vm *vm)
{
	unsigned long x1 = 0;
	long err;
	int ret;

	err = kcore_hvc4(KC_HC_REGISTER_VM, 0, 0, 0, 0, &x1);
	if (err != KCORE_OK) {
		pr_info("kcore: KC_HC_REGISTER_VM: kcore error %ld\n", err);
		return kcore_errno(err);
	}
	vm->vmid = x1;
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		err = kcore_vm_call(vm, "KC_HC_REGISTER_VCPU", KC_HC_REGISTER_VCPU, i, 0, 0, NULL);
		if (err != KCORE_OK)
			return kcore_errno(err);
	}
	err = kcore_vm_call(vm, "KC_HC_VM_SET_RAM", KC_HC_VM_SET_RAM, KCORE_GUEST_RAM_BASE,
			    vm->ram_size, 0, NULL);
	if (err != KCORE_OK)
		return kcore_errno(err);
	vm->ram_set = true;
	ret = give_image(vm, &vm->image);
	if (ret == 0 && vm->initrd.size != 0)
		ret = give_image(vm, &vm->initrd);
	if (ret == 0)
		ret = give_dtb(vm);
	if (ret != 0)
		return ret;
	/* Linux's arm64 boot protocol: x0 the DTB's address (0: none). */
	err = kcore_vm_call(vm, "KC_HC_VCPU_SET_ENTRY", KC_HC_VCPU_SET_ENTRY, 0, vm->load_ipa,
			    vm->dtb.size != 0 ? vm->dtb.ipa : 0, NULL);
	if (err != KCORE_OK)
		return kcore_errno(err);
	err = kcore_vm_call(vm, "KC_HC_VERIFY_VM", KC_HC_VERIFY_VM, 0, 0, 0, NULL);
	if (err == KCORE_E_VERIFY)
		vm->powered_off = true; /* kcore did it: the VM never runs */
	if (err != KCORE_OK)
		return kcore_errno(err);
	vm->verified = true;
	vm->state = KCORE_VM_VERIFIED;
	return 0;
}

static int vm_make(struct kcore_vm *vm, const struct kcore_create_vm *req)
{
	int ret = kcore_vcpus_init(vm);

	if (ret == 0)
		ret = copy_file(&vm->image, u64_to_user_ptr(req->image), req->image_size);
	if (ret == 0)
		ret = copy_file(&vm->initrd, u64_to_user_ptr(req->initrd), req->initrd_size);
	if (ret == 0)
		ret = copy_file(&vm->dtb, u64_to_user_ptr(req->dtb), req->dtb_size);
	if (ret == 0)
		ret = place_files(vm, req);
	if (ret == 0)
		ret = vm_build_in_kcore(vm);
	return ret;
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
	vm->flags = req.flags;
	xa_init(&vm->ram);
	mutex_init(&vm->ram_lock);
	spin_lock_init(&vm->lock);
	/* Reserved first: once the VM exists, only teardown can fail after it. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		vm_destroy(vm);
		return fd;
	}
	ret = vm_make(vm, &req);
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
