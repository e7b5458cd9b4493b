/* SPDX-License-Identifier: MIT */
#include "fixture.h"
#include <kcore/psci.h>

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/lib/spinlock.h"
#include "core/memops/host_mem.h"
#include "core/mm/kmap.h"
#include "core/mm/pgowner.h"
#include "core/smmu/iommu.h"
#include "core/vm/vm.h"

static struct imgsign_key trusted_key;
static struct imgsign_key untrusted_key;
static struct kcore_trusted_key trusted_table[1];
static struct kcore_boot_params params;
static u64 host_next;

/* The sealing secret tests boot with (snapshots); any 32 bytes will do. */
static const u8 test_seal_secret[32] = "kcore test sealing secret 32 B!";

struct fx_config fx_default_config(void)
{
	return (struct fx_config){.seal_secret = test_seal_secret,
				  .seal_secret_len = sizeof(test_seal_secret),
				  .max_vms = 4,
				  .max_vcpus = 4,
				  .host_pool_pages = 64,
				  .kcore_pool_pages = 16,
				  .vm_pool_pages = 32,
				  .io_pool_pages = 64,
				  .ipa_bits = 40,
				  .window_pages = 4096};
}

const struct imgsign_key *fx_trusted_key(void)
{
	return &trusted_key;
}
const struct imgsign_key *fx_untrusted_key(void)
{
	return &untrusted_key;
}

u32 fx_policy(struct kcore_dev_range *out)
{
	static const struct {
		u64 base, size;
		u32 cls;
	} policy[] = {
	    {FX_GICD_LIKE_BASE, 0x10000, KCORE_DEV_HOST_SAFE},
	    {FX_MEDIATED_DEVICE, 0x1000, KCORE_DEV_MEDIATED},
	    {FX_DEVICE_BASE, FX_KCORE_DEVICE - FX_DEVICE_BASE, KCORE_DEV_HOST_SAFE},
	    {FX_KCORE_DEVICE, 0x1000, KCORE_DEV_KCORE},
	    {FX_DENIED_DEVICE, 0x1000, KCORE_DEV_DENIED},
	    {FX_SMMU_WINDOW, FX_SMMU_WINDOW_SIZE, KCORE_DEV_BEHIND_SMMU},
	};
	u32 n = sizeof(policy) / sizeof(policy[0]);

	for (u32 i = 0; i < n; i++)
		out[i] = (struct kcore_dev_range){pa_init(policy[i].base), policy[i].size,
						  policy[i].cls};
	return n;
}

void fx_boot(const struct fx_config *cfg)
{
	struct fx_config c = cfg != NULL ? *cfg : fx_default_config();
	struct sim_config sc = {.nr_ram = 1};
	u64 carve;

	assert_int_equal(imgsign_key_from_seed(&trusted_key, "kcore test key"), IMGSIGN_OK);
	assert_int_equal(imgsign_key_from_seed(&untrusted_key, "someone else's key"), IMGSIGN_OK);
	assert_int_equal(imgsign_trusted_key_from_pub(&trusted_table[0], trusted_key.pub),
			 IMGSIGN_OK);

	sc.ram[0].base = pa_init(FX_RAM_BASE);
	sc.ram[0].size = FX_RAM_SIZE;
	sim_machine_reset(&sc);

	memset(&params, 0, sizeof(params));
	params.ram[0] = (struct kcore_mem_range){pa_init(FX_RAM_BASE), FX_RAM_SIZE};
	params.nr_ram = 1;
	params.kcore_image = (struct kcore_mem_range){pa_init(FX_RAM_BASE), FX_KCORE_IMAGE_SIZE};
	params.nr_devices = fx_policy(params.devices);
	params.ipa_bits = c.ipa_bits;
	params.max_vms = c.max_vms;
	params.max_vcpus = c.max_vcpus;
	params.host_pool_pages = c.host_pool_pages;
	params.kcore_pool_pages = c.kcore_pool_pages;
	params.vm_pool_pages = c.vm_pool_pages;
	params.io_pool_pages = c.io_pool_pages;
	params.window_base = va_init(0x0000100000000000ull);
	params.window_pages = c.window_pages;
	params.keys = trusted_table;
	params.nr_keys = 1;
	params.seal_secret = c.seal_secret;
	params.seal_secret_len = c.seal_secret_len;
	carve = (kcore_carve_size(&params) + 0xfffff) & ~0xfffffull;
	params.carve = (struct kcore_mem_range){pa_init(FX_RAM_BASE + FX_RAM_SIZE - carve), carve};
	assert_int_equal(kcore_init(&params), KCORE_OK);
	host_next = FX_RAM_BASE + FX_KCORE_IMAGE_SIZE;
	sim_tlb_flush_all();
	fx_check();
}

s64 fx_hc(u64 id, u64 a1, u64 a2, u64 a3, u64 a4, u64 *out)
{
	struct kcore_hvc_regs regs = {{id, a1, a2, a3, a4, 0, 0, 0}};

	host_hvc_dispatch(&regs);
#ifdef KCORE_LOCK_CHECK
	/* Every hypercall releases what it took (core/lock_order.h): checked on each CPU. */
	if (lock_check_nr_held() != 0) {
		fprintf(stderr, "fixture: hypercall %#llx returned holding %u lock(s)\n",
			(unsigned long long)id, lock_check_nr_held());
		abort();
	}
#endif
	if (out != NULL)
		*out = regs.x[1];
	return (s64)regs.x[0];
}

u64 fx_host_alloc(u64 bytes, u64 align)
{
	u64 pa = (host_next + align - 1) & ~(align - 1);

	assert_true(pa + bytes <= pa_addr(params.carve.base));
	host_next = pa + bytes;
	return pa;
}

uint8_t *fx_sign(const struct imgsign_key *key, const void *payload, size_t len, size_t *size)
{
	uint8_t *img;

	*size = imgsign_signed_size(len);
	img = malloc(*size);
	assert_non_null(img);
	assert_int_equal(imgsign_sign(key, payload, len, img, *size), IMGSIGN_OK);
	return img;
}

s64 fx_load_image(u32 vmid, u64 load_ipa, const void *img, size_t size, u64 *pages_pa)
{
	u64 npages = (size + 4095) / 4096;
	u64 pa = fx_host_alloc(npages * 4096, 4096);
	u64 idx;
	s64 err;

	/* The host writes the image into its own memory, through its stage-2. */
	assert_int_equal(sim_host_access_bytes(ipa_init(pa), (void *)(uintptr_t)img, size, true),
			 SIM_OK);
	if (pages_pa != NULL)
		*pages_pa = pa;
	err = fx_hc(KC_HC_SET_BOOT_INFO, vmid, load_ipa, size, 0, &idx);
	if (err != KCORE_OK)
		return err;
	for (u64 i = 0; i < npages; i++) {
		err = fx_hc(KC_HC_REMAP_VM_IMAGE, vmid, (pa >> 12) + i, idx, 0, NULL);
		if (err != KCORE_OK)
			return err;
	}
	return KCORE_OK;
}

u32 fx_boot_vm(u32 nr_vcpus, const void *payload, size_t len)
{
	size_t size;
	uint8_t *img = fx_sign(&trusted_key, payload, len, &size);
	u64 vmid;

	assert_int_equal(fx_hc(KC_HC_REGISTER_VM, 0, 0, 0, 0, &vmid), KCORE_OK);
	for (u32 i = 0; i < nr_vcpus; i++)
		assert_int_equal(fx_hc(KC_HC_REGISTER_VCPU, vmid, i, 0, 0, NULL), KCORE_OK);
	assert_int_equal(fx_load_image((u32)vmid, FX_LOAD_IPA, img, size, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VCPU_SET_ENTRY, vmid, 0, FX_LOAD_IPA, 0, NULL), KCORE_OK);
	assert_int_equal(fx_hc(KC_HC_VERIFY_VM, vmid, 0, 0, 0, NULL), KCORE_OK);
	free(img);
	fx_check();
	return (u32)vmid;
}

bool fx_guest_call(u32 vmid, u32 vcpuid, u64 id, u64 a1, s64 *err)
{
	struct kcore_hvc_regs regs = {{id, a1, 0, 0, 0, 0, 0, 0}};
	bool handled = vm_hvc_dispatch(vmid, vcpuid, &regs);

	if (err != NULL)
		*err = (s64)regs.x[0];
	return handled;
}

/* What fx_guest_cpu_on's guest asks for and what it got. */
static struct {
	u64 target, pc, x0;
	u32 steps;
	s64 result;
} cpu_on;

static void cpu_on_guest(void *ctx, u32 vmid, u32 vcpuid, struct vcpu_regs *r, struct arch_exit *e)
{
	(void)ctx;
	(void)vmid;
	(void)vcpuid;
	if (cpu_on.steps++ == 0) {
		r->x[0] = PSCI_CPU_ON_64;
		r->x[1] = cpu_on.target;
		r->x[2] = cpu_on.pc;
		r->x[3] = cpu_on.x0;
		e->kind = ARCH_EXIT_HVC;
		return;
	}
	/* Refused: kcore answered in x0 and re-entered the guest, which now waits. */
	cpu_on.result = (s64)r->x[0];
	e->kind = ARCH_EXIT_WFX;
}

s64 fx_guest_cpu_on(u32 vmid, u32 from, u32 target, u64 pc, u64 x0)
{
	u64 run_pa = fx_host_page(), reason = 0;
	struct kcore_vcpu_run *run = sim_ram_ptr(pa_init(run_pa));

	memset(run, 0, 4096);
	cpu_on.target = target;
	cpu_on.pc = pc;
	cpu_on.x0 = x0;
	cpu_on.steps = 0;
	cpu_on.result = 0;
	sim_set_guest(cpu_on_guest, NULL);
	assert_int_equal(fx_hc(KC_HC_VCPU_RUN, vmid, from, run_pa, 0, &reason), KCORE_OK);
	if (reason == KC_EXIT_VCPU_START) {
		assert_int_equal(run->out.start.vcpuid, target);
		assert_int_equal(vm_from_id(vmid)->vcpus[from].regs.x[0], 0);
		return 0;
	}
	assert_int_equal(reason, KC_EXIT_WFI);
	assert_int_not_equal(cpu_on.result, 0);
	return cpu_on.result;
}

void fx_prime_tlb(void)
{
	sim_tlb_fill_all();
}

/* What the SMMU does for each stream is what kcore decided: no attach or detach forgotten. */
static void check_streams(void)
{
	for (u32 sid = 0; sid < SIM_NR_STREAMS; sid++) {
		struct sim_smmu_stream st = sim_smmu_stream(sid);
		u32 dom = iommu_stream_domain(sid);
		paddr_t root;

		if (dom == IO_DOMAIN_NONE) {
			if (st.attached)
				print_error("stream %u attached in the SMMU, blocked in kcore\n",
					    sid);
			assert_false(st.attached);
			continue;
		}
		assert_true(st.attached);
		assert_int_equal(st.domain, dom);
		assert_true(kcore_io_domain_root(dom, &root));
		assert_int_equal(pa_addr(st.root), pa_addr(root));
		assert_int_equal(st.ia_bits, kcore_ipa_bits());
	}
}

void fx_check(void)
{
	struct sim_stale stale[4];
	size_t n_stale = sim_tlb_stale(stale, 4);

	for (size_t i = 0; i < n_stale && i < 4; i++)
		print_error("stale TLB entry: regime %u in %llx size %llx (%s)\n",
			    stale[i].entry.regime, (unsigned long long)stale[i].entry.in,
			    (unsigned long long)stale[i].entry.size,
			    sim_stale_reason_name(stale[i].reason));
	assert_int_equal(n_stale, 0);
	assert_int_equal(kcore_check_invariants(), 0);
	check_streams();
	fx_prime_tlb();
}

struct fx_snapshot {
	uint8_t *ram;
	struct vm vms[KCORE_MAX_VMS + 1];
	u64 window_reserved;
	u32 host_free;
	u32 kcore_free;
	u32 io_free;
	struct io_domain domains[KCORE_MAX_IO_DOMAINS];
	u32 stream_domain[KCORE_MAX_STREAMS];
	struct sim_smmu_stream smmu_streams[SIM_NR_STREAMS];
};

struct fx_snapshot *fx_snapshot_take(void)
{
	struct fx_snapshot *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->ram = malloc(FX_RAM_SIZE);
	assert_non_null(s->ram);
	memcpy(s->ram, sim_ram_ptr(pa_init(FX_RAM_BASE)), FX_RAM_SIZE);
	for (u32 i = 1; i <= vm_max_vms(); i++) {
		memcpy(&s->vms[i], vm_from_id(i), sizeof(struct vm));
	}
	s->window_reserved = kmap_window_reserved();
	s->host_free = pool_nr_free(host_pool());
	s->kcore_free = pool_nr_free(kmap_pool());
	s->io_free = pool_nr_free(iommu_pool());
	for (u32 i = 0; i < KCORE_MAX_IO_DOMAINS; i++)
		memcpy(&s->domains[i], iommu_domain(i), sizeof(struct io_domain));
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++)
		s->stream_domain[sid] = iommu_stream_domain(sid);
	for (u32 sid = 0; sid < SIM_NR_STREAMS; sid++)
		s->smmu_streams[sid] = sim_smmu_stream(sid);
	return s;
}

static bool image_equal(const struct vm_image *a, const struct vm_image *b)
{
	return ipa_addr(a->load_ipa) == ipa_addr(b->load_ipa) && a->size == b->size &&
	       a->nr_pages == b->nr_pages && va_addr(a->window) == va_addr(b->window) &&
	       a->nr_remapped == b->nr_remapped && a->payload_size == b->payload_size &&
	       a->loaded == b->loaded;
}

/* Everything a vCPU holds, registers and arch state included (field by field: no padding). */
static bool vcpu_equal(const struct vcpu *x, const struct vcpu *y)
{
	return x->state == y->state && x->entry_set == y->entry_set && x->has_run == y->has_run &&
	       x->entry_pc == y->entry_pc && x->entry_x0 == y->entry_x0 &&
	       memcmp(&x->regs, &y->regs, sizeof(x->regs)) == 0 &&
	       memcmp(&x->arch, &y->arch, sizeof(x->arch)) == 0 && x->pending == y->pending &&
	       x->mmio.rt == y->mmio.rt && x->mmio.size == y->mmio.size &&
	       x->mmio.write == y->mmio.write && x->mmio.sign_extend == y->mmio.sign_extend &&
	       x->mmio.reg64 == y->mmio.reg64 &&
	       memcmp(x->virq_pending, y->virq_pending, sizeof(x->virq_pending)) == 0 &&
	       x->virq_words == y->virq_words;
}

static bool snap_equal(const struct vm_snap *a, const struct vm_snap *b)
{
	return a->phase == b->phase && a->restored == b->restored &&
	       memcmp(a->id, b->id, sizeof(a->id)) == 0 &&
	       memcmp(a->key, b->key, sizeof(a->key)) == 0 && a->nr_pages == b->nr_pages &&
	       a->last_ipa == b->last_ipa && a->vcpus_done == b->vcpus_done &&
	       a->vcpu_mask == b->vcpu_mask;
}

/* Field by field: struct padding is not state. The lock is left out on purpose. */
static bool vm_equal(const struct vm *a, const struct vm *b)
{
	if (a->vmid != b->vmid || a->state != b->state || a->nr_images != b->nr_images ||
	    pa_addr(a->s2.root) != pa_addr(b->s2.root) || a->s2.pool != b->s2.pool ||
	    a->pool.nr_free != b->pool.nr_free || a->pool.nr_pages != b->pool.nr_pages ||
	    pa_addr(a->pool.base) != pa_addr(b->pool.base))
		return false;
	for (u32 i = 0; i < KCORE_MAX_LOAD_IMAGES; i++) {
		if (!image_equal(&a->images[i], &b->images[i]))
			return false;
	}
	if (a->nr_ram != b->nr_ram || memcmp(a->ram, b->ram, sizeof(a->ram)) != 0 ||
	    memcmp(a->measurement, b->measurement, sizeof(a->measurement)) != 0 ||
	    !snap_equal(&a->snap, &b->snap))
		return false;
	for (u32 i = 0; i < KCORE_MAX_VCPUS; i++) {
		if (!vcpu_equal(&a->vcpus[i], &b->vcpus[i]))
			return false;
	}
	return true;
}

static bool io_domain_equal(const struct io_domain *a, const struct io_domain *b)
{
	return a->state == b->state && a->owner == b->owner && a->nr_streams == b->nr_streams &&
	       (a->state == IO_DOMAIN_FREE ||
		(pa_addr(a->pt.root) == pa_addr(b->pt.root) && a->pt.pool == b->pt.pool));
}

static bool smmu_stream_equal(const struct sim_smmu_stream *a, const struct sim_smmu_stream *b)
{
	return a->attached == b->attached &&
	       (!a->attached || (a->domain == b->domain && pa_addr(a->root) == pa_addr(b->root) &&
				 a->ia_bits == b->ia_bits));
}

/* Every IO domain and stream, in kcore and in the simulated SMMU. */
static bool iommu_equal(const struct fx_snapshot *a, const struct fx_snapshot *b)
{
	for (u32 i = 0; i < KCORE_MAX_IO_DOMAINS; i++) {
		if (!io_domain_equal(&a->domains[i], &b->domains[i])) {
			print_error("IO domain %u differs\n", i);
			return false;
		}
	}
	for (u32 sid = 0; sid < KCORE_MAX_STREAMS; sid++) {
		if (a->stream_domain[sid] != b->stream_domain[sid]) {
			print_error("stream %u differs\n", sid);
			return false;
		}
	}
	for (u32 sid = 0; sid < SIM_NR_STREAMS; sid++) {
		if (!smmu_stream_equal(&a->smmu_streams[sid], &b->smmu_streams[sid])) {
			print_error("SMMU stream %u differs\n", sid);
			return false;
		}
	}
	return a->io_free == b->io_free;
}

bool fx_snapshot_equal(const struct fx_snapshot *a, const struct fx_snapshot *b)
{
	if (memcmp(a->ram, b->ram, FX_RAM_SIZE) != 0) {
		for (u64 off = 0; off < FX_RAM_SIZE; off += 8) {
			if (memcmp(a->ram + off, b->ram + off, 8) != 0) {
				print_error("RAM differs at %llx\n",
					    (unsigned long long)(FX_RAM_BASE + off));
				break;
			}
		}
		return false;
	}
	for (u32 i = 1; i <= vm_max_vms(); i++) {
		if (!vm_equal(&a->vms[i], &b->vms[i])) {
			print_error("vm %u slot differs\n", i);
			return false;
		}
	}
	return a->window_reserved == b->window_reserved && a->host_free == b->host_free &&
	       a->kcore_free == b->kcore_free && iommu_equal(a, b);
}

void fx_snapshot_free(struct fx_snapshot *s)
{
	free(s->ram);
	free(s);
}

void fx_expect_refused(s64 expect, u64 id, u64 a1, u64 a2, u64 a3, u64 a4)
{
	struct fx_snapshot *before = fx_snapshot_take();
	struct fx_snapshot *after;
	u64 out = 0xdead;
	s64 err = fx_hc(id, a1, a2, a3, a4, &out);

	if (err != expect)
		print_error("call %llx(%llx, %llx, %llx, %llx) returned %lld, expected %lld\n",
			    (unsigned long long)id, (unsigned long long)a1, (unsigned long long)a2,
			    (unsigned long long)a3, (unsigned long long)a4, (long long)err,
			    (long long)expect);
	assert_int_equal(err, expect);
	assert_int_equal(out, 0); /* no result leaks out of a refused call */
	after = fx_snapshot_take();
	assert_true(fx_snapshot_equal(before, after));
	fx_snapshot_free(before);
	fx_snapshot_free(after);
	fx_check();
}

u32 fx_owner(u64 pa)
{
	const struct page_info *p = pgowner_get(pa_init(pa));

	assert_non_null(p);
	return p->owner;
}

u32 fx_count(u64 pa)
{
	const struct page_info *p = pgowner_get(pa_init(pa));

	assert_non_null(p);
	return p->count;
}

u64 fx_gfn(u64 pa)
{
	const struct page_info *p = pgowner_get(pa_init(pa));

	assert_non_null(p);
	return p->gfn;
}

u32 fx_dma_count(u64 pa)
{
	const struct page_info *p = pgowner_get(pa_init(pa));

	assert_non_null(p);
	return p->dma_count;
}
