/* SPDX-License-Identifier: MIT */
/*
 * The devices kserv emulates for a guest, reached through KC_EXIT_MMIO:
 *
 * - a PL011 at KCORE_GUEST_UART_BASE (4 KiB): writes to DR collect
 *   characters, and each complete line is printed as "[<name>] <text>"; FR
 *   reads TXFE|RXFE (never full, nothing received); the PrimeCell ID
 *   registers read as a PL011's; every other register reads 0, writes to
 *   them are ignored;
 * - the GICv3 the guest's DTB names: the distributor (64 KiB) and one
 *   redistributor (128 KiB) per vCPU. Only the identification registers,
 *   GICD_CTLR, GICR_TYPER and GICR_WAKER mean anything; the rest read as
 *   zero and ignore writes (interrupts reach the guest through kcore's
 *   virtual CPU interface, not through these registers);
 * - the benchmark device at KCORE_GUEST_BENCH_BASE (4 KiB, bench/): +0x0
 *   reads KCORE_GUEST_BENCH_MAGIC (0x1234), every other register reads 0,
 *   writes (the benchmark's at +0x8) are accepted and ignored.
 *
 * Any other address gets KC_RUN_MMIO_ABORT: the guest takes an external abort.
 * The PL011 and the GIC are vmm/'s models (vmm/vuart.h, vmm/vgic.h); here: the
 * address decode, the completion, and the printing of the guest's lines.
 */
#ifndef KSERV_VMMIO_H
#define KSERV_VMMIO_H

#include "guest.h"

/* Emulates the access the exit describes; sets v's completion for the next run. */
void vmmio_access(struct guest_vcpu *v, const struct kcore_vcpu_run *run);

/* Prints what is left of the guest's UART line (at teardown). */
void vmmio_uart_flush(struct guest *g);

#endif /* KSERV_VMMIO_H */
