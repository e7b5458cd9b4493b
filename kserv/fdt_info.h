/* SPDX-License-Identifier: MIT */
/*
 * What kserv learns from the DTB kcore passes (x0 at entry): RAM, CPUs, the
 * /memreserve/ entries (kcore's image and carve-out: never to be touched),
 * the console UART, the PSCI conduit, the command line and the initrd (the
 * VM payload, docs/kserv.md), and the PCIe host bridge (ECAM and its
 * 32-bit memory window).
 */
#ifndef KSERV_FDT_INFO_H
#define KSERV_FDT_INFO_H

#include "layout.h"
#include "psci.h"
#include "types.h"

#define KSERV_MAX_RAM_BANKS 8
#define KSERV_MAX_RESERVED  16

struct machine {
	const void *fdt;
	u64 fdt_pa;
	u64 fdt_size;
	u64 uart_base; /* 0: none found */
	struct range ram[KSERV_MAX_RAM_BANKS];
	u32 nr_ram;
	struct range reserved[KSERV_MAX_RESERVED]; /* the /memreserve/ entries */
	u32 nr_reserved;
	u64 cpu_mpidr[KSERV_MAX_CPUS]; /* DTB order */
	u32 nr_cpus;		       /* recorded (at most KSERV_MAX_CPUS) */
	u32 nr_cpus_in_dtb;	       /* found */
	enum psci_conduit psci;
	const char *bootargs;  /* "" if none */
	struct range initrd;   /* /chosen linux,initrd-start..end; size 0: none */
	struct range gicd;     /* the GICv3 distributor; size 0: none found */
	struct range gicr;     /* ... and its (first) redistributor region */
	u32 nr_ignored;	       /* RAM banks or reserved entries beyond the tables */
	struct range pci_ecam; /* the PCIe ECAM window ("pci-host-ecam-generic"); size 0: none */
	struct range pci_mem;  /* its first 32-bit memory window, as the CPU sees it */
	u64 pci_mem_bus;       /* the bus address of pci_mem.base */
};

extern struct machine machine;

/* The DTB at pa if it is a valid one, else NULL. */
const void *fdt_at(u64 pa);
/* Fills m from the DTB; 0, or a negative libfdt error. */
int fdt_info_parse(const void *fdt, struct machine *m);

#endif /* KSERV_FDT_INFO_H */
