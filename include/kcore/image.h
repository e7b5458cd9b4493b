/* SPDX-License-Identifier: MIT */
/*
 * The signed image format (docs/image-format.md): the payload exactly as it
 * will sit in guest memory, followed by a 256-byte trailer. The whole file is
 * what the host hands kcore (set_boot_info's size is the file size), so the
 * trailer travels in the same kcore-owned pages as the payload and cannot be
 * swapped after the pages left the host's reach.
 *
 * The signature is ECDSA P-256 over SHA-256(payload || trailer bytes
 * [0, offsetof(sig))): it binds the payload, its length and the key id.
 * All integers are little-endian.
 */
#ifndef KCORE_IMAGE_H
#define KCORE_IMAGE_H

#include <stdint.h>

#define KCORE_IMG_MAGIC	       "KCORESIG"
#define KCORE_IMG_VERSION      1u
#define KCORE_IMG_TRAILER_SIZE 256u
#define KCORE_IMG_KEYID_SIZE   32u /* SHA-256 of the 65-byte uncompressed public key */
#define KCORE_IMG_SIG_SIZE     64u /* raw r || s, 32 bytes each, big-endian */
#define KCORE_P256_PUB_SIZE    65u /* 0x04 || X || Y */
#define KCORE_P256_PRIV_SIZE   32u

struct kcore_img_trailer {
	char magic[8];			      /* KCORE_IMG_MAGIC, no NUL */
	uint32_t version;		      /* KCORE_IMG_VERSION */
	uint32_t sig_alg;		      /* 1: ECDSA P-256 with SHA-256 */
	uint64_t payload_size;		      /* bytes before the trailer */
	uint8_t key_id[KCORE_IMG_KEYID_SIZE]; /* which trusted key signed it */
	uint8_t reserved[136];		      /* zero; covered by the signature */
	uint8_t sig[KCORE_IMG_SIG_SIZE];      /* not covered by the signature */
};

#define KCORE_IMG_SIG_ALG_P256_SHA256 1u
#define KCORE_IMG_SIGNED_PREFIX	      (KCORE_IMG_TRAILER_SIZE - KCORE_IMG_SIG_SIZE)

_Static_assert(sizeof(struct kcore_img_trailer) == KCORE_IMG_TRAILER_SIZE, "trailer layout");

/* A trusted public key as built into kcore. */
struct kcore_trusted_key {
	uint8_t pub[KCORE_P256_PUB_SIZE];
	uint8_t key_id[KCORE_IMG_KEYID_SIZE];
};

#endif /* KCORE_IMAGE_H */
