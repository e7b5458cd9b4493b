/* SPDX-License-Identifier: MIT */
/* kcore's log and its halting panic. */
#ifndef KCORE_LIB_LOG_H
#define KCORE_LIB_LOG_H

#include <stdarg.h>

#include "types.h"

/*
 * printf-like formatting into buf (always NUL-terminated when size > 0).
 * Supports %s %c %d %u %x %p %% with optional 0-padding and width, and the
 * l / ll length modifiers. Returns the length that was written.
 */
size_t kc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t kc_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void kc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A broken internal invariant: say why and stop every CPU. Never returns;
 * bad host input must never get here (it gets an error code instead).
 */
_Noreturn void kc_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Halts with file and line when cond is false: for internal invariants only. */
#ifdef __CPPCHECK__
/* cppcheck does not see that kc_panic never returns; abort() it knows. */
void abort(void);
#define KC_CHECK(cond)           \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)
#else
#define KC_CHECK(cond)                                                                    \
	do {                                                                              \
		if (!(cond))                                                              \
			kc_panic("check failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)
#endif

#endif /* KCORE_LIB_LOG_H */
