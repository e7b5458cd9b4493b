/* SPDX-License-Identifier: MIT */
#include "virtio_rng.h"

/* Fills the chain's writable part, up to VIRTIO_RNG_CHAIN_MAX; false on a fault. */
static bool fill_chain(struct virtio_rng *r, u32 *written)
{
	u64 want = r->chain.write_bytes < VIRTIO_RNG_CHAIN_MAX ? r->chain.write_bytes
							       : VIRTIO_RNG_CHAIN_MAX;

	*written = 0;
	while (*written < want) {
		u32 n = want - *written < VIRTIO_RNG_BUF ? (u32)(want - *written) : VIRTIO_RNG_BUF;

		if (!r->fill(r->buf, n))
			return true; /* no entropy now: what is done so far */
		if (!virtq_chain_write(&r->chain, &r->t.mem, *written, r->buf, n))
			return false;
		*written += n;
	}
	return true;
}

static void rng_notify(struct virtio_mmio *t, u32 qi)
{
	struct virtio_rng *r = (struct virtio_rng *)t;
	struct virtq *q = &t->q[qi];
	bool any = false;

	for (;;) {
		enum virtq_result res = virtq_pop(q, &t->mem, &r->chain);
		u32 written = 0;

		if (res == VIRTQ_EMPTY)
			break;
		if (res != VIRTQ_CHAIN) {
			virtio_mmio_fail(t, virtq_why);
			return;
		}
		if (r->chain.nr_read != 0) {
			virtio_mmio_fail(t, "a device-readable buffer");
			return;
		}
		if (!fill_chain(r, &written)) {
			virtio_mmio_fail(t, "a buffer the host cannot reach");
			return;
		}
		if (!virtq_push(q, &t->mem, r->chain.head, written)) {
			virtio_mmio_fail(t, "the used ring could not be written");
			return;
		}
		any = true;
	}
	if (any)
		virtio_mmio_used(t);
}

static const struct virtio_dev_ops rng_ops = {
    .device_id = VIRTIO_ID_RNG,
    .nr_queues = 1,
    .notify = rng_notify,
};

void virtio_rng_init(struct virtio_rng *r, bool (*fill)(void *buf, u32 n), const char *name)
{
	r->fill = fill;
	virtio_mmio_init(&r->t, &rng_ops, name, 0, 0);
}
