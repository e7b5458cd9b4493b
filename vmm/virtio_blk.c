/* SPDX-License-Identifier: MIT */
#include "virtio_blk.h"

#include <string.h>

#define HDR_SIZE 16u

/* The request's header, from the chain's readable part. */
struct blk_req {
	u32 type;
	u64 sector;
};

enum { REQ_DONE, REQ_BROKEN };

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void put_le32(u8 *p, u32 v)
{
	for (u32 i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* Whether len bytes at sector fit in the disk (and are whole sectors). */
static bool in_disk(const struct virtio_blk *b, u64 sector, u64 len)
{
	u64 sectors = b->store.size / VIRTIO_BLK_SECTOR;

	return len % VIRTIO_BLK_SECTOR == 0 && sector <= sectors &&
	       len / VIRTIO_BLK_SECTOR <= sectors - sector;
}

/* T_IN: len bytes from the disk into the writable part; *status, false on a fault. */
static bool do_read(struct virtio_blk *b, u64 sector, u64 len, u8 *status)
{
	const struct virtq_chain *c = &b->chain;

	for (u64 done = 0; done < len;) {
		u64 n = len - done < VIRTIO_BLK_BUF ? len - done : VIRTIO_BLK_BUF;

		if (!b->store.read(b->store.ctx, sector * VIRTIO_BLK_SECTOR + done, b->buf, n)) {
			*status = VIRTIO_BLK_S_IOERR;
			return true;
		}
		if (!virtq_chain_write(c, &b->t.mem, done, b->buf, n))
			return false;
		done += n;
	}
	*status = VIRTIO_BLK_S_OK;
	return true;
}

/* T_OUT: len bytes of the readable part after the header onto the disk. */
static bool do_write(struct virtio_blk *b, u64 sector, u64 len, u8 *status)
{
	const struct virtq_chain *c = &b->chain;

	for (u64 done = 0; done < len;) {
		u64 n = len - done < VIRTIO_BLK_BUF ? len - done : VIRTIO_BLK_BUF;

		if (!virtq_chain_read(c, &b->t.mem, HDR_SIZE + done, b->buf, n))
			return false;
		if (!b->store.write(b->store.ctx, sector * VIRTIO_BLK_SECTOR + done, b->buf, n)) {
			*status = VIRTIO_BLK_S_IOERR;
			return true;
		}
		done += n;
	}
	*status = VIRTIO_BLK_S_OK;
	return true;
}

/*
 * Does the request in b->chain; *written: the bytes written to the guest
 * (data and status). REQ_BROKEN: a fault or a malformed request (*why).
 */
static int do_request(struct virtio_blk *b, u32 *written, const char **why)
{
	const struct virtq_chain *c = &b->chain;
	struct blk_req r;
	u8 hdr[HDR_SIZE], status = VIRTIO_BLK_S_UNSUPP;
	u64 data_in, data_out;
	bool ok = true;

	if (c->read_bytes < HDR_SIZE || c->write_bytes < 1) {
		*why = "a request without a header or a status byte";
		return REQ_BROKEN;
	}
	if (!virtq_chain_read(c, &b->t.mem, 0, hdr, HDR_SIZE)) {
		*why = "a request header the host cannot read";
		return REQ_BROKEN;
	}
	r.type = le32(hdr);
	r.sector = (u64)le32(hdr + 8) | (u64)le32(hdr + 12) << 32;
	data_in = c->write_bytes - 1; /* the status byte is the last writable one */
	data_out = c->read_bytes - HDR_SIZE;
	*written = 1;
	switch (r.type) {
	case VIRTIO_BLK_T_IN:
		status = VIRTIO_BLK_S_IOERR;
		if (in_disk(b, r.sector, data_in)) {
			ok = do_read(b, r.sector, data_in, &status);
			*written += (u32)data_in;
		}
		break;
	case VIRTIO_BLK_T_OUT:
		status = VIRTIO_BLK_S_IOERR;
		if (!b->store.ro && in_disk(b, r.sector, data_out))
			ok = do_write(b, r.sector, data_out, &status);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = (u8)(b->store.flush(b->store.ctx) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
		break;
	case VIRTIO_BLK_T_GET_ID: {
		u64 n = data_in < VIRTIO_BLK_ID_BYTES ? data_in : VIRTIO_BLK_ID_BYTES;

		ok = virtq_chain_write(c, &b->t.mem, 0, b->store.id, n);
		*written += (u32)n;
		status = VIRTIO_BLK_S_OK;
		break;
	}
	default:
		break; /* UNSUPP */
	}
	if (!ok || !virtq_chain_write(c, &b->t.mem, c->write_bytes - 1, &status, 1)) {
		*why = "a request buffer the host cannot reach";
		return REQ_BROKEN;
	}
	if (status != VIRTIO_BLK_S_OK && r.type == VIRTIO_BLK_T_IN)
		*written = 1;
	return REQ_DONE;
}

static void blk_notify(struct virtio_mmio *t, u32 qi)
{
	struct virtio_blk *b = (struct virtio_blk *)t;
	struct virtq *q = &t->q[qi];
	bool any = false;

	for (;;) {
		enum virtq_result r = virtq_pop(q, &t->mem, &b->chain);
		const char *why = virtq_why;
		u32 written = 0;

		if (r == VIRTQ_EMPTY)
			break;
		if (r != VIRTQ_CHAIN || do_request(b, &written, &why) != REQ_DONE) {
			virtio_mmio_fail(t, why);
			return;
		}
		if (!virtq_push(q, &t->mem, b->chain.head, written)) {
			virtio_mmio_fail(t, "the used ring could not be written");
			return;
		}
		any = true;
	}
	if (any)
		virtio_mmio_used(t);
}

static const struct virtio_dev_ops blk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .nr_queues = 1,
    .notify = blk_notify,
};

void virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_store *store, const char *name)
{
	u64 features = VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_FLUSH;
	u64 sectors = store->size / VIRTIO_BLK_SECTOR;

	b->store = *store;
	if (store->ro)
		features |= VIRTIO_BLK_F_RO;
	virtio_mmio_init(&b->t, &blk_ops, name, features, 16);
	/* struct virtio_blk_config: capacity (le64), size_max (le32), seg_max (le32). */
	put_le32(b->t.config, (u32)sectors);
	put_le32(b->t.config + 4, (u32)(sectors >> 32));
	put_le32(b->t.config + 8, VIRTIO_BLK_SIZE_MAX);
	put_le32(b->t.config + 12, VIRTIO_BLK_SEG_MAX);
}
