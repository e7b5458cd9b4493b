/* SPDX-License-Identifier: MIT */
/*
 * The C library functions kcore, BearSSL and libfdt need at EL2, where there
 * is no libc. Simple loops (memcpy and memset by words when aligned, since
 * exits copy the run record; memset of whole pages of zeros by DC ZVA);
 * correctness matters more than speed. The _chk variants are what a
 * FORTIFY_SOURCE build of BearSSL calls; they check the destination size and halt on overflow.
 */
#include <stddef.h>
#include <string.h>

#include "core/lib/addr.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "sysreg.h"

/*
 * Whole 8-byte words when both ends allow it: every exit copies and clears
 * the 200-byte run record, and a byte loop made that most of an exit's cost
 * (docs/bench). volatile keeps gcc from turning the loops into calls to
 * themselves; kcore builds with -mstrict-align, hence the alignment test.
 */
static bool words_ok(const void *a, const void *b, size_t n)
{
	return (((uintptr_t)a | (uintptr_t)b | n) & 7u) == 0;
}

/*
 * The DC ZVA block in bytes (DCZID_EL0: 4 << BS), or 0 if it may not be used
 * here: prohibited (DZP), or kcore's MMU still off (before mmu_enable every
 * access is Device memory, where DC ZVA faults).
 */
static u64 zva_block(void)
{
	u64 dczid = read_sysreg(dczid_el0);

	if ((dczid & 0x10) != 0 || (read_sysreg(sctlr_el2) & SCTLR_M) == 0)
		return 0;
	return 4ull << (dczid & 0xf);
}

void *memset(void *dst, int c, size_t n)
{
	u64 block;

	/*
	 * Whole pages zeroed (the reset scrub, VM teardown, pool pages) one DC
	 * ZVA block per instruction instead of a store per word.
	 */
	if (c == 0 && n >= PAGE_SIZE && (block = zva_block()) != 0 &&
	    (((uintptr_t)dst | n) & (block - 1)) == 0) {
		for (uintptr_t a = (uintptr_t)dst; a < (uintptr_t)dst + n; a += block)
			__asm__ volatile("dc zva, %0" : : "r"(a) : "memory");
		return dst;
	}
	if (words_ok(dst, dst, n)) {
		volatile u64 *d = dst;
		u64 w = (u64)(unsigned char)c * 0x0101010101010101ull;

		for (size_t i = 0; i < n / 8; i++)
			d[i] = w;
	} else {
		volatile unsigned char *d = dst;

		while (n-- > 0)
			*d++ = (unsigned char)c;
	}
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	if (words_ok(dst, src, n)) {
		volatile u64 *d = dst;
		const u64 *s = src;

		for (size_t i = 0; i < n / 8; i++)
			d[i] = s[i];
	} else {
		volatile unsigned char *d = dst;
		const unsigned char *s = src;

		while (n-- > 0)
			*d++ = *s++;
	}
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (n-- > 0)
			*d++ = *s++;
	} else {
		while (n-- > 0)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == (unsigned char)c)
			return (void *)(uintptr_t)(p + i);
	}
	return NULL;
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	do {
		if (*s == (char)c)
			last = s;
	} while (*s++ != '\0');
	return (char *)(uintptr_t)last;
}

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_size);
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_size)
{
	if (n > dst_size)
		kc_panic("memcpy overflow: %lu into %lu", (u64)n, (u64)dst_size);
	return memcpy(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dst_size);
void *__memset_chk(void *dst, int c, size_t n, size_t dst_size)
{
	if (n > dst_size)
		kc_panic("memset overflow: %lu into %lu", (u64)n, (u64)dst_size);
	return memset(dst, c, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_size);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_size)
{
	if (n > dst_size)
		kc_panic("memmove overflow: %lu into %lu", (u64)n, (u64)dst_size);
	return memmove(dst, src, n);
}

/* A stack-protector build of a library calls this on a smashed canary. */
_Noreturn void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
	kc_panic("stack smashing detected");
}
unsigned long __stack_chk_guard = 0x5aa5c33c9669f00full;
