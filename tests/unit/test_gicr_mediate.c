/* SPDX-License-Identifier: MIT */
/*
 * kcore's emulation of the host's accesses to a GICv3 redistributor's
 * RD_base page 0 (arch/aarch64/gicr_mediate.c, compiled here for the host):
 * the "redistributor" is a page of memory the test owns, the trap a frame
 * and an ESR_EL2 built as the CPU would. No LPIs for the host (PLPIS reads 0,
 * EnableLPIs never set, PROPBASER/PENDBASER RAZ/WI), the registers it needs
 * pass through, and anything else - a byte, a 64-bit access to a 32-bit
 * register, no syndrome, a fetch, a walk, another page - is refused with the
 * host's registers and PC untouched, so kcore never forwards an access the
 * GIC could answer with an external abort at EL2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

/* The arch file under test, built for the host. */
#include "arch/aarch64/gicr_mediate.c" // NOLINT(bugprone-suspicious-include)

#define ISV   (1ull << 24)
#define SSE   (1ull << 21)
#define SF    (1ull << 15)
#define PTW   (1ull << 7)
#define ELR   0x40080000ull
#define OTHER 0x5555555555555555ull

static _Alignas(4096) u8 rd[2][4096]; /* two redistributors' page 0 */
static struct trap_frame f;

static u64 reg64(u32 off)
{
	u64 v;

	memcpy(&v, &rd[0][off], 8);
	return v;
}
static void set64(u32 off, u64 v)
{
	memcpy(&rd[0][off], &v, 8);
}

static int setup(void **state)
{
	struct machine m = {0};

	(void)state;
	memset(rd, 0, sizeof(rd));
	set64(0x08, 0x0000000100000301ull); /* TYPER: affinity 1, processor 3, PLPIS */
	set64(0x00, 0x0000043b00000002ull); /* CTLR (CES), IIDR */
	set64(0x70, 0xabcdef000000f00full); /* whatever PROPBASER holds */
	m.gicr_frames[0] = (u64)(uintptr_t)rd[0];
	m.gicr_frames[1] = (u64)(uintptr_t)rd[1];
	m.nr_gicr_frames = 2;
	gicr_mediate_init(&m);
	memset(&f, 0, sizeof(f));
	for (u32 i = 0; i < 31; i++)
		f.x[i] = OTHER + (u64)i;
	f.elr = ELR;
	return 0;
}

/* ESR_EL2 of a data abort from EL1 with a valid syndrome: size (bytes), register, direction. */
static u64 esr(u32 size, u32 rt, bool write, u64 extra)
{
	u64 sas = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

	return ((u64)EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL | ISV | (sas << 22) | ((u64)rt << 16) |
	       (write ? ESR_WNR : 0) | extra | 0x07; /* translation, level 3 */
}

static u64 pa(u32 off)
{
	return (u64)(uintptr_t)rd[0] + off;
}

static void test_typer_hides_plpis(void **state)
{
	(void)state;
	assert_true(gicr_mediate(&f, esr(8, 3, false, SF), pa(0x08)));
	assert_int_equal(f.x[3], 0x0000000100000300ull);
	assert_int_equal(f.elr, ELR + 4);
	assert_true(gicr_mediate(&f, esr(4, 4, false, 0), pa(0x08)));
	assert_int_equal(f.x[4], 0x300);
	assert_true(gicr_mediate(&f, esr(4, 5, false, 0), pa(0x0c)));
	assert_int_equal(f.x[5], 1);
	/* The second redistributor is mediated too. */
	assert_true(gicr_mediate(&f, esr(4, 6, false, 0), (u64)(uintptr_t)rd[1] + 0x08));
	assert_int_equal(f.elr, ELR + 16);
	assert_int_equal(f.x[7], OTHER + 7);
}

static void test_no_lpi_tables(void **state)
{
	(void)state;
	/* PROPBASER/PENDBASER: writes never reach the GIC, reads are 0. */
	f.x[1] = 0x7f1f000full;
	assert_true(gicr_mediate(&f, esr(8, 1, true, SF), pa(0x70)));
	assert_true(gicr_mediate(&f, esr(8, 1, true, SF), pa(0x78)));
	assert_true(gicr_mediate(&f, esr(4, 1, true, 0), pa(0x74)));
	assert_int_equal(reg64(0x70), 0xabcdef000000f00full);
	assert_int_equal(reg64(0x78), 0);
	assert_true(gicr_mediate(&f, esr(8, 2, false, SF), pa(0x70)));
	assert_int_equal(f.x[2], 0);
	/* SETLPIR, INVALLR, SYNCR: nothing reaches the GIC. */
	assert_true(gicr_mediate(&f, esr(8, 1, true, SF), pa(0x40)));
	assert_true(gicr_mediate(&f, esr(8, 1, true, SF), pa(0xb0)));
	assert_int_equal(reg64(0x40), 0);
	assert_int_equal(reg64(0xb0), 0);
	assert_int_equal(f.elr, ELR + 24);
}

static void test_ctlr_never_enables_lpis(void **state)
{
	(void)state;
	f.x[9] = 0x3; /* EnableLPIs | CES */
	assert_true(gicr_mediate(&f, esr(4, 9, true, 0), pa(0x00)));
	assert_int_equal(rd[0][0] & 1, 0);
	assert_int_equal(rd[0][0], 2);
	assert_true(gicr_mediate(&f, esr(4, 10, false, 0), pa(0x00)));
	assert_int_equal(f.x[10], 2);
	/* IIDR is read-only. */
	assert_true(gicr_mediate(&f, esr(4, 9, true, 0), pa(0x04)));
	assert_int_equal(reg64(0x00) >> 32, 0x43b);
}

static void test_waker_passes_through(void **state)
{
	(void)state;
	f.x[0] = 0x2; /* ProcessorSleep */
	assert_true(gicr_mediate(&f, esr(4, 0, true, 0), pa(0x14)));
	assert_int_equal(rd[0][0x14], 2);
	/* XZR as the source writes 0. */
	assert_true(gicr_mediate(&f, esr(4, 31, true, 0), pa(0x14)));
	assert_int_equal(rd[0][0x14], 0);
	rd[0][0x17] = 0x80;
	/* A 32-bit load with sign extension into a 64-bit register, and into W. */
	assert_true(gicr_mediate(&f, esr(4, 11, false, SSE | SF), pa(0x14)));
	assert_int_equal(f.x[11], 0xffffffff80000000ull);
	assert_true(gicr_mediate(&f, esr(4, 12, false, SSE), pa(0x14)));
	assert_int_equal(f.x[12], 0x80000000ull);
	/* A load into XZR changes no register. */
	assert_true(gicr_mediate(&f, esr(4, 31, false, 0), pa(0x14)));
	for (u32 i = 13; i < 31; i++)
		assert_int_equal(f.x[i], OTHER + (u64)i);
}

/* Refused: false, and the host's registers, PC and the redistributor unchanged. */
static void refused(u64 e, u64 addr)
{
	struct trap_frame before = f;
	u8 regs[4096];

	memcpy(regs, rd[0], sizeof(regs));
	assert_false(gicr_mediate(&f, e, addr));
	assert_memory_equal(&before, &f, sizeof(f));
	assert_memory_equal(regs, rd[0], sizeof(regs));
}

static void test_refused_accesses(void **state)
{
	(void)state;
	refused(esr(1, 0, true, 0), pa(0x14));	      /* a byte */
	refused(esr(2, 0, false, 0), pa(0x14));	      /* a halfword */
	refused(esr(8, 0, true, SF), pa(0x00));	      /* 64-bit to CTLR+IIDR */
	refused(esr(8, 0, false, SF), pa(0x10));      /* 64-bit to STATUSR+WAKER */
	refused(esr(4, 0, true, 0), pa(0x16));	      /* unaligned */
	refused(esr(4, 0, true, 0) & ~ISV, pa(0x14)); /* no syndrome */
	refused(esr(4, 0, true, PTW), pa(0x14));      /* a stage-1 walk */
	refused(((u64)EC_IABT_LOW << ESR_EC_SHIFT) | ESR_IL | 0x07, pa(0x14)); /* a fetch */
	refused(esr(4, 0, true, 0), (u64)(uintptr_t)rd[1] + 0x1000 + 0x14);    /* not a page 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_typer_hides_plpis, setup),
	    cmocka_unit_test_setup(test_no_lpi_tables, setup),
	    cmocka_unit_test_setup(test_ctlr_never_enables_lpis, setup),
	    cmocka_unit_test_setup(test_waker_passes_through, setup),
	    cmocka_unit_test_setup(test_refused_accesses, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
