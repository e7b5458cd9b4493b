/* SPDX-License-Identifier: MIT */
/*
 * The reference model of kcore's specification: an executable statement of
 * what the ABI (docs/abi.md) and the brief's security properties say must
 * happen, written from those documents and not from core/. It knows nothing
 * of page tables, pools or TLBs: only who owns each physical page, which
 * pages each principal may access at which address, the VM and vCPU state
 * machines, and the contents of memory.
 *
 * It is used as a checker. The property test (tests/model/prop_test.c) makes
 * the same step on the core (on the simulated machine) and hands the core's
 * observed result to the model; the model answers whether the specification
 * allows that result in its current state and, if it does, moves to the next
 * state. Where the ABI allows several results (it does not fix which error
 * wins when several apply, nor which free VM slot REGISTER_VM picks), the
 * model accepts any allowed one and follows the one observed. Anything else
 * is a mismatch, explained in a message.
 *
 * The model assumes kcore's internal pools (page-table pages) never run dry
 * in the configurations it is used with: NOMEM is allowed only for the limits
 * the ABI names (VM slots, 4 images per VM, 4 RAM regions per VM, 16 IO
 * domains): the IO pool included.
 */
#ifndef KCORE_TESTS_MODEL_H
#define KCORE_TESTS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Who owns a physical page. VMs are 1..max_vms. */
#define MODEL_HOST  0u
#define MODEL_KCORE 0xffffffffu

/* DMA isolation (docs/abi.md "DMA isolation"): IO domains 0..15, streams 0..255. */
#define MODEL_IO_DOMAINS 16u
#define MODEL_IO_STREAMS 256u

struct model_range {
	uint64_t base; /* page aligned */
	uint64_t size; /* page multiple */
};

/* Says whether a complete signed image file (payload || trailer) verifies. */
typedef bool model_image_ok_fn(void *ctx, const uint8_t *file, uint64_t size);

struct model_config {
	struct model_range ram; /* one RAM bank */
	/* Pages kcore owns from boot: its image and its carve-out. */
	struct model_range kcore_ram[2];
	/* kcore's own device pages (never the host's, never a VM's). */
	struct model_range kcore_device;
	/*
	 * The device pages the platform policy lets a VM map (HOST_SAFE or
	 * BEHIND_SMMU). Any other non-RAM page is refused with PERM.
	 */
	struct model_range vm_io_ok;
	uint32_t max_vms;   /* VM ids 1..max_vms */
	uint32_t max_vcpus; /* vCPU ids 0..max_vcpus-1 per VM */
	uint32_t ipa_bits;  /* each VM's IPA space is [0, 2^ipa_bits) */
	uint32_t nr_keys;   /* trusted keys (KC_HC_KEY_INFO) */
	/*
	 * kcore drives an SMMU and was booted with an IO pool: the KC_HC_IO_*
	 * calls work. False: every IO call is NOT_SUPPORTED and every DMA is
	 * refused.
	 */
	bool io_supported;
	/*
	 * kcore has a sealing key and random numbers: the snapshot calls work.
	 * False: SNAPSHOT_BEGIN and RESTORE_BEGIN are NOT_SUPPORTED (so no
	 * snapshot or restore is ever open).
	 */
	bool snap_supported;
	model_image_ok_fn *image_ok;
	void *image_ok_ctx;
};

/* The model in its boot state: all RAM the host's except kcore's, zero-filled. */
struct model *model_new(const struct model_config *cfg);
void model_free(struct model *m);

/* Why the last check failed (valid until the next call). */
const char *model_why(const struct model *m);

/*
 * A host hypercall: x[0] the function id, x[1..6] the arguments; got_x0 and
 * got_x1 what the core returned in x0 and x1. True if the ABI allows it (the
 * model then takes the transition; an error changes nothing, except
 * KCORE_E_VERIFY from VERIFY_VM which powers the VM off). Not for
 * KC_HC_VCPU_RUN (model_vcpu_run) nor KC_HC_CHECK_INVARIANTS.
 */
bool model_host_call(struct model *m, const uint64_t x[7], int64_t got_x0, uint64_t got_x1);

/*
 * A snapshot call (KC_HC_VM_SNAPSHOT_* and KC_HC_VM_RESTORE_*, docs/abi.md
 * "Snapshots"), like model_host_call, with what the core's memory holds
 * afterwards at the call's record PA (rec: 128 bytes) and data page PA (data:
 * 4,096 bytes), NULL where the argument is not in RAM or the call has none.
 * The model cannot predict ciphertext: it checks the plaintext fields of a
 * record kcore wrote, that the data page does not hold the VM page in clear,
 * and then takes kcore's bytes into its memory (they are the host's pages).
 * A restore is authentic iff its records and data pages are byte for byte
 * what kcore wrote for that place in that snapshot. model_host_call accepts
 * these calls too, but only refusals and calls that write nothing.
 */
bool model_snapshot_call(struct model *m, const uint64_t x[7], int64_t got_x0, uint64_t got_x1,
			 const uint8_t *rec, const uint8_t *data);

/*
 * The host loads (write false) or stores 8 bytes at pa (8-byte aligned, in
 * RAM) through its stage-2. got_ok: whether the access happened (false: the
 * host took an abort); got_value: what a load returned. True if allowed. A
 * store that the model allows updates the model's memory.
 */
bool model_host_access(struct model *m, uint64_t pa, bool write, uint64_t value, bool got_ok,
		       uint64_t got_value);

/*
 * Whether a VM's vCPUs may execute at all: it is VERIFIED (not powered off)
 * and no snapshot or restore of it is open (the VM is paused).
 */
bool model_vm_runs(const struct model *m, uint32_t vmid);

/*
 * The VM's snapshot phase: 0 none open, 1 a snapshot open (SNAPSHOT_BEGIN),
 * 2 a restore open (RESTORE_BEGIN).
 */
int model_vm_snap_phase(const struct model *m, uint32_t vmid);

/* Whether the VM maps a RAM page at (the page containing) ipa; *pa that page. */
bool model_vm_ram_page(const struct model *m, uint32_t vmid, uint64_t ipa, uint64_t *pa);

/* Whether the VM has that vCPU (REGISTER_VCPU succeeded). */
bool model_vcpu_registered(const struct model *m, uint32_t vmid, uint32_t vcpuid);

/* Whether ipa of the VM is a device page it was given with KC_HC_VM_MAP_IO. */
bool model_vm_ipa_is_device(const struct model *m, uint32_t vmid, uint64_t ipa);

/*
 * A running VM loads or stores 8 bytes at ipa (8-byte aligned) through its
 * stage-2, without any exit. got_ok: the access reached RAM. Only for VMs that
 * model_vm_runs() and IPAs that are not device pages the VM was given.
 */
bool model_vm_access(struct model *m, uint32_t vmid, uint64_t ipa, bool write, uint64_t value,
		     bool got_ok, uint64_t got_value);

/*
 * A guest HVC from a running VM that kcore may answer itself (KC_GC_*, PSCI
 * SYSTEM_OFF/RESET) or not: got_handled whether kcore answered it, got_x0 and
 * got_x1 the guest's x0/x1 afterwards (when handled).
 */
bool model_guest_call(struct model *m, uint32_t vmid, uint32_t vcpuid, uint64_t fid, uint64_t a1,
		      bool got_handled, int64_t got_x0, uint64_t got_x1);

/* What the guest does when KC_HC_VCPU_RUN enters it (its first entry of the call). */
enum model_guest_act {
	MODEL_ACT_WFI,	    /* waits for an interrupt */
	MODEL_ACT_ACCESS,   /* an 8-byte load/store at ipa; if it needs no exit, then WFI */
	MODEL_ACT_CALL,	    /* HVC with fid (not one kcore answers) and args a[0..5] */
	MODEL_ACT_POWEROFF, /* PSCI SYSTEM_OFF */
};

struct model_guest_step {
	enum model_guest_act act;
	uint64_t ipa; /* ACCESS */
	bool write;
	uint64_t value; /* ACCESS store */
	uint64_t fid;	/* CALL */
	uint64_t a[6];
};

/* What the core did for a KC_HC_VCPU_RUN. */
struct model_run_result {
	int64_t x0;  /* status */
	uint64_t x1; /* exit reason */
	/* The guest's access, if it made one that reached memory: its value for a load. */
	bool access_done;
	uint64_t access_value;
	/* The run page's out part as the core wrote it (8-byte words: reason, then raw[8]). */
	uint64_t out[9];
};

/*
 * KC_HC_VCPU_RUN(x[1] vmid, x[2] vcpuid, x[3] run page PA) with the run
 * page's in part all zero (no MMIO or call completion); the guest makes step
 * on its first entry and WFI on any later one. True if the ABI allows what
 * the core did. The out part occupies the run page at offset
 * MODEL_RUN_OUT_OFFSET: the model checks it and records it in its memory.
 */
#define MODEL_RUN_OUT_OFFSET 128u
bool model_vcpu_run(struct model *m, const uint64_t x[7], const struct model_guest_step *step,
		    const struct model_run_result *got);

/*
 * A device behind stream sid reads (write false) or writes 8 bytes at iova
 * (8-byte aligned) through the SMMU. got_ok: whether the access happened
 * (false: the SMMU refused it); got_value: what a read returned. A blocked
 * stream, a stream id beyond the stream table or an iova its domain does not
 * map: refused. Otherwise the bytes of the mapped page, shared with whoever
 * else maps it. True if allowed; an allowed write updates the model's memory.
 */
bool model_dma_access(struct model *m, uint32_t sid, uint64_t iova, bool write, uint64_t value,
		      bool got_ok, uint64_t got_value);

/* Whether IO domain d is allocated, and if so its owner (MODEL_HOST or a vmid). */
bool model_io_domain(const struct model *m, uint32_t d, uint32_t *owner);

/* The domain stream sid is attached to; false if it is blocked. */
bool model_stream_domain(const struct model *m, uint32_t sid, uint32_t *d);

/* Whether IO domain d maps the page at iova; *pa the page it maps. */
bool model_io_mapped(const struct model *m, uint32_t d, uint64_t iova, uint64_t *pa);

/* The n-th (modulo their number) mapping of IO domain d; false if it maps nothing. */
bool model_io_nth_mapping(const struct model *m, uint32_t d, uint64_t n, uint64_t *iova,
			  uint64_t *pa);

/*
 * The state, for the driver and for comparison with the core's ownership
 * table: the owner of a RAM page (MODEL_HOST, MODEL_KCORE or a vmid), and
 * whether a VM page is shared with the host.
 */
uint32_t model_page_owner(const struct model *m, uint64_t pa);
bool model_page_shared(const struct model *m, uint64_t pa);
/* smmu_count: how many mappings in IO domains (any owner's) reach the page at pa. */
uint32_t model_page_dma_count(const struct model *m, uint64_t pa);
/* The IPA at which its VM maps a VM page (0 for any other page). */
uint64_t model_page_ipa(const struct model *m, uint64_t pa);

#endif /* KCORE_TESTS_MODEL_H */
