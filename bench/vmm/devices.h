/* SPDX-License-Identifier: MIT */
/*
 * The KVM benchmark VMM's virtio devices (bench/vmm/README.md, "Virtio
 * I/O"): vmm/'s virtio-blk over --disk FILE and virtio-net over --net
 * tap=NAME, the same devices kcore-vmm gives a protected guest, in the
 * same windows and SPIs (vmm/guest_layout.h).
 */
#ifndef BENCH_VMM_DEVICES_H
#define BENCH_VMM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Opens disk (a file, or NULL) and the tap named tap (or NULL) and sets up
 * their devices over the guest's RAM (ram, size bytes at guest address
 * base); their interrupts go to vm_fd's vgic. Exits (one line) if a file or
 * the tap cannot be had. Returns how many devices there are: the DTB's
 * virtio nodes.
 */
unsigned devices_open(const char *disk, const char *tap, uint8_t *ram, uint64_t base, uint64_t size,
		      int vm_fd);

/* Starts the network's receive thread (after the vgic is initialised). */
void devices_start(void);

/*
 * An MMIO exit at addr: false if it is not in a device's window. A read's
 * value goes into data (little-endian, len bytes), a write's comes from it.
 */
bool devices_mmio(uint64_t addr, uint32_t len, bool write, uint8_t data[8]);

#endif /* BENCH_VMM_DEVICES_H */
