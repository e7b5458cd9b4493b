/* SPDX-License-Identifier: MIT */
/*
 * kcore's locks and the one order in which they may be taken: every lock has
 * a rank, given where it is defined or initialised (spin_lock_init,
 * SPINLOCK_INIT), and a CPU may take a lock only if its rank is strictly above
 * the rank of every lock that CPU already holds. Release is in any order.
 *
 *   LOCK_RANK_VM_REGISTRY  vm_registry_lock (core/vm/vm.c): VM slot
 *                          allocation and release
 *   LOCK_RANK_VM           vm->lock (core/vm/vm.c): one VM: its states,
 *                          vCPUs, images, stage-2 and page-table pool
 *   LOCK_RANK_MEM          mem_lock (core/mm/mem_lock.c): page ownership
 *                          table (dma_count included), the host's stage-2 and
 *                          pool, kcore's stage-1, its pool and the image
 *                          windows, and every IO domain, the stream table and
 *                          the IO pool (core/smmu/iommu.c), and the SMMU's
 *                          command and event queues (every arch_smmu_* hook)
 *   LOCK_RANK_CONSOLE      console lock (core/lib/log.c): log output only;
 *                          taken with any of the above held, never takes
 *                          another
 *
 * The IO calls take mem_lock alone, except IO_DOMAIN_ALLOC for a VM, which
 * holds that VM's vm->lock first (the VM may not power off before its new
 * domain exists); a VM's power-off holds vm->lock and takes mem_lock to tear
 * its domains down. One lock for ownership and DMA means a page's owner and
 * its dma_count are always read together.
 *
 * The one exception, same rank: only one vm->lock is held at a time (no
 * operation touches two VMs), except by the invariant checker, which takes
 * every vm->lock in ascending VMID order (and releases in descending order)
 * to see one consistent state. So a lock of LOCK_RANK_VM may be taken while
 * locks of that rank are held only if its order key (the VMID, given at
 * initialisation) is strictly above theirs: two CPUs doing so cannot
 * deadlock, since both climb the same ascending sequence. No other rank
 * allows it.
 *
 * Checking (core/lib/lock_check.c): in the host builds of the simulated
 * machine (KCORE_LOCK_CHECK, set by the Makefile for every unit test, the
 * race harness and the fuzzer) each simulated CPU (a thread; single-threaded
 * tests are CPU 0) keeps the set of locks it holds; spin_lock checks the
 * rule above before it takes its ticket, spin_unlock checks that the CPU
 * holds the lock it releases, and a violation is a kcore panic (the process
 * halts with SIM_HALT_EXIT_CODE: the test fails). On aarch64 the check and
 * the rank fields compile away: spinlock_t stays two words and the hot paths
 * are unchanged.
 */
#ifndef KCORE_LOCK_ORDER_H
#define KCORE_LOCK_ORDER_H

enum lock_rank {
	LOCK_RANK_NONE = 0, /* never given: taking such a lock is a violation */
	LOCK_RANK_VM_REGISTRY,
	LOCK_RANK_VM,
	LOCK_RANK_MEM,
	LOCK_RANK_CONSOLE,
};

/* The one rank whose locks may be nested among themselves, in ascending order key. */
#define LOCK_RANK_NESTS_ASCENDING(rank) ((rank) == LOCK_RANK_VM)

#endif /* KCORE_LOCK_ORDER_H */
