/* SPDX-License-Identifier: MIT */
/*
 * kcore's boot on aarch64: read the machine from the DTB, carve kcore's
 * memory out of RAM, start the core, build and enable kcore's stage-1,
 * reserve kcore's memory in the DTB, place the host kernel, switch the
 * host's stage-2 on, and enter the host at EL1. Secondary CPUs come through
 * PSCI CPU_ON and get the same EL2 setup before entering the host.
 */
#include <kcore/boot.h>

#include "core/kcore.h"
#include "core/lib/log.h"
#include "core/lib/mem.h"
#include "core/mm/pgowner.h"
#include "core/mm/pgtable.h"
#include "machine.h"
#include "mmu.h"
#include "pl011.h"
#include "smmuv3.h"
#include "sysreg.h"

extern char _start_image[], _end[], _kserv_blob_start[], _kserv_blob_end[];
extern const struct kcore_trusted_key kcore_builtin_keys[];
extern const uint32_t kcore_builtin_nr_keys;

_Noreturn void enter_host(u64 entry, u64 arg);
void kcore_main(void *dtb);
void kcore_secondary_main(u64 index);

#define KCORE_VERSION  "0.1"
#define MPIDR_AFF_MASK 0xff00ffffffull
/* Image windows live far above any physical address kcore maps. */
#define WINDOW_BASE    0x0000800000000000ull
#define WINDOW_PAGES   65536ull /* 256 MiB of images over kcore's lifetime */

static struct machine machine;
static struct kcore_boot_params params;

static u64 addr_of(const void *p)
{
	return (u64)(uintptr_t)p;
}

static bool overlaps(u64 a, u64 asz, u64 b, u64 bsz)
{
	return a < b + bsz && b < a + asz;
}

static void setup_cpus(void)
{
	u64 self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	u32 me = 0;

	nr_cpus = machine.nr_cpus;
	for (u32 i = 0; i < nr_cpus; i++) {
		if ((machine.cpu_mpidr[i] & MPIDR_AFF_MASK) == self)
			me = i;
	}
	/* The boot CPU is index 0 (it runs on stack 0): swap it to the front. */
	machine.cpu_mpidr[me] = machine.cpu_mpidr[0];
	machine.cpu_mpidr[0] = self;
	for (u32 i = 0; i < nr_cpus; i++)
		cpus[i] = (struct cpu){
		    .mpidr = machine.cpu_mpidr[i] & MPIDR_AFF_MASK, .index = i, .present = true};
	cpus[0].online = true;
	write_sysreg(tpidr_el2, (u64)(uintptr_t)&cpus[0]);
}

static const struct kcore_mem_range *bank_of(u64 addr)
{
	for (u32 i = 0; i < machine.nr_ram; i++) {
		if (addr >= pa_addr(machine.ram[i].base) &&
		    addr - pa_addr(machine.ram[i].base) < machine.ram[i].size)
			return &machine.ram[i];
	}
	kc_panic("%lx is not in RAM", addr);
}

/* What the boot loader put in RAM that kcore must not take: the DTB and the initrd. */
static bool hits_loaded_data(u64 base, u64 size, u64 dtb)
{
	return overlaps(base, size, dtb, machine.dtb_size + 0x10000) ||
	       (machine.initrd_end > machine.initrd_start &&
		overlaps(base, size, machine.initrd_start,
			 machine.initrd_end - machine.initrd_start));
}

static void describe_core(u64 dtb)
{
	const struct kcore_mem_range *bank = bank_of(addr_of(_start_image));
	u64 image_end = (addr_of(_end) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	u64 carve, top;

	for (u32 i = 0; i < machine.nr_ram; i++)
		params.ram[i] = machine.ram[i];
	params.nr_ram = machine.nr_ram;
	params.kcore_image = (struct kcore_mem_range){pa_init(addr_of(_start_image)),
						      image_end - addr_of(_start_image)};
	if (machine.smmu.size > 0) {
		/* The SMMU is kcore's: the host may never program it (DMA isolation, issue 8). */
		params.kcore_devices[0] = machine.smmu;
		params.nr_kcore_devices = 1;
	}
	params.ipa_bits = 40;
	params.max_vms = 8;
	params.max_vcpus = 8;
	/* Enough for the host to map every RAM page 4 KiB at a time, plus device blocks. */
	params.host_pool_pages = 0;
	for (u32 i = 0; i < machine.nr_ram; i++)
		params.host_pool_pages += (u32)(machine.ram[i].size / BLOCK_SIZE) + 4;
	params.host_pool_pages += 64;
	params.kcore_pool_pages = 64 + (u32)(WINDOW_PAGES / 512);
	params.vm_pool_pages = 256;
	/*
	 * IO tables: a root and one path of tables per domain, and room for a few
	 * MiB of scattered DMA buffers besides (512 KiB). Used only when there is
	 * an SMMU (smmuv3.c); without one the IO calls are NOT_SUPPORTED.
	 */
	params.io_pool_pages = KCORE_MAX_IO_DOMAINS * PT_LEVELS + 64;
	params.window_base = va_init(WINDOW_BASE);
	params.window_pages = WINDOW_PAGES;
	params.keys = kcore_builtin_keys;
	params.nr_keys = kcore_builtin_nr_keys;

	/* The carve-out goes at the top of kcore's RAM bank, 2 MiB aligned. */
	carve = (kcore_carve_size(&params) + BLOCK_SIZE - 1) & ~(BLOCK_SIZE - 1);
	top = (pa_addr(bank->base) + bank->size) & ~(BLOCK_SIZE - 1);
	if (carve > top - image_end)
		kc_panic("not enough RAM for kcore's %lu-byte carve-out", carve);
	params.carve = (struct kcore_mem_range){pa_init(top - carve), carve};
	if (hits_loaded_data(top - carve, carve, dtb) ||
	    overlaps(top - carve, carve, KSERV_LOAD_ADDR, 0x1000000))
		kc_panic("the carve-out at %lx would overwrite the DTB, initrd or host",
			 top - carve);
}

static void place_host(u64 dtb)
{
	u64 size = addr_of(_kserv_blob_end) - addr_of(_kserv_blob_start);

	if (size == 0)
		kc_panic("no host kernel in the image");
	if (hits_loaded_data(KSERV_LOAD_ADDR, size, dtb))
		kc_panic("the host kernel at %lx would overwrite the DTB or initrd",
			 (u64)KSERV_LOAD_ADDR);
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		const struct page_info *p = pgowner_get(pa_init(KSERV_LOAD_ADDR + off));

		if (p == NULL || p->owner != OWNER_HOST)
			kc_panic("the host kernel's place %lx is not host RAM",
				 (u64)KSERV_LOAD_ADDR + off);
	}
	memcpy((void *)(uintptr_t)KSERV_LOAD_ADDR, _kserv_blob_start, size);
}

static void reserve_in_dtb(void *dtb)
{
	struct kcore_mem_range reserved[2] = {params.kcore_image, params.carve};
	u64 room_end = addr_of(_start_image);

	/* The DTB grows in place: up to whatever the boot loader put after it. */
	if (addr_of(dtb) > addr_of(_start_image))
		room_end = pa_addr(params.carve.base);
	if (machine.initrd_start > addr_of(dtb) && machine.initrd_start < room_end)
		room_end = machine.initrd_start;
	dtb_reserve(dtb, reserved, 2, room_end);
}

static void print_keys(void)
{
	for (u32 k = 0; k < params.nr_keys; k++) {
		char hex[2 * KCORE_IMG_KEYID_SIZE + 1];

		for (u32 i = 0; i < KCORE_IMG_KEYID_SIZE; i++)
			kc_snprintf(hex + (size_t)2 * i, 3, "%02x", params.keys[k].key_id[i]);
		kc_log("trusted key %u: %s", k, hex);
	}
}

void kcore_main(void *dtb)
{
	machine_from_dtb(dtb, &machine);
	if (machine.uart_base != 0)
		pl011_init(machine.uart_base);
	kc_log("kcore %s at EL2: %u CPUs, %u RAM banks, DTB at %p", KCORE_VERSION, machine.nr_cpus,
	       machine.nr_ram, dtb);
	setup_cpus();
	describe_core(addr_of(dtb));
	if (kcore_init(&params) != KCORE_OK)
		kc_panic("the machine description is inconsistent");
	mmu_build(&machine);
	mmu_enable();
	/* Before the host runs: from its first instruction no device of its reaches anything. */
	if (machine.smmu.size > 0)
		smmuv3_init(&machine.smmu);
	reserve_in_dtb(dtb);
	place_host(addr_of(dtb));
	kc_log("image %lx-%lx, carve-out %lx-%lx", pa_addr(params.kcore_image.base),
	       pa_addr(params.kcore_image.base) + params.kcore_image.size,
	       pa_addr(params.carve.base), pa_addr(params.carve.base) + params.carve.size);
	print_keys();
	host_stage2_enable();
	kc_log("host stage-2 on; entering host at %lx", (u64)KSERV_LOAD_ADDR);
	enter_host(KSERV_LOAD_ADDR, addr_of(dtb));
}

void kcore_secondary_main(u64 index)
{
	struct cpu *c;

	KC_CHECK(index < nr_cpus);
	c = &cpus[index];
	write_sysreg(tpidr_el2, (u64)(uintptr_t)c);
	mmu_enable();
	host_stage2_enable();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	enter_host(c->host_entry, c->host_ctx);
}
