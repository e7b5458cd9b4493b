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

#endif /* KCORE_AARCH64_MACHINE_H */
