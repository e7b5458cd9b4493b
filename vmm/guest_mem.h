/* SPDX-License-Identifier: MIT */
/*
 * A guest's RAM as the host's devices reach it: copies in and out by guest
 * physical address. Each call copies all of [gpa, gpa + len) or returns
 * false: an address outside the RAM, or a page the host cannot touch (one
 * the guest does not share with it: kcore-vmm catches the abort, kcore's
 * SIGBUS). A false may leave part of a write done; the caller treats the
 * whole request as failed. Who implements it: kcore-vmm over its mmap() of
 * the VM's RAM (hostvmm/guest_ram.c), the unit tests over a buffer.
 */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include "types.h"

struct guest_mem {
	void *ctx;
	bool (*read)(void *ctx, u64 gpa, void *dst, u64 len);
	bool (*write)(void *ctx, u64 gpa, const void *src, u64 len);
};

static inline bool guest_mem_read(const struct guest_mem *m, u64 gpa, void *dst, u64 len)
{
	return m->read(m->ctx, gpa, dst, len);
}

static inline bool guest_mem_write(const struct guest_mem *m, u64 gpa, const void *src, u64 len)
{
	return m->write(m->ctx, gpa, src, len);
}

#endif /* VMM_GUEST_MEM_H */
