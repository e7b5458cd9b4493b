/* SPDX-License-Identifier: MIT */
#include "exit.h"

#include <kcore/guest_tests.h>
#include <kcore/payload.h>
#include <kcore/psci.h>

#include "backend.h"
#include "hooks.h"
#include "vgic.h"
#include "virtio_mmio.h"
#include "vuart.h"

/* A shared page is read in parts of this many words: the stack holds one part, not the page. */
#define SHARED_READ_WORDS 64u

const char *vmm_exit_reason_name(u64 reason)
{
	static const char *const names[] = {"?",	"MMIO",	 "MEM_FAULT", "GUEST_CALL",
					    "POWEROFF", "WFI",	 "IRQ",	      "VCPU_START",
					    "KICK",	"YIELD", "VCPU_OFF"};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "?";
}

/* ---- MMIO --------------------------------------------------------------------------------- */

/* Caller holds g's lock. */
static void uart_emit_line(struct guest *g)
{
	vmm_guest_line(g, g->uart.line);
	vmm_hooks_console_line(g, g->uart.line);
	vuart_line_taken(&g->uart);
}

static void uart_putc(struct guest *g, char c)
{
	vmm_vm_lock(g);
	if (vuart_putc(&g->uart, c))
		uart_emit_line(g);
	vmm_vm_unlock(g);
}

void vmm_uart_flush(struct guest *g)
{
	vmm_vm_lock(g);
	if (vuart_flush(&g->uart))
		uart_emit_line(g);
	vmm_vm_unlock(g);
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

/*
 * A virtio device's window (guest_layout.h): its transport, under g's lock
 * (a notify does the device's work there: a disk's I/O holds the lock).
 */
static u64 virtio_access(struct guest *g, u64 off, u32 size, bool write, u64 value)
{
	struct virtio_mmio *t = g->virtio[off / GUEST_VIRTIO_STRIDE];
	u64 result;

	vmm_vm_lock(g);
	result = virtio_mmio_access(t, off % GUEST_VIRTIO_STRIDE, size, write, value);
	vmm_vm_unlock(g);
	return result;
}

void vmm_exit_mmio(struct guest_vcpu *v, const struct kcore_vcpu_run *run)
{
	struct guest *g = v->g;
	u64 ipa = run->out.mmio.ipa, size = run->out.mmio.size, value = run->out.mmio.value;
	bool write = run->out.mmio.is_write != 0;
	u64 gicr_end = KCORE_GUEST_GICR_BASE + VGIC_GICR_STRIDE * g->nr_vcpus;
	u64 result;

	/* Counted before anything: a guest asks how many it made (KC_TEST_MMIO_EXITS). */
	__atomic_store_n(&g->mmio_last_ipa, ipa, __ATOMIC_RELAXED);
	__atomic_add_fetch(&g->mmio_exits, 1, __ATOMIC_RELAXED);
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
	} else if (ipa >= GUEST_VIRTIO_BASE &&
		   ipa - GUEST_VIRTIO_BASE < GUEST_VIRTIO_STRIDE * g->nr_virtio) {
		result = virtio_access(g, ipa - GUEST_VIRTIO_BASE, (u32)size, write, value);
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

/* ---- guest calls -------------------------------------------------------------------------- */

/*
 * The checksum of the page the guest shares at ipa into *sum; false if the
 * host gave no page there or it is not shared. Read in parts, each folded
 * in as it comes: a page that fails half way gives no checksum at all.
 */
static bool checksum_shared_page(struct guest *g, u64 ipa, u64 *sum)
{
	u64 pa, h = KC_TEST_CHECKSUM_START;
	bool ok = true;

	vmm_vm_lock(g);
	pa = gfn_map_lookup(&g->map, ipa);
	vmm_vm_unlock(g);
	if (pa == 0)
		return false;
	for (u64 off = 0; off < VMM_PAGE_SIZE && ok; off += 8ULL * SHARED_READ_WORDS) {
		u64 words[SHARED_READ_WORDS];

		ok = vmm_host_read_words(pa + off, words, SHARED_READ_WORDS);
		for (u32 i = 0; i < SHARED_READ_WORDS && ok; i++) {
			u8 bytes[8];

			for (u32 b = 0; b < 8; b++)
				bytes[b] = (u8)(words[i] >> (8 * b));
			h = kc_test_checksum_more(h, bytes, sizeof(bytes));
		}
	}
	vmm_hooks_shared_read(g, ipa, pa, ok);
	*sum = h;
	return ok;
}

/* Out of line: its frame (a part of the page) stays off the other calls' path (host_call). */
__attribute__((noinline)) static void read_shared(struct guest_vcpu *v, u64 ipa, u64 ret[4])
{
	struct guest *g = v->g;
	u64 sum = 0;

	if ((ipa & (VMM_PAGE_SIZE - 1)) != 0 || ipa < g->lay.ram_base ||
	    ipa - g->lay.ram_base >= g->lay.ram_size || !checksum_shared_page(g, ipa, &sum)) {
		vmm_log("VM %s: KC_TEST_READ_SHARED(0x%lx): not a page it shares with the host",
			g->name, ipa);
		ret[0] = (u64)(s64)KCORE_E_INVAL;
		return;
	}
	ret[0] = 0;
	ret[1] = sum;
	vmm_log("VM %s: read its shared page at IPA 0x%lx: checksum 0x%lx", g->name, ipa, sum);
}

void vmm_exit_guest_call(struct guest_vcpu *v, const struct kcore_vcpu_run *run)
{
	u64 ret[4] = {(u64)SMCCC_NOT_SUPPORTED, 0, 0, 0};

	switch (run->out.call.fid) {
	case KC_TEST_READ_SHARED:
		read_shared(v, run->out.call.args[0], ret);
		break;
	case KC_TEST_SNAPSHOT:
		ret[0] = vmm_snapshot_call(v);
		break;
	case KC_BENCH_NOP:
		/* kcore.ko answers these itself: under kcore-vmm none should come here. */
		__atomic_add_fetch(&v->g->null_calls, 1, __ATOMIC_RELAXED);
		ret[0] = 0;
		break;
	case KC_TEST_MMIO_EXITS:
		ret[0] = 0;
		ret[1] = __atomic_load_n(&v->g->mmio_exits, __ATOMIC_RELAXED);
		ret[2] = __atomic_load_n(&v->g->mmio_last_ipa, __ATOMIC_RELAXED);
		ret[3] = __atomic_load_n(&v->g->null_calls, __ATOMIC_RELAXED);
		break;
	default: {
		/* The test drivers' calls (KC_TEST_CHECKPOINT, KC_TEST_REGWORLD, ...); else -1. */
		u64 args[6];

		for (u32 i = 0; i < 6; i++)
			args[i] = run->out.call.args[i];
		vmm_hooks_guest_call(v, run->out.call.fid, args, ret);
		break;
	}
	}
	/* A hook may have asked for more than the call's completion (tests/kserv/vm_attacks.c). */
	v->next_flags |= KC_RUN_CALL_DONE;
	for (u32 i = 0; i < 4; i++)
		v->next_call_ret[i] = ret[i];
}

/* ---- the dispatcher's slow parts -------------------------------------------------------- */

void vmm_exit_reasons_disagree(struct guest_vcpu *v, u64 reason, const struct kcore_vcpu_run *run)
{
	vmm_log("VM %s: vCPU %u: exit reason %lu in x1, %llu in the run page", v->g->name, v->id,
		reason, run->out.reason);
	vmm_vm_fail(v->g, "kcore's two exit reasons disagree");
}

void vmm_exit_unknown(struct guest_vcpu *v, u64 reason)
{
	vmm_log("VM %s: vCPU %u: unknown exit reason %lu", v->g->name, v->id, reason);
	vmm_vm_fail(v->g, "kcore returned an unknown exit reason");
}
