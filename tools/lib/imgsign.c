// SPDX-License-Identifier: MIT
/*
 * Signing and reference verification of kcore images. The format is fixed
 * by include/kcore/image.h and described byte by byte in
 * docs/image-format.md; the crypto is BearSSL's.
 */
#include "imgsign.h"

#include <bearssl.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/random.h>

#define P256_CURVE  BR_EC_secp256r1
#define SHA256_SIZE br_sha256_SIZE

#define TR_OFF(field) offsetof(struct kcore_img_trailer, field)

/*
 * The struct is the on-disk layout (no padding anywhere). Pinning every
 * offset here means a change to image.h cannot silently change what the
 * encoder writes or what docs/image-format.md promises.
 */
_Static_assert(TR_OFF(magic) == 0, "magic offset");
_Static_assert(TR_OFF(version) == 8, "version offset");
_Static_assert(TR_OFF(sig_alg) == 12, "sig_alg offset");
_Static_assert(TR_OFF(payload_size) == 16, "payload_size offset");
_Static_assert(TR_OFF(key_id) == 24, "key_id offset");
_Static_assert(TR_OFF(reserved) == 56, "reserved offset");
_Static_assert(TR_OFF(sig) == KCORE_IMG_SIGNED_PREFIX, "sig offset");
_Static_assert(KCORE_IMG_SIGNED_PREFIX == 192, "signed trailer prefix");
_Static_assert(sizeof(KCORE_IMG_MAGIC) - 1 == sizeof(((struct kcore_img_trailer *)0)->magic),
	       "magic length");
_Static_assert(KCORE_IMG_KEYID_SIZE == SHA256_SIZE, "key id is a SHA-256");

/* One fixed implementation, so host and tests never depend on CPU features. */
static const br_ec_impl *p256(void)
{
	return &br_ec_p256_m31;
}

/* Stores through a volatile pointer so the compiler cannot drop the wipe. */
static void wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

const char *imgsign_strerror(enum imgsign_err err)
{
	switch (err) {
	case IMGSIGN_OK:
		return "ok";
	case IMGSIGN_E_TOO_SHORT:
		return "too short to hold a signature trailer";
	case IMGSIGN_E_MAGIC:
		return "bad trailer magic (not a signed kcore image)";
	case IMGSIGN_E_VERSION:
		return "unsupported trailer version";
	case IMGSIGN_E_ALG:
		return "unsupported signature algorithm";
	case IMGSIGN_E_SIZE:
		return "payload size in trailer does not match the file size";
	case IMGSIGN_E_RESERVED:
		return "nonzero reserved bytes in trailer";
	case IMGSIGN_E_UNKNOWN_KEY:
		return "signed by a key that is not trusted";
	case IMGSIGN_E_BAD_SIG:
		return "bad signature";
	case IMGSIGN_E_BAD_KEY:
		return "invalid P-256 key";
	case IMGSIGN_E_EMPTY:
		return "empty payload";
	case IMGSIGN_E_NOSPACE:
		return "output buffer too small";
	case IMGSIGN_E_RANDOM:
		return "no randomness available from the OS";
	case IMGSIGN_E_CRYPTO:
		return "internal crypto failure";
	}
	return "unknown error";
}

void imgsign_put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void imgsign_put_le64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t imgsign_get_le32(const uint8_t *p)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

uint64_t imgsign_get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void imgsign_trailer_encode(uint8_t out[KCORE_IMG_TRAILER_SIZE], const struct kcore_img_trailer *tr)
{
	memcpy(out + TR_OFF(magic), tr->magic, sizeof(tr->magic));
	imgsign_put_le32(out + TR_OFF(version), tr->version);
	imgsign_put_le32(out + TR_OFF(sig_alg), tr->sig_alg);
	imgsign_put_le64(out + TR_OFF(payload_size), tr->payload_size);
	memcpy(out + TR_OFF(key_id), tr->key_id, sizeof(tr->key_id));
	memcpy(out + TR_OFF(reserved), tr->reserved, sizeof(tr->reserved));
	memcpy(out + TR_OFF(sig), tr->sig, sizeof(tr->sig));
}

void imgsign_trailer_decode(struct kcore_img_trailer *tr, const uint8_t in[KCORE_IMG_TRAILER_SIZE])
{
	memcpy(tr->magic, in + TR_OFF(magic), sizeof(tr->magic));
	tr->version = imgsign_get_le32(in + TR_OFF(version));
	tr->sig_alg = imgsign_get_le32(in + TR_OFF(sig_alg));
	tr->payload_size = imgsign_get_le64(in + TR_OFF(payload_size));
	memcpy(tr->key_id, in + TR_OFF(key_id), sizeof(tr->key_id));
	memcpy(tr->reserved, in + TR_OFF(reserved), sizeof(tr->reserved));
	memcpy(tr->sig, in + TR_OFF(sig), sizeof(tr->sig));
}

void imgsign_key_id(uint8_t key_id[KCORE_IMG_KEYID_SIZE], const uint8_t pub[KCORE_P256_PUB_SIZE])
{
	br_sha256_context ctx;

	br_sha256_init(&ctx);
	br_sha256_update(&ctx, pub, KCORE_P256_PUB_SIZE);
	br_sha256_out(&ctx, key_id);
}

/*
 * The digest that is signed: SHA-256(payload || trailer[0, 192)). The trailer
 * prefix binds magic, version, algorithm, payload size, key id and reserved
 * bytes; only the signature itself is left out, as it must be.
 */
static void signed_digest(uint8_t digest[SHA256_SIZE], const uint8_t *payload, size_t payload_size,
			  const uint8_t *trailer)
{
	br_sha256_context ctx;

	br_sha256_init(&ctx);
	br_sha256_update(&ctx, payload, payload_size);
	br_sha256_update(&ctx, trailer, KCORE_IMG_SIGNED_PREFIX);
	br_sha256_out(&ctx, digest);
}

/* 1 <= x < n, with x and n big-endian; BearSSL does not check this for us. */
static int scalar_is_valid(const uint8_t x[KCORE_P256_PRIV_SIZE])
{
	size_t order_len;
	const unsigned char *order = p256()->order(P256_CURVE, &order_len);
	uint32_t borrow = 0;
	uint32_t nonzero = 0;

	if (order_len != KCORE_P256_PRIV_SIZE)
		return 0;
	/* x - n borrows exactly when x < n. */
	for (size_t i = KCORE_P256_PRIV_SIZE; i-- > 0;) {
		uint32_t d = (uint32_t)x[i] - (uint32_t)order[i] - borrow;

		borrow = d >> 31;
		nonzero |= x[i];
	}
	return borrow && nonzero;
}

enum imgsign_err imgsign_pub_check(const uint8_t pub[KCORE_P256_PUB_SIZE])
{
	/* mul() validates its input point; multiplying by one leaves it as is. */
	static const unsigned char one[1] = {1};
	unsigned char point[KCORE_P256_PUB_SIZE];

	if (pub[0] != 0x04)
		return IMGSIGN_E_BAD_KEY;
	memcpy(point, pub, sizeof(point));
	if (!p256()->mul(point, sizeof(point), one, sizeof(one), P256_CURVE))
		return IMGSIGN_E_BAD_KEY;
	return IMGSIGN_OK;
}

enum imgsign_err imgsign_trusted_key_from_pub(struct kcore_trusted_key *tk,
					      const uint8_t pub[KCORE_P256_PUB_SIZE])
{
	enum imgsign_err err = imgsign_pub_check(pub);

	if (err != IMGSIGN_OK)
		return err;
	memmove(tk->pub, pub, KCORE_P256_PUB_SIZE);
	imgsign_key_id(tk->key_id, tk->pub);
	return IMGSIGN_OK;
}

enum imgsign_err imgsign_key_from_priv(struct imgsign_key *key,
				       const uint8_t priv[KCORE_P256_PRIV_SIZE])
{
	br_ec_private_key sk;

	if (!scalar_is_valid(priv))
		return IMGSIGN_E_BAD_KEY;
	memmove(key->priv, priv, KCORE_P256_PRIV_SIZE);
	sk.curve = P256_CURVE;
	sk.x = key->priv;
	sk.xlen = KCORE_P256_PRIV_SIZE;
	if (br_ec_compute_pub(p256(), NULL, key->pub, &sk) != KCORE_P256_PUB_SIZE) {
		imgsign_key_wipe(key);
		return IMGSIGN_E_CRYPTO;
	}
	imgsign_key_id(key->key_id, key->pub);
	return IMGSIGN_OK;
}

enum imgsign_err imgsign_key_from_seed(struct imgsign_key *key, const char *seed)
{
	uint8_t h[SHA256_SIZE];
	br_sha256_context ctx;
	enum imgsign_err err = IMGSIGN_E_CRYPTO;

	br_sha256_init(&ctx);
	br_sha256_update(&ctx, seed, strlen(seed));
	br_sha256_out(&ctx, h);
	/*
	 * A hash is out of range with probability about 2^-32, so this loop
	 * runs once in practice; the bound only keeps it obviously finite.
	 */
	for (int tries = 0; tries < 16; tries++) {
		if (scalar_is_valid(h)) {
			err = imgsign_key_from_priv(key, h);
			break;
		}
		br_sha256_init(&ctx);
		br_sha256_update(&ctx, h, sizeof(h));
		br_sha256_out(&ctx, h);
	}
	wipe(h, sizeof(h));
	wipe(&ctx, sizeof(ctx));
	return err;
}

static int fill_random(uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

enum imgsign_err imgsign_key_generate(struct imgsign_key *key)
{
	uint8_t seed[48];
	uint8_t kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
	br_hmac_drbg_context drbg;
	br_ec_private_key sk;
	enum imgsign_err err;

	if (fill_random(seed, sizeof(seed)) != 0)
		return IMGSIGN_E_RANDOM;
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof(seed));
	if (br_ec_keygen(&drbg.vtable, p256(), &sk, kbuf, P256_CURVE) != KCORE_P256_PRIV_SIZE)
		err = IMGSIGN_E_CRYPTO;
	else
		err = imgsign_key_from_priv(key, kbuf);
	wipe(seed, sizeof(seed));
	wipe(kbuf, sizeof(kbuf));
	wipe(&drbg, sizeof(drbg));
	return err;
}

void imgsign_key_wipe(struct imgsign_key *key)
{
	wipe(key, sizeof(*key));
}

size_t imgsign_signed_size(size_t payload_size)
{
	if (payload_size > SIZE_MAX - KCORE_IMG_TRAILER_SIZE)
		return 0;
	return payload_size + KCORE_IMG_TRAILER_SIZE;
}

enum imgsign_err imgsign_sign(const struct imgsign_key *key, const void *payload,
			      size_t payload_size, void *out, size_t out_size)
{
	uint8_t *img = out;
	uint8_t *trailer;
	struct kcore_img_trailer tr;
	uint8_t digest[SHA256_SIZE];
	uint8_t sig[KCORE_IMG_SIG_SIZE];
	uint8_t priv[KCORE_P256_PRIV_SIZE];
	unsigned char pub[KCORE_P256_PUB_SIZE];
	br_ec_private_key sk;
	br_ec_public_key pk;
	size_t sig_len;
	enum imgsign_err err = IMGSIGN_OK;

	if (payload_size == 0)
		return IMGSIGN_E_EMPTY;
	if (imgsign_signed_size(payload_size) == 0 || out_size < imgsign_signed_size(payload_size))
		return IMGSIGN_E_NOSPACE;

	memmove(img, payload, payload_size);
	trailer = img + payload_size;

	memset(&tr, 0, sizeof(tr));
	memcpy(tr.magic, KCORE_IMG_MAGIC, sizeof(tr.magic));
	tr.version = KCORE_IMG_VERSION;
	tr.sig_alg = KCORE_IMG_SIG_ALG_P256_SHA256;
	tr.payload_size = (uint64_t)payload_size;
	/* From pub, not key->key_id: the id must name the key that verifies. */
	imgsign_key_id(tr.key_id, key->pub);
	imgsign_trailer_encode(trailer, &tr);

	signed_digest(digest, img, payload_size, trailer);

	/* BearSSL wants a mutable scalar; the caller's key is const. */
	memcpy(priv, key->priv, sizeof(priv));
	sk.curve = P256_CURVE;
	sk.x = priv;
	sk.xlen = sizeof(priv);
	sig_len = br_ecdsa_i31_sign_raw(p256(), &br_sha256_vtable, digest, &sk, sig);
	wipe(priv, sizeof(priv));
	if (sig_len != KCORE_IMG_SIG_SIZE)
		return IMGSIGN_E_CRYPTO;

	/*
	 * Check our own work: a key whose pub does not belong to its priv, or a
	 * faulty signing run, must not produce an image that only fails later,
	 * inside kcore.
	 */
	memcpy(pub, key->pub, sizeof(pub));
	pk.curve = P256_CURVE;
	pk.q = pub;
	pk.qlen = sizeof(pub);
	if (!br_ecdsa_i31_vrfy_raw(p256(), digest, sizeof(digest), &pk, sig, sizeof(sig)))
		err = IMGSIGN_E_CRYPTO;
	else
		memcpy(trailer + TR_OFF(sig), sig, sizeof(sig));
	return err;
}

enum imgsign_err imgsign_check_trailer(const void *img, size_t img_size,
				       struct kcore_img_trailer *tr)
{
	const uint8_t *bytes = img;
	struct kcore_img_trailer t;
	size_t payload_size;

	if (img_size < KCORE_IMG_TRAILER_SIZE)
		return IMGSIGN_E_TOO_SHORT;
	payload_size = img_size - KCORE_IMG_TRAILER_SIZE;
	imgsign_trailer_decode(&t, bytes + payload_size);

	if (memcmp(t.magic, KCORE_IMG_MAGIC, sizeof(t.magic)) != 0)
		return IMGSIGN_E_MAGIC;
	if (t.version != KCORE_IMG_VERSION)
		return IMGSIGN_E_VERSION;
	if (t.sig_alg != KCORE_IMG_SIG_ALG_P256_SHA256)
		return IMGSIGN_E_ALG;
	/* The trailer must sit exactly at the end: no bytes may hide after it. */
	if (t.payload_size != (uint64_t)payload_size)
		return IMGSIGN_E_SIZE;
	/*
	 * Signed anyway, but a future version may give these bytes a meaning;
	 * a version-1 verifier must not accept an image that relies on one.
	 */
	for (size_t i = 0; i < sizeof(t.reserved); i++) {
		if (t.reserved[i] != 0)
			return IMGSIGN_E_RESERVED;
	}
	if (tr)
		*tr = t;
	return IMGSIGN_OK;
}

enum imgsign_err imgsign_verify(const void *img, size_t img_size,
				const struct kcore_trusted_key *keys, size_t nr_keys,
				size_t *key_index)
{
	const uint8_t *bytes = img;
	struct kcore_img_trailer tr;
	const struct kcore_trusted_key *key = NULL;
	size_t payload_size;
	size_t i;
	uint8_t digest[SHA256_SIZE];
	unsigned char pub[KCORE_P256_PUB_SIZE];
	br_ec_public_key pk;
	enum imgsign_err err;

	err = imgsign_check_trailer(img, img_size, &tr);
	if (err != IMGSIGN_OK)
		return err;
	payload_size = img_size - KCORE_IMG_TRAILER_SIZE;

	/* key_id only selects a key; the signature check below is what trusts it. */
	for (i = 0; i < nr_keys; i++) {
		if (memcmp(keys[i].key_id, tr.key_id, sizeof(tr.key_id)) == 0) {
			key = &keys[i];
			break;
		}
	}
	if (!key)
		return IMGSIGN_E_UNKNOWN_KEY;

	/* Hash the trailer bytes as they are in the image: those are what was signed. */
	signed_digest(digest, bytes, payload_size, bytes + payload_size);

	memcpy(pub, key->pub, sizeof(pub));
	pk.curve = P256_CURVE;
	pk.q = pub;
	pk.qlen = sizeof(pub);
	if (!br_ecdsa_i31_vrfy_raw(p256(), digest, sizeof(digest), &pk, tr.sig, sizeof(tr.sig)))
		return IMGSIGN_E_BAD_SIG;

	if (key_index)
		*key_index = i;
	return IMGSIGN_OK;
}
