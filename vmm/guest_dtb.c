/* SPDX-License-Identifier: MIT */
#include "guest_dtb.h"

#include <kcore/payload.h>
#include <libfdt.h>
#include <string.h>

#include "backend.h"
#include "guest_layout.h"
#include "vuart.h"

/* GIC interrupt specifiers: type (0 SPI, 1 PPI), number, flags (4: level, active high). */
#define IRQ_SPI		0u
#define IRQ_PPI		1u
#define IRQ_LEVEL_HIGH	4u
#define IRQ_EDGE_RISING 1u
#define UART_SPI	1u
#define UART_CLOCK_HZ	24000000u
/* Architected timer PPIs: secure and non-secure physical, virtual, hypervisor. */
static const u32 timer_ppis[] = {13, 14, 11, 10};

/* Property values: big-endian cells, built up in place. */
struct cells {
	fdt32_t c[16];
	int n;
};

static void put(struct cells *c, u32 v)
{
	if (c->n < (int)(sizeof(c->c) / sizeof(c->c[0])))
		c->c[c->n++] = cpu_to_fdt32(v);
}

static void put64(struct cells *c, u64 v)
{
	put(c, (u32)(v >> 32));
	put(c, (u32)v);
}

/*
 * "prefix@addr", addr in lowercase hex without leading zeros (a node's
 * unit address, and the path to one). vmm/ has no printf: built by hand.
 */
static int unit_name(char *out, size_t size, const char *prefix, u64 addr)
{
	char digits[16];
	size_t len = strlen(prefix), nd = 0;

	do {
		digits[nd++] = "0123456789abcdef"[addr & 0xf];
		addr >>= 4;
	} while (addr != 0);
	if (len + 1 + nd + 1 > size)
		return -FDT_ERR_INTERNAL; /* every caller's buffer fits its longest name */
	memcpy(out, prefix, len);
	out[len++] = '@';
	while (nd > 0)
		out[len++] = digits[--nd];
	out[len] = '\0';
	return 0;
}

static int prop_str(void *fdt, const char *name, const char *str)
{
	return fdt_property(fdt, name, str, (int)(strlen(str) + 1));
}

static int prop_cells(void *fdt, const char *name, const struct cells *c)
{
	return fdt_property(fdt, name, c->c, c->n * (int)sizeof(fdt32_t));
}

/* Two strings as one string-list property ("a\0b\0"). */
static int prop_strings2(void *fdt, const char *name, const char *a, const char *b)
{
	char buf[64];
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;

	if (la + lb > sizeof(buf))
		return -FDT_ERR_INTERNAL; /* the callers' strings are constants that fit */
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	return fdt_property(fdt, name, buf, (int)(la + lb));
}

static int add_reg_node(void *fdt, const char *prefix, u64 base,
			int (*body)(void *, const struct guest_dtb_desc *),
			const struct guest_dtb_desc *d)
{
	char name[48];
	int err = unit_name(name, sizeof(name), prefix, base);

	if (err == 0)
		err = fdt_begin_node(fdt, name);
	if (err == 0)
		err = body(fdt, d);
	if (err == 0)
		err = fdt_end_node(fdt);
	return err;
}

static int memory_body(void *fdt, const struct guest_dtb_desc *d)
{
	struct cells reg = {0};
	int err = prop_str(fdt, "device_type", "memory");

	put64(&reg, d->ram_base);
	put64(&reg, d->ram_size);
	return err != 0 ? err : prop_cells(fdt, "reg", &reg);
}

static int add_cpus(void *fdt, u32 nr_vcpus)
{
	int err = fdt_begin_node(fdt, "cpus");

	if (err == 0)
		err = fdt_property_cell(fdt, "#address-cells", 1);
	if (err == 0)
		err = fdt_property_cell(fdt, "#size-cells", 0);
	for (u32 i = 0; i < nr_vcpus && err == 0; i++) {
		char name[16];

		err = unit_name(name, sizeof(name), "cpu", i);
		if (err == 0)
			err = fdt_begin_node(fdt, name);
		if (err == 0)
			err = prop_str(fdt, "device_type", "cpu");
		if (err == 0)
			err = prop_str(fdt, "compatible", "arm,armv8");
		if (err == 0)
			err = fdt_property_cell(fdt, "reg", i);
		if (err == 0)
			err = prop_str(fdt, "enable-method", "psci");
		if (err == 0)
			err = fdt_end_node(fdt);
	}
	return err != 0 ? err : fdt_end_node(fdt);
}

static int add_psci(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	int err = fdt_begin_node(fdt, "psci");

	if (err == 0)
		err = fdt_property(fdt, "compatible", compat, sizeof(compat));
	if (err == 0)
		err = prop_str(fdt, "method", "hvc");
	return err != 0 ? err : fdt_end_node(fdt);
}

static int gic_body(void *fdt, const struct guest_dtb_desc *d)
{
	struct cells reg = {0};
	int err = prop_str(fdt, "compatible", "arm,gic-v3");

	put64(&reg, KCORE_GUEST_GICD_BASE);
	put64(&reg, VGIC_GICD_SIZE);
	put64(&reg, KCORE_GUEST_GICR_BASE);
	put64(&reg, VGIC_GICR_STRIDE * d->nr_vcpus);
	if (err == 0)
		err = prop_cells(fdt, "reg", &reg);
	if (err == 0)
		err = fdt_property_cell(fdt, "#interrupt-cells", 3);
	if (err == 0)
		err = fdt_property_cell(fdt, "#address-cells", 0);
	if (err == 0)
		err = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (err == 0)
		err = fdt_property_cell(fdt, "#redistributor-regions", 1);
	if (err == 0)
		err = fdt_property_cell(fdt, "phandle", GUEST_PHANDLE_GIC);
	return err;
}

static int add_timer(void *fdt)
{
	struct cells irqs = {0};
	int err = fdt_begin_node(fdt, "timer");

	for (u32 i = 0; i < sizeof(timer_ppis) / sizeof(timer_ppis[0]); i++) {
		put(&irqs, IRQ_PPI);
		put(&irqs, timer_ppis[i]);
		put(&irqs, IRQ_LEVEL_HIGH);
	}
	if (err == 0)
		err = prop_str(fdt, "compatible", "arm,armv8-timer");
	if (err == 0)
		err = prop_cells(fdt, "interrupts", &irqs);
	return err != 0 ? err : fdt_end_node(fdt);
}

static int add_clock(void *fdt)
{
	int err = fdt_begin_node(fdt, "apb-pclk");

	if (err == 0)
		err = prop_str(fdt, "compatible", "fixed-clock");
	if (err == 0)
		err = fdt_property_cell(fdt, "#clock-cells", 0);
	if (err == 0)
		err = fdt_property_cell(fdt, "clock-frequency", UART_CLOCK_HZ);
	if (err == 0)
		err = prop_str(fdt, "clock-output-names", "clk24mhz");
	if (err == 0)
		err = fdt_property_cell(fdt, "phandle", GUEST_PHANDLE_CLOCK);
	return err != 0 ? err : fdt_end_node(fdt);
}

static int uart_body(void *fdt, const struct guest_dtb_desc *d)
{
	struct cells reg = {0}, irq = {0}, clocks = {0};
	int err;

	(void)d;
	put64(&reg, KCORE_GUEST_UART_BASE);
	put64(&reg, VUART_SIZE);
	put(&irq, IRQ_SPI);
	put(&irq, UART_SPI);
	put(&irq, IRQ_LEVEL_HIGH);
	put(&clocks, GUEST_PHANDLE_CLOCK);
	put(&clocks, GUEST_PHANDLE_CLOCK);
	err = prop_strings2(fdt, "compatible", "arm,pl011", "arm,primecell");
	if (err == 0)
		err = prop_cells(fdt, "reg", &reg);
	if (err == 0)
		err = prop_cells(fdt, "interrupts", &irq);
	if (err == 0)
		err = prop_cells(fdt, "clocks", &clocks);
	if (err == 0)
		err = prop_strings2(fdt, "clock-names", "uartclk", "apb_pclk");
	return err;
}

/* virtio-mmio device i: its window, its SPI as an edge (the VMM makes it pending), coherent. */
static int add_virtio(void *fdt, u32 i)
{
	struct cells reg = {0}, irq = {0};
	char name[32];
	int err = unit_name(name, sizeof(name), "virtio_mmio", guest_virtio_base(i));

	put64(&reg, guest_virtio_base(i));
	put64(&reg, GUEST_VIRTIO_STRIDE);
	put(&irq, IRQ_SPI);
	put(&irq, GUEST_VIRTIO_SPI + i);
	put(&irq, IRQ_EDGE_RISING);
	if (err == 0)
		err = fdt_begin_node(fdt, name);
	if (err == 0)
		err = prop_str(fdt, "compatible", "virtio,mmio");
	if (err == 0)
		err = prop_cells(fdt, "reg", &reg);
	if (err == 0)
		err = prop_cells(fdt, "interrupts", &irq);
	/* The guest's buffers need no cache maintenance: the host reads them cacheable too. */
	if (err == 0)
		err = fdt_property(fdt, "dma-coherent", NULL, 0);
	return err != 0 ? err : fdt_end_node(fdt);
}

static int add_chosen(void *fdt, const struct guest_dtb_desc *d)
{
	char stdout_path[32];
	int err = fdt_begin_node(fdt, "chosen");

	if (err == 0)
		err = prop_str(fdt, "bootargs", d->bootargs);
	if (err == 0)
		err = unit_name(stdout_path, sizeof(stdout_path), "/pl011", KCORE_GUEST_UART_BASE);
	if (err == 0)
		err = prop_str(fdt, "stdout-path", stdout_path);
	if (err == 0 && d->initrd_start != 0) {
		err = fdt_property_u64(fdt, "linux,initrd-start", d->initrd_start);
		if (err == 0)
			err = fdt_property_u64(fdt, "linux,initrd-end", d->initrd_end);
	}
	return err != 0 ? err : fdt_end_node(fdt);
}

static int write_tree(void *fdt, const struct guest_dtb_desc *d)
{
	int err = fdt_begin_node(fdt, "");

	if (err == 0)
		err = prop_str(fdt, "compatible", "linux,dummy-virt");
	if (err == 0)
		err = prop_str(fdt, "model", "kcore guest");
	if (err == 0)
		err = fdt_property_cell(fdt, "#address-cells", 2);
	if (err == 0)
		err = fdt_property_cell(fdt, "#size-cells", 2);
	if (err == 0)
		err = fdt_property_cell(fdt, "interrupt-parent", GUEST_PHANDLE_GIC);
	if (err == 0)
		err = add_chosen(fdt, d);
	if (err == 0)
		err = add_reg_node(fdt, "memory", d->ram_base, memory_body, d);
	if (err == 0)
		err = add_cpus(fdt, d->nr_vcpus);
	if (err == 0)
		err = add_psci(fdt);
	if (err == 0)
		err = add_reg_node(fdt, "intc", KCORE_GUEST_GICD_BASE, gic_body, d);
	if (err == 0)
		err = add_timer(fdt);
	if (err == 0)
		err = add_clock(fdt);
	if (err == 0)
		err = add_reg_node(fdt, "pl011", KCORE_GUEST_UART_BASE, uart_body, d);
	for (u32 i = 0; i < d->nr_virtio && err == 0; i++)
		err = add_virtio(fdt, i);
	return err != 0 ? err : fdt_end_node(fdt);
}

/* Whether d can be described at all; if not, *why says what is wrong. */
static enum guest_dtb_err check_desc(const void *buf, u32 size, const struct guest_dtb_desc *d,
				     const char **why)
{
	*why = NULL;
	if (d->nr_vcpus == 0 || d->nr_vcpus > GUEST_DTB_MAX_VCPUS) {
		*why = "vCPU count out of range";
		return GUEST_DTB_E_VCPUS;
	}
	if (buf == NULL || size > (u32)INT32_MAX) /* libfdt takes the size as an int */
		*why = "no buffer";
	else if (d->bootargs == NULL)
		*why = "no bootargs";
	else if (d->ram_size == 0 || d->ram_base + d->ram_size < d->ram_base)
		*why = "empty or wrapping RAM";
	else if (d->initrd_start != 0 && d->initrd_end < d->initrd_start)
		*why = "initrd ends before it starts";
	else if (d->nr_virtio > GUEST_VIRTIO_MAX)
		*why = "more virtio devices than their windows";
	return *why != NULL ? GUEST_DTB_E_ARGS : GUEST_DTB_OK;
}

enum guest_dtb_err guest_dtb_write(void *buf, u32 size, const struct guest_dtb_desc *d)
{
	const char *why;
	enum guest_dtb_err bad = check_desc(buf, size, d, &why);
	int err;

	if (bad != GUEST_DTB_OK) {
		vmm_log("VM %s: writing its DTB: %s (%u vCPUs)", d->name, why, d->nr_vcpus);
		return bad;
	}
	err = fdt_create(buf, (int)size);
	if (err == 0)
		err = fdt_finish_reservemap(buf);
	if (err == 0)
		err = write_tree(buf, d);
	if (err == 0)
		err = fdt_finish(buf);
	if (err == 0)
		return GUEST_DTB_OK;
	vmm_log("VM %s: writing its DTB: %s", d->name, fdt_strerror(err));
	return err == -FDT_ERR_NOSPACE ? GUEST_DTB_E_NOSPACE : GUEST_DTB_E_FDT;
}
