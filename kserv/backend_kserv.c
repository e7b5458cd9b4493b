/* SPDX-License-Identifier: MIT */
/*
 * kserv's side of vmm/backend.h: its console, its probes, its page
 * allocator, its guests' locks and failures, its snapshot machinery.
 */
#include <stdarg.h>

#include "console.h"
#include "format.h"
#include "guest.h"
#include "pages.h"
#include "probe.h"
#include "snapshot.h"
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

bool vmm_host_read_words(u64 addr, u64 *out, u32 n)
{
	bool ok = true;

	/* A page a guest does not share aborts: kcore doing its job, not a fault to report. */
	kserv_probe_set_quiet(true);
	for (u32 i = 0; i < n && ok; i++)
		ok = kserv_probe_read(addr + 8ULL * i, &out[i]);
	kserv_probe_set_quiet(false);
	return ok;
}

void vmm_vm_lock(struct guest *g)
{
	guest_lock(g);
}

void vmm_vm_unlock(struct guest *g)
{
	guest_unlock(g);
}

void vmm_guest_line(struct guest *g, const char *line)
{
	kprintf("[%s] %s\n", g->name, line);
}

void vmm_vm_fail(struct guest *g, const char *why)
{
	guest_fail(g, why);
}

u64 vmm_snapshot_call(struct guest_vcpu *v)
{
	return snapshot_asked(v);
}
