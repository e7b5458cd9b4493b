/* SPDX-License-Identifier: MIT */
/*
 * The property-based test: long seeded random sequences of steps by a
 * malicious host and several VMs, made on the core (on the simulated machine)
 * and checked against the reference model (tests/model/model.c). After every
 * step: the model must allow what the core did, the core's ownership table
 * must equal the model's, the invariant checker must find nothing and no TLB
 * entry may be stale.
 *
 * Each sequence starts from a fresh boot and is a list of operations drawn
 * from a seed; an operation's fields are interpreted when it runs (a page
 * "the host owns", "VM 2's RAM page 17"), so any subsequence is still a valid
 * input. On a mismatch the test prints the seed, the shortest failing prefix
 * (everything up to the failing operation), then drops operations one at a
 * time while it still fails and replays the smallest sequence it found,
 * step by step. Each sequence runs in a child process, so a kcore panic is a
 * finding like any other.
 *
 *   prop_test [--seed N] [--sequences N] [--length N] [--verbose] [--seeded-bug]
 *             [--known-findings]
 */
#include <errno.h>
#include <inttypes.h>
#include <kcore/psci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kcore/abi.h>
#include <kcore/snapshot.h>

#include "arch/sim/sim.h"
#include "core/arch.h"
#include "core/kcore.h"
#include "core/mm/pgowner.h"
#include "core/vm/vm.h"
#include "tests/model/model.h"
#include "tools/lib/imgsign.h"

#define RAM_BASE      0x40000000ull
#define RAM_SIZE      (8ull << 20)
#define KIMAGE_SIZE   0x10000ull /* kcore's pretend text and data at the start of RAM */
#define KCORE_DEV     0x09050000ull
#define HOST_DEV      0x09000000ull
#define GUEST_RAM     0x80000000ull
#define GUEST_RAM_SZ  (4ull << 20)
#define IPA_BITS      40u
#define MAX_VMS	      3u
#define MAX_VCPUS     2u
#define PAGE	      4096ull
#define BLOCK	      (2ull << 20)
#define NR_RAM_PAGES  (RAM_SIZE / PAGE)
#define PAYLOAD_BYTES 6000u
/* IO page-table pages: enough for 16 domains over every IOVA the driver uses. */
#define IO_POOL_PAGES 320u
#define NR_STREAMS    6u /* the streams the driver's devices use: 0..NR_STREAMS-1 */

/* ---- deterministic randomness -------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* ---- operations ------------------------------------------------------------ */

enum op_kind {
	OP_CALL,     /* a host hypercall with role-chosen arguments */
	OP_BOOT_VM,  /* register, declare RAM, load images, set the entry, verify */
	OP_DONATE,   /* donate a page or block the host owns at a free RAM IPA */
	OP_HOST_MEM, /* the host loads or stores */
	OP_VM_MEM,   /* a running VM loads or stores */
	OP_GUEST,    /* a guest call */
	OP_RUN,	     /* KC_HC_VCPU_RUN with a guest step */
	OP_TEARDOWN, /* power off, clear in pieces, free */
	OP_IO,	     /* an IO call (domains, streams, IO maps) with role-chosen arguments */
	OP_DMA,	     /* a device's DMA through a stream */
	OP_SNAP,     /* take, continue, cancel or restore (and attack) a snapshot */
	OP_NR_KINDS,
};

/* Relative weights of the kinds. */
static const unsigned op_weight[OP_NR_KINDS] = {30, 3, 12, 16, 16, 8, 10, 2, 14, 6, 2};

struct op {
	enum op_kind kind;
	uint64_t w[5];
};

static struct op op_make(uint64_t seed, uint64_t i)
{
	uint64_t r = mix(seed ^ mix(i)), total = 0, pick;
	struct op op;

	for (unsigned k = 0; k < OP_NR_KINDS; k++)
		total += op_weight[k];
	pick = r % total;
	op.kind = OP_CALL;
	for (unsigned k = 0; k < OP_NR_KINDS; k++) {
		if (pick < op_weight[k]) {
			op.kind = (enum op_kind)k;
			break;
		}
		pick -= op_weight[k];
	}
	for (unsigned k = 0; k < 5; k++)
		op.w[k] = mix(r + k + 1);
	return op;
}

/* ---- the world: core, model, and what the driver remembers ------------------ */

struct image {
	uint8_t *file;
	size_t size;
	bool good; /* signed by the key kcore trusts, untouched */
};

enum { IMG_GOOD, IMG_GOOD2, IMG_TAMPERED, IMG_UNTRUSTED, IMG_NR };

static struct image images[IMG_NR];
static struct kcore_trusted_key trusted_table[1];
static struct kcore_boot_params params;
static struct model *model;
static bool verbose;
static uint64_t steps;	/* checked steps in this sequence */
static uint64_t cursor; /* where the next search for a host page starts */
static bool io_on;	/* this sequence boots kcore with an IO pool */
static bool snap_on;	/* this sequence boots kcore with a sealing secret */
/*
 * --seeded-bug: a simulated kcore bug for the self-check, a restore that gets
 * one byte of the first page wrong (flipped in the VM's page after
 * RESTORE_END); the run must report a mismatch.
 */
static bool seeded_bug;
/*
 * --known-findings: also make the steps on which the core is known to differ
 * from docs/abi.md (tests/model/README.md, "Known findings"), left out of the
 * default run so that make test stays green.
 */
static bool known_findings;
/* How op_boot_vm built a VM it verified: 1 two images, 0 one; -1 unknown. */
static int built[MAX_VMS + 1];
/* The sealing secret (snapshots); any 32 bytes will do. */
static const u8 seal_secret[32] = "prop_test sealing secret, 32 B!";
/* The last DMA that reached memory: replayed now and then (after teardown, say). */
static struct {
	u32 sid;
	u64 iova;
} last_dma;

static struct {
	const struct model_guest_step *step;
	unsigned entries;
	bool access_done;
	uint64_t access_value;
} guest;

/* The failure report of a child: which operation, and why. */
struct shared_report {
	uint64_t op_index; /* the operation that was running */
	uint64_t steps;
	char why[512];
};
static struct shared_report *report;

static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(report->why, sizeof(report->why), fmt, ap);
	va_end(ap);
	if (verbose)
		printf("  MISMATCH: %s\n", report->why);
	fflush(stdout);
	_exit(1);
}

static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trace(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fputs("    ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static bool image_ok(void *ctx, const uint8_t *file, uint64_t size)
{
	(void)ctx;
	/* The oracle: a file verifies iff it is byte for byte one we signed with the trusted key.
	 */
	for (unsigned i = 0; i < IMG_NR; i++) {
		if (images[i].good && images[i].size == size &&
		    memcmp(images[i].file, file, size) == 0)
			return true;
	}
	return false;
}

static void make_images(void)
{
	static struct imgsign_key trusted, other;
	uint8_t payload[PAYLOAD_BYTES];

	if (imgsign_key_from_seed(&trusted, "kcore test key") != IMGSIGN_OK ||
	    imgsign_key_from_seed(&other, "someone else's key") != IMGSIGN_OK ||
	    imgsign_trusted_key_from_pub(&trusted_table[0], trusted.pub) != IMGSIGN_OK) {
		fputs("prop_test: key setup failed\n", stderr);
		exit(2);
	}
	for (unsigned i = 0; i < IMG_NR; i++) {
		size_t len = i == IMG_GOOD2 ? PAYLOAD_BYTES / 3 : PAYLOAD_BYTES;

		for (size_t b = 0; b < len; b++)
			payload[b] = (uint8_t)(mix((uint64_t)i * 100000u + b) & 0xff);
		images[i].size = imgsign_signed_size(len);
		images[i].file = malloc(images[i].size);
		if (images[i].file == NULL ||
		    imgsign_sign(i == IMG_UNTRUSTED ? &other : &trusted, payload, len,
				 images[i].file, images[i].size) != IMGSIGN_OK) {
			fputs("prop_test: signing failed\n", stderr);
			exit(2);
		}
		images[i].good = i == IMG_GOOD || i == IMG_GOOD2;
		if (i == IMG_TAMPERED)
			images[i].file[len / 2] ^= 0x10;
	}
}

static void boot(void)
{
	struct sim_config sc = {.nr_ram = 1};
	struct model_config mc;
	u64 carve;

	sc.ram[0].base = pa_init(RAM_BASE);
	sc.ram[0].size = RAM_SIZE;
	sim_machine_reset(&sc);
	memset(&params, 0, sizeof(params));
	params.ram[0] = (struct kcore_mem_range){pa_init(RAM_BASE), RAM_SIZE};
	params.nr_ram = 1;
	params.kcore_image = (struct kcore_mem_range){pa_init(RAM_BASE), KIMAGE_SIZE};
	/* The platform policy: the host's device pages are HOST_SAFE, the rest as the model says.
	 */
	params.devices[0] = (struct kcore_dev_range){pa_init(KCORE_DEV), PAGE, KCORE_DEV_KCORE};
	params.devices[1] =
	    (struct kcore_dev_range){pa_init(HOST_DEV), 4 * PAGE, KCORE_DEV_HOST_SAFE};
	params.nr_devices = 2;
	params.ipa_bits = IPA_BITS;
	params.max_vms = MAX_VMS;
	params.max_vcpus = MAX_VCPUS;
	/* Pools large enough never to run dry: the model assumes so. */
	params.host_pool_pages = 24;
	params.kcore_pool_pages = 16;
	params.vm_pool_pages = 16;
	params.io_pool_pages = io_on ? IO_POOL_PAGES : 0;
	params.window_base = va_init(0x0000100000000000ull);
	params.window_pages = 4096;
	params.keys = trusted_table;
	params.nr_keys = 1;
	params.seal_secret = snap_on ? seal_secret : NULL;
	params.seal_secret_len = snap_on ? sizeof(seal_secret) : 0;
	carve = (kcore_carve_size(&params) + BLOCK - 1) & ~(BLOCK - 1);
	params.carve = (struct kcore_mem_range){pa_init(RAM_BASE + RAM_SIZE - carve), carve};
	if (kcore_init(&params) != KCORE_OK) {
		fputs("prop_test: kcore_init failed\n", stderr);
		exit(2);
	}
	sim_tlb_flush_all();

	memset(&mc, 0, sizeof(mc));
	mc.ram = (struct model_range){RAM_BASE, RAM_SIZE};
	mc.kcore_ram[0] = (struct model_range){RAM_BASE, KIMAGE_SIZE};
	mc.kcore_ram[1] = (struct model_range){pa_addr(params.carve.base), carve};
	mc.kcore_device = (struct model_range){KCORE_DEV, PAGE};
	mc.vm_io_ok = (struct model_range){HOST_DEV, 4 * PAGE};
	mc.max_vms = MAX_VMS;
	mc.max_vcpus = MAX_VCPUS;
	mc.ipa_bits = IPA_BITS;
	mc.nr_keys = 1;
	mc.io_supported = io_on;
	mc.snap_supported = snap_on;
	mc.image_ok = image_ok;
	if (model != NULL)
		model_free(model);
	model = model_new(&mc);
	if (model == NULL) {
		fputs("prop_test: model_new failed\n", stderr);
		exit(2);
	}
	cursor = 0;
	last_dma.sid = 0;
	last_dma.iova = 0;
}

/* ---- the checks after every step --------------------------------------------- */

static void check_step(void)
{
	size_t stale = sim_tlb_stale(NULL, 0);
	u64 violations;

	steps++;
	report->steps = steps;
	if (stale != 0)
		fail("%zu stale TLB entries (a missing invalidation)", stale);
	violations = kcore_check_invariants();
	if (violations != 0)
		fail("the invariant checker found %llu violations", (unsigned long long)violations);
	for (u64 i = 0; i < NR_RAM_PAGES; i++) {
		u64 pa = RAM_BASE + i * PAGE;
		const struct page_info *p = pgowner_get(pa_init(pa));
		uint32_t want = model_page_owner(model, pa);
		uint32_t have = p->owner == OWNER_KCORE ? MODEL_KCORE : p->owner;

		if (want != have)
			fail("page %llx: the core says owner %x, the model %x",
			     (unsigned long long)pa, have, want);
		if (owner_is_vm(p->owner) && (p->count != 0) != model_page_shared(model, pa))
			fail("page %llx: the core says shared %u, the model %d",
			     (unsigned long long)pa, p->count, model_page_shared(model, pa));
		if (p->dma_count != model_page_dma_count(model, pa))
			fail("page %llx: the core says DMA count %u, the model %u",
			     (unsigned long long)pa, p->dma_count, model_page_dma_count(model, pa));
	}
	/* The SMMU's stream table (what devices see) against the model's streams. */
	for (u32 sid = 0; sid < NR_STREAMS; sid++) {
		struct sim_smmu_stream st = sim_smmu_stream(sid);
		uint32_t d = 0;
		bool attached = model_stream_domain(model, sid, &d);

		if (st.attached != attached || (attached && st.domain != d))
			fail("stream %u: the SMMU says %s %u, the model %s %u", sid,
			     st.attached ? "attached to" : "blocked", st.domain,
			     attached ? "attached to" : "blocked", d);
	}
	sim_tlb_fill_all();
}

/* ---- picking values that matter ----------------------------------------------- */

static u64 page_of_index(u64 i)
{
	return RAM_BASE + (i % NR_RAM_PAGES) * PAGE;
}

/* A page the model says the host owns and has not shared, near the cursor, or 0. */
static u64 host_page_near(u64 start)
{
	for (u64 i = 0; i < NR_RAM_PAGES; i++) {
		u64 pa = page_of_index(start + i);

		if (model_page_owner(model, pa) == MODEL_HOST)
			return pa;
	}
	return 0;
}

/* Fresh host pages for an image: the next host pages after the cursor, in order. */
static u64 host_page_next(void)
{
	u64 pa = host_page_near(cursor);

	cursor = pa != 0 ? (pa - RAM_BASE) / PAGE + 1 : cursor;
	return pa;
}

/* A page of some principal, or a value that is not a page at all. */
static u64 pick_pa(u64 w)
{
	u64 r = w >> 4;

	switch (w & 15) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		return host_page_near(r);
	case 5:
	case 6:
		for (u64 i = 0; i < NR_RAM_PAGES; i++) { /* a VM's page */
			u64 pa = page_of_index(r + i);
			uint32_t o = model_page_owner(model, pa);

			if (o != MODEL_HOST && o != MODEL_KCORE)
				return pa;
		}
		return page_of_index(r);
	case 7:
		return pa_addr(params.carve.base) + (r % (params.carve.size / PAGE)) * PAGE;
	case 8:
		return RAM_BASE + (r % (KIMAGE_SIZE / PAGE)) * PAGE;
	case 9:
	case 10:
		return RAM_BASE + BLOCK * (1 + r % 2); /* a 2 MiB block the host may own */
	case 11:
		return page_of_index(r);
	case 12:
		return (r & 1) ? HOST_DEV : KCORE_DEV;
	case 13:
		return page_of_index(r) + 8 * (1 + r % 511); /* unaligned */
	case 14:
		return RAM_BASE + RAM_SIZE + (r % 16) * PAGE; /* beyond RAM */
	default:
		return r;
	}
}

static u64 pick_ipa(u64 w)
{
	u64 r = w >> 4;

	switch (w & 15) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
		return GUEST_RAM + (r % (GUEST_RAM_SZ / PAGE)) * PAGE;
	case 6:
	case 7:
		return GUEST_RAM + (r % 2) * BLOCK;
	case 8:
		return GUEST_RAM + (r % 8) * PAGE; /* where images load */
	case 9:
		return HOST_DEV + (r % 4) * PAGE;
	case 10:
		return 0x100000000ull + (r % 64) * PAGE; /* outside the RAM regions */
	case 11:
		return (1ull << IPA_BITS) - PAGE * (1 + r % 2); /* the top of the IPA space */
	case 12:
		return (1ull << IPA_BITS) + (r % 4) * PAGE; /* beyond it */
	case 13:
		return GUEST_RAM + (r % 1024) * 8; /* unaligned */
	default:
		return r;
	}
}

static u64 pick_vmid(u64 w)
{
	switch (w % 16) {
	case 0:
		return 0;
	case 1:
		return MAX_VMS + 1;
	case 2:
		return (w >> 4) | (1ull << 32); /* a high word that must not be ignored */
	default:
		return 1 + (w >> 4) % MAX_VMS;
	}
}

static u64 pick_vcpu(u64 w)
{
	return (w % 8) == 0 ? MAX_VCPUS + (w >> 3) % 3 : (w >> 3) % MAX_VCPUS;
}

static u64 pick_size(u64 w)
{
	static const u64 sizes[] = {PAGE,	  PAGE, BLOCK,	  2 * PAGE,
				    GUEST_RAM_SZ, 0,	PAGE + 8, 1ull << 41};

	return sizes[w % 8];
}

/* ---- performing steps on the core and the model ---------------------------------- */

static const char *call_name(u64 id)
{
	static const char *const names[] = {
	    "VERSION",	       "REGISTER_VM",	 "REGISTER_VCPU",   "SET_BOOT_INFO",
	    "REMAP_VM_IMAGE",  "VERIFY_VM",	 "SET_ENTRY",	    "DONATE",
	    "MAP_IO",	       "POWEROFF",	 "CLEAR_RANGE",	    "FREE",
	    "KEY_INFO",	       "SET_RAM",	 "VCPU_RUN",	    "INJECT_IRQ",
	    "IO_DOMAIN_ALLOC", "IO_DOMAIN_FREE", "IO_ATTACH",	    "IO_DETACH",
	    "IO_MAP",	       "IO_UNMAP",	 "IO_IOVA_TO_PHYS", "SNAPSHOT_BEGIN",
	    "SNAPSHOT_PAGE",   "SNAPSHOT_VCPU",	 "SNAPSHOT_END",    "SNAPSHOT_CANCEL",
	    "RESTORE_BEGIN",   "RESTORE_PAGE",	 "RESTORE_VCPU",    "RESTORE_END"};

	if ((id & ~0xffull) == KCORE_HC_BASE && (id & 0xff) < sizeof(names) / sizeof(names[0]))
		return names[id & 0xff];
	return "?";
}

/* The core's n bytes of RAM at pa, or NULL if they are not all RAM. */
static const uint8_t *ram_bytes(u64 pa, u64 n)
{
	if (pa == 0 || pa + n < pa || !sim_is_ram_range(pa_init(pa), n))
		return NULL;
	return sim_ram_ptr(pa_init(pa));
}

/* One host hypercall, checked. Returns x0; *x1 gets x1 when not NULL. */
static s64 host_call(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 *x1)
{
	struct kcore_hvc_regs r = {{id, a1, a2, a3, a4, 0, 0, 0}};
	uint64_t x[7] = {id, a1, a2, a3, a4, 0, 0};

	host_hvc_dispatch(&r);
	trace("%s(%llx, %llx, %llx, %llx) = %lld, %llx", call_name(id), (unsigned long long)a1,
	      (unsigned long long)a2, (unsigned long long)a3, (unsigned long long)a4,
	      (long long)(s64)r.x[0], (unsigned long long)r.x[1]);
	if (id >= KC_HC_VM_SNAPSHOT_BEGIN && id <= KC_HC_VM_RESTORE_END) {
		/* Where kcore may have written: the record and the data page, as the core has them.
		 */
		bool two = id == KC_HC_VM_SNAPSHOT_PAGE || id == KC_HC_VM_SNAPSHOT_VCPU;
		bool rdata = id == KC_HC_VM_RESTORE_PAGE || id == KC_HC_VM_RESTORE_VCPU;
		u64 rec = two ? a4 : rdata ? a3 : a2, data = two ? a3 : rdata ? a2 : 0;

		if (!model_snapshot_call(model, x, (int64_t)r.x[0], r.x[1],
					 ram_bytes(rec, KCORE_SNAP_RECORD_SIZE),
					 ram_bytes(data, PAGE)))
			fail("%s", model_why(model));
	} else if (!model_host_call(model, x, (int64_t)r.x[0], r.x[1])) {
		fail("%s", model_why(model));
	}
	check_step();
	if (x1 != NULL)
		*x1 = r.x[1];
	return (s64)r.x[0];
}

/* The host accesses 8 bytes; compared with the model (no invariant check: see callers). */
static void host_access(u64 pa, bool write, u64 value)
{
	u64 v = value;
	enum sim_access_result res = sim_host_access(ipa_init(pa), write, &v);

	if (res != SIM_OK && res != SIM_ABORTED)
		fail("host %s at %llx: %s", write ? "store" : "load", (unsigned long long)pa,
		     sim_access_result_name(res));
	if (!model_host_access(model, pa, write, value, res == SIM_OK, v))
		fail("%s", model_why(model));
}

static void vm_access(u32 vmid, u64 ipa, bool write, u64 value)
{
	u64 v = value;
	enum sim_access_result res = sim_vm_access(vmid, ipa_init(ipa), write, &v);

	trace("VM %u %s %llx: %s", vmid, write ? "store" : "load", (unsigned long long)ipa,
	      sim_access_result_name(res));
	if (res != SIM_OK && res != SIM_S2_FAULT)
		fail("VM %u %s at %llx: %s", vmid, write ? "store" : "load",
		     (unsigned long long)ipa, sim_access_result_name(res));
	if (!model_vm_access(model, vmid, ipa, write, value, res == SIM_OK, v))
		fail("%s", model_why(model));
	check_step();
}

/* A VM's load, compared with the model (no step: the caller checks after a batch). */
static void vm_load(u32 vmid, u64 ipa)
{
	u64 v = 0;
	enum sim_access_result res = sim_vm_access(vmid, ipa_init(ipa), false, &v);

	if (res != SIM_OK && res != SIM_S2_FAULT)
		fail("VM %u load at %llx: %s", vmid, (unsigned long long)ipa,
		     sim_access_result_name(res));
	if (!model_vm_access(model, vmid, ipa, false, 0, res == SIM_OK, v))
		fail("%s", model_why(model));
}

/* Writes an image into fresh host pages through the host's stage-2; one step. */
static bool host_write_image(const struct image *img, u64 *pages, u64 nr)
{
	for (u64 i = 0; i < nr; i++) {
		pages[i] = host_page_next();
		if (pages[i] == 0)
			return false;
		for (u64 off = 0; off < PAGE; off += 8) {
			u64 word = 0;
			u64 at = i * PAGE + off;

			if (at < img->size)
				memcpy(&word, img->file + at,
				       img->size - at < 8 ? (size_t)(img->size - at) : 8);
			host_access(pages[i] + off, true, word);
		}
	}
	trace("host writes a %zu-byte image into %llu pages at %llx...", img->size,
	      (unsigned long long)nr, (unsigned long long)pages[0]);
	check_step();
	return true;
}

static void load_image(u64 vmid, u64 ipa, const struct image *img, u64 w)
{
	u64 nr = (img->size + PAGE - 1) / PAGE, idx;
	u64 pages[8] = {0};

	if (!host_write_image(img, pages, nr))
		return;
	if (host_call(KC_HC_SET_BOOT_INFO, vmid, ipa, img->size, 0, &idx) != KCORE_OK)
		return;
	for (u64 i = 0; i < nr; i++) {
		/* Now and then the host hands over a page out of order or twice. */
		u64 k = (w >> (4 * i)) % 16 == 0 ? (i + 1) % nr : i;

		host_call(KC_HC_REMAP_VM_IMAGE, vmid, pages[k] >> 12, idx, 0, NULL);
	}
	if ((w >> 40) % 16 == 0)
		host_call(KC_HC_REMAP_VM_IMAGE, vmid, pages[0] >> 12, idx, 0, NULL);
}

static void op_boot_vm(const struct op *op)
{
	u64 vmid;
	unsigned kind = (unsigned)(op->w[1] % 8);

	if (host_call(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid) != KCORE_OK)
		return;
	if (vmid <= MAX_VMS)
		built[vmid] = -1;
	for (u64 v = 0; v < 1 + op->w[2] % MAX_VCPUS; v++)
		host_call(KC_HC_REGISTER_VCPU, vmid, v, 0, 0, NULL);
	host_call(KC_HC_VM_SET_RAM, vmid, GUEST_RAM, GUEST_RAM_SZ, 0, NULL);
	/* Mostly a good image; sometimes a tampered one or one signed by another key. */
	load_image(vmid, GUEST_RAM,
		   &images[kind == 6   ? IMG_TAMPERED
			   : kind == 7 ? IMG_UNTRUSTED
				       : IMG_GOOD],
		   op->w[3]);
	if (kind == 1)
		load_image(vmid, GUEST_RAM + BLOCK, &images[IMG_GOOD2], op->w[3] >> 20);
	host_call(KC_HC_VCPU_SET_ENTRY, vmid, 0,
		  kind == 2 ? GUEST_RAM + PAYLOAD_BYTES + 64 : GUEST_RAM, 0, NULL);
	if (host_call(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL) == KCORE_OK && vmid <= MAX_VMS)
		built[vmid] = kind == 1 ? 1 : 0; /* snapshots of it restore into a VM built so */
}

/* A record PA: mostly a 128-byte slot of a host page, sometimes anything pick_pa gives. */
static u64 pick_rec(u64 w)
{
	u64 pa = pick_pa(w >> 6);

	switch (w & 3) {
	case 0:
		return pa;
	case 1:
		return (pa & ~(PAGE - 1)) + 8 * ((w >> 2) % 512); /* 8 but not 128 aligned, often */
	default:
		return host_page_near(w >> 8) + 128 * ((w >> 2) % 32);
	}
}

static void op_call(const struct op *op)
{
	static const u64 ids[] = {
	    KC_HC_VERSION,	     KC_HC_REGISTER_VM,	       KC_HC_REGISTER_VCPU,
	    KC_HC_SET_BOOT_INFO,     KC_HC_REMAP_VM_IMAGE,     KC_HC_VERIFY_VM,
	    KC_HC_VCPU_SET_ENTRY,    KC_HC_VM_DONATE,	       KC_HC_VM_MAP_IO,
	    KC_HC_VM_POWEROFF,	     KC_HC_VM_CLEAR_RANGE,     KC_HC_VM_FREE,
	    KC_HC_KEY_INFO,	     KC_HC_VM_SET_RAM,	       KC_HC_VCPU_INJECT_IRQ,
	    KC_HC_VM_SNAPSHOT_BEGIN, KC_HC_VM_SNAPSHOT_PAGE,   KC_HC_VM_SNAPSHOT_VCPU,
	    KC_HC_VM_SNAPSHOT_END,   KC_HC_VM_SNAPSHOT_CANCEL, KC_HC_VM_RESTORE_BEGIN,
	    KC_HC_VM_RESTORE_PAGE,   KC_HC_VM_RESTORE_VCPU,    KC_HC_VM_RESTORE_END,
	    KCORE_HC(0x3e)};
	u64 id = ids[op->w[0] % (sizeof(ids) / sizeof(ids[0]))];
	u64 vmid = pick_vmid(op->w[1]), a2 = 0, a3 = 0, a4 = 0;

	switch (id) {
	case KC_HC_REGISTER_VCPU:
	case KC_HC_VCPU_SET_ENTRY:
		a2 = pick_vcpu(op->w[2]);
		a3 = (op->w[3] & 1) ? GUEST_RAM + 4 * ((op->w[3] >> 1) % 2048) : pick_ipa(op->w[3]);
		break;
	case KC_HC_SET_BOOT_INFO:
	case KC_HC_VM_CLEAR_RANGE:
	case KC_HC_VM_SET_RAM:
		a2 = pick_ipa(op->w[2]);
		a3 = (op->w[3] & 3) == 0 ? images[IMG_GOOD].size : pick_size(op->w[3] >> 2);
		break;
	case KC_HC_REMAP_VM_IMAGE:
		a2 = pick_pa(op->w[2]) >> 12;
		a3 = op->w[3] % 6;
		break;
	case KC_HC_VM_DONATE:
		a2 = pick_ipa(op->w[2]);
		a3 = pick_pa(op->w[3]);
		a4 = pick_size(op->w[4]);
		break;
	case KC_HC_VM_MAP_IO:
		a2 = pick_ipa(op->w[2]);
		a3 = pick_pa(op->w[3]);
		break;
	case KC_HC_KEY_INFO:
		vmid = op->w[1] % 3;
		break;
	case KC_HC_VM_SNAPSHOT_BEGIN:
	case KC_HC_VM_SNAPSHOT_END:
	case KC_HC_VM_RESTORE_BEGIN:
	case KC_HC_VM_RESTORE_END:
		a2 = pick_rec(op->w[2]);
		break;
	case KC_HC_VM_SNAPSHOT_PAGE:
	case KC_HC_VM_SNAPSHOT_VCPU:
		a2 = id == KC_HC_VM_SNAPSHOT_PAGE ? pick_ipa(op->w[2]) : pick_vcpu(op->w[2]);
		a3 = pick_pa(op->w[3]);
		a4 = (op->w[4] & 7) == 0 ? a3 + 128 * ((op->w[4] >> 3) % 32) : pick_rec(op->w[4]);
		break;
	case KC_HC_VM_RESTORE_PAGE:
	case KC_HC_VM_RESTORE_VCPU:
		a2 = pick_pa(op->w[2]);
		a3 = (op->w[3] & 7) == 0 ? a2 + 128 * ((op->w[3] >> 3) % 32) : pick_rec(op->w[3]);
		break;
	case KC_HC_VCPU_INJECT_IRQ: {
		static const u64 intids[] = {0, 15, 16, 27, 33, 100, 1019, 1020, 1ull << 32 | 33};

		a2 = pick_vcpu(op->w[2]);
		a3 = intids[op->w[3] % (sizeof(intids) / sizeof(intids[0]))];
		break;
	}
	default:
		a2 = op->w[2] % 4 == 0 ? op->w[2] : 0; /* junk in unused arguments */
		break;
	}
	host_call(id, vmid, a2, a3, a4, NULL);
}

static void op_donate(const struct op *op)
{
	u64 vmid = 1 + op->w[1] % MAX_VMS;
	bool block = op->w[2] % 8 == 0;
	u64 ipa, pa;

	if (block) {
		pa = RAM_BASE + BLOCK * (1 + op->w[3] % 2);
		ipa = GUEST_RAM + BLOCK * (op->w[4] % 2);
	} else {
		pa = host_page_near(op->w[3]);
		ipa = GUEST_RAM + (op->w[4] % (GUEST_RAM_SZ / PAGE)) * PAGE;
	}
	host_call(KC_HC_VM_DONATE, vmid, ipa, pa, block ? BLOCK : PAGE, NULL);
}

static u64 pick_offset(u64 w)
{
	static const u64 offs[] = {0, 8, 0x800, 0xff8};

	return (w & 4) ? (w >> 3) % 512 * 8 : offs[w & 3];
}

static void op_host_mem(const struct op *op)
{
	u64 pa = pick_pa(op->w[1]) & ~(PAGE - 1);
	bool write = op->w[2] & 1;

	if (!sim_is_ram(pa_init(pa)))
		pa = page_of_index(op->w[1]);
	pa += pick_offset(op->w[3]);
	trace("host %s %llx", write ? "store" : "load", (unsigned long long)pa);
	host_access(pa, write, op->w[4]);
	check_step();
}

static bool pick_running_vm(u64 w, u32 *vmid)
{
	for (u32 i = 0; i < MAX_VMS; i++) {
		u32 v = 1 + (u32)((w + i) % MAX_VMS);

		if (model_vm_runs(model, v)) {
			*vmid = v;
			return true;
		}
	}
	return false;
}

static u64 pick_vm_ipa(u32 vmid, u64 w)
{
	u64 ipa = pick_ipa(w) & ~7ull;

	if (ipa >= (1ull << IPA_BITS) || model_vm_ipa_is_device(model, vmid, ipa))
		ipa = GUEST_RAM + ((w >> 8) % (GUEST_RAM_SZ / PAGE)) * PAGE;
	if (model_vm_ipa_is_device(model, vmid, ipa))
		ipa = 0;
	return ipa;
}

static void op_vm_mem(const struct op *op)
{
	u32 vmid;
	u64 ipa;

	if (!pick_running_vm(op->w[0], &vmid))
		return;
	ipa = pick_vm_ipa(vmid, op->w[1]);
	if (ipa == 0)
		return;
	vm_access(vmid, (ipa & ~(PAGE - 1)) + pick_offset(op->w[3]), op->w[2] & 1, op->w[4]);
}

static void op_guest(const struct op *op)
{
	/*
	 * The calls vm_hvc_dispatch answers and some it does not. PSCI beyond
	 * SYSTEM_OFF is answered in the run loop (test_run_more covers it).
	 */
	static const u64 fids[] = {KC_GC_SHARE_PAGE,	KC_GC_SHARE_PAGE,  KC_GC_UNSHARE_PAGE,
				   KC_GC_UNSHARE_PAGE,	KC_GC_VERSION,	   KCORE_HC(0x43),
				   0xC5000010u,		0x86000001u,	   KVM_HYP_MEM_SHARE,
				   KVM_HYP_MEM_UNSHARE, KVM_HYP_MEMINFO,   0xC6000001u /* PTP */,
				   KVM_HYP_MMIO_GUARD,	KVM_HYP_MMIO_GUARD};
	struct kcore_hvc_regs r;
	u64 fid;
	u32 vmid, vcpuid = (u32)(op->w[3] % MAX_VCPUS);
	bool handled;

	if (!pick_running_vm(op->w[0], &vmid))
		return;
	if (!model_vcpu_registered(model, vmid, vcpuid))
		vcpuid = 0;
	if (!model_vcpu_registered(model, vmid, vcpuid))
		return;
	fid = op->w[1] % 64 == 0 ? PSCI_SYSTEM_OFF : fids[op->w[1] % ARRAY_SIZE(fids)];
	memset(&r, 0, sizeof(r));
	r.x[0] = fid;
	r.x[1] = pick_ipa(op->w[2]);
	handled = vm_hvc_dispatch(vmid, vcpuid, &r);
	trace("VM %u call %llx(%llx) = %s %lld, %llx", vmid, (unsigned long long)fid,
	      (unsigned long long)pick_ipa(op->w[2]), handled ? "handled" : "not handled",
	      (long long)(s64)r.x[0], (unsigned long long)r.x[1]);
	if (!model_guest_call(model, vmid, vcpuid, fid, pick_ipa(op->w[2]), handled,
			      (int64_t)r.x[0], r.x[1]))
		fail("%s", model_why(model));
	check_step();
}

/* The guest of every vCPU: its step on the first entry of a run, WFI after. */
static void guest_fn(void *ctx, u32 vmid, u32 vcpuid, struct vcpu_regs *regs,
		     struct arch_exit *exit)
{
	const struct model_guest_step *s = guest.step;
	u64 v;
	enum sim_access_result res;

	(void)ctx;
	(void)vcpuid;
	if (s == NULL || guest.entries++ > 0) {
		exit->kind = ARCH_EXIT_WFX;
		return;
	}
	switch (s->act) {
	case MODEL_ACT_WFI:
		exit->kind = ARCH_EXIT_WFX;
		break;
	case MODEL_ACT_ACCESS:
		v = s->value;
		res = sim_vm_access(vmid, ipa_init(s->ipa), s->write, &v);
		if (res == SIM_OK) {
			guest.access_done = true;
			guest.access_value = v;
			exit->kind = ARCH_EXIT_WFX;
		} else if (res == SIM_S2_FAULT) {
			regs->x[5] = s->value;
			*exit = (struct arch_exit){.kind = ARCH_EXIT_DABT,
						   .ipa = s->ipa,
						   .translation = true,
						   .isv = true,
						   .write = s->write,
						   .size = 8,
						   .rt = 5,
						   .reg64 = true};
		} else {
			fail("guest access at %llx: %s", (unsigned long long)s->ipa,
			     sim_access_result_name(res));
		}
		break;
	case MODEL_ACT_CALL:
		regs->x[0] = s->fid;
		for (unsigned i = 0; i < 6; i++)
			regs->x[1 + i] = s->a[i];
		regs->pc += 4;
		exit->kind = ARCH_EXIT_HVC;
		break;
	case MODEL_ACT_POWEROFF:
		regs->x[0] = PSCI_SYSTEM_OFF;
		regs->pc += 4;
		exit->kind = ARCH_EXIT_HVC;
		break;
	}
}

static void op_run(const struct op *op)
{
	struct model_guest_step step;
	struct model_run_result got;
	struct kcore_hvc_regs r;
	uint64_t x[7];
	u64 run_pa = (op->w[2] % 8) == 0 ? pick_pa(op->w[2] >> 3) : host_page_near(7);
	u32 vmid = 0;

	if (!pick_running_vm(op->w[0], &vmid) || op->w[0] % 16 == 0)
		vmid = (u32)pick_vmid(op->w[0] >> 4);
	memset(&step, 0, sizeof(step));
	switch (op->w[1] % 8) {
	case 0:
		step.act = MODEL_ACT_WFI;
		break;
	case 1:
		step.act = MODEL_ACT_CALL;
		step.fid = 0xC5000000u | (op->w[3] & 0xff);
		for (unsigned i = 0; i < 6; i++)
			step.a[i] = mix(op->w[4] + i);
		break;
	case 2:
		step.act = op->w[3] % 16 == 0 ? MODEL_ACT_POWEROFF : MODEL_ACT_WFI;
		break;
	default:
		step.act = MODEL_ACT_ACCESS;
		step.ipa = pick_vm_ipa(vmid, op->w[3]) + pick_offset(op->w[4]);
		if (step.ipa < PAGE)
			step.act = MODEL_ACT_WFI;
		step.write = op->w[4] & 1;
		step.value = mix(op->w[4]);
		break;
	}
	/* The run page's in part: all zero (the host completes nothing). */
	if (sim_is_ram(pa_init(run_pa & ~(PAGE - 1))) &&
	    model_page_owner(model, run_pa & ~(PAGE - 1)) == MODEL_HOST && (run_pa & 7) == 0)
		for (u64 off = 0; off < MODEL_RUN_OUT_OFFSET; off += 8)
			host_access(run_pa + off, true, 0);
	guest.step = &step;
	guest.entries = 0;
	guest.access_done = false;
	guest.access_value = 0;
	memset(&r, 0, sizeof(r));
	r.x[0] = KC_HC_VCPU_RUN;
	r.x[1] = vmid;
	r.x[2] = pick_vcpu(op->w[0] >> 9);
	r.x[3] = run_pa;
	for (unsigned i = 0; i < 7; i++)
		x[i] = r.x[i];
	host_hvc_dispatch(&r);
	guest.step = NULL;
	memset(&got, 0, sizeof(got));
	got.x0 = (int64_t)r.x[0];
	got.x1 = r.x[1];
	got.access_done = guest.access_done;
	got.access_value = guest.access_value;
	if (sim_is_ram_range(pa_init(run_pa), MODEL_RUN_OUT_OFFSET + sizeof(got.out)))
		memcpy(got.out,
		       (const uint8_t *)sim_ram_ptr(pa_init(run_pa)) + MODEL_RUN_OUT_OFFSET,
		       sizeof(got.out));
	trace("VCPU_RUN(%llx, %llx, %llx) step %d = %lld, exit %llu", (unsigned long long)x[1],
	      (unsigned long long)x[2], (unsigned long long)x[3], (int)step.act, (long long)got.x0,
	      (unsigned long long)got.x1);
	if (!model_vcpu_run(model, x, &step, &got))
		fail("%s", model_why(model));
	check_step();
}

static void op_teardown(const struct op *op)
{
	u64 vmid = 1 + op->w[1] % MAX_VMS;
	u64 piece = op->w[2] % 2 ? BLOCK : GUEST_RAM_SZ;

	host_call(KC_HC_VM_POWEROFF, vmid, 0, 0, 0, NULL);
	for (u64 ipa = GUEST_RAM; ipa < GUEST_RAM + GUEST_RAM_SZ; ipa += piece)
		host_call(KC_HC_VM_CLEAR_RANGE, vmid, ipa, piece, 0, NULL);
	host_call(KC_HC_VM_CLEAR_RANGE, vmid, HOST_DEV, 4 * PAGE, 0, NULL);
	host_call(KC_HC_VM_FREE, vmid, 0, 0, 0, NULL);
}

/* ---- DMA isolation: IO domains, streams, IO maps, devices ---------------------- */

/* A domain id: mostly an allocated one (of the owner wanted, if any), sometimes junk. */
static u64 pick_domain(u64 w)
{
	uint32_t owner;

	switch (w % 16) {
	case 0:
		return MODEL_IO_DOMAINS;
	case 1:
		return (w >> 4) | (1ull << 32);
	case 2:
		return (w >> 4) % MODEL_IO_DOMAINS;
	default:
		for (u32 i = 0; i < MODEL_IO_DOMAINS; i++) {
			u32 d = (u32)((w >> 4) + i) % MODEL_IO_DOMAINS;

			if (model_io_domain(model, d, &owner))
				return d;
		}
		return (w >> 4) % MODEL_IO_DOMAINS;
	}
}

static u64 pick_stream(u64 w)
{
	static const u64 odd[] = {255, 256, 1ull << 32};

	return w % 16 == 0 ? odd[(w >> 4) % 3] : (w >> 4) % NR_STREAMS;
}

/* A VM page (of vmid, or of any VM when vmid is 0), shared or not as asked, or 0. */
static u64 vm_page_near(u64 start, u32 vmid, int shared)
{
	for (u64 i = 0; i < NR_RAM_PAGES; i++) {
		u64 pa = page_of_index(start + i);
		uint32_t o = model_page_owner(model, pa);

		if (o == MODEL_HOST || o == MODEL_KCORE || (vmid != 0 && o != vmid))
			continue;
		if (shared >= 0 && model_page_shared(model, pa) != (shared != 0))
			continue;
		return pa;
	}
	return 0;
}

/*
 * IO_MAP arguments for domain d: for a host domain its pages, pages VMs share
 * and do not share, kcore's, at their own address or in the guests' range;
 * for a VM's domain its pages (shared, which it may map, and not) at and not
 * at their IPA, another VM's, the host's.
 */
static void pick_io_map(u64 d, u64 w, u64 *iova, u64 *pa)
{
	uint32_t owner = MODEL_HOST;
	u64 r = w >> 4;
	bool vm_dom = model_io_domain(model, (uint32_t)(d % MODEL_IO_DOMAINS), &owner) &&
		      owner != MODEL_HOST && d < MODEL_IO_DOMAINS;

	switch (w % 16) {
	case 0:
	case 1:
	case 2:
		*pa = host_page_near(r);
		break;
	case 3:
	case 4:
		*pa = vm_page_near(r, vm_dom ? owner : 0, 1);
		break;
	case 5:
	case 6:
	case 7:
	case 8:
		*pa = vm_page_near(r, vm_dom ? owner : 0, vm_dom ? -1 : 0);
		break;
	case 9:
		*pa = vm_page_near(r, 0, -1);
		break;
	case 10:
		*pa = pa_addr(params.carve.base) + (r % (params.carve.size / PAGE)) * PAGE;
		break;
	case 11:
		*pa = RAM_BASE + (r % (KIMAGE_SIZE / PAGE)) * PAGE;
		break;
	default:
		*pa = pick_pa(r);
		break;
	}
	if (*pa == 0)
		*pa = host_page_near(r);
	/* The IOVA: a VM page's IPA (or next to it), the PA itself, the guests' range, junk. */
	r = mix(w);
	switch (r % 8) {
	case 0:
	case 1:
	case 2:
		*iova = model_page_ipa(model, *pa) != 0 ? model_page_ipa(model, *pa) : *pa;
		break;
	case 3:
		*iova = model_page_ipa(model, *pa) != 0 ? model_page_ipa(model, *pa) ^ PAGE
							: GUEST_RAM + ((r >> 3) % 16) * PAGE;
		break;
	case 4:
		*iova = *pa & ~(PAGE - 1);
		break;
	case 5:
		*iova = GUEST_RAM + ((r >> 3) % (GUEST_RAM_SZ / PAGE)) * PAGE;
		break;
	default:
		*iova = pick_ipa(r >> 3);
		if (*iova < (1ull << IPA_BITS) && (*iova & (PAGE - 1)) == 0 &&
		    (*iova < GUEST_RAM || *iova >= GUEST_RAM + GUEST_RAM_SZ) &&
		    *iova < (1ull << IPA_BITS) - 2 * PAGE)
			*iova = GUEST_RAM + BLOCK; /* keep the IO tables few */
		break;
	}
}

/* An IOVA domain d maps (or a nearby one that it may not), for unmap and lookups. */
static u64 pick_iova_of(u64 d, u64 w)
{
	u64 iova = 0, pa = 0;

	if (w % 4 != 0 && d < MODEL_IO_DOMAINS &&
	    model_io_nth_mapping(model, (uint32_t)d, w >> 2, &iova, &pa))
		return iova;
	return pick_ipa(w >> 2);
}

static void op_io(const struct op *op)
{
	u64 d = pick_domain(op->w[1]), a2 = 0, a3 = 0, id;

	switch (op->w[0] % 16) {
	case 0:
	case 1: {
		/* Mostly the host, or a VM that exists; now and then junk. */
		u64 owner = op->w[2] % 2 == 0 ? 0 : pick_vmid(op->w[2] >> 1);

		host_call(KC_HC_IO_DOMAIN_ALLOC, owner, 0, 0, 0, NULL);
		return;
	}
	case 2:
		id = KC_HC_IO_DOMAIN_FREE;
		break;
	case 3:
	case 4:
		id = KC_HC_IO_ATTACH;
		a2 = pick_stream(op->w[2]);
		break;
	case 5:
		host_call(KC_HC_IO_DETACH, pick_stream(op->w[2]), 0, 0, 0, NULL);
		return;
	case 6:
	case 7:
	case 8:
	case 9:
	case 10:
		id = KC_HC_IO_MAP;
		pick_io_map(d, op->w[2], &a2, &a3);
		break;
	case 11:
	case 12:
		id = KC_HC_IO_UNMAP;
		a2 = pick_iova_of(d, op->w[2]);
		break;
	default:
		id = KC_HC_IO_IOVA_TO_PHYS;
		a2 = pick_iova_of(d, op->w[2]) + (op->w[3] % 4 == 0 ? (op->w[3] >> 2) % PAGE : 0);
		break;
	}
	host_call(id, d, a2, a3, 0, NULL);
}

/* A device's 8-byte DMA, on the simulated SMMU and the model. */
static void dma(u32 sid, u64 iova, bool write, u64 value)
{
	u64 v = value;
	enum sim_access_result res = sim_dma_access(sid, iova, write, &v);

	trace("DMA stream %u %s %llx: %s", sid, write ? "write" : "read", (unsigned long long)iova,
	      sim_access_result_name(res));
	if (res != SIM_OK && res != SIM_STREAM_FAULT && res != SIM_S2_FAULT)
		fail("DMA stream %u %s at %llx: %s", sid, write ? "write" : "read",
		     (unsigned long long)iova, sim_access_result_name(res));
	if (!model_dma_access(model, sid, iova, write, value, res == SIM_OK, v))
		fail("%s", model_why(model));
	if (res == SIM_OK) {
		last_dma.sid = sid;
		last_dma.iova = iova;
	}
	check_step();
}

static void op_dma(const struct op *op)
{
	u32 sid = (u32)(op->w[1] % 64 == 0 ? 255 : op->w[1] % NR_STREAMS);
	uint32_t d = 0;
	u64 iova, pa;

	if (op->w[2] % 4 == 0) {
		sid = last_dma.sid;
		iova = last_dma.iova;
	} else if (model_stream_domain(model, sid, &d) && op->w[2] % 8 != 1 &&
		   model_io_nth_mapping(model, d, op->w[2] >> 3, &iova, &pa)) {
		iova += pick_offset(op->w[3]);
	} else {
		iova = (pick_ipa(op->w[2] >> 3) & ~7ull) % (1ull << IPA_BITS);
	}
	dma(sid, iova & ~7ull, op->w[3] & 1, op->w[4]);
}

/* ---- encrypted snapshots: take, keep, restore, attack ------------------------- */

#define SNAP_SLOTS 4
#define REC_SIZE   KCORE_SNAP_RECORD_SIZE

/* One piece of a snapshot as the host keeps it: its record and data page. */
struct piece {
	u8 rec[REC_SIZE];
	u8 *data; /* [PAGE], or NULL (header, trailer) */
};

/* A snapshot the host stored (in its own memory: "wherever it likes"). */
struct saved_snap {
	bool used, open, complete;
	u32 vmid;      /* the VM it was taken of */
	int build;     /* how that VM was built (op_boot_vm's kind), -1 unknown */
	u64 vcpu_mask; /* its vCPUs */
	struct piece header, trailer;
	struct piece *page; /* in the order written */
	u64 *ipa;	    /* each page's IPA */
	size_t nr_page, cap_page;
	struct piece vcpu[MAX_VCPUS];
	u64 vcpus_written;  /* mask */
	u64 next_ipa_index; /* open: the next of the VM's pages (sorted) to write */
};

static struct saved_snap stored[SNAP_SLOTS];

static void saved_clear(struct saved_snap *sv)
{
	for (size_t i = 0; i < sv->nr_page; i++)
		free(sv->page[i].data);
	for (unsigned v = 0; v < MAX_VCPUS; v++)
		free(sv->vcpu[v].data);
	free(sv->page);
	free(sv->ipa);
	memset(sv, 0, sizeof(*sv));
}

static void snap_reset(void)
{
	for (unsigned i = 0; i < SNAP_SLOTS; i++)
		saved_clear(&stored[i]);
	for (unsigned v = 0; v <= MAX_VMS; v++)
		built[v] = -1;
}

/* The host copies what kcore wrote out of its pages (the model already compared them). */
static void keep(struct piece *p, u64 rec, u64 data)
{
	memcpy(p->rec, sim_ram_ptr(pa_init(rec)), REC_SIZE);
	if (data != 0) {
		if (p->data == NULL)
			p->data = malloc(PAGE);
		if (p->data == NULL)
			fail("out of memory");
		memcpy(p->data, sim_ram_ptr(pa_init(data)), PAGE);
	}
}

/* The host writes n bytes into its page at pa (host stores, checked, no step). */
static void host_write(u64 pa, const u8 *bytes, u64 n)
{
	for (u64 off = 0; off < n; off += 8) {
		u64 word;

		memcpy(&word, bytes + off, 8);
		host_access(pa + off, true, word);
	}
}

/* The VM's RAM pages' IPAs, increasing; returns how many. */
static size_t vm_ipas(u32 vmid, u64 *ipas)
{
	size_t n = 0;

	for (u64 i = 0; i < NR_RAM_PAGES; i++) {
		u64 pa = RAM_BASE + i * PAGE;

		if (model_page_owner(model, pa) == vmid)
			ipas[n++] = model_page_ipa(model, pa);
	}
	for (size_t i = 1; i < n; i++) { /* insertion sort: mostly in order already */
		u64 v = ipas[i];
		size_t j = i;

		for (; j > 0 && ipas[j - 1] > v; j--)
			ipas[j] = ipas[j - 1];
		ipas[j] = v;
	}
	return n;
}

/* Two distinct host pages for a record and a data page; false if there are none. */
static bool two_host_pages(u64 w, u64 *rec, u64 *data)
{
	*data = host_page_near(w);
	*rec = *data != 0 ? host_page_near((*data - RAM_BASE) / PAGE + 1 + (w >> 20) % 64) : 0;
	if (*data == 0 || *rec == 0 || *rec == *data)
		return false;
	*rec += REC_SIZE * ((w >> 12) % 32);
	return true;
}

/* Writes page k of the VM's (sorted) pages into the open snapshot sv. */
static void snap_page(struct saved_snap *sv, u64 ipa, u64 w)
{
	u64 rec, data;

	if (!two_host_pages(w, &rec, &data))
		return;
	if (host_call(KC_HC_VM_SNAPSHOT_PAGE, sv->vmid, ipa, data, rec, NULL) != KCORE_OK)
		return;
	if (sv->nr_page == sv->cap_page) {
		size_t cap = sv->cap_page ? 2 * sv->cap_page : 16;
		struct piece *np = realloc(sv->page, cap * sizeof(*np));
		u64 *ni = realloc(sv->ipa, cap * sizeof(*ni));

		if (np == NULL || ni == NULL)
			fail("out of memory");
		sv->page = np;
		sv->ipa = ni;
		sv->cap_page = cap;
	}
	memset(&sv->page[sv->nr_page], 0, sizeof(sv->page[0]));
	keep(&sv->page[sv->nr_page], rec, data);
	sv->ipa[sv->nr_page++] = ipa;
}

static void snap_vcpu(struct saved_snap *sv, u64 v, u64 w)
{
	u64 rec, data;

	if (!two_host_pages(w, &rec, &data))
		return;
	if (host_call(KC_HC_VM_SNAPSHOT_VCPU, sv->vmid, v, data, rec, NULL) != KCORE_OK ||
	    v >= MAX_VCPUS)
		return;
	keep(&sv->vcpu[v], rec, data);
	sv->vcpus_written |= 1ull << v;
}

static void snap_end(struct saved_snap *sv, u64 w)
{
	u64 rec, data;

	if (!two_host_pages(w, &rec, &data))
		return;
	if (host_call(KC_HC_VM_SNAPSHOT_END, sv->vmid, rec, 0, 0, NULL) != KCORE_OK)
		return;
	keep(&sv->trailer, rec, 0);
	sv->open = false;
	sv->complete = true;
}

/*
 * Takes (or goes on with) a snapshot of the VM: the pages from the next one
 * on, the vCPUs, the trailer; mode says how the host strays: 0..7 in order;
 * 8 two pages swapped; 9 a page skipped; 10 a vCPU twice; 11 END early; 12
 * stops half way (left open); 13 cancels half way; 14 a page written twice;
 * 15 a data page that is a VM's page or a record in the data page.
 */
static void snap_run(struct saved_snap *sv, unsigned mode, u64 w)
{
	u64 *ipas = malloc(NR_RAM_PAGES * sizeof(*ipas));
	size_t n, half, k;

	if (ipas == NULL)
		fail("out of memory");
	n = vm_ipas(sv->vmid, ipas);
	half = sv->next_ipa_index + (n - sv->next_ipa_index) / 2;
	for (k = sv->next_ipa_index; k < n; k++) {
		u64 pw = mix(w + k);

		if ((mode == 12 || mode == 13) && k == half)
			break;
		if (mode == 11 && k == half)
			snap_end(sv, pw >> 1);
		if (mode == 8 && k == half && k + 1 < n) {
			snap_page(sv, ipas[k + 1], pw);
			snap_page(sv, ipas[k], pw >> 3); /* EXIST */
			k++;
			continue;
		}
		if (mode == 9 && k == half)
			continue;
		if (mode == 15 && k == half) {
			u64 vpa = 0;

			model_vm_ram_page(model, sv->vmid, ipas[k], &vpa);
			host_call(KC_HC_VM_SNAPSHOT_PAGE, sv->vmid, ipas[k],
				  pw & 1 ? vpa : host_page_near(pw),
				  host_page_near(pw) + REC_SIZE * (pw % 32), NULL);
		}
		snap_page(sv, ipas[k], pw);
		if (mode == 14 && k == half)
			snap_page(sv, ipas[k], pw >> 5);
	}
	sv->next_ipa_index = k;
	free(ipas);
	if (mode == 12)
		return;
	if (mode == 13) {
		host_call(KC_HC_VM_SNAPSHOT_CANCEL, sv->vmid, 0, 0, 0, NULL);
		sv->open = false;
		return;
	}
	for (u64 v = 0; v < MAX_VCPUS + (mode == 10); v++) {
		if (model_vcpu_registered(model, sv->vmid, (u32)v) || v >= MAX_VCPUS)
			snap_vcpu(sv, v, mix(w ^ (v + 77)));
		if (mode == 10 && v == 0)
			snap_vcpu(sv, v, mix(w ^ 99)); /* EXIST */
	}
	snap_end(sv, w >> 7);
	if (sv->open) /* END refused (a page skipped): the host gives up */
		host_call(KC_HC_VM_SNAPSHOT_CANCEL, sv->vmid, 0, 0, 0, NULL);
	sv->open = model_vm_snap_phase(model, sv->vmid) == 1;
}

/* A VM that could be snapshotted (VERIFIED, nothing open), or 0. */
static u32 pick_snap_vm(u64 w)
{
	for (u32 i = 0; i < MAX_VMS; i++) {
		u32 v = 1 + (u32)((w + i) % MAX_VMS);

		if (model_vm_runs(model, v))
			return v;
	}
	return 0;
}

static void op_snap_take(const struct op *op)
{
	u32 vmid = pick_snap_vm(op->w[1]);
	struct saved_snap *sv = &stored[op->w[2] % SNAP_SLOTS];
	u64 rec, data;

	if (vmid == 0 || !two_host_pages(op->w[3], &rec, &data))
		return;
	if (sv->open) /* the host forgets a snapshot it left open: the VM stays paused */
		sv->open = false;
	saved_clear(sv);
	if (host_call(KC_HC_VM_SNAPSHOT_BEGIN, vmid, rec, 0, 0, NULL) != KCORE_OK)
		return;
	sv->used = true;
	sv->open = true;
	sv->vmid = vmid;
	sv->build = built[vmid];
	for (u32 v = 0; v < MAX_VCPUS; v++)
		sv->vcpu_mask |= model_vcpu_registered(model, vmid, v) ? 1ull << v : 0;
	keep(&sv->header, rec, 0);
	/* Now and then the host tries to run the paused VM. */
	if (op->w[4] % 8 == 0) {
		/* w[0] makes op_run pick this VM (pick_vmid), w[1] a WFI step. */
		struct op run = {OP_RUN, {(3 + 16 * (u64)(vmid - 1)) << 4, 0, 1, 0, 0}};

		op_run(&run);						   /* STATE: paused */
		host_call(KC_HC_VM_SNAPSHOT_BEGIN, vmid, rec, 0, 0, NULL); /* already open */
	}
	snap_run(sv, (unsigned)(op->w[4] >> 3) % 16 < 8 ? 0 : (unsigned)(op->w[4] >> 3) % 16,
		 op->w[4]);
}

/* Goes on with a snapshot left open: writes the rest, or cancels it. */
static void op_snap_continue(const struct op *op)
{
	for (unsigned i = 0; i < SNAP_SLOTS; i++) {
		struct saved_snap *sv = &stored[(op->w[1] + i) % SNAP_SLOTS];

		if (!sv->used || !sv->open)
			continue;
		if (model_vm_snap_phase(model, sv->vmid) != 1) {
			sv->open = false; /* the VM was powered off meanwhile */
			return;
		}
		if (op->w[2] % 4 == 0) {
			host_call(KC_HC_VM_SNAPSHOT_CANCEL, sv->vmid, 0, 0, 0, NULL);
			sv->open = false;
			return;
		}
		snap_run(sv, op->w[2] % 16 == 1 ? 9 : 0, op->w[3]);
		return;
	}
}

/* Writes a piece into fresh host pages: *rec and *data (0 for none) where it now is. */
static bool put_piece(const struct piece *p, u64 w, u64 *rec, u64 *data)
{
	if (!two_host_pages(w, rec, data))
		return false;
	host_write(*rec, p->rec, REC_SIZE);
	if (p->data != NULL)
		host_write(*data, p->data, PAGE);
	return true;
}

/* A copy of a piece with one byte flipped (in the record, or in the data's blob). */
static struct piece flipped(const struct piece *p, u64 w, u8 *buf)
{
	struct piece q = *p;

	if (p->data != NULL && (w & 1)) { /* page blobs only: all 4,096 bytes are the blob */
		memcpy(buf, p->data, PAGE);
		buf[(w >> 1) % PAGE] ^= (u8)(1u << ((w >> 13) % 8));
		q.data = buf;
	} else {
		q.rec[(w >> 1) % REC_SIZE] ^= (u8)(1u << ((w >> 13) % 8));
	}
	return q;
}

static s64 restore_call(u64 id, u32 vmid, const struct piece *p, u64 w)
{
	u64 rec, data;

	if (!put_piece(p, w, &rec, &data))
		return KCORE_OK;
	if (id == KC_HC_VM_RESTORE_BEGIN || id == KC_HC_VM_RESTORE_END)
		return host_call(id, vmid, rec, 0, 0, NULL);
	return host_call(id, vmid, data, rec, 0, NULL);
}

/* Builds a VM as op_boot_vm's kind does (a good one), with vcpus vCPUs; its id or 0. */
static u32 build_vm(int kind, u64 vcpus, u64 w)
{
	u64 vmid;

	if (host_call(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid) != KCORE_OK || vmid > MAX_VMS)
		return 0;
	built[vmid] = -1;
	for (u64 v = 0; v < vcpus; v++)
		host_call(KC_HC_REGISTER_VCPU, vmid, v, 0, 0, NULL);
	host_call(KC_HC_VM_SET_RAM, vmid, GUEST_RAM, GUEST_RAM_SZ, 0, NULL);
	load_image(vmid, GUEST_RAM, &images[IMG_GOOD], 0x1111111111111111ull);
	if (kind == 1)
		load_image(vmid, GUEST_RAM + BLOCK, &images[IMG_GOOD2], 0x1111111111111111ull);
	host_call(KC_HC_VCPU_SET_ENTRY, vmid, 0, GUEST_RAM + 4 * (w % 64), 0, NULL);
	if (host_call(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL) != KCORE_OK)
		return 0;
	built[vmid] = kind;
	return (u32)vmid;
}

/*
 * Restores a stored snapshot into a VM built for it (or, as an attack, one
 * built otherwise), then loads some words of every restored page as the VM.
 * attack: 0..11 none; 12 a flipped byte in a record or page; 13 two pages
 * swapped; 14 a page replayed; 15 a page dropped; 16 another snapshot's page,
 * header or trailer; 17 a VM with other images; 18 a VM with other vCPUs; 19
 * a page not donated; 20 a vCPU replayed or flipped; 21 END early; 22 the
 * trailer flipped; 23 left open half way.
 */
static void op_snap_restore(const struct op *op)
{
	struct saved_snap *sv = NULL, *other = NULL;
	unsigned attack = (unsigned)(op->w[2] % 24);
	u64 vcpus, k, at, w = op->w[3];
	int kind;
	u32 vmid;
	u8 buf[PAGE];

	for (unsigned i = 0; i < SNAP_SLOTS; i++) {
		struct saved_snap *c = &stored[(op->w[1] + i) % SNAP_SLOTS];

		if (c->used && !c->open && sv == NULL && (c->complete || attack == 21))
			sv = c;
		else if (c->used && !c->open && c->nr_page > 0)
			other = c;
	}
	if (sv == NULL)
		return;
	kind = sv->build == 1 ? 1 : 0;
	vcpus = 0;
	while (vcpus < MAX_VCPUS && (sv->vcpu_mask >> vcpus) & 1)
		vcpus++;
	if (attack == 17)
		kind = !kind;
	if (attack == 18)
		vcpus = vcpus == 1 ? 2 : 1;
	vmid = build_vm(kind, vcpus, op->w[4]);
	if (vmid == 0)
		return;
	/* Pages at every IPA the snapshot has (the images' are there already). */
	at = sv->nr_page ? (op->w[4] >> 8) % sv->nr_page : 0;
	for (k = 0; k < sv->nr_page; k++) {
		u64 pa;

		if (model_vm_ram_page(model, vmid, sv->ipa[k], &pa) || (attack == 19 && k == at))
			continue;
		pa = host_page_near(mix(w + k));
		host_call(KC_HC_VM_DONATE, vmid, sv->ipa[k], pa, PAGE, NULL);
	}
	if (attack == 16 && other != NULL && w % 3 == 0) {
		restore_call(KC_HC_VM_RESTORE_BEGIN, vmid, &other->header, w);
	} else if (attack == 12 && w % 8 == 0) {
		struct piece h = flipped(&sv->header, w >> 3, buf);

		restore_call(KC_HC_VM_RESTORE_BEGIN, vmid, &h, w);
	} else {
		restore_call(KC_HC_VM_RESTORE_BEGIN, vmid, &sv->header, w);
	}
	for (k = 0; k < sv->nr_page && model_vm_snap_phase(model, vmid) == 2; k++) {
		const struct piece *p = &sv->page[k];
		struct piece q;
		u64 pw = mix(w ^ k);

		if (k == at) {
			if (attack == 23)
				return;
			if (attack == 15)
				continue;
			if (attack == 13 && k + 1 < sv->nr_page) {
				restore_call(KC_HC_VM_RESTORE_PAGE, vmid, &sv->page[k + 1], pw);
				continue;
			}
			if (attack == 14)
				restore_call(KC_HC_VM_RESTORE_PAGE, vmid, &sv->page[k ? k - 1 : 0],
					     pw >> 2);
			if (attack == 12 && w % 8 != 0) {
				q = flipped(p, pw >> 4, buf);
				p = &q;
			}
			if (attack == 16 && other != NULL && w % 3 == 1)
				p = &other->page[k % other->nr_page];
			if (attack == 21) {
				restore_call(KC_HC_VM_RESTORE_END, vmid, &sv->trailer, pw);
				continue;
			}
		}
		restore_call(KC_HC_VM_RESTORE_PAGE, vmid, p, pw);
	}
	for (u64 v = 0; v < MAX_VCPUS && model_vm_snap_phase(model, vmid) == 2; v++) {
		struct piece q;

		if (!((sv->vcpus_written >> v) & 1))
			continue;
		q = sv->vcpu[v];
		if (attack == 20 && (w & 2)) {
			memcpy(buf, q.data, PAGE);
			buf[(w >> 4) % KCORE_SNAP_VCPU_BYTES] ^= 0x20;
			q.data = buf;
		}
		restore_call(KC_HC_VM_RESTORE_VCPU, vmid, &q, mix(w ^ (v + 5)));
		if (attack == 20 && !(w & 2))
			restore_call(KC_HC_VM_RESTORE_VCPU, vmid, &sv->vcpu[v], mix(w ^ v));
	}
	if (model_vm_snap_phase(model, vmid) == 2) {
		struct piece t = sv->trailer;

		if (attack == 22)
			t.rec[(w >> 5) % REC_SIZE] ^= 4;
		if (attack == 16 && other != NULL && w % 3 == 2 && other->complete)
			t = other->trailer;
		restore_call(KC_HC_VM_RESTORE_END, vmid, &t, w >> 9);
	}
	if (seeded_bug && sv->nr_page > 0 && model_vm_runs(model, vmid)) {
		u64 pa;

		if (model_vm_ram_page(model, vmid, sv->ipa[0], &pa))
			*(u8 *)sim_ram_ptr(pa_init(pa)) ^= 1;
	}
	/* The key property: each restored page holds what the original had at the snapshot. */
	for (k = 0; k < sv->nr_page && model_vm_runs(model, vmid); k++) {
		vm_load(vmid, sv->ipa[k]);
		vm_load(vmid, sv->ipa[k] + pick_offset(mix(w + k)));
		vm_load(vmid, sv->ipa[k] + PAGE - 8);
	}
	check_step();
}

/* Goes on with a restore left open: the rest of the pieces of the snapshot it came from. */
static void op_snap_restore_more(const struct op *op)
{
	for (u32 i = 0; i < MAX_VMS; i++) {
		u32 vmid = 1 + (u32)((op->w[1] + i) % MAX_VMS);

		if (model_vm_snap_phase(model, vmid) != 2)
			continue;
		/* Which piece: the host does not know where kcore is; it tries one. */
		for (unsigned s = 0; s < SNAP_SLOTS; s++) {
			struct saved_snap *sv = &stored[(op->w[2] + s) % SNAP_SLOTS];

			if (!sv->used || sv->nr_page == 0)
				continue;
			switch (op->w[3] % 4) {
			case 0:
				restore_call(KC_HC_VM_RESTORE_END, vmid, &sv->trailer, op->w[4]);
				break;
			case 1:
				if ((sv->vcpus_written & 1) != 0)
					restore_call(KC_HC_VM_RESTORE_VCPU, vmid, &sv->vcpu[0],
						     op->w[4]);
				break;
			default:
				restore_call(KC_HC_VM_RESTORE_PAGE, vmid,
					     &sv->page[(op->w[3] >> 2) % sv->nr_page], op->w[4]);
				break;
			}
			return;
		}
		return;
	}
}

static void op_snap(const struct op *op)
{
	unsigned what = (unsigned)(op->w[0] % 16);

	if (what < 6)
		op_snap_take(op);
	else if (what < 8)
		op_snap_continue(op);
	else if (what < 14)
		op_snap_restore(op);
	else
		op_snap_restore_more(op);
}

static void run_op(const struct op *op)
{
	switch (op->kind) {
	case OP_CALL:
		op_call(op);
		break;
	case OP_BOOT_VM:
		op_boot_vm(op);
		break;
	case OP_DONATE:
		op_donate(op);
		break;
	case OP_HOST_MEM:
		op_host_mem(op);
		break;
	case OP_VM_MEM:
		op_vm_mem(op);
		break;
	case OP_GUEST:
		op_guest(op);
		break;
	case OP_RUN:
		op_run(op);
		break;
	case OP_IO:
		op_io(op);
		break;
	case OP_DMA:
		op_dma(op);
		break;
	case OP_SNAP:
		op_snap(op);
		break;
	case OP_TEARDOWN:
	case OP_NR_KINDS:
		op_teardown(op);
		break;
	}
}

/* ---- sequences, children, shrinking -------------------------------------------- */

/* Runs the operations (indices into the seed's list) in a child. -1: passed. */
static int64_t run_sequence(uint64_t seed, const uint64_t *idx, uint64_t n, uint64_t *nsteps)
{
	pid_t pid;
	int status;

	memset(report, 0, sizeof(*report));
	report->op_index = UINT64_MAX;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("prop_test: fork");
		exit(2);
	}
	if (pid == 0) {
		io_on = seed % 8 != 7;	   /* one sequence in 8: a kcore without IO support */
		snap_on = seed % 16 != 10; /* one in 16: a kcore without a sealing secret */
		boot();
		snap_reset();
		steps = 0;
		for (uint64_t i = 0; i < n; i++) {
			struct op op = op_make(seed, idx[i]);

			report->op_index = i;
			if (verbose)
				printf("  op %llu (#%llu)\n", (unsigned long long)i,
				       (unsigned long long)idx[i]);
			run_op(&op);
		}
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("prop_test: waitpid");
		exit(2);
	}
	*nsteps = report->steps;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == SIM_HALT_EXIT_CODE)
		snprintf(report->why, sizeof(report->why), "kcore halted (a panic)");
	else if (WIFSIGNALED(status))
		snprintf(report->why, sizeof(report->why), "the process died (signal %d)",
			 WTERMSIG(status));
	return report->op_index == UINT64_MAX ? 0 : (int64_t)report->op_index;
}

static void shrink_and_report(uint64_t seed, uint64_t length, int64_t first)
{
	uint64_t n = (uint64_t)first + 1, *idx = calloc(n, sizeof(*idx)), nsteps;
	char why[sizeof(report->why)];

	if (idx == NULL)
		exit(2);
	memcpy(why, report->why, sizeof(why));
	printf("prop_test: MISMATCH with seed %llu (length %llu) at operation %lld: %s\n",
	       (unsigned long long)seed, (unsigned long long)length, (long long)first, why);
	printf("prop_test: the shortest failing prefix is operations 0..%lld; reproduce with\n"
	       "  prop_test --seed %llu --sequences 1 --length %llu --verbose\n",
	       (long long)first, (unsigned long long)seed, (unsigned long long)n);
	for (uint64_t i = 0; i < n; i++)
		idx[i] = i;
	/* Drop operations one at a time (last kept: it is the failing one) while it still fails. */
	for (uint64_t i = n - 1; i-- > 0;) {
		uint64_t saved = idx[i];
		int64_t at;

		memmove(&idx[i], &idx[i + 1], (n - i - 1) * sizeof(*idx));
		at = run_sequence(seed, idx, n - 1, &nsteps);
		if (at >= 0 && (uint64_t)at == n - 2) {
			n--;
		} else {
			memmove(&idx[i + 1], &idx[i], (n - i - 1) * sizeof(*idx));
			idx[i] = saved;
		}
	}
	printf("prop_test: %llu operations still fail; replaying them:\n", (unsigned long long)n);
	verbose = true;
	run_sequence(seed, idx, n, &nsteps);
	printf("prop_test: %s\n", report->why);
	free(idx);
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, sequences = 1, length = 2000, total_steps = 0, *idx;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--verbose") == 0) {
			verbose = true;
		} else if (strcmp(argv[i], "--seeded-bug") == 0) {
			seeded_bug = true;
		} else if (strcmp(argv[i], "--known-findings") == 0) {
			known_findings = true;
		} else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (i + 1 < argc && strcmp(argv[i], "--sequences") == 0) {
			sequences = strtoull(argv[++i], NULL, 0);
		} else if (i + 1 < argc && strcmp(argv[i], "--length") == 0) {
			length = strtoull(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "usage: prop_test [--seed N] [--sequences N] [--length N] "
					"[--verbose] [--seeded-bug] [--known-findings]\n");
			return 2;
		}
	}
	if (length == 0 || sequences == 0) {
		fputs("prop_test: --length and --sequences must be positive\n", stderr);
		return 2;
	}
	report =
	    mmap(NULL, sizeof(*report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	idx = calloc(length, sizeof(*idx));
	if (report == MAP_FAILED || idx == NULL) {
		perror("prop_test");
		free(idx);
		return 2;
	}
	for (uint64_t i = 0; i < length; i++)
		idx[i] = i;
	make_images();
	sim_set_guest(guest_fn, NULL);
	for (uint64_t s = 0; s < sequences; s++) {
		uint64_t sseed = seed + s, nsteps = 0;
		int64_t first = run_sequence(sseed, idx, length, &nsteps);

		total_steps += nsteps;
		if (first >= 0) {
			shrink_and_report(sseed, length, first);
			free(idx);
			return 1;
		}
	}
	free(idx);
	printf("prop_test: %llu sequences of %llu operations from seed %llu: %llu steps, all "
	       "matched the model\n",
	       (unsigned long long)sequences, (unsigned long long)length, (unsigned long long)seed,
	       (unsigned long long)total_steps);
	return 0;
}
