/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (virtio 1.x 5.1) over a frame backend the host gives
 * (kcore-vmm: a tap device, --net). Queue 0 receives, queue 1 transmits;
 * no control queue, no offloads, no mergeable buffers: features MAC only
 * (the config space is the 6-byte MAC). Every buffer starts with the
 * 12-byte virtio_net_hdr of VERSION_1; frames are at most
 * VIRTIO_NET_FRAME_MAX bytes (an untagged Ethernet frame at MTU 1500).
 *
 * Transmit: each chain is the header and one frame, copied out and handed
 * to the backend before the notify returns. A chain with a writable part
 * or shorter than the header breaks the device (virtio_mmio_fail); a frame
 * over VIRTIO_NET_FRAME_MAX, or one the backend refuses, is dropped and
 * counted (the buffer still goes back to the driver).
 *
 * Receive: the host offers one frame at a time (virtio_net_rx, under the
 * same lock as the notifies); it goes into the next receive chain, after a
 * zeroed header (num_buffers 1). A chain smaller than the header plus
 * VIRTIO_NET_FRAME_MAX is given back empty and the frame is dropped and
 * counted; a chain with a readable part, or any buffer the host cannot
 * reach, breaks the device.
 */
#ifndef VMM_VIRTIO_NET_H
#define VMM_VIRTIO_NET_H

#include "types.h"
#include "virtio_mmio.h"

#define VIRTIO_ID_NET	     1u
#define VIRTIO_NET_F_MAC     (1ull << 5)
#define VIRTIO_NET_HDR_SIZE  12u
#define VIRTIO_NET_FRAME_MAX 1514u
#define VIRTIO_NET_BUF	     (VIRTIO_NET_HDR_SIZE + VIRTIO_NET_FRAME_MAX)
#define VIRTIO_NET_RXQ	     0u
#define VIRTIO_NET_TXQ	     1u
#define VIRTIO_NET_MAC_BYTES 6u

enum virtio_net_rx_result {
	VIRTIO_NET_RX_DONE,	 /* the frame is in the guest's buffer */
	VIRTIO_NET_RX_NO_BUFFER, /* no buffer offered (or the device is not running): try later */
	VIRTIO_NET_RX_DROPPED,	 /* too long, or the buffer too short: counted, gone */
};

struct virtio_net {
	struct virtio_mmio t; /* first: the transport's callbacks find the device from it */
	void *ctx;
	/* Sends one frame; false if it could not (dropped and counted). */
	bool (*send)(void *ctx, const void *frame, u32 len);
	/* The driver offered receive buffers (a frame waiting may now go in). */
	void (*rx_ready)(void *ctx);
	u64 tx_frames, tx_dropped, rx_frames, rx_dropped;
	struct virtq_chain chain;
	u8 buf[VIRTIO_NET_BUF];
};

/* Sets n up with mac; name for the log. The caller then sets n->t.mem and n->t.irq. */
void virtio_net_init(struct virtio_net *n, const u8 mac[VIRTIO_NET_MAC_BYTES],
		     bool (*send)(void *ctx, const void *frame, u32 len),
		     void (*rx_ready)(void *ctx), void *ctx, const char *name);

/* Offers one received frame of len bytes to the guest (the caller holds the device's lock). */
enum virtio_net_rx_result virtio_net_rx(struct virtio_net *n, const void *frame, u32 len);

#endif /* VMM_VIRTIO_NET_H */
