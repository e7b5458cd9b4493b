/* SPDX-License-Identifier: MIT */
/*
 * core/lib/sha256.c against BearSSL: the block-wise path the CPU's SHA-256
 * instructions take (the simulated CPU's compression stands in for them)
 * must give BearSSL's digest for every length around the padding's edges
 * and for every way the input is split into updates; the portable path is
 * BearSSL itself. FIPS 180-4's "abc" pins both to the standard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "arch/sim/sim.h"
#include "core/arch.h"
#include "core/lib/sha256.h"

static void digest(const u8 *data, size_t len, size_t chunk, u8 out[32])
{
	struct kc_sha256 c;

	arch_crypto_begin();
	kc_sha256_init(&c);
	for (size_t off = 0; off < len; off += chunk)
		kc_sha256_update(&c, data + off, len - off < chunk ? len - off : chunk);
	kc_sha256_out(&c, out);
	arch_crypto_end();
}

static void bearssl(const u8 *data, size_t len, u8 out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, out);
}

static void test_abc_is_fips_180_4(void **state)
{
	static const u8 want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
				    0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
				    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
				    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	u8 out[32];

	(void)state;
	sim_sha256_fast(true);
	digest((const u8 *)"abc", 3, 3, out);
	assert_memory_equal(out, want, 32);
	sim_sha256_fast(false);
	digest((const u8 *)"abc", 3, 3, out);
	assert_memory_equal(out, want, 32);
	sim_sha256_fast(true);
}

static void test_every_length_and_split_matches_bearssl(void **state)
{
	static const size_t chunks[] = {1, 3, 55, 56, 63, 64, 65, 100, 4096};
	u8 data[300], want[32], got[32];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i * 131 + 7);
	sim_sha256_fast(true);
	for (size_t len = 0; len <= sizeof(data); len++) {
		bearssl(data, len, want);
		for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			digest(data, len, chunks[c], got);
			assert_memory_equal(got, want, 32);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_abc_is_fips_180_4),
	    cmocka_unit_test(test_every_length_and_split_matches_bearssl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
