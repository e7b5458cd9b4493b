/* SPDX-License-Identifier: MIT */
/*
 * memstress: touches N MiB of the VM's RAM (bootargs "mib=N", default 32),
 * from the first 2 MiB block after the image (0x80200000 in kcore's guest
 * machine), writing a word derived from each address, then reads all of it
 * back. Every first touch of a page is a stage-2 fault the host answers by
 * donating memory; the check shows each page stayed where it was put and
 * kept what was written.
 */
#include "lib/guest.h"

#define MIB	    (1UL << 20)
#define BLOCK	    (2 * MIB)
#define DEFAULT_MIB 32

const char guest_name[] = "memstress";

static u64 pattern(u64 addr)
{
	return addr ^ 0x6d656d7374726573UL ^ (addr << 29); /* "memstres" */
}

void guest_main(u64 dtb)
{
	u64 mib = DEFAULT_MIB, start = align_up(image_end(), BLOCK), end, limit, bad = 0;
	u64 base, size;

	if (!fdt_memory(dtb, &base, &size)) {
		say("FAIL no DTB (x0 = 0x%lx): cannot tell how much RAM there is", dtb);
		return;
	}
	bootarg_u64(fdt_bootargs(dtb), "mib", &mib);
	/* The DTB sits at the top of RAM: stay below its 2 MiB block. */
	limit = (dtb < base + size ? dtb : base + size) & ~(BLOCK - 1);
	if (mib == 0 || start >= limit || mib > (limit - start) / MIB) {
		say("FAIL %lu MiB from 0x%lx do not fit below 0x%lx (give the VM more memory)", mib,
		    start, limit);
		return;
	}
	end = start + mib * MIB;

	say("writing %lu MiB at 0x%lx..0x%lx", mib, start, end);
	for (u64 a = start; a < end; a += 8)
		write64(a, pattern(a));
	say("verifying");
	for (u64 a = start; a < end; a += 8) {
		u64 v = read64(a);

		if (v != pattern(a) && bad++ < 4)
			say("mismatch at 0x%lx: 0x%lx, want 0x%lx", a, v, pattern(a));
	}
	if (bad != 0)
		say("FAIL %lu of %lu words wrong", bad, (end - start) / 8);
	else
		say("PASS %lu MiB", mib);
}
