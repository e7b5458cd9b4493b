/* SPDX-License-Identifier: MIT */
/*
 * The DTB kserv writes for each guest (libfdt, sequential-write API): its
 * RAM, one cpu per vCPU (reg = index = MPIDR Aff0, PSCI over HVC), the GICv3,
 * the architected timer, the PL011 kserv emulates (with its fixed clock), and
 * /chosen: bootargs, stdout-path, the initrd. The buffer is the host page
 * kserv later donates at the top of the guest's RAM.
 */
#ifndef KSERV_GUEST_DTB_H
#define KSERV_GUEST_DTB_H

#include "types.h"
#include "vmm/guest_layout.h"

#define GUEST_PHANDLE_GIC   1u
#define GUEST_PHANDLE_CLOCK 2u

/* Writes the DTB into buf (size bytes); false, with a line saying why, if it does not fit. */
bool guest_dtb_write(void *buf, u32 size, const char *name, const struct guest_layout *l,
		     u32 nr_vcpus, const char *cmdline);

#endif /* KSERV_GUEST_DTB_H */
