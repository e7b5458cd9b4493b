/* SPDX-License-Identifier: MIT */
/*
 * What vmm/ needs from the machine it runs on: the backend. vmm/ calls
 * nothing else outside itself (no kserv header, no libc beyond <string.h>'s
 * mem and str functions), so that the same sources build into kserv (which
 * implements this in kserv/backend_kserv.c) and into a hosted program (a
 * Linux user-space VMM, or the unit test's fake backend,
 * tests/unit/test_vmm.c).
 *
 * The interface grows with what moves into vmm/: today a console, whether
 * host memory can be read (the payload, a page a guest shares), host pages
 * for the host's own data (the gfn map), a VM's lock, and what the exit
 * dispatcher (exit.h) leaves to the host: a guest's console lines, ending a
 * VM that failed, and the snapshot machinery's answer to a guest.
 * docs/kserv.md, "vmm/", lists what is left in kserv.
 */
#ifndef VMM_BACKEND_H
#define VMM_BACKEND_H

#include "types.h"

struct guest;
struct guest_vcpu;

/*
 * One line of the host's log, without its prefix or its newline (the
 * backend adds both: kserv prints "kserv: <line>\n"). printf's conversions
 * that kserv's kprintf has: %s %c %d %u %x %lu %lx %ld %zu %llu, widths.
 */
__attribute__((format(printf, 1, 2))) void vmm_log(const char *fmt, ...);

/*
 * Whether the host can read the 8-byte word at addr (a host address, as the
 * payload's: a physical one in kserv, a virtual one in a hosted VMM),
 * without faulting if it cannot.
 */
bool vmm_host_readable(u64 addr);

/*
 * A host page for the host's own data (its host address, page aligned; its
 * contents undefined), or 0 if there is none. Freed with
 * vmm_page_free_zeroed, which zeroes it first (kserv gives VMs free pages
 * without writing them: they must be zero, docs/kserv.md, "Memory").
 */
u64 vmm_page_alloc(void);
void vmm_page_free_zeroed(u64 addr);

/*
 * Reads n 8-byte words at host address addr (as vmm_host_readable's) into
 * out, stopping at the first word that cannot be read: false then. Such a
 * word is no fault of the host's (a page a guest did not share with it is
 * kcore doing its job), so the backend does not report it.
 */
bool vmm_host_read_words(u64 addr, u64 *out, u32 n);

/* g's lock (vm.h says what it covers): held briefly, never across a vCPU's run. */
void vmm_vm_lock(struct guest *g);
void vmm_vm_unlock(struct guest *g);

/* A complete line of g's emulated console, without its newline (kserv prints "[<name>] <line>"). */
void vmm_guest_line(struct guest *g, const char *line);

/*
 * Something went wrong with g: the backend counts it as failed with why (the
 * first why is kept), ends it if it was still going, and makes its vCPUs
 * leave the guest (kserv: guest_fail, "KSERV: VM <name> failed: <why>").
 */
void vmm_vm_fail(struct guest *g, const char *why);

/* KC_TEST_SNAPSHOT from v: the host's snapshot machinery acts; the guest's x0. */
u64 vmm_snapshot_call(struct guest_vcpu *v);

#endif /* VMM_BACKEND_H */
