/* SPDX-License-Identifier: MIT */
#include "platform_attacks.h"

#include <libfdt.h>

#include "attack_report.h"
#include "kserv/console.h"
#include "kserv/fdt_info.h"
#include "kserv/format.h"
#include "kserv/hvc.h"
#include "kserv/pages.h"
#include "kserv/probe.h"
#include "kserv/sysreg.h"

/*
 * kcore's page-ownership table is the first thing in its carve-out (the
 * second /memreserve/ range): one 24-byte entry per RAM page, starting with
 * the owner (u32, 0xffff for kcore) and the share count (u32). An attacker
 * who zeroes an entry makes the page the host's (core/mm/pgowner.h).
 */
#define PAGE_INFO_SIZE 24u
#define PAGE	       KSERV_PAGE_SIZE

/* fw_cfg's DMA interface (QEMU docs/specs/fw_cfg.txt): big-endian, 64-bit at +0x10. */
#define FW_CFG_DMA_ADDR	  0x10u
#define FW_CFG_DMA_READ	  0x02u
#define FW_CFG_DMA_SELECT 0x08u
#define FW_CFG_BAD_KEY	  0x3fffu

/* The GICv3 ITS (Arm IHI 0069): registers and the MAPD command. */
#define GITS_CTLR     0x000u
#define GITS_CBASER   0x080u
#define GITS_CWRITER  0x088u
#define GITS_BASER0   0x100u
#define GITS_VALID    (1ull << 63)
#define ITS_CMD_INT   0x03u
#define ITS_CMD_MAPD  0x08u
#define ITS_CMD_MAPC  0x09u
#define ITS_CMD_MAPTI 0x0au
#define ITS_CMD_SIZE  32u
#define ITS_DTE_SIZE  8u /* QEMU's device-table entry */

/* A redistributor's RD_base registers. */
#define GICR_CTLR	 0x00u
#define GICR_TYPER	 0x08u
#define GICR_PROPBASER	 0x70u
#define GICR_PENDBASER	 0x78u
#define GICR_STRIDE	 0x20000ull
#define GICR_TYPER_LAST	 (1u << 4)
#define GICR_TYPER_VLPIS (1u << 1)
#define LPI_ID_BITS	 15u /* PROPBASER.IDbits: INTIDs below 2^16 */
#define LPI_FIRST	 8192u

#define VIRTIO_MMIO_STATUS 0x70u

static u64 rd64(u64 pa)
{
	return *(volatile u64 *)(uintptr_t)pa;
}
static u32 rd32(u64 pa)
{
	return *(volatile u32 *)(uintptr_t)pa;
}
static void wr64(u64 pa, u64 v)
{
	*(volatile u64 *)(uintptr_t)pa = v;
}
static void wr32(u64 pa, u32 v)
{
	*(volatile u32 *)(uintptr_t)pa = v;
}

/* The first reg of the first node compatible with compat (in its parent's cells); 0: none. */
static u64 device_base(const char *compat)
{
	const void *fdt = machine.fdt;
	int node = fdt_node_offset_by_compatible(fdt, -1, compat), len, ac;
	const fdt32_t *reg;
	u64 base = 0;

	if (node < 0)
		return 0;
	ac = fdt_address_cells(fdt, fdt_parent_offset(fdt, node));
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (reg == NULL || ac < 1 || ac > 2 || len < ac * 4)
		return 0;
	for (int i = 0; i < ac; i++)
		base = (base << 32) | fdt32_to_cpu(reg[i]);
	return base;
}

/* kcore's carve-out, the largest /memreserve/ range (the other is kcore's image). */
static const struct range *carve_out(void)
{
	const struct range *best = NULL;

	for (u32 i = 0; i < machine.nr_reserved; i++) {
		if (best == NULL || machine.reserved[i].size > best->size)
			best = &machine.reserved[i];
	}
	return best;
}

/* The ownership-table entry of RAM page pa (RAM bank 0, where kcore lives). */
static u64 entry_of(const struct range *carve, u64 pa)
{
	return carve->base + ((pa - machine.ram[0].base) / PAGE) * PAGE_INFO_SIZE;
}

/*
 * A target: the entry of kcore's carve-out page number `page`, and the next
 * page's entry (kcore's too, in the same state) as the reference it must
 * still equal after the run. Both are named for the monitor check.
 */
static u64 pick_target(const struct range *carve, u64 page, const char *what)
{
	u64 t = entry_of(carve, carve->base + page * PAGE);

	kprintf("attack-target: 0x%lx same-as 0x%lx (%s)\n", t, t + PAGE_INFO_SIZE, what);
	return t;
}

/* A store that must abort: reported as one attack; true if it landed. */
static bool store_attack(const char *what, u64 pa, u64 v, bool is32)
{
	struct probe_abort a;
	char detail[96];
	bool landed;

	kserv_probe_set_quiet(true);
	landed = is32 ? kserv_probe_write32(pa, (u32)v) : kserv_probe_write(pa, v);
	kserv_probe_set_quiet(false);
	a = kserv_probe_last_abort();
	if (landed)
		format_buf(detail, sizeof(detail), "wrote 0x%lx at 0x%lx", v, pa);
	else
		format_buf(detail, sizeof(detail), "aborted, ESR 0x%lx, FAR 0x%lx", a.esr, a.far);
	attack_report(what, !landed, detail);
	return landed;
}

/* (a) fw_cfg DMA: the device reads an FWCfgDmaAccess from a host page and writes where it says. */
static void fw_cfg_attack(const struct range *carve)
{
	u64 fw_cfg = device_base("qemu,fw-cfg-mmio");
	u64 desc = page_alloc(), target;

	if (fw_cfg == 0 || desc == 0) {
		kprintf(
		    "kserv: attacks: no fw_cfg or no page: the fw_cfg DMA attack did not run\n");
		return;
	}
	target = pick_target(carve, 0, "fw_cfg DMA");
	/* control: select the invalid key, read 8 bytes: QEMU writes 8 zero bytes. */
	wr32(desc, __builtin_bswap32((FW_CFG_BAD_KEY << 16) | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ));
	wr32(desc + 4, __builtin_bswap32(8));
	wr64(desc + 8, __builtin_bswap64(target));
	if (store_attack("fw_cfg DMA: 8 bytes over kcore's page-ownership table",
			 fw_cfg + FW_CFG_DMA_ADDR, __builtin_bswap64(desc), false))
		kprintf("kserv: attacks: fw_cfg DMA control word now 0x%x\n",
			__builtin_bswap32(rd32(desc)));
	page_free(desc);
}

/* (b) the ITS: a device table in kcore's carve-out, a command queue in a host page, MAPD. */
static void its_attack(const struct range *carve)
{
	u64 its = device_base("arm,gic-v3-its");
	u64 cmdq = page_alloc(), target, devid;

	if (its == 0 || cmdq == 0) {
		kprintf("kserv: attacks: no ITS or no page: the ITS attack did not run\n");
		return;
	}
	target = pick_target(carve, 4, "ITS device table");
	devid = (target & (PAGE - 1)) / ITS_DTE_SIZE;
	/* Both registers must abort; only if both landed does the rest follow. */
	if (!store_attack("ITS: GITS_BASER0 (device table) into kcore's carve-out",
			  its + GITS_BASER0, GITS_VALID | (target & ~(PAGE - 1)), false) |
	    !store_attack("ITS: GITS_CBASER (command queue) at a host page", its + GITS_CBASER,
			  GITS_VALID | cmdq, false)) {
		page_free(cmdq);
		return;
	}
	/* MAPD with V=0: the ITS writes a zero device-table entry for devid, over the target. */
	wr64(cmdq, ITS_CMD_MAPD | (devid << 32));
	wr64(cmdq + 8, 0);
	wr64(cmdq + 16, 0);
	wr64(cmdq + 24, 0);
	(void)kserv_probe_write(its + GITS_CWRITER, 0);
	(void)kserv_probe_write32(its + GITS_CTLR, 1);
	(void)kserv_probe_write(its + GITS_CWRITER, ITS_CMD_SIZE);
	kprintf("kserv: attacks: ITS: MAPD of device %lu issued\n", devid);
	page_free(cmdq);
}

/* This CPU's redistributor (RD_base), by its affinity in GICR_TYPER; 0 if none. */
static u64 my_redistributor(void)
{
	u64 mpidr = read_mpidr();
	u32 aff = (u32)((mpidr >> 8) & 0xff000000u) | (u32)(mpidr & 0xffffffu);

	for (u64 f = machine.gicr.base; f + GICR_STRIDE <= range_end(&machine.gicr);) {
		u32 lo = rd32(f + GICR_TYPER), hi = rd32(f + GICR_TYPER + 4);

		if (hi == aff)
			return f;
		if ((lo & GICR_TYPER_LAST) != 0)
			break;
		f += (lo & GICR_TYPER_VLPIS) != 0 ? 2 * GICR_STRIDE : GICR_STRIDE;
	}
	return 0;
}

/* The pending bit of an LPI below 2^16 can land on entry + 4 (its count) from a 64 KiB base. */
static bool pending_bit_reaches(u64 entry)
{
	u64 off = (entry + 4) & 0xffffu;

	return off >= LPI_FIRST / 8 && off < (1u << (LPI_ID_BITS + 1)) / 8;
}

static void its_cmd(u64 q, u64 n, u64 w0, u64 w1, u64 w2)
{
	wr64(q + n * ITS_CMD_SIZE, w0);
	wr64(q + n * ITS_CMD_SIZE + 8, w1);
	wr64(q + n * ITS_CMD_SIZE + 16, w2);
	wr64(q + n * ITS_CMD_SIZE + 24, 0);
}

/*
 * Makes the GIC write the pending bit of LPI intid into the pending table,
 * through the ITS (QEMU 7.2 has no DirectLPI): device 0's event 0 mapped to
 * intid on collection 0 (this redistributor), then INT. Only reached when
 * the redistributor took the tables, i.e. where LPIs were not mediated.
 */
static void pend_lpi_through_its(u64 rd, u32 intid)
{
	u64 its = device_base("arm,gic-v3-its");
	u64 dt = page_alloc(), ct = page_alloc(), itt = page_alloc(), q = page_alloc();
	u64 proc = (rd64(rd + GICR_TYPER) >> 8) & 0xffffu;

	if (its == 0 || dt == 0 || ct == 0 || itt == 0 || q == 0)
		return;
	(void)kserv_probe_write32(its + GITS_CTLR, 0);
	(void)kserv_probe_write(its + GITS_BASER0, GITS_VALID | dt);
	(void)kserv_probe_write(its + GITS_BASER0 + 8, GITS_VALID | ct);
	(void)kserv_probe_write(its + GITS_CBASER, GITS_VALID | q);
	(void)kserv_probe_write(its + GITS_CWRITER, 0);
	(void)kserv_probe_write32(its + GITS_CTLR, 1);
	its_cmd(q, 0, ITS_CMD_MAPD, 0, GITS_VALID | itt);
	its_cmd(q, 1, ITS_CMD_MAPC, 0, GITS_VALID | (proc << 16));
	its_cmd(q, 2, ITS_CMD_MAPTI, (u64)intid << 32, 0);
	its_cmd(q, 3, ITS_CMD_INT, 0, 0);
	(void)kserv_probe_write(its + GITS_CWRITER, 4ull * ITS_CMD_SIZE);
	kprintf("kserv: attacks: GICR: LPI %u pended through the ITS\n", intid);
}

/*
 * (c) the redistributor's LPI tables: PROPBASER/PENDBASER into kcore's
 * carve-out, then EnableLPIs; refused when none of it reads back. Where it
 * took, an LPI is pended whose pending bit is bit 0 of the target's count.
 */
static void gicr_attack(const struct range *carve)
{
	u64 rd = my_redistributor(), target = 0, pend, typer, got_prop, got_pend;
	u32 ctlr;
	bool landed;
	char detail[160];

	for (u64 page = 8; page + 2 < carve->size / PAGE && target == 0; page++) {
		if (pending_bit_reaches(entry_of(carve, carve->base + page * PAGE)))
			target = pick_target(carve, page, "GICR pending table");
	}
	if (rd == 0 || target == 0) {
		kprintf(
		    "kserv: attacks: no redistributor or target: the GICR attack did not run\n");
		return;
	}
	pend = (target + 4) & ~0xffffull;
	typer = rd64(rd + GICR_TYPER);
	wr64(rd + GICR_PROPBASER, pend | LPI_ID_BITS);
	wr64(rd + GICR_PENDBASER, pend);
	wr32(rd + GICR_CTLR, rd32(rd + GICR_CTLR) | 1u);
	got_prop = rd64(rd + GICR_PROPBASER);
	got_pend = rd64(rd + GICR_PENDBASER);
	ctlr = rd32(rd + GICR_CTLR);
	landed =
	    (got_prop & ~0xfffull) == pend || (got_pend & ~0xffffull) == pend || (ctlr & 1u) != 0;
	format_buf(detail, sizeof(detail),
		   "TYPER.PLPIS %lu; PROPBASER reads 0x%lx, PENDBASER 0x%lx, CTLR 0x%x", typer & 1,
		   got_prop, got_pend, ctlr);
	attack_report("GICR: LPI tables in kcore's carve-out, then EnableLPIs", !landed, detail);
	if (landed)
		pend_lpi_through_its(rd, (u32)((target + 4 - pend) * 8));
}

/* (d) a virtio-mmio transport: a DMA master outside the SMMU on virt. */
static void virtio_attack(void)
{
	u64 virtio = device_base("virtio,mmio");

	if (virtio == 0) {
		kprintf("kserv: attacks: no virtio-mmio transport: that attack did not run\n");
		return;
	}
	attack_read("read a virtio-mmio transport (DENIED)", virtio);
	(void)store_attack("write a virtio-mmio transport's status (DENIED)",
			   virtio + VIRTIO_MMIO_STATUS, 0, true);
}

void platform_attacks(struct guest *g)
{
	const struct range *carve = carve_out();
	u64 ipa = layout_ram_end(&g->lay) + 0x200000;

	if (carve == NULL || machine.nr_ram == 0 || carve->base < machine.ram[0].base ||
	    range_end(carve) > range_end(&machine.ram[0])) {
		kprintf("kserv: attacks: kcore's carve-out is not in RAM bank 0: the platform "
			"attacks did not run\n");
		return;
	}
	fw_cfg_attack(carve);
	its_attack(carve);
	gicr_attack(carve);
	virtio_attack();
	/* Never for a VM either (KC_HC_VM_MAP_IO): PERM. */
	attack_call("map fw_cfg into the secret VM as a device", KCORE_E_PERM, KC_HC_VM_MAP_IO,
		    g->vmid, ipa, device_base("qemu,fw-cfg-mmio") & ~(PAGE - 1), 0);
	attack_call("map the ITS into the secret VM as a device", KCORE_E_PERM, KC_HC_VM_MAP_IO,
		    g->vmid, ipa + PAGE, device_base("arm,gic-v3-its"), 0);
}
