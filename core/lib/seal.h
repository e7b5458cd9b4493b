/* SPDX-License-Identifier: MIT */
/*
 * kcore's sealing key and the authenticated encryption built on it (VM
 * snapshots, docs/abi.md "Snapshots"). The key is derived at boot from a
 * secret provisioned with kcore and never leaves this file; callers get
 * per-snapshot keys derived from it. ChaCha20-Poly1305 (RFC 8439) and
 * HKDF-SHA256 come from BearSSL; every call brackets BearSSL with
 * arch_crypto_begin/end because it may use the FP/SIMD registers.
 */
#ifndef KCORE_LIB_SEAL_H
#define KCORE_LIB_SEAL_H

#include <stddef.h>

#include "types.h"

#define SEAL_KEY_SIZE	32u
#define SEAL_NONCE_SIZE 12u
#define SEAL_TAG_SIZE	16u

/* Derives the sealing key from secret (len 0: kcore has none and cannot seal). */
void seal_init(const u8 *secret, u32 len);
bool seal_available(void);

/*
 * The key of one snapshot: HKDF-SHA256 of the sealing key, salt
 * "kcore snapshot v1", info = id || measurement. Only when seal_available().
 */
void seal_derive_snapshot_key(const u8 id[16], const u8 measurement[32], u8 key[SEAL_KEY_SIZE]);

/* Encrypts data in place and writes the tag over ad and the ciphertext. */
void seal_encrypt(const u8 key[SEAL_KEY_SIZE], const u8 nonce[SEAL_NONCE_SIZE], void *data,
		  size_t len, const void *ad, size_t ad_len, u8 tag[SEAL_TAG_SIZE]);

/*
 * Decrypts data in place; true only if tag authenticates ad and the
 * ciphertext (compared in constant time). On false data holds garbage that
 * the caller must scrub or never use.
 */
bool seal_decrypt(const u8 key[SEAL_KEY_SIZE], const u8 nonce[SEAL_NONCE_SIZE], void *data,
		  size_t len, const void *ad, size_t ad_len, const u8 tag[SEAL_TAG_SIZE]);

/* Wipes the sealing key (before a reset): nothing can be sealed or opened afterwards. */
void seal_forget(void);

/* Zeroes secrets in a way the compiler cannot drop. */
void seal_wipe(void *p, size_t len);

#endif /* KCORE_LIB_SEAL_H */
