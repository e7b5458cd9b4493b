/* SPDX-License-Identifier: MIT */
/*
 * "mem": the page allocator and the host's RAM, exercised.
 *  1. 256 pages allocated, every word written with an address-derived
 *     pattern, read back, freed.
 *  2. Every free page allocated until the allocator is empty: no page twice,
 *     the count as advertised; one word written and read back in every
 *     512th page (so RAM across the whole range is touched without making
 *     kcore build the host's stage-2 for all of it), then all freed and the
 *     free count back where it started.
 * The list of allocated pages lives in allocated pages themselves. Every
 * page written is zero again when it is freed (free pages stay zero).
 *
 * Marker: "MEM: OK pages=N" (N: pages in the full pass).
 */
#include "commands.h"
#include "console.h"
#include "pages.h"

#define PATTERN_PAGES  256
#define SAMPLE_EVERY   512
#define WORDS_PER_PAGE (KSERV_PAGE_SIZE / 8)
/* A list page: word 0 = the next list page, word 1 = entries used, then entries. */
#define LIST_CAP       (WORDS_PER_PAGE - 2)

static u64 seen[KSERV_MAX_PAGES / 64];

static u64 *page_words(u64 pa)
{
	return (u64 *)(uintptr_t)pa;
}

static u64 pattern(u64 pa, u64 i)
{
	return pa ^ (i * 0x9e3779b97f4a7c15ull) ^ 0x5a5a5a5a00000000ull;
}

static bool pattern_pass(void)
{
	static u64 pas[PATTERN_PAGES];
	u32 n = 0;
	bool ok = true;

	for (; n < PATTERN_PAGES; n++) {
		pas[n] = page_alloc();
		if (pas[n] == 0)
			break;
		for (u64 i = 0; i < WORDS_PER_PAGE; i++)
			page_words(pas[n])[i] = pattern(pas[n], i);
	}
	for (u32 p = 0; p < n; p++) {
		for (u64 i = 0; i < WORDS_PER_PAGE && ok; i++) {
			if (page_words(pas[p])[i] != pattern(pas[p], i)) {
				kprintf("mem: page 0x%lx word %lu: read 0x%lx, wrote 0x%lx\n",
					pas[p], i, page_words(pas[p])[i], pattern(pas[p], i));
				ok = false;
			}
		}
		page_free_zeroed(pas[p]);
	}
	kprintf("mem: pattern pass: %u pages written and read back: %s\n", n, ok ? "ok" : "FAILED");
	return ok && n > 0;
}

/* Allocates every free page; returns the first list page, counts in *count. */
static u64 allocate_all(u64 *count, bool *ok)
{
	u64 head = 0, pa;
	u64 *list = NULL;

	*count = 0;
	while ((pa = page_alloc()) != 0) {
		u64 nr = page_number(pa);

		if (nr >= KSERV_MAX_PAGES || (seen[nr / 64] & (1ull << (nr % 64)))) {
			kprintf("mem: page 0x%lx handed out twice (or not ours)\n", pa);
			*ok = false;
		} else {
			seen[nr / 64] |= 1ull << (nr % 64);
		}
		if (*count % SAMPLE_EVERY == 0) {
			page_words(pa)[WORDS_PER_PAGE - 1] = pattern(pa, 7);
			if (page_words(pa)[WORDS_PER_PAGE - 1] != pattern(pa, 7)) {
				kprintf("mem: page 0x%lx does not hold what was written\n", pa);
				*ok = false;
			}
			page_words(pa)[WORDS_PER_PAGE - 1] = 0; /* free pages stay zero */
		}
		(*count)++;
		if (list == NULL || list[1] == LIST_CAP) {
			u64 *fresh = page_words(pa);

			fresh[0] = head;
			fresh[1] = 0;
			head = pa;
			list = fresh;
			continue;
		}
		list[2 + list[1]++] = pa;
	}
	return head;
}

static void free_all(u64 head)
{
	while (head != 0) {
		u64 *list = page_words(head);
		u64 next = list[0];

		for (u64 i = 0; i < list[1]; i++) {
			u64 nr = page_number(list[2 + i]);

			if (nr < KSERV_MAX_PAGES)
				seen[nr / 64] &= ~(1ull << (nr % 64));
			page_free(list[2 + i]);
		}
		seen[page_number(head) / 64] &= ~(1ull << (page_number(head) % 64));
		page_free_zeroed(head);
		head = next;
	}
}

int cmd_mem(int argc, char **argv)
{
	u64 before = pages_free(), count, head;
	bool ok;

	(void)argc;
	(void)argv;
	ok = pattern_pass();
	if (pages_free() != before) {
		kprintf("mem: %lu pages free after the pattern pass, %lu before\n", pages_free(),
			before);
		ok = false;
	}
	head = allocate_all(&count, &ok);
	if (count != before || pages_free() != 0) {
		kprintf("mem: allocated %lu pages of %lu advertised; %lu left\n", count, before,
			pages_free());
		ok = false;
	}
	free_all(head);
	if (pages_free() != before) {
		kprintf("mem: %lu pages free after freeing all, %lu before\n", pages_free(),
			before);
		ok = false;
	}
	kprintf("mem: full pass: %lu pages allocated, every %uth touched, all freed: %s\n", count,
		SAMPLE_EVERY, ok ? "ok" : "FAILED");
	if (ok)
		kprintf("MEM: OK pages=%lu\n", count);
	else
		kprintf("MEM: FAILED\n");
	return ok ? 0 : 1;
}
