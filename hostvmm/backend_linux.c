/* SPDX-License-Identifier: MIT */
/*
 * vmm/backend.h for a Linux process (kcore-vmm): what vmm/'s exit
 * dispatcher, UART and layout need from the machine, in user space. It is
 * its own file so that vmm/ stays the one copy of the host's job that kserv
 * and this VMM share: only these few answers differ.
 *
 * The host cannot read a guest's memory here: the module maps no guest page
 * into this process (kcore would refuse it anyway for any page the guest
 * did not share), so vmm_host_readable and vmm_host_read_words say no, and
 * a guest's KC_TEST_READ_SHARED is answered KCORE_E_INVAL. KC_TEST_SNAPSHOT
 * is snapshot.c's with --snapshot-to, NOT_SUPPORTED without.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostvmm/hostvmm.h"
#include "vmm/backend.h"

void vmm_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One call: stderr is unbuffered, and the line must not mix with another thread's. */
	fprintf(stderr, "kcore-vmm: %s\n", line);
}

bool vmm_host_readable(u64 addr)
{
	(void)addr;
	return false;
}

u64 vmm_page_alloc(void)
{
	void *p = aligned_alloc(VMM_PAGE_SIZE, VMM_PAGE_SIZE);

	return (u64)(uintptr_t)p;
}

void vmm_page_free_zeroed(u64 addr)
{
	void *p = (void *)(uintptr_t)addr;

	if (p == NULL)
		return;
	memset(p, 0, VMM_PAGE_SIZE);
	free(p);
}

bool vmm_host_read_words(u64 addr, u64 *out, u32 n)
{
	(void)addr;
	(void)out;
	(void)n;
	return false;
}

void vmm_vm_lock(struct guest *g)
{
	pthread_mutex_lock(&g->host->lock);
}

void vmm_vm_unlock(struct guest *g)
{
	pthread_mutex_unlock(&g->host->lock);
}

void vmm_guest_line(struct guest *g, const char *line)
{
	/* stdout is line buffered (main.c): a reader on a pipe sees each line as it comes. */
	printf("[%s] %s\n", g->name, line);
}

void vmm_vm_fail(struct guest *g, const char *why)
{
	vmm_vm_lock(g);
	if (!g->failed) {
		g->failed = true;
		g->why = why;
	}
	g->state = GUEST_FAILED;
	g->done = true;
	vmm_vm_unlock(g);
	hostvmm_request_stop(g);
}

u64 vmm_snapshot_call(struct guest_vcpu *v)
{
	if (v->g->host->snapshot_to == NULL)
		return (u64)(s64)KCORE_E_NOT_SUPPORTED;
	return hostvmm_snapshot_call(v);
}
