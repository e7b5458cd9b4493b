// SPDX-License-Identifier: MIT
/*
 * arch_clean_dcache_range on the simulated machine. The simulated RAM has no
 * cache, so nothing needs cleaning; what the tests need to know is whether
 * kcore cleaned a page after its last write to it, before handing it over:
 * on hardware, a recipient that reads with its caches off (or non-cacheable
 * attributes) sees memory, where kcore's writes arrive only when cleaned.
 * So each clean is recorded with a fingerprint of the bytes it covered; a
 * range is "clean" if the latest record covering it still matches them.
 */
#include "arch/sim/sim_internal.h"
#include "core/arch.h"

#define DCACHE_LOG_SIZE 8192u

struct dcache_rec {
	u64 pa;
	u64 len;
	u64 fingerprint;
	u64 seq; /* among cleans and instruction cache syncs */
};

static struct {
	u64 count;
	u64 seq;
	u64 last_icache_sync; /* seq of the latest arch_sync_icache, 0 if none */
	struct dcache_rec log[DCACHE_LOG_SIZE];
} cleans;

static u64 fingerprint(u64 pa, u64 len)
{
	const u8 *p = sim_ram_ptr(pa_init(pa));
	u64 h = 0xcbf29ce484222325ull;

	for (u64 i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void arch_clean_dcache_range(paddr_t pa, u64 len)
{
	if (sim_ram_ptr(pa) == NULL || (len > 0 && sim_ram_ptr(pa_add(pa, len - 1)) == NULL))
		sim_die("arch_clean_dcache_range(%#llx, %llu): not RAM (core bug)",
			(unsigned long long)pa_addr(pa), (unsigned long long)len);
	cleans.log[cleans.count % DCACHE_LOG_SIZE] =
	    (struct dcache_rec){pa_addr(pa), len, fingerprint(pa_addr(pa), len), ++cleans.seq};
	cleans.count++;
}

/* The simulated CPU has no FWB: a hand-over is a clean. */
void arch_dcache_hand_over(paddr_t pa, u64 len)
{
	arch_clean_dcache_range(pa, len);
}

/* The simulated CPU's instruction cache is not coherent (no DIC): record the sync. */
void arch_sync_icache(void)
{
	cleans.last_icache_sync = ++cleans.seq;
}

/* Only the counts: records past them are never read, and a reset must stay cheap (the fuzzer). */
void sim_dcache_reset(void)
{
	cleans.count = 0;
	cleans.seq = 0;
	cleans.last_icache_sync = 0;
}

u64 sim_dcache_clean_count(void)
{
	return cleans.count;
}

/* The latest clean covering [start, start + len), or NULL. */
static const struct dcache_rec *latest_clean(u64 start, u64 len)
{
	u64 n = cleans.count < DCACHE_LOG_SIZE ? cleans.count : DCACHE_LOG_SIZE;

	for (u64 k = 0; k < n; k++) {
		const struct dcache_rec *r = &cleans.log[(cleans.count - 1 - k) % DCACHE_LOG_SIZE];

		if (r->pa <= start && start + len <= r->pa + r->len)
			return r;
	}
	return NULL;
}

bool sim_icache_synced_after_clean(paddr_t pa, u64 len)
{
	const struct dcache_rec *r = latest_clean(pa_addr(pa), len);

	return r != NULL && cleans.last_icache_sync > r->seq;
}

bool sim_dcache_is_clean(paddr_t pa, u64 len)
{
	u64 start = pa_addr(pa),
	    n = cleans.count < DCACHE_LOG_SIZE ? cleans.count : DCACHE_LOG_SIZE;

	for (u64 k = 0; k < n; k++) {
		const struct dcache_rec *r = &cleans.log[(cleans.count - 1 - k) % DCACHE_LOG_SIZE];

		if (r->pa <= start && start + len <= r->pa + r->len)
			return r->fingerprint == fingerprint(r->pa, r->len);
	}
	return false;
}
