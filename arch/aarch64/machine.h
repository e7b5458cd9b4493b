/* SPDX-License-Identifier: MIT */
/* The machine as the DTB describes it (arch/aarch64/dtb.c). */
#ifndef KCORE_AARCH64_MACHINE_H
#define KCORE_AARCH64_MACHINE_H

#include "core/kcore.h"
#include "percpu.h"

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

#endif /* KCORE_AARCH64_MACHINE_H */
