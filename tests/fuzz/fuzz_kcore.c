/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a malicious host and guests drive kcore on the simulated
 * machine through its two real interfaces, the host hypercall dispatcher and
 * the vCPU run loop (with guest exits the input describes), plus host memory
 * accesses. After every operation no TLB entry may be stale, and after
 * every input the invariant checker must find nothing; any violation,
 * sanitizer report or kcore panic is a finding. The host also drives the
 * IO calls (domains, streams, IO mappings) and devices DMA through the
 * simulated SMMU; the SMMU's stream table must always agree with kcore's.
 *
 * Each input starts from the same machine: booted once with one verified
 * VM, saved, and put back exactly after every input (tests/fuzz/state.c:
 * kcore's and the simulated machine's globals, and the RAM pages the input
 * touched), so inputs are independent and reproducible without paying for a
 * boot (and an ECDSA verification) each. With KCORE_FUZZ_CHECK_RESET=1 in
 * the environment every input runs twice, with a reset between, and must
 * produce the same results and leave the same machine both times, and each
 * reset must restore the saved machine to the byte (tests/scripts/fuzz.sh
 * replays the corpus so).
 *
 * Input: a sequence of 33-byte operations: an opcode byte and four 64-bit
 * little-endian words, which are mapped onto interesting values (ids near the
 * valid range, addresses inside RAM, the VM's RAM and image, kcore's memory).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/sim/sim.h"
#include "core/arch.h"
#include "core/kcore.h"
#include "core/smmu/iommu.h"
#include "core/vm/vm.h"
#include "tests/fuzz/state.h"
#include "tools/lib/imgsign.h"

#define RAM_BASE  0x40000000ull
#define RAM_SIZE  (8ull << 20)
#define GUEST_RAM 0x80000000ull
#define OP_SIZE	  33u

static struct kcore_trusted_key key_table[1];
static struct imgsign_key key;
static uint8_t *image;
static size_t image_size;
static u64 host_next;
static u64 run_pa;
static const uint8_t *guest_in;		/* the current operation's words, for the guest */
static unsigned guest_entries;		/* entries in the current run call */
static u64 boot_host_next, boot_run_pa; /* the harness's own state at the saved point */
static u64 outputs;			/* a digest of every result the input saw */
static bool check_reset;		/* KCORE_FUZZ_CHECK_RESET: run each input twice */

static void output(u64 v)
{
	outputs = (outputs ^ v) * 0x100000001b3ull;
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

static s64 hc(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 *out)
{
	struct kcore_hvc_regs r = {{id, a1, a2, a3, a4, 0, 0, 0}};

	host_hvc_dispatch(&r);
	for (unsigned i = 0; i < 6; i++)
		output(r.x[i]);
	if (out != NULL)
		*out = r.x[1];
	return (s64)r.x[0];
}

static u64 host_page(void)
{
	u64 pa = host_next;

	host_next += 4096;
	return pa;
}

static void boot(void)
{
	struct sim_config sc = {.nr_ram = 1};
	struct kcore_boot_params p;
	u64 carve, vmid, idx, pa;

	sc.ram[0].base = pa_init(RAM_BASE);
	sc.ram[0].size = RAM_SIZE;
	sim_machine_reset(&sc);
	memset(&p, 0, sizeof(p));
	p.ram[0] = (struct kcore_mem_range){pa_init(RAM_BASE), RAM_SIZE};
	p.nr_ram = 1;
	p.kcore_image = (struct kcore_mem_range){pa_init(RAM_BASE), 0x10000};
	p.devices[0] = (struct kcore_dev_range){pa_init(0x09050000), 0x1000, KCORE_DEV_KCORE};
	p.devices[1] = (struct kcore_dev_range){pa_init(0x09000000), 0x50000, KCORE_DEV_HOST_SAFE};
	p.nr_devices = 2;
	p.ipa_bits = 40;
	p.max_vms = 3;
	p.max_vcpus = 2;
	p.host_pool_pages = 16;
	p.kcore_pool_pages = 8;
	p.vm_pool_pages = 16;
	p.io_pool_pages = 16;
	p.window_base = va_init(0x0000100000000000ull);
	p.window_pages = 64;
	p.keys = key_table;
	p.nr_keys = 1;
	p.seal_secret = (const u8 *)"fuzzing's sealing secret, 32 B!";
	p.seal_secret_len = 32;
	carve = (kcore_carve_size(&p) + 0xffff) & ~0xffffull;
	p.carve = (struct kcore_mem_range){pa_init(RAM_BASE + RAM_SIZE - carve), carve};
	if (kcore_init(&p) != KCORE_OK)
		die("boot failed");
	host_next = RAM_BASE + 0x10000;

	/* One verified VM with two vCPUs and 1 MiB of RAM, as a starting point. */
	pa = host_next;
	for (size_t off = 0; off < image_size; off += 4096)
		memcpy(sim_ram_ptr(pa_init(host_page())), image + off,
		       image_size - off < 4096 ? image_size - off : 4096);
	if (hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid) != 0 ||
	    hc(KC_HC_REGISTER_VCPU, vmid, 0, 0, 0, NULL) != 0 ||
	    hc(KC_HC_REGISTER_VCPU, vmid, 1, 0, 0, NULL) != 0 ||
	    hc(KC_HC_VM_SET_RAM, vmid, GUEST_RAM, 1 << 20, 0, NULL) != 0 ||
	    hc(KC_HC_SET_BOOT_INFO, vmid, GUEST_RAM, image_size, 0, &idx) != 0)
		die("vm setup failed");
	for (size_t off = 0; off < image_size; off += 4096)
		if (hc(KC_HC_REMAP_VM_IMAGE, vmid, (pa + off) >> 12, idx, 0, NULL) != 0)
			die("remap failed");
	if (hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, GUEST_RAM, 0, NULL) != 0 ||
	    hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL) != 0)
		die("verify failed");
	run_pa = host_page();
	sim_tlb_flush_all();
}

static u64 word(const uint8_t *w, unsigned i)
{
	u64 v;

	memcpy(&v, w + 1 + (size_t)8 * i, 8);
	return v;
}

/* What a hypercall argument means, so the input lands on values that matter. */
enum role {
	R_NONE,
	R_VMID,
	R_VCPU,
	R_IPA,
	R_PA,
	R_PFN,
	R_SIZE,
	R_IDX,
	R_RUN,
	R_DOM,
	R_SID,
	R_IOVA,
	R_REC
};

/* Mostly meaningful values of the role, sometimes anything at all. */
static u64 pick_role(enum role role, u64 raw)
{
	u64 rest = raw >> 4;

	if ((raw & 15) == 15)
		return rest; /* anything */
	switch (role) {
	case R_VMID:
		return rest % 5;
	case R_VCPU:
	case R_IDX:
		return rest % 3;
	case R_IPA:
		return (raw & 1) ? GUEST_RAM + ((rest % 512) << 12) : ((rest % 1024) << 21);
	case R_PA:
	case R_PFN: {
		u64 pa = (raw & 1) ? RAM_BASE + ((rest % (RAM_SIZE >> 12)) << 12) : host_page();

		if (raw & 2)
			pa &= ~((2ull << 20) - 1); /* a 2 MiB boundary */
		return role == R_PFN ? pa >> 12 : pa;
	}
	case R_SIZE:
		return (raw & 1) ? 4096 : (2ull << 20);
	case R_RUN:
		return (raw & 1) ? run_pa : RAM_BASE + ((rest % (RAM_SIZE >> 12)) << 12);
	case R_DOM:
		return rest % (KCORE_MAX_IO_DOMAINS + 2);
	case R_SID:
		return (raw & 1) ? rest % 4 : rest % (KCORE_MAX_STREAMS + 2);
	case R_IOVA:
		/* A VM's domain maps its pages at their IPA; the host's anywhere. */
		return (raw & 1) ? GUEST_RAM + ((rest % 512) << 12) : (rest % 64) << 12;
	case R_REC:
		/* A snapshot record slot: in a fresh host page, or anywhere in RAM (kcore's, a
		 * VM's). */
		return ((raw & 1) ? host_page() : RAM_BASE + ((rest % (RAM_SIZE >> 12)) << 12)) +
		       ((rest >> 20) % 33) * 128;
	case R_NONE:
		break;
	}
	return rest;
}

/* A generic pick for guest-call arguments. */
static u64 pick(u64 raw)
{
	return pick_role((enum role)(1 + (raw % 8)), raw >> 3);
}

/* The guest: one exit per entry, described by the current operation's words. */
static void guest(void *ctx, u32 vmid, u32 vcpuid, struct vcpu_regs *r, struct arch_exit *e)
{
	u64 a = word(guest_in, 1), b = word(guest_in, 2), c = word(guest_in, 3);

	(void)ctx;
	(void)vmid;
	(void)vcpuid;
	/*
	 * The input's exit on the first entry; afterwards WFI, which always goes
	 * to the host, so an exit kcore handles itself cannot loop forever.
	 */
	if (guest_entries++ > 0) {
		e->kind = ARCH_EXIT_WFX;
		return;
	}
	switch (a % 6) {
	case 0:
		r->x[0] =
		    (b & 1) ? (KCORE_HC_BASE | (b >> 1 & 0x7f)) : (0x84000000u | (b >> 1 & 0x1f));
		r->x[1] = pick(c);
		r->x[2] = pick(c >> 7);
		r->x[3] = c;
		r->pc += 4;
		e->kind = ARCH_EXIT_HVC;
		break;
	case 1:
	case 2:
		*e = (struct arch_exit){.kind = (a % 6) == 1 ? ARCH_EXIT_DABT : ARCH_EXIT_IABT,
					.ipa = pick(b) | (c & 0xfff),
					.translation = (c >> 12) & 1,
					.isv = (c >> 13) & 1,
					.write = (c >> 14) & 1,
					.size = 1u << ((c >> 15) & 3),
					.rt = (u32)((c >> 17) & 31),
					.sign_extend = (c >> 22) & 1,
					.reg64 = (c >> 23) & 1};
		break;
	case 3:
		e->kind = ARCH_EXIT_WFX;
		break;
	case 4:
		e->kind = ARCH_EXIT_IRQ;
		break;
	default:
		e->kind = ARCH_EXIT_UNKNOWN; /* kcore injects UNDEF and re-enters */
		break;
	}
}

/*
 * After every operation: no TLB entry cached before it (every valid
 * translation, sim_tlb_fill_all) went stale, and the SMMU's stream table
 * agrees with kcore's.
 */
static void check_op(void)
{
	if (sim_tlb_stale(NULL, 0) != 0)
		die("stale TLB entry: a missing invalidation");
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++) {
		struct sim_smmu_stream st = sim_smmu_stream(sid);
		u32 dom = iommu_stream_domain(sid);

		if (st.attached != (dom != IO_DOMAIN_NONE) || (st.attached && st.domain != dom))
			die("the SMMU's stream table disagrees with kcore's");
	}
}

/*
 * After every input (and the boot): the invariant checker. It walks all of
 * RAM and every table, which after every operation cost most of the
 * fuzzer's time; a state broken by one operation and repaired by a later one
 * of the same input is what this gives up.
 */
static void check_input(void)
{
	if (kcore_check_invariants() != 0)
		die("invariant violated");
}

struct call_shape {
	u64 id;
	enum role a[4];
};

static const struct call_shape calls[] = {
    {KC_HC_VERSION, {R_NONE, R_NONE, R_NONE, R_NONE}},
    {KC_HC_REGISTER_VM, {R_NONE, R_NONE, R_NONE, R_NONE}},
    {KC_HC_REGISTER_VCPU, {R_VMID, R_VCPU, R_NONE, R_NONE}},
    {KC_HC_SET_BOOT_INFO, {R_VMID, R_IPA, R_SIZE, R_NONE}},
    {KC_HC_REMAP_VM_IMAGE, {R_VMID, R_PFN, R_IDX, R_NONE}},
    {KC_HC_VERIFY_VM, {R_VMID, R_NONE, R_NONE, R_NONE}},
    {KC_HC_VCPU_SET_ENTRY, {R_VMID, R_VCPU, R_IPA, R_NONE}},
    {KC_HC_VM_DONATE, {R_VMID, R_IPA, R_PA, R_SIZE}},
    {KC_HC_VM_MAP_IO, {R_VMID, R_IPA, R_PA, R_NONE}},
    {KC_HC_VM_POWEROFF, {R_VMID, R_NONE, R_NONE, R_NONE}},
    {KC_HC_VM_CLEAR_RANGE, {R_VMID, R_IPA, R_SIZE, R_NONE}},
    {KC_HC_VM_FREE, {R_VMID, R_NONE, R_NONE, R_NONE}},
    {KC_HC_KEY_INFO, {R_IDX, R_NONE, R_NONE, R_NONE}},
    {KC_HC_VM_SET_RAM, {R_VMID, R_IPA, R_SIZE, R_NONE}},
    {KC_HC_VCPU_RUN, {R_VMID, R_VCPU, R_RUN, R_NONE}},
    {KC_HC_IO_DOMAIN_ALLOC, {R_VMID, R_NONE, R_NONE, R_NONE}},
    {KC_HC_IO_DOMAIN_FREE, {R_DOM, R_NONE, R_NONE, R_NONE}},
    {KC_HC_IO_ATTACH, {R_DOM, R_SID, R_NONE, R_NONE}},
    {KC_HC_IO_DETACH, {R_SID, R_NONE, R_NONE, R_NONE}},
    {KC_HC_IO_MAP, {R_DOM, R_IOVA, R_PA, R_NONE}},
    {KC_HC_IO_UNMAP, {R_DOM, R_IOVA, R_NONE, R_NONE}},
    {KC_HC_IO_IOVA_TO_PHYS, {R_DOM, R_IOVA, R_NONE, R_NONE}},
    {KC_HC_VM_SNAPSHOT_BEGIN, {R_VMID, R_REC, R_NONE, R_NONE}},
    {KC_HC_VM_SNAPSHOT_PAGE, {R_VMID, R_IPA, R_PA, R_REC}},
    {KC_HC_VM_SNAPSHOT_VCPU, {R_VMID, R_VCPU, R_PA, R_REC}},
    {KC_HC_VM_SNAPSHOT_END, {R_VMID, R_REC, R_NONE, R_NONE}},
    {KC_HC_VM_SNAPSHOT_CANCEL, {R_VMID, R_NONE, R_NONE, R_NONE}},
    {KC_HC_VM_RESTORE_BEGIN, {R_VMID, R_REC, R_NONE, R_NONE}},
    {KC_HC_VM_RESTORE_PAGE, {R_VMID, R_PA, R_REC, R_NONE}},
    {KC_HC_VM_RESTORE_VCPU, {R_VMID, R_PA, R_REC, R_NONE}},
    {KC_HC_VM_RESTORE_END, {R_VMID, R_REC, R_NONE, R_NONE}},
    {KC_HC_IO_FAULT_POP, {R_NONE, R_NONE, R_NONE, R_NONE}},
};

static void one_op(const uint8_t *op)
{
	u64 v;

	sim_tlb_fill_all();
	switch (op[0] % 4) {
	case 0:
	case 1: {
		const struct call_shape *c =
		    &calls[word(op, 0) % (sizeof(calls) / sizeof(calls[0]))];
		u64 arg[4];
		u64 out;

		for (unsigned i = 0; i < 4; i++)
			arg[i] = pick_role(c->a[i], word(op, i == 0   ? 1
							     : i == 1 ? 2
							     : i == 2 ? 3
								      : 0) >>
							(i == 3 ? 8 : 0));
		if (c->id == KC_HC_VCPU_RUN) {
			struct kcore_vcpu_run *run = sim_ram_ptr(pa_init(run_pa));

			run->in.flags = word(op, 3) & 7;
			run->in.mmio_value = word(op, 2);
			guest_in = op;
			guest_entries = 0;
		}
		hc(c->id, arg[0], arg[1], arg[2], arg[3], &out);
		break;
	}
	case 2:
		v = word(op, 2);
		if (word(op, 3) & 2)
			output(
			    sim_dma_access((u32)pick_role(R_SID, word(op, 1) >> 8),
					   pick_role(R_IOVA, word(op, 1)) | (word(op, 3) & 0xff8),
					   word(op, 3) & 1, &v));
		else
			output(sim_host_access(ipa_init(pick_role(R_PA, word(op, 1)) & ~7ull),
					       word(op, 3) & 1, &v));
		output(v);
		break;
	default:
		/* A new run page, or the same: the host may give the old one away. */
		run_pa = (word(op, 1) & 1) ? host_page() : run_pa;
		break;
	}
	check_op();
}

static void run_input(const uint8_t *data, size_t size)
{
	outputs = 0xcbf29ce484222325ull;
	for (size_t off = 0; off + OP_SIZE <= size && off < (size_t)64 * OP_SIZE; off += OP_SIZE) {
		if (host_next + 8ull * 4096 >= RAM_BASE + RAM_SIZE / 2)
			break; /* keep fresh host pages well below the carve-out */
		one_op(data + off);
	}
	check_input();
}

/* Back to the machine saved after boot: kcore, the sim, and the harness's own two words. */
static void reset(void)
{
	(void)fuzz_state_reset();
	host_next = boot_host_next;
	run_pa = boot_run_pa;
	if (check_reset && !fuzz_state_is_saved_one())
		die("reset: the machine differs from the one saved after boot");
}

/* Boots once and saves the machine every input starts from. */
static void boot_and_save(void)
{
	const char *env = getenv("KCORE_FUZZ_CHECK_RESET");

	check_reset = env != NULL && env[0] == '1';
	boot();
	check_op();
	check_input();
	/* kcore writes its carve-out's tables through pointers it keeps, not via sim_ram_ptr. */
	sim_ram_always_restore(kcore_params()->carve.base, kcore_params()->carve.size);
	boot_host_next = host_next;
	boot_run_pa = run_pa;
	fuzz_state_save();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (image == NULL) {
		static uint8_t payload[5000];

		memset(payload, 0x5a, sizeof(payload));
		if (imgsign_key_from_seed(&key, "fuzz key") != IMGSIGN_OK ||
		    imgsign_trusted_key_from_pub(&key_table[0], key.pub) != IMGSIGN_OK)
			die("key");
		image_size = imgsign_signed_size(sizeof(payload));
		image = malloc(image_size);
		if (image == NULL ||
		    imgsign_sign(&key, payload, sizeof(payload), image, image_size) != IMGSIGN_OK)
			die("sign");
		sim_set_guest(guest, NULL);
		boot_and_save();
	}
	run_input(data, size);
	if (check_reset) {
		u64 results = outputs;

		fuzz_state_mark();
		reset();
		run_input(data, size);
		if (!fuzz_state_same_as_mark() || outputs != results)
			die("reset: the same input ran differently after a reset");
	}
	reset();
	return 0;
}
