/* SPDX-License-Identifier: MIT */
/*
 * A Linux host's boot path on the host build (docs/linux-host.md), not only
 * end to end under QEMU (tests/scripts/qemu_linux_host.sh): arch/aarch64's
 * dtb.c, platform_policy.c and linux_host.c compiled here, on a DTB shaped
 * like QEMU virt's (virtualization=on, gic-version=3, iommu=smmuv3) built
 * with libfdt, with the two /chosen/module@ nodes QEMU's guest-loader writes.
 *
 * Checked: the modules are read (kernel, ramdisk, bootargs); each Image
 * header refusal and each module refusal stops the boot with kcore's line
 * (in a forked child: a panic halts the process); without modules the host is kserv and its DTB
 * only gets /memreserve/ entries; the rewritten DTB has kcore's ranges as
 * /reserved-memory no-map, no denied or kcore device node, no phandle
 * pointing at nothing, no module node, /chosen from the modules, and is a
 * valid DTB within the room kcore gives it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The arch files under test, built for the host. They see aarch64's vcpu
 * state (percpu.h includes it), as in their own build: the sim's, which
 * core/arch.h would include by the same name, stays out.
 */
#define KCORE_SIM_ARCH_VCPU_STATE_H
#include "arch/aarch64/dtb.c"		  // NOLINT(bugprone-suspicious-include)
#include "arch/aarch64/linux_host.c"	  // NOLINT(bugprone-suspicious-include)
#include "arch/aarch64/platform_policy.c" // NOLINT(bugprone-suspicious-include)
#include "arch/sim/sim.h"
#include "tests/lib/fdt_write.h"

#define GICR_BASE   0x080a0000ull
#define GICR_SIZE   0xf60000ull
#define GICR_FRAME_ 0x20000ull
#define NR_FRAMES   4u
#define PH_GIC	    0x8001u
#define PH_ITS	    0x8002u
#define PH_CLK	    0x8000u
#define PH_SMMU	    0x8003u

/* QEMU virt with 1 GiB: the addresses docs/linux-host.md and qemu_linux_host.sh use. */
#define RAM_BASE     0x40000000ull
#define RAM_SIZE     0x40000000ull
#define KCORE_BASE   0x40200000ull
#define KCORE_SIZE   0x1f0000ull
#define DTB_PA	     0x48000000ull
#define CARVE_BASE   0x7ec00000ull
#define CARVE_SIZE   0x1400000ull
#define KERNEL_ADDR  0x50000000ull
#define KERNEL_SIZE  0x1800000ull
#define IMAGE_SIZE   0x1b00000ull
#define RAMDISK_ADDR 0x58000000ull
#define RAMDISK_SIZE 0x400000ull
#define BOOTARGS     "console=ttyAMA0 earlycon rdinit=/init"

/* The redistributors the policy's walk reads: NR_FRAMES, the last one marked Last. */
u64 gicr_read_typer(u64 frame)
{
	u64 i = (frame - GICR_BASE) / GICR_FRAME_;

	assert_true(frame >= GICR_BASE && i < NR_FRAMES);
	return (i << 32) | (i << 8) | (i == NR_FRAMES - 1 ? (1u << 4) : 0) | 1u; /* PLPIS */
}

/* The DTB and the room after it kcore may grow it into. */
static char blob[65536] __attribute__((aligned(8)));

static void prop_u32s(const u32 *v, int n, const char *name)
{
	fdtw_u32s(blob, v, n, name);
}

#define PROP_U32S(name, ...) \
	prop_u32s((const u32[]){__VA_ARGS__}, (int)(sizeof((const u32[]){__VA_ARGS__}) / 4), name)

static void begin(const char *name, const char *compat, size_t compat_len, const u64 *pairs, int n)
{
	fdtw_node(blob, name, compat, compat_len, pairs, n);
}

static void end(void)
{
	assert_int_equal(fdt_end_node(blob), 0);
}

#define COMPAT(s) s, sizeof(s)

/* One module node as hw/core/guest-loader.c writes it: name, reg as two u64s, compatible. */
static void module(u64 addr, u64 size, bool kernel, const char *bootargs)
{
	char name[32];
	fdt64_t reg[2] = {cpu_to_fdt64(addr), cpu_to_fdt64(size)};

	snprintf(name, sizeof(name), "module@0x%08llx", (unsigned long long)addr);
	assert_int_equal(fdt_begin_node(blob, name), 0);
	assert_int_equal(fdt_property(blob, "reg", reg, sizeof(reg)), 0);
	if (kernel)
		assert_int_equal(
		    fdt_property(blob, "compatible", COMPAT("multiboot,module\0multiboot,kernel")),
		    0);
	else
		assert_int_equal(
		    fdt_property(blob, "compatible", COMPAT("multiboot,module\0multiboot,ramdisk")),
		    0);
	if (bootargs != NULL)
		assert_int_equal(
		    fdt_property(blob, "bootargs", bootargs, (int)strlen(bootargs) + 1), 0);
	end();
}

/* What guest-loader was given: a module at each non-zero address (none: kserv's boot). */
struct modules {
	u64 kernel, kernel_size;
	u64 ramdisk, ramdisk_size;
	const char *bootargs;
};

static const struct modules linux_modules = {KERNEL_ADDR, KERNEL_SIZE, RAMDISK_ADDR, RAMDISK_SIZE,
					     BOOTARGS};

static void build(const struct modules *mods)
{
	static const u64 mem[] = {RAM_BASE, RAM_SIZE}, smmu[] = {0x09050000, 0x20000},
			 gic[] = {0x08000000, 0x10000, GICR_BASE, GICR_SIZE},
			 its[] = {0x08080000, 0x20000}, ecam[] = {0x4010000000ull, 0x10000000},
			 uart[] = {0x09000000, 0x1000}, rtc[] = {0x09010000, 0x1000},
			 gpio[] = {0x09030000, 0x1000}, fwcfg[] = {0x09020000, 0x18},
			 v0[] = {0x0a000000, 0x200}, v1[] = {0x0a000200, 0x200},
			 flash[] = {0, 0x4000000, 0x4000000, 0x4000000};

	memset(blob, 0, sizeof(blob));
	assert_int_equal(fdt_create(blob, sizeof(blob)), 0);
	assert_int_equal(fdt_finish_reservemap(blob), 0);
	begin("", COMPAT("linux,dummy-virt"), NULL, 0);
	PROP_U32S("#address-cells", 2);
	PROP_U32S("#size-cells", 2);
	PROP_U32S("interrupt-parent", PH_GIC);
	begin("psci", COMPAT("arm,psci-1.0\0arm,psci-0.2\0arm,psci"), NULL, 0);
	assert_int_equal(fdt_property_string(blob, "method", "hvc"), 0);
	end();
	begin("memory@40000000", NULL, 0, mem, 1);
	assert_int_equal(fdt_property_string(blob, "device_type", "memory"), 0);
	end();
	begin("platform-bus@c000000", COMPAT("qemu,platform\0simple-bus"), NULL, 0);
	PROP_U32S("ranges", 0, 0, 0x0c000000, 0x02000000);
	PROP_U32S("#address-cells", 1);
	PROP_U32S("#size-cells", 1);
	PROP_U32S("interrupt-parent", PH_GIC);
	end();
	begin("fw-cfg@9020000", COMPAT("qemu,fw-cfg-mmio"), fwcfg, 1);
	assert_int_equal(fdt_property(blob, "dma-coherent", NULL, 0), 0);
	end();
	begin("virtio_mmio@a000000", COMPAT("virtio,mmio"), v0, 1);
	PROP_U32S("interrupts", 0, 0x10, 1);
	end();
	begin("virtio_mmio@a000200", COMPAT("virtio,mmio"), v1, 1);
	PROP_U32S("interrupts", 0, 0x11, 1);
	end();
	begin("pl061@9030000", COMPAT("arm,pl061\0arm,primecell"), gpio, 1);
	PROP_U32S("clocks", PH_CLK);
	end();
	begin("smmuv3@9050000", COMPAT("arm,smmu-v3"), smmu, 1);
	PROP_U32S("#iommu-cells", 1);
	PROP_U32S("phandle", PH_SMMU);
	end();
	begin("pcie@10000000", COMPAT("pci-host-ecam-generic"), ecam, 1);
	assert_int_equal(fdt_property_string(blob, "device_type", "pci"), 0);
	PROP_U32S("iommu-map", 0, PH_SMMU, 0, 0x10000);
	PROP_U32S("msi-map", 0, PH_ITS, 0, 0x10000);
	PROP_U32S("ranges", 0x1000000, 0, 0, 0, 0x3eff0000, 0, 0x10000, 0x2000000, 0, 0x10000000, 0,
		  0x10000000, 0, 0x2eff0000, 0x3000000, 0x80, 0, 0x80, 0, 0x80, 0);
	PROP_U32S("#address-cells", 3);
	PROP_U32S("#size-cells", 2);
	end();
	begin("pl031@9010000", COMPAT("arm,pl031\0arm,primecell"), rtc, 1);
	PROP_U32S("clocks", PH_CLK);
	end();
	begin("pl011@9000000", COMPAT("arm,pl011\0arm,primecell"), uart, 1);
	PROP_U32S("clocks", PH_CLK, PH_CLK);
	end();
	begin("intc@8000000", COMPAT("arm,gic-v3"), gic, 2);
	PROP_U32S("phandle", PH_GIC);
	assert_int_equal(fdt_property(blob, "ranges", NULL, 0), 0);
	PROP_U32S("#address-cells", 2);
	PROP_U32S("#size-cells", 2);
	PROP_U32S("#interrupt-cells", 3);
	begin("its@8080000", COMPAT("arm,gic-v3-its"), its, 1);
	PROP_U32S("phandle", PH_ITS);
	PROP_U32S("#msi-cells", 1);
	assert_int_equal(fdt_property(blob, "msi-controller", NULL, 0), 0);
	end();
	end();
	begin("flash@0", COMPAT("cfi-flash"), flash, 2);
	end();
	begin("cpus", NULL, 0, NULL, 0);
	PROP_U32S("#address-cells", 1);
	PROP_U32S("#size-cells", 0);
	for (u32 i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		begin(name, COMPAT("arm,cortex-a57"), NULL, 0);
		assert_int_equal(fdt_property_string(blob, "device_type", "cpu"), 0);
		PROP_U32S("reg", i);
		assert_int_equal(fdt_property_string(blob, "enable-method", "psci"), 0);
		end();
	}
	end();
	begin("timer", COMPAT("arm,armv8-timer\0arm,armv7-timer"), NULL, 0);
	PROP_U32S("interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4);
	end();
	begin("apb-pclk", COMPAT("fixed-clock"), NULL, 0);
	PROP_U32S("phandle", PH_CLK);
	PROP_U32S("#clock-cells", 0);
	PROP_U32S("clock-frequency", 24000000);
	end();
	begin("chosen", NULL, 0, NULL, 0);
	assert_int_equal(fdt_property_string(blob, "stdout-path", "/pl011@9000000"), 0);
	if (mods != NULL && mods->kernel != 0)
		module(mods->kernel, mods->kernel_size, true, mods->bootargs);
	if (mods != NULL && mods->ramdisk != 0)
		module(mods->ramdisk, mods->ramdisk_size, false, NULL);
	end();
	end();
	assert_int_equal(fdt_finish(blob), 0);
	assert_int_equal(fdt_check_full(blob, fdt_totalsize(blob)), 0);
}

static struct machine m;
static struct linux_image_header hdr;

/* A Debian-like arm64 Image header: little-endian, any 2 MiB aligned base, 4 KiB pages. */
static void good_header(void)
{
	hdr = (struct linux_image_header){.text_offset = 0,
					  .image_size = IMAGE_SIZE,
					  .flags = LINUX_FLAG_PHYS_BASE | (1ull << 1),
					  .magic = LINUX_IMAGE_MAGIC};
}

static void parse(const struct modules *mods)
{
	build(mods);
	machine_from_dtb(blob, &m);
	good_header();
}

static const struct kcore_mem_range kcore_image = {{KCORE_BASE}, KCORE_SIZE};

static u64 check_kernel(void)
{
	return check_linux_kernel(&m, &hdr, DTB_PA, kcore_image);
}

/*
 * Runs fn in a child that must panic with exactly `line` (kcore's last
 * console line): a panic halts the process, and the halt hook reports.
 */
static const char *expected_line;

static void child_compares_console(void)
{
	const char *text = sim_console_text();
	size_t n = strlen(text), e = strlen(expected_line);

	/* The last line: what came before is the boot's log (the platform policy's). */
	if (n >= e && strcmp(text + n - e, expected_line) == 0 &&
	    (n == e || text[n - e - 1] == '\n'))
		_exit(0);
	fprintf(stderr, "console: \"%s\"\nexpected: \"%s\"\n", sim_console_text(), expected_line);
	_exit(2);
}

static void expect_panic(void (*fn)(void), const char *line)
{
	int status = 0;
	pid_t pid;

	expected_line = line;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sim_console_clear();
		sim_set_halt_hook(child_compares_console);
		fn();
		fprintf(stderr, "no panic; expected: \"%s\"\n", line);
		_exit(1);
	}
	expected_line = NULL; /* the child had its copy; `line` may be the caller's stack */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void check_kernel_void(void)
{
	(void)check_kernel();
}

/* The modules as guest-loader wrote them, and the header of a kernel kcore boots. */
static void test_modules_read(void **state)
{
	(void)state;
	parse(&linux_modules);
	assert_true(machine_has_linux_host(&m));
	assert_int_equal(pa_addr(m.linux_kernel.base), KERNEL_ADDR);
	assert_int_equal(m.linux_kernel.size, KERNEL_SIZE);
	assert_int_equal(pa_addr(m.linux_ramdisk.base), RAMDISK_ADDR);
	assert_int_equal(m.linux_ramdisk.size, RAMDISK_SIZE);
	assert_string_equal(m.linux_bootargs, BOOTARGS);
	/* QEMU's own -initrd is not the Linux host's. */
	assert_int_equal(m.initrd_start, 0);
	assert_int_equal(m.nr_cpus, 4);
	assert_int_equal(check_kernel(), IMAGE_SIZE);
	/* text_offset honoured: a base 2 MiB aligned plus it is fine. */
	hdr.text_offset = 0x80000;
	m.linux_kernel.base = pa_init(KERNEL_ADDR + 0x80000);
	assert_int_equal(check_kernel(), IMAGE_SIZE);
}

/* With no module the host is kserv: its DTB gets /memreserve/ entries and nothing else. */
static void test_no_module_boots_kserv(void **state)
{
	struct kcore_mem_range carve;
	u64 a, s;

	(void)state;
	parse(NULL);
	assert_false(machine_has_linux_host(&m));
	assert_int_equal(m.linux_kernel.size, 0);
	assert_int_equal(m.linux_ramdisk.size, 0);
	assert_string_equal(m.linux_bootargs, "");
	/* kserv's DTB grows up to the carve-out when it lies above kcore's image. */
	carve = (struct kcore_mem_range){pa_init((u64)(uintptr_t)blob + sizeof(blob)), CARVE_SIZE};
	dtb_for_host(blob, &m, kcore_image, carve);
	assert_int_equal(fdt_check_full(blob, fdt_totalsize(blob)), 0);
	assert_int_equal(fdt_num_mem_rsv(blob), 2);
	assert_int_equal(fdt_get_mem_rsv(blob, 0, &a, &s), 0);
	assert_int_equal(a, KCORE_BASE);
	assert_int_equal(s, KCORE_SIZE);
	assert_int_equal(fdt_get_mem_rsv(blob, 1, &a, &s), 0);
	assert_int_equal(a, pa_addr(carve.base));
	assert_int_equal(s, CARVE_SIZE);
	/* Nothing of a Linux host's rewrite: the devices stay, no /reserved-memory. */
	assert_true(fdt_path_offset(blob, "/reserved-memory") < 0);
	assert_true(fdt_path_offset(blob, "/smmuv3@9050000") >= 0);
	assert_true(fdt_path_offset(blob, "/pcie@10000000") >= 0);
	assert_non_null(
	    fdt_getprop(blob, fdt_path_offset(blob, "/pcie@10000000"), "iommu-map", NULL));
}

static void set_bad_magic(void)
{
	hdr.magic = 0x016f2818; /* a zImage's, an arm32 kernel */
}

/* Each header refusal, with the line kcore prints before it halts. */
static void test_header_refusals(void **state)
{
	(void)state;
	parse(&linux_modules);
	set_bad_magic();
	expect_panic(check_kernel_void,
		     "kcore: PANIC: the multiboot kernel at 50000000 is not an arm64 Image "
		     "(decompressed)\n");

	good_header();
	hdr.flags |= LINUX_FLAG_BE;
	expect_panic(
	    check_kernel_void,
	    "kcore: PANIC: the host kernel's Image header (flags b, image_size 1b00000) is "
	    "not one kcore boots: little-endian, any 2 MiB aligned base\n");

	good_header();
	hdr.flags &= ~LINUX_FLAG_PHYS_BASE; /* an old kernel: only at the start of RAM */
	expect_panic(
	    check_kernel_void,
	    "kcore: PANIC: the host kernel's Image header (flags 2, image_size 1b00000) is "
	    "not one kcore boots: little-endian, any 2 MiB aligned base\n");

	good_header();
	hdr.text_offset = 0x80000;
	expect_panic(check_kernel_void,
		     "kcore: PANIC: the host kernel is at 50000000: it must be loaded at a 2 MiB "
		     "boundary plus its text_offset 80000 (guest-loader addr=)\n");

	good_header();
	m.linux_kernel.base = pa_init(KERNEL_ADDR + 0x1000);
	expect_panic(check_kernel_void,
		     "kcore: PANIC: the host kernel is at 50001000: it must be loaded at a 2 MiB "
		     "boundary plus its text_offset 0 (guest-loader addr=)\n");

	/* image_size (the bss) past the end of the bank, though the file itself fits. */
	m.linux_kernel.base = pa_init(RAM_BASE + RAM_SIZE - 0x1a00000);
	expect_panic(check_kernel_void,
		     "kcore: PANIC: the host kernel's 7e600000-80100000 (image_size) is not in one "
		     "RAM bank\n");

	/* Over kcore's image (2 MiB into RAM)... */
	m.linux_kernel.base = pa_init(RAM_BASE);
	expect_panic(
	    check_kernel_void,
	    "kcore: PANIC: the host kernel's 40000000-41b00000 overlaps kcore or the DTB\n");
	/* ...and over the DTB: image_size reaches it though the file stops short. */
	m.linux_kernel.base = pa_init(DTB_PA - 0x1800000);
	expect_panic(
	    check_kernel_void,
	    "kcore: PANIC: the host kernel's 46800000-48300000 overlaps kcore or the DTB\n");

	/* A ramdisk over the kernel's bss. */
	m.linux_kernel.base = pa_init(KERNEL_ADDR);
	m.linux_ramdisk.base = pa_init(KERNEL_ADDR + KERNEL_SIZE);
	expect_panic(check_kernel_void,
		     "kcore: PANIC: the host's ramdisk 51800000-51c00000 is not in one RAM bank or "
		     "overlaps its kernel, kcore or the DTB\n");
}

/* What guest-loader gave, read in the child (a refusal halts). */
static struct modules bad_modules;

static void parse_bad_modules(void)
{
	build(&bad_modules);
	machine_from_dtb(blob, &m);
}

/* Modules kcore cannot boot from, each refused with its line. */
static void test_module_refusals(void **state)
{
	static char long_args[LINUX_BOOTARGS_MAX + 1];

	(void)state;
	bad_modules = (struct modules){0, 0, RAMDISK_ADDR, RAMDISK_SIZE, NULL};
	expect_panic(parse_bad_modules,
		     "kcore: PANIC: a multiboot ramdisk but no multiboot kernel\n");
	/* An empty file: guest-loader writes a reg of size 0. */
	bad_modules = (struct modules){KERNEL_ADDR, 0, 0, 0, NULL};
	expect_panic(parse_bad_modules,
		     "kcore: PANIC: multiboot module module@0x50000000 is empty\n");
	memset(long_args, 'a', LINUX_BOOTARGS_MAX);
	bad_modules = (struct modules){KERNEL_ADDR, KERNEL_SIZE, 0, 0, long_args};
	expect_panic(parse_bad_modules,
		     "kcore: PANIC: the host kernel's bootargs are longer than 2047 bytes\n");
	/* The longest that fits is taken whole. */
	long_args[LINUX_BOOTARGS_MAX - 1] = '\0';
	parse_bad_modules();
	assert_string_equal(m.linux_bootargs, long_args);
}

/* Every phandle these properties hold (at `first`, then every `step` cells) names a node. */
static void expect_links_resolve(const char *prop, int first, int step)
{
	for (int node = fdt_next_node(blob, 0, NULL); node >= 0;
	     node = fdt_next_node(blob, node, NULL)) {
		int len;
		const fdt32_t *p = fdt_getprop(blob, node, prop, &len);

		for (int i = first; p != NULL && 4 * (i + 1) <= len; i += step) {
			if (fdt_node_offset_by_phandle(blob, fdt32_to_cpu(p[i])) < 0)
				print_error("%s's %s: phandle %x names no node\n",
					    fdt_get_name(blob, node, NULL), prop,
					    fdt32_to_cpu(p[i]));
			assert_true(fdt_node_offset_by_phandle(blob, fdt32_to_cpu(p[i])) >= 0);
		}
	}
}

static void expect_reserved(const char *name, u64 base, u64 size)
{
	int node = fdt_subnode_offset(blob, fdt_path_offset(blob, "/reserved-memory"), name);
	int len;
	const fdt32_t *reg;

	assert_true(node >= 0);
	reg = fdt_getprop(blob, node, "reg", &len);
	assert_non_null(reg);
	assert_int_equal(len, 16);
	assert_int_equal(fdt_read_cells(reg, 2), base);
	assert_int_equal(fdt_read_cells(reg + 2, 2), size);
	assert_non_null(fdt_getprop(blob, node, "no-map", &len));
	assert_int_equal(len, 0);
}

static u64 chosen_prop_u64(const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), name, &len);

	assert_non_null(p);
	assert_int_equal(len, 8);
	return fdt_read_cells(p, 2);
}

/* The DTB a Linux host gets, rewritten in place. */
static void test_rewrite(void **state)
{
	static const char *const gone[] = {"/smmuv3@9050000", "/intc@8000000/its@8080000",
					   "/virtio_mmio@a000000", "/virtio_mmio@a000200",
					   "/fw-cfg@9020000"};
	static const char *const kept[] = {"/intc@8000000",  "/pl011@9000000", "/pl031@9010000",
					   "/pl061@9030000", "/flash@0",       "/pcie@10000000",
					   "/psci",	     "/cpus/cpu@3",    "/memory@40000000",
					   "/timer",	     "/apb-pclk"};
	const struct kcore_mem_range ranges[2] = {kcore_image, {{CARVE_BASE}, CARVE_SIZE}};
	u64 room_end = (u64)(uintptr_t)blob + sizeof(blob);
	int pcie, chosen, node, len, rm;
	const char *args;

	(void)state;
	parse(&linux_modules);
	dtb_for_linux_host(blob, &m, ranges, 2, room_end);
	assert_int_equal(fdt_check_full(blob, fdt_totalsize(blob)), 0);
	assert_true(fdt_totalsize(blob) <= sizeof(blob));

	expect_reserved("kcore@40200000", KCORE_BASE, KCORE_SIZE);
	expect_reserved("kcore@7ec00000", CARVE_BASE, CARVE_SIZE);
	assert_int_equal(fdt_num_mem_rsv(blob), 0);

	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		if (fdt_path_offset(blob, gone[i]) >= 0)
			print_error("%s is still there\n", gone[i]);
		assert_true(fdt_path_offset(blob, gone[i]) < 0);
	}
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		if (fdt_path_offset(blob, kept[i]) < 0)
			print_error("%s is gone\n", kept[i]);
		assert_true(fdt_path_offset(blob, kept[i]) >= 0);
	}
	/* Whatever device is left is the host's by the policy (kcore's RAM ranges aside). */
	rm = fdt_path_offset(blob, "/reserved-memory");
	for (node = fdt_next_node(blob, 0, NULL); node >= 0;
	     node = fdt_next_node(blob, node, NULL)) {
		if (fdt_parent_offset(blob, node) != rm && hidden_from_host(blob, &m, node))
			print_error("%s is the host's no more\n", fdt_get_name(blob, node, NULL));
		assert_true(fdt_parent_offset(blob, node) == rm ||
			    !hidden_from_host(blob, &m, node));
	}

	pcie = fdt_path_offset(blob, "/pcie@10000000");
	assert_null(fdt_getprop(blob, pcie, "iommu-map", NULL));
	assert_null(fdt_getprop(blob, pcie, "msi-map", NULL));
	assert_non_null(fdt_getprop(blob, pcie, "ranges", NULL));
	expect_links_resolve("interrupt-parent", 0, 1);
	expect_links_resolve("clocks", 0, 1);
	expect_links_resolve("msi-parent", 0, 1);
	expect_links_resolve("iommus", 0, 1);
	expect_links_resolve("iommu-map", 1, 4);
	expect_links_resolve("msi-map", 1, 4);

	chosen = fdt_path_offset(blob, "/chosen");
	assert_true(chosen >= 0);
	assert_true(fdt_node_offset_by_compatible(blob, -1, "multiboot,module") < 0);
	assert_true(fdt_first_subnode(blob, chosen) < 0);
	args = fdt_getprop(blob, chosen, "bootargs", &len);
	assert_non_null(args);
	assert_int_equal(len, sizeof(BOOTARGS));
	assert_string_equal(args, BOOTARGS);
	assert_int_equal(chosen_prop_u64("linux,initrd-start"), RAMDISK_ADDR);
	assert_int_equal(chosen_prop_u64("linux,initrd-end"), RAMDISK_ADDR + RAMDISK_SIZE);
	assert_string_equal(fdt_getprop(blob, chosen, "stdout-path", NULL), "/pl011@9000000");
}

/* A kernel without bootargs and without a ramdisk: neither is left in /chosen. */
static void test_rewrite_kernel_only(void **state)
{
	static const struct modules kernel_only = {KERNEL_ADDR, KERNEL_SIZE, 0, 0, NULL};
	const struct kcore_mem_range ranges[2] = {kcore_image, {{CARVE_BASE}, CARVE_SIZE}};
	int chosen;

	(void)state;
	build(&kernel_only);
	/* QEMU's -initrd and -append, which are kserv's, as the DTB had them. */
	chosen = fdt_path_offset(blob, "/chosen");
	assert_int_equal(fdt_open_into(blob, blob, (int)sizeof(blob)), 0);
	assert_int_equal(fdt_setprop_string(blob, chosen, "bootargs", "kserv's"), 0);
	assert_int_equal(fdt_setprop_u64(blob, chosen, "linux,initrd-start", 0x48100000), 0);
	assert_int_equal(fdt_setprop_u64(blob, chosen, "linux,initrd-end", 0x48200000), 0);
	assert_int_equal(fdt_pack(blob), 0);
	machine_from_dtb(blob, &m);
	assert_true(machine_has_linux_host(&m));
	assert_int_equal(m.linux_ramdisk.size, 0);
	dtb_for_linux_host(blob, &m, ranges, 2, (u64)(uintptr_t)blob + sizeof(blob));
	assert_int_equal(fdt_check_full(blob, fdt_totalsize(blob)), 0);
	chosen = fdt_path_offset(blob, "/chosen");
	assert_null(fdt_getprop(blob, chosen, "bootargs", NULL));
	assert_null(fdt_getprop(blob, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(blob, chosen, "linux,initrd-end", NULL));
}

/*
 * The room kcore gives the DTB (dtb_for_host): up to the kernel guest-loader
 * put after it. The rewritten DTB stays within it; too little refuses.
 */
static u64 room;

static void rewrite_in_room(void)
{
	/* kcore's image below the DTB, so the room would otherwise run to the carve-out. */
	struct kcore_mem_range carve = {pa_init((u64)(uintptr_t)blob + (1ull << 30)), CARVE_SIZE};

	m.linux_kernel.base = pa_init((u64)(uintptr_t)blob + room);
	dtb_for_host(blob, &m, kcore_image, carve);
}

static void test_rewrite_room(void **state)
{
	char line[128];
	u32 before;

	(void)state;
	parse(&linux_modules);
	before = fdt_totalsize(blob);
	room = before + 128u * 3 + sizeof(m.linux_bootargs) + 512u;
	rewrite_in_room();
	assert_int_equal(fdt_check_full(blob, fdt_totalsize(blob)), 0);
	assert_true(fdt_totalsize(blob) <= room);
	assert_true(fdt_path_offset(blob, "/reserved-memory") >= 0);

	parse(&linux_modules);
	room -= 1;
	kc_snprintf(line, sizeof(line), "kcore: PANIC: no room to grow the DTB at %p\n",
		    (void *)blob);
	expect_panic(rewrite_in_room, line);
}

/* A panic outside expect_panic halts the test: show kcore's line first. */
static void show_console(void)
{
	fputs(sim_console_text(), stderr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_modules_read),    cmocka_unit_test(test_no_module_boots_kserv),
	    cmocka_unit_test(test_header_refusals), cmocka_unit_test(test_module_refusals),
	    cmocka_unit_test(test_rewrite),	    cmocka_unit_test(test_rewrite_kernel_only),
	    cmocka_unit_test(test_rewrite_room),
	};

	sim_set_halt_hook(show_console);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
