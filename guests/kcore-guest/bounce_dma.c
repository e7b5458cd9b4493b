// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * DMA operations that bounce through the shared pool (kcore_guest.h).
 *
 * To the device: the private buffer is copied into pool slots at map time
 * (and again at sync_for_device); the device sees only the slots.
 * From the device: the slots are copied into the private buffer at unmap
 * (and at sync_for_cpu), once: the driver then reads its private copy, so a
 * host that rewrites the pool afterwards changes nothing the guest has
 * already looked at. Coherent allocations (virtio's rings) are pool slots
 * themselves; what a driver reads from them it must check, and virtio_ring
 * does (a used id or length out of range marks the queue broken).
 */
#include <linux/dma-direction.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include "kcore_guest.h"

static bool to_device(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool from_device(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static dma_addr_t bounce_map_page(struct device *dev, struct page *page, unsigned long offset,
				  size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	void *orig = (u8 *)page_address(page) + offset;
	long first;

	if (size == 0 || size > BOUNCE_MAX_MAPPING)
		return DMA_MAPPING_ERROR;
	first = bounce_pool_take(DIV_ROUND_UP(size, PAGE_SIZE), orig, size);
	if (first < 0)
		return DMA_MAPPING_ERROR;
	/* Always filled: a FROM_DEVICE slot must not show the host the last mapping's bytes. */
	if (to_device(dir))
		memcpy(bounce_pool_va(first), orig, size);
	else
		memset(bounce_pool_va(first), 0, size);
	return bounce_pool_dma(first);
}

/* The part of a mapping [addr, addr + size) names, checked: NULL for a bad address or size. */
static void *mapping_part(struct device *dev, dma_addr_t addr, size_t size, void **slot_va)
{
	unsigned long first;
	size_t mapped;
	void *orig;
	size_t off;

	if (bounce_pool_lookup(addr, &first) != 0) {
		dev_warn_ratelimited(dev, "kcore-guest: DMA address %pad is not mapped\n", &addr);
		return NULL;
	}
	orig = bounce_pool_orig(first, &mapped);
	off = (size_t)(addr - bounce_pool_dma(first));
	if (orig == NULL || off > mapped || size > mapped - off) {
		dev_warn_ratelimited(dev, "kcore-guest: DMA sync/unmap outside its mapping\n");
		return NULL;
	}
	*slot_va = (u8 *)bounce_pool_va(first) + off;
	return (u8 *)orig + off;
}

static void bounce_sync_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	void *slot, *orig = mapping_part(dev, addr, size, &slot);

	if (orig != NULL && from_device(dir))
		memcpy(orig, slot, size);
}

static void bounce_sync_for_device(struct device *dev, dma_addr_t addr, size_t size,
				   enum dma_data_direction dir)
{
	void *slot, *orig = mapping_part(dev, addr, size, &slot);

	if (orig != NULL && to_device(dir))
		memcpy(slot, orig, size);
}

static void bounce_unmap_page(struct device *dev, dma_addr_t addr, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	unsigned long first;
	size_t mapped;
	void *orig;

	if (bounce_pool_lookup(addr, &first) != 0 || addr != bounce_pool_dma(first)) {
		dev_warn_ratelimited(dev, "kcore-guest: unmap of %pad, not a mapping's start\n",
				     &addr);
		return;
	}
	orig = bounce_pool_orig(first, &mapped);
	if (orig == NULL || size != mapped) {
		dev_warn_ratelimited(dev, "kcore-guest: unmap of %pad with the wrong size\n",
				     &addr);
		return;
	}
	if (from_device(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		memcpy(orig, bounce_pool_va(first), size);
	bounce_pool_give(first);
}

static void bounce_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			    enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
	    bounce_unmap_page(dev, sg_dma_address(sg), sg_dma_len(sg), dir, attrs);
}

static int bounce_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
			 enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
	{
		dma_addr_t addr =
		    bounce_map_page(dev, sg_page(sg), sg->offset, sg->length, dir, attrs);

		if (addr == DMA_MAPPING_ERROR) {
			bounce_unmap_sg(dev, sgl, i, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
			return -ENOMEM;
		}
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = sg->length;
	}
	return nents;
}

static void bounce_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl, int nents,
				   enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
	    bounce_sync_for_cpu(dev, sg_dma_address(sg), sg_dma_len(sg), dir);
}

static void bounce_sync_sg_for_device(struct device *dev, struct scatterlist *sgl, int nents,
				      enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
	    bounce_sync_for_device(dev, sg_dma_address(sg), sg_dma_len(sg), dir);
}

static void *bounce_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
			  unsigned long attrs)
{
	long first;

	if (size == 0 || size > BOUNCE_MAX_MAPPING)
		return NULL;
	first = bounce_pool_take(DIV_ROUND_UP(size, PAGE_SIZE), NULL, size);
	if (first < 0)
		return NULL;
	memset(bounce_pool_va(first), 0, PAGE_ALIGN(size));
	*dma_handle = bounce_pool_dma(first);
	return bounce_pool_va(first);
}

static void bounce_free(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle,
			unsigned long attrs)
{
	unsigned long first;

	if (bounce_pool_lookup(dma_handle, &first) != 0 || dma_handle != bounce_pool_dma(first) ||
	    vaddr != bounce_pool_va(first)) {
		dev_warn_ratelimited(dev, "kcore-guest: free of %pad, not an allocation\n",
				     &dma_handle);
		return;
	}
	bounce_pool_give(first);
}

static int bounce_dma_supported(struct device *dev, u64 mask)
{
	/* A device sees only pool addresses: it must reach the pool's last byte. */
	return bounce_pool_dma(bounce_pool_slots() - 1) + PAGE_SIZE - 1 <= mask ? 1 : 0;
}

static size_t bounce_max_mapping_size(struct device *dev)
{
	return BOUNCE_MAX_MAPPING;
}

const struct dma_map_ops kcore_bounce_dma_ops = {
    .alloc = bounce_alloc,
    .free = bounce_free,
    .map_page = bounce_map_page,
    .unmap_page = bounce_unmap_page,
    .map_sg = bounce_map_sg,
    .unmap_sg = bounce_unmap_sg,
    .sync_single_for_cpu = bounce_sync_for_cpu,
    .sync_single_for_device = bounce_sync_for_device,
    .sync_sg_for_cpu = bounce_sync_sg_for_cpu,
    .sync_sg_for_device = bounce_sync_sg_for_device,
    .dma_supported = bounce_dma_supported,
    .max_mapping_size = bounce_max_mapping_size,
};
