/* SPDX-License-Identifier: MIT */
/*
 * kcore's locks and the one order in which they may be taken (outermost
 * first). A path that needs two takes them in this order and releases in the
 * reverse; no path takes a lock that appears above one it already holds.
 *
 *   1. vm_registry_lock (core/vm/vm.c)   VM slot allocation and release
 *   2. vm->lock         (core/vm/vm.c)   one VM: its states, vCPUs, images,
 *                                        stage-2 and page-table pool
 *   3. mem_lock         (core/mm/mem_lock.c) page ownership table (dma_count
 *                                        included), the host's stage-2 and
 *                                        pool, kcore's stage-1, its pool and
 *                                        the image windows, and every IO
 *                                        domain, the stream table and the IO
 *                                        pool (core/smmu/iommu.c), and the
 *                                        SMMU's command and event queues
 *                                        (every arch_smmu_* hook)
 *   4. console lock     (core/lib/log.c)  log output only; taken with any of
 *                                        the above held, never takes another
 *
 * The IO calls take mem_lock alone, except IO_DOMAIN_ALLOC for a VM, which
 * holds that VM's vm->lock first (the VM may not power off before its new
 * domain exists); a VM's power-off holds vm->lock and takes mem_lock to tear
 * its domains down. One lock for ownership and DMA means a page's owner and
 * its dma_count are always read together.
 *
 * Only one vm->lock is ever held at a time: no operation touches two VMs. The
 * one exception is the invariant checker, which takes every vm->lock in
 * ascending VMID order (and releases in descending order) to see one
 * consistent state; nothing else holds two, so it cannot deadlock.
 */
#ifndef KCORE_LOCK_ORDER_H
#define KCORE_LOCK_ORDER_H
#endif
