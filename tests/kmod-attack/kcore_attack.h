/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/* kcore_attack.ko's ioctls (kcore_attack.c), shared with the host init that runs them. */
#ifndef KCORE_ATTACK_H
#define KCORE_ATTACK_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct kcore_attack {
	__s32 vm_fd; /* a VM's file descriptor (kcore.ko's) */
	__u32 which; /* 0 image page, 1 DTB page, 2 the first RAM page donated from index on */
	__u64 index; /* the page: in the file, or above the RAM's base */
	__u64 value; /* read: out; write: in; invariants: out */
};

#define KCORE_ATTACK_READ	_IOWR(0xC8, 0, struct kcore_attack)
#define KCORE_ATTACK_WRITE	_IOWR(0xC8, 1, struct kcore_attack)
#define KCORE_ATTACK_INVARIANTS _IOWR(0xC8, 2, struct kcore_attack)
/* The target page's physical address in value, not touching it (for a device to aim at). */
#define KCORE_ATTACK_PA		_IOWR(0xC8, 3, struct kcore_attack)

#endif /* KCORE_ATTACK_H */
