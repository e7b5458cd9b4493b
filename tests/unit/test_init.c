/* SPDX-License-Identifier: MIT */
/*
 * kcore_init (core/kcore.c): every inconsistent boot parameter is refused with
 * KCORE_E_INVAL before anything is written, and a consistent set is accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/sim/sim.h"
#include "core/kcore.h"
#include "core/mm/pgowner.h"
#include "tests/lib/fixture.h"
#include "tools/lib/imgsign.h"

#define BANK2_BASE 0x100000000ull
#define BANK2_SIZE (16ull << 20)

static struct imgsign_key key;
static struct kcore_trusted_key keys[1];
static struct kcore_boot_params good;
static uint8_t *ram_before;

/* The fixture's parameters, on a fresh two-bank machine (only bank 0 declared). */
static int setup(void **state)
{
	struct sim_config sc = {.nr_ram = 2};
	u64 carve;

	(void)state;
	sc.ram[0].base = pa_init(FX_RAM_BASE);
	sc.ram[0].size = FX_RAM_SIZE;
	sc.ram[1].base = pa_init(BANK2_BASE);
	sc.ram[1].size = BANK2_SIZE;
	sim_machine_reset(&sc);

	assert_int_equal(imgsign_key_from_seed(&key, "kcore test key"), IMGSIGN_OK);
	assert_int_equal(imgsign_trusted_key_from_pub(&keys[0], key.pub), IMGSIGN_OK);

	memset(&good, 0, sizeof(good));
	good.ram[0] = (struct kcore_mem_range){pa_init(FX_RAM_BASE), FX_RAM_SIZE};
	good.nr_ram = 1;
	good.kcore_image = (struct kcore_mem_range){pa_init(FX_RAM_BASE), FX_KCORE_IMAGE_SIZE};
	good.nr_devices = fx_policy(good.devices);
	good.ipa_bits = 40;
	good.max_vms = 4;
	good.max_vcpus = 4;
	good.host_pool_pages = 64;
	good.kcore_pool_pages = 16;
	good.vm_pool_pages = 32;
	good.window_base = va_init(0x0000100000000000ull);
	good.window_pages = 4096;
	good.keys = keys;
	good.nr_keys = 1;
	carve = (kcore_carve_size(&good) + 0xfffff) & ~0xfffffull;
	good.carve = (struct kcore_mem_range){pa_init(FX_RAM_BASE + FX_RAM_SIZE - carve), carve};

	ram_before = malloc(FX_RAM_SIZE);
	assert_non_null(ram_before);
	memcpy(ram_before, sim_ram_ptr(pa_init(FX_RAM_BASE)), FX_RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram_before);
	ram_before = NULL;
	return 0;
}

/* Refused, and not one byte of RAM written. */
static void refused(const struct kcore_boot_params *p)
{
	assert_int_equal(kcore_init(p), KCORE_E_INVAL);
	assert_memory_equal(sim_ram_ptr(pa_init(FX_RAM_BASE)), ram_before, FX_RAM_SIZE);
}

static void test_good_params_accepted(void **state)
{
	(void)state;
	assert_int_equal(kcore_init(&good), KCORE_OK);
	assert_int_equal(kcore_check_invariants(), 0);
	assert_int_equal(pgowner_get(pa_init(FX_RAM_BASE))->owner, OWNER_KCORE);
	assert_int_equal(pgowner_get(good.carve.base)->owner, OWNER_KCORE);
	assert_int_equal(pgowner_get(pa_init(FX_RAM_BASE + FX_KCORE_IMAGE_SIZE))->owner,
			 OWNER_HOST);
}

static void test_two_banks_and_no_image_accepted(void **state)
{
	struct kcore_boot_params p = good;

	(void)state;
	p.ram[1] = (struct kcore_mem_range){pa_init(BANK2_BASE), BANK2_SIZE};
	p.nr_ram = 2;
	p.kcore_image.size = 0;
	p.carve.size = (kcore_carve_size(&p) + 0xfffff) & ~0xfffffull;
	p.carve.base = pa_init(BANK2_BASE + BANK2_SIZE - p.carve.size);
	assert_int_equal(kcore_init(&p), KCORE_OK);
	assert_int_equal(kcore_check_invariants(), 0);
	assert_int_equal(pgowner_get(pa_init(FX_RAM_BASE))->owner, OWNER_HOST);
	assert_int_equal(pgowner_get(pa_init(BANK2_BASE))->owner, OWNER_HOST);
	assert_int_equal(pgowner_get(p.carve.base)->owner, OWNER_KCORE);
}

/*
 * Pools whose pages add up to an odd number: their u32 free stacks then end
 * 4 bytes off an 8-byte boundary, and the window log (u64s) after them must
 * still start aligned (the ASan/UBSan build aborts on a misaligned access).
 */
static void test_odd_pool_pages_accepted(void **state)
{
	struct kcore_boot_params p = good;

	(void)state;
	p.kcore_pool_pages = 17;
	p.io_pool_pages = 5;
	p.host_pool_pages = 65;
	assert_int_equal((p.kcore_pool_pages + p.host_pool_pages + p.io_pool_pages) % 2, 1);
	p.carve.size = (kcore_carve_size(&p) + 0xfffff) & ~0xfffffull;
	p.carve.base = pa_init(FX_RAM_BASE + FX_RAM_SIZE - p.carve.size);
	assert_int_equal(kcore_init(&p), KCORE_OK);
	assert_int_equal(kcore_check_invariants(), 0);
}

static void test_counts_out_of_range(void **state)
{
	struct kcore_boot_params p;

	(void)state;
	p = good, p.nr_ram = 0, refused(&p);
	p = good, p.nr_ram = KCORE_MAX_RAM_BANKS + 1, refused(&p);
	p = good, p.ipa_bits = 39, refused(&p);
	p = good, p.ipa_bits = 49, refused(&p);
	p = good, p.max_vms = 0, refused(&p);
	p = good, p.max_vms = KCORE_MAX_VMS + 1, refused(&p);
	p = good, p.max_vcpus = 0, refused(&p);
	p = good, p.max_vcpus = KCORE_MAX_VCPUS + 1, refused(&p);
	p = good, p.nr_devices = KCORE_MAX_DEV_RANGES + 1, refused(&p);
}

static void test_pools_too_small(void **state)
{
	struct kcore_boot_params p;

	(void)state;
	p = good, p.host_pool_pages = 3, refused(&p);
	p = good, p.kcore_pool_pages = 3, refused(&p);
	p = good, p.vm_pool_pages = 3, refused(&p);
	p = good, p.host_pool_pages = 0, refused(&p);
}

static void test_bad_window(void **state)
{
	struct kcore_boot_params p;

	(void)state;
	p = good, p.window_base = va_init(0x0000100000000800ull), refused(&p);
	p = good, p.window_pages = 0, refused(&p);
	p = good, p.window_base = va_init(1ull << 48), refused(&p);
	p = good, p.window_base = va_init((1ull << 48) - 0x1000), p.window_pages = 2, refused(&p);
	p = good, p.window_base = va_init(0x0000100000000000ull);
	p.window_pages = (((1ull << 48) - 0x0000100000000000ull) >> 12) + 1;
	refused(&p);
}

static void test_bad_ram_banks(void **state)
{
	struct kcore_boot_params p;

	(void)state;
	p = good, p.ram[0].base = pa_init(FX_RAM_BASE + 0x800), refused(&p);
	p = good, p.ram[0].size = FX_RAM_SIZE - 0x800, refused(&p);
	p = good, p.nr_ram = 2, p.ram[1] = (struct kcore_mem_range){pa_init(BANK2_BASE), 0};
	refused(&p);
	/* Beyond the IPA space (40 bits here). */
	p = good, p.nr_ram = 2;
	p.ram[1] = (struct kcore_mem_range){pa_init((1ull << 40) - 0x1000), 0x2000};
	refused(&p);
	/* Wrapping around the address space. */
	p = good, p.nr_ram = 2;
	p.ram[1] = (struct kcore_mem_range){pa_init(0xfffffffffffff000ull), 0x2000};
	refused(&p);
	/* Overlapping another bank, either way round. */
	p = good, p.nr_ram = 2;
	p.ram[1] = (struct kcore_mem_range){pa_init(FX_RAM_BASE + FX_RAM_SIZE - 0x1000), 0x2000};
	refused(&p);
	p = good, p.nr_ram = 2;
	p.ram[1] = (struct kcore_mem_range){pa_init(FX_RAM_BASE - 0x1000), 0x2000};
	refused(&p);
	p = good, p.nr_ram = 2;
	p.ram[1] = (struct kcore_mem_range){pa_init(FX_RAM_BASE - 0x1000), FX_RAM_SIZE + 0x2000};
	refused(&p);
	/* Bank 1 fine, bank 2 overlapping bank 0 only. */
	p = good, p.nr_ram = 3;
	p.ram[1] = (struct kcore_mem_range){pa_init(BANK2_BASE), BANK2_SIZE};
	p.ram[2] = (struct kcore_mem_range){pa_init(FX_RAM_BASE + 0x4000), 0x1000};
	refused(&p);
}

/* Sets the first device range of p (the fixture's table is otherwise kept). */
static void set_dev0(struct kcore_boot_params *p, u64 base, u64 size, u32 cls)
{
	*p = good;
	p->devices[0] = (struct kcore_dev_range){pa_init(base), size, cls};
}

static void test_bad_kcore_devices(void **state)
{
	struct kcore_boot_params p;

	(void)state;
	/* Over RAM (inside, and straddling its start). */
	set_dev0(&p, FX_RAM_BASE + 0x2000, 0x1000, KCORE_DEV_KCORE), refused(&p);
	set_dev0(&p, FX_RAM_BASE - 0x1000, 0x2000, KCORE_DEV_KCORE), refused(&p);
	set_dev0(&p, FX_RAM_BASE - 0x1000, 0x2000, KCORE_DEV_DENIED), refused(&p);
	/* Unaligned, partial page, empty, wrapping, beyond 2^48, an unknown class. */
	set_dev0(&p, FX_KCORE_DEVICE + 4, 0x1000, KCORE_DEV_KCORE), refused(&p);
	set_dev0(&p, FX_KCORE_DEVICE, 0x10, KCORE_DEV_KCORE), refused(&p);
	set_dev0(&p, 0x0f000000, 0, KCORE_DEV_HOST_SAFE), refused(&p);
	set_dev0(&p, 0xfffffffffffff000ull, 0x2000, KCORE_DEV_HOST_SAFE), refused(&p);
	set_dev0(&p, 1ull << 48, 0x1000, KCORE_DEV_HOST_SAFE), refused(&p);
	set_dev0(&p, 0x0f000000, 0x1000, KCORE_DEV_NR_CLASSES), refused(&p);
	/* The second device is the bad one. */
	p = good, p.nr_devices = 2;
	p.devices[1] = (struct kcore_dev_range){pa_init(FX_RAM_BASE + FX_RAM_SIZE - 0x1000), 0x1000,
						KCORE_DEV_KCORE};
	refused(&p);
}

/* Two ranges of the policy overlap, whatever their classes: which would win is undefined. */
static void test_overlapping_devices(void **state)
{
	struct kcore_boot_params p;
	u32 last = good.nr_devices;

	(void)state;
	assert_true(last < KCORE_MAX_DEV_RANGES);
	/* A HOST_SAFE page over kcore's device, a DENIED one over a HOST_SAFE range. */
	p = good, p.nr_devices = last + 1;
	p.devices[last] =
	    (struct kcore_dev_range){pa_init(FX_KCORE_DEVICE), 0x1000, KCORE_DEV_HOST_SAFE};
	refused(&p);
	p = good, p.nr_devices = last + 1;
	p.devices[last] =
	    (struct kcore_dev_range){pa_init(FX_DEVICE_BASE + 0x3000), 0x1000, KCORE_DEV_DENIED};
	refused(&p);
	/* Same class, overlapping by one page. */
	p = good, p.nr_devices = last + 1;
	p.devices[last] = (struct kcore_dev_range){
	    pa_init(FX_SMMU_WINDOW + FX_SMMU_WINDOW_SIZE - 0x1000), 0x2000, KCORE_DEV_BEHIND_SMMU};
	refused(&p);
	/* Adjacent, not overlapping: accepted. */
	p = good, p.nr_devices = last + 1;
	p.devices[last] = (struct kcore_dev_range){pa_init(FX_SMMU_WINDOW + FX_SMMU_WINDOW_SIZE),
						   0x2000, KCORE_DEV_DENIED};
	assert_int_equal(kcore_init(&p), KCORE_OK);
}

static void test_bad_carve_and_image(void **state)
{
	struct kcore_boot_params p;
	u64 need = (kcore_carve_size(&good) + 0xfff) & ~0xfffull;

	(void)state;
	/* Too small by one page. */
	p = good, p.carve.size = need - 0x1000;
	p.carve.base = pa_init(FX_RAM_BASE + FX_RAM_SIZE - p.carve.size);
	refused(&p);
	/* Exactly big enough is fine (checked last, after the refusals). */
	/* Outside RAM, or straddling its end. */
	p = good, p.carve.base = pa_init(BANK2_BASE), refused(&p);
	p = good, p.carve.base = pa_add(good.carve.base, 0x1000), refused(&p);
	p = good, p.carve.base = pa_init(FX_RAM_BASE - 0x100000), refused(&p);
	/* Unaligned. */
	p = good, p.carve.base = pa_init(pa_addr(good.carve.base) - 0x800), refused(&p);
	p = good, p.carve.size = good.carve.size - 0x800, refused(&p);
	/* Overlapping kcore's image. */
	p = good, p.carve.base = pa_init(FX_RAM_BASE + FX_KCORE_IMAGE_SIZE - 0x1000), refused(&p);
	p = good, p.carve.base = pa_init(FX_RAM_BASE), refused(&p);
	/* The image outside RAM, unaligned, or overlapping the carve-out. */
	p = good, p.kcore_image.base = pa_init(BANK2_BASE), refused(&p);
	p = good, p.kcore_image.base = pa_init(FX_RAM_BASE + 0x10), refused(&p);
	p = good, p.kcore_image.size = FX_KCORE_IMAGE_SIZE + 0x10, refused(&p);
	p = good, p.kcore_image.base = pa_add(good.carve.base, 0x1000), p.kcore_image.size = 0x1000;
	refused(&p);

	p = good, p.carve.size = need;
	p.carve.base = pa_init(FX_RAM_BASE + FX_RAM_SIZE - need);
	assert_int_equal(kcore_init(&p), KCORE_OK);
	assert_int_equal(kcore_check_invariants(), 0);
}

static void test_bad_trusted_key(void **state)
{
	struct kcore_trusted_key bad[2];
	struct kcore_boot_params p = good;

	(void)state;
	bad[0] = keys[0];
	bad[1] = keys[0];
	bad[1].key_id[31] ^= 1;
	p.keys = bad;
	p.nr_keys = 2;
	refused(&p);
	/* A key_id that is the hash of a pub that is not an uncompressed point. */
	bad[1] = keys[0];
	bad[1].pub[0] = 0x02;
	refused(&p);
	p.nr_keys = 1; /* only the good one */
	assert_int_equal(kcore_init(&p), KCORE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_good_params_accepted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_banks_and_no_image_accepted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_odd_pool_pages_accepted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counts_out_of_range, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pools_too_small, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_ram_banks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_kcore_devices, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlapping_devices, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_carve_and_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_trusted_key, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
