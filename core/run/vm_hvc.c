/* SPDX-License-Identifier: MIT */
/*
 * kcore's own guest calls (the seeds' core_handle_pvops), in the table of
 * core/run/guest_call.h: sharing and unsharing the VM's own pages. Each
 * answers as kcore's calls do: x0 a KCORE_E_* status, x1 0. (KC_GC_VERSION's
 * answer is in guest_call.c, next to the fast path that inlines it.)
 */
#include "core/memops/vm_mem.h"
#include "guest_call.h"

static enum gc_step status(struct gc_call *c, int err)
{
	c->x[0] = (u64)(s64)err;
	c->x[1] = 0;
	return GC_REENTER;
}

enum gc_step gc_share_page(struct gc_call *c)
{
	return status(c, vm_share_page(gc_vmid(c), c->x[1]));
}

enum gc_step gc_unshare_page(struct gc_call *c)
{
	return status(c, vm_unshare_page(gc_vmid(c), c->x[1]));
}
