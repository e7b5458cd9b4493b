/* SPDX-License-Identifier: MIT */
/*
 * format_buf, format_v into a buffer. Its own file, so that a guest, which
 * prints only to its UART, does not link it (el1.mk builds an archive).
 */
#include "format.h"

struct buf_ctx {
	char *buf;
	size_t size;
	size_t len;
};

static void buf_out(void *ctx, char c)
{
	struct buf_ctx *b = ctx;

	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

size_t format_buf(char *buf, size_t size, const char *fmt, ...)
{
	struct buf_ctx b = {buf, size, 0};
	va_list ap;

	va_start(ap, fmt);
	format_v(buf_out, &b, fmt, ap);
	va_end(ap);
	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return b.len;
}
