/* SPDX-License-Identifier: MIT */
/* A virtio-blk store over a file descriptor (io_backend.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "hostvmm/io_backend.h"

/* All of [off, off + len) read into or written from buf: false on an error or a short file. */
static bool whole(int fd, u64 off, u8 *buf, u64 len, bool write)
{
	while (len > 0) {
		ssize_t n =
		    write ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false; /* an error, or the file shrank under us */
		buf += n;
		off += (u64)n;
		len -= (u64)n;
	}
	return true;
}

bool file_store_read(void *ctx, u64 off, void *dst, u64 len)
{
	return whole(*(const int *)ctx, off, dst, len, false);
}

bool file_store_write(void *ctx, u64 off, const void *src, u64 len)
{
	/* pwrite only reads the buffer: the cast drops a const it never needs. */
	return whole(*(const int *)ctx, off, (u8 *)(uintptr_t)src, len, true);
}

bool file_store_flush(void *ctx)
{
	return fdatasync(*(const int *)ctx) == 0;
}
