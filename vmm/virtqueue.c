/* SPDX-License-Identifier: MIT */
#include "virtqueue.h"

#include <string.h>

/* The split ring's layout (virtio 1.x 2.7): all little-endian, as arm64 is. */
#define DESC_SIZE      16u
#define AVAIL_IDX      2u /* after flags */
#define AVAIL_RING     4u
#define USED_IDX       2u
#define USED_RING      4u
#define USED_ELEM_SIZE 8u

const char *virtq_why = "";

static u16 le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 le64(const u8 *p)
{
	return (u64)le32(p) | (u64)le32(p + 4) << 32;
}

static void put_le16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put_le32(u8 *p, u32 v)
{
	for (u32 i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

bool virtq_valid(const struct virtq *q)
{
	return q->num >= 1 && q->num <= VIRTQ_NUM_MAX && (q->desc & 15) == 0 &&
	       (q->avail & 1) == 0 && (q->used & 3) == 0;
}

static enum virtq_result bad(const char *why)
{
	virtq_why = why;
	return VIRTQ_BAD;
}

static enum virtq_result fault(const char *why)
{
	virtq_why = why;
	return VIRTQ_FAULT;
}

/* Reads descriptor i (< q->num) into *s; *flags and *next its links. */
static enum virtq_result read_desc(const struct virtq *q, const struct guest_mem *m, u32 i,
				   struct virtq_seg *s, u16 *flags, u16 *next)
{
	u8 d[DESC_SIZE];

	if (!guest_mem_read(m, q->desc + (u64)i * DESC_SIZE, d, sizeof(d)))
		return fault("a descriptor could not be read");
	s->addr = le64(d);
	s->len = le32(d + 8);
	*flags = le16(d + 12);
	*next = le16(d + 14);
	s->write = (*flags & VIRTQ_DESC_F_WRITE) != 0;
	if ((*flags & VIRTQ_DESC_F_INDIRECT) != 0)
		return bad("an indirect descriptor (not negotiated)");
	if (s->len == 0 || s->addr + s->len < s->addr)
		return bad("a descriptor of length 0 or wrapping");
	return VIRTQ_CHAIN;
}

/* Walks the chain from head into *c: at most q->num descriptors. */
static enum virtq_result walk(const struct virtq *q, const struct guest_mem *m, u16 head,
			      struct virtq_chain *c)
{
	u32 i = head;

	memset(c, 0, offsetof(struct virtq_chain, segs));
	c->head = head;
	for (;;) {
		struct virtq_seg *s = &c->segs[c->nr_segs];
		u16 flags, next;
		enum virtq_result r;

		if (i >= q->num)
			return bad("a descriptor index out of the queue");
		if (c->nr_segs == q->num)
			return bad("a chain longer than the queue (a loop)");
		r = read_desc(q, m, i, s, &flags, &next);
		if (r != VIRTQ_CHAIN)
			return r;
		if (!s->write && c->nr_read != c->nr_segs)
			return bad("a device-readable descriptor after a writable one");
		if (s->write)
			c->write_bytes += s->len;
		else {
			c->read_bytes += s->len;
			c->nr_read++;
		}
		c->nr_segs++;
		if (c->read_bytes + c->write_bytes > VIRTQ_CHAIN_MAX_BYTES)
			return bad("a chain of more than VIRTQ_CHAIN_MAX_BYTES");
		if ((flags & VIRTQ_DESC_F_NEXT) == 0)
			return VIRTQ_CHAIN;
		i = next;
	}
}

enum virtq_result virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c)
{
	u8 b[2];
	u16 avail_idx, head;

	if (!guest_mem_read(m, q->avail + AVAIL_IDX, b, 2))
		return fault("the avail ring could not be read");
	avail_idx = le16(b);
	if (avail_idx == q->last_avail)
		return VIRTQ_EMPTY;
	if ((u16)(avail_idx - q->last_avail) > q->num)
		return bad("the avail index is more than the queue size ahead");
	/* The entry is read after the index: it is the driver's once the index says so. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (!guest_mem_read(m, q->avail + AVAIL_RING + 2ull * (q->last_avail % q->num), b, 2))
		return fault("the avail ring could not be read");
	head = le16(b);
	q->last_avail++;
	return walk(q, m, head, c);
}

bool virtq_push(struct virtq *q, const struct guest_mem *m, u16 head, u32 len)
{
	u8 e[USED_ELEM_SIZE], b[2];

	put_le32(e, head);
	put_le32(e + 4, len);
	if (!guest_mem_write(m, q->used + USED_RING + (u64)USED_ELEM_SIZE * (q->used_idx % q->num),
			     e, sizeof(e)))
		return false;
	/* The element before the index that hands it to the driver. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->used_idx++;
	put_le16(b, q->used_idx);
	return guest_mem_write(m, q->used + USED_IDX, b, sizeof(b));
}

/*
 * Copies len bytes at off of the segments first..last-1 (whose total is
 * at least off + len) to or from buf.
 */
static bool chain_copy(const struct virtq_chain *c, const struct guest_mem *m, u32 first, u32 last,
		       u64 off, u8 *buf, u64 len, bool to_guest)
{
	for (u32 i = first; i < last && len > 0; i++) {
		const struct virtq_seg *s = &c->segs[i];
		u64 n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len ? s->len - off : len;
		if (to_guest ? !guest_mem_write(m, s->addr + off, buf, n)
			     : !guest_mem_read(m, s->addr + off, buf, n))
			return false;
		buf += n;
		len -= n;
		off = 0;
	}
	return len == 0;
}

bool virtq_chain_read(const struct virtq_chain *c, const struct guest_mem *m, u64 off, void *dst,
		      u64 len)
{
	if (off > c->read_bytes || len > c->read_bytes - off)
		return false;
	return chain_copy(c, m, 0, c->nr_read, off, dst, len, false);
}

bool virtq_chain_write(const struct virtq_chain *c, const struct guest_mem *m, u64 off,
		       const void *src, u64 len)
{
	if (off > c->write_bytes || len > c->write_bytes - off)
		return false;
	return chain_copy(c, m, c->nr_read, c->nr_segs, off, (u8 *)(uintptr_t)src, len, true);
}
