// SPDX-License-Identifier: MIT
/*
 * The machine's physical memory: up to SIM_MAX_RAM_BANKS banks, each a
 * zeroed host allocation, and the reset that puts the whole machine (MMU
 * registers, TLB, recorders) back to its power-on state. Also RAM
 * checkpoints for the persistent fuzzer (sim_ram_checkpoint): every access
 * to RAM, the core's and the sim's, goes through sim_ram_ptr, which records
 * the pages it hands out, so a rollback copies back only those.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/sim/sim_internal.h"
#include "core/kcore.h"

struct ram_bank {
	u64 base;
	u64 size;
	u8 *mem;
	u8 *cleaned;  /* per page: arch_clean_to_poc covered it whole since reset */
	u8 *saved;    /* the checkpoint's copy, or NULL */
	u64 *touched; /* one bit per page handed out since the checkpoint */
};

/* Bytes arch_clean_to_poc cleaned outside RAM (kcore's own data on the simulated machine). */
static u64 cleaned_elsewhere;

static struct ram_bank banks[SIM_MAX_RAM_BANKS];
static u32 nr_banks;
static bool tracking; /* a checkpoint exists: sim_ram_ptr records pages */

/* Ranges rolled back whether or not sim_ram_ptr handed them out. */
static struct sim_ram_bank always[SIM_MAX_RAM_BANKS];
static u32 nr_always;

static void free_banks(void)
{
	for (u32 i = 0; i < nr_banks; i++) {
		free(banks[i].mem);
		free(banks[i].cleaned);
		free(banks[i].saved);
		free(banks[i].touched);
	}
	cleaned_elsewhere = 0;
	tracking = false;
	nr_always = 0;
	memset(banks, 0, sizeof(banks));
	nr_banks = 0;
}

static void check_bank(const struct sim_ram_bank *b)
{
	u64 base = pa_addr(b->base);

	if (b->size == 0 || !is_aligned(base, PAGE_SIZE) || !is_aligned(b->size, PAGE_SIZE))
		sim_die("RAM bank %#llx+%#llx: empty or not page aligned", (unsigned long long)base,
			(unsigned long long)b->size);
	if (base + b->size < base || base + b->size > (1ull << SIM_PA_BITS))
		sim_die("RAM bank %#llx+%#llx: beyond the %u-bit PA space",
			(unsigned long long)base, (unsigned long long)b->size, SIM_PA_BITS);
}

static bool banks_overlap(const struct sim_ram_bank *a, const struct sim_ram_bank *b)
{
	return pa_addr(a->base) < pa_addr(b->base) + b->size &&
	       pa_addr(b->base) < pa_addr(a->base) + a->size;
}

/* Banks are kept sorted by base so that bank 0 is the lowest. */
static void add_bank(const struct sim_ram_bank *b)
{
	u32 pos = nr_banks;
	u8 *mem = calloc(1, b->size);
	u8 *cleaned = calloc(1, b->size / PAGE_SIZE);

	if (!mem || !cleaned)
		sim_die("cannot allocate %llu bytes of RAM", (unsigned long long)b->size);
	while (pos > 0 && banks[pos - 1].base > pa_addr(b->base)) {
		banks[pos] = banks[pos - 1];
		pos--;
	}
	banks[pos] = (struct ram_bank){
	    .base = pa_addr(b->base), .size = b->size, .mem = mem, .cleaned = cleaned};
	nr_banks++;
}

void sim_machine_reset(const struct sim_config *cfg)
{
	struct sim_config c = {0};

	sim_set_wfi_deadline(KC_WFI_NO_DEADLINE);
	if (cfg)
		c = *cfg;
	if (c.nr_ram == 0) {
		c.ram[0].base = pa_init(SIM_DEFAULT_RAM_BASE);
		c.ram[0].size = SIM_DEFAULT_RAM_SIZE;
		c.nr_ram = 1;
	}
	if (c.nr_ram > SIM_MAX_RAM_BANKS)
		sim_die("%u RAM banks, at most %u", c.nr_ram, SIM_MAX_RAM_BANKS);
	for (u32 i = 0; i < c.nr_ram; i++) {
		check_bank(&c.ram[i]);
		for (u32 j = 0; j < i; j++)
			if (banks_overlap(&c.ram[i], &c.ram[j]))
				sim_die("RAM banks %u and %u overlap", j, i);
	}

	free_banks();
	for (u32 i = 0; i < c.nr_ram; i++)
		add_bank(&c.ram[i]);

	sim_regime_reset(c.manual_roots);
	sim_tlb_reset();
	sim_smmu_reset();
	sim_recorders_reset();
	sim_dcache_reset();
	sim_random_reset(0, false);
	sim_sha256_fast(true);
}

static const struct ram_bank *find_bank(u64 pa)
{
	for (u32 i = 0; i < nr_banks; i++)
		if (pa - banks[i].base < banks[i].size)
			return &banks[i];
	return NULL;
}

static void touch(const struct ram_bank *b, u64 page)
{
	if (page < b->size >> PAGE_SHIFT)
		b->touched[page / 64] |= 1ull << (page % 64);
}

void *sim_ram_ptr(paddr_t pa)
{
	const struct ram_bank *b = find_bank(pa_addr(pa));
	u64 off;

	if (b == NULL)
		return NULL;
	off = pa_addr(pa) - b->base;
	if (tracking) {
		/* A pointer from here serves at most a page from pa: its page and the next. */
		touch(b, off >> PAGE_SHIFT);
		touch(b, (off >> PAGE_SHIFT) + 1);
	}
	return b->mem + off;
}

bool sim_ram_load_u64(paddr_t pa, u64 *val)
{
	const struct ram_bank *b = find_bank(pa_addr(pa));
	u64 off;

	if (b == NULL || b->size - (pa_addr(pa) - b->base) < sizeof(*val))
		return false;
	off = pa_addr(pa) - b->base;
	memcpy(val, b->mem + off, sizeof(*val));
	return true;
}

static u64 bitmap_words(const struct ram_bank *b)
{
	return ((b->size >> PAGE_SHIFT) + 63) / 64;
}

void sim_ram_checkpoint(void)
{
	for (u32 i = 0; i < nr_banks; i++) {
		struct ram_bank *b = &banks[i];
		/* Kept from one checkpoint to the next; freed with the banks. */
		u8 *saved = b->saved != NULL ? b->saved : malloc(b->size);
		u64 *touched =
		    b->touched != NULL ? b->touched : malloc(bitmap_words(b) * sizeof(u64));

		b->saved = saved;
		b->touched = touched;
		if (saved == NULL || touched == NULL)
			sim_die("cannot allocate a RAM checkpoint of %llu bytes",
				(unsigned long long)b->size);
		memcpy(saved, b->mem, b->size);
		memset(touched, 0, bitmap_words(b) * sizeof(u64));
	}
	tracking = true;
}

void sim_ram_always_restore(paddr_t base, u64 size)
{
	if (nr_always == SIM_MAX_RAM_BANKS)
		sim_die("sim_ram_always_restore: more than %u ranges", SIM_MAX_RAM_BANKS);
	if (!sim_is_ram_range(base, size))
		sim_die("sim_ram_always_restore(%#llx, %#llx): not RAM",
			(unsigned long long)pa_addr(base), (unsigned long long)size);
	always[nr_always++] = (struct sim_ram_bank){.base = base, .size = size};
}

u64 sim_ram_rollback(void)
{
	u64 pages = 0;

	if (!tracking)
		sim_die("sim_ram_rollback without a checkpoint (%u banks)", nr_banks);
	for (u32 i = 0; i < nr_always; i++) {
		const struct ram_bank *b = find_bank(pa_addr(always[i].base));
		u64 off;

		/* sim_ram_always_restore took only RAM, and banks change only with a new machine.
		 */
		if (b == NULL || b->saved == NULL)
			sim_die("sim_ram_rollback: %#llx is no longer checkpointed RAM",
				(unsigned long long)pa_addr(always[i].base));
		off = pa_addr(always[i].base) - b->base;

		memcpy(b->mem + off, b->saved + off, always[i].size);
	}
	for (u32 i = 0; i < nr_banks; i++) {
		const struct ram_bank *b = &banks[i];

		for (u64 w = 0; w < bitmap_words(b); w++) {
			while (b->touched[w] != 0) {
				u64 off = (w * 64 + (u64)__builtin_ctzll(b->touched[w]))
					  << PAGE_SHIFT;

				memcpy(b->mem + off, b->saved + off, PAGE_SIZE);
				b->touched[w] &= b->touched[w] - 1;
				pages++;
			}
		}
	}
	return pages;
}

bool sim_ram_matches_checkpoint(void)
{
	for (u32 i = 0; i < nr_banks; i++) {
		if (banks[i].saved == NULL ||
		    memcmp(banks[i].mem, banks[i].saved, banks[i].size) != 0)
			return false;
	}
	return nr_banks > 0;
}

bool sim_is_ram(paddr_t pa)
{
	return find_bank(pa_addr(pa)) != NULL;
}

bool sim_is_ram_range(paddr_t pa, u64 len)
{
	const struct ram_bank *b = find_bank(pa_addr(pa));

	return b && len <= b->size - (pa_addr(pa) - b->base);
}

paddr_t sim_ram_base(void)
{
	return pa_init(nr_banks ? banks[0].base : 0);
}

u64 sim_ram_size(void)
{
	return nr_banks ? banks[0].size : 0;
}

u32 sim_ram_nr_banks(void)
{
	return nr_banks;
}

struct sim_ram_bank sim_ram_bank(u32 i)
{
	if (i >= nr_banks)
		return (struct sim_ram_bank){.base = pa_init(0), .size = 0};
	return (struct sim_ram_bank){.base = pa_init(banks[i].base), .size = banks[i].size};
}

u64 sim_read_u64(paddr_t pa)
{
	u64 v;

	if (!sim_is_ram_range(pa, sizeof(v)))
		sim_die("read of PA %#llx: not RAM", (unsigned long long)pa_addr(pa));
	memcpy(&v, sim_ram_ptr(pa), sizeof(v));
	return v;
}

void sim_write_u64(paddr_t pa, u64 val)
{
	if (!sim_is_ram_range(pa, sizeof(val)))
		sim_die("write of PA %#llx: not RAM", (unsigned long long)pa_addr(pa));
	memcpy(sim_ram_ptr(pa), &val, sizeof(val));
}

void sim_record_clean(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	for (u32 i = 0; i < nr_banks; i++) {
		uintptr_t mem = (uintptr_t)banks[i].mem;

		if (a < mem || a - mem >= banks[i].size)
			continue;
		if (len > banks[i].size - (a - mem))
			sim_die("arch_clean_to_poc(%p, %zu) past the end of a RAM bank (core bug)",
				p, len);
		/* Only pages covered whole count: a page partly cleaned is not clean. */
		for (u64 off = (a - mem + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
		     off + PAGE_SIZE <= a - mem + len; off += PAGE_SIZE)
			banks[i].cleaned[off / PAGE_SIZE] = 1;
		return;
	}
	cleaned_elsewhere += len;
}

bool sim_page_cleaned(paddr_t pa)
{
	const struct ram_bank *b = find_bank(pa_addr(pa));

	return b != NULL && b->cleaned[(pa_addr(pa) - b->base) / PAGE_SIZE] != 0;
}

u64 sim_cleaned_elsewhere(void)
{
	return cleaned_elsewhere;
}
