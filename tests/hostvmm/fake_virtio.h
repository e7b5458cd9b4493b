/* SPDX-License-Identifier: MIT */
/*
 * FAKE_KCORE=virtio (fake_kcore.c): vCPU 0 plays a virtio-blk driver against
 * kcore-vmm's first --disk, through MMIO exits, in a guest RAM that is a
 * memfd shared with kcore-vmm's mmap() of the VM's file. Only the RAM's
 * first FAKE_RAM_SHARED bytes exist in the memfd: a load or store past them
 * is a SIGBUS in kcore-vmm, as a page the guest never shared is on kcore.
 *
 * It checks the magic, negotiates VERSION_1 | ACCESS_PLATFORM, sets up
 * queue 0 and reads sector 0 (512 bytes): the data must be the disk's
 * (all 'k', tests/scripts/hostvmm.sh writes it), the status OK, the used
 * ring advanced and InterruptStatus 1; then a read into a buffer in the
 * RAM past the memfd (the "private page"): the device must say
 * DEVICE_NEEDS_RESET, kcore-vmm must live on, and two interrupts (used,
 * config) must have come through KCORE_VM_IOC_IRQ at INTID 48; then the
 * device reset and set up again and a second read into the private page:
 * a second SIGBUS in the same kcore-vmm thread, handled as the first
 * (DEVICE_NEEDS_RESET again, a third interrupt). Anything else is EINVAL
 * from the run.
 *
 * FAKE_KCORE=vconsole: device 0 is kcore-vmm's --console virtio instead;
 * vCPU 0 sends "hi from hvc0\nbye" through port 0's transmit queue (1):
 * the buffer used and an interrupt, then the power-off (kcore-vmm prints
 * both lines, the second at teardown).
 *
 * FAKE_KCORE=vnet: device 0 is kcore-vmm's --net tap=$FAKE_TAP; vCPU 0
 * offers one receive buffer in the RAM past the memfd, notifies the
 * receive queue and sends a frame into the tap (an AF_PACKET socket on
 * it), then reads the status until kcore-vmm's receive thread, putting the
 * frame there, took the SIGBUS and said DEVICE_NEEDS_RESET (5 s at most):
 * kcore-vmm must live on, with the config interrupt.
 */
#ifndef FAKE_VIRTIO_H
#define FAKE_VIRTIO_H

#include <stdbool.h>

#include <kcore/kcore_ioctl.h>

#define FAKE_RAM_SHARED (1u << 20)

/* At KCORE_IOC_CREATE_VM: the RAM's memfd (ram_size bytes mapped, FAKE_RAM_SHARED backed). */
int fake_virtio_create(unsigned long long ram_size, bool console, bool net);
/* The memfd kcore-vmm's mmap() of the VM's file maps. */
int fake_virtio_memfd(void);
/* KCORE_VM_IOC_IRQ: counted. */
int fake_virtio_irq(const struct kcore_irq *irq);
/* vCPU 0's next run; -1 with errno EINVAL when kcore-vmm did something wrong. */
int fake_virtio_run(struct kcore_vcpu_run *r);

#endif /* FAKE_VIRTIO_H */
