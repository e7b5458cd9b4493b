/* SPDX-License-Identifier: MIT */
/*
 * A virtio-mmio device (virtio 1.x, "Virtio Over MMIO", version 2) as the
 * host emulates it: the transport's registers, feature negotiation, the
 * queues' setup (virtqueue.h) and the interrupt status; a device
 * (virtio_blk.h, virtio_rng.h) adds its ID, features, config space and what
 * a queue notification does.
 *
 * Features: the device's own, plus VIRTIO_F_VERSION_1 and
 * VIRTIO_F_ACCESS_PLATFORM (the guest's DMA API, hence its bounce pool,
 * carries every buffer). FEATURES_OK stays clear if the driver did not
 * accept both, or accepted anything not offered; no INDIRECT_DESC, no
 * EVENT_IDX.
 *
 * A guest that breaks the rules breaks only its device: a malformed ring
 * or a buffer the host cannot reach (not shared) sets DEVICE_NEEDS_RESET,
 * raises a configuration-change interrupt and logs one line; the device
 * then ignores notifications until the driver resets it (status 0).
 * Register accesses other than 32-bit ones (the config space takes any
 * size) and unknown offsets are read as 0 and ignored.
 *
 * Not thread-safe: the caller serializes a device's accesses (kcore-vmm:
 * the VM's lock, vmm/exit.c).
 */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include "guest_mem.h"
#include "types.h"
#include "virtqueue.h"

#define VIRTIO_MMIO_SIZE       0x200ull
#define VIRTIO_MMIO_MAGIC      0x74726976u /* "virt" */
#define VIRTIO_MMIO_VENDOR     0x65726f6bu /* "kore" */
#define VIRTIO_MMIO_CONFIG     0x100u
#define VIRTIO_MMIO_MAX_QUEUES 2u
#define VIRTIO_CONFIG_MAX      64u

/* Status bits (virtio 1.x 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1u
#define VIRTIO_STATUS_DRIVER		 2u
#define VIRTIO_STATUS_DRIVER_OK		 4u
#define VIRTIO_STATUS_FEATURES_OK	 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED		 0x80u

#define VIRTIO_F_VERSION_1	  (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM  (1ull << 33)
#define VIRTIO_TRANSPORT_FEATURES (VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM)

/* InterruptStatus bits. */
#define VIRTIO_INT_USED	  1u
#define VIRTIO_INT_CONFIG 2u

/* Device IDs. */
#define VIRTIO_ID_BLOCK	  2u
#define VIRTIO_ID_CONSOLE 3u
#define VIRTIO_ID_RNG	  4u

struct virtio_mmio;

struct virtio_dev_ops {
	u32 device_id;
	u32 nr_queues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	/* Queue q was notified (the device is DRIVER_OK, q ready and valid). */
	void (*notify)(struct virtio_mmio *t, u32 q);
};

struct virtio_mmio {
	const struct virtio_dev_ops *ops;
	const char *name; /* for the log: "<VM>: virtio-blk" */
	struct guest_mem mem;
	/* Raises the device's interrupt (an edge: its SPI made pending). */
	void (*irq)(void *ctx);
	void *irq_ctx;
	u64 features; /* the device's own (transport bits added by virtio_mmio_init) */
	u8 config[VIRTIO_CONFIG_MAX];
	u32 config_size;
	/* The driver's state: */
	u32 status;
	u32 dev_features_sel, drv_features_sel, queue_sel;
	u64 drv_features;
	u32 int_status;
	u32 config_gen;
	struct virtq q[VIRTIO_MMIO_MAX_QUEUES];
};

/* Sets t up for ops with the device's features and config (size bytes), reset. */
void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_dev_ops *ops, const char *name,
		      u64 features, u32 config_size);

/* An access at off of size 1, 2, 4 or 8 bytes; a read's value (0 for a write). */
u64 virtio_mmio_access(struct virtio_mmio *t, u64 off, u32 size, bool write, u64 value);

/* A device finished buffers: the used-buffer interrupt. */
void virtio_mmio_used(struct virtio_mmio *t);

/* The guest broke the rules (why): DEVICE_NEEDS_RESET, the config interrupt, one log line. */
void virtio_mmio_fail(struct virtio_mmio *t, const char *why);

/* Whether the device is stopped (needs a reset): it takes no more buffers. */
static inline bool virtio_mmio_broken(const struct virtio_mmio *t)
{
	return (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
}

#endif /* VMM_VIRTIO_MMIO_H */
