/* SPDX-License-Identifier: MIT */
#include "verify.h"

#include "core/lib/mem.h"
#include <bearssl.h>

#include <kcore/abi.h>

#include "core/arch.h"
#include "core/lib/log.h"
#include "core/lib/sha256.h"

static const struct kcore_trusted_key *trusted;
static u32 nr_trusted;

static void sha256_of(const void *data, size_t len, u8 out[32])
{
	br_sha256_context ctx;

	br_sha256_init(&ctx);
	br_sha256_update(&ctx, data, len);
	br_sha256_out(&ctx, out);
}

int verify_set_trusted_keys(const struct kcore_trusted_key *keys, u32 nr_keys)
{
	for (u32 i = 0; i < nr_keys; i++) {
		u8 id[32];

		arch_crypto_begin();
		sha256_of(keys[i].pub, sizeof(keys[i].pub), id);
		arch_crypto_end();
		if (keys[i].pub[0] != 0x04 || memcmp(id, keys[i].key_id, sizeof(id)) != 0)
			return KCORE_E_INVAL;
	}
	trusted = keys;
	nr_trusted = nr_keys;
	return KCORE_OK;
}

int verify_key_info(u64 index, u32 *nr_keys, u64 id_words[4])
{
	if (index >= nr_trusted)
		return KCORE_E_INVAL;
	*nr_keys = nr_trusted;
	for (u32 w = 0; w < 4; w++) {
		u64 v = 0;

		for (u32 b = 0; b < 8; b++)
			v |= (u64)trusted[index].key_id[w * 8 + b] << (8 * b);
		id_words[w] = v;
	}
	return KCORE_OK;
}

/* Copies len bytes at offset off of the window, page by page (the window is not linear in PA). */
static void window_read(vaddr_t window, u64 off, void *dst, size_t len)
{
	u8 *out = dst;

	while (len > 0) {
		u64 in_page = off & (PAGE_SIZE - 1);
		size_t chunk =
		    (size_t)(PAGE_SIZE - in_page) < len ? (size_t)(PAGE_SIZE - in_page) : len;
		const u8 *src = arch_kva_to_ptr(va_add(window, off - in_page));

		memcpy(out, src + in_page, chunk);
		out += chunk;
		off += chunk;
		len -= chunk;
	}
}

static void window_hash(struct kc_sha256 *ctx, vaddr_t window, u64 size)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 chunk = size - off < PAGE_SIZE ? size - off : PAGE_SIZE;

		kc_sha256_update(ctx, arch_kva_to_ptr(va_add(window, off)), (size_t)chunk);
	}
}

static const struct kcore_trusted_key *find_key(const u8 key_id[KCORE_IMG_KEYID_SIZE])
{
	for (u32 i = 0; i < nr_trusted; i++) {
		if (memcmp(trusted[i].key_id, key_id, KCORE_IMG_KEYID_SIZE) == 0)
			return &trusted[i];
	}
	return NULL;
}

static bool trailer_well_formed(const struct kcore_img_trailer *t, u64 size)
{
	if (memcmp(t->magic, KCORE_IMG_MAGIC, sizeof(t->magic)) != 0)
		return false;
	if (t->version != KCORE_IMG_VERSION || t->sig_alg != KCORE_IMG_SIG_ALG_P256_SHA256)
		return false;
	if (t->payload_size != size - KCORE_IMG_TRAILER_SIZE || t->payload_size == 0)
		return false;
	for (size_t i = 0; i < sizeof(t->reserved); i++) {
		if (t->reserved[i] != 0)
			return false;
	}
	return true;
}

int verify_image(vaddr_t window, u64 size, u64 *payload_size, u8 digest[32])
{
	struct kcore_img_trailer trailer;
	const struct kcore_trusted_key *key;
	struct kc_sha256 ctx;
	br_ec_public_key pk;
	u8 hash[32];
	bool ok;

	if (size <= KCORE_IMG_TRAILER_SIZE)
		return KCORE_E_VERIFY;
	window_read(window, size - KCORE_IMG_TRAILER_SIZE, &trailer, sizeof(trailer));
	if (!trailer_well_formed(&trailer, size))
		return KCORE_E_VERIFY;
	key = find_key(trailer.key_id);
	if (key == NULL)
		return KCORE_E_VERIFY;

	arch_crypto_begin();
	kc_sha256_init(&ctx);
	window_hash(&ctx, window, trailer.payload_size);
	kc_sha256_update(&ctx, &trailer, KCORE_IMG_SIGNED_PREFIX);
	kc_sha256_out(&ctx, hash);

	pk.curve = BR_EC_secp256r1;
	pk.q = (unsigned char *)(uintptr_t)key->pub;
	pk.qlen = sizeof(key->pub);
	ok = br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, sizeof(hash), &pk, trailer.sig,
				   sizeof(trailer.sig)) == 1;
	arch_crypto_end();
	if (!ok)
		return KCORE_E_VERIFY;
	*payload_size = trailer.payload_size;
	memcpy(digest, hash, sizeof(hash));
	return KCORE_OK;
}

static void put_le64(u8 out[8], u64 v)
{
	for (u32 i = 0; i < 8; i++)
		out[i] = (u8)(v >> (8 * i));
}

void verify_measure(const u64 *load_ipa, const u64 *size, const u8 (*digest)[32], u32 nr,
		    u8 measurement[32])
{
	static const char domain[] = "kcore measurement v1";
	br_sha256_context ctx;

	arch_crypto_begin();
	br_sha256_init(&ctx);
	br_sha256_update(&ctx, domain, sizeof(domain) - 1);
	for (u32 i = 0; i < nr; i++) {
		u8 le[16];

		put_le64(le, load_ipa[i]);
		put_le64(le + 8, size[i]);
		br_sha256_update(&ctx, le, sizeof(le));
		br_sha256_update(&ctx, digest[i], 32);
	}
	br_sha256_out(&ctx, measurement);
	arch_crypto_end();
}
