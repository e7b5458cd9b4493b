/* SPDX-License-Identifier: MIT */
/*
 * Writing a test DTB with libfdt's sequential-write API, for the unit tests
 * that build a QEMU-virt-shaped tree (test_dtb_policy.c, test_host_dtb.c):
 * big-endian cell lists, 2 + 2-cell regs, a node with its compatible and
 * reg. Each call asserts libfdt accepted it (include after <cmocka.h>).
 */
#ifndef TESTS_LIB_FDT_WRITE_H
#define TESTS_LIB_FDT_WRITE_H

#include <libfdt.h>
#include <stddef.h>
#include <stdint.h>

/* A property of n (at most 32) 32-bit cells. */
static inline void fdtw_u32s(void *fdt, const uint32_t *v, int n, const char *name)
{
	fdt32_t be[32];

	assert_true(n <= 32);
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	assert_int_equal(fdt_property(fdt, name, be, n * 4), 0);
}

/* A reg of n (at most 8) (base, size) pairs in 2 + 2 cells. */
static inline void fdtw_reg2(void *fdt, const uint64_t *pairs, int n)
{
	uint32_t c[32];

	assert_true(n <= 8);
	for (size_t i = 0; i < 2 * (size_t)n; i++) {
		c[2 * i] = (uint32_t)(pairs[i] >> 32);
		c[2 * i + 1] = (uint32_t)pairs[i];
	}
	fdtw_u32s(fdt, c, 4 * n, "reg");
}

/* Opens node name with its compatible (compat_len bytes, may be NULL) and reg (may be NULL). */
static inline void fdtw_node(void *fdt, const char *name, const char *compat, size_t compat_len,
			     const uint64_t *pairs, int n)
{
	assert_int_equal(fdt_begin_node(fdt, name), 0);
	if (compat != NULL)
		assert_int_equal(fdt_property(fdt, "compatible", compat, (int)compat_len), 0);
	if (pairs != NULL)
		fdtw_reg2(fdt, pairs, n);
}

#endif /* TESTS_LIB_FDT_WRITE_H */
