// SPDX-License-Identifier: MIT
/*
 * The arch interface of core/arch.h on the simulated machine. Whatever
 * hardware would not survive (a PA outside RAM, a kcore VA that does not
 * translate) is a core bug and stops the process loudly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/sim/sim_internal.h"
#include "core/arch.h"
#include "core/kcore.h"
#include "core/lib/sched_point.h"

void *arch_pa_to_ptr(paddr_t pa)
{
	void *p = sim_ram_ptr(pa);

	if (!p)
		sim_die("arch_pa_to_ptr(%#llx): not RAM (core bug)",
			(unsigned long long)pa_addr(pa));
	return p;
}

/* kcore reads through its own stage-1, hence through the TLB like the CPU. */
const void *arch_kva_to_ptr(vaddr_t va)
{
	enum sim_access_result r;
	paddr_t pa;

	r = sim_translate(SIM_REGIME_EL2, va_addr(va), false, true, &pa);
	if (r != SIM_OK)
		sim_die("arch_kva_to_ptr(%#llx): %s in kcore's stage-1 (core bug)",
			(unsigned long long)va_addr(va), sim_access_result_name(r));
	if (!sim_is_ram(pa))
		sim_die("arch_kva_to_ptr(%#llx): maps PA %#llx, not RAM (core bug)",
			(unsigned long long)va_addr(va), (unsigned long long)pa_addr(pa));
	return sim_ram_ptr(pa);
}

void arch_tlbi_s2_ipa(u32 vmid, ipaddr_t ipa)
{
	/* A table changed, not yet invalidated: another CPU may run in this window. */
	sched_point(SCHED_MARK, "tlbi");
	sim_record_tlbi(SIM_TLBI_S2_IPA, vmid, ipa_addr(ipa));
	/* Beyond the modelled VMIDs nothing can be cached (SIM_REGIME_EL2 is not a VMID). */
	if (vmid < SIM_NR_VMIDS)
		sim_tlb_drop_addr(vmid, ipa_addr(ipa));
}

void arch_tlbi_s2_vmid(u32 vmid)
{
	/* A table changed, not yet invalidated: another CPU may run in this window. */
	sched_point(SCHED_MARK, "tlbi");
	sim_record_tlbi(SIM_TLBI_S2_VMID, vmid, 0);
	if (vmid < SIM_NR_VMIDS)
		sim_tlb_drop_regime(vmid);
}

void arch_tlbi_el2_va(vaddr_t va)
{
	/* A table changed, not yet invalidated: another CPU may run in this window. */
	sched_point(SCHED_MARK, "tlbi");
	sim_record_tlbi(SIM_TLBI_EL2_VA, 0, va_addr(va));
	sim_tlb_drop_addr(SIM_REGIME_EL2, va_addr(va));
}

void arch_host_inject_abort(ipaddr_t ipa)
{
	sim_record_host_abort(ipa);
}

/*
 * The simulated machine has no FP state to protect; it checks that the core
 * brackets its crypto properly (never nested, always closed).
 */
static _Thread_local int crypto_depth; /* per CPU: the race harness's CPUs are threads */

void arch_crypto_begin(void)
{
	if (crypto_depth != 0) {
		fputs("sim: nested arch_crypto_begin\n", stderr);
		abort();
	}
	crypto_depth = 1;
}

void arch_crypto_end(void)
{
	if (crypto_depth != 1) {
		fputs("sim: arch_crypto_end without begin\n", stderr);
		abort();
	}
	crypto_depth = 0;
}

void arch_console_write(const char *s, size_t len)
{
	sim_record_console(s, len);
}

void arch_clean_to_poc(const void *p, size_t len)
{
	sim_record_clean(p, len);
}

static void (*halt_hook)(void);

void sim_set_halt_hook(void (*hook)(void))
{
	halt_hook = hook;
}

/*
 * As on aarch64 (arch/aarch64/reset.c), minus the other CPUs: the simulated
 * machine has one. A panic inside the scrub halts at once.
 */
_Noreturn void arch_halt_all(void)
{
	static bool halting;

	if (!halting) {
		halting = true;
		kcore_scrub_revoke();
		(void)kcore_scrub_memory(NULL, 0);
		if (halt_hook != NULL)
			halt_hook();
	}
	fflush(stdout);
	fputs("kcore: halted\n", stderr);
	_exit(SIM_HALT_EXIT_CODE);
}

/*
 * The simulated CPU's random number generator: a fixed sequence (xorshift64*)
 * so runs repeat; sim_random_fail() makes it report failure like RNDR can.
 */
static u64 random_state = 0x9e3779b97f4a7c15ull;
static bool random_broken;

void sim_random_reset(u64 seed, bool broken)
{
	random_state = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
	random_broken = broken;
}

bool arch_random_bytes(void *buf, size_t len)
{
	u8 *out = buf;

	if (random_broken)
		return false;
	for (size_t i = 0; i < len; i++) {
		random_state ^= random_state >> 12;
		random_state ^= random_state << 25;
		random_state ^= random_state >> 27;
		out[i] = (u8)((random_state * 0x2545f4914f6cdd1dull) >> 56);
	}
	return true;
}

u32 arch_vcpu_state_format(void)
{
	return 0x51300001u; /* "sim", layout 1 of struct arch_vcpu (vcpu.c asserts it) */
}

/*
 * The simulated CPU "has" SHA-256 instructions (so the core's block-wise
 * path, padding included, runs in every host test); sim_sha256_fast(false)
 * takes them away. The compression is FIPS 180-4's, written out plainly.
 */
static bool sha_fast = true;

void sim_sha256_fast(bool fast)
{
	sha_fast = fast;
}

bool arch_sha256_fast(void)
{
	return sha_fast;
}

static const u32 sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static u32 ror(u32 x, u32 n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha_block(u32 h[8], const u8 *p)
{
	u32 w[64], v[8];

	for (size_t i = 0; i < 16; i++)
		w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (u32 i = 16; i < 64; i++) {
		u32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		u32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (u32 i = 0; i < 64; i++) {
		u32 t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
			 ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha_k[i] + w[i];
		u32 t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
			 ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));

		memmove(v + 1, v, 7 * sizeof(u32));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (u32 i = 0; i < 8; i++)
		h[i] += v[i];
}

void arch_sha256_blocks(u32 state[8], const void *data, size_t nblocks)
{
	const u8 *p = data;

	for (size_t b = 0; b < nblocks; b++)
		sha_block(state, p + 64 * b);
}
