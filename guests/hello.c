/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest useful guest. It says hello, asks kcore for its ABI
 * version (KC_GC_VERSION, answered by kcore itself, not the host), shows what
 * the DTB told it, and powers off.
 */
#include <kcore/abi.h>

#include "lib/guest.h"

const char guest_name[] = "hello";

void guest_main(u64 dtb)
{
	struct hvc_res v;
	u64 base, size;

	say("Hello from %s at EL1, vCPU 0 (MPIDR 0x%lx), loaded at 0x%lx", guest_name,
	    read_mpidr_el1(), image_start());
	if (fdt_memory(dtb, &base, &size))
		say("RAM 0x%lx..0x%lx (%lu MiB), %u vCPUs, bootargs \"%s\"", base, base + size,
		    size >> 20, fdt_cpus(dtb, NULL, 0), fdt_bootargs(dtb));
	else
		say("no DTB at 0x%lx", dtb);

	v = hvc_call(KC_GC_VERSION, 0, 0, 0);
	if (v.x0 != KCORE_OK) {
		say("FAIL KC_GC_VERSION returned %ld", v.x0);
		return;
	}
	say("kcore ABI version %lu.%lu", v.x1 >> 16, v.x1 & 0xffff);
	say("PASS");
}
