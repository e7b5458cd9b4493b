/* SPDX-License-Identifier: MIT */
/*
 * The platform policy kcore booted with (docs/security.md, "Platform
 * policy"): which class each non-RAM physical range is in, and what each
 * class lets the host and the VMs map. An address no range covers is DENIED:
 * anything kcore does not positively know stays out of every stage-2.
 *
 * Written once by kcore_init, read-only afterwards: no lock.
 */
#ifndef KCORE_MEMOPS_PLATFORM_H
#define KCORE_MEMOPS_PLATFORM_H

#include "core/kcore.h"

/* Whether the table is well formed: aligned, non-empty, known classes, no overlaps, no RAM. */
bool platform_table_ok(const struct kcore_dev_range *dev, u32 nr_dev,
		       const struct kcore_mem_range *ram, u32 nr_ram);

/* Keeps a copy of a table platform_table_ok accepted. */
void platform_init(const struct kcore_dev_range *dev, u32 nr_dev);

/* The class of a non-RAM address: the range's that covers it, else DENIED. */
enum kcore_dev_class platform_class(paddr_t pa);

/*
 * Whether every page of [base, base + size) has one and the same class
 * (stored in *cls): a host block mapping must never straddle two classes.
 */
bool platform_uniform_class(paddr_t base, u64 size, enum kcore_dev_class *cls);

/* Classes the host's stage-2 may map, and the ones KC_HC_VM_MAP_IO may give a VM. */
bool platform_host_may_map_class(enum kcore_dev_class cls);
bool platform_vm_may_map_class(enum kcore_dev_class cls);

#endif /* KCORE_MEMOPS_PLATFORM_H */
