/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng (virtio 1.x 5.4): one queue of device-writable buffers, each
 * filled with the host's random bytes (kcore-vmm: getrandom()), at most
 * VIRTIO_RNG_CHAIN_MAX bytes per buffer (the driver takes what it gets).
 * A buffer with a readable part, or one the host cannot reach, breaks the
 * device (virtio_mmio_fail).
 */
#ifndef VMM_VIRTIO_RNG_H
#define VMM_VIRTIO_RNG_H

#include "types.h"
#include "virtio_mmio.h"

#define VIRTIO_RNG_BUF	     256u
#define VIRTIO_RNG_CHAIN_MAX 4096u

struct virtio_rng {
	struct virtio_mmio t; /* first: the transport's callbacks find the device from it */
	/* n random bytes into buf; false if the host has none (the buffer is returned empty). */
	bool (*fill)(void *buf, u32 n);
	struct virtq_chain chain;
	u8 buf[VIRTIO_RNG_BUF];
};

void virtio_rng_init(struct virtio_rng *r, bool (*fill)(void *buf, u32 n), const char *name);

#endif /* VMM_VIRTIO_RNG_H */
