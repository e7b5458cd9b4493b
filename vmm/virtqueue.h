/* SPDX-License-Identifier: MIT */
/*
 * A split virtqueue (virtio 1.x, "Split Virtqueues") as a device walks it,
 * through the guest memory accessor (guest_mem.h): the driver's ring and
 * descriptors are read with copies, never trusted in place, so a driver
 * changing them under the device changes only what it gets. No indirect
 * descriptors and no event index (the transport does not offer them).
 *
 * Anything malformed is VIRTQ_BAD, never a crash or a loop: an avail index
 * more than the queue size ahead, a head or next index out of range, a
 * chain longer than the queue (a loop), an indirect descriptor, a
 * device-readable descriptor after a writable one, a zero-length or
 * wrapping buffer, more than VIRTQ_CHAIN_MAX_BYTES in a chain; and
 * VIRTQ_FAULT when the ring or a descriptor cannot be read (outside RAM, or
 * not shared). The transport then stops the device (DEVICE_NEEDS_RESET).
 */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H

#include "guest_mem.h"
#include "types.h"

#define VIRTQ_NUM_MAX	      256u
#define VIRTQ_CHAIN_MAX_BYTES (4ull << 20)

#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u
#define VIRTQ_DESC_F_INDIRECT 4u

struct virtq {
	u32 num; /* the driver's queue size, 1..VIRTQ_NUM_MAX */
	bool ready;
	u64 desc, avail, used; /* guest physical addresses of the three parts */
	u16 last_avail;	       /* the next avail entry the device takes */
	u16 used_idx;	       /* the device's used index (it alone writes it) */
};

/* One buffer of a chain. */
struct virtq_seg {
	u64 addr;
	u32 len;
	bool write; /* device-writable */
};

/* A chain taken from the avail ring: its readable segments, then its writable ones. */
struct virtq_chain {
	u16 head;
	u32 nr_segs;
	u32 nr_read;	 /* segs[0..nr_read) are device-readable */
	u64 read_bytes;	 /* their total */
	u64 write_bytes; /* the writable ones' total */
	struct virtq_seg segs[VIRTQ_NUM_MAX];
};

enum virtq_result {
	VIRTQ_EMPTY = 0, /* nothing new in the avail ring */
	VIRTQ_CHAIN,	 /* *c holds the next chain */
	VIRTQ_BAD,	 /* the ring or a chain is malformed */
	VIRTQ_FAULT,	 /* the ring or a descriptor could not be read */
};

/* Why the last VIRTQ_BAD or VIRTQ_FAULT came (a constant string for the log). */
extern const char *virtq_why;

void virtq_reset(struct virtq *q);

/* Whether q's addresses are aligned as the spec asks (desc 16, avail 2, used 4) and num set. */
bool virtq_valid(const struct virtq *q);

/* Takes the next chain of q into *c. */
enum virtq_result virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c);

/* Puts head in the used ring with len bytes written; false if the ring could not be written. */
bool virtq_push(struct virtq *q, const struct guest_mem *m, u16 head, u32 len);

/*
 * Copies len bytes at byte off of c's readable part into dst (off and len
 * must be inside it: false otherwise, or on a fault), or src into its
 * writable part (virtq_chain_write).
 */
bool virtq_chain_read(const struct virtq_chain *c, const struct guest_mem *m, u64 off, void *dst,
		      u64 len);
bool virtq_chain_write(const struct virtq_chain *c, const struct guest_mem *m, u64 off,
		       const void *src, u64 len);

#endif /* VMM_VIRTQUEUE_H */
