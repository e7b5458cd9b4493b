/* SPDX-License-Identifier: MIT */
/*
 * The guest library: what a small bare-metal kcore guest needs (docs/guests.md),
 * on the EL1 library (el1/) it shares with kserv.
 *
 * A guest defines guest_name[] and guest_main(); it may define
 * guest_secondary_main() for the vCPUs it starts. The library brings every
 * vCPU up (start.S), writes to the PL011 the host emulates, makes guest calls
 * and PSCI calls over HVC, survives the aborts it asks for (probes), reads
 * the DTB the host passes, and reports any other exception before powering
 * the VM off.
 */
#ifndef GUEST_H
#define GUEST_H

#include <kcore/psci.h>
#include <stdarg.h>
#include <string.h>

#include "el1/esr.h"
#include "el1/probe.h"
#include "el1/smccc.h"
#include "el1/sysreg.h"
#include "el1/types.h"
#include "layout.h"

/* ---- what each guest provides ------------------------------------------- */

/* Printed in every line the guest writes: "GUEST <guest_name>: ...". */
extern const char guest_name[];

/*
 * vCPU 0's work, with the DTB's address (0 if none). The VM is powered off
 * when it returns; it prints its own PASS or FAIL line.
 */
void guest_main(u64 dtb);

/* A secondary vCPU's work (PSCI CPU_ON, context = cpu); it parks on return. */
void guest_secondary_main(u32 cpu);

/* ---- the machine -------------------------------------------------------- */

extern char _image_start[], _image_end[]; /* guest.ld */
extern const char el1_secondary_entry[];  /* el1/start.S: CPU_ON's entry point */
/*
 * The virtual counter at vCPU 0's second instruction (the first is the Image
 * header's branch), read by start.S before anything else: with QEMU -icount,
 * the guest's first instruction to within a tick (docs/bench/README.md).
 */
extern u64 guest_entry_cntvct;

static inline u64 image_start(void)
{
	return (u64)(uintptr_t)_image_start;
}

static inline u64 image_end(void)
{
	return (u64)(uintptr_t)_image_end;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)(uintptr_t)addr = v;
}

static inline u64 read64(u64 addr)
{
	return *(volatile u64 *)(uintptr_t)addr;
}

static inline void write64(u64 addr, u64 v)
{
	*(volatile u64 *)(uintptr_t)addr = v;
}

_Noreturn void el1_park(void); /* el1/start.S: wfi forever */

/* ---- console (uart.c): the PL011 at KCORE_GUEST_UART_BASE ----------------- */

void uart_putc(char c);
void uart_puts(const char *s);
__attribute__((format(printf, 1, 0))) void uart_vprintf(const char *fmt, va_list ap);

/* One whole line, "GUEST <name>: <text>\n", never interleaved with another vCPU's. */
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);

/* ---- counted checks (expect.c) --------------------------------------------- */

bool expect_ok(bool ok);			  /* one check: counted, failed unless ok */
void expect(const char *what, s64 got, s64 want); /* one check, said: "what: got, as expected" */
void expect_verdict(void);			  /* "PASS n checks" or "FAIL f of n checks" */
/* A page to share: msg, then byte i = i * mul + add, so the host's checksum sees every byte. */
void fill_page(u8 *page, const char *msg, u32 mul, u32 add);
/* Two checks: the host reads the page (KC_TEST_READ_SHARED) and its checksum is the guest's. */
void expect_host_reads(const u8 *page);

/* ---- calls (hvc.c) -------------------------------------------------------- */

/*
 * Every call goes through smccc_hvc (el1/smccc.h): x0..x7 loaded from its
 * struct smccc_regs, HVC #0, x0..x7 stored back. Without EL2 (plain QEMU),
 * HVC #0 is UNDEFINED: the exception handler then makes any "hvc #0" return
 * NOT_SUPPORTED (-1), so a guest can run there too.
 */

/* The SMCCC view of a call: x0 (status, signed) and the results x1..x3. */
struct hvc_res {
	s64 x0;
	u64 x1, x2, x3;
};

struct hvc_res hvc_call(u64 fid, u64 a1, u64 a2, u64 a3);

_Noreturn void psci_system_off(void);
s64 psci_cpu_on(u64 mpidr, u64 entry, u64 context);

/* ---- exceptions (exceptions.c) and probes (el1/probe.h) ---------------------- */

/* Every exception any vCPU took, probes included. */
u64 guest_exceptions(void);

/* A guest that takes interrupts sets this; IRQs arrive unexpected otherwise. */
extern void (*guest_irq_handler)(void);

/*
 * A guest that expects synchronous exceptions of its own (debug exceptions,
 * BRK) sets this: it returns true if it handled the one in *f (it may change
 * f->elr, f->spsr and f->x[]), false for the usual handling.
 */
struct exc_frame;
extern bool (*guest_sync_handler)(struct exc_frame *f);

/*
 * The probes (probe_read64, probe_write64, probe_sve, probe_undef, ...) are
 * the EL1 library's: an aborted probe is counted, recorded and, unless this
 * vCPU's probes are quiet, reported by exceptions.c.
 */

/* ---- the DTB (fdt.c): the little a guest reads from it ---------------------- */

bool fdt_valid(u64 dtb);
bool fdt_memory(u64 dtb, u64 *base, u64 *size);		  /* the first /memory node's first range */
u32 fdt_cpus(u64 dtb, u64 *mpidr, u32 max);		  /* /cpus/cpu@*: count, and their reg */
const char *fdt_bootargs(u64 dtb);			  /* /chosen/bootargs, or "" */
bool fdt_chosen_u64(u64 dtb, const char *prop, u64 *val); /* a /chosen number (1 or 2 cells) */
bool bootarg_u64(const char *args, const char *key, u64 *val); /* "key=N" (decimal or 0x) */
/* Nodes one of whose "compatible" strings contains needle ("pmu", "gic-v3-its", ...). */
u32 fdt_count_compatible(u64 dtb, const char *needle);

#endif /* GUEST_H */
