/* SPDX-License-Identifier: MIT */
#include "guest_layout.h"

#include <kcore/image.h>
#include <kcore/payload.h>
#include <string.h>

#include "backend.h"

static u64 le64_at(const u8 *p)
{
	u64 v = 0;

	for (u32 i = 0; i < 8; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

static u32 le32_at(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

bool guest_layout_compute(const char *name, u64 mem_size, const u8 *image, u64 image_file,
			  u64 initrd_file, struct guest_layout *out)
{
	struct guest_layout l = {.ram_base = KCORE_GUEST_RAM_BASE,
				 .ram_size = mem_size,
				 .image_file = image_file,
				 .image_payload = image_file - KCORE_IMG_TRAILER_SIZE,
				 .initrd_file = initrd_file};
	u64 text_offset = 0, image_size = 0, below;

	l.has_header = l.image_payload >= ARM64_IMAGE_HDR_SIZE &&
		       le32_at(image + ARM64_IMAGE_MAGIC_OFFSET) == ARM64_IMAGE_MAGIC;
	if (l.has_header) {
		text_offset = le64_at(image + ARM64_IMAGE_TEXT_OFFSET);
		image_size = le64_at(image + ARM64_IMAGE_IMAGE_SIZE);
		if (image_size == 0)
			text_offset = ARM64_IMAGE_OLD_TEXT_OFFSET;
	}
	if ((text_offset & (VMM_PAGE_SIZE - 1)) != 0 || text_offset >= mem_size) {
		vmm_log("payload: VM %s: the image's text_offset 0x%lx is not a page "
			"multiple below its RAM size 0x%lx",
			name, text_offset, mem_size);
		return false;
	}
	l.load_ipa = l.ram_base + text_offset;
	/* Compared with the RAM's size first, so nothing below can overflow. */
	if (image_file > mem_size || image_size > mem_size) {
		vmm_log("payload: VM %s: the image (%lu bytes, image_size %lu) is larger "
			"than its RAM (%lu bytes)",
			name, image_file, image_size, mem_size);
		return false;
	}
	l.image_end = l.load_ipa + vmm_align_up(image_file > image_size ? image_file : image_size,
						VMM_PAGE_SIZE);
	l.dtb_ipa = layout_ram_end(&l) - GUEST_DTB_SIZE;
	below = l.dtb_ipa;
	if (initrd_file != 0) {
		l.initrd_payload = initrd_file - KCORE_IMG_TRAILER_SIZE;
		if (initrd_file <= l.dtb_ipa - l.ram_base)
			l.initrd_ipa = vmm_align_down(l.dtb_ipa - initrd_file, VMM_PAGE_SIZE);
		below = l.initrd_ipa;
	}
	if ((initrd_file != 0 && l.initrd_ipa == 0) || l.image_end > below) {
		vmm_log("payload: VM %s: %lu MiB of RAM is too small for the image at "
			"0x%lx-0x%lx (%lu bytes, image_size %lu), the initrd (%lu bytes) and the "
			"DTB page",
			name, mem_size >> 20, l.load_ipa, l.image_end, image_file, image_size,
			initrd_file);
		return false;
	}
	*out = l;
	return true;
}

u64 guest_image_page(const u8 *file, u64 size, u64 off)
{
	u64 addr, n;
	u8 *p;

	if (off >= size)
		return 0;
	addr = vmm_page_alloc();
	if (addr == 0)
		return 0;
	n = size - off < VMM_PAGE_SIZE ? size - off : VMM_PAGE_SIZE;
	p = (u8 *)(uintptr_t)addr;
	memcpy(p, file + off, n);
	if (n < VMM_PAGE_SIZE)
		memset(p + n, 0, VMM_PAGE_SIZE - n);
	return addr;
}
