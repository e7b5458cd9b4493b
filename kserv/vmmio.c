/* SPDX-License-Identifier: MIT */
#include "vmmio.h"

#include "console.h"
#include "vmm/hooks.h"
#include "vmm/vgic.h"
#include "vmm/vuart.h"

static void uart_emit_line(struct guest *g)
{
	kprintf("[%s] %s\n", g->name, g->uart.line);
	vmm_hooks_console_line(g, g->uart.line);
	vuart_line_taken(&g->uart);
}

static void uart_putc(struct guest *g, char c)
{
	guest_lock(g);
	if (vuart_putc(&g->uart, c))
		uart_emit_line(g);
	guest_unlock(g);
}

void vmmio_uart_flush(struct guest *g)
{
	guest_lock(g);
	if (vuart_flush(&g->uart))
		uart_emit_line(g);
	guest_unlock(g);
}

static u64 uart_access(struct guest *g, u64 off, bool write, u64 value)
{
	if (!write)
		return vuart_read(off);
	if (vuart_write_is_char(off))
		uart_putc(g, (char)(value & 0xff));
	return 0;
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
	u64 gicr_end = KCORE_GUEST_GICR_BASE + VGIC_GICR_STRIDE * g->nr_vcpus;
	u64 result;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		v->next_flags = KC_RUN_MMIO_ABORT;
		return;
	}
	if (ipa >= KCORE_GUEST_BENCH_BASE &&
	    ipa - KCORE_GUEST_BENCH_BASE < KCORE_GUEST_BENCH_SIZE) {
		result = bench_access(ipa - KCORE_GUEST_BENCH_BASE, write);
	} else if (ipa >= KCORE_GUEST_UART_BASE && ipa - KCORE_GUEST_UART_BASE < VUART_SIZE) {
		result = uart_access(g, ipa - KCORE_GUEST_UART_BASE, write, value);
	} else if (ipa >= KCORE_GUEST_GICD_BASE && ipa - KCORE_GUEST_GICD_BASE < VGIC_GICD_SIZE) {
		result = vgic_dist_access(&g->gic, ipa - KCORE_GUEST_GICD_BASE, size, write, value);
	} else if (ipa >= KCORE_GUEST_GICR_BASE && ipa < gicr_end) {
		u64 off = ipa - KCORE_GUEST_GICR_BASE;

		result = vgic_redist_access(&g->gic, g->nr_vcpus, (u32)(off / VGIC_GICR_STRIDE),
					    off % VGIC_GICR_STRIDE, size, write, value);
	} else {
		v->next_flags = KC_RUN_MMIO_ABORT;
		return;
	}
	/* Writes too: DONE is what makes kcore step the guest past the access. */
	v->next_flags = KC_RUN_MMIO_DONE;
	v->next_mmio_value = write ? 0 : result;
}
