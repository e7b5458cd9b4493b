/* SPDX-License-Identifier: MIT */
/* The "info" command: the host's view of the machine and of kcore. */
#include "commands.h"
#include "console.h"
#include "fdt_info.h"
#include "hvc.h"
#include "pages.h"
#include "psci.h"
#include "smp.h"

extern const u8 _kserv_start[], _kserv_end[];

static u64 overlap(const struct range *a, const struct range *b)
{
	u64 s = a->base > b->base ? a->base : b->base;
	u64 ea = range_end(a), eb = range_end(b);
	u64 e = ea < eb ? ea : eb;

	return e > s ? e - s : 0;
}

static void print_keys(void)
{
	struct kcore_ret r;
	s64 err = kcore_call(KC_HC_KEY_INFO, 0, 0, 0, 0, 0, &r);
	u64 nr = err == KCORE_OK ? r.x[1] : 0;

	if (err != KCORE_OK && err != KCORE_E_INVAL) {
		kprintf("info: trusted keys: KC_HC_KEY_INFO returned %s (%ld)\n",
			kcore_err_name(err), err);
		return;
	}
	kprintf("info: trusted keys: %lu\n", nr);
	for (u64 i = 0; i < nr; i++) {
		char hex[65];

		if (i > 0 && kcore_call(KC_HC_KEY_INFO, i, 0, 0, 0, 0, &r) != KCORE_OK) {
			kprintf("info: key %lu: KC_HC_KEY_INFO failed\n", i);
			continue;
		}
		/* x2..x5 hold the 32-byte key id as little-endian words. */
		for (size_t b = 0; b < 32; b++) {
			u32 byte = (u32)(r.x[2 + b / 8] >> (8 * (b % 8))) & 0xff;

			hex[2 * b] = "0123456789abcdef"[byte >> 4];
			hex[2 * b + 1] = "0123456789abcdef"[byte & 15];
		}
		hex[64] = '\0';
		kprintf("info: key %lu: fingerprint %s\n", i, hex);
	}
}

int cmd_info(int argc, char **argv)
{
	const struct machine *m = &machine;
	u64 ram = 0, reserved = 0;
	struct kcore_ret r;
	s64 err;

	(void)argc;
	(void)argv;
	for (u32 i = 0; i < m->nr_ram; i++) {
		ram += m->ram[i].size;
		kprintf("info: RAM bank %u: 0x%lx-0x%lx (%lu KiB)\n", i, m->ram[i].base,
			range_end(&m->ram[i]), m->ram[i].size >> 10);
	}
	for (u32 i = 0; i < m->nr_reserved; i++) {
		u64 in_ram = 0;

		for (u32 b = 0; b < m->nr_ram; b++)
			in_ram += overlap(&m->reserved[i], &m->ram[b]);
		reserved += in_ram;
		kprintf("info: reserved for kcore (memreserve %u): 0x%lx-0x%lx (%lu KiB)\n", i,
			m->reserved[i].base, range_end(&m->reserved[i]), m->reserved[i].size >> 10);
	}
	kprintf("info: host owns %lu KiB of %lu KiB RAM (%lu KiB reserved)\n",
		(ram - reserved) >> 10, ram >> 10, reserved >> 10);
	kprintf("info: kserv image 0x%lx-0x%lx, DTB 0x%lx-0x%lx, allocator %lu of %lu pages free\n",
		(u64)(uintptr_t)_kserv_start, (u64)(uintptr_t)_kserv_end, m->fdt_pa,
		m->fdt_pa + m->fdt_size, pages_free(), pages_total());
	kprintf("info: console PL011 at 0x%lx, PSCI via %s\n", m->uart_base, psci_conduit_name());
	kprintf("info: CPUs up: %u of %u\n", smp_nr_online(), smp_nr_cpus());

	err = kcore_call0(KC_HC_VERSION, &r);
	if (err == KCORE_OK)
		kprintf("info: kcore ABI version %lu.%lu (kserv built for %u.%u)\n", r.x[1] >> 16,
			r.x[1] & 0xffff, KCORE_ABI_MAJOR, KCORE_ABI_MINOR);
	else
		kprintf("info: kcore ABI version: KC_HC_VERSION returned %s (%ld)\n",
			kcore_err_name(err), err);
	print_keys();
	return err == KCORE_OK ? 0 : 1;
}
