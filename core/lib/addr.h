/* SPDX-License-Identifier: MIT */
/*
 * Distinct address types, as in Hafnium's addr.h: a physical address, an
 * intermediate physical address (what a VM or the host sees through its
 * stage-2), and a kcore virtual address (kcore's own EL2 stage-1) cannot be
 * mixed up without an explicit conversion that the reader can see.
 */
#ifndef KCORE_LIB_ADDR_H
#define KCORE_LIB_ADDR_H

#include "types.h"

#define PAGE_SHIFT	12u
#define PAGE_SIZE	(1ull << PAGE_SHIFT)
#define BLOCK_SHIFT	21u
#define BLOCK_SIZE	(1ull << BLOCK_SHIFT)
#define PAGES_PER_BLOCK (BLOCK_SIZE / PAGE_SIZE)

typedef struct {
	u64 pa;
} paddr_t;

typedef struct {
	u64 ipa;
} ipaddr_t;

typedef struct {
	u64 va;
} vaddr_t;

static inline paddr_t pa_init(u64 a)
{
	return (paddr_t){a};
}
static inline u64 pa_addr(paddr_t a)
{
	return a.pa;
}
static inline paddr_t pa_add(paddr_t a, u64 off)
{
	return (paddr_t){a.pa + off};
}
static inline u64 pa_pfn(paddr_t a)
{
	return a.pa >> PAGE_SHIFT;
}
static inline paddr_t pa_from_pfn(u64 pfn)
{
	return (paddr_t){pfn << PAGE_SHIFT};
}

static inline ipaddr_t ipa_init(u64 a)
{
	return (ipaddr_t){a};
}
static inline u64 ipa_addr(ipaddr_t a)
{
	return a.ipa;
}
static inline ipaddr_t ipa_add(ipaddr_t a, u64 off)
{
	return (ipaddr_t){a.ipa + off};
}
static inline u64 ipa_gfn(ipaddr_t a)
{
	return a.ipa >> PAGE_SHIFT;
}
static inline ipaddr_t ipa_from_gfn(u64 gfn)
{
	return (ipaddr_t){gfn << PAGE_SHIFT};
}

static inline vaddr_t va_init(u64 a)
{
	return (vaddr_t){a};
}
static inline u64 va_addr(vaddr_t a)
{
	return a.va;
}
static inline vaddr_t va_add(vaddr_t a, u64 off)
{
	return (vaddr_t){a.va + off};
}

/*
 * The host's stage-2 is an identity map (host_flatmap): these two are the only
 * places where a host IPA and a PA are exchanged.
 */
static inline paddr_t pa_from_host_ipa(ipaddr_t a)
{
	return (paddr_t){a.ipa};
}
static inline ipaddr_t host_ipa_from_pa(paddr_t a)
{
	return (ipaddr_t){a.pa};
}

static inline bool is_aligned(u64 v, u64 align)
{
	return (v & (align - 1)) == 0;
}

#endif /* KCORE_LIB_ADDR_H */
