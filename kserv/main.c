/* SPDX-License-Identifier: MIT */
/*
 * kserv: the reference untrusted host kernel that kcore runs at EL1 behind
 * its stage-2 (docs/kserv.md). kserv_main is the boot CPU's C entry
 * (start.S): read the DTB, start the console, the page allocator and the
 * other CPUs, say "KSERV: READY", then run commands.
 *
 * kserv runs with its stage-1 MMU off: virtual = physical, every data access
 * Device-nGnRnE (hence -mstrict-align). That is all a test host needs, and
 * it keeps kserv's view of memory exactly the physical one kcore polices.
 */
#include <kcore/boot.h>

#include "commands.h"
#include "console.h"
#include "exceptions.h"
#include "fdt_info.h"
#include "hvc.h"
#include "pages.h"
#include "psci.h"
#include "smp.h"
#include "sysreg.h"

/* QEMU virt's UART, for a last word when there is no DTB to find it in. */
#define QEMU_VIRT_PL011	       0x09000000ull
/*
 * Where QEMU virt puts its DTB when it boots a bare-metal image (RAM base):
 * for development boots of kserv without kcore, which leave x0 = 0.
 */
#define QEMU_VIRT_DTB_FALLBACK 0x40000000ull

extern const u8 _kserv_start[], _kserv_end[];

_Noreturn void kserv_main(u64 dtb_pa);

static void init_pages(const struct machine *m)
{
	struct range exclude[KSERV_MAX_RESERVED + 3];
	u32 n = 0;

	for (u32 i = 0; i < m->nr_reserved; i++)
		exclude[n++] = m->reserved[i];
	exclude[n++] = (struct range){(u64)(uintptr_t)_kserv_start,
				      (u64)(uintptr_t)_kserv_end - (u64)(uintptr_t)_kserv_start};
	exclude[n++] = (struct range){m->fdt_pa, m->fdt_size};
	/* The initrd: the VM payload, which must stay as QEMU loaded it. */
	if (m->initrd.size != 0)
		exclude[n++] = m->initrd;
	pages_init(m->ram, m->nr_ram, exclude, n);
}

static void say_hello_to_kcore(void)
{
	struct kcore_ret r;
	s64 err = kcore_call0(KC_HC_VERSION, &r);
	s64 psci = psci_version();

	if (err == KCORE_OK)
		kprintf("kserv: kcore ABI version %lu.%lu\n", r.x[1] >> 16, r.x[1] & 0xffff);
	else
		kprintf("kserv: KC_HC_VERSION returned %s (%ld): is kcore there?\n",
			kcore_err_name(err), err);
	if (psci >= 0)
		kprintf("kserv: PSCI %ld.%ld via %s\n", psci >> 16, psci & 0xffff,
			psci_conduit_name());
	else
		kprintf("kserv: PSCI_VERSION via %s: %s\n", psci_conduit_name(),
			psci_err_name(psci));
}

void kserv_main(u64 dtb_pa)
{
	const void *fdt;
	bool fallback;

	/* At any other EL, exceptions would not even reach kserv's vectors. */
	if (read_current_el() != 1) {
		console_init(QEMU_VIRT_PL011);
		kprintf("kserv: entered at EL%u; kserv runs at EL1 only\n", read_current_el());
		for (;;)
			wfi();
	}
	fdt = fdt_at(dtb_pa);
	fallback = fdt == NULL;
	if (fallback)
		fdt = fdt_at(QEMU_VIRT_DTB_FALLBACK);
	if (fdt == NULL || fdt_info_parse(fdt, &machine) != 0) {
		console_init(QEMU_VIRT_PL011);
		kprintf("kserv: no valid DTB (x0 = 0x%lx); cannot continue\n", dtb_pa);
		kserv_fail("no DTB");
	}
	console_init(machine.uart_base != 0 ? machine.uart_base : QEMU_VIRT_PL011);
	psci_init(machine.psci);
	kprintf("kserv: reference host kernel, EL%u, image 0x%lx-0x%lx, stage-1 MMU off\n",
		read_current_el(), (u64)(uintptr_t)_kserv_start, (u64)(uintptr_t)_kserv_end);
	if (fallback)
		kprintf("kserv: x0 = 0x%lx is not a DTB; using QEMU's at 0x%llx "
			"(development boot without kcore)\n",
			dtb_pa, QEMU_VIRT_DTB_FALLBACK);
	if (machine.uart_base == 0)
		kprintf("kserv: no PL011 in the DTB; assuming QEMU virt's\n");
	kprintf("kserv: DTB at 0x%lx (%lu bytes), bootargs \"%s\"\n", machine.fdt_pa,
		machine.fdt_size, machine.bootargs);
	if (machine.initrd.size != 0)
		kprintf("kserv: initrd at 0x%lx-0x%lx (%lu bytes)\n", machine.initrd.base,
			range_end(&machine.initrd), machine.initrd.size);
	if ((u64)(uintptr_t)_kserv_start != KSERV_LOAD_ADDR)
		kserv_fail("kserv is not linked at KSERV_LOAD_ADDR (include/kcore/boot.h)");

	init_pages(&machine);
	kprintf("kserv: %u RAM banks, %u reserved ranges, %lu pages (%lu KiB) for kserv's "
		"allocator\n",
		machine.nr_ram, machine.nr_reserved, pages_free(),
		pages_free() * (KSERV_PAGE_SIZE >> 10));
	if (machine.nr_ignored > 0)
		kprintf("kserv: %u RAM banks or reserved ranges beyond kserv's tables ignored\n",
			machine.nr_ignored);
	say_hello_to_kcore();

	smp_init(&machine);
	smp_start_secondaries();
	kprintf("kserv: %u of %u CPUs up\n", smp_nr_online(), smp_nr_cpus());
	kprintf("KSERV: READY\n");
	commands_main(machine.bootargs);
}
