/* SPDX-License-Identifier: MIT */
#include "log.h"

#include "core/arch.h"
#include "spinlock.h"

static spinlock_t console_lock = SPINLOCK_INIT(LOCK_RANK_CONSOLE, 0);

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char line[256];
	size_t n = kc_snprintf(line, sizeof(line) - 1, "%s", prefix);

	n += kc_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	line[n++] = '\n';

	spin_lock(&console_lock);
	arch_console_write(line, n);
	spin_unlock(&console_lock);
}

void kc_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("kcore: ", fmt, ap);
	va_end(ap);
}

_Noreturn void kc_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("kcore: PANIC: ", fmt, ap);
	va_end(ap);
	/*
	 * SeKVM's panic printed and carried on (brief, defect 3). A broken invariant
	 * means kcore can no longer promise isolation, so nothing may run after it.
	 */
	arch_halt_all();
}
