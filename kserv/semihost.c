/* SPDX-License-Identifier: MIT */
#include "semihost.h"

#include <string.h>

/* Operation numbers of the semihosting specification. */
#define SYS_OPEN  0x01u
#define SYS_CLOSE 0x02u
#define SYS_WRITE 0x05u
#define SYS_READ  0x06u
#define SYS_FLEN  0x0cu

/* SYS_OPEN's modes, as ISO C fopen() names them: 1 is "rb", 5 is "wb". */
#define OPEN_MODE_READ_BINARY  1u
#define OPEN_MODE_WRITE_BINARY 5u

static s64 semihost_call(u32 op, const void *params)
{
	register u64 x0 __asm__("x0") = op;
	register u64 x1 __asm__("x1") = (u64)(uintptr_t)params;

	/* The host reads and writes memory through params: the compiler must not cache it. */
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return (s64)x0;
}

s64 semihost_open(const char *path, bool write)
{
	u64 params[3] = {(u64)(uintptr_t)path,
			 write ? OPEN_MODE_WRITE_BINARY : OPEN_MODE_READ_BINARY, strlen(path)};

	return semihost_call(SYS_OPEN, params);
}

/*
 * QEMU reaches the buffer with a debug access, which takes no fault: a host
 * page kcore has not mapped in the host's stage-2 yet (it maps them at their
 * first touch) would be skipped without a word. So kserv touches every page
 * of the buffer first: a read for what QEMU reads, a write of the byte that
 * is there for what it writes.
 */
static void touch_pages(const void *buf, u64 len, bool for_write)
{
	u64 start = align_down((u64)(uintptr_t)buf, KSERV_PAGE_SIZE);

	for (u64 p = start; p < (u64)(uintptr_t)buf + len; p += KSERV_PAGE_SIZE) {
		volatile u8 *b =
		    (volatile u8 *)(uintptr_t)(p < (u64)(uintptr_t)buf ? (u64)(uintptr_t)buf : p);
		u8 v = *b;

		if (for_write)
			*b = v;
	}
}

/* SYS_WRITE and SYS_READ answer how many bytes were NOT transferred. */
bool semihost_write(s64 handle, const void *buf, u64 len)
{
	u64 params[3] = {(u64)handle, (u64)(uintptr_t)buf, len};

	touch_pages(buf, len, false);
	return semihost_call(SYS_WRITE, params) == 0;
}

bool semihost_read(s64 handle, void *buf, u64 len)
{
	u64 params[3] = {(u64)handle, (u64)(uintptr_t)buf, len};

	touch_pages(buf, len, true);
	return semihost_call(SYS_READ, params) == 0;
}

s64 semihost_file_length(s64 handle)
{
	u64 params[1] = {(u64)handle};

	return semihost_call(SYS_FLEN, params);
}

bool semihost_close(s64 handle)
{
	u64 params[1] = {(u64)handle};

	return semihost_call(SYS_CLOSE, params) == 0;
}
