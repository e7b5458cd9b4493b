/* SPDX-License-Identifier: MIT */
#include "vmmio.h"

#include "console.h"
#include "vmm/hooks.h"

#define UART_SIZE     0x1000ull
#define UART_DR	      0x000u
#define UART_FR	      0x018u
#define UART_FR_RXFE  (1u << 4)
#define UART_FR_TXFE  (1u << 7)
#define UART_PERIPHID 0xfe0u /* PeriphID0..3, then PCellID0..3, one byte per word */

#define GICD_SIZE	0x10000ull
#define GICR_STRIDE	0x20000ull
#define GIC_IIDR_ARM	0x0000043bu
#define GIC_PIDR2	0xffe8u
#define GIC_PIDR2_V3	0x30u
#define GICD_CTLR	0x0000u
#define GICD_TYPER	0x0004u
#define GICD_IIDR	0x0008u
#define GICD_CTLR_MASK	0x00000037u /* EnableGrp0/1NS/1S, ARE_S, ARE_NS */
/* 64 INTIDs (ITLinesNumber = 1), 10 interrupt ID bits. */
#define GICD_TYPER_VAL	((9u << 19) | 1u)
#define GICR_IIDR	0x0004u
#define GICR_TYPER	0x0008u
#define GICR_WAKER	0x0014u
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_WAKER_PS	(1u << 1) /* ProcessorSleep */
#define GICR_WAKER_CA	(1u << 2) /* ChildrenAsleep */

static const u8 pl011_ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static void uart_emit_line(struct guest *g)
{
	g->uart.line[g->uart.len] = '\0';
	kprintf("[%s] %s\n", g->name, g->uart.line);
	vmm_hooks_console_line(g, g->uart.line);
	g->uart.len = 0;
}

static void uart_putc(struct guest *g, char c)
{
	ticket_lock(&g->lock);
	if (c == '\n') {
		uart_emit_line(g);
	} else if (c != '\r') {
		/* Anything unprintable shows as '?': a guest must not drive the host's terminal. */
		g->uart.line[g->uart.len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
		if (g->uart.len == GUEST_UART_LINE - 1)
			uart_emit_line(g);
	}
	ticket_unlock(&g->lock);
}

void vmmio_uart_flush(struct guest *g)
{
	ticket_lock(&g->lock);
	if (g->uart.len > 0)
		uart_emit_line(g);
	ticket_unlock(&g->lock);
}

static u64 uart_access(struct guest *g, u64 off, bool write, u64 value)
{
	if (write) {
		if (off == UART_DR)
			uart_putc(g, (char)(value & 0xff));
		return 0;
	}
	if (off == UART_FR)
		return UART_FR_TXFE | UART_FR_RXFE;
	if (off >= UART_PERIPHID && off < UART_PERIPHID + 0x20 && (off & 3) == 0)
		return pl011_ids[(off - UART_PERIPHID) / 4];
	return 0;
}

static u64 gicd_access(struct guest *g, u64 off, bool write, u64 value)
{
	if (write) {
		if (off == GICD_CTLR)
			g->gic.gicd_ctlr = (u32)value & GICD_CTLR_MASK;
		return 0;
	}
	switch (off) {
	case GICD_CTLR:
		return g->gic.gicd_ctlr; /* RWP (bit 31) is never set: writes take effect at once */
	case GICD_TYPER:
		return GICD_TYPER_VAL;
	case GICD_IIDR:
		return GIC_IIDR_ARM;
	case GIC_PIDR2:
		return GIC_PIDR2_V3;
	default:
		return 0;
	}
}

static u64 gicr_access(struct guest *g, u32 cpu, u64 off, u64 size, bool write, u64 value)
{
	u64 typer =
	    ((u64)cpu << 32) | ((u64)cpu << 8) | (cpu + 1 == g->nr_vcpus ? GICR_TYPER_LAST : 0);

	if (write) {
		if (off == GICR_WAKER) {
			u32 ps = (u32)value & GICR_WAKER_PS;

			/* The redistributor sleeps or wakes at once. */
			g->gic.gicr_waker[cpu] = ps | (ps != 0 ? GICR_WAKER_CA : 0);
		}
		return 0;
	}
	switch (off) {
	case GICR_IIDR:
		return GIC_IIDR_ARM;
	case GICR_TYPER:
		return size == 8 ? typer : (u32)typer;
	case GICR_TYPER + 4:
		return typer >> 32;
	case GICR_WAKER:
		return g->gic.gicr_waker[cpu];
	case GIC_PIDR2:
		return GIC_PIDR2_V3;
	default:
		return 0;
	}
}

/* The benchmark device (include/kcore/payload.h): one value to read, one register to write. */
static u64 bench_access(u64 off, bool write)
{
	if (!write && off == KCORE_GUEST_BENCH_READ)
		return KCORE_GUEST_BENCH_MAGIC;
	return 0; /* writes (the benchmark's at KCORE_GUEST_BENCH_WRITE) are ignored */
}

void vmmio_access(struct guest_vcpu *v, const struct kcore_vcpu_run *run)
{
	struct guest *g = v->g;
	u64 ipa = run->out.mmio.ipa, size = run->out.mmio.size, value = run->out.mmio.value;
	bool write = run->out.mmio.is_write != 0;
	u64 gicr_end = KCORE_GUEST_GICR_BASE + GICR_STRIDE * g->nr_vcpus;
	u64 result;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		v->next_flags = KC_RUN_MMIO_ABORT;
		return;
	}
	if (ipa >= KCORE_GUEST_BENCH_BASE &&
	    ipa - KCORE_GUEST_BENCH_BASE < KCORE_GUEST_BENCH_SIZE) {
		result = bench_access(ipa - KCORE_GUEST_BENCH_BASE, write);
	} else if (ipa >= KCORE_GUEST_UART_BASE && ipa - KCORE_GUEST_UART_BASE < UART_SIZE) {
		result = uart_access(g, ipa - KCORE_GUEST_UART_BASE, write, value);
	} else if (ipa >= KCORE_GUEST_GICD_BASE && ipa - KCORE_GUEST_GICD_BASE < GICD_SIZE) {
		result = gicd_access(g, ipa - KCORE_GUEST_GICD_BASE, write, value);
	} else if (ipa >= KCORE_GUEST_GICR_BASE && ipa < gicr_end) {
		u64 off = ipa - KCORE_GUEST_GICR_BASE;

		result =
		    gicr_access(g, (u32)(off / GICR_STRIDE), off % GICR_STRIDE, size, write, value);
	} else {
		v->next_flags = KC_RUN_MMIO_ABORT;
		return;
	}
	/* Writes too: DONE is what makes kcore step the guest past the access. */
	v->next_flags = KC_RUN_MMIO_DONE;
	v->next_mmio_value = write ? 0 : result;
}
