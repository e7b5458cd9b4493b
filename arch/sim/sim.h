/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine on which the portable core runs as a Linux process.
 *
 * It models what the hardware sees, independently of the core's own page-table
 * code: an array as physical memory, an MMU that walks the tables the core
 * writes exactly as an ARMv8-A MMU would (VMSAv8-64, 4 KiB granule, stage-2 of
 * the host and of every VM, and kcore's own EL2 stage-1), an SMMU with a
 * stream table, IO page-table walks and an event queue, and a TLB that may
 * hold any valid translation (the CPU's and the SMMU's), so that a missing
 * invalidation is observable. Every arch hook the core calls is recorded for
 * the tests.
 */
#ifndef KCORE_ARCH_SIM_SIM_H
#define KCORE_ARCH_SIM_SIM_H

#include "core/lib/addr.h"

/* Exit status of the process after arch_halt_all(): tests fork to see a panic halt. */
#define SIM_HALT_EXIT_CODE 86

/* ---- machine: RAM and configuration ------------------------------------- */

#define SIM_MAX_RAM_BANKS    4u
#define SIM_DEFAULT_RAM_BASE 0x40000000ull
#define SIM_DEFAULT_RAM_SIZE (64ull << 20)
#define SIM_PA_BITS	     48u	  /* ID_AA64MMFR0_EL1.PARange of the modelled CPU */
#define SIM_S1_VA_BITS	     48u	  /* kcore's TCR_EL2.T0SZ = 16 */
#define SIM_NR_VMIDS	     64u	  /* stage-2 regimes modelled: VMID 0 (host) .. 63 */
#define SIM_REGIME_EL2	     SIM_NR_VMIDS /* TLB regime id of kcore's EL2 stage-1 */
#define SIM_NR_IO_DOMAINS    16u  /* SMMU stage-2 contexts modelled (the core's IO domains) */
#define SIM_NR_STREAMS	     256u /* SMMU stream table entries */
/* TLB regime id of IO domain d: the SMMU's TLB entries, tagged by domain as by an S2VMID. */
#define SIM_REGIME_IO(d)     (SIM_REGIME_EL2 + 1u + (d))
#define SIM_NR_REGIMES	     (SIM_NR_VMIDS + 1u + SIM_NR_IO_DOMAINS)

struct sim_ram_bank {
	paddr_t base; /* page aligned */
	u64 size;     /* page multiple, non-zero */
};

struct sim_config {
	struct sim_ram_bank ram[SIM_MAX_RAM_BANKS];
	u32 nr_ram; /* 0: one bank at SIM_DEFAULT_RAM_BASE of SIM_DEFAULT_RAM_SIZE */
	/*
	 * Never ask the core where its tables are and never call into it on a
	 * host fault: for tests that build tables by hand and register them with
	 * sim_use_s2_root() / sim_use_s1_root().
	 */
	bool manual_roots;
};

/* Fresh machine: zeroed RAM, empty TLB, every recorder cleared. cfg may be NULL. */
void sim_machine_reset(const struct sim_config *cfg);

/* What arch_vcpu_timer_deadline answers from now on (KC_WFI_NO_DEADLINE at first). */
void sim_set_wfi_deadline(u64 deadline);

/*
 * The random number generator (snapshot ids): restarts its fixed sequence
 * from seed (0: the default); broken makes every request fail, as a CPU
 * without one would. sim_machine_reset() restores the default.
 */
void sim_random_reset(u64 seed, bool broken);

/* Whether the simulated CPU offers SHA-256 instructions (default: yes; reset restores it). */
void sim_sha256_fast(bool fast);

/* Host pointer to the byte at pa, or NULL if pa is not RAM. */
void *sim_ram_ptr(paddr_t pa);
bool sim_is_ram(paddr_t pa);
/* True if [pa, pa + len) lies inside one RAM bank. */
bool sim_is_ram_range(paddr_t pa, u64 len);
/* The first (lowest) bank. */
paddr_t sim_ram_base(void);
u64 sim_ram_size(void);
u32 sim_ram_nr_banks(void);
struct sim_ram_bank sim_ram_bank(u32 i);

/*
 * RAM checkpoints, for the persistent fuzzer (tests/fuzz): sim_ram_checkpoint
 * copies all of RAM aside and from then on records every page sim_ram_ptr
 * hands out (the page of pa and the next: a pointer serves at most one page
 * from pa); sim_ram_rollback copies exactly those pages back, plus the
 * ranges named by sim_ram_always_restore (memory the core writes through a
 * pointer it keeps, such as its carve-out's tables), and returns how many
 * pages it copied. sim_ram_matches_checkpoint compares all of RAM with the
 * checkpoint, for the test that a rollback is exact. sim_machine_reset
 * drops the checkpoint.
 */
void sim_ram_checkpoint(void);
void sim_ram_always_restore(paddr_t base, u64 size);
u64 sim_ram_rollback(void);
bool sim_ram_matches_checkpoint(void);

/* 64-bit little-endian RAM access by PA, for hand-built tables; abort if not RAM. */
u64 sim_read_u64(paddr_t pa);
void sim_write_u64(paddr_t pa, u64 val);

/*
 * Which tables a regime uses. By default the sim asks the core
 * (kcore_s2_root, kcore_ipa_bits, kcore_s1_root); these override that.
 * sim_forget_s2_root() drops an override (in manual mode: the VMID then has
 * no stage-2 at all, as after the VM is destroyed).
 */
void sim_use_s2_root(u32 vmid, paddr_t root, u32 ipa_bits);
void sim_forget_s2_root(u32 vmid);
void sim_use_s1_root(paddr_t root);

/* ---- the MMU: table walks ------------------------------------------------ */

enum sim_xlate_status {
	SIM_XLATE_OK,
	SIM_XLATE_TRANSLATION_FAULT, /* invalid/reserved descriptor, or input out of range */
	SIM_XLATE_ADDR_SIZE_FAULT,   /* an output or table address above SIM_PA_BITS */
	SIM_XLATE_ACCESS_FLAG_FAULT, /* leaf with AF == 0 (no hardware AF update) */
	SIM_XLATE_PERMISSION_FAULT,  /* never from a walk; from sim_xlate_check() */
	SIM_XLATE_WALK_ABORT,	     /* a translation table lies outside RAM: core bug */
	SIM_XLATE_MALFORMED,	     /* RES0 bits set, misaligned block...: core bug */
};

struct sim_xlate {
	enum sim_xlate_status status;
	u32 level;     /* level of the leaf, or where the walk stopped */
	paddr_t pa;    /* output address of the input address (OK, AF fault) */
	u64 leaf_size; /* 4 KiB, 2 MiB or 1 GiB (OK, AF fault) */
	bool readable;
	bool writable;
	bool executable;
	/*
	 * Stage-2: MemAttr[3:0] and whether it is Device memory. Stage-1: the
	 * AttrIndx into MAIR_EL2 (device is then always false: MAIR is the arch's).
	 */
	bool device;
	u8 attr;
	u8 sh;		 /* SH[1:0] */
	u64 desc;	 /* the last descriptor read (leaf or the one that failed) */
	paddr_t desc_pa; /* where it was read */
	const char *why; /* a static description when status != OK */
};

/* Stage-2 of VTCR_EL2.T0SZ = 64 - ipa_bits (40..48), start level 0. Returns out->status. */
enum sim_xlate_status sim_s2_walk(paddr_t root, u32 ipa_bits, ipaddr_t ipa, struct sim_xlate *out);
/* kcore's EL2 stage-1 (non-VHE, TTBR0_EL2, T0SZ = 16, start level 0). */
enum sim_xlate_status sim_s1_walk(paddr_t root, vaddr_t va, struct sim_xlate *out);

/* SIM_XLATE_OK if x permits the access, else its fault (permission fault for a denial). */
enum sim_xlate_status sim_xlate_check(const struct sim_xlate *x, bool write);
const char *sim_xlate_status_name(enum sim_xlate_status s);

/*
 * Visit every descriptor with the valid bit set that ends a walk: leaves (x->status OK
 * or ACCESS_FLAG_FAULT, in = input base, x->pa = output base) and bad descriptors
 * (MALFORMED, ADDR_SIZE_FAULT, a reserved encoding reported as TRANSLATION_FAULT,
 * or WALK_ABORT for a table outside RAM, x->leaf_size then being the range it
 * would cover). Invalid descriptors are skipped. A non-zero return from cb stops
 * the walk and is returned.
 */
typedef int sim_s2_leaf_fn(void *ctx, ipaddr_t ipa, const struct sim_xlate *x);
typedef int sim_s1_leaf_fn(void *ctx, vaddr_t va, const struct sim_xlate *x);
int sim_s2_for_each_leaf(paddr_t root, u32 ipa_bits, sim_s2_leaf_fn *cb, void *ctx);
int sim_s1_for_each_leaf(paddr_t root, sim_s1_leaf_fn *cb, void *ctx);

/* ---- the TLB ------------------------------------------------------------- */

/* One cached translation: a whole leaf, as hardware caches it. */
struct sim_tlb_entry {
	u32 regime; /* VMID of a stage-2, SIM_REGIME_EL2, or SIM_REGIME_IO(domain) */
	u64 in;	    /* input address (IPA or VA), aligned to size */
	u64 size;
	paddr_t pa; /* output base */
	u32 level;
	bool readable;
	bool writable;
	bool executable;
	bool device;
	u8 attr;
	u8 sh;
};

struct sim_tlb_stats {
	u64 entries; /* cached now */
	u64 hits;    /* lookups that found an entry */
	u64 misses;
	u64 fills;     /* entries inserted or refreshed */
	u64 dropped;   /* entries removed by TLBI hooks */
	u64 conflicts; /* lookups that matched entries of several sizes (a TLB conflict) */
};

void sim_tlb_flush_all(void);
/*
 * Worst case of what a TLB may hold: cache every valid leaf of every stage-2
 * (VMIDs 0..SIM_NR_VMIDS-1 that have tables), of kcore's stage-1, and of
 * every IO domain the core has allocated (the SMMU's TLB).
 */
void sim_tlb_fill_all(void);
/* Register root as the stage-2 of vmid (sim_use_s2_root) and cache all its leaves. */
void sim_tlb_fill_from(paddr_t root, u32 vmid, u32 ipa_bits);
/* The same for kcore's stage-1. */
void sim_tlb_fill_s1_from(paddr_t root);
/* The entry a translation of addr in regime would use. Counts as a hit or miss. */
bool sim_tlb_lookup(u32 regime, u64 addr, struct sim_tlb_entry *out);
size_t sim_tlb_count(void);
size_t sim_tlb_count_regime(u32 regime);
void sim_tlb_get_stats(struct sim_tlb_stats *out);

enum sim_stale_reason {
	SIM_STALE_NO_TABLES, /* the regime has no tables any more (VM destroyed) */
	SIM_STALE_UNMAPPED,  /* a walk of the entry's address no longer succeeds */
	SIM_STALE_SIZE,	     /* now mapped by a leaf of another size */
	SIM_STALE_OUTPUT,    /* another output address */
	SIM_STALE_PERMS,     /* other read/write/execute permissions */
	SIM_STALE_ATTRS,     /* other memory attributes or shareability */
};

struct sim_stale {
	struct sim_tlb_entry entry; /* what the TLB holds */
	enum sim_stale_reason reason;
	struct sim_xlate now; /* a walk of entry.in now (unset for NO_TABLES) */
};

/*
 * Entries that no longer match the tables: the core changed or removed a
 * mapping without invalidating it. Returns how many; the first max are
 * described in out (which may be NULL when max is 0).
 */
size_t sim_tlb_stale(struct sim_stale *out, size_t max);
const char *sim_stale_reason_name(enum sim_stale_reason r);

/* ---- accesses, as the CPU makes them ------------------------------------- */

enum sim_access_result {
	SIM_OK,
	SIM_S2_FAULT, /* translation fault (for the host: kcore said mapped, still not) */
	SIM_ADDR_SIZE_FAULT,
	SIM_AF_FAULT,
	SIM_PERM_FAULT,
	SIM_WALK_ABORT,	     /* a table outside RAM: core bug */
	SIM_MALFORMED,	     /* a malformed descriptor: core bug */
	SIM_NOT_RAM,	     /* translated to a PA that is not RAM (no device model) */
	SIM_UNALIGNED,	     /* sim_host_access/sim_vm_access need 8-byte alignment */
	SIM_ABORTED,	     /* host only: kcore refused and injected an abort */
	SIM_FAULT_UNHANDLED, /* host only: kcore refused but injected nothing: core bug */
	SIM_STREAM_FAULT,    /* DMA only: the stream is blocked or beyond the stream table */
	/*
	 * host only: a MEDIATED device page; kcore mapped nothing and the arch
	 * would emulate the access (the simulated machine has no device to emulate).
	 */
	SIM_MEDIATED,
};

const char *sim_access_result_name(enum sim_access_result r);

/*
 * The host loads or stores 8 bytes at ipa (8-byte aligned) through the TLB
 * and its stage-2. A translation fault traps to kcore (host_s2_fault) like
 * the hardware would; when kcore maps the page the access is retried once.
 * Other faults are returned as they are. Memory is untouched unless SIM_OK.
 */
enum sim_access_result sim_host_access(ipaddr_t ipa, bool write, u64 *val);
/* The same for any byte range, page by page; stops at the first failure. */
enum sim_access_result sim_host_access_bytes(ipaddr_t ipa, void *buf, size_t len, bool write);

/* A VM (or, for vmid 0, the host without the fault path) accesses ipa. No core call. */
enum sim_access_result sim_vm_access(u32 vmid, ipaddr_t ipa, bool write, u64 *val);
enum sim_access_result sim_vm_read_bytes(u32 vmid, ipaddr_t ipa, void *buf, size_t len);
enum sim_access_result sim_vm_write_bytes(u32 vmid, ipaddr_t ipa, const void *buf, size_t len);

/*
 * Whether the access would succeed right now (TLB, then tables), without
 * filling the TLB or calling the core: for vmid 0 a translation fault counts
 * as "cannot access right now".
 */
bool sim_can_access(u32 vmid, ipaddr_t ipa, bool write);

/* ---- recorders ----------------------------------------------------------- */

/*
 * arch_clean_to_poc(): whether a RAM page was cleaned whole since reset,
 * and how many bytes outside RAM (kcore's own data here) were cleaned.
 */
bool sim_page_cleaned(paddr_t pa);
u64 sim_cleaned_elsewhere(void);

/*
 * Called by arch_halt_all() after the scrub, just before the process exits
 * (a forked test child checks RAM there); NULL for none.
 */
void sim_set_halt_hook(void (*hook)(void));

/* arch_host_inject_abort(): a count, the last ipa, and the most recent ones. */
#define SIM_ABORT_LOG_SIZE 64u
u64 sim_host_abort_count(void);
ipaddr_t sim_host_abort_last(void);
/* The seq-th abort since reset (0-based); false if not yet or no longer logged. */
bool sim_host_abort_get(u64 seq, ipaddr_t *ipa);

/* arch_console_write(): everything written since reset, NUL-terminated. */
const char *sim_console_text(void);
size_t sim_console_len(void);
void sim_console_clear(void);

/* The arch_tlbi_* and arch_smmu_tlbi_* hooks, in order. */
enum sim_tlbi_type {
	SIM_TLBI_S2_IPA,
	SIM_TLBI_S2_VMID,
	SIM_TLBI_EL2_VA,
	SIM_TLBI_SMMU_IOVA,
	SIM_TLBI_SMMU_DOMAIN,
};

struct sim_tlbi_rec {
	enum sim_tlbi_type type;
	u32 vmid; /* stage-2 types: the VMID; SMMU types: the domain */
	u64 addr; /* ipa, va or iova; 0 for S2_VMID and SMMU_DOMAIN */
};

/*
 * The log's length. The fuzzer, which reads none of it and copies every
 * global of the sim back after each input, builds with a short one.
 */
#ifndef SIM_TLBI_LOG_SIZE
#define SIM_TLBI_LOG_SIZE 65536u
#endif
u64 sim_tlbi_count(void);
u64 sim_tlbi_count_type(enum sim_tlbi_type type);
/* The seq-th TLBI since reset (0-based); false if not yet or no longer logged. */
bool sim_tlbi_get(u64 seq, struct sim_tlbi_rec *out);
/* Whether a TLBI with sequence number >= seq covers that page of that VMID / kcore VA. */
bool sim_tlbi_s2_covered_since(u64 seq, u32 vmid, ipaddr_t ipa);
bool sim_tlbi_el2_covered_since(u64 seq, vaddr_t va);
bool sim_tlbi_smmu_covered_since(u64 seq, u32 domain, u64 iova);

/*
 * arch_clean_dcache_range() (arch/sim/dcache.c): every clean, with a
 * fingerprint of the bytes it covered. sim_dcache_is_clean: the latest clean
 * that covers [pa, pa + len) covered exactly the bytes there now, i.e. kcore
 * cleaned the range after its last write to it (a reader with its caches off
 * would see what kcore wrote).
 */
u64 sim_dcache_clean_count(void);
bool sim_dcache_is_clean(paddr_t pa, u64 len);
/* arch_sync_icache() ran after the latest clean covering [pa, pa + len). */
bool sim_icache_synced_after_clean(paddr_t pa, u64 len);

/* ---- the SMMU (arch/sim/smmu.c) ------------------------------------------ */

/*
 * The stream table the arch_smmu_* hooks maintain: each stream either aborts
 * (blocked, the reset state) or translates through an IO domain's table,
 * given by the root and input size the core passed to arch_smmu_attach.
 */
struct sim_smmu_stream {
	bool attached;
	u32 domain;
	paddr_t root;
	u32 ia_bits;
	/* Never set by the hooks: DMA passes untranslated (an STE with Config = bypass). */
	bool bypass;
};

struct sim_smmu_stream sim_smmu_stream(u32 sid);
/*
 * For the checker's tests: overwrite a stream's entry, or turn the whole SMMU
 * off (every stream then bypasses, as SMMUv3 with SMMUEN = 0 and GBPA
 * bypass), as a stray write or a broken driver would. The DMA path obeys the
 * result; arch_smmu_read_ste and arch_smmu_config_intact report it.
 */
void sim_smmu_stream_set(u32 sid, struct sim_smmu_stream st);
void sim_smmu_turn_off(void);
/* arch_smmu_attach/detach calls since reset. */
u64 sim_smmu_attach_count(void);
u64 sim_smmu_detach_count(void);

/* Faults the SMMU reports in its event queue, named as SMMUv3's event types. */
enum sim_smmu_event_type {
	SIM_EVT_C_BAD_STREAMID, /* sid beyond the stream table */
	SIM_EVT_C_BAD_STE,	/* the stream is blocked (an invalid STE): DMA denied */
	SIM_EVT_F_TRANSLATION,	/* nothing mapped at the iova, or iova beyond ia_bits */
	SIM_EVT_F_ADDR_SIZE,
	SIM_EVT_F_ACCESS,
	SIM_EVT_F_PERMISSION,
	SIM_EVT_F_WALK_EABT, /* a table outside RAM or malformed: a core bug */
};

struct sim_smmu_event {
	enum sim_smmu_event_type type;
	u32 sid;
	u64 iova;
	bool write;
};

#define SIM_SMMU_EVENTQ_SIZE 64u
u64 sim_smmu_event_count(void);
/* The seq-th event since reset (0-based); false if not yet or no longer queued. */
bool sim_smmu_event_get(u64 seq, struct sim_smmu_event *out);
const char *sim_smmu_event_name(enum sim_smmu_event_type t);

/*
 * A device behind stream sid reads or writes 8 bytes at iova (8-byte
 * aligned), as the SMMU translates it: the stream table, then the TLB, then a
 * walk of the domain's table (the root given at attach), cached on success.
 * A blocked stream or a translation that fails is refused (SIM_STREAM_FAULT,
 * SIM_S2_FAULT, SIM_PERM_FAULT, ...) with an event queued; memory is
 * untouched unless SIM_OK.
 */
enum sim_access_result sim_dma_access(u32 sid, u64 iova, bool write, u64 *val);

/* ---- vCPUs (arch/sim/vcpu.c) ---- */
struct vcpu_regs;
struct arch_exit;

/*
 * The guest program: called each time kcore enters (vmid, vcpuid); it acts on
 * the registers (and on memory through sim_vm_access) and fills the exit.
 */
typedef void (*sim_guest_fn)(void *ctx, u32 vmid, u32 vcpuid, struct vcpu_regs *regs,
			     struct arch_exit *exit);
void sim_set_guest(sim_guest_fn fn, void *ctx);
u64 sim_vcpu_runs(void);
/* Exits the core finished on the fast path (vcpu_exit_fast), since the process started. */
u64 sim_vcpu_fast_exits(void);

/*
 * What the simulated arch counts of what it injected, and its list
 * registers, are struct arch_vcpu's fields (arch/sim/include/arch/vcpu_state.h).
 */

#endif /* KCORE_ARCH_SIM_SIM_H */
