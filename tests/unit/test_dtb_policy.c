/* SPDX-License-Identifier: MIT */
/*
 * The platform policy kcore derives from the DTB at boot
 * (arch/aarch64/platform_policy.c, compiled here for the host): a DTB shaped
 * like QEMU virt's (virtualization=on, gic-version=3, iommu=smmuv3, 4 CPUs)
 * is built with libfdt, and every node must land in its class
 * (docs/security.md, "Platform policy"); an unknown node, a PCIe bridge whose
 * iommu-map leaves requester IDs out, and space no node claims are DENIED; the
 * table is one the core accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libfdt.h>
#include <string.h>

/* The arch file under test, built for the host. */
#include "arch/aarch64/platform_policy.c" // NOLINT(bugprone-suspicious-include)
#include "core/memops/platform.h"
#include "tests/lib/fdt_write.h"

#define GICR_BASE   0x080a0000ull
#define GICR_SIZE   0xf60000ull
#define GICR_FRAME_ 0x20000ull
#define NR_FRAMES   4u
#define SMMU_PH	    0x8007u

/* The hardware the walk reads: NR_FRAMES redistributors, the last one marked Last. */
u64 gicr_read_typer(u64 frame)
{
	u64 i = (frame - GICR_BASE) / GICR_FRAME_;

	assert_true(frame >= GICR_BASE && i < NR_FRAMES);
	return (i << 32) | (i << 8) | (i == NR_FRAMES - 1 ? (1u << 4) : 0) | 1u; /* PLPIS */
}

static char blob[16384];

static void prop_u32s(const u32 *v, int n, const char *name)
{
	fdtw_u32s(blob, v, n, name);
}

static void node(const char *name, const char *compat, size_t compat_len, const u64 *pairs, int n)
{
	fdtw_node(blob, name, compat, compat_len, pairs, n);
}

#define COMPAT(s) s, sizeof(s)

/*
 * QEMU virt's shape; full_iommu_map false: the bridge's map leaves RIDs
 * 0x100.. out; clash: an unknown node shares the RTC's page.
 */
static void build(bool full_iommu_map, bool clash)
{
	static const u64 mem[] = {0x40000000, 0x40000000}, smmu[] = {0x09050000, 0x20000},
			 gic[] = {0x08000000, 0x10000, GICR_BASE, GICR_SIZE},
			 its[] = {0x08080000, 0x20000}, ecam[] = {0x4010000000ull, 0x10000000},
			 uart[] = {0x09000000, 0x1000}, rtc[] = {0x09010000, 0x1000},
			 gpio[] = {0x09030000, 0x1000}, fwcfg[] = {0x09020000, 0x18},
			 v0[] = {0x0a000000, 0x200}, v1[] = {0x0a000200, 0x200},
			 flash[] = {0, 0x4000000, 0x4000000, 0x4000000},
			 widget[] = {0x090b0000, 0x1000}, other[] = {0x09010800, 0x100};
	static const u32 ranges[] = {
	    0x1000000, 0,    0,		 0,    0x3eff0000, 0,	 0x10000,
	    0x2000000, 0,    0x10000000, 0,    0x10000000, 0,	 0x2eff0000,
	    0x3000000, 0x80, 0,		 0x80, 0,	   0x80, 0};
	u32 map[] = {0, SMMU_PH, 0, full_iommu_map ? 0x10000u : 0x100u};

	assert_int_equal(fdt_create(blob, sizeof(blob)), 0);
	assert_int_equal(fdt_finish_reservemap(blob), 0);
	assert_int_equal(fdt_begin_node(blob, ""), 0);
	prop_u32s((const u32[]){2}, 1, "#address-cells");
	prop_u32s((const u32[]){2}, 1, "#size-cells");
	node("memory@40000000", NULL, 0, mem, 1);
	assert_int_equal(fdt_property_string(blob, "device_type", "memory"), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	node("platform-bus@c000000", COMPAT("qemu,platform\0simple-bus"), NULL, 0);
	assert_int_equal(fdt_end_node(blob), 0);
	node("fw-cfg@9020000", COMPAT("qemu,fw-cfg-mmio"), fwcfg, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	node("virtio_mmio@a000000", COMPAT("virtio,mmio"), v0, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	node("virtio_mmio@a000200", COMPAT("virtio,mmio"), v1, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	node("pl061@9030000", COMPAT("arm,pl061\0arm,primecell"), gpio, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	node("smmuv3@9050000", COMPAT("arm,smmu-v3"), smmu, 1);
	prop_u32s((const u32[]){1}, 1, "#iommu-cells");
	prop_u32s((const u32[]){SMMU_PH}, 1, "phandle");
	assert_int_equal(fdt_end_node(blob), 0);
	node("pcie@10000000", COMPAT("pci-host-ecam-generic"), ecam, 1);
	prop_u32s(map, 4, "iommu-map");
	prop_u32s(ranges, 21, "ranges");
	prop_u32s((const u32[]){3}, 1, "#address-cells");
	prop_u32s((const u32[]){2}, 1, "#size-cells");
	assert_int_equal(fdt_end_node(blob), 0);
	node("pl031@9010000", COMPAT("arm,pl031\0arm,primecell"), rtc, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	node("pl011@9000000", COMPAT("arm,pl011\0arm,primecell"), uart, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	node("intc@8000000", COMPAT("arm,gic-v3"), gic, 2);
	assert_int_equal(fdt_property(blob, "ranges", NULL, 0), 0);
	prop_u32s((const u32[]){2}, 1, "#address-cells");
	prop_u32s((const u32[]){2}, 1, "#size-cells");
	node("its@8080000", COMPAT("arm,gic-v3-its"), its, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	node("flash@0", COMPAT("cfi-flash"), flash, 2);
	assert_int_equal(fdt_end_node(blob), 0);
	node("widget@90b0000", COMPAT("acme,widget"), widget, 1);
	assert_int_equal(fdt_end_node(blob), 0);
	if (clash) {
		node("other@9010800", COMPAT("acme,other"), other, 1);
		assert_int_equal(fdt_end_node(blob), 0);
	}
	assert_int_equal(fdt_begin_node(blob, "cpus"), 0);
	prop_u32s((const u32[]){1}, 1, "#address-cells");
	prop_u32s((const u32[]){0}, 1, "#size-cells");
	assert_int_equal(fdt_begin_node(blob, "cpu@0"), 0);
	prop_u32s((const u32[]){0}, 1, "reg");
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_finish(blob), 0);
}

static struct machine m;

static void derive(bool full_iommu_map, bool clash)
{
	build(full_iommu_map, clash);
	memset(&m, 0, sizeof(m));
	m.ram[0] = (struct kcore_mem_range){pa_init(0x40000000), 0x40000000};
	m.nr_ram = 1;
	policy_from_dtb(blob, &m);
	/* A table the core accepts, and the core's lookups answer from it. */
	assert_true(platform_table_ok(m.devices, m.nr_devices, m.ram, m.nr_ram));
	platform_init(m.devices, m.nr_devices);
}

static void expect(u64 pa, enum kcore_dev_class cls)
{
	if (platform_class(pa_init(pa)) != cls)
		print_error("%llx: class %d, expected %d\n", (unsigned long long)pa,
			    platform_class(pa_init(pa)), cls);
	assert_int_equal(platform_class(pa_init(pa)), cls);
}

static void test_virt(void **state)
{
	(void)state;
	derive(true, false);
	expect(0x09050000, KCORE_DEV_KCORE);
	expect(0x0906ffff & ~7ull, KCORE_DEV_KCORE);
	expect(0x08000000, KCORE_DEV_HOST_SAFE); /* GICD */
	expect(0x08080000, KCORE_DEV_DENIED);	 /* ITS */
	expect(0x0809f000, KCORE_DEV_DENIED);
	for (u64 i = 0; i < NR_FRAMES; i++) {
		u64 rd = GICR_BASE + i * GICR_FRAME_;

		expect(rd, KCORE_DEV_MEDIATED);
		expect(rd + 0xff8, KCORE_DEV_MEDIATED);
		expect(rd + 0x1000, KCORE_DEV_HOST_SAFE);
		expect(rd + 0x10000, KCORE_DEV_HOST_SAFE); /* SGI_base */
		expect(rd + 0x1fff8, KCORE_DEV_HOST_SAFE);
		assert_int_equal(m.gicr_frames[i], rd);
	}
	assert_int_equal(m.nr_gicr_frames, NR_FRAMES);
	/* Beyond the last redistributor: nothing there, nothing mapped. */
	expect(GICR_BASE + NR_FRAMES * GICR_FRAME_, KCORE_DEV_DENIED);
	expect(0x4010000000ull, KCORE_DEV_BEHIND_SMMU); /* ECAM */
	expect(0x10000000, KCORE_DEV_BEHIND_SMMU);	/* 32-bit MMIO */
	expect(0x3eff0000, KCORE_DEV_BEHIND_SMMU);	/* I/O window */
	expect(0x8000000000ull, KCORE_DEV_BEHIND_SMMU); /* 64-bit MMIO */
	expect(0x9000000000ull, KCORE_DEV_BEHIND_SMMU);
	expect(0x09000000, KCORE_DEV_HOST_SAFE); /* pl011 */
	expect(0x09010000, KCORE_DEV_HOST_SAFE); /* pl031 */
	expect(0x09030000, KCORE_DEV_HOST_SAFE); /* pl061 */
	expect(0, KCORE_DEV_HOST_SAFE);		 /* flash */
	expect(0x07fff000, KCORE_DEV_HOST_SAFE);
	expect(0x09020000, KCORE_DEV_DENIED); /* fw_cfg */
	expect(0x0a000000, KCORE_DEV_DENIED); /* virtio-mmio */
	expect(0x090b0000, KCORE_DEV_DENIED); /* a compatible kcore does not know */
	expect(0x0c000000, KCORE_DEV_DENIED); /* platform-bus: no reg, claimed by nothing */
	expect(0x09100000, KCORE_DEV_DENIED); /* no node at all */
	expect(0x40000000, KCORE_DEV_DENIED); /* RAM is in no range (ownership decides) */
}

static void test_pcie_partly_behind_smmu(void **state)
{
	(void)state;
	derive(false, false);
	expect(0x4010000000ull, KCORE_DEV_DENIED);
	expect(0x10000000, KCORE_DEV_DENIED);
	expect(0x8000000000ull, KCORE_DEV_DENIED);
	expect(0x09000000, KCORE_DEV_HOST_SAFE);
}

/* A page two nodes share is no longer one device's: DENIED, whatever the known one is. */
static void test_shared_page_denied(void **state)
{
	(void)state;
	derive(true, true);
	expect(0x09010000, KCORE_DEV_DENIED);
	expect(0x09010ff8, KCORE_DEV_DENIED);
	expect(0x09000000, KCORE_DEV_HOST_SAFE);
	expect(0x09030000, KCORE_DEV_HOST_SAFE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_virt),
	    cmocka_unit_test(test_pcie_partly_behind_smmu),
	    cmocka_unit_test(test_shared_page_denied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
