/* SPDX-License-Identifier: MIT */
#include "virtio_net.h"

#include <string.h>

/* Whether queue qi takes buffers now: negotiated, DRIVER_OK, not broken, ready. */
static bool queue_live(const struct virtio_mmio *t, u32 qi)
{
	u32 live = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;

	return (t->status & live) == live && !virtio_mmio_broken(t) && t->q[qi].ready;
}

/* One transmit chain: the frame after the header to the backend. False: the device broke. */
static bool tx_one(struct virtio_net *n)
{
	const struct virtq_chain *c = &n->chain;
	u64 frame = c->read_bytes - VIRTIO_NET_HDR_SIZE;

	if (frame > VIRTIO_NET_FRAME_MAX) {
		n->tx_dropped++; /* longer than any frame we offered to carry */
		return true;
	}
	if (!virtq_chain_read(c, &n->t.mem, VIRTIO_NET_HDR_SIZE, n->buf, frame)) {
		virtio_mmio_fail(&n->t, "a transmit buffer the host cannot reach");
		return false;
	}
	if (n->send(n->ctx, n->buf, (u32)frame))
		n->tx_frames++;
	else
		n->tx_dropped++;
	return true;
}

static void tx_notify(struct virtio_net *n)
{
	struct virtio_mmio *t = &n->t;
	struct virtq *q = &t->q[VIRTIO_NET_TXQ];
	bool any = false;

	for (;;) {
		enum virtq_result r = virtq_pop(q, &t->mem, &n->chain);

		if (r == VIRTQ_EMPTY)
			break;
		if (r != VIRTQ_CHAIN) {
			virtio_mmio_fail(t, virtq_why);
			return;
		}
		if (n->chain.write_bytes != 0 || n->chain.read_bytes < VIRTIO_NET_HDR_SIZE) {
			virtio_mmio_fail(t, "a transmit chain without its header or with a "
					    "writable buffer");
			return;
		}
		if (!tx_one(n))
			return;
		/* Nothing written to a transmit buffer: used length 0. */
		if (!virtq_push(q, &t->mem, n->chain.head, 0)) {
			virtio_mmio_fail(t, "the used ring could not be written");
			return;
		}
		any = true;
	}
	if (any)
		virtio_mmio_used(t);
}

static void net_notify(struct virtio_mmio *t, u32 qi)
{
	struct virtio_net *n = (struct virtio_net *)t;

	if (qi == VIRTIO_NET_TXQ)
		tx_notify(n);
	else if (n->rx_ready != NULL)
		n->rx_ready(n->ctx);
}

/* Gives the chain back with len bytes written, and the interrupt. */
static bool rx_push(struct virtio_net *n, u32 len)
{
	if (!virtq_push(&n->t.q[VIRTIO_NET_RXQ], &n->t.mem, n->chain.head, len)) {
		virtio_mmio_fail(&n->t, "the used ring could not be written");
		return false;
	}
	virtio_mmio_used(&n->t);
	return true;
}

enum virtio_net_rx_result virtio_net_rx(struct virtio_net *n, const void *frame, u32 len)
{
	struct virtio_mmio *t = &n->t;
	enum virtq_result r;
	u8 hdr[VIRTIO_NET_HDR_SIZE] = {0};

	if (!queue_live(t, VIRTIO_NET_RXQ))
		return VIRTIO_NET_RX_NO_BUFFER;
	if (len > VIRTIO_NET_FRAME_MAX) {
		n->rx_dropped++;
		return VIRTIO_NET_RX_DROPPED;
	}
	r = virtq_pop(&t->q[VIRTIO_NET_RXQ], &t->mem, &n->chain);
	if (r == VIRTQ_EMPTY)
		return VIRTIO_NET_RX_NO_BUFFER;
	if (r != VIRTQ_CHAIN || n->chain.nr_read != 0) {
		virtio_mmio_fail(t,
				 r != VIRTQ_CHAIN ? virtq_why : "a device-readable receive buffer");
		return VIRTIO_NET_RX_DROPPED;
	}
	if (n->chain.write_bytes < VIRTIO_NET_BUF) {
		/* Too small for the frames we said we carry: back empty, the frame dropped. */
		n->rx_dropped++;
		rx_push(n, 0);
		return VIRTIO_NET_RX_DROPPED;
	}
	hdr[10] = 1; /* num_buffers (le16): one buffer, as without MRG_RXBUF it always is */
	if (!virtq_chain_write(&n->chain, &t->mem, 0, hdr, sizeof(hdr)) ||
	    !virtq_chain_write(&n->chain, &t->mem, VIRTIO_NET_HDR_SIZE, frame, len)) {
		virtio_mmio_fail(t, "a receive buffer the host cannot reach");
		return VIRTIO_NET_RX_DROPPED;
	}
	if (!rx_push(n, VIRTIO_NET_HDR_SIZE + len))
		return VIRTIO_NET_RX_DROPPED;
	n->rx_frames++;
	return VIRTIO_NET_RX_DONE;
}

static const struct virtio_dev_ops net_ops = {
    .device_id = VIRTIO_ID_NET,
    .nr_queues = 2,
    .notify = net_notify,
};

void virtio_net_init(struct virtio_net *n, const u8 mac[VIRTIO_NET_MAC_BYTES],
		     bool (*send)(void *ctx, const void *frame, u32 len),
		     void (*rx_ready)(void *ctx), void *ctx, const char *name)
{
	n->send = send;
	n->rx_ready = rx_ready;
	n->ctx = ctx;
	n->tx_frames = n->tx_dropped = n->rx_frames = n->rx_dropped = 0;
	virtio_mmio_init(&n->t, &net_ops, name, VIRTIO_NET_F_MAC, VIRTIO_NET_MAC_BYTES);
	memcpy(n->t.config, mac, VIRTIO_NET_MAC_BYTES);
}
