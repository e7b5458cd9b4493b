/* SPDX-License-Identifier: MIT */
#include "platform.h"

#include "core/lib/log.h"

static struct kcore_dev_range table[KCORE_MAX_DEV_RANGES];
static u32 nr_table;

static bool overlap(paddr_t a, u64 asz, paddr_t b, u64 bsz)
{
	return pa_addr(a) < pa_addr(b) + bsz && pa_addr(b) < pa_addr(a) + asz;
}

static bool dev_range_ok(const struct kcore_dev_range *d)
{
	return is_aligned(pa_addr(d->base), PAGE_SIZE) && is_aligned(d->size, PAGE_SIZE) &&
	       d->size > 0 && pa_addr(d->base) < (1ull << 48) &&
	       d->size <= (1ull << 48) - pa_addr(d->base) && d->dev_class < KCORE_DEV_NR_CLASSES;
}

bool platform_table_ok(const struct kcore_dev_range *dev, u32 nr_dev,
		       const struct kcore_mem_range *ram, u32 nr_ram)
{
	if (nr_dev > KCORE_MAX_DEV_RANGES || (nr_dev > 0 && dev == NULL))
		return false;
	for (u32 i = 0; i < nr_dev; i++) {
		if (!dev_range_ok(&dev[i]))
			return false;
		for (u32 j = 0; j < i; j++) {
			if (overlap(dev[i].base, dev[i].size, dev[j].base, dev[j].size))
				return false;
		}
		/* RAM is governed by page ownership, never by a device class. */
		for (u32 j = 0; j < nr_ram; j++) {
			if (overlap(dev[i].base, dev[i].size, ram[j].base, ram[j].size))
				return false;
		}
	}
	return true;
}

void platform_init(const struct kcore_dev_range *dev, u32 nr_dev)
{
	KC_CHECK(nr_dev <= KCORE_MAX_DEV_RANGES);
	nr_table = nr_dev;
	for (u32 i = 0; i < nr_dev; i++)
		table[i] = dev[i];
}

static const struct kcore_dev_range *range_of(paddr_t pa)
{
	for (u32 i = 0; i < nr_table; i++) {
		if (pa_addr(pa) >= pa_addr(table[i].base) &&
		    pa_addr(pa) - pa_addr(table[i].base) < table[i].size)
			return &table[i];
	}
	return NULL;
}

enum kcore_dev_class platform_class(paddr_t pa)
{
	const struct kcore_dev_range *r = range_of(pa);

	return r != NULL ? (enum kcore_dev_class)r->dev_class : KCORE_DEV_DENIED;
}

/* The lowest range base above at, or end. */
static u64 next_range_start(u64 at, u64 end)
{
	u64 next = end;

	for (u32 i = 0; i < nr_table; i++) {
		if (pa_addr(table[i].base) > at && pa_addr(table[i].base) < next)
			next = pa_addr(table[i].base);
	}
	return next;
}

bool platform_uniform_class(paddr_t base, u64 size, enum kcore_dev_class *cls)
{
	u64 at = pa_addr(base), end = pa_addr(base) + size;

	*cls = platform_class(base);
	/* Range by range: adjacent ranges of the same class are one class. */
	while (at < end) {
		const struct kcore_dev_range *r = range_of(pa_init(at));

		if (r == NULL) {
			/* Uncovered space is DENIED up to the next range. */
			if (*cls != KCORE_DEV_DENIED)
				return false;
			at = next_range_start(at, end);
			continue;
		}
		if (r->dev_class != (u32)*cls)
			return false;
		at = pa_addr(r->base) + r->size;
	}
	return true;
}

bool platform_host_may_map_class(enum kcore_dev_class cls)
{
	return cls == KCORE_DEV_HOST_SAFE || cls == KCORE_DEV_BEHIND_SMMU;
}

bool platform_vm_may_map_class(enum kcore_dev_class cls)
{
	return cls == KCORE_DEV_HOST_SAFE || cls == KCORE_DEV_BEHIND_SMMU;
}
