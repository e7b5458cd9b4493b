/* SPDX-License-Identifier: MIT */
/*
 * The portable core's interface to the arch layer beneath it: boot, the two
 * dispatchers, the host's stage-2 fault path, the vCPU run-state hooks and the
 * invariant checker. Everything the arch calls into the core is here.
 */
#ifndef KCORE_KCORE_H
#define KCORE_KCORE_H

#include <kcore/abi.h>
#include <kcore/image.h>

#include "lib/addr.h"

#define KCORE_MAX_RAM_BANKS   8u
#define KCORE_MAX_DEV_RANGES  64u
#define KCORE_MAX_VMS	      32u /* build-time ceiling; boot params pick the limit */
#define KCORE_MAX_VCPUS	      16u /* per VM, same */
#define KCORE_MAX_LOAD_IMAGES 4u  /* images per VM (kernel, initrd, ...) */
#define KCORE_HOST_VMID	      0u  /* VMID 0 is the host; VMs are 1..max_vms */
/* What KC_HC_VERSION and KC_GC_VERSION return in x1. */
#define KCORE_ABI_VERSION     (((u64)KCORE_ABI_MAJOR << 16) | KCORE_ABI_MINOR)

/* DMA isolation (core/smmu): IO domains 0..15, SMMU streams 0..255 (PCI bus 0's requester IDs). */
#define KCORE_MAX_IO_DOMAINS	16u
#define KCORE_MAX_STREAMS	256u
/* Bounds io_pool_pages so that no page can be mapped 2^32 times (512 leaves per table page). */
#define KCORE_MAX_IO_POOL_PAGES (1u << 22)

struct kcore_mem_range {
	paddr_t base;
	u64 size;
};

/*
 * The platform policy (docs/security.md, "Platform policy"): the class of every
 * non-RAM range the machine has. A physical address no range covers is DENIED.
 */
enum kcore_dev_class {
	KCORE_DEV_DENIED = 0,  /* never mapped for the host nor for any VM */
	KCORE_DEV_KCORE,       /* kcore's own device (the SMMU): only kcore touches it */
	KCORE_DEV_MEDIATED,    /* never mapped: kcore emulates the host's accesses */
	KCORE_DEV_BEHIND_SMMU, /* its bus masters reach memory only through kcore's SMMU */
	KCORE_DEV_HOST_SAFE,   /* cannot master the bus: the host and VMs may map it */
	KCORE_DEV_NR_CLASSES
};

struct kcore_dev_range {
	paddr_t base;
	u64 size;
	u32 dev_class; /* enum kcore_dev_class */
};

struct kcore_boot_params {
	struct kcore_mem_range ram[KCORE_MAX_RAM_BANKS];
	u32 nr_ram;
	/* kcore's own text and data: owned by kcore from the start. */
	struct kcore_mem_range kcore_image;
	/*
	 * Free RAM, at least kcore_carve_size() bytes, from which kcore takes its
	 * page-ownership table and page-table pools. Owned by kcore.
	 */
	struct kcore_mem_range carve;
	/*
	 * The platform policy: page-aligned, non-empty ranges that overlap neither
	 * each other nor RAM, each with its class. Everything else is DENIED.
	 */
	struct kcore_dev_range devices[KCORE_MAX_DEV_RANGES];
	u32 nr_devices;
	u32 ipa_bits;	      /* 40..48: IPA size of every stage-2 */
	u32 max_vms;	      /* 1..KCORE_MAX_VMS */
	u32 max_vcpus;	      /* 1..KCORE_MAX_VCPUS, per VM */
	u32 host_pool_pages;  /* page-table pages for the host's stage-2 */
	u32 kcore_pool_pages; /* page-table pages for kcore's own stage-1 */
	u32 vm_pool_pages;    /* page-table pages for each VM's stage-2 */
	/*
	 * Page-table pages shared by every IO domain (0..KCORE_MAX_IO_POOL_PAGES);
	 * 0 turns IO support off: the IO hypercalls are then NOT_SUPPORTED.
	 */
	u32 io_pool_pages;
	/* The VA range of kcore's stage-1 where image windows are placed. */
	vaddr_t window_base;
	u64 window_pages;
	const struct kcore_trusted_key *keys;
	u32 nr_keys;
	/*
	 * The secret kcore's sealing key is derived from (snapshots, docs/abi.md);
	 * 16..64 bytes, or NULL/0 for none: the snapshot calls are then
	 * NOT_SUPPORTED. kcore keeps only the derived key.
	 */
	const u8 *seal_secret;
	u32 seal_secret_len;
};

/* How many bytes of RAM kcore_init() needs in params->carve. */
u64 kcore_carve_size(const struct kcore_boot_params *p);

/*
 * Takes ownership of the machine's memory as described: every RAM page starts
 * as the host's except kcore's image and carve-out. Returns KCORE_OK, or
 * KCORE_E_INVAL for inconsistent parameters (nothing is set up then).
 */
int kcore_init(const struct kcore_boot_params *p);

/*
 * For a host that has no IOMMU driver (a Linux host): the host's DMA mirror
 * (core/smmu/iommu.h), every stream attached to it, so the host's devices
 * reach exactly its own pages. After kcore_init and the SMMU's start,
 * before the host runs. KCORE_OK with the domain's id in *domain, or why not
 * (NOT_SUPPORTED: no SMMU; NOMEM: the IO pool is too small); nothing
 * changed then, and every stream stays blocked.
 */
int kcore_host_dma_mirror(u32 *domain);

/* Register file of a trapped HVC: x0..x7 in, status and results out. */
struct kcore_hvc_regs {
	u64 x[8];
};

/* The host's hypercall dispatcher (core/trap/host_hvc.c). */
void host_hvc_dispatch(struct kcore_hvc_regs *regs);

/*
 * What host_s2_fault returns for a page of a MEDIATED device: nothing is mapped
 * and nothing injected; the arch emulates the access (arch/aarch64/gicr_mediate.c).
 */
#define KCORE_HOST_FAULT_MEDIATED 1

/*
 * The host's stage-2 missed at ipa. Maps it (KCORE_OK: the host retries the
 * access), reports KCORE_HOST_FAULT_MEDIATED, or refuses (an error) and asks
 * the arch to inject an abort into the host.
 */
int host_s2_fault(ipaddr_t ipa);

/*
 * vCPU run state, used by the arch's run loop around a world switch:
 * activate checks that the VM is verified, the vCPU ready, and (first run)
 * that its entry PC lies in a verified image. *entry_pc is that entry on
 * the first run and 0 on any later one (decided under vm->lock: see
 * struct vcpu_start in core/vm/vm.h).
 */
int vcpu_activate(u32 vmid, u32 vcpuid, u64 *entry_pc);
void vcpu_deactivate(u32 vmid, u32 vcpuid);

/*
 * A guest HVC from an active vCPU. Returns true when kcore handled it (results
 * in regs); false when it goes to the host as a guest call.
 */
bool vm_hvc_dispatch(u32 vmid, u32 vcpuid, struct kcore_hvc_regs *regs);

/* The guest asked to power off (PSCI SYSTEM_OFF/RESET): core/memops/teardown.c. */
void vm_guest_poweroff(u32 vmid);

/* Where each stage-2 root lives (sim MMU, world switch). */
bool kcore_s2_root(u32 vmid, paddr_t *root);
/* Where an allocated IO domain's table lives (the simulated SMMU's TLB model). */
bool kcore_io_domain_root(u32 domain, paddr_t *root);
paddr_t kcore_s1_root(void);
u32 kcore_ipa_bits(void);

/* The parameters kcore booted with (for the invariant checker). */
const struct kcore_boot_params *kcore_params(void);

/*
 * Before a reset, a power-off or a panic's halt (core/machine_scrub.c;
 * the arch calls these with every other CPU stopped, see there).
 *
 * kcore_scrub_revoke empties the root table of every stage-2 (each VM's
 * and the host's) and invalidates each VMID's TLB entries: from then on no
 * guest and no host access translates, so a CPU running either traps into
 * kcore at its next access.
 *
 * kcore_scrub_memory then zeroes, and cleans to the point of coherency
 * (arch_clean_to_poc), every RAM page that is not the host's: every VM's
 * pages (shared or not), image pages kcore holds, kcore's carve-out, and
 * kcore's own pages except those in keep (what the arch still runs on:
 * its image on aarch64). kcore's stage-1 tables stay (the arch's MMU walks
 * them; they hold kcore's own mappings, no VM data); the ownership table
 * goes last. It blocks every SMMU stream first and wipes the core's
 * secrets kept in its image: every VM's vCPU state and snapshot key, the
 * snapshot scratch pages, the sealing key. Host pages are not touched.
 * Returns the bytes zeroed. After it kcore's state is gone: the only thing
 * left to do is to reset, power off or halt.
 */
void kcore_scrub_revoke(void);
u64 kcore_scrub_memory(const struct kcore_mem_range *keep, u32 nr_keep);

/*
 * Where the ownership table lives in the carve-out (the reset scrub wipes it
 * last); size 0 until kcore_init succeeded.
 */
struct kcore_mem_range kcore_owner_table(void);

/* Walks the whole state; returns the number of violated properties (logged). */
u32 kcore_check_invariants(void);

#endif /* KCORE_KCORE_H */
