/* SPDX-License-Identifier: MIT */
#include "seal.h"

#include <bearssl.h>

#include "core/arch.h"
#include "core/lib/mem.h"

static u8 sealing_key[SEAL_KEY_SIZE];
static bool have_key;

void seal_wipe(void *p, size_t len)
{
	volatile u8 *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = 0;
}

static void hkdf(const void *ikm, size_t ikm_len, const char *salt, const void *info,
		 size_t info_len, u8 out[SEAL_KEY_SIZE])
{
	br_hkdf_context hc;

	arch_crypto_begin();
	br_hkdf_init(&hc, &br_sha256_vtable, salt, strlen(salt));
	br_hkdf_inject(&hc, ikm, ikm_len);
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, info, info_len, out, SEAL_KEY_SIZE);
	arch_crypto_end();
	/* The context holds the pseudo-random key the output came from. */
	seal_wipe(&hc, sizeof(hc));
}

void seal_init(const u8 *secret, u32 len)
{
	static const char info[] = "sealing key";

	have_key = secret != NULL && len > 0;
	if (have_key)
		hkdf(secret, len, "kcore seal v1", info, sizeof(info) - 1, sealing_key);
	else
		seal_wipe(sealing_key, sizeof(sealing_key));
}

void seal_forget(void)
{
	seal_wipe(sealing_key, sizeof(sealing_key));
	have_key = false;
	arch_clean_to_poc(sealing_key, sizeof(sealing_key));
}

bool seal_available(void)
{
	return have_key;
}

void seal_derive_snapshot_key(const u8 id[16], const u8 measurement[32], u8 key[SEAL_KEY_SIZE])
{
	u8 info[16 + 32];

	memcpy(info, id, 16);
	memcpy(info + 16, measurement, 32);
	hkdf(sealing_key, sizeof(sealing_key), "kcore snapshot v1", info, sizeof(info), key);
}

void seal_encrypt(const u8 key[SEAL_KEY_SIZE], const u8 nonce[SEAL_NONCE_SIZE], void *data,
		  size_t len, const void *ad, size_t ad_len, u8 tag[SEAL_TAG_SIZE])
{
	arch_crypto_begin();
	br_poly1305_ctmul_run(key, nonce, data, len, ad, ad_len, tag, br_chacha20_ct_run, 1);
	arch_crypto_end();
}

bool seal_decrypt(const u8 key[SEAL_KEY_SIZE], const u8 nonce[SEAL_NONCE_SIZE], void *data,
		  size_t len, const void *ad, size_t ad_len, const u8 tag[SEAL_TAG_SIZE])
{
	u8 computed[SEAL_TAG_SIZE];
	u8 diff = 0;

	arch_crypto_begin();
	br_poly1305_ctmul_run(key, nonce, data, len, ad, ad_len, computed, br_chacha20_ct_run, 0);
	arch_crypto_end();
	/* Constant time: the host learns nothing of the right tag from how long a refusal takes. */
	for (u32 i = 0; i < SEAL_TAG_SIZE; i++)
		diff |= (u8)(computed[i] ^ tag[i]);
	return diff == 0;
}
