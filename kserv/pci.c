/* SPDX-License-Identifier: MIT */
#include "pci.h"

#include "fdt_info.h"

#define CFG_ID	       0x00
#define CFG_COMMAND    0x04
#define CFG_BAR0       0x10
#define CMD_MEMORY     (1u << 1)
#define CMD_BUS_MASTER (1u << 2)
#define BAR_IO	       (1u << 0)
#define BAR_TYPE_MASK  (3u << 1)
#define BAR_ADDR_MASK  0xfffffff0u
#define ECAM_DEV_SHIFT 15
#define ECAM_FN_SHIFT  12
#define MAX_DEVICES    32u
#define MAX_FUNCTIONS  8u
#define NO_DEVICE      0xffffu

static u32 cfg_read(const struct pci_dev *d, u32 off)
{
	return *(volatile u32 *)(uintptr_t)(d->cfg + off);
}

static void cfg_write(const struct pci_dev *d, u32 off, u32 v)
{
	*(volatile u32 *)(uintptr_t)(d->cfg + off) = v;
}

bool pci_find(u16 vendor, u16 device, struct pci_dev *out)
{
	if (machine.pci_ecam.size == 0)
		return false;
	for (u32 dev = 0; dev < MAX_DEVICES; dev++) {
		for (u32 fn = 0; fn < MAX_FUNCTIONS; fn++) {
			struct pci_dev d = {0, dev, fn,
					    machine.pci_ecam.base + ((u64)dev << ECAM_DEV_SHIFT) +
						((u64)fn << ECAM_FN_SHIFT)};
			u32 id = cfg_read(&d, CFG_ID);

			if ((id & 0xffffu) == NO_DEVICE)
				continue;
			if ((id & 0xffffu) == vendor && (id >> 16) == device) {
				*out = d;
				return true;
			}
		}
	}
	return false;
}

u32 pci_requester_id(const struct pci_dev *d)
{
	return (d->bus << 8) | (d->dev << 3) | d->fn;
}

u64 pci_enable_bar0(const struct pci_dev *d)
{
	u32 size, bar;
	u64 bus_addr;

	if (machine.pci_mem.size == 0)
		return 0;
	/* Decoding off while the BAR moves; all ones read back give its size. */
	cfg_write(d, CFG_COMMAND, cfg_read(d, CFG_COMMAND) & ~(CMD_MEMORY | CMD_BUS_MASTER));
	bar = cfg_read(d, CFG_BAR0);
	if ((bar & BAR_IO) != 0 || (bar & BAR_TYPE_MASK) != 0)
		return 0; /* not a 32-bit memory BAR */
	cfg_write(d, CFG_BAR0, BAR_ADDR_MASK);
	size = ~(cfg_read(d, CFG_BAR0) & BAR_ADDR_MASK) + 1u;
	if (size == 0 || size > machine.pci_mem.size)
		return 0;
	bus_addr = align_up(machine.pci_mem_bus, size);
	if (bus_addr + size > machine.pci_mem_bus + machine.pci_mem.size || bus_addr >> 32 != 0)
		return 0;
	cfg_write(d, CFG_BAR0, (u32)bus_addr);
	cfg_write(d, CFG_COMMAND, cfg_read(d, CFG_COMMAND) | CMD_MEMORY | CMD_BUS_MASTER);
	return machine.pci_mem.base + (bus_addr - machine.pci_mem_bus);
}
