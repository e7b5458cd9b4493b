/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 for image verification: the CPU's instructions when the arch has
 * them (arch_sha256_blocks), BearSSL otherwise. Verification hashes every
 * byte of a VM's images (27 MiB for a Linux kernel and initramfs), so this
 * is most of the cost of booting a VM (docs/bench, "Boot cost"). Callers
 * bracket it with arch_crypto_begin/end like any BearSSL call.
 */
#ifndef KCORE_LIB_SHA256_H
#define KCORE_LIB_SHA256_H

#include <bearssl.h>

#include "types.h"

struct kc_sha256 {
	bool fast; /* the arch's block function, else BearSSL's context */
	br_sha256_context br;
	u32 state[8];
	u8 buf[64];
	u32 used;  /* bytes in buf */
	u64 total; /* bytes hashed */
};

void kc_sha256_init(struct kc_sha256 *c);
void kc_sha256_update(struct kc_sha256 *c, const void *data, size_t len);
void kc_sha256_out(struct kc_sha256 *c, u8 out[32]);

#endif /* KCORE_LIB_SHA256_H */
