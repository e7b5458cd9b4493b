/* SPDX-License-Identifier: MIT */
/*
 * DMA isolation (the seeds' MmioSPTWalk/MmioSPTOps and MmioCore/MmioOps
 * layers): IO domains, each an SMMU page table owned by the host or by one
 * VM, and the streams (devices, by PCI requester ID) attached to them. A
 * stream attached to no domain is blocked: the SMMU aborts its DMA. kcore
 * checks ownership on every map, the rule the CPU's stage-2 follows (smmu_iso):
 *
 *   a host domain maps host pages and pages a VM shares with the host;
 *   a VM's domain maps only pages that VM shares, each at its IPA
 *     (iova == gfn), so a device attached to it sees the VM's own address
 *     space and the host cannot redirect its DMA from one page to another;
 *   no domain maps a VM's page the VM does not share (its consent: the host
 *     programs every device, one attached to a VM's domain too), kcore's
 *     pages, or anything that is not RAM.
 *
 * A page's dma_count counts its mappings in every IO domain (smmu_count):
 * while a device can reach a page, the page may not leave the host
 * (donation, image) and a VM may not take it back (unshare: BUSY). A VM's
 * domains go with the VM: when it is powered off kcore detaches their
 * streams, unmaps everything and frees them.
 *
 * Every call checks all of its arguments and the state first and then
 * commits with no way to fail. Domains, streams, the IO pool and dma_count
 * are protected by mem_lock; allocation for a VM takes vm->lock before it
 * (core/lock_order.h).
 */
#ifndef KCORE_SMMU_IOMMU_H
#define KCORE_SMMU_IOMMU_H

#include "core/arch.h"
#include "core/kcore.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgtable.h"
#include "core/vm/vm.h"

#define IO_DOMAIN_NONE 0xffffffffu /* a stream attached to no domain: blocked */

enum io_domain_state { IO_DOMAIN_FREE = 0, IO_DOMAIN_LIVE };

struct io_domain {
	enum io_domain_state state;
	u32 owner;	/* OWNER_HOST or a vmid */
	u32 nr_streams; /* streams attached to it */
	bool mirror; /* the host's DMA mirror (iommu_host_mirror): kcore maps it, never the host */
	struct pgtable pt;
};

/* Every domain free, every stream blocked; tables come from pool. */
void iommu_init(struct pt_pool *pool, u32 ia_bits);

/* Host calls: every argument raw from its register, all checked. */
int iommu_domain_alloc(u64 owner, u32 *domain);
int iommu_domain_free(u64 domain);
int iommu_attach(u64 domain, u64 sid);
int iommu_detach(u64 sid);
int iommu_map(u64 domain, u64 iova, u64 pa);
int iommu_unmap(u64 domain, u64 iova);
int iommu_iova_to_phys(u64 domain, u64 iova, u64 *pa);
/* The oldest DMA fault the SMMU recorded, taken off its queue (NOENT: none). */
int iommu_fault_pop(struct arch_io_fault *fault);

/*
 * The host's DMA mirror, for a host with no IOMMU driver (a Linux host, at
 * boot, before it runs: core/kcore.c): a host domain that kcore fills with
 * every page the host owns at iova == pa and keeps in step with ownership
 * (core/mem/dma_mirror.c), every stream attached to it. The host may move
 * a stream to a domain of its own (detach, attach) and back; it may not map,
 * unmap or free the mirror (PERM). NOT_SUPPORTED without an SMMU, NOMEM if
 * the IO pool cannot hold its tables, EXIST if there is one: nothing changed.
 */
int iommu_host_mirror(u32 *domain);

/*
 * The VM is being powered off: detach every stream of its domains, unmap
 * and free them. Under vm->lock (so no domain can be allocated for
 * it meanwhile); takes mem_lock.
 */
void iommu_release_vm(struct vm_locked locked);

/*
 * Blocks every attached stream (the reset scrub): afterwards no device
 * reaches memory through the SMMU. Takes no lock: the caller is the only
 * CPU left in kcore (core/machine_scrub.c: mem_locked_sole_cpu).
 */
void iommu_block_all_streams(struct mem_locked locked);

/* For the invariant checker and the tests (read under mem_lock). */
const struct io_domain *iommu_domain(u32 id);
u32 iommu_stream_domain(u32 sid);
const struct pt_pool *iommu_pool(void);

#endif /* KCORE_SMMU_IOMMU_H */
