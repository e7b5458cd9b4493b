/* SPDX-License-Identifier: MIT */
/*
 * The machine description QEMU (or firmware) hands kcore: RAM, CPUs, the
 * UART, GIC, SMMU and PCIe windows, the initrd and a Linux host's multiboot
 * modules, read with libfdt before the host ever runs; and what kcore writes
 * back into it for the host: /memreserve/ entries for kserv, or for a Linux
 * host a device tree that tells it the truth (dtb_for_linux_host).
 */
#include <libfdt.h>

#include "core/arch.h"
#include "core/lib/log.h"
#include "fdt_cells.h"
#include "machine.h"

static int root_cells(const void *fdt, const char *name, int fallback)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, 0, name, &len);

	return (p != NULL && len == 4) ? (int)fdt32_to_cpu(*p) : fallback;
}

/* The first reg entry of a node. */
static bool node_reg(const void *fdt, int node, u32 index, struct kcore_mem_range *r)
{
	int ac = root_cells(fdt, "#address-cells", 2);
	int sc = root_cells(fdt, "#size-cells", 1);
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);
	int entry = (ac + sc) * 4;

	if (p == NULL || len < entry * (int)(index + 1))
		return false;
	p += (ptrdiff_t)(ac + sc) * (ptrdiff_t)index;
	r->base = pa_init(fdt_read_cells(p, ac));
	r->size = fdt_read_cells(p + ac, sc);
	return true;
}

static void read_memory(const void *fdt, struct machine *m)
{
	int node = -1;

	while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory",
						     sizeof("memory"))) >= 0) {
		struct kcore_mem_range r;

		for (u32 i = 0; node_reg(fdt, node, i, &r); i++) {
			if (m->nr_ram == KCORE_MAX_RAM_BANKS)
				kc_panic("more than %u RAM banks", KCORE_MAX_RAM_BANKS);
			m->ram[m->nr_ram++] = r;
		}
	}
	if (m->nr_ram == 0)
		kc_panic("the DTB describes no memory");
}

static void read_cpus(const void *fdt, struct machine *m)
{
	int cpus_node = fdt_path_offset(fdt, "/cpus");
	int node;

	if (cpus_node < 0)
		kc_panic("the DTB has no /cpus");
	fdt_for_each_subnode(node, fdt, cpus_node)
	{
		int len;
		const fdt32_t *reg;
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);

		if (type == NULL || fdt_stringlist_contains(type, 4, "cpu") == 0)
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (reg == NULL)
			continue;
		if (m->nr_cpus == KCORE_MAX_CPUS) {
			kc_log("more than %u CPUs: the rest stay off", KCORE_MAX_CPUS);
			break;
		}
		m->cpu_mpidr[m->nr_cpus++] = fdt_read_cells(reg, len / 4);
	}
	if (m->nr_cpus == 0)
		kc_panic("the DTB describes no CPU");
}

static bool find_compatible(const void *fdt, const char *compat, u32 index,
			    struct kcore_mem_range *r)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compat);

	return node >= 0 && node_reg(fdt, node, index, r);
}

static u64 chosen_u64(const void *fdt, const char *name)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int len;
	const fdt32_t *p = chosen >= 0 ? fdt_getprop(fdt, chosen, name, &len) : NULL;

	if (p == NULL || (len != 4 && len != 8))
		return 0;
	return fdt_read_cells(p, len / 4);
}

static int node_cells(const void *fdt, int node, const char *name, int fallback)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	return (p != NULL && len == 4) ? (int)fdt32_to_cpu(*p) : fallback;
}

/* A module's reg: one (address, size) in /chosen's cells. */
static bool module_reg(const void *fdt, int node, int ac, int sc, struct kcore_mem_range *r)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (reg == NULL || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (ac + sc) * 4)
		return false;
	r->base = pa_init(fdt_read_cells(reg, ac));
	r->size = fdt_read_cells(reg + ac, sc);
	return true;
}

/*
 * The multiboot modules (the Xen on Arm binding; QEMU's guest-loader writes
 * them): /chosen/module@ADDR with compatible "multiboot,module" and
 * "multiboot,kernel" or "multiboot,ramdisk", a reg of one (address, size)
 * in /chosen's cells (the root's when /chosen has none), and for the kernel
 * its command line in bootargs.
 */
static void read_modules(const void *fdt, struct machine *m)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int ac, sc, node;

	if (chosen < 0)
		return;
	ac = node_cells(fdt, chosen, "#address-cells", root_cells(fdt, "#address-cells", 2));
	sc = node_cells(fdt, chosen, "#size-cells", root_cells(fdt, "#size-cells", 1));
	fdt_for_each_subnode(node, fdt, chosen)
	{
		bool kernel = fdt_node_check_compatible(fdt, node, "multiboot,kernel") == 0;
		bool ramdisk = fdt_node_check_compatible(fdt, node, "multiboot,ramdisk") == 0;
		struct kcore_mem_range *r = kernel ? &m->linux_kernel : &m->linux_ramdisk;
		int len;

		if (!kernel && !ramdisk)
			continue;
		if (r->size != 0)
			kc_panic("more than one multiboot %s module",
				 kernel ? "kernel" : "ramdisk");
		if (!module_reg(fdt, node, ac, sc, r))
			kc_panic("multiboot module %s has no usable reg",
				 fdt_get_name(fdt, node, NULL));
		if (r->size == 0)
			kc_panic("multiboot module %s is empty", fdt_get_name(fdt, node, NULL));
		if (kernel) {
			const char *args = fdt_getprop(fdt, node, "bootargs", &len);

			if (args != NULL && len > 0) {
				if ((size_t)len > sizeof(m->linux_bootargs) ||
				    args[len - 1] != '\0')
					kc_panic(
					    "the host kernel's bootargs are longer than %u bytes",
					    (u32)sizeof(m->linux_bootargs) - 1);
				memcpy(m->linux_bootargs, args, (size_t)len);
			}
		}
	}
	if (m->linux_ramdisk.size != 0 && m->linux_kernel.size == 0)
		kc_panic("a multiboot ramdisk but no multiboot kernel");
}

void machine_from_dtb(const void *fdt, struct machine *m)
{
	struct kcore_mem_range uart;

	if (fdt_check_header(fdt) != 0)
		kc_panic("no valid DTB at %p", fdt);
	*m = (struct machine){0};
	m->dtb_size = fdt_totalsize(fdt);
	read_memory(fdt, m);
	read_cpus(fdt, m);
	if (find_compatible(fdt, "arm,pl011", 0, &uart))
		m->uart_base = pa_addr(uart.base);
	find_compatible(fdt, "arm,gic-v3", 0, &m->gicd);
	find_compatible(fdt, "arm,gic-v3", 1, &m->gicr);
	find_compatible(fdt, "arm,smmu-v3", 0, &m->smmu);
	find_compatible(fdt, "pci-host-ecam-generic", 0, &m->pci_ecam);
	policy_from_dtb(fdt, m);
	m->initrd_start = chosen_u64(fdt, "linux,initrd-start");
	m->initrd_end = chosen_u64(fdt, "linux,initrd-end");
	read_modules(fdt, m);
}

void dtb_reserve(void *fdt, const struct kcore_mem_range *ranges, u32 nr, u64 room_end)
{
	u64 grown = fdt_totalsize(fdt) + 16u * (nr + 1u) + 256u;
	int err;

	/* The blob grows in place; what follows it up to room_end is free. */
	if ((u64)(uintptr_t)fdt + grown > room_end)
		kc_panic("no room to grow the DTB at %p", fdt);
	err = fdt_open_into(fdt, fdt, (int)grown);
	for (u32 i = 0; err == 0 && i < nr; i++)
		err = fdt_add_mem_rsv(fdt, pa_addr(ranges[i].base), ranges[i].size);
	if (err != 0)
		kc_panic("cannot reserve kcore's memory in the DTB: %s", fdt_strerror(err));
}

/* The platform policy's class of a device address; one no node claims is DENIED. */
static enum kcore_dev_class class_at(const struct machine *m, u64 addr)
{
	for (u32 i = 0; i < m->nr_devices; i++) {
		u64 base = pa_addr(m->devices[i].base);

		if (addr >= base && addr - base < m->devices[i].size)
			return (enum kcore_dev_class)m->devices[i].dev_class;
	}
	return KCORE_DEV_DENIED;
}

/*
 * A device node the host must not see: its registers (its first reg entry)
 * are kcore's (the SMMU) or DENIED by the platform policy (the GIC's ITS,
 * virtio-mmio, fw-cfg, QEMU's platform bus, anything the policy does not
 * know). Linux would otherwise probe it and take the stage-2 abort.
 */
static bool hidden_from_host(const void *fdt, const struct machine *m, int node)
{
	struct kcore_mem_range r;
	int len;
	const char *type = fdt_getprop(fdt, node, "device_type", &len);
	enum kcore_dev_class cls;

	if (type != NULL && len == sizeof("memory") &&
	    memcmp(type, "memory", sizeof("memory")) == 0)
		return false;
	if (!fdt_cpu_physical_below(fdt, fdt_parent_offset(fdt, node)) ||
	    !node_reg(fdt, node, 0, &r))
		return false;
	cls = class_at(m, pa_addr(r.base));
	return cls == KCORE_DEV_DENIED || cls == KCORE_DEV_KCORE;
}

static int next_hidden(const void *fdt, const struct machine *m)
{
	for (int node = fdt_next_node(fdt, 0, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		if (hidden_from_host(fdt, m, node) ||
		    fdt_node_check_compatible(fdt, node, "multiboot,module") == 0)
			return node;
	}
	return -1;
}

/* Whether a property's first phandle (at cell index `at`) still names a node. */
static bool phandle_dangles(const void *fdt, int node, const char *prop, int at)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);

	if (p == NULL || len < 4 * (at + 1))
		return false;
	return fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(p[at])) < 0;
}

static int del_prop(void *fdt, int node, const char *name)
{
	int err = fdt_delprop(fdt, node, name);

	return err == -FDT_ERR_NOTFOUND ? 0 : err;
}

/*
 * The SMMU is never the host's: no node may point at it (Linux would wait
 * for its driver forever), nor at an MSI controller just removed.
 */
static int drop_dangling_links(void *fdt)
{
	int err = 0;

	for (int node = fdt_next_node(fdt, 0, NULL); err == 0 && node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		err = del_prop(fdt, node, "iommu-map");
		if (err == 0)
			err = del_prop(fdt, node, "iommu-map-mask");
		if (err == 0)
			err = del_prop(fdt, node, "iommus");
		if (err == 0 && phandle_dangles(fdt, node, "msi-map", 1)) {
			err = del_prop(fdt, node, "msi-map");
			if (err == 0)
				err = del_prop(fdt, node, "msi-map-mask");
		}
		if (err == 0 && phandle_dangles(fdt, node, "msi-parent", 0))
			err = del_prop(fdt, node, "msi-parent");
	}
	return err;
}

static int set_reg(void *fdt, int node, int ac, int sc, u64 base, u64 size)
{
	fdt32_t cells[4];
	int n = 0;

	if ((ac == 1 && (base >> 32) != 0) || (sc == 1 && (size >> 32) != 0))
		return -FDT_ERR_BADNCELLS;
	if (ac == 2)
		cells[n++] = cpu_to_fdt32((u32)(base >> 32));
	cells[n++] = cpu_to_fdt32((u32)base);
	if (sc == 2)
		cells[n++] = cpu_to_fdt32((u32)(size >> 32));
	cells[n++] = cpu_to_fdt32((u32)size);
	return fdt_setprop(fdt, node, "reg", cells, n * 4);
}

/*
 * kcore's ranges as /reserved-memory children with no-map: Linux leaves them
 * out of its linear map, so not even a speculative walk of it reaches them
 * (the host's stage-2 has them unmapped: a real access would abort).
 */
static int reserve_no_map(void *fdt, const struct kcore_mem_range *ranges, u32 nr)
{
	int rm = fdt_path_offset(fdt, "/reserved-memory");
	int ac = 2, sc = 2, err = 0;

	if (rm < 0) {
		rm = fdt_add_subnode(fdt, 0, "reserved-memory");
		if (rm < 0)
			return rm;
		err = fdt_setprop_u32(fdt, rm, "#address-cells", 2);
		if (err == 0)
			err = fdt_setprop_u32(fdt, rm, "#size-cells", 2);
		if (err == 0)
			err = fdt_setprop(fdt, rm, "ranges", NULL, 0);
	} else {
		ac = node_cells(fdt, rm, "#address-cells", 2);
		sc = node_cells(fdt, rm, "#size-cells", 2);
		if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
			return -FDT_ERR_BADNCELLS;
	}
	for (u32 i = 0; err == 0 && i < nr; i++) {
		char name[32];
		int node;

		kc_snprintf(name, sizeof(name), "kcore@%lx", pa_addr(ranges[i].base));
		node = fdt_add_subnode(fdt, rm, name);
		if (node < 0)
			return node;
		err = set_reg(fdt, node, ac, sc, pa_addr(ranges[i].base), ranges[i].size);
		if (err == 0)
			err = fdt_setprop(fdt, node, "no-map", NULL, 0);
	}
	return err;
}

static int set_chosen(void *fdt, const struct machine *m)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int err;

	if (chosen < 0)
		return chosen;
	if (m->linux_bootargs[0] != '\0')
		err = fdt_setprop(fdt, chosen, "bootargs", m->linux_bootargs,
				  (int)strlen(m->linux_bootargs) + 1);
	else
		err = del_prop(fdt, chosen, "bootargs");
	if (err != 0)
		return err;
	/* Whatever initrd QEMU's -initrd gave is kserv's payload, not the Linux host's. */
	if (m->linux_ramdisk.size == 0) {
		err = del_prop(fdt, chosen, "linux,initrd-start");
		return err != 0 ? err : del_prop(fdt, chosen, "linux,initrd-end");
	}
	err = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", pa_addr(m->linux_ramdisk.base));
	if (err == 0)
		err = fdt_setprop_u64(fdt, chosen, "linux,initrd-end",
				      pa_addr(m->linux_ramdisk.base) + m->linux_ramdisk.size);
	return err;
}

void dtb_for_linux_host(void *fdt, const struct machine *m, const struct kcore_mem_range *ranges,
			u32 nr, u64 room_end)
{
	/* Room for the reserved-memory nodes, the bootargs and the initrd's two cells. */
	u64 grown = fdt_totalsize(fdt) + 128u * (nr + 1u) + sizeof(m->linux_bootargs) + 512u;
	int err, node;

	if ((u64)(uintptr_t)fdt + grown > room_end)
		kc_panic("no room to grow the DTB at %p", fdt);
	err = fdt_open_into(fdt, fdt, (int)grown);
	while (err == 0 && (node = next_hidden(fdt, m)) >= 0)
		err = fdt_del_node(fdt, node);
	if (err == 0)
		err = drop_dangling_links(fdt);
	if (err == 0)
		err = reserve_no_map(fdt, ranges, nr);
	if (err == 0)
		err = set_chosen(fdt, m);
	if (err == 0)
		err = fdt_pack(fdt);
	if (err != 0)
		kc_panic("cannot write the Linux host's DTB: %s", fdt_strerror(err));
	/* Linux reads it with its MMU and caches off. */
	arch_clean_to_poc(fdt, fdt_totalsize(fdt));
}
