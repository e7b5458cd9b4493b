/* SPDX-License-Identifier: MIT */
/*
 * The functions the compiler may call even in a freestanding build (struct
 * copies and initialisers). Byte by byte: with the MMU off all memory is
 * Device memory, where an unaligned access faults.
 */
#include "guest.h"

void *memset(void *s, int c, size_t n)
{
	volatile u8 *p = s;

	while (n-- > 0)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile u8 *d = dst;
	const volatile u8 *s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}
