/* SPDX-License-Identifier: MIT */
#include "fdt_info.h"

#include <libfdt.h>
#include <string.h>

#include "probe.h"

struct machine machine;

const void *fdt_at(u64 pa)
{
	const void *fdt = (const void *)(uintptr_t)pa;
	u64 head, tail;

	/* Probe before trusting: a bad x0 must not be an unexpected abort. */
	if (pa == 0 || (pa & 7) != 0 || !kserv_probe_read(pa, &head))
		return NULL;
	if (fdt_magic(fdt) != FDT_MAGIC || fdt_totalsize(fdt) < sizeof(struct fdt_header))
		return NULL;
	if (!kserv_probe_read(align_down(pa + fdt_totalsize(fdt) - 1, 8), &tail))
		return NULL;
	if (fdt_check_header(fdt) != 0)
		return NULL;
	return fdt;
}

/* A big-endian number of n 32-bit cells (n <= 2), read without alignment assumptions. */
static u64 read_cells(const fdt32_t *p, int n)
{
	u64 v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

/* The first (address, size) pair of a node's "reg", in its parent's cell sizes. */
static bool node_reg(const void *fdt, int node, u32 index, struct range *out)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	const fdt32_t *reg;
	int len;

	if (parent < 0 || ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return false;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (reg == NULL || (u32)len < (index + 1) * (u32)(ac + sc) * 4)
		return false;
	reg += (size_t)index * (size_t)(ac + sc);
	out->base = read_cells(reg, ac);
	out->size = read_cells(reg + ac, sc);
	return true;
}

static void parse_reserved(const void *fdt, struct machine *m)
{
	int n = fdt_num_mem_rsv(fdt);

	for (int i = 0; i < n; i++) {
		uint64_t addr, size;

		if (fdt_get_mem_rsv(fdt, i, &addr, &size) != 0 || size == 0)
			continue;
		if (m->nr_reserved == KSERV_MAX_RESERVED) {
			m->nr_ignored++;
			continue;
		}
		m->reserved[m->nr_reserved++] = (struct range){addr, size};
	}
}

static bool node_enabled(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);

	return status == NULL || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

static void parse_memory(const void *fdt, struct machine *m)
{
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);

	for (; node >= 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) {
		struct range r;

		/* e.g. QEMU's secure-only RAM: "disabled" for the normal world */
		if (!node_enabled(fdt, node))
			continue;
		for (u32 i = 0; node_reg(fdt, node, i, &r); i++) {
			if (r.size == 0)
				continue;
			if (m->nr_ram == KSERV_MAX_RAM_BANKS) {
				m->nr_ignored++;
				continue;
			}
			m->ram[m->nr_ram++] = r;
		}
	}
}

static void parse_cpus(const void *fdt, struct machine *m)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int node, ac;

	if (cpus < 0)
		return;
	ac = fdt_address_cells(fdt, cpus);
	if (ac < 1 || ac > 2)
		return;
	for (node = fdt_first_subnode(fdt, cpus); node >= 0; node = fdt_next_subnode(fdt, node)) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const fdt32_t *reg;
		int len;

		if (type == NULL || strcmp(type, "cpu") != 0)
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (reg == NULL || len < ac * 4)
			continue;
		m->nr_cpus_in_dtb++;
		if (m->nr_cpus < KSERV_MAX_CPUS)
			m->cpu_mpidr[m->nr_cpus++] = read_cells(reg, ac);
	}
}

static void parse_psci(const void *fdt, struct machine *m)
{
	static const char *const compat[] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};
	int node = -1;
	const char *method;

	for (u32 i = 0; i < ARRAY_SIZE(compat) && node < 0; i++)
		node = fdt_node_offset_by_compatible(fdt, -1, compat[i]);
	m->psci = PSCI_CONDUIT_NONE;
	if (node < 0)
		return;
	method = fdt_getprop(fdt, node, "method", NULL);
	if (method != NULL && strcmp(method, "smc") == 0)
		m->psci = PSCI_CONDUIT_SMC;
	else if (method != NULL && strcmp(method, "hvc") == 0)
		m->psci = PSCI_CONDUIT_HVC;
}

/* The PL011 /chosen/stdout-path names, else the first enabled "arm,pl011". */
static void parse_uart(const void *fdt, struct machine *m)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", NULL) : NULL;
	int node = -1;
	struct range r;

	if (path != NULL) {
		const char *colon = strchr(path, ':');
		int len = colon != NULL ? (int)(colon - path) : (int)strlen(path);

		if (path[0] != '/') {
			const char *alias = fdt_get_alias_namelen(fdt, path, len);

			path = alias;
			len = alias != NULL ? (int)strlen(alias) : 0;
		}
		if (path != NULL)
			node = fdt_path_offset_namelen(fdt, path, len);
		if (node >= 0 && fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
			node = -1;
	}
	if (node < 0) {
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
		while (node >= 0 && !node_enabled(fdt, node))
			node = fdt_node_offset_by_compatible(fdt, node, "arm,pl011");
	}
	if (node >= 0 && node_reg(fdt, node, 0, &r))
		m->uart_base = r.base;
}

/* A /chosen number property of one or two cells; false if absent or of another size. */
static bool chosen_number(const void *fdt, int chosen, const char *name, u64 *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, chosen, name, &len);

	if (p == NULL || (len != 4 && len != 8))
		return false;
	*out = read_cells(p, len / 4);
	return true;
}

static void parse_gic(const void *fdt, struct machine *m)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");

	if (node >= 0 && node_reg(fdt, node, 0, &m->gicd) && !node_reg(fdt, node, 1, &m->gicr))
		m->gicd = (struct range){0, 0};
}

static void parse_chosen(const void *fdt, struct machine *m)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	u64 start, end;

	m->bootargs = args != NULL ? args : "";
	if (chosen >= 0 && chosen_number(fdt, chosen, "linux,initrd-start", &start) &&
	    chosen_number(fdt, chosen, "linux,initrd-end", &end) && end > start)
		m->initrd = (struct range){start, end - start};
}

/*
 * A generic ECAM host bridge: its config window and the first 32-bit memory
 * range of "ranges" (PCI address: 3 cells, the space code in bits 25:24 of
 * the first; then the CPU address in the parent's cells; the size in 2).
 */
static void parse_pci(const void *fdt, struct machine *m)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
	int pac, len;
	const fdt32_t *p;

	if (node < 0 || !node_enabled(fdt, node) || !node_reg(fdt, node, 0, &m->pci_ecam))
		return;
	pac = fdt_address_cells(fdt, fdt_parent_offset(fdt, node));
	p = fdt_getprop(fdt, node, "ranges", &len);
	if (p == NULL || pac < 1 || pac > 2)
		return;
	for (int at = 0; (at + 5 + pac) * 4 <= len; at += 5 + pac) {
		u32 space = (fdt32_to_cpu(p[at]) >> 24) & 3u;

		if (space != 2) /* 32-bit memory */
			continue;
		m->pci_mem_bus = read_cells(p + at + 1, 2);
		m->pci_mem.base = read_cells(p + at + 3, pac);
		m->pci_mem.size = read_cells(p + at + 3 + pac, 2);
		return;
	}
}

int fdt_info_parse(const void *fdt, struct machine *m)
{
	int err = fdt_check_header(fdt);

	if (err != 0)
		return err;
	m->fdt = fdt;
	m->fdt_pa = (u64)(uintptr_t)fdt;
	m->fdt_size = fdt_totalsize(fdt);
	parse_reserved(fdt, m);
	parse_memory(fdt, m);
	parse_cpus(fdt, m);
	parse_psci(fdt, m);
	parse_uart(fdt, m);
	parse_chosen(fdt, m);
	parse_gic(fdt, m);
	parse_pci(fdt, m);
	return 0;
}
