/* SPDX-License-Identifier: MIT */
/*
 * What the portable core needs from the architecture. arch/aarch64 implements
 * these with system registers and TLBI instructions; arch/sim implements them
 * on a simulated machine that records every call, so host-run tests can check
 * that the core asked for what the hardware needs (e.g. an invalidation after
 * every unmap).
 */
#ifndef KCORE_ARCH_H
#define KCORE_ARCH_H

#include "lib/addr.h"

/* kcore's linear view of physical memory: page tables, page scrubbing. */
void *arch_pa_to_ptr(paddr_t pa);

/*
 * kcore's view through its own EL2 stage-1 tables: the image windows. On
 * hardware this is the address itself; the simulated machine walks kcore's
 * stage-1 table to find the page. Valid for one page from va.
 */
const void *arch_kva_to_ptr(vaddr_t va);

/*
 * TLB maintenance, each complete (DSB included) on return. vmid 0 is the host.
 * s2_ipa invalidates every cached stage-2 (and combined) entry for that page
 * of that VMID; s2_vmid every entry of the VMID; el2_va kcore's own entry.
 */
void arch_tlbi_s2_ipa(u32 vmid, ipaddr_t ipa);
void arch_tlbi_s2_vmid(u32 vmid);
void arch_tlbi_el2_va(vaddr_t va);

/*
 * The host touched something it may not: inject a synchronous external abort
 * into the host for the access the arch is currently handling.
 */
void arch_host_inject_abort(ipaddr_t ipa);

/*
 * BearSSL uses FP/SIMD registers, which hold the interrupted host's or VM's
 * state: the arch keeps that state aside between these two calls.
 */
void arch_crypto_begin(void);
void arch_crypto_end(void);

/* Console output for kcore's log and panic messages. */
void arch_console_write(const char *s, size_t len);

/* Stop every CPU for good. Used only by panic. */
_Noreturn void arch_halt_all(void);

#endif /* KCORE_ARCH_H */
