/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio 1.x 5.2) over a backing store the host gives
 * (kcore-vmm: a file, --disk FILE[,ro]). One request queue; requests
 * T_IN, T_OUT, T_FLUSH and T_GET_ID, each done before the notify returns.
 * Features: SEG_MAX, SIZE_MAX, FLUSH, and RO for a read-only disk. The
 * capacity is the store's size in 512-byte sectors (a partial last sector
 * is not seen).
 *
 * Per request: a sector range past the capacity, data not a whole number
 * of sectors, a write to a read-only disk or a store error is status IOERR;
 * an unknown type is UNSUPP; a request with no room for its status byte or
 * a header shorter than 16 bytes, or a buffer the host cannot reach, breaks
 * the device (virtio_mmio_fail).
 */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H

#include "types.h"
#include "virtio_mmio.h"

#define VIRTIO_BLK_F_SIZE_MAX (1ull << 1)
#define VIRTIO_BLK_F_SEG_MAX  (1ull << 2)
#define VIRTIO_BLK_F_RO	      (1ull << 5)
#define VIRTIO_BLK_F_FLUSH    (1ull << 9)

#define VIRTIO_BLK_T_IN	    0u
#define VIRTIO_BLK_T_OUT    1u
#define VIRTIO_BLK_T_FLUSH  4u
#define VIRTIO_BLK_T_GET_ID 8u

#define VIRTIO_BLK_S_OK	    0u
#define VIRTIO_BLK_S_IOERR  1u
#define VIRTIO_BLK_S_UNSUPP 2u

#define VIRTIO_BLK_SECTOR   512u
#define VIRTIO_BLK_ID_BYTES 20u
#define VIRTIO_BLK_SIZE_MAX \
	(64u << 10)		 /* a segment's bytes: with SEG_MAX, below VIRTQ_CHAIN_MAX_BYTES */
#define VIRTIO_BLK_SEG_MAX 62u	 /* data segments per request */
#define VIRTIO_BLK_BUF	   4096u /* bytes copied at a time */

/* The backing store: reads and writes of whole ranges, false on an error. */
struct virtio_blk_store {
	void *ctx;
	u64 size; /* bytes */
	bool ro;
	bool (*read)(void *ctx, u64 off, void *dst, u64 len);
	bool (*write)(void *ctx, u64 off, const void *src, u64 len);
	bool (*flush)(void *ctx);
	char id[VIRTIO_BLK_ID_BYTES]; /* T_GET_ID's answer, NUL-padded */
};

struct virtio_blk {
	struct virtio_mmio t; /* first: the transport's callbacks find the device from it */
	struct virtio_blk_store store;
	struct virtq_chain chain;
	u8 buf[VIRTIO_BLK_BUF];
};

/* Sets b up over store; name for the log. The caller then sets b->t.mem and b->t.irq. */
void virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_store *store, const char *name);

#endif /* VMM_VIRTIO_BLK_H */
