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

#endif /* KCORE_KCORE_IOCTL_H */
