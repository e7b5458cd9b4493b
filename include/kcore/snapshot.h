/* SPDX-License-Identifier: MIT */
/*
 * Encrypted VM snapshots (docs/abi.md, "Snapshots"). kcore writes a VM's
 * state into host pages as records and encrypted blobs, and reads them back
 * into a new VM. The host stores and moves them; it can neither read the
 * blobs (ChaCha20-Poly1305 under a key only kcore holds) nor change, swap,
 * drop, replay or mix them without kcore refusing the restore.
 *
 * A snapshot is, in order: one HEADER record; one PAGE record and one 4 KiB
 * data page per VM page, in increasing IPA order; one VCPU record and one
 * data page per registered vCPU (any order); one TRAILER record. Each record
 * is 128 bytes, 128-byte aligned in a host page. Every field before the tag
 * is authenticated (the associated data); PAGE and VCPU tags also cover the
 * data page's ciphertext. All integers are little-endian.
 */
#ifndef KCORE_SNAPSHOT_H
#define KCORE_SNAPSHOT_H

#include <stdint.h>

#define KCORE_SNAP_MAGIC       "KCSNAP01"
#define KCORE_SNAP_RECORD_SIZE 128u
#define KCORE_SNAP_ID_SIZE     16u /* random, chosen by kcore per snapshot */
#define KCORE_SNAP_MEAS_SIZE   32u /* the VM's measurement (SHA-256) */
#define KCORE_SNAP_TAG_SIZE    16u /* Poly1305 */
/* Bytes of a VCPU blob's ciphertext at the start of its data page (the rest is zero). */
#define KCORE_SNAP_VCPU_BYTES  2048u

enum kcore_snap_kind {
	KCORE_SNAP_HEADER = 1,
	KCORE_SNAP_PAGE = 2,
	KCORE_SNAP_VCPU = 3,
	KCORE_SNAP_TRAILER = 4,
};

struct kcore_snap_record {
	char magic[8];	    /* KCORE_SNAP_MAGIC, no NUL */
	uint32_t kind;	    /* enum kcore_snap_kind */
	uint32_t format;    /* the kcore build's vCPU state layout: restore needs the same */
	uint64_t index;	    /* PAGE: its position, 0, 1, ...; VCPU: the vcpuid; else 0 */
	uint64_t ipa;	    /* PAGE: the page's IPA; else 0 */
	uint64_t nr_pages;  /* TRAILER: how many PAGE records; else 0 */
	uint64_t vcpu_mask; /* HEADER, TRAILER: bit n set for each registered vCPU n */
	uint8_t snapshot_id[KCORE_SNAP_ID_SIZE];
	uint8_t measurement[KCORE_SNAP_MEAS_SIZE];
	uint8_t reserved[16]; /* zero */
	uint8_t tag[KCORE_SNAP_TAG_SIZE];
};

_Static_assert(sizeof(struct kcore_snap_record) == KCORE_SNAP_RECORD_SIZE, "record layout");

#endif /* KCORE_SNAPSHOT_H */
