/* SPDX-License-Identifier: MIT */
/* kserv's side of vmm/backend.h: its console, its probes, its page allocator. */
#include <stdarg.h>

#include "console.h"
#include "format.h"
#include "pages.h"
#include "probe.h"
#include "vmm/backend.h"

/* Longer than any line vmm/ writes; a longer one is cut, never overrun. */
#define LOG_LINE_MAX 512u

struct log_line {
	char buf[LOG_LINE_MAX];
	size_t len;
};

static void log_out(void *ctx, char c)
{
	struct log_line *l = ctx;

	if (l->len < LOG_LINE_MAX - 1)
		l->buf[l->len++] = c;
}

void vmm_log(const char *fmt, ...)
{
	struct log_line l = {.len = 0};
	va_list ap;

	va_start(ap, fmt);
	format_v(log_out, &l, fmt, ap);
	va_end(ap);
	l.buf[l.len] = '\0';
	/* One kprintf: the console's lock keeps the line whole among the other CPUs'. */
	kprintf("kserv: %s\n", l.buf);
}

bool vmm_host_readable(u64 addr)
{
	u64 word;

	return kserv_probe_read(addr, &word);
}

u64 vmm_page_alloc(void)
{
	return page_alloc();
}

void vmm_page_free_zeroed(u64 addr)
{
	page_free_zeroed(addr);
}
