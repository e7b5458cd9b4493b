/* SPDX-License-Identifier: MIT */
#include "pgowner.h"
#include "pgowner_write.h"

#include "core/lib/log.h"

struct ram_bank {
	u64 first_pfn;
	u64 nr_pages;
	u64 first_index; /* of this bank's first page in the table */
};

static struct ram_bank banks[KCORE_MAX_RAM_BANKS];
static u32 nr_banks;
static u64 total_pages;
static struct page_info *table;

u64 pgowner_table_bytes(const struct kcore_mem_range *ram, u32 nr_ram)
{
	u64 pages = 0;

	for (u32 i = 0; i < nr_ram; i++)
		pages += ram[i].size >> PAGE_SHIFT;
	return pages * sizeof(struct page_info);
}

void pgowner_init(void *storage, const struct kcore_mem_range *ram, u32 nr_ram)
{
	KC_CHECK(nr_ram <= KCORE_MAX_RAM_BANKS);
	nr_banks = nr_ram;
	total_pages = 0;
	for (u32 i = 0; i < nr_ram; i++) {
		banks[i].first_pfn = pa_pfn(ram[i].base);
		banks[i].nr_pages = ram[i].size >> PAGE_SHIFT;
		banks[i].first_index = total_pages;
		total_pages += banks[i].nr_pages;
	}
	table = storage;
}

/* The first bank's index of pfn (its first index is 0), or false. */
static inline bool index_in_first_bank(u64 pfn, u64 *index)
{
	if (nr_banks != 0 && pfn >= banks[0].first_pfn &&
	    pfn - banks[0].first_pfn < banks[0].nr_pages) {
		*index = pfn - banks[0].first_pfn;
		return true;
	}
	return false;
}

/* The other banks: called only when the first misses. */
static __attribute__((noinline)) bool index_in_other_banks(u64 pfn, u64 *index)
{
	for (u32 i = 1; i < nr_banks; i++) {
		if (pfn >= banks[i].first_pfn && pfn - banks[i].first_pfn < banks[i].nr_pages) {
			*index = banks[i].first_index + (pfn - banks[i].first_pfn);
			return true;
		}
	}
	return false;
}

/*
 * The first bank on its own, before the loop: on most machines it is the
 * only one, and exits look pages up several times each.
 */
static inline bool index_of(paddr_t pa, u64 *index)
{
	u64 pfn = pa_pfn(pa);

	return index_in_first_bank(pfn, index) || index_in_other_banks(pfn, index);
}

const struct page_info *pgowner_get(paddr_t pa)
{
	u64 index;

	return index_of(pa, &index) ? &table[index] : NULL;
}

struct page_info *pgowner_get_mut(paddr_t pa)
{
	u64 index;

	return index_of(pa, &index) ? &table[index] : NULL;
}

void pgowner_fill(struct page_info value)
{
	for (u64 i = 0; i < total_pages; i++)
		table[i] = value;
}

struct page_info *pgowner_entry_at(u64 index)
{
	KC_CHECK(index < total_pages);
	return &table[index];
}

bool pgowner_is_ram(paddr_t pa)
{
	u64 index;

	return index_of(pa, &index);
}

u64 pgowner_nr_pages(void)
{
	return total_pages;
}

paddr_t pgowner_page_at(u64 index)
{
	for (u32 i = 0; i < nr_banks; i++) {
		if (index - banks[i].first_index < banks[i].nr_pages)
			return pa_from_pfn(banks[i].first_pfn + (index - banks[i].first_index));
	}
	kc_panic("page index %lu beyond RAM", index);
}
