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
 * host memory can be read (the payload), and host pages for the host's own
 * data (the gfn map). docs/kserv.md, "vmm/", lists what is left in kserv.
 */
#ifndef VMM_BACKEND_H
#define VMM_BACKEND_H

#include "types.h"

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

#endif /* VMM_BACKEND_H */
