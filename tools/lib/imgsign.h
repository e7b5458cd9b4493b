/* SPDX-License-Identifier: MIT */
/*
 * Host-side signing and reference verification of kcore images
 * (include/kcore/image.h, docs/image-format.md).
 *
 * Used by tools/kcore-sign and by host-run tests. kcore has its own verifier
 * in core/; this one is written to be read next to the format description, so
 * the two can be compared and tested against each other.
 */
#ifndef KCORE_TOOLS_IMGSIGN_H
#define KCORE_TOOLS_IMGSIGN_H

#include <stddef.h>
#include <stdint.h>

#include <kcore/image.h>

/*
 * Every failure has its own code so that tests can tell which check refused
 * an image: a verifier that rejects for the wrong reason is likely to accept
 * something it should not.
 */
enum imgsign_err {
	IMGSIGN_OK = 0,
	IMGSIGN_E_TOO_SHORT,   /* smaller than a trailer */
	IMGSIGN_E_MAGIC,       /* trailer does not start with KCORE_IMG_MAGIC */
	IMGSIGN_E_VERSION,     /* version != KCORE_IMG_VERSION */
	IMGSIGN_E_ALG,	       /* sig_alg != KCORE_IMG_SIG_ALG_P256_SHA256 */
	IMGSIGN_E_SIZE,	       /* payload_size != image size - trailer size */
	IMGSIGN_E_RESERVED,    /* a reserved byte is not zero */
	IMGSIGN_E_UNKNOWN_KEY, /* key_id matches no trusted key */
	IMGSIGN_E_BAD_SIG,     /* the signature does not verify */
	IMGSIGN_E_BAD_KEY,     /* private scalar out of range, or public point off the curve */
	IMGSIGN_E_EMPTY,       /* refusing to sign an empty payload */
	IMGSIGN_E_NOSPACE,     /* output buffer too small, or size overflow */
	IMGSIGN_E_RANDOM,      /* the OS gave no randomness */
	IMGSIGN_E_CRYPTO,      /* BearSSL failed where it should not */
};

/* A signing key. Holds the private scalar: wipe with imgsign_key_wipe(). */
struct imgsign_key {
	uint8_t priv[KCORE_P256_PRIV_SIZE]; /* big-endian scalar, 1 <= priv < n */
	uint8_t pub[KCORE_P256_PUB_SIZE];   /* 0x04 || X || Y */
	uint8_t key_id[KCORE_IMG_KEYID_SIZE];
};

/* A short English reason, e.g. "bad signature". Never NULL. */
const char *imgsign_strerror(enum imgsign_err err);

/* Explicit little-endian accessors: the format is LE whatever the host is. */
void imgsign_put_le32(uint8_t *p, uint32_t v);
void imgsign_put_le64(uint8_t *p, uint64_t v);
uint32_t imgsign_get_le32(const uint8_t *p);
uint64_t imgsign_get_le64(const uint8_t *p);

/* Byte-exact conversion between the on-disk trailer and the struct. */
void imgsign_trailer_encode(uint8_t out[KCORE_IMG_TRAILER_SIZE],
			    const struct kcore_img_trailer *tr);
void imgsign_trailer_decode(struct kcore_img_trailer *tr, const uint8_t in[KCORE_IMG_TRAILER_SIZE]);

/* key_id = SHA-256 of the 65-byte uncompressed public key. */
void imgsign_key_id(uint8_t key_id[KCORE_IMG_KEYID_SIZE], const uint8_t pub[KCORE_P256_PUB_SIZE]);

/* IMGSIGN_OK if pub is an uncompressed point on P-256, else IMGSIGN_E_BAD_KEY. */
enum imgsign_err imgsign_pub_check(const uint8_t pub[KCORE_P256_PUB_SIZE]);

/* Checks pub and fills a trusted-key entry (pub and its key id). */
enum imgsign_err imgsign_trusted_key_from_pub(struct kcore_trusted_key *tk,
					      const uint8_t pub[KCORE_P256_PUB_SIZE]);

/* Derives pub and key_id from a private scalar; IMGSIGN_E_BAD_KEY if out of range. */
enum imgsign_err imgsign_key_from_priv(struct imgsign_key *key,
				       const uint8_t priv[KCORE_P256_PRIV_SIZE]);

/*
 * A reproducible key for tests: priv = SHA-256(seed), re-hashed until it is a
 * valid scalar. Anyone who knows the seed can sign: never trust such a key.
 */
enum imgsign_err imgsign_key_from_seed(struct imgsign_key *key, const char *seed);

/* A fresh key from getrandom() through HMAC_DRBG. */
enum imgsign_err imgsign_key_generate(struct imgsign_key *key);

/* Zeroes the key so the scalar does not linger in freed or reused memory. */
void imgsign_key_wipe(struct imgsign_key *key);

/* payload_size + trailer, or 0 if that does not fit in size_t. */
size_t imgsign_signed_size(size_t payload_size);

/*
 * Writes payload || trailer into out (out_size >= imgsign_signed_size()).
 * payload may be out itself (signing in place). The signature is
 * deterministic (RFC 6979), so signing the same payload twice gives the same
 * file. On error out is left unspecified.
 */
enum imgsign_err imgsign_sign(const struct imgsign_key *key, const void *payload,
			      size_t payload_size, void *out, size_t out_size);

/*
 * The checks that need no key: size, magic, version, algorithm, payload_size,
 * reserved bytes. On IMGSIGN_OK, *tr (if not NULL) holds the decoded trailer.
 */
enum imgsign_err imgsign_check_trailer(const void *img, size_t img_size,
				       struct kcore_img_trailer *tr);

/*
 * Full verification against nr_keys trusted keys: imgsign_check_trailer(),
 * then the key named by key_id, then the signature. On IMGSIGN_OK,
 * *key_index (if not NULL) is the index of the key that signed.
 */
enum imgsign_err imgsign_verify(const void *img, size_t img_size,
				const struct kcore_trusted_key *keys, size_t nr_keys,
				size_t *key_index);

#endif /* KCORE_TOOLS_IMGSIGN_H */
