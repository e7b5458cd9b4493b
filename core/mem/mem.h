/* SPDX-License-Identifier: MIT */
/*
 * Every change of a page's ownership state (struct page_info: owner, share
 * count, dma_count, gfn), named by direction as pKVM's mem_protect.c names
 * them: who gives the page, who receives it. Nothing outside core/mem/
 * writes page_info (scripts/check_mem_rules.sh), so the invariant checker
 * and the security argument have these functions, and only these, to
 * account for.
 *
 *   transition             from                          to
 *   mem_owners_init        (boot)                        HOST; kcore's ranges KCORE
 *   host_donate_vm         HOST, unshared, no DMA        VM n at gfn, unshared
 *   vm_share_host          VM n, unshared                VM n, shared (count 1)
 *   vm_unshare_host        VM n, shared, no DMA          VM n, unshared
 *   vm_reclaim_host        VM n (powered off)            HOST, zeroed
 *   host_donate_kcore      HOST, unshared, no DMA        KCORE (an image page)
 *   kcore_donate_vm        KCORE (a verified image)      VM n at gfn, unshared
 *   kcore_donate_host      KCORE (an unverified image)   HOST, zeroed
 *   host_dma_map           HOST or shared VM page, DMA k DMA k + 1
 *   host_dma_unmap         DMA k > 0                     DMA k - 1
 *
 * Each is a check that returns an error (include/kcore/abi.h) and changes
 * nothing, and a commit that cannot fail; where the caller needs the two
 * apart (a check made before mem_lock, or other checks in between), both
 * are exported, else the exported function checks and then commits. The
 * order of a move is always the same: the page leaves its old owner's
 * mappings (with invalidation), changes owner, and only then appears in the
 * new owner's. Every call takes the mem_lock token.
 *
 * core/mem sits below the VM registry (core/vm): a VM is its id and its
 * stage-2 here. Callers hold that VM's vm->lock where they pass its stage-2.
 */
#ifndef KCORE_MEM_MEM_H
#define KCORE_MEM_MEM_H

#include "core/kcore.h"
#include "core/mm/mem_lock.h"
#include "core/mm/pgowner.h"
#include "core/mm/pgtable.h"

/*
 * Boot: every page of RAM the host's, unshared, mapped nowhere; then every
 * page of the given ranges (kcore's image and carve-out) kcore's.
 */
void mem_owners_init(struct mem_locked locked, const struct kcore_mem_range *kcore_ranges,
		     u32 nr_ranges);

/*
 * The host gives [pa, pa + size) to VM vmid at ipa: KCORE_E_INVAL (not
 * RAM), KCORE_E_PERM (not the host's) or KCORE_E_BUSY (shared, or in an IO
 * domain) and nothing changed; else every page leaves the host's stage-2,
 * becomes the VM's at its gfn and is mapped RWX in vm_s2, whose free space
 * and pool the caller checked (a leaf of size there).
 */
int host_donate_vm(struct mem_locked locked, u32 vmid, struct pgtable *vm_s2, u64 ipa, paddr_t pa,
		   u64 size);

/*
 * The host hands one page of an image to kcore, mapped read-only at the
 * window page va: KCORE_E_INVAL, KCORE_E_PERM, KCORE_E_BUSY as for
 * host_donate_vm, KCORE_E_NOMEM when kcore's pool cannot map the window page;
 * nothing changed then. Else the page leaves the host's reach (owner,
 * stage-2, TLB); if image_bytes (the image's bytes from this page on) ends
 * inside it, the rest is zeroed (what the host put after the image is not
 * signed); it is cleaned to memory and mapped at va.
 */
int host_donate_kcore(struct mem_locked locked, paddr_t pa, vaddr_t va, u64 image_bytes);

/*
 * A verified image page goes from kcore to VM vmid at ipa, mapped RWX in
 * vm_s2 (whose pool the caller checked). The page is kcore's (an invariant:
 * halts otherwise).
 */
void kcore_donate_vm(struct mem_locked locked, u32 vmid, struct pgtable *vm_s2, ipaddr_t ipa,
		     paddr_t pa);

/* An image page that never verified goes back to the host, zeroed (kcore's: halts otherwise). */
void kcore_donate_host(struct mem_locked locked, paddr_t pa);

/*
 * Reclaiming [ipa, ipa + size) of a powered-off VM: KCORE_E_INVAL if a leaf
 * of vm_s2 straddles the range (a half-reclaimed block); changes nothing.
 * Needs only the VM's lock: it reads the VM's stage-2 alone.
 */
int vm_reclaim_host_check(const struct pgtable *vm_s2, u64 ipa, u64 size);

/*
 * The commit after vm_reclaim_host_check: every leaf of the range leaves
 * vm_s2 (and the TLB) first, then each of its RAM pages is zeroed, cleaned
 * and the host's; no instruction of the VM's stays cached if any leaf went.
 */
void vm_reclaim_host(struct mem_locked locked, struct pgtable *vm_s2, u64 ipa, u64 size);

/*
 * The VM's RAM page at ipa (which needs no alignment): true and *pa, page
 * aligned; false if unmapped or a device page. Whatever RAM the VM maps it
 * owns at that gfn (vm_iso; halts otherwise). Caller holds the VM's lock,
 * under which the owner of the VM's pages cannot change.
 */
bool vm_ram_page(const struct pgtable *vm_s2, u32 vmid, u64 ipa, paddr_t *pa);

/*
 * The VM shares its page at ipa with the host, who maps it on its next
 * fault there: KCORE_E_NOENT (no RAM page there), KCORE_E_EXIST (already).
 */
int vm_share_host(struct mem_locked locked, u32 vmid, const struct pgtable *vm_s2, u64 ipa);

/*
 * The VM takes its page at ipa back: KCORE_E_NOENT, KCORE_E_STATE (not
 * shared), KCORE_E_BUSY (in an IO domain: a device could still reach it);
 * else it leaves the host's stage-2 and is unshared.
 */
int vm_unshare_host(struct mem_locked locked, u32 vmid, const struct pgtable *vm_s2, u64 ipa);

/*
 * May an IO domain of domain_owner (OWNER_HOST or a vmid) map pa at iova?
 * KCORE_E_INVAL (not RAM: no peer-to-peer DMA), KCORE_E_PERM (smmu_iso: a
 * host domain maps host pages and pages VMs share; a VM's domain only pages
 * that VM shares, at their gfn); changes nothing.
 */
int host_dma_map_check(struct mem_locked locked, u32 domain_owner, paddr_t pa, u64 iova);

/* The commit: one more IO mapping of pa (after host_dma_map_check). */
void host_dma_map(struct mem_locked locked, paddr_t pa);

/* One IO mapping of pa fewer, once it is unmapped and invalidated (halts if none). */
void host_dma_unmap(struct mem_locked locked, paddr_t pa);

/*
 * The host's DMA mirror (dma_mirror.c): an IO table mapping exactly the
 * host's RAM pages at iova == pa, for a host without an IOMMU driver. Start
 * fills pt (an IO domain's, core/smmu) with a leaf for every page the host
 * owns: NOMEM if its pool cannot hold the tables, EXIST if a mirror exists;
 * changes nothing then. From then on the donations call leave before a page
 * goes to a VM or kcore, and the scrub calls return once it is the host's
 * again; both are nothing without a mirror, and cannot fail with one.
 */
int dma_mirror_start(struct mem_locked locked, struct pgtable *pt);
bool dma_mirror_is(const struct pgtable *pt);
void dma_mirror_leave(struct mem_locked locked, paddr_t pa);
void dma_mirror_return(struct mem_locked locked, paddr_t pa);
/* No mirror: boot's state (mem_owners_init). */
void dma_mirror_forget(void);

/*
 * The invariant checker's per-page scratch counter (smmu_count), which is
 * not ownership state: set to zero everywhere, and one more for pa. The
 * checker holds every lock.
 */
void mem_check_scratch_clear(void);
void mem_check_scratch_count(paddr_t pa);

#endif /* KCORE_MEM_MEM_H */
