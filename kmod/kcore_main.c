// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * kcore.ko: the Linux host's side of kcore (docs/linux-host.md, "The
 * module"). Debian's kernel runs at EL1 under kcore; this module talks to
 * kcore through the host hypercall ABI (include/kcore/abi.h, docs/abi.md) and
 * gives user space /dev/kcore (include/kcore/kcore_ioctl.h).
 *
 * On load it asks kcore for its ABI version (KC_HC_VERSION) and refuses to
 * load unless kcore answers with the major version it was built for.
 * /dev/kcore answers KCORE_IOC_VERSION, KCORE_IOC_STATS and
 * KCORE_IOC_CREATE_VM (kcore_vm.c: a VM file descriptor); every other ioctl
 * is -ENOTTY.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include <kcore/abi.h>
#include <kcore/kcore_ioctl.h>

#include "kcore_mod.h"

/*
 * One host call: x0 the function id, x1..x4 its arguments; x0 comes back as
 * kcore's status, x1 as its result. kcore's host calls follow SMCCC's
 * register use, but this wrapper does not rely on SMCCC 1.1's promise that
 * x4..x17 survive (Linux's arm_smccc_1_1_hvc does): every caller-saved
 * register is declared clobbered, so whatever kcore leaves in them is
 * harmless.
 */
long kcore_hvc4(unsigned long fid, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long *x1)
{
	register unsigned long r0 asm("x0") = fid;
	register unsigned long r1 asm("x1") = a1;
	register unsigned long r2 asm("x2") = a2;
	register unsigned long r3 asm("x3") = a3;
	register unsigned long r4 asm("x4") = a4;

	asm volatile("hvc #0"
		     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4)
		     :
		     : "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
		       "x16", "x17", "memory");
	if (x1 != NULL)
		*x1 = r1;
	return (long)r0;
}

static long kcore_hvc(unsigned long fid, unsigned long *x1)
{
	return kcore_hvc4(fid, 0, 0, 0, 0, x1);
}

/* kcore's ABI version: 0 when it answered as kcore, else -ENODEV (and why, in the log). */
static int kcore_ask_version(struct kcore_version *v)
{
	unsigned long x1;
	long ret;

	*v = (struct kcore_version){0};
	ret = kcore_hvc(KC_HC_VERSION, &x1);
	if (ret != KCORE_OK) {
		pr_err("kcore: no answer from kcore to KC_HC_VERSION (x0 = %#lx): not running "
		       "under kcore\n",
		       (unsigned long)ret);
		return -ENODEV;
	}
	v->abi_major = (u32)(x1 >> 16) & 0xffffU;
	v->abi_minor = (u32)x1 & 0xffffU;
	return 0;
}

/*
 * HVC is UNDEFINED where EL2 does not exist, and goes to Linux itself where
 * Linux owns EL2: in both cases kcore cannot be below us, and the call must
 * not be made.
 */
static int kcore_el2_is_someone_else(void)
{
	u64 pfr0 = read_sysreg_s(SYS_ID_AA64PFR0_EL1);

	if (cpuid_feature_extract_unsigned_field(pfr0, ID_AA64PFR0_EL1_EL2_SHIFT) == 0) {
		pr_err("kcore: this CPU has no EL2: kcore is not running\n");
		return 1;
	}
	if (is_kernel_in_hyp_mode()) {
		pr_err("kcore: Linux runs at EL2 itself: kcore is not running\n");
		return 1;
	}
	return 0;
}

static long kcore_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct kcore_version v;
	struct kcore_stats st;
	int ret;

	switch (cmd) {
	case KCORE_IOC_CREATE_VM:
		return kcore_create_vm(uarg);
	case KCORE_IOC_STATS:
		kcore_get_stats(&st);
		if (copy_to_user(uarg, &st, sizeof(st)) != 0)
			return -EFAULT;
		return 0;
	case KCORE_IOC_VERSION:
		/* Asked again: the answer is kcore's now, not the module's memory of it. */
		ret = kcore_ask_version(&v);
		if (ret != 0)
			return -EIO;
		if (copy_to_user(uarg, &v, sizeof(v)) != 0)
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kcore_fops = {
    .owner = THIS_MODULE,
    .unlocked_ioctl = kcore_ioctl,
    .compat_ioctl = compat_ptr_ioctl,
    .llseek = noop_llseek,
};

static struct miscdevice kcore_dev = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = "kcore",
    .fops = &kcore_fops,
    .mode = 0600,
};

static int __init kcore_init(void)
{
	struct kcore_version v;
	int ret;

	if (kcore_el2_is_someone_else())
		return -ENODEV;
	ret = kcore_ask_version(&v);
	if (ret != 0)
		return ret;
	if (v.abi_major != KCORE_ABI_MAJOR) {
		pr_err("kcore: kcore speaks ABI %u.%u, this module ABI %u.x: refusing to load\n",
		       v.abi_major, v.abi_minor, KCORE_ABI_MAJOR);
		return -EPROTO;
	}
	ret = misc_register(&kcore_dev);
	if (ret != 0) {
		pr_err("kcore: cannot register /dev/kcore: %d\n", ret);
		return ret;
	}
	pr_info("kcore: kcore ABI %u.%u, /dev/kcore ready\n", v.abi_major, v.abi_minor);
	return 0;
}

static void __exit kcore_exit(void)
{
	misc_deregister(&kcore_dev);
	pr_info("kcore: /dev/kcore removed\n");
}

module_init(kcore_init);
module_exit(kcore_exit);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("/dev/kcore: the Linux host's interface to the kcore hypervisor");
