/* SPDX-License-Identifier: MIT */
/* The MMIO guard's per-VM table of page ranges (mmio_guard.h). */
#include "mmio_guard.h"

#include "core/lib/addr.h"
#include "core/lib/mem.h"
#include "vm.h"

void vm_mmio_guard_clear(struct vm_mmio_guard *g)
{
	memset(g, 0, sizeof(*g));
}

static bool range_has(const struct mmio_guard_range *r, u64 page)
{
	return page >= r->first && page < r->end;
}

/* The index of the range that contains page, or g->nr. */
static u32 find(const struct vm_mmio_guard *g, u64 page)
{
	u32 i;

	for (i = 0; i < g->nr; i++) {
		if (range_has(&g->range[i], page))
			break;
	}
	return i;
}

/* Adds page (in no range): extends or joins its neighbours, else takes a new slot. */
static int add_page(struct vm_mmio_guard *g, u64 page)
{
	u32 below = g->nr, above = g->nr;

	for (u32 i = 0; i < g->nr; i++) {
		if (g->range[i].end == page)
			below = i;
		if (g->range[i].first == page + PAGE_SIZE)
			above = i;
	}
	if (below < g->nr && above < g->nr) {
		/* The page fills the gap between two ranges: one range, one slot freed. */
		g->range[below].end = g->range[above].end;
		g->range[above] = g->range[g->nr - 1];
		g->nr--;
	} else if (below < g->nr) {
		g->range[below].end = page + PAGE_SIZE;
	} else if (above < g->nr) {
		g->range[above].first = page;
	} else if (g->nr == VM_MMIO_GUARD_RANGES) {
		return KCORE_E_NOMEM;
	} else {
		g->range[g->nr++] = (struct mmio_guard_range){page, page + PAGE_SIZE};
	}
	return KCORE_OK;
}

int vm_mmio_guard_map(struct vm *vm, u64 ipa)
{
	struct vm_locked locked;
	int err = KCORE_OK;

	if (!is_aligned(ipa, PAGE_SIZE) || ipa >= (1ull << vm_ipa_bits()))
		return KCORE_E_INVAL;
	locked = vm_lock(vm);
	/* RAM is never the host's to see: no page of it may be forwarded as MMIO. */
	if (vm_ipa_is_ram(vm, ipa) || vm_ipa_in_image(locked, ipa, PAGE_SIZE))
		err = KCORE_E_INVAL;
	else if (find(&vm->mmio_guard, ipa) == vm->mmio_guard.nr)
		err = add_page(&vm->mmio_guard, ipa);
	if (err == KCORE_OK)
		__atomic_store_n(&vm->mmio_guard.enrolled, 1, __ATOMIC_RELEASE);
	vm_unlock(&locked);
	return err;
}

bool vm_mmio_guard_allows(struct vm *vm, u64 ipa)
{
	struct vm_locked locked;
	bool found;

	if (__atomic_load_n(&vm->mmio_guard.enrolled, __ATOMIC_ACQUIRE) == 0)
		return true;
	locked = vm_lock(vm);
	found = find(&vm->mmio_guard, ipa & ~(PAGE_SIZE - 1)) < vm->mmio_guard.nr;
	vm_unlock(&locked);
	return found;
}
