/* SPDX-License-Identifier: MIT */
/*
 * What the virtio disk test writes (docs/virtio.md, "The tests"), shared by
 * the guest's init (guests/linux-init/virtio.c), which writes and reads it
 * through virtio-blk, and the host's init (guests/host-init/virtio.c), which
 * checks the disk image holds it.
 */
#ifndef DISK_PATTERN_H
#define DISK_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DISK_DATA_PATH "kcore/data" /* in the disk's ext4 */
#define DISK_NOTE_PATH "kcore/note"
#define DISK_DATA_SIZE ((size_t)1 << 20)

/* The data file's bytes for seed S: a xorshift stream, so a wrong or stale block shows. */
static inline void disk_pattern(unsigned char *buf, size_t size, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;

	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
}

/* The note file's text for seed S. */
static inline int disk_note(char *buf, size_t size, unsigned long long seed)
{
	return snprintf(buf, size, "written by a protected VM, seed %llu\n", seed);
}

/*
 * The secret the guest holds in private memory for seed S (kcore.secret=S):
 * what the host's scan of every page it can read must never find.
 */
static inline int secret_text(char *buf, size_t size, unsigned long long seed)
{
	return snprintf(buf, size, "KCORE-PRIVATE-%016llx", seed * 0x9E3779B97F4A7C15ull);
}

#endif /* DISK_PATTERN_H */
