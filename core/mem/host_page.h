/* SPDX-License-Identifier: MIT */
/*
 * kcore's one way to read or write a page the host owns (the run record of
 * VCPU_RUN, a snapshot's records and pages): under mem_lock, so the host
 * cannot give the page to a VM or to kcore between the check and the copy,
 * and word by word through volatile, so each word of the host's page is read
 * or written exactly once, whatever the host does meanwhile: what kcore
 * checks is what it uses.
 *
 * Inline: VCPU_RUN copies the run record on every exit, and with a constant
 * length the copy unrolls into plain loads and stores (a loop, or a call to
 * memcpy, costs several times the instructions).
 */
#ifndef KCORE_MEM_HOST_PAGE_H
#define KCORE_MEM_HOST_PAGE_H

#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"

/* A word of any object (may_alias): kcore's buffers are structs and byte arrays. */
typedef unsigned long long __attribute__((may_alias)) host_word_t;

/*
 * KCORE_OK if pa lies in a RAM page the host owns; KCORE_E_INVAL if pa is
 * not RAM, KCORE_E_PERM if the page is a VM's or kcore's.
 */
static inline int host_page_check(struct mem_locked locked, paddr_t pa)
{
	const struct page_info *page = pgowner_get(pa);

	(void)locked;
	if (page == NULL)
		return KCORE_E_INVAL;
	return page->owner == OWNER_HOST ? KCORE_OK : KCORE_E_PERM;
}

/*
 * Copies len bytes (whole words, within pa's page, dst word aligned) from
 * the host's page at pa into dst; host_page_check's error and nothing
 * copied if the page is not the host's.
 */
static inline int host_page_read(struct mem_locked locked, paddr_t pa, void *dst, u64 len)
{
	int err = host_page_check(locked, pa);

	KC_CHECK(len % sizeof(host_word_t) == 0);
	if (err == KCORE_OK) {
		const volatile host_word_t *src = arch_pa_to_ptr(pa);
		host_word_t *out = dst;

#pragma GCC unroll 16
		for (u64 i = 0; i < len / sizeof(host_word_t); i++)
			out[i] = src[i];
	}
	return err;
}

/* The other way: len bytes of src to the host's page at pa, or an error and nothing written. */
static inline int host_page_write(struct mem_locked locked, paddr_t pa, const void *src, u64 len)
{
	int err = host_page_check(locked, pa);

	KC_CHECK(len % sizeof(host_word_t) == 0);
	if (err == KCORE_OK) {
		volatile host_word_t *dst = arch_pa_to_ptr(pa);
		const host_word_t *in = src;

#pragma GCC unroll 16
		for (u64 i = 0; i < len / sizeof(host_word_t); i++)
			dst[i] = in[i];
	}
	return err;
}

#endif /* KCORE_MEM_HOST_PAGE_H */
