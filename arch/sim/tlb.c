// SPDX-License-Identifier: MIT
/*
 * The TLB model. An entry caches one whole leaf, keyed by (regime, input
 * address aligned to the leaf size, leaf size), as hardware does. Entries
 * live in a growable slot array; a chained hash table finds them by key and
 * a doubly-linked list per regime lets a VMID-wide invalidation visit only
 * that VMID's entries. A translation looks up the three possible leaf sizes,
 * so lookup and invalidation by address cost three probes whatever the size
 * of the TLB. Being on the heap, it is the one part of the machine the
 * persistent fuzzer (tests/fuzz/state.h) does not copy back: it saves the
 * machine with the TLB empty and empties it again at every reset.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/sim/sim_internal.h"

#define NIL		UINT32_MAX
#define MIN_BUCKET_BITS 10u
#define MIN_SLOTS	1024u

/* The leaf sizes of the 4 KiB granule: levels 3, 2, 1. */
static const u64 leaf_sizes[] = {PAGE_SIZE, BLOCK_SIZE, 1ull << 30};

struct slot {
	u64 key;
	struct sim_tlb_entry e;
	u32 hnext; /* next in the hash chain; next free slot when unused */
	u32 rprev; /* neighbours in the regime's list */
	u32 rnext;
	bool used;
};

static struct {
	struct slot *slots;
	u32 cap;       /* slots allocated */
	u32 high;      /* slots [0, high) have been handed out since the last flush */
	u32 free_head; /* freed slots below high */
	u32 count;
	u32 *buckets;
	u32 bucket_bits;
	u32 regime_head[SIM_NR_REGIMES];
	u32 regime_count[SIM_NR_REGIMES];
	struct sim_tlb_stats stats;
} tlb;

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		sim_die("TLB model: out of memory (%zu bytes)", n);
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q)
		sim_die("TLB model: out of memory (%zu bytes)", n);
	return q;
}

/*
 * The input address is page aligned, which leaves its low 12 bits free for
 * the regime (7 bits) and the size (2 bits): a key is one u64, unique.
 */
static u64 make_key(u32 regime, u64 in, u32 size_code)
{
	return in | ((u64)regime << 2) | size_code;
}

static u32 size_code_of(u64 size)
{
	for (u32 i = 0; i < ARRAY_SIZE(leaf_sizes); i++)
		if (leaf_sizes[i] == size)
			return i;
	sim_die("TLB model: leaf size %#llx", (unsigned long long)size);
}

/* Mix the key, then take the top bits (multiplicative hashing). */
static u32 bucket_of(u64 key)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ull;
	key ^= key >> 29;
	return (u32)(key >> (64u - tlb.bucket_bits));
}

static u32 nr_buckets(void)
{
	return 1u << tlb.bucket_bits;
}

static void clear_index(void)
{
	memset(tlb.buckets, 0xff, nr_buckets() * sizeof(u32));
	for (u32 r = 0; r < SIM_NR_REGIMES; r++) {
		tlb.regime_head[r] = NIL;
		tlb.regime_count[r] = 0;
	}
	tlb.high = 0;
	tlb.free_head = NIL;
	tlb.count = 0;
}

static void ensure_init(void)
{
	if (tlb.buckets)
		return;
	tlb.bucket_bits = MIN_BUCKET_BITS;
	tlb.buckets = xmalloc(nr_buckets() * sizeof(u32));
	tlb.cap = MIN_SLOTS;
	tlb.slots = xmalloc(tlb.cap * sizeof(struct slot));
	clear_index();
}

static u32 find(u64 key)
{
	u32 i = tlb.buckets[bucket_of(key)];

	while (i != NIL && tlb.slots[i].key != key)
		i = tlb.slots[i].hnext;
	return i;
}

/* Keep chains short: double the buckets when there are more entries than buckets. */
static void grow_buckets(void)
{
	tlb.bucket_bits++;
	tlb.buckets = xrealloc(tlb.buckets, nr_buckets() * sizeof(u32));
	memset(tlb.buckets, 0xff, nr_buckets() * sizeof(u32));
	for (u32 i = 0; i < tlb.high; i++) {
		u32 b;

		if (!tlb.slots[i].used)
			continue;
		b = bucket_of(tlb.slots[i].key);
		tlb.slots[i].hnext = tlb.buckets[b];
		tlb.buckets[b] = i;
	}
}

static u32 alloc_slot(void)
{
	u32 i = tlb.free_head;

	if (i != NIL) {
		tlb.free_head = tlb.slots[i].hnext;
		return i;
	}
	if (tlb.high == tlb.cap) {
		if (tlb.cap > UINT32_MAX / 4)
			sim_die("TLB model: too many entries (%u slots)", tlb.cap);
		tlb.cap *= 2;
		tlb.slots = xrealloc(tlb.slots, tlb.cap * sizeof(struct slot));
	}
	return tlb.high++;
}

static void remove_slot(u32 i)
{
	struct slot *s = &tlb.slots[i];
	u32 *link = &tlb.buckets[bucket_of(s->key)];
	u32 r = s->e.regime;

	while (*link != i)
		link = &tlb.slots[*link].hnext;
	*link = s->hnext;

	if (s->rprev != NIL)
		tlb.slots[s->rprev].rnext = s->rnext;
	else
		tlb.regime_head[r] = s->rnext;
	if (s->rnext != NIL)
		tlb.slots[s->rnext].rprev = s->rprev;

	s->used = false;
	s->hnext = tlb.free_head;
	tlb.free_head = i;
	tlb.count--;
	tlb.regime_count[r]--;
}

static void locked_tlb_insert(const struct sim_tlb_entry *e)
{
	u64 key = make_key(e->regime, e->in, size_code_of(e->size));
	struct slot *s;
	u32 i, b;

	ensure_init();
	if (e->regime >= SIM_NR_REGIMES || !is_aligned(e->in, e->size))
		sim_die("TLB model: bad entry (regime %u, in %#llx)", e->regime,
			(unsigned long long)e->in);
	tlb.stats.fills++;
	i = find(key);
	if (i != NIL) {
		tlb.slots[i].e = *e;
		return;
	}

	i = alloc_slot();
	s = &tlb.slots[i];
	s->key = key;
	s->e = *e;
	s->used = true;
	b = bucket_of(key);
	s->hnext = tlb.buckets[b];
	tlb.buckets[b] = i;
	s->rprev = NIL;
	s->rnext = tlb.regime_head[e->regime];
	if (s->rnext != NIL)
		tlb.slots[s->rnext].rprev = i;
	tlb.regime_head[e->regime] = i;
	tlb.count++;
	tlb.regime_count[e->regime]++;

	if (tlb.count > nr_buckets())
		grow_buckets();
}

void sim_tlb_insert(const struct sim_tlb_entry *e)
{
	sim_bus_lock();
	locked_tlb_insert(e);
	sim_bus_unlock();
}

static bool locked_tlb_lookup(u32 regime, u64 addr, struct sim_tlb_entry *out)
{
	u32 found = NIL, matches = 0;

	ensure_init();
	if (regime < SIM_NR_REGIMES && tlb.regime_count[regime] != 0) {
		for (u32 c = 0; c < ARRAY_SIZE(leaf_sizes); c++) {
			u32 i = find(make_key(regime, addr & ~(leaf_sizes[c] - 1), c));

			if (i == NIL)
				continue;
			if (found == NIL)
				found = i;
			matches++;
		}
	}
	/* Two sizes at once is what break-before-make exists to prevent. */
	if (matches > 1)
		tlb.stats.conflicts++;
	if (found == NIL) {
		tlb.stats.misses++;
		return false;
	}
	tlb.stats.hits++;
	if (out)
		*out = tlb.slots[found].e;
	return true;
}

bool sim_tlb_lookup(u32 regime, u64 addr, struct sim_tlb_entry *out)
{
	bool r;

	sim_bus_lock();
	r = locked_tlb_lookup(regime, addr, out);
	sim_bus_unlock();
	return r;
}

static u32 locked_tlb_drop_addr(u32 regime, u64 addr)
{
	u32 dropped = 0;

	ensure_init();
	if (regime >= SIM_NR_REGIMES)
		return 0;
	for (u32 c = 0; c < ARRAY_SIZE(leaf_sizes); c++) {
		u32 i = find(make_key(regime, addr & ~(leaf_sizes[c] - 1), c));

		if (i != NIL) {
			remove_slot(i);
			dropped++;
		}
	}
	tlb.stats.dropped += dropped;
	return dropped;
}

u32 sim_tlb_drop_addr(u32 regime, u64 addr)
{
	u32 r;

	sim_bus_lock();
	r = locked_tlb_drop_addr(regime, addr);
	sim_bus_unlock();
	return r;
}

static u32 locked_tlb_drop_regime(u32 regime)
{
	u32 dropped = 0;

	ensure_init();
	if (regime >= SIM_NR_REGIMES)
		return 0;
	while (tlb.regime_head[regime] != NIL) {
		remove_slot(tlb.regime_head[regime]);
		dropped++;
	}
	tlb.stats.dropped += dropped;
	return dropped;
}

u32 sim_tlb_drop_regime(u32 regime)
{
	u32 r;

	sim_bus_lock();
	r = locked_tlb_drop_regime(regime);
	sim_bus_unlock();
	return r;
}

static void locked_tlb_flush_all(void)
{
	ensure_init();
	clear_index();
}

void sim_tlb_flush_all(void)
{
	sim_bus_lock();
	locked_tlb_flush_all();
	sim_bus_unlock();
}

static void locked_tlb_reset(void)
{
	ensure_init();
	clear_index();
	memset(&tlb.stats, 0, sizeof(tlb.stats));
}

void sim_tlb_reset(void)
{
	sim_bus_lock();
	locked_tlb_reset();
	sim_bus_unlock();
}

static void locked_tlb_for_each(void (*fn)(void *ctx, const struct sim_tlb_entry *e), void *ctx)
{
	ensure_init();
	for (u32 i = 0; i < tlb.high; i++)
		if (tlb.slots[i].used)
			fn(ctx, &tlb.slots[i].e);
}

void sim_tlb_for_each(void (*fn)(void *ctx, const struct sim_tlb_entry *e), void *ctx)
{
	sim_bus_lock();
	locked_tlb_for_each(fn, ctx);
	sim_bus_unlock();
}

size_t sim_tlb_count(void)
{
	return tlb.count;
}

size_t sim_tlb_count_regime(u32 regime)
{
	return regime < SIM_NR_REGIMES ? tlb.regime_count[regime] : 0;
}

static void locked_tlb_get_stats(struct sim_tlb_stats *out)
{
	*out = tlb.stats;
	out->entries = tlb.count;
}

void sim_tlb_get_stats(struct sim_tlb_stats *out)
{
	sim_bus_lock();
	locked_tlb_get_stats(out);
	sim_bus_unlock();
}

void sim_tlb_entry_from_xlate(struct sim_tlb_entry *e, u32 regime, u64 addr,
			      const struct sim_xlate *x)
{
	u64 offset = addr & (x->leaf_size - 1);

	*e = (struct sim_tlb_entry){
	    .regime = regime,
	    .in = addr - offset,
	    .size = x->leaf_size,
	    .pa = pa_init(pa_addr(x->pa) - offset),
	    .level = x->level,
	    .readable = x->readable,
	    .writable = x->writable,
	    .executable = x->executable,
	    .device = x->device,
	    .attr = x->attr,
	    .sh = x->sh,
	};
}
