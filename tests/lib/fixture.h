/* SPDX-License-Identifier: MIT */
/*
 * The test fixture for kcore on the simulated machine: boots a fresh machine
 * and core, plays the host (hypercalls, its own memory, image loading) and
 * the guests (accesses through the VM's stage-2, guest calls), and checks
 * after every step that the invariants hold and that no TLB entry went stale.
 */
#ifndef KCORE_TESTS_FIXTURE_H
#define KCORE_TESTS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/sim/sim.h"
#include "core/kcore.h"
#include "tools/lib/imgsign.h"

#define FX_RAM_BASE	    0x40000000ull
#define FX_RAM_SIZE	    (32ull << 20)
#define FX_KCORE_IMAGE_SIZE (1ull << 20)  /* pretend kcore text/data at the start of RAM */
#define FX_DEVICE_BASE	    0x09000000ull /* a device page the host may use (like a UART) */
#define FX_KCORE_DEVICE	    0x09050000ull /* a device page only kcore may touch */
/*
 * The simulated machine's platform policy (fx_policy): one range of each class
 * besides the two above, and space no range covers (DENIED by default).
 */
#define FX_GICD_LIKE_BASE   0x08000000ull /* HOST_SAFE, 64 KiB */
#define FX_MEDIATED_DEVICE  0x08100000ull /* MEDIATED, one page (like a GICR RD_base page) */
#define FX_DENIED_DEVICE    0x09060000ull /* DENIED by name, one page (like fw_cfg) */
#define FX_SMMU_WINDOW	    0x0a000000ull /* BEHIND_SMMU, 64 MiB (like a PCIe MMIO window) */
#define FX_SMMU_WINDOW_SIZE (64ull << 20)
#define FX_UNKNOWN_DEVICE   0x0f000000ull /* in no range: unknown, so DENIED */
#define FX_LOAD_IPA	    0x80000000ull /* where test VMs load their image */

struct fx_config {
	const u8 *seal_secret; /* NULL/0: kcore cannot seal (snapshots NOT_SUPPORTED) */
	u32 seal_secret_len;
	u32 max_vms;
	u32 max_vcpus;
	u32 host_pool_pages;
	u32 kcore_pool_pages;
	u32 vm_pool_pages;
	u32 io_pool_pages;
	u32 ipa_bits;
	u64 window_pages;
};

/* The defaults, for tests that want to change one field. */
struct fx_config fx_default_config(void);

/* The fixture's platform policy table; returns how many entries it wrote. */
u32 fx_policy(struct kcore_dev_range *out);

/* A fresh machine and kcore. cfg may be NULL for the defaults. */
void fx_boot(const struct fx_config *cfg);

/* The key kcore trusts in tests, and one it does not. */
const struct imgsign_key *fx_trusted_key(void);
const struct imgsign_key *fx_untrusted_key(void);

/* A host hypercall through the dispatcher: returns x0 as a status, x1 in *out. */
s64 fx_hc(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 *out);
#define fx_hc0(id) fx_hc((id), 0, 0, 0, 0, NULL)

/* Fresh, never-used host RAM pages (bump allocator); aligned to align bytes. */
u64 fx_host_alloc(u64 bytes, u64 align);
static inline u64 fx_host_page(void)
{
	return fx_host_alloc(4096, 4096);
}

/* Builds a signed image of payload (malloc'd, caller frees). */
uint8_t *fx_sign(const struct imgsign_key *key, const void *payload, size_t len, size_t *size);

/*
 * Writes an image into fresh host pages (as the host would), declares it with
 * SET_BOOT_INFO and hands every page over with REMAP_VM_IMAGE. Returns the
 * first error, or 0; *pages_pa gets the first page's PA when not NULL.
 */
s64 fx_load_image(u32 vmid, u64 load_ipa, const void *img, size_t size, u64 *pages_pa);

/*
 * Registers a VM with nr_vcpus vCPUs, loads a payload signed with the trusted
 * key at FX_LOAD_IPA, sets vCPU 0's entry to the start of it and verifies.
 * Asserts each step; returns the vmid.
 */
u32 fx_boot_vm(u32 nr_vcpus, const void *payload, size_t len);

/* A guest call from (vmid, vcpuid): true if kcore handled it; x0 in *err. */
bool fx_guest_call(u32 vmid, u32 vcpuid, u64 id, u64 a1, s64 *err);

/*
 * The guest's way to start a vCPU other than the boot vCPU: vCPU `from` of
 * vmid runs (KC_HC_VCPU_RUN; its first run if it never ran) and calls PSCI
 * CPU_ON(target, pc, x0). Returns the PSCI result the guest got (0: the
 * target will start at pc with x0). Replaces the test's guest (sim_set_guest).
 */
s64 fx_guest_cpu_on(u32 vmid, u32 from, u32 target, u64 pc, u64 x0);

/* Caches every current translation, as a worst-case TLB would. */
void fx_prime_tlb(void);

/*
 * The invariant checker and the TLB: fails the test if any property is
 * violated, any cached translation went stale (a missing invalidation), or
 * the simulated SMMU's stream table disagrees with kcore's (a missing
 * attach or detach). Then primes the TLB for the next step.
 */
void fx_check(void);

/*
 * A whole-state snapshot: RAM, every VM slot, the window bump pointer, pool
 * levels, every IO domain and stream (kcore's and the simulated SMMU's).
 */
struct fx_snapshot;
struct fx_snapshot *fx_snapshot_take(void);
bool fx_snapshot_equal(const struct fx_snapshot *a, const struct fx_snapshot *b);
void fx_snapshot_free(struct fx_snapshot *s);

/*
 * Issues a call that must be refused with `expect` and must change nothing:
 * compares the state before and after, and runs fx_check.
 */
void fx_expect_refused(s64 expect, u64 id, u64 a1, u64 a2, u64 a3, u64 a4);

/* Owner / count / gfn of a RAM page (test view of the ownership table). */
u32 fx_owner(u64 pa);
u32 fx_count(u64 pa);
u64 fx_gfn(u64 pa);
u32 fx_dma_count(u64 pa);

#endif /* KCORE_TESTS_FIXTURE_H */
