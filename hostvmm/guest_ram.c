/* SPDX-License-Identifier: MIT */
/*
 * The guest's RAM for kcore-vmm's devices: one MAP_SHARED mapping of the
 * VM's file (kcore.ko's mmap, offset 0 = the RAM's base), read and written
 * through vmm/guest_mem.h's accessor.
 *
 * A page the guest does not share with the host is kcore's: a load or store
 * there aborts and Linux sends this thread a SIGBUS (so does a page nothing
 * was given at yet). Each copy runs with the thread's recovery point set
 * (sigsetjmp); the SIGBUS handler jumps back to it and the copy returns
 * false, so only the device whose buffer it was breaks (it needs a reset).
 * A SIGBUS outside a copy is not ours to handle: the default action (the
 * process dies) runs, as it would without the handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "hostvmm/hostvmm.h"

static __thread sigjmp_buf copy_jmp;
static __thread volatile sig_atomic_t copy_armed;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	(void)si;
	(void)uc;
	if (copy_armed) {
		copy_armed = 0;
		siglongjmp(copy_jmp, 1);
	}
	/* Not a copy's: the default action when the access runs again (sigaction: signal-safe). */
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
}

bool hostvmm_ram_map(struct hostvmm_ram *r, int vm_fd, u64 base, u64 size)
{
	static bool handler;
	void *p;

	if (!handler) {
		struct sigaction sa = {.sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO};

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, NULL) != 0)
			return false;
		handler = true;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm_fd, 0);
	if (p == MAP_FAILED)
		return false;
	*r = (struct hostvmm_ram){.host = p, .base = base, .size = size};
	return true;
}

void hostvmm_ram_unmap(struct hostvmm_ram *r)
{
	if (r->host != NULL)
		munmap(r->host, r->size);
	r->host = NULL;
}

/* The host address of [gpa, gpa + len) if it is all RAM, else NULL. */
static u8 *host_addr(const struct hostvmm_ram *r, u64 gpa, u64 len)
{
	if (r->host == NULL || gpa < r->base || gpa - r->base > r->size ||
	    len > r->size - (gpa - r->base))
		return NULL;
	return r->host + (gpa - r->base);
}

/*
 * memcpy with this thread's recovery point armed: false if a SIGBUS came.
 * noinline and volatile arguments: nothing the jump could leave stale.
 * The signal mask is not saved (sigsetjmp's 0): saving it is a system call
 * on every copy, and every ring access and 4 KiB of data is a copy (the I/O
 * benchmark measured it: docs/bench/README.md, "Virtio I/O"). The one thing
 * the jump leaves in the mask is SIGBUS itself, blocked while its handler
 * ran: unblocked on that path, so the next fault in this thread comes here
 * again (a blocked SIGBUS from a fault kills the process).
 */
__attribute__((noinline)) static bool guarded_copy(void *volatile dst, const void *volatile src,
						   volatile u64 len)
{
	if (sigsetjmp(copy_jmp, 0) != 0) {
		sigset_t bus;

		sigemptyset(&bus);
		sigaddset(&bus, SIGBUS);
		pthread_sigmask(SIG_UNBLOCK, &bus, NULL);
		return false;
	}
	copy_armed = 1;
	memcpy(dst, src, len);
	copy_armed = 0;
	return true;
}

static bool ram_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	const u8 *p = host_addr(ctx, gpa, len);

	return p != NULL && guarded_copy(dst, p, len);
}

static bool ram_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	u8 *p = host_addr(ctx, gpa, len);

	return p != NULL && guarded_copy(p, src, len);
}

struct guest_mem hostvmm_ram_mem(struct hostvmm_ram *r)
{
	return (struct guest_mem){.ctx = r, .read = ram_read, .write = ram_write};
}
