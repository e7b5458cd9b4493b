/* SPDX-License-Identifier: MIT */
/*
 * The persistent fuzzer's reset: see state.h. The globals are copied by
 * hand, in a file built without sanitizers (Makefile), and never through
 * memcpy or memcmp: the sections hold ASan's poisoned red zones between the
 * core's variables, which ASan's interceptors of those would report.
 * Copying the red zones back as they were is harmless, since nothing but
 * ASan's shadow gives them meaning.
 */
#include "tests/fuzz/state.h"

#include <stdio.h>
#include <stdlib.h>

#include "arch/sim/sim.h"

/* Bounds the linker gives the renamed sections (GNU ld: C-identifier section names). */
extern char __start_kcore_data[], __stop_kcore_data[];
extern char __start_kcore_bss[], __stop_kcore_bss[];

static unsigned char *saved_data, *saved_bss;
/* fuzz_state_mark's copy: globals, then RAM bank 0 (the fuzzer's only bank). */
static unsigned char *mark_data, *mark_bss, *mark_ram;

#if defined(__clang__)
/* The fuzzer is built with clang; no_builtin is clang's (gcc, in make lint, has no such attribute).
 */
#define NO_CHECKS \
	__attribute__((no_sanitize("address"), no_builtin("memcpy"), no_builtin("memcmp")))
#else
#define NO_CHECKS __attribute__((no_sanitize("address")))
#endif

/* Both sections start 8-byte aligned (the linker aligns them for their widest variable). */
NO_CHECKS static void copy_words(void *dst, const void *src, size_t bytes)
{
	uint64_t *d = dst;
	const uint64_t *s = src;
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		d[i] = s[i];
	for (i *= 8; i < bytes; i++)
		((unsigned char *)dst)[i] = ((const unsigned char *)src)[i];
}

/* The first byte where a and b differ, or bytes when none does. */
NO_CHECKS static size_t first_difference(const void *a, const void *b, size_t bytes)
{
	const unsigned char *x = a, *y = b;
	size_t i = 0;

	while (i < bytes && x[i] == y[i])
		i++;
	return i;
}

static bool same_bytes(const void *a, const void *b, size_t bytes)
{
	return first_difference(a, b, bytes) == bytes;
}

static size_t data_size(void)
{
	/* As addresses: in C the two symbols are different objects. */
	return (size_t)((uintptr_t)__stop_kcore_data - (uintptr_t)__start_kcore_data);
}

static size_t bss_size(void)
{
	return (size_t)((uintptr_t)__stop_kcore_bss - (uintptr_t)__start_kcore_bss);
}

void fuzz_state_save(void)
{
	if (saved_data == NULL)
		saved_data = malloc(data_size() + 1);
	if (saved_bss == NULL)
		saved_bss = malloc(bss_size() + 1);
	if (saved_data == NULL || saved_bss == NULL) {
		fprintf(stderr, "fuzz: no memory for the state\n");
		abort();
	}
	if (sim_tlb_count() != 0) {
		fprintf(stderr, "fuzz: the machine must be saved with its TLB empty\n");
		abort();
	}
	sim_console_clear();
	/* RAM first: the checkpoint's bookkeeping lives in the sim's globals, saved next. */
	sim_ram_checkpoint();
	copy_words(saved_data, __start_kcore_data, data_size());
	copy_words(saved_bss, __start_kcore_bss, bss_size());
}

uint64_t fuzz_state_reset(void)
{
	uint64_t pages = sim_ram_rollback();

	copy_words(__start_kcore_data, saved_data, data_size());
	copy_words(__start_kcore_bss, saved_bss, bss_size());
	sim_tlb_flush_all();
	sim_console_clear();
	return pages;
}

bool fuzz_state_is_saved_one(void)
{
	return same_bytes(__start_kcore_data, saved_data, data_size()) &&
	       same_bytes(__start_kcore_bss, saved_bss, bss_size()) && sim_ram_matches_checkpoint();
}

static void *must_alloc(size_t bytes)
{
	void *p = malloc(bytes + 1);

	if (p == NULL) {
		fprintf(stderr, "fuzz: no memory for the state\n");
		abort();
	}
	return p;
}

void fuzz_state_mark(void)
{
	struct sim_ram_bank b = sim_ram_bank(0);

	if (mark_data == NULL) {
		mark_data = must_alloc(data_size());
		mark_bss = must_alloc(bss_size());
		mark_ram = must_alloc(b.size);
	}
	copy_words(mark_data, __start_kcore_data, data_size());
	copy_words(mark_bss, __start_kcore_bss, bss_size());
	copy_words(mark_ram, sim_ram_ptr(b.base), b.size);
}

bool fuzz_state_same_as_mark(void)
{
	struct sim_ram_bank b = sim_ram_bank(0);
	size_t at;

	at = first_difference(mark_data, __start_kcore_data, data_size());
	if (at < data_size()) {
		fprintf(stderr, "fuzz: globals differ at %p (kcore_data + %#zx)\n",
			(void *)(__start_kcore_data + at), at);
		return false;
	}
	at = first_difference(mark_bss, __start_kcore_bss, bss_size());
	if (at < bss_size()) {
		fprintf(stderr, "fuzz: globals differ at %p (kcore_bss + %#zx)\n",
			(void *)(__start_kcore_bss + at), at);
		return false;
	}
	at = first_difference(mark_ram, sim_ram_ptr(b.base), b.size);
	if (at < b.size) {
		fprintf(stderr, "fuzz: RAM differs at PA %#llx\n",
			(unsigned long long)pa_addr(b.base) + (unsigned long long)at);
		return false;
	}
	return true;
}
