/* SPDX-License-Identifier: MIT */
/*
 * The machine description QEMU (or firmware) hands kcore: RAM, CPUs, the
 * UART, GIC, SMMU and PCIe windows, and the initrd, read with libfdt before
 * the host ever runs.
 */
#include <libfdt.h>

#include "core/lib/log.h"
#include "machine.h"

static u64 read_cells(const fdt32_t *p, int cells)
{
	u64 v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

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
	r->base = pa_init(read_cells(p, ac));
	r->size = read_cells(p + ac, sc);
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
		m->cpu_mpidr[m->nr_cpus++] = read_cells(reg, len / 4);
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
	return read_cells(p, len / 4);
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
