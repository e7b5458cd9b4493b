/* SPDX-License-Identifier: MIT */
/* A small printf for kcore: no libc at EL2, and the log needs only a few conversions. */
#include "log.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_str(struct out *o, const char *s, unsigned width)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	for (; width > n; width--)
		put(o, ' ');
	while (*s != '\0')
		put(o, *s++);
}

static void put_num(struct out *o, u64 v, unsigned base, bool negative, unsigned width, char pad)
{
	char tmp[24];
	unsigned n = 0;

	do {
		u64 digit = v % base;

		tmp[n++] = (char)(digit < 10 ? '0' + digit : 'a' + (digit - 10));
		v /= base;
	} while (v != 0);
	if (negative)
		width = width > 0 ? width - 1 : 0;
	if (negative && pad == '0')
		put(o, '-');
	for (; width > n; width--)
		put(o, pad);
	if (negative && pad != '0')
		put(o, '-');
	while (n > 0)
		put(o, tmp[--n]);
}

size_t kc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};

	for (; *fmt != '\0'; fmt++) {
		char pad = ' ';
		unsigned width = 0;
		unsigned longs = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			s64 v = longs ? va_arg(ap, s64) : va_arg(ap, int);
			bool neg = v < 0;

			put_num(&o, neg ? (u64)0 - (u64)v : (u64)v, 10, neg, width, pad);
			break;
		}
		case 'u':
			put_num(&o, longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, false,
				width, pad);
			break;
		case 'x':
			put_num(&o, longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, false,
				width, pad);
			break;
		case 'p':
			put_str(&o, "0x", 0);
			put_num(&o, (u64)(uintptr_t)va_arg(ap, void *), 16, false, width, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			put_str(&o, s != NULL ? s : "(null)", width);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop at the terminator */
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len < size ? o.len : (size > 0 ? size - 1 : 0);
}

size_t kc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = kc_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
