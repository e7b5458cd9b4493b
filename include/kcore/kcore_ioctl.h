/* SPDX-License-Identifier: MIT */
/*
 * /dev/kcore's ioctls (kmod/, docs/linux-host.md "The module"): what a
 * user-space VMM on a Linux host compiles against. A uapi header: it
 * includes only Linux's own uapi headers, so both the module and a program
 * against glibc use it.
 */
#ifndef KCORE_KCORE_IOCTL_H
#define KCORE_KCORE_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The ioctl "type" byte of /dev/kcore (a misc device: the number only has to differ from
 * the numbers of other drivers' ioctls a confused program might send it). */
#define KCORE_IOC_TYPE 0xC7

/* kcore's host ABI version, as KC_HC_VERSION answers it (include/kcore/abi.h). */
struct kcore_version {
	__u32 abi_major;
	__u32 abi_minor;
};

#define KCORE_IOC_VERSION _IOR(KCORE_IOC_TYPE, 0x00, struct kcore_version)

/*
 * KCORE_IOC_CREATE_VM: a protected VM from one signed image (the file
 * kcore-sign writes: payload then trailer, docs/image-format.md), checked by
 * kcore before the ioctl returns. Returns a new file descriptor for the VM
 * (close-on-exec), as KVM_CREATE_VM does: closing its last reference powers
 * the VM off, frees it in kcore and gives every page back to Linux.
 *
 * The image is copied into fresh pages, which go to kcore; it is loaded at
 * the start of the VM's RAM (KCORE_GUEST_RAM_BASE, include/kcore/payload.h),
 * or text_offset above it for an arm64 Image. Errors (docs/linux-host.md):
 *   EFAULT        image not readable (NULL, unmapped, kernel address, wraps)
 *   EINVAL        image_size below a trailer (KCORE_VM_IMAGE_MIN), nr_vcpus
 *                 0 or above KCORE_VM_MAX_VCPUS, ram_size 0 or not a multiple
 *                 of 4 KiB, flags or reserved not 0; kcore refused an
 *                 argument (its own VM or vCPU limits)
 *   E2BIG         image_size above KCORE_VM_IMAGE_MAX or larger than the RAM
 *                 above its load address; ram_size above KCORE_VM_MAX_RAM
 *   EKEYREJECTED  kcore refused the image's signature: no VM
 *   ENOMEM        no Linux memory; ENOSPC no free VM slot in kcore
 *   EMFILE        no file descriptor left
 * On any error nothing is left behind: no VM in kcore, every page freed.
 */
struct kcore_create_vm {
	__u64 image;	  /* user address of the signed image */
	__u64 image_size; /* bytes, trailer included */
	__u64 ram_size;	  /* bytes of guest RAM */
	__u32 nr_vcpus;
	__u32 flags;	   /* none defined: 0 */
	__u64 reserved[4]; /* 0 */
};

#define KCORE_VM_IMAGE_MIN 257ull		  /* a trailer and one byte (kcore's minimum) */
#define KCORE_VM_IMAGE_MAX (512ull * 1024 * 1024) /* kcore's KC_HC_SET_BOOT_INFO maximum */
#define KCORE_VM_MAX_RAM   (16ull * 1024 * 1024 * 1024)
#define KCORE_VM_MAX_VCPUS 16u /* kcore's build ceiling; its boot parameters may allow fewer */

#define KCORE_IOC_CREATE_VM _IOW(KCORE_IOC_TYPE, 0x01, struct kcore_create_vm)

/* What the module holds for VMs, over all of them. */
struct kcore_stats {
	__u64 vms;		/* VMs alive (VM file descriptors not closed yet) */
	__u64 pages_allocated;	/* pages the module allocated for VMs and has not freed */
	__u64 pages_with_kcore; /* of those, kcore's: never touched until kcore gives them back */
	__u64 pages_leaked;	/* kcore refused a teardown: never freed (also counted above) */
};

#define KCORE_IOC_STATS _IOR(KCORE_IOC_TYPE, 0x02, struct kcore_stats)

/* On a VM's file descriptor. */
#define KCORE_VM_VERIFIED 1u /* kcore checked every image's signature: the VM may run */

struct kcore_vm_info {
	__u64 vmid;  /* kcore's VM id */
	__u32 state; /* KCORE_VM_VERIFIED */
	__u32 nr_vcpus;
	__u64 ram_base; /* guest physical */
	__u64 ram_size;
	__u64 load_ipa; /* where the image is */
	__u64 image_size;
	__u64 pages; /* pages of this VM kcore holds */
};

#define KCORE_VM_IOC_INFO _IOR(KCORE_IOC_TYPE, 0x40, struct kcore_vm_info)

#endif /* KCORE_KCORE_IOCTL_H */
