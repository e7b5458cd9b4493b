/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for kcore + kserv, so tests/scripts/launcher.sh can check how
 * tools/kcore-run judges a run without a kernel that runs VMs. QEMU boots it
 * exactly as it boots kcore.img (at EL2); it finds the payload through
 * /chosen's linux,initrd-start, and prints every VM's cmdline as console
 * lines ending in "\r\n" as kserv's do, ';' separating lines. A line "hang" stops there without
 * powering off; otherwise it powers off with PSCI SYSTEM_OFF (over SMC, as kcore does at EL2). So a
 * test scripts kserv's output through the payload:
 *
 *   --vm image=hello.signed,cmdline=KSERV: VM hello verified;KSERV: VM hello powered off;...
 *
 * kcore-run refuses a kcore.img that does not contain the string
 * "KSERV: VMS DONE" (a kserv without payload support); this one does.
 */
#include <kcore/payload.h>

#include "guests/lib/guest.h"

#define HDR_SIZE     64u
#define VM_SIZE	     368u
#define CMDLINE_OFF  80u
#define CMDLINE_SIZE 256u

const char guest_name[] = "fake-kcore";
const char fake_kcore_marker[] = "KSERV: VMS DONE (this is a stand-in)";

static u8 byte_at(u64 addr)
{
	return *(const volatile u8 *)(uintptr_t)addr;
}

static u32 le32_at(u64 addr)
{
	return (u32)byte_at(addr) | (u32)byte_at(addr + 1) << 8 | (u32)byte_at(addr + 2) << 16 |
	       (u32)byte_at(addr + 3) << 24;
}

static _Noreturn void system_off_smc(void)
{
	register u64 x0 __asm__("x0") = PSCI_SYSTEM_OFF;

	__asm__ volatile("smc #0" : "+r"(x0) : : "memory");
	el1_park();
}

/* Prints one VM's script; false if it said "hang". */
static bool play(u64 s)
{
	u64 line = s;

	for (u64 p = s;; p++) {
		char c = (char)byte_at(p);

		if (c != ';' && c != '\0' && p - s < CMDLINE_SIZE)
			continue;
		if (p - line == 4 && byte_at(line) == 'h' && byte_at(line + 1) == 'a' &&
		    byte_at(line + 2) == 'n' && byte_at(line + 3) == 'g')
			return false;
		if (p > line) {
			for (u64 q = line; q < p; q++)
				uart_putc((char)byte_at(q));
			uart_puts("\r\n"); /* as kserv's console does */
		}
		if (c != ';')
			return true;
		line = p + 1;
	}
}

void guest_main(u64 dtb)
{
	u64 payload;
	u32 nr;

	if (!fdt_chosen_u64(dtb, "linux,initrd-start", &payload)) {
		uart_puts("KSERV: FAILED: fake-kcore: no payload\n");
		system_off_smc();
	}
	nr = le32_at(payload + 8);
	for (u32 i = 0; i < nr && i < KCORE_PAYLOAD_MAX_VMS; i++) {
		if (!play(payload + HDR_SIZE + (u64)i * VM_SIZE + CMDLINE_OFF))
			el1_park();
	}
	system_off_smc();
}
