/* SPDX-License-Identifier: MIT */
/*
 * The DTB a guest gets (libfdt, sequential-write API): its RAM, one cpu per
 * vCPU (reg = index = MPIDR Aff0, PSCI over HVC), the GICv3 the host
 * emulates (vgic.h: the distributor and one redistributor per vCPU), the
 * architected timer, the PL011 (vuart.h, with its fixed clock), and /chosen:
 * bootargs, stdout-path, the initrd. Built from a plain description, so a
 * hosted VMM builds the same bytes as kserv for the same guest.
 */
#ifndef VMM_GUEST_DTB_H
#define VMM_GUEST_DTB_H

#include "types.h"
#include "vgic.h"

#define GUEST_PHANDLE_GIC   1u
#define GUEST_PHANDLE_CLOCK 2u
/* One redistributor per vCPU: no more vCPUs than the GIC model has. */
#define GUEST_DTB_MAX_VCPUS VGIC_MAX_CPUS

struct guest_dtb_desc {
	const char *name; /* the VM's, for the log line on an error */
	u64 ram_base;
	u64 ram_size;
	u32 nr_vcpus;	      /* 1..GUEST_DTB_MAX_VCPUS */
	const char *bootargs; /* /chosen/bootargs, NUL-terminated */
	u64 initrd_start;     /* 0: no initrd */
	u64 initrd_end;	      /* one past its last byte */
	u32 nr_virtio;	      /* virtio-mmio devices 0..nr_virtio-1 (guest_layout.h) */
};

enum guest_dtb_err {
	GUEST_DTB_OK = 0,
	GUEST_DTB_E_VCPUS,   /* nr_vcpus is 0 or above GUEST_DTB_MAX_VCPUS */
	GUEST_DTB_E_ARGS,    /* no buffer or bootargs, empty or wrapping RAM, initrd end < start */
	GUEST_DTB_E_NOSPACE, /* the tree does not fit in the buffer */
	GUEST_DTB_E_FDT,     /* any other libfdt error (a bug here) */
};

/*
 * Writes the DTB d describes into buf (size bytes; the tree is its first
 * fdt_totalsize bytes). Anything but GUEST_DTB_OK comes with a line saying
 * why (vmm_log), and buf's contents are then undefined.
 */
enum guest_dtb_err guest_dtb_write(void *buf, u32 size, const struct guest_dtb_desc *d);

#endif /* VMM_GUEST_DTB_H */
