/* SPDX-License-Identifier: MIT */
/*
 * The guest library: what a small bare-metal kcore guest needs (docs/guests.md).
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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

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

extern char _image_start[], _image_end[];  /* guest.ld */
extern const char guest_secondary_entry[]; /* start.S: CPU_ON's entry point */
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

static inline u32 this_cpu(void)
{
	u64 v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return (u32)v;
}

static inline u64 read_mpidr(void)
{
	u64 v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v;
}

static inline u64 read_cntvct(void)
{
	u64 v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline u64 read_cntfrq(void)
{
	u64 v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static inline u64 align_up(u64 v, u64 a)
{
	return (v + a - 1) & ~(a - 1);
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

_Noreturn void guest_park(void); /* start.S: wfi forever */

/* ---- console (uart.c): the PL011 at KCORE_GUEST_UART_BASE ----------------- */

void uart_putc(char c);
void uart_puts(const char *s);
__attribute__((format(printf, 1, 0))) void uart_vprintf(const char *fmt, va_list ap);

/* One whole line, "GUEST <name>: <text>\n", never interleaved with another vCPU's. */
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);

/* ---- calls (hvc.c) -------------------------------------------------------- */

struct hvc_regs {
	u64 x[8];
};

/*
 * start.S: loads x0..x7 from r, HVC #0, stores x0..x7 back. Without EL2
 * (plain QEMU), HVC #0 is UNDEFINED: the exception handler then makes any
 * "hvc #0" return NOT_SUPPORTED (-1), so a guest can run there too.
 */
void guest_hvc(struct hvc_regs *r);

/* The SMCCC view of a call: x0 (status, signed) and the results x1..x3. */
struct hvc_res {
	s64 x0;
	u64 x1, x2, x3;
};

struct hvc_res hvc_call(u64 fid, u64 a1, u64 a2, u64 a3);

_Noreturn void psci_system_off(void);
s64 psci_cpu_on(u64 mpidr, u64 entry, u64 context);

/* ---- exceptions (exceptions.c) and probes (probe.c) -------------------------- */

#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define ESR_EC_UNKNOWN	0x00
#define ESR_EC_DABT_CUR 0x25

/* Every exception any vCPU took, probes included. */
u64 guest_exceptions(void);

/* A guest that takes interrupts sets this; IRQs arrive unexpected otherwise. */
extern void (*guest_irq_handler)(void);

struct probe_abort {
	u64 esr;
	u64 far;
};

/*
 * A 64-bit read or write of ipa that may abort: true if it completed, false
 * if it took a data abort (the abort is counted, recorded and, unless quiet,
 * reported).
 */
bool probe_read64(u64 ipa, u64 *val);
bool probe_write64(u64 ipa, u64 val);
/* An SVE instruction (RDVL): true and the vector length if it ran, false if it was undefined. */
bool probe_sve(u64 *vector_bytes);
/*
 * Runs fn(val), in which one system register access may be refused: an
 * undefined instruction (or an FP/SVE/SME access trap) there is skipped.
 * True if none was taken.
 */
bool probe_undef(void (*fn)(u64 *), u64 *val);
struct probe_abort probe_last_abort(void);
/* Quiet: this vCPU's probe aborts are not reported (the caller reports them). */
void probe_set_quiet(bool quiet);

/* ---- the DTB (fdt.c): the little a guest reads from it ---------------------- */

bool fdt_valid(u64 dtb);
bool fdt_memory(u64 dtb, u64 *base, u64 *size);		  /* the first /memory node's first range */
u32 fdt_cpus(u64 dtb, u64 *mpidr, u32 max);		  /* /cpus/cpu@*: count, and their reg */
const char *fdt_bootargs(u64 dtb);			  /* /chosen/bootargs, or "" */
bool fdt_chosen_u64(u64 dtb, const char *prop, u64 *val); /* a /chosen number (1 or 2 cells) */
bool bootarg_u64(const char *args, const char *key, u64 *val); /* "key=N" (decimal or 0x) */

/* ---- string.c: what the compiler may call -------------------------------------- */

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
size_t strlen(const char *s);

#endif /* GUEST_H */
