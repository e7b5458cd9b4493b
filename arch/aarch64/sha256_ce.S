/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 compression with the CPU's SHA-256 instructions (FEAT_SHA256):
 * image verification hashes every byte of a VM's images, and BearSSL's
 * portable code spends about 40 instructions a byte on it. Called only
 * between arch_crypto_begin and arch_crypto_end (it uses v0-v7, v16, v17),
 * and only when ID_AA64ISAR0_EL1 says the instructions exist (seal.c).
 *
 * void sha256_ce_blocks(u32 state[8], const void *data, u64 nblocks)
 */
	.arch	armv8-a+crypto

/* Four rounds on schedule register \m0; then, if \next, its next four words. */
	.macro	rounds4 m0, m1, m2, m3, next
	ld1	{v16.4s}, [x4], #16
	add	v16.4s, v16.4s, \m0\().4s
	mov	v17.16b, v0.16b
	sha256h	q0, q1, v16.4s
	sha256h2 q1, q17, v16.4s
	.if \next
	sha256su0 \m0\().4s, \m1\().4s
	sha256su1 \m0\().4s, \m2\().4s, \m3\().4s
	.endif
	.endm

	.text
	.global	sha256_ce_blocks
	.type	sha256_ce_blocks, %function
sha256_ce_blocks:
	cbz	x2, 2f
	adrp	x3, sha256_k
	add	x3, x3, :lo12:sha256_k
	ld1	{v0.4s, v1.4s}, [x0]		/* a..d, e..h */
1:	ld1	{v4.16b, v5.16b, v6.16b, v7.16b}, [x1], #64
	rev32	v4.16b, v4.16b			/* the message is big-endian */
	rev32	v5.16b, v5.16b
	rev32	v6.16b, v6.16b
	rev32	v7.16b, v7.16b
	mov	v2.16b, v0.16b
	mov	v3.16b, v1.16b
	mov	x4, x3
	rounds4	v4, v5, v6, v7, 1
	rounds4	v5, v6, v7, v4, 1
	rounds4	v6, v7, v4, v5, 1
	rounds4	v7, v4, v5, v6, 1
	rounds4	v4, v5, v6, v7, 1
	rounds4	v5, v6, v7, v4, 1
	rounds4	v6, v7, v4, v5, 1
	rounds4	v7, v4, v5, v6, 1
	rounds4	v4, v5, v6, v7, 1
	rounds4	v5, v6, v7, v4, 1
	rounds4	v6, v7, v4, v5, 1
	rounds4	v7, v4, v5, v6, 1
	rounds4	v4, v5, v6, v7, 0
	rounds4	v5, v6, v7, v4, 0
	rounds4	v6, v7, v4, v5, 0
	rounds4	v7, v4, v5, v6, 0
	add	v0.4s, v0.4s, v2.4s
	add	v1.4s, v1.4s, v3.4s
	subs	x2, x2, #1
	b.ne	1b
	st1	{v0.4s, v1.4s}, [x0]
2:	ret
	.size	sha256_ce_blocks, . - sha256_ce_blocks

	.section .rodata
	.balign	16
sha256_k:	/* FIPS 180-4: the first 32 bits of the fractional parts of the cube roots of the first 64 primes */
	.word	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.word	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.word	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.word	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.word	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.word	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.word	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.word	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
