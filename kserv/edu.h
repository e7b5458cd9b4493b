/* SPDX-License-Identifier: MIT */
/*
 * QEMU's "edu" PCI device (docs/specs/edu.rst in QEMU) as a DMA engine: it
 * copies between memory (through the SMMU, as its requester ID) and its own
 * 4 KiB buffer, which sits at EDU_BUFFER in its DMA address space. The
 * device says nothing when a transfer is refused: whoever checks looks at
 * memory, at the buffer (by copying it out), and at kcore's fault queue.
 */
#ifndef KSERV_EDU_H
#define KSERV_EDU_H

#include "pci.h"

#define EDU_BUFFER	0x40000u
#define EDU_BUFFER_SIZE 4096u

struct edu {
	struct pci_dev pci;
	u64 regs; /* BAR0's CPU address */
	u32 sid;  /* its stream ID */
};

/* Finds the first edu on bus 0, maps its BAR0 and checks it answers as one. */
bool edu_probe(struct edu *e);

/*
 * One transfer of len bytes between the device's buffer (at buf_off into it)
 * and iova, into memory if to_memory, else out of it; waits until the device
 * says it is done. False if it never does (or the range is not the buffer's).
 */
bool edu_dma(const struct edu *e, bool to_memory, u64 iova, u32 buf_off, u32 len);

/*
 * One user of the device at a time: the attack suite uses it from the CPUs
 * of different VMs (vm_attacks_suite.c, io_consent_share.c). Taken around
 * the probe and every transfer and fault check of one user.
 */
void edu_claim(void);
void edu_release(void);

#endif /* KSERV_EDU_H */
