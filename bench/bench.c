/* SPDX-License-Identifier: MIT */
/*
 * bench: the benchmark guest (docs/bench/README.md). One binary runs under
 * kcore + kserv and under Linux KVM / pKVM with the project's VMM; it times
 * N repetitions of each operation with the virtual counter, which under
 * QEMU -icount shift=0 advances one tick per 16 instructions executed
 * (guest, hypervisor and host alike), and prints, on the PL011 only:
 *
 *   BENCH platform=<kcore|kvm>
 *   BENCH first_insn cntvct=<V> cntvoff=<O>   the counter at its first instruction
 *   BENCH op=<name> reps=<N> ticks=<T>        one line per operation
 *   BENCH done
 *
 * then powers off (PSCI SYSTEM_OFF). A check that fails prints
 * "BENCH error op=<name> <what>" and powers off without "BENCH done".
 *
 * It needs nothing from the DTB (x0 may be 0): RAM at 0x80000000 (64 MiB at
 * least), the UART, the GICv3 at kcore's guest addresses, the bench device
 * at KCORE_GUEST_BENCH_BASE, and 2 vCPUs. vCPU 1 is started (PSCI CPU_ON)
 * only for the last operation, ipi, so it cannot disturb the others.
 */
#include <kcore/guest_tests.h>
#include <kcore/payload.h>
#include <kcore/psci.h>

#include "lib/guest.h"

const char guest_name[] = "bench";

#define KC_GC_VERSION_FID 0xC6000040u /* kcore: answered inside kcore (x0 = 0) */

/* Repetitions and warm-ups (not timed) per operation. */
#define REPS_CALL  1000u
#define REPS_MMIO  1000u
#define REPS_S2	   256u
#define REPS_IPI   100u
#define WARMUP	   10u
#define WARMUP_IPI 3u

/* s2_fault: pages in the top half of a 64 MiB RAM, which nothing else touches. */
#define S2_REGION 0x82000000ull
#define PAGE	  4096ull

/* ipi: SGI 1 from vCPU 0 to vCPU 1. */
#define IPI_SGI		1u
#define IPI_VCPU	1u
#define GICD_CTLR	0x0000u
#define GICD_CTLR_VAL	0x13u /* ARE_NS, EnableGrp1A, EnableGrp1 (what Linux writes) */
#define GICR_STRIDE	0x20000ull
#define GICR_WAKER	0x0014u
#define GICR_SGI_BASE	0x10000u
#define GICR_IGROUPR0	0x0080u
#define GICR_ISENABLER0 0x0100u
#define WAIT_SECONDS	2u /* for one IPI round trip, or vCPU 1 to come up */

static bool on_kcore;
static volatile u32 ipi_acked;	 /* vCPU 1's interrupt handler counts SGI 1 here */
static volatile u32 ipi_other;	 /* ... and anything else it was not sent */
static volatile u32 vcpu1_ready; /* vCPU 1 has set up its GIC and waits */

__attribute__((format(printf, 1, 2))) static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uart_vprintf(fmt, ap);
	va_end(ap);
	uart_putc('\n');
}

/*
 * The physical counter minus the virtual one, as this vCPU sees them: what
 * the hypervisor put in CNTVOFF_EL2 (kcore: 0; KVM 6.1: the host's counter
 * when the vCPU was created). Exact: read where both counters stand on one
 * tick (the two virtual reads on either side agree).
 */
static u64 counter_offset(void)
{
	for (;;) {
		u64 v0, p, v1;

		__asm__ volatile("isb\n\tmrs %0, cntvct_el0\n\tmrs %1, cntpct_el0\n\t"
				 "mrs %2, cntvct_el0\n\tisb"
				 : "=r"(v0), "=r"(p), "=r"(v1)
				 :
				 : "memory");
		if (v0 == v1)
			return p - v0;
	}
}

/* One SMCCC call with no arguments: x0 only; the callee may clobber x1..x17. */
static inline s64 hvc0(u64 fid)
{
	register u64 x0 __asm__("x0") = fid;

	__asm__ volatile("hvc #0"
			 : "+r"(x0)
			 :
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return (s64)x0;
}

static inline u32 read32(u64 addr)
{
	return *(volatile u32 *)(uintptr_t)addr;
}

static _Noreturn void fail(const char *op, const char *what, u64 value)
{
	out("BENCH error op=%s %s (0x%lx)", op, what, value);
	psci_system_off();
}

static void report(const char *op, u32 reps, u64 t)
{
	out("BENCH op=%s reps=%u ticks=%lu", op, reps, t);
}

/* ---- calls ------------------------------------------------------------------------ */

/* The timed loops are functions of their own, so a trace (bench/profile.sh) can tell them apart. */
static __attribute__((noinline)) u64 call_loop(u64 fid, u32 n, u32 *bad)
{
	u32 b = 0;
	u64 t0 = read_cntvct_fenced();

	for (u32 i = 0; i < n; i++)
		b += hvc0(fid) < 0; /* NOT_SUPPORTED (-1): nobody answered it */
	*bad += b;
	return read_cntvct_fenced() - t0;
}

static void time_call(const char *op, u64 fid)
{
	u32 bad = 0;
	u64 t;

	call_loop(fid, WARMUP, &bad);
	t = call_loop(fid, REPS_CALL, &bad);
	if (bad != 0)
		fail(op, "call refused", fid);
	report(op, REPS_CALL, t);
}

/* ---- the bench device ---------------------------------------------------------------- */

static __attribute__((noinline)) u64 mmio_read_loop(u32 n, u32 *bad)
{
	u32 b = 0;
	u64 t0 = read_cntvct_fenced();

	for (u32 i = 0; i < n; i++)
		b += read32(KCORE_GUEST_BENCH_BASE + KCORE_GUEST_BENCH_READ) !=
		     KCORE_GUEST_BENCH_MAGIC;
	*bad += b;
	return read_cntvct_fenced() - t0;
}

static __attribute__((noinline)) u64 mmio_write_loop(u32 n)
{
	u64 t0 = read_cntvct_fenced();

	for (u32 i = 0; i < n; i++)
		mmio_write32(KCORE_GUEST_BENCH_BASE + KCORE_GUEST_BENCH_WRITE, i);
	return read_cntvct_fenced() - t0;
}

static void time_mmio_read(void)
{
	u32 bad = 0;
	u64 t;

	mmio_read_loop(WARMUP, &bad);
	t = mmio_read_loop(REPS_MMIO, &bad);
	if (bad != 0)
		fail("mmio_read", "reads that did not return 0x1234", bad);
	report("mmio_read", REPS_MMIO, t);
}

static void time_exit_entry(void)
{
	u64 t;

	mmio_write_loop(WARMUP);
	t = mmio_write_loop(REPS_MMIO);
	report("exit_entry", REPS_MMIO, t);
}

/* ---- first touch of fresh RAM -------------------------------------------------------- */

static __attribute__((noinline)) u64 s2_fault_loop(u32 n)
{
	u64 t0 = read_cntvct_fenced();

	for (u64 i = 0; i < n; i++)
		write64(S2_REGION + i * PAGE, i + 1);
	return read_cntvct_fenced() - t0;
}

static void time_s2_fault(void)
{
	u64 t = s2_fault_loop(REPS_S2);

	for (u64 i = 0; i < REPS_S2; i++) {
		if (read64(S2_REGION + i * PAGE) != i + 1)
			fail("s2_fault", "a page did not keep its word", S2_REGION + i * PAGE);
	}
	report("s2_fault", REPS_S2, t);
}

/* ---- IPIs between vCPU 0 and vCPU 1 -------------------------------------------------- */

static void ipi_handler(void)
{
	u64 iar;

	__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
	if ((iar & 0xffffff) == IPI_SGI)
		ipi_acked = ipi_acked + 1;
	else if ((iar & 0xffffff) < 1020)
		ipi_other = ipi_other + 1;
	if ((iar & 0xffffff) < 1020)
		__asm__ volatile("msr S3_0_C12_C12_1, %0\n\tisb" : : "r"(iar)); /* ICC_EOIR1_EL1 */
}

/* vCPU 1: its redistributor and CPU interface, then WFI with interrupts on, forever. */
void guest_secondary_main(u32 cpu)
{
	u64 rd = KCORE_GUEST_GICR_BASE + GICR_STRIDE * cpu, sre;

	if (cpu != IPI_VCPU)
		return;
	mmio_write32(rd + GICR_WAKER, 0); /* ProcessorSleep = 0 */
	mmio_write32(rd + GICR_SGI_BASE + GICR_IGROUPR0, 1u << IPI_SGI);
	mmio_write32(rd + GICR_SGI_BASE + GICR_ISENABLER0, 1u << IPI_SGI);
	__asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre)); /* ICC_SRE_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_5, %0\n\tisb" : : "r"(sre | 1));
	__asm__ volatile("msr S3_0_C4_C6_0, %0\n\t"   /* ICC_PMR_EL1 */
			 "msr S3_0_C12_C12_7, %1\n\t" /* ICC_IGRPEN1_EL1 */
			 "isb"
			 :
			 : "r"(0xffull), "r"(1ull));
	__atomic_store_n(&vcpu1_ready, 1, __ATOMIC_RELEASE);
	__asm__ volatile("msr daifclr, #2");
	for (;;)
		__asm__ volatile("wfi");
}

static inline void send_sgi(void)
{
	/* ICC_SGI1R_EL1: INTID [27:24], Aff1..3 = 0, TargetList bit = vCPU 1's Aff0. */
	u64 v = ((u64)IPI_SGI << 24) | (1ull << IPI_VCPU);

	__asm__ volatile("dsb ish\n\tmsr S3_0_C12_C11_5, %0\n\tisb" : : "r"(v) : "memory");
}

/* n round trips: SGI to vCPU 1, wait until its handler has counted it. */
static __attribute__((noinline)) u64 ipi_loop(u32 n)
{
	u64 limit = WAIT_SECONDS * read_cntfrq();
	u64 t0 = read_cntvct_fenced();

	for (u32 i = 0; i < n; i++) {
		u32 want = ipi_acked + 1;
		u64 start = read_cntvct_fenced();

		send_sgi();
		while (ipi_acked != want) {
			/*
			 * YIELD, as Linux's cpu_relax(): a hint no hypervisor traps, on which
			 * QEMU's round-robin TCG lets the other CPUs run at once. A bare spin
			 * would keep this CPU until its time slice ends (the next timer
			 * deadline), and the round trip would measure QEMU's slicing.
			 */
			__asm__ volatile("yield");
			if (read_cntvct_fenced() - start > limit)
				fail("ipi", "vCPU 1 did not take SGI 1; round trip", i);
		}
	}
	return read_cntvct_fenced() - t0;
}

static void time_ipi(void)
{
	u64 deadline, t;
	s64 r;

	guest_irq_handler = ipi_handler;
	mmio_write32(KCORE_GUEST_GICD_BASE + GICD_CTLR, GICD_CTLR_VAL);
	r = psci_cpu_on(IPI_VCPU, (u64)(uintptr_t)el1_secondary_entry, IPI_VCPU);
	if (r != PSCI_SUCCESS)
		fail("ipi", "PSCI CPU_ON of vCPU 1 failed", (u64)r);
	deadline = read_cntvct() + 5ull * WAIT_SECONDS * read_cntfrq();
	while (__atomic_load_n(&vcpu1_ready, __ATOMIC_ACQUIRE) == 0) {
		if (read_cntvct() > deadline)
			fail("ipi", "vCPU 1 did not come up", 0);
	}
	ipi_loop(WARMUP_IPI);
	t = ipi_loop(REPS_IPI);
	if (ipi_other != 0)
		fail("ipi", "vCPU 1 took other interrupts", ipi_other);
	report("ipi", REPS_IPI, t);
}

void guest_main(u64 dtb)
{
	(void)dtb;
	/* kcore answers its version call with x0 = 0; KVM knows no such call (-1). */
	on_kcore = hvc0(KC_GC_VERSION_FID) == 0;
	out("BENCH platform=%s", on_kcore ? "kcore" : "kvm");
	/* The host's counter at VM creation plus ticks to here: the boot cost (bench/bench.sh). */
	out("BENCH first_insn cntvct=%lu cntvoff=%lu", guest_entry_cntvct, counter_offset());

	time_call("hyp_call", on_kcore ? KC_GC_VERSION_FID : SMCCC_VERSION);
	time_call("psci_version", PSCI_VERSION);
	/* kcore: a call it forwards to kserv; KVM: PSCI_VERSION, which its host kernel answers. */
	time_call("host_call", on_kcore ? KC_BENCH_NOP : PSCI_VERSION);
	time_mmio_read();
	time_exit_entry();
	time_s2_fault();
	time_ipi();
	out("BENCH done");
}
