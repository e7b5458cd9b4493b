/* SPDX-License-Identifier: MIT */
/*
 * Where things go in a guest's RAM (include/kcore/payload.h): the image at
 * RAM base + the text_offset of its arm64 Image header (RAM base if it has
 * none), the DTB in the last page, the initrd just below the DTB. The image
 * keeps the RAM its header's image_size asks for (BSS and stacks) free.
 */
#ifndef VMM_GUEST_LAYOUT_H
#define VMM_GUEST_LAYOUT_H

#include "types.h"

/* The arm64 Image header (Linux Documentation/arch/arm64/booting.rst). */
#define ARM64_IMAGE_HDR_SIZE	    64u
#define ARM64_IMAGE_TEXT_OFFSET	    8u
#define ARM64_IMAGE_IMAGE_SIZE	    16u
#define ARM64_IMAGE_MAGIC_OFFSET    56u
#define ARM64_IMAGE_MAGIC	    0x644d5241u /* "ARM\x64", little-endian */
#define ARM64_IMAGE_OLD_TEXT_OFFSET 0x80000ull	/* image_size 0: a kernel before 3.17 */

#define GUEST_DTB_SIZE VMM_PAGE_SIZE
#define GUEST_MAX_MEM  ((u64)4 << 30)

/*
 * The virtio-mmio devices (vmm/virtio_mmio.h) of a VM that has any (kcore-vmm's
 * --disk, --rng): device i's 512-byte window at GUEST_VIRTIO_BASE + i *
 * GUEST_VIRTIO_STRIDE, above the benchmark device and below RAM, and its
 * interrupt SPI GUEST_VIRTIO_SPI + i (INTID 32 + that), among the 32 SPIs
 * the emulated GIC has (the PL011 has SPI 1).
 */
#define GUEST_VIRTIO_BASE   0x0a010000ull
#define GUEST_VIRTIO_STRIDE 0x200ull
#define GUEST_VIRTIO_MAX    8u
#define GUEST_VIRTIO_SPI    16u

static inline u64 guest_virtio_base(u32 i)
{
	return GUEST_VIRTIO_BASE + GUEST_VIRTIO_STRIDE * i;
}

struct guest_layout {
	u64 ram_base;
	u64 ram_size;
	bool has_header;   /* the image starts with an arm64 Image header */
	u64 load_ipa;	   /* the image's first byte, and vCPU 0's entry point */
	u64 image_file;	   /* bytes of the signed image file (trailer included) */
	u64 image_payload; /* bytes before the trailer */
	u64 image_end;	   /* end of what the image needs (file pages, or its image_size) */
	u64 initrd_ipa;	   /* 0: no initrd */
	u64 initrd_file;
	u64 initrd_payload;
	u64 dtb_ipa;
};

static inline u64 layout_ram_end(const struct guest_layout *l)
{
	return l->ram_base + l->ram_size;
}

/*
 * Places the image (whose signed file is image[0..image_file)), the initrd
 * (initrd_file bytes, 0 if none) and the DTB in mem_size bytes of RAM. False,
 * with a "payload: VM <name>: ..." log line (vmm_log), if they do not fit.
 */
bool guest_layout_compute(const char *name, u64 mem_size, const u8 *image, u64 image_file,
			  u64 initrd_file, struct guest_layout *out);

/*
 * One page of a boot image as the host hands it over: a fresh host page
 * (vmm_page_alloc) holding file bytes [off, off + 4 KiB) of file[0..size),
 * zero past the file's end, so the page kcore verifies has no stale bytes.
 * Its host address; 0 if there is no free page or off is not below size.
 */
u64 guest_image_page(const u8 *file, u64 size, u64 off);

#endif /* VMM_GUEST_LAYOUT_H */
