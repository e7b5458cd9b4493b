/* SPDX-License-Identifier: MIT */
/*
 * debug: self-hosted debug inside a VM (issue 16, point 6). The guest arms
 * its own hardware breakpoint, watchpoint and single step and takes their
 * exceptions at its EL1, from EL1 itself (MDSCR_EL1.KDE set, PSTATE.D
 * clear): a breakpoint from the current EL is EC 0x31, a software step 0x33,
 * a watchpoint 0x35. It also checks the OS lock (OSLAR/OSLSR) and that every
 * breakpoint and watchpoint register ID_AA64DFR0_EL1 counts reads back what
 * it wrote.
 *
 * Run twice side by side on one CPU (kcore-run --cpus 1), the second with
 * bootargs "peer=1": the first ("main") keeps a breakpoint on target_fn and
 * a watchpoint on `watched` armed for a while and waits; the peer (the same
 * image, so the same addresses) arms every register with its own values,
 * all disabled, with MDSCR_EL1.MDE and KDE set and PSTATE.D clear, and
 * meanwhile calls target_fn and reads and writes `watched`: nothing may fire
 * in it, and each VM's registers must read back its own values only.
 */
#include "el1/exc_frame.h"
#include "lib/guest.h"

const char guest_name[] = "debug";

#define EC_BKPT_CUR  0x31u
#define EC_STEP_CUR  0x33u
#define EC_WATCH_CUR 0x35u
#define EC_BRK	     0x3cu

#define MDSCR_SS  (1ull << 0)
#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)
#define SPSR_SS	  (1ull << 21)
#define SPSR_D	  (1ull << 9)
/* DBGBCR: BAS 0b1111 [8:5], PMC 0b11 [2:1] (EL1 and EL0), E [0]. */
#define BCR_ARM	  ((0xfull << 5) | (3ull << 1) | 1ull)
/* DBGWCR: BAS 0xff [12:5], LSC 0b11 [4:3] (loads and stores), PAC 0b11 [2:1], E [0]. */
#define WCR_ARM	  ((0xffull << 5) | (3ull << 3) | (3ull << 1) | 1ull)

#define ROUNDS 40u

#define mrs(reg)                                              \
	({                                                    \
		u64 v_;                                       \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
		v_;                                           \
	})
#define msr(reg, v) __asm__ volatile("msr " #reg ", %0; isb" ::"r"((u64)(v)))

/*
 * The step region: a BRK starts the step (the handler sets MDSCR_EL1.SS
 * and SPSR.SS), then the six instructions up to step_region_end are
 * stepped one at a time. The MRS of an ID register traps to the
 * hypervisor, which emulates it: still exactly one step.
 */
__asm__(".text\n"
	".global step_region, step_region_end\n"
	"step_region:\n"
	"	brk	#0x17\n"
	"	mov	x9, #1\n"
	"	add	x9, x9, #2\n"
	"	mrs	x10, id_aa64pfr0_el1\n"
	"	add	x9, x9, x10\n"
	"	nop\n"
	"	nop\n"
	"step_region_end:\n"
	"	ret\n");
extern char step_region[], step_region_end[];
#define STEPS_EXPECTED 6u

static volatile u64 watched __attribute__((aligned(8)));
static volatile u32 bp_hits, wp_hits, steps, brks, wp_wnr;
static volatile u64 bp_elr, wp_far;
static u32 failures;

__attribute__((noinline)) static u64 target_fn(u64 x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}
static u64 (*volatile target)(u64) = target_fn;

static void check(bool ok, const char *what, u64 seen)
{
	if (ok) {
		say("%s: ok (0x%lx)", what, seen);
	} else {
		say("FAIL %s: 0x%lx", what, seen);
		failures++;
	}
}

/* Breakpoint/watchpoint n's registers (n < 16): one case each, the encodings are fixed. */
#define BP_CASE(n)                                  \
	case n:                                     \
		if (write) {                        \
			msr(S2_0_C0_C##n##_4, *vr); \
			msr(S2_0_C0_C##n##_5, *cr); \
		}                                   \
		*vr = mrs(S2_0_C0_C##n##_4);        \
		*cr = mrs(S2_0_C0_C##n##_5);        \
		break
#define WP_CASE(n)                                  \
	case n:                                     \
		if (write) {                        \
			msr(S2_0_C0_C##n##_6, *vr); \
			msr(S2_0_C0_C##n##_7, *cr); \
		}                                   \
		*vr = mrs(S2_0_C0_C##n##_6);        \
		*cr = mrs(S2_0_C0_C##n##_7);        \
		break
#define CASES(X) \
	X(0);    \
	X(1);    \
	X(2);    \
	X(3);    \
	X(4);    \
	X(5);    \
	X(6);    \
	X(7);    \
	X(8);    \
	X(9);    \
	X(10);   \
	X(11);   \
	X(12);   \
	X(13);   \
	X(14);   \
	X(15)

/* Writes (if write) then reads breakpoint n's value and control registers. */
static void bp_access(u32 n, bool write, u64 *vr, u64 *cr)
{
	switch (n) {
		CASES(BP_CASE);
	default:
		break;
	}
}

static void wp_access(u32 n, bool write, u64 *vr, u64 *cr)
{
	switch (n) {
		CASES(WP_CASE);
	default:
		break;
	}
}

static bool on_sync(struct exc_frame *f)
{
	u32 ec = (u32)((f->esr >> 26) & 0x3f);

	switch (ec) {
	case EC_BKPT_CUR:
		bp_hits++;
		bp_elr = f->elr;
		msr(S2_0_C0_C0_5, 0); /* DBGBCR0_EL1: disarmed, the instruction runs again */
		return true;
	case EC_WATCH_CUR:
		wp_hits++;
		wp_far = f->far;
		wp_wnr = (u32)((f->esr >> 6) & 1);
		msr(S2_0_C0_C0_7, 0); /* DBGWCR0_EL1: disarmed, the access runs again */
		return true;
	case EC_BRK:
		brks++;
		f->elr += 4;
		msr(mdscr_el1, mrs(mdscr_el1) | MDSCR_SS);
		f->spsr = (f->spsr | SPSR_SS) & ~SPSR_D;
		return true;
	case EC_STEP_CUR:
		steps++;
		if (f->elr == (u64)(uintptr_t)step_region_end || steps > 64) {
			msr(mdscr_el1, mrs(mdscr_el1) & ~MDSCR_SS);
			f->spsr &= ~SPSR_SS;
		} else {
			f->spsr |= SPSR_SS; /* step the next one too */
		}
		return true;
	default:
		return false;
	}
}

/* This VM's pattern for breakpoint/watchpoint n's value register (bits [48:3] only). */
static u64 pattern(u32 world, u32 n)
{
	return (0x0000123456780000ull ^ ((u64)world << 40) ^ ((u64)n << 8)) & 0x0000fffffffffff8ull;
}

/* Every breakpoint and watchpoint: written with this world's disabled values, read back. */
static void write_all(u32 world, u32 nbrp, u32 nwrp)
{
	for (u32 n = 0; n < nbrp; n++) {
		u64 vr = pattern(world, n), cr = (u64)world << 1; /* PMC, E clear */

		bp_access(n, true, &vr, &cr);
	}
	for (u32 n = 0; n < nwrp; n++) {
		u64 vr = pattern(world, n + 16), cr = (u64)world << 5; /* BAS, E clear */

		wp_access(n, true, &vr, &cr);
	}
}

static u32 check_all(u32 world, u32 nbrp, u32 nwrp, u32 skip_bp0)
{
	u32 bad = 0;

	for (u32 n = skip_bp0; n < nbrp; n++) {
		u64 vr = 0, cr = 0;

		bp_access(n, false, &vr, &cr);
		if (vr != pattern(world, n) || (cr & 0x7) != ((u64)world << 1)) {
			say("breakpoint %u holds 0x%lx/0x%lx, not world %u's", n, vr, cr, world);
			bad++;
		}
	}
	for (u32 n = skip_bp0; n < nwrp; n++) {
		u64 vr = 0, cr = 0;

		wp_access(n, false, &vr, &cr);
		if (vr != pattern(world, n + 16) || (cr & 0x1e0) != ((u64)world << 5)) {
			say("watchpoint %u holds 0x%lx/0x%lx, not world %u's", n, vr, cr, world);
			bad++;
		}
	}
	return bad;
}

static void peer(u32 nbrp, u32 nwrp)
{
	u32 bad = 0;
	u64 sum = 0;

	write_all(2, nbrp, nwrp);
	msr(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
	__asm__ volatile("msr daifclr, #8; isb");
	for (u32 r = 0; r < ROUNDS; r++) {
		__asm__ volatile("wfi"); /* the other VM runs with its breakpoint armed */
		sum += target(r);
		sum += watched;
		watched = r;
		bad += check_all(2, nbrp, nwrp, 0);
	}
	__asm__ volatile("msr daifset, #8; isb");
	check(bad == 0, "peer: every breakpoint and watchpoint kept this VM's values", bad);
	check(bp_hits == 0 && wp_hits == 0 && steps == 0 && guest_exceptions() == 0,
	      "peer: no debug exception while calling target_fn and touching `watched`",
	      guest_exceptions());
	check((mrs(mdscr_el1) & (MDSCR_MDE | MDSCR_KDE)) == (MDSCR_MDE | MDSCR_KDE),
	      "peer: MDSCR_EL1 is this VM's", mrs(mdscr_el1));
	(void)sum;
}

static void breakpoint_test(void)
{
	u64 fn = (u64)(uintptr_t)target_fn, r;

	bp_hits = 0;
	msr(S2_0_C0_C0_4, fn); /* DBGBVR0_EL1 */
	msr(S2_0_C0_C0_5, BCR_ARM);
	r = target(5);
	check(bp_hits == 1 && bp_elr == fn && r == 16,
	      "breakpoint on target_fn: one EC 0x31 exception at its first instruction", bp_elr);
}

static void watchpoint_test(void)
{
	u64 addr = (u64)(uintptr_t)&watched, v;

	watched = 7;
	wp_hits = 0;
	msr(S2_0_C0_C0_6, addr); /* DBGWVR0_EL1 */
	msr(S2_0_C0_C0_7, WCR_ARM);
	v = watched;
	check(wp_hits == 1 && wp_far == addr && wp_wnr == 0 && v == 7,
	      "watchpoint on a read: one EC 0x35 exception, FAR the variable, WnR 0", wp_far);
	wp_hits = 0;
	msr(S2_0_C0_C0_7, WCR_ARM);
	watched = 9;
	check(wp_hits == 1 && wp_far == addr && wp_wnr == 1 && watched == 9,
	      "watchpoint on a write: one EC 0x35 exception, WnR 1, then the write done", wp_far);
}

static void step_test(void)
{
	steps = 0;
	brks = 0;
	((void (*)(void))(uintptr_t)step_region)();
	check(brks == 1 && steps == STEPS_EXPECTED,
	      "single step: 6 instructions (one emulated by the hypervisor), 6 EC 0x33 exceptions",
	      steps);
}

void guest_main(u64 dtb)
{
	u64 dfr0 = mrs(id_aa64dfr0_el1), is_peer = 0, oslsr;
	u32 nbrp = (u32)((dfr0 >> 12) & 0xf) + 1, nwrp = (u32)((dfr0 >> 20) & 0xf) + 1;
	u32 bad;

	guest_sync_handler = on_sync;
	if (dtb != 0 && fdt_valid(dtb))
		bootarg_u64(fdt_bootargs(dtb), "peer", &is_peer);
	say("%u breakpoints, %u watchpoints (ID_AA64DFR0_EL1 0x%lx)%s", nbrp, nwrp, dfr0,
	    is_peer ? ", peer" : "");

	/* The OS lock, as Linux uses it at boot: implemented, locks and unlocks. */
	msr(S2_0_C1_C0_4, 1); /* OSLAR_EL1 */
	oslsr = mrs(S2_0_C1_C1_4);
	check((oslsr & 0xb) == 0xa, "OSLAR_EL1 1: OSLSR_EL1 says OS lock implemented, locked",
	      oslsr);
	msr(S2_0_C1_C0_4, 0);
	oslsr = mrs(S2_0_C1_C1_4);
	check((oslsr & 0xb) == 0x8, "OSLAR_EL1 0: unlocked", oslsr);

	if (is_peer) {
		peer(nbrp, nwrp);
	} else {
		write_all(1, nbrp, nwrp);
		bad = check_all(1, nbrp, nwrp, 0);
		check(bad == 0,
		      "every breakpoint and watchpoint register reads back what was written", bad);
		msr(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
		check(mrs(mdscr_el1) == (MDSCR_MDE | MDSCR_KDE), "MDSCR_EL1 MDE and KDE set",
		      mrs(mdscr_el1));
		__asm__ volatile("msr daifclr, #8; isb"); /* PSTATE.D clear: EL1 to EL1 */
		breakpoint_test();
		watchpoint_test();
		step_test();

		/* Armed while the peer runs the same code: nothing may fire there (or here). */
		bp_hits = wp_hits = 0;
		msr(S2_0_C0_C0_4, (u64)(uintptr_t)target_fn);
		msr(S2_0_C0_C0_5, BCR_ARM);
		msr(S2_0_C0_C0_6, (u64)(uintptr_t)&watched);
		msr(S2_0_C0_C0_7, WCR_ARM);
		for (u32 r = 0; r < ROUNDS; r++)
			__asm__ volatile("wfi");
		check(
		    bp_hits == 0 && wp_hits == 0 &&
			mrs(S2_0_C0_C0_4) == (u64)(uintptr_t)target_fn &&
			mrs(S2_0_C0_C0_5) == BCR_ARM,
		    "held a breakpoint and a watchpoint armed for 40 waits: still ours, none fired",
		    mrs(S2_0_C0_C0_4));
		bad = check_all(1, nbrp, nwrp, 1);
		check(bad == 0, "the other breakpoints and watchpoints still hold this VM's values",
		      bad);
		breakpoint_test(); /* and they still work after all those switches */
		__asm__ volatile("msr daifset, #8; isb");
		msr(S2_0_C0_C0_7, 0);
		msr(mdscr_el1, 0);
	}
	if (failures == 0)
		say("PASS");
}
