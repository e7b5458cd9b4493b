/* SPDX-License-Identifier: MIT */
/*
 * A printf subset: %d %i %u %x %X %p %s %c %%, the flags '-' and '0', a width
 * (digits or '*'), and the length modifiers hh, h, l, ll, z.
 */
#ifndef EL1_FORMAT_H
#define EL1_FORMAT_H

#include <stdarg.h>

#include "types.h"

typedef void (*format_out_fn)(void *ctx, char c);

__attribute__((format(printf, 3, 0))) void format_v(format_out_fn out, void *ctx, const char *fmt,
						    va_list ap);

/* Like snprintf: always NUL-terminates (when size > 0); returns the untruncated length. */
__attribute__((format(printf, 3, 4))) size_t format_buf(char *buf, size_t size, const char *fmt,
							...);

#endif /* EL1_FORMAT_H */
