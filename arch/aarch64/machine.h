/* SPDX-License-Identifier: MIT */
/* The machine as the DTB describes it (arch/aarch64/dtb.c). */
#ifndef KCORE_AARCH64_MACHINE_H
#define KCORE_AARCH64_MACHINE_H

#include "core/kcore.h"
#include "percpu.h"

/* The longest host command line kcore passes on (Linux's own limit on arm64 is 2048). */
#define LINUX_BOOTARGS_MAX 2048

struct machine {
	struct kcore_mem_range ram[KCORE_MAX_RAM_BANKS];
	u32 nr_ram;
	u64 cpu_mpidr[KCORE_MAX_CPUS];
	u32 nr_cpus;
	u64 uart_base;
	struct kcore_mem_range gicd, gicr;
	struct kcore_mem_range smmu; /* size 0 when there is none */
	struct kcore_mem_range pci_ecam;
	/* The platform policy derived from the DTB (platform_policy.c). */
	struct kcore_dev_range devices[KCORE_MAX_DEV_RANGES];
	u32 nr_devices;
	/* Each GICv3 redistributor's RD_base (its first page is MEDIATED: gicr_mediate.c). */
	u64 gicr_frames[KCORE_MAX_CPUS];
	u32 nr_gicr_frames;
	u64 initrd_start, initrd_end; /* 0, 0 when there is none */
	u64 dtb_size;
	/*
	 * A Linux host given as multiboot modules (/chosen/module@..., as
	 * QEMU's guest-loader writes them; docs/linux-host.md): the kernel
	 * Image, its ramdisk and command line. linux_kernel.size is 0 when
	 * there is none: kcore then boots kserv.
	 */
	struct kcore_mem_range linux_kernel, linux_ramdisk;
	char linux_bootargs[LINUX_BOOTARGS_MAX];
};

/* Reads the machine from the DTB; panics on a DTB kcore cannot trust to boot from. */
void machine_from_dtb(const void *fdt, struct machine *m);

/*
 * The platform policy from the DTB (platform_policy.c): every device node's
 * class, into m->devices; m->ram must be read first. Runs with the MMU off.
 */
void policy_from_dtb(const void *fdt, struct machine *m);

/* Grows the DTB in place and adds a /memreserve/ entry for each range. */
void dtb_reserve(void *fdt, const struct kcore_mem_range *ranges, u32 nr, u64 room_end);

/*
 * Rewrites the DTB in place for a Linux host (docs/linux-host.md): kcore's
 * ranges as /reserved-memory no-map children, every device node the platform
 * policy does not give the host removed, the module nodes removed,
 * /chosen/bootargs and linux,initrd-start/end from the modules.
 */
void dtb_for_linux_host(void *fdt, const struct machine *m, const struct kcore_mem_range *ranges,
			u32 nr, u64 room_end);

/* Whether the DTB named a Linux kernel (linux_host.c): else kcore boots kserv. */
bool machine_has_linux_host(const struct machine *m);

/*
 * Panics unless the multiboot kernel, whose arm64 Image header is `header`
 * (read at the kernel's base), can be entered where it lies (linux_host.c):
 * returns its image_size, the span it uses from its base.
 */
u64 check_linux_kernel(const struct machine *m, const void *header, u64 dtb,
		       struct kcore_mem_range image);

/*
 * Writes kcore's image and carve-out into the host's DTB, grown in place up
 * to whatever the boot loader put after it: /memreserve/ entries for kserv,
 * dtb_for_linux_host for a Linux host.
 */
void dtb_for_host(void *dtb, const struct machine *m, struct kcore_mem_range image,
		  struct kcore_mem_range carve);

#endif /* KCORE_AARCH64_MACHINE_H */
