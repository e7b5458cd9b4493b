/* SPDX-License-Identifier: MIT */
#include "pages.h"

#include <string.h>

#include "console.h"
#include "exceptions.h"
#include "lock.h"

#define MAX_REGIONS 64

struct region {
	u64 base; /* page aligned */
	u64 pages;
	u64 first; /* index of its first page in the bitmap */
};

static struct region regions[MAX_REGIONS];
static u32 nr_regions;
static u64 free_map[KSERV_MAX_PAGES / 64];
static u64 nr_pages, nr_free;
static u64 next_word; /* where the next search starts */
static struct ticket_lock pages_lock;

/* Removes [cut) from every range in r[]; a range cut in the middle splits in two. */
static u32 subtract(struct range *r, u32 n, u32 cap, const struct range *cut)
{
	u64 cs = align_down(cut->base, KSERV_PAGE_SIZE);
	u64 ce = align_up(cut->base + cut->size, KSERV_PAGE_SIZE);

	for (u32 i = 0; i < n; i++) {
		u64 rs = r[i].base, re = range_end(&r[i]);

		if (ce <= rs || cs >= re)
			continue;
		if (cs > rs && ce < re) {
			if (n == cap) {
				kprintf("kserv: pages: too many holes; dropping 0x%lx-0x%lx\n", ce,
					re);
				r[i].size = cs - rs;
				continue;
			}
			r[n++] = (struct range){ce, re - ce};
			r[i].size = cs - rs;
		} else if (cs > rs) {
			r[i].size = cs - rs;
		} else if (ce < re) {
			r[i] = (struct range){ce, re - ce};
		} else {
			r[i].size = 0;
		}
	}
	return n;
}

void pages_init(const struct range *ram, u32 nr_ram, const struct range *exclude, u32 nr_exclude)
{
	struct range r[MAX_REGIONS];
	u32 n = 0;

	for (u32 i = 0; i < nr_ram && n < MAX_REGIONS; i++) {
		u64 s = align_up(ram[i].base, KSERV_PAGE_SIZE);
		u64 e = align_down(range_end(&ram[i]), KSERV_PAGE_SIZE);

		if (e > s)
			r[n++] = (struct range){s, e - s};
	}
	for (u32 i = 0; i < nr_exclude; i++)
		n = subtract(r, n, MAX_REGIONS, &exclude[i]);

	for (u32 i = 0; i < n; i++) {
		u64 pages = r[i].size >> KSERV_PAGE_SHIFT;

		if (pages == 0)
			continue;
		if (nr_pages + pages > KSERV_MAX_PAGES) {
			kprintf("kserv: pages: RAM beyond %u pages left unused (0x%lx-0x%lx)\n",
				KSERV_MAX_PAGES, r[i].base, range_end(&r[i]));
			pages = KSERV_MAX_PAGES - nr_pages;
			if (pages == 0)
				continue;
		}
		regions[nr_regions++] = (struct region){r[i].base, pages, nr_pages};
		for (u64 p = nr_pages; p < nr_pages + pages; p++)
			free_map[p / 64] |= 1ull << (p % 64);
		nr_pages += pages;
	}
	nr_free = nr_pages;
}

static u64 page_pa(u64 index)
{
	for (u32 i = 0; i < nr_regions; i++) {
		if (index - regions[i].first < regions[i].pages)
			return regions[i].base + ((index - regions[i].first) << KSERV_PAGE_SHIFT);
	}
	return 0;
}

u64 page_number(u64 pa)
{
	for (u32 i = 0; i < nr_regions; i++) {
		u64 off = pa - regions[i].base;

		if (pa >= regions[i].base && (off >> KSERV_PAGE_SHIFT) < regions[i].pages)
			return regions[i].first + (off >> KSERV_PAGE_SHIFT);
	}
	return KSERV_MAX_PAGES;
}

u64 page_alloc(void)
{
	u64 words = (nr_pages + 63) / 64;
	u64 pa = 0;

	ticket_lock(&pages_lock);
	for (u64 n = 0; n < words && nr_free > 0; n++) {
		u64 w = (next_word + n) % words;

		if (free_map[w] != 0) {
			u64 bit = (u64)__builtin_ctzll(free_map[w]);

			free_map[w] &= ~(1ull << bit);
			nr_free--;
			next_word = w;
			pa = page_pa(w * 64 + bit);
			break;
		}
	}
	ticket_unlock(&pages_lock);
	return pa;
}

static bool run_is_free(u64 first, u64 n)
{
	for (u64 i = first; i < first + n; i++) {
		if ((free_map[i / 64] & (1ull << (i % 64))) == 0)
			return false;
	}
	return true;
}

u64 page_alloc_aligned_run(u64 nr, u64 align)
{
	u64 pa = 0;

	if (nr == 0 || align < KSERV_PAGE_SIZE || (align & (align - 1)) != 0)
		return 0;
	ticket_lock(&pages_lock);
	for (u32 r = 0; r < nr_regions && pa == 0 && nr_free >= nr; r++) {
		const struct region *g = &regions[r];
		u64 end = g->base + (g->pages << KSERV_PAGE_SHIFT);

		for (u64 c = align_up(g->base, align); c < end && end - c >= nr * KSERV_PAGE_SIZE;
		     c += align) {
			u64 first = g->first + ((c - g->base) >> KSERV_PAGE_SHIFT);

			if (!run_is_free(first, nr))
				continue;
			for (u64 i = first; i < first + nr; i++)
				free_map[i / 64] &= ~(1ull << (i % 64));
			nr_free -= nr;
			pa = c;
			break;
		}
	}
	ticket_unlock(&pages_lock);
	return pa;
}

bool page_take(u64 pa)
{
	u64 i = page_number(pa);
	bool ok;

	ticket_lock(&pages_lock);
	ok = i < KSERV_MAX_PAGES && (pa & (KSERV_PAGE_SIZE - 1)) == 0 &&
	     (free_map[i / 64] & (1ull << (i % 64))) != 0;
	if (ok) {
		free_map[i / 64] &= ~(1ull << (i % 64));
		nr_free--;
	}
	ticket_unlock(&pages_lock);
	return ok;
}

void page_free(u64 pa)
{
	u64 i = page_number(pa);
	bool ok;

	ticket_lock(&pages_lock);
	ok = i < KSERV_MAX_PAGES && (pa & (KSERV_PAGE_SIZE - 1)) == 0 &&
	     (free_map[i / 64] & (1ull << (i % 64))) == 0;
	if (ok) {
		free_map[i / 64] |= 1ull << (i % 64);
		nr_free++;
	}
	ticket_unlock(&pages_lock);
	if (!ok) {
		kprintf("kserv: page_free(0x%lx): not an allocated page\n", pa);
		kserv_fail("page allocator misuse");
	}
}

void page_free_zeroed(u64 pa)
{
	memset((void *)(uintptr_t)pa, 0, KSERV_PAGE_SIZE);
	page_free(pa);
}

u64 pages_free(void)
{
	return nr_free;
}

u64 pages_total(void)
{
	return nr_pages;
}

u32 pages_nr_regions(void)
{
	return nr_regions;
}

struct range pages_region(u32 i)
{
	if (i >= nr_regions)
		return (struct range){0, 0};
	return (struct range){regions[i].base, regions[i].pages << KSERV_PAGE_SHIFT};
}
