/* SPDX-License-Identifier: MIT */
/*
 * Signature verification of an image in a kcore window (docs/image-format.md):
 * ECDSA P-256 over SHA-256, against the trusted keys built into kcore.
 */
#ifndef KCORE_VM_VERIFY_H
#define KCORE_VM_VERIFY_H

#include <kcore/image.h>

#include "core/lib/addr.h"

/* Checks the key table (each key id is the SHA-256 of its key). KCORE_E_INVAL if not. */
int verify_set_trusted_keys(const struct kcore_trusted_key *keys, u32 nr_keys);

/*
 * The host may learn which keys kcore trusts: key `index`'s id as four
 * little-endian words, and how many keys there are. KCORE_E_INVAL past the end.
 */
int verify_key_info(u64 index, u32 *nr_keys, u64 id_words[4]);

/*
 * Verifies the image of `size` bytes mapped at window. KCORE_OK, the payload
 * size and the digest the signature covers, or KCORE_E_VERIFY: the result is
 * never ignored (brief, defect 1).
 */
int verify_image(vaddr_t window, u64 size, u64 *payload_size, u8 digest[32]);

/*
 * A VM's measurement (docs/abi.md, "Snapshots"): SHA-256 of "kcore
 * measurement v1" and, per image in order, its load IPA, its size (8 bytes
 * each, little-endian) and its digest.
 */
void verify_measure(const u64 *load_ipa, const u64 *size, const u8 (*digest)[32], u32 nr,
		    u8 measurement[32]);

#endif /* KCORE_VM_VERIFY_H */
