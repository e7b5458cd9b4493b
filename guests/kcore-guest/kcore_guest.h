/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * kcore-guest.ko (docs/virtio.md, "The guest's side"): a protected Linux
 * guest's only shared memory. The pool (bounce_pool.c) is one physically
 * contiguous run of the guest's pages, shared with the host page by page
 * through pKVM's MEM_SHARE call, which kcore answers (docs/abi.md, "KVM's
 * vendor calls"). The DMA operations (bounce_dma.c) make every virtio-mmio
 * device use it: rings are allocated in it, and every buffer a driver maps
 * is copied into it (to the device) or out of it (from the device). The
 * module itself (guest_main.c) finds the hypervisor and the devices.
 */
#ifndef KCORE_GUEST_H
#define KCORE_GUEST_H

#include <linux/dma-map-ops.h>
#include <linux/types.h>

/* Shares `pages` zeroed, contiguous pages with the host; 0 or a negative errno. */
int bounce_pool_create(unsigned long pages);

/*
 * A run of n whole pool pages: its start, or -ENOMEM. `orig` is the private
 * buffer a streaming mapping copies to and from (NULL for a coherent
 * allocation, which lives in the pool). Safe in atomic context.
 */
long bounce_pool_take(unsigned long n, void *orig, size_t size);
/* Gives back the run that starts at slot `first` (what bounce_pool_take returned). */
void bounce_pool_give(unsigned long first);

/*
 * The mapping a DMA address lies in: its first slot, or -EINVAL for an
 * address outside the pool or in no mapping (a driver bug: the caller warns).
 */
long bounce_pool_lookup(dma_addr_t addr, unsigned long *first);

/* A slot's address in the guest's linear map, and as the device sees it. */
void *bounce_pool_va(unsigned long slot);
dma_addr_t bounce_pool_dma(unsigned long slot);

/* A streaming mapping's private buffer and size (bounce_pool_take's orig, size). */
void *bounce_pool_orig(unsigned long first, size_t *size);

unsigned long bounce_pool_slots(void);
unsigned long bounce_pool_free_slots(void);

/* Whole-page runs only: a mapping is at most this many bytes (max_mapping_size). */
#define BOUNCE_MAX_MAPPING (256ul * 1024)

extern const struct dma_map_ops kcore_bounce_dma_ops;

#endif /* KCORE_GUEST_H */
