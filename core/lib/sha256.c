/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include "core/arch.h"
#include "core/lib/mem.h"

/* FIPS 180-4's initial hash value. */
static const u32 sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

void kc_sha256_init(struct kc_sha256 *c)
{
	c->fast = arch_sha256_fast();
	c->used = 0;
	c->total = 0;
	if (c->fast)
		memcpy(c->state, sha256_iv, sizeof(c->state));
	else
		br_sha256_init(&c->br);
}

void kc_sha256_update(struct kc_sha256 *c, const void *data, size_t len)
{
	const u8 *p = data;

	if (!c->fast) {
		br_sha256_update(&c->br, data, len);
		return;
	}
	c->total += len;
	if (c->used > 0) {
		size_t take = 64 - c->used < len ? 64 - c->used : len;

		memcpy(c->buf + c->used, p, take);
		c->used += (u32)take;
		p += take;
		len -= take;
		if (c->used < 64)
			return;
		arch_sha256_blocks(c->state, c->buf, 1);
		c->used = 0;
	}
	/* Whole blocks straight from the caller's memory: no copy. */
	if (len >= 64) {
		arch_sha256_blocks(c->state, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(c->buf, p, len);
	c->used = (u32)len;
}

void kc_sha256_out(struct kc_sha256 *c, u8 out[32])
{
	u64 bits = c->total * 8;

	if (!c->fast) {
		br_sha256_out(&c->br, out);
		return;
	}
	/* Padding: 0x80, zeros to 56 bytes mod 64, the length in bits, big-endian. */
	c->buf[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->buf + c->used, 0, 64 - c->used);
		arch_sha256_blocks(c->state, c->buf, 1);
		c->used = 0;
	}
	memset(c->buf + c->used, 0, 56 - c->used);
	for (u32 i = 0; i < 8; i++)
		c->buf[56 + i] = (u8)(bits >> (56 - 8 * i));
	arch_sha256_blocks(c->state, c->buf, 1);
	for (size_t i = 0; i < 8; i++) {
		out[4 * i] = (u8)(c->state[i] >> 24);
		out[4 * i + 1] = (u8)(c->state[i] >> 16);
		out[4 * i + 2] = (u8)(c->state[i] >> 8);
		out[4 * i + 3] = (u8)c->state[i];
	}
}
