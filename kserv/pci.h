/* SPDX-License-Identifier: MIT */
/*
 * PCI devices on bus 0 of the ECAM host bridge the DTB names (kserv/fdt_info.c):
 * find one by vendor and device id, give its BAR0 an address in the bridge's
 * 32-bit memory window, and let it decode memory and master the bus. Behind
 * kcore's SMMU a device's requester ID is its stream ID.
 */
#ifndef KSERV_PCI_H
#define KSERV_PCI_H

#include "types.h"

struct pci_dev {
	u32 bus, dev, fn;
	u64 cfg; /* its 4 KiB of ECAM config space */
};

/* The first function on bus 0 with these ids; false if there is none (or no ECAM). */
bool pci_find(u16 vendor, u16 device, struct pci_dev *out);

/* (bus << 8) | (dev << 3) | fn: the SMMU's stream ID for the device. */
u32 pci_requester_id(const struct pci_dev *d);

/*
 * Places BAR0 (a 32-bit memory BAR) at the first suitably aligned address
 * of the memory window, then enables memory decoding and bus mastering.
 * Returns the CPU address of BAR0, or 0 if it cannot be placed.
 */
u64 pci_enable_bar0(const struct pci_dev *d);

#endif /* KSERV_PCI_H */
