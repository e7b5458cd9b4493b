// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * kcore_attack.ko: what a root host can do from inside Linux's kernel,
 * aimed at a protected VM (docs/linux-host.md, "Attacks from a root host").
 * A test module, never part of the product: the host init loads it and
 * runs each attack in a child process, expecting kcore to refuse.
 *
 * It knows kcore.ko's structures (it includes kmod/kcore_vm.h, as an
 * attacker who read the source would), so from a VM's file descriptor it
 * finds the pages kcore took: the image's, the DTB's, those donated on
 * faults. Then it touches one through Linux's linear map, an ordinary
 * kernel load or store. kcore has unmapped the page from the host's
 * stage-2, so the access aborts (kcore injects a synchronous external
 * abort): Linux oopses in this ioctl and kills the calling process; the
 * kernel, kcore and the VM carry on. If the access returned, the ioctl
 * copies what it read out (the test then fails, and shows it).
 *
 * /dev/kcore-attack, ioctls (struct kcore_attack):
 *   KCORE_ATTACK_READ   8 bytes of the target page into `value`
 *   KCORE_ATTACK_WRITE  `value` stored into the target page
 *   KCORE_ATTACK_INVARIANTS  KC_HC_CHECK_INVARIANTS (a debug kcore): the
 *                       number of violations in `value`
 *   KCORE_ATTACK_PA     the target page's physical address in `value`, for
 *                       the host init to aim a PCI device's DMA at
 * target: `which` 0 = the image's page `index`, 1 = the DTB's, 2 = the
 * first RAM page donated on a fault at or above `index` pages above the
 * RAM's base.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "kcore_attack.h"
#include "kcore_vm.h"

/* KC_HC_CHECK_INVARIANTS: any EL1 code can call kcore; its status, x1 in *x1. */
static long hvc_check_invariants(unsigned long *x1)
{
	register unsigned long r0 asm("x0") = KC_HC_CHECK_INVARIANTS;
	register unsigned long r1 asm("x1") = 0;

	asm volatile("hvc #0"
		     : "+r"(r0), "+r"(r1)
		     :
		     : "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
		       "x14", "x15", "x16", "x17", "memory");
	*x1 = r1;
	return (long)r0;
}

/* The VM's page the request names, or NULL. The file is let go before the page is touched. */
static struct page *target_page(const struct kcore_attack *a)
{
	struct file *f = fget(a->vm_fd);
	struct kcore_vm *vm;
	struct page *page = NULL;

	if (f == NULL)
		return NULL;
	/* A VM's file is kcore.ko's anon inode "kcore-vm"; its private data the VM. */
	if (f->f_op->owner != NULL && strcmp(f->f_op->owner->name, "kcore") == 0 &&
	    strcmp(f->f_path.dentry->d_name.name, "kcore-vm") == 0) {
		vm = f->private_data;
		if (a->which == 0 && a->index < vm->image.nr_given)
			page = vm->image.pages[a->index];
		else if (a->which == 1 && a->index < vm->dtb.nr_given)
			page = vm->dtb.pages[a->index];
		else if (a->which == 2 && a->index <= ULONG_MAX) {
			unsigned long i = (unsigned long)a->index;

			/* The first page donated at or above index. */
			page = xa_find(&vm->ram, &i, ULONG_MAX, XA_PRESENT);
		}
	}
	fput(f);
	return page;
}

static long attack_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kcore_attack a;
	struct page *page;
	unsigned long x1 = 0;
	volatile u64 *p;

	if (copy_from_user(&a, (void __user *)arg, sizeof(a)) != 0)
		return -EFAULT;
	switch (cmd) {
	case KCORE_ATTACK_INVARIANTS:
		if (hvc_check_invariants(&x1) != KCORE_OK)
			return -EOPNOTSUPP;
		a.value = x1;
		break;
	case KCORE_ATTACK_PA:
		page = target_page(&a);
		if (page == NULL)
			return -ENOENT;
		a.value = page_to_phys(page);
		break;
	case KCORE_ATTACK_READ:
	case KCORE_ATTACK_WRITE:
		page = target_page(&a);
		if (page == NULL)
			return -ENOENT;
		p = (volatile u64 *)page_address(page);
		pr_info("kcore_attack: %s page %llx of the VM through the linear map\n",
			cmd == KCORE_ATTACK_READ ? "reading" : "writing",
			(unsigned long long)page_to_phys(page));
		if (cmd == KCORE_ATTACK_READ)
			a.value = *p;
		else
			*p = a.value;
		pr_err("kcore_attack: the access returned: kcore did not stop it\n");
		break;
	default:
		return -ENOTTY;
	}
	if (copy_to_user((void __user *)arg, &a, sizeof(a)) != 0)
		return -EFAULT;
	return 0;
}

static const struct file_operations attack_fops = {
    .owner = THIS_MODULE,
    .unlocked_ioctl = attack_ioctl,
    .llseek = noop_llseek,
};

static struct miscdevice attack_dev = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = "kcore-attack",
    .fops = &attack_fops,
    .mode = 0600,
};

static int __init attack_init(void)
{
	return misc_register(&attack_dev);
}

static void __exit attack_exit(void)
{
	misc_deregister(&attack_dev);
}

module_init(attack_init);
module_exit(attack_exit);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("kcore's tests: a malicious host module attacking protected VMs");
