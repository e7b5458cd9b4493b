/* SPDX-License-Identifier: MIT */
/*
 * A Linux host's boot (docs/linux-host.md): which host kcore boots, whether
 * the multiboot kernel's arm64 Image header lets kcore enter it where the
 * boot loader put it, and the DTB the host gets. Apart from main.c (which
 * needs the CPU) so the host build can test them: tests/unit/test_host_dtb.c.
 */
#include "core/arch.h"
#include "core/lib/log.h"
#include "machine.h"

/* The arm64 Image header (Linux's Documentation/arm64/booting.rst). */
struct linux_image_header {
	u32 code0, code1;
	u64 text_offset; /* from a 2 MiB aligned base */
	u64 image_size;	 /* bytes from the load address the kernel uses, bss included */
	u64 flags;
	u64 res2, res3, res4;
	u32 magic;
	u32 res5;
};

#define LINUX_IMAGE_MAGIC    0x644d5241u /* "ARM\x64" */
#define LINUX_FLAG_BE	     (1ull << 0)
#define LINUX_FLAG_PHYS_BASE (1ull << 3) /* any 2 MiB aligned base in RAM will do */

bool machine_has_linux_host(const struct machine *m)
{
	return m->linux_kernel.size != 0;
}

static bool overlaps(u64 a, u64 asz, u64 b, u64 bsz)
{
	return a < b + bsz && b < a + asz;
}

static bool in_one_bank(const struct machine *m, u64 base, u64 size)
{
	for (u32 i = 0; i < m->nr_ram; i++) {
		u64 bank = pa_addr(m->ram[i].base);

		if (base >= bank && base - bank < m->ram[i].size &&
		    size <= m->ram[i].size - (base - bank))
			return true;
	}
	return false;
}

/*
 * A Linux host's kernel is entered where the boot loader (QEMU's
 * guest-loader) put it, never moved: its header must say it may run there
 * (a 2 MiB aligned base plus text_offset, anywhere in RAM), and all of its
 * image_size must be RAM that nothing else of the boot uses.
 */
u64 check_linux_kernel(const struct machine *m, const void *header, u64 dtb,
		       struct kcore_mem_range image)
{
	u64 base = pa_addr(m->linux_kernel.base);
	const struct linux_image_header *h = header;
	u64 ramdisk = pa_addr(m->linux_ramdisk.base);
	u64 image_base = pa_addr(image.base), image_size = image.size;
	u64 span;

	/* The header is read where it lies: that must be RAM first. */
	if (!in_one_bank(m, base, m->linux_kernel.size))
		kc_panic("the multiboot kernel %lx-%lx is not in one RAM bank", base,
			 base + m->linux_kernel.size);
	if (m->linux_kernel.size < sizeof(*h) || h->magic != LINUX_IMAGE_MAGIC)
		kc_panic("the multiboot kernel at %lx is not an arm64 Image (decompressed)", base);
	if ((h->flags & LINUX_FLAG_BE) != 0 || (h->flags & LINUX_FLAG_PHYS_BASE) == 0 ||
	    h->image_size < m->linux_kernel.size)
		kc_panic(
		    "the host kernel's Image header (flags %lx, image_size %lx) is not one kcore "
		    "boots: little-endian, any 2 MiB aligned base",
		    h->flags, h->image_size);
	if (base < h->text_offset || ((base - h->text_offset) & (BLOCK_SIZE - 1)) != 0)
		kc_panic(
		    "the host kernel is at %lx: it must be loaded at a 2 MiB boundary plus its "
		    "text_offset %lx (guest-loader addr=)",
		    base, h->text_offset);
	span = h->image_size;
	if (!in_one_bank(m, base, span))
		kc_panic("the host kernel's %lx-%lx (image_size) is not in one RAM bank", base,
			 base + span);
	if (overlaps(base, span, image_base, image_size) ||
	    overlaps(base, span, dtb, m->dtb_size + 0x10000))
		kc_panic("the host kernel's %lx-%lx overlaps kcore or the DTB", base, base + span);
	if (m->linux_ramdisk.size == 0)
		return span;
	if (!in_one_bank(m, ramdisk, m->linux_ramdisk.size) ||
	    overlaps(ramdisk, m->linux_ramdisk.size, base, span) ||
	    overlaps(ramdisk, m->linux_ramdisk.size, image_base, image_size) ||
	    overlaps(ramdisk, m->linux_ramdisk.size, dtb, m->dtb_size + 0x10000))
		kc_panic(
		    "the host's ramdisk %lx-%lx is not in one RAM bank or overlaps its kernel, "
		    "kcore or the DTB",
		    ramdisk, ramdisk + m->linux_ramdisk.size);
	return span;
}

void dtb_for_host(void *dtb, const struct machine *m, struct kcore_mem_range image,
		  struct kcore_mem_range carve)
{
	struct kcore_mem_range reserved[2] = {image, carve};
	u64 at = (u64)(uintptr_t)dtb;
	u64 room_end = pa_addr(image.base);
	u64 linux_base = pa_addr(m->linux_kernel.base);
	u64 ramdisk = pa_addr(m->linux_ramdisk.base);

	/* The DTB grows in place: up to whatever the boot loader put after it. */
	if (at > pa_addr(image.base))
		room_end = pa_addr(carve.base);
	if (m->initrd_start > at && m->initrd_start < room_end)
		room_end = m->initrd_start;
	if (!machine_has_linux_host(m)) {
		dtb_reserve(dtb, reserved, 2, room_end);
		return;
	}
	/* Linux's kernel and ramdisk lie where the boot loader put them: the DTB stops short. */
	if (linux_base > at && linux_base < room_end)
		room_end = linux_base;
	if (ramdisk > at && ramdisk < room_end)
		room_end = ramdisk;
	dtb_for_linux_host(dtb, m, reserved, 2, room_end);
}
