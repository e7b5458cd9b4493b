/* SPDX-License-Identifier: MIT */
/*
 * The platform policy, derived from the DTB at boot (docs/security.md,
 * "Platform policy"): every node with a reg in the CPU's physical address
 * space gets one class from the table below, by the first of its compatible
 * strings the table knows. A node the table does not know is DENIED, and so
 * is every address no node claims (the core's default). The result is the
 * (range, class) table the core boots with (kcore_boot_params.devices).
 *
 * Called with kcore's MMU still off: the redistributors' GICR_TYPER is read
 * at its physical address to find the frames.
 */
#include <libfdt.h>

#include "core/lib/log.h"
#include "fdt_cells.h"
#include "gicr_mediate.h"
#include "machine.h"

/* How a class is applied beyond the node's reg. */
enum rule_kind {
	RULE_PLAIN, /* every reg entry gets the class */
	RULE_GICV3, /* distributor HOST_SAFE; each redistributor's RD_base page MEDIATED */
	RULE_PCIE,  /* reg and ranges windows: BEHIND_SMMU only if iommu-map sends all to kcore's
		       SMMU */
};

struct policy_rule {
	const char *compatible;
	enum kcore_dev_class dev_class;
	enum rule_kind kind;
};

/* The reasons are in docs/security.md's table; keep the two in step. */
static const struct policy_rule rules[] = {
    {"arm,smmu-v3", KCORE_DEV_KCORE, RULE_PLAIN},
    {"arm,gic-v3", KCORE_DEV_HOST_SAFE, RULE_GICV3},
    {"arm,gic-v3-its", KCORE_DEV_DENIED, RULE_PLAIN},
    {"pci-host-ecam-generic", KCORE_DEV_BEHIND_SMMU, RULE_PCIE},
    {"arm,pl011", KCORE_DEV_HOST_SAFE, RULE_PLAIN},
    {"arm,pl031", KCORE_DEV_HOST_SAFE, RULE_PLAIN},
    {"arm,pl061", KCORE_DEV_HOST_SAFE, RULE_PLAIN},
    {"cfi-flash", KCORE_DEV_HOST_SAFE, RULE_PLAIN},
    {"qemu,fw-cfg-mmio", KCORE_DEV_DENIED, RULE_PLAIN},
    {"virtio,mmio", KCORE_DEV_DENIED, RULE_PLAIN},
    {"qemu,platform", KCORE_DEV_DENIED, RULE_PLAIN},
};

#define GICR_TYPER_VLPIS (1ull << 1)
#define GICR_TYPER_LAST	 (1ull << 4)
#define GICR_FRAME	 0x20000ull /* RD_base + SGI_base */
#define GICR_VLPI_FRAMES 0x20000ull /* VLPI_base + reserved, when TYPER.VLPIS */
#define PCI_RID_SPACE	 0x10000u   /* bus:device.function */

static const char *const class_names[KCORE_DEV_NR_CLASSES] = {"DENIED", "KCORE", "MEDIATED",
							      "BEHIND_SMMU", "HOST_SAFE"};

static bool str_eq(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && memcmp(a, b, n) == 0;
}

static bool overlap(u64 a, u64 asz, u64 b, u64 bsz)
{
	return a < b + bsz && b < a + asz;
}

/* Appends [base, base + size), rounded out to whole pages: a page is one class. */
static void add(struct machine *m, u64 base, u64 size, enum kcore_dev_class cls)
{
	u64 lo = base & ~(PAGE_SIZE - 1), hi = (base + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (size == 0)
		return;
	if (m->nr_devices == KCORE_MAX_DEV_RANGES)
		kc_panic("platform policy: more than %u device ranges", KCORE_MAX_DEV_RANGES);
	m->devices[m->nr_devices++] = (struct kcore_dev_range){pa_init(lo), hi - lo, cls};
}

static const struct policy_rule *rule_for(const void *fdt, int node)
{
	int len;
	const char *c = fdt_getprop(fdt, node, "compatible", &len);

	/* The node's own order: its most specific string the table knows wins. */
	for (int at = 0; c != NULL && at < len; at += (int)strlen(c + at) + 1) {
		for (u32 i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
			if (str_eq(c + at, rules[i].compatible))
				return &rules[i];
		}
	}
	return NULL;
}

/*
 * Each redistributor frame, found as the GIC does (GICR_TYPER.Last ends a
 * region): its RD_base page 0 holds GICR_PROPBASER/PENDBASER and
 * CTLR.EnableLPIs (physical addresses a table walker writes): MEDIATED. The
 * rest of RD_base and SGI_base: HOST_SAFE. GICv4 VLPI frames hold
 * VPROPBASER/VPENDBASER: DENIED.
 */
static void add_redistributors(struct machine *m, u64 base, u64 size)
{
	u64 frame = base;

	while (frame + GICR_FRAME <= base + size) {
		u64 typer = gicr_read_typer(frame);
		u64 span = GICR_FRAME + ((typer & GICR_TYPER_VLPIS) != 0 ? GICR_VLPI_FRAMES : 0);

		if (m->nr_gicr_frames == KCORE_MAX_CPUS) {
			kc_log("platform policy: redistributors beyond %u at %lx: DENIED",
			       KCORE_MAX_CPUS, frame);
			return;
		}
		m->gicr_frames[m->nr_gicr_frames++] = frame;
		add(m, frame, PAGE_SIZE, KCORE_DEV_MEDIATED);
		add(m, frame + PAGE_SIZE, GICR_FRAME - PAGE_SIZE, KCORE_DEV_HOST_SAFE);
		add(m, frame + GICR_FRAME, span - GICR_FRAME, KCORE_DEV_DENIED);
		if ((typer & GICR_TYPER_LAST) != 0)
			return;
		frame += span;
	}
}

static void apply_gicv3(const void *fdt, int node, struct machine *m,
			const struct kcore_mem_range *reg, u32 nr_reg)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "#redistributor-regions", &len);
	u32 nr_rd = (p != NULL && len == 4) ? fdt32_to_cpu(*p) : 1;

	/* reg: distributor, nr_rd redistributor regions, then GICC/GICH/GICV (unused: DENIED). */
	for (u32 i = 0; i < nr_reg; i++) {
		if (i == 0)
			add(m, pa_addr(reg[i].base), reg[i].size, KCORE_DEV_HOST_SAFE);
		else if (i <= nr_rd)
			add_redistributors(m, pa_addr(reg[i].base), reg[i].size);
		else
			add(m, pa_addr(reg[i].base), reg[i].size, KCORE_DEV_DENIED);
	}
}

/*
 * Whether every requester ID of the bridge (0..0xffff) reaches kcore's SMMU
 * (iommu-map: rid-base, iommu phandle, #iommu-cells specifier cells, length).
 * The SMMU answers for every stream it is given: one kcore made an STE for,
 * or an abort. A RID mapped nowhere would bypass it: then the bridge is DENIED.
 */
static bool all_rids_behind_smmu(const void *fdt, int node)
{
	int smmu = fdt_node_offset_by_compatible(fdt, -1, "arm,smmu-v3");
	u32 phandle = smmu >= 0 ? fdt_get_phandle(fdt, smmu) : 0;
	const fdt32_t *cells = smmu >= 0 ? fdt_getprop(fdt, smmu, "#iommu-cells", NULL) : NULL;
	int len, entry;
	const fdt32_t *map = fdt_getprop(fdt, node, "iommu-map", &len);
	u32 covered = 0;
	bool progress = true;

	if (phandle == 0 || cells == NULL || map == NULL ||
	    fdt_getprop(fdt, node, "iommu-map-mask", NULL) != NULL)
		return false;
	entry = 3 + (int)fdt32_to_cpu(*cells);
	if (entry > 8 || len % (entry * 4) != 0)
		return false;
	while (covered < PCI_RID_SPACE && progress) {
		progress = false;
		for (int at = 0; at < len / 4; at += entry) {
			u32 rid = fdt32_to_cpu(map[at]),
			    len_rid = fdt32_to_cpu(map[at + entry - 1]);

			if (fdt32_to_cpu(map[at + 1]) == phandle && rid <= covered &&
			    covered - rid < len_rid) {
				covered = (u32)((u64)rid + len_rid > PCI_RID_SPACE ? PCI_RID_SPACE
										   : rid + len_rid);
				progress = true;
			}
		}
	}
	return covered >= PCI_RID_SPACE;
}

/* ECAM and every window of "ranges" (child: 3 cells; parent: its own; size: the node's). */
static void apply_pcie(const void *fdt, int node, struct machine *m,
		       const struct kcore_mem_range *reg, u32 nr_reg, int pac)
{
	enum kcore_dev_class cls =
	    all_rids_behind_smmu(fdt, node) ? KCORE_DEV_BEHIND_SMMU : KCORE_DEV_DENIED;
	int sc = fdt_size_cells(fdt, node), len;
	const fdt32_t *p = fdt_getprop(fdt, node, "ranges", &len);

	if (cls == KCORE_DEV_DENIED)
		kc_log("platform policy: PCIe bridge %s: not all requester IDs reach kcore's SMMU: "
		       "DENIED",
		       fdt_get_name(fdt, node, NULL));
	for (u32 i = 0; i < nr_reg; i++)
		add(m, pa_addr(reg[i].base), reg[i].size, cls);
	if (p == NULL || sc < 1 || sc > 2)
		return;
	for (int at = 0; (at + 3 + pac + sc) * 4 <= len; at += 3 + pac + sc)
		add(m, fdt_read_cells(p + at + 3, pac), fdt_read_cells(p + at + 3 + pac, sc), cls);
}

#define MAX_REG 8u

/* A node's reg entries in the parent's cells; how many. */
static u32 read_reg(const void *fdt, int node, int ac, int sc, struct kcore_mem_range *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);
	u32 n = 0;

	for (int at = 0; p != NULL && (at + ac + sc) * 4 <= len && n < MAX_REG; at += ac + sc)
		out[n++] = (struct kcore_mem_range){pa_init(fdt_read_cells(p + at, ac)),
						    fdt_read_cells(p + at + ac, sc)};
	return n;
}

static void classify_node(const void *fdt, int node, struct machine *m)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	const char *type = fdt_getprop(fdt, node, "device_type", NULL);
	const struct policy_rule *rule;
	struct kcore_mem_range reg[MAX_REG];
	u32 nr;

	/* RAM is governed by page ownership; /cpus' reg is an MPIDR, not an address. */
	if ((type != NULL && str_eq(type, "memory")) || ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return;
	/* A multiboot module (a Linux host's kernel or ramdisk: dtb.c) is RAM, not a device. */
	if (fdt_node_check_compatible(fdt, node, "multiboot,module") == 0)
		return;
	if (!fdt_cpu_physical_below(fdt, parent)) {
		kc_log("platform policy: %s is behind a translating bus: DENIED",
		       fdt_get_name(fdt, node, NULL));
		return;
	}
	nr = read_reg(fdt, node, ac, sc, reg);
	rule = rule_for(fdt, node);
	if (rule == NULL) {
		/* Not positively known: DENIED by name (and by default). */
		for (u32 i = 0; i < nr; i++)
			add(m, pa_addr(reg[i].base), reg[i].size, KCORE_DEV_DENIED);
	} else if (rule->kind == RULE_GICV3) {
		apply_gicv3(fdt, node, m, reg, nr);
	} else if (rule->kind == RULE_PCIE) {
		apply_pcie(fdt, node, m, reg, nr, ac);
	} else {
		for (u32 i = 0; i < nr; i++)
			add(m, pa_addr(reg[i].base), reg[i].size, rule->dev_class);
	}
}

static void drop(struct machine *m, u32 i)
{
	m->devices[i] = m->devices[--m->nr_devices];
}

static bool over_ram(const struct machine *m, const struct kcore_dev_range *d)
{
	for (u32 i = 0; i < m->nr_ram; i++) {
		if (overlap(pa_addr(d->base), d->size, pa_addr(m->ram[i].base), m->ram[i].size))
			return true;
	}
	return false;
}

/*
 * Makes the table one the core accepts: ranges of one class that touch are
 * merged; where two classes overlap (after rounding to pages) the overlap
 * is not one device's alone, so both become DENIED - unless one is kcore's
 * own, which kcore cannot give up: then it does not boot.
 */
static void resolve(struct machine *m)
{
	for (u32 i = 0; i < m->nr_devices; i++) {
		if (!over_ram(m, &m->devices[i]))
			continue;
		if (m->devices[i].dev_class != KCORE_DEV_DENIED)
			kc_panic("platform policy: a %s device over RAM at %lx",
				 class_names[m->devices[i].dev_class], pa_addr(m->devices[i].base));
		drop(m, i--);
	}
	for (u32 i = 0; i < m->nr_devices; i++) {
		for (u32 j = i + 1; j < m->nr_devices; j++) {
			struct kcore_dev_range *a = &m->devices[i], *b = &m->devices[j];
			u64 lo, hi;

			if (!overlap(pa_addr(a->base), a->size + (a->dev_class == b->dev_class),
				     pa_addr(b->base), b->size + (a->dev_class == b->dev_class)))
				continue;
			if (a->dev_class != b->dev_class) {
				if (a->dev_class == KCORE_DEV_KCORE ||
				    b->dev_class == KCORE_DEV_KCORE)
					kc_panic(
					    "platform policy: kcore's device at %lx shares a page",
					    pa_addr(a->base));
				a->dev_class = b->dev_class = KCORE_DEV_DENIED;
			}
			lo = pa_addr(a->base) < pa_addr(b->base) ? pa_addr(a->base)
								 : pa_addr(b->base);
			hi = pa_addr(a->base) + a->size > pa_addr(b->base) + b->size
				 ? pa_addr(a->base) + a->size
				 : pa_addr(b->base) + b->size;
			*a = (struct kcore_dev_range){pa_init(lo), hi - lo, a->dev_class};
			drop(m, j);
			/* The grown range may now touch one already passed: start over. */
			i = (u32)-1;
			break;
		}
	}
}

void policy_from_dtb(const void *fdt, struct machine *m)
{
	int depth = 0;

	for (int node = fdt_next_node(fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (node > 0 && fdt_getprop(fdt, node, "reg", NULL) != NULL)
			classify_node(fdt, node, m);
	}
	resolve(m);
	for (u32 i = 0; i < m->nr_devices; i++)
		kc_log("platform policy: %lx-%lx %s", pa_addr(m->devices[i].base),
		       pa_addr(m->devices[i].base) + m->devices[i].size,
		       class_names[m->devices[i].dev_class]);
}
