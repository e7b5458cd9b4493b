/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/* What kcore_main.c (the device, the host call) and kcore_vm.c (VMs) share. */
#ifndef KCORE_MOD_H
#define KCORE_MOD_H

#include <linux/compiler_types.h>

#include <kcore/kcore_ioctl.h>

/* kcore host call with up to four arguments: kcore's status (KCORE_OK or KCORE_E_*); x1 in *x1. */
long kcore_hvc4(unsigned long fid, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long *x1);

/* KCORE_IOC_CREATE_VM: the new VM's file descriptor, or a negative errno. */
long kcore_create_vm(const void __user *uarg);

void kcore_get_stats(struct kcore_stats *st);

#endif /* KCORE_MOD_H */
